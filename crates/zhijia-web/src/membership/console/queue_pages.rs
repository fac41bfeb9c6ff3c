//! The review queue: the list of applications, one application, the decision and bulk approval.

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct QueuePageQuery {
    org: Option<OrgId>,
    overdue: Option<String>,
    status: Option<String>,
    page: Option<i64>,
    size: Option<i64>,
    /// A notice after a decision (`approved`, `rejected`, `batch`) and how many.
    done: Option<String>,
    n: Option<i64>,
}

#[derive(Template)]
#[template(path = "membership/applications.html")]
pub(super) struct ApplicationsPage {
    user: UserBar,
    org_id: OrgId,
    org_name: String,
    overdue: bool,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    today: chrono::NaiveDate,
    items: Vec<Application>,
    pager: Pager,
    notice: Option<String>,
}

pub(super) fn decision_notice(done: Option<&str>, n: Option<i64>) -> Option<String> {
    match done? {
        "approved" => Some("已通过该入会申请，申请人会收到通知。".into()),
        "rejected" => Some("已不予通过该入会申请，原因已告知申请人。".into()),
        "batch" => Some(format!("已通过所选的 {} 件入会申请。", n.unwrap_or(0))),
        _ => None,
    }
}

pub(super) async fn applications(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<QueuePageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let size = crate::pages::page_size(q.size, PER_PAGE);
    let (page, limit, offset) = crate::pages::page_window(q.page, size);
    let overdue = q.overdue.as_deref().is_some_and(|o| !o.is_empty());
    let status = q
        .status
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "pending".into());
    let now = Utc::now();
    let query = QueueQuery {
        org: q.org,
        status: Some(status.clone()),
        overdue,
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, list) = join::queue(&state.membership(), &user.ctx(), &query, now).await?;
    let base = format!(
        "/console/applications?org={}&status={}{}&size={size}&",
        org.id.0,
        enc(&status),
        if overdue { "&overdue=1" } else { "" }
    );
    Ok(render(&ApplicationsPage {
        user: (&user).into(),
        org_id: org.id,
        org_name: org.name,
        overdue,
        statuses: zhijia_domain::member::ApplicationStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        status,
        today: zhijia_app::today(now),
        pager: Pager::sized(page, size, list.total, base),
        items: list.items,
        notice: decision_notice(q.done.as_deref(), q.n),
    }))
}

#[derive(Template)]
#[template(path = "membership/application.html")]
pub(super) struct ApplicationPage {
    user: UserBar,
    a: zhijia_app::membership::review::ApplicationDetail,
    /// The reason typed before a refused rejection, and what was wrong with it.
    reason: String,
    error: Option<String>,
}

/// One application, whole, with the decision buttons: a reviewer decides here, never from a
/// list row.
pub(super) async fn application_page(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<JoinApplicationId>,
) -> Result<Response, PageError> {
    let a =
        zhijia_app::membership::review::detail(&state.membership(), &user.ctx(), id, Utc::now())
            .await?;
    Ok(render(&ApplicationPage {
        user: (&user).into(),
        a,
        reason: String::new(),
        error: None,
    }))
}

#[derive(Debug, Deserialize)]
pub struct DecisionForm {
    csrf: String,
    approve: Option<String>,
    #[serde(default)]
    reason: String,
}

pub(super) async fn decide(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<JoinApplicationId>,
    form: Result<Form<DecisionForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let approve = form.approve.is_some();
    let decision = if approve {
        Decision::Approve
    } else {
        Decision::Reject {
            reason: form.reason.clone(),
        }
    };
    let now = Utc::now();
    match join::decide(&state.membership(), &user.ctx(), id, decision, now).await {
        Ok(app) => Ok(Redirect::to(&format!(
            "/console/applications?org={}&done={}",
            app.org_id.0,
            if approve { "approved" } else { "rejected" }
        ))
        .into_response()),
        // A rejection without a usable reason comes back to the page, the reason kept.
        Err(zhijia_app::AppError::Invalid(e)) => {
            let a =
                zhijia_app::membership::review::detail(&state.membership(), &user.ctx(), id, now)
                    .await?;
            Ok((
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                render(&ApplicationPage {
                    user: (&user).into(),
                    a,
                    reason: form.reason,
                    error: Some(e.message.to_string()),
                }),
            )
                .into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// Approves the applications ticked on the list, each through the same use case (each with
/// its own audit entry and notice). Only approval is offered in bulk: a rejection needs its
/// own reason, given on the application's page.
pub(super) async fn batch_approve(
    state: Keyed,
    user: StaffUser,
    form: Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Result<Response, PageError> {
    let Ok(Form(fields)) = form else {
        return Ok(csrf_refused());
    };
    let csrf = fields
        .iter()
        .find(|(k, _)| k == "csrf")
        .map_or("", |(_, v)| v.as_str());
    if !user.csrf_ok(csrf) {
        return Ok(csrf_refused());
    }
    let ids: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k == "id")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .take(100)
        .collect();
    let org = fields
        .iter()
        .find(|(k, _)| k == "org")
        .and_then(|(_, v)| v.trim().parse::<i64>().ok());
    if ids.is_empty() {
        return Err(zhijia_app::AppError::invalid("id", "请先勾选要通过的申请").into());
    }
    let now = Utc::now();
    let mut n = 0;
    for id in ids {
        let id = JoinApplicationId(id);
        join::decide(&state.membership(), &user.ctx(), id, Decision::Approve, now).await?;
        n += 1;
    }
    let org = org.map(|o| format!("org={o}&")).unwrap_or_default();
    Ok(Redirect::to(&format!("/console/applications?{org}done=batch&n={n}")).into_response())
}

crate::auth::carries_csrf!(DecisionForm);
