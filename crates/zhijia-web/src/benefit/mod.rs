//! Inclusive benefits on the web: the worker's "普惠" pages (offers, claim, my coupons with
//! their QR), the merchant's redemption page, the union's offer and merchant console, and the
//! same in the JSON API.

pub mod api;
pub mod console;
pub mod pages;

use crate::AppState;
use zhijia_app::AppError;
use zhijia_app::benefit::Ctx;

/// The benefits context of a request: coupon QR codes are signed with a key derived from the
/// server's personal-data keys.
pub fn ctx(state: &AppState) -> Result<Ctx<'_>, AppError> {
    let keys = state.config.pii_keys.as_ref().ok_or_else(|| {
        AppError::Config("服务器未配置个人信息加密密钥(--pii-key)，暂不能办理普惠业务".into())
    })?;
    Ok(Ctx {
        db: &state.store,
        keys,
    })
}

/// An offer's value in words: "8折", "立减10.00元", "免费领取", "服务券".
pub fn value_label(kind: &str, value: i64) -> String {
    match kind {
        "discount" => {
            if value % 10 == 0 {
                format!("{}折", value / 10)
            } else {
                format!("{}.{}折", value / 10, value % 10)
            }
        }
        "fixed_amount" => format!("立减{}.{:02}元", value / 100, value % 100),
        "free_item" => "免费领取".into(),
        _ => "服务券".into(),
    }
}
