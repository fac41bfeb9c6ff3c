//! `zhijia demo`: realistic, valid and deterministic synthetic data.

use crate::helpers::{TestDb, keys};
use crate::on_both;
use zhijia_app::demo::{self, DemoOptions};
use zhijia_app::org as uc;
use zhijia_domain::credit_code::CreditCode;
use zhijia_domain::id_number::IdNumber;
use zhijia_store::worker;

fn opts(members: u64) -> DemoOptions {
    DemoOptions {
        seed: 7,
        members,
        province: "44".into(),
    }
}

on_both!(
    demo_data_is_valid_and_the_same_for_the_same_seed,
    |t: TestDb| async move {
        let keys = keys();
        let summary = demo::generate(&t.store, &keys, &opts(400), &|_| {})
            .await
            .unwrap();
        assert_eq!(summary.workers, 400);
        assert_eq!(worker::count(&t.store).await.unwrap(), 400);

        // The province and its 21 cities, each with three industry unions.
        let prov = uc::get(&t.store, summary.province_org).await.unwrap();
        assert_eq!(prov.name, "广东省总工会");
        let cities = uc::children(&t.store, prov.id, 200, 0).await.unwrap();
        assert_eq!(cities.total, 21);
        let gz = cities
            .items
            .iter()
            .find(|c| c.name == "广州市总工会")
            .expect("广州");
        let gz_children = uc::children(&t.store, gz.id, 200, 0).await.unwrap().items;
        assert!(gz_children.iter().any(|c| c.name == "广州市天河区总工会"));
        assert_eq!(
            gz_children
                .iter()
                .filter(|c| c.kind.as_str() == "industry")
                .count(),
            3
        );

        // Every credit code carries a valid check character; unions' codes begin with 81.
        let everything = uc::subtree(&t.store, summary.root, 200, 0).await.unwrap();
        assert_eq!(everything.total as u64, summary.orgs);
        let mut offset = 0;
        let mut grassroots = 0;
        while offset < everything.total {
            for o in uc::subtree(&t.store, summary.root, 200, offset)
                .await
                .unwrap()
                .items
            {
                let code = CreditCode::parse(o.credit_code.as_deref().unwrap()).unwrap();
                assert!(code.is_union());
                if let Some(e) = &o.employer_credit_code {
                    assert!(!CreditCode::parse(e).unwrap().is_union());
                    grassroots += 1;
                }
            }
            offset += 200;
        }
        assert!(grassroots >= 50);

        // Identity numbers are valid and agree with the stored birth date, sex and region.
        let mut gig = 0;
        for id in 1..=400 {
            let w = worker::get(&t.store, zhijia_domain::ids::WorkerId(id))
                .await
                .unwrap()
                .unwrap();
            let number = IdNumber::parse(&keys.decrypt(&w.id_number_enc).unwrap()).unwrap();
            assert_eq!(number.birth_date(), w.birth_date);
            assert_eq!(number.sex(), w.sex);
            assert_eq!(number.region_code(), w.region_code);
            assert!(w.phone.len() == 11 && w.phone.starts_with('1'));
            assert!((2..=4).contains(&w.name.chars().count()), "{}", w.name);
            gig += usize::from(w.gig_occupation.is_some());
        }
        assert!(
            (60..=180).contains(&gig),
            "about 30% gig workers, got {gig}"
        );

        // Same seed, another database: the same people and the same tree.
        let other = TestDb::sqlite().await;
        let again = demo::generate(&other.store, &keys, &opts(400), &|_| {})
            .await
            .unwrap();
        assert_eq!(again.orgs, summary.orgs);
        for id in [1, 57, 400] {
            let a = worker::get(&t.store, zhijia_domain::ids::WorkerId(id))
                .await
                .unwrap()
                .unwrap();
            let b = worker::get(&other.store, zhijia_domain::ids::WorkerId(id))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(
                (a.name, a.phone, a.birth_date, a.org_id),
                (b.name, b.phone, b.birth_date, b.org_id)
            );
            assert_eq!(
                keys.decrypt(&a.id_number_enc).unwrap(),
                keys.decrypt(&b.id_number_enc).unwrap()
            );
        }

        // Demo data never lands on top of existing data.
        let err = demo::generate(&t.store, &keys, &opts(10), &|_| {})
            .await
            .unwrap_err();
        assert!(err.to_string().contains("空库"), "{err}");
    }
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_numbers_never_reach_the_sqlite_file_in_clear() {
    let t = TestDb::sqlite().await;
    let keys = keys();
    demo::generate(&t.store, &keys, &opts(300), &|_| {})
        .await
        .unwrap();
    let mut bytes = Vec::new();
    for f in ["zhijia.db", "zhijia.db-wal"] {
        if let Ok(b) = std::fs::read(t.dir.path().join(f)) {
            bytes.extend(b);
        }
    }
    assert!(bytes.len() > 100_000);
    for id in (1..=300).step_by(10) {
        let w = worker::get(&t.store, zhijia_domain::ids::WorkerId(id))
            .await
            .unwrap()
            .unwrap();
        let plain = keys.decrypt(&w.id_number_enc).unwrap();
        assert!(
            !bytes.windows(18).any(|win| win == plain.as_bytes()),
            "plaintext id number in the file"
        );
        assert!(
            !bytes.windows(14).any(|win| win == &plain.as_bytes()[..14]),
            "a prefix in the file"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identity_numbers_never_reach_a_postgresql_dump_in_clear() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    let keys = keys();
    demo::generate(&t.store, &keys, &opts(300), &|_| {})
        .await
        .unwrap();
    let url = t.url().unwrap();
    let dump = tokio::task::spawn_blocking(move || {
        std::process::Command::new("pg_dump").arg(&url).output()
    })
    .await
    .unwrap()
    .expect("pg_dump (PostgreSQL's client tools) is installed beside the server");
    assert!(
        dump.status.success(),
        "{}",
        String::from_utf8_lossy(&dump.stderr)
    );
    let text = dump.stdout;
    assert!(text.len() > 100_000);
    for id in (1..=300).step_by(10) {
        let w = worker::get(&t.store, zhijia_domain::ids::WorkerId(id))
            .await
            .unwrap()
            .unwrap();
        let plain = keys.decrypt(&w.id_number_enc).unwrap();
        assert!(
            !text.windows(18).any(|win| win == plain.as_bytes()),
            "plaintext id number in the dump"
        );
    }
}

on_both!(
    demo_members_have_valid_member_numbers_and_the_console_has_work,
    |t: TestDb| async move {
        let keys = crate::helpers::keys();
        demo::generate(&t.store, &keys, &opts(300), &|_| {})
            .await
            .unwrap();
        demo::membership::samples(&t.store, &keys).await.unwrap();
        let unnumbered: i64 = t
            .store
            .query_one(
                "SELECT COUNT(*) FROM worker WHERE org_id IS NOT NULL AND member_no IS NULL",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(unnumbered, 0);
        // Each number is the one its record id gives, with a valid check digit.
        let w = zhijia_store::worker::get(&t.store, zhijia_domain::ids::WorkerId(17))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            w.member_no.as_deref(),
            Some(
                zhijia_domain::member::MemberNo::from_serial(17)
                    .unwrap()
                    .as_str()
            )
        );
        let pending: i64 = t
            .store
            .query_one(
                "SELECT COUNT(*) FROM join_application WHERE status = 'pending'",
                &[],
            )
            .await
            .unwrap();
        assert!(pending >= 3, "{pending}");
        let transfers: i64 = t
            .store
            .query_one(
                "SELECT COUNT(*) FROM transfer WHERE status = 'awaiting_release'",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(transfers, 1);
    }
);

on_both!(
    demo_cases_cover_every_state_with_escalations_a_review_and_a_mediation,
    |t: TestDb| async move {
        let keys = crate::helpers::keys();
        demo::generate(&t.store, &keys, &opts(300), &|_| {})
            .await
            .unwrap();
        demo::case::samples(&t.store).await.unwrap();
        let count = |sql: &'static str| {
            let db = t.store.clone();
            async move { db.query_one::<i64>(sql, &[]).await.unwrap() }
        };
        for state in zhijia_domain::case::CaseState::ALL {
            let n: i64 = t
                .store
                .query_one(
                    "SELECT COUNT(*) FROM rights_case WHERE state = $1",
                    &[&state.as_str()],
                )
                .await
                .unwrap();
            assert!(n >= 1, "no demo case is {}", state.as_str());
        }
        assert!(count("SELECT COUNT(*) FROM rights_case WHERE escalation_level >= 2").await >= 1);
        assert!(count("SELECT COUNT(*) FROM rights_case WHERE review_by_parent = TRUE").await >= 1);
        assert!(count("SELECT COUNT(*) FROM case_mediation").await >= 1);
    }
);

on_both!(
    demo_benefits_have_offers_in_every_state_claimed_coupons_and_a_redemption,
    |t: TestDb| async move {
        let keys = crate::helpers::keys();
        demo::generate(&t.store, &keys, &opts(600), &|_| {})
            .await
            .unwrap();
        demo::membership::samples(&t.store, &keys).await.unwrap();
        demo::benefit::samples(&t.store, &keys).await.unwrap();
        for status in ["draft", "published", "withdrawn"] {
            let n: i64 = t
                .store
                .query_one("SELECT COUNT(*) FROM offer WHERE status = $1", &[&status])
                .await
                .unwrap();
            assert!(n >= 1, "no demo offer is {status}");
        }
        let sold_out: i64 = t
            .store
            .query_one(
                "SELECT COUNT(*) FROM offer WHERE status = 'published' AND stock_left = 0",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(sold_out, 1);
        let redeemed: i64 = t
            .store
            .query_one("SELECT COUNT(*) FROM coupon WHERE status = 'redeemed'", &[])
            .await
            .unwrap();
        assert_eq!(redeemed, 1);
        let items: i64 = t
            .store
            .query_one("SELECT COUNT(*) FROM mall_item", &[])
            .await
            .unwrap();
        assert_eq!(items, 3);
        for status in ["proposed", "approved", "rejected"] {
            let n: i64 = t
                .store
                .query_one(
                    "SELECT COUNT(*) FROM offer_proposal WHERE status = $1",
                    &[&status],
                )
                .await
                .unwrap();
            assert_eq!(n, 1, "one demo proposal is {status}");
        }
        let located: i64 = t
            .store
            .query_one(
                "SELECT COUNT(*) FROM shop WHERE longitude IS NOT NULL AND latitude IS NOT NULL",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(located, 2, "two demo shops are on the map");
        assert!(
            zhijia_store::staff::find_by_username(&t.store, "demo.merchant")
                .await
                .unwrap()
                .is_some()
        );
    }
);

on_both!(
    demo_culture_has_model_workers_one_a_current_member_and_library_items_of_every_kind,
    |t: TestDb| async move {
        let keys = crate::helpers::keys();
        demo::generate(&t.store, &keys, &opts(300), &|_| {})
            .await
            .unwrap();
        demo::membership::samples(&t.store, &keys).await.unwrap();
        demo::culture::samples(&t.store).await.unwrap();
        let count = |sql: &'static str| {
            let db = t.store.clone();
            async move { db.query_one::<i64>(sql, &[]).await.unwrap() }
        };
        assert!(count("SELECT COUNT(*) FROM model_worker WHERE status = 'published'").await >= 3);
        assert_eq!(
            count("SELECT COUNT(*) FROM model_worker WHERE status = 'draft'").await,
            1
        );
        assert!(
            count(
                "SELECT COUNT(*) FROM model_worker WHERE worker_id IS NULL AND status = 'published'"
            )
            .await
                >= 1,
            "an honouree of the past without a worker"
        );
        // The linked honouree is a current member and carries the tag `model_worker`.
        let linked: i64 = count(
            "SELECT m.worker_id FROM model_worker m JOIN membership s \
             ON s.worker_id = m.worker_id AND s.status <> 'ended' \
             WHERE m.worker_id IS NOT NULL AND m.status = 'published'",
        )
        .await;
        assert!(
            zhijia_store::model_worker::is_honoured(&t.store, zhijia_domain::ids::WorkerId(linked))
                .await
                .unwrap()
        );
        for kind in zhijia_domain::library::Kind::ALL {
            let n: i64 = t
                .store
                .query_one(
                    "SELECT COUNT(*) FROM library_item WHERE kind = $1 AND status = 'published'",
                    &[&kind.as_str()],
                )
                .await
                .unwrap();
            assert!(n >= 1, "no published demo {}", kind.as_str());
        }
        assert_eq!(
            count("SELECT COUNT(*) FROM library_item WHERE status = 'draft'").await,
            1
        );
        // The public lists read them.
        let shown = zhijia_app::publishable::published::<zhijia_app::model_worker::ModelWorkers>(
            &t.store, None, None, None, None,
        )
        .await
        .unwrap();
        assert_eq!(shown.total, 3);
        let shelf = zhijia_app::publishable::published::<zhijia_app::library::Library>(
            &t.store, None, None, None, None,
        )
        .await
        .unwrap();
        assert_eq!(shelf.total, 5);
    }
);

on_both!(
    demo_news_reaches_the_sample_member_from_four_levels_with_answers_on_every_topic_and_a_queue,
    |t: TestDb| async move {
        let keys = crate::helpers::keys();
        demo::generate(&t.store, &keys, &opts(300), &|_| {})
            .await
            .unwrap();
        demo::membership::samples(&t.store, &keys).await.unwrap();
        demo::news::samples(&t.store).await.unwrap();
        let now = chrono::Utc::now();
        let (org, feed) =
            zhijia_app::article::reader::feed(&t.store, "19900000002", now, Some(200), None)
                .await
                .unwrap();
        assert!(org.is_some());
        assert!(feed.total >= 300, "{}", feed.total);
        assert!(feed.items[0].pinned, "a pinned notice first");
        let levels: std::collections::HashSet<_> = feed.items.iter().map(|i| i.org_id).collect();
        assert_eq!(
            levels.len(),
            4,
            "province, city, county and the union itself"
        );
        for topic in [
            "wages",
            "contract",
            "social_insurance",
            "injury",
            "gig_work",
        ] {
            let page =
                zhijia_app::article::reader::knowledge(&t.store, Some(topic), now, None, None)
                    .await
                    .unwrap();
            assert!(page.total >= 4, "{topic}");
        }
        let waiting: i64 = t
            .store
            .query_one(
                "SELECT COUNT(*) FROM article WHERE status = 'in_review'",
                &[],
            )
            .await
            .unwrap();
        assert!(waiting > 0);
    }
);
