//! Files attached to a case (photos of a pay slip, a contract as PDF) or to an aid application
//! (an admission letter, medical bills).
//!
//! The type is decided by the file's content, never by its name or the type the browser
//! claims: a script renamed `.jpg` is refused. Only what a phone camera or a scanner makes is
//! accepted, so nothing a browser would run can be served back from our origin.

use crate::ValidationError;

const FIELD: &str = "attachment";

/// The largest file accepted: a phone photo is 2–5 MB, a scanned contract a few MB.
pub const MAX_BYTES: usize = 10 * 1024 * 1024;
/// The most files one case may hold, so one case cannot fill the database.
pub const MAX_PER_CASE: i64 = 20;
/// The most files one aid application may hold: the admission letter, bills, certificates.
pub const MAX_PER_AID_APPLICATION: i64 = 10;
/// The longest file name kept, in characters; longer names are cut.
pub const MAX_NAME_CHARS: usize = 100;
/// The most file bytes one form sends together (a case, a reply, an aid application, files
/// added by staff): three files at their limit, or about ten phone photos. A request is held in
/// memory until it is stored, so this bounds what one request costs the server; more files are
/// added after the form went through (a reply, 补充材料).
pub const MAX_FORM_BYTES: usize = 3 * MAX_BYTES;
/// How much of a file its kind is decided on: its first bytes, as `infer` reads files (8 KB).
/// An upload is refused as soon as these arrived, before the rest is read.
pub const SNIFF_BYTES: usize = 8192;

/// The kinds of file accepted, by content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Jpeg,
    Png,
    Webp,
    Pdf,
}

impl FileKind {
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
            FileKind::Webp => "image/webp",
            FileKind::Pdf => "application/pdf",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Jpeg => "jpg",
            FileKind::Png => "png",
            FileKind::Webp => "webp",
            FileKind::Pdf => "pdf",
        }
    }

    /// Images are shown inline; a PDF is offered for download.
    pub fn is_image(self) -> bool {
        !matches!(self, FileKind::Pdf)
    }
}

/// A checked attachment: its kind by content and a safe display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub kind: FileKind,
    pub file_name: String,
}

/// Checks a file by its size and content; `name` is what the sender called it.
pub fn check(name: &str, bytes: &[u8]) -> Result<Checked, ValidationError> {
    if bytes.is_empty() {
        return Err(ValidationError::new(FIELD, "附件是空文件"));
    }
    if bytes.len() > MAX_BYTES {
        return Err(ValidationError::new(
            FIELD,
            format!(
                "附件“{}”过大（{:.1} MB），单个附件不能超过 {} MB",
                clean_name(name, None),
                bytes.len() as f64 / 1_048_576.0,
                MAX_BYTES / 1_048_576
            ),
        ));
    }
    let kind = sniff(name, bytes)?;
    Ok(Checked {
        kind,
        file_name: clean_name(name, Some(kind)),
    })
}

/// The kind of a file by its first bytes: the one rule for a whole file ([`check`]) and for an
/// upload still arriving, which is refused on its first [`SNIFF_BYTES`] (fewer if the file is
/// shorter). Only the head is looked at, so both always agree.
pub fn sniff(name: &str, head: &[u8]) -> Result<FileKind, ValidationError> {
    let head = &head[..head.len().min(SNIFF_BYTES)];
    match infer::get(head).map(|t| t.mime_type()) {
        Some("image/jpeg") => Ok(FileKind::Jpeg),
        Some("image/png") => Ok(FileKind::Png),
        Some("image/webp") => Ok(FileKind::Webp),
        Some("application/pdf") => Ok(FileKind::Pdf),
        _ => Err(ValidationError::new(
            FIELD,
            format!(
                "附件“{}”不是 JPG、PNG、WebP 图片或 PDF 文件（按文件内容判断）",
                clean_name(name, None)
            ),
        )),
    }
}

/// The refusal of an upload that passed [`MAX_BYTES`] while it arrived (its full size is not
/// known: the rest is not read).
pub fn too_large(name: &str) -> ValidationError {
    ValidationError::new(
        FIELD,
        format!(
            "附件“{}”超过 {} MB，单个附件不能超过 {} MB，请压缩后再上传",
            clean_name(name, None),
            MAX_BYTES / 1_048_576,
            MAX_BYTES / 1_048_576
        ),
    )
}

/// The refusal of a form whose files together pass [`MAX_FORM_BYTES`].
pub fn form_too_large() -> ValidationError {
    ValidationError::new(
        FIELD,
        format!(
            "一次提交的附件合计不能超过 {} MB，其余文件请提交后再补充上传",
            MAX_FORM_BYTES / 1_048_576
        ),
    )
}

/// A name safe to show and to put in a download header: the last path part, without control
/// characters or quotes, cut to [`MAX_NAME_CHARS`], ending in the extension of what it is.
fn clean_name(name: &str, kind: Option<FileKind>) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut clean: String = base
        .chars()
        .filter(|c| !crate::text::is_hidden(*c) && !matches!(c, '"' | '\'' | ';' | '<' | '>'))
        .take(MAX_NAME_CHARS)
        .collect::<String>()
        .trim()
        .to_owned();
    if clean.is_empty() {
        clean = "附件".into();
    }
    if let Some(kind) = kind {
        let ext = kind.extension();
        let has_ext = clean.rsplit_once('.').is_some_and(|(_, e)| {
            e.eq_ignore_ascii_case(ext) || (ext == "jpg" && e.eq_ignore_ascii_case("jpeg"))
        });
        if !has_ext {
            clean = format!("{clean}.{ext}");
        }
    }
    clean
}

#[cfg(test)]
mod tests {
    use super::*;

    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
    const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0";

    #[test]
    fn images_and_pdf_are_recognised_by_content_whatever_their_name() {
        assert_eq!(check("pay.png", PNG).unwrap().kind, FileKind::Png);
        assert_eq!(check("合同", PDF).unwrap().kind, FileKind::Pdf);
        assert_eq!(check("合同", PDF).unwrap().file_name, "合同.pdf");
        // A PNG named .pdf is a PNG, and its name says so.
        let c = check("scan.pdf", PNG).unwrap();
        assert_eq!(c.kind, FileKind::Png);
        assert_eq!(c.file_name, "scan.pdf.png");
        assert_eq!(check("a.JPEG", JPEG).unwrap().file_name, "a.JPEG");
        // A right-to-left override would show "工资条\u{202E}gpj.exe" as "工资条exe.jpg".
        let c = check("工资条\u{202E}fdp.\u{200B}exe", PDF).unwrap();
        assert_eq!(c.file_name, "工资条fdp.exe.pdf");
    }

    #[test]
    fn a_script_or_html_named_as_an_image_is_refused() {
        let e = check("photo.jpg", b"<html><script>alert(1)</script></html>").unwrap_err();
        assert!(e.message.contains("photo.jpg"), "{}", e.message);
        assert!(e.message.contains("按文件内容判断"));
        assert!(
            check("x.png", b"GIF89a\x01\0\x01\0").is_err(),
            "GIF is not accepted"
        );
    }

    #[test]
    fn the_head_decides_as_the_whole_file_does() {
        for f in [PNG, PDF, JPEG] {
            let mut long = f.to_vec();
            long.resize(3 * SNIFF_BYTES, b'x');
            assert_eq!(
                sniff("a", &long[..SNIFF_BYTES]).unwrap(),
                check("a", &long).unwrap().kind
            );
        }
        // An executable or a web page is refused on its first bytes, whatever follows.
        let mut exe = b"MZ\x90\0\x03\0\0\0".to_vec();
        exe.extend_from_slice(PNG);
        assert!(sniff("a.png", &exe).is_err());
        let e = sniff("a.pdf", b"<!DOCTYPE html><html>").unwrap_err();
        assert!(e.message.contains("按文件内容判断"), "{}", e.message);
        assert!(too_large("大.png").message.contains("10 MB"));
        assert!(form_too_large().message.contains("30 MB"));
    }

    #[test]
    fn empty_and_oversized_files_are_refused_with_the_limit() {
        assert!(check("a.png", b"").is_err());
        let mut big = PNG.to_vec();
        big.resize(MAX_BYTES + 1, 0);
        let e = check("big.png", &big).unwrap_err();
        assert!(e.message.contains("10 MB"), "{}", e.message);
        big.truncate(MAX_BYTES);
        assert!(check("big.png", &big).is_ok());
    }

    #[test]
    fn names_lose_paths_quotes_and_control_characters() {
        let c = check("C:\\Users\\x\\\"evil\";\r\n.png", PNG).unwrap();
        assert_eq!(c.file_name, "evil.png");
        assert_eq!(check("", PNG).unwrap().file_name, "附件.png");
        let long = "长".repeat(300);
        assert!(check(&long, PNG).unwrap().file_name.chars().count() <= MAX_NAME_CHARS + 4);
    }
}
