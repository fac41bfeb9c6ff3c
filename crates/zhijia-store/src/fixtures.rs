//! Helpers for the test suite only (feature `fixtures`): failure injection and a fingerprint of
//! everything the store holds, so a test can show that a failed change left nothing behind.

use crate::db::Store;
use crate::{Result, StoreError};
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};

const REFUSE_AUDIT_SQLITE: &str = "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log \
     BEGIN SELECT RAISE(ABORT, 'audit refused by the test'); END";
const REFUSE_AUDIT_PG_FN: &str = "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ \
     BEGIN RAISE EXCEPTION 'audit refused by the test'; END $$ LANGUAGE plpgsql";
const REFUSE_AUDIT_PG: &str = "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log \
     FOR EACH ROW EXECUTE FUNCTION refuse_audit()";

/// From now on, every insert into the audit log fails, as a full disk or a broken constraint
/// would fail it after the change itself was written.
pub async fn refuse_audit(store: &Store) -> Result<()> {
    match store {
        Store::Sqlite(_) => store.execute(REFUSE_AUDIT_SQLITE, &[]).await?,
        Store::Postgres(_) => {
            store.execute(REFUSE_AUDIT_PG_FN, &[]).await?;
            store.execute(REFUSE_AUDIT_PG, &[]).await?
        }
    };
    Ok(())
}

const TABLES_SQLITE: &str = "SELECT name FROM sqlite_master WHERE type = 'table' \
     AND name NOT LIKE 'sqlite_%' ORDER BY name";
const TABLES_PG: &str = "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
     WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1";

struct Name(String);
impl crate::FromRow for Name {
    fn from_row(row: &crate::Row<'_, '_>) -> Result<Self> {
        match row {
            crate::Row::Sqlite(r, _) => r.get(0).map(Name).map_err(StoreError::Sqlite),
            crate::Row::Pg(r) => r.try_get(0).map(Name).map_err(StoreError::Postgres),
        }
    }
}

struct Digest(i64, String);
impl crate::FromRow for Digest {
    fn from_row(row: &crate::Row<'_, '_>) -> Result<Self> {
        Ok(Digest(row.get("n")?, row.get("digest")?))
    }
}

/// Every table but those in `skip`, as (rows, digest of their contents). Two fingerprints are
/// equal when no row was added, removed or changed. Table names come from the schema itself,
/// never from input, so they are written into the SQL text.
pub async fn fingerprint(store: &Store, skip: &[&str]) -> Result<BTreeMap<String, String>> {
    let tables: Vec<Name> = match store {
        Store::Sqlite(_) => store.query(TABLES_SQLITE, &[]).await?,
        Store::Postgres(_) => store.query(TABLES_PG, &[]).await?,
    };
    let mut out = BTreeMap::new();
    for Name(table) in tables {
        if skip.contains(&table.as_str()) {
            continue;
        }
        let digest = match store {
            Store::Sqlite(db) => db.with_reader(|c| {
                let mut stmt = c.prepare(&format!("SELECT * FROM \"{table}\""))?;
                let width = stmt.column_count();
                let mut rows: Vec<String> = stmt
                    .query_map([], |r| {
                        let mut line = String::new();
                        for i in 0..width {
                            let v: rusqlite::types::Value = r.get(i)?;
                            line.push_str(&format!("{v:?}|"));
                        }
                        Ok(line)
                    })?
                    .collect::<std::result::Result<_, _>>()?;
                rows.sort();
                let mut h = std::collections::hash_map::DefaultHasher::new();
                rows.hash(&mut h);
                Ok(format!("{} rows, {:x}", rows.len(), h.finish()))
            })?,
            Store::Postgres(_) => {
                let sql = format!(
                    "SELECT COUNT(*) AS n, md5(COALESCE(string_agg(CAST(t AS TEXT), '|' \
                     ORDER BY CAST(t AS TEXT)), '')) AS digest FROM \"{table}\" t"
                );
                let d: Digest = store.query_one(&sql, &[]).await?;
                format!("{} rows, {}", d.0, d.1)
            }
        };
        out.insert(table, digest);
    }
    Ok(out)
}
