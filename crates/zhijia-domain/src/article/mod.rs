//! New media (资讯): what a union's channel publishes. Articles, notices (通知公告) and the
//! answers of the legal knowledge base (法律知识库) are one kind of publishable record with a
//! review step (see `publishing::Review`); this module holds their own rules: the kinds and
//! topics, the checked form of what an editor typed, the Markdown body rendered to safe HTML,
//! and the check of an uploaded image.
//!
//! Pure rules only. See docs/news.md.

pub mod comment;
pub mod export;

use crate::ValidationError;
use crate::attachment::FileKind;
use crate::ids::ArticleImageId;
use crate::publishing::line;
use chrono::{DateTime, Utc};

/// The largest image accepted (a cover or an avatar): a phone photo compressed for the web.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;
/// The longest body, in characters of Markdown.
pub const MAX_BODY: usize = 20_000;
/// How many tags an article may carry, and how long each may be.
pub const MAX_TAGS: usize = 5;
pub const MAX_TAG_CHARS: usize = 10;

state_enum! {
    /// What a channel publishes.
    pub enum Kind {
        /// 资讯: news of the union, reviewed, shown in the members' feed.
        Article = "article", "资讯";
        /// 通知公告: may be pinned to the top of the feed until it expires.
        Notice = "notice", "通知公告";
        /// An answer of the legal knowledge base, filed under a topic; public to read.
        Answer = "answer", "法律问答";
    }
}

state_enum! {
    /// The topics of the legal knowledge base.
    pub enum Topic {
        Wages = "wages", "工资";
        Contract = "contract", "劳动合同";
        SocialInsurance = "social_insurance", "社会保险";
        Injury = "injury", "工伤";
        GigWork = "gig_work", "新就业形态";
    }
}

/// What an editor typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct ArticleInput {
    pub kind: String,
    pub topic: Option<String>,
    pub title: String,
    pub summary: String,
    /// Markdown.
    pub body: String,
    /// Separated by commas, 、 or spaces.
    pub tags: String,
    pub source: Option<String>,
    pub cover: Option<ArticleImageId>,
    pub pinned: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub publish_at: Option<DateTime<Utc>>,
}

/// An article that passed the checks: what the channel stores of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedArticle {
    pub kind: Kind,
    pub topic: Option<Topic>,
    pub title: String,
    pub summary: String,
    pub body: String,
    /// The body rendered and sanitised ([`render`]): the only HTML pages show unescaped.
    pub body_html: String,
    /// Comma-separated, as stored.
    pub tags: String,
    pub source: Option<String>,
    pub cover: Option<ArticleImageId>,
    pub pinned: bool,
    pub expires_at: Option<DateTime<Utc>>,
    pub publish_at: Option<DateTime<Utc>>,
}

impl ArticleInput {
    /// Checks an article: a known kind (an answer needs its topic, and only an answer has
    /// one), title 1–60 characters, summary up to 120, body 1–20,000 (Markdown), up to five
    /// tags of ten characters, a source up to 60; only a notice is pinned or expires, and its
    /// expiry lies ahead.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<CheckedArticle, ValidationError> {
        let kind = Kind::parse(self.kind.trim())
            .ok_or_else(|| ValidationError::new("kind", "类型应为 资讯、通知公告 或 法律问答"))?;
        let topic = self.topic(kind)?;
        let title = line("title", "标题", &self.title, 1, 60)?;
        let summary = line("summary", "摘要", &self.summary, 0, 120)?;
        let body = self.body.trim().replace("\r\n", "\n").replace('\r', "\n");
        let n = body.chars().count();
        if n == 0
            || n > MAX_BODY
            || body
                .chars()
                .any(|c| crate::text::is_hidden(c) && c != '\n' && c != '\t')
        {
            return Err(ValidationError::new(
                "body",
                format!("正文请填写(不超过{MAX_BODY}个字，不含控制字符)"),
            ));
        }
        let source = match self
            .source
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) => Some(line("source", "来源", s, 1, 60)?),
            None => None,
        };
        let notice = kind == Kind::Notice;
        if !notice && (self.pinned || self.expires_at.is_some()) {
            return Err(ValidationError::new(
                "pinned",
                "只有通知公告可以置顶或设置有效期",
            ));
        }
        if self.expires_at.is_some_and(|e| e <= now) {
            return Err(ValidationError::new("expires_at", "有效期应晚于现在"));
        }
        Ok(CheckedArticle {
            kind,
            topic,
            title,
            summary,
            body_html: render(&body),
            body,
            tags: tags(&self.tags)?,
            source,
            cover: self.cover,
            pinned: notice && self.pinned,
            expires_at: self.expires_at,
            publish_at: self.publish_at,
        })
    }

    fn topic(&self, kind: Kind) -> Result<Option<Topic>, ValidationError> {
        let typed = self
            .topic
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        match (kind, typed) {
            (Kind::Answer, Some(t)) => Topic::parse(t).map(Some).ok_or_else(|| {
                ValidationError::new(
                    "topic",
                    "主题应为 工资、劳动合同、社会保险、工伤 或 新就业形态",
                )
            }),
            (Kind::Answer, None) => Err(ValidationError::new("topic", "法律问答请选择主题")),
            (_, Some(_)) => Err(ValidationError::new("topic", "只有法律问答有主题")),
            (_, None) => Ok(None),
        }
    }
}

/// Tags as stored: split on commas, 、 and spaces, trimmed, without repeats, joined by commas.
pub fn tags(typed: &str) -> Result<String, ValidationError> {
    let mut out: Vec<&str> = Vec::new();
    for t in typed
        .split([',', '，', '、', ' ', '\u{3000}'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        if t.chars().count() > MAX_TAG_CHARS || t.chars().any(crate::text::is_hidden) {
            return Err(ValidationError::new(
                "tags",
                format!("每个标签不超过{MAX_TAG_CHARS}个字"),
            ));
        }
        if !out.contains(&t) {
            out.push(t);
        }
    }
    if out.len() > MAX_TAGS {
        return Err(ValidationError::new(
            "tags",
            format!("标签最多{MAX_TAGS}个"),
        ));
    }
    Ok(out.join(","))
}

/// Renders a Markdown body to HTML and keeps only a safe subset: paragraphs, headings (h2–h4),
/// emphasis, lists, quotes, code, tables, line breaks, and links to `http(s)`/`mailto`
/// addresses (opened with `rel="noopener noreferrer"`). Raw HTML in the body is escaped by the
/// renderer, and whatever still looks like markup is cleaned by ammonia: no script, no event
/// attribute, no `javascript:` link, no image (images are uploaded as the cover).
pub fn render(markdown: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, html};
    let mut options = Options::empty();
    options.insert(Options::ENABLE_TABLES);
    options.insert(Options::ENABLE_STRIKETHROUGH);
    // Raw HTML is shown as text, never passed through.
    let events = Parser::new_ext(markdown, options).map(|e| match e {
        Event::Html(h) | Event::InlineHtml(h) => Event::Text(h),
        e => e,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events);
    sanitiser().clean(&out).to_string()
}

fn sanitiser() -> ammonia::Builder<'static> {
    let tags = [
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "strong",
        "em",
        "del",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "a",
        "hr",
    ];
    let mut b = ammonia::Builder::empty();
    b.add_tags(tags)
        .add_tag_attributes("a", ["href"])
        .add_tag_attributes("ol", ["start"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"));
    b
}

/// Checks an uploaded image by its content and size: only JPEG, PNG or WebP, at most
/// [`MAX_IMAGE_BYTES`]. A file renamed `.jpg` that is not an image is refused.
pub fn check_image(bytes: &[u8]) -> Result<FileKind, ValidationError> {
    if bytes.is_empty() {
        return Err(ValidationError::new("cover", "图片是空文件"));
    }
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(ValidationError::new(
            "cover",
            format!(
                "图片不能超过 {} MB，请压缩后再上传",
                MAX_IMAGE_BYTES / 1_048_576
            ),
        ));
    }
    match crate::attachment::sniff("图片", bytes) {
        Ok(kind) if kind.is_image() => Ok(kind),
        _ => Err(ValidationError::new(
            "cover",
            "图片应为 JPG、PNG 或 WebP 格式(按文件内容判断)",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(kind: &str) -> ArticleInput {
        ArticleInput {
            kind: kind.into(),
            title: "关于开展金秋助学的通知".into(),
            body: "正文".into(),
            ..ArticleInput::default()
        }
    }

    #[test]
    fn a_script_never_survives_the_rendering() {
        let html = render("你好<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "shown as text: {html}");
    }

    #[test]
    fn javascript_links_lose_their_address_and_web_links_keep_it() {
        let html = render("[点我](javascript:alert(1)) [官网](https://www.acftu.org)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains(r#"href="https://www.acftu.org""#), "{html}");
        assert!(html.contains("noopener"), "{html}");
        let html = render("[x](JaVaScRiPt:alert(1)) <a href=\"javascript:x\" onclick=\"y\">z</a>");
        // Every real tag is free of scripts; the raw HTML typed is shown as text.
        for tag in html
            .split('<')
            .skip(1)
            .map(|t| t.split('>').next().unwrap_or(""))
        {
            let tag = tag.to_lowercase();
            assert!(
                !tag.contains("javascript") && !tag.contains("onclick"),
                "{html}"
            );
        }
        assert!(html.contains("&lt;a href="), "{html}");
    }

    #[test]
    fn markdown_makes_headings_lists_and_emphasis() {
        let html = render("## 办理流程\n\n1. 提交申请\n2. **审核**\n\n> 依据《劳动合同法》");
        assert!(html.contains("<h2>办理流程</h2>"), "{html}");
        assert!(
            html.contains("<ol>") && html.contains("<strong>审核</strong>"),
            "{html}"
        );
        assert!(html.contains("<blockquote>"), "{html}");
    }

    #[test]
    fn an_answer_needs_a_topic_and_only_an_answer_has_one() {
        let now = Utc::now();
        let mut a = input("answer");
        assert_eq!(a.validate(now).unwrap_err().field, "topic");
        a.topic = Some("injury".into());
        assert_eq!(a.validate(now).unwrap().topic, Some(Topic::Injury));
        let mut n = input("article");
        n.topic = Some("wages".into());
        assert_eq!(n.validate(now).unwrap_err().field, "topic");
    }

    #[test]
    fn only_a_notice_is_pinned_and_its_expiry_lies_ahead() {
        let now = Utc::now();
        let mut a = input("article");
        a.pinned = true;
        assert_eq!(a.validate(now).unwrap_err().field, "pinned");
        let mut n = input("notice");
        n.pinned = true;
        n.expires_at = Some(now - chrono::Duration::hours(1));
        assert_eq!(n.validate(now).unwrap_err().field, "expires_at");
        n.expires_at = Some(now + chrono::Duration::days(7));
        assert!(n.validate(now).unwrap().pinned);
    }

    #[test]
    fn tags_are_split_trimmed_and_counted() {
        assert_eq!(tags(" 工资，欠薪、 维权 工资").unwrap(), "工资,欠薪,维权");
        assert!(tags("一,二,三,四,五,六").is_err());
        assert!(tags("这是一个超过十个字的很长的标签").is_err());
        assert_eq!(tags("").unwrap(), "");
    }

    #[test]
    fn only_jpeg_png_and_webp_images_are_accepted_by_content() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
        assert_eq!(check_image(png).unwrap(), FileKind::Png);
        assert!(check_image(b"<html><script>alert(1)</script></html>").is_err());
        assert!(
            check_image(b"%PDF-1.7\n1 0 obj\n").is_err(),
            "a PDF is no cover"
        );
        assert!(check_image(&vec![0u8; MAX_IMAGE_BYTES + 1]).is_err());
    }
}
