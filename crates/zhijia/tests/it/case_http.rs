//! Cases over HTTP on a real server: the worker files from the phone pages (with a photo) and
//! through the JSON API, a handler works the case in the console and the API, charts render,
//! and every case endpoint keeps to the caller's branch.

use crate::case::PNG;
use crate::helpers::{TestDb, csrf_of, page_text, sign_in_second_admin, worker_signed_in};
use crate::membership::world;
use crate::on_both;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use zhijia_domain::auth::Role;
use zhijia_store::org::Org;

/// A console client of a staff member who is `org_admin` and `case_handler` of `org`.
pub async fn handler_of(base: &str, db: &zhijia_store::Store, org: &Org) -> reqwest::Client {
    let client = sign_in_second_admin(base, db, org).await;
    let staff = zhijia_store::staff::find_by_username(db, &format!("admin{}", org.id.0))
        .await
        .unwrap()
        .unwrap();
    let mut tx = db.change().await.unwrap();
    zhijia_store::staff::grant(&mut tx, staff.id, org.id, Role::CaseHandler, None)
        .await
        .unwrap();
    tx.commit_unaudited(zhijia_store::Unaudited::Fixture)
        .await
        .unwrap();
    client
}

on_both!(
    a_worker_files_a_case_with_a_photo_on_the_phone_and_the_handler_answers_it_in_the_console,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let phone = "13900139201";
        let worker = worker_signed_in(&base, phone).await;
        let form_page = page_text(&worker, format!("{base}/cases/new")).await;
        assert!(form_page.contains("提交维权诉求"));
        let csrf = csrf_of(&form_page);
        let send = |kind: &str, photo: Vec<u8>, name: &str| {
            Form::new()
                .text("csrf", csrf.clone())
                .text("kind", kind.to_owned())
                .text("title", "拖欠工资")
                .text("description", "八月至十月工资未发")
                .text("filer_name", "赵六")
                .text("employer_name", "广州天河电子厂")
                .text("employer_credit_code", w.factory_code.clone())
                .text("region_code", "440106")
                .text("hide_identity", "on")
                .part("file", Part::bytes(photo).file_name(name.to_owned()))
        };
        // A script named as a photo: refused, what was typed comes back, nothing filed.
        let r = worker
            .post(format!("{base}/cases/new"))
            .multipart(send("complaint", b"<script>x</script>".to_vec(), "pay.jpg"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("pay.jpg") && page.contains("八月至十月工资未发"));
        // A real photo: filed and shown.
        let r = worker
            .post(format!("{base}/cases/new"))
            .multipart(send("complaint", PNG.to_vec(), "pay.png"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let case_path = r.url().path().to_owned();
        let id: i64 = case_path.trim_start_matches("/cases/").parse().unwrap();
        let page = r.text().await.unwrap();
        // Hidden from the employer: not the factory's own union but the one above it handles it.
        let above = zhijia_store::org::get(db, w.factory.parent_id.unwrap())
            .await
            .unwrap()
            .unwrap();
        assert!(
            page.contains("拖欠工资") && page.contains(&above.name),
            "{page}"
        );
        assert!(page.contains("对用人单位保密"));
        let mine = page_text(&worker, format!("{base}/cases")).await;
        assert!(mine.contains(&format!("/cases/{id}")));
        // A form posted without the CSRF token is refused.
        let r = worker
            .post(format!("{base}/cases/new"))
            .multipart(Form::new().text("title", "x"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);

        // The factory's handler never sees it; Tianhe's sees it in the queue and accepts it on
        // the case page.
        let factory = handler_of(&base, db, &w.factory).await;
        let theirs = page_text(&factory, format!("{base}/console/cases")).await;
        assert!(
            !theirs.contains(&format!("/console/cases/{id}")),
            "{theirs}"
        );
        let r = factory
            .get(format!("{base}/console/cases/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let handler = handler_of(&base, db, &above).await;
        let queue = page_text(&handler, format!("{base}/console/cases")).await;
        assert!(queue.contains(&format!("/console/cases/{id}")), "{queue}");
        let case_page = page_text(&handler, format!("{base}/console/cases/{id}")).await;
        assert!(case_page.contains("职工要求对用人单位保密身份"));
        assert!(
            case_page.contains("href=\"tel:13900139201\""),
            "the handler can call the worker back"
        );
        let csrf = csrf_of(&case_page);
        let r = handler
            .post(format!("{base}/console/cases/{id}/step"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("step", "accept"),
                ("tier", "simple"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // An internal note and a message to the worker.
        for (body, internal) in [("内部：企业曾有欠薪记录", true), ("已联系企业", false)]
        {
            let mut f = vec![("csrf", csrf.as_str()), ("body", body)];
            if internal {
                f.push(("internal", "on"));
            }
            let r = handler
                .post(format!("{base}/console/cases/{id}/message"))
                .form(&f)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        // Resolving without an answer is refused on the page with the reason.
        let r = handler
            .post(format!("{base}/console/cases/{id}/step"))
            .form(&[("csrf", csrf.as_str()), ("step", "resolve"), ("text", " ")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("办结答复不能为空"));
        handler
            .post(format!("{base}/console/cases/{id}/step"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("step", "resolve"),
                ("text", "企业已补发"),
            ])
            .send()
            .await
            .unwrap();
        // The handler downloads the worker's photo: the bytes as sent, typed by content.
        let case_page = page_text(&handler, format!("{base}/console/cases/{id}")).await;
        let start = case_page
            .find(&format!("/console/cases/{id}/files/"))
            .unwrap();
        let href: String = case_page[start..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        let r = handler.get(format!("{base}{href}")).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "image/png");
        assert_eq!(r.headers()["x-content-type-options"], "nosniff");
        assert_eq!(r.bytes().await.unwrap().as_ref(), PNG);

        // The worker sees the message, not the note, and rates the answer.
        let page = page_text(&worker, format!("{base}/cases/{id}")).await;
        assert!(page.contains("已联系企业") && page.contains("企业已补发"));
        assert!(
            !page.contains("企业曾有欠薪记录"),
            "internal notes stay internal"
        );
        let csrf = csrf_of(&page);
        let r = worker
            .post(format!("{base}/cases/{id}/rating"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("satisfied", "yes"),
                ("comment", ""),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("已关闭"));
        // Statistics: the chart page carries the figures for ECharts.
        let stats = page_text(&handler, format!("{base}/console/case-stats")).await;
        assert!(stats.contains("echarts.simple.min.js") && stats.contains("id=\"chart-data\""));
        assert!(stats.contains("100.0%"), "satisfaction rate");
    }
);

on_both!(
    the_case_api_serves_the_worker_and_the_handler_and_keeps_each_to_their_own,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let http = reqwest::Client::new();
        let token = crate::helpers::worker_api_token(&base, "13900139202").await;
        let r = http
            .post(format!("{base}/api/v1/me/cases"))
            .bearer_auth(&token)
            .json(&json!({
                "kind": "legal_aid", "title": "工伤认定", "description": "工作中受伤，单位不认",
                "employer_name": "广州天河电子厂", "employer_credit_code": w.factory_code,
                "region_code": "440106", "filer_name": "钱七"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let filed: Value = r.json().await.unwrap();
        let id = filed["id"].as_i64().unwrap();
        assert_eq!(filed["route"], "employer");
        // An attachment as the request body; a text file is refused by content.
        let r = http
            .post(format!(
                "{base}/api/v1/me/cases/{id}/attachments?name=x.pdf"
            ))
            .bearer_auth(&token)
            .body("not a pdf")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = http
            .post(format!(
                "{base}/api/v1/me/cases/{id}/attachments?name=诊断书.pdf"
            ))
            .bearer_auth(&token)
            .body(b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj<<>>endobj\n".to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let mine: Value = http
            .get(format!("{base}/api/v1/me/cases/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(mine["attachments"][0]["content_type"], "application/pdf");
        let file_id = mine["attachments"][0]["id"].as_i64().unwrap();

        let handler = handler_of(&base, db, &w.factory).await;
        let detail: Value = handler
            .get(format!("{base}/api/v1/cases/{id}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(detail["case"]["title"], "工伤认定");
        let r = handler
            .post(format!("{base}/api/v1/cases/{id}/steps"))
            .json(&json!({ "step": "accept", "tier": "complex" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = handler
            .post(format!("{base}/api/v1/cases/{id}/steps"))
            .json(&json!({ "step": "ask_worker", "question": "请上传医院诊断书原件照片" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let c: Value = r.json().await.unwrap();
        assert_eq!(c["state"], "waiting_on_worker");
        assert_eq!(c["due_on"], Value::Null);
        let r = http
            .post(format!("{base}/api/v1/me/cases/{id}/replies"))
            .bearer_auth(&token)
            .json(&json!({ "body": "已上传" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let c: Value = r.json().await.unwrap();
        assert_eq!(c["state"], "in_progress");

        // Another worker, a neighbouring district's handler and the town's administrator
        // (org_admin only: no case role) see nothing of it.
        let other = crate::helpers::worker_api_token(&base, "13900139203").await;
        for path in [
            format!("/api/v1/me/cases/{id}"),
            format!("/api/v1/me/cases/{id}/attachments/{file_id}"),
        ] {
            let r = http
                .get(format!("{base}{path}"))
                .bearer_auth(&other)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{path}");
        }
        let yuexiu = handler_of(&base, db, &w.gz.yuexiu).await;
        let town_admin = sign_in_second_admin(&base, db, &w.gz.town).await;
        let (tianhe, city) = (w.gz.tianhe.id.0, w.gz.city.id.0);
        let checks: Vec<(&str, String, Option<Value>)> = vec![
            ("GET", format!("/api/v1/cases/{id}"), None),
            ("GET", format!("/api/v1/cases?org={tianhe}"), None),
            (
                "GET",
                format!("/api/v1/cases?org={city}&view=supervised"),
                None,
            ),
            (
                "GET",
                format!("/api/v1/cases/{id}/attachments/{file_id}"),
                None,
            ),
            (
                "POST",
                format!("/api/v1/cases/{id}/steps"),
                Some(json!({ "step": "start" })),
            ),
            (
                "POST",
                format!("/api/v1/cases/{id}/messages"),
                Some(json!({ "body": "x" })),
            ),
            (
                "POST",
                format!("/api/v1/cases/{id}/route"),
                Some(json!({ "org": tianhe })),
            ),
            (
                "POST",
                format!("/api/v1/cases/{id}/mediations"),
                Some(
                    json!({ "parties": "a", "mediated_on": "2026-01-05", "mediator": "b",
                             "agreement": "c", "outcome": "settled" }),
                ),
            ),
            ("GET", format!("/api/v1/case-stats?org={tianhe}"), None),
        ];
        for client in [&yuexiu, &town_admin] {
            for (method, path, body) in &checks {
                let req = match *method {
                    "GET" => client.get(format!("{base}{path}")),
                    _ => client
                        .post(format!("{base}{path}"))
                        .json(body.as_ref().unwrap()),
                };
                let status = req.send().await.unwrap().status();
                assert!(
                    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                    "{method} {path} gave {status}"
                );
            }
            for page in [
                format!("/console/cases/{id}"),
                format!("/console/cases?org={tianhe}"),
            ] {
                let status = client
                    .get(format!("{base}{page}"))
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert!(
                    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                    "{page} gave {status}"
                );
            }
        }
        // The town's administrator still sees the statistics of the town (counts only).
        let r = town_admin
            .get(format!("{base}/api/v1/case-stats?org={}", w.gz.town.id.0))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // A worker token opens no staff endpoint, and staff cannot act as a worker.
        for (method, path, body) in &checks {
            let req = match *method {
                "GET" => http.get(format!("{base}{path}")),
                _ => http
                    .post(format!("{base}{path}"))
                    .json(body.as_ref().unwrap()),
            };
            let status = req.bearer_auth(&token).send().await.unwrap().status();
            assert_eq!(status, StatusCode::UNAUTHORIZED, "{method} {path}");
        }
        let r = handler
            .get(format!("{base}/api/v1/me/cases"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        // The handler's own calls work: the queue lists it, the statistics count it.
        let q: Value = handler
            .get(format!("{base}/api/v1/cases"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(q["items"][0]["id"], id);
        let s: Value = handler
            .get(format!("{base}/api/v1/case-stats"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(s["cases"], 1);
        // The OpenAPI document lists the case endpoints.
        let doc: Value = http
            .get(format!("{base}/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for p in [
            "/api/v1/me/cases",
            "/api/v1/cases/{id}/steps",
            "/api/v1/case-stats",
        ] {
            assert!(doc["paths"][p].is_object(), "{p} documented");
        }
    }
);
