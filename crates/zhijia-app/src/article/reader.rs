//! What members and the public read of the channels, and what they do there: a member's feed
//! (their union and every union above it), a channel's page, the legal knowledge base, one
//! article, its read count (opens) and likes (one per member).

use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::article::Topic;
use zhijia_domain::ids::{ArticleId, OrgId};
use zhijia_store::article::channel::{self as channel_store, Channel};
use zhijia_store::article::reader::{self as store, Item};
use zhijia_store::org::{self as org_store, Org};
use zhijia_store::{Page, Store, Unaudited};

use super::PublicArticle;

/// A member's feed, and their union (none for a worker who is not a member yet: then the feed
/// is empty and the page says how to join).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn feed(
    db: &Store,
    phone: &str,
    now: DateTime<Utc>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<(Option<Org>, Page<Item>)> {
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    let worker = match crate::caller::worker_of_phone(db, phone).await {
        Ok(w) => Some(w),
        Err(AppError::NotFound(_)) => None,
        Err(e) => return Err(e),
    };
    let org = match worker.and_then(|w| w.org_id) {
        Some(id) => org_store::get(db, id).await?,
        None => None,
    };
    let page = match &org {
        Some(o) => store::feed(db, &o.path, now, limit, offset).await?,
        None => Page {
            items: Vec::new(),
            total: 0,
            offset,
            limit,
        },
    };
    Ok((org, page))
}

/// A channel as readers see it: its union, its settings if set, and a page of what it shows.
pub struct ChannelPage {
    pub org: Org,
    pub channel: Option<Channel>,
    pub items: Page<Item>,
}

impl ChannelPage {
    /// The channel's name: what its union set, or the union's name.
    pub fn name(&self) -> &str {
        self.channel.as_ref().map_or(&self.org.name, |c| &c.name)
    }
}

/// A union's channel, public.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn channel(
    db: &Store,
    org: OrgId,
    now: DateTime<Utc>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<ChannelPage> {
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    let org = org_store::get(db, org)
        .await?
        .ok_or(AppError::NotFound("频道"))?;
    let channel = channel_store::get(db, org.id).await?;
    let items = store::channel(db, org.id, now, limit, offset).await?;
    Ok(ChannelPage {
        org,
        channel,
        items,
    })
}

/// The legal knowledge base: published answers of one topic (typed as stored) or all.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn knowledge(
    db: &Store,
    topic: Option<&str>,
    now: DateTime<Utc>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Page<Item>> {
    let topic = match topic.map(str::trim).filter(|t| !t.is_empty()) {
        Some(t) => Some(Topic::parse(t).ok_or_else(|| {
            AppError::invalid(
                "topic",
                "主题应为 wages、contract、social_insurance、injury 或 gig_work",
            )
        })?),
        None => None,
    };
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    Ok(store::knowledge(db, topic, now, limit, offset).await?)
}

/// One published article (its time come); anything else does not exist for readers (404).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn article(db: &Store, id: ArticleId, now: DateTime<Utc>) -> Result<PublicArticle> {
    store::public(db, id, now)
        .await?
        .map(PublicArticle::from)
        .ok_or(AppError::NotFound("资讯"))
}

/// Counts an open of an article (sent by the page once it is shown, or by a mini-program).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn open(db: &Store, id: ArticleId, now: DateTime<Utc>) -> Result<()> {
    let mut tx = db.change().await?;
    if !store::count_read(&mut tx, id, now).await? {
        return Err(AppError::NotFound("资讯"));
    }
    tx.commit_unaudited(Unaudited::Tally).await?;
    Ok(())
}

/// Whether a member likes an article, and how many do.
#[derive(Debug, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
pub struct Likes {
    pub liked: bool,
    pub like_count: i64,
}

/// Likes (`on`) or unlikes an article, once per member: a member who likes twice counts once.
/// Only members like (a worker who never joined is told how).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn like(
    db: &Store,
    phone: &str,
    id: ArticleId,
    on: bool,
    now: DateTime<Utc>,
) -> Result<Likes> {
    let worker = crate::caller::worker_of_phone(db, phone).await?;
    if worker.org_id.is_none() {
        return Err(AppError::Forbidden("入会后才能点赞".into()));
    }
    article(db, id, now).await?;
    let mut tx = db.change().await?;
    if on {
        store::like(&mut tx, id, worker.id, now).await?;
    } else {
        store::unlike(&mut tx, id, worker.id).await?;
    }
    tx.commit_unaudited(Unaudited::OwnHistory).await?;
    Ok(Likes {
        liked: on,
        like_count: store::like_count(db, id).await?,
    })
}

/// Whether the worker of `phone` likes the article (false for anyone else).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn liked(db: &Store, phone: &str, id: ArticleId) -> Result<bool> {
    match crate::caller::worker_of_phone(db, phone).await {
        Ok(w) => Ok(store::likes(db, id, w.id).await?),
        Err(AppError::NotFound(_)) => Ok(false),
        Err(e) => Err(e),
    }
}
