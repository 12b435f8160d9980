//! Configuration: TOML file → validated [`Config`].
//!
//! Every error names the file, the line and what to do. Secrets are read from the
//! environment or a file and kept in [`Secret`], whose `Debug` never shows them.
//!
//! * [`load`](mod@load) — reading the file, the top-level keys, `[sla]` and `[[alerts]]`;
//! * [`errors`] — [`ConfigError`] and the validator that gives every error its line;
//! * [`sources`] — `[[sources]]`: the keys each kind takes and its validation
//!   (`demo`, `genesys` with the region table, `cxone`);
//! * [`secret`] — [`Secret`] and reading `*_env` / `*_file`;
//! * [`url`] — the URL rules (https only, except loopback; no userinfo).

mod errors;
mod load;
mod secret;
pub mod serve;
mod sources;
mod url;
pub mod wall;

use std::path::PathBuf;
use std::time::Duration;

pub use crate::domain::SlVariant;
pub use errors::{ConfigError, parse_duration};
pub use load::{load, parse};
pub use secret::{SECRET_FILE_MAX_BYTES, Secret};
pub use serve::ServeConfig;
pub use sources::genesys::{GENESYS_REGIONS, genesys_domain};
pub use sources::nats::check_centre;
pub use url::{check_nats_url, check_url};

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
                // The current clock-aligned half hour: the interval wallboards colour.
                window: SlWindow::Minutes(30),
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
    /// Whether live changes are pushed over the Notifications API (`push = …`).
    pub push: PushMode,
}

/// `push = "auto" | "on" | "off"` on a Genesys source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PushMode {
    /// Push when the channel works, else poll (a failure is only a note).
    #[default]
    Auto,
    /// Push; a failure is shown as an error (the source still polls meanwhile).
    On,
    /// Poll only.
    Off,
}

impl PushMode {
    pub fn parse(s: &str) -> Option<PushMode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Some(PushMode::Auto),
            "on" => Some(PushMode::On),
            "off" => Some(PushMode::Off),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PushMode::Auto => "auto",
            PushMode::On => "on",
            PushMode::Off => "off",
        }
    }
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

/// How to log in to NATS (a viewer source or `[serve]`): never printed.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum NatsAuth {
    #[default]
    None,
    Token(Secret),
    UserPassword {
        user: String,
        password: Secret,
    },
    /// The content of a `.creds` file (a user JWT and its NKey seed).
    Creds(Secret),
}

impl NatsAuth {
    /// How the credentials are given, in words (no secret).
    pub fn describe(&self) -> String {
        match self {
            NatsAuth::None => "no credentials".into(),
            NatsAuth::Token(_) => "a token (hidden)".into(),
            NatsAuth::UserPassword { user, .. } => format!("user {user} with a password (hidden)"),
            NatsAuth::Creds(_) => "a .creds file (hidden)".into(),
        }
    }
}

/// A viewer of a collector's figures over NATS.
#[derive(Clone, Debug, PartialEq)]
pub struct NatsConfig {
    pub name: String,
    /// `nats://` (loopback only) or `tls://`.
    pub url: String,
    /// The collector's `--centre`.
    pub centre: String,
    /// Which of the collector's sources; `None` = the only one it publishes.
    pub source: Option<String>,
    pub auth: NatsAuth,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SourceConfig {
    Demo(DemoConfig),
    Genesys(GenesysConfig),
    Cxone(CxoneConfig),
    Nats(NatsConfig),
}

impl SourceConfig {
    pub fn name(&self) -> &str {
        match self {
            SourceConfig::Demo(c) => &c.name,
            SourceConfig::Genesys(c) => &c.name,
            SourceConfig::Cxone(c) => &c.name,
            SourceConfig::Nats(c) => &c.name,
        }
    }
    pub fn kind(&self) -> crate::domain::SourceKind {
        match self {
            SourceConfig::Demo(_) => crate::domain::SourceKind::Demo,
            SourceConfig::Genesys(_) => crate::domain::SourceKind::Genesys,
            SourceConfig::Cxone(_) => crate::domain::SourceKind::Cxone,
            SourceConfig::Nats(_) => crate::domain::SourceKind::Nats,
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
    /// A source's own `timezone`, by source name (wins over `timezone`).
    pub source_timezones: std::collections::BTreeMap<String, chrono_tz::Tz>,
    pub sla: SlaConfig,
    pub alerts: Vec<AlertRule>,
    pub sources: Vec<SourceConfig>,
    /// Inline secrets were allowed and used: warn on screen.
    pub inline_secret_warning: bool,
    /// `[wall]`, `[[wall.pages]]`, `[[thresholds]]` (see [`wall`]).
    pub wall: wall::WallSettings,
    /// Where "now" comes from (`--at` moves the demo centre and the board to a moment).
    pub clock: crate::domain::time::Clock,
    /// `[serve]`: what `queuetop serve` publishes and where.
    pub serve: ServeConfig,
}

/// Where the time zone in force for a source comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ZoneOrigin {
    /// The source's own `timezone` key.
    Source,
    /// The top-level `timezone` key.
    Configuration,
    /// Neither: the platform's own (CXone's business unit) where it names one, else the
    /// machine's.
    Default,
}

impl Config {
    /// The zone of a source's "today" and interval boundaries, and where it comes from.
    pub fn timezone_of(&self, source: &str) -> (Option<chrono_tz::Tz>, ZoneOrigin) {
        match (self.source_timezones.get(source), self.timezone) {
            (Some(tz), _) => (Some(*tz), ZoneOrigin::Source),
            (None, Some(tz)) => (Some(tz), ZoneOrigin::Configuration),
            (None, None) => (None, ZoneOrigin::Default),
        }
    }

    /// No file: the built-in demo.
    pub fn demo_default() -> Config {
        Config {
            path: None,
            refresh: Duration::from_secs(5),
            timezone: None,
            source_timezones: Default::default(),
            sla: SlaConfig::default(),
            alerts: default_alerts(),
            sources: vec![SourceConfig::Demo(DemoConfig {
                name: "demo".into(),
                seed: 7,
                scenario: None,
            })],
            inline_secret_warning: false,
            wall: wall::WallSettings::default(),
            clock: Default::default(),
            serve: ServeConfig::default(),
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

/// Where the configuration file is looked for when neither `--config` nor
/// `QUEUETOP_CONFIG` names one.
pub fn default_path() -> Option<PathBuf> {
    directories::ProjectDirs::from("", "", "queuetop").map(|d| d.config_dir().join("config.toml"))
}
