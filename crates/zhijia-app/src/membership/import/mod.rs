//! Roster import (会员名册导入) from .xlsx or .csv: every row checked, valid rows written in
//! batches (one transaction each), invalid rows reported with row, column and reason in Chinese.
//! A person already a member of the target union (same identity number) is skipped, so running
//! the same file again, or after a crash, adds nothing twice.
//!
//! A row whose identity number or phone is already someone's elsewhere is refused. What the
//! answer says depends on whether the importer can see that person: for a member of a union the
//! importer may read the roster of, it names the union; otherwise every such row gets the same
//! `NOT_IMPORTABLE` text, whether it was the identity number or the phone, a member of another
//! branch or a person of no union, so a roster cannot be used to ask which numbers exist where.

mod check;
mod read;
mod run;

pub use check::{CheckedRow, check_row};
pub use read::{Rows, csv_rows, xlsx_rows};
pub use run::{Progress, error_report_csv, import};

use crate::{AppError, Result};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use zhijia_domain::auth::Grant;
use zhijia_domain::org::{OrgId, OrgPath};
use zhijia_store::org::Org;

/// Rows per transaction by default. Large, because on SQLite each commit writes every index page
/// the batch touched to the WAL again (the random blind-index and phone keys touch many): 5,000
/// rows per batch ran at a third of the speed of 100,000. A kill loses at most one batch of work,
/// which the re-run redoes.
pub const BATCH: usize = 100_000;

/// How an import runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Rows per transaction.
    pub batch: usize,
    /// "Today" for join dates and ages.
    pub now: DateTime<Utc>,
    /// An upload from the console is kept (file name, who, the error report) in the same change
    /// as the import's closing audit entry.
    pub upload: Option<UploadRecord>,
    /// Whose people the answers may name.
    pub sight: Sight,
}

/// Whose people an import's answers may name, when a row's identity number or phone is already
/// someone's.
#[derive(Debug, Clone, Default)]
pub enum Sight {
    /// The target union and the unions under it: nothing more is assumed of an unknown caller.
    #[default]
    Target,
    /// The unions whose roster these grants let the importer read (the console and the API).
    Grants(Vec<Grant>),
    /// Every union: the operator at the server's command line, who holds the database anyway.
    All,
}

impl Sight {
    fn sees(&self, actor: &zhijia_domain::audit::Actor, target: &Org, path: &OrgPath) -> bool {
        match self {
            Sight::Target => target.path.contains(path),
            Sight::Grants(grants) => {
                crate::caller::StaffCtx { actor, grants }.may_read_roster(path)
            }
            Sight::All => true,
        }
    }
}

/// What a branch is told of a row it may not import because of someone it cannot see: one text
/// for every such row, whether the identity number or the phone is taken, by a member of
/// another branch or by a person of no union.
pub const NOT_IMPORTABLE: &str =
    "无法导入此人：如其已是其他工会会员，请其本人在手机上申请会籍接转，或由本会凭会员号发起接转";
/// The column of a `NOT_IMPORTABLE` row: both, so that it does not tell which one is taken.
pub const NOT_IMPORTABLE_COLUMN: &str = "身份证号/手机号";

/// Who uploaded which file, for the record of an upload.
#[derive(Debug, Clone)]
pub struct UploadRecord {
    pub file_name: String,
    pub staff: Option<zhijia_domain::auth::StaffId>,
}

impl Options {
    pub fn now(now: DateTime<Utc>) -> Self {
        Options {
            batch: BATCH,
            now,
            upload: None,
            sight: Sight::Target,
        }
    }
}

/// The columns a roster may have: (field, Chinese header, required). Headers are matched by the
/// Chinese name or the field name, in any order; unknown columns are ignored.
pub const COLUMNS: &[(&str, &str, bool)] = &[
    ("name", "姓名", true),
    ("id_number", "身份证号", true),
    ("phone", "手机号", true),
    ("ethnicity", "民族", false),
    ("education", "学历", false),
    ("political_status", "政治面貌", false),
    ("marital_status", "婚姻状况", false),
    ("hukou_type", "户口性质", false),
    ("hukou_region", "户籍所在地", false),
    ("skill_level", "技能等级", false),
    ("employer_name", "工作单位", false),
    ("employer_credit_code", "统一社会信用代码", false),
    ("gig_occupation", "新就业形态职业", false),
    ("work_city", "工作城市", false),
    ("joined_on", "入会日期", false),
    ("emergency_contact", "紧急联系人", false),
    ("emergency_phone", "紧急联系人电话", false),
];

/// One bad cell (or row).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RowError {
    /// The row number as the spreadsheet shows it (header = 1).
    pub row: u64,
    /// The Chinese header of the column at fault.
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ImportReport {
    pub rows: u64,
    pub imported: u64,
    /// Already members of the target union (same identity number): not written again.
    pub skipped: u64,
    pub errors: Vec<RowError>,
    /// The id of the upload's record, when the import came from an upload.
    pub upload_id: Option<zhijia_domain::ids::ImportId>,
}

/// Where each known column sits in the file.
#[derive(Debug, Clone)]
pub struct Header {
    index: HashMap<&'static str, usize>,
}

impl Header {
    pub fn parse(cells: &[String]) -> std::result::Result<Self, RowError> {
        let mut index = HashMap::new();
        for (i, cell) in cells.iter().enumerate() {
            let c = cell
                .trim()
                .trim_start_matches('\u{feff}')
                .trim_end_matches('*');
            if let Some((field, _, _)) = COLUMNS.iter().find(|(f, h, _)| *h == c || *f == c) {
                index.insert(*field, i);
            }
        }
        for (field, header, required) in COLUMNS {
            if *required && !index.contains_key(field) {
                return Err(RowError {
                    row: 1,
                    column: (*header).into(),
                    reason: format!("表头缺少必填列“{header}”"),
                });
            }
        }
        Ok(Header { index })
    }

    fn get<'a>(&self, cells: &'a [String], field: &str) -> &'a str {
        self.index
            .get(field)
            .and_then(|i| cells.get(*i))
            .map_or("", |s| s.trim())
    }
}

fn header_of(field: &str) -> String {
    COLUMNS
        .iter()
        .find(|(f, _, _)| *f == field)
        .map_or(field, |(_, h, _)| h)
        .to_owned()
}

fn err(row: u64, field: &str, reason: impl Into<String>) -> RowError {
    RowError {
        row,
        column: header_of(field),
        reason: reason.into(),
    }
}

fn optional<T>(
    row: u64,
    field: &'static str,
    s: &str,
    parse: impl FnOnce(&str) -> std::result::Result<T, zhijia_domain::ValidationError>,
) -> std::result::Result<Option<T>, RowError> {
    if s.is_empty() {
        return Ok(None);
    }
    parse(s).map(Some).map_err(|e| err(row, field, e.message))
}

/// The largest roster file the console and the API take (bigger rosters: the command line).
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

/// How much of a roster file [`check_head`] looks at.
pub const HEAD_BYTES: usize = 8192;

/// Refuses what cannot be a roster by its first bytes, so an upload is stopped before the rest
/// is read: an .xlsx is a zip archive; a CSV is text, and text has no NUL byte (an old .xls, a
/// PDF, a picture, a program or a UTF-16 "Unicode text" export all do within their first bytes).
pub fn check_head(head: &[u8]) -> Result<()> {
    let head = &head[..head.len().min(HEAD_BYTES)];
    if head.starts_with(b"PK\x03\x04") {
        return Ok(());
    }
    if head.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(AppError::invalid(
            "file",
            "这是旧版 .xls 文件，请在 Excel 中另存为 .xlsx 或“CSV UTF-8”后再上传",
        ));
    }
    if head.starts_with(b"%PDF") || head.contains(&0) {
        return Err(AppError::invalid(
            "file",
            "不是 .xlsx 或 CSV 名册文件（按文件内容判断），请使用导入模板",
        ));
    }
    Ok(())
}

/// A finished upload: its record id (for the error report) and the report.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Uploaded {
    pub id: zhijia_domain::ids::ImportId,
    #[serde(flatten)]
    pub report: ImportReport,
}

/// Imports an uploaded roster file (.xlsx or .csv, told apart by content) into `org`, for a
/// staff member who may review members there; the error report is kept for download.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn upload(
    ctx: &super::Ctx<'_>,
    staff: &crate::caller::StaffCtx<'_>,
    org: OrgId,
    file_name: &str,
    bytes: Vec<u8>,
    now: DateTime<Utc>,
) -> Result<Uploaded> {
    let org = super::review_scope(ctx, staff, Some(org)).await?;
    if bytes.is_empty() {
        return Err(AppError::invalid("file", "请选择名册文件(.xlsx 或 .csv)"));
    }
    if bytes.len() > MAX_UPLOAD {
        return Err(AppError::invalid(
            "file",
            "文件超过20MB，请分批上传或使用命令行 zhijia import members",
        ));
    }
    check_head(&bytes)?;
    // An .xlsx file is a zip archive; anything else is read as CSV.
    let rows = if bytes.starts_with(b"PK\x03\x04") {
        crate::slow::run(move || xlsx_rows(bytes)).await??
    } else {
        csv_rows(std::io::Cursor::new(bytes))
    };
    let name: String = file_name
        .chars()
        .filter(|c| !zhijia_domain::text::is_hidden(*c))
        .take(100)
        .collect();
    let options = Options {
        upload: Some(UploadRecord {
            file_name: name,
            staff: staff.staff_id(),
        }),
        sight: Sight::Grants(staff.grants.to_vec()),
        ..Options::now(now)
    };
    let report = import(ctx.db, ctx.keys, staff.actor, &org, rows, options, &|_| {}).await?;
    let id = report
        .upload_id
        .ok_or_else(|| AppError::Internal("import kept no upload record".into()))?;
    Ok(Uploaded { id, report })
}

/// The error report of an earlier upload, for staff of its union's branch (404 otherwise).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn error_report(
    ctx: &super::Ctx<'_>,
    staff: &crate::caller::StaffCtx<'_>,
    id: zhijia_domain::ids::ImportId,
) -> Result<(String, Vec<u8>)> {
    let rec = zhijia_store::import::get_record(ctx.db, id)
        .await?
        .ok_or(AppError::NotFound("导入记录"))?;
    let org = zhijia_store::org::get(ctx.db, rec.org_id)
        .await?
        .ok_or(AppError::NotFound("导入记录"))?;
    if !staff.may_review(&org.path) {
        return Err(AppError::NotFound("导入记录"));
    }
    Ok((rec.file_name, rec.errors_csv))
}
