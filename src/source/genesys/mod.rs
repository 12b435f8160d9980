//! Genesys Cloud source: live queues, agents and 24 h history from the Platform API
//! (see genesys REFERENCE.md; endpoints, fields and units are taken from there only).
//!
//! Parts, in round order: the queue list (every ~10 min), presence names (likewise;
//! optional), live observations and agents (routing activity) every round, today's
//! aggregates every ~30 s. The engine (`source::feed`) schedules them and keeps their health;
//! this module says what to fetch ([`fetch`]) and how to map it ([`queues`], [`agents`]).

pub mod agents;
pub mod auth;
mod fetch;
pub mod history;
pub mod push;
pub mod queues;
pub mod wire;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use self::agents::PresenceNames;
use self::push::{AgentChange, PushMsg, PushTuning};
use self::queues::{MAX_QUEUES_PER_QUERY, MediaSet, ObservationLevel, QueueInfo, QueueSelector};
use crate::config::{GenesysConfig, PushMode};
use crate::domain::{Agent, AgentHistory, Queue, QueueLive, QueueToday, SourceKind};
use crate::source::feed::{EngineSettings, Feed, PartSpec, PushState, Vendor};
use crate::source::http::{BoxFuture, HttpClient, HttpSettings, RequestBudget};
use crate::source::{SourceError, SourceOptions};

/// Knobs with production defaults; tests shorten the times.
#[derive(Clone, Debug, PartialEq)]
pub struct Tuning {
    pub http: HttpSettings,
    /// Requests per rolling minute this source allows itself. Genesys allows 300 per token
    /// (REFERENCE §6); 240 leaves headroom for history look-ups and retries.
    pub budget_per_minute: u32,
    /// How often today's aggregates are fetched.
    pub today_every: Duration,
    /// How often the queue list and presence names are re-read.
    pub queues_every: Duration,
    /// Page size for listings and the activity query (max 100 per REFERENCE §5).
    pub page_size: u32,
    /// Longest wait between polls while everything fails.
    pub max_backoff: Duration,
    /// After a query form was refused and a fallback taken, the preferred form is tried
    /// again after this long.
    pub fallback_retry: Duration,
    /// The push channel's knobs.
    pub push: PushTuning,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            http: HttpSettings::default(),
            budget_per_minute: 240,
            today_every: Duration::from_secs(30),
            queues_every: Duration::from_secs(600),
            page_size: 100,
            // A failing organisation is probed at least this often, like every source.
            max_backoff: crate::source::feed::PROBE_EVERY,
            fallback_retry: Duration::from_secs(600),
            push: PushTuning::default(),
        }
    }
}

/// How agents are read.
#[derive(Clone, Debug, PartialEq)]
enum AgentMode {
    /// `POST /api/v2/analytics/routing/activity/query`; `name_form` = metrics written as
    /// `{"name":…}` after the `{"metric":…}` form was refused.
    Activity { name_form: bool },
    /// `GET /api/v2/routing/queues/{id}/members` per queue, because the activity query was
    /// refused (the reason is kept for the health note).
    Members { why: String },
}

/// The parts of a Genesys source, in round order.
const QUEUE_LIST: usize = 0;
const PRESENCES: usize = 1;
const LIVE: usize = 2;
const AGENTS: usize = 3;
const TODAY: usize = 4;
const INTERVAL_HISTORY: usize = 5;
const PUSH: usize = 6;
/// How often the last 7 days of intervals are re-read (the profile changes slowly).
const INTERVAL_HISTORY_EVERY: Duration = Duration::from_secs(6 * 3600);

/// A Genesys Cloud organisation: what was fetched, and how to fetch more.
pub struct Genesys {
    name: String,
    opts: SourceOptions,
    tuning: Tuning,
    api: HttpClient,
    selector: QueueSelector,
    queues: Option<Vec<QueueInfo>>,
    presences: Option<PresenceNames>,
    live: HashMap<String, QueueLive>,
    today: HashMap<String, QueueToday>,
    agents: Option<Vec<Agent>>,
    /// Media each queue was seen carrying (sticky: a mixed queue stays mixed).
    media_seen: HashMap<String, MediaSet>,
    /// User names by id (`GET /api/v2/users`), fetched once per new id.
    names: HashMap<String, String>,
    /// Ids the users call did not return, and when (asked again after `queues_every`).
    name_misses: HashMap<String, Instant>,
    agent_mode: AgentMode,
    /// When the agent query fell back (the preferred form is tried again later).
    agent_mode_since: Option<Instant>,
    /// Queues whose agent list the platform truncated even after paging.
    incomplete: Vec<String>,
    /// What the observation query asks for, and why and when it was lowered.
    observation_level: ObservationLevel,
    observation_refusal: Option<String>,
    observation_since: Option<Instant>,
    /// Requests the last agents refresh needed (for the budget estimate).
    agent_requests: u32,
    /// Today's 30-minute intervals per queue (from the same aggregates query as today's
    /// totals) and the last 7 days' (for the time-of-day profile).
    intervals_today: HashMap<String, Vec<crate::domain::IntervalCounts>>,
    intervals_past: HashMap<String, Vec<crate::domain::IntervalCounts>>,
    push_mode: PushMode,
    pushing: Pushing,
}

/// The push task and what it told so far, and the pushed changes since the last REST
/// answer of each part (applied over it in `contents`).
#[derive(Default)]
struct Pushing {
    task: Option<PushTask>,
    up: bool,
    heard_at: Option<DateTime<Utc>>,
    newest_event: Option<DateTime<Utc>>,
    down: Option<SourceError>,
    bad: Option<(String, DateTime<Utc>)>,
    bad_events: u64,
    channels: usize,
    rejected: Vec<(String, String)>,
    /// Each queue's REST waiting count per media, and the pushed ones since.
    rest_waiting: HashMap<String, HashMap<String, u32>>,
    waiting: HashMap<String, HashMap<String, u32>>,
    waiting_at: HashMap<String, DateTime<Utc>>,
    agents: HashMap<String, AgentChange>,
    /// (user, queue) → joined, pushed since the last agent list.
    members: HashMap<(String, String), bool>,
    /// A fresh REST snapshot is wanted (after a (re)connect or an unknown member).
    resnapshot_live: bool,
    resnapshot_agents: bool,
    /// Queues whose waiting count changed by push: their ages are polled early.
    ages_wanted: Vec<String>,
    last_early_ages: Option<Instant>,
    last_full_live: Option<Instant>,
}

struct PushTask {
    handle: tokio::task::JoinHandle<()>,
    rx: mpsc::Receiver<PushMsg>,
    /// What the topics were made from (a change restarts the push).
    key: u64,
    ended: bool,
}

impl Drop for PushTask {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// Pushed messages applied at once at most (the rest at the next wake).
const PUSH_BATCH: usize = 20_000;
/// A bad pushed event keeps the push part in ERROR this long.
const BAD_EVENT_SHOWN: chrono::Duration = chrono::Duration::seconds(60);

/// The Genesys Cloud source: the vendor on the polling engine.
pub type GenesysSource = Feed<Genesys>;

impl fmt::Debug for Genesys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Genesys")
            .field("name", &self.name)
            .field("api", &self.api)
            .field("queues", &self.queues.as_ref().map(Vec::len))
            .field("agent_mode", &self.agent_mode)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for Feed<Genesys> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.vendor().fmt(f)
    }
}

impl Feed<Genesys> {
    pub fn new(cfg: GenesysConfig, opts: SourceOptions) -> Result<Self, SourceError> {
        Self::with_tuning(cfg, opts, Tuning::default())
    }

    /// As [`GenesysSource::new`] with explicit timeouts, budget and cadences.
    pub fn with_tuning(
        cfg: GenesysConfig,
        opts: SourceOptions,
        tuning: Tuning,
    ) -> Result<Self, SourceError> {
        crate::config::check_url(&cfg.login_url)
            .map_err(|m| SourceError::Fatal(format!("login_url refused: {m}")))?;
        let selector = QueueSelector::new(&cfg.queues)?;
        let api = HttpClient::builder(cfg.api_url.clone())
            .settings(tuning.http.clone())
            .redact(&cfg.client_secret)
            .token_fetcher(auth::client_credentials(&cfg))
            .budget_per_minute(tuning.budget_per_minute)
            .rate_limit_headers(auth::rate_limit_headers())
            .build()?;
        let mut settings = EngineSettings::new(opts.refresh);
        settings.max_backoff = tuning.max_backoff;
        let vendor = Genesys {
            name: cfg.name,
            opts,
            tuning,
            api,
            selector,
            queues: None,
            presences: None,
            live: HashMap::new(),
            today: HashMap::new(),
            agents: None,
            media_seen: HashMap::new(),
            names: HashMap::new(),
            name_misses: HashMap::new(),
            agent_mode: AgentMode::Activity { name_form: false },
            agent_mode_since: None,
            incomplete: Vec::new(),
            observation_level: ObservationLevel::Full,
            observation_refusal: None,
            observation_since: None,
            agent_requests: 0,
            intervals_today: HashMap::new(),
            intervals_past: HashMap::new(),
            push_mode: cfg.push,
            pushing: Pushing::default(),
        };
        Ok(Feed::with_vendor(vendor, settings))
    }

    /// The HTTP client (request and token counters, budget).
    pub fn http(&self) -> &HttpClient {
        &self.vendor().api
    }
}

impl Genesys {
    fn watched_ids(&self) -> Vec<String> {
        self.queues
            .as_ref()
            .map(|qs| qs.iter().map(|q| q.id.clone()).collect())
            .unwrap_or_default()
    }

    fn agent_ids(&self) -> Vec<String> {
        self.agents.iter().flatten().map(|a| a.id.clone()).collect()
    }

    /// What the push topics are made from, hashed.
    fn push_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for q in self.queues.iter().flatten() {
            q.id.hash(&mut h);
        }
        for a in self.agents.iter().flatten() {
            a.id.hash(&mut h);
        }
        h.finish()
    }

    fn push_live(&self) -> bool {
        self.push_state().is_some_and(|p| p.live)
    }

    /// Start (or restart, when the queues or agents changed) the push task.
    fn start_push(&mut self) -> Result<(), SourceError> {
        let topics = push::topics(&self.watched_ids(), &self.agent_ids());
        let key = self.push_key();
        self.pushing.task = None;
        self.pushing.up = false;
        self.pushing.down = None;
        push::shard(&topics)?;
        let (tx, rx) = mpsc::channel(4096);
        let handle = tokio::spawn(push::run(
            self.api.clone(),
            topics,
            self.tuning.push.clone(),
            tx,
        ));
        self.pushing.task = Some(PushTask {
            handle,
            rx,
            key,
            ended: false,
        });
        Ok(())
    }

    /// A queue's waiting count now: the REST count per media with the pushed ones over it.
    fn waiting_now(&self, id: &str) -> Option<u32> {
        let pushed = self.pushing.waiting.get(id)?;
        let mut by_media = self
            .pushing
            .rest_waiting
            .get(id)
            .cloned()
            .unwrap_or_default();
        for (m, n) in pushed {
            by_media.insert(m.clone(), *n);
        }
        Some(by_media.values().fold(0u32, |a, b| a.saturating_add(*b)))
    }

    fn apply_push(&mut self, m: PushMsg) {
        let now = Utc::now();
        let p = &mut self.pushing;
        match m {
            PushMsg::Up {
                channels,
                permitted,
                rejected,
            } => {
                tracing::info!(source = %self.name, channels, topics = permitted, rejected = rejected.len(), "push channel up");
                p.up = true;
                p.heard_at = Some(now);
                p.down = None;
                p.channels = channels;
                p.rejected = rejected;
                // Whatever changed before the subscriptions took hold is read again.
                p.resnapshot_live = true;
                p.resnapshot_agents = true;
            }
            PushMsg::Down(e) => {
                p.up = false;
                p.down = Some(e);
            }
            PushMsg::Heard => p.heard_at = Some(now),
            PushMsg::Queue {
                queue_id,
                media,
                waiting,
                at,
            } => {
                p.heard_at = Some(now);
                p.newest_event = p.newest_event.max(Some(at.unwrap_or(now).min(now)));
                let Some(w) = waiting else { return };
                let before = self
                    .waiting_now(&queue_id)
                    .or_else(|| self.live.get(&queue_id).and_then(|l| l.waiting));
                let p = &mut self.pushing;
                p.waiting
                    .entry(queue_id.clone())
                    .or_default()
                    .insert(media, w);
                p.waiting_at
                    .insert(queue_id.clone(), at.unwrap_or(now).min(now));
                let after = self.waiting_now(&queue_id);
                let p = &mut self.pushing;
                if after != before && after.unwrap_or(0) > 0 && !p.ages_wanted.contains(&queue_id) {
                    p.ages_wanted.push(queue_id);
                }
            }
            PushMsg::Agent(c) => {
                p.heard_at = Some(now);
                p.newest_event = p.newest_event.max(Some(c.at().unwrap_or(now).min(now)));
                if !self.agents.iter().flatten().any(|a| a.id == c.id) {
                    return;
                }
                let p = &mut self.pushing;
                p.members.retain(|(u, _), _| *u != c.id);
                p.agents.insert(c.id.clone(), c);
            }
            PushMsg::Member {
                user_id,
                queue_id,
                joined,
            } => {
                p.heard_at = Some(now);
                p.newest_event = p.newest_event.max(Some(now));
                if self.agents.iter().flatten().any(|a| a.id == user_id) {
                    self.pushing.members.insert((user_id, queue_id), joined);
                } else if joined {
                    // A new member: its name and state come with the agent list.
                    self.pushing.resnapshot_agents = true;
                }
            }
            PushMsg::Bad(why) => {
                tracing::warn!(source = %self.name, "push event refused: {why}");
                p.heard_at = Some(now);
                p.bad = Some((why, now));
                p.bad_events += 1;
            }
        }
    }

    /// The agents with what was pushed since the agent list applied.
    fn agents_now(&self) -> Option<Vec<Agent>> {
        let agents = self.agents.as_ref()?;
        if self.pushing.agents.is_empty() && self.pushing.members.is_empty() {
            return Some(agents.clone());
        }
        let watched: HashSet<&str> = self
            .queues
            .iter()
            .flatten()
            .map(|q| q.id.as_str())
            .collect();
        let presences = self.presences.clone().unwrap_or_default();
        let mut out = agents.clone();
        for a in &mut out {
            if let Some(c) = self.pushing.agents.get(&a.id) {
                agents::apply_change(a, c, &presences, &watched);
            }
        }
        for ((user, queue), joined) in &self.pushing.members {
            if !watched.contains(queue.as_str()) {
                continue;
            }
            if let Some(a) = out.iter_mut().find(|a| a.id == *user) {
                a.queues.retain(|q| q != queue);
                if *joined {
                    a.queues.push(queue.clone());
                    a.queues.sort();
                }
            }
        }
        // An agent who left every watched queue is no longer on the board.
        out.retain(|a| !a.queues.is_empty());
        Some(out)
    }

    /// A queue's live figures with the pushed waiting count over the REST ones. A changed
    /// count makes the REST ages unknown until they are polled again (soon).
    fn live_now(&self, id: &str) -> QueueLive {
        let mut live = self.live.get(id).cloned().unwrap_or_default();
        if let Some(w) = self.waiting_now(id)
            && live.waiting != Some(w)
        {
            live.waiting = Some(w);
            live.observed_at = self
                .pushing
                .waiting_at
                .get(id)
                .copied()
                .or(live.observed_at);
            if w == 0 {
                live.longest_wait_s = Some(0.0);
                live.waiting_ages_s = Some(vec![]);
            } else {
                live.longest_wait_s = None;
                live.waiting_ages_s = None;
            }
        }
        live
    }

    fn push_state_now(&self) -> Option<PushState> {
        if self.push_mode == PushMode::Off {
            return None;
        }
        let p = &self.pushing;
        let now = Utc::now();
        let timeout = chrono::Duration::from_std(self.tuning.push.heartbeat_timeout)
            .unwrap_or(chrono::Duration::seconds(60));
        let alive_until = p.heard_at.map(|t| t + timeout);
        let live = p.task.is_some() && p.up && alive_until.is_some_and(|t| t > now);
        let error = if live {
            p.bad
                .as_ref()
                .filter(|(_, at)| now - *at < BAD_EVENT_SHOWN)
                .map(|(why, _)| {
                    SourceError::Malformed(format!(
                        "a pushed event was refused ({} so far): {why}",
                        p.bad_events
                    ))
                })
        } else if p.up {
            Some(SourceError::Transient(
                "no heartbeat on the push channel; reconnecting".into(),
            ))
        } else {
            p.down.clone()
        };
        let mut uncovered = Vec::new();
        if p.rejected.iter().any(|(t, _)| t.ends_with(".observations")) {
            uncovered.push(LIVE);
        }
        if p.rejected
            .iter()
            .any(|(t, _)| t.ends_with(".activity") || t.ends_with(".users"))
        {
            uncovered.push(AGENTS);
        }
        let note = (!p.rejected.is_empty()).then(|| {
            let (t, why) = &p.rejected[0];
            format!(
                "{} push topics rejected, their figures are polled (e.g. {t}: {why})",
                p.rejected.len()
            )
        });
        Some(PushState {
            live,
            newest_event: p.newest_event,
            heard_at: p.heard_at,
            alive_until,
            error,
            note,
            uncovered,
        })
    }
}

impl Vendor for Genesys {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Genesys
    }

    fn parts(&self) -> Vec<PartSpec> {
        let t = &self.tuning;
        let mut parts = vec![
            PartSpec::every("queue list", t.queues_every),
            PartSpec::every("presence names", t.queues_every).optional(),
            PartSpec::every_round("live figures").reconciled_every(t.push.live_reconcile),
            PartSpec::every_round("agents").reconciled_every(t.push.agents_reconcile),
            PartSpec::every("today's figures", t.today_every),
            PartSpec::every("interval history", INTERVAL_HISTORY_EVERY).optional(),
        ];
        match self.push_mode {
            PushMode::Off => {}
            PushMode::On => parts.push(PartSpec::push("push channel", Duration::from_secs(5))),
            PushMode::Auto => {
                parts.push(PartSpec::push("push channel", Duration::from_secs(5)).optional())
            }
        }
        parts
    }

    fn ready(&self, part: usize) -> bool {
        match part {
            QUEUE_LIST => true,
            PUSH => {
                self.push_mode != PushMode::Off
                    && self.queues.is_some()
                    && self.agents.is_some()
                    && self
                        .pushing
                        .task
                        .as_ref()
                        .is_none_or(|t| t.key != self.push_key())
            }
            _ => self.queues.is_some(),
        }
    }

    fn push_state(&self) -> Option<PushState> {
        self.push_state_now()
    }

    async fn pushed(&mut self) {
        let mut msgs = Vec::new();
        match self.pushing.task.as_mut() {
            Some(t) if !t.ended => match t.rx.recv().await {
                Some(m) => {
                    msgs.push(m);
                    while msgs.len() < PUSH_BATCH {
                        match t.rx.try_recv() {
                            Ok(m) => msgs.push(m),
                            Err(_) => break,
                        }
                    }
                }
                None => t.ended = true,
            },
            _ => std::future::pending::<()>().await,
        }
        for m in msgs {
            self.apply_push(m);
        }
    }

    fn urgent(&self, part: usize) -> bool {
        if self.push_mode == PushMode::Off {
            return false;
        }
        let p = &self.pushing;
        match part {
            LIVE => {
                p.resnapshot_live
                    || (!p.ages_wanted.is_empty()
                        && self.push_live()
                        && p.last_early_ages
                            .is_none_or(|t| t.elapsed() >= self.tuning.push.early_ages_every))
            }
            AGENTS => p.resnapshot_agents,
            _ => false,
        }
    }

    async fn fetch(&mut self, part: usize) -> Result<(), SourceError> {
        match part {
            QUEUE_LIST => self.queues = Some(self.fetch_queues().await?),
            PRESENCES => self.presences = Some(fetch::fetch_presences(&self.api).await?),
            LIVE => {
                let ids = self.watched_ids();
                let p = &self.pushing;
                let early = !p.resnapshot_live
                    && !p.ages_wanted.is_empty()
                    && self.push_live()
                    && p.last_full_live
                        .is_some_and(|t| t.elapsed() < self.tuning.push.live_reconcile);
                if early {
                    // Only the queues whose waiting count was pushed, one request's worth.
                    let n = p.ages_wanted.len().min(MAX_QUEUES_PER_QUERY);
                    let some: Vec<String> = self.pushing.ages_wanted.drain(..n).collect();
                    self.pushing.last_early_ages = Some(Instant::now());
                    let got = self.fetch_live(&some).await?;
                    for id in &some {
                        self.pushing.waiting.remove(id);
                    }
                    self.live.extend(got);
                } else {
                    self.live = self.fetch_live(&ids).await?;
                    let p = &mut self.pushing;
                    p.waiting.clear();
                    p.ages_wanted.clear();
                    p.resnapshot_live = false;
                    p.last_full_live = Some(Instant::now());
                }
            }
            AGENTS => {
                let ids = self.watched_ids();
                self.agents = Some(self.fetch_agents(&ids).await?);
                let p = &mut self.pushing;
                p.agents.clear();
                p.members.clear();
                p.resnapshot_agents = false;
            }
            PUSH => self.start_push()?,
            TODAY => {
                let ids = self.watched_ids();
                self.today = self.fetch_today(&ids).await?;
            }
            INTERVAL_HISTORY => {
                let ids = self.watched_ids();
                self.fetch_interval_history(&ids).await?;
            }
            _ => {}
        }
        Ok(())
    }

    fn contents(&self) -> (Vec<Queue>, Option<Vec<Agent>>) {
        let agents_now = self.agents_now();
        let counts = agents_now.as_deref().map(agents::counts_by_queue);
        let queues = self
            .queues
            .iter()
            .flatten()
            .map(|q| {
                let seen = self.media_seen.get(&q.id).copied().unwrap_or_default();
                Queue {
                    id: q.id.clone(),
                    name: q.name.clone(),
                    media: queues::row_media(seen),
                    vendor_objective: queues::row_objective(q, seen),
                    live: {
                        let mut live = self.live_now(&q.id);
                        live.agents = match &counts {
                            // Joined members by their normalised state (errata 1).
                            Some(c) => crate::domain::AgentCounts {
                                // Genesys has no after-call-work routing state: unknown.
                                after_call_work: None,
                                ..c.get(q.id.as_str()).cloned().unwrap_or_else(|| {
                                    crate::domain::AgentCounts::from_states(std::iter::empty())
                                })
                            },
                            // Without the agent list only the on-queue counts are known;
                            // off-queue and offline cannot be told from the observation.
                            None => crate::domain::AgentCounts {
                                unavailable: None,
                                offline: None,
                                ..live.agents
                            },
                        };
                        live
                    },
                    today: self.today.get(&q.id).cloned().unwrap_or_default(),
                    // Genesys gives no waiting history; the app keeps its own samples.
                    recent_waiting: Vec::new(),
                }
            })
            .collect();
        (queues, agents_now)
    }

    /// Fallbacks in use, the platform's rate-limit headers, an empty selection.
    fn notes(&self) -> Vec<String> {
        let mut notes = vec![];
        if let AgentMode::Members { why } = &self.agent_mode {
            notes.push(format!(
                "agents read from queue members (routing activity refused: {why})"
            ));
        }
        if let Some(why) = &self.observation_refusal {
            notes.push(format!(
                "waiting ages not available (observation details refused: {why})"
            ));
        }
        if !self.incomplete.is_empty() {
            let names: Vec<&str> = self
                .queues
                .iter()
                .flatten()
                .filter(|q| self.incomplete.contains(&q.id))
                .map(|q| q.name.as_str())
                .collect();
            notes.push(format!(
                "agent list incomplete for {} (the platform truncated it)",
                names.join(", ")
            ));
        }
        // The headers describe whichever bucket the last call hit, not the token's budget
        // (errata 8): said as that.
        if let Some(r) = self.api.rate_info()
            && r.allowed > 0
            && r.used * 10 >= r.allowed * 8
        {
            notes.push(format!(
                "the platform's rate-limit bucket for the last call is nearly spent ({} of {})",
                r.used, r.allowed
            ));
        }
        if self.queues.as_ref().is_some_and(Vec::is_empty) {
            notes.push(if self.selector.is_all() {
                "the organisation has no queues visible to this OAuth client".to_string()
            } else {
                format!("no queue matches {}", self.selector.describe())
            });
        }
        notes
    }

    fn budget(&self) -> Option<&RequestBudget> {
        self.api.budget()
    }

    /// Requests one round costs on average: observation and activity batches every round,
    /// aggregates and the queue list at their share of rounds.
    fn requests_per_round(&self, refresh: Duration) -> f64 {
        let n = self.watched_ids().len();
        let batches = n.div_ceil(MAX_QUEUES_PER_QUERY).max(1) as f64;
        let refresh = refresh.as_secs_f64().max(0.1);
        let share = |every: Duration| refresh / every.as_secs_f64().max(refresh);
        let today_share = share(self.tuning.today_every);
        let queue_share = share(self.tuning.queues_every);
        let queue_pages = (n as f64 / f64::from(self.tuning.page_size.max(1)))
            .ceil()
            .max(1.0);
        let agents = f64::from(self.agent_requests.max(1));
        // While pushed: the live figures and agents at their reconciliation cadence, and
        // at most one early ages request per `early_ages_every`.
        let (live, agents) = match self.push_state_now() {
            Some(p) if p.live => {
                let t = &self.tuning.push;
                let live = if p.uncovered.contains(&LIVE) {
                    batches
                } else {
                    batches * share(t.live_reconcile) + share(t.early_ages_every)
                };
                let agents = if p.uncovered.contains(&AGENTS) {
                    agents
                } else {
                    agents * share(t.agents_reconcile)
                };
                (live, agents)
            }
            _ => (batches, agents),
        };
        live + agents + batches * today_share + (queue_pages + 1.0) * queue_share
    }

    fn scrub(&self, text: &str) -> String {
        self.api.redactor().scrub(text)
    }

    fn history_job(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BoxFuture<'static, Result<AgentHistory, SourceError>> {
        let job = fetch::HistoryJob {
            api: self.api.clone(),
            presences: self.presences.clone(),
            known_name: self.names.get(agent_id).cloned(),
            current: self
                .agents
                .as_ref()
                .and_then(|a| a.iter().find(|a| a.id == agent_id))
                .cloned(),
            page_size: self.tuning.page_size,
        };
        Box::pin(fetch::history_job(job, agent_id.to_string(), from, to))
    }
}

/// Today's intervals and the last 7 days', by queue (30 minutes each, by arrival).
impl crate::source::IntervalHistory for Genesys {
    fn intervals(&self) -> Option<crate::domain::SourceIntervals> {
        if self.intervals_today.is_empty() && self.intervals_past.is_empty() {
            return None;
        }
        let queues = self
            .queues
            .iter()
            .flatten()
            .map(|q| {
                let mut intervals: Vec<crate::domain::IntervalCounts> = self
                    .intervals_past
                    .get(&q.id)
                    .into_iter()
                    .flatten()
                    .chain(self.intervals_today.get(&q.id).into_iter().flatten())
                    .cloned()
                    .collect();
                intervals.sort_by_key(|i| i.start);
                intervals.dedup_by_key(|i| i.start);
                crate::domain::QueueIntervals {
                    queue_id: q.id.clone(),
                    // The platform's schedules are not read: hours unknown.
                    open_now: None,
                    closes_at: None,
                    intervals,
                }
            })
            .collect();
        Some(crate::domain::SourceIntervals {
            source: self.name.clone(),
            fetched_at: Utc::now(),
            queues,
        })
    }
}
