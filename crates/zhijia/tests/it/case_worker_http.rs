//! The worker's case form (issue 13), on both backends: the place of work is chosen from the
//! region lists (no code typed, no union number asked), a refused form keeps everything typed,
//! the place and the photo chosen (kept for this phone only), the list shows Beijing dates and
//! an empty state; the JSON API takes kept files too.

use crate::case::PNG;
use crate::helpers::{TestDb, csrf_of, page_text, worker_api_token, worker_signed_in};
use crate::membership::world;
use crate::on_both;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

fn kept_of(html: &str) -> String {
    let at = html.find("name=\"kept\" value=\"").expect("the kept field") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

on_both!(
    the_case_form_picks_the_region_from_lists_and_keeps_the_photo_across_a_refusal,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let worker = worker_signed_in(&base, "13900139301").await;
        let list = page_text(&worker, format!("{base}/cases")).await;
        assert!(
            list.contains("您还没有提交过诉求"),
            "an empty state: {list}"
        );

        let html = page_text(&worker, format!("{base}/cases/new")).await;
        assert!(
            html.contains("<fieldset class=\"region\""),
            "the region picker"
        );
        assert!(html.contains("<option value=\"440000\">广东省</option>"));
        assert!(html.contains("<input type=\"hidden\" name=\"region_code\""));
        assert!(
            !html.contains("如 440106") && !html.contains("township_org_id"),
            "no code typed"
        );
        assert!(html.contains("region.js"), "the picker's script is loaded");
        let csrf = csrf_of(&html);
        let send = |title: &str| {
            Form::new()
                .text("csrf", csrf.clone())
                .text("kind", "complaint")
                .text("title", title.to_owned())
                .text("description", "八月至十月工资未发")
                .text("filer_name", "赵六")
                .text("employer_name", "广州天河电子厂")
                .text("employer_credit_code", w.factory_code.clone())
                .text("region_code", "440106")
        };
        let r = worker
            .post(format!("{base}/cases/new"))
            .multipart(send("").part("file", Part::bytes(PNG.to_vec()).file_name("工资条.png")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("请填写标题"), "{html}");
        assert!(html.contains("class=\"field-error\""));
        assert!(html.contains("八月至十月工资未发"), "the description kept");
        assert!(
            html.contains("<option value=\"440106\" selected>天河区</option>"),
            "the place kept"
        );
        assert!(html.contains("已上传：工资条.png"), "the photo kept");
        let kept = kept_of(&html);

        // Another phone cannot file with the kept photo.
        let other = worker_signed_in(&base, "13900139302").await;
        let other_csrf = csrf_of(&page_text(&other, format!("{base}/cases/new")).await);
        let r = other
            .post(format!("{base}/cases/new"))
            .multipart(
                send("拖欠工资")
                    .text("csrf", other_csrf)
                    .text("kept", kept.clone()),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("已上传的文件已失效"));
        let theirs = page_text(&other, format!("{base}/cases")).await;
        assert!(
            theirs.contains("您还没有提交过诉求"),
            "nothing filed for the other phone"
        );

        // With the title: filed with the kept photo, no file chosen again.
        let r = worker
            .post(format!("{base}/cases/new"))
            .multipart(send("拖欠工资").text("kept", kept.clone()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let id: i64 = r
            .url()
            .path()
            .trim_start_matches("/cases/")
            .parse()
            .unwrap();
        let html = r.text().await.unwrap();
        assert!(html.contains("工资条.png"), "{html}");
        let list = page_text(&worker, format!("{base}/cases")).await;
        assert!(list.contains(&format!("href=\"/cases/{id}\"")));
        assert!(list.contains("日提交"), "a date as people read it: {list}");
        assert!(
            !list.contains("-12-") && !list.contains("T0"),
            "no ISO dates: {list}"
        );
    }
);

on_both!(
    the_case_api_files_with_a_kept_photo_of_the_caller_only,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let http = reqwest::Client::new();
        let a = worker_api_token(&base, "13900139311").await;
        let b = worker_api_token(&base, "13900139312").await;
        let kept: Value = http
            .post(format!("{base}/api/v1/me/uploads?name=工资条.png"))
            .bearer_auth(&a)
            .body(PNG.to_vec())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let case = |ids: Value| {
            json!({
                "kind": "complaint", "title": "拖欠工资", "description": "三个月未发",
                "employer_name": "广州天河电子厂", "employer_credit_code": w.factory_code,
                "region_code": "440106", "filer_name": "赵六", "upload_ids": ids
            })
        };
        let r = http
            .post(format!("{base}/api/v1/me/cases"))
            .bearer_auth(&b)
            .json(&case(json!([kept["id"]])))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let r = http
            .post(format!("{base}/api/v1/me/cases"))
            .bearer_auth(&a)
            .json(&case(json!([kept["id"]])))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let d: Value = http
            .get(format!("{base}/api/v1/me/cases/{id}"))
            .bearer_auth(&a)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(d["attachments"][0]["file_name"], "工资条.png", "{d}");
    }
);
