//! The region picker (province → city → county by name, never a typed code) and the region
//! lists it loads from the JSON API.

use crate::AppState;
use crate::error::ApiError;
use askama::Template;
use axum::extract::Path;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use zhijia_app::AppError;
use zhijia_app::region::{self, Place};

/// A region field of a form, rendered in place with `{{ picker|safe }}`. It posts one hidden
/// field, `name`, holding the six-digit code of the deepest level asked for.
#[derive(Template)]
#[template(path = "region_picker.html")]
pub struct Picker {
    pub name: &'static str,
    pub label: &'static str,
    pub hint: Option<&'static str>,
    pub required: bool,
    /// 2: a city is enough (where a gig worker works); 3: down to the county.
    pub depth: u8,
    /// Any level may be chosen (a province alone, a city): the code of the last list chosen
    /// is posted, not only the deepest.
    pub any_level: bool,
    pub value: String,
    pub error: Option<String>,
    provinces: &'static [Place],
    cities: &'static [Place],
    counties: &'static [Place],
    chosen: [String; 3],
}

impl Picker {
    /// A picker showing `value` (a code typed before, or empty) as chosen.
    pub fn new(name: &'static str, label: &'static str, depth: u8, value: &str) -> Self {
        let value = value.trim().to_owned();
        let chosen = region::path(&value);
        Picker {
            name,
            label,
            hint: None,
            required: false,
            any_level: false,
            depth,
            cities: region::children(&chosen[0]),
            counties: if depth == 3 {
                region::children(&chosen[1])
            } else {
                &[]
            },
            provinces: region::provinces(),
            chosen,
            value,
            error: None,
        }
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn any_level(mut self) -> Self {
        self.any_level = true;
        self
    }
    pub fn hint(mut self, hint: &'static str) -> Self {
        self.hint = Some(hint);
        self
    }
    fn is_chosen(&self, level: usize, code: &str) -> bool {
        self.chosen.get(level).is_some_and(|c| c == code)
    }
    /// Marks the field wrong when the form's error is about it.
    pub fn error_if(mut self, field: Option<&str>, message: Option<&str>) -> Self {
        if field == Some(self.name) {
            self.error = Some(message.unwrap_or("请选择").to_owned());
        }
        self
    }
}

/// The address of the picker's script, for the head block of a page with a picker.
pub fn script() -> String {
    format!(
        "<script src=\"{}\" defer></script>",
        crate::assets::url("region.js")
    )
}

fn cached(places: &'static [Place]) -> Response {
    // The list changes only with a new release: let phones keep it for a day.
    ([(CACHE_CONTROL, "public, max-age=86400")], Json(places)).into_response()
}

/// Every province (GB/T 2260).
#[utoipa::path(get, path = "/api/v1/regions", tag = "regions",
    responses((status = 200, description = "省级行政区", body = [Place])))]
pub async fn provinces() -> Response {
    cached(region::provinces())
}

/// The cities of a province or the counties of a city.
#[utoipa::path(get, path = "/api/v1/regions/{code}/children", tag = "regions",
    params(("code" = String, Path, description = "六位行政区划代码")),
    responses((status = 200, description = "下一级行政区", body = [Place]),
        (status = 404, description = "没有这个地区", body = crate::error::ErrorBody)))]
pub async fn children(Path(code): Path<String>) -> Result<Response, ApiError> {
    if region::name(&code).is_none() {
        return Err(AppError::NotFound("地区").into());
    }
    Ok(cached(region::children(&code)))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/regions", get(provinces))
        .route("/api/v1/regions/{code}/children", get(children))
}
