//! Activities in the store: the activity, its registrations (seats and the waiting list) and
//! check-ins.
//!
//! Registering, cancelling and checking in lock the activity's row first (`FOR UPDATE` on
//! PostgreSQL; SQLite's single writer already serialises), so the count of seats taken that a
//! registration reads is still true when it writes: capacity holds under concurrent requests,
//! and the first on the waiting list is promoted exactly once.

use crate::db::{Backend, Exec, FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::activity::{ActivityStatus, RegistrationStatus};
use zhijia_domain::ids::{ActivityId, OrgId, RegistrationId, StaffId, WorkerId};
use zhijia_domain::org::OrgPath;

/// An activity with its union and its figures.
#[derive(Debug, Clone)]
pub struct Activity {
    pub id: ActivityId,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: OrgPath,
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_opens_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub capacity: i64,
    /// A region code prefix the member's union must be in, if any.
    pub audience_region: Option<String>,
    /// Member tags (comma list), any of which admits, if any.
    pub audience_tags: Option<String>,
    pub status: ActivityStatus,
    pub registered: i64,
    pub waiting: i64,
    pub checked_in: i64,
}

impl FromRow for Activity {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Activity {
            id: row.id("id")?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            org_path: row.org_path("org_path")?,
            title: row.get("title")?,
            description: row.get("description")?,
            place: row.get("place")?,
            starts_at: row.get("starts_at")?,
            ends_at: row.get("ends_at")?,
            registration_opens_at: row.get("registration_opens_at")?,
            registration_closes_at: row.get("registration_closes_at")?,
            capacity: row.get("capacity")?,
            audience_region: row.get("audience_region")?,
            audience_tags: row.get("audience_tags")?,
            status: row.parsed("status", ActivityStatus::parse)?,
            registered: row.get("registered")?,
            waiting: row.get("waiting")?,
            checked_in: row.get("checked_in")?,
        })
    }
}

macro_rules! activity_select {
    ($tail:literal) => {
        concat!(
            "SELECT a.id, a.org_id, o.name AS org_name, o.path AS org_path, a.title, \
             a.description, a.place, a.starts_at, a.ends_at, a.registration_opens_at, \
             a.registration_closes_at, a.capacity, a.audience_region, a.audience_tags, a.status, \
             (SELECT COUNT(*) FROM registration r WHERE r.activity_id = a.id AND r.status = 'registered') AS registered, \
             (SELECT COUNT(*) FROM registration r WHERE r.activity_id = a.id AND r.status = 'waiting') AS waiting, \
             (SELECT COUNT(*) FROM registration r WHERE r.activity_id = a.id AND r.checked_in_at IS NOT NULL) AS checked_in \
             FROM activity a JOIN org o ON o.id = a.org_id ",
            $tail
        )
    };
}

pub struct NewActivity<'a> {
    pub org_id: OrgId,
    pub title: &'a str,
    pub description: &'a str,
    pub place: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_opens_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub capacity: i64,
    pub audience_region: Option<&'a str>,
    pub audience_tags: Option<&'a str>,
    pub created_by: Option<StaffId>,
}

const INSERT: &str = "INSERT INTO activity (org_id, title, description, place, starts_at, ends_at, \
     registration_opens_at, registration_closes_at, capacity, audience_region, audience_tags, \
     status, created_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'open', $12, $13) RETURNING id";

pub async fn insert(tx: &mut Tx, a: &NewActivity<'_>) -> Result<ActivityId> {
    let created_by = a.created_by.map(|s| s.0);
    tx.query_one::<i64>(
        INSERT,
        &[
            &a.org_id.0,
            &a.title,
            &a.description,
            &a.place,
            &a.starts_at,
            &a.ends_at,
            &a.registration_opens_at,
            &a.registration_closes_at,
            &a.capacity,
            &a.audience_region,
            &a.audience_tags,
            &created_by,
            &Utc::now(),
        ],
    )
    .await
    .map(ActivityId)
}

const GET: &str = activity_select!("WHERE a.id = $1");

pub async fn get(db: impl Into<Exec<'_>>, id: ActivityId) -> Result<Option<Activity>> {
    db.into().query_opt(GET, &[&id.0]).await
}

const LOCK_PG: &str = "SELECT id FROM activity WHERE id = $1 FOR UPDATE";
const LOCK_SQLITE: &str = "SELECT id FROM activity WHERE id = $1";

/// Locks the activity's row for the rest of the transaction: registrations, cancellations and
/// check-ins of one activity queue here.
pub async fn lock(tx: &mut Tx, id: ActivityId) -> Result<bool> {
    let sql = match tx.backend() {
        Backend::Postgres => LOCK_PG,
        Backend::Sqlite => LOCK_SQLITE,
    };
    Ok(tx.query_opt::<i64>(sql, &[&id.0]).await?.is_some())
}

const CANCEL: &str = "UPDATE activity SET status = 'cancelled' WHERE id = $1 AND status = 'open'";

pub async fn cancel(tx: &mut Tx, id: ActivityId) -> Result<bool> {
    Ok(tx.execute(CANCEL, &[&id.0]).await? == 1)
}

const LIST_SUBTREE: &str = activity_select!(
    "WHERE o.path >= $1 AND o.path < $2 ORDER BY a.starts_at DESC, a.id DESC LIMIT $3 OFFSET $4"
);
const COUNT_SUBTREE: &str = "SELECT COUNT(*) FROM activity a JOIN org o ON o.id = a.org_id \
     WHERE o.path >= $1 AND o.path < $2";

/// Activities made by the unions of a subtree, latest start first.
pub async fn list_subtree(
    store: &Store,
    path: &OrgPath,
    limit: i64,
    offset: i64,
) -> Result<Page<Activity>> {
    crate::subtree_page(store, LIST_SUBTREE, COUNT_SUBTREE, path, limit, offset).await
}

/// A member's list: the union at `$1` is in the activity's union's subtree, the activity is open
/// and not over at `$2`, and the member (region and tags at `region` and `tags`) is in its
/// audience.
fn member_condition(region: &str, tags: &str) -> String {
    format!(
        "substr(CAST($1 AS TEXT), 1, length(o.path)) = o.path AND a.status = 'open' \
         AND a.ends_at > $2 AND {}",
        crate::audience::condition("a", region, tags)
    )
}

static LIST_FOR_MEMBER: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{} WHERE {} ORDER BY a.starts_at, a.id LIMIT $3 OFFSET $4",
        activity_select!(""),
        member_condition("$5", "$6")
    )
});
static COUNT_FOR_MEMBER: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT COUNT(*) FROM activity a JOIN org o ON o.id = a.org_id WHERE {}",
        member_condition("$3", "$4")
    )
});

/// Open activities not yet over whose audience includes a member of the union at `path`
/// working in `region` with `tags` (as `,gig,outdoor,`): made by that union or a union above
/// it, for any region or the member's, for any member or one of the member's tags. Soonest
/// first.
pub async fn list_for_member(
    store: &Store,
    path: &OrgPath,
    region: &str,
    tags: &str,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<Page<Activity>> {
    let path = path.as_str();
    let items = store
        .query(
            &LIST_FOR_MEMBER,
            &[&path, &now, &limit, &offset, &region, &tags],
        )
        .await?;
    let total = store
        .query_one(&COUNT_FOR_MEMBER, &[&path, &now, &region, &tags])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

// ---------------------------------------------------------------------------------------------
// Registrations

/// A registration with the person (for the organiser) and the activity (for the worker).
#[derive(Debug, Clone)]
pub struct Registration {
    pub id: RegistrationId,
    pub activity_id: ActivityId,
    pub activity_title: String,
    pub starts_at: DateTime<Utc>,
    pub worker_id: WorkerId,
    pub worker_name: String,
    pub phone: String,
    pub member_no: Option<String>,
    pub status: RegistrationStatus,
    pub created_at: DateTime<Utc>,
    pub promoted_at: Option<DateTime<Utc>>,
    pub checked_in_at: Option<DateTime<Utc>>,
}

impl FromRow for Registration {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Registration {
            id: row.id("id")?,
            activity_id: row.id("activity_id")?,
            activity_title: row.get("activity_title")?,
            starts_at: row.get("starts_at")?,
            worker_id: row.id("worker_id")?,
            worker_name: row.get("worker_name")?,
            phone: row.get("phone")?,
            member_no: row.get("member_no")?,
            status: row.parsed("status", RegistrationStatus::parse)?,
            created_at: row.get("created_at")?,
            promoted_at: row.get("promoted_at")?,
            checked_in_at: row.get("checked_in_at")?,
        })
    }
}

macro_rules! registration_select {
    ($tail:literal) => {
        concat!(
            "SELECT r.id, r.activity_id, a.title AS activity_title, a.starts_at, r.worker_id, \
             w.name AS worker_name, w.phone, w.member_no, r.status, r.created_at, r.promoted_at, \
             r.checked_in_at FROM registration r JOIN activity a ON a.id = r.activity_id \
             JOIN worker w ON w.id = r.worker_id ",
            $tail
        )
    };
}

const COUNT_REGISTERED: &str =
    "SELECT COUNT(*) FROM registration WHERE activity_id = $1 AND status = 'registered'";

/// Seats taken; read after [`lock`] so it stays true until the transaction ends.
pub async fn registered_count(tx: &mut Tx, activity_id: ActivityId) -> Result<i64> {
    tx.query_one(COUNT_REGISTERED, &[&activity_id.0]).await
}

const INSERT_REGISTRATION: &str = "INSERT INTO registration (activity_id, worker_id, status, \
     created_at) VALUES ($1, $2, $3, $4) RETURNING id";

/// A new registration; a person with a live one is refused (`Conflict` on `registration`).
pub async fn insert_registration(
    tx: &mut Tx,
    activity_id: ActivityId,
    worker_id: WorkerId,
    status: RegistrationStatus,
) -> Result<RegistrationId> {
    tx.query_one::<i64>(
        INSERT_REGISTRATION,
        &[&activity_id.0, &worker_id.0, status.stored(), &Utc::now()],
    )
    .await
    .map(RegistrationId)
}

const LIVE_OF: &str = registration_select!(
    "WHERE r.activity_id = $1 AND r.worker_id = $2 AND r.status <> 'cancelled'"
);

/// The person's live (not cancelled) registration for an activity.
pub async fn live_of(
    tx: &mut Tx,
    activity_id: ActivityId,
    worker_id: WorkerId,
) -> Result<Option<Registration>> {
    tx.query_opt(LIVE_OF, &[&activity_id.0, &worker_id.0]).await
}

pub async fn live_of_read(
    store: &Store,
    activity_id: ActivityId,
    worker_id: WorkerId,
) -> Result<Option<Registration>> {
    store
        .query_opt(LIVE_OF, &[&activity_id.0, &worker_id.0])
        .await
}

const GET_REGISTRATION: &str = registration_select!("WHERE r.id = $1");

pub async fn registration_in(tx: &mut Tx, id: RegistrationId) -> Result<Option<Registration>> {
    tx.query_opt(GET_REGISTRATION, &[&id.0]).await
}

const CANCEL_REGISTRATION: &str = "UPDATE registration SET status = 'cancelled', cancelled_at = $2 \
     WHERE id = $1 AND status <> 'cancelled'";

pub async fn cancel_registration(tx: &mut Tx, id: RegistrationId) -> Result<bool> {
    Ok(tx
        .execute(CANCEL_REGISTRATION, &[&id.0, &Utc::now()])
        .await?
        == 1)
}

const FIRST_WAITING: &str =
    registration_select!("WHERE r.activity_id = $1 AND r.status = 'waiting' ORDER BY r.id LIMIT 1");
const PROMOTE: &str = "UPDATE registration SET status = 'registered', promoted_at = $2 \
     WHERE id = $1 AND status = 'waiting'";

/// Moves the first on the waiting list to a seat; returns them, or `None` if nobody waits.
pub async fn promote_first(tx: &mut Tx, activity_id: ActivityId) -> Result<Option<Registration>> {
    let Some(first) = tx
        .query_opt::<Registration>(FIRST_WAITING, &[&activity_id.0])
        .await?
    else {
        return Ok(None);
    };
    tx.execute(PROMOTE, &[&first.id.0, &Utc::now()]).await?;
    Ok(Some(first))
}

const CHECK_IN: &str = "UPDATE registration SET checked_in_at = $2, checked_in_by = $3 \
     WHERE id = $1 AND status = 'registered' AND checked_in_at IS NULL";

/// Marks a seat checked in, once: false when it already was (or is not a seat).
pub async fn check_in(
    tx: &mut Tx,
    registration_id: RegistrationId,
    at: DateTime<Utc>,
    by: Option<StaffId>,
) -> Result<bool> {
    let by = by.map(|s| s.0);
    Ok(tx
        .execute(CHECK_IN, &[&registration_id.0, &at, &by])
        .await?
        == 1)
}

const OF_ACTIVITY: &str = registration_select!(
    "WHERE r.activity_id = $1 AND ($2 = '' OR r.status = $2) ORDER BY r.id LIMIT $3 OFFSET $4"
);
const COUNT_OF_ACTIVITY: &str =
    "SELECT COUNT(*) FROM registration r WHERE r.activity_id = $1 AND ($2 = '' OR r.status = $2)";

/// An activity's registrations of one status (all when empty), in order of registering: for
/// `waiting` that is the waiting list's order.
pub async fn of_activity(
    store: &Store,
    activity_id: ActivityId,
    status: Option<RegistrationStatus>,
    limit: i64,
    offset: i64,
) -> Result<Page<Registration>> {
    let status = status.map_or("", RegistrationStatus::as_str);
    let items = store
        .query(OF_ACTIVITY, &[&activity_id.0, &status, &limit, &offset])
        .await?;
    let total = store
        .query_one(COUNT_OF_ACTIVITY, &[&activity_id.0, &status])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

const OF_WORKER: &str =
    registration_select!("WHERE r.worker_id = $1 ORDER BY r.id DESC LIMIT $2 OFFSET $3");
const COUNT_OF_WORKER: &str = "SELECT COUNT(*) FROM registration WHERE worker_id = $1";

/// A worker's registrations, newest first (cancelled ones included).
pub async fn of_worker(
    store: &Store,
    worker_id: WorkerId,
    limit: i64,
    offset: i64,
) -> Result<Page<Registration>> {
    let items = store
        .query(OF_WORKER, &[&worker_id.0, &limit, &offset])
        .await?;
    let total = store.query_one(COUNT_OF_WORKER, &[&worker_id.0]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

const WAITING_POSITION: &str = "SELECT COUNT(*) FROM registration WHERE activity_id = $1 \
     AND status = 'waiting' AND id <= $2";

/// A waiting registration's place in the queue (1 = next to be promoted).
pub async fn waiting_position(
    store: &Store,
    activity_id: ActivityId,
    registration_id: RegistrationId,
) -> Result<i64> {
    store
        .query_one(WAITING_POSITION, &[&activity_id.0, &registration_id.0])
        .await
}
