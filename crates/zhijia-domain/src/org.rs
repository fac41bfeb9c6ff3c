//! The union tree: levels, kinds, materialised paths and the rules of where an org may sit.

use crate::ValidationError;
use crate::credit_code::CreditCode;
use crate::industry;
use crate::region::RegionCode;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use crate::ids::OrgId;

/// Level in the tree, from the national federation down to the union inside an employer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgLevel {
    National,
    Province,
    City,
    County,
    Township,
    Grassroots,
}

impl OrgLevel {
    pub const ALL: [OrgLevel; 6] = [
        OrgLevel::National,
        OrgLevel::Province,
        OrgLevel::City,
        OrgLevel::County,
        OrgLevel::Township,
        OrgLevel::Grassroots,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgLevel::National => "national",
            OrgLevel::Province => "province",
            OrgLevel::City => "city",
            OrgLevel::County => "county",
            OrgLevel::Township => "township",
            OrgLevel::Grassroots => "grassroots",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgLevel::National => "全国总工会",
            OrgLevel::Province => "省级工会",
            OrgLevel::City => "市级工会",
            OrgLevel::County => "县(区)级工会",
            OrgLevel::Township => "乡镇(街道)工会",
            OrgLevel::Grassroots => "基层工会",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| ValidationError::new("level", "工会层级不正确"))
    }
}

/// What kind of union it is. Industry and regional unions gather workers across employers,
/// such as the couriers or ride-hailing drivers of a city.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    /// A federation (总工会) or an employer's union: the ordinary place in the tree.
    General,
    Industry,
    Regional,
}

impl OrgKind {
    pub const ALL: [OrgKind; 3] = [OrgKind::General, OrgKind::Industry, OrgKind::Regional];

    pub fn as_str(self) -> &'static str {
        match self {
            OrgKind::General => "general",
            OrgKind::Industry => "industry",
            OrgKind::Regional => "regional",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::General => "地方/基层工会",
            OrgKind::Industry => "行业工会",
            OrgKind::Regional => "区域工会",
        }
    }

    pub fn parse(s: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| ValidationError::new("kind", "工会类型不正确"))
    }
}

/// Whether an org of `child` level and kind may sit directly under an org of `parent` level.
///
/// A general union sits strictly below its parent's level (a county federation under a city
/// one). Industry and regional unions carry the level of the area they cover, so a city's
/// couriers' union sits beside the city's county federations, directly under the city federation.
/// Nothing sits under a grassroots union.
pub fn may_sit_under(child: OrgLevel, kind: OrgKind, parent: OrgLevel) -> bool {
    if parent == OrgLevel::Grassroots {
        return false;
    }
    match kind {
        OrgKind::General => child > parent,
        OrgKind::Industry | OrgKind::Regional => child >= parent && parent != OrgLevel::National,
    }
}

/// The materialised path of an org: the ids from the root down to it, as `/1/12/345/`.
/// "This org and everything below it" is every path that starts with this one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct OrgPath(String);

impl OrgPath {
    pub fn root(id: OrgId) -> Self {
        Self(format!("/{}/", id.0))
    }

    pub fn child(&self, id: OrgId) -> Self {
        Self(format!("{}{}/", self.0, id.0))
    }

    /// Reads a path stored by the store; gives the text back if it is not of the `/1/2/` shape.
    pub fn from_stored(s: String) -> Result<Self, String> {
        let ok = s.len() >= 3
            && s.starts_with('/')
            && s.ends_with('/')
            && s[1..s.len() - 1]
                .split('/')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if ok { Ok(Self(s)) } else { Err(s) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The exclusive upper bound of the subtree's key range: the same path with its final `/`
    /// replaced by the next character (`0`). With a binary collation every descendant's path
    /// sorts in `[path, upper)`, so the subtree is one index range scan.
    pub fn subtree_upper_bound(&self) -> String {
        let mut s = self.0.clone();
        s.pop();
        s.push('0');
        s
    }

    /// Number of orgs on the path, the root being 1.
    pub fn depth(&self) -> i64 {
        self.0.matches('/').count() as i64 - 1
    }

    pub fn ids(&self) -> Vec<OrgId> {
        self.0
            .split('/')
            .filter_map(|p| p.parse().ok())
            .map(OrgId)
            .collect()
    }

    pub fn contains(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }
}

/// Org name: what people read in every list, so it is trimmed, not empty and of sane length.
pub fn parse_name(input: &str) -> Result<String, ValidationError> {
    let name = input.trim();
    let len = name.chars().count();
    if len == 0 {
        return Err(ValidationError::new("name", "工会名称不能为空"));
    }
    if len > 100 {
        return Err(ValidationError::new("name", "工会名称不能超过100个字"));
    }
    if name.chars().any(crate::text::is_hidden) {
        return Err(ValidationError::new("name", "工会名称含有不可见的控制字符"));
    }
    Ok(name.to_owned())
}

/// An org as asked for by a person or a file, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct OrgInput {
    pub name: String,
    pub level: String,
    pub kind: Option<String>,
    pub parent_id: Option<i64>,
    pub region_code: String,
    pub credit_code: Option<String>,
    pub employer_name: Option<String>,
    pub employer_credit_code: Option<String>,
    pub industry_code: Option<String>,
    pub chair: Option<String>,
    pub founded_on: Option<String>,
}

/// A checked new org; only `OrgInput::validate` makes one.
#[derive(Debug, Clone)]
pub struct NewOrg {
    pub name: String,
    pub level: OrgLevel,
    pub kind: OrgKind,
    pub parent_id: Option<OrgId>,
    pub region_code: RegionCode,
    pub credit_code: Option<CreditCode>,
    pub employer_name: Option<String>,
    pub employer_credit_code: Option<CreditCode>,
    pub industry_code: Option<String>,
    pub chair: Option<String>,
    pub founded_on: Option<NaiveDate>,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl OrgInput {
    pub fn validate(&self) -> Result<NewOrg, ValidationError> {
        let name = parse_name(&self.name)?;
        let level = OrgLevel::parse(self.level.trim())?;
        let kind = match non_empty(&self.kind) {
            Some(k) => OrgKind::parse(k)?,
            None => OrgKind::General,
        };
        let region_code = RegionCode::parse(&self.region_code)?;
        let credit_code = non_empty(&self.credit_code)
            .map(CreditCode::parse)
            .transpose()?;
        if credit_code.as_ref().is_some_and(|c| !c.is_union()) {
            return Err(ValidationError::new(
                "credit_code",
                "工会法人的统一社会信用代码应以81开头(用人单位的代码请填在“所在用人单位”)",
            ));
        }
        let employer_credit_code = non_empty(&self.employer_credit_code)
            .map(|c| {
                CreditCode::parse(c).map_err(|e| {
                    ValidationError::new(
                        "employer_credit_code",
                        e.message
                            .replace("统一社会信用代码", "用人单位统一社会信用代码"),
                    )
                })
            })
            .transpose()?;
        let employer_name = match non_empty(&self.employer_name) {
            Some(n) if n.chars().count() > 100 => {
                return Err(ValidationError::new(
                    "employer_name",
                    "用人单位名称不能超过100个字",
                ));
            }
            n => n.map(str::to_owned),
        };
        if employer_credit_code.is_some() && level != OrgLevel::Grassroots {
            return Err(ValidationError::new(
                "employer_credit_code",
                "只有基层工会需要填写所在用人单位",
            ));
        }
        let industry_code = non_empty(&self.industry_code)
            .map(industry::parse_section)
            .transpose()?;
        let chair = match non_empty(&self.chair) {
            Some(c) if c.chars().count() > 50 => {
                return Err(ValidationError::new("chair", "工会主席姓名不能超过50个字"));
            }
            c => c.map(str::to_owned),
        };
        let founded_on = non_empty(&self.founded_on)
            .map(|d| {
                NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| ValidationError::new("founded_on", "成立日期格式应为 YYYY-MM-DD"))
            })
            .transpose()?;
        if level == OrgLevel::National && self.parent_id.is_some() {
            return Err(ValidationError::new("parent_id", "全国总工会没有上级工会"));
        }
        Ok(NewOrg {
            name,
            level,
            kind,
            parent_id: self.parent_id.map(OrgId),
            region_code,
            credit_code,
            employer_name,
            employer_credit_code,
            industry_code,
            chair,
            founded_on,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_subtree_range_holds_descendants_and_nothing_else() {
        let p = OrgPath::root(OrgId(1)).child(OrgId(12));
        let upper = p.subtree_upper_bound();
        let inside = ["/1/12/", "/1/12/345/", "/1/12/9/10/"];
        let outside = ["/1/120/", "/1/13/", "/1/1/", "/1/"];
        for s in inside {
            assert!(
                s >= p.as_str() && s < upper.as_str(),
                "{s} should be inside"
            );
        }
        for s in outside {
            assert!(
                !(s >= p.as_str() && s < upper.as_str()),
                "{s} should be outside"
            );
        }
    }

    #[test]
    fn paths_know_their_depth_and_ids() {
        let p = OrgPath::from_stored("/1/12/345/".into()).unwrap();
        assert_eq!(p.depth(), 3);
        assert_eq!(p.ids(), vec![OrgId(1), OrgId(12), OrgId(345)]);
        assert!(OrgPath::from_stored("/1//".into()).is_err());
    }

    #[test]
    fn placement_follows_the_levels() {
        use OrgLevel::*;
        assert!(may_sit_under(County, OrgKind::General, City));
        assert!(!may_sit_under(City, OrgKind::General, City));
        assert!(!may_sit_under(City, OrgKind::General, County));
        assert!(may_sit_under(City, OrgKind::Industry, City));
        assert!(!may_sit_under(Grassroots, OrgKind::General, Grassroots));
    }

    #[test]
    fn invalid_credit_code_is_refused_naming_the_field() {
        let input = OrgInput {
            name: "某公司工会".into(),
            level: "grassroots".into(),
            region_code: "440106".into(),
            credit_code: Some("91440106MA59XXXX00".into()),
            ..Default::default()
        };
        let err = input.validate().unwrap_err();
        assert_eq!(err.field, "credit_code");
        assert!(err.message.contains("统一社会信用代码"));
    }

    #[test]
    fn blank_names_are_refused() {
        let input = OrgInput {
            name: "  ".into(),
            level: "city".into(),
            region_code: "440100".into(),
            ..Default::default()
        };
        assert_eq!(input.validate().unwrap_err().field, "name");
    }
}
