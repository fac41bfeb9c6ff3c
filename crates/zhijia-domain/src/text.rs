//! What a typed text may not hide.

/// A character a person cannot see but a screen obeys: control characters (Cc), and the format
/// characters that reorder or join text (bidirectional overrides and isolates, zero-width
/// spaces and joiners, the byte-order mark, the soft hyphen). In a name or a file name they
/// make "张三\u{202E}fdp.exe" read as something else, or two different names look the same, so
/// checked texts refuse them (and file names drop them).
pub fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{061C}'
                | '\u{180E}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{2069}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_zero_widths_and_controls_are_hidden_and_chinese_is_not() {
        for c in [
            '\u{202E}', '\u{2066}', '\u{200B}', '\u{200D}', '\u{FEFF}', '\n', '\u{7}',
        ] {
            assert!(is_hidden(c), "{:?}", c);
        }
        for c in "张三 Zhang·San-1（工会）".chars() {
            assert!(!is_hidden(c), "{:?}", c);
        }
    }
}
