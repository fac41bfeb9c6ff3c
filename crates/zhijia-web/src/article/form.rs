//! The console's article form: what it typed (to refill it), read into the use case's input
//! (times typed in Beijing time), the form of a stored article, and a form with one image.

use chrono::{DateTime, NaiveDateTime, Utc};
use std::collections::HashMap;
use zhijia_app::AppError;
use zhijia_app::article::ArticleInput;
use zhijia_domain::ids::ArticleImageId;
use zhijia_store::article::ArticleRecord;

/// What a form typed.
pub type Typed = HashMap<String, String>;

/// A typed value, or "".
pub fn value<'a>(typed: &'a Typed, k: &str) -> &'a str {
    typed.get(k).map_or("", String::as_str)
}

/// A `datetime-local` value in Beijing time; empty is none.
fn time(typed: &Typed, k: &'static str, label: &str) -> Result<Option<DateTime<Utc>>, AppError> {
    let v = value(typed, k).trim();
    if v.is_empty() {
        return Ok(None);
    }
    NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .ok()
        .map(|n| Some(crate::filters::from_beijing(n)))
        .ok_or_else(|| AppError::invalid(k, format!("{label}格式应为 年-月-日 时:分")))
}

fn shown(t: Option<DateTime<Utc>>) -> String {
    t.map(|t| crate::filters::beijing_fmt(&t, "%Y-%m-%dT%H:%M"))
        .unwrap_or_default()
}

/// The use case's input from a typed form.
pub fn input_of(f: &Typed) -> Result<ArticleInput, AppError> {
    let get = |k: &str| value(f, k).to_owned();
    let some = |k: &str| Some(get(k)).filter(|v| !v.trim().is_empty());
    let cover = match value(f, "cover").trim() {
        "" => None,
        c => Some(ArticleImageId(c.parse().map_err(|_| {
            AppError::invalid("cover", "封面图片编号应为数字")
        })?)),
    };
    Ok(ArticleInput {
        org: get("org").trim().parse().ok(),
        kind: get("kind"),
        topic: some("topic").filter(|_| value(f, "kind") == "answer"),
        title: get("title"),
        summary: get("summary"),
        body: get("body"),
        tags: get("tags"),
        source: some("source"),
        cover,
        pinned: value(f, "pinned") == "1",
        expires_at: time(f, "expires_at", "有效期")?,
        publish_at: time(f, "publish_at", "定时发布时间")?,
    })
}

/// The form of a stored article.
pub fn typed_of(r: &ArticleRecord) -> Typed {
    let t = &r.content.text;
    let pairs = [
        ("org", r.org_id.to_string()),
        ("kind", t.kind.as_str().to_owned()),
        (
            "topic",
            t.topic.map(|t| t.as_str().to_owned()).unwrap_or_default(),
        ),
        ("title", t.title.clone()),
        ("summary", t.summary.clone()),
        ("body", t.body.clone()),
        ("tags", t.tags.clone()),
        ("source", t.source.clone().unwrap_or_default()),
        ("cover", t.cover.map(|c| c.to_string()).unwrap_or_default()),
        ("pinned", if t.pinned { "1" } else { "" }.to_owned()),
        ("expires_at", shown(t.expires_at)),
        ("publish_at", shown(t.publish_at)),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// A form with text fields and one file (field `file`): its fields and the file's bytes.
pub async fn one_file(mut form: axum::extract::Multipart) -> Result<(Typed, Vec<u8>), AppError> {
    let broken = || AppError::invalid("cover", "上传不完整或图片过大(不超过 2 MB)，请重试");
    let mut fields = Typed::new();
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(|_| broken())? {
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            file = Some(field.bytes().await.map_err(|_| broken())?.to_vec());
        } else {
            fields.insert(name, field.text().await.map_err(|_| broken())?);
        }
    }
    let file = file
        .filter(|f| !f.is_empty())
        .ok_or_else(|| AppError::invalid("cover", "请选择图片"))?;
    Ok((fields, file))
}
