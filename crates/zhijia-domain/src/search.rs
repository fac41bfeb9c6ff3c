//! Search (搜索): the kinds of record one search box finds, with the Chinese label a result
//! shows, and which table each comes from.

state_enum! {
    /// What a search result is. Articles, notices and answers share the `article` table.
    pub enum SearchKind {
        Article = "article", "资讯";
        Notice = "notice", "通知公告";
        Answer = "answer", "法律知识";
        Offer = "offer", "普惠优惠";
        Activity = "activity", "活动";
        Library = "library", "职工书屋";
        ModelWorker = "model_worker", "劳模风采";
    }
}

/// Who may find a record, besides its publication state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reach {
    /// Anyone, signed in or not (the library, the showcase, the knowledge base).
    Everyone,
    /// Anyone; a signed-in member finds it only when it comes from their union or a union
    /// above it (their feed): articles and notices.
    Chain,
    /// Members of the union's subtree whose region and tags the record's audience admits:
    /// offers and activities.
    Audience,
}

impl SearchKind {
    /// Who may find a record of this kind.
    pub fn reach(self) -> Reach {
        match self {
            Self::Article | Self::Notice => Reach::Chain,
            Self::Offer | Self::Activity => Reach::Audience,
            Self::Answer | Self::Library | Self::ModelWorker => Reach::Everyone,
        }
    }

    /// The table a record of this kind lives in (its outbox `source`).
    pub fn source(self) -> &'static str {
        match self {
            Self::Article | Self::Notice | Self::Answer => "article",
            Self::Offer => "offer",
            Self::Activity => "activity",
            Self::Library => "library_item",
            Self::ModelWorker => "model_worker",
        }
    }

    /// The worker's page of a record of this kind.
    pub fn href(self, id: i64) -> String {
        match self {
            Self::Article | Self::Notice => format!("/news/{id}"),
            Self::Answer => format!("/knowledge/{id}"),
            Self::Offer => format!("/benefits#offer-{id}"),
            Self::Activity => format!("/activities/{id}"),
            Self::Library => format!("/library/{id}"),
            Self::ModelWorker => format!("/model-workers/{id}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_stored_name() {
        for k in SearchKind::ALL {
            assert_eq!(SearchKind::parse(k.as_str()), Some(*k));
        }
    }
}
