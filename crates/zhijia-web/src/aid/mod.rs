//! Hardship aid on the web: the staff console pages (`console.rs`), the JSON API (`api.rs`) and
//! the public notice (公示). Scope and the sensitive fields are decided by the use cases.

pub mod api;
pub mod console;
pub mod view;
pub mod worker;

use rust_xlsxwriter::{Format, Workbook, XlsxError};
use zhijia_app::AppError;
use zhijia_app::aid::ledger::{EntryView, Totals};

fn failed(e: XlsxError) -> AppError {
    AppError::Config(format!("生成表格失败：{e}"))
}

/// The ledger for auditors: every entry (reversals with the entry they reverse), amounts in fen
/// and in yuan, then the totals per year and per fund.
pub fn ledger_xlsx(rows: &[EntryView], totals: &Totals) -> Result<Vec<u8>, AppError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    entries_sheet(&mut book, &bold, rows)?;
    totals_sheet(&mut book, &bold, totals)?;
    book.save_to_buffer().map_err(failed)
}

/// The sheet of every entry.
fn entries_sheet(book: &mut Workbook, bold: &Format, rows: &[EntryView]) -> Result<(), AppError> {
    let sheet = book.add_worksheet();
    sheet.set_name("发放台账").map_err(failed)?;
    let headers = [
        "记录号",
        "发放日期",
        "年度",
        "档案号",
        "户主",
        "所属工会",
        "申请号",
        "帮扶类别",
        "金额(元)",
        "金额(分)",
        "资金来源",
        "发放方式",
        "经办人",
        "冲正记录号",
        "被冲正记录号",
        "备注",
    ];
    for (c, h) in headers.iter().enumerate() {
        sheet
            .write_with_format(0, c as u16, *h, bold)
            .map_err(failed)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let e = &r.entry;
        let cells: [String; 16] = [
            e.id.to_string(),
            e.paid_on.to_string(),
            e.year.to_string(),
            e.file_id.to_string(),
            e.head_name.clone(),
            e.org_name.clone(),
            e.application_id.to_string(),
            r.kind_label.to_owned(),
            r.amount_yuan.clone(),
            e.amount_fen.to_string(),
            e.fund_source.clone(),
            r.method_label.to_owned(),
            e.operator_name.clone(),
            e.reversed_by.map(|x| x.to_string()).unwrap_or_default(),
            e.reverses_id.map(|x| x.to_string()).unwrap_or_default(),
            e.note.clone().unwrap_or_default(),
        ];
        // Text everywhere: amounts are exact decimals, never Excel floating point.
        for (c, v) in cells.iter().enumerate() {
            sheet.write_string(row, c as u16, v).map_err(failed)?;
        }
    }
    Ok(())
}

/// The sheet of the totals per year and per fund.
fn totals_sheet(book: &mut Workbook, bold: &Format, totals: &Totals) -> Result<(), AppError> {
    let sums = book.add_worksheet();
    sums.set_name("合计").map_err(failed)?;
    for (c, h) in ["分类", "项目", "金额(元)", "金额(分)", "笔数"]
        .iter()
        .enumerate()
    {
        sums.write_with_format(0, c as u16, *h, bold)
            .map_err(failed)?;
    }
    let lines = totals
        .by_year
        .iter()
        .map(|t| ("年度", t))
        .chain(totals.by_fund.iter().map(|t| ("资金来源", t)));
    for (i, (what, t)) in lines.enumerate() {
        let row = i as u32 + 1;
        let cells = [
            what.to_owned(),
            t.key.clone(),
            zhijia_domain::aid::yuan(t.fen),
            t.fen.to_string(),
            t.entries.to_string(),
        ];
        for (c, v) in cells.iter().enumerate() {
            sums.write_string(row, c as u16, v).map_err(failed)?;
        }
    }
    Ok(())
}
