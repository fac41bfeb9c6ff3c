//! Rights protection (维权): a worker files a case, a union handles it against a deadline
//! counted in working days, an overdue case is escalated (督办) up the tree, the worker rates the
//! answer. Modelled on the national 12351 hotline, which serves every worker, member or not.
//!
//! The rules are `zhijia_domain::case` (states, clock, escalation); this module applies them in
//! one store transaction per step, with the history, the audit log and the worker's inbox.

pub mod escalate;
pub mod file;
pub mod handle;
pub mod stats;
pub mod talk;

use crate::caller::StaffCtx;
use crate::sms::SmsSender;
use crate::{AppError, Result};
use chrono::{DateTime, NaiveDate, Utc};
use zhijia_domain::audit::{Actor, ActorKind};
use zhijia_domain::auth::{self, Role};
use zhijia_domain::calendar::BusinessCalendar;
use zhijia_domain::case::{CaseActor, CaseClock, CaseFlow, CaseState, DeadlinePolicy};
use zhijia_domain::ids::{CaseId, StaffId};
use zhijia_domain::org::{OrgId, OrgPath};
use zhijia_store::Store;
use zhijia_store::Tx;
use zhijia_store::audit::{self, Record};
use zhijia_store::case::{self as store, Attachment, Case, CaseItem, Event, Mediation, Message};
use zhijia_store::org::{self as org_store, Org};

/// Working days between two escalations of a case still unresolved, unless configured.
pub const DEFAULT_ESCALATE_EVERY: u32 = 5;

/// What case handling needs besides the store.
#[derive(Debug, Clone)]
pub struct Settings {
    pub calendar: BusinessCalendar,
    pub deadlines: DeadlinePolicy,
    /// An overdue case goes one level further up every this many working days.
    pub escalate_every: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            calendar: BusinessCalendar::builtin(),
            deadlines: DeadlinePolicy::default(),
            escalate_every: DEFAULT_ESCALATE_EVERY,
        }
    }
}

/// The context of a case step.
pub struct Ctx<'a> {
    pub db: &'a Store,
    pub settings: &'a Settings,
    pub sms: &'a dyn SmsSender,
}

/// Who may read and handle the cases of a union: its case handlers, and those of the unions
/// above it (a supervising union sees what it supervises). Case files hold workers' accounts of
/// their disputes, so other roles, administrators included, do not read them.
pub fn may_handle(staff: &StaffCtx<'_>, path: &OrgPath) -> bool {
    auth::holds(staff.grants, Role::CaseHandler, path)
}

/// Who may see the statistics of a union's subtree: handlers, administrators and analysts.
/// Statistics hold counts only, no person.
pub fn may_see_stats(staff: &StaffCtx<'_>, path: &OrgPath) -> bool {
    may_handle(staff, path)
        || auth::holds(staff.grants, Role::OrgAdmin, path)
        || auth::holds(staff.grants, Role::Analyst, path)
}

/// The case as its clock sees it.
pub(crate) fn clock_of(c: &Case) -> CaseClock {
    CaseClock {
        submitted_on: c.submitted_on,
        limit_days: u32::try_from(c.limit_days).unwrap_or(u32::MAX),
        paused_working_days: c.paused_working_days,
        paused_since: c.paused_since,
    }
}

/// Writes a clock back into the case, with the deadline it gives.
pub(crate) fn set_clock(c: &mut Case, clock: CaseClock, cal: &BusinessCalendar) {
    c.limit_days = i64::from(clock.limit_days);
    c.paused_working_days = clock.paused_working_days;
    c.paused_since = clock.paused_since;
    c.due_on = clock.due_on(cal);
}

pub(crate) fn flow_of(c: &Case) -> CaseFlow {
    CaseFlow {
        state: c.state,
        reopened: c.reopened,
        review_by_parent: c.review_by_parent,
    }
}

/// Writes a flow's outcome back into the case.
pub(crate) fn set_flow(c: &mut Case, flow: &CaseFlow) {
    c.state = flow.state;
    c.reopened = flow.reopened;
    c.review_by_parent = flow.review_by_parent;
}

/// A system step (escalation) as an actor.
pub(crate) fn system_actor() -> Actor {
    crate::caller::system_actor()
}

/// Records a step in the case history and in the audit log.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record(
    tx: &mut Tx,
    actor: &Actor,
    c: &Case,
    action: &'static str,
    from: Option<CaseState>,
    to: Option<CaseState>,
    org: OrgId,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> Result<zhijia_store::Recorded> {
    let step = Step {
        case_id: c.id,
        title: &c.title,
        action,
        from,
        to,
        org,
        note,
    };
    record_step(tx, actor, &step, now).await
}

/// A step as recorded in the history and the audit log.
pub(crate) struct Step<'a> {
    pub case_id: CaseId,
    pub title: &'a str,
    pub action: &'static str,
    pub from: Option<CaseState>,
    pub to: Option<CaseState>,
    pub org: OrgId,
    pub note: Option<&'a str>,
}

pub(crate) async fn record_step(
    tx: &mut Tx,
    actor: &Actor,
    r: &Step<'_>,
    now: DateTime<Utc>,
) -> Result<zhijia_store::Recorded> {
    let Step {
        case_id,
        title,
        action,
        from,
        to,
        org,
        note,
    } = *r;
    let kind = match actor.kind {
        ActorKind::Staff => CaseActor::Staff,
        ActorKind::Worker => CaseActor::Worker,
        ActorKind::System | ActorKind::Cli => CaseActor::System,
    };
    store::add_event(
        tx,
        &store::NewEvent {
            case_id,
            action,
            from_state: from,
            to_state: to,
            actor_kind: kind,
            actor_name: &actor.name,
            staff_id: if actor.kind == ActorKind::Staff {
                actor.id.map(StaffId)
            } else {
                None
            },
            org_id: Some(org),
            note,
            now,
        },
    )
    .await?;
    // A worker's own steps (filing, replying, rating) are audited too, under their masked
    // phone: the log then tells the whole story of a case, not only the staff's half.
    Ok(audit::append(
        tx,
        actor,
        Record {
            action,
            org: Some(org),
            target_kind: Some("case"),
            target_id: Some(case_id.to_string()),
            detail: Some(format!("案件#{case_id} {title}")),
        },
    )
    .await?)
}

/// Tells the worker about their case: inbox when they have a worker record, and SMS. The SMS is
/// sent after the transaction commits, by the caller, with the returned text.
pub(crate) async fn notify_worker(
    tx: &mut Tx,
    c: &Case,
    title: &str,
    body: &str,
) -> Result<String> {
    if let Some(worker_id) = c.worker_id {
        zhijia_store::membership::notify(
            tx,
            worker_id,
            title,
            body,
            Some(&format!("/cases/{}", c.id)),
        )
        .await?;
    }
    Ok(format!("【职工之家】{body}"))
}

/// A case a staff member may handle, with its handling union; 404 when they may not, so the
/// existence of other unions' cases is not revealed.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn visible(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, id: CaseId) -> Result<(Case, Org)> {
    let c = store::get(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("案件"))?;
    let org = org_store::get(ctx.db, c.handling_org_id)
        .await?
        .ok_or(AppError::NotFound("案件"))?;
    if !may_handle(staff, &org.path) {
        return Err(AppError::NotFound("案件"));
    }
    Ok((c, org))
}

/// Everything a handler sees of a case.
#[derive(Debug, Clone)]
pub struct Detail {
    pub case: Case,
    pub events: Vec<Event>,
    /// With the internal notes.
    pub messages: Vec<Message>,
    pub attachments: Vec<Attachment>,
    pub mediations: Vec<Mediation>,
    /// The working days left to the deadline (negative when late), `None` when paused or no
    /// longer open.
    pub working_days_left: Option<i64>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn detail(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: CaseId,
    now: DateTime<Utc>,
) -> Result<Detail> {
    let (c, _) = visible(ctx, staff, id).await?;
    let left = days_left(&c, &ctx.settings.calendar, crate::today(now));
    Ok(Detail {
        events: store::events(ctx.db, id).await?,
        messages: store::messages(ctx.db, id, true).await?,
        attachments: store::attachments(ctx.db, id).await?,
        mediations: store::mediations(ctx.db, id).await?,
        working_days_left: left,
        case: c,
    })
}

fn days_left(c: &Case, cal: &BusinessCalendar, today: NaiveDate) -> Option<i64> {
    let due = c.due_on.filter(|_| c.state.is_open())?;
    Some(if due >= today {
        cal.working_days_between(today, due)
    } else {
        -cal.working_days_between(due, today)
    })
}

/// Which queue a handler looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum View {
    /// Open cases of the union's subtree, earliest deadline first.
    #[default]
    Open,
    /// Open cases escalated to this union (督办).
    Supervised,
    /// Cases of child unions that an unsatisfied worker asked this union to review.
    Review,
    /// Cases of the subtree in one state.
    State(CaseState),
}

impl View {
    pub fn parse(view: Option<&str>, state: Option<&str>) -> Result<View> {
        if let Some(s) = state.filter(|s| !s.is_empty()) {
            return CaseState::parse(s)
                .map(View::State)
                .ok_or_else(|| AppError::invalid("state", "案件状态无效"));
        }
        match view.unwrap_or("open") {
            "" | "open" => Ok(View::Open),
            "supervised" => Ok(View::Supervised),
            "review" => Ok(View::Review),
            _ => Err(AppError::invalid(
                "view",
                "视图应为 open、supervised 或 review",
            )),
        }
    }
}

/// A queue request.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct QueueQuery {
    /// The union whose subtree to list; the caller's first union by default.
    #[param(value_type = Option<i64>)]
    pub org: Option<OrgId>,
    /// `open` (default), `supervised` (督办) or `review` (复查).
    pub view: Option<String>,
    /// A state instead of a view: `submitted`, `closed`, ….
    pub state: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// A handler's queue: its union and one page of cases.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn queue(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    q: &QueueQuery,
) -> Result<(Org, View, zhijia_store::Page<CaseItem>)> {
    let view = View::parse(q.view.as_deref(), q.state.as_deref())?;
    let org = crate::caller::branch(
        ctx.db,
        staff,
        q.org,
        |p| may_handle(staff, p),
        "您没有维权案件办理权限",
        "只能办理本级及下级工会的案件",
    )
    .await?;
    let (limit, offset) = crate::page_bounds(q.limit, q.offset, 20);
    let page = match view {
        View::Open => store::queue(ctx.db, &org.path, None, limit, offset).await?,
        View::State(s) => store::queue(ctx.db, &org.path, Some(s), limit, offset).await?,
        View::Supervised => store::supervised(ctx.db, org.id, limit, offset).await?,
        View::Review => store::for_review(ctx.db, org.id, limit, offset).await?,
    };
    Ok((org, view, page))
}
