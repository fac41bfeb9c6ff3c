//! The handler's console: the case queue (own subtree, supervised, to review), registering a
//! call or a visit, the case page with every step, and statistics with charts.

use super::pages::{action_label, kind_label, state_label};
use crate::attachment::{MAX_FORM_BYTES, file_response, read_multipart};
use crate::auth::{StaffUser, checked_form, csrf_refused};
use crate::extract::{Id, parse_id};
use crate::filters;
use crate::pages::render;
use crate::pages::{Pager, UserBar};
use crate::{AppState, PageError};
use askama::Template;
use axum::Router;
use axum::extract::rejection::{FormRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use serde::Deserialize;
use zhijia_app::AppError;
use zhijia_app::case::file::{self, CaseInput, DeskInput};
use zhijia_app::case::handle::{self, Step};
use zhijia_app::case::stats::{self, Figures, StatsQuery};
use zhijia_app::case::talk::{self, MediationInput};
use zhijia_app::case::{self, Detail, QueueQuery, View};
use zhijia_domain::attachment::MAX_PER_CASE;
use zhijia_domain::case::{CaseKind, CaseState, Tier};
use zhijia_domain::ids::{AttachmentId, CaseId};
use zhijia_domain::org::OrgId;
use zhijia_store::case::CaseItem;

const PER_PAGE: i64 = 20;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueuePageQuery {
    org: Option<OrgId>,
    view: Option<String>,
    state: Option<String>,
    page: Option<i64>,
    size: Option<i64>,
}

#[derive(Template)]
#[template(path = "case/console_list.html")]
struct QueuePage {
    user: UserBar,
    org_id: OrgId,
    org_name: String,
    view: &'static str,
    state: String,
    states: Vec<(&'static str, &'static str)>,
    today: chrono::NaiveDate,
    items: Vec<CaseItem>,
    pager: Pager,
}

impl QueuePage {
    fn late(&self, c: &CaseItem) -> bool {
        c.state.is_open() && c.due_on.is_some_and(|d| d < self.today)
    }
}

async fn queue(
    State(state): State<AppState>,
    user: StaffUser,
    q: Result<Query<QueuePageQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let size = crate::pages::page_size(q.size, PER_PAGE);
    let (page, limit, offset) = crate::pages::page_window(q.page, size);
    // The filter form sends an empty state with a view: the view decides.
    let q = QueuePageQuery {
        state: q.state.filter(|s| !s.is_empty()),
        view: q.view.filter(|v| !v.is_empty()),
        ..q
    };
    let query = QueueQuery {
        org: q.org,
        view: q.view.clone(),
        state: q.state.clone(),
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, view, list) = case::queue(&state.cases(), &user.ctx(), &query).await?;
    let (view_name, state_name) = match view {
        View::Open => ("open", String::new()),
        View::Supervised => ("supervised", String::new()),
        View::Review => ("review", String::new()),
        View::State(s) => ("state", s.as_str().to_owned()),
    };
    let base = format!(
        "/console/cases?org={}&view={view_name}&state={state_name}&size={size}&",
        org.id.0
    );
    Ok(render(&QueuePage {
        user: (&user).into(),
        org_id: org.id,
        org_name: org.name,
        view: view_name,
        state: state_name,
        states: CaseState::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        today: zhijia_app::today(Utc::now()),
        pager: Pager::sized(page, size, list.total, base),
        items: list.items,
    }))
}

#[derive(Template)]
#[template(path = "case/console_new.html")]
struct NewPage {
    user: UserBar,
    form: DeskInput,
    /// The township union as typed (by name).
    township: String,
    error: Option<String>,
    error_field: Option<&'static str>,
    kinds: Vec<(&'static str, &'static str)>,
}

impl NewPage {
    /// Where the worker works, chosen from the region lists (never a typed code).
    fn region(&self) -> String {
        crate::region::Picker::new(
            "region_code",
            "工作所在区县",
            3,
            &self.form.case.region_code,
        )
        .required()
        .error_if(self.error_field, self.error.as_deref())
        .render()
        .unwrap_or_default()
    }
}

fn kinds() -> Vec<(&'static str, &'static str)> {
    CaseKind::ALL
        .iter()
        .map(|k| (k.as_str(), k.label()))
        .collect()
}

async fn new_form(user: StaffUser) -> Response {
    render(&NewPage {
        user: (&user).into(),
        form: DeskInput {
            channel: "phone".into(),
            ..Default::default()
        },
        township: String::new(),
        error: None,
        error_field: None,
        kinds: kinds(),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DeskForm {
    csrf: String,
    channel: String,
    filer_phone: String,
    filer_name: String,
    kind: String,
    title: String,
    description: String,
    employer_name: String,
    employer_credit_code: String,
    region_code: String,
    /// The township union by name (suggested while typing); a number is still read.
    township: String,
    township_org_id: String,
    hide_identity: Option<String>,
}

impl DeskForm {
    fn input(&self) -> DeskInput {
        DeskInput {
            case: CaseInput {
                kind: self.kind.clone(),
                title: self.title.clone(),
                description: self.description.clone(),
                employer_name: self.employer_name.clone(),
                employer_credit_code: Some(self.employer_credit_code.clone()),
                region_code: self.region_code.clone(),
                township_org_id: self.township_org_id.trim().parse().ok(),
                hide_identity: self.hide_identity.is_some(),
                filer_name: self.filer_name.clone(),
            },
            channel: self.channel.clone(),
            filer_phone: self.filer_phone.clone(),
        }
    }
}

async fn register(
    State(state): State<AppState>,
    user: StaffUser,
    form: Result<Form<DeskForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let mut input = form.input();
    let named = if form.township.trim().is_empty() {
        Ok(())
    } else {
        crate::org::suggest::resolve(&state, &user, &form.township, "township")
            .await
            .map(|id| input.case.township_org_id = Some(OrgId(id)))
    };
    let result = match named {
        Ok(()) => file::register(&state.cases(), &user.ctx(), &input, Utc::now()).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(f) => Ok(Redirect::to(&format!("/console/cases/{}", f.id)).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_) | AppError::NotFound(_))) => {
            let page = NewPage {
                user: (&user).into(),
                township: form.township.clone(),
                error_field: e.field(),
                error: Some(e.to_string()),
                form: input,
                kinds: kinds(),
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Template)]
#[template(path = "case/console_detail.html")]
struct CasePage {
    user: UserBar,
    d: Detail,
    error: Option<String>,
    tiers: Vec<(&'static str, &'static str)>,
    outcomes: &'static [zhijia_domain::case::MediationOutcome],
    today: chrono::NaiveDate,
}

impl CasePage {
    fn action(&self, a: &str) -> &'static str {
        action_label(a)
    }
    fn is(&self, s: &str) -> bool {
        self.d.case.state.as_str() == s
    }
    fn open(&self) -> bool {
        self.d.case.state.is_open()
    }
    fn channel(&self) -> &'static str {
        self.d.case.channel.label()
    }
}

async fn case_page(
    state: &AppState,
    user: &StaffUser,
    id: CaseId,
    error: Option<String>,
) -> Result<Response, PageError> {
    let now = Utc::now();
    let d = case::detail(&state.cases(), &user.ctx(), id, now).await?;
    let page = CasePage {
        user: user.into(),
        d,
        error,
        tiers: Tier::ALL.iter().map(|t| (t.as_str(), t.label())).collect(),
        outcomes: zhijia_domain::case::MediationOutcome::ALL,
        today: zhijia_app::today(now),
    };
    let status = if page.error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)).into_response())
}

async fn detail(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<CaseId>,
) -> Result<Response, PageError> {
    case_page(&state, &user, id, None).await
}

/// Shows a refusal a handler can correct on the case page itself; anything else is an error
/// page.
async fn after(
    state: &AppState,
    user: &StaffUser,
    id: CaseId,
    result: Result<(), AppError>,
) -> Result<Response, PageError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/console/cases/{id}")).into_response()),
        Err(e @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
            case_page(state, user, id, Some(e.to_string())).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    csrf: String,
    step: String,
    tier: String,
    text: String,
}

async fn step(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<CaseId>,
    form: Result<Form<StepForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let step = match form.step.as_str() {
        "accept" => Step::Accept { tier: form.tier },
        "decline" => Step::Decline { reason: form.text },
        "start" => Step::Start,
        "ask_worker" => Step::AskWorker {
            question: form.text,
        },
        "resolve" => Step::Resolve { answer: form.text },
        "close" => Step::Close,
        _ => return Err(AppError::invalid("step", "未知的操作").into()),
    };
    let r = handle::act(&state.cases(), &user.ctx(), id, &step, Utc::now()).await;
    after(&state, &user, id, r.map(|_| ())).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MessageForm {
    csrf: String,
    body: String,
    internal: Option<String>,
}

async fn message(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<CaseId>,
    form: Result<Form<MessageForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let r = talk::post(
        &state.cases(),
        &user.ctx(),
        id,
        &form.body,
        form.internal.is_some(),
        Utc::now(),
    )
    .await;
    after(&state, &user, id, r.map(|_| ())).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RouteForm {
    csrf: String,
    org: String,
    reason: String,
}

async fn reroute(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<CaseId>,
    form: Result<Form<RouteForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    // The union is named (chosen from the suggestions or typed); a number still works for
    // scripts that posted one before.
    let to = match form.org.trim().parse::<i64>() {
        Ok(n) => OrgId(n),
        Err(_) => match crate::org::suggest::resolve(&state, &user, &form.org, "org").await {
            Ok(n) => OrgId(n),
            Err(e) => return after(&state, &user, id, Err(e)).await,
        },
    };
    match handle::reroute(
        &state.cases(),
        &user.ctx(),
        id,
        to,
        &form.reason,
        Utc::now(),
    )
    .await
    {
        // The handler may no longer see the case if it went below a union they do not hold:
        // back to their queue.
        Ok(_) => Ok(Redirect::to("/console/cases").into_response()),
        Err(e @ AppError::Forbidden(_)) => case_page(&state, &user, id, Some(e.to_string())).await,
        Err(e) => after(&state, &user, id, Err(e)).await,
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MediationForm {
    csrf: String,
    #[serde(flatten)]
    m: MediationFields,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct MediationFields {
    parties: String,
    mediated_on: String,
    mediator: String,
    agreement: String,
    outcome: String,
}

async fn mediation(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<CaseId>,
    form: Result<Form<MediationForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let input = MediationInput {
        parties: form.m.parties,
        mediated_on: form.m.mediated_on,
        mediator: form.m.mediator,
        agreement: form.m.agreement,
        outcome: form.m.outcome,
    };
    let r = talk::mediate(&state.cases(), &user.ctx(), id, &input, Utc::now()).await;
    after(&state, &user, id, r.map(|_| ())).await
}

async fn attach(
    State(state): State<AppState>,
    user: StaffUser,
    Id(id): Id<CaseId>,
    form: Multipart,
) -> Result<Response, PageError> {
    let (fields, files) = match read_multipart(form, MAX_PER_CASE).await {
        Ok(v) => v,
        Err(r) => return case_page(&state, &user, id, Some(r.error.to_string())).await,
    };
    if !user.csrf_ok(fields.get("csrf").map_or("", String::as_str)) {
        return Ok(csrf_refused());
    }
    let r = talk::attach(&state.cases(), &user.ctx(), id, &files, Utc::now()).await;
    after(&state, &user, id, r.map(|_| ())).await
}

async fn staff_file(
    State(state): State<AppState>,
    user: StaffUser,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, PageError> {
    let (id, file) = (CaseId(parse_id(&id)?), AttachmentId(parse_id(&file)?));
    let f = talk::staff_file(&state.cases(), &user.ctx(), id, file).await?;
    Ok(file_response(f))
}

#[derive(Template)]
#[template(path = "case/stats.html")]
struct StatsPage {
    user: UserBar,
    f: Figures,
    chart_json: String,
}

impl StatsPage {
    fn permille(&self, v: &Option<i64>) -> String {
        v.map_or("—".into(), |p| format!("{}.{}%", p / 10, p % 10))
    }
    fn tenths(&self, v: &Option<i64>) -> String {
        v.map_or("—".into(), |t| format!("{}.{}", t / 10, t % 10))
    }
    fn kind(&self, k: &str) -> &'static str {
        kind_label(k)
    }
    fn state_name(&self, s: &str) -> &'static str {
        state_label(s)
    }
}

/// The chart data as JSON for charts.js, safe inside a `<script type="application/json">`:
/// `<` is escaped so no `</script>` can close the element early.
fn chart_json(f: &Figures) -> String {
    let chart = |id: &str,
                 kind: &str,
                 title: &str,
                 counts: &[zhijia_store::case::Count],
                 label: &dyn Fn(&str) -> String| {
        serde_json::json!({
            "id": id,
            "type": kind,
            "title": title,
            "labels": counts.iter().map(|c| label(&c.key)).collect::<Vec<_>>(),
            "values": counts.iter().map(|c| c.count).collect::<Vec<_>>(),
        })
    };
    let v = serde_json::json!({ "charts": [
        chart("by-month", "line", &format!("每月受理量(件，{} 至 {})", f.from, f.to), &f.by_month, &|k: &str| k.to_owned()),
        chart("by-kind", "pie", "案件类型构成(件)", &f.by_kind, &|k: &str| kind_label(k).to_owned()),
        chart("by-state", "bar", "各办理状态的案件数(件)", &f.by_state, &|k: &str| state_label(k).to_owned()),
        chart("by-union", "hbar", &format!("{}下级工会受理量(件)", f.org_name), &f.by_union, &|k: &str| k.to_owned()),
    ]});
    v.to_string().replace('<', "\\u003c")
}

async fn statistics(
    State(state): State<AppState>,
    user: StaffUser,
    q: Result<Query<StatsQuery>, QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let f = stats::figures(&state.cases(), &user.ctx(), &q, Utc::now()).await?;
    Ok(render(&StatsPage {
        user: (&user).into(),
        chart_json: chart_json(&f),
        f,
    }))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/cases", get(queue))
        .route("/console/cases/new", get(new_form).post(register))
        .route("/console/cases/{id}", get(detail))
        .route("/console/cases/{id}/step", post(step))
        .route("/console/cases/{id}/message", post(message))
        .route("/console/cases/{id}/route", post(reroute))
        .route("/console/cases/{id}/mediation", post(mediation))
        .route(
            "/console/cases/{id}/attachments",
            post(attach).layer(DefaultBodyLimit::max(MAX_FORM_BYTES)),
        )
        .route("/console/cases/{id}/files/{file}", get(staff_file))
        .route("/console/case-stats", get(statistics))
}

crate::auth::carries_csrf!(DeskForm, MediationForm, MessageForm, RouteForm, StepForm);
