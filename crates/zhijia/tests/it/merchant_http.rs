//! The merchant's pages and the proposal and shop API on a real server: a cashier proposes an
//! offer and adds a shop from the pages (refused forms keep what was typed), the union's editor
//! approves it from the console with the audience ticked, members see the shop beside the
//! offer, and nobody else may see or decide anything.

use crate::aid::{PASSWORD, staff_with};
use crate::benefit::shop;
use crate::helpers::{TestDb, csrf_of, demo_site, keys, page_text, sign_in, worker_api_token};
use crate::membership::world;
use crate::on_both;
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhijia_domain::auth::Role;

on_both!(
    a_cashier_proposes_and_adds_a_shop_on_the_pages_and_the_editor_approves_from_the_console,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 5, 1, &[]).await;
        let till = staff_with(db, "till.http", &[(Role::MerchantStaff, &w.gz.city)]).await;
        let mut tx = db.change().await.unwrap();
        zhijia_store::benefit::link_staff(&mut tx, till.id, s.merchant)
            .await
            .unwrap();
        tx.commit_unaudited(zhijia_store::Unaudited::Fixture)
            .await
            .unwrap();
        let base = demo_site(&t).await;
        let cashier = sign_in(&base, "till.http", PASSWORD).await;

        // A refused proposal comes back with the reason and the title typed.
        let page = page_text(&cashier, format!("{base}/merchant/proposals")).await;
        assert!(page.contains("提报新优惠"), "{page}");
        let csrf = csrf_of(&page);
        let mut form = vec![
            ("csrf", csrf.clone()),
            ("title", "双十一<b>立减</b>".to_owned()),
            ("kind", "fixed_amount".to_owned()),
            ("value", "12.50".to_owned()),
            ("stock", "很多".to_owned()),
            ("per_member_limit", "1".to_owned()),
            ("claim_opens_at", String::new()),
            ("claim_closes_at", "2099-12-01T10:00".to_owned()),
            ("valid_days", "15".to_owned()),
        ];
        let r = cashier
            .post(format!("{base}/merchant/proposals"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.unwrap();
        assert!(body.contains("库存应为整数"), "{body}");
        assert!(
            body.contains("双十一&#60;b&#62;立减&#60;/b&#62;"),
            "typed title kept, escaped: {}",
            &body[body.find("name=\"title\"").unwrap_or(0)..][..200]
        );
        form[4].1 = "200".into();
        let r = cashier
            .post(format!("{base}/merchant/proposals"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.url().path(), "/merchant/proposals");
        assert!(r.text().await.unwrap().contains("待工会审核"));

        // A form without the session's token is refused before anything is read.
        for path in ["/merchant/shops", "/merchant/proposals"] {
            let r = cashier
                .post(format!("{base}{path}"))
                .form(&[("csrf", "x"), ("name", "冒名门店"), ("address", "某路1号")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        }
        // A shop: swapped coordinates refused, then added; the list links the map.
        let page = page_text(&cashier, format!("{base}/merchant/shops")).await;
        let csrf = csrf_of(&page);
        let shop_form = |lng: &str, lat: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("name", "天河城店".to_owned()),
                ("address", "天河路208号".to_owned()),
                ("longitude", lng.to_owned()),
                ("latitude", lat.to_owned()),
            ]
        };
        let r = cashier
            .post(format!("{base}/merchant/shops"))
            .form(&shop_form("23.137606", "113.324520"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.unwrap();
        assert!(
            body.contains("经度应在") && body.contains("天河路208号"),
            "{body}"
        );
        let r = cashier
            .post(format!("{base}/merchant/shops"))
            .form(&shop_form("113.324520", "23.137606"))
            .send()
            .await
            .unwrap();
        let body = r.text().await.unwrap();
        assert!(
            body.contains("https://uri.amap.com/marker?position=113.324520,23.137606"),
            "{body}"
        );

        // The proposal through the API too; the merchant lists both.
        let r = cashier
            .post(format!("{base}/api/v1/merchant/proposals"))
            .json(&json!({
                "title": "早餐免费领", "kind": "free_item", "value": 0, "stock": 10,
                "per_member_limit": 1, "claim_closes_at": "2099-01-01T00:00:00Z", "valid_days": 3
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let api_id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let mine: Value = cashier
            .get(format!("{base}/api/v1/merchant/proposals?limit=1"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            (
                mine["total"].as_i64(),
                mine["items"].as_array().unwrap().len()
            ),
            (Some(2), 1)
        );

        // Who may not decide: the cashier, a neighbouring district's editor, a worker's token.
        staff_with(db, "editor.yx.http", &[(Role::Editor, &w.gz.yuexiu)]).await;
        let neighbour = sign_in(&base, "editor.yx.http", PASSWORD).await;
        let r = cashier
            .get(format!("{base}/api/v1/offer-proposals"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = neighbour
            .post(format!("{base}/api/v1/offer-proposals/{api_id}/approve"))
            .json(&json!({ "publish": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = neighbour
            .get(format!("{base}/api/v1/merchants/{}/shops", s.merchant))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let token = worker_api_token(&base, "13900139001").await;
        for (method, path) in [
            ("GET", "/api/v1/offer-proposals".to_owned()),
            ("POST", format!("/api/v1/offer-proposals/{api_id}/reject")),
            ("GET", "/api/v1/merchant/proposals".to_owned()),
            ("POST", format!("/api/v1/merchants/{}/shops", s.merchant)),
        ] {
            let r = reqwest::Client::new()
                .request(method.parse().unwrap(), format!("{base}{path}"))
                .bearer_auth(&token)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert!(
                matches!(r.status(), StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN),
                "{method} {path}: {}",
                r.status()
            );
        }

        // The editor: rejects the API one with a reason, approves the page one from the
        // console with "outdoor workers" ticked and publishes it.
        let editor = sign_in(&base, &s.editor, PASSWORD).await;
        let r = editor
            .post(format!("{base}/api/v1/offer-proposals/{api_id}/reject"))
            .json(&json!({ "reason": "" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = editor
            .post(format!("{base}/api/v1/offer-proposals/{api_id}/reject"))
            .json(&json!({ "reason": "早餐店不在本次活动范围" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        // The union's own offer through the API: the terms sit at the top level of the JSON.
        let r = editor
            .post(format!("{base}/api/v1/offers"))
            .json(&json!({
                "org": w.gz.city.id.0, "merchant_id": s.merchant, "title": "接口立减券",
                "kind": "fixed_amount", "value": 300, "stock": 9, "per_member_limit": 1,
                "claim_closes_at": "2099-01-01T00:00:00Z", "valid_days": 5,
                "audience_tags": ["retired"], "publish": true
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let made = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let o = zhijia_store::benefit::offer(db, zhijia_domain::ids::OfferId(made))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (
                o.title.as_str(),
                o.value,
                o.stock_total,
                o.audience_tags.as_deref()
            ),
            ("接口立减券", 300, 9, Some("retired"))
        );
        let console = page_text(&editor, format!("{base}/console/offers")).await;
        assert!(console.contains("商户提报待审核"), "{console}");
        let start =
            console.find("/console/offer-proposals/").unwrap() + "/console/offer-proposals/".len();
        let page_id: String = console[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let csrf = csrf_of(&console);
        let r = editor
            .post(format!("{base}/console/offer-proposals/{page_id}/approve"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("org", &w.gz.city.id.0.to_string()),
                ("audience_region", ""),
                ("tag_outdoor", "on"),
                ("publish", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.url().path(), "/console/offers");
        let offers: Value = editor
            .get(format!("{base}/api/v1/offers"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let made = offers["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["title"] == "双十一<b>立减</b>")
            .expect("the approved offer");
        assert_eq!(made["status"], "published");
        assert_eq!(made["audience_tags"], "outdoor");
        assert_eq!(made["value"], 1250);
        let mine: Value = cashier
            .get(format!("{base}/api/v1/merchant/proposals"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let statuses: Vec<&str> = mine["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["status"].as_str().unwrap())
            .collect();
        assert_eq!(statuses, ["rejected", "approved"]);
        let page = page_text(&cashier, format!("{base}/merchant/proposals")).await;
        assert!(page.contains("早餐店不在本次活动范围"));
        // The union sees the shop the merchant added, with its coordinates.
        let shops: Value = editor
            .get(format!("{base}/api/v1/merchants/{}/shops", s.merchant))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(shops["items"][0]["longitude"], 113.32452);
        assert!(
            page_text(
                &editor,
                format!("{base}/console/merchants/{}/shops", s.merchant)
            )
            .await
            .contains("天河城店")
        );
    }
);

on_both!(
    a_member_sees_where_to_use_a_coupon_and_an_activity_made_for_outdoor_workers_is_hidden_from_a_clerk,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 5, 1, &[]).await;
        let env = crate::aid::AidEnv::new();
        crate::aid::member(db, &env, &w, "周八", "13600138866", 766).await;
        let base = demo_site(&t).await;
        let editor = sign_in(&base, &s.editor, PASSWORD).await;
        let r = editor
            .post(format!("{base}/api/v1/merchants/{}/shops", s.merchant))
            .json(&json!({ "name": "岗顶店", "address": "天河路600号", "longitude": 113.3351, "latitude": 23.1332 }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        // The console's activity form with the outdoor box ticked.
        let page = page_text(&editor, format!("{base}/console/activities")).await;
        assert!(page.contains("户外劳动者"), "the tag boxes are on the form");
        let csrf = csrf_of(&page);
        let r = editor
            .post(format!("{base}/console/activities"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("org_id", &w.gz.city.id.0.to_string()),
                ("title", "户外劳动者义诊"),
                ("place", "工会驿站"),
                ("starts_at", "2099-06-01T09:00"),
                ("ends_at", "2099-06-01T12:00"),
                ("capacity", "20"),
                ("description", ""),
                ("tag_outdoor", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert!(r.url().path().starts_with("/console/activities/"), "{}", r.url());
        let tagged: i64 = db
            .query_one(
                "SELECT COUNT(*) FROM activity WHERE title = '户外劳动者义诊' \
                 AND audience_tags = 'outdoor'",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(tagged, 1);
        // The factory member: the offer with its shop and map link; not the activity.
        let phone = crate::helpers::worker_signed_in(&base, "13600138866").await;
        let page = page_text(&phone, format!("{base}/benefits")).await;
        assert!(page.contains("岗顶店") && page.contains("uri.amap.com"), "{page}");
        let page = page_text(&phone, format!("{base}/activities")).await;
        assert!(!page.contains("户外劳动者义诊"), "{page}");
    }
);
