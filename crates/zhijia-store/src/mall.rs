//! The points mall: items bought with points, and the orders. See
//! migrations/sqlite/0009_mall.sql. An order locks the item's row first ([`lock_item`]), as a
//! coupon claim locks its offer.

use crate::db::{Backend, FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::org::{OrgId, OrgPath};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Item {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: OrgPath,
    pub title: String,
    pub description: String,
    pub points: i64,
    pub stock_total: i64,
    pub stock_left: i64,
    pub per_member_limit: i64,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Item {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        let path: String = row.get("org_path")?;
        Ok(Item {
            id: row.get("id")?,
            org_id: OrgId(row.get("org_id")?),
            org_name: row.get("org_name")?,
            org_path: OrgPath::from_stored(path).map_err(crate::StoreError::Decode)?,
            title: row.get("title")?,
            description: row.get("description")?,
            points: row.get("points")?,
            stock_total: row.get("stock_total")?,
            stock_left: row.get("stock_left")?,
            per_member_limit: row.get("per_member_limit")?,
            status: row.get("status")?,
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
    pub created_by: Option<i64>,
    pub now: DateTime<Utc>,
}

pub async fn insert_item(tx: &mut Tx, i: &NewItem<'_>) -> Result<i64> {
    tx.query_one(
        INSERT_ITEM,
        &[
            &i.org.0,
            &i.title,
            &i.description,
            &i.points,
            &i.stock,
            &i.per_member_limit,
            &i.created_by,
            &i.now,
        ],
    )
    .await
}

pub async fn item(store: &Store, id: i64) -> Result<Option<Item>> {
    store.query_opt(ITEM, &[&id]).await
}

/// Reads an item in a transaction that orders it, after locking its row on PostgreSQL.
pub async fn lock_item(tx: &mut Tx, id: i64) -> Result<Option<Item>> {
    if tx.backend() == Backend::Postgres {
        let found: Option<i64> = tx.query_opt(LOCK_ITEM_PG, &[&id]).await?;
        if found.is_none() {
            return Ok(None);
        }
    }
    tx.query_opt(ITEM, &[&id]).await
}

pub async fn take_one(tx: &mut Tx, id: i64) -> Result<bool> {
    Ok(tx.execute(TAKE_ONE, &[&id]).await? == 1)
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

#[derive(Debug, Clone, serde::Serialize)]
pub struct Order {
    pub id: i64,
    pub item_id: i64,
    pub item_title: String,
    pub points: i64,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Order {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Order {
            id: row.get("id")?,
            item_id: row.get("item_id")?,
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

pub async fn order_by_key(tx: &mut Tx, worker_id: i64, key: &str) -> Result<Option<Order>> {
    tx.query_opt(ORDER_BY_KEY, &[&worker_id, &key]).await
}

pub async fn ordered_by(tx: &mut Tx, item_id: i64, worker_id: i64) -> Result<i64> {
    tx.query_one(ORDERED_BY, &[&item_id, &worker_id]).await
}

pub async fn insert_order(
    tx: &mut Tx,
    item_id: i64,
    worker_id: i64,
    points: i64,
    key: &str,
    now: DateTime<Utc>,
) -> Result<i64> {
    tx.query_one(INSERT_ORDER, &[&item_id, &worker_id, &points, &key, &now])
        .await
}

/// A member's orders, newest first.
pub async fn orders_of(
    store: &Store,
    worker_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Page<Order>> {
    let items = store
        .query(ORDERS_OF, &[&worker_id, &limit, &offset])
        .await?;
    let total = store.query_one(COUNT_ORDERS_OF, &[&worker_id]).await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}
