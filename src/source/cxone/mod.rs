//! NICE CXone source: live skills and agents by delta polling, today's skill figures, and
//! agent state history, from the documented ACD APIs (see REFERENCE.md; vendor JSON in
//! [`wire`]).
//!
//! Calls per refresh: `GET /skills/activity` + `GET /agents/states` (both with
//! `updatedSince`); about once a minute `GET /skills/summary` + `GET /skills/sla-summary`.
//! Each call feeds its own part of the snapshot and keeps its last good data when it fails.

pub mod agents;
pub mod auth;
pub mod history;
pub mod skills;
pub mod wire;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::Rng;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use self::agents::AgentStore;
use self::auth::{CxoneAuth, Fetcher};
use self::skills::{QueueFilter, SkillStore, TodayStore};
use self::wire::{
    AgentStatesResponse, CxoneConfiguration, ErrorBody, Links, OpenIdConfiguration,
    SkillActivityResponse, SkillSummaryResponse, SlaSummaryResponse, StateHistoryResponse,
};
use crate::config::{CxoneConfig, check_url};
use crate::domain::time::start_of_day;
use crate::domain::{AgentHistory, SourceHealth, SourceKind, SourceSnapshot, SourceStatus};
use crate::source::http::{HttpClient, HttpSettings, Redactor};
use crate::source::{PollOutcome, Source, SourceError, SourceOptions};

/// `updatedSince` for the first poll: everything (as the official SDK does, REFERENCE §3.3).
const EPOCH: &str = "1970-01-01T00:00:00.000Z";
/// How often today's figures are fetched.
const TODAY_EVERY: Duration = Duration::from_secs(60);
/// Retry today's figures sooner than that after a failure.
const TODAY_RETRY: Duration = Duration::from_secs(15);
/// Page size asked for on paged endpoints (the server may cap it; we follow its paging).
const PAGE: usize = 1000;
/// Safety stop for paging loops (a server that never ends its pages).
const MAX_PAGES: usize = 100;
/// Longest wait between polls after repeated failures.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// Requests per rolling minute we allow ourselves: CXone publishes no ACD limit
/// (REFERENCE §6), this only stops a tiny refresh from hammering the platform.
const BUDGET_PER_MINUTE: u32 = 120;

/// The last outcome of one feed (a call and what it fills).
#[derive(Debug, Default, Clone)]
struct Feed {
    last_ok: Option<DateTime<Utc>>,
    error: Option<SourceError>,
}

impl Feed {
    fn ok(&mut self, at: DateTime<Utc>) {
        self.last_ok = Some(at);
        self.error = None;
    }
}

/// A working connection: the client (token handling inside) and the versioned API base.
#[derive(Debug, Clone)]
struct Conn {
    client: HttpClient,
    /// `{api_endpoint}/inContactAPI/services/{version}`, no trailing slash.
    api_base: String,
}

/// The NICE CXone source.
#[derive(Debug)]
pub struct CxoneSource {
    cfg: CxoneConfig,
    opts: SourceOptions,
    settings: HttpSettings,
    filter: QueueFilter,
    auth: Arc<CxoneAuth>,
    redactor: Redactor,
    conn: Option<Conn>,
    skills: SkillStore,
    agents: AgentStore,
    today: TodayStore,
    live: Feed,
    agent_feed: Feed,
    summary: Feed,
    sla: Feed,
    /// Connection/discovery failure (affects every feed).
    connect_error: Option<SourceError>,
    today_due: Option<Instant>,
    /// Polls in a row where no feed succeeded (drives the backoff).
    failures: u32,
}

impl CxoneSource {
    pub fn new(cfg: CxoneConfig, opts: SourceOptions) -> Result<Self, SourceError> {
        Self::with_settings(cfg, opts, HttpSettings::default())
    }

    /// Like [`CxoneSource::new`] with explicit timeouts and retries (tests use short ones).
    pub fn with_settings(
        cfg: CxoneConfig,
        opts: SourceOptions,
        settings: HttpSettings,
    ) -> Result<Self, SourceError> {
        // The configuration already checked these; checked again because a source can be
        // built without it and plain http must never leave the machine.
        check_url(&cfg.issuer).map_err(|m| SourceError::Fatal(format!("issuer: {m}")))?;
        if let Some(u) = &cfg.api_url {
            check_url(u).map_err(|m| SourceError::Fatal(format!("api_url: {m}")))?;
        }
        if !valid_version(&cfg.api_version) {
            return Err(SourceError::Fatal(format!(
                "bad api_version {:?} — set api_version like \"v34.0\"",
                cfg.api_version
            )));
        }
        let filter = QueueFilter::new(&cfg.queues)?;
        let redactor = Redactor::new();
        redactor.add(cfg.client_secret.expose());
        redactor.add(cfg.access_key_secret.expose());
        let auth = Arc::new(CxoneAuth::new(
            cfg.client_id.clone(),
            cfg.client_secret.clone(),
            cfg.access_key_id.clone(),
            cfg.access_key_secret.clone(),
        ));
        Ok(CxoneSource {
            cfg,
            opts,
            settings,
            filter,
            auth,
            redactor,
            conn: None,
            skills: SkillStore::default(),
            agents: AgentStore::default(),
            today: TodayStore::default(),
            live: Feed::default(),
            agent_feed: Feed::default(),
            summary: Feed::default(),
            sla: Feed::default(),
            connect_error: None,
            today_due: None,
            failures: 0,
        })
    }

    /// Grant types used so far (diagnostics and tests).
    pub fn grants(&self) -> Vec<&'static str> {
        self.auth.grants()
    }

    /// The versioned API base once discovered.
    pub fn api_base(&self) -> Option<&str> {
        self.conn.as_ref().map(|c| c.api_base.as_str())
    }

    // ---------------------------------------------------------------------------------
    // Connection and discovery

    async fn connect(&mut self) -> Result<Conn, SourceError> {
        if let Some(c) = &self.conn {
            return Ok(c.clone());
        }
        let issuer = self.cfg.issuer.trim_end_matches('/').to_string();
        // Discovery endpoints take no token: a client without a fetcher sends none.
        let open = HttpClient::builder(issuer.clone())
            .settings(self.settings.clone())
            .redactor(self.redactor.clone())
            .build()?;
        if self.auth.token_endpoint().is_none() {
            let oidc: OpenIdConfiguration =
                get_json(&open, "/.well-known/openid-configuration", &[]).await?;
            let url = oidc.token_endpoint.filter(|u| !u.trim().is_empty()).ok_or_else(|| {
                SourceError::Malformed(format!(
                    "{issuer}/.well-known/openid-configuration has no token_endpoint — check issuer"
                ))
            })?;
            check_url(&url).map_err(|m| SourceError::Fatal(format!("token endpoint: {m}")))?;
            self.auth.set_token_endpoint(url);
        }
        // One client for every API call; API paths are absolute URLs under `api_base`,
        // each checked by `check_url`/same-origin before use (the base may be discovered).
        let client = HttpClient::builder(self.cfg.api_url.clone().unwrap_or(issuer.clone()))
            .settings(self.settings.clone())
            .redactor(self.redactor.clone())
            .token_fetcher(Fetcher(self.auth.clone()))
            .budget_per_minute(BUDGET_PER_MINUTE)
            .build()?;
        let endpoint = match &self.cfg.api_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => self.discover_api(&open, &client, &issuer).await?,
        };
        let conn = Conn {
            client,
            api_base: format!("{endpoint}/inContactAPI/services/{}", self.cfg.api_version),
        };
        self.conn = Some(conn.clone());
        Ok(conn)
    }

    /// Token → `tenantId` claim → `/.well-known/cxone-configuration` → `api_endpoint`.
    async fn discover_api(
        &self,
        open: &HttpClient,
        client: &HttpClient,
        issuer: &str,
    ) -> Result<String, SourceError> {
        client.authenticate().await?;
        let tenant = self.auth.tenant_id().ok_or_else(|| {
            SourceError::Fatal(
                "the CXone token carries no tenantId — set api_url (your API host, e.g. https://api-na1.niceincontact.com)".into(),
            )
        })?;
        let path = "/.well-known/cxone-configuration";
        let (status, body) = open
            .call_with_status(Method::GET, path, &[("tenantId", tenant.clone())], None)
            .await?;
        if status == StatusCode::NOT_FOUND {
            return Err(SourceError::Fatal(format!(
                "tenant not found: {issuer} does not know tenant {tenant} — check issuer (e.g. the FedRAMP issuer https://cxone-gov.niceincontact.com) or set api_url"
            )));
        }
        if !status.is_success() {
            return Err(open.status_error(&Method::GET, path, status, &body));
        }
        let disc: CxoneConfiguration = parse(path, &body)?;
        let ep = disc
            .api_endpoint
            .map(|u| u.trim().trim_end_matches('/').to_string())
            .filter(|u| !u.is_empty())
            .ok_or_else(|| {
                SourceError::Malformed(format!(
                    "{path} has no api_endpoint for tenant {tenant} — set api_url"
                ))
            })?;
        check_url(&ep).map_err(|m| SourceError::Fatal(format!("discovered api_endpoint: {m}")))?;
        Ok(ep)
    }

    // ---------------------------------------------------------------------------------
    // Calls

    /// GET an API resource. `Ok(None)` = "no change" (204 or 304). CXone-specific errors:
    /// 404 on a collection = API version (or host) wrong; 401 after renewal; 403.
    async fn get(
        &self,
        conn: &Conn,
        url: &str,
        query: &[(&str, String)],
    ) -> Result<Option<Vec<u8>>, SourceError> {
        let (status, body) = conn
            .client
            .call_with_status(Method::GET, url, query, None)
            .await?;
        match status.as_u16() {
            // No change (REFERENCE §3.3: 200-empty, 204 and 304 all seen in the wild; an
            // empty 200 body is read the same way).
            204 | 304 => Ok(None),
            s if (200..300).contains(&s) && body.iter().all(u8::is_ascii_whitespace) => Ok(None),
            s if (200..300).contains(&s) => Ok(Some(body)),
            _ => Err(self.api_error(conn, url, status, &body)),
        }
    }

    fn api_error(&self, conn: &Conn, url: &str, status: StatusCode, body: &[u8]) -> SourceError {
        let what = url
            .strip_prefix(&conn.api_base)
            .unwrap_or(url)
            .split('?')
            .next()
            .unwrap_or("")
            .to_string();
        let said = serde_json::from_slice::<ErrorBody>(body)
            .ok()
            .and_then(|e| e.text().map(str::to_string))
            .map(|t| format!(" ({})", self.redactor.scrub(&truncate(&t, 200))))
            .unwrap_or_default();
        match status.as_u16() {
            401 => SourceError::Auth(format!(
                "CXone refused the access token for {what}{said} — check that the access key (access_key_id) is active"
            )),
            403 => SourceError::Permission(format!(
                "CXone does not allow {what}{said} — give the access key's user a role with the Real-Time Data and Reporting API permissions"
            )),
            404 if !what.contains("/state-history") => SourceError::Fatal(format!(
                "API version {} not supported at {} ({what} not found) — set api_version (e.g. \"v34.0\") or check api_url",
                self.cfg.api_version,
                origin(&conn.api_base)
            )),
            _ => conn.client.status_error(&Method::GET, url, status, body),
        }
    }

    /// Every page of a paged resource: `_links.next` when it stays on the API host, else
    /// `skip` while `totalRecords` says more remain. `Ok(vec![])` for "no change".
    async fn get_pages<T: DeserializeOwned + Paged>(
        &self,
        conn: &Conn,
        path: &str,
        base_query: Vec<(&'static str, String)>,
    ) -> Result<Vec<T>, SourceError> {
        let first = format!("{}{path}", conn.api_base);
        let mut url = first.clone();
        let mut query = base_query.clone();
        let mut pages: Vec<T> = Vec::new();
        let mut rows = 0usize;
        for _ in 0..MAX_PAGES {
            let Some(body) = self.get(conn, &url, &query).await? else {
                break;
            };
            let page: T = parse(path, &body)?;
            let n = page.row_count();
            rows += n;
            let total = page.total();
            let next = page.next_link().map(str::to_string);
            pages.push(page);
            match next {
                Some(next) if next != url && same_origin(&next, &conn.api_base) => {
                    url = next;
                    query = Vec::new();
                }
                _ if n > 0 && total.is_some_and(|t| rows < t) => {
                    url = first.clone();
                    query = base_query
                        .iter()
                        .filter(|(k, _)| *k != "top" && *k != "skip")
                        .cloned()
                        .collect();
                    query.push(("top", PAGE.to_string()));
                    query.push(("skip", rows.to_string()));
                }
                _ => break,
            }
        }
        Ok(pages)
    }

    // ---------------------------------------------------------------------------------
    // Feeds

    async fn poll_skills(&mut self, conn: &Conn) -> Result<(), SourceError> {
        let since = self
            .skills
            .poll_time
            .clone()
            .unwrap_or_else(|| EPOCH.to_string());
        let pages: Vec<SkillActivityResponse> = self
            .get_pages(conn, "/skills/activity", vec![("updatedSince", since)])
            .await
            .inspect_err(|e| reset_on_bad_since(e, &mut self.skills.poll_time))?;
        if pages.is_empty() {
            // 204/304: nothing changed, keep updatedSince.
            self.skills.merge(Vec::new(), None);
        }
        let mut first_poll = None;
        for p in pages {
            let (rows, poll) = p.into_parts();
            first_poll = first_poll.or(poll);
            self.skills.merge(rows, None);
        }
        if first_poll.is_some() {
            self.skills.poll_time = first_poll;
        }
        Ok(())
    }

    async fn poll_agents(&mut self, conn: &Conn) -> Result<(), SourceError> {
        let since = self
            .agents
            .poll_time
            .clone()
            .unwrap_or_else(|| EPOCH.to_string());
        let pages: Vec<AgentStatesResponse> = self
            .get_pages(conn, "/agents/states", vec![("updatedSince", since)])
            .await
            .inspect_err(|e| reset_on_bad_since(e, &mut self.agents.poll_time))?;
        if pages.is_empty() {
            self.agents.merge(Vec::new(), None);
        }
        let mut first_poll = None;
        for p in pages {
            let (rows, poll) = p.into_parts();
            first_poll = first_poll.or(poll);
            self.agents.merge(rows, None);
        }
        if first_poll.is_some() {
            self.agents.poll_time = first_poll;
        }
        Ok(())
    }

    fn today_query(&self, now: DateTime<Utc>) -> Vec<(&'static str, String)> {
        vec![
            ("startDate", fmt_time(start_of_day(now, self.opts.timezone))),
            ("endDate", fmt_time(now)),
        ]
    }

    async fn poll_summary(&mut self, conn: &Conn, now: DateTime<Utc>) -> Result<(), SourceError> {
        let url = format!("{}/skills/summary", conn.api_base);
        let rows = match self.get(conn, &url, &self.today_query(now)).await? {
            Some(body) => parse::<SkillSummaryResponse>("/skills/summary", &body)?.rows(),
            None => Vec::new(),
        };
        self.today.set_summaries(rows, now);
        Ok(())
    }

    async fn poll_sla(&mut self, conn: &Conn, now: DateTime<Utc>) -> Result<(), SourceError> {
        let pages: Vec<SlaSummaryResponse> = self
            .get_pages(conn, "/skills/sla-summary", self.today_query(now))
            .await?;
        let rows = pages
            .into_iter()
            .flat_map(|p| p.service_level_summaries.unwrap_or_default())
            .collect();
        self.today.set_sla(rows, now);
        Ok(())
    }

    // ---------------------------------------------------------------------------------
    // Snapshot and health

    fn snapshot(&self, now: DateTime<Utc>, wait: Duration) -> SourceSnapshot {
        let agents = self.agents.loaded.then_some(&self.agents);
        SourceSnapshot {
            source: self.cfg.name.clone(),
            kind: SourceKind::Cxone,
            fetched_at: now,
            queues: skills::build_queues(&self.skills, &self.today, agents, &self.filter),
            agents: agents.map(AgentStore::agents),
            health: self.health(now, wait),
        }
    }

    fn feeds(&self) -> [(&'static str, &Feed); 4] {
        [
            ("skill activity", &self.live),
            ("agent states", &self.agent_feed),
            ("skill summary", &self.summary),
            ("SLA summary", &self.sla),
        ]
    }

    /// Live: every feed fine. Stale: some feed failing while others work (the message says
    /// which and how old its data is). Offline (Error for credential/config problems):
    /// nothing works right now; cached data stays on screen.
    fn health(&self, now: DateTime<Utc>, wait: Duration) -> SourceHealth {
        let last_ok = [self.live.last_ok, self.agent_feed.last_ok]
            .into_iter()
            .flatten()
            .max();
        let next_retry = Some(now + chrono::Duration::from_std(wait).unwrap_or_default());
        if let Some(e) = &self.connect_error {
            return SourceHealth {
                status: status_for(e),
                last_ok,
                fresh_until: None,
                error: Some(self.redactor.scrub(&e.to_string())),
                next_retry,
                note: None,
            };
        }
        let failing: Vec<(&str, &Feed, &SourceError)> = self
            .feeds()
            .into_iter()
            .filter_map(|(n, f)| f.error.as_ref().map(|e| (n, f, e)))
            .collect();
        if failing.is_empty() {
            return SourceHealth {
                last_ok,
                fresh_until: None,
                ..SourceHealth::live(now)
            };
        }
        let text = failing
            .iter()
            .map(|(name, f, e)| format!("{name}: {e}{}", age_text(f.last_ok, now)))
            .collect::<Vec<_>>()
            .join("; ");
        let live_down = self.live.error.is_some() && self.agent_feed.error.is_some();
        let status = match (live_down, failing.first()) {
            (true, Some((_, _, e))) => status_for(e),
            _ => SourceStatus::Stale,
        };
        SourceHealth {
            status,
            last_ok,
            fresh_until: None,
            error: Some(self.redactor.scrub(&text)),
            next_retry,
            note: None,
        }
    }

    /// Wait before the next poll: the refresh (stretched by the request budget) when all is
    /// well; after failures, doubling from the refresh up to a minute, jittered, and never
    /// shorter than a Retry-After the platform gave.
    fn backoff(&self) -> Duration {
        let refresh = self.opts.refresh.max(Duration::from_millis(200));
        let base = match self.conn.as_ref().and_then(|c| c.client.budget()) {
            // 2 live calls per refresh + 2 today calls per minute.
            Some(b) => b.interval_for(2.0 + 2.0 * refresh.as_secs_f64() / 60.0, refresh),
            None => refresh,
        };
        let wait = if self.failures == 0 {
            base
        } else {
            let exp = base
                .saturating_mul(1u32 << self.failures.saturating_sub(1).min(8))
                .min(MAX_BACKOFF.max(base));
            exp.mul_f64(rand::rng().random_range(0.8..=1.2))
        };
        let asked = self
            .feeds()
            .into_iter()
            .filter_map(|(_, f)| match f.error {
                Some(SourceError::RateLimited { retry_after }) => Some(retry_after),
                _ => None,
            })
            .max()
            .unwrap_or_default();
        wait.max(asked)
    }
}

/// Whatever happened, a feed's error is reported with how old its data is.
fn age_text(last_ok: Option<DateTime<Utc>>, now: DateTime<Utc>) -> String {
    match last_ok {
        Some(t) => format!(
            " — showing data from {}s ago",
            (now - t).num_seconds().max(0)
        ),
        None => " — no data yet".to_string(),
    }
}

fn status_for(e: &SourceError) -> SourceStatus {
    match e {
        SourceError::Auth(_) | SourceError::Permission(_) | SourceError::Fatal(_) => {
            SourceStatus::Error
        }
        _ => SourceStatus::Offline,
    }
}

/// A 400 on a delta call most likely means our `updatedSince` was refused ("Invalid
/// updatedSince"): start over from the epoch next time rather than fail forever.
fn reset_on_bad_since(e: &SourceError, poll_time: &mut Option<String>) {
    if matches!(e, SourceError::Fatal(m) if m.contains("HTTP 400")) {
        *poll_time = None;
    }
}

impl Source for CxoneSource {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Cxone
    }

    async fn poll(&mut self) -> PollOutcome {
        let now = Utc::now();
        match self.connect().await {
            Err(e) => {
                tracing::warn!(source = %self.cfg.name, error = %e, "CXone connection failed");
                self.connect_error = Some(e);
                self.failures = self.failures.saturating_add(1);
            }
            Ok(conn) => {
                self.connect_error = None;
                self.poll_feeds(&conn, now).await;
            }
        }
        // One backoff figure for both the schedule and the health's next_retry (jittered).
        let wait = self.backoff();
        PollOutcome {
            snapshot: self.snapshot(Utc::now(), wait),
            next_poll_in: wait,
        }
    }

    async fn history(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<AgentHistory, SourceError> {
        if agent_id.is_empty()
            || !agent_id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(SourceError::Fatal(format!(
                "{agent_id:?} is not a CXone agent id"
            )));
        }
        if to <= from {
            return Err(SourceError::Fatal(
                "history window is empty (to ≤ from)".into(),
            ));
        }
        let conn = self.connect().await?;
        let path = format!("/agents/{agent_id}/state-history");
        let query = vec![
            ("startDate", fmt_time(from)),
            ("endDate", fmt_time(to)),
            ("top", PAGE.to_string()),
            ("skip", "0".to_string()),
        ];
        let pages: Vec<StateHistoryResponse> =
            self.get_pages(&conn, &path, query)
                .await
                .map_err(|e| match e {
                    SourceError::Fatal(m) if m.contains("HTTP 404") => SourceError::Fatal(format!(
                        "agent {agent_id} not found in this CXone business unit"
                    )),
                    other => other,
                })?;
        let rows = pages
            .into_iter()
            .flat_map(StateHistoryResponse::rows)
            .collect();
        Ok(AgentHistory {
            agent_id: agent_id.to_string(),
            agent_name: self
                .agents
                .name_of(agent_id)
                .unwrap_or_else(|| agent_id.to_string()),
            from,
            to,
            spans: history::spans(rows, to, &self.agents.acw_codes),
            fetched_at: Utc::now(),
        })
    }
}

impl CxoneSource {
    /// One round of calls. After a "slow down" that was not waited out inside the call
    /// (Retry-After beyond the client's limit) the rest of the round is skipped: the
    /// client's budget is paused anyway, and the snapshot should go out now, not after it.
    async fn poll_feeds(&mut self, conn: &Conn, now: DateTime<Utc>) {
        let live = self.poll_skills(conn).await;
        let mut limited = is_rate_limited(&live);
        record(&mut self.live, live, now, "skill activity");
        if !limited {
            let agents = self.poll_agents(conn).await;
            limited = is_rate_limited(&agents);
            record(&mut self.agent_feed, agents, now, "agent states");
        }
        if !limited && self.today_due.is_none_or(|t| Instant::now() >= t) {
            let s = self.poll_summary(conn, now).await;
            let s_ok = s.is_ok();
            record(&mut self.summary, s, now, "skill summary");
            let l = self.poll_sla(conn, now).await;
            let ok = s_ok && l.is_ok();
            record(&mut self.sla, l, now, "SLA summary");
            self.today_due = Some(Instant::now() + if ok { TODAY_EVERY } else { TODAY_RETRY });
        }
        let any_ok = self.live.error.is_none() || self.agent_feed.error.is_none();
        self.failures = if any_ok {
            0
        } else {
            self.failures.saturating_add(1)
        };
    }
}

fn is_rate_limited(r: &Result<(), SourceError>) -> bool {
    matches!(r, Err(SourceError::RateLimited { .. }))
}

fn record(feed: &mut Feed, r: Result<(), SourceError>, now: DateTime<Utc>, what: &str) {
    match r {
        Ok(()) => feed.ok(now),
        Err(e) => {
            tracing::warn!(feed = what, error = %e, "CXone call failed; keeping the last good data");
            feed.error = Some(e);
        }
    }
}

// -------------------------------------------------------------------------------------
// Helpers

/// Paged CXone responses.
trait Paged {
    fn row_count(&self) -> usize;
    fn total(&self) -> Option<usize>;
    fn next_link(&self) -> Option<&str>;
}

fn links_next(l: &Option<Links>) -> Option<&str> {
    l.as_ref().and_then(Links::next_url)
}

fn total(t: Option<i64>) -> Option<usize> {
    t.and_then(|t| usize::try_from(t).ok())
}

impl Paged for SkillActivityResponse {
    fn row_count(&self) -> usize {
        self.skill_activity.as_ref().map_or(0, Vec::len)
    }
    fn total(&self) -> Option<usize> {
        total(self.total_records)
    }
    fn next_link(&self) -> Option<&str> {
        links_next(&self.links)
    }
}

impl Paged for AgentStatesResponse {
    fn row_count(&self) -> usize {
        self.agent_states.as_ref().map_or(0, Vec::len)
    }
    fn total(&self) -> Option<usize> {
        total(self.total_records)
    }
    fn next_link(&self) -> Option<&str> {
        links_next(&self.links)
    }
}

impl Paged for StateHistoryResponse {
    fn row_count(&self) -> usize {
        self.agent_state_history.as_ref().map_or(0, Vec::len)
    }
    fn total(&self) -> Option<usize> {
        total(self.total_records)
    }
    fn next_link(&self) -> Option<&str> {
        links_next(&self.links)
    }
}

impl Paged for SlaSummaryResponse {
    fn row_count(&self) -> usize {
        self.service_level_summaries.as_ref().map_or(0, Vec::len)
    }
    fn total(&self) -> Option<usize> {
        total(self.total_records)
    }
    fn next_link(&self) -> Option<&str> {
        links_next(&self.links)
    }
}

/// GET + parse through a client (discovery).
async fn get_json<T: DeserializeOwned>(
    c: &HttpClient,
    path: &str,
    query: &[(&str, String)],
) -> Result<T, SourceError> {
    let body = c.call(Method::GET, path, query, None).await?;
    parse(path, &body)
}

/// Parse a body; the error names the call and the JSON problem, never the data (which
/// could hold a token or personal data).
fn parse<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, SourceError> {
    serde_json::from_slice(body).map_err(|e| {
        use serde_json::error::Category;
        let kind = match e.classify() {
            Category::Eof => "truncated JSON",
            Category::Syntax => "not JSON",
            Category::Data => "JSON of an unexpected shape",
            Category::Io => "unreadable body",
        };
        SourceError::Malformed(format!(
            "GET {what}: {kind} (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

fn truncate(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}

/// `scheme://host[:port]` of a URL (lower-cased), for same-origin checks and messages.
fn origin(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => u.origin().ascii_serialization().to_ascii_lowercase(),
        Err(_) => String::new(),
    }
}

/// A `_links.next` is followed only on the API host itself: the bearer token must never be
/// sent to another host, whatever a response says.
fn same_origin(url: &str, base: &str) -> bool {
    let o = origin(url);
    !o.is_empty() && o != "null" && o == origin(base) && check_url(url).is_ok()
}

fn valid_version(v: &str) -> bool {
    v.strip_prefix('v').is_some_and(|n| {
        !n.is_empty()
            && n.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
    })
}

/// CXone's timestamp form: UTC with milliseconds.
pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let base = "https://api-na1.niceincontact.com/inContactAPI/services/v34.0";
        assert!(same_origin(
            "https://api-na1.niceincontact.com/inContactAPI/services/v34.0/x?skip=1",
            base
        ));
        assert!(same_origin("https://API-NA1.niceincontact.com:443/x", base));
        assert!(!same_origin("https://evil.example.com/x", base));
        assert!(!same_origin("http://api-na1.niceincontact.com/x", base));
        assert!(!same_origin("/relative", base));
    }

    #[test]
    fn versions() {
        assert!(valid_version("v34.0"));
        assert!(valid_version("v9"));
        assert!(!valid_version("34.0"));
        assert!(!valid_version("v34.0/../x"));
    }
}
