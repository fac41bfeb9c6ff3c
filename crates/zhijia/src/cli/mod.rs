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

mod backup;
mod import;
mod org;
mod serve_cmd;
use backup::*;
use import::*;
use org::*;
use serve_cmd::*;

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
    /// 站点对外地址(如 https://zhijia.example.cn/)：RSS/Atom 订阅和公众号排版导出中的链接、图片以此为准；
    /// 不设置则取请求的 Host
    #[arg(long, env = "ZHIJIA_PUBLIC_URL")]
    pub public_url: Option<String>,
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
        Command::Demo(args) => demo_command(args).await,
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
        }) => create_admin(&store, &username, &name, org).await,
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
        } => audit_command(&store, org, limit, offset).await,
    }
}

/// `zhijia demo`: loads the demo data into the store.
async fn demo_command(args: DemoArgs) -> Result<(), AppError> {
    let db = args.store.open().await?;
    let keys = args.store.keys(true)?;
    let opts = DemoOptions {
        seed: args.seed,
        members: args.members,
        province: args.province,
    };
    load_demo(&db, &keys, &opts).await
}

/// `zhijia admin create`: an administrator of an organisation, with a one-time password.
async fn create_admin(
    store: &StoreArgs,
    username: &str,
    name: &str,
    org: i64,
) -> Result<(), AppError> {
    let db = store.open().await?;
    let actor = Actor::cli("zhijia admin create");
    let created = zhijia_app::staff::create_admin(&db, username, name, OrgId(org), &actor).await?;
    println!(
        "已建立工作人员账号(编号 {})，并授予组织管理员角色",
        created.staff.0
    );
    println!("初始密码：{}", created.initial_password);
    println!("请当面或通过安全渠道交给本人；首次登录时必须修改密码。");
    Ok(())
}

/// `zhijia audit`: the audit trail, newest first, one line per entry.
async fn audit_command(
    store: &StoreArgs,
    org: Option<i64>,
    limit: i64,
    offset: i64,
) -> Result<(), AppError> {
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
