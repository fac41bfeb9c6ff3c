//! Membership on the web: the worker's join form, card and membership page; the card check used
//! by merchants and organisers; the staff review queue, transfers and roster. `api.rs` is the
//! same, as JSON.

pub mod api;
pub mod console;
pub mod pages;
pub(crate) mod xlsx;

use crate::AppState;
use crate::auth::StaffUser;
use zhijia_app::AppError;
use zhijia_app::membership::{Ctx, StaffCtx};

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

/// A staff member as the caller of a membership step.
pub struct Staff {
    pub actor: zhijia_domain::audit::Actor,
    pub grants: Vec<zhijia_domain::auth::Grant>,
}

impl Staff {
    pub fn of(user: &StaffUser) -> Self {
        Staff {
            actor: user.actor(),
            grants: user.grants.clone(),
        }
    }

    pub fn ctx(&self) -> StaffCtx<'_> {
        StaffCtx {
            actor: &self.actor,
            grants: &self.grants,
        }
    }
}

/// An id from the address; a malformed one is simply not found.
pub fn parse_id(s: &str) -> Result<i64, AppError> {
    s.parse::<i64>()
        .ok()
        .filter(|i| *i > 0)
        .ok_or(AppError::NotFound("记录"))
}
