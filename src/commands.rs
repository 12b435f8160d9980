//! The commands behind the CLI, shared by the binary and the tests.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use chrono::Duration;

use crate::cli::{Format, Global};
use crate::config::{self, Config, ConfigError, SourceConfig};
use crate::domain::spans;
use crate::model::Model;
use crate::output;
use crate::source::{self, SourceOptions};

/// A failure with its exit code (2 usage/configuration, 1 runtime, 3 a partial snapshot),
/// and what to print on stdout before the message (a partial answer is still an answer).
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
    /// Printed on stdout before the message goes to stderr.
    pub stdout: Option<String>,
}

/// `snapshot` printed what it has, but not every source is live.
pub const EXIT_PARTIAL: i32 = 3;

impl Failure {
    pub fn usage(m: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: m.into(),
            stdout: None,
        }
    }
    pub fn runtime(m: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: m.into(),
            stdout: None,
        }
    }
    /// This failure, with `text` printed first.
    pub fn with_stdout(mut self, text: String) -> Failure {
        self.stdout = Some(text);
        self
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Failure {
        Failure::usage(e.to_string())
    }
}

/// Which file is used: `--config`, then `QUEUETOP_CONFIG`, then the platform default if
/// it exists. `None` = no file: the demo.
pub fn config_path(
    global: &Global,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<PathBuf>, Failure> {
    if let Some(p) = &global.config {
        if !p.exists() {
            return Err(Failure::usage(format!(
                "configuration file {} does not exist (check --config, or copy config.example.toml there)",
                p.display()
            )));
        }
        return Ok(Some(p.clone()));
    }
    if let Some(p) = env("QUEUETOP_CONFIG").filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        if !p.exists() {
            return Err(Failure::usage(format!(
                "QUEUETOP_CONFIG names {}, which does not exist (unset it or fix the path)",
                p.display()
            )));
        }
        return Ok(Some(p));
    }
    Ok(config::default_path().filter(|p| p.exists()))
}

/// Load the configuration and apply the global flags on top (file → env → flags).
pub fn resolve_config(global: &Global) -> Result<Config, Failure> {
    let path = config_path(global, &|k| std::env::var(k).ok())?;
    let mut cfg = match &path {
        Some(p) => config::load(p)?,
        None => Config::demo_default(),
    };
    if global.demo {
        // Keep a configured demo source (its seed and scenario), else the built-in one.
        let demo = cfg
            .sources
            .iter()
            .find(|s| matches!(s, SourceConfig::Demo(_)))
            .cloned();
        cfg.sources = vec![demo.unwrap_or_else(|| Config::demo_default().sources.remove(0))];
    }
    if global.seed.is_some()
        && !cfg
            .sources
            .iter()
            .any(|s| matches!(s, SourceConfig::Demo(_)))
    {
        return Err(Failure::usage(
            "--seed applies to the demo centre, and no demo source is configured (add --demo)",
        ));
    }
    if global.at.is_some()
        && !cfg
            .sources
            .iter()
            .all(|s| matches!(s, SourceConfig::Demo(_) | SourceConfig::Nats(_)))
    {
        return Err(Failure::usage(
            "--at applies to the demo centre and to viewers of a collector (kind = \"nats\"), and a platform source is configured (add --demo)",
        ));
    }
    if let Some(at) = global.at {
        cfg.clock = crate::domain::time::Clock::Fixed(at);
    }
    match (global.speed, global.at) {
        (Some(s), _) if !(1..=1000).contains(&s) => {
            return Err(Failure::usage(format!(
                "--speed must be between 1 and 1000 (got {s})"
            )));
        }
        (Some(_), None) => {
            return Err(Failure::usage(
                "--speed replays from --at TIME: give both (e.g. --at 2026-12-02T14:05:00Z --speed 10)",
            ));
        }
        _ => {}
    }
    if let Some(seed) = global.seed {
        for s in &mut cfg.sources {
            if let SourceConfig::Demo(d) = s {
                d.seed = seed;
            }
        }
    }
    if let Some(r) = &global.refresh {
        let d = config::parse_duration(r).ok_or_else(|| {
            Failure::usage(format!(
                "--refresh {r:?} is not a duration (write e.g. 5s, 30s, 2m)"
            ))
        })?;
        if d < std::time::Duration::from_secs(1) || d > std::time::Duration::from_secs(3600) {
            return Err(Failure::usage("--refresh must be between 1s and 1h"));
        }
        cfg.refresh = d;
    }
    Ok(cfg)
}

/// The configuration for `serve`: the file's `[serve]` with the flags on top, checked.
pub fn serve_config(
    global: &Global,
    nats: Option<&str>,
    centre: Option<&str>,
    metrics: Option<&str>,
) -> Result<Config, Failure> {
    let mut cfg = resolve_config(global)?;
    if let Some(u) = nats {
        let u = u.trim().trim_end_matches('/');
        config::check_nats_url(u).map_err(|e| Failure::usage(format!("--nats: {e}")))?;
        cfg.serve.nats_url = u.to_string();
    }
    if let Some(c) = centre {
        config::check_centre(c.trim()).map_err(|e| Failure::usage(format!("--centre: {e}")))?;
        cfg.serve.centre = c.trim().to_string();
    }
    if let Some(m) = metrics {
        cfg.serve.metrics = Some(
            config::serve::parse_metrics_addr(m)
                .map_err(|e| Failure::usage(format!("--metrics: {e}")))?,
        );
    }
    crate::serve::check(&cfg).map_err(Failure::usage)?;
    // The collector moves on from `--at` at wall speed, like the board.
    cfg.clock = cfg.clock.running();
    Ok(cfg)
}

/// Where the log goes unless `--log-file` says otherwise.
pub fn default_log_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "queuetop").map(|d| {
        d.state_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| d.data_local_dir().to_path_buf())
            .join("queuetop.log")
    })
}

/// `--version`: the version and where things are.
pub fn version_text(global: &Global) -> String {
    let cfg = match config_path(global, &|k| std::env::var(k).ok()) {
        Ok(Some(p)) => p.display().to_string(),
        Ok(None) => match config::default_path() {
            Some(p) => format!("{} (not present: running the demo)", p.display()),
            None => "none (running the demo)".into(),
        },
        Err(e) => e.message,
    };
    let log = global
        .log_file
        .clone()
        .or_else(default_log_path)
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "none".into());
    format!(
        "queuetop {}\nconfig: {}\nlog:    {}\n",
        env!("CARGO_PKG_VERSION"),
        crate::domain::text::printable(&cfg),
        crate::domain::text::printable(&log)
    )
}

/// How long `snapshot` and `history` may take in all unless `QUEUETOP_CLI_DEADLINE` says.
pub const DEFAULT_CLI_DEADLINE: std::time::Duration = std::time::Duration::from_secs(30);

/// The total deadline of `snapshot` and `history`: `QUEUETOP_CLI_DEADLINE` (e.g. `10s`,
/// `2m`; 1 s to 1 h), else [`DEFAULT_CLI_DEADLINE`].
pub fn cli_deadline(env: &dyn Fn(&str) -> Option<String>) -> Result<std::time::Duration, Failure> {
    let Some(text) = env("QUEUETOP_CLI_DEADLINE").filter(|t| !t.trim().is_empty()) else {
        return Ok(DEFAULT_CLI_DEADLINE);
    };
    config::parse_duration(&text)
        .filter(|d| {
            (std::time::Duration::from_secs(1)..=std::time::Duration::from_secs(3600)).contains(d)
        })
        .ok_or_else(|| {
            Failure::usage(format!(
                "QUEUETOP_CLI_DEADLINE {:?} is not a duration between 1s and 1h (write e.g. 10s, 2m)",
                crate::domain::text::printable(&text)
            ))
        })
}

/// "30 s", "2 m": a deadline as the messages say it.
fn deadline_text(d: std::time::Duration) -> String {
    let secs = d.as_secs_f64();
    if secs.fract() == 0.0 {
        format!("{secs} s")
    } else {
        format!("{secs:.1} s")
    }
}

/// Poll every source once, all at once, and fold the results into a model (for snapshot
/// and history). A source that has not answered by `deadline` shows as offline with "no
/// answer within …" as its error.
async fn collect(
    cfg: &Arc<Config>,
    deadline: tokio::time::Instant,
    budget: std::time::Duration,
) -> Result<(Model, Vec<source::AnySource>), Failure> {
    let mut model = Model::new(cfg.clone(), cfg.clock.now());
    let mut built = Vec::new();
    for s in &cfg.sources {
        let opts = SourceOptions {
            refresh: cfg.refresh,
            timezone: cfg.timezone_of(s.name()).0,
            clock: cfg.clock,
        };
        built.push(source::build(s, &opts).map_err(Failure::usage)?);
    }
    let outcomes = futures_util::future::join_all(
        built
            .iter_mut()
            .map(|src| tokio::time::timeout_at(deadline, src.poll())),
    )
    .await;
    let mut hung = Vec::new();
    for (src, outcome) in built.iter().zip(outcomes) {
        match outcome {
            Ok(o) => {
                model.apply(source::SourceEvent::Snapshot(Box::new(o.snapshot)));
                if let Some(iv) = src.intervals() {
                    model.apply_intervals(iv);
                }
            }
            Err(_) => hung.push(src.name().to_string()),
        }
    }
    for s in &mut model.sources {
        if hung.contains(&s.name) {
            tracing::warn!(source = %crate::domain::text::printable(&s.name), "no answer within the command's deadline");
            s.health.status = crate::domain::SourceStatus::Offline;
            s.health.error = Some(format!(
                "no answer from source {:?} within {} (QUEUETOP_CLI_DEADLINE sets the deadline)",
                s.name,
                deadline_text(budget)
            ));
        }
    }
    model.tick(cfg.clock.now());
    Ok((model, built))
}

/// Why a source is not live, in one printable phrase.
fn not_live_reason(model: &Model, s: &crate::model::SourceView) -> String {
    let reason = output::source_error(&s.health, model.display_status(s))
        .unwrap_or_else(|| "not live".into());
    format!(
        "{}: {}",
        crate::domain::text::printable(&s.name),
        crate::domain::text::printable(&reason)
    )
}

pub async fn snapshot(cfg: Config, format: Format) -> Result<String, Failure> {
    snapshot_within(cfg, format, DEFAULT_CLI_DEADLINE).await
}

/// `snapshot`: exit 0 only when every source is live; [`EXIT_PARTIAL`] with the snapshot
/// printed when some are not; 1 (snapshot printed too) when no source could be reached.
pub async fn snapshot_within(
    cfg: Config,
    format: Format,
    budget: std::time::Duration,
) -> Result<String, Failure> {
    let cfg = Arc::new(cfg);
    let deadline = tokio::time::Instant::now() + budget;
    let (model, _) = collect(&cfg, deadline, budget).await?;
    let text = match format {
        Format::Json => {
            let doc = output::snapshot_json(&model);
            output::to_json_pretty(&doc).map_err(|e| Failure::runtime(e.to_string()))? + "\n"
        }
        Format::Table => output::snapshot_table(&model),
    };
    let live = |s: &&crate::model::SourceView| {
        model.display_status(s) == crate::domain::SourceStatus::Live
    };
    let not_live: Vec<String> = model
        .sources
        .iter()
        .filter(|s| !live(s))
        .map(|s| not_live_reason(&model, s))
        .collect();
    if not_live.is_empty() {
        return Ok(text);
    }
    // Print what we have, then fail: scripts must not mistake a partial answer for a whole one.
    let reached = model.sources.iter().any(|s| {
        live(&s)
            || s.snapshot.as_ref().is_some_and(|x| {
                !x.queues.is_empty() || x.agents.as_ref().is_some_and(|a| !a.is_empty())
            })
    });
    if reached {
        Err(Failure {
            code: EXIT_PARTIAL,
            message: format!(
                "not every source is live ({}); the snapshot is partial",
                not_live.join("; ")
            ),
            stdout: None,
        }
        .with_stdout(text))
    } else {
        Err(Failure::runtime(format!(
            "could not reach any source ({})",
            not_live.join("; ")
        ))
        .with_stdout(text))
    }
}

/// The longest `history --hours` accepted.
pub const MAX_HISTORY_HOURS: u32 = 48;

/// `--hours` as given on the command line, checked.
pub fn history_hours(hours: i64) -> Result<u32, Failure> {
    u32::try_from(hours)
        .ok()
        .filter(|h| (1..=MAX_HISTORY_HOURS).contains(h))
        .ok_or_else(|| {
            Failure::usage(format!(
                "--hours must be between 1 and {MAX_HISTORY_HOURS} (got {hours})"
            ))
        })
}

/// Agents whose id equals `query` or whose name contains it (case-insensitive).
fn find_agents(
    model: &Model,
    query: &str,
    only: Option<&str>,
) -> Vec<(String, crate::domain::Agent)> {
    let q = query.trim().to_lowercase();
    let mut exact = Vec::new();
    let mut partial = Vec::new();
    for s in &model.sources {
        if only.is_some_and(|o| o != s.name) {
            continue;
        }
        let Some(list) = s.snapshot.as_ref().and_then(|x| x.agents.as_ref()) else {
            continue;
        };
        for a in list {
            if a.id.to_lowercase() == q || a.name.to_lowercase() == q {
                exact.push((s.name.clone(), a.clone()));
            } else if a.name.to_lowercase().contains(&q) {
                partial.push((s.name.clone(), a.clone()));
            }
        }
    }
    if exact.is_empty() { partial } else { exact }
}

/// Names close to `query` (shared words or prefixes), for "did you mean".
fn close_matches(model: &Model, query: &str) -> Vec<String> {
    let q = query.to_lowercase();
    let mut scored: Vec<(usize, String)> = Vec::new();
    for s in &model.sources {
        let Some(list) = s.snapshot.as_ref().and_then(|x| x.agents.as_ref()) else {
            continue;
        };
        for a in list {
            let name = a.name.to_lowercase();
            let score = q
                .split_whitespace()
                .flat_map(|w| name.split_whitespace().map(move |n| common_prefix(w, n)))
                .max()
                .unwrap_or(0);
            if score >= 2 {
                scored.push((score, format!("{} ({})", a.name, a.id)));
            }
        }
    }
    scored.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    scored.into_iter().take(5).map(|(_, n)| n).collect()
}

fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

pub async fn history(
    cfg: Config,
    agent: &str,
    only: Option<&str>,
    hours: u32,
    format: Format,
) -> Result<String, Failure> {
    history_within(cfg, agent, only, hours, format, DEFAULT_CLI_DEADLINE).await
}

/// `history`, all of it (the poll that finds the agent and the fetch) within `budget`.
pub async fn history_within(
    cfg: Config,
    agent: &str,
    only: Option<&str>,
    hours: u32,
    format: Format,
    budget: std::time::Duration,
) -> Result<String, Failure> {
    if agent.trim().is_empty() {
        return Err(Failure::usage(
            "--agent needs an agent id or name (see `queuetop snapshot` for the agents)",
        ));
    }
    if let Some(o) = only
        && !cfg.sources.iter().any(|s| s.name() == o)
    {
        let names: Vec<String> = cfg
            .sources
            .iter()
            .map(|s| crate::domain::text::printable(s.name()).into_owned())
            .collect();
        return Err(Failure::usage(format!(
            "no source named {o:?} (configured: {})",
            names.join(", ")
        )));
    }
    let cfg = Arc::new(cfg);
    let deadline = tokio::time::Instant::now() + budget;
    let (model, mut built) = collect(&cfg, deadline, budget).await?;
    let found = find_agents(&model, agent, only);
    let (source_name, a) = match found.len() {
        0 => {
            // A source that gave no agent list may well hold the agent: say why it did not
            // answer instead of "no agent matches".
            let unreachable: Vec<String> = model
                .sources
                .iter()
                .filter(|s| only.is_none_or(|o| o == s.name))
                .filter(|s| {
                    s.snapshot
                        .as_ref()
                        .and_then(|x| x.agents.as_ref())
                        .is_none()
                })
                .map(|s| not_live_reason(&model, s))
                .collect();
            if !unreachable.is_empty() {
                return Err(Failure::runtime(format!(
                    "could not look for agent {agent:?}: no agent list from {}",
                    unreachable.join("; ")
                )));
            }
            let close = close_matches(&model, agent);
            let hint = if close.is_empty() {
                String::new()
            } else {
                format!("; close matches: {}", close.join(", "))
            };
            return Err(Failure::usage(format!("no agent matches {agent:?}{hint}")));
        }
        1 => found
            .into_iter()
            .next()
            .ok_or_else(|| Failure::runtime("agent vanished"))?,
        _ => {
            let list: Vec<String> = found
                .iter()
                .map(|(s, a)| format!("{} ({}, {s})", a.name, a.id))
                .collect();
            return Err(Failure::usage(format!(
                "{agent:?} matches {} agents: {} — give the id or a fuller name",
                list.len(),
                list.join(", ")
            )));
        }
    };
    let to = cfg.clock.now();
    let from = to - Duration::hours(hours as i64);
    let src = built
        .iter_mut()
        .find(|s| s.name() == source_name)
        .ok_or_else(|| Failure::runtime("source vanished"))?;
    // The history and today's handle-time split: asked one after the other (one source
    // value); a failed split is said in the output, it never fails the command.
    let h = tokio::time::timeout_at(deadline, src.history(&a.id, from, to))
        .await
        .map_err(|_| {
            Failure::runtime(format!(
                "no answer from source {source_name:?} within {} for the history of {} (QUEUETOP_CLI_DEADLINE sets the deadline)",
                deadline_text(budget),
                a.name
            ))
        })?
        .map_err(|e| {
            Failure::runtime(format!(
                "could not fetch the history of {} from {source_name}: {e}",
                a.name
            ))
        })?;
    let split = match tokio::time::timeout_at(deadline, src.split(&a.id, to)).await {
        Ok(r) => r.map_err(|e| e.to_string()),
        Err(_) => Err(format!(
            "no answer within {} (QUEUETOP_CLI_DEADLINE sets the deadline)",
            deadline_text(budget)
        )),
    };
    let live = a.since.map(|since| crate::domain::StateSpan {
        start: since,
        end: to,
        state: a.state,
        reason: a.reason.clone(),
    });
    let clean = spans::with_live(&h.spans, h.to, live, from, to);
    let doc = output::history_json(&source_name, &a.id, &a.name, from, to, &clean, &split);
    Ok(match format {
        Format::Json => {
            output::to_json_pretty(&doc).map_err(|e| Failure::runtime(e.to_string()))? + "\n"
        }
        Format::Table => output::history_table(&doc, cfg.timezone),
    })
}

/// `check-config`: what would be used, secrets never shown.
pub fn check_config(global: &Global) -> Result<String, Failure> {
    let cfg = resolve_config(global)?;
    let mut out = String::new();
    match &cfg.path {
        Some(p) => out.push_str(&format!("configuration {} is valid\n", p.display())),
        None => out.push_str("no configuration file: the built-in demo would run\n"),
    }
    out.push_str(&format!(
        "refresh: {}\n",
        crate::ui::fmt::duration_short(cfg.refresh.as_secs_f64())
    ));
    out.push_str(&format!(
        "time zone: {}\n",
        cfg.timezone
            .map(|t| t.name().to_string())
            .unwrap_or_else(|| "the machine's".into())
    ));
    for s in &cfg.sources {
        let (tz, origin) = cfg.timezone_of(s.name());
        let zone = tz.map(|t| t.name().to_string());
        let said = match (origin, zone, s.kind()) {
            (crate::config::ZoneOrigin::Source, Some(z), _) => {
                format!("{z} (this source's timezone)")
            }
            (crate::config::ZoneOrigin::Configuration, Some(z), _) => {
                format!("{z} (the configuration's timezone)")
            }
            (_, _, crate::domain::SourceKind::Cxone) => {
                "the business unit's defaultTimeZone, else the machine's".to_string()
            }
            _ => "the machine's".to_string(),
        };
        out.push_str(&format!(
            "  source {:?}: today and intervals in {said}\n",
            crate::domain::text::printable(s.name())
        ));
    }
    let d = &cfg.sla.defaults;
    out.push_str(&format!(
        "sla: {:.0}% within {}, variant {}, window {}\n",
        d.target * 100.0,
        crate::ui::fmt::duration_short(d.threshold_s),
        d.variant.as_str(),
        match d.window {
            config::SlWindow::Day => "day".to_string(),
            config::SlWindow::Minutes(m) => format!("{m}m"),
        }
    ));
    for o in &cfg.sla.queues {
        out.push_str(&format!(
            "  queues matching {:?}: target {} threshold {}\n",
            o.pattern,
            o.target
                .map(|t| format!("{:.0}%", t * 100.0))
                .unwrap_or_else(|| "(default)".into()),
            o.threshold_s
                .map(crate::ui::fmt::duration_short)
                .unwrap_or_else(|| "(default)".into())
        ));
    }
    let fmt_d = |d: std::time::Duration| crate::ui::fmt::duration_short(d.as_secs_f64());
    out.push_str(&format!("alerts ({}):\n", cfg.alerts.len()));
    for a in &cfg.alerts {
        let what = match (&a.state, &a.reason) {
            (Some(st), Some(r)) => format!("state {} with reason {r:?}", st.as_str()),
            (Some(st), None) => format!("state {}", st.as_str()),
            (None, Some(r)) => format!("reason {r:?}"),
            (None, None) => "(nothing)".into(),
        };
        let after = if a.after.is_zero() {
            "at once".to_string()
        } else {
            format!("after {}", fmt_d(a.after))
        };
        out.push_str(&format!("  {what}, {after}\n"));
    }
    let w = &cfg.wall;
    if w.thresholds.is_empty() {
        out.push_str("thresholds: none (longest wait warns at 3/4 of each queue's SL threshold, breaches at it)\n");
    } else {
        out.push_str(&format!("thresholds ({}):\n", w.thresholds.len()));
        for t in &w.thresholds {
            let lvl = |v: Option<f64>| v.map(|v| t.metric.show(v)).unwrap_or_else(|| "—".into());
            out.push_str(&format!(
                "  {} on queues matching {:?}: warn {}, breach {}\n",
                t.metric.as_str(),
                t.pattern,
                lvl(t.warn),
                lvl(t.breach)
            ));
        }
    }
    out.push_str(&format!(
        "wall: {}, rotate every {}, bell {}, pages {}\n",
        if w.start {
            "on at start"
        } else {
            "off at start (key w)"
        },
        fmt_d(w.rotate),
        if w.bell { "on" } else { "off" },
        if w.pages.is_empty() {
            "cut to fit the screen".to_string()
        } else {
            w.pages
                .iter()
                .map(|p| format!("{} [{}]", p.name, p.queues.join(", ")))
                .collect::<Vec<_>>()
                .join("; ")
        }
    ));
    for s in &cfg.sources {
        if let SourceConfig::Demo(d) = s
            && let Some(p) = &d.scenario
        {
            // The same loader the demo uses: a scenario that would not load fails here.
            crate::source::demo::scenario::Scenario::load(p)
                .map_err(|e| Failure::usage(format!("source {:?}: {e}", d.name)))?;
        }
    }
    for s in &cfg.sources {
        match s {
            SourceConfig::Demo(d) => out.push_str(&format!(
                "source {:?}: demo, seed {}, scenario {}\n",
                d.name,
                d.seed,
                d.scenario.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "built-in".into())
            )),
            SourceConfig::Genesys(g) => out.push_str(&format!(
                "source {:?}: genesys, api {}, login {}, client_id {}, secret set (hidden), queues {}, push {}\n",
                g.name,
                g.api_url,
                g.login_url,
                g.client_id,
                if g.queues.is_empty() { "all".into() } else { g.queues.join(", ") },
                g.push.as_str()
            )),
            SourceConfig::Cxone(c) => out.push_str(&format!(
                "source {:?}: cxone, issuer {}, api {}, version {}, client_id {}, access key {}, secrets set (hidden), queues {}\n",
                c.name,
                c.issuer,
                c.api_url.clone().unwrap_or_else(|| "(discovered)".into()),
                c.api_version,
                c.client_id,
                c.access_key_id,
                if c.queues.is_empty() { "all".into() } else { c.queues.join(", ") }
            )),
            SourceConfig::Nats(n) => out.push_str(&format!(
                "source {:?}: nats, url {}, centre {}, {}, {}\n",
                n.name,
                n.url,
                n.centre,
                match &n.source {
                    Some(s) => format!("the collector's source {s:?}"),
                    None => "the collector's only source".to_string(),
                },
                n.auth.describe()
            )),
        }
    }
    for line in crate::serve::describe(&cfg) {
        out.push_str(&line);
        out.push('\n');
    }
    if cfg.inline_secret_warning {
        out.push_str("warning: inline secrets are in use (allow_inline_secrets = true); prefer *_env or *_file\n");
    }
    // Names, URLs and patterns come from the file: nothing in them may act on a terminal.
    Ok(out
        .lines()
        .map(|l| crate::domain::text::printable(l).into_owned() + "\n")
        .collect())
}

/// `erlang`: the staffing calculator (pure maths in `crate::sla::calculator`).
pub fn erlang(
    calls_per_hour: f64,
    aht: f64,
    agents: i64,
    threshold: f64,
    target: Option<f64>,
    format: Format,
) -> Result<String, Failure> {
    if agents < 1 {
        return Err(Failure::usage(format!(
            "--agents must be at least 1 (got {agents})"
        )));
    }
    let agents = u32::try_from(agents)
        .map_err(|_| Failure::usage(format!("--agents {agents} is too large")))?;
    let args = crate::sla::ErlangArgs {
        calls_per_hour,
        aht_s: aht,
        agents,
        threshold_s: threshold,
        target,
    };
    let report = crate::sla::erlang_report(&args).map_err(Failure::usage)?;
    match format {
        Format::Json => crate::sla::render_json(&report)
            .map(|s| s + "\n")
            .map_err(|e| Failure::runtime(e.to_string())),
        Format::Table => Ok(crate::sla::render_table(&report)),
    }
}
