//! What the activity API answers: views of the store's rows with the JSON's field names.

use chrono::{DateTime, Utc};
use serde::Serialize;
use zhijia_app::activity::Detail;
use zhijia_app::activity::mine::{ActivityForMe, MyRegistration};
use zhijia_domain::activity::{ActivityStatus, RegistrationStatus};
use zhijia_domain::ids::{ActivityId, OrgId, RegistrationId, WorkerId};
use zhijia_store::Page;
use zhijia_store::activity::{Activity, Registration};

/// An activity with its union and its figures.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ActivityView {
    #[schema(value_type = i64)]
    pub id: ActivityId,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub registration_opens_at: DateTime<Utc>,
    pub registration_closes_at: DateTime<Utc>,
    pub capacity: i64,
    /// A region code prefix the member's union must be in, if any.
    pub audience_region: Option<String>,
    /// Member tags (comma list), any of which admits, if any.
    pub audience_tags: Option<String>,
    /// `open` or `cancelled`.
    #[schema(value_type = String)]
    pub status: ActivityStatus,
    pub registered: i64,
    pub waiting: i64,
    pub checked_in: i64,
}

impl From<&Activity> for ActivityView {
    fn from(a: &Activity) -> Self {
        ActivityView {
            id: a.id,
            org_id: a.org_id,
            org_name: a.org_name.clone(),
            title: a.title.clone(),
            description: a.description.clone(),
            place: a.place.clone(),
            starts_at: a.starts_at,
            ends_at: a.ends_at,
            registration_opens_at: a.registration_opens_at,
            registration_closes_at: a.registration_closes_at,
            capacity: a.capacity,
            audience_region: a.audience_region.clone(),
            audience_tags: a.audience_tags.clone(),
            status: a.status,
            registered: a.registered,
            waiting: a.waiting,
            checked_in: a.checked_in,
        }
    }
}

/// A registration with the person, for the organisers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RegistrationView {
    #[schema(value_type = i64)]
    pub id: RegistrationId,
    #[schema(value_type = i64)]
    pub activity_id: ActivityId,
    pub activity_title: String,
    pub starts_at: DateTime<Utc>,
    #[schema(value_type = i64)]
    pub worker_id: WorkerId,
    pub worker_name: String,
    pub phone: String,
    pub member_no: Option<String>,
    /// registered, waiting, cancelled
    #[schema(value_type = String)]
    pub status: RegistrationStatus,
    pub created_at: DateTime<Utc>,
    pub promoted_at: Option<DateTime<Utc>>,
    pub checked_in_at: Option<DateTime<Utc>>,
}

impl From<&Registration> for RegistrationView {
    fn from(r: &Registration) -> Self {
        RegistrationView {
            id: r.id,
            activity_id: r.activity_id,
            activity_title: r.activity_title.clone(),
            starts_at: r.starts_at,
            worker_id: r.worker_id,
            worker_name: r.worker_name.clone(),
            phone: r.phone.clone(),
            member_no: r.member_no.clone(),
            status: r.status,
            created_at: r.created_at,
            promoted_at: r.promoted_at,
            checked_in_at: r.checked_in_at,
        }
    }
}

/// An activity with its seats, waiting list (in order) and attendance, for the organisers.
#[derive(Debug, Serialize)]
pub struct DetailView {
    pub activity: ActivityView,
    pub registered: Page<RegistrationView>,
    pub waiting: Page<RegistrationView>,
    /// Checked in among the registered, per mille.
    pub attendance_per_mille: i64,
    /// Whether the caller may check people in.
    pub may_check_in: bool,
}

impl From<&Detail> for DetailView {
    fn from(d: &Detail) -> Self {
        DetailView {
            activity: ActivityView::from(&d.activity),
            registered: registrations(&d.registered),
            waiting: registrations(&d.waiting),
            attendance_per_mille: d.attendance_per_mille,
            may_check_in: d.may_check_in,
        }
    }
}

fn registrations(p: &Page<Registration>) -> Page<RegistrationView> {
    Page {
        items: p.items.iter().map(RegistrationView::from).collect(),
        total: p.total,
        offset: p.offset,
        limit: p.limit,
    }
}

/// An activity open to the worker and their registration, if any.
#[derive(Debug, Serialize)]
pub struct ActivityForMeView<'a> {
    pub activity: ActivityView,
    pub registration: Option<&'a MyRegistration>,
    /// Why registering is not possible now, if it is not.
    pub closed_reason: Option<&'static str>,
}

impl<'a> From<&'a ActivityForMe> for ActivityForMeView<'a> {
    fn from(a: &'a ActivityForMe) -> Self {
        ActivityForMeView {
            activity: ActivityView::from(&a.activity),
            registration: a.registration.as_ref(),
            closed_reason: a.closed_reason,
        }
    }
}
