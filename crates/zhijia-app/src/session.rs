//! Staff sessions: started at sign-in, looked up on every request (from the database, so any
//! server process serves any request), ended at sign-out, after `SESSION_HOURS`, or after
//! `SESSION_IDLE_MINUTES` without use.

use crate::Result;
use chrono::{Duration, Utc};
use zhijia_domain::auth::{self, StaffId};
use zhijia_store::session::{self as store, Session};
use zhijia_store::{Store, Unaudited};

/// A started session: the token for the cookie (never stored) and the CSRF token for forms.
pub struct Started {
    pub token: String,
    pub csrf_token: String,
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn start(db: &Store, staff: StaffId) -> Result<Started> {
    let token = auth::random_token();
    let csrf_token = auth::random_token();
    let expires = Utc::now() + Duration::hours(auth::SESSION_HOURS);
    let mut tx = db.change().await?;
    store::insert(
        &mut tx,
        &auth::token_hash(&token),
        staff,
        &csrf_token,
        expires,
    )
    .await?;
    // Housekeeping rides along with sign-ins instead of needing a job of its own.
    store::delete_expired(&mut tx, Utc::now(), idle_since(Utc::now())).await?;
    // The sign-in that opened it was audited by `staff::sign_in`.
    tx.commit_unaudited(Unaudited::Session).await?;
    Ok(Started { token, csrf_token })
}

/// Sessions last used before this have ended.
fn idle_since(now: chrono::DateTime<Utc>) -> chrono::DateTime<Utc> {
    now - Duration::minutes(auth::SESSION_IDLE_MINUTES)
}

/// How stale the last-use time may get before a request writes it again: a write per session
/// and minute at most, not one per request (on SQLite every write waits for the one writer).
const TOUCH_EVERY_SECONDS: i64 = 60;

/// The live session of a cookie or bearer token, if any; using it keeps it alive.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn resolve(db: &Store, token: &str) -> Result<Option<Session>> {
    if token.len() != 64 {
        return Ok(None);
    }
    let now = Utc::now();
    let hash = auth::token_hash(token);
    let Some(session) = store::get(db, &hash, now, idle_since(now)).await? else {
        return Ok(None);
    };
    if now - session.last_seen_at >= Duration::seconds(TOUCH_EVERY_SECONDS) {
        let mut tx = db.change().await?;
        store::touch(&mut tx, &hash, now).await?;
        tx.commit_unaudited(Unaudited::Session).await?;
    }
    Ok(Some(session))
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn end(db: &Store, token: &str) -> Result<()> {
    let mut tx = db.change().await?;
    store::delete(&mut tx, &auth::token_hash(token)).await?;
    Ok(tx.commit_unaudited(Unaudited::Session).await?)
}

/// Ends every session of an account, e.g. after its password changed.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn end_all(db: &Store, staff: StaffId) -> Result<()> {
    let mut tx = db.change().await?;
    store::delete_for_staff(&mut tx, staff).await?;
    Ok(tx.commit_unaudited(Unaudited::Session).await?)
}
