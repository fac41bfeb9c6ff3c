//! Configuration shared by the subcommands: where the store is and the personal-data keys.

use clap::Args;
use std::fmt;
use std::path::{Path, PathBuf};
use zhijia_app::AppError;
use zhijia_domain::pii::PiiKeys;
use zhijia_store::{Store, StoreTarget};

/// How many server processes may share one data folder, each with a search index of its own.
const SEARCH_SLOTS: u32 = 8;

/// Options of every subcommand that touches the store.
#[derive(Clone, Args)]
pub struct StoreArgs {
    /// 数据目录：内置 SQLite 数据库、密钥文件等存放于此
    #[arg(long, env = "ZHIJIA_DATA_DIR", default_value = "./zhijia-data")]
    pub data_dir: PathBuf,
    /// PostgreSQL 地址(postgres://用户:密码@主机/库名)；不设置则使用数据目录中的 SQLite
    #[arg(long, env = "ZHIJIA_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// 个人信息加密密钥(128位十六进制，zhijia keygen 生成)；不设置则读取数据目录中的 pii.key
    #[arg(long, env = "ZHIJIA_PII_KEY", hide_env_values = true)]
    pub pii_key: Option<String>,
}

impl fmt::Debug for StoreArgs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoreArgs")
            .field("data_dir", &self.data_dir)
            .field(
                "database_url",
                &self.database_url.as_ref().map(|_| "<redacted>"),
            )
            .field("pii_key", &self.pii_key.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

impl StoreArgs {
    pub fn target(&self) -> Result<StoreTarget, AppError> {
        Ok(StoreTarget::from_config(
            self.database_url.as_deref(),
            &self.data_dir,
        )?)
    }

    /// Opens (or creates) the data folder's first search index, `search`, for `zhijia reindex`:
    /// refused while a server uses it.
    pub fn search_index(&self) -> Result<zhijia_search::Index, AppError> {
        let dir = self.data_dir.join("search");
        zhijia_search::Index::open_or_create(&dir).map_err(|e| match e {
            zhijia_search::SearchError::Busy => AppError::Config(format!(
                "搜索索引 {} 正被另一个进程使用：重建索引请先停止使用该目录的服务",
                dir.display()
            )),
            e => AppError::Config(format!("无法打开搜索索引 {}：{e}", dir.display())),
        })
    }

    /// Opens (or creates) a search index of this server process's own (docs/search.md): the
    /// first free one of `search`, `search-2`, … `search-8` in the data folder. Several
    /// processes may share a data folder on PostgreSQL (two `zhijia serve` on one host), and a
    /// tantivy index has one writer, so each takes a slot of its own and keeps it current from
    /// the outbox; a restarted process finds a slot again and catches up from its cursor.
    pub fn server_search_index(&self) -> Result<(zhijia_search::Index, PathBuf), AppError> {
        for slot in 1..=SEARCH_SLOTS {
            let dir = match slot {
                1 => self.data_dir.join("search"),
                n => self.data_dir.join(format!("search-{n}")),
            };
            match zhijia_search::Index::open_or_create(&dir) {
                Ok(index) => return Ok((index, dir)),
                Err(zhijia_search::SearchError::Busy) => continue,
                Err(e) => {
                    return Err(AppError::Config(format!(
                        "无法打开搜索索引 {}：{e}",
                        dir.display()
                    )));
                }
            }
        }
        Err(AppError::Config(format!(
            "数据目录 {} 的 {SEARCH_SLOTS} 个搜索索引都正被其他进程使用：请给这个服务进程另设数据目录",
            self.data_dir.display()
        )))
    }

    /// Opens the store and applies pending migrations.
    pub async fn open(&self) -> Result<Store, AppError> {
        let store = Store::open(&self.target()?).await?;
        let applied = zhijia_store::migrate::run(&store).await?;
        for m in applied {
            tracing::info!(migration = %m, "migration applied");
        }
        Ok(store)
    }

    /// The personal-data keys: from the option or environment, else from `pii.key` in the data
    /// folder. With `create_for_demo`, a missing file is created (with a warning), so a newcomer's
    /// first `serve --demo` works; a real deployment sets the key explicitly.
    pub fn keys(&self, create_for_demo: bool) -> Result<PiiKeys, AppError> {
        if let Some(k) = self.pii_key.as_deref().filter(|k| !k.trim().is_empty()) {
            return PiiKeys::from_hex(k).map_err(|e| AppError::Config(e.to_string()));
        }
        let path = self.data_dir.join("pii.key");
        match std::fs::read_to_string(&path) {
            Ok(k) => PiiKeys::from_hex(&k)
                .map_err(|e| AppError::Config(format!("{}：{e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create_for_demo => {
                write_new_key(&path)?;
                tracing::warn!(
                    path = %path.display(),
                    "演示模式：已在数据目录生成个人信息加密密钥。正式部署请用 zhijia keygen 生成密钥并通过 ZHIJIA_PII_KEY 配置，且妥善备份"
                );
                self.keys(false)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(AppError::Config(format!(
                "未配置个人信息加密密钥：请用 zhijia keygen 生成并设置 ZHIJIA_PII_KEY，或放在 {}",
                path.display()
            ))),
            Err(e) => Err(AppError::Config(format!(
                "无法读取 {}：{e}",
                path.display()
            ))),
        }
    }
}

fn write_new_key(path: &Path) -> Result<(), AppError> {
    let io =
        |e: std::io::Error| AppError::Config(format!("无法写入密钥文件 {}：{e}", path.display()));
    if let Some(dir) = path.parent().filter(|d| !d.exists()) {
        // The data folder holds personal data: only its owner may enter it.
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder.create(dir).map_err(io)?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    use std::io::Write;
    let mut f = opts.open(path).map_err(io)?;
    f.write_all(PiiKeys::generate_hex().as_bytes())
        .map_err(io)?;
    Ok(())
}
