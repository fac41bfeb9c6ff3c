//! Membership (入会、会员卡、会籍接转): join online, review, the electronic member card, transfers
//! between unions, leaving and retirement, the staff roster.
//!
//! Rules live in `zhijia_domain` (code sets, eligibility, member numbers, the business calendar,
//! signed tokens); this module applies them, in one store transaction per step, and writes the
//! audit log and the worker's inbox in that same transaction.

pub mod card;
pub mod import;
pub mod inbox;
pub mod join;
pub mod pickers;
pub mod review;
pub mod roster;
pub mod transfer;

use crate::Result;
use crate::caller::{StaffCtx, branch};
use crate::sms::SmsSender;
use zhijia_domain::calendar::BusinessCalendar;
use zhijia_domain::pii::PiiKeys;
use zhijia_store::Store;

/// Working days a union has to review a join application, unless configured.
pub const DEFAULT_REVIEW_WORKING_DAYS: u32 = 15;
/// Days after which a transfer the releasing union did not answer is released automatically.
pub const DEFAULT_RELEASE_DAYS: i64 = 30;

/// What membership needs besides the store: keys, the calendar, the deadlines, SMS.
#[derive(Debug, Clone)]
pub struct Settings {
    pub calendar: BusinessCalendar,
    pub review_working_days: u32,
    pub release_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            calendar: BusinessCalendar::builtin(),
            review_working_days: DEFAULT_REVIEW_WORKING_DAYS,
            release_days: DEFAULT_RELEASE_DAYS,
        }
    }
}

/// The context of a membership step.
pub struct Ctx<'a> {
    pub db: &'a Store,
    pub keys: &'a PiiKeys,
    pub settings: &'a Settings,
    pub sms: &'a dyn SmsSender,
}

/// A queue request: which union's subtree, which status, only overdue ones, which page.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct QueueQuery {
    #[param(value_type = Option<i64>)]
    pub org: Option<zhijia_domain::org::OrgId>,
    pub status: Option<String>,
    pub overdue: bool,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

/// The union whose queue a reviewer works on: the one asked for, if they may review there, or
/// their first union where they may.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn review_scope(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    org: Option<zhijia_domain::org::OrgId>,
) -> Result<zhijia_store::org::Org> {
    branch(
        ctx.db,
        staff,
        org,
        |p| staff.may_review(p),
        "您没有审核权限",
        "只能处理本级及下级工会的事务",
    )
    .await
}
