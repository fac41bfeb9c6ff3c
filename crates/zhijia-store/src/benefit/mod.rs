//! Merchants, offers and coupons. See migrations/sqlite/0007_benefit.sql. A claim locks the
//! offer's row first ([`lock_offer`]), so everything it then reads (the member's earlier claims,
//! the stock) stays true until it commits: claims of one offer take turns, and stock and
//! per-member limits are exact with any number of server processes.

pub mod proposal;
pub mod shop;

use crate::db::{Backend, FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::benefit::{CouponStatus, OfferKind, OfferStatus};
use zhijia_domain::ids::{CouponId, MerchantId, OfferId, StaffId, WorkerId};
use zhijia_domain::org::{OrgId, OrgPath};

// ---- merchants -----------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Merchant {
    pub id: MerchantId,
    pub org_id: OrgId,
    pub name: String,
    pub credit_code: String,
    pub address: String,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Merchant {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Merchant {
            id: row.id("id")?,
            org_id: row.id("org_id")?,
            name: row.get("name")?,
            credit_code: row.get("credit_code")?,
            address: row.get("address")?,
            created_at: row.get("created_at")?,
        })
    }
}

const INSERT_MERCHANT: &str = "INSERT INTO merchant (org_id, name, credit_code, address, \
     created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
const MERCHANT: &str =
    "SELECT id, org_id, name, credit_code, address, created_at FROM merchant WHERE id = $1";
const MERCHANTS: &str = "SELECT m.id, m.org_id, m.name, m.credit_code, m.address, m.created_at \
     FROM merchant m JOIN org o ON o.id = m.org_id WHERE o.path >= $1 AND o.path < $2 \
     ORDER BY m.id LIMIT $3 OFFSET $4";
const COUNT_MERCHANTS: &str = "SELECT COUNT(*) FROM merchant m JOIN org o ON o.id = m.org_id \
     WHERE o.path >= $1 AND o.path < $2";
const LINK_STAFF: &str = "INSERT INTO merchant_staff (staff_id, merchant_id) VALUES ($1, $2)";
const MERCHANT_OF_STAFF: &str = "SELECT m.id, m.org_id, m.name, m.credit_code, m.address, \
     m.created_at FROM merchant m JOIN merchant_staff s ON s.merchant_id = m.id \
     WHERE s.staff_id = $1";

pub async fn insert_merchant(
    tx: &mut Tx,
    org: OrgId,
    name: &str,
    credit_code: &str,
    address: &str,
    now: DateTime<Utc>,
) -> Result<MerchantId> {
    tx.query_one::<i64>(
        INSERT_MERCHANT,
        &[&org.0, &name, &credit_code, &address, &now],
    )
    .await
    .map(MerchantId)
}

pub async fn merchant(store: &Store, id: MerchantId) -> Result<Option<Merchant>> {
    store.query_opt(MERCHANT, &[&id.0]).await
}

/// The merchants registered by the unions of a subtree.
pub async fn merchants(
    store: &Store,
    scope: &OrgPath,
    limit: i64,
    offset: i64,
) -> Result<Page<Merchant>> {
    crate::subtree_page(store, MERCHANTS, COUNT_MERCHANTS, scope, limit, offset).await
}

/// Makes a staff account the merchant's (its `merchant_staff` grant is given separately).
pub async fn link_staff(tx: &mut Tx, staff: StaffId, merchant: MerchantId) -> Result<()> {
    tx.execute(LINK_STAFF, &[&staff.0, &merchant.0])
        .await
        .map(|_| ())
}

/// The merchant a staff account redeems for, if it is a merchant's.
pub async fn merchant_of_staff(store: &Store, staff: StaffId) -> Result<Option<Merchant>> {
    store.query_opt(MERCHANT_OF_STAFF, &[&staff.0]).await
}

// ---- offers --------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Offer {
    pub id: OfferId,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: OrgPath,
    pub merchant_id: MerchantId,
    pub merchant_name: String,
    pub title: String,
    pub description: String,
    pub kind: OfferKind,
    pub value: i64,
    pub stock_total: i64,
    pub stock_left: i64,
    pub per_member_limit: i64,
    pub claim_opens_at: DateTime<Utc>,
    pub claim_closes_at: DateTime<Utc>,
    pub valid_days: i64,
    pub audience_region: Option<String>,
    pub audience_tags: Option<String>,
    pub status: OfferStatus,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Offer {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Offer {
            id: row.id("id")?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            org_path: row.org_path("org_path")?,
            merchant_id: row.id("merchant_id")?,
            merchant_name: row.get("merchant_name")?,
            title: row.get("title")?,
            description: row.get("description")?,
            kind: row.parsed("kind", OfferKind::parse)?,
            value: row.get("value")?,
            stock_total: row.get("stock_total")?,
            stock_left: row.get("stock_left")?,
            per_member_limit: row.get("per_member_limit")?,
            claim_opens_at: row.get("claim_opens_at")?,
            claim_closes_at: row.get("claim_closes_at")?,
            valid_days: row.get("valid_days")?,
            audience_region: row.get("audience_region")?,
            audience_tags: row.get("audience_tags")?,
            status: row.parsed("status", OfferStatus::parse)?,
            created_at: row.get("created_at")?,
        })
    }
}

macro_rules! offer_select {
    ($tail:literal) => {
        concat!(
            "SELECT f.id, f.org_id, o.name AS org_name, o.path AS org_path, f.merchant_id, \
             m.name AS merchant_name, f.title, f.description, f.kind, f.value, f.stock_total, \
             f.stock_left, f.per_member_limit, f.claim_opens_at, f.claim_closes_at, \
             f.valid_days, f.audience_region, f.audience_tags, f.status, f.created_at \
             FROM offer f JOIN org o ON o.id = f.org_id JOIN merchant m ON m.id = f.merchant_id ",
            $tail
        )
    };
}

/// An offer being made.
#[derive(Debug)]
pub struct NewOffer<'a> {
    pub org: OrgId,
    pub merchant_id: MerchantId,
    pub title: &'a str,
    pub description: &'a str,
    pub kind: OfferKind,
    pub value: i64,
    pub stock: i64,
    pub per_member_limit: i64,
    pub claim_opens_at: DateTime<Utc>,
    pub claim_closes_at: DateTime<Utc>,
    pub valid_days: i64,
    pub audience_region: Option<&'a str>,
    pub audience_tags: Option<&'a str>,
    pub status: OfferStatus,
    pub created_by: Option<StaffId>,
    pub now: DateTime<Utc>,
}

const INSERT_OFFER: &str = "INSERT INTO offer (org_id, merchant_id, title, description, kind, \
     value, stock_total, stock_left, per_member_limit, claim_opens_at, claim_closes_at, \
     valid_days, audience_region, audience_tags, status, created_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
     RETURNING id";
const OFFER: &str = offer_select!("WHERE f.id = $1");
const LOCK_OFFER_PG: &str = "SELECT id FROM offer WHERE id = $1 FOR UPDATE";
/// Published offers still open for claims at `$1` whose union is on the member's path `$2`
/// (the union itself or above) and whose audience has the member (region and tags at the given
/// placeholders).
fn open_condition(region: &str, tags: &str) -> String {
    format!(
        "f.status = 'published' AND f.claim_closes_at > $1 AND $2 LIKE o.path || '%' AND {}",
        crate::audience::condition("f", region, tags)
    )
}

// The page of offers, each with how many coupons of it the member (`$7`) holds.
static OPEN_FOR: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT x.*, (SELECT COUNT(*) FROM coupon c WHERE c.offer_id = x.id \
         AND c.worker_id = $7) AS claimed FROM ({} WHERE {} \
         ORDER BY f.claim_opens_at, f.id LIMIT $3 OFFSET $4) x \
         ORDER BY x.claim_opens_at, x.id",
        offer_select!(""),
        open_condition("$5", "$6")
    )
});
static COUNT_OPEN_FOR: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT COUNT(*) FROM offer f JOIN org o ON o.id = f.org_id WHERE {}",
        open_condition("$3", "$4")
    )
});
const OFFERS_OF: &str =
    offer_select!("WHERE o.path >= $1 AND o.path < $2 ORDER BY f.id DESC LIMIT $3 OFFSET $4");
const OFFERS_OF_MERCHANT: &str =
    offer_select!("WHERE f.merchant_id = $1 ORDER BY f.id DESC LIMIT $2 OFFSET $3");
const COUNT_OFFERS_OF_MERCHANT: &str = "SELECT COUNT(*) FROM offer WHERE merchant_id = $1";
const COUNT_OFFERS_OF: &str = "SELECT COUNT(*) FROM offer f JOIN org o ON o.id = f.org_id \
     WHERE o.path >= $1 AND o.path < $2";
const SET_STATUS: &str = "UPDATE offer SET status = $2 WHERE id = $1 AND status = $3";
const TAKE_ONE: &str =
    "UPDATE offer SET stock_left = stock_left - 1 WHERE id = $1 AND stock_left > 0";
const WITHDRAW: &str =
    "UPDATE offer SET status = 'withdrawn', stock_left = 0 WHERE id = $1 AND status = 'published'";

pub async fn insert_offer(tx: &mut Tx, o: &NewOffer<'_>) -> Result<OfferId> {
    let created_by = o.created_by.map(|s| s.0);
    tx.query_one::<i64>(
        INSERT_OFFER,
        &[
            &o.org.0,
            &o.merchant_id.0,
            &o.title,
            &o.description,
            o.kind.stored(),
            &o.value,
            &o.stock,
            &o.per_member_limit,
            &o.claim_opens_at,
            &o.claim_closes_at,
            &o.valid_days,
            &o.audience_region,
            &o.audience_tags,
            o.status.stored(),
            &created_by,
            &o.now,
        ],
    )
    .await
    .map(OfferId)
}

pub async fn offer(store: &Store, id: OfferId) -> Result<Option<Offer>> {
    store.query_opt(OFFER, &[&id.0]).await
}

/// Reads an offer in a transaction that claims from it, after locking its row on PostgreSQL
/// (SQLite runs one write transaction at a time).
pub async fn lock_offer(tx: &mut Tx, id: OfferId) -> Result<Option<Offer>> {
    if tx.backend() == Backend::Postgres {
        let found: Option<i64> = tx.query_opt(LOCK_OFFER_PG, &[&id.0]).await?;
        if found.is_none() {
            return Ok(None);
        }
    }
    tx.query_opt(OFFER, &[&id.0]).await
}

/// Takes one from the stock; false when none is left.
pub async fn take_one(tx: &mut Tx, id: OfferId) -> Result<bool> {
    Ok(tx.execute(TAKE_ONE, &[&id.0]).await? == 1)
}

/// A member as an offer's audience sees them: their union's path, where they work, their tags
/// (as `,gig,outdoor,`) and who they are (for their own claims).
#[derive(Debug, Clone, Copy)]
pub struct MemberScope<'a> {
    pub path: &'a OrgPath,
    pub region: &'a str,
    pub tags: &'a str,
    pub worker_id: WorkerId,
}

/// An offer open to a member, with how many coupons of it they hold.
#[derive(Debug, Clone)]
pub struct OpenOffer {
    pub offer: Offer,
    pub claimed: i64,
}

impl FromRow for OpenOffer {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(OpenOffer {
            offer: Offer::from_row(row)?,
            claimed: row.get("claimed")?,
        })
    }
}

/// Published offers a member may see, open or opening, opening soonest first, each with the
/// member's own claims of it: one query for the page and one for the count.
pub async fn open_for(
    store: &Store,
    member: MemberScope<'_>,
    now: DateTime<Utc>,
    limit: i64,
    offset: i64,
) -> Result<Page<OpenOffer>> {
    let path = member.path.as_str();
    let items = store
        .query(
            &OPEN_FOR,
            &[
                &now,
                &path,
                &limit,
                &offset,
                &member.region,
                &member.tags,
                &member.worker_id.0,
            ],
        )
        .await?;
    let total = store
        .query_one(
            &COUNT_OPEN_FOR,
            &[&now, &path, &member.region, &member.tags],
        )
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// The offers made by the unions of a subtree, newest first.
pub async fn offers_of(
    store: &Store,
    scope: &OrgPath,
    limit: i64,
    offset: i64,
) -> Result<Page<Offer>> {
    crate::subtree_page(store, OFFERS_OF, COUNT_OFFERS_OF, scope, limit, offset).await
}

/// The offers of one merchant, newest first.
pub async fn offers_of_merchant(
    store: &Store,
    merchant: MerchantId,
    limit: i64,
    offset: i64,
) -> Result<Page<Offer>> {
    let items = store
        .query(OFFERS_OF_MERCHANT, &[&merchant.0, &limit, &offset])
        .await?;
    let total = store
        .query_one(COUNT_OFFERS_OF_MERCHANT, &[&merchant.0])
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

/// Moves an offer from `from` to `to`; false if it was not in `from`.
pub async fn set_status(
    tx: &mut Tx,
    id: OfferId,
    from: OfferStatus,
    to: OfferStatus,
) -> Result<bool> {
    Ok(tx
        .execute(SET_STATUS, &[&id.0, to.stored(), from.stored()])
        .await?
        == 1)
}

/// Withdraws the unclaimed stock of a published offer; claimed coupons stay valid.
pub async fn withdraw(tx: &mut Tx, id: OfferId) -> Result<bool> {
    Ok(tx.execute(WITHDRAW, &[&id.0]).await? == 1)
}

// ---- coupons -------------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct Coupon {
    pub id: CouponId,
    pub offer_id: OfferId,
    pub offer_title: String,
    pub merchant_id: MerchantId,
    pub merchant_name: String,
    pub worker_id: WorkerId,
    pub worker_name: String,
    pub member_no: Option<String>,
    pub code: String,
    pub status: CouponStatus,
    pub claimed_at: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub redeemed_at: Option<DateTime<Utc>>,
    pub redeemed_merchant_id: Option<MerchantId>,
}

impl FromRow for Coupon {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Coupon {
            id: row.id("id")?,
            offer_id: row.id("offer_id")?,
            offer_title: row.get("offer_title")?,
            merchant_id: row.id("merchant_id")?,
            merchant_name: row.get("merchant_name")?,
            worker_id: row.id("worker_id")?,
            worker_name: row.get("worker_name")?,
            member_no: row.get("member_no")?,
            code: row.get("code")?,
            status: row.parsed("status", CouponStatus::parse)?,
            claimed_at: row.get("claimed_at")?,
            valid_until: row.get("valid_until")?,
            redeemed_at: row.get("redeemed_at")?,
            redeemed_merchant_id: row.id_opt("redeemed_merchant_id")?,
        })
    }
}

macro_rules! coupon_select {
    ($tail:literal) => {
        concat!(
            "SELECT c.id, c.offer_id, f.title AS offer_title, f.merchant_id, \
             m.name AS merchant_name, c.worker_id, w.name AS worker_name, w.member_no, c.code, \
             c.status, c.claimed_at, c.valid_until, c.redeemed_at, c.redeemed_merchant_id \
             FROM coupon c JOIN offer f ON f.id = c.offer_id \
             JOIN merchant m ON m.id = f.merchant_id JOIN worker w ON w.id = c.worker_id ",
            $tail
        )
    };
}

const BY_KEY: &str = coupon_select!("WHERE c.worker_id = $1 AND c.idempotency_key = $2");
const BY_CODE: &str = coupon_select!("WHERE c.code = $1");
const OF_WORKER: &str =
    coupon_select!("WHERE c.worker_id = $1 ORDER BY c.id DESC LIMIT $2 OFFSET $3");
const COUNT_OF_WORKER: &str = "SELECT COUNT(*) FROM coupon WHERE worker_id = $1";
const CLAIMED_BY: &str = "SELECT COUNT(*) FROM coupon WHERE offer_id = $1 AND worker_id = $2";
const INSERT_COUPON: &str = "INSERT INTO coupon (offer_id, worker_id, code, idempotency_key, \
     status, claimed_at, valid_until) VALUES ($1, $2, $3, $4, 'claimed', $5, $6) RETURNING id";
/// Redeems once: only a claimed coupon still valid changes, so of two devices scanning at the
/// same moment exactly one gets the row.
const REDEEM: &str = "UPDATE coupon SET status = 'redeemed', redeemed_at = $2, redeemed_by = $3, \
     redeemed_merchant_id = $4 WHERE id = $1 AND status = 'claimed' AND valid_until > $2";
const EXPIRE_DUE: &str =
    "UPDATE coupon SET status = 'expired' WHERE status = 'claimed' AND valid_until <= $1";
const SETTLEMENT: &str = coupon_select!(
    "WHERE c.redeemed_merchant_id = $1 AND c.redeemed_at >= $2 AND c.redeemed_at < $3 \
     ORDER BY c.redeemed_at, c.id"
);

/// The coupon a worker already claimed with this idempotency key.
pub async fn by_key(tx: &mut Tx, worker_id: WorkerId, key: &str) -> Result<Option<Coupon>> {
    tx.query_opt(BY_KEY, &[&worker_id.0, &key]).await
}

/// The same, outside a transaction (a read before deciding to take the offer's lock).
pub async fn coupon_by_key(
    store: &Store,
    worker_id: WorkerId,
    key: &str,
) -> Result<Option<Coupon>> {
    store.query_opt(BY_KEY, &[&worker_id.0, &key]).await
}

pub async fn by_code(store: &Store, code: &str) -> Result<Option<Coupon>> {
    store.query_opt(BY_CODE, &[&code]).await
}

/// How many coupons of an offer a worker holds (any status).
pub async fn claimed_by(tx: &mut Tx, offer_id: OfferId, worker_id: WorkerId) -> Result<i64> {
    tx.query_one(CLAIMED_BY, &[&offer_id.0, &worker_id.0]).await
}

#[allow(clippy::too_many_arguments)]
pub async fn insert_coupon(
    tx: &mut Tx,
    offer_id: OfferId,
    worker_id: WorkerId,
    code: &str,
    key: &str,
    now: DateTime<Utc>,
    valid_until: DateTime<Utc>,
) -> Result<CouponId> {
    tx.query_one::<i64>(
        INSERT_COUPON,
        &[&offer_id.0, &worker_id.0, &code, &key, &now, &valid_until],
    )
    .await
    .map(CouponId)
}

pub async fn coupon_in(tx: &mut Tx, code: &str) -> Result<Option<Coupon>> {
    tx.query_opt(BY_CODE, &[&code]).await
}

/// A worker's coupons, newest first.
pub async fn of_worker(
    store: &Store,
    worker_id: WorkerId,
    limit: i64,
    offset: i64,
) -> Result<Page<Coupon>> {
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

/// Redeems a coupon for a merchant; false if it was no longer claimable (redeemed by another
/// device first, or expired).
pub async fn redeem(
    tx: &mut Tx,
    id: CouponId,
    staff: Option<StaffId>,
    merchant: MerchantId,
    now: DateTime<Utc>,
) -> Result<bool> {
    let staff = staff.map(|s| s.0);
    Ok(tx
        .execute(REDEEM, &[&id.0, &now, &staff, &merchant.0])
        .await?
        == 1)
}

/// Marks the coupons past their validity expired (the job runner); returns how many.
pub async fn expire_due(tx: &mut Tx, now: DateTime<Utc>) -> Result<u64> {
    tx.execute(EXPIRE_DUE, &[&now]).await
}

/// A merchant's redemptions in `[from, to)`, for its settlement report.
pub async fn settlement(
    store: &Store,
    merchant: MerchantId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Coupon>> {
    store.query(SETTLEMENT, &[&merchant.0, &from, &to]).await
}
