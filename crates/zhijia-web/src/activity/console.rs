//! Staff console pages of activities: the list of a branch with the form to make one, and an
//! activity with its registrations, waiting list, attendance and the check-in form that takes
//! the scanned QR text. A refused form comes back on its page with the reason and what was
//! typed (status 422).

use crate::audience::AudienceFields;
use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::{Id, Keyed};
use crate::pages::render;
use crate::pages::{Pager, UserBar};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use std::collections::HashMap;
use zhijia_app::AppError;
use zhijia_app::activity::{self, ActivityInput, Detail};
use zhijia_domain::activity::parse_local;
use zhijia_domain::ids::ActivityId;
use zhijia_store::activity::Activity;

const PER_PAGE: i64 = 30;

fn at(t: &DateTime<Utc>) -> String {
    zhijia_domain::activity::beijing(*t)
}

#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    org: Option<i64>,
    page: Option<i64>,
}

/// The create form as typed, kept to refill a refused form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CreateForm {
    csrf: String,
    /// The host union by name (suggested while typing, looked up on submit); `org_id` is
    /// still read when a script posts a number.
    org_name: String,
    org_id: String,
    title: String,
    place: String,
    starts_at: String,
    ends_at: String,
    registration_closes_at: String,
    capacity: String,
    description: String,
    /// The audience fields (`audience_region`, `tag_<tag>`).
    #[serde(flatten)]
    audience: HashMap<String, String>,
}

#[derive(Template)]
#[template(path = "activity/console_list.html")]
struct ListPage {
    user: UserBar,
    org_name: String,
    items: Vec<Activity>,
    pager: Pager,
    form: CreateForm,
    audience: AudienceFields,
    error: Option<String>,
}

impl ListPage {
    fn at(&self, t: &DateTime<Utc>) -> String {
        at(t)
    }
}

async fn list_page(
    state: &AppState,
    user: &StaffUser,
    q: ListQuery,
    form: CreateForm,
    error: Option<String>,
) -> Result<ListPage, AppError> {
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let (org, list) =
        activity::list(&state.store, &user.ctx(), q.org, Some(limit), Some(offset)).await?;
    let form = if form.org_id.is_empty() {
        CreateForm {
            org_id: org.id.0.to_string(),
            org_name: org.name.clone(),
            capacity: "30".into(),
            ..form
        }
    } else {
        form
    };
    Ok(ListPage {
        user: user.into(),
        pager: Pager::new(
            page,
            list.total,
            format!("/console/activities?org={}&", org.id.0),
        ),
        org_name: org.name,
        items: list.items,
        audience: AudienceFields::of_form(&form.audience),
        form,
        error,
    })
}

async fn list(
    State(state): State<AppState>,
    user: StaffUser,
    q: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    Ok(render(
        &list_page(&state, &user, q, CreateForm::default(), None).await?,
    ))
}

fn input_of(f: &CreateForm) -> Result<ActivityInput, AppError> {
    let number = |field: &'static str, label: &str, s: &str| {
        s.trim()
            .parse::<i64>()
            .map_err(|_| AppError::invalid(field, format!("{label}应为整数")))
    };
    let closes = if f.registration_closes_at.trim().is_empty() {
        None
    } else {
        Some(parse_local(
            "registration_closes_at",
            &f.registration_closes_at,
        )?)
    };
    Ok(ActivityInput {
        org_id: number("org_id", "主办工会编号", &f.org_id)?,
        title: f.title.clone(),
        description: f.description.clone(),
        place: f.place.clone(),
        starts_at: parse_local("starts_at", &f.starts_at)?,
        ends_at: parse_local("ends_at", &f.ends_at)?,
        registration_opens_at: None,
        registration_closes_at: closes,
        capacity: number("capacity", "名额", &f.capacity)?,
        audience_region: crate::audience::region_of_form(&f.audience),
        audience_tags: crate::audience::tags_of_form(&f.audience),
    })
}

async fn create(
    state: Keyed,
    user: StaffUser,
    form: Result<Form<CreateForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let mut form = form;
    let named = if form.org_name.trim().is_empty() {
        Ok(())
    } else {
        crate::org::suggest::resolve(&state, &user, &form.org_name, "org_name")
            .await
            .map(|id| form.org_id = id.to_string())
    };
    let result = match named.and_then(|()| input_of(&form)) {
        Ok(input) => activity::create(&state.activity(), &user.ctx(), &input, Utc::now()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/console/activities/{id}")).into_response()),
        Err(e @ AppError::Invalid(_)) => {
            let q = ListQuery {
                org: form.org_id.trim().parse().ok(),
                page: None,
            };
            let q = match q.org {
                Some(o)
                    if activity::scope(&state.store, &user.ctx(), Some(o))
                        .await
                        .is_ok() =>
                {
                    q
                }
                _ => ListQuery::default(),
            };
            let page = list_page(&state, &user, q, form, Some(e.to_string())).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "activity/console_detail.html")]
struct DetailPage {
    user: UserBar,
    d: Detail,
    token: String,
    result: Option<String>,
    error: Option<String>,
}

impl DetailPage {
    fn at(&self, t: &DateTime<Utc>) -> String {
        at(t)
    }
    fn phone(&self, p: &str) -> String {
        zhijia_domain::auth::mask_phone(p)
    }
    fn rate(&self) -> String {
        format!(
            "{}.{}%",
            self.d.attendance_per_mille / 10,
            self.d.attendance_per_mille % 10
        )
    }
}

async fn detail_page(
    state: &AppState,
    user: &StaffUser,
    id: ActivityId,
) -> Result<DetailPage, AppError> {
    let d = activity::detail(&state.store, &user.ctx(), id, Some(200), None).await?;
    Ok(DetailPage {
        user: user.into(),
        d,
        token: String::new(),
        result: None,
        error: None,
    })
}

async fn detail(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<ActivityId>,
) -> Result<Response, PageError> {
    Ok(render(&detail_page(&state, &user, id).await?))
}

#[derive(Debug, Deserialize)]
pub struct CheckInForm {
    csrf: String,
    #[serde(default)]
    token: String,
}

async fn check_in(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<ActivityId>,
    form: Result<Form<CheckInForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let result =
        activity::check_in(&state.activity(), &user.ctx(), id, &form.token, Utc::now()).await;
    match result {
        Ok(done) => {
            let mut page = detail_page(&state, &user, id).await?;
            page.result = Some(done.message);
            Ok(render(&page))
        }
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            let mut page = detail_page(&state, &user, id).await?;
            page.error = Some(e.to_string());
            page.token = form.token;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/activities", get(list).post(create))
        .route("/console/activities/{id}", get(detail))
        .route("/console/activities/{id}/check-in", post(check_in))
}

crate::auth::carries_csrf!(CheckInForm, CreateForm);
