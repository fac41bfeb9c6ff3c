//! Start-up of `zhijia serve`: build the application from configuration, bind, serve until
//! asked to stop. Tests call `start` on port 0.

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::net::TcpListener;
use zhijia_app::AppError;
use zhijia_store::Store;
use zhijia_web::{AppState, WebConfig};

/// A running server: its address and the task serving it.
pub struct Running {
    pub addr: SocketAddr,
    pub task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Binds `listen` and serves the application on `store` in a background task, with SMS going
/// to the log.
pub async fn start(store: Store, listen: &str, config: WebConfig) -> Result<Running, AppError> {
    start_with_sms(store, listen, config, Arc::new(zhijia_app::sms::LogSender)).await
}

/// The same, with an operator's SMS sender.
pub async fn start_with_sms(
    store: Store,
    listen: &str,
    config: WebConfig,
    sms: Arc<dyn zhijia_app::sms::SmsSender>,
) -> Result<Running, AppError> {
    let listener = TcpListener::bind(listen)
        .await
        .map_err(|e| AppError::Config(format!("无法监听地址 {listen}：{e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| AppError::Config(e.to_string()))?;
    spawn_job_runner(store.clone(), config.clone());
    if let Some(index) = config.search.clone() {
        spawn_indexer(store.clone(), index);
    }
    let app = zhijia_web::app(AppState::with_sms(store, config, sms)?);
    let task = tokio::spawn(async move {
        // The peer's address is what the client is, unless a trusted proxy says otherwise.
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(shutdown_signal())
            .await
    });
    Ok(Running { addr, task })
}

/// The background job runner of this process: every minute it schedules the periodic jobs (one
/// row per period, whichever process gets there first) and runs whatever is due. Jobs live in
/// the database, so several processes on one PostgreSQL share them and each runs once
/// (`zhijia_app::job`).
fn spawn_job_runner(store: Store, config: WebConfig) {
    let worker = zhijia_app::job::worker_name();
    let kinds: Vec<&str> = zhijia_app::job::ALL.iter().map(|k| k.as_str()).collect();
    tracing::info!(worker = %worker, kinds = ?kinds, "background jobs run in this process");
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            let ctx = zhijia_app::job::JobCtx {
                db: &store,
                cases: &config.cases,
            };
            let now = chrono::Utc::now();
            let ran = match zhijia_app::job::schedule(&ctx, now).await {
                Ok(()) => zhijia_app::job::run_due(&ctx, &worker, now).await,
                Err(e) => Err(e),
            };
            if let Err(e) = ran {
                tracing::warn!(error = %e, "background jobs failed");
            }
        }
    });
}

/// This process's search indexer: every two seconds it applies the outbox of changes to its own
/// index (rebuilding it when it is new or too far behind), and once an hour it prunes outbox
/// rows older than a week, whichever process gets there (docs/search.md).
fn spawn_indexer(store: Store, index: zhijia_search::Index) {
    tokio::spawn(async move {
        let mut indexer = zhijia_app::search::Indexer::new(index);
        let mut every = tokio::time::interval(std::time::Duration::from_secs(2));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_prune = std::time::Instant::now();
        loop {
            every.tick().await;
            match indexer.step(&store).await {
                Ok(zhijia_app::search::Step::Rebuilt(n)) => {
                    tracing::info!(documents = n, "search index rebuilt")
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "search indexer failed"),
            }
            if last_prune.elapsed() >= std::time::Duration::from_secs(3600) {
                last_prune = std::time::Instant::now();
                if let Err(e) = zhijia_app::search::prune(&store, chrono::Utc::now()).await {
                    tracing::warn!(error = %e, "search outbox prune failed");
                }
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
