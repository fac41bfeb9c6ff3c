//! The staff console over HTTP: the shell's side menu with the counts of what waits, the home's
//! figures, each within the caller's branch (a neighbouring branch sees none of it).

use crate::helpers::{TestDb, page_text, sign_in_second_admin};
use crate::membership::{id_number, world};
use crate::on_both;

/// The text of the side menu of a console page.
pub fn menu_of(page: &str) -> &str {
    let start = page.find("<nav class=\"side\"").expect("a side menu");
    let end = start + page[start..].find("</nav>").expect("the menu ends");
    &page[start..end]
}

/// Applies in the Tianhe factory's union through the worker API (the site's own keys encrypt
/// the identity number); returns the application id.
pub async fn apply_in_tianhe(base: &str, code: &str, name: &str, phone: &str, seq: u16) -> i64 {
    let token = crate::helpers::worker_api_token(base, phone).await;
    let id = id_number("440106", (1990, 3, 3), seq);
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/membership/applications"))
        .bearer_auth(&token)
        .json(&serde_json::json!({
            "name": name, "id_number": id, "ethnicity": "01", "employment": "employee",
            "employer_name": "广州天河电子厂", "employer_credit_code": code,
            "wage_earner": true, "accepts_constitution": true, "consent": true
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let v: serde_json::Value = r.json().await.unwrap();
    v["application_id"].as_i64().unwrap()
}

on_both!(
    the_console_shell_counts_what_waits_in_the_callers_branch_only,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        apply_in_tianhe(&base, &w.factory_code, "陈晨", "13900139011", 11).await;
        apply_in_tianhe(&base, &w.factory_code, "李雷", "13900139012", 12).await;

        let tianhe = sign_in_second_admin(&base, db, &w.gz.tianhe).await;
        let home = page_text(&tianhe, format!("{base}/console")).await;
        let menu = menu_of(&home);
        for area in ["会员", "维权", "帮扶", "普惠", "活动", "组织", "系统"] {
            assert!(menu.contains(&format!("<h2>{area}</h2>")), "{area}: {menu}");
        }
        assert!(
            menu.contains("入会审核 <span class=\"count\" aria-label=\"待办 2 件\">2</span>"),
            "{menu}"
        );
        assert!(menu.contains("当前组织：<strong>广州市天河区总工会</strong>"));
        // The home: the branch at a glance, with links to the lists.
        assert!(
            home.contains("<h1>工作台：广州市天河区总工会及下级</h1>"),
            "{home}"
        );
        assert!(
            home.contains("<a href=\"/console/applications\"><strong>2</strong>待审核入会申请</a>"),
            "{home}"
        );
        assert!(home.contains("<strong>0</strong>在册会员"));
        // Every console page carries the menu, with its own entry marked.
        let roster = page_text(&tianhe, format!("{base}/console/roster")).await;
        assert!(
            menu_of(&roster)
                .contains("<a href=\"/console/roster\" aria-current=\"page\">会员名册</a>"),
            "{roster}"
        );
        let queue = page_text(&tianhe, format!("{base}/console/applications")).await;
        assert!(menu_of(&queue).contains("aria-current=\"page\">入会审核"));
        // A worker page has no menu.
        let worker_home = page_text(&tianhe, format!("{base}/")).await;
        assert!(!worker_home.contains("class=\"side\""));

        // The neighbouring county's administrator sees no count of Tianhe's work.
        let yuexiu = sign_in_second_admin(&base, db, &w.gz.yuexiu).await;
        let home = page_text(&yuexiu, format!("{base}/console")).await;
        assert!(!menu_of(&home).contains("class=\"count"), "{home}");
        assert!(home.contains("<strong>0</strong>待审核入会申请"), "{home}");
        assert!(!home.contains("天河"), "{home}");
    }
);

on_both!(
    an_application_is_opened_before_a_decision_and_batch_approval_takes_the_ticked_ones,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let first = apply_in_tianhe(&base, &w.factory_code, "陈晨", "13900139021", 21).await;
        let second = apply_in_tianhe(&base, &w.factory_code, "李雷", "13900139022", 22).await;
        let third = apply_in_tianhe(&base, &w.factory_code, "韩梅", "13900139023", 23).await;
        let tianhe = sign_in_second_admin(&base, db, &w.gz.tianhe).await;

        // The list offers no decision on a row: a link to the application, a tick for the batch.
        let list = page_text(&tianhe, format!("{base}/console/applications")).await;
        assert!(!list.contains("name=\"approve\""), "{list}");
        assert!(list.contains(&format!("href=\"/console/applications/{first}\"")));
        assert!(list.contains(&format!("name=\"id\" value=\"{first}\"")));
        assert!(list.contains("<label>申请状态<select name=\"status\">"));
        assert!(list.contains(">重置</a>") && list.contains("每页条数"));

        // The application's page: the applicant's fields, the identity number masked.
        let page = page_text(&tianhe, format!("{base}/console/applications/{first}")).await;
        assert!(page.contains("<h1>入会申请：陈晨</h1>"), "{page}");
        let full = id_number("440106", (1990, 3, 3), 21);
        assert!(
            !page.contains(&full),
            "the full identity number is not shown"
        );
        let masked = format!("{}{}{}", &full[..2], "*".repeat(14), &full[16..]);
        assert!(page.contains(&masked), "{page}");
        assert!(page.contains("广州天河电子厂") && page.contains("所在单位已建工会"));
        assert!(page.contains("广东省 广州市 天河区"), "{page}");
        let csrf = crate::helpers::csrf_of(&page);

        // A rejection needs its reason: refused, the page comes back in Chinese.
        let r = tianhe
            .post(format!("{base}/console/applications/{first}/decision"))
            .form(&[("csrf", csrf.as_str()), ("reason", " ")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("class=\"field-error\""), "{body}");
        // Rejected with a reason.
        let r = tianhe
            .post(format!("{base}/console/applications/{first}/decision"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("reason", "单位信息与营业执照不符"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.url().as_str().contains("done=rejected"));
        assert!(r.text().await.unwrap().contains("已不予通过该入会申请"));

        // The batch approves exactly the ticked ones.
        let r = tianhe
            .post(format!("{base}/console/applications/batch"))
            .form(&[("csrf", csrf.as_str()), ("id", &second.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert!(
            r.text()
                .await
                .unwrap()
                .contains("已通过所选的 1 件入会申请")
        );
        let no_csrf = tianhe
            .post(format!("{base}/console/applications/batch"))
            .form(&[("id", &third.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(no_csrf.status(), 403);
        let list = page_text(&tianhe, format!("{base}/console/applications")).await;
        assert!(list.contains("韩梅") && !list.contains("李雷") && !list.contains("陈晨"));
        let done = page_text(
            &tianhe,
            format!("{base}/console/applications?status=approved"),
        )
        .await;
        assert!(done.contains("李雷") && !done.contains("韩梅"), "{done}");

        // The same in the JSON API.
        let api: serde_json::Value = tianhe
            .get(format!("{base}/api/v1/applications/{third}"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(api["name"], "韩梅");
        assert_eq!(api["status_label"], "待审核");
        assert!(
            api["id_number_masked"].as_str().unwrap().contains("**"),
            "{api}"
        );

        // The neighbouring county sees neither the page, the API answer nor the batch.
        let yuexiu = sign_in_second_admin(&base, db, &w.gz.yuexiu).await;
        let r = yuexiu
            .get(format!("{base}/console/applications/{third}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let r = yuexiu
            .get(format!("{base}/api/v1/applications/{third}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let list = page_text(&yuexiu, format!("{base}/console/applications")).await;
        assert!(!list.contains("韩梅"));
        let ycsrf = crate::helpers::csrf_of(&list);
        let r = yuexiu
            .post(format!("{base}/console/applications/batch"))
            .form(&[("csrf", ycsrf.as_str()), ("id", &third.to_string())])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        let still = page_text(&tianhe, format!("{base}/console/applications")).await;
        assert!(still.contains("韩梅"));
    }
);

on_both!(
    unions_are_suggested_by_name_within_the_callers_branch_only,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let tianhe = sign_in_second_admin(&base, db, &w.gz.tianhe).await;
        let names = |v: serde_json::Value| -> Vec<String> {
            v.as_array()
                .unwrap()
                .iter()
                .map(|o| o["name"].as_str().unwrap().to_owned())
                .collect()
        };
        let got: serde_json::Value = tianhe
            .get(format!("{base}/api/v1/orgs/suggest?q=工会"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let got = names(got);
        assert!(got.contains(&"天河区沙河街道工会".to_owned()), "{got:?}");
        assert!(
            got.contains(&"广州天河电子厂工会委员会".to_owned()),
            "{got:?}"
        );
        assert!(
            !got.iter().any(|n| n.contains("越秀")),
            "a neighbouring branch is not suggested: {got:?}"
        );
        let yuexiu = sign_in_second_admin(&base, db, &w.gz.yuexiu).await;
        let got: serde_json::Value = yuexiu
            .get(format!("{base}/api/v1/orgs/suggest?q=天河"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(names(got).is_empty());
        let anon = reqwest::get(format!("{base}/api/v1/orgs/suggest?q=天河"))
            .await
            .unwrap();
        assert_eq!(anon.status(), 401);
    }
);

on_both!(
    the_audit_log_reads_in_chinese_and_narrows_by_area,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        apply_in_tianhe(&base, &w.factory_code, "陈晨", "13900139041", 41).await;
        let tianhe = sign_in_second_admin(&base, db, &w.gz.tianhe).await;
        let url = format!("{base}/console/orgs/{}/audit", w.gz.tianhe.id.0);
        let all = page_text(&tianhe, &url).await;
        assert!(all.contains("提交入会申请"), "{all}");
        assert!(!all.contains(">join.applied<"), "no raw code is shown");
        assert!(all.contains("<label>业务类别<select name=\"area\">"));
        assert!(all.contains(">重置</a>"));
        let join_only = page_text(&tianhe, format!("{url}?area=join.&size=20")).await;
        assert!(join_only.contains("提交入会申请"));
        let cases_only = page_text(&tianhe, format!("{url}?area=case.")).await;
        assert!(!cases_only.contains("提交入会申请") && cases_only.contains("没有符合条件的记录"));
        // The grants page names roles in Chinese.
        let grants = page_text(
            &tianhe,
            format!("{base}/console/orgs/{}/grants", w.gz.tianhe.id.0),
        )
        .await;
        assert!(
            grants.contains("组织管理员") && !grants.contains(">org_admin<"),
            "{grants}"
        );
    }
);

on_both!(
    the_roster_import_offers_its_template_and_the_roster_filters_are_labelled,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let tianhe = sign_in_second_admin(&base, db, &w.gz.tianhe).await;
        let import = page_text(&tianhe, format!("{base}/console/roster/import")).await;
        assert!(import.contains("href=\"/console/roster/import/template.xlsx\""));
        let csv = tianhe
            .get(format!("{base}/console/roster/import/template.csv"))
            .send()
            .await
            .unwrap();
        assert_eq!(csv.status(), 200);
        assert!(
            csv.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let text = csv.text().await.unwrap();
        assert!(text.contains("姓名*,身份证号*,手机号*"), "{text}");
        let xlsx = tianhe
            .get(format!("{base}/console/roster/import/template.xlsx"))
            .send()
            .await
            .unwrap();
        assert_eq!(xlsx.status(), 200);
        assert!(
            xlsx.bytes().await.unwrap().starts_with(b"PK"),
            "a zip (xlsx) file"
        );

        let roster = page_text(&tianhe, format!("{base}/console/roster?size=50")).await;
        for label in [
            "<label>姓名或证件",
            "<label>会籍状态",
            "<label>职业",
            "<label>每页条数",
        ] {
            assert!(roster.contains(label), "{label}");
        }
        assert!(roster.contains("<option value=\"50\" selected>50 条</option>"));
        assert!(roster.contains(&format!(
            "href=\"/console/roster?org={}\">重置</a>",
            w.gz.tianhe.id.0
        )));
    }
);

on_both!(
    case_statistics_break_down_by_sub_union_in_tree_order_with_titled_charts,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        use zhijia_domain::auth::Role;
        crate::aid::staff_with(db, "city.cases", &[(Role::CaseHandler, &w.gz.city)]).await;
        let base = crate::helpers::demo_site(&t).await;
        let staff = crate::helpers::sign_in(&base, "city.cases", crate::aid::PASSWORD).await;
        let page = page_text(&staff, format!("{base}/console/case-stats")).await;
        assert!(page.contains("id=\"by-union\""), "{page}");
        assert!(page.contains("广州市总工会下级工会受理量(件)"), "{page}");
        assert!(page.contains("每月受理量(件，"));
        // Sub-unions in the tree's order, by region code: Yuexiu (440104) before Tianhe (440106).
        let yuexiu = page
            .find("<td>广州市越秀区总工会</td>")
            .expect("Yuexiu listed");
        let tianhe = page
            .find("<td>广州市天河区总工会</td>")
            .expect("Tianhe listed");
        assert!(yuexiu < tianhe);
        // The org tree is in the same order.
        let tree = page_text(&staff, format!("{base}/console/orgs/{}", w.gz.city.id.0)).await;
        let (y, t) = (
            tree.find("越秀区总工会").unwrap(),
            tree.find("天河区总工会").unwrap(),
        );
        assert!(y < t, "children sorted by region code");
    }
);

on_both!(
    a_case_is_routed_to_a_union_named_not_numbered_and_only_within_the_branch,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let env = crate::case::CaseEnv::new();
        let filed = zhijia_app::case::file::file(
            &env.ctx(db),
            "13800138301",
            &crate::case::complaint("complaint", &w.factory_code),
            &[],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        let base = crate::helpers::demo_site(&t).await;
        let staff = crate::case_http::handler_of(&base, db, &w.gz.tianhe).await;
        let url = format!("{base}/console/cases/{}", filed.id);
        let page = page_text(&staff, &url).await;
        assert!(
            page.contains("data-suggest=\"/api/v1/orgs/suggest\""),
            "{page}"
        );
        assert!(!page.contains("工会(编号"), "no union number is asked for");
        let csrf = crate::helpers::csrf_of(&page);
        let route = format!("{url}/route");
        // A union of the neighbouring branch is not found by its name.
        let r = staff
            .post(&route)
            .form(&[
                ("csrf", csrf.as_str()),
                ("org", "越秀百货公司工会委员会"),
                ("reason", ""),
            ])
            .send()
            .await
            .unwrap();
        let body = r.text().await.unwrap();
        assert!(
            body.contains("找不到名为“越秀百货公司工会委员会”的工会"),
            "{body}"
        );
        // A union of the branch, by its full name.
        let r = staff
            .post(&route)
            .form(&[
                ("csrf", csrf.as_str()),
                ("org", "天河区沙河街道工会"),
                ("reason", "属地街道办理"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let case = zhijia_store::case::get(db, filed.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(case.handling_org_id, w.gz.town.id);

        // Registering a call or a visit: the region from the lists, the township union by name.
        let desk = page_text(&staff, format!("{base}/console/cases/new")).await;
        assert!(desk.contains("<fieldset class=\"region\""), "{desk}");
        assert!(desk.contains("name=\"township\" value=\"\" list=\"township-orgs\""));
        assert!(!desk.contains("行政区划代码") && !desk.contains("工会编号"));
    }
);

on_both!(
    an_activity_is_published_by_host_union_name_with_the_region_from_the_lists,
    |t: TestDb| async move {
        let db = &t.store;
        let w = world(db).await;
        let base = crate::helpers::demo_site(&t).await;
        let tianhe = sign_in_second_admin(&base, db, &w.gz.tianhe).await;
        let page = page_text(&tianhe, format!("{base}/console/activities")).await;
        assert!(
            page.contains("name=\"org_name\" value=\"广州市天河区总工会\""),
            "{page}"
        );
        assert!(page.contains("<fieldset class=\"region\"") && !page.contains("行政区划代码"));
        let csrf = crate::helpers::csrf_of(&page);
        let post = |host: &'static str, region: &'static str| {
            let (tianhe, base, csrf) = (tianhe.clone(), base.clone(), csrf.clone());
            async move {
                tianhe
                    .post(format!("{base}/console/activities"))
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("org_name", host),
                        ("title", "街道羽毛球赛"),
                        ("place", "沙河体育馆"),
                        ("starts_at", "2099-06-01T09:00"),
                        ("ends_at", "2099-06-01T12:00"),
                        ("capacity", "20"),
                        ("description", ""),
                        ("audience_region", region),
                    ])
                    .send()
                    .await
                    .unwrap()
            }
        };
        // A union of another branch is not found by name; the form keeps what was typed.
        let r = post("越秀百货公司工会委员会", "440100").await;
        assert_eq!(r.status(), 422);
        let body = r.text().await.unwrap();
        assert!(body.contains("找不到名为“越秀百货公司工会委员会”的工会"));
        assert!(body.contains("value=\"街道羽毛球赛\""));
        // The street union by name, the audience narrowed to the city chosen in the lists.
        let r = post("天河区沙河街道工会", "440100").await;
        assert!(
            r.url().path().starts_with("/console/activities/"),
            "{}",
            r.url()
        );
        let hosted: i64 = db
            .query_one(
                "SELECT COUNT(*) FROM activity WHERE title = '街道羽毛球赛' AND org_id = $1 \
                 AND audience_region = '4401'",
                &[&w.gz.town.id.0],
            )
            .await
            .unwrap();
        assert_eq!(hosted, 1);
    }
);
