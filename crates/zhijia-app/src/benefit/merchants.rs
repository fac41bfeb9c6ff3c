//! Merchants registered by a union, and their cashier accounts.

use super::*;

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
) -> Result<MerchantId> {
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
    merchant_id: MerchantId,
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
    store::link_staff(&mut tx, created, m.id).await?;
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
