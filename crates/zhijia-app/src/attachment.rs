//! Uploads shared by every area that takes files (rights-protection cases, aid applications):
//! the file as sent, the check of a batch before anything is stored, and the room left under an
//! area's limit. The content rules themselves are `zhijia_domain::attachment`.

use crate::{AppError, Result};
use zhijia_domain::attachment::{self, Checked};

/// A file as sent: its name and bytes.
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Checks uploads before anything is stored, so one bad file refuses the whole batch and
/// nothing is half saved; at most `max` files at once.
pub fn check_uploads(files: &[Upload], max: i64) -> Result<Vec<Checked>> {
    if i64::try_from(files.len()).unwrap_or(i64::MAX) > max {
        return Err(AppError::invalid("attachment", format!("附件最多{max}个")));
    }
    files
        .iter()
        .map(|f| attachment::check(&f.name, &f.bytes).map_err(AppError::from))
        .collect()
}

/// Fails when `adding` files to the `have` already stored would pass `max`; `per` names what
/// holds them (“每个案件”).
pub fn check_room(have: i64, adding: usize, max: i64, per: &str) -> Result<()> {
    if have + i64::try_from(adding).unwrap_or(i64::MAX) > max {
        return Err(AppError::invalid(
            "attachment",
            format!("{per}最多{max}个附件（已有{have}个）"),
        ));
    }
    Ok(())
}
