//! The append-only audit log (the tables refuse UPDATE and DELETE by trigger).

use crate::Page;
use crate::Result;
use crate::change::Recorded;
use crate::db::{FromRow, Row, Store, Tx};
use chrono::{DateTime, Utc};
use zhijia_domain::audit::{Actor, ActorKind};
use zhijia_domain::auth::StaffId;
use zhijia_domain::org::{OrgId, OrgPath};

/// What happened, to be appended in the same transaction as the change it records.
#[derive(Debug, Clone, Default)]
pub struct Record<'a> {
    pub action: &'a str,
    pub org: Option<OrgId>,
    pub target_kind: Option<&'a str>,
    pub target_id: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: zhijia_domain::ids::AuditEntryId,
    pub at: DateTime<Utc>,
    pub actor_kind: ActorKind,
    /// The staff account that acted, if a staff member did.
    pub actor_id: Option<StaffId>,
    pub actor_name: String,
    pub ip: Option<String>,
    pub action: String,
    pub org_id: Option<OrgId>,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub detail: Option<String>,
}

impl FromRow for Entry {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Entry {
            id: row.id("id")?,
            at: row.get("at")?,
            actor_kind: row.parsed("actor_kind", ActorKind::parse)?,
            actor_id: row.id_opt("actor_id")?,
            actor_name: row.get("actor_name")?,
            ip: row.get("ip")?,
            action: row.get("action")?,
            org_id: row.id_opt("org_id")?,
            target_kind: row.get("target_kind")?,
            target_id: row.get("target_id")?,
            detail: row.get("detail")?,
        })
    }
}

pub(crate) const APPEND: &str = "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, ip, action, \
     org_id, target_kind, target_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
macro_rules! audit_select {
    ($rest:literal) => {
        concat!(
            "SELECT a.id, a.at, a.actor_kind, a.actor_id, a.actor_name, a.ip, a.action, a.org_id, \
             a.target_kind, a.target_id, a.detail FROM audit_log a ",
            $rest
        )
    };
}
const IN_SUBTREE: &str = audit_select!(
    "JOIN org o ON o.id = a.org_id WHERE o.path >= $1 AND o.path < $2 \
     AND (CAST($3 AS TEXT) IS NULL OR a.action LIKE $3) ORDER BY a.id DESC LIMIT $4 OFFSET $5"
);
const COUNT_IN_SUBTREE: &str = "SELECT COUNT(*) FROM audit_log a JOIN org o ON o.id = a.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND (CAST($3 AS TEXT) IS NULL OR a.action LIKE $3)";
const ALL: &str = audit_select!("ORDER BY a.id DESC LIMIT $1 OFFSET $2");
const COUNT_ALL: &str = "SELECT COUNT(*) FROM audit_log";
const OF_TARGET: &str =
    audit_select!("WHERE a.target_kind = $1 AND a.target_id = $2 ORDER BY a.id DESC LIMIT $3");

const COUNT_BY_ACTOR_SINCE: &str = "SELECT COUNT(*) FROM audit_log WHERE actor_kind = $1 \
     AND actor_id = $2 AND action = $3 AND at >= $4";

/// How many entries of `action` an actor wrote since `since`: the limit of actions a person may
/// take per day, counted where they are recorded (so shared by every server process).
pub async fn count_by_actor_since(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    since: chrono::DateTime<Utc>,
) -> Result<i64> {
    tx.query_one(
        COUNT_BY_ACTOR_SINCE,
        &[&actor.kind.as_str(), &actor.id, &action, &since],
    )
    .await
}

/// Appends an entry in the transaction of the change it records; the proof it returns is what
/// lets that change commit.
pub async fn append(tx: &mut Tx, actor: &Actor, r: Record<'_>) -> Result<Recorded> {
    tx.execute(
        APPEND,
        &[
            &Utc::now(),
            &actor.kind.as_str(),
            &actor.id,
            &actor.name,
            &actor.ip,
            &r.action,
            &r.org.map(|o| o.0),
            &r.target_kind,
            &r.target_id,
            &r.detail,
        ],
    )
    .await
    .map(|_| Recorded(()))
}

const APPEND_BATCH_PG: &str = "INSERT INTO audit_log (at, actor_kind, actor_id, actor_name, ip, \
     action, org_id, target_kind, target_id, detail) \
     SELECT $1, $2, $3, $4, $5, t.action, t.org, t.kind, t.target, t.detail \
     FROM UNNEST($6::text[], $7::int8[], $8::text[], $9::text[], $10::text[]) \
     AS t(action, org, kind, target, detail) RETURNING id";

/// Appends many entries by one actor (a background job's work): 5,000 per statement on
/// PostgreSQL, one statement each on SQLite. The proof is `None` when there was nothing to record.
pub async fn append_batch(
    tx: &mut Tx,
    actor: &Actor,
    records: &[Record<'_>],
) -> Result<Option<Recorded>> {
    for chunk in records.chunks(5_000) {
        let text = |f: &dyn Fn(&Record<'_>) -> Option<String>| -> Vec<Option<String>> {
            chunk.iter().map(f).collect()
        };
        let actions = text(&|r| Some(r.action.to_owned()));
        let orgs: Vec<Option<i64>> = chunk.iter().map(|r| r.org.map(|o| o.0)).collect();
        let kinds = text(&|r| r.target_kind.map(str::to_owned));
        let targets = text(&|r| r.target_id.clone());
        let details = text(&|r| r.detail.clone());
        let params: [&(dyn postgres_types::ToSql + Sync); 10] = [
            &Utc::now(),
            &actor.kind.as_str(),
            &actor.id,
            &actor.name,
            &actor.ip,
            &actions,
            &orgs,
            &kinds,
            &targets,
            &details,
        ];
        if tx.pg_ids(APPEND_BATCH_PG, &params).await?.is_none() {
            for r in chunk {
                let _ = append(tx, actor, r.clone()).await?;
            }
        }
    }
    Ok((!records.is_empty()).then_some(Recorded(())))
}

/// Entries about the orgs of one subtree, newest first.
pub async fn in_subtree(
    store: &Store,
    path: &OrgPath,
    limit: i64,
    offset: i64,
) -> Result<Page<Entry>> {
    in_subtree_of_area(store, path, None, limit, offset).await
}

/// Entries of one subtree whose action starts with `area` (`join.`, `pii.`…), newest first.
pub async fn in_subtree_of_area(
    store: &Store,
    path: &OrgPath,
    area: Option<&str>,
    limit: i64,
    offset: i64,
) -> Result<Page<Entry>> {
    let upper = path.subtree_upper_bound();
    // The areas are a fixed list without LIKE wildcards (checked by the caller).
    let like = area.map(|a| format!("{a}%"));
    let items = store
        .query(
            IN_SUBTREE,
            &[&path.as_str(), &upper, &like, &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(COUNT_IN_SUBTREE, &[&path.as_str(), &upper, &like])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Every entry, newest first (the operator's view from the command line).
pub async fn all(store: &Store, limit: i64, offset: i64) -> Result<Page<Entry>> {
    let items = store.query(ALL, &[&limit, &offset]).await?;
    let total = store.query_one(COUNT_ALL, &[]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// The latest entries about one record (e.g. a member: `("worker", id)`), newest first.
pub async fn of_target(store: &Store, kind: &str, id: &str, limit: i64) -> Result<Vec<Entry>> {
    store.query(OF_TARGET, &[&kind, &id, &limit]).await
}
