//! Redemption at the merchant's till: a coupon's QR checked and used once.

use super::*;
use zhijia_domain::benefit::CouponStatus;

/// What a merchant sees of a redeemed coupon: the offer, the masked name and the member number,
/// nothing more about the member.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Redeemed {
    #[schema(value_type = i64)]
    pub coupon_id: CouponId,
    pub offer_title: String,
    pub member_name: String,
    pub member_no: Option<String>,
    pub redeemed_at: DateTime<Utc>,
}

/// The merchant of a `merchant_staff` caller.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn own_merchant(ctx: &Ctx<'_>, staff: &StaffCtx<'_>) -> Result<Merchant> {
    let id = acting_staff(staff)
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
    match c.status {
        CouponStatus::Redeemed => {
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
        CouponStatus::Expired => return Err(AppError::Conflict("该券已过期".into())),
        CouponStatus::Claimed => {}
    }
    if c.valid_until <= now {
        return Err(AppError::Conflict("该券已过有效期".into()));
    }
    let mut tx = ctx.db.change().await?;
    if !store::redeem(&mut tx, c.id, acting_staff(staff), merchant.id, now).await? {
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
