//! Demo activities: a full one with a waiting list, and one starting within the hour with two
//! members checked in (so they have check-in points besides any first-join points). Made through
//! the use cases; the editor `demo.activity` signs in with the demo password.

use crate::Result;
use crate::activity::{self, ActivityInput, Ctx, mine};
use crate::caller::StaffCtx;
use crate::sms::LogSender;
use chrono::{Duration, Utc};
use zhijia_domain::audit::{Actor, ActorKind};
use zhijia_domain::auth::{self, Role};
use zhijia_domain::pii::PiiKeys;
use zhijia_store::Store;
use zhijia_store::Unaudited;
use zhijia_store::membership::RosterFilter;
use zhijia_store::org as org_store;

/// Adds the samples; a failure is logged, never stops the demo.
pub async fn samples(db: &Store, keys: &PiiKeys) -> Result<()> {
    if let Err(e) = add_samples(db, keys).await {
        tracing::warn!(error = %e, "demo activity samples left out");
    }
    Ok(())
}

async fn add_samples(db: &Store, keys: &PiiKeys) -> Result<()> {
    let ctx = Ctx {
        db,
        keys,
        sms: &LogSender,
    };
    let mut chosen = None;
    let mut unions = org_store::with_employer(db, 50).await?;
    // The union the demo's approved sample member (19900000002) joined: membership::samples
    // takes the third employer. Tried first, so that member finds the activities on the phone.
    if unions.len() > 2 {
        let sample = unions.remove(2);
        unions.insert(0, sample);
    }
    for org in unions {
        let page =
            zhijia_store::membership::roster(db, &org.path, &RosterFilter::default(), 6, 0).await?;
        if page.items.len() == 6 {
            chosen = Some((org, page.items));
            break;
        }
    }
    let Some((union, members)) = chosen else {
        return Ok(());
    };
    let hash = auth::hash_password(crate::staff::DEMO_PASSWORD)?;
    let mut tx = db.change().await?;
    let id =
        zhijia_store::staff::insert(&mut tx, "demo.activity", "文体干事", &hash, false).await?;
    zhijia_store::staff::grant(&mut tx, id, union.id, Role::Editor, None).await?;
    tx.commit_unaudited(Unaudited::DemoData).await?;
    let actor = Actor {
        kind: ActorKind::Staff,
        id: Some(id.0),
        name: "demo.activity".into(),
        ip: None,
    };
    let grants = zhijia_store::staff::grants(db, id).await?;
    let staff = StaffCtx {
        actor: &actor,
        grants: &grants,
    };
    let now = Utc::now();
    let full = activity::create(
        &ctx,
        &staff,
        &ActivityInput {
            org_id: union.id.0,
            title: "职工趣味运动会".into(),
            description: "拔河、跳绳、托球跑，欢迎全家参加。".into(),
            place: "单位篮球场".into(),
            starts_at: now + Duration::days(7),
            ends_at: now + Duration::days(7) + Duration::hours(3),
            registration_opens_at: None,
            registration_closes_at: None,
            capacity: 3,
            audience_region: None,
            audience_tags: Vec::new(),
        },
        now,
    )
    .await?;
    for m in &members[..5] {
        mine::register(&ctx, &m.phone, full, now).await?;
    }
    let soon = activity::create(
        &ctx,
        &staff,
        &ActivityInput {
            org_id: union.id.0,
            title: "职工书屋读书分享会".into(),
            description: String::new(),
            place: "职工书屋".into(),
            starts_at: now + Duration::hours(1),
            ends_at: now + Duration::hours(3),
            registration_opens_at: None,
            registration_closes_at: None,
            capacity: 20,
            audience_region: None,
            audience_tags: Vec::new(),
        },
        now,
    )
    .await?;
    // For outdoor workers only: riders and couriers see it, office workers do not.
    activity::create(
        &ctx,
        &staff,
        &ActivityInput {
            org_id: union.id.0,
            title: "夏送清凉·户外劳动者健康义诊".into(),
            description: "为快递员、外卖骑手和网约车司机免费量血压、测血糖，发放防暑药品。".into(),
            place: "工会驿站".into(),
            starts_at: now + Duration::days(3),
            ends_at: now + Duration::days(3) + Duration::hours(4),
            registration_opens_at: None,
            registration_closes_at: None,
            capacity: 50,
            audience_region: None,
            audience_tags: vec!["outdoor".into()],
        },
        now,
    )
    .await?;
    let key = activity::token_key(keys);
    // Three register; the first two are checked in by their registration QR.
    for (i, m) in members[..3].iter().enumerate() {
        let r = mine::register(&ctx, &m.phone, soon, now).await?;
        if i < 2 {
            let token = key.issue(
                zhijia_domain::activity::REGISTRATION_TOKEN,
                &format!("r{}", r.id),
                now + Duration::hours(3),
            );
            activity::check_in(&ctx, &staff, soon, &token, now).await?;
        }
    }
    Ok(())
}
