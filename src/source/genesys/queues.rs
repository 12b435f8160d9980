//! Queues: the queue list, live observations and today's aggregates → domain figures.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::wire::{
    AggregateQueryResponse, ConversationAggregationQuery, Filter, QueueEntity,
    QueueObservationQuery, QueueObservationResponse, RoutingStatus, ServiceLevel, Stats,
};
use crate::domain::{AgentCounts, Media, QueueLive, QueueToday, SlObjective};

/// Queue ids per analytics query (REFERENCE §2: limit UNCONFIRMED, plan for ≤ 100).
pub const MAX_QUEUES_PER_QUERY: usize = 100;

/// One watched queue as configured on the platform.
#[derive(Clone, Debug, PartialEq)]
pub struct QueueInfo {
    pub id: String,
    pub name: String,
    /// Service-level target per media, from `mediaSettings.<media>.serviceLevel`.
    pub objectives: Vec<(Media, SlObjective)>,
}

pub use crate::source::select::QueueSelector;

/// `mediaSettings` key → media.
pub fn media_of_setting(key: &str) -> Media {
    match key.to_ascii_lowercase().as_str() {
        "call" | "voice" => Media::Voice,
        "callback" => Media::Callback,
        "chat" => Media::Chat,
        "email" => Media::Email,
        "message" => Media::Message,
        _ => Media::Other,
    }
}

/// Analytics `mediaType` dimension → media.
pub fn media_of_type(t: &str) -> Media {
    match t.to_ascii_lowercase().as_str() {
        "voice" | "call" => Media::Voice,
        "callback" => Media::Callback,
        "chat" => Media::Chat,
        "email" => Media::Email,
        "message" => Media::Message,
        _ => Media::Other,
    }
}

/// The queue's own target. `percentage` is a 0–1 fraction and `durationMs` milliseconds
/// (REFERENCE §3, `ServiceLevel`). A value above 1 is read as a percentage, defensively.
pub fn objective(sl: &ServiceLevel) -> Option<SlObjective> {
    let p = sl.percentage.filter(|p| p.is_finite() && *p > 0.0)?;
    let target = if p > 1.0 && p <= 100.0 { p / 100.0 } else { p };
    if target > 1.0 {
        return None;
    }
    let ms = sl.duration_ms.filter(|d| d.is_finite() && *d >= 0.0)?;
    Some(SlObjective {
        target,
        threshold_s: ms / 1000.0,
    })
}

pub fn queue_info(e: &QueueEntity) -> Option<QueueInfo> {
    if e.id.trim().is_empty() {
        return None;
    }
    let mut keys: Vec<&String> = e.media_settings.keys().collect();
    keys.sort();
    let objectives = keys
        .into_iter()
        .filter_map(|k| {
            let m = media_of_setting(k);
            (m != Media::Other)
                .then(|| e.service_level(k).as_ref().and_then(objective))
                .flatten()
                .map(|o| (m, o))
        })
        .collect();
    Some(QueueInfo {
        id: e.id.clone(),
        name: e.name.clone().unwrap_or_else(|| e.id.clone()),
        objectives,
    })
}

/// Order in which media are listed and a mixed queue's objective is chosen.
const MEDIA_ORDER: [Media; 6] = [
    Media::Voice,
    Media::Callback,
    Media::Chat,
    Media::Message,
    Media::Email,
    Media::Other,
];

/// A small set of media (the media a queue was seen carrying).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MediaSet(u8);

impl MediaSet {
    fn bit(m: Media) -> u8 {
        MEDIA_ORDER
            .iter()
            .position(|x| *x == m)
            .map_or(0, |i| 1 << i)
    }
    pub fn insert(&mut self, m: Media) {
        self.0 |= Self::bit(m);
    }
    pub fn union(self, other: MediaSet) -> MediaSet {
        MediaSet(self.0 | other.0)
    }
    pub fn contains(self, m: Media) -> bool {
        self.0 & Self::bit(m) != 0
    }
    pub fn len(self) -> u32 {
        self.0.count_ones()
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Media> {
        MEDIA_ORDER.into_iter().filter(move |m| self.contains(*m))
    }
}

/// The row's media: the one media seen, `Mixed` for several, `Other` while none was seen
/// (Genesys queues list settings for every media, so the settings do not tell).
pub fn row_media(seen: MediaSet) -> Media {
    match seen.len() {
        0 => Media::Other,
        1 => seen.iter().next().unwrap_or(Media::Other),
        _ => Media::Mixed,
    }
}

/// The objective for a row: the single media's own; for several (or none seen yet), the
/// first of voice, callback, chat, message, email that the queue carries.
pub fn row_objective(q: &QueueInfo, seen: MediaSet) -> Option<SlObjective> {
    let find = |m: Media| {
        q.objectives
            .iter()
            .find(|(qm, _)| *qm == m)
            .map(|(_, o)| *o)
    };
    MEDIA_ORDER
        .into_iter()
        .filter(|m| seen.is_empty() || seen.contains(*m))
        .find_map(find)
}

// ---------------------------------------------------------------------------------------
// Live: queue observations

/// Metrics asked of the observation query. `oWaiting` details give each waiting
/// interaction's `observationDate` (ages, oldest first).
pub const OBSERVATION_METRICS: [&str; 8] = [
    "oWaiting",
    "oInteracting",
    "oAlerting",
    "oLongestWaiting",
    "oOnQueueUsers",
    "oOffQueueUsers",
    "oActiveUsers",
    "oMemberUsers",
];

/// How much the observation query asks for. The full query is what the SDK model allows
/// (REFERENCE §2); the lighter ones are fallbacks in case a tenant refuses the detail list
/// or `oLongestWaiting` (absent from older specs) with a 400.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum ObservationLevel {
    Full,
    NoDetails,
    Basic,
}

pub fn observation_query(queue_ids: &[&str], level: ObservationLevel) -> QueueObservationQuery {
    QueueObservationQuery {
        filter: Filter::any_of("queueId", queue_ids.iter().copied()),
        metrics: OBSERVATION_METRICS
            .iter()
            .filter(|m| level != ObservationLevel::Basic || **m != "oLongestWaiting")
            .map(|m| m.to_string())
            .collect(),
        detail_metrics: match level {
            ObservationLevel::Full => vec!["oWaiting".into()],
            _ => vec![],
        },
    }
}

/// Conversation figures of one queue × media group.
#[derive(Debug, Default)]
struct ConvAcc {
    waiting: Option<u64>,
    active: u64,
    ages: Vec<f64>,
    /// Every waiting interaction has an age in `ages`.
    ages_complete: bool,
    longest_from_metric: Option<f64>,
}

/// User figures of one queue (group without `mediaType`).
#[derive(Debug, Default)]
struct UserAcc {
    idle: u32,
    busy: u32,
    not_responding: u32,
    off_queue: u32,
    active: Option<u32>,
    members: Option<u32>,
}

#[derive(Debug, Default)]
struct QueueAcc {
    by_media: Vec<(Media, ConvAcc)>,
    /// Conversation metrics in a group without `mediaType` (used only if no media group).
    total: Option<ConvAcc>,
    users: Option<UserAcc>,
}

fn count_of(stats: Option<&Stats>) -> u64 {
    stats
        .and_then(|s| s.count)
        .filter(|c| c.is_finite() && *c > 0.0)
        .map_or(0, |c| c.min(u32::MAX as f64) as u64)
}

fn as_u32(x: u64) -> u32 {
    x.min(u64::from(u32::MAX)) as u32
}

/// Seconds from `then` to `now`, never negative (clocks differ a little).
fn age_s(now: DateTime<Utc>, then: DateTime<Utc>) -> f64 {
    ((now - then).num_milliseconds().max(0)) as f64 / 1000.0
}

/// `oLongestWaiting.calculatedMetricValue`: a 3rd-party note says it is the epoch-ms time of
/// the oldest interaction, not a duration (UNCONFIRMED): above 1e12 it is read as a
/// timestamp, otherwise as a duration in ms.
fn longest_from_metric(v: f64, now: DateTime<Utc>) -> Option<f64> {
    if !v.is_finite() || v <= 0.0 {
        return None;
    }
    if v > 1e12 {
        let then = DateTime::<Utc>::from_timestamp_millis(v as i64)?;
        return Some(age_s(now, then));
    }
    Some(v / 1000.0)
}

fn add_conv(
    acc: &mut ConvAcc,
    metric: &str,
    d: &super::wire::ObservationMetricData,
    now: DateTime<Utc>,
) {
    match metric {
        "oWaiting" => {
            let n = count_of(d.stats.as_ref());
            acc.waiting = Some(acc.waiting.unwrap_or(0) + n);
            let ages: Vec<f64> = d
                .observations
                .iter()
                .filter_map(|o| o.observation_date.map(|t| age_s(now, t)))
                .collect();
            // Truncated lists hold the oldest half and the newest half: the oldest age is
            // right, the full list is not.
            let complete = d.truncated != Some(true) && ages.len() as u64 >= n;
            acc.ages_complete = complete;
            acc.ages.extend(ages);
        }
        "oInteracting" | "oAlerting" => acc.active += count_of(d.stats.as_ref()),
        "oLongestWaiting" => {
            if let Some(v) = d.stats.as_ref().and_then(|s| s.calculated_metric_value) {
                acc.longest_from_metric = longest_from_metric(v, now);
            }
        }
        _ => {}
    }
}

fn add_user(acc: &mut UserAcc, metric: &str, d: &super::wire::ObservationMetricData) {
    let n = as_u32(count_of(d.stats.as_ref()));
    match metric {
        "oOnQueueUsers" => match d.qualifier.as_deref().map(RoutingStatus::parse) {
            Some(RoutingStatus::Idle) => acc.idle += n,
            Some(RoutingStatus::Interacting | RoutingStatus::Communicating) => acc.busy += n,
            Some(RoutingStatus::NotResponding) => acc.not_responding += n,
            _ => {}
        },
        "oOffQueueUsers" => acc.off_queue += n,
        "oActiveUsers" => acc.active = Some(acc.active.unwrap_or(0) + n),
        "oMemberUsers" => acc.members = Some(acc.members.unwrap_or(0) + n),
        _ => {}
    }
}

const USER_METRICS: [&str; 4] = [
    "oOnQueueUsers",
    "oOffQueueUsers",
    "oActiveUsers",
    "oMemberUsers",
];

/// Each queue's waiting count per media type (`""` where the group has none): the base a
/// pushed count of one media type replaces its part of.
pub fn waiting_by_media(resp: &QueueObservationResponse) -> HashMap<String, HashMap<String, u32>> {
    let mut out: HashMap<String, HashMap<String, u32>> = HashMap::new();
    for r in &resp.results {
        let Some(qid) = r.group.get("queueId").filter(|q| !q.is_empty()) else {
            continue;
        };
        let media = r.group.get("mediaType").cloned().unwrap_or_default();
        for d in r.data.iter().filter(|d| d.metric == "oWaiting") {
            let n = as_u32(count_of(d.stats.as_ref()));
            let e = out
                .entry(qid.clone())
                .or_default()
                .entry(media.clone())
                .or_default();
            *e = e.saturating_add(n);
        }
    }
    out
}

/// Live figures per queue id, plus the media each queue is active on right now.
pub fn live_from_observations(
    resp: &QueueObservationResponse,
    observed_at: DateTime<Utc>,
) -> HashMap<String, (QueueLive, MediaSet)> {
    let mut accs: HashMap<&str, QueueAcc> = HashMap::new();
    for r in &resp.results {
        let Some(qid) = r.group.get("queueId").filter(|q| !q.is_empty()) else {
            continue;
        };
        let acc = accs.entry(qid.as_str()).or_default();
        let media = r.group.get("mediaType").map(|m| media_of_type(m));
        for d in &r.data {
            let metric = d.metric.as_str();
            if USER_METRICS.contains(&metric) {
                // User metrics come grouped by queue only (REFERENCE §2); a media-grouped
                // copy would count the same people twice.
                if media.is_none() {
                    add_user(acc.users.get_or_insert_with(UserAcc::default), metric, d);
                }
                continue;
            }
            let conv = match media {
                Some(m) => match acc.by_media.iter().position(|(x, _)| *x == m) {
                    Some(i) => &mut acc.by_media[i].1,
                    None => {
                        acc.by_media.push((m, ConvAcc::default()));
                        let last = acc.by_media.len() - 1;
                        &mut acc.by_media[last].1
                    }
                },
                None => acc.total.get_or_insert_with(ConvAcc::default),
            };
            add_conv(conv, metric, d, observed_at);
        }
    }
    accs.into_iter()
        .map(|(id, acc)| (id.to_string(), finish_live(acc, observed_at)))
        .collect()
}

fn finish_live(acc: QueueAcc, observed_at: DateTime<Utc>) -> (QueueLive, MediaSet) {
    let mut media = MediaSet::default();
    let groups: Vec<ConvAcc> = if acc.by_media.is_empty() {
        acc.total.into_iter().collect()
    } else {
        acc.by_media
            .into_iter()
            .map(|(m, c)| {
                if c.waiting.unwrap_or(0) + c.active > 0 {
                    media.insert(m);
                }
                c
            })
            .collect()
    };
    let known: Vec<&ConvAcc> = groups.iter().filter(|c| c.waiting.is_some()).collect();
    let waiting =
        (!known.is_empty()).then(|| known.iter().map(|c| c.waiting.unwrap_or(0)).sum::<u64>());
    let mut ages: Vec<f64> = known.iter().flat_map(|c| c.ages.iter().copied()).collect();
    ages.sort_by(|a, b| b.total_cmp(a));
    let complete = known
        .iter()
        .all(|c| c.ages_complete || c.waiting == Some(0));
    // The oldest measured age when details exist; the undocumented calculated value of
    // oLongestWaiting only stands in when there are none (errata 4).
    let longest = match waiting {
        Some(0) => Some(0.0),
        Some(_) => ages.first().copied().or_else(|| {
            groups
                .iter()
                .filter_map(|c| c.longest_from_metric)
                .reduce(f64::max)
        }),
        None => None,
    };
    let waiting_ages_s = match waiting {
        Some(0) => Some(vec![]),
        Some(_) if complete => Some(ages),
        _ => None,
    };
    let live = QueueLive {
        observed_at: Some(observed_at),
        waiting: waiting.map(as_u32),
        longest_wait_s: longest,
        waiting_ages_s,
        agents: acc.users.map(agent_counts).unwrap_or_default(),
    };
    (live, media)
}

/// Observation user metrics → counts. Zero-count qualifiers are omitted by the platform
/// (REFERENCE §2), so inside a returned group a missing state is a genuine 0.
fn agent_counts(u: UserAcc) -> AgentCounts {
    AgentCounts {
        available: Some(u.idle),
        busy: Some(u.busy),
        // Genesys has no after-call-work routing state.
        after_call_work: None,
        not_responding: Some(u.not_responding),
        unavailable: Some(u.off_queue),
        offline: u.members.map(|m| m.saturating_sub(u.active.unwrap_or(0))),
    }
}

// ---------------------------------------------------------------------------------------
// Today: conversation aggregates

pub const AGGREGATE_METRICS: [&str; 5] = [
    "nOffered",
    "tAnswered",
    "tAbandon",
    "tHandle",
    "oServiceLevel",
];

/// Today's query: `[from, to)`, one bucket (no granularity = the whole interval), by queue
/// and media so mixed queues can be told apart.
/// The length of the intervals asked of the aggregates query (`granularity`).
pub const INTERVAL_MINUTES: u32 = 30;

/// The aggregates query over `[from, to)`, by queue and media, in 30-minute intervals: one
/// answer gives every interval of the day and (summed) the day's totals.
pub fn aggregation_query(
    queue_ids: &[&str],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ConversationAggregationQuery {
    ConversationAggregationQuery {
        interval: super::wire::interval(from, to),
        granularity: Some(format!("PT{INTERVAL_MINUTES}M")),
        time_zone: None,
        group_by: vec!["queueId".into(), "mediaType".into()],
        filter: Some(Filter::any_of("queueId", queue_ids.iter().copied())),
        metrics: AGGREGATE_METRICS.iter().map(|m| m.to_string()).collect(),
        flatten_multivalued_dimensions: None,
    }
}

#[derive(Debug, Default)]
struct TodayAcc {
    offered: u64,
    answered: u64,
    answered_ms: Option<f64>,
    abandoned: u64,
    handled: u64,
    handle_ms: Option<f64>,
    sl_num: Option<f64>,
    sl_den: Option<f64>,
    /// The platform's ratio when only one group reported it (used if num/den are absent).
    sl_ratio: Option<f64>,
    sl_groups: u32,
}

fn add_sum(slot: &mut Option<f64>, v: Option<f64>) {
    if let Some(v) = v.filter(|v| v.is_finite()) {
        *slot = Some(slot.unwrap_or(0.0) + v);
    }
}

fn add_today(acc: &mut TodayAcc, metric: &str, s: &Stats) {
    let count = count_of(Some(s));
    match metric {
        "nOffered" => acc.offered += count,
        "tAnswered" => {
            acc.answered += count;
            add_sum(&mut acc.answered_ms, s.sum);
        }
        "tAbandon" => acc.abandoned += count,
        "tHandle" => {
            acc.handled += count;
            add_sum(&mut acc.handle_ms, s.sum);
        }
        "oServiceLevel" => {
            add_sum(&mut acc.sl_num, s.numerator);
            add_sum(&mut acc.sl_den, s.denominator);
            acc.sl_ratio = s.ratio.filter(|r| r.is_finite());
            acc.sl_groups += 1;
        }
        _ => {}
    }
}

/// Today's figures for every requested queue. The aggregates API leaves out metrics (and
/// whole queues) without events, so in a successful response an absent count is a genuine
/// 0; averages and the service level stay `None` when there is nothing to average.
pub fn today_from_aggregates(
    resp: &AggregateQueryResponse,
    requested: &[&str],
    fetched_at: DateTime<Utc>,
) -> HashMap<String, (QueueToday, MediaSet)> {
    let mut accs: HashMap<String, (TodayAcc, MediaSet)> = requested
        .iter()
        .map(|q| (q.to_string(), Default::default()))
        .collect();
    for r in &resp.results {
        let Some((acc, media)) = r.group.get("queueId").and_then(|q| accs.get_mut(q)) else {
            continue;
        };
        let offered_before = acc.offered;
        for d in &r.data {
            for m in &d.metrics {
                if let Some(s) = &m.stats {
                    add_today(acc, &m.metric, s);
                }
            }
        }
        if acc.offered > offered_before
            && let Some(t) = r.group.get("mediaType")
        {
            media.insert(media_of_type(t));
        }
    }
    accs.into_iter()
        .map(|(id, (acc, media))| (id, (finish_today(acc, fetched_at), media)))
        .collect()
}

fn ratio(num: f64, den: u64) -> Option<f64> {
    (den > 0).then(|| num / den as f64)
}

fn finish_today(a: TodayAcc, fetched_at: DateTime<Utc>) -> QueueToday {
    let service_level = match (a.sl_num, a.sl_den) {
        (Some(n), Some(d)) if d > 0.0 => Some(n / d),
        _ if a.sl_groups == 1 => a.sl_ratio,
        _ => None,
    };
    QueueToday {
        fetched_at: Some(fetched_at),
        offered: Some(a.offered),
        answered: Some(a.answered),
        abandoned: Some(a.abandoned),
        // Without oServiceLevel the numerator is known only when nothing was answered.
        answered_within_threshold: a
            .sl_num
            .map(|n| n.max(0.0).round() as u64)
            .or((a.answered == 0).then_some(0)),
        // Needs a per-threshold view (tAbandon rangeBound); not asked for.
        abandoned_within_threshold: None,
        asa_s: a.answered_ms.and_then(|ms| ratio(ms / 1000.0, a.answered)),
        aht_s: a.handle_ms.and_then(|ms| ratio(ms / 1000.0, a.handled)),
        service_level,
        sl_counted: a
            .sl_den
            .filter(|d| d.is_finite() && *d >= 0.0)
            .map(|d| d.round() as u64),
        abandon_rate: ratio(a.abandoned as f64, a.offered),
        handle_time_total_s: a
            .handle_ms
            .map(|ms| ms / 1000.0)
            .or((a.handled == 0).then_some(0.0)),
        handled: Some(a.handled),
    }
}

// ---------------------------------------------------------------------------------------
// Interval history: the same aggregates, kept per 30-minute interval

/// Every 30-minute interval of the answer, per queue (media summed), oldest first. Entries
/// whose interval is not exactly one granule (a server that ignored `granularity`) are left
/// out rather than guessed at. `answered_within_threshold` is `oServiceLevel`'s numerator;
/// Genesys gives no short-abandon count here, so that stays 0 (variants that need it are
/// unknown for Genesys, see `QueueToday::abandoned_within_threshold`).
pub fn intervals_from_aggregates(
    resp: &AggregateQueryResponse,
) -> HashMap<String, Vec<crate::domain::IntervalCounts>> {
    use std::collections::BTreeMap;
    let mut by_queue: HashMap<String, BTreeMap<DateTime<Utc>, crate::domain::IntervalCounts>> =
        HashMap::new();
    for r in &resp.results {
        let Some(q) = r.group.get("queueId").filter(|q| !q.is_empty()) else {
            continue;
        };
        for d in &r.data {
            let Some((start, end)) = d.interval.as_deref().and_then(parse_interval) else {
                continue;
            };
            if (end - start).num_minutes() != i64::from(INTERVAL_MINUTES) {
                continue;
            }
            let e = by_queue
                .entry(q.clone())
                .or_default()
                .entry(start)
                .or_insert_with(|| crate::domain::IntervalCounts {
                    start,
                    minutes: INTERVAL_MINUTES,
                    ..Default::default()
                });
            for m in &d.metrics {
                let Some(s) = &m.stats else { continue };
                let n = count_of(Some(s));
                match m.metric.as_str() {
                    "nOffered" => e.offered += n,
                    "tAnswered" => e.answered += n,
                    "tAbandon" => e.abandoned += n,
                    "oServiceLevel" => {
                        if let Some(num) = s.numerator.filter(|x| x.is_finite() && *x >= 0.0) {
                            e.answered_within_threshold += num.round() as u64;
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    by_queue
        .into_iter()
        .map(|(q, m)| (q, m.into_values().collect()))
        .collect()
}

/// `start/end` (ISO-8601) of an aggregate's interval.
fn parse_interval(s: &str) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let (a, b) = s.split_once('/')?;
    let a = DateTime::parse_from_rfc3339(a.trim())
        .ok()?
        .with_timezone(&Utc);
    let b = DateTime::parse_from_rfc3339(b.trim())
        .ok()?
        .with_timezone(&Utc);
    (b > a).then_some((a, b))
}

#[cfg(test)]
mod interval_tests {
    use super::*;

    #[test]
    fn thirty_minute_intervals_are_kept_per_queue_with_media_summed() {
        let body = serde_json::json!({"results": [
            {"group": {"queueId": "q1", "mediaType": "voice"}, "data": [
                {"interval": "2026-12-02T09:00:00.000Z/2026-12-02T09:30:00.000Z", "metrics": [
                    {"metric": "nOffered", "stats": {"count": 10}},
                    {"metric": "tAnswered", "stats": {"count": 9, "sum": 90000}},
                    {"metric": "tAbandon", "stats": {"count": 1}},
                    {"metric": "oServiceLevel", "stats": {"numerator": 8, "denominator": 9, "ratio": 0.88}}
                ]},
                {"interval": "2026-12-02T09:30:00.000Z/2026-12-02T10:00:00.000Z", "metrics": [
                    {"metric": "nOffered", "stats": {"count": 4}}
                ]}
            ]},
            {"group": {"queueId": "q1", "mediaType": "chat"}, "data": [
                {"interval": "2026-12-02T09:00:00.000Z/2026-12-02T09:30:00.000Z", "metrics": [
                    {"metric": "nOffered", "stats": {"count": 2}}
                ]},
                {"interval": "2026-12-02T00:00:00.000Z/2026-12-02T10:00:00.000Z", "metrics": [
                    {"metric": "nOffered", "stats": {"count": 99}}
                ]}
            ]}
        ]});
        let resp: AggregateQueryResponse = serde_json::from_value(body).unwrap_or_default();
        let iv = intervals_from_aggregates(&resp);
        let q1 = iv.get("q1").cloned().unwrap_or_default();
        assert_eq!(q1.len(), 2, "{q1:?}");
        assert_eq!(
            (
                q1[0].offered,
                q1[0].answered,
                q1[0].abandoned,
                q1[0].answered_within_threshold
            ),
            (12, 9, 1, 8)
        );
        assert_eq!(q1[1].offered, 4);
        assert_eq!(q1[0].minutes, 30);
    }
}
