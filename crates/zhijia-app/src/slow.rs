//! Slow work (password hashing, parsing an upload, rendering XLSX or a QR code) off the async
//! workers and outside every write transaction.
//!
//! It runs on tokio's blocking threads behind a semaphore of `cores − 1` permits (at least one):
//! 32 password guesses at once would otherwise start 32 threads that crowd out the async
//! workers serving everyone else. A use case calls `run` before it opens its `Change`, never
//! inside one: on SQLite every write in the process waits for the one writer.
//!
//! Password checks are also paced, since anyone can send them: a check keeps its permit for as
//! long again as it took, so a storm of guesses uses at most half of the cores it may have, and
//! when more than `MAX_WAITING` checks already wait, the next is refused at once ("try again
//! later") instead of queueing without end (docs/benchmarks.md, "sign-in storm").

use crate::{AppError, Result};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use tokio::sync::Semaphore;

/// Password checks that may wait for a permit before the next is refused.
pub const MAX_WAITING: usize = 64;

fn permits() -> &'static Semaphore {
    static PERMITS: OnceLock<Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| {
        // Leave a core to the async workers where there is more than one.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Semaphore::new(cores.saturating_sub(1).max(1))
    })
}

/// Runs `f` on a blocking thread once a permit is free.
pub async fn run<T, F>(f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let _permit = permits()
        .acquire()
        .await
        .map_err(|e| AppError::Internal(format!("slow-work pool closed: {e}")))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))
}

/// Runs a password check or hash: like `run`, but paced and with a bounded queue (above).
async fn run_paced<T, F>(f: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    static WAITING: AtomicUsize = AtomicUsize::new(0);
    /// One place in the queue, given back when the wait ends, also when the request is
    /// dropped while waiting (a client that went away must not keep its place for good).
    struct Place;
    impl Drop for Place {
        fn drop(&mut self) {
            WAITING.fetch_sub(1, Ordering::AcqRel);
        }
    }
    if WAITING.fetch_add(1, Ordering::AcqRel) >= MAX_WAITING {
        WAITING.fetch_sub(1, Ordering::AcqRel);
        return Err(AppError::TooMany("登录请求过多，请稍后再试".into()));
    }
    let place = Place;
    let permit = permits().acquire().await;
    drop(place);
    let _permit = permit.map_err(|e| AppError::Internal(format!("slow-work pool closed: {e}")))?;
    let started = Instant::now();
    let out = tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?;
    // Hold the permit as long again, asleep: the pool's threads work at most half the time.
    tokio::time::sleep(started.elapsed()).await;
    Ok(out)
}

/// Hashes a password (Argon2id) off the async workers.
pub async fn hash_password(password: String) -> Result<String> {
    Ok(run_paced(move || zhijia_domain::auth::hash_password(&password)).await??)
}

/// Checks a password against its hash off the async workers.
pub async fn verify_password(password: String, hash: String) -> Result<bool> {
    run_paced(move || zhijia_domain::auth::verify_password(&password, &hash)).await
}
