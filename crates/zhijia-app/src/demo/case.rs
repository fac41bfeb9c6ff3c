//! Demo rights-protection cases for the console: one in every state, some overdue and escalated
//! one or two levels, one reopened after an unsatisfied rating, one with a mediation record.
//! Made through the use cases (with past dates), so the history, the inbox and the audit log
//! read as they would.

use crate::caller::StaffCtx;
use crate::case::file::{self, CaseInput};
use crate::case::handle::{self, Step};
use crate::case::{Ctx, Settings, talk};
use crate::{AppError, Result};
use chrono::{DateTime, Duration, Utc};
use zhijia_domain::audit::Actor;
use zhijia_domain::auth::{Grant, Role};
use zhijia_store::Store;
use zhijia_store::Unaudited;
use zhijia_store::org as org_store;

struct Sample {
    kind: &'static str,
    title: &'static str,
    description: &'static str,
    name: &'static str,
    /// Calendar days ago it was filed.
    days_ago: i64,
    /// What the handler did, in order, each a day after the one before.
    steps: &'static [&'static str],
}

const SAMPLES: &[Sample] = &[
    Sample {
        kind: "complaint",
        title: "公司拖欠三个月工资",
        description: "八月至十月工资一直未发，多次找负责人均被推脱。",
        name: "何建华",
        days_ago: 1,
        steps: &[],
    },
    Sample {
        kind: "consultation",
        title: "试用期被辞退是否有补偿",
        description: "入职两个月，试用期内被通知明天不用来了，想问能否要求补偿。",
        name: "苏晓梅",
        days_ago: 2,
        steps: &["accept"],
    },
    Sample {
        kind: "legal_aid",
        title: "工伤认定单位不配合",
        description: "在车间搬运时腰部受伤，单位不肯提供工伤认定所需材料。",
        name: "罗永强",
        days_ago: 6,
        steps: &["accept", "start"],
    },
    Sample {
        kind: "assistance",
        title: "加班费计算有疑问",
        description: "每周六加班，但工资条上没有加班费，想请工会帮忙核算。",
        name: "梁志远",
        days_ago: 5,
        steps: &["accept", "ask"],
    },
    Sample {
        kind: "complaint",
        title: "未签劳动合同",
        description: "工作一年多一直没签劳动合同，要求补签被拒绝。",
        name: "谢丽娟",
        days_ago: 12,
        steps: &["accept", "start", "mediate", "resolve"],
    },
    Sample {
        kind: "consultation",
        title: "社保断缴怎么办",
        description: "换工作期间社保断了两个月，会不会影响购房资格？",
        name: "韩磊",
        days_ago: 15,
        steps: &["accept", "resolve", "satisfied"],
    },
    Sample {
        kind: "complaint",
        title: "被强制调岗降薪",
        description: "公司以业务调整为由把我调到外地并降薪三成。",
        name: "冯淑芬",
        days_ago: 20,
        steps: &["accept", "start", "resolve", "unsatisfied"],
    },
    Sample {
        kind: "suggestion",
        title: "建议增设户外劳动者驿站",
        description: "天河北路一带外卖骑手多，建议增设休息驿站。",
        name: "邓国庆",
        days_ago: 8,
        steps: &["decline"],
    },
    Sample {
        kind: "complaint",
        title: "宿舍安全隐患无人处理",
        description: "员工宿舍电线老化，多次反映无人处理。",
        name: "曹永红",
        days_ago: 10,
        steps: &["decline", "close"],
    },
    Sample {
        kind: "assistance",
        title: "大病医疗费用困难",
        description: "家人重病住院，医疗费用负担很重，希望工会给予帮助。",
        name: "彭海燕",
        days_ago: 14,
        steps: &["accept"],
    },
    Sample {
        kind: "consultation",
        title: "年休假天数怎么算",
        description: "工作满五年，公司只给五天年假，是否合理？",
        name: "魏东",
        days_ago: 35,
        steps: &[],
    },
];

/// Adds the sample cases. Like the membership samples they decorate the demo: a failure is
/// logged and the demo goes on.
pub async fn samples(db: &Store) -> Result<()> {
    if let Err(e) = add_samples(db).await {
        tracing::warn!(error = %e, "demo case samples left out");
    }
    Ok(())
}

async fn add_samples(db: &Store) -> Result<()> {
    let settings = Settings::default();
    let sms = crate::sms::LogSender;
    let ctx = Ctx {
        db,
        settings: &settings,
        sms: &sms,
    };
    let Some(root) = org_store::roots(db, 1, 0).await?.items.into_iter().next() else {
        return Ok(());
    };
    let employers = org_store::with_employer(db, 4).await?;
    if employers.is_empty() {
        return Ok(());
    }
    let actor = Actor::cli("demo");
    let grants = [Grant {
        role: Role::CaseHandler,
        org_path: root.path.clone(),
    }];
    let staff = StaffCtx {
        actor: &actor,
        grants: &grants,
    };
    let now = Utc::now();
    for (k, s) in SAMPLES.iter().enumerate() {
        let employer = &employers[k % employers.len()];
        let (Some(name), Some(code)) = (&employer.employer_name, &employer.employer_credit_code)
        else {
            continue;
        };
        let input = CaseInput {
            kind: s.kind.into(),
            title: s.title.into(),
            description: s.description.into(),
            employer_name: name.clone(),
            employer_credit_code: Some(code.clone()),
            region_code: employer.region_code.clone(),
            township_org_id: None,
            hide_identity: k % 3 == 0,
            filer_name: s.name.into(),
        };
        let phone = format!("1990001{k:04}");
        let mut at: DateTime<Utc> = now - Duration::days(s.days_ago);
        let filed = file::file(&ctx, &phone, &input, &[], at).await?;
        for step in s.steps {
            at = (at + Duration::days(1)).min(now);
            let id = filed.id;
            match *step {
                "accept" => {
                    let tier = if k % 2 == 0 { "simple" } else { "ordinary" };
                    let tier = tier.into();
                    handle::act(&ctx, &staff, id, &Step::Accept { tier }, at).await?;
                }
                "start" => {
                    handle::act(&ctx, &staff, id, &Step::Start, at).await?;
                }
                "ask" => {
                    let question = "请上传近三个月的工资条和考勤记录照片。".into();
                    handle::act(&ctx, &staff, id, &Step::AskWorker { question }, at).await?;
                }
                "resolve" => {
                    let answer = "经与用人单位沟通，单位已同意依法处理，请留意后续通知。".into();
                    handle::act(&ctx, &staff, id, &Step::Resolve { answer }, at).await?;
                }
                "decline" => {
                    let reason =
                        "该事项不属于工会维权受理范围，已告知向相关部门反映的渠道。".into();
                    handle::act(&ctx, &staff, id, &Step::Decline { reason }, at).await?;
                }
                "close" => {
                    handle::act(&ctx, &staff, id, &Step::Close, at).await?;
                }
                "satisfied" | "unsatisfied" => {
                    let ok = *step == "satisfied";
                    let comment = if ok {
                        "处理及时，感谢工会"
                    } else {
                        "问题没有解决"
                    };
                    handle::rate(&ctx, &phone, id, ok, comment, at).await?;
                }
                "mediate" => {
                    let m = talk::MediationInput {
                        parties: format!("{}；{name}", s.name),
                        mediated_on: crate::today(at).to_string(),
                        mediator: "区总工会法律服务站 王律师".into(),
                        agreement: "单位于本月底前补签劳动合同并补缴社保。".into(),
                        outcome: "settled".into(),
                    };
                    talk::mediate(&ctx, &staff, id, &m, at).await?;
                    talk::post(&ctx, &staff, id, "单位负责人已到场，态度配合。", true, at).await?;
                }
                other => {
                    return Err(AppError::Config(format!("未知的演示步骤：{other}")));
                }
            }
        }
    }
    // Overdue cases are escalated now, as the job runner would.
    let mut tx = db.change().await?;
    crate::case::escalate::run_in(&mut tx, &settings, now).await?;
    tx.commit_unaudited(Unaudited::DemoData).await?;
    Ok(())
}
