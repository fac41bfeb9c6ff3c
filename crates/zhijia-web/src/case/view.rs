//! What the JSON API answers about cases: views built from the store's rows, so a column can
//! change without changing the API. Field names and values are those the API has always had.

use crate::attachment::{AttachmentView, attachment_views};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhijia_app::case::Detail;
use zhijia_app::case::stats::Figures;
use zhijia_app::case::talk::OwnView;
use zhijia_domain::case::{CaseActor, CaseKind, CaseState, Tier};
use zhijia_domain::ids::{CaseEventId, CaseId, CaseMessageId, MediationId, WorkerId};
use zhijia_domain::org::OrgId;
use zhijia_store::Page;
use zhijia_store::case::{Case, CaseItem, Count, Event, Mediation, Message};

/// One case, with the names of the unions handling and supervising it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseView {
    #[schema(value_type = i64)]
    pub id: CaseId,
    #[schema(value_type = String)]
    pub kind: CaseKind,
    pub channel: String,
    pub title: String,
    pub description: String,
    pub employer_name: String,
    pub employer_credit_code: Option<String>,
    pub region_code: String,
    pub hide_identity: bool,
    pub filer_name: String,
    pub filer_phone: String,
    #[schema(value_type = Option<i64>)]
    pub worker_id: Option<WorkerId>,
    #[schema(value_type = i64)]
    pub handling_org_id: OrgId,
    pub handling_org_name: String,
    #[schema(value_type = Option<i64>)]
    pub supervising_org_id: Option<OrgId>,
    pub supervising_org_name: Option<String>,
    pub escalation_level: i64,
    #[schema(value_type = String)]
    pub state: CaseState,
    pub reopened: bool,
    pub review_by_parent: bool,
    #[schema(value_type = String)]
    pub tier: Tier,
    pub limit_days: i64,
    pub submitted_on: NaiveDate,
    pub paused_working_days: i64,
    pub paused_since: Option<NaiveDate>,
    /// The last day to handle the case; null while the clock is paused.
    pub due_on: Option<NaiveDate>,
    pub decline_reason: Option<String>,
    pub answer: Option<String>,
    pub resolved_on: Option<NaiveDate>,
    pub satisfied: Option<bool>,
    pub rating_comment: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl From<&Case> for CaseView {
    fn from(c: &Case) -> Self {
        CaseView {
            id: c.id,
            kind: c.kind,
            channel: c.channel.as_str().to_owned(),
            title: c.title.clone(),
            description: c.description.clone(),
            employer_name: c.employer_name.clone(),
            employer_credit_code: c.employer_credit_code.clone(),
            region_code: c.region_code.clone(),
            hide_identity: c.hide_identity,
            filer_name: c.filer_name.clone(),
            filer_phone: c.filer_phone.clone(),
            worker_id: c.worker_id,
            handling_org_id: c.handling_org_id,
            handling_org_name: c.handling_org_name.clone(),
            supervising_org_id: c.supervising_org_id,
            supervising_org_name: c.supervising_org_name.clone(),
            escalation_level: c.escalation_level,
            state: c.state,
            reopened: c.reopened,
            review_by_parent: c.review_by_parent,
            tier: c.tier,
            limit_days: c.limit_days,
            submitted_on: c.submitted_on,
            paused_working_days: c.paused_working_days,
            paused_since: c.paused_since,
            due_on: c.due_on,
            decline_reason: c.decline_reason.clone(),
            answer: c.answer.clone(),
            resolved_on: c.resolved_on,
            satisfied: c.satisfied,
            rating_comment: c.rating_comment.clone(),
            submitted_at: c.submitted_at,
            updated_at: c.updated_at,
            closed_at: c.closed_at,
        }
    }
}

/// A row of a queue: what a list shows.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CaseItemView {
    #[schema(value_type = i64)]
    pub id: CaseId,
    #[schema(value_type = String)]
    pub kind: CaseKind,
    pub title: String,
    #[schema(value_type = String)]
    pub state: CaseState,
    pub filer_name: String,
    #[schema(value_type = i64)]
    pub handling_org_id: OrgId,
    pub handling_org_name: String,
    pub escalation_level: i64,
    pub review_by_parent: bool,
    pub submitted_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
}

impl From<&CaseItem> for CaseItemView {
    fn from(c: &CaseItem) -> Self {
        CaseItemView {
            id: c.id,
            kind: c.kind,
            title: c.title.clone(),
            state: c.state,
            filer_name: c.filer_name.clone(),
            handling_org_id: c.handling_org_id,
            handling_org_name: c.handling_org_name.clone(),
            escalation_level: c.escalation_level,
            review_by_parent: c.review_by_parent,
            submitted_on: c.submitted_on,
            due_on: c.due_on,
        }
    }
}

/// A page of a queue, as `{items, total, offset, limit}`.
pub fn item_page(page: &Page<CaseItem>) -> Page<CaseItemView> {
    Page {
        items: page.items.iter().map(CaseItemView::from).collect(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    }
}

/// One step in a case's history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct EventView {
    #[schema(value_type = i64)]
    pub id: CaseEventId,
    pub action: String,
    #[schema(value_type = Option<String>)]
    pub from_state: Option<CaseState>,
    #[schema(value_type = Option<String>)]
    pub to_state: Option<CaseState>,
    #[schema(value_type = String)]
    pub actor_kind: CaseActor,
    pub actor_name: String,
    #[schema(value_type = Option<i64>)]
    pub org_id: Option<OrgId>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&Event> for EventView {
    fn from(e: &Event) -> Self {
        EventView {
            id: e.id,
            action: e.action.clone(),
            from_state: e.from_state,
            to_state: e.to_state,
            actor_kind: e.actor_kind,
            actor_name: e.actor_name.clone(),
            org_id: e.org_id,
            note: e.note.clone(),
            created_at: e.created_at,
        }
    }
}

/// A message on a case, or an internal note.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MessageView {
    #[schema(value_type = i64)]
    pub id: CaseMessageId,
    /// `worker` or `staff`.
    #[schema(value_type = String)]
    pub author: CaseActor,
    pub author_name: String,
    pub internal: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        MessageView {
            id: m.id,
            author: m.author,
            author_name: m.author_name.clone(),
            internal: m.internal,
            body: m.body.clone(),
            created_at: m.created_at,
        }
    }
}

/// A labour-dispute mediation record (调解记录).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MediationView {
    #[schema(value_type = i64)]
    pub id: MediationId,
    pub parties: String,
    pub mediated_on: NaiveDate,
    pub mediator: String,
    pub agreement: String,
    pub outcome: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Mediation> for MediationView {
    fn from(m: &Mediation) -> Self {
        MediationView {
            id: m.id,
            parties: m.parties.clone(),
            mediated_on: m.mediated_on,
            mediator: m.mediator.clone(),
            agreement: m.agreement.clone(),
            outcome: m.outcome.as_str().to_owned(),
            created_at: m.created_at,
        }
    }
}

fn all<'a, R: 'a, V: From<&'a R>>(rows: &'a [R]) -> Vec<V> {
    rows.iter().map(V::from).collect()
}

/// Everything a handler sees of a case.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DetailView {
    pub case: CaseView,
    pub events: Vec<EventView>,
    /// With the internal notes.
    pub messages: Vec<MessageView>,
    pub attachments: Vec<AttachmentView>,
    pub mediations: Vec<MediationView>,
    /// The working days left to the deadline (negative when late), null when paused or no
    /// longer open.
    pub working_days_left: Option<i64>,
}

impl From<&Detail> for DetailView {
    fn from(d: &Detail) -> Self {
        DetailView {
            case: CaseView::from(&d.case),
            events: all(&d.events),
            messages: all(&d.messages),
            attachments: attachment_views(&d.attachments),
            mediations: all(&d.mediations),
            working_days_left: d.working_days_left,
        }
    }
}

/// What the worker sees of their own case.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OwnCaseView {
    pub case: CaseView,
    pub events: Vec<EventView>,
    pub messages: Vec<MessageView>,
    pub attachments: Vec<AttachmentView>,
    pub mediations: Vec<MediationView>,
}

impl From<&OwnView> for OwnCaseView {
    fn from(v: &OwnView) -> Self {
        OwnCaseView {
            case: CaseView::from(&v.case),
            events: all(&v.events),
            messages: all(&v.messages),
            attachments: attachment_views(&v.attachments),
            mediations: all(&v.mediations),
        }
    }
}

/// A count under a key (a kind, a state, a month or a union).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CountView {
    pub key: String,
    pub count: i64,
}

impl From<&Count> for CountView {
    fn from(c: &Count) -> Self {
        CountView {
            key: c.key.clone(),
            count: c.count,
        }
    }
}

/// The statistics of a subtree, with the rates worked out (per mille, integers).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FiguresView {
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub cases: i64,
    pub resolved: i64,
    pub resolved_on_time: i64,
    /// Answered on time, per mille of answered cases; null when none was answered.
    pub on_time_permille: Option<i64>,
    /// Average calendar days from submission to answer, in tenths of a day.
    pub average_handling_tenth_days: Option<i64>,
    pub rated: i64,
    pub satisfied: i64,
    pub satisfaction_permille: Option<i64>,
    pub escalated: i64,
    pub by_kind: Vec<CountView>,
    pub by_state: Vec<CountView>,
    pub by_month: Vec<CountView>,
    /// By child union (each with its branch), the union's own cases first as 本级.
    pub by_union: Vec<CountView>,
}

impl From<&Figures> for FiguresView {
    fn from(f: &Figures) -> Self {
        FiguresView {
            org_id: f.org_id,
            org_name: f.org_name.clone(),
            from: f.from,
            to: f.to,
            cases: f.cases,
            resolved: f.resolved,
            resolved_on_time: f.resolved_on_time,
            on_time_permille: f.on_time_permille,
            average_handling_tenth_days: f.average_handling_tenth_days,
            rated: f.rated,
            satisfied: f.satisfied,
            satisfaction_permille: f.satisfaction_permille,
            escalated: f.escalated,
            by_kind: all(&f.by_kind),
            by_state: all(&f.by_state),
            by_month: all(&f.by_month),
            by_union: all(&f.by_union),
        }
    }
}
