//! What the showcase records of the culture module (劳模风采, 职工书屋) share: a publishing
//! status (draft → published → withdrawn, and republished), and the checks of the texts people
//! type into them.

use crate::ValidationError;

state_enum! {
    /// Where a record shown to the public stands. Only published ones are shown.
    pub enum PublishStatus {
        Draft = "draft", "草稿";
        Published = "published", "已发布";
        /// Taken down; may be published again.
        Withdrawn = "withdrawn", "已撤回";
    }
}

impl PublishStatus {
    /// Drafts and withdrawn records may be published (again).
    pub fn may_publish(self) -> bool {
        matches!(self, Self::Draft | Self::Withdrawn)
    }

    /// Only a published record may be withdrawn.
    pub fn may_withdraw(self) -> bool {
        self == Self::Published
    }
}

/// A one-line text: trimmed, `min..=max` characters, no control characters (so no line
/// breaks). The message names the field by its Chinese `label`.
pub fn line(
    field: &'static str,
    label: &str,
    input: &str,
    min: usize,
    max: usize,
) -> Result<String, ValidationError> {
    let t = input.trim();
    let n = t.chars().count();
    if n < min || n > max || t.chars().any(crate::text::is_hidden) {
        return Err(refusal(field, label, min, max));
    }
    Ok(t.to_owned())
}

/// A text of paragraphs: trimmed, line breaks kept (as `\n`), `min..=max` characters, no other
/// control characters.
pub fn paragraphs(
    field: &'static str,
    label: &str,
    input: &str,
    min: usize,
    max: usize,
) -> Result<String, ValidationError> {
    let t = input.trim().replace("\r\n", "\n").replace('\r', "\n");
    let n = t.chars().count();
    if n < min || n > max || t.chars().any(|c| crate::text::is_hidden(c) && c != '\n') {
        return Err(refusal(field, label, min, max));
    }
    Ok(t)
}

fn refusal(field: &'static str, label: &str, min: usize, max: usize) -> ValidationError {
    let need = if min > 0 { "请填写" } else { "" };
    ValidationError::new(
        field,
        format!("{label}{need}(不超过{max}个字，不含控制字符)"),
    )
}

/// A text split into its non-empty paragraphs, for pages that show each as `<p>` (escaped).
pub fn split_paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drafts_and_withdrawn_records_publish_and_only_published_ones_withdraw() {
        assert!(PublishStatus::Draft.may_publish());
        assert!(PublishStatus::Withdrawn.may_publish());
        assert!(!PublishStatus::Published.may_publish());
        assert!(PublishStatus::Published.may_withdraw());
        assert!(!PublishStatus::Draft.may_withdraw());
        assert!(!PublishStatus::Withdrawn.may_withdraw());
        assert_eq!(
            PublishStatus::parse("published"),
            Some(PublishStatus::Published)
        );
        assert_eq!(PublishStatus::Withdrawn.label(), "已撤回");
    }

    #[test]
    fn a_line_is_trimmed_and_refuses_line_breaks_and_excess() {
        assert_eq!(line("name", "姓名", " 张三 ", 1, 20).unwrap(), "张三");
        assert!(line("name", "姓名", "  ", 1, 20).is_err());
        assert!(line("name", "姓名", "张\n三", 1, 20).is_err());
        let e = line("name", "姓名", &"张".repeat(21), 1, 20).unwrap_err();
        assert_eq!(e.field, "name");
        assert!(e.message.contains("姓名") && e.message.contains("20"));
        assert_eq!(line("summary", "简介", "", 0, 200).unwrap(), "");
    }

    #[test]
    fn paragraphs_keep_line_breaks_and_split_into_non_empty_paragraphs() {
        let t = paragraphs("story", "事迹", "第一段\r\n\r\n 第二段 \r", 1, 5000).unwrap();
        assert_eq!(t, "第一段\n\n 第二段");
        assert_eq!(split_paragraphs(&t), vec!["第一段", "第二段"]);
        assert!(paragraphs("story", "事迹", "a\u{7}b", 1, 5000).is_err());
        assert!(paragraphs("story", "事迹", "", 1, 5000).is_err());
    }
}
