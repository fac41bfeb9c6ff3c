//! A channel's feeds for other clients: RSS 2.0 at `/channels/{org}/rss.xml` and Atom at
//! `/channels/{org}/atom.xml`, built with the `rss` and `atom_syndication` crates from
//! `zhijia_app::article::feed`: the channel's newest published articles and notices (a
//! withdrawn or scheduled article is not there), each linking to its page. Public, cached five
//! minutes by readers and proxies.

use crate::extract::Id;
use crate::{AppState, PageError};
use atom_syndication as atom;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, FixedOffset, Offset, Utc};
use zhijia_app::article::feed::{self, ChannelFeed};
use zhijia_domain::ids::OrgId;

/// The site's public address, ending in `/`: the configured `--public-url`, or else the
/// request's `Host` (a plain host name and port only) with the scheme the site is served by.
pub(crate) fn site(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(u) = state
        .config
        .public_url
        .as_deref()
        .map(str::trim)
        .filter(|u| !u.is_empty())
    {
        return format!("{}/", u.trim_end_matches('/'));
    }
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.len() <= 255
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if state.config.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}/")
}

fn beijing(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    let offset = FixedOffset::east_opt(8 * 3600).unwrap_or(Utc.fix());
    at.with_timezone(&offset)
}

/// The RSS 2.0 document of a channel (dates RFC 822, in Beijing time).
pub fn rss(f: &ChannelFeed, site: &str) -> String {
    let items: Vec<rss::Item> = f
        .items
        .iter()
        .map(|i| {
            let link = format!("{site}news/{}", i.id);
            rss::Item {
                title: Some(i.title.clone()),
                link: Some(link.clone()),
                description: Some(i.summary.clone()),
                guid: Some(rss::Guid {
                    value: link,
                    permalink: true,
                }),
                pub_date: Some(beijing(i.channel_published_at).to_rfc2822()),
                source: i.shared.then(|| rss::Source {
                    url: format!("{site}channels/{}/rss.xml", f.channel.org_id),
                    title: Some(i.author.clone()),
                }),
                ..Default::default()
            }
        })
        .collect();
    rss::Channel {
        title: f.title().to_owned(),
        link: format!("{site}channels/{}", f.channel.org_id),
        description: f.description(),
        language: Some("zh-cn".to_owned()),
        last_build_date: f.updated().map(|u| beijing(u).to_rfc2822()),
        generator: Some("zhijia".to_owned()),
        items,
        ..Default::default()
    }
    .to_string()
}

fn person(name: &str) -> atom::Person {
    atom::Person {
        name: name.to_owned(),
        ..Default::default()
    }
}

fn link(href: String, rel: &str) -> atom::Link {
    atom::Link {
        href,
        rel: rel.to_owned(),
        ..Default::default()
    }
}

/// The Atom document of a channel (dates RFC 3339, in Beijing time).
pub fn atom(f: &ChannelFeed, site: &str) -> String {
    let channel = format!("{site}channels/{}", f.channel.org_id);
    let entries: Vec<atom::Entry> = f
        .items
        .iter()
        .map(|i| {
            let href = format!("{site}news/{}", i.id);
            atom::Entry {
                title: atom::Text::plain(i.title.clone()),
                id: href.clone(),
                updated: beijing(i.channel_published_at),
                published: Some(beijing(i.published_at)),
                authors: vec![person(&i.author)],
                links: vec![link(href, "alternate")],
                summary: Some(atom::Text::plain(i.summary.clone())),
                ..Default::default()
            }
        })
        .collect();
    // A feed with no entry yet is as old as the epoch: nothing in it ever changed.
    let updated = f.updated().unwrap_or(DateTime::UNIX_EPOCH);
    atom::Feed {
        title: atom::Text::plain(f.title().to_owned()),
        id: channel.clone(),
        updated: beijing(updated),
        subtitle: Some(atom::Text::plain(f.description())),
        authors: vec![person(&f.channel.org_name)],
        links: vec![
            link(channel, "alternate"),
            link(
                format!("{site}channels/{}/atom.xml", f.channel.org_id),
                "self",
            ),
        ],
        lang: Some("zh-CN".to_owned()),
        generator: Some(atom::Generator {
            value: "zhijia".to_owned(),
            ..Default::default()
        }),
        entries,
        ..Default::default()
    }
    .to_string()
}

fn xml(body: String, content_type: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=300"),
            ),
        ],
        body,
    )
        .into_response()
}

async fn rss_xml(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(org): Id<OrgId>,
) -> Result<Response, PageError> {
    let f = feed::channel(&state.store, org, Utc::now()).await?;
    Ok(xml(
        rss(&f, &site(&state, &headers)),
        "application/rss+xml; charset=utf-8",
    ))
}

async fn atom_xml(
    State(state): State<AppState>,
    headers: HeaderMap,
    Id(org): Id<OrgId>,
) -> Result<Response, PageError> {
    let f = feed::channel(&state.store, org, Utc::now()).await?;
    Ok(xml(
        atom(&f, &site(&state, &headers)),
        "application/atom+xml; charset=utf-8",
    ))
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/channels/{org}/rss.xml", get(rss_xml))
        .route("/channels/{org}/atom.xml", get(atom_xml))
}
