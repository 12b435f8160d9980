//! The contact centre as the sources described it: one view per source (its latest
//! snapshot and health), waiting trends, arrival and handle-time estimates, cached agent
//! histories and the live changes seen since, and everything derived from them (board
//! rows, agent rows, centre totals, SLA evaluations).
//!
//! Folded by [`Model::apply`]; no terminal, no pages, no keys. The TUI wraps it with its
//! navigation state (`crate::app`); the `snapshot` and `history` commands use it alone.

pub mod levels;
pub mod rows;
pub mod shared;
pub mod sla;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Duration as ChronoDuration, Utc};

use crate::config::{Config, SlWindow, SlaPolicy};
use crate::domain::spans;
use crate::domain::{
    Agent, AgentHistory, HandleSplit, Queue, SourceHealth, SourceKind, SourceSnapshot,
    SourceStatus, StateSpan,
};
use crate::source::SourceEvent;
use rows::{Derived, RowKey};

/// Waiting-count samples of one queue, oldest first.
pub type Trend = VecDeque<(DateTime<Utc>, u32)>;

/// How long the board's waiting trend reaches back.
pub const TREND_WINDOW: ChronoDuration = ChronoDuration::minutes(30);
/// Cached agent history is refetched after this age.
pub const HISTORY_MAX_AGE: ChronoDuration = ChronoDuration::minutes(5);
/// A failed history fetch is retried after this long.
pub const HISTORY_RETRY: ChronoDuration = ChronoDuration::seconds(10);
/// How far back an agent's history reaches.
pub const HISTORY_WINDOW: ChronoDuration = ChronoDuration::hours(24);

/// One configured source as the model sees it.
#[derive(Debug, Clone)]
pub struct SourceView {
    pub name: String,
    pub kind: SourceKind,
    pub snapshot: Option<SourceSnapshot>,
    /// The snapshot before `snapshot` (rows whose figures did not move are kept).
    pub previous: Option<SourceSnapshot>,
    /// How many snapshots arrived so far.
    pub seq: u64,
    pub health: SourceHealth,
}

/// A cached agent history.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryEntry {
    Loading {
        since: DateTime<Utc>,
    },
    Loaded(AgentHistory),
    Failed {
        error: String,
        retry_at: DateTime<Utc>,
        previous: Option<AgentHistory>,
    },
}

/// An agent's handle-time split today, fetched with the history (neither waits for, nor
/// fails with, the other).
#[derive(Debug, Clone, PartialEq)]
pub enum SplitEntry {
    /// Asked for; the last one fetched stays on show meanwhile.
    Loading {
        previous: Option<HandleSplit>,
    },
    Loaded(HandleSplit),
    /// The last request failed (why, never a secret); the last one fetched, if any.
    Failed {
        error: String,
        previous: Option<HandleSplit>,
    },
}

impl SplitEntry {
    /// The split to show: the newest one fetched.
    pub fn shown(&self) -> Option<&HandleSplit> {
        match self {
            SplitEntry::Loaded(s) => Some(s),
            SplitEntry::Loading { previous } | SplitEntry::Failed { previous, .. } => {
                previous.as_ref()
            }
        }
    }
}

/// The centre as the sources described it, and what follows from it.
pub struct Model {
    pub config: Arc<Config>,
    /// The configuration's SLA overrides, compiled once.
    pub sla_matchers: sla::OverrideMatchers,
    /// The configuration's `[[thresholds]]` patterns, compiled once.
    pub threshold_matchers: levels::ThresholdMatchers,
    now: DateTime<Utc>,
    pub sources: Vec<SourceView>,
    /// Waiting counts per (source, queue id), oldest first, for the trend sparkline.
    pub trends: HashMap<RowKey, Trend>,
    /// Arrival-rate and AHT estimates per (source, queue id), for the SLA engine.
    pub estimates: HashMap<RowKey, sla::QueueEstimates>,
    /// How each queue's staffed agents count once shared agents are counted once, per
    /// (source, queue id), when the source lists its agents.
    pub shares: HashMap<RowKey, shared::Share>,
    /// Each queue's interval history as forecast slots with its learned profile.
    pub forecasts: HashMap<RowKey, sla::QueueForecast>,
    /// Interval history and hours per (source, queue id), when the source gives them.
    pub intervals: HashMap<RowKey, crate::domain::QueueIntervals>,
    /// Agent histories per (source, agent id).
    pub history: HashMap<RowKey, HistoryEntry>,
    /// Agents' handle-time splits today per (source, agent id), asked with their history.
    pub splits: HashMap<RowKey, SplitEntry>,
    /// State changes seen in the live feed for agents whose history is cached, oldest
    /// first, so the timeline grows without a refetch.
    pub observed: HashMap<RowKey, Vec<StateSpan>>,
    derived: Derived,
    /// The derived rows no longer match the data or the clock.
    stale: bool,
    /// Queues whose interval history moved since the rows were derived: their SLA cells
    /// are evaluated again even when their live figures did not move.
    sla_dirty: std::collections::HashSet<RowKey>,
    /// Bumped each time the derived rows are recomputed (views compare it).
    revision: u64,
}

impl Model {
    pub fn new(config: Arc<Config>, now: DateTime<Utc>) -> Model {
        let sources = config
            .sources
            .iter()
            .map(|s| SourceView {
                name: s.name().to_string(),
                kind: s.kind(),
                snapshot: None,
                previous: None,
                seq: 0,
                health: SourceHealth::connecting(),
            })
            .collect();
        let mut m = Model {
            sla_matchers: sla::OverrideMatchers::new(&config),
            threshold_matchers: levels::ThresholdMatchers::new(&config),
            config,
            now,
            sources,
            trends: HashMap::new(),
            estimates: HashMap::new(),
            shares: HashMap::new(),
            forecasts: HashMap::new(),
            intervals: HashMap::new(),
            history: HashMap::new(),
            splits: HashMap::new(),
            observed: HashMap::new(),
            derived: Derived::default(),
            stale: true,
            sla_dirty: Default::default(),
            revision: 0,
        };
        m.refresh();
        m
    }

    /// The warn / breach level of each watched figure of a board row.
    pub fn levels(&self, r: &rows::QueueRow) -> levels::Levels {
        levels::levels(&self.config, &self.threshold_matchers, r)
    }

    /// The model's clock: what "now" means for waits, times in state and SLA windows.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Move the clock; the derived rows follow at the next [`Model::refresh`] (or
    /// [`Model::apply`]). For a clock that moves together with new data.
    pub fn advance(&mut self, now: DateTime<Utc>) {
        if now != self.now {
            self.stale = true;
        }
        self.now = now;
    }

    /// Move the clock and bring the derived rows up to date (waits and times in state
    /// grow, windows close, sources turn stale).
    pub fn tick(&mut self, now: DateTime<Utc>) {
        self.advance(now);
        self.refresh();
    }

    /// Fold one source event in and bring the derived rows up to date.
    pub fn apply(&mut self, ev: SourceEvent) {
        match ev {
            SourceEvent::Snapshot(snap) => self.apply_snapshot(*snap),
            SourceEvent::History {
                source,
                agent_id,
                result,
            } => self.on_history(source, agent_id, result),
            SourceEvent::Split {
                source,
                agent_id,
                result,
            } => self.on_split(source, agent_id, result),
        }
        self.refresh();
    }

    /// Fold in a source's interval history and hours (see `crate::source::IntervalHistory`).
    pub fn apply_intervals(&mut self, iv: crate::domain::SourceIntervals) {
        self.defer_intervals(iv);
        self.refresh();
    }

    /// [`Model::apply_intervals`] without deriving the rows yet: the next
    /// [`Model::refresh`] does, once for everything that came together.
    pub fn defer_intervals(&mut self, iv: crate::domain::SourceIntervals) {
        let tz = self.config.timezone_of(&iv.source).0;
        let day_start = crate::domain::time::start_of_day(self.now, tz);
        // Each queue's variant, from its policy: one pass over the source's queues, once
        // a queue's history has moved (most deliveries repeat most queues).
        let mut variants: Option<HashMap<String, crate::sla::SlVariant>> = None;
        for q in iv.queues {
            let key = (iv.source.clone(), q.queue_id.clone());
            if self.intervals.get(&key) == Some(&q) {
                continue;
            }
            let variant = variants
                .get_or_insert_with(|| {
                    self.source(&iv.source)
                        .and_then(|s| s.snapshot.as_ref())
                        .map(|snap| {
                            snap.queues
                                .iter()
                                .map(|q| (q.id.clone(), self.sla_policy(q).variant))
                                .collect()
                        })
                        .unwrap_or_default()
                })
                .get(&q.queue_id)
                .copied()
                .unwrap_or(self.config.sla.defaults.variant);
            let forecast = match self.forecasts.remove(&key) {
                Some(f) => f.renew(&q, variant, day_start),
                None => sla::QueueForecast::new(&q, variant, day_start),
            };
            self.forecasts.insert(key.clone(), forecast);
            self.intervals.insert(key.clone(), q);
            self.sla_dirty.insert(key);
            self.stale = true;
        }
    }

    /// Queues whose interval history moved since the rows were derived.
    pub fn sla_dirty(&self) -> &std::collections::HashSet<RowKey> {
        &self.sla_dirty
    }

    /// Recompute the derived rows if the data or the clock moved since.
    pub fn refresh(&mut self) {
        if self.stale {
            self.relearn_at_midnight();
            let previous = std::mem::take(&mut self.derived);
            self.derived = Derived::compute(self, Some(previous));
            self.stale = false;
            self.sla_dirty.clear();
            self.revision += 1;
        }
    }

    /// A new day learns the profiles again (the days before it changed).
    fn relearn_at_midnight(&mut self) {
        // Each source's day, once (not once per queue and tick).
        let days: HashMap<&str, DateTime<Utc>> = self
            .sources
            .iter()
            .map(|s| {
                let tz = self.config.timezone_of(&s.name).0;
                (
                    s.name.as_str(),
                    crate::domain::time::start_of_day(self.now, tz),
                )
            })
            .collect();
        let stale: Vec<(RowKey, DateTime<Utc>)> = self
            .forecasts
            .iter()
            .filter_map(|((src, id), f)| {
                let day = *days.get(src.as_str())?;
                (f.day_start != day).then(|| ((src.clone(), id.clone()), day))
            })
            .collect();
        for (key, day_start) in stale {
            if let (Some(iv), Some(f)) = (self.intervals.get(&key), self.forecasts.get(&key)) {
                let fresh = sla::QueueForecast::new(iv, f.variant, day_start);
                self.forecasts.insert(key.clone(), fresh);
                self.sla_dirty.insert(key);
            }
        }
    }

    /// Board rows, agent rows and centre totals as of the last refresh.
    pub fn derived(&self) -> &Derived {
        &self.derived
    }

    /// How many times the derived rows were computed: changes exactly when they do.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn sla_policy(&self, q: &Queue) -> SlaPolicy {
        sla::policy_for(&self.config, &self.sla_matchers, q)
    }

    /// LIVE / STALE / OFFLINE as shown: the source's own report, judged against the
    /// deadline the source promised for its data.
    pub fn display_status(&self, s: &SourceView) -> SourceStatus {
        s.health.status_at(self.now)
    }

    pub fn source(&self, name: &str) -> Option<&SourceView> {
        self.sources.iter().find(|s| s.name == name)
    }

    pub fn find_queue(&self, source: &str, id: &str) -> Option<&Queue> {
        self.source(source)?
            .snapshot
            .as_ref()?
            .queues
            .iter()
            .find(|q| q.id == id)
    }

    pub fn find_agent(&self, source: &str, id: &str) -> Option<&Agent> {
        self.source(source)?
            .snapshot
            .as_ref()?
            .agents
            .as_ref()?
            .iter()
            .find(|a| a.id == id)
    }

    fn apply_snapshot(&mut self, snap: SourceSnapshot) {
        for q in &snap.queues {
            let key = (snap.source.clone(), q.id.clone());
            let trend = self.trends.entry(key).or_default();
            // The source's own samples (if any) first, then this poll's figure.
            let last = trend.back().map(|(t, _)| *t);
            for (t, n) in &q.recent_waiting {
                if last.is_none_or(|l| *t > l) {
                    trend.push_back((*t, *n));
                }
            }
            if let (Some(n), Some(t)) = (q.live.waiting, q.live.observed_at)
                && trend.back().is_none_or(|(lt, _)| t > *lt)
            {
                trend.push_back((t, n));
            }
            let cutoff = snap.fetched_at - TREND_WINDOW;
            while trend.front().is_some_and(|(t, _)| *t < cutoff) {
                trend.pop_front();
            }
        }
        self.observe_agents(&snap);
        self.update_estimates(&snap);
        self.update_shares(&snap);
        if let Some(s) = self.sources.iter_mut().find(|s| s.name == snap.source) {
            s.health = snap.health.clone();
            s.previous = s.snapshot.replace(snap);
            s.seq += 1;
        }
        self.stale = true;
    }

    /// Feed each queue's counters to its estimators, and note interval baselines.
    fn update_estimates(&mut self, snap: &SourceSnapshot) {
        for q in &snap.queues {
            let at = q.today.fetched_at.unwrap_or(snap.fetched_at);
            let policy = self.sla_policy(q);
            let tz = self.config.timezone_of(&snap.source).0;
            let (start, _) = sla::window_bounds(tz, &policy, at);
            let day_start = crate::domain::time::start_of_day(at, tz);
            let gap = ChronoDuration::from_std(self.config.refresh * 2)
                .unwrap_or(ChronoDuration::seconds(10));
            let counters = sla::counters_of(q, policy.variant);
            let e = self
                .estimates
                .entry((snap.source.clone(), q.id.clone()))
                .or_default();
            e.observe(q, at);
            if policy.window != SlWindow::Day
                && let Some(c) = counters
            {
                e.track_interval(c, at, start, day_start, gap);
            }
        }
    }

    /// Shared agents counted once: each queue's share of its agents by offered load.
    fn update_shares(&mut self, snap: &SourceSnapshot) {
        self.shares.retain(|(src, _), _| src != &snap.source);
        let Some(agents) = &snap.agents else { return };
        let load: HashMap<String, Option<f64>> = snap
            .queues
            .iter()
            .map(|q| {
                let est = self.estimates.get(&(snap.source.clone(), q.id.clone()));
                (q.id.clone(), sla::offered_load(self, &snap.source, q, est))
            })
            .collect();
        for (id, share) in shared::shares(agents, &load) {
            self.shares.insert((snap.source.clone(), id), share);
        }
    }

    /// Forget cached histories (and their live tails) nobody has looked at for a while,
    /// except the one `keep` (the history on screen).
    pub fn prune_history(&mut self, keep: Option<&RowKey>) {
        let keep_from = self.now - ChronoDuration::minutes(30);
        self.history.retain(|k, e| {
            Some(k) == keep
                || match e {
                    HistoryEntry::Loaded(h) => h.fetched_at >= keep_from,
                    HistoryEntry::Loading { since } => *since >= keep_from,
                    HistoryEntry::Failed { retry_at, .. } => *retry_at >= keep_from,
                }
        });
        let history = &self.history;
        self.observed.retain(|k, _| history.contains_key(k));
        self.splits.retain(|k, _| history.contains_key(k));
    }

    /// Note state changes of agents whose history is cached (only those: cheap).
    fn observe_agents(&mut self, snap: &SourceSnapshot) {
        let Some(agents) = &snap.agents else { return };
        for ((src, id), entry) in &self.history {
            if src != &snap.source {
                continue;
            }
            let fetched_to = match entry {
                HistoryEntry::Loaded(h) => h.to,
                HistoryEntry::Failed {
                    previous: Some(h), ..
                } => h.to,
                _ => continue,
            };
            let Some(a) = agents.iter().find(|a| &a.id == id) else {
                continue;
            };
            let Some(since) = a.since else { continue };
            let list = self.observed.entry((src.clone(), id.clone())).or_default();
            let changed = list
                .last()
                .is_none_or(|l| l.start != since || l.state != a.state || l.reason != a.reason);
            let floor = list.last().map_or(fetched_to - HISTORY_WINDOW, |l| l.start);
            if changed && since >= floor {
                list.push(StateSpan {
                    start: since,
                    end: since,
                    state: a.state,
                    reason: a.reason.clone(),
                });
            }
        }
    }

    fn on_history(
        &mut self,
        source: String,
        agent_id: String,
        result: Result<AgentHistory, String>,
    ) {
        let key = (source, agent_id);
        let entry = match result {
            Ok(h) => {
                // A fresh fetch covers what the feed saw before it.
                if let Some(list) = self.observed.get_mut(&key) {
                    list.retain(|s| s.start >= h.to);
                }
                HistoryEntry::Loaded(h)
            }
            Err(error) => {
                let previous = match self.history.get(&key) {
                    Some(HistoryEntry::Loaded(h)) => Some(h.clone()),
                    Some(HistoryEntry::Failed { previous, .. }) => previous.clone(),
                    _ => None,
                };
                HistoryEntry::Failed {
                    error,
                    retry_at: self.now + HISTORY_RETRY,
                    previous,
                }
            }
        };
        self.history.insert(key, entry);
    }

    fn on_split(&mut self, source: String, agent_id: String, result: Result<HandleSplit, String>) {
        let key = (source, agent_id);
        let entry = match result {
            Ok(s) => SplitEntry::Loaded(s),
            Err(error) => SplitEntry::Failed {
                error,
                previous: self.splits.get(&key).and_then(|e| e.shown().cloned()),
            },
        };
        self.splits.insert(key, entry);
    }

    /// The history the agent page shows: fetched spans, extended live with the agent's
    /// current state, normalised over the last 24 h.
    pub fn agent_timeline(&self, source: &str, agent_id: &str) -> Option<Vec<StateSpan>> {
        let key = (source.to_string(), agent_id.to_string());
        let h = match self.history.get(&key)? {
            HistoryEntry::Loaded(h) => h,
            HistoryEntry::Failed {
                previous: Some(h), ..
            } => h,
            _ => return None,
        };
        let from = self.now - HISTORY_WINDOW;
        let mut observed = self.observed.get(&key).cloned().unwrap_or_default();
        if let Some(a) = self.find_agent(source, agent_id)
            && let Some(since) = a.since
            && observed
                .last()
                .is_none_or(|l| l.start < since || (l.start == since && l.state != a.state))
        {
            observed.push(StateSpan {
                start: since,
                end: since,
                state: a.state,
                reason: a.reason.clone(),
            });
        }
        Some(spans::with_observed(
            &h.spans, h.to, &observed, from, self.now,
        ))
    }

    /// Nobody looks at this agent's history any more: when its first fetch is still under
    /// way, forget it (a later visit asks again at once) and say so, so that the caller can
    /// cancel the job. A refetch behind a shown timeline is left to finish.
    pub fn cancel_history(&mut self, key: &RowKey) -> bool {
        if matches!(self.history.get(key), Some(HistoryEntry::Loading { .. })) {
            self.history.remove(key);
            self.observed.remove(key);
            self.splits.remove(key);
            return true;
        }
        false
    }

    /// Whether an agent's history should be (re)fetched now (first visit, aged cache, retry
    /// due). When it should, the entry is marked as under way and the window to fetch is
    /// returned; the old timeline stays on show while the refetch runs.
    pub fn request_history(&mut self, key: &RowKey) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let due = match self.history.get(key) {
            None => true,
            Some(HistoryEntry::Loading { since }) => {
                self.now - *since > ChronoDuration::seconds(30)
            }
            Some(HistoryEntry::Loaded(h)) => self.now - h.fetched_at > HISTORY_MAX_AGE,
            Some(HistoryEntry::Failed { retry_at, .. }) => self.now >= *retry_at,
        };
        if !due {
            return None;
        }
        let previous = match self.history.remove(key) {
            Some(HistoryEntry::Loaded(h)) => Some(h),
            Some(HistoryEntry::Failed { previous, .. }) => previous,
            _ => None,
        };
        let entry = match previous {
            Some(h) => HistoryEntry::Failed {
                error: String::new(),
                retry_at: self.now + ChronoDuration::seconds(30),
                previous: Some(h),
            },
            None => HistoryEntry::Loading { since: self.now },
        };
        self.history.insert(key.clone(), entry);
        // Today's handle-time split is asked with it (`Effect::FetchHistory`).
        let previous = self.splits.remove(key).and_then(|e| e.shown().cloned());
        self.splits
            .insert(key.clone(), SplitEntry::Loading { previous });
        Some((self.now - HISTORY_WINDOW, self.now))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::domain::{AgentCounts, AgentState, Media, QueueLive, QueueToday};
    use chrono::TimeZone;

    pub(crate) fn t0() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap()
    }

    pub(crate) fn config() -> Arc<Config> {
        let mut c = Config::demo_default();
        c.timezone = Some(chrono_tz::UTC);
        Arc::new(c)
    }

    /// A snapshot of the "demo" source with `n` queues and two agents per queue.
    pub(crate) fn snapshot(n: usize, at: DateTime<Utc>) -> SourceSnapshot {
        let queues = (0..n)
            .map(|i| Queue {
                id: format!("q{i}"),
                name: format!("Queue {i}"),
                media: Media::Voice,
                vendor_objective: None,
                live: QueueLive {
                    observed_at: Some(at),
                    waiting: Some(i as u32),
                    longest_wait_s: Some(10.0 * i as f64),
                    waiting_ages_s: None,
                    agents: AgentCounts::from_states([AgentState::Available, AgentState::Busy]),
                },
                today: QueueToday {
                    fetched_at: Some(at),
                    offered: Some(100),
                    answered: Some(90),
                    abandoned: Some(10),
                    answered_within_threshold: Some(80),
                    abandoned_within_threshold: Some(5),
                    aht_s: Some(200.0),
                    ..QueueToday::default()
                },
                recent_waiting: Vec::new(),
            })
            .collect();
        let agents = (0..2 * n)
            .map(|i| Agent {
                id: format!("a{i}"),
                name: format!("Agent {i}"),
                state: if i % 2 == 0 {
                    AgentState::Available
                } else {
                    AgentState::Busy
                },
                reason: None,
                since: Some(at - ChronoDuration::seconds(i as i64)),
                queues: vec![format!("q{}", i / 2)],
                contact: None,
                team: None,
            })
            .collect();
        let mut health = SourceHealth::live(at);
        health.fresh_until = Some(at + ChronoDuration::seconds(15));
        SourceSnapshot {
            source: "demo".into(),
            kind: SourceKind::Demo,
            fetched_at: at,
            queues,
            agents: Some(agents),
            health,
        }
    }

    #[test]
    fn a_snapshot_recomputes_the_rows_once() {
        let mut m = Model::new(config(), t0());
        let r0 = m.revision();
        assert!(m.derived().queues.is_empty());
        m.apply(SourceEvent::Snapshot(Box::new(snapshot(3, t0()))));
        assert_eq!(m.revision(), r0 + 1);
        let d = m.derived();
        assert_eq!((d.queues.len(), d.agents.len()), (3, 6));
        assert_eq!(d.queue("demo", "q2").map(|r| r.waiting), Some(Some(2)));
        assert_eq!(d.queues_of("demo").len(), 3);
        assert_eq!(d.totals.waiting, Some(3));
        assert_eq!((d.totals.available, d.totals.busy), (Some(3), Some(3)));
        // Asking again changes nothing.
        m.refresh();
        assert_eq!(m.revision(), r0 + 1);
    }

    #[test]
    fn a_tick_of_the_clock_alone_matches_a_full_derivation() {
        // Rows kept across ticks must be what deriving everything again would give.
        let mut m = Model::new(config(), t0());
        m.apply(SourceEvent::Snapshot(Box::new(snapshot(4, t0()))));
        for s in [1, 2, 7, 65] {
            m.tick(t0() + ChronoDuration::seconds(s));
            kept_rows_match_a_full_derivation(&m, s);
        }
    }

    /// The rows `m` kept equal a full derivation: agents exactly, queues in their waits,
    /// staleness and SLA (a quiet queue's SLA cell may be a few seconds old: its status
    /// only). Returns both for further checks.
    fn kept_rows_match_a_full_derivation(m: &Model, s: i64) -> (Derived, Derived) {
        let kept = m.derived().clone();
        let fresh = Derived::compute(m, None);
        assert_eq!(kept.agents, fresh.agents, "agent rows after {s} s");
        for (k, f) in kept.queues.iter().zip(&fresh.queues) {
            assert_eq!(k.longest_wait_s, f.longest_wait_s, "{} after {s} s", k.id);
            assert_eq!(k.stale, f.stale);
            // Queues with callers waiting are judged again at every tick.
            if k.waiting != Some(0) {
                assert_eq!(k.sla, f.sla, "{} after {s} s", k.id);
            } else {
                assert_eq!(k.sla.status, f.sla.status, "{} after {s} s", k.id);
            }
        }
        (kept, fresh)
    }

    #[test]
    fn a_new_snapshot_keeps_only_the_rows_whose_figures_did_not_move() {
        // Rows kept across snapshots must be what deriving everything again would give.
        let mut m = Model::new(config(), t0());
        m.apply(SourceEvent::Snapshot(Box::new(snapshot(4, t0()))));
        for s in [1, 2, 7, 65] {
            let at = t0() + ChronoDuration::seconds(s);
            let mut next = snapshot(4, at);
            // One queue's figures and one agent's state move; the rest only has new
            // timestamps.
            next.queues[1].live.waiting = Some(5 + s as u32);
            next.queues[1].today.offered = Some(40 + s as u64);
            if let Some(agents) = next.agents.as_mut() {
                agents[2].state = AgentState::AfterCallWork;
                agents[2].since = Some(at);
            }
            m.tick(at);
            m.apply(SourceEvent::Snapshot(Box::new(next)));
            let (kept, fresh) = kept_rows_match_a_full_derivation(&m, s);
            assert_eq!(kept.queues.len(), fresh.queues.len());
            for (k, f) in kept.queues.iter().zip(&fresh.queues) {
                assert_eq!(k.waiting, f.waiting, "{} after {s} s", k.id);
                assert_eq!(k.trend, f.trend, "{} after {s} s", k.id);
            }
            assert_eq!(kept.totals, fresh.totals);
        }
    }

    #[test]
    fn the_clock_recomputes_only_when_it_moves() {
        let mut m = Model::new(config(), t0());
        m.apply(SourceEvent::Snapshot(Box::new(snapshot(1, t0()))));
        let r = m.revision();
        m.tick(t0());
        assert_eq!(m.revision(), r, "same instant: nothing to redo");
        m.tick(t0() + ChronoDuration::seconds(1));
        assert_eq!(m.revision(), r + 1);
        assert_eq!(
            m.derived().agents[1].time_in_state_s,
            Some(2.0),
            "times in state follow the clock"
        );
        // Past the source's promised freshness, rows turn stale (SourceHealth::status_at).
        m.tick(t0() + ChronoDuration::seconds(16));
        assert!(m.derived().queues[0].stale);
        // `advance` defers the work to the next refresh.
        m.advance(t0() + ChronoDuration::seconds(17));
        assert_eq!(m.revision(), r + 2);
        m.refresh();
        assert_eq!(m.revision(), r + 3);
    }

    #[test]
    fn a_history_does_not_recompute_the_rows() {
        let mut m = Model::new(config(), t0());
        m.apply(SourceEvent::Snapshot(Box::new(snapshot(1, t0()))));
        let r = m.revision();
        let key = ("demo".to_string(), "a0".to_string());
        assert!(m.request_history(&key).is_some());
        assert!(
            m.request_history(&key).is_none(),
            "under way: not asked twice"
        );
        m.apply(SourceEvent::History {
            source: key.0.clone(),
            agent_id: key.1.clone(),
            result: Err("HTTP 503".into()),
        });
        assert_eq!(m.revision(), r);
        assert!(matches!(
            m.history.get(&key),
            Some(HistoryEntry::Failed { .. })
        ));
    }
}
