//! One join application as its reviewer reads it before deciding: the applicant's fields, the
//! identity number masked, the employer or the gig occupation, the path it came by.

use super::Ctx;
use crate::Result;
use crate::caller::StaffCtx;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use zhijia_domain::auth::mask_phone;
use zhijia_domain::id_number;
use zhijia_domain::ids::JoinApplicationId;
use zhijia_domain::member::ApplicationStatus;
use zhijia_domain::org::OrgId;
use zhijia_domain::worker::GigOccupation;

/// A join application with its applicant, for the review page and `GET /api/v1/applications/{id}`.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationDetail {
    pub id: JoinApplicationId,
    pub status: ApplicationStatus,
    pub status_label: &'static str,
    pub name: String,
    pub id_number_masked: String,
    pub sex: &'static str,
    /// The year only, as on the roster.
    pub birth_year: i32,
    pub phone_masked: String,
    /// Where the applicant lives (from the identity number's region), by name.
    pub home_region: String,
    pub route: String,
    pub route_label: &'static str,
    pub org_id: OrgId,
    pub org_name: String,
    pub employer_name: Option<String>,
    pub employer_credit_code: Option<String>,
    pub gig_occupation: Option<String>,
    pub gig_occupation_label: Option<&'static str>,
    /// Where a gig worker works, by name.
    pub work_region: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub due_on: NaiveDate,
    pub overdue: bool,
    pub decided_at: Option<DateTime<Utc>>,
    pub reject_reason: Option<String>,
}

/// The application `id`, if the caller may review it (404 outside their branch).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn detail(
    ctx: &Ctx<'_>,
    staff: &StaffCtx<'_>,
    id: JoinApplicationId,
    now: DateTime<Utc>,
) -> Result<ApplicationDetail> {
    let (app, _org) = super::join::reviewable(ctx, staff, id).await?;
    let worker = zhijia_store::worker::get(ctx.db, app.worker_id)
        .await?
        .ok_or(crate::AppError::NotFound("申请人"))?;
    let masked = ctx
        .keys
        .decrypt(&worker.id_number_enc)
        .map(|n| id_number::mask(&n))
        .unwrap_or_else(|_| "(无法解密)".into());
    Ok(ApplicationDetail {
        id: app.id,
        status_label: app.status.label(),
        status: app.status,
        name: worker.name,
        id_number_masked: masked,
        sex: worker.sex.label(),
        birth_year: worker.birth_date.year(),
        phone_masked: mask_phone(&worker.phone),
        home_region: crate::region::full_name(&worker.region_code),
        route_label: app.route.label(),
        route: app.route.as_str().to_owned(),
        org_id: app.org_id,
        org_name: app.org_name,
        employer_name: app.employer_name,
        employer_credit_code: app.employer_credit_code,
        gig_occupation: app.gig_occupation.map(|g| g.as_str().to_owned()),
        gig_occupation_label: app.gig_occupation.map(GigOccupation::label),
        work_region: app.work_region.as_deref().map(crate::region::full_name),
        overdue: app.status == ApplicationStatus::Pending && app.due_on < crate::today(now),
        submitted_at: app.submitted_at,
        due_on: app.due_on,
        decided_at: app.decided_at,
        reject_reason: app.reject_reason,
    })
}
