//! Files of an aid application: the admission letter of an education grant (金秋助学), medical
//! bills, certificates. An aid officer who manages the application's file attaches them (at
//! most [`MAX_PER_AID_APPLICATION`] per application, each checked by content as case files
//! are); any staff member who may read the application lists and downloads them. Uploads are
//! audited (`aid.attachment_added`); downloads are not, since the files are not the health or
//! income fields whose views are.

use super::{Ctx, may_manage, staff_id};
use crate::attachment::{Upload, check_room, check_uploads};
use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::attachment::{Checked, MAX_PER_AID_APPLICATION};
use zhijia_domain::audit::action;
use zhijia_domain::ids::{AidApplicationId, AttachmentId};
use zhijia_domain::org::OrgId;
use zhijia_store::Recorded;
use zhijia_store::Tx;
use zhijia_store::aid as store;
use zhijia_store::attachment::{Attachment, AttachmentData};
use zhijia_store::audit::{self, Record};

/// Checks a batch of uploads for an application, before anything is stored.
pub fn check(files: &[Upload]) -> Result<Vec<Checked>> {
    check_uploads(files, MAX_PER_AID_APPLICATION)
}

/// Stores checked files on an application inside `tx`, within the application's limit, and
/// records `aid.attachment_added` naming them.
pub(crate) async fn store_files(
    tx: &mut Tx,
    staff: &StaffCtx<'_>,
    application_id: AidApplicationId,
    org: OrgId,
    files: &[Upload],
    checked: &[Checked],
    now: DateTime<Utc>,
) -> Result<Recorded> {
    let uploader = staff_id(staff)?;
    let have = store::count_attachments(tx, application_id).await?;
    check_room(have, checked.len(), MAX_PER_AID_APPLICATION, "每份帮扶申请")?;
    for (f, c) in files.iter().zip(checked) {
        store::add_attachment(
            tx,
            application_id,
            &c.file_name,
            c.kind.content_type(),
            &f.bytes,
            uploader,
            now,
        )
        .await?;
    }
    let names: Vec<&str> = checked.iter().map(|c| c.file_name.as_str()).collect();
    let recorded = audit::append(
        tx,
        staff.actor,
        Record {
            action: action::AID_ATTACHMENT_ADDED,
            org: Some(org),
            target_kind: Some("aid_application"),
            target_id: Some(application_id.to_string()),
            detail: Some(format!("上传申请材料：{}", names.join("、"))),
        },
    )
    .await?;
    Ok(recorded)
}

/// An aid officer of the application's file attaches files to it. Someone who may not read the
/// application is told it does not exist (404); a reader who is not its aid officer is refused
/// (403). Returns how many were stored.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn attach(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: AidApplicationId,
    files: &[Upload],
    now: DateTime<Utc>,
) -> Result<usize> {
    let a = super::application::readable(ctx, staff, id).await?;
    if !may_manage(staff, &a.org_path) {
        return Err(AppError::Forbidden("只有帮扶专干可以上传申请材料".into()));
    }
    let checked = check(files)?;
    if checked.is_empty() {
        return Err(AppError::invalid("attachment", "请选择要上传的文件"));
    }
    let mut tx = ctx.db.change().await?;
    let recorded = store_files(&mut tx, staff, id, a.org_id, files, &checked, now).await?;
    tx.commit(recorded).await?;
    Ok(checked.len())
}

/// The files of an application the caller may read, without their bytes.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: AidApplicationId,
) -> Result<Vec<Attachment>> {
    super::application::readable(ctx, staff, id).await?;
    Ok(store::attachments(ctx.db, id).await?)
}

/// One file of an application the caller may read (404 otherwise).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn staff_file(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: AidApplicationId,
    file: AttachmentId,
) -> Result<AttachmentData> {
    super::application::readable(ctx, staff, id).await?;
    store::attachment(ctx.db, id, file)
        .await?
        .ok_or(AppError::NotFound("附件"))
}
