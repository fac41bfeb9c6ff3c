//! How an `AppError` reaches a person: API requests get `{"error", "message", "field"}`, pages
//! get the error page. Internal causes are logged here and never shown.

use crate::pages::{ErrorPage, render};
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zhijia_app::AppError;

/// The HTTP status of an error: the same for the JSON API and for pages.
pub(crate) fn status(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::Config(_) | AppError::Store(_) | AppError::Internal(_) => {
            StatusCode::INTERNAL_SERVER_ERROR
        }
    }
}

fn log(e: &AppError) {
    if let AppError::Store(source) = e {
        tracing::error!(error = %source, "request failed in the store");
    } else if let AppError::Internal(m) = e {
        tracing::error!(error = %m, "request failed");
    } else if let AppError::Config(m) = e {
        tracing::error!(error = %m, "request failed on configuration");
    }
}

/// Body of every API error.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine code: invalid, not_found, conflict, forbidden, internal.
    pub error: &'static str,
    /// 给人看的中文说明
    pub message: String,
    /// The input field at fault, for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<&'static str>,
}

/// An error answered as JSON.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log(&self.0);
        let body = ErrorBody {
            error: self.0.code(),
            message: self.0.to_string(),
            field: self.0.field(),
        };
        (status(&self.0), Json(body)).into_response()
    }
}

/// An error answered with the error page.
#[derive(Debug)]
pub struct PageError(pub AppError);

impl<E: Into<AppError>> From<E> for PageError {
    fn from(e: E) -> Self {
        PageError(e.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        log(&self.0);
        let code = status(&self.0);
        let page = ErrorPage::new(code.as_u16(), self.0.to_string());
        (code, render(&page)).into_response()
    }
}

pub(crate) fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    tracing::error!("a request handler panicked");
    let page = ErrorPage::new(500, "服务器内部错误，请稍后再试");
    (StatusCode::INTERNAL_SERVER_ERROR, render(&page)).into_response()
}
