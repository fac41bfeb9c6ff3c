//! Transfers.

use super::*;

#[derive(Debug, Clone)]
pub struct Transfer {
    pub id: TransferId,
    pub worker_id: WorkerId,
    pub worker_name: String,
    pub from_membership_id: MembershipId,
    pub from_org_id: OrgId,
    pub from_org_name: String,
    pub to_org_id: OrgId,
    pub to_org_name: String,
    pub status: TransferStatus,
    pub started_by: TransferStarter,
    pub reason: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub release_due_at: DateTime<Utc>,
    pub released_at: Option<DateTime<Utc>>,
    pub released_by: Option<StaffId>,
    pub refuse_reason: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    /// When the worker agreed; `None` while a union's proposal waits for them.
    pub worker_confirmed_at: Option<DateTime<Utc>>,
    /// When an unanswered proposal of a union lapses.
    pub confirm_due_at: Option<DateTime<Utc>>,
}

impl FromRow for Transfer {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Transfer {
            id: row.id("id")?,
            worker_id: row.id("worker_id")?,
            worker_name: row.get("worker_name")?,
            from_membership_id: row.id("from_membership_id")?,
            from_org_id: row.id("from_org_id")?,
            from_org_name: row.get("from_org_name")?,
            to_org_id: row.id("to_org_id")?,
            to_org_name: row.get("to_org_name")?,
            status: row.parsed("status", TransferStatus::parse)?,
            started_by: row.parsed("started_by", TransferStarter::parse)?,
            reason: row.get("reason")?,
            requested_at: row.get("requested_at")?,
            release_due_at: row.get("release_due_at")?,
            released_at: row.get("released_at")?,
            released_by: row.id_opt("released_by")?,
            refuse_reason: row.get("refuse_reason")?,
            completed_at: row.get("completed_at")?,
            worker_confirmed_at: row.get("worker_confirmed_at")?,
            confirm_due_at: row.get("confirm_due_at")?,
        })
    }
}

macro_rules! transfer_select {
    ($where:literal) => {
        concat!(
            "SELECT t.id, t.worker_id, w.name AS worker_name, t.from_membership_id, \
             t.from_org_id, f.name AS from_org_name, t.to_org_id, d.name AS to_org_name, \
             t.status, t.started_by, t.reason, t.requested_at, t.release_due_at, t.released_at, \
             t.released_by, t.refuse_reason, t.completed_at, t.worker_confirmed_at, \
             t.confirm_due_at FROM transfer t \
             JOIN worker w ON w.id = t.worker_id JOIN org f ON f.id = t.from_org_id \
             JOIN org d ON d.id = t.to_org_id ",
            $where
        )
    };
}

#[derive(Debug, Clone)]
pub struct NewTransfer<'a> {
    pub worker_id: WorkerId,
    pub from_membership_id: MembershipId,
    pub from_org_id: OrgId,
    pub to_org_id: OrgId,
    pub started_by: TransferStarter,
    pub reason: Option<&'a str>,
    pub release_due_at: DateTime<Utc>,
    /// `None`: the worker started it (agreed at once); `Some(due)`: a union's proposal, which
    /// waits for the worker until `due`.
    pub confirm_due_at: Option<DateTime<Utc>>,
}

/// A worker's own request is confirmed when made; a union's proposal is not.
const INSERT_TRANSFER: &str = "INSERT INTO transfer (worker_id, from_membership_id, from_org_id, \
     to_org_id, status, started_by, reason, requested_at, release_due_at, confirm_due_at, \
     worker_confirmed_at) \
     VALUES ($1, $2, $3, $4, 'awaiting_release', $5, $6, $7, $8, $9, $10) RETURNING id";
const GET_TRANSFER: &str = transfer_select!("WHERE t.id = $1");
const TRANSFERS_OF_WORKER: &str = transfer_select!("WHERE t.worker_id = $1 ORDER BY t.id DESC");
/// Staff see a transfer only once the worker has agreed to it.
const TRANSFER_QUEUE: &str = transfer_select!(
    "WHERE t.status = $3 AND t.worker_confirmed_at IS NOT NULL \
     AND ((f.path >= $1 AND f.path < $2) OR (d.path >= $1 AND d.path < $2)) \
     ORDER BY t.id LIMIT $4 OFFSET $5"
);
const COUNT_TRANSFER_QUEUE: &str = "SELECT COUNT(*) FROM transfer t \
     JOIN org f ON f.id = t.from_org_id JOIN org d ON d.id = t.to_org_id \
     WHERE t.status = $3 AND t.worker_confirmed_at IS NOT NULL \
     AND ((f.path >= $1 AND f.path < $2) OR (d.path >= $1 AND d.path < $2))";
const RELEASE: &str = "UPDATE transfer SET status = 'released', released_at = $2, \
     released_by = $3 WHERE id = $1 AND status = 'awaiting_release' \
     AND worker_confirmed_at IS NOT NULL";
const REFUSE: &str = "UPDATE transfer SET status = 'refused', released_at = $2, released_by = $3, \
     refuse_reason = $4 WHERE id = $1 AND status = 'awaiting_release' \
     AND worker_confirmed_at IS NOT NULL";
/// The worker agrees to a union's proposal before it lapses; the release deadline starts now.
const CONFIRM: &str = "UPDATE transfer SET worker_confirmed_at = $3, release_due_at = $4 \
     WHERE id = $1 AND worker_id = $2 AND status = 'awaiting_release' \
     AND worker_confirmed_at IS NULL AND confirm_due_at > $3";
/// The worker turns a union's proposal down.
const DECLINE: &str = "UPDATE transfer SET status = 'cancelled' WHERE id = $1 AND worker_id = $2 \
     AND status = 'awaiting_release' AND worker_confirmed_at IS NULL";
/// Proposals the worker let lapse.
const LAPSED: &str = "UPDATE transfer SET status = 'cancelled' WHERE status = 'awaiting_release' \
     AND worker_confirmed_at IS NULL AND confirm_due_at <= $1 RETURNING id";
const COMPLETE: &str = "UPDATE transfer SET status = 'completed', completed_at = $2, \
     completed_by = $3, new_membership_id = $4 WHERE id = $1 AND status = 'released'";
const CANCEL: &str = "UPDATE transfer SET status = 'cancelled' WHERE id = $1 AND status IN ('awaiting_release', 'released')";
const DUE_FOR_RELEASE: &str = "UPDATE transfer SET status = 'released', released_at = $1 \
     WHERE status = 'awaiting_release' AND worker_confirmed_at IS NOT NULL \
     AND release_due_at <= $1 RETURNING id";

pub async fn insert_transfer(tx: &mut Tx, t: &NewTransfer<'_>) -> Result<TransferId> {
    let now = Utc::now();
    let confirmed = t.confirm_due_at.is_none().then_some(now);
    tx.query_one(
        INSERT_TRANSFER,
        &[
            &t.worker_id.0,
            &t.from_membership_id.0,
            &t.from_org_id.0,
            &t.to_org_id.0,
            t.started_by.stored(),
            &t.reason,
            &now,
            &t.release_due_at,
            &t.confirm_due_at,
            &confirmed,
        ],
    )
    .await
    .map(TransferId)
}

/// The worker agrees to a union's proposal; false if it was not one of theirs waiting, or
/// lapsed.
pub async fn confirm(
    tx: &mut Tx,
    id: TransferId,
    worker_id: WorkerId,
    now: DateTime<Utc>,
    release_due_at: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx
        .execute(CONFIRM, &[&id.0, &worker_id.0, &now, &release_due_at])
        .await?
        == 1)
}

/// The worker turns a union's proposal down; false if it was not one of theirs waiting.
pub async fn decline(tx: &mut Tx, id: TransferId, worker_id: WorkerId) -> Result<bool> {
    Ok(tx.execute(DECLINE, &[&id.0, &worker_id.0]).await? == 1)
}

/// Cancels the proposals whose worker let them lapse, and returns their ids.
pub async fn lapse_unconfirmed(tx: &mut Tx, now: DateTime<Utc>) -> Result<Vec<TransferId>> {
    let ids: Vec<i64> = tx.query(LAPSED, &[&now]).await?;
    Ok(ids.into_iter().map(TransferId).collect())
}

pub async fn transfer(db: impl Into<Exec<'_>>, id: TransferId) -> Result<Option<Transfer>> {
    db.into().query_opt(GET_TRANSFER, &[&id.0]).await
}

pub async fn transfers_of(store: &Store, worker_id: WorkerId) -> Result<Vec<Transfer>> {
    store.query(TRANSFERS_OF_WORKER, &[&worker_id.0]).await
}

/// Transfers of a status whose releasing or receiving union lies in the subtree at `scope`.
pub async fn transfer_queue(
    store: &Store,
    scope: &OrgPath,
    status: TransferStatus,
    limit: i64,
    offset: i64,
) -> Result<Page<Transfer>> {
    let upper = scope.subtree_upper_bound();
    let items = store
        .query(
            TRANSFER_QUEUE,
            &[&scope.as_str(), &upper, status.stored(), &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(
            COUNT_TRANSFER_QUEUE,
            &[&scope.as_str(), &upper, status.stored()],
        )
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// The releasing union lets the member go (`staff` None: released automatically).
pub async fn release(tx: &mut Tx, id: TransferId, staff: Option<StaffId>) -> Result<bool> {
    let staff = staff.map(|s| s.0);
    Ok(tx.execute(RELEASE, &[&id.0, &Utc::now(), &staff]).await? == 1)
}

pub async fn refuse(
    tx: &mut Tx,
    id: TransferId,
    staff: Option<StaffId>,
    reason: &str,
) -> Result<bool> {
    let staff = staff.map(|s| s.0);
    Ok(tx
        .execute(REFUSE, &[&id.0, &Utc::now(), &staff, &reason])
        .await?
        == 1)
}

pub async fn complete(
    tx: &mut Tx,
    id: TransferId,
    staff: Option<StaffId>,
    new_membership: MembershipId,
) -> Result<bool> {
    let staff = staff.map(|s| s.0);
    Ok(tx
        .execute(COMPLETE, &[&id.0, &Utc::now(), &staff, &new_membership.0])
        .await?
        == 1)
}

pub async fn cancel(tx: &mut Tx, id: TransferId) -> Result<bool> {
    Ok(tx.execute(CANCEL, &[&id.0]).await? == 1)
}

/// Releases every transfer whose releasing union let the deadline pass, and returns their ids.
/// One conditional UPDATE: with several server processes each transfer is released once.
pub async fn release_overdue(tx: &mut Tx, now: DateTime<Utc>) -> Result<Vec<TransferId>> {
    let ids: Vec<i64> = tx.query(DUE_FOR_RELEASE, &[&now]).await?;
    Ok(ids.into_iter().map(TransferId).collect())
}
