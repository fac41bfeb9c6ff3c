//! Files over HTTP, for every area that takes them (cases, aid applications): the download
//! response, the multipart form reader of the console and the worker's pages, the `?name=` of
//! a raw-body upload and the body limits.

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use zhijia_domain::ids::AttachmentId;
use zhijia_store::attachment::{Attachment, AttachmentData};

/// An attached file as the JSON API lists it (the bytes are a download of their own).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AttachmentView {
    #[schema(value_type = i64)]
    pub id: AttachmentId,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Who uploaded it: `worker` or `staff` on a case; the staff member's name on an aid
    /// application.
    pub uploaded_by: String,
    pub created_at: DateTime<Utc>,
}

impl From<&Attachment> for AttachmentView {
    fn from(a: &Attachment) -> Self {
        AttachmentView {
            id: a.id,
            file_name: a.file_name.clone(),
            content_type: a.content_type.clone(),
            size_bytes: a.size_bytes,
            uploaded_by: a.uploaded_by.clone(),
            created_at: a.created_at,
        }
    }
}

/// The list views of attachments.
pub fn attachment_views(list: &[Attachment]) -> Vec<AttachmentView> {
    list.iter().map(AttachmentView::from).collect()
}

/// The query of a raw-body upload (`POST …/attachments?name=…`; the body is the file).
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(default)]
pub struct FileQuery {
    /// The file's name as the sender has it.
    pub name: Option<String>,
}

impl FileQuery {
    /// The raw body of a request as the file this query names.
    pub fn upload(self, bytes: &[u8]) -> zhijia_app::attachment::Upload {
        zhijia_app::attachment::Upload {
            name: self.name.unwrap_or_default(),
            bytes: bytes.to_vec(),
        }
    }
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

/// The text of a form with files (every field but the files) may hold this much: the longest
/// texts (a case's description, an aid application's reason) are a few thousand characters.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;

/// The most parts a form sends besides its files (its text fields are fewer than twenty).
const MAX_TEXT_PARTS: usize = 64;

/// The largest request a form with files may send: its files together at their limit
/// ([`zhijia_domain::attachment::MAX_FORM_BYTES`]), its text, and 1 MB for the multipart
/// framing and for what the reader takes from the connection ahead of the part it is on (the
/// form reader then refuses in words before this limit cuts the request). It stops whatever is
/// not a form.
pub const MAX_FORM_BYTES: usize =
    zhijia_domain::attachment::MAX_FORM_BYTES + MAX_TEXT_BYTES + 1024 * 1024;

/// A form refused while it arrived, with what was read before the refusal: the text fields
/// (every form puts its file input last, so they are all there) and the files read whole, which
/// passed the content check. The page comes back with them, as after any other refusal.
pub struct Refused {
    pub error: zhijia_app::AppError,
    pub fields: std::collections::HashMap<String, String>,
    pub files: Vec<zhijia_app::attachment::Upload>,
}

impl From<Refused> for crate::PageError {
    fn from(r: Refused) -> Self {
        r.error.into()
    }
}

fn incomplete() -> zhijia_app::AppError {
    zhijia_app::AppError::invalid(
        "attachment",
        format!(
            "上传不完整或文件过大（单个附件不超过 {} MB），请重试",
            zhijia_domain::attachment::MAX_BYTES / 1_048_576
        ),
    )
}

/// Reads a multipart form: its files (fields named `file`, at most `max_files`) and its other
/// text fields. Parts are read as they arrive, never whole: a file is refused on its first bytes
/// ([`zhijia_domain::attachment::SNIFF_BYTES`]) when its content is not an accepted kind, as soon
/// as it passes [`zhijia_domain::attachment::MAX_BYTES`], and the form as soon as its files pass
/// [`zhijia_domain::attachment::MAX_FORM_BYTES`] or one file more than `max_files` starts. What
/// a request holds in memory is thus at most the files its form may carry.
///
/// The answer to a refused form goes out at once; the rest of the request is then read and
/// thrown away in the background (bounded by the body limit and [`DRAIN_SECONDS`]), because a
/// browser still sending would otherwise see the connection reset instead of the message.
pub async fn read_multipart(
    mut form: axum::extract::Multipart,
    max_files: i64,
) -> Result<
    (
        std::collections::HashMap<String, String>,
        Vec<zhijia_app::attachment::Upload>,
    ),
    Refused,
> {
    let mut fields = std::collections::HashMap::new();
    let mut files = Vec::new();
    match read_parts(&mut form, max_files, &mut fields, &mut files).await {
        Ok(()) => Ok((fields, files)),
        Err(Stop::Broken(error)) => Err(Refused {
            error,
            fields,
            files,
        }),
        Err(Stop::Refused(error)) => {
            drain_later(form);
            Err(Refused {
                error,
                fields,
                files,
            })
        }
    }
}

/// How long the rest of a refused request is read at most before the connection is dropped.
pub const DRAIN_SECONDS: u64 = 60;

/// Reads the rest of a refused form in the background, keeping nothing, so the answer already
/// sent reaches a browser that is still uploading (closing a connection with unread data resets
/// it, and the browser shows a network error instead of the message).
pub fn drain_later(mut form: axum::extract::Multipart) {
    tokio::spawn(async move {
        let drain = async {
            while let Ok(Some(mut field)) = form.next_field().await {
                while let Ok(Some(_)) = field.chunk().await {}
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(DRAIN_SECONDS), drain).await;
    });
}

/// [`drain_later`] for a raw-body upload, up to `limit` bytes.
pub fn drain_body_later(mut body: axum::body::BodyDataStream, limit: usize) {
    use futures_util::StreamExt;
    tokio::spawn(async move {
        let drain = async {
            let mut read = 0usize;
            while let Some(Ok(chunk)) = body.next().await {
                read += chunk.len();
                if read > limit {
                    break;
                }
            }
        };
        let _ = tokio::time::timeout(std::time::Duration::from_secs(DRAIN_SECONDS), drain).await;
    });
}

/// Why reading a form stopped: the request itself is broken (cut, past the body limit), or the
/// form was refused and the request could go on.
enum Stop {
    Broken(zhijia_app::AppError),
    Refused(zhijia_app::AppError),
}

impl<E: Into<zhijia_app::AppError>> From<E> for Stop {
    fn from(e: E) -> Self {
        Stop::Refused(e.into())
    }
}

/// Reads the parts of a form: text fields into `fields`, files (`file`) into `files`, each
/// within its limits as it arrives.
async fn read_parts(
    form: &mut axum::extract::Multipart,
    max_files: i64,
    fields: &mut std::collections::HashMap<String, String>,
    files: &mut Vec<zhijia_app::attachment::Upload>,
) -> Result<(), Stop> {
    let most = usize::try_from(max_files).unwrap_or(usize::MAX);
    let mut file_bytes = 0usize;
    let mut text_bytes = 0usize;
    let mut parts = 0usize;
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|_| Stop::Broken(incomplete()))?
    {
        let name = field.name().unwrap_or_default().to_owned();
        // Every form has a few text fields and its files: many more parts (empty ones cost the
        // sender nothing) are no form of ours, and their names are text like any other.
        parts += 1;
        text_bytes += name.len() + field.file_name().map_or(0, str::len);
        if parts > most.saturating_add(MAX_TEXT_PARTS) || text_bytes > MAX_TEXT_BYTES {
            return Err(
                zhijia_app::AppError::invalid("text", "提交的内容过多，请刷新页面后重试").into(),
            );
        }
        if name == "file" {
            let room = FileRoom {
                most,
                max_files,
                had: files.len(),
            };
            if let Some(upload) = read_file_part(&mut field, room, &mut file_bytes).await? {
                files.push(upload);
            }
        } else {
            let text = read_text_part(&mut field, &mut text_bytes).await?;
            fields.insert(name, text);
        }
    }
    Ok(())
}

/// How many files a form may still take.
#[derive(Clone, Copy)]
struct FileRoom {
    most: usize,
    max_files: i64,
    had: usize,
}

impl FileRoom {
    fn full(self) -> Stop {
        zhijia_app::AppError::invalid("attachment", format!("附件最多{}个", self.max_files)).into()
    }
}

/// One file part, checked by content as soon as its head has arrived and refused as soon as
/// it passes a limit; `None` for a file input left empty.
async fn read_file_part(
    field: &mut axum::extract::multipart::Field<'_>,
    room: FileRoom,
    file_bytes: &mut usize,
) -> Result<Option<zhijia_app::attachment::Upload>, Stop> {
    use zhijia_domain::attachment::{self as rules, MAX_BYTES, SNIFF_BYTES};
    let file_name = field.file_name().unwrap_or_default().to_owned();
    let mut bytes: Vec<u8> = Vec::new();
    let mut sniffed = false;
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|_| Stop::Broken(incomplete()))?
    {
        if bytes.is_empty() && !chunk.is_empty() && room.had >= room.most {
            return Err(room.full());
        }
        bytes.extend_from_slice(&chunk);
        *file_bytes += chunk.len();
        if !sniffed && bytes.len() >= SNIFF_BYTES {
            rules::sniff(&file_name, &bytes)?;
            sniffed = true;
        }
        if bytes.len() > MAX_BYTES {
            return Err(rules::too_large(&file_name).into());
        }
        if *file_bytes > rules::MAX_FORM_BYTES {
            return Err(rules::form_too_large().into());
        }
    }
    // A file shorter than the sniffed head is checked whole. A file input left empty still
    // sends a part with no name and no bytes; an empty file with a name is left to the content
    // check ("附件是空文件").
    if !sniffed && !bytes.is_empty() {
        rules::sniff(&file_name, &bytes)?;
    }
    if bytes.is_empty() && file_name.is_empty() {
        return Ok(None);
    }
    if room.had >= room.most {
        return Err(room.full());
    }
    Ok(Some(zhijia_app::attachment::Upload {
        name: file_name,
        bytes,
    }))
}

/// One text part, within what the form's text may hold in all.
async fn read_text_part(
    field: &mut axum::extract::multipart::Field<'_>,
    text_bytes: &mut usize,
) -> Result<String, Stop> {
    let mut text = Vec::new();
    while let Some(chunk) = field
        .chunk()
        .await
        .map_err(|_| Stop::Broken(incomplete()))?
    {
        *text_bytes += chunk.len();
        if *text_bytes > MAX_TEXT_BYTES {
            return Err(
                zhijia_app::AppError::invalid("text", "填写的内容过长，请删减后再提交").into(),
            );
        }
        text.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&text).into_owned())
}

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
