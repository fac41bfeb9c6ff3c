//! Transfers in and out of the staff member's unions, and acting on one.

use super::*;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TransferPageQuery {
    org: Option<OrgId>,
    status: Option<String>,
    page: Option<i64>,
}

#[derive(Template)]
#[template(path = "membership/transfers.html")]
pub(super) struct TransfersPage {
    user: UserBar,
    org_id: OrgId,
    org_name: String,
    status: String,
    statuses: Vec<(&'static str, &'static str)>,
    items: Vec<Transfer>,
    pager: Pager,
}

pub(super) async fn transfers(
    state: Keyed,
    user: StaffUser,
    q: Result<Query<TransferPageQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, PageError> {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let (page, limit, offset) = crate::pages::page_window(q.page, PER_PAGE);
    let query = QueueQuery {
        org: q.org,
        status: q.status.clone(),
        overdue: false,
        limit: Some(limit),
        offset: Some(offset),
    };
    let (org, list) = transfer::queue(&state.membership(), &user.ctx(), &query).await?;
    let status = q.status.unwrap_or_else(|| "awaiting_release".into());
    let base = format!(
        "/console/transfers?org={}&status={}&",
        org.id.0,
        enc(&status)
    );
    Ok(render(&TransfersPage {
        user: (&user).into(),
        org_id: org.id,
        org_name: org.name,
        status,
        statuses: TransferStatus::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        pager: Pager::new(page, list.total, base),
        items: list.items,
    }))
}

#[derive(Debug, Deserialize)]
pub struct TransferForm {
    csrf: String,
    /// release, refuse or accept
    act: String,
    #[serde(default)]
    reason: String,
}

pub(super) async fn act_on_transfer(
    state: Keyed,
    user: StaffUser,
    Id(id): Id<TransferId>,
    form: Result<Form<TransferForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(form) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let t = match form.act.as_str() {
        "release" => transfer::answer_release(&state.membership(), &user.ctx(), id, None).await?,
        "refuse" => {
            transfer::answer_release(
                &state.membership(),
                &user.ctx(),
                id,
                Some(form.reason.as_str()),
            )
            .await?
        }
        _ => transfer::accept(&state.membership(), &user.ctx(), id, Utc::now()).await?,
    };
    Ok(Redirect::to(&format!(
        "/console/transfers?status={}",
        enc(t.status.as_str())
    ))
    .into_response())
}

crate::auth::carries_csrf!(TransferForm);
