//! The steps of a case: the handler's (accept, decline, start, ask the worker, resolve, close,
//! re-route) and the worker's (answer a question, rate the answer).

use super::{
    Ctx, clock_of, flow_of, may_handle, notify_worker, record, set_clock, set_flow, visible,
};
use crate::caller::{StaffCtx, sms_notice, worker_actor};
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::audit::{Actor, action};
use zhijia_domain::case::{CaseActor, CaseEvent, CaseState, Tier};
use zhijia_domain::ids::CaseId;
use zhijia_domain::org::OrgId;
use zhijia_store::Unaudited;
use zhijia_store::case::{self as store, Case};
use zhijia_store::org as org_store;

/// A handler's step.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum Step {
    /// 受理, setting the difficulty tier that picks the deadline.
    Accept { tier: String },
    /// 不予受理, with the reason shown to the worker.
    Decline { reason: String },
    /// 开始办理.
    Start,
    /// 要求补充材料: the clock pauses until the worker answers.
    AskWorker { question: String },
    /// 办结, with the answer to the worker.
    Resolve { answer: String },
    /// 关闭 a declined case, or a resolved one the worker did not rate.
    Close,
}

impl Step {
    fn event(&self) -> CaseEvent {
        match self {
            Step::Accept { .. } => CaseEvent::Accept,
            Step::Decline { reason } => CaseEvent::Decline {
                reason: reason.trim().to_owned(),
            },
            Step::Start => CaseEvent::Start,
            Step::AskWorker { question } => CaseEvent::AskWorker {
                question: question.trim().to_owned(),
            },
            Step::Resolve { answer } => CaseEvent::Resolve {
                answer: answer.trim().to_owned(),
            },
            Step::Close => CaseEvent::Close,
        }
    }

    fn action(&self) -> &'static str {
        match self {
            Step::Accept { .. } => action::CASE_ACCEPTED,
            Step::Decline { .. } => action::CASE_DECLINED,
            Step::Start => action::CASE_STARTED,
            Step::AskWorker { .. } => action::CASE_ASKED_WORKER,
            Step::Resolve { .. } => action::CASE_RESOLVED,
            Step::Close => action::CASE_CLOSED,
        }
    }
}

/// The longest answer or question, in characters.
pub const MAX_ANSWER_CHARS: usize = 5000;

fn limit(field: &'static str, what: &str, text: &str) -> Result<()> {
    let n = text.trim().chars().count();
    if n > MAX_ANSWER_CHARS {
        return Err(AppError::invalid(
            field,
            format!("{what}不能超过{MAX_ANSWER_CHARS}个字（现为{n}个字）"),
        ));
    }
    Ok(())
}

/// What the worker is told of a step: the inbox title and the text.
type Tell = (&'static str, String);

/// The tier a step sets, and the length checks of its texts, before anything is read.
fn checked_tier(step: &Step) -> Result<Option<Tier>> {
    Ok(match step {
        Step::Accept { tier } => Some(
            Tier::parse(tier.trim())
                .ok_or_else(|| AppError::invalid("tier", "请选择难易程度（简单、一般或复杂）"))?,
        ),
        Step::AskWorker { question } => {
            limit("question", "需补充的材料说明", question)?;
            None
        }
        Step::Resolve { answer } => {
            limit("answer", "办结答复", answer)?;
            None
        }
        _ => None,
    })
}

/// What a step does to the case beyond its state: the tier and deadline, the reason, the
/// question (a message, and the clock paused), the answer, the closing time. Returns the
/// clock, the note for the history and what to tell the worker.
#[allow(clippy::too_many_arguments)]
async fn effect(
    tx: &mut zhijia_store::Tx,
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    org: &zhijia_store::org::Org,
    c: &mut Case,
    event: &CaseEvent,
    tier: Option<Tier>,
    now: DateTime<Utc>,
) -> Result<(zhijia_domain::case::CaseClock, Option<String>, Option<Tell>)> {
    let mut clock = clock_of(c);
    let mut note = None;
    let mut tell: Option<Tell> = None;
    let today = crate::today(now);
    match event {
        CaseEvent::Accept => {
            let tier = tier.unwrap_or(Tier::Ordinary);
            c.tier = tier;
            clock.limit_days = ctx.settings.deadlines.days(c.kind, tier);
            note = Some(format!(
                "难易程度：{}，办理时限{}个工作日",
                tier.label(),
                clock.limit_days
            ));
            tell = Some((
                "您的诉求已受理",
                format!("您的诉求“{}”已由{}受理。", c.title, org.name),
            ));
        }
        CaseEvent::Decline { reason } => {
            c.decline_reason = Some(reason.clone());
            c.closed_at = None;
            note = Some(reason.clone());
            tell = Some((
                "您的诉求未予受理",
                format!("您的诉求“{}”未予受理。原因：{reason}", c.title),
            ));
        }
        CaseEvent::AskWorker { question } => {
            clock = clock.pause(today)?;
            store::add_message(
                tx,
                c.id,
                CaseActor::Staff,
                &org.name,
                staff.staff_id(),
                false,
                question,
                now,
            )
            .await?;
            note = Some(question.clone());
            tell = Some((
                "请补充材料",
                format!("您的诉求“{}”需要补充材料：{question}", c.title),
            ));
        }
        CaseEvent::Resolve { answer } => {
            c.answer = Some(answer.clone());
            c.resolved_on = Some(today);
            note = Some(answer.clone());
            tell = Some((
                "您的诉求已办结",
                format!("您的诉求“{}”已办结，请查看答复并评价。", c.title),
            ));
        }
        CaseEvent::Close => {
            c.closed_at = Some(now);
        }
        _ => {}
    }
    Ok((clock, note, tell))
}

/// Takes a handler's step on a case of their subtree.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn act(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: CaseId,
    step: &Step,
    now: DateTime<Utc>,
) -> Result<Case> {
    let tier = checked_tier(step)?;
    let (_, org) = visible(ctx, staff, id).await?;
    let cal = &ctx.settings.calendar;
    let mut tx = ctx.db.change().await?;
    let mut c = store::lock(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("案件"))?;
    let from = c.state;
    let event = step.event();
    let flow = flow_of(&c).apply(&event)?;
    set_flow(&mut c, &flow);
    let (clock, note, tell) = effect(&mut tx, ctx, staff, &org, &mut c, &event, tier, now).await?;
    set_clock(&mut c, clock, cal);
    store::save(&mut tx, &c, now).await?;
    let recorded = record(
        &mut tx,
        staff.actor,
        &c,
        step.action(),
        Some(from),
        Some(c.state),
        org.id,
        note.as_deref(),
        now,
    )
    .await?;
    let sms = match &tell {
        Some((title, body)) => Some(notify_worker(&mut tx, &c, title, body).await?),
        None => None,
    };
    tx.commit(recorded).await?;
    if let Some(text) = sms {
        sms_notice(ctx.sms, &c.filer_phone, &text).await;
    }
    store::get(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("案件"))
}

/// Moves a case to another union of the handler's subtree (转办). The handler must be a case
/// handler both where the case is and where it goes. The deadline stays: re-routing does not
/// buy time.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reroute(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: CaseId,
    to: OrgId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Case> {
    let (c, from_org) = visible(ctx, staff, id).await?;
    if !c.state.is_open() {
        return Err(AppError::Conflict("案件已办结或关闭，不能转办".into()));
    }
    let target = org_store::get(ctx.db, to)
        .await?
        .ok_or(AppError::NotFound("转办的工会"))?;
    if !may_handle(staff, &target.path) {
        return Err(AppError::Forbidden("只能转办给本级及下级工会".into()));
    }
    if target.id == c.handling_org_id {
        return Err(AppError::invalid("org", "案件已由该工会办理"));
    }
    let reason = reason.trim();
    if reason.chars().count() > zhijia_domain::case::MAX_NOTE_CHARS {
        return Err(AppError::invalid("reason", "转办说明过长"));
    }
    let mut tx = ctx.db.change().await?;
    let locked = store::lock(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("案件"))?;
    if locked.handling_org_id != c.handling_org_id {
        return Err(AppError::Conflict("案件已被转办，请刷新后查看".into()));
    }
    store::reroute(&mut tx, id, target.id, now).await?;
    let note = if reason.is_empty() {
        format!("由{}转至{}", from_org.name, target.name)
    } else {
        format!("由{}转至{}：{reason}", from_org.name, target.name)
    };
    let recorded = record(
        &mut tx,
        staff.actor,
        &locked,
        action::CASE_REROUTED,
        None,
        None,
        target.id,
        Some(&note),
        now,
    )
    .await?;
    tx.commit(recorded).await?;
    store::get(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("案件"))
}

/// The worker's own case, or 404: a case is reached only from the phone that filed it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn own(ctx: &Ctx<'_>, phone: &str, id: CaseId) -> Result<Case> {
    store::get(ctx.db, id)
        .await?
        .filter(|c| c.filer_phone == phone)
        .ok_or(AppError::NotFound("案件"))
}

/// The worker writes on their case. While the case waits for them, this is their answer and
/// the clock restarts; otherwise it is a message to the handler.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reply(
    ctx: &Ctx<'_>,
    phone: &str,
    id: CaseId,
    body: &str,
    files: &[super::file::Upload],
    now: DateTime<Utc>,
) -> Result<Case> {
    let body = body.trim();
    if body.is_empty() && files.is_empty() {
        return Err(AppError::invalid("body", "请填写内容或添加附件"));
    }
    limit("body", "内容", body)?;
    let checked = super::file::check_uploads(files)?;
    own(ctx, phone, id).await?;
    let actor = worker_actor(phone);
    let mut tx = ctx.db.change().await?;
    let mut c = store::lock(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("案件"))?;
    let flow = flow_of(&c);
    if matches!(flow.state, CaseState::Closed | CaseState::Declined) {
        return Err(AppError::Conflict("案件已关闭，不能再留言".into()));
    }
    super::talk::check_room(&mut tx, id, checked.len()).await?;
    for (f, ch) in files.iter().zip(&checked) {
        super::talk::store_file(&mut tx, id, ch, &f.bytes, "worker", now).await?;
    }
    if !body.is_empty() {
        store::add_message(
            &mut tx,
            id,
            CaseActor::Worker,
            &c.filer_name,
            None,
            false,
            body,
            now,
        )
        .await?;
    }
    if flow.state != CaseState::WaitingOnWorker {
        // A message on a case that waits for nobody: the message row is the record.
        tx.commit_unaudited(Unaudited::OwnHistory).await?;
    } else {
        let next = flow.apply(&zhijia_domain::case::CaseEvent::WorkerAnswered)?;
        let from = c.state;
        c.state = next.state;
        let clock = clock_of(&c).resume(&ctx.settings.calendar, crate::today(now))?;
        set_clock(&mut c, clock, &ctx.settings.calendar);
        store::save(&mut tx, &c, now).await?;
        let org = c.handling_org_id;
        let recorded = record(
            &mut tx,
            &actor,
            &c,
            action::CASE_WORKER_ANSWERED,
            Some(from),
            Some(c.state),
            org,
            None,
            now,
        )
        .await?;
        tx.commit(recorded).await?;
    }
    store::get(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("案件"))
}

/// The worker rates the answer. Satisfied closes the case; the first unsatisfied rating
/// reopens it and asks the parent union to review; the time the answer waited for the rating
/// does not count against the union.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn rate(
    ctx: &Ctx<'_>,
    phone: &str,
    id: CaseId,
    satisfied: bool,
    comment: &str,
    now: DateTime<Utc>,
) -> Result<Case> {
    own(ctx, phone, id).await?;
    let actor: Actor = worker_actor(phone);
    let today = crate::today(now);
    let cal = &ctx.settings.calendar;
    let mut tx = ctx.db.change().await?;
    let mut c = store::lock(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("案件"))?;
    let comment = comment.trim().to_owned();
    let flow = flow_of(&c).apply(&CaseEvent::Rate {
        satisfied,
        comment: comment.clone(),
    })?;
    let from = c.state;
    set_flow(&mut c, &flow);
    c.satisfied = Some(satisfied);
    c.rating_comment = (!comment.is_empty()).then_some(comment.clone());
    if flow.state == CaseState::Closed {
        c.closed_at = Some(now);
    } else if let Some(resolved) = c.resolved_on {
        // Reopened: the days the answer waited for the rating are the worker's, not the
        // union's, so they are added as a pause.
        let clock = clock_of(&c)
            .pause(resolved)?
            .resume(cal, today.max(resolved))?;
        set_clock(&mut c, clock, cal);
    }
    store::save(&mut tx, &c, now).await?;
    let what = if satisfied { "满意" } else { "不满意" };
    let note = if comment.is_empty() {
        what.to_owned()
    } else {
        format!("{what}：{comment}")
    };
    let recorded = record(
        &mut tx,
        &actor,
        &c,
        action::CASE_RATED,
        Some(from),
        Some(c.state),
        c.handling_org_id,
        Some(&note),
        now,
    )
    .await?;
    if flow.review_by_parent && !flow.state.eq(&CaseState::Closed) {
        let _ = record(
            &mut tx,
            &super::system_actor(),
            &c,
            action::CASE_REOPENED,
            None,
            None,
            c.handling_org_id,
            Some("职工不满意，案件重新办理，并提请上级工会复查"),
            now,
        )
        .await?;
    }
    tx.commit(recorded).await?;
    store::get(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("案件"))
}
