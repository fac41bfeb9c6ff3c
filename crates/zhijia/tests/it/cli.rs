//! The binary as an operator runs it.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn zhijia() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zhijia"));
    c.env_remove("ZHIJIA_DATABASE_URL")
        .env_remove("ZHIJIA_DATA_DIR")
        .env_remove("ZHIJIA_PII_KEY");
    c
}

#[test]
fn an_unknown_database_scheme_is_refused_and_no_file_is_made() {
    let dir = tempfile::tempdir().unwrap();
    let out = zhijia()
        .args([
            "migrate",
            "--database-url",
            "mysql://root:hunter2@db/zhijia",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("不是受支持的数据库类型") && err.contains("postgres://"),
        "{err}"
    );
    assert!(!err.contains("hunter2"));
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "nothing created"
    );
}

#[test]
fn org_create_refuses_a_bad_credit_code_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let out = zhijia()
        .args([
            "org",
            "create",
            "--name",
            "广东省总工会",
            "--level",
            "province",
            "--region",
            "440000",
        ])
        .args(["--credit-code", "81440000MC00000010", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("统一社会信用代码") && err.contains("校验位"),
        "{err}"
    );

    let ok = zhijia()
        .args([
            "org",
            "create",
            "--name",
            "广东省总工会",
            "--level",
            "province",
            "--region",
            "440000",
            "--data-dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(String::from_utf8_lossy(&ok.stdout).contains("已建立"));
}

/// A server process that is stopped when the test ends, passed or failed.
pub(crate) struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts a server command and waits for the address it prints; the server is stopped when the
/// returned value is dropped.
fn started(mut command: Command) -> (Server, String) {
    let child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut server = Server(child);
    let stdout = server.0.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("serve printed its address");
        if let Some(url) = line.split("请在浏览器打开：").nth(1) {
            return (server, url.trim().trim_end_matches('/').to_owned());
        }
    }
}

/// Runs `zhijia serve --demo` and returns the address it prints, with the running server.
pub(crate) fn serve_demo(extra: &[&str], data_dir: &std::path::Path) -> (Server, String) {
    let mut command = zhijia();
    command
        .args(["serve", "--demo", "--listen", "127.0.0.1:0", "--data-dir"])
        .arg(data_dir)
        .args(extra);
    started(command)
}

async fn check_demo_site(base: &str) {
    let home = reqwest::get(format!("{base}/")).await.unwrap();
    assert_eq!(home.status(), 200);
    assert!(home.text().await.unwrap().contains("演示模式"));
    let roots: serde_json::Value = reqwest::get(format!("{base}/api/v1/orgs"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(roots["items"][0]["name"], "中华全国总工会");
    // The console asks for sign-in and shows the demo account; with it, the province opens.
    let sign_in = reqwest::get(format!("{base}/console"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(sign_in.contains("工作人员登录") && sign_in.contains("demo.admin"));
    let staff = crate::helpers::sign_in(base, "demo.admin", "Demo2026zhijia").await;
    let console = crate::helpers::page_text(&staff, format!("{base}/console")).await;
    assert!(console.contains("广东省总工会"), "{console}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_starts_on_an_empty_data_folder_and_prints_the_address() {
    let dir = tempfile::tempdir().unwrap();
    let (server, base) = serve_demo(&[], dir.path());
    check_demo_site(&base).await;
    drop(server);
    assert!(dir.path().join("zhijia.db").exists());
    assert!(dir.path().join("pii.key").exists());

    // A second start finds the data and does not load it again; meanwhile another process is
    // told in words that the embedded store is in use, instead of waiting or corrupting it.
    let (server, _) = serve_demo(&[], dir.path());
    let started = Instant::now();
    let out = zhijia()
        .args(["migrate", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("正被另一个进程使用"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(8));
    drop(server);

    let (_server, base) = serve_demo(&[], dir.path());
    let roots: serde_json::Value = reqwest::get(format!("{base}/api/v1/orgs"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(roots["total"], 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_demo_runs_the_same_on_postgresql() {
    let Some(db) = crate::helpers::TestDb::postgres().await else {
        return;
    };
    let url = db.url().unwrap();
    let (server, base) = serve_demo(&["--database-url", &url], db.dir.path());
    check_demo_site(&base).await;
    drop(server);
    assert!(
        !db.dir.path().join("zhijia.db").exists(),
        "no SQLite file when PostgreSQL is named"
    );
}

#[test]
fn admin_create_prints_a_first_password_and_audit_shows_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = zhijia()
            .args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&[
        "org",
        "create",
        "--name",
        "广东省总工会",
        "--level",
        "province",
        "--region",
        "440000",
    ]);
    let out = run(&[
        "admin",
        "create",
        "--username",
        "gd.admin",
        "--name",
        "王伟",
        "--org",
        "1",
    ]);
    let password = out
        .lines()
        .find_map(|l| l.strip_prefix("初始密码："))
        .unwrap()
        .trim();
    assert_eq!(password.len(), 16);
    assert!(zhijia_domain::auth::check_password(password, "gd.admin").is_ok());
    let log = run(&["audit"]);
    assert!(
        log.contains("org.created")
            && log.contains("staff.created")
            && log.contains("role.granted"),
        "{log}"
    );
    assert!(log.contains("共 3 条"), "{log}");
    assert!(!log.contains(password), "the password is never logged");
}

/// Two `zhijia serve` processes on one PostgreSQL: the SMS limits and the staff sessions are in
/// the database, so what one process counted or started, the other honours.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_on_one_postgresql_share_limits_and_sessions() {
    let Some(db) = crate::helpers::TestDb::postgres().await else {
        return;
    };
    let url = db.url().unwrap();
    let (_a, base_a) = serve_demo(&["--database-url", &url], db.dir.path());
    let (_b, base_b) = serve_demo(&["--database-url", &url], db.dir.path());
    assert_ne!(base_a, base_b);

    // A sends a code; B refuses a second one for the same phone within 60 seconds.
    let worker = crate::helpers::browser();
    let form = crate::helpers::page_text(&worker, format!("{base_a}/sign-in")).await;
    let csrf = crate::helpers::csrf_of(&form);
    let fields = [("csrf", csrf.as_str()), ("phone", "13800138000")];
    let r = worker
        .post(format!("{base_a}/sign-in/code"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = worker
        .post(format!("{base_b}/sign-in/code"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429, "the limit counted by A holds on B");

    // A staff session started on A is accepted by B.
    let staff = crate::helpers::sign_in(&base_a, "demo.admin", "Demo2026zhijia").await;
    let r = staff.get(format!("{base_b}/console")).send().await.unwrap();
    assert_eq!(r.url().path(), "/console");
    assert!(r.text().await.unwrap().contains("广东省总工会"));
}

/// A roster of `n` valid rows for the import tests.
fn big_roster(n: u32) -> String {
    let region = zhijia_domain::region::RegionCode::parse("440106").unwrap();
    let mut out = String::from("姓名,身份证号,手机号,入会日期\n");
    for k in 0..n {
        let birth = chrono::NaiveDate::from_ymd_opt(1960 + (k % 40) as i32, 1 + (k / 40) % 12, 1)
            .unwrap()
            + chrono::Duration::days(((k / 480) % 28) as i64);
        let seq = (k / 13_440) as u16;
        let id = zhijia_domain::id_number::IdNumber::compose(&region, birth, seq).unwrap();
        // Names carry no digits: the number in Chinese numerals.
        let name: String = k
            .to_string()
            .chars()
            .map(|d| {
                "零一二三四五六七八九"
                    .chars()
                    .nth(d as usize - '0' as usize)
                    .unwrap()
            })
            .collect();
        out.push_str(&format!(
            "职工{name},{},1{:010},2020-01-01\n",
            id.expose(),
            3_000_000_000u64 + u64::from(k)
        ));
    }
    out
}

#[test]
fn an_import_killed_half_way_leaves_whole_batches_and_a_rerun_finishes_it() {
    let dir = tempfile::tempdir().unwrap();
    let key = zhijia_domain::pii::PiiKeys::generate_hex();
    let run = |args: &[&str]| {
        let mut c = zhijia();
        c.args(args)
            .arg("--data-dir")
            .arg(dir.path())
            .env("ZHIJIA_PII_KEY", &key);
        c
    };
    let out = run(&[
        "org",
        "create",
        "--name",
        "广东省总工会",
        "--level",
        "province",
        "--region",
        "440000",
    ])
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let n = 120_000;
    let file = dir.path().join("roster.csv");
    std::fs::write(&file, big_roster(n)).unwrap();
    let file = file.to_str().unwrap();

    // Kill the first run once a few batches have been committed (the WAL has grown).
    // Small batches, so the first commits come early.
    let mut first = run(&["import", "members", file, "--org", "1", "--batch", "5000"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let wal = dir.path().join("zhijia.db-wal");
    let started = Instant::now();
    while std::fs::metadata(&wal).map_or(0, |m| m.len()) < 4_000_000 {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "import never wrote"
        );
        if first.try_wait().unwrap().is_some() {
            let out = first.wait_with_output().unwrap();
            panic!(
                "finished before it could be killed: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    first.kill().unwrap();
    first.wait().unwrap();

    // The re-run imports the rest and skips what the first run committed.
    let out = run(&["import", "members", file, "--org", "1"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let numbers = |marker: &str| -> u64 {
        let start = text.find(marker).unwrap() + marker.len();
        text[start..]
            .trim_start()
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    let (imported, skipped) = (numbers("导入"), numbers("已存在跳过"));
    assert!(skipped > 0 && imported > 0, "{text}");
    assert_eq!(imported + skipped, u64::from(n), "{text}");
    assert!(text.contains("有误 0 行"), "{text}");

    // Consistent: every worker has exactly one membership and a member number.
    let conn = rusqlite_open(&dir.path().join("zhijia.db"));
    let workers: i64 = conn
        .query_row("SELECT COUNT(*) FROM worker", [], |r| r.get(0))
        .unwrap();
    let members: i64 = conn
        .query_row(
            "SELECT COUNT(DISTINCT worker_id) FROM membership",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let memberships: i64 = conn
        .query_row("SELECT COUNT(*) FROM membership", [], |r| r.get(0))
        .unwrap();
    let numbered: i64 = conn
        .query_row("SELECT COUNT(member_no) FROM worker", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        (workers, members, memberships, numbered),
        (n as i64, n as i64, n as i64, n as i64)
    );
    drop(conn);
    // The imported identity numbers are nowhere in the database files in clear.
    let roster = std::fs::read_to_string(file).unwrap();
    let sample: Vec<&str> = roster
        .lines()
        .skip(1)
        .step_by(9_973)
        .filter_map(|l| l.split(',').nth(1))
        .collect();
    assert!(sample.len() > 10);
    for name in ["zhijia.db", "zhijia.db-wal"] {
        let bytes = std::fs::read(dir.path().join(name)).unwrap_or_default();
        // Text search (std's substring search, optimised even in test builds).
        let text = String::from_utf8_lossy(&bytes);
        for id in &sample {
            assert!(!text.contains(id), "{id} found in {name}");
        }
    }
}

fn rusqlite_open(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

/// Runs `zhijia serve` (not demo) on a database and returns it once it prints its address.
fn serve_on(database_url: &str, key: &str, data_dir: &std::path::Path) -> Server {
    let mut command = zhijia();
    command
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--database-url",
            database_url,
        ])
        .args(["--pii-key", key, "--data-dir"])
        .arg(data_dir);
    started(command).0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_on_one_postgresql_escalate_each_overdue_case_exactly_once() {
    let Some(t) = crate::helpers::TestDb::postgres().await else {
        return;
    };
    let db = &t.store;
    let w = crate::membership::world(db).await;
    let env = crate::case::CaseEnv::new();
    let ctx = env.ctx(db);
    // Ten cases filed a month ago at the factory that nobody handled.
    let filed_at = chrono::Utc::now() - chrono::Duration::days(30);
    let mut ids = Vec::new();
    for k in 0..10 {
        let f = zhijia_app::case::file::file(
            &ctx,
            &format!("1370013700{k}"),
            &crate::case::complaint("consultation", &w.factory_code),
            &[],
            filed_at,
        )
        .await
        .unwrap();
        ids.push(f.id);
    }
    let url = t.url().unwrap();
    let key = zhijia_domain::pii::PiiKeys::generate_hex();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    // Two server processes start at once; each runs the job loop as soon as it is up.
    let _a = serve_on(&url, &key, dirs[0].path());
    let _b = serve_on(&url, &key, dirs[1].path());
    let deadline = Instant::now() + Duration::from_secs(90);
    loop {
        let done: i64 = db
            .query_one(
                "SELECT COUNT(*) FROM job WHERE kind = 'case.escalate_overdue' AND status = 'done'",
                &[],
            )
            .await
            .unwrap();
        if done >= 1 {
            break;
        }
        assert!(Instant::now() < deadline, "the escalation job never ran");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Let both loops finish whatever they were doing.
    tokio::time::sleep(Duration::from_secs(2)).await;
    for id in ids {
        let escalations = zhijia_store::case::events(db, id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.action == "case.escalated")
            .count();
        assert_eq!(escalations, 1, "case {id} escalated exactly once");
        let c = zhijia_store::case::get(db, id).await.unwrap().unwrap();
        assert!(c.escalation_level >= 2, "a month late is past the parent");
        assert_ne!(c.supervising_org_id, Some(w.factory.id));
    }
    let audited: i64 = db
        .query_one(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'case.escalated'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(audited, 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_server_processes_on_one_postgresql_share_an_offers_stock_exactly() {
    let Some(t) = crate::helpers::TestDb::postgres().await else {
        return;
    };
    let db = &t.store;
    let w = crate::membership::world(db).await;
    let keys = crate::helpers::keys();
    // 20 coupons, one each, and 40 members who all want one.
    let shop = crate::benefit::shop(db, &keys, &w, 20, 1, &[]).await;
    let phones = crate::benefit::members(db, &w, 40).await;
    let mut tokens = Vec::new();
    for phone in &phones {
        let token = zhijia_domain::auth::random_token();
        let mut tx = db.change().await.unwrap();
        zhijia_store::sms::insert_session(
            &mut tx,
            &zhijia_domain::auth::token_hash(&token),
            phone,
            &zhijia_domain::auth::random_token(),
            chrono::Utc::now() + chrono::Duration::hours(1),
        )
        .await
        .unwrap();
        tx.commit_unaudited(zhijia_store::Unaudited::Fixture)
            .await
            .unwrap();
        tokens.push(token);
    }
    let url = t.url().unwrap();
    let key = zhijia_domain::pii::PiiKeys::generate_hex();
    let dirs = [tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap()];
    let mut command = zhijia();
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
        .args(["--pii-key", &key, "--data-dir"])
        .arg(dirs[0].path());
    let (_a, base_a) = started(command);
    let mut command = zhijia();
    command
        .args(["serve", "--listen", "127.0.0.1:0", "--database-url", &url])
        .args(["--pii-key", &key, "--data-dir"])
        .arg(dirs[1].path());
    let (_b, base_b) = started(command);
    // Every member claims at once, half through each process.
    let http = reqwest::Client::new();
    let mut handles = Vec::new();
    for (i, token) in tokens.into_iter().enumerate() {
        let base = if i % 2 == 0 {
            base_a.clone()
        } else {
            base_b.clone()
        };
        let http = http.clone();
        let offer = shop.offer;
        handles.push(tokio::spawn(async move {
            http.post(format!("{base}/api/v1/me/offers/{offer}/claims"))
                .bearer_auth(token)
                .header("Idempotency-Key", format!("claim-{i}"))
                .send()
                .await
                .unwrap()
                .status()
        }));
    }
    let (mut won, mut refused) = (0, 0);
    for h in handles {
        match h.await.unwrap().as_u16() {
            201 => won += 1,
            409 => refused += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    assert_eq!((won, refused), (20, 20));
    let coupons: i64 = db
        .query_one(
            "SELECT COUNT(*) FROM coupon WHERE offer_id = $1",
            &[&shop.offer.0],
        )
        .await
        .unwrap();
    assert_eq!(coupons, 20);
}

/// The data folder, the database and the key are the owner's alone; pages and API answers are not
/// kept by caches; a line break smuggled into the sign-in's `next` is not followed.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_data_folder_is_private_answers_are_not_cached_and_next_stays_one_line() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (server, base) = serve_demo(&[], &data);
    let mode = |p: std::path::PathBuf| std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(data.clone()), 0o700);
    assert_eq!(mode(data.join("zhijia.db")), 0o600);
    assert_eq!(mode(data.join("pii.key")), 0o600);

    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/api/v1/orgs", "/", "/console/sign-in"] {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.headers()["cache-control"], "no-store", "{path}");
    }
    let page = http
        .get(format!("{base}/console/sign-in"))
        .send()
        .await
        .unwrap();
    let csrf_cookie = page
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("zhijia_csrf="))
        .map(|c| c.split(';').next().unwrap().to_owned())
        .expect("a csrf cookie");
    let csrf = csrf_cookie.trim_start_matches("zhijia_csrf=").to_owned();
    let body = page.text().await.unwrap();
    let asset = body
        .split("rel=\"stylesheet\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a stylesheet")
        .to_owned();
    let r = http.get(format!("{base}{asset}")).send().await.unwrap();
    assert_ne!(
        r.headers()["cache-control"],
        "no-store",
        "assets keep their cache"
    );
    let r = http
        .post(format!("{base}/console/sign-in"))
        .header("cookie", &csrf_cookie)
        .form(&[
            ("csrf", csrf.as_str()),
            ("username", "demo.admin"),
            ("password", "Demo2026zhijia"),
            ("next", "/console\r\nSet-Cookie: x=1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/console");
    drop(server);
}
