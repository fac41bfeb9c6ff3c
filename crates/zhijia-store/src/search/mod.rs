//! What the search index reads from the store (docs/search.md): the searchable records of each
//! kind as documents, the outbox of their changes (`search_change`, filled by triggers in the
//! same transaction as every change), and the re-check of hits against what a reader may see.
//!
//! Every kind implements [`Searchable`] (its table, how a row becomes a document, when it is
//! live, who may see it); jobs, courses and stations will add theirs here.

use crate::db::{FromRow, Param, Row, Store};
use crate::{Result, Tx};
use chrono::{DateTime, Utc};
use zhijia_domain::search::SearchKind;

/// One kind of searchable record. The constants are SQL written here, never built from input.
pub trait Searchable {
    /// Its table, the outbox's `source`.
    const SOURCE: &'static str;
    /// `SELECT` of the document columns (`id, kind, title, body, tags, org_path, org_name,
    /// published_at, expires_at, audience_region, audience_tags`) with the record as `r` and its
    /// union as `o`, up to (not including) `WHERE`.
    const DOCS: &'static str;
    /// When a record belongs in the index at all (what time cannot change: its status).
    const LIVE: &'static str;
    /// When a reader may see it now: `$1` now, `$2` the member's union path ('' for anyone),
    /// `$3` their region, `$4` their tags as `,gig,outdoor,`.
    fn visible() -> String;
}

/// A searchable record as the index takes it.
#[derive(Debug, Clone)]
pub struct SearchRow {
    pub id: i64,
    pub kind: SearchKind,
    pub title: String,
    pub body: String,
    pub tags: String,
    pub org_path: String,
    pub org_name: String,
    pub published_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub audience_region: Option<String>,
    pub audience_tags: Option<String>,
}

impl FromRow for SearchRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(SearchRow {
            id: row.get("id")?,
            kind: row.parsed("kind", SearchKind::parse)?,
            title: row.get("title")?,
            body: row.get("body")?,
            tags: row.get("tags")?,
            org_path: row.get("org_path")?,
            org_name: row.get("org_name")?,
            published_at: row.get("published_at")?,
            expires_at: row.get("expires_at")?,
            audience_region: row.get("audience_region")?,
            audience_tags: row.get("audience_tags")?,
        })
    }
}

mod sources;
pub use sources::{Activities, Articles, Library, ModelWorkers, Offers, SOURCES};

/// The member a re-check is for: their union's path, region and tags (`,gig,`); all empty
/// for anyone.
#[derive(Debug, Clone, Copy, Default)]
pub struct Reader<'a> {
    pub path: &'a str,
    pub region: &'a str,
    pub tags: &'a str,
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The live documents of `S` among `ids` (the others are to be removed from the index).
pub async fn docs_by_ids<S: Searchable>(store: &Store, ids: &[i64]) -> Result<Vec<SearchRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{} WHERE ({}) AND r.id IN ({})",
        S::DOCS,
        S::LIVE,
        placeholders(1, ids.len())
    );
    let params: Vec<&(dyn Param + Sync)> = ids.iter().map(|i| i as &(dyn Param + Sync)).collect();
    store.query(&sql, &params).await
}

/// The live documents of `S` after `after`, by id: a rebuild reads them page by page.
pub async fn docs_after<S: Searchable>(
    store: &Store,
    after: i64,
    limit: i64,
) -> Result<Vec<SearchRow>> {
    let sql = format!(
        "{} WHERE ({}) AND r.id > $1 ORDER BY r.id LIMIT $2",
        S::DOCS,
        S::LIVE
    );
    store.query(&sql, &[&after, &limit]).await
}

/// How many live records of `S` there are (a rebuild's progress bar).
pub async fn count_live<S: Searchable>(store: &Store) -> Result<i64> {
    let sql = format!("SELECT COUNT(*) FROM {} r WHERE {}", S::SOURCE, S::LIVE);
    store.query_one(&sql, &[]).await
}

/// Which of `ids` (records of `S`) the reader may see now.
pub async fn visible_ids<S: Searchable>(
    store: &Store,
    ids: &[i64],
    reader: Reader<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // The page's ids pick the rows by primary key; the visibility conditions are read behind a
    // CASE, which no index serves. Written plainly, SQLite preferred the index on (status,
    // published_at) and walked every published article for ten ids (30 ms at 100,000 articles,
    // docs/benchmarks.md section 9).
    let sql = format!(
        "SELECT r.id FROM {} r JOIN org o ON o.id = r.org_id WHERE r.id IN ({}) \
         AND (CASE WHEN ({}) AND ({}) THEN 1 ELSE 0 END) = 1",
        S::SOURCE,
        placeholders(5, ids.len()),
        S::LIVE,
        S::visible(),
    );
    let mut params: Vec<&(dyn Param + Sync)> =
        vec![&now, &reader.path, &reader.region, &reader.tags];
    params.extend(ids.iter().map(|i| i as &(dyn Param + Sync)));
    store.query(&sql, &params).await
}

/// A change in the outbox: a record of `source` that may have changed.
#[derive(Debug, Clone)]
pub struct Change {
    pub id: i64,
    pub source: String,
    pub record_id: i64,
}

impl FromRow for Change {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Change {
            id: row.get("id")?,
            source: row.get("source")?,
            record_id: row.get("record_id")?,
        })
    }
}

const CHANGES_AFTER: &str = "SELECT id, source, record_id FROM search_change WHERE id > $1 \
     ORDER BY id LIMIT $2";
const LAST_CHANGE: &str = "SELECT COALESCE(MAX(id), 0) FROM search_change";
const PRUNED_THROUGH: &str = "SELECT COALESCE(MAX(through_id), 0) FROM search_pruned";
const PRUNE_UP_TO: &str = "SELECT COALESCE(MAX(id), 0) FROM search_change WHERE changed_at < $1";
const PRUNE: &str = "DELETE FROM search_change WHERE id <= $1";
const MARK_PRUNED: &str = "INSERT INTO search_pruned (singleton, through_id) VALUES (1, $1) \
     ON CONFLICT (singleton) DO UPDATE SET through_id = excluded.through_id \
     WHERE search_pruned.through_id < excluded.through_id";

/// The outbox after `cursor`, oldest first.
pub async fn changes_after(store: &Store, cursor: i64, limit: i64) -> Result<Vec<Change>> {
    store.query(CHANGES_AFTER, &[&cursor, &limit]).await
}

/// The newest outbox id (0 when empty).
pub async fn last_change(store: &Store) -> Result<i64> {
    store.query_one(LAST_CHANGE, &[]).await
}

/// The highest outbox id pruned (0 when nothing was).
pub async fn pruned_through(store: &Store) -> Result<i64> {
    store.query_one(PRUNED_THROUGH, &[]).await
}

/// Deletes the outbox rows written before `before` and records how far it went; the number
/// of the last row removed (0 if none).
pub async fn prune(tx: &mut Tx, before: DateTime<Utc>) -> Result<i64> {
    let through: i64 = tx.query_one(PRUNE_UP_TO, &[&before]).await?;
    if through > 0 {
        tx.execute(PRUNE, &[&through]).await?;
        tx.execute(MARK_PRUNED, &[&through]).await?;
    }
    Ok(through)
}
