//! Genesys Cloud source: live queues, agents and 24 h history from the Platform API
//! (see genesys REFERENCE.md; endpoints, fields and units are taken from there only).
//!
//! Parts, in round order: the queue list (every ~10 min), presence names (likewise;
//! optional), live observations and agents (routing activity) every round, today's
//! aggregates every ~30 s. The engine (`source::feed`) schedules them and keeps their health;
//! this module says what to fetch (`fetch`) and how to map it ([`queues`], [`agents`]); the
//! push channel is [`push`], and `pushed` applies what it sends over the REST answers.

pub mod agents;
pub mod auth;
mod fetch;
pub mod history;
pub mod push;
mod pushed;
pub mod queues;
pub mod split;
pub mod wire;

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use self::agents::PresenceNames;
use self::push::PushTuning;
use self::pushed::Pushing;
use self::queues::{MAX_QUEUES_PER_QUERY, MediaSet, ObservationLevel, QueueInfo, QueueSelector};
use crate::config::{GenesysConfig, PushMode};
use crate::domain::{Agent, AgentHistory, Queue, QueueLive, QueueToday, SourceKind, SplitReport};
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
            PUSH => self.push_wanted(),
            _ => self.queues.is_some(),
        }
    }

    fn push_state(&self) -> Option<PushState> {
        self.push_state_now()
    }

    async fn pushed(&mut self) {
        self.receive_pushed().await
    }

    fn urgent(&self, part: usize) -> bool {
        self.push_urgent(part)
    }

    async fn fetch(&mut self, part: usize) -> Result<(), SourceError> {
        match part {
            QUEUE_LIST => self.queues = Some(self.fetch_queues().await?),
            PRESENCES => self.presences = Some(fetch::fetch_presences(&self.api).await?),
            LIVE => self.fetch_live_part().await?,
            AGENTS => self.fetch_agents_part().await?,
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
        (self.queues_now(agents_now.as_deref()), agents_now)
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
        let (live, agents) = self.live_and_agent_requests(batches, agents, share);
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

    fn split_job(
        &mut self,
        agent_id: &str,
        to: DateTime<Utc>,
    ) -> Option<BoxFuture<'static, Result<SplitReport, SourceError>>> {
        let from = crate::domain::time::start_of_day(to, self.opts.timezone);
        Some(Box::pin(fetch::split_job(
            self.api.clone(),
            agent_id.to_string(),
            from,
            to,
        )))
    }
}
