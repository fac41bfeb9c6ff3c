//! Asking the index: the words typed, narrowed to what the reader may see (publication time,
//! expiry, reach, audience) inside the index, so pages and totals count right; scored by BM25
//! with the title weighing most; highlighted snippets.

use crate::doc::{ANY, date};
use crate::schema::Fields;
use crate::{Index, Result, tokens};
use chrono::{DateTime, Utc};
use std::ops::Bound;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query as TQuery, RangeQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{TantivyDocument, Term};
use zhijia_domain::search::SearchKind;

/// Who is reading.
#[derive(Debug, Clone)]
pub enum Viewer {
    /// Not signed in, or not a member: what everyone may read.
    Anyone,
    /// A member: their union's path and its ancestors' (`/1/`, `/1/12/`, …), where they work
    /// (a region code) and their member tags.
    Member {
        chain: Vec<String>,
        region: Option<String>,
        tags: Vec<String>,
    },
}

/// Whether every word must match (the search box) or any (suggestions, ranked).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    All,
    Any,
}

/// A search.
#[derive(Debug, Clone)]
pub struct Query<'a> {
    pub text: &'a str,
    /// Only these kinds; empty for all.
    pub kinds: &'a [SearchKind],
    pub viewer: &'a Viewer,
    pub now: DateTime<Utc>,
    pub mode: Mode,
    pub offset: usize,
    pub limit: usize,
}

/// One result, with HTML that is escaped except for its `<b>` highlight marks.
#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: SearchKind,
    pub id: i64,
    pub title: String,
    pub title_html: String,
    pub snippet_html: String,
    pub org_name: String,
    pub published_at: Option<DateTime<Utc>>,
    pub score: f32,
}

/// A page of results and how many there are in all.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub total: usize,
    pub hits: Vec<Hit>,
}

/// How long a snippet is, in characters.
const SNIPPET_CHARS: usize = 90;

impl Index {
    /// Searches. Nothing typed (or only empty words) finds nothing.
    pub fn search(&self, q: &Query<'_>) -> Result<Hits> {
        let f = &self.0.fields;
        let words = tokens::terms(q.text);
        if words.is_empty() || q.limit == 0 {
            return Ok(Hits::default());
        }
        let text = text_query(f, &words, q.mode);
        let filter = ConstScoreQuery::new(Box::new(visible(f, q)), 0.0);
        let query = BooleanQuery::new(vec![
            (Occur::Must, text.box_clone()),
            (Occur::Must, Box::new(filter)),
        ]);
        let searcher = self.0.reader.searcher();
        let top = TopDocs::with_limit(q.limit)
            .and_offset(q.offset)
            .order_by_score();
        let (total, found) = searcher.search(&query, &(Count, top))?;
        let mut body_snippets = SnippetGenerator::create(&searcher, &*text, f.body)?;
        body_snippets.set_max_num_chars(SNIPPET_CHARS);
        let mut title_marks = SnippetGenerator::create(&searcher, &*text, f.title)?;
        title_marks.set_max_num_chars(200);
        let mut hits = Vec::with_capacity(found.len());
        for (score, addr) in found {
            let d: TantivyDocument = searcher.doc(addr)?;
            if let Some(hit) = hit_of(f, &d, score, &body_snippets, &title_marks) {
                hits.push(hit);
            }
        }
        Ok(Hits { total, hits })
    }

    /// The bare query a benchmark compares the API with: the same words and filters, the ids
    /// of the page, no snippets, no store.
    pub fn raw_ids(&self, q: &Query<'_>) -> Result<(usize, Vec<i64>)> {
        let f = &self.0.fields;
        let words = tokens::terms(q.text);
        if words.is_empty() {
            return Ok((0, Vec::new()));
        }
        let query = BooleanQuery::new(vec![
            (Occur::Must, text_query(f, &words, q.mode)),
            (
                Occur::Must,
                Box::new(ConstScoreQuery::new(Box::new(visible(f, q)), 0.0)),
            ),
        ]);
        let searcher = self.0.reader.searcher();
        let top = TopDocs::with_limit(q.limit.max(1))
            .and_offset(q.offset)
            .order_by_score();
        let (total, found) = searcher.search(&query, &(Count, top))?;
        let mut ids = Vec::with_capacity(found.len());
        for (_, addr) in found {
            let d: TantivyDocument = searcher.doc(addr)?;
            if let Some(id) = d.get_first(f.id).and_then(|v| v.as_i64()) {
                ids.push(id);
            }
        }
        Ok((total, ids))
    }
}

fn hit_of(
    f: &Fields,
    d: &TantivyDocument,
    score: f32,
    body_snippets: &SnippetGenerator,
    title_marks: &SnippetGenerator,
) -> Option<Hit> {
    let text = |field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
    let kind = SearchKind::parse(text(f.kind))?;
    let id = d.get_first(f.id).and_then(|v| v.as_i64())?;
    let title = text(f.title).to_owned();
    let marked = title_marks.snippet(&title);
    let title_html = if marked.is_empty() {
        escape(&title)
    } else {
        html(&marked)
    };
    let body = text(f.body);
    let snippet = body_snippets.snippet(body);
    let snippet_html = if snippet.is_empty() {
        escape(&body.chars().take(SNIPPET_CHARS).collect::<String>())
    } else {
        html(&snippet)
    };
    let published_at = d
        .get_first(f.published_at)
        .and_then(|v| v.as_datetime())
        .and_then(|t| DateTime::from_timestamp(t.into_timestamp_secs(), 0));
    Some(Hit {
        kind,
        id,
        title,
        title_html,
        snippet_html,
        org_name: text(f.org_name).to_owned(),
        published_at,
        score,
    })
}

/// A snippet as HTML: escaped, matched words in `<b>`. Not tantivy's `to_html`, which panics
/// on the overlapping ranges jieba's search mode gives (`劳动合同` over `劳动`, `合同`).
fn html(s: &tantivy::snippet::Snippet) -> String {
    let text = s.fragment();
    let mut ranges = s.highlighted().to_vec();
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut out = String::new();
    let mut at = 0;
    for r in ranges {
        let start = r.start.max(at);
        if r.end <= start {
            continue;
        }
        out.push_str(&escape(text.get(at..start).unwrap_or("")));
        out.push_str("<b>");
        out.push_str(&escape(text.get(start..r.end).unwrap_or("")));
        out.push_str("</b>");
        at = r.end;
    }
    out.push_str(&escape(text.get(at..).unwrap_or("")));
    out
}

/// HTML-escapes a text shown without highlights.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn term(field: tantivy::schema::Field, text: &str) -> Term {
    Term::from_field_text(field, text)
}

fn one(field: tantivy::schema::Field, text: &str) -> Box<dyn TQuery> {
    Box::new(TermQuery::new(term(field, text), IndexRecordOption::Basic))
}

fn any_of<'s>(
    field: tantivy::schema::Field,
    values: impl IntoIterator<Item = &'s str>,
) -> Box<dyn TQuery> {
    Box::new(TermSetQuery::new(
        values.into_iter().map(|v| term(field, v)),
    ))
}

/// Each word in the title (weighing three times), the tags (twice) or the body; every word
/// required, or any. jieba's search mode gives a long word and the shorter words inside it
/// (`拖欠工资`, `拖欠`, `工资`): only the shortest are required, a longer one adds to the score
/// where the text has it whole.
fn text_query(f: &Fields, words: &[String], mode: Mode) -> Box<dyn TQuery> {
    let clauses: Vec<(Occur, Box<dyn TQuery>)> = words
        .iter()
        .map(|w| {
            let compound = words.iter().any(|o| o != w && w.contains(o.as_str()));
            let occur = match mode {
                Mode::All if !compound => Occur::Must,
                _ => Occur::Should,
            };
            let fields: Vec<(Occur, Box<dyn TQuery>)> = vec![
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(scored(f.title, w), 3.0)),
                ),
                (
                    Occur::Should,
                    Box::new(BoostQuery::new(scored(f.tags, w), 2.0)),
                ),
                (Occur::Should, scored(f.body, w)),
            ];
            (
                occur,
                Box::new(BooleanQuery::new(fields)) as Box<dyn TQuery>,
            )
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

fn scored(field: tantivy::schema::Field, word: &str) -> Box<dyn TQuery> {
    Box::new(TermQuery::new(
        term(field, word),
        IndexRecordOption::WithFreqs,
    ))
}

/// What the reader may see: published by now, not expired, of the kinds asked, and within
/// the reader's reach.
fn visible(f: &Fields, q: &Query<'_>) -> BooleanQuery {
    let now = date(q.now);
    let mut must: Vec<(Occur, Box<dyn TQuery>)> = vec![
        (
            Occur::Must,
            Box::new(RangeQuery::new(
                Bound::Unbounded,
                Bound::Included(Term::from_field_date(f.published_at, now)),
            )),
        ),
        (
            Occur::Must,
            Box::new(RangeQuery::new(
                Bound::Excluded(Term::from_field_date(f.expires_at, now)),
                Bound::Unbounded,
            )),
        ),
        (Occur::Must, reach(f, q.viewer)),
    ];
    if !q.kinds.is_empty() {
        must.push((
            Occur::Must,
            any_of(f.kind, q.kinds.iter().map(|k| k.as_str())),
        ));
    }
    BooleanQuery::new(must)
}

fn reach(f: &Fields, viewer: &Viewer) -> Box<dyn TQuery> {
    match viewer {
        Viewer::Anyone => any_of(f.reach, ["everyone", "chain"]),
        Viewer::Member {
            chain,
            region,
            tags,
        } => {
            let in_chain = || any_of(f.org_path, chain.iter().map(String::as_str));
            let chain_kinds = BooleanQuery::new(vec![
                (Occur::Must, one(f.reach, "chain")),
                (Occur::Must, in_chain()),
            ]);
            // A region prefix of 2, 4 or 6 digits the member's region starts with, or none.
            let mut regions = vec![ANY.to_owned()];
            if let Some(r) = region {
                for n in [2, 4, 6] {
                    if let Some(p) = r.get(..n) {
                        regions.push(p.to_owned());
                    }
                }
            }
            let audience = BooleanQuery::new(vec![
                (Occur::Must, one(f.reach, "audience")),
                (Occur::Must, in_chain()),
                (
                    Occur::Must,
                    any_of(f.region, regions.iter().map(String::as_str)),
                ),
                (
                    Occur::Must,
                    any_of(
                        f.audience,
                        std::iter::once(ANY).chain(tags.iter().map(String::as_str)),
                    ),
                ),
            ]);
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, one(f.reach, "everyone")),
                (Occur::Should, Box::new(chain_kinds)),
                (Occur::Should, Box::new(audience)),
            ]))
        }
    }
}
