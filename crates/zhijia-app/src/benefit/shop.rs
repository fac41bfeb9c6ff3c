//! A merchant's shops (门店): where its coupons are used, with coordinates for a map. Kept by
//! the union that registered the merchant (or one above it) and by the merchant's own staff.

use super::{Ctx, log, own_merchant, text};
use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::audit::action;
use zhijia_domain::benefit as rules;
use zhijia_domain::ids::{MerchantId, ShopId};
use zhijia_store::Page;
use zhijia_store::benefit::shop::{self as shop_store, NewShop, Shop};
use zhijia_store::benefit::{self as store, Merchant};
use zhijia_store::org as org_store;

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ShopInput {
    pub name: String,
    pub address: String,
    /// GCJ-02 longitude (东经), as Chinese map services give it; with `latitude` or not at all.
    pub longitude: Option<f64>,
    pub latitude: Option<f64>,
}

/// A merchant the caller keeps the shops of: its own (merchant staff) or one registered in the
/// caller's editable subtree. Anyone else gets "not found".
async fn keepable(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    merchant_id: MerchantId,
) -> Result<Merchant> {
    if let Ok(own) = own_merchant(ctx, staff).await
        && own.id == merchant_id
    {
        return Ok(own);
    }
    let m = store::merchant(ctx.db, merchant_id)
        .await?
        .ok_or(AppError::NotFound("商户"))?;
    let org = org_store::get(ctx.db, m.org_id)
        .await?
        .ok_or(AppError::NotFound("商户"))?;
    if staff.may_edit(&org.path) {
        Ok(m)
    } else {
        Err(AppError::NotFound("商户"))
    }
}

/// Adds a shop to a merchant; audited.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn add(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    merchant_id: MerchantId,
    input: &ShopInput,
    now: DateTime<Utc>,
) -> Result<ShopId> {
    let name = text("name", "门店名称", &input.name, 60)?;
    let address = text("address", "门店地址", &input.address, 200)?;
    let coordinates = rules::coordinates(input.longitude, input.latitude)?;
    let m = keepable(ctx, staff, merchant_id).await?;
    let mut tx = ctx.db.change().await?;
    let id = shop_store::insert(
        &mut tx,
        &NewShop {
            merchant_id: m.id,
            name: &name,
            address: &address,
            coordinates,
            now,
        },
    )
    .await?;
    let recorded = log(
        &mut tx,
        staff,
        action::SHOP_ADDED,
        m.org_id,
        "shop",
        id,
        format!("{} {name}", m.name),
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// Removes a shop (coupons are not tied to a shop, so nothing else changes); audited.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn remove(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, id: ShopId) -> Result<()> {
    let shop = shop_store::get(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("门店"))?;
    let m = keepable(ctx, staff, shop.merchant_id)
        .await
        .map_err(|_| AppError::NotFound("门店"))?;
    let mut tx = ctx.db.change().await?;
    shop_store::delete(&mut tx, id).await?;
    let recorded = log(
        &mut tx,
        staff,
        action::SHOP_REMOVED,
        m.org_id,
        "shop",
        id,
        format!("{} {}", m.name, shop.name),
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}

/// A merchant's shops, for those who keep them.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn of_merchant(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    merchant_id: MerchantId,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Page<Shop>> {
    let m = keepable(ctx, staff, merchant_id).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 50);
    Ok(shop_store::of_merchant(ctx.db, m.id, limit, offset).await?)
}

/// The first shops of a merchant, for a member's list of offers (where to use a coupon).
pub(crate) async fn for_offer(ctx: &Ctx<'_>, merchant_id: MerchantId) -> Result<Vec<Shop>> {
    Ok(shop_store::of_merchant(ctx.db, merchant_id, 20, 0)
        .await?
        .items)
}
