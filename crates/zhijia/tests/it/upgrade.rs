//! Upgrades: a database made by an older release (commit b8fde9f, schema 0001–0010, kept in
//! tests/fixtures/upgrade with how it was made) migrates forward on each backend with every row
//! intact, and the upgraded store goes on working.

use flate2::read::GzDecoder;
use std::io::Read;
use zhijia_domain::pii::PiiKeys;
use zhijia_store::backup::checksums;
use zhijia_store::{Store, StoreTarget};

/// The migrations shipped after that release.
const NEWER: [&str; 6] = [
    "0011_transfer_consent",
    "0012_worker_aid",
    "0013_sign_in_delay",
    "0014_disbursement_key",
    "0015_article",
    "0016_search",
];
/// Tables those migrations change: their rows stay, their columns (and so checksums) do not.
const ALTERED: [&str; 4] = ["transfer", "aid_attachment", "session", "disbursement"];

fn fixture(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/upgrade")
        .join(name);
    let mut out = Vec::new();
    GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

fn fixture_keys() -> PiiKeys {
    PiiKeys::from_hex(&"ab".repeat(64)).unwrap()
}

/// Migrates `store` (holding the old release's data) and checks what a union would check.
async fn upgrade_and_check(store: &Store) {
    let before = checksums(store).await.unwrap();
    let workers = before.iter().find(|(t, ..)| t == "worker").unwrap().1;
    assert!(
        workers > 150,
        "the fixture holds the demo's workers: {workers}"
    );

    let applied = zhijia_store::migrate::run(store).await.unwrap();
    assert!(
        NEWER.iter().all(|n| applied.iter().any(|a| a.contains(n))),
        "applied {applied:?}"
    );
    assert!(
        applied.len() <= NEWER.len(),
        "only what is newer is applied: {applied:?}"
    );

    // Every table keeps its rows; tables the migrations did not touch are unchanged byte for byte.
    let after = checksums(store).await.unwrap();
    for (table, rows, sum) in &before {
        if table == "schema_migration" {
            continue;
        }
        let (_, rows_after, sum_after) = after
            .iter()
            .find(|(t, ..)| t == table)
            .unwrap_or_else(|| panic!("{table} is gone"));
        assert_eq!(rows, rows_after, "{table} rows");
        if !ALTERED.contains(&table.as_str()) {
            assert_eq!(sum, sum_after, "{table} changed");
        }
    }

    // Identity numbers written by the old release still open with the operator's key.
    struct Enc(Vec<u8>);
    impl zhijia_store::FromRow for Enc {
        fn from_row(row: &zhijia_store::Row<'_, '_>) -> zhijia_store::Result<Self> {
            Ok(Enc(row.get("id_number_enc")?))
        }
    }
    let Enc(enc) = store
        .query_one("SELECT id_number_enc FROM worker ORDER BY id LIMIT 1", &[])
        .await
        .unwrap();
    let number = fixture_keys().decrypt(&enc).unwrap();
    assert!(
        zhijia_domain::id_number::IdNumber::parse(&number).is_ok(),
        "{number}"
    );

    // And the upgraded store takes new work: a union created with its audit entry, which gets
    // an id after the old ones.
    let before_max: i64 = store
        .query_one("SELECT MAX(id) FROM org", &[])
        .await
        .unwrap();
    let org = crate::helpers::org(store, "升级后新建工会", "grassroots", None, "440106").await;
    assert!(org.id.0 > before_max);
    // Run again, the migrations find nothing to do.
    assert!(zhijia_store::migrate::run(store).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_sqlite_database_of_the_previous_release_upgrades_with_every_row_intact() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("zhijia.db"), fixture("sqlite-0010.db.gz")).unwrap();
    let target = StoreTarget::from_config(None, dir.path()).unwrap();
    let store = Store::open(&target).await.unwrap();
    upgrade_and_check(&store).await;
}

#[tokio::test]
async fn a_postgresql_database_of_the_previous_release_upgrades_with_every_row_intact() {
    let Some(admin) = crate::helpers::pg_admin_url() else {
        return;
    };
    let name = format!("zt_upgrade_{}", std::process::id());
    let (client, conn) = tokio_postgres::connect(&admin, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(conn);
    for sql in [
        format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
        format!("CREATE DATABASE {name}"),
    ] {
        client.batch_execute(&sql).await.unwrap();
    }
    let mut url = url::Url::parse(&admin).unwrap();
    url.set_path(&name);
    {
        // The old release's dump, loaded as `psql -f` would.
        let (old, conn) = tokio_postgres::connect(url.as_str(), tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(conn);
        let dump = String::from_utf8(fixture("postgres-0010.sql.gz")).unwrap();
        old.batch_execute(&dump).await.unwrap();
    }
    let store = Store::open(&StoreTarget::Postgres(url.to_string()))
        .await
        .unwrap();
    upgrade_and_check(&store).await;
    drop(store);
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .await
        .unwrap();
}
