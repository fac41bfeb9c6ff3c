//! Model workers (劳模风采) on both backends: the public sees only published records (pages and
//! API), publishing needs consent, a linked member must be of the staff's branch and carries
//! the tag `model_worker` until withdrawal; another branch's staff find nothing; the console
//! keeps refused forms; every staff write is audited.

use crate::aid::{AidEnv, PASSWORD, member, staff_with};
use crate::helpers::{TestDb, csrf_of, page_text, sign_in, worker_api_token};
use crate::membership::{World, world};
use crate::membership_http::staff_token;
use crate::on_both;
use chrono::Utc;
use reqwest::StatusCode;
use serde_json::{Value, json};
use zhijia_app::AppError;
use zhijia_app::caller::StaffCtx;
use zhijia_app::model_worker::{ModelWorkerInput, ModelWorkers};
use zhijia_app::publishable as pb;
use zhijia_domain::auth::Role;
use zhijia_domain::publishing::PublishStatus;
use zhijia_store::Store;

pub fn record(org: i64, name: &str) -> ModelWorkerInput {
    ModelWorkerInput {
        org: Some(org),
        name: name.into(),
        honour: "全国劳动模范".into(),
        level: "national".into(),
        year: 2020,
        employer: "广州天河电子厂".into(),
        story: "扎根一线二十年。\n带出徒弟三十余名。".into(),
        member_no: None,
        consent: true,
    }
}

/// A member of the Tianhe factory; their worker id and member number.
async fn factory_member(db: &Store, w: &World, phone: &str, seq: u16) -> (i64, String) {
    member(db, &AidEnv::new(), w, "李桂英", phone, seq).await;
    let worker = zhijia_store::worker::find_by_phone(db, phone)
        .await
        .unwrap()
        .unwrap();
    (worker.id.0, worker.member_no.expect("numbered on approval"))
}

/// A member of the Yuexiu department store (another district); their member number.
async fn yuexiu_member(db: &Store, w: &World, phone: &str) -> String {
    let env = AidEnv::new();
    let idn = crate::membership::id_number("440104", (1990, 4, 4), 77);
    let sub = zhijia_app::membership::join::apply(
        &env.env.ctx(db),
        phone,
        &crate::membership::employee("吴九", &idn, "越秀百货", &w.shop_code),
        Utc::now(),
    )
    .await
    .unwrap();
    let reviewer = crate::membership::Reviewer::of(&w.shop, Role::Reviewer);
    zhijia_app::membership::join::decide(
        &env.env.ctx(db),
        &reviewer.ctx(),
        sub.application_id,
        zhijia_app::membership::join::Decision::Approve,
        Utc::now(),
    )
    .await
    .unwrap();
    zhijia_store::worker::find_by_phone(db, phone)
        .await
        .unwrap()
        .unwrap()
        .member_no
        .unwrap()
}

async fn audited(db: &Store, action: &str, id: zhijia_domain::ids::PublishableId) -> i64 {
    db.query_one(
        "SELECT COUNT(*) FROM audit_log WHERE action = $1 AND target_kind = 'model_worker' \
         AND target_id = $2",
        &[&action, &id.to_string()],
    )
    .await
    .unwrap()
}

async fn published(
    db: &Store,
    staff: &StaffCtx<'_>,
    input: &ModelWorkerInput,
) -> zhijia_domain::ids::PublishableId {
    let id = pb::create::<ModelWorkers>(db, staff, input, Utc::now())
        .await
        .unwrap();
    pb::publish::<ModelWorkers>(db, staff, id, Utc::now())
        .await
        .unwrap();
    id
}

on_both!(
    publishing_needs_consent_and_a_linked_member_is_honoured_until_withdrawal,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let editor = staff_with(db, "mw.editor", &[(Role::Editor, &w.gz.tianhe)]).await;
        let (worker_id, member_no) = factory_member(db, &w, "13600001111", 501).await;
        let input = ModelWorkerInput {
            member_no: Some(member_no.clone()),
            consent: false,
            ..record(w.gz.tianhe.id.0, "李桂英")
        };
        let id = pb::create::<ModelWorkers>(db, &editor.ctx(), &input, Utc::now())
            .await
            .unwrap();
        // A draft already gives the tag: the honour is a fact of the record.
        assert!(
            zhijia_store::model_worker::is_honoured(db, zhijia_domain::ids::WorkerId(worker_id))
                .await
                .unwrap()
        );
        let refused = pb::publish::<ModelWorkers>(db, &editor.ctx(), id, Utc::now()).await;
        match refused {
            Err(AppError::Conflict(m)) => assert!(m.contains("同意"), "{m}"),
            other => panic!("publishing without consent: {other:?}"),
        }
        let with_consent = ModelWorkerInput {
            consent: true,
            ..input.clone()
        };
        let m = pb::update::<ModelWorkers>(db, &editor.ctx(), id, &with_consent, Utc::now())
            .await
            .unwrap();
        assert!(m.content.consent_at.is_some());
        assert_eq!(m.content.member_no.as_deref(), Some(member_no.as_str()));
        let m = pb::publish::<ModelWorkers>(db, &editor.ctx(), id, Utc::now())
            .await
            .unwrap();
        assert_eq!(m.status, PublishStatus::Published);
        // A published record keeps its consent; publishing twice is refused.
        let cleared = pb::update::<ModelWorkers>(db, &editor.ctx(), id, &input, Utc::now()).await;
        assert!(matches!(cleared, Err(AppError::Conflict(_))), "{cleared:?}");
        assert!(matches!(
            pb::publish::<ModelWorkers>(db, &editor.ctx(), id, Utc::now()).await,
            Err(AppError::Conflict(_))
        ));
        let public = pb::public::<ModelWorkers>(db, id).await.unwrap();
        assert_eq!(public.name, "李桂英");
        pb::withdraw::<ModelWorkers>(db, &editor.ctx(), id)
            .await
            .unwrap();
        assert!(
            !zhijia_store::model_worker::is_honoured(db, zhijia_domain::ids::WorkerId(worker_id))
                .await
                .unwrap(),
            "withdrawn: no tag"
        );
        assert!(matches!(
            pb::public::<ModelWorkers>(db, id).await,
            Err(AppError::NotFound(_))
        ));
        assert!(matches!(
            pb::withdraw::<ModelWorkers>(db, &editor.ctx(), id).await,
            Err(AppError::Conflict(_))
        ));
        // Withdrawn, the consent may be cleared; published again, the tag returns.
        pb::publish::<ModelWorkers>(db, &editor.ctx(), id, Utc::now())
            .await
            .unwrap();
        assert!(
            zhijia_store::model_worker::is_honoured(db, zhijia_domain::ids::WorkerId(worker_id))
                .await
                .unwrap()
        );
        for action in [
            "model_worker.created",
            "model_worker.updated",
            "model_worker.withdrawn",
        ] {
            assert_eq!(audited(db, action, id).await, 1, "{action}");
        }
        assert_eq!(audited(db, "model_worker.published", id).await, 2);
    }
);

on_both!(
    linking_a_member_of_another_branch_or_an_unknown_number_is_refused,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let editor = staff_with(db, "mw.tianhe", &[(Role::OrgAdmin, &w.gz.tianhe)]).await;
        let other = yuexiu_member(db, &w, "13600002222").await;
        let refused = |no: &str| ModelWorkerInput {
            member_no: Some(no.into()),
            ..record(w.gz.tianhe.id.0, "吴九")
        };
        let unknown = zhijia_domain::member::MemberNo::from_serial(99_999)
            .unwrap()
            .to_string();
        for no in [other.as_str(), unknown.as_str()] {
            match pb::create::<ModelWorkers>(db, &editor.ctx(), &refused(no), Utc::now()).await {
                Err(AppError::Invalid(v)) => {
                    assert_eq!(v.field, "member_no");
                    assert!(
                        v.message.contains("不是本级及下级工会的在册会员"),
                        "{}",
                        v.message
                    );
                }
                other => panic!("{no}: {other:?}"),
            }
        }
        let count: i64 = db
            .query_one("SELECT COUNT(*) FROM model_worker", &[])
            .await
            .unwrap();
        assert_eq!(count, 0, "nothing recorded");
        // A past honouree needs no link; a reviewer may not record at all.
        assert!(
            pb::create::<ModelWorkers>(
                db,
                &editor.ctx(),
                &record(w.gz.tianhe.id.0, "陈秀兰"),
                Utc::now()
            )
            .await
            .is_ok()
        );
        let reviewer = staff_with(db, "mw.reviewer", &[(Role::Reviewer, &w.gz.tianhe)]).await;
        assert!(matches!(
            pb::create::<ModelWorkers>(
                db,
                &reviewer.ctx(),
                &record(w.gz.tianhe.id.0, "陈秀兰"),
                Utc::now()
            )
            .await,
            Err(AppError::Forbidden(_))
        ));
        // Out-of-range input names its field.
        let bad = ModelWorkerInput {
            year: 1949,
            ..record(w.gz.tianhe.id.0, "陈秀兰")
        };
        match pb::create::<ModelWorkers>(db, &editor.ctx(), &bad, Utc::now()).await {
            Err(AppError::Invalid(v)) => assert_eq!(v.field, "year"),
            other => panic!("{other:?}"),
        }
    }
);

on_both!(
    the_public_sees_only_published_records_without_personal_numbers,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let editor = staff_with(db, "mw.editor", &[(Role::Editor, &w.gz.tianhe)]).await;
        let yuexiu = staff_with(db, "mw.yuexiu", &[(Role::Editor, &w.gz.yuexiu)]).await;
        let (_, member_no) = factory_member(db, &w, "13600003333", 503).await;
        let shown = published(
            db,
            &editor.ctx(),
            &ModelWorkerInput {
                member_no: Some(member_no.clone()),
                ..record(w.factory.id.0, "李桂英")
            },
        )
        .await;
        let draft = pb::create::<ModelWorkers>(
            db,
            &editor.ctx(),
            &record(w.gz.tianhe.id.0, "草稿劳模"),
            Utc::now(),
        )
        .await
        .unwrap();
        let gone = published(db, &editor.ctx(), &record(w.gz.tianhe.id.0, "撤回劳模")).await;
        pb::withdraw::<ModelWorkers>(db, &editor.ctx(), gone)
            .await
            .unwrap();
        published(
            db,
            &yuexiu.ctx(),
            &ModelWorkerInput {
                level: "city".into(),
                ..record(w.gz.yuexiu.id.0, "越秀劳模")
            },
        )
        .await;

        let base = crate::helpers::demo_site(&t).await;
        let http = reqwest::Client::new();
        // No sign-in: the list and the record.
        let list = page_text(&http, format!("{base}/model-workers")).await;
        assert!(
            list.contains("李桂英") && list.contains("越秀劳模"),
            "{list}"
        );
        assert!(!list.contains("草稿劳模") && !list.contains("撤回劳模"));
        let r = http
            .get(format!("{base}/model-workers/{shown}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let page = r.text().await.unwrap();
        assert!(
            page.contains("<p>扎根一线二十年。</p>") && page.contains("<p>带出徒弟三十余名。</p>")
        );
        assert!(!page.contains(&member_no), "no member number on the page");
        for hidden in [draft, gone] {
            let r = http
                .get(format!("{base}/model-workers/{hidden}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
            let r = http
                .get(format!("{base}/api/v1/model-workers/{hidden}"))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND);
        }
        let one: Value = http
            .get(format!("{base}/api/v1/model-workers/{shown}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(one["name"], "李桂英");
        assert_eq!(one["level_label"], "全国");
        let text = one.to_string();
        for leak in [
            "member_no",
            "worker_id",
            "consent",
            "13600003333",
            &member_no,
        ] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
        // Filters: by union subtree and by level.
        let all: Value = http
            .get(format!("{base}/api/v1/model-workers"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(all["total"], 2);
        let tianhe: Value = http
            .get(format!(
                "{base}/api/v1/model-workers?org={}",
                w.gz.tianhe.id.0
            ))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(tianhe["total"], 1);
        assert_eq!(tianhe["items"][0]["name"], "李桂英");
        let city: Value = http
            .get(format!("{base}/api/v1/model-workers?level=city"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(city["total"], 1);
        assert_eq!(city["items"][0]["name"], "越秀劳模");
        let page = page_text(
            &http,
            format!("{base}/model-workers?org={}", w.gz.yuexiu.id.0),
        )
        .await;
        assert!(page.contains("越秀劳模") && !page.contains("李桂英"));
        let r = http
            .get(format!("{base}/api/v1/model-workers?level=township"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // The home page links the showcase.
        let home = page_text(&http, format!("{base}/")).await;
        assert!(home.contains("href=\"/model-workers\""));
    }
);

on_both!(
    the_showcase_pages_through_many_records,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let editor = staff_with(db, "mw.editor", &[(Role::Editor, &w.gz.tianhe)]).await;
        for k in 0..32 {
            published(
                db,
                &editor.ctx(),
                &record(w.gz.tianhe.id.0, &format!("劳模{k:02}")),
            )
            .await;
        }
        let base = crate::helpers::demo_site(&t).await;
        let http = reqwest::Client::new();
        let tail: Value = http
            .get(format!("{base}/api/v1/model-workers?limit=10&offset=30"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(tail["total"], 32);
        let names: Vec<&str> = tail["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["劳模01", "劳模00"], "oldest last");
        let first = page_text(&http, format!("{base}/model-workers")).await;
        assert!(first.contains("第 1 / 2 页") && first.contains("劳模31"));
        assert!(!first.contains("劳模01"));
        let second = page_text(&http, format!("{base}/model-workers?page=2")).await;
        assert!(second.contains("劳模01") && second.contains("劳模00"));
        assert!(!second.contains("劳模31"));
        // Staff list pages too.
        let staff = sign_in(&base, "mw.editor", PASSWORD).await;
        let console = page_text(&staff, format!("{base}/console/model-workers")).await;
        assert!(console.contains("第 1 / 2 页"), "{console}");
        let api = staff_token(&base, "mw.editor", PASSWORD).await;
        let listed: Value = http
            .get(format!("{base}/api/v1/console/model-workers?limit=5"))
            .bearer_auth(&api)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed["total"], 32);
        assert_eq!(listed["items"].as_array().unwrap().len(), 5);
    }
);

on_both!(
    another_branchs_staff_find_nothing_and_a_worker_token_opens_no_staff_endpoint,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        staff_with(db, "mw.editor", &[(Role::Editor, &w.gz.tianhe)]).await;
        staff_with(db, "mw.yuexiu", &[(Role::OrgAdmin, &w.gz.yuexiu)]).await;
        factory_member(db, &w, "13600004444", 504).await;
        let base = crate::helpers::demo_site(&t).await;
        let http = reqwest::Client::new();
        let tianhe = staff_token(&base, "mw.editor", PASSWORD).await;
        let body = json!({
            "org": w.gz.tianhe.id.0, "name": "李桂英", "honour": "全国劳动模范",
            "level": "national", "year": 2020, "employer": "广州天河电子厂",
            "story": "扎根一线二十年。", "consent": true
        });
        let r = http
            .post(format!("{base}/api/v1/console/model-workers"))
            .bearer_auth(&tianhe)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();

        let yuexiu = staff_token(&base, "mw.yuexiu", PASSWORD).await;
        let r = http
            .get(format!("{base}/api/v1/console/model-workers/{id}"))
            .bearer_auth(&yuexiu)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let r = http
            .put(format!("{base}/api/v1/console/model-workers/{id}"))
            .bearer_auth(&yuexiu)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        for step in ["publish", "withdraw"] {
            let r = http
                .post(format!("{base}/api/v1/console/model-workers/{id}/{step}"))
                .bearer_auth(&yuexiu)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{step}");
        }
        let r = http
            .get(format!(
                "{base}/api/v1/console/model-workers?org={}",
                w.gz.tianhe.id.0
            ))
            .bearer_auth(&yuexiu)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let console = sign_in(&base, "mw.yuexiu", PASSWORD).await;
        let r = console
            .get(format!("{base}/console/model-workers/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
        let yuexiu_list = page_text(&console, format!("{base}/console/model-workers")).await;
        assert!(!yuexiu_list.contains("李桂英"));
        let mine = page_text(&console, format!("{base}/console")).await;
        assert!(mine.contains("href=\"/console/model-workers\""));

        // A worker's token opens none of the staff endpoints.
        let worker = worker_api_token(&base, "13600004444").await;
        let r = http
            .post(format!("{base}/api/v1/console/model-workers"))
            .bearer_auth(&worker)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        for path in [
            "/api/v1/console/model-workers".to_owned(),
            format!("/api/v1/console/model-workers/{id}"),
        ] {
            let r = http
                .get(format!("{base}{path}"))
                .bearer_auth(&worker)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{path}");
        }
        let r = http
            .post(format!("{base}/api/v1/console/model-workers/{id}/publish"))
            .bearer_auth(&worker)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

        // The owner publishes through the API; the record is public.
        let r = http
            .post(format!("{base}/api/v1/console/model-workers/{id}/publish"))
            .bearer_auth(&tianhe)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let staff_view: Value = r.json().await.unwrap();
        assert_eq!(staff_view["status"], "published");
        let r = http
            .get(format!("{base}/api/v1/model-workers/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        // The OpenAPI document lists the culture endpoints under their tag.
        let doc: Value = http
            .get(format!("{base}/api/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            doc["paths"]["/api/v1/model-workers"]["get"]["tags"][0],
            "culture"
        );
        assert!(doc["paths"]["/api/v1/console/model-workers/{id}"]["put"].is_object());
    }
);

on_both!(
    the_console_records_publishes_and_keeps_refused_forms,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        staff_with(db, "mw.editor", &[(Role::Editor, &w.gz.tianhe)]).await;
        let base = crate::helpers::demo_site(&t).await;
        let staff = sign_in(&base, "mw.editor", PASSWORD).await;
        let page = page_text(&staff, format!("{base}/console/model-workers")).await;
        let csrf = csrf_of(&page);
        let org = w.gz.tianhe.id.0.to_string();
        let mut form = vec![
            ("csrf", csrf.clone()),
            ("org", org.clone()),
            ("name", "<script>x</script>".to_owned()),
            ("honour", "全国劳动模范".to_owned()),
            ("level", "national".to_owned()),
            ("year", "1900".to_owned()),
            ("employer", "广州天河电子厂".to_owned()),
            (
                "story",
                "<b>事迹</b>\n<script>alert('x')</script>".to_owned(),
            ),
        ];
        // Refused: the reason and what was typed come back (escaped).
        let r = staff
            .post(format!("{base}/console/model-workers"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let refused = r.text().await.unwrap();
        assert!(refused.contains("获评年份"), "{refused}");
        assert!(refused.contains("&#60;script&#62;x&#60;/script&#62;"));
        assert!(!refused.contains("<script>x"));
        // Without consent: saved as a draft, publishing is refused with the reason.
        form[5].1 = "2021".to_owned();
        let r = staff
            .post(format!("{base}/console/model-workers"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let path = r.url().path().to_owned();
        let id: i64 = path.rsplit('/').next().unwrap().parse().unwrap();
        let r = staff
            .post(format!("{base}{path}/publish"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CONFLICT);
        assert!(r.text().await.unwrap().contains("同意"));
        // The edit form records the consent; then publishing works.
        form.push(("consent", "on".to_owned()));
        let r = staff
            .post(format!("{base}{path}"))
            .form(&form[..])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let r = staff
            .post(format!("{base}{path}/publish"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.text().await.unwrap().contains("撤回发布"));
        // The public page shows the text escaped, in paragraphs.
        let public = page_text(
            &reqwest::Client::new(),
            format!("{base}/model-workers/{id}"),
        )
        .await;
        assert!(
            public.contains("<p>&#60;b&#62;事迹&#60;/b&#62;</p>"),
            "{public}"
        );
        assert!(public.contains("&#60;script&#62;x&#60;/script&#62;"));
        assert!(!public.contains("<script>") && !public.contains("<b>事迹"));
        // A form without the CSRF token is refused.
        let r = staff
            .post(format!("{base}{path}/withdraw"))
            .form(&[("csrf", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = staff
            .post(format!("{base}{path}/withdraw"))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        for action in [
            "model_worker.created",
            "model_worker.updated",
            "model_worker.published",
            "model_worker.withdrawn",
        ] {
            assert_eq!(
                audited(db, action, zhijia_domain::ids::PublishableId(id)).await,
                1,
                "{action}"
            );
        }
        let by_editor: i64 = db
            .query_one(
                "SELECT COUNT(*) FROM audit_log WHERE action = 'model_worker.published' \
                 AND actor_kind = 'staff' AND actor_name = 'mw.editor'",
                &[],
            )
            .await
            .unwrap();
        assert_eq!(by_editor, 1, "the staff member is the actor");
    }
);
