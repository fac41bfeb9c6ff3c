//! Membership on the web: the worker's join form, card and membership page; the card check used
//! by merchants and organisers; the staff review queue, transfers and roster. `api.rs` is the
//! same, as JSON.

pub mod api;
pub mod console;
pub mod pages;
pub(crate) mod xlsx;

use crate::AppState;
use zhijia_app::AppError;
use zhijia_app::membership::Ctx;

/// The membership context of a request; membership needs the personal-data keys.
pub fn ctx(state: &AppState) -> Result<Ctx<'_>, AppError> {
    let keys = state.config.pii_keys.as_ref().ok_or_else(|| {
        AppError::Config("服务器未配置个人信息加密密钥(--pii-key)，暂不能办理会员业务".into())
    })?;
    Ok(Ctx {
        db: &state.store,
        keys,
        settings: &state.config.membership,
        sms: state.sms.as_ref(),
    })
}
