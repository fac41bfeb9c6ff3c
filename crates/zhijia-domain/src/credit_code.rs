//! 统一社会信用代码 (GB 32100-2015).

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The 31 characters the standard uses, in the order of their values 0..=30 (no I O Z S V).
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1..=17: 3^(i-1) mod 31.
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

const FIELD: &str = "credit_code";

/// A checked unified social credit code of an employer or a union.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CreditCode(String);

fn value_of(c: u8) -> Option<u32> {
    ALPHABET.iter().position(|&a| a == c).map(|p| p as u32)
}

/// The check character for the first 17 characters, or `None` if one of them is not allowed.
pub fn check_char(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 {
        return None;
    }
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value_of(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    Some(ALPHABET[check as usize] as char)
}

impl CreditCode {
    /// Parses a code as people type it: surrounding spaces are ignored and lower case is accepted.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let code = input.trim().to_ascii_uppercase();
        if code.chars().count() != 18 {
            return Err(ValidationError::new(FIELD, "统一社会信用代码应为18位"));
        }
        let bytes = code.as_bytes();
        if let Some(bad) = bytes.iter().find(|c| value_of(**c).is_none()) {
            return Err(ValidationError::new(
                FIELD,
                format!(
                    "统一社会信用代码含有不允许的字符“{}”(不使用 I、O、Z、S、V)",
                    *bad as char
                ),
            ));
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(ValidationError::new(
                FIELD,
                "统一社会信用代码第3至8位应为行政区划代码",
            ));
        }
        let expected = check_char(&bytes[..17]);
        if expected != Some(bytes[17] as char) {
            return Err(ValidationError::new(
                FIELD,
                "统一社会信用代码校验位不正确，请核对后重新输入",
            ));
        }
        Ok(Self(code))
    }

    /// Codes of trade-union legal persons begin with 81 (registering authority 8, type 1).
    pub fn is_union(&self) -> bool {
        self.0.starts_with("81")
    }

    /// The six-digit region code carried in positions 3 to 8.
    pub fn region_code(&self) -> &str {
        &self.0[2..8]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Builds a valid code from its first 17 characters (used by the demo generator).
    pub fn with_check_char(first17: &str) -> Result<Self, ValidationError> {
        let c = check_char(first17.as_bytes())
            .ok_or_else(|| ValidationError::new(FIELD, "统一社会信用代码前17位不合法"))?;
        Self::parse(&format!("{first17}{c}"))
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_published_codes() {
        // Codes printed on public business licences.
        for code in [
            "91350100M000100Y43",
            "91110108551385082Q",
            "91440300708461136T",
            "91110000100005220B",
        ] {
            assert!(CreditCode::parse(code).is_ok(), "{code}");
        }
    }

    #[test]
    fn refuses_a_wrong_check_character_naming_the_field() {
        let err = CreditCode::parse("91350100M000100Y44").unwrap_err();
        assert_eq!(err.field, "credit_code");
        assert!(err.message.contains("统一社会信用代码"));
        assert!(err.message.contains("校验位"));
    }

    #[test]
    fn refuses_letters_the_standard_leaves_out() {
        let err = CreditCode::parse("91350100M000100I43").unwrap_err();
        assert!(err.message.contains('I'));
    }

    #[test]
    fn refuses_wrong_length() {
        assert!(CreditCode::parse("9135010").is_err());
    }

    #[test]
    fn knows_union_codes_and_builds_valid_ones() {
        let code = CreditCode::with_check_char("81440100MC0000001").unwrap();
        assert!(code.is_union());
        assert_eq!(code.region_code(), "440100");
        assert!(CreditCode::parse(&code.as_str().to_ascii_lowercase()).is_ok());
    }
}
