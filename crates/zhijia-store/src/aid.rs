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
use serde::Serialize;
use zhijia_domain::org::{OrgId, OrgPath};

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
pub async fn set_staff_identity(tx: &mut Tx, staff: i64, idx: &[u8]) -> Result<bool> {
    Ok(tx.execute(SET_IDENTITY, &[&staff, &idx]).await? == 1)
}

pub async fn staff_identity(store: &Store, staff: i64) -> Result<Option<Vec<u8>>> {
    Ok(store
        .query_opt::<Idx>(IDENTITY, &[&staff])
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
    pub head_worker_id: i64,
    pub tier: &'a str,
    pub cause: &'a str,
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
    pub created_by: Option<i64>,
}

const INSERT_FILE: &str = "INSERT INTO hardship_file (org_id, head_worker_id, tier, cause, \
     household_size, income_per_head_fen, health, disability, housing, minimum_fen, region_code, \
     status, opened_on, last_reviewed_on, review_due_on, lapses_on, created_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active', $12, $12, $13, $14, $15, $16) \
     RETURNING id";

pub async fn insert_file(tx: &mut Tx, f: &NewFile<'_>) -> Result<i64> {
    tx.query_one(
        INSERT_FILE,
        &[
            &f.org_id.0,
            &f.head_worker_id,
            &f.tier,
            &f.cause,
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
            &f.created_by,
            &Utc::now(),
        ],
    )
    .await
}

const INSERT_MEMBER: &str = "INSERT INTO household_member (file_id, name, relation, \
     id_number_enc, id_number_idx, active) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";

/// Adds a person to an active file. A person already in another active file is refused by the
/// unique index on the blind index (`StoreError::Conflict` on `household_member`).
pub async fn insert_member(
    tx: &mut Tx,
    file_id: i64,
    name: &str,
    relation: &str,
    enc: &[u8],
    idx: &[u8],
) -> Result<i64> {
    tx.query_one(
        INSERT_MEMBER,
        &[&file_id, &name, &relation, &enc, &idx, &true],
    )
    .await
}

/// A hardship file with its union and head, as staff see it (the use case strips the
/// sensitive fields for roles that may not see them).
#[derive(Debug, Clone, Serialize)]
pub struct FileRow {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: OrgPath,
    pub head_worker_id: i64,
    pub head_name: String,
    pub tier: String,
    pub cause: String,
    pub household_size: i64,
    pub income_per_head_fen: i64,
    pub health: String,
    pub disability: String,
    pub housing: String,
    pub minimum_fen: i64,
    pub region_code: String,
    pub status: String,
    pub opened_on: NaiveDate,
    pub last_reviewed_on: NaiveDate,
    pub review_due_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub close_reason: Option<String>,
}

impl FromRow for FileRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(FileRow {
            id: row.get("id")?,
            org_id: OrgId(row.get("org_id")?),
            org_name: row.get("org_name")?,
            org_path: path_of(row)?,
            head_worker_id: row.get("head_worker_id")?,
            head_name: row.get("head_name")?,
            tier: row.get("tier")?,
            cause: row.get("cause")?,
            household_size: row.get("household_size")?,
            income_per_head_fen: row.get("income_per_head_fen")?,
            health: row.get("health")?,
            disability: row.get("disability")?,
            housing: row.get("housing")?,
            minimum_fen: row.get("minimum_fen")?,
            region_code: row.get("region_code")?,
            status: row.get("status")?,
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

pub async fn file(db: impl Into<Exec<'_>>, id: i64) -> Result<Option<FileRow>> {
    db.into().query_opt(GET_FILE, &[&id]).await
}

/// Files of a subtree; `status` "" for all; `due_by` keeps files whose review is due by then.
pub async fn files(
    store: &Store,
    path: &OrgPath,
    status: &str,
    due_by: Option<NaiveDate>,
    limit: i64,
    offset: i64,
) -> Result<Page<FileRow>> {
    let upper = path.subtree_upper_bound();
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
pub async fn files_of_head(store: &Store, worker_id: i64) -> Result<Vec<FileRow>> {
    store.query(FILES_OF_HEAD, &[&worker_id]).await
}

/// A person of a household; the identity number stays encrypted.
#[derive(Debug, Clone)]
pub struct MemberRow {
    pub id: i64,
    pub file_id: i64,
    pub name: String,
    pub relation: String,
    pub id_number_enc: Vec<u8>,
    pub id_number_idx: Vec<u8>,
    pub active: bool,
}

impl FromRow for MemberRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(MemberRow {
            id: row.get("id")?,
            file_id: row.get("file_id")?,
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

pub async fn members(db: impl Into<Exec<'_>>, file_id: i64) -> Result<Vec<MemberRow>> {
    db.into().query(MEMBERS, &[&file_id]).await
}

const REVIEW: &str = "UPDATE hardship_file SET tier = $2, cause = $3, household_size = $4, \
     income_per_head_fen = $5, health = $6, disability = $7, housing = $8, minimum_fen = $9, \
     last_reviewed_on = $10, review_due_on = $11, lapses_on = $12 \
     WHERE id = $1 AND status = 'active'";

/// The annual review's new facts. False if the file is no longer active.
#[derive(Debug, Clone)]
pub struct Review<'a> {
    pub tier: &'a str,
    pub cause: &'a str,
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

pub async fn review(tx: &mut Tx, id: i64, r: &Review<'_>) -> Result<bool> {
    Ok(tx
        .execute(
            REVIEW,
            &[
                &id,
                &r.tier,
                &r.cause,
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
    id: i64,
    status: &str,
    on: NaiveDate,
    reason: &str,
) -> Result<bool> {
    if tx.execute(CLOSE, &[&id, &status, &on, &reason]).await? != 1 {
        return Ok(false);
    }
    tx.execute(RELEASE_MEMBERS, &[&id, &false]).await?;
    Ok(true)
}

pub struct Lapsed {
    pub id: i64,
    pub org_id: OrgId,
}
impl FromRow for Lapsed {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Lapsed {
            id: row.get("id")?,
            org_id: OrgId(row.get("org_id")?),
        })
    }
}

/// Lapses every active file whose lapse date is before `today`; one conditional UPDATE, so
/// with several processes each file lapses once.
pub async fn lapse_due(tx: &mut Tx, today: NaiveDate) -> Result<Vec<Lapsed>> {
    let lapsed: Vec<Lapsed> = tx.query(LAPSE_DUE, &[&today]).await?;
    for l in &lapsed {
        tx.execute(RELEASE_MEMBERS, &[&l.id, &false]).await?;
    }
    Ok(lapsed)
}

const LOCK_FILE_PG: &str = "SELECT id FROM hardship_file WHERE id = $1 FOR UPDATE";
const LOCK_FILE_SQLITE: &str = "SELECT id FROM hardship_file WHERE id = $1";

/// Locks a file's row for the rest of the transaction: concurrent disbursements to one
/// household queue here, so each sees what the one before it paid. (SQLite's transactions
/// already hold the single write lock.)
pub async fn lock_file(tx: &mut Tx, id: i64) -> Result<bool> {
    let sql = match tx.backend() {
        Backend::Postgres => LOCK_FILE_PG,
        Backend::Sqlite => LOCK_FILE_SQLITE,
    };
    Ok(tx.query_opt::<i64>(sql, &[&id]).await?.is_some())
}

// ---------------------------------------------------------------------------------------------
// Applications

#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    pub file_id: i64,
    pub kind: &'a str,
    pub amount_fen: i64,
    pub reason: &'a str,
    pub student_id: Option<i64>,
    pub school: Option<&'a str>,
    pub admission_proof: Option<&'a str>,
    pub chain: &'a str,
    pub created_by: Option<i64>,
}

const INSERT_APPLICATION: &str = "INSERT INTO aid_application (file_id, kind, amount_fen, reason, \
     student_id, school, admission_proof, chain, current_stage, status, created_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 'in_review', $9, $10) RETURNING id";

pub async fn insert_application(tx: &mut Tx, a: &NewApplication<'_>) -> Result<i64> {
    tx.query_one(
        INSERT_APPLICATION,
        &[
            &a.file_id,
            &a.kind,
            &a.amount_fen,
            &a.reason,
            &a.student_id,
            &a.school,
            &a.admission_proof,
            &a.chain,
            &a.created_by,
            &Utc::now(),
        ],
    )
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationRow {
    pub id: i64,
    pub file_id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: OrgPath,
    pub head_name: String,
    pub file_status: String,
    pub kind: String,
    pub amount_fen: i64,
    pub reason: String,
    pub student_id: Option<i64>,
    pub student_name: Option<String>,
    pub school: Option<String>,
    pub admission_proof: Option<String>,
    pub chain: String,
    pub current_stage: Option<i64>,
    pub status: String,
    pub approved_on: Option<NaiveDate>,
    pub notice_ends_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl FromRow for ApplicationRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(ApplicationRow {
            id: row.get("id")?,
            file_id: row.get("file_id")?,
            org_id: OrgId(row.get("org_id")?),
            org_name: row.get("org_name")?,
            org_path: path_of(row)?,
            head_name: row.get("head_name")?,
            file_status: row.get("file_status")?,
            kind: row.get("kind")?,
            amount_fen: row.get("amount_fen")?,
            reason: row.get("reason")?,
            student_id: row.get("student_id")?,
            student_name: row.get("student_name")?,
            school: row.get("school")?,
            admission_proof: row.get("admission_proof")?,
            chain: row.get("chain")?,
            current_stage: row.get("current_stage")?,
            status: row.get("status")?,
            approved_on: row.get("approved_on")?,
            notice_ends_on: row.get("notice_ends_on")?,
            created_at: row.get("created_at")?,
        })
    }
}

macro_rules! application_select {
    ($rest:literal) => {
        concat!(
            "SELECT a.id, a.file_id, f.org_id, o.name AS org_name, o.path AS org_path, \
             w.name AS head_name, f.status AS file_status, a.kind, a.amount_fen, a.reason, \
             a.student_id, s.name AS student_name, a.school, a.admission_proof, a.chain, \
             a.current_stage, a.status, a.approved_on, a.notice_ends_on, a.created_at \
             FROM aid_application a JOIN hardship_file f ON f.id = a.file_id \
             JOIN org o ON o.id = f.org_id JOIN worker w ON w.id = f.head_worker_id \
             LEFT JOIN household_member s ON s.id = a.student_id ",
            $rest
        )
    };
}
const GET_APPLICATION: &str = application_select!("WHERE a.id = $1");
const APPLICATIONS: &str = application_select!(
    "WHERE o.path >= $1 AND o.path < $2 AND ($3 = '' OR a.status = $3) \
     ORDER BY a.id DESC LIMIT $4 OFFSET $5"
);
const COUNT_APPLICATIONS: &str = "SELECT COUNT(*) FROM aid_application a \
     JOIN hardship_file f ON f.id = a.file_id JOIN org o ON o.id = f.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND ($3 = '' OR a.status = $3)";
const APPLICATIONS_OF_FILE: &str = application_select!("WHERE a.file_id = $1 ORDER BY a.id DESC");
// Public notice: approved or suspended applications whose notice has not ended.
const NOTICE: &str = application_select!(
    "WHERE a.status IN ('approved', 'suspended') AND a.notice_ends_on > $1 \
     AND o.path >= $2 AND o.path < $3 ORDER BY a.approved_on DESC, a.id DESC LIMIT $4 OFFSET $5"
);
const COUNT_NOTICE: &str = "SELECT COUNT(*) FROM aid_application a \
     JOIN hardship_file f ON f.id = a.file_id JOIN org o ON o.id = f.org_id \
     WHERE a.status IN ('approved', 'suspended') AND a.notice_ends_on > $1 \
     AND o.path >= $2 AND o.path < $3";

pub async fn application(db: impl Into<Exec<'_>>, id: i64) -> Result<Option<ApplicationRow>> {
    db.into().query_opt(GET_APPLICATION, &[&id]).await
}

pub async fn applications(
    store: &Store,
    path: &OrgPath,
    status: &str,
    limit: i64,
    offset: i64,
) -> Result<Page<ApplicationRow>> {
    let upper = path.subtree_upper_bound();
    let items = store
        .query(
            APPLICATIONS,
            &[&path.as_str(), &upper, &status, &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(COUNT_APPLICATIONS, &[&path.as_str(), &upper, &status])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

pub async fn applications_of_file(store: &Store, file_id: i64) -> Result<Vec<ApplicationRow>> {
    store.query(APPLICATIONS_OF_FILE, &[&file_id]).await
}

/// What is on public notice on `today` in a subtree (`None`: the whole tree).
pub async fn notice(
    store: &Store,
    path: Option<&OrgPath>,
    today: NaiveDate,
    limit: i64,
    offset: i64,
) -> Result<Page<ApplicationRow>> {
    // Every path starts with '/', and '0' follows '/': ["/", "0") is the whole tree.
    let (lower, upper) = match path {
        Some(p) => (p.as_str().to_owned(), p.subtree_upper_bound()),
        None => ("/".to_owned(), "0".to_owned()),
    };
    let items = store
        .query(NOTICE, &[&today, &lower, &upper, &limit, &offset])
        .await?;
    let total = store
        .query_one(COUNT_NOTICE, &[&today, &lower, &upper])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

const ADVANCE: &str = "UPDATE aid_application SET current_stage = $3 \
     WHERE id = $1 AND current_stage = $2 AND status = 'in_review'";
const FINISH: &str = "UPDATE aid_application SET current_stage = NULL, status = $3, \
     approved_on = $4, notice_ends_on = $5 \
     WHERE id = $1 AND current_stage = $2 AND status = 'in_review'";
const SET_STATUS: &str = "UPDATE aid_application SET status = $3 WHERE id = $1 AND status = $2";

/// Moves an application from stage `from` to `to`; false if someone else moved it first.
pub async fn advance(tx: &mut Tx, id: i64, from: i64, to: i64) -> Result<bool> {
    Ok(tx.execute(ADVANCE, &[&id, &from, &to]).await? == 1)
}

/// Closes the chain at stage `from`: approved (with its notice window) or rejected.
pub async fn finish(
    tx: &mut Tx,
    id: i64,
    from: i64,
    status: &str,
    approved_on: Option<NaiveDate>,
    notice_ends_on: Option<NaiveDate>,
) -> Result<bool> {
    Ok(tx
        .execute(
            FINISH,
            &[&id, &from, &status, &approved_on, &notice_ends_on],
        )
        .await?
        == 1)
}

pub async fn set_status(tx: &mut Tx, id: i64, from: &str, to: &str) -> Result<bool> {
    Ok(tx.execute(SET_STATUS, &[&id, &from, &to]).await? == 1)
}

#[derive(Debug, Clone, Serialize)]
pub struct Decision {
    pub id: i64,
    pub stage: i64,
    pub level: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub staff_id: i64,
    pub staff_name: String,
    pub approve: bool,
    pub reason: String,
    pub decided_at: DateTime<Utc>,
}

impl FromRow for Decision {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Decision {
            id: row.get("id")?,
            stage: row.get("stage")?,
            level: row.get("level")?,
            org_id: OrgId(row.get("org_id")?),
            org_name: row.get("org_name")?,
            staff_id: row.get("staff_id")?,
            staff_name: row.get("staff_name")?,
            approve: row.get("approve")?,
            reason: row.get("reason")?,
            decided_at: row.get("decided_at")?,
        })
    }
}

const INSERT_DECISION: &str = "INSERT INTO aid_decision (application_id, stage, level, org_id, \
     staff_id, approve, reason, decided_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
const DECISIONS: &str = "SELECT d.id, d.stage, d.level, d.org_id, o.name AS org_name, \
     d.staff_id, s.display_name AS staff_name, d.approve, d.reason, d.decided_at \
     FROM aid_decision d JOIN org o ON o.id = d.org_id JOIN staff s ON s.id = d.staff_id \
     WHERE d.application_id = $1 ORDER BY d.stage";

#[derive(Debug, Clone)]
pub struct NewDecision<'a> {
    pub application_id: i64,
    pub stage: i64,
    pub level: &'a str,
    pub org_id: OrgId,
    pub staff_id: i64,
    pub approve: bool,
    pub reason: &'a str,
}

/// Records a stage's decision. A second decision of the stage, or a second stage by the same
/// person, is refused by the table's unique keys (`StoreError::Conflict`).
pub async fn insert_decision(tx: &mut Tx, d: &NewDecision<'_>) -> Result<()> {
    tx.execute(
        INSERT_DECISION,
        &[
            &d.application_id,
            &d.stage,
            &d.level,
            &d.org_id.0,
            &d.staff_id,
            &d.approve,
            &d.reason,
            &Utc::now(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn decisions(db: impl Into<Exec<'_>>, application_id: i64) -> Result<Vec<Decision>> {
    db.into().query(DECISIONS, &[&application_id]).await
}

// ---------------------------------------------------------------------------------------------
// Attachments of an application

const ADD_ATTACHMENT: &str = "INSERT INTO aid_attachment (application_id, file_name, \
     content_type, size_bytes, data, uploaded_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
// `uploaded_by` is shown as the staff member's name.
const ATTACHMENTS: &str = "SELECT t.id, t.file_name, t.content_type, t.size_bytes, \
     s.display_name AS uploaded_by, t.created_at FROM aid_attachment t \
     JOIN staff s ON s.id = t.uploaded_by WHERE t.application_id = $1 ORDER BY t.id";
const ATTACHMENT: &str = "SELECT t.id, t.file_name, t.content_type, t.size_bytes, \
     s.display_name AS uploaded_by, t.created_at, t.data FROM aid_attachment t \
     JOIN staff s ON s.id = t.uploaded_by WHERE t.application_id = $1 AND t.id = $2";
const COUNT_ATTACHMENTS: &str = "SELECT COUNT(*) FROM aid_attachment WHERE application_id = $1";

/// The files of an application.
pub const ATTACHED: crate::attachment::Table = crate::attachment::Table {
    add: ADD_ATTACHMENT,
    list: ATTACHMENTS,
    get: ATTACHMENT,
    count: COUNT_ATTACHMENTS,
};

/// Stores a checked file of an application, uploaded by the staff member `uploaded_by`.
pub async fn add_attachment(
    tx: &mut Tx,
    application_id: i64,
    file_name: &str,
    content_type: &str,
    data: &[u8],
    uploaded_by: i64,
    now: DateTime<Utc>,
) -> Result<i64> {
    crate::attachment::add(
        tx,
        &ATTACHED,
        application_id,
        file_name,
        content_type,
        data,
        &uploaded_by,
        now,
    )
    .await
}

pub async fn count_attachments(tx: &mut Tx, application_id: i64) -> Result<i64> {
    crate::attachment::count(tx, &ATTACHED, application_id).await
}

pub async fn attachments(store: &Store, application_id: i64) -> Result<Vec<Attachment>> {
    crate::attachment::list(store, &ATTACHED, application_id).await
}

pub async fn attachment(
    store: &Store,
    application_id: i64,
    id: i64,
) -> Result<Option<AttachmentData>> {
    crate::attachment::get(store, &ATTACHED, application_id, id).await
}

// ---------------------------------------------------------------------------------------------
// Objections to the public notice

#[derive(Debug, Clone, Serialize)]
pub struct Objection {
    pub id: i64,
    pub application_id: i64,
    pub detail: String,
    pub filed_by: String,
    pub filed_at: DateTime<Utc>,
    pub status: String,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
}

impl FromRow for Objection {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Objection {
            id: row.get("id")?,
            application_id: row.get("application_id")?,
            detail: row.get("detail")?,
            filed_by: row.get("filed_by")?,
            filed_at: row.get("filed_at")?,
            status: row.get("status")?,
            resolved_at: row.get("resolved_at")?,
            resolution: row.get("resolution")?,
        })
    }
}

const OBJECTION_COLUMNS: &str = "SELECT id, application_id, detail, filed_by, filed_at, status, \
     resolved_at, resolution FROM aid_objection ";
const INSERT_OBJECTION: &str = "INSERT INTO aid_objection (application_id, detail, filed_by, \
     filed_at, status) VALUES ($1, $2, $3, $4, 'open') RETURNING id";
const RESOLVE_OBJECTION: &str = "UPDATE aid_objection SET status = $2, resolved_by = $3, \
     resolved_at = $4, resolution = $5 WHERE id = $1 AND status = 'open'";
const OPEN_OBJECTIONS: &str =
    "SELECT COUNT(*) FROM aid_objection WHERE application_id = $1 AND status = 'open'";

pub async fn insert_objection(
    tx: &mut Tx,
    application_id: i64,
    detail: &str,
    filed_by: &str,
) -> Result<i64> {
    tx.query_one(
        INSERT_OBJECTION,
        &[&application_id, &detail, &filed_by, &Utc::now()],
    )
    .await
}

pub async fn objection_in(tx: &mut Tx, id: i64) -> Result<Option<Objection>> {
    let sql = format!("{OBJECTION_COLUMNS}WHERE id = $1");
    tx.query_opt(&sql, &[&id]).await
}

pub async fn objections(store: &Store, application_id: i64) -> Result<Vec<Objection>> {
    let sql = format!("{OBJECTION_COLUMNS}WHERE application_id = $1 ORDER BY id");
    store.query(&sql, &[&application_id]).await
}

pub async fn resolve_objection(
    tx: &mut Tx,
    id: i64,
    status: &str,
    staff: Option<i64>,
    resolution: &str,
) -> Result<bool> {
    Ok(tx
        .execute(
            RESOLVE_OBJECTION,
            &[&id, &status, &staff, &Utc::now(), &resolution],
        )
        .await?
        == 1)
}

pub async fn open_objections(tx: &mut Tx, application_id: i64) -> Result<i64> {
    tx.query_one(OPEN_OBJECTIONS, &[&application_id]).await
}

// ---------------------------------------------------------------------------------------------
// The ledger

#[derive(Debug, Clone)]
pub struct NewDisbursement<'a> {
    pub application_id: i64,
    pub file_id: i64,
    pub amount_fen: i64,
    pub fund_source: &'a str,
    pub method: &'a str,
    pub paid_on: NaiveDate,
    pub year: i64,
    pub operator_id: Option<i64>,
    pub operator_name: &'a str,
    pub reverses_id: Option<i64>,
    pub note: Option<&'a str>,
}

const INSERT_DISBURSEMENT: &str = "INSERT INTO disbursement (application_id, file_id, amount_fen, \
     fund_source, method, paid_on, year, operator_id, operator_name, reverses_id, note, \
     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id";

/// Appends an entry (the only write the ledger has). A second reversal of one entry is refused
/// by the unique `reverses_id`.
pub async fn insert_disbursement(tx: &mut Tx, d: &NewDisbursement<'_>) -> Result<i64> {
    tx.query_one(
        INSERT_DISBURSEMENT,
        &[
            &d.application_id,
            &d.file_id,
            &d.amount_fen,
            &d.fund_source,
            &d.method,
            &d.paid_on,
            &d.year,
            &d.operator_id,
            &d.operator_name,
            &d.reverses_id,
            &d.note,
            &Utc::now(),
        ],
    )
    .await
}

#[derive(Debug, Clone, Serialize)]
pub struct LedgerRow {
    pub id: i64,
    pub application_id: i64,
    pub file_id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: OrgPath,
    pub head_name: String,
    pub kind: String,
    pub amount_fen: i64,
    pub fund_source: String,
    pub method: String,
    pub paid_on: NaiveDate,
    pub year: i64,
    pub operator_name: String,
    pub reverses_id: Option<i64>,
    /// The entry that reverses this one, if any.
    pub reversed_by: Option<i64>,
    pub note: Option<String>,
}

impl FromRow for LedgerRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(LedgerRow {
            id: row.get("id")?,
            application_id: row.get("application_id")?,
            file_id: row.get("file_id")?,
            org_id: OrgId(row.get("org_id")?),
            org_name: row.get("org_name")?,
            org_path: path_of(row)?,
            head_name: row.get("head_name")?,
            kind: row.get("kind")?,
            amount_fen: row.get("amount_fen")?,
            fund_source: row.get("fund_source")?,
            method: row.get("method")?,
            paid_on: row.get("paid_on")?,
            year: row.get("year")?,
            operator_name: row.get("operator_name")?,
            reverses_id: row.get("reverses_id")?,
            reversed_by: row.get("reversed_by")?,
            note: row.get("note")?,
        })
    }
}

macro_rules! ledger_select {
    ($rest:literal) => {
        concat!(
            "SELECT d.id, d.application_id, d.file_id, f.org_id, o.name AS org_name, \
             o.path AS org_path, w.name AS head_name, a.kind, d.amount_fen, d.fund_source, \
             d.method, d.paid_on, d.year, d.operator_name, d.reverses_id, r.id AS reversed_by, \
             d.note FROM disbursement d JOIN aid_application a ON a.id = d.application_id \
             JOIN hardship_file f ON f.id = d.file_id JOIN org o ON o.id = f.org_id \
             JOIN worker w ON w.id = f.head_worker_id \
             LEFT JOIN disbursement r ON r.reverses_id = d.id ",
            $rest
        )
    };
}
const GET_ENTRY: &str = ledger_select!("WHERE d.id = $1");
// `$3` 0 means every year; `$4` 0 every file.
const LEDGER: &str = ledger_select!(
    "WHERE o.path >= $1 AND o.path < $2 AND (CAST($3 AS BIGINT) = 0 OR d.year = $3) AND (CAST($4 AS BIGINT) = 0 OR d.file_id = $4) \
     ORDER BY d.id DESC LIMIT $5 OFFSET $6"
);
const COUNT_LEDGER: &str = "SELECT COUNT(*) FROM disbursement d \
     JOIN hardship_file f ON f.id = d.file_id JOIN org o ON o.id = f.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND (CAST($3 AS BIGINT) = 0 OR d.year = $3) AND (CAST($4 AS BIGINT) = 0 OR d.file_id = $4)";
const PAID_IN_YEAR: &str = "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM disbursement \
     WHERE file_id = $1 AND year = $2";
const PAID_FOR_APPLICATION: &str = "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) \
     FROM disbursement WHERE application_id = $1";
const TOTALS_BY_YEAR: &str = "SELECT CAST(d.year AS TEXT) AS k, \
     CAST(SUM(d.amount_fen) AS BIGINT) AS fen, COUNT(*) AS n FROM disbursement d \
     JOIN hardship_file f ON f.id = d.file_id JOIN org o ON o.id = f.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND (CAST($3 AS BIGINT) = 0 OR d.file_id = $3) \
     GROUP BY d.year ORDER BY d.year DESC";
const TOTALS_BY_FUND: &str = "SELECT d.fund_source AS k, \
     CAST(SUM(d.amount_fen) AS BIGINT) AS fen, COUNT(*) AS n FROM disbursement d \
     JOIN hardship_file f ON f.id = d.file_id JOIN org o ON o.id = f.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND (CAST($3 AS BIGINT) = 0 OR d.year = $3) AND (CAST($4 AS BIGINT) = 0 OR d.file_id = $4) \
     GROUP BY d.fund_source ORDER BY d.fund_source";
const TOTALS_BY_FILE: &str = "SELECT CAST(d.file_id AS TEXT) AS k, \
     CAST(SUM(d.amount_fen) AS BIGINT) AS fen, COUNT(*) AS n FROM disbursement d \
     JOIN hardship_file f ON f.id = d.file_id JOIN org o ON o.id = f.org_id \
     WHERE o.path >= $1 AND o.path < $2 AND (CAST($3 AS BIGINT) = 0 OR d.year = $3) \
     GROUP BY d.file_id ORDER BY d.file_id LIMIT $4";

pub async fn entry_in(tx: &mut Tx, id: i64) -> Result<Option<LedgerRow>> {
    tx.query_opt(GET_ENTRY, &[&id]).await
}

pub async fn entry(store: &Store, id: i64) -> Result<Option<LedgerRow>> {
    store.query_opt(GET_ENTRY, &[&id]).await
}

/// Entries of a subtree, newest first; `year` and `file` 0 for all.
pub async fn ledger(
    store: &Store,
    path: &OrgPath,
    year: i64,
    file: i64,
    limit: i64,
    offset: i64,
) -> Result<Page<LedgerRow>> {
    let upper = path.subtree_upper_bound();
    let items = store
        .query(
            LEDGER,
            &[&path.as_str(), &upper, &year, &file, &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(COUNT_LEDGER, &[&path.as_str(), &upper, &year, &file])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Net paid to a household in a year (reversals included), inside the locking transaction.
pub async fn paid_in_year(tx: &mut Tx, file_id: i64, year: i64) -> Result<i64> {
    tx.query_one(PAID_IN_YEAR, &[&file_id, &year]).await
}

pub async fn paid_for_application(tx: &mut Tx, application_id: i64) -> Result<i64> {
    tx.query_one(PAID_FOR_APPLICATION, &[&application_id]).await
}

/// A total of the ledger: a year, a fund or a file, its net amount and its number of entries.
#[derive(Debug, Clone, Serialize)]
pub struct Total {
    pub key: String,
    pub fen: i64,
    pub entries: i64,
}

impl FromRow for Total {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Total {
            key: row.get("k")?,
            fen: row.get("fen")?,
            entries: row.get("n")?,
        })
    }
}

/// Totals per year of a subtree (or of one file, `file` ≠ 0).
pub async fn totals_by_year(store: &Store, path: &OrgPath, file: i64) -> Result<Vec<Total>> {
    let upper = path.subtree_upper_bound();
    store
        .query(TOTALS_BY_YEAR, &[&path.as_str(), &upper, &file])
        .await
}

pub async fn totals_by_fund(
    store: &Store,
    path: &OrgPath,
    year: i64,
    file: i64,
) -> Result<Vec<Total>> {
    let upper = path.subtree_upper_bound();
    store
        .query(TOTALS_BY_FUND, &[&path.as_str(), &upper, &year, &file])
        .await
}

/// Totals per file (at most `limit` files).
pub async fn totals_by_file(
    store: &Store,
    path: &OrgPath,
    year: i64,
    limit: i64,
) -> Result<Vec<Total>> {
    let upper = path.subtree_upper_bound();
    store
        .query(TOTALS_BY_FILE, &[&path.as_str(), &upper, &year, &limit])
        .await
}
