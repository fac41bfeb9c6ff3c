//! `zhijia import members`: a roster file into the store, with a progress bar.

use super::*;

pub(super) async fn import_members(
    store: &StoreArgs,
    file: &std::path::Path,
    org: i64,
    errors: Option<std::path::PathBuf>,
    batch: usize,
) -> Result<(), AppError> {
    use zhijia_app::membership::import;
    let db = store.open().await?;
    let keys = store.keys(false)?;
    let org = uc::get(&db, OrgId(org)).await?;
    let bytes = std::fs::read(file)
        .map_err(|e| AppError::invalid("file", format!("无法读取 {}：{e}", file.display())))?;
    let is_xlsx = bytes.starts_with(b"PK");
    let rows = if is_xlsx {
        import::xlsx_rows(bytes)?
    } else {
        import::csv_rows(std::io::Cursor::new(bytes))
    };
    let started = Instant::now();
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} 已处理 {pos} 行 ({per_sec}) {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(format!("导入到 {}", org.name));
    let actor = Actor::cli(&format!("import members {}", file.display()));
    let options = import::Options {
        batch,
        // The operator on the server holds the database: the report may name any union.
        sight: import::Sight::All,
        ..import::Options::now(chrono::Utc::now())
    };
    let report = import::import(&db, &keys, &actor, &org, rows, options, &|n| {
        bar.set_position(n)
    })
    .await?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "共 {} 行：导入 {} 人，已存在跳过 {} 人，有误 {} 行；用时 {:.1} 秒({:.0} 行/秒)",
        report.rows,
        report.imported,
        report.skipped,
        report.errors.len(),
        secs,
        report.rows as f64 / secs.max(0.001)
    );
    if !report.errors.is_empty() {
        let path = errors.unwrap_or_else(|| {
            let mut p = file.as_os_str().to_owned();
            p.push(".errors.csv");
            p.into()
        });
        std::fs::write(&path, import::error_report_csv(&report.errors))
            .map_err(|e| AppError::Config(format!("无法写入错误报告 {}：{e}", path.display())))?;
        println!("错误报告：{}", path.display());
        for e in report.errors.iter().take(10) {
            println!("  第{}行 {}：{}", e.row, e.column, e.reason);
        }
    }
    Ok(())
}
