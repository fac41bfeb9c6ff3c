//! A use case's change and its audit entry commit or roll back together, on both backends: with
//! the audit log refusing every insert (`fixtures::refuse_audit`), each audited use case fails
//! and every table holds exactly what it held before (`fixtures::fingerprint`). The state each
//! use case needs is built first, with the audit log working; then the log is broken and each
//! use case is run once, as its own step, against a fingerprint taken just before it.

use crate::activity::{factory_members, member_of, name_of};
use crate::aid::{
    AidEnv, Officer, PDF, approve_all, chain, daily, decision, household, member, opened,
    staff_with, upload,
};
use crate::benefit::{members, shop};
use crate::case::{CaseEnv, PNG, at, complaint};
use crate::helpers::{TestDb, actor, guangzhou, keys};
use crate::membership::{Env, Reviewer, employee, employer_code, id_number, world};
use crate::merchant::{cashier, terms};
use crate::model_worker::record;
use crate::on_both;
use chrono::{Duration, Utc};
use std::future::Future;
use zhijia_app::AppError;
use zhijia_app::aid::application;
use zhijia_app::aid::attachment as aid_attachment;
use zhijia_app::aid::file::{self as aid_file, ReviewInput};
use zhijia_app::aid::ledger::{self, DisbursementInput, LedgerQuery};
use zhijia_app::benefit::proposal::{self, Approval};
use zhijia_app::benefit::shop::{self as shops, ShopInput};
use zhijia_app::benefit::{self, MerchantInput, OfferInput};
use zhijia_app::caller::worker_actor;
use zhijia_app::case::file::{self as case_file, DeskInput, Upload};
use zhijia_app::case::handle::{self, Step};
use zhijia_app::case::talk::{self, MediationInput};
use zhijia_app::deletion::{self, Outcome};
use zhijia_app::library::{Library, LibraryInput};
use zhijia_app::mall::{self, ItemInput};
use zhijia_app::membership::import;
use zhijia_app::membership::join::{self, Decision};
use zhijia_app::membership::roster::{self, RosterQuery};
use zhijia_app::membership::{card, transfer};
use zhijia_app::model_worker::ModelWorkers;
use zhijia_app::publishable as pb;
use zhijia_app::{activity, staff as uc};
use zhijia_domain::auth::Role;
use zhijia_store::Store;
use zhijia_store::fixtures::{fingerprint, refuse_audit};

/// The tables every step is compared on: all but the audit log, which the trigger keeps from
/// growing anyway.
const AUDIT: &[&str] = &["audit_log"];

/// Whether an error is the refusal of the audit entry (and not, say, a validation error of a
/// badly built test state, which would prove nothing).
fn refused_audit(e: &AppError) -> bool {
    matches!(e, AppError::Store(_)) && format!("{e:?}").contains("audit refused by the test")
}

/// Runs one use case against a store whose audit log refuses every entry: it must fail because
/// of that refusal, and every table but `skip` must be as it was just before.
async fn keeps_nothing<T>(
    db: &Store,
    skip: &[&str],
    what: &str,
    step: impl Future<Output = Result<T, AppError>>,
) {
    let before = fingerprint(db, skip).await.unwrap();
    match step.await {
        Err(e) if refused_audit(&e) => {}
        Err(e) => panic!("{what}: failed for another reason than the refused audit entry: {e:?}"),
        Ok(_) => panic!("{what}: succeeded although its audit entry was refused"),
    }
    let after = fingerprint(db, skip).await.unwrap();
    let changed: Vec<&String> = before
        .keys()
        .chain(after.keys())
        .filter(|t| before.get(*t) != after.get(*t))
        .collect();
    assert!(
        changed.is_empty(),
        "{what}: part of the change was kept in {changed:?}"
    );
}

on_both!(
    the_fingerprint_shows_a_change_that_is_kept,
    |t: TestDb| async move {
        let db = &t.store;
        let gz = guangzhou(db).await;
        // The same kind of call as the org steps below, with the audit log working: the org
        // table's fingerprint changes, and only that table's.
        let before = fingerprint(db, AUDIT).await.unwrap();
        zhijia_app::org::rename(db, gz.town.id, "天河区沙河街道总工会", &actor())
            .await
            .unwrap();
        let after = fingerprint(db, AUDIT).await.unwrap();
        let changed: Vec<&str> = before
            .keys()
            .filter(|t| before.get(*t) != after.get(*t))
            .map(String::as_str)
            .collect();
        assert_eq!(changed, ["org"]);
        // The refusal refuses the audit log only: a change committed without an entry (a
        // fixture's) still lands, and the fingerprint sees it.
        refuse_audit(db).await.unwrap();
        let before = fingerprint(db, AUDIT).await.unwrap();
        let mut tx = db.change().await.unwrap();
        zhijia_store::org::set_gig_occupation(&mut tx, gz.city.id, Some("courier"))
            .await
            .unwrap();
        tx.commit_unaudited(zhijia_store::Unaudited::Fixture)
            .await
            .unwrap();
        assert_ne!(fingerprint(db, AUDIT).await.unwrap(), before);
        // And the audited rename now fails and is not kept.
        keeps_nothing(
            db,
            AUDIT,
            "org::rename",
            zhijia_app::org::rename(db, gz.town.id, "沙河街道工会", &actor()),
        )
        .await;
        // A use case that committed part of its work before its audit entry failed would be
        // caught: the check fails, naming the table that kept it.
        let (store, city, town) = (db.clone(), gz.city.id, gz.town.id);
        let caught = tokio::spawn(async move {
            let db = &store;
            let half_done = async move {
                let mut tx = db.change().await?;
                zhijia_store::org::set_gig_occupation(&mut tx, city, None).await?;
                tx.commit_unaudited(zhijia_store::Unaudited::Fixture)
                    .await?;
                zhijia_app::org::rename(db, town, "沙河街道工会", &actor()).await
            };
            keeps_nothing(
                db,
                AUDIT,
                "a change committed before its audit entry",
                half_done,
            )
            .await;
        })
        .await;
        assert!(
            caught.is_err_and(|e| e.is_panic()),
            "a change kept in part is caught"
        );
    }
);

on_both!(
    no_org_change_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let gz = guangzhou(db).await;
        refuse_audit(db).await.unwrap();
        // A new county union under the city.
        let input = crate::helpers::input("广州市海珠区总工会", "county", Some(&gz.city), "440105");
        keeps_nothing(
            db,
            AUDIT,
            "org::create",
            zhijia_app::org::create(db, &input, &actor()),
        )
        .await;
        // A rename.
        keeps_nothing(
            db,
            AUDIT,
            "org::rename",
            zhijia_app::org::rename(db, gz.tianhe.id, "天河区总工会", &actor()),
        )
        .await;
        // A subtree moved under another county: no path, parent or move record is kept.
        keeps_nothing(
            db,
            AUDIT,
            "org::move_subtree",
            zhijia_app::org::move_subtree(db, gz.town.id, gz.yuexiu.id, &actor()),
        )
        .await;
    }
);

on_both!(
    no_staff_account_or_grant_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let gz = guangzhou(db).await;
        let admin = staff_with(db, "admin.city", &[(Role::OrgAdmin, &gz.city)]).await;
        let clerk = staff_with(db, "clerk.tianhe", &[(Role::Reviewer, &gz.tianhe)]).await;
        refuse_audit(db).await.unwrap();
        // An administrator created by the operator.
        keeps_nothing(
            db,
            AUDIT,
            "staff::create_admin",
            uc::create_admin(db, "tianhe.admin", "王伟", gz.tianhe.id, &actor()),
        )
        .await;
        // An account with one role.
        keeps_nothing(
            db,
            AUDIT,
            "staff::create_with_role",
            uc::create_with_role(
                db,
                "tianhe.editor",
                "李娜",
                gz.tianhe.id,
                Role::Editor,
                &actor(),
            ),
        )
        .await;
        // The demo's administrator (two changes: the account, then the case role).
        keeps_nothing(
            db,
            AUDIT,
            "staff::create_demo_admin",
            uc::create_demo_admin(db, gz.tianhe.id),
        )
        .await;
        // A password change.
        keeps_nothing(
            db,
            AUDIT,
            "staff::change_password",
            uc::change_password(
                db,
                clerk.id,
                crate::aid::PASSWORD,
                "Tianhe2027pass!",
                &actor(),
            ),
        )
        .await;
        // A grant by an administrator above the org.
        keeps_nothing(
            db,
            AUDIT,
            "staff::grant",
            uc::grant(db, admin.id, clerk.id, gz.tianhe.id, Role::Editor, &actor()),
        )
        .await;
        // A grant refused for want of rights (only its refusal is recorded).
        keeps_nothing(
            db,
            AUDIT,
            "staff::grant (refused)",
            uc::grant(db, clerk.id, clerk.id, gz.city.id, Role::OrgAdmin, &actor()),
        )
        .await;
    }
);

on_both!(
    a_sign_in_keeps_only_its_counted_attempt_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let gz = guangzhou(db).await;
        staff_with(db, "sign.right", &[(Role::Reviewer, &gz.tianhe)]).await;
        staff_with(db, "sign.wrong", &[(Role::Reviewer, &gz.tianhe)]).await;
        // Two wrong passwords: the third uses up the free tries.
        for _ in 0..2 {
            uc::sign_in(db, "sign.wrong", "Wrong2026password", None)
                .await
                .unwrap_err();
        }
        refuse_audit(db).await.unwrap();
        let delay = |key: &'static str| async move {
            let mut tx = db.change().await.unwrap();
            zhijia_store::sign_in_delay::get(&mut tx, key)
                .await
                .unwrap()
        };
        // The check is counted (`Unaudited::Throttle`) and committed before the password is
        // checked, so the delay rows (and the sign-in limits' `throttle` rows) change by
        // design; they are skipped here and checked by hand: the counted check is kept, the
        // outcome is not.
        keeps_nothing(
            db,
            &["audit_log", "sign_in_delay", "throttle"],
            "staff::sign_in (right password)",
            uc::sign_in(db, "sign.right", crate::aid::PASSWORD, None),
        )
        .await;
        let kept = delay("sign.right|-")
            .await
            .expect("the counted check is kept");
        assert_eq!(
            kept.failures, 1,
            "the success, which clears the count, was not kept"
        );
        // The third wrong password: its count already set the wait, so the answer lost does
        // not leave the guesser a free try.
        keeps_nothing(
            db,
            &["audit_log", "sign_in_delay", "throttle"],
            "staff::sign_in (third wrong password)",
            uc::sign_in(db, "sign.wrong", "Wrong2026password", None),
        )
        .await;
        let kept = delay("sign.wrong|-").await.unwrap();
        assert_eq!(kept.failures, 3, "the counted check is kept");
        assert!(kept.not_before > chrono::Utc::now(), "{kept:?}");
        // Too soon (inside the wait, set rather than raced: a check can outlast one second on a
        // loaded machine): the refusal writes only its audit entry (and the attempt's count in
        // the sign-in limits, before any of it).
        db.execute(
            "UPDATE sign_in_delay SET not_before = $1 WHERE key = 'sign.wrong|-'",
            &[&(chrono::Utc::now() + chrono::Duration::seconds(30))],
        )
        .await
        .unwrap();
        keeps_nothing(
            db,
            &["audit_log", "throttle"],
            "staff::sign_in (too soon)",
            uc::sign_in(db, "sign.wrong", crate::aid::PASSWORD, None),
        )
        .await;
        // An unknown user: only an audit entry, refused (its check counted as a known one's).
        keeps_nothing(
            db,
            &["audit_log", "sign_in_delay", "throttle"],
            "staff::sign_in (unknown user)",
            uc::sign_in(db, "nobody.here", "Wrong2026password", None),
        )
        .await;
    }
);

on_both!(
    no_join_or_roster_step_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let now = Utc::now();
        let factory = (&w.factory, "广州天河电子厂", w.factory_code.as_str());
        let town = Reviewer::of(&w.gz.town, Role::Reviewer);
        // A member, and an applicant waiting for review.
        member_of(db, &env, factory, &name_of(1), "13800139001", 11).await;
        let member_id = id_number("440106", (1990, 5, 5), 11);
        let pending = join::apply(
            &ctx,
            "13800139002",
            &employee(
                &name_of(2),
                &id_number("440106", (1991, 6, 6), 13),
                "广州天河电子厂",
                &w.factory_code,
            ),
            now,
        )
        .await
        .unwrap();
        let membership = roster::list(&ctx, &town.ctx(), &RosterQuery::default())
            .await
            .unwrap()
            .1
            .items[0]
            .membership_id;
        refuse_audit(db).await.unwrap();
        // A newcomer applies: no worker, application or inbox message is kept.
        keeps_nothing(
            db,
            AUDIT,
            "join::apply",
            join::apply(
                &ctx,
                "13800139003",
                &employee(
                    &name_of(3),
                    &id_number("440106", (1992, 7, 7), 15),
                    "广州天河电子厂",
                    &w.factory_code,
                ),
                now,
            ),
        )
        .await;
        // The member applies at another employer's union: no transfer either.
        keeps_nothing(
            db,
            AUDIT,
            "join::apply (becoming a transfer)",
            join::apply(
                &ctx,
                "13800139001",
                &employee(&name_of(1), &member_id, "越秀百货公司", &w.shop_code),
                now,
            ),
        )
        .await;
        // Approval: no membership, member number or first-join points.
        keeps_nothing(
            db,
            AUDIT,
            "join::decide (approve)",
            join::decide(
                &ctx,
                &town.ctx(),
                pending.application_id,
                Decision::Approve,
                now,
            ),
        )
        .await;
        // Rejection.
        keeps_nothing(
            db,
            AUDIT,
            "join::decide (reject)",
            join::decide(
                &ctx,
                &town.ctx(),
                pending.application_id,
                Decision::Reject {
                    reason: "不是本单位职工".into(),
                },
                now,
            ),
        )
        .await;
        // A full identity number is not shown when its view cannot be recorded.
        keeps_nothing(
            db,
            AUDIT,
            "roster::reveal_id_number",
            roster::reveal_id_number(&ctx, &town.ctx(), membership),
        )
        .await;
        // Nor is a roster exported.
        keeps_nothing(
            db,
            AUDIT,
            "roster::export",
            roster::export(&ctx, &town.ctx(), &RosterQuery::default(), true),
        )
        .await;
    }
);

on_both!(
    no_transfer_leave_or_retirement_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let now = Utc::now();
        let factory = (&w.factory, "广州天河电子厂", w.factory_code.as_str());
        let town = Reviewer::of(&w.gz.town, Role::Reviewer);
        let yuexiu = Reviewer::of(&w.gz.yuexiu, Role::Reviewer);
        // Three members of the factory: one with no transfer, one whose transfer waits for
        // the release, one whose transfer was released.
        let worker = member_of(db, &env, factory, &name_of(1), "13800139011", 21).await;
        member_of(db, &env, factory, &name_of(2), "13800139012", 23).await;
        member_of(db, &env, factory, &name_of(3), "13800139013", 25).await;
        let awaiting = transfer::request(
            &ctx,
            "13800139012",
            zhijia_domain::ids::OrgId(w.shop.id.0),
            "换工作",
            now,
        )
        .await
        .unwrap();
        let released = transfer::request(
            &ctx,
            "13800139013",
            zhijia_domain::ids::OrgId(w.shop.id.0),
            "换工作",
            now,
        )
        .await
        .unwrap();
        transfer::answer_release(&ctx, &town.ctx(), released, None)
            .await
            .unwrap();
        let member_no = zhijia_store::worker::get(db, zhijia_domain::ids::WorkerId(worker))
            .await
            .unwrap()
            .unwrap()
            .member_no
            .unwrap();
        let membership =
            zhijia_store::membership::history(db, zhijia_domain::ids::WorkerId(worker))
                .await
                .unwrap()[0]
                .id;
        refuse_audit(db).await.unwrap();
        // The worker asks for a transfer.
        keeps_nothing(
            db,
            AUDIT,
            "transfer::request",
            transfer::request(
                &ctx,
                "13800139011",
                zhijia_domain::ids::OrgId(w.shop.id.0),
                "换工作",
                now,
            ),
        )
        .await;
        // The receiving union starts one.
        keeps_nothing(
            db,
            AUDIT,
            "transfer::start_by_union",
            transfer::start_by_union(
                &ctx,
                &yuexiu.ctx(),
                &member_no,
                zhijia_domain::ids::OrgId(w.shop.id.0),
                "",
                now,
            ),
        )
        .await;
        // The releasing union agrees ...
        keeps_nothing(
            db,
            AUDIT,
            "transfer::answer_release (release)",
            transfer::answer_release(&ctx, &town.ctx(), awaiting, None),
        )
        .await;
        // ... or refuses.
        keeps_nothing(
            db,
            AUDIT,
            "transfer::answer_release (refuse)",
            transfer::answer_release(&ctx, &town.ctx(), awaiting, Some("会费未结清")),
        )
        .await;
        // The receiving union accepts: the old membership is not ended, no new one opened.
        keeps_nothing(
            db,
            AUDIT,
            "transfer::accept",
            transfer::accept(&ctx, &yuexiu.ctx(), released, now),
        )
        .await;
        // The automatic release after the deadline.
        keeps_nothing(
            db,
            AUDIT,
            "transfer::release_overdue",
            transfer::release_overdue(&ctx, now + Duration::days(31)),
        )
        .await;
        // Leaving the union.
        keeps_nothing(
            db,
            AUDIT,
            "transfer::leave",
            transfer::leave(&ctx, "13800139011", "个人原因", now),
        )
        .await;
        // Retirement.
        keeps_nothing(
            db,
            AUDIT,
            "transfer::set_retired",
            transfer::set_retired(&ctx, &town.ctx(), membership, true),
        )
        .await;
    }
);

on_both!(
    a_roster_import_keeps_no_member_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let keys = keys();
        refuse_audit(db).await.unwrap();
        let csv = format!(
            "姓名,身份证号,手机号,民族,学历,政治面貌,工作单位,统一社会信用代码,新就业形态职业,入会日期\n\
             职工甲,{},13900000001,汉族,大专,群众,广州天河电子厂,{},,2020-01-01\n\
             职工乙,{},13900000002,汉族,大专,群众,广州天河电子厂,{},,2020-01-02\n",
            id_number("440106", (1980, 1, 1), 1),
            w.factory_code,
            id_number("440106", (1981, 2, 2), 3),
            w.factory_code,
        );
        let rows = import::csv_rows(std::io::Cursor::new(csv.into_bytes()));
        let options = import::Options {
            upload: Some(import::UploadRecord {
                file_name: "名册.csv".into(),
                staff: None,
            }),
            ..import::Options::now(Utc::now())
        };
        // Each batch is its own change with its own entry: the first one is refused, so
        // neither workers nor memberships nor the upload's record are kept.
        keeps_nothing(
            db,
            AUDIT,
            "import::import",
            import::import(db, &keys, &actor(), &w.factory, rows, options, &|_| {}),
        )
        .await;
    }
);

on_both!(
    no_personal_data_request_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let factory = (&w.factory, "广州天河电子厂", w.factory_code.as_str());
        member_of(db, &env, factory, &name_of(1), "13500000101", 31).await;
        zhijia_app::me::request_deletion(db, "13500000101", "不再使用")
            .await
            .unwrap();
        let admin = Reviewer::of(&w.gz.tianhe, Role::OrgAdmin);
        let request = deletion::queue(&ctx, &admin.ctx(), None, None, None, None)
            .await
            .unwrap()
            .1
            .items[0]
            .id;
        refuse_audit(db).await.unwrap();
        // A worker's export of their own data is not given when it cannot be recorded.
        keeps_nothing(
            db,
            AUDIT,
            "me::export",
            zhijia_app::me::export(db, Some(&env.keys), "13500000101"),
        )
        .await;
        // A deletion request.
        keeps_nothing(
            db,
            AUDIT,
            "me::request_deletion",
            zhijia_app::me::request_deletion(db, "13500000102", "请删除我的信息"),
        )
        .await;
        // Staff erase: nothing is erased.
        keeps_nothing(
            db,
            AUDIT,
            "deletion::handle (erase)",
            deletion::handle(&ctx, &admin.ctx(), request, Outcome::Erase),
        )
        .await;
        // Staff refuse: no status, no inbox message.
        keeps_nothing(
            db,
            AUDIT,
            "deletion::handle (refuse)",
            deletion::handle(
                &ctx,
                &admin.ctx(),
                request,
                Outcome::Refuse {
                    reason: "会籍记录依规保留".into(),
                },
            ),
        )
        .await;
    }
);

fn png(name: &str) -> Upload {
    Upload {
        name: name.into(),
        bytes: PNG.to_vec(),
    }
}

on_both!(
    no_case_step_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = CaseEnv::new();
        let ctx = env.ctx(db);
        let handler = Reviewer::of(&w.factory, Role::CaseHandler);
        let h = handler.ctx();
        let county = Reviewer::of(&w.gz.tianhe, Role::CaseHandler);
        // Monday 2 November 2026: four cases filed. One stays submitted, one is accepted, one
        // waits for the worker, one is resolved and waits for the rating.
        let (filed_on, today) = (at(2026, 11, 2), at(2026, 11, 3));
        let file = |phone: &'static str| {
            let ctx = env.ctx(db);
            let code = w.factory_code.clone();
            async move {
                case_file::file(&ctx, phone, &complaint("complaint", &code), &[], filed_on)
                    .await
                    .unwrap()
                    .id
            }
        };
        let submitted = file("13800138301").await;
        let waiting = file("13800138302").await;
        let resolved = file("13800138303").await;
        let accepted = file("13800138306").await;
        let accept = Step::Accept {
            tier: "ordinary".into(),
        };
        handle::act(&ctx, &h, accepted, &accept, filed_on)
            .await
            .unwrap();
        for step in [
            accept.clone(),
            Step::AskWorker {
                question: "请上传近三个月的工资条".into(),
            },
        ] {
            handle::act(&ctx, &h, waiting, &step, filed_on)
                .await
                .unwrap();
        }
        for step in [
            accept.clone(),
            Step::Start,
            Step::Resolve {
                answer: "已约谈企业".into(),
            },
        ] {
            handle::act(&ctx, &h, resolved, &step, filed_on)
                .await
                .unwrap();
        }
        refuse_audit(db).await.unwrap();
        // A worker files a case with a photo: no case, event or attachment is kept.
        keeps_nothing(
            db,
            AUDIT,
            "case::file::file",
            case_file::file(
                &ctx,
                "13800138304",
                &complaint("complaint", &w.factory_code),
                &[png("欠薪证据.png")],
                today,
            ),
        )
        .await;
        // A handler registers a call.
        keeps_nothing(
            db,
            AUDIT,
            "case::file::register",
            case_file::register(
                &ctx,
                &h,
                &DeskInput {
                    case: complaint("consultation", &w.factory_code),
                    channel: "phone".into(),
                    filer_phone: "13800138305".into(),
                },
                today,
            ),
        )
        .await;
        // A handler's steps.
        keeps_nothing(
            db,
            AUDIT,
            "case::handle::act (accept)",
            handle::act(&ctx, &h, submitted, &accept, today),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "case::handle::act (decline)",
            handle::act(
                &ctx,
                &h,
                submitted,
                &Step::Decline {
                    reason: "不属于工会受理范围".into(),
                },
                today,
            ),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "case::handle::act (start)",
            handle::act(&ctx, &h, accepted, &Step::Start, today),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "case::handle::act (ask the worker)",
            handle::act(
                &ctx,
                &h,
                accepted,
                &Step::AskWorker {
                    question: "请上传劳动合同".into(),
                },
                today,
            ),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "case::handle::act (resolve)",
            handle::act(
                &ctx,
                &h,
                accepted,
                &Step::Resolve {
                    answer: "已协调企业补发工资".into(),
                },
                today,
            ),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "case::handle::act (close)",
            handle::act(&ctx, &h, resolved, &Step::Close, today),
        )
        .await;
        // A message to the worker, and an internal note.
        keeps_nothing(
            db,
            AUDIT,
            "case::talk::post (message)",
            talk::post(&ctx, &h, submitted, "请保持电话畅通", false, today),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "case::talk::post (internal note)",
            talk::post(&ctx, &h, submitted, "企业负责人态度消极", true, today),
        )
        .await;
        // A handler's files.
        keeps_nothing(
            db,
            AUDIT,
            "case::talk::attach",
            talk::attach(&ctx, &h, submitted, &[png("回复函.png")], today),
        )
        .await;
        // A mediation record.
        keeps_nothing(
            db,
            AUDIT,
            "case::talk::mediate",
            talk::mediate(
                &ctx,
                &h,
                submitted,
                &MediationInput {
                    parties: "李强；广州天河电子厂".into(),
                    mediated_on: "2026-11-03".into(),
                    mediator: "张调解".into(),
                    agreement: "企业于11月底前补发工资".into(),
                    outcome: "settled".into(),
                },
                today,
            ),
        )
        .await;
        // Re-routing to the township.
        keeps_nothing(
            db,
            AUDIT,
            "case::handle::reroute",
            handle::reroute(
                &ctx,
                &county.ctx(),
                submitted,
                w.gz.town.id,
                "由街道先行调解",
                today,
            ),
        )
        .await;
        // The worker answers the question with a photo: the clock does not restart, and
        // neither the message nor the photo is kept.
        keeps_nothing(
            db,
            AUDIT,
            "case::handle::reply",
            handle::reply(
                &ctx,
                "13800138302",
                waiting,
                "已上传工资条",
                &[png("工资条.png")],
                today,
            ),
        )
        .await;
        // The worker rates the answer, unsatisfied (reopening) or satisfied (closing).
        keeps_nothing(
            db,
            AUDIT,
            "case::handle::rate (unsatisfied)",
            handle::rate(&ctx, "13800138303", resolved, false, "工资仍未发放", today),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "case::handle::rate (satisfied)",
            handle::rate(&ctx, "13800138303", resolved, true, "", today),
        )
        .await;
    }
);

on_both!(
    no_aid_file_change_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (file_id, _, _) = opened(db, &env, &w, &c).await;
        let ctx = env.ctx(db);
        let county = c.county.ctx();
        let newcomer = staff_with(db, "aid.newcomer", &[(Role::AidOfficer, &w.gz.tianhe)]).await;
        let head = member(db, &env, &w, "王大力", "13700137002", 21).await;
        let now = Utc::now();
        refuse_audit(db).await.unwrap();
        // A staff member declares their identity.
        keeps_nothing(
            db,
            AUDIT,
            "aid::link_identity",
            zhijia_app::aid::link_identity(
                db,
                &env.env.keys,
                &newcomer.ctx(),
                &id_number("440106", (1980, 1, 1), 904),
            ),
        )
        .await;
        // A new household's file: no file, no household members.
        keeps_nothing(
            db,
            AUDIT,
            "aid::file::open",
            aid_file::open(
                &ctx,
                &county,
                &household(
                    &head,
                    &id_number("440106", (1987, 6, 6), 22),
                    &id_number("440106", (2010, 9, 1), 23),
                ),
                now,
            ),
        )
        .await;
        // Health and income are not shown when the view cannot be recorded.
        keeps_nothing(
            db,
            AUDIT,
            "aid::file::detail",
            aid_file::detail(&ctx, &county, file_id),
        )
        .await;
        // The annual review.
        keeps_nothing(
            db,
            AUDIT,
            "aid::file::review",
            aid_file::review(
                &ctx,
                &county,
                file_id,
                &ReviewInput {
                    cause: "illness".into(),
                    household_size: 3,
                    income_per_head_fen: 120_000,
                    health: "透析，病情稳定".into(),
                    disability: "无".into(),
                    housing: "租住".into(),
                },
                now + Duration::days(360),
            ),
        )
        .await;
        // Leaving hardship.
        keeps_nothing(
            db,
            AUDIT,
            "aid::file::exit",
            aid_file::exit(&ctx, &county, file_id, "户主康复后重新就业，收入稳定", now),
        )
        .await;
        // The lapse of a file not reviewed in time.
        keeps_nothing(
            db,
            AUDIT,
            "aid::file::lapse_overdue",
            aid_file::lapse_overdue(db, now + Duration::days(800)),
        )
        .await;
    }
);

fn pay(application_id: zhijia_domain::ids::AidApplicationId, amount_fen: i64) -> DisbursementInput {
    DisbursementInput {
        application_id,
        amount_fen,
        fund_source: "工会帮扶专项资金".into(),
        method: "bank_transfer".into(),
        paid_on: None,
        idempotency_key: Some(zhijia_domain::auth::random_token()),
    }
}

on_both!(
    no_aid_application_or_ledger_entry_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new(); // seven days of notice
        let c = chain(db, &env, &w).await;
        let (file_id, _, _) = opened(db, &env, &w, &c).await;
        let ctx = env.ctx(db);
        let county = c.county.ctx();
        let now = Utc::now();
        let after_notice = now + Duration::days(8);
        let officer = &c.county;
        let apply = || {
            let ctx = env.ctx(db);
            async move {
                application::apply(&ctx, &officer.ctx(), &daily(file_id, 100_000), now)
                    .await
                    .unwrap()
            }
        };
        // One application in review, one on notice, one objected to, one payable, one paid.
        let in_review = apply().await;
        let on_notice = apply().await;
        approve_all(db, &env, &c, on_notice, now).await;
        let objected = apply().await;
        approve_all(db, &env, &c, objected, now).await;
        let worker = worker_actor("13911112222");
        let objection = application::object(
            &ctx,
            &worker,
            None,
            objected,
            "其家属名下有商铺出租",
            now + Duration::days(1),
        )
        .await
        .unwrap();
        let payable = apply().await;
        approve_all(db, &env, &c, payable, now).await;
        let paid = apply().await;
        approve_all(db, &env, &c, paid, now).await;
        let entry = ledger::disburse(&ctx, &county, &pay(paid, 100_000), after_notice)
            .await
            .unwrap();
        let first_stage: &Officer = match application::detail(&ctx, &county, in_review)
            .await
            .unwrap()
            .application
            .chain[0]
        {
            "grassroots" => &c.grassroots,
            "county" => &c.county,
            _ => &c.city,
        };
        // A member without a file, to apply from the phone (opening one).
        member(db, &env, &w, "赵小兰", "13700137003", 23).await;
        refuse_audit(db).await.unwrap();
        // An application with a file: neither is kept.
        keeps_nothing(
            db,
            AUDIT,
            "aid::application::apply_with_files",
            application::apply_with_files(
                &ctx,
                &county,
                &daily(file_id, 100_000),
                &[upload("病历.pdf", PDF)],
                now,
            ),
        )
        .await;
        // A stage's decision.
        keeps_nothing(
            db,
            AUDIT,
            "aid::application::decide",
            application::decide(&ctx, &first_stage.ctx(), in_review, &decision(0), now),
        )
        .await;
        // An objection by a worker during the notice, and one recorded by staff: payment is
        // not paused.
        keeps_nothing(
            db,
            AUDIT,
            "aid::application::object (worker)",
            application::object(
                &ctx,
                &worker,
                None,
                on_notice,
                "收入情况不实",
                now + Duration::days(1),
            ),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "aid::application::object (staff)",
            application::object(
                &ctx,
                &c.county.actor,
                Some(&county),
                on_notice,
                "来电反映收入情况不实",
                now + Duration::days(1),
            ),
        )
        .await;
        // An objection resolved, dismissed or upheld.
        keeps_nothing(
            db,
            AUDIT,
            "aid::application::resolve (dismissed)",
            application::resolve(&ctx, &county, objection, false, "经核实商铺已于去年出售"),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "aid::application::resolve (upheld)",
            application::resolve(&ctx, &county, objection, true, "经核实情况属实"),
        )
        .await;
        // Files attached to an application.
        keeps_nothing(
            db,
            AUDIT,
            "aid::attachment::attach",
            aid_attachment::attach(&ctx, &county, in_review, &[upload("账单.pdf", PDF)], now),
        )
        .await;
        // A worker's application from the phone: a new file, or on the household's file; and
        // a document added to it.
        let from_phone = zhijia_app::aid::mine::WorkerApplication {
            kind: "medical".into(),
            amount_fen: 300_000,
            reason: "住院手术".into(),
            cause: "illness".into(),
            household_size: 3,
            income_per_head_fen: 50_000,
            housing: "租房".into(),
            ..Default::default()
        };
        keeps_nothing(
            db,
            AUDIT,
            "aid::mine::apply (opening a file)",
            zhijia_app::aid::mine::apply(
                &ctx,
                "13700137003",
                &from_phone,
                &[upload("发票.pdf", PDF)],
                now,
            ),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "aid::mine::apply (the household's file)",
            zhijia_app::aid::mine::apply(&ctx, "13700137001", &from_phone, &[], now),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "aid::mine::attach",
            zhijia_app::aid::mine::attach(
                &ctx,
                "13700137001",
                in_review,
                &[upload("诊断证明.pdf", PDF)],
                now,
            ),
        )
        .await;
        // A payment: no ledger entry, no status.
        keeps_nothing(
            db,
            AUDIT,
            "aid::ledger::disburse",
            ledger::disburse(&ctx, &county, &pay(payable, 100_000), after_notice),
        )
        .await;
        // A reversal.
        keeps_nothing(
            db,
            AUDIT,
            "aid::ledger::reverse",
            ledger::reverse(&ctx, &county, entry, "金额录入错误", after_notice),
        )
        .await;
        // The ledger is not exported when the export cannot be recorded.
        keeps_nothing(
            db,
            AUDIT,
            "aid::ledger::export",
            ledger::export(&ctx, &county, &LedgerQuery::default()),
        )
        .await;
    }
);

on_both!(
    no_merchant_offer_or_redemption_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 10, 1, &[]).await;
        let editor = staff_with(db, "offers.city", &[(Role::Editor, &w.gz.city)]).await;
        let till = cashier(db, &keys, &editor, s.merchant, "till.1").await;
        let ctx = benefit::Ctx { db, keys: &keys };
        let now = Utc::now();
        let offer = |publish| OfferInput {
            org: Some(w.gz.tianhe.id.0),
            merchant_id: s.merchant,
            terms: terms("到店立减8元"),
            publish,
            ..Default::default()
        };
        let draft = benefit::create_offer(&ctx, &editor.ctx(), &offer(false), now)
            .await
            .unwrap();
        let phone = members(db, &w, 1).await.remove(0);
        let coupon = benefit::claim(&ctx, &phone, s.offer, "k", now)
            .await
            .unwrap();
        refuse_audit(db).await.unwrap();
        // A merchant registered.
        keeps_nothing(
            db,
            AUDIT,
            "benefit::register_merchant",
            benefit::register_merchant(
                &ctx,
                &editor.ctx(),
                &MerchantInput {
                    org: Some(w.gz.city.id.0),
                    name: "越秀书店".into(),
                    credit_code: employer_code("440104", 901),
                    address: "北京路2号".into(),
                },
                now,
            ),
        )
        .await;
        // A merchant's account: no account, role or link to the merchant.
        keeps_nothing(
            db,
            AUDIT,
            "benefit::create_merchant_account",
            benefit::create_merchant_account(&ctx, &editor.ctx(), s.merchant, "till.2", "收银员"),
        )
        .await;
        // An offer.
        keeps_nothing(
            db,
            AUDIT,
            "benefit::create_offer",
            benefit::create_offer(&ctx, &editor.ctx(), &offer(true), now),
        )
        .await;
        // A draft published, a published offer withdrawn.
        keeps_nothing(
            db,
            AUDIT,
            "benefit::set_published (publish)",
            benefit::set_published(&ctx, &editor.ctx(), draft, true),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "benefit::set_published (withdraw)",
            benefit::set_published(&ctx, &editor.ctx(), s.offer, false),
        )
        .await;
        // A coupon redeemed at the till: it stays usable.
        keeps_nothing(
            db,
            AUDIT,
            "benefit::redeem",
            benefit::redeem(&ctx, &till.ctx(), &coupon.code, now),
        )
        .await;
    }
);

on_both!(
    no_proposal_or_shop_change_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let keys = keys();
        let w = world(db).await;
        let s = shop(db, &keys, &w, 10, 1, &[]).await;
        let editor = staff_with(db, "offers.city", &[(Role::Editor, &w.gz.city)]).await;
        let till = cashier(db, &keys, &editor, s.merchant, "till.1").await;
        let ctx = benefit::Ctx { db, keys: &keys };
        let now = Utc::now();
        let proposed = proposal::propose(&ctx, &till.ctx(), &terms("到店立减8元"), now)
            .await
            .unwrap();
        let store_front = ShopInput {
            name: "天河路店".into(),
            address: "天河路1号".into(),
            longitude: Some(113.33),
            latitude: Some(23.14),
        };
        let kept_shop = shops::add(&ctx, &editor.ctx(), s.merchant, &store_front, now)
            .await
            .unwrap();
        refuse_audit(db).await.unwrap();
        // The merchant proposes, and withdraws a proposal.
        keeps_nothing(
            db,
            AUDIT,
            "benefit::proposal::propose",
            proposal::propose(&ctx, &till.ctx(), &terms("满50减10"), now),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "benefit::proposal::cancel",
            proposal::cancel(&ctx, &till.ctx(), proposed, now),
        )
        .await;
        // The union approves (no offer is left behind) or rejects.
        keeps_nothing(
            db,
            AUDIT,
            "benefit::proposal::approve",
            proposal::approve(
                &ctx,
                &editor.ctx(),
                proposed,
                &Approval {
                    publish: true,
                    ..Default::default()
                },
                now,
            ),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "benefit::proposal::reject",
            proposal::reject(&ctx, &editor.ctx(), proposed, "优惠力度不足", now),
        )
        .await;
        // Shops added and removed.
        keeps_nothing(
            db,
            AUDIT,
            "benefit::shop::add",
            shops::add(
                &ctx,
                &till.ctx(),
                s.merchant,
                &ShopInput {
                    name: "体育西路店".into(),
                    ..store_front.clone()
                },
                now,
            ),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "benefit::shop::remove",
            shops::remove(&ctx, &editor.ctx(), kept_shop),
        )
        .await;
    }
);

on_both!(
    no_activity_points_rule_or_mall_item_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let phones = factory_members(db, &env, &w, 1, 1).await;
        let ed = staff_with(db, "editor.tianhe", &[(Role::Editor, &w.gz.tianhe)]).await;
        let admin = staff_with(db, "admin.tianhe", &[(Role::OrgAdmin, &w.gz.tianhe)]).await;
        let now = Utc::now();
        let c = crate::activity::ctx(db, &env.keys);
        zhijia_app::points::set_rule(db, &admin.ctx(), w.gz.tianhe.id.0, "check_in", 10)
            .await
            .unwrap();
        let id = activity::create(
            &c,
            &ed.ctx(),
            &crate::activity::input(&w.gz.tianhe, 2, now),
            now,
        )
        .await
        .unwrap();
        activity::mine::register(&c, &phones[0], id, now)
            .await
            .unwrap();
        let at_door = now + Duration::days(2);
        let token = card::card(&env.ctx(db), &phones[0], at_door)
            .await
            .unwrap()
            .token;
        refuse_audit(db).await.unwrap();
        // An activity.
        keeps_nothing(
            db,
            AUDIT,
            "activity::create",
            activity::create(
                &c,
                &ed.ctx(),
                &crate::activity::input(&w.gz.tianhe, 5, now),
                now,
            ),
        )
        .await;
        // A check-in: neither the check-in nor its points are kept.
        keeps_nothing(
            db,
            AUDIT,
            "activity::check_in",
            activity::check_in(&c, &ed.ctx(), id, &token, at_door),
        )
        .await;
        // A cancellation.
        keeps_nothing(
            db,
            AUDIT,
            "activity::cancel",
            activity::cancel(&c, &ed.ctx(), id),
        )
        .await;
        // A points rule.
        keeps_nothing(
            db,
            AUDIT,
            "points::set_rule",
            zhijia_app::points::set_rule(db, &admin.ctx(), w.gz.tianhe.id.0, "check_in", 15),
        )
        .await;
        // An item of the points mall.
        keeps_nothing(
            db,
            AUDIT,
            "mall::create_item",
            mall::create_item(
                db,
                &ed.ctx(),
                &ItemInput {
                    org: Some(w.gz.tianhe.id.0),
                    title: "工会定制保温杯".into(),
                    points: 100,
                    stock: 10,
                    per_member_limit: 1,
                    ..Default::default()
                },
                now,
            ),
        )
        .await;
    }
);

on_both!(
    no_library_or_model_worker_change_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let editor = staff_with(db, "culture.editor", &[(Role::Editor, &w.gz.tianhe)]).await;
        let ed = editor.ctx();
        let now = Utc::now();
        let org = w.gz.tianhe.id.0;
        let book = |title: &str| LibraryInput {
            org: Some(org),
            kind: "book".into(),
            title: title.into(),
            author: "路遥".into(),
            summary: "普通劳动者的奋斗。".into(),
            place: Some("沙河街道职工书屋(二楼)".into()),
            ..LibraryInput::default()
        };
        let draft_item = pb::create::<Library>(db, &ed, &book("平凡的世界"), now)
            .await
            .unwrap();
        let shelved = pb::create::<Library>(db, &ed, &book("人生"), now)
            .await
            .unwrap();
        pb::publish::<Library>(db, &ed, shelved, now).await.unwrap();
        let draft_record = pb::create::<ModelWorkers>(db, &ed, &record(org, "李桂英"), now)
            .await
            .unwrap();
        let shown = pb::create::<ModelWorkers>(db, &ed, &record(org, "王进喜"), now)
            .await
            .unwrap();
        pb::publish::<ModelWorkers>(db, &ed, shown, now)
            .await
            .unwrap();
        refuse_audit(db).await.unwrap();
        // The library: an item created, edited, published, withdrawn.
        keeps_nothing(
            db,
            AUDIT,
            "library::create",
            pb::create::<Library>(db, &ed, &book("早晨从中午开始"), now),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "library::update",
            pb::update::<Library>(db, &ed, draft_item, &book("平凡的世界(全三册)"), now),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "library::publish",
            pb::publish::<Library>(db, &ed, draft_item, now),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "library::withdraw",
            pb::withdraw::<Library>(db, &ed, shelved),
        )
        .await;
        // Model workers: a record created, edited, published, withdrawn.
        keeps_nothing(
            db,
            AUDIT,
            "model_worker::create",
            pb::create::<ModelWorkers>(db, &ed, &record(org, "张秉贵"), now),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "model_worker::update",
            pb::update::<ModelWorkers>(db, &ed, draft_record, &record(org, "李桂英(更正)"), now),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "model_worker::publish",
            pb::publish::<ModelWorkers>(db, &ed, draft_record, now),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "model_worker::withdraw",
            pb::withdraw::<ModelWorkers>(db, &ed, shown),
        )
        .await;
    }
);

on_both!(
    the_job_runner_keeps_no_overdue_work_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let now = Utc::now();
        // A hardship file that will not be reviewed, a transfer the factory will not answer,
        // a case nobody handles.
        let c = chain(db, &env, &w).await;
        opened(db, &env, &w, &c).await;
        member(db, &env, &w, "王大力", "13700137002", 21).await;
        transfer::request(
            &env.env.ctx(db),
            "13700137002",
            zhijia_domain::ids::OrgId(w.shop.id.0),
            "",
            now,
        )
        .await
        .unwrap();
        let cases = CaseEnv::new();
        let case = case_file::file(
            &cases.ctx(db),
            "13800138301",
            &complaint("complaint", &w.factory_code),
            &[],
            now,
        )
        .await
        .unwrap()
        .id;
        let handler = Reviewer::of(&w.factory, Role::CaseHandler);
        handle::act(
            &cases.ctx(db),
            &handler.ctx(),
            case,
            &Step::Accept {
                tier: "ordinary".into(),
            },
            now,
        )
        .await
        .unwrap();
        // Long after every deadline, the period's jobs are scheduled.
        let later = now + Duration::days(800);
        let jobs = env.env.jobs(db, &cases.settings);
        zhijia_app::job::schedule(&jobs, later).await.unwrap();
        refuse_audit(db).await.unwrap();
        // The job table keeps the queue's own bookkeeping (claims, attempts, the error, the
        // retry time: `Unaudited::JobQueue`), which is not the work under test.
        let skip = ["audit_log", "job"];
        let before = fingerprint(db, &skip).await.unwrap();
        let done = zhijia_app::job::run_due(&jobs, "runner-1", later)
            .await
            .unwrap();
        assert_eq!(
            done, 1,
            "only the coupon expiry, which has no audit entry to write, took effect"
        );
        assert_eq!(
            fingerprint(db, &skip).await.unwrap(),
            before,
            "no transfer released, no case escalated, no file lapsed"
        );
    }
);

on_both!(
    a_worker_sign_in_opens_no_session_and_keeps_its_code_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        let db = &t.store;
        let phone = "13900139401";
        let code =
            zhijia_app::sms::request_code(db, &zhijia_app::sms::LogSender, phone, None, true)
                .await
                .unwrap()
                .expect("the code, revealed");
        refuse_audit(db).await.unwrap();
        keeps_nothing(
            db,
            AUDIT,
            "sms::verify_code",
            zhijia_app::sms::verify_code(db, phone, &code),
        )
        .await;
    }
);

on_both!(
    no_article_or_channel_change_is_kept_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        use crate::article::{editors, input, published};
        use zhijia_app::article::{Articles, channel};
        let db = &t.store;
        let w = world(db).await;
        let (writer, reviewer) = editors(db, &w.gz.tianhe, "th").await;
        let (cw, cr) = editors(db, &w.gz.city, "city").await;
        let now = Utc::now();
        let (wr, rv) = (writer.ctx(), reviewer.ctx());
        let draft = pb::create::<Articles>(db, &wr, &input(&w.gz.tianhe, "草稿"), now)
            .await
            .unwrap();
        let waiting = pb::create::<Articles>(db, &wr, &input(&w.gz.tianhe, "待审"), now)
            .await
            .unwrap();
        pb::submit::<Articles>(db, &wr, waiting).await.unwrap();
        let shown = published(db, (&writer, &reviewer), &input(&w.gz.tianhe, "已发")).await;
        let source = published(db, (&cw, &cr), &input(&w.gz.city, "市总新闻")).await;
        refuse_audit(db).await.unwrap();
        let tianhe = Some(w.gz.tianhe.id);
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
        let settings = channel::ChannelInput {
            name: "天河工会资讯".into(),
            intro: "天河区总工会".into(),
            avatar: None,
        };
        let edited = input(&w.gz.tianhe, "草稿(改)");
        keeps_nothing(
            db,
            AUDIT,
            "article::create",
            pb::create::<Articles>(db, &wr, &edited, now),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "article::update",
            pb::update::<Articles>(db, &wr, draft, &edited, now),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "article::submit",
            pb::submit::<Articles>(db, &wr, draft),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "article::approve",
            pb::approve::<Articles>(db, &rv, waiting, now),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "article::send_back",
            pb::send_back::<Articles>(db, &rv, waiting, "请补充"),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "article::withdraw",
            pb::withdraw::<Articles>(db, &wr, shown),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "article::reshare",
            channel::reshare(db, &wr, tianhe, source, Utc::now()),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "article::upload_image",
            channel::upload_image(db, &wr, tianhe, png, now),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "channel::set",
            channel::set(db, &wr, tianhe, &settings, now),
        )
        .await;
    }
);

on_both!(
    comment_moderation_keeps_nothing_when_its_audit_entry_cannot_be_written,
    |t: TestDb| async move {
        use zhijia_app::article::comment;
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let phones = factory_members(db, &env, &w, 1, 1).await;
        let id = crate::article_comment::published(db, &w.gz.tianhe, "天河区总工会：通知").await;
        let pending = comment::write(db, &phones[0], id, "第一条", Utc::now())
            .await
            .unwrap();
        let featured = comment::write(db, &phones[0], id, "第二条", Utc::now())
            .await
            .unwrap();
        let editor = Reviewer::of(&w.gz.tianhe, Role::Editor);
        comment::feature(db, &editor.ctx(), featured.id)
            .await
            .unwrap();
        refuse_audit(db).await.unwrap();
        let s = editor.ctx();
        keeps_nothing(
            db,
            AUDIT,
            "article::comment::feature",
            comment::feature(db, &s, pending.id),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "article::comment::reply",
            comment::reply(db, &s, featured.id, "收到", Utc::now()),
        )
        .await;
        keeps_nothing(
            db,
            AUDIT,
            "article::comment::hide",
            comment::hide(db, &s, featured.id),
        )
        .await;
    }
);
