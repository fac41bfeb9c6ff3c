//! The workers' library (职工书屋): paper books to borrow at a union's reading room, e-books and
//! audio books read or heard by link, and reading guides (导读书评).
//!
//! Pure rules only: the checked form of an item. Texts are plain text; pages escape them.

use crate::ValidationError;
use crate::publishing::{line, paragraphs};

/// Longest link accepted.
pub const MAX_LINK: usize = 500;

state_enum! {
    /// What a library item is.
    pub enum Kind {
        /// Borrowed at a reading room: needs the place.
        Book = "book", "纸质图书";
        /// Read online: needs the link.
        Ebook = "ebook", "电子书";
        /// Heard online: needs the link.
        Audiobook = "audiobook", "有声书";
        /// A reading guide or review written by the union: the body is the text.
        Reading = "reading", "导读书评";
    }
}

impl Kind {
    /// Whether the item is read or heard by its link, which is then required.
    pub fn needs_link(self) -> bool {
        matches!(self, Self::Ebook | Self::Audiobook)
    }
}

/// An item as typed, before checking.
#[derive(Debug, Clone, Default)]
pub struct LibraryInput {
    pub kind: String,
    pub title: String,
    pub author: String,
    pub summary: String,
    pub body: String,
    pub link: Option<String>,
    pub place: Option<String>,
}

/// An item that passed the checks: what the shelf stores of it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CheckedItem {
    pub kind: Kind,
    pub title: String,
    pub author: String,
    pub summary: String,
    pub body: String,
    pub link: Option<String>,
    pub place: Option<String>,
}

impl LibraryInput {
    /// Checks the item: a known kind, title 1–60 characters, author 1–40, summary up to 200,
    /// body up to 10,000 (required for a reading guide), an https link (required for e-books and
    /// audio books), and the place to borrow it (required for a paper book, up to 60).
    pub fn validate(&self) -> Result<CheckedItem, ValidationError> {
        let kind = Kind::parse(self.kind.trim()).ok_or_else(|| {
            ValidationError::new("kind", "类别应为 纸质图书、电子书、有声书 或 导读书评")
        })?;
        let title = line("title", "书名(标题)", &self.title, 1, 60)?;
        let author = line("author", "作者", &self.author, 1, 40)?;
        let summary = line("summary", "简介", &self.summary, 0, 200)?;
        let body_min = usize::from(kind == Kind::Reading);
        let body = paragraphs("body", "正文", &self.body, body_min, 10_000)?;
        let link = match self
            .link
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
        {
            Some(l) => Some(https_link(l)?),
            None if kind.needs_link() => {
                return Err(ValidationError::new(
                    "link",
                    format!("{}须填写以 https:// 开头的阅读(收听)链接", kind.label()),
                ));
            }
            None => None,
        };
        let place = match self
            .place
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => Some(line("place", "借阅地点", p, 1, 60)?),
            None if kind == Kind::Book => {
                return Err(ValidationError::new(
                    "place",
                    "纸质图书须填写借阅地点，如“XX街道职工书屋(二楼)”",
                ));
            }
            None => None,
        };
        Ok(CheckedItem {
            kind,
            title,
            author,
            summary,
            body,
            link,
            place,
        })
    }
}

/// An absolute `https://` address with a host and no user name or password in it, as parsed
/// (and normalised) by the WHATWG URL rules: nothing else is ever put in a page's `href`.
pub fn https_link(input: &str) -> Result<String, ValidationError> {
    let refused = || ValidationError::new("link", "链接应为以 https:// 开头的完整网址");
    let t = input.trim();
    if t.chars().count() > MAX_LINK
        || t.chars()
            .any(|c| c.is_whitespace() || crate::text::is_hidden(c))
    {
        return Err(refused());
    }
    // As typed, not as the URL rules would repair it ("https:///x" and "https:\\x" are read
    // as "https://x/" by browsers and by the parser alike).
    let typed_scheme = t
        .get(..8)
        .is_some_and(|p| p.eq_ignore_ascii_case("https://"));
    if !typed_scheme || t[8..].starts_with(['/', '\\']) {
        return Err(refused());
    }
    let url = url::Url::parse(t).map_err(|_| refused())?;
    if url.scheme() != "https"
        || url.host_str().is_none_or(str::is_empty)
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(refused());
    }
    Ok(url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book() -> LibraryInput {
        LibraryInput {
            kind: "book".into(),
            title: "平凡的世界".into(),
            author: "路遥".into(),
            summary: "黄土高原上普通劳动者的奋斗。".into(),
            body: String::new(),
            link: None,
            place: Some("沙河街道职工书屋(二楼)".into()),
        }
    }

    #[test]
    fn a_paper_book_needs_where_to_borrow_it() {
        let c = book().validate().unwrap();
        assert_eq!(c.kind, Kind::Book);
        assert_eq!(c.place.as_deref(), Some("沙河街道职工书屋(二楼)"));
        let e = LibraryInput {
            place: Some("  ".into()),
            ..book()
        }
        .validate()
        .unwrap_err();
        assert_eq!(e.field, "place");
    }

    #[test]
    fn ebooks_and_audiobooks_need_an_https_link() {
        for kind in ["ebook", "audiobook"] {
            let no_link = LibraryInput {
                kind: kind.into(),
                place: None,
                ..book()
            };
            assert_eq!(no_link.validate().unwrap_err().field, "link", "{kind}");
            let http = LibraryInput {
                link: Some("http://example.com/book".into()),
                ..no_link.clone()
            };
            assert_eq!(http.validate().unwrap_err().field, "link");
            let ok = LibraryInput {
                link: Some(" https://example.com/book?id=1 ".into()),
                ..no_link
            }
            .validate()
            .unwrap();
            assert_eq!(ok.link.as_deref(), Some("https://example.com/book?id=1"));
            assert_eq!(ok.place, None);
        }
    }

    #[test]
    fn only_plain_https_addresses_pass_as_links() {
        for bad in [
            "javascript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "https://",
            "https:///path",
            "https:\\\\example.com",
            "https:/example.com",
            "https://user:secret@example.com/",
            "https://exa mple.com/",
            "ftp://example.com/",
            "//example.com/",
            "example.com",
        ] {
            assert!(https_link(bad).is_err(), "{bad}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_LINK));
        assert!(https_link(&long).is_err());
        assert_eq!(
            https_link("HTTPS://Example.COM").unwrap(),
            "https://example.com/"
        );
    }

    #[test]
    fn a_reading_guide_needs_its_body_and_limits_hold() {
        let guide = LibraryInput {
            kind: "reading".into(),
            place: None,
            ..book()
        };
        assert_eq!(guide.validate().unwrap_err().field, "body");
        let guide = LibraryInput {
            body: "第一段\n第二段".into(),
            ..guide
        };
        assert!(guide.validate().is_ok());
        let field = |i: LibraryInput| i.validate().unwrap_err().field;
        assert_eq!(
            field(LibraryInput {
                title: "书".repeat(61),
                ..book()
            }),
            "title"
        );
        assert_eq!(
            field(LibraryInput {
                author: "作".repeat(41),
                ..book()
            }),
            "author"
        );
        assert_eq!(
            field(LibraryInput {
                author: String::new(),
                ..book()
            }),
            "author"
        );
        assert_eq!(
            field(LibraryInput {
                summary: "简".repeat(201),
                ..book()
            }),
            "summary"
        );
        assert_eq!(
            field(LibraryInput {
                body: "文".repeat(10_001),
                ..book()
            }),
            "body"
        );
        assert_eq!(
            field(LibraryInput {
                kind: "magazine".into(),
                ..book()
            }),
            "kind"
        );
    }
}
