//! Activities and points through the use cases, on both backends: the points balance under
//! concurrent spends and the append-only ledger (also against raw SQL), capacity under concurrent
//! registrations, the waiting list promoted in order on a cancellation (with the inbox message),
//! check-in once with the points once, and the audience of an activity.

use crate::aid::staff_with;
use crate::helpers::TestDb;
use crate::membership::{Env, Reviewer, World, employee, id_number, world};
use crate::on_both;
use chrono::{DateTime, Duration, Utc};
use zhijia_app::AppError;
use zhijia_app::activity::mine;
use zhijia_app::activity::{self, ActivityInput, Ctx};
use zhijia_app::membership::join::{self, Decision};
use zhijia_domain::auth::Role;
use zhijia_domain::pii::PiiKeys;
use zhijia_store::Store;
use zhijia_store::org::Org;

pub fn ctx<'a>(db: &'a Store, keys: &'a PiiKeys) -> Ctx<'a> {
    Ctx {
        db,
        keys,
        sms: &zhijia_app::sms::LogSender,
    }
}

/// Makes the worker of `phone` a member of `org` (an employer's union with credit code `code`);
/// returns the worker id.
pub async fn member_of(
    db: &Store,
    env: &Env,
    (org, employer, code): (&Org, &str, &str),
    name: &str,
    phone: &str,
    seq: u16,
) -> i64 {
    let ctx = env.ctx(db);
    let id = id_number("440106", (1990, 5, 5), seq);
    let sub = join::apply(
        &ctx,
        phone,
        &employee(name, &id, employer, code),
        Utc::now(),
    )
    .await
    .unwrap();
    join::decide(
        &ctx,
        &Reviewer::of(org, Role::Reviewer).ctx(),
        sub.application_id,
        Decision::Approve,
        Utc::now(),
    )
    .await
    .unwrap();
    zhijia_store::worker::find_by_phone(db, phone)
        .await
        .unwrap()
        .unwrap()
        .id
        .0
}

/// A name without digits for the i-th test worker (职工甲乙, …).
pub fn name_of(i: u16) -> String {
    let c: Vec<char> = "甲乙丙丁戊己庚辛壬癸".chars().collect();
    let i = usize::from(i);
    format!("职工{}{}", c[(i / 10) % 10], c[i % 10])
}

/// Members of the Tianhe factory with phones 1370000{i:04}.
pub async fn factory_members(db: &Store, env: &Env, w: &World, from: u16, n: u16) -> Vec<String> {
    let mut phones = Vec::new();
    for i in from..from + n {
        let phone = format!("1370000{i:04}");
        member_of(
            db,
            env,
            (&w.factory, "广州天河电子厂", &w.factory_code),
            &name_of(i),
            &phone,
            100 + i,
        )
        .await;
        phones.push(phone);
    }
    phones
}

pub fn input(org: &Org, capacity: i64, now: DateTime<Utc>) -> ActivityInput {
    ActivityInput {
        org_id: org.id.0,
        title: "职工羽毛球友谊赛".into(),
        description: "自带球拍".into(),
        place: "天河体育中心羽毛球馆".into(),
        starts_at: now + Duration::days(2),
        ends_at: now + Duration::days(2) + Duration::hours(3),
        registration_opens_at: None,
        registration_closes_at: None,
        capacity,
        audience_region: None,
        audience_tags: Vec::new(),
    }
}

on_both!(
    ten_concurrent_spends_of_30_from_100_leave_10_with_exactly_three_successes,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        // No first-join points in this province, so the balance is exactly the 100 given.
        let mut tx = db.change().await.unwrap();
        zhijia_store::points::set_rule(
            &mut tx,
            w.gz.prov.id,
            zhijia_domain::points::PointsReason::FirstJoin,
            0,
            None,
        )
        .await
        .unwrap();
        tx.commit_unaudited(zhijia_store::Unaudited::Fixture)
            .await
            .unwrap();
        let phones = factory_members(db, &env, &w, 1, 1).await;
        let worker = zhijia_store::worker::find_by_phone(db, &phones[0])
            .await
            .unwrap()
            .unwrap()
            .id;
        let mut tx = db.change().await.unwrap();
        zhijia_store::points::award(
            &mut tx,
            worker,
            100,
            zhijia_domain::points::PointsReason::FirstJoin,
            None,
            "seed",
            "初始积分",
        )
        .await
        .unwrap();
        tx.commit_unaudited(zhijia_store::Unaudited::Fixture)
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for _ in 0..10 {
            let db = db.clone();
            tasks.push(tokio::spawn(async move {
                zhijia_app::points::spend(&db, worker, 30, None, "兑换").await
            }));
        }
        let mut ok = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => ok += 1,
                Err(AppError::Conflict(m)) => assert!(m.contains("积分不足"), "{m}"),
                Err(e) => panic!("unexpected: {e:?}"),
            }
        }
        assert_eq!(ok, 3);
        assert_eq!(zhijia_store::points::balance(db, worker).await.unwrap(), 10);
        let mine = zhijia_app::points::mine(db, &phones[0], 50, 0)
            .await
            .unwrap();
        assert_eq!(mine.balance, 10);
        assert_eq!(mine.history.total, 4, "one award and three spends");
        assert_eq!(mine.history.items.iter().map(|e| e.delta).sum::<i64>(), 10);
        // The ledger is append-only for every client, not just this code.
        assert!(
            db.execute("UPDATE points_entry SET delta = 1000", &[])
                .await
                .is_err()
        );
        assert!(db.execute("DELETE FROM points_entry", &[]).await.is_err());
        assert_eq!(
            zhijia_app::points::mine(db, &phones[0], 50, 0)
                .await
                .unwrap()
                .history
                .total,
            4
        );
    }
);

on_both!(
    capacity_holds_under_thirty_concurrent_registrations,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let phones = factory_members(db, &env, &w, 1, 30).await;
        let ed = staff_with(db, "editor.tianhe", &[(Role::Editor, &w.gz.tianhe)]).await;
        let now = Utc::now();
        let c = ctx(db, &env.keys);
        let id = activity::create(&c, &ed.ctx(), &input(&w.gz.tianhe, 10, now), now)
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for phone in phones.clone() {
            let db = db.clone();
            let keys = env.keys.clone();
            tasks.push(tokio::spawn(async move {
                mine::register(&ctx(&db, &keys), &phone, id, Utc::now()).await
            }));
        }
        let mut statuses = Vec::new();
        for task in tasks {
            statuses.push(task.await.unwrap().unwrap().status);
        }
        assert_eq!(statuses.iter().filter(|s| *s == "registered").count(), 10);
        assert_eq!(statuses.iter().filter(|s| *s == "waiting").count(), 20);
        let d = activity::detail(db, &ed.ctx(), id, None, None)
            .await
            .unwrap();
        assert_eq!(d.activity.registered, 10);
        assert_eq!(d.activity.waiting, 20);
        assert_eq!(d.registered.total, 10);
        // The waiting list is in order of registering, numbered 1 to 20.
        let ids: Vec<i64> = d.waiting.items.iter().map(|r| r.id.0).collect();
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        for (i, r) in d.waiting.items.iter().enumerate() {
            let me = mine::activity(&c, &r.phone, id, Utc::now()).await.unwrap();
            assert_eq!(
                me.registration.unwrap().waiting_position,
                Some(i as i64 + 1)
            );
        }
        // Registering twice is refused in words.
        let again = mine::register(&c, &phones[0], id, Utc::now())
            .await
            .unwrap_err();
        assert!(matches!(again, AppError::Conflict(_)), "{again:?}");
    }
);

on_both!(
    a_cancellation_promotes_only_the_first_waiting_who_is_told,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let phones = factory_members(db, &env, &w, 1, 4).await;
        let ed = staff_with(db, "editor.tianhe", &[(Role::Editor, &w.gz.tianhe)]).await;
        let now = Utc::now();
        let c = ctx(db, &env.keys);
        let id = activity::create(&c, &ed.ctx(), &input(&w.factory, 2, now), now)
            .await
            .unwrap();
        for p in &phones {
            mine::register(&c, p, id, now).await.unwrap();
        }
        let worker = |p: &str| {
            let p = p.to_owned();
            async move {
                zhijia_store::worker::find_by_phone(db, &p)
                    .await
                    .unwrap()
                    .unwrap()
                    .id
            }
        };
        let (third, fourth) = (worker(&phones[2]).await, worker(&phones[3]).await);
        let inbox = |id: zhijia_domain::ids::WorkerId| async move {
            zhijia_store::membership::messages(db, id, 50, 0)
                .await
                .unwrap()
                .items
        };
        let before_third = inbox(third).await.len();
        let before_fourth = inbox(fourth).await.len();
        mine::cancel(&c, &phones[0], id, now).await.unwrap();
        let third_view = mine::activity(&c, &phones[2], id, now).await.unwrap();
        let reg = third_view.registration.unwrap();
        assert_eq!(reg.status, "registered");
        assert!(reg.token.is_some(), "a seat comes with its registration QR");
        let fourth_view = mine::activity(&c, &phones[3], id, now).await.unwrap();
        let reg4 = fourth_view.registration.unwrap();
        assert_eq!(reg4.status, "waiting");
        assert_eq!(reg4.waiting_position, Some(1));
        let msgs = inbox(third).await;
        assert_eq!(msgs.len(), before_third + 1);
        assert!(msgs[0].title.contains("候补成功"), "{}", msgs[0].title);
        assert!(msgs[0].body.contains("职工羽毛球友谊赛"));
        assert_eq!(inbox(fourth).await.len(), before_fourth);
        // A waiting person's cancellation promotes nobody.
        mine::cancel(&c, &phones[3], id, now).await.unwrap();
        let d = activity::detail(db, &ed.ctx(), id, None, None)
            .await
            .unwrap();
        assert_eq!((d.activity.registered, d.activity.waiting), (2, 0));
        // The cancelled may register again, at the end of the queue.
        let again = mine::register(&c, &phones[0], id, now).await.unwrap();
        assert_eq!(again.status, "waiting");
        assert_eq!(again.waiting_position, Some(1));
    }
);

on_both!(
    check_in_is_once_per_person_and_awards_the_configured_points_once,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let phones = factory_members(db, &env, &w, 1, 3).await;
        let ed = staff_with(db, "editor.tianhe", &[(Role::Editor, &w.gz.tianhe)]).await;
        let admin = staff_with(db, "admin.tianhe", &[(Role::OrgAdmin, &w.gz.tianhe)]).await;
        let now = Utc::now();
        let c = ctx(db, &env.keys);
        // Tianhe sets 15 points for a check-in; the factory below inherits it.
        zhijia_app::points::set_rule(db, &admin.ctx(), w.gz.tianhe.id.0, "check_in", 15)
            .await
            .unwrap();
        let rules = zhijia_app::points::rules_of(db, &admin.ctx(), w.factory.id.0)
            .await
            .unwrap();
        let check = rules.iter().find(|r| r.reason == "check_in").unwrap();
        assert_eq!((check.points, check.own), (15, false));
        let id = activity::create(&c, &ed.ctx(), &input(&w.gz.tianhe, 2, now), now)
            .await
            .unwrap();
        for p in &phones {
            mine::register(&c, p, id, now).await.unwrap();
        }
        let at_door = now + Duration::days(2);
        // By member card.
        let card_ctx = env.ctx(db);
        let card = zhijia_app::membership::card::card(&card_ctx, &phones[0], at_door)
            .await
            .unwrap();
        let done = activity::check_in(&c, &ed.ctx(), id, &card.token, at_door)
            .await
            .unwrap();
        assert_eq!(done.points_awarded, 15);
        assert!(done.message.contains("签到成功"), "{}", done.message);
        let second = activity::check_in(&c, &ed.ctx(), id, &card.token, at_door)
            .await
            .unwrap_err();
        assert!(matches!(second, AppError::Conflict(_)));
        assert!(second.to_string().contains("不能重复签到"), "{second}");
        // By registration QR.
        let me = mine::activity(&c, &phones[1], id, now).await.unwrap();
        let token = me.registration.unwrap().token.unwrap();
        assert!(token.starts_with("ZJA1."));
        activity::check_in(&c, &ed.ctx(), id, &token, at_door)
            .await
            .unwrap();
        let again = activity::check_in(&c, &ed.ctx(), id, &token, at_door)
            .await
            .unwrap_err();
        assert!(again.to_string().contains("不能重复签到"), "{again}");
        // The one waiting has no seat to check in to.
        let card3 = zhijia_app::membership::card::card(&card_ctx, &phones[2], at_door)
            .await
            .unwrap();
        let waiting = activity::check_in(&c, &ed.ctx(), id, &card3.token, at_door)
            .await
            .unwrap_err();
        assert!(waiting.to_string().contains("候补"), "{waiting}");
        // A forged code is refused in words.
        let forged = activity::check_in(
            &c,
            &ed.ctx(),
            id,
            "ZJA1.r1.99999999999.0123456789abcdef0123456789abcdef",
            at_door,
        )
        .await
        .unwrap_err();
        assert!(forged.to_string().contains("伪造"), "{forged}");
        // Points once each, and attendance.
        let p0 = zhijia_app::points::mine(db, &phones[0], 50, 0)
            .await
            .unwrap();
        assert_eq!(p0.balance, 15 + 50, "check-in and the first join");
        assert_eq!(
            p0.history
                .items
                .iter()
                .filter(|e| e.reason == "check_in")
                .count(),
            1
        );
        let d = activity::detail(db, &ed.ctx(), id, None, None)
            .await
            .unwrap();
        assert_eq!(d.activity.checked_in, 2);
        assert_eq!(d.attendance_per_mille, 1000);
        // Audited.
        let log = zhijia_store::audit::of_target(
            db,
            "registration",
            &done.registration_id.to_string(),
            10,
        )
        .await
        .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].action, "activity.checked_in");
    }
);

on_both!(
    a_member_outside_the_audience_cannot_register,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let now = Utc::now();
        let c = ctx(db, &env.keys);
        let ed = staff_with(db, "editor.tianhe", &[(Role::Editor, &w.gz.tianhe)]).await;
        let id = activity::create(&c, &ed.ctx(), &input(&w.gz.tianhe, 5, now), now)
            .await
            .unwrap();
        member_of(
            db,
            &env,
            (&w.shop, "越秀百货公司", &w.shop_code),
            "越秀职工",
            "13800138111",
            301,
        )
        .await;
        let e = mine::register(&c, "13800138111", id, now)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
        assert!(
            mine::available(&c, "13800138111", now, None, None)
                .await
                .unwrap()
                .items
                .is_empty()
        );
        // Someone who is not a member at all.
        let e = mine::register(&c, "13800138222", id, now)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden(_)), "{e:?}");
        // Yuexiu's editor cannot check in or read Tianhe's activity; a reviewer may read, not organise.
        let yx = staff_with(db, "editor.yuexiu", &[(Role::Editor, &w.gz.yuexiu)]).await;
        assert!(matches!(
            activity::detail(db, &yx.ctx(), id, None, None)
                .await
                .unwrap_err(),
            AppError::NotFound(_)
        ));
        let rev = staff_with(db, "reviewer.tianhe", &[(Role::Reviewer, &w.gz.tianhe)]).await;
        assert!(
            activity::detail(db, &rev.ctx(), id, None, None)
                .await
                .is_ok()
        );
        assert!(matches!(
            activity::create(&c, &rev.ctx(), &input(&w.gz.tianhe, 5, now), now)
                .await
                .unwrap_err(),
            AppError::Forbidden(_)
        ));
    }
);

on_both!(
    an_activity_for_a_region_or_for_outdoor_workers_reaches_only_them,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let now = Utc::now();
        let c = ctx(db, &env.keys);
        let ed = staff_with(db, "editor.city", &[(Role::Editor, &w.gz.city)]).await;
        let make = |title: &str, region: Option<&str>, tags: &[&str]| ActivityInput {
            title: title.into(),
            audience_region: region.map(str::to_owned),
            audience_tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            ..input(&w.gz.city, 10, now)
        };
        let outdoor = activity::create(&c, &ed.ctx(), &make("户外义诊", None, &["outdoor"]), now)
            .await
            .unwrap();
        let tianhe = activity::create(&c, &ed.ctx(), &make("天河读书会", Some("440106"), &[]), now)
            .await
            .unwrap();
        let all = activity::create(&c, &ed.ctx(), &make("全市健步走", None, &[]), now)
            .await
            .unwrap();
        let e = activity::create(&c, &ed.ctx(), &make("坏标签", None, &["vip"]), now)
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Invalid(_)), "{e}");
        // A courier (the city's courier union, region 4401) and a Tianhe factory worker.
        let courier = "13800138555";
        let sub = join::apply(
            &env.ctx(db),
            courier,
            &zhijia_app::membership::join::JoinInput {
                name: "赵强".into(),
                id_number: id_number("450102", (1998, 8, 8), 31),
                employment: "gig".into(),
                gig_occupation: "courier".into(),
                work_city: "440100".into(),
                wage_earner: true,
                accepts_constitution: true,
                consent: true,
                ..Default::default()
            },
            now,
        )
        .await
        .unwrap();
        join::decide(
            &env.ctx(db),
            &Reviewer::of(&w.couriers, Role::Reviewer).ctx(),
            sub.application_id,
            Decision::Approve,
            now,
        )
        .await
        .unwrap();
        let clerk = factory_members(db, &env, &w, 60, 1).await.remove(0);
        let ids = |p: zhijia_store::Page<zhijia_store::activity::Activity>| {
            let mut v: Vec<i64> = p.items.iter().map(|a| a.id.0).collect();
            v.sort_unstable();
            (p.total, v)
        };
        let mut want = vec![outdoor.0, all.0];
        want.sort_unstable();
        assert_eq!(
            ids(mine::available(&c, courier, now, None, None).await.unwrap()),
            (2, want)
        );
        let mut want = vec![tianhe.0, all.0];
        want.sort_unstable();
        assert_eq!(
            ids(mine::available(&c, &clerk, now, None, None).await.unwrap()),
            (2, want)
        );
        // Outside the audience, the activity does not exist for them.
        for (phone, id) in [(courier, tianhe), (clerk.as_str(), outdoor)] {
            let e = mine::register(&c, phone, id, now).await.unwrap_err();
            assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
            let e = mine::activity(&c, phone, id, now).await.unwrap_err();
            assert!(matches!(e, AppError::NotFound(_)), "{e:?}");
        }
        mine::register(&c, courier, outdoor, now).await.unwrap();
        mine::register(&c, &clerk, tianhe, now).await.unwrap();
    }
);

on_both!(
    the_demo_has_an_activity_with_a_waiting_list_and_members_with_points,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = crate::helpers::keys();
        let opts = zhijia_app::demo::DemoOptions {
            seed: 7,
            members: 1500,
            province: "44".into(),
        };
        zhijia_app::demo::generate(db, &keys, &opts, &|_| {})
            .await
            .unwrap();
        zhijia_app::demo::activity::samples(db, &keys)
            .await
            .unwrap();
        let count = |sql: &'static str| async move { db.query_one::<i64>(sql, &[]).await.unwrap() };
        assert_eq!(count("SELECT COUNT(*) FROM activity").await, 3);
        assert_eq!(
            count("SELECT COUNT(*) FROM activity WHERE audience_tags = 'outdoor'").await,
            1,
            "one for outdoor workers only"
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM registration WHERE status = 'waiting'").await,
            2
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM registration WHERE checked_in_at IS NOT NULL").await,
            2
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM points_balance WHERE balance > 0").await,
            2
        );
    }
);
