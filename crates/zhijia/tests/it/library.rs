//! The workers' library (职工书屋) on both backends: items of every kind, only published ones
//! public (pages and API), links only https and opened safely, texts escaped, another branch's
//! staff find nothing, a worker's token opens no staff endpoint, every staff write audited.

use crate::aid::{PASSWORD, staff_with};
use crate::helpers::{TestDb, csrf_of, page_text, sign_in, worker_api_token};
use crate::membership::world;
use crate::membership_http::staff_token;
use crate::on_both;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhijia_app::AppError;
use zhijia_app::library::{Library, LibraryInput};
use zhijia_app::publishable as pb;
use zhijia_domain::auth::Role;
use zhijia_domain::publishing::PublishStatus;
use zhijia_store::Store;

fn item(org: i64, kind: &str, title: &str) -> LibraryInput {
    let mut i = LibraryInput {
        org: Some(org),
        kind: kind.into(),
        title: title.into(),
        author: "路遥".into(),
        summary: "普通劳动者的奋斗。".into(),
        ..LibraryInput::default()
    };
    match kind {
        "book" => i.place = Some("沙河街道职工书屋(二楼)".into()),
        "ebook" | "audiobook" => i.link = Some(format!("https://example.com/{kind}")),
        _ => i.body = "第一段。\n第二段。".into(),
    }
    i
}

async fn audited(db: &Store, action: &str, id: zhijia_domain::ids::PublishableId) -> i64 {
    db.query_one(
        "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND target_kind = 'library_item' \
         AND target_id = $2",
        &[&action, &id.to_string()],
    )
    .await
    .unwrap()
}

on_both!(
    items_of_every_kind_are_public_once_published_and_not_before_or_after,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let editor = staff_with(db, "lib.editor", &[(Role::Editor, &w.gz.tianhe)]).await;
        let org = w.gz.tianhe.id.0;
        let mut ids = Vec::new();
        for (kind, title) in [
            ("book", "平凡的世界"),
            ("ebook", "劳动法读本"),
            ("audiobook", "大国工匠"),
            ("reading", "读书笔记"),
        ] {
            let id = pb::create::<Library>(db, &editor.ctx(), &item(org, kind, title), Utc::now())
                .await
                .unwrap();
            pb::publish::<Library>(db, &editor.ctx(), id, Utc::now())
                .await
                .unwrap();
            ids.push(id);
        }
        let draft = pb::create::<Library>(
            db,
            &editor.ctx(),
            &item(org, "book", "草稿书目"),
            Utc::now(),
        )
        .await
        .unwrap();
        pb::withdraw::<Library>(db, &editor.ctx(), ids[2])
            .await
            .unwrap();
        assert!(matches!(
            pb::withdraw::<Library>(db, &editor.ctx(), ids[2]).await,
            Err(AppError::Conflict(_))
        ));
        assert!(matches!(
            pb::publish::<Library>(db, &editor.ctx(), ids[0], Utc::now()).await,
            Err(AppError::Conflict(_))
        ));
        for (action, n) in [
            ("library.created", 1),
            ("library.published", 1),
            ("library.withdrawn", 1),
        ] {
            assert_eq!(audited(db, action, ids[2]).await, n, "{action}");
        }
        let edited = pb::update::<Library>(
            db,
            &editor.ctx(),
            ids[0],
            &LibraryInput {
                summary: "黄土高原上普通劳动者的奋斗与尊严。".into(),
                ..item(org, "book", "平凡的世界")
            },
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(
            edited.status,
            PublishStatus::Published,
            "an edit keeps the status"
        );
        assert_eq!(audited(db, "library.updated", ids[0]).await, 1);

        let base = crate::helpers::demo_site(&t).await;
        let http = reqwest::Client::new();
        let shelf = page_text(&http, format!("{base}/library")).await;
        for shown in [
            "平凡的世界",
            "劳动法读本",
            "读书笔记",
            "沙河街道职工书屋(二楼)",
        ] {
            assert!(shelf.contains(shown), "{shown}: {shelf}");
        }
        assert!(!shelf.contains("大国工匠") && !shelf.contains("草稿书目"));
        for hidden in [draft, ids[2]] {
            for path in [
                format!("/library/{hidden}"),
                format!("/api/v1/library/{hidden}"),
            ] {
                let r = http.get(format!("{base}{path}")).send().await.unwrap();
                assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
            }
        }
        let list: Value = http
            .get(format!("{base}/api/v1/library"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 3);
        let ebooks: Value = http
            .get(format!("{base}/api/v1/library?kind=ebook"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(ebooks["total"], 1);
        assert_eq!(ebooks["items"][0]["kind_label"], "电子书");
        assert_eq!(ebooks["items"][0]["link"], "https://example.com/ebook");
        let page = page_text(&http, format!("{base}/library?kind=reading")).await;
        assert!(page.contains("读书笔记") && !page.contains("平凡的世界"));
        let yuexiu: Value = http
            .get(format!("{base}/api/v1/library?org={}", w.gz.yuexiu.id.0))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(yuexiu["total"], 0);
        let paged: Value = http
            .get(format!("{base}/api/v1/library?limit=2&offset=2"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(paged["total"], 3);
        assert_eq!(paged["items"].as_array().unwrap().len(), 1);
        assert_eq!(paged["items"][0]["title"], "平凡的世界", "oldest last");
        // The e-book's page opens its link safely; the guide shows its paragraphs.
        let ebook = page_text(&http, format!("{base}/library/{}", ids[1])).await;
        assert!(
            ebook.contains(
                "href=\"https://example.com/ebook\" target=\"_blank\" rel=\"noopener noreferrer\""
            ),
            "{ebook}"
        );
        let guide = page_text(&http, format!("{base}/library/{}", ids[3])).await;
        assert!(guide.contains("<p>第一段。</p>") && guide.contains("<p>第二段。</p>"));
        let home = page_text(&http, format!("{base}/")).await;
        assert!(home.contains("href=\"/library\""));
    }
);

on_both!(
    an_ebook_or_audiobook_without_an_https_link_is_refused,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let editor = staff_with(db, "lib.editor", &[(Role::Editor, &w.gz.tianhe)]).await;
        let org = w.gz.tianhe.id.0;
        for (kind, link) in [
            ("ebook", None),
            ("audiobook", Some("http://example.com/a")),
            ("ebook", Some("javascript:alert(1)")),
        ] {
            let input = LibraryInput {
                link: link.map(str::to_owned),
                ..item(org, kind, "没有链接")
            };
            match pb::create::<Library>(db, &editor.ctx(), &input, Utc::now()).await {
                Err(AppError::Invalid(v)) => assert_eq!(v.field, "link", "{kind} {link:?}"),
                other => panic!("{kind} {link:?}: {other:?}"),
            }
        }
        let no_place = LibraryInput {
            place: None,
            ..item(org, "book", "没有地点")
        };
        match pb::create::<Library>(db, &editor.ctx(), &no_place, Utc::now()).await {
            Err(AppError::Invalid(v)) => assert_eq!(v.field, "place"),
            other => panic!("{other:?}"),
        }
        let n: i64 = db
            .query_one("SELECT COUNT(*) FROM library_item", &[])
            .await
            .unwrap();
        assert_eq!(n, 0);
        // The console form comes back with the reason and what was typed.
        let base = crate::helpers::demo_site(&t).await;
        let staff = sign_in(&base, "lib.editor", PASSWORD).await;
        let csrf = csrf_of(&page_text(&staff, format!("{base}/console/library")).await);
        let org = org.to_string();
        let r = staff
            .post(format!("{base}/console/library"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("org", org.as_str()),
                ("kind", "audiobook"),
                ("title", "大国工匠(有声版)"),
                ("author", "职工书屋编辑部"),
                ("link", "http://example.com/audio"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("https://"), "{page}");
        assert!(page.contains("value=\"大国工匠(有声版)\""));
        assert!(page.contains("value=\"http://example.com/audio\""));
        assert!(page.contains("<option value=\"audiobook\" selected>"));
    }
);

on_both!(
    script_in_a_title_or_body_is_shown_as_text,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        staff_with(db, "lib.editor", &[(Role::Editor, &w.gz.tianhe)]).await;
        let base = crate::helpers::demo_site(&t).await;
        let staff = sign_in(&base, "lib.editor", PASSWORD).await;
        let csrf = csrf_of(&page_text(&staff, format!("{base}/console/library")).await);
        let org = w.gz.tianhe.id.0.to_string();
        let r = staff
            .post(format!("{base}/console/library"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("org", org.as_str()),
                ("kind", "reading"),
                ("title", "<script>alert(1)</script>"),
                ("author", "<img src=x onerror=alert(2)>"),
                ("summary", "\"><script>alert(3)</script>"),
                (
                    "body",
                    "<script>alert(4)</script>\n<a href=\"javascript:x\">点我</a>",
                ),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let path = r.url().path().to_owned();
        let id = path.rsplit('/').next().unwrap().to_owned();
        let r = staff
            .post(format!("{base}{path}/publish"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let http = reqwest::Client::new();
        for url in [format!("{base}/library/{id}"), format!("{base}/library")] {
            let page = page_text(&http, url.as_str()).await;
            assert!(
                page.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
                "{page}"
            );
            assert!(
                !page.contains("<script>") && !page.contains("<img"),
                "{url}"
            );
            assert!(!page.contains("href=\"javascript"));
        }
        let page = page_text(&http, format!("{base}/library/{id}")).await;
        assert!(page.contains("<p>&#60;script&#62;alert(4)&#60;/script&#62;</p>"));
        let console = page_text(&staff, format!("{base}{path}")).await;
        assert!(!console.contains("<script>") && !console.contains("<img"));
    }
);

on_both!(
    another_branchs_staff_find_no_item_and_a_worker_token_opens_no_staff_endpoint,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        staff_with(db, "lib.editor", &[(Role::Editor, &w.gz.tianhe)]).await;
        staff_with(db, "lib.yuexiu", &[(Role::OrgAdmin, &w.gz.yuexiu)]).await;
        crate::aid::member(
            db,
            &crate::aid::AidEnv::new(),
            &w,
            "读者",
            "13700001111",
            601,
        )
        .await;
        let base = crate::helpers::demo_site(&t).await;
        let http = reqwest::Client::new();
        let tianhe = staff_token(&base, "lib.editor", PASSWORD).await;
        let body = json!({
            "org": w.gz.tianhe.id.0, "kind": "ebook", "title": "劳动法读本",
            "author": "工会法律服务中心", "link": "https://example.com/law"
        });
        let r = http
            .post(format!("{base}/api/v1/console/library"))
            .bearer_auth(&tianhe)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = http
            .put(format!("{base}/api/v1/console/library/{id}"))
            .bearer_auth(&tianhe)
            .json(&json!({ "kind": "ebook", "title": "劳动法读本", "author": "工会法律服务中心" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "no link");

        let yuexiu = staff_token(&base, "lib.yuexiu", PASSWORD).await;
        let r = http
            .get(format!("{base}/api/v1/console/library/{id}"))
            .bearer_auth(&yuexiu)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = http
            .put(format!("{base}/api/v1/console/library/{id}"))
            .bearer_auth(&yuexiu)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        for step in ["publish", "withdraw"] {
            let r = http
                .post(format!("{base}/api/v1/console/library/{id}/{step}"))
                .bearer_auth(&yuexiu)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{step}");
        }
        let console = sign_in(&base, "lib.yuexiu", PASSWORD).await;
        let r = console
            .get(format!("{base}/console/library/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let csrf = csrf_of(&page_text(&console, format!("{base}/console/library")).await);
        let r = console
            .post(format!("{base}/console/library/{id}/publish"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        let worker = worker_api_token(&base, "13700001111").await;
        let r = http
            .post(format!("{base}/api/v1/console/library"))
            .bearer_auth(&worker)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = http
            .post(format!("{base}/api/v1/console/library/{id}/publish"))
            .bearer_auth(&worker)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let r = http
            .get(format!("{base}/api/v1/console/library"))
            .bearer_auth(&worker)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        // Still a draft: nobody outside sees it.
        let r = http
            .get(format!("{base}/api/v1/library/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = http
            .post(format!("{base}/api/v1/console/library/{id}/publish"))
            .bearer_auth(&tianhe)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let shown: Value = http
            .get(format!("{base}/api/v1/library/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(shown["title"], "劳动法读本");
        assert_eq!(
            audited(db, "library.created", zhijia_domain::ids::PublishableId(id)).await,
            1
        );
        assert_eq!(
            audited(
                db,
                "library.published",
                zhijia_domain::ids::PublishableId(id)
            )
            .await,
            1
        );
    }
);
