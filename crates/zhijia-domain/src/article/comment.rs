//! Comments (留言) under a published article: what a member may write, how phone and identity
//! numbers in it are masked before it is stored, and the states a comment goes through.
//!
//! A comment is stored masked (nobody, not even the editors, sees the numbers), shown only to
//! its writer until an editor of the article's union features it (精选), and may carry the
//! editor's answer. Its writer may delete it; an editor may hide it.

use crate::ValidationError;
use crate::auth::mask_phone;
use crate::id_number::mask as mask_id;
use crate::publishing::paragraphs;

state_enum! {
    /// Where a comment stands. Only featured comments are shown to others than the writer.
    pub enum CommentStatus {
        /// Written, waiting for an editor: only the writer sees it.
        Pending = "pending", "待精选";
        /// Featured (精选) by an editor: everyone who reads the article sees it.
        Featured = "featured", "已精选";
        /// Deleted by its writer or hidden by an editor: nobody sees it.
        Deleted = "deleted", "已删除";
    }
}

impl CommentStatus {
    /// Only a pending comment may be featured (a featured one already is).
    pub fn may_feature(self) -> bool {
        self == Self::Pending
    }

    /// An editor answers under a comment still shown to someone.
    pub fn may_reply(self) -> bool {
        self != Self::Deleted
    }

    /// A comment still shown to someone may be hidden or deleted.
    pub fn may_remove(self) -> bool {
        self != Self::Deleted
    }
}

/// The longest comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 500;
/// The longest answer of an editor, in characters.
pub const MAX_REPLY_CHARS: usize = 1000;

/// A member's comment as it is stored: 1 to 500 characters, paragraphs kept, no hidden
/// characters, and every phone and identity number in it masked.
pub fn comment_body(input: &str) -> Result<String, ValidationError> {
    let text = paragraphs("body", "留言内容", input, 1, MAX_COMMENT_CHARS)?;
    Ok(mask_personal_numbers(&text))
}

/// An editor's answer under a comment, masked as comments are (an editor may quote one).
pub fn reply_body(input: &str) -> Result<String, ValidationError> {
    let text = paragraphs("reply", "回复内容", input, 1, MAX_REPLY_CHARS)?;
    Ok(mask_personal_numbers(&text))
}

/// A run of digits (ASCII or full-width), with a trailing `X` when one follows directly (the
/// check character of an identity number): its place in the text and its digits in ASCII.
struct Group {
    start: usize,
    end: usize,
    digits: String,
    /// Whether the group ends with the check character `X`; nothing may follow it in a number.
    ends_with_x: bool,
}

fn ascii_digit(c: char) -> Option<char> {
    match c {
        '0'..='9' => Some(c),
        '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
        _ => None,
    }
}

/// What may stand between the digit groups of one number as people write them: a space or a
/// dash (ASCII, full-width or typographic).
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{3000}' | '-' | '－' | '\u{2010}'..='\u{2015}' | '\u{2212}'
    )
}

fn groups(chars: &[char]) -> Vec<Group> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if ascii_digit(chars[i]).is_none() {
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = String::new();
        while let Some(d) = chars.get(i).copied().and_then(ascii_digit) {
            digits.push(d);
            i += 1;
        }
        let x_follows = matches!(chars.get(i), Some('X' | 'x' | 'Ｘ' | 'ｘ'))
            && !chars.get(i + 1).is_some_and(char::is_ascii_alphanumeric);
        if x_follows {
            digits.push('X');
            i += 1;
        }
        out.push(Group {
            start,
            end: i,
            digits,
            ends_with_x: x_follows,
        });
    }
    out
}

/// Splits the groups into chains: groups one separator apart, read as one number.
fn chains(chars: &[char], groups: Vec<Group>) -> Vec<Vec<Group>> {
    let mut out: Vec<Vec<Group>> = Vec::new();
    for g in groups {
        let joined = out.last().and_then(|c| c.last()).is_some_and(|prev| {
            !prev.ends_with_x && g.start == prev.end + 1 && is_separator(chars[prev.end])
        });
        match out.last_mut() {
            Some(chain) if joined => chain.push(g),
            _ => out.push(vec![g]),
        }
    }
    out
}

/// A mainland mobile number: 11 digits, `1[3-9]…`.
fn is_mobile(d: &str) -> bool {
    let b = d.as_bytes();
    b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) && is_digits(d)
}

fn is_digits(d: &str) -> bool {
    d.bytes().all(|b| b.is_ascii_digit())
}

/// The masked form of digits that make a phone or an identity number, or `None`.
fn masked(d: &str) -> Option<String> {
    if is_mobile(d) {
        return Some(mask_phone(d));
    }
    if let Some(rest) = d.strip_prefix("86").filter(|r| is_mobile(r)) {
        return Some(format!("86{}", mask_phone(rest)));
    }
    let id18 = d.len() == 18 && is_digits(&d[..17]);
    let id15 = d.len() == 15 && is_digits(d);
    (id18 || id15).then(|| mask_id(d))
}

/// The text with every mainland mobile number (`13800138000`, `138 0013 8000`,
/// `138-0013-8000`, `+86 138…`) masked as `138****8000`, and every identity number (18
/// characters of GB 11643, with or without a valid check character, or the old 15-digit form,
/// also split by spaces) masked as `44**************3X`. Digits may be full-width. A run of
/// digit groups is read from the left and the longest number starting at each group wins, so
/// an identity number beginning with `13` (Hebei) is masked whole, not as a phone. Other
/// numbers (dates, amounts, a longer run such as an order number) are left as they are.
pub fn mask_personal_numbers(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut spans: Vec<(usize, usize, String)> = Vec::new();
    for chain in chains(&chars, groups(&chars)) {
        let mut i = 0;
        while i < chain.len() {
            let mut best = None;
            let mut acc = String::new();
            for (j, g) in chain.iter().enumerate().skip(i) {
                acc.push_str(&g.digits);
                if acc.len() > 18 {
                    break;
                }
                if let Some(m) = masked(&acc) {
                    best = Some((j, m));
                }
                if g.ends_with_x {
                    break;
                }
            }
            match best {
                Some((j, m)) => {
                    spans.push((chain[i].start, chain[j].end, m));
                    i = j + 1;
                }
                None => i += 1,
            }
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, m) in spans {
        out.extend(&chars[at..start]);
        out.push_str(&m);
        at = end;
    }
    out.extend(&chars[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mobile_number_is_masked_however_it_is_written() {
        for (input, want) in [
            ("我的电话13800138000，请回电", "我的电话138****8000，请回电"),
            ("电话 138 0013 8000 谢谢", "电话 138****8000 谢谢"),
            ("电话138-0013-8000", "电话138****8000"),
            ("打 +86 139 1234 5678", "打 +86139****5678"),
            ("电话８６１３８００１３８０００", "电话86138****8000"),
            ("１３８００１３８０００", "138****8000"),
            ("13800138000", "138****8000"),
            ("a:15912345678;b:19912345678", "a:159****5678;b:199****5678"),
            (
                "两个号码 13800138000、13900139000",
                "两个号码 138****8000、139****9000",
            ),
        ] {
            assert_eq!(mask_personal_numbers(input), want, "{input}");
        }
    }

    #[test]
    fn an_identity_number_is_masked_in_both_forms_and_split_by_spaces() {
        for (input, want) in [
            ("身份证440106199005050012", "身份证44**************12"),
            (
                "身份证 44010619900505001X 号",
                "身份证 44**************1X 号",
            ),
            ("身份证44010619900505001X号", "身份证44**************1X号"),
            ("身份证 44010619900505001x", "身份证 44**************1X"),
            ("440106 19900505 0012", "44**************12"),
            ("老证 440106900505001", "老证 44***********01"),
            // Hebei numbers begin with 13: masked whole, not read as a phone.
            ("130102199001011234", "13**************34"),
        ] {
            assert_eq!(mask_personal_numbers(input), want, "{input}");
        }
    }

    #[test]
    fn other_numbers_and_the_rest_of_the_text_are_kept() {
        for input in [
            "2026-12-08 下午3点，加班费3000元，第12车间",
            "工号 12345，电话区号020",
            "订单号 202612081380013800012345",
            "12800138000 不是手机号",
            "Xiao Wang 说 X 很好",
            "",
        ] {
            assert_eq!(mask_personal_numbers(input), input);
        }
    }

    #[test]
    fn a_comment_is_checked_then_masked() {
        assert_eq!(
            comment_body("  工资拖欠，请联系13800138000\r\n谢谢 ").unwrap(),
            "工资拖欠，请联系138****8000\n谢谢"
        );
        assert_eq!(comment_body("   ").unwrap_err().field, "body");
        assert!(comment_body(&"字".repeat(MAX_COMMENT_CHARS)).is_ok());
        assert!(comment_body(&"字".repeat(MAX_COMMENT_CHARS + 1)).is_err());
        assert!(comment_body("看\u{202E}这里").is_err());
        assert_eq!(reply_body("").unwrap_err().field, "reply");
    }

    #[test]
    fn only_pending_comments_are_featured_and_deleted_ones_are_left_alone() {
        assert!(CommentStatus::Pending.may_feature());
        assert!(!CommentStatus::Featured.may_feature());
        assert!(CommentStatus::Featured.may_reply());
        assert!(!CommentStatus::Deleted.may_reply());
        assert!(!CommentStatus::Deleted.may_remove());
        assert_eq!(
            CommentStatus::parse("featured"),
            Some(CommentStatus::Featured)
        );
    }
}
