//! Hardship aid over HTTP on a real server: every aid endpoint and page keeps to the caller's
//! branch, a worker token opens none, health and income are absent for roles other than the
//! aid officer, and the public notice masks names.

use crate::aid::{AidEnv, PASSWORD, approve_all, chain, daily, opened, staff_with};
use crate::helpers::{TestDb, sign_in};
use crate::membership::world;
use crate::on_both;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhijia_app::aid::{application, ledger};
use zhijia_domain::auth::Role;
use zhijia_web::WebConfig;

pub async fn start(t: &TestDb, env: &AidEnv) -> String {
    let config = WebConfig {
        demo: true,
        pii_keys: Some(env.env.keys.clone()),
        aid: env.settings.clone(),
        ..WebConfig::default()
    };
    let running = zhijia::serve::start(t.store.clone(), "127.0.0.1:0", config)
        .await
        .unwrap();
    format!("http://{}", running.addr)
}

on_both!(
    every_aid_endpoint_and_page_keeps_to_the_callers_branch,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let mut env = AidEnv::new();
        env.settings.notice_days = 0;
        let c = chain(db, &env, &w).await;
        let (file_id, _, _) = opened(db, &env, &w, &c).await;
        let ctx = env.ctx(db);
        let paid = application::apply(&ctx, &c.county.ctx(), &daily(file_id, 200_000), Utc::now())
            .await
            .unwrap();
        approve_all(db, &env, &c, paid, Utc::now()).await;
        let entry = ledger::disburse(
            &ctx,
            &c.county.ctx(),
            &ledger::DisbursementInput {
                application_id: paid,
                amount_fen: 50_000,
                fund_source: "工会帮扶专项资金".into(),
                method: "cash".into(),
                paid_on: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let pending =
            application::apply(&ctx, &c.county.ctx(), &daily(file_id, 100_000), Utc::now())
                .await
                .unwrap();
        staff_with(
            db,
            "aid.yuexiu",
            &[
                (Role::OrgAdmin, &w.gz.yuexiu),
                (Role::AidOfficer, &w.gz.yuexiu),
            ],
        )
        .await;
        let base = start(&t, &env).await;
        let yuexiu = sign_in(&base, "aid.yuexiu", PASSWORD).await;
        let tianhe = sign_in(&base, "aid.tianhe", PASSWORD).await;
        let (tianhe_id, city_id) = (w.gz.tianhe.id.0, w.gz.city.id.0);
        let review = json!({ "cause": "illness", "household_size": 3, "income_per_head_fen": 80000,
            "health": "透析", "disability": "无", "housing": "租住" });
        let checks: Vec<(&str, String, Option<Value>)> = vec![
            ("GET", format!("/api/v1/aid/files?org={tianhe_id}"), None),
            ("GET", format!("/api/v1/aid/files?org={city_id}"), None),
            ("GET", format!("/api/v1/aid/files/{file_id}"), None),
            (
                "GET",
                format!("/api/v1/aid/applications?org={tianhe_id}"),
                None,
            ),
            ("GET", format!("/api/v1/aid/applications/{paid}"), None),
            ("GET", format!("/api/v1/aid/ledger?org={tianhe_id}"), None),
            (
                "GET",
                format!("/api/v1/aid/ledger/export.xlsx?org={tianhe_id}"),
                None,
            ),
            ("GET", format!("/console/aid?org={tianhe_id}"), None),
            ("GET", format!("/console/aid/files/{file_id}"), None),
            (
                "GET",
                format!("/console/aid/applications?org={tianhe_id}"),
                None,
            ),
            ("GET", format!("/console/aid/applications/{paid}"), None),
            ("GET", format!("/console/aid/ledger?org={tianhe_id}"), None),
            (
                "POST",
                format!("/api/v1/aid/files/{file_id}/review"),
                Some(review),
            ),
            (
                "POST",
                format!("/api/v1/aid/files/{file_id}/exit"),
                Some(json!({ "reason": "脱困" })),
            ),
            (
                "POST",
                format!("/api/v1/aid/applications/{pending}/decisions"),
                Some(json!({ "stage": 0, "approve": true, "reason": "同意" })),
            ),
            (
                "POST",
                format!("/api/v1/aid/applications/{paid}/objections"),
                Some(json!({ "detail": "有异议" })),
            ),
            (
                "POST",
                "/api/v1/aid/applications".into(),
                Some(
                    json!({ "file_id": file_id, "kind": "medical", "amount_fen": 100, "reason": "x" }),
                ),
            ),
            (
                "POST",
                "/api/v1/aid/disbursements".into(),
                Some(
                    json!({ "application_id": paid, "amount_fen": 100, "fund_source": "x", "method": "cash" }),
                ),
            ),
            (
                "POST",
                format!("/api/v1/aid/disbursements/{entry}/reversal"),
                Some(json!({ "reason": "错误" })),
            ),
        ];
        let send = |client: &reqwest::Client, method: &str, path: &str, body: &Option<Value>| {
            let mut req = if method == "GET" {
                client.get(format!("{base}{path}"))
            } else {
                client.post(format!("{base}{path}"))
            };
            if let Some(b) = body {
                req = req.json(b);
            }
            req.send()
        };
        // The neighbouring county's administrator and aid officer: nothing of Tianhe.
        for (method, path, body) in &checks {
            let status = send(&yuexiu, method, path, body).await.unwrap().status();
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                "yuexiu {method} {path}: {status}"
            );
        }
        // Nothing changed: the file is active, the ledger holds one entry.
        let (_, l) = ledger::list(&ctx, &c.county.ctx(), &Default::default())
            .await
            .unwrap();
        assert_eq!(l.page.total, 1);
        assert_eq!(l.totals.fen, 50_000);
        let d = zhijia_app::aid::file::detail(&ctx, &c.county.ctx(), file_id)
            .await
            .unwrap();
        assert_eq!(d.file.status, "active");
        // Tianhe's aid officer reads all of it, but not the city's whole branch.
        for (method, path, body) in checks.iter().filter(|c| c.0 == "GET") {
            let status = send(&tianhe, method, path, body).await.unwrap().status();
            if path.contains(&format!("org={city_id}")) {
                assert_eq!(status, StatusCode::FORBIDDEN, "tianhe {path}");
            } else {
                assert!(status.is_success(), "tianhe {method} {path}: {status}");
            }
        }
        // A worker's token opens no staff endpoint.
        let token = crate::helpers::worker_api_token(&base, "13900139077").await;
        let http = reqwest::Client::new();
        for (method, path, body) in checks.iter().filter(|c| c.1.starts_with("/api/")) {
            let mut req = if *method == "GET" {
                http.get(format!("{base}{path}"))
            } else {
                http.post(format!("{base}{path}"))
            };
            if let Some(b) = body {
                req = req.json(b);
            }
            let status = req.bearer_auth(&token).send().await.unwrap().status();
            assert_eq!(status, StatusCode::UNAUTHORIZED, "worker {method} {path}");
        }
        // Without signing in, the console sends people to the sign-in page.
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(format!("{base}/console/aid/files/{file_id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
    }
);

on_both!(
    health_disability_and_income_are_absent_for_roles_other_than_aid_officer,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (file_id, _, _) = opened(db, &env, &w, &c).await;
        for (name, role) in [
            ("admin.tianhe", Role::OrgAdmin),
            ("analyst.tianhe", Role::Analyst),
            ("cases.tianhe", Role::CaseHandler),
        ] {
            staff_with(db, name, &[(role, &w.gz.tianhe)]).await;
        }
        let base = start(&t, &env).await;
        for name in ["admin.tianhe", "analyst.tianhe", "cases.tianhe"] {
            let client = sign_in(&base, name, PASSWORD).await;
            let r = client
                .get(format!("{base}/api/v1/aid/files/{file_id}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{name}");
            let body: Value = r.json().await.unwrap();
            assert_eq!(body["file"]["head_name"], "李大强", "{name} sees the file");
            for key in ["income_per_head_fen", "minimum_fen", "health", "disability"] {
                assert!(body["file"].get(key).is_none(), "{name}: {key} absent");
            }
            assert!(!body.to_string().contains("透析"), "{name}");
            let page = client
                .get(format!("{base}/console/aid/files/{file_id}"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(
                page.contains("李大强") && page.contains("困难类别"),
                "{name}"
            );
            assert!(
                !page.contains("透析") && !page.contains("月人均收入"),
                "{name}"
            );
            // Lists never carry them either.
            let list = client
                .get(format!("{base}/api/v1/aid/files"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(list.contains("李大强") && !list.contains("income") && !list.contains("透析"));
        }
        // The aid officer sees them; each view is in the audit log.
        let officer = sign_in(&base, "aid.tianhe", PASSWORD).await;
        let body: Value = officer
            .get(format!("{base}/api/v1/aid/files/{file_id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(body["file"]["income_per_head_fen"], 80_000);
        assert!(body["file"]["health"].as_str().unwrap().contains("透析"));
        let page = officer
            .get(format!("{base}/console/aid/files/{file_id}"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("透析") && page.contains("800.00元"));
        let log = zhijia_store::audit::of_target(db, "hardship_file", &file_id.to_string(), 20)
            .await
            .unwrap();
        assert_eq!(
            log.iter().filter(|e| e.action == "aid.file_viewed").count(),
            2
        );
    }
);

on_both!(
    the_public_notice_masks_names_and_shows_no_identity_numbers,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (file_id, head, _) = opened(db, &env, &w, &c).await;
        let id = application::apply(
            &env.ctx(db),
            &c.county.ctx(),
            &daily(file_id, 150_000),
            Utc::now(),
        )
        .await
        .unwrap();
        approve_all(db, &env, &c, id, Utc::now()).await;
        let base = start(&t, &env).await;
        let page = reqwest::get(format!("{base}/aid/notice"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("李*强") && page.contains("1500.00"), "{page}");
        assert!(!page.contains("李大强") && !page.contains(&head[..10]));
        let api: Value = reqwest::get(format!("{base}/api/v1/aid/notice"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(api["total"], 1);
        assert_eq!(api["items"][0]["name_masked"], "李*强");
        // A signed-in worker objects; payment pauses.
        let token = crate::helpers::worker_api_token(&base, "13900139078").await;
        let r = reqwest::Client::new()
            .post(format!("{base}/api/v1/aid/notice/{id}/objections"))
            .bearer_auth(&token)
            .json(&json!({ "detail": "该户有稳定租金收入" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let api: Value = reqwest::get(format!("{base}/api/v1/aid/notice"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(api["items"][0]["objected"], true);
        // The API is in the OpenAPI document.
        let doc = reqwest::get(format!("{base}/api/openapi.json"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for p in [
            "/api/v1/aid/files",
            "/api/v1/aid/applications/{id}/decisions",
            "/api/v1/aid/ledger/export.xlsx",
        ] {
            assert!(doc.contains(p), "{p}");
        }
    }
);
