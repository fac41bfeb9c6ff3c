use thiserror::Error;

/// What went wrong below the use cases. A database failure is never turned into "not found" or
/// an empty list: callers see it as an error.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("数据库地址不受支持：{0}")]
    UnsupportedUrl(String),
    #[error("无法打开数据库：{0}")]
    Open(String),
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("数据库连接池：{0}")]
    Pool(String),
    /// A unique constraint refused the write; the text names it as the backend does: the
    /// constraint on PostgreSQL (`org_credit_code`), the columns on SQLite (`org.credit_code`).
    #[error("数据重复：{0}")]
    Conflict(String),
    #[error("数据库中的值无法读取：{0}")]
    Decode(String),
    #[error("SQL 参数个数不符：语句需要 {expected} 个，传入 {got} 个")]
    ParamCount { expected: usize, got: usize },
    #[error("数据库结构版本 {found} 比本程序认识的 {known} 新，请升级 zhijia")]
    SchemaTooNew { found: i64, known: i64 },
    #[error(
        "数据库已执行的迁移 {name}（版本 {version}）与本程序内置的同名迁移内容不同：\
         已发布的迁移不能修改。请换回与该数据库匹配的 zhijia 版本，或联系开发者提供新的迁移"
    )]
    MigrationChanged { version: i64, name: String },
}

impl StoreError {
    /// Turns a backend error into `Conflict` when a unique constraint caused it, so use cases
    /// can answer "already exists" in words instead of a generic failure.
    pub(crate) fn from_sqlite(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, Some(msg)) = &e
            && (f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
        {
            let columns = msg
                .strip_prefix("UNIQUE constraint failed: ")
                .unwrap_or(msg);
            return StoreError::Conflict(columns.to_owned());
        }
        StoreError::Sqlite(e)
    }

    pub(crate) fn from_pg(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error()
            && *db.code() == tokio_postgres::error::SqlState::UNIQUE_VIOLATION
        {
            return StoreError::Conflict(db.constraint().unwrap_or(db.message()).to_owned());
        }
        StoreError::Postgres(e)
    }

    /// Whether this is the refusal of exactly the unique constraint `u`.
    pub fn is_conflict_on(&self, u: crate::unique::Unique) -> bool {
        matches!(self, StoreError::Conflict(m) if m == u.pg || m == u.sqlite)
    }
}
