//! What the benefit API answers: views of the store's rows with the JSON's field names, so a
//! column can change without changing the API.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhijia_app::benefit::OfferForMember;
use zhijia_domain::benefit::{OfferKind, OfferStatus, ProposalStatus};
use zhijia_domain::ids::{MerchantId, OfferId, OrgId, ProposalId, ShopId};
use zhijia_store::benefit::proposal::Proposal;
use zhijia_store::benefit::shop::Shop;
use zhijia_store::benefit::{Merchant, Offer};

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MerchantView {
    #[schema(value_type = i64)]
    pub id: MerchantId,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub name: String,
    pub credit_code: String,
    pub address: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Merchant> for MerchantView {
    fn from(m: &Merchant) -> Self {
        MerchantView {
            id: m.id,
            org_id: m.org_id,
            name: m.name.clone(),
            credit_code: m.credit_code.clone(),
            address: m.address.clone(),
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OfferView {
    #[schema(value_type = i64)]
    pub id: OfferId,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    #[schema(value_type = i64)]
    pub merchant_id: MerchantId,
    pub merchant_name: String,
    pub title: String,
    pub description: String,
    #[schema(value_type = String)]
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
    #[schema(value_type = String)]
    pub status: OfferStatus,
    pub created_at: DateTime<Utc>,
}

impl From<&Offer> for OfferView {
    fn from(o: &Offer) -> Self {
        OfferView {
            id: o.id,
            org_id: o.org_id,
            org_name: o.org_name.clone(),
            merchant_id: o.merchant_id,
            merchant_name: o.merchant_name.clone(),
            title: o.title.clone(),
            description: o.description.clone(),
            kind: o.kind,
            value: o.value,
            stock_total: o.stock_total,
            stock_left: o.stock_left,
            per_member_limit: o.per_member_limit,
            claim_opens_at: o.claim_opens_at,
            claim_closes_at: o.claim_closes_at,
            valid_days: o.valid_days,
            audience_region: o.audience_region.clone(),
            audience_tags: o.audience_tags.clone(),
            status: o.status,
            created_at: o.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShopView {
    #[schema(value_type = i64)]
    pub id: ShopId,
    #[schema(value_type = i64)]
    pub merchant_id: MerchantId,
    pub name: String,
    pub address: String,
    /// GCJ-02, as Chinese map services give it.
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
    pub created_at: DateTime<Utc>,
}

impl From<&Shop> for ShopView {
    fn from(s: &Shop) -> Self {
        ShopView {
            id: s.id,
            merchant_id: s.merchant_id,
            name: s.name.clone(),
            address: s.address.clone(),
            longitude: s.longitude,
            latitude: s.latitude,
            created_at: s.created_at,
        }
    }
}

/// An offer as a member's "普惠" list shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OfferForMemberView {
    pub offer: OfferView,
    /// Coupons of it the member holds.
    pub claimed: i64,
    /// Seconds until claims open; 0 when open.
    pub opens_in_seconds: i64,
    /// Where the coupon is used (the merchant's first shops).
    pub shops: Vec<ShopView>,
}

impl From<&OfferForMember> for OfferForMemberView {
    fn from(o: &OfferForMember) -> Self {
        OfferForMemberView {
            offer: OfferView::from(&o.offer),
            claimed: o.claimed,
            opens_in_seconds: o.opens_in_seconds,
            shops: o.shops.iter().map(ShopView::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProposalView {
    #[schema(value_type = i64)]
    pub id: ProposalId,
    #[schema(value_type = i64)]
    pub merchant_id: MerchantId,
    pub merchant_name: String,
    /// The union that registered the merchant: it (or a union above it) decides.
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub title: String,
    pub description: String,
    #[schema(value_type = String)]
    pub kind: OfferKind,
    pub value: i64,
    pub stock: i64,
    pub per_member_limit: i64,
    pub claim_opens_at: DateTime<Utc>,
    pub claim_closes_at: DateTime<Utc>,
    pub valid_days: i64,
    /// proposed, approved, rejected, cancelled
    #[schema(value_type = String)]
    pub status: ProposalStatus,
    pub proposed_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// The offer an approval made.
    #[schema(value_type = Option<i64>)]
    pub offer_id: Option<OfferId>,
}

impl From<&Proposal> for ProposalView {
    fn from(p: &Proposal) -> Self {
        ProposalView {
            id: p.id,
            merchant_id: p.merchant_id,
            merchant_name: p.merchant_name.clone(),
            org_id: p.org_id,
            org_name: p.org_name.clone(),
            title: p.title.clone(),
            description: p.description.clone(),
            kind: p.kind,
            value: p.value,
            stock: p.stock,
            per_member_limit: p.per_member_limit,
            claim_opens_at: p.claim_opens_at,
            claim_closes_at: p.claim_closes_at,
            valid_days: p.valid_days,
            status: p.status,
            proposed_at: p.proposed_at,
            decided_at: p.decided_at,
            reason: p.reason.clone(),
            offer_id: p.offer_id,
        }
    }
}
