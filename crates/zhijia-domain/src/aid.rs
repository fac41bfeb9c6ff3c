//! Hardship aid (困难职工帮扶): the tiers and causes of a hardship file, the tier rule against the
//! local minimum living standard, the approval chain of an aid application (stages named by org
//! level, chosen by kind and amount), the separation of duties between its stages, the yearly cap
//! per household, and the annual review.
//!
//! Money is in fen (分) as `i64` everywhere; [`yuan`] formats it for people without floating point.

use crate::ValidationError;
use crate::org::OrgLevel;
use chrono::{Datelike, Months, NaiveDate};

state_enum! {
    /// How hard a household's situation is (困难类别).
    pub enum HardshipTier {
        Deep = "deep", "深度困难";
        Relative = "relative", "相对困难";
        /// Income above the line, but a sudden event (accident, disaster, serious illness) has
        /// thrown the household into hardship.
        Accidental = "accidental", "意外致困";
    }
}

state_enum! {
    /// The main cause of the hardship (致困原因).
    pub enum HardshipCause {
        Illness = "illness", "因病";
        Disability = "disability", "因残";
        Accident = "accident", "因意外事故";
        Unemployment = "unemployment", "因失业";
        Education = "education", "因子女就学";
        Disaster = "disaster", "因灾";
        Other = "other", "其他";
    }
}

impl HardshipCause {
    /// Causes that strike suddenly: they make a household "意外致困" even above the income line.
    pub fn is_sudden(self) -> bool {
        matches!(self, Self::Accident | Self::Disaster | Self::Illness)
    }
}

state_enum! {
    /// Where a hardship file stands.
    pub enum FileStatus {
        Active = "active", "在档";
        /// Not reviewed in time: no further aid until a new file is opened.
        Lapsed = "lapsed", "逾期未复核(已失效)";
        /// Left hardship (解困脱困), with the reason recorded.
        Exited = "exited", "已解困脱困";
    }
}

state_enum! {
    /// What an aid application asks for.
    pub enum AidKind {
        DailyLiving = "daily_living", "生活救助";
        Medical = "medical", "医疗救助";
        /// 金秋助学: per student, with the school and the admission proof.
        EducationGrant = "education_grant", "金秋助学";
        Emergency = "emergency", "应急救助";
    }
}

state_enum! {
    /// Where an aid application stands.
    pub enum AidStatus {
        InReview = "in_review", "审批中";
        Rejected = "rejected", "未通过";
        /// Approved; on public notice until its end date, then payable.
        Approved = "approved", "已批准";
        /// An objection to the public notice is open: nothing is paid until it is resolved.
        Suspended = "suspended", "有异议(暂停发放)";
        /// The approved amount has been paid in full.
        Disbursed = "disbursed", "已发放";
    }
}

state_enum! {
    /// Where an objection to a public notice stands.
    pub enum ObjectionStatus {
        Open = "open", "待处理";
        /// Found right: the application is rejected.
        Upheld = "upheld", "异议成立";
        /// Found unfounded: the application is payable again.
        Dismissed = "dismissed", "异议不成立";
    }
}

state_enum! {
    /// How a disbursement was paid.
    pub enum PaymentMethod {
        BankTransfer = "bank_transfer", "银行转账";
        Cash = "cash", "现金";
        InKind = "in_kind", "实物";
    }
}

state_enum! {
    /// What a stage does: the first recommends, the last approves, any between reviews.
    pub enum StageRole {
        Recommend = "recommend", "推荐";
        Review = "review", "审核";
        Approve = "approve", "审批";
    }
}

/// The role of stage `index` in a chain of `len` stages.
pub fn stage_role(index: usize, len: usize) -> StageRole {
    if index + 1 >= len {
        StageRole::Approve
    } else if index == 0 {
        StageRole::Recommend
    } else {
        StageRole::Review
    }
}

// ---------------------------------------------------------------------------------------------
// Money

/// Fen as yuan for people: `123456` → `"1234.56"`, `-5` → `"-0.05"`. Integers only.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Reads an amount typed in yuan (`"1200"`, `"1200.5"`, `"1200.50"`) into fen, without floating
/// point. Positive, at most two decimals.
pub fn parse_yuan(field: &'static str, input: &str) -> Result<i64, ValidationError> {
    parse_amount(field, input, false)
}

/// As [`parse_yuan`]; `allow_zero` for an income, which may be nothing at all.
pub fn parse_amount(
    field: &'static str,
    input: &str,
    allow_zero: bool,
) -> Result<i64, ValidationError> {
    let bad = || ValidationError::new(field, "金额应为正数，单位元，最多两位小数");
    let s = input.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || whole.len() > 10
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    let fen = w * 100 + f;
    if fen < 0 || (fen == 0 && !allow_zero) {
        Err(bad())
    } else {
        Ok(fen)
    }
}

// ---------------------------------------------------------------------------------------------
// The tier rule

/// The tier a household's situation gives, or `None` when it is not in hardship.
///
/// - income per head at or below the local minimum living standard (低保标准) → 深度困难;
/// - at or below `relative_percent` % of it (150 % by default) → 相对困难;
/// - above that, a sudden cause (accident, disaster, serious illness) → 意外致困;
/// - otherwise no file.
pub fn tier_for(
    income_per_head_fen: i64,
    minimum_fen: i64,
    relative_percent: i64,
    cause: HardshipCause,
) -> Option<HardshipTier> {
    if income_per_head_fen <= minimum_fen {
        Some(HardshipTier::Deep)
    } else if i128::from(income_per_head_fen) * 100
        <= i128::from(minimum_fen) * i128::from(relative_percent)
    {
        Some(HardshipTier::Relative)
    } else if cause.is_sudden() {
        Some(HardshipTier::Accidental)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------------------------
// Approval chains

/// One rule of the chain configuration: applications of `kind` whose amount is at least
/// `min_fen` go through `stages`, in order (each named by the org level that decides it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ChainRule {
    pub kind: AidKind,
    pub min_fen: i64,
    pub stages: Vec<OrgLevel>,
}

/// The approval chains of a deployment: per kind, by amount.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ApprovalChains {
    pub rules: Vec<ChainRule>,
}

/// Above this (5,000 yuan) the city approves by default; at or below it, the county.
pub const DEFAULT_CITY_THRESHOLD_FEN: i64 = 500_000;

impl Default for ApprovalChains {
    /// Grassroots recommends → county approves; above 5,000 yuan grassroots recommends →
    /// county reviews → city approves. Emergency aid skips the grassroots recommendation: the
    /// county approves at once, the city above the threshold.
    fn default() -> Self {
        use OrgLevel::{City, County, Grassroots};
        let mut rules = Vec::new();
        for kind in [
            AidKind::DailyLiving,
            AidKind::Medical,
            AidKind::EducationGrant,
        ] {
            rules.push(ChainRule {
                kind,
                min_fen: 0,
                stages: vec![Grassroots, County],
            });
            rules.push(ChainRule {
                kind,
                min_fen: DEFAULT_CITY_THRESHOLD_FEN + 1,
                stages: vec![Grassroots, County, City],
            });
        }
        rules.push(ChainRule {
            kind: AidKind::Emergency,
            min_fen: 0,
            stages: vec![County],
        });
        rules.push(ChainRule {
            kind: AidKind::Emergency,
            min_fen: DEFAULT_CITY_THRESHOLD_FEN + 1,
            stages: vec![County, City],
        });
        ApprovalChains { rules }
    }
}

impl ApprovalChains {
    /// Checks the configuration: every kind has a rule from 0, no chain is empty, and every
    /// chain goes strictly up the tree (a lower level never decides after a higher one).
    pub fn validate(&self) -> Result<(), ValidationError> {
        let field = "approval_chains";
        for kind in AidKind::ALL {
            if !self.rules.iter().any(|r| r.kind == *kind && r.min_fen <= 0) {
                return Err(ValidationError::new(
                    field,
                    format!("{}缺少从0元起的审批流程", kind.label()),
                ));
            }
        }
        for r in &self.rules {
            if r.stages.is_empty() {
                return Err(ValidationError::new(field, "审批流程至少要有一个环节"));
            }
            if r.stages.windows(2).any(|w| w[1] >= w[0]) {
                return Err(ValidationError::new(
                    field,
                    "审批环节应自下而上，后一环节的组织层级须高于前一环节",
                ));
            }
        }
        Ok(())
    }

    /// The stages an application of `kind` for `amount_fen` goes through: the rule of that kind
    /// with the highest threshold the amount reaches.
    pub fn chain_for(&self, kind: AidKind, amount_fen: i64) -> Option<&[OrgLevel]> {
        self.rules
            .iter()
            .filter(|r| r.kind == kind && r.min_fen <= amount_fen)
            .max_by_key(|r| r.min_fen)
            .map(|r| r.stages.as_slice())
    }
}

/// Stored form of a chain: `"grassroots,county,city"`.
pub fn chain_to_string(stages: &[OrgLevel]) -> String {
    stages
        .iter()
        .map(|l| l.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

pub fn chain_from_str(s: &str) -> Option<Vec<OrgLevel>> {
    s.split(',').map(|l| OrgLevel::parse(l).ok()).collect()
}

/// Why a staff member may not decide a stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DutyConflict {
    /// The stage is not the next one: stages are decided in order.
    OutOfOrder { current: usize },
    /// They already decided an earlier stage of this application.
    SamePerson,
    /// The application is for their own household.
    OwnHousehold,
    /// The application is no longer waiting for a decision.
    Closed,
}

impl DutyConflict {
    pub fn message(self) -> String {
        match self {
            Self::OutOfOrder { current } => format!(
                "审批须按顺序进行：当前应办理第{}个环节，不能跳过",
                current + 1
            ),
            Self::SamePerson => "同一人不能在同一申请的两个审批环节签署意见".into(),
            Self::OwnHousehold => "不能审批本人家庭的帮扶申请，请回避".into(),
            Self::Closed => "该申请已不在审批中".into(),
        }
    }
}

/// Whether `actor` may decide stage `stage` of an application now.
///
/// `current` is the stage awaiting a decision (`None` once the application is closed);
/// `earlier` are the staff ids who decided its earlier stages; `actor_identity` is the blind
/// index of the actor's own identity number and `household` those of the file's head and
/// household members.
pub fn check_duties(
    stage: usize,
    current: Option<usize>,
    earlier: &[i64],
    actor: i64,
    actor_identity: &[u8],
    household: &[Vec<u8>],
) -> Result<(), DutyConflict> {
    let Some(current) = current else {
        return Err(DutyConflict::Closed);
    };
    if stage != current {
        return Err(DutyConflict::OutOfOrder { current });
    }
    if earlier.contains(&actor) {
        return Err(DutyConflict::SamePerson);
    }
    if household
        .iter()
        .any(|h| crate::auth::bytes_match(h, actor_identity))
    {
        return Err(DutyConflict::OwnHousehold);
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The yearly cap

/// Whether a disbursement of `amount_fen` fits the household's yearly cap, given what was paid
/// (net of reversals) this year. Returns what is left after it.
pub fn check_cap(paid_this_year_fen: i64, amount_fen: i64, cap_fen: i64) -> Result<i64, String> {
    let after = paid_this_year_fen.saturating_add(amount_fen);
    if after > cap_fen {
        Err(format!(
            "超过本户年度帮扶上限：上限{}元，本年度已发放{}元，本次{}元",
            yuan(cap_fen),
            yuan(paid_this_year_fen),
            yuan(amount_fen)
        ))
    } else {
        Ok(cap_fen - after)
    }
}

// ---------------------------------------------------------------------------------------------
// Annual review

/// When the next review is due: `months` after the last one.
pub fn review_due(last_reviewed: NaiveDate, months: u32) -> NaiveDate {
    last_reviewed
        .checked_add_months(Months::new(months))
        .unwrap_or(last_reviewed)
}

/// Whether a file whose review was due on `due` lapses on `today`, `grace_days` after it.
pub fn lapses(due: NaiveDate, grace_days: i64, today: NaiveDate) -> bool {
    today > due + chrono::Duration::days(grace_days)
}

/// The year a payment on `day` counts in.
pub fn ledger_year(day: NaiveDate) -> i64 {
    i64::from(day.year())
}

/// Checks free text a person typed: trimmed, 1..=`max` characters, no control characters.
pub fn text(field: &'static str, input: &str, max: usize) -> Result<String, ValidationError> {
    let t = input.trim();
    if t.is_empty()
        || t.chars().count() > max
        || t.chars().any(|c| crate::text::is_hidden(c) && c != '\n')
    {
        return Err(ValidationError::new(
            field,
            format!("请填写(不超过{max}字，不含控制字符)"),
        ));
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use OrgLevel::{City, County, Grassroots};

    const MIN: i64 = 100_000; // 1,000 yuan

    #[test]
    fn income_at_or_below_the_minimum_is_deep_hardship() {
        assert_eq!(
            tier_for(MIN, MIN, 150, HardshipCause::Other),
            Some(HardshipTier::Deep)
        );
        assert_eq!(
            tier_for(0, MIN, 150, HardshipCause::Unemployment),
            Some(HardshipTier::Deep)
        );
    }

    #[test]
    fn income_up_to_one_and_a_half_times_the_minimum_is_relative_hardship() {
        assert_eq!(
            tier_for(MIN + 1, MIN, 150, HardshipCause::Education),
            Some(HardshipTier::Relative)
        );
        assert_eq!(
            tier_for(150_000, MIN, 150, HardshipCause::Other),
            Some(HardshipTier::Relative)
        );
        assert_eq!(tier_for(150_001, MIN, 150, HardshipCause::Other), None);
        assert_eq!(
            tier_for(180_000, MIN, 200, HardshipCause::Other),
            Some(HardshipTier::Relative),
            "the factor is configurable"
        );
    }

    #[test]
    fn above_the_line_only_a_sudden_cause_makes_accidental_hardship() {
        for cause in [
            HardshipCause::Accident,
            HardshipCause::Disaster,
            HardshipCause::Illness,
        ] {
            assert_eq!(
                tier_for(400_000, MIN, 150, cause),
                Some(HardshipTier::Accidental)
            );
        }
        for cause in [
            HardshipCause::Unemployment,
            HardshipCause::Education,
            HardshipCause::Disability,
            HardshipCause::Other,
        ] {
            assert_eq!(tier_for(400_000, MIN, 150, cause), None);
        }
    }

    #[test]
    fn default_chains_go_grassroots_county_and_city_above_the_threshold() {
        let c = ApprovalChains::default();
        c.validate().unwrap();
        assert_eq!(
            c.chain_for(AidKind::DailyLiving, 300_000).unwrap(),
            &[Grassroots, County]
        );
        assert_eq!(
            c.chain_for(AidKind::Medical, DEFAULT_CITY_THRESHOLD_FEN)
                .unwrap(),
            &[Grassroots, County],
            "the threshold itself stays with the county"
        );
        assert_eq!(
            c.chain_for(AidKind::Medical, DEFAULT_CITY_THRESHOLD_FEN + 1)
                .unwrap(),
            &[Grassroots, County, City]
        );
        assert_eq!(c.chain_for(AidKind::Emergency, 100).unwrap(), &[County]);
        assert_eq!(
            chain_from_str(&chain_to_string(&[Grassroots, County, City])).unwrap(),
            vec![Grassroots, County, City]
        );
        assert_eq!(stage_role(0, 3), StageRole::Recommend);
        assert_eq!(stage_role(1, 3), StageRole::Review);
        assert_eq!(stage_role(2, 3), StageRole::Approve);
        assert_eq!(stage_role(0, 1), StageRole::Approve);
    }

    #[test]
    fn chains_are_configurable_and_checked() {
        let custom = ApprovalChains {
            rules: AidKind::ALL
                .iter()
                .map(|k| ChainRule {
                    kind: *k,
                    min_fen: 0,
                    stages: vec![County],
                })
                .chain([ChainRule {
                    kind: AidKind::EducationGrant,
                    min_fen: 200_000,
                    stages: vec![Grassroots, City],
                }])
                .collect(),
        };
        custom.validate().unwrap();
        assert_eq!(
            custom.chain_for(AidKind::EducationGrant, 250_000).unwrap(),
            &[Grassroots, City]
        );
        assert_eq!(
            custom.chain_for(AidKind::EducationGrant, 1_000).unwrap(),
            &[County]
        );
        let downward = ApprovalChains {
            rules: vec![ChainRule {
                kind: AidKind::Medical,
                min_fen: 0,
                stages: vec![City, County],
            }],
        };
        assert!(
            downward.validate().is_err(),
            "a missing kind or a downward chain"
        );
        let mut missing = ApprovalChains::default();
        missing.rules.retain(|r| r.kind != AidKind::Emergency);
        assert!(missing.validate().is_err());
        let json = serde_json::to_string(&ApprovalChains::default()).unwrap();
        let back: ApprovalChains = serde_json::from_str(&json).unwrap();
        assert_eq!(back, ApprovalChains::default());
    }

    #[test]
    fn stages_are_decided_in_order_by_different_people_outside_their_household() {
        let me = b"me-index-16bytes".to_vec();
        let other = b"other-index-16by".to_vec();
        assert_eq!(
            check_duties(0, Some(0), &[], 7, &me, std::slice::from_ref(&other)),
            Ok(())
        );
        assert_eq!(
            check_duties(1, Some(0), &[], 7, &me, &[]),
            Err(DutyConflict::OutOfOrder { current: 0 })
        );
        assert_eq!(
            check_duties(1, Some(1), &[7], 7, &me, &[]),
            Err(DutyConflict::SamePerson)
        );
        assert_eq!(
            check_duties(0, Some(0), &[], 7, &me, &[other, me.clone()]),
            Err(DutyConflict::OwnHousehold)
        );
        assert_eq!(
            check_duties(0, None, &[], 7, &me, &[]),
            Err(DutyConflict::Closed)
        );
    }

    #[test]
    fn the_yearly_cap_counts_what_was_paid_net_of_reversals() {
        assert_eq!(check_cap(0, 500_000, 1_000_000), Ok(500_000));
        assert_eq!(check_cap(500_000, 500_000, 1_000_000), Ok(0));
        assert!(check_cap(500_001, 500_000, 1_000_000).is_err());
        assert!(check_cap(i64::MAX, 1, 1_000_000).is_err());
    }

    #[test]
    fn money_is_shown_and_read_without_floating_point() {
        assert_eq!(yuan(123_456), "1234.56");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(-100_000), "-1000.00");
        assert_eq!(parse_yuan("a", "1200").unwrap(), 120_000);
        assert_eq!(parse_yuan("a", "1200.5").unwrap(), 120_050);
        assert_eq!(parse_yuan("a", " 0.01 ").unwrap(), 1);
        assert_eq!(parse_amount("a", "0", true).unwrap(), 0);
        for bad in ["", "0", "-1", "1.234", "1e3", "1,000", "."] {
            assert!(parse_yuan("a", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_file_lapses_after_its_review_date_and_the_grace_period() {
        let last = NaiveDate::from_ymd_opt(2025, 1, 31).unwrap();
        let due = review_due(last, 12);
        assert_eq!(due, NaiveDate::from_ymd_opt(2026, 1, 31).unwrap());
        assert!(!lapses(due, 30, due + chrono::Duration::days(30)));
        assert!(lapses(due, 30, due + chrono::Duration::days(31)));
        assert_eq!(
            review_due(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap(), 12),
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
        );
    }
}
