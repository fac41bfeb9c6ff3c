//! Comments (留言) under articles, on both backends: invisible to everyone but the writer until
//! an editor of the article's union features it, phone and identity numbers masked before
//! anyone (the editor too) sees them, a neighbouring branch's editor kept out, the writer's own
//! deletion, 40 members commenting at once; and the same through the API and the pages.

use crate::activity::factory_members;
use crate::aid::{PASSWORD, staff_with};
use crate::helpers::{TestDb, csrf_of, page_text, sign_in, worker_api_token};
use crate::membership::{Env, Reviewer, world};
use crate::membership_http::staff_token;
use crate::on_both;
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhijia_app::AppError;
use zhijia_app::article::comment;
use zhijia_domain::article::comment::CommentStatus;
use zhijia_domain::auth::Role;
use zhijia_domain::ids::ArticleId;
use zhijia_store::Store;
use zhijia_store::org::Org;
use zhijia_web::WebConfig;

const INSERT_ARTICLE: &str = "INSERT INTO article (org_id, kind, title, summary, body, body_html, \
     tags, status, created_at, published_at) VALUES ($1, 'article', $2, $3, $4, $5, '', $6, $7, $8)";
const ARTICLE_ID: &str = "SELECT id FROM article WHERE title = $1";

struct Id(i64);
impl zhijia_store::FromRow for Id {
    fn from_row(row: &zhijia_store::Row<'_, '_>) -> zhijia_store::Result<Self> {
        Ok(Id(row.get("id")?))
    }
}

/// An article row of `org` written directly (the article module's own use cases are not needed
/// here): `status` as stored, published at `published_at` when given. Titles are unique per test.
pub async fn article(
    db: &Store,
    org: &Org,
    title: &str,
    status: &str,
    published_at: Option<DateTime<Utc>>,
    body_html: &str,
) -> ArticleId {
    let now = Utc::now();
    db.execute(
        INSERT_ARTICLE,
        &[
            &org.id.0,
            &title,
            &format!("{title}的摘要"),
            &"正文",
            &body_html,
            &status,
            &now,
            &published_at,
        ],
    )
    .await
    .unwrap();
    let Id(id) = db.query_one(ARTICLE_ID, &[&title]).await.unwrap();
    ArticleId(id)
}

/// A published article of `org`, published an hour ago.
pub async fn published(db: &Store, org: &Org, title: &str) -> ArticleId {
    let at = Utc::now() - Duration::hours(1);
    article(db, org, title, "published", Some(at), "<p>正文</p>").await
}

const TEXT: &str = "加班费一直没发，请联系我 138 0013 8000，身份证440106199005050012";
const MASKED: &str = "加班费一直没发，请联系我 138****8000，身份证44**************12";

on_both!(
    a_comment_is_invisible_to_other_members_until_featured_and_its_numbers_are_masked,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let phones = factory_members(db, &env, &w, 1, 2).await;
        let id = published(db, &w.gz.tianhe, "天河区总工会：加班费怎么算").await;

        let c = comment::write(db, &phones[0], id, TEXT, Utc::now())
            .await
            .unwrap();
        assert_eq!(c.body, MASKED);
        assert_eq!(c.status, CommentStatus::Pending);

        let seen = |phone: Option<&'static str>| async move {
            comment::visible(db, phone, id, Utc::now(), None, None)
                .await
                .unwrap()
                .page
        };
        let writer: &'static str = Box::leak(phones[0].clone().into_boxed_str());
        let other: &'static str = Box::leak(phones[1].clone().into_boxed_str());
        assert_eq!(
            seen(Some(writer)).await.total,
            1,
            "the writer sees their own"
        );
        assert_eq!(seen(Some(other)).await.total, 0, "another member does not");
        assert_eq!(
            seen(None).await.total,
            0,
            "nor does a reader who is not signed in"
        );

        // The editor of the union sees it masked, in the queue of the branch.
        let editor = Reviewer::of(&w.gz.tianhe, Role::Editor);
        let (_, queue) = comment::queue(
            db,
            &editor.ctx(),
            None,
            CommentStatus::Pending,
            None,
            None,
            None,
        )
        .await
        .unwrap();
        assert_eq!(queue.total, 1);
        assert_eq!(queue.items[0].body, MASKED);
        assert!(!queue.items[0].body.contains("0013"));

        // An editor of a union above (the city) may feature it too; the tianhe editor does.
        comment::feature(db, &editor.ctx(), c.id).await.unwrap();
        assert!(matches!(
            comment::feature(db, &editor.ctx(), c.id).await,
            Err(AppError::Conflict(_))
        ));
        comment::reply(db, &editor.ctx(), c.id, "已转劳动关系部跟进", Utc::now())
            .await
            .unwrap();
        let page = seen(Some(other)).await;
        assert_eq!(page.total, 1, "featured: every reader sees it");
        assert_eq!(page.items[0].body, MASKED);
        assert_eq!(page.items[0].reply.as_deref(), Some("已转劳动关系部跟进"));
        assert_eq!(seen(None).await.total, 1);

        let log = zhijia_store::audit::of_target(db, "article_comment", &c.id.to_string(), 10)
            .await
            .unwrap();
        let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.contains(&"article.comment_featured"), "{actions:?}");
        assert!(actions.contains(&"article.comment_replied"), "{actions:?}");

        // Hidden: nobody sees it any more.
        comment::hide(db, &editor.ctx(), c.id).await.unwrap();
        assert_eq!(seen(Some(other)).await.total, 0);
        assert_eq!(seen(Some(writer)).await.total, 0);
    }
);

on_both!(
    a_neighbouring_branch_editor_cannot_feature_answer_or_hide_a_comment,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let phones = factory_members(db, &env, &w, 1, 1).await;
        let id = published(db, &w.gz.tianhe, "天河区总工会：夏季送清凉").await;
        let c = comment::write(db, &phones[0], id, "谢谢工会", Utc::now())
            .await
            .unwrap();
        let yuexiu = Reviewer::of(&w.gz.yuexiu, Role::Editor);
        let s = yuexiu.ctx();
        assert!(matches!(
            comment::feature(db, &s, c.id).await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            comment::reply(db, &s, c.id, "收到", Utc::now()).await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            comment::hide(db, &s, c.id).await,
            Err(AppError::NotFound(_))
        ));
        let (_, own) = comment::queue(db, &s, None, CommentStatus::Pending, None, None, None)
            .await
            .unwrap();
        assert_eq!(own.total, 0, "not in the neighbour's queue");
        assert!(matches!(
            comment::queue(
                db,
                &s,
                Some(w.gz.tianhe.id),
                CommentStatus::Pending,
                None,
                None,
                None
            )
            .await,
            Err(AppError::Forbidden(_))
        ));
        // A reviewer of the union itself is not an editor either.
        let reviewer = Reviewer::of(&w.gz.tianhe, Role::Reviewer);
        assert!(matches!(
            comment::feature(db, &reviewer.ctx(), c.id).await,
            Err(AppError::NotFound(_))
        ));
        // The city's administrator (above) may.
        let city = Reviewer::of(&w.gz.city, Role::OrgAdmin);
        comment::feature(db, &city.ctx(), c.id).await.unwrap();
    }
);

on_both!(
    a_member_deletes_their_own_comment_and_not_anothers,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let phones = factory_members(db, &env, &w, 1, 2).await;
        let id = published(db, &w.gz.tianhe, "天河区总工会：职工疗休养").await;
        let c = comment::write(db, &phones[0], id, "想报名", Utc::now())
            .await
            .unwrap();
        assert!(matches!(
            comment::delete_own(db, &phones[1], c.id).await,
            Err(AppError::NotFound(_))
        ));
        comment::delete_own(db, &phones[0], c.id).await.unwrap();
        let left = comment::visible(db, Some(&phones[0]), id, Utc::now(), None, None)
            .await
            .unwrap();
        assert_eq!(left.page.total, 0);
        assert!(matches!(
            comment::delete_own(db, &phones[0], c.id).await,
            Err(AppError::NotFound(_))
        ));
        // A deleted comment cannot be featured.
        let editor = Reviewer::of(&w.gz.tianhe, Role::Editor);
        assert!(matches!(
            comment::feature(db, &editor.ctx(), c.id).await,
            Err(AppError::Conflict(_))
        ));
    }
);

on_both!(
    comments_go_only_under_published_articles_whose_time_has_come,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let phones = factory_members(db, &env, &w, 1, 1).await;
        let hour = Duration::hours(1);
        let later = article(
            db,
            &w.gz.tianhe,
            "定时发布",
            "published",
            Some(Utc::now() + hour),
            "",
        )
        .await;
        let withdrawn = article(
            db,
            &w.gz.tianhe,
            "已撤回",
            "withdrawn",
            Some(Utc::now() - hour),
            "",
        )
        .await;
        let draft = article(db, &w.gz.tianhe, "草稿", "draft", None, "").await;
        for id in [later, withdrawn, draft] {
            assert!(matches!(
                comment::write(db, &phones[0], id, "你好", Utc::now()).await,
                Err(AppError::NotFound(_))
            ));
            assert!(matches!(
                comment::visible(db, None, id, Utc::now(), None, None).await,
                Err(AppError::NotFound(_))
            ));
        }
        let id = published(db, &w.gz.tianhe, "已发布").await;
        assert!(matches!(
            comment::write(db, &phones[0], id, &"长".repeat(501), Utc::now()).await,
            Err(AppError::Invalid(e)) if e.field == "body"
        ));
        assert!(matches!(
            comment::write(db, "13999999999", id, "我不是职工", Utc::now()).await,
            Err(AppError::NotFound(_))
        ));
    }
);

on_both!(
    forty_members_commenting_at_once_all_land,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let phones = factory_members(db, &env, &w, 1, 40).await;
        let id = published(db, &w.gz.tianhe, "天河区总工会：征集意见").await;
        let mut tasks = Vec::new();
        for (i, phone) in phones.into_iter().enumerate() {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                comment::write(&db, &phone, id, &format!("第{i}条意见"), Utc::now()).await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let editor = Reviewer::of(&w.gz.tianhe, Role::Editor);
        let (_, queue) = comment::queue(
            db,
            &editor.ctx(),
            None,
            CommentStatus::Pending,
            Some(id),
            Some(200),
            None,
        )
        .await
        .unwrap();
        assert_eq!(queue.total, 40);
        assert_eq!(queue.items.len(), 40);
    }
);

on_both!(
    the_api_and_the_pages_show_a_comment_masked_and_only_once_featured,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let phones = factory_members(db, &env, &w, 1, 3).await;
        let id = published(db, &w.gz.tianhe, "天河区总工会：工资集体协商").await;
        staff_with(db, "editor.tianhe", &[(Role::Editor, &w.gz.tianhe)]).await;
        staff_with(db, "editor.yuexiu", &[(Role::Editor, &w.gz.yuexiu)]).await;
        let config = WebConfig {
            pii_keys: Some(env.keys.clone()),
            ..WebConfig::default()
        };
        let base = crate::helpers::site_with(&t, config).await;
        let http = reqwest::Client::new();
        let writer = worker_api_token(&base, &phones[0]).await;
        let other = worker_api_token(&base, &phones[1]).await;

        let r = http
            .post(format!("{base}/api/v1/me/articles/{id}/comments"))
            .bearer_auth(&writer)
            .json(&json!({ "body": TEXT }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let c: Value = r.json().await.unwrap();
        assert_eq!(c["body"], MASKED);
        assert_eq!(c["status"], "pending");
        assert_eq!(c["mine"], true);
        let cid = c["id"].as_i64().unwrap();

        let list = |token: Option<String>| {
            let http = http.clone();
            let url = format!("{base}/api/v1/articles/{id}/comments");
            async move {
                let mut rq = http.get(url);
                if let Some(t) = token {
                    rq = rq.bearer_auth(t);
                }
                rq.send().await.unwrap().json::<Value>().await.unwrap()
            }
        };
        assert_eq!(list(Some(writer.clone())).await["total"], 1);
        assert_eq!(list(Some(other.clone())).await["total"], 0);
        assert_eq!(list(None).await["total"], 0);

        // The editor's queue (API) has it masked; the neighbour's editor gets 404 on it.
        let editor = staff_token(&base, "editor.tianhe", PASSWORD).await;
        let neighbour = staff_token(&base, "editor.yuexiu", PASSWORD).await;
        let q: Value = http
            .get(format!("{base}/api/v1/console/comments"))
            .bearer_auth(&editor)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(q["total"], 1);
        assert_eq!(q["items"][0]["body"], MASKED);
        let r = http
            .post(format!("{base}/api/v1/console/comments/{cid}/feature"))
            .bearer_auth(&neighbour)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        // Someone else's comment cannot be deleted by a member.
        let r = http
            .delete(format!("{base}/api/v1/me/comments/{cid}"))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);

        // The page under the article shows nothing to others yet.
        let anon = page_text(&http, format!("{base}/news/{id}/comments")).await;
        assert!(anon.contains("还没有精选留言"), "{anon}");
        assert!(!anon.contains("138****8000"));

        // Featured on the console's page: everyone sees it, masked.
        let console = sign_in(&base, "editor.tianhe", PASSWORD).await;
        let page = page_text(&console, format!("{base}/console/comments")).await;
        assert!(page.contains("138****8000"), "{page}");
        assert!(!page.contains("0013"), "{page}");
        let csrf = csrf_of(&page);
        let r = console
            .post(format!("{base}/console/comments/{cid}/feature"))
            .form(&[("csrf", csrf.as_str()), ("back", "/console/comments")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = http
            .post(format!("{base}/api/v1/console/comments/{cid}/reply"))
            .bearer_auth(&editor)
            .json(&json!({ "reply": "请到工会办公室面谈" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let all = list(Some(other.clone())).await;
        assert_eq!(all["total"], 1);
        assert_eq!(all["items"][0]["body"], MASKED);
        assert_eq!(all["items"][0]["reply"], "请到工会办公室面谈");
        assert_eq!(all["items"][0]["mine"], false);
        let anon = page_text(&http, format!("{base}/news/{id}/comments")).await;
        assert!(anon.contains("138****8000"), "{anon}");
        assert!(anon.contains("请到工会办公室面谈"), "{anon}");
        assert!(!anon.contains("0013 8000"), "{anon}");

        // A third member writes one on the page (one SMS code per phone a minute: a new phone).
        let member = crate::helpers::worker_signed_in(&base, &phones[2]).await;
        let page = page_text(&member, format!("{base}/news/{id}/comments")).await;
        let csrf = csrf_of(&page);
        let r = member
            .post(format!("{base}/news/{id}/comments"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("body", "再问一句：电话 13900139000"),
                ("back", format!("/news/{id}/comments").as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        assert!(page.contains("139****9000"), "{page}");
        assert!(page.contains("待精选，仅您可见"), "{page}");
        let r = member
            .post(format!("{base}/news/{id}/comments"))
            .form(&[("csrf", csrf.as_str()), ("body", "   ")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = http
            .delete(format!("{base}/api/v1/me/comments/{cid}"))
            .bearer_auth(&writer)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
    }
);
