//! Every store function, on both backends, through the same code path.

use crate::helpers::{TestDb, actor, input, keys, org};
use crate::on_both;
use chrono::{NaiveDate, TimeZone, Utc};
use zhijia_app::org as uc;
use zhijia_domain::credit_code::CreditCode;
use zhijia_domain::org::OrgId;
use zhijia_store::org as store;
use zhijia_store::worker::{self, WorkerRow};
use zhijia_store::{FromRow, Row, StoreError};

on_both!(
    migrations_are_applied_once_and_a_second_run_does_nothing,
    |t: TestDb| async move {
        let applied = zhijia_store::migrate::run(&t.store).await.unwrap();
        assert!(
            applied.is_empty(),
            "already migrated by the harness: {applied:?}"
        );
        let other = t.reopen().await;
        assert!(zhijia_store::migrate::run(&other).await.unwrap().is_empty());
    }
);

struct Pair {
    a: i64,
    b: String,
}

impl FromRow for Pair {
    fn from_row(row: &Row<'_, '_>) -> zhijia_store::Result<Self> {
        Ok(Pair {
            a: row.get("a")?,
            b: row.get("b")?,
        })
    }
}

on_both!(
    placeholders_bind_by_number_even_out_of_order,
    |t: TestDb| async move {
        let p: Pair = t
            .store
            .query_one(
                "SELECT CAST($2 AS BIGINT) AS a, CAST($1 AS TEXT) AS b",
                &[&"text", &7i64],
            )
            .await
            .unwrap();
        assert_eq!((p.a, p.b.as_str()), (7, "text"));
        let err = t
            .store
            .query_one::<i64>("SELECT CAST($1 AS BIGINT)", &[&1i64, &2i64])
            .await;
        assert!(err.is_err(), "a surplus parameter is an error, not ignored");
    }
);

on_both!(
    a_transaction_dropped_without_commit_leaves_nothing_behind,
    |t: TestDb| async move {
        let db = &t.store;
        {
            let mut tx = db.change().await.unwrap();
            let new = input("未提交的工会", "province", None, "440000")
                .validate()
                .unwrap();
            store::insert(&mut tx, &new, None).await.unwrap();
            // dropped here
        }
        // Give the PostgreSQL rollback task a moment, then the store is usable and empty.
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert_eq!(store::roots(db, 10, 0).await.unwrap().total, 0);
        if db.backend() == zhijia_store::Backend::Postgres {
            // Had `Drop` done nothing, the connection would be back in the pool still inside
            // its transaction ("idle in transaction"), to be reused by the next request.
            struct Open(i64);
            impl zhijia_store::FromRow for Open {
                fn from_row(row: &zhijia_store::Row<'_, '_>) -> zhijia_store::Result<Self> {
                    Ok(Open(row.get("n")?))
                }
            }
            let open: Open = db
                .query_one(
                    "SELECT COUNT(*) AS n FROM pg_stat_activity \
                     WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
                    &[],
                )
                .await
                .unwrap();
            assert_eq!(
                open.0, 0,
                "a pooled connection was left inside a transaction"
            );
        }
        let p = org(db, "广东省总工会", "province", None, "440000").await;
        assert_eq!(store::roots(db, 10, 0).await.unwrap().items[0].id, p.id);
    }
);

on_both!(org_reads_find_what_was_written, |t: TestDb| async move {
    let db = &t.store;
    let prov = org(db, "广东省总工会", "province", None, "440000").await;
    let city = org(db, "广州市总工会", "city", Some(&prov), "440100").await;
    let mut g = input(
        "广州鸿达电子科技有限公司工会委员会",
        "grassroots",
        Some(&city),
        "440106",
    );
    let employer = CreditCode::with_check_char("91440106MA0000001").unwrap();
    let union_code = CreditCode::with_check_char("81440106MC0000009").unwrap();
    g.employer_name = Some("广州鸿达电子科技有限公司".into());
    g.employer_credit_code = Some(employer.to_string());
    g.credit_code = Some(union_code.to_string());
    g.industry_code = Some("c".into());
    g.chair = Some("王伟".into());
    g.founded_on = Some("2001-05-01".into());
    let grass = uc::create(db, &g, &actor()).await.unwrap();

    let got = store::get(db, grass.id).await.unwrap().unwrap();
    assert_eq!(got.name, "广州鸿达电子科技有限公司工会委员会");
    assert_eq!(got.industry_code.as_deref(), Some("C"));
    assert_eq!(got.founded_on, NaiveDate::from_ymd_opt(2001, 5, 1));
    assert_eq!(got.chair.as_deref(), Some("王伟"));
    assert_eq!(got.depth, 3);
    assert!(store::get(db, OrgId(987654)).await.unwrap().is_none());

    assert_eq!(
        store::find_by_credit_code(db, union_code.as_str())
            .await
            .unwrap()
            .unwrap()
            .id,
        grass.id
    );
    assert_eq!(
        store::find_by_employer(db, employer.as_str())
            .await
            .unwrap()
            .unwrap()
            .id,
        grass.id
    );
    assert!(
        store::find_by_employer(db, union_code.as_str())
            .await
            .unwrap()
            .is_none()
    );

    let kids = store::children(db, prov.id, 10, 0).await.unwrap();
    assert_eq!(
        (kids.total, kids.items[0].id, kids.items[0].child_count),
        (1, city.id, 1)
    );
    assert_eq!(store::roots(db, 10, 0).await.unwrap().items.len(), 1);
    let names: Vec<String> = store::ancestors(db, &got.path)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    assert_eq!(
        names,
        [
            "广东省总工会",
            "广州市总工会",
            "广州鸿达电子科技有限公司工会委员会"
        ]
    );

    let found = store::search(db, &prov.path, "鸿达", 10, 0).await.unwrap();
    assert_eq!((found.total, found.items[0].id), (1, grass.id));
    let none = store::search(db, &city.path, "深圳", 10, 0).await.unwrap();
    assert_eq!(none.total, 0);
    // Wildcards typed by a person are taken literally, not as patterns.
    assert_eq!(
        store::search(db, &prov.path, "%", 10, 0)
            .await
            .unwrap()
            .total,
        0
    );
    assert_eq!(
        store::search(db, &prov.path, "_", 10, 0)
            .await
            .unwrap()
            .total,
        0
    );
});

fn row(n: u32, org: Option<OrgId>, keys: &zhijia_domain::pii::PiiKeys) -> (WorkerRow, String) {
    let region = zhijia_domain::region::RegionCode::parse("440106").unwrap();
    let id = zhijia_domain::id_number::IdNumber::compose(
        &region,
        NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Duration::days(i64::from(n)),
        (n % 1000) as u16,
    )
    .unwrap();
    let w = WorkerRow {
        name: format!("职工{n}"),
        id_number_enc: keys.encrypt(id.expose()),
        id_number_idx: keys.blind_index(id.expose()).to_vec(),
        sex: id.sex().code(),
        birth_date: id.birth_date(),
        phone: format!("1380000{n:04}"),
        region_code: "440106".into(),
        employer_name: None,
        employer_credit_code: None,
        gig_occupation: Some("courier"),
        org_id: org,
        created_at: Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap(),
    };
    (w, id.expose().to_owned())
}

on_both!(
    workers_are_written_in_bulk_and_found_by_blind_index,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let prov = org(db, "广东省总工会", "province", None, "440000").await;
        let city = org(db, "广州市总工会", "city", Some(&prov), "440100").await;
        let other = org(db, "深圳市总工会", "city", Some(&prov), "440300").await;
        let rows: Vec<(WorkerRow, String)> = (0..50)
            .map(|n| row(n, Some(if n < 30 { city.id } else { other.id }), &keys))
            .collect();
        let batch: Vec<WorkerRow> = rows.iter().map(|(w, _)| w.clone()).collect();
        assert_eq!(worker::insert_batch(db, &batch).await.unwrap(), 50);
        assert_eq!(worker::count(db).await.unwrap(), 50);
        assert_eq!(worker::count_in_subtree(db, &city.path).await.unwrap(), 30);
        assert_eq!(worker::count_in_subtree(db, &prov.path).await.unwrap(), 50);

        let (_, plain) = &rows[7];
        let found = worker::find_by_id_number_index(db, &keys.blind_index(plain))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(found.name, "职工7");
        assert_eq!(keys.decrypt(&found.id_number_enc).unwrap(), *plain);
        assert_eq!(
            worker::get(db, found.id).await.unwrap().unwrap().phone,
            "13800000007"
        );
        assert!(
            worker::find_by_id_number_index(db, &keys.blind_index("nobody"))
                .await
                .unwrap()
                .is_none()
        );

        // One person, one row: the blind index refuses a second copy, and the batch is all or nothing.
        let mut same_person = rows[3].0.clone();
        same_person.phone = "13999999999".into();
        let dup = vec![row(100, None, &keys).0, same_person];
        let err = worker::insert_batch(db, &dup).await.unwrap_err();
        assert!(
            err.is_conflict_on(zhijia_store::unique::WORKER_ID_NUMBER),
            "{err:?}"
        );
        assert_eq!(worker::count(db).await.unwrap(), 50);
    }
);

on_both!(
    a_unique_violation_is_reported_as_a_conflict,
    |t: TestDb| async move {
        let db = &t.store;
        let code = CreditCode::with_check_char("81440000MC0000001").unwrap();
        let mut a = input("甲", "province", None, "440000");
        a.credit_code = Some(code.to_string());
        let new = a.validate().unwrap();
        let mut tx = db.change().await.unwrap();
        store::insert(&mut tx, &new, None).await.unwrap();
        let err = store::insert(&mut tx, &new, None).await.unwrap_err();
        assert!(
            err.is_conflict_on(zhijia_store::unique::ORG_CREDIT_CODE),
            "{err:?}"
        );
        // Matched exactly: not mistaken for the employer's code, whose name holds the same words.
        assert!(!err.is_conflict_on(zhijia_store::unique::ORG_EMPLOYER_CREDIT_CODE));
    }
);

#[test]
fn unknown_database_url_schemes_are_refused() {
    let dir = std::path::Path::new("/tmp/never-created");
    for url in [
        "mysql://root@localhost/db",
        "sqlite:///tmp/x.db",
        "file:zhijia.db",
        "redis://h",
    ] {
        let err = zhijia_store::StoreTarget::from_config(Some(url), dir).unwrap_err();
        assert!(matches!(err, StoreError::UnsupportedUrl(_)), "{url}");
        assert!(err.to_string().contains("postgres://"), "{err}");
    }
    let err =
        zhijia_store::StoreTarget::from_config(Some("mysql://root:secret@h/db"), dir).unwrap_err();
    assert!(
        !err.to_string().contains("secret"),
        "the password is never echoed"
    );
    assert!(matches!(
        zhijia_store::StoreTarget::from_config(Some("postgresql://u@h/db"), dir),
        Ok(zhijia_store::StoreTarget::Postgres(_))
    ));
    assert!(matches!(
        zhijia_store::StoreTarget::from_config(None, dir),
        Ok(zhijia_store::StoreTarget::Sqlite(p)) if p.ends_with("zhijia.db")
    ));
}
