//! Demo benefits: two merchants of a district, offers in every state, points-mall items (open, opening in two days,
//! sold out, draft, withdrawn, for outdoor workers only), coupons claimed by members of a union
//! there, one redeemed; shops with coordinates; the cinema's proposals (waiting, approved for
//! model workers, rejected). The merchant's cashier signs in as `demo.merchant` with the demo
//! password. Made through the use cases.

use crate::benefit::proposal::{self, Approval};
use crate::benefit::shop::{self, ShopInput};
use crate::benefit::{self, Ctx, MerchantInput, OfferInput, OfferTerms};
use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{Duration, Utc};
use zhijia_domain::audit::{Actor, ActorKind};
use zhijia_domain::auth::{self, Grant, Role};
use zhijia_domain::credit_code::CreditCode;
use zhijia_domain::org::OrgLevel;
use zhijia_domain::pii::PiiKeys;
use zhijia_store::Store;
use zhijia_store::Unaudited;
use zhijia_store::membership::RosterFilter;
use zhijia_store::org as org_store;

/// Adds the samples; a failure is logged, never stops the demo.
pub async fn samples(db: &Store, keys: &PiiKeys) -> Result<()> {
    if let Err(e) = add_samples(db, keys).await {
        tracing::warn!(error = %e, "demo benefit samples left out");
    }
    Ok(())
}

fn code(n: u32) -> Result<String> {
    Ok(CreditCode::with_check_char(&format!("92440106MA{n:07}"))?.to_string())
}

async fn add_samples(db: &Store, keys: &PiiKeys) -> Result<()> {
    let ctx = Ctx { db, keys };
    // A grassroots union with a few members, and its district (county) union.
    let mut chosen = None;
    for org in org_store::with_employer(db, 40).await? {
        let page =
            zhijia_store::membership::roster(db, &org.path, &RosterFilter::default(), 4, 0).await?;
        if page.items.len() == 4 {
            chosen = Some((org, page.items));
            break;
        }
    }
    let Some((union, members)) = chosen else {
        return Ok(());
    };
    let county = crate::aid::application::stage_org(db, &union.path, OrgLevel::County).await?;
    let actor = Actor::cli("demo");
    let grants = [Grant {
        role: Role::Editor,
        org_path: county.path.clone(),
    }];
    let editor = StaffCtx {
        actor: &actor,
        grants: &grants,
    };
    let now = Utc::now();
    let cinema = benefit::register_merchant(
        &ctx,
        &editor,
        &MerchantInput {
            org: Some(county.id.0),
            name: "职工影城".into(),
            credit_code: code(1)?,
            address: "人民路88号".into(),
        },
        now,
    )
    .await?;
    let canteen = benefit::register_merchant(
        &ctx,
        &editor,
        &MerchantInput {
            org: Some(county.id.0),
            name: "工会爱心早餐店".into(),
            credit_code: code(2)?,
            address: "工业大道12号".into(),
        },
        now,
    )
    .await?;
    let offer = |merchant_id,
                 title: &str,
                 kind: &str,
                 value,
                 stock,
                 limit,
                 opens: i64,
                 tags: &[&str],
                 publish| OfferInput {
        org: Some(county.id.0),
        merchant_id,
        terms: OfferTerms {
            title: title.into(),
            description: String::new(),
            kind: kind.into(),
            value,
            stock,
            per_member_limit: limit,
            claim_opens_at: Some(now + Duration::hours(opens)),
            claim_closes_at: Some(now + Duration::days(30)),
            valid_days: 30,
        },
        audience_region: None,
        audience_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        publish,
    };
    let movie = benefit::create_offer(
        &ctx,
        &editor,
        &offer(
            cinema,
            "会员观影8折券",
            "discount",
            80,
            100,
            2,
            -1,
            &[],
            true,
        ),
        now,
    )
    .await?;
    benefit::create_offer(
        &ctx,
        &editor,
        &offer(
            cinema,
            "中秋观影免费券",
            "free_item",
            0,
            500,
            1,
            48,
            &[],
            true,
        ),
        now,
    )
    .await?;
    let breakfast = benefit::create_offer(
        &ctx,
        &editor,
        &offer(
            canteen,
            "早餐立减5元",
            "fixed_amount",
            500,
            3,
            1,
            -1,
            &[],
            true,
        ),
        now,
    )
    .await?;
    benefit::create_offer(
        &ctx,
        &editor,
        &offer(
            canteen,
            "户外劳动者清凉饮品券",
            "free_item",
            0,
            200,
            1,
            -1,
            &["outdoor"],
            true,
        ),
        now,
    )
    .await?;
    benefit::create_offer(
        &ctx,
        &editor,
        &offer(
            cinema,
            "理发服务券(待发布)",
            "service_voucher",
            0,
            50,
            1,
            24,
            &[],
            false,
        ),
        now,
    )
    .await?;
    let gym = benefit::create_offer(
        &ctx,
        &editor,
        &offer(
            canteen,
            "健身卡立减50元",
            "fixed_amount",
            5000,
            20,
            1,
            -1,
            &[],
            true,
        ),
        now,
    )
    .await?;
    benefit::set_published(&ctx, &editor, gym, false).await?;
    // The points mall of the district.
    for (title, points, stock) in [
        ("工会定制保温杯", 200, 50),
        ("职工影城观影券", 500, 20),
        ("劳保手套(一副)", 30, 300),
    ] {
        crate::mall::create_item(
            db,
            &editor,
            &crate::mall::ItemInput {
                org: Some(county.id.0),
                title: title.into(),
                description: String::new(),
                points,
                stock,
                per_member_limit: 2,
            },
            now,
        )
        .await?;
    }
    // Members claim: the breakfast is sold out, the movie tickets partly claimed.
    let mut codes = Vec::new();
    for (k, m) in members.iter().enumerate() {
        let w = zhijia_store::worker::get(db, m.worker_id)
            .await?
            .ok_or(AppError::NotFound("演示会员"))?;
        let c = benefit::claim(&ctx, &w.phone, movie, &format!("demo-{k}"), now).await?;
        codes.push(c.code);
        if k < 3 {
            benefit::claim(&ctx, &w.phone, breakfast, &format!("demo-b{k}"), now).await?;
        }
    }
    // The cinema's cashier, who has redeemed one ticket.
    let hash = auth::hash_password(crate::staff::DEMO_PASSWORD)?;
    let mut tx = db.change().await?;
    let id =
        zhijia_store::staff::insert(&mut tx, "demo.merchant", "影城收银员", &hash, false).await?;
    zhijia_store::staff::grant(&mut tx, id, county.id, Role::MerchantStaff, None).await?;
    zhijia_store::benefit::link_staff(&mut tx, id, cinema).await?;
    tx.commit_unaudited(Unaudited::DemoData).await?;
    let cashier = Actor {
        kind: ActorKind::Staff,
        id: Some(id.0),
        name: "demo.merchant".into(),
        ip: None,
    };
    let cashier_grants = zhijia_store::staff::grants(db, id).await?;
    if let Some(first) = codes.first() {
        let staff = StaffCtx {
            actor: &cashier,
            grants: &cashier_grants,
        };
        benefit::redeem(&ctx, &staff, first, now).await?;
    }
    let cashier_staff = StaffCtx {
        actor: &cashier,
        grants: &cashier_grants,
    };
    // Shops near the centre of the district's city (GCJ-02), one added by the cinema itself;
    // outside the cities this knows, the shops have addresses only.
    let centre = city_centre(&county.region_code);
    let near = |dlng: f64, dlat: f64| centre.map(|(lng, lat)| (lng + dlng, lat + dlat));
    for (merchant, name, address, at, by_merchant) in [
        (
            cinema,
            "职工影城(人民路店)",
            "人民路88号",
            near(0.0, 0.0),
            false,
        ),
        (
            cinema,
            "职工影城(江南店)",
            "江南大道中168号",
            near(0.0074, -0.0327),
            true,
        ),
        (canteen, "工会爱心早餐店", "工业大道12号", None, false),
    ] {
        let input = ShopInput {
            name: name.into(),
            address: address.into(),
            longitude: at.map(|(lng, _)| lng),
            latitude: at.map(|(_, lat)| lat),
        };
        let who = if by_merchant { &cashier_staff } else { &editor };
        shop::add(&ctx, who, merchant, &input, now).await?;
    }
    // The cinema proposes offers: one waits for the district's decision, one was approved into
    // a published offer for model workers, one was rejected with a reason.
    let terms = |title: &str, kind: &str, value, stock| OfferTerms {
        title: title.into(),
        description: "商户提报".into(),
        kind: kind.into(),
        value,
        stock,
        per_member_limit: 1,
        claim_opens_at: None,
        claim_closes_at: Some(now + Duration::days(20)),
        valid_days: 15,
    };
    proposal::propose(
        &ctx,
        &cashier_staff,
        &terms("周末观影立减10元", "fixed_amount", 1000, 300),
        now,
    )
    .await?;
    let honour = proposal::propose(
        &ctx,
        &cashier_staff,
        &terms("劳模专场免费观影", "free_item", 0, 50),
        now,
    )
    .await?;
    proposal::approve(
        &ctx,
        &editor,
        honour,
        &Approval {
            org: Some(county.id.0),
            audience_region: None,
            audience_tags: vec!["model_worker".into()],
            publish: true,
        },
        now,
    )
    .await?;
    let too_much = proposal::propose(
        &ctx,
        &cashier_staff,
        &terms("全场1折", "discount", 10, 100_000),
        now,
    )
    .await?;
    proposal::reject(
        &ctx,
        &editor,
        too_much,
        "折扣过大且数量过多，请核实商户承受能力后重新提报",
        now,
    )
    .await?;
    Ok(())
}

/// The centre of a Guangdong city (the demo's default province), GCJ-02, by the first four
/// digits of a region code.
fn city_centre(region: &str) -> Option<(f64, f64)> {
    const CENTRES: [(&str, f64, f64); 21] = [
        ("4401", 113.2644, 23.1291),
        ("4402", 113.5972, 24.8104),
        ("4403", 114.0579, 22.5431),
        ("4404", 113.5767, 22.2707),
        ("4405", 116.6820, 23.3540),
        ("4406", 113.1214, 23.0215),
        ("4407", 113.0819, 22.5787),
        ("4408", 110.3594, 21.2707),
        ("4409", 110.9254, 21.6629),
        ("4412", 112.4653, 23.0472),
        ("4413", 114.4152, 23.1118),
        ("4414", 116.1225, 24.2886),
        ("4415", 115.3753, 22.7862),
        ("4416", 114.7005, 23.7436),
        ("4417", 111.9827, 21.8583),
        ("4418", 113.0561, 23.6818),
        ("4419", 113.7518, 23.0205),
        ("4420", 113.3926, 22.5176),
        ("4451", 116.6226, 23.6567),
        ("4452", 116.3729, 23.5497),
        ("4453", 112.0444, 22.9151),
    ];
    let city = region.get(..4)?;
    CENTRES
        .iter()
        .find(|(code, _, _)| *code == city)
        .map(|(_, lng, lat)| (*lng, *lat))
}
