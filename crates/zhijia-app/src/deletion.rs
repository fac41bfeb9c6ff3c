//! Staff handle workers' deletion requests: erase what need not be kept, or refuse with a reason.
//! Only an `org_admin` of the union holding the person's data (or above) may; requests of people
//! the platform holds nothing else about go to the administrators at the top of the tree.

use crate::caller::{StaffCtx, sms_notice};

use crate::membership::Ctx;
use crate::{AppError, Result};
use zhijia_domain::audit::action;
use zhijia_domain::auth::{self, Role};
use zhijia_domain::deletion::DeletionStatus;
use zhijia_domain::ids::DeletionRequestId;
use zhijia_domain::org::{OrgId, OrgPath};
use zhijia_store::audit::{self, Record};
use zhijia_store::deletion::{self as store, Erased, Request};
use zhijia_store::org as org_store;
use zhijia_store::{Page, membership as membership_store};

fn may_handle(staff: &StaffCtx<'_>, path: &OrgPath) -> bool {
    auth::holds(staff.grants, Role::OrgAdmin, path)
}

/// Pending (or, by `status`, handled) requests of an `org_admin`'s branch.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn queue(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    org: Option<OrgId>,
    status: Option<&str>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<(zhijia_store::org::Org, Page<Request>)> {
    let org = crate::caller::branch(
        ctx.db,
        staff,
        org,
        |p| may_handle(staff, p),
        "只有组织管理员可以处理删除申请",
        "只有本级及上级组织管理员可以处理删除申请",
    )
    .await?;
    let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
        None => DeletionStatus::Pending,
        Some(s) => DeletionStatus::parse(s)
            .ok_or_else(|| AppError::invalid("status", "状态应为待处理、已删除或不予删除"))?,
    };
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    let page = store::queue(
        ctx.db,
        &org.path,
        org.parent_id.is_none(),
        status,
        limit,
        offset,
    )
    .await?;
    Ok((org, page))
}

/// What staff decide.
#[derive(Debug, Clone)]
pub enum Outcome {
    Erase,
    Refuse { reason: String },
}

/// Handles one request of the staff member's branch.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn handle(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: DeletionRequestId,
    outcome: Outcome,
) -> Result<Request> {
    let req = store::get(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("删除申请"))?;
    if !may_handle_request(ctx, staff, &req).await? {
        return Err(AppError::NotFound("删除申请"));
    }
    if req.status != DeletionStatus::Pending {
        return Err(AppError::Conflict("该申请已处理".into()));
    }
    let (status, note) = write(ctx, staff, &req, &outcome).await?;
    let text = if status == DeletionStatus::Done {
        format!("【职工之家】您的个人信息删除申请已处理：{note}")
    } else {
        format!("【职工之家】您的个人信息删除申请未获同意：{note}")
    };
    sms_notice(ctx.sms, &req.phone, &text).await;
    store::get(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("删除申请"))
}

/// Whether the staff member may handle the request: an `org_admin` of the union holding the
/// person's data, or, for nobody's union, of a tree's top.
async fn may_handle_request(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, req: &Request) -> Result<bool> {
    if let Some(p) = &req.org_path {
        return Ok(OrgPath::from_stored(p.clone())
            .map(|path| may_handle(staff, &path))
            .unwrap_or(false));
    }
    let mut top = false;
    for g in staff.grants.iter().filter(|g| g.role == Role::OrgAdmin) {
        if let Some(root) = g.org_path.ids().last().copied()
            && let Some(o) = org_store::get(ctx.db, root).await?
        {
            top |= o.parent_id.is_none();
        }
    }
    Ok(top)
}

/// What the outcome does to the request: its new status, the note the person reads, the
/// audited action. Erasing happens in the caller's change.
async fn apply(
    tx: &mut zhijia_store::Change,
    req: &Request,
    outcome: &Outcome,
) -> Result<(DeletionStatus, String, &'static str)> {
    match outcome {
        Outcome::Erase => {
            let erased = store::erase(tx, &req.phone, req.worker_id).await?;
            let note = match erased {
                Erased::KeptMembershipRecord => {
                    "已删除民族、学历、政治面貌、户籍、婚姻、技能等级、紧急联系人、消息和登录记录；\
                     依照工会会籍管理规定保留姓名、身份证号和会籍记录"
                }
                Erased::Everything => "已删除您在平台的全部个人信息和入会申请",
                Erased::SignInTracesOnly => "平台只保存了您的登录记录，已全部删除",
            };
            Ok((
                DeletionStatus::Done,
                note.to_owned(),
                action::PII_DELETION_DONE,
            ))
        }
        Outcome::Refuse { reason } => {
            let reason = reason.trim();
            if reason.is_empty() || reason.chars().count() > 200 {
                return Err(AppError::invalid(
                    "reason",
                    "请填写不予删除的原因(200字以内)，申请人会看到",
                ));
            }
            Ok((
                DeletionStatus::Refused,
                reason.to_owned(),
                action::PII_DELETION_REFUSED,
            ))
        }
    }
}

/// Erases or refuses, closes the request and writes its audit entry in one change; a kept
/// record hears the outcome in the inbox (an erased one only by SMS).
async fn write(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    req: &Request,
    outcome: &Outcome,
) -> Result<(DeletionStatus, String)> {
    let mut tx = ctx.db.change().await?;
    let (status, note, act) = apply(&mut tx, req, outcome).await?;
    if !store::close(&mut tx, req.id, status, staff.staff_id(), &note).await? {
        return Err(AppError::Conflict("该申请已处理".into()));
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: act,
            org: req.org_id,
            target_kind: Some("deletion_request"),
            target_id: Some(req.id.to_string()),
            detail: Some(note.clone()),
        },
    )
    .await?;
    if let (Some(worker), Outcome::Refuse { .. }) = (req.worker_id, outcome) {
        membership_store::notify(&mut tx, worker, "删除申请未获同意", &note, Some("/me")).await?;
    }
    tx.commit(recorded).await?;
    Ok((status, note))
}
