//! Search (搜索): one box for workers over articles, notices, knowledge-base answers, offers,
//! activities, the library and the model-worker showcase (docs/search.md). The index answers
//! with what the reader may see as far as it knows (published by now, unexpired, in their
//! reach and audience); each hit of the page is then checked again against the store, so a
//! record withdrawn a moment ago, before this process's indexer caught up, is not shown.

mod indexer;

pub use indexer::{HOLE_WAIT, Indexer, KEEP, Step, prune, rebuild};

use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use zhijia_domain::search::SearchKind;
use zhijia_search::{Hit, Index, Mode, Query, SearchError, Viewer};
use zhijia_store::Store;
use zhijia_store::search::{self as store, Reader, Searchable};

impl From<SearchError> for AppError {
    fn from(e: SearchError) -> Self {
        AppError::Internal(e.to_string())
    }
}

/// Results on a page of the search box.
pub const PER_PAGE: usize = 10;
/// The longest query taken, in characters.
const MAX_QUERY: usize = 100;
/// How many answers the case form suggests.
pub const SUGGESTIONS: usize = 3;

/// A page of results.
#[derive(Debug, Clone)]
pub struct Found {
    /// Hits the index had in all (before the re-check of this page).
    pub total: usize,
    pub page: usize,
    pub hits: Vec<Hit>,
}

/// Who the signed-in worker is to search: a member (their union's chain, region and tags) or
/// anyone.
pub struct Searcher {
    viewer: Viewer,
    path: String,
    region: String,
    tags: String,
}

impl Searcher {
    /// Someone not signed in, or not a member.
    pub fn anyone() -> Self {
        Searcher {
            viewer: Viewer::Anyone,
            path: String::new(),
            region: String::new(),
            tags: String::new(),
        }
    }

    /// The worker behind `phone`: a member sees their union's chain and their audiences.
    pub async fn of(db: &Store, phone: Option<&str>, now: DateTime<Utc>) -> Result<Self> {
        let Some(phone) = phone else {
            return Ok(Self::anyone());
        };
        let member = match crate::audience::member(db, phone, now, "").await {
            Ok(m) => m,
            Err(AppError::Forbidden(_)) => return Ok(Self::anyone()),
            Err(e) => return Err(e),
        };
        let path = member.org.path.as_str().to_owned();
        let chain = chain_of(&path);
        let tags: Vec<String> = member
            .facts
            .tags
            .iter()
            .map(|t| t.as_str().to_owned())
            .collect();
        Ok(Searcher {
            region: member.facts.region.clone().unwrap_or_default(),
            tags: member.facts.tags_delimited(),
            viewer: Viewer::Member {
                chain,
                region: member.facts.region.clone(),
                tags,
            },
            path,
        })
    }

    fn reader(&self) -> Reader<'_> {
        Reader {
            path: &self.path,
            region: &self.region,
            tags: &self.tags,
        }
    }
}

/// A path and every path above it: `/1/12/` → `/1/`, `/1/12/`.
fn chain_of(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(i) = path[at + 1..].find('/') {
        at += i + 1;
        out.push(path[..=at].to_owned());
    }
    out
}

/// The kind a reader narrowed the search to, from what they sent ("" or nothing: all).
pub fn kind_of(typed: Option<&str>) -> Result<Option<SearchKind>> {
    match typed.map(str::trim).filter(|k| !k.is_empty()) {
        None => Ok(None),
        Some(k) => SearchKind::parse(k).map(Some).ok_or_else(|| {
            AppError::Invalid(zhijia_domain::ValidationError::new(
                "kind",
                "没有这种搜索类别",
            ))
        }),
    }
}

/// The search box: `page` from 1.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn search(
    db: &Store,
    index: &Index,
    who: &Searcher,
    text: &str,
    kind: Option<SearchKind>,
    page: usize,
    now: DateTime<Utc>,
) -> Result<Found> {
    let text: String = text.trim().chars().take(MAX_QUERY).collect();
    let page = page.clamp(1, 100);
    let kinds: Vec<SearchKind> = kind.into_iter().collect();
    let found = index.search(&Query {
        text: &text,
        kinds: &kinds,
        viewer: &who.viewer,
        now,
        mode: Mode::All,
        offset: (page - 1) * PER_PAGE,
        limit: PER_PAGE,
    })?;
    let hits = recheck(db, who, found.hits, now).await?;
    Ok(Found {
        total: found.total,
        page,
        hits,
    })
}

/// The knowledge-base answers that best match what a worker is typing as a case's title.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn suggest(
    db: &Store,
    index: &Index,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Hit>> {
    let text: String = text.trim().chars().take(MAX_QUERY).collect();
    let who = Searcher::anyone();
    let found = index.search(&Query {
        text: &text,
        kinds: &[SearchKind::Answer],
        viewer: &who.viewer,
        now,
        mode: Mode::Any,
        offset: 0,
        limit: SUGGESTIONS,
    })?;
    recheck(db, &who, found.hits, now).await
}

/// Keeps the hits the store says the reader may see now, in the index's order.
async fn recheck(
    db: &Store,
    who: &Searcher,
    hits: Vec<Hit>,
    now: DateTime<Utc>,
) -> Result<Vec<Hit>> {
    let mut by_source: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for h in &hits {
        by_source.entry(h.kind.source()).or_default().push(h.id);
    }
    let mut visible: Vec<(&str, i64)> = Vec::new();
    for (source, ids) in by_source {
        let ok = visible_of(db, source, &ids, who.reader(), now).await?;
        visible.extend(ok.into_iter().map(|id| (source, id)));
    }
    Ok(hits
        .into_iter()
        .filter(|h| visible.contains(&(h.kind.source(), h.id)))
        .collect())
}

async fn visible_of(
    db: &Store,
    source: &str,
    ids: &[i64],
    reader: Reader<'_>,
    now: DateTime<Utc>,
) -> Result<Vec<i64>> {
    use zhijia_store::search::{Activities, Articles, Library, ModelWorkers, Offers};
    Ok(match source {
        Articles::SOURCE => store::visible_ids::<Articles>(db, ids, reader, now).await?,
        Offers::SOURCE => store::visible_ids::<Offers>(db, ids, reader, now).await?,
        Activities::SOURCE => store::visible_ids::<Activities>(db, ids, reader, now).await?,
        Library::SOURCE => store::visible_ids::<Library>(db, ids, reader, now).await?,
        ModelWorkers::SOURCE => store::visible_ids::<ModelWorkers>(db, ids, reader, now).await?,
        _ => Vec::new(),
    })
}
