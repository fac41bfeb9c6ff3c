//! Offers proposed by merchants, waiting for their union's decision. See
//! migrations/sqlite/0010_culture.sql. A decision is one conditional UPDATE (`status =
//! 'proposed'`), so two reviewers deciding at once cannot both turn it into an offer.

use crate::db::{FromRow, Row, Store, Tx};
use crate::{Page, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::benefit::{OfferKind, ProposalStatus};
use zhijia_domain::ids::{MerchantId, OfferId, ProposalId, StaffId};
use zhijia_domain::org::{OrgId, OrgPath};

#[derive(Debug, Clone)]
pub struct Proposal {
    pub id: ProposalId,
    pub merchant_id: MerchantId,
    pub merchant_name: String,
    /// The union that registered the merchant: it (or a union above it) decides.
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: OrgPath,
    pub title: String,
    pub description: String,
    pub kind: OfferKind,
    pub value: i64,
    pub stock: i64,
    pub per_member_limit: i64,
    pub claim_opens_at: DateTime<Utc>,
    pub claim_closes_at: DateTime<Utc>,
    pub valid_days: i64,
    pub status: ProposalStatus,
    pub proposed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The offer an approval made.
    pub offer_id: Option<OfferId>,
}

impl FromRow for Proposal {
    fn from_row(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Proposal {
            id: row.id("id")?,
            merchant_id: row.id("merchant_id")?,
            merchant_name: row.get("merchant_name")?,
            org_id: row.id("org_id")?,
            org_name: row.get("org_name")?,
            org_path: row.org_path("org_path")?,
            title: row.get("title")?,
            description: row.get("description")?,
            kind: row.parsed("kind", OfferKind::parse)?,
            value: row.get("value")?,
            stock: row.get("stock")?,
            per_member_limit: row.get("per_member_limit")?,
            claim_opens_at: row.get("claim_opens_at")?,
            claim_closes_at: row.get("claim_closes_at")?,
            valid_days: row.get("valid_days")?,
            status: row.parsed("status", ProposalStatus::parse)?,
            proposed_at: row.get("proposed_at")?,
            decided_at: row.get("decided_at")?,
            reason: row.get("reason")?,
            offer_id: row.id_opt("offer_id")?,
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
    pub merchant_id: MerchantId,
    pub org: OrgId,
    pub title: &'a str,
    pub description: &'a str,
    pub kind: OfferKind,
    pub value: i64,
    pub stock: i64,
    pub per_member_limit: i64,
    pub claim_opens_at: DateTime<Utc>,
    pub claim_closes_at: DateTime<Utc>,
    pub valid_days: i64,
    pub proposed_by: Option<StaffId>,
    pub now: DateTime<Utc>,
}

pub async fn insert(tx: &mut Tx, p: &NewProposal<'_>) -> Result<ProposalId> {
    let proposed_by = p.proposed_by.map(|s| s.0);
    tx.query_one::<i64>(
        "INSERT INTO offer_proposal (merchant_id, org_id, title, description, kind, value, \
         stock, per_member_limit, claim_opens_at, claim_closes_at, valid_days, status, \
         proposed_by, proposed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'proposed', $12, $13) \
         RETURNING id",
        &[
            &p.merchant_id.0,
            &p.org.0,
            &p.title,
            &p.description,
            p.kind.stored(),
            &p.value,
            &p.stock,
            &p.per_member_limit,
            &p.claim_opens_at,
            &p.claim_closes_at,
            &p.valid_days,
            &proposed_by,
            &p.now,
        ],
    )
    .await
    .map(ProposalId)
}

const GET: &str = proposal_select!("WHERE p.id = $1");

pub async fn get(store: &Store, id: ProposalId) -> Result<Option<Proposal>> {
    store.query_opt(GET, &[&id.0]).await
}

/// A merchant's own proposals, newest first.
pub async fn of_merchant(
    store: &Store,
    merchant_id: MerchantId,
    limit: i64,
    offset: i64,
) -> Result<Page<Proposal>> {
    let items = store
        .query(
            proposal_select!("WHERE p.merchant_id = $1 ORDER BY p.id DESC LIMIT $2 OFFSET $3"),
            &[&merchant_id.0, &limit, &offset],
        )
        .await?;
    let total = store
        .query_one(
            "SELECT COUNT(*) FROM offer_proposal WHERE merchant_id = $1",
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
    id: ProposalId,
    offer: OfferId,
    by: Option<StaffId>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let by = by.map(|s| s.0);
    Ok(tx
        .execute(
            "UPDATE offer_proposal SET status = 'approved', offer_id = $2, decided_by = $3, \
             decided_at = $4 WHERE id = $1 AND status = 'proposed'",
            &[&id.0, &offer.0, &by, &now],
        )
        .await?
        == 1)
}

/// Rejects (with a reason) or, by its merchant, cancels a waiting proposal; false when it was
/// no longer waiting.
pub async fn close(
    tx: &mut Tx,
    id: ProposalId,
    status: ProposalStatus,
    reason: Option<&str>,
    by: Option<StaffId>,
    now: DateTime<Utc>,
) -> Result<bool> {
    let by = by.map(|s| s.0);
    Ok(tx
        .execute(
            "UPDATE offer_proposal SET status = $2, reason = $3, decided_by = $4, \
             decided_at = $5 WHERE id = $1 AND status = 'proposed'",
            &[&id.0, status.stored(), &reason, &by, &now],
        )
        .await?
        == 1)
}
