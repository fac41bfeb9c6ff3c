//! What members see and claim: the offers aimed at them, and their coupons.

use super::*;
use zhijia_domain::benefit::CouponStatus;
use zhijia_domain::ids::WorkerId;

/// A member as the audience rules and the claim see them.
pub(super) struct Member {
    worker_id: WorkerId,
    path: OrgPath,
    facts: MemberFacts,
}

pub(super) async fn member(ctx: &Ctx<'_>, phone: &str, now: DateTime<Utc>) -> Result<Member> {
    let m = crate::audience::member(ctx.db, phone, now, "普惠优惠面向工会会员，请先入会").await?;
    Ok(Member {
        worker_id: m.worker.id,
        path: m.org.path,
        facts: m.facts,
    })
}

pub(super) fn admits(o: &Offer, m: &Member) -> bool {
    o.org_path.contains(&m.path)
        && Audience::from_stored(o.audience_region.as_deref(), o.audience_tags.as_deref())
            .admits(&m.facts)
}

/// An offer as a member's "普惠" list shows it.
#[derive(Debug, Clone)]
pub struct OfferForMember {
    pub offer: Offer,
    /// Coupons of it the member holds.
    pub claimed: i64,
    /// Seconds until claims open; 0 when open.
    pub opens_in_seconds: i64,
    /// Where the coupon is used (the merchant's first shops).
    pub shops: Vec<zhijia_store::benefit::shop::Shop>,
}

/// The published offers a member may claim (in their audience), open or opening soon, opening
/// soonest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn available(
    ctx: &Ctx<'_>,
    phone: &str,
    now: DateTime<Utc>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<zhijia_store::Page<OfferForMember>> {
    let m = member(ctx, phone, now).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 30);
    let tags = m.facts.tags_delimited();
    let scope = store::MemberScope {
        path: &m.path,
        region: m.facts.region.as_deref().unwrap_or_default(),
        tags: &tags,
        worker_id: m.worker_id,
    };
    let page = store::open_for(ctx.db, scope, now, limit, offset).await?;
    // Offers of one merchant share its shops: read them once per merchant on the page.
    let mut shops: std::collections::HashMap<MerchantId, Vec<zhijia_store::benefit::shop::Shop>> =
        std::collections::HashMap::new();
    let mut items = Vec::new();
    for o in page.items {
        let merchant = o.offer.merchant_id;
        if let std::collections::hash_map::Entry::Vacant(v) = shops.entry(merchant) {
            v.insert(shop::for_offer(ctx, merchant).await?);
        }
        items.push(OfferForMember {
            opens_in_seconds: (o.offer.claim_opens_at - now).num_seconds().max(0),
            shops: shops.get(&merchant).cloned().unwrap_or_default(),
            claimed: o.claimed,
            offer: o.offer,
        });
    }
    Ok(zhijia_store::Page {
        items,
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    })
}

/// A member's coupon, with a freshly signed QR payload while it can be used.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ClaimedCoupon {
    #[schema(value_type = i64)]
    pub id: CouponId,
    #[schema(value_type = i64)]
    pub offer_id: OfferId,
    pub offer_title: String,
    pub merchant_name: String,
    pub code: String,
    #[schema(value_type = String)]
    pub status: CouponStatus,
    pub valid_until: DateTime<Utc>,
    /// `ZJQ1.<code>.<expiry>.<signature>`, valid a few minutes; absent once used or expired.
    pub qr: Option<String>,
}

pub(super) fn claimed_view(c: Coupon, keys: &PiiKeys, now: DateTime<Utc>) -> ClaimedCoupon {
    let usable = c.status == CouponStatus::Claimed && c.valid_until > now;
    ClaimedCoupon {
        qr: usable.then(|| {
            qr_key(keys).issue(COUPON, &c.code, now + Duration::minutes(rules::QR_MINUTES))
        }),
        id: c.id,
        offer_id: c.offer_id,
        offer_title: c.offer_title,
        merchant_name: c.merchant_name,
        code: c.code,
        status: c.status,
        valid_until: c.valid_until,
    }
}

/// The longest idempotency key a client may send.
pub const MAX_KEY_CHARS: usize = 64;

/// Claims one coupon of an offer for the member of `phone`. `key` is the client's idempotency
/// key: the same key again returns the coupon it got the first time (a retried request after a
/// lost answer), without touching the stock.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn claim(
    ctx: &Ctx<'_>,
    phone: &str,
    offer_id: OfferId,
    key: &str,
    now: DateTime<Utc>,
) -> Result<ClaimedCoupon> {
    let key = key.trim();
    if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
        return Err(AppError::invalid(
            "idempotency_key",
            "请求须带1到64个字符的幂等键(Idempotency-Key)",
        ));
    }
    let m = member(ctx, phone, now).await?;
    // Before taking the offer's lock, two answers that cannot change: a claim already made with
    // this key (keys are unique per member), and a sold-out offer (stock only ever goes down).
    // In a flash sale most requests end here, without queueing for the lock.
    if let Some(c) = store::coupon_by_key(ctx.db, m.worker_id, key).await?
        && c.offer_id == offer_id
    {
        return Ok(claimed_view(c, ctx.keys, now));
    }
    let seen = store::offer(ctx.db, offer_id)
        .await?
        .filter(|o| admits(o, &m))
        .ok_or(AppError::NotFound("优惠"))?;
    if seen.stock_left == 0 && seen.status == OfferStatus::Published && now >= seen.claim_opens_at {
        return Err(AppError::Conflict("已抢光".into()));
    }
    let mut tx = ctx.db.change().await?;
    let o = store::lock_offer(&mut tx, offer_id)
        .await?
        .filter(|o| admits(o, &m))
        .ok_or(AppError::NotFound("优惠"))?;
    if let Some(c) = store::by_key(&mut tx, m.worker_id, key).await? {
        if c.offer_id != offer_id {
            return Err(AppError::Conflict(
                "该幂等键已用于领取另一项优惠，请换一个".into(),
            ));
        }
        return Ok(claimed_view(c, ctx.keys, now));
    }
    let held = store::claimed_by(&mut tx, o.id, m.worker_id).await?;
    rules::check_claim(
        o.status,
        o.claim_opens_at,
        o.claim_closes_at,
        now,
        held,
        o.per_member_limit,
    )?;
    if !store::take_one(&mut tx, o.id).await? {
        return Err(AppError::Conflict("已抢光".into()));
    }
    let code = rules::coupon_code(&random_bytes());
    let valid_until = now + Duration::days(o.valid_days);
    store::insert_coupon(&mut tx, o.id, m.worker_id, &code, key, now, valid_until).await?;
    let c = store::coupon_in(&mut tx, &code)
        .await?
        .ok_or(AppError::NotFound("优惠券"))?;
    tx.commit_unaudited(Unaudited::OwnHistory).await?;
    Ok(claimed_view(c, ctx.keys, now))
}

/// Twelve random bytes from the OS generator (through the session-token source).
pub(super) fn random_bytes() -> [u8; 12] {
    let hex = auth::random_token();
    let mut b = [0u8; 12];
    for (slot, pair) in b.iter_mut().zip(hex.as_bytes().chunks(2)) {
        *slot = std::str::from_utf8(pair)
            .ok()
            .and_then(|p| u8::from_str_radix(p, 16).ok())
            .unwrap_or_default();
    }
    b
}

/// The member's coupons, newest first, each usable one with a fresh QR.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn my_coupons(
    ctx: &Ctx<'_>,
    phone: &str,
    limit: Option<i64>,
    offset: Option<i64>,
    now: DateTime<Utc>,
) -> Result<zhijia_store::Page<ClaimedCoupon>> {
    let w = worker_of_phone(ctx.db, phone).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    let page = store::of_worker(ctx.db, w.id, limit, offset).await?;
    Ok(zhijia_store::Page {
        items: page
            .items
            .into_iter()
            .map(|c| claimed_view(c, ctx.keys, now))
            .collect(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    })
}
