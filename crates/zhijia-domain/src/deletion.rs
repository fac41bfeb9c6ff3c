//! Deletion requests (个人信息保护法 第四十七条): a worker asks, the union holding their data
//! erases what need not be kept or refuses with a reason.

state_enum! {
    /// Where a deletion request stands.
    pub enum DeletionStatus {
        Pending = "pending", "待处理";
        /// Erased (what the law lets the union keep stays).
        Done = "done", "已删除";
        Refused = "refused", "不予删除";
    }
}
