//! `zhijia-bench crash`: `kill -9` in the middle of writes, then a restart, and nothing lost,
//! doubled or broken.
//!
//! - Coupon claims over HTTP against the real `zhijia serve` (one process on SQLite, two on one
//!   PostgreSQL): every member claims at once, the servers are killed with SIGKILL after a random
//!   delay, `kills` times; then they start again and every phone retries its claim with the same
//!   idempotency key. A claim answered 201 before a kill must come back as the same coupon (201,
//!   not "sold out"); no member holds two coupons; coupons + stock left = stock; the coupons
//!   issued are exactly the stock when there are more members than stock.
//! - Aid payments (发放台账) over HTTP against the real `zhijia serve` in the same way: approved
//!   applications past their public notice, each paid in more instalments than its approved
//!   amount allows, every instalment with its own idempotency key, all sent at once by one aid
//!   officer; killed `kills` times, then every instalment retried with its key. A payment
//!   answered 201 before a kill must come back as the same entry; one ledger entry per key; no
//!   application paid beyond its approved amount, no household beyond the yearly cap; every
//!   application paid exactly its approved amount in the end.
//! - `zhijia import members` of a roster file, killed with SIGKILL `kills` times, then run to the
//!   end: every row is a member exactly once.
//! - On SQLite, `PRAGMA integrity_check` after each part.

use crate::flash::{Server, fire, plan_path, serve, tempfile_dir};
use crate::{BoxError, fresh, open, roster_line};
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use zhijia_store::StoreTarget;

pub struct Options {
    pub members: u64,
    pub stock: i64,
    pub files: u64,
    pub rows: u64,
    pub kills: usize,
    pub postgres: Option<String>,
    pub dir: std::path::PathBuf,
    pub binary: String,
}

pub async fn run(o: &Options) -> Result<(), BoxError> {
    let backend = if o.postgres.is_some() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let claims_ok = claims(o).await?;
    let payments_ok = disbursements(o).await?;
    let import_ok = import(o).await?;
    let ok = claims_ok && payments_ok && import_ok;
    println!(
        "crash     {backend}: {}",
        if ok {
            "nothing lost, nothing doubled"
        } else {
            "WRONG"
        }
    );
    if ok {
        Ok(())
    } else {
        Err("kill -9 lost or doubled data".into())
    }
}

/// Random kill delays, different each run (seeded from the clock: nothing secret about them).
fn delays() -> rand::rngs::StdRng {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    rand::rngs::StdRng::seed_from_u64(nanos)
}

/// The servers on the store: one on SQLite, two on PostgreSQL.
fn start(
    binary: &str,
    target: &StoreTarget,
    store_at: &str,
    key: &str,
    dir: &std::path::Path,
) -> Result<Vec<(Server, String)>, BoxError> {
    match target {
        StoreTarget::Sqlite(_) => Ok(vec![serve(
            binary,
            &["--data-dir", store_at, "--pii-key", key],
        )?]),
        StoreTarget::Postgres(url) => ["a", "b"]
            .iter()
            .map(|name| {
                let d = tempfile_dir(dir, name)?;
                serve(
                    binary,
                    &["--database-url", url, "--data-dir", &d, "--pii-key", key],
                )
            })
            .collect(),
    }
}

async fn claims(o: &Options) -> Result<bool, BoxError> {
    // The members, their sessions and the offer, made as for the flash sale (own process).
    let mut prepare = Command::new(std::env::current_exe()?);
    prepare.args([
        "flash-prepare",
        "--members",
        &o.members.to_string(),
        "--stock",
        &o.stock.to_string(),
    ]);
    prepare.arg("--dir").arg(&o.dir);
    if let Some(pg) = &o.postgres {
        prepare.args(["--postgres", pg]);
    }
    if !prepare.status()?.success() {
        return Err("flash-prepare failed".into());
    }
    let plan = std::fs::read_to_string(plan_path(&o.dir))?;
    let mut lines = plan.lines();
    let store_at = lines.next().ok_or("empty plan")?.to_owned();
    let key = lines.next().ok_or("no key")?.to_owned();
    let offer: i64 = lines.next().ok_or("no offer")?.parse()?;
    let tokens: Vec<String> = lines.map(str::to_owned).collect();
    let target = if store_at.starts_with("postgres") {
        StoreTarget::Postgres(store_at.clone())
    } else {
        StoreTarget::from_config(None, std::path::Path::new(&store_at))?
    };
    let requests = |bases: &[String]| -> Vec<(String, Option<String>, String)> {
        tokens
            .iter()
            .enumerate()
            .map(|(i, t)| {
                let base = &bases[i % bases.len()];
                (
                    format!("{base}/api/v1/me/offers/{offer}/claims"),
                    Some(t.clone()),
                    format!("crash-{i}"),
                )
            })
            .collect()
    };

    let mut confirmed = vec![false; tokens.len()];
    for round in 1..=o.kills {
        let servers = start(&o.binary, &target, &store_at, &key, &o.dir)?;
        let bases: Vec<String> = servers.iter().map(|s| s.1.clone()).collect();
        let firing = tokio::spawn(fire(requests(&bases), true, false));
        let after = delays().random_range(50..3000);
        tokio::time::sleep(Duration::from_millis(after)).await;
        drop(servers); // SIGKILL, then reaped
        let (_, statuses, _) = firing.await??;
        let mut answered = 0;
        for (i, s) in statuses.iter().enumerate() {
            if *s == 201 {
                confirmed[i] = true;
                answered += 1;
            }
        }
        let cut = statuses.iter().filter(|s| **s == 0).count();
        println!(
            "claims    kill {round}/{}: after {after} ms, {answered} coupons confirmed, {cut} requests cut off",
            o.kills
        );
    }
    // Every phone retries with its key once the servers are back.
    let servers = start(&o.binary, &target, &store_at, &key, &o.dir)?;
    let bases: Vec<String> = servers.iter().map(|s| s.1.clone()).collect();
    let (_, statuses, _) = fire(requests(&bases), true, true).await?;
    drop(servers);

    let lost = confirmed
        .iter()
        .zip(&statuses)
        .filter(|(c, s)| **c && **s != 201)
        .count();
    let unanswered = statuses.iter().filter(|s| **s == 0).count();
    let store = open(&target).await?;
    let coupons: i64 = store
        .query_one("SELECT COUNT(*) FROM coupon WHERE offer_id = $1", &[&offer])
        .await?;
    let doubled: i64 = store
        .query_one(
            "SELECT COUNT(*) FROM (SELECT worker_id FROM coupon WHERE offer_id = $1 \
             GROUP BY worker_id HAVING COUNT(*) > 1) d",
            &[&offer],
        )
        .await?;
    let left: i64 = store
        .query_one("SELECT stock_left FROM offer WHERE id = $1", &[&offer])
        .await?;
    let expected = o.stock.min(tokens.len() as i64);
    drop(store);
    let intact = integrity(&target)?;
    let ok = lost == 0
        && unanswered == 0
        && doubled == 0
        && coupons + left == o.stock
        && coupons == expected
        && intact;
    println!(
        "claims    after {} kills and the retries: {coupons} coupons for a stock of {} ({left} left), {} confirmed claims, {lost} lost, {doubled} members with two, {unanswered} retries unanswered, integrity {}: {}",
        o.kills,
        o.stock,
        confirmed.iter().filter(|c| **c).count(),
        if intact { "ok" } else { "BROKEN" },
        if ok { "ok" } else { "WRONG" }
    );
    Ok(ok)
}

/// The approved amount of each application, paid in `INSTALMENTS` instalments of
/// `INSTALMENT_FEN`: one more than it allows, so the last one must be refused.
const APPROVED_FEN: i64 = 300_000;
const INSTALMENT_FEN: i64 = 100_000;
const INSTALMENTS: i64 = 4;
/// Payments in flight at once: one officer's client sending a day's payments in a hurry.
const PAYMENTS_IN_FLIGHT: usize = 64;
const OFFICER: &str = "crash.aid.payer";
const OFFICER_PASSWORD: &str = "Crash-bench-2026";

fn aid_plan_path(dir: &std::path::Path) -> std::path::PathBuf {
    dir.join("crash-aid-plan.txt")
}

/// An aid officer made for the bench, granted at one union.
struct Officer {
    actor: zhijia_domain::audit::Actor,
    grants: Vec<zhijia_domain::auth::Grant>,
}

impl Officer {
    fn ctx(&self) -> zhijia_app::caller::StaffCtx<'_> {
        zhijia_app::caller::StaffCtx {
            actor: &self.actor,
            grants: &self.grants,
        }
    }
}

async fn officer(
    store: &zhijia_store::Store,
    keys: &zhijia_domain::pii::PiiKeys,
    username: &str,
    hash: &str,
    org: &zhijia_store::org::Org,
    k: i64,
) -> Result<Officer, BoxError> {
    use zhijia_domain::auth::Role;
    let mut tx = store.change().await?;
    let id = zhijia_store::staff::insert(&mut tx, username, username, hash, false).await?;
    zhijia_store::staff::grant(&mut tx, id, org.id, Role::AidOfficer, None).await?;
    tx.commit_unaudited(zhijia_store::Unaudited::DemoData)
        .await?;
    let o = Officer {
        actor: zhijia_domain::audit::Actor {
            kind: zhijia_domain::audit::ActorKind::Staff,
            id: Some(id.0),
            name: username.into(),
            ip: None,
        },
        grants: zhijia_store::staff::grants(store, id).await?,
    };
    // Deciding a stage needs the officer's own identity on record (to stand aside from their
    // own household): a made-up one, different per officer.
    let born =
        chrono::NaiveDate::from_ymd_opt(1960, 1, 1).ok_or("date")? + chrono::Duration::days(k);
    let region = zhijia_domain::region::RegionCode::parse("440106")?;
    let id_number = zhijia_domain::id_number::IdNumber::compose(&region, born, 970)?;
    zhijia_app::aid::link_identity(store, keys, &o.ctx(), id_number.expose()).await?;
    Ok(o)
}

/// Makes the store for `disbursements` (in its own process) and writes the plan: store, key,
/// then one line per application: its id and its file's.
pub async fn aid_prepare(
    files: u64,
    postgres: Option<String>,
    dir: &std::path::Path,
) -> Result<(), BoxError> {
    use zhijia_app::aid::application::{self, ApplicationInput, DecisionInput};
    use zhijia_app::aid::file::{self, FileInput};
    let target = fresh(&postgres, dir, "bench_crash_aid").await?;
    let store = open(&target).await?;
    let key_hex = zhijia_domain::pii::PiiKeys::generate_hex();
    let keys = zhijia_domain::pii::PiiKeys::from_hex(&key_hex)?;
    let opts = zhijia_app::demo::DemoOptions {
        members: files * 2,
        ..Default::default()
    };
    zhijia_app::demo::generate(&store, &keys, &opts, &|_| {}).await?;
    let root = zhijia_store::org::roots(&store, 1, 0)
        .await?
        .items
        .into_iter()
        .next()
        .ok_or("no org tree")?;
    // The server's own defaults: its notice period and yearly cap.
    let settings = zhijia_app::aid::Settings::default();
    let ctx = zhijia_app::aid::Ctx {
        db: &store,
        keys: &keys,
        settings: &settings,
    };
    let hash = zhijia_domain::auth::hash_password(OFFICER_PASSWORD)?;
    // The officer who opens the files, applies and pays, over the whole province; the stage
    // officers of each union on the chains, made as they are met.
    let payer = officer(&store, &keys, OFFICER, &hash, &root, 0).await?;
    let mut stage_officers: HashMap<(i64, &'static str), Officer> = HashMap::new();
    let members = zhijia_store::membership::roster(
        &store,
        &root.path,
        &Default::default(),
        (files * 2) as i64,
        0,
    )
    .await?
    .items;
    let now = chrono::Utc::now();
    let mut plan = String::new();
    let (mut made, mut skipped) = (0u64, 0u64);
    for m in &members {
        if made == files {
            break;
        }
        let head = keys.decrypt(&m.id_number_enc)?;
        let input = FileInput {
            head_id_number: head,
            cause: "illness".into(),
            household_size: 1,
            income_per_head_fen: 60_000,
            health: "患慢性病，长期服药".into(),
            disability: "无".into(),
            housing: "租住".into(),
            members: vec![],
        };
        // A member the use case refuses (no current membership, …) is skipped.
        let Ok(file_id) =
            file::open(&ctx, &payer.ctx(), &input, now - chrono::Duration::days(30)).await
        else {
            skipped += 1;
            continue;
        };
        let app = application::apply(
            &ctx,
            &payer.ctx(),
            &ApplicationInput {
                file_id,
                kind: "daily_living".into(),
                amount_fen: APPROVED_FEN,
                reason: "长期服药，生活困难".into(),
                student_id: None,
                school: None,
                admission_proof: None,
            },
            now - chrono::Duration::days(20),
        )
        .await?;
        let d = application::detail(&ctx, &payer.ctx(), app).await?;
        let union = zhijia_store::org::get(&store, d.application.org_id)
            .await?
            .ok_or("no union")?;
        // Decided ten days ago: the notice (seven days by default) is over, no objection.
        let mut approved = true;
        for (i, level) in d.application.chain.iter().enumerate() {
            let lvl = zhijia_domain::org::OrgLevel::parse(level)?;
            let org = application::stage_org(&store, &union.path, lvl).await?;
            let k = (org.id.0, *level);
            if !stage_officers.contains_key(&k) {
                let n = stage_officers.len() as i64 + 1;
                let o = officer(
                    &store,
                    &keys,
                    &format!("crash.aid.{}.{level}", org.id.0),
                    &hash,
                    &org,
                    n,
                )
                .await?;
                stage_officers.insert(k, o);
            }
            let o = stage_officers.get(&k).ok_or("officer")?;
            let input = DecisionInput {
                stage: i as i64,
                approve: true,
                reason: "经入户核实，情况属实，同意".into(),
            };
            if application::decide(
                &ctx,
                &o.ctx(),
                app,
                &input,
                now - chrono::Duration::days(10),
            )
            .await
            .is_err()
            {
                approved = false;
                break;
            }
        }
        if approved {
            plan.push_str(&format!("{app} {file_id}\n"));
            made += 1;
        } else {
            skipped += 1;
        }
    }
    if made == 0 {
        return Err(format!("no application could be approved ({skipped} skipped)").into());
    }
    let store_at = match &target {
        StoreTarget::Sqlite(path) => path
            .parent()
            .ok_or("no data folder")?
            .to_string_lossy()
            .into_owned(),
        StoreTarget::Postgres(url) => url.clone(),
    };
    std::fs::write(
        aid_plan_path(dir),
        format!("{store_at}\n{key_hex}\n{}\n{plan}", settings.yearly_cap_fen),
    )?;
    Ok(())
}

/// A number or string field of a flat JSON answer (the bench has no JSON parser).
fn json_field(text: &str, name: &str) -> Option<String> {
    let at = text.find(&format!("\"{name}\":"))? + name.len() + 3;
    let rest = text[at..].trim_start();
    if let Some(s) = rest.strip_prefix('"') {
        return s.split('"').next().map(str::to_owned);
    }
    Some(
        rest.chars()
            .take_while(|c| c.is_ascii_digit() || *c == '-')
            .collect(),
    )
}

/// Sends every payment (`PAYMENTS_IN_FLIGHT` at a time) and returns, in order, each one's status
/// (0 when cut off), the entry id of a 201 and the message of a refusal.
async fn pay_all(
    bases: &[String],
    token: &str,
    payments: &[(i64, String)],
) -> Result<Vec<(u16, i64, String)>, BoxError> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(PAYMENTS_IN_FLIGHT)
        .build()?;
    let gate = Arc::new(Semaphore::new(PAYMENTS_IN_FLIGHT));
    let mut handles = Vec::with_capacity(payments.len());
    for (i, (app, key)) in payments.iter().enumerate() {
        let (http, gate) = (http.clone(), gate.clone());
        let url = format!("{}/api/v1/aid/disbursements", bases[i % bases.len()]);
        let body = format!(
            "{{\"application_id\":{app},\"amount_fen\":{INSTALMENT_FEN},\"fund_source\":\"工会帮扶专项资金\",\"method\":\"bank_transfer\"}}"
        );
        let (token, key) = (token.to_owned(), key.clone());
        handles.push(tokio::spawn(async move {
            let _permit = gate.acquire().await.ok();
            let sent = http
                .post(url)
                .bearer_auth(token)
                .header("Idempotency-Key", key)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await;
            match sent {
                Ok(r) => {
                    let status = r.status().as_u16();
                    // A body cut off after the status line counts as cut off too.
                    match r.text().await {
                        Ok(text) if status == 201 => (
                            status,
                            json_field(&text, "id")
                                .and_then(|v| v.parse().ok())
                                .unwrap_or(0),
                            String::new(),
                        ),
                        Ok(text) => (status, 0, json_field(&text, "message").unwrap_or(text)),
                        Err(_) => (0, 0, String::new()),
                    }
                }
                Err(_) => (0, 0, String::new()),
            }
        }));
    }
    let mut out = Vec::with_capacity(handles.len());
    for h in handles {
        out.push(h.await?);
    }
    Ok(out)
}

/// The refusals among the answers, counted by status and message.
fn refusals(answers: &[(u16, i64, String)]) -> String {
    let mut by: std::collections::BTreeMap<(u16, &str), usize> = Default::default();
    for (s, _, m) in answers {
        if *s != 201 && *s != 0 {
            *by.entry((*s, m.as_str())).or_default() += 1;
        }
    }
    if by.is_empty() {
        return "none".into();
    }
    by.iter()
        .map(|((s, m), n)| format!("{n} × {s} {m}"))
        .collect::<Vec<_>>()
        .join("; ")
}

async fn staff_token(base: &str) -> Result<String, BoxError> {
    let text = reqwest::Client::new()
        .post(format!("{base}/api/v1/staff/sessions"))
        .header("content-type", "application/json")
        .body(format!(
            "{{\"username\":\"{OFFICER}\",\"password\":\"{OFFICER_PASSWORD}\"}}"
        ))
        .send()
        .await?
        .text()
        .await?;
    json_field(&text, "token").ok_or_else(|| format!("no staff token: {text}").into())
}

async fn disbursements(o: &Options) -> Result<bool, BoxError> {
    let mut prepare = Command::new(std::env::current_exe()?);
    prepare.args(["crash-aid-prepare", "--files", &o.files.to_string()]);
    prepare.arg("--dir").arg(&o.dir);
    if let Some(pg) = &o.postgres {
        prepare.args(["--postgres", pg]);
    }
    if !prepare.status()?.success() {
        return Err("crash-aid-prepare failed".into());
    }
    let plan = std::fs::read_to_string(aid_plan_path(&o.dir))?;
    let mut lines = plan.lines();
    let store_at = lines.next().ok_or("empty plan")?.to_owned();
    let key = lines.next().ok_or("no key")?.to_owned();
    let cap: i64 = lines.next().ok_or("no cap")?.parse()?;
    let apps: Vec<i64> = lines
        .filter_map(|l| l.split_whitespace().next())
        .map(str::parse)
        .collect::<Result<_, _>>()?;
    let target = if store_at.starts_with("postgres") {
        StoreTarget::Postgres(store_at.clone())
    } else {
        StoreTarget::from_config(None, std::path::Path::new(&store_at))?
    };
    // Instalment j of every application, then j + 1: the instalments of one application are
    // spread over the run, so kills land between them.
    let payments: Vec<(i64, String)> = (0..INSTALMENTS)
        .flat_map(|j| apps.iter().map(move |a| (*a, format!("crash-pay-{a}-{j}"))))
        .collect();

    let mut confirmed: Vec<Option<i64>> = vec![None; payments.len()];
    let mut changed = 0;
    let mut token = None;
    for round in 1..=o.kills {
        let servers = start(&o.binary, &target, &store_at, &key, &o.dir)?;
        let bases: Vec<String> = servers.iter().map(|s| s.1.clone()).collect();
        let t = match &token {
            Some(t) => t,
            None => token.insert(staff_token(&bases[0]).await?),
        };
        let firing = {
            let (bases, t, payments) = (bases.clone(), t.clone(), payments.clone());
            tokio::spawn(async move { pay_all(&bases, &t, &payments).await })
        };
        let after = delays().random_range(50..3000);
        tokio::time::sleep(Duration::from_millis(after)).await;
        drop(servers); // SIGKILL, then reaped
        let answers = firing.await??;
        let mut answered = 0;
        for (i, (s, id, _)) in answers.iter().enumerate() {
            if *s == 201 {
                // A later round answering a confirmed payment with another entry paid it twice.
                if matches!(confirmed[i], Some(first) if first != *id) {
                    changed += 1;
                }
                confirmed[i].get_or_insert(*id);
                answered += 1;
            }
        }
        let cut = answers.iter().filter(|a| a.0 == 0).count();
        println!(
            "payments  kill {round}/{}: after {after} ms, {answered} payments answered 201, refused: {}, {cut} requests cut off",
            o.kills,
            refusals(&answers)
        );
    }
    // The officer retries every payment with its key once the servers are back.
    let servers = start(&o.binary, &target, &store_at, &key, &o.dir)?;
    let bases: Vec<String> = servers.iter().map(|s| s.1.clone()).collect();
    let t = match token {
        Some(t) => t,
        None => staff_token(&bases[0]).await?,
    };
    let last = pay_all(&bases, &t, &payments).await?;
    drop(servers);

    let lost = confirmed
        .iter()
        .zip(&last)
        .filter(|(c, (s, id, _))| matches!(c, Some(first) if *s != 201 || id != first))
        .count()
        + changed;
    let unanswered = last.iter().filter(|a| a.0 == 0).count();
    let paid_answers = last.iter().filter(|a| a.0 == 201).count() as i64;
    let other = last
        .iter()
        .filter(|a| a.0 != 201 && a.0 != 409 && a.0 != 0)
        .count();
    let entries = count(&target, "SELECT COUNT(*) FROM disbursement").await?;
    let doubled = count(
        &target,
        "SELECT COUNT(*) FROM (SELECT operator_id, idempotency_key FROM disbursement \
         GROUP BY operator_id, idempotency_key HAVING COUNT(*) > 1) d",
    )
    .await?;
    let over_approved = count(
        &target,
        "SELECT COUNT(*) FROM (SELECT a.id FROM aid_application a \
         JOIN disbursement d ON d.application_id = a.id GROUP BY a.id, a.amount_fen \
         HAVING SUM(d.amount_fen) > a.amount_fen) x",
    )
    .await?;
    let over_cap = count(
        &target,
        &format!(
            "SELECT COUNT(*) FROM (SELECT file_id FROM disbursement GROUP BY file_id, year \
             HAVING SUM(amount_fen) > {cap}) x"
        ),
    )
    .await?;
    let fully_paid = count(
        &target,
        "SELECT COUNT(*) FROM aid_application WHERE status = 'disbursed'",
    )
    .await?;
    let paid_fen = count(
        &target,
        "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM disbursement",
    )
    .await?;
    let intact = integrity(&target)?;
    println!("payments  the retries refused: {}", refusals(&last));
    let apps_n = apps.len() as i64;
    let expected_entries = apps_n * (APPROVED_FEN / INSTALMENT_FEN);
    let ok = lost == 0
        && unanswered == 0
        && other == 0
        && doubled == 0
        && over_approved == 0
        && over_cap == 0
        && entries == paid_answers
        && entries == expected_entries
        && fully_paid == apps_n
        && paid_fen == apps_n * APPROVED_FEN
        && intact;
    println!(
        "payments  after {} kills and the retries: {entries} ledger entries ({} yuan) for {apps_n} applications of {} yuan each, {fully_paid} fully paid, {} payments confirmed before a kill, {lost} lost, {doubled} keys with two entries, {over_approved} applications over their approved amount, {over_cap} households over the yearly cap, {unanswered} retries unanswered, {other} other answers, integrity {}: {}",
        o.kills,
        paid_fen / 100,
        APPROVED_FEN / 100,
        confirmed.iter().filter(|c| c.is_some()).count(),
        if intact { "ok" } else { "BROKEN" },
        if ok { "ok" } else { "WRONG" }
    );
    Ok(ok)
}

async fn import(o: &Options) -> Result<bool, BoxError> {
    let target = fresh(&o.postgres, &o.dir, "bench_crash_import").await?;
    let key = zhijia_domain::pii::PiiKeys::generate_hex();
    // Everything here runs as an operator runs it, one `zhijia` process at a time: this process
    // never holds the SQLite file while the import may want it.
    let zhijia = |args: &[&str]| {
        let mut c = Command::new(&o.binary);
        c.args(args)
            .args(["--pii-key", &key])
            .env("ZHIJIA_LOG", "warn");
        match &target {
            StoreTarget::Sqlite(path) => {
                c.arg("--data-dir").arg(path.parent().unwrap_or(path));
            }
            StoreTarget::Postgres(url) => {
                c.args(["--database-url", url]);
            }
        }
        c
    };
    let made = zhijia(&[
        "org",
        "create",
        "--name",
        "断电导入工会",
        "--level",
        "province",
        "--region",
        "440000",
    ])
    .output()?;
    if !made.status.success() {
        return Err(format!("org create: {}", String::from_utf8_lossy(&made.stderr)).into());
    }
    let org = count(&target, "SELECT MAX(id) FROM org").await?;
    let csv = o.dir.join("crash-roster.csv");
    {
        use std::io::Write;
        let mut w = std::io::BufWriter::new(std::fs::File::create(&csv)?);
        w.write_all("姓名,身份证号,手机号,民族,学历,政治面貌,工作单位,入会日期\n".as_bytes())?;
        for k in 0..o.rows {
            w.write_all(roster_line(k).0.as_bytes())?;
        }
    }
    let csv_arg = csv.to_string_lossy().into_owned();
    let org_arg = org.to_string();
    let import = || {
        let mut c = zhijia(&[
            "import", "members", &csv_arg, "--org", &org_arg, "--batch", "500",
        ]);
        c.stdout(Stdio::piped()).stderr(Stdio::piped());
        c
    };
    let members = format!("SELECT COUNT(*) FROM membership WHERE org_id = {org}");
    for round in 1..=o.kills {
        let mut child = import().spawn()?;
        let after = delays().random_range(500..5000);
        tokio::time::sleep(Duration::from_millis(after)).await;
        let finished = child.try_wait()?.is_some();
        child.kill()?; // SIGKILL
        child.wait()?;
        println!(
            "import    kill {round}/{}: after {after} ms, {} members in the store{}",
            o.kills,
            count(&target, &members).await?,
            if finished {
                " (it had already finished: give it more rows)"
            } else {
                ""
            }
        );
    }
    let last = import().output()?;
    let imported = count(&target, &members).await?;
    let doubled = count(
        &target,
        "SELECT COUNT(*) FROM (SELECT id_number_idx FROM worker GROUP BY id_number_idx \
         HAVING COUNT(*) > 1) d",
    )
    .await?;
    let intact = integrity(&target)?;
    if !last.status.success() || imported != o.rows as i64 {
        let text = String::from_utf8_lossy(&last.stdout).into_owned()
            + &String::from_utf8_lossy(&last.stderr);
        let tail: Vec<&str> = text.lines().rev().take(8).collect();
        println!(
            "import    the last run said: {}",
            tail.into_iter().rev().collect::<Vec<_>>().join(" / ")
        );
    }
    let ok = last.status.success() && imported == o.rows as i64 && doubled == 0 && intact;
    println!(
        "import    after {} kills and a last run: {imported} members from {} rows, {doubled} people twice, integrity {}: {}",
        o.kills,
        o.rows,
        if intact { "ok" } else { "BROKEN" },
        if ok { "ok" } else { "WRONG" }
    );
    Ok(ok)
}

/// One number from the store, read with a plain connection that is closed on return (the
/// SQLite file is read-only here and free for the next `zhijia` process at once).
async fn count(target: &StoreTarget, sql: &str) -> Result<i64, BoxError> {
    match target {
        StoreTarget::Sqlite(path) => {
            let conn = rusqlite::Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )?;
            Ok(conn
                .query_row(sql, [], |r| r.get::<_, Option<i64>>(0))?
                .unwrap_or(0))
        }
        StoreTarget::Postgres(url) => {
            let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
            tokio::spawn(conn);
            let row = client.query_one(sql, &[]).await?;
            Ok(row.get::<_, Option<i64>>(0).unwrap_or(0))
        }
    }
}

/// `PRAGMA integrity_check` on a SQLite file (PostgreSQL's own WAL recovery needs no check here).
fn integrity(target: &StoreTarget) -> Result<bool, BoxError> {
    match target {
        StoreTarget::Sqlite(path) => {
            let conn = rusqlite::Connection::open_with_flags(
                path,
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )?;
            let verdict: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
            Ok(verdict == "ok")
        }
        StoreTarget::Postgres(_) => Ok(true),
    }
}
