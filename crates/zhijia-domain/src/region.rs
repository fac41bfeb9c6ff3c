//! 行政区划代码 (GB/T 2260): two digits of province, two of city, two of county.

use crate::ValidationError;
use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RegionCode(String);

/// Province codes in use (GB/T 2260; 71 Taiwan, 81 Hong Kong, 82 Macao).
const PROVINCES: [&str; 34] = [
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41",
    "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71",
    "81", "82",
];

/// The code of the whole country.
pub const NATIONAL: &str = "100000";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegionLevel {
    /// 100000: the whole country, used by the national federation.
    National,
    Province,
    City,
    County,
}

impl RegionCode {
    /// Accepts six digits whose first two name a province. (Whether a county still exists is
    /// not checked: identity numbers keep the code of the place of first registration.)
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let code = input.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ValidationError::new(
                "region_code",
                "行政区划代码应为6位数字",
            ));
        }
        if code != NATIONAL && !PROVINCES.contains(&&code[..2]) {
            return Err(ValidationError::new(
                "region_code",
                "行政区划代码的前两位不是有效的省级代码",
            ));
        }
        Ok(Self(code.to_owned()))
    }

    pub fn level(&self) -> RegionLevel {
        if self.0 == NATIONAL {
            RegionLevel::National
        } else if self.0.ends_with("0000") {
            RegionLevel::Province
        } else if self.0.ends_with("00") {
            RegionLevel::City
        } else {
            RegionLevel::County
        }
    }

    pub fn province(&self) -> &str {
        &self.0[..2]
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn knows_the_level_of_a_code() {
        assert_eq!(
            RegionCode::parse("440000").unwrap().level(),
            RegionLevel::Province
        );
        assert_eq!(
            RegionCode::parse("440100").unwrap().level(),
            RegionLevel::City
        );
        assert_eq!(
            RegionCode::parse("440106").unwrap().level(),
            RegionLevel::County
        );
    }

    #[test]
    fn refuses_unknown_provinces_and_bad_shapes() {
        assert!(RegionCode::parse("990000").is_err());
        assert!(RegionCode::parse("4401").is_err());
        assert!(RegionCode::parse("44010a").is_err());
    }
}
