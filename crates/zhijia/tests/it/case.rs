//! Rights-protection cases, through the use cases on both backends: deadlines on the business
//! calendar, the paused clock, routing, escalation up the tree by the job runner, rating,
//! conversation and attachments, and who may see what.

use crate::helpers::TestDb;
use crate::membership::{Env, Reviewer, employee, id_number, world};
use crate::on_both;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use zhijia_app::AppError;
use zhijia_app::case::file::{self, CaseInput, Upload};
use zhijia_app::case::handle::{self, Step};
use zhijia_app::case::{self, Ctx, QueueQuery, Settings, talk};
use zhijia_app::membership::join::{self, Decision};
use zhijia_app::sms::LogSender;
use zhijia_domain::auth::Role;
use zhijia_store::Store;

pub const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";

/// 10:00 in Beijing on a day.
pub fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 2, 0, 0).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub struct CaseEnv {
    pub settings: Settings,
    pub sms: LogSender,
}

impl CaseEnv {
    pub fn new() -> Self {
        CaseEnv {
            settings: Settings::default(),
            sms: LogSender,
        }
    }
    pub fn ctx<'a>(&'a self, db: &'a Store) -> Ctx<'a> {
        Ctx {
            db,
            settings: &self.settings,
            sms: &self.sms,
        }
    }
}

/// A complaint about the factory of `world()` from a worker who is not a member.
pub fn complaint(kind: &str, employer_code: &str) -> CaseInput {
    CaseInput {
        kind: kind.into(),
        title: "拖欠三个月工资".into(),
        description: "公司自八月起未发工资，多次讨要无果。".into(),
        employer_name: "广州天河电子厂".into(),
        employer_credit_code: Some(employer_code.into()),
        region_code: "440106".into(),
        township_org_id: None,
        hide_identity: false,
        filer_name: "李强".into(),
    }
}

on_both!(
    a_deadline_skips_weekends_and_the_national_day_holiday_and_counts_the_make_up_saturday,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = CaseEnv::new();
        let ctx = env.ctx(db);
        // Filed on Wednesday 30 September 2026, the eve of the National Day holiday (1–7 Oct).
        let filed = file::file(
            &ctx,
            "13800138101",
            &complaint("complaint", &w.factory_code),
            &[],
            at(2026, 9, 30),
        )
        .await
        .unwrap();
        assert_eq!(filed.handling_org_id, w.factory.id, "the employer's union");
        let handler = Reviewer::of(&w.factory, Role::CaseHandler);
        let c = handle::act(
            &ctx,
            &handler.ctx(),
            filed.id,
            &Step::Accept {
                tier: "simple".into(),
            },
            at(2026, 9, 30),
        )
        .await
        .unwrap();
        // A simple complaint: 5 working days. Oct 1–7 are holidays, Thursday 8 and Friday 9
        // count, Saturday 10 is a make-up working day (调休), Sunday 11 is not, Monday 12 and
        // Tuesday 13 count.
        assert_eq!(c.limit_days, 5);
        assert_eq!(c.due_on, Some(day(2026, 10, 13)));
        assert_eq!(c.state.as_str(), "accepted");
    }
);

on_both!(
    waiting_for_the_worker_pauses_the_clock_and_moves_the_deadline_by_the_paused_working_days,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = CaseEnv::new();
        let ctx = env.ctx(db);
        let phone = "13800138102";
        // A consultation filed on Monday 2 November: 3 working days, due Thursday 5.
        let filed = file::file(
            &ctx,
            phone,
            &complaint("consultation", &w.factory_code),
            &[],
            at(2026, 11, 2),
        )
        .await
        .unwrap();
        let handler = Reviewer::of(&w.factory, Role::CaseHandler);
        let h = handler.ctx();
        let c = handle::act(
            &ctx,
            &h,
            filed.id,
            &Step::Accept {
                tier: "ordinary".into(),
            },
            at(2026, 11, 2),
        )
        .await
        .unwrap();
        assert_eq!(c.due_on, Some(day(2026, 11, 5)));
        // Tuesday 3: the handler asks for the pay slips; the clock stops.
        let c = handle::act(
            &ctx,
            &h,
            filed.id,
            &Step::AskWorker {
                question: "请上传近三个月的工资条".into(),
            },
            at(2026, 11, 3),
        )
        .await
        .unwrap();
        assert_eq!(c.state.as_str(), "waiting_on_worker");
        assert_eq!(c.due_on, None, "no deadline while paused");
        // A paused case is never overdue, however long the worker takes.
        let out = {
            let mut tx = db.change().await.unwrap();
            let (out, _) = case::escalate::run_in(&mut tx, &env.settings, at(2026, 11, 6))
                .await
                .unwrap();
            tx.commit_unaudited(zhijia_store::Unaudited::Fixture)
                .await
                .unwrap();
            out
        };
        assert_eq!(out.overdue, 0);
        // Monday 9: the worker answers with a photo. Paused: Wed 4, Thu 5, Fri 6, Mon 9 = 4
        // working days, so the deadline moves from Thursday 5 to Wednesday 11.
        let c = handle::reply(
            &ctx,
            phone,
            filed.id,
            "已上传工资条",
            &[Upload {
                name: "工资条.png".into(),
                bytes: PNG.to_vec(),
            }],
            at(2026, 11, 9),
        )
        .await
        .unwrap();
        assert_eq!(c.state.as_str(), "in_progress");
        assert_eq!(c.paused_working_days, 4);
        assert_eq!(c.due_on, Some(day(2026, 11, 11)));
        let d = case::detail(&ctx, &h, filed.id, at(2026, 11, 9))
            .await
            .unwrap();
        assert_eq!(d.attachments.len(), 1);
        assert_eq!(d.attachments[0].content_type, "image/png");
        assert_eq!(d.working_days_left, Some(2));
    }
);

async fn run_jobs(db: &Store, cases: &Settings, worker: &str, now: DateTime<Utc>) -> usize {
    let env = Env::new();
    let jobs = env.jobs(db, cases);
    zhijia_app::job::schedule(&jobs, now).await.unwrap();
    zhijia_app::job::run_due(&jobs, worker, now).await.unwrap()
}

async fn escalations(db: &Store, id: zhijia_domain::ids::CaseId) -> Vec<zhijia_store::case::Event> {
    zhijia_store::case::events(db, id)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "case.escalated")
        .collect()
}

on_both!(
    an_overdue_case_is_escalated_to_the_parent_and_then_the_grandparent,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = CaseEnv::new();
        let ctx = env.ctx(db);
        // Filed Monday 2 November at the factory, due Thursday 5; nobody acts on it.
        let filed = file::file(
            &ctx,
            "13800138103",
            &complaint("consultation", &w.factory_code),
            &[],
            at(2026, 11, 2),
        )
        .await
        .unwrap();
        // On the deadline itself nothing happens.
        run_jobs(db, &env.settings, "r1", at(2026, 11, 5)).await;
        assert!(escalations(db, filed.id).await.is_empty());
        // Friday 6, the first working day past it: the street union (parent) supervises.
        run_jobs(db, &env.settings, "r1", at(2026, 11, 6)).await;
        let c = zhijia_store::case::get(db, filed.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.escalation_level, 1);
        assert_eq!(c.supervising_org_id, Some(w.gz.town.id));
        let town = Reviewer::of(&w.gz.town, Role::CaseHandler);
        let (_, _, page) = case::queue(
            &ctx,
            &town.ctx(),
            &QueueQuery {
                view: Some("supervised".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(
            page.items.iter().map(|i| i.id).collect::<Vec<_>>(),
            [filed.id]
        );
        // The street union sees the history.
        let d = case::detail(&ctx, &town.ctx(), filed.id, at(2026, 11, 6))
            .await
            .unwrap();
        assert!(d.events.iter().any(|e| e.action == "case.filed"));
        // Later runs the same day change nothing.
        run_jobs(
            db,
            &env.settings,
            "r2",
            at(2026, 11, 6) + chrono::Duration::hours(3),
        )
        .await;
        assert_eq!(escalations(db, filed.id).await.len(), 1);
        // Five more working days (9–13 Nov) later it goes up to the district (grandparent).
        run_jobs(db, &env.settings, "r1", at(2026, 11, 12)).await;
        assert_eq!(
            escalations(db, filed.id).await.len(),
            1,
            "still level 1 on the 12th"
        );
        run_jobs(db, &env.settings, "r1", at(2026, 11, 13)).await;
        let c = zhijia_store::case::get(db, filed.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(c.escalation_level, 2);
        assert_eq!(c.supervising_org_id, Some(w.gz.tianhe.id));
        let e = escalations(db, filed.id).await;
        assert_eq!(e.len(), 2);
        assert_eq!(e[1].org_id, Some(w.gz.tianhe.id));
        // Resolving it takes it out of every queue and stops escalation.
        let handler = Reviewer::of(&w.factory, Role::CaseHandler);
        for step in [
            Step::Accept {
                tier: "simple".into(),
            },
            Step::Resolve {
                answer: "已协调企业补发工资".into(),
            },
        ] {
            handle::act(&ctx, &handler.ctx(), filed.id, &step, at(2026, 11, 16))
                .await
                .unwrap();
        }
        run_jobs(db, &env.settings, "r1", at(2026, 11, 30)).await;
        assert_eq!(escalations(db, filed.id).await.len(), 2);
    }
);

on_both!(
    two_processes_running_the_jobs_at_once_escalate_each_overdue_case_exactly_once,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = CaseEnv::new();
        let ctx = env.ctx(db);
        let mut ids = Vec::new();
        for k in 0..8 {
            let f = file::file(
                &ctx,
                &format!("1380013820{k}"),
                &complaint("consultation", &w.factory_code),
                &[],
                at(2026, 11, 2),
            )
            .await
            .unwrap();
            ids.push(f.id);
        }
        // A second store on the same database: a second server process's own connections.
        let other = t.reopen().await;
        let now = at(2026, 11, 6);
        let handles: Vec<_> = (0..6)
            .map(|i| {
                let store = if i % 2 == 0 {
                    db.clone()
                } else {
                    other.clone()
                };
                let settings = env.settings.clone();
                tokio::spawn(async move {
                    run_jobs(&store, &settings, &format!("process-{i}"), now).await
                })
            })
            .collect();
        let mut runs = Vec::new();
        for h in handles {
            runs.push(h.await.unwrap());
        }
        assert_eq!(
            runs.iter().sum::<usize>(),
            zhijia_app::job::ALL.len(),
            "each job of the period ran once"
        );
        for id in ids {
            let e = escalations(db, id).await;
            assert_eq!(e.len(), 1, "case {id} escalated once");
        }
    }
);

on_both!(
    an_unsatisfied_rating_reopens_the_case_once_for_review_by_the_parent,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = CaseEnv::new();
        let ctx = env.ctx(db);
        let phone = "13800138104";
        let filed = file::file(
            &ctx,
            phone,
            &complaint("assistance", &w.factory_code),
            &[],
            at(2026, 11, 2),
        )
        .await
        .unwrap();
        let handler = Reviewer::of(&w.factory, Role::CaseHandler);
        let h = handler.ctx();
        for step in [
            Step::Accept {
                tier: "ordinary".into(),
            },
            Step::Start,
            Step::Resolve {
                answer: "已约谈企业".into(),
            },
        ] {
            handle::act(&ctx, &h, filed.id, &step, at(2026, 11, 4))
                .await
                .unwrap();
        }
        let before = zhijia_store::case::get(db, filed.id)
            .await
            .unwrap()
            .unwrap();
        // Rated unsatisfied two working days later: back in progress, marked for the parent,
        // and the deadline moves by the two days the answer waited for the rating.
        let c = handle::rate(
            &ctx,
            phone,
            filed.id,
            false,
            "工资仍未发放",
            at(2026, 11, 6),
        )
        .await
        .unwrap();
        assert_eq!(c.state.as_str(), "in_progress");
        assert!(c.reopened && c.review_by_parent);
        assert_eq!(c.paused_working_days, before.paused_working_days + 2);
        let town = Reviewer::of(&w.gz.town, Role::CaseHandler);
        let (_, _, page) = case::queue(
            &ctx,
            &town.ctx(),
            &QueueQuery {
                view: Some("review".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(page.items.len(), 1);
        // Answered again and rated unsatisfied again: closed, not reopened a second time.
        handle::act(
            &ctx,
            &h,
            filed.id,
            &Step::Resolve {
                answer: "已申请劳动仲裁".into(),
            },
            at(2026, 11, 9),
        )
        .await
        .unwrap();
        let c = handle::rate(&ctx, phone, filed.id, false, "", at(2026, 11, 9))
            .await
            .unwrap();
        assert_eq!(c.state.as_str(), "closed");
        // Another phone cannot rate or read it.
        assert!(matches!(
            handle::rate(&ctx, "13900000000", filed.id, true, "", at(2026, 11, 9)).await,
            Err(AppError::NotFound(_))
        ));
    }
);

on_both!(
    cases_are_routed_to_the_members_union_the_employers_union_or_the_regional_union,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = CaseEnv::new();
        let ctx = env.ctx(db);
        // A member of the shop's union complains about another employer: their own union.
        let menv = Env::new();
        let mctx = menv.ctx(db);
        let member_phone = "13800138105";
        let sub = join::apply(
            &mctx,
            member_phone,
            &employee(
                "王芳",
                &id_number("440104", (1992, 3, 4), 22),
                "越秀百货",
                &w.shop_code,
            ),
            at(2026, 11, 2),
        )
        .await
        .unwrap();
        let reviewer = Reviewer::of(&w.shop, Role::Reviewer);
        join::decide(
            &mctx,
            &reviewer.ctx(),
            sub.application_id,
            Decision::Approve,
            at(2026, 11, 2),
        )
        .await
        .unwrap();
        let f = file::file(
            &ctx,
            member_phone,
            &complaint("complaint", &w.factory_code),
            &[],
            at(2026, 11, 3),
        )
        .await
        .unwrap();
        assert_eq!(f.handling_org_id, w.shop.id);
        assert_eq!(f.route, file::Route::Membership);
        // Not a member, employer with a union: that union.
        let f = file::file(
            &ctx,
            "13800138106",
            &complaint("complaint", &w.factory_code),
            &[],
            at(2026, 11, 3),
        )
        .await
        .unwrap();
        assert_eq!(f.route, file::Route::Employer);
        // Not a member, employer without a union, in Yuexiu: the district union.
        let mut input = complaint("complaint", &crate::membership::employer_code("440104", 77));
        input.region_code = "440104".into();
        let f = file::file(&ctx, "13800138107", &input, &[], at(2026, 11, 3))
            .await
            .unwrap();
        assert_eq!(
            (f.handling_org_id, f.route),
            (w.gz.yuexiu.id, file::Route::Region)
        );
        // The worker picks the street union of Tianhe.
        input.employer_credit_code = None;
        input.region_code = "440106".into();
        input.township_org_id = Some(w.gz.town.id);
        let f = file::file(&ctx, "13800138107", &input, &[], at(2026, 11, 3))
            .await
            .unwrap();
        assert_eq!(
            (f.handling_org_id, f.route),
            (w.gz.town.id, file::Route::Township)
        );
        // A street union of another district is refused with the field named.
        input.region_code = "440104".into();
        let e = file::file(&ctx, "13800138107", &input, &[], at(2026, 11, 3))
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("township_org_id"));
        // A region with no union at all: a clear conflict, nothing stored.
        input.township_org_id = None;
        input.region_code = "110105".into();
        let e = file::file(&ctx, "13800138107", &input, &[], at(2026, 11, 3))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("12351"), "{e}");
        let mine = zhijia_store::case::of_filer(db, "13800138107", 50, 0)
            .await
            .unwrap();
        assert_eq!(mine.total, 2);
    }
);

on_both!(
    a_file_that_is_not_an_image_or_pdf_refuses_the_whole_filing_and_nothing_is_stored,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = CaseEnv::new();
        let ctx = env.ctx(db);
        let phone = "13800138108";
        let e = file::file(
            &ctx,
            phone,
            &complaint("complaint", &w.factory_code),
            &[
                Upload {
                    name: "合同.png".into(),
                    bytes: PNG.to_vec(),
                },
                Upload {
                    name: "照片.jpg".into(),
                    bytes: b"<html><script>alert(1)</script>".to_vec(),
                },
            ],
            at(2026, 11, 3),
        )
        .await
        .unwrap_err();
        assert_eq!(e.field(), Some("attachment"));
        assert!(e.to_string().contains("照片.jpg"), "{e}");
        assert_eq!(
            zhijia_store::case::of_filer(db, phone, 10, 0)
                .await
                .unwrap()
                .total,
            0
        );
        // Missing fields are named.
        let mut input = complaint("complaint", &w.factory_code);
        input.title = "  ".into();
        let e = file::file(&ctx, phone, &input, &[], at(2026, 11, 3))
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("title"));
        input = complaint("lawsuit", &w.factory_code);
        let e = file::file(&ctx, phone, &input, &[], at(2026, 11, 3))
            .await
            .unwrap_err();
        assert_eq!(e.field(), Some("kind"));
        // A filing with a real PNG keeps its bytes.
        let f = file::file(
            &ctx,
            phone,
            &complaint("complaint", &w.factory_code),
            &[Upload {
                name: "合同".into(),
                bytes: PNG.to_vec(),
            }],
            at(2026, 11, 3),
        )
        .await
        .unwrap();
        let own = talk::own_view(&ctx, phone, f.id).await.unwrap();
        let a = &own.attachments[0];
        assert_eq!(a.file_name, "合同.png");
        let data = talk::worker_file(&ctx, phone, f.id, a.id).await.unwrap();
        assert_eq!(data.data, PNG);
        assert!(matches!(
            talk::worker_file(&ctx, "13900000001", f.id, a.id).await,
            Err(AppError::NotFound(_))
        ));
    }
);

on_both!(
    internal_notes_never_reach_the_worker_and_handlers_see_only_their_subtree,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = CaseEnv::new();
        let ctx = env.ctx(db);
        let phone = "13800138109";
        let f = file::file(
            &ctx,
            phone,
            &complaint("legal_aid", &w.factory_code),
            &[],
            at(2026, 11, 3),
        )
        .await
        .unwrap();
        let handler = Reviewer::of(&w.factory, Role::CaseHandler);
        let h = handler.ctx();
        talk::post(
            &ctx,
            &h,
            f.id,
            "企业负责人态度消极，建议申请仲裁",
            true,
            at(2026, 11, 3),
        )
        .await
        .unwrap();
        talk::post(
            &ctx,
            &h,
            f.id,
            "我们已联系企业，请保持电话畅通",
            false,
            at(2026, 11, 3),
        )
        .await
        .unwrap();
        let own = talk::own_view(&ctx, phone, f.id).await.unwrap();
        let bodies: Vec<&str> = own.messages.iter().map(|m| m.body.as_str()).collect();
        assert_eq!(bodies, ["我们已联系企业，请保持电话畅通"]);
        assert!(
            own.events
                .iter()
                .all(|e| e.actor_name != handler.actor.name),
            "the worker sees the union, not the staff member"
        );
        let d = case::detail(&ctx, &h, f.id, at(2026, 11, 3)).await.unwrap();
        assert_eq!(d.messages.len(), 2);
        // A mediation record.
        talk::mediate(
            &ctx,
            &h,
            f.id,
            &talk::MediationInput {
                parties: "李强；广州天河电子厂".into(),
                mediated_on: "2026-11-03".into(),
                mediator: "张调解".into(),
                agreement: "企业于11月底前补发工资".into(),
                outcome: "settled".into(),
            },
            at(2026, 11, 3),
        )
        .await
        .unwrap();
        let d = case::detail(&ctx, &h, f.id, at(2026, 11, 3)).await.unwrap();
        assert_eq!(d.mediations[0].outcome.as_str(), "settled");
        // The neighbouring district's handler, and the factory's administrator, cannot see it.
        for outsider in [
            Reviewer::of(&w.gz.yuexiu, Role::CaseHandler),
            Reviewer::of(&w.factory, Role::OrgAdmin),
        ] {
            assert!(matches!(
                case::detail(&ctx, &outsider.ctx(), f.id, at(2026, 11, 3)).await,
                Err(AppError::NotFound(_))
            ));
            assert!(
                talk::post(&ctx, &outsider.ctx(), f.id, "x", false, at(2026, 11, 3))
                    .await
                    .is_err()
            );
        }
        // The city's handler sees it (its subtree) and may re-route it within the subtree.
        let city = Reviewer::of(&w.gz.city, Role::CaseHandler);
        let c = handle::reroute(
            &ctx,
            &city.ctx(),
            f.id,
            w.gz.town.id,
            "由街道先行调解",
            at(2026, 11, 4),
        )
        .await
        .unwrap();
        assert_eq!(c.handling_org_id, w.gz.town.id);
        // The factory's handler no longer sees it; re-routing outside one's subtree is refused.
        assert!(case::detail(&ctx, &h, f.id, at(2026, 11, 4)).await.is_err());
        let town = Reviewer::of(&w.gz.town, Role::CaseHandler);
        assert!(matches!(
            handle::reroute(&ctx, &town.ctx(), f.id, w.gz.yuexiu.id, "", at(2026, 11, 4)).await,
            Err(AppError::Forbidden(_))
        ));
    }
);

on_both!(
    statistics_count_a_subtree_by_kind_state_and_month_with_on_time_and_satisfaction_rates,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = CaseEnv::new();
        let ctx = env.ctx(db);
        let handler = Reviewer::of(&w.factory, Role::CaseHandler);
        let h = handler.ctx();
        // Three cases at the factory: one answered on time and rated satisfied, one answered
        // late, one still open; one in Yuexiu outside the factory's subtree.
        let mut ids = Vec::new();
        for (k, phone) in ["13800138110", "13800138111", "13800138112"]
            .iter()
            .enumerate()
        {
            let kind = if k == 2 { "consultation" } else { "complaint" };
            ids.push(
                file::file(
                    &ctx,
                    phone,
                    &complaint(kind, &w.factory_code),
                    &[],
                    at(2026, 10, 12),
                )
                .await
                .unwrap()
                .id,
            );
        }
        let mut other = complaint("complaint", &crate::membership::employer_code("440104", 78));
        other.region_code = "440104".into();
        file::file(&ctx, "13800138113", &other, &[], at(2026, 10, 12))
            .await
            .unwrap();
        let steps = |answer: &str| {
            vec![
                Step::Accept {
                    tier: "simple".into(),
                },
                Step::Resolve {
                    answer: answer.into(),
                },
            ]
        };
        for s in steps("已解决") {
            handle::act(&ctx, &h, ids[0], &s, at(2026, 10, 14))
                .await
                .unwrap();
        }
        handle::rate(&ctx, "13800138110", ids[0], true, "", at(2026, 10, 15))
            .await
            .unwrap();
        for s in steps("已解决") {
            handle::act(&ctx, &h, ids[1], &s, at(2026, 11, 20))
                .await
                .unwrap();
        }
        let q = case::stats::StatsQuery {
            org: Some(w.factory.id),
            from: Some("2026-10-01".into()),
            to: Some("2026-11-30".into()),
        };
        let f = case::stats::figures(&ctx, &h, &q, at(2026, 11, 25))
            .await
            .unwrap();
        assert_eq!(f.cases, 3);
        assert_eq!(f.resolved, 2);
        assert_eq!(f.resolved_on_time, 1);
        assert_eq!(f.on_time_permille, Some(500));
        assert_eq!(f.satisfaction_permille, Some(1000));
        // Answered after 2 and 39 calendar days: 20.5 days on average.
        assert_eq!(f.average_handling_tenth_days, Some(205));
        let kinds: Vec<(String, i64)> =
            f.by_kind.iter().map(|c| (c.key.clone(), c.count)).collect();
        assert!(
            kinds.contains(&("complaint".into(), 2)) && kinds.contains(&("consultation".into(), 1))
        );
        assert_eq!(f.by_month.len(), 1);
        assert_eq!(
            (f.by_month[0].key.as_str(), f.by_month[0].count),
            ("2026-10", 3)
        );
        // An analyst of the city sees the whole city (4 cases); the factory's analyst is
        // refused the city.
        let analyst = Reviewer::of(&w.gz.city, Role::Analyst);
        let city_q = case::stats::StatsQuery {
            org: Some(w.gz.city.id),
            ..q.clone()
        };
        let f = case::stats::figures(&ctx, &analyst.ctx(), &city_q, at(2026, 11, 25))
            .await
            .unwrap();
        assert_eq!(f.cases, 4);
        let factory_analyst = Reviewer::of(&w.factory, Role::Analyst);
        assert!(matches!(
            case::stats::figures(&ctx, &factory_analyst.ctx(), &city_q, at(2026, 11, 25)).await,
            Err(AppError::Forbidden(_))
        ));
    }
);

on_both!(
    a_phone_files_at_most_five_cases_online_a_day_and_staff_desks_are_not_limited,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = CaseEnv::new();
        let ctx = env.ctx(db);
        let phone = "13800138120";
        for _ in 0..file::MAX_ONLINE_PER_DAY {
            file::file(
                &ctx,
                phone,
                &complaint("consultation", &w.factory_code),
                &[],
                at(2026, 11, 3),
            )
            .await
            .unwrap();
        }
        let e = file::file(
            &ctx,
            phone,
            &complaint("consultation", &w.factory_code),
            &[],
            at(2026, 11, 3),
        )
        .await
        .unwrap_err();
        assert!(matches!(e, AppError::TooMany(_)), "{e}");
        assert!(e.to_string().contains("12351"));
        // The next day the worker may file again; a handler may always register a call.
        file::file(
            &ctx,
            phone,
            &complaint("consultation", &w.factory_code),
            &[],
            at(2026, 11, 4),
        )
        .await
        .unwrap();
        let handler = Reviewer::of(&w.factory, Role::CaseHandler);
        let desk = file::DeskInput {
            case: complaint("consultation", &w.factory_code),
            channel: "phone".into(),
            filer_phone: phone.into(),
        };
        file::register(&ctx, &handler.ctx(), &desk, at(2026, 11, 3))
            .await
            .unwrap();
    }
);
