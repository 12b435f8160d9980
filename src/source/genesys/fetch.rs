//! The calls a Genesys Cloud source makes, and how each answer is read (paging, fallbacks).
//! Scheduling, backoff and health are the engine's (`source::feed`).

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::agents::{self, AgentBook, PresenceNames};
use super::history;
use super::queues::{self, MAX_QUEUES_PER_QUERY, MediaSet, ObservationLevel, QueueInfo};
use super::wire::{
    AggregateQueryResponse, Listing, PresenceDefinition, QueueEntity, QueueMember,
    QueueObservationResponse, RoutingActivityResponse, UserDetailsResponse, UserEntity,
};
use super::{AgentMode, Genesys};
use crate::domain::{Agent, AgentHistory, QueueLive, QueueToday, SplitReport};
use crate::source::SourceError;
use crate::source::http::HttpClient;

pub(super) const QUEUES_PATH: &str = "/api/v2/routing/queues";
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

/// Pages read from one paged listing at most.
const MAX_PAGES: u32 = crate::source::http::MAX_PAGES as u32;

impl Genesys {
    pub(super) async fn fetch_queues(&self) -> Result<Vec<QueueInfo>, SourceError> {
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
            if l.entities.is_empty() && l.page_size.is_none() && l.total.is_none() {
                return Err(SourceError::Malformed(format!(
                    "GET {QUEUES_PATH} answered JSON of an unexpected shape (no entities, pageSize or total)"
                )));
            }
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

    // -----------------------------------------------------------------------------------
    // Live figures

    pub(super) async fn fetch_live(
        &mut self,
        ids: &[String],
    ) -> Result<HashMap<String, QueueLive>, SourceError> {
        if self.observation_level != ObservationLevel::Full
            && self
                .observation_since
                .is_some_and(|t| t.elapsed() >= self.tuning.fallback_retry)
        {
            tracing::info!(source = %self.name, "asking for the full observation query again");
            self.observation_level = ObservationLevel::Full;
            self.observation_since = None;
            self.observation_refusal = None;
        }
        loop {
            match self.read_live(ids).await {
                // A 400 may be the detail list or a metric this tenant does not know: ask
                // for less rather than show nothing (and the full form again later).
                Err(SourceError::Fatal(m)) if self.observation_level < ObservationLevel::Basic => {
                    tracing::warn!(source = %self.name, error = %m, "observation query refused; asking for less");
                    self.observation_level = match self.observation_level {
                        ObservationLevel::Full => ObservationLevel::NoDetails,
                        _ => ObservationLevel::Basic,
                    };
                    self.observation_refusal = Some(m);
                    self.observation_since = Some(Instant::now());
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
            // Every queue asked for has a result group; none at all is not an answer.
            if resp.results.is_empty() && !chunk.is_empty() {
                return Err(SourceError::Malformed(format!(
                    "POST {OBSERVATIONS_PATH} answered without any result for {} queues asked",
                    chunk.len()
                )));
            }
            let counts = resp
                .results
                .iter()
                .flat_map(|r| &r.data)
                .map(|d| (d.metric.as_str(), d.stats.as_ref()));
            negative_count("POST", OBSERVATIONS_PATH, counts)?;
            let observed_at = Utc::now();
            let mut by_media = queues::waiting_by_media(&resp);
            for id in chunk {
                self.pushing
                    .rest_waiting
                    .insert(id.clone(), by_media.remove(id).unwrap_or_default());
            }
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

    pub(super) async fn fetch_today(
        &mut self,
        ids: &[String],
    ) -> Result<HashMap<String, QueueToday>, SourceError> {
        let now = Utc::now();
        let from = crate::domain::time::start_of_day(now, self.opts.timezone);
        // The interval must not be empty (right at midnight).
        let to = now.max(from + chrono::Duration::seconds(1));
        let (out, intervals) = self.aggregates(ids, from, to, true).await?;
        self.intervals_today = intervals;
        Ok(out)
    }

    /// The last 7 days in 30-minute intervals, for the time-of-day profile (once in a while).
    pub(super) async fn fetch_interval_history(
        &mut self,
        ids: &[String],
    ) -> Result<(), SourceError> {
        let today = crate::domain::time::start_of_day(Utc::now(), self.opts.timezone);
        let from = today - chrono::Duration::days(7);
        let (_, intervals) = self.aggregates(ids, from, today, false).await?;
        self.intervals_past = intervals;
        Ok(())
    }

    /// One aggregates query per batch of queues: each queue's totals and its intervals.
    async fn aggregates(
        &mut self,
        ids: &[String],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        note_media: bool,
    ) -> Result<
        (
            HashMap<String, QueueToday>,
            HashMap<String, Vec<crate::domain::IntervalCounts>>,
        ),
        SourceError,
    > {
        let mut out = HashMap::new();
        let mut intervals = HashMap::new();
        for chunk in ids.chunks(MAX_QUEUES_PER_QUERY) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let body = queues::aggregation_query(&refs, from, to);
            let resp: AggregateQueryResponse = self
                .api
                .post_json(AGGREGATES_PATH, &[], &body)
                .await
                .map_err(needs("analytics:conversationAggregate:view"))?;
            negative_count(
                "POST",
                AGGREGATES_PATH,
                resp.results
                    .iter()
                    .flat_map(|r| &r.data)
                    .flat_map(|d| &d.metrics)
                    .map(|m| (m.metric.as_str(), m.stats.as_ref())),
            )?;
            intervals.extend(queues::intervals_from_aggregates(&resp));
            for (id, (today, media)) in queues::today_from_aggregates(&resp, &refs, Utc::now()) {
                if note_media {
                    self.note_media(&id, media);
                }
                out.insert(id, today);
            }
        }
        Ok((out, intervals))
    }

    // -----------------------------------------------------------------------------------
    // Agents

    pub(super) async fn fetch_agents(&mut self, ids: &[String]) -> Result<Vec<Agent>, SourceError> {
        self.recover_agent_mode();
        let mut book = AgentBook::default();
        let mut incomplete = Vec::new();
        let start = self.api.requests_sent();
        loop {
            match self.agent_mode.clone() {
                AgentMode::Activity { name_form } => {
                    incomplete.clear();
                    match self
                        .read_activity(&mut book, ids, name_form, &mut incomplete)
                        .await
                    {
                        Ok(()) => break,
                        Err(e @ (SourceError::Permission(_) | SourceError::Fatal(_))) => {
                            book = AgentBook::default();
                            self.agent_mode = match (name_form, &e) {
                                // A 400 may be the metric spelling (UNCONFIRMED): try the other.
                                (false, SourceError::Fatal(_)) => {
                                    tracing::warn!(source = %self.name, error = %e, "routing activity query refused; trying the other metric form");
                                    AgentMode::Activity { name_form: true }
                                }
                                _ => {
                                    tracing::warn!(source = %self.name, error = %e, "routing activity query refused; reading queue members instead");
                                    AgentMode::Members { why: e.to_string() }
                                }
                            };
                            self.agent_mode_since = Some(Instant::now());
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
        incomplete.sort();
        incomplete.dedup();
        self.incomplete = incomplete;
        self.resolve_names(&book).await;
        self.agent_requests = (self.api.requests_sent() - start).min(u64::from(u32::MAX)) as u32;
        let presences = self.presences.clone().unwrap_or_default();
        Ok(book.finish(&self.names, &presences))
    }

    /// A fallback is not for ever (errata 7): after a while the preferred form is tried
    /// again, and each switch is logged.
    fn recover_agent_mode(&mut self) {
        let preferred = AgentMode::Activity { name_form: false };
        if self.agent_mode != preferred
            && self
                .agent_mode_since
                .is_some_and(|t| t.elapsed() >= self.tuning.fallback_retry)
        {
            tracing::info!(source = %self.name, "trying the routing activity query again");
            self.agent_mode = preferred;
            self.agent_mode_since = None;
        }
    }

    async fn read_activity(
        &self,
        book: &mut AgentBook,
        ids: &[String],
        name_form: bool,
        incomplete: &mut Vec<String>,
    ) -> Result<(), SourceError> {
        let size = self.tuning.page_size;
        for chunk in ids.chunks(MAX_QUEUES_PER_QUERY) {
            let refs: Vec<&str> = chunk.iter().map(String::as_str).collect();
            let body = agents::activity_query(&refs, name_form);
            // Queues the last page with news still called truncated: if paging brings
            // nobody new, their lists stay incomplete.
            let mut truncated = Vec::new();
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
                if new > 0 {
                    truncated = agents::truncated_queues(&resp);
                }
                // Paging is by entities (UNCONFIRMED whether per group or per page): read
                // on while a page came back full or said it was truncated, and still
                // brought someone new.
                let more =
                    agents::activity_page_full(&resp, size as usize) || !truncated.is_empty();
                if !more || new == 0 {
                    break;
                }
            }
            incomplete.extend(truncated);
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
}

pub(super) async fn fetch_presences(api: &HttpClient) -> Result<PresenceNames, SourceError> {
    let defs: Result<Listing<PresenceDefinition>, SourceError> = api
        .get_json(PRESENCE_PATH, &[])
        .await
        .map_err(needs(PRESENCE_PERMISSION));
    match defs {
        Ok(mut l) => {
            // Deactivated definitions too, so old spans keep their names (errata 6); a
            // refusal of this second call costs nothing but those names.
            let q = [("deactivated", "true".to_string())];
            if let Ok(d) = api
                .get_json::<Listing<PresenceDefinition>>(PRESENCE_PATH, &q)
                .await
            {
                l.entities.extend(d.entities);
            }
            Ok(PresenceNames::from_definitions(&l.entities))
        }
        // Older organisations may only have the deprecated, paged endpoint.
        Err(SourceError::Fatal(_)) => {
            let mut all = vec![];
            for page in 1..=MAX_PAGES {
                let q = [
                    ("pageSize", "100".to_string()),
                    ("pageNumber", page.to_string()),
                ];
                let l: Listing<PresenceDefinition> = api
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

/// The user's name (`GET /api/v2/users?id=…`), or the id when it cannot be had.
async fn user_name(api: &HttpClient, agent_id: &str) -> String {
    let users: Result<Listing<UserEntity>, SourceError> = api
        .get_json(USERS_PATH, &agents::users_query(&[agent_id]))
        .await;
    if let Ok(l) = users
        && let Some(n) = l
            .entities
            .into_iter()
            .find(|u| u.id == agent_id)
            .and_then(|u| u.name)
    {
        return n;
    }
    agent_id.to_string()
}

/// What a history job owns: a client and what the source knew when it was made.
pub(super) struct HistoryJob {
    pub api: HttpClient,
    pub presences: Option<PresenceNames>,
    pub known_name: Option<String>,
    /// The agent's live state, to fill the open tail.
    pub current: Option<Agent>,
    pub page_size: u32,
}

/// One agent's history over `[from, to]`, every page read: a job that owns what it needs.
pub(super) async fn history_job(
    job: HistoryJob,
    agent_id: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<AgentHistory, SourceError> {
    let HistoryJob {
        api,
        presences,
        known_name,
        current,
        page_size,
    } = job;
    let presences = match presences {
        Some(p) => p,
        None => fetch_presences(&api).await.unwrap_or_default(),
    };
    let mut col = history::Collected::default();
    if from < to {
        for page in 1..=MAX_PAGES {
            let body = history::details_query(&agent_id, from, to, page, page_size);
            let resp: UserDetailsResponse = api
                .post_json(DETAILS_PATH, &[], &body)
                .await
                .map_err(needs("analytics:userDetail:view"))?;
            // Pages can be short (de-duplicated records) and totalHits is approximate:
            // read until a page brings nothing new.
            if col.add_page(&agent_id, &resp.user_details, from, to) == 0 {
                break;
            }
        }
    }
    let agent_name = match known_name {
        Some(n) => n,
        None => user_name(&api, &agent_id).await,
    };
    let mut spans = col.spans(&presences);
    if let Some(cur) = &current {
        fill_open_tail(&mut spans, cur, from, to);
    }
    Ok(AgentHistory {
        agent_id,
        agent_name,
        from,
        to,
        spans,
        fetched_at: Utc::now(),
    })
}

/// One agent's handle-time split over `[from, to]` (today so far): a job that owns its
/// client.
pub(super) async fn split_job(
    api: HttpClient,
    agent_id: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<SplitReport, SourceError> {
    // The interval must not be empty (right at midnight).
    let to = to.max(from + chrono::Duration::seconds(1));
    let body = super::split::split_query(&agent_id, from, to);
    let resp: AggregateQueryResponse = api
        .post_json(AGGREGATES_PATH, &[], &body)
        .await
        .map_err(needs("analytics:conversationAggregate:view"))
        .map_err(|e| api.redactor().scrub_error(e))?;
    Ok(super::split::split_from_aggregates(
        &resp, &agent_id, from, to,
    ))
}

/// User details are stored per day: a status that began before the queried days and is
/// still open may be missing (errata 5). The live state says what the agent is doing since
/// when: it fills the tail after the last record; what neither covers stays unknown.
fn fill_open_tail(
    spans: &mut Vec<crate::domain::StateSpan>,
    cur: &Agent,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) {
    let Some(since) = cur.since else { return };
    let last_end = spans.iter().map(|s| s.end).max().unwrap_or(from);
    let start = since.max(from).max(last_end);
    if start < to {
        spans.push(crate::domain::StateSpan {
            start,
            end: to,
            state: cur.state,
            reason: cur.reason.clone(),
        });
    }
}

/// A count below zero is nonsense, not "none": the mappers would read it as 0 and the board
/// would show a plausible figure. The whole answer is refused instead (the part is in ERROR
/// and keeps its last good value), naming the first such count.
fn negative_count<'a>(
    method: &str,
    path: &str,
    mut counts: impl Iterator<Item = (&'a str, Option<&'a super::wire::Stats>)>,
) -> Result<(), SourceError> {
    match counts.find_map(|(m, s)| s.and_then(|s| s.count).filter(|c| *c < 0.0).map(|c| (m, c))) {
        Some((metric, c)) => Err(SourceError::Malformed(format!(
            "{method} {path} answered a negative count ({c}) for {}",
            crate::source::http::truncate(metric, 40)
        ))),
        None => Ok(()),
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
