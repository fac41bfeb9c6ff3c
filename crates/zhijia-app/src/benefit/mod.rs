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
use zhijia_domain::ids::{CouponId, MerchantId, OfferId, StaffId};
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
        org.map(zhijia_domain::ids::OrgId),
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
    id: impl std::fmt::Display,
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

/// The acting staff account, as the rows that record who did something hold it.
pub(crate) fn acting_staff(staff: &StaffCtx<'_>) -> Option<StaffId> {
    staff.staff_id()
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

mod claims;
mod merchants;
mod offers;
mod redemption;
mod settlement;
pub use claims::*;
pub use merchants::*;
pub use offers::*;
pub use redemption::*;
pub use settlement::*;
