//! Bulk import of a roster: workers and their memberships, batch by batch.
//!
//! Each batch is one transaction, so a crash or a kill leaves whole batches written and nothing
//! half-written; a person already in the store (same identity blind index) is not written again,
//! so running the same file twice, or again after a crash, finishes the job without duplicates.
//! Worker ids are allocated up front (inside the transaction on SQLite, from the sequence on
//! PostgreSQL) so the member number, derived from the id, is written with the row.

use crate::audit;
use crate::db::{Store, Tx, sqlite_bind_in_order};
use crate::membership::Applicant;
use crate::{Result, StoreError};
use chrono::{NaiveDate, Utc};
use zhijia_domain::audit::{Actor, action};
use zhijia_domain::member::MemberNo;
use zhijia_domain::org::OrgId;

/// One checked roster line: the person (as a join application would record them, personal
/// data already encrypted and indexed) and the date they joined.
#[derive(Debug, Clone)]
pub struct ImportMember {
    pub person: Applicant,
    pub joined_on: NaiveDate,
}

const INSERT_WORKER: &str = "INSERT INTO worker (id, member_no, name, id_number_enc, \
     id_number_idx, sex, birth_date, phone, region_code, employer_name, employer_credit_code, \
     gig_occupation, work_region, ethnicity, education, political_status, hukou_type, \
     hukou_region, skill_level, marital_status, emergency_contact, emergency_phone, org_id, \
     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
     $17, $18, $19, $20, $21, $22, $23, $24) ON CONFLICT DO NOTHING";
const INSERT_MEMBERSHIP: &str = "INSERT INTO membership (worker_id, org_id, status, joined_on, \
     source, created_at) VALUES ($1, $2, 'active', $3, 'import', $4)";
const MAX_ID: &str = "SELECT COALESCE(MAX(id), 0) FROM worker";
/// Memberships per multi-row INSERT on SQLite: one statement per 100 rows instead of one each
/// (statement start and end showed in the profile). 4 values a row, far below SQLite's limit.
const MEMBERSHIPS_PER_INSERT: usize = 100;

/// `INSERT ... VALUES (...), (...), ...` for `MEMBERSHIPS_PER_INSERT` memberships, placeholders
/// in order. Built once from constants: no data is ever part of the SQL text.
fn memberships_insert() -> &'static str {
    static SQL: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    SQL.get_or_init(|| {
        let rows: Vec<String> = (0..MEMBERSHIPS_PER_INSERT)
            .map(|i| {
                let n = i * 4;
                format!(
                    "(${}, ${}, 'active', ${}, 'import', ${})",
                    n + 1,
                    n + 2,
                    n + 3,
                    n + 4
                )
            })
            .collect();
        format!(
            "INSERT INTO membership (worker_id, org_id, status, joined_on, source, created_at) \
             VALUES {}",
            rows.join(", ")
        )
    })
}

const PG_RESERVE: &str = "SELECT nextval(pg_get_serial_sequence('worker', 'id')) FROM generate_series(1::int8, $1::int8)";
const PG_INSERT_WORKERS: &str = "INSERT INTO worker (id, member_no, name, id_number_enc, \
     id_number_idx, sex, birth_date, phone, region_code, employer_name, employer_credit_code, \
     gig_occupation, work_region, ethnicity, education, political_status, hukou_type, \
     hukou_region, skill_level, marital_status, emergency_contact, emergency_phone, org_id, \
     created_at) \
     SELECT t.*, $23::int8, $24::timestamptz FROM UNNEST($1::int8[], $2::text[], $3::text[], \
     $4::bytea[], $5::bytea[], $6::text[], $7::date[], $8::text[], $9::text[], $10::text[], \
     $11::text[], $12::text[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], \
     $18::text[], $19::text[], $20::text[], $21::text[], $22::text[]) AS t \
     ON CONFLICT DO NOTHING RETURNING id";
const PG_INSERT_MEMBERSHIPS: &str = "INSERT INTO membership (worker_id, org_id, status, \
     joined_on, source, created_at) \
     SELECT t.w, $3, 'active', t.j, 'import', $4 FROM UNNEST($1::int8[], $2::date[]) AS t(w, j)";

fn member_no(id: i64) -> Result<String> {
    MemberNo::from_serial(id as u64)
        .map(|n| n.as_str().to_owned())
        .map_err(|e| StoreError::Decode(e.message))
}

/// Writes a batch in one transaction, with its audit entry (`roster.import_batch`, by `actor`):
/// the bulk path does not go through `Change`, so it appends its record itself, and a batch
/// whose entry cannot be written is not written either. Returns, for each row, whether it was
/// written (false: a person with this identity number or phone is already in the store).
pub async fn import_batch(
    store: &Store,
    org: OrgId,
    rows: &[ImportMember],
    actor: &Actor,
) -> Result<Vec<bool>> {
    let now = Utc::now();
    if let Some(done) = store
        .sqlite_bulk(|conn| sqlite_batch(conn, org, rows, actor, now))
        .await
    {
        return done;
    }
    let Some(pg) = store.pg() else {
        return Ok(Vec::new());
    };
    let mut client = pg.get().await?;
    let tx = client.transaction().await.map_err(StoreError::from_pg)?;
    let n = rows.len() as i64;
    let ids: Vec<i64> = tx
        .query(PG_RESERVE, &[&n])
        .await
        .map_err(StoreError::from_pg)?
        .iter()
        .map(|r| r.get::<_, i64>(0))
        .collect();
    let inserted = pg_insert_workers(&tx, &ids, rows, org, now).await?;
    let written: Vec<bool> = ids.iter().map(|id| inserted.contains(id)).collect();
    let (members, joined): (Vec<i64>, Vec<NaiveDate>) = ids
        .iter()
        .zip(rows)
        .filter(|(id, _)| inserted.contains(id))
        .map(|(id, r)| (*id, r.joined_on))
        .unzip();
    tx.execute(PG_INSERT_MEMBERSHIPS, &[&members, &joined, &org.0, &now])
        .await
        .map_err(StoreError::from_pg)?;
    tx.execute(
        audit::APPEND,
        &[
            &now,
            &actor.kind.as_str(),
            &actor.id,
            &actor.name,
            &actor.ip,
            &action::ROSTER_IMPORT_BATCH,
            &Some(org.0),
            &Some("org"),
            &Some(org.0.to_string()),
            &Some(batch_detail(rows, &written)),
        ],
    )
    .await
    .map_err(StoreError::from_pg)?;
    tx.commit().await.map_err(StoreError::from_pg)?;
    Ok(written)
}

/// The batch's audit detail: rows in the batch, people written.
fn batch_detail(rows: &[ImportMember], written: &[bool]) -> String {
    let n = written.iter().filter(|w| **w).count();
    format!("批量导入：本批{}行，写入{n}人", rows.len())
}

/// The batch on SQLite, in the bulk connection's one transaction: workers, their memberships,
/// the audit entry.
fn sqlite_batch(
    conn: &rusqlite::Connection,
    org: OrgId,
    rows: &[ImportMember],
    actor: &Actor,
    now: chrono::DateTime<Utc>,
) -> Result<Vec<bool>> {
    // Formatted once, as rusqlite formats a `DateTime<Utc>`, not once per row.
    let now_text = now.format("%F %T%.f%:z").to_string();
    let (written, members) = sqlite_insert_workers(conn, org, rows, &now_text)?;
    sqlite_insert_memberships(conn, org, &members, &now_text)?;
    let mut log = conn.prepare_cached(audit::APPEND)?;
    sqlite_bind_in_order(
        &mut log,
        &[
            &now_text,
            &actor.kind.as_str(),
            &actor.id,
            &actor.name,
            &actor.ip,
            &action::ROSTER_IMPORT_BATCH,
            &org.0,
            &"org",
            &org.0.to_string(),
            &batch_detail(rows, &written),
        ],
    )?;
    log.raw_execute().map_err(StoreError::from_sqlite)?;
    Ok(written)
}

/// A written worker's id and join date (as SQLite text).
type Joined = (i64, String);

/// Inserts the workers, ids following the largest so far; a taken identity number or phone
/// inserts nothing. Returns which rows were written and the (id, join date) of each.
fn sqlite_insert_workers(
    conn: &rusqlite::Connection,
    org: OrgId,
    rows: &[ImportMember],
    now_text: &str,
) -> Result<(Vec<bool>, Vec<Joined>)> {
    let mut next: i64 = conn
        .query_row(MAX_ID, [], |r| r.get(0))
        .map_err(StoreError::from_sqlite)?;
    let mut worker = conn.prepare_cached(INSERT_WORKER)?;
    let mut written = Vec::with_capacity(rows.len());
    let mut members: Vec<Joined> = Vec::with_capacity(rows.len());
    for r in rows {
        let id = next + 1;
        let no = member_no(id)?;
        let birth = r.person.birth_date.to_string();
        sqlite_bind_in_order(
            &mut worker,
            &[
                &id,
                &no,
                &r.person.name,
                &r.person.id_number_enc,
                &r.person.id_number_idx,
                &r.person.sex,
                &birth,
                &r.person.phone,
                &r.person.region_code,
                &r.person.employer_name,
                &r.person.employer_credit_code,
                &r.person.gig_occupation,
                &r.person.work_region,
                &r.person.ethnicity,
                &r.person.education,
                &r.person.political_status,
                &r.person.hukou_type,
                &r.person.hukou_region,
                &r.person.skill_level,
                &r.person.marital_status,
                &r.person.emergency_contact,
                &r.person.emergency_phone,
                &org.0,
                &now_text,
            ],
        )?;
        let n = worker.raw_execute().map_err(StoreError::from_sqlite)?;
        if n == 1 {
            next = id;
            members.push((id, r.joined_on.to_string()));
        }
        written.push(n == 1);
    }
    Ok((written, members))
}

/// Inserts the memberships of the written workers, many per statement.
fn sqlite_insert_memberships(
    conn: &rusqlite::Connection,
    org: OrgId,
    members: &[Joined],
    now_text: &str,
) -> Result<()> {
    let mut membership = conn.prepare_cached(INSERT_MEMBERSHIP)?;
    let mut chunks = members.chunks_exact(MEMBERSHIPS_PER_INSERT);
    let mut many = conn.prepare_cached(memberships_insert())?;
    for chunk in chunks.by_ref() {
        let values: Vec<&(dyn crate::Param + Sync)> = chunk
            .iter()
            .flat_map(|(id, joined)| [id as &(dyn crate::Param + Sync), &org.0, joined, &now_text])
            .collect();
        sqlite_bind_in_order(&mut many, &values)?;
        many.raw_execute().map_err(StoreError::from_sqlite)?;
    }
    for (id, joined) in chunks.remainder() {
        sqlite_bind_in_order(&mut membership, &[id, &org.0, joined, &now_text])?;
        membership.raw_execute().map_err(StoreError::from_sqlite)?;
    }
    Ok(())
}

/// Inserts the workers on PostgreSQL in one statement, a column array per field; returns the
/// ids actually inserted (a taken identity number or phone inserts nothing).
async fn pg_insert_workers(
    tx: &tokio_postgres::Transaction<'_>,
    ids: &[i64],
    rows: &[ImportMember],
    org: OrgId,
    now: chrono::DateTime<Utc>,
) -> Result<std::collections::HashSet<i64>> {
    let ids = ids.to_vec();
    let nos = ids
        .iter()
        .map(|id| member_no(*id))
        .collect::<Result<Vec<_>>>()?;
    let col = |f: fn(&ImportMember) -> Option<String>| rows.iter().map(f).collect::<Vec<_>>();
    let names: Vec<&str> = rows.iter().map(|r| r.person.name.as_str()).collect();
    let encs: Vec<&[u8]> = rows
        .iter()
        .map(|r| r.person.id_number_enc.as_slice())
        .collect();
    let idxs: Vec<&[u8]> = rows
        .iter()
        .map(|r| r.person.id_number_idx.as_slice())
        .collect();
    let sexes: Vec<&str> = rows.iter().map(|r| r.person.sex).collect();
    let births: Vec<NaiveDate> = rows.iter().map(|r| r.person.birth_date).collect();
    let phones: Vec<&str> = rows.iter().map(|r| r.person.phone.as_str()).collect();
    let regions: Vec<&str> = rows.iter().map(|r| r.person.region_code.as_str()).collect();
    let employer = col(|r| r.person.employer_name.clone());
    let credit = col(|r| r.person.employer_credit_code.clone());
    let gig = col(|r| r.person.gig_occupation.map(str::to_owned));
    let work = col(|r| r.person.work_region.clone());
    let eth = col(|r| r.person.ethnicity.map(str::to_owned));
    let edu = col(|r| r.person.education.map(str::to_owned));
    let pol = col(|r| r.person.political_status.map(str::to_owned));
    let huk = col(|r| r.person.hukou_type.map(str::to_owned));
    let hreg = col(|r| r.person.hukou_region.clone());
    let skill = col(|r| r.person.skill_level.map(str::to_owned));
    let mar = col(|r| r.person.marital_status.map(str::to_owned));
    let ec = col(|r| r.person.emergency_contact.clone());
    let ep = col(|r| r.person.emergency_phone.clone());
    let inserted: Vec<i64> = tx
        .query(
            PG_INSERT_WORKERS,
            &[
                &ids, &nos, &names, &encs, &idxs, &sexes, &births, &phones, &regions, &employer,
                &credit, &gig, &work, &eth, &edu, &pol, &huk, &hreg, &skill, &mar, &ec, &ep,
                &org.0, &now,
            ],
        )
        .await
        .map_err(StoreError::from_pg)?
        .iter()
        .map(|r| r.get::<_, i64>(0))
        .collect();
    Ok(inserted.into_iter().collect())
}

/// A finished import, as recorded for the console.
#[derive(Debug, Clone)]
pub struct ImportRecord {
    pub id: zhijia_domain::ids::ImportId,
    pub org_id: OrgId,
    pub file_name: String,
    pub errors_csv: Vec<u8>,
}

impl crate::FromRow for ImportRecord {
    fn from_row(row: &crate::Row<'_, '_>) -> Result<Self> {
        Ok(ImportRecord {
            id: row.id("id")?,
            org_id: row.id("org_id")?,
            file_name: row.get("file_name")?,
            errors_csv: row.get("errors_csv")?,
        })
    }
}

/// Counts of an import, as recorded.
#[derive(Debug, Clone, Copy)]
pub struct ImportCounts {
    pub rows: i64,
    pub imported: i64,
    pub skipped: i64,
    pub errors: i64,
}

const INSERT_RECORD: &str = "INSERT INTO roster_import (org_id, staff_id, file_name, rows_read, \
     imported, skipped, error_count, errors_csv, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id";
const GET_RECORD: &str =
    "SELECT id, org_id, file_name, errors_csv FROM roster_import WHERE id = $1";

pub async fn record(
    tx: &mut Tx,
    org: OrgId,
    staff: Option<zhijia_domain::auth::StaffId>,
    file_name: &str,
    counts: ImportCounts,
    errors_csv: &[u8],
) -> Result<zhijia_domain::ids::ImportId> {
    let staff = staff.map(|s| s.0);
    let id = tx
        .query_one(
            INSERT_RECORD,
            &[
                &org.0,
                &staff,
                &file_name,
                &counts.rows,
                &counts.imported,
                &counts.skipped,
                &counts.errors,
                &errors_csv,
                &Utc::now(),
            ],
        )
        .await?;
    Ok(zhijia_domain::ids::ImportId(id))
}

pub async fn get_record(
    store: &Store,
    id: zhijia_domain::ids::ImportId,
) -> Result<Option<ImportRecord>> {
    store.query_opt(GET_RECORD, &[&id.0]).await
}

const UNNUMBERED: &str = "SELECT id FROM worker WHERE id > $1 AND member_no IS NULL \
     AND org_id IS NOT NULL ORDER BY id LIMIT $2";
const SET_NUMBER: &str = "UPDATE worker SET member_no = $1 WHERE id = $2";
const PG_SET_NUMBERS: &str = "UPDATE worker w SET member_no = t.no \
     FROM UNNEST($1::int8[], $2::text[]) AS t(id, no) WHERE w.id = t.id";

/// Gives a member number to every worker with a union but none yet (bulk-loaded demo data),
/// 10,000 per transaction. Returns how many were numbered.
pub async fn assign_member_numbers(store: &Store) -> Result<u64> {
    let mut done = 0u64;
    // Walk by id: the next read must not depend on seeing the previous batch's writes (SQLite
    // reads run on other connections).
    let mut after = 0i64;
    loop {
        let ids: Vec<i64> = store.query(UNNUMBERED, &[&after, &10_000i64]).await?;
        let Some(last) = ids.last().copied() else {
            return Ok(done);
        };
        after = last;
        let nos = ids
            .iter()
            .map(|id| member_no(*id))
            .collect::<Result<Vec<_>>>()?;
        if let Some(r) = store
            .sqlite_bulk(|conn| {
                let mut stmt = conn.prepare_cached(SET_NUMBER)?;
                for (id, no) in ids.iter().zip(&nos) {
                    sqlite_bind_in_order(&mut stmt, &[no, id])?;
                    stmt.raw_execute().map_err(StoreError::from_sqlite)?;
                }
                Ok(())
            })
            .await
        {
            r?;
        } else if let Some(pg) = store.pg() {
            let client = pg.get().await?;
            client
                .execute(PG_SET_NUMBERS, &[&ids, &nos])
                .await
                .map_err(StoreError::from_pg)?;
        }
        done += ids.len() as u64;
    }
}
