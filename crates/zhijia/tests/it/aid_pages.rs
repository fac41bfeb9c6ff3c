//! Aid pages on a real server: the worker's side ("我的帮扶" shows the household's file and
//! where its applications stand, never health or income; an objection to a public notice from
//! the notice page), and console forms that come back with the reason and what was typed when
//! refused.

use crate::aid::{AidEnv, approve_all, chain, daily, opened};
use crate::aid_http::start;
use crate::helpers::{TestDb, csrf_of, page_text, worker_signed_in};
use crate::membership::world;
use crate::on_both;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::Value;
use zhijia_app::aid::application;

on_both!(
    a_worker_sees_their_households_aid_and_objects_to_a_notice_on_the_page,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        // 李大强 (phone 13700137001) heads a file; one application approved, one in review.
        let (file_id, _, _) = opened(db, &env, &w, &c).await;
        let ctx = env.ctx(db);
        let approved =
            application::apply(&ctx, &c.county.ctx(), &daily(file_id, 150_000), Utc::now())
                .await
                .unwrap();
        approve_all(db, &env, &c, approved, Utc::now()).await;
        application::apply(&ctx, &c.county.ctx(), &daily(file_id, 80_000), Utc::now())
            .await
            .unwrap();
        let base = start(&t, &env).await;

        let head = worker_signed_in(&base, "13700137001").await;
        let mine = page_text(&head, format!("{base}/aid/mine")).await;
        assert!(mine.contains(&format!("困难职工档案 #{file_id}")), "{mine}");
        assert!(mine.contains("1500.00") && mine.contains("已批准"));
        assert!(mine.contains("800.00") && mine.contains("审批第1步，共2步"));
        assert!(!mine.contains("透析"), "health stays in the console");
        // The same in the JSON API (here with the page's session; API clients send a token).
        let api: Value = head
            .get(format!("{base}/api/v1/me/aid"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(api[0]["id"], file_id.0);
        assert_eq!(api[0]["applications"].as_array().unwrap().len(), 2);
        for key in ["health", "disability", "income_per_head_fen"] {
            assert!(api[0].get(key).is_none(), "{key} absent");
        }
        let anonymous = reqwest::get(format!("{base}/api/v1/me/aid")).await.unwrap();
        assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
        let stranger = worker_signed_in(&base, "13900139081").await;
        let theirs = page_text(&stranger, format!("{base}/aid/mine")).await;
        assert!(theirs.contains("您还没有帮扶申请"), "{theirs}");
        assert!(
            theirs.contains("帮扶申请须由在会会员提出"),
            "told why they cannot apply"
        );
        assert!(!theirs.contains("1500.00"));

        // The stranger objects from the notice page: an empty objection is refused and kept
        // on the page; a real one pauses payment.
        let notice = page_text(&stranger, format!("{base}/aid/notice")).await;
        assert!(notice.contains(&format!("/aid/notice/{approved}/objection")));
        let form = page_text(&stranger, format!("{base}/aid/notice/{approved}/objection")).await;
        assert!(form.contains("李*强") && !form.contains("李大强"));
        let csrf = csrf_of(&form);
        let r = stranger
            .post(format!("{base}/aid/notice/{approved}/objection"))
            .form(&[("csrf", csrf.as_str()), ("detail", " ")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = stranger
            .post(format!("{base}/aid/notice/{approved}/objection"))
            .form(&[("csrf", csrf.as_str()), ("detail", "该户有稳定的房租收入")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("异议已提交"));
        let api: Value = reqwest::get(format!("{base}/api/v1/aid/notice"))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(api["items"][0]["objected"], true);
        let mine = page_text(&head, format!("{base}/aid/mine")).await;
        assert!(mine.contains("有异议"), "the household sees payment paused");
        // Without a CSRF token nothing is filed; an application not on notice cannot be objected.
        let r = stranger
            .post(format!("{base}/aid/notice/{approved}/objection"))
            .form(&[("detail", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let form = page_text(&stranger, format!("{base}/aid/notice/999999/objection")).await;
        assert!(form.contains("不在公示期"));
    }
);

on_both!(
    a_refused_console_form_comes_back_with_the_reason_and_what_was_typed,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (file_id, _, _) = opened(db, &env, &w, &c).await;
        let base = start(&t, &env).await;
        let officer = crate::helpers::sign_in(&base, "aid.tianhe", crate::aid::PASSWORD).await;
        // An application over the yearly cap: refused, the form opens again with the amount,
        // the kind and the reason as typed.
        let page = page_text(&officer, format!("{base}/console/aid/files/{file_id}")).await;
        let csrf = csrf_of(&page);
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("kind", "medical")
            .text("amount", "999999")
            .text("reason", "住院押金十万元");
        let r = officer
            .post(format!("{base}/console/aid/files/{file_id}/applications"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let back = r.text().await.unwrap();
        assert!(back.contains("role=\"alert\""), "{back}");
        assert!(back.contains("value=\"999999\"") && back.contains("住院押金十万元"));
        assert!(back.contains("<option value=\"medical\" selected>"));
        // A bad income on a new file: the household's details come back too.
        let r = officer
            .post(format!("{base}/console/aid/files"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("head_id_number", "440106198503030011"),
                ("cause", "accident"),
                ("household_size", "3"),
                ("income", "八百"),
                ("health", "户主工伤致残"),
                ("disability", "肢体三级"),
                ("housing", "租住"),
                ("members", "王五,配偶,440106198706060012"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let back = r.text().await.unwrap();
        assert!(back.contains("户主工伤致残") && back.contains("肢体三级"));
        assert!(back.contains("王五,配偶,440106198706060012"));
        assert!(back.contains("<details open>"));
    }
);
