//! National code sets a member roster carries: ethnicity, education, political status, marital
//! status, hukou type and vocational skill level.
//!
//! The store and the exchange files hold the standard code (so another system reading them, or
//! a report to a higher union, needs no translation table); people see the Chinese label. Rosters
//! arrive as Excel sheets filled in by hand, so [`parse`](Ethnicity::parse) accepts either the
//! code or the label, plus the short forms people actually type ("汉", "本科", "团员").

use crate::ValidationError;

/// Defines a code-set enum from a table of `Variant = "code", "标签", "别名"...;`.
///
/// `name` is the set's Chinese name for messages, `unknown` the sentence opening the error for
/// a value not in the table, and `suffix` a label ending that may be left off (the "族" of the
/// ethnic groups; empty for none).
macro_rules! code_set {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            name: $what:literal,
            unknown: $unknown:literal,
            suffix: $suffix:literal,
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $code:literal, $label:literal $(, $alias:literal)* ;
            )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order of the code table.
            pub const ALL: &'static [Self] = &[$(Self::$variant,)+];
            /// The set's Chinese name, as messages use it.
            pub const NAME: &'static str = $what;

            /// The standard code, as stored and exchanged.
            pub fn code(self) -> &'static str {
                match self {
                    $(Self::$variant => $code,)+
                }
            }

            /// The Chinese name shown to people.
            pub fn label(self) -> &'static str {
                match self {
                    $(Self::$variant => $label,)+
                }
            }

            /// Other names rosters use for the same value.
            fn aliases(self) -> &'static [&'static str] {
                match self {
                    $(Self::$variant => &[$($alias),*],)+
                }
            }

            pub fn from_code(code: &str) -> Option<Self> {
                match code {
                    $($code => Some(Self::$variant),)+
                    _ => None,
                }
            }

            /// The value whose label or alias is exactly `label` (untrimmed).
            pub fn from_label(label: &str) -> Option<Self> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| label_matches(v.label(), v.aliases(), $suffix, label))
            }

            /// Reads a roster cell: the code or the label, surrounding blanks ignored.
            pub fn parse(field: &'static str, s: &str) -> Result<Self, ValidationError> {
                let example = Self::ALL.first().map(|v| (v.code(), v.label()));
                parse_cell(field, s, $what, $unknown, example, |t| {
                    Self::from_code(t).or_else(|| Self::from_label(t))
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                Self::from_code(&s).ok_or_else(|| {
                    serde::de::Error::custom(format!("{}代码不正确：{}", $what, s))
                })
            }
        }
    };
}

fn label_matches(label: &str, aliases: &[&str], suffix: &str, input: &str) -> bool {
    label == input
        || aliases.contains(&input)
        || (!suffix.is_empty() && label.strip_suffix(suffix) == Some(input))
}

/// Longest part of a bad cell echoed back in a message, so a pasted paragraph stays readable.
const ECHO_CHARS: usize = 20;

fn parse_cell<T>(
    field: &'static str,
    input: &str,
    what: &str,
    unknown: &str,
    example: Option<(&str, &str)>,
    lookup: impl Fn(&str) -> Option<T>,
) -> Result<T, ValidationError> {
    let s = input.trim();
    if s.is_empty() {
        return Err(ValidationError::new(field, format!("{what}未填写")));
    }
    if let Some(v) = lookup(s) {
        return Ok(v);
    }
    // Excel turns a cell holding "01" into the number 1 unless the column is formatted as text,
    // so a lone digit is read as the two-digit code it lost its zero from.
    if s.len() == 1
        && s.as_bytes()[0].is_ascii_digit()
        && let Some(v) = lookup(&format!("0{s}"))
    {
        return Ok(v);
    }
    let mut shown: String = s.chars().take(ECHO_CHARS).collect();
    if s.chars().nth(ECHO_CHARS).is_some() {
        shown.push('…');
    }
    let hint = match example {
        Some((code, label)) => format!("（请填写代码或名称，如“{code}”或“{label}”）"),
        None => String::new(),
    };
    Err(ValidationError::new(
        field,
        format!("{unknown}：{shown}{hint}"),
    ))
}

code_set! {
    /// 民族, GB/T 3304-1991 (中国各民族名称的罗马字母拼写法和代码). Variants are named by the
    /// standard's romanisation.
    pub enum Ethnicity {
        name: "民族",
        unknown: "民族不在 GB/T 3304 代码表中",
        suffix: "族",
        Han = "01", "汉族";
        Mongol = "02", "蒙古族";
        Hui = "03", "回族";
        Zang = "04", "藏族";
        Uygur = "05", "维吾尔族";
        Miao = "06", "苗族";
        Yi = "07", "彝族";
        Zhuang = "08", "壮族";
        Buyei = "09", "布依族";
        Chosen = "10", "朝鲜族";
        Man = "11", "满族";
        Dong = "12", "侗族";
        Yao = "13", "瑶族";
        Bai = "14", "白族";
        Tujia = "15", "土家族";
        Hani = "16", "哈尼族";
        Kazak = "17", "哈萨克族";
        Dai = "18", "傣族";
        Li = "19", "黎族";
        Lisu = "20", "傈僳族";
        Va = "21", "佤族";
        She = "22", "畲族";
        Gaoshan = "23", "高山族";
        Lahu = "24", "拉祜族";
        Sui = "25", "水族";
        Dongxiang = "26", "东乡族";
        Naxi = "27", "纳西族";
        Jingpo = "28", "景颇族";
        Kirgiz = "29", "柯尔克孜族";
        Tu = "30", "土族";
        Daur = "31", "达斡尔族";
        Mulao = "32", "仫佬族";
        Qiang = "33", "羌族";
        Blang = "34", "布朗族";
        Salar = "35", "撒拉族";
        Maonan = "36", "毛南族";
        Gelao = "37", "仡佬族";
        Xibe = "38", "锡伯族";
        Achang = "39", "阿昌族";
        Pumi = "40", "普米族";
        Tajik = "41", "塔吉克族";
        Nu = "42", "怒族";
        Uzbek = "43", "乌孜别克族";
        Russ = "44", "俄罗斯族";
        Ewenki = "45", "鄂温克族";
        Deang = "46", "德昂族";
        Bonan = "47", "保安族";
        Yugur = "48", "裕固族";
        Gin = "49", "京族";
        Tatar = "50", "塔塔尔族";
        Derung = "51", "独龙族";
        Oroqen = "52", "鄂伦春族";
        Hezhen = "53", "赫哲族";
        Monba = "54", "门巴族";
        Lhoba = "55", "珞巴族";
        Jino = "56", "基诺族";
        Other = "97", "其他", "其它";
        /// 外国血统中国籍人士: a Chinese citizen of foreign descent.
        ForeignOrigin = "98", "外国血统中国籍人士";
    }
}

code_set! {
    /// 学历, the top levels of GB/T 4658 (学历代码).
    ///
    /// The split of 40 中等专业学校 and 50 技工学校 is the 1984 edition's, which rosters and
    /// older personnel systems still carry (the 2006 edition groups both under 40 中等职业教育,
    /// 技工学校 being its 47). The aliases are the short forms HR departments write.
    pub enum Education {
        name: "学历",
        unknown: "学历不在 GB/T 4658 代码表中",
        suffix: "",
        Postgraduate = "10", "研究生", "硕士", "博士", "硕士研究生", "博士研究生";
        Bachelor = "20", "大学本科", "本科";
        College = "30", "大学专科和专科学校", "大专", "专科", "大学专科";
        SecondarySpecialised = "40", "中等专业学校", "中专";
        SkilledWorkersSchool = "50", "技工学校", "技校";
        SeniorHigh = "60", "普通高级中学", "高中";
        JuniorHigh = "70", "初级中学", "初中";
        Primary = "80", "小学";
        Other = "90", "其他", "其它";
    }
}

code_set! {
    /// 政治面貌, GB/T 4762-1984.
    pub enum PoliticalStatus {
        name: "政治面貌",
        unknown: "政治面貌不在 GB/T 4762 代码表中",
        suffix: "",
        CpcMember = "01", "中国共产党党员", "中共党员", "党员";
        CpcProbationary = "02", "中国共产党预备党员", "中共预备党员", "预备党员";
        CylMember = "03", "中国共产主义青年团团员", "共青团员", "团员";
        Rcckmt = "04", "中国国民党革命委员会会员", "民革会员";
        Cdl = "05", "中国民主同盟盟员", "民盟盟员";
        Cndca = "06", "中国民主建国会会员", "民建会员";
        Capd = "07", "中国民主促进会会员", "民进会员";
        Pwdp = "08", "中国农工民主党党员", "农工党党员";
        Zhigong = "09", "中国致公党党员", "致公党党员";
        Jiusan = "10", "九三学社社员";
        Tdsgl = "11", "台湾民主自治同盟盟员", "台盟盟员";
        NonParty = "12", "无党派民主人士", "无党派人士";
        Masses = "13", "群众";
    }
}

code_set! {
    /// 婚姻状况, GB/T 4766-1984. 20 已婚 is the general value; 21–23 refine it where known.
    pub enum MaritalStatus {
        name: "婚姻状况",
        unknown: "婚姻状况不在 GB/T 4766 代码表中",
        suffix: "",
        Unmarried = "10", "未婚";
        Married = "20", "已婚";
        FirstMarriage = "21", "初婚";
        Remarried = "22", "再婚";
        RemarriedSame = "23", "复婚";
        Widowed = "30", "丧偶";
        Divorced = "40", "离婚", "离异";
        Unstated = "90", "未说明的婚姻状况", "未说明";
    }
}

code_set! {
    /// 户口性质. Since the 2014 household-registration reform new registrations are 居民户口;
    /// the two older types remain on many records and rosters.
    pub enum HukouType {
        name: "户口性质",
        unknown: "户口性质不在代码表中（1 农业户口、2 非农业户口、3 居民户口）",
        suffix: "",
        Agricultural = "1", "农业户口", "农业";
        NonAgricultural = "2", "非农业户口", "非农业", "城镇", "城镇户口";
        Resident = "3", "居民户口", "居民";
    }
}

code_set! {
    /// 国家职业资格 / 职业技能等级. Level 5 is the lowest and level 1 the highest, as in the
    /// national occupational skill standards.
    pub enum SkillLevel {
        name: "职业技能等级",
        unknown: "职业技能等级不在代码表中（5 初级工 至 1 高级技师）",
        suffix: "",
        Level5 = "5", "初级工", "五级", "五级/初级工";
        Level4 = "4", "中级工", "四级", "四级/中级工";
        Level3 = "3", "高级工", "三级", "三级/高级工";
        Level2 = "2", "技师", "二级", "二级/技师";
        Level1 = "1", "高级技师", "一级", "一级/高级技师";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Checks one set: codes and labels round-trip, every alias finds its own value (no earlier
    /// value shadows it), and serde writes the code.
    macro_rules! check_set {
        ($t:ty) => {{
            let mut codes = std::collections::HashSet::new();
            for &v in <$t>::ALL {
                assert!(codes.insert(v.code()), "duplicate code {}", v.code());
                assert_eq!(<$t>::from_code(v.code()), Some(v));
                assert_eq!(<$t>::from_label(v.label()), Some(v));
                assert_eq!(<$t>::parse("f", v.code()), Ok(v));
                assert_eq!(<$t>::parse("f", &format!(" {} ", v.label())), Ok(v));
                for a in v.aliases() {
                    assert_eq!(<$t>::from_label(a), Some(v), "alias {a}");
                }
                let json = serde_json::to_string(&v).unwrap();
                assert_eq!(json, format!("\"{}\"", v.code()));
                assert_eq!(serde_json::from_str::<$t>(&json).unwrap(), v);
            }
            let err = <$t>::parse("roster_field", "不存在的值").unwrap_err();
            assert_eq!(err.field, "roster_field");
            assert!(err.message.starts_with(<$t>::NAME), "{}", err.message);
            assert!(err.message.contains("不存在的值"));
            let err = <$t>::parse("roster_field", "  ").unwrap_err();
            assert!(err.message.starts_with(<$t>::NAME), "{}", err.message);
            assert!(serde_json::from_str::<$t>("\"不存在的值\"").is_err());
        }};
    }

    #[test]
    fn every_set_round_trips() {
        check_set!(Ethnicity);
        check_set!(Education);
        check_set!(PoliticalStatus);
        check_set!(MaritalStatus);
        check_set!(HukouType);
        check_set!(SkillLevel);
    }

    #[test]
    fn ethnicity_has_the_56_groups_in_order() {
        assert_eq!(Ethnicity::ALL.len(), 58);
        for (i, v) in Ethnicity::ALL[..56].iter().enumerate() {
            assert_eq!(v.code(), format!("{:02}", i + 1));
            assert!(v.label().ends_with('族'));
        }
        assert_eq!(Ethnicity::from_code("56"), Some(Ethnicity::Jino));
        assert_eq!(Ethnicity::from_code("98"), Some(Ethnicity::ForeignOrigin));
        assert_eq!(Ethnicity::from_code("57"), None);
    }

    #[test]
    fn ethnicity_accepts_the_name_without_zu() {
        assert_eq!(Ethnicity::parse("ethnicity", "汉"), Ok(Ethnicity::Han));
        assert_eq!(Ethnicity::parse("ethnicity", "汉族"), Ok(Ethnicity::Han));
        assert_eq!(Ethnicity::parse("ethnicity", "土"), Ok(Ethnicity::Tu));
        assert_eq!(Ethnicity::parse("ethnicity", "土家"), Ok(Ethnicity::Tujia));
        assert_eq!(
            Ethnicity::parse("ethnicity", "维吾尔"),
            Ok(Ethnicity::Uygur)
        );
        assert_eq!(Ethnicity::from_label("族"), None);
    }

    #[test]
    fn a_code_that_lost_its_leading_zero_in_excel_is_read() {
        assert_eq!(Ethnicity::parse("ethnicity", "1"), Ok(Ethnicity::Han));
        assert_eq!(
            PoliticalStatus::parse("political_status", "3"),
            Ok(PoliticalStatus::CylMember)
        );
        // Single-digit code sets keep their own meaning.
        assert_eq!(
            SkillLevel::parse("skill_level", "1"),
            Ok(SkillLevel::Level1)
        );
        assert!(Education::parse("education", "1").is_err());
    }

    #[test]
    fn roster_aliases_parse() {
        let cases = [
            ("本科", Education::Bachelor),
            ("大专", Education::College),
            ("专科", Education::College),
            ("中专", Education::SecondarySpecialised),
            ("技校", Education::SkilledWorkersSchool),
            ("高中", Education::SeniorHigh),
            ("初中", Education::JuniorHigh),
            ("硕士", Education::Postgraduate),
            ("博士", Education::Postgraduate),
            ("研究生", Education::Postgraduate),
        ];
        for (s, v) in cases {
            assert_eq!(Education::parse("education", s), Ok(v), "{s}");
        }
        assert_eq!(
            PoliticalStatus::parse("p", "中共党员"),
            Ok(PoliticalStatus::CpcMember)
        );
        assert_eq!(
            PoliticalStatus::parse("p", "预备党员"),
            Ok(PoliticalStatus::CpcProbationary)
        );
        assert_eq!(
            PoliticalStatus::parse("p", "共青团员"),
            Ok(PoliticalStatus::CylMember)
        );
        assert_eq!(
            PoliticalStatus::parse("p", "团员"),
            Ok(PoliticalStatus::CylMember)
        );
        assert_eq!(
            MaritalStatus::parse("m", "未说明"),
            Ok(MaritalStatus::Unstated)
        );
        assert_eq!(HukouType::parse("h", "农业"), Ok(HukouType::Agricultural));
        assert_eq!(
            HukouType::parse("h", "非农业"),
            Ok(HukouType::NonAgricultural)
        );
        assert_eq!(
            HukouType::parse("h", "城镇"),
            Ok(HukouType::NonAgricultural)
        );
        assert_eq!(HukouType::parse("h", "居民"), Ok(HukouType::Resident));
        let levels = [
            ("五级", SkillLevel::Level5),
            ("四级", SkillLevel::Level4),
            ("三级", SkillLevel::Level3),
            ("二级", SkillLevel::Level2),
            ("一级", SkillLevel::Level1),
            ("初级工", SkillLevel::Level5),
            ("高级技师", SkillLevel::Level1),
        ];
        for (s, v) in levels {
            assert_eq!(SkillLevel::parse("skill_level", s), Ok(v), "{s}");
        }
    }

    #[test]
    fn unknown_values_name_the_table_and_echo_the_input() {
        let err = Ethnicity::parse("ethnicity", "火星族").unwrap_err();
        assert_eq!(err.field, "ethnicity");
        assert!(
            err.message
                .starts_with("民族不在 GB/T 3304 代码表中：火星族"),
            "{}",
            err.message
        );
        let err = Education::parse("education", "x".repeat(100).as_str()).unwrap_err();
        assert!(err.message.contains('…'));
        assert!(err.message.chars().count() < 100);
        // from_label does not trim: parse does.
        assert_eq!(Ethnicity::from_label(" 汉族"), None);
    }
}
