//! Reading roster files: CSV and the first worksheet of an .xlsx.

use super::RowError;
use crate::{AppError, Result};
use chrono::{Duration, NaiveDate};

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
