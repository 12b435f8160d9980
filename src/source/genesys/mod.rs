//! Genesys Cloud source: live queues, agents and 24 h history from the Platform API
//! (see genesys REFERENCE.md; endpoints, fields and units are taken from there only).
//!
//! Each poll: the queue list (cached ~10 min) → live observations (every refresh) → agents
//! (routing activity, every refresh) → today's aggregates (every ~30 s). Each of these is a
//! separate [`Part`] with its own last good value and error, so one failing call marks only
//! what it feeds as stale.

pub mod agents;
pub mod auth;
pub mod history;
pub mod queues;
pub mod wire;

use std::collections::HashMap;
use std::fmt;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use self::agents::{AgentBook, PresenceNames};
use self::queues::{MAX_QUEUES_PER_QUERY, MediaSet, ObservationLevel, QueueInfo, QueueSelector};
use self::wire::{
    AggregateQueryResponse, Listing, PresenceDefinition, QueueEntity, QueueMember,
    QueueObservationResponse, RoutingActivityResponse, UserDetailsResponse, UserEntity,
};
use crate::config::GenesysConfig;
use crate::domain::{
    Agent, AgentHistory, Queue, QueueLive, QueueToday, SourceHealth, SourceKind, SourceSnapshot,
    SourceStatus,
};
use crate::source::http::{HttpClient, HttpSettings};
use crate::source::{PollOutcome, Source, SourceError, SourceOptions};

const QUEUES_PATH: &str = "/api/v2/routing/queues";
const OBSERVATIONS_PATH: &str = "/api/v2/analytics/queues/observations/query";
const AGGREGATES_PATH: &str = "/api/v2/analytics/conversations/aggregates/query";
const ACTIVITY_PATH: &str = "/api/v2/analytics/routing/activity/query";
const USERS_PATH: &str = "/api/v2/users";
const PRESENCE_PATH: &str = "/api/v2/presence/definitions";
const LEGACY_PRESENCE_PATH: &str = "/api/v2/presencedefinitions";
const DETAILS_PATH: &str = "/api/v2/analytics/users/details/query";

/// Permissions named when a 403 body does not say (REFERENCE §2–§5).
const OBSERVATION_PERMISSION: &str = "analytics:queueObservation:view";
const PRESENCE_PERMISSION: &str = "presence:presenceDefinition:view";

/// Add the permission a call needs to a 403 error that does not name one.
fn needs(permission: &'static str) -> impl Fn(SourceError) -> SourceError {
    move |e| match e {
        SourceError::Permission(m)
            if crate::source::http::permissions_in(m.as_bytes()).is_empty() =>
        {
            SourceError::Permission(format!("{m} (this call needs {permission})"))
        }
        other => other,
    }
}

/// Pages read from one paged listing at most (a guard against a server that never ends).
const MAX_PAGES: u32 = 200;

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
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            http: HttpSettings::default(),
            budget_per_minute: 240,
            today_every: Duration::from_secs(30),
            queues_every: Duration::from_secs(600),
            page_size: 100,
            max_backoff: Duration::from_secs(60),
        }
    }
}

/// One independently refreshed piece of data: its last good value and its last failure.
#[derive(Debug)]
struct Part<T> {
    value: Option<T>,
    ok_at: Option<DateTime<Utc>>,
    ok_instant: Option<Instant>,
    tried: Option<Instant>,
    error: Option<SourceError>,
}

impl<T> Default for Part<T> {
    fn default() -> Self {
        Part {
            value: None,
            ok_at: None,
            ok_instant: None,
            tried: None,
            error: None,
        }
    }
}

impl<T> Part<T> {
    fn due(&self, every: Duration) -> bool {
        self.value.is_none() || self.tried.is_none_or(|t| t.elapsed() >= every)
    }
    fn set_ok(&mut self, v: T) {
        self.value = Some(v);
        self.ok_at = Some(Utc::now());
        self.ok_instant = Some(Instant::now());
        self.tried = Some(Instant::now());
        self.error = None;
    }
    fn set_err(&mut self, e: SourceError) {
        self.tried = Some(Instant::now());
        self.error = Some(e);
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

/// What happened during one poll.
#[derive(Debug, Default)]
struct Round {
    ok: u32,
    failed: u32,
    /// A failure that every further call would share (network, rate limit, credentials):
    /// the rest of the poll is skipped.
    stop: bool,
    first_error: Option<SourceError>,
    retry_after: Option<Duration>,
}

impl Round {
    fn record<T>(&mut self, r: &Result<T, SourceError>) {
        match r {
            Ok(_) => self.ok += 1,
            Err(e) => {
                self.failed += 1;
                if let SourceError::RateLimited { retry_after } = e {
                    self.retry_after = Some(*retry_after);
                }
                if matches!(
                    e,
                    SourceError::Transient(_)
                        | SourceError::RateLimited { .. }
                        | SourceError::Auth(_)
                ) {
                    self.stop = true;
                }
                if self.first_error.is_none() {
                    self.first_error = Some(e.clone());
                }
            }
        }
    }
}

/// Record a call's outcome in the round and in the part it feeds.
fn settle<T>(part: &mut Part<T>, round: &mut Round, r: Result<T, SourceError>) {
    round.record(&r);
    match r {
        Ok(v) => part.set_ok(v),
        Err(e) => part.set_err(e),
    }
}

/// The Genesys Cloud source.
pub struct GenesysSource {
    name: String,
    opts: SourceOptions,
    tuning: Tuning,
    api: HttpClient,
    selector: QueueSelector,
    queues: Part<Vec<QueueInfo>>,
    presences: Part<PresenceNames>,
    live: Part<HashMap<String, QueueLive>>,
    today: Part<HashMap<String, QueueToday>>,
    agents: Part<Vec<Agent>>,
    /// Media each queue was seen carrying (sticky: a mixed queue stays mixed).
    media_seen: HashMap<String, MediaSet>,
    /// User names by id (`GET /api/v2/users`), fetched once per new id.
    names: HashMap<String, String>,
    /// Ids the users call did not return, and when (asked again after `queues_every`).
    name_misses: HashMap<String, Instant>,
    agent_mode: AgentMode,
    /// What the observation query asks for, and why it was lowered.
    observation_level: ObservationLevel,
    observation_refusal: Option<String>,
    /// Requests the last agents refresh needed (for the budget estimate).
    agent_requests: u32,
    /// Consecutive polls in which every call failed.
    failures: u32,
}

impl fmt::Debug for GenesysSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GenesysSource")
            .field("name", &self.name)
            .field("api", &self.api)
            .field("queues", &self.queues.value.as_ref().map(Vec::len))
            .field("agent_mode", &self.agent_mode)
            .finish_non_exhaustive()
    }
}

impl GenesysSource {
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
        Ok(GenesysSource {
            name: cfg.name,
            opts,
            tuning,
            api,
            selector,
            queues: Part::default(),
            presences: Part::default(),
            live: Part::default(),
            today: Part::default(),
            agents: Part::default(),
            media_seen: HashMap::new(),
            names: HashMap::new(),
            name_misses: HashMap::new(),
            agent_mode: AgentMode::Activity { name_form: false },
            observation_level: ObservationLevel::Full,
            observation_refusal: None,
            agent_requests: 0,
            failures: 0,
        })
    }

    /// The HTTP client (request and token counters, budget).
    pub fn http(&self) -> &HttpClient {
        &self.api
    }

    fn watched_ids(&self) -> Vec<String> {
        self.queues
            .value
            .as_ref()
            .map(|qs| qs.iter().map(|q| q.id.clone()).collect())
            .unwrap_or_default()
    }

    // -----------------------------------------------------------------------------------
    // Queue list and presence names

    async fn fetch_queues(&self) -> Result<Vec<QueueInfo>, SourceError> {
        let size = self.tuning.page_size;
        let mut out = vec![];
        for page in 1..=MAX_PAGES {
            let q = [
                ("pageSize", size.to_string()),
                ("pageNumber", page.to_string()),
            ];
            let l: Listing<QueueEntity> = self
                .api
                .get_json(QUEUES_PATH, &q)
                .await
                .map_err(needs("routing:queue:view"))?;
            out.extend(
                l.entities
                    .iter()
                    .filter_map(queues::queue_info)
                    .filter(|q| self.selector.matches(&q.id, &q.name)),
            );
            if last_page(&l, page, size) {
                break;
            }
        }
        out.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        out.dedup_by(|a, b| a.id == b.id);
        Ok(out)
    }

    async fn fetch_presences(&self) -> Result<PresenceNames, SourceError> {
        let defs: Result<Listing<PresenceDefinition>, SourceError> = self
            .api
            .get_json(PRESENCE_PATH, &[])
            .await
            .map_err(needs(PRESENCE_PERMISSION));
        match defs {
            Ok(l) => Ok(PresenceNames::from_definitions(&l.entities)),
            // Older organisations may only have the deprecated, paged endpoint.
            Err(SourceError::Fatal(_)) => {
                let mut all = vec![];
                for page in 1..=MAX_PAGES {
                    let q = [
                        ("pageSize", "100".to_string()),
                        ("pageNumber", page.to_string()),
                    ];
                    let l: Listing<PresenceDefinition> = self
                        .api
                        .get_json(LEGACY_PRESENCE_PATH, &q)
                        .await
                        .map_err(needs(PRESENCE_PERMISSION))?;
                    let done = last_page(&l, page, 100);
                    all.extend(l.entities);
                    if done {
                        break;
                    }
                }
                Ok(PresenceNames::from_definitions(&all))
            }
            Err(e) => Err(e),
        }
    }

    // -----------------------------------------------------------------------------------
    // Live figures

    async fn fetch_live(
        &mut self,
        ids: &[String],
    ) -> Result<HashMap<String, QueueLive>, SourceError> {
        loop {
            match self.read_live(ids).await {
                // A 400 may be the detail list or a metric this tenant does not know: ask
                // for less rather than show nothing.
                Err(SourceError::Fatal(m)) if self.observation_level < ObservationLevel::Basic => {
                    tracing::warn!(source = %self.name, error = %m, "observation query refused; asking for less");
                    self.observation_level = match self.observation_level {
                        ObservationLevel::Full => ObservationLevel::NoDetails,
                        _ => ObservationLevel::Basic,
                    };
                    self.observation_refusal = Some(m);
                }
                r => return r,
            }
        }
    }

    async fn read_live(
        &mut self,
        ids: &[String],
    ) -> Result<HashMap<String, QueueLive>, SourceError> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(MAX_QUEUES_PER_QUERY) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let body = queues::observation_query(&refs, self.observation_level);
            let resp: QueueObservationResponse = self
                .api
                .post_json(OBSERVATIONS_PATH, &[], &body)
                .await
                .map_err(needs(OBSERVATION_PERMISSION))?;
            let observed_at = Utc::now();
            for (id, (live, media)) in queues::live_from_observations(&resp, observed_at) {
                if !chunk.contains(&id) {
                    continue;
                }
                self.note_media(&id, media);
                out.insert(id, live);
            }
        }
        Ok(out)
    }

    fn note_media(&mut self, id: &str, media: MediaSet) {
        let e = self.media_seen.entry(id.to_string()).or_default();
        *e = e.union(media);
    }

    // -----------------------------------------------------------------------------------
    // Today's figures

    async fn fetch_today(
        &mut self,
        ids: &[String],
    ) -> Result<HashMap<String, QueueToday>, SourceError> {
        let now = Utc::now();
        let from = crate::domain::time::start_of_day(now, self.opts.timezone);
        // The interval must not be empty (right at midnight).
        let to = now.max(from + chrono::Duration::seconds(1));
        let mut out = HashMap::new();
        for chunk in ids.chunks(MAX_QUEUES_PER_QUERY) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let body = queues::aggregation_query(&refs, from, to);
            let resp: AggregateQueryResponse = self
                .api
                .post_json(AGGREGATES_PATH, &[], &body)
                .await
                .map_err(needs("analytics:conversationAggregate:view"))?;
            for (id, (today, media)) in queues::today_from_aggregates(&resp, &refs, Utc::now()) {
                self.note_media(&id, media);
                out.insert(id, today);
            }
        }
        Ok(out)
    }

    // -----------------------------------------------------------------------------------
    // Agents

    async fn fetch_agents(&mut self, ids: &[String]) -> Result<Vec<Agent>, SourceError> {
        let mut book = AgentBook::default();
        let start = self.api.requests_sent();
        loop {
            match self.agent_mode.clone() {
                AgentMode::Activity { name_form } => {
                    match self.read_activity(&mut book, ids, name_form).await {
                        Ok(()) => break,
                        Err(e @ (SourceError::Permission(_) | SourceError::Fatal(_))) => {
                            book = AgentBook::default();
                            self.agent_mode = match (name_form, &e) {
                                // A 400 may be the metric spelling (UNCONFIRMED): try the other.
                                (false, SourceError::Fatal(_)) => {
                                    AgentMode::Activity { name_form: true }
                                }
                                _ => {
                                    tracing::warn!(source = %self.name, error = %e, "routing activity query refused; reading queue members instead");
                                    AgentMode::Members { why: e.to_string() }
                                }
                            };
                        }
                        Err(e) => return Err(e),
                    }
                }
                AgentMode::Members { .. } => {
                    self.read_members(&mut book, ids).await?;
                    break;
                }
            }
        }
        self.resolve_names(&book).await;
        self.agent_requests = (self.api.requests_sent() - start).min(u64::from(u32::MAX)) as u32;
        let presences = self.presences.value.clone().unwrap_or_default();
        Ok(book.finish(&self.names, &presences))
    }

    async fn read_activity(
        &self,
        book: &mut AgentBook,
        ids: &[String],
        name_form: bool,
    ) -> Result<(), SourceError> {
        let size = self.tuning.page_size;
        for chunk in ids.chunks(MAX_QUEUES_PER_QUERY) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let body = agents::activity_query(&refs, name_form);
            for page in 1..=MAX_PAGES {
                let q = [
                    ("pageSize", size.to_string()),
                    ("pageNumber", page.to_string()),
                ];
                let resp: RoutingActivityResponse = self
                    .api
                    .post_json(ACTIVITY_PATH, &q, &body)
                    .await
                    .map_err(needs(OBSERVATION_PERMISSION))?;
                let new = agents::add_activity(book, &resp);
                // Paging is by entities (UNCONFIRMED whether per group or per page): read
                // on while a page came back full and still brought someone new.
                if !agents::activity_page_full(&resp, size as usize) || new == 0 {
                    break;
                }
            }
        }
        Ok(())
    }

    async fn read_members(&self, book: &mut AgentBook, ids: &[String]) -> Result<(), SourceError> {
        let size = self.tuning.page_size;
        for id in ids {
            let path = format!("{QUEUES_PATH}/{}/members", url_segment(id));
            for page in 1..=MAX_PAGES {
                let l: Listing<QueueMember> = self
                    .api
                    .get_json(&path, &agents::members_query(page, size))
                    .await
                    .map_err(needs("routing:queue:view"))?;
                agents::add_members(book, id, &l.entities);
                // Members listings have no total/pageCount (REFERENCE §5).
                let short = l.entities.len() < size as usize && l.next_uri.is_none();
                if l.entities.is_empty() || short {
                    break;
                }
            }
        }
        Ok(())
    }

    /// Names for agents not seen before (one users call per 100 new ids). Failures leave
    /// the id as the name; they never fail the agent list.
    async fn resolve_names(&mut self, book: &AgentBook) {
        let retry_after = self.tuning.queues_every;
        let wanted: Vec<String> = book
            .unnamed(&self.names)
            .filter(|id| {
                self.name_misses
                    .get(*id)
                    .is_none_or(|t| t.elapsed() >= retry_after)
            })
            .map(str::to_string)
            .collect();
        for chunk in wanted.chunks(100) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let users: Result<Listing<UserEntity>, SourceError> = self
                .api
                .get_json(USERS_PATH, &agents::users_query(&refs))
                .await;
            match users {
                Ok(l) => {
                    for u in l.entities {
                        if let Some(n) = u.name.filter(|n| !n.trim().is_empty()) {
                            self.names.insert(u.id, n);
                        }
                    }
                    for id in chunk {
                        if !self.names.contains_key(id) {
                            self.name_misses.insert(id.clone(), Instant::now());
                        }
                    }
                }
                Err(e) => {
                    tracing::warn!(source = %self.name, error = %e, "cannot read agent names");
                    return;
                }
            }
        }
    }

    // -----------------------------------------------------------------------------------
    // One poll

    async fn refresh(&mut self, round: &mut Round) {
        if self.queues.due(self.tuning.queues_every) {
            let r = self.fetch_queues().await;
            settle(&mut self.queues, round, r);
        }
        if self.queues.value.is_none() || round.stop {
            return;
        }
        if self.presences_due() {
            match self.fetch_presences().await {
                Ok(p) => self.presences.set_ok(p),
                // Names only: a refusal is noted, never fatal (system labels are used
                // instead); a network failure ends the poll like any other.
                Err(e) => {
                    if matches!(
                        e,
                        SourceError::Transient(_) | SourceError::RateLimited { .. }
                    ) {
                        round.record::<()>(&Err(e.clone()));
                    }
                    self.presences.set_err(e);
                    if round.stop {
                        return;
                    }
                }
            }
        }
        let ids = self.watched_ids();
        let r = self.fetch_live(&ids).await;
        settle(&mut self.live, round, r);
        if round.stop {
            return;
        }
        let r = self.fetch_agents(&ids).await;
        settle(&mut self.agents, round, r);
        if round.stop || !self.today.due(self.tuning.today_every) {
            return;
        }
        let r = self.fetch_today(&ids).await;
        settle(&mut self.today, round, r);
    }

    /// Presence names are retried every poll after a network failure, but only every
    /// `queues_every` after a refusal (a missing permission must not cost a request a poll).
    fn presences_due(&self) -> bool {
        let every = self.tuning.queues_every;
        match (&self.presences.value, &self.presences.error) {
            (
                None,
                Some(
                    SourceError::Permission(_) | SourceError::Fatal(_) | SourceError::Malformed(_),
                ),
            ) => self.presences.tried.is_none_or(|t| t.elapsed() >= every),
            _ => self.presences.due(every),
        }
    }

    /// Requests one refresh cycle costs on average (for the budget).
    fn requests_per_cycle(&self) -> f64 {
        let n = self.watched_ids().len();
        let batches = n.div_ceil(MAX_QUEUES_PER_QUERY).max(1) as f64;
        let refresh = self.opts.refresh.as_secs_f64().max(0.1);
        let today_share = refresh / self.tuning.today_every.as_secs_f64().max(refresh);
        let queue_share = refresh / self.tuning.queues_every.as_secs_f64().max(refresh);
        let queue_pages = (n as f64 / f64::from(self.tuning.page_size.max(1)))
            .ceil()
            .max(1.0);
        batches
            + f64::from(self.agent_requests.max(1))
            + batches * today_share
            + (queue_pages + 1.0) * queue_share
    }

    fn next_poll(&mut self, round: &Round, notes: &mut Vec<String>) -> Duration {
        let wanted = self.opts.refresh;
        if round.ok == 0 && round.failed > 0 {
            self.failures += 1;
            let exp = wanted.saturating_mul(1u32 << (self.failures - 1).min(8));
            let wait = exp.min(self.tuning.max_backoff.max(wanted));
            return wait.max(round.retry_after.unwrap_or_default());
        }
        self.failures = 0;
        let Some(budget) = self.api.budget() else {
            return wanted;
        };
        let interval = budget.interval_for(self.requests_per_cycle(), wanted);
        if interval > wanted {
            notes.push(format!(
                "refresh stretched to {} s to stay within {} API requests/min for {} queues",
                interval.as_secs_f64().ceil(),
                budget.per_minute(),
                self.watched_ids().len()
            ));
        }
        interval.max(round.retry_after.unwrap_or_default())
    }

    /// Things worth telling besides errors: fallbacks in use, rate limits, empty selection.
    fn add_notes(&self, notes: &mut Vec<String>) {
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
        if let Some(e) = &self.presences.error {
            notes.push(format!("presence names unavailable ({e})"));
        }
        if let Some(r) = self.api.rate_info()
            && r.allowed > 0
            && r.used * 10 >= r.allowed * 8
        {
            notes.push(format!(
                "platform rate limit: {} of {} requests used",
                r.used, r.allowed
            ));
        }
        if self.queues.value.as_ref().is_some_and(Vec::is_empty) {
            notes.push(if self.selector.is_all() {
                "the organisation has no queues visible to this OAuth client".to_string()
            } else {
                format!("no queue matches {}", self.selector.describe())
            });
        }
    }

    /// "<part> N s old: <error>" for every part whose last refresh failed.
    fn stale_parts(&self) -> Vec<String> {
        let describe = |what: &str, err: Option<&SourceError>, ok: Option<Instant>| {
            let e = err?;
            Some(match ok {
                Some(t) => format!("{what} {} s old: {e}", t.elapsed().as_secs()),
                None => format!("{what} not available yet: {e}"),
            })
        };
        [
            describe(
                "queue list",
                self.queues.error.as_ref(),
                self.queues.ok_instant,
            ),
            describe(
                "live figures",
                self.live.error.as_ref(),
                self.live.ok_instant,
            ),
            describe("agents", self.agents.error.as_ref(), self.agents.ok_instant),
            describe(
                "today's figures",
                self.today.error.as_ref(),
                self.today.ok_instant,
            ),
        ]
        .into_iter()
        .flatten()
        .collect()
    }

    /// Live when every part is fresh; Stale when some part failed (its last good value is
    /// still shown); Offline / Error when nothing could be fetched this poll.
    fn health(&self, round: &Round, next: Duration, mut notes: Vec<String>) -> SourceHealth {
        let next_retry = Some(Utc::now() + chrono::Duration::from_std(next).unwrap_or_default());
        let last_ok = [
            self.queues.ok_at,
            self.live.ok_at,
            self.agents.ok_at,
            self.today.ok_at,
        ]
        .into_iter()
        .flatten()
        .max();
        self.add_notes(&mut notes);
        let note = (!notes.is_empty()).then(|| notes.join("; "));
        if (round.ok == 0 && round.failed > 0) || self.queues.value.is_none() {
            let err = round
                .first_error
                .clone()
                .or_else(|| self.queues.error.clone())
                .or_else(|| self.live.error.clone());
            let status = match &err {
                Some(SourceError::Auth(_) | SourceError::Permission(_) | SourceError::Fatal(_)) => {
                    SourceStatus::Error
                }
                Some(_) => SourceStatus::Offline,
                None => SourceStatus::Connecting,
            };
            let error = err.map(|e| e.to_string());
            return SourceHealth {
                status,
                last_ok,
                fresh_until: None,
                error,
                next_retry,
                note,
            };
        }
        let stale = self.stale_parts();
        if stale.is_empty() {
            return SourceHealth {
                status: SourceStatus::Live,
                last_ok,
                fresh_until: None,
                error: None,
                next_retry: None,
                note,
            };
        }
        let error = Some(stale.join("; "));
        SourceHealth {
            status: SourceStatus::Stale,
            last_ok,
            fresh_until: None,
            error,
            next_retry,
            note,
        }
    }

    fn snapshot(&self, health: SourceHealth) -> SourceSnapshot {
        let empty_live = HashMap::new();
        let empty_today = HashMap::new();
        let live = self.live.value.as_ref().unwrap_or(&empty_live);
        let today = self.today.value.as_ref().unwrap_or(&empty_today);
        let queues = self
            .queues
            .value
            .iter()
            .flatten()
            .map(|q| {
                let seen = self.media_seen.get(&q.id).copied().unwrap_or_default();
                Queue {
                    id: q.id.clone(),
                    name: q.name.clone(),
                    media: queues::row_media(seen),
                    vendor_objective: queues::row_objective(q, seen),
                    live: live.get(&q.id).cloned().unwrap_or_default(),
                    today: today.get(&q.id).cloned().unwrap_or_default(),
                    // Genesys gives no waiting history; the app keeps its own samples.
                    recent_waiting: Vec::new(),
                }
            })
            .collect();
        SourceSnapshot {
            source: self.name.clone(),
            kind: SourceKind::Genesys,
            fetched_at: Utc::now(),
            queues,
            agents: self.agents.value.clone(),
            health,
        }
    }

    async fn agent_name(&mut self, agent_id: &str) -> String {
        if let Some(n) = self.names.get(agent_id) {
            return n.clone();
        }
        let users: Result<Listing<UserEntity>, SourceError> = self
            .api
            .get_json(USERS_PATH, &agents::users_query(&[agent_id]))
            .await;
        if let Ok(l) = users
            && let Some(n) = l
                .entities
                .into_iter()
                .find(|u| u.id == agent_id)
                .and_then(|u| u.name)
        {
            self.names.insert(agent_id.to_string(), n.clone());
            return n;
        }
        agent_id.to_string()
    }
}

impl Source for GenesysSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Genesys
    }

    async fn poll(&mut self) -> PollOutcome {
        let mut round = Round::default();
        self.refresh(&mut round).await;
        if let Some(e) = &round.first_error {
            tracing::warn!(source = %self.name, error = %e, "Genesys Cloud poll incomplete");
        }
        let mut notes = vec![];
        let next = self.next_poll(&round, &mut notes);
        let health = self.health(&round, next, notes);
        PollOutcome {
            snapshot: self.snapshot(health),
            next_poll_in: next,
        }
    }

    async fn history(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<AgentHistory, SourceError> {
        if self.presences.value.is_none()
            && let Ok(p) = self.fetch_presences().await
        {
            self.presences.set_ok(p);
        }
        let mut col = history::Collected::default();
        if from < to {
            for page in 1..=history::MAX_PAGES {
                let body = history::details_query(agent_id, from, to, page, self.tuning.page_size);
                let resp: UserDetailsResponse = self
                    .api
                    .post_json(DETAILS_PATH, &[], &body)
                    .await
                    .map_err(needs("analytics:userDetail:view"))?;
                // Pages can be short (de-duplicated records) and totalHits is approximate:
                // read until a page brings nothing new.
                if col.add_page(agent_id, &resp.user_details, from, to) == 0 {
                    break;
                }
            }
        }
        let presences = self.presences.value.clone().unwrap_or_default();
        Ok(AgentHistory {
            agent_id: agent_id.to_string(),
            agent_name: self.agent_name(agent_id).await,
            from,
            to,
            spans: col.spans(&presences),
            fetched_at: Utc::now(),
        })
    }
}

/// Whether page `page` of a listing is the last one. `pageCount` when given, else a short
/// or empty page.
fn last_page<T>(l: &Listing<T>, page: u32, size: u32) -> bool {
    if l.entities.is_empty() {
        return true;
    }
    match l.page_count {
        Some(pc) if pc.is_finite() => f64::from(page) >= pc,
        _ => l.entities.len() < size as usize,
    }
}

/// A path segment with anything but unreserved characters percent-encoded (queue ids are
/// UUIDs, but a config typo must not produce a different path).
fn url_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_stops() {
        let l = |n: usize, pc: Option<f64>| Listing::<u8> {
            entities: vec![0; n],
            page_size: None,
            page_number: None,
            total: None,
            page_count: pc,
            next_uri: None,
        };
        assert!(last_page(&l(0, None), 1, 2));
        assert!(!last_page(&l(2, None), 1, 2));
        assert!(last_page(&l(1, None), 1, 2));
        assert!(!last_page(&l(2, Some(2.0)), 1, 2));
        assert!(last_page(&l(2, Some(2.0)), 2, 2));
        assert_eq!(url_segment("a b/c"), "a%20b%2Fc");
    }
}
