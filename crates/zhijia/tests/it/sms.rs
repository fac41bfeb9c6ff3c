//! Worker sign-in by SMS code, and the limits against SMS bombing and guessing.

use crate::helpers::TestDb;
use crate::on_both;
use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use zhijia_app::AppError;
use zhijia_app::sms::{self, SmsSender};

/// Keeps the messages it is given, so a test can read the code the worker would receive.
#[derive(Default)]
struct Inbox(Mutex<Vec<(String, String)>>);

impl SmsSender for Inbox {
    fn send<'a>(
        &'a self,
        phone: &'a str,
        text: &'a str,
    ) -> Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        self.0
            .lock()
            .unwrap()
            .push((phone.to_owned(), text.to_owned()));
        Box::pin(async { Ok(()) })
    }
}

impl Inbox {
    fn last_code(&self) -> String {
        let text = self.0.lock().unwrap().last().unwrap().1.clone();
        text.chars().filter(char::is_ascii_digit).take(6).collect()
    }
}

const PHONE: &str = "13800138000";

on_both!(a_code_signs_in_once, |t: TestDb| async move {
    let inbox = Inbox::default();
    assert_eq!(
        sms::request_code(&t.store, &inbox, PHONE, Some("10.0.0.1"), false)
            .await
            .unwrap(),
        None
    );
    let code = inbox.last_code();
    let signed = sms::verify_code(&t.store, "+86 138 0013 8000", &code)
        .await
        .unwrap();
    assert_eq!(signed.phone, PHONE);
    let session = sms::resolve(&t.store, &signed.token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(session.phone, PHONE);
    let err = sms::verify_code(&t.store, PHONE, &code).await.unwrap_err();
    assert!(err.to_string().contains("失效"), "{err}");
    sms::sign_out(&t.store, &signed.token).await.unwrap();
    assert!(
        sms::resolve(&t.store, &signed.token)
            .await
            .unwrap()
            .is_none()
    );
});

on_both!(
    the_sixth_wrong_try_is_refused_even_with_the_right_code,
    |t: TestDb| async move {
        let inbox = Inbox::default();
        sms::request_code(&t.store, &inbox, PHONE, None, false)
            .await
            .unwrap();
        let code = inbox.last_code();
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for n in 1..=5 {
            let err = sms::verify_code(&t.store, PHONE, wrong).await.unwrap_err();
            assert_eq!(err.field(), Some("code"), "try {n}");
        }
        let err = sms::verify_code(&t.store, PHONE, &code).await.unwrap_err();
        assert!(err.to_string().contains("错误次数过多"), "{err}");
    }
);

on_both!(
    a_second_code_within_60_seconds_is_refused_by_any_process,
    |t: TestDb| async move {
        let inbox = Inbox::default();
        let shown = sms::request_code(&t.store, &inbox, PHONE, None, true)
            .await
            .unwrap();
        assert_eq!(
            shown.as_deref(),
            Some(inbox.last_code().as_str()),
            "demo mode shows the code"
        );
        let err = sms::request_code(&t.store, &inbox, PHONE, None, false)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::TooMany(_)), "{err:?}");
        // Another server process on the same database sees the same limit.
        let other = t.reopen().await;
        let err = sms::request_code(&other, &inbox, PHONE, None, false)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::TooMany(_)));
        assert_eq!(
            inbox.0.lock().unwrap().len(),
            1,
            "only one message went out"
        );
        // Another phone is not held back.
        sms::request_code(&other, &inbox, "13900139000", None, false)
            .await
            .unwrap();
    }
);

on_both!(
    one_address_gets_at_most_20_codes_an_hour,
    |t: TestDb| async move {
        let inbox = Inbox::default();
        for n in 0..20 {
            sms::request_code(
                &t.store,
                &inbox,
                &format!("137{n:08}"),
                Some("10.9.9.9"),
                false,
            )
            .await
            .unwrap();
        }
        let err = sms::request_code(&t.store, &inbox, "13799999999", Some("10.9.9.9"), false)
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::TooMany(_)), "{err:?}");
        sms::request_code(&t.store, &inbox, "13799999999", Some("10.9.9.10"), false)
            .await
            .unwrap();
    }
);

on_both!(
    concurrent_requests_for_one_phone_send_one_code,
    |t: TestDb| async move {
        let inbox = std::sync::Arc::new(Inbox::default());
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let (db, inbox) = (t.reopen().await, inbox.clone());
            tasks.push(tokio::spawn(async move {
                sms::request_code(&db, inbox.as_ref(), PHONE, None, false)
                    .await
                    .is_ok()
            }));
        }
        let mut ok = 0;
        for task in tasks {
            ok += usize::from(task.await.unwrap());
        }
        assert_eq!(ok, 1);
        assert_eq!(inbox.0.lock().unwrap().len(), 1);
    }
);

/// A stand-in for an operator's SMS gateway on loopback: records what it is sent.
async fn fake_gateway(
    status: u16,
) -> (String, std::sync::Arc<Mutex<Vec<(Option<String>, String)>>>) {
    use axum::http::HeaderMap;
    let seen = std::sync::Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = axum::Router::new().route(
        "/send",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let record = record.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .map(|v| v.to_str().unwrap().to_owned());
                record.lock().unwrap().push((auth, body));
                axum::http::StatusCode::from_u16(status).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, seen)
}

on_both!(
    codes_go_to_the_operators_http_gateway_with_the_configured_template,
    |t: TestDb| async move {
        let (url, seen) = fake_gateway(200).await;
        let template = r#"{"mobile":"{phone}","content":"{text}","sign":"工会"}"#;
        let gateway =
            zhijia::sms_gateway::HttpSender::new(&url, template, Some("secret-token".into()))
                .unwrap();
        sms::request_code(&t.store, &gateway, PHONE, None, false)
            .await
            .unwrap();
        let (auth, body) = seen.lock().unwrap()[0].clone();
        assert_eq!(auth.as_deref(), Some("Bearer secret-token"));
        let json: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert_eq!(json["mobile"], PHONE);
        assert_eq!(json["sign"], "工会");
        let text = json["content"].as_str().unwrap();
        let code: String = text.chars().filter(char::is_ascii_digit).take(6).collect();
        assert!(
            sms::verify_code(&t.store, PHONE, &code).await.is_ok(),
            "the code in the gateway's message signs in"
        );

        let (url, _) = fake_gateway(500).await;
        let failing = zhijia::sms_gateway::HttpSender::new(&url, template, None).unwrap();
        let err = sms::request_code(&t.store, &failing, "13900139000", None, false)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("短信发送失败"), "{err}");
        assert!(zhijia::sms_gateway::HttpSender::new("ftp://x", template, None).is_err());
    }
);

#[test]
fn gateway_bodies_escape_the_values() {
    let g = zhijia::sms_gateway::HttpSender::new("http://127.0.0.1:1/", r#"{"t":"{text}"}"#, None)
        .unwrap();
    let body = g.body("13800138000", "a\"b\\c\n");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["t"],
        "a\"b\\c\n"
    );
}

/// 25 code requests for 25 phones (never asked for before: `block` picks them) from one machine.
async fn burst(
    base: &str,
    block: u32,
    forwarded: impl Fn(usize) -> Option<String>,
) -> Vec<reqwest::StatusCode> {
    let http = reqwest::Client::new();
    let mut answers = Vec::new();
    for i in 0..25 {
        let mut r = http
            .post(format!("{base}/api/v1/worker/sms-codes"))
            .json(&serde_json::json!({ "phone": format!("139{block:04}{i:04}") }));
        if let Some(f) = forwarded(i) {
            r = r.header("X-Forwarded-For", f);
        }
        answers.push(r.send().await.unwrap().status());
    }
    answers
}

on_both!(
    the_per_address_limit_counts_the_peer_unless_a_trusted_proxy_names_the_client,
    |t: TestDb| async move {
        let limited = |answers: &[reqwest::StatusCode]| {
            answers
                .iter()
                .filter(|s| **s == reqwest::StatusCode::TOO_MANY_REQUESTS)
                .count()
        };
        // No proxy configured: with or without a (spoofed) header, one machine is one address.
        let base = crate::helpers::demo_site(&t).await;
        let plain = burst(&base, 1, |_| None).await;
        assert_eq!(
            limited(&plain),
            25 - sms::ADDRESS_PER_HOUR as usize,
            "{plain:?}"
        );
        let spoofed = burst(&base, 2, |i| Some(format!("203.0.113.{i}"))).await;
        assert_eq!(
            limited(&spoofed),
            25,
            "a spoofed header must not open new quotas"
        );

        // Behind a trusted proxy, the client it names is the address: a different client per
        // request is a different quota, while addresses the client wrote to the left of the
        // proxy's own entry prove nothing.
        let t2 = TestDb::same_backend(&t).await;
        let config = zhijia_web::WebConfig {
            trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
            pii_keys: Some(crate::helpers::keys()),
            ..zhijia_web::WebConfig::default()
        };
        let proxied = crate::helpers::site_with(&t2, config).await;
        let clients = burst(&proxied, 3, |i| Some(format!("198.51.100.{i}"))).await;
        assert_eq!(limited(&clients), 0, "{clients:?}");
        let forged = burst(&proxied, 4, |i| Some(format!("10.9.9.{i}, 192.0.2.7"))).await;
        assert_eq!(
            limited(&forged),
            25 - sms::ADDRESS_PER_HOUR as usize,
            "the proxy's entry (192.0.2.7) is the client"
        );
        // Staff audit entries record the same address.
        crate::aid::staff_with(&t2.store, "ip.admin", &[]).await;
        let r = reqwest::Client::new()
            .post(format!("{proxied}/api/v1/staff/sessions"))
            .header("X-Forwarded-For", "198.51.100.77")
            .json(&serde_json::json!({ "username": "ip.admin", "password": crate::aid::PASSWORD }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK);
        let log = zhijia_store::audit::all(&t2.store, 10, 0)
            .await
            .unwrap()
            .items;
        assert!(
            log.iter().any(|e| e.ip.as_deref() == Some("198.51.100.77")),
            "{log:?}"
        );
    }
);
