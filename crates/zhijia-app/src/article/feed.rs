//! A channel's feed for other clients (RSS and Atom readers, a mini-program): the channel and
//! its newest published articles and notices. Public: what a feed carries is what anyone may
//! read on the channel's page. A withdrawn article, or one scheduled for later, is not in it.

use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::ids::OrgId;
use zhijia_store::Store;
use zhijia_store::article::feed::{self as store, FeedChannel, FeedItem};

/// How many entries a feed carries: the newest; readers keep what they fetched before.
pub const FEED_ITEMS: i64 = 50;

/// A channel with its newest entries.
#[derive(Debug, Clone)]
pub struct ChannelFeed {
    pub channel: FeedChannel,
    pub items: Vec<FeedItem>,
}

impl ChannelFeed {
    /// The channel's name: its own, or its union's.
    pub fn title(&self) -> &str {
        self.channel
            .name
            .as_deref()
            .unwrap_or(&self.channel.org_name)
    }

    /// The channel's intro, or a line naming the union.
    pub fn description(&self) -> String {
        match self.channel.intro.as_deref().map(str::trim) {
            Some(i) if !i.is_empty() => i.to_owned(),
            _ => format!("{}发布的资讯与通知公告", self.channel.org_name),
        }
    }

    /// When the feed last changed: its newest entry's publication here, if any.
    pub fn updated(&self) -> Option<DateTime<Utc>> {
        self.items.iter().map(|i| i.channel_published_at).max()
    }
}

/// The feed of the union `org`'s channel at `now`; an unknown union is "not found".
#[tracing::instrument(level = "debug", skip_all)]
pub async fn channel(db: &Store, org: OrgId, now: DateTime<Utc>) -> Result<ChannelFeed> {
    let channel = store::channel(db, org)
        .await?
        .ok_or(AppError::NotFound("频道"))?;
    let items = store::published(db, org, now, FEED_ITEMS).await?;
    Ok(ChannelFeed { channel, items })
}
