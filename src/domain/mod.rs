//! The vocabulary of a contact centre: queues, agents, their states and history.
//!
//! No I/O, no terminal, no vendor words. Every figure a source could not provide is `None`
//! (shown as `—` on screen and `null` in JSON), never an invented zero.

pub mod bounds;
pub mod intervals;
pub mod sl_variant;
pub mod spans;
pub mod split;
pub mod text;
pub mod time;

pub use intervals::{IntervalCounts, QueueIntervals, SourceIntervals};
pub use sl_variant::SlVariant;
pub use split::{Figure, HandleSplit, SplitReport};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// An agent's normalised state (see INTERFACES.md, "Normalised agent states").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgentState {
    Available,
    Busy,
    AfterCallWork,
    NotResponding,
    Unavailable,
    Offline,
    Unknown,
}

impl AgentState {
    pub const ALL: [AgentState; 7] = [
        AgentState::Available,
        AgentState::Busy,
        AgentState::AfterCallWork,
        AgentState::NotResponding,
        AgentState::Unavailable,
        AgentState::Offline,
        AgentState::Unknown,
    ];

    /// The contract's word for the state (`available`, `after_call_work`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            AgentState::Available => "available",
            AgentState::Busy => "busy",
            AgentState::AfterCallWork => "after_call_work",
            AgentState::NotResponding => "not_responding",
            AgentState::Unavailable => "unavailable",
            AgentState::Offline => "offline",
            AgentState::Unknown => "unknown",
        }
    }

    /// A short human label for screens.
    pub fn label(self) -> &'static str {
        match self {
            AgentState::Available => "Available",
            AgentState::Busy => "Busy",
            AgentState::AfterCallWork => "ACW",
            AgentState::NotResponding => "Not responding",
            AgentState::Unavailable => "Away",
            AgentState::Offline => "Offline",
            AgentState::Unknown => "Unknown",
        }
    }

    pub fn parse(s: &str) -> Option<AgentState> {
        AgentState::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Agents in these states are taking the queue's work ("staffed").
    pub fn is_staffed(self) -> bool {
        matches!(
            self,
            AgentState::Available
                | AgentState::Busy
                | AgentState::AfterCallWork
                | AgentState::NotResponding
        )
    }
}

/// The channel a queue carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Media {
    Voice,
    Chat,
    Email,
    Message,
    Callback,
    Mixed,
    Other,
}

impl Media {
    pub fn as_str(self) -> &'static str {
        match self {
            Media::Voice => "voice",
            Media::Chat => "chat",
            Media::Email => "email",
            Media::Message => "message",
            Media::Callback => "callback",
            Media::Mixed => "mixed",
            Media::Other => "other",
        }
    }
}

/// Agents of one queue counted by normalised state. `None` = the source does not say.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AgentCounts {
    pub available: Option<u32>,
    pub busy: Option<u32>,
    pub after_call_work: Option<u32>,
    pub not_responding: Option<u32>,
    pub unavailable: Option<u32>,
    pub offline: Option<u32>,
}

impl AgentCounts {
    /// Agents taking this queue's work: available + busy + after-call work + not responding.
    /// `None` only when the source gives none of the four.
    pub fn staffed(&self) -> Option<u32> {
        let parts = [
            self.available,
            self.busy,
            self.after_call_work,
            self.not_responding,
        ];
        if parts.iter().all(Option::is_none) {
            return None;
        }
        Some(parts.iter().map(|p| p.unwrap_or(0)).sum())
    }

    /// Count agents by state (for sources that know every agent).
    pub fn from_states(states: impl IntoIterator<Item = AgentState>) -> AgentCounts {
        let mut c = [0u32; 7];
        for s in states {
            c[s as usize] += 1;
        }
        AgentCounts::from_tally(c)
    }

    /// From agents per state, indexed by `AgentState as usize` (the order of
    /// [`AgentState::ALL`]). Unknown agents count as offline.
    pub fn from_tally(c: [u32; 7]) -> AgentCounts {
        AgentCounts {
            available: Some(c[AgentState::Available as usize]),
            busy: Some(c[AgentState::Busy as usize]),
            after_call_work: Some(c[AgentState::AfterCallWork as usize]),
            not_responding: Some(c[AgentState::NotResponding as usize]),
            unavailable: Some(c[AgentState::Unavailable as usize]),
            offline: Some(c[AgentState::Offline as usize] + c[AgentState::Unknown as usize]),
        }
    }
}

/// What is happening in a queue right now, as observed at `observed_at`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueLive {
    pub observed_at: Option<DateTime<Utc>>,
    pub waiting: Option<u32>,
    /// Age of the oldest waiting interaction at `observed_at`.
    pub longest_wait_s: Option<f64>,
    /// Ages of every waiting interaction at `observed_at`, oldest first; `None` when the
    /// source only gives a count.
    pub waiting_ages_s: Option<Vec<f64>>,
    pub agents: AgentCounts,
}

impl QueueLive {
    /// Longest wait advanced to `now` (ticks locally between fetches). Never goes backwards
    /// past the observed value, and is `None` when unknown.
    pub fn longest_wait_at(&self, now: DateTime<Utc>) -> Option<f64> {
        let lw = self.longest_wait_s?;
        if self.waiting == Some(0) {
            return Some(0.0);
        }
        let dt = self
            .observed_at
            .map(|t| (now - t).num_milliseconds().max(0) as f64 / 1000.0)
            .unwrap_or(0.0);
        Some(lw + dt)
    }
}

/// Today's counters (local midnight → now) as the platform reports them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueToday {
    pub fetched_at: Option<DateTime<Utc>>,
    pub offered: Option<u64>,
    pub answered: Option<u64>,
    pub abandoned: Option<u64>,
    /// Answered within the service-level threshold.
    pub answered_within_threshold: Option<u64>,
    /// Abandoned within the threshold ("short abandons"); used by the SL variants.
    pub abandoned_within_threshold: Option<u64>,
    pub asa_s: Option<f64>,
    pub aht_s: Option<f64>,
    /// The vendor's own service level for today (Genesys oServiceLevel, CXone within/total,
    /// demo answered-within / (answered + abandoned)).
    pub service_level: Option<f64>,
    /// The contacts the platform's own service level counts (its denominator), so totals
    /// over queues divide like with like: `Σ answered_within_threshold / Σ sl_counted`.
    pub sl_counted: Option<u64>,
    /// abandoned / offered.
    pub abandon_rate: Option<f64>,
    /// Total handle time of the handled interactions today, seconds (for AHT estimation).
    pub handle_time_total_s: Option<f64>,
    /// Interactions handled (completed) today.
    pub handled: Option<u64>,
}

/// A service-level objective: `target` fraction within `threshold_s` seconds.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SlObjective {
    pub target: f64,
    pub threshold_s: f64,
}

/// One queue (CXone: skill) of one source.
#[derive(Clone, Debug, PartialEq)]
pub struct Queue {
    pub id: String,
    pub name: String,
    pub media: Media,
    /// The platform's own service-level target for this queue, if it has one.
    pub vendor_objective: Option<SlObjective>,
    pub live: QueueLive,
    pub today: QueueToday,
    /// Recent (time, waiting) samples, oldest first, when the source knows them (the demo
    /// does); the app adds its own samples from each poll for the trend sparkline.
    pub recent_waiting: Vec<(DateTime<Utc>, u32)>,
}

/// One agent as a source sees it now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Agent {
    pub id: String,
    pub name: String,
    pub state: AgentState,
    /// The vendor's own label ("Lunch", "On Queue/IDLE", "InboundContact").
    pub reason: Option<String>,
    pub since: Option<DateTime<Utc>>,
    /// Ids of the queues the agent serves.
    pub queues: Vec<String>,
    /// What a busy agent is working on, where the platform says.
    #[serde(default)]
    pub contact: Option<AgentContact>,
    /// The agent's team or group, where the platform gives one.
    #[serde(default)]
    pub team: Option<String>,
}

/// The interaction an agent is on: its queue and kind, where the platform says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AgentContact {
    /// Id of the queue (skill) the interaction came from.
    pub queue_id: Option<String>,
    pub media: Option<Media>,
}

/// A period in one state. `end` is exclusive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StateSpan {
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
    pub state: AgentState,
    pub reason: Option<String>,
}

/// An agent's state history over `[from, to]` as fetched from a source (spans may be raw:
/// unsorted, overlapping, or starting before `from`; `spans::normalise` makes them clean).
#[derive(Clone, Debug, PartialEq)]
pub struct AgentHistory {
    pub agent_id: String,
    pub agent_name: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub spans: Vec<StateSpan>,
    pub fetched_at: DateTime<Utc>,
}

/// The kind of platform a source talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Demo,
    Genesys,
    Cxone,
    /// A viewer of a collector's figures over NATS (`queuetop serve`).
    Nats,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Demo => "demo",
            SourceKind::Genesys => "genesys",
            SourceKind::Cxone => "cxone",
            SourceKind::Nats => "nats",
        }
    }
}

/// How current a source's data is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceStatus {
    /// Still connecting: nothing fetched yet.
    Connecting,
    Live,
    Stale,
    Offline,
    Error,
}

impl SourceStatus {
    /// The contract's word (`live` | `stale` | `offline` | `error`); connecting is offline.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceStatus::Connecting | SourceStatus::Offline => "offline",
            SourceStatus::Live => "live",
            SourceStatus::Stale => "stale",
            SourceStatus::Error => "error",
        }
    }
}

/// A source's health as it reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceHealth {
    pub status: SourceStatus,
    /// When data was last fetched successfully.
    pub last_ok: Option<DateTime<Utc>>,
    /// The deadline the source promised for its data: past it, the figures are STALE. Set
    /// by the polling engine from each part's own cadence and budget (the earliest deadline
    /// of the parts that feed the board); `None` until something was fetched.
    pub fresh_until: Option<DateTime<Utc>>,
    /// What went wrong and what to do (never a secret).
    pub error: Option<String>,
    /// When the next attempt is due after a failure.
    pub next_retry: Option<DateTime<Utc>>,
    /// Anything else worth telling the user (e.g. "refresh stretched to 12 s by the API budget").
    pub note: Option<String>,
    /// Each part of the source (queue list, live figures, agents…) with its own freshness.
    pub parts: Vec<PartHealth>,
    /// How the live figures arrive, for a source that can push (`None`: it only polls).
    pub mode: Option<FeedMode>,
}

/// How a source that can push gets its live figures now.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FeedMode {
    /// Changes are pushed: `newest_event` is the time of the newest pushed change (`None`
    /// while the channel is up but silent); the channel's heartbeats keep the source live.
    Push { newest_event: Option<DateTime<Utc>> },
    /// Polled (push is off, not working, or not yet connected).
    Poll,
}

impl FeedMode {
    pub fn word(self) -> &'static str {
        match self {
            FeedMode::Push { .. } => "PUSH",
            FeedMode::Poll => "POLL",
        }
    }
}

/// One independently fetched part of a source, as its last attempt left it.
#[derive(Clone, Debug, PartialEq)]
pub struct PartHealth {
    pub name: String,
    pub status: SourceStatus,
    /// When the part last fetched successfully.
    pub fetched_at: Option<DateTime<Utc>>,
    /// The deadline it promised from its own cadence and budget.
    pub fresh_until: Option<DateTime<Utc>>,
    /// Its last failure (never a secret).
    pub error: Option<String>,
}

impl SourceHealth {
    /// LIVE / STALE / OFFLINE / ERROR as shown at `now`: a LIVE source whose data is past
    /// the deadline it promised is STALE. Nothing else decides staleness.
    pub fn status_at(&self, now: DateTime<Utc>) -> SourceStatus {
        match (self.status, self.fresh_until) {
            (SourceStatus::Live, Some(deadline)) if now > deadline => SourceStatus::Stale,
            (status, _) => status,
        }
    }

    pub fn connecting() -> SourceHealth {
        SourceHealth {
            status: SourceStatus::Connecting,
            last_ok: None,
            fresh_until: None,
            error: None,
            next_retry: None,
            note: None,
            parts: Vec::new(),
            mode: None,
        }
    }

    pub fn live(at: DateTime<Utc>) -> SourceHealth {
        SourceHealth {
            status: SourceStatus::Live,
            last_ok: Some(at),
            fresh_until: None,
            error: None,
            next_retry: None,
            note: None,
            parts: Vec::new(),
            mode: None,
        }
    }
}

/// Everything one source owns, as of one poll: latest value wins.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceSnapshot {
    pub source: String,
    pub kind: SourceKind,
    pub fetched_at: DateTime<Utc>,
    pub queues: Vec<Queue>,
    /// `None` when the agent list could not be fetched (yet).
    pub agents: Option<Vec<Agent>>,
    pub health: SourceHealth,
}
