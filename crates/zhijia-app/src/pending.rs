//! Files kept across a refused form (a worker's draft): a photo or a bill chosen on the aid or
//! case form stays with the phone that sent it, so the form comes back saying “已上传：…” with
//! the file's id in a hidden field instead of asking for it again (browsers never refill a file
//! input). Only the same phone's session can use a kept file; another's id is refused in words.
//! The JSON API uses the same store: `POST /api/v1/me/uploads` keeps a file and answers its id.

use crate::attachment::Upload;
use crate::{AppError, Result};
use chrono::{DateTime, Duration, Utc};
use zhijia_domain::ids::PendingUploadId;
use zhijia_store::Store;
use zhijia_store::Unaudited;
use zhijia_store::pending::{self as store, Pending};

/// How long a kept file stays usable.
pub const KEEP_HOURS: i64 = 24;
/// Most files one phone keeps at a time (a form takes at most ten).
pub const MAX_KEPT: i64 = 20;

fn since(now: DateTime<Utc>) -> DateTime<Utc> {
    now - Duration::hours(KEEP_HOURS)
}

fn gone() -> AppError {
    AppError::invalid(
        "attachment",
        "已上传的文件已失效（超过一天或不是您上传的），请重新选择文件",
    )
}

/// The ids of a hidden field: `"3,4"`. Anything else in it is ignored.
pub fn parse_ids(field: &str) -> Vec<PendingUploadId> {
    let mut ids: Vec<PendingUploadId> = field
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    ids.dedup();
    ids
}

/// The hidden field's value for kept files.
pub fn ids_field(kept: &[Pending]) -> String {
    kept.iter()
        .map(|p| p.id.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The kept files `ids` of `phone`, as uploads with their listing. One id that is not the
/// phone's own (or has expired) refuses all: a form never silently drops a file.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn load(
    db: &Store,
    phone: &str,
    ids: &[PendingUploadId],
    now: DateTime<Utc>,
) -> Result<(Vec<Pending>, Vec<Upload>)> {
    let mut listed = Vec::new();
    let mut uploads = Vec::new();
    for id in ids {
        let f = store::get(db, phone, *id, since(now))
            .await?
            .ok_or_else(gone)?;
        uploads.push(Upload {
            name: f.meta.file_name.clone(),
            bytes: f.data,
        });
        listed.push(f.meta);
    }
    Ok((listed, uploads))
}

/// Keeps the files of a refused form that pass the content check (a file that does not is the
/// error the worker is shown, and is not kept). Returns what was kept.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn keep(
    db: &Store,
    phone: &str,
    files: &[Upload],
    now: DateTime<Utc>,
) -> Result<Vec<Pending>> {
    let good: Vec<_> = files
        .iter()
        .filter_map(|f| {
            zhijia_domain::attachment::check(&f.name, &f.bytes)
                .ok()
                .map(|c| (f, c))
        })
        .collect();
    if good.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = db.change().await?;
    store::sweep(&mut tx, phone, since(now)).await?;
    let have = store::count(&mut tx, phone, since(now)).await?;
    if have + i64::try_from(good.len()).unwrap_or(i64::MAX) > MAX_KEPT {
        return Err(AppError::TooMany(format!(
            "暂存的文件已达{MAX_KEPT}个，请先提交或稍后再试"
        )));
    }
    let mut kept = Vec::new();
    for (f, c) in good {
        let content_type = c.kind.content_type();
        let id = store::add(&mut tx, phone, &c.file_name, content_type, &f.bytes, now).await?;
        kept.push(Pending {
            id,
            file_name: c.file_name.clone(),
            content_type: content_type.to_owned(),
            size_bytes: i64::try_from(f.bytes.len()).unwrap_or(i64::MAX),
        });
    }
    tx.commit_unaudited(Unaudited::Draft).await?;
    Ok(kept)
}

/// Keeps one file sent on its own (the JSON API); a file the content check refuses is an error.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn keep_one(
    db: &Store,
    phone: &str,
    file: Upload,
    now: DateTime<Utc>,
) -> Result<Pending> {
    zhijia_domain::attachment::check(&file.name, &file.bytes)?;
    keep(db, phone, std::slice::from_ref(&file), now)
        .await?
        .pop()
        .ok_or_else(|| AppError::invalid("attachment", "请选择要上传的文件"))
}

/// Removes kept files once the form that used them went through.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn discard(db: &Store, phone: &str, ids: &[PendingUploadId]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut tx = db.change().await?;
    for id in ids {
        store::remove(&mut tx, phone, *id).await?;
    }
    tx.commit_unaudited(Unaudited::Draft).await?;
    Ok(())
}
