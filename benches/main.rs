//! Benchmark harness. Every figure is measured beside a baseline in the same run, since
//! absolute times on shared machines drift (see docs/benchmarks.md).
//!
//! - `zhijia-bench insert`: `zhijia demo` members per second against a bare loop of prepared
//!   INSERTs into the same table.
//! - `zhijia-bench import`: `zhijia import members` rows per second against the same bare loop,
//!   then roster search latency by member number and identity number.
//! - `zhijia-bench cases`: a handler's case queue and the escalation job with a million cases.
//! - `zhijia-bench flash`: a flash sale of coupons over HTTP against the real binary.
//! - `zhijia-bench crash`: kill -9 under coupon claims, aid payments and a roster import;
//!   nothing lost, nothing doubled.
//! - `zhijia-bench search`: `zhijia reindex` of 100,000 Chinese documents timed, then the
//!   search API's p50/p99 beside a raw tantivy query on the same index.
//! - `zhijia-bench hello`: a bare axum "hello" server, the HTTP baseline for benches/http.sh.

mod cases;
mod crash;
mod flash;
mod search;

use chrono::{NaiveDate, Utc};
use clap::{Parser, Subcommand};
use std::time::Instant;
use zhijia_app::demo::{self, DemoOptions};
use zhijia_domain::pii::PiiKeys;
use zhijia_store::worker::INSERT;
use zhijia_store::{Store, StoreTarget};

#[derive(Parser)]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Demo generation against bare prepared INSERTs, same table, same run.
    Insert {
        #[arg(long, default_value_t = 1_000_000)]
        members: u64,
        /// A PostgreSQL server URL whose user may create databases; SQLite when absent.
        #[arg(long)]
        postgres: Option<String>,
        /// Folder for the SQLite files.
        #[arg(long, default_value = "target/bench-data")]
        dir: std::path::PathBuf,
    },
    /// Roster import of a CSV file against bare prepared INSERTs, same run; then the roster
    /// search by member number and by identity number at that size.
    Import {
        #[arg(long, default_value_t = 1_000_000)]
        rows: u64,
        /// Folder for the SQLite files and the CSV.
        #[arg(long, default_value = "target/bench-data")]
        dir: std::path::PathBuf,
        /// Searches to time of each kind.
        #[arg(long, default_value_t = 2_000)]
        searches: usize,
    },
    /// A province with a million cases: a handler's queue beside a point read, and the
    /// escalation job over every open case.
    Cases {
        #[arg(long, default_value_t = 1_000_000)]
        cases: u64,
        /// A PostgreSQL server URL whose user may create databases; SQLite when absent.
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value = "target/bench-data")]
        dir: std::path::PathBuf,
        /// Timed queue reads of each kind.
        #[arg(long, default_value_t = 200)]
        rounds: usize,
    },
    /// A flash sale: every member claims one coupon at once over HTTP from a limited stock,
    /// against `zhijia serve` (one process on SQLite, two on PostgreSQL), beside bare axum.
    Flash {
        #[arg(long, default_value_t = 10_000)]
        members: u64,
        #[arg(long, default_value_t = 1_000)]
        stock: i64,
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value = "target/bench-data")]
        dir: std::path::PathBuf,
        /// The zhijia binary to run.
        #[arg(long, default_value = "target/release/zhijia")]
        binary: String,
        /// Clients sending wrong-password staff sign-ins in a loop while the claims run.
        #[arg(long, default_value_t = 0)]
        storm: usize,
    },
    /// kill -9 in the middle of coupon claims and aid payments (over HTTP, the real binary) and
    /// of a roster import, several times; then a restart, and a check that nothing was lost or
    /// doubled.
    Crash {
        #[arg(long, default_value_t = 3_000)]
        members: u64,
        #[arg(long, default_value_t = 1_000)]
        stock: i64,
        /// Hardship files, each with one approved application paid in several instalments.
        #[arg(long, default_value_t = 250)]
        files: u64,
        /// Rows of the roster file the import is killed in.
        #[arg(long, default_value_t = 30_000)]
        rows: u64,
        #[arg(long, default_value_t = 4)]
        kills: usize,
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long, default_value = "target/bench-data")]
        dir: std::path::PathBuf,
        #[arg(long, default_value = "target/release/zhijia")]
        binary: String,
    },
    /// Internal: the data of `flash`, made in a process of its own.
    #[command(hide = true)]
    FlashPrepare {
        #[arg(long)]
        members: u64,
        #[arg(long)]
        stock: i64,
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long)]
        dir: std::path::PathBuf,
    },
    /// Internal: the aid files and approved applications of `crash`, made in a process of its own.
    #[command(hide = true)]
    CrashAidPrepare {
        #[arg(long)]
        files: u64,
        #[arg(long)]
        postgres: Option<String>,
        #[arg(long)]
        dir: std::path::PathBuf,
    },
    /// Search: `zhijia reindex` of generated Chinese documents, then the search API's latency
    /// beside a raw tantivy query on the same index, same run.
    Search {
        #[arg(long, default_value_t = 100_000)]
        docs: u64,
        /// Timed queries of each kind.
        #[arg(long, default_value_t = 2_000)]
        rounds: usize,
        #[arg(long, default_value = "target/bench-data")]
        dir: std::path::PathBuf,
        #[arg(long, default_value = "target/release/zhijia")]
        binary: String,
    },
    /// A bare axum server answering "hello", for the HTTP baseline.
    Hello {
        #[arg(long, default_value = "127.0.0.1:18081")]
        listen: String,
    },
}

/// The same allocator as the zhijia binary, so baselines differ only in what they measure.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    match Cli::parse().command {
        Cmd::Insert {
            members,
            postgres,
            dir,
        } => insert(members, postgres, &dir).await,
        Cmd::Import {
            rows,
            dir,
            searches,
        } => import(rows, &dir, searches).await,
        Cmd::Cases {
            cases,
            postgres,
            dir,
            rounds,
        } => cases::run(cases, postgres, &dir, rounds).await,
        Cmd::Flash {
            members,
            stock,
            postgres,
            dir,
            binary,
            storm,
        } => flash::run(members, stock, postgres, &dir, &binary, storm).await,
        Cmd::Crash {
            members,
            stock,
            files,
            rows,
            kills,
            postgres,
            dir,
            binary,
        } => {
            std::fs::create_dir_all(&dir)?;
            crash::run(&crash::Options {
                members,
                stock,
                files,
                rows,
                kills,
                postgres,
                dir,
                binary,
            })
            .await
        }
        Cmd::FlashPrepare {
            members,
            stock,
            postgres,
            dir,
        } => flash::prepare(members, stock, postgres, &dir).await,
        Cmd::CrashAidPrepare {
            files,
            postgres,
            dir,
        } => crash::aid_prepare(files, postgres, &dir).await,
        Cmd::Search {
            docs,
            rounds,
            dir,
            binary,
        } => search::run(docs, rounds, &dir, &binary).await,
        Cmd::Hello { listen } => {
            let app = axum::Router::new().route("/", axum::routing::get(|| async { "hello" }));
            let listener = tokio::net::TcpListener::bind(&listen).await?;
            println!("bare hello on http://{listen}/");
            axum::serve(listener, app).await?;
            Ok(())
        }
    }
}

async fn fresh(
    postgres: &Option<String>,
    dir: &std::path::Path,
    name: &str,
) -> Result<StoreTarget, BoxError> {
    match postgres {
        None => {
            let path = dir.join(name);
            let _ = std::fs::remove_dir_all(&path);
            Ok(StoreTarget::from_config(None, &path)?)
        }
        Some(admin) => {
            let (client, conn) = tokio_postgres::connect(admin, tokio_postgres::NoTls).await?;
            tokio::spawn(conn);
            client
                .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await?;
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .await?;
            let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
            Ok(StoreTarget::Postgres(format!("{base}/{name}")))
        }
    }
}

async fn open(target: &StoreTarget) -> Result<Store, BoxError> {
    let store = Store::open(target).await?;
    zhijia_store::migrate::run(&store).await?;
    Ok(store)
}

async fn insert(
    members: u64,
    postgres: Option<String>,
    dir: &std::path::Path,
) -> Result<(), BoxError> {
    let backend = if postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let keys = PiiKeys::from_hex(&PiiKeys::generate_hex())?;

    // 1. The bare loop: prepared INSERTs of the same table, values made as cheaply as possible.
    let target = fresh(&postgres, dir, "bench_bare").await?;
    let store = open(&target).await?;
    let bare_rate = bare_loop(&target, &store, members, &keys).await?;
    drop(store);

    // 2. zhijia demo: the org tree of a province, then the members.
    let target = fresh(&postgres, dir, "bench_demo").await?;
    let store = open(&target).await?;
    let started = Instant::now();
    let opts = DemoOptions {
        members,
        ..DemoOptions::default()
    };
    let summary = demo::generate(&store, &keys, &opts, &|_| {}).await?;
    let secs = started.elapsed().as_secs_f64();
    let demo_rate = summary.workers as f64 / secs;

    println!("backend: {backend}, members: {members}");
    println!("bare prepared INSERT loop: {bare_rate:>10.0} rows/s");
    println!(
        "zhijia demo:               {demo_rate:>10.0} members/s ({secs:.1} s in all, {} orgs included)",
        summary.orgs
    );
    println!("ratio demo / bare: {:.0}%", 100.0 * demo_rate / bare_rate);
    Ok(())
}

/// A 16-byte key shaped like the HMAC blind index (uniformly spread, so each insert lands at a
/// random place in the unique index, as real ones do), made as cheaply as possible: two rounds
/// of splitmix64 of the row number.
fn index_key(k: u64) -> [u8; 16] {
    fn mix(mut z: u64) -> u64 {
        z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&mix(k).to_be_bytes());
    out[8..].copy_from_slice(&mix(k ^ 0xA5A5_A5A5).to_be_bytes());
    out
}

/// Inserts `n` rows with prepared statements, 100,000 per transaction, and returns rows/s.
async fn bare_loop(
    target: &StoreTarget,
    store: &Store,
    n: u64,
    keys: &PiiKeys,
) -> Result<f64, BoxError> {
    let org = zhijia_app::org::create(
        store,
        &zhijia_domain::org::OrgInput {
            name: "基准工会".into(),
            level: "province".into(),
            region_code: "440000".into(),
            ..Default::default()
        },
        &zhijia_domain::audit::Actor::cli("zhijia-bench"),
    )
    .await?;
    let enc = keys.encrypt("440106199001011234");
    let birth = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default();
    let now = Utc::now();
    let started = Instant::now();
    match target {
        StoreTarget::Sqlite(path) => {
            let mut conn = rusqlite::Connection::open(path)?;
            // The same settings as zhijia's writer connection.
            conn.execute_batch(zhijia_store::db::SQLITE_WRITER_PRAGMAS)?;
            let mut i = 0u64;
            while i < n {
                let tx = conn.transaction()?;
                {
                    let mut stmt = tx.prepare_cached(INSERT)?;
                    for k in i..(i + 100_000).min(n) {
                        let idx = index_key(k);
                        stmt.execute(rusqlite::params![
                            format!("职工{k}"),
                            &enc,
                            &idx[..],
                            "1",
                            birth,
                            format!("{}", 13_000_000_000u64 + k),
                            "440106",
                            Option::<String>::None,
                            Option::<String>::None,
                            Some("courier"),
                            org.id.0,
                            now,
                        ])?;
                    }
                }
                tx.commit()?;
                i += 100_000;
            }
        }
        StoreTarget::Postgres(url) => {
            let (mut client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
            tokio::spawn(conn);
            let mut i = 0u64;
            while i < n {
                let tx = client.transaction().await?;
                let stmt = tx.prepare(INSERT).await?;
                for k in i..(i + 100_000).min(n) {
                    let idx = index_key(k);
                    let name = format!("职工{k}");
                    let phone = format!("{}", 13_000_000_000u64 + k);
                    tx.execute(
                        &stmt,
                        &[
                            &name,
                            &enc,
                            &&idx[..],
                            &"1",
                            &birth,
                            &phone,
                            &"440106",
                            &Option::<String>::None,
                            &Option::<String>::None,
                            &Some("courier"),
                            &org.id.0,
                            &now,
                        ],
                    )
                    .await?;
                }
                tx.commit().await?;
                i += 100_000;
            }
        }
    }
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// The k-th roster line: a valid identity number (unique for k below 14 million), a phone, a
/// name without digits, a few coded columns.
fn roster_line(k: u64) -> (String, String) {
    let region =
        zhijia_domain::region::RegionCode::parse("440106").unwrap_or_else(|_| unreachable!());
    let days = (k % 14_600) as i64;
    let birth =
        NaiveDate::from_ymd_opt(1960, 1, 1).unwrap_or_default() + chrono::Duration::days(days);
    let seq = (k / 14_600) as u16;
    let id = zhijia_domain::id_number::IdNumber::compose(&region, birth, seq)
        .map(|i| i.expose().to_owned())
        .unwrap_or_default();
    let name: String = k
        .to_string()
        .chars()
        .map(|d| {
            "零一二三四五六七八九"
                .chars()
                .nth(d as usize - '0' as usize)
                .unwrap_or('零')
        })
        .collect();
    let line = format!(
        "职工{name},{id},1{:010},汉族,大专,群众,广州天河电子厂,2020-01-01\n",
        3_000_000_000u64 + k
    );
    (line, id)
}

async fn import(rows: u64, dir: &std::path::Path, searches: usize) -> Result<(), BoxError> {
    use zhijia_app::membership::import as uc;
    let keys = PiiKeys::from_hex(&PiiKeys::generate_hex())?;
    std::fs::create_dir_all(dir)?;

    // 1. The bare loop, as for the demo benchmark.
    let target = fresh(&None, dir, "bench_bare").await?;
    let store = open(&target).await?;
    let bare_rate = bare_loop(&target, &store, rows, &keys).await?;
    drop(store);

    // 2. The CSV (not timed), then `zhijia import members` as the CLI runs it.
    let csv = dir.join("roster.csv");
    let mut ids = Vec::with_capacity(rows as usize);
    {
        use std::io::Write;
        let mut w = std::io::BufWriter::new(std::fs::File::create(&csv)?);
        w.write_all("姓名,身份证号,手机号,民族,学历,政治面貌,工作单位,入会日期\n".as_bytes())?;
        for k in 0..rows {
            let (line, id) = roster_line(k);
            w.write_all(line.as_bytes())?;
            if (k as usize) < searches * 50 {
                ids.push(id);
            }
        }
    }
    let target = fresh(&None, dir, "bench_import").await?;
    let store = open(&target).await?;
    let actor = zhijia_domain::audit::Actor::cli("zhijia-bench");
    let org = zhijia_app::org::create(
        &store,
        &zhijia_domain::org::OrgInput {
            name: "基准工会".into(),
            level: "province".into(),
            region_code: "440000".into(),
            ..Default::default()
        },
        &actor,
    )
    .await?;
    let started = Instant::now();
    let file = std::fs::File::open(&csv)?;
    let report = uc::import(
        &store,
        &keys,
        &actor,
        &org,
        uc::csv_rows(std::io::BufReader::with_capacity(1 << 20, file)),
        uc::Options::now(Utc::now()),
        &|_| {},
    )
    .await?;
    let secs = started.elapsed().as_secs_f64();
    let rate = report.rows as f64 / secs;
    println!("rows: {rows}");
    println!("bare prepared INSERT loop: {bare_rate:>10.0} rows/s");
    println!(
        "zhijia import members:     {rate:>10.0} rows/s ({secs:.1} s; imported {}, skipped {}, errors {})",
        report.imported,
        report.skipped,
        report.errors.len()
    );
    println!("ratio import / bare: {:.0}%", 100.0 * rate / bare_rate);

    // 3. Roster search at this size, through the use case a staff page calls.
    let grants = vec![zhijia_domain::auth::Grant {
        role: zhijia_domain::auth::Role::Reviewer,
        org_path: org.path.clone(),
    }];
    let settings = zhijia_app::membership::Settings::default();
    let sms = zhijia_app::sms::LogSender;
    let ctx = zhijia_app::membership::Ctx {
        db: &store,
        keys: &keys,
        settings: &settings,
        sms: &sms,
    };
    let staff = zhijia_app::caller::StaffCtx {
        actor: &actor,
        grants: &grants,
    };
    let step = (ids.len() / searches.max(1)).max(1);
    for (kind, queries) in [
        (
            "member number",
            (0..searches)
                .map(|i| {
                    zhijia_domain::member::MemberNo::from_serial((i * step + 1) as u64)
                        .map(|n| n.as_str().to_owned())
                        .unwrap_or_default()
                })
                .collect::<Vec<_>>(),
        ),
        (
            "identity number",
            ids.iter().step_by(step).take(searches).cloned().collect(),
        ),
    ] {
        let mut times = Vec::with_capacity(queries.len());
        for q in &queries {
            let query = zhijia_app::membership::roster::RosterQuery {
                q: Some(q.clone()),
                ..Default::default()
            };
            let t = Instant::now();
            let (_, page) = zhijia_app::membership::roster::list(&ctx, &staff, &query).await?;
            times.push(t.elapsed().as_secs_f64() * 1000.0);
            if page.total != 1 {
                return Err(format!("search for {kind} {q} found {}", page.total).into());
            }
        }
        times.sort_by(f64::total_cmp);
        let mean = times.iter().sum::<f64>() / times.len().max(1) as f64;
        let p99 = times[(times.len() * 99 / 100).min(times.len().saturating_sub(1))];
        let max = times.last().copied().unwrap_or_default();
        println!(
            "roster search by {kind}: {} searches, mean {mean:.3} ms, p99 {p99:.3} ms, max {max:.3} ms",
            times.len()
        );
    }
    Ok(())
}
