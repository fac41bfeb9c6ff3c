//! The index's fields.

use crate::tokens::JIEBA;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, STORED, STRING, Schema,
    TextFieldIndexing, TextOptions,
};

/// The fields, by name.
#[derive(Clone, Copy)]
pub(crate) struct Fields {
    /// `source:id`, the record's one document (replaced and removed by it).
    pub key: Field,
    pub kind: Field,
    pub id: Field,
    pub title: Field,
    pub body: Field,
    pub tags: Field,
    pub org_path: Field,
    pub org_name: Field,
    /// `everyone`, `chain` or `audience` (`zhijia_domain::search::Reach`).
    pub reach: Field,
    pub published_at: Field,
    /// The end of a notice's life; far in the future for what does not expire.
    pub expires_at: Field,
    /// The audience's region prefix, or `*`.
    pub region: Field,
    /// The audience's member tags, or `*`.
    pub audience: Field,
}

pub(crate) fn build() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(JIEBA)
                .set_index_option(IndexRecordOption::WithFreqs),
        );
        if stored { o.set_stored() } else { o }
    };
    let date = DateOptions::default()
        .set_indexed()
        .set_fast()
        .set_precision(DateTimePrecision::Seconds);
    let fields = Fields {
        key: b.add_text_field("key", STRING),
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_i64_field("id", STORED),
        title: b.add_text_field("title", text(true)),
        body: b.add_text_field("body", text(true)),
        tags: b.add_text_field("tags", text(false)),
        org_path: b.add_text_field("org_path", STRING),
        org_name: b.add_text_field("org_name", STORED),
        reach: b.add_text_field("reach", STRING),
        published_at: b.add_date_field("published_at", date.clone().set_stored()),
        expires_at: b.add_date_field("expires_at", date),
        region: b.add_text_field("region", STRING),
        audience: b.add_text_field("audience", STRING),
    };
    (b.build(), fields)
}
