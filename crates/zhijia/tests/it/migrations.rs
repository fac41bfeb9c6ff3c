//! Schema guards: shipped migrations never change, a database whose applied migration differs
//! from the shipped file is refused, and both backends end with the same tables and columns.

use crate::helpers::TestDb;
use crate::on_both;
use std::collections::BTreeSet;
use zhijia_store::migrate;

/// The checksums of every shipped migration, kept in the repository beside the files.
const LISTED: &str = include_str!("../../../zhijia-store/migrations/checksums.txt");

#[test]
fn a_shipped_migration_is_never_edited_and_every_new_one_is_listed() {
    let listed: Vec<&str> = LISTED
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    let shipped = migrate::shipped_checksums();
    for line in &listed {
        assert!(
            shipped.iter().any(|s| s == line),
            "the migration listed as “{line}” has changed or is gone: a landed migration is never \
             edited; put the change in a new migration with the next number (both backends)"
        );
    }
    for s in &shipped {
        assert!(
            listed.contains(&s.as_str()),
            "the migration “{s}” is not listed in crates/zhijia-store/migrations/checksums.txt: \
             add the line once it lands"
        );
    }
}

on_both!(
    a_database_whose_applied_migration_differs_from_the_shipped_file_is_refused_in_words,
    |t: TestDb| async move {
        let db = &t.store;
        // Migrating again changes nothing.
        assert!(migrate::run(db).await.unwrap().is_empty());
        db.execute(
            "UPDATE schema_migration SET checksum = 'edited' WHERE version = 3",
            &[],
        )
        .await
        .unwrap();
        let err = migrate::run(db).await.unwrap_err().to_string();
        assert!(err.contains("0003_membership"), "{err}");
        assert!(err.contains("已发布的迁移不能修改"), "{err}");
        // So does the server: the same check runs at every start.
        let app_err: zhijia_app::AppError = migrate::run(db).await.unwrap_err().into();
        assert_eq!(app_err.code(), "config");
    }
);

on_both!(
    a_database_migrated_before_checksums_were_kept_adopts_the_shipped_ones,
    |t: TestDb| async move {
        let db = &t.store;
        db.execute("UPDATE schema_migration SET checksum = NULL", &[])
            .await
            .unwrap();
        assert!(migrate::run(db).await.unwrap().is_empty());
        struct Missing(i64);
        impl zhijia_store::FromRow for Missing {
            fn from_row(row: &zhijia_store::Row<'_, '_>) -> zhijia_store::Result<Self> {
                Ok(Missing(row.get("n")?))
            }
        }
        let missing: Missing = db
            .query_one(
                "SELECT COUNT(*) AS n FROM schema_migration WHERE checksum IS NULL",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(missing.0, 0);
        // And from then on they are checked.
        db.execute(
            "UPDATE schema_migration SET checksum = 'edited' WHERE version = 1",
            &[],
        )
        .await
        .unwrap();
        assert!(migrate::run(db).await.is_err());
    }
);

struct Column(String, String);
impl zhijia_store::FromRow for Column {
    fn from_row(row: &zhijia_store::Row<'_, '_>) -> zhijia_store::Result<Self> {
        Ok(Column(row.get("t")?, row.get("c")?))
    }
}

async fn columns(db: &zhijia_store::Store, sql: &str) -> BTreeSet<(String, String)> {
    db.query::<Column>(sql, &[])
        .await
        .unwrap()
        .into_iter()
        .map(|c| (c.0.to_lowercase(), c.1.to_lowercase()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgresql_have_the_same_tables_and_columns() {
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let lite = TestDb::sqlite().await;
    let on_sqlite = columns(
        &lite.store,
        "SELECT m.name AS t, p.name AS c FROM sqlite_master m \
         JOIN pragma_table_info(m.name) p WHERE m.type = 'table' \
         AND m.name NOT LIKE 'sqlite_%'",
    )
    .await;
    let on_pg = columns(
        &pg.store,
        "SELECT CAST(table_name AS TEXT) AS t, CAST(column_name AS TEXT) AS c \
         FROM information_schema.columns WHERE table_schema = current_schema()",
    )
    .await;
    assert!(on_sqlite.len() > 100, "{} columns", on_sqlite.len());
    let only_sqlite: Vec<_> = on_sqlite.difference(&on_pg).collect();
    let only_pg: Vec<_> = on_pg.difference(&on_sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_pg.is_empty(),
        "only on SQLite: {only_sqlite:?}; only on PostgreSQL: {only_pg:?}"
    );
}

struct Name(String);
impl zhijia_store::FromRow for Name {
    fn from_row(row: &zhijia_store::Row<'_, '_>) -> zhijia_store::Result<Self> {
        Ok(Name(row.get("n")?))
    }
}

async fn names(db: &zhijia_store::Store, sql: &str) -> BTreeSet<String> {
    db.query::<Name>(sql, &[])
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.0)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_unique_constraint_the_use_cases_name_exists_under_that_name_on_both_backends() {
    use zhijia_store::unique::ALL;
    // SQLite: a unique index (or UNIQUE clause) on exactly those columns of that table.
    let lite = TestDb::sqlite().await;
    let on_sqlite = names(
        &lite.store,
        "SELECT group_concat(m.name || '.' || c.name, ', ') AS n FROM sqlite_master m \
         JOIN pragma_index_list(m.name) l JOIN pragma_index_info(l.name) c \
         WHERE m.type = 'table' AND l.\"unique\" = 1 GROUP BY m.name, l.name",
    )
    .await;
    for u in ALL {
        assert!(on_sqlite.contains(u.sqlite), "{u:?} not in {on_sqlite:?}");
    }
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    let on_pg = names(
        &pg.store,
        "SELECT CAST(conname AS TEXT) AS n FROM pg_constraint WHERE contype = 'u' \
         UNION SELECT CAST(indexname AS TEXT) FROM pg_indexes \
         WHERE schemaname = current_schema() AND indexdef LIKE 'CREATE UNIQUE%'",
    )
    .await;
    for u in ALL {
        assert!(on_pg.contains(u.pg), "{u:?} not in {on_pg:?}");
    }
}
