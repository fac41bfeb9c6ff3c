//! Model workers (劳模风采): editors and administrators of a union record the honours of its
//! subtree, link an honouree who is a member here (which gives the member tag `model_worker`),
//! and publish the story once the honouree has agreed; anyone reads what is published, without
//! signing in. A kind of publishable record: the use cases are
//! `publishable::{create, update, publish, withdraw, get, list, published, public}::<ModelWorkers>`.

use crate::caller::StaffCtx;
use crate::publishable::{Actions, Spec, Words};
use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::audit::action;
use zhijia_domain::ids::{PublishableId, WorkerId};
use zhijia_domain::member::MemberNo;
use zhijia_domain::model_worker::{self as rules, Level};
use zhijia_store::Store;
use zhijia_store::model_worker::{Honouree, ModelWorker};
use zhijia_store::org as org_store;

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

/// A published record as anyone may read it: never the phone, identity number, member number
/// or worker id of the honouree.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct PublicModelWorker {
    #[schema(value_type = i64)]
    pub id: PublishableId,
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
    fn from(r: ModelWorker) -> Self {
        let m = r.content;
        PublicModelWorker {
            id: r.id,
            org_name: r.org_name,
            level: m.level.as_str().to_owned(),
            level_label: m.level.label().to_owned(),
            name: m.name,
            honour: m.honour,
            year: m.year,
            employer: m.employer,
            story: m.story,
            published_at: r.published_at,
        }
    }
}

/// The model-worker showcase as a kind of publishable record.
pub struct ModelWorkers;

impl Spec for ModelWorkers {
    type Content = Honouree;
    type Input = ModelWorkerInput;
    type Public = PublicModelWorker;

    const WORDS: Words = Words {
        what: "劳模记录",
        no_role: "您没有管理劳模风采的权限(需要宣传文体干事或工会管理员角色)",
        outside: "只能管理本级及下级工会的劳模",
        already_published: "该劳模事迹已经发布",
        publish_raced: "该劳模事迹刚被他人修改(已发布或已取消同意)，请刷新后重试",
        not_published: "只有已发布的劳模事迹可以撤回",
        edit_refused: "已发布的劳模事迹不能取消“已取得同意”，请先撤回发布",
    };
    const ACTIONS: Actions = Actions {
        created: action::MODEL_WORKER_CREATED,
        updated: action::MODEL_WORKER_UPDATED,
        published: action::MODEL_WORKER_PUBLISHED,
        withdrawn: action::MODEL_WORKER_WITHDRAWN,
    };

    fn org(input: &ModelWorkerInput) -> Option<i64> {
        input.org
    }

    /// Consent recorded earlier keeps its time; a published record cannot lose it (withdraw
    /// it first).
    async fn check(
        db: &Store,
        staff: &StaffCtx<'_>,
        input: &ModelWorkerInput,
        was: Option<&ModelWorker>,
        now: DateTime<Utc>,
    ) -> Result<Honouree> {
        let c = rules::ModelWorkerInput {
            name: input.name.clone(),
            honour: input.honour.clone(),
            level: input.level.clone(),
            year: input.year,
            employer: input.employer.clone(),
            story: input.story.clone(),
        }
        .validate(crate::today(now))?;
        let had_consent = was.and_then(|m| m.content.consent_at);
        if let Some(m) = was {
            rules::check_consent_change(m.status, had_consent.is_some(), input.consent)
                .map_err(|e| AppError::Conflict(e.into()))?;
        }
        Ok(Honouree {
            worker_id: linked_worker(db, staff, input.member_no.as_deref()).await?,
            member_no: None,
            name: c.name,
            honour: c.honour,
            level: c.level,
            year: c.year,
            employer: c.employer,
            story: c.story,
            consent_at: input.consent.then(|| had_consent.unwrap_or(now)),
        })
    }

    fn title(m: &Honouree) -> String {
        format!("{}：{}", m.name, m.honour)
    }

    fn check_publish(m: &ModelWorker) -> Result<(), &'static str> {
        rules::check_publish(m.status, m.content.consent_at)
    }

    fn facet(typed: &str) -> Result<&'static str> {
        Level::parse(typed).map(Level::as_str).ok_or_else(|| {
            AppError::invalid("level", "荣誉级别应为 national、province、city 或 county")
        })
    }
}

/// The worker of a member number, if it is a current member of a union the caller manages.
/// Whether the number is unknown, ended or of another branch, the refusal is the same.
async fn linked_worker(
    db: &Store,
    staff: &StaffCtx<'_>,
    member_no: Option<&str>,
) -> Result<Option<WorkerId>> {
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
    if !staff.may_edit(&org.path) {
        return Err(refused());
    }
    Ok(Some(w.id))
}
