//! NICE CXone source: live skills and agents by delta polling, today's skill figures, and
//! agent state history, from the documented ACD APIs (see REFERENCE.md; vendor JSON in
//! [`wire`], the HTTP connection and paging in [`api`], the calls of each part and how each
//! answer is read in `fetch`).
//!
//! Parts, in round order: `GET /skills/activity` and `GET /agents/states` (both with
//! `updatedSince`) every round; `GET /skills/summary` and `GET /skills/sla-summary` about once
//! a minute. The engine (`source::feed`) schedules them and keeps their health.

pub mod agents;
pub mod api;
pub mod auth;
mod fetch;
pub mod history;
pub mod intervals;
pub mod skills;
pub mod split;
pub mod wire;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use self::agents::AgentStore;
pub use self::api::fmt_time;
use self::api::{Api, get_json, valid_version};
use self::auth::{CxoneAuth, Fetcher};
use self::skills::{QueueFilter, SkillStore, TodayStore};
use self::wire::OpenIdConfiguration;
use crate::config::{CxoneConfig, check_url};
use crate::domain::{Agent, AgentHistory, Queue, SourceKind, SplitReport};
use crate::source::feed::{EngineSettings, Feed, PartSpec, Vendor};
use crate::source::http::{BoxFuture, HttpClient, HttpSettings, Redactor, RequestBudget};
use crate::source::{SourceError, SourceOptions};

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
    /// The API connection: the token endpoint and the API base discovered once.
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

    /// The zone of "today": the configuration's, else the business unit's
    /// `defaultTimeZone`, else the machine's (errata 7).
    fn timezone(&self) -> Option<chrono_tz::Tz> {
        self.opts.timezone.or(self.bu_timezone)
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
            let r = fetch::history_job(conn, name, acw, agent_id, from, to).await;
            r.map_err(|e| redactor.scrub_error(e))
        })
    }

    fn split_job(
        &mut self,
        agent_id: &str,
        to: DateTime<Utc>,
    ) -> Option<BoxFuture<'static, Result<SplitReport, SourceError>>> {
        let conn = self.conn.clone();
        let from = crate::domain::time::start_of_day(to, self.timezone());
        let agent_id = agent_id.to_string();
        let redactor = self.redactor.clone();
        Some(Box::pin(async move {
            let r = fetch::split_job(conn, agent_id, from, to).await;
            r.map_err(|e| redactor.scrub_error(e))
        }))
    }
}
