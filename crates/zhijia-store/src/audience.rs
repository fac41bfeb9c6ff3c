//! The audience condition shared by offers and activities, in SQL so a member's lists page and
//! count right: a region code prefix the member's region starts with, and member tags any of
//! which the member has. See `zhijia_domain::benefit::Audience` for the same rule in Rust.

/// The condition for the row alias `t` (columns `audience_region` and `audience_tags`, a comma
/// list), with the member's region and tags (as `,gig,outdoor,`) bound at the placeholders
/// `region` and `tags`. The tags are matched one by one from the fixed list, so the query stays
/// plain SQL on both backends.
pub(crate) fn condition(t: &str, region: &str, tags: &str) -> String {
    let any_tag: Vec<String> = zhijia_domain::benefit::MemberTag::ALL
        .iter()
        .map(|tag| {
            let tag = tag.as_str();
            format!(
                "(',' || {t}.audience_tags || ',' LIKE '%,{tag},%' \
                 AND CAST({tags} AS TEXT) LIKE '%,{tag},%')"
            )
        })
        .collect();
    format!(
        "({t}.audience_region IS NULL \
           OR substr(CAST({region} AS TEXT), 1, length({t}.audience_region)) = {t}.audience_region) \
         AND ({t}.audience_tags IS NULL OR {})",
        any_tag.join(" OR ")
    )
}
