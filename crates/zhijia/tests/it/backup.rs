//! Backup and restore: every table comes back with the same rows, on each backend and across
//! them (SQLite → PostgreSQL → SQLite), and a wrong key, a damaged or cut file, or a store
//! already in use are refused with nothing written.

use crate::helpers::{TestDb, keys};
use zhijia_app::backup::{self, BackupKey, Summary};
use zhijia_app::demo::{self, DemoOptions};
use zhijia_store::Store;
use zhijia_store::backup::{checksums, is_empty};

async fn with_demo(t: &TestDb) {
    let opts = DemoOptions {
        seed: 11,
        members: 120,
        province: "44".into(),
    };
    demo::generate(&t.store, &keys(), &opts, &|_| {})
        .await
        .unwrap();
}

async fn copy(store: &Store, key: &BackupKey) -> (Vec<u8>, Summary) {
    let mut out = Vec::new();
    let s = backup::backup(store, &mut out, key, &|_| {}).await.unwrap();
    (out, s)
}

async fn back(
    store: &Store,
    file: &[u8],
    key: &BackupKey,
) -> Result<Summary, zhijia_app::AppError> {
    backup::restore(store, &mut &file[..], key, &|_| {}).await
}

#[tokio::test]
async fn a_backup_restores_the_same_rows_on_sqlite_and_across_to_postgresql_and_back() {
    let original = TestDb::sqlite().await;
    with_demo(&original).await;
    // A change through a use case, so the audit log has an entry too.
    crate::helpers::org(
        &original.store,
        "备份前新建工会",
        "grassroots",
        None,
        "440106",
    )
    .await;
    let key = BackupKey::generate();
    let before = checksums(&original.store).await.unwrap();
    let (file, made) = copy(&original.store, &key).await;
    assert!(made.tables > 30 && made.rows > 300, "{made:?}");
    let filled: Vec<_> = before
        .iter()
        .filter(|(_, n, _)| *n > 0)
        .map(|(t, ..)| t.as_str())
        .collect();
    for table in ["org", "worker", "membership", "audit_log"] {
        assert!(filled.contains(&table), "{table} empty: {filled:?}");
    }
    // Nothing of a person is readable in the file.
    assert!(
        !file.windows(3).any(|w| w == "工会".as_bytes()),
        "the file is not plain text"
    );

    let sqlite = TestDb::sqlite().await;
    assert_eq!(back(&sqlite.store, &file, &key).await.unwrap(), made);
    assert_eq!(checksums(&sqlite.store).await.unwrap(), before);

    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    assert_eq!(back(&pg.store, &file, &key).await.unwrap(), made);
    assert_eq!(
        checksums(&pg.store).await.unwrap(),
        before,
        "SQLite → PostgreSQL"
    );

    // The restored PostgreSQL store goes on working: new rows get new ids.
    let org = crate::helpers::org(&pg.store, "恢复后新建工会", "grassroots", None, "440106").await;
    assert!(org.id.0 > 1);

    let key2 = BackupKey::generate();
    let (file2, _) = copy(&pg.store, &key2).await;
    let again = TestDb::sqlite().await;
    back(&again.store, &file2, &key2).await.unwrap();
    let mut expected = checksums(&pg.store).await.unwrap();
    let mut got = checksums(&again.store).await.unwrap();
    expected.sort();
    got.sort();
    assert_eq!(got, expected, "PostgreSQL → SQLite");
}

#[tokio::test]
async fn a_wrong_key_a_damaged_or_cut_file_and_a_store_in_use_are_refused_with_nothing_written() {
    let original = TestDb::sqlite().await;
    with_demo(&original).await;
    let key = BackupKey::generate();
    let (file, _) = copy(&original.store, &key).await;

    let target = TestDb::sqlite().await;
    let e = back(&target.store, &file, &BackupKey::generate())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("密钥不对"), "{e}");

    let mut flipped = file.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 1;
    let e = back(&target.store, &flipped, &key).await.unwrap_err();
    assert!(e.to_string().contains("损坏"), "{e}");

    // Cut at a chunk boundary too: the last chunk carries its own mark.
    for cut in [file.len() - 10, file.len() / 3] {
        let e = back(&target.store, &file[..cut], &key).await.unwrap_err();
        assert!(
            e.to_string().contains("不完整") || e.to_string().contains("损坏"),
            "{e}"
        );
    }
    assert!(
        is_empty(&target.store).await.unwrap(),
        "a refused restore writes nothing"
    );

    let e = back(&original.store, &file, &key).await.unwrap_err();
    assert!(e.to_string().contains("只能恢复到空数据库"), "{e}");
    let e = back(&target.store, b"not a backup at all, just text", &key)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("不是 zhijia 备份"), "{e}");
}

#[test]
fn the_commands_back_up_to_a_private_file_with_a_new_key_and_restore_into_a_new_data_folder() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhijia"))
            .args(args)
            .env_remove("ZHIJIA_DATABASE_URL")
            .env_remove("ZHIJIA_PII_KEY")
            .env_remove("ZHIJIA_DATA_DIR")
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    };
    let d = data.to_str().unwrap();
    let (ok, text) = run(&["demo", "--data-dir", d, "--members", "60"]);
    assert!(ok, "{text}");
    let file = dir.path().join("zhijia.backup");
    let key = dir.path().join("backup.key");
    let (f, k) = (file.to_str().unwrap(), key.to_str().unwrap());
    let (ok, text) = run(&["backup", "--data-dir", d, "--out", f, "--key-file", k]);
    assert!(
        ok && text.contains("已生成新的备份密钥") && text.contains("已备份"),
        "{text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for p in [&file, &key] {
            let mode = std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{}", p.display());
        }
    }
    assert!(!dir.path().join("zhijia.partial").exists());

    let fresh = dir.path().join("fresh");
    let fr = fresh.to_str().unwrap();
    let (ok, text) = run(&["restore", "--data-dir", fr, "--from", f, "--key-file", k]);
    assert!(ok && text.contains("已恢复"), "{text}");
    let (ok, text) = run(&["restore", "--data-dir", fr, "--from", f, "--key-file", k]);
    assert!(!ok && text.contains("只能恢复到空数据库"), "{text}");
}
