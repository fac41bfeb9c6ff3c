//! Escalation (督办): an open case past its deadline goes to the parent union on the first
//! working day after the deadline, and one level further up every `escalate_every` working
//! days while it stays unresolved, up to the root.
//!
//! Run by the job runner (`crate::jobs`), inside the job's transaction: the job of a period is
//! run once however many server processes there are, and escalating is idempotent anyway (a
//! case is only ever raised to a higher level), so each level is recorded exactly once.

use super::{Recorded, Settings, record_step, system_actor};
use crate::Result;
use chrono::{DateTime, Utc};
use zhijia_domain::audit::action;
use zhijia_domain::case::{escalation_level, escalation_target};
use zhijia_store::Tx;
use zhijia_store::case as store;

/// What a run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Open cases past their deadline that were looked at.
    pub overdue: usize,
    /// Cases raised to a higher level in this run.
    pub escalated: usize,
}

/// Escalates every overdue open case to the level its lateness calls for.
pub async fn run_in(tx: &mut Tx, settings: &Settings, now: DateTime<Utc>) -> Result<Outcome> {
    let today = crate::today(now);
    let cal = &settings.calendar;
    let overdue = store::overdue(tx, today).await?;
    let mut out = Outcome {
        overdue: overdue.len(),
        escalated: 0,
    };
    let actor = system_actor();
    for o in overdue {
        let level = i64::from(escalation_level(
            o.due_on,
            today,
            settings.escalate_every,
            cal,
        ));
        if level <= o.escalation_level {
            continue;
        }
        let path = o.handling_org_path.ids();
        let Some(handling) = path.len().checked_sub(1) else {
            continue;
        };
        let target = path[escalation_target(
            &path.iter().map(|id| id.0).collect::<Vec<_>>(),
            handling,
            u32::try_from(level).unwrap_or(u32::MAX),
        )];
        if target == path[handling] {
            // The handling union is the root: nobody above to escalate to.
            continue;
        }
        if !store::escalate(tx, o.id, level, target, now).await? {
            continue;
        }
        let note = format!("超过办理时限（{}），第{level}级督办", o.due_on);
        let step = Recorded {
            case_id: o.id,
            title: &o.title,
            action: action::CASE_ESCALATED,
            from: None,
            to: None,
            org: target,
            note: Some(&note),
        };
        record_step(tx, &actor, &step, now).await?;
        out.escalated += 1;
    }
    Ok(out)
}
