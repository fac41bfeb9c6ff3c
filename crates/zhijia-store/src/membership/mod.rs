//! Memberships, join applications, transfers and the worker's inbox.
//!
//! A person's memberships are rows of `membership`; at most one is current (`status <> 'ended'`),
//! which a partial unique index enforces, so two concurrent approvals for one person cannot both
//! succeed. `worker.org_id` is the current membership's union, kept in the same transaction.

use crate::db::{Exec, FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, NaiveDate, Utc};
use zhijia_domain::ids::{
    JoinApplicationId, MembershipId, MessageId, StaffId, TransferId, WorkerId,
};
use zhijia_domain::member::{
    ApplicationStatus, EndReason, JoinRoute, MembershipSource, MembershipStatus, TransferStarter,
    TransferStatus,
};
use zhijia_domain::org::{OrgId, OrgPath};
use zhijia_domain::worker::{GigOccupation, Sex};

/// The real-name data of an applicant, identity number already encrypted and indexed.
#[derive(Debug, Clone)]
pub struct Applicant {
    pub name: String,
    pub id_number_enc: Vec<u8>,
    pub id_number_idx: Vec<u8>,
    pub sex: &'static str,
    pub birth_date: NaiveDate,
    pub phone: String,
    pub region_code: String,
    pub employer_name: Option<String>,
    pub employer_credit_code: Option<String>,
    pub gig_occupation: Option<&'static str>,
    pub work_region: Option<String>,
    pub ethnicity: Option<&'static str>,
    pub education: Option<&'static str>,
    pub political_status: Option<&'static str>,
    pub hukou_type: Option<&'static str>,
    pub hukou_region: Option<String>,
    pub skill_level: Option<&'static str>,
    pub marital_status: Option<&'static str>,
    pub emergency_contact: Option<String>,
    pub emergency_phone: Option<String>,
}

const INSERT_WORKER: &str = "INSERT INTO worker (name, id_number_enc, id_number_idx, sex, \
     birth_date, phone, region_code, employer_name, employer_credit_code, gig_occupation, \
     work_region, ethnicity, education, political_status, hukou_type, hukou_region, skill_level, \
     marital_status, emergency_contact, emergency_phone, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
     $19, $20, $21) RETURNING id";
const UPDATE_WORKER: &str = "UPDATE worker SET name = $2, id_number_enc = $3, id_number_idx = $4, \
     sex = $5, birth_date = $6, phone = $7, region_code = $8, employer_name = $9, \
     employer_credit_code = $10, gig_occupation = $11, work_region = $12, ethnicity = $13, \
     education = $14, political_status = $15, hukou_type = $16, hukou_region = $17, \
     skill_level = $18, marital_status = $19, emergency_contact = $20, emergency_phone = $21 \
     WHERE id = $1";

/// Writes the applicant's record: a new worker, or (`existing`) the one with this phone or
/// identity number. Returns the worker id.
pub async fn save_applicant(
    tx: &mut Tx,
    existing: Option<WorkerId>,
    a: &Applicant,
) -> Result<WorkerId> {
    let common: [&(dyn crate::Param + Sync); 20] = [
        &a.name,
        &a.id_number_enc,
        &a.id_number_idx,
        &a.sex,
        &a.birth_date,
        &a.phone,
        &a.region_code,
        &a.employer_name,
        &a.employer_credit_code,
        &a.gig_occupation,
        &a.work_region,
        &a.ethnicity,
        &a.education,
        &a.political_status,
        &a.hukou_type,
        &a.hukou_region,
        &a.skill_level,
        &a.marital_status,
        &a.emergency_contact,
        &a.emergency_phone,
    ];
    match existing {
        Some(id) => {
            let mut params: Vec<&(dyn crate::Param + Sync)> = vec![&id.0];
            params.extend(common);
            tx.execute(UPDATE_WORKER, &params).await?;
            Ok(id)
        }
        None => {
            let now = Utc::now();
            let mut params: Vec<&(dyn crate::Param + Sync)> = common.to_vec();
            params.push(&now);
            tx.query_one(INSERT_WORKER, &params).await.map(WorkerId)
        }
    }
}

/// Gives the worker a member number unless they have one (it is kept for life).
pub async fn ensure_member_no(tx: &mut Tx, worker_id: WorkerId, member_no: &str) -> Result<String> {
    tx.execute(
        "UPDATE worker SET member_no = $2 WHERE id = $1 AND member_no IS NULL",
        &[&worker_id.0, &member_no],
    )
    .await?;
    let no: MemberNoRow = tx
        .query_one(
            "SELECT member_no FROM worker WHERE id = $1",
            &[&worker_id.0],
        )
        .await?;
    Ok(no.0.unwrap_or_default())
}

struct MemberNoRow(Option<String>);
impl FromRow for MemberNoRow {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(MemberNoRow(row.get("member_no")?))
    }
}

// ---------------------------------------------------------------------------------------------
// Memberships

/// A membership with its union's name, as the member and staff see it.
#[derive(Debug, Clone)]
pub struct Membership {
    pub id: MembershipId,
    pub worker_id: WorkerId,
    pub org_id: OrgId,
    pub org_name: String,
    pub status: MembershipStatus,
    pub joined_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<EndReason>,
    pub source: MembershipSource,
}

impl FromRow for Membership {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Membership {
            id: row.id("id")?,
            worker_id: row.id("worker_id")?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            status: row.parsed("status", MembershipStatus::parse)?,
            joined_on: row.get("joined_on")?,
            ended_on: row.get("ended_on")?,
            end_reason: row.parsed_opt("end_reason", EndReason::parse)?,
            source: row.parsed("source", MembershipSource::parse)?,
        })
    }
}

macro_rules! membership_select {
    ($where:literal) => {
        concat!(
            "SELECT m.id, m.worker_id, m.org_id, o.name AS org_name, m.status, m.joined_on, \
             m.ended_on, m.end_reason, m.source FROM membership m JOIN org o ON o.id = m.org_id ",
            $where
        )
    };
}

const CURRENT: &str = membership_select!("WHERE m.worker_id = $1 AND m.status <> 'ended'");
const HISTORY: &str = membership_select!("WHERE m.worker_id = $1 ORDER BY m.id");
const INSERT_MEMBERSHIP: &str = "INSERT INTO membership (worker_id, org_id, status, joined_on, \
     source, created_at) VALUES ($1, $2, 'active', $3, $4, $5) RETURNING id";
const END_MEMBERSHIP: &str = "UPDATE membership SET status = 'ended', ended_on = $2, \
     end_reason = $3 WHERE id = $1 AND status <> 'ended'";
const SET_STATUS: &str = "UPDATE membership SET status = $2 WHERE id = $1 AND status <> 'ended'";
const SET_WORKER_ORG: &str = "UPDATE worker SET org_id = $2 WHERE id = $1";

const OPEN_FOR_LOADED: &str = "INSERT INTO membership (worker_id, org_id, status, joined_on, \
     source, created_at) SELECT w.id, w.org_id, 'active', $1, $2, $3 FROM worker w \
     WHERE w.id > (SELECT COALESCE(MAX(worker_id), 0) FROM membership) AND w.org_id IS NOT NULL \
     ORDER BY w.id";

/// Opens a membership for every worker loaded in bulk (after the last one with a membership)
/// who has a union: the demo loads workers with their union into an empty store. A range on the
/// id, not a NOT EXISTS probe per worker: a million probes cost more than the inserts.
pub async fn open_for_loaded_workers(tx: &mut Tx, source: MembershipSource) -> Result<u64> {
    let now = Utc::now();
    tx.execute(OPEN_FOR_LOADED, &[&now.date_naive(), source.stored(), &now])
        .await
}

pub async fn current(db: impl Into<Exec<'_>>, worker_id: WorkerId) -> Result<Option<Membership>> {
    db.into().query_opt(CURRENT, &[&worker_id.0]).await
}

/// Every membership of a worker, oldest first.
pub async fn history(store: &Store, worker_id: WorkerId) -> Result<Vec<Membership>> {
    store.query(HISTORY, &[&worker_id.0]).await
}

/// Opens a membership. Fails with a conflict on `membership_current` if the person already has
/// a current one: the caller turns that into a transfer.
pub async fn open(
    tx: &mut Tx,
    worker_id: WorkerId,
    org: OrgId,
    joined_on: NaiveDate,
    source: MembershipSource,
) -> Result<MembershipId> {
    let id = tx
        .query_one(
            INSERT_MEMBERSHIP,
            &[
                &worker_id.0,
                &org.0,
                &joined_on,
                source.stored(),
                &Utc::now(),
            ],
        )
        .await?;
    tx.execute(SET_WORKER_ORG, &[&worker_id.0, &org.0]).await?;
    Ok(MembershipId(id))
}

/// Ends a current membership. Returns false if it was not current any more.
pub async fn end(
    tx: &mut Tx,
    membership_id: MembershipId,
    worker_id: WorkerId,
    on: NaiveDate,
    reason: EndReason,
) -> Result<bool> {
    let n = tx
        .execute(END_MEMBERSHIP, &[&membership_id.0, &on, reason.stored()])
        .await?;
    if n == 1 {
        tx.execute(SET_WORKER_ORG, &[&worker_id.0, &None::<i64>])
            .await?;
    }
    Ok(n == 1)
}

/// Marks a current membership retired (kept) or active again.
pub async fn set_status(
    tx: &mut Tx,
    membership_id: MembershipId,
    status: MembershipStatus,
) -> Result<bool> {
    Ok(tx
        .execute(SET_STATUS, &[&membership_id.0, status.stored()])
        .await?
        == 1)
}

mod application;
mod inbox;
mod roster;
mod transfer;
pub use application::*;
pub use inbox::*;
pub use roster::*;
pub use transfer::*;
