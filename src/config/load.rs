//! Reading the configuration: the file, the top-level keys, `[sla]` and `[[alerts]]`.
//! `[[sources]]` are validated in [`super::sources`].

use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::errors::Validator;
use super::secret::SecretRules;
use super::sources::{self, RawSource};
use super::{AlertRule, Config, ConfigError, SlVariant, SlaConfig, SlaOverride, default_alerts};

// Raw TOML shapes: every value spanned so validation errors can name the line.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    refresh: Option<Spanned<String>>,
    timezone: Option<Spanned<String>>,
    allow_inline_secrets: Option<bool>,
    sla: Option<RawSla>,
    #[serde(default)]
    alerts: Vec<RawAlert>,
    #[serde(default)]
    sources: Vec<Spanned<RawSource>>,
    // Read by `super::wall`.
    #[allow(dead_code)]
    wall: Option<serde::de::IgnoredAny>,
    #[allow(dead_code)]
    thresholds: Option<serde::de::IgnoredAny>,
    serve: Option<Spanned<super::serve::RawServe>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSla {
    target: Option<Spanned<f64>>,
    threshold: Option<Spanned<String>>,
    variant: Option<SlVariant>,
    window: Option<Spanned<String>>,
    short_abandon: Option<Spanned<String>>,
    #[serde(default)]
    queues: Vec<RawSlaQueue>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSlaQueue {
    #[serde(rename = "match")]
    pattern: Spanned<String>,
    target: Option<Spanned<f64>>,
    threshold: Option<Spanned<String>>,
    variant: Option<SlVariant>,
    window: Option<Spanned<String>>,
    short_abandon: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAlert {
    state: Option<Spanned<String>>,
    reason: Option<String>,
    after: Spanned<String>,
}

/// Load and validate the file at `path`.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
        file: Some(path.to_path_buf()),
        line: None,
        message: format!("cannot read the file: {e}"),
        hint: Some("check the path given by --config or QUEUETOP_CONFIG".into()),
    })?;
    parse(&text, Some(path), &|k| std::env::var(k).ok())
}

/// Parse and validate configuration text. `env` looks up environment variables (injected
/// so tests need not touch the process environment).
pub fn parse(
    text: &str,
    path: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let v = Validator { text, path };
    let raw: RawConfig = toml::from_str(text).map_err(|e| syntax_error(&v, &e))?;

    let refresh = match &raw.refresh {
        Some(r) => v.duration(r, "refresh")?,
        None => Duration::from_secs(5),
    };
    if refresh < Duration::from_secs(1) || refresh > Duration::from_secs(3600) {
        return Err(v.err(
            raw.refresh.as_ref().map(|r| r.span()),
            "refresh must be between 1s and 1h",
            "write e.g. refresh = \"5s\"",
        ));
    }
    let timezone = match &raw.timezone {
        Some(tz) => Some(parse_timezone(&v, tz)?),
        None => None,
    };
    let sla = match &raw.sla {
        Some(rs) => sla(&v, rs)?,
        None => SlaConfig::default(),
    };
    let alerts = if raw.alerts.is_empty() {
        default_alerts()
    } else {
        raw.alerts
            .iter()
            .map(|a| alert(&v, a))
            .collect::<Result<_, _>>()?
    };
    let rules = SecretRules {
        allow_inline: raw.allow_inline_secrets.unwrap_or(false),
        env,
    };
    let sources::Validated {
        mut sources,
        inline_used,
        timezones: source_timezones,
    } = sources::validate(&v, &raw.sources, &rules)?;
    if sources.is_empty() {
        sources = Config::demo_default().sources;
    }
    let mut serve_inline = false;
    let serve = match &raw.serve {
        Some(s) => super::serve::validate(&v, s, &rules, &mut serve_inline)?,
        None => super::ServeConfig::default(),
    };
    Ok(Config {
        path: path.map(Path::to_path_buf),
        refresh,
        timezone,
        source_timezones,
        sla,
        alerts,
        sources,
        inline_secret_warning: inline_used || serve_inline,
        wall: super::wall::parse(text).map_err(|e| ConfigError {
            file: path.map(Path::to_path_buf),
            line: e.line,
            message: e.message,
            hint: Some(e.hint),
        })?,
        clock: Default::default(),
        serve,
    })
}

/// A TOML syntax or shape error (unknown key, wrong type, unknown enum value).
fn syntax_error(v: &Validator<'_>, e: &toml::de::Error) -> ConfigError {
    let line = e.span().map(|s| v.line_of(s.start));
    let msg = e.message().trim().to_string();
    let hint = if msg.contains("unknown field") {
        "remove or correct the key; config.example.toml documents every key"
    } else if msg.contains("unknown variant") {
        "use one of the values listed in the message"
    } else {
        "see config.example.toml for the expected form"
    };
    ConfigError {
        file: v.path.map(Path::to_path_buf),
        line,
        message: msg,
        hint: Some(hint.into()),
    }
}

fn sla(v: &Validator<'_>, rs: &RawSla) -> Result<SlaConfig, ConfigError> {
    let mut sla = SlaConfig::default();
    if let Some(t) = &rs.target {
        sla.defaults.target = v.fraction(t, "sla.target")?;
    }
    if let Some(t) = &rs.threshold {
        sla.defaults.threshold_s = v.duration(t, "sla.threshold")?.as_secs_f64();
    }
    if let Some(var) = rs.variant {
        sla.defaults.variant = var;
    }
    if let Some(w) = &rs.window {
        sla.defaults.window = v.window(w)?;
    }
    if let Some(s) = &rs.short_abandon {
        sla.defaults.short_abandon_s = v.duration(s, "sla.short_abandon")?.as_secs_f64();
    }
    for q in &rs.queues {
        sla.queues.push(sla_override(v, q)?);
    }
    Ok(sla)
}

fn sla_override(v: &Validator<'_>, q: &RawSlaQueue) -> Result<SlaOverride, ConfigError> {
    globset::Glob::new(q.pattern.get_ref()).map_err(|e| {
        v.err(
            Some(q.pattern.span()),
            &format!("bad queue pattern {:?}: {e}", q.pattern.get_ref()),
            "use a name glob such as \"Billing*\" or a queue id",
        )
    })?;
    let seconds = |t: &Spanned<String>, key: &str| v.duration(t, key).map(|d| d.as_secs_f64());
    Ok(SlaOverride {
        pattern: q.pattern.get_ref().clone(),
        target: q
            .target
            .as_ref()
            .map(|t| v.fraction(t, "target"))
            .transpose()?,
        threshold_s: q
            .threshold
            .as_ref()
            .map(|t| seconds(t, "threshold"))
            .transpose()?,
        variant: q.variant,
        window: q.window.as_ref().map(|w| v.window(w)).transpose()?,
        short_abandon_s: q
            .short_abandon
            .as_ref()
            .map(|t| seconds(t, "short_abandon"))
            .transpose()?,
    })
}

fn alert(v: &Validator<'_>, a: &RawAlert) -> Result<AlertRule, ConfigError> {
    let state = match &a.state {
        Some(s) => Some(
            crate::domain::AgentState::parse(s.get_ref()).ok_or_else(|| {
                v.err(
                    Some(s.span()),
                    &format!("unknown agent state {:?}", s.get_ref()),
                    "use available, busy, after_call_work, not_responding, unavailable or offline",
                )
            })?,
        ),
        None => None,
    };
    if state.is_none() && a.reason.is_none() {
        return Err(v.err(
            Some(a.after.span()),
            "an alert needs a state or a reason",
            "add state = \"after_call_work\" or reason = \"Break\"",
        ));
    }
    Ok(AlertRule {
        state,
        reason: a.reason.clone(),
        after: v.duration_allow_zero(&a.after, "after")?,
    })
}

/// An IANA zone name, or an error naming the line.
pub(super) fn parse_timezone(
    v: &Validator<'_>,
    tz: &Spanned<String>,
) -> Result<chrono_tz::Tz, ConfigError> {
    tz.get_ref().parse::<chrono_tz::Tz>().map_err(|_| {
        v.err(
            Some(tz.span()),
            &format!("unknown time zone {:?}", tz.get_ref()),
            "use an IANA name such as \"Europe/Dublin\" or \"America/New_York\"",
        )
    })
}
