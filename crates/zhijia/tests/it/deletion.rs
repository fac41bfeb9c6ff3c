//! Staff handle deletion requests: only the branch that holds the data, what is erased depends on
//! whether the person is a member, every outcome audited and told to the worker.

use crate::helpers::TestDb;
use crate::membership::{Env, Reviewer, employee, id_number, world};
use crate::on_both;
use chrono::Utc;
use zhijia_app::AppError;
use zhijia_app::deletion::{self, Outcome};
use zhijia_app::membership::join::{self, Decision};
use zhijia_domain::auth::Role;

on_both!(
    deletion_requests_are_handled_by_the_branch_holding_the_data,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = Env::new();
        let ctx = env.ctx(db);
        let now = Utc::now();
        // A member (approved in the Tianhe factory) and an applicant who never got in.
        let member = join::apply(
            &ctx,
            "13500000001",
            &employee(
                "冯一",
                &id_number("440106", (1990, 1, 1), 1),
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
            member.application_id,
            Decision::Approve,
            now,
        )
        .await
        .unwrap();
        join::apply(
            &ctx,
            "13500000002",
            &employee(
                "冯二",
                &id_number("440106", (1991, 1, 1), 3),
                "电子厂",
                &w.factory_code,
            ),
            now,
        )
        .await
        .unwrap();
        zhijia_app::me::request_deletion(db, "13500000001", "不再使用")
            .await
            .unwrap();
        zhijia_app::me::request_deletion(db, "13500000002", "")
            .await
            .unwrap();
        zhijia_app::me::request_deletion(db, "13500000003", "")
            .await
            .unwrap();

        // Yuexiu's administrator sees none of them and cannot act on them.
        let yuexiu = Reviewer::of(&w.gz.yuexiu, Role::OrgAdmin);
        let (_, page) = deletion::queue(&ctx, &yuexiu.ctx(), None, None, None, None)
            .await
            .unwrap();
        assert_eq!(page.total, 0);
        let (_, tianhe_page) = deletion::queue(
            &ctx,
            &Reviewer::of(&w.gz.tianhe, Role::OrgAdmin).ctx(),
            None,
            None,
            None,
            None,
        )
        .await
        .unwrap();
        assert_eq!(tianhe_page.total, 2, "the member's and the applicant's");
        let ids: Vec<_> = tianhe_page.items.iter().map(|r| r.id).collect();
        assert!(matches!(
            deletion::handle(&ctx, &yuexiu.ctx(), ids[0], Outcome::Erase).await,
            Err(AppError::NotFound(_))
        ));
        // A reviewer is not enough: it takes an org_admin.
        let reviewer = Reviewer::of(&w.gz.tianhe, Role::Reviewer);
        assert!(
            deletion::handle(&ctx, &reviewer.ctx(), ids[0], Outcome::Erase)
                .await
                .is_err()
        );

        let admin = Reviewer::of(&w.gz.tianhe, Role::OrgAdmin);
        // The member: the membership record stays, the optional data goes.
        let done = deletion::handle(&ctx, &admin.ctx(), ids[0], Outcome::Erase)
            .await
            .unwrap();
        assert_eq!(done.status.as_str(), "done");
        let kept = zhijia_store::worker::find_by_phone(db, "13500000001")
            .await
            .unwrap()
            .expect("membership record kept");
        let data = zhijia_app::me::export(db, Some(&env.keys), "13500000001")
            .await
            .unwrap();
        assert!(data.worker.is_some());
        assert_eq!(
            zhijia_store::membership::history(db, kept.id)
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            zhijia_store::membership::messages(db, kept.id, 10, 0)
                .await
                .unwrap()
                .total,
            0,
            "the inbox is gone"
        );
        assert!(
            data.deletion_requests[0]
                .note
                .as_deref()
                .unwrap()
                .contains("保留")
        );
        // Handled once only.
        assert!(matches!(
            deletion::handle(&ctx, &admin.ctx(), ids[0], Outcome::Erase).await,
            Err(AppError::Conflict(_))
        ));
        // The applicant who never got in: everything goes.
        deletion::handle(&ctx, &admin.ctx(), ids[1], Outcome::Erase)
            .await
            .unwrap();
        assert!(
            zhijia_store::worker::find_by_phone(db, "13500000002")
                .await
                .unwrap()
                .is_none()
        );
        // The stranger's request belongs to the top of the tree; refusing needs a reason.
        let top = Reviewer::of(&w.gz.prov, Role::OrgAdmin);
        let (_, top_page) = deletion::queue(&ctx, &top.ctx(), None, None, None, None)
            .await
            .unwrap();
        let stranger = top_page
            .items
            .iter()
            .find(|r| r.phone == "13500000003")
            .expect("at the top")
            .id;
        assert!(matches!(
            deletion::handle(&ctx, &admin.ctx(), stranger, Outcome::Erase).await,
            Err(AppError::NotFound(_))
        ));
        let empty = deletion::handle(
            &ctx,
            &top.ctx(),
            stranger,
            Outcome::Refuse { reason: " ".into() },
        )
        .await
        .unwrap_err();
        assert_eq!(empty.field(), Some("reason"));
        let refused = deletion::handle(
            &ctx,
            &top.ctx(),
            stranger,
            Outcome::Refuse {
                reason: "登录记录依法保存6个月".into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(refused.status.as_str(), "refused");
        // Every outcome is in the audit log, once.
        let audit = zhijia_store::audit::all(db, 100, 0).await.unwrap();
        let count = |a: &str| audit.items.iter().filter(|e| e.action == a).count();
        assert_eq!(count("pii.deletion_done"), 2);
        assert_eq!(count("pii.deletion_refused"), 1);
    }
);
