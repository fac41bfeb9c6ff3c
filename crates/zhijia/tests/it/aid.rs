//! Hardship aid through the use cases, on both backends: files and the one-active-file rule, the
//! staged approval with its order and separation of duties, the public notice and objections,
//! the append-only ledger (also against raw SQL), reversals, the yearly cap under concurrency,
//! the annual review and lapse, and the files of an application.

use crate::helpers::{TestDb, actor};
use crate::membership::{Env, Reviewer, World, employee, id_number, world};
use crate::on_both;
use chrono::{DateTime, Duration, Utc};
use zhijia_app::AppError;
use zhijia_app::aid::application::{self, ApplicationInput, DecisionInput};
use zhijia_app::aid::attachment;
use zhijia_app::aid::file::{self, FileInput, MemberInput};
use zhijia_app::aid::ledger::{self, DisbursementInput, LedgerQuery};
use zhijia_app::aid::{Ctx, Settings};
use zhijia_app::attachment::Upload;
use zhijia_app::caller::StaffCtx;
use zhijia_app::membership::join::{self, Decision};
use zhijia_domain::audit::{Actor, ActorKind};
use zhijia_domain::auth::{Grant, Role, StaffId};
use zhijia_domain::ids::{AidApplicationId, AidFileId};
use zhijia_store::Store;
use zhijia_store::org::Org;

/// A staff account with roles, as a use-case caller.
#[derive(Clone)]
pub struct Officer {
    pub id: StaffId,
    pub actor: Actor,
    pub grants: Vec<Grant>,
}

impl Officer {
    pub fn ctx(&self) -> StaffCtx<'_> {
        StaffCtx {
            actor: &self.actor,
            grants: &self.grants,
        }
    }
}

/// Creates a staff account `username` (password `Tianhe2026pass!`) with `role` on each org.
pub async fn staff_with(db: &Store, username: &str, roles: &[(Role, &Org)]) -> Officer {
    let hash = zhijia_domain::auth::hash_password(PASSWORD).unwrap();
    let mut tx = db.change().await.unwrap();
    let id = zhijia_store::staff::insert(&mut tx, username, username, &hash, false)
        .await
        .unwrap();
    for (role, org) in roles {
        zhijia_store::staff::grant(&mut tx, id, org.id, *role, None)
            .await
            .unwrap();
    }
    tx.commit_unaudited(zhijia_store::Unaudited::Fixture)
        .await
        .unwrap();
    Officer {
        id,
        actor: Actor {
            kind: ActorKind::Staff,
            id: Some(id.0),
            name: username.into(),
            ip: None,
        },
        grants: zhijia_store::staff::grants(db, id).await.unwrap(),
    }
}

pub const PASSWORD: &str = "Tianhe2026pass!";

/// Staff declare their identity before deciding stages; each gets a distinct number.
pub async fn linked(db: &Store, env: &AidEnv, o: &Officer, seq: u16) {
    let id = id_number("440106", (1980, 1, 1), seq);
    zhijia_app::aid::link_identity(db, &env.env.keys, &o.ctx(), &id)
        .await
        .unwrap();
}

pub struct AidEnv {
    pub env: Env,
    pub settings: Settings,
}

impl AidEnv {
    pub fn new() -> Self {
        AidEnv {
            env: Env::new(),
            settings: Settings::default(),
        }
    }

    pub fn ctx<'a>(&'a self, db: &'a Store) -> Ctx<'a> {
        Ctx {
            db,
            keys: &self.env.keys,
            settings: &self.settings,
        }
    }
}

/// Makes `name` (identity number from `seq`) a member of the Tianhe factory; returns the number.
pub async fn member(
    db: &Store,
    env: &AidEnv,
    w: &World,
    name: &str,
    phone: &str,
    seq: u16,
) -> String {
    let ctx = env.env.ctx(db);
    let id = id_number("440106", (1985, 3, 3), seq);
    let sub = join::apply(
        &ctx,
        phone,
        &employee(name, &id, "广州天河电子厂", &w.factory_code),
        Utc::now(),
    )
    .await
    .unwrap();
    let reviewer = Reviewer::of(&w.factory, Role::Reviewer);
    join::decide(
        &ctx,
        &reviewer.ctx(),
        sub.application_id,
        Decision::Approve,
        Utc::now(),
    )
    .await
    .unwrap();
    id
}

pub fn household(head: &str, spouse: &str, child: &str) -> FileInput {
    FileInput {
        head_id_number: head.into(),
        cause: "illness".into(),
        household_size: 3,
        income_per_head_fen: 80_000,
        health: "户主患尿毒症，每周透析三次".into(),
        disability: "无".into(),
        housing: "租住城中村单间".into(),
        members: vec![
            MemberInput {
                name: "王芳".into(),
                relation: "配偶".into(),
                id_number: spouse.into(),
            },
            MemberInput {
                name: "李小宝".into(),
                relation: "子女".into(),
                id_number: child.into(),
            },
        ],
    }
}

/// The aid officers of a Tianhe factory file's chain: the factory (grassroots), Tianhe (county)
/// and the city, each with a declared identity.
pub struct Chain {
    pub grassroots: Officer,
    pub county: Officer,
    pub city: Officer,
}

pub async fn chain(db: &Store, env: &AidEnv, w: &World) -> Chain {
    let c = Chain {
        grassroots: staff_with(db, "aid.factory", &[(Role::AidOfficer, &w.factory)]).await,
        county: staff_with(db, "aid.tianhe", &[(Role::AidOfficer, &w.gz.tianhe)]).await,
        city: staff_with(db, "aid.city", &[(Role::AidOfficer, &w.gz.city)]).await,
    };
    linked(db, env, &c.grassroots, 901).await;
    linked(db, env, &c.county, 902).await;
    linked(db, env, &c.city, 903).await;
    c
}

/// A file for 李大强's household, opened by the Tianhe county officer. Returns (file, head id,
/// spouse id).
pub async fn opened(db: &Store, env: &AidEnv, w: &World, c: &Chain) -> (AidFileId, String, String) {
    let head = member(db, env, w, "李大强", "13700137001", 11).await;
    let spouse = id_number("440106", (1987, 6, 6), 12);
    let child = id_number("440106", (2010, 9, 1), 13);
    let id = file::open(
        &env.ctx(db),
        &c.county.ctx(),
        &household(&head, &spouse, &child),
        Utc::now(),
    )
    .await
    .unwrap();
    (id, head, spouse)
}

pub fn daily(file: AidFileId, fen: i64) -> ApplicationInput {
    ApplicationInput {
        file_id: file,
        kind: "daily_living".into(),
        amount_fen: fen,
        reason: "透析费用负担重，生活困难".into(),
        student_id: None,
        school: None,
        admission_proof: None,
    }
}

pub fn decision(stage: i64) -> DecisionInput {
    DecisionInput {
        stage,
        approve: true,
        reason: "情况属实，同意".into(),
    }
}

/// Approves an application through every stage of its chain.
pub async fn approve_all(
    db: &Store,
    env: &AidEnv,
    c: &Chain,
    id: AidApplicationId,
    now: DateTime<Utc>,
) {
    let ctx = env.ctx(db);
    let a = application::detail(&ctx, &c.county.ctx(), id)
        .await
        .unwrap();
    for (i, level) in a.application.chain.iter().enumerate() {
        let who = match *level {
            "grassroots" => &c.grassroots,
            "county" => &c.county,
            _ => &c.city,
        };
        application::decide(&ctx, &who.ctx(), id, &decision(i as i64), now)
            .await
            .unwrap();
    }
}

fn is_conflict(e: &AppError) -> bool {
    matches!(e, AppError::Conflict(_))
}

fn is_forbidden(e: &AppError) -> bool {
    matches!(e, AppError::Forbidden(_))
}

on_both!(
    one_person_is_in_at_most_one_active_file_and_other_roles_never_see_health_or_income,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (id, head, spouse) = opened(db, &env, &w, &c).await;
        let ctx = env.ctx(db);
        // The spouse heading a second household, or listed in one, is refused by blind index.
        let other = member(db, &env, &w, "赵六", "13700137002", 21).await;
        let mut second = household(&other, &spouse, &id_number("440106", (2012, 1, 1), 22));
        second.members.truncate(1);
        second.household_size = 2;
        let err = file::open(&ctx, &c.county.ctx(), &second, Utc::now())
            .await
            .unwrap_err();
        assert!(is_conflict(&err), "{err}");
        assert!(err.to_string().contains("王芳"), "{err}");
        let again = household(
            &head,
            &id_number("440106", (1990, 2, 2), 23),
            &id_number("440106", (2015, 2, 2), 24),
        );
        assert!(is_conflict(
            &file::open(&ctx, &c.county.ctx(), &again, Utc::now())
                .await
                .unwrap_err()
        ));
        // Income far above the line without a sudden cause: no file.
        let mut rich = household(
            &other,
            &id_number("440106", (1990, 3, 3), 25),
            &id_number("440106", (2016, 3, 3), 26),
        );
        rich.income_per_head_fen = 900_000;
        rich.cause = "unemployment".into();
        let err = file::open(&ctx, &c.county.ctx(), &rich, Utc::now())
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("income_per_head_fen"));

        // The aid officer sees health and income, and the view is audited.
        let d = file::detail(&ctx, &c.county.ctx(), id).await.unwrap();
        assert_eq!(d.file.income_per_head_fen, Some(80_000));
        assert!(d.file.health.as_deref().unwrap().contains("透析"));
        assert_eq!(d.file.tier.as_str(), "deep");
        assert_eq!(d.members.len(), 3);
        assert!(
            d.members
                .iter()
                .all(|m| m.id_number_masked.contains("**********"))
        );
        let viewed = zhijia_store::audit::of_target(db, "hardship_file", &id.to_string(), 10)
            .await
            .unwrap();
        assert!(viewed.iter().any(|e| e.action == "aid.file_viewed"));
        // An administrator of the county (not an aid officer) sees the file without them.
        let admin = staff_with(db, "admin.tianhe", &[(Role::OrgAdmin, &w.gz.tianhe)]).await;
        let d = file::detail(&ctx, &admin.ctx(), id).await.unwrap();
        assert!(!d.may_manage);
        let json = serde_json::to_value(zhijia_web::FileDetailView::from(&d)).unwrap();
        for key in ["income_per_head_fen", "health", "disability", "minimum_fen"] {
            assert!(json["file"].get(key).is_none(), "{key} absent: {json}");
        }
        assert!(!json.to_string().contains("透析"));
        // Outside the branch: not found.
        let yuexiu = staff_with(db, "aid.yuexiu", &[(Role::AidOfficer, &w.gz.yuexiu)]).await;
        assert!(matches!(
            file::detail(&ctx, &yuexiu.ctx(), id).await.unwrap_err(),
            AppError::NotFound(_)
        ));
    }
);

on_both!(
    stages_are_decided_in_order_and_skipping_one_is_refused,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (file_id, _, _) = opened(db, &env, &w, &c).await;
        let ctx = env.ctx(db);
        let now = Utc::now();
        // 8,000 yuan: grassroots recommends → county reviews → city approves.
        let id = application::apply(&ctx, &c.grassroots.ctx(), &daily(file_id, 800_000), now)
            .await
            .unwrap();
        let d = application::detail(&ctx, &c.city.ctx(), id).await.unwrap();
        assert_eq!(d.application.chain, vec!["grassroots", "county", "city"]);
        // The city approves before anyone recommended: refused.
        let err = application::decide(&ctx, &c.city.ctx(), id, &decision(2), now)
            .await
            .unwrap_err();
        assert!(is_conflict(&err), "{err}");
        assert!(err.to_string().contains("不能跳过"));
        // The county reviews before the grassroots recommended: refused.
        assert!(is_conflict(
            &application::decide(&ctx, &c.county.ctx(), id, &decision(1), now)
                .await
                .unwrap_err()
        ));
        // A stage belongs to its union's officers, not to those above.
        assert!(is_forbidden(
            &application::decide(&ctx, &c.city.ctx(), id, &decision(0), now)
                .await
                .unwrap_err()
        ));
        // In order, each records who, when, the decision and the reason.
        approve_all(db, &env, &c, id, now).await;
        let d = application::detail(&ctx, &c.city.ctx(), id).await.unwrap();
        assert_eq!(d.application.status.as_str(), "approved");
        let who: Vec<i64> = d
            .stages
            .iter()
            .map(|s| s.decision.as_ref().unwrap().staff_id.0)
            .collect();
        assert_eq!(who, vec![c.grassroots.id.0, c.county.id.0, c.city.id.0]);
        assert!(d.stages.iter().all(|s| {
            let dec = s.decision.as_ref().unwrap();
            dec.approve && dec.reason == "情况属实，同意"
        }));
        // A closed application takes no more decisions.
        assert!(is_conflict(
            &application::decide(&ctx, &c.city.ctx(), id, &decision(2), now)
                .await
                .unwrap_err()
        ));
        // A rejection at a stage ends the chain.
        let id2 = application::apply(&ctx, &c.grassroots.ctx(), &daily(file_id, 100_000), now)
            .await
            .unwrap();
        let no = DecisionInput {
            stage: 0,
            approve: false,
            reason: "收入已有改善".into(),
        };
        let a = application::decide(&ctx, &c.grassroots.ctx(), id2, &no, now)
            .await
            .unwrap();
        assert_eq!(a.status.as_str(), "rejected");
    }
);

on_both!(
    the_same_person_cannot_decide_two_stages_of_one_application,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (file_id, _, _) = opened(db, &env, &w, &c).await;
        let ctx = env.ctx(db);
        let now = Utc::now();
        // One person holding the aid role at both the factory and the county.
        let both = staff_with(
            db,
            "aid.both",
            &[
                (Role::AidOfficer, &w.factory),
                (Role::AidOfficer, &w.gz.tianhe),
            ],
        )
        .await;
        linked(db, &env, &both, 904).await;
        let id = application::apply(&ctx, &both.ctx(), &daily(file_id, 300_000), now)
            .await
            .unwrap();
        application::decide(&ctx, &both.ctx(), id, &decision(0), now)
            .await
            .unwrap();
        let err = application::decide(&ctx, &both.ctx(), id, &decision(1), now)
            .await
            .unwrap_err();
        assert!(is_forbidden(&err), "{err}");
        assert!(err.to_string().contains("同一人"));
        // Another county officer may.
        application::decide(&ctx, &c.county.ctx(), id, &decision(1), now)
            .await
            .unwrap();
        // Without a declared identity nobody decides (the household check needs it).
        let anonymous = staff_with(db, "aid.anon", &[(Role::AidOfficer, &w.factory)]).await;
        let id2 = application::apply(&ctx, &c.county.ctx(), &daily(file_id, 1_000), now)
            .await
            .unwrap();
        assert!(is_forbidden(
            &application::decide(&ctx, &anonymous.ctx(), id2, &decision(0), now)
                .await
                .unwrap_err()
        ));
    }
);

on_both!(
    nobody_approves_an_application_for_their_own_household,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (file_id, head, spouse) = opened(db, &env, &w, &c).await;
        let ctx = env.ctx(db);
        let now = Utc::now();
        // A county aid officer who is the head's spouse, another who is the head.
        let wife = staff_with(db, "aid.wife", &[(Role::AidOfficer, &w.gz.tianhe)]).await;
        zhijia_app::aid::link_identity(db, &env.env.keys, &wife.ctx(), &spouse)
            .await
            .unwrap();
        let himself = staff_with(db, "aid.head", &[(Role::AidOfficer, &w.factory)]).await;
        zhijia_app::aid::link_identity(db, &env.env.keys, &himself.ctx(), &head)
            .await
            .unwrap();
        // The identity, once declared, cannot be swapped.
        assert!(is_conflict(
            &zhijia_app::aid::link_identity(
                db,
                &env.env.keys,
                &wife.ctx(),
                &id_number("440106", (1970, 1, 1), 99)
            )
            .await
            .unwrap_err()
        ));
        let id = application::apply(&ctx, &c.grassroots.ctx(), &daily(file_id, 300_000), now)
            .await
            .unwrap();
        let err = application::decide(&ctx, &himself.ctx(), id, &decision(0), now)
            .await
            .unwrap_err();
        assert!(is_forbidden(&err), "{err}");
        assert!(err.to_string().contains("本人家庭"));
        application::decide(&ctx, &c.grassroots.ctx(), id, &decision(0), now)
            .await
            .unwrap();
        let err = application::decide(&ctx, &wife.ctx(), id, &decision(1), now)
            .await
            .unwrap_err();
        assert!(is_forbidden(&err), "{err}");
        // Refusals leave the stage open for an officer outside the household.
        let a = application::decide(&ctx, &c.county.ctx(), id, &decision(1), now)
            .await
            .unwrap();
        assert_eq!(a.status.as_str(), "approved");
    }
);

/// A file with one application approved and on notice for 0 days (payable at once).
pub async fn payable(
    db: &Store,
    env: &AidEnv,
    w: &World,
    c: &Chain,
    fen: i64,
) -> (AidFileId, AidApplicationId) {
    let (file_id, _, _) = opened(db, env, w, c).await;
    let id = application::apply(
        &env.ctx(db),
        &c.county.ctx(),
        &daily(file_id, fen),
        Utc::now(),
    )
    .await
    .unwrap();
    approve_all(db, env, c, id, Utc::now()).await;
    (file_id, id)
}

fn pay(application_id: AidApplicationId, fen: i64) -> DisbursementInput {
    DisbursementInput {
        application_id,
        amount_fen: fen,
        fund_source: "工会帮扶专项资金".into(),
        method: "bank_transfer".into(),
        paid_on: None,
        // A new payment each call, as the console's form sends a new key per page view.
        idempotency_key: Some(zhijia_domain::auth::random_token()),
    }
}

on_both!(
    the_ledger_refuses_update_and_delete_even_from_raw_sql_and_a_reversal_restores_the_total,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let mut env = AidEnv::new();
        env.settings.notice_days = 0;
        let c = chain(db, &env, &w).await;
        let (file_id, app_id) = payable(db, &env, &w, &c, 300_000).await;
        let ctx = env.ctx(db);
        let now = Utc::now();
        let entry = ledger::disburse(&ctx, &c.county.ctx(), &pay(app_id, 200_000), now)
            .await
            .unwrap();
        // Raw SQL, as someone with database access would try.
        let update = "UPDATE disbursement SET amount_fen = 1";
        let delete = "DELETE FROM disbursement";
        match t.url() {
            None => {
                let path = t.dir.path().join("zhijia.db");
                let raw = rusqlite::Connection::open(&path).unwrap();
                raw.busy_timeout(std::time::Duration::from_secs(5)).unwrap();
                for sql in [update, delete] {
                    let err = raw.execute(sql, []).unwrap_err();
                    assert!(err.to_string().contains("append-only"), "{sql}: {err}");
                }
                // The connection itself can write: the refusal is the ledger's.
                raw.execute("UPDATE org SET chair = '张主席' WHERE id = 1", [])
                    .unwrap();
            }
            Some(url) => {
                let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                let task = tokio::spawn(conn);
                for sql in [update, delete, "TRUNCATE disbursement CASCADE"] {
                    let err = client.batch_execute(sql).await.unwrap_err();
                    let text = err
                        .as_db_error()
                        .map(|d| d.message().to_owned())
                        .unwrap_or_default();
                    assert!(text.contains("append-only"), "{sql}: {err}");
                }
                client
                    .batch_execute("UPDATE org SET chair = '张主席' WHERE id = 1")
                    .await
                    .unwrap();
                drop(client);
                let _ = task.await;
            }
        }
        let totals = |year: i64| {
            let ctx = env.ctx(db);
            let q = LedgerQuery {
                file: Some(file_id),
                year: Some(year),
                ..Default::default()
            };
            let staff = &c.county;
            async move { ledger::list(&ctx, &staff.ctx(), &q).await.unwrap().1 }
        };
        let year = zhijia_domain::aid::ledger_year(zhijia_app::today(now));
        assert_eq!(totals(year).await.totals.fen, 200_000);
        // A mistake is corrected by a reversing entry pointing to the original.
        let rev = ledger::reverse(&ctx, &c.county.ctx(), entry, "金额录入错误", now)
            .await
            .unwrap();
        let l = totals(year).await;
        assert_eq!(l.totals.fen, 0, "the reversal restores the total");
        assert_eq!(l.totals.by_year[0].fen, 0);
        let original = l.page.items.iter().find(|e| e.entry.id == entry).unwrap();
        assert_eq!(
            original.entry.amount_fen, 200_000,
            "the original is untouched"
        );
        assert_eq!(original.entry.reversed_by, Some(rev));
        let reversal = l.page.items.iter().find(|e| e.entry.id == rev).unwrap();
        assert_eq!(reversal.entry.reverses_id, Some(entry));
        assert_eq!(reversal.entry.amount_fen, -200_000);
        // Once only, and a reversal is not reversed.
        assert!(is_conflict(
            &ledger::reverse(&ctx, &c.county.ctx(), entry, "再次", now)
                .await
                .unwrap_err()
        ));
        assert!(is_conflict(
            &ledger::reverse(&ctx, &c.county.ctx(), rev, "再次", now)
                .await
                .unwrap_err()
        ));
        // The approved amount can be paid again in full, not beyond.
        ledger::disburse(&ctx, &c.county.ctx(), &pay(app_id, 300_000), now)
            .await
            .unwrap();
        assert!(is_conflict(
            &ledger::disburse(&ctx, &c.county.ctx(), &pay(app_id, 1), now)
                .await
                .unwrap_err()
        ));
        let a = application::detail(&ctx, &c.county.ctx(), app_id)
            .await
            .unwrap();
        assert_eq!(a.application.status.as_str(), "disbursed");
        // Other roles of the branch read the ledger but cannot pay.
        let admin = staff_with(db, "admin.tianhe", &[(Role::OrgAdmin, &w.gz.tianhe)]).await;
        assert!(is_forbidden(
            &ledger::disburse(&ctx, &admin.ctx(), &pay(app_id, 1), now)
                .await
                .unwrap_err()
        ));
    }
);

on_both!(
    the_yearly_cap_holds_under_twenty_concurrent_disbursements,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let mut env = AidEnv::new();
        env.settings.notice_days = 0;
        env.settings.yearly_cap_fen = 1_000_000; // 10,000 yuan a year
        let c = chain(db, &env, &w).await;
        let (file_id, first) = payable(db, &env, &w, &c, 1_000_000).await;
        let ctx = env.ctx(db);
        let second = application::apply(
            &ctx,
            &c.county.ctx(),
            &daily(file_id, 1_000_000),
            Utc::now(),
        )
        .await
        .unwrap();
        approve_all(db, &env, &c, second, Utc::now()).await;
        // Twenty payments of 700 yuan at once, alternating between the two applications:
        // 14,000 yuan asked, 10,000 allowed, so exactly 14 fit.
        let env = std::sync::Arc::new(env);
        let officer = std::sync::Arc::new(c.county);
        let mut tasks = Vec::new();
        for i in 0..20 {
            let (db, env, officer) = (db.clone(), env.clone(), officer.clone());
            let app = if i % 2 == 0 { first } else { second };
            tasks.push(tokio::spawn(async move {
                let ctx = env.ctx(&db);
                ledger::disburse(&ctx, &officer.ctx(), &pay(app, 70_000), Utc::now()).await
            }));
        }
        let mut ok = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => assert!(is_conflict(&e), "only the cap refuses: {e}"),
            }
        }
        assert_eq!(ok, 14);
        let q = LedgerQuery {
            file: Some(file_id),
            ..Default::default()
        };
        let (_, l) = ledger::list(&env.ctx(db), &officer.ctx(), &q)
            .await
            .unwrap();
        assert_eq!(l.totals.fen, 980_000);
        assert_eq!(l.page.total, 14);
    }
);

fn keyed(application_id: AidApplicationId, fen: i64, key: &str) -> DisbursementInput {
    DisbursementInput {
        idempotency_key: Some(key.into()),
        ..pay(application_id, fen)
    }
}

on_both!(
    a_payment_retried_with_its_key_is_recorded_once_and_a_new_key_pays_again,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let mut env = AidEnv::new();
        env.settings.notice_days = 0;
        let c = chain(db, &env, &w).await;
        let (file_id, app_id) = payable(db, &env, &w, &c, 300_000).await;
        let ctx = env.ctx(db);
        let officer = c.county.ctx();
        let entries = |q: LedgerQuery| {
            let (ctx, officer) = (env.ctx(db), c.county.ctx());
            async move { ledger::list(&ctx, &officer, &q).await.unwrap().1 }
        };
        let of_file = || LedgerQuery {
            file: Some(file_id),
            ..Default::default()
        };
        // The officer's connection drops after the payment was recorded; the retry with the
        // same key answers with the same entry and pays nothing more.
        let first = ledger::disburse(&ctx, &officer, &keyed(app_id, 100_000, "pay-1"), Utc::now())
            .await
            .unwrap();
        let again = ledger::disburse(
            &ctx,
            &officer,
            &keyed(app_id, 100_000, " pay-1 "),
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(again, first);
        let l = entries(of_file()).await;
        assert_eq!((l.page.total, l.totals.fen), (1, 100_000));
        // The key used for another amount is refused, in words, with nothing written.
        let err = ledger::disburse(&ctx, &officer, &keyed(app_id, 90_000, "pay-1"), Utc::now())
            .await
            .unwrap_err();
        assert!(
            is_conflict(&err) && err.to_string().contains("幂等键已用于另一笔发放"),
            "{err}"
        );
        // No key at all is refused before anything is written.
        let err = ledger::disburse(
            &ctx,
            &officer,
            &DisbursementInput {
                idempotency_key: None,
                ..pay(app_id, 1)
            },
            Utc::now(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, AppError::Invalid(_)), "{err:?}");
        // A new key is a new payment; the last instalment's retry still finds its entry after
        // the application is fully paid.
        let second = ledger::disburse(&ctx, &officer, &keyed(app_id, 200_000, "pay-2"), Utc::now())
            .await
            .unwrap();
        assert_ne!(second, first);
        let retried =
            ledger::disburse(&ctx, &officer, &keyed(app_id, 200_000, "pay-2"), Utc::now())
                .await
                .unwrap();
        assert_eq!(retried, second);
        let l = entries(of_file()).await;
        assert_eq!((l.page.total, l.totals.fen), (2, 300_000));
        let d = application::detail(&ctx, &officer, app_id).await.unwrap();
        assert_eq!(d.application.status.as_str(), "disbursed");
        // A key belongs to one staff account: a colleague's "pay-1" is their own payment (here
        // refused only because the application is fully paid, not answered with the entry).
        let colleague = staff_with(db, "aid.tianhe.2", &[(Role::AidOfficer, &w.gz.tianhe)]).await;
        let err = ledger::disburse(
            &ctx,
            &colleague.ctx(),
            &keyed(app_id, 100_000, "pay-1"),
            Utc::now(),
        )
        .await
        .unwrap_err();
        assert!(err.to_string().contains("已足额发放"), "{err}");
    }
);

on_both!(
    forty_concurrent_payments_under_one_key_record_one_entry,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let mut env = AidEnv::new();
        env.settings.notice_days = 0;
        let c = chain(db, &env, &w).await;
        let (file_id, app_id) = payable(db, &env, &w, &c, 1_000_000).await;
        let env = std::sync::Arc::new(env);
        let officer = std::sync::Arc::new(c.county);
        let mut tasks = Vec::new();
        for _ in 0..40 {
            let (db, env, officer) = (db.clone(), env.clone(), officer.clone());
            tasks.push(tokio::spawn(async move {
                let ctx = env.ctx(&db);
                ledger::disburse(
                    &ctx,
                    &officer.ctx(),
                    &keyed(app_id, 70_000, "once"),
                    Utc::now(),
                )
                .await
            }));
        }
        let mut ids = std::collections::BTreeSet::new();
        for task in tasks {
            ids.insert(task.await.unwrap().unwrap());
        }
        assert_eq!(ids.len(), 1, "every retry answers the one entry: {ids:?}");
        let q = LedgerQuery {
            file: Some(file_id),
            ..Default::default()
        };
        let (_, l) = ledger::list(&env.ctx(db), &officer.ctx(), &q)
            .await
            .unwrap();
        assert_eq!((l.page.total, l.totals.fen), (1, 70_000));
    }
);

on_both!(
    an_objection_to_the_public_notice_pauses_payment_until_resolved,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new(); // seven days of notice
        let c = chain(db, &env, &w).await;
        let now = Utc::now();
        let (_, app_id) = payable(db, &env, &w, &c, 200_000).await;
        let ctx = env.ctx(db);
        // On notice: the name masked, no identity number.
        let notice = application::notice(db, None, None, None, now)
            .await
            .unwrap();
        assert_eq!(notice.total, 1);
        let item = &notice.items[0];
        assert_eq!(item.name_masked, "李*强");
        assert_eq!(item.amount_yuan, "2000.00");
        let json = serde_json::to_string(&notice.items).unwrap();
        assert!(!json.contains("李大强") && !json.contains("440106"));
        // Not payable during the notice.
        let err = ledger::disburse(&ctx, &c.county.ctx(), &pay(app_id, 200_000), now)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("公示期未满"), "{err}");
        // A worker objects on day two; after the notice, payment is still paused.
        let worker = zhijia_app::caller::worker_actor("13911112222");
        let oid = application::object(
            &ctx,
            &worker,
            None,
            app_id,
            "其家属名下有商铺出租",
            now + Duration::days(1),
        )
        .await
        .unwrap();
        let later = now + Duration::days(8);
        let err = ledger::disburse(&ctx, &c.county.ctx(), &pay(app_id, 200_000), later)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("异议"), "{err}");
        // After the notice a worker can no longer object.
        assert!(is_conflict(
            &application::object(&ctx, &worker, None, app_id, "再提", later)
                .await
                .unwrap_err()
        ));
        // Dismissed after a check: payment resumes.
        application::resolve(&ctx, &c.county.ctx(), oid, false, "经核实商铺已于去年出售")
            .await
            .unwrap();
        ledger::disburse(&ctx, &c.county.ctx(), &pay(app_id, 200_000), later)
            .await
            .unwrap();
        let d = application::detail(&ctx, &c.county.ctx(), app_id)
            .await
            .unwrap();
        assert_eq!(d.objections[0].status.as_str(), "dismissed");
        assert_eq!(d.application.status.as_str(), "disbursed");
    }
);

on_both!(
    files_not_reviewed_in_time_lapse_and_leaving_hardship_is_recorded,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (id, head, spouse) = opened(db, &env, &w, &c).await;
        let ctx = env.ctx(db);
        let now = Utc::now();
        // Due for review within the window a year on, not before.
        let due = |at: DateTime<Utc>| {
            let ctx = env.ctx(db);
            let staff = &c.county;
            async move {
                let q = file::FileQuery {
                    due: true,
                    ..Default::default()
                };
                file::list(&ctx, &staff.ctx(), &q, at)
                    .await
                    .unwrap()
                    .1
                    .total
            }
        };
        assert_eq!(due(now).await, 0);
        assert_eq!(due(now + Duration::days(350)).await, 1);
        // Reviewed: the next review is a year on.
        let review = file::ReviewInput {
            cause: "illness".into(),
            household_size: 3,
            income_per_head_fen: 120_000,
            health: "透析，病情稳定".into(),
            disability: "无".into(),
            housing: "租住".into(),
        };
        let at = now + Duration::days(360);
        file::review(&ctx, &c.county.ctx(), id, &review, at)
            .await
            .unwrap();
        let d = file::detail(&ctx, &c.county.ctx(), id).await.unwrap();
        assert_eq!(d.file.tier.as_str(), "relative");
        assert_eq!(d.file.last_reviewed_on, zhijia_app::today(at));
        // Not reviewed again: it lapses after the review date and the grace period, once.
        assert_eq!(
            file::lapse_overdue(db, at + Duration::days(390))
                .await
                .unwrap(),
            0
        );
        assert_eq!(
            file::lapse_overdue(db, at + Duration::days(400))
                .await
                .unwrap(),
            1
        );
        assert_eq!(
            file::lapse_overdue(db, at + Duration::days(401))
                .await
                .unwrap(),
            0
        );
        let d = file::detail(&ctx, &c.county.ctx(), id).await.unwrap();
        assert_eq!(d.file.status.as_str(), "lapsed");
        // A lapsed file takes no application; its people may be in a new file.
        assert!(is_conflict(
            &application::apply(&ctx, &c.county.ctx(), &daily(id, 1_000), now)
                .await
                .unwrap_err()
        ));
        let again = file::open(
            &ctx,
            &c.county.ctx(),
            &household(&head, &spouse, &id_number("440106", (2010, 9, 1), 13)),
            now,
        )
        .await
        .unwrap();
        // Leaving hardship is recorded with its reason.
        file::exit(
            &ctx,
            &c.county.ctx(),
            again,
            "户主康复后重新就业，收入稳定",
            now,
        )
        .await
        .unwrap();
        let d = file::detail(&ctx, &c.county.ctx(), again).await.unwrap();
        assert_eq!(d.file.status.as_str(), "exited");
        assert_eq!(
            d.file.close_reason.as_deref(),
            Some("户主康复后重新就业，收入稳定")
        );
        let log = zhijia_store::audit::of_target(db, "hardship_file", &again.to_string(), 20)
            .await
            .unwrap();
        assert!(log.iter().any(|e| e.action == "aid.file_exited"));
        let _ = actor();
    }
);

on_both!(
    an_education_grant_names_a_student_of_the_household_the_school_and_the_proof,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (file_id, _, _) = opened(db, &env, &w, &c).await;
        let ctx = env.ctx(db);
        let mut input = ApplicationInput {
            file_id,
            kind: "education_grant".into(),
            amount_fen: 500_000,
            reason: "子女考入大学，学费无力承担".into(),
            student_id: None,
            school: None,
            admission_proof: None,
        };
        let err = application::apply(&ctx, &c.county.ctx(), &input, Utc::now())
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("student_id"));
        let d = file::detail(&ctx, &c.county.ctx(), file_id).await.unwrap();
        input.student_id = Some(d.members.iter().find(|m| m.relation == "子女").unwrap().id);
        input.school = Some("华南理工大学".into());
        let err = application::apply(&ctx, &c.county.ctx(), &input, Utc::now())
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("admission_proof"));
        input.admission_proof = Some("录取通知书编号 2026104561".into());
        let id = application::apply(&ctx, &c.county.ctx(), &input, Utc::now())
            .await
            .unwrap();
        let a = application::detail(&ctx, &c.county.ctx(), id)
            .await
            .unwrap();
        assert_eq!(a.application.student_name.as_deref(), Some("李小宝"));
        assert_eq!(a.application.chain, vec!["grassroots", "county"]);
    }
);

/// A small PDF, as a scanner would send an admission letter.
pub const PDF: &[u8] = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";

pub fn upload(name: &str, bytes: &[u8]) -> Upload {
    Upload {
        name: name.into(),
        bytes: bytes.to_vec(),
    }
}

/// An education grant for 李小宝 with the school, without the admission proof's text.
pub async fn grant_for_child(
    db: &Store,
    env: &AidEnv,
    c: &Chain,
    file_id: AidFileId,
) -> ApplicationInput {
    let d = file::detail(&env.ctx(db), &c.county.ctx(), file_id)
        .await
        .unwrap();
    ApplicationInput {
        file_id,
        kind: "education_grant".into(),
        amount_fen: 500_000,
        reason: "子女考入大学，学费无力承担".into(),
        student_id: Some(d.members.iter().find(|m| m.relation == "子女").unwrap().id),
        school: Some("华南理工大学".into()),
        admission_proof: None,
    }
}

on_both!(
    an_education_grant_takes_its_admission_letter_as_a_file_checked_by_content_and_kept_in_its_limit,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (file_id, _, _) = opened(db, &env, &w, &c).await;
        let ctx = env.ctx(db);
        let input = grant_for_child(db, &env, &c, file_id).await;
        let count = |sql: &'static str| async move { db.query_one::<i64>(sql, &[]).await.unwrap() };
        // Neither the text nor a file: refused, naming the proof.
        let err = application::apply_with_files(&ctx, &c.county.ctx(), &input, &[], Utc::now())
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some("admission_proof"));
        assert!(err.to_string().contains("上传录取通知书"), "{err}");
        // A text file named .pdf is refused by its content, and nothing is stored: neither the
        // file nor the application it came with.
        let err = application::apply_with_files(
            &ctx,
            &c.county.ctx(),
            &input,
            &[upload("录取通知书.pdf", b"admission letter, honestly")],
            Utc::now(),
        )
        .await
        .unwrap_err();
        assert!(matches!(err, AppError::Invalid(_)), "{err:?}");
        assert_eq!(err.field(), Some("attachment"));
        assert!(err.to_string().contains("录取通知书.pdf"), "{err}");
        assert_eq!(count("SELECT COUNT(*) FROM aid_application").await, 0);
        assert_eq!(count("SELECT COUNT(*) FROM aid_attachment").await, 0);

        // The PDF letter stands for the proof: listed, and read back byte for byte.
        let id = application::apply_with_files(
            &ctx,
            &c.county.ctx(),
            &input,
            &[upload("C:\\扫描\\录取通知书.pdf", PDF)],
            Utc::now(),
        )
        .await
        .unwrap();
        let d = application::detail(&ctx, &c.county.ctx(), id)
            .await
            .unwrap();
        assert_eq!(d.application.admission_proof, None);
        assert_eq!(d.attachments.len(), 1);
        let a = &d.attachments[0];
        assert_eq!(a.file_name, "录取通知书.pdf", "the path is dropped");
        assert_eq!(a.content_type, "application/pdf");
        assert_eq!(a.size_bytes, PDF.len() as i64);
        assert_eq!(a.uploaded_by, "aid.tianhe");
        let f = attachment::staff_file(&ctx, &c.county.ctx(), id, a.id)
            .await
            .unwrap();
        assert_eq!(f.data, PDF);
        let log = zhijia_store::audit::of_target(db, "aid_application", &id.to_string(), 20)
            .await
            .unwrap();
        let added: Vec<_> = log
            .iter()
            .filter(|e| e.action == "aid.attachment_added")
            .collect();
        assert_eq!(added.len(), 1);
        assert!(added[0].detail.as_deref().unwrap_or("").contains("录取通知书.pdf"));

        // The factory's aid officer adds bills up to ten files; the eleventh is refused.
        let bills: Vec<Upload> = (1..=9)
            .map(|i| upload(&format!("票据{i}.png"), crate::case::PNG))
            .collect();
        assert_eq!(
            attachment::attach(&ctx, &c.grassroots.ctx(), id, &bills, Utc::now())
                .await
                .unwrap(),
            9
        );
        let err = attachment::attach(
            &ctx,
            &c.grassroots.ctx(),
            id,
            &[upload("票据10.png", crate::case::PNG)],
            Utc::now(),
        )
        .await
        .unwrap_err();
        assert_eq!(err.field(), Some("attachment"));
        assert!(err.to_string().contains("最多10个"), "{err}");
        let listed = attachment::list(&ctx, &c.county.ctx(), id).await.unwrap();
        assert_eq!(listed.len(), 10);
        // Ten at once is also the most a batch may hold.
        let id2 = application::apply(&ctx, &c.county.ctx(), &daily(file_id, 1_000), Utc::now())
            .await
            .unwrap();
        let eleven: Vec<Upload> = (0..11).map(|i| upload(&format!("{i}.pdf"), PDF)).collect();
        assert!(
            attachment::attach(&ctx, &c.county.ctx(), id2, &eleven, Utc::now())
                .await
                .is_err()
        );
        assert!(
            attachment::list(&ctx, &c.county.ctx(), id2)
                .await
                .unwrap()
                .is_empty()
        );

        // A reader of the branch who is not an aid officer downloads but does not upload.
        let admin = staff_with(db, "admin.tianhe", &[(Role::OrgAdmin, &w.gz.tianhe)]).await;
        assert_eq!(
            attachment::staff_file(&ctx, &admin.ctx(), id, a.id)
                .await
                .unwrap()
                .data,
            PDF
        );
        let err = attachment::attach(&ctx, &admin.ctx(), id2, &[upload("x.pdf", PDF)], Utc::now())
            .await
            .unwrap_err();
        assert!(is_forbidden(&err), "{err:?}");
        // The neighbouring county's aid officer is told the application does not exist.
        let yuexiu = staff_with(db, "aid.yuexiu", &[(Role::AidOfficer, &w.gz.yuexiu)]).await;
        for err in [
            attachment::attach(&ctx, &yuexiu.ctx(), id2, &[upload("x.pdf", PDF)], Utc::now())
                .await
                .unwrap_err(),
            attachment::staff_file(&ctx, &yuexiu.ctx(), id, a.id)
                .await
                .err()
                .unwrap(),
            attachment::list(&ctx, &yuexiu.ctx(), id).await.unwrap_err(),
        ] {
            assert!(matches!(err, AppError::NotFound(_)), "{err:?}");
        }
        // A file is reached only through its own application.
        assert!(matches!(
            attachment::staff_file(&ctx, &c.county.ctx(), id2, a.id)
                .await
                .err()
                .unwrap(),
            AppError::NotFound(_)
        ));
        assert_eq!(count("SELECT COUNT(*) FROM aid_attachment").await, 10);
    }
);

on_both!(
    the_demo_shows_files_applications_at_every_stage_and_a_ledger_with_a_reversal,
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
        zhijia_app::demo::membership::samples(db, &keys)
            .await
            .unwrap();
        zhijia_app::demo::aid::samples(db, &keys).await.unwrap();
        let count = |sql: &'static str| async move { db.query_one::<i64>(sql, &[]).await.unwrap() };
        // Seven opened by officers, one by the sample member applying from the phone.
        assert_eq!(count("SELECT COUNT(*) FROM hardship_file").await, 8);
        assert_eq!(
            count("SELECT COUNT(*) FROM hardship_file WHERE created_by IS NULL").await,
            1
        );
        assert_eq!(
            count("SELECT COUNT(*) FROM hardship_file WHERE status = 'lapsed'").await,
            1
        );
        for status in [
            "in_review",
            "rejected",
            "approved",
            "suspended",
            "disbursed",
        ] {
            let n: i64 = db
                .query_one(
                    "SELECT COUNT(*) FROM aid_application WHERE status = $1",
                    &[&status],
                )
                .await
                .unwrap();
            assert!(n > 0, "an application {status}");
        }
        let stages: i64 = count(
            "SELECT COUNT(DISTINCT current_stage) FROM aid_application WHERE status = 'in_review'",
        )
        .await;
        assert_eq!(stages, 3, "waiting at each level");
        assert_eq!(
            count("SELECT COUNT(*) FROM disbursement WHERE reverses_id IS NOT NULL").await,
            1
        );
        assert_eq!(
            count("SELECT CAST(SUM(amount_fen) AS BIGINT) FROM disbursement").await,
            200_000
        );
        // The education grant has its admission letter as a PDF.
        assert_eq!(
            count(
                "SELECT COUNT(*) FROM aid_attachment t JOIN aid_application a \
                 ON a.id = t.application_id WHERE a.kind = 'education_grant' \
                 AND t.content_type = 'application/pdf'"
            )
            .await,
            1
        );
    }
);

#[test]
fn aid_figures_come_from_the_operators_json_and_a_mistake_is_named() {
    use zhijia_app::aid::Settings;
    let s = Settings::from_json(
        r#"{"minimum_fen_by_region": {"440100": 118000, "440106": 125000},
            "yearly_cap_fen": 3000000, "notice_days": 5}"#,
    )
    .unwrap();
    assert_eq!(
        s.minimum_for("440106"),
        125_000,
        "the district's own figure"
    );
    assert_eq!(s.minimum_for("440104"), 118_000, "else the city's");
    assert_eq!(
        s.minimum_for("110105"),
        s.default_minimum_fen,
        "else the default"
    );
    assert_eq!((s.yearly_cap_fen, s.notice_days), (3_000_000, 5));
    assert_eq!(s.chains, zhijia_domain::aid::ApprovalChains::default());
    for (bad, says) in [
        (r#"{"notice_days": 0}"#, "公示天数"),
        (r#"{"minimum_fen_by_region": {"44010": 100}}"#, "44010"),
        (r#"{"yearly_cap": 5}"#, "unknown field"),
        (
            r#"{"approval_chains": {"rules": [{"kind": "medical", "min_fen": 0, "stages": ["city", "county"]}]}}"#,
            "缺少",
        ),
    ] {
        let e = Settings::from_json(bad).unwrap_err().to_string();
        assert!(e.contains(says), "{bad}: {e}");
    }
}

#[test]
fn the_demo_admission_letter_is_a_pdf_with_a_correct_cross_reference_table() {
    let pdf = zhijia_app::demo::aid::admission_letter_pdf(
        "Guangdong University of Technology",
        "2026-044-0815",
    );
    let checked = zhijia_domain::attachment::check("录取通知书.pdf", &pdf).unwrap();
    assert_eq!(checked.kind, zhijia_domain::attachment::FileKind::Pdf);
    // One character per byte, so offsets into the text are offsets into the file.
    let text: String = pdf
        .iter()
        .map(|b| if b.is_ascii() { char::from(*b) } else { '?' })
        .collect();
    let start: usize = text
        .rsplit("startxref\n")
        .next()
        .and_then(|t| t.lines().next())
        .and_then(|n| n.parse().ok())
        .unwrap();
    assert!(text[start..].starts_with("xref\n0 6\n"));
    // Each object's offset points at its "n 0 obj".
    for (i, line) in text[start..].lines().skip(3).take(5).enumerate() {
        let at: usize = line[..10].parse().unwrap();
        assert!(
            text[at..].starts_with(&format!("{} 0 obj", i + 1)),
            "{line}"
        );
    }
    assert!(text.contains("Guangdong University of Technology"));
}
