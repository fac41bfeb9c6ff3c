//! Cutting Chinese text into words: jieba in search mode (a long word also yields the shorter
//! words inside it), lower-cased, words longer than 40 bytes dropped.

use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, TextAnalyzer, TokenStream};

/// The tokenizer's registered name.
pub(crate) const JIEBA: &str = "jieba";

pub(crate) fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::new())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .build()
}

/// Words that say nothing about what is searched for: a query does not require them.
const EMPTY_WORDS: &[&str] = &[
    "的",
    "了",
    "和",
    "与",
    "及",
    "或",
    "是",
    "在",
    "被",
    "把",
    "吗",
    "呢",
    "吧",
    "啊",
    "怎么",
    "怎么办",
    "如何",
    "什么",
    "哪些",
    "哪里",
    "为什么",
    "可以",
    "能",
    "我",
    "我的",
    "你",
    "他",
    "她",
    "它",
    "我们",
    "有",
    "要",
    "会",
    "应该",
    "请问",
];

/// The distinct words of what a person typed, in order, without punctuation and empty words.
pub fn terms(text: &str) -> Vec<String> {
    let mut analyzer = analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out: Vec<String> = Vec::new();
    while stream.advance() {
        let t = &stream.token().text;
        if !t.chars().any(char::is_alphanumeric) || EMPTY_WORDS.contains(&t.as_str()) {
            continue;
        }
        if !out.iter().any(|o| o == t) {
            out.push(t.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_query_is_cut_into_words_without_punctuation_or_empty_words() {
        let t = terms("外卖骑手的工伤，怎么办？");
        assert!(t.contains(&"外卖".to_string()), "{t:?}");
        assert!(t.contains(&"骑手".to_string()), "{t:?}");
        assert!(t.contains(&"工伤".to_string()), "{t:?}");
        assert!(
            !t.iter().any(|w| w == "的" || w == "，" || w == "怎么办"),
            "{t:?}"
        );
    }
}
