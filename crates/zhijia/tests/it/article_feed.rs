//! Feeds for other clients and the WeChat export, on both backends: a channel's RSS 2.0 and
//! Atom documents parse back with the same crates and carry the elements their specs require
//! (dates RFC 822 and RFC 3339), only published articles whose time has come, and a withdrawn
//! article leaves them; the WeChat export has inline styles only, no class, no style element,
//! no script, and absolute image addresses, for the article's editors alone.

use crate::aid::{PASSWORD, staff_with};
use crate::article_comment::{article, published};
use crate::helpers::{TestDb, page_text, sign_in};
use crate::membership::world;
use crate::membership_http::staff_token;
use crate::on_both;
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::Value;
use zhijia_domain::auth::Role;
use zhijia_web::WebConfig;

const SITE: &str = "https://zhijia.example.cn";

async fn site(t: &TestDb) -> String {
    let config = WebConfig {
        public_url: Some(SITE.into()),
        ..WebConfig::default()
    };
    crate::helpers::site_with(t, config).await
}

async fn fetch(url: String) -> (String, String) {
    let r = reqwest::get(url).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let kind = r
        .headers()
        .get("content-type")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    (kind, r.text().await.unwrap())
}

fn rss_titles(xml: &str) -> Vec<String> {
    let ch = rss::Channel::read_from(xml.as_bytes()).unwrap();
    // RSS 2.0: a channel has title, link and description; an item a title or a description.
    assert!(!ch.title().is_empty());
    assert!(ch.link().starts_with(SITE), "{}", ch.link());
    assert!(!ch.description().is_empty());
    for item in ch.items() {
        assert!(item.title().is_some_and(|t| !t.is_empty()));
        let link = item.link().unwrap();
        assert!(link.starts_with(&format!("{SITE}/news/")), "{link}");
        assert_eq!(item.guid().unwrap().value(), link);
        let date = item.pub_date().unwrap();
        DateTime::parse_from_rfc2822(date).unwrap_or_else(|e| panic!("{date}: {e}"));
    }
    if let Some(d) = ch.last_build_date() {
        DateTime::parse_from_rfc2822(d).unwrap();
    }
    ch.items()
        .iter()
        .map(|i| i.title().unwrap().to_owned())
        .collect()
}

/// Every `<updated>` and `<published>` of an Atom document, as written.
fn atom_dates(xml: &str) -> Vec<String> {
    let mut out = Vec::new();
    for tag in ["updated", "published"] {
        let open = format!("<{tag}>");
        for part in xml.split(&open).skip(1) {
            out.push(part.split('<').next().unwrap().to_owned());
        }
    }
    out
}

fn atom_titles(xml: &str) -> Vec<String> {
    let feed = atom_syndication::Feed::read_from(std::io::BufReader::new(xml.as_bytes())).unwrap();
    // Atom: a feed has id, title, updated and an author (or every entry has one); an entry
    // has id, title and updated.
    assert!(feed.id().starts_with(SITE));
    assert!(!feed.title().as_str().is_empty());
    assert!(!feed.authors().is_empty());
    for e in feed.entries() {
        assert!(e.id().starts_with(&format!("{SITE}/news/")), "{}", e.id());
        assert!(!e.title().as_str().is_empty());
        assert!(e.links().iter().any(|l| l.rel() == "alternate"));
    }
    let dates = atom_dates(xml);
    assert!(dates.len() > feed.entries().len(), "{dates:?}");
    for d in dates {
        DateTime::parse_from_rfc3339(&d).unwrap_or_else(|e| panic!("{d}: {e}"));
    }
    feed.entries()
        .iter()
        .map(|e| e.title().as_str().to_owned())
        .collect()
}

on_both!(
    rss_and_atom_carry_published_articles_and_not_withdrawn_or_scheduled_ones,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let org = &w.gz.tianhe;
        let hour = Duration::hours(1);
        let older = Utc::now() - Duration::days(1);
        article(db, org, "昨天的资讯", "published", Some(older), "").await;
        let today = published(db, org, "今天的资讯").await;
        article(db, org, "已撤回的资讯", "withdrawn", Some(older), "").await;
        article(
            db,
            org,
            "明天才发布",
            "published",
            Some(Utc::now() + hour),
            "",
        )
        .await;
        article(db, org, "还是草稿", "draft", None, "").await;
        published(db, &w.gz.yuexiu, "越秀区的资讯").await;
        let base = site(&t).await;

        let (kind, xml) = fetch(format!("{base}/channels/{}/rss.xml", org.id)).await;
        assert!(kind.starts_with("application/rss+xml"), "{kind}");
        assert_eq!(rss_titles(&xml), ["今天的资讯", "昨天的资讯"]);
        let (kind, xml) = fetch(format!("{base}/channels/{}/atom.xml", org.id)).await;
        assert!(kind.starts_with("application/atom+xml"), "{kind}");
        assert_eq!(atom_titles(&xml), ["今天的资讯", "昨天的资讯"]);

        // Withdrawn: gone from both.
        db.execute(
            "UPDATE article SET status = 'withdrawn' WHERE id = $1",
            &[&today.0],
        )
        .await
        .unwrap();
        let (_, xml) = fetch(format!("{base}/channels/{}/rss.xml", org.id)).await;
        assert_eq!(rss_titles(&xml), ["昨天的资讯"]);
        let (_, xml) = fetch(format!("{base}/channels/{}/atom.xml", org.id)).await;
        assert_eq!(atom_titles(&xml), ["昨天的资讯"]);

        // A channel with nothing yet is still a valid, empty feed; an unknown union is 404.
        let (_, xml) = fetch(format!("{base}/channels/{}/rss.xml", w.gz.prov.id)).await;
        assert!(rss_titles(&xml).is_empty());
        let (_, xml) = fetch(format!("{base}/channels/{}/atom.xml", w.gz.prov.id)).await;
        assert!(atom_titles(&xml).is_empty());
        let r = reqwest::get(format!("{base}/channels/999999/rss.xml"))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
);

const BODY: &str = "<h2 class=\"title\">标题</h2><p class=\"lead\" style=\"color:red\">正文\
     <a href=\"/news/3\">相关阅读</a></p><img src=\"/images/1.png\" alt=\"现场\">\
     <style>p{color:red}</style><script>alert(1)</script>\
     <p><img src=\"javascript:alert(1)\"></p>";

/// The start tags of an HTML fragment (`<p style=…>` → `p style=…`).
fn start_tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .filter(|t| !t.starts_with('/'))
        .map(|t| t.split('>').next().unwrap().to_owned())
        .collect()
}

on_both!(
    the_wechat_export_has_inline_styles_only_and_absolute_images,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let at = Some(Utc::now() - Duration::hours(1));
        let id = article(db, &w.gz.tianhe, "夏送清凉", "published", at, BODY).await;
        staff_with(db, "editor.tianhe", &[(Role::Editor, &w.gz.tianhe)]).await;
        staff_with(db, "editor.yuexiu", &[(Role::Editor, &w.gz.yuexiu)]).await;
        let base = site(&t).await;
        let http = reqwest::Client::new();
        let editor = staff_token(&base, "editor.tianhe", PASSWORD).await;
        let neighbour = staff_token(&base, "editor.yuexiu", PASSWORD).await;

        let url = format!("{base}/api/v1/console/articles/{id}/wechat");
        let r = http.get(&url).bearer_auth(&neighbour).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let e: Value = http
            .get(&url)
            .bearer_auth(&editor)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(e["title"], "夏送清凉");
        let html = e["html"].as_str().unwrap();
        assert!(!html.contains("class="), "{html}");
        assert!(!html.contains("<style"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("alert"), "{html}");
        assert!(!html.contains("color:red"), "{html}");
        assert!(
            html.contains(&format!("src=\"{SITE}/images/1.png\"")),
            "{html}"
        );
        assert!(html.contains(&format!("href=\"{SITE}/news/3\"")), "{html}");
        assert!(html.contains("广州市天河区总工会"), "{html}");
        for tag in start_tags(html) {
            let name = tag.split_whitespace().next().unwrap();
            if name != "br" {
                assert!(tag.contains("style=\""), "{tag}");
            }
            for attr in ["class=", "id=", "on"] {
                assert!(
                    !tag.split_whitespace().skip(1).any(|a| a.starts_with(attr)),
                    "{tag}"
                );
            }
        }

        // The console page shows the code to copy and links the preview, which allows inline
        // styles and no script.
        let console = sign_in(&base, "editor.tianhe", PASSWORD).await;
        let page = page_text(&console, format!("{base}/console/articles/{id}/wechat")).await;
        assert!(page.contains("公众号排版：夏送清凉"), "{page}");
        assert!(page.contains("&#60;section style="), "{page}");
        let r = console
            .get(format!("{base}/console/articles/{id}/wechat/preview"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let csp = r.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.contains("style-src 'unsafe-inline'"), "{csp}");
        assert!(!csp.contains("script-src"), "{csp}");
        let preview = r.text().await.unwrap();
        assert!(preview.contains(html), "{preview}");
        let other = sign_in(&base, "editor.yuexiu", PASSWORD).await;
        let r = other
            .get(format!("{base}/console/articles/{id}/wechat"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
);
