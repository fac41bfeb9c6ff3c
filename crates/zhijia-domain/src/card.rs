//! Signed, short-lived QR tokens: the member card now, coupons later.
//!
//! A token is `{kind}.{subject}.{expires_unix}.{sig_hex}`, e.g.
//! `ZJC1.000000000018.1767225600.0f3c…` (32 hex characters of signature). It carries no
//! personal data beyond the member number and is short enough for a small QR code. The signature
//! proves the platform issued it; the expiry, minutes ahead, makes a screenshot or a photo of
//! someone else's card useless soon after.

use chrono::{DateTime, Utc};
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

/// The member card, version 1.
pub const MEMBER_CARD: &str = "ZJC1";
/// A coupon, version 1 (reserved).
pub const COUPON: &str = "ZJQ1";

/// Bytes of the HMAC kept in the token: 128 bits cannot be guessed, and 32 hex characters keep
/// the QR code small.
const SIG_LEN: usize = 16;
/// Longer input is not a token; refusing it early bounds the work done on a scanned string.
const MAX_TOKEN_LEN: usize = 200;
const MAX_KIND_LEN: usize = 8;
const MAX_SUBJECT_LEN: usize = 32;
/// Enough digits for any expiry chrono can represent.
const MAX_EXPIRES_DIGITS: usize = 15;

/// The HMAC-SHA256 key signing tokens (derive it with [`crate::pii::PiiKeys::derive_key`]).
/// `Debug` never shows it.
#[derive(Clone)]
pub struct TokenKey {
    mac: Hmac<Sha256>,
}

impl fmt::Debug for TokenKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TokenKey(<redacted>)")
    }
}

/// A token whose signature checked and which has not expired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedToken {
    pub subject: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum TokenError {
    #[error("二维码无法识别")]
    Malformed,
    #[error("二维码类型不符，这不是此处要扫描的码(例如不是会员卡二维码)")]
    WrongKind,
    #[error("二维码是伪造的或已被篡改")]
    Forged,
    /// Genuine but expired: the subject is known, so the caller may say whose card it was.
    #[error("二维码已过期，请让持卡人刷新")]
    Expired { subject: String },
}

fn is_tag(s: &str, max: usize) -> bool {
    (1..=max).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

impl TokenKey {
    pub fn from_bytes(key: [u8; 32]) -> Self {
        // HMAC zero-pads a key shorter than the hash block (RFC 2104), so the 64-byte block
        // holding the key and 32 zeros is the same key; `KeyInit::new` on it cannot fail.
        let mut block = [0u8; 64];
        block[..32].copy_from_slice(&key);
        Self {
            mac: <Hmac<Sha256> as KeyInit>::new(&block.into()),
        }
    }

    fn mac_of(&self, kind: &str, subject: &str, expires: &str) -> Hmac<Sha256> {
        let mut mac = self.mac.clone();
        mac.update(kind.as_bytes());
        mac.update(b".");
        mac.update(subject.as_bytes());
        mac.update(b".");
        mac.update(expires.as_bytes());
        mac
    }

    /// Signs a token. `kind` (1–8 characters) and `subject` (1–32 characters, e.g. a member
    /// number) must be ASCII letters and digits: a token built from anything else is issued
    /// but will not verify. The expiry keeps whole seconds.
    pub fn issue(&self, kind: &str, subject: &str, expires_at: DateTime<Utc>) -> String {
        let expires = expires_at.timestamp().to_string();
        let tag = self.mac_of(kind, subject, &expires).finalize().into_bytes();
        let sig = hex::encode(&tag[..SIG_LEN]);
        format!("{kind}.{subject}.{expires}.{sig}")
    }

    /// Checks a scanned token of the expected `kind`. The signature is checked (in constant
    /// time) before the expiry, so a forged token is reported as forged whatever it claims.
    pub fn verify(
        &self,
        kind: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<VerifiedToken, TokenError> {
        if token.len() > MAX_TOKEN_LEN {
            return Err(TokenError::Malformed);
        }
        let mut parts = token.split('.');
        let (Some(t_kind), Some(subject), Some(expires), Some(sig), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(TokenError::Malformed);
        };
        if !is_tag(t_kind, MAX_KIND_LEN)
            || !is_tag(subject, MAX_SUBJECT_LEN)
            || !(1..=MAX_EXPIRES_DIGITS).contains(&expires.len())
            || !expires.bytes().all(|b| b.is_ascii_digit())
            || sig.len() != SIG_LEN * 2
            || !sig.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            return Err(TokenError::Malformed);
        }
        if t_kind != kind {
            return Err(TokenError::WrongKind);
        }
        let sig = hex::decode(sig).map_err(|_| TokenError::Malformed)?;
        self.mac_of(t_kind, subject, expires)
            .verify_truncated_left(&sig)
            .map_err(|_| TokenError::Forged)?;
        let expires_at = expires
            .parse::<i64>()
            .ok()
            .and_then(|s| DateTime::from_timestamp(s, 0))
            .ok_or(TokenError::Malformed)?;
        if now >= expires_at {
            return Err(TokenError::Expired {
                subject: subject.to_owned(),
            });
        }
        Ok(VerifiedToken {
            subject: subject.to_owned(),
            expires_at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn key(b: u8) -> TokenKey {
        TokenKey::from_bytes([b; 32])
    }

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 30, 0).unwrap()
    }

    /// Replaces the character at `i` by another of the same class, keeping the format valid.
    fn flip(token: &str, i: usize) -> String {
        let mut b = token.as_bytes().to_vec();
        b[i] = match b[i] {
            b'0' => b'1',
            b'a' => b'b',
            c if c.is_ascii_digit() => b'0',
            c if c.is_ascii_lowercase() => b'a',
            _ => b'Z',
        };
        String::from_utf8(b).unwrap()
    }

    #[test]
    fn round_trips() {
        let exp = now() + Duration::minutes(5);
        let t = key(1).issue(MEMBER_CARD, "000000000018", exp);
        assert!(t.starts_with("ZJC1.000000000018."));
        assert_eq!(t.rsplit('.').next().unwrap().len(), 32);
        let v = key(1).verify(MEMBER_CARD, &t, now()).unwrap();
        assert_eq!(v.subject, "000000000018");
        assert_eq!(v.expires_at, exp);
    }

    #[test]
    fn the_key_matches_plain_hmac_with_a_32_byte_key() {
        let raw = [7u8; 32];
        let mut plain = <Hmac<Sha256> as Mac>::new_from_slice(&raw).unwrap();
        plain.update(b"ZJC1.A1.100");
        let expected = hex::encode(&plain.finalize().into_bytes()[..SIG_LEN]);
        let t = TokenKey::from_bytes(raw).issue(
            "ZJC1",
            "A1",
            DateTime::from_timestamp(100, 0).unwrap(),
        );
        assert_eq!(t, format!("ZJC1.A1.100.{expected}"));
    }

    #[test]
    fn tampering_is_forgery() {
        let t = key(1).issue(MEMBER_CARD, "000000000018", now() + Duration::minutes(5));
        let subject_at = 5;
        let expires_at = "ZJC1.000000000018.".len();
        let sig_at = t.len() - 1;
        for i in [
            subject_at,
            subject_at + 11,
            expires_at,
            expires_at + 3,
            sig_at,
            sig_at - 20,
        ] {
            let bad = flip(&t, i);
            assert_ne!(bad, t);
            assert_eq!(
                key(1).verify(MEMBER_CARD, &bad, now()),
                Err(TokenError::Forged),
                "{bad}"
            );
        }
        assert_eq!(
            key(2).verify(MEMBER_CARD, &t, now()),
            Err(TokenError::Forged)
        );
    }

    #[test]
    fn a_forged_token_claiming_a_past_expiry_is_forged_not_expired() {
        let t = key(2).issue(MEMBER_CARD, "000000000018", now() - Duration::minutes(5));
        assert_eq!(
            key(1).verify(MEMBER_CARD, &t, now()),
            Err(TokenError::Forged)
        );
    }

    #[test]
    fn expires_at_the_instant() {
        let exp = now() + Duration::minutes(5);
        let t = key(1).issue(MEMBER_CARD, "M42", exp);
        assert!(
            key(1)
                .verify(MEMBER_CARD, &t, exp - Duration::seconds(1))
                .is_ok()
        );
        let expired = Err(TokenError::Expired {
            subject: "M42".into(),
        });
        assert_eq!(key(1).verify(MEMBER_CARD, &t, exp), expired);
        assert_eq!(
            key(1).verify(MEMBER_CARD, &t, exp + Duration::days(1)),
            expired
        );
    }

    #[test]
    fn garbage_is_malformed() {
        let t = key(1).issue(MEMBER_CARD, "000000000018", now() + Duration::minutes(5));
        let long = format!("{t}{}", "0".repeat(MAX_TOKEN_LEN));
        let upper = t.to_uppercase();
        let cases = [
            "",
            ".",
            "...",
            "ZJC1...",
            "hello world",
            "ZJC1.000000000018.1767225600",
            "ZJC1.会员.1767225600.00000000000000000000000000000000",
            "ZJC1.000000000018.-1.00000000000000000000000000000000",
            "ZJC1.000000000018.1767225600.0000000000000000000000000000000g",
            &long,
            &upper,
            &format!("{t}.x"),
            &format!(" {t}"),
        ];
        for c in cases {
            assert_eq!(
                key(1).verify(MEMBER_CARD, c, now()),
                Err(TokenError::Malformed),
                "{c:?}"
            );
        }
        let bad_subject = key(1).issue(MEMBER_CARD, "a-b", now() + Duration::minutes(5));
        assert_eq!(
            key(1).verify(MEMBER_CARD, &bad_subject, now()),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn another_kind_is_refused() {
        let t = key(1).issue(COUPON, "Q123", now() + Duration::minutes(5));
        assert_eq!(
            key(1).verify(MEMBER_CARD, &t, now()),
            Err(TokenError::WrongKind)
        );
        assert!(key(1).verify(COUPON, &t, now()).is_ok());
    }

    #[test]
    fn messages_are_chinese_and_debug_is_redacted() {
        assert_eq!(TokenError::Forged.to_string(), "二维码是伪造的或已被篡改");
        assert!(
            TokenError::Expired {
                subject: "x".into()
            }
            .to_string()
            .contains("过期")
        );
        assert_eq!(format!("{:?}", key(1)), "TokenKey(<redacted>)");
    }
}
