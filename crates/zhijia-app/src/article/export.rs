//! The WeChat official-account export (公众号排版) of an article: HTML that pastes cleanly into
//! the editor there, which keeps inline styles and drops everything else. The article's
//! sanitised body is cleaned again by ammonia with an export policy: only the elements of
//! `zhijia_domain::article::export::STYLES` are kept, each given its inline style and no other
//! attribute than a link's `href` and an image's `src`/`alt`; `script` and `style` go with
//! their content; relative addresses become absolute on the site's address, so images load
//! from the pasted copy. For the article's editors and administrators (any state: a post is
//! often prepared before publishing here); another branch's article is "not found".

use crate::caller::StaffCtx;
use crate::{AppError, Result};
use std::collections::{HashMap, HashSet};
use zhijia_domain::article::export::{BYLINE_STYLE, STYLES, TITLE_STYLE, WRAPPER_STYLE};
use zhijia_domain::ids::ArticleId;
use zhijia_store::Store;
use zhijia_store::article::export::{self as store, ExportSource};

/// The export of one article.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct WechatExport {
    #[schema(value_type = i64)]
    pub id: ArticleId,
    pub title: String,
    /// The HTML to paste: one `<section>` with inline styles only.
    pub html: String,
}

/// The article's export, for its union's editors and administrators (and those above).
/// `site` is the site's public address (`https://zhijia.example.cn/`), which relative image
/// and link addresses are resolved against.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn wechat(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: ArticleId,
    site: &str,
) -> Result<WechatExport> {
    let site =
        ammonia::Url::parse(site).map_err(|e| AppError::Config(format!("网站地址无效：{e}")))?;
    let a = store::get(db, id)
        .await?
        .filter(|a| staff.may_edit(&a.org_path))
        .ok_or(AppError::NotFound("文章"))?;
    Ok(WechatExport {
        id: a.id,
        title: a.title.clone(),
        html: render(&a, &site),
    })
}

/// The export's HTML: the title, a line with the union, date and source, and the body.
pub fn render(a: &ExportSource, site: &ammonia::Url) -> String {
    let mut byline = vec![a.org_name.clone()];
    if let Some(at) = a.published_at {
        byline.push(
            (at + chrono::Duration::hours(8))
                .format("%Y年%m月%d日")
                .to_string(),
        );
    }
    if let Some(s) = a.source.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        byline.push(format!("来源：{s}"));
    }
    format!(
        "<section style=\"{WRAPPER_STYLE}\"><h1 style=\"{TITLE_STYLE}\">{}</h1>\
         <p style=\"{BYLINE_STYLE}\">{}</p>{}</section>",
        escape(&a.title),
        escape(&byline.join(" · ")),
        clean_body(&a.body_html, site)
    )
}

/// Text as HTML: the five characters that matter escaped, nothing else (a paste keeps the
/// spaces and Chinese as they are).
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The body under the export policy (see the module's comment).
pub fn clean_body(html: &str, site: &ammonia::Url) -> String {
    let tags: HashSet<&str> = STYLES.iter().map(|(t, _)| *t).collect();
    let mut attributes: HashMap<&str, HashSet<&str>> = HashMap::new();
    attributes.insert("a", ["href"].into_iter().collect());
    attributes.insert("img", ["src", "alt"].into_iter().collect());
    let mut b = ammonia::Builder::empty();
    b.tags(tags)
        .tag_attributes(attributes)
        .url_schemes(["http", "https"].into_iter().collect())
        .url_relative(ammonia::UrlRelative::RewriteWithBase(site.clone()))
        .link_rel(None)
        .strip_comments(true)
        .clean_content_tags(["script", "style"].into_iter().collect());
    for (tag, style) in STYLES.iter().filter(|(_, s)| !s.is_empty()) {
        b.set_tag_attribute_value(tag, "style", style);
    }
    b.clean(html).to_string()
}
