//! `zhijia backup` and `zhijia restore`, with the backup key kept in a private file.

use super::*;

pub(super) fn row_bar(verb: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} 行 ({per_sec}, 剩余 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(verb);
    bar
}

pub(super) fn show(bar: &ProgressBar, verb: &str, p: zhijia_app::backup::Progress<'_>) {
    use zhijia_app::backup::Progress as P;
    match p {
        P::Total(n) => bar.set_length(n),
        P::Table(t) => bar.set_message(format!("{verb} {t}")),
        P::Rows(n) => {
            if n > bar.length().unwrap_or(0) {
                bar.set_length(n);
            }
            bar.set_position(n);
        }
    }
}

/// The backup key from its file, or a new one written there (readable by its owner only) when
/// the file does not exist yet.
pub(super) fn backup_key(
    path: &std::path::Path,
    create: bool,
) -> Result<zhijia_app::backup::BackupKey, AppError> {
    use zhijia_app::backup::BackupKey;
    match std::fs::read_to_string(path) {
        Ok(text) => BackupKey::from_hex(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let key = BackupKey::generate();
            write_private(path, format!("{}\n", key.to_hex()).as_bytes())?;
            eprintln!(
                "已生成新的备份密钥：{}。请把它与备份文件分开保管：没有它无法恢复备份。",
                path.display()
            );
            Ok(key)
        }
        Err(e) => Err(AppError::Config(format!(
            "无法读取备份密钥 {}：{e}",
            path.display()
        ))),
    }
}

/// Creates a file only its owner may read (0600 on Unix).
pub(super) fn open_private(path: &std::path::Path) -> Result<std::fs::File, AppError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map_err(|e| AppError::Config(format!("无法写入 {}：{e}", path.display())))
}

pub(super) fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<(), AppError> {
    use std::io::Write;
    open_private(path)?
        .write_all(bytes)
        .map_err(|e| AppError::Config(format!("无法写入 {}：{e}", path.display())))
}

pub(super) async fn backup_command(
    store: &StoreArgs,
    out: &std::path::Path,
    key_file: &std::path::Path,
) -> Result<(), AppError> {
    let key = backup_key(key_file, true)?;
    let db = store.open().await?;
    // Written beside the target and renamed at the end: a backup that stops half-way never
    // stands where a complete one is expected.
    let partial = out.with_extension("partial");
    let file = open_private(&partial)?;
    let mut writer = std::io::BufWriter::new(file);
    let bar = row_bar("备份");
    let summary =
        zhijia_app::backup::backup(&db, &mut writer, &key, &|p| show(&bar, "备份", p)).await;
    bar.finish_and_clear();
    let summary = match summary {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    drop(writer);
    std::fs::rename(&partial, out)
        .map_err(|e| AppError::Config(format!("无法写入 {}：{e}", out.display())))?;
    println!(
        "已备份 {} 张表、{} 行到 {}(已加密)",
        summary.tables,
        summary.rows,
        out.display()
    );
    Ok(())
}

pub(super) async fn restore_command(
    store: &StoreArgs,
    from: &std::path::Path,
    key_file: &std::path::Path,
) -> Result<(), AppError> {
    let key = backup_key(key_file, false)?;
    let file = std::fs::File::open(from)
        .map_err(|e| AppError::Config(format!("无法打开备份文件 {}：{e}", from.display())))?;
    let mut reader = std::io::BufReader::new(file);
    let db = store.open().await?;
    let bar = row_bar("恢复");
    let summary =
        zhijia_app::backup::restore(&db, &mut reader, &key, &|p| show(&bar, "恢复", p)).await;
    bar.finish_and_clear();
    let summary = summary?;
    println!(
        "已恢复 {} 张表、{} 行(审计日志随数据一并恢复，恢复本身不另记审计)",
        summary.tables, summary.rows
    );
    Ok(())
}
