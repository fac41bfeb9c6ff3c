//! Who a member is to the audience rules of offers and activities: their current union and the
//! facts (`zhijia_domain::benefit::MemberFacts`) a region or a member tag is matched against.

use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use zhijia_domain::benefit::{self as rules, MemberFacts};
use zhijia_store::Store;
use zhijia_store::org::{self as org_store, Org};
use zhijia_store::worker::Worker;

/// A signed-in worker who is a member: their record, their current union and their facts.
pub struct Member {
    pub worker: Worker,
    pub org: Org,
    pub facts: MemberFacts,
}

/// The member behind a phone. Without a worker record or a current membership the caller is
/// refused with `refusal` (403): these services are for members.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn member(
    db: &Store,
    phone: &str,
    now: DateTime<Utc>,
    refusal: &'static str,
) -> Result<Member> {
    let refused = || AppError::Forbidden(refusal.into());
    let worker = zhijia_store::worker::find_by_phone(db, phone)
        .await?
        .ok_or_else(refused)?;
    let m = zhijia_store::membership::current(db, worker.id)
        .await?
        .ok_or_else(refused)?;
    let org = org_store::get(db, m.org_id)
        .await?
        .ok_or(AppError::NotFound("所在工会"))?;
    let days = (crate::today(now) - m.joined_on).num_days();
    let honoured = zhijia_store::model_worker::is_honoured(db, worker.id).await?;
    let tags = rules::tags_of(
        worker.gig_occupation.map(|g| g.as_str()),
        days,
        m.status == zhijia_domain::member::MembershipStatus::Retired,
        honoured,
    );
    // Where they work is where their union is (a gig worker's industry union is the city's).
    let facts = MemberFacts {
        region: Some(org.region_code.clone()),
        tags,
    };
    Ok(Member { worker, org, facts })
}
