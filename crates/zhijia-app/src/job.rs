//! The background job runner. Jobs live in the database (`zhijia_store::job`), so every server
//! process can run them: a job is claimed with a lease, and its work and its "done" mark commit
//! in one transaction, only while the lease is still this process's. A job therefore takes
//! effect once even with several processes on one PostgreSQL, and a job whose process died is
//! picked up again after its lease (its unfinished work was rolled back).

use crate::case;
use crate::membership::transfer;
use crate::{AppError, Result};
use chrono::{DateTime, Duration, DurationRound, Utc};
use zhijia_store::Unaudited;
use zhijia_store::job::{self as store, Job};

/// How long a claimed job is this process's before another may take it over.
pub const LEASE_MINUTES: i64 = 5;
/// Attempts before a failing job is given up (and left, with its error, for the operator).
pub const MAX_ATTEMPTS: i64 = 5;

/// The kinds of jobs. Their names are stored: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// Release the transfers whose releasing union did not answer in time.
    ReleaseOverdueTransfers,
    /// Escalate (督办) the open cases past their deadline.
    EscalateOverdueCases,
    /// Lapse the hardship files not reviewed in time.
    LapseOverdueAidReviews,
    /// Mark the coupons past their validity expired.
    ExpireCoupons,
}

/// Every kind, for parsing and scheduling, in the order a period's jobs are scheduled: each is
/// periodic.
pub const ALL: [JobKind; 4] = [
    JobKind::ReleaseOverdueTransfers,
    JobKind::EscalateOverdueCases,
    JobKind::LapseOverdueAidReviews,
    JobKind::ExpireCoupons,
];

/// What jobs need: the store and the case settings. No job reads personal data or sends an
/// SMS, so jobs run whether or not the server holds the personal-data key.
pub struct JobCtx<'a> {
    pub db: &'a zhijia_store::Store,
    pub cases: &'a case::Settings,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::ReleaseOverdueTransfers => "transfer.release_overdue",
            JobKind::EscalateOverdueCases => "case.escalate_overdue",
            JobKind::LapseOverdueAidReviews => "aid.lapse_overdue_reviews",
            JobKind::ExpireCoupons => "coupon.expire",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// How often a periodic kind runs.
    fn every(self) -> Duration {
        match self {
            JobKind::ReleaseOverdueTransfers => Duration::minutes(5),
            // Deadlines are whole days; a quarter of an hour is soon enough after midnight.
            JobKind::EscalateOverdueCases => Duration::minutes(15),
            JobKind::LapseOverdueAidReviews => Duration::hours(1),
            // Redemption checks validity itself; the mark only keeps lists and figures true.
            JobKind::ExpireCoupons => Duration::minutes(15),
        }
    }
}

/// A name for this process in the job table: host, process id and a random part.
pub fn worker_name() -> String {
    let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "zhijia".into());
    let token = zhijia_domain::auth::random_token();
    format!("{host}-{}-{}", std::process::id(), &token[..8])
}

/// Enqueues the periodic jobs of the period holding `now`. Idempotent: the job of a period is
/// one row (kind + period start) however many processes schedule it.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn schedule(jobs: &JobCtx<'_>, now: DateTime<Utc>) -> Result<()> {
    for kind in ALL {
        let start = now
            .duration_trunc(kind.every())
            .map_err(|e| AppError::Config(format!("作业周期无效：{e}")))?;
        store::enqueue(jobs.db, kind.as_str(), &start.to_rfc3339(), start).await?;
    }
    Ok(())
}

/// Runs due jobs until none is left; returns how many took effect.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn run_due(jobs: &JobCtx<'_>, worker: &str, now: DateTime<Utc>) -> Result<usize> {
    let mut done = 0;
    while let Some(job) =
        store::claim(jobs.db, worker, now, now + Duration::minutes(LEASE_MINUTES)).await?
    {
        match run(jobs, worker, &job, now).await {
            Ok(true) => done += 1,
            Ok(false) => {}
            Err(e) => {
                let message = e.to_string();
                tracing::warn!(job = %job.id, kind = %job.kind, error = %message, "job failed");
                if job.attempts >= MAX_ATTEMPTS {
                    let mut tx = jobs.db.change().await?;
                    store::finish(&mut tx, job.id, worker, "failed", Some(&message)).await?;
                    tx.commit_unaudited(Unaudited::JobQueue).await?;
                } else {
                    // Back off: 1, 2, 4, 8 minutes.
                    let wait = Duration::minutes(1 << (job.attempts - 1).clamp(0, 4));
                    store::retry(jobs.db, job.id, worker, now + wait, &message).await?;
                }
            }
        }
    }
    Ok(done)
}

/// Runs one claimed job; false if its lease was lost meanwhile (nothing took effect).
async fn run(jobs: &JobCtx<'_>, worker: &str, job: &Job, now: DateTime<Utc>) -> Result<bool> {
    let Some(kind) = JobKind::parse(&job.kind) else {
        let mut tx = jobs.db.change().await?;
        store::finish(&mut tx, job.id, worker, "failed", Some("未知的作业类型")).await?;
        tx.commit_unaudited(Unaudited::JobQueue).await?;
        return Ok(false);
    };
    let mut tx = jobs.db.change().await?;
    // The work's audit entries, if it changed anything a person would ask about.
    let (recorded, unaudited) = match kind {
        JobKind::ReleaseOverdueTransfers => {
            let (n, recorded) = transfer::release_overdue_in(&mut tx, now).await?;
            if n > 0 {
                tracing::info!(released = n, "overdue transfers released");
            }
            (recorded, Unaudited::JobQueue)
        }
        JobKind::EscalateOverdueCases => {
            let (out, recorded) = case::escalate::run_in(&mut tx, jobs.cases, now).await?;
            if out.escalated > 0 {
                tracing::info!(
                    overdue = out.overdue,
                    escalated = out.escalated,
                    "overdue cases escalated"
                );
            }
            (recorded, Unaudited::JobQueue)
        }
        JobKind::ExpireCoupons => {
            let n = zhijia_store::benefit::expire_due(&mut tx, now).await?;
            if n > 0 {
                tracing::info!(expired = n, "coupons past their validity expired");
            }
            (None, Unaudited::Expiry)
        }
        JobKind::LapseOverdueAidReviews => {
            let (n, recorded) = crate::aid::file::lapse_overdue_in(&mut tx, now).await?;
            if n > 0 {
                tracing::info!(lapsed = n, "hardship files not reviewed in time lapsed");
            }
            (recorded, Unaudited::JobQueue)
        }
    };
    // Dropping the transaction without commit rolls the work back.
    if !store::finish(&mut tx, job.id, worker, "done", None).await? {
        return Ok(false);
    }
    tx.commit_or(recorded, unaudited).await?;
    Ok(true)
}
