//! The frame every page shares: elder mode remembered by a cookie and switched from any page,
//! errors that axum answers itself (405, unknown API address) in Chinese, and the region lists
//! the pickers load.

use crate::helpers::{TestDb, browser, site_with};
use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};
use serde_json::Value;
use zhijia_web::WebConfig;

#[tokio::test]
async fn elder_mode_is_switched_from_any_page_and_remembered() {
    let t = TestDb::sqlite().await;
    let base = site_with(&t, WebConfig::default()).await;
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let home = plain.get(&base).send().await.unwrap().text().await.unwrap();
    assert!(home.contains("<html lang=\"zh-CN\">") && home.contains("长辈模式"));
    assert!(home.contains("/prefs/elder?on=1&#38;next=/"), "{home}");

    // Switching from a page with a query comes back to that very page.
    let r = plain
        .get(format!(
            "{base}/prefs/elder?on=1&next=%2Flibrary%3Fkind%3Dpaper"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/library?kind=paper");
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(cookie.starts_with("elder=1;") && cookie.contains("Max-Age=31536000"));

    // A browser that keeps cookies sees every page larger, and can switch back.
    let b = browser();
    b.get(format!("{base}/prefs/elder?on=1&next=/"))
        .send()
        .await
        .unwrap();
    let page = b
        .get(format!("{base}/library"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("<html lang=\"zh-CN\" class=\"elder\">"),
        "{page}"
    );
    assert!(page.contains("标准模式"));
    b.get(format!("{base}/prefs/elder?on=0&next=/"))
        .send()
        .await
        .unwrap();
    let page = b
        .get(format!("{base}/library"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("class=\"elder\""));

    // The way back is never another site.
    for next in [
        "//evil.example/",
        "https://evil.example/",
        "/%0d%0aSet-Cookie:x=1",
        "\\\\evil",
    ] {
        let r = plain
            .get(format!("{base}/prefs/elder?on=1&next={next}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()[LOCATION], "/", "{next}");
    }
}

#[tokio::test]
async fn errors_axum_answers_itself_are_chinese_pages_or_json() {
    let t = TestDb::sqlite().await;
    let base = site_with(&t, WebConfig::default()).await;
    let c = reqwest::Client::new();
    let r = c.delete(format!("{base}/library")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(
        r.headers()["allow"].to_str().unwrap().contains("GET"),
        "the Allow header stays"
    );
    let page = r.text().await.unwrap();
    assert!(
        page.contains("<h1>不支持以这种方式访问该地址") && page.contains("请求编号"),
        "{page}"
    );

    let r = c
        .delete(format!("{base}/api/v1/regions"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::METHOD_NOT_ALLOWED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"], "method_not_allowed");
    assert!(body["message"].as_str().unwrap().contains("不支持"));

    // A body the JSON API cannot read is answered in Chinese too.
    let r = c
        .post(format!("{base}/api/v1/staff/sessions"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error());
    let body: Value = r.json().await.unwrap();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{body}"
    );
}

#[tokio::test]
async fn the_region_lists_go_province_city_county_by_name() {
    let t = TestDb::sqlite().await;
    let base = site_with(&t, WebConfig::default()).await;
    let provinces: Value = reqwest::get(format!("{base}/api/v1/regions"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    // The 31 provinces of the mainland, as the vendored data has them.
    assert_eq!(provinces.as_array().unwrap().len(), 31);
    assert_eq!(provinces[0]["name"], "北京市");
    let cities: Value = reqwest::get(format!("{base}/api/v1/regions/440000/children"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        cities
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "440100" && c["name"] == "广州市")
    );
    let r = reqwest::get(format!("{base}/api/v1/regions/999999/children"))
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}
