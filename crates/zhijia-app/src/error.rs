use thiserror::Error;
use zhijia_domain::ValidationError;
use zhijia_store::StoreError;

/// The one error of zhijia's use cases. Every variant carries a sentence in Chinese for people
/// and maps to a stable machine `code`; internal causes are logged, never shown.
#[derive(Debug, Error)]
pub enum AppError {
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("{0}不存在")]
    NotFound(&'static str),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    TooMany(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    Config(String),
    #[error("服务器内部错误，请稍后再试")]
    Store(#[source] StoreError),
    /// A failure outside the store (a blocking task that panicked): the text is for the log.
    #[error("服务器内部错误，请稍后再试")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::UnsupportedUrl(_)
            | StoreError::Open(_)
            | StoreError::SchemaTooNew { .. }
            | StoreError::MigrationChanged { .. } => AppError::Config(e.to_string()),
            other => AppError::Store(other),
        }
    }
}

impl AppError {
    /// Stable code for API clients.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(_) => "invalid",
            AppError::NotFound(_) => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::Unauthorized(_) => "unauthorized",
            AppError::TooMany(_) => "too_many_requests",
            AppError::Forbidden(_) => "forbidden",
            AppError::Config(_) => "config",
            AppError::Store(_) | AppError::Internal(_) => "internal",
        }
    }

    /// The field a validation error is about, for forms and API clients.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            AppError::Invalid(v) => Some(v.field),
            _ => None,
        }
    }

    /// A value read from the store that no rule knows (a status or kind written by a newer
    /// version, or by hand): an internal error, never a guess.
    pub fn decode(what: &str, value: &str) -> Self {
        AppError::Store(StoreError::Decode(format!("{what}“{value}”无法识别")))
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid(ValidationError::new(field, message))
    }
}
