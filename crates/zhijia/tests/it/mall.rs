//! The points mall on both backends: stock, limits and balances stay exact under concurrent
//! orders; the same idempotency key gives the same order.

use crate::aid::{AidEnv, member, staff_with};
use crate::helpers::TestDb;
use crate::membership::{World, world};
use crate::on_both;
use chrono::Utc;
use zhijia_app::AppError;
use zhijia_app::mall::{self, ItemInput};
use zhijia_domain::auth::Role;
use zhijia_store::Store;

async fn item(
    db: &Store,
    w: &World,
    points: i64,
    stock: i64,
    limit: i64,
) -> zhijia_domain::ids::MallItemId {
    let editor = staff_with(db, "mall.editor", &[(Role::Editor, &w.gz.tianhe)]).await;
    mall::create_item(
        db,
        &editor.ctx(),
        &ItemInput {
            org: Some(w.gz.tianhe.id.0),
            title: "工会定制保温杯".into(),
            points,
            stock,
            per_member_limit: limit,
            ..Default::default()
        },
        Utc::now(),
    )
    .await
    .unwrap()
}

/// `n` members of the factory with `points` each; their phones.
async fn members_with_points(db: &Store, w: &World, n: u16, points: i64) -> Vec<String> {
    let env = AidEnv::new();
    let mut phones = Vec::new();
    for k in 0..n {
        let phone = format!("1350013{k:04}");
        member(db, &env, w, "会员", &phone, 300 + k).await;
        let worker = zhijia_store::worker::find_by_phone(db, &phone)
            .await
            .unwrap()
            .unwrap();
        // Joining may already have earned points (the first-join rule): top up to `points`.
        let have = zhijia_store::points::balance(db, worker.id).await.unwrap();
        if points > have {
            let mut tx = db.change().await.unwrap();
            zhijia_store::points::award(
                &mut tx,
                worker.id,
                points - have,
                zhijia_domain::points::PointsReason::Course,
                None,
                "seed",
                "测试积分",
            )
            .await
            .unwrap();
            tx.commit_unaudited(zhijia_store::Unaudited::Fixture)
                .await
                .unwrap();
        }
        phones.push(phone);
    }
    phones
}

async fn balance(db: &Store, phone: &str) -> i64 {
    let w = zhijia_store::worker::find_by_phone(db, phone)
        .await
        .unwrap()
        .unwrap();
    zhijia_store::points::balance(db, w.id).await.unwrap()
}

fn spawn_order(
    db: &Store,
    phone: String,
    item: zhijia_domain::ids::MallItemId,
    key: String,
) -> tokio::task::JoinHandle<Result<zhijia_store::mall::Order, AppError>> {
    let db = db.clone();
    tokio::spawn(async move { mall::order(&db, &phone, item, &key, Utc::now()).await })
}

on_both!(
    ten_members_ordering_at_once_from_a_stock_of_five_get_five_and_pay_exactly,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let id = item(db, &w, 30, 5, 1).await;
        let phones = members_with_points(db, &w, 10, 100).await;
        let handles: Vec<_> = phones
            .iter()
            .map(|p| spawn_order(db, p.clone(), id, "buy".into()))
            .collect();
        let mut ok = 0;
        for h in handles {
            match h.await.unwrap() {
                Ok(_) => ok += 1,
                Err(AppError::Conflict(m)) => assert!(m.contains("兑完"), "{m}"),
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(ok, 5);
        let mut total = 0;
        for p in &phones {
            total += balance(db, p).await;
        }
        assert_eq!(
            total,
            10 * 100 - 5 * 30,
            "exactly the five orders were paid"
        );
        let left: i64 = db
            .query_one("SELECT stock_left FROM mall_item WHERE id = $1", &[&id.0])
            .await
            .unwrap();
        assert_eq!(left, 0);
    }
);

on_both!(
    a_balance_of_100_and_ten_concurrent_orders_of_30_end_at_10_with_three_orders,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let id = item(db, &w, 30, 100, 10).await;
        let phone = members_with_points(db, &w, 1, 100).await.remove(0);
        let handles: Vec<_> = (0..10)
            .map(|i| spawn_order(db, phone.clone(), id, format!("tap-{i}")))
            .collect();
        let mut ok = 0;
        for h in handles {
            match h.await.unwrap() {
                Ok(_) => ok += 1,
                Err(AppError::Conflict(m)) => assert!(m.contains("积分不足"), "{m}"),
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!(ok, 3);
        assert_eq!(balance(db, &phone).await, 10);
        let left: i64 = db
            .query_one("SELECT stock_left FROM mall_item WHERE id = $1", &[&id.0])
            .await
            .unwrap();
        assert_eq!(left, 97, "refused orders give the stock back");
        // The same key again is the same order, and costs nothing.
        let again = mall::order(db, &phone, id, "tap-0", Utc::now()).await;
        let mine = mall::my_orders(db, &phone, None, None).await.unwrap();
        assert_eq!(mine.total, 3);
        if let Ok(o) = again {
            assert!(mine.items.iter().any(|m| m.id == o.id));
        }
        assert_eq!(balance(db, &phone).await, 10);
    }
);

on_both!(
    a_member_of_another_district_does_not_see_or_order_the_item,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let id = item(db, &w, 10, 10, 1).await;
        let phone = members_with_points(db, &w, 1, 100).await.remove(0);
        assert_eq!(mall::shelf(db, &phone).await.unwrap().items.len(), 1);
        // A Yuexiu member.
        let env = AidEnv::new();
        let yuexiu = "13500139999";
        let idn = crate::membership::id_number("440104", (1991, 3, 3), 41);
        let sub = zhijia_app::membership::join::apply(
            &env.env.ctx(db),
            yuexiu,
            &crate::membership::employee("吴九", &idn, "越秀百货", &w.shop_code),
            Utc::now(),
        )
        .await
        .unwrap();
        let reviewer = crate::membership::Reviewer::of(&w.shop, Role::Reviewer);
        zhijia_app::membership::join::decide(
            &env.env.ctx(db),
            &reviewer.ctx(),
            sub.application_id,
            zhijia_app::membership::join::Decision::Approve,
            Utc::now(),
        )
        .await
        .unwrap();
        assert!(mall::shelf(db, yuexiu).await.unwrap().items.is_empty());
        assert!(matches!(
            mall::order(db, yuexiu, id, "k", Utc::now()).await,
            Err(AppError::NotFound(_))
        ));
    }
);

on_both!(
    a_member_orders_on_the_mall_page_and_the_api_and_staff_keep_to_their_branch,
    |t: TestDb| async move {
        use reqwest::StatusCode;
        use serde_json::{Value, json};
        let db = &t.store;
        let w = world(db).await;
        let id = item(db, &w, 30, 10, 2).await;
        let phone = members_with_points(db, &w, 1, 100).await.remove(0);
        let base = crate::helpers::demo_site(&t).await;
        let worker = crate::helpers::worker_signed_in(&base, &phone).await;
        let page = crate::helpers::page_text(&worker, format!("{base}/mall")).await;
        assert!(page.contains("工会定制保温杯") && page.contains("<strong>100</strong>"));
        let csrf = crate::helpers::csrf_of(&page);
        let start = page.find("name=\"key\" value=\"").unwrap() + "name=\"key\" value=\"".len();
        let key = page[start..start + 64].to_owned();
        for _ in 0..2 {
            // A double tap on one page: one order.
            let r = worker
                .post(format!("{base}/mall/{id}/order"))
                .form(&[("csrf", csrf.as_str()), ("key", key.as_str())])
                .send()
                .await
                .unwrap();
            assert_eq!(r.url().path(), "/mall");
        }
        assert_eq!(balance(db, &phone).await, 70);
        // The API: the second order (limit 2) with a header key, then the limit.
        let r = worker
            .post(format!("{base}/api/v1/me/mall/{id}/orders"))
            .header("Idempotency-Key", "api-1")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let r = worker
            .post(format!("{base}/api/v1/me/mall/{id}/orders"))
            .header("Idempotency-Key", "api-2")
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let shelf: Value = worker
            .get(format!("{base}/api/v1/me/mall"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(shelf["balance"], 40);
        assert_eq!(shelf["items"][0]["stock_left"], 8);
        // Staff of the neighbouring district see none of Tianhe's items; a worker makes none.
        staff_with(db, "mall.yuexiu", &[(Role::Editor, &w.gz.yuexiu)]).await;
        let yuexiu = crate::helpers::sign_in(&base, "mall.yuexiu", crate::aid::PASSWORD).await;
        let r = yuexiu
            .get(format!("{base}/api/v1/mall/items?org={}", w.gz.tianhe.id.0))
            .send()
            .await
            .unwrap();
        assert!(matches!(
            r.status(),
            StatusCode::FORBIDDEN | StatusCode::NOT_FOUND
        ));
        let r = worker
            .post(format!("{base}/api/v1/mall/items"))
            .json(&json!({ "title": "x", "points": 1, "stock": 1, "per_member_limit": 1 }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        let editor = crate::helpers::sign_in(&base, "mall.editor", crate::aid::PASSWORD).await;
        let console = crate::helpers::page_text(&editor, format!("{base}/console/mall")).await;
        assert!(console.contains("8 / 10"), "{console}");
    }
);
