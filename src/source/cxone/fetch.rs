//! The calls a CXone source makes, and how each answer is read (delta polling with
//! `updatedSince`, paging, today's and the interval summaries, agent state history).
//! Scheduling, backoff and health are the engine's (`source::feed`).

use chrono::{DateTime, Utc};

use super::api::{Api, PAGE, fmt_time, parse};
use super::wire::{
    self, AgentStatesResponse, SkillActivityResponse, SkillSummary, SkillSummaryResponse,
    SlaSummary, SlaSummaryResponse, StateHistoryResponse,
};
use super::{Cxone, history, intervals};
use crate::domain::time::start_of_day;
use crate::domain::{AgentHistory, SplitReport};
use crate::source::SourceError;
use crate::source::feed::Vendor;

/// `updatedSince` for the first poll: everything (as the official SDK does, REFERENCE §3.3).
const EPOCH: &str = "1970-01-01T00:00:00.000Z";

impl Cxone {
    pub(super) async fn poll_skills(&mut self, conn: &Api) -> Result<(), SourceError> {
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

    pub(super) async fn poll_agents(&mut self, conn: &Api) -> Result<(), SourceError> {
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

    fn today_query(&self, now: DateTime<Utc>) -> Vec<(&'static str, String)> {
        range_query(start_of_day(now, self.timezone()), now)
    }

    /// `GET /skills/summary` for a range (a 204 is no rows: zeros).
    async fn summary_rows(
        &self,
        conn: &Api,
        query: &[(&'static str, String)],
    ) -> Result<Vec<SkillSummary>, SourceError> {
        let url = format!("{}/skills/summary", conn.api_base);
        Ok(match conn.get(&url, query).await? {
            Some(body) => parse::<SkillSummaryResponse>("/skills/summary", &body)?.rows(),
            None => Vec::new(),
        })
    }

    /// `GET /skills/sla-summary` for a range, every page. A 404 is one of its listed
    /// answers ("no data"), not a wrong API version — once the live calls have shown that
    /// the version is right.
    async fn sla_rows(
        &self,
        conn: &Api,
        query: Vec<(&'static str, String)>,
    ) -> Result<Vec<SlaSummary>, SourceError> {
        let pages: Vec<SlaSummaryResponse> = match conn
            .get_pages("/skills/sla-summary", query)
            .await
        {
            Err(SourceError::Fatal(m)) if m.contains("HTTP 404") && self.skills.loaded => vec![],
            r => r?,
        };
        Ok(pages
            .into_iter()
            .flat_map(|p| p.service_level_summaries.unwrap_or_default())
            .collect())
    }

    /// `GET /business-unit` → `defaultTimeZone`. The answer's shape is UNCONFIRMED (one
    /// object or a `businessUnits` list): the first `defaultTimeZone` (or `timeZone`) found
    /// anywhere is used when it is an IANA name; anything else is a note, never a guess.
    pub(super) async fn poll_business_unit(&mut self, conn: &Api) -> Result<(), SourceError> {
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
    pub(super) async fn poll_unavailable_codes(&mut self, conn: &Api) -> Result<(), SourceError> {
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
    pub(super) async fn poll_assignments(&mut self, conn: &Api) -> Result<(), SourceError> {
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

    pub(super) async fn poll_summary(
        &mut self,
        conn: &Api,
        now: DateTime<Utc>,
    ) -> Result<(), SourceError> {
        let rows = self.summary_rows(conn, &self.today_query(now)).await?;
        self.today.summary_none = rows.is_empty();
        self.today.set_summaries(rows, now);
        Ok(())
    }

    /// One interval's summary and SLA answers, per skill of `ids`.
    async fn interval_counts(
        &self,
        conn: &Api,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        ids: &[String],
    ) -> Result<intervals::PerSkill, SourceError> {
        let query = range_query(start, end);
        let summaries = self.summary_rows(conn, &query).await?;
        let slas = self.sla_rows(conn, query).await?;
        Ok(intervals::per_skill(
            start,
            &summaries,
            &slas,
            ids.iter().cloned(),
        ))
    }

    /// The current interval so far, then a few completed ones of today not fetched yet.
    pub(super) async fn poll_intervals(
        &mut self,
        conn: &Api,
        now: DateTime<Utc>,
    ) -> Result<(), SourceError> {
        let tz = self.timezone();
        self.intervals.roll(now, tz);
        let ids: Vec<String> = self.contents().0.into_iter().map(|q| q.id).collect();
        let start = intervals::interval_start(now, tz);
        let current = self.interval_counts(conn, (start, now), &ids).await?;
        self.intervals.set_current(start, current, now);
        for s in self
            .intervals
            .missing(now, tz, intervals::BACKFILL_PER_ROUND)
        {
            let end = s + chrono::Duration::minutes(i64::from(intervals::MINUTES));
            let done = self.interval_counts(conn, (s, end.min(now)), &ids).await?;
            self.intervals.set_done(s, done);
        }
        Ok(())
    }

    pub(super) async fn poll_sla(
        &mut self,
        conn: &Api,
        now: DateTime<Utc>,
    ) -> Result<(), SourceError> {
        let rows = self.sla_rows(conn, self.today_query(now)).await?;
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

/// One agent's state history, every page read: a job that owns what it needs.
pub(super) async fn history_job(
    conn: Option<Api>,
    name: Option<String>,
    acw_codes: std::collections::HashSet<i64>,
    agent_id: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<AgentHistory, SourceError> {
    agent_id_ok(&agent_id)?;
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

/// A CXone agent id (digits, letters, `-`, `_`) or why not.
fn agent_id_ok(agent_id: &str) -> Result<(), SourceError> {
    if agent_id.is_empty()
        || !agent_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(SourceError::Fatal(format!(
            "{agent_id:?} is not a CXone agent id"
        )));
    }
    Ok(())
}

/// One agent's handle-time split over `[from, to]` (today so far): a job that owns what it
/// needs.
pub(super) async fn split_job(
    conn: Option<Api>,
    agent_id: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<SplitReport, SourceError> {
    agent_id_ok(&agent_id)?;
    let conn = conn.ok_or_else(|| SourceError::Transient("not connected to CXone yet".into()))?;
    // The range must not be empty (right at midnight).
    let to = to.max(from + chrono::Duration::seconds(1));
    let path = format!("/agents/{agent_id}/performance");
    let url = format!("{}{path}", conn.api_base);
    let body = conn
        .get(&url, &range_query(from, to))
        .await
        .map_err(|e| match e {
            SourceError::Fatal(m) if m.contains("HTTP 404") => SourceError::Fatal(format!(
                "agent {agent_id} not found in this CXone business unit"
            )),
            other => other,
        })?;
    let resp: Option<wire::AgentPerformanceResponse> = match body {
        Some(b) => Some(parse(&path, &b)?),
        None => None,
    };
    super::split::split_from_performance(resp, &agent_id, from, to)
}

/// `startDate` / `endDate` for a reporting range.
fn range_query(start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<(&'static str, String)> {
    vec![("startDate", fmt_time(start)), ("endDate", fmt_time(end))]
}
