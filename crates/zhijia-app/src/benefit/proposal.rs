//! Offers proposed by a merchant (商户提报) and decided by the union: the merchant states the
//! terms (what, how many, when); an editor or administrator of the union that registered it
//! (or of a union above) approves them into an offer for an audience of their choosing, or
//! rejects them with a reason. A proposal is decided once: the decision is a conditional
//! UPDATE in the same transaction as the offer it makes.

use super::{Checked, Ctx, OfferTerms, acting_staff, check_terms, editable_org, own_merchant};
use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::audit::action;
use zhijia_domain::benefit::{Audience, OfferStatus, ProposalStatus};
use zhijia_domain::ids::{OfferId, ProposalId};
use zhijia_store::Page;
use zhijia_store::audit::{self, Record};
use zhijia_store::benefit as offer_store;
use zhijia_store::benefit::proposal::{self as store, NewProposal, Proposal};
use zhijia_store::org::Org;

/// Proposes an offer for the merchant of the calling `merchant_staff` account; audited.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn propose(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    terms: &OfferTerms,
    now: DateTime<Utc>,
) -> Result<ProposalId> {
    let merchant = own_merchant(ctx, staff).await?;
    let t = check_terms(terms, now)?;
    let mut tx = ctx.db.change().await?;
    let id = store::insert(
        &mut tx,
        &NewProposal {
            merchant_id: merchant.id,
            org: merchant.org_id,
            title: &t.title,
            description: &t.description,
            kind: t.kind,
            value: t.value,
            stock: t.stock,
            per_member_limit: t.per_member_limit,
            claim_opens_at: t.opens,
            claim_closes_at: t.closes,
            valid_days: t.valid_days,
            proposed_by: acting_staff(staff),
            now,
        },
    )
    .await?;
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::OFFER_PROPOSED,
            org: Some(merchant.org_id),
            target_kind: Some("offer_proposal"),
            target_id: Some(id.to_string()),
            detail: Some(format!("{} {}", merchant.name, t.title)),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// The calling merchant's own proposals, newest first, with their decisions.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mine(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Page<Proposal>> {
    let merchant = own_merchant(ctx, staff).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 30);
    Ok(store::of_merchant(ctx.db, merchant.id, limit, offset).await?)
}

/// Withdraws one of the calling merchant's proposals while it waits.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn cancel(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: ProposalId,
    now: DateTime<Utc>,
) -> Result<()> {
    let merchant = own_merchant(ctx, staff).await?;
    let p = store::get(ctx.db, id)
        .await?
        .filter(|p| p.merchant_id == merchant.id)
        .ok_or(AppError::NotFound("提报"))?;
    let mut tx = ctx.db.change().await?;
    if !store::close(
        &mut tx,
        p.id,
        ProposalStatus::Cancelled,
        None,
        acting_staff(staff),
        now,
    )
    .await?
    {
        return Err(AppError::Conflict("该提报已处理，不能撤回".into()));
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::OFFER_PROPOSAL_CANCELLED,
            org: Some(p.org_id),
            target_kind: Some("offer_proposal"),
            target_id: Some(p.id.to_string()),
            detail: Some(p.title),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}

/// The proposals waiting in a union's subtree, for its editors.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn waiting(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    org: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<(Org, Page<Proposal>)> {
    let org = editable_org(ctx, staff, org).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 30);
    let page = store::waiting_in(ctx.db, &org.path, limit, offset).await?;
    Ok((org, page))
}

/// A proposal the caller may decide: its merchant's union is in the caller's editable subtree.
async fn decidable(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, id: ProposalId) -> Result<Proposal> {
    store::get(ctx.db, id)
        .await?
        .filter(|p| staff.may_edit(&p.org_path))
        .ok_or(AppError::NotFound("提报"))
}

/// What the union adds when it approves: whose members the offer is for, and whether it is
/// published at once.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct Approval {
    /// The union whose subtree the offer is for; the merchant's union by default.
    pub org: Option<i64>,
    /// A region code prefix members must work in ("4401").
    pub audience_region: Option<String>,
    /// Member tags, any of which qualifies.
    pub audience_tags: Vec<String>,
    pub publish: bool,
}

/// Approves a waiting proposal into an offer (draft or published) with the given audience.
/// Its terms are checked again: a claim window that has closed meanwhile is refused.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn approve(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: ProposalId,
    approval: &Approval,
    now: DateTime<Utc>,
) -> Result<OfferId> {
    let p = decidable(ctx, staff, id).await?;
    if p.status != ProposalStatus::Proposed {
        return Err(AppError::Conflict("该提报已处理".into()));
    }
    let audience = Audience::parse(approval.audience_region.as_deref(), &approval.audience_tags)?;
    let org = editable_org(ctx, staff, approval.org.or(Some(p.org_id.0))).await?;
    let terms = OfferTerms {
        title: p.title.clone(),
        description: p.description.clone(),
        kind: p.kind.as_str().to_owned(),
        value: p.value,
        stock: p.stock,
        per_member_limit: p.per_member_limit,
        claim_opens_at: Some(p.claim_opens_at.max(now)),
        claim_closes_at: Some(p.claim_closes_at),
        valid_days: p.valid_days,
    };
    let t: Checked = check_terms(&terms, now).map_err(|e| match e {
        AppError::Invalid(v) if v.field == "claim_closes_at" => {
            AppError::Conflict("该提报的领取截止时间已过，请驳回并请商户重新提报".into())
        }
        other => other,
    })?;
    let status = if approval.publish {
        OfferStatus::Published
    } else {
        OfferStatus::Draft
    };
    let tags = audience.tags_stored();
    let mut tx = ctx.db.change().await?;
    let offer = offer_store::insert_offer(
        &mut tx,
        &t.offer(
            org.id,
            p.merchant_id,
            (audience.region.as_deref(), tags.as_deref()),
            status,
            acting_staff(staff),
            now,
        ),
    )
    .await?;
    if !store::approve(&mut tx, p.id, offer, acting_staff(staff), now).await? {
        // Another reviewer decided first; dropping the transaction drops this offer too.
        return Err(AppError::Conflict("该提报已处理".into()));
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::OFFER_PROPOSAL_APPROVED,
            org: Some(org.id),
            target_kind: Some("offer_proposal"),
            target_id: Some(p.id.to_string()),
            detail: Some(format!("{} → 优惠 {offer}", p.title)),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(offer)
}

/// Rejects a waiting proposal with a reason the merchant reads.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn reject(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: ProposalId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let reason = super::text("reason", "驳回理由", reason, 200)?;
    let p = decidable(ctx, staff, id).await?;
    let mut tx = ctx.db.change().await?;
    if !store::close(
        &mut tx,
        p.id,
        ProposalStatus::Rejected,
        Some(&reason),
        acting_staff(staff),
        now,
    )
    .await?
    {
        return Err(AppError::Conflict("该提报已处理".into()));
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::OFFER_PROPOSAL_REJECTED,
            org: Some(p.org_id),
            target_kind: Some("offer_proposal"),
            target_id: Some(p.id.to_string()),
            detail: Some(format!("{}：{reason}", p.title)),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}
