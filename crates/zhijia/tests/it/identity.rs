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

/// Moves the end of the wait under `key` to `seconds` from now. The waits the tests earn start
/// at one second, and a password check under a loaded CI machine can take that long: the
/// tests set the clock of the wait instead of racing it (the schedule itself is a unit test).
async fn wait_until(db: &zhijia_store::Store, key: &str, seconds: i64) {
    db.execute(
        "UPDATE sign_in_delay SET not_before = $1 WHERE key = $2",
        &[
            &(chrono::Utc::now() + chrono::Duration::seconds(seconds)),
            &key,
        ],
    )
    .await
    .unwrap();
}

on_both!(
    wrong_passwords_slow_further_tries_from_that_address_but_never_lock_out_the_owner,
    |t: TestDb| async move {
        let db = &t.store;
        let (city, _, _) = city_with_two_counties(db).await;
        let created = uc::create_admin(db, "city.admin", "张敏", city.id, &actor())
            .await
            .unwrap();
        let guesser = Some("203.0.113.9");
        for n in 1..=3 {
            let err = uc::sign_in(db, "city.admin", "Wrong2024Pass", guesser)
                .await
                .unwrap_err();
            assert_eq!(err.to_string(), "用户名或密码不正确", "attempt {n}");
        }
        assert_eq!(count(db, action::SIGN_IN_DELAYED).await, 1);
        // The guesser now waits, even with the right password, and is told how long.
        let key = "city.admin|203.0.113.9";
        wait_until(db, key, 30).await;
        for _ in 0..2 {
            let err = uc::sign_in(db, "city.admin", &created.initial_password, guesser)
                .await
                .unwrap_err();
            assert!(
                matches!(err, AppError::TooMany(_)) && err.to_string().contains("秒后再试"),
                "{err}"
            );
        }
        // Two refusals, one entry: a loop of them does not fill the log.
        assert_eq!(count(db, action::SIGN_IN_THROTTLED).await, 1);
        assert_eq!(count(db, action::SIGN_IN_FAILED).await, 3);

        // Each further wrong password doubles the wait (here each wait has run out).
        let expire = |key: &'static str| wait_until(db, key, -1);
        let wait_of = |key: &'static str| async move {
            let mut tx = db.change().await.unwrap();
            let d = zhijia_store::sign_in_delay::get(&mut tx, key)
                .await
                .unwrap()
                .unwrap();
            (d.failures, (d.not_before - d.last_failure_at).num_seconds())
        };
        expire(key).await;
        let (failures, _) = wait_of(key).await;
        assert_eq!(failures, 3);
        for expected in [(4, 2), (5, 4), (6, 8)] {
            expire(key).await;
            uc::sign_in(db, "city.admin", "Wrong2024Pass", guesser)
                .await
                .unwrap_err();
            assert_eq!(wait_of(key).await, expected);
        }

        // The owner, from the office's address, signs in at once: nobody can lock them out.
        let owner = uc::sign_in(
            db,
            "city.admin",
            &created.initial_password,
            Some("198.51.100.7"),
        )
        .await
        .unwrap();
        assert_eq!(owner.username, "city.admin");
        assert_eq!(count(db, action::SIGN_IN).await, 1);
        // The guesser's address still waits.
        wait_until(db, key, 8).await;
        assert!(matches!(
            uc::sign_in(db, "city.admin", &created.initial_password, guesser).await,
            Err(AppError::TooMany(_))
        ));

        // An unknown user gets the same answer as a wrong password.
        let err = uc::sign_in(db, "nobody", "Wrong2024Pass", None)
            .await
            .unwrap_err();
        assert_eq!(err.to_string(), "用户名或密码不正确");
    }
);

on_both!(
    many_addresses_together_slow_an_account_to_about_one_guess_a_minute,
    |t: TestDb| async move {
        let db = &t.store;
        crate::aid::staff_with(db, "many.addr", &[]).await;
        // Ten addresses, one guess each: the tenth uses up the account's free tries.
        for i in 0..10 {
            let ip = format!("203.0.113.{i}");
            let err = uc::sign_in(db, "many.addr", "Wrong-password-1", Some(&ip))
                .await
                .unwrap_err();
            assert_eq!(err.to_string(), "用户名或密码不正确", "address {i}");
        }
        // The tenth started a wait for the account, from every address.
        let mut tx = db.change().await.unwrap();
        let d = zhijia_store::sign_in_delay::get(&mut tx, "many.addr")
            .await
            .unwrap()
            .unwrap();
        drop(tx);
        assert_eq!(d.failures, 10);
        assert_eq!(
            d.not_before - d.last_failure_at,
            chrono::Duration::seconds(1)
        );
        // However many more: the account-wide wait never passes a minute, so the owner is
        // never kept out long.
        let ceiling = zhijia_domain::auth::SignInDelay::PER_ACCOUNT.wait_after(10_000);
        assert_eq!(ceiling, chrono::Duration::minutes(1));
        // An eleventh address, however fresh, waits while the account waits.
        wait_until(db, "many.addr", 60).await;
        let err = uc::sign_in(db, "many.addr", "Wrong-password-1", Some("203.0.113.77"))
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::TooMany(_)), "{err}");
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
    an_unknown_name_is_answered_as_a_known_one_down_to_the_wait,
    |t: TestDb| async move {
        crate::aid::staff_with(&t.store, "known.user", &[]).await;
        let mut answers = std::collections::HashMap::new();
        for name in ["known.user", "ghost.user"] {
            let mut seen = Vec::new();
            for n in 0..4 {
                if n == 3 {
                    // Inside the wait the third failure started (set, not raced: see
                    // `wait_until`).
                    wait_until(&t.store, &format!("{name}|-"), 30).await;
                }
                let e = zhijia_app::staff::sign_in(&t.store, name, "Wrong-password-1", None)
                    .await
                    .unwrap_err();
                // The seconds left may differ by one between the two runs.
                let words: String = e
                    .to_string()
                    .chars()
                    .filter(|c| !c.is_ascii_digit())
                    .collect();
                seen.push((e.code(), words));
            }
            answers.insert(name, seen);
        }
        assert_eq!(answers["known.user"], answers["ghost.user"]);
        assert_eq!(answers["ghost.user"][2].1, "用户名或密码不正确");
        assert!(
            answers["ghost.user"][3].1.contains("秒后再试"),
            "{answers:?}"
        );
    }
);

on_both!(
    forty_parallel_wrong_passwords_from_one_address_get_three_checks,
    |t: TestDb| async move {
        crate::aid::staff_with(&t.store, "race.user", &[]).await;
        let tries: Vec<_> = (0..40)
            .map(|_| {
                let db = t.store.clone();
                tokio::spawn(async move {
                    zhijia_app::staff::sign_in(
                        &db,
                        "race.user",
                        "Wrong-password-1",
                        Some("203.0.113.5"),
                    )
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
        // The free tries, and at most one more should the burst outlast the first wait.
        let free = zhijia_domain::auth::SignInDelay::PER_ADDRESS.free as usize;
        assert!(
            (free..=free + 1).contains(&checked),
            "{checked}: {answers:?}"
        );
        assert!(
            answers
                .iter()
                .filter(|c| **c == "too_many_requests")
                .count()
                >= 36
        );
        // The right password from the same address waits too. The wait the burst earned is a
        // second or two, which a loaded machine can outlast before this line runs: hold it.
        wait_until(&t.store, "race.user|203.0.113.5", 30).await;
        let waits = zhijia_app::staff::sign_in(
            &t.store,
            "race.user",
            crate::aid::PASSWORD,
            Some("203.0.113.5"),
        )
        .await
        .unwrap_err();
        assert_eq!(waits.code(), "too_many_requests", "{waits:?}");
    }
);

on_both!(
    a_staff_session_left_unused_for_half_an_hour_ends_and_one_in_use_stays,
    |t: TestDb| async move {
        crate::aid::staff_with(&t.store, "idle.user", &[]).await;
        let base = crate::helpers::demo_site(&t).await;
        let http = reqwest::Client::new();
        let token =
            crate::membership_http::staff_token(&base, "idle.user", crate::aid::PASSWORD).await;
        let hash = zhijia_domain::auth::token_hash(&token).to_vec();
        // Any answer but 401 means the token was taken (this account holds no role).
        let status = || async {
            http.get(format!("{base}/api/v1/transfers"))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .status()
        };
        let last_used = |minutes_ago: i64| {
            let hash = hash.clone();
            let db = t.store.clone();
            async move {
                db.execute(
                    "UPDATE session SET last_seen_at = $1 WHERE token_hash = $2",
                    &[
                        &(chrono::Utc::now() - chrono::Duration::minutes(minutes_ago)),
                        &hash,
                    ],
                )
                .await
                .unwrap();
            }
        };
        assert_ne!(status().await, reqwest::StatusCode::UNAUTHORIZED);
        // Used twenty minutes ago: still alive, and this use starts the half hour again.
        last_used(20).await;
        assert_ne!(status().await, reqwest::StatusCode::UNAUTHORIZED);
        let fresh: i64 = t
            .store
            .query_one(
                "SELECT COUNT(*) FROM session WHERE token_hash = $1 AND last_seen_at > $2",
                &[&hash, &(chrono::Utc::now() - chrono::Duration::minutes(1))],
            )
            .await
            .unwrap();
        assert_eq!(fresh, 1, "the use was noted");
        // Left for thirty-one minutes: ended, although twelve hours have not passed.
        last_used(31).await;
        assert_eq!(status().await, reqwest::StatusCode::UNAUTHORIZED);
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
