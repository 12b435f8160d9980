//! NICE CXone source: live skills and agents by delta polling, today's skill figures, and
//! agent state history, from the documented ACD APIs (see REFERENCE.md; vendor JSON in
//! [`wire`], calls and paging in [`api`]).
//!
//! Parts, in round order: `GET /skills/activity` and `GET /agents/states` (both with
//! `updatedSince`) every round; `GET /skills/summary` and `GET /skills/sla-summary` about once
//! a minute. The engine (`source::feed`) schedules them and keeps their health.

pub mod agents;
pub mod api;
pub mod auth;
pub mod history;
pub mod intervals;
pub mod skills;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use self::agents::AgentStore;
pub use self::api::fmt_time;
use self::api::{Api, PAGE, get_json, parse, valid_version};
use self::auth::{CxoneAuth, Fetcher};
use self::skills::{QueueFilter, SkillStore, TodayStore};
use self::wire::{
    AgentStatesResponse, OpenIdConfiguration, SkillActivityResponse, SkillSummaryResponse,
    SlaSummaryResponse, StateHistoryResponse,
};
use crate::config::{CxoneConfig, check_url};
use crate::domain::time::start_of_day;
use crate::domain::{Agent, AgentHistory, Queue, SourceKind};
use crate::source::feed::{EngineSettings, Feed, PartSpec, Vendor};
use crate::source::http::{BoxFuture, HttpClient, HttpSettings, Redactor, RequestBudget};
use crate::source::{SourceError, SourceOptions};

/// `updatedSince` for the first poll: everything (as the official SDK does, REFERENCE §3.3).
const EPOCH: &str = "1970-01-01T00:00:00.000Z";
/// How often today's figures are fetched.
const TODAY_EVERY: Duration = Duration::from_secs(60);
/// Requests per rolling minute we allow ourselves: CXone publishes no ACD limit
/// (REFERENCE §6), this only stops a tiny refresh from hammering the platform.
const BUDGET_PER_MINUTE: u32 = 120;

/// How often the business unit's settings (time zone, unavailable codes) are re-read.
const SETTINGS_EVERY: Duration = Duration::from_secs(3600);

/// The parts of a CXone source, in round order.
const SKILLS: usize = 0;
const AGENTS: usize = 1;
const BUSINESS_UNIT: usize = 2;
const CODES: usize = 3;
const SUMMARY: usize = 4;
const SLA: usize = 5;
const ASSIGNMENTS: usize = 6;
const INTERVALS: usize = 7;
/// How often the skill assignments are re-read.
const ASSIGNMENTS_EVERY: Duration = Duration::from_secs(300);

/// A CXone business unit: what was fetched, and how to fetch more.
#[derive(Debug)]
pub struct Cxone {
    cfg: CxoneConfig,
    opts: SourceOptions,
    settings: HttpSettings,
    filter: QueueFilter,
    auth: Arc<CxoneAuth>,
    redactor: Redactor,
    conn: Option<Api>,
    skills: SkillStore,
    agents: AgentStore,
    today: TodayStore,
    /// Today's 30-minute intervals.
    intervals: intervals::IntervalBook,
    /// The business unit's own zone, when it names an IANA one.
    bu_timezone: Option<chrono_tz::Tz>,
    bu_timezone_note: Option<String>,
}

/// The NICE CXone source: the vendor on the polling engine.
pub type CxoneSource = Feed<Cxone>;

impl std::fmt::Debug for Feed<Cxone> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.vendor().fmt(f)
    }
}

impl Feed<Cxone> {
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
        let engine = EngineSettings::new(opts.refresh);
        let vendor = Cxone {
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
            intervals: intervals::IntervalBook::default(),
            bu_timezone: None,
            bu_timezone_note: None,
        };
        Ok(Feed::with_vendor(vendor, engine))
    }

    /// Grant types used so far (diagnostics and tests).
    pub fn grants(&self) -> Vec<&'static str> {
        self.vendor().auth.grants()
    }

    /// The outstate codes known to be after-call work (diagnostics and tests).
    pub fn vendor_acw_codes(&self) -> std::collections::HashSet<i64> {
        self.vendor().agents.acw_codes.clone()
    }

    /// The versioned API base once discovered.
    pub fn api_base(&self) -> Option<&str> {
        self.vendor().conn.as_ref().map(|c| c.api_base.as_str())
    }
}

impl Cxone {
    // ---------------------------------------------------------------------------------
    // Connection and discovery

    async fn connect(&mut self) -> Result<Api, SourceError> {
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
            None => api::discover(&open, &client, &self.auth, &issuer).await?,
        };
        let conn = Api {
            client,
            api_base: format!("{endpoint}/inContactAPI/services/{}", self.cfg.api_version),
            api_version: self.cfg.api_version.clone(),
            redactor: self.redactor.clone(),
        };
        self.conn = Some(conn.clone());
        Ok(conn)
    }

    // ---------------------------------------------------------------------------------
    // Parts

    async fn poll_skills(&mut self, conn: &Api) -> Result<(), SourceError> {
        let since = self
            .skills
            .poll_time
            .clone()
            .unwrap_or_else(|| EPOCH.to_string());
        let pages: Vec<SkillActivityResponse> = conn
            .get_pages("/skills/activity", vec![("updatedSince", since)])
            .await
            .inspect_err(|e| reset_on_bad_since(e, &mut self.skills.poll_time))?;
        if pages.is_empty() {
            // 204/304: nothing changed, keep updatedSince.
            self.skills.merge(Vec::new(), None);
        }
        if pages.iter().any(|p| {
            p.skill_activity.is_none() && p.result_set.is_none() && p.last_poll_time.is_none()
        }) {
            return Err(unrecognised(
                "/skills/activity",
                "skillActivity, resultSet or lastPollTime",
            ));
        }
        let mut first_poll = None;
        let mut batches = Vec::with_capacity(pages.len());
        for p in pages {
            let (rows, poll) = p.into_parts();
            first_poll = first_poll.or(poll);
            batches.push(rows);
        }
        // Checked before anything is kept: the delta is asked again until it makes sense.
        out_of_range_count(batches.iter().flatten())?;
        for rows in batches {
            self.skills.merge(rows, None);
        }
        if first_poll.is_some() {
            self.skills.poll_time = first_poll;
        }
        Ok(())
    }

    async fn poll_agents(&mut self, conn: &Api) -> Result<(), SourceError> {
        let since = self
            .agents
            .poll_time
            .clone()
            .unwrap_or_else(|| EPOCH.to_string());
        let pages: Vec<AgentStatesResponse> = conn
            .get_pages("/agents/states", vec![("updatedSince", since)])
            .await
            .inspect_err(|e| reset_on_bad_since(e, &mut self.agents.poll_time))?;
        if pages.is_empty() {
            self.agents.merge(Vec::new(), None);
        }
        if pages.iter().any(|p| {
            p.agent_states.is_none() && p.result_set.is_none() && p.last_poll_time.is_none()
        }) {
            return Err(unrecognised(
                "/agents/states",
                "agentStates, resultSet or lastPollTime",
            ));
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

    /// The zone of "today": the configuration's, else the business unit's
    /// `defaultTimeZone`, else the machine's (errata 7).
    fn timezone(&self) -> Option<chrono_tz::Tz> {
        self.opts.timezone.or(self.bu_timezone)
    }

    fn today_query(&self, now: DateTime<Utc>) -> Vec<(&'static str, String)> {
        vec![
            ("startDate", fmt_time(start_of_day(now, self.timezone()))),
            ("endDate", fmt_time(now)),
        ]
    }

    /// `GET /business-unit` → `defaultTimeZone`. The answer's shape is UNCONFIRMED (one
    /// object or a `businessUnits` list): the first `defaultTimeZone` (or `timeZone`) found
    /// anywhere is used when it is an IANA name; anything else is a note, never a guess.
    async fn poll_business_unit(&mut self, conn: &Api) -> Result<(), SourceError> {
        let url = format!("{}/business-unit", conn.api_base);
        let Some(body) = conn.get(&url, &[]).await? else {
            return Ok(());
        };
        let v: serde_json::Value = parse("/business-unit", &body)?;
        let name = find_string(&v, &["defaultTimeZone", "timeZone", "timezone"], 4);
        match name {
            Some(n) => match n.parse::<chrono_tz::Tz>() {
                Ok(tz) => {
                    self.bu_timezone = Some(tz);
                    self.bu_timezone_note = None;
                }
                Err(_) => {
                    self.bu_timezone_note = Some(format!(
                        "the business unit's time zone {:?} is not an IANA name; set timezone in the configuration",
                        crate::domain::text::printable(&n)
                    ));
                }
            },
            None => {
                self.bu_timezone_note = Some(
                    "the business unit names no time zone; set timezone in the configuration"
                        .into(),
                );
            }
        }
        Ok(())
    }

    /// `GET /unavailable-codes` → the outstate codes that are ACW (`isACW`, errata 8): ACW
    /// is recognised by code, never guessed from a name.
    async fn poll_unavailable_codes(&mut self, conn: &Api) -> Result<(), SourceError> {
        let url = format!("{}/unavailable-codes", conn.api_base);
        let Some(body) = conn.get(&url, &[]).await? else {
            return Ok(());
        };
        let v: serde_json::Value = parse("/unavailable-codes", &body)?;
        let codes = v
            .get("unavailableCodes")
            .and_then(serde_json::Value::as_array)
            .ok_or_else(|| unrecognised("/unavailable-codes", "unavailableCodes"))?;
        for c in codes {
            let acw = c
                .get("isACW")
                .or_else(|| c.get("isAcw"))
                .and_then(serde_json::Value::as_bool);
            let id = c
                .get("id")
                .or_else(|| c.get("outStateId"))
                .and_then(|i| i.as_i64().or_else(|| i.as_str()?.parse().ok()));
            if let (Some(true), Some(id)) = (acw, id) {
                self.agents.acw_codes.insert(id);
            }
        }
        Ok(())
    }

    /// `GET /agents/skills`, every page: the active (agent, skill) pairs.
    async fn poll_assignments(&mut self, conn: &Api) -> Result<(), SourceError> {
        let pages: Vec<wire::AgentSkillsResponse> = conn
            .get_pages("/agents/skills", vec![("top", PAGE.to_string())])
            .await?;
        if pages.is_empty() {
            return Ok(());
        }
        if pages.iter().any(|p| p.agent_skill_assignments.is_none()) {
            return Err(unrecognised("/agents/skills", "agentSkillAssignments"));
        }
        let pairs = pages
            .into_iter()
            .flat_map(|p| p.agent_skill_assignments.unwrap_or_default())
            .filter(|a| a.is_active != Some(false))
            .filter_map(|a| Some((a.agent_id?, a.skill_id?)));
        self.agents.set_assignments(pairs);
        Ok(())
    }

    async fn poll_summary(&mut self, conn: &Api, now: DateTime<Utc>) -> Result<(), SourceError> {
        let url = format!("{}/skills/summary", conn.api_base);
        let rows = match conn.get(&url, &self.today_query(now)).await? {
            Some(body) => parse::<SkillSummaryResponse>("/skills/summary", &body)?.rows(),
            None => Vec::new(),
        };
        self.today.summary_none = rows.is_empty();
        self.today.set_summaries(rows, now);
        Ok(())
    }

    /// Today's intervals of every queue shown (see [`intervals`]).
    pub fn interval_history(&self) -> Option<crate::domain::SourceIntervals> {
        let ids: Vec<String> = self.contents().0.into_iter().map(|q| q.id).collect();
        let queues = self.intervals.queues(&ids);
        if queues.is_empty() {
            return None;
        }
        Some(crate::domain::SourceIntervals {
            source: self.cfg.name.clone(),
            fetched_at: self.intervals.fetched_at?,
            queues,
        })
    }

    /// One interval's summary and SLA answers, per skill.
    async fn interval_counts(
        &self,
        conn: &Api,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<intervals::PerSkill, SourceError> {
        let query = vec![("startDate", fmt_time(start)), ("endDate", fmt_time(end))];
        let url = format!("{}/skills/summary", conn.api_base);
        let summaries = match conn.get(&url, &query).await? {
            Some(body) => parse::<SkillSummaryResponse>("/skills/summary", &body)?.rows(),
            None => Vec::new(),
        };
        let slas: Vec<_> = match conn.get_pages("/skills/sla-summary", query).await {
            Err(SourceError::Fatal(m)) if m.contains("HTTP 404") && self.skills.loaded => vec![],
            r => r?,
        }
        .into_iter()
        .flat_map(|p: SlaSummaryResponse| p.service_level_summaries.unwrap_or_default())
        .collect();
        let ids = self.contents().0.into_iter().map(|q| q.id);
        Ok(intervals::per_skill(start, &summaries, &slas, ids))
    }

    /// The current interval so far, then a few completed ones of today not fetched yet.
    async fn poll_intervals(&mut self, conn: &Api, now: DateTime<Utc>) -> Result<(), SourceError> {
        let tz = self.timezone();
        self.intervals.roll(now, tz);
        let start = intervals::interval_start(now, tz);
        let current = self.interval_counts(conn, start, now).await?;
        self.intervals.set_current(start, current, now);
        for s in self
            .intervals
            .missing(now, tz, intervals::BACKFILL_PER_ROUND)
        {
            let end = s + chrono::Duration::minutes(i64::from(intervals::MINUTES));
            let done = self.interval_counts(conn, s, end.min(now)).await?;
            self.intervals.set_done(s, done);
        }
        Ok(())
    }

    async fn poll_sla(&mut self, conn: &Api, now: DateTime<Utc>) -> Result<(), SourceError> {
        // 404 is one of its listed answers ("no data"), not a wrong API version — once the
        // live calls have shown that the version is right.
        let pages: Vec<SlaSummaryResponse> = match conn
            .get_pages("/skills/sla-summary", self.today_query(now))
            .await
        {
            Err(SourceError::Fatal(m)) if m.contains("HTTP 404") && self.skills.loaded => vec![],
            r => r?,
        };
        let rows: Vec<_> = pages
            .into_iter()
            .flat_map(|p| p.service_level_summaries.unwrap_or_default())
            .collect();
        self.today.sla_none = rows.is_empty();
        self.today.set_sla(rows, now);
        Ok(())
    }
}

/// The first string under one of `keys`, searching objects and arrays `depth` levels down.
fn find_string(v: &serde_json::Value, keys: &[&str], depth: usize) -> Option<String> {
    use serde_json::Value;
    match v {
        Value::Object(m) => keys
            .iter()
            .find_map(|k| m.get(*k).and_then(Value::as_str).map(str::to_string))
            .or_else(|| {
                (depth > 0)
                    .then(|| m.values().find_map(|x| find_string(x, keys, depth - 1)))
                    .flatten()
            }),
        Value::Array(a) if depth > 0 => a.iter().find_map(|x| find_string(x, keys, depth - 1)),
        _ => None,
    }
}

/// A count outside 0..=2^32-1 (negative, or a 64-bit figure) is nonsense, not "unknown": the
/// delta is refused (the part is in ERROR, the last good rows stay) and the value named.
fn out_of_range_count<'a>(
    rows: impl Iterator<Item = &'a wire::SkillActivity>,
) -> Result<(), SourceError> {
    for r in rows {
        for (name, v) in [
            ("queueCount", r.queue_count),
            ("agentsAvailable", r.agents_available),
            ("agentsWorking", r.agents_working),
            ("agentsACW", r.agents_acw),
            ("agentsUnavailable", r.agents_unavailable),
        ] {
            if let Some(v) = v
                && u32::try_from(v).is_err()
            {
                return Err(SourceError::Malformed(format!(
                    "GET /skills/activity answered {name} {v} for skill {}",
                    r.skill_id.as_deref().unwrap_or("?")
                )));
            }
        }
    }
    Ok(())
}

/// A 200 whose JSON has none of the fields the call answers with: not "no change" (that is
/// an empty body, 204 or 304), but data we cannot read.
fn unrecognised(path: &str, fields: &str) -> SourceError {
    SourceError::Malformed(format!(
        "GET {path} answered JSON of an unexpected shape (no {fields})"
    ))
}

/// A 400 on a delta call most likely means our `updatedSince` was refused ("Invalid
/// updatedSince"): start over from the epoch next time rather than fail forever.
fn reset_on_bad_since(e: &SourceError, poll_time: &mut Option<String>) {
    if matches!(e, SourceError::Fatal(m) if m.contains("HTTP 400")) {
        *poll_time = None;
    }
}

impl Vendor for Cxone {
    fn name(&self) -> &str {
        &self.cfg.name
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Cxone
    }

    fn parts(&self) -> Vec<PartSpec> {
        vec![
            PartSpec::every_round("skill activity"),
            PartSpec::every_round("agent states"),
            PartSpec::every("business unit time zone", SETTINGS_EVERY).optional(),
            PartSpec::every("unavailable codes", SETTINGS_EVERY).optional(),
            PartSpec::every("skill summary", TODAY_EVERY),
            PartSpec::every("SLA summary", TODAY_EVERY),
            // Without it, agents are placed on the skills they were seen working.
            PartSpec::every("skill assignments", ASSIGNMENTS_EVERY).optional(),
            // Without it, the SL window is counted from the first sample at its start.
            PartSpec::every("interval history", TODAY_EVERY).optional(),
        ]
    }

    async fn fetch(&mut self, part: usize) -> Result<(), SourceError> {
        // Discovery once; a failure here is the part's failure (and the round's).
        let conn = self.connect().await?;
        let now = Utc::now();
        match part {
            SKILLS => self.poll_skills(&conn).await,
            AGENTS => self.poll_agents(&conn).await,
            BUSINESS_UNIT => self.poll_business_unit(&conn).await,
            CODES => self.poll_unavailable_codes(&conn).await,
            SUMMARY => self.poll_summary(&conn, now).await,
            SLA => self.poll_sla(&conn, now).await,
            ASSIGNMENTS => self.poll_assignments(&conn).await,
            INTERVALS => self.poll_intervals(&conn, now).await,
            _ => Ok(()),
        }
    }

    fn contents(&self) -> (Vec<Queue>, Option<Vec<Agent>>) {
        let agents = self.agents.loaded.then_some(&self.agents);
        (
            skills::build_queues(&self.skills, &self.today, agents, &self.filter),
            agents.map(AgentStore::agents),
        )
    }

    fn budget(&self) -> Option<&RequestBudget> {
        self.conn.as_ref().and_then(|c| c.client.budget())
    }

    fn notes(&self) -> Vec<String> {
        match (&self.opts.timezone, &self.bu_timezone_note) {
            (None, Some(n)) => vec![n.clone()],
            _ => vec![],
        }
    }

    /// 2 live calls per round + 2 today calls per minute.
    fn requests_per_round(&self, refresh: Duration) -> f64 {
        // Live calls every round; today's summaries and the current interval (two calls
        // each) on the today cadence; the backfill of completed intervals is a few rounds
        // once a day.
        2.0 + 4.0 * refresh.as_secs_f64() / TODAY_EVERY.as_secs_f64()
    }

    fn scrub(&self, text: &str) -> String {
        self.redactor.scrub(text)
    }

    async fn prepare_history(&mut self) -> Result<(), SourceError> {
        self.connect().await.map(|_| ())
    }

    fn history_job(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BoxFuture<'static, Result<AgentHistory, SourceError>> {
        let conn = self.conn.clone();
        let name = self.agents.name_of(agent_id);
        let acw = self.agents.acw_codes.clone();
        let agent_id = agent_id.to_string();
        let redactor = self.redactor.clone();
        Box::pin(async move {
            let r = history_job(conn, name, acw, agent_id, from, to).await;
            r.map_err(|e| redactor.scrub_error(e))
        })
    }
}

/// One agent's state history, every page read: a job that owns what it needs.
async fn history_job(
    conn: Option<Api>,
    name: Option<String>,
    acw_codes: std::collections::HashSet<i64>,
    agent_id: String,
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
    let conn = conn.ok_or_else(|| SourceError::Transient("not connected to CXone yet".into()))?;
    let path = format!("/agents/{agent_id}/state-history");
    let query = vec![
        ("startDate", fmt_time(from)),
        ("endDate", fmt_time(to)),
        ("top", PAGE.to_string()),
        ("skip", "0".to_string()),
    ];
    let pages: Vec<StateHistoryResponse> =
        conn.get_pages(&path, query).await.map_err(|e| match e {
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
        agent_name: name.unwrap_or_else(|| agent_id.clone()),
        agent_id,
        from,
        to,
        spans: history::spans(rows, to, &acw_codes),
        fetched_at: Utc::now(),
    })
}
