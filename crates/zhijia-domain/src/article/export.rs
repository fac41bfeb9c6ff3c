//! The WeChat official-account export of an article (公众号排版): the editor there keeps inline
//! styles and drops classes, `<style>` and scripts, so the export carries one inline style per
//! element, taken from this table, and nothing else. The rewriting itself is done by the
//! sanitiser in `zhijia_app::article::export`.

/// The elements an export keeps, each with the inline style it is given. Any other element is
/// dropped (its text kept); `script` and `style` are dropped with their content.
pub const STYLES: &[(&str, &str)] = &[
    (
        "p",
        "margin:0 0 1em;line-height:1.75;font-size:16px;color:#333333;text-align:justify;",
    ),
    (
        "h2",
        "margin:1.5em 0 0.75em;font-size:19px;font-weight:bold;line-height:1.4;color:#b71c1c;",
    ),
    (
        "h3",
        "margin:1.25em 0 0.5em;font-size:17px;font-weight:bold;line-height:1.4;color:#333333;",
    ),
    (
        "h4",
        "margin:1em 0 0.5em;font-size:16px;font-weight:bold;line-height:1.4;color:#333333;",
    ),
    ("strong", "font-weight:bold;color:#222222;"),
    ("em", "font-style:italic;"),
    (
        "ul",
        "margin:0 0 1em;padding-left:1.5em;list-style-type:disc;",
    ),
    (
        "ol",
        "margin:0 0 1em;padding-left:1.5em;list-style-type:decimal;",
    ),
    (
        "li",
        "margin:0 0 0.5em;line-height:1.75;font-size:16px;color:#333333;",
    ),
    (
        "blockquote",
        "margin:1em 0;padding:0.5em 1em;border-left:4px solid #b71c1c;background-color:#f7f7f7;color:#555555;",
    ),
    ("a", "color:#576b95;text-decoration:none;"),
    (
        "img",
        "display:block;max-width:100%;height:auto;margin:1em auto;",
    ),
    ("br", ""),
    (
        "hr",
        "margin:1.5em 0;border:0;border-top:1px solid #e5e5e5;",
    ),
    (
        "code",
        "font-family:Menlo,Consolas,monospace;font-size:14px;background-color:#f5f5f5;padding:0 0.2em;",
    ),
    (
        "pre",
        "margin:0 0 1em;padding:0.75em;background-color:#f5f5f5;overflow-x:auto;font-size:14px;line-height:1.5;",
    ),
    (
        "table",
        "width:100%;margin:0 0 1em;border-collapse:collapse;font-size:15px;",
    ),
    ("thead", ""),
    ("tbody", ""),
    ("tr", ""),
    (
        "th",
        "border:1px solid #dddddd;padding:0.4em;background-color:#f5f5f5;font-weight:bold;",
    ),
    ("td", "border:1px solid #dddddd;padding:0.4em;"),
];

/// The style of the wrapper around the whole export (the article's title, source line and
/// body), so the text keeps its font and width wherever it is pasted.
pub const WRAPPER_STYLE: &str = "font-family:-apple-system,BlinkMacSystemFont,'PingFang SC','Microsoft YaHei',sans-serif;font-size:16px;color:#333333;line-height:1.75;";
/// The title's style.
pub const TITLE_STYLE: &str =
    "margin:0 0 0.5em;font-size:22px;font-weight:bold;line-height:1.4;color:#222222;";
/// The line under the title (union, date, source).
pub const BYLINE_STYLE: &str = "margin:0 0 1.5em;font-size:14px;color:#888888;";

/// The inline style of a kept element, or `None` for one the export drops.
pub fn style_of(tag: &str) -> Option<&'static str> {
    STYLES.iter().find(|(t, _)| *t == tag).map(|(_, s)| *s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_style_is_a_plain_declaration_list_a_paste_keeps() {
        let all = STYLES
            .iter()
            .map(|(_, s)| *s)
            .chain([WRAPPER_STYLE, TITLE_STYLE, BYLINE_STYLE]);
        for s in all {
            assert!(
                !s.contains('"') && !s.contains('<') && !s.contains("url("),
                "{s}"
            );
            assert!(s.is_empty() || s.ends_with(';'), "{s}");
        }
        assert!(style_of("script").is_none());
        assert!(style_of("style").is_none());
        assert!(style_of("img").is_some_and(|s| s.contains("max-width:100%")));
    }
}
