//! `zhijia-bench flash`: a union's flash sale. 10,000 members, each signed in, claim at once over
//! HTTP from a stock of 1,000 (one each); the real `zhijia serve` binary answers, one process on
//! SQLite or two on one PostgreSQL (claims alternate between them). Prints the claim rate, the
//! p50/p99 latency and the coupons issued (must equal the stock), beside a bare axum "hello"
//! hit the same way in the same run.

use crate::{BoxError, fresh, open};
use chrono::{Duration, Utc};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::Semaphore;
use zhijia_app::benefit::{self, Ctx, MerchantInput, OfferInput};
use zhijia_app::caller::StaffCtx;
use zhijia_app::demo::{self, DemoOptions};
use zhijia_domain::audit::Actor;
use zhijia_domain::auth::{self, Grant, Role};
use zhijia_domain::pii::PiiKeys;

/// Requests in flight at once: every claimant is ready at the start, and this many sockets carry
/// them (a phone network would hold fewer at a time than claimants).
const IN_FLIGHT: usize = 512;

pub(crate) struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `zhijia serve` and returns it with the address it prints.
pub(crate) fn serve(binary: &str, args: &[&str]) -> Result<(Server, String), BoxError> {
    let mut child = Command::new(binary)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .args(args)
        .env("ZHIJIA_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no stdout")?;
    let server = Server(child);
    // Keep reading the server's output for its whole life: a closed pipe would end it at its
    // next log line.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    while let Ok(line) = rx.recv_timeout(std::time::Duration::from_secs(60)) {
        if let Some(url) = line.split("请在浏览器打开：").nth(1) {
            return Ok((server, url.trim().trim_end_matches('/').to_owned()));
        }
    }
    Err("zhijia serve stopped before printing its address".into())
}

pub(crate) fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len().saturating_sub(1))]
}

/// Sends one request per (url, token) pair, `IN_FLIGHT` at a time; returns the latencies in ms,
/// the statuses (in the order of `requests`) and the wall time in seconds. A request that
/// gets no answer counts as status 0, printed when `tell_failures`.
pub(crate) async fn fire(
    requests: Vec<(String, Option<String>, String)>,
    post: bool,
    tell_failures: bool,
) -> Result<(Vec<f64>, Vec<u16>, f64), BoxError> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(IN_FLIGHT)
        .build()?;
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let started = Instant::now();
    let mut handles = Vec::with_capacity(requests.len());
    for (url, token, key) in requests {
        let (http, gate) = (http.clone(), gate.clone());
        handles.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.ok()?;
            let t = Instant::now();
            let mut req = if post { http.post(url) } else { http.get(url) };
            if let Some(token) = token {
                req = req.bearer_auth(token).header("Idempotency-Key", key);
            }
            // A failed request (refused or reset connection) counts as status 0.
            let status = match req.send().await {
                Ok(r) => r.status().as_u16(),
                Err(e) => {
                    let mut why = e.to_string();
                    let mut src = std::error::Error::source(&e);
                    while let Some(s) = src {
                        why = format!("{why}: {s}");
                        src = s.source();
                    }
                    if tell_failures {
                        eprintln!("request failed: {why}");
                    }
                    0
                }
            };
            Some((t.elapsed().as_secs_f64() * 1000.0, status))
        }));
    }
    let mut lat = Vec::new();
    let mut statuses = Vec::new();
    for h in handles {
        if let Some((ms, status)) = h.await? {
            lat.push(ms);
            statuses.push(status);
        }
    }
    let wall = started.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    Ok((lat, statuses, wall))
}

/// What `prepare` leaves for `run`: where the store is, the key, the offer, the tokens.
pub(crate) fn plan_path(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("flash-plan.txt")
}

/// Wrong-password staff sign-ins sent in a loop by `clients` tasks until `stop` is set, spread
/// over the servers; returns how many were answered and by which status. Each username is
/// unknown, so every attempt costs the server a full Argon2 check (the decoy that keeps
/// unknown names as slow as wrong passwords) and an audit entry, and none is cut short by a
/// lock-out.
fn storm(
    bases: Vec<String>,
    clients: usize,
    stop: Arc<std::sync::atomic::AtomicBool>,
) -> Vec<tokio::task::JoinHandle<(u64, u64)>> {
    (0..clients)
        .map(|c| {
            let (bases, stop) = (bases.clone(), stop.clone());
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let (mut sent, mut refused) = (0u64, 0u64);
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let base = &bases[(c + sent as usize) % bases.len()];
                    let body = format!(
                        "{{\"username\":\"storm{c}x{sent}\",\"password\":\"Wrong-password-1\"}}"
                    );
                    let r = http
                        .post(format!("{base}/api/v1/staff/sessions"))
                        .header("content-type", "application/json")
                        .body(body)
                        .send()
                        .await;
                    sent += 1;
                    if matches!(r, Ok(r) if r.status().as_u16() == 401) {
                        refused += 1;
                    }
                }
                (sent, refused)
            })
        })
        .collect()
}

pub async fn run(
    members: u64,
    stock: i64,
    postgres: Option<String>,
    dir: &std::path::Path,
    binary: &str,
    storm_clients: usize,
) -> Result<(), BoxError> {
    // The bare baseline first, hit the same way.
    let app = axum::Router::new().route("/", axum::routing::get(|| async { "hello" }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let hello = format!("http://{}/", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    let reqs = (0..members)
        .map(|i| (hello.clone(), None, i.to_string()))
        .collect();
    let (lat, _, wall) = fire(reqs, false, true).await?;
    println!(
        "baseline  bare axum hello: {} requests in {wall:.2} s = {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
        lat.len(),
        lat.len() as f64 / wall,
        pct(&lat, 0.5),
        pct(&lat, 0.99)
    );

    // The data is made by a child process: an embedded SQLite file belongs to one process at a
    // time, and this one must hand it to `zhijia serve`.
    let mut prepare = Command::new(std::env::current_exe()?);
    prepare.args([
        "flash-prepare",
        "--members",
        &members.to_string(),
        "--stock",
        &stock.to_string(),
    ]);
    prepare.arg("--dir").arg(dir);
    if let Some(pg) = &postgres {
        prepare.args(["--postgres", pg]);
    }
    if !prepare.status()?.success() {
        return Err("flash-prepare failed".into());
    }
    let plan = std::fs::read_to_string(plan_path(dir))?;
    let mut lines = plan.lines();
    let store_at = lines.next().ok_or("empty plan")?.to_owned();
    let key_hex = lines.next().ok_or("no key")?.to_owned();
    let offer: i64 = lines.next().ok_or("no offer")?.parse()?;
    let tokens: Vec<String> = lines.map(str::to_owned).collect();
    let target = if store_at.starts_with("postgres") {
        zhijia_store::StoreTarget::Postgres(store_at.clone())
    } else {
        zhijia_store::StoreTarget::from_config(None, std::path::Path::new(&store_at))?
    };

    // One `zhijia serve` on SQLite; two on PostgreSQL, claims alternating between them.
    let data_dirs = [tempfile_dir(dir, "a")?, tempfile_dir(dir, "b")?];
    let mut servers = Vec::new();
    match &target {
        zhijia_store::StoreTarget::Sqlite(_) => {
            servers.push(serve(
                binary,
                &["--data-dir", &store_at, "--pii-key", &key_hex],
            )?);
        }
        zhijia_store::StoreTarget::Postgres(url) => {
            for d in &data_dirs {
                servers.push(serve(
                    binary,
                    &[
                        "--database-url",
                        url,
                        "--data-dir",
                        d,
                        "--pii-key",
                        &key_hex,
                    ],
                )?);
            }
        }
    }
    let reqs = tokens
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let base = &servers[i % servers.len()].1;
            (
                format!("{base}/api/v1/me/offers/{offer}/claims"),
                Some(t),
                format!("flash-{i}"),
            )
        })
        .collect();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let bases: Vec<String> = servers.iter().map(|s| s.1.clone()).collect();
    let storming = storm(bases, storm_clients, stop.clone());
    if storm_clients > 0 {
        // Let the storm reach its pace before the claims start.
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;
    }
    let storm_started = Instant::now();
    let (lat, statuses, wall) = fire(reqs, true, true).await?;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut sent, mut refused) = (0, 0);
    for h in storming {
        let (s, r) = h.await?;
        sent += s;
        refused += r;
    }
    if storm_clients > 0 {
        let secs = storm_started.elapsed().as_secs_f64() + 2.0;
        println!(
            "storm     {storm_clients} clients signing in with wrong passwords beside the claims: {sent} attempts in {secs:.1} s = {:.0}/s, {refused} answered 401",
            sent as f64 / secs
        );
    }
    let won = statuses.iter().filter(|s| **s == 201).count();
    let sold_out = statuses.iter().filter(|s| **s == 409).count();
    let other = statuses.len() - won - sold_out;
    let processes = servers.len();
    // The SQLite file belongs to one process at a time: stop the servers before counting.
    drop(servers);
    let store = open(&target).await?;
    let coupons: i64 = store
        .query_one("SELECT COUNT(*) FROM coupon WHERE offer_id = $1", &[&offer])
        .await?;
    println!(
        "flash     {} on {} process(es){}: {} claimants in {wall:.2} s = {:.0} claims/s, p50 {:.2} ms, p99 {:.2} ms; {won} coupons (201), {sold_out} sold out (409), {other} other; {coupons} coupons in the database for a stock of {stock}: {}",
        store.backend().as_str(),
        processes,
        if storm_clients > 0 {
            format!(" during a sign-in storm of {storm_clients}")
        } else {
            String::new()
        },
        lat.len(),
        lat.len() as f64 / wall,
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        if coupons == stock {
            "0 oversold"
        } else {
            "WRONG"
        }
    );
    Ok(())
}

pub(crate) fn tempfile_dir(dir: &std::path::Path, name: &str) -> Result<String, BoxError> {
    let d = dir.join(format!("flash-proc-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d)?;
    Ok(d.to_string_lossy().into_owned())
}

/// Makes the store for `run` (in its own process) and writes the plan: store, key, offer id,
/// then one session token per member.
pub async fn prepare(
    members: u64,
    stock: i64,
    postgres: Option<String>,
    dir: &std::path::Path,
) -> Result<(), BoxError> {
    // The store: the demo tree with its members, an offer at the root for all of them.
    let target = fresh(&postgres, dir, "bench_flash").await?;
    let store = open(&target).await?;
    let key_hex = PiiKeys::generate_hex();
    let keys = PiiKeys::from_hex(&key_hex)?;
    let opts = DemoOptions {
        members,
        ..DemoOptions::default()
    };
    demo::generate(&store, &keys, &opts, &|_| {}).await?;
    let root = zhijia_store::org::roots(&store, 1, 0)
        .await?
        .items
        .into_iter()
        .next()
        .ok_or("no org tree")?;
    let actor = Actor::cli("zhijia-bench");
    let grants = [Grant {
        role: Role::Editor,
        org_path: root.path.clone(),
    }];
    let editor = StaffCtx {
        actor: &actor,
        grants: &grants,
    };
    let ctx = Ctx {
        db: &store,
        keys: &keys,
    };
    let now = Utc::now();
    let code = zhijia_domain::credit_code::CreditCode::with_check_char("92440106MA0000001")?;
    let merchant = benefit::register_merchant(
        &ctx,
        &editor,
        &MerchantInput {
            org: Some(root.id.0),
            name: "基准商户".into(),
            credit_code: code.to_string(),
            address: "基准路1号".into(),
        },
        now,
    )
    .await?;
    let offer = benefit::create_offer(
        &ctx,
        &editor,
        &OfferInput {
            org: Some(root.id.0),
            merchant_id: merchant,
            terms: benefit::OfferTerms {
                title: "夏日送清凉".into(),
                kind: "free_item".into(),
                stock,
                per_member_limit: 1,
                claim_opens_at: Some(now - Duration::minutes(1)),
                claim_closes_at: Some(now + Duration::hours(1)),
                valid_days: 7,
                ..Default::default()
            },
            publish: true,
            ..Default::default()
        },
        now,
    )
    .await?;
    // A signed-in session per member, as each phone would hold.
    struct Phone(String);
    impl zhijia_store::FromRow for Phone {
        fn from_row(row: &zhijia_store::Row<'_, '_>) -> zhijia_store::Result<Self> {
            Ok(Phone(row.get("phone")?))
        }
    }
    let phones: Vec<Phone> = store
        .query(
            "SELECT w.phone FROM worker w JOIN membership m ON m.worker_id = w.id \
             WHERE m.status = 'active' ORDER BY w.id",
            &[],
        )
        .await?;
    let mut tokens = Vec::with_capacity(phones.len());
    let mut tx = store.change().await?;
    for Phone(phone) in &phones {
        let token = auth::random_token();
        zhijia_store::sms::insert_session(
            &mut tx,
            &auth::token_hash(&token),
            phone,
            &auth::random_token(),
            now + Duration::hours(2),
        )
        .await?;
        tokens.push(token);
    }
    tx.commit_unaudited(zhijia_store::Unaudited::Session)
        .await?;
    let store_at = match &target {
        zhijia_store::StoreTarget::Sqlite(path) => path
            .parent()
            .ok_or("no data folder")?
            .to_string_lossy()
            .into_owned(),
        zhijia_store::StoreTarget::Postgres(url) => url.clone(),
    };
    let mut plan = format!("{store_at}\n{key_hex}\n{offer}\n");
    for t in &tokens {
        plan.push_str(t);
        plan.push('\n');
    }
    std::fs::write(plan_path(dir), plan)?;
    Ok(())
}
