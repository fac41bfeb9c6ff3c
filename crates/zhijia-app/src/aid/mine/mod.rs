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
    for f in store::files_of_head(ctx.db, worker.id).await? {
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
            .any(|a| a.status == zhijia_domain::member::ApplicationStatus::Pending);
        return Ok(Standing::NotMember {
            pending_join: pending,
        });
    };
    let org = zhijia_store::org::get(ctx.db, m.org_id)
        .await?
        .ok_or(AppError::NotFound("工会"))?;
    let file = active_file(ctx, worker.id).await?.map(|f| ActiveFile {
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
    let page = store::applications_of_head(ctx.db, worker.id, limit, offset).await?;
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
    if f.head_worker_id != worker.id {
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
        &mut tx, phone, worker.id, id, a.org_id, files, &checked, now,
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

mod apply;
pub use apply::*;
