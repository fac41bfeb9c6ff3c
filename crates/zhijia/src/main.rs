use clap::Parser;
use std::process::ExitCode;
use tracing_subscriber::EnvFilter;
use zhijia::cli::{Cli, run};

/// mimalloc: many small short-lived allocations per request (rows, JSON) are its strong case;
/// measured in docs/benchmarks.md. The benchmark's bare baseline uses it too.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("ZHIJIA_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("错误：无法启动运行时：{e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let zhijia_app::AppError::Store(source) = &e {
                tracing::error!(error = %source, "store error");
            }
            eprintln!("错误：{e}");
            ExitCode::FAILURE
        }
    }
}
