//! What the membership API answers with: its own structs, built from the store's rows, so a
//! column can change without changing the API. Field names and values are the JSON's.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use zhijia_app::membership::roster::{MemberDetail, RosterItem};
use zhijia_store::Page;
use zhijia_store::audit::Entry;
use zhijia_store::membership::{Application, Membership, Message, Transfer};

/// One page of views.
#[derive(Debug, Serialize)]
pub struct PageView<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

impl<T> PageView<T> {
    pub fn of<R>(p: &Page<R>, view: impl Fn(&R) -> T) -> Self {
        PageView {
            items: p.items.iter().map(view).collect(),
            total: p.total,
            offset: p.offset,
            limit: p.limit,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipView {
    #[schema(value_type = i64)]
    pub id: zhijia_domain::ids::MembershipId,
    #[schema(value_type = i64)]
    pub worker_id: zhijia_domain::ids::WorkerId,
    #[schema(value_type = i64)]
    pub org_id: zhijia_domain::org::OrgId,
    pub org_name: String,
    #[schema(value_type = String)]
    pub status: zhijia_domain::member::MembershipStatus,
    pub joined_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>)]
    pub end_reason: Option<zhijia_domain::member::EndReason>,
    pub source: String,
}

impl From<&Membership> for MembershipView {
    fn from(m: &Membership) -> Self {
        MembershipView {
            id: m.id,
            worker_id: m.worker_id,
            org_id: m.org_id,
            org_name: m.org_name.clone(),
            status: m.status,
            joined_on: m.joined_on,
            ended_on: m.ended_on,
            end_reason: m.end_reason,
            source: m.source.as_str().to_owned(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApplicationView {
    #[schema(value_type = i64)]
    pub id: zhijia_domain::ids::JoinApplicationId,
    #[schema(value_type = i64)]
    pub worker_id: zhijia_domain::ids::WorkerId,
    pub worker_name: String,
    #[schema(value_type = i64)]
    pub org_id: zhijia_domain::org::OrgId,
    pub org_name: String,
    pub route: String,
    #[schema(value_type = String)]
    pub status: zhijia_domain::member::ApplicationStatus,
    pub employer_name: Option<String>,
    pub employer_credit_code: Option<String>,
    pub gig_occupation: Option<String>,
    pub work_region: Option<String>,
    pub consent_version: String,
    pub submitted_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub decided_at: Option<DateTime<Utc>>,
    pub reject_reason: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub transfer_id: Option<zhijia_domain::ids::TransferId>,
}

impl From<&Application> for ApplicationView {
    fn from(a: &Application) -> Self {
        ApplicationView {
            id: a.id,
            worker_id: a.worker_id,
            worker_name: a.worker_name.clone(),
            org_id: a.org_id,
            org_name: a.org_name.clone(),
            route: a.route.as_str().to_owned(),
            status: a.status,
            employer_name: a.employer_name.clone(),
            employer_credit_code: a.employer_credit_code.clone(),
            gig_occupation: a.gig_occupation.map(|g| g.as_str().to_owned()),
            work_region: a.work_region.clone(),
            consent_version: a.consent_version.clone(),
            submitted_at: a.submitted_at,
            due_on: a.due_on,
            decided_at: a.decided_at,
            reject_reason: a.reject_reason.clone(),
            transfer_id: a.transfer_id,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransferView {
    #[schema(value_type = i64)]
    pub id: zhijia_domain::ids::TransferId,
    #[schema(value_type = i64)]
    pub worker_id: zhijia_domain::ids::WorkerId,
    pub worker_name: String,
    #[schema(value_type = i64)]
    pub from_membership_id: zhijia_domain::ids::MembershipId,
    #[schema(value_type = i64)]
    pub from_org_id: zhijia_domain::org::OrgId,
    pub from_org_name: String,
    #[schema(value_type = i64)]
    pub to_org_id: zhijia_domain::org::OrgId,
    pub to_org_name: String,
    #[schema(value_type = String)]
    pub status: zhijia_domain::member::TransferStatus,
    pub started_by: String,
    pub reason: Option<String>,
    pub requested_at: DateTime<Utc>,
    pub release_due_at: DateTime<Utc>,
    pub released_at: Option<DateTime<Utc>>,
    #[schema(value_type = Option<i64>)]
    pub released_by: Option<zhijia_domain::auth::StaffId>,
    pub refuse_reason: Option<String>,
    pub completed_at: Option<DateTime<Utc>>,
    pub worker_confirmed_at: Option<DateTime<Utc>>,
    pub confirm_due_at: Option<DateTime<Utc>>,
}

impl From<&Transfer> for TransferView {
    fn from(t: &Transfer) -> Self {
        TransferView {
            id: t.id,
            worker_id: t.worker_id,
            worker_name: t.worker_name.clone(),
            from_membership_id: t.from_membership_id,
            from_org_id: t.from_org_id,
            from_org_name: t.from_org_name.clone(),
            to_org_id: t.to_org_id,
            to_org_name: t.to_org_name.clone(),
            status: t.status,
            started_by: t.started_by.as_str().to_owned(),
            reason: t.reason.clone(),
            requested_at: t.requested_at,
            release_due_at: t.release_due_at,
            released_at: t.released_at,
            released_by: t.released_by,
            refuse_reason: t.refuse_reason.clone(),
            completed_at: t.completed_at,
            worker_confirmed_at: t.worker_confirmed_at,
            confirm_due_at: t.confirm_due_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    #[schema(value_type = i64)]
    pub id: zhijia_domain::ids::MessageId,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<&Message> for MessageView {
    fn from(m: &Message) -> Self {
        MessageView {
            id: m.id,
            title: m.title.clone(),
            body: m.body.clone(),
            link: m.link.clone(),
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

/// A member's page as JSON.
#[derive(Debug, Serialize)]
pub struct MemberDetailView<'a> {
    pub member: &'a RosterItem,
    pub memberships: Vec<MembershipView>,
    pub transfers: Vec<TransferView>,
    pub card_status: &'static str,
    pub audit: Vec<crate::audit::view::EntryView>,
    pub may_see_full_id: bool,
}

impl<'a> From<&'a MemberDetail> for MemberDetailView<'a> {
    fn from(d: &'a MemberDetail) -> Self {
        MemberDetailView {
            member: &d.member,
            memberships: d.memberships.iter().map(MembershipView::from).collect(),
            transfers: d.transfers.iter().map(TransferView::from).collect(),
            card_status: d.card_status,
            audit: d.audit.iter().map(|e: &Entry| e.into()).collect(),
            may_see_full_id: d.may_see_full_id,
        }
    }
}
