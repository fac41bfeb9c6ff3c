//! Running an import: rows checked on a thread of their own, written in batches, the rows
//! not written explained, the import recorded.

use super::{
    CheckedRow, Header, ImportReport, NOT_IMPORTABLE, NOT_IMPORTABLE_COLUMN, Options, RowError,
    Rows, Sight, check_row, err,
};
use crate::{AppError, Result};
use chrono::NaiveDate;
use std::collections::HashMap;
use zhijia_domain::org::OrgId;
use zhijia_domain::pii::PiiKeys;
use zhijia_store::import::{ImportMember, import_batch};
use zhijia_store::org::Org;
use zhijia_store::{Store, worker as worker_store};

/// Checked rows on their way to the store, with the line each came from.
struct Batch {
    members: Vec<ImportMember>,
    lines: Vec<u64>,
}

impl Batch {
    fn with_capacity(n: usize) -> Self {
        Batch {
            members: Vec::with_capacity(n),
            lines: Vec::with_capacity(n),
        }
    }

    /// Orders the rows by blind index, so that the inserts into that (random) unique index
    /// walk it from left to right instead of jumping about: fewer page visits per row.
    fn sorted(self) -> Self {
        let mut pairs: Vec<(ImportMember, u64)> =
            self.members.into_iter().zip(self.lines).collect();
        pairs.sort_unstable_by(|a, b| a.0.person.id_number_idx.cmp(&b.0.person.id_number_idx));
        let (members, lines) = pairs.into_iter().unzip();
        Batch { members, lines }
    }
}

/// Progress of an import: rows read so far.
pub type Progress<'a> = &'a (dyn Fn(u64) + Sync);

/// Imports a roster into `org`. Validation and encryption run on a thread of their own while
/// the store writes the previous batch.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn import(
    db: &Store,
    keys: &PiiKeys,
    actor: &zhijia_domain::audit::Actor,
    org: &Org,
    rows: Rows,
    options: Options,
    progress: Progress<'_>,
) -> Result<ImportReport> {
    let today = crate::today(options.now);
    let size = options.batch.clamp(1, 1_000_000);
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<Checked>(2);
    let keys = keys.clone();
    let reader = std::thread::Builder::new()
        .name("roster-import".into())
        .spawn(move || read_rows(rows, size, today, &keys, &sender))
        .map_err(|e| AppError::Config(format!("无法启动导入线程：{e}")))?;
    let mut report = ImportReport::default();
    let mut unions = HashMap::new();
    while let Some((batch, errors, read)) = receiver.recv().await {
        report.errors.extend(errors);
        report.rows = read;
        write_batch(
            db,
            actor,
            org,
            &options.sight,
            &mut unions,
            &batch,
            &mut report,
        )
        .await?;
        progress(read);
    }
    reader_outcome(reader)?;
    report.errors.sort_by_key(|e| e.row);
    record(db, actor, org, &options, &mut report).await?;
    Ok(report)
}

/// What the reader hands the writer: a batch of checked rows, the errors found since the last
/// one, and the rows read so far.
type Checked = (Batch, Vec<RowError>, u64);

/// The identity numbers (blind index) and phones seen so far in the file, with their line:
/// within the file, each may appear once.
#[derive(Default)]
struct Seen {
    ids: HashMap<Vec<u8>, u64>,
    phones: HashMap<String, u64>,
}

impl Seen {
    /// Adds a checked row to `batch`, or says which earlier line has its identity number or
    /// phone.
    fn accept(&mut self, r: CheckedRow, line: u64, batch: &mut Batch) -> Option<RowError> {
        if let Some(first) = self.ids.get(&r.member.person.id_number_idx) {
            return Some(err(line, "id_number", format!("与第{first}行身份证号重复")));
        }
        if let Some(first) = self.phones.get(&r.phone) {
            return Some(err(line, "phone", format!("与第{first}行手机号重复")));
        }
        self.ids.insert(r.member.person.id_number_idx.clone(), line);
        self.phones.insert(r.phone, line);
        batch.lines.push(line);
        batch.members.push(r.member);
        None
    }
}

/// The reader thread: checks every row and sends full batches to the writer. Stops early when
/// the writer has gone (it failed); a bad header or an empty file is the whole import's error.
fn read_rows(
    mut rows: Rows,
    size: usize,
    today: NaiveDate,
    keys: &PiiKeys,
    sender: &tokio::sync::mpsc::Sender<Checked>,
) -> std::result::Result<(), RowError> {
    let header = match rows.next() {
        Some(Ok(cells)) => Header::parse(&cells)?,
        Some(Err(e)) => return Err(e),
        None => return Err(err(1, "name", "文件是空的")),
    };
    let mut seen = Seen::default();
    let mut batch = Batch::with_capacity(size);
    let mut errors = Vec::new();
    let mut read = 0u64;
    let mut line = 1u64;
    for cells in rows {
        line += 1;
        let cells = match cells {
            Ok(c) => c,
            Err(e) => {
                errors.push(RowError { row: line, ..e });
                continue;
            }
        };
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        read += 1;
        let fault = match check_row(&header, line, &cells, today, keys) {
            Ok(r) => seen.accept(r, line, &mut batch),
            Err(e) => Some(e),
        };
        errors.extend(fault);
        if batch.members.len() >= size {
            let full = std::mem::replace(&mut batch, Batch::with_capacity(size)).sorted();
            if sender
                .blocking_send((full, std::mem::take(&mut errors), read))
                .is_err()
            {
                return Ok(());
            }
        }
    }
    let _ = sender.blocking_send((batch.sorted(), errors, read));
    Ok(())
}

/// Writes one batch and counts its rows: imported, skipped (already members here), or refused
/// with the reason.
async fn write_batch(
    db: &Store,
    actor: &zhijia_domain::audit::Actor,
    org: &Org,
    sight: &Sight,
    unions: &mut HashMap<OrgId, Option<Org>>,
    batch: &Batch,
    report: &mut ImportReport,
) -> Result<()> {
    if batch.members.is_empty() {
        return Ok(());
    }
    let written = import_batch(db, org.id, &batch.members, actor).await?;
    for ((m, line), ok) in batch.members.iter().zip(&batch.lines).zip(written) {
        if ok {
            report.imported += 1;
            continue;
        }
        match not_written(db, actor, org, sight, unions, m, *line).await? {
            None => report.skipped += 1,
            Some(e) => report.errors.push(e),
        }
    }
    Ok(())
}

/// How the reader thread ended: a file that could not be read at all fails the import.
fn reader_outcome(
    reader: std::thread::JoinHandle<std::result::Result<(), RowError>>,
) -> Result<()> {
    match reader.join() {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(AppError::invalid(
            "file",
            format!("第{}行{}：{}", e.row, e.column, e.reason),
        )),
        Err(_) => Err(AppError::Config("导入线程异常退出".into())),
    }
}

/// The import's closing audit entry and, for an upload, its record with the error report, in
/// one change.
async fn record(
    db: &Store,
    actor: &zhijia_domain::audit::Actor,
    org: &Org,
    options: &Options,
    report: &mut ImportReport,
) -> Result<()> {
    let mut tx = db.change().await?;
    let recorded = zhijia_store::audit::append(
        &mut tx,
        actor,
        zhijia_store::audit::Record {
            action: zhijia_domain::audit::action::ROSTER_IMPORTED,
            org: Some(org.id),
            target_kind: Some("org"),
            target_id: Some(org.id.0.to_string()),
            detail: Some(format!(
                "{}行：导入{}人，已存在跳过{}人，有误{}行",
                report.rows,
                report.imported,
                report.skipped,
                report.errors.len()
            )),
        },
    )
    .await?;
    if let Some(upload) = &options.upload {
        let counts = zhijia_store::import::ImportCounts {
            rows: report.rows as i64,
            imported: report.imported as i64,
            skipped: report.skipped as i64,
            errors: report.errors.len() as i64,
        };
        let id = zhijia_store::import::record(
            &mut tx,
            org.id,
            upload.staff,
            &upload.file_name,
            counts,
            &error_report_csv(&report.errors),
        )
        .await?;
        report.upload_id = Some(id);
    }
    tx.commit(recorded).await?;
    Ok(())
}

/// Why a row was not written: `None` when the person is already a member of the target union
/// (skipped), else the row's error. The person in the way is named only to an importer who may
/// read their union's roster; otherwise the row gets `NOT_IMPORTABLE`, and nothing of theirs is
/// changed (the insert does nothing on a taken identity number or phone).
async fn not_written(
    db: &Store,
    actor: &zhijia_domain::audit::Actor,
    target: &Org,
    sight: &Sight,
    unions: &mut HashMap<OrgId, Option<Org>>,
    m: &ImportMember,
    line: u64,
) -> Result<Option<RowError>> {
    let by_id = worker_store::find_by_id_number_index(db, &m.person.id_number_idx).await?;
    if let Some(w) = &by_id
        && w.org_id == Some(target.id)
    {
        return Ok(None);
    }
    let in_the_way = match by_id {
        Some(w) => Some((w, "id_number")),
        None => worker_store::find_by_phone(db, &m.person.phone)
            .await?
            .map(|w| (w, "phone")),
    };
    let Some((w, field)) = in_the_way else {
        return Ok(Some(not_importable(line)));
    };
    let Some(union_id) = w.org_id else {
        return Ok(Some(not_importable(line)));
    };
    let union = match unions.get(&union_id) {
        Some(u) => u.clone(),
        None => {
            let u = zhijia_store::org::get(db, union_id).await?;
            unions.insert(union_id, u.clone());
            u
        }
    };
    Ok(Some(match union {
        Some(u) if sight.sees(actor, target, &u.path) => {
            if field == "id_number" {
                err(
                    line,
                    field,
                    format!("此人已是{}的会员，未导入；如需转入，请办理会籍接转", u.name),
                )
            } else {
                err(
                    line,
                    field,
                    format!("该手机号已登记在{}另一会员的名下", u.name),
                )
            }
        }
        _ => not_importable(line),
    }))
}

fn not_importable(row: u64) -> RowError {
    RowError {
        row,
        column: NOT_IMPORTABLE_COLUMN.into(),
        reason: NOT_IMPORTABLE.into(),
    }
}

/// The error report as CSV, with a BOM so that Excel opens the Chinese text correctly.
pub fn error_report_csv(errors: &[RowError]) -> Vec<u8> {
    let mut out = "\u{feff}行号,列,原因\n".as_bytes().to_vec();
    let mut w = csv::Writer::from_writer(Vec::new());
    for e in errors {
        let _ = w.write_record([e.row.to_string(), e.column.clone(), e.reason.clone()]);
    }
    if let Ok(body) = w.into_inner() {
        out.extend(body);
    }
    out
}
