//! What the records a union publishes share (劳模风采, 职工书屋, 资讯): a publishing status
//! (draft → published → withdrawn, and republished), the review step of the kinds a second
//! person must approve (draft → in review → published, or sent back to draft), the four-eyes
//! rule, and the checks of the texts people type into them.

use crate::ValidationError;

state_enum! {
    /// Where a record shown to the public stands. Only published ones are shown.
    pub enum PublishStatus {
        Draft = "draft", "草稿";
        /// Submitted, waiting for a second person (only kinds that are reviewed).
        InReview = "in_review", "待审核";
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

/// The review step of a kind that is reviewed (articles): who may move a record where.
pub mod review {
    use super::PublishStatus;

    /// A draft, or a withdrawn record to be published again, is submitted for review.
    pub fn may_submit(s: PublishStatus) -> bool {
        matches!(s, PublishStatus::Draft | PublishStatus::Withdrawn)
    }

    /// Only a record in review is approved or sent back.
    pub fn may_decide(s: PublishStatus) -> bool {
        s == PublishStatus::InReview
    }

    /// A reviewed record is edited while it is a draft or withdrawn; one in review is sent back
    /// first, and a published one is withdrawn first, so nobody changes what a second person
    /// approved.
    pub fn may_edit(s: PublishStatus) -> bool {
        matches!(s, PublishStatus::Draft | PublishStatus::Withdrawn)
    }

    /// Four eyes: the reviewer is neither the writer nor the last editor. An unknown writer
    /// (a record written by the system) does not block anyone.
    pub fn four_eyes(reviewer: i64, created_by: Option<i64>, edited_by: Option<i64>) -> bool {
        created_by != Some(reviewer) && edited_by != Some(reviewer)
    }

    /// The reason a record is sent back with: 2–200 characters, one line.
    pub fn reason(typed: &str) -> Result<String, crate::ValidationError> {
        super::line("reason", "退回原因", typed, 2, 200)
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
    fn a_record_is_submitted_then_approved_or_sent_back_and_edited_only_before_review() {
        use review::*;
        assert!(may_submit(PublishStatus::Draft) && may_submit(PublishStatus::Withdrawn));
        assert!(!may_submit(PublishStatus::InReview) && !may_submit(PublishStatus::Published));
        assert!(may_decide(PublishStatus::InReview));
        assert!(!may_decide(PublishStatus::Draft) && !may_decide(PublishStatus::Published));
        assert!(may_edit(PublishStatus::Draft) && !may_edit(PublishStatus::InReview));
        assert!(!may_edit(PublishStatus::Published));
        assert!(
            !PublishStatus::InReview.may_publish(),
            "review is not skipped"
        );
        assert_eq!(PublishStatus::InReview.label(), "待审核");
    }

    #[test]
    fn the_writer_and_the_last_editor_cannot_approve() {
        use review::four_eyes;
        assert!(!four_eyes(1, Some(1), Some(2)), "the writer");
        assert!(!four_eyes(2, Some(1), Some(2)), "the last editor");
        assert!(four_eyes(3, Some(1), Some(2)));
        assert!(four_eyes(3, None, None));
        assert!(review::reason("请补充来源").is_ok());
        assert!(review::reason(" ").is_err());
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
