//! A case's history: every step, who took it and when.

use super::*;

/// One step in a case's history.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Event {
    pub id: i64,
    pub action: String,
    pub from_state: Option<String>,
    pub to_state: Option<String>,
    pub actor_kind: String,
    pub actor_name: String,
    pub org_id: Option<i64>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Event {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Event {
            id: row.get("id")?,
            action: row.get("action")?,
            from_state: row.get("from_state")?,
            to_state: row.get("to_state")?,
            actor_kind: row.get("actor_kind")?,
            actor_name: row.get("actor_name")?,
            org_id: row.get("org_id")?,
            note: row.get("note")?,
            created_at: row.get("created_at")?,
        })
    }
}

/// A step being recorded.
#[derive(Debug)]
pub struct NewEvent<'a> {
    pub case_id: i64,
    pub action: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: Option<&'a str>,
    pub actor_kind: &'a str,
    pub actor_name: &'a str,
    pub staff_id: Option<i64>,
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
            &e.case_id,
            &e.action,
            &e.from_state,
            &e.to_state,
            &e.actor_kind,
            &e.actor_name,
            &e.staff_id,
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
        let case_ids: Vec<i64> = chunk.iter().map(|e| e.case_id).collect();
        let actions = col(&|e| Some(e.action.to_owned()));
        let froms = col(&|e| e.from_state.map(str::to_owned));
        let tos = col(&|e| e.to_state.map(str::to_owned));
        let kinds = col(&|e| Some(e.actor_kind.to_owned()));
        let names = col(&|e| Some(e.actor_name.to_owned()));
        let staff: Vec<Option<i64>> = chunk.iter().map(|e| e.staff_id).collect();
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

pub async fn events(store: &Store, case_id: i64) -> Result<Vec<Event>> {
    store.query(EVENTS, &[&case_id]).await
}
