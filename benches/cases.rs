//! `zhijia-bench cases`: a province with a million rights-protection cases. Times a handler's
//! queue (their subtree, open cases, earliest deadline first, first page) for a street union, a
//! district, a city and the province, beside a point read of one case by id in the same run;
//! then the escalation job over every open case, first when many cases must be raised and again
//! when none has changed.

use crate::{BoxError, fresh, open};
use chrono::{TimeZone, Utc};
use std::time::{Duration, Instant};
use zhijia_app::caller::StaffCtx;
use zhijia_app::case::{Ctx, QueueQuery, Settings};
use zhijia_app::demo::{self, DemoOptions};
use zhijia_domain::audit::Actor;
use zhijia_domain::auth::{Grant, Role};
use zhijia_domain::pii::PiiKeys;
use zhijia_store::Store;
use zhijia_store::org::Org;

/// One million rows made by the database itself from a counter, spread over the grassroots and
/// street unions of the province: a fifth of the cases are open (`n % 5 = 0`), filed in the 40
/// days before 25 November 2026 (so many, not all, are past their deadline that day); the others
/// were answered over the first 320 days of the year. Deadlines fall 5 to 30 days after filing.
const FILL_SQLITE: &str = "WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM s WHERE n < $1), \
     h AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM org \
           WHERE level = 'grassroots' OR level = 'township'), \
     c AS (SELECT COUNT(*) AS k FROM h) \
     INSERT INTO rights_case (kind, channel, title, description, employer_name, region_code, \
       hide_identity, filer_name, filer_phone, handling_org_id, state, tier, limit_days, \
       submitted_on, due_on, resolved_on, submitted_at, updated_at) \
     SELECT CASE s.n % 5 WHEN 0 THEN 'consultation' WHEN 1 THEN 'assistance' WHEN 2 THEN 'complaint' \
              WHEN 3 THEN 'legal_aid' ELSE 'suggestion' END, 'online', '拖欠工资', '问题描述', \
            '某某公司', '440106', 0, '职工', '1' || (3800000000 + s.n), h.id, \
            CASE WHEN s.n % 5 = 0 THEN (CASE s.n % 15 WHEN 0 THEN 'submitted' WHEN 5 THEN 'accepted' ELSE 'in_progress' END) \
                 WHEN s.n % 5 = 1 THEN 'resolved' ELSE 'closed' END, \
            'ordinary', 10, \
            date('2026-01-01', '+' || (CASE WHEN s.n % 5 = 0 THEN 288 + s.n % 40 ELSE s.n % 320 END) || ' days'), \
            date('2026-01-01', '+' || ((CASE WHEN s.n % 5 = 0 THEN 288 + s.n % 40 ELSE s.n % 320 END) + 5 + (s.n % 26)) || ' days'), \
            CASE WHEN s.n % 5 = 0 THEN NULL ELSE date('2026-01-01', '+' || ((s.n % 320) + 3) || ' days') END, \
            '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z' \
     FROM s CROSS JOIN c JOIN h ON h.rn = 1 + (s.n * 7919) % c.k";

const FILL_PG: &str = "WITH h AS (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM org \
           WHERE level = 'grassroots' OR level = 'township'), \
     c AS (SELECT COUNT(*) AS k FROM h) \
     INSERT INTO rights_case (kind, channel, title, description, employer_name, region_code, \
       hide_identity, filer_name, filer_phone, handling_org_id, state, tier, limit_days, \
       submitted_on, due_on, resolved_on, submitted_at, updated_at) \
     SELECT CASE s.n % 5 WHEN 0 THEN 'consultation' WHEN 1 THEN 'assistance' WHEN 2 THEN 'complaint' \
              WHEN 3 THEN 'legal_aid' ELSE 'suggestion' END, 'online', '拖欠工资', '问题描述', \
            '某某公司', '440106', FALSE, '职工', '1' || (3800000000 + s.n), h.id, \
            CASE WHEN s.n % 5 = 0 THEN (CASE s.n % 15 WHEN 0 THEN 'submitted' WHEN 5 THEN 'accepted' ELSE 'in_progress' END) \
                 WHEN s.n % 5 = 1 THEN 'resolved' ELSE 'closed' END, \
            'ordinary', 10, \
            DATE '2026-01-01' + (CASE WHEN s.n % 5 = 0 THEN 288 + s.n % 40 ELSE s.n % 320 END)::int, \
            DATE '2026-01-01' + ((CASE WHEN s.n % 5 = 0 THEN 288 + s.n % 40 ELSE s.n % 320 END) + 5 + (s.n % 26))::int, \
            CASE WHEN s.n % 5 = 0 THEN NULL ELSE DATE '2026-01-01' + ((s.n % 320) + 3)::int END, \
            TIMESTAMPTZ '2026-01-01 00:00:00+00', TIMESTAMPTZ '2026-01-01 00:00:00+00' \
     FROM generate_series(1::int8, $1::int8) AS s(n) CROSS JOIN c JOIN h ON h.rn = 1 + (s.n * 7919) % c.k";

fn pct(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)].as_secs_f64() * 1000.0
}

async fn time<F, Fut>(rounds: usize, mut f: F) -> Result<(f64, f64), BoxError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<(), BoxError>>,
{
    // Warm the caches first, as a server that has been running would be.
    for _ in 0..5 {
        f().await?;
    }
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let t = Instant::now();
        f().await?;
        samples.push(t.elapsed());
    }
    samples.sort();
    Ok((pct(&samples, 0.5), pct(&samples, 0.99)))
}

/// The org with the most open cases in its subtree at one level.
async fn busiest(store: &Store, level: &str) -> Result<Org, BoxError> {
    let id: i64 = store
        .query_one(
            "SELECT p.id FROM org p JOIN org o ON o.path >= p.path AND o.path < p.path || '~' \
             JOIN rights_case c ON c.handling_org_id = o.id \
             WHERE p.level = $1 AND c.state <> 'closed' AND c.state <> 'resolved' \
             GROUP BY p.id ORDER BY COUNT(*) DESC LIMIT 1",
            &[&level],
        )
        .await?;
    Ok(zhijia_store::org::get(store, zhijia_domain::org::OrgId(id))
        .await?
        .ok_or("org missing")?)
}

pub async fn run(
    cases: u64,
    postgres: Option<String>,
    dir: &std::path::Path,
    rounds: usize,
) -> Result<(), BoxError> {
    let target = fresh(&postgres, dir, "bench_cases").await?;
    let store = open(&target).await?;
    let keys = PiiKeys::from_hex(&PiiKeys::generate_hex())?;
    let opts = DemoOptions {
        members: 1_000,
        ..DemoOptions::default()
    };
    demo::generate(&store, &keys, &opts, &|_| {}).await?;
    let started = Instant::now();
    let n = i64::try_from(cases)?;
    let fill = match store.backend() {
        zhijia_store::Backend::Sqlite => FILL_SQLITE,
        zhijia_store::Backend::Postgres => FILL_PG,
    };
    let mut tx = store.change().await?;
    tx.execute(fill, &[&n]).await?;
    tx.commit_unaudited(zhijia_store::Unaudited::DemoData)
        .await?;
    // What autovacuum does after a bulk load on PostgreSQL (statistics, and the visibility map
    // that lets the queue count from the index alone); statistics on SQLite.
    match &target {
        zhijia_store::StoreTarget::Postgres(url) => {
            // VACUUM cannot run in the transaction every store call opens.
            let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
            tokio::spawn(conn);
            client.batch_execute("VACUUM ANALYZE rights_case").await?;
        }
        _ => {
            let mut tx = store.change().await?;
            tx.execute("ANALYZE", &[]).await?;
            tx.commit_unaudited(zhijia_store::Unaudited::DemoData)
                .await?;
        }
    }
    let open_cases: i64 = store
        .query_one(
            "SELECT COUNT(*) FROM rights_case WHERE state <> 'closed' AND state <> 'resolved'",
            &[],
        )
        .await?;
    println!(
        "backend {}: {cases} cases ({open_cases} open) filled in {:.1} s",
        store.backend().as_str(),
        started.elapsed().as_secs_f64()
    );

    let settings = Settings::default();
    let sms = zhijia_app::sms::LogSender;
    let ctx = Ctx {
        db: &store,
        settings: &settings,
        sms: &sms,
    };
    let actor = Actor::cli("zhijia-bench");
    // Baseline: one case by primary key, through the same store call a page makes.
    let (p50, p99) = time(rounds, || async {
        zhijia_store::case::get(&store, zhijia_domain::ids::CaseId(4242))
            .await?
            .ok_or("no case")?;
        Ok(())
    })
    .await?;
    println!("baseline  point read of one case by id: p50 {p50:.3} ms, p99 {p99:.3} ms");
    for level in ["township", "county", "city", "province"] {
        let org = busiest(&store, level).await?;
        let grants = [Grant {
            role: Role::CaseHandler,
            org_path: org.path.clone(),
        }];
        let staff = StaffCtx {
            actor: &actor,
            grants: &grants,
        };
        let q = QueueQuery {
            org: Some(org.id),
            ..QueueQuery::default()
        };
        let (_, _, first) = zhijia_app::case::queue(&ctx, &staff, &q).await?;
        let total = first.total;
        let (p50, p99) = time(rounds, || async {
            zhijia_app::case::queue(&ctx, &staff, &q).await?;
            Ok(())
        })
        .await?;
        println!(
            "queue     {level:<9} {} ({} open, first page of 20): p50 {p50:.3} ms, p99 {p99:.3} ms",
            org.name,
            if total > zhijia_store::case::COUNT_CAP {
                format!("{}+", zhijia_store::case::COUNT_CAP)
            } else {
                total.to_string()
            }
        );
    }
    // The escalation job on 25 November 2026: most open cases are long overdue.
    let now = Utc
        .with_ymd_and_hms(2026, 11, 25, 2, 0, 0)
        .single()
        .ok_or("date")?;
    for label in [
        "first run (raises overdue cases)",
        "second run (nothing changed)",
    ] {
        let t = Instant::now();
        let mut tx = store.change().await?;
        let (out, recorded) = zhijia_app::case::escalate::run_in(&mut tx, &settings, now).await?;
        tx.commit_or(recorded, zhijia_store::Unaudited::JobQueue)
            .await?;
        println!(
            "escalate  {label}: {} open overdue scanned, {} escalated in {:.2} s",
            out.overdue,
            out.escalated,
            t.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
