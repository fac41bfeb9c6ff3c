//! A merchant's shops (门店) with their coordinates. See migrations/sqlite/0010_culture.sql.

use crate::db::{FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::ids::{MerchantId, ShopId};

#[derive(Debug, Clone)]
pub struct Shop {
    pub id: ShopId,
    pub merchant_id: MerchantId,
    pub name: String,
    pub address: String,
    /// GCJ-02, as Chinese map services give it.
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub created_at: DateTime<Utc>,
}

impl FromRow for Shop {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Shop {
            id: row.id("id")?,
            merchant_id: row.id("merchant_id")?,
            name: row.get("name")?,
            address: row.get("address")?,
            longitude: row.get("longitude")?,
            latitude: row.get("latitude")?,
            created_at: row.get("created_at")?,
        })
    }
}

pub struct NewShop<'a> {
    pub merchant_id: MerchantId,
    pub name: &'a str,
    pub address: &'a str,
    pub coordinates: Option<(f64, f64)>,
    pub now: DateTime<Utc>,
}

const SELECT: &str =
    "SELECT id, merchant_id, name, address, longitude, latitude, created_at FROM shop ";

pub async fn insert(tx: &mut Tx, s: &NewShop<'_>) -> Result<ShopId> {
    let (lng, lat) = (s.coordinates.map(|c| c.0), s.coordinates.map(|c| c.1));
    tx.query_one::<i64>(
        "INSERT INTO shop (merchant_id, name, address, longitude, latitude, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        &[&s.merchant_id.0, &s.name, &s.address, &lng, &lat, &s.now],
    )
    .await
    .map(ShopId)
}

pub async fn get(store: &Store, id: ShopId) -> Result<Option<Shop>> {
    store
        .query_opt(&format!("{SELECT}WHERE id = $1"), &[&id.0])
        .await
}

/// A merchant's shops, in the order they were added.
pub async fn of_merchant(
    store: &Store,
    merchant_id: MerchantId,
    limit: i64,
    offset: i64,
) -> Result<Page<Shop>> {
    let items = store
        .query(
            &format!("{SELECT}WHERE merchant_id = $1 ORDER BY id LIMIT $2 OFFSET $3"),
            &[&merchant_id.0, &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(
            "SELECT COUNT(*) FROM shop WHERE merchant_id = $1",
            &[&merchant_id.0],
        )
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

pub async fn delete(tx: &mut Tx, id: ShopId) -> Result<bool> {
    Ok(tx
        .execute("DELETE FROM shop WHERE id = $1", &[&id.0])
        .await?
        == 1)
}
