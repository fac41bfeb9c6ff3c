//! Activities and points on the web: the JSON API (`api.rs`), the staff console (`console.rs`)
//! and the worker's pages (`worker.rs`). Scope and roles are decided by the use cases.

pub mod api;
pub mod console;
pub mod worker;

use crate::AppState;
use zhijia_app::AppError;
use zhijia_app::activity::Ctx;

/// The activity context of a request; QR codes need the server's keys.
pub fn ctx(state: &AppState) -> Result<Ctx<'_>, AppError> {
    let keys = state.config.pii_keys.as_ref().ok_or_else(|| {
        AppError::Config("服务器未配置个人信息加密密钥(--pii-key)，暂不能办理活动签到".into())
    })?;
    Ok(Ctx {
        db: &state.store,
        keys,
        sms: &*state.sms,
    })
}
