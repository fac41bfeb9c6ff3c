//! Staff accounts and roles: password rules, hashing, lock-out, and who may grant what.

use crate::ValidationError;
use crate::org::OrgPath;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use chrono::Duration;
use serde::{Deserialize, Serialize};

pub use crate::ids::StaffId;

/// What a staff account may do, on an org and every org below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    OrgAdmin,
    Reviewer,
    CaseHandler,
    AidOfficer,
    Editor,
    Analyst,
    MerchantStaff,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::OrgAdmin,
        Role::Reviewer,
        Role::CaseHandler,
        Role::AidOfficer,
        Role::Editor,
        Role::Analyst,
        Role::MerchantStaff,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::OrgAdmin => "org_admin",
            Role::Reviewer => "reviewer",
            Role::CaseHandler => "case_handler",
            Role::AidOfficer => "aid_officer",
            Role::Editor => "editor",
            Role::Analyst => "analyst",
            Role::MerchantStaff => "merchant_staff",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::OrgAdmin => "组织管理员",
            Role::Reviewer => "入会审核员",
            Role::CaseHandler => "维权办理员",
            Role::AidOfficer => "帮扶专干",
            Role::Editor => "编辑",
            Role::Analyst => "数据分析员",
            Role::MerchantStaff => "商户店员",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| ValidationError::new("role", "角色不正确"))
    }
}

/// A role held on an org, with that org's path (its scope is the subtree).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub role: Role,
    pub org_path: OrgPath,
}

/// Whether grants give `role` on the org at `target` (a role on an org covers its subtree).
pub fn holds(grants: &[Grant], role: Role, target: &OrgPath) -> bool {
    grants
        .iter()
        .any(|g| g.role == role && g.org_path.contains(target))
}

/// Granting is scoped: only an `org_admin` of an org at or above the target org may grant a
/// role there, never above or beside their own branch (RuoYi issue #328 is this rule missing).
pub fn may_grant(granter: &[Grant], target: &OrgPath) -> bool {
    holds(granter, Role::OrgAdmin, target)
}

/// Separation of duties in granting: nobody grants a role to themselves (one person would then
/// hold several approvers' places in a staged review), and a merchant's account, made by a union
/// with a password it returns, holds no union role.
pub fn check_grant(
    granter: i64,
    grantee: i64,
    grantee_is_merchant: bool,
    role: Role,
) -> Result<(), &'static str> {
    if granter == grantee {
        return Err("不能给自己授予角色，请由同级或上级工会的管理员授予");
    }
    if grantee_is_merchant && role != Role::MerchantStaff {
        return Err("商户店员账号不能担任工会角色");
    }
    Ok(())
}

/// A username: 3–32 characters of lower-case letters, digits, `.`, `_` and `-`.
pub fn parse_username(input: &str) -> Result<String, ValidationError> {
    let u = input.trim().to_ascii_lowercase();
    let ok = (3..=32).contains(&u.len())
        && u.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(u)
    } else {
        Err(ValidationError::new(
            "username",
            "用户名应为3至32位小写字母、数字或 . _ -",
        ))
    }
}

const COMMON: [&str; 8] = [
    "password",
    "12345678",
    "123456789",
    "1234567890",
    "qwertyuiop",
    "11111111",
    "88888888",
    "abc12345",
];

/// Password rules: at least 10 characters, letters and digits both, not the username, not one of
/// the passwords every attacker tries first.
pub fn check_password(password: &str, username: &str) -> Result<(), ValidationError> {
    let field = "password";
    if password.chars().count() < 10 {
        return Err(ValidationError::new(field, "密码至少10位"));
    }
    if password.chars().count() > 128 {
        return Err(ValidationError::new(field, "密码不能超过128位"));
    }
    if !password.chars().any(|c| c.is_alphabetic()) || !password.chars().any(|c| c.is_ascii_digit())
    {
        return Err(ValidationError::new(field, "密码须同时包含字母和数字"));
    }
    let lower = password.to_lowercase();
    let has_username = !username.is_empty() && lower.contains(&username.to_lowercase());
    if has_username || COMMON.iter().any(|c| lower.contains(c)) {
        return Err(ValidationError::new(
            field,
            "密码过于简单：不能包含用户名或常见密码",
        ));
    }
    Ok(())
}

/// Hashes a password with Argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, ValidationError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| ValidationError::new("password", "密码无法处理"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// How wrong passwords slow down further tries. There is no lock an attacker could put on an
/// account: the first few failures cost nothing, then each one doubles the wait before the next
/// check, up to a ceiling. Counted per account and address (a guesser from one address waits
/// up to fifteen minutes per guess), and per account from all addresses together with a low
/// ceiling, so a guesser with many addresses gets about one guess a minute while the owner,
/// signing in from elsewhere, waits a minute at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignInDelay {
    /// Failures that cost no wait.
    pub free: i64,
    /// The longest wait, in seconds.
    pub ceiling_seconds: i64,
}

impl SignInDelay {
    /// One account from one address.
    pub const PER_ADDRESS: SignInDelay = SignInDelay {
        free: 3,
        ceiling_seconds: 15 * 60,
    };
    /// One account from all addresses together.
    pub const PER_ACCOUNT: SignInDelay = SignInDelay {
        free: 10,
        ceiling_seconds: 60,
    };

    /// The wait before the next check after `failures` wrong passwords in a row: none for the
    /// free ones, then 1 s, 2 s, 4 s … up to the ceiling.
    pub fn wait_after(&self, failures: i64) -> Duration {
        let over = failures - self.free;
        if over < 0 {
            return Duration::zero();
        }
        let seconds = 1i64
            .checked_shl(u32::try_from(over).unwrap_or(u32::MAX))
            .filter(|s| *s > 0)
            .map_or(self.ceiling_seconds, |s| s.min(self.ceiling_seconds));
        Duration::seconds(seconds)
    }
}

/// Failures older than this are forgotten: a week-old typo does not slow today's sign-in.
pub const FAILURE_MEMORY_HOURS: i64 = 24;

/// A wait as a person reads it: "30 秒", "2 分钟".
pub fn wait_text(wait: Duration) -> String {
    let seconds = wait.num_seconds().max(1);
    if seconds < 60 {
        format!("{seconds} 秒")
    } else {
        format!("{} 分钟", (seconds + 59) / 60)
    }
}

/// A fresh initial password for `zhijia admin create`: 16 characters, letters and digits,
/// from the operating system's random source, always passing `check_password`.
pub fn initial_password() -> String {
    use argon2::password_hash::rand_core::RngCore;
    const CHARS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    loop {
        let mut bytes = [0u8; 16];
        OsRng.fill_bytes(&mut bytes);
        let p: String = bytes
            .iter()
            .map(|b| CHARS[usize::from(*b) % CHARS.len()] as char)
            .collect();
        if check_password(&p, "").is_ok() {
            return p;
        }
    }
}

/// How long a staff session lasts after sign-in.
pub const SESSION_HOURS: i64 = 12;
/// A staff session (cookie or bearer token) not used for this long ends: a console left open
/// on a shared office computer does not stay signed in all day.
pub const SESSION_IDLE_MINUTES: i64 = 30;

/// A fresh random token (64 hex characters, 256 bits) for a session cookie or a CSRF field.
pub fn random_token() -> String {
    use argon2::password_hash::rand_core::RngCore;
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the store keeps of a session token: its SHA-256.
pub fn token_hash(token: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(token.as_bytes()).into()
}

/// Compares two tokens in time independent of where they differ.
pub fn tokens_match(a: &str, b: &str) -> bool {
    bytes_match(a.as_bytes(), b.as_bytes())
}

/// Compares two byte strings in time independent of where they differ.
pub fn bytes_match(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A mainland mobile number: 11 digits starting 13–19 (spaces and a +86 prefix are accepted).
pub fn parse_phone(input: &str) -> Result<String, ValidationError> {
    let digits: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let digits = digits.strip_prefix("+86").unwrap_or(&digits);
    let b = digits.as_bytes();
    if b.len() == 11
        && b[0] == b'1'
        && (b'3'..=b'9').contains(&b[1])
        && b.iter().all(u8::is_ascii_digit)
    {
        Ok(digits.to_owned())
    } else {
        Err(ValidationError::new("phone", "请输入11位手机号码"))
    }
}

/// 张三 → 张*, 欧阳小明 → 欧**明.
pub fn mask_name(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    match chars.len() {
        0 => String::new(),
        1 => "*".into(),
        2 => format!("{}*", chars[0]),
        n => format!("{}{}{}", chars[0], "*".repeat(n - 2), chars[n - 1]),
    }
}

/// A phone number as shown to others: `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    if phone.len() == 11 {
        format!("{}****{}", &phone[..3], &phone[7..])
    } else {
        "***".into()
    }
}

/// A fresh six-digit one-time code.
pub fn sms_code() -> String {
    use argon2::password_hash::rand_core::RngCore;
    format!("{:06}", OsRng.next_u32() % 1_000_000)
}

/// What the store keeps of a one-time code: a hash bound to the phone it was sent to.
pub fn sms_code_hash(phone: &str, code: &str) -> [u8; 32] {
    token_hash(&format!("{phone}:{code}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::{OrgId, OrgPath};

    fn path(ids: &[i64]) -> OrgPath {
        let mut p = OrgPath::root(OrgId(ids[0]));
        for id in &ids[1..] {
            p = p.child(OrgId(*id));
        }
        p
    }

    #[test]
    fn a_county_admin_may_grant_inside_the_county_only() {
        let county = path(&[1, 2, 3]);
        let grants = vec![Grant {
            role: Role::OrgAdmin,
            org_path: county.clone(),
        }];
        assert!(may_grant(&grants, &county));
        assert!(may_grant(&grants, &path(&[1, 2, 3, 9])));
        assert!(!may_grant(&grants, &path(&[1, 2])), "not the parent city");
        assert!(
            !may_grant(&grants, &path(&[1, 2, 4])),
            "not a sibling county"
        );
        assert!(
            !may_grant(&grants, &path(&[1, 2, 30])),
            "not a county whose id starts alike"
        );
        let reviewer = vec![Grant {
            role: Role::Reviewer,
            org_path: county.clone(),
        }];
        assert!(!may_grant(&reviewer, &county), "only org_admin grants");
    }

    #[test]
    fn passwords_follow_the_rules_and_hash_with_argon2id() {
        assert!(check_password("short1", "wang").is_err());
        assert!(check_password("onlyletterslong", "wang").is_err());
        assert!(check_password("wang12345678x", "wang").is_err());
        assert!(check_password("Password2024x", "li").is_err());
        assert!(check_password("Tianhe2024Union", "wang").is_ok());
        let h = hash_password("Tianhe2024Union").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Tianhe2024Union", &h));
        assert!(!verify_password("Tianhe2024Unio", &h));
        assert!(!verify_password("x", "not a hash"));
        assert!(check_password(&initial_password(), "admin").is_ok());
    }

    #[test]
    fn wrong_passwords_double_the_wait_up_to_a_ceiling_and_never_lock() {
        let from_one = SignInDelay::PER_ADDRESS;
        let waits: Vec<i64> = (1..=16)
            .map(|n| from_one.wait_after(n).num_seconds())
            .collect();
        assert_eq!(
            waits,
            [
                0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900
            ]
        );
        assert_eq!(from_one.wait_after(i64::MAX), Duration::minutes(15));
        // The account-wide count keeps the owner's wait to a minute whatever others try.
        let all = SignInDelay::PER_ACCOUNT;
        assert_eq!(all.wait_after(9), Duration::zero());
        assert_eq!(all.wait_after(10), Duration::seconds(1));
        assert_eq!(all.wait_after(1_000_000), Duration::minutes(1));
        assert_eq!(wait_text(Duration::seconds(8)), "8 秒");
        assert_eq!(wait_text(Duration::seconds(61)), "2 分钟");
        assert_eq!(wait_text(Duration::milliseconds(200)), "1 秒");
    }

    #[test]
    fn phones_are_mainland_mobiles() {
        assert_eq!(parse_phone("+86 138 0013 8000").unwrap(), "13800138000");
        assert!(parse_phone("12800138000").is_err());
        assert!(parse_phone("1380013800").is_err());
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(sms_code().len(), 6);
    }

    #[test]
    fn usernames_are_normalised_and_checked() {
        assert_eq!(parse_username(" Wang.Wei ").unwrap(), "wang.wei");
        assert!(parse_username("王伟").is_err());
        assert!(parse_username("ab").is_err());
    }
}
