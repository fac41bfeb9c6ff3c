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
            region: f.get("audience_region").cloned().unwrap_or_default(),
            ticked: tags_of_form(f),
        }
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
