//! Inclusive benefits (普惠): what an offer is, who it is for, and whether a member may claim one
//! now. Stock itself is the store's (taken in the claim's transaction); these rules decide
//! everything that does not depend on other members' claims.

use crate::ValidationError;
use chrono::{DateTime, Utc};

state_enum! {
    /// What a coupon gives.
    pub enum OfferKind {
        /// A share of the price, `value` being the percent paid (80 = 8折).
        Discount = "discount", "折扣";
        /// `value` fen off.
        FixedAmount = "fixed_amount", "满减/立减";
        FreeItem = "free_item", "免费领取";
        ServiceVoucher = "service_voucher", "服务券";
    }
}

state_enum! {
    /// Where an offer stands.
    pub enum OfferStatus {
        Draft = "draft", "草稿";
        Published = "published", "已发布";
        /// Unclaimed stock withdrawn; coupons already claimed stay valid.
        Withdrawn = "withdrawn", "已撤回";
    }
}

state_enum! {
    /// Where a merchant's proposed offer stands.
    pub enum ProposalStatus {
        Proposed = "proposed", "待工会审核";
        Approved = "approved", "已通过";
        Rejected = "rejected", "已驳回";
        /// Withdrawn by its merchant.
        Cancelled = "cancelled", "已撤回";
    }
}

state_enum! {
    /// Member tags an offer may be aimed at.
    pub enum MemberTag {
        /// Works in a gig occupation (快递、外卖、网约车…).
        Gig = "gig", "新就业形态劳动者";
        /// Works outdoors: the gig occupations that work in the street.
        Outdoor = "outdoor", "户外劳动者";
        /// Joined within the last 90 days.
        NewMember = "new_member", "新会员";
        Retired = "retired", "退休会员";
        /// Holds a model-worker honour (劳模) recorded by a union.
        ModelWorker = "model_worker", "劳模";
    }
}

state_enum! {
    /// Where a coupon stands.
    pub enum CouponStatus {
        Claimed = "claimed", "可使用";
        Redeemed = "redeemed", "已核销";
        Expired = "expired", "已过期";
    }
}

/// How long a member stays a "new member".
pub const NEW_MEMBER_DAYS: i64 = 90;
/// The largest stock of one offer.
pub const MAX_STOCK: i64 = 10_000_000;
/// How long a coupon's QR code is valid once shown: as the member card's.
pub const QR_MINUTES: i64 = 5;

/// Who an offer is for, beyond its union's subtree (checked by the store's path match).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Audience {
    /// A GB/T 2260 prefix the member's work region must start with ("4401" = Guangzhou).
    pub region: Option<String>,
    /// Any of these tags qualifies; none means every member of the subtree.
    pub tags: Vec<MemberTag>,
}

impl Audience {
    /// Reads an audience as typed: a region code prefix of 2, 4 or 6 digits (blank for any) and
    /// tag names (`gig`, `outdoor`, `new_member`, `retired`, `model_worker`).
    pub fn parse(region: Option<&str>, tags: &[String]) -> Result<Self, ValidationError> {
        let region = match region.map(str::trim) {
            None | Some("") => None,
            Some(r)
                if r.len() <= 6 && r.len() % 2 == 0 && r.bytes().all(|b| b.is_ascii_digit()) =>
            {
                Some(r.to_owned())
            }
            Some(_) => {
                return Err(ValidationError::new(
                    "audience_region",
                    "地区应为行政区划代码的前2、4或6位",
                ));
            }
        };
        let mut parsed = Vec::new();
        for t in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
            let tag = MemberTag::parse(t).ok_or_else(|| {
                ValidationError::new("audience_tags", format!("未知的会员标签：{t}"))
            })?;
            if !parsed.contains(&tag) {
                parsed.push(tag);
            }
        }
        Ok(Audience {
            region,
            tags: parsed,
        })
    }

    /// Reads the stored form: region prefix and a comma list of tags.
    pub fn from_stored(region: Option<&str>, tags: Option<&str>) -> Self {
        Audience {
            region: region.filter(|r| !r.is_empty()).map(str::to_owned),
            tags: tags
                .unwrap_or_default()
                .split(',')
                .filter_map(|t| MemberTag::parse(t.trim()))
                .collect(),
        }
    }

    pub fn tags_stored(&self) -> Option<String> {
        (!self.tags.is_empty()).then(|| {
            self.tags
                .iter()
                .map(|t| t.as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
    }

    /// Whether a member with these facts is in the audience.
    pub fn admits(&self, member: &MemberFacts) -> bool {
        let region_ok = match &self.region {
            None => true,
            Some(prefix) => member
                .region
                .as_deref()
                .is_some_and(|r| r.starts_with(prefix.as_str())),
        };
        region_ok && (self.tags.is_empty() || self.tags.iter().any(|t| member.tags.contains(t)))
    }
}

/// What the audience rules look at in a member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberFacts {
    /// Where they work (their work region, else their union's region).
    pub region: Option<String>,
    pub tags: Vec<MemberTag>,
}

impl MemberFacts {
    /// The tags as `,gig,outdoor,`: what a store query matches an audience's tags against.
    pub fn tags_delimited(&self) -> String {
        let mut s = String::from(",");
        for t in &self.tags {
            s.push_str(t.as_str());
            s.push(',');
        }
        s
    }
}

/// The tags a member's record gives them.
pub fn tags_of(
    gig_occupation: Option<&str>,
    joined_days_ago: i64,
    retired: bool,
    model_worker: bool,
) -> Vec<MemberTag> {
    let mut tags = Vec::new();
    if let Some(g) = gig_occupation.filter(|g| !g.is_empty()) {
        tags.push(MemberTag::Gig);
        // Couriers, food delivery riders and drivers work in the street all day.
        if matches!(
            g,
            "courier" | "food_delivery" | "ride_hailing" | "truck_driver"
        ) {
            tags.push(MemberTag::Outdoor);
        }
    }
    if (0..NEW_MEMBER_DAYS).contains(&joined_days_ago) {
        tags.push(MemberTag::NewMember);
    }
    if retired {
        tags.push(MemberTag::Retired);
    }
    if model_worker {
        tags.push(MemberTag::ModelWorker);
    }
    tags
}

/// A shop's place as typed: both coordinates or neither, GCJ-02 degrees (what Chinese map
/// services show) within China's extent, so a swapped pair or a typo is caught at once.
pub fn coordinates(
    longitude: Option<f64>,
    latitude: Option<f64>,
) -> Result<Option<(f64, f64)>, ValidationError> {
    match (longitude, latitude) {
        (None, None) => Ok(None),
        (Some(lng), Some(lat)) => {
            if !(73.0..=135.5).contains(&lng) {
                return Err(ValidationError::new(
                    "longitude",
                    "经度应在73到135.5之间(东经，国内地图坐标)",
                ));
            }
            if !(3.5..=53.6).contains(&lat) {
                return Err(ValidationError::new(
                    "latitude",
                    "纬度应在3.5到53.6之间(北纬，国内地图坐标)",
                ));
            }
            Ok(Some((lng, lat)))
        }
        _ => Err(ValidationError::new(
            "longitude",
            "经度和纬度须同时填写，或都不填",
        )),
    }
}

/// Why a claim is refused before stock is even looked at.
pub fn check_claim(
    status: OfferStatus,
    opens_at: DateTime<Utc>,
    closes_at: DateTime<Utc>,
    now: DateTime<Utc>,
    already_claimed: i64,
    per_member_limit: i64,
) -> Result<(), ValidationError> {
    let refuse = |m: String| Err(ValidationError::new("offer", m));
    if status != OfferStatus::Published {
        return refuse("该优惠未发布或已撤回".into());
    }
    if now < opens_at {
        let beijing = opens_at + chrono::Duration::hours(8);
        return refuse(format!(
            "该优惠将于 {} 开抢",
            beijing.format("%m月%d日 %H:%M")
        ));
    }
    if now >= closes_at {
        return refuse("该优惠领取已结束".into());
    }
    if already_claimed >= per_member_limit {
        return refuse(format!("每人限领{per_member_limit}张，您已领取"));
    }
    Ok(())
}

/// A coupon code: 12 characters from a set without look-alikes (no 0/O, 1/I/L), typed by a
/// merchant when a phone cannot show the QR. `random` supplies the bytes.
pub fn coupon_code(random: &[u8; 12]) -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
    random
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// A typed code, normalised: trimmed, upper case, spaces and dashes dropped.
pub fn normalise_code(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_uppercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 7, 1, h, m, 0).unwrap()
    }

    #[test]
    fn an_offer_opens_at_its_minute_closes_at_its_end_and_keeps_the_per_member_limit() {
        let (open, close) = (t(2, 0), t(12, 0));
        let p = OfferStatus::Published;
        let e = check_claim(p, open, close, t(1, 59), 0, 1).unwrap_err();
        assert!(e.message.contains("07月01日 10:00"), "{}", e.message);
        assert!(check_claim(p, open, close, t(2, 0), 0, 1).is_ok());
        assert!(check_claim(p, open, close, t(12, 0), 0, 1).is_err());
        assert!(
            check_claim(p, open, close, t(3, 0), 1, 1)
                .unwrap_err()
                .message
                .contains("限领1张")
        );
        assert!(check_claim(p, open, close, t(3, 0), 1, 2).is_ok());
        assert!(check_claim(OfferStatus::Withdrawn, open, close, t(3, 0), 0, 1).is_err());
        assert!(check_claim(OfferStatus::Draft, open, close, t(3, 0), 0, 1).is_err());
    }

    #[test]
    fn the_audience_is_the_region_and_any_of_the_tags() {
        let outdoor_gz = Audience {
            region: Some("4401".into()),
            tags: vec![MemberTag::Outdoor],
        };
        let rider = MemberFacts {
            region: Some("440106".into()),
            tags: tags_of(Some("food_delivery"), 400, false, false),
        };
        assert!(outdoor_gz.admits(&rider));
        let clerk = MemberFacts {
            region: Some("440106".into()),
            tags: tags_of(None, 400, false, false),
        };
        assert!(!outdoor_gz.admits(&clerk));
        let shenzhen_rider = MemberFacts {
            region: Some("440305".into()),
            ..rider.clone()
        };
        assert!(!outdoor_gz.admits(&shenzhen_rider));
        assert!(
            Audience::default().admits(&clerk),
            "no limits: the whole subtree"
        );
        let typed = Audience::parse(
            Some(" 4401 "),
            &[
                "outdoor".into(),
                " ".into(),
                "outdoor".into(),
                "model_worker".into(),
            ],
        )
        .unwrap();
        assert_eq!(typed.region.as_deref(), Some("4401"));
        assert_eq!(typed.tags, vec![MemberTag::Outdoor, MemberTag::ModelWorker]);
        assert!(Audience::parse(Some("441"), &[]).is_err(), "odd length");
        assert!(Audience::parse(Some("44a1"), &[]).is_err());
        assert!(Audience::parse(None, &["vip".into()]).is_err());
        assert_eq!(Audience::parse(Some(""), &[]).unwrap(), Audience::default());
        assert_eq!(rider.tags_delimited(), ",gig,outdoor,");
        let stored = Audience::from_stored(Some("4401"), Some("outdoor,retired,bogus"));
        assert_eq!(stored.tags, vec![MemberTag::Outdoor, MemberTag::Retired]);
        assert_eq!(stored.tags_stored().as_deref(), Some("outdoor,retired"));
    }

    #[test]
    fn tags_come_from_the_record() {
        assert_eq!(
            tags_of(Some("courier"), 10, false, false),
            vec![MemberTag::Gig, MemberTag::Outdoor, MemberTag::NewMember]
        );
        assert_eq!(
            tags_of(Some("livestreamer"), 200, true, true),
            vec![MemberTag::Gig, MemberTag::Retired, MemberTag::ModelWorker]
        );
        assert!(
            tags_of(None, 90, false, false).is_empty(),
            "90 days is no longer new"
        );
    }

    #[test]
    fn coordinates_come_in_pairs_inside_china() {
        assert_eq!(coordinates(None, None).unwrap(), None);
        assert_eq!(
            coordinates(Some(113.3245), Some(23.1064)).unwrap(),
            Some((113.3245, 23.1064))
        );
        assert_eq!(
            coordinates(Some(23.1064), Some(113.3245))
                .unwrap_err()
                .field,
            "longitude",
            "swapped"
        );
        assert_eq!(
            coordinates(Some(113.3), Some(-23.1)).unwrap_err().field,
            "latitude"
        );
        assert!(coordinates(Some(113.3), None).is_err());
        assert!(coordinates(Some(f64::NAN), Some(23.1)).is_err());
    }

    #[test]
    fn codes_avoid_look_alikes_and_typed_codes_are_normalised() {
        let c = coupon_code(&[0, 1, 2, 30, 31, 255, 7, 8, 9, 10, 11, 12]);
        assert_eq!(c.len(), 12);
        assert!(!c.contains(['0', 'O', '1', 'I', 'L']));
        assert_eq!(normalise_code(" ab2c-d3ef 4gh5 "), "AB2CD3EF4GH5");
    }
}
