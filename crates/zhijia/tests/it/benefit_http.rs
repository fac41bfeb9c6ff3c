//! Benefits over HTTP on a real server: a member claims through the API with an
//! Idempotency-Key (twice, one coupon), sees the coupon and its QR on the page; a merchant's
//! cashier redeems it once on the redemption page; the editor's console; and who may do what.

use crate::benefit::shop;
use crate::helpers::{TestDb, csrf_of, demo_site, keys, page_text, sign_in, worker_signed_in};
use crate::membership::world;
use crate::on_both;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both!(
    a_member_claims_once_per_key_and_a_cashier_redeems_once_over_http,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 5, 2, &[]).await;
        let env = crate::aid::AidEnv::new();
        crate::aid::member(db, &env, &w, "周八", "13600138888", 777).await;
        let base = demo_site(&t).await;
        // Signed in on the phone; its session serves the JSON API too (writes as JSON).
        let phone = worker_signed_in(&base, "13600138888").await;
        let http = reqwest::Client::new();
        let claim = || {
            phone
                .post(format!("{base}/api/v1/me/offers/{}/claims", s.offer))
                .header("Idempotency-Key", "phone-retry-1")
                .json(&json!({}))
                .send()
        };
        let a: Value = claim().await.unwrap().json().await.unwrap();
        let b: Value = claim().await.unwrap().json().await.unwrap();
        assert_eq!(
            a["code"], b["code"],
            "a retried request gets the same coupon"
        );
        assert!(a["qr"].as_str().unwrap().starts_with("ZJQ1."));
        let mine: Value = phone
            .get(format!("{base}/api/v1/me/coupons"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(mine["total"], 1);
        // The offer list shows the stock left.
        let offers: Value = phone
            .get(format!("{base}/api/v1/me/offers"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(offers["items"][0]["offer"]["stock_left"], 4);
        assert_eq!(offers["items"][0]["claimed"], 1);

        // The member's pages: the offer with its button, the coupon with its QR.
        let page = page_text(&phone, format!("{base}/benefits")).await;
        assert!(page.contains("夏日清凉券") && page.contains("立减10.00元"));
        let csrf = csrf_of(&page);
        let start = page.find("name=\"key\" value=\"").unwrap() + "name=\"key\" value=\"".len();
        let key = &page[start..start + 64];
        let r = phone
            .post(format!("{base}/benefits/{}/claim", s.offer))
            .form(&[("csrf", csrf.as_str()), ("key", key)])
            .send()
            .await
            .unwrap();
        let (status, url) = (r.status(), r.url().path().to_owned());
        let coupons = r.text().await.unwrap();
        assert_eq!(
            url,
            "/benefits/coupons",
            "{status}: {}",
            &coupons[coupons.find("<main>").unwrap_or(0)..]
        );
        assert!(coupons.contains("<svg"), "usable coupons show a QR");
        // The limit is 2: a third claim is refused on the page with the reason.
        let r = phone
            .post(format!("{base}/benefits/{}/claim", s.offer))
            .form(&[("csrf", csrf.as_str()), ("key", "another")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r.text().await.unwrap().contains("限领2张"));

        // A cashier account for the shop, made by the city's editor through the API.
        let editor_page_client = sign_in(&base, &s.editor, crate::aid::PASSWORD).await;
        let acct: Value = editor_page_client
            .post(format!("{base}/api/v1/merchants/{}/accounts", s.merchant))
            .json(&json!({ "username": "cashier.one", "display_name": "收银员" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let first = acct["initial_password"].as_str().unwrap().to_owned();
        let cashier = sign_in(&base, "cashier.one", &first).await;
        let form = page_text(&cashier, format!("{base}/console/password")).await;
        let csrf = csrf_of(&form);
        let new = "Cashier2026pass!";
        cashier
            .post(format!("{base}/console/password"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("current", first.as_str()),
                ("new", new),
                ("confirm", new),
            ])
            .send()
            .await
            .unwrap();
        let redeem_page = page_text(&cashier, format!("{base}/merchant/redeem")).await;
        let csrf = csrf_of(&redeem_page);
        let code = a["code"].as_str().unwrap();
        let ok = cashier
            .post(format!("{base}/merchant/redeem"))
            .form(&[("csrf", csrf.as_str()), ("code", a["qr"].as_str().unwrap())])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(ok.contains("核销成功") && ok.contains("周*"), "{ok}");
        assert!(!ok.contains("周八"), "the merchant sees the masked name");
        let again = cashier
            .post(format!("{base}/merchant/redeem"))
            .form(&[("csrf", csrf.as_str()), ("code", code)])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.text().await.unwrap().contains("不能重复使用"));
        // The month's settlement: one line, masked, in JSON and as a workbook.
        let settle: Value = cashier
            .get(format!("{base}/api/v1/merchant/settlement"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(settle["redeemed"], 1);
        let own: Value = cashier
            .get(format!("{base}/api/v1/merchant/offers"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            own["items"][0]["stock_left"], 3,
            "the merchant follows its stock"
        );
        assert_eq!(settle["lines"][0]["member_name"], "周*");
        let xlsx = cashier
            .get(format!("{base}/api/v1/merchant/settlement.xlsx"))
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.status(), StatusCode::OK);
        assert!(
            xlsx.bytes().await.unwrap().starts_with(b"PK"),
            "a zip workbook"
        );
        // The same line on the merchant's redemptions page, masked; a bad month is refused.
        let page = page_text(&cashier, format!("{base}/merchant/redemptions")).await;
        assert!(
            page.contains(code) && page.contains("周*") && !page.contains("周八"),
            "{page}"
        );
        let r = cashier
            .get(format!("{base}/merchant/redemptions?month=2026-13"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let empty = page_text(
            &cashier,
            format!("{base}/merchant/redemptions?month=2020-01"),
        )
        .await;
        assert!(empty.contains("2020-01 没有核销记录"), "{empty}");
        // An editor is no merchant: no settlement for them.
        let r = editor_page_client
            .get(format!("{base}/api/v1/merchant/settlement"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // Who may do what: the cashier makes no offers; the neighbouring district's editor
        // sees none of Tianhe's; a worker token opens no staff endpoint.
        let r = cashier
            .post(format!("{base}/api/v1/offers/{}/withdraw", s.offer))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert!(
            matches!(r.status(), StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
            "{}",
            r.status()
        );
        crate::aid::staff_with(
            db,
            "editor.yuexiu",
            &[(zhijia_domain::auth::Role::Editor, &w.gz.yuexiu)],
        )
        .await;
        let yuexiu = sign_in(&base, "editor.yuexiu", crate::aid::PASSWORD).await;
        for (method, path) in [
            ("GET", format!("/api/v1/offers?org={}", w.gz.tianhe.id.0)),
            ("POST", format!("/api/v1/offers/{}/withdraw", s.offer)),
            ("POST", format!("/api/v1/merchants/{}/accounts", s.merchant)),
            ("GET", format!("/console/offers?org={}", w.gz.city.id.0)),
        ] {
            let req = match method {
                "GET" => yuexiu.get(format!("{base}{path}")),
                _ => yuexiu
                    .post(format!("{base}{path}"))
                    .json(&json!({ "username": "x.y", "display_name": "x" })),
            };
            let status = req.send().await.unwrap().status();
            assert!(
                matches!(status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
                "{method} {path}: {status}"
            );
            let r = match method {
                "GET" => phone.get(format!("{base}{path}")),
                _ => phone.post(format!("{base}{path}")).json(&json!({})),
            }
            .send()
            .await
            .unwrap();
            // The API answers 401; a console page sends the browser to the staff sign-in.
            let status = if r.url().path() == "/console/sign-in" {
                StatusCode::UNAUTHORIZED
            } else {
                r.status()
            };
            assert!(
                matches!(status, StatusCode::UNAUTHORIZED | StatusCode::SEE_OTHER),
                "{method} {path} with a worker's session: {status}"
            );
        }
        // The editor's console lists the offer with its stock.
        let console = page_text(
            &editor_page_client,
            format!("{base}/console/offers?org={}", w.gz.city.id.0),
        )
        .await;
        assert!(
            console.contains("夏日清凉券") && console.contains("3 / 5"),
            "{console}"
        );
        let doc: Value = http
            .get(format!("{base}/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(doc["paths"]["/api/v1/me/offers/{id}/claims"].is_object());
    }
);
