//! Objections to the public notice.

use super::*;

#[derive(Debug, Clone)]
pub struct Objection {
    pub id: ObjectionId,
    pub application_id: AidApplicationId,
    pub detail: String,
    pub filed_by: String,
    pub filed_at: DateTime<Utc>,
    pub status: ObjectionStatus,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
}

impl FromRow for Objection {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Objection {
            id: row.id("id")?,
            application_id: row.id("application_id")?,
            detail: row.get("detail")?,
            filed_by: row.get("filed_by")?,
            filed_at: row.get("filed_at")?,
            status: row.parsed("status", ObjectionStatus::parse)?,
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
    application_id: AidApplicationId,
    detail: &str,
    filed_by: &str,
) -> Result<ObjectionId> {
    tx.query_one(
        INSERT_OBJECTION,
        &[&application_id.0, &detail, &filed_by, &Utc::now()],
    )
    .await
    .map(ObjectionId)
}

pub async fn objection_in(tx: &mut Tx, id: ObjectionId) -> Result<Option<Objection>> {
    let sql = format!("{OBJECTION_COLUMNS}WHERE id = $1");
    tx.query_opt(&sql, &[&id.0]).await
}

pub async fn objections(store: &Store, application_id: AidApplicationId) -> Result<Vec<Objection>> {
    let sql = format!("{OBJECTION_COLUMNS}WHERE application_id = $1 ORDER BY id");
    store.query(&sql, &[&application_id.0]).await
}

pub async fn resolve_objection(
    tx: &mut Tx,
    id: ObjectionId,
    status: ObjectionStatus,
    staff: Option<StaffId>,
    resolution: &str,
) -> Result<bool> {
    Ok(tx
        .execute(
            RESOLVE_OBJECTION,
            &[
                &id.0,
                status.stored(),
                &staff.map(|s| s.0),
                &Utc::now(),
                &resolution,
            ],
        )
        .await?
        == 1)
}

pub async fn open_objections(tx: &mut Tx, application_id: AidApplicationId) -> Result<i64> {
    tx.query_one(OPEN_OBJECTIONS, &[&application_id.0]).await
}
