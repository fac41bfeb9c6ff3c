//! `zhijia serve`: the demo data, the server's configuration, and the start-up message.

use super::*;

pub(super) async fn load_demo(
    db: &Store,
    keys: &PiiKeys,
    opts: &DemoOptions,
) -> Result<(), AppError> {
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
    demo::news::samples(db).await?;
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
pub(super) fn trusted_proxies(typed: &[String]) -> Result<Vec<ipnet::IpNet>, AppError> {
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

pub(super) async fn serve_command(args: ServeArgs) -> Result<(), AppError> {
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
pub(super) async fn seed_demo(db: &Store, args: &ServeArgs) -> Result<(), AppError> {
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
pub(super) fn config_file<T>(
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
pub(super) fn web_config(args: &ServeArgs) -> Result<WebConfig, AppError> {
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
        public_url: public_url(args.public_url.as_deref())?,
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
        search: Some(server_search_index(&args.store)?),
    })
}

/// This process's own search index, named in the log.
fn server_search_index(store: &crate::config::StoreArgs) -> Result<zhijia_search::Index, AppError> {
    let (index, dir) = store.server_search_index()?;
    tracing::info!(dir = %dir.display(), "search index");
    Ok(index)
}

/// The SMS gateway named on the command line, or the log.
pub(super) fn sms_sender(
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
pub(super) fn announce(db: &Store, args: &ServeArgs, addr: std::net::SocketAddr) {
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

/// The site's public address as given, checked: an `http` or `https` address without spaces;
/// an empty one is none.
fn public_url(given: Option<&str>) -> Result<Option<String>, AppError> {
    let Some(u) = given.map(str::trim).filter(|u| !u.is_empty()) else {
        return Ok(None);
    };
    let plain = (u.starts_with("https://") || u.starts_with("http://"))
        && !u.chars().any(|c| c.is_whitespace() || c.is_control());
    if !plain {
        return Err(AppError::invalid(
            "public_url",
            "站点对外地址应为 http:// 或 https:// 开头的网址",
        ));
    }
    Ok(Some(u.to_owned()))
}
