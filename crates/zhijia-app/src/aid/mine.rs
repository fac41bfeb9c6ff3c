//! What a worker sees of their own household's aid: the files they head, the applications and
//! where each stands, and what was paid. Health, disability and income stay in the console:
//! the worker gave them and needs no screen to repeat them.

use super::Ctx;
use crate::Result;
use chrono::NaiveDate;
use zhijia_domain::aid::{AidKind, AidStatus, FileStatus, HardshipTier};
use zhijia_store::aid as store;

/// One application as the worker sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MyApplication {
    pub id: i64,
    pub kind: &'static str,
    pub amount_fen: i64,
    pub status: &'static str,
    /// How far the staged approval has come, e.g. "第2步，共3步".
    pub progress: Option<String>,
    pub notice_ends_on: Option<NaiveDate>,
}

/// One hardship file the worker heads.
#[derive(Debug, Clone, serde::Serialize)]
pub struct MyFile {
    pub id: i64,
    pub org_name: String,
    pub tier: &'static str,
    pub status: &'static str,
    pub opened_on: NaiveDate,
    pub review_due_on: NaiveDate,
    pub applications: Vec<MyApplication>,
}

/// The files headed by the worker of `phone`; none when the phone has no worker record.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn mine(ctx: &Ctx<'_>, phone: &str) -> Result<Vec<MyFile>> {
    let Some(worker) = zhijia_store::worker::find_by_phone(ctx.db, phone).await? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for f in store::files_of_head(ctx.db, worker.id).await? {
        let mut applications = Vec::new();
        for a in store::applications_of_file(ctx.db, f.id).await? {
            let stages = zhijia_domain::aid::chain_from_str(&a.chain).map_or(0, |c| c.len());
            let progress = a
                .current_stage
                .filter(|_| a.status == "in_review")
                .map(|s| format!("第{}步，共{stages}步", s + 1));
            applications.push(MyApplication {
                id: a.id,
                kind: AidKind::parse(&a.kind).map_or("帮扶", AidKind::label),
                amount_fen: a.amount_fen,
                status: AidStatus::parse(&a.status).map_or("处理中", AidStatus::label),
                progress,
                notice_ends_on: a.notice_ends_on,
            });
        }
        out.push(MyFile {
            id: f.id,
            org_name: f.org_name,
            tier: HardshipTier::parse(&f.tier).map_or("", HardshipTier::label),
            status: FileStatus::parse(&f.status).map_or("", FileStatus::label),
            opened_on: f.opened_on,
            review_due_on: f.review_due_on,
            applications,
        });
    }
    Ok(out)
}
