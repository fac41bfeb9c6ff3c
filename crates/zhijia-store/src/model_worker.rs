//! Model workers (劳模) recorded by unions, a kind of publishable record (see
//! `publishable`). See migrations/sqlite/0010_culture.sql.

use crate::Result;
use crate::db::{Param, Row, Store};
use crate::publishable::{Content, Record};
use chrono::{DateTime, Utc};
use zhijia_domain::ids::WorkerId;
use zhijia_domain::model_worker::Level;

/// A record's own columns, as staff see them (the public view leaves out the worker link).
#[derive(Debug, Clone)]
pub struct Honouree {
    /// The linked worker, if the honouree is one here.
    pub worker_id: Option<WorkerId>,
    /// The linked worker's member number (read, not written).
    pub member_no: Option<String>,
    pub name: String,
    pub honour: String,
    pub level: Level,
    pub year: i64,
    pub employer: String,
    pub story: String,
    /// When the staff recorded the honouree's consent to be shown.
    pub consent_at: Option<DateTime<Utc>>,
}

/// A record with its union and status.
pub type ModelWorker = Record<Honouree>;

impl Content for Honouree {
    type Id = zhijia_domain::ids::PublishableId;
    const TABLE: &'static str = "model_worker";
    const COLUMNS: &'static str = "r.worker_id, w.member_no, r.name, r.honour, r.level, r.year, \
         r.employer, r.story, r.consent_at";
    const JOINS: &'static str = "LEFT JOIN worker w ON w.id = r.worker_id";
    const WRITES: &'static [&'static str] = &[
        "worker_id",
        "name",
        "honour",
        "level",
        "year",
        "employer",
        "story",
        "consent_at",
    ];
    const FACET: &'static str = "r.level";
    /// A published record keeps its consent: an edit that clears it (`$9`, the new
    /// `consent_at`) is refused in the statement itself. The cast tells PostgreSQL the
    /// parameter's type; on SQLite it keeps NULL NULL and a time not NULL.
    const UPDATE_IF: &'static str = "CAST($9 AS TIMESTAMPTZ) IS NOT NULL OR status <> 'published'";
    /// Publishing needs the consent recorded, checked again in the statement itself, so an
    /// edit that clears it at the same moment cannot slip a record out without it.
    const PUBLISH_IF: &'static str = "consent_at IS NOT NULL";

    fn decode(row: &Row<'_, '_>) -> Result<Self> {
        Ok(Honouree {
            worker_id: row.id_opt("worker_id")?,
            member_no: row.get("member_no")?,
            name: row.get("name")?,
            honour: row.get("honour")?,
            level: row.parsed("level", Level::parse)?,
            year: row.get("year")?,
            employer: row.get("employer")?,
            story: row.get("story")?,
            consent_at: row.get("consent_at")?,
        })
    }

    fn values(&self) -> Vec<Box<dyn Param + Sync + Send + '_>> {
        vec![
            Box::new(self.worker_id.map(|w| w.0)),
            Box::new(&self.name),
            Box::new(&self.honour),
            Box::new(self.level.stored()),
            Box::new(&self.year),
            Box::new(&self.employer),
            Box::new(&self.story),
            Box::new(&self.consent_at),
        ]
    }
}

/// Whether a worker holds a recorded model-worker honour (the member tag `model_worker`),
/// published or not: the honour is a fact of the record, the showcase only shows it.
pub async fn is_honoured(store: &Store, worker_id: WorkerId) -> Result<bool> {
    let n: i64 = store
        .query_one(
            "SELECT COUNT(*) FROM model_worker WHERE worker_id = $1 AND status <> 'withdrawn'",
            &[&worker_id.0],
        )
        .await?;
    Ok(n > 0)
}
