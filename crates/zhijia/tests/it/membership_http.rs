//! Membership over HTTP on a real server: the worker's JSON API (SMS sign-in for a bearer token,
//! join, card), the public card check, the staff API and pages, and their scope.

use crate::helpers::{TestDb, browser, csrf_of, page_text, signed_in, worker_signed_in};
use crate::membership::{employee, id_number, world};
use crate::on_both;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A staff bearer token from the API sign-in.
pub async fn staff_token(base: &str, username: &str, password: &str) -> String {
    let r: Value = reqwest::Client::new()
        .post(format!("{base}/api/v1/staff/sessions"))
        .json(&json!({ "username": username, "password": password }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().expect("a staff token").to_owned()
}

/// Signs a worker in through the JSON API and returns the bearer token.
async fn api_token(base: &str, phone: &str) -> String {
    let http = reqwest::Client::new();
    let sent: Value = http
        .post(format!("{base}/api/v1/worker/sms-codes"))
        .json(&json!({ "phone": phone }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(sent["demo_code"].is_null(), "the code goes by SMS only");
    let code = crate::helpers::sms_code(base, phone);
    // A wrong code is refused; the right one gives a token, once.
    let wrong = http
        .post(format!("{base}/api/v1/worker/sessions"))
        .json(
            &json!({ "phone": phone, "code": if code == "000000" { "111111" } else { "000000" } }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let ok = http
        .post(format!("{base}/api/v1/worker/sessions"))
        .json(&json!({ "phone": phone, "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::CREATED);
    let body: Value = ok.json().await.unwrap();
    let again = http
        .post(format!("{base}/api/v1/worker/sessions"))
        .json(&json!({ "phone": phone, "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        again.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "single use"
    );
    body["token"].as_str().unwrap().to_owned()
}

on_both!(
    a_worker_joins_through_the_api_and_the_card_is_checked,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let http = reqwest::Client::new();
        // Without a token: 401 in JSON.
        let anon = http.get(format!("{base}/api/v1/me")).send().await.unwrap();
        assert_eq!(anon.status(), StatusCode::UNAUTHORIZED);

        let token = api_token(&base, "13900139001").await;
        let id = id_number("440106", (1991, 7, 1), 67);
        let input = employee("陈晨", &id, "广州天河电子厂", &w.factory_code);
        let bad = http
            .post(format!("{base}/api/v1/membership/applications"))
            .bearer_auth(&token)
            .json(&json!({ "name": "陈晨", "id_number": "44010619910701067X", "employment": "employee" }))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let bad: Value = bad.json().await.unwrap();
        assert_eq!(bad["field"], "id_number");
        // A name hiding a direction override or a zero-width space is refused by name.
        for hidden in ["陈\u{202E}晨", "陈\u{200B}晨"] {
            let r = http
                .post(format!("{base}/api/v1/membership/applications"))
                .bearer_auth(&token)
                .json(&json!({
                    "name": hidden, "id_number": input.id_number, "employment": "employee",
                    "employer_name": input.employer_name, "employer_credit_code": input.employer_credit_code,
                    "consent": true
                }))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let r: Value = r.json().await.unwrap();
            assert_eq!(r["field"], "name", "{r}");
        }
        let res = http
            .post(format!("{base}/api/v1/membership/applications"))
            .bearer_auth(&token)
            .json(&json!({
                "name": input.name, "id_number": input.id_number, "ethnicity": "01",
                "employment": "employee", "employer_name": input.employer_name,
                "employer_credit_code": input.employer_credit_code,
                "wage_earner": true, "accepts_constitution": true, "consent": true
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED);
        let sub: Value = res.json().await.unwrap();
        assert_eq!(sub["org_id"], w.factory.id.0);
        let app_id = sub["application_id"].as_i64().unwrap();

        // Staff: an org_admin of the neighbouring county sees nothing of it ...
        let yuexiu = signed_in(&base, db, &w.gz.yuexiu).await;
        let queue: Value = yuexiu
            .get(format!("{base}/api/v1/applications"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(queue["total"], 0);
        let denied = yuexiu
            .post(format!("{base}/api/v1/applications/{app_id}/decision"))
            .json(&json!({ "approve": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(denied.status(), StatusCode::NOT_FOUND);
        for path in [
            format!("/api/v1/applications?org={}", w.gz.tianhe.id.0),
            format!("/api/v1/applications?org={}", w.gz.city.id.0),
            format!("/api/v1/roster?org={}", w.gz.tianhe.id.0),
            format!("/api/v1/roster?org={}", w.gz.city.id.0),
            format!("/api/v1/transfers?org={}", w.gz.city.id.0),
            format!("/console/roster?org={}", w.gz.tianhe.id.0),
            format!("/console/applications?org={}", w.gz.city.id.0),
        ] {
            let r = yuexiu.get(format!("{base}{path}")).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::FORBIDDEN, "{path}");
        }
        // ... while its own county's data is there.
        let own = yuexiu
            .get(format!("{base}/api/v1/roster?org={}", w.gz.yuexiu.id.0))
            .send()
            .await
            .unwrap();
        assert_eq!(own.status(), StatusCode::OK);

        // The Tianhe admin approves on the console page (a form post with the CSRF token).
        let tianhe = crate::helpers::sign_in_second_admin(&base, db, &w.gz.tianhe).await;
        let home = page_text(&tianhe, format!("{base}/console")).await;
        assert!(home.contains("待审核入会申请 1 件"), "{home}");
        assert!(!home.contains("已超期"), "not overdue yet");
        let page = page_text(&tianhe, format!("{base}/console/applications")).await;
        assert!(page.contains("陈晨"), "{page}");
        let csrf = csrf_of(&page);
        let no_csrf = tianhe
            .post(format!("{base}/console/applications/{app_id}/decision"))
            .form(&[("approve", "1")])
            .send()
            .await
            .unwrap();
        assert_eq!(no_csrf.status(), StatusCode::FORBIDDEN);
        let approved = tianhe
            .post(format!("{base}/console/applications/{app_id}/decision"))
            .form(&[("csrf", csrf.as_str()), ("approve", "1")])
            .send()
            .await
            .unwrap();
        let status = approved.status();
        assert_eq!(status, StatusCode::OK, "{}", approved.text().await.unwrap());

        // The card, by API, and its check by anyone.
        let card: Value = http
            .get(format!("{base}/api/v1/membership/card"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let qr = card["token"].as_str().unwrap();
        let check: Value = http
            .post(format!("{base}/api/v1/cards/verify"))
            .json(&json!({ "token": qr }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(check["result"], "valid", "{check}");
        let forged: Value = http
            .post(format!("{base}/api/v1/cards/verify"))
            .json(&json!({ "token": format!("{}{}", &qr[..qr.len() - 1], if qr.ends_with('0') { '1' } else { '0' }) }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(forged["result"], "forged");
        // Malformed bodies are answered in words, as JSON: a missing field is named, broken
        // JSON and a form-encoded body are refused.
        for (body, content_type, says) in [
            ("{}", "application/json", "请求体缺少字段“token”"),
            ("{\"token\": ", "application/json", "请求体应为有效的 JSON"),
            (
                "token=x",
                "application/x-www-form-urlencoded",
                "Content-Type: application/json",
            ),
        ] {
            let r = http
                .post(format!("{base}/api/v1/cards/verify"))
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{body}");
            let e: Value = r.json().await.unwrap();
            assert_eq!(e["error"], "invalid", "{e}");
            assert!(e["message"].as_str().unwrap().contains(says), "{e}");
        }
        let verify_page = page_text(&browser(), format!("{base}/cards/verify?token={qr}")).await;
        assert!(verify_page.contains("会员卡有效"), "{verify_page}");

        // The roster of Tianhe shows the member masked; the full number only via the audited call.
        let roster: Value = tianhe
            .get(format!(
                "{base}/api/v1/roster?q={}",
                card["member_no"].as_str().unwrap()
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(roster["total"], 1);
        let masked = roster["items"][0]["id_number_masked"].as_str().unwrap();
        assert!(!masked.contains(&id[4..14]));
        let m = roster["items"][0]["membership_id"].as_i64().unwrap();
        let full: Value = tianhe
            .post(format!("{base}/api/v1/roster/{m}/id-number"))
            .json(&json!({}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(full["id_number"], id.as_str());
        let other = yuexiu
            .get(format!("{base}/api/v1/roster/{m}"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            other.status(),
            StatusCode::NOT_FOUND,
            "not in Yuexiu's branch"
        );
        let xlsx = tianhe
            .get(format!("{base}/api/v1/roster/export.xlsx"))
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.status(), StatusCode::OK);
        let bytes = xlsx.bytes().await.unwrap();
        assert_eq!(&bytes[..2], b"PK", "an XLSX (zip) file");

        // The worker's pages (here with the same session's token; a 2nd SMS code within 60 s
        // would be refused): membership with the inbox, the card with its QR.
        let page = |path: &str| http.get(format!("{base}{path}")).bearer_auth(&token).send();
        let home = page("/").await.unwrap().text().await.unwrap();
        assert!(home.contains("消息 <span class=\"tag\">2</span>"), "{home}");
        let mine = page("/membership").await.unwrap().text().await.unwrap();
        assert!(mine.contains(&w.factory.name), "{mine}");
        assert!(mine.contains("入会申请已通过"));
        assert!(mine.contains("全部标为已读"), "{mine}");
        // The messages' times are Beijing time (the store keeps UTC).
        use chrono::Datelike;
        let shown = |offset_hours: i64| {
            (0..3).any(|back| {
                let t = chrono::Utc::now() + chrono::Duration::hours(offset_hours)
                    - chrono::Duration::minutes(back);
                // As people read it: 12月7日 09:30.
                mine.contains(&format!(
                    "{}月{}日 {}",
                    t.month(),
                    t.day(),
                    t.format("%H:%M")
                ))
            })
        };
        assert!(shown(8), "Beijing time on the messages: {mine}");
        assert!(!shown(0), "not UTC");
        // Seeing the list is a GET: it changes nothing.
        let home = page("/").await.unwrap().text().await.unwrap();
        assert!(home.contains("消息 <span class=\"tag\">2</span>"), "{home}");
        // Marking them read is the worker's own request.
        let read = http
            .post(format!("{base}/api/v1/inbox/read"))
            .bearer_auth(&token)
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(read.status(), StatusCode::NO_CONTENT);
        let home = page("/").await.unwrap().text().await.unwrap();
        assert!(!home.contains("class=\"tag\""), "read once marked");
        let card_page = page("/card").await.unwrap().text().await.unwrap();
        assert!(card_page.contains("<svg"));
        assert!(card_page.contains(card["member_no"].as_str().unwrap()));
    }
);

on_both!(
    the_join_form_keeps_what_was_typed_when_a_field_is_wrong,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let client = worker_signed_in(&base, "13900139002").await;
        let form = page_text(&client, format!("{base}/join?path=employee")).await;
        let csrf = csrf_of(&form);
        let res = client
            .post(format!("{base}/join"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "林一"),
                ("id_number", "440106199107010672"),
                ("employment", "employee"),
                ("employer_name", "广州天河电子厂"),
                ("employer_credit_code", w.factory_code.as_str()),
                ("wage_earner", "on"),
                ("accepts_constitution", "on"),
                ("consent", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains("身份证号"), "{page}");
        assert!(page.contains("value=\"林一\""), "the name is kept");
        assert!(page.contains(&w.factory_code), "the credit code is kept");
        let good = id_number("440106", (1991, 7, 1), 67);
        let res = client
            .post(format!("{base}/join"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "林一"),
                ("id_number", good.as_str()),
                ("employment", "employee"),
                ("employer_name", "广州天河电子厂"),
                ("employer_credit_code", w.factory_code.as_str()),
                ("wage_earner", "on"),
                ("accepts_constitution", "on"),
                ("consent", "on"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.url().path(), "/membership");
        let page = res.text().await.unwrap();
        assert!(page.contains("入会申请已提交"), "{page}");
        assert!(page.contains(&w.factory.name));
    }
);

on_both!(
    a_roster_is_uploaded_on_the_console_and_its_error_report_downloaded,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let tianhe = signed_in(&base, db, &w.gz.tianhe).await;
        let good = id_number("440106", (1985, 2, 3), 41);
        let csv = format!("姓名,身份证号,手机号\n何一,{good},13600000001\n何二,123,13600000002\n");
        // The console page: a multipart form with the CSRF token.
        let page = page_text(
            &tianhe,
            format!("{base}/console/roster/import?org={}", w.factory.id.0),
        )
        .await;
        let csrf = csrf_of(&page);
        let form = |csrf: &str| {
            reqwest::multipart::Form::new()
                .text("csrf", csrf.to_owned())
                .text("org", w.factory.id.0.to_string())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(csv.clone().into_bytes()).file_name("名册.csv"),
                )
        };
        let refused = tianhe
            .post(format!("{base}/console/roster/import"))
            .multipart(form("0000"))
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        let res = tianhe
            .post(format!("{base}/console/roster/import"))
            .multipart(form(&csrf))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = res.text().await.unwrap();
        assert!(html.contains("导入 <strong>1</strong> 人"), "{html}");
        let link_at = html.find("/console/imports/").expect("a report link");
        let link: String = html[link_at..].chars().take_while(|c| *c != '"').collect();
        let report = tianhe.get(format!("{base}{link}")).send().await.unwrap();
        assert_eq!(report.status(), StatusCode::OK);
        let text = report.text().await.unwrap();
        assert!(text.contains("3,身份证号,"), "{text}");

        // Another county's admin can neither import into Tianhe nor read its report.
        let yuexiu = crate::helpers::sign_in_second_admin(&base, db, &w.gz.yuexiu).await;
        // A cookie-authenticated write to the API must be JSON (no cross-site form posts); a
        // roster file goes with a bearer token, as an API client sends it.
        let by_cookie = tianhe
            .post(format!(
                "{base}/api/v1/roster/imports?org={}",
                w.factory.id.0
            ))
            .header("content-type", "text/csv")
            .body(csv.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(by_cookie.status(), StatusCode::FORBIDDEN);
        let yuexiu_name = format!("admin{}", w.gz.yuexiu.id.0);
        let yuexiu_token = staff_token(&base, &yuexiu_name, "Tianhe2026pass!").await;
        let tianhe_token = staff_token(
            &base,
            zhijia_app::staff::DEMO_USERNAME,
            zhijia_app::staff::DEMO_PASSWORD,
        )
        .await;
        let http = reqwest::Client::new();
        let denied = http
            .post(format!(
                "{base}/api/v1/roster/imports?org={}",
                w.factory.id.0
            ))
            .bearer_auth(&yuexiu_token)
            .header("content-type", "text/csv")
            .body(csv.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(denied.status(), StatusCode::FORBIDDEN);
        let hidden = yuexiu.get(format!("{base}{link}")).send().await.unwrap();
        assert_eq!(hidden.status(), StatusCode::NOT_FOUND);
        // The API: the same file again adds nothing.
        let again: Value = http
            .post(format!(
                "{base}/api/v1/roster/imports?org={}&name=roster.csv",
                w.factory.id.0
            ))
            .bearer_auth(&tianhe_token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(again["imported"], 0);
        assert_eq!(again["skipped"], 1);
        assert_eq!(again["errors"][0]["row"], 3);
        assert_eq!(again["errors"][0]["column"], "身份证号");
    }
);

// The authorization matrix of the membership and deletion endpoints: for each staff API and
// page, the administrator of the county holding the record gets it, the administrator of the
// neighbouring county gets 403 or 404, and so does one of a county for the parent city's data;
// a worker's token opens no staff endpoint, and no worker endpoint takes another worker's id.
on_both!(
    every_membership_endpoint_keeps_to_the_callers_branch,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        // A member of the Tianhe factory with a transfer to Yuexiu waiting, via the API.
        let token = api_token(&base, "13900139010").await;
        let http = reqwest::Client::new();
        let id = id_number("440106", (1987, 4, 5), 21);
        let input = employee("邓九", &id, "广州天河电子厂", &w.factory_code);
        let sub: Value = http
            .post(format!("{base}/api/v1/membership/applications"))
            .bearer_auth(&token)
            .json(&json!({
                "name": input.name, "id_number": input.id_number, "employment": "employee",
                "employer_name": input.employer_name, "employer_credit_code": input.employer_credit_code,
                "wage_earner": true, "accepts_constitution": true, "consent": true
            }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let app_id = sub["application_id"].as_i64().unwrap();
        let tianhe = signed_in(&base, db, &w.gz.tianhe).await;
        let yuexiu = crate::helpers::sign_in_second_admin(&base, db, &w.gz.yuexiu).await;
        let city_staff = crate::helpers::sign_in_second_admin(&base, db, &w.gz.town).await;

        // Staff endpoints that name the application, the membership or another record of Tianhe.
        let roster: Value = tianhe
            .get(format!("{base}/api/v1/roster"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(roster["total"], 0, "not a member before approval");
        let ok = tianhe
            .post(format!("{base}/api/v1/applications/{app_id}/decision"))
            .json(&json!({ "approve": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), StatusCode::OK);
        let roster: Value = tianhe
            .get(format!("{base}/api/v1/roster"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let m = roster["items"][0]["membership_id"].as_i64().unwrap();
        let transfer: Value = http
            .post(format!("{base}/api/v1/membership/transfers"))
            .bearer_auth(&token)
            .json(&json!({ "to_org": w.shop.id.0, "reason": "换工作" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let tr = transfer["id"].as_i64().unwrap();
        let (tianhe_id, city_id) = (w.gz.tianhe.id.0, w.gz.city.id.0);
        // (method, path, body): each must be closed to the neighbour and to the town's admin
        // when it names Tianhe's county or the city.
        let checks: Vec<(&str, String, Option<Value>)> = vec![
            ("GET", format!("/api/v1/applications?org={tianhe_id}"), None),
            ("GET", format!("/api/v1/applications?org={city_id}"), None),
            ("GET", format!("/api/v1/transfers?org={tianhe_id}"), None),
            ("GET", format!("/api/v1/roster?org={tianhe_id}"), None),
            ("GET", format!("/api/v1/roster?org={city_id}"), None),
            ("GET", format!("/api/v1/roster/{m}"), None),
            (
                "POST",
                format!("/api/v1/roster/{m}/id-number"),
                Some(json!({})),
            ),
            (
                "POST",
                format!("/api/v1/roster/{m}/retired"),
                Some(json!({ "retired": true })),
            ),
            (
                "GET",
                format!("/api/v1/roster/export.xlsx?org={tianhe_id}"),
                None,
            ),
            (
                "POST",
                format!("/api/v1/transfers/{tr}/release"),
                Some(json!({})),
            ),
            (
                "GET",
                format!("/api/v1/deletion-requests?org={tianhe_id}"),
                None,
            ),
            (
                "GET",
                format!("/api/v1/deletion-requests?org={city_id}"),
                None,
            ),
            (
                "GET",
                format!("/console/applications?org={tianhe_id}"),
                None,
            ),
            ("GET", format!("/console/transfers?org={city_id}"), None),
            ("GET", format!("/console/roster?org={tianhe_id}"), None),
            ("GET", format!("/console/members/{m}"), None),
            (
                "GET",
                format!("/console/roster/import?org={tianhe_id}"),
                None,
            ),
            (
                "GET",
                format!("/console/deletion-requests?org={tianhe_id}"),
                None,
            ),
        ];
        for (method, path, body) in &checks {
            for (who, client) in [("yuexiu", &yuexiu), ("town", &city_staff)] {
                // The town is inside Tianhe and the member's factory inside the town: its
                // admin may act on the member, but never list the county or the city whole.
                if who == "town" && !path.contains("org=") {
                    continue;
                }
                let mut req = if *method == "GET" {
                    client.get(format!("{base}{path}"))
                } else {
                    client.post(format!("{base}{path}"))
                };
                if let Some(b) = body {
                    req = req.json(b);
                }
                let status = req.send().await.unwrap().status();
                assert!(
                    status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND,
                    "{who} {method} {path}: {status}"
                );
            }
        }
        // The same requests succeed for Tianhe's administrator (the release last: it acts).
        for (method, path, body) in &checks {
            let mut req = if *method == "GET" {
                tianhe.get(format!("{base}{path}"))
            } else {
                tianhe.post(format!("{base}{path}"))
            };
            if let Some(b) = body {
                req = req.json(b);
            }
            let status = req.send().await.unwrap().status();
            let expected_ok = !path.contains(&format!("org={city_id}"));
            if expected_ok {
                assert!(status.is_success(), "tianhe {method} {path}: {status}");
            } else {
                assert_eq!(status, StatusCode::FORBIDDEN, "tianhe {method} {path}");
            }
        }

        // A worker's token opens no staff endpoint.
        let as_worker = http
            .get(format!("{base}/api/v1/roster/{m}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(as_worker.status(), StatusCode::UNAUTHORIZED);
        // Worker endpoints act on the session's own record: another worker marking this
        // worker's message read changes nothing.
        let other = api_token(&base, "13900139011").await;
        let inbox: Value = http
            .get(format!("{base}/api/v1/inbox"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let msg = inbox["items"][0]["id"].as_i64().unwrap();
        let unread_before: Value = http
            .get(format!("{base}/api/v1/membership"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let r = http
            .post(format!("{base}/api/v1/inbox/read"))
            .bearer_auth(&other)
            .json(&json!({ "id": msg }))
            .send()
            .await
            .unwrap();
        assert!(r.status() == StatusCode::NOT_FOUND || r.status() == StatusCode::NO_CONTENT);
        let unread_after: Value = http
            .get(format!("{base}/api/v1/membership"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(unread_before["unread"], unread_after["unread"]);
        assert!(unread_after["unread"].as_i64().unwrap() > 0);
    }
);

/// Posts a roster to the API as the holder of `token`; the answer as JSON.
async fn import_by_api(base: &str, token: &str, org: i64, csv: &str) -> Value {
    let res = reqwest::Client::new()
        .post(format!(
            "{base}/api/v1/roster/imports?org={org}&name=roster.csv"
        ))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv.to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json().await.unwrap()
}

// Issue 14: a roster import must not tell a branch which identity numbers and phones exist in
// another branch. A row whose identity number is a member's of a sibling branch, and one whose
// phone is, get one and the same neutral text (not which field, not which union), and nothing
// of that member changes; rows about the branch's own members keep precise answers, and staff
// above both branches, who may read both rosters, are told which union.
on_both!(
    a_roster_import_tells_a_branch_nothing_about_people_of_another_branch,
    |t: TestDb| async move {
        use zhijia_app::membership::import::{NOT_IMPORTABLE, NOT_IMPORTABLE_COLUMN};
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let _tianhe = signed_in(&base, db, &w.gz.tianhe).await;
        let tianhe = staff_token(
            &base,
            zhijia_app::staff::DEMO_USERNAME,
            zhijia_app::staff::DEMO_PASSWORD,
        )
        .await;
        let _yuexiu = crate::helpers::sign_in_second_admin(&base, db, &w.gz.yuexiu).await;
        let yuexiu = staff_token(
            &base,
            &format!("admin{}", w.gz.yuexiu.id.0),
            "Tianhe2026pass!",
        )
        .await;
        let _city = crate::helpers::sign_in_second_admin(&base, db, &w.gz.city).await;
        let city = staff_token(
            &base,
            &format!("admin{}", w.gz.city.id.0),
            "Tianhe2026pass!",
        )
        .await;

        // Branch B (Yuexiu) has two members; branch A (Tianhe) one.
        let b1 = id_number("440104", (1980, 5, 6), 71);
        let b2 = id_number("440104", (1981, 6, 7), 73);
        let b_roster =
            format!("姓名,身份证号,手机号\n赵甲,{b1},13500000001\n钱乙,{b2},13500000002\n");
        let b = import_by_api(&base, &yuexiu, w.shop.id.0, &b_roster).await;
        assert_eq!(b["imported"], 2, "{b}");
        let a1 = id_number("440106", (1982, 7, 8), 75);
        let a = import_by_api(
            &base,
            &tianhe,
            w.factory.id.0,
            &format!("姓名,身份证号,手机号\n吴己,{a1},13600000020\n"),
        )
        .await;
        assert_eq!(a["imported"], 1, "{a}");

        // Branch A imports: (2) B's member by identity number, (3) a new person with the phone of
        // B's other member, (4) an invalid identity number, (5) its own member again, (6) a new
        // person with its own member's phone.
        let fresh = id_number("440106", (1990, 1, 2), 77);
        let fresh2 = id_number("440106", (1991, 2, 3), 79);
        let invalid = format!(
            "{}{}",
            &fresh[..17],
            if fresh.ends_with('1') { "2" } else { "1" }
        );
        let roster = format!(
            "姓名,身份证号,手机号\n孙丙,{b1},13600000011\n李丁,{fresh},13500000002\n\
             周戊,{invalid},13600000013\n吴己,{a1},13600000021\n郑庚,{fresh2},13600000020\n"
        );
        let answer = import_by_api(&base, &tianhe, w.factory.id.0, &roster).await;
        assert_eq!(answer["imported"], 0, "{answer}");
        assert_eq!(
            answer["skipped"], 1,
            "its own member, already there: {answer}"
        );
        let errors = answer["errors"].as_array().unwrap();
        let at = |row: u64| {
            errors
                .iter()
                .find(|e| e["row"] == row)
                .unwrap_or_else(|| panic!("row {row} reported: {answer}"))
        };
        for row in [2, 3] {
            assert_eq!(at(row)["reason"], NOT_IMPORTABLE, "{answer}");
            assert_eq!(at(row)["column"], NOT_IMPORTABLE_COLUMN, "{answer}");
        }
        assert_eq!(at(2), &{
            let mut e = at(3).clone();
            e["row"] = json!(2);
            e
        });
        assert_eq!(at(4)["column"], "身份证号");
        assert_ne!(at(4)["reason"], NOT_IMPORTABLE);
        assert_eq!(at(6)["column"], "手机号");
        assert!(
            at(6)["reason"].as_str().unwrap().contains(&w.factory.name),
            "its own member is named: {answer}"
        );
        let text = answer.to_string();
        for secret in ["越秀", w.shop.name.as_str(), "赵甲", "钱乙"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }

        // The error report names B no more than the answer did.
        let id = answer["id"].as_i64().unwrap();
        let report = reqwest::Client::new()
            .get(format!("{base}/api/v1/roster/imports/{id}/errors.csv"))
            .bearer_auth(&tianhe)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let line = |row: &str| {
            report
                .lines()
                .find(|l| l.starts_with(&format!("{row},")))
                .unwrap_or_else(|| panic!("row {row} in {report}"))
                .split_once(',')
                .unwrap()
                .1
                .to_owned()
        };
        assert_eq!(line("2"), line("3"), "{report}");
        assert!(line("2").contains(NOT_IMPORTABLE), "{report}");
        assert!(!report.contains("越秀"), "{report}");

        // B's members are as they were: in B's union, with their own names and phones.
        for (id, name, phone) in [(&b1, "赵甲", "13500000001"), (&b2, "钱乙", "13500000002")] {
            let worker = zhijia_store::worker::find_by_phone(db, phone)
                .await
                .unwrap()
                .expect("B's member");
            assert_eq!(worker.name, name);
            assert_eq!(worker.org_id, Some(w.shop.id));
            let history = zhijia_store::membership::history(db, worker.id)
                .await
                .unwrap();
            assert_eq!(history.len(), 1, "{id}: one membership, B's");
            assert_eq!(history[0].org_id, w.shop.id);
            assert_eq!(history[0].status.as_str(), "active");
        }
        assert_eq!(zhijia_store::worker::count(db).await.unwrap(), 3);

        // The city's staff read both rosters, so they are told which union holds the person.
        let above = import_by_api(&base, &city, w.factory.id.0, &roster).await;
        let row2 = above["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["row"] == 2)
            .cloned()
            .unwrap();
        assert!(
            row2["reason"].as_str().unwrap().contains(&w.shop.name),
            "{above}"
        );
        assert_eq!(zhijia_store::worker::count(db).await.unwrap(), 3);
    }
);
