//! Applications.

use super::*;

#[derive(Debug, Clone)]
pub struct NewApplication<'a> {
    pub file_id: AidFileId,
    pub kind: AidKind,
    pub amount_fen: i64,
    pub reason: &'a str,
    pub student_id: Option<HouseholdMemberId>,
    pub school: Option<&'a str>,
    pub admission_proof: Option<&'a str>,
    pub chain: &'a str,
    pub created_by: Option<StaffId>,
}

const INSERT_APPLICATION: &str = "INSERT INTO aid_application (file_id, kind, amount_fen, reason, \
     student_id, school, admission_proof, chain, current_stage, status, created_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 'in_review', $9, $10) RETURNING id";

pub async fn insert_application(tx: &mut Tx, a: &NewApplication<'_>) -> Result<AidApplicationId> {
    tx.query_one(
        INSERT_APPLICATION,
        &[
            &a.file_id.0,
            a.kind.stored(),
            &a.amount_fen,
            &a.reason,
            &a.student_id.map(|s| s.0),
            &a.school,
            &a.admission_proof,
            &a.chain,
            &a.created_by.map(|s| s.0),
            &Utc::now(),
        ],
    )
    .await
    .map(AidApplicationId)
}

#[derive(Debug, Clone)]
pub struct ApplicationRow {
    pub id: AidApplicationId,
    pub file_id: AidFileId,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: OrgPath,
    pub head_name: String,
    pub file_status: FileStatus,
    pub kind: AidKind,
    pub amount_fen: i64,
    pub reason: String,
    pub student_id: Option<HouseholdMemberId>,
    pub student_name: Option<String>,
    pub school: Option<String>,
    pub admission_proof: Option<String>,
    pub chain: String,
    pub current_stage: Option<i64>,
    pub status: AidStatus,
    pub approved_on: Option<NaiveDate>,
    pub notice_ends_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl FromRow for ApplicationRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(ApplicationRow {
            id: row.id("id")?,
            file_id: row.id("file_id")?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            org_path: path_of(row)?,
            head_name: row.get("head_name")?,
            file_status: row.parsed("file_status", FileStatus::parse)?,
            kind: row.parsed("kind", AidKind::parse)?,
            amount_fen: row.get("amount_fen")?,
            reason: row.get("reason")?,
            student_id: row.id_opt("student_id")?,
            student_name: row.get("student_name")?,
            school: row.get("school")?,
            admission_proof: row.get("admission_proof")?,
            chain: row.get("chain")?,
            current_stage: row.get("current_stage")?,
            status: row.parsed("status", AidStatus::parse)?,
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
const APPLICATIONS_OF_HEAD: &str =
    application_select!("WHERE f.head_worker_id = $1 ORDER BY a.id DESC LIMIT $2 OFFSET $3");
const COUNT_APPLICATIONS_OF_HEAD: &str = "SELECT COUNT(*) FROM aid_application a \
     JOIN hardship_file f ON f.id = a.file_id WHERE f.head_worker_id = $1";
// Public notice: approved or suspended applications whose notice has not ended.
const NOTICE: &str = application_select!(
    "WHERE a.status IN ('approved', 'suspended') AND a.notice_ends_on > $1 \
     AND o.path >= $2 AND o.path < $3 ORDER BY a.approved_on DESC, a.id DESC LIMIT $4 OFFSET $5"
);
const COUNT_NOTICE: &str = "SELECT COUNT(*) FROM aid_application a \
     JOIN hardship_file f ON f.id = a.file_id JOIN org o ON o.id = f.org_id \
     WHERE a.status IN ('approved', 'suspended') AND a.notice_ends_on > $1 \
     AND o.path >= $2 AND o.path < $3";

pub async fn application(
    db: impl Into<Exec<'_>>,
    id: AidApplicationId,
) -> Result<Option<ApplicationRow>> {
    db.into().query_opt(GET_APPLICATION, &[&id.0]).await
}

/// Applications of a subtree, all or those in `status`, newest first.
pub async fn applications(
    store: &Store,
    path: &OrgPath,
    status: Option<AidStatus>,
    limit: i64,
    offset: i64,
) -> Result<Page<ApplicationRow>> {
    let upper = path.subtree_upper_bound();
    let status = status.map_or("", AidStatus::as_str);
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

pub async fn applications_of_file(
    store: &Store,
    file_id: AidFileId,
) -> Result<Vec<ApplicationRow>> {
    store.query(APPLICATIONS_OF_FILE, &[&file_id.0]).await
}

/// The applications of the files a worker heads, newest first (the worker's own list).
pub async fn applications_of_head(
    store: &Store,
    worker_id: WorkerId,
    limit: i64,
    offset: i64,
) -> Result<Page<ApplicationRow>> {
    let items = store
        .query(APPLICATIONS_OF_HEAD, &[&worker_id.0, &limit, &offset])
        .await?;
    let total = store
        .query_one(COUNT_APPLICATIONS_OF_HEAD, &[&worker_id.0])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
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
pub async fn advance(tx: &mut Tx, id: AidApplicationId, from: i64, to: i64) -> Result<bool> {
    Ok(tx.execute(ADVANCE, &[&id.0, &from, &to]).await? == 1)
}

/// Closes the chain at stage `from`: approved (with its notice window) or rejected.
pub async fn finish(
    tx: &mut Tx,
    id: AidApplicationId,
    from: i64,
    status: AidStatus,
    approved_on: Option<NaiveDate>,
    notice_ends_on: Option<NaiveDate>,
) -> Result<bool> {
    Ok(tx
        .execute(
            FINISH,
            &[&id.0, &from, status.stored(), &approved_on, &notice_ends_on],
        )
        .await?
        == 1)
}

pub async fn set_status(
    tx: &mut Tx,
    id: AidApplicationId,
    from: AidStatus,
    to: AidStatus,
) -> Result<bool> {
    Ok(tx
        .execute(SET_STATUS, &[&id.0, from.stored(), to.stored()])
        .await?
        == 1)
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub id: AidDecisionId,
    pub stage: i64,
    pub level: OrgLevel,
    pub org_id: OrgId,
    pub org_name: String,
    pub staff_id: StaffId,
    pub staff_name: String,
    pub approve: bool,
    pub reason: String,
    pub decided_at: DateTime<Utc>,
}

impl FromRow for Decision {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Decision {
            id: row.id("id")?,
            stage: row.get("stage")?,
            level: row.parsed("level", |s| OrgLevel::parse(s).ok())?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            staff_id: row.id("staff_id")?,
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
    pub application_id: AidApplicationId,
    pub stage: i64,
    pub level: OrgLevel,
    pub org_id: OrgId,
    pub staff_id: StaffId,
    pub approve: bool,
    pub reason: &'a str,
}

/// Records a stage's decision. A second decision of the stage, or a second stage by the same
/// person, is refused by the table's unique keys (`StoreError::Conflict`).
pub async fn insert_decision(tx: &mut Tx, d: &NewDecision<'_>) -> Result<()> {
    tx.execute(
        INSERT_DECISION,
        &[
            &d.application_id.0,
            &d.stage,
            &d.level.as_str(),
            &d.org_id.0,
            &d.staff_id.0,
            &d.approve,
            &d.reason,
            &Utc::now(),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn decisions(
    db: impl Into<Exec<'_>>,
    application_id: AidApplicationId,
) -> Result<Vec<Decision>> {
    db.into().query(DECISIONS, &[&application_id.0]).await
}
