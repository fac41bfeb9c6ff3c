//! Worker sign-in by phone and one-time SMS code.
//!
//! Limits against SMS bombing and guessing live in the database, so they hold across every
//! server process on one PostgreSQL: one code per phone per 60 s and 10 per day, 20 per client
//! address per hour, 5 wrong tries per code. Codes expire after 5 minutes, are used once, and are
//! stored only as hashes.

use crate::{AppError, Result};
use chrono::{DateTime, Duration, Utc};
use std::future::Future;
use std::pin::Pin;
use zhijia_domain::auth;
use zhijia_store::sms as store;
use zhijia_store::{Store, Unaudited};

pub const CODE_MINUTES: i64 = 5;
pub const MAX_TRIES: i64 = 5;
pub const PHONE_GAP_SECONDS: i64 = 60;
pub const PHONE_PER_DAY: i64 = 10;
pub const ADDRESS_PER_HOUR: i64 = 20;
pub const WORKER_SESSION_DAYS: i64 = 30;

/// Sends a text message. The default writes it to the log; an operator plugs a gateway in.
pub trait SmsSender: Send + Sync {
    fn send<'a>(
        &'a self,
        phone: &'a str,
        text: &'a str,
    ) -> Pin<Box<dyn Future<Output = std::result::Result<(), String>> + Send + 'a>>;
}

/// Writes each message to the log instead of sending it (development and demo).
pub struct LogSender;

impl SmsSender for LogSender {
    fn send<'a>(
        &'a self,
        phone: &'a str,
        text: &'a str,
    ) -> Pin<Box<dyn Future<Output = std::result::Result<(), String>> + Send + 'a>> {
        Box::pin(async move {
            tracing::info!(phone = %auth::mask_phone(phone), text, "SMS (log sender)");
            Ok(())
        })
    }
}

/// Seconds until `phone` may ask for another code (0: now), by the per-phone gap. An
/// unreadable phone number waits for nothing: asking will say what is wrong with it.
pub async fn resend_wait(db: &Store, phone: &str, now: DateTime<Utc>) -> Result<i64> {
    let Ok(phone) = auth::parse_phone(phone) else {
        return Ok(0);
    };
    Ok(match store::last_sent(db, &phone).await? {
        Some(at) => (PHONE_GAP_SECONDS - (now - at).num_seconds()).clamp(0, PHONE_GAP_SECONDS),
        None => 0,
    })
}

/// Sends a sign-in code. Returns the code itself only when `reveal` (demo mode shows it on the
/// page so a newcomer can try the sign-in without a phone).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn request_code(
    db: &Store,
    sender: &dyn SmsSender,
    phone: &str,
    address: Option<&str>,
    reveal: bool,
) -> Result<Option<String>> {
    let phone = auth::parse_phone(phone)?;
    let now = Utc::now();
    let mut tx = db.change().await?;
    let phone_ok = store::throttle(
        &mut tx,
        &format!("phone:{phone}"),
        now,
        now - Duration::seconds(PHONE_GAP_SECONDS),
        now - Duration::hours(24),
        PHONE_PER_DAY,
    )
    .await?;
    if !phone_ok {
        return Err(AppError::TooMany(format!(
            "获取验证码过于频繁：同一手机号每{PHONE_GAP_SECONDS}秒可获取1次、每天最多{PHONE_PER_DAY}次，请稍后再试"
        )));
    }
    if let Some(address) = address {
        let address_ok = store::throttle(
            &mut tx,
            &format!("ip:{address}"),
            now,
            now,
            now - Duration::hours(1),
            ADDRESS_PER_HOUR,
        )
        .await?;
        if !address_ok {
            return Err(AppError::TooMany(
                "当前网络获取验证码过于频繁，请一小时后再试".into(),
            ));
        }
    }
    let code = auth::sms_code();
    store::insert_code(
        &mut tx,
        &phone,
        &auth::sms_code_hash(&phone, &code),
        now,
        now + Duration::minutes(CODE_MINUTES),
    )
    .await?;
    tx.commit_unaudited(Unaudited::Throttle).await?;
    let text = format!(
        "【网上职工之家】您的登录验证码是{code}，{CODE_MINUTES}分钟内有效。如非本人操作请忽略。"
    );
    sender.send(&phone, &text).await.map_err(|e| {
        tracing::error!(error = %e, "SMS could not be sent");
        AppError::Config("短信发送失败，请稍后再试".into())
    })?;
    Ok(reveal.then_some(code))
}

/// A worker signed in: the cookie token and the CSRF token of their forms.
pub struct SignedIn {
    pub phone: String,
    pub token: String,
    pub csrf_token: String,
}

impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SignedIn({}, <token redacted>)",
            auth::mask_phone(&self.phone)
        )
    }
}

/// Checks a code: right once, within five minutes, at most five wrong tries.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn verify_code(db: &Store, phone: &str, code: &str) -> Result<SignedIn> {
    let phone = auth::parse_phone(phone)?;
    let code = code.trim();
    let now = Utc::now();
    let mut tx = db.change().await?;
    let Some(live) = store::latest_code(&mut tx, &phone, now).await? else {
        return Err(AppError::invalid("code", "验证码已失效，请重新获取"));
    };
    if live.attempts >= MAX_TRIES {
        return Err(AppError::invalid("code", "验证码错误次数过多，请重新获取"));
    }
    if !auth::bytes_match(&live.hash, &auth::sms_code_hash(&phone, code)) {
        let tries = store::wrong_try(&mut tx, live.id, MAX_TRIES).await?;
        tx.commit_unaudited(Unaudited::Throttle).await?;
        return Err(match tries {
            Some(n) if n < MAX_TRIES => AppError::invalid(
                "code",
                format!("验证码不正确，还可以再试{}次", MAX_TRIES - n),
            ),
            _ => AppError::invalid("code", "验证码错误次数过多，请重新获取"),
        });
    }
    if !store::use_code(&mut tx, live.id, now).await? {
        return Err(AppError::invalid("code", "验证码已使用，请重新获取"));
    }
    let token = auth::random_token();
    let csrf_token = auth::random_token();
    let expires = now + Duration::days(WORKER_SESSION_DAYS);
    store::insert_session(
        &mut tx,
        &auth::token_hash(&token),
        &phone,
        &csrf_token,
        expires,
    )
    .await?;
    // The code used, the session it opened and its audit entry (with the client's address),
    // together.
    let recorded = zhijia_store::audit::append(
        &mut tx,
        &crate::caller::worker_actor(&phone),
        zhijia_store::audit::Record {
            action: zhijia_domain::audit::action::WORKER_SIGN_IN,
            org: None,
            target_kind: None,
            target_id: None,
            detail: None,
        },
    )
    .await?;
    tx.commit(recorded).await?;
    Ok(SignedIn {
        phone,
        token,
        csrf_token,
    })
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn resolve(db: &Store, token: &str) -> Result<Option<store::WorkerSession>> {
    if token.len() != 64 {
        return Ok(None);
    }
    Ok(store::get_session(db, &auth::token_hash(token), Utc::now()).await?)
}

#[tracing::instrument(level = "debug", skip_all)]
pub async fn sign_out(db: &Store, token: &str) -> Result<()> {
    let mut tx = db.change().await?;
    store::delete_session(&mut tx, &auth::token_hash(token)).await?;
    Ok(tx.commit_unaudited(Unaudited::Session).await?)
}
