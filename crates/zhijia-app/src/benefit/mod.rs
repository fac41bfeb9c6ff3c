//! Inclusive benefits (普惠): a union registers merchants and makes offers for an audience;
//! members claim coupons (never more than the stock, never more than their limit, a retried
//! request returning the same coupon); merchants redeem each coupon exactly once.
//!
//! Rules are `zhijia_domain::benefit`; a claim runs in one transaction holding the offer's row,
//! so stock and limits stay exact however many server processes take claims.

pub mod proposal;
pub mod shop;

use crate::caller::{StaffCtx, worker_of_phone};
use crate::{AppError, Result};
use chrono::{DateTime, Duration, Utc};
use zhijia_domain::audit::action;
use zhijia_domain::auth::{self, Role};
use zhijia_domain::benefit::{self as rules, Audience, MemberFacts, OfferKind, OfferStatus};
use zhijia_domain::card::{COUPON, TokenKey};
use zhijia_domain::credit_code::CreditCode;
use zhijia_domain::org::{OrgId, OrgPath};
use zhijia_domain::pii::PiiKeys;
use zhijia_store::audit::{self, Record};
use zhijia_store::benefit::{self as store, Coupon, Merchant, NewOffer, Offer};
use zhijia_store::org::{self as org_store, Org};
use zhijia_store::{Recorded, Store, Tx, Unaudited};

/// What benefits need: the store, and the keys the coupon QR is signed with.
pub struct Ctx<'a> {
    pub db: &'a Store,
    pub keys: &'a PiiKeys,
}

const KEY_LABEL: &str = "coupon-qr-v1";

fn qr_key(keys: &PiiKeys) -> TokenKey {
    TokenKey::from_bytes(keys.derive_key(KEY_LABEL))
}

async fn editable_org(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, org: Option<i64>) -> Result<Org> {
    crate::caller::branch(
        ctx.db,
        staff,
        org,
        |p| staff.may_edit(p),
        "您没有管理普惠优惠的权限",
        "只能管理本级及下级工会的优惠",
    )
    .await
}

/// Appends the audit entry of a staff member's change to a benefit record.
pub(crate) async fn log(
    tx: &mut Tx,
    staff: &StaffCtx<'_>,
    what: &'static str,
    org: OrgId,
    kind: &'static str,
    id: i64,
    detail: String,
) -> Result<Recorded> {
    Ok(audit::append(
        tx,
        staff.actor,
        Record {
            action: what,
            org: Some(org),
            target_kind: Some(kind),
            target_id: Some(id.to_string()),
            detail: Some(detail),
        },
    )
    .await?)
}

fn text(field: &'static str, what: &str, v: &str, max: usize) -> Result<String> {
    let v = v.trim();
    if v.is_empty() {
        return Err(AppError::invalid(field, format!("请填写{what}")));
    }
    if v.chars().count() > max {
        return Err(AppError::invalid(field, format!("{what}不能超过{max}个字")));
    }
    Ok(v.to_owned())
}

// ---- merchants -----------------------------------------------------------------------------

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct MerchantInput {
    /// The registering union; the caller's first union by default.
    pub org: Option<i64>,
    pub name: String,
    pub credit_code: String,
    pub address: String,
}

/// Registers a merchant (商户) with its credit code (GB 32100).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn register_merchant(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    input: &MerchantInput,
    now: DateTime<Utc>,
) -> Result<i64> {
    let name = text("name", "商户名称", &input.name, 100)?;
    let code = CreditCode::parse(input.credit_code.trim())?;
    let address = text("address", "地址", &input.address, 200)?;
    let org = editable_org(ctx, staff, input.org).await?;
    let mut tx = ctx.db.change().await?;
    let id = store::insert_merchant(&mut tx, org.id, &name, code.as_str(), &address, now)
        .await
        .map_err(|e| {
            if e.is_conflict_on(zhijia_store::unique::MERCHANT_CREDIT_CODE) {
                AppError::Conflict("该统一社会信用代码的商户已登记".into())
            } else {
                e.into()
            }
        })?;
    let recorded = log(
        &mut tx,
        staff,
        action::MERCHANT_REGISTERED,
        org.id,
        "merchant",
        id,
        name,
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// Gives a staff account to a merchant: `merchant_staff` on the registering union, linked to
/// this merchant only. Returns the first password, which must be changed at first sign-in.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create_merchant_account(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    merchant_id: i64,
    username: &str,
    display_name: &str,
) -> Result<String> {
    let m = store::merchant(ctx.db, merchant_id)
        .await?
        .ok_or(AppError::NotFound("商户"))?;
    let org = editable_org(ctx, staff, Some(m.org_id.0)).await?;
    // The account and its link to the merchant are one change: an unlinked `merchant_staff`
    // account cannot be left behind.
    let account = crate::staff::new_account(username, display_name, None).await?;
    let mut tx = ctx.db.change().await?;
    let (created, recorded) =
        crate::staff::insert_account(&mut tx, &account, org.id, Role::MerchantStaff, staff.actor)
            .await?;
    store::link_staff(&mut tx, created.0, m.id).await?;
    tx.commit(recorded).await?;
    Ok(account.initial_password().to_owned())
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn merchants(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    org: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<(Org, zhijia_store::Page<Merchant>)> {
    let org = editable_org(ctx, staff, org).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 30);
    let page = store::merchants(ctx.db, &org.path, limit, offset).await?;
    Ok((org, page))
}

// ---- offers --------------------------------------------------------------------------------

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OfferInput {
    /// The union whose members it is for (its whole subtree).
    pub org: Option<i64>,
    pub merchant_id: i64,
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
        merchant_id: i64,
        audience: (Option<&'a str>, Option<&'a str>),
        status: OfferStatus,
        created_by: Option<i64>,
        now: DateTime<Utc>,
    ) -> NewOffer<'a> {
        NewOffer {
            org,
            merchant_id,
            title: &self.title,
            description: &self.description,
            kind: self.kind.as_str(),
            value: self.value,
            stock: self.stock,
            per_member_limit: self.per_member_limit,
            claim_opens_at: self.opens,
            claim_closes_at: self.closes,
            valid_days: self.valid_days,
            audience_region: audience.0,
            audience_tags: audience.1,
            status: status.as_str(),
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
) -> Result<i64> {
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
            staff.staff_id(),
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

async fn editable_offer(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, id: i64) -> Result<Offer> {
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
    id: i64,
    publish: bool,
) -> Result<Offer> {
    let o = editable_offer(ctx, staff, id).await?;
    let mut tx = ctx.db.change().await?;
    let done = if publish {
        store::set_status(&mut tx, id, "draft", "published").await?
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

// ---- members -------------------------------------------------------------------------------

/// A member as the audience rules and the claim see them.
struct Member {
    worker_id: i64,
    path: OrgPath,
    facts: MemberFacts,
}

async fn member(ctx: &Ctx<'_>, phone: &str, now: DateTime<Utc>) -> Result<Member> {
    let m = crate::audience::member(ctx.db, phone, now, "普惠优惠面向工会会员，请先入会").await?;
    Ok(Member {
        worker_id: m.worker.id,
        path: m.org.path,
        facts: m.facts,
    })
}

fn admits(o: &Offer, m: &Member) -> bool {
    o.org_path.contains(&m.path)
        && Audience::from_stored(o.audience_region.as_deref(), o.audience_tags.as_deref())
            .admits(&m.facts)
}

/// An offer as a member's "普惠" list shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OfferForMember {
    pub offer: Offer,
    /// Coupons of it the member holds.
    pub claimed: i64,
    /// Seconds until claims open; 0 when open.
    pub opens_in_seconds: i64,
    /// Where the coupon is used (the merchant's first shops).
    pub shops: Vec<zhijia_store::shop::Shop>,
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
    let mut shops: std::collections::HashMap<i64, Vec<zhijia_store::shop::Shop>> =
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
    pub id: i64,
    pub offer_id: i64,
    pub offer_title: String,
    pub merchant_name: String,
    pub code: String,
    pub status: String,
    pub valid_until: DateTime<Utc>,
    /// `ZJQ1.<code>.<expiry>.<signature>`, valid a few minutes; absent once used or expired.
    pub qr: Option<String>,
}

fn claimed_view(c: Coupon, keys: &PiiKeys, now: DateTime<Utc>) -> ClaimedCoupon {
    let usable = c.status == "claimed" && c.valid_until > now;
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
    offer_id: i64,
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
    if seen.stock_left == 0 && seen.status == "published" && now >= seen.claim_opens_at {
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
    let status =
        OfferStatus::parse(&o.status).ok_or_else(|| AppError::decode("优惠状态", &o.status))?;
    let held = store::claimed_by(&mut tx, o.id, m.worker_id).await?;
    rules::check_claim(
        status,
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
fn random_bytes() -> [u8; 12] {
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

// ---- redemption ----------------------------------------------------------------------------

/// What a merchant sees of a redeemed coupon: the offer, the masked name and the member number,
/// nothing more about the member.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Redeemed {
    pub coupon_id: i64,
    pub offer_title: String,
    pub member_name: String,
    pub member_no: Option<String>,
    pub redeemed_at: DateTime<Utc>,
}

/// The merchant of a `merchant_staff` caller.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn own_merchant(ctx: &Ctx<'_>, staff: &StaffCtx<'_>) -> Result<Merchant> {
    let id = staff
        .staff_id()
        .ok_or_else(|| AppError::Forbidden("只有商户工作人员可以核销".into()))?;
    store::merchant_of_staff(ctx.db, id)
        .await?
        .ok_or_else(|| AppError::Forbidden("只有商户工作人员可以核销".into()))
}

/// Redeems a coupon from its scanned QR or its typed code, exactly once, at its own merchant
/// and within its validity; each refusal says why.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn redeem(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    scanned: &str,
    now: DateTime<Utc>,
) -> Result<Redeemed> {
    let merchant = own_merchant(ctx, staff).await?;
    let scanned = scanned.trim();
    let code = if scanned.starts_with(COUPON) {
        qr_key(ctx.keys)
            .verify(COUPON, scanned, now)
            .map_err(|e| {
                AppError::invalid(
                    "code",
                    match e {
                        zhijia_domain::card::TokenError::Expired { .. } => {
                            "二维码已过期，请让会员刷新后重新出示"
                        }
                        _ => "二维码无效",
                    },
                )
            })?
            .subject
    } else {
        rules::normalise_code(scanned)
    };
    let c = store::by_code(ctx.db, &code)
        .await?
        .ok_or_else(|| AppError::invalid("code", "券码不存在，请核对"))?;
    if c.merchant_id != merchant.id {
        return Err(AppError::invalid(
            "code",
            format!("该券只能在“{}”使用，不能在本店核销", c.merchant_name),
        ));
    }
    match c.status.as_str() {
        "redeemed" => {
            let at = c
                .redeemed_at
                .map(|t| {
                    (t + Duration::hours(8))
                        .format("%m月%d日 %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
            return Err(AppError::Conflict(format!(
                "该券已于 {at} 核销，不能重复使用"
            )));
        }
        "expired" => return Err(AppError::Conflict("该券已过期".into())),
        _ => {}
    }
    if c.valid_until <= now {
        return Err(AppError::Conflict("该券已过有效期".into()));
    }
    let mut tx = ctx.db.change().await?;
    if !store::redeem(&mut tx, c.id, staff.staff_id(), merchant.id, now).await? {
        return Err(AppError::Conflict("该券刚刚已被核销，不能重复使用".into()));
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::COUPON_REDEEMED,
            org: Some(merchant.org_id),
            target_kind: Some("coupon"),
            target_id: Some(c.id.to_string()),
            detail: Some(format!("{} {}", merchant.name, c.offer_title)),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(Redeemed {
        coupon_id: c.id,
        offer_title: c.offer_title,
        member_name: zhijia_domain::auth::mask_name(&c.worker_name),
        member_no: c.member_no,
        redeemed_at: now,
    })
}

/// The offers of the caller's own merchant, with their stock: what a merchant follows.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn merchant_offers(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<zhijia_store::Page<Offer>> {
    let merchant = own_merchant(ctx, staff).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 30);
    Ok(store::offers_of_merchant(ctx.db, merchant.id, limit, offset).await?)
}

// ---- settlement ----------------------------------------------------------------------------

/// A merchant's redemptions of one month (Beijing time), for its settlement with the union.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Settlement {
    pub merchant_id: i64,
    pub merchant_name: String,
    /// `YYYY-MM`.
    pub month: String,
    pub redeemed: i64,
    pub lines: Vec<SettlementLine>,
}

/// One redeemed coupon: what the merchant may know of it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SettlementLine {
    pub coupon_id: i64,
    pub code: String,
    pub offer_title: String,
    pub member_name: String,
    pub member_no: Option<String>,
    pub redeemed_at: Option<DateTime<Utc>>,
}

/// The settlement of the caller's own merchant for `month` (`YYYY-MM`).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn settlement(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, month: &str) -> Result<Settlement> {
    let merchant = own_merchant(ctx, staff).await?;
    let first = chrono::NaiveDate::parse_from_str(&format!("{}-01", month.trim()), "%Y-%m-%d")
        .map_err(|_| AppError::invalid("month", "月份应为 YYYY-MM"))?;
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .ok_or_else(|| AppError::invalid("month", "月份无效"))?;
    // Beijing midnight is 16:00 UTC the day before.
    let at = |d: chrono::NaiveDate| {
        d.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc() - Duration::hours(8))
            .ok_or_else(|| AppError::invalid("month", "月份无效"))
    };
    let rows = store::settlement(ctx.db, merchant.id, at(first)?, at(next)?).await?;
    Ok(Settlement {
        merchant_id: merchant.id,
        merchant_name: merchant.name,
        month: first.format("%Y-%m").to_string(),
        redeemed: i64::try_from(rows.len()).unwrap_or(i64::MAX),
        lines: rows
            .into_iter()
            .map(|c| SettlementLine {
                coupon_id: c.id,
                code: c.code,
                offer_title: c.offer_title,
                member_name: zhijia_domain::auth::mask_name(&c.worker_name),
                member_no: c.member_no,
                redeemed_at: c.redeemed_at,
            })
            .collect(),
    })
}
