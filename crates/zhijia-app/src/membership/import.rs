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

use crate::{AppError, Result};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::HashMap;
use zhijia_domain::auth::Grant;
use zhijia_domain::auth::parse_phone;
use zhijia_domain::codes::{
    Education, Ethnicity, HukouType, MaritalStatus, PoliticalStatus, SkillLevel,
};
use zhijia_domain::credit_code::CreditCode;
use zhijia_domain::id_number::IdNumber;
use zhijia_domain::member;
use zhijia_domain::org::{OrgId, OrgPath};
use zhijia_domain::pii::PiiKeys;
use zhijia_domain::region::{RegionCode, RegionLevel};
use zhijia_domain::worker::GigOccupation;
use zhijia_store::import::{ImportMember, import_batch};
use zhijia_store::org::Org;
use zhijia_store::{Store, worker as worker_store};

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

/// A checked row, identity number in clear (encrypted by `encrypt`).
#[derive(Debug, Clone)]
pub struct CheckedRow {
    pub row: u64,
    pub id_number: IdNumber,
    pub phone: String,
    pub member: ImportMember,
}

/// Checks one data row against the rules of the join form.
pub fn check_row(
    header: &Header,
    row: u64,
    cells: &[String],
    today: NaiveDate,
    keys: &PiiKeys,
) -> std::result::Result<CheckedRow, RowError> {
    let get = |f: &str| header.get(cells, f);
    let name = get("name");
    let n = name.chars().count();
    if n == 0 {
        return Err(err(row, "name", "姓名不能为空"));
    }
    if n > 30
        || name
            .chars()
            .any(|c| zhijia_domain::text::is_hidden(c) || c.is_ascii_digit())
    {
        return Err(err(row, "name", "姓名应为2到30个字，且不含数字"));
    }
    let id_number =
        IdNumber::parse(get("id_number")).map_err(|e| err(row, "id_number", e.message))?;
    let birth = id_number.birth_date();
    if birth > today {
        return Err(err(row, "id_number", "身份证号中的出生日期晚于今天"));
    }
    if member::age_on(birth, today) < member::MIN_AGE {
        return Err(err(row, "id_number", "未满16周岁，不符合法定就业年龄"));
    }
    let phone = parse_phone(get("phone")).map_err(|e| err(row, "phone", e.message))?;
    let employer_credit_code = optional(
        row,
        "employer_credit_code",
        get("employer_credit_code"),
        CreditCode::parse,
    )?;
    let gig = optional(row, "gig_occupation", get("gig_occupation"), |s| {
        GigOccupation::parse(s)
            .or_else(|| GigOccupation::ALL.into_iter().find(|g| g.label() == s))
            .ok_or_else(|| {
                zhijia_domain::ValidationError::new(
                    "gig_occupation",
                    format!("未知的新就业形态职业：{s}"),
                )
            })
    })?;
    let work_city = optional(row, "work_city", get("work_city"), |s| {
        let r = RegionCode::parse(s)?;
        if r.level() == RegionLevel::City {
            Ok(r)
        } else {
            Err(zhijia_domain::ValidationError::new(
                "work_city",
                "工作城市应为地级市代码(后两位为00)",
            ))
        }
    })?;
    let joined_on = match get("joined_on") {
        "" => today,
        s => {
            let d = NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
                .or_else(|_| NaiveDate::parse_from_str(s, "%Y%m%d"))
                .map_err(|_| err(row, "joined_on", "入会日期格式应为 2020-01-31"))?;
            if d > today {
                return Err(err(row, "joined_on", "入会日期不能晚于今天"));
            }
            if d < birth {
                return Err(err(row, "joined_on", "入会日期早于出生日期"));
            }
            d
        }
    };
    let employer_name = get("employer_name");
    if employer_name.chars().count() > 100 {
        return Err(err(row, "employer_name", "工作单位名称不能超过100个字"));
    }
    let emergency_phone = optional(row, "emergency_phone", get("emergency_phone"), parse_phone)?;
    let emergency_contact = get("emergency_contact");
    if emergency_contact.chars().count() > 30 {
        return Err(err(row, "emergency_contact", "紧急联系人不能超过30个字"));
    }
    let person = zhijia_store::membership::Applicant {
        name: name.to_owned(),
        id_number_enc: keys.encrypt(id_number.expose()),
        id_number_idx: keys.blind_index(id_number.expose()).to_vec(),
        sex: id_number.sex().code(),
        birth_date: birth,
        phone: phone.clone(),
        region_code: id_number.region_code().to_owned(),
        employer_name: (!employer_name.is_empty()).then(|| employer_name.to_owned()),
        employer_credit_code: employer_credit_code.map(|c| c.as_str().to_owned()),
        gig_occupation: gig.map(GigOccupation::as_str),
        work_region: work_city.map(|c| c.as_str().to_owned()),
        ethnicity: optional(row, "ethnicity", get("ethnicity"), |s| {
            Ethnicity::parse("ethnicity", s)
        })?
        .map(Ethnicity::code),
        education: optional(row, "education", get("education"), |s| {
            Education::parse("education", s)
        })?
        .map(Education::code),
        political_status: optional(row, "political_status", get("political_status"), |s| {
            PoliticalStatus::parse("political_status", s)
        })?
        .map(PoliticalStatus::code),
        hukou_type: optional(row, "hukou_type", get("hukou_type"), |s| {
            HukouType::parse("hukou_type", s)
        })?
        .map(HukouType::code),
        hukou_region: optional(row, "hukou_region", get("hukou_region"), RegionCode::parse)?
            .map(|r| r.as_str().to_owned()),
        skill_level: optional(row, "skill_level", get("skill_level"), |s| {
            SkillLevel::parse("skill_level", s)
        })?
        .map(SkillLevel::code),
        marital_status: optional(row, "marital_status", get("marital_status"), |s| {
            MaritalStatus::parse("marital_status", s)
        })?
        .map(MaritalStatus::code),
        emergency_contact: (!emergency_contact.is_empty()).then(|| emergency_contact.to_owned()),
        emergency_phone,
    };
    let member = ImportMember { person, joined_on };
    Ok(CheckedRow {
        row,
        id_number,
        phone,
        member,
    })
}

/// A source of roster rows: the header first, then data rows, as text cells.
pub type Rows = Box<dyn Iterator<Item = std::result::Result<Vec<String>, RowError>> + Send>;

/// Reads a CSV file (UTF-8, with or without BOM).
pub fn csv_rows(reader: impl std::io::Read + Send + 'static) -> Rows {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(reader);
    let mut line = 0u64;
    Box::new(std::iter::from_fn(move || {
        let mut rec = csv::StringRecord::new();
        line += 1;
        match rdr.read_record(&mut rec) {
            Ok(true) => Some(Ok(rec.iter().map(str::to_owned).collect())),
            Ok(false) => None,
            Err(e) => Some(Err(RowError {
                row: line,
                column: String::new(),
                reason: if matches!(e.kind(), csv::ErrorKind::Utf8 { .. }) {
                    "不是 UTF-8 编码的 CSV，请在 Excel 中另存为“CSV UTF-8”或直接上传 xlsx".into()
                } else {
                    format!("CSV 格式错误：{e}")
                },
            })),
        }
    }))
}

/// Reads the first worksheet of an .xlsx file.
pub fn xlsx_rows(bytes: Vec<u8>) -> Result<Rows> {
    use calamine::{Data, Reader};
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes))
        .map_err(|e| AppError::invalid("file", format!("无法读取 xlsx 文件：{e}")))?;
    let range = book
        .worksheet_range_at(0)
        .ok_or_else(|| AppError::invalid("file", "xlsx 文件中没有工作表"))?
        .map_err(|e| AppError::invalid("file", format!("无法读取工作表：{e}")))?;
    let rows: Vec<Vec<String>> = range
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    // Phone numbers typed as numbers come back as floats.
                    Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => {
                        format!("{}", *f as i64)
                    }
                    Data::DateTime(d) => excel_date(d.as_f64()),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    Ok(Box::new(rows.into_iter().map(Ok)))
}

/// An Excel date serial (days since 1899-12-30) as YYYY-MM-DD.
fn excel_date(serial: f64) -> String {
    NaiveDate::from_ymd_opt(1899, 12, 30)
        .and_then(|d| d.checked_add_signed(Duration::days(serial.floor() as i64)))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

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
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<(Batch, Vec<RowError>, u64)>(2);
    let keys = keys.clone();
    let reader = std::thread::Builder::new()
        .name("roster-import".into())
        .spawn(move || -> std::result::Result<(), RowError> {
            let mut rows = rows;
            let header = match rows.next() {
                Some(Ok(cells)) => Header::parse(&cells)?,
                Some(Err(e)) => return Err(e),
                None => return Err(err(1, "name", "文件是空的")),
            };
            // Within the file, an identity number or phone may appear once.
            let mut ids: HashMap<Vec<u8>, u64> = HashMap::new();
            let mut phones: HashMap<String, u64> = HashMap::new();
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
                match check_row(&header, line, &cells, today, &keys) {
                    Ok(r) => {
                        if let Some(first) = ids.get(&r.member.person.id_number_idx) {
                            errors.push(err(
                                line,
                                "id_number",
                                format!("与第{first}行身份证号重复"),
                            ));
                        } else if let Some(first) = phones.get(&r.phone) {
                            errors.push(err(line, "phone", format!("与第{first}行手机号重复")));
                        } else {
                            ids.insert(r.member.person.id_number_idx.clone(), line);
                            phones.insert(r.phone, line);
                            batch.lines.push(line);
                            batch.members.push(r.member);
                        }
                    }
                    Err(e) => errors.push(e),
                }
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
        })
        .map_err(|e| AppError::Config(format!("无法启动导入线程：{e}")))?;
    let mut report = ImportReport::default();
    let mut unions = HashMap::new();
    while let Some((batch, errors, read)) = receiver.recv().await {
        report.errors.extend(errors);
        report.rows = read;
        if !batch.members.is_empty() {
            let written = import_batch(db, org.id, &batch.members, actor).await?;
            for ((m, line), ok) in batch.members.iter().zip(&batch.lines).zip(written) {
                if ok {
                    report.imported += 1;
                    continue;
                }
                match not_written(db, actor, org, &options.sight, &mut unions, m, *line).await? {
                    None => report.skipped += 1,
                    Some(e) => report.errors.push(e),
                }
            }
        }
        progress(read);
    }
    match reader.join() {
        Ok(Ok(())) => {}
        Ok(Err(e)) => {
            return Err(AppError::invalid(
                "file",
                format!("第{}行{}：{}", e.row, e.column, e.reason),
            ));
        }
        Err(_) => return Err(AppError::Config("导入线程异常退出".into())),
    }
    report.errors.sort_by_key(|e| e.row);
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
    Ok(report)
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
