//! A union cannot take a member it has no claim to (issue 14, High 2). A receiving union that
//! types a member number learns nothing from the answer, sees nothing in its lists, and the
//! membership never moves unless the worker confirms: not when the releasing union stays silent
//! past its deadline, not when the worker ignores the request. The worker is asked in the inbox
//! and by SMS, may decline, and nobody else can answer for them. Proposals are limited per day.

use crate::aid::{AidEnv, PASSWORD, member, staff_with};
use crate::helpers::{TestDb, site_with, texts_to, worker_api_token};
use crate::membership::world;
use crate::membership_http::staff_token;
use crate::on_both;
use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhijia_app::membership::transfer;
use zhijia_domain::auth::Role;
use zhijia_domain::member::MemberNo;

on_both!(
    a_union_takes_a_member_only_when_the_worker_confirms,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        // A member of the Tianhe factory's union; the shop's union in Yuexiu wants them.
        member(db, &env, &w, "周晓梅", "13700137001", 41).await;
        member(db, &env, &w, "陈立", "13700137002", 42).await;
        let no_of = |phone: &'static str| async move {
            zhijia_store::worker::find_by_phone(db, phone)
                .await
                .unwrap()
                .unwrap()
                .member_no
                .unwrap()
        };
        let (first, second) = (no_of("13700137001").await, no_of("13700137002").await);
        staff_with(db, "shop.reviewer", &[(Role::Reviewer, &w.shop)]).await;
        staff_with(db, "factory.reviewer", &[(Role::Reviewer, &w.factory)]).await;
        let config = zhijia_web::WebConfig {
            pii_keys: Some(env.env.keys.clone()),
            ..zhijia_web::WebConfig::default()
        };
        let base = site_with(&t, config).await;
        let shop = staff_token(&base, "shop.reviewer", PASSWORD).await;
        let factory = staff_token(&base, "factory.reviewer", PASSWORD).await;
        let http = reqwest::Client::new();
        let propose = |no: String| {
            http.post(format!("{base}/api/v1/transfers"))
                .bearer_auth(&shop)
                .json(&json!({ "member_no": no, "to_org": w.shop.id.0, "reason": "已入职本店" }))
                .send()
        };

        // The answer is the same for a member, a number nobody holds, and a malformed one is
        // refused as malformed only.
        let nobody = MemberNo::from_serial(987_654).unwrap().as_str().to_owned();
        let mut answers = Vec::new();
        for no in [first.clone(), nobody, second.clone()] {
            let r = propose(no).await.unwrap();
            assert_eq!(r.status(), StatusCode::ACCEPTED);
            answers.push(r.text().await.unwrap());
        }
        assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
        assert!(!answers[0].contains("周晓梅") && !answers[0].contains(&w.factory.name));
        let malformed = propose("12345".into()).await.unwrap();
        assert_eq!(malformed.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Neither union's list shows what the workers have not agreed to.
        for token in [&shop, &factory] {
            let list: Value = http
                .get(format!("{base}/api/v1/transfers?status=awaiting_release"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            assert_eq!(list["total"], 0, "{list}");
        }
        // The workers were asked, by SMS and in the inbox.
        for phone in ["13700137001", "13700137002"] {
            let texts = texts_to(&base, phone);
            assert!(
                texts
                    .iter()
                    .any(|t| t.contains(&w.shop.name) && t.contains("确认")),
                "{texts:?}"
            );
        }
        let mine = worker_api_token(&base, "13700137001").await;
        let inbox: Value = http
            .get(format!("{base}/api/v1/inbox"))
            .bearer_auth(&mine)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(inbox.to_string().contains("请求将您的会籍"), "{inbox}");

        let proposal_of = |phone: &'static str| async move {
            let wk = zhijia_store::worker::find_by_phone(db, phone)
                .await
                .unwrap()
                .unwrap();
            zhijia_store::membership::transfers_of(db, wk.id)
                .await
                .unwrap()
                .into_iter()
                .find(|t| t.status.as_str() == "awaiting_release")
                .unwrap()
                .id
        };
        let (p1, p2) = (
            proposal_of("13700137001").await,
            proposal_of("13700137002").await,
        );
        // Nobody answers for the worker: not the other worker, not the unions.
        let r = http
            .post(format!("{base}/api/v1/membership/transfers/{p2}/confirm"))
            .bearer_auth(&mine)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        for token in [&shop, &factory] {
            for step in ["release", "accept"] {
                let r = http
                    .post(format!("{base}/api/v1/transfers/{p2}/{step}"))
                    .bearer_auth(token)
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::NOT_FOUND, "{step}");
            }
        }

        // The first worker confirms: now both unions see it.
        let r = http
            .post(format!("{base}/api/v1/membership/transfers/{p1}/confirm"))
            .bearer_auth(&mine)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NO_CONTENT);
        let again = http
            .post(format!("{base}/api/v1/membership/transfers/{p1}/decline"))
            .bearer_auth(&mine)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::CONFLICT, "answered once");
        let list: Value = http
            .get(format!("{base}/api/v1/transfers?status=awaiting_release"))
            .bearer_auth(&factory)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(list["total"], 1, "{list}");
        // The second worker ignores it. Past the releasing union's deadline, with the factory's
        // union silent all along, the second worker's membership has not moved (the request
        // lapsed), while the first, who agreed, is released and accepted.
        let ctx = env.env.ctx(db);
        let later = Utc::now() + Duration::days(40);
        transfer::release_overdue(&ctx, later).await.unwrap();
        let second_worker = zhijia_store::worker::find_by_phone(db, "13700137002")
            .await
            .unwrap()
            .unwrap();
        let current = zhijia_store::membership::current(db, second_worker.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            current.org_id, w.factory.id,
            "moved without the worker agreeing"
        );
        let lapsed = zhijia_store::membership::transfer(db, p2)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(lapsed.status.as_str(), "cancelled");

        let released = zhijia_store::membership::transfer(db, p1)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(released.status.as_str(), "released");
        let r = http
            .post(format!("{base}/api/v1/transfers/{p1}/accept"))
            .bearer_auth(&shop)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let first_worker = zhijia_store::worker::find_by_phone(db, "13700137001")
            .await
            .unwrap()
            .unwrap();
        let now_in = zhijia_store::membership::current(db, first_worker.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(now_in.org_id, w.shop.id);

        // Every proposal is audited alike, and a day allows a limited number.
        let made = zhijia_store::audit::of_target(db, "member_no", &first, 10)
            .await
            .unwrap();
        assert!(made.iter().any(|e| e.action == "transfer.proposed"));
        let mut last = StatusCode::ACCEPTED;
        for n in 0..transfer::PROPOSALS_PER_DAY {
            last = propose(
                MemberNo::from_serial(500_000 + n as u64)
                    .unwrap()
                    .as_str()
                    .to_owned(),
            )
            .await
            .unwrap()
            .status();
            if last != StatusCode::ACCEPTED {
                break;
            }
        }
        assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    }
);

on_both!(
    a_worker_declines_a_proposal_on_the_membership_page,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        member(db, &env, &w, "李春燕", "13700137011", 51).await;
        let worker = zhijia_store::worker::find_by_phone(db, "13700137011")
            .await
            .unwrap()
            .unwrap();
        let shop = staff_with(db, "shop.reviewer2", &[(Role::Reviewer, &w.shop)]).await;
        transfer::start_by_union(
            &env.env.ctx(db),
            &shop.ctx(),
            worker.member_no.as_deref().unwrap(),
            zhijia_domain::ids::OrgId(w.shop.id.0),
            "",
            Utc::now(),
        )
        .await
        .unwrap();
        let config = zhijia_web::WebConfig {
            pii_keys: Some(env.env.keys.clone()),
            ..zhijia_web::WebConfig::default()
        };
        let base = site_with(&t, config).await;
        let phone = crate::helpers::worker_signed_in(&base, "13700137011").await;
        let page = crate::helpers::page_text(&phone, format!("{base}/membership")).await;
        assert!(
            page.contains("待您确认") && page.contains(&w.shop.name),
            "{page}"
        );
        let csrf = crate::helpers::csrf_of(&page);
        let id = zhijia_store::membership::transfers_of(db, worker.id)
            .await
            .unwrap()[0]
            .id;
        let r = phone
            .post(format!("{base}/membership/transfers/{id}/decline"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success() || r.status().is_redirection());
        let page = crate::helpers::page_text(&phone, format!("{base}/membership")).await;
        assert!(!page.contains("待您确认"), "{page}");
        assert!(page.contains("已撤销"), "{page}");
        let t1 = zhijia_store::membership::transfer(db, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t1.status.as_str(), "cancelled");
    }
);
