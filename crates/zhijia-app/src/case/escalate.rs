//! Escalation (督办): an open case past its deadline goes to the parent union on the first
//! working day after the deadline, and one level further up every `escalate_every` working
//! days while it stays unresolved, up to the root.
//!
//! Run by the job runner (`crate::jobs`), inside the job's transaction: the job of a period is
//! run once however many server processes there are, and escalating is idempotent anyway (a
//! case is only ever raised to a higher level), so each level is recorded exactly once.

use super::{Settings, system_actor};
use crate::Result;
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use zhijia_domain::audit::action;
use zhijia_domain::case::{CaseActor, escalation_level, escalation_target};
use zhijia_domain::ids::CaseId;
use zhijia_store::Recorded;
use zhijia_store::Tx;
use zhijia_store::audit::{self, Record};
use zhijia_store::case::{self as store, NewEvent, Raise};

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Open cases past their deadline that were looked at.
    pub overdue: usize,
    /// Cases raised to a higher level in this run.
    pub escalated: usize,
}

/// Escalates every overdue open case to the level its lateness calls for. The levels are
/// worked out here; the writes go to the store in sets (a run after a long holiday may raise
/// thousands of cases at once).
/// Returns the audit proof when a case was raised.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn run_in(
    tx: &mut Tx,
    settings: &Settings,
    now: DateTime<Utc>,
) -> Result<(Outcome, Option<Recorded>)> {
    let today = crate::today(now);
    let cal = &settings.calendar;
    let overdue = store::overdue(tx, today).await?;
    let mut raises = Vec::new();
    let mut notes = HashMap::new();
    for o in &overdue {
        let level = escalation_level(o.due_on, today, settings.escalate_every, cal);
        if i64::from(level) <= o.escalation_level {
            continue;
        }
        let path: Vec<i64> = o.handling_org_path.ids().iter().map(|id| id.0).collect();
        let Some(handling) = path.len().checked_sub(1) else {
            continue;
        };
        let target = path[escalation_target(&path, handling, level)];
        if target == path[handling] {
            // The handling union is the root: nobody above to escalate to.
            continue;
        }
        raises.push(Raise {
            id: o.id,
            level: i64::from(level),
            org: zhijia_domain::org::OrgId(target),
        });
        let note = format!("超过办理时限（{}），第{level}级督办", o.due_on);
        notes.insert(o.id, (o.title.as_str(), note));
    }
    let raised = store::escalate_batch(tx, &raises, now).await?;
    let by_id: HashMap<CaseId, &Raise> = raises.iter().map(|r| (r.id, r)).collect();
    let actor = system_actor();
    let mut events = Vec::with_capacity(raised.len());
    let mut records = Vec::with_capacity(raised.len());
    for id in &raised {
        let (Some(r), Some((title, note))) = (by_id.get(id), notes.get(id)) else {
            continue;
        };
        events.push(NewEvent {
            case_id: *id,
            action: action::CASE_ESCALATED,
            from_state: None,
            to_state: None,
            actor_kind: CaseActor::System,
            actor_name: &actor.name,
            staff_id: None,
            org_id: Some(r.org),
            note: Some(note),
            now,
        });
        records.push(Record {
            action: action::CASE_ESCALATED,
            org: Some(r.org),
            target_kind: Some("case"),
            target_id: Some(id.to_string()),
            detail: Some(format!("案件#{id} {title}")),
        });
    }
    store::add_events(tx, &events).await?;
    let recorded = audit::append_batch(tx, &actor, &records).await?;
    let outcome = Outcome {
        overdue: overdue.len(),
        escalated: raised.len(),
    };
    Ok((outcome, recorded))
}
