//! Settlement: what a merchant redeemed in a period, for the union and as XLSX.

use super::*;

/// A merchant's redemptions of one month (Beijing time), for its settlement with the union.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Settlement {
    #[schema(value_type = i64)]
    pub merchant_id: MerchantId,
    pub merchant_name: String,
    /// `YYYY-MM`.
    pub month: String,
    pub redeemed: i64,
    pub lines: Vec<SettlementLine>,
}

/// One redeemed coupon: what the merchant may know of it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct SettlementLine {
    #[schema(value_type = i64)]
    pub coupon_id: CouponId,
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
