//! The real HTTP server on a port, on each backend: the same pages and API.

use crate::helpers::{TestDb, csrf_of, org, signed_in};
use crate::on_both;
use reqwest::StatusCode;
use serde_json::Value;
use zhijia_web::WebConfig;

async fn start(t: &TestDb) -> String {
    let running = zhijia::serve::start(t.store.clone(), "127.0.0.1:0", WebConfig::default())
        .await
        .unwrap();
    format!("http://{}", running.addr)
}

async fn get(url: &str) -> (StatusCode, reqwest::header::HeaderMap, String) {
    let r = reqwest::get(url).await.unwrap();
    let status = r.status();
    let headers = r.headers().clone();
    (status, headers, r.text().await.unwrap())
}

async fn json(url: &str) -> (StatusCode, Value) {
    let (s, _, body) = get(url).await;
    (
        s,
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{url}: {e}: {body}")),
    )
}

on_both!(
    the_org_api_answers_reads_with_pagination_and_clear_errors,
    |t: TestDb| async move {
        let prov = org(&t.store, "广东省总工会", "province", None, "440000").await;
        for n in 0..5 {
            org(
                &t.store,
                &format!("城市{n}总工会"),
                "city",
                Some(&prov),
                "440100",
            )
            .await;
        }
        let base = start(&t).await;

        let (s, v) = json(&format!("{base}/api/v1/orgs/{}", prov.id)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(v["name"], "广东省总工会");
        assert_eq!(v["level"], "province");
        assert_eq!(v["level_label"], "省级工会");
        assert_eq!(v["child_count"], 5);

        let (_, roots) = json(&format!("{base}/api/v1/orgs")).await;
        assert_eq!(roots["total"], 1);

        let (s, page) = json(&format!(
            "{base}/api/v1/orgs/{}/children?limit=2&offset=2",
            prov.id
        ))
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(page["total"], 5);
        assert_eq!(page["items"].as_array().unwrap().len(), 2);
        assert_eq!(page["items"][0]["name"], "城市2总工会");

        let (_, sub) = json(&format!("{base}/api/v1/orgs/{}/subtree?limit=500", prov.id)).await;
        assert_eq!(sub["total"], 6);
        assert_eq!(sub["limit"], 200, "limits are capped");
        let (_, found) = json(&format!("{base}/api/v1/orgs/{}/subtree?q=城市3", prov.id)).await;
        assert_eq!(found["total"], 1);

        let (s, err) = json(&format!("{base}/api/v1/orgs/abc")).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(err["error"], "invalid");
        assert_eq!(err["field"], "id");
        assert!(err["message"].as_str().unwrap().contains("编号"));

        let (s, err) = json(&format!(
            "{base}/api/v1/orgs/{}/children?limit=many",
            prov.id
        ))
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(err["message"].as_str().unwrap().contains("分页"));

        let (s, err) = json(&format!("{base}/api/v1/orgs/99999")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(err["message"], "工会组织不存在");

        let (s, err) = json(&format!("{base}/api/v1/no-such-thing")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(err["error"], "not_found");

        let (_, moves) = json(&format!("{base}/api/v1/orgs/{}/moves", prov.id)).await;
        assert_eq!(moves, Value::Array(vec![]));
    }
);

on_both!(
    the_pages_render_in_chinese_with_the_org_tree,
    |t: TestDb| async move {
        let prov = org(&t.store, "广东省总工会", "province", None, "440000").await;
        let city = org(&t.store, "广州市总工会", "city", Some(&prov), "440100").await;
        org(
            &t.store,
            "广州市天河区总工会",
            "county",
            Some(&city),
            "440106",
        )
        .await;
        let base = start(&t).await;

        let (s, headers, home) = get(&format!("{base}/")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(home.contains("lang=\"zh-CN\""));
        assert!(home.contains("网上职工之家"));
        assert!(home.contains("即将上线"), "modules not built yet say so");
        assert!(
            home.contains("维权服务")
                && home.contains("普惠服务")
                && home.contains("户外劳动者驿站")
        );
        assert!(
            headers["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("default-src 'self'")
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");

        // The stylesheet comes from the binary, with a cache-busting hash; htmx (17 KB) is
        // loaded only by the console's org tree, never by a worker's page.
        assert!(!home.contains("htmx"), "{home}");
        for asset in ["app.css"] {
            let start = home.find(&format!("/{asset}")).unwrap();
            let href_start = home[..start].rfind("\"/static/").unwrap() + 1;
            let href = &home[href_start..start + asset.len() + 1];
            let (s, h, body) = get(&format!("{base}{href}")).await;
            assert_eq!(s, StatusCode::OK, "{href}");
            assert!(h["cache-control"].to_str().unwrap().contains("immutable"));
            assert!(!body.is_empty());
        }

        // From here on, a signed-in org_admin of the province.
        let staff = signed_in(&base, &t.store, &prov).await;
        let get = |url: &str| {
            let staff = staff.clone();
            let url = url.to_owned();
            async move {
                let r = staff.get(url).send().await.unwrap();
                let (s, h) = (r.status(), r.headers().clone());
                (s, h, r.text().await.unwrap())
            }
        };
        let (s, _, console) = get(&format!("{base}/console")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(console.contains("工会组织树") && console.contains("广东省总工会"));
        assert!(console.contains(&format!("hx-get=\"/console/orgs/{}/children\"", prov.id)));
        assert!(
            console.contains("hx-trigger=\"toggle once\""),
            "branches load once, on opening"
        );

        let (s, _, fragment) = get(&format!("{base}/console/orgs/{}/children", prov.id)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(fragment.contains("广州市总工会") && !fragment.contains("<html"));

        let (s, _, page) = get(&format!("{base}/console/orgs/{}", city.id)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("广州市天河区总工会"), "children listed");
        assert!(
            page.contains(&format!("href=\"/console/orgs/{}\"", prov.id)),
            "breadcrumb to the parent"
        );
        assert!(page.contains("市级工会"));

        let (s, _, page) = get(&format!("{base}/console/orgs/{}?q=天河", prov.id)).await;
        assert_eq!(s, StatusCode::OK);
        assert!(page.contains("广州市天河区总工会"));

        let (s, _, missing) = get(&format!("{base}/console/orgs/424242")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(missing.contains("工会组织不存在"));

        let (s, _, bad) = get(&format!("{base}/console/orgs/{}?page=x", prov.id)).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.contains("页码"));

        let (s, _, nf) = get(&format!("{base}/no/such/page")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(nf.contains("不存在") && nf.contains("返回首页"));
    }
);

on_both!(
    health_metrics_and_openapi_are_served,
    |t: TestDb| async move {
        let prov = org(&t.store, "广东省总工会", "province", None, "440000").await;
        let base = start(&t).await;
        let (s, _, body) = get(&format!("{base}/healthz")).await;
        assert_eq!((s, body.as_str()), (StatusCode::OK, "ok"));

        get(&format!("{base}/api/v1/orgs/{}", prov.id)).await;
        get(&format!("{base}/api/v1/orgs/{}", prov.id)).await;
        let (_, _, metrics) = get(&format!("{base}/metrics")).await;
        let line = metrics
            .lines()
            .find(|l| {
                l.starts_with("zhijia_http_request_duration_seconds_count")
                    && l.contains("route=\"/api/v1/orgs/{id}\"")
            })
            .unwrap_or_else(|| panic!("no per-route counter in:\n{metrics}"));
        assert!(line.ends_with(" 2"), "{line}");
        assert!(metrics.contains("zhijia_http_request_duration_seconds_bucket"));

        let (s, doc) = json(&format!("{base}/api/openapi.json")).await;
        assert_eq!(s, StatusCode::OK);
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        for path in [
            "/api/v1/orgs",
            "/api/v1/orgs/{id}",
            "/api/v1/orgs/{id}/children",
            "/api/v1/orgs/{id}/subtree",
        ] {
            assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
        }
        assert!(doc["components"]["schemas"]["OrgView"].is_object());
    }
);

on_both!(
    the_console_needs_sign_in_and_forms_need_their_csrf_token,
    |t: TestDb| async move {
        let prov = org(&t.store, "广东省总工会", "province", None, "440000").await;
        let base = start(&t).await;
        // Not signed in: the console sends you to the sign-in page.
        let r = reqwest::get(format!("{base}/console/orgs/{}", prov.id))
            .await
            .unwrap();
        assert!(
            r.url().path().starts_with("/console/sign-in"),
            "{}",
            r.url()
        );
        assert!(r.text().await.unwrap().contains("工作人员登录"));

        zhijia_app::staff::create_demo_admin(&t.store, prov.id)
            .await
            .unwrap();
        let client = crate::helpers::browser();
        let form = crate::helpers::page_text(&client, format!("{base}/console/sign-in")).await;
        let csrf = csrf_of(&form);
        let url = format!("{base}/console/sign-in");
        let post = |fields: Vec<(&'static str, String)>| client.post(&url).form(&fields).send();
        let user = ("username", "demo.admin".to_owned());
        let r = post(vec![user.clone(), ("password", "Demo2026zhijia".into())])
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "no token");
        let r = post(vec![
            user.clone(),
            ("password", "Demo2026zhijia".into()),
            ("csrf", "0".repeat(64)),
        ])
        .await
        .unwrap();
        assert_eq!(r.status(), 403, "wrong token");
        let r = post(vec![
            user.clone(),
            ("password", "Wrong2026zhijia".into()),
            ("csrf", csrf.clone()),
        ])
        .await
        .unwrap();
        assert_eq!(r.status(), 401);
        assert!(r.text().await.unwrap().contains("用户名或密码不正确"));
        let r = post(vec![
            user,
            ("password", "Demo2026zhijia".into()),
            ("csrf", csrf),
        ])
        .await
        .unwrap();
        assert_eq!((r.status().as_u16(), r.url().path()), (200, "/console"));

        // Signing out needs the session's own token.
        let console = crate::helpers::page_text(&client, format!("{base}/console")).await;
        let out = format!("{base}/console/sign-out");
        let r = client
            .post(&out)
            .form(&[("csrf", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = client
            .post(&out)
            .form(&[("csrf", csrf_of(&console))])
            .send()
            .await
            .unwrap();
        assert!(r.url().path().starts_with("/console/sign-in"));
        let r = client.get(format!("{base}/console")).send().await.unwrap();
        assert!(r.url().path().starts_with("/console/sign-in"), "signed out");
    }
);

on_both!(
    a_county_admin_sees_the_county_and_not_its_neighbour_or_parent,
    |t: TestDb| async move {
        let crate::helpers::Guangzhou {
            prov,
            city,
            tianhe,
            yuexiu,
            town,
        } = crate::helpers::guangzhou(&t.store).await;
        let base = start(&t).await;
        let staff = signed_in(&base, &t.store, &tianhe).await;
        let status = |path: String| staff.get(path).send();
        for inside in [&tianhe, &town] {
            assert_eq!(
                status(format!("{base}/console/orgs/{}", inside.id))
                    .await
                    .unwrap()
                    .status(),
                200
            );
            assert_eq!(
                status(format!("{base}/console/orgs/{}/children", inside.id))
                    .await
                    .unwrap()
                    .status(),
                200
            );
        }
        for outside in [&yuexiu, &city, &prov] {
            let r = status(format!("{base}/console/orgs/{}", outside.id))
                .await
                .unwrap();
            assert_eq!(r.status(), 404, "{}", outside.name);
            let r = status(format!("{base}/console/orgs/{}/children", outside.id))
                .await
                .unwrap();
            assert_eq!(r.status(), 404, "{}", outside.name);
        }
        let console = crate::helpers::page_text(&staff, format!("{base}/console")).await;
        assert!(console.contains("广州市天河区总工会") && !console.contains("广州市越秀区总工会"));
    }
);

on_both!(
    a_first_sign_in_must_change_the_password_before_anything_else,
    |t: TestDb| async move {
        let prov = org(&t.store, "广东省总工会", "province", None, "440000").await;
        let created = zhijia_app::staff::create_admin(
            &t.store,
            "gd.admin",
            "王伟",
            prov.id,
            &crate::helpers::actor(),
        )
        .await
        .unwrap();
        let base = start(&t).await;
        let client = crate::helpers::browser();
        let form = crate::helpers::page_text(&client, format!("{base}/console/sign-in")).await;
        let fields = [
            ("username", "gd.admin"),
            ("password", created.initial_password.as_str()),
            ("csrf", &csrf_of(&form)),
        ];
        let r = client
            .post(format!("{base}/console/sign-in"))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(r.url().path(), "/console/password");
        let page = r.text().await.unwrap();
        assert!(page.contains("首次登录"));
        // Any other console page leads back here until the password is changed.
        let r = client.get(format!("{base}/console")).send().await.unwrap();
        assert_eq!(r.url().path(), "/console/password");
        let csrf = csrf_of(&page);
        let change = |new: &'static str, confirm: &'static str| {
            let fields = [
                ("csrf", csrf.clone()),
                ("current", created.initial_password.clone()),
                ("new", new.into()),
                ("confirm", confirm.into()),
            ];
            client
                .post(format!("{base}/console/password"))
                .form(&fields)
                .send()
        };
        let r = change("Tianhe2024Union", "Tianhe2024Unionx").await.unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("不一致"));
        let r = change("short1", "short1").await.unwrap();
        assert_eq!(r.status(), 422);
        let r = change("Tianhe2024Union", "Tianhe2024Union").await.unwrap();
        assert_eq!((r.status().as_u16(), r.url().path()), (200, "/console"));
        assert!(r.text().await.unwrap().contains("广东省总工会"));
    }
);

on_both!(
    an_org_admin_reads_the_audit_log_of_their_branch_on_the_page_and_in_the_api,
    |t: TestDb| async move {
        let prov = org(&t.store, "广东省总工会", "province", None, "440000").await;
        let city = org(&t.store, "广州市总工会", "city", Some(&prov), "440100").await;
        let tianhe = org(
            &t.store,
            "广州市天河区总工会",
            "county",
            Some(&city),
            "440106",
        )
        .await;
        let base = start(&t).await;
        let staff = signed_in(&base, &t.store, &tianhe).await;

        let r = staff
            .get(format!("{base}/console/orgs/{}/audit", tianhe.id))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let page = r.text().await.unwrap();
        assert!(page.contains("org.created") && page.contains("staff.created"));
        let r = staff
            .get(format!("{base}/console/orgs/{}/audit", city.id))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);

        let r = staff
            .get(format!("{base}/api/v1/orgs/{}/audit?limit=2", tianhe.id))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["items"].as_array().unwrap().len(), 2);
        assert!(v["total"].as_i64().unwrap() >= 3);
        let r = staff
            .get(format!("{base}/api/v1/orgs/{}/audit", city.id))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = reqwest::get(format!("{base}/api/v1/orgs/{}/audit", tianhe.id))
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "no session");
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["error"], "unauthorized");
    }
);

on_both!(
    a_county_admin_grants_roles_inside_the_county_through_api_and_page,
    |t: TestDb| async move {
        let crate::helpers::Guangzhou {
            city,
            tianhe,
            yuexiu,
            town,
            ..
        } = crate::helpers::guangzhou(&t.store).await;
        zhijia_app::staff::create_admin(
            &t.store,
            "shahe.clerk",
            "李娜",
            town.id,
            &crate::helpers::actor(),
        )
        .await
        .unwrap();
        let base = start(&t).await;
        let staff = signed_in(&base, &t.store, &tianhe).await;
        let grant = |org: i64, role: &'static str| {
            staff
                .post(format!("{base}/api/v1/orgs/{org}/grants"))
                .json(&serde_json::json!({"username": "shahe.clerk", "role": role}))
                .send()
        };
        let r = grant(town.id.0, "reviewer").await.unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.json::<Value>().await.unwrap()["granted"], true);
        for outside in [&city, &yuexiu] {
            let r = grant(outside.id.0, "reviewer").await.unwrap();
            assert_eq!(r.status(), 403, "{}", outside.name);
        }
        let r = grant(town.id.0, "superuser").await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<Value>().await.unwrap()["field"], "role");

        let holders: Value = staff
            .get(format!("{base}/api/v1/orgs/{}/grants", town.id))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let roles: Vec<&str> = holders
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["role"].as_str().unwrap())
            .collect();
        assert_eq!(roles, ["org_admin", "reviewer"]);

        // The page's form needs the session's CSRF token.
        let page =
            crate::helpers::page_text(&staff, format!("{base}/console/orgs/{}/grants", town.id))
                .await;
        let form = format!("{base}/console/orgs/{}/grants", town.id);
        let r = staff
            .post(&form)
            .form(&[
                ("csrf", "x"),
                ("username", "shahe.clerk"),
                ("role", "editor"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let fields = [
            ("csrf", csrf_of(&page)),
            ("username", "shahe.clerk".into()),
            ("role", "editor".into()),
        ];
        let r = staff.post(&form).form(&fields).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.text().await.unwrap().contains("已授予"));
        let log = zhijia_store::audit::all(&t.store, 200, 0)
            .await
            .unwrap()
            .items;
        assert_eq!(
            log.iter()
                .filter(|e| e.action == "role.granted" && e.actor_kind.as_str() == "staff")
                .count(),
            2
        );
        assert_eq!(
            log.iter()
                .filter(|e| e.action == "role.grant_refused")
                .count(),
            2
        );
    }
);

on_both!(
    a_worker_signs_in_with_a_phone_and_the_code_shown_in_demo_mode,
    |t: TestDb| async move {
        let config = WebConfig {
            demo: true,
            ..WebConfig::default()
        };
        let running = zhijia::serve::start(t.store.clone(), "127.0.0.1:0", config)
            .await
            .unwrap();
        let base = format!("http://{}", running.addr);
        let client = crate::helpers::browser();
        let home = crate::helpers::page_text(&client, format!("{base}/")).await;
        assert!(home.contains("手机号登录"));
        let form = crate::helpers::page_text(&client, format!("{base}/sign-in")).await;
        let csrf = csrf_of(&form);

        let r = client
            .post(format!("{base}/sign-in/code"))
            .form(&[("csrf", csrf.as_str()), ("phone", "12345")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("11位手机号码"));
        let r = client
            .post(format!("{base}/sign-in/code"))
            .form(&[("phone", "13800138000")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403, "no CSRF token");

        let page = client
            .post(format!("{base}/sign-in/code"))
            .form(&[("csrf", csrf.as_str()), ("phone", "13800138000")])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("138****8000"));
        let code = &crate::helpers::demo_code(&page);
        let r = client
            .post(format!("{base}/sign-in/code"))
            .form(&[("csrf", csrf.as_str()), ("phone", "13800138000")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429, "a second code within 60 s");

        let r = client
            .post(format!("{base}/sign-in/verify"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("phone", "13800138000"),
                ("code", code),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.url().path(), "/");
        let home = r.text().await.unwrap();
        assert!(home.contains("已登录：138****8000"));
        let out = csrf_of(&home);
        client
            .post(format!("{base}/sign-out"))
            .form(&[("csrf", out.as_str())])
            .send()
            .await
            .unwrap();
        let home = crate::helpers::page_text(&client, format!("{base}/")).await;
        assert!(home.contains("手机号登录"), "signed out");
    }
);

on_both!(
    an_api_client_signs_in_and_uses_a_bearer_token,
    |t: TestDb| async move {
        let prov = org(&t.store, "广东省总工会", "province", None, "440000").await;
        zhijia_app::staff::create_demo_admin(&t.store, prov.id)
            .await
            .unwrap();
        let base = start(&t).await;
        let client = reqwest::Client::new();
        let sign_in = |password: &'static str| {
            client
                .post(format!("{base}/api/v1/staff/sessions"))
                .json(&serde_json::json!({"username": "demo.admin", "password": password}))
                .send()
        };
        let r = sign_in("Wrong2026zhijia").await.unwrap();
        assert_eq!(r.status(), 401);
        let v: Value = sign_in("Demo2026zhijia")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = v["token"].as_str().unwrap().to_owned();
        assert_eq!(v["must_change_password"], false);
        let audit = format!("{base}/api/v1/orgs/{}/audit", prov.id);
        let r = client.get(&audit).bearer_auth(&token).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let r = client
            .get(&audit)
            .bearer_auth("0".repeat(64))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
    }
);

on_both!(
    a_worker_sees_downloads_and_asks_to_delete_their_own_data,
    |t: TestDb| async move {
        let keys = crate::helpers::keys();
        let prov = org(&t.store, "广东省总工会", "province", None, "440000").await;
        let id = zhijia_domain::id_number::IdNumber::parse("11010519491231002X").unwrap();
        let row = zhijia_store::worker::WorkerRow {
            name: "李娜".into(),
            id_number_enc: keys.encrypt(id.expose()),
            id_number_idx: keys.blind_index(id.expose()).to_vec(),
            sex: id.sex().code(),
            birth_date: id.birth_date(),
            phone: "13800138000".into(),
            region_code: "110105".into(),
            employer_name: None,
            employer_credit_code: None,
            gig_occupation: Some("courier"),
            org_id: Some(prov.id),
            created_at: chrono::Utc::now(),
        };
        zhijia_store::worker::insert_batch(&t.store, &[row])
            .await
            .unwrap();
        let config = WebConfig {
            pii_keys: Some(keys),
            ..WebConfig::default()
        };
        let base = crate::helpers::site_with(&t, config).await;

        let r = reqwest::get(format!("{base}/me")).await.unwrap();
        assert_eq!(
            r.url().path(),
            "/sign-in",
            "signed-out visitors are sent to sign in"
        );

        let client = crate::helpers::worker_signed_in(&base, "13800138000").await;
        let me = crate::helpers::page_text(&client, format!("{base}/me")).await;
        assert!(me.contains("李娜") && me.contains("11**************2X") && me.contains("快递员"));
        assert!(
            !me.contains("11010519491231002X"),
            "the page shows the number masked"
        );
        let file = client
            .get(format!("{base}/me/data.json"))
            .send()
            .await
            .unwrap();
        assert!(
            file.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .contains("attachment")
        );
        let data: Value = file.json().await.unwrap();
        assert_eq!(
            data["worker"]["id_number"], "11010519491231002X",
            "the download has the person's own number"
        );
        assert_eq!(data["worker"]["union"], "广东省总工会");

        let r = client
            .post(format!("{base}/me/deletion"))
            .form(&[("csrf", "x"), ("reason", "")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let csrf = csrf_of(&me);
        let r = client
            .post(format!("{base}/me/deletion"))
            .form(&[("csrf", csrf.as_str()), ("reason", "离职")])
            .send()
            .await
            .unwrap();
        assert!(r.text().await.unwrap().contains("待处理"));
        let log = zhijia_store::audit::all(&t.store, 100, 0)
            .await
            .unwrap()
            .items;
        assert_eq!(
            log.iter().filter(|e| e.action == "pii.self_export").count(),
            3,
            "two views and one download"
        );
        assert_eq!(
            log.iter()
                .filter(|e| e.action == "pii.deletion_requested")
                .count(),
            1
        );
        assert!(
            log.iter().all(|e| !e.actor_name.contains("13800138000")),
            "the log masks the phone"
        );
    }
);

on_both!(
    metrics_answer_only_this_machine_or_the_configured_token_and_https_sites_send_hsts,
    |t: TestDb| async move {
        let http = reqwest::Client::new();
        let base = crate::helpers::site_with(&t, zhijia_web::WebConfig::default()).await;
        let direct = http.get(format!("{base}/metrics")).send().await.unwrap();
        assert_eq!(direct.status(), StatusCode::OK);
        // Through a proxy on this machine the request is someone else's.
        let proxied = http
            .get(format!("{base}/metrics"))
            .header("X-Forwarded-For", "203.0.113.9")
            .send()
            .await
            .unwrap();
        assert_eq!(proxied.status(), StatusCode::NOT_FOUND);

        let config = zhijia_web::WebConfig {
            metrics_token: Some("scrape-secret-2026".into()),
            ..zhijia_web::WebConfig::default()
        };
        let base = crate::helpers::site_with(&t, config).await;
        let none = http.get(format!("{base}/metrics")).send().await.unwrap();
        assert_eq!(none.status(), StatusCode::NOT_FOUND);
        let wrong = http
            .get(format!("{base}/metrics"))
            .bearer_auth("guess")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), StatusCode::NOT_FOUND);
        let right = http
            .get(format!("{base}/metrics"))
            .bearer_auth("scrape-secret-2026")
            .header("X-Forwarded-For", "203.0.113.9")
            .send()
            .await
            .unwrap();
        assert_eq!(right.status(), StatusCode::OK);
        assert!(
            right
                .text()
                .await
                .unwrap()
                .contains("zhijia_http_request_duration_seconds")
        );
    }
);

on_both!(
    an_https_site_names_its_cookies_host_only_and_reads_no_cookie_planted_without_the_prefix,
    |t: TestDb| async move {
        crate::aid::staff_with(&t.store, "host.user", &[]).await;
        let config = zhijia_web::WebConfig {
            secure_cookies: true,
            ..zhijia_web::WebConfig::default()
        };
        let base = crate::helpers::site_with(&t, config).await;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        // Every cookie the site sets is `__Host-`, Secure, for the whole host, no Domain.
        for page in ["/console/sign-in", "/sign-in"] {
            let r = http.get(format!("{base}{page}")).send().await.unwrap();
            let set: Vec<String> = r
                .headers()
                .get_all(reqwest::header::SET_COOKIE)
                .iter()
                .map(|v| v.to_str().unwrap().to_owned())
                .collect();
            assert!(!set.is_empty(), "{page}");
            for c in &set {
                assert!(c.starts_with("__Host-zhijia_csrf="), "{page}: {c}");
                assert!(c.contains("; Secure") && c.contains("Path=/"), "{c}");
                assert!(!c.to_ascii_lowercase().contains("domain="), "{c}");
            }
        }
        // A session cookie under the bare name (as a neighbouring subdomain or a plain-HTTP
        // answer could plant it) is not read; under the prefixed name it is.
        let token =
            crate::membership_http::staff_token(&base, "host.user", crate::aid::PASSWORD).await;
        let console = |cookie: String| {
            let http = http.clone();
            let base = base.clone();
            async move {
                http.get(format!("{base}/console"))
                    .header(reqwest::header::COOKIE, cookie)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let planted = console(format!("zhijia_session={token}")).await;
        assert_eq!(planted.status(), StatusCode::SEE_OTHER);
        assert!(
            planted.headers()[reqwest::header::LOCATION]
                .to_str()
                .unwrap()
                .starts_with("/console/sign-in")
        );
        let own = console(format!("__Host-zhijia_session={token}")).await;
        assert_ne!(own.status(), StatusCode::SEE_OTHER);
    }
);

/// The API document says what a client must send: a parameter "in path" is a `{name}` of its
/// path (a query parameter declared as a path parameter makes generated clients and
/// schemathesis build wrong URLs), every list's paging is a query parameter, and the bearer
/// token is a declared security scheme.
#[tokio::test]
async fn the_api_document_puts_each_parameter_where_it_is_sent_and_declares_the_bearer_token() {
    let t = TestDb::sqlite().await;
    let base = start(&t).await;
    let (status, doc) = json(&format!("{base}/api/openapi.json")).await;
    assert_eq!(status, StatusCode::OK);
    let (mut queries, mut misplaced) = (0, Vec::new());
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for p in op["parameters"].as_array().into_iter().flatten() {
                let name = p["name"].as_str().unwrap();
                match p["in"].as_str().unwrap() {
                    "path" if !path.contains(&format!("{{{name}}}")) => {
                        misplaced.push(format!("{method} {path} {name}"));
                    }
                    "query" => queries += 1,
                    _ => {}
                }
            }
        }
    }
    assert!(
        misplaced.is_empty(),
        "declared in the path but not in it: {misplaced:#?}"
    );
    assert!(
        queries > 40,
        "paging and filters are query parameters: {queries}"
    );
    let roots = &doc["paths"]["/api/v1/orgs"]["get"]["parameters"];
    assert!(
        roots
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "limit" && p["in"] == "query"),
        "{roots}"
    );
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"]
            .as_str()
            .map(str::to_lowercase)
            .as_deref(),
        Some("bearer")
    );
    assert!(doc["security"].as_array().is_some_and(|s| !s.is_empty()));
}
