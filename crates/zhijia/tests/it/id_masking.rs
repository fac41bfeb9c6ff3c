//! Masked identity numbers cannot be rebuilt. An analyst of the province (a role refused the
//! full number) reads every view of 1,000 demo members: the roster as JSON, a member's detail
//! and the XLSX export. Then, for each member, an attacker who even knows the county where the
//! number was issued counts the 18-character numbers that agree with everything shown: the
//! masked number, the sex, the birth year and the check character rule of GB 11643. None may be
//! unique; every member must hide among at least a thousand. A control counts the same members
//! as the old views showed them (first and last four characters, the full birth date) against a
//! weaker attacker who only has the list of counties: most come out unique, so the count does
//! catch a rebuildable mask.

use crate::aid::{PASSWORD, staff_with};
use crate::helpers::{TestDb, keys, site_with};
use crate::membership_http::staff_token;
use crate::on_both;
use chrono::{Datelike, NaiveDate};
use serde_json::Value;
use zhijia_app::demo::{self, DemoOptions};
use zhijia_domain::auth::Role;
use zhijia_domain::id_number::IdNumber;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";

/// The weighted digit sum of `digits` placed from position `at`, modulo 11.
fn partial(digits: &str, at: usize) -> u32 {
    digits
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b - b'0') * WEIGHTS[at + i])
        .sum::<u32>()
        % 11
}

/// Every county code of the vendored GB/T 2260 list.
fn counties() -> Vec<String> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/regions/pcas-code.json"
    );
    let tree: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = Vec::new();
    for p in tree.as_array().unwrap() {
        for c in p["children"].as_array().unwrap() {
            for county in c["children"].as_array().unwrap() {
                out.push(county["code"].as_str().unwrap().to_owned());
            }
        }
    }
    out
}

/// What a view shows of a member, and what the attacker brings.
struct Seen<'a> {
    /// The masked number, `*` where hidden.
    masked: &'a str,
    female: bool,
    /// The birth year, or the whole date when a view shows it.
    year: i32,
    date: Option<NaiveDate>,
    /// The region codes the attacker considers.
    regions: Vec<&'a str>,
}

/// How many numbers agree with what was seen.
fn candidates(seen: &Seen<'_>) -> u64 {
    let shown = seen.masked.as_bytes();
    let agrees = |at: usize, digits: &str| {
        digits
            .bytes()
            .enumerate()
            .all(|(i, b)| shown[at + i] == b'*' || shown[at + i] == b)
    };
    // Residues of region + birth date, counted.
    let mut front = [0u64; 11];
    let dates: Vec<NaiveDate> = match seen.date {
        Some(d) => vec![d],
        None => NaiveDate::from_ymd_opt(seen.year, 1, 1)
            .unwrap()
            .iter_days()
            .take_while(|d| d.year() == seen.year)
            .collect(),
    };
    for region in seen.regions.iter().filter(|r| agrees(0, r)) {
        let r = partial(region, 0);
        for d in &dates {
            let ymd = d.format("%Y%m%d").to_string();
            if agrees(6, &ymd) {
                front[((r + partial(&ymd, 6)) % 11) as usize] += 1;
            }
        }
    }
    let mut n = 0;
    for seq in 0..1000u32 {
        let s = format!("{seq:03}");
        // The last sequence digit is odd for men, even for women.
        if !agrees(14, &s) || ((seq % 10) % 2 == 0) != seen.female {
            continue;
        }
        let tail = partial(&s, 14);
        for (residue, count) in front.iter().enumerate() {
            let check = CHECK[((residue as u32 + tail) % 11) as usize];
            if shown[17] == b'*' || shown[17] == check {
                n += count;
            }
        }
    }
    n
}

/// The old mask: first and last four characters.
fn old_mask(n: &str) -> String {
    format!("{}**********{}", &n[..4], &n[14..])
}

on_both!(
    masked_identity_numbers_cannot_be_rebuilt_from_what_an_analyst_sees,
    |t: TestDb| async move {
        let keys = keys();
        let opts = DemoOptions {
            seed: 12351,
            members: 1100,
            province: "44".into(),
        };
        let summary = demo::generate(&t.store, &keys, &opts, &|_| {})
            .await
            .unwrap();
        let prov = zhijia_store::org::get(&t.store, summary.province_org)
            .await
            .unwrap()
            .unwrap();
        staff_with(&t.store, "analyst.prov", &[(Role::Analyst, &prov)]).await;
        let config = zhijia_web::WebConfig {
            pii_keys: Some(keys.clone()),
            ..zhijia_web::WebConfig::default()
        };
        let base = site_with(&t, config).await;
        let token = staff_token(&base, "analyst.prov", PASSWORD).await;
        let http = reqwest::Client::new();
        let get = |path: String| http.get(format!("{base}{path}")).bearer_auth(&token).send();

        // Every member, as the roster shows them.
        let mut members: Vec<Value> = Vec::new();
        loop {
            let path = format!(
                "/api/v1/roster?org={}&limit=200&offset={}",
                prov.id.0,
                members.len()
            );
            let page: Value = get(path).await.unwrap().json().await.unwrap();
            let items = page["items"].as_array().unwrap().clone();
            if items.is_empty() {
                break;
            }
            members.extend(items);
        }
        assert!(
            members.len() >= 1000,
            "only {} members listed",
            members.len()
        );
        // A member's detail shows nothing more; the export neither.
        let one = &members[0];
        let detail: Value = get(format!("/api/v1/roster/{}", one["membership_id"]))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let text = detail.to_string();
        assert!(!text.contains("birth_date"), "{text}");
        assert!(
            text.contains(one["id_number_masked"].as_str().unwrap()),
            "{text}"
        );
        let xlsx = get(format!("/api/v1/roster/export.xlsx?org={}", prov.id.0))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
            .to_vec();
        let rows: Vec<Vec<String>> = zhijia_app::membership::import::xlsx_rows(xlsx)
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert!(rows[0].contains(&"出生年份".to_owned()), "{:?}", rows[0]);
        let masked_col = rows[0].iter().position(|h| h == "身份证号").unwrap();
        let year_col = rows[0].iter().position(|h| h == "出生年份").unwrap();
        for row in &rows[1..] {
            assert_eq!(row[masked_col].matches('*').count(), 14, "{row:?}");
            assert_eq!(row[year_col].len(), 4, "{row:?}");
        }
        // An analyst cannot confirm a guess by searching for it.
        let (store, pii) = (&t.store, &keys);
        let truth = |m: &Value| {
            let w = m["worker_id"].as_i64().unwrap();
            async move {
                let worker = zhijia_store::worker::get(store, zhijia_domain::ids::WorkerId(w))
                    .await
                    .unwrap()
                    .unwrap();
                IdNumber::parse(&pii.decrypt(&worker.id_number_enc).unwrap()).unwrap()
            }
        };
        let guess = truth(one).await;
        let r = get(format!(
            "/api/v1/roster?org={}&q={}",
            prov.id.0,
            guess.expose()
        ))
        .await
        .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::FORBIDDEN);

        let all_counties = counties();
        let (mut fewest, mut old_unique) = (u64::MAX, 0);
        for m in &members {
            let number = truth(m).await;
            let full = number.expose();
            let masked = m["id_number_masked"].as_str().unwrap();
            let seen = Seen {
                masked,
                female: m["sex"] == "女",
                year: i32::try_from(m["birth_year"].as_i64().unwrap()).unwrap(),
                date: None,
                regions: vec![number.region_code()],
            };
            let n = candidates(&seen);
            assert!(n > 1, "{masked} is rebuilt exactly from what is shown");
            fewest = fewest.min(n);
            // The count includes the truth.
            let exact = Seen {
                date: Some(number.birth_date()),
                ..seen
            };
            assert!(candidates(&exact) >= 1);
            // Control: the old views against the county list alone.
            let old = old_mask(full);
            let before = Seen {
                masked: &old,
                female: m["sex"] == "女",
                year: number.birth_date().year(),
                date: Some(number.birth_date()),
                regions: all_counties.iter().map(String::as_str).collect(),
            };
            if candidates(&before) == 1 {
                old_unique += 1;
            }
        }
        eprintln!(
            "fewest candidates: {fewest}; old mask rebuilt: {old_unique} of {}",
            members.len()
        );
        assert!(fewest >= 1000, "a member hides among only {fewest} numbers");
        assert!(
            old_unique * 2 > members.len(),
            "the control rebuilt only {old_unique} of {} under the old mask",
            members.len()
        );
    }
);
