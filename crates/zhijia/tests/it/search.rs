//! Search (搜索) on both backends: Chinese words in any order, audience, publication state
//! (withdrawn, scheduled), two processes' indexes on one database, rebuilds, and the case
//! form's knowledge-base suggestions. The indexer is driven step by step, never by sleeping.

use crate::benefit::{members, shop};
use crate::helpers::{TestDb, keys, site_with};
use crate::membership::world;
use crate::on_both;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use zhijia_app::search::{self as search, Indexer, Searcher, Step};
use zhijia_domain::org::OrgId;
use zhijia_domain::search::SearchKind;
use zhijia_search::Index;
use zhijia_store::Store;

/// An article, notice or answer written straight into the table (the article use cases are
/// not needed to test search): published at `published_at` unless `status` says otherwise.
async fn article(
    db: &Store,
    org: OrgId,
    kind: &str,
    title: &str,
    body: &str,
    published_at: DateTime<Utc>,
) -> i64 {
    let topic: Option<&str> = (kind == "answer").then_some("wages");
    db.execute(
        "INSERT INTO article (org_id, kind, topic, title, summary, body, body_html, tags, status, \
         created_at, published_at) \
         VALUES ($1, $2, $3, $4, '', $5, '', '', 'published', $6, $7)",
        &[
            &org.0,
            &kind,
            &topic,
            &title,
            &body,
            &Utc::now(),
            &published_at,
        ],
    )
    .await
    .unwrap();
    db.query_one("SELECT MAX(id) FROM article", &[])
        .await
        .unwrap()
}

/// Steps the indexer until it has nothing left to do.
async fn catch_up(db: &Store, indexer: &mut Indexer) {
    for _ in 0..20 {
        if indexer.step(db).await.unwrap() == Step::Idle {
            return;
        }
    }
    panic!("the indexer never caught up");
}

async fn ids(
    db: &Store,
    index: &Index,
    who: &Searcher,
    q: &str,
    kind: Option<SearchKind>,
    now: DateTime<Utc>,
) -> Vec<(SearchKind, i64)> {
    search::search(db, index, who, q, kind, 1, now)
        .await
        .unwrap()
        .hits
        .into_iter()
        .map(|h| (h.kind, h.id))
        .collect()
}

on_both!(
    takeout_rider_finds_an_article_with_the_two_words_in_the_other_order,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let now = Utc::now();
        let id = article(
            db,
            w.gz.tianhe.id,
            "article",
            "天河区新就业形态劳动者权益保障举措",
            "平台应为骑手缴纳职业伤害保障，午间外卖订单高峰时段设置休息点。",
            now - Duration::hours(1),
        )
        .await;
        let other = article(
            db,
            w.gz.tianhe.id,
            "article",
            "职工书屋开放时间调整",
            "周末照常开放，欢迎<b>职工</b>前来借阅。",
            now - Duration::hours(1),
        )
        .await;
        let mut indexer = Indexer::new(Index::in_memory().unwrap());
        catch_up(db, &mut indexer).await;
        let index = indexer.index().clone();
        let index = &index;
        let anyone = Searcher::anyone();
        assert_eq!(
            ids(db, index, &anyone, "外卖骑手", None, now).await,
            [(SearchKind::Article, id)]
        );
        let found = search::search(db, index, &anyone, "外卖骑手", None, 1, now)
            .await
            .unwrap();
        let snippet = &found.hits[0].snippet_html;
        assert!(
            snippet.contains("<b>骑手</b>") && snippet.contains("<b>外卖</b>"),
            "{snippet}"
        );
        // The text's own markup is escaped; only the highlight marks are HTML.
        let found = search::search(db, index, &anyone, "借阅", None, 1, now)
            .await
            .unwrap();
        assert_eq!(found.hits[0].id, other);
        assert!(
            found.hits[0]
                .snippet_html
                .contains("&lt;b&gt;职工&lt;/b&gt;"),
            "{}",
            found.hits[0].snippet_html
        );
        // A word jieba also cuts into shorter words (劳动合同: 劳动, 合同) highlights without harm.
        let contract = article(
            db,
            w.gz.tianhe.id,
            "article",
            "签订劳动合同须知",
            "劳动合同应当书面订立，劳动者与用人单位各执一份合同。",
            now - Duration::hours(1),
        )
        .await;
        catch_up(db, &mut indexer).await;
        let found = search::search(db, indexer.index(), &anyone, "劳动合同", None, 1, now)
            .await
            .unwrap();
        assert_eq!(found.hits[0].id, contract);
        assert!(
            found.hits[0].snippet_html.contains("<b>"),
            "{}",
            found.hits[0].snippet_html
        );
        let index = indexer.index();
        // Narrowed to another kind, nothing.
        assert!(
            ids(
                db,
                index,
                &anyone,
                "外卖骑手",
                Some(SearchKind::Answer),
                now
            )
            .await
            .is_empty()
        );
    }
);

on_both!(
    an_offer_outside_the_members_audience_is_not_found,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        // For Tianhe's outdoor workers only, and for everyone in Tianhe.
        let outdoor = shop(db, &keys, &w, 10, 1, &["outdoor"]).await;
        let open = shop(db, &keys, &w, 10, 1, &[]).await;
        let factory_worker = members(db, &w, 1).await.remove(0);
        let mut indexer = Indexer::new(Index::in_memory().unwrap());
        catch_up(db, &mut indexer).await;
        let now = Utc::now();
        let member = Searcher::of(db, Some(&factory_worker), now).await.unwrap();
        let found = ids(db, indexer.index(), &member, "清凉", None, now).await;
        assert_eq!(found, [(SearchKind::Offer, open.offer.0)]);
        assert!(!found.contains(&(SearchKind::Offer, outdoor.offer.0)));
        // Offers are for members: someone not signed in finds none.
        assert!(
            ids(db, indexer.index(), &Searcher::anyone(), "清凉", None, now)
                .await
                .is_empty()
        );
    }
);

on_both!(
    a_withdrawn_article_disappears_from_search,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let now = Utc::now();
        let id = article(
            db,
            w.gz.city.id,
            "notice",
            "关于开展职工疗休养的通知",
            "全市职工疗休养报名即日开始。",
            now - Duration::hours(1),
        )
        .await;
        let mut indexer = Indexer::new(Index::in_memory().unwrap());
        catch_up(db, &mut indexer).await;
        let anyone = Searcher::anyone();
        assert_eq!(
            ids(db, indexer.index(), &anyone, "疗休养", None, now).await,
            [(SearchKind::Notice, id)]
        );
        db.execute(
            "UPDATE article SET status = 'withdrawn' WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
        // Before this process's indexer catches up, the store's re-check already hides it.
        assert!(
            ids(db, indexer.index(), &anyone, "疗休养", None, now)
                .await
                .is_empty()
        );
        assert_eq!(indexer.step(db).await.unwrap(), Step::Applied(1));
        let after = search::search(db, indexer.index(), &anyone, "疗休养", None, 1, now)
            .await
            .unwrap();
        assert_eq!(after.total, 0, "gone from the index itself");
        // An expired notice is not found either.
        let expired = article(
            db,
            w.gz.city.id,
            "notice",
            "疗休养第二批报名",
            "第二批。",
            now - Duration::hours(2),
        )
        .await;
        db.execute(
            "UPDATE article SET expires_at = $2 WHERE id = $1",
            &[&expired, &(now - Duration::minutes(1))],
        )
        .await
        .unwrap();
        catch_up(db, &mut indexer).await;
        assert!(
            ids(db, indexer.index(), &anyone, "疗休养", None, now)
                .await
                .is_empty()
        );
    }
);

on_both!(
    a_scheduled_article_is_not_found_before_its_time,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let now = Utc::now();
        let id = article(
            db,
            w.gz.tianhe.id,
            "article",
            "新春送温暖活动预告",
            "送温暖慰问品发放安排。",
            now + Duration::hours(3),
        )
        .await;
        let mut indexer = Indexer::new(Index::in_memory().unwrap());
        catch_up(db, &mut indexer).await;
        let anyone = Searcher::anyone();
        assert!(
            ids(db, indexer.index(), &anyone, "送温暖", None, now)
                .await
                .is_empty()
        );
        assert_eq!(
            ids(
                db,
                indexer.index(),
                &anyone,
                "送温暖",
                None,
                now + Duration::hours(4)
            )
            .await,
            [(SearchKind::Article, id)]
        );
    }
);

on_both!(
    a_member_finds_articles_of_their_own_unions_and_not_a_sibling_countys,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let now = Utc::now();
        let own = article(
            db,
            w.gz.tianhe.id,
            "article",
            "天河区劳动竞赛",
            "劳动竞赛。",
            now,
        )
        .await;
        let sibling = article(
            db,
            w.gz.yuexiu.id,
            "article",
            "越秀区劳动竞赛",
            "劳动竞赛。",
            now,
        )
        .await;
        let answer = article(
            db,
            w.gz.yuexiu.id,
            "answer",
            "劳动竞赛奖金算工资吗",
            "算。",
            now,
        )
        .await;
        let phone = members(db, &w, 1).await.remove(0);
        let mut indexer = Indexer::new(Index::in_memory().unwrap());
        catch_up(db, &mut indexer).await;
        let member = Searcher::of(db, Some(&phone), now).await.unwrap();
        let mut found = ids(db, indexer.index(), &member, "劳动竞赛", None, now).await;
        found.sort_by_key(|(k, i)| (k.as_str(), *i));
        let mut want = vec![(SearchKind::Article, own), (SearchKind::Answer, answer)];
        want.sort_by_key(|(k, i)| (k.as_str(), *i));
        assert_eq!(found, want, "not the sibling county's {sibling}");
    }
);

on_both!(
    two_processes_indexes_on_one_database_both_catch_up,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let now = Utc::now();
        let mut first = Indexer::new(Index::in_memory().unwrap());
        let mut second = Indexer::new(Index::in_memory().unwrap());
        catch_up(db, &mut first).await;
        catch_up(db, &mut second).await;
        let id = article(
            db,
            w.gz.city.id,
            "article",
            "工会会员服务卡升级",
            "服务卡。",
            now,
        )
        .await;
        let anyone = Searcher::anyone();
        for indexer in [&mut first, &mut second] {
            assert_eq!(indexer.step(db).await.unwrap(), Step::Applied(1));
            assert_eq!(
                ids(db, indexer.index(), &anyone, "服务卡", None, now).await,
                [(SearchKind::Article, id)]
            );
        }
        db.execute(
            "UPDATE article SET title = '会员服务卡换新' WHERE id = $1",
            &[&id],
        )
        .await
        .unwrap();
        for indexer in [&mut first, &mut second] {
            catch_up(db, indexer).await;
            let found = search::search(db, indexer.index(), &anyone, "换新", None, 1, now)
                .await
                .unwrap();
            assert_eq!(found.hits.len(), 1);
            assert_eq!(found.hits[0].title, "会员服务卡换新");
        }
        // A process whose cursor is older than what the outbox keeps rebuilds.
        let through = search::prune(db, Utc::now() + search::KEEP + Duration::minutes(1))
            .await
            .unwrap();
        assert!(through > 0);
        let mut late = Indexer::new(Index::in_memory().unwrap());
        assert!(matches!(late.step(db).await.unwrap(), Step::Rebuilt(1)));
        assert!(matches!(
            first.step(db).await.unwrap(),
            Step::Idle | Step::Rebuilt(_)
        ));
    }
);

on_both!(a_rebuild_finds_the_same_results, |t: TestDb| async move {
    let db = &t.store;
    let w = world(db).await;
    let now = Utc::now();
    for (i, title) in ["工资集体协商指引", "工资支付条例解读", "集体合同范本"]
        .iter()
        .enumerate()
    {
        article(
            db,
            w.gz.city.id,
            "article",
            title,
            &format!("第{i}篇：工资与合同。"),
            now,
        )
        .await;
    }
    let mut indexer = Indexer::new(Index::in_memory().unwrap());
    catch_up(db, &mut indexer).await;
    let anyone = Searcher::anyone();
    let before = ids(db, indexer.index(), &anyone, "工资", None, now).await;
    assert_eq!(before.len(), 3);
    let fresh = Index::in_memory().unwrap();
    assert_eq!(search::rebuild(db, &fresh, |_, _| {}).await.unwrap(), 3);
    assert_eq!(ids(db, &fresh, &anyone, "工资", None, now).await, before);
    let again = search::rebuild(db, indexer.index(), |_, _| {})
        .await
        .unwrap();
    assert_eq!(again, 3);
    assert_eq!(
        ids(db, indexer.index(), &anyone, "工资", None, now).await,
        before
    );
});

on_both!(
    the_case_form_suggests_the_three_best_matching_answers,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let now = Utc::now() - Duration::minutes(5);
        let best = article(
            db,
            w.gz.prov.id,
            "answer",
            "被拖欠工资怎么办",
            "拖欠工资可以向劳动监察投诉。",
            now,
        )
        .await;
        let second = article(
            db,
            w.gz.prov.id,
            "answer",
            "公司拖欠加班费",
            "加班费也是工资。",
            now,
        )
        .await;
        let third = article(
            db,
            w.gz.prov.id,
            "answer",
            "工资条看不懂",
            "工资由几部分组成。",
            now,
        )
        .await;
        article(
            db,
            w.gz.prov.id,
            "answer",
            "试用期多长",
            "与工资无关的问题：试用期。",
            now,
        )
        .await;
        article(
            db,
            w.gz.prov.id,
            "article",
            "拖欠工资专项治理",
            "拖欠工资。",
            now,
        )
        .await;
        let index = Index::in_memory().unwrap();
        catch_up(db, &mut Indexer::new(index.clone())).await;
        let config = zhijia_web::WebConfig {
            search: Some(index),
            ..zhijia_web::WebConfig::default()
        };
        let base = site_with(&t, config).await;
        let http = reqwest::Client::new();
        let got: Value = http
            .get(format!("{base}/api/v1/knowledge/suggest"))
            .query(&[("q", "老板拖欠工资")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let got: Vec<i64> = got
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got.len(), 3, "{got:?}");
        assert_eq!(got[0], best);
        assert!(got.contains(&second) && got.contains(&third), "{got:?}");
        // The case form carries the script and the place for the answers.
        // (The page needs a signed-in worker; the script is served as an asset.)
        // The search page and the API answer the same search.
        let page = http
            .get(format!("{base}/search"))
            .query(&[("q", "拖欠工资"), ("kind", "answer")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains("法律知识") && page.contains("<b>拖欠</b>"),
            "{page}"
        );
        let api: Value = http
            .get(format!("{base}/api/v1/search"))
            .query(&[("q", "拖欠工资"), ("kind", "answer"), ("page", "1")])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(api["items"][0]["id"].as_i64(), Some(best));
        assert_eq!(api["items"][0]["kind_label"], "法律知识");
        let bad = http
            .get(format!("{base}/api/v1/search"))
            .query(&[("q", "工资"), ("kind", "nonsense")])
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), reqwest::StatusCode::UNPROCESSABLE_ENTITY);
    }
);
