//! Slow work (password hashing, parsing an upload, rendering XLSX or a QR code) off the async
//! workers and outside every write transaction.
//!
//! It runs on tokio's blocking threads, one task per core but one at a time: 32 password
//! guesses at once would otherwise start 32 threads that crowd out the async workers serving
//! everyone else (see docs/benchmarks.md, "sign-in storm"). A use case calls `run` before it
//! opens its `Change`, never inside one: on SQLite every write in the process waits for the one
//! writer.

use crate::{AppError, Result};
use std::sync::OnceLock;
use tokio::sync::Semaphore;

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

/// Hashes a password (Argon2id) off the async workers.
pub async fn hash_password(password: String) -> Result<String> {
    Ok(run(move || zhijia_domain::auth::hash_password(&password)).await??)
}

/// Checks a password against its hash off the async workers.
pub async fn verify_password(password: String, hash: String) -> Result<bool> {
    run(move || zhijia_domain::auth::verify_password(&password, &hash)).await
}
