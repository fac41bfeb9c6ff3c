pub mod api;
pub mod pages;
pub mod suggest;

use zhijia_app::AppError;
use zhijia_domain::org::OrgId;

/// Reads an org id from the address; anything but a positive whole number is a clear error.
pub fn parse_id(raw: &str) -> Result<OrgId, AppError> {
    match raw.parse::<i64>() {
        Ok(id) if id > 0 => Ok(OrgId(id)),
        _ => Err(AppError::invalid("id", "工会组织编号应为正整数")),
    }
}
