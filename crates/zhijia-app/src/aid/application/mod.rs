//! Aid applications: entered by an aid officer for an active file, decided stage by stage along
//! the chain their kind and amount give (order enforced, one person one stage, nobody on their
//! own household), then on public notice (公示) with names masked, where an objection pauses
//! payment until an aid officer resolves it.

use super::{Ctx, may_manage, may_read, staff_id, text};
use crate::attachment::Upload;
use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zhijia_domain::aid::{self, AidKind, AidStatus, DutyConflict, StageRole};
use zhijia_domain::aid::{FileStatus, ObjectionStatus};
use zhijia_domain::audit::{Actor, action};
use zhijia_domain::auth::Role;
use zhijia_domain::auth::mask_name;
use zhijia_domain::ids::{AidApplicationId, AidFileId, HouseholdMemberId, ObjectionId, StaffId};
use zhijia_domain::org::{OrgId, OrgLevel, OrgPath};
use zhijia_store::Page;
use zhijia_store::aid::{self as store, ApplicationRow, Decision, Objection};
use zhijia_store::attachment::Attachment;
use zhijia_store::audit::{self, Record};
use zhijia_store::org::{self as org_store, Org};

/// What an aid officer enters.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ApplicationInput {
    #[schema(value_type = i64)]
    pub file_id: AidFileId,
    /// daily_living, medical, education_grant, emergency
    pub kind: String,
    /// 申请金额(分)
    pub amount_fen: i64,
    pub reason: String,
    /// 金秋助学：受助学生(家庭成员编号)
    #[schema(value_type = Option<i64>)]
    pub student_id: Option<HouseholdMemberId>,
    /// 金秋助学：录取学校
    pub school: Option<String>,
    /// 金秋助学：录取通知书编号或说明。金秋助学须填写此项或随申请上传录取通知书(控制台表单)；
    /// 经 JSON 接口申请时须填写此项，录取通知书可随后上传到 `/attachments`
    pub admission_proof: Option<String>,
}

/// One stage of an application's chain, with its decision if taken (the web layer's view
/// serializes it).
#[derive(Debug, Clone)]
pub struct StageView {
    pub index: usize,
    pub level: &'static str,
    pub level_label: &'static str,
    pub role_label: &'static str,
    pub decision: Option<Decision>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    pub id: AidApplicationId,
    pub file_id: AidFileId,
    pub org_id: OrgId,
    pub org_name: String,
    pub head_name: String,
    pub kind: AidKind,
    pub kind_label: &'static str,
    pub amount_fen: i64,
    pub amount_yuan: String,
    pub reason: String,
    pub student_name: Option<String>,
    pub school: Option<String>,
    pub admission_proof: Option<String>,
    pub chain: Vec<&'static str>,
    pub current_stage: Option<i64>,
    pub status: AidStatus,
    pub status_label: &'static str,
    pub approved_on: Option<NaiveDate>,
    pub notice_ends_on: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
}

impl ApplicationView {
    pub fn of(a: ApplicationRow) -> Self {
        let chain = aid::chain_from_str(&a.chain).unwrap_or_default();
        ApplicationView {
            id: a.id,
            file_id: a.file_id,
            org_id: a.org_id,
            org_name: a.org_name,
            head_name: a.head_name,
            kind_label: a.kind.label(),
            kind: a.kind,
            amount_yuan: aid::yuan(a.amount_fen),
            amount_fen: a.amount_fen,
            reason: a.reason,
            student_name: a.student_name,
            school: a.school,
            admission_proof: a.admission_proof,
            chain: chain.iter().map(|l| l.as_str()).collect(),
            current_stage: a.current_stage,
            status_label: a.status.label(),
            status: a.status,
            approved_on: a.approved_on,
            notice_ends_on: a.notice_ends_on,
            created_at: a.created_at,
        }
    }
}

/// Enters an application for an active file of the officer's branch; its chain is fixed now.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn apply(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    input: &ApplicationInput,
    now: DateTime<Utc>,
) -> Result<AidApplicationId> {
    apply_with_files(ctx, staff, input, &[], now).await
}

/// An education grant's student (of the household), school and admission proof: the proof as
/// text, or a file sent with the application.
async fn education_grant(
    ctx: &Ctx<'_>,
    file: AidFileId,
    input: &ApplicationInput,
    with_files: bool,
) -> Result<(Option<HouseholdMemberId>, Option<String>, Option<String>)> {
    let members = store::members(ctx.db, file).await?;
    let student = input
        .student_id
        .and_then(|id| members.iter().find(|m| m.id == id))
        .ok_or_else(|| AppError::invalid("student_id", "金秋助学须选择本户的一名学生"))?;
    let school = text("school", input.school.as_deref().unwrap_or(""), 100)?;
    let proof = match input.admission_proof.as_deref().map(str::trim) {
        Some(p) if !p.is_empty() => Some(text("admission_proof", p, 200)?),
        _ if with_files => None,
        _ => {
            return Err(AppError::invalid(
                "admission_proof",
                "金秋助学须填写录取通知书编号或说明，或上传录取通知书",
            ));
        }
    };
    Ok((Some(student.id), Some(school), proof))
}

/// Enters an application with files attached in the same step (the console's form: an
/// education grant's admission letter, bills). The files are checked before anything is
/// stored; the application and its files are saved together or not at all. An education grant
/// needs the admission proof as text (the notice number or a description) or at least one
/// attached file.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn apply_with_files(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    input: &ApplicationInput,
    files: &[Upload],
    now: DateTime<Utc>,
) -> Result<AidApplicationId> {
    let f = super::file::managed(ctx, staff, input.file_id).await?;
    if f.status != FileStatus::Active {
        return Err(AppError::Conflict(
            "档案已失效或已解困脱困，不能申请帮扶".into(),
        ));
    }
    let kind = AidKind::parse(input.kind.trim()).ok_or_else(|| {
        AppError::invalid("kind", "帮扶类别应为生活救助、医疗救助、金秋助学或应急救助")
    })?;
    if input.amount_fen <= 0 || input.amount_fen > ctx.settings.yearly_cap_fen {
        return Err(AppError::invalid(
            "amount_fen",
            format!(
                "申请金额应大于0且不超过本户年度上限{}元",
                aid::yuan(ctx.settings.yearly_cap_fen)
            ),
        ));
    }
    let reason = text("reason", &input.reason, 500)?;
    let (student, school, proof) = if kind == AidKind::EducationGrant {
        education_grant(ctx, f.id, input, !files.is_empty()).await?
    } else {
        (None, None, None)
    };
    let checked = super::attachment::check(files)?;
    let chain = ctx
        .settings
        .chains
        .chain_for(kind, input.amount_fen)
        .ok_or_else(|| AppError::Config(format!("{}没有配置审批流程", kind.label())))?;
    let chain = aid::chain_to_string(chain);
    let mut tx = ctx.db.change().await?;
    let id = store::insert_application(
        &mut tx,
        &store::NewApplication {
            file_id: f.id,
            kind,
            amount_fen: input.amount_fen,
            reason: &reason,
            student_id: student,
            school: school.as_deref(),
            admission_proof: proof.as_deref(),
            chain: &chain,
            created_by: staff.staff_id(),
        },
    )
    .await?;
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::AID_APPLIED,
            org: Some(f.org_id),
            target_kind: Some("aid_application"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "档案#{}，{}{}元，审批流程 {chain}",
                f.id,
                kind.label(),
                aid::yuan(input.amount_fen)
            )),
        },
    )
    .await?;
    if !checked.is_empty() {
        let _ = super::attachment::store_files(&mut tx, staff, id, f.org_id, files, &checked, now)
            .await?;
    }
    tx.commit(recorded).await?;
    Ok(id)
}

/// The union that decides a stage at `level` for a file of the union at `file_path`: the
/// deepest union on the path at that level or above it. (A file of a township union has no
/// grassroots union above it: its own union recommends.)
#[tracing::instrument(level = "debug", skip_all)]
pub async fn stage_org(
    db: &zhijia_store::Store,
    file_path: &OrgPath,
    level: OrgLevel,
) -> Result<Org> {
    for id in file_path.ids().into_iter().rev() {
        let org = org_store::get(db, id)
            .await?
            .ok_or(AppError::NotFound("工会"))?;
        if org.level <= level {
            return Ok(org);
        }
    }
    Err(AppError::Config(format!(
        "档案所在工会之上没有{}，无法办理该审批环节",
        level.label()
    )))
}

/// An application, if the caller may see it (404 otherwise).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn readable(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: AidApplicationId,
) -> Result<ApplicationRow> {
    let a = store::application(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("帮扶申请"))?;
    if !may_read(staff, &a.org_path) {
        return Err(AppError::NotFound("帮扶申请"));
    }
    Ok(a)
}

/// An application with its stages, objections and files (the web layer's view serializes it).
#[derive(Debug, Clone)]
pub struct ApplicationDetail {
    pub application: ApplicationView,
    pub stages: Vec<StageView>,
    pub objections: Vec<Objection>,
    /// The files attached (admission letter, bills …), without their bytes.
    pub attachments: Vec<Attachment>,
    pub paid_fen: i64,
    /// Whether the caller is an aid officer of the application's file (may attach files).
    pub may_manage: bool,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn detail(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: AidApplicationId,
) -> Result<ApplicationDetail> {
    let a = readable(ctx, staff, id).await?;
    let decisions = store::decisions(ctx.db, id).await?;
    let chain = aid::chain_from_str(&a.chain).unwrap_or_default();
    let stages = chain
        .iter()
        .enumerate()
        .map(|(i, level)| StageView {
            index: i,
            level: level.as_str(),
            level_label: level.label(),
            role_label: aid::stage_role(i, chain.len()).label(),
            decision: decisions.iter().find(|d| d.stage == i as i64).cloned(),
        })
        .collect();
    let objections = store::objections(ctx.db, id).await?;
    let paid_fen = zhijia_store::aid::ledger(ctx.db, &a.org_path, 0, Some(a.file_id), 1000, 0)
        .await?
        .items
        .iter()
        .filter(|e| e.application_id == id)
        .map(|e| e.amount_fen)
        .sum();
    let attachments = store::attachments(ctx.db, id).await?;
    let may_manage = may_manage(staff, &a.org_path);
    Ok(ApplicationDetail {
        application: ApplicationView::of(a),
        stages,
        objections,
        attachments,
        paid_fen,
        may_manage,
    })
}

/// An application list request.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct ApplicationQuery {
    #[param(value_type = Option<i64>)]
    pub org: Option<OrgId>,
    /// in_review, rejected, approved, suspended, disbursed; all when absent
    pub status: Option<String>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    q: &ApplicationQuery,
) -> Result<(Org, Page<ApplicationView>)> {
    let org = super::scope(ctx, staff, q.org).await?;
    let status = match q.status.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => {
            Some(AidStatus::parse(s).ok_or_else(|| AppError::invalid("status", "申请状态不正确"))?)
        }
    };
    let (limit, offset) = crate::page_bounds(q.limit, q.offset, 20);
    let page = store::applications(ctx.db, &org.path, status, limit, offset).await?;
    Ok((
        org,
        Page {
            items: page.items.into_iter().map(ApplicationView::of).collect(),
            total: page.total,
            offset: page.offset,
            limit: page.limit,
        },
    ))
}

/// A stage decision as typed.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DecisionInput {
    /// 所办理环节的序号(从0开始)，须为当前环节
    pub stage: i64,
    pub approve: bool,
    /// 意见或理由(必填)
    pub reason: String,
}

fn refused(c: DutyConflict) -> AppError {
    match c {
        DutyConflict::OutOfOrder { .. } | DutyConflict::Closed => AppError::Conflict(c.message()),
        DutyConflict::SamePerson | DutyConflict::OwnHousehold => AppError::Forbidden(c.message()),
    }
}

/// Whether the staff member is an aid officer of the union deciding `stage` (not merely of
/// one above it).
fn acts_at(staff: &StaffCtx<'_>, org: &Org, stage: usize, chain: &[OrgLevel]) -> Result<()> {
    let acts_here = staff
        .grants
        .iter()
        .any(|g| g.role == Role::AidOfficer && g.org_path == org.path);
    if acts_here {
        return Ok(());
    }
    Err(AppError::Forbidden(format!(
        "第{}个环节({}{})须由{}的帮扶专干办理",
        stage + 1,
        chain[stage].label(),
        aid::stage_role(stage, chain.len()).label(),
        org.name
    )))
}

/// The blind index of the decider's own identity, which they must have recorded.
async fn own_identity(ctx: &Ctx<'_>, actor: StaffId) -> Result<Vec<u8>> {
    store::staff_identity(ctx.db, actor).await?.ok_or_else(|| {
        AppError::Forbidden(
            "办理帮扶审批前，请先在帮扶工作页登记本人身份证号(用于回避本人家庭的申请)".into(),
        )
    })
}

/// The separation of duties, with the file locked: the current stage, nobody twice, nobody of
/// the household.
async fn check_duties(
    tx: &mut zhijia_store::Tx,
    a: &ApplicationRow,
    stage: usize,
    actor: StaffId,
    identity: &[u8],
) -> Result<()> {
    let earlier: Vec<i64> = store::decisions(&mut *tx, a.id)
        .await?
        .iter()
        .map(|d| d.staff_id.0)
        .collect();
    let household: Vec<Vec<u8>> = store::members(&mut *tx, a.file_id)
        .await?
        .into_iter()
        .map(|m| m.id_number_idx)
        .collect();
    let current = if a.status == AidStatus::InReview {
        a.current_stage.and_then(|s| usize::try_from(s).ok())
    } else {
        None
    };
    aid::check_duties(stage, current, &earlier, actor.0, identity, &household).map_err(refused)
}

/// Records a decision; a second one of the stage, or a second stage by the same person, is
/// refused by the table's unique keys.
async fn insert_decision(tx: &mut zhijia_store::Tx, d: &store::NewDecision<'_>) -> Result<()> {
    store::insert_decision(tx, d).await.map_err(|e| {
        if e.is_conflict_on(zhijia_store::unique::AID_DECISION_STAGE)
            || e.is_conflict_on(zhijia_store::unique::AID_DECISION_STAFF)
        {
            AppError::Conflict("该环节已有人办理，或您已办理过本申请的其他环节".into())
        } else {
            e.into()
        }
    })
}

/// Decides a stage. The actor must be an aid officer of the stage's union (not merely above
/// it), have recorded their own identity, not have decided another stage of this application,
/// and not belong to the household. The stage must be the current one.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn decide(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: AidApplicationId,
    input: &DecisionInput,
    now: DateTime<Utc>,
) -> Result<ApplicationView> {
    let actor_id = staff_id(staff)?;
    let a = readable(ctx, staff, id).await?;
    let chain = aid::chain_from_str(&a.chain)
        .ok_or_else(|| AppError::Config("审批流程记录无法读取".into()))?;
    let stage = usize::try_from(input.stage)
        .ok()
        .filter(|s| *s < chain.len())
        .ok_or_else(|| AppError::invalid("stage", "审批环节不存在"))?;
    let level = chain[stage];
    let org = stage_org(ctx.db, &a.org_path, level).await?;
    acts_at(staff, &org, stage, &chain)?;
    let identity = own_identity(ctx, actor_id).await?;
    let reason = text("reason", &input.reason, 200)?;
    let mut tx = ctx.db.change().await?;
    store::lock_file(&mut tx, a.file_id).await?;
    let a = store::application(&mut tx, id)
        .await?
        .ok_or(AppError::NotFound("帮扶申请"))?;
    check_duties(&mut tx, &a, stage, actor_id, &identity).await?;
    let from = input.stage;
    let decision = store::NewDecision {
        application_id: id,
        stage: from,
        level,
        org_id: org.id,
        staff_id: actor_id,
        approve: input.approve,
        reason: &reason,
    };
    insert_decision(&mut tx, &decision).await?;
    let last = stage + 1 == chain.len();
    let today = crate::today(now);
    let notice = (today, today + Duration::days(ctx.settings.notice_days));
    let moved = move_on(&mut tx, id, from, input.approve, last, notice).await?;
    if !moved {
        return Err(AppError::Conflict("该申请已有变化，请刷新后查看".into()));
    }
    let role = aid::stage_role(stage, chain.len());
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::AID_STAGE_DECIDED,
            org: Some(org.id),
            target_kind: Some("aid_application"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "第{}环节{}{}：{}。{reason}",
                stage + 1,
                level.label(),
                role.label(),
                if input.approve { "同意" } else { "不同意" }
            )),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    let a = store::application(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("帮扶申请"))?;
    Ok(ApplicationView::of(a))
}

/// Moves the application past a decided stage: rejected, approved (after the last stage, with
/// its public notice from `notice.0` to `notice.1`) or on to the next stage. False when the
/// application was no longer at that stage.
async fn move_on(
    tx: &mut zhijia_store::Change,
    id: AidApplicationId,
    from: i64,
    approve: bool,
    last: bool,
    notice: (chrono::NaiveDate, chrono::NaiveDate),
) -> Result<bool> {
    Ok(if !approve {
        store::finish(tx, id, from, AidStatus::Rejected, None, None).await?
    } else if last {
        let (starts, ends) = notice;
        store::finish(tx, id, from, AidStatus::Approved, Some(starts), Some(ends)).await?
    } else {
        store::advance(tx, id, from, from + 1).await?
    })
}

/// The role name of a stage, for pages.
pub fn role_label(index: usize, len: usize) -> &'static str {
    let r: StageRole = aid::stage_role(index, len);
    r.label()
}

mod public_notice;
pub use public_notice::*;
