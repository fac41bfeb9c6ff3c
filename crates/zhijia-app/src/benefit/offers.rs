//! Offers: terms checked, created, published and withdrawn by the union.

use super::*;

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OfferInput {
    /// The union whose members it is for (its whole subtree).
    pub org: Option<i64>,
    #[schema(value_type = i64)]
    pub merchant_id: MerchantId,
    /// What it gives, how many, when (the same fields a merchant proposes, at the top level).
    #[serde(flatten)]
    pub terms: OfferTerms,
    /// A region code prefix members must work in ("4401").
    pub audience_region: Option<String>,
    /// Member tags, any of which qualifies: `gig`, `outdoor`, `new_member`, `retired`,
    /// `model_worker`.
    pub audience_tags: Vec<String>,
    /// Publish at once rather than keep as a draft.
    pub publish: bool,
}

/// A missing merchant names no merchant (id 0): the offer is refused as "not found".
impl Default for OfferInput {
    fn default() -> Self {
        OfferInput {
            org: None,
            merchant_id: MerchantId(0),
            terms: OfferTerms::default(),
            audience_region: None,
            audience_tags: Vec::new(),
            publish: false,
        }
    }
}

/// What a coupon batch gives, how many, to each member at most, and when: the part of an offer
/// a merchant may propose (the union adds the audience).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OfferTerms {
    pub title: String,
    pub description: String,
    /// `discount`, `fixed_amount`, `free_item` or `service_voucher`.
    pub kind: String,
    /// Percent paid for a discount (1–99), fen off for a fixed amount, else 0.
    pub value: i64,
    pub stock: i64,
    pub per_member_limit: i64,
    pub claim_opens_at: Option<DateTime<Utc>>,
    pub claim_closes_at: Option<DateTime<Utc>>,
    /// Days a claimed coupon stays valid.
    pub valid_days: i64,
}

/// Terms that passed the rules.
pub(crate) struct Checked {
    pub title: String,
    pub description: String,
    pub kind: OfferKind,
    pub value: i64,
    pub stock: i64,
    pub per_member_limit: i64,
    pub opens: DateTime<Utc>,
    pub closes: DateTime<Utc>,
    pub valid_days: i64,
}

impl Checked {
    /// The offer these terms make for a union, an audience (region prefix, stored tags) and
    /// a first status.
    pub(crate) fn offer<'a>(
        &'a self,
        org: OrgId,
        merchant_id: MerchantId,
        audience: (Option<&'a str>, Option<&'a str>),
        status: OfferStatus,
        created_by: Option<StaffId>,
        now: DateTime<Utc>,
    ) -> NewOffer<'a> {
        NewOffer {
            org,
            merchant_id,
            title: &self.title,
            description: &self.description,
            kind: self.kind,
            value: self.value,
            stock: self.stock,
            per_member_limit: self.per_member_limit,
            claim_opens_at: self.opens,
            claim_closes_at: self.closes,
            valid_days: self.valid_days,
            audience_region: audience.0,
            audience_tags: audience.1,
            status,
            created_by,
            now,
        }
    }
}

pub(crate) fn check_terms(input: &OfferTerms, now: DateTime<Utc>) -> Result<Checked> {
    let title = text("title", "优惠名称", &input.title, 60)?;
    let description = input.description.trim().to_owned();
    if description.chars().count() > 2000 {
        return Err(AppError::invalid("description", "说明不能超过2000个字"));
    }
    let kind = OfferKind::parse(input.kind.trim())
        .ok_or_else(|| AppError::invalid("kind", "请选择优惠类型"))?;
    let value_ok = match kind {
        OfferKind::Discount => (1..=99).contains(&input.value),
        OfferKind::FixedAmount => (1..=100_000_000).contains(&input.value),
        OfferKind::FreeItem | OfferKind::ServiceVoucher => input.value == 0,
    };
    if !value_ok {
        return Err(AppError::invalid(
            "value",
            "折扣填实付百分比(1–99)，立减填金额(分)，免费领取和服务券填0",
        ));
    }
    if !(1..=rules::MAX_STOCK).contains(&input.stock) {
        return Err(AppError::invalid("stock", "库存应为1到10000000"));
    }
    if !(1..=100).contains(&input.per_member_limit) {
        return Err(AppError::invalid(
            "per_member_limit",
            "每人限领应为1到100张",
        ));
    }
    if !(1..=366).contains(&input.valid_days) {
        return Err(AppError::invalid("valid_days", "有效期应为1到366天"));
    }
    let opens = input.claim_opens_at.unwrap_or(now);
    let closes = input
        .claim_closes_at
        .ok_or_else(|| AppError::invalid("claim_closes_at", "请填写领取截止时间"))?;
    if closes <= opens {
        return Err(AppError::invalid(
            "claim_closes_at",
            "领取截止时间应晚于开抢时间",
        ));
    }
    Ok(Checked {
        title,
        description,
        kind,
        value: input.value,
        stock: input.stock,
        per_member_limit: input.per_member_limit,
        opens,
        closes,
        valid_days: input.valid_days,
    })
}

/// Makes an offer (a coupon batch) for the members of a union's subtree.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_offer(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    input: &OfferInput,
    now: DateTime<Utc>,
) -> Result<OfferId> {
    let t = check_terms(&input.terms, now)?;
    let audience = Audience::parse(input.audience_region.as_deref(), &input.audience_tags)?;
    let merchant = store::merchant(ctx.db, input.merchant_id)
        .await?
        .ok_or(AppError::NotFound("商户"))?;
    let org = editable_org(ctx, staff, input.org).await?;
    let merchant_org = org_store::get(ctx.db, merchant.org_id)
        .await?
        .ok_or(AppError::NotFound("商户"))?;
    if !staff
        .grants
        .iter()
        .any(|g| g.org_path.contains(&merchant_org.path))
    {
        return Err(AppError::NotFound("商户"));
    }
    let status = if input.publish {
        OfferStatus::Published
    } else {
        OfferStatus::Draft
    };
    let tags_stored = audience.tags_stored();
    let mut tx = ctx.db.change().await?;
    let id = store::insert_offer(
        &mut tx,
        &t.offer(
            org.id,
            merchant.id,
            (audience.region.as_deref(), tags_stored.as_deref()),
            status,
            acting_staff(staff),
            now,
        ),
    )
    .await?;
    let recorded = log(
        &mut tx,
        staff,
        action::OFFER_CREATED,
        org.id,
        "offer",
        id,
        t.title,
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

pub(super) async fn editable_offer(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: OfferId,
) -> Result<Offer> {
    let o = store::offer(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("优惠"))?;
    if !staff.may_edit(&o.org_path) {
        return Err(AppError::NotFound("优惠"));
    }
    Ok(o)
}

/// Publishes a draft; withdraws the unclaimed stock of a published offer.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn set_published(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: OfferId,
    publish: bool,
) -> Result<Offer> {
    let o = editable_offer(ctx, staff, id).await?;
    let mut tx = ctx.db.change().await?;
    let done = if publish {
        store::set_status(&mut tx, id, OfferStatus::Draft, OfferStatus::Published).await?
    } else {
        store::withdraw(&mut tx, id).await?
    };
    if !done {
        return Err(AppError::Conflict(if publish {
            "只有草稿可以发布".into()
        } else {
            "只有已发布的优惠可以撤回".into()
        }));
    }
    let what = if publish {
        action::OFFER_PUBLISHED
    } else {
        action::OFFER_WITHDRAWN
    };
    let recorded = log(&mut tx, staff, what, o.org_id, "offer", id, o.title).await?;
    tx.commit(recorded).await?;
    store::offer(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("优惠"))
}

/// The offers of a union's subtree, for its editors.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn offers(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    org: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<(Org, zhijia_store::Page<Offer>)> {
    let org = editable_org(ctx, staff, org).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 30);
    let page = store::offers_of(ctx.db, &org.path, limit, offset).await?;
    Ok((org, page))
}
