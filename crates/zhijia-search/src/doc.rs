//! A record as the index holds it.

use crate::schema::Fields;
use chrono::{DateTime, Utc};
use tantivy::TantivyDocument;
use zhijia_domain::search::{Reach, SearchKind};

/// One searchable record, made by the application from a store row.
#[derive(Debug, Clone)]
pub struct Doc {
    pub kind: SearchKind,
    pub id: i64,
    pub title: String,
    /// Plain text: summary, body, place, author, … as the kind has them.
    pub body: String,
    pub tags: String,
    /// The owning union's path (`/1/12/`) and name.
    pub org_path: String,
    pub org_name: String,
    pub published_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    /// An offer's or activity's audience: a region code prefix and member tags.
    pub audience_region: Option<String>,
    pub audience_tags: Vec<String>,
}

pub(crate) fn key(source: &str, id: i64) -> String {
    format!("{source}:{id}")
}

/// What stands for "any" in the region and audience fields.
pub(crate) const ANY: &str = "*";

/// A time as the index keeps it: whole seconds, between 1970 and [`NEVER`] (tantivy counts
/// nanoseconds in an `i64`, which ends in 2262).
pub(crate) fn date(at: DateTime<Utc>) -> tantivy::DateTime {
    tantivy::DateTime::from_timestamp_secs(at.timestamp().clamp(0, NEVER))
}

/// Far ahead: what does not expire (2100-01-01).
pub(crate) const NEVER: i64 = 4_102_444_800;

impl Doc {
    pub(crate) fn to_tantivy(&self, f: &Fields) -> TantivyDocument {
        let mut d = TantivyDocument::new();
        d.add_text(f.key, key(self.kind.source(), self.id));
        d.add_text(f.kind, self.kind.as_str());
        d.add_i64(f.id, self.id);
        d.add_text(f.title, &self.title);
        d.add_text(f.body, &self.body);
        d.add_text(f.tags, &self.tags);
        d.add_text(f.org_path, &self.org_path);
        d.add_text(f.org_name, &self.org_name);
        let reach = match self.kind.reach() {
            Reach::Everyone => "everyone",
            Reach::Chain => "chain",
            Reach::Audience => "audience",
        };
        d.add_text(f.reach, reach);
        d.add_date(f.published_at, date(self.published_at));
        d.add_date(
            f.expires_at,
            match self.expires_at {
                Some(at) => date(at),
                None => tantivy::DateTime::from_timestamp_secs(NEVER),
            },
        );
        d.add_text(f.region, self.audience_region.as_deref().unwrap_or(ANY));
        if self.audience_tags.is_empty() {
            d.add_text(f.audience, ANY);
        }
        for t in &self.audience_tags {
            d.add_text(f.audience, t);
        }
        d
    }
}
