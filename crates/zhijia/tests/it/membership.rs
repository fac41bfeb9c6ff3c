//! Membership end to end through the use cases, on both backends: join, routing, review, card,
//! transfer (with its automatic release), history, roster scope.

use crate::helpers::{Guangzhou, TestDb, actor, guangzhou, keys};
use crate::on_both;
use chrono::{Duration, NaiveDate, Utc};
use zhijia_app::AppError;
use zhijia_app::caller::StaffCtx;
use zhijia_app::membership::join::{self, Decision, JoinInput};
use zhijia_app::membership::roster::{self, RosterQuery};
use zhijia_app::membership::{Ctx, Settings, card, transfer};
use zhijia_app::sms::LogSender;
use zhijia_domain::audit::{Actor, ActorKind};
use zhijia_domain::auth::{Grant, Role};
use zhijia_domain::credit_code::CreditCode;
use zhijia_domain::id_number::IdNumber;
use zhijia_domain::org::{OrgInput, OrgLevel};
use zhijia_domain::pii::PiiKeys;
use zhijia_domain::region::RegionCode;
use zhijia_store::Store;
use zhijia_store::org::Org;

pub struct World {
    pub gz: Guangzhou,
    /// A grassroots union of an employer in Tianhe, and that employer's credit code.
    pub factory: Org,
    pub factory_code: String,
    /// A second employer's union, in Yuexiu.
    pub shop: Org,
    pub shop_code: String,
    pub couriers: Org,
}

pub fn employer_code(county: &str, n: u32) -> String {
    CreditCode::with_check_char(&format!("91{county}MA{n:07}"))
        .unwrap()
        .to_string()
}

pub fn id_number(region: &str, birth: (i32, u32, u32), seq: u16) -> String {
    IdNumber::compose(
        &RegionCode::parse(region).unwrap(),
        NaiveDate::from_ymd_opt(birth.0, birth.1, birth.2).unwrap(),
        seq,
    )
    .unwrap()
    .expose()
    .to_owned()
}

async fn grassroots(db: &Store, name: &str, parent: &Org, county: &str, code: &str) -> Org {
    let input = OrgInput {
        name: name.into(),
        level: "grassroots".into(),
        parent_id: Some(parent.id.0),
        region_code: county.into(),
        employer_name: Some(name.trim_end_matches("工会委员会").into()),
        employer_credit_code: Some(code.into()),
        ..Default::default()
    };
    zhijia_app::org::create(db, &input, &actor()).await.unwrap()
}

pub async fn world(db: &Store) -> World {
    let gz = guangzhou(db).await;
    let factory_code = employer_code("440106", 1);
    let factory = grassroots(
        db,
        "广州天河电子厂工会委员会",
        &gz.town,
        "440106",
        &factory_code,
    )
    .await;
    let shop_code = employer_code("440104", 2);
    let shop = grassroots(
        db,
        "越秀百货公司工会委员会",
        &gz.yuexiu,
        "440104",
        &shop_code,
    )
    .await;
    let couriers = zhijia_app::org::create(
        db,
        &OrgInput {
            name: "广州市快递行业工会联合会".into(),
            level: "city".into(),
            kind: Some("industry".into()),
            parent_id: Some(gz.city.id.0),
            region_code: "440100".into(),
            ..Default::default()
        },
        &actor(),
    )
    .await
    .unwrap();
    let mut tx = db.change().await.unwrap();
    zhijia_store::org::set_gig_occupation(&mut tx, couriers.id, Some("courier"))
        .await
        .unwrap();
    tx.commit_unaudited(zhijia_store::Unaudited::Fixture)
        .await
        .unwrap();
    World {
        gz,
        factory,
        factory_code,
        shop,
        shop_code,
        couriers,
    }
}

pub fn employee(name: &str, id: &str, employer: &str, code: &str) -> JoinInput {
    JoinInput {
        name: name.into(),
        id_number: id.into(),
        ethnicity: "汉族".into(),
        education: "大专".into(),
        employment: "employee".into(),
        employer_name: employer.into(),
        employer_credit_code: code.into(),
        wage_earner: true,
        accepts_constitution: true,
        consent: true,
        ..Default::default()
    }
}

/// A reviewer (staff) of `org`, as a use-case caller.
pub struct Reviewer {
    pub actor: Actor,
    pub grants: Vec<Grant>,
}

impl Reviewer {
    pub fn of(org: &Org, role: Role) -> Self {
        Reviewer {
            actor: Actor {
                kind: ActorKind::Staff,
                id: None,
                name: format!("{}的{}", org.name, role.label()),
                ip: None,
            },
            grants: vec![Grant {
                role,
                org_path: org.path.clone(),
            }],
        }
    }

    pub fn ctx(&self) -> StaffCtx<'_> {
        StaffCtx {
            actor: &self.actor,
            grants: &self.grants,
        }
    }
}

pub struct Env {
    pub keys: PiiKeys,
    pub settings: Settings,
    pub sms: LogSender,
}

impl Env {
    pub fn new() -> Self {
        Env {
            keys: keys(),
            settings: Settings::default(),
            sms: LogSender,
        }
    }

    pub fn ctx<'a>(&'a self, db: &'a Store) -> Ctx<'a> {
        Ctx {
            db,
            keys: &self.keys,
            settings: &self.settings,
            sms: &self.sms,
        }
    }

    pub fn jobs<'a>(
        &'a self,
        db: &'a Store,
        cases: &'a zhijia_app::case::Settings,
    ) -> zhijia_app::job::JobCtx<'a> {
        zhijia_app::job::JobCtx { db, cases }
    }
}

on_both!(
    an_employee_is_routed_to_the_union_of_the_employer_approved_and_gets_a_card,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let now = Utc::now();
        let id = id_number("440106", (1990, 5, 17), 123);
        let sub = join::apply(
            &ctx,
            "13800138001",
            &employee("李小明", &id, "广州天河电子厂", &w.factory_code),
            now,
        )
        .await
        .unwrap();
        assert_eq!(
            sub.org_id, w.factory.id,
            "routed by the employer's credit code"
        );
        assert_eq!(sub.route, "employer");
        assert!(sub.transfer_id.is_none());
        // 15 working days: at least three weeks later.
        assert!(sub.due_on >= zhijia_app::today(now) + Duration::days(21));

        // A reviewer of the neighbouring county cannot see it; the town's reviewer can approve.
        let outsider = Reviewer::of(&w.gz.yuexiu, Role::Reviewer);
        let err = join::decide(
            &ctx,
            &outsider.ctx(),
            sub.application_id,
            Decision::Approve,
            now,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
        let reviewer = Reviewer::of(&w.gz.town, Role::Reviewer);
        let app = join::decide(
            &ctx,
            &reviewer.ctx(),
            sub.application_id,
            Decision::Approve,
            now,
        )
        .await
        .unwrap();
        assert_eq!(app.status.as_str(), "approved");
        // Deciding twice is refused.
        let again = join::decide(
            &ctx,
            &reviewer.ctx(),
            sub.application_id,
            Decision::Approve,
            now,
        )
        .await
        .unwrap_err();
        assert!(matches!(again, AppError::Conflict(_)));

        let c = card::card(&ctx, "13800138001", now).await.unwrap();
        assert_eq!(c.org_name, w.factory.name);
        assert_eq!(c.member_no.len(), 12);
        let check = card::verify(db, &env.keys, &c.token, now).await.unwrap();
        assert_eq!(check.result, "valid", "{check:?}");
        assert_eq!(check.name_masked.as_deref(), Some("李*明"));
        // Expired a few minutes later; forged when tampered with or signed by another key.
        let later = now + Duration::minutes(card::CARD_MINUTES + 1);
        let expired = card::verify(db, &env.keys, &c.token, later).await.unwrap();
        assert_eq!(expired.result, "expired");
        let someone_else = zhijia_domain::member::MemberNo::from_serial(999).unwrap();
        let forged_no = c.token.replacen(&c.member_no, someone_else.as_str(), 1);
        let forged = card::verify(db, &env.keys, &forged_no, now).await.unwrap();
        assert_eq!(forged.result, "forged");
        let other = card::verify(db, &keys(), &c.token, now).await.unwrap();
        assert_eq!(other.result, "forged");
        assert_eq!(
            card::verify(db, &env.keys, "hello", now)
                .await
                .unwrap()
                .result,
            "malformed"
        );

        // The inbox told the worker both steps.
        let worker = zhijia_store::worker::find_by_phone(db, "13800138001")
            .await
            .unwrap()
            .unwrap();
        let inbox = zhijia_store::membership::messages(db, worker.id, 20, 0)
            .await
            .unwrap();
        assert_eq!(inbox.total, 2);
        assert!(inbox.items[0].body.contains(&c.member_no));
        assert_eq!(
            zhijia_store::membership::unread(db, worker.id)
                .await
                .unwrap(),
            2
        );

        // Leaving revokes the card.
        transfer::leave(&ctx, "13800138001", "个人原因", now)
            .await
            .unwrap();
        let revoked = card::verify(db, &env.keys, &c.token, now).await.unwrap();
        assert_eq!(revoked.result, "revoked");
    }
);

on_both!(
    a_rejection_carries_its_reason_to_the_worker,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let now = Utc::now();
        let id = id_number("440104", (1985, 1, 2), 22);
        let sub = join::apply(
            &ctx,
            "13800138002",
            &employee("王芳", &id, "越秀百货公司", &w.shop_code),
            now,
        )
        .await
        .unwrap();
        let reviewer = Reviewer::of(&w.gz.city, Role::Reviewer);
        let empty = join::decide(
            &ctx,
            &reviewer.ctx(),
            sub.application_id,
            Decision::Reject { reason: " ".into() },
            now,
        )
        .await
        .unwrap_err();
        assert_eq!(empty.field(), Some("reason"));
        join::decide(
            &ctx,
            &reviewer.ctx(),
            sub.application_id,
            Decision::Reject {
                reason: "经核实您已离职".into(),
            },
            now,
        )
        .await
        .unwrap();
        let worker = zhijia_store::worker::find_by_phone(db, "13800138002")
            .await
            .unwrap()
            .unwrap();
        let apps = zhijia_store::membership::applications_of(db, worker.id)
            .await
            .unwrap();
        assert_eq!(apps[0].status.as_str(), "rejected");
        assert_eq!(apps[0].reject_reason.as_deref(), Some("经核实您已离职"));
        let inbox = zhijia_store::membership::messages(db, worker.id, 20, 0)
            .await
            .unwrap();
        assert!(inbox.items[0].body.contains("经核实您已离职"));
        // No membership, so no card.
        assert!(card::card(&ctx, "13800138002", now).await.is_err());
    }
);

on_both!(
    a_gig_worker_goes_to_the_courier_union_of_their_city,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let id = id_number("450102", (1998, 8, 8), 31);
        let input = JoinInput {
            name: "赵强".into(),
            id_number: id,
            employment: "gig".into(),
            gig_occupation: "courier".into(),
            work_city: "440100".into(),
            wage_earner: true,
            accepts_constitution: true,
            consent: true,
            ..Default::default()
        };
        let sub = join::apply(&ctx, "13800138003", &input, Utc::now())
            .await
            .unwrap();
        assert_eq!(sub.org_id, w.couriers.id);
        assert_eq!(sub.route, "industry");
        // A food-delivery rider has no industry union in this city: the city federation.
        let rider = JoinInput {
            name: "钱多".into(),
            id_number: id_number("440111", (2000, 2, 29), 45),
            gig_occupation: "food_delivery".into(),
            ..input
        };
        let sub = join::apply(&ctx, "13800138004", &rider, Utc::now())
            .await
            .unwrap();
        assert_eq!(sub.org_id, w.gz.city.id);
        assert_eq!(sub.route, "city");
    }
);

on_both!(
    an_employer_without_a_union_goes_to_the_chosen_street_or_the_county,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let code = employer_code("440106", 99);
        let mut input = employee(
            "孙丽",
            &id_number("440106", (1992, 3, 4), 8),
            "天河小店",
            &code,
        );
        let sub = join::apply(&ctx, "13800138005", &input, Utc::now())
            .await
            .unwrap();
        assert_eq!(sub.org_id, w.gz.tianhe.id, "the county of the credit code");
        assert_eq!(sub.route, "region");
        input.township_org_id = Some(w.gz.town.id.0);
        input.id_number = id_number("440106", (1993, 3, 4), 10);
        let sub = join::apply(&ctx, "13800138006", &input, Utc::now())
            .await
            .unwrap();
        assert_eq!(sub.org_id, w.gz.town.id);
        assert_eq!(sub.route, "township");
        // A street union of another county is refused.
        let yuexiu_code = employer_code("440104", 98);
        let mut elsewhere = employee(
            "孙强",
            &id_number("440106", (1994, 3, 4), 12),
            "越秀小店",
            &yuexiu_code,
        );
        elsewhere.township_org_id = Some(w.gz.town.id.0);
        let err = join::apply(&ctx, "13800138010", &elsewhere, Utc::now())
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("township_org_id"));
        assert!(matches!(w.gz.town.level, OrgLevel::Township));
    }
);

on_both!(
    bad_identity_numbers_and_missing_consent_are_refused_naming_the_field,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let good = id_number("440106", (1990, 5, 17), 123);
        let wrong_check = format!(
            "{}{}",
            &good[..17],
            if good.ends_with('1') { "2" } else { "1" }
        );
        let impossible_date = {
            let first17 = "44010619900231123";
            let c = zhijia_domain::id_number::check_char(first17.as_bytes()).unwrap();
            format!("{first17}{c}")
        };
        let unknown_region = {
            let first17 = "99010619900517123";
            let c = zhijia_domain::id_number::check_char(first17.as_bytes()).unwrap();
            format!("{first17}{c}")
        };
        for (bad, words) in [
            (wrong_check.as_str(), "校验位"),
            (impossible_date.as_str(), "出生日期"),
            (unknown_region.as_str(), "行政区划"),
        ] {
            let err = join::apply(
                &ctx,
                "13800138007",
                &employee("周杰", bad, "电子厂", &w.factory_code),
                Utc::now(),
            )
            .await
            .unwrap_err();
            assert_eq!(err.field(), Some("id_number"), "{bad}");
            assert!(err.to_string().contains("身份证号"), "{err}");
            assert!(err.to_string().contains(words), "{err}");
        }
        let mut no_consent = employee("周杰", &good, "电子厂", &w.factory_code);
        no_consent.consent = false;
        let err = join::apply(&ctx, "13800138007", &no_consent, Utc::now())
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("consent"));
        let mut bad_code = employee("周杰", &good, "电子厂", &w.factory_code);
        bad_code.employer_credit_code = "91440106MA0000001X".into();
        let err = join::apply(&ctx, "13800138007", &bad_code, Utc::now())
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("employer_credit_code"));
        // Nothing was written by the refused attempts.
        assert!(
            zhijia_store::worker::find_by_phone(db, "13800138007")
                .await
                .unwrap()
                .is_none()
        );
    }
);

on_both!(
    a_member_applying_elsewhere_gets_a_transfer_that_completes_after_the_release_timeout,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let now = Utc::now();
        let id = id_number("440106", (1988, 12, 1), 77);
        let sub = join::apply(
            &ctx,
            "13800138008",
            &employee("吴敏", &id, "广州天河电子厂", &w.factory_code),
            now,
        )
        .await
        .unwrap();
        let town = Reviewer::of(&w.gz.town, Role::Reviewer);
        join::decide(
            &ctx,
            &town.ctx(),
            sub.application_id,
            Decision::Approve,
            now,
        )
        .await
        .unwrap();
        let member_no = card::card(&ctx, "13800138008", now)
            .await
            .unwrap()
            .member_no;

        // She changes job and applies again, at the shop in Yuexiu: a transfer, not a 2nd member.
        let again = join::apply(
            &ctx,
            "13800138008",
            &employee("吴敏", &id, "越秀百货公司", &w.shop_code),
            now,
        )
        .await
        .unwrap();
        assert_eq!(again.org_id, w.shop.id);
        let transfer_id = again.transfer_id.expect("became a transfer");
        let yuexiu = Reviewer::of(&w.gz.yuexiu, Role::Reviewer);
        // The receiving union cannot accept before the release.
        let early = transfer::accept(&ctx, &yuexiu.ctx(), transfer_id, now)
            .await
            .unwrap_err();
        assert!(matches!(early, AppError::Conflict(_)), "{early:?}");
        // The releasing union does nothing; before the timeout nothing happens ...
        let day29 = now + Duration::days(29);
        assert_eq!(transfer::release_overdue(&ctx, day29).await.unwrap(), 0);
        // ... after it, the release is automatic, once.
        let day31 = now + Duration::days(31);
        assert_eq!(transfer::release_overdue(&ctx, day31).await.unwrap(), 1);
        assert_eq!(transfer::release_overdue(&ctx, day31).await.unwrap(), 0);
        let done = transfer::accept(&ctx, &yuexiu.ctx(), transfer_id, day31)
            .await
            .unwrap();
        assert_eq!(done.status.as_str(), "completed");

        let worker = zhijia_store::worker::find_by_phone(db, "13800138008")
            .await
            .unwrap()
            .unwrap();
        let history = zhijia_store::membership::history(db, worker.id)
            .await
            .unwrap();
        assert_eq!(history.len(), 2, "{history:?}");
        assert_eq!(history[0].org_id, w.factory.id);
        assert_eq!(history[0].status.as_str(), "ended");
        assert_eq!(
            history[0].end_reason.map(|r| r.as_str()),
            Some("transferred")
        );
        assert_eq!(history[1].org_id, w.shop.id);
        assert_eq!(history[1].status.as_str(), "active");
        assert_eq!(worker.org_id, Some(w.shop.id));
        // The member number is kept for life; the card now names the new union.
        let c = card::card(&ctx, "13800138008", day31).await.unwrap();
        assert_eq!(c.member_no, member_no);
        assert_eq!(c.org_name, w.shop.name);

        // The roster: Yuexiu sees her as a current member, Tianhe as a former one; the
        // member-number search finds her, and a neighbouring county's roster does not.
        let q = RosterQuery {
            q: Some(member_no.clone()),
            ..Default::default()
        };
        let (_, page) = roster::list(&ctx, &yuexiu.ctx(), &q).await.unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].status.as_str(), "active");
        assert!(page.items[0].id_number_masked.contains("****"));
        assert!(!page.items[0].id_number_masked.contains(&id[4..14]));
        let tianhe = Reviewer::of(&w.gz.tianhe, Role::Analyst);
        let (_, page) = roster::list(&ctx, &tianhe.ctx(), &q).await.unwrap();
        assert_eq!(page.total, 1);
        assert_eq!(page.items[0].status.as_str(), "ended");
        // An analyst may not see the full number; a reviewer may, and that view is audited.
        let m = page.items[0].membership_id;
        assert!(matches!(
            roster::reveal_id_number(&ctx, &tianhe.ctx(), m).await,
            Err(AppError::Forbidden(_))
        ));
        let current = history[1].id;
        let full = roster::reveal_id_number(&ctx, &yuexiu.ctx(), current)
            .await
            .unwrap();
        assert_eq!(full, id);
        let detail = roster::detail(&ctx, &yuexiu.ctx(), current).await.unwrap();
        assert_eq!(detail.memberships.len(), 2);
        assert_eq!(detail.card_status, "valid");
        assert!(detail.audit.iter().any(|e| e.action == "pii.viewed"));
        assert!(
            detail
                .audit
                .iter()
                .any(|e| e.action == "transfer.completed")
        );
        // Out of scope: the city's other county cannot open her current membership.
        assert!(matches!(
            roster::detail(&ctx, &tianhe.ctx(), current).await,
            Err(AppError::NotFound(_))
        ));
        // Searching by the identity number finds her through the blind index.
        let by_id = RosterQuery {
            q: Some(id.clone()),
            ..Default::default()
        };
        let (_, page) = roster::list(&ctx, &yuexiu.ctx(), &by_id).await.unwrap();
        assert_eq!(page.total, 1);
    }
);

on_both!(
    a_releasing_union_can_refuse_with_a_reason,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let now = Utc::now();
        let id = id_number("440106", (1979, 6, 30), 5);
        let sub = join::apply(
            &ctx,
            "13800138009",
            &employee("郑华", &id, "广州天河电子厂", &w.factory_code),
            now,
        )
        .await
        .unwrap();
        let town = Reviewer::of(&w.gz.town, Role::Reviewer);
        join::decide(
            &ctx,
            &town.ctx(),
            sub.application_id,
            Decision::Approve,
            now,
        )
        .await
        .unwrap();
        let t_id = transfer::request(
            &ctx,
            "13800138009",
            zhijia_domain::ids::OrgId(w.shop.id.0),
            "换工作",
            now,
        )
        .await
        .unwrap();
        // Only the releasing side may answer the release.
        let yuexiu = Reviewer::of(&w.gz.yuexiu, Role::Reviewer);
        assert!(matches!(
            transfer::answer_release(&ctx, &yuexiu.ctx(), t_id, None).await,
            Err(AppError::Forbidden(_))
        ));
        let t = transfer::answer_release(&ctx, &town.ctx(), t_id, Some("会费未结清"))
            .await
            .unwrap();
        assert_eq!(t.status.as_str(), "refused");
        assert_eq!(t.refuse_reason.as_deref(), Some("会费未结清"));
        // The membership is untouched, and a refused transfer is not released later.
        assert_eq!(
            transfer::release_overdue(&ctx, now + Duration::days(40))
                .await
                .unwrap(),
            0
        );
        let c = card::card(&ctx, "13800138009", now).await.unwrap();
        assert_eq!(c.org_name, w.factory.name);
    }
);

on_both!(
    moving_a_union_under_a_new_parent_keeps_its_memberships,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let now = Utc::now();
        let sub = join::apply(
            &ctx,
            "13800138011",
            &employee(
                "马六",
                &id_number("440106", (1982, 8, 9), 51),
                "电子厂",
                &w.factory_code,
            ),
            now,
        )
        .await
        .unwrap();
        let town = Reviewer::of(&w.gz.town, Role::Reviewer);
        join::decide(
            &ctx,
            &town.ctx(),
            sub.application_id,
            Decision::Approve,
            now,
        )
        .await
        .unwrap();
        let before = card::card(&ctx, "13800138011", now).await.unwrap();
        zhijia_app::org::move_subtree(db, w.factory.id, w.gz.yuexiu.id, &actor())
            .await
            .unwrap();
        // The same membership, the same card, now in Yuexiu's roster and no longer in Tianhe's.
        let after = card::card(&ctx, "13800138011", now).await.unwrap();
        assert_eq!(after.member_no, before.member_no);
        assert_eq!(after.joined_on, before.joined_on);
        let yuexiu = Reviewer::of(&w.gz.yuexiu, Role::Reviewer);
        let (_, page) = roster::list(&ctx, &yuexiu.ctx(), &RosterQuery::default())
            .await
            .unwrap();
        assert_eq!(page.total, 1);
        let tianhe = Reviewer::of(&w.gz.tianhe, Role::Reviewer);
        let (_, page) = roster::list(&ctx, &tianhe.ctx(), &RosterQuery::default())
            .await
            .unwrap();
        assert_eq!(page.total, 0);
        // Retirement keeps the membership and the card.
        let m = zhijia_store::membership::history(
            db,
            zhijia_store::worker::find_by_phone(db, "13800138011")
                .await
                .unwrap()
                .unwrap()
                .id,
        )
        .await
        .unwrap()[0]
            .id;
        transfer::set_retired(&ctx, &yuexiu.ctx(), m, true)
            .await
            .unwrap();
        let c = card::card(&ctx, "13800138011", now).await.unwrap();
        assert_eq!(c.status.as_str(), "retired");
        let check = card::verify(db, &env.keys, &c.token, now).await.unwrap();
        assert_eq!(check.result, "valid");
        assert!(check.message.contains("退休"));
    }
);

on_both!(
    an_overdue_application_shows_in_the_parent_unions_overdue_queue,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let now = Utc::now();
        // Filed a month ago (15 working days have passed) and today.
        join::apply(
            &ctx,
            "13800138012",
            &employee(
                "欧阳",
                &id_number("440106", (1989, 9, 9), 61),
                "电子厂",
                &w.factory_code,
            ),
            now - Duration::days(30),
        )
        .await
        .unwrap();
        join::apply(
            &ctx,
            "13800138013",
            &employee(
                "司马",
                &id_number("440106", (1988, 9, 9), 63),
                "电子厂",
                &w.factory_code,
            ),
            now,
        )
        .await
        .unwrap();
        let city = Reviewer::of(&w.gz.city, Role::Reviewer);
        let q = |overdue| zhijia_app::membership::QueueQuery {
            overdue,
            ..Default::default()
        };
        let (_, all) = join::queue(&ctx, &city.ctx(), &q(false), now)
            .await
            .unwrap();
        assert_eq!(all.total, 2);
        assert_eq!(all.items[0].worker_name, "欧阳", "earliest deadline first");
        let (_, overdue) = join::queue(&ctx, &city.ctx(), &q(true), now).await.unwrap();
        assert_eq!(overdue.total, 1);
        assert_eq!(overdue.items[0].worker_name, "欧阳");
        assert!(overdue.items[0].due_on < zhijia_app::today(now));
        // The neighbouring county's reviewer sees neither.
        let yuexiu = Reviewer::of(&w.gz.yuexiu, Role::Reviewer);
        let (_, none) = join::queue(&ctx, &yuexiu.ctx(), &q(false), now)
            .await
            .unwrap();
        assert_eq!(none.total, 0);
    }
);

on_both!(
    every_membership_step_leaves_exactly_one_audit_entry,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let now = Utc::now();
        let count = |action: &'static str| async move {
            zhijia_store::audit::all(db, 200, 0)
                .await
                .unwrap()
                .items
                .iter()
                .filter(|e| e.action == action)
                .count()
        };
        let town = Reviewer::of(&w.gz.town, Role::Reviewer);
        let yuexiu = Reviewer::of(&w.gz.yuexiu, Role::Reviewer);
        let a = join::apply(
            &ctx,
            "13800138020",
            &employee(
                "甲一",
                &id_number("440106", (1980, 1, 2), 71),
                "电子厂",
                &w.factory_code,
            ),
            now,
        )
        .await
        .unwrap();
        assert_eq!(count("join.applied").await, 1);
        join::decide(&ctx, &town.ctx(), a.application_id, Decision::Approve, now)
            .await
            .unwrap();
        assert_eq!(count("join.approved").await, 1);
        let b = join::apply(
            &ctx,
            "13800138021",
            &employee(
                "乙二",
                &id_number("440106", (1981, 1, 2), 73),
                "电子厂",
                &w.factory_code,
            ),
            now,
        )
        .await
        .unwrap();
        join::decide(
            &ctx,
            &town.ctx(),
            b.application_id,
            Decision::Reject {
                reason: "不是本单位职工".into(),
            },
            now,
        )
        .await
        .unwrap();
        assert_eq!(count("join.rejected").await, 1);
        let t1 = transfer::request(
            &ctx,
            "13800138020",
            zhijia_domain::ids::OrgId(w.shop.id.0),
            "",
            now,
        )
        .await
        .unwrap();
        assert_eq!(count("transfer.requested").await, 1);
        transfer::answer_release(&ctx, &town.ctx(), t1, None)
            .await
            .unwrap();
        assert_eq!(count("transfer.released").await, 1);
        transfer::accept(&ctx, &yuexiu.ctx(), t1, now)
            .await
            .unwrap();
        assert_eq!(count("transfer.completed").await, 1);
        let m = roster::list(&ctx, &yuexiu.ctx(), &RosterQuery::default())
            .await
            .unwrap()
            .1
            .items[0]
            .membership_id;
        roster::reveal_id_number(&ctx, &yuexiu.ctx(), m)
            .await
            .unwrap();
        assert_eq!(count("pii.viewed").await, 1);
        roster::export(&ctx, &yuexiu.ctx(), &RosterQuery::default(), true)
            .await
            .unwrap();
        assert_eq!(count("roster.exported").await, 1);
        transfer::set_retired(&ctx, &yuexiu.ctx(), m, true)
            .await
            .unwrap();
        assert_eq!(count("membership.retired").await, 1);
        let t2 = transfer::request(
            &ctx,
            "13800138020",
            zhijia_domain::ids::OrgId(w.factory.id.0),
            "",
            now,
        )
        .await
        .unwrap();
        transfer::answer_release(&ctx, &yuexiu.ctx(), t2, Some("尚在试用期"))
            .await
            .unwrap();
        assert_eq!(count("transfer.refused").await, 1);
        transfer::leave(&ctx, "13800138020", "个人原因", now)
            .await
            .unwrap();
        assert_eq!(count("membership.left").await, 1);
        // Reads of the masked roster and of a member's detail are not audited as views of
        // personal data: nothing unmasked was shown.
        roster::detail(&ctx, &yuexiu.ctx(), m).await.unwrap();
        assert_eq!(count("pii.viewed").await, 1);
    }
);

on_both!(
    the_job_runner_releases_overdue_transfers_once_with_several_runners,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let now = Utc::now();
        let town = Reviewer::of(&w.gz.town, Role::Reviewer);
        // Six members with a transfer each that the factory never answers.
        for k in 0..6u16 {
            let phone = format!("1380013803{k}");
            let sub = join::apply(
                &ctx,
                &phone,
                &employee(
                    "何静",
                    &id_number("440106", (1990, 1, 1 + u32::from(k)), 81 + k * 2),
                    "电子厂",
                    &w.factory_code,
                ),
                now,
            )
            .await
            .unwrap();
            join::decide(
                &ctx,
                &town.ctx(),
                sub.application_id,
                Decision::Approve,
                now,
            )
            .await
            .unwrap();
            transfer::request(
                &ctx,
                &phone,
                zhijia_domain::ids::OrgId(w.shop.id.0),
                "",
                now,
            )
            .await
            .unwrap();
        }
        // A month later, four runners (as four server processes would) schedule and run at once.
        let later = now + Duration::days(31);
        let cases = zhijia_app::case::Settings::default();
        let run = |i: usize| {
            let ctx = env.jobs(db, &cases);
            async move {
                zhijia_app::job::schedule(&ctx, later).await.unwrap();
                zhijia_app::job::run_due(&ctx, &format!("runner-{i}"), later)
                    .await
                    .unwrap()
            }
        };
        let (a, b, c, d) = tokio::join!(run(0), run(1), run(2), run(3));
        let done = a + b + c + d;
        assert_eq!(
            done,
            zhijia_app::job::ALL.len(),
            "one job of each kind for the period, each run once"
        );
        let released = zhijia_store::audit::all(db, 200, 0)
            .await
            .unwrap()
            .items
            .iter()
            .filter(|e| e.action == "transfer.released")
            .count();
        assert_eq!(released, 6, "each transfer released once");
        // Scheduling the same period again adds nothing.
        let jobs = env.jobs(db, &cases);
        zhijia_app::job::schedule(&jobs, later).await.unwrap();
        assert_eq!(
            zhijia_app::job::run_due(&jobs, "runner-9", later)
                .await
                .unwrap(),
            0
        );
    }
);

on_both!(
    a_job_whose_runner_lost_its_lease_is_run_by_another_and_the_first_cannot_finish_it,
    |t: TestDb| async move {
        let db = &t.store;
        let env = Env::new();
        let now = Utc::now();
        let cases = zhijia_app::case::Settings::default();
        let jobs = env.jobs(db, &cases);
        zhijia_app::job::schedule(&jobs, now).await.unwrap();
        // Runner A claims the jobs and stalls past their lease.
        let job = zhijia_store::job::claim(db, "A", now, now + Duration::minutes(5))
            .await
            .unwrap()
            .expect("a due job");
        for _ in 1..zhijia_app::job::ALL.len() {
            zhijia_store::job::claim(db, "A", now, now + Duration::minutes(5))
                .await
                .unwrap()
                .expect("a due job of each kind");
        }
        assert!(
            zhijia_store::job::claim(db, "B", now, now + Duration::minutes(5))
                .await
                .unwrap()
                .is_none(),
            "held by A"
        );
        // Ten minutes on, B takes it over and runs it.
        let later = now + Duration::minutes(10);
        assert_eq!(
            zhijia_app::job::run_due(&jobs, "B", later).await.unwrap(),
            zhijia_app::job::ALL.len()
        );
        // A wakes up: its finish is refused, so its work would roll back.
        let mut tx = db.change().await.unwrap();
        assert!(
            !zhijia_store::job::finish(&mut tx, job.id, "A", "done", None)
                .await
                .unwrap()
        );
        drop(tx);
        assert_eq!(
            zhijia_store::job::status(db, &job.kind, &job.key)
                .await
                .unwrap()
                .as_deref(),
            Some("done")
        );
    }
);
