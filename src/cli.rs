//! Command-line interface (INTERFACES.md, "Command line").

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "queuetop",
    about = "A live terminal wallboard for contact centres (NICE CXone, Genesys Cloud, or the built-in demo).",
    disable_version_flag = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(flatten)]
    pub board: BoardArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Args, Clone, Default)]
pub struct Global {
    /// Configuration file (default: $QUEUETOP_CONFIG, then the platform config dir)
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Use the built-in simulated contact centre even when a configuration exists
    #[arg(long, global = true)]
    pub demo: bool,
    /// Seed of the demo centre (the same seed gives the same centre)
    #[arg(long, global = true, value_name = "N")]
    pub seed: Option<u64>,
    /// Show the demo centre, or a collector's look-back (kind = "nats"), at this instant
    /// (RFC 3339, e.g. 2026-12-02T09:45:00Z): `snapshot`
    /// and `history` use exactly it, the board starts there and runs on at wall speed
    #[arg(long, global = true, value_name = "TIME", value_parser = parse_at)]
    pub at: Option<chrono::DateTime<chrono::Utc>>,
    /// With --at on the board: replay this many times as fast as the wall clock (1–1000)
    #[arg(long, global = true, value_name = "N")]
    pub speed: Option<u32>,
    /// How often live data is polled, e.g. 5s, 30s, 2m
    #[arg(long, global = true, value_name = "DURATION")]
    pub refresh: Option<String>,
    /// Write the log here instead of the platform state dir
    #[arg(long, global = true, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// Print the version, the configuration and log paths, and exit
    #[arg(long, short = 'V', global = true)]
    pub version: bool,
}

/// Options of the live board (no subcommand).
#[derive(Debug, Args, Clone, Default)]
pub struct BoardArgs {
    /// Start in wall mode: big-number queue panels that fill the screen (key w toggles)
    #[arg(long)]
    pub wall: bool,
    /// How long each wall page stays before the next, e.g. 15s, 1m (default 15s)
    #[arg(long, value_name = "DURATION")]
    pub rotate: Option<String>,
    /// Ring the terminal bell when a queue alarm starts
    #[arg(long)]
    pub bell: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    Json,
    #[default]
    Table,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch everything the board shows once, print it, exit
    ///
    /// Exit codes: 0 every source is live; 3 some sources are not live (the snapshot is
    /// printed anyway, each source's status and error in it); 1 no source could be reached;
    /// 2 usage or configuration error. Gives up after 30 s in all; QUEUETOP_CLI_DEADLINE
    /// (e.g. 10s, 2m) changes that.
    Snapshot {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Print one agent's state history, exit
    ///
    /// Exit codes: 0 printed; 1 the source could not be reached or did not answer; 2 usage
    /// error (no such agent, several match, bad flags). Gives up after 30 s in all;
    /// QUEUETOP_CLI_DEADLINE (e.g. 10s, 2m) changes that.
    History {
        /// Agent id or (part of) the name
        #[arg(long, value_name = "ID_OR_NAME")]
        agent: String,
        /// Only look in this source
        #[arg(long, value_name = "NAME")]
        source: Option<String>,
        /// How far back, in hours (1–48)
        // Parsed wide and checked by the command, so `--hours -1` gets a clear message
        // instead of clap's "unexpected argument".
        #[arg(long, default_value_t = 24, allow_negative_numbers = true)]
        hours: i64,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Erlang C staffing calculator
    Erlang {
        #[arg(long, value_name = "R", allow_negative_numbers = true)]
        calls_per_hour: f64,
        /// Average handle time in seconds
        #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
        aht: f64,
        #[arg(long, value_name = "N", allow_negative_numbers = true)]
        agents: i64,
        /// Service-level threshold in seconds
        #[arg(long, value_name = "SECONDS", allow_negative_numbers = true)]
        threshold: f64,
        /// Target service level as a fraction, e.g. 0.8
        #[arg(long, value_name = "FRACTION", allow_negative_numbers = true)]
        target: Option<f64>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Validate the configuration, print what would be used, exit
    CheckConfig,
    /// Run the configured sources once and publish them to NATS for many viewers
    ///
    /// Viewers use a source with kind = "nats". Flags go on top of the file's [serve].
    /// Exits 2 on a configuration error; keeps reconnecting to NATS with backoff; stops on
    /// SIGINT / SIGTERM. Logs go to --log-file (`-` for stdout).
    Serve {
        /// NATS server, e.g. nats://127.0.0.1:4222 (tls:// for another host)
        #[arg(long, value_name = "URL")]
        nats: Option<String>,
        /// The centre's name: part of the subjects, bucket and stream (letters, digits, - and _)
        #[arg(long, value_name = "NAME")]
        centre: Option<String>,
        /// Serve OpenMetrics text at http://ADDR/metrics, e.g. 127.0.0.1:9464
        #[arg(long, value_name = "ADDR")]
        metrics: Option<String>,
    },
}

/// `--at`: an RFC 3339 instant with its offset (`Z` or `+01:00`).
fn parse_at(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|e| format!("{e} (write an RFC 3339 instant, e.g. 2026-12-02T09:45:00Z)"))
}
