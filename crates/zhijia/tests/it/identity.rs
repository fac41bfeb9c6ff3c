//! Staff accounts, role grants scoped to the tree, and the audit log.

use crate::helpers::{TestDb, actor, org};
use crate::on_both;
use zhijia_app::{AppError, audit as audit_uc, staff as uc};
use zhijia_domain::audit::action;
use zhijia_domain::auth::Role;
use zhijia_store::Store;
use zhijia_store::org::Org;

/// A city with two counties, as in the authorization matrix of the identity issue.
async fn city_with_two_counties(db: &Store) -> (Org, Org, Org) {
    let prov = org(db, "广东省总工会", "province", None, "440000").await;
    let city = org(db, "广州市总工会", "city", Some(&prov), "440100").await;
    let tianhe = org(db, "广州市天河区总工会", "county", Some(&city), "440106").await;
    let yuexiu = org(db, "广州市越秀区总工会", "county", Some(&city), "440104").await;
    (city, tianhe, yuexiu)
}

async fn count(db: &Store, act: &str) -> usize {
    zhijia_store::audit::all(db, 200, 0)
        .await
        .unwrap()
        .items
        .iter()
        .filter(|e| e.action == act)
        .count()
}

on_both!(
    an_admin_created_by_the_operator_must_change_the_first_password,
    |t: TestDb| async move {
        let db = &t.store;
        let (_, tianhe, _) = city_with_two_counties(db).await;
        let created = uc::create_admin(db, "Tianhe.Admin", "王伟", tianhe.id, &actor())
            .await
            .unwrap();
        let staff = uc::sign_in(
            db,
            "tianhe.admin",
            &created.initial_password,
            Some("127.0.0.1"),
        )
        .await
        .unwrap();
        assert!(staff.must_change_password);
        assert_eq!(count(db, action::STAFF_CREATED).await, 1);
        assert_eq!(count(db, action::ROLE_GRANTED).await, 1);
        assert_eq!(count(db, action::SIGN_IN).await, 1);

        let err = uc::change_password(db, staff.id, &created.initial_password, "short1", &actor())
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("password"));
        let err = uc::change_password(db, staff.id, "wrong-current-1", "Tianhe2024Union", &actor())
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("current_password"));
        uc::change_password(
            db,
            staff.id,
            &created.initial_password,
            "Tianhe2024Union",
            &actor(),
        )
        .await
        .unwrap();
        assert_eq!(count(db, action::PASSWORD_CHANGED).await, 1);
        let again = uc::sign_in(db, "tianhe.admin", "Tianhe2024Union", None)
            .await
            .unwrap();
        assert!(!again.must_change_password);
        assert!(
            uc::sign_in(db, "tianhe.admin", &created.initial_password, None)
                .await
                .is_err()
        );

        let err = uc::create_admin(db, "tianhe.admin", "李娜", tianhe.id, &actor())
            .await
            .err()
            .unwrap();
        assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    }
);

on_both!(
    five_wrong_passwords_lock_the_account_and_every_attempt_is_audited,
    |t: TestDb| async move {
        let db = &t.store;
        let (city, _, _) = city_with_two_counties(db).await;
        let created = uc::create_admin(db, "city.admin", "张敏", city.id, &actor())
            .await
            .unwrap();
        for n in 1..=5 {
            let err = uc::sign_in(db, "city.admin", "Wrong2024Pass", None)
                .await
                .unwrap_err();
            assert_eq!(err.to_string(), "用户名或密码不正确", "attempt {n}");
        }
        assert_eq!(count(db, action::ACCOUNT_LOCKED).await, 1);
        // Locked: even the right password is refused, and says why.
        let err = uc::sign_in(db, "city.admin", &created.initial_password, None)
            .await
            .unwrap_err();
        assert!(
            matches!(err, AppError::Forbidden(_)) && err.to_string().contains("锁定"),
            "{err}"
        );
        assert_eq!(count(db, action::SIGN_IN_FAILED).await, 6);
        assert_eq!(count(db, action::SIGN_IN).await, 0);

        // An unknown user gets the same answer as a wrong password.
        let err = uc::sign_in(db, "nobody", "Wrong2024Pass", None)
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "用户名或密码不正确");
        assert_eq!(count(db, action::SIGN_IN_FAILED).await, 7);
    }
);

on_both!(
    a_county_admin_grants_inside_the_county_only,
    |t: TestDb| async move {
        let db = &t.store;
        let (city, tianhe, yuexiu) = city_with_two_counties(db).await;
        let town = org(
            db,
            "天河区沙河街道工会",
            "township",
            Some(&tianhe),
            "440106",
        )
        .await;
        let admin = uc::create_admin(db, "tianhe.admin", "王伟", tianhe.id, &actor())
            .await
            .unwrap()
            .staff;
        let clerk = uc::create_admin(db, "shahe.clerk", "李娜", town.id, &actor())
            .await
            .unwrap()
            .staff;

        assert!(
            uc::grant(db, admin, clerk, town.id, Role::Reviewer, &actor())
                .await
                .unwrap()
        );
        assert!(
            !uc::grant(db, admin, clerk, town.id, Role::Reviewer, &actor())
                .await
                .unwrap(),
            "held already"
        );
        assert!(
            uc::grant(db, admin, clerk, tianhe.id, Role::CaseHandler, &actor())
                .await
                .unwrap()
        );
        for above_or_beside in [&city, &yuexiu] {
            let err = uc::grant(
                db,
                admin,
                clerk,
                above_or_beside.id,
                Role::Reviewer,
                &actor(),
            )
            .await
            .unwrap_err();
            assert!(matches!(err, AppError::Forbidden(_)), "{err:?}");
        }
        assert_eq!(count(db, action::ROLE_GRANT_REFUSED).await, 2);
        // The township's own admin cannot grant on the county above it.
        let err = uc::grant(db, clerk, admin, tianhe.id, Role::Editor, &actor())
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::Forbidden(_)));
    }
);

on_both!(
    an_org_admin_reads_the_audit_log_of_their_subtree_only,
    |t: TestDb| async move {
        let db = &t.store;
        let (city, tianhe, yuexiu) = city_with_two_counties(db).await;
        let admin = uc::create_admin(db, "tianhe.admin", "王伟", tianhe.id, &actor())
            .await
            .unwrap()
            .staff;
        uc::create_admin(db, "yuexiu.admin", "赵强", yuexiu.id, &actor())
            .await
            .unwrap();
        let page = audit_uc::for_staff(db, admin, tianhe.id, 50, 0)
            .await
            .unwrap();
        assert!(page.total >= 3, "org created, staff created, role granted");
        assert!(
            page.items.iter().all(|e| e.org_id == Some(tianhe.id)),
            "nothing from the sibling county"
        );
        for other in [&city, &yuexiu] {
            let err = audit_uc::for_staff(db, admin, other.id, 50, 0)
                .await
                .unwrap_err();
            assert!(matches!(err, AppError::Forbidden(_)));
        }
        let everything = audit_uc::for_operator(db, None, 200, 0).await.unwrap();
        assert!(everything.total > page.total);
    }
);

on_both!(
    the_audit_log_refuses_changes_and_deletions,
    |t: TestDb| async move {
        let db = &t.store;
        org(db, "广东省总工会", "province", None, "440000").await;
        assert!(
            db.execute("UPDATE audit_log SET action = 'x'", &[])
                .await
                .is_err()
        );
        assert!(db.execute("DELETE FROM audit_log", &[]).await.is_err());
        assert_eq!(count(db, action::ORG_CREATED).await, 1);
    }
);

on_both!(
    a_session_started_by_one_process_is_accepted_by_another,
    |t: TestDb| async move {
        let db = &t.store;
        let (_, tianhe, _) = city_with_two_counties(db).await;
        let created = uc::create_admin(db, "tianhe.admin", "王伟", tianhe.id, &actor())
            .await
            .unwrap();
        let started = zhijia_app::session::start(db, created.staff).await.unwrap();
        let other = t.reopen().await;
        let seen = zhijia_app::session::resolve(&other, &started.token)
            .await
            .unwrap()
            .expect("live");
        assert_eq!(seen.staff_id, created.staff);
        assert_eq!(seen.username, "tianhe.admin");
        assert!(zhijia_domain::auth::tokens_match(
            &seen.csrf_token,
            &started.csrf_token
        ));
        assert!(
            zhijia_app::session::resolve(&other, &"0".repeat(64))
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            zhijia_app::session::resolve(&other, "short")
                .await
                .unwrap()
                .is_none()
        );

        // Expired sessions are not accepted.
        let old = zhijia_domain::auth::random_token();
        let past = chrono::Utc::now() - chrono::Duration::minutes(1);
        let mut tx = db.change().await.unwrap();
        zhijia_store::session::insert(
            &mut tx,
            &zhijia_domain::auth::token_hash(&old),
            created.staff,
            "x",
            past,
        )
        .await
        .unwrap();
        tx.commit_unaudited(zhijia_store::Unaudited::Fixture)
            .await
            .unwrap();
        assert!(
            zhijia_app::session::resolve(db, &old)
                .await
                .unwrap()
                .is_none()
        );

        zhijia_app::session::end(&other, &started.token)
            .await
            .unwrap();
        assert!(
            zhijia_app::session::resolve(db, &started.token)
                .await
                .unwrap()
                .is_none()
        );
    }
);

on_both!(
    every_audited_action_leaves_exactly_one_entry,
    |t: TestDb| async move {
        let db = &t.store;
        let (city, tianhe, yuexiu) = city_with_two_counties(db).await; // 4 × org.created
        zhijia_app::org::rename(db, yuexiu.id, "广州市越秀区总工会(新)", &actor())
            .await
            .unwrap();
        let town = org(
            db,
            "天河区沙河街道工会",
            "township",
            Some(&tianhe),
            "440106",
        )
        .await; // org.created
        zhijia_app::org::move_subtree(db, town.id, yuexiu.id, &actor())
            .await
            .unwrap();
        let admin = uc::create_admin(db, "tianhe.admin", "王伟", tianhe.id, &actor())
            .await
            .unwrap(); // staff.created + role.granted
        let signed = uc::sign_in(db, "tianhe.admin", &admin.initial_password, None)
            .await
            .unwrap();
        assert!(
            uc::sign_in(db, "tianhe.admin", "Wrong2024Pass", None)
                .await
                .is_err()
        );
        uc::change_password(
            db,
            signed.id,
            &admin.initial_password,
            "Tianhe2024Union",
            &actor(),
        )
        .await
        .unwrap();
        let other = uc::create_admin(db, "yuexiu.admin", "赵强", yuexiu.id, &actor())
            .await
            .unwrap(); // staff.created + role.granted
        assert!(
            uc::grant(
                db,
                other.staff,
                admin.staff,
                yuexiu.id,
                Role::Reviewer,
                &actor()
            )
            .await
            .unwrap()
        );
        assert!(
            uc::grant(
                db,
                admin.staff,
                other.staff,
                city.id,
                Role::Reviewer,
                &actor()
            )
            .await
            .is_err()
        );

        let expected = [
            (action::ORG_CREATED, 5),
            (action::ORG_RENAMED, 1),
            (action::ORG_MOVED, 1),
            (action::STAFF_CREATED, 2),
            (action::ROLE_GRANTED, 3),
            (action::ROLE_GRANT_REFUSED, 1),
            (action::SIGN_IN, 1),
            (action::SIGN_IN_FAILED, 1),
            (action::PASSWORD_CHANGED, 1),
        ];
        for (act, n) in expected {
            assert_eq!(count(db, act).await, n, "{act}");
        }
        let total: usize = expected.iter().map(|(_, n)| n).sum();
        assert_eq!(
            zhijia_store::audit::all(db, 200, 0).await.unwrap().total as usize,
            total,
            "nothing else"
        );
    }
);

/// A password check whose request goes away while it waits for the pool gives its place in the
/// queue back: otherwise abandoned requests would fill the queue and refuse every sign-in.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_checks_dropped_while_waiting_give_their_place_in_the_queue_back() {
    let hash = zhijia_domain::auth::hash_password("Tianhe2026pass!").unwrap();
    // Three bursts of 40 (below the queue's 64, so other tests signing in meanwhile are not
    // refused), each abandoned while most of it still waits.
    for _ in 0..3 {
        let tasks: Vec<_> = (0..40)
            .map(|_| {
                let h = hash.clone();
                tokio::spawn(async move { zhijia_app::slow::verify_password("x".into(), h).await })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(30)).await;
        for t in &tasks {
            t.abort();
        }
        for t in tasks {
            let _ = t.await;
        }
    }
    let right = zhijia_app::slow::verify_password("Tianhe2026pass!".into(), hash).await;
    assert!(
        right.unwrap(),
        "the right password is checked, not refused as too many"
    );
}

on_both!(
    staff_sign_ins_are_limited_per_address_and_account_and_refusals_are_audited_once,
    |t: TestDb| async move {
        crate::aid::staff_with(&t.store, "loop.admin", &[]).await;
        let config = zhijia_web::WebConfig {
            trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
            ..zhijia_web::WebConfig::default()
        };
        let base = crate::helpers::site_with(&t, config).await;
        let http = reqwest::Client::new();
        let attempt = |from: &'static str, username: String, password: &'static str| {
            http.post(format!("{base}/api/v1/staff/sessions"))
                .header("X-Forwarded-For", from)
                .json(&serde_json::json!({ "username": username, "password": password }))
                .send()
        };
        // A guessing loop over many names from one address.
        let mut statuses = Vec::new();
        for i in 0..70 {
            let r = attempt("198.51.100.1", format!("guess{i}"), "Wrong-password-1")
                .await
                .unwrap();
            statuses.push(r.status().as_u16());
        }
        let limit = zhijia_app::staff::SIGN_INS_PER_ADDRESS as usize;
        assert!(statuses[..limit].iter().all(|s| *s == 401), "{statuses:?}");
        assert!(statuses[limit..].iter().all(|s| *s == 429), "{statuses:?}");
        // A loop of right passwords for one account.
        let mut ok = 0;
        let mut refused = 0;
        for _ in 0..25 {
            match attempt("198.51.100.2", "loop.admin".into(), crate::aid::PASSWORD)
                .await
                .unwrap()
                .status()
                .as_u16()
            {
                200 => ok += 1,
                429 => refused += 1,
                other => panic!("unexpected {other}"),
            }
        }
        assert_eq!(ok, zhijia_app::staff::SIGN_INS_PER_ACCOUNT);
        assert_eq!(refused, 25 - zhijia_app::staff::SIGN_INS_PER_ACCOUNT);
        // Another address still gets in.
        let r = attempt("198.51.100.3", "loop.admin".into(), crate::aid::PASSWORD)
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::OK);
        // The log holds one entry per refused loop, not one per refused attempt.
        assert_eq!(count(&t.store, action::SIGN_IN_THROTTLED).await, 2);
        assert_eq!(count(&t.store, action::SIGN_IN_FAILED).await, limit);
    }
);

on_both!(
    an_unknown_name_is_answered_as_a_known_one_down_to_the_lock,
    |t: TestDb| async move {
        crate::aid::staff_with(&t.store, "known.user", &[]).await;
        let mut answers = std::collections::HashMap::new();
        for name in ["known.user", "ghost.user"] {
            let mut seen = Vec::new();
            for _ in 0..6 {
                let e = zhijia_app::staff::sign_in(&t.store, name, "Wrong-password-1", None)
                    .await
                    .unwrap_err();
                seen.push((e.code(), e.to_string()));
            }
            answers.insert(name, seen);
        }
        assert_eq!(answers["known.user"], answers["ghost.user"]);
        assert!(answers["ghost.user"][5].1.contains("锁定"), "{answers:?}");
    }
);

on_both!(
    forty_parallel_wrong_passwords_get_at_most_five_checks,
    |t: TestDb| async move {
        crate::aid::staff_with(&t.store, "race.user", &[]).await;
        let tries: Vec<_> = (0..40)
            .map(|_| {
                let db = t.store.clone();
                tokio::spawn(async move {
                    zhijia_app::staff::sign_in(&db, "race.user", "Wrong-password-1", None)
                        .await
                        .unwrap_err()
                        .code()
                })
            })
            .collect();
        let mut answers = Vec::new();
        for t in tries {
            answers.push(t.await.unwrap());
        }
        let checked = zhijia_store::audit::all(&t.store, 200, 0)
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|e| e.detail.as_deref() == Some("wrong password"))
            .count();
        assert_eq!(
            checked,
            zhijia_domain::auth::MAX_FAILURES as usize,
            "{answers:?}"
        );
        // The right password is refused too, by the lock (or the limit on attempts).
        let locked = zhijia_app::staff::sign_in(&t.store, "race.user", crate::aid::PASSWORD, None)
            .await
            .unwrap_err();
        assert!(
            ["forbidden", "too_many_requests"].contains(&locked.code()),
            "{locked:?}"
        );
    }
);

on_both!(
    an_api_client_revokes_its_token_or_every_session_of_its_account,
    |t: TestDb| async move {
        crate::aid::staff_with(&t.store, "token.user", &[]).await;
        let base = crate::helpers::demo_site(&t).await;
        let http = reqwest::Client::new();
        let token =
            || crate::membership_http::staff_token(&base, "token.user", crate::aid::PASSWORD);
        let (a, b, c) = (token().await, token().await, token().await);
        let works = |tok: String| {
            let http = http.clone();
            let base = base.clone();
            async move {
                http.get(format!("{base}/api/v1/transfers"))
                    .bearer_auth(tok)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    != reqwest::StatusCode::UNAUTHORIZED
            }
        };
        assert!(works(a.clone()).await && works(b.clone()).await);
        let r = http
            .delete(format!("{base}/api/v1/staff/sessions/current"))
            .bearer_auth(&a)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::NO_CONTENT);
        assert!(!works(a.clone()).await, "the revoked token still works");
        assert!(works(b.clone()).await, "another session was ended too");
        let r = http
            .delete(format!("{base}/api/v1/staff/sessions"))
            .bearer_auth(&b)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::NO_CONTENT);
        assert!(
            !works(b).await && !works(c).await,
            "sessions outlived sign-out everywhere"
        );
    }
);
