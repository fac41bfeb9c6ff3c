//! `zhijia demo`: realistic synthetic data, the same for the same `--seed`.
//!
//! The org tree of one province is built from the vendored GB/T 2260 data: the provincial
//! federation, every city and county federation, every township (street) union, industry unions
//! of couriers, food delivery and ride-hailing in each city, and grassroots unions in employers
//! with valid credit codes. Workers get Chinese names and valid identity numbers consistent with
//! their birth date, sex and region, and are written in batches while the next batch is generated
//! on another thread.

pub mod activity;
pub mod aid;
pub mod benefit;
pub mod case;
pub mod culture;
pub mod membership;
mod names;
pub mod news;
pub mod regions;

use crate::{AppError, Result};
use chrono::{Duration, NaiveDate, TimeZone, Utc};
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;
use std::sync::Arc;
use zhijia_domain::credit_code::CreditCode;
use zhijia_domain::id_number::IdNumber;
use zhijia_domain::org::{OrgId, OrgInput};
use zhijia_domain::pii::PiiKeys;
use zhijia_domain::region::RegionCode;
use zhijia_domain::worker::GigOccupation;
use zhijia_store::Change;
use zhijia_store::Store;
use zhijia_store::Unaudited;
use zhijia_store::org::{self as org_store, Org};
use zhijia_store::worker::{self as worker_store, WorkerRow};

/// Rows per batch handed from the generator thread to the writer (one transaction each).
const BATCH: usize = 20_000;

#[derive(Debug, Clone)]
pub struct DemoOptions {
    pub seed: u64,
    pub members: u64,
    /// Two-digit GB/T 2260 province code.
    pub province: String,
}

impl Default for DemoOptions {
    fn default() -> Self {
        Self {
            seed: 2026,
            members: 3_000,
            province: "44".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct DemoSummary {
    pub orgs: u64,
    pub workers: u64,
    pub root: OrgId,
    pub province_org: OrgId,
}

/// What the generator reports as it goes, for a progress bar.
#[derive(Debug, Clone, Copy)]
pub enum Progress {
    Orgs(u64),
    Workers { done: u64, total: u64 },
}

/// Fills an empty store. Refuses a store that already has orgs, so demo data never mixes with
/// real data.
pub async fn generate(
    db: &Store,
    keys: &PiiKeys,
    opts: &DemoOptions,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<DemoSummary> {
    if org_store::roots(db, 1, 0).await?.total > 0 {
        return Err(AppError::Conflict(
            "数据库中已有组织数据，演示数据只能载入空库。请换一个数据目录(--data-dir)或一个空的数据库".into(),
        ));
    }
    let all = regions::all().map_err(|e| AppError::Config(format!("行政区划数据无法读取：{e}")))?;
    let province = all
        .iter()
        .find(|p| p.code == opts.province)
        .ok_or_else(|| {
            AppError::invalid("province", format!("没有代码为 {} 的省份", opts.province))
        })?;
    let mut rng = ChaCha8Rng::seed_from_u64(opts.seed);
    let tree = build_tree(db, province, opts.members, &mut rng, progress).await?;

    // Birthplaces: 60% from the province itself, the rest from anywhere (migrant workers).
    let local = counties(std::slice::from_ref(province));
    let everywhere = counties(&all);
    if local.is_empty() {
        return Err(AppError::invalid("province", "该省份没有县级行政区划数据"));
    }
    let employer_bounds = employer_bounds(&mut rng, tree.employers.len(), opts.members);
    let ctx = Arc::new(WorkerContext {
        tree: tree.clone(),
        employer_bounds,
        local,
        everywhere,
    });
    let total = opts.members;
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<WorkerRow>>(4);
    let keys = keys.clone();
    let seed = rng.random::<u64>();
    let generator = std::thread::Builder::new()
        .name("demo-generator".into())
        .spawn(move || {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let mut seen = HashSet::with_capacity(total as usize);
            let mut i = 0u64;
            while i < total {
                let n = (total - i).min(BATCH as u64);
                let batch: Vec<WorkerRow> = (i..i + n)
                    .map(|k| {
                        let phone = phone(&mut rng, k, total);
                        worker_row(&mut rng, &ctx, &keys, &mut seen, k, phone)
                    })
                    .collect();
                i += n;
                if sender.blocking_send(batch).is_err() {
                    return; // the writer stopped on an error; it reports it
                }
            }
        })
        .map_err(|e| AppError::Config(format!("无法启动演示数据生成线程：{e}")))?;
    let mut written = 0;
    while let Some(batch) = receiver.recv().await {
        written += worker_store::insert_batch(db, &batch).await?;
        progress(Progress::Workers {
            done: written,
            total,
        });
    }
    if generator.join().is_err() {
        return Err(AppError::Config("演示数据生成线程异常退出".into()));
    }
    // Demo workers with a union are its members: one set-based statement, not a row per worker.
    let mut tx = db.change().await?;
    zhijia_store::membership::open_for_loaded_workers(
        &mut tx,
        zhijia_domain::member::MembershipSource::Demo,
    )
    .await?;
    tx.commit_unaudited(Unaudited::DemoData).await?;
    Ok(DemoSummary {
        orgs: tree.org_count,
        workers: written,
        root: tree.root,
        province_org: tree.province,
    })
}

/// Splits 0..total into `n` contiguous ranges of skewed sizes and returns their ends.
fn employer_bounds(rng: &mut impl Rng, n: usize, total: u64) -> Vec<u64> {
    // Weight 1/u for u uniform in (0.02, 1]: a long tail of small employers and a few large ones.
    let weights: Vec<f64> = (0..n).map(|_| 1.0 / rng.random_range(0.02..=1.0)).collect();
    let sum: f64 = weights.iter().sum();
    let mut acc = 0.0;
    weights
        .iter()
        .map(|w| {
            acc += w;
            ((acc / sum) * total as f64).round() as u64
        })
        .collect()
}

fn counties(provinces: &[regions::Region]) -> Vec<RegionCode> {
    provinces
        .iter()
        .flat_map(|p| &p.children)
        .flat_map(|c| &c.children)
        .filter_map(|a| RegionCode::parse(&a.code).ok())
        .collect()
}

#[derive(Debug, Clone)]
struct Employer {
    org: OrgId,
    name: String,
    credit_code: String,
}

#[derive(Debug, Clone)]
struct City {
    /// Industry unions of couriers, food delivery and ride-hailing, in that order.
    industry: [OrgId; 3],
}

#[derive(Debug, Clone)]
struct Tree {
    root: OrgId,
    province: OrgId,
    cities: Vec<City>,
    employers: Vec<Employer>,
    org_count: u64,
}

struct TreeBuilder<'a> {
    tx: Change,
    count: u64,
    union_codes: u64,
    progress: &'a (dyn Fn(Progress) + Sync),
}

impl TreeBuilder<'_> {
    async fn add(&mut self, parent: Option<&Org>, mut input: OrgInput) -> Result<Org> {
        self.union_codes += 1;
        let region = input.region_code.clone();
        input.credit_code = Some(
            CreditCode::with_check_char(&format!("81{region}MC{:07}", self.union_codes))?
                .to_string(),
        );
        input.parent_id = parent.map(|p| p.id.0);
        let new = input.validate()?;
        let org = org_store::insert(&mut self.tx, &new, parent).await?;
        self.count += 1;
        if self.count.is_multiple_of(500) {
            (self.progress)(Progress::Orgs(self.count));
        }
        Ok(org)
    }
}

fn input(
    name: String,
    level: &str,
    kind: &str,
    region: &str,
    chair: String,
    founded: NaiveDate,
) -> OrgInput {
    OrgInput {
        name,
        level: level.into(),
        kind: Some(kind.into()),
        region_code: region.into(),
        chair: Some(chair),
        founded_on: Some(founded.format("%Y-%m-%d").to_string()),
        ..Default::default()
    }
}

fn date_between(rng: &mut impl Rng, from_year: i32, to_year: i32) -> NaiveDate {
    let start = NaiveDate::from_ymd_opt(from_year, 1, 1).unwrap_or_default();
    let days = i64::from(to_year - from_year + 1) * 365;
    start + Duration::days(rng.random_range(0..days))
}

async fn build_tree(
    db: &Store,
    province: &regions::Region,
    members: u64,
    rng: &mut ChaCha8Rng,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<Tree> {
    let mut b = TreeBuilder {
        tx: db.change().await?,
        count: 0,
        union_codes: 0,
        progress,
    };
    let chair = |rng: &mut ChaCha8Rng| {
        let male = rng.random_bool(0.6);
        names::person(rng, male)
    };
    let c = chair(rng);
    let root = b
        .add(
            None,
            input(
                "中华全国总工会".into(),
                "national",
                "general",
                "100000",
                c,
                date_between(rng, 1925, 1925),
            ),
        )
        .await?;
    let c = chair(rng);
    let prov_code = regions::six(&province.code);
    let prov = b
        .add(
            Some(&root),
            input(
                format!("{}总工会", province.name),
                "province",
                "general",
                &prov_code,
                c,
                date_between(rng, 1950, 1955),
            ),
        )
        .await?;
    let mut cities = Vec::new();
    // Where grassroots unions can sit: (township or county org, county region code, city short name).
    let mut hosts: Vec<(Org, String, String)> = Vec::new();
    for city in &province.children {
        let city_code = regions::six(&city.code);
        let short = city.name.trim_end_matches('市').to_owned();
        let c = chair(rng);
        let city_org = b
            .add(
                Some(&prov),
                input(
                    format!("{}总工会", city.name),
                    "city",
                    "general",
                    &city_code,
                    c,
                    date_between(rng, 1950, 1990),
                ),
            )
            .await?;
        let mut industry = [OrgId(0); 3];
        for ((slot, trade), occupation) in industry
            .iter_mut()
            .zip(["快递", "外卖配送", "网约车"])
            .zip(["courier", "food_delivery", "ride_hailing"])
        {
            let c = chair(rng);
            let org = b
                .add(
                    Some(&city_org),
                    input(
                        format!("{}{}行业工会联合会", city.name, trade),
                        "city",
                        "industry",
                        &city_code,
                        c,
                        date_between(rng, 2018, 2024),
                    ),
                )
                .await?;
            org_store::set_gig_occupation(&mut b.tx, org.id, Some(occupation)).await?;
            *slot = org.id;
        }
        cities.push(City { industry });
        for county in &city.children {
            // Cities without counties (东莞, 中山) list themselves: their towns sit under the city.
            let county_org = if county.code.ends_with("00") {
                city_org.clone()
            } else {
                let c = chair(rng);
                b.add(
                    Some(&city_org),
                    input(
                        format!("{}{}总工会", city.name, county.name),
                        "county",
                        "general",
                        &county.code,
                        c,
                        date_between(rng, 1955, 2000),
                    ),
                )
                .await?
            };
            hosts.push((county_org.clone(), county.code.clone(), short.clone()));
            for town in &county.children {
                let c = chair(rng);
                let org = b
                    .add(
                        Some(&county_org),
                        input(
                            format!("{}{}工会", county.name, town.name),
                            "township",
                            "general",
                            &county.code,
                            c,
                            date_between(rng, 1985, 2015),
                        ),
                    )
                    .await?;
                hosts.push((org, county.code.clone(), short.clone()));
            }
        }
    }
    let grassroots = (members / 200).clamp(50, 5_000);
    let mut employers = Vec::with_capacity(grassroots as usize);
    for n in 1..=grassroots {
        let Some((host, county, short)) = hosts.choose(rng).cloned() else {
            break;
        };
        let (employer, section) = names::employer(rng, &short);
        let employer_code = CreditCode::with_check_char(&format!("91{county}MA{n:07}"))?;
        let c = chair(rng);
        let mut i = input(
            format!("{employer}工会委员会"),
            "grassroots",
            "general",
            &county,
            c,
            date_between(rng, 1995, 2025),
        );
        i.employer_name = Some(employer.clone());
        i.employer_credit_code = Some(employer_code.to_string());
        i.industry_code = Some(section.into());
        let org = b.add(Some(&host), i).await?;
        employers.push(Employer {
            org: org.id,
            name: employer,
            credit_code: employer_code.to_string(),
        });
    }
    let count = b.count;
    b.tx.commit_unaudited(Unaudited::DemoData).await?;
    progress(Progress::Orgs(count));
    Ok(Tree {
        root: root.id,
        province: prov.id,
        cities,
        employers,
        org_count: count,
    })
}

struct WorkerContext {
    tree: Tree,
    /// Exclusive end of each employer's range of worker numbers: employer sizes vary (a few
    /// large employers, many small ones) and each employer's workers are contiguous.
    employer_bounds: Vec<u64>,
    /// Never empty (checked before the generator starts).
    local: Vec<RegionCode>,
    everywhere: Vec<RegionCode>,
}

/// Mobile numbers 13x..19x: 7,000,000,000 of them.
const PHONE_SPACE: u64 = 7_000_000_000;

/// The k-th demo phone number out of `total`: each worker gets a slot of the number space and a
/// random number inside it, so numbers are unique without a lookup, look scattered, and still
/// increase with k, which makes the phone index an append during the load.
fn phone(rng: &mut impl Rng, k: u64, total: u64) -> String {
    let stride = (PHONE_SPACE / total.max(1)).max(1);
    format!(
        "{}",
        13_000_000_000u64 + k * stride + rng.random_range(0..stride)
    )
}

const GIG_WEIGHTS: [(GigOccupation, u32); 9] = [
    (GigOccupation::FoodDelivery, 30),
    (GigOccupation::Courier, 25),
    (GigOccupation::RideHailing, 20),
    (GigOccupation::TruckDriver, 8),
    (GigOccupation::DomesticWorker, 6),
    (GigOccupation::SecurityGuard, 4),
    (GigOccupation::CareWorker, 3),
    (GigOccupation::EstateAgent, 2),
    (GigOccupation::Other, 2),
];

fn gig_occupation(rng: &mut impl Rng) -> GigOccupation {
    let mut pick = rng.random_range(0..100);
    for (occ, w) in GIG_WEIGHTS {
        if pick < w {
            return occ;
        }
        pick -= w;
    }
    GigOccupation::Other
}

fn worker_row(
    rng: &mut ChaCha8Rng,
    ctx: &WorkerContext,
    keys: &PiiKeys,
    seen: &mut HashSet<u64>,
    k: u64,
    phone: String,
) -> WorkerRow {
    let male = rng.random_bool(0.55);
    let name = names::person(rng, male);
    let pool = if rng.random_bool(0.6) || ctx.everywhere.is_empty() {
        &ctx.local
    } else {
        &ctx.everywhere
    };
    let region = &pool[rng.random_range(0..pool.len())];
    let mut birth = date_between(rng, 1966, 2007);
    let parity = u16::from(male);
    let mut seq = rng.random_range(0..500u16) * 2 + parity;
    // Identity numbers are unique: on a clash take the next sequence of the same parity, or
    // the next day once all 500 of a day are taken.
    let mut tries = 0u32;
    let id = loop {
        if let Ok(id) = IdNumber::compose(region, birth, seq) {
            let key: u64 = id.expose()[..17].parse().unwrap_or(0);
            if seen.insert(key) {
                break id;
            }
        }
        tries += 1;
        seq = (seq + 2) % 1000;
        if tries.is_multiple_of(500) {
            birth += Duration::days(1);
        }
    };
    let base = Utc
        .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .unwrap_or_else(Utc::now);
    let created_at = base - Duration::seconds(rng.random_range(0..3 * 365 * 86_400));
    let (employer_name, employer_credit_code, gig, org_id) =
        if !ctx.tree.employers.is_empty() && rng.random_bool(0.7) {
            // Employees come employer by employer, as rosters are loaded union by union.
            let e = ctx
                .tree
                .employers
                .get(ctx.employer_bounds.partition_point(|b| *b <= k))
                .cloned();
            match e {
                Some(e) => (Some(e.name), Some(e.credit_code), None, Some(e.org)),
                None => (None, None, None, None),
            }
        } else {
            let occ = gig_occupation(rng);
            let city = ctx.tree.cities.choose(rng);
            let org = match (occ, city) {
                (GigOccupation::Courier, Some(c)) => Some(c.industry[0]),
                (GigOccupation::FoodDelivery, Some(c)) => Some(c.industry[1]),
                (GigOccupation::RideHailing, Some(c)) => Some(c.industry[2]),
                _ => None,
            };
            (None, None, Some(occ.as_str()), org)
        };
    WorkerRow {
        name,
        id_number_enc: keys.encrypt(id.expose()),
        id_number_idx: keys.blind_index(id.expose()).to_vec(),
        sex: id.sex().code(),
        birth_date: id.birth_date(),
        phone,
        region_code: region.to_string(),
        employer_name,
        employer_credit_code,
        gig_occupation: gig,
        org_id,
        created_at,
    }
}
