//! Union members: member numbers, the states of a membership, an application and a transfer, who
//! may join, and the consent a member gives for their personal data.

use crate::ValidationError;
use chrono::{Datelike, NaiveDate};
use std::fmt;

const MEMBER_NO_FIELD: &str = "member_no";
const MAX_SERIAL: u64 = 99_999_999_999;

/// A member number: an 11-digit zero-padded serial and a Luhn check digit, 12 digits in all.
///
/// Members read it aloud and type it at counters; the check digit catches every single mistyped
/// digit and every swap of two adjacent digits except 09↔90, before a wrong member is looked up.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberNo(String);

/// The Luhn check digit for `payload` (ASCII digits).
fn luhn_check_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 0 {
                let x = d * 2;
                if x > 9 { x - 9 } else { x }
            } else {
                d
            }
        })
        .sum();
    // `sum % 10` is below 10, so the digit fits a u8.
    b'0' + ((10 - sum % 10) % 10) as u8
}

impl MemberNo {
    /// The number of serial `serial` (1..=99 999 999 999), as the store allocates them.
    pub fn from_serial(serial: u64) -> Result<Self, ValidationError> {
        if !(1..=MAX_SERIAL).contains(&serial) {
            return Err(ValidationError::new(
                MEMBER_NO_FIELD,
                format!("会员号序号应在1到{MAX_SERIAL}之间"),
            ));
        }
        let mut s = format!("{serial:011}");
        let check = luhn_check_digit(s.as_bytes());
        s.push(char::from(check));
        Ok(Self(s))
    }

    /// Reads a typed member number; surrounding blanks and the spaces of a grouped print
    /// ("0000 0000 0018") are ignored.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let s: String = input.chars().filter(|c| !c.is_whitespace()).collect();
        let b = s.as_bytes();
        if b.len() != 12 || !b.iter().all(u8::is_ascii_digit) {
            return Err(ValidationError::new(MEMBER_NO_FIELD, "会员号应为12位数字"));
        }
        if luhn_check_digit(&b[..11]) != b[11] {
            return Err(ValidationError::new(
                MEMBER_NO_FIELD,
                "会员号校验位不正确，请核对",
            ));
        }
        if b[..11].iter().all(|&d| d == b'0') {
            return Err(ValidationError::new(
                MEMBER_NO_FIELD,
                "会员号不存在(序号为0)",
            ));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The serial the number was made from.
    pub fn serial(&self) -> u64 {
        // parse() and from_serial() guarantee eleven digits.
        self.0[..11].parse().unwrap_or(0)
    }
}

impl fmt::Display for MemberNo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl serde::Serialize for MemberNo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for MemberNo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = <String as serde::Deserialize>::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

state_enum! {
    /// Where a membership stands. A retired member keeps the membership and takes part in the
    /// former workplace's or the home district's union, as the union constitution provides; an
    /// ended membership is kept for the record.
    pub enum MembershipStatus {
        Active = "active", "在会";
        Retired = "retired", "退休(保留会籍)";
        Ended = "ended", "已结束";
    }
}

state_enum! {
    /// Why a membership ended.
    pub enum EndReason {
        /// Moved to another union through a transfer (会籍接转); the member is a member there.
        Transferred = "transferred", "已转出";
        Left = "left", "退会";
        Deceased = "deceased", "去世";
        Expelled = "expelled", "除名";
    }
}

state_enum! {
    /// Where an application to join stands.
    pub enum ApplicationStatus {
        Pending = "pending", "待审核";
        Approved = "approved", "已通过";
        Rejected = "rejected", "未通过";
        /// The applicant turned out to be a member elsewhere, so the application became a
        /// transfer of that membership instead of a second one.
        BecameTransfer = "transfer", "已转为会籍接转";
    }
}

state_enum! {
    /// Where a transfer of membership (会籍接转) stands: the releasing union agrees first, then
    /// the receiving union takes the member in.
    pub enum TransferStatus {
        AwaitingRelease = "awaiting_release", "待转出工会同意";
        Released = "released", "待转入工会接收";
        Refused = "refused", "转出工会不同意";
        Completed = "completed", "已完成";
        Cancelled = "cancelled", "已撤销";
    }
}

state_enum! {
    /// How a membership began.
    pub enum MembershipSource {
        /// An application to join, approved.
        Application = "application", "入会申请";
        /// A transfer from another union (会籍接转).
        Transfer = "transfer", "会籍接转";
        /// A roster imported by a union.
        Import = "import", "名册导入";
        /// The demo data.
        Demo = "demo", "演示数据";
    }
}

state_enum! {
    /// Who asked for a transfer: the worker, or the receiving union (which the worker must
    /// then accept).
    pub enum TransferStarter {
        Worker = "worker", "职工本人";
        Union = "union", "工会";
    }
}

state_enum! {
    /// Why an application went to the union it went to.
    pub enum JoinRoute {
        /// The employer has a grassroots union (its credit code matched).
        Employer = "employer", "所在单位已建工会";
        /// The township/street union the worker chose for the employer's place.
        Township = "township", "单位所在乡镇(街道)工会";
        /// The federation of the employer's county (or city) from the credit code's region.
        Region = "region", "单位所在地区总工会";
        /// The industry union of a gig occupation in the worker's city.
        Industry = "industry", "所在城市的行业工会";
        /// The city federation, when the city has no industry union for the occupation.
        City = "city", "所在城市总工会";
    }
}

/// The minimum age of employment (劳动法 第十五条: 禁止用人单位招用未满十六周岁的未成年人).
pub const MIN_AGE: u32 = 16;

/// Age in completed years on `day` (0 before birth). Someone born on 29 February completes a
/// year on 1 March in common years, never earlier than the full year has passed.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> u32 {
    if day <= birth {
        return 0;
    }
    let mut years = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// Whether a person may join, per 中国工会章程 第一条: 以工资收入为主要生活来源或者与用人单位建立
/// 劳动关系的体力劳动者和脑力劳动者，不分民族、种族、性别、职业、宗教信仰、教育程度，承认工会
/// 章程，都可以加入工会为会员.
///
/// The function deliberately takes no ethnicity, sex, occupation, religion or education: the
/// constitution says they do not matter, and a rule that cannot see them cannot discriminate by
/// them. Age enters only as the legal minimum age of employment, since a member is a worker.
pub fn check_eligibility(
    birth_date: NaiveDate,
    today: NaiveDate,
    wage_earner: bool,
    accepts_constitution: bool,
) -> Result<(), ValidationError> {
    if birth_date > today {
        return Err(ValidationError::new(
            "id_number",
            "身份证号中的出生日期晚于今天，请核对",
        ));
    }
    if age_on(birth_date, today) < MIN_AGE {
        return Err(ValidationError::new(
            "id_number",
            "未满16周岁，不符合法定就业年龄",
        ));
    }
    if !wage_earner {
        return Err(ValidationError::new(
            "wage_earner",
            "按照《中国工会章程》第一条，以工资收入为主要生活来源或者与用人单位建立劳动关系的\
             劳动者才可以入会，请确认“以工资收入为主要生活来源或与用人单位建立劳动关系”一项",
        ));
    }
    if !accepts_constitution {
        return Err(ValidationError::new(
            "accepts_constitution",
            "入会须承认《中国工会章程》，请勾选“承认工会章程”",
        ));
    }
    Ok(())
}

/// The version of [`CONSENT_TEXT`]; stored with each consent, so a new text asks again.
pub const CONSENT_VERSION: &str = "2026-11-v1";

/// The separate consent (个人信息保护法 第二十九条) an applicant gives before the union processes
/// sensitive personal data; it states what 第十七条 and 第三十条 require the person be told.
pub const CONSENT_TEXT: &str = "\
个人信息处理单独同意书

为办理入会、会籍管理和会员服务，受理您入会申请的工会及其上级工会需要处理您的以下个人信息：\
姓名、身份证号、手机号、工作单位、民族、政治面貌等。其中身份证号属于敏感个人信息；\
您加入工会这一事实本身也属于敏感个人信息。

一、处理目的：仅用于办理入会、会籍管理、会员服务。
二、处理者：受理您申请的工会及其上级工会。除法律、行政法规另有规定外，不向其他组织或个人提供。
三、必要性与影响：上述信息用于核实身份和入会条件、避免重复入会、提供会员服务；一旦泄露可能影响\
您的人身和财产安全，工会对其采取加密存储、访问控制等保护措施。
四、保存期限：会籍存续期间及法律、行政法规规定的保存期限，期满后删除或匿名化处理。
五、您的权利：您可以查阅、复制、更正、删除您的个人信息，也可以撤回本同意，均可在“我的数据”中行使。\
撤回同意不影响撤回前已进行的处理，但撤回后将无法继续办理入会或会籍相关事务。

根据《中华人民共和国个人信息保护法》第二十九条，处理敏感个人信息应当取得您的单独同意。\
勾选同意即表示您已阅读并同意上述内容。";

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn numbers_from_serials_parse_back() {
        let n = MemberNo::from_serial(1).unwrap();
        assert_eq!(n.as_str(), "000000000018");
        assert_eq!(n.to_string(), "000000000018");
        assert_eq!(MemberNo::parse("000000000018").unwrap(), n);
        assert_eq!(MemberNo::parse(" 0000 0000 0018 ").unwrap(), n);
        assert_eq!(n.serial(), 1);
        for serial in [2, 7_992_739_871, 12_345_678_901, MAX_SERIAL] {
            let n = MemberNo::from_serial(serial).unwrap();
            assert_eq!(n.as_str().len(), 12);
            assert_eq!(MemberNo::parse(n.as_str()).unwrap(), n);
            assert_eq!(n.serial(), serial);
        }
        // The textbook Luhn example: payload 7992739871 has check digit 3.
        assert_eq!(
            MemberNo::from_serial(7_992_739_871).unwrap().as_str(),
            "079927398713"
        );
    }

    #[test]
    fn serials_out_of_range_are_refused() {
        for serial in [0, MAX_SERIAL + 1, u64::MAX] {
            let err = MemberNo::from_serial(serial).unwrap_err();
            assert_eq!(err.field, "member_no");
            assert!(err.message.contains("会员号"));
        }
        assert!(MemberNo::parse("000000000000").is_err());
    }

    #[test]
    fn malformed_numbers_are_refused() {
        for s in [
            "",
            "12345",
            "0000000000018",
            "00000000001a",
            "０００００００００００１８",
        ] {
            let err = MemberNo::parse(s).unwrap_err();
            assert_eq!(err.field, "member_no");
            assert_eq!(err.message, "会员号应为12位数字", "{s}");
        }
    }

    #[test]
    fn every_single_digit_typo_is_caught() {
        let n = MemberNo::from_serial(12_345_678_901).unwrap();
        let b = n.as_str().as_bytes();
        for i in 0..12 {
            for d in b'0'..=b'9' {
                if d == b[i] {
                    continue;
                }
                let mut typo = b.to_vec();
                typo[i] = d;
                let typo = String::from_utf8(typo).unwrap();
                let err = MemberNo::parse(&typo).unwrap_err();
                assert_eq!(err.message, "会员号校验位不正确，请核对", "{typo}");
            }
        }
    }

    #[test]
    fn adjacent_transpositions_are_caught_except_09() {
        for serial in [12_345_678_901, 90_817_263_544, 55_501_234_987] {
            let n = MemberNo::from_serial(serial).unwrap();
            let b = n.as_str().as_bytes();
            for i in 0..11 {
                let (x, y) = (b[i], b[i + 1]);
                if x == y || matches!((x, y), (b'0', b'9') | (b'9', b'0')) {
                    continue;
                }
                let mut swapped = b.to_vec();
                swapped.swap(i, i + 1);
                let swapped = String::from_utf8(swapped).unwrap();
                assert!(MemberNo::parse(&swapped).is_err(), "{swapped}");
            }
        }
    }

    #[test]
    fn member_no_serialises_as_its_digits() {
        let n = MemberNo::from_serial(1).unwrap();
        assert_eq!(serde_json::to_string(&n).unwrap(), "\"000000000018\"");
        assert_eq!(
            serde_json::from_str::<MemberNo>("\"000000000018\"").unwrap(),
            n
        );
        assert!(serde_json::from_str::<MemberNo>("\"000000000019\"").is_err());
    }

    #[test]
    fn states_round_trip() {
        fn check<T>(all: &[T], as_str: fn(T) -> &'static str, parse: fn(&str) -> Option<T>)
        where
            T: Copy + PartialEq + std::fmt::Debug + serde::Serialize + serde::de::DeserializeOwned,
        {
            for &v in all {
                assert_eq!(parse(as_str(v)), Some(v));
                let json = serde_json::to_string(&v).unwrap();
                assert_eq!(json, format!("\"{}\"", as_str(v)));
                assert_eq!(serde_json::from_str::<T>(&json).unwrap(), v);
            }
            assert_eq!(parse("nonsense"), None);
            assert!(serde_json::from_str::<T>("\"nonsense\"").is_err());
        }
        check(
            MembershipStatus::ALL,
            MembershipStatus::as_str,
            MembershipStatus::parse,
        );
        check(EndReason::ALL, EndReason::as_str, EndReason::parse);
        check(
            ApplicationStatus::ALL,
            ApplicationStatus::as_str,
            ApplicationStatus::parse,
        );
        check(
            TransferStatus::ALL,
            TransferStatus::as_str,
            TransferStatus::parse,
        );
        assert_eq!(ApplicationStatus::BecameTransfer.as_str(), "transfer");
        assert_eq!(MembershipStatus::Retired.label(), "退休(保留会籍)");
        assert_eq!(TransferStatus::Released.label(), "待转入工会接收");
        assert_eq!(EndReason::Expelled.label(), "除名");
    }

    #[test]
    fn ages() {
        let b = day(1990, 6, 15);
        assert_eq!(age_on(b, day(2026, 6, 14)), 35);
        assert_eq!(age_on(b, day(2026, 6, 15)), 36);
        assert_eq!(age_on(b, b), 0);
        assert_eq!(age_on(b, day(1980, 1, 1)), 0);
        let leap = day(2008, 2, 29);
        assert_eq!(age_on(leap, day(2024, 2, 28)), 15);
        assert_eq!(age_on(leap, day(2024, 2, 29)), 16);
        assert_eq!(age_on(leap, day(2025, 2, 28)), 16);
        assert_eq!(age_on(leap, day(2025, 3, 1)), 17);
    }

    #[test]
    fn sixteen_on_the_day_is_old_enough() {
        let b = day(2010, 11, 2);
        assert_eq!(check_eligibility(b, day(2026, 11, 2), true, true), Ok(()));
        let err = check_eligibility(b, day(2026, 11, 1), true, true).unwrap_err();
        assert_eq!(err.field, "id_number");
        assert_eq!(err.message, "未满16周岁，不符合法定就业年龄");
    }

    #[test]
    fn born_on_29_february() {
        let b = day(2008, 2, 29);
        assert!(check_eligibility(b, day(2024, 2, 29), true, true).is_ok());
        assert!(check_eligibility(b, day(2024, 2, 28), true, true).is_err());
        // Across 2100, which is not a leap year, the sixteenth birthday is kept on 1 March.
        let b = day(2084, 2, 29);
        assert!(check_eligibility(b, day(2100, 2, 28), true, true).is_err());
        assert!(check_eligibility(b, day(2100, 3, 1), true, true).is_ok());
    }

    #[test]
    fn the_constitutions_conditions() {
        let b = day(1990, 1, 1);
        let today = day(2026, 11, 2);
        let err = check_eligibility(b, today, false, true).unwrap_err();
        assert_eq!(err.field, "wage_earner");
        assert!(err.message.contains("工资收入"));
        let err = check_eligibility(b, today, true, false).unwrap_err();
        assert_eq!(err.field, "accepts_constitution");
        assert!(err.message.contains("工会章程"));
        let err = check_eligibility(day(2027, 1, 1), today, true, true).unwrap_err();
        assert_eq!(err.field, "id_number");
        assert!(err.message.contains("出生日期"));
    }

    #[test]
    fn the_consent_text_covers_what_the_law_asks() {
        for needle in [
            "姓名",
            "身份证号",
            "手机号",
            "工作单位",
            "民族",
            "政治面貌",
            "办理入会",
            "会籍管理",
            "会员服务",
            "上级工会",
            "保存期限",
            "查阅",
            "复制",
            "更正",
            "删除",
            "我的数据",
            "敏感个人信息",
            "第二十九条",
        ] {
            assert!(CONSENT_TEXT.contains(needle), "{needle}");
        }
        assert!(CONSENT_TEXT.lines().all(|l| !l.starts_with(' ')));
    }
}
