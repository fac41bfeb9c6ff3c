//! Staff sessions: started at sign-in, looked up on every request (from the database, so any
//! server process serves any request), ended at sign-out or after `SESSION_HOURS`.

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
    store::delete_expired(&mut tx, Utc::now()).await?;
    // The sign-in that opened it was audited by `staff::sign_in`.
    tx.commit_unaudited(Unaudited::Session).await?;
    Ok(Started { token, csrf_token })
}

/// The live session of a cookie token, if any.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn resolve(db: &Store, token: &str) -> Result<Option<Session>> {
    if token.len() != 64 {
        return Ok(None);
    }
    Ok(store::get(db, &auth::token_hash(token), Utc::now()).await?)
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
