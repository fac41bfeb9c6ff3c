//! A case's history: every step, who took it and when.

use super::*;
use zhijia_domain::case::CaseActor;
use zhijia_domain::ids::{CaseEventId, StaffId};

/// One step in a case's history.
#[derive(Debug, Clone)]
pub struct Event {
    pub id: CaseEventId,
    pub action: String,
    pub from_state: Option<CaseState>,
    pub to_state: Option<CaseState>,
    pub actor_kind: CaseActor,
    pub actor_name: String,
    pub org_id: Option<OrgId>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Event {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Event {
            id: row.id("id")?,
            action: row.get("action")?,
            from_state: state_opt(row, "from_state")?,
            to_state: state_opt(row, "to_state")?,
            actor_kind: row.parsed("actor_kind", CaseActor::parse)?,
            actor_name: row.get("actor_name")?,
            org_id: row.id_opt("org_id")?,
            note: row.get("note")?,
            created_at: row.get("created_at")?,
        })
    }
}

fn state_opt(row: &Row<'_, '_>, column: &str) -> Result<Option<CaseState>> {
    match row.get::<Option<String>>(column)? {
        None => Ok(None),
        Some(s) => CaseState::parse(&s)
            .map(Some)
            .ok_or_else(|| crate::StoreError::Decode(format!("{column}“{s}”无法识别"))),
    }
}

/// A step being recorded.
#[derive(Debug)]
pub struct NewEvent<'a> {
    pub case_id: CaseId,
    pub action: &'a str,
    pub from_state: Option<CaseState>,
    pub to_state: Option<CaseState>,
    pub actor_kind: CaseActor,
    pub actor_name: &'a str,
    pub staff_id: Option<StaffId>,
    pub org_id: Option<OrgId>,
    pub note: Option<&'a str>,
    pub now: DateTime<Utc>,
}

const ADD_EVENT: &str = "INSERT INTO case_event (case_id, action, from_state, to_state, \
     actor_kind, actor_name, staff_id, org_id, note, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
const EVENTS: &str = "SELECT id, action, from_state, to_state, actor_kind, actor_name, org_id, \
     note, created_at FROM case_event WHERE case_id = $1 ORDER BY id";

pub async fn add_event(tx: &mut Tx, e: &NewEvent<'_>) -> Result<()> {
    tx.execute(
        ADD_EVENT,
        &[
            &e.case_id.0,
            &e.action,
            &e.from_state.map(CaseState::as_str),
            &e.to_state.map(CaseState::as_str),
            e.actor_kind.stored(),
            &e.actor_name,
            &e.staff_id.map(|s| s.0),
            &e.org_id.map(|o| o.0),
            &e.note,
            &e.now,
        ],
    )
    .await
    .map(|_| ())
}

const ADD_EVENTS_PG: &str = "INSERT INTO case_event (case_id, action, from_state, to_state, \
     actor_kind, actor_name, staff_id, org_id, note, created_at) \
     SELECT * FROM UNNEST($1::int8[], $2::text[], $3::text[], $4::text[], $5::text[], \
     $6::text[], $7::int8[], $8::int8[], $9::text[], $10::timestamptz[]) RETURNING id";

/// Records many steps at once: one statement per 5,000 on PostgreSQL, one each on SQLite.
pub async fn add_events(tx: &mut Tx, events: &[NewEvent<'_>]) -> Result<()> {
    for chunk in events.chunks(BATCH) {
        let col = |f: &dyn Fn(&NewEvent<'_>) -> Option<String>| -> Vec<Option<String>> {
            chunk.iter().map(f).collect()
        };
        let case_ids: Vec<i64> = chunk.iter().map(|e| e.case_id.0).collect();
        let actions = col(&|e| Some(e.action.to_owned()));
        let froms = col(&|e| e.from_state.map(|s| s.as_str().to_owned()));
        let tos = col(&|e| e.to_state.map(|s| s.as_str().to_owned()));
        let kinds = col(&|e| Some(e.actor_kind.as_str().to_owned()));
        let names = col(&|e| Some(e.actor_name.to_owned()));
        let staff: Vec<Option<i64>> = chunk.iter().map(|e| e.staff_id.map(|s| s.0)).collect();
        let orgs: Vec<Option<i64>> = chunk.iter().map(|e| e.org_id.map(|o| o.0)).collect();
        let notes = col(&|e| e.note.map(str::to_owned));
        let at: Vec<DateTime<Utc>> = chunk.iter().map(|e| e.now).collect();
        let params: [&(dyn postgres_types::ToSql + Sync); 10] = [
            &case_ids, &actions, &froms, &tos, &kinds, &names, &staff, &orgs, &notes, &at,
        ];
        if tx.pg_ids(ADD_EVENTS_PG, &params).await?.is_none() {
            for e in chunk {
                add_event(tx, e).await?;
            }
        }
    }
    Ok(())
}

pub async fn events(store: &Store, case_id: CaseId) -> Result<Vec<Event>> {
    store.query(EVENTS, &[&case_id.0]).await
}
