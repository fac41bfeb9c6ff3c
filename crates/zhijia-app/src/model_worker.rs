//! Model workers (劳模风采): editors and administrators of a union record the honours of its
//! subtree, link an honouree who is a member here (which gives the member tag `model_worker`),
//! and publish the story once the honouree has agreed; anyone reads what is published, without
//! signing in. Every staff write is audited.

use crate::benefit::may_edit;
use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::audit::action;
use zhijia_domain::member::MemberNo;
use zhijia_domain::model_worker::{self as rules, Level};
use zhijia_domain::org::OrgId;
use zhijia_domain::publishing::PublishStatus;
use zhijia_store::audit::{self, Record};
use zhijia_store::model_worker::{self as store, Fields, ModelWorker};
use zhijia_store::org::{self as org_store, Org};
use zhijia_store::{Page, Recorded, Store};

const NO_ROLE: &str = "您没有管理劳模风采的权限(需要宣传文体干事或工会管理员角色)";
const OUTSIDE: &str = "只能管理本级及下级工会的劳模";

/// A record as typed by staff.
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ModelWorkerInput {
    /// The union the record belongs to (its editors and those above manage it); the caller's
    /// first union by default. Not changed by an edit.
    pub org: Option<i64>,
    /// 姓名, at most 20 characters.
    pub name: String,
    /// 荣誉称号, e.g. "全国劳动模范", at most 40 characters.
    pub honour: String,
    /// `national`, `province`, `city` or `county`.
    pub level: String,
    /// 获评年份, 1950 to this year.
    pub year: i64,
    /// 工作单位, at most 60 characters.
    pub employer: String,
    /// 先进事迹, plain text (line breaks make paragraphs), at most 5,000 characters.
    pub story: String,
    /// 会员号 of the honouree when they are a current member of a union in the caller's
    /// branch; empty for honourees of the past.
    pub member_no: Option<String>,
    /// The honouree (or their next of kin) agreed to be shown publicly. Needed to publish.
    pub consent: bool,
}

impl ModelWorkerInput {
    fn to_domain(&self) -> rules::ModelWorkerInput {
        rules::ModelWorkerInput {
            name: self.name.clone(),
            honour: self.honour.clone(),
            level: self.level.clone(),
            year: self.year,
            employer: self.employer.clone(),
            story: self.story.clone(),
        }
    }
}

/// A published record as anyone may read it: never the phone, identity number, member number
/// or worker id of the honouree.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicModelWorker {
    pub id: i64,
    /// The union that published it.
    pub org_name: String,
    pub name: String,
    pub honour: String,
    /// `national`, `province`, `city` or `county`.
    pub level: String,
    /// 全国, 省部级, 市级, 县级.
    pub level_label: String,
    pub year: i64,
    pub employer: String,
    pub story: String,
    pub published_at: Option<DateTime<Utc>>,
}

impl From<ModelWorker> for PublicModelWorker {
    fn from(m: ModelWorker) -> Self {
        PublicModelWorker {
            id: m.id,
            org_name: m.org_name,
            level_label: level_label(&m.level).to_owned(),
            name: m.name,
            honour: m.honour,
            level: m.level,
            year: m.year,
            employer: m.employer,
            story: m.story,
            published_at: m.published_at,
        }
    }
}

/// The Chinese name of a stored level.
pub fn level_label(level: &str) -> &'static str {
    Level::parse(level).map_or("", Level::label)
}

/// The Chinese name of a stored status.
pub fn status_label(status: &str) -> &'static str {
    PublishStatus::parse(status).map_or("", PublishStatus::label)
}

fn status_of(m: &ModelWorker) -> Result<PublishStatus> {
    PublishStatus::parse(&m.status).ok_or_else(|| AppError::decode("劳模记录状态", &m.status))
}

async fn editable_org(db: &Store, staff: &StaffCtx<'_>, org: Option<i64>) -> Result<Org> {
    crate::caller::branch(db, staff, org, |p| may_edit(staff, p), NO_ROLE, OUTSIDE).await
}

/// A record the caller may manage; another branch's record does not exist for them (404).
async fn editable(db: &Store, staff: &StaffCtx<'_>, id: i64) -> Result<ModelWorker> {
    store::get(db, id)
        .await?
        .filter(|m| may_edit(staff, &m.org_path))
        .ok_or(AppError::NotFound("劳模记录"))
}

/// The worker of a member number, if it is a current member of a union the caller manages.
/// Whether the number is unknown, ended or of another branch, the refusal is the same.
async fn linked_worker(
    db: &Store,
    staff: &StaffCtx<'_>,
    member_no: Option<&str>,
) -> Result<Option<i64>> {
    let Some(typed) = member_no.map(str::trim).filter(|n| !n.is_empty()) else {
        return Ok(None);
    };
    let no = MemberNo::parse(typed)?;
    let refused = || {
        AppError::invalid(
            "member_no",
            format!(
                "会员号 {} 不是本级及下级工会的在册会员，不能关联；往届劳模可不填会员号",
                no.as_str()
            ),
        )
    };
    let Some(w) = zhijia_store::worker::find_by_member_no(db, no.as_str()).await? else {
        return Err(refused());
    };
    let Some(m) = zhijia_store::membership::current(db, w.id).await? else {
        return Err(refused());
    };
    let org = org_store::get(db, m.org_id).await?.ok_or_else(refused)?;
    if !may_edit(staff, &org.path) {
        return Err(refused());
    }
    Ok(Some(w.id))
}

async fn log(
    tx: &mut zhijia_store::Tx,
    staff: &StaffCtx<'_>,
    what: &str,
    org: OrgId,
    id: i64,
    detail: String,
) -> Result<Recorded> {
    Ok(audit::append(
        tx,
        staff.actor,
        Record {
            action: what,
            org: Some(org),
            target_kind: Some("model_worker"),
            target_id: Some(id.to_string()),
            detail: Some(detail),
        },
    )
    .await?)
}

/// Records a model worker as a draft.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn create(
    db: &Store,
    staff: &StaffCtx<'_>,
    input: &ModelWorkerInput,
    now: DateTime<Utc>,
) -> Result<i64> {
    let c = input.to_domain().validate(crate::today(now))?;
    let org = editable_org(db, staff, input.org).await?;
    let worker_id = linked_worker(db, staff, input.member_no.as_deref()).await?;
    let fields = Fields {
        worker_id,
        name: &c.name,
        honour: &c.honour,
        level: c.level.as_str(),
        year: c.year,
        employer: &c.employer,
        story: &c.story,
        consent_at: input.consent.then_some(now),
    };
    let mut tx = db.change().await?;
    let id = store::insert(&mut tx, org.id, &fields, staff.staff_id(), now).await?;
    let detail = format!("{}：{}", c.name, c.honour);
    let recorded = log(
        &mut tx,
        staff,
        action::MODEL_WORKER_CREATED,
        org.id,
        id,
        detail,
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(id)
}

/// Edits a record (its union stays). Consent recorded earlier keeps its time; a published
/// record cannot lose it (withdraw it first).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn update(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: i64,
    input: &ModelWorkerInput,
    now: DateTime<Utc>,
) -> Result<ModelWorker> {
    let m = editable(db, staff, id).await?;
    let c = input.to_domain().validate(crate::today(now))?;
    rules::check_consent_change(status_of(&m)?, m.consent_at.is_some(), input.consent)
        .map_err(|e| AppError::Conflict(e.into()))?;
    let worker_id = linked_worker(db, staff, input.member_no.as_deref()).await?;
    let fields = Fields {
        worker_id,
        name: &c.name,
        honour: &c.honour,
        level: c.level.as_str(),
        year: c.year,
        employer: &c.employer,
        story: &c.story,
        consent_at: if input.consent {
            m.consent_at.or(Some(now))
        } else {
            None
        },
    };
    let mut tx = db.change().await?;
    if !store::update(&mut tx, id, &fields).await? {
        return Err(AppError::Conflict(
            "已发布的劳模事迹不能取消“已取得同意”，请先撤回发布".into(),
        ));
    }
    let detail = format!("{}：{}", c.name, c.honour);
    let recorded = log(
        &mut tx,
        staff,
        action::MODEL_WORKER_UPDATED,
        m.org_id,
        id,
        detail,
    )
    .await?;
    tx.commit(recorded).await?;
    store::get(db, id)
        .await?
        .ok_or(AppError::NotFound("劳模记录"))
}

/// Publishes a draft (or a withdrawn record again); refused without the honouree's consent.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn publish(
    db: &Store,
    staff: &StaffCtx<'_>,
    id: i64,
    now: DateTime<Utc>,
) -> Result<ModelWorker> {
    let m = editable(db, staff, id).await?;
    rules::check_publish(status_of(&m)?, m.consent_at).map_err(|e| AppError::Conflict(e.into()))?;
    let mut tx = db.change().await?;
    if !store::publish(&mut tx, id, now).await? {
        return Err(AppError::Conflict(
            "该劳模事迹刚被他人修改(已发布或已取消同意)，请刷新后重试".into(),
        ));
    }
    let recorded = log(
        &mut tx,
        staff,
        action::MODEL_WORKER_PUBLISHED,
        m.org_id,
        id,
        m.name,
    )
    .await?;
    tx.commit(recorded).await?;
    store::get(db, id)
        .await?
        .ok_or(AppError::NotFound("劳模记录"))
}

/// Takes a published record off the showcase. A linked worker loses the tag `model_worker`.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn withdraw(db: &Store, staff: &StaffCtx<'_>, id: i64) -> Result<ModelWorker> {
    let m = editable(db, staff, id).await?;
    let mut tx = db.change().await?;
    if !store::withdraw(&mut tx, id).await? {
        return Err(AppError::Conflict("只有已发布的劳模事迹可以撤回".into()));
    }
    let recorded = log(
        &mut tx,
        staff,
        action::MODEL_WORKER_WITHDRAWN,
        m.org_id,
        id,
        m.name,
    )
    .await?;
    tx.commit(recorded).await?;
    store::get(db, id)
        .await?
        .ok_or(AppError::NotFound("劳模记录"))
}

/// One record, for the staff who manage it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn get(db: &Store, staff: &StaffCtx<'_>, id: i64) -> Result<ModelWorker> {
    editable(db, staff, id).await
}

/// The records of a union's subtree in every status, newest first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn list(
    db: &Store,
    staff: &StaffCtx<'_>,
    org: Option<i64>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<(Org, Page<ModelWorker>)> {
    let org = editable_org(db, staff, org).await?;
    let (limit, offset) = crate::page_bounds(limit, offset, 30);
    let page = store::of_subtree(db, &org.path, limit, offset).await?;
    Ok((org, page))
}

/// The showcase: published records of the whole tree or of a union's subtree, of one level or
/// all, latest published first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn showcase(
    db: &Store,
    org: Option<i64>,
    level: Option<&str>,
    limit: Option<i64>,
    offset: Option<i64>,
) -> Result<Page<PublicModelWorker>> {
    let level = match level.map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => Level::parse(l)
            .ok_or_else(|| {
                AppError::invalid("level", "荣誉级别应为 national、province、city 或 county")
            })?
            .as_str(),
        None => "",
    };
    let scope = match org {
        Some(id) => Some(
            org_store::get(db, OrgId(id))
                .await?
                .ok_or(AppError::NotFound("工会"))?
                .path,
        ),
        None => None,
    };
    let (limit, offset) = crate::page_bounds(limit, offset, 20);
    let page = store::published(db, scope.as_ref(), level, limit, offset).await?;
    Ok(Page {
        items: page
            .items
            .into_iter()
            .map(PublicModelWorker::from)
            .collect(),
        total: page.total,
        offset: page.offset,
        limit: page.limit,
    })
}

/// One published record; drafts and withdrawn records do not exist for the public (404).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn public(db: &Store, id: i64) -> Result<PublicModelWorker> {
    store::get(db, id)
        .await?
        .filter(|m| m.status == PublishStatus::Published.as_str())
        .map(PublicModelWorker::from)
        .ok_or(AppError::NotFound("劳模事迹"))
}
