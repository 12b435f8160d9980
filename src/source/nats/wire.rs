//! What a collector publishes and a viewer reads: JSON mirrors of the domain (one per part
//! of a source), their envelope, and the history request and answer.
//!
//! Everything read from NATS is hostile: a message larger than [`MAX_MESSAGE_BYTES`] is not
//! parsed, lists are cut to their bounds, texts to [`MAX_TEXT`] characters, and the engine's
//! border checks (printable text, plausible figures and instants) run on the result as for
//! any vendor.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{
    Agent, AgentCounts, AgentHistory, IntervalCounts, Media, PartHealth, Queue, QueueIntervals,
    QueueLive, QueueToday, SlObjective, SourceHealth, SourceIntervals, SourceStatus, StateSpan,
};

/// The format's version; a viewer ignores envelopes of another.
pub const VERSION: u32 = 1;
/// The largest message a viewer parses (NATS's own default limit is 1 MiB).
pub const MAX_MESSAGE_BYTES: usize = 8 << 20;
/// The most queues, agents, spans and waiting ages a viewer keeps from one message.
pub const MAX_QUEUES: usize = 20_000;
pub const MAX_AGENTS: usize = 100_000;
pub const MAX_SPANS: usize = 50_000;
pub const MAX_AGES: usize = 10_000;
pub const MAX_SAMPLES: usize = 5_000;
pub const MAX_INTERVALS: usize = 2_000;
pub const MAX_PARTS: usize = 32;
/// Texts (names, reasons, errors) longer than this are cut.
pub const MAX_TEXT: usize = 1_000;

/// The parts of a source a collector publishes, each under its own key and subject.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Part {
    /// The source's health and freshness, republished at every heartbeat.
    Health,
    Queues,
    Agents,
    /// The interval history (KV only: it is large and changes little).
    Intervals,
}

impl Part {
    pub const ALL: [Part; 4] = [Part::Health, Part::Queues, Part::Agents, Part::Intervals];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Health => "health",
            Part::Queues => "queues",
            Part::Agents => "agents",
            Part::Intervals => "intervals",
        }
    }

    pub fn parse(s: &str) -> Option<Part> {
        Part::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

/// Which publication a message is: the collector's run (its start, ms since the epoch) and a
/// sequence number within it. A later (run, seq) replaces an earlier one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Stamp {
    pub run: i64,
    pub seq: u64,
}

/// Every message: the format version, the stamp, the source (its name at the collector),
/// when it was published and the part's body.
#[derive(Debug, Serialize, Deserialize)]
pub struct Envelope<T> {
    pub v: u32,
    #[serde(flatten)]
    pub stamp: Stamp,
    pub source: String,
    pub published_at: DateTime<Utc>,
    pub body: T,
}

/// The health part: the source as the collector sees it, and the collector's promise to
/// say so again within `heartbeat_s`.
#[derive(Debug, Serialize, Deserialize)]
pub struct HealthWire {
    pub kind: String,
    pub status: SourceStatus,
    pub fetched_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_ok: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fresh_until: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_retry: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub parts: Vec<PartWire>,
    pub heartbeat_s: f64,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct PartWire {
    pub name: String,
    pub status: SourceStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fresh_until: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct QueueWire {
    pub id: String,
    pub name: String,
    pub media: Media,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<SlObjective>,
    pub live: LiveWire,
    pub today: TodayWire,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recent_waiting: Vec<(DateTime<Utc>, u32)>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct LiveWire {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub observed_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub longest_wait_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiting_ages_s: Option<Vec<f64>>,
    pub agents: AgentCounts,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct TodayWire {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fetched_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offered: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abandoned: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answered_within_threshold: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abandoned_within_threshold: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub asa_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub aht_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service_level: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sl_counted: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abandon_rate: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handle_time_total_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handled: Option<u64>,
}

/// The agents part: `None` when the collector has no agent list (yet).
pub type AgentsWire = Option<Vec<Agent>>;

#[derive(Debug, Serialize, Deserialize)]
pub struct IntervalsWire {
    pub fetched_at: DateTime<Utc>,
    pub queues: Vec<QueueIntervalsWire>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct QueueIntervalsWire {
    pub queue_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_now: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<DateTime<Utc>>,
    pub intervals: Vec<IntervalWire>,
}

/// One interval, compactly: (start, minutes, offered, answered, answered within,
/// abandoned, abandoned within).
pub type IntervalWire = (DateTime<Utc>, u32, u64, u64, u64, u64, u64);

/// The manifest: which sources the collector publishes (key `centre`).
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub sources: Vec<String>,
    pub version: String,
    pub started_at: DateTime<Utc>,
}

/// A viewer asks the collector for one agent's history.
#[derive(Debug, Serialize, Deserialize)]
pub struct HistoryRequest {
    pub agent_id: String,
    /// How far back, in hours (1–48).
    pub hours: u32,
    /// Up to this instant (a look-back viewer); `None` = now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<DateTime<Utc>>,
}

/// The collector's answer: the history (fetched once, shared by concurrent askers) and
/// when it was fetched, or why not.
#[derive(Debug, Serialize, Deserialize)]
pub struct HistoryAnswer {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub history: Option<HistoryWire>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct HistoryWire {
    pub agent_id: String,
    pub agent_name: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub fetched_at: DateTime<Utc>,
    pub spans: Vec<StateSpan>,
}

/// Cut a text to [`MAX_TEXT`] characters (the engine makes it printable).
pub fn bounded(mut s: String) -> String {
    if s.len() > MAX_TEXT
        && let Some((i, _)) = s.char_indices().nth(MAX_TEXT)
    {
        s.truncate(i);
    }
    s
}

fn bounded_opt(s: Option<String>) -> Option<String> {
    s.map(bounded)
}

/// Parse one message, refusing anything too large or of another format version.
pub fn decode<T: for<'de> Deserialize<'de>>(bytes: &[u8]) -> Result<Envelope<T>, String> {
    if bytes.len() > MAX_MESSAGE_BYTES {
        return Err(format!(
            "a message of {} bytes (more than {} allowed)",
            bytes.len(),
            MAX_MESSAGE_BYTES
        ));
    }
    let env: Envelope<T> =
        serde_json::from_slice(bytes).map_err(|e| format!("an unreadable message ({e})"))?;
    if env.v != VERSION {
        return Err(format!(
            "a message of format version {} (this queuetop reads {VERSION})",
            env.v
        ));
    }
    Ok(env)
}

/// One part's message as bytes.
pub fn encode<T: Serialize>(
    stamp: Stamp,
    source: &str,
    published_at: DateTime<Utc>,
    body: &T,
) -> Result<Vec<u8>, String> {
    serde_json::to_vec(&Envelope {
        v: VERSION,
        stamp,
        source: source.to_string(),
        published_at,
        body,
    })
    .map_err(|e| e.to_string())
}

// Domain → wire (the collector).

pub fn health_wire(
    kind: &str,
    h: &SourceHealth,
    fetched_at: DateTime<Utc>,
    heartbeat_s: f64,
) -> HealthWire {
    HealthWire {
        kind: kind.to_string(),
        status: h.status,
        fetched_at,
        last_ok: h.last_ok,
        fresh_until: h.fresh_until,
        error: h.error.clone(),
        next_retry: h.next_retry,
        note: h.note.clone(),
        parts: h
            .parts
            .iter()
            .map(|p| PartWire {
                name: p.name.clone(),
                status: p.status,
                fetched_at: p.fetched_at,
                fresh_until: p.fresh_until,
                error: p.error.clone(),
            })
            .collect(),
        heartbeat_s,
    }
}

pub fn queues_wire(qs: &[Queue]) -> Vec<QueueWire> {
    qs.iter()
        .map(|q| QueueWire {
            id: q.id.clone(),
            name: q.name.clone(),
            media: q.media,
            objective: q.vendor_objective,
            live: LiveWire {
                observed_at: q.live.observed_at,
                waiting: q.live.waiting,
                longest_wait_s: q.live.longest_wait_s,
                waiting_ages_s: q.live.waiting_ages_s.clone(),
                agents: q.live.agents.clone(),
            },
            today: TodayWire {
                fetched_at: q.today.fetched_at,
                offered: q.today.offered,
                answered: q.today.answered,
                abandoned: q.today.abandoned,
                answered_within_threshold: q.today.answered_within_threshold,
                abandoned_within_threshold: q.today.abandoned_within_threshold,
                asa_s: q.today.asa_s,
                aht_s: q.today.aht_s,
                service_level: q.today.service_level,
                sl_counted: q.today.sl_counted,
                abandon_rate: q.today.abandon_rate,
                handle_time_total_s: q.today.handle_time_total_s,
                handled: q.today.handled,
            },
            recent_waiting: q.recent_waiting.clone(),
        })
        .collect()
}

pub fn intervals_wire(iv: &SourceIntervals) -> IntervalsWire {
    IntervalsWire {
        fetched_at: iv.fetched_at,
        queues: iv
            .queues
            .iter()
            .map(|q| QueueIntervalsWire {
                queue_id: q.queue_id.clone(),
                open_now: q.open_now,
                closes_at: q.closes_at,
                intervals: q
                    .intervals
                    .iter()
                    .map(|i| {
                        (
                            i.start,
                            i.minutes,
                            i.offered,
                            i.answered,
                            i.answered_within_threshold,
                            i.abandoned,
                            i.abandoned_within_threshold,
                        )
                    })
                    .collect(),
            })
            .collect(),
    }
}

pub fn history_wire(h: &AgentHistory) -> HistoryWire {
    HistoryWire {
        agent_id: h.agent_id.clone(),
        agent_name: h.agent_name.clone(),
        from: h.from,
        to: h.to,
        fetched_at: h.fetched_at,
        spans: h.spans.clone(),
    }
}

// Wire → domain (the viewer), bounded.

pub fn health_from(w: HealthWire) -> SourceHealth {
    SourceHealth {
        status: w.status,
        last_ok: w.last_ok,
        fresh_until: w.fresh_until,
        error: bounded_opt(w.error),
        next_retry: w.next_retry,
        note: bounded_opt(w.note),
        parts: w
            .parts
            .into_iter()
            .take(MAX_PARTS)
            .map(|p| PartHealth {
                name: bounded(p.name),
                status: p.status,
                fetched_at: p.fetched_at,
                fresh_until: p.fresh_until,
                error: bounded_opt(p.error),
            })
            .collect(),
        // The published health does not carry the collector's push/poll mode.
        mode: None,
    }
}

pub fn queues_from(w: Vec<QueueWire>) -> Vec<Queue> {
    w.into_iter()
        .take(MAX_QUEUES)
        .map(|q| {
            let mut ages = q.live.waiting_ages_s;
            if let Some(a) = &mut ages {
                a.truncate(MAX_AGES);
                a.retain(|x| x.is_finite());
            }
            let mut recent = q.recent_waiting;
            if recent.len() > MAX_SAMPLES {
                recent.drain(..recent.len() - MAX_SAMPLES);
            }
            Queue {
                id: bounded(q.id),
                name: bounded(q.name),
                media: q.media,
                vendor_objective: q.objective,
                live: QueueLive {
                    observed_at: q.live.observed_at,
                    waiting: q.live.waiting,
                    longest_wait_s: q.live.longest_wait_s,
                    waiting_ages_s: ages,
                    agents: q.live.agents,
                },
                today: QueueToday {
                    fetched_at: q.today.fetched_at,
                    offered: q.today.offered,
                    answered: q.today.answered,
                    abandoned: q.today.abandoned,
                    answered_within_threshold: q.today.answered_within_threshold,
                    abandoned_within_threshold: q.today.abandoned_within_threshold,
                    asa_s: q.today.asa_s,
                    aht_s: q.today.aht_s,
                    service_level: q.today.service_level.filter(|x| (0.0..=1.0).contains(x)),
                    sl_counted: q.today.sl_counted,
                    abandon_rate: q.today.abandon_rate.filter(|x| (0.0..=1.0).contains(x)),
                    handle_time_total_s: q.today.handle_time_total_s,
                    handled: q.today.handled,
                },
                recent_waiting: recent,
            }
        })
        .collect()
}

pub fn agents_from(w: AgentsWire) -> Option<Vec<Agent>> {
    w.map(|list| {
        list.into_iter()
            .take(MAX_AGENTS)
            .map(|mut a| {
                a.id = bounded(a.id);
                a.name = bounded(a.name);
                a.reason = bounded_opt(a.reason);
                a.queues.truncate(1_000);
                a.queues = a.queues.into_iter().map(bounded).collect();
                a
            })
            .collect()
    })
}

pub fn intervals_from(source: &str, w: IntervalsWire) -> SourceIntervals {
    SourceIntervals {
        source: source.to_string(),
        fetched_at: w.fetched_at,
        queues: w
            .queues
            .into_iter()
            .take(MAX_QUEUES)
            .map(|q| QueueIntervals {
                queue_id: bounded(q.queue_id),
                open_now: q.open_now,
                closes_at: q.closes_at,
                intervals: q
                    .intervals
                    .into_iter()
                    .take(MAX_INTERVALS)
                    .filter(|i| matches!(i.1, 1..=1440))
                    .map(|i| IntervalCounts {
                        start: i.0,
                        minutes: i.1,
                        offered: i.2,
                        answered: i.3,
                        answered_within_threshold: i.4,
                        abandoned: i.5,
                        abandoned_within_threshold: i.6,
                    })
                    .collect(),
            })
            .collect(),
    }
}

pub fn history_from(w: HistoryWire) -> AgentHistory {
    let mut spans = w.spans;
    spans.truncate(MAX_SPANS);
    for s in &mut spans {
        s.reason = bounded_opt(s.reason.take());
    }
    spans.retain(|s| s.start <= s.end);
    AgentHistory {
        agent_id: bounded(w.agent_id),
        agent_name: bounded(w.agent_name),
        from: w.from,
        to: w.to,
        spans,
        fetched_at: w.fetched_at,
    }
}
