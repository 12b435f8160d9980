//! Derived rows: what the board, the agent tables and the header show, as data. Computed
//! once per model change ([`Derived::compute`]); tables then order them by index.

use std::collections::HashMap;
use std::ops::Range;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::Model;
use super::sla::{SlaCell, evaluate};
use crate::domain::text::contains_ignore_case;
use crate::domain::{Agent, AgentState, Media, Queue, SourceStatus};

/// A row's identity: (source, queue or agent id).
pub type RowKey = (String, String);

/// One row of the board.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    pub source: String,
    pub id: String,
    pub name: String,
    pub media: Media,
    pub waiting: Option<u32>,
    pub longest_wait_s: Option<f64>,
    pub available: Option<u32>,
    pub busy: Option<u32>,
    pub acw: Option<u32>,
    pub away: Option<u32>,
    pub not_responding: Option<u32>,
    pub asa_s: Option<f64>,
    pub service_level: Option<f64>,
    pub target: f64,
    pub threshold_s: f64,
    pub abandon_rate: Option<f64>,
    pub sla: SlaCell,
    /// Waiting counts over the last 30 minutes, oldest first.
    pub trend: Vec<u32>,
    /// The source's data is not live (shown dimmed).
    pub stale: bool,
}

/// One row of an agent table.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRow {
    pub source: String,
    pub agent: Agent,
    pub time_in_state_s: Option<f64>,
    /// Queue names (not ids) the agent serves.
    pub queue_names: Vec<String>,
    /// The alert that fired, if any.
    pub alert: Option<Alert>,
    pub stale: bool,
}

/// A configured alert an agent trips: on a reason or a state, after a time.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub reason: Option<String>,
    pub state: Option<AgentState>,
    pub after: Duration,
}

/// Centre totals over every queue: sums of what is known; unknown stays unknown.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CentreTotals {
    pub waiting: Option<u32>,
    pub longest_wait_s: Option<f64>,
    pub offered: Option<u64>,
    pub abandoned: Option<u64>,
    /// Answered within threshold over answered + abandoned, from the same queues.
    pub service_level: Option<f64>,
    /// Agents available, busy, in ACW, away (incl. not responding), counted once each.
    pub available: Option<u32>,
    pub busy: Option<u32>,
    pub acw: Option<u32>,
    pub away: Option<u32>,
}

/// Ascending or descending, as the user flipped it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDir {
    #[default]
    Normal,
    Reversed,
}

impl SortDir {
    pub fn flip(self) -> SortDir {
        match self {
            SortDir::Normal => SortDir::Reversed,
            SortDir::Reversed => SortDir::Normal,
        }
    }
}

/// Board columns in sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueueSort {
    Name,
    Waiting,
    LongestWait,
    Available,
    ServiceLevel,
    AbandonRate,
    Risk,
}

impl QueueSort {
    pub const ALL: [QueueSort; 7] = [
        QueueSort::Risk,
        QueueSort::Waiting,
        QueueSort::LongestWait,
        QueueSort::ServiceLevel,
        QueueSort::AbandonRate,
        QueueSort::Available,
        QueueSort::Name,
    ];
    pub fn next(self) -> QueueSort {
        let i = QueueSort::ALL.iter().position(|s| *s == self).unwrap_or(0);
        QueueSort::ALL[(i + 1) % QueueSort::ALL.len()]
    }
}

/// Agent table columns in sort order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentSort {
    State,
    TimeInState,
    Name,
}

impl AgentSort {
    pub const ALL: [AgentSort; 3] = [AgentSort::State, AgentSort::TimeInState, AgentSort::Name];
    pub fn next(self) -> AgentSort {
        let i = AgentSort::ALL.iter().position(|s| *s == self).unwrap_or(0);
        AgentSort::ALL[(i + 1) % AgentSort::ALL.len()]
    }
}

/// Everything derived from the model's data at its `now`, computed in one pass.
#[derive(Debug, Clone, Default)]
pub struct Derived {
    /// Every queue of every source, in source order then the source's order.
    pub queues: Vec<QueueRow>,
    /// Every agent of every source, in source order then the source's order.
    pub agents: Vec<AgentRow>,
    pub totals: CentreTotals,
    /// Each source's slice of `queues`.
    by_source: HashMap<String, Range<usize>>,
    index: HashMap<RowKey, usize>,
    /// When each queue's SLA cell was evaluated (parallel to `queues`).
    sla_at: Vec<DateTime<Utc>>,
    /// Each source's slice of `agents`.
    agents_of: HashMap<String, Range<usize>>,
    /// The snapshot of each source the rows were derived from (`SourceView::seq`).
    seqs: HashMap<String, u64>,
}

/// The rows derived before, taken out one by one as they are kept.
struct Old {
    queues: Vec<Option<(QueueRow, DateTime<Utc>)>>,
    agents: Vec<Option<AgentRow>>,
    queues_of: HashMap<String, Range<usize>>,
    agents_of: HashMap<String, Range<usize>>,
    seqs: HashMap<String, u64>,
}

impl Old {
    fn new(p: Derived) -> Old {
        Old {
            queues: p.queues.into_iter().zip(p.sla_at).map(Some).collect(),
            agents: p.agents.into_iter().map(Some).collect(),
            queues_of: p.by_source,
            agents_of: p.agents_of,
            seqs: p.seqs,
        }
    }
}

/// Whether two deliveries of a queue have the same figures: all but the instants they
/// were read at and the waiting callers' ages (which only grow; a row reads them from
/// the newest delivery anyway).
fn same_figures(a: &Queue, b: &Queue) -> bool {
    let today = |q: &Queue| crate::domain::QueueToday {
        fetched_at: None,
        ..q.today.clone()
    };
    a.id == b.id
        && a.name == b.name
        && a.media == b.media
        && a.vendor_objective == b.vendor_objective
        && a.live.waiting == b.live.waiting
        && a.live.agents == b.live.agents
        && today(a) == today(b)
}

/// A queue's waiting counts over the trend window, oldest first.
fn trend_of(m: &Model, source: &str, q: &Queue) -> Vec<u32> {
    m.trends
        .get(&(source.to_string(), q.id.clone()))
        .map(|t| t.iter().map(|(_, n)| *n).collect())
        .unwrap_or_default()
}

/// On a tick of the clock alone, a queue with nobody waiting keeps its SLA evaluation
/// this long within the same window (its figures move only with the time left); a queue
/// with callers waiting, a new window or new data is evaluated at once.
pub const QUIET_SLA_EVERY: chrono::Duration = chrono::Duration::seconds(5);

impl Derived {
    /// `previous`: the rows derived before. A row is built again only when its data
    /// moved: when only the clock moved since (or a source's new snapshot has the same
    /// figures for a queue or an agent as the one before), the row is kept and brought
    /// up to date — waits, times in state, alerts, staleness, the trend, and the SLA cell
    /// when it can have moved (see [`QUIET_SLA_EVERY`]). With 10,000 agents and 1,000
    /// queues, building every row again each second is most of a poll.
    pub fn compute(m: &Model, previous: Option<Derived>) -> Derived {
        let mut d = Derived::default();
        let mut old = previous.map(Old::new);
        for s in &m.sources {
            let Some(snap) = &s.snapshot else { continue };
            let status = m.display_status(s);
            d.seqs.insert(s.name.clone(), s.seq);
            // What the rows of this source were derived from: this very snapshot (only the
            // clock moved), the one before it (compare figure by figure), or neither.
            let basis = old.as_ref().and_then(|o| {
                let seq = *o.seqs.get(&s.name)?;
                if seq == s.seq {
                    Some(None)
                } else if seq + 1 == s.seq {
                    s.previous.as_ref().map(Some)
                } else {
                    None
                }
            });
            let start = d.queues.len();
            let old_range = old.as_ref().and_then(|o| o.queues_of.get(&s.name).cloned());
            for (i, q) in snap.queues.iter().enumerate() {
                let kept = basis.and_then(|before| {
                    let o = old.as_mut()?;
                    let at = old_range.clone()?.start + i;
                    let (row, _) = o.queues.get(at)?.as_ref()?;
                    let same = row.id == q.id
                        && before
                            .is_none_or(|b| b.queues.get(i).is_some_and(|p| same_figures(p, q)));
                    if !same {
                        return None;
                    }
                    let (mut row, at) = o.queues.get_mut(at)?.take()?;
                    if before.is_some() {
                        row.trend = trend_of(m, &s.name, q);
                    }
                    Some((row, at))
                });
                let (row, at) = match kept {
                    Some((r, at)) => tick_row(m, r, at, q, status),
                    None => (queue_row(m, &s.name, q, status), m.now()),
                };
                d.sla_at.push(at);
                d.index
                    .entry((row.source.clone(), row.id.clone()))
                    .or_insert(d.queues.len());
                d.queues.push(row);
            }
            d.by_source.insert(s.name.clone(), start..d.queues.len());
            let Some(agents) = &snap.agents else { continue };
            let start = d.agents.len();
            let old_range = old.as_ref().and_then(|o| o.agents_of.get(&s.name).cloned());
            let mut names: Option<HashMap<&str, &str>> = None;
            for (i, a) in agents.iter().enumerate() {
                let kept = basis.and_then(|before| {
                    let o = old.as_mut()?;
                    let at = old_range.clone()?.start + i;
                    let row = o.agents.get(at)?.as_ref()?;
                    let same = row.agent.id == a.id
                        && before.is_none_or(|b| {
                            b.agents
                                .as_ref()
                                .and_then(|p| p.get(i))
                                .is_some_and(|p| p == a)
                        });
                    if !same {
                        return None;
                    }
                    o.agents.get_mut(at)?.take()
                });
                let tis = time_in_state(a, m.now());
                let row = match kept {
                    Some(mut r) => {
                        r.time_in_state_s = tis;
                        r.alert = alert_for(m, &r.agent, tis);
                        r.stale = status != SourceStatus::Live;
                        r
                    }
                    None => {
                        let names = names.get_or_insert_with(|| {
                            snap.queues
                                .iter()
                                .rev()
                                .map(|q| (q.id.as_str(), q.name.as_str()))
                                .collect()
                        });
                        let queue_names = a
                            .queues
                            .iter()
                            .map(|id| {
                                names
                                    .get(id.as_str())
                                    .map_or(id.as_str(), |n| n)
                                    .to_string()
                            })
                            .collect();
                        AgentRow {
                            source: s.name.clone(),
                            alert: alert_for(m, a, tis),
                            agent: a.clone(),
                            time_in_state_s: tis,
                            queue_names,
                            stale: status != SourceStatus::Live,
                        }
                    }
                };
                d.agents.push(row);
            }
            d.agents_of.insert(s.name.clone(), start..d.agents.len());
        }
        d.totals = centre_totals(m);
        d
    }

    /// The board row of one queue.
    pub fn queue(&self, source: &str, id: &str) -> Option<&QueueRow> {
        self.index
            .get(&(source.to_string(), id.to_string()))
            .and_then(|i| self.queues.get(*i))
    }

    /// The rows of one source's queues, in the source's order.
    pub fn queues_of(&self, source: &str) -> &[QueueRow] {
        self.by_source
            .get(source)
            .and_then(|r| self.queues.get(r.clone()))
            .unwrap_or(&[])
    }
}

/// A row brought up to a new instant of the clock (its data unchanged): waits and
/// staleness always, the SLA cell when it can have moved (see [`QUIET_SLA_EVERY`]).
fn tick_row(
    m: &Model,
    mut r: QueueRow,
    at: DateTime<Utc>,
    q: &Queue,
    status: SourceStatus,
) -> (QueueRow, DateTime<Utc>) {
    let now = m.now();
    r.longest_wait_s = q.live.longest_wait_at(now);
    r.stale = status != SourceStatus::Live;
    let policy = m.sla_policy(q);
    let tz = m.config.timezone_of(&r.source).0;
    let (start, end) = super::sla::window_bounds(tz, &policy, now);
    let same_window = r.sla.window.is_some_and(|(_, s, e)| s == start && e == end);
    let quiet = q.live.waiting == Some(0)
        && (m.sla_dirty().is_empty() || !m.sla_dirty().contains(&(r.source.clone(), r.id.clone())));
    if same_window && quiet && now >= at && now - at < QUIET_SLA_EVERY {
        return (r, at);
    }
    r.sla = evaluate(m, &r.source, q, &policy);
    (r, now)
}

fn queue_row(m: &Model, source: &str, q: &Queue, status: SourceStatus) -> QueueRow {
    let policy = m.sla_policy(q);
    let agents = &q.live.agents;
    let trend = trend_of(m, source, q);
    QueueRow {
        source: source.to_string(),
        id: q.id.clone(),
        name: q.name.clone(),
        media: q.media,
        waiting: q.live.waiting,
        longest_wait_s: q.live.longest_wait_at(m.now()),
        available: agents.available,
        busy: agents.busy,
        acw: agents.after_call_work,
        away: agents.unavailable,
        not_responding: agents.not_responding,
        asa_s: q.today.asa_s,
        service_level: q.today.service_level,
        target: policy.target,
        threshold_s: policy.threshold_s,
        abandon_rate: q.today.abandon_rate,
        sla: evaluate(m, source, q, &policy),
        trend,
        stale: status != SourceStatus::Live,
    }
}

fn centre_totals(m: &Model) -> CentreTotals {
    let mut waiting: Option<u32> = None;
    let mut longest: Option<f64> = None;
    let mut offered: Option<u64> = None;
    let mut abandoned: Option<u64> = None;
    let mut within: Option<u64> = None;
    let mut sl_den: Option<u64> = None;
    let mut states = [None::<u32>; 4];
    let add32 = |a: Option<u32>, b: Option<u32>| match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    };
    let add64 = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    };
    for s in &m.sources {
        let Some(snap) = &s.snapshot else { continue };
        for q in &snap.queues {
            waiting = add32(waiting, q.live.waiting);
            if let Some(w) = q.live.longest_wait_at(m.now()) {
                longest = Some(longest.map_or(w, |l: f64| l.max(w)));
            }
            offered = add64(offered, q.today.offered);
            abandoned = add64(abandoned, q.today.abandoned);
            // Each platform's own numerator and denominator, from the same queues: the total
            // means what each queue's figure means (never one endpoint's count over
            // another's).
            if let (Some(w), Some(d)) = (q.today.answered_within_threshold, q.today.sl_counted) {
                within = add64(within, Some(w));
                sl_den = add64(sl_den, Some(d));
            }
        }
        // Agents are counted once per agent, not once per queue they serve.
        if let Some(agents) = &snap.agents {
            for a in agents {
                let i = match a.state {
                    AgentState::Available => 0,
                    AgentState::Busy => 1,
                    AgentState::AfterCallWork => 2,
                    AgentState::Unavailable | AgentState::NotResponding => 3,
                    _ => continue,
                };
                states[i] = Some(states[i].unwrap_or(0) + 1);
            }
            for st in states.iter_mut() {
                st.get_or_insert(0);
            }
        }
    }
    let service_level = match (within, sl_den) {
        (Some(w), Some(d)) if d > 0 => Some(w as f64 / d as f64),
        _ => None,
    };
    CentreTotals {
        waiting,
        longest_wait_s: longest,
        offered,
        abandoned,
        service_level,
        available: states[0],
        busy: states[1],
        acw: states[2],
        away: states[3],
    }
}

/// Case-insensitive substring match on every word of the filter.
pub fn matches_filter(filter: &str, haystacks: &[&str]) -> bool {
    let f = filter.trim().to_lowercase();
    if f.is_empty() {
        return true;
    }
    f.split_whitespace()
        .all(|w| haystacks.iter().any(|h| contains_ignore_case(h, w)))
}

/// One word of the board's filter.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterTerm {
    /// `red`, `amber`, `green`, `met`, `breached`, `no_calls`: the SLA status.
    Status(crate::sla::Status),
    /// `voice`, `chat`, `email`, `message`, `callback`, `mixed`: the queue's media.
    Media(Media),
    /// `source:acme`: the source's name contains this.
    Source(String),
    /// `name:red` (or any other word): the name or id contains this.
    Text(String),
}

/// The board's filter: every word must hold. `red voice`, `amber source:acme`, `bill`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct QueueFilter(pub Vec<FilterTerm>);

impl QueueFilter {
    pub fn parse(filter: &str) -> QueueFilter {
        use crate::sla::Status;
        let terms = filter
            .split_whitespace()
            .map(|w| {
                let w = w.to_lowercase();
                if let Some(v) = w.strip_prefix("source:") {
                    return FilterTerm::Source(v.to_string());
                }
                if let Some(v) = w.strip_prefix("name:") {
                    return FilterTerm::Text(v.to_string());
                }
                let status = [
                    Status::Red,
                    Status::Amber,
                    Status::Green,
                    Status::Met,
                    Status::Breached,
                    Status::NoCalls,
                ]
                .into_iter()
                .find(|s| {
                    s.as_str().eq_ignore_ascii_case(&w) || (w == "nocalls" && *s == Status::NoCalls)
                });
                if let Some(s) = status {
                    return FilterTerm::Status(s);
                }
                let media = [
                    Media::Voice,
                    Media::Chat,
                    Media::Email,
                    Media::Message,
                    Media::Callback,
                    Media::Mixed,
                ]
                .into_iter()
                .find(|m| m.as_str() == w);
                match media {
                    Some(m) => FilterTerm::Media(m),
                    None => FilterTerm::Text(w),
                }
            })
            .collect();
        QueueFilter(terms)
    }

    pub fn matches(&self, r: &QueueRow) -> bool {
        self.0.iter().all(|t| match t {
            FilterTerm::Status(s) => r.sla.status == Some(*s),
            FilterTerm::Media(m) => r.media == *m,
            FilterTerm::Source(s) => contains_ignore_case(&r.source, s),
            FilterTerm::Text(w) => {
                contains_ignore_case(&r.name, w)
                    || contains_ignore_case(&r.id, w)
                    || contains_ignore_case(&r.source, w)
            }
        })
    }
}

/// Whether a board row passes the board's filter (see [`QueueFilter`]).
pub fn queue_matches(filter: &str, r: &QueueRow) -> bool {
    QueueFilter::parse(filter).matches(r)
}

/// The board's rows (indices into `rows`), filtered and sorted as asked.
pub fn board_order(rows: &[QueueRow], filter: &str, sort: QueueSort, dir: SortDir) -> Vec<usize> {
    let parsed = QueueFilter::parse(filter);
    let mut order: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| parsed.matches(r))
        .map(|(i, _)| i)
        .collect();
    // Lower-cased names once, not once per comparison.
    let lower: Vec<String> = if sort == QueueSort::Name {
        rows.iter().map(|r| r.name.to_lowercase()).collect()
    } else {
        Vec::new()
    };
    let rev = dir == SortDir::Reversed;
    order.sort_by(|&i, &j| {
        let (a, b) = (&rows[i], &rows[j]);
        // "Normal" puts the most urgent first for numbers; names go A→Z. Unknown values go
        // last in either direction.
        let primary = match sort {
            QueueSort::Name => {
                let o = lower[i].cmp(&lower[j]);
                if rev { o.reverse() } else { o }
            }
            QueueSort::Waiting => ordered(a.waiting, b.waiting, true, rev),
            QueueSort::LongestWait => ordered(a.longest_wait_s, b.longest_wait_s, true, rev),
            QueueSort::Available => ordered(a.available, b.available, false, rev),
            QueueSort::ServiceLevel => ordered(a.service_level, b.service_level, false, rev),
            QueueSort::AbandonRate => ordered(a.abandon_rate, b.abandon_rate, true, rev),
            QueueSort::Risk => ordered(a.sla.rank(), b.sla.rank(), true, rev).then(ordered(
                a.sla.breach_probability,
                b.sla.breach_probability,
                true,
                rev,
            )),
        };
        primary
            .then(a.name.cmp(&b.name))
            .then(a.source.cmp(&b.source))
            .then(a.id.cmp(&b.id))
    });
    order
}

/// Known values in order (`descending` first when asked, flipped by `reversed`), unknown
/// values after every known one whatever the direction.
fn ordered<T: PartialOrd>(
    a: Option<T>,
    b: Option<T>,
    descending: bool,
    reversed: bool,
) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Some(x), Some(y)) => {
            let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
            if descending != reversed {
                o.reverse()
            } else {
                o
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// An agent table's rows (indices into `rows`): every agent, or only those of one source
/// serving one queue; filtered and sorted as asked.
pub fn agent_order(
    rows: &[AgentRow],
    only: Option<(&str, &str)>,
    filter: &str,
    sort: AgentSort,
    dir: SortDir,
) -> Vec<usize> {
    let mut order: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            only.is_none_or(|(src, qid)| r.source == src && r.agent.queues.iter().any(|q| q == qid))
        })
        .filter(|(_, r)| {
            let a = &r.agent;
            let reason = a.reason.as_deref().unwrap_or_default();
            let hay: Vec<&str> = [a.name.as_str(), a.id.as_str(), a.state.as_str(), reason]
                .into_iter()
                .chain(r.queue_names.iter().map(String::as_str))
                .collect();
            matches_filter(filter, &hay)
        })
        .map(|(i, _)| i)
        .collect();
    let lower: Vec<String> = if sort == AgentSort::Name {
        rows.iter().map(|r| r.agent.name.to_lowercase()).collect()
    } else {
        Vec::new()
    };
    order.sort_by(|&i, &j| {
        let (a, b) = (&rows[i], &rows[j]);
        let rev = dir == SortDir::Reversed;
        let primary = match sort {
            AgentSort::State => {
                let o = state_rank(a.agent.state).cmp(&state_rank(b.agent.state));
                (if rev { o.reverse() } else { o }).then(ordered(
                    a.time_in_state_s,
                    b.time_in_state_s,
                    true,
                    rev,
                ))
            }
            AgentSort::TimeInState => ordered(a.time_in_state_s, b.time_in_state_s, true, rev),
            AgentSort::Name => {
                let o = lower[i].cmp(&lower[j]);
                if rev { o.reverse() } else { o }
            }
        };
        primary
            .then(a.agent.name.cmp(&b.agent.name))
            .then(a.agent.id.cmp(&b.agent.id))
    });
    order
}

/// Most actionable first: not responding, ACW, away, busy, available, offline.
fn state_rank(s: AgentState) -> u8 {
    match s {
        AgentState::NotResponding => 0,
        AgentState::AfterCallWork => 1,
        AgentState::Unavailable => 2,
        AgentState::Busy => 3,
        AgentState::Available => 4,
        AgentState::Unknown => 5,
        AgentState::Offline => 6,
    }
}

pub fn time_in_state(a: &Agent, now: DateTime<Utc>) -> Option<f64> {
    a.since
        .map(|s| ((now - s).num_milliseconds().max(0)) as f64 / 1000.0)
}

/// The first configured alert this agent trips.
pub fn alert_for(m: &Model, a: &Agent, tis: Option<f64>) -> Option<Alert> {
    let tis = tis?;
    m.config.alerts.iter().find_map(|rule| {
        let state_ok = rule.state.is_none_or(|s| s == a.state);
        // An alert on a reason only makes sense while the agent is not working.
        let reason_state_ok =
            rule.reason.is_none() || !matches!(a.state, AgentState::Busy | AgentState::Available);
        // The text match last: most agents are out on the cheaper tests.
        let reason_ok = || {
            rule.reason.as_ref().is_none_or(|r| {
                a.reason
                    .as_deref()
                    .is_some_and(|ar| contains_ignore_case(ar, r))
            })
        };
        (state_ok && reason_state_ok && tis >= rule.after.as_secs_f64() && reason_ok()).then(|| {
            Alert {
                reason: rule.reason.clone(),
                state: rule.state,
                after: rule.after,
            }
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::{config, snapshot, t0};
    use crate::source::SourceEvent;

    fn model(n: usize) -> Model {
        let mut m = Model::new(config(), t0());
        m.apply(SourceEvent::Snapshot(Box::new(snapshot(n, t0()))));
        m
    }

    #[test]
    fn board_order_filters_and_sorts() {
        let m = model(4);
        let rows = &m.derived().queues;
        let names = |o: Vec<usize>| -> Vec<String> {
            o.into_iter().map(|i| rows[i].name.clone()).collect()
        };
        assert_eq!(
            names(board_order(rows, "", QueueSort::Waiting, SortDir::Normal)),
            ["Queue 3", "Queue 2", "Queue 1", "Queue 0"]
        );
        assert_eq!(
            names(board_order(rows, "", QueueSort::Waiting, SortDir::Reversed)),
            ["Queue 0", "Queue 1", "Queue 2", "Queue 3"]
        );
        assert_eq!(
            names(board_order(
                rows,
                "queue 2",
                QueueSort::Name,
                SortDir::Normal
            )),
            ["Queue 2"]
        );
    }

    #[test]
    fn unknown_sorts_last_in_both_directions() {
        let mut m = model(3);
        let _ = &mut m;
        let mut rows = m.derived().queues.clone();
        rows[1].waiting = None;
        rows[1].sla.status = None;
        for dir in [SortDir::Normal, SortDir::Reversed] {
            for sort in [QueueSort::Waiting, QueueSort::Risk] {
                let o = board_order(&rows, "", sort, dir);
                assert_eq!(o.last(), Some(&1), "{sort:?} {dir:?}: {o:?}");
            }
        }
    }

    #[test]
    fn agent_order_keeps_to_its_queue() {
        let m = model(3);
        let rows = &m.derived().agents;
        let ids = |o: Vec<usize>| -> Vec<String> {
            o.into_iter().map(|i| rows[i].agent.id.clone()).collect()
        };
        assert_eq!(
            ids(agent_order(
                rows,
                Some(("demo", "q1")),
                "",
                AgentSort::Name,
                SortDir::Normal
            )),
            ["a2", "a3"]
        );
        // Busy before available, then longest in state first. Every word of the filter
        // matches somewhere: queue names count, and a2 is "Agent 2" in "Queue 1".
        assert_eq!(
            ids(agent_order(
                rows,
                None,
                "queue 2",
                AgentSort::State,
                SortDir::Normal
            )),
            ["a5", "a4", "a2"]
        );
    }

    #[test]
    fn alerts_are_data() {
        let mut c = (*config()).clone();
        c.alerts.push(crate::config::AlertRule {
            state: Some(AgentState::Available),
            reason: None,
            after: Duration::from_secs(3),
        });
        let mut m = Model::new(std::sync::Arc::new(c), t0());
        m.apply(SourceEvent::Snapshot(Box::new(snapshot(3, t0()))));
        let alerted: Vec<&str> = m
            .derived()
            .agents
            .iter()
            .filter(|r| r.alert.is_some())
            .map(|r| r.agent.id.as_str())
            .collect();
        assert_eq!(alerted, ["a4"], "available for 4 s; a2 only 2 s");
        assert_eq!(
            m.derived().agents[4].alert,
            Some(Alert {
                reason: None,
                state: Some(AgentState::Available),
                after: Duration::from_secs(3)
            })
        );
    }
}
