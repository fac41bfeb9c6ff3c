//! The worker's membership page: history, applications, transfers and the inbox.

use super::*;

pub(super) struct Line {
    title: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "membership/membership.html")]
pub(super) struct MembershipPage {
    csrf: String,
    member_no: Option<String>,
    current: Option<store::Membership>,
    current_label: &'static str,
    history: Vec<Line>,
    applications: Vec<Line>,
    transfers: Vec<Line>,
    /// Unions' proposals waiting for this worker's answer.
    proposals: Vec<Proposal>,
    messages: Vec<store::Message>,
    unread: i64,
    /// An application waiting for review: shown as a state, and 申请入会 is not offered.
    pending: Option<Pending>,
}

/// A union's request to take the worker's membership, for them to confirm or decline.
pub(super) struct Proposal {
    id: TransferId,
    from_org_name: String,
    to_org_name: String,
    reason: Option<String>,
    due: String,
}

/// The worker's memberships, oldest first, as lines of the page.
pub(super) fn history_lines(rows: &[Membership]) -> Vec<Line> {
    rows.iter()
        .map(|m| Line {
            title: m.org_name.clone(),
            detail: format!(
                "{} 入会{}{}",
                m.joined_on,
                m.ended_on.map(|d| format!("，{d} ")).unwrap_or_default(),
                m.end_reason.map_or(m.status.label(), EndReason::label)
            ),
        })
        .collect()
}

/// The worker's join applications, newest first, as lines of the page.
pub(super) fn application_lines(apps: Vec<Application>) -> Vec<Line> {
    apps.into_iter()
        .map(|a| Line {
            title: format!("{}：{}", a.org_name, a.status.label()),
            detail: match (a.status, &a.reject_reason) {
                (ApplicationStatus::Rejected, Some(r)) => format!("原因：{r}"),
                (ApplicationStatus::Pending, _) => format!(
                    "{}，将于{}前完成审核",
                    a.route.label(),
                    spoken_date(a.due_on)
                ),
                _ => format!("提交于{}", zhijia_app::today(a.submitted_at)),
            },
        })
        .collect()
}

/// The worker's transfers: the unions' proposals waiting for their answer, and the rest as
/// lines of the page.
pub(super) fn transfer_parts(
    transfers: Vec<Transfer>,
    now: DateTime<Utc>,
) -> (Vec<Proposal>, Vec<Line>) {
    let (waiting, answered): (Vec<_>, Vec<_>) = transfers.into_iter().partition(|t| {
        t.status == TransferStatus::AwaitingRelease
            && t.worker_confirmed_at.is_none()
            && t.confirm_due_at.is_some_and(|due| due > now)
    });
    let proposals = waiting
        .into_iter()
        .map(|t| Proposal {
            id: t.id,
            due: t
                .confirm_due_at
                .map(|d| crate::filters::beijing_fmt(&d, "%Y-%m-%d %H:%M"))
                .unwrap_or_default(),
            from_org_name: t.from_org_name,
            to_org_name: t.to_org_name,
            reason: t.reason,
        })
        .collect();
    let lines = answered
        .into_iter()
        .map(|t| Line {
            title: format!("{} → {}", t.from_org_name, t.to_org_name),
            detail: format!(
                "{}{}",
                if t.worker_confirmed_at.is_none() && t.status == TransferStatus::AwaitingRelease {
                    "请求已过期(未确认)"
                } else {
                    t.status.label()
                },
                t.refuse_reason
                    .map(|r| format!("，原因：{r}"))
                    .unwrap_or_default()
            ),
        })
        .collect();
    (proposals, lines)
}

pub(super) async fn membership(
    State(state): State<AppState>,
    user: WorkerUser,
) -> Result<Response, PageError> {
    let db = &state.store;
    let csrf = user.session.csrf_token.clone();
    let Some(w) = zhijia_store::worker::find_by_phone(db, &user.session.phone).await? else {
        return Ok(Redirect::to("/join").into_response());
    };
    let history_rows = store::history(db, w.id).await?;
    let current = history_rows
        .iter()
        .find(|m| m.status != MembershipStatus::Ended)
        .cloned();
    let history = history_lines(&history_rows);
    let applications = application_lines(store::applications_of(db, w.id).await?);
    let (proposals, transfers) = transfer_parts(store::transfers_of(db, w.id).await?, Utc::now());
    let unread = store::unread(db, w.id).await?;
    let messages = store::messages(db, w.id, 20, 0).await?.items;
    Ok(render(&MembershipPage {
        csrf,
        member_no: w.member_no,
        current_label: current.as_ref().map_or("", |m| m.status.label()),
        current,
        history,
        applications,
        transfers,
        proposals,
        messages,
        unread,
        pending: pending_of(db, w.id).await?,
    }))
}

/// The worker's answer to a union's proposal: 同意转入 or 拒绝.
pub(super) async fn answer_proposal(
    state: Keyed,
    user: WorkerUser,
    Id(id): Id<TransferId>,
    form: Result<Form<CsrfForm>, FormRejection>,
    agree: bool,
) -> Result<Response, PageError> {
    let Some(_) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    let ctx = state.membership();
    if agree {
        transfer::confirm(&ctx, &user.session.phone, id, Utc::now()).await?;
    } else {
        transfer::decline(&ctx, &user.session.phone, id).await?;
    }
    Ok(Redirect::to("/membership").into_response())
}

pub(super) async fn confirm_proposal(
    state: Keyed,
    user: WorkerUser,
    id: Id<TransferId>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    answer_proposal(state, user, id, form, true).await
}

pub(super) async fn decline_proposal(
    state: Keyed,
    user: WorkerUser,
    id: Id<TransferId>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    answer_proposal(state, user, id, form, false).await
}

#[derive(Debug, Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

/// 全部标为已读: a page never writes on GET, so reading is marked by this form.
pub(super) async fn read_all(
    State(state): State<AppState>,
    user: WorkerUser,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Result<Response, PageError> {
    let Some(_) = checked_form(&user, form) else {
        return Ok(csrf_refused());
    };
    zhijia_app::membership::inbox::mark_read(&state.store, &user.session.phone, None).await?;
    Ok(Redirect::to("/membership").into_response())
}

crate::auth::carries_csrf!(CsrfForm);
