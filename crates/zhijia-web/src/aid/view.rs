//! What the JSON API answers about hardship aid where the use case returns store rows:
//! views built from them, so a column can change without changing the API. Field names and
//! values are those the API has always had. (Files, applications and the notice already come
//! as the use cases' own views, which hold no store row.)

use crate::attachment::{AttachmentView, attachment_views};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use zhijia_app::aid::application::{ApplicationDetail, ApplicationView, StageView};
use zhijia_app::aid::file::{FileDetail, FileView, MemberView};
use zhijia_app::aid::ledger::{EntryView, Ledger, Totals};
use zhijia_app::aid::mine::{MyApplication, MyApplicationDetail};
use zhijia_domain::aid::{AidKind, ObjectionStatus, PaymentMethod};
use zhijia_domain::ids::{AidApplicationId, AidDecisionId, AidFileId, DisbursementId};
use zhijia_domain::ids::{ObjectionId, StaffId};
use zhijia_domain::org::{OrgId, OrgLevel};
use zhijia_store::Page;
use zhijia_store::aid::{Decision, Objection, Total};

/// A total of the ledger: a year, a fund or a file, its net amount and its number of entries.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TotalView {
    pub key: String,
    pub fen: i64,
    pub entries: i64,
}

impl From<&Total> for TotalView {
    fn from(t: &Total) -> Self {
        TotalView {
            key: t.key.clone(),
            fen: t.fen,
            entries: t.entries,
        }
    }
}

fn totals(list: &[Total]) -> Vec<TotalView> {
    list.iter().map(TotalView::from).collect()
}

/// A file and what belongs to it.
#[derive(Debug, Clone, Serialize)]
pub struct FileDetailView<'a> {
    pub file: &'a FileView,
    pub members: &'a [MemberView],
    pub applications: &'a [ApplicationView],
    /// Net paid per year to this household.
    pub paid_by_year: Vec<TotalView>,
    pub may_manage: bool,
}

impl<'a> From<&'a FileDetail> for FileDetailView<'a> {
    fn from(d: &'a FileDetail) -> Self {
        FileDetailView {
            file: &d.file,
            members: &d.members,
            applications: &d.applications,
            paid_by_year: totals(&d.paid_by_year),
            may_manage: d.may_manage,
        }
    }
}

/// A stage's decision on an application.
#[derive(Debug, Clone, Serialize)]
pub struct DecisionView {
    pub id: AidDecisionId,
    pub stage: i64,
    pub level: &'static str,
    pub org_id: OrgId,
    pub org_name: String,
    pub staff_id: StaffId,
    pub staff_name: String,
    pub approve: bool,
    pub reason: String,
    pub decided_at: DateTime<Utc>,
}

impl From<&Decision> for DecisionView {
    fn from(d: &Decision) -> Self {
        DecisionView {
            id: d.id,
            stage: d.stage,
            level: OrgLevel::as_str(d.level),
            org_id: d.org_id,
            org_name: d.org_name.clone(),
            staff_id: d.staff_id,
            staff_name: d.staff_name.clone(),
            approve: d.approve,
            reason: d.reason.clone(),
            decided_at: d.decided_at,
        }
    }
}

/// One stage of an application's chain, with its decision if taken.
#[derive(Debug, Clone, Serialize)]
pub struct StageJson {
    pub index: usize,
    pub level: &'static str,
    pub level_label: &'static str,
    pub role_label: &'static str,
    pub decision: Option<DecisionView>,
}

impl From<&StageView> for StageJson {
    fn from(s: &StageView) -> Self {
        StageJson {
            index: s.index,
            level: s.level,
            level_label: s.level_label,
            role_label: s.role_label,
            decision: s.decision.as_ref().map(DecisionView::from),
        }
    }
}

/// An objection to a public notice.
#[derive(Debug, Clone, Serialize)]
pub struct ObjectionView {
    pub id: ObjectionId,
    pub application_id: AidApplicationId,
    pub detail: String,
    pub filed_by: String,
    pub filed_at: DateTime<Utc>,
    pub status: ObjectionStatus,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
}

impl From<&Objection> for ObjectionView {
    fn from(o: &Objection) -> Self {
        ObjectionView {
            id: o.id,
            application_id: o.application_id,
            detail: o.detail.clone(),
            filed_by: o.filed_by.clone(),
            filed_at: o.filed_at,
            status: o.status,
            resolved_at: o.resolved_at,
            resolution: o.resolution.clone(),
        }
    }
}

/// An application with its stages, objections and files.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationDetailView<'a> {
    pub application: &'a ApplicationView,
    pub stages: Vec<StageJson>,
    pub objections: Vec<ObjectionView>,
    /// The files attached (admission letter, bills …), without their bytes.
    pub attachments: Vec<AttachmentView>,
    pub paid_fen: i64,
    pub may_manage: bool,
}

impl<'a> From<&'a ApplicationDetail> for ApplicationDetailView<'a> {
    fn from(d: &'a ApplicationDetail) -> Self {
        ApplicationDetailView {
            application: &d.application,
            stages: d.stages.iter().map(StageJson::from).collect(),
            objections: d.objections.iter().map(ObjectionView::from).collect(),
            attachments: attachment_views(&d.attachments),
            paid_fen: d.paid_fen,
            may_manage: d.may_manage,
        }
    }
}

/// A ledger entry for people: amounts in fen and yuan, labels in Chinese.
#[derive(Debug, Clone, Serialize)]
pub struct EntryJson {
    pub id: DisbursementId,
    pub application_id: AidApplicationId,
    pub file_id: AidFileId,
    pub org_id: OrgId,
    pub org_name: String,
    pub head_name: String,
    pub kind: AidKind,
    pub amount_fen: i64,
    pub fund_source: String,
    pub method: PaymentMethod,
    pub paid_on: NaiveDate,
    pub year: i64,
    pub operator_name: String,
    pub reverses_id: Option<DisbursementId>,
    /// The entry that reverses this one, if any.
    pub reversed_by: Option<DisbursementId>,
    pub note: Option<String>,
    pub kind_label: &'static str,
    pub method_label: &'static str,
    pub amount_yuan: String,
}

impl From<&EntryView> for EntryJson {
    fn from(v: &EntryView) -> Self {
        let e = &v.entry;
        EntryJson {
            id: e.id,
            application_id: e.application_id,
            file_id: e.file_id,
            org_id: e.org_id,
            org_name: e.org_name.clone(),
            head_name: e.head_name.clone(),
            kind: e.kind,
            amount_fen: e.amount_fen,
            fund_source: e.fund_source.clone(),
            method: e.method,
            paid_on: e.paid_on,
            year: e.year,
            operator_name: e.operator_name.clone(),
            reverses_id: e.reverses_id,
            reversed_by: e.reversed_by,
            note: e.note.clone(),
            kind_label: v.kind_label,
            method_label: v.method_label,
            amount_yuan: v.amount_yuan.clone(),
        }
    }
}

/// Totals of the ledger of a subtree, net of reversals.
#[derive(Debug, Clone, Serialize)]
pub struct TotalsView {
    pub fen: i64,
    pub yuan: String,
    pub by_year: Vec<TotalView>,
    pub by_fund: Vec<TotalView>,
    pub by_file: Vec<TotalView>,
}

impl From<&Totals> for TotalsView {
    fn from(t: &Totals) -> Self {
        TotalsView {
            fen: t.fen,
            yuan: t.yuan.clone(),
            by_year: totals(&t.by_year),
            by_fund: totals(&t.by_fund),
            by_file: totals(&t.by_file),
        }
    }
}

/// One page of the ledger with the totals: `{items, total, offset, limit, totals}`.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerView {
    #[serde(flatten)]
    pub page: Page<EntryJson>,
    pub totals: TotalsView,
}

impl From<&Ledger> for LedgerView {
    fn from(l: &Ledger) -> Self {
        LedgerView {
            page: Page {
                items: l.page.items.iter().map(EntryJson::from).collect(),
                total: l.page.total,
                offset: l.page.offset,
                limit: l.page.limit,
            },
            totals: TotalsView::from(&l.totals),
        }
    }
}

/// One of the worker's own applications with its documents.
#[derive(Debug, Clone, Serialize)]
pub struct MyApplicationDetailView<'a> {
    pub application: &'a MyApplication,
    pub attachments: Vec<AttachmentView>,
}

impl<'a> From<&'a MyApplicationDetail> for MyApplicationDetailView<'a> {
    fn from(d: &'a MyApplicationDetail) -> Self {
        MyApplicationDetailView {
            application: &d.application,
            attachments: attachment_views(&d.attachments),
        }
    }
}
