//! Hardship aid (困难职工帮扶): hardship files per household (`file`), aid applications with their
//! staged approval and public notice (`application`), and the disbursement ledger (`ledger`).
//!
//! Rules live in `zhijia_domain::aid`; each step here runs in one store transaction and writes
//! the audit log in it. Who may do what:
//! - an `aid_officer` of the file's union or above opens, reviews and closes files, enters
//!   applications, pays and reverses, and sees health, disability and income (each view audited);
//! - a stage of an application is decided only by an `aid_officer` of the union at that stage's
//!   level on the file's path (see [`application::stage_org`]), never twice by one person, never
//!   by someone of the household;
//! - the other staff roles of the branch (not `merchant_staff`) see files and applications
//!   without health, disability and income, and download the files attached to applications
//!   (`attachment`), which only aid officers of the file upload.

pub mod application;
pub mod attachment;
pub mod file;
pub mod ledger;
pub mod mine;

use crate::caller::StaffCtx;
use crate::{AppError, Result};
use std::collections::BTreeMap;
use zhijia_domain::aid::ApprovalChains;
use zhijia_domain::auth::{self, Role};
use zhijia_domain::ids::StaffId;
use zhijia_domain::org::{OrgId, OrgPath};
use zhijia_domain::pii::PiiKeys;
use zhijia_store::Store;
use zhijia_store::org::Org;

/// Monthly minimum living standard (低保标准) used where no region is configured: 1,000 yuan.
/// An example value: operators set their regions' published figures.
pub const DEFAULT_MINIMUM_FEN: i64 = 100_000;
/// Income per head up to this share of the minimum is relative hardship.
pub const DEFAULT_RELATIVE_PERCENT: i64 = 150;
/// Most a household receives in a calendar year, net of reversals: 20,000 yuan.
pub const DEFAULT_YEARLY_CAP_FEN: i64 = 2_000_000;
/// Days an approved application stays on public notice before it may be paid.
pub const DEFAULT_NOTICE_DAYS: i64 = 7;
/// Months between annual reviews.
pub const DEFAULT_REVIEW_MONTHS: u32 = 12;
/// Days after the review date before an unreviewed file lapses.
pub const DEFAULT_LAPSE_GRACE_DAYS: i64 = 30;

/// What aid needs besides the store and keys; every figure configurable.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Minimum living standard per month in fen, by GB/T 2260 region code: a county (`440106`),
    /// a city (`440100`) or a province (`440000`); the most specific match wins.
    pub minimum_by_region: BTreeMap<String, i64>,
    pub default_minimum_fen: i64,
    pub relative_percent: i64,
    pub chains: ApprovalChains,
    pub yearly_cap_fen: i64,
    pub notice_days: i64,
    pub review_months: u32,
    pub lapse_grace_days: i64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            minimum_by_region: BTreeMap::new(),
            default_minimum_fen: DEFAULT_MINIMUM_FEN,
            relative_percent: DEFAULT_RELATIVE_PERCENT,
            chains: ApprovalChains::default(),
            yearly_cap_fen: DEFAULT_YEARLY_CAP_FEN,
            notice_days: DEFAULT_NOTICE_DAYS,
            review_months: DEFAULT_REVIEW_MONTHS,
            lapse_grace_days: DEFAULT_LAPSE_GRACE_DAYS,
        }
    }
}

impl Settings {
    /// The minimum living standard of a region: the county's, else its city's, else its
    /// province's, else the default.
    pub fn minimum_for(&self, region: &str) -> i64 {
        let candidates = [
            region.to_owned(),
            format!("{}00", region.get(..4).unwrap_or_default()),
            format!("{}0000", region.get(..2).unwrap_or_default()),
        ];
        candidates
            .iter()
            .find_map(|r| self.minimum_by_region.get(r).copied())
            .unwrap_or(self.default_minimum_fen)
    }
}

/// The aid figures as an operator writes them (`zhijia serve --aid-config FILE`): every field
/// optional, the built-in value where absent; amounts in fen, like everything about money here.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
struct SettingsFile {
    minimum_fen_by_region: BTreeMap<String, i64>,
    default_minimum_fen: Option<i64>,
    relative_percent: Option<i64>,
    approval_chains: Option<ApprovalChains>,
    yearly_cap_fen: Option<i64>,
    notice_days: Option<i64>,
    review_months: Option<u32>,
    lapse_grace_days: Option<i64>,
}

fn config_error(message: String) -> AppError {
    AppError::invalid("aid_config", message)
}

fn within<T: PartialOrd + std::fmt::Display + Copy>(
    what: &str,
    v: Option<T>,
    lo: T,
    hi: T,
    default: T,
) -> Result<T> {
    match v {
        None => Ok(default),
        Some(v) if v >= lo && v <= hi => Ok(v),
        Some(v) => Err(config_error(format!(
            "帮扶配置中{what}应在 {lo} 到 {hi} 之间，现为 {v}"
        ))),
    }
}

impl Settings {
    /// Reads the operator's aid figures (see [`SettingsFile`]); a mistake is an error at start-up
    /// naming the figure, never a silent default.
    pub fn from_json(json: &str) -> Result<Self> {
        let f: SettingsFile = serde_json::from_str(json)
            .map_err(|e| config_error(format!("帮扶配置不是有效的 JSON：{e}")))?;
        let d = Settings::default();
        let mut minimum_by_region = BTreeMap::new();
        for (region, fen) in f.minimum_fen_by_region {
            zhijia_domain::region::RegionCode::parse(&region).map_err(|e| {
                config_error(format!("帮扶配置中的地区代码 {region}：{}", e.message))
            })?;
            if !(1..=10_000_000).contains(&fen) {
                return Err(config_error(format!(
                    "帮扶配置中地区 {region} 的低保标准应为 1 到 10000000 分，现为 {fen}"
                )));
            }
            minimum_by_region.insert(region, fen);
        }
        let chains = f.approval_chains.unwrap_or(d.chains);
        chains.validate()?;
        Ok(Settings {
            minimum_by_region,
            default_minimum_fen: within(
                "默认低保标准(分)",
                f.default_minimum_fen,
                1,
                10_000_000,
                d.default_minimum_fen,
            )?,
            relative_percent: within(
                "相对困难上限(%)",
                f.relative_percent,
                100,
                1000,
                d.relative_percent,
            )?,
            chains,
            yearly_cap_fen: within(
                "每户年度上限(分)",
                f.yearly_cap_fen,
                1,
                1_000_000_000,
                d.yearly_cap_fen,
            )?,
            notice_days: within("公示天数", f.notice_days, 1, 60, d.notice_days)?,
            review_months: within("复核周期(月)", f.review_months, 1, 36, d.review_months)?,
            lapse_grace_days: within(
                "复核宽限天数",
                f.lapse_grace_days,
                0,
                365,
                d.lapse_grace_days,
            )?,
        })
    }
}

/// The context of an aid step.
pub struct Ctx<'a> {
    pub db: &'a Store,
    pub keys: &'a PiiKeys,
    pub settings: &'a Settings,
}

/// Whether the staff member is an aid officer of the org at `path` (or above).
pub fn may_manage(staff: &StaffCtx<'_>, path: &OrgPath) -> bool {
    auth::holds(staff.grants, Role::AidOfficer, path)
}

/// Whether the staff member may see files of the org at `path` without the sensitive fields:
/// any union role of the branch (merchant staff are not union staff).
pub fn may_read(staff: &StaffCtx<'_>, path: &OrgPath) -> bool {
    staff
        .grants
        .iter()
        .any(|g| g.role != Role::MerchantStaff && g.org_path.contains(path))
}

/// The union whose subtree a list covers: the one asked for, or the caller's first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn scope(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, org: Option<OrgId>) -> Result<Org> {
    crate::caller::branch(
        ctx.db,
        staff,
        org,
        |p| may_read(staff, p),
        "您没有查看帮扶工作的权限",
        "只能查看本级及下级工会的帮扶工作",
    )
    .await
}

/// The union an aid officer works on: the one asked for, or their first.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn officer_scope(ctx: &Ctx<'_>, staff: &StaffCtx<'_>, org: Option<OrgId>) -> Result<Org> {
    crate::caller::branch(
        ctx.db,
        staff,
        org,
        |p| may_manage(staff, p),
        "只有帮扶专干可以办理",
        "只能办理本级及下级工会的帮扶工作",
    )
    .await
}

/// The staff id of the actor, for steps only a signed-in staff member takes.
pub fn staff_id(staff: &StaffCtx<'_>) -> Result<StaffId> {
    staff
        .staff_id()
        .ok_or_else(|| AppError::Forbidden("只有工作人员可以办理".into()))
}

/// Checked free text, as a use-case error.
pub fn text(field: &'static str, input: &str, max: usize) -> Result<String> {
    Ok(zhijia_domain::aid::text(field, input, max)?)
}

/// Records the blind index of a staff member's own identity number, once. Aid decisions on a
/// household whose head or member has this number are then refused. Changing it afterwards is
/// refused here (the operator corrects a mistake in the database), so nobody can swap it to
/// approve their own household.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn link_identity(
    db: &Store,
    keys: &PiiKeys,
    staff: &StaffCtx<'_>,
    id_number: &str,
) -> Result<()> {
    use zhijia_domain::audit::action;
    use zhijia_store::audit::{self, Record};
    let id = staff_id(staff)?;
    let number = zhijia_domain::id_number::IdNumber::parse(id_number)?;
    let idx = keys.blind_index(number.expose());
    let mut tx = db.change().await?;
    if !zhijia_store::aid::set_staff_identity(&mut tx, id, &idx).await? {
        return Err(AppError::Conflict(
            "您已登记过本人身份证号；如需更正，请联系系统运维人员".into(),
        ));
    }
    let recorded = audit::append(
        &mut tx,
        staff.actor,
        Record {
            action: action::STAFF_IDENTITY_LINKED,
            org: None,
            target_kind: Some("staff"),
            target_id: Some(id.to_string()),
            detail: Some(format!("登记本人身份证号 {}", number.masked())),
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(())
}

/// Whether the staff member has recorded their identity.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn identity_linked(db: &Store, staff: &StaffCtx<'_>) -> Result<bool> {
    match staff.staff_id() {
        Some(id) => Ok(zhijia_store::aid::staff_identity(db, id).await?.is_some()),
        None => Ok(false),
    }
}
