//! New media (资讯) through the use cases, on both backends: the feed down the tree (a county's
//! article reaches a member of a grassroots union under it, not one under a sibling county),
//! four eyes on approval, withdrawal taking an article out of feeds and channels, re-shares
//! credited and gone with their source, scheduled publishing, and one like per member under
//! concurrent likes.

use crate::activity::member_of;
use crate::aid::{Officer, staff_with};
use crate::helpers::TestDb;
use crate::membership::{Env, World, world};
use crate::on_both;
use chrono::{Duration, Utc};
use zhijia_app::AppError;
use zhijia_app::article::reader;
use zhijia_app::article::{ArticleInput, Articles, channel};
use zhijia_app::publishable as pb;
use zhijia_domain::auth::Role;
use zhijia_domain::ids::ArticleId;
use zhijia_domain::publishing::PublishStatus;
use zhijia_store::Store;
use zhijia_store::org::Org;

pub const FACTORY_PHONE: &str = "13800001501";
pub const SHOP_PHONE: &str = "13800001502";

pub fn input(org: &Org, title: &str) -> ArticleInput {
    ArticleInput {
        org: Some(org.id.0),
        kind: "article".into(),
        title: title.into(),
        summary: "摘要".into(),
        body: "## 正文\n\n依据《劳动合同法》第三十条。".into(),
        tags: "工资,维权".into(),
        ..ArticleInput::default()
    }
}

/// A writer and a reviewer at `org`.
pub async fn editors(db: &Store, org: &Org, prefix: &str) -> (Officer, Officer) {
    let writer = staff_with(db, &format!("{prefix}.writer"), &[(Role::Editor, org)]).await;
    let reviewer = staff_with(db, &format!("{prefix}.reviewer"), &[(Role::OrgAdmin, org)]).await;
    (writer, reviewer)
}

/// Writes, submits and approves an article; returns its id.
pub async fn published(
    db: &Store,
    (writer, reviewer): (&Officer, &Officer),
    input: &ArticleInput,
) -> ArticleId {
    let id = pb::create::<Articles>(db, &writer.ctx(), input, Utc::now())
        .await
        .unwrap();
    pb::submit::<Articles>(db, &writer.ctx(), id).await.unwrap();
    let r = pb::approve::<Articles>(db, &reviewer.ctx(), id, Utc::now())
        .await
        .unwrap();
    assert_eq!(r.status, PublishStatus::Published);
    id
}

/// Members of the Tianhe factory and of the Yuexiu shop.
pub async fn readers(db: &Store, w: &World) {
    let env = Env::new();
    let factory = (&w.factory, "广州天河电子厂", w.factory_code.as_str());
    member_of(db, &env, factory, "读者甲", FACTORY_PHONE, 1501).await;
    let shop = (&w.shop, "越秀百货公司", w.shop_code.as_str());
    member_of(db, &env, shop, "读者乙", SHOP_PHONE, 1502).await;
}

async fn feed_titles(db: &Store, phone: &str) -> Vec<String> {
    let (_, page) = reader::feed(db, phone, Utc::now(), Some(50), None)
        .await
        .unwrap();
    page.items.into_iter().map(|i| i.title).collect()
}

async fn channel_titles(db: &Store, org: &Org) -> Vec<(String, Option<String>)> {
    let c = reader::channel(db, org.id, Utc::now(), Some(50), None)
        .await
        .unwrap();
    c.items
        .items
        .into_iter()
        .map(|i| (i.title, i.shared_by))
        .collect()
}

on_both!(
    a_county_article_reaches_members_of_unions_under_it_and_not_under_a_sibling_county,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        readers(db, &w).await;
        let (writer, reviewer) = editors(db, &w.gz.tianhe, "th").await;
        let (cw, cr) = editors(db, &w.gz.city, "city").await;
        published(
            db,
            (&writer, &reviewer),
            &input(&w.gz.tianhe, "天河区职工运动会报名"),
        )
        .await;
        published(db, (&cw, &cr), &input(&w.gz.city, "广州市劳模评选启动")).await;

        let factory = feed_titles(db, FACTORY_PHONE).await;
        assert!(
            factory.contains(&"天河区职工运动会报名".to_owned()),
            "{factory:?}"
        );
        assert!(
            factory.contains(&"广州市劳模评选启动".to_owned()),
            "{factory:?}"
        );
        let shop = feed_titles(db, SHOP_PHONE).await;
        assert_eq!(
            shop,
            vec!["广州市劳模评选启动".to_owned()],
            "Yuexiu sees the city only"
        );
        // A worker who never joined has an empty feed, not an error.
        let (org, page) = reader::feed(db, "13900009999", Utc::now(), None, None)
            .await
            .unwrap();
        assert!(org.is_none() && page.items.is_empty());
    }
);

on_both!(
    pinned_notices_that_have_not_expired_come_first_in_the_feed,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        readers(db, &w).await;
        let (writer, reviewer) = editors(db, &w.gz.tianhe, "th").await;
        let mut notice = input(&w.gz.tianhe, "关于春节慰问的通知");
        notice.kind = "notice".into();
        notice.pinned = true;
        notice.expires_at = Some(Utc::now() + Duration::days(3));
        published(db, (&writer, &reviewer), &notice).await;
        published(db, (&writer, &reviewer), &input(&w.gz.tianhe, "较新的资讯")).await;
        let feed = feed_titles(db, FACTORY_PHONE).await;
        assert_eq!(feed, vec!["关于春节慰问的通知", "较新的资讯"]);
    }
);

on_both!(
    the_writer_and_the_last_editor_cannot_approve_their_own_article,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let (writer, reviewer) = editors(db, &w.gz.tianhe, "th").await;
        let third = staff_with(db, "th.third", &[(Role::Editor, &w.gz.city)]).await;
        let id =
            pb::create::<Articles>(db, &writer.ctx(), &input(&w.gz.tianhe, "初稿"), Utc::now())
                .await
                .unwrap();
        // The reviewer edits it: now they are its last editor.
        pb::update::<Articles>(
            db,
            &reviewer.ctx(),
            id,
            &input(&w.gz.tianhe, "改稿"),
            Utc::now(),
        )
        .await
        .unwrap();
        pb::submit::<Articles>(db, &writer.ctx(), id).await.unwrap();
        for who in [&writer, &reviewer] {
            let e = pb::approve::<Articles>(db, &who.ctx(), id, Utc::now())
                .await
                .unwrap_err();
            assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
            let e = pb::send_back::<Articles>(db, &who.ctx(), id, "请补充来源")
                .await
                .unwrap_err();
            assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        }
        // Publishing directly is not a way around review.
        let e = pb::publish::<Articles>(db, &writer.ctx(), id, Utc::now())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
        // An editor of the city above may: a second person.
        let r = pb::approve::<Articles>(db, &third.ctx(), id, Utc::now())
            .await
            .unwrap();
        assert_eq!(r.status, PublishStatus::Published);
        assert_eq!(r.content.meta.reviewed_by, Some(third.id));
    }
);

on_both!(
    a_sent_back_article_returns_to_draft_with_its_reason,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let (writer, reviewer) = editors(db, &w.gz.tianhe, "th").await;
        let id =
            pb::create::<Articles>(db, &writer.ctx(), &input(&w.gz.tianhe, "初稿"), Utc::now())
                .await
                .unwrap();
        pb::submit::<Articles>(db, &writer.ctx(), id).await.unwrap();
        let e = pb::update::<Articles>(
            db,
            &writer.ctx(),
            id,
            &input(&w.gz.tianhe, "偷改"),
            Utc::now(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(e, AppError::Conflict(_)),
            "no edit in review: {e:?}"
        );
        let r = pb::send_back::<Articles>(db, &reviewer.ctx(), id, "请补充政策来源")
            .await
            .unwrap();
        assert_eq!(r.status, PublishStatus::Draft);
        assert_eq!(
            r.content.meta.review_note.as_deref(),
            Some("请补充政策来源")
        );
        let n: i64 = db
            .query_one(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'article.sent_back' AND target_id = $1",
                &[&id.to_string()],
            )
            .await
            .unwrap();
        assert_eq!(n, 1);
    }
);

on_both!(
    a_withdrawn_article_disappears_from_the_feed_and_the_channel,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        readers(db, &w).await;
        let (writer, reviewer) = editors(db, &w.gz.tianhe, "th").await;
        let id = published(
            db,
            (&writer, &reviewer),
            &input(&w.gz.tianhe, "将被撤回的资讯"),
        )
        .await;
        assert_eq!(feed_titles(db, FACTORY_PHONE).await.len(), 1);
        assert_eq!(channel_titles(db, &w.gz.tianhe).await.len(), 1);
        pb::withdraw::<Articles>(db, &writer.ctx(), id)
            .await
            .unwrap();
        assert!(feed_titles(db, FACTORY_PHONE).await.is_empty());
        assert!(channel_titles(db, &w.gz.tianhe).await.is_empty());
        let e = reader::article(db, id, Utc::now()).await.unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)));
    }
);

on_both!(
    a_reshare_credits_its_source_and_disappears_when_the_source_is_withdrawn,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let (cw, cr) = editors(db, &w.gz.city, "city").await;
        let (tw, _) = editors(db, &w.gz.tianhe, "th").await;
        let (yw, _) = editors(db, &w.gz.yuexiu, "yx").await;
        let source = published(db, (&cw, &cr), &input(&w.gz.city, "全市工会新闻")).await;
        let tianhe = Some(w.gz.tianhe.id);
        let shared = channel::reshare(db, &tw.ctx(), tianhe, source, Utc::now())
            .await
            .unwrap();
        let shown = channel_titles(db, &w.gz.tianhe).await;
        assert_eq!(
            shown,
            vec![("全市工会新闻".to_owned(), Some(w.gz.tianhe.name.clone()))]
        );
        let c = reader::channel(db, w.gz.tianhe.id, Utc::now(), None, None)
            .await
            .unwrap();
        assert_eq!(c.items.items[0].id, source, "opens the source");
        assert_eq!(
            c.items.items[0].org_name, w.gz.city.name,
            "credited to the city"
        );
        // Once per channel.
        let e = channel::reshare(db, &tw.ctx(), tianhe, source, Utc::now())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
        // Only from above: Yuexiu's editor cannot share into Tianhe, nor Tianhe a sibling's.
        let e = channel::reshare(db, &yw.ctx(), tianhe, source, Utc::now())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        pb::withdraw::<Articles>(db, &cw.ctx(), source)
            .await
            .unwrap();
        assert!(channel_titles(db, &w.gz.tianhe).await.is_empty());
        // A re-share is not a text of its own: it is neither edited nor sent for review.
        pb::withdraw::<Articles>(db, &tw.ctx(), shared)
            .await
            .unwrap();
        let e = pb::submit::<Articles>(db, &tw.ctx(), shared)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Conflict(_)), "{e:?}");
    }
);

on_both!(
    a_scheduled_article_is_not_in_the_feed_before_its_time,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        readers(db, &w).await;
        let (writer, reviewer) = editors(db, &w.gz.tianhe, "th").await;
        let mut later = input(&w.gz.tianhe, "明早发布的资讯");
        let at = Utc::now() + Duration::hours(12);
        later.publish_at = Some(at);
        let id = published(db, (&writer, &reviewer), &later).await;
        let r = pb::get::<Articles>(db, &writer.ctx(), id).await.unwrap();
        assert_eq!(r.published_at.map(|p| p.timestamp()), Some(at.timestamp()));
        assert!(feed_titles(db, FACTORY_PHONE).await.is_empty());
        assert!(channel_titles(db, &w.gz.tianhe).await.is_empty());
        assert!(reader::article(db, id, Utc::now()).await.is_err());
        // At its time it is there, with nothing flipped.
        let (_, page) = reader::feed(db, FACTORY_PHONE, at + Duration::minutes(1), None, None)
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
    }
);

on_both!(
    forty_concurrent_likes_by_one_member_count_once,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        readers(db, &w).await;
        let (writer, reviewer) = editors(db, &w.gz.tianhe, "th").await;
        let id = published(db, (&writer, &reviewer), &input(&w.gz.tianhe, "点赞的资讯")).await;
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                reader::like(&db, FACTORY_PHONE, id, true, Utc::now()).await
            }));
        }
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let a = reader::article(db, id, Utc::now()).await.unwrap();
        assert_eq!(a.like_count, 1);
        assert!(reader::liked(db, FACTORY_PHONE, id).await.unwrap());
        let l = reader::like(db, FACTORY_PHONE, id, false, Utc::now())
            .await
            .unwrap();
        assert_eq!((l.liked, l.like_count), (false, 0));
        let l = reader::like(db, FACTORY_PHONE, id, false, Utc::now())
            .await
            .unwrap();
        assert_eq!(l.like_count, 0, "an unlike without a like changes nothing");
        // A worker who is no member does not like.
        let e = reader::like(db, "13900009999", id, true, Utc::now())
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_) | AppError::Forbidden(_)));
        reader::open(db, id, Utc::now()).await.unwrap();
        assert_eq!(
            reader::article(db, id, Utc::now())
                .await
                .unwrap()
                .read_count,
            1
        );
    }
);

on_both!(
    knowledge_answers_are_listed_by_topic,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let (writer, reviewer) = editors(db, &w.gz.city, "city").await;
        let mut answer = input(&w.gz.city, "公司拖欠工资怎么办？");
        answer.kind = "answer".into();
        answer.topic = Some("wages".into());
        published(db, (&writer, &reviewer), &answer).await;
        let wages = reader::knowledge(db, Some("wages"), Utc::now(), None, None)
            .await
            .unwrap();
        assert_eq!(wages.total, 1);
        let injury = reader::knowledge(db, Some("injury"), Utc::now(), None, None)
            .await
            .unwrap();
        assert_eq!(injury.total, 0);
        assert!(
            reader::knowledge(db, Some("bogus"), Utc::now(), None, None)
                .await
                .is_err()
        );
    }
);
