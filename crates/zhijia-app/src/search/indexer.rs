//! Keeping a process's index current (docs/search.md). Every change of a searchable record
//! appends a row to the outbox `search_change` in its own transaction (by trigger). Each
//! process's indexer applies the rows after its cursor, which it keeps in its index's commit:
//! it re-reads the records named, puts the live ones and removes the rest. An index never
//! built, or whose cursor is older than what the outbox keeps (or ahead of it: a restored
//! store), is rebuilt from the store.
//!
//! On PostgreSQL outbox ids are taken when a transaction writes its row, not when it commits,
//! so a later id can be seen before an earlier one. The cursor therefore only advances over
//! ids seen without a hole below; rows above a hole are applied at once (remembered so they
//! are not applied twice), and a hole still empty after [`HOLE_WAIT`] is taken for a rolled
//! back transaction.

use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};
use zhijia_search::{Doc, Index};
use zhijia_store::Store;
use zhijia_store::change::Unaudited;
use zhijia_store::search::{
    self as store, Activities, Articles, Library, ModelWorkers, Offers, SearchRow, Searchable,
};

/// Outbox rows read per step.
const BATCH: i64 = 500;
/// Records read per page of a rebuild.
const REBUILD_PAGE: i64 = 2_000;
/// How long a hole in the outbox ids is waited for before it counts as a rollback.
pub const HOLE_WAIT: Duration = Duration::from_secs(120);
/// How long outbox rows are kept: a process that was away longer rebuilds.
pub const KEEP: chrono::TimeDelta = chrono::TimeDelta::days(7);
/// After a rebuild the cursor is set this many ids before the newest row seen when it began,
/// so the rows of transactions still in flight then are applied too (applying twice is
/// harmless).
const REBUILD_REWIND: i64 = 1_000;

/// What a step did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing new.
    Idle,
    /// Applied this many outbox rows.
    Applied(usize),
    /// Rebuilt from the store with this many documents.
    Rebuilt(u64),
}

/// A process's indexer: its index and what it saw above its cursor.
pub struct Indexer {
    index: Index,
    seen: BTreeSet<i64>,
    holes: BTreeMap<i64, Instant>,
}

impl Indexer {
    pub fn new(index: Index) -> Self {
        Indexer {
            index,
            seen: BTreeSet::new(),
            holes: BTreeMap::new(),
        }
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// One pass: rebuild if the cursor is missing or out of the outbox's range, else apply what
    /// is new. The server's loop calls it every few seconds; tests call it directly.
    #[tracing::instrument(level = "debug", skip_all)]
    pub async fn step(&mut self, db: &Store) -> Result<Step> {
        let pruned = store::pruned_through(db).await?;
        let last = store::last_change(db).await?;
        match self.index.cursor() {
            Some(c) if c >= pruned && c <= last => self.apply(db, c).await,
            _ => {
                let n = rebuild(db, &self.index, |_, _| {}).await?;
                self.seen.clear();
                self.holes.clear();
                Ok(Step::Rebuilt(n))
            }
        }
    }

    async fn apply(&mut self, db: &Store, cursor: i64) -> Result<Step> {
        let limit = BATCH + i64::try_from(self.seen.len()).unwrap_or(i64::MAX - BATCH);
        let rows: Vec<store::Change> = store::changes_after(db, cursor, limit)
            .await?
            .into_iter()
            .filter(|c| !self.seen.contains(&c.id))
            .collect();
        let applied = rows.len();
        if !rows.is_empty() {
            let mut by_source: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
            for c in &rows {
                by_source
                    .entry(c.source.clone())
                    .or_default()
                    .insert(c.record_id);
            }
            let mut removes: Vec<(&str, i64)> = Vec::new();
            let mut puts: Vec<Doc> = Vec::new();
            for (source, ids) in &by_source {
                let ids: Vec<i64> = ids.iter().copied().collect();
                let live = live_docs(db, source, &ids).await?;
                removes.extend(
                    ids.iter()
                        .filter(|id| !live.iter().any(|d| d.id == **id))
                        .map(|id| (source.as_str(), *id)),
                );
                puts.extend(live.into_iter().map(doc_of));
            }
            self.index.stage(false, &removes, &puts)?;
            self.seen.extend(rows.iter().map(|c| c.id));
        }
        let advanced = self.advance(cursor);
        if applied > 0 || advanced != cursor {
            self.index.commit(advanced)?;
        }
        Ok(if applied > 0 {
            Step::Applied(applied)
        } else {
            Step::Idle
        })
    }

    /// The new cursor: past every id seen without a hole below, and past holes waited out.
    fn advance(&mut self, mut cursor: i64) -> i64 {
        loop {
            let next = cursor + 1;
            if self.seen.remove(&next) {
                self.holes.remove(&next);
                cursor = next;
                continue;
            }
            if self.seen.is_empty() {
                return cursor;
            }
            let since = *self.holes.entry(next).or_insert_with(Instant::now);
            if since.elapsed() < HOLE_WAIT {
                return cursor;
            }
            self.holes.remove(&next);
            cursor = next;
        }
    }
}

/// Rebuilds the index from the store: every live record of every kind. `progress` is told
/// (done, total) after each page. Returns the number of documents.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn rebuild(db: &Store, index: &Index, mut progress: impl FnMut(u64, u64)) -> Result<u64> {
    let begun_at = store::last_change(db).await?;
    let pruned = store::pruned_through(db).await?;
    let total = count_all(db).await?;
    let result = async {
        index.stage(true, &[], &[])?;
        let mut done = 0u64;
        for source in store::SOURCES {
            let mut after = 0;
            loop {
                let rows = docs_after(db, source, after).await?;
                let Some(last) = rows.last() else { break };
                after = last.id;
                done += rows.len() as u64;
                let docs: Vec<Doc> = rows.into_iter().map(doc_of).collect();
                index.stage(false, &[], &docs)?;
                progress(done, total);
            }
        }
        index.commit((begun_at - REBUILD_REWIND).max(pruned).max(0))?;
        Ok::<u64, AppError>(done)
    }
    .await;
    if result.is_err() {
        index.rollback()?;
    }
    result
}

/// Deletes outbox rows older than [`KEEP`]; a process whose cursor is older rebuilds.
pub async fn prune(db: &Store, now: DateTime<Utc>) -> Result<i64> {
    let mut tx = db.change().await?;
    let through = store::prune(&mut tx, now - KEEP).await?;
    tx.commit_unaudited(Unaudited::SearchOutbox).await?;
    Ok(through)
}

async fn count_all(db: &Store) -> Result<u64> {
    let n = store::count_live::<Articles>(db).await?
        + store::count_live::<Offers>(db).await?
        + store::count_live::<Activities>(db).await?
        + store::count_live::<Library>(db).await?
        + store::count_live::<ModelWorkers>(db).await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

async fn live_docs(db: &Store, source: &str, ids: &[i64]) -> Result<Vec<SearchRow>> {
    Ok(match source {
        Articles::SOURCE => store::docs_by_ids::<Articles>(db, ids).await?,
        Offers::SOURCE => store::docs_by_ids::<Offers>(db, ids).await?,
        Activities::SOURCE => store::docs_by_ids::<Activities>(db, ids).await?,
        Library::SOURCE => store::docs_by_ids::<Library>(db, ids).await?,
        ModelWorkers::SOURCE => store::docs_by_ids::<ModelWorkers>(db, ids).await?,
        other => {
            tracing::warn!(source = other, "搜索变更来自未知的表，已忽略");
            Vec::new()
        }
    })
}

async fn docs_after(db: &Store, source: &str, after: i64) -> Result<Vec<SearchRow>> {
    Ok(match source {
        Articles::SOURCE => store::docs_after::<Articles>(db, after, REBUILD_PAGE).await?,
        Offers::SOURCE => store::docs_after::<Offers>(db, after, REBUILD_PAGE).await?,
        Activities::SOURCE => store::docs_after::<Activities>(db, after, REBUILD_PAGE).await?,
        Library::SOURCE => store::docs_after::<Library>(db, after, REBUILD_PAGE).await?,
        ModelWorkers::SOURCE => store::docs_after::<ModelWorkers>(db, after, REBUILD_PAGE).await?,
        _ => Vec::new(),
    })
}

/// A store row as the index takes it.
fn doc_of(r: SearchRow) -> Doc {
    Doc {
        kind: r.kind,
        id: r.id,
        title: r.title,
        body: r.body,
        tags: r.tags.replace(',', " "),
        org_path: r.org_path,
        org_name: r.org_name,
        published_at: r.published_at.unwrap_or(DateTime::<Utc>::UNIX_EPOCH),
        expires_at: r.expires_at,
        audience_region: r.audience_region.filter(|s| !s.is_empty()),
        audience_tags: r
            .audience_tags
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect(),
    }
}
