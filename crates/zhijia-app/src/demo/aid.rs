//! Demo hardship aid for the console: files of every tier (one due for review, one lapsed),
//! applications at every stage (waiting at each level, rejected, on notice, objected to, paid),
//! and a few ledger entries with a reversal. Made through the use cases, so the audit log shows
//! them as it would. Three aid officers, one per stage level of the chosen union's path, sign in
//! with the demo password: `demo.aid.grassroots`, `demo.aid.county`, `demo.aid.city`.

use crate::aid::application::{self, ApplicationInput, DecisionInput};
use crate::aid::file::{self, FileInput, MemberInput};
use crate::aid::ledger::{self, DisbursementInput};
use crate::aid::{Ctx, Settings};
use crate::attachment::Upload;
use crate::caller::StaffCtx;
use crate::{AppError, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use zhijia_domain::audit::{Actor, ActorKind};
use zhijia_domain::auth::{self, Grant, Role};
use zhijia_domain::id_number::IdNumber;
use zhijia_domain::org::OrgLevel;
use zhijia_domain::pii::PiiKeys;
use zhijia_domain::region::RegionCode;
use zhijia_store::Store;
use zhijia_store::Unaudited;
use zhijia_store::membership::RosterFilter;
use zhijia_store::org as org_store;

struct Officer {
    actor: Actor,
    grants: Vec<Grant>,
}

impl Officer {
    fn ctx(&self) -> StaffCtx<'_> {
        StaffCtx {
            actor: &self.actor,
            grants: &self.grants,
        }
    }
}

fn person(k: u16, year: i32) -> Result<String> {
    let region = RegionCode::parse("440106")?;
    let birth = NaiveDate::from_ymd_opt(year, 1 + u32::from(k % 12), 1 + u32::from(k % 27))
        .ok_or_else(|| AppError::Config("演示出生日期无效".into()))?;
    // Serials 960+ stay clear of the generated workers' and the membership samples'.
    Ok(IdNumber::compose(&region, birth, 960 + k)?
        .expose()
        .to_owned())
}

/// Adds the samples; a failure is logged, never stops the demo.
pub async fn samples(db: &Store, keys: &PiiKeys) -> Result<()> {
    if let Err(e) = add_samples(db, keys).await {
        tracing::warn!(error = %e, "demo aid samples left out");
    }
    if let Err(e) = from_the_phone(db, keys).await {
        tracing::warn!(error = %e, "demo aid application from the phone left out");
    }
    Ok(())
}

/// The demo's approved sample member (19900000002, membership::samples) has applied for medical
/// aid from the phone, so 我的帮扶 shows an application in review.
async fn from_the_phone(db: &Store, keys: &PiiKeys) -> Result<()> {
    let settings = Settings::default();
    let ctx = Ctx {
        db,
        keys,
        settings: &settings,
    };
    let input = crate::aid::mine::WorkerApplication {
        kind: "medical".into(),
        amount_fen: 300_000,
        reason: "爱人住院手术，自付部分约一万二千元，家中积蓄不足".into(),
        cause: "illness".into(),
        household_size: 3,
        income_per_head_fen: 90_000,
        housing: "租房".into(),
        ..Default::default()
    };
    crate::aid::mine::apply(&ctx, "19900000002", &input, &[], Utc::now()).await?;
    Ok(())
}

async fn officer(
    db: &Store,
    keys: &PiiKeys,
    username: &str,
    name: &str,
    org: &org_store::Org,
    k: u16,
) -> Result<Officer> {
    let hash = auth::hash_password(crate::staff::DEMO_PASSWORD)?;
    let mut tx = db.change().await?;
    let id = zhijia_store::staff::insert(&mut tx, username, name, &hash, false).await?;
    zhijia_store::staff::grant(&mut tx, id, org.id, Role::AidOfficer, None).await?;
    tx.commit_unaudited(Unaudited::DemoData).await?;
    let o = Officer {
        actor: Actor {
            kind: ActorKind::Staff,
            id: Some(id.0),
            name: username.into(),
            ip: None,
        },
        grants: zhijia_store::staff::grants(db, id).await?,
    };
    crate::aid::link_identity(db, keys, &o.ctx(), &person(k, 1975)?).await?;
    Ok(o)
}

/// The officer of a stage level: grassroots, county, city.
fn by_level<'a>(officers: &'a [Officer], level: &str) -> Result<&'a Officer> {
    let i = match level {
        "grassroots" => 0,
        "county" => 1,
        _ => 2,
    };
    officers
        .get(i)
        .ok_or_else(|| AppError::Config("演示帮扶专干缺失".into()))
}

/// Walks an application through its first `stages` stages, each approved by its officer.
async fn walk(
    ctx: &Ctx<'_>,
    id: zhijia_domain::ids::AidApplicationId,
    stages: usize,
    at: DateTime<Utc>,
    officers: &[Officer],
) -> Result<()> {
    let d = application::detail(ctx, &by_level(officers, "city")?.ctx(), id).await?;
    for (i, level) in d.application.chain.iter().take(stages).enumerate() {
        let input = DecisionInput {
            stage: i as i64,
            approve: true,
            reason: "经入户核实，情况属实，同意".into(),
        };
        application::decide(ctx, &by_level(officers, level)?.ctx(), id, &input, at).await?;
    }
    Ok(())
}

async fn add_samples(db: &Store, keys: &PiiKeys) -> Result<()> {
    let settings = Settings::default();
    let ctx = Ctx {
        db,
        keys,
        settings: &settings,
    };
    // A grassroots union with at least seven members.
    let mut chosen = None;
    for org in org_store::with_employer(db, 50).await? {
        let page =
            zhijia_store::membership::roster(db, &org.path, &RosterFilter::default(), 7, 0).await?;
        if page.items.len() == 7 {
            chosen = Some((org, page.items));
            break;
        }
    }
    let Some((union, members)) = chosen else {
        return Ok(());
    };
    let mut officers = Vec::new();
    for (k, (level, user, name)) in [
        (OrgLevel::Grassroots, "demo.aid.grassroots", "基层帮扶专干"),
        (OrgLevel::County, "demo.aid.county", "县区帮扶专干"),
        (OrgLevel::City, "demo.aid.city", "市帮扶专干"),
    ]
    .into_iter()
    .enumerate()
    {
        let org = application::stage_org(db, &union.path, level).await?;
        officers.push(officer(db, keys, user, name, &org, k as u16).await?);
    }
    let Some(county) = officers.get(1) else {
        return Ok(());
    };
    let now = Utc::now();
    // Seven households: (income per head in fen, cause, health, housing, opened days ago).
    let facts: [(i64, &str, &str, &str, i64); 7] = [
        (
            60_000,
            "illness",
            "户主患尿毒症，每周透析三次",
            "租住城中村单间",
            20,
        ),
        (130_000, "education", "健康", "自有住房，面积狭小", 40),
        (
            350_000,
            "accident",
            "户主工伤截肢，正在康复",
            "自有住房",
            15,
        ),
        (90_000, "disability", "配偶二级肢体残疾", "公租房", 60),
        (70_000, "unemployment", "健康", "租住", 100),
        (110_000, "illness", "子女患白血病", "自有住房", 350),
        (50_000, "disaster", "健康", "住房因台风受损", 760),
    ];
    let mut files = Vec::new();
    for (k, (m, (income, cause, health, housing, ago))) in members.iter().zip(facts).enumerate() {
        let head = keys
            .decrypt(&m.id_number_enc)
            .map_err(|e| AppError::Config(e.to_string()))?;
        let k = k as u16;
        let input = FileInput {
            head_id_number: head,
            cause: cause.into(),
            household_size: 3,
            income_per_head_fen: income,
            health: health.into(),
            disability: if cause == "disability" {
                "二级肢体残疾"
            } else {
                "无"
            }
            .into(),
            housing: housing.into(),
            members: vec![
                MemberInput {
                    name: "配偶".into(),
                    relation: "配偶".into(),
                    id_number: person(10 + k, 1984)?,
                },
                MemberInput {
                    name: format!("{}同学", m.name.chars().next().unwrap_or('李')),
                    relation: "子女".into(),
                    id_number: person(20 + k, 2007)?,
                },
            ],
        };
        let opened = now - Duration::days(ago);
        files.push(file::open(&ctx, &county.ctx(), &input, opened).await?);
    }
    // The oldest was never reviewed: it lapses.
    file::lapse_overdue(db, now).await?;
    let apply = |file_id: zhijia_domain::ids::AidFileId, kind: &str, fen: i64, reason: &str| {
        ApplicationInput {
            file_id,
            kind: kind.into(),
            amount_fen: fen,
            reason: reason.into(),
            student_id: None,
            school: None,
            admission_proof: None,
        }
    };
    let decide = |stage: i64, approve: bool, reason: &str| DecisionInput {
        stage,
        approve,
        reason: reason.into(),
    };
    let c = county.ctx();
    // Waiting at the grassroots, at the county and at the city.
    application::apply(
        &ctx,
        &c,
        &apply(files[0], "daily_living", 300_000, "透析费用负担重"),
        now,
    )
    .await?;
    let at_county = application::apply(
        &ctx,
        &c,
        &apply(files[3], "medical", 800_000, "配偶康复治疗"),
        now,
    )
    .await?;
    walk(&ctx, at_county, 1, now, &officers).await?;
    let at_city = application::apply(
        &ctx,
        &c,
        &apply(files[2], "medical", 900_000, "工伤后续治疗"),
        now,
    )
    .await?;
    walk(&ctx, at_city, 2, now, &officers).await?;
    // Rejected by the county.
    let rejected = application::apply(
        &ctx,
        &c,
        &apply(files[4], "daily_living", 200_000, "失业生活困难"),
        now,
    )
    .await?;
    walk(&ctx, rejected, 1, now, &officers).await?;
    application::decide(
        &ctx,
        &county.ctx(),
        rejected,
        &decide(1, false, "已领取失业保险金，且已推荐就业岗位，暂不予帮扶"),
        now,
    )
    .await?;
    // An education grant on notice now.
    let student = zhijia_store::aid::members(db, files[1])
        .await?
        .into_iter()
        .find(|m| m.relation == "子女")
        .map(|m| m.id);
    let grant = ApplicationInput {
        student_id: student,
        school: Some("广东工业大学".into()),
        admission_proof: Some("录取通知书编号 2026-044-0815".into()),
        ..apply(
            files[1],
            "education_grant",
            500_000,
            "子女考入大学，学费无力承担",
        )
    };
    let letter = Upload {
        name: "录取通知书.pdf".into(),
        bytes: admission_letter_pdf("Guangdong University of Technology", "2026-044-0815"),
    };
    let on_notice = application::apply_with_files(&ctx, &c, &grant, &[letter], now).await?;
    walk(&ctx, on_notice, 2, now, &officers).await?;
    // Another on notice, with an objection: payment paused.
    let objected = application::apply(
        &ctx,
        &c,
        &apply(files[5], "medical", 400_000, "子女住院化疗"),
        now,
    )
    .await?;
    walk(&ctx, objected, 2, now, &officers).await?;
    let worker = crate::caller::worker_actor("13800000000");
    application::object(
        &ctx,
        &worker,
        None,
        objected,
        "听说该户另有商铺出租收入",
        now,
    )
    .await?;
    // Approved ten days ago, notice over: paid, one entry reversed and paid again.
    let paid = application::apply(
        &ctx,
        &c,
        &apply(files[0], "emergency", 200_000, "透析急需费用"),
        now,
    )
    .await?;
    walk(&ctx, paid, 2, now - Duration::days(10), &officers).await?;
    let pay = |fen: i64, fund: &str| DisbursementInput {
        application_id: paid,
        amount_fen: fen,
        fund_source: fund.into(),
        method: "bank_transfer".into(),
        paid_on: None,
        idempotency_key: Some(zhijia_domain::auth::random_token()),
    };
    let wrong = ledger::disburse(&ctx, &c, &pay(20_000, "工会帮扶专项资金"), now).await?;
    ledger::reverse(&ctx, &c, wrong, "金额少录一个零，冲正后重新登记", now).await?;
    ledger::disburse(&ctx, &c, &pay(150_000, "工会帮扶专项资金"), now).await?;
    ledger::disburse(&ctx, &c, &pay(50_000, "社会捐赠"), now).await?;
    Ok(())
}

/// A one-page PDF standing for an admission letter: the school and the notice number in the
/// standard Helvetica font (ASCII only, so no font is embedded), with a correct cross-reference
/// table so viewers open it without repair.
pub fn admission_letter_pdf(school: &str, number: &str) -> Vec<u8> {
    let ascii = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_graphic() || *c == ' ')
            .filter(|c| !matches!(c, '(' | ')' | '\\'))
            .collect()
    };
    let text = format!(
        "BT /F1 20 Tf 72 720 Td (Admission Letter) Tj /F1 12 Tf 0 -36 Td ({}) Tj \
         0 -20 Td (Notice No. {}) Tj 0 -20 Td (zhijia demo document) Tj ET",
        ascii(school),
        ascii(number)
    );
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
         /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>"
            .to_owned(),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
    ];
    let mut pdf = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(pdf.len());
        pdf.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = pdf.len();
    let mut table = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for o in offsets {
        table.push_str(&format!("{o:010} 00000 n \n"));
    }
    table.push_str(&format!(
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        objects.len() + 1
    ));
    pdf.extend_from_slice(table.as_bytes());
    pdf
}
