//! Spreadsheet files of membership (real rosters live in Excel).

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use zhijia_app::AppError;
use zhijia_app::membership::roster::Export;

fn failed(e: XlsxError) -> AppError {
    AppError::Config(format!("生成表格失败：{e}"))
}

/// The roster export: one row per membership, identity numbers masked unless the export is full.
pub fn roster(e: &Export) -> Result<Vec<u8>, AppError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("会员名册").map_err(failed)?;
    let bold = Format::new().set_bold();
    let headers = [
        "会员号",
        "姓名",
        "性别",
        "出生年份",
        "身份证号",
        "手机号",
        "工作单位",
        "新就业形态职业",
        "所属工会",
        "会籍状态",
        "入会日期",
        "结束日期",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_with_format(0, c as u16, *h, &bold)
            .map_err(failed)?;
    }
    for (i, (r, full)) in e.rows.iter().enumerate() {
        let row = i as u32 + 1;
        let id = full.as_deref().unwrap_or(&r.id_number_masked);
        let cells: [String; 12] = [
            r.member_no.clone().unwrap_or_default(),
            r.name.clone(),
            r.sex.to_owned(),
            r.birth_year.to_string(),
            id.to_owned(),
            r.phone_masked.clone(),
            r.employer_name.clone().unwrap_or_default(),
            r.gig_occupation.unwrap_or_default().to_owned(),
            r.org_name.clone(),
            r.status_label.to_owned(),
            r.joined_on.to_string(),
            r.ended_on.map(|d| d.to_string()).unwrap_or_default(),
        ];
        // Everything as text: identity and member numbers must not become numbers in Excel.
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(row, c as u16, v).map_err(failed)?;
        }
    }
    sheet.set_column_width(4, 22).map_err(failed)?;
    sheet.set_column_width(8, 30).map_err(failed)?;
    book.save_to_buffer().map_err(failed)
}

/// The import template: the headers the importer reads (required ones marked with `*`, which
/// the importer ignores), identity and phone columns as text so Excel keeps the digits.
pub fn import_template() -> Result<Vec<u8>, AppError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("会员名册").map_err(failed)?;
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (c, (_, header, required)) in zhijia_app::membership::import::COLUMNS.iter().enumerate() {
        let title = if *required {
            format!("{header}*")
        } else {
            (*header).to_owned()
        };
        sheet
            .write_with_format(0, c as u16, title, &bold)
            .map_err(failed)?;
        sheet.set_column_format(c as u16, &text).map_err(failed)?;
        sheet.set_column_width(c as u16, 16).map_err(failed)?;
    }
    book.save_to_buffer().map_err(failed)
}

/// The same headers as CSV (UTF-8 with a byte-order mark, so Excel opens it in Chinese).
pub fn import_template_csv() -> Vec<u8> {
    let headers: Vec<String> = zhijia_app::membership::import::COLUMNS
        .iter()
        .map(|(_, h, required)| {
            if *required {
                format!("{h}*")
            } else {
                (*h).to_owned()
            }
        })
        .collect();
    let mut out = "\u{feff}".as_bytes().to_vec();
    out.extend_from_slice(headers.join(",").as_bytes());
    out.extend_from_slice(b"\r\n");
    out
}
