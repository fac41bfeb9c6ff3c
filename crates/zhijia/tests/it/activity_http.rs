//! Activities and points over HTTP on a real server: every staff endpoint and console page
//! keeps to the caller's branch, a worker token opens none; a member registers, sees the QR,
//! is checked in once through the console's form, and sees the points.

use crate::activity::{factory_members, input};
use crate::aid::{PASSWORD, staff_with};
use crate::helpers::{TestDb, csrf_of, page_text, sign_in, worker_api_token};
use crate::membership::{Env, world};
use crate::membership_http::staff_token;
use crate::on_both;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhijia_domain::auth::Role;
use zhijia_web::WebConfig;

on_both!(
    every_activity_endpoint_and_page_keeps_to_the_callers_branch,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let phones = factory_members(db, &env, &w, 1, 2).await;
        staff_with(db, "editor.tianhe", &[(Role::Editor, &w.gz.tianhe)]).await;
        staff_with(
            db,
            "admin.yuexiu",
            &[(Role::OrgAdmin, &w.gz.yuexiu), (Role::Editor, &w.gz.yuexiu)],
        )
        .await;
        let config = WebConfig {
            pii_keys: Some(env.keys.clone()),
            ..WebConfig::default()
        };
        let base = crate::helpers::site_with(&t, config).await;
        let http = reqwest::Client::new();
        let tianhe_token = staff_token(&base, "editor.tianhe", PASSWORD).await;
        let body = serde_json::to_value(json!({
            "org_id": w.gz.tianhe.id.0,
            "title": "职工读书分享会",
            "place": "天河区职工书屋",
            "starts_at": (Utc::now() + chrono::Duration::days(2)).to_rfc3339(),
            "ends_at": (Utc::now() + chrono::Duration::days(2) + chrono::Duration::hours(2)).to_rfc3339(),
            "capacity": 1
        }))
        .unwrap();
        let r = http
            .post(format!("{base}/api/v1/activities"))
            .bearer_auth(&tianhe_token)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let _ = input(&w.gz.tianhe, 1, Utc::now());

        // Workers: the first registers on the page (a seat), the second through the API (waits).
        let member = crate::helpers::worker_signed_in(&base, &phones[0]).await;
        let t1 = worker_api_token(&base, &phones[1]).await;
        let listed: Value = http
            .get(format!("{base}/api/v1/me/activities"))
            .bearer_auth(&t1)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed["total"], 1);
        let list = page_text(&member, format!("{base}/activities")).await;
        assert!(list.contains("职工读书分享会"), "{list}");
        let page = page_text(&member, format!("{base}/activities/{id}")).await;
        let csrf = csrf_of(&page);
        let r = member
            .post(format!("{base}/activities/{id}/register"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let mine0: Value = member
            .get(format!("{base}/api/v1/me/activities/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(mine0["registration"]["status"], "registered");
        let qr = mine0["registration"]["token"].as_str().unwrap().to_owned();
        let reg = |tok: String| {
            let http = http.clone();
            let url = format!("{base}/api/v1/me/activities/{id}/registration");
            async move { http.post(url).bearer_auth(tok).send().await.unwrap() }
        };
        let r1 = reg(t1.clone()).await;
        assert_eq!(r1.status(), StatusCode::CREATED);
        let r1: Value = r1.json().await.unwrap();
        assert_eq!(r1["status"], "waiting");
        assert_eq!(r1["waiting_position"], 1);

        // A non-member and a member of another branch cannot register.
        let outsider = worker_api_token(&base, "13900139077").await;
        assert_eq!(reg(outsider.clone()).await.status(), StatusCode::FORBIDDEN);

        let yuexiu = sign_in(&base, "admin.yuexiu", PASSWORD).await;
        let yuexiu_token = staff_token(&base, "admin.yuexiu", PASSWORD).await;
        let tianhe = sign_in(&base, "editor.tianhe", PASSWORD).await;
        let (tianhe_id, city_id) = (w.gz.tianhe.id.0, w.gz.city.id.0);
        let checks: Vec<(&str, String, Option<Value>)> = vec![
            ("GET", format!("/api/v1/activities?org={tianhe_id}"), None),
            ("GET", format!("/api/v1/activities?org={city_id}"), None),
            ("GET", format!("/api/v1/activities/{id}"), None),
            ("GET", format!("/api/v1/points/rules?org={tianhe_id}"), None),
            ("GET", format!("/console/activities?org={tianhe_id}"), None),
            ("GET", format!("/console/activities/{id}"), None),
            ("POST", "/api/v1/activities".into(), Some(body.clone())),
            (
                "POST",
                format!("/api/v1/activities/{id}/check-ins"),
                Some(json!({ "token": qr })),
            ),
            (
                "POST",
                format!("/api/v1/activities/{id}/cancel"),
                Some(json!({})),
            ),
            (
                "POST",
                "/api/v1/points/rules".into(),
                Some(json!({ "org_id": tianhe_id, "reason": "check_in", "points": 99 })),
            ),
        ];
        let request = |client: &reqwest::Client, method: &str, path: &str, body: &Option<Value>| {
            let mut req = match method {
                "GET" => client.get(format!("{base}{path}")),
                _ => client.post(format!("{base}{path}")),
            };
            if let Some(b) = body {
                req = req.json(b);
            }
            req
        };
        for (method, path, body) in &checks {
            let status = request(&yuexiu, method, path, body)
                .send()
                .await
                .unwrap()
                .status();
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                "yuexiu {method} {path}: {status}"
            );
            if path.starts_with("/api/") {
                let status = request(&http, method, path, body)
                    .bearer_auth(&yuexiu_token)
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert!(
                    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                    "yuexiu token {method} {path}: {status}"
                );
                // A worker's token opens no staff endpoint.
                let status = request(&http, method, path, body)
                    .bearer_auth(&t1)
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert_eq!(status, StatusCode::UNAUTHORIZED, "worker {method} {path}");
            }
        }
        // Tianhe's editor reads all of it, but not the city's whole branch.
        for (method, path, body) in checks.iter().filter(|c| c.0 == "GET") {
            let status = request(&tianhe, method, path, body)
                .send()
                .await
                .unwrap()
                .status();
            if path.contains(&format!("org={city_id}")) {
                assert_eq!(status, StatusCode::FORBIDDEN, "tianhe {path}");
            } else {
                assert!(status.is_success(), "tianhe {method} {path}: {status}");
            }
        }
        // Nothing changed: still one seat taken, one waiting, nobody checked in.
        let d: Value = http
            .get(format!("{base}/api/v1/activities/{id}"))
            .bearer_auth(&tianhe_token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(d["activity"]["registered"], 1);
        assert_eq!(d["activity"]["waiting"], 1);
        assert_eq!(d["activity"]["checked_in"], 0);
        assert_eq!(d["activity"]["status"], "open");

        // The worker pages: the activity with its QR, my registrations, my points.
        let page = page_text(&member, format!("{base}/activities/{id}")).await;
        assert!(page.contains("已报名") && page.contains("<svg"), "{page}");
        let mine = page_text(&member, format!("{base}/activities/mine")).await;
        assert!(mine.contains("职工读书分享会"));
        let points = page_text(&member, format!("{base}/points")).await;
        assert!(
            points.contains("我的积分") && points.contains("首次入会"),
            "{points}"
        );
        // Another branch's member sees the activity as not found.
        let outsider_page = reqwest::Client::new()
            .get(format!("{base}/api/v1/me/activities/{id}"))
            .bearer_auth(&outsider)
            .send()
            .await
            .unwrap();
        assert_eq!(outsider_page.status(), StatusCode::FORBIDDEN);

        // The console's check-in form, before the doors open, says so in words.
        let console = page_text(&tianhe, format!("{base}/console/activities/{id}")).await;
        assert!(console.contains("候补名单") && console.contains("扫码签到"));
        let csrf = csrf_of(&console);
        let r = tianhe
            .post(format!("{base}/console/activities/{id}/check-in"))
            .form(&[("csrf", csrf.as_str()), ("token", qr.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("签到尚未开始"));

        // Cancelling through the worker page's form promotes the waiting member.
        let csrf = csrf_of(&page);
        let r = member
            .post(format!("{base}/activities/{id}/cancel"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
        let r1: Value = http
            .get(format!("{base}/api/v1/me/activities/{id}"))
            .bearer_auth(&t1)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(r1["registration"]["status"], "registered");

        // The OpenAPI document lists the endpoints.
        let doc = page_text(&http, format!("{base}/api/openapi.json")).await;
        assert!(doc.contains("/api/v1/activities/{id}/check-ins"));
        assert!(doc.contains("/api/v1/me/points"));
    }
);
