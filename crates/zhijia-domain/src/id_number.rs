//! 公民身份号码 (GB 11643-1999): region (6) + birth date (8) + sequence (3, odd = male) + check.

use crate::ValidationError;
use crate::region::RegionCode;
use crate::worker::Sex;
use chrono::NaiveDate;
use std::fmt;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: &[u8; 11] = b"10X98765432";
const FIELD: &str = "id_number";

/// A checked resident identity number. It is personal data: it never derives `Serialize`, and its
/// `Debug` is masked, so it cannot slip into a log or a JSON body by accident.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct IdNumber(String);

/// The check character for the first 17 digits, or `None` if they are not 17 digits.
pub fn check_char(first17: &[u8]) -> Option<char> {
    if first17.len() != 17 || !first17.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize] as char)
}

impl IdNumber {
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let id = input.trim().to_ascii_uppercase();
        let b = id.as_bytes();
        if b.len() != 18 {
            return Err(ValidationError::new(FIELD, "身份证号应为18位"));
        }
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(ValidationError::new(
                FIELD,
                "身份证号前17位应为数字，最后一位为数字或X",
            ));
        }
        if RegionCode::parse(&id[..6]).is_err() {
            return Err(ValidationError::new(
                FIELD,
                "身份证号前6位不是有效的行政区划代码",
            ));
        }
        let Some(birth) = NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").ok() else {
            return Err(ValidationError::new(FIELD, "身份证号中的出生日期不存在"));
        };
        if birth < NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN) {
            return Err(ValidationError::new(
                FIELD,
                "身份证号中的出生日期早于1900年",
            ));
        }
        if check_char(&b[..17]) != Some(b[17] as char) {
            return Err(ValidationError::new(
                FIELD,
                "身份证号校验位不正确，请核对后重新输入",
            ));
        }
        Ok(Self(id))
    }

    /// Builds a valid number (used by the demo generator). `sequence` is 0..=999; its parity
    /// decides the sex, as the standard says, so callers pick it to match the person.
    pub fn compose(
        region: &RegionCode,
        birth: NaiveDate,
        sequence: u16,
    ) -> Result<Self, ValidationError> {
        let first17 = format!(
            "{}{}{:03}",
            region.as_str(),
            birth.format("%Y%m%d"),
            sequence % 1000
        );
        let c = check_char(first17.as_bytes())
            .ok_or_else(|| ValidationError::new(FIELD, "身份证号前17位不合法"))?;
        Self::parse(&format!("{first17}{c}"))
    }

    pub fn birth_date(&self) -> NaiveDate {
        // parse() checked these eight digits form a date.
        NaiveDate::parse_from_str(&self.0[6..14], "%Y%m%d").unwrap_or(NaiveDate::MIN)
    }

    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// The full number, for encryption and the blind index only.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The province and the last two characters: `44**************3X`. See [`mask`].
    pub fn masked(&self) -> String {
        mask(&self.0)
    }
}

/// Characters shown at each end of a masked number.
const SHOWN: usize = 2;

/// Masks an identity-like string to its first and last two characters: `44**************3X`.
///
/// Why so few: the number is six digits of region, eight of birth date, three of sequence and a
/// check character. Showing four at each end next to the birth date left only the county
/// (a few dozen candidates, cut eleven-fold by the check character) to guess, and most numbers
/// were rebuilt exactly. With two at each end and only the birth year shown anywhere a masked
/// number is, even someone who knows the county of registration is left with the day of the
/// year and two sequence digits: about 3,300 candidates (tests/it/id_masking.rs counts them).
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= 2 * SHOWN {
        return "*".repeat(chars.len());
    }
    let hidden = chars.len() - 2 * SHOWN;
    let mut out: String = chars[..SHOWN].iter().collect();
    out.extend(std::iter::repeat_n('*', hidden));
    out.extend(&chars[chars.len() - SHOWN..]);
    out
}

impl fmt::Debug for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "IdNumber({})", self.masked())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_standards_example_and_derives_birth_and_sex() {
        // The worked example of GB 11643-1999 appendix.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.masked(), "11**************2X");
    }

    #[test]
    fn accepts_lower_case_x() {
        assert!(IdNumber::parse("11010519491231002x").is_ok());
    }

    #[test]
    fn refuses_a_wrong_check_character() {
        let err = IdNumber::parse("110105194912310021").unwrap_err();
        assert_eq!(err.field, "id_number");
        assert!(err.message.contains("校验位"));
    }

    #[test]
    fn refuses_a_date_that_does_not_exist() {
        let first17 = "11010519490230002";
        let c = check_char(first17.as_bytes()).unwrap();
        let err = IdNumber::parse(&format!("{first17}{c}")).unwrap_err();
        assert!(err.message.contains("出生日期"));
    }

    #[test]
    fn composes_numbers_whose_parity_gives_the_sex() {
        let region = RegionCode::parse("440106").unwrap();
        let birth = NaiveDate::from_ymd_opt(1990, 2, 28).unwrap();
        let male = IdNumber::compose(&region, birth, 123).unwrap();
        let female = IdNumber::compose(&region, birth, 124).unwrap();
        assert_eq!(male.sex(), Sex::Male);
        assert_eq!(female.sex(), Sex::Female);
        assert_eq!(male.birth_date(), birth);
    }

    #[test]
    fn debug_never_shows_the_full_number() {
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert!(!format!("{id:?}").contains("19491231"));
    }
}
