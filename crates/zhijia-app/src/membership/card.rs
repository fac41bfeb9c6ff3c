//! The electronic member card (电子会员卡) and its signed, short-lived QR code.
//!
//! The QR carries the member number and an expiry a few minutes ahead, signed with a key derived
//! from the server's secret, so a screenshot stops working soon and a forged code is caught by
//! anyone who checks it here: merchants and activity organisers.

use crate::caller::worker_of_phone;

use super::Ctx;
use crate::{AppError, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use zhijia_domain::card::{MEMBER_CARD, TokenError, TokenKey};
use zhijia_domain::member::MemberNo;
use zhijia_domain::pii::PiiKeys;
use zhijia_store::Store;
use zhijia_store::membership as store;
use zhijia_store::worker as worker_store;

/// How long a shown QR code stays valid.
pub const CARD_MINUTES: i64 = 5;
const KEY_LABEL: &str = "member-card-v1";

fn key(keys: &PiiKeys) -> TokenKey {
    TokenKey::from_bytes(keys.derive_key(KEY_LABEL))
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Card {
    pub name: String,
    pub org_name: String,
    pub member_no: String,
    pub joined_on: NaiveDate,
    #[schema(value_type = String)]
    pub status: zhijia_domain::member::MembershipStatus,
    /// The QR payload.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// The signed-in worker's card, with a fresh QR payload.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn card(ctx: &Ctx<'_>, phone: &str, now: DateTime<Utc>) -> Result<Card> {
    let worker = worker_of_phone(ctx.db, phone).await?;
    let m = store::current(ctx.db, worker.id)
        .await?
        .ok_or(AppError::NotFound("有效会籍(入会申请通过后才有会员卡)"))?;
    // Members loaded in bulk (demo data, old rosters) get their number on first use.
    let member_no = match worker.member_no {
        Some(no) => no,
        None => {
            let no = MemberNo::from_serial(worker.id.0 as u64)?;
            let mut tx = ctx.db.change().await?;
            let no = store::ensure_member_no(&mut tx, worker.id, no.as_str()).await?;
            tx.commit_unaudited(zhijia_store::Unaudited::Backfill)
                .await?;
            no
        }
    };
    let expires_at = now + Duration::minutes(CARD_MINUTES);
    Ok(Card {
        name: worker.name,
        org_name: m.org_name,
        member_no: member_no.clone(),
        joined_on: m.joined_on,
        status: m.status,
        token: key(ctx.keys).issue(MEMBER_CARD, &member_no, expires_at),
        expires_at,
    })
}

/// The answer to "is this card valid?".
#[derive(Debug, Clone, Serialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CardCheck {
    /// valid, expired, forged, revoked, malformed, wrong_kind
    pub result: &'static str,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub member_no: Option<String>,
    /// Masked: a verifier needs to match the face, not to learn the full name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name_masked: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub org_name: Option<String>,
}

impl CardCheck {
    fn bad(result: &'static str, message: String) -> Self {
        CardCheck {
            result,
            message,
            member_no: None,
            name_masked: None,
            org_name: None,
        }
    }
}

/// Checks a scanned card QR: signature, expiry, and that the membership is still current.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn verify(
    db: &Store,
    keys: &PiiKeys,
    token: &str,
    now: DateTime<Utc>,
) -> Result<CardCheck> {
    let claim = match key(keys).verify(MEMBER_CARD, token.trim(), now) {
        Ok(c) => c,
        Err(e) => {
            let result = match &e {
                TokenError::Malformed => "malformed",
                TokenError::WrongKind => "wrong_kind",
                TokenError::Forged => "forged",
                TokenError::Expired { .. } => "expired",
            };
            return Ok(CardCheck::bad(result, e.to_string()));
        }
    };
    let worker = worker_store::find_by_member_no(db, &claim.subject).await?;
    let current = match &worker {
        Some(w) => store::current(db, w.id).await?,
        None => None,
    };
    match (worker, current) {
        (Some(w), Some(m)) => Ok(CardCheck {
            result: "valid",
            message: if m.status == zhijia_domain::member::MembershipStatus::Retired {
                "会员卡有效(退休会员，保留会籍)".into()
            } else {
                "会员卡有效".into()
            },
            member_no: Some(claim.subject),
            name_masked: Some(zhijia_domain::auth::mask_name(&w.name)),
            org_name: Some(m.org_name),
        }),
        _ => Ok(CardCheck {
            result: "revoked",
            message: "该会员卡已失效(会籍已结束)".into(),
            member_no: Some(claim.subject),
            name_masked: None,
            org_name: None,
        }),
    }
}
