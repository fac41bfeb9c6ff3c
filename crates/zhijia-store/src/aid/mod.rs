//! Hardship aid in the store: hardship files and household members, aid applications with their
//! staged decisions and objections, and the disbursement ledger.
//!
//! The ledger is append-only in the database itself (triggers refuse UPDATE and DELETE on both
//! backends); this module has no function that changes or removes an entry. A disbursement
//! locks its hardship file's row first (`FOR UPDATE` on PostgreSQL; SQLite's single writer
//! already serialises), so concurrent payments cannot together pass the yearly cap.

use crate::attachment::{Attachment, AttachmentData};
use crate::db::{Backend, Exec, FromRow, Row, Store, Tx};
use crate::{Page, Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use zhijia_domain::aid::{AidKind, AidStatus, FileStatus, HardshipCause, HardshipTier};
use zhijia_domain::aid::{ObjectionStatus, PaymentMethod};
use zhijia_domain::ids::{
    AidApplicationId, AidDecisionId, AidFileId, AttachmentId, DisbursementId, HouseholdMemberId,
    ObjectionId, StaffId, WorkerId,
};
use zhijia_domain::org::{OrgId, OrgLevel, OrgPath};

fn path_of(row: &Row<'_, '_>) -> Result<OrgPath> {
    OrgPath::from_stored(row.get("org_path")?)
        .map_err(|p| StoreError::Decode(format!("组织路径“{p}”格式不正确")))
}

// ---------------------------------------------------------------------------------------------
// Staff identity

const SET_IDENTITY: &str =
    "UPDATE staff SET id_number_idx = $2 WHERE id = $1 AND id_number_idx IS NULL";
const IDENTITY: &str = "SELECT id_number_idx FROM staff WHERE id = $1";

struct Idx(Option<Vec<u8>>);
impl FromRow for Idx {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Idx(row.get("id_number_idx")?))
    }
}

/// Records a staff member's identity (blind index) once; false if one is already recorded.
pub async fn set_staff_identity(tx: &mut Tx, staff: StaffId, idx: &[u8]) -> Result<bool> {
    Ok(tx.execute(SET_IDENTITY, &[&staff.0, &idx]).await? == 1)
}

pub async fn staff_identity(store: &Store, staff: StaffId) -> Result<Option<Vec<u8>>> {
    Ok(store
        .query_opt::<Idx>(IDENTITY, &[&staff.0])
        .await?
        .and_then(|i| i.0))
}

// ---------------------------------------------------------------------------------------------
// Hardship files

/// A hardship file to write. Sensitive fields are plain here: the store holds them, the use
/// cases decide who sees them.
#[derive(Debug, Clone)]
pub struct NewFile<'a> {
    pub org_id: OrgId,
    pub head_worker_id: WorkerId,
    pub tier: HardshipTier,
    pub cause: HardshipCause,
    pub household_size: i64,
    pub income_per_head_fen: i64,
    pub health: &'a str,
    pub disability: &'a str,
    pub housing: &'a str,
    pub minimum_fen: i64,
    pub region_code: &'a str,
    pub opened_on: NaiveDate,
    pub review_due_on: NaiveDate,
    pub lapses_on: NaiveDate,
    pub created_by: Option<StaffId>,
}

const INSERT_FILE: &str = "INSERT INTO hardship_file (org_id, head_worker_id, tier, cause, \
     household_size, income_per_head_fen, health, disability, housing, minimum_fen, region_code, \
     status, opened_on, last_reviewed_on, review_due_on, lapses_on, created_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', $12, $12, $13, $14, $15, $16) \
     RETURNING id";

pub async fn insert_file(tx: &mut Tx, f: &NewFile<'_>) -> Result<AidFileId> {
    tx.query_one(
        INSERT_FILE,
        &[
            &f.org_id.0,
            &f.head_worker_id.0,
            f.tier.stored(),
            f.cause.stored(),
            &f.household_size,
            &f.income_per_head_fen,
            &f.health,
            &f.disability,
            &f.housing,
            &f.minimum_fen,
            &f.region_code,
            &f.opened_on,
            &f.review_due_on,
            &f.lapses_on,
            &f.created_by.map(|s| s.0),
            &Utc::now(),
        ],
    )
    .await
    .map(AidFileId)
}

const INSERT_MEMBER: &str = "INSERT INTO household_member (file_id, name, relation, \
     id_number_enc, id_number_idx, active) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

/// Adds a person to an active file. A person already in another active file is refused by the
/// unique index on the blind index (`StoreError::Conflict` on `household_member`).
pub async fn insert_member(
    tx: &mut Tx,
    file_id: AidFileId,
    name: &str,
    relation: &str,
    enc: &[u8],
    idx: &[u8],
) -> Result<HouseholdMemberId> {
    tx.query_one(
        INSERT_MEMBER,
        &[&file_id.0, &name, &relation, &enc, &idx, &true],
    )
    .await
    .map(HouseholdMemberId)
}

/// A hardship file with its union and head, as staff see it (the use case strips the
/// sensitive fields for roles that may not see them).
#[derive(Debug, Clone)]
pub struct FileRow {
    pub id: AidFileId,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: OrgPath,
    pub head_worker_id: WorkerId,
    pub head_name: String,
    pub tier: HardshipTier,
    pub cause: HardshipCause,
    pub household_size: i64,
    pub income_per_head_fen: i64,
    pub health: String,
    pub disability: String,
    pub housing: String,
    pub minimum_fen: i64,
    pub region_code: String,
    pub status: FileStatus,
    pub opened_on: NaiveDate,
    pub last_reviewed_on: NaiveDate,
    pub review_due_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
}

impl FromRow for FileRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(FileRow {
            id: row.id("id")?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            org_path: path_of(row)?,
            head_worker_id: row.id("head_worker_id")?,
            head_name: row.get("head_name")?,
            tier: row.parsed("tier", HardshipTier::parse)?,
            cause: row.parsed("cause", HardshipCause::parse)?,
            household_size: row.get("household_size")?,
            income_per_head_fen: row.get("income_per_head_fen")?,
            health: row.get("health")?,
            disability: row.get("disability")?,
            housing: row.get("housing")?,
            minimum_fen: row.get("minimum_fen")?,
            region_code: row.get("region_code")?,
            status: row.parsed("status", FileStatus::parse)?,
            opened_on: row.get("opened_on")?,
            last_reviewed_on: row.get("last_reviewed_on")?,
            review_due_on: row.get("review_due_on")?,
            closed_on: row.get("closed_on")?,
            close_reason: row.get("close_reason")?,
        })
    }
}

macro_rules! file_select {
    ($rest:literal) => {
        concat!(
            "SELECT f.id, f.org_id, o.name AS org_name, o.path AS org_path, f.head_worker_id, \
             w.name AS head_name, f.tier, f.cause, f.household_size, f.income_per_head_fen, \
             f.health, f.disability, f.housing, f.minimum_fen, f.region_code, f.status, \
             f.opened_on, f.last_reviewed_on, f.review_due_on, f.closed_on, f.close_reason \
             FROM hardship_file f JOIN org o ON o.id = f.org_id \
             JOIN worker w ON w.id = f.head_worker_id ",
            $rest
        )
    };
}
const GET_FILE: &str = file_select!("WHERE f.id = $1");
// `$3` '' means any status; `$4` a date: only files whose review is due by then.
const FILES: &str = file_select!(
    "WHERE o.path >= $1 AND o.path < $2 AND ($3 = '' OR f.status = $3) \
     AND (CAST($4 AS DATE) IS NULL OR f.review_due_on <= $4) \
     ORDER BY f.review_due_on, f.id LIMIT $5 OFFSET $6"
);
const COUNT_FILES: &str = "SELECT COUNT(*) FROM hardship_file f JOIN org o ON o.id = f.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND ($3 = '' OR f.status = $3) \
     AND (CAST($4 AS DATE) IS NULL OR f.review_due_on <= $4)";

pub async fn file(db: impl Into<Exec<'_>>, id: AidFileId) -> Result<Option<FileRow>> {
    db.into().query_opt(GET_FILE, &[&id.0]).await
}

/// Files of a subtree, all or those in `status`; `due_by` keeps files whose review is due by
/// then.
pub async fn files(
    store: &Store,
    path: &OrgPath,
    status: Option<FileStatus>,
    due_by: Option<NaiveDate>,
    limit: i64,
    offset: i64,
) -> Result<Page<FileRow>> {
    let upper = path.subtree_upper_bound();
    let status = status.map_or("", FileStatus::as_str);
    let items = store
        .query(
            FILES,
            &[&path.as_str(), &upper, &status, &due_by, &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(COUNT_FILES, &[&path.as_str(), &upper, &status, &due_by])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

const FILES_OF_HEAD: &str = file_select!("WHERE f.head_worker_id = $1 ORDER BY f.id DESC");

/// The files a worker heads, newest first (a worker sees their own household's).
pub async fn files_of_head(store: &Store, worker_id: WorkerId) -> Result<Vec<FileRow>> {
    store.query(FILES_OF_HEAD, &[&worker_id.0]).await
}

/// A person of a household; the identity number stays encrypted.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub id: HouseholdMemberId,
    pub file_id: AidFileId,
    pub name: String,
    pub relation: String,
    pub id_number_enc: Vec<u8>,
    pub id_number_idx: Vec<u8>,
    pub active: bool,
}

impl FromRow for MemberRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(MemberRow {
            id: row.id("id")?,
            file_id: row.id("file_id")?,
            name: row.get("name")?,
            relation: row.get("relation")?,
            id_number_enc: row.get("id_number_enc")?,
            id_number_idx: row.get("id_number_idx")?,
            active: row.get("active")?,
        })
    }
}

const MEMBERS: &str = "SELECT id, file_id, name, relation, id_number_enc, id_number_idx, active \
     FROM household_member WHERE file_id = $1 ORDER BY id";

pub async fn members(db: impl Into<Exec<'_>>, file_id: AidFileId) -> Result<Vec<MemberRow>> {
    db.into().query(MEMBERS, &[&file_id.0]).await
}

const REVIEW: &str = "UPDATE hardship_file SET tier = $2, cause = $3, household_size = $4, \
     income_per_head_fen = $5, health = $6, disability = $7, housing = $8, minimum_fen = $9, \
     last_reviewed_on = $10, review_due_on = $11, lapses_on = $12 \
     WHERE id = $1 AND status = 'active'";

/// The annual review's new facts. False if the file is no longer active.
#[derive(Debug, Clone)]
pub struct Review<'a> {
    pub tier: HardshipTier,
    pub cause: HardshipCause,
    pub household_size: i64,
    pub income_per_head_fen: i64,
    pub health: &'a str,
    pub disability: &'a str,
    pub housing: &'a str,
    pub minimum_fen: i64,
    pub reviewed_on: NaiveDate,
    pub review_due_on: NaiveDate,
    pub lapses_on: NaiveDate,
}

pub async fn review(tx: &mut Tx, id: AidFileId, r: &Review<'_>) -> Result<bool> {
    Ok(tx
        .execute(
            REVIEW,
            &[
                &id.0,
                r.tier.stored(),
                r.cause.stored(),
                &r.household_size,
                &r.income_per_head_fen,
                &r.health,
                &r.disability,
                &r.housing,
                &r.minimum_fen,
                &r.reviewed_on,
                &r.review_due_on,
                &r.lapses_on,
            ],
        )
        .await?
        == 1)
}

const CLOSE: &str = "UPDATE hardship_file SET status = $2, closed_on = $3, close_reason = $4 \
     WHERE id = $1 AND status = 'active'";
const RELEASE_MEMBERS: &str = "UPDATE household_member SET active = $2 WHERE file_id = $1";
const LAPSE_DUE: &str = "UPDATE hardship_file SET status = 'lapsed', closed_on = $1, \
     close_reason = '逾期未复核' WHERE status = 'active' AND lapses_on < $1 \
     RETURNING id, org_id";

/// Closes an active file (`exited` or `lapsed`) and frees its people for another file.
pub async fn close(
    tx: &mut Tx,
    id: AidFileId,
    status: FileStatus,
    on: NaiveDate,
    reason: &str,
) -> Result<bool> {
    if tx
        .execute(CLOSE, &[&id.0, status.stored(), &on, &reason])
        .await?
        != 1
    {
        return Ok(false);
    }
    tx.execute(RELEASE_MEMBERS, &[&id.0, &false]).await?;
    Ok(true)
}

pub struct Lapsed {
    pub id: AidFileId,
    pub org_id: OrgId,
}
impl FromRow for Lapsed {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Lapsed {
            id: row.id("id")?,
            org_id: row.id("org_id")?,
        })
    }
}

/// Lapses every active file whose lapse date is before `today`; one conditional UPDATE, so
/// with several processes each file lapses once.
pub async fn lapse_due(tx: &mut Tx, today: NaiveDate) -> Result<Vec<Lapsed>> {
    let lapsed: Vec<Lapsed> = tx.query(LAPSE_DUE, &[&today]).await?;
    for l in &lapsed {
        tx.execute(RELEASE_MEMBERS, &[&l.id.0, &false]).await?;
    }
    Ok(lapsed)
}

const LOCK_FILE_PG: &str = "SELECT id FROM hardship_file WHERE id = $1 FOR UPDATE";
const LOCK_FILE_SQLITE: &str = "SELECT id FROM hardship_file WHERE id = $1";

/// Locks a file's row for the rest of the transaction: concurrent disbursements to one
/// household queue here, so each sees what the one before it paid. (SQLite's transactions
/// already hold the single write lock.)
pub async fn lock_file(tx: &mut Tx, id: AidFileId) -> Result<bool> {
    let sql = match tx.backend() {
        Backend::Postgres => LOCK_FILE_PG,
        Backend::Sqlite => LOCK_FILE_SQLITE,
    };
    Ok(tx.query_opt::<i64>(sql, &[&id.0]).await?.is_some())
}

mod application;
mod attachment;
mod ledger;
mod objection;
pub use application::*;
pub use attachment::*;
pub use ledger::*;
pub use objection::*;
