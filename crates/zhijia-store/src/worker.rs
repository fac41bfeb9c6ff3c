//! Workers in the store. The store never sees an identity number in clear: callers pass the
//! ciphertext and the blind index made with the keys of `zhijia_domain::pii`.

use crate::db::{FromRow, Param, Row, Store, sqlite_bind};
use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use futures_util::pin_mut;
use postgres_types::{ToSql, Type};
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use zhijia_domain::ids::WorkerId;
use zhijia_domain::org::{OrgId, OrgPath};
use zhijia_domain::worker::{GigOccupation, Sex};

/// A worker ready to be written: personal data already encrypted and indexed.
#[derive(Debug, Clone)]
pub struct WorkerRow {
    pub name: String,
    pub id_number_enc: Vec<u8>,
    pub id_number_idx: Vec<u8>,
    /// GB/T 2261.1 code: "1" male, "2" female.
    pub sex: &'static str,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub region_code: String,
    pub employer_name: Option<String>,
    pub employer_credit_code: Option<String>,
    pub gig_occupation: Option<&'static str>,
    pub org_id: Option<OrgId>,
    pub created_at: DateTime<Utc>,
}

pub const INSERT: &str = "INSERT INTO worker (name, id_number_enc, id_number_idx, sex, birth_date, \
     phone, region_code, employer_name, employer_credit_code, gig_occupation, org_id, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)";
const COPY: &str = "COPY worker (name, id_number_enc, id_number_idx, sex, birth_date, phone, \
     region_code, employer_name, employer_credit_code, gig_occupation, org_id, created_at) \
     FROM STDIN (FORMAT binary)";
const COPY_TYPES: [Type; 12] = [
    Type::TEXT,
    Type::BYTEA,
    Type::BYTEA,
    Type::TEXT,
    Type::DATE,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::TEXT,
    Type::INT8,
    Type::TIMESTAMPTZ,
];
const COUNT: &str = "SELECT COUNT(*) FROM worker";
const COUNT_IN_SUBTREE: &str = "SELECT COUNT(*) FROM worker w JOIN org o ON o.id = w.org_id \
     WHERE o.path >= $1 AND o.path < $2";
/// The columns of `Worker`, shared by every query that returns one.
macro_rules! worker_select {
    ($where:literal) => {
        concat!(
            "SELECT id, name, id_number_enc, sex, birth_date, phone, region_code, employer_name, \
             gig_occupation, org_id, member_no FROM worker ",
            $where
        )
    };
}
const GET: &str = worker_select!("WHERE id = $1");
const BY_ID_NUMBER: &str = worker_select!("WHERE id_number_idx = $1");
const BY_PHONE: &str = worker_select!("WHERE phone = $1");
const BY_MEMBER_NO: &str = worker_select!("WHERE member_no = $1");

impl WorkerRow {
    /// The values of `INSERT` and `COPY`, in their column order. `org_id` is the caller's copy
    /// of `self.org_id` as a plain integer.
    fn values<'a>(&'a self, org_id: &'a Option<i64>) -> [&'a (dyn Param + Sync); 12] {
        [
            &self.name,
            &self.id_number_enc,
            &self.id_number_idx,
            &self.sex,
            &self.birth_date,
            &self.phone,
            &self.region_code,
            &self.employer_name,
            &self.employer_credit_code,
            &self.gig_occupation,
            org_id,
            &self.created_at,
        ]
    }
}

/// Writes a batch in one transaction: prepared INSERTs on SQLite, binary COPY on PostgreSQL
/// (the one bulk path where the engines really differ). Returns the rows written.
pub async fn insert_batch(store: &Store, rows: &[WorkerRow]) -> Result<u64> {
    if let Some(done) = store
        .sqlite_bulk(|conn| {
            let mut stmt = conn.prepare_cached(INSERT)?;
            for r in rows {
                let org_id = r.org_id.map(|o| o.0);
                sqlite_bind(&mut stmt, &r.values(&org_id))?;
                stmt.raw_execute().map_err(StoreError::from_sqlite)?;
            }
            Ok(rows.len() as u64)
        })
        .await
    {
        return done;
    }
    let Some(pg) = store.pg() else { return Ok(0) };
    let mut client = pg.get().await?;
    let tx = client.transaction().await.map_err(StoreError::from_pg)?;
    let sink = tx.copy_in(COPY).await.map_err(StoreError::from_pg)?;
    let writer = BinaryCopyInWriter::new(sink, &COPY_TYPES);
    pin_mut!(writer);
    for r in rows {
        let org_id = r.org_id.map(|o| o.0);
        let values = r.values(&org_id).map(|v| v as &(dyn ToSql + Sync));
        writer
            .as_mut()
            .write(&values)
            .await
            .map_err(StoreError::from_pg)?;
    }
    let n = writer.finish().await.map_err(StoreError::from_pg)?;
    tx.commit().await.map_err(StoreError::from_pg)?;
    Ok(n)
}

pub async fn count(store: &Store) -> Result<i64> {
    store.query_one(COUNT, &[]).await
}

/// Workers attached to any org of the subtree at `path`.
pub async fn count_in_subtree(store: &Store, path: &OrgPath) -> Result<i64> {
    store
        .query_one(
            COUNT_IN_SUBTREE,
            &[&path.as_str(), &path.subtree_upper_bound()],
        )
        .await
}

/// A stored worker. The identity number stays encrypted until a caller with the keys and the
/// right to see it decrypts it.
#[derive(Debug, Clone)]
pub struct Worker {
    pub id: WorkerId,
    pub name: String,
    pub id_number_enc: Vec<u8>,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub region_code: String,
    pub employer_name: Option<String>,
    pub gig_occupation: Option<GigOccupation>,
    pub org_id: Option<OrgId>,
    pub member_no: Option<String>,
}

impl FromRow for Worker {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Worker {
            id: row.id("id")?,
            name: row.get("name")?,
            id_number_enc: row.get("id_number_enc")?,
            sex: row.parsed("sex", Sex::from_code)?,
            birth_date: row.get("birth_date")?,
            phone: row.get("phone")?,
            region_code: row.get("region_code")?,
            employer_name: row.get("employer_name")?,
            gig_occupation: row.parsed_opt("gig_occupation", GigOccupation::parse)?,
            org_id: row.id_opt("org_id")?,
            member_no: row.get("member_no")?,
        })
    }
}

pub async fn get(store: &Store, id: WorkerId) -> Result<Option<Worker>> {
    store.query_opt(GET, &[&id.0]).await
}

/// Finds a worker by the blind index of their identity number.
pub async fn find_by_id_number_index(store: &Store, index: &[u8]) -> Result<Option<Worker>> {
    store.query_opt(BY_ID_NUMBER, &[&index]).await
}

/// The worker record of a (verified) phone number.
pub async fn find_by_phone(store: &Store, phone: &str) -> Result<Option<Worker>> {
    store.query_opt(BY_PHONE, &[&phone]).await
}

pub async fn find_by_member_no(store: &Store, member_no: &str) -> Result<Option<Worker>> {
    store.query_opt(BY_MEMBER_NO, &[&member_no]).await
}
