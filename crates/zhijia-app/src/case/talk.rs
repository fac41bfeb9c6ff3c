//! The conversation on a case (messages to and from the worker, internal notes), its
//! attachments and its mediation records; and the worker's view of their own case.

use super::{Ctx, notify_worker, record, visible};
use crate::caller::{StaffCtx, sms_notice};
use crate::{AppError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use zhijia_domain::attachment::{self, Checked};
use zhijia_domain::audit::action;
use zhijia_domain::case::{CaseActor, MediationOutcome};
use zhijia_domain::ids::{AttachmentId, CaseId, CaseMessageId, MediationId};
use zhijia_store::Tx;
use zhijia_store::case::{
    self as store, Attachment, AttachmentData, Case, Event, Mediation, Message, NewMediation,
};

/// Fails when `adding` more files would pass the limit of a case.
pub(crate) async fn check_room(tx: &mut Tx, case_id: CaseId, adding: usize) -> Result<()> {
    let have = store::count_attachments(tx, case_id).await?;
    crate::attachment::check_room(have, adding, attachment::MAX_PER_CASE, "每个案件")
}

pub(crate) async fn store_file(
    tx: &mut Tx,
    case_id: CaseId,
    checked: &Checked,
    bytes: &[u8],
    uploaded_by: &str,
    now: DateTime<Utc>,
) -> Result<AttachmentId> {
    Ok(store::add_attachment(
        tx,
        case_id,
        &checked.file_name,
        checked.kind.content_type(),
        bytes,
        uploaded_by,
        now,
    )
    .await?)
}

fn body_of(body: &str) -> Result<String> {
    let b = body.trim();
    if b.is_empty() {
        return Err(AppError::invalid("body", "请填写内容"));
    }
    let n = b.chars().count();
    if n > super::handle::MAX_ANSWER_CHARS {
        return Err(AppError::invalid(
            "body",
            format!(
                "内容不能超过{}个字（现为{n}个字）",
                super::handle::MAX_ANSWER_CHARS
            ),
        ));
    }
    Ok(b.to_owned())
}

/// A handler writes to the worker (`internal` false: inbox and SMS tell them) or adds an
/// internal note the worker never sees.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn post(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: CaseId,
    body: &str,
    internal: bool,
    now: DateTime<Utc>,
) -> Result<CaseMessageId> {
    let body = body_of(body)?;
    let (c, org) = visible(ctx, staff, id).await?;
    let mut tx = ctx.db.change().await?;
    let author = if internal {
        staff.actor.name.clone()
    } else {
        org.name.clone()
    };
    let mid = store::add_message(
        &mut tx,
        id,
        CaseActor::Staff,
        &author,
        staff.staff_id(),
        internal,
        &body,
        now,
    )
    .await?;
    let what = if internal {
        action::CASE_NOTE_ADDED
    } else {
        action::CASE_MESSAGE_SENT
    };
    let recorded = record(
        &mut tx,
        staff.actor,
        &c,
        what,
        None,
        None,
        org.id,
        None,
        now,
    )
    .await?;
    let sms = if internal {
        None
    } else {
        Some(
            notify_worker(
                &mut tx,
                &c,
                "工会回复了您的诉求",
                &format!("{}回复了您的诉求“{}”，请登录查看。", org.name, c.title),
            )
            .await?,
        )
    };
    tx.commit(recorded).await?;
    if let Some(text) = sms {
        sms_notice(ctx.sms, &c.filer_phone, &text).await;
    }
    Ok(mid)
}

/// A handler attaches files (a reply letter, a mediation agreement) to a case.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn attach(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: CaseId,
    files: &[super::file::Upload],
    now: DateTime<Utc>,
) -> Result<usize> {
    let checked = super::file::check_uploads(files)?;
    if checked.is_empty() {
        return Err(AppError::invalid("attachment", "请选择要上传的文件"));
    }
    let (c, org) = visible(ctx, staff, id).await?;
    let mut tx = ctx.db.change().await?;
    check_room(&mut tx, id, checked.len()).await?;
    for (f, ch) in files.iter().zip(&checked) {
        store_file(&mut tx, id, ch, &f.bytes, "staff", now).await?;
    }
    let names: Vec<&str> = checked.iter().map(|c| c.file_name.as_str()).collect();
    let recorded = record(
        &mut tx,
        staff.actor,
        &c,
        action::CASE_ATTACHMENT_ADDED,
        None,
        None,
        org.id,
        Some(&names.join("、")),
        now,
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(checked.len())
}

/// One attachment, for a handler of the case.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn staff_file(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: CaseId,
    file: AttachmentId,
) -> Result<AttachmentData> {
    visible(ctx, staff, id).await?;
    store::attachment(ctx.db, id, file)
        .await?
        .ok_or(AppError::NotFound("附件"))
}

/// One attachment, for the worker who filed the case.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn worker_file(
    ctx: &Ctx<'_>,
    phone: &str,
    id: CaseId,
    file: AttachmentId,
) -> Result<AttachmentData> {
    super::handle::own(ctx, phone, id).await?;
    store::attachment(ctx.db, id, file)
        .await?
        .ok_or(AppError::NotFound("附件"))
}

/// A mediation record as entered.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MediationInput {
    /// The parties: the worker(s) and the employer.
    pub parties: String,
    /// `YYYY-MM-DD`.
    pub mediated_on: String,
    pub mediator: String,
    pub agreement: String,
    /// `settled` (达成协议), `partly_settled` (部分达成) or `not_settled` (未达成).
    pub outcome: String,
}

fn short(field: &'static str, what: &str, v: &str, max: usize) -> Result<String> {
    let v = v.trim();
    if v.is_empty() {
        return Err(AppError::invalid(field, format!("请填写{what}")));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(field, format!("{what}不能超过{max}个字")));
    }
    Ok(v.to_owned())
}

/// Records a labour-dispute mediation (调解记录) on a case.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mediate(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: CaseId,
    input: &MediationInput,
    now: DateTime<Utc>,
) -> Result<MediationId> {
    let parties = short("parties", "当事人", &input.parties, 500)?;
    let mediator = short("mediator", "调解员", &input.mediator, 50)?;
    let agreement = short("agreement", "调解协议或调解意见", &input.agreement, 5000)?;
    let mediated_on = NaiveDate::parse_from_str(input.mediated_on.trim(), "%Y-%m-%d")
        .map_err(|_| AppError::invalid("mediated_on", "调解日期应为 YYYY-MM-DD"))?;
    if mediated_on > crate::today(now) {
        return Err(AppError::invalid("mediated_on", "调解日期不能晚于今天"));
    }
    let outcome = MediationOutcome::parse(input.outcome.trim())
        .ok_or_else(|| AppError::invalid("outcome", "请选择调解结果"))?;
    let (c, org) = visible(ctx, staff, id).await?;
    if mediated_on < c.submitted_on {
        return Err(AppError::invalid(
            "mediated_on",
            "调解日期不能早于案件提交日期",
        ));
    }
    let mut tx = ctx.db.change().await?;
    let mid = store::add_mediation(
        &mut tx,
        id,
        &NewMediation {
            parties: &parties,
            mediated_on,
            mediator: &mediator,
            agreement: &agreement,
            outcome,
        },
        staff.staff_id(),
        now,
    )
    .await?;
    let recorded = record(
        &mut tx,
        staff.actor,
        &c,
        action::CASE_MEDIATION_RECORDED,
        None,
        None,
        org.id,
        Some(outcome.label()),
        now,
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(mid)
}

/// What the worker sees of their own case: no internal notes, and the history without the
/// names of the staff who took each step (the union's name stands for them).
#[derive(Debug, Clone)]
pub struct OwnView {
    pub case: Case,
    pub events: Vec<Event>,
    pub messages: Vec<Message>,
    pub attachments: Vec<Attachment>,
    pub mediations: Vec<Mediation>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn own_view(ctx: &Ctx<'_>, phone: &str, id: CaseId) -> Result<OwnView> {
    let c = super::handle::own(ctx, phone, id).await?;
    let mut events = store::events(ctx.db, id).await?;
    for e in &mut events {
        if e.actor_kind == CaseActor::Staff {
            e.actor_name = c.handling_org_name.clone();
        }
    }
    Ok(OwnView {
        events,
        messages: store::messages(ctx.db, id, false).await?,
        attachments: store::attachments(ctx.db, id).await?,
        mediations: store::mediations(ctx.db, id).await?,
        case: c,
    })
}
