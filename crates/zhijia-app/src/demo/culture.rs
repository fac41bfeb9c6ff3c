//! Demo culture: model workers of a district (three published, one of them a current member of
//! a union there, so an offer aimed at the tag `model_worker` has an audience; an honouree of the
//! past without a worker link; one draft still waiting for consent) and its workers' library
//! (an item of every kind published, one draft). Made through the use cases.

use crate::caller::StaffCtx;
use crate::library::{Library, LibraryInput};
use crate::model_worker::{ModelWorkerInput, ModelWorkers};
use crate::publishable;
use crate::{AppError, Result};
use chrono::{Datelike, Utc};
use zhijia_domain::audit::Actor;
use zhijia_domain::auth::{Grant, Role};
use zhijia_domain::org::OrgLevel;
use zhijia_store::Store;
use zhijia_store::membership::RosterFilter;
use zhijia_store::org as org_store;

/// Adds the samples; a failure is logged, never stops the demo.
pub async fn samples(db: &Store) -> Result<()> {
    if let Err(e) = add_samples(db).await {
        tracing::warn!(error = %e, "demo culture samples left out");
    }
    Ok(())
}

async fn add_samples(db: &Store) -> Result<()> {
    // A grassroots union with members, and its district (county) union.
    let mut chosen = None;
    for org in org_store::with_employer(db, 40).await? {
        let page =
            zhijia_store::membership::roster(db, &org.path, &RosterFilter::default(), 1, 0).await?;
        if let Some(m) = page.items.into_iter().next() {
            chosen = Some((org, m));
            break;
        }
    }
    let Some((union, member)) = chosen else {
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
    let this_year = i64::from(crate::today(now).year());
    let worker = zhijia_store::worker::get(db, member.worker_id)
        .await?
        .ok_or(AppError::NotFound("演示会员"))?;

    let record = |org: i64, name: &str, honour: &str, level: &str, year: i64, employer: &str| {
        ModelWorkerInput {
            org: Some(org),
            name: name.into(),
            honour: honour.into(),
            level: level.into(),
            year,
            employer: employer.into(),
            story: String::new(),
            member_no: None,
            consent: true,
        }
    };
    // The member of the grassroots union, linked by member number.
    let linked = publishable::create::<ModelWorkers>(
        db,
        &editor,
        &ModelWorkerInput {
            name: worker.name.clone(),
            story: "扎根生产一线十八年，牵头成立“职工创新工作室”，完成技术革新二十余项。\n\
                    带出技术骨干三十余名，被工友们称为“车间里的活字典”。"
                .into(),
            member_no: worker.member_no.clone(),
            ..record(
                union.id.0,
                "",
                "省劳动模范",
                "province",
                this_year - 2,
                &union.name.replace("工会委员会", ""),
            )
        },
        now,
    )
    .await?;
    let past = publishable::create::<ModelWorkers>(
        db,
        &editor,
        &ModelWorkerInput {
            story: "上世纪八十年代在纺织厂挡车岗位创造了连续十年无次布的纪录。\n\
                    退休后仍义务为青年女工传授操作要领。"
                .into(),
            ..record(
                county.id.0,
                "陈秀兰",
                "全国劳动模范",
                "national",
                1989,
                "第一棉纺织厂",
            )
        },
        now,
    )
    .await?;
    let courier = publishable::create::<ModelWorkers>(
        db,
        &editor,
        &ModelWorkerInput {
            story: "风雨无阻投递八年，零投诉、零差错。\n疫情期间主动承担社区物资配送，\
                    组织快递小哥志愿服务队。"
                .into(),
            ..record(
                county.id.0,
                "黄志强",
                "市五一劳动奖章",
                "city",
                this_year - 1,
                "顺达快递营业部",
            )
        },
        now,
    )
    .await?;
    publishable::create::<ModelWorkers>(
        db,
        &editor,
        &ModelWorkerInput {
            story: "深耕电网运维一线，带领班组实现安全生产三千天。".into(),
            consent: false,
            ..record(
                county.id.0,
                "林建华",
                "县级劳动模范",
                "county",
                this_year,
                "供电所运维班",
            )
        },
        now,
    )
    .await?;
    for id in [linked, past, courier] {
        publishable::publish::<ModelWorkers>(db, &editor, id, now).await?;
    }

    // The district's workers' library.
    let place = format!("{}职工书屋(二楼)", county.name.replace("总工会", ""));
    let items = [
        LibraryInput {
            kind: "book".into(),
            title: "平凡的世界".into(),
            author: "路遥".into(),
            summary: "黄土高原上普通劳动者的奋斗与尊严。".into(),
            place: Some(place.clone()),
            ..LibraryInput::default()
        },
        LibraryInput {
            kind: "book".into(),
            title: "劳动合同法实用问答".into(),
            author: "工会法律服务中心".into(),
            summary: "试用期、加班费、解除合同，职工最常问的五十个问题。".into(),
            place: Some(place),
            ..LibraryInput::default()
        },
        LibraryInput {
            kind: "ebook".into(),
            title: "新就业形态劳动者权益保障读本".into(),
            author: "工会法律服务中心".into(),
            summary: "外卖骑手、快递员、网约车司机的劳动权益。".into(),
            link: Some("https://example.com/library/gig-rights".into()),
            ..LibraryInput::default()
        },
        LibraryInput {
            kind: "audiobook".into(),
            title: "大国工匠故事(有声版)".into(),
            author: "职工书屋编辑部".into(),
            summary: "通勤路上听工匠故事，每集十五分钟。".into(),
            link: Some("https://example.com/library/craftsmen-audio".into()),
            ..LibraryInput::default()
        },
        LibraryInput {
            kind: "reading".into(),
            title: "读《平凡的世界》：在平凡中坚守".into(),
            author: "职工读书会".into(),
            summary: "一位一线职工的读后感。".into(),
            body: "孙少平在矿井下的日子，让我想起自己刚进厂的那几年。\n\
                   平凡的岗位上，同样可以活出不平凡的精神。"
                .into(),
            ..LibraryInput::default()
        },
        LibraryInput {
            kind: "book".into(),
            title: "安全生产知识手册(待上架)".into(),
            author: "应急管理宣传中心".into(),
            place: Some("职工书屋(一楼)".into()),
            ..LibraryInput::default()
        },
    ];
    let last = items.len() - 1;
    for (k, input) in items.iter().enumerate() {
        let input = LibraryInput {
            org: Some(county.id.0),
            ..input.clone()
        };
        let id = publishable::create::<Library>(db, &editor, &input, now).await?;
        if k != last {
            publishable::publish::<Library>(db, &editor, id, now).await?;
        }
    }
    Ok(())
}
