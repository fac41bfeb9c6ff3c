//! Demo membership work for the console: applications waiting for review (some overdue), one
//! rejected, a member's transfer waiting for the releasing union. Made through the use cases,
//! so the inbox and the audit log show them as they would be.

use crate::caller::StaffCtx;
use crate::membership::join::{self, Decision, JoinInput};
use crate::membership::{Ctx, Settings};
use crate::{AppError, Result};
use chrono::{Duration, NaiveDate, Utc};
use zhijia_domain::audit::Actor;
use zhijia_domain::auth::{Grant, Role};
use zhijia_domain::id_number::IdNumber;
use zhijia_domain::pii::PiiKeys;
use zhijia_domain::region::RegionCode;
use zhijia_store::Store;
use zhijia_store::org as org_store;

const NAMES: [&str; 8] = [
    "林晓燕",
    "陈志强",
    "黄丽华",
    "周建军",
    "吴海峰",
    "郑美玲",
    "王德胜",
    "刘秀英",
];

fn id_number(k: u16) -> Result<String> {
    let region = RegionCode::parse("440106")?;
    let birth = NaiveDate::from_ymd_opt(
        1980 + i32::from(k % 20),
        1 + u32::from(k % 12),
        1 + u32::from(k % 27),
    )
    .ok_or_else(|| AppError::Config("演示出生日期无效".into()))?;
    // Serial numbers 900+ stay clear of the generated workers' (which use 0..=899).
    Ok(IdNumber::compose(&region, birth, 900 + k)?
        .expose()
        .to_owned())
}

/// Numbers the demo members, then adds the samples. A sample that cannot be made (its phone
/// happens to be a generated worker's) is left out with a note in the log: samples decorate the
/// demo, they must never stop it.
pub async fn samples(db: &Store, keys: &PiiKeys) -> Result<()> {
    zhijia_store::import::assign_member_numbers(db).await?;
    if let Err(e) = add_samples(db, keys).await {
        tracing::warn!(error = %e, "demo membership samples left out");
    }
    Ok(())
}

async fn add_samples(db: &Store, keys: &PiiKeys) -> Result<()> {
    let settings = Settings::default();
    let sms = crate::sms::LogSender;
    let ctx = Ctx {
        db,
        keys,
        settings: &settings,
        sms: &sms,
    };
    let employers = org_store::with_employer(db, 6).await?;
    let Some(root) = org_store::roots(db, 1, 0).await?.items.into_iter().next() else {
        return Ok(());
    };
    let actor = Actor::cli("demo");
    let grants = [Grant {
        role: Role::Reviewer,
        org_path: root.path.clone(),
    }];
    let staff = StaffCtx {
        actor: &actor,
        grants: &grants,
    };
    let now = Utc::now();
    for (k, employer) in employers.iter().enumerate() {
        let (Some(name), Some(code)) = (&employer.employer_name, &employer.employer_credit_code)
        else {
            continue;
        };
        let input = JoinInput {
            name: NAMES[k % NAMES.len()].into(),
            id_number: id_number(k as u16)?,
            ethnicity: "01".into(),
            education: "30".into(),
            employment: "employee".into(),
            employer_name: name.clone(),
            employer_credit_code: code.clone(),
            wage_earner: true,
            accepts_constitution: true,
            consent: true,
            ..JoinInput::default()
        };
        // Two of them were filed a month ago: past their deadline.
        let filed = if k < 2 { now - Duration::days(30) } else { now };
        let phone = format!("199000000{k:02}");
        let sub = join::apply(&ctx, &phone, &input, filed).await?;
        match k {
            // One approved, one rejected, the others wait.
            2 => {
                join::decide(&ctx, &staff, sub.application_id, Decision::Approve, now).await?;
            }
            3 => {
                let reason = "未能核实劳动关系，请补充劳动合同后重新申请".into();
                join::decide(
                    &ctx,
                    &staff,
                    sub.application_id,
                    Decision::Reject { reason },
                    now,
                )
                .await?;
            }
            _ => {}
        }
    }
    // The approved member changes job: a transfer waiting for the releasing union.
    if let (Some(first), Some(third)) = (employers.first(), employers.get(2))
        && let (Some(name), Some(code)) = (&first.employer_name, &first.employer_credit_code)
        && third.id != first.id
    {
        let input = JoinInput {
            name: NAMES[2].into(),
            id_number: id_number(2)?,
            employment: "employee".into(),
            employer_name: name.clone(),
            employer_credit_code: code.clone(),
            wage_earner: true,
            accepts_constitution: true,
            consent: true,
            ..JoinInput::default()
        };
        join::apply(&ctx, "19900000002", &input, now).await?;
    }
    // A courier applies to the industry union of the city.
    if let Some(couriers) = org_store::any_gig_union(db, "courier").await? {
        let input = JoinInput {
            name: "赵立新".into(),
            id_number: id_number(7)?,
            employment: "gig".into(),
            gig_occupation: "courier".into(),
            work_city: couriers.region_code.clone(),
            wage_earner: true,
            accepts_constitution: true,
            consent: true,
            ..JoinInput::default()
        };
        join::apply(&ctx, "19900000099", &input, now).await?;
    }
    Ok(())
}
