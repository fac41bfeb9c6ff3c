//! TLS to PostgreSQL against a real cluster started here with `ssl = on` and a CA made here:
//! `sslmode=verify-full&sslrootcert=…` connects encrypted, and a server whose certificate does
//! not chain to that CA, or does not name the host, is refused, as is a plain connection.
//!
//! Needs Debian's PostgreSQL server binaries, openssl and root (to run the cluster as the
//! `postgres` user). On CI (`CI=true`) their absence fails the test; elsewhere it is skipped.

use std::path::{Path, PathBuf};
use std::process::Command;
use zhijia_store::{Store, StoreTarget};

/// A PostgreSQL cluster in a temporary folder, stopped and removed when dropped.
struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    port: u16,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = as_postgres(&self.bin.join("pg_ctl"))
            .args([
                "-D",
                &path(&self.dir.join("data")),
                "-m",
                "immediate",
                "stop",
            ])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn as_postgres(program: &Path) -> Command {
    let mut c = Command::new("runuser");
    c.args(["-u", "postgres", "--"]).arg(program);
    c
}

fn run(c: &mut Command) {
    let out = c.output().expect("the command starts");
    assert!(
        out.status.success(),
        "{c:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The server binaries of the newest installed PostgreSQL, if the machine can run a cluster.
fn server_binaries() -> Option<PathBuf> {
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0");
    let has_openssl = Command::new("openssl").arg("version").output().is_ok();
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|b| b.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().filter(|_| is_root && has_openssl)
}

/// A self-signed CA `ca`, or with `leaf = (name, subjectAltName)` a key pair `name` signed by
/// the CA `ca`.
fn certificate(dir: &Path, ca: &str, leaf: Option<(&str, &str)>) {
    let d = |f: &str| path(&dir.join(f));
    if leaf.is_none() {
        run(Command::new("openssl").args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &format!("/CN={ca}"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout",
            &d(&format!("{ca}.key")),
            "-out",
            &d(&format!("{ca}.pem")),
        ]));
        return;
    }
    let (name, san) = leaf.unwrap_or_default();
    std::fs::write(
        dir.join(format!("{name}.ext")),
        format!(
            "subjectAltName={san}\nbasicConstraints=CA:FALSE\n\
             keyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
        ),
    )
    .unwrap();
    run(Command::new("openssl").args([
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-subj",
        "/CN=zhijia-db",
        "-keyout",
        &d(&format!("{name}.key")),
        "-out",
        &d(&format!("{name}.csr")),
    ]));
    run(Command::new("openssl").args([
        "x509",
        "-req",
        "-in",
        &d(&format!("{name}.csr")),
        "-CA",
        &d(&format!("{ca}.pem")),
        "-CAkey",
        &d(&format!("{ca}.key")),
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        &d(&format!("{name}.ext")),
        "-out",
        &d(&format!("{name}.pem")),
    ]));
}

fn start_cluster(bin: PathBuf) -> Cluster {
    let dir = std::env::temp_dir().join(format!("zhijia-pg-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    certificate(&dir, "zhijia-test-ca", None);
    certificate(&dir, "other-ca", None);
    certificate(&dir, "zhijia-test-ca", Some(("server", "DNS:localhost")));
    run(Command::new("chown").args(["-R", "postgres", &path(&dir)]));
    run(Command::new("chmod").args(["0755", &path(&dir)]));
    run(Command::new("chmod").args(["0600", &path(&dir.join("server.key"))]));
    let cluster = Cluster { dir, bin, port };
    let data = path(&cluster.dir.join("data"));
    run(as_postgres(&cluster.bin.join("initdb")).args([
        "-D",
        &data,
        "-A",
        "trust",
        "-U",
        "postgres",
        "--no-sync",
    ]));
    let conf = format!(
        "\nport = {port}\nlisten_addresses = 'localhost'\nunix_socket_directories = '{dir}'\n\
         ssl = on\nssl_cert_file = '{dir}/server.pem'\nssl_key_file = '{dir}/server.key'\n\
         fsync = off\n",
        dir = path(&cluster.dir)
    );
    let conf_path = cluster.dir.join("data/postgresql.conf");
    let mut text = std::fs::read_to_string(&conf_path).unwrap();
    text.push_str(&conf);
    std::fs::write(&conf_path, text).unwrap();
    // Only encrypted connections over the network: a plain one is refused by the server.
    std::fs::write(
        cluster.dir.join("data/pg_hba.conf"),
        "local all all trust\nhostssl all all 127.0.0.1/32 trust\nhostssl all all ::1/128 trust\n",
    )
    .unwrap();
    run(as_postgres(&cluster.bin.join("pg_ctl")).args([
        "-D",
        &data,
        "-l",
        &path(&cluster.dir.join("log")),
        "-w",
        "start",
    ]));
    cluster
}

async fn open(url: String) -> Result<Store, String> {
    Store::open(&StoreTarget::Postgres(url))
        .await
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn postgres_over_tls_is_verified_against_the_operators_ca_and_the_host_name() {
    let Some(bin) = server_binaries() else {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "CI must run the TLS test: PostgreSQL server binaries, openssl and root are needed"
        );
        eprintln!("skipped: no PostgreSQL server binaries, openssl or root here");
        return;
    };
    let cluster = tokio::task::spawn_blocking(move || start_cluster(bin))
        .await
        .unwrap();
    let port = cluster.port;
    let dir = path(&cluster.dir);
    let url =
        |host: &str, query: &str| format!("postgres://postgres@{host}:{port}/postgres{query}");

    // Verified against the CA, for the name on the certificate: connected, encrypted, usable.
    let store = open(url(
        "localhost",
        &format!("?sslmode=verify-full&sslrootcert={dir}/zhijia-test-ca.pem"),
    ))
    .await
    .unwrap();
    let encrypted: i64 = store
        .query_one(
            "SELECT COUNT(*) FROM pg_stat_ssl WHERE pid = pg_backend_pid() AND ssl",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(encrypted, 1);
    zhijia_store::migrate::run(&store).await.unwrap();
    drop(store);

    // A server whose certificate another CA signed (a machine in the middle): refused.
    let err = open(url(
        "localhost",
        &format!("?sslmode=verify-full&sslrootcert={dir}/other-ca.pem"),
    ))
    .await
    .expect_err("a certificate of another CA is refused");
    assert!(err.contains("certificate"), "{err}");
    // The right CA but another name than the certificate's: refused (verify-full).
    let err = open(url(
        "127.0.0.1",
        &format!("?sslmode=verify-full&sslrootcert={dir}/zhijia-test-ca.pem"),
    ))
    .await
    .expect_err("a certificate for another name is refused");
    assert!(err.contains("certificate"), "{err}");
    // `require` verifies too: with no CA given, a private CA is not trusted.
    assert!(open(url("localhost", "?sslmode=require")).await.is_err());
    // Plain: the server asks for TLS, so nothing unencrypted got through above.
    assert!(open(url("localhost", "")).await.is_err());
    // A CA file that is not there is named in the error.
    let err = open(url(
        "localhost",
        "?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem",
    ))
    .await
    .err()
    .unwrap();
    assert!(err.contains("/nonexistent/ca.pem"), "{err}");
    drop(cluster);
}
