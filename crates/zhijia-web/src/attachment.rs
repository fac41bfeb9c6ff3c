//! Files over HTTP, for every area that takes them (cases, aid applications): the download
//! response, the multipart form reader of the console and the worker's pages, the `?name=` of
//! a raw-body upload and the body limits.

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use zhijia_store::attachment::AttachmentData;

/// The query of a raw-body upload (`POST …/attachments?name=…`; the body is the file).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct FileQuery {
    /// The file's name as the sender has it.
    pub name: Option<String>,
}

/// The body limit of a raw-body upload: one file at its limit.
pub fn upload_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(zhijia_domain::attachment::MAX_BYTES + 64 * 1024)
}

/// Percent-encodes a file name for `filename*=UTF-8''…` (RFC 6266 / 5987).
fn encode_name(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An attachment as a download. The type is the one decided by content at upload (an image
/// or a PDF, nothing a browser would run); images open inline, PDFs download; never cached by
/// shared caches, since case and aid files are personal.
pub fn file_response(f: AttachmentData) -> Response {
    let disposition = if f.meta.content_type.starts_with("image/") {
        "inline"
    } else {
        "attachment"
    };
    let value = format!(
        "{disposition}; filename=\"file\"; filename*=UTF-8''{}",
        encode_name(&f.meta.file_name)
    );
    (
        [
            (header::CONTENT_TYPE, f.meta.content_type.clone()),
            (header::CONTENT_DISPOSITION, value),
            (header::CACHE_CONTROL, "private, no-store".to_owned()),
        ],
        f.data,
    )
        .into_response()
}

/// Reads the files of a multipart form (fields named `file`) and its other text fields.
pub async fn read_multipart(
    mut form: axum::extract::Multipart,
) -> Result<
    (
        std::collections::HashMap<String, String>,
        Vec<zhijia_app::attachment::Upload>,
    ),
    zhijia_app::AppError,
> {
    let mut fields = std::collections::HashMap::new();
    let mut files = Vec::new();
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                return Err(zhijia_app::AppError::invalid(
                    "attachment",
                    format!(
                        "上传不完整或文件过大（单个附件不超过 {} MB），请重试",
                        zhijia_domain::attachment::MAX_BYTES / 1_048_576
                    ),
                ));
            }
        };
        let name = field.name().unwrap_or_default().to_owned();
        if name == "file" {
            let file_name = field.file_name().unwrap_or_default().to_owned();
            let bytes = field.bytes().await.map_err(|_| {
                zhijia_app::AppError::invalid("attachment", "附件上传不完整，请重试")
            })?;
            // A file input left empty still sends a part with no name and no bytes.
            if !bytes.is_empty() || !file_name.is_empty() {
                files.push(zhijia_app::attachment::Upload {
                    name: file_name,
                    bytes: bytes.to_vec(),
                });
            }
        } else {
            let text = field.text().await.unwrap_or_default();
            fields.insert(name, text);
        }
    }
    Ok((fields, files))
}

/// The largest request a form with files may send: all attachments at their limit would be far too
/// much for a phone anyway, so five full-size files plus the text.
pub const MAX_FORM_BYTES: usize = 5 * zhijia_domain::attachment::MAX_BYTES + 256 * 1024;

/// An XLSX workbook as a download (roster export, aid ledger, merchant settlement); never
/// cached, since every one holds personal or financial data.
pub fn xlsx_download(bytes: Vec<u8>, name: &str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        bytes,
    )
        .into_response()
}
