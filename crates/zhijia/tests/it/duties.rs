//! Separation of duties in granting roles (issue 14, Medium 5): an administrator cannot make a
//! merchant's cashier account (which it created, with a password it was shown) into a union
//! approver, cannot grant itself a role, and every appointment of an administrator, reviewer or
//! aid officer is shown to the unions above, not to neighbours.

use crate::aid::{PASSWORD, staff_with};
use crate::helpers::{TestDb, keys, site_with};
use crate::membership::world;
use crate::membership_http::staff_token;
use crate::on_both;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhijia_domain::auth::Role;

on_both!(
    nobody_grants_themselves_or_a_cashier_a_role_and_appointments_show_above,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let keys = keys();
        let admin = staff_with(db, "tianhe.admin", &[(Role::OrgAdmin, &w.gz.tianhe)]).await;
        staff_with(db, "city.admin", &[(Role::OrgAdmin, &w.gz.city)]).await;
        staff_with(db, "yuexiu.admin", &[(Role::OrgAdmin, &w.gz.yuexiu)]).await;
        staff_with(db, "factory.clerk", &[]).await;
        let ctx = zhijia_app::benefit::Ctx { db, keys: &keys };
        let merchant = zhijia_app::benefit::register_merchant(
            &ctx,
            &admin.ctx(),
            &zhijia_app::benefit::MerchantInput {
                org: Some(w.gz.tianhe.id.0),
                name: "天河便利店".into(),
                credit_code: crate::membership::employer_code("440106", 902),
                address: "天河路1号".into(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
        zhijia_app::benefit::create_merchant_account(
            &ctx,
            &admin.ctx(),
            merchant,
            "till.tianhe",
            "收银员",
        )
        .await
        .unwrap();
        let base = site_with(
            &t,
            zhijia_web::WebConfig {
                pii_keys: Some(keys.clone()),
                ..zhijia_web::WebConfig::default()
            },
        )
        .await;
        let http = reqwest::Client::new();
        let token = staff_token(&base, "tianhe.admin", PASSWORD).await;
        let grant = |org: i64, username: &'static str, role: &'static str| {
            http.post(format!("{base}/api/v1/orgs/{org}/grants"))
                .bearer_auth(&token)
                .json(&json!({ "username": username, "role": role }))
                .send()
        };
        let refused: Value = {
            let r = grant(w.gz.tianhe.id.0, "till.tianhe", "reviewer")
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN);
            r.json().await.unwrap()
        };
        assert!(
            refused["message"].as_str().unwrap().contains("商户店员"),
            "{refused}"
        );
        let r = grant(w.factory.id.0, "tianhe.admin", "aid_officer")
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let held = zhijia_store::staff::grants(db, admin.id).await.unwrap();
        assert_eq!(
            held.len(),
            1,
            "the admin still holds only its own grant: {held:?}"
        );
        let refusals = zhijia_store::audit::all(db, 50, 0)
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.action == "role.grant_refused")
            .count();
        assert_eq!(refusals, 2);

        // An appointment in the factory below Tianhe shows to Tianhe and to the city, not to
        // Yuexiu, and Yuexiu cannot look at Tianhe's.
        let r = grant(w.factory.id.0, "factory.clerk", "aid_officer")
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let below = |who: &'static str, org: i64| {
            let base = base.clone();
            async move {
                let token = staff_token(&base, who, PASSWORD).await;
                let r = reqwest::Client::new()
                    .get(format!("{base}/api/v1/orgs/{org}/grants/below"))
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                (status, r.text().await.unwrap())
            }
        };
        for (who, org) in [
            ("city.admin", w.gz.city.id.0),
            ("tianhe.admin", w.gz.tianhe.id.0),
        ] {
            let (status, body) = below(who, org).await;
            assert_eq!(status, StatusCode::OK);
            assert!(
                body.contains("factory.clerk")
                    && body.contains("aid_officer")
                    && body.contains("tianhe.admin"),
                "{who}: {body}"
            );
        }
        let (status, body) = below("yuexiu.admin", w.gz.yuexiu.id.0).await;
        assert_eq!(status, StatusCode::OK);
        assert!(!body.contains("factory.clerk"), "{body}");
        let (status, _) = below("yuexiu.admin", w.gz.tianhe.id.0).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        // The city's grants page shows it too.
        let city = crate::helpers::sign_in(&base, "city.admin", PASSWORD).await;
        let page = crate::helpers::page_text(
            &city,
            format!("{base}/console/orgs/{}/grants", w.gz.city.id.0),
        )
        .await;
        assert!(
            page.contains("factory.clerk") && page.contains("帮扶"),
            "{page}"
        );
    }
);
