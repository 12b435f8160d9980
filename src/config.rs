//! Configuration: TOML file → validated [`Config`].
//!
//! Every error names the file, the line and what to do. Secrets are read from the
//! environment or a file and kept in [`Secret`], whose `Debug` never shows them.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

/// A secret value (client secret, access key secret, token). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    /// The value, for the one place that must send it (an auth request).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Which calls count towards the service level: the one type shared with the SLA maths.
pub use crate::domain::SlVariant;

/// The period a service level is measured over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SlWindow {
    /// Local midnight → midnight.
    Day,
    /// Fixed intervals of this many minutes, aligned to the hour.
    Minutes(u32),
}

/// How one queue's service level is judged.
#[derive(Clone, Debug, PartialEq)]
pub struct SlaPolicy {
    pub target: f64,
    pub threshold_s: f64,
    pub variant: SlVariant,
    pub window: SlWindow,
    /// Abandons shorter than this are left out entirely (0 = none left out).
    pub short_abandon_s: f64,
}

/// A per-queue override: any field left `None` falls back to the vendor's own target, then
/// the defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct SlaOverride {
    pub pattern: String,
    pub target: Option<f64>,
    pub threshold_s: Option<f64>,
    pub variant: Option<SlVariant>,
    pub window: Option<SlWindow>,
    pub short_abandon_s: Option<f64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SlaConfig {
    /// `[sla]`: used where neither a `[[sla.queues]]` override nor the platform's own
    /// queue target says otherwise.
    pub defaults: SlaPolicy,
    pub queues: Vec<SlaOverride>,
}

impl Default for SlaConfig {
    fn default() -> Self {
        SlaConfig {
            defaults: SlaPolicy {
                target: 0.80,
                threshold_s: 20.0,
                variant: SlVariant::Offered,
                window: SlWindow::Day,
                short_abandon_s: 0.0,
            },
            queues: Vec::new(),
        }
    }
}

/// A time-in-state alert: agents in `state` (normalised) or with `reason` (vendor label,
/// case-insensitive) for longer than `after` are highlighted.
#[derive(Clone, Debug, PartialEq)]
pub struct AlertRule {
    pub state: Option<crate::domain::AgentState>,
    pub reason: Option<String>,
    pub after: Duration,
}

#[derive(Clone, Debug, PartialEq)]
pub struct DemoConfig {
    pub name: String,
    pub seed: u64,
    pub scenario: Option<PathBuf>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct GenesysConfig {
    pub name: String,
    /// e.g. `https://api.mypurecloud.ie` (or a loopback `http://` URL for tests).
    pub api_url: String,
    /// e.g. `https://login.mypurecloud.ie`.
    pub login_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// Name globs or ids; empty = every queue.
    pub queues: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CxoneConfig {
    pub name: String,
    pub issuer: String,
    /// Skips tenant discovery when set.
    pub api_url: Option<String>,
    pub api_version: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub access_key_id: String,
    pub access_key_secret: Secret,
    pub queues: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SourceConfig {
    Demo(DemoConfig),
    Genesys(GenesysConfig),
    Cxone(CxoneConfig),
}

impl SourceConfig {
    pub fn name(&self) -> &str {
        match self {
            SourceConfig::Demo(c) => &c.name,
            SourceConfig::Genesys(c) => &c.name,
            SourceConfig::Cxone(c) => &c.name,
        }
    }
    pub fn kind(&self) -> crate::domain::SourceKind {
        match self {
            SourceConfig::Demo(_) => crate::domain::SourceKind::Demo,
            SourceConfig::Genesys(_) => crate::domain::SourceKind::Genesys,
            SourceConfig::Cxone(_) => crate::domain::SourceKind::Cxone,
        }
    }
}

/// The validated configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// The file it came from (`None`: built-in defaults, i.e. the demo).
    pub path: Option<PathBuf>,
    pub refresh: Duration,
    /// IANA time zone for "today" (local midnight); `None` = the machine's.
    pub timezone: Option<chrono_tz::Tz>,
    pub sla: SlaConfig,
    pub alerts: Vec<AlertRule>,
    pub sources: Vec<SourceConfig>,
    /// Inline secrets were allowed and used: warn on screen.
    pub inline_secret_warning: bool,
}

impl Config {
    /// No file: the built-in demo.
    pub fn demo_default() -> Config {
        Config {
            path: None,
            refresh: Duration::from_secs(5),
            timezone: None,
            sla: SlaConfig::default(),
            alerts: default_alerts(),
            sources: vec![SourceConfig::Demo(DemoConfig {
                name: "demo".into(),
                seed: 7,
                scenario: None,
            })],
            inline_secret_warning: false,
        }
    }
}

/// Alerts used when the configuration has none: after-call work > 2 min, breaks > 15 min,
/// lunch > 60 min, not responding at all.
pub fn default_alerts() -> Vec<AlertRule> {
    use crate::domain::AgentState;
    vec![
        AlertRule {
            state: Some(AgentState::AfterCallWork),
            reason: None,
            after: Duration::from_secs(120),
        },
        AlertRule {
            state: Some(AgentState::NotResponding),
            reason: None,
            after: Duration::ZERO,
        },
        AlertRule {
            state: None,
            reason: Some("Break".into()),
            after: Duration::from_secs(15 * 60),
        },
        AlertRule {
            state: None,
            reason: Some("Lunch".into()),
            after: Duration::from_secs(60 * 60),
        },
    ]
}

/// A configuration error: file, line, what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ConfigError {
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl ConfigError {
    fn render(&self) -> String {
        let mut s = String::from("configuration error");
        if let Some(f) = &self.file {
            s.push_str(&format!(" in {}", f.display()));
            if let Some(l) = self.line {
                s.push_str(&format!(", line {l}"));
            }
        }
        s.push_str(&format!(": {}", self.message));
        if let Some(h) = &self.hint {
            s.push_str(&format!(" (hint: {h})"));
        }
        s
    }
}

/// Where the configuration file is looked for when neither `--config` nor
/// `QUEUETOP_CONFIG` names one.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "queuetop").map(|d| d.config_dir().join("config.toml"))
}

/// The 18 Genesys Cloud API domains (genesys REFERENCE §1), with the SDKs' region names.
pub const GENESYS_REGIONS: [(&str, &str); 18] = [
    ("us_east_1", "mypurecloud.com"),
    ("us_east_2", "use2.us-gov-pure.cloud"),
    ("us_west_2", "usw2.pure.cloud"),
    ("ca_central_1", "cac1.pure.cloud"),
    ("sa_east_1", "sae1.pure.cloud"),
    ("mx_central_1", "mxc1.pure.cloud"),
    ("eu_west_1", "mypurecloud.ie"),
    ("eu_west_2", "euw2.pure.cloud"),
    ("eu_central_1", "mypurecloud.de"),
    ("eu_central_2", "euc2.pure.cloud"),
    ("eusc_de_east_1", "edee1.eusc-pure.cloud"),
    ("me_central_1", "mec1.pure.cloud"),
    ("ap_south_1", "aps1.pure.cloud"),
    ("ap_northeast_1", "mypurecloud.jp"),
    ("ap_northeast_2", "apne2.pure.cloud"),
    ("ap_northeast_3", "apne3.pure.cloud"),
    ("ap_southeast_1", "apse1.pure.cloud"),
    ("ap_southeast_2", "mypurecloud.com.au"),
];

/// Resolve a Genesys region (API domain such as `mypurecloud.ie`, or SDK name such as
/// `eu_west_1`) to its domain.
pub fn genesys_domain(region: &str) -> Option<&'static str> {
    let r = region
        .trim()
        .trim_start_matches("api.")
        .to_ascii_lowercase();
    GENESYS_REGIONS
        .iter()
        .find(|(name, domain)| *domain == r || *name == r.replace('-', "_"))
        .map(|(_, d)| *d)
}

// ---------------------------------------------------------------------------------------
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    name: Spanned<String>,
    kind: Spanned<String>,
    // demo
    seed: Option<Spanned<u64>>,
    scenario: Option<Spanned<String>>,
    // genesys
    region: Option<Spanned<String>>,
    login_url: Option<Spanned<String>>,
    // cxone
    issuer: Option<Spanned<String>>,
    api_version: Option<Spanned<String>>,
    access_key_id: Option<Spanned<String>>,
    access_key_secret: Option<Spanned<String>>,
    access_key_secret_env: Option<Spanned<String>>,
    access_key_secret_file: Option<Spanned<String>>,
    // shared
    api_url: Option<Spanned<String>>,
    client_id: Option<Spanned<String>>,
    client_secret: Option<Spanned<String>>,
    client_secret_env: Option<Spanned<String>>,
    client_secret_file: Option<Spanned<String>>,
    queues: Option<Vec<String>>,
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
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| v.line_of(s.start));
        let msg = e.message().trim().to_string();
        let hint = if msg.contains("unknown field") {
            Some("remove or correct the key; config.example.toml documents every key".into())
        } else if msg.contains("unknown variant") {
            Some("use one of the values listed in the message".into())
        } else {
            Some("see config.example.toml for the expected form".into())
        };
        ConfigError {
            file: path.map(Path::to_path_buf),
            line,
            message: msg,
            hint,
        }
    })?;

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
        Some(tz) => Some(tz.get_ref().parse::<chrono_tz::Tz>().map_err(|_| {
            v.err(
                Some(tz.span()),
                &format!("unknown time zone {:?}", tz.get_ref()),
                "use an IANA name such as \"Europe/Dublin\" or \"America/New_York\"",
            )
        })?),
        None => None,
    };

    let mut sla = SlaConfig::default();
    if let Some(rs) = &raw.sla {
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
            globset::Glob::new(q.pattern.get_ref()).map_err(|e| {
                v.err(
                    Some(q.pattern.span()),
                    &format!("bad queue pattern {:?}: {e}", q.pattern.get_ref()),
                    "use a name glob such as \"Billing*\" or a queue id",
                )
            })?;
            sla.queues.push(SlaOverride {
                pattern: q.pattern.get_ref().clone(),
                target: q
                    .target
                    .as_ref()
                    .map(|t| v.fraction(t, "target"))
                    .transpose()?,
                threshold_s: q
                    .threshold
                    .as_ref()
                    .map(|t| v.duration(t, "threshold").map(|d| d.as_secs_f64()))
                    .transpose()?,
                variant: q.variant,
                window: q.window.as_ref().map(|w| v.window(w)).transpose()?,
                short_abandon_s: q
                    .short_abandon
                    .as_ref()
                    .map(|t| v.duration(t, "short_abandon").map(|d| d.as_secs_f64()))
                    .transpose()?,
            });
        }
    }

    let alerts = if raw.alerts.is_empty() {
        default_alerts()
    } else {
        let mut out = Vec::new();
        for a in &raw.alerts {
            let state = match &a.state {
                Some(s) => Some(crate::domain::AgentState::parse(s.get_ref()).ok_or_else(|| {
                    v.err(
                        Some(s.span()),
                        &format!("unknown agent state {:?}", s.get_ref()),
                        "use available, busy, after_call_work, not_responding, unavailable or offline",
                    )
                })?),
                None => None,
            };
            if state.is_none() && a.reason.is_none() {
                return Err(v.err(
                    Some(a.after.span()),
                    "an alert needs a state or a reason",
                    "add state = \"after_call_work\" or reason = \"Break\"",
                ));
            }
            out.push(AlertRule {
                state,
                reason: a.reason.clone(),
                after: v.duration_allow_zero(&a.after, "after")?,
            });
        }
        out
    };

    let allow_inline = raw.allow_inline_secrets.unwrap_or(false);
    let mut inline_used = false;
    let mut sources = Vec::new();
    let mut names: Vec<String> = Vec::new();
    for s in &raw.sources {
        let span = s.span();
        let s = s.get_ref();
        let name = s.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(v.err(
                Some(s.name.span()),
                "a source name is empty",
                "give every source a short name, e.g. name = \"acme-gc\"",
            ));
        }
        if names.contains(&name) {
            return Err(v.err(
                Some(s.name.span()),
                &format!("two sources are named {name:?}"),
                "give every source a different name",
            ));
        }
        names.push(name.clone());
        let kind = s.kind.get_ref().as_str();
        let allowed: &[&str] = match kind {
            "demo" => &["seed", "scenario"],
            "genesys" => &[
                "region",
                "api_url",
                "login_url",
                "client_id",
                "client_secret",
                "client_secret_env",
                "client_secret_file",
                "queues",
            ],
            "cxone" => &[
                "issuer",
                "api_url",
                "api_version",
                "client_id",
                "client_secret",
                "client_secret_env",
                "client_secret_file",
                "access_key_id",
                "access_key_secret",
                "access_key_secret_env",
                "access_key_secret_file",
                "queues",
            ],
            other => {
                return Err(v.err(
                    Some(s.kind.span()),
                    &format!("unknown source kind {other:?}"),
                    "use kind = \"genesys\", \"cxone\" or \"demo\"",
                ));
            }
        };
        for (key, present_span) in s.present_keys() {
            if !allowed.contains(&key) {
                return Err(v.err(
                    Some(present_span),
                    &format!("key `{key}` does not apply to a {kind} source"),
                    &format!("a {kind} source takes: {}", allowed.join(", ")),
                ));
            }
        }
        let mut secret = |inline: &Option<Spanned<String>>,
                          env_key: &Option<Spanned<String>>,
                          file_key: &Option<Spanned<String>>,
                          what: &str|
         -> Result<Secret, ConfigError> {
            v.secret(
                inline,
                env_key,
                file_key,
                what,
                span.clone(),
                allow_inline,
                env,
            )
            .inspect(|_| {
                if inline.is_some() {
                    inline_used = true;
                }
            })
        };
        let cfg = match kind {
            "demo" => SourceConfig::Demo(DemoConfig {
                name,
                seed: s.seed.as_ref().map(|x| *x.get_ref()).unwrap_or(7),
                scenario: s.scenario.as_ref().map(|p| {
                    let p = PathBuf::from(p.get_ref());
                    match (p.is_relative(), path.and_then(Path::parent)) {
                        (true, Some(dir)) => dir.join(p),
                        _ => p,
                    }
                }),
            }),
            "genesys" => {
                let (api_url, login_url) = match (&s.region, &s.api_url, &s.login_url) {
                    (Some(r), None, None) => {
                        let d = genesys_domain(r.get_ref()).ok_or_else(|| {
                            let list: Vec<&str> = GENESYS_REGIONS.iter().map(|(_, d)| *d).collect();
                            v.err(
                                Some(r.span()),
                                &format!("unknown Genesys Cloud region {:?}", r.get_ref()),
                                &format!("use one of: {}", list.join(", ")),
                            )
                        })?;
                        (format!("https://api.{d}"), format!("https://login.{d}"))
                    }
                    (None, Some(a), Some(l)) => (v.url(a, "api_url")?, v.url(l, "login_url")?),
                    (Some(r), _, _) => {
                        return Err(v.err(
                            Some(r.span()),
                            "give either region or api_url + login_url, not both",
                            "remove region, or remove api_url and login_url",
                        ));
                    }
                    (None, _, _) => {
                        return Err(v.err(
                            Some(span.clone()),
                            &format!("source {name:?} needs region (or api_url and login_url)"),
                            "add region = \"mypurecloud.ie\" (your org's API domain)",
                        ));
                    }
                };
                let client_id = v.required(&s.client_id, "client_id", &span, &name)?;
                let client_secret = secret(
                    &s.client_secret,
                    &s.client_secret_env,
                    &s.client_secret_file,
                    "client_secret",
                )?;
                SourceConfig::Genesys(GenesysConfig {
                    name,
                    api_url,
                    login_url,
                    client_id,
                    client_secret,
                    queues: s.queues.clone().unwrap_or_default(),
                })
            }
            _ => {
                let issuer = match &s.issuer {
                    Some(i) => v.url(i, "issuer")?,
                    None => "https://cxone.niceincontact.com".to_string(),
                };
                let api_url = s
                    .api_url
                    .as_ref()
                    .map(|a| v.url(a, "api_url"))
                    .transpose()?;
                let api_version = match &s.api_version {
                    Some(a) => {
                        let ver = a.get_ref().trim();
                        let ok = ver.strip_prefix('v').is_some_and(|n| {
                            !n.is_empty()
                                && n.split('.')
                                    .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
                        });
                        if !ok {
                            return Err(v.err(
                                Some(a.span()),
                                &format!("bad api_version {ver:?}"),
                                "write it like \"v34.0\"",
                            ));
                        }
                        ver.to_string()
                    }
                    None => "v34.0".to_string(),
                };
                let client_id = v.required(&s.client_id, "client_id", &span, &name)?;
                let access_key_id = v.required(&s.access_key_id, "access_key_id", &span, &name)?;
                let client_secret = secret(
                    &s.client_secret,
                    &s.client_secret_env,
                    &s.client_secret_file,
                    "client_secret",
                )?;
                let access_key_secret = secret(
                    &s.access_key_secret,
                    &s.access_key_secret_env,
                    &s.access_key_secret_file,
                    "access_key_secret",
                )?;
                SourceConfig::Cxone(CxoneConfig {
                    name,
                    issuer,
                    api_url,
                    api_version,
                    client_id,
                    client_secret,
                    access_key_id,
                    access_key_secret,
                    queues: s.queues.clone().unwrap_or_default(),
                })
            }
        };
        sources.push(cfg);
    }
    if sources.is_empty() {
        sources = Config::demo_default().sources;
    }
    Ok(Config {
        path: path.map(Path::to_path_buf),
        refresh,
        timezone,
        sla,
        alerts,
        sources,
        inline_secret_warning: inline_used,
    })
}

impl RawSource {
    fn present_keys(&self) -> Vec<(&'static str, Range<usize>)> {
        let mut out = Vec::new();
        let mut add = |k: &'static str, s: Option<Range<usize>>| {
            if let Some(s) = s {
                out.push((k, s));
            }
        };
        add("seed", self.seed.as_ref().map(|x| x.span()));
        add("scenario", self.scenario.as_ref().map(|x| x.span()));
        add("region", self.region.as_ref().map(|x| x.span()));
        add("login_url", self.login_url.as_ref().map(|x| x.span()));
        add("issuer", self.issuer.as_ref().map(|x| x.span()));
        add("api_version", self.api_version.as_ref().map(|x| x.span()));
        add(
            "access_key_id",
            self.access_key_id.as_ref().map(|x| x.span()),
        );
        add(
            "access_key_secret",
            self.access_key_secret.as_ref().map(|x| x.span()),
        );
        add(
            "access_key_secret_env",
            self.access_key_secret_env.as_ref().map(|x| x.span()),
        );
        add(
            "access_key_secret_file",
            self.access_key_secret_file.as_ref().map(|x| x.span()),
        );
        add("api_url", self.api_url.as_ref().map(|x| x.span()));
        add("client_id", self.client_id.as_ref().map(|x| x.span()));
        add(
            "client_secret",
            self.client_secret.as_ref().map(|x| x.span()),
        );
        add(
            "client_secret_env",
            self.client_secret_env.as_ref().map(|x| x.span()),
        );
        add(
            "client_secret_file",
            self.client_secret_file.as_ref().map(|x| x.span()),
        );
        if self.queues.is_some() {
            out.push(("queues", self.name.span()));
        }
        out
    }
}

struct Validator<'a> {
    text: &'a str,
    path: Option<&'a Path>,
}

impl Validator<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    fn err(&self, span: Option<Range<usize>>, msg: &str, hint: &str) -> ConfigError {
        ConfigError {
            file: self.path.map(Path::to_path_buf),
            line: span.map(|s| self.line_of(s.start)),
            message: msg.to_string(),
            hint: Some(hint.to_string()),
        }
    }

    fn duration_allow_zero(&self, s: &Spanned<String>, key: &str) -> Result<Duration, ConfigError> {
        parse_duration(s.get_ref()).ok_or_else(|| {
            self.err(
                Some(s.span()),
                &format!("{key} = {:?} is not a duration", s.get_ref()),
                "write durations like \"5s\", \"30s\", \"2m\" or \"1h\"",
            )
        })
    }

    fn duration(&self, s: &Spanned<String>, key: &str) -> Result<Duration, ConfigError> {
        let d = self.duration_allow_zero(s, key)?;
        if d.is_zero() {
            return Err(self.err(
                Some(s.span()),
                &format!("{key} must be more than zero"),
                "write e.g. \"20s\"",
            ));
        }
        Ok(d)
    }

    fn fraction(&self, s: &Spanned<f64>, key: &str) -> Result<f64, ConfigError> {
        let x = *s.get_ref();
        if !(x > 0.0 && x <= 1.0) {
            return Err(self.err(
                Some(s.span()),
                &format!("{key} = {x} is outside (0, 1]"),
                "write the target as a fraction, e.g. 0.80 for 80 %",
            ));
        }
        Ok(x)
    }

    fn window(&self, s: &Spanned<String>) -> Result<SlWindow, ConfigError> {
        match s.get_ref().as_str() {
            "day" => Ok(SlWindow::Day),
            "15m" => Ok(SlWindow::Minutes(15)),
            "30m" => Ok(SlWindow::Minutes(30)),
            "60m" | "1h" => Ok(SlWindow::Minutes(60)),
            other => Err(self.err(
                Some(s.span()),
                &format!("unknown window {other:?}"),
                "use \"day\", \"15m\", \"30m\" or \"60m\"",
            )),
        }
    }

    fn url(&self, s: &Spanned<String>, key: &str) -> Result<String, ConfigError> {
        let u = s.get_ref().trim().trim_end_matches('/').to_string();
        check_url(&u).map_err(|m| {
            self.err(
                Some(s.span()),
                &format!("{key}: {m}"),
                "use https://, or http:// only for 127.0.0.1, ::1 or localhost",
            )
        })?;
        Ok(u)
    }

    fn required(
        &self,
        s: &Option<Spanned<String>>,
        key: &str,
        span: &Range<usize>,
        name: &str,
    ) -> Result<String, ConfigError> {
        match s {
            Some(x) if !x.get_ref().trim().is_empty() => Ok(x.get_ref().trim().to_string()),
            Some(x) => Err(self.err(
                Some(x.span()),
                &format!("{key} is empty"),
                &format!("set {key} for source {name:?}"),
            )),
            None => Err(self.err(
                Some(span.clone()),
                &format!("source {name:?} needs {key}"),
                &format!("add {key} = \"…\""),
            )),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn secret(
        &self,
        inline: &Option<Spanned<String>>,
        env_key: &Option<Spanned<String>>,
        file_key: &Option<Spanned<String>>,
        what: &str,
        span: Range<usize>,
        allow_inline: bool,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Secret, ConfigError> {
        let count = [inline.is_some(), env_key.is_some(), file_key.is_some()]
            .iter()
            .filter(|b| **b)
            .count();
        if count > 1 {
            return Err(self.err(
                Some(span),
                &format!("{what} is given more than one way"),
                &format!("keep one of {what}_env or {what}_file"),
            ));
        }
        if let Some(i) = inline {
            if !allow_inline {
                return Err(self.err(
                    Some(i.span()),
                    &format!("inline {what} refused: secrets do not belong in config files"),
                    &format!("use {what}_env = \"VAR\" or {what}_file = \"/path\", or set allow_inline_secrets = true"),
                ));
            }
            return Ok(Secret::new(i.get_ref().clone()));
        }
        if let Some(e) = env_key {
            return match env(e.get_ref()) {
                Some(val) if !val.trim().is_empty() => Ok(Secret::new(val.trim().to_string())),
                _ => Err(self.err(
                    Some(e.span()),
                    &format!(
                        "environment variable {} (for {what}) is not set",
                        e.get_ref()
                    ),
                    &format!("export {}=… before starting queuetop", e.get_ref()),
                )),
            };
        }
        if let Some(f) = file_key {
            return match std::fs::read_to_string(f.get_ref()) {
                Ok(val) if !val.trim().is_empty() => Ok(Secret::new(val.trim().to_string())),
                Ok(_) => Err(self.err(
                    Some(f.span()),
                    &format!("{what} file {} is empty", f.get_ref()),
                    "put the secret in the file",
                )),
                Err(e) => Err(self.err(
                    Some(f.span()),
                    &format!("cannot read {what} file {}: {e}", f.get_ref()),
                    "check the path and its permissions",
                )),
            };
        }
        Err(self.err(
            Some(span),
            &format!("{what} is missing"),
            &format!("add {what}_env = \"VAR\" (or {what}_file = \"/path\")"),
        ))
    }
}

/// Parse `5s`, `30s`, `2m`, `1h`, `1h30m`, `500ms`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    humantime::parse_duration(s.trim()).ok()
}

/// A URL must be https, or http to a loopback host.
pub fn check_url(u: &str) -> Result<(), String> {
    let (scheme, rest) = u
        .split_once("://")
        .ok_or_else(|| format!("{u:?} is not a URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err(format!("{u:?} must not contain user:password@"));
    }
    let host = if let Some(h) = authority.strip_prefix('[') {
        h.split(']').next().unwrap_or("")
    } else {
        authority
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(authority)
    };
    if host.is_empty() {
        return Err(format!("{u:?} has no host"));
    }
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err(format!("{u:?} uses plain http to a non-loopback host")),
        other => Err(format!("{u:?} has unsupported scheme {other:?}")),
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}
