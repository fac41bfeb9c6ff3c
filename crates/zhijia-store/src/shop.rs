//! A merchant's shops (门店) with their coordinates. See migrations/sqlite/0010_culture.sql.

use crate::db::{FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Shop {
    pub id: i64,
    pub merchant_id: i64,
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
            id: row.get("id")?,
            merchant_id: row.get("merchant_id")?,
            name: row.get("name")?,
            address: row.get("address")?,
            longitude: row.get("longitude")?,
            latitude: row.get("latitude")?,
            created_at: row.get("created_at")?,
        })
    }
}

pub struct NewShop<'a> {
    pub merchant_id: i64,
    pub name: &'a str,
    pub address: &'a str,
    pub coordinates: Option<(f64, f64)>,
    pub now: DateTime<Utc>,
}

const SELECT: &str =
    "SELECT id, merchant_id, name, address, longitude, latitude, created_at FROM shop ";

pub async fn insert(tx: &mut Tx, s: &NewShop<'_>) -> Result<i64> {
    let (lng, lat) = (s.coordinates.map(|c| c.0), s.coordinates.map(|c| c.1));
    tx.query_one(
        "INSERT INTO shop (merchant_id, name, address, longitude, latitude, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        &[&s.merchant_id, &s.name, &s.address, &lng, &lat, &s.now],
    )
    .await
}

pub async fn get(store: &Store, id: i64) -> Result<Option<Shop>> {
    store
        .query_opt(&format!("{SELECT}WHERE id = $1"), &[&id])
        .await
}

/// A merchant's shops, in the order they were added.
pub async fn of_merchant(
    store: &Store,
    merchant_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Page<Shop>> {
    let items = store
        .query(
            &format!("{SELECT}WHERE merchant_id = $1 ORDER BY id LIMIT $2 OFFSET $3"),
            &[&merchant_id, &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(
            "SELECT COUNT(*) FROM shop WHERE merchant_id = $1",
            &[&merchant_id],
        )
        .await?;
    Ok(Page {
        items,
        total,
        offset,
        limit,
    })
}

pub async fn delete(tx: &mut Tx, id: i64) -> Result<bool> {
    Ok(tx.execute("DELETE FROM shop WHERE id = $1", &[&id]).await? == 1)
}
