//! The subcommands. Each is a thin shell over the use cases of zhijia-app.

use crate::config::StoreArgs;
use crate::serve;
use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::time::Instant;
use zhijia_app::demo::{self, DemoOptions, Progress};
use zhijia_app::{AppError, org as uc};
use zhijia_domain::audit::Actor;
use zhijia_domain::org::{OrgId, OrgInput};
use zhijia_domain::pii::PiiKeys;
use zhijia_store::Store;
use zhijia_web::WebConfig;

#[derive(Debug, Parser)]
#[command(
    name = "zhijia",
    version,
    about = "网上职工之家：工会找到、团结、服务职工的开源平台"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per run; variant sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// 启动服务(职工页面、工作台、JSON API)
    Serve(ServeArgs),
    /// 升级数据库结构(启动服务时也会自动执行)
    Migrate(StoreArgs),
    /// 载入演示数据(只能载入空库)
    Demo(DemoArgs),
    /// 生成个人信息加密密钥(设为 ZHIJIA_PII_KEY)
    Keygen,
    /// 管理工会组织树
    #[command(subcommand)]
    Org(OrgCommand),
    /// 工作人员账号
    #[command(subcommand)]
    Admin(AdminCommand),
    /// 导入数据
    #[command(subcommand)]
    Import(ImportCommand),
    /// 备份整个数据库到一个加密文件(运行中的服务不受影响；SQLite 须先停止服务)
    Backup {
        #[command(flatten)]
        store: StoreArgs,
        /// 备份文件的保存位置
        #[arg(long)]
        out: std::path::PathBuf,
        /// 备份密钥文件(64 位十六进制)；不存在时自动生成，请与备份分开保管
        #[arg(long)]
        key_file: std::path::PathBuf,
    },
    /// 从加密备份文件恢复到一个空数据库(SQLite 与 PostgreSQL 之间可互相恢复)
    Restore {
        #[command(flatten)]
        store: StoreArgs,
        /// 备份文件
        #[arg(long)]
        from: std::path::PathBuf,
        /// 备份时使用的密钥文件
        #[arg(long)]
        key_file: std::path::PathBuf,
    },
    /// 查看审计日志(最新的在前)
    Audit {
        #[command(flatten)]
        store: StoreArgs,
        /// 只看该组织及其下级的记录
        #[arg(long)]
        org: Option<i64>,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long, default_value_t = 0)]
        offset: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// 导入会员名册(.xlsx 或 .csv)，有误的行写入错误报告；重复导入不会产生重复会员
    Members {
        #[command(flatten)]
        store: StoreArgs,
        /// 名册文件
        file: std::path::PathBuf,
        /// 会员所属的工会编号
        #[arg(long)]
        org: i64,
        /// 错误报告(CSV)的保存位置；默认为名册文件旁的“文件名.errors.csv”
        #[arg(long)]
        errors: Option<std::path::PathBuf>,
        /// 每个事务写入的行数(中断后最多重做这么多行)
        #[arg(long, default_value_t = zhijia_app::membership::import::BATCH)]
        batch: usize,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// 新建组织管理员账号(首次登录须修改密码)，打印初始密码
    Create {
        #[command(flatten)]
        store: StoreArgs,
        /// 用户名(小写字母、数字、. _ -)
        #[arg(long)]
        username: String,
        /// 姓名
        #[arg(long)]
        name: String,
        /// 授予组织管理员角色的工会编号
        #[arg(long)]
        org: i64,
    },
}

#[derive(Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// 监听地址
    #[arg(long, env = "ZHIJIA_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// 演示模式：空库时自动载入演示数据
    #[arg(long)]
    pub demo: bool,
    /// 站点经 HTTPS 提供时开启：Cookie 加 Secure 标记并以 __Host- 为名，响应带 HSTS
    #[arg(long, env = "ZHIJIA_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// 受信任的反向代理地址段(CIDR，可多次指定，如 127.0.0.1/32)：只有来自这些地址的请求，其
    /// X-Forwarded-For 才被采信；其余一律以连接对端地址为准
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "ZHIJIA_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Vec<String>,
    /// /metrics 的访问令牌(Authorization: Bearer)；不设置则只允许本机直接访问
    #[arg(long, env = "ZHIJIA_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// 短信网关地址；不设置则验证码短信只写入日志
    #[arg(long, env = "ZHIJIA_SMS_GATEWAY_URL")]
    pub sms_gateway_url: Option<String>,
    /// 短信网关请求体模板，{phone}、{text} 会被替换
    #[arg(long, env = "ZHIJIA_SMS_GATEWAY_TEMPLATE", default_value = crate::sms_gateway::DEFAULT_TEMPLATE)]
    pub sms_gateway_template: String,
    /// 短信网关令牌(作为 Authorization: Bearer 发送)
    #[arg(long, env = "ZHIJIA_SMS_GATEWAY_TOKEN", hide_env_values = true)]
    pub sms_gateway_token: Option<String>,
    /// Working days a union has to review a join application.
    #[arg(long, env = "ZHIJIA_REVIEW_WORKING_DAYS", default_value_t = zhijia_app::membership::DEFAULT_REVIEW_WORKING_DAYS)]
    pub review_working_days: u32,
    /// Days after which a transfer the releasing union did not answer is released automatically.
    #[arg(long, env = "ZHIJIA_TRANSFER_RELEASE_DAYS", default_value_t = zhijia_app::membership::DEFAULT_RELEASE_DAYS)]
    pub transfer_release_days: i64,
    /// Business calendar (public holidays and make-up working days) as JSON; the built-in one
    /// (data/calendar/cn.json) when absent.
    #[arg(long, env = "ZHIJIA_CALENDAR")]
    pub calendar: Option<std::path::PathBuf>,
    /// Case deadlines (办理时限) in working days per kind and tier, as JSON; the built-in table
    /// (docs/domain.md) when absent.
    #[arg(long, env = "ZHIJIA_CASE_DEADLINES")]
    pub case_deadlines: Option<std::path::PathBuf>,
    /// Working days between two escalations (督办) of a case still overdue.
    #[arg(long, env = "ZHIJIA_CASE_ESCALATE_EVERY", default_value_t = zhijia_app::case::DEFAULT_ESCALATE_EVERY)]
    pub case_escalate_every: u32,
    /// Hardship-aid figures as JSON (minimum living standard per region, approval chains,
    /// yearly cap, notice and review periods; docs/domain.md); the built-in ones when absent.
    #[arg(long, env = "ZHIJIA_AID_CONFIG")]
    pub aid_config: Option<std::path::PathBuf>,
}

impl std::fmt::Debug for ServeArgs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServeArgs")
            .field("store", &self.store)
            .field("listen", &self.listen)
            .field("demo", &self.demo)
            .field(
                "sms_gateway_url",
                &self.sms_gateway_url.as_ref().map(|_| "<set>"),
            )
            .field(
                "sms_gateway_token",
                &self.sms_gateway_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub store: StoreArgs,
    /// 随机种子：相同种子生成相同数据
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
    /// 职工人数
    #[arg(long, default_value_t = 3000)]
    pub members: u64,
    /// 省级行政区划代码(两位)，默认广东
    #[arg(long, default_value = "44")]
    pub province: String,
}

#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// 新建工会组织
    Create {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        name: String,
        /// national / province / city / county / township / grassroots
        #[arg(long)]
        level: String,
        /// general / industry / regional
        #[arg(long)]
        kind: Option<String>,
        /// 上级工会编号
        #[arg(long)]
        parent: Option<i64>,
        /// 行政区划代码(6位)
        #[arg(long)]
        region: String,
        /// 工会法人统一社会信用代码(81开头)
        #[arg(long)]
        credit_code: Option<String>,
        #[arg(long)]
        employer_name: Option<String>,
        #[arg(long)]
        employer_credit_code: Option<String>,
        /// 行业门类 A-T
        #[arg(long)]
        industry: Option<String>,
        #[arg(long)]
        chair: Option<String>,
        /// 成立日期 YYYY-MM-DD
        #[arg(long)]
        founded: Option<String>,
    },
    /// 更名
    Rename {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
        name: String,
    },
    /// 把工会(连同全部下级)调整到新的上级工会之下
    Move {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
        /// 新的上级工会编号
        #[arg(long)]
        to: i64,
    },
    /// 列出本组织及全部下级
    Subtree {
        #[command(flatten)]
        store: StoreArgs,
        id: i64,
        #[arg(long, default_value_t = 50)]
        limit: i64,
        #[arg(long, default_value_t = 0)]
        offset: i64,
    },
}

pub async fn run(cli: Cli) -> Result<(), AppError> {
    match cli.command {
        Command::Serve(args) => serve_command(args).await,
        Command::Migrate(store) => {
            store.open().await?;
            println!("数据库结构已是最新");
            Ok(())
        }
        Command::Demo(args) => {
            let db = args.store.open().await?;
            let keys = args.store.keys(true)?;
            let opts = DemoOptions {
                seed: args.seed,
                members: args.members,
                province: args.province,
            };
            load_demo(&db, &keys, &opts).await
        }
        Command::Keygen => {
            println!("{}", PiiKeys::generate_hex());
            eprintln!(
                "请把上面的密钥设为环境变量 ZHIJIA_PII_KEY 并妥善备份：丢失密钥将无法解密已保存的身份证号。"
            );
            Ok(())
        }
        Command::Org(cmd) => org_command(cmd).await,
        Command::Admin(AdminCommand::Create {
            store,
            username,
            name,
            org,
        }) => {
            let db = store.open().await?;
            let actor = Actor::cli("zhijia admin create");
            let created =
                zhijia_app::staff::create_admin(&db, &username, &name, OrgId(org), &actor).await?;
            println!(
                "已建立工作人员账号(编号 {})，并授予组织管理员角色",
                created.staff.0
            );
            println!("初始密码：{}", created.initial_password);
            println!("请当面或通过安全渠道交给本人；首次登录时必须修改密码。");
            Ok(())
        }
        Command::Import(ImportCommand::Members {
            store,
            file,
            org,
            errors,
            batch,
        }) => import_members(&store, &file, org, errors, batch).await,
        Command::Backup {
            store,
            out,
            key_file,
        } => backup_command(&store, &out, &key_file).await,
        Command::Restore {
            store,
            from,
            key_file,
        } => restore_command(&store, &from, &key_file).await,
        Command::Audit {
            store,
            org,
            limit,
            offset,
        } => {
            let db = store.open().await?;
            let (limit, offset) = zhijia_app::page_bounds(Some(limit), Some(offset), 50);
            let page = zhijia_app::audit::for_operator(&db, org.map(OrgId), limit, offset).await?;
            for e in &page.items {
                println!(
                    "{}  {:<22} {}:{}{}  组织 {}  {} {}",
                    e.at.format("%Y-%m-%d %H:%M:%S"),
                    e.action,
                    e.actor_kind.as_str(),
                    e.actor_name,
                    e.ip.as_deref()
                        .map(|ip| format!("@{ip}"))
                        .unwrap_or_default(),
                    e.org_id.map_or("-".to_owned(), |o| o.to_string()),
                    e.target_kind.as_deref().unwrap_or(""),
                    e.detail.as_deref().unwrap_or(""),
                );
            }
            println!(
                "第 {}-{} 条，共 {} 条",
                offset + 1,
                offset + page.items.len() as i64,
                page.total
            );
            Ok(())
        }
    }
}

async fn import_members(
    store: &StoreArgs,
    file: &std::path::Path,
    org: i64,
    errors: Option<std::path::PathBuf>,
    batch: usize,
) -> Result<(), AppError> {
    use zhijia_app::membership::import;
    let db = store.open().await?;
    let keys = store.keys(false)?;
    let org = uc::get(&db, OrgId(org)).await?;
    let bytes = std::fs::read(file)
        .map_err(|e| AppError::invalid("file", format!("无法读取 {}：{e}", file.display())))?;
    let is_xlsx = bytes.starts_with(b"PK");
    let rows = if is_xlsx {
        import::xlsx_rows(bytes)?
    } else {
        import::csv_rows(std::io::Cursor::new(bytes))
    };
    let started = Instant::now();
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} 已处理 {pos} 行 ({per_sec}) {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_message(format!("导入到 {}", org.name));
    let actor = Actor::cli(&format!("import members {}", file.display()));
    let options = import::Options {
        batch,
        // The operator on the server holds the database: the report may name any union.
        sight: import::Sight::All,
        ..import::Options::now(chrono::Utc::now())
    };
    let report = import::import(&db, &keys, &actor, &org, rows, options, &|n| {
        bar.set_position(n)
    })
    .await?;
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "共 {} 行：导入 {} 人，已存在跳过 {} 人，有误 {} 行；用时 {:.1} 秒({:.0} 行/秒)",
        report.rows,
        report.imported,
        report.skipped,
        report.errors.len(),
        secs,
        report.rows as f64 / secs.max(0.001)
    );
    if !report.errors.is_empty() {
        let path = errors.unwrap_or_else(|| {
            let mut p = file.as_os_str().to_owned();
            p.push(".errors.csv");
            p.into()
        });
        std::fs::write(&path, import::error_report_csv(&report.errors))
            .map_err(|e| AppError::Config(format!("无法写入错误报告 {}：{e}", path.display())))?;
        println!("错误报告：{}", path.display());
        for e in report.errors.iter().take(10) {
            println!("  第{}行 {}：{}", e.row, e.column, e.reason);
        }
    }
    Ok(())
}

fn row_bar(verb: &'static str) -> ProgressBar {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} 行 ({per_sec}, 剩余 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(verb);
    bar
}

fn show(bar: &ProgressBar, verb: &str, p: zhijia_app::backup::Progress<'_>) {
    use zhijia_app::backup::Progress as P;
    match p {
        P::Total(n) => bar.set_length(n),
        P::Table(t) => bar.set_message(format!("{verb} {t}")),
        P::Rows(n) => {
            if n > bar.length().unwrap_or(0) {
                bar.set_length(n);
            }
            bar.set_position(n);
        }
    }
}

/// The backup key from its file, or a new one written there (readable by its owner only) when
/// the file does not exist yet.
fn backup_key(
    path: &std::path::Path,
    create: bool,
) -> Result<zhijia_app::backup::BackupKey, AppError> {
    use zhijia_app::backup::BackupKey;
    match std::fs::read_to_string(path) {
        Ok(text) => BackupKey::from_hex(&text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let key = BackupKey::generate();
            write_private(path, format!("{}\n", key.to_hex()).as_bytes())?;
            eprintln!(
                "已生成新的备份密钥：{}。请把它与备份文件分开保管：没有它无法恢复备份。",
                path.display()
            );
            Ok(key)
        }
        Err(e) => Err(AppError::Config(format!(
            "无法读取备份密钥 {}：{e}",
            path.display()
        ))),
    }
}

/// Creates a file only its owner may read (0600 on Unix).
fn open_private(path: &std::path::Path) -> Result<std::fs::File, AppError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .map_err(|e| AppError::Config(format!("无法写入 {}：{e}", path.display())))
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> Result<(), AppError> {
    use std::io::Write;
    open_private(path)?
        .write_all(bytes)
        .map_err(|e| AppError::Config(format!("无法写入 {}：{e}", path.display())))
}

async fn backup_command(
    store: &StoreArgs,
    out: &std::path::Path,
    key_file: &std::path::Path,
) -> Result<(), AppError> {
    let key = backup_key(key_file, true)?;
    let db = store.open().await?;
    // Written beside the target and renamed at the end: a backup that stops half-way never
    // stands where a complete one is expected.
    let partial = out.with_extension("partial");
    let file = open_private(&partial)?;
    let mut writer = std::io::BufWriter::new(file);
    let bar = row_bar("备份");
    let summary =
        zhijia_app::backup::backup(&db, &mut writer, &key, &|p| show(&bar, "备份", p)).await;
    bar.finish_and_clear();
    let summary = match summary {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&partial);
            return Err(e);
        }
    };
    drop(writer);
    std::fs::rename(&partial, out)
        .map_err(|e| AppError::Config(format!("无法写入 {}：{e}", out.display())))?;
    println!(
        "已备份 {} 张表、{} 行到 {}(已加密)",
        summary.tables,
        summary.rows,
        out.display()
    );
    Ok(())
}

async fn restore_command(
    store: &StoreArgs,
    from: &std::path::Path,
    key_file: &std::path::Path,
) -> Result<(), AppError> {
    let key = backup_key(key_file, false)?;
    let file = std::fs::File::open(from)
        .map_err(|e| AppError::Config(format!("无法打开备份文件 {}：{e}", from.display())))?;
    let mut reader = std::io::BufReader::new(file);
    let db = store.open().await?;
    let bar = row_bar("恢复");
    let summary =
        zhijia_app::backup::restore(&db, &mut reader, &key, &|p| show(&bar, "恢复", p)).await;
    bar.finish_and_clear();
    let summary = summary?;
    println!(
        "已恢复 {} 张表、{} 行(审计日志随数据一并恢复，恢复本身不另记审计)",
        summary.tables, summary.rows
    );
    Ok(())
}

async fn load_demo(db: &Store, keys: &PiiKeys, opts: &DemoOptions) -> Result<(), AppError> {
    let started = Instant::now();
    let bar = ProgressBar::new(opts.members);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({per_sec}, 剩余 {eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message("建立组织树");
    let report = |p: Progress| match p {
        Progress::Orgs(n) => bar.set_message(format!("已建立 {n} 个工会组织")),
        Progress::Workers { done, .. } => {
            bar.set_message("生成职工");
            bar.set_position(done);
        }
    };
    let summary = demo::generate(db, keys, opts, &report).await?;
    bar.finish_and_clear();
    demo::membership::samples(db, keys).await?;
    demo::case::samples(db).await?;
    demo::aid::samples(db, keys).await?;
    demo::benefit::samples(db, keys).await?;
    demo::activity::samples(db, keys).await?;
    demo::culture::samples(db).await?;
    let secs = started.elapsed().as_secs_f64();
    println!(
        "演示数据已载入：{} 个工会组织，{} 名职工，用时 {:.1} 秒(每秒 {:.0} 名)",
        summary.orgs,
        summary.workers,
        secs,
        summary.workers as f64 / secs.max(0.001)
    );
    Ok(())
}

/// The `--trusted-proxy` ranges; a bare address is a range of one.
fn trusted_proxies(typed: &[String]) -> Result<Vec<ipnet::IpNet>, AppError> {
    typed
        .iter()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<ipnet::IpNet>()
                .or_else(|_| t.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    AppError::Config(format!(
                        "--trusted-proxy “{t}” 不是地址或地址段(如 127.0.0.1 或 10.0.0.0/8)"
                    ))
                })
        })
        .collect()
}

async fn serve_command(args: ServeArgs) -> Result<(), AppError> {
    let db = args.store.open().await?;
    if args.demo {
        seed_demo(&db, &args).await?;
    }
    let config = web_config(&args)?;
    let running =
        serve::start_with_sms(db.clone(), &args.listen, config, sms_sender(&args)?).await?;
    announce(&db, &args, running.addr);
    match running.task.await {
        Ok(Ok(())) => Ok(()),
        Ok(Err(e)) => Err(AppError::Config(format!("服务异常停止：{e}"))),
        Err(e) => Err(AppError::Config(format!("服务异常停止：{e}"))),
    }
}

/// Demo mode on an empty store: loads the demo data and makes the demo administrator of the
/// province's first city.
async fn seed_demo(db: &Store, args: &ServeArgs) -> Result<(), AppError> {
    let keys = args.store.keys(true)?;
    if uc::roots(db, 1, 0).await?.total != 0 {
        return Ok(());
    }
    println!("演示模式：空库，正在载入演示数据……");
    load_demo(db, &keys, &DemoOptions::default()).await?;
    let province = uc::roots(db, 1, 0)
        .await?
        .items
        .into_iter()
        .next()
        .map(|root| root.id);
    if let Some(root) = province {
        let top = uc::children(db, root, 1, 0)
            .await?
            .items
            .into_iter()
            .next()
            .map_or(root, |p| p.id);
        zhijia_app::staff::create_demo_admin(db, top).await?;
    }
    Ok(())
}

/// Reads a JSON configuration file named by an option, or takes the default without one.
fn config_file<T>(
    path: &Option<std::path::PathBuf>,
    what: &str,
    parse: impl FnOnce(&str) -> Result<T, AppError>,
    default: impl FnOnce() -> T,
) -> Result<T, AppError> {
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| {
                AppError::Config(format!("无法读取{what}文件 {}：{e}", path.display()))
            })?;
            parse(&text)
        }
        None => Ok(default()),
    }
}

/// The server's configuration from the command line and the files it names.
fn web_config(args: &ServeArgs) -> Result<WebConfig, AppError> {
    let pii_keys = match args.store.keys(args.demo) {
        Ok(k) => Some(k),
        Err(e) => {
            tracing::warn!(error = %e, "personal data cannot be decrypted for display");
            None
        }
    };
    use zhijia_domain::calendar::BusinessCalendar;
    use zhijia_domain::case::DeadlinePolicy;
    let calendar = config_file(
        &args.calendar,
        "工作日历",
        |t| Ok(BusinessCalendar::from_json(t)?),
        BusinessCalendar::builtin,
    )?;
    let deadlines = config_file(
        &args.case_deadlines,
        "办理时限配置",
        |t| Ok(DeadlinePolicy::from_json(t)?),
        DeadlinePolicy::default,
    )?;
    let aid = config_file(
        &args.aid_config,
        "帮扶配置",
        zhijia_app::aid::Settings::from_json,
        zhijia_app::aid::Settings::default,
    )?;
    if args.case_escalate_every < 1 {
        return Err(AppError::invalid(
            "case_escalate_every",
            "督办间隔至少为1个工作日",
        ));
    }
    if args.transfer_release_days < 1 {
        return Err(AppError::invalid(
            "transfer_release_days",
            "自动转出期限至少为1天",
        ));
    }
    Ok(WebConfig {
        demo: args.demo,
        secure_cookies: args.secure_cookies,
        trusted_proxies: trusted_proxies(&args.trusted_proxies)?,
        metrics_token: args.metrics_token.clone().filter(|t| !t.trim().is_empty()),
        pii_keys,
        cases: zhijia_app::case::Settings {
            calendar: calendar.clone(),
            deadlines,
            escalate_every: args.case_escalate_every,
        },
        membership: zhijia_app::membership::Settings {
            calendar,
            review_working_days: args.review_working_days,
            release_days: args.transfer_release_days,
        },
        aid,
    })
}

/// The SMS gateway named on the command line, or the log.
fn sms_sender(
    args: &ServeArgs,
) -> Result<std::sync::Arc<dyn zhijia_app::sms::SmsSender>, AppError> {
    Ok(match &args.sms_gateway_url {
        Some(url) => std::sync::Arc::new(
            crate::sms_gateway::HttpSender::new(
                url,
                &args.sms_gateway_template,
                args.sms_gateway_token.clone(),
            )
            .map_err(AppError::Config)?,
        ),
        None => std::sync::Arc::new(zhijia_app::sms::LogSender),
    })
}

/// Tells the operator where the server listens (and, in demo mode, how to sign in).
fn announce(db: &Store, args: &ServeArgs, addr: std::net::SocketAddr) {
    let where_ = match db.sqlite_path() {
        Some(p) => format!("SQLite {}", p.display()),
        None => "PostgreSQL".to_owned(),
    };
    println!("网上职工之家已启动({where_})");
    println!("请在浏览器打开：http://{addr}/");
    println!("工会工作台：http://{addr}/console");
    if args.demo {
        println!(
            "演示登录(工作台)：用户名 {}，密码 {}",
            zhijia_app::staff::DEMO_USERNAME,
            zhijia_app::staff::DEMO_PASSWORD
        );
        println!(
            "演示帮扶专干：demo.aid.grassroots、demo.aid.county、demo.aid.city；商户核销：demo.merchant；活动组织：demo.activity(密码同上)"
        );
    }
    println!("按 Ctrl-C 停止。");
}

async fn org_command(cmd: OrgCommand) -> Result<(), AppError> {
    match cmd {
        OrgCommand::Create {
            store,
            name,
            level,
            kind,
            parent,
            region,
            credit_code,
            employer_name,
            employer_credit_code,
            industry,
            chair,
            founded,
        } => {
            let db = store.open().await?;
            let input = OrgInput {
                name,
                level,
                kind,
                parent_id: parent,
                region_code: region,
                credit_code,
                employer_name,
                employer_credit_code,
                industry_code: industry,
                chair,
                founded_on: founded,
            };
            let org = uc::create(&db, &input, &Actor::cli("zhijia org create")).await?;
            println!(
                "已建立：{}(编号 {}，路径 {})",
                org.name,
                org.id,
                org.path.as_str()
            );
        }
        OrgCommand::Rename { store, id, name } => {
            let db = store.open().await?;
            let org = uc::rename(&db, OrgId(id), &name, &Actor::cli("zhijia org rename")).await?;
            println!("已更名为：{}", org.name);
        }
        OrgCommand::Move { store, id, to } => {
            let db = store.open().await?;
            let n =
                uc::move_subtree(&db, OrgId(id), OrgId(to), &Actor::cli("zhijia org move")).await?;
            println!("已调整隶属关系：共 {n} 个组织随之移动");
        }
        OrgCommand::Subtree {
            store,
            id,
            limit,
            offset,
        } => {
            let db = store.open().await?;
            let (limit, offset) = zhijia_app::page_bounds(Some(limit), Some(offset), 50);
            let page = uc::subtree(&db, OrgId(id), limit, offset).await?;
            for o in &page.items {
                let indent = "  ".repeat(usize::try_from(o.depth).unwrap_or(0));
                println!("{indent}{} [{}] #{}", o.name, o.level.label(), o.id);
            }
            println!(
                "第 {}-{} 个，共 {} 个",
                offset + 1,
                offset + page.items.len() as i64,
                page.total
            );
        }
    }
    Ok(())
}
