//! The worker's membership flows over HTTP, as a phone would walk them (issue 13): the join
//! form by path with pickers instead of codes, leaving only after a confirm step with a reason,
//! the pending applicant's card and membership pages, the SMS sign-in that keeps the form and
//! returns to the page wanted, and home tiles that never lead to the staff sign-in.

use crate::helpers::{TestDb, browser, csrf_of, page_text, worker_api_token, worker_signed_in};
use crate::membership::{Env, Reviewer, employee, employer_code, id_number, world};
use crate::on_both;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhijia_app::membership::join::{self, Decision};
use zhijia_domain::auth::Role;

/// The posted fields of a join form, the declarations ticked.
fn join_fields<'a>(csrf: &'a str, rest: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut f = vec![
        ("csrf", csrf),
        ("wage_earner", "on"),
        ("accepts_constitution", "on"),
        ("consent", "on"),
    ];
    f.extend_from_slice(rest);
    f
}

on_both!(
    the_join_form_asks_the_path_first_and_a_gig_worker_picks_from_lists,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let client = worker_signed_in(&base, "13900139101").await;

        // First the path, as two links; no field of either path yet.
        let choose = page_text(&client, format!("{base}/join")).await;
        assert!(choose.contains("href=\"/join?path=employee\""), "{choose}");
        assert!(choose.contains("href=\"/join?path=gig\""));
        assert!(
            choose.contains("在单位上班的职工") && choose.contains("灵活就业·新就业形态劳动者")
        );
        assert!(
            !choose.contains("name=\"employer_name\"")
                && !choose.contains("name=\"gig_occupation\"")
        );

        // The gig path: occupation by its Chinese label, the city from the region lists; no
        // employer field, no code to type anywhere.
        let gig = page_text(&client, format!("{base}/join?path=gig")).await;
        assert!(gig.contains("name=\"gig_occupation\""));
        assert!(gig.contains(">快递员<"), "occupations by label: {gig}");
        assert!(!gig.contains(">courier<"), "never the raw code");
        assert!(
            gig.contains("fieldset class=\"region\" data-depth=\"2\""),
            "a city picker"
        );
        assert!(
            !gig.contains("name=\"employer_name\"")
                && !gig.contains("name=\"employer_credit_code\"")
        );
        assert!(!gig.contains("township_org_id") && !gig.contains("如 440100"));
        assert!(gig.contains("class=\"req\""), "required fields are marked");
        // The employee path: employer and township union found by name, no union number.
        let emp = page_text(&client, format!("{base}/join?path=employee")).await;
        assert!(emp.contains("data-suggest=\"/api/v1/join/employers\""));
        assert!(emp.contains("data-suggest=\"/api/v1/join/townships\""));
        assert!(
            !emp.contains("name=\"gig_occupation\"") && !emp.contains("name=\"township_org_id\"")
        );

        // A mistake comes back with everything chosen, the message under the field.
        let csrf = csrf_of(&gig);
        let good = id_number("440106", (1995, 3, 8), 71);
        let res = client
            .post(format!("{base}/join"))
            .form(&join_fields(
                &csrf,
                &[
                    ("employment", "gig"),
                    ("name", "骑手甲"),
                    ("id_number", good.as_str()),
                    ("gig_occupation", "courier"),
                    ("work_city", ""),
                ],
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains("value=\"骑手甲\"") && page.contains(&good));
        assert!(
            page.contains("<option value=\"courier\" selected>快递员</option>"),
            "{page}"
        );
        assert!(
            page.contains("class=\"field-error\">请选择工作所在的城市"),
            "{page}"
        );
        assert!(
            !page.contains("name=\"employer_name\""),
            "still the gig path"
        );

        let res = client
            .post(format!("{base}/join"))
            .form(&join_fields(
                &csrf,
                &[
                    ("employment", "gig"),
                    ("name", "骑手甲"),
                    ("id_number", good.as_str()),
                    ("gig_occupation", "courier"),
                    ("work_city", "440100"),
                ],
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.url().path(), "/membership");
        let mine = res.text().await.unwrap();
        // 我的会籍 shows the waiting application and does not offer another.
        assert!(mine.contains("入会申请审核中"), "{mine}");
        assert!(mine.contains(&w.couriers.name));
        assert!(
            !mine.contains("href=\"/join\""),
            "no 申请入会 while one is pending"
        );
        // The card page explains the state: no 404, no automatic refresh.
        let card = client.get(format!("{base}/card")).send().await.unwrap();
        assert_eq!(card.status(), StatusCode::OK);
        let card = card.text().await.unwrap();
        assert!(
            card.contains("入会申请审核中") && card.contains("预计"),
            "{card}"
        );
        assert!(card.contains(&w.couriers.name));
        assert!(!card.contains("http-equiv=\"refresh\""));
        // The join page says so too, instead of a second form.
        let again = page_text(&client, format!("{base}/join?path=gig")).await;
        assert!(again.contains("正在审核中") && !again.contains("action=\"/join\""));
    }
);

on_both!(
    an_employer_and_a_township_union_are_found_by_name,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let client = worker_signed_in(&base, "13900139102").await;

        // Suggestions, for signed-in workers, from what exists: by name or by credit code.
        let by_name: Value = client
            .get(format!("{base}/api/v1/join/employers?q=天河电子"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(by_name[0]["name"], "广州天河电子厂");
        assert_eq!(by_name[0]["credit_code"], w.factory_code.as_str());
        let by_code: Value = client
            .get(format!(
                "{base}/api/v1/join/employers?q={}",
                &w.shop_code[..10]
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(by_code.as_array().unwrap().len(), 1);
        assert_eq!(by_code[0]["name"], "越秀百货公司");
        let towns: Value = client
            .get(format!("{base}/api/v1/join/townships?q=沙河"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(towns[0]["name"], w.gz.town.name.as_str());
        assert!(
            towns[0]["place"].as_str().unwrap().contains("天河区"),
            "{towns}"
        );
        let stranger = reqwest::Client::new()
            .get(format!("{base}/api/v1/join/employers?q=天河"))
            .send()
            .await
            .unwrap();
        assert_eq!(stranger.status(), StatusCode::UNAUTHORIZED);

        // Without JavaScript: the name typed alone finds the employer's union.
        let csrf = csrf_of(&page_text(&client, format!("{base}/join?path=employee")).await);
        let id = id_number("440106", (1990, 4, 2), 81);
        let res = client
            .post(format!("{base}/join"))
            .form(&join_fields(
                &csrf,
                &[
                    ("employment", "employee"),
                    ("name", "林二"),
                    ("id_number", id.as_str()),
                    ("employer_name", "广州天河电子厂"),
                    ("employer_credit_code", ""),
                ],
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.url().path(), "/membership");
        assert!(res.text().await.unwrap().contains(&w.factory.name));

        // An employer the site does not know needs its code; a township union is named, not
        // numbered, and a name that is not one is refused at the field with everything kept.
        let other = worker_signed_in(&base, "13900139103").await;
        let csrf = csrf_of(&page_text(&other, format!("{base}/join?path=employee")).await);
        let id = id_number("440106", (1988, 9, 9), 91);
        let unknown = employer_code("440106", 77);
        let post = |fields: Vec<(&'static str, String)>| {
            let other = other.clone();
            let base = base.clone();
            async move {
                other
                    .post(format!("{base}/join"))
                    .form(&fields)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let base_fields = |code: &str, town: &str| {
            vec![
                ("csrf", csrf.clone()),
                ("wage_earner", "on".into()),
                ("accepts_constitution", "on".into()),
                ("consent", "on".into()),
                ("employment", "employee".into()),
                ("name", "林三".into()),
                ("id_number", id.clone()),
                ("employer_name", "天河新开小店".into()),
                ("employer_credit_code", code.to_owned()),
                ("township_org_name", town.to_owned()),
            ]
        };
        let res = post(base_fields("", "")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(
            page.contains("class=\"field-error\">工作单位的统一社会信用代码"),
            "{page}"
        );
        assert!(page.contains("value=\"天河新开小店\""));
        let res = post(base_fields(&unknown, "不存在街道工会")).await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(page.contains("没有找到“不存在街道工会”"), "{page}");
        assert!(page.contains(&unknown) && page.contains("value=\"不存在街道工会\""));
        // Picked from the suggestions ("名称（所在区县）"): routed to that township union.
        let picked = format!(
            "{}（{}）",
            w.gz.town.name,
            towns[0]["place"].as_str().unwrap()
        );
        let res = post(base_fields(&unknown, &picked)).await;
        assert_eq!(res.url().path(), "/membership", "{}", res.status());
        assert!(res.text().await.unwrap().contains(&w.gz.town.name));

        // The JSON API still takes codes.
        let token = worker_api_token(&base, "13900139104").await;
        let id = id_number("440106", (1992, 1, 5), 95);
        let api = reqwest::Client::new()
            .post(format!("{base}/api/v1/membership/applications"))
            .bearer_auth(&token)
            .json(&json!({
                "name": "林四", "id_number": id, "employment": "gig",
                "gig_occupation": "courier", "work_city": "440100",
                "wage_earner": true, "accepts_constitution": true, "consent": true,
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::CREATED);
        // The suggestions and the leaving reason are in the API's document.
        let doc = page_text(&client, format!("{base}/api/openapi.json")).await;
        for part in [
            "/api/v1/join/employers",
            "/api/v1/join/townships",
            "LeaveRequest",
        ] {
            assert!(doc.contains(part), "{part} documented");
        }
    }
);

on_both!(
    leaving_asks_to_confirm_and_for_a_reason,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        // A member of the factory's union.
        let env = Env::new();
        let ctx = env.ctx(db);
        let now = Utc::now();
        let phone = "13900139105";
        let id = id_number("440106", (1987, 6, 6), 55);
        let sub = join::apply(
            &ctx,
            phone,
            &employee("王五", &id, "广州天河电子厂", &w.factory_code),
            now,
        )
        .await
        .unwrap();
        let reviewer = Reviewer::of(&w.gz.town, Role::Reviewer);
        join::decide(
            &ctx,
            &reviewer.ctx(),
            sub.application_id,
            Decision::Approve,
            now,
        )
        .await
        .unwrap();
        let client = worker_signed_in(&base, phone).await;

        // 申请退会 on 我的会籍 is a link to a confirm step, not a one-tap form.
        let mine = page_text(&client, format!("{base}/membership")).await;
        assert!(mine.contains("href=\"/membership/leave\""), "{mine}");
        assert!(!mine.contains("action=\"/membership/leave\""));
        let confirm = page_text(&client, format!("{base}/membership/leave")).await;
        assert!(confirm.contains("电子会员卡立即失效") && confirm.contains(&w.factory.name));
        assert!(confirm.contains("name=\"choice\"") && confirm.contains("确认退会"));
        let csrf = csrf_of(&confirm);

        // Without a reason nothing ends; "其他" needs words; the typed words are kept.
        let res = client
            .post(format!("{base}/membership/leave"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(res.text().await.unwrap().contains("请选择退会原因"));
        let res = client
            .post(format!("{base}/membership/leave"))
            .form(&[("csrf", csrf.as_str()), ("choice", "其他"), ("detail", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let page = res.text().await.unwrap();
        assert!(
            page.contains("请写明退会原因") && page.contains("value=\"其他\" required checked")
        );
        let card = page_text(&client, format!("{base}/card")).await;
        assert!(card.contains("<svg"), "still a member");
        // The API refuses too (JSON with the signed-in session).
        let api = client
            .post(format!("{base}/api/v1/membership/leave"))
            .json(&json!({ "reason": "" }))
            .send()
            .await
            .unwrap();
        assert_eq!(api.status(), StatusCode::UNPROCESSABLE_ENTITY);

        let res = client
            .post(format!("{base}/membership/leave"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("choice", "离开原单位，暂不需要会籍"),
                ("detail", "回老家了"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.url().path(), "/membership");
        let mine = res.text().await.unwrap();
        assert!(mine.contains("您目前没有有效会籍"), "{mine}");
        assert!(
            mine.contains("原因：离开原单位，暂不需要会籍；回老家了"),
            "the message says why"
        );
        // The reason is in the audit log with the leave.
        let worker = zhijia_store::worker::find_by_phone(db, phone)
            .await
            .unwrap()
            .unwrap();
        let audit = zhijia_store::audit::of_target(db, "worker", &worker.id.to_string(), 20)
            .await
            .unwrap();
        let left = audit
            .iter()
            .find(|e| e.action == "membership.left")
            .expect("the leave is audited");
        assert!(
            left.detail
                .as_deref()
                .unwrap_or_default()
                .contains("回老家了"),
            "{left:?}"
        );
    }
);

on_both!(
    sign_in_keeps_the_form_and_returns_to_the_page_wanted,
    |t: TestDb| async move {
        let base = crate::helpers::demo_site(&t).await;
        let client = browser();
        // A worker page sends a stranger to sign in, remembering where they were going.
        let res = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .get(format!("{base}/join?path=gig"))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.headers()["location"].to_str().unwrap(),
            "/sign-in?next=/join%3Fpath%3Dgig"
        );
        let form = page_text(&client, format!("{base}/sign-in?next=/join%3Fpath%3Dgig")).await;
        assert!(
            form.contains("name=\"next\" value=\"/join?path=gig\""),
            "{form}"
        );
        let csrf = csrf_of(&form);
        let phone = "13900139106";
        let sent = client
            .post(format!("{base}/sign-in/code"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("phone", phone),
                ("next", "/join?path=gig"),
            ])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(sent.contains("data-wait=\"60\""), "a countdown: {sent}");
        assert!(sent.contains("60 秒后"), "said in words without JavaScript");
        // Asking again at once is refused, but the phone, the typed code and the page stay.
        let again = client
            .post(format!("{base}/sign-in/code"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("phone", phone),
                ("code", "12345"),
                ("next", "/join?path=gig"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::TOO_MANY_REQUESTS);
        let again = again.text().await.unwrap();
        assert!(again.contains("获取验证码过于频繁"), "{again}");
        assert!(again.contains(&format!("name=\"phone\" value=\"{phone}\"")));
        assert!(
            again.contains("name=\"code\" value=\"12345\""),
            "the typed code is kept"
        );
        assert!(
            again.contains("action=\"/sign-in/verify\""),
            "still the code step"
        );
        assert!(again.contains("秒后(北京时间"), "{again}");
        assert!(again.contains("name=\"next\" value=\"/join?path=gig\""));
        // Signed in: back to the page wanted.
        let code = crate::helpers::sms_code(&base, phone);
        let res = client
            .post(format!("{base}/sign-in/verify"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("phone", phone),
                ("code", code.as_str()),
                ("next", "/join?path=gig"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.url().path(), "/join");
        assert_eq!(res.url().query(), Some("path=gig"));

        // Never off-site: another host's address is dropped, and the worker lands home.
        for evil in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
        ] {
            let c = browser();
            let form = page_text(&c, format!("{base}/sign-in?next={evil}")).await;
            assert!(form.contains("name=\"next\" value=\"\""), "{evil}: {form}");
        }
        let phone = "13900139107";
        let c = browser();
        let csrf = csrf_of(&page_text(&c, format!("{base}/sign-in")).await);
        c.post(format!("{base}/sign-in/code"))
            .form(&[("csrf", csrf.as_str()), ("phone", phone)])
            .send()
            .await
            .unwrap();
        let code = crate::helpers::sms_code(&base, phone);
        let res = c
            .post(format!("{base}/sign-in/verify"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("phone", phone),
                ("code", code.as_str()),
                ("next", "//evil.example/x"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.url().path(), "/");
        assert_eq!(res.url().host_str(), Some("127.0.0.1"));
    }
);

on_both!(
    no_worker_tile_leads_to_the_staff_sign_in,
    |t: TestDb| async move {
        let base = crate::helpers::demo_site(&t).await;
        let client = worker_signed_in(&base, "13900139108").await;
        let home = page_text(&client, format!("{base}/")).await;
        assert!(home.contains("工会组织"));
        assert!(!home.contains("href=\"/console"), "{home}");
        // Every tile a worker can tap opens a worker page.
        let mut rest = home.as_str();
        let mut seen = 0;
        while let Some(at) = rest.find("<a class=\"tile\" href=\"") {
            rest = &rest[at + 22..];
            let href = &rest[..rest.find('"').unwrap()];
            let res = client.get(format!("{base}{href}")).send().await.unwrap();
            assert_eq!(res.status(), StatusCode::OK, "{href}");
            assert!(
                !res.url().path().starts_with("/console"),
                "{href} → {}",
                res.url()
            );
            seen += 1;
        }
        assert!(seen >= 8, "{seen} tiles");
    }
);

/// A worker's join application over the API, with `forwarded` as an `X-Forwarded-For` header.
async fn apply_by_api(base: &str, token: &str, name: &str, id: &str, code: &str, forwarded: &str) {
    let res = reqwest::Client::new()
        .post(format!("{base}/api/v1/membership/applications"))
        .bearer_auth(token)
        .header("x-forwarded-for", forwarded)
        .json(&json!({
            "name": name, "id_number": id, "employment": "employee",
            "employer_name": "广州天河电子厂", "employer_credit_code": code,
            "wage_earner": true, "accepts_constitution": true, "consent": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "{}",
        res.text().await.unwrap()
    );
}

/// The audit entries of the worker whose masked phone is `masked`: (action, address).
async fn worker_entries(db: &zhijia_store::Store, masked: &str) -> Vec<(String, Option<String>)> {
    zhijia_store::audit::all(db, 200, 0)
        .await
        .unwrap()
        .items
        .into_iter()
        .filter(|e| e.actor_kind.as_str() == "worker" && e.actor_name == masked)
        .map(|e| (e.action, e.ip))
        .collect()
}

// A worker's actions are audited with the client's address, by the rule staff entries follow:
// the peer, unless the peer is a configured trusted proxy, whose `X-Forwarded-For` is believed.
// A client that is not a trusted proxy cannot put an address of its choice into the log.
on_both!(
    a_workers_audit_entries_carry_the_client_address_and_not_a_spoofed_one,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let keys = crate::helpers::keys();
        let direct = crate::helpers::site_with(
            &t,
            zhijia_web::WebConfig {
                pii_keys: Some(keys.clone()),
                ..zhijia_web::WebConfig::default()
            },
        )
        .await;
        let proxied = crate::helpers::site_with(
            &t,
            zhijia_web::WebConfig {
                pii_keys: Some(keys),
                trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
                ..zhijia_web::WebConfig::default()
            },
        )
        .await;

        // Straight from the client, which claims another address: the peer is recorded.
        let token = worker_api_token(&direct, "13900139301").await;
        let id = id_number("440106", (1988, 3, 4), 51);
        apply_by_api(&direct, &token, "宋一", &id, &w.factory_code, "203.0.113.9").await;
        let entries = worker_entries(db, &zhijia_domain::auth::mask_phone("13900139301")).await;
        let actions: Vec<&str> = entries.iter().map(|(a, _)| a.as_str()).collect();
        assert!(actions.contains(&"auth.worker_sign_in"), "{entries:?}");
        assert!(actions.contains(&"join.applied"), "{entries:?}");
        for (action, ip) in &entries {
            assert_eq!(ip.as_deref(), Some("127.0.0.1"), "{action}");
        }

        // Through a trusted proxy: the address it forwarded is recorded.
        let token = worker_api_token(&proxied, "13900139302").await;
        let id = id_number("440106", (1989, 5, 6), 53);
        apply_by_api(
            &proxied,
            &token,
            "宋二",
            &id,
            &w.factory_code,
            "198.51.100.7",
        )
        .await;
        let entries = worker_entries(db, &zhijia_domain::auth::mask_phone("13900139302")).await;
        assert!(
            entries
                .iter()
                .any(|(a, ip)| a == "join.applied" && ip.as_deref() == Some("198.51.100.7")),
            "{entries:?}"
        );
    }
);
