//! The commands behind the CLI, shared by the binary and the tests.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use chrono::{Duration, Utc};

use crate::cli::{Format, Global};
use crate::config::{self, Config, ConfigError, SourceConfig};
use crate::domain::spans;
use crate::model::Model;
use crate::output;
use crate::source::{self, SourceOptions};

/// A failure with its exit code (2 usage/configuration, 1 runtime).
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

impl Failure {
    pub fn usage(m: impl Into<String>) -> Failure {
        Failure {
            code: 2,
            message: m.into(),
        }
    }
    pub fn runtime(m: impl Into<String>) -> Failure {
        Failure {
            code: 1,
            message: m.into(),
        }
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
        "queuetop {}\nconfig: {cfg}\nlog:    {log}\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// Poll every source once and fold the results into a model (for snapshot and history).
async fn collect(cfg: &Arc<Config>) -> Result<(Model, Vec<source::AnySource>), Failure> {
    let opts = SourceOptions {
        refresh: cfg.refresh,
        timezone: cfg.timezone,
    };
    let mut model = Model::new(cfg.clone(), Utc::now());
    let mut built = Vec::new();
    for s in &cfg.sources {
        let mut src = source::build(s, &opts).map_err(Failure::usage)?;
        let outcome = src.poll().await;
        model.apply(source::SourceEvent::Snapshot(Box::new(outcome.snapshot)));
        built.push(src);
    }
    model.tick(Utc::now());
    Ok((model, built))
}

pub async fn snapshot(cfg: Config, format: Format) -> Result<String, Failure> {
    let cfg = Arc::new(cfg);
    let (model, _) = collect(&cfg).await?;
    let text = match format {
        Format::Json => {
            let doc = output::snapshot_json(&model);
            serde_json::to_string_pretty(&doc).map_err(|e| Failure::runtime(e.to_string()))? + "\n"
        }
        Format::Table => output::snapshot_table(&model),
    };
    let failed: Vec<String> = model
        .sources
        .iter()
        .filter(|s| {
            output::source_failed(
                model.display_status(s),
                s.snapshot.as_ref().is_some_and(|x| !x.queues.is_empty()),
            )
        })
        .map(|s| {
            format!(
                "{}: {}",
                s.name,
                s.health.error.clone().unwrap_or_else(|| "no data".into())
            )
        })
        .collect();
    if !failed.is_empty() {
        // Print what we have, then fail: scripts must not mistake a partial answer for a whole one.
        use std::io::Write;
        let mut out = std::io::stdout();
        let _ = out.write_all(text.as_bytes()).and_then(|_| out.flush());
        return Err(Failure::runtime(format!(
            "could not reach every source ({})",
            failed.join("; ")
        )));
    }
    Ok(text)
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
    if agent.trim().is_empty() {
        return Err(Failure::usage(
            "--agent needs an agent id or name (see `queuetop snapshot` for the agents)",
        ));
    }
    if let Some(o) = only
        && !cfg.sources.iter().any(|s| s.name() == o)
    {
        let names: Vec<&str> = cfg.sources.iter().map(|s| s.name()).collect();
        return Err(Failure::usage(format!(
            "no source named {o:?} (configured: {})",
            names.join(", ")
        )));
    }
    let cfg = Arc::new(cfg);
    let (model, mut built) = collect(&cfg).await?;
    let found = find_agents(&model, agent, only);
    let (source_name, a) = match found.len() {
        0 => {
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
    let to = Utc::now();
    let from = to - Duration::hours(hours as i64);
    let src = built
        .iter_mut()
        .find(|s| s.name() == source_name)
        .ok_or_else(|| Failure::runtime("source vanished"))?;
    let h = src.history(&a.id, from, to).await.map_err(|e| {
        Failure::runtime(format!(
            "could not fetch the history of {} from {source_name}: {e}",
            a.name
        ))
    })?;
    let live = a.since.map(|since| crate::domain::StateSpan {
        start: since,
        end: to,
        state: a.state,
        reason: a.reason.clone(),
    });
    let clean = spans::with_live(&h.spans, h.to, live, from, to);
    let doc = output::history_json(&source_name, &a.id, &a.name, from, to, &clean);
    Ok(match format {
        Format::Json => {
            serde_json::to_string_pretty(&doc).map_err(|e| Failure::runtime(e.to_string()))? + "\n"
        }
        Format::Table => output::history_table(&doc),
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
                "source {:?}: genesys, api {}, login {}, client_id {}, secret set (hidden), queues {}\n",
                g.name,
                g.api_url,
                g.login_url,
                g.client_id,
                if g.queues.is_empty() { "all".into() } else { g.queues.join(", ") }
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
        }
    }
    if cfg.inline_secret_warning {
        out.push_str("warning: inline secrets are in use (allow_inline_secrets = true); prefer *_env or *_file\n");
    }
    Ok(out)
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
