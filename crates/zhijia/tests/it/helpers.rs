//! Test harness: a fresh database per test on each backend, and a real server on port 0.

use std::sync::atomic::{AtomicU32, Ordering};
use tempfile::TempDir;
use zhijia_app::org as uc;
use zhijia_domain::org::{OrgId, OrgInput};
use zhijia_domain::pii::PiiKeys;
use zhijia_store::org::Org;
use zhijia_store::{Store, StoreTarget};

/// Runs a test body on SQLite and on PostgreSQL, as two tests named `sqlite` and `postgres`.
/// PostgreSQL runs when ZHIJIA_TEST_DATABASE_URL is set; on CI (CI=true) its absence fails.
#[macro_export]
macro_rules! on_both {
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::helpers::TestDb::sqlite().await;
                ($body)(db).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = $crate::helpers::TestDb::postgres().await {
                    ($body)(db).await;
                }
            }
        }
    };
}

/// A throw-away database. SQLite lives in a temporary folder; PostgreSQL gets a database of
/// its own, dropped when the test ends.
pub struct TestDb {
    pub store: Store,
    pub target: StoreTarget,
    pub dir: TempDir,
    pg: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub fn pg_admin_url() -> Option<String> {
    match std::env::var("ZHIJIA_TEST_DATABASE_URL") {
        Ok(u) if !u.trim().is_empty() => Some(u),
        _ => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "CI=true but ZHIJIA_TEST_DATABASE_URL is not set: the PostgreSQL half of the suite must run on CI"
            );
            eprintln!("ZHIJIA_TEST_DATABASE_URL not set: skipping the PostgreSQL variant");
            None
        }
    }
}

async fn admin_exec(admin_url: &str, sql: &str) {
    let (client, conn) = tokio_postgres::connect(admin_url, tokio_postgres::NoTls)
        .await
        .expect("connect to the PostgreSQL named by ZHIJIA_TEST_DATABASE_URL");
    let task = tokio::spawn(conn);
    client.batch_execute(sql).await.expect("admin statement");
    drop(client);
    let _ = task.await;
}

impl TestDb {
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let target = StoreTarget::from_config(None, dir.path()).expect("sqlite target");
        let store = open(&target).await;
        TestDb {
            store,
            target,
            dir,
            pg: None,
        }
    }

    pub async fn postgres() -> Option<TestDb> {
        let admin = pg_admin_url()?;
        let name = format!(
            "zt_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        admin_exec(&admin, &format!("CREATE DATABASE \"{name}\"")).await;
        let mut url = url::Url::parse(&admin).expect("ZHIJIA_TEST_DATABASE_URL is a URL");
        url.set_path(&name);
        let target = StoreTarget::Postgres(url.to_string());
        let store = open(&target).await;
        let dir = tempfile::tempdir().expect("temp dir");
        Some(TestDb {
            store,
            target,
            dir,
            pg: Some((admin, name)),
        })
    }

    /// A second, empty database on the same backend as `other`.
    pub async fn same_backend(other: &TestDb) -> TestDb {
        if other.pg.is_some() {
            TestDb::postgres().await.expect("PostgreSQL is configured")
        } else {
            TestDb::sqlite().await
        }
    }

    pub fn url(&self) -> Option<String> {
        match &self.target {
            StoreTarget::Postgres(u) => Some(u.clone()),
            StoreTarget::Sqlite(_) => None,
        }
    }

    /// Opens a second, independent handle on the same database (another "process").
    pub async fn reopen(&self) -> Store {
        Store::open(&self.target).await.expect("reopen")
    }
}

async fn open(target: &StoreTarget) -> Store {
    let store = Store::open(target).await.expect("open store");
    zhijia_store::migrate::run(&store).await.expect("migrate");
    store
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            // Drop cannot await; a thread with its own runtime removes the database.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("rt");
                rt.block_on(admin_exec(
                    &admin,
                    &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                ));
            })
            .join();
        }
    }
}

/// The operator at the command line, as the actor of test writes.
pub fn actor() -> zhijia_domain::audit::Actor {
    zhijia_domain::audit::Actor::cli("test")
}

pub fn keys() -> PiiKeys {
    PiiKeys::from_hex(&PiiKeys::generate_hex()).expect("keys")
}

pub fn input(name: &str, level: &str, parent: Option<&Org>, region: &str) -> OrgInput {
    OrgInput {
        name: name.into(),
        level: level.into(),
        parent_id: parent.map(|p| p.id.0),
        region_code: region.into(),
        ..Default::default()
    }
}

/// Creates an org through the use case, as staff would.
pub async fn org(db: &Store, name: &str, level: &str, parent: Option<&Org>, region: &str) -> Org {
    uc::create(db, &input(name, level, parent, region), &actor())
        .await
        .expect("create org")
}

pub async fn reload(db: &Store, id: OrgId) -> Org {
    uc::get(db, id).await.expect("org exists")
}

/// A browser-like client signed in to the console as `demo.admin`, an `org_admin` of `org`.
pub async fn signed_in(base: &str, db: &Store, org: &Org) -> reqwest::Client {
    zhijia_app::staff::create_demo_admin(db, org.id)
        .await
        .expect("demo admin");
    sign_in(
        base,
        zhijia_app::staff::DEMO_USERNAME,
        zhijia_app::staff::DEMO_PASSWORD,
    )
    .await
}

/// The body of a page fetched with `client` (keeping its cookies).
pub async fn page_text(client: &reqwest::Client, url: impl reqwest::IntoUrl) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// An HTTP client that keeps cookies, as a browser does.
pub fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .expect("client")
}

/// The demo code shown on the code page in demo mode.
pub fn demo_code(page: &str) -> String {
    let marker = "验证码是 <strong>";
    let start = page.find(marker).expect("the demo code is shown") + marker.len();
    page[start..start + 6].to_owned()
}

/// The text messages a test server sent, read as the phone would read them: tests take sign-in
/// codes from here, not from demo mode.
#[derive(Default)]
pub struct Outbox {
    sent: std::sync::Mutex<Vec<(String, String)>>,
}

impl zhijia_app::sms::SmsSender for Outbox {
    fn send<'a>(
        &'a self,
        phone: &'a str,
        text: &'a str,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<(), String>> + Send + 'a>> {
        self.sent
            .lock()
            .unwrap()
            .push((phone.to_owned(), text.to_owned()));
        Box::pin(async { Ok(()) })
    }
}

impl Outbox {
    /// The six-digit code of the last message sent to `phone`.
    pub fn code_for(&self, phone: &str) -> String {
        let sent = self.sent.lock().unwrap();
        let (_, text) = sent
            .iter()
            .rev()
            .find(|(p, _)| p == phone)
            .unwrap_or_else(|| panic!("no message was sent to {phone}"));
        let at = text.find("验证码是").expect("a sign-in code message") + "验证码是".len();
        text[at..at + 6].to_owned()
    }
}

/// Each test server's outbox, by its base address.
static OUTBOXES: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<Outbox>>>,
> = std::sync::LazyLock::new(Default::default);

/// Starts a server on the test's database with `config`, its SMS going to an outbox that
/// `sms_code` reads; returns its base address.
pub async fn site_with(t: &TestDb, config: zhijia_web::WebConfig) -> String {
    let outbox = std::sync::Arc::new(Outbox::default());
    let running =
        zhijia::serve::start_with_sms(t.store.clone(), "127.0.0.1:0", config, outbox.clone())
            .await
            .unwrap();
    let base = format!("http://{}", running.addr);
    OUTBOXES.lock().unwrap().insert(base.clone(), outbox);
    base
}

/// The last sign-in code the server at `base` sent to `phone`.
pub fn sms_code(base: &str, phone: &str) -> String {
    let outbox = OUTBOXES
        .lock()
        .unwrap()
        .get(base)
        .cloned()
        .expect("a server started by site_with or demo_site");
    outbox.code_for(phone)
}

/// Every text the server at `base` sent to `phone`, oldest first.
pub fn texts_to(base: &str, phone: &str) -> Vec<String> {
    let outbox = OUTBOXES
        .lock()
        .unwrap()
        .get(base)
        .cloned()
        .expect("a server started by site_with or demo_site");
    let sent = outbox.sent.lock().unwrap();
    sent.iter()
        .filter(|(p, _)| p == phone)
        .map(|(_, t)| t.clone())
        .collect()
}

/// A client signed in as the worker with `phone`, through the sign-in pages, with the code the
/// server texted.
pub async fn worker_signed_in(base: &str, phone: &str) -> reqwest::Client {
    let client = browser();
    worker_sign_in_with(&client, base, phone).await;
    client
}

/// A worker signed in with a cookie jar the test can read, for requests written by hand.
pub async fn worker_signed_in_jar(
    base: &str,
    phone: &str,
) -> (reqwest::Client, std::sync::Arc<reqwest::cookie::Jar>) {
    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .build()
        .expect("client");
    worker_sign_in_with(&client, base, phone).await;
    (client, jar)
}

async fn worker_sign_in_with(client: &reqwest::Client, base: &str, phone: &str) {
    let csrf = csrf_of(&page_text(client, format!("{base}/sign-in")).await);
    let r = client
        .post(format!("{base}/sign-in/code"))
        .form(&[("csrf", csrf.as_str()), ("phone", phone)])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "a code was sent: {}", r.status());
    let code = sms_code(base, phone);
    let fields = [
        ("csrf", csrf.as_str()),
        ("phone", phone),
        ("code", code.as_str()),
    ];
    let r = client
        .post(format!("{base}/sign-in/verify"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(r.url().path(), "/", "signed in");
}

pub async fn sign_in(base: &str, username: &str, password: &str) -> reqwest::Client {
    let client = browser();
    let form = page_text(&client, format!("{base}/console/sign-in")).await;
    let csrf = csrf_of(&form);
    let res = client
        .post(format!("{base}/console/sign-in"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf", &csrf),
            ("next", "/console"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "signed in and redirected to the console");
    client
}

/// The CSRF token of the first form of a page.
pub fn csrf_of(html: &str) -> String {
    let start =
        html.find("name=\"csrf\" value=\"").expect("a csrf field") + "name=\"csrf\" value=\"".len();
    html[start..start + 64].to_owned()
}

/// A branch of the tree for authorization tests: a city with two counties and a township.
pub struct Guangzhou {
    pub prov: Org,
    pub city: Org,
    pub tianhe: Org,
    pub yuexiu: Org,
    pub town: Org,
}

pub async fn guangzhou(db: &Store) -> Guangzhou {
    let prov = org(db, "广东省总工会", "province", None, "440000").await;
    let city = org(db, "广州市总工会", "city", Some(&prov), "440100").await;
    let tianhe = org(db, "广州市天河区总工会", "county", Some(&city), "440106").await;
    let yuexiu = org(db, "广州市越秀区总工会", "county", Some(&city), "440104").await;
    let town = org(
        db,
        "天河区沙河街道工会",
        "township",
        Some(&tianhe),
        "440106",
    )
    .await;
    Guangzhou {
        prov,
        city,
        tianhe,
        yuexiu,
        town,
    }
}

/// A second console account: an `org_admin` of `org`, signed in, first password changed.
pub async fn sign_in_second_admin(
    base: &str,
    db: &zhijia_store::Store,
    org: &zhijia_store::org::Org,
) -> reqwest::Client {
    let username = format!("admin{}", org.id.0);
    let username = username.as_str();
    let created = zhijia_app::staff::create_admin(db, username, "管理员", org.id, &actor())
        .await
        .unwrap();
    let client = sign_in(base, username, &created.initial_password).await;
    let form = page_text(&client, format!("{base}/console/password")).await;
    let csrf = csrf_of(&form);
    let new = "Tianhe2026pass!";
    let r = client
        .post(format!("{base}/console/password"))
        .form(&[
            ("csrf", csrf.as_str()),
            ("current", created.initial_password.as_str()),
            ("new", new),
            ("confirm", new),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    client
}

/// A server with personal-data keys on the test's database, as most HTTP tests need, its SMS
/// captured (not demo mode: codes are read as the phone reads them); returns its base address.
pub async fn demo_site(t: &TestDb) -> String {
    let config = zhijia_web::WebConfig {
        pii_keys: Some(keys()),
        ..zhijia_web::WebConfig::default()
    };
    site_with(t, config).await
}

/// A worker's bearer token, through the SMS sign-in API, with the code the server texted.
pub async fn worker_api_token(base: &str, phone: &str) -> String {
    let http = reqwest::Client::new();
    let sent: serde_json::Value = http
        .post(format!("{base}/api/v1/worker/sms-codes"))
        .json(&serde_json::json!({ "phone": phone }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        sent["demo_code"].is_null(),
        "no code in the answer outside demo mode"
    );
    let code = sms_code(base, phone);
    let body: serde_json::Value = http
        .post(format!("{base}/api/v1/worker/sessions"))
        .json(&serde_json::json!({ "phone": phone, "code": code.as_str() }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["token"].as_str().expect("a worker token").to_owned()
}
