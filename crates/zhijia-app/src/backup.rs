//! Backup files: every table of a store, read in one snapshot (`zhijia_store::backup`), as
//! JSON lines, encrypted with a key the operator holds, and restored into an empty store of
//! either backend.
//!
//! The file is `ZHIJIA-BACKUP` + version byte + a 7-byte random nonce prefix, then chunks of at
//! most 64 KiB sealed with AES-256-GCM: each chunk is its ciphertext length (4 bytes, big
//! endian) and the ciphertext. A chunk's nonce is the prefix, its number and a last-chunk flag
//! (the STREAM construction), and the header is authenticated with every chunk: a chunk moved,
//! dropped, changed or cut off at the end is refused, and nothing is restored.

use crate::AppError;
use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use serde_json::{Value as Json, json};
use std::io::{Read, Write};
use zhijia_store::Store;
use zhijia_store::backup::{self as store_backup, Item, Restore, Table, Value};

const MAGIC: &[u8] = b"ZHIJIA-BACKUP";
const VERSION: u8 = 1;
const PREFIX: usize = 7;
const CHUNK: usize = 64 * 1024;
const HEADER: usize = MAGIC.len() + 1 + PREFIX;

/// The operator's backup key: 256 bits, kept apart from the backups it opens.
pub struct BackupKey([u8; 32]);

impl BackupKey {
    pub fn generate() -> BackupKey {
        BackupKey(random_bytes())
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    pub fn from_hex(text: &str) -> Result<BackupKey, AppError> {
        let bytes = hex::decode(text.trim())
            .ok()
            .filter(|b| b.len() == 32)
            .ok_or_else(|| AppError::Config("备份密钥应为 64 位十六进制字符".into()))?;
        let mut k = [0u8; 32];
        k.copy_from_slice(&bytes);
        Ok(BackupKey(k))
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&self.0.into())
    }
}

/// How far a backup or restore has come, for a progress bar.
pub enum Progress<'a> {
    /// Rows in the whole copy, when known.
    Total(u64),
    Table(&'a str),
    Rows(u64),
}

/// What a backup or restore handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Summary {
    pub tables: usize,
    pub rows: u64,
}

/// 32 bytes from the operating system's random source.
fn random_bytes() -> [u8; 32] {
    let mut out = [0u8; 32];
    if let Ok(b) = hex::decode(zhijia_domain::auth::random_token()) {
        out.copy_from_slice(&b[..32]);
    }
    out
}

fn broken(reason: &str) -> AppError {
    AppError::Config(format!("备份文件无法读取：{reason}"))
}

fn io(e: std::io::Error) -> AppError {
    AppError::Config(format!("备份文件读写失败：{e}"))
}

fn nonce(prefix: &[u8; PREFIX], counter: u32, last: bool) -> [u8; 12] {
    let mut n = [0u8; 12];
    n[..PREFIX].copy_from_slice(prefix);
    n[PREFIX..PREFIX + 4].copy_from_slice(&counter.to_be_bytes());
    n[11] = u8::from(last);
    n
}

/// Seals plaintext into chunks as it comes.
struct Sealer<'w> {
    out: &'w mut dyn Write,
    cipher: Aes256Gcm,
    header: [u8; HEADER],
    prefix: [u8; PREFIX],
    counter: u32,
    buf: Vec<u8>,
}

impl<'w> Sealer<'w> {
    fn new(out: &'w mut dyn Write, key: &BackupKey) -> Result<Self, AppError> {
        let mut prefix = [0u8; PREFIX];
        prefix.copy_from_slice(&random_bytes()[..PREFIX]);
        let mut header = [0u8; HEADER];
        header[..MAGIC.len()].copy_from_slice(MAGIC);
        header[MAGIC.len()] = VERSION;
        header[MAGIC.len() + 1..].copy_from_slice(&prefix);
        out.write_all(&header).map_err(io)?;
        Ok(Sealer {
            out,
            cipher: key.cipher(),
            header,
            prefix,
            counter: 0,
            buf: Vec::with_capacity(CHUNK),
        })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), AppError> {
        self.buf.extend_from_slice(bytes);
        while self.buf.len() > CHUNK {
            let rest = self.buf.split_off(CHUNK);
            let chunk = std::mem::replace(&mut self.buf, rest);
            self.seal(&chunk, false)?;
        }
        Ok(())
    }

    fn seal(&mut self, plain: &[u8], last: bool) -> Result<(), AppError> {
        let n = nonce(&self.prefix, self.counter, last);
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&n),
                Payload {
                    msg: plain,
                    aad: &self.header,
                },
            )
            .map_err(|_| AppError::Internal("备份加密失败".into()))?;
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| AppError::Internal("备份过大".into()))?;
        let len = u32::try_from(sealed.len()).map_err(|_| AppError::Internal("块过大".into()))?;
        self.out.write_all(&len.to_be_bytes()).map_err(io)?;
        self.out.write_all(&sealed).map_err(io)
    }

    fn finish(mut self) -> Result<(), AppError> {
        let last = std::mem::take(&mut self.buf);
        self.seal(&last, true)?;
        self.out.flush().map_err(io)
    }
}

/// Opens chunks as they are read; `next` gives the plaintext of the next one, `None` after the
/// last (and an error if the file goes on, or stops before it).
struct Opener<'r> {
    input: &'r mut dyn Read,
    cipher: Aes256Gcm,
    header: [u8; HEADER],
    prefix: [u8; PREFIX],
    counter: u32,
    done: bool,
}

impl<'r> Opener<'r> {
    fn new(input: &'r mut dyn Read, key: &BackupKey) -> Result<Self, AppError> {
        let mut header = [0u8; HEADER];
        input
            .read_exact(&mut header)
            .map_err(|_| broken("文件太短，不是 zhijia 备份"))?;
        if &header[..MAGIC.len()] != MAGIC {
            return Err(broken("不是 zhijia 备份文件"));
        }
        if header[MAGIC.len()] != VERSION {
            return Err(broken("备份格式版本不受支持，请用更新的 zhijia 恢复"));
        }
        let mut prefix = [0u8; PREFIX];
        prefix.copy_from_slice(&header[MAGIC.len() + 1..]);
        Ok(Opener {
            input,
            cipher: key.cipher(),
            header,
            prefix,
            counter: 0,
            done: false,
        })
    }

    fn next(&mut self) -> Result<Option<Vec<u8>>, AppError> {
        if self.done {
            let mut probe = [0u8; 1];
            return match self.input.read(&mut probe).map_err(io)? {
                0 => Ok(None),
                _ => Err(broken("最后一块之后还有数据，文件可能被改动")),
            };
        }
        let mut len = [0u8; 4];
        self.input
            .read_exact(&mut len)
            .map_err(|_| broken("文件不完整(缺少结尾)，可能复制时被截断"))?;
        let len = u32::from_be_bytes(len) as usize;
        if len > CHUNK + 16 {
            return Err(broken("数据块长度不正确"));
        }
        let mut sealed = vec![0u8; len];
        self.input
            .read_exact(&mut sealed)
            .map_err(|_| broken("文件不完整，可能复制时被截断"))?;
        for last in [false, true] {
            let n = nonce(&self.prefix, self.counter, last);
            if let Ok(plain) = self.cipher.decrypt(
                Nonce::from_slice(&n),
                Payload {
                    msg: &sealed,
                    aad: &self.header,
                },
            ) {
                self.counter += 1;
                self.done = last;
                return Ok(Some(plain));
            }
        }
        Err(broken("密钥不对，或文件已损坏、被改动"))
    }
}

fn to_json(v: &Value) -> Json {
    match v {
        Value::Null => Json::Null,
        Value::Int(n) => json!(n),
        Value::Real(f) => json!({ "r": f }),
        Value::Text(t) => json!(t),
        Value::Bytes(b) => json!({ "b": hex::encode(b) }),
    }
}

fn from_json(v: Json) -> Result<Value, AppError> {
    Ok(match v {
        Json::Null => Value::Null,
        Json::Number(n) => Value::Int(n.as_i64().ok_or_else(|| broken("整数超出范围"))?),
        Json::String(t) => Value::Text(t),
        Json::Object(o) => {
            if let Some(r) = o.get("r").and_then(Json::as_f64) {
                Value::Real(r)
            } else if let Some(b) = o.get("b").and_then(Json::as_str) {
                Value::Bytes(hex::decode(b).map_err(|_| broken("二进制值格式不正确"))?)
            } else {
                return Err(broken("值的格式不正确"));
            }
        }
        _ => return Err(broken("值的格式不正确")),
    })
}

/// Writes every table of `store` into `out`, encrypted with `key`.
pub async fn backup(
    store: &Store,
    out: &mut dyn Write,
    key: &BackupKey,
    progress: &dyn Fn(Progress<'_>),
) -> Result<Summary, AppError> {
    // Counted before the snapshot, for the progress bar only: the copy's own counts are
    // those of the snapshot.
    let mut total = 0u64;
    for (name, _) in store_backup::tables(store).await? {
        total += count(store, &name).await?;
    }
    progress(Progress::Total(total));
    let mut sealer = Sealer::new(out, key)?;
    let head = json!({
        "zhijia_backup": 1,
        "backend": store.backend().as_str(),
        "made_at": chrono::Utc::now().to_rfc3339(),
        "rows_estimate": total,
    });
    sealer.write(format!("{head}\n").as_bytes())?;
    let mut summary = Summary { tables: 0, rows: 0 };
    let mut failed: Option<AppError> = None;
    let mut line = Vec::with_capacity(512);
    store_backup::snapshot(store, &mut |item| {
        line.clear();
        let result = match item {
            Item::Table(t) => {
                summary.tables += 1;
                progress(Progress::Table(&t.name));
                let head = json!({ "table": t.name, "columns": t.columns, "rows": t.rows });
                serde_json::to_writer(&mut line, &head)
            }
            Item::Row(values) => {
                summary.rows += 1;
                if summary.rows.is_multiple_of(1000) {
                    progress(Progress::Rows(summary.rows));
                }
                let row: Vec<Json> = values.iter().map(to_json).collect();
                serde_json::to_writer(&mut line, &row)
            }
        };
        line.push(b'\n');
        let written = result
            .map_err(|e| AppError::Internal(e.to_string()))
            .and_then(|()| sealer.write(&line));
        if let Err(e) = written {
            failed = Some(e);
            return Err(zhijia_store::StoreError::Decode("备份写入失败".into()));
        }
        Ok(())
    })
    .await
    .map_err(|e| failed.take().unwrap_or_else(|| e.into()))?;
    progress(Progress::Rows(summary.rows));
    sealer.finish()?;
    Ok(summary)
}

async fn count(store: &Store, table: &str) -> Result<u64, AppError> {
    struct N(i64);
    impl zhijia_store::FromRow for N {
        fn from_row(row: &zhijia_store::Row<'_, '_>) -> zhijia_store::Result<Self> {
            Ok(N(row.get("n")?))
        }
    }
    let n: N = store
        .query_one(&format!("SELECT COUNT(*) AS n FROM \"{table}\""), &[])
        .await?;
    Ok(u64::try_from(n.0).unwrap_or(0))
}

/// Restores a backup into `store`, which must be empty (migrated, no rows). All or nothing: a
/// wrong key, a damaged file or a row the store refuses leaves it empty.
pub async fn restore(
    store: &Store,
    input: &mut dyn Read,
    key: &BackupKey,
    progress: &dyn Fn(Progress<'_>),
) -> Result<Summary, AppError> {
    if !store_backup::is_empty(store).await? {
        return Err(AppError::Conflict(
            "只能恢复到空数据库：目标数据库中已有数据。请换一个新的数据目录或新建的 PostgreSQL 库"
                .into(),
        ));
    }
    let mut opener = Opener::new(input, key)?;
    let mut lines = Lines {
        restore: Restore::begin(store).await.map_err(refused)?,
        count: 0,
        summary: Summary { tables: 0, rows: 0 },
        expected: None,
    };
    let mut pending = Vec::new();
    while let Some(plain) = opener.next()? {
        pending.extend_from_slice(&plain);
        let mut start = 0;
        while let Some(end) = pending[start..].iter().position(|&b| b == b'\n') {
            lines.take(&pending[start..start + end], progress).await?;
            start += end + 1;
        }
        pending.drain(..start);
    }
    if !pending.is_empty() {
        return Err(broken("结尾不完整"));
    }
    close_table(&lines.expected)?;
    lines.restore.commit().await.map_err(refused)?;
    progress(Progress::Rows(lines.summary.rows));
    Ok(lines.summary)
}

/// The lines of a backup as they are restored: the heading, then each table's heading and its
/// rows.
struct Lines {
    restore: Restore,
    /// Lines read so far.
    count: u64,
    summary: Summary,
    /// The table being restored: its name, the rows its heading promised, the rows read.
    expected: Option<(String, u64, u64)>,
}

impl Lines {
    async fn take(&mut self, line: &[u8], progress: &dyn Fn(Progress<'_>)) -> Result<(), AppError> {
        self.count += 1;
        let v: Json = serde_json::from_slice(line).map_err(|_| broken("内容格式不正确"))?;
        if self.count == 1 {
            if v.get("zhijia_backup").and_then(Json::as_i64) != Some(1) {
                return Err(broken("缺少备份说明"));
            }
            progress(Progress::Total(
                v.get("rows_estimate").and_then(Json::as_u64).unwrap_or(0),
            ));
            return Ok(());
        }
        match v {
            Json::Object(o) => {
                close_table(&self.expected)?;
                let table = table_heading(&o)?;
                progress(Progress::Table(&table.name));
                self.restore.table(&table).await.map_err(refused)?;
                self.summary.tables += 1;
                self.expected = Some((table.name, table.rows, 0));
            }
            Json::Array(values) => {
                let values = values
                    .into_iter()
                    .map(from_json)
                    .collect::<Result<Vec<_>, _>>()?;
                self.restore.row(values).await.map_err(refused)?;
                self.summary.rows += 1;
                if let Some(e) = self.expected.as_mut() {
                    e.2 += 1;
                }
                if self.summary.rows.is_multiple_of(1000) {
                    progress(Progress::Rows(self.summary.rows));
                }
            }
            _ => return Err(broken("内容格式不正确")),
        }
        Ok(())
    }
}

/// A table's heading line: its name, columns and row count.
fn table_heading(o: &serde_json::Map<String, Json>) -> Result<Table, AppError> {
    let name = o
        .get("table")
        .and_then(Json::as_str)
        .ok_or_else(|| broken("缺少表名"))?
        .to_owned();
    let columns: Vec<String> = o
        .get("columns")
        .and_then(Json::as_array)
        .map(|c| {
            c.iter()
                .filter_map(|c| c.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let rows = o.get("rows").and_then(Json::as_u64).unwrap_or(0);
    Ok(Table {
        name,
        columns,
        rows,
    })
}

/// The store refused what the copy holds: the operator needs the reason, not a generic one.
fn refused(e: zhijia_store::StoreError) -> AppError {
    AppError::Config(format!("恢复失败，数据库未作任何改动：{e}"))
}

/// A table's rows must all be there: the count in its heading is the snapshot's.
fn close_table(expected: &Option<(String, u64, u64)>) -> Result<(), AppError> {
    match expected {
        Some((name, want, got)) if want != got => {
            Err(broken(&format!("表 {name} 应有 {want} 行，实际 {got} 行")))
        }
        _ => Ok(()),
    }
}
