//! The points mall: items bought with points, and the orders. See
//! migrations/sqlite/0009_mall.sql. An order locks the item's row first ([`lock_item`]), as a
//! coupon claim locks its offer.

use crate::db::{Backend, FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::ids::{MallItemId, MallOrderId, StaffId, WorkerId};
use zhijia_domain::org::{OrgId, OrgPath};
use zhijia_domain::points::MallItemStatus;

#[derive(Debug, Clone)]
pub struct Item {
    pub id: MallItemId,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: OrgPath,
    pub title: String,
    pub description: String,
    pub points: i64,
    pub stock_total: i64,
    pub stock_left: i64,
    pub per_member_limit: i64,
    pub status: MallItemStatus,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Item {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Item {
            id: row.id("id")?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            org_path: row.org_path("org_path")?,
            title: row.get("title")?,
            description: row.get("description")?,
            points: row.get("points")?,
            stock_total: row.get("stock_total")?,
            stock_left: row.get("stock_left")?,
            per_member_limit: row.get("per_member_limit")?,
            status: row.parsed("status", MallItemStatus::parse)?,
            created_at: row.get("created_at")?,
        })
    }
}

macro_rules! item_select {
    ($tail:literal) => {
        concat!(
            "SELECT i.id, i.org_id, o.name AS org_name, o.path AS org_path, i.title, \
             i.description, i.points, i.stock_total, i.stock_left, i.per_member_limit, \
             i.status, i.created_at FROM mall_item i JOIN org o ON o.id = i.org_id ",
            $tail
        )
    };
}

const INSERT_ITEM: &str = "INSERT INTO mall_item (org_id, title, description, points, \
     stock_total, stock_left, per_member_limit, status, created_by, created_at) \
     VALUES ($1, $2, $3, $4, $5, $5, $6, 'on_sale', $7, $8) RETURNING id";
const ITEM: &str = item_select!("WHERE i.id = $1");
const LOCK_ITEM_PG: &str = "SELECT id FROM mall_item WHERE id = $1 FOR UPDATE";
const FOR_MEMBER: &str = item_select!(
    "WHERE i.status = 'on_sale' AND $1 LIKE o.path || '%' ORDER BY i.points, i.id LIMIT $2 OFFSET $3"
);
const OF_SUBTREE: &str =
    item_select!("WHERE o.path >= $1 AND o.path < $2 ORDER BY i.id DESC LIMIT $3 OFFSET $4");
const COUNT_OF_SUBTREE: &str = "SELECT COUNT(*) FROM mall_item i JOIN org o ON o.id = i.org_id \
     WHERE o.path >= $1 AND o.path < $2";
const TAKE_ONE: &str =
    "UPDATE mall_item SET stock_left = stock_left - 1 WHERE id = $1 AND stock_left > 0";

/// An item being put on sale.
#[derive(Debug)]
pub struct NewItem<'a> {
    pub org: OrgId,
    pub title: &'a str,
    pub description: &'a str,
    pub points: i64,
    pub stock: i64,
    pub per_member_limit: i64,
    pub created_by: Option<StaffId>,
    pub now: DateTime<Utc>,
}

pub async fn insert_item(tx: &mut Tx, i: &NewItem<'_>) -> Result<MallItemId> {
    let created_by = i.created_by.map(|s| s.0);
    tx.query_one::<i64>(
        INSERT_ITEM,
        &[
            &i.org.0,
            &i.title,
            &i.description,
            &i.points,
            &i.stock,
            &i.per_member_limit,
            &created_by,
            &i.now,
        ],
    )
    .await
    .map(MallItemId)
}

pub async fn item(store: &Store, id: MallItemId) -> Result<Option<Item>> {
    store.query_opt(ITEM, &[&id.0]).await
}

/// Reads an item in a transaction that orders it, after locking its row on PostgreSQL.
pub async fn lock_item(tx: &mut Tx, id: MallItemId) -> Result<Option<Item>> {
    if tx.backend() == Backend::Postgres {
        let found: Option<i64> = tx.query_opt(LOCK_ITEM_PG, &[&id.0]).await?;
        if found.is_none() {
            return Ok(None);
        }
    }
    tx.query_opt(ITEM, &[&id.0]).await
}

pub async fn take_one(tx: &mut Tx, id: MallItemId) -> Result<bool> {
    Ok(tx.execute(TAKE_ONE, &[&id.0]).await? == 1)
}

/// Items on sale to a member whose union is at `member_path` (offered by it or a union above).
pub async fn for_member(
    store: &Store,
    member_path: &OrgPath,
    limit: i64,
    offset: i64,
) -> Result<Vec<Item>> {
    store
        .query(FOR_MEMBER, &[&member_path.as_str(), &limit, &offset])
        .await
}

/// The items of a subtree's unions, newest first.
pub async fn of_subtree(
    store: &Store,
    scope: &OrgPath,
    limit: i64,
    offset: i64,
) -> Result<Page<Item>> {
    crate::subtree_page(store, OF_SUBTREE, COUNT_OF_SUBTREE, scope, limit, offset).await
}

#[derive(Debug, Clone)]
pub struct Order {
    pub id: MallOrderId,
    pub item_id: MallItemId,
    pub item_title: String,
    pub points: i64,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Order {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Order {
            id: row.id("id")?,
            item_id: row.id("item_id")?,
            item_title: row.get("item_title")?,
            points: row.get("points")?,
            created_at: row.get("created_at")?,
        })
    }
}

const ORDER_BY_KEY: &str = "SELECT r.id, r.item_id, i.title AS item_title, r.points, \
     r.created_at FROM mall_order r JOIN mall_item i ON i.id = r.item_id \
     WHERE r.worker_id = $1 AND r.idempotency_key = $2";
const ORDERED_BY: &str = "SELECT COUNT(*) FROM mall_order WHERE item_id = $1 AND worker_id = $2";
const INSERT_ORDER: &str = "INSERT INTO mall_order (item_id, worker_id, points, \
     idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id";
const ORDERS_OF: &str = "SELECT r.id, r.item_id, i.title AS item_title, r.points, r.created_at \
     FROM mall_order r JOIN mall_item i ON i.id = r.item_id WHERE r.worker_id = $1 \
     ORDER BY r.id DESC LIMIT $2 OFFSET $3";
const COUNT_ORDERS_OF: &str = "SELECT COUNT(*) FROM mall_order WHERE worker_id = $1";

pub async fn order_by_key(tx: &mut Tx, worker_id: WorkerId, key: &str) -> Result<Option<Order>> {
    tx.query_opt(ORDER_BY_KEY, &[&worker_id.0, &key]).await
}

pub async fn ordered_by(tx: &mut Tx, item_id: MallItemId, worker_id: WorkerId) -> Result<i64> {
    tx.query_one(ORDERED_BY, &[&item_id.0, &worker_id.0]).await
}

pub async fn insert_order(
    tx: &mut Tx,
    item_id: MallItemId,
    worker_id: WorkerId,
    points: i64,
    key: &str,
    now: DateTime<Utc>,
) -> Result<MallOrderId> {
    tx.query_one::<i64>(
        INSERT_ORDER,
        &[&item_id.0, &worker_id.0, &points, &key, &now],
    )
    .await
    .map(MallOrderId)
}

/// A member's orders, newest first.
pub async fn orders_of(
    store: &Store,
    worker_id: WorkerId,
    limit: i64,
    offset: i64,
) -> Result<Page<Order>> {
    let items = store
        .query(ORDERS_OF, &[&worker_id.0, &limit, &offset])
        .await?;
    let total = store.query_one(COUNT_ORDERS_OF, &[&worker_id.0]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}
