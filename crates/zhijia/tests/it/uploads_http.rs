//! Uploads are read as they arrive (issue 14, Low): a file that is no photo or PDF is refused on
//! its first bytes and one past the size limit as soon as it passes it, with the answer sent
//! before the rest of the request; the form comes back with what was typed; good files still
//! go through; a roster file that cannot be one is refused on its first bytes too.

use crate::case::PNG;
use crate::helpers::{TestDb, csrf_of, page_text, worker_signed_in_jar};
use crate::membership::world;
use crate::membership_http::staff_token;
use crate::on_both;
use reqwest::StatusCode;
use reqwest::cookie::CookieStore;
use reqwest::multipart::{Form, Part};
use std::io::{Read, Write};
use std::time::Duration;

const BOUNDARY: &str = "zhijia-test-7MA4YWxkTrZu0gW";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
/// The start of a Windows program.
const EXE: &[u8] = b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xFF\xFF\0\0\xB8\0\0\0\0\0\0\0@\0";
const MB: usize = 1024 * 1024;

/// The text parts of a multipart body and the head of a file part, as a browser writes them.
fn form_start(texts: &[(&str, &str)], file_name: &str, content_type: &str) -> Vec<u8> {
    let mut out = String::new();
    for (name, value) in texts {
        out.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    out.push_str(&format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
    ));
    out.into_bytes()
}

/// What a request written by hand got back before the rest of its body was sent.
struct Early {
    status: u16,
    body: String,
    /// Body bytes sent before the answer came.
    sent: usize,
    /// Body bytes the request announced.
    announced: usize,
}

/// Connects to `base`, sends the request line and `headers` announcing a body of `announced`
/// bytes, then only `first` of that body, and reads the answer without sending more. Panics
/// when no answer comes within 30 s: a server that reads a part whole waits for the rest.
async fn answer_to_a_start(
    base: &str,
    request_line: &str,
    headers: &str,
    announced: usize,
    first: Vec<u8>,
) -> Early {
    let url: url::Url = base.parse().unwrap();
    let addr = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let head =
        format!("{request_line}\r\nHost: {addr}\r\n{headers}Content-Length: {announced}\r\n\r\n");
    tokio::task::spawn_blocking(move || {
        let mut s = std::net::TcpStream::connect(&addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(&first).unwrap();
        let mut got = Vec::new();
        let mut buf = [0u8; 16 * 1024];
        loop {
            if let Some(end) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&got[..end]).to_lowercase();
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .expect("a content-length")
                    .trim()
                    .parse()
                    .unwrap();
                if got.len() >= end + 4 + len {
                    let status = head[9..12].parse().unwrap();
                    let body = String::from_utf8_lossy(&got[end + 4..end + 4 + len]).into_owned();
                    return Early {
                        status,
                        body,
                        sent: first.len(),
                        announced,
                    };
                }
            }
            match s.read(&mut buf) {
                Ok(0) => panic!("the connection closed without a full answer"),
                Ok(n) => got.extend_from_slice(&buf[..n]),
                Err(e) => panic!("no answer before the rest of the request was sent: {e}"),
            }
        }
    })
    .await
    .unwrap()
}

on_both!(
    a_file_that_is_no_photo_or_pdf_is_refused_on_its_first_bytes_before_the_rest_is_sent,
    |t: TestDb| async move {
        let w = world(&t.store).await;
        let base = crate::helpers::demo_site(&t).await;
        let (worker, jar) = worker_signed_in_jar(&base, "13900139401").await;
        let csrf = csrf_of(&page_text(&worker, format!("{base}/cases/new")).await);
        let cookie = jar
            .cookies(&base.parse().unwrap())
            .expect("a session cookie");
        let texts = [
            ("csrf", csrf.as_str()),
            ("kind", "complaint"),
            ("title", "拖欠工资"),
            ("description", "八月至十月工资未发"),
            ("filer_name", "赵六"),
            ("employer_name", "广州天河电子厂"),
            ("employer_credit_code", w.factory_code.as_str()),
            ("region_code", "440106"),
        ];
        let headers = format!(
            "Cookie: {}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n",
            cookie.to_str().unwrap()
        );

        // A program named .jpg: 16 KB of it sent, 9 MB announced (under every size limit, so
        // only its content can stop it).
        let mut first = form_start(&texts, "工资条.jpg", "image/jpeg");
        let mut exe = EXE.to_vec();
        exe.resize(16 * 1024, 0);
        first.extend_from_slice(&exe);
        let announced = first.len() + 9 * MB + BOUNDARY.len() + 8;
        let early = answer_to_a_start(
            &base,
            "POST /cases/new HTTP/1.1",
            &headers,
            announced,
            first,
        )
        .await;
        assert_eq!(early.status, 422, "{}", early.body);
        assert!(
            early
                .body
                .contains("附件“工资条.jpg”不是 JPG、PNG、WebP 图片或 PDF 文件（按文件内容判断）"),
            "{}",
            early.body
        );
        assert!(
            early.body.contains("八月至十月工资未发"),
            "what was typed comes back"
        );
        assert!(
            early.sent * 100 < early.announced,
            "answered after {} of {} bytes",
            early.sent,
            early.announced
        );

        // A web page named .pdf, the same.
        let mut first = form_start(&texts, "合同.pdf", "application/pdf");
        let mut html = b"<!DOCTYPE html><html><script>alert(1)</script>".to_vec();
        html.resize(16 * 1024, b' ');
        first.extend_from_slice(&html);
        let announced = first.len() + 9 * MB + BOUNDARY.len() + 8;
        let early = answer_to_a_start(
            &base,
            "POST /cases/new HTTP/1.1",
            &headers,
            announced,
            first,
        )
        .await;
        assert_eq!(early.status, 422, "{}", early.body);
        assert!(early.body.contains("附件“合同.pdf”不是"), "{}", early.body);

        // A photo past 10 MB: refused once 10 MB and a little arrived, of 25 MB announced.
        let mut first = form_start(&texts, "大照片.png", "image/png");
        let mut png = PNG.to_vec();
        png.resize(10 * MB + 64 * 1024, 0);
        first.extend_from_slice(&png);
        let announced = first.len() + 15 * MB;
        let early = answer_to_a_start(
            &base,
            "POST /cases/new HTTP/1.1",
            &headers,
            announced,
            first,
        )
        .await;
        assert_eq!(early.status, 422, "{}", early.body);
        assert!(
            early
                .body
                .contains("附件“大照片.png”超过 10 MB，单个附件不能超过 10 MB"),
            "{}",
            early.body
        );
        assert!(early.body.contains("八月至十月工资未发"));

        let list = page_text(&worker, format!("{base}/cases")).await;
        assert!(list.contains("您还没有提交过诉求"), "nothing was filed");
    }
);

on_both!(
    a_form_past_its_limits_comes_back_filled_and_good_files_still_go_through,
    |t: TestDb| async move {
        let w = world(&t.store).await;
        let base = crate::helpers::demo_site(&t).await;
        let (worker, _) = worker_signed_in_jar(&base, "13900139402").await;
        let csrf = csrf_of(&page_text(&worker, format!("{base}/cases/new")).await);
        let send = |csrf: &str| {
            Form::new()
                .text("csrf", csrf.to_owned())
                .text("kind", "complaint")
                .text("title", "拖欠工资")
                .text("description", "十一月工资未发")
                .text("filer_name", "钱七")
                .text("employer_name", "广州天河电子厂")
                .text("employer_credit_code", w.factory_code.clone())
                .text("region_code", "440106")
        };
        let post = |form: Form| {
            worker
                .post(format!("{base}/cases/new"))
                .multipart(form)
                .send()
        };

        // One byte past 10 MB, sent whole by an ordinary client: the message names the limit.
        let mut big = PNG.to_vec();
        big.resize(10 * MB + 1, 0);
        let r = post(send(&csrf).part("file", Part::bytes(big).file_name("扫描件.png")))
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("单个附件不能超过 10 MB"), "{html}");
        assert!(html.contains("十一月工资未发"), "what was typed comes back");

        // Four photos of 7.6 MB: more than a form carries together.
        let mut form = send(&csrf);
        for i in 0..4 {
            let mut photo = PNG.to_vec();
            photo.resize(76 * MB / 10, 0);
            form = form.part("file", Part::bytes(photo).file_name(format!("照片{i}.png")));
        }
        let r = post(form).await.unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = r.text().await.unwrap();
        assert!(html.contains("一次提交的附件合计不能超过 30 MB"), "{html}");
        // The three read whole before the refusal are kept, as after any refusal.
        assert!(html.contains("已上传：照片0.png"), "{html}");
        assert!(html.contains("十一月工资未发"));

        // One file more than a case holds (another phone: this one keeps three files already).
        let (other, _) = worker_signed_in_jar(&base, "13900139403").await;
        let other_csrf = csrf_of(&page_text(&other, format!("{base}/cases/new")).await);
        let mut form = send(&other_csrf);
        for i in 0..21 {
            form = form.part(
                "file",
                Part::bytes(PNG.to_vec()).file_name(format!("{i}.png")),
            );
        }
        let r = other
            .post(format!("{base}/cases/new"))
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.text().await.unwrap().contains("附件最多20个"));

        // A PDF longer than the sniffed head and a small PNG: filed, both listed.
        let mut pdf = PDF.to_vec();
        pdf.resize(64 * 1024, b'\n');
        let form = send(&csrf)
            .part("file", Part::bytes(pdf).file_name("合同.pdf"))
            .part("file", Part::bytes(PNG.to_vec()).file_name("工资条.png"));
        let r = post(form).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.url().path().starts_with("/cases/"), "{}", r.url());
        let html = r.text().await.unwrap();
        assert!(
            html.contains("合同.pdf") && html.contains("工资条.png"),
            "{html}"
        );
    }
);

on_both!(
    a_roster_upload_that_cannot_be_a_roster_is_refused_on_its_first_bytes,
    |t: TestDb| async move {
        let w = world(&t.store).await;
        let base = crate::helpers::demo_site(&t).await;
        // Signing in on the console once makes the branch's demo staff account.
        crate::helpers::signed_in(&base, &t.store, &w.gz.tianhe).await;
        let token = staff_token(
            &base,
            zhijia_app::staff::DEMO_USERNAME,
            zhijia_app::staff::DEMO_PASSWORD,
        )
        .await;
        let mut first = EXE.to_vec();
        first.resize(16 * 1024, 0);
        let early = answer_to_a_start(
            &base,
            &format!(
                "POST /api/v1/roster/imports?org={}&name=roster.csv HTTP/1.1",
                w.factory.id.0
            ),
            &format!("Authorization: Bearer {token}\r\nContent-Type: text/csv\r\n"),
            15 * MB,
            first,
        )
        .await;
        assert_eq!(early.status, 422, "{}", early.body);
        assert!(
            early.body.contains("不是 .xlsx 或 CSV 名册文件"),
            "{}",
            early.body
        );
        assert!(early.sent * 100 < early.announced);
    }
);
