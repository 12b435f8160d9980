//! `[serve]`: what `queuetop serve` (the collector) publishes to NATS and where its metrics
//! are served. The command-line flags `--nats`, `--centre` and `--metrics` go on top.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use super::errors::Validator;
use super::secret::{SecretKeys, SecretRules};
use super::sources::nats::{self, AuthKeys};
use super::{ConfigError, NatsAuth};

/// The NATS server used when none is given.
pub const DEFAULT_NATS_URL: &str = "nats://127.0.0.1:4222";
/// The centre name used when none is given.
pub const DEFAULT_CENTRE: &str = "default";

/// The collector's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct ServeConfig {
    pub nats_url: String,
    pub centre: String,
    /// Where the OpenMetrics endpoint listens; `None` = no endpoint.
    pub metrics: Option<SocketAddr>,
    /// How long the look-back stream keeps each source's snapshots.
    pub retention: Duration,
    /// The most the look-back stream may hold, in bytes (the oldest go first).
    pub retention_bytes: u64,
    /// How often the collector says it is alive (each source's health is republished).
    pub heartbeat: Duration,
    /// How long one agent's fetched history is served to other viewers before a new fetch.
    pub history_cache: Duration,
    pub auth: NatsAuth,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            nats_url: DEFAULT_NATS_URL.into(),
            centre: DEFAULT_CENTRE.into(),
            metrics: None,
            retention: Duration::from_secs(24 * 3600),
            retention_bytes: 1 << 30,
            heartbeat: Duration::from_secs(5),
            history_cache: Duration::from_secs(60),
            auth: NatsAuth::None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawServe {
    nats_url: Option<Spanned<String>>,
    centre: Option<Spanned<String>>,
    metrics: Option<Spanned<String>>,
    retention: Option<Spanned<String>>,
    retention_mb: Option<Spanned<u64>>,
    heartbeat: Option<Spanned<String>>,
    history_cache: Option<Spanned<String>>,
    user: Option<Spanned<String>>,
    password: Option<Spanned<String>>,
    password_env: Option<Spanned<String>>,
    password_file: Option<Spanned<String>>,
    token: Option<Spanned<String>>,
    token_env: Option<Spanned<String>>,
    token_file: Option<Spanned<String>>,
    creds: Option<Spanned<String>>,
    creds_env: Option<Spanned<String>>,
    creds_file: Option<Spanned<String>>,
}

/// A listen address such as `127.0.0.1:9464`.
pub fn parse_metrics_addr(s: &str) -> Result<SocketAddr, String> {
    s.trim()
        .parse::<SocketAddr>()
        .map_err(|_| format!("metrics address {s:?} is not host:port (write e.g. 127.0.0.1:9464)"))
}

pub(super) fn validate(
    v: &Validator<'_>,
    raw: &Spanned<RawServe>,
    rules: &SecretRules<'_>,
    inline_used: &mut bool,
) -> Result<ServeConfig, ConfigError> {
    let table = raw.span();
    let r = raw.get_ref();
    let mut c = ServeConfig::default();
    if let Some(u) = &r.nats_url {
        c.nats_url = super::url::validated_nats(v, u, "serve.nats_url")?;
    }
    if let Some(n) = &r.centre {
        c.centre = nats::centre(v, n)?;
    }
    if let Some(m) = &r.metrics {
        c.metrics = Some(
            parse_metrics_addr(m.get_ref())
                .map_err(|e| v.err(Some(m.span()), &e, "write metrics = \"127.0.0.1:9464\""))?,
        );
    }
    if let Some(d) = &r.retention {
        c.retention = v.duration(d, "serve.retention")?;
        if c.retention < Duration::from_secs(60) || c.retention > Duration::from_secs(90 * 86400) {
            return Err(v.err(
                Some(d.span()),
                "serve.retention must be between 1m and 90 days",
                "write e.g. retention = \"24h\"",
            ));
        }
    }
    if let Some(mb) = &r.retention_mb {
        let n = *mb.get_ref();
        if !(1..=1_000_000).contains(&n) {
            return Err(v.err(
                Some(mb.span()),
                "serve.retention_mb must be between 1 and 1000000",
                "write e.g. retention_mb = 1024",
            ));
        }
        c.retention_bytes = n * 1024 * 1024;
    }
    if let Some(d) = &r.heartbeat {
        c.heartbeat = v.duration(d, "serve.heartbeat")?;
        if c.heartbeat < Duration::from_millis(200) || c.heartbeat > Duration::from_secs(60) {
            return Err(v.err(
                Some(d.span()),
                "serve.heartbeat must be between 200ms and 1m",
                "write e.g. heartbeat = \"5s\"",
            ));
        }
    }
    if let Some(d) = &r.history_cache {
        c.history_cache = v.duration_allow_zero(d, "serve.history_cache")?;
        if c.history_cache > Duration::from_secs(3600) {
            return Err(v.err(
                Some(d.span()),
                "serve.history_cache must be at most 1h",
                "write e.g. history_cache = \"60s\"",
            ));
        }
    }
    let keys = AuthKeys {
        user: &r.user,
        password: SecretKeys {
            what: "password",
            inline: &r.password,
            env: &r.password_env,
            file: &r.password_file,
        },
        token: SecretKeys {
            what: "token",
            inline: &r.token,
            env: &r.token_env,
            file: &r.token_file,
        },
        creds: SecretKeys {
            what: "creds",
            inline: &r.creds,
            env: &r.creds_env,
            file: &r.creds_file,
        },
    };
    c.auth = nats::auth(v, &keys, rules, table, inline_used)?;
    Ok(c)
}
