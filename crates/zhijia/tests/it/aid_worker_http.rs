//! A worker applies for hardship aid from the phone (issue 13), on both backends, through the
//! pages and the JSON API: the application enters the staged review staff work in, with its
//! documents; a refused form keeps what was typed and the files chosen (kept for the uploader
//! only); a non-member is told why; another union's worker can neither see nor add to it.

use crate::aid::{AidEnv, PDF, chain, member};
use crate::aid_http::start;
use crate::helpers::{TestDb, csrf_of, page_text, worker_api_token, worker_signed_in};
use crate::membership::{Reviewer, employee, id_number, world};
use crate::on_both;
use chrono::Utc;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use zhijia_app::aid::application::{self, DecisionInput};
use zhijia_app::membership::join::{self, Decision};
use zhijia_domain::auth::Role;
use zhijia_domain::ids::AidApplicationId;

/// Makes `name` a member of the Yuexiu shop's union (another branch than the Tianhe factory).
async fn shop_member(
    db: &zhijia_store::Store,
    env: &AidEnv,
    w: &crate::membership::World,
    name: &str,
    phone: &str,
    seq: u16,
) {
    let ctx = env.env.ctx(db);
    let id = id_number("440104", (1990, 5, 5), seq);
    let sub = join::apply(
        &ctx,
        phone,
        &employee(name, &id, "越秀百货公司", &w.shop_code),
        Utc::now(),
    )
    .await
    .unwrap();
    join::decide(
        &ctx,
        &Reviewer::of(&w.shop, Role::Reviewer).ctx(),
        sub.application_id,
        Decision::Approve,
        Utc::now(),
    )
    .await
    .unwrap();
}

fn pdf(name: &str) -> Part {
    Part::bytes(PDF.to_vec())
        .file_name(name.to_owned())
        .mime_str("application/pdf")
        .unwrap()
}

fn form(csrf: &str, fields: &[(&str, &str)]) -> Form {
    let mut f = Form::new().text("csrf", csrf.to_owned());
    for (k, v) in fields {
        f = f.text((*k).to_owned(), (*v).to_owned());
    }
    f
}

/// The value of the hidden field `kept` on a page.
fn kept_of(html: &str) -> String {
    let at = html.find("name=\"kept\" value=\"").expect("the kept field") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

on_both!(
    a_member_applies_from_the_phone_and_the_application_enters_the_staged_review,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        member(db, &env, &w, "张建国", "13700137021", 21).await;
        shop_member(db, &env, &w, "刘秀英", "13700137022", 22).await;
        let base = start(&t, &env).await;

        // Someone without a membership is told why, not given an error.
        let stranger = worker_signed_in(&base, "13900139023").await;
        let r = stranger
            .get(format!("{base}/aid/apply"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let text = r.text().await.unwrap();
        assert!(text.contains("帮扶申请须由在会会员提出"), "{text}");
        assert!(
            !text.contains("name=\"amount\""),
            "no form for a non-member"
        );

        let zhang = worker_signed_in(&base, "13700137021").await;
        let html = page_text(&zhang, format!("{base}/aid/mine")).await;
        assert!(html.contains("您还没有帮扶申请"), "an empty state: {html}");
        assert!(html.contains("href=\"/aid/apply\""), "a way to apply");
        let html = page_text(&zhang, format!("{base}/aid/apply")).await;
        assert!(
            html.contains("家庭情况"),
            "household figures asked without a file"
        );
        let csrf = csrf_of(&html);

        // No amount: refused at the field, everything typed kept, the bill kept.
        let typed = [
            ("kind", "medical"),
            ("amount", ""),
            ("reason", "妻子住院手术，自付费用三万元"),
            ("cause", "illness"),
            ("household_size", "3"),
            ("income", "800"),
            ("housing", "租房"),
        ];
        let r = zhang
            .post(format!("{base}/aid/apply"))
            .multipart(form(&csrf, &typed).part("file", pdf("住院发票.pdf")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("请填写申请金额"), "{html}");
        assert!(
            html.contains("class=\"field-error\""),
            "the message under the field"
        );
        assert!(
            html.contains("妻子住院手术，自付费用三万元"),
            "the reason kept"
        );
        assert!(html.contains("value=\"medical\" checked"), "the kind kept");
        assert!(
            html.contains("value=\"illness\" selected"),
            "the cause kept"
        );
        assert!(
            html.contains("已上传：住院发票.pdf"),
            "the file kept: {html}"
        );
        let kept = kept_of(&html);
        assert!(!kept.is_empty());

        // Another worker cannot use the kept file, even with its id.
        let liu = worker_signed_in(&base, "13700137022").await;
        let liu_csrf = csrf_of(&page_text(&liu, format!("{base}/aid/apply")).await);
        let mut theirs = typed.to_vec();
        theirs[1] = ("amount", "1000");
        let r = liu
            .post(format!("{base}/aid/apply"))
            .multipart(form(&liu_csrf, &theirs).text("kept", kept.clone()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("已上传的文件已失效"));

        // Sent again with the amount: the kept bill goes with it, no file chosen again.
        let mut fixed = typed.to_vec();
        fixed[1] = ("amount", "3000");
        let r = zhang
            .post(format!("{base}/aid/apply"))
            .multipart(form(&csrf, &fixed).text("kept", kept.clone()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.url().path().split('/').take(3).collect::<Vec<_>>(),
            ["", "aid", "mine"]
        );
        let id: AidApplicationId = r.url().path().rsplit('/').next().unwrap().parse().unwrap();
        let html = r.text().await.unwrap();
        assert!(html.contains("申请已提交"), "{html}");
        assert!(html.contains("住院发票.pdf"), "the document attached");
        assert!(html.contains("3000.00 元"));
        let list = page_text(&zhang, format!("{base}/aid/mine")).await;
        assert!(list.contains(&format!("href=\"/aid/mine/{id}\"")), "listed");
        assert!(list.contains("审批中"), "{list}");

        // Staff see it in their review, with the worker's document, and decide the first stage.
        let ctx = env.ctx(db);
        let d = application::detail(&ctx, &c.county.ctx(), id)
            .await
            .unwrap();
        assert_eq!(d.application.status.as_str(), "in_review");
        assert_eq!(d.application.current_stage, Some(0));
        assert_eq!(d.application.chain, ["grassroots", "county"]);
        assert_eq!(d.application.amount_fen, 300_000);
        assert_eq!(d.attachments.len(), 1);
        assert_eq!(d.attachments[0].uploaded_by, "申请人本人");
        application::decide(
            &ctx,
            &c.grassroots.ctx(),
            id,
            &DecisionInput {
                stage: 0,
                approve: true,
                reason: "情况属实，推荐".into(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
        let html = page_text(&zhang, format!("{base}/aid/mine/{id}")).await;
        assert!(
            html.contains("第2步，共2步"),
            "the worker sees the progress: {html}"
        );

        // The kept file was used up: it cannot be used twice.
        let r = zhang
            .post(format!("{base}/aid/apply"))
            .multipart(form(&csrf, &fixed).text("kept", kept.clone()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // A worker of another union neither sees nor adds to it.
        let r = liu
            .get(format!("{base}/aid/mine/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = liu
            .post(format!("{base}/aid/mine/{id}/files"))
            .multipart(
                Form::new()
                    .text("csrf", liu_csrf.clone())
                    .part("file", pdf("假材料.pdf")),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = liu
            .get(format!(
                "{base}/aid/mine/{id}/files/{}",
                d.attachments[0].id
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let d = application::detail(&ctx, &c.county.ctx(), id)
            .await
            .unwrap();
        assert_eq!(d.attachments.len(), 1, "nothing added by the other worker");

        // The applicant adds a document while it is in review.
        let r = zhang
            .post(format!("{base}/aid/mine/{id}/files"))
            .multipart(
                Form::new()
                    .text("csrf", csrf.clone())
                    .part("file", pdf("诊断证明.pdf")),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let d = application::detail(&ctx, &c.county.ctx(), id)
            .await
            .unwrap();
        assert_eq!(d.attachments.len(), 2);
        let f = zhang
            .get(format!(
                "{base}/aid/mine/{id}/files/{}",
                d.attachments[1].id
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(f.status(), StatusCode::OK);
        assert_eq!(f.bytes().await.unwrap().as_ref(), PDF);

        // A second application uses the file the first one opened: no figures asked.
        let html = page_text(&zhang, format!("{base}/aid/apply")).await;
        assert!(html.contains("您家已建档"), "{html}");
        assert!(!html.contains("name=\"household_size\""));
    }
);

on_both!(
    the_worker_aid_api_applies_with_kept_files_and_keeps_to_the_caller,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        member(db, &env, &w, "张建国", "13700137031", 31).await;
        shop_member(db, &env, &w, "刘秀英", "13700137032", 32).await;
        let base = start(&t, &env).await;
        let http = reqwest::Client::new();
        let zhang = worker_api_token(&base, "13700137031").await;
        let liu = worker_api_token(&base, "13700137032").await;
        let stranger = worker_api_token(&base, "13900139033").await;

        // Every endpoint of the worker's aid is in the API document.
        let doc: Value = http
            .get(format!("{base}/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for path in [
            "/api/v1/me/aid/standing",
            "/api/v1/me/aid/applications",
            "/api/v1/me/aid/applications/{id}",
            "/api/v1/me/aid/applications/{id}/attachments",
            "/api/v1/me/aid/applications/{id}/attachments/{file}",
            "/api/v1/me/uploads",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} documented");
        }
        assert!(doc["components"]["schemas"]["WorkerApplication"].is_object());
        let s: Value = http
            .get(format!("{base}/api/v1/me/aid/standing"))
            .bearer_auth(&stranger)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(s["state"], "not_member");
        let s: Value = http
            .get(format!("{base}/api/v1/me/aid/standing"))
            .bearer_auth(&zhang)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(s["state"], "member");
        assert!(s["file"].is_null());

        let kept: Value = http
            .post(format!("{base}/api/v1/me/uploads?name=发票.pdf"))
            .bearer_auth(&zhang)
            .body(PDF.to_vec())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let upload = kept["id"].as_i64().unwrap();
        assert_eq!(kept["file_name"], "发票.pdf");

        let mut body = json!({
            "kind": "daily_living", "amount_fen": 0, "reason": "失业半年，孩子上学",
            "cause": "unemployment", "household_size": 3, "income_per_head_fen": 50_000,
            "housing": "租房", "upload_ids": [upload]
        });
        let r = http
            .post(format!("{base}/api/v1/me/aid/applications"))
            .bearer_auth(&zhang)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["field"], "amount_fen");
        body["amount_fen"] = json!(200_000);

        // Not a member: explained as a conflict. Another worker: the upload is not theirs.
        let r = http
            .post(format!("{base}/api/v1/me/aid/applications"))
            .bearer_auth(&stranger)
            .json(&json!({"kind": "daily_living", "amount_fen": 100, "reason": "困难"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        let r = http
            .post(format!("{base}/api/v1/me/aid/applications"))
            .bearer_auth(&liu)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let e: Value = r.json().await.unwrap();
        assert_eq!(e["field"], "attachment");

        let r = http
            .post(format!("{base}/api/v1/me/aid/applications"))
            .bearer_auth(&zhang)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let applied: Value = r.json().await.unwrap();
        let id = AidApplicationId(applied["id"].as_i64().unwrap());
        assert_eq!(applied["file_opened"], true);
        let d = application::detail(&env.ctx(db), &c.county.ctx(), id)
            .await
            .unwrap();
        assert_eq!(d.attachments.len(), 1);
        assert_eq!(d.attachments[0].file_name, "发票.pdf");

        let mine: Value = http
            .get(format!("{base}/api/v1/me/aid/applications"))
            .bearer_auth(&zhang)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(mine["total"], 1);
        assert_eq!(mine["items"][0]["id"], id.0);
        let r = http
            .get(format!("{base}/api/v1/me/aid/applications/{id}"))
            .bearer_auth(&liu)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = http
            .post(format!(
                "{base}/api/v1/me/aid/applications/{id}/attachments?name=x.pdf"
            ))
            .bearer_auth(&liu)
            .body(PDF.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = http
            .post(format!(
                "{base}/api/v1/me/aid/applications/{id}/attachments?name=病历.pdf"
            ))
            .bearer_auth(&zhang)
            .body(PDF.to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let mine: Value = http
            .get(format!("{base}/api/v1/me/aid/applications/{id}"))
            .bearer_auth(&zhang)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(mine["attachments"].as_array().unwrap().len(), 2);
    }
);

on_both!(
    the_aid_notice_is_cards_on_a_phone_with_an_objection_button,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        let (file_id, _, _) = crate::aid::opened(db, &env, &w, &c).await;
        let id = application::apply(
            &env.ctx(db),
            &c.county.ctx(),
            &crate::aid::daily(file_id, 200_000),
            Utc::now(),
        )
        .await
        .unwrap();
        crate::aid::approve_all(db, &env, &c, id, Utc::now()).await;
        let base = start(&t, &env).await;
        let html = page_text(&reqwest::Client::new(), format!("{base}/aid/notice")).await;
        assert!(
            html.contains("<table class=\"grid cards notice\">"),
            "{html}"
        );
        for label in ["姓名", "所属工会", "帮扶类别", "金额(元)", "公示期", "状态"]
        {
            assert!(html.contains(&format!("data-label=\"{label}\"")), "{label}");
        }
        assert!(
            html.contains("<td data-label=\"姓名\" class=\"name\">李*强</td>"),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "<a class=\"button secondary\" href=\"/aid/notice/{id}/objection\">提出异议"
            )),
            "a button, not a bare link"
        );
        assert!(
            html.contains("月") && !html.contains("-12-"),
            "dates as people read them"
        );
    }
);

on_both!(
    my_aid_lists_applications_a_page_at_a_time_with_beijing_times,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = AidEnv::new();
        let c = chain(db, &env, &w).await;
        // 李大强 (13700137001) heads a file with 31 applications: two pages of 30.
        let (file_id, _, _) = crate::aid::opened(db, &env, &w, &c).await;
        let ctx = env.ctx(db);
        let mut first = AidApplicationId(0);
        for n in 0..31 {
            let id = application::apply(
                &ctx,
                &c.county.ctx(),
                &crate::aid::daily(file_id, 10_000 + n),
                Utc::now(),
            )
            .await
            .unwrap();
            if n == 0 {
                first = id;
            }
        }
        let base = start(&t, &env).await;
        let head = worker_signed_in(&base, "13700137001").await;
        let one = page_text(&head, format!("{base}/aid/mine")).await;
        assert!(one.contains("第 1 / 2 页，共 31 条"), "{one}");
        assert!(
            one.contains("href=\"/aid/mine?page=2\""),
            "a link to the next page"
        );
        assert!(
            !one.contains(&format!("href=\"/aid/mine/{first}\"")),
            "the oldest is on page 2"
        );
        let two = page_text(&head, format!("{base}/aid/mine?page=2")).await;
        assert!(
            two.contains(&format!("href=\"/aid/mine/{first}\"")),
            "{two}"
        );
        // Beijing time: the date and hour shown are UTC + 8 (the applications are seconds old).
        let shown = (Utc::now() + chrono::Duration::hours(8))
            .format("%-m月%-d日 %H:")
            .to_string();
        assert!(two.contains(&shown), "Beijing time {shown}: {two}");
    }
);
