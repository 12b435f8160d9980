//! queuetop: parse the command line, set up logging, run the chosen command.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;
use queuetop::cli::{Cli, Command};
use queuetop::commands::{self, Failure};
use queuetop::domain::text::printable;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if cli.global.version {
        print!("{}", commands::version_text(&cli.global));
        return ExitCode::SUCCESS;
    }
    let _log = init_logging(&cli);
    // Before anything can panic: restore the terminal, log, one line on stderr.
    queuetop::terminal::install_panic_hook();
    let result = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(run(cli)),
        Err(e) => Err(Failure::runtime(format!("cannot start the runtime: {e}"))),
    };
    match result {
        Ok(text) => {
            let mut out = std::io::stdout();
            // A closed pipe (e.g. `| head`) is not an error worth a message.
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            ExitCode::SUCCESS
        }
        Err(f) => {
            if let Some(text) = &f.stdout {
                let mut out = std::io::stdout();
                let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
            }
            // Messages quote outside text (paths, names, a platform's errors): nothing in
            // them may reach the terminal as a control sequence.
            let message: Vec<String> = f
                .message
                .lines()
                .map(|l| printable(l).into_owned())
                .collect();
            let message = message.join("\n");
            tracing::error!(code = f.code, "{message}");
            eprintln!("queuetop: {message}");
            ExitCode::from(u8::try_from(f.code).unwrap_or(1))
        }
    }
}

async fn run(cli: Cli) -> Result<String, Failure> {
    match cli.command {
        None => {
            let mut cfg = commands::resolve_config(&cli.global)?;
            cfg.wall
                .apply_flags(cli.board.wall, cli.board.rotate.as_deref(), cli.board.bell)
                .map_err(Failure::usage)?;
            // The board moves on from `--at` at wall speed, or `--speed` times as fast.
            cfg.clock = cfg.clock.running_at(cli.global.speed.unwrap_or(1));
            let cfg = Arc::new(cfg);
            tracing::info!(sources = cfg.sources.len(), "starting the board");
            let (sources, events) = queuetop::source::spawn_all(&cfg).map_err(Failure::usage)?;
            let app = queuetop::terminal::new_app(cfg);
            let theme = queuetop::ui::theme::Theme::from_env();
            queuetop::terminal::run_board(app, sources, events, theme)
                .await
                .map_err(|e| Failure::runtime(format!("{e:#}")))?;
            Ok(String::new())
        }
        Some(Command::Snapshot { format }) => {
            let budget = commands::cli_deadline(&|k| std::env::var(k).ok())?;
            commands::snapshot_within(commands::resolve_config(&cli.global)?, format, budget).await
        }
        Some(Command::History {
            agent,
            source,
            hours,
            format,
        }) => {
            let hours = commands::history_hours(hours)?;
            let budget = commands::cli_deadline(&|k| std::env::var(k).ok())?;
            commands::history_within(
                commands::resolve_config(&cli.global)?,
                &agent,
                source.as_deref(),
                hours,
                format,
                budget,
            )
            .await
        }
        Some(Command::Erlang {
            calls_per_hour,
            aht,
            agents,
            threshold,
            target,
            format,
        }) => commands::erlang(calls_per_hour, aht, agents, threshold, target, format),
        Some(Command::CheckConfig) => commands::check_config(&cli.global),
        Some(Command::Serve {
            nats,
            centre,
            metrics,
        }) => {
            let cfg = commands::serve_config(
                &cli.global,
                nats.as_deref(),
                centre.as_deref(),
                metrics.as_deref(),
            )?;
            queuetop::serve::run(std::sync::Arc::new(cfg))
                .await
                .map_err(Failure::runtime)?;
            Ok(String::new())
        }
    }
}

/// Log to a file (never the terminal). Level from QUEUETOP_LOG (default info). A log that
/// cannot be written is said on stderr before anything starts, never silently dropped.
fn init_logging(cli: &Cli) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let Some(path) = cli
        .global
        .log_file
        .clone()
        .or_else(commands::default_log_path)
    else {
        eprintln!(
            "queuetop: warning: no place for the log file (no home directory); logging is off (give --log-file PATH)"
        );
        return None;
    };
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_env("QUEUETOP_LOG")
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
    };
    if path.as_os_str() == "-" {
        // `serve --log-file -`: a service's log on stdout (never the board's terminal).
        let (writer, guard) = tracing_appender::non_blocking(std::io::stdout());
        let _ = tracing_subscriber::fmt()
            .with_writer(writer)
            .with_ansi(false)
            .with_env_filter(filter())
            .try_init();
        return Some(guard);
    }
    let file = match open_log(&path) {
        Ok(f) => f,
        Err(reason) => {
            eprintln!(
                "queuetop: warning: cannot write the log file {}: {}; logging is off",
                printable(&path.display().to_string()),
                printable(&reason)
            );
            return None;
        }
    };
    let (writer, guard) = tracing_appender::non_blocking(file);
    let _ = tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter())
        .try_init();
    Some(guard)
}

/// Open the log for appending, creating its directory; the reason when that fails.
fn open_log(path: &std::path::Path) -> Result<std::fs::File, String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| e.to_string())
}
