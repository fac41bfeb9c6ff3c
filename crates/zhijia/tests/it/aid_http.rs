//! Hardship aid over HTTP on a real server: every aid endpoint and page keeps to the caller's
//! branch, a worker token opens none, health and income are absent for roles other than the
//! aid officer, the public notice masks names, and an application's files upload and download
//! as sent.

use crate::aid::{
    AidEnv, PASSWORD, PDF, approve_all, chain, daily, grant_for_child, opened, staff_with, upload,
};
use crate::helpers::{TestDb, csrf_of, page_text, sign_in};
use crate::membership::world;
use crate::membership_http::staff_token;
use crate::on_both;
use chrono::Utc;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use zhijia_app::aid::{application, attachment, ledger};
use zhijia_domain::auth::Role;
use zhijia_web::WebConfig;

pub async fn start(t: &TestDb, env: &AidEnv) -> String {
    let config = WebConfig {
        pii_keys: Some(env.env.keys.clone()),
        aid: env.settings.clone(),
        ..WebConfig::default()
    };
    crate::helpers::site_with(t, config).await
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
                idempotency_key: Some("first".into()),
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let pending =
            application::apply(&ctx, &c.county.ctx(), &daily(file_id, 100_000), Utc::now())
                .await
                .unwrap();
        attachment::attach(
            &ctx,
            &c.county.ctx(),
            paid,
            &[upload("医疗票据.pdf", PDF)],
            Utc::now(),
        )
        .await
        .unwrap();
        let letter = attachment::list(&ctx, &c.county.ctx(), paid).await.unwrap()[0].id;
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
        let http = reqwest::Client::new();
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
            (
                "GET",
                format!("/api/v1/aid/applications/{paid}/attachments/{letter}"),
                None,
            ),
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
            (
                "GET",
                format!("/console/aid/applications/{paid}/files/{letter}"),
                None,
            ),
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
            // A raw-body upload (the body is a PDF).
            (
                "UPLOAD",
                format!("/api/v1/aid/applications/{paid}/attachments?name=x.pdf"),
                None,
            ),
        ];
        let request = |client: &reqwest::Client, method: &str, path: &str, body: &Option<Value>| {
            let mut req = match method {
                "GET" => client.get(format!("{base}{path}")),
                "UPLOAD" => client
                    .post(format!("{base}{path}"))
                    .header("content-type", "application/octet-stream")
                    .body(PDF.to_vec()),
                _ => client.post(format!("{base}{path}")),
            };
            if let Some(b) = body {
                req = req.json(b);
            }
            req
        };
        let send = |client: &reqwest::Client, method: &str, path: &str, body: &Option<Value>| {
            request(client, method, path, body).send()
        };
        // The neighbouring county's administrator and aid officer: nothing of Tianhe, from the
        // console session or with an API token (which passes the browser-write check, so the
        // refusal is the branch's).
        let yuexiu_token = staff_token(&base, "aid.yuexiu", PASSWORD).await;
        for (method, path, body) in &checks {
            let status = send(&yuexiu, method, path, body).await.unwrap().status();
            assert!(
                status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                "yuexiu {method} {path}: {status}"
            );
            if path.starts_with("/api/") {
                let r = request(&http, method, path, body)
                    .bearer_auth(&yuexiu_token)
                    .send()
                    .await
                    .unwrap();
                let status = r.status();
                assert!(
                    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                    "yuexiu token {method} {path}: {status}"
                );
            }
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
        assert_eq!(d.file.status.as_str(), "active");
        assert_eq!(
            attachment::list(&ctx, &c.county.ctx(), paid)
                .await
                .unwrap()
                .len(),
            1
        );
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
        for (method, path, body) in checks.iter().filter(|c| c.1.starts_with("/api/")) {
            let status = request(&http, method, path, body)
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status();
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

on_both!(
    a_pdf_admission_letter_sent_with_the_console_form_is_listed_and_downloads_byte_for_byte,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (file_id, _, _) = opened(db, &env, &w, &c).await;
        let grant = grant_for_child(db, &env, &c, file_id).await;
        staff_with(db, "aid.yuexiu", &[(Role::AidOfficer, &w.gz.yuexiu)]).await;
        let base = start(&t, &env).await;
        let count = || async {
            db.query_one::<i64>("SELECT COUNT(*) FROM aid_attachment", &[])
                .await
                .unwrap()
        };

        // The aid officer applies on the file's page, the admission letter in the same form.
        let console = sign_in(&base, "aid.tianhe", PASSWORD).await;
        let page = page_text(&console, format!("{base}/console/aid/files/{file_id}")).await;
        assert!(
            page.contains("enctype=\"multipart/form-data\"")
                && page.contains("录取通知书编号或说明")
        );
        let csrf = csrf_of(&page);
        let form = |letter: &[u8]| {
            Form::new()
                .text("csrf", csrf.clone())
                .text("kind", "education_grant")
                .text("amount", "5000")
                .text("reason", "子女考入大学，学费无力承担")
                .text("student_id", grant.student_id.unwrap().to_string())
                .text("school", "华南理工大学")
                .text("admission_proof", "")
                .part(
                    "file",
                    Part::bytes(letter.to_vec())
                        .file_name("录取通知书.pdf")
                        .mime_str("application/pdf")
                        .unwrap(),
                )
        };
        let url = format!("{base}/console/aid/files/{file_id}/applications");
        // A text file named .pdf: refused (422), nothing stored.
        let r = console
            .post(&url)
            .multipart(form(b"not really a pdf"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = r.text().await.unwrap();
        assert!(page.contains("按文件内容判断"));
        // Refused while the form arrived, it still comes back with what was typed.
        assert!(page.contains("子女考入大学，学费无力承担"), "{page}");
        assert_eq!(count().await, 0);
        let r = console
            .post(&url)
            .multipart(form(PDF))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let id: i64 = r
            .url()
            .path()
            .strip_prefix("/console/aid/applications/")
            .unwrap()
            .parse()
            .unwrap();
        let page = r.text().await.unwrap();
        assert!(page.contains("录取通知书.pdf") && page.contains("见附件录取通知书"));

        // Listed in the JSON detail, downloaded byte for byte from the API and the console.
        let token = staff_token(&base, "aid.tianhe", PASSWORD).await;
        let api = reqwest::Client::new();
        let d: Value = api
            .get(format!("{base}/api/v1/aid/applications/{id}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let files = d["attachments"].as_array().unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0]["file_name"], "录取通知书.pdf");
        assert_eq!(files[0]["content_type"], "application/pdf");
        assert_eq!(files[0]["size_bytes"], PDF.len());
        assert!(files[0].get("data").is_none(), "no bytes in the list");
        let file = files[0]["id"].as_i64().unwrap();
        let r = api
            .get(format!(
                "{base}/api/v1/aid/applications/{id}/attachments/{file}"
            ))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert!(
            r.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);
        let start = page
            .find(&format!("/console/aid/applications/{id}/files/"))
            .unwrap();
        let href: String = page[start..].chars().take_while(|c| *c != '"').collect();
        let r = console.get(format!("{base}{href}")).send().await.unwrap();
        assert_eq!(r.headers()["content-type"], "application/pdf");
        assert_eq!(r.bytes().await.unwrap().as_ref(), PDF);

        // The JSON upload: the body is the file. A text file named .pdf is refused (422).
        let send = |token: &str, name: &str, bytes: &[u8]| {
            api.post(format!(
                "{base}/api/v1/aid/applications/{id}/attachments?name={name}"
            ))
            .bearer_auth(token)
            .header("content-type", "application/octet-stream")
            .body(bytes.to_vec())
            .send()
        };
        let r = send(&token, "bill.pdf", b"%PD not a pdf").await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(count().await, 1);
        let r = send(&token, "bill.png", crate::case::PNG).await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        assert_eq!(count().await, 2);
        // The console's upload form, with its CSRF token; without it, refused.
        let csrf =
            csrf_of(&page_text(&console, format!("{base}/console/aid/applications/{id}")).await);
        let part = || Part::bytes(PDF.to_vec()).file_name("医疗票据.pdf");
        let r = console
            .post(format!("{base}/console/aid/applications/{id}/attachments"))
            .multipart(Form::new().part("file", part()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert_eq!(count().await, 2);
        let r = console
            .post(format!("{base}/console/aid/applications/{id}/attachments"))
            .multipart(Form::new().text("csrf", csrf).part("file", part()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("医疗票据.pdf"));
        assert_eq!(count().await, 3);

        // The neighbouring county's aid officer: neither upload nor download.
        let other = staff_token(&base, "aid.yuexiu", PASSWORD).await;
        let r = send(&other, "x.pdf", PDF).await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = api
            .get(format!(
                "{base}/api/v1/aid/applications/{id}/attachments/{file}"
            ))
            .bearer_auth(&other)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let yuexiu = sign_in(&base, "aid.yuexiu", PASSWORD).await;
        let r = yuexiu.get(format!("{base}{href}")).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        assert_eq!(count().await, 3);
        // The paths are in the OpenAPI document.
        let doc = reqwest::get(format!("{base}/api/openapi.json"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        for p in [
            "/api/v1/aid/applications/{id}/attachments",
            "/api/v1/aid/applications/{id}/attachments/{file}",
        ] {
            assert!(doc.contains(&format!("\"{p}\"")), "{p}");
        }
    }
);

on_both!(
    a_payment_posted_forty_times_under_one_key_over_http_is_one_entry_and_the_form_sends_its_own_key,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let mut env = AidEnv::new();
        env.settings.notice_days = 0;
        let c = chain(db, &env, &w).await;
        let (file_id, app_id) = crate::aid::payable(db, &env, &w, &c, 1_000_000).await;
        let base = start(&t, &env).await;
        let token = staff_token(&base, "aid.tianhe", PASSWORD).await;
        let http = reqwest::Client::new();
        let post = |key: Option<&str>, body: Value| {
            let mut req = http
                .post(format!("{base}/api/v1/aid/disbursements"))
                .bearer_auth(&token)
                .json(&body);
            if let Some(k) = key {
                req = req.header("Idempotency-Key", k);
            }
            req.send()
        };
        let payment = json!({ "application_id": app_id, "amount_fen": 100_000,
            "fund_source": "工会帮扶专项资金", "method": "bank_transfer" });
        // The officer's client sends one payment forty times at once (retries after time-outs).
        let mut sent = tokio::task::JoinSet::new();
        for _ in 0..40 {
            let req = http
                .post(format!("{base}/api/v1/aid/disbursements"))
                .bearer_auth(&token)
                .header("Idempotency-Key", "k-1")
                .json(&payment);
            sent.spawn(async move {
                let r = req.send().await.unwrap();
                assert_eq!(r.status(), StatusCode::CREATED);
                r.json::<Value>().await.unwrap()["id"].as_i64().unwrap()
            });
        }
        let mut ids = std::collections::BTreeSet::new();
        while let Some(id) = sent.join_next().await {
            ids.insert(id.unwrap());
        }
        assert_eq!(ids.len(), 1, "{ids:?}");
        // The key with another amount: refused in words.
        let mut other = payment.clone();
        other["amount_fen"] = json!(50_000);
        let r = post(Some("k-1"), other).await.unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r.text().await.unwrap().contains("幂等键已用于另一笔发放"));
        // Without a key: refused, nothing written.
        let r = post(None, payment.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // A new key in the body is a second payment.
        let mut second = payment.clone();
        second["idempotency_key"] = json!("k-2");
        let r = post(None, second).await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let id2 = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        assert!(!ids.contains(&id2));

        // The console's payment form carries a key of its own: submitted twice, one payment.
        let console = sign_in(&base, "aid.tianhe", PASSWORD).await;
        let page = page_text(&console, format!("{base}/console/aid/applications/{app_id}")).await;
        let marker = "name=\"idempotency_key\" value=\"";
        let at = page.find(marker).expect("a key in the payment form") + marker.len();
        let key = &page[at..at + page[at..].find('"').unwrap()];
        assert!(key.len() >= 16, "{key}");
        let form = [
            ("csrf", csrf_of(&page)),
            ("amount", "300".to_owned()),
            ("fund_source", "社会捐赠".to_owned()),
            ("method", "cash".to_owned()),
            ("idempotency_key", key.to_owned()),
        ];
        for _ in 0..2 {
            let r = console
                .post(format!("{base}/console/aid/applications/{app_id}/disbursements"))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success() || r.status().is_redirection(), "{}", r.status());
        }
        // The next view of the form has a new key.
        let again = page_text(&console, format!("{base}/console/aid/applications/{app_id}")).await;
        assert!(!again.contains(key));
        let ctx = env.ctx(db);
        let q = ledger::LedgerQuery {
            file: Some(file_id),
            ..Default::default()
        };
        let (_, l) = ledger::list(&ctx, &c.county.ctx(), &q).await.unwrap();
        assert_eq!((l.page.total, l.totals.fen), (3, 230_000));
    }
);
