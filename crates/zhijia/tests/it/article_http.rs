//! New media over HTTP, on both backends: the member's feed as JSON, likes once per member,
//! another branch's editor finding nothing of a draft, a worker refused every staff endpoint,
//! a cover that is not an image refused by its content, and the pages a reader opens.

use crate::aid::{PASSWORD, staff_with};
use crate::article::{FACTORY_PHONE, SHOP_PHONE, editors, input, published, readers};
use crate::helpers::{TestDb, demo_site, worker_api_token};
use crate::membership::world;
use crate::membership_http::staff_token;
use crate::on_both;
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhijia_domain::auth::Role;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

on_both!(
    a_member_reads_the_feed_as_json_and_likes_once,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        readers(db, &w).await;
        let (writer, reviewer) = editors(db, &w.gz.tianhe, "th").await;
        let id = published(db, (&writer, &reviewer), &input(&w.gz.tianhe, "天河区新闻")).await;
        let base = demo_site(&t).await;
        let http = reqwest::Client::new();
        let token = worker_api_token(&base, FACTORY_PHONE).await;
        let feed: Value = http
            .get(format!("{base}/api/v1/news/feed"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(feed["items"][0]["title"], "天河区新闻", "{feed}");
        assert_eq!(feed["org_name"], w.factory.name);
        let other = worker_api_token(&base, SHOP_PHONE).await;
        let feed: Value = http
            .get(format!("{base}/api/v1/news/feed"))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(feed["total"], 0, "a sibling county's member: {feed}");
        for _ in 0..3 {
            let r = http
                .put(format!("{base}/api/v1/news/{id}/like"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        let shown: Value = http
            .get(format!("{base}/api/v1/news/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(shown["like_count"], 1);
        let r = http
            .put(format!("{base}/api/v1/news/{id}/like"))
            .send()
            .await
            .unwrap();
        assert!(
            [StatusCode::UNAUTHORIZED, StatusCode::FORBIDDEN].contains(&r.status()),
            "likes need a session: {}",
            r.status()
        );
        for path in [
            "/news",
            &format!("/news/{id}"),
            &format!("/channels/{}", w.gz.tianhe.id),
        ] {
            let r = http.get(format!("{base}{path}")).send().await.unwrap();
            assert!(
                r.status().is_success() || r.status().is_redirection(),
                "{path}"
            );
        }
        let page = http
            .get(format!("{base}/news/{id}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("<h2>正文</h2>"),
            "the body is rendered Markdown"
        );
    }
);

on_both!(
    a_neighbouring_branchs_editor_gets_404_on_another_branchs_draft,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        staff_with(db, "news.tianhe", &[(Role::Editor, &w.gz.tianhe)]).await;
        staff_with(db, "news.yuexiu", &[(Role::OrgAdmin, &w.gz.yuexiu)]).await;
        let base = demo_site(&t).await;
        let http = reqwest::Client::new();
        let tianhe = staff_token(&base, "news.tianhe", PASSWORD).await;
        let body = json!({
            "org": w.gz.tianhe.id.0, "kind": "article", "title": "天河区草稿",
            "body": "正文", "tags": "工资"
        });
        let r = http
            .post(format!("{base}/api/v1/console/news"))
            .bearer_auth(&tianhe)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let yuexiu = staff_token(&base, "news.yuexiu", PASSWORD).await;
        let r = http
            .get(format!("{base}/api/v1/console/news/{id}"))
            .bearer_auth(&yuexiu)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = http
            .put(format!("{base}/api/v1/console/news/{id}"))
            .bearer_auth(&yuexiu)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        for step in ["submit", "approve", "withdraw"] {
            let r = http
                .post(format!("{base}/api/v1/console/news/{id}/{step}"))
                .bearer_auth(&yuexiu)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{step}");
        }
        // Nobody outside sees a draft.
        let r = http
            .get(format!("{base}/api/v1/news/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // The writer submits; approving their own is refused in words.
        let r = http
            .post(format!("{base}/api/v1/console/news/{id}/submit"))
            .bearer_auth(&tianhe)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = http
            .post(format!("{base}/api/v1/console/news/{id}/approve"))
            .bearer_auth(&tianhe)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
);

on_both!(
    a_worker_reaches_no_staff_endpoint_of_the_news,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        readers(db, &w).await;
        let (writer, reviewer) = editors(db, &w.gz.tianhe, "th").await;
        let id = published(db, (&writer, &reviewer), &input(&w.gz.tianhe, "已发布")).await;
        let base = demo_site(&t).await;
        let http = reqwest::Client::new();
        let worker = worker_api_token(&base, FACTORY_PHONE).await;
        let body = json!({ "kind": "article", "title": "冒充", "body": "正文" });
        let r = http
            .post(format!("{base}/api/v1/console/news"))
            .bearer_auth(&worker)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        for step in ["submit", "approve", "withdraw", "reshare"] {
            let r = http
                .post(format!("{base}/api/v1/console/news/{id}/{step}"))
                .bearer_auth(&worker)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{step}");
        }
        for path in [
            "/api/v1/console/news",
            "/api/v1/console/news/review",
            "/api/v1/console/channel",
        ] {
            let r = http
                .get(format!("{base}{path}"))
                .bearer_auth(&worker)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        }
        let r = http
            .post(format!("{base}/api/v1/console/news/images"))
            .bearer_auth(&worker)
            .body(PNG.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        // The console pages send a worker to sign in as staff.
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(format!("{base}/console/news"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_redirection() || r.status() == StatusCode::UNAUTHORIZED);
    }
);

on_both!(
    a_cover_upload_refuses_a_file_that_is_not_an_image_whatever_its_name,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        staff_with(db, "news.tianhe", &[(Role::Editor, &w.gz.tianhe)]).await;
        let base = demo_site(&t).await;
        let http = reqwest::Client::new();
        let token = staff_token(&base, "news.tianhe", PASSWORD).await;
        let r = http
            .post(format!("{base}/api/v1/console/news/images?name=cover.jpg"))
            .bearer_auth(&token)
            .body(b"<html><script>alert(1)</script></html>".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: Value = r.json().await.unwrap();
        assert!(e.to_string().contains("JPG"), "{e}");
        let r = http
            .post(format!("{base}/api/v1/console/news/images"))
            .bearer_auth(&token)
            .body(PNG.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let cover = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = http
            .post(format!("{base}/api/v1/console/news"))
            .bearer_auth(&token)
            .json(&json!({ "kind": "article", "title": "有封面", "body": "正文", "cover": cover }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        // A draft's cover is not public.
        let r = http
            .get(format!("{base}/news/images/{cover}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
);
