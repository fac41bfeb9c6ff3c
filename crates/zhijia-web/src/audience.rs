//! The audience fields of the console forms (offers, activities, approved proposals): a region
//! prefix and one checkbox per member tag, named `tag_<tag>`, so a refused form comes back
//! with the boxes as they were ticked.

use std::collections::HashMap;
use zhijia_domain::benefit::MemberTag;

/// What the `audience_fields.html` partial shows.
#[derive(Debug, Default, Clone)]
pub struct AudienceFields {
    pub region: String,
    pub ticked: Vec<String>,
}

impl AudienceFields {
    /// The fields as a submitted form holds them.
    pub fn of_form(f: &HashMap<String, String>) -> Self {
        AudienceFields {
            region: region_of_form(f).unwrap_or_default(),
            ticked: tags_of_form(f),
        }
    }

    /// The region as a picker (province, city or county, chosen by name), rendered.
    pub fn picker(&self) -> String {
        use askama::Template;
        crate::region::Picker::new(
            "audience_region",
            "限定地区(可不选)",
            3,
            &code_of(&self.region),
        )
        .hint("可只选省份或城市；不选即不限地区")
        .any_level()
        .render()
        .unwrap_or_default()
    }

    pub fn all(&self) -> &'static [MemberTag] {
        MemberTag::ALL
    }

    pub fn has(&self, tag: &MemberTag) -> bool {
        self.ticked.iter().any(|t| t == tag.as_str())
    }
}

/// The ticked tags of a form, by name.
pub fn tags_of_form(f: &HashMap<String, String>) -> Vec<String> {
    MemberTag::ALL
        .iter()
        .filter(|t| f.contains_key(&format!("tag_{}", t.as_str())))
        .map(|t| t.as_str().to_owned())
        .collect()
}

/// The region prefix a form's `audience_region` stands for: the picker posts a six-digit code
/// of the level chosen (440000 a province, 440100 a city), and the audience rule is a prefix of
/// 2, 4 or 6 digits (44, 4401, 440106). A prefix typed before passes unchanged.
pub fn region_of_form(f: &HashMap<String, String>) -> Option<String> {
    let code = f.get("audience_region")?.trim();
    Some(prefix_of(code).to_owned())
}

fn prefix_of(code: &str) -> &str {
    if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) {
        if let Some(p) = code.strip_suffix("0000") {
            return p;
        }
        if let Some(p) = code.strip_suffix("00") {
            return p;
        }
    }
    code
}

/// The six-digit code of a prefix, for the picker to show it chosen.
fn code_of(prefix: &str) -> String {
    match prefix.len() {
        2 => format!("{prefix}0000"),
        4 => format!("{prefix}00"),
        _ => prefix.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_region_becomes_the_prefix_of_its_level() {
        assert_eq!(prefix_of("440000"), "44");
        assert_eq!(prefix_of("440100"), "4401");
        assert_eq!(prefix_of("440106"), "440106");
        assert_eq!(prefix_of(""), "");
        assert_eq!(code_of("4401"), "440100");
    }
}
