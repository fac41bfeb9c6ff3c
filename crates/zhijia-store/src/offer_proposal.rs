//! Offers proposed by merchants, waiting for their union's decision. See
//! migrations/sqlite/0010_culture.sql. A decision is one conditional UPDATE (`status =
//! 'proposed'`), so two reviewers deciding at once cannot both turn it into an offer.

use crate::db::{FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::org::{OrgId, OrgPath};

#[derive(Debug, Clone, serde::Serialize)]
pub struct Proposal {
    pub id: i64,
    pub merchant_id: i64,
    pub merchant_name: String,
    /// The union that registered the merchant: it (or a union above it) decides.
    pub org_id: OrgId,
    pub org_name: String,
    #[serde(skip)]
    pub org_path: OrgPath,
    pub title: String,
    pub description: String,
    pub kind: String,
    pub value: i64,
    pub stock: i64,
    pub per_member_limit: i64,
    pub claim_opens_at: DateTime<Utc>,
    pub claim_closes_at: DateTime<Utc>,
    pub valid_days: i64,
    /// proposed, approved, rejected, cancelled
    pub status: String,
    pub proposed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The offer an approval made.
    pub offer_id: Option<i64>,
}

impl FromRow for Proposal {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        let path: String = row.get("org_path")?;
        Ok(Proposal {
            id: row.get("id")?,
            merchant_id: row.get("merchant_id")?,
            merchant_name: row.get("merchant_name")?,
            org_id: OrgId(row.get("org_id")?),
            org_name: row.get("org_name")?,
            org_path: OrgPath::from_stored(path).map_err(crate::StoreError::Decode)?,
            title: row.get("title")?,
            description: row.get("description")?,
            kind: row.get("kind")?,
            value: row.get("value")?,
            stock: row.get("stock")?,
            per_member_limit: row.get("per_member_limit")?,
            claim_opens_at: row.get("claim_opens_at")?,
            claim_closes_at: row.get("claim_closes_at")?,
            valid_days: row.get("valid_days")?,
            status: row.get("status")?,
            proposed_at: row.get("proposed_at")?,
            decided_at: row.get("decided_at")?,
            reason: row.get("reason")?,
            offer_id: row.get("offer_id")?,
        })
    }
}

macro_rules! proposal_select {
    ($tail:literal) => {
        concat!(
            "SELECT p.id, p.merchant_id, m.name AS merchant_name, p.org_id, o.name AS org_name, \
             o.path AS org_path, p.title, p.description, p.kind, p.value, p.stock, \
             p.per_member_limit, p.claim_opens_at, p.claim_closes_at, p.valid_days, p.status, \
             p.proposed_at, p.decided_at, p.reason, p.offer_id \
             FROM offer_proposal p JOIN merchant m ON m.id = p.merchant_id \
             JOIN org o ON o.id = p.org_id ",
            $tail
        )
    };
}

/// The terms a merchant proposes.
#[derive(Debug)]
pub struct NewProposal<'a> {
    pub merchant_id: i64,
    pub org: OrgId,
    pub title: &'a str,
    pub description: &'a str,
    pub kind: &'a str,
    pub value: i64,
    pub stock: i64,
    pub per_member_limit: i64,
    pub claim_opens_at: DateTime<Utc>,
    pub claim_closes_at: DateTime<Utc>,
    pub valid_days: i64,
    pub proposed_by: Option<i64>,
    pub now: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, p: &NewProposal<'_>) -> Result<i64> {
    tx.query_one(
        "INSERT INTO offer_proposal (merchant_id, org_id, title, description, kind, value, \
         stock, per_member_limit, claim_opens_at, claim_closes_at, valid_days, status, \
         proposed_by, proposed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'proposed', $12, $13) \
         RETURNING id",
        &[
            &p.merchant_id,
            &p.org.0,
            &p.title,
            &p.description,
            &p.kind,
            &p.value,
            &p.stock,
            &p.per_member_limit,
            &p.claim_opens_at,
            &p.claim_closes_at,
            &p.valid_days,
            &p.proposed_by,
            &p.now,
        ],
    )
    .await
}

const GET: &str = proposal_select!("WHERE p.id = $1");

pub async fn get(store: &Store, id: i64) -> Result<Option<Proposal>> {
    store.query_opt(GET, &[&id]).await
}

/// A merchant's own proposals, newest first.
pub async fn of_merchant(
    store: &Store,
    merchant_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Page<Proposal>> {
    let items = store
        .query(
            proposal_select!("WHERE p.merchant_id = $1 ORDER BY p.id DESC LIMIT $2 OFFSET $3"),
            &[&merchant_id, &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(
            "SELECT COUNT(*) FROM offer_proposal WHERE merchant_id = $1",
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

/// The proposals waiting for a decision from the merchants of a subtree, oldest first.
pub async fn waiting_in(
    store: &Store,
    scope: &OrgPath,
    limit: i64,
    offset: i64,
) -> Result<Page<Proposal>> {
    crate::subtree_page(
        store,
        proposal_select!(
            "WHERE o.path >= $1 AND o.path < $2 AND p.status = 'proposed' \
             ORDER BY p.id LIMIT $3 OFFSET $4"
        ),
        "SELECT COUNT(*) FROM offer_proposal p JOIN org o ON o.id = p.org_id \
         WHERE o.path >= $1 AND o.path < $2 AND p.status = 'proposed'",
        scope,
        limit,
        offset,
    )
    .await
}

/// Marks a waiting proposal approved into `offer`; false when it was no longer waiting.
pub async fn approve(
    tx: &mut Tx,
    id: i64,
    offer: i64,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx
        .execute(
            "UPDATE offer_proposal SET status = 'approved', offer_id = $2, decided_by = $3, \
             decided_at = $4 WHERE id = $1 AND status = 'proposed'",
            &[&id, &offer, &by, &now],
        )
        .await?
        == 1)
}

/// Rejects (with a reason) or, by its merchant, cancels a waiting proposal; false when it was
/// no longer waiting.
pub async fn close(
    tx: &mut Tx,
    id: i64,
    status: &str,
    reason: Option<&str>,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> Result<bool> {
    Ok(tx
        .execute(
            "UPDATE offer_proposal SET status = $2, reason = $3, decided_by = $4, \
             decided_at = $5 WHERE id = $1 AND status = 'proposed'",
            &[&id, &status, &reason, &by, &now],
        )
        .await?
        == 1)
}
