//! What a worker sees of their own household's aid: the files they head, the applications and
//! where each stands, and what was paid. Health, disability and income stay in the console:
//! the worker gave them and needs no screen to repeat them.
//!
//! A member also applies from the phone ([`apply`]): the application enters the same staged
//! review as one an aid officer enters (the chain its kind and amount give, first stage
//! waiting), on the household's active file, or on a file opened in the same step from the
//! figures the worker declares (the tier by the same rule as an officer's; the first stage's
//! aid officer checks them before recommending). Everything is scoped to the session's phone:
//! another household's application is “不存在”.

use super::{Ctx, text};
use crate::attachment::Upload;
use crate::caller::worker_actor;
use crate::{AppError, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use zhijia_domain::aid::{self, AidKind, AidStatus, FileStatus, HardshipCause, HardshipTier};
use zhijia_domain::audit::action;
use zhijia_domain::ids::{AidApplicationId, AidFileId, AttachmentId, PendingUploadId, WorkerId};
use zhijia_store::Page;
use zhijia_store::aid as store;
use zhijia_store::attachment::{Attachment, AttachmentData};
use zhijia_store::audit::{self, Record};
use zhijia_store::worker::Worker;

/// One application as the worker sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MyApplication {
    pub id: AidApplicationId,
    pub org_name: String,
    pub kind: &'static str,
    pub amount_fen: i64,
    pub status: &'static str,
    /// How far the staged approval has come, e.g. "第2步，共3步".
    pub progress: Option<String>,
    pub notice_ends_on: Option<NaiveDate>,
    pub reason: String,
    pub created_at: DateTime<Utc>,
    /// Whether it still waits for a decision (more documents may be added).
    pub in_review: bool,
}

impl MyApplication {
    fn of(a: store::ApplicationRow) -> Self {
        let stages = aid::chain_from_str(&a.chain).map_or(0, |c| c.len());
        let progress = a
            .current_stage
            .filter(|_| a.status == AidStatus::InReview)
            .map(|s| format!("第{}步，共{stages}步", s + 1));
        MyApplication {
            id: a.id,
            org_name: a.org_name,
            kind: a.kind.label(),
            amount_fen: a.amount_fen,
            status: a.status.label(),
            progress,
            notice_ends_on: a.notice_ends_on,
            in_review: a.status == AidStatus::InReview,
            reason: a.reason,
            created_at: a.created_at,
        }
    }
}

/// One hardship file the worker heads.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MyFile {
    pub id: AidFileId,
    pub org_name: String,
    pub tier: &'static str,
    pub status: &'static str,
    pub opened_on: NaiveDate,
    pub review_due_on: NaiveDate,
    pub applications: Vec<MyApplication>,
}

/// The files headed by the worker of `phone`; none when the phone has no worker record.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mine(ctx: &Ctx<'_>, phone: &str) -> Result<Vec<MyFile>> {
    let Some(worker) = zhijia_store::worker::find_by_phone(ctx.db, phone).await? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for f in store::files_of_head(ctx.db, WorkerId(worker.id)).await? {
        let applications = store::applications_of_file(ctx.db, f.id)
            .await?
            .into_iter()
            .map(MyApplication::of)
            .collect();
        out.push(MyFile {
            id: f.id,
            org_name: f.org_name,
            tier: f.tier.label(),
            status: f.status.label(),
            opened_on: f.opened_on,
            review_due_on: f.review_due_on,
            applications,
        });
    }
    Ok(out)
}

/// Where the worker stands before applying: the form, or an explanation.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Standing {
    /// No membership: aid is for members; the page explains and links to joining.
    NotMember {
        /// 入会申请审核中
        pending_join: bool,
    },
    /// A member; `file` is the household's active file (no household figures asked), if any.
    Member {
        org_name: String,
        file: Option<ActiveFile>,
    },
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ActiveFile {
    #[schema(value_type = i64)]
    pub id: AidFileId,
    pub org_name: String,
    pub tier: &'static str,
}

async fn worker_of(ctx: &Ctx<'_>, phone: &str) -> Result<Option<Worker>> {
    Ok(zhijia_store::worker::find_by_phone(ctx.db, phone).await?)
}

async fn active_file(ctx: &Ctx<'_>, worker_id: WorkerId) -> Result<Option<store::FileRow>> {
    Ok(store::files_of_head(ctx.db, worker_id)
        .await?
        .into_iter()
        .find(|f| f.status == FileStatus::Active))
}

/// Whether the worker of `phone` may apply, and with which file.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn standing(ctx: &Ctx<'_>, phone: &str) -> Result<Standing> {
    let Some(worker) = worker_of(ctx, phone).await? else {
        return Ok(Standing::NotMember {
            pending_join: false,
        });
    };
    let Some(m) = zhijia_store::membership::current(ctx.db, worker.id).await? else {
        let pending = zhijia_store::membership::applications_of(ctx.db, worker.id)
            .await?
            .iter()
            .any(|a| a.status == "pending");
        return Ok(Standing::NotMember {
            pending_join: pending,
        });
    };
    let org = zhijia_store::org::get(ctx.db, m.org_id)
        .await?
        .ok_or(AppError::NotFound("工会"))?;
    let file = active_file(ctx, WorkerId(worker.id))
        .await?
        .map(|f| ActiveFile {
            id: f.id,
            org_name: f.org_name,
            tier: f.tier.label(),
        });
    Ok(Standing::Member {
        org_name: org.name,
        file,
    })
}

/// The kinds a worker applies for from the phone. 金秋助学 needs the student registered in
/// the household file by an aid officer, so it is applied for at the union.
pub const WORKER_KINDS: [AidKind; 3] = [AidKind::DailyLiving, AidKind::Medical, AidKind::Emergency];

/// What a worker fills in. The household figures are needed only when the household has no
/// active file yet (they open it); with one they are ignored.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WorkerApplication {
    /// daily_living, medical or emergency
    pub kind: String,
    /// 申请金额(分)
    pub amount_fen: i64,
    /// 申请理由
    pub reason: String,
    /// 致困原因: illness, disability, accident, unemployment, education, disaster, other
    pub cause: String,
    /// 家庭人口(含本人)
    pub household_size: i64,
    /// 家庭月人均收入(分)
    pub income_per_head_fen: i64,
    /// 住房情况
    pub housing: String,
    /// 健康状况(可不填)
    pub health: String,
    /// 残疾情况(可不填)
    pub disability: String,
    /// 已暂存的文件编号(`POST /api/v1/me/uploads` 的返回值)，随申请一并提交
    #[schema(value_type = Vec<i64>)]
    pub upload_ids: Vec<PendingUploadId>,
}

fn optional_text(field: &'static str, input: &str, max: usize) -> Result<String> {
    if input.trim().is_empty() {
        Ok("未填写".into())
    } else {
        text(field, input, max)
    }
}

/// What an application from the phone gave.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Applied {
    #[schema(value_type = i64)]
    pub id: AidApplicationId,
    #[schema(value_type = i64)]
    pub file_id: AidFileId,
    /// Whether a file was opened with this application.
    pub file_opened: bool,
    /// 审批环节，如 ["基层工会推荐", "县(区)总工会审批"]
    pub stages: Vec<String>,
}

/// The facts of a household file opened with a worker's first application, checked before
/// anything is written.
struct HouseholdFacts {
    cause: HardshipCause,
    size: i64,
    minimum_fen: i64,
    tier: HardshipTier,
    housing: String,
    health: String,
    disability: String,
}

/// The kind a worker may apply for from the phone, or why not.
fn worker_kind(input: &str) -> Result<AidKind> {
    AidKind::parse(input.trim())
        .filter(|k| WORKER_KINDS.contains(k))
        .ok_or_else(|| {
            if input.trim() == AidKind::EducationGrant.as_str() {
                AppError::invalid(
                    "kind",
                    "金秋助学须登记受助学生和录取学校，请到所在工会找帮扶专干办理",
                )
            } else {
                AppError::invalid("kind", "请选择帮扶类别：生活救助、医疗救助或应急救助")
            }
        })
}

/// The amount and the reason of an application, checked.
fn amount_and_reason(ctx: &Ctx<'_>, input: &WorkerApplication) -> Result<String> {
    if input.amount_fen <= 0 || input.amount_fen > ctx.settings.yearly_cap_fen {
        return Err(AppError::invalid(
            "amount_fen",
            format!(
                "申请金额应大于0元且不超过每户每年上限{}元",
                aid::yuan(ctx.settings.yearly_cap_fen)
            ),
        ));
    }
    text("reason", &input.reason, 500).map_err(|_| {
        AppError::invalid(
            "reason",
            "请写明申请理由：家里遇到了什么困难（不超过500字）",
        )
    })
}

/// The household figures of a new file, checked.
fn household_facts(
    ctx: &Ctx<'_>,
    worker: &Worker,
    input: &WorkerApplication,
) -> Result<HouseholdFacts> {
    let cause = super::file::cause(&input.cause)
        .map_err(|_| AppError::invalid("cause", "请选择致困原因"))?;
    let size = super::file::size(input.household_size, 1)?;
    let minimum_fen = ctx.settings.minimum_for(&worker.region_code);
    let tier = super::file::tier(ctx, input.income_per_head_fen, minimum_fen, cause)?;
    let housing = text("housing", &input.housing, 200).map_err(|_| {
        AppError::invalid(
            "housing",
            "请填写住房情况，如：租房、自有住房（不超过200字）",
        )
    })?;
    Ok(HouseholdFacts {
        cause,
        size,
        minimum_fen,
        tier,
        housing,
        health: optional_text("health", &input.health, 500)?,
        disability: optional_text("disability", &input.disability, 500)?,
    })
}

/// Opens the worker's household file inside `tx`, with the worker as its first person, and
/// audits it (the entry commits with the application's).
#[allow(clippy::too_many_arguments)]
async fn open_own_file(
    tx: &mut zhijia_store::Tx,
    ctx: &Ctx<'_>,
    actor: &zhijia_domain::audit::Actor,
    worker: &Worker,
    org: zhijia_domain::org::OrgId,
    facts: &HouseholdFacts,
    income_per_head_fen: i64,
    now: DateTime<Utc>,
) -> Result<AidFileId> {
    let number = ctx
        .keys
        .decrypt(&worker.id_number_enc)
        .map_err(|_| AppError::Config("无法读取您的身份信息，请联系所在工会".into()))?;
    let idx = ctx.keys.blind_index(&number);
    let today = crate::today(now);
    let due = aid::review_due(today, ctx.settings.review_months);
    let id = store::insert_file(
        tx,
        &store::NewFile {
            org_id: org,
            head_worker_id: WorkerId(worker.id),
            tier: facts.tier,
            cause: facts.cause,
            household_size: facts.size,
            income_per_head_fen,
            health: &facts.health,
            disability: &facts.disability,
            housing: &facts.housing,
            minimum_fen: facts.minimum_fen,
            region_code: &worker.region_code,
            opened_on: today,
            review_due_on: due,
            lapses_on: due + Duration::days(ctx.settings.lapse_grace_days),
            created_by: None,
        },
    )
    .await?;
    store::insert_member(tx, id, &worker.name, "本人", &worker.id_number_enc, &idx)
        .await
        .map_err(|e| super::file::one_person_conflict(e, &worker.name))?;
    // The application's own entry is the one the commit needs; this one commits with it in
    // the same transaction.
    let _opened = audit::append(
        tx,
        actor,
        Record {
            action: action::AID_FILE_OPENED,
            org: Some(org),
            target_kind: Some("hardship_file"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "职工本人申请帮扶时建档(待帮扶专干核实)：{}，{}，{}人",
                facts.tier.label(),
                facts.cause.label(),
                facts.size
            )),
        },
    )
    .await?;
    Ok(id)
}

/// The worker of `phone` and their membership: aid is for members.
async fn member_of(
    ctx: &Ctx<'_>,
    phone: &str,
) -> Result<(Worker, zhijia_store::membership::Membership)> {
    let not_member =
        || AppError::Conflict("帮扶申请须由在会会员提出：请先申请加入工会，入会后即可申请".into());
    let worker = worker_of(ctx, phone).await?.ok_or_else(not_member)?;
    let membership = zhijia_store::membership::current(ctx.db, worker.id)
        .await?
        .ok_or_else(not_member)?;
    Ok((worker, membership))
}

/// The approval chain of an application (as stored) and its stages in words.
fn chain_and_stages(
    ctx: &Ctx<'_>,
    kind: AidKind,
    amount_fen: i64,
) -> Result<(String, Vec<String>)> {
    let chain = ctx
        .settings
        .chains
        .chain_for(kind, amount_fen)
        .ok_or_else(|| AppError::Config(format!("{}没有配置审批流程", kind.label())))?;
    let stages = chain
        .iter()
        .enumerate()
        .map(|(i, l)| format!("{}{}", l.label(), aid::stage_role(i, chain.len()).label()))
        .collect();
    Ok((aid::chain_to_string(chain), stages))
}

/// A member applies for aid for their household from the phone, with documents. The
/// application and a new file (if any) and the documents commit together with their audit
/// entries, or nothing does.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn apply(
    ctx: &Ctx<'_>,
    phone: &str,
    input: &WorkerApplication,
    files: &[Upload],
    now: DateTime<Utc>,
) -> Result<Applied> {
    let (worker, membership) = member_of(ctx, phone).await?;
    let kind = worker_kind(&input.kind)?;
    let reason = amount_and_reason(ctx, input)?;
    let existing = active_file(ctx, WorkerId(worker.id)).await?;
    let new_file = match &existing {
        Some(_) => None,
        None => Some(household_facts(ctx, &worker, input)?),
    };
    let checked = super::attachment::check(files)?;
    let (chain, stages) = chain_and_stages(ctx, kind, input.amount_fen)?;
    let actor = worker_actor(phone);
    let mut tx = ctx.db.change().await?;
    let (file_id, org_id, opened) = match (existing, new_file) {
        (Some(f), _) => (f.id, f.org_id, false),
        (None, Some(facts)) => {
            let org = membership.org_id;
            let id = open_own_file(
                &mut tx,
                ctx,
                &actor,
                &worker,
                org,
                &facts,
                input.income_per_head_fen,
                now,
            )
            .await?;
            (id, org, true)
        }
        (None, None) => return Err(AppError::Config("帮扶档案状态无法确定".into())),
    };
    let id = store::insert_application(
        &mut tx,
        &store::NewApplication {
            file_id,
            kind,
            amount_fen: input.amount_fen,
            reason: &reason,
            student_id: None,
            school: None,
            admission_proof: None,
            chain: &chain,
            created_by: None,
        },
    )
    .await?;
    let mut recorded = audit::append(
        &mut tx,
        &actor,
        Record {
            action: action::AID_APPLIED,
            org: Some(org_id),
            target_kind: Some("aid_application"),
            target_id: Some(id.to_string()),
            detail: Some(format!(
                "职工本人在线申请：档案#{file_id}，{}{}元，审批流程 {chain}",
                kind.label(),
                aid::yuan(input.amount_fen)
            )),
        },
    )
    .await?;
    if !checked.is_empty() {
        let who = WorkerId(worker.id);
        recorded =
            store_worker_files(&mut tx, phone, who, id, org_id, files, &checked, now).await?;
    }
    tx.commit(recorded).await?;
    Ok(Applied {
        id,
        file_id,
        file_opened: opened,
        stages,
    })
}

#[allow(clippy::too_many_arguments)]
async fn store_worker_files(
    tx: &mut zhijia_store::Tx,
    phone: &str,
    worker_id: WorkerId,
    application_id: AidApplicationId,
    org: zhijia_domain::org::OrgId,
    files: &[Upload],
    checked: &[zhijia_domain::attachment::Checked],
    now: DateTime<Utc>,
) -> Result<zhijia_store::Recorded> {
    use zhijia_domain::attachment::MAX_PER_AID_APPLICATION;
    let have = store::count_attachments(tx, application_id).await?;
    crate::attachment::check_room(have, checked.len(), MAX_PER_AID_APPLICATION, "每份帮扶申请")?;
    for (f, c) in files.iter().zip(checked) {
        store::add_worker_attachment(
            tx,
            application_id,
            &c.file_name,
            c.kind.content_type(),
            &f.bytes,
            worker_id,
            now,
        )
        .await?;
    }
    let names: Vec<&str> = checked.iter().map(|c| c.file_name.as_str()).collect();
    Ok(audit::append(
        tx,
        &worker_actor(phone),
        Record {
            action: action::AID_ATTACHMENT_ADDED,
            org: Some(org),
            target_kind: Some("aid_application"),
            target_id: Some(application_id.to_string()),
            detail: Some(format!("申请人上传申请材料：{}", names.join("、"))),
        },
    )
    .await?)
}

/// The worker's applications, newest first, a page at a time.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn applications(
    ctx: &Ctx<'_>,
    phone: &str,
    limit: i64,
    offset: i64,
) -> Result<Page<MyApplication>> {
    let Some(worker) = worker_of(ctx, phone).await? else {
        return Ok(Page {
            items: Vec::new(),
            total: 0,
            offset,
            limit,
        });
    };
    let page = store::applications_of_head(ctx.db, WorkerId(worker.id), limit, offset).await?;
    Ok(Page {
        items: page.items.into_iter().map(MyApplication::of).collect(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    })
}

/// One of the worker's own applications with its documents (the web layer's view serializes
/// it).
#[derive(Debug, Clone)]
pub struct MyApplicationDetail {
    pub application: MyApplication,
    pub attachments: Vec<Attachment>,
}

/// An application of a file the worker of `phone` heads; anyone else's is “不存在” (404).
async fn own_row(
    ctx: &Ctx<'_>,
    phone: &str,
    id: AidApplicationId,
) -> Result<(Worker, store::ApplicationRow)> {
    let missing = || AppError::NotFound("帮扶申请");
    let worker = worker_of(ctx, phone).await?.ok_or_else(missing)?;
    let a = store::application(ctx.db, id).await?.ok_or_else(missing)?;
    let f = store::file(ctx.db, a.file_id).await?.ok_or_else(missing)?;
    if f.head_worker_id != WorkerId(worker.id) {
        return Err(missing());
    }
    Ok((worker, a))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn application(
    ctx: &Ctx<'_>,
    phone: &str,
    id: AidApplicationId,
) -> Result<MyApplicationDetail> {
    let (_, a) = own_row(ctx, phone, id).await?;
    let attachments = store::attachments(ctx.db, id).await?;
    Ok(MyApplicationDetail {
        application: MyApplication::of(a),
        attachments,
    })
}

/// The worker adds documents to their own application while it is in review.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn attach(
    ctx: &Ctx<'_>,
    phone: &str,
    id: AidApplicationId,
    files: &[Upload],
    now: DateTime<Utc>,
) -> Result<usize> {
    let (worker, a) = own_row(ctx, phone, id).await?;
    if a.status != AidStatus::InReview {
        return Err(AppError::Conflict(
            "该申请已审结，不能再补充材料；如有新情况请重新申请".into(),
        ));
    }
    let checked = super::attachment::check(files)?;
    if checked.is_empty() {
        return Err(AppError::invalid("attachment", "请选择要上传的文件"));
    }
    let mut tx = ctx.db.change().await?;
    let recorded = store_worker_files(
        &mut tx,
        phone,
        WorkerId(worker.id),
        id,
        a.org_id,
        files,
        &checked,
        now,
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(checked.len())
}

/// One document of the worker's own application.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn file(
    ctx: &Ctx<'_>,
    phone: &str,
    id: AidApplicationId,
    file: AttachmentId,
) -> Result<AttachmentData> {
    own_row(ctx, phone, id).await?;
    store::attachment(ctx.db, id, file)
        .await?
        .ok_or(AppError::NotFound("附件"))
}
