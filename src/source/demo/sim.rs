//! A discrete-event simulation of a contact centre.
//!
//! Time is integer milliseconds since the Unix epoch, so events order exactly and map to
//! real instants. Everything random comes from seeded ChaCha generators, so a seed and a
//! start instant give the same centre every time: one for the centre at work, one per
//! queue for its arrivals (so a queue's arrivals do not depend on how its calls went), and
//! one per incident and day (see [`incidents`]).

use std::cmp::Ordering;
use std::collections::{HashMap, VecDeque};

use dary_heap::QuaternaryHeap as BinaryHeap;

mod calendar;
mod idle;
pub mod incidents;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use self::calendar::{Calendar, Timed};
use self::idle::IdleIndex;
use self::incidents::{DayIncident, IncidentPlan, TAG_ARRIVALS, derive_seed};
use super::scenario::{IncidentKind, Scenario, Shift};
use crate::domain::time::{local_instant, local_minute_of_day, next_midnight, start_of_day};
use crate::domain::{
    Agent, AgentCounts, AgentState, Queue, QueueLive, QueueToday, SlObjective, StateSpan,
};

pub type Ms = i64;
const SECOND: Ms = 1000;
const MINUTE: Ms = 60 * SECOND;
const HOUR: Ms = 60 * MINUTE;
/// How much history each agent keeps (a little over the 24 h the app shows).
const HISTORY_KEEP: Ms = 26 * HOUR;
/// An agent's spans past `HISTORY_KEEP` are dropped when their count is a multiple of this.
const TRIM_EVERY: usize = 32;
/// Waiting-count samples for the trend sparkline: every 30 s, for 30 min.
const TREND_EVERY: Ms = 30 * SECOND;
const TREND_KEEP: usize = 61;
/// Interval counters are kept in 15-minute granules (aligned to the clock in every zone
/// with a whole-quarter-hour offset), for 8 days: today's seed the SL window, earlier
/// days are the history a time-of-day profile is learned from.
pub const GRAIN_MINUTES: u32 = 15;
const GRAIN: Ms = GRAIN_MINUTES as Ms * MINUTE;
const GRAINS_KEEP: usize = 8 * 24 * 4;
const DAY_MINUTES: u32 = 24 * 60;
/// Arrival candidates are drawn a quarter hour (UTC) at a time.
const SEGMENT_MINUTES: u32 = 15;
const SEGMENT: Ms = SEGMENT_MINUTES as Ms * MINUTE;
/// How far ahead a closed queue's next arrival is looked for in one go.
const ARRIVAL_HORIZON: Ms = 48 * HOUR;
/// How long an agent who ignores an offered call stays "not responding".
const NOT_RESPONDING_FOR: Ms = 60 * SECOND;
/// The reason shown for an agent kept away by a sick-call incident.
const OFF_SICK: &str = "Off sick";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    /// A new interaction arrives at queue `.0` (thinning candidate).
    Arrival(usize),
    /// An extra arrival of surge `.0` (thinning candidate).
    SurgeArrival(usize),
    /// Waiting call gives up.
    Abandon(u64),
    /// Agent finishes talking (gen guards against stale events).
    TalkEnd {
        agent: usize,
        generation: u64,
    },
    AcwEnd {
        agent: usize,
        generation: u64,
    },
    /// Planned absence (break, lunch, meeting) begins.
    AwayStart {
        agent: usize,
        kind: AwayKind,
    },
    AwayEnd {
        agent: usize,
        generation: u64,
    },
    NotRespondingEnd {
        agent: usize,
        generation: u64,
    },
    ShiftStart(usize),
    ShiftEnd(usize),
    /// An incident (sick call, outage) begins or ends for an agent.
    BlockStart(usize),
    BlockEnd(usize),
    /// Plan tomorrow's shifts and reset today's counters.
    Midnight,
    TrendSample,
}

/// An event due at `at`, the `seq`-th scheduled. Ordered for a min-heap on (time,
/// sequence number) alone: sequence numbers are unique, so the event never takes part.
#[derive(Debug, Clone, Copy)]
struct Due {
    at: Ms,
    seq: u64,
    ev: Event,
}

impl PartialEq for Due {
    fn eq(&self, other: &Self) -> bool {
        (self.at, self.seq) == (other.at, other.seq)
    }
}

impl Eq for Due {}

impl PartialOrd for Due {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Due {
    /// Reversed: the earliest is the greatest, the top of std's max-heap.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.at, other.seq).cmp(&(self.at, self.seq))
    }
}

impl Timed for Due {
    fn at(&self) -> Ms {
        self.at
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AwayKind {
    Break,
    Lunch,
    Meeting,
    Training,
    /// Pulled off the phones by an outage incident.
    Outage,
}

impl AwayKind {
    fn label(self) -> &'static str {
        match self {
            AwayKind::Break => "Break",
            AwayKind::Lunch => "Lunch",
            AwayKind::Meeting => "Meeting",
            AwayKind::Training => "Training",
            AwayKind::Outage => "Outage",
        }
    }
}

/// What became of a call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Outcome {
    Waiting,
    Answered { at: Ms, agent: usize },
    Abandoned { at: Ms },
}

#[derive(Debug, Clone)]
pub struct Call {
    pub id: u64,
    pub queue: usize,
    pub arrived: Ms,
    pub outcome: Outcome,
}

/// Today's counters of one queue (reset at local midnight).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Counters {
    pub offered: u64,
    pub answered: u64,
    pub answered_within: u64,
    pub abandoned: u64,
    pub abandoned_within: u64,
    pub wait_answered_ms: i64,
    pub handled: u64,
    pub handle_ms: i64,
}

#[derive(Debug, Clone)]
struct QueueSim {
    id: String,
    name: String,
    media: crate::domain::Media,
    target: f64,
    threshold_ms: Ms,
    peak_per_ms: f64,
    talk_ms: f64,
    acw_ms: f64,
    patience_ms: f64,
    profile: [f64; 24],
    profile_max: f64,
    waiting: VecDeque<u64>,
    today: Counters,
    trend: VecDeque<(Ms, u32)>,
    /// The queue's own zone (profile and hours).
    tz: Option<Tz>,
    /// Business hours in that zone; `None` = always open and not said.
    hours: Option<Shift>,
    /// Counters by arrival granule, oldest first.
    grains: VecDeque<(Ms, Grain)>,
    /// The queue's own arrival generator.
    arrivals: ChaCha8Rng,
    /// The quarter hour of the pending arrival candidate: (its start, the local minute of
    /// day at its start, the bound on the arrival rate in it), kept for the next draw.
    segment: (Ms, u32, f64),
}

/// One granule's counters (by the interval the call arrived in).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Grain {
    offered: u64,
    answered: u64,
    answered_within: u64,
    abandoned: u64,
    abandoned_within: u64,
}

impl QueueSim {
    /// The granule of a call that arrived at `arrived`, created when new.
    fn grain(&mut self, arrived: Ms) -> Option<&mut Grain> {
        let start = arrived.div_euclid(GRAIN) * GRAIN;
        if self.grains.back().is_none_or(|(s, _)| *s < start) {
            self.grains.push_back((start, Grain::default()));
            while self.grains.len() > GRAINS_KEEP {
                self.grains.pop_front();
            }
        }
        self.grains
            .iter_mut()
            .rev()
            .find(|(s, _)| *s == start)
            .map(|(_, g)| g)
    }

    /// Whether `t` is within the queue's hours (always, without hours).
    fn open_at(&self, t: Ms) -> bool {
        let (_, minute) = local_minute_of_day(to_dt(t), self.tz);
        self.open_at_minute(minute)
    }

    /// Whether local minute of day `minute` is within the queue's hours.
    fn open_at_minute(&self, minute: u32) -> bool {
        let Some(h) = self.hours else {
            return true;
        };
        let into = (minute % DAY_MINUTES + DAY_MINUTES - h.start_min % DAY_MINUTES) % DAY_MINUTES;
        into < h.len_min
    }

    /// Arrivals per ms at local minute of day `minute`: none while closed, else the peak
    /// times the profile, piecewise-linear between its hourly factors (volume ramps
    /// instead of stepping).
    fn rate_at_minute(&self, minute: u32) -> f64 {
        let minute = minute % DAY_MINUTES;
        if !self.open_at_minute(minute) {
            return 0.0;
        }
        let h = (minute / 60) as usize % 24;
        let frac = (minute % 60) as f64 / 60.0;
        let f = self.profile[h] * (1.0 - frac) + self.profile[(h + 1) % 24] * frac;
        self.peak_per_ms * f
    }
}

#[derive(Debug, Clone)]
struct AgentSim {
    id: String,
    name: String,
    skills: Vec<usize>,
    shift: Shift,
    /// The zone the shift is read in.
    tz: Option<Tz>,
    state: AgentState,
    /// The vendor-style label of the state (every label is a literal of this module).
    reason: &'static str,
    since: Ms,
    /// Bumped on every state change: scheduled end events from an older state are ignored.
    generation: u64,
    /// When the agent last became available (longest-idle routing).
    idle_since: Ms,
    /// The interaction being handled: (queue, arrived, answered at), for handle-time
    /// accounting.
    call: Option<(usize, Ms, Ms)>,
    /// Absence or log-out due while busy; applied when the agent is next free.
    pending_away: Option<(AwayKind, Ms)>,
    pending_logout: bool,
    /// Logged in for the shift.
    on_shift: bool,
    /// Within a planned shift (logged in or not: a sick agent is rostered but out).
    rostered: bool,
    /// Incidents keeping the agent away, planned a day or two ahead.
    blocks: Vec<Block>,
    history: VecDeque<Span>,
    /// Today's handle time (reset at midnight).
    today: AgentDay,
}

/// An agent's handle time today: interactions finished, and time talking and in after-call
/// work, each counted when it ends (as platforms do). The simulator has no holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgentDay {
    pub handled: u64,
    pub talk_ms: Ms,
    pub acw_ms: Ms,
}

/// A stretch of time an incident keeps an agent from work.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Block {
    from: Ms,
    to: Ms,
    kind: IncidentKind,
}

/// A surge in progress: extra arrivals at `extra` × the queue's rate until `to`.
#[derive(Debug, Clone)]
struct Surge {
    queue: usize,
    to: Ms,
    extra: f64,
    rng: ChaCha8Rng,
}

/// A closed span of an agent's history, kept compact (times in ms, a static label) and
/// turned into a [`StateSpan`] only when asked for.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: Ms,
    end: Ms,
    state: AgentState,
    reason: &'static str,
}

impl Span {
    fn to_domain(self) -> StateSpan {
        StateSpan {
            start: to_dt(self.start),
            end: to_dt(self.end),
            state: self.state,
            reason: Some(self.reason.to_string()),
        }
    }
}

/// The simulated centre.
pub struct Sim {
    rng: ChaCha8Rng,
    tz: Option<Tz>,
    now: Ms,
    seq: u64,
    /// Events of calls and agents at work, ordered by (time, sequence number).
    events: Calendar<Due>,
    /// The planned day (shift starts and ends, absences, midnight), a day or two ahead:
    /// kept apart so the busy heap above stays small. Both heaps share `seq`, so taking
    /// the earlier head of the two gives exactly the order of a single heap.
    agenda: BinaryHeap<Due>,
    queues: Vec<QueueSim>,
    agents: Vec<AgentSim>,
    /// The available agents of each queue, longest idle first (kept by `set_state`).
    idle: IdleIndex,
    calls: HashMap<u64, Call>,
    /// Finished calls, oldest first, kept for `HISTORY_KEEP` (for tests and audits).
    finished: VecDeque<Call>,
    /// Spans ending and calls arriving before this are not kept: while replaying towards
    /// an instant, what would be dropped by then is never stored.
    keep_from: Ms,
    next_call: u64,
    nr_chance: f64,
    /// Local midnight that started "today".
    day_start: Ms,
    incidents: IncidentPlan,
    /// The incidents planned so far, by day planned.
    planned: Vec<DayIncident>,
    /// Surges with arrivals still to come (a finished one leaves `None`).
    surges: Vec<Option<Surge>>,
}

/// The kept granules with the empty ones in between (and up to the current one) filled in.
fn fill_gaps(grains: &VecDeque<(Ms, Grain)>, now: Ms) -> impl Iterator<Item = (Ms, Grain)> + '_ {
    let current = now.div_euclid(GRAIN) * GRAIN;
    let first = grains.front().map(|(s, _)| *s).unwrap_or(current);
    let mut it = grains.iter().peekable();
    (0..)
        .map(move |k| first + k * GRAIN)
        .take_while(move |s| *s <= current)
        .map(move |s| match it.peek() {
            Some((gs, g)) if *gs == s => {
                let g = *g;
                it.next();
                (s, g)
            }
            _ => (s, Grain::default()),
        })
}

/// An exponential gap with the given mean, from `rng`.
fn exp_ms_with(rng: &mut ChaCha8Rng, mean: f64) -> Ms {
    // (0, 1]: safe for ln().
    let u = 1.0 - rng.random::<f64>();
    (-mean * u.ln()).round() as Ms
}

fn to_ms(t: DateTime<Utc>) -> Ms {
    t.timestamp_millis()
}

fn to_dt(ms: Ms) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

impl Sim {
    /// A centre whose clock starts at `start` with every agent logged out. Call
    /// [`Sim::warm_up`]-style `advance_to` to bring it to the present.
    pub fn new(scenario: &Scenario, seed: u64, start: DateTime<Utc>, tz: Option<Tz>) -> Sim {
        let queues: Vec<QueueSim> = scenario
            .queues
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let mut profile = [0.0; 24];
                let p = scenario
                    .profiles
                    .get(&q.profile)
                    .cloned()
                    .unwrap_or_default();
                for (i, f) in p.iter().take(24).enumerate() {
                    profile[i] = *f;
                }
                QueueSim {
                    segment: (0, 0, 0.0),
                    arrivals: ChaCha8Rng::seed_from_u64(derive_seed(
                        seed,
                        &[TAG_ARRIVALS, i as u64],
                    )),
                    tz: q.zone().or(tz),
                    hours: q.opening(),
                    grains: VecDeque::new(),
                    id: q.id.clone(),
                    name: q.name.clone(),
                    media: q.media,
                    target: q.target,
                    threshold_ms: (q.threshold_s().unwrap_or(20.0) * 1000.0) as Ms,
                    peak_per_ms: q.peak_per_hour / HOUR as f64,
                    talk_ms: q.talk * 1000.0,
                    acw_ms: q.acw * 1000.0,
                    patience_ms: q.patience * 1000.0,
                    profile_max: profile.iter().cloned().fold(0.0, f64::max),
                    profile,
                    waiting: VecDeque::new(),
                    today: Counters::default(),
                    trend: VecDeque::new(),
                }
            })
            .collect();
        let index: HashMap<&str, usize> = queues
            .iter()
            .enumerate()
            .map(|(i, q)| (q.id.as_str(), i))
            .collect();
        let start_ms = to_ms(start);
        let agents = scenario
            .agents
            .iter()
            .map(|a| AgentSim {
                id: a.id.clone(),
                name: a.name.clone(),
                skills: a
                    .skills
                    .iter()
                    .filter_map(|s| index.get(s.as_str()).copied())
                    .collect(),
                shift: a.shift(),
                tz: a
                    .timezone
                    .as_deref()
                    .and_then(|z| z.parse().ok())
                    .or_else(|| {
                        a.skills
                            .first()
                            .and_then(|s| scenario.queues.iter().find(|q| &q.id == s))
                            .and_then(|q| q.zone())
                    })
                    .or(tz),
                state: AgentState::Offline,
                reason: "Logged out",
                since: start_ms,
                generation: 0,
                idle_since: start_ms,
                call: None,
                pending_away: None,
                pending_logout: false,
                on_shift: false,
                rostered: false,
                blocks: Vec::new(),
                history: VecDeque::new(),
                today: AgentDay::default(),
            })
            .collect();
        let mut sim = Sim {
            rng: ChaCha8Rng::seed_from_u64(seed),
            tz,
            now: start_ms,
            seq: 0,
            events: Calendar::new(start_ms),
            agenda: BinaryHeap::new(),
            idle: IdleIndex::new(queues.len()),
            queues,
            agents,
            calls: HashMap::new(),
            finished: VecDeque::new(),
            keep_from: Ms::MIN,
            next_call: 1,
            nr_chance: scenario.not_responding_chance,
            day_start: to_ms(start_of_day(start, tz)),
            incidents: IncidentPlan::new(scenario, seed, tz),
            planned: Vec::new(),
            surges: Vec::new(),
        };
        // Shifts that began yesterday and are still running (overnight ones) start now.
        // Days are planned a day ahead: a shift in a zone east of the source's may start
        // before the source's midnight of its date.
        let yesterday = to_ms(start_of_day(start - chrono::Duration::hours(24), tz));
        sim.plan_day(to_dt(yesterday));
        sim.plan_day(to_dt(sim.day_start));
        sim.plan_day(next_midnight(start, tz));
        for q in 0..sim.queues.len() {
            sim.schedule_arrival(q);
        }
        let midnight = to_ms(next_midnight(start, tz));
        sim.push(midnight, Event::Midnight);
        sim.push(start_ms + TREND_EVERY, Event::TrendSample);
        sim
    }

    pub fn now(&self) -> DateTime<Utc> {
        to_dt(self.now)
    }

    /// Process every event up to and including `t`.
    pub fn advance_to(&mut self, t: DateTime<Utc>) {
        let t = to_ms(t);
        self.keep_from = self.keep_from.max(t - HISTORY_KEEP);
        loop {
            let busy = self.events.peek().map(|d| (d.at, d.seq));
            let planned = self.agenda.peek().map(|d| (d.at, d.seq));
            let (from_agenda, at) = match (busy, planned) {
                (Some(b), Some(p)) if p < b => (true, p.0),
                (Some(b), _) => (false, b.0),
                (None, Some(p)) => (true, p.0),
                (None, None) => break,
            };
            if at > t {
                break;
            }
            let next = if from_agenda {
                self.agenda.pop()
            } else {
                self.events.pop()
            };
            let Some(Due { at, ev, .. }) = next else {
                break;
            };
            self.now = at;
            self.handle(ev);
        }
        self.now = self.now.max(t);
    }

    fn push(&mut self, at: Ms, ev: Event) {
        self.seq += 1;
        let entry = Due {
            at: at.max(self.now),
            seq: self.seq,
            ev,
        };
        match ev {
            Event::ShiftStart(_)
            | Event::ShiftEnd(_)
            | Event::BlockStart(_)
            | Event::BlockEnd(_)
            | Event::AwayStart { .. }
            | Event::Midnight => self.agenda.push(entry),
            _ => self.events.push(entry),
        }
    }

    fn uniform(&mut self) -> f64 {
        // (0, 1]: safe for ln().
        1.0 - self.rng.random::<f64>()
    }

    fn exp_ms(&mut self, mean: f64) -> Ms {
        exp_ms_with(&mut self.rng, mean)
    }

    /// Gamma(2) with the given mean: handle times are rarely near zero.
    fn gamma2_ms(&mut self, mean: f64) -> Ms {
        let half = mean / 2.0;
        (-half * self.uniform().ln() - half * self.uniform().ln()).round() as Ms
    }

    fn jitter(&mut self, spread: Ms) -> Ms {
        if spread <= 0 {
            return 0;
        }
        self.rng.random_range(-spread..=spread)
    }

    // ---- arrivals ---------------------------------------------------------------------

    fn rate_at(&self, q: usize, t: Ms) -> f64 {
        let qs = &self.queues[q];
        let (_, minute) = local_minute_of_day(to_dt(t), qs.tz);
        qs.rate_at_minute(minute)
    }

    /// Non-homogeneous Poisson arrivals by thinning, drawn from the queue's own generator.
    /// The bound is the highest rate of the quarter hour (UTC) the candidate falls in, so
    /// few candidates are thinned out and closed hours cost nothing: a draw that passes
    /// the quarter's end starts again from there with the next quarter's bound (exact, as
    /// the exponential has no memory). Every zone's offset is a whole number of quarter
    /// hours, so a quarter is within one local hour and its minutes follow each other.
    fn schedule_arrival(&mut self, q: usize) {
        let mut from = self.now;
        let horizon = self.now + ARRIVAL_HORIZON;
        while from < horizon {
            let start = from.div_euclid(SEGMENT) * SEGMENT;
            let end = start + SEGMENT;
            let qs = &mut self.queues[q];
            let bound = if qs.segment.0 == start {
                qs.segment.2
            } else {
                let (_, m0) = local_minute_of_day(to_dt(start), qs.tz);
                let bound = (0..SEGMENT_MINUTES)
                    .map(|k| qs.rate_at_minute(m0 + k))
                    .fold(0.0, f64::max);
                qs.segment = (start, m0, bound);
                bound
            };
            if bound > 0.0 {
                let gap = exp_ms_with(&mut qs.arrivals, 1.0 / bound).max(1);
                if from + gap < end {
                    self.push(from + gap, Event::Arrival(q));
                    return;
                }
            }
            from = end;
        }
        // No arrivals possible for the whole horizon: look again at its end (a check,
        // not a candidate: see `on_arrival`).
        self.queues[q].segment = (Ms::MIN, 0, 0.0);
        self.push(horizon, Event::Arrival(q));
    }

    fn on_arrival(&mut self, q: usize) {
        let (start, m0, bound) = self.queues[q].segment;
        let now = self.now;
        self.schedule_arrival(q);
        if bound <= 0.0 || now < start || now >= start + SEGMENT {
            return; // a horizon check, not a candidate
        }
        let minute = m0 + ((now - start) / MINUTE) as u32;
        let rate = self.queues[q].rate_at_minute(minute);
        let roll = self.queues[q].arrivals.random::<f64>();
        if roll * bound >= rate {
            return; // thinned out
        }
        self.offer(q);
    }

    /// The next candidate of surge `k`, or its end.
    fn schedule_surge(&mut self, k: usize, from: Ms) {
        let Some(Some(surge)) = self.surges.get_mut(k) else {
            return;
        };
        let q = surge.queue;
        let max = self.queues[q].peak_per_ms * self.queues[q].profile_max * surge.extra;
        let next = (max > 0.0).then(|| from + exp_ms_with(&mut surge.rng, 1.0 / max).max(1));
        match next {
            Some(at) if at < surge.to => self.push(at, Event::SurgeArrival(k)),
            _ => self.surges[k] = None,
        }
    }

    /// A surge's extra arrivals: `extra` × the queue's rate (none while it is closed).
    fn on_surge_arrival(&mut self, k: usize) {
        let Some(Some(surge)) = self.surges.get_mut(k) else {
            return;
        };
        let q = surge.queue;
        let extra = surge.extra;
        let roll = surge.rng.random::<f64>();
        let max = self.queues[q].peak_per_ms * self.queues[q].profile_max * extra;
        let now = self.now;
        self.schedule_surge(k, now);
        if roll * max < self.rate_at(q, now) * extra {
            self.offer(q);
        }
    }

    /// A new interaction at queue `q`, now.
    fn offer(&mut self, q: usize) {
        let id = self.next_call;
        self.next_call += 1;
        self.calls.insert(
            id,
            Call {
                id,
                queue: q,
                arrived: self.now,
                outcome: Outcome::Waiting,
            },
        );
        self.queues[q].today.offered += 1;
        let now = self.now;
        if let Some(g) = self.queues[q].grain(now) {
            g.offered += 1;
        }
        self.queues[q].waiting.push_back(id);
        let patience = self.queues[q].patience_ms;
        // The give-up time is drawn and its place in the event order taken now; the event
        // itself is only queued if the call is still waiting after routing (most calls are
        // answered at once, and their abandon would be a no-op).
        let abandon = if patience > 0.0 {
            let p = self.exp_ms(patience);
            self.seq += 1;
            Some(((self.now + p).max(self.now), self.seq))
        } else {
            None
        };
        self.route_queue(q);
        if let Some((at, seq)) = abandon
            && self.calls.contains_key(&id)
        {
            self.events.push(Due {
                at,
                seq,
                ev: Event::Abandon(id),
            });
        }
    }

    fn on_abandon(&mut self, id: u64) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        if call.outcome != Outcome::Waiting {
            return;
        }
        let q = call.queue;
        let arrived = call.arrived;
        let waited = self.now - arrived;
        self.queues[q].waiting.retain(|c| *c != id);
        let qs = &mut self.queues[q];
        let within = waited <= qs.threshold_ms;
        if arrived >= self.day_start {
            qs.today.abandoned += 1;
            if within {
                qs.today.abandoned_within += 1;
            }
        }
        if let Some(g) = qs.grain(arrived) {
            g.abandoned += 1;
            g.abandoned_within += u64::from(within);
        }
        self.finish_call(id, Outcome::Abandoned { at: self.now });
    }

    fn finish_call(&mut self, id: u64, outcome: Outcome) {
        if let Some(mut c) = self.calls.remove(&id)
            && c.arrived >= self.keep_from
        {
            c.outcome = outcome;
            self.finished.push_back(c);
        }
        while let Some(f) = self.finished.front() {
            if f.arrived < self.now - HISTORY_KEEP {
                self.finished.pop_front();
            } else {
                break;
            }
        }
    }

    // ---- routing ----------------------------------------------------------------------

    /// Offer queue `q`'s waiting calls to its longest-idle available agents.
    fn route_queue(&mut self, q: usize) {
        while let Some(&call) = self.queues[q].waiting.front() {
            let chosen = self.idle.longest_idle(q);
            #[cfg(test)]
            assert_eq!(
                chosen,
                self.longest_idle_by_scan(q),
                "idle index at {}",
                self.now
            );
            let Some(agent) = chosen else {
                return;
            };
            if self.nr_chance > 0.0 && self.rng.random::<f64>() < self.nr_chance {
                // The agent ignores the offer; the call stays at the head for the next one.
                self.set_state(agent, AgentState::NotResponding, "Not responding");
                let generation = self.agents[agent].generation;
                self.push(
                    self.now + NOT_RESPONDING_FOR,
                    Event::NotRespondingEnd { agent, generation },
                );
                continue;
            }
            self.queues[q].waiting.pop_front();
            self.assign(agent, call);
        }
    }

    /// The routing rule the idle index implements, by a scan of every agent (tests only).
    #[cfg(test)]
    fn longest_idle_by_scan(&self, q: usize) -> Option<usize> {
        (0..self.agents.len())
            .filter(|&a| {
                self.agents[a].state == AgentState::Available && self.agents[a].skills.contains(&q)
            })
            .min_by_key(|&a| (self.agents[a].idle_since, a))
    }

    /// A free agent takes the waiting call most at risk: the highest wait relative to its
    /// queue's threshold (so a 4-hour email does not starve a 60-second chat).
    fn agent_free(&mut self, agent: usize) {
        if self.apply_pending(agent) || self.apply_block(agent) {
            return;
        }
        let mut best: Option<(f64, usize)> = None;
        for &q in &self.agents[agent].skills {
            if let Some(&c) = self.queues[q].waiting.front()
                && let Some(call) = self.calls.get(&c)
            {
                let score =
                    (self.now - call.arrived) as f64 / self.queues[q].threshold_ms.max(1) as f64;
                if best.is_none_or(|(s, _)| score > s) {
                    best = Some((score, q));
                }
            }
        }
        match best {
            Some((_, q)) => {
                if let Some(call) = self.queues[q].waiting.pop_front() {
                    self.assign(agent, call);
                }
            }
            None => {
                self.agents[agent].idle_since = self.now;
                self.set_state(agent, AgentState::Available, "Available");
            }
        }
    }

    fn assign(&mut self, agent: usize, call: u64) {
        let Some(c) = self.calls.get(&call) else {
            return;
        };
        let q = c.queue;
        let arrived = c.arrived;
        let waited = self.now - arrived;
        let counts_today = arrived >= self.day_start;
        let qs = &mut self.queues[q];
        // Outcomes count on the day the interaction arrived (platforms aggregate by
        // conversation start), so offered = answered + abandoned + waiting holds exactly.
        let within = waited <= qs.threshold_ms;
        if counts_today {
            qs.today.answered += 1;
            qs.today.wait_answered_ms += waited;
            if within {
                qs.today.answered_within += 1;
            }
        }
        if let Some(g) = qs.grain(arrived) {
            g.answered += 1;
            g.answered_within += u64::from(within);
        }
        let talk_mean = qs.talk_ms;
        let reason = match qs.media {
            crate::domain::Media::Voice | crate::domain::Media::Callback => "On call",
            crate::domain::Media::Chat | crate::domain::Media::Message => "On chat",
            crate::domain::Media::Email => "On email",
            _ => "Interacting",
        };
        self.finish_call(
            call,
            Outcome::Answered {
                at: self.now,
                agent,
            },
        );
        let talk = self.gamma2_ms(talk_mean).max(5 * SECOND);
        self.set_state(agent, AgentState::Busy, reason);
        self.agents[agent].call = Some((q, arrived, self.now));
        let generation = self.agents[agent].generation;
        self.push(self.now + talk, Event::TalkEnd { agent, generation });
    }

    // ---- agent state --------------------------------------------------------------------

    /// The one place an agent's state changes; it keeps the idle index in step (an agent
    /// becoming available must have `idle_since` set first).
    fn set_state(&mut self, agent: usize, state: AgentState, reason: &'static str) {
        let now = self.now;
        let a = &mut self.agents[agent];
        if now > a.since && now >= self.keep_from {
            a.history.push_back(Span {
                start: a.since,
                end: now,
                state: a.state,
                reason: a.reason,
            });
        }
        // Spans older than `HISTORY_KEEP` go in batches: looking at the oldest span on
        // every change costs a cache miss per event, for nothing most of the time.
        if a.history.len().is_multiple_of(TRIM_EVERY) {
            while let Some(front) = a.history.front() {
                if front.end < now - HISTORY_KEEP {
                    a.history.pop_front();
                } else {
                    break;
                }
            }
        }
        if a.state == AgentState::Available {
            self.idle.remove(agent, a.idle_since, &a.skills);
        }
        if state == AgentState::Available {
            self.idle.insert(agent, a.idle_since, &a.skills);
        }
        a.state = state;
        a.reason = reason;
        a.since = now;
        a.generation += 1;
    }

    /// Start a pending absence or log-out; true when one was applied.
    fn apply_pending(&mut self, agent: usize) -> bool {
        if self.agents[agent].pending_logout {
            self.agents[agent].pending_logout = false;
            self.agents[agent].pending_away = None;
            self.agents[agent].on_shift = false;
            self.set_state(agent, AgentState::Offline, "Logged out");
            return true;
        }
        if let Some((kind, len)) = self.agents[agent].pending_away.take() {
            self.go_away(agent, kind, len);
            return true;
        }
        false
    }

    /// The incident keeping the agent away now, with its end.
    fn block_now(&self, agent: usize) -> Option<Block> {
        let now = self.now;
        self.agents[agent]
            .blocks
            .iter()
            .find(|b| b.from <= now && now < b.to)
            .copied()
    }

    /// Start the incident keeping a free agent away; true when one was applied. A sick
    /// agent goes home, an outage pulls the agent off the phones until it ends.
    fn apply_block(&mut self, agent: usize) -> bool {
        let Some(b) = self.block_now(agent) else {
            return false;
        };
        match b.kind {
            IncidentKind::Sick => {
                let a = &mut self.agents[agent];
                a.on_shift = false;
                a.pending_away = None;
                a.pending_logout = false;
                self.set_state(agent, AgentState::Offline, OFF_SICK);
            }
            IncidentKind::Outage => self.go_away(agent, AwayKind::Outage, b.to - self.now),
            IncidentKind::Surge => return false,
        }
        true
    }

    fn go_away(&mut self, agent: usize, kind: AwayKind, len: Ms) {
        self.set_state(agent, AgentState::Unavailable, kind.label());
        let generation = self.agents[agent].generation;
        self.push(self.now + len, Event::AwayEnd { agent, generation });
    }

    fn away_length(kind: AwayKind) -> Ms {
        match kind {
            AwayKind::Break => 15 * MINUTE,
            AwayKind::Lunch => 30 * MINUTE,
            AwayKind::Meeting => 30 * MINUTE,
            AwayKind::Training | AwayKind::Outage => 60 * MINUTE,
        }
    }

    /// Schedule every shift (with its breaks, lunch and the odd meeting) starting on the
    /// local day that begins at `day`.
    fn plan_day(&mut self, day: DateTime<Utc>) {
        let (date, _) = local_minute_of_day(day, self.tz);
        self.plan_incidents(date);
        for agent in 0..self.agents.len() {
            let shift = self.agents[agent].shift;
            let Some(start) = local_instant(date, shift.start_min, self.agents[agent].tz) else {
                continue;
            };
            let start = to_ms(start) + self.jitter(4 * MINUTE);
            let end = start + shift.len_min as Ms * MINUTE + self.jitter(6 * MINUTE);
            if end <= self.now {
                continue;
            }
            self.push(start, Event::ShiftStart(agent));
            self.push(end, Event::ShiftEnd(agent));
            let len = end - start;
            let mut plan = vec![(2 * HOUR, AwayKind::Break)];
            if len >= 6 * HOUR {
                plan.push((4 * HOUR, AwayKind::Lunch));
            }
            if len >= 7 * HOUR {
                plan.push((6 * HOUR, AwayKind::Break));
            }
            if self.rng.random::<f64>() < 0.12 {
                plan.push((5 * HOUR + 15 * MINUTE, AwayKind::Meeting));
            } else if self.rng.random::<f64>() < 0.05 {
                plan.push((HOUR, AwayKind::Training));
            }
            for (offset, kind) in plan {
                let at = start + offset + self.jitter(12 * MINUTE);
                if at > self.now && at < end {
                    self.push(at, Event::AwayStart { agent, kind });
                }
            }
        }
    }

    /// Plan the incidents of `date` (each in its queue's calendar): a surge's extra
    /// arrivals, the agents a sick call or an outage keeps away.
    fn plan_incidents(&mut self, date: chrono::NaiveDate) {
        if self.incidents.is_empty() {
            return;
        }
        let now = self.now;
        for a in &mut self.agents {
            a.blocks.retain(|b| b.to > now);
        }
        self.planned.retain(|i| to_ms(i.to) > now - HISTORY_KEEP);
        for inc in self.incidents.on(date) {
            let (from, to) = (to_ms(inc.from), to_ms(inc.to));
            if to <= now {
                continue;
            }
            match inc.kind {
                IncidentKind::Surge => {
                    let k = self.surges.len();
                    self.surges.push(Some(Surge {
                        queue: inc.queue,
                        to,
                        extra: inc.factor - 1.0,
                        rng: ChaCha8Rng::seed_from_u64(inc.seed),
                    }));
                    self.schedule_surge(k, from.max(now));
                }
                IncidentKind::Sick | IncidentKind::Outage => {
                    for s in &inc.agents {
                        let Some(a) = self.agents.get_mut(s.agent) else {
                            continue;
                        };
                        let (from, to) = (to_ms(s.from), to_ms(s.to));
                        a.blocks.push(Block {
                            from,
                            to,
                            kind: inc.kind,
                        });
                        self.push(from, Event::BlockStart(s.agent));
                        self.push(to, Event::BlockEnd(s.agent));
                    }
                }
            }
            self.planned.push(inc);
        }
    }

    fn handle(&mut self, ev: Event) {
        match ev {
            Event::Arrival(q) => self.on_arrival(q),
            Event::SurgeArrival(k) => self.on_surge_arrival(k),
            Event::Abandon(id) => self.on_abandon(id),
            Event::TalkEnd { agent, generation } => {
                if self.agents[agent].generation != generation {
                    return;
                }
                if let Some((_, _, answered_at)) = self.agents[agent].call {
                    self.agents[agent].today.talk_ms += self.now - answered_at;
                }
                self.set_state(agent, AgentState::AfterCallWork, "After call work");
                let acw_mean = self.agents[agent]
                    .call
                    .map(|(q, _, _)| self.queues[q].acw_ms)
                    .unwrap_or(30_000.0);
                let acw = if acw_mean > 0.0 {
                    self.gamma2_ms(acw_mean)
                } else {
                    0
                };
                let generation = self.agents[agent].generation;
                self.push(self.now + acw, Event::AcwEnd { agent, generation });
            }
            Event::AcwEnd { agent, generation } => {
                if self.agents[agent].generation != generation {
                    return;
                }
                let a = &mut self.agents[agent];
                if a.call.is_some() {
                    a.today.handled += 1;
                    a.today.acw_ms += self.now - a.since;
                }
                if let Some((q, arrived, answered_at)) = self.agents[agent].call.take()
                    && arrived >= self.day_start
                {
                    self.queues[q].today.handled += 1;
                    self.queues[q].today.handle_ms += self.now - answered_at;
                }
                self.agent_free(agent);
                self.route_skills(agent);
            }
            Event::AwayStart { agent, kind } => {
                if !self.agents[agent].on_shift {
                    return;
                }
                let len = Self::away_length(kind) + self.jitter(3 * MINUTE);
                match self.agents[agent].state {
                    AgentState::Available => {
                        self.go_away(agent, kind, len);
                    }
                    AgentState::Busy | AgentState::AfterCallWork | AgentState::NotResponding => {
                        self.agents[agent].pending_away = Some((kind, len));
                    }
                    _ => {}
                }
            }
            Event::AwayEnd { agent, generation }
            | Event::NotRespondingEnd { agent, generation } => {
                if self.agents[agent].generation != generation {
                    return;
                }
                self.agent_free(agent);
                self.route_skills(agent);
            }
            Event::ShiftStart(agent) => {
                self.agents[agent].rostered = true;
                if self.agents[agent].on_shift {
                    return;
                }
                if self
                    .block_now(agent)
                    .is_some_and(|b| b.kind == IncidentKind::Sick)
                {
                    // Rang in sick: stays out (and says so).
                    if self.agents[agent].reason != OFF_SICK {
                        self.set_state(agent, AgentState::Offline, OFF_SICK);
                    }
                    return;
                }
                self.agents[agent].on_shift = true;
                self.agents[agent].pending_logout = false;
                self.agent_free(agent);
                self.route_skills(agent);
            }
            Event::ShiftEnd(agent) => {
                self.agents[agent].rostered = false;
                if !self.agents[agent].on_shift {
                    return;
                }
                match self.agents[agent].state {
                    AgentState::Busy | AgentState::AfterCallWork => {
                        self.agents[agent].pending_logout = true;
                    }
                    _ => {
                        self.agents[agent].on_shift = false;
                        self.agents[agent].pending_away = None;
                        self.set_state(agent, AgentState::Offline, "Logged out");
                    }
                }
            }
            Event::BlockStart(agent) => {
                let Some(b) = self.block_now(agent) else {
                    return;
                };
                match self.agents[agent].state {
                    // Free now: it applies at once; at work: when next free.
                    AgentState::Available => {
                        self.apply_block(agent);
                    }
                    AgentState::Offline
                        if b.kind == IncidentKind::Sick
                            && self.agents[agent].reason != OFF_SICK =>
                    {
                        self.set_state(agent, AgentState::Offline, OFF_SICK);
                    }
                    _ => {}
                }
            }
            Event::BlockEnd(agent) => {
                let a = &self.agents[agent];
                if a.state != AgentState::Offline
                    || a.reason != OFF_SICK
                    || self.block_now(agent).is_some()
                {
                    return;
                }
                if a.rostered {
                    // Back for the rest of the shift.
                    self.agents[agent].on_shift = true;
                    self.agent_free(agent);
                    self.route_skills(agent);
                } else {
                    self.set_state(agent, AgentState::Offline, "Logged out");
                }
            }
            Event::Midnight => {
                for q in &mut self.queues {
                    q.today = Counters::default();
                }
                for a in &mut self.agents {
                    a.today = AgentDay::default();
                }
                self.day_start = self.now;
                let next = to_ms(next_midnight(to_dt(self.now), self.tz));
                self.plan_day(to_dt(next));
                self.push(next, Event::Midnight);
            }
            Event::TrendSample => {
                let now = self.now;
                for q in &mut self.queues {
                    q.trend.push_back((now, q.waiting.len() as u32));
                    while q.trend.len() > TREND_KEEP {
                        q.trend.pop_front();
                    }
                }
                self.push(now + TREND_EVERY, Event::TrendSample);
            }
        }
    }

    /// After an agent frees up, other queues they serve may have callers and other idle
    /// agents (the state change can unblock routing there).
    fn route_skills(&mut self, agent: usize) {
        // By index: an agent's skills never change, and routing needs `&mut self`.
        for i in 0..self.agents[agent].skills.len() {
            let q = self.agents[agent].skills[i];
            self.route_queue(q);
        }
    }

    // ---- test and scenario hooks ------------------------------------------------------

    /// Send an agent on a break now (or when free), as a supervisor scenario would.
    pub fn force_away(&mut self, agent_id: &str, kind: AwayKind, len: std::time::Duration) {
        if let Some(a) = self.agents.iter().position(|a| a.id == agent_id) {
            let len = len.as_millis() as Ms;
            match self.agents[a].state {
                AgentState::Available => self.go_away(a, kind, len),
                AgentState::Offline => {}
                _ => self.agents[a].pending_away = Some((kind, len)),
            }
        }
    }

    // ---- views --------------------------------------------------------------------------

    /// The incidents planned so far (the days planned: yesterday to tomorrow, in the
    /// source's calendar), oldest day first, kept for a day after they end.
    pub fn incidents(&self) -> &[DayIncident] {
        &self.planned
    }

    pub fn queue_count(&self) -> usize {
        self.queues.len()
    }

    /// Every queue as domain values, as of now.
    pub fn queues(&self) -> Vec<Queue> {
        let now = to_dt(self.now);
        let tallies = self.state_tallies();
        (0..self.queues.len())
            .map(|q| {
                let qs = &self.queues[q];
                let ages: Vec<f64> = qs
                    .waiting
                    .iter()
                    .filter_map(|c| self.calls.get(c))
                    .map(|c| (self.now - c.arrived) as f64 / 1000.0)
                    .collect();
                let counts = AgentCounts::from_tally(tallies[q]);
                let t = &qs.today;
                let ratio = |n: u64, d: u64| (d > 0).then(|| n as f64 / d as f64);
                Queue {
                    id: qs.id.clone(),
                    name: qs.name.clone(),
                    media: qs.media,
                    vendor_objective: Some(SlObjective {
                        target: qs.target,
                        threshold_s: qs.threshold_ms as f64 / 1000.0,
                    }),
                    live: QueueLive {
                        observed_at: Some(now),
                        waiting: Some(ages.len() as u32),
                        longest_wait_s: Some(ages.first().copied().unwrap_or(0.0)),
                        waiting_ages_s: Some(ages),
                        agents: counts,
                    },
                    today: QueueToday {
                        fetched_at: Some(now),
                        offered: Some(t.offered),
                        answered: Some(t.answered),
                        abandoned: Some(t.abandoned),
                        answered_within_threshold: Some(t.answered_within),
                        abandoned_within_threshold: Some(t.abandoned_within),
                        asa_s: (t.answered > 0)
                            .then(|| t.wait_answered_ms as f64 / 1000.0 / t.answered as f64),
                        aht_s: (t.handled > 0)
                            .then(|| t.handle_ms as f64 / 1000.0 / t.handled as f64),
                        service_level: ratio(t.answered_within, t.answered + t.abandoned),
                        sl_counted: Some(t.answered + t.abandoned),
                        abandon_rate: ratio(t.abandoned, t.offered),
                        handle_time_total_s: Some(t.handle_ms as f64 / 1000.0),
                        handled: Some(t.handled),
                    },
                    recent_waiting: qs.trend.iter().map(|(t, n)| (to_dt(*t), *n)).collect(),
                }
            })
            .collect()
    }

    /// Every queue's interval counters (15-minute granules, up to 8 days, the current one
    /// so far) and hours, as a platform's interval report would give them.
    pub fn intervals(&self) -> Vec<crate::domain::QueueIntervals> {
        let now = self.now;
        self.queues
            .iter()
            .map(|qs| {
                let closes_at = qs.hours.and_then(|h| {
                    if !qs.open_at(now) || h.len_min >= 24 * 60 {
                        return None;
                    }
                    let (_, minute) = local_minute_of_day(to_dt(now), qs.tz);
                    let into = (minute + 24 * 60 - h.start_min) % (24 * 60);
                    let left = i64::from(h.len_min - into) * MINUTE;
                    Some(to_dt((now - now.rem_euclid(MINUTE)) + left))
                });
                crate::domain::QueueIntervals {
                    queue_id: qs.id.clone(),
                    open_now: qs.hours.map(|_| qs.open_at(now)),
                    closes_at,
                    intervals: fill_gaps(&qs.grains, now)
                        .map(|(start, g)| crate::domain::IntervalCounts {
                            start: to_dt(start),
                            minutes: GRAIN_MINUTES,
                            offered: g.offered,
                            answered: g.answered,
                            answered_within_threshold: g.answered_within,
                            abandoned: g.abandoned,
                            abandoned_within_threshold: g.abandoned_within,
                        })
                        .collect(),
                }
            })
            .collect()
    }

    /// Agents per state for every queue, in one pass over the agents (an agent listing a
    /// skill twice counts once).
    fn state_tallies(&self) -> Vec<[u32; AgentState::ALL.len()]> {
        let mut tallies = vec![[0u32; AgentState::ALL.len()]; self.queues.len()];
        for a in &self.agents {
            for (i, &q) in a.skills.iter().enumerate() {
                if !a.skills[..i].contains(&q) {
                    tallies[q][a.state as usize] += 1;
                }
            }
        }
        tallies
    }

    /// Every agent as domain values, as of now.
    pub fn agents(&self) -> Vec<Agent> {
        self.agents
            .iter()
            .map(|a| Agent {
                id: a.id.clone(),
                name: a.name.clone(),
                state: a.state,
                reason: Some(a.reason.to_string()),
                since: Some(to_dt(a.since)),
                queues: a
                    .skills
                    .iter()
                    .map(|&q| self.queues[q].id.clone())
                    .collect(),
                contact: a.call.and_then(|(q, _, _)| {
                    let qs = self.queues.get(q)?;
                    Some(crate::domain::AgentContact {
                        queue_id: Some(qs.id.clone()),
                        media: Some(qs.media),
                    })
                }),
                team: None,
            })
            .collect()
    }

    /// An agent's spans over `[from, to]` (closed history plus the open span to now).
    pub fn history(
        &self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Option<(String, Vec<StateSpan>)> {
        let a = self.agents.iter().find(|a| a.id == agent_id)?;
        let mut spans: Vec<StateSpan> = a
            .history
            .iter()
            .map(|s| s.to_domain())
            .filter(|s| s.end > from && s.start < to)
            .collect();
        let since = to_dt(a.since);
        if since < to {
            spans.push(StateSpan {
                start: since,
                end: to.max(since),
                state: a.state,
                reason: Some(a.reason.to_string()),
            });
        }
        Some((a.name.clone(), spans))
    }

    /// Calls that arrived in `[from, now]` with their outcome (for invariant checks).
    pub fn calls_since(&self, from: DateTime<Utc>) -> Vec<Call> {
        let from = to_ms(from);
        let mut out: Vec<Call> = self
            .finished
            .iter()
            .chain(self.calls.values())
            .filter(|c| c.arrived >= from)
            .cloned()
            .collect();
        out.sort_by_key(|c| c.id);
        out
    }

    /// An agent's handle time today (since [`Sim::day_start`]).
    pub fn agent_day(&self, agent_id: &str) -> Option<AgentDay> {
        self.agents
            .iter()
            .find(|a| a.id == agent_id)
            .map(|a| a.today)
    }

    /// Local midnight that began today's counters.
    pub fn day_start(&self) -> DateTime<Utc> {
        to_dt(self.day_start)
    }

    pub fn counters(&self, q: usize) -> &Counters {
        &self.queues[q].today
    }

    pub fn threshold_ms(&self, q: usize) -> Ms {
        self.queues[q].threshold_ms
    }

    pub fn waiting_ids(&self, q: usize) -> Vec<u64> {
        self.queues[q].waiting.iter().copied().collect()
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn warm(scenario: &Scenario, seed: u64, hour: u32) -> Sim {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 20, hour, 10, 0)
            .single()
            .expect("valid time");
        let mut sim = Sim::new(
            scenario,
            seed,
            now - chrono::Duration::hours(25),
            Some(chrono_tz::UTC),
        );
        sim.advance_to(now);
        sim
    }

    /// Every routing decision is checked against a scan of all agents (in `route_queue`,
    /// under `cfg(test)`); this drives many of them, at several sizes, seeds and hours.
    #[test]
    fn the_idle_index_routes_as_a_scan_would() {
        let scenarios = [Scenario::builtin(), Scenario::scaled(30, 240)];
        for scenario in &scenarios {
            for (seed, hour) in [(7, 10), (11, 3), (42, 17)] {
                let sim = warm(scenario, seed, hour);
                for q in 0..sim.queue_count() {
                    assert_eq!(sim.idle.longest_idle(q), sim.longest_idle_by_scan(q));
                    let available = sim
                        .agents
                        .iter()
                        .filter(|a| a.state == AgentState::Available && a.skills.contains(&q))
                        .count();
                    assert_eq!(sim.idle.len(q), available, "queue {q}");
                }
            }
        }
    }

    use crate::source::demo::scenario::IncidentSpec;
    use crate::source::demo::sim::incidents::incidents_on;

    fn day() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 2).unwrap_or_default()
    }

    fn midnight(d: chrono::NaiveDate) -> DateTime<Utc> {
        d.and_time(chrono::NaiveTime::MIN).and_utc()
    }

    /// The built-in centre without its own incidents, plus `incidents` (on `day()`).
    fn with_incidents(incidents: Vec<IncidentSpec>) -> Scenario {
        let mut s = Scenario::builtin();
        s.incidents = incidents;
        s
    }

    fn on_day(kind: IncidentKind, queue: &str, window: Option<&str>) -> IncidentSpec {
        IncidentSpec {
            kind,
            queue: queue.into(),
            window: window.map(String::from),
            chance: 0.0,
            days: vec!["2026-12-02".into()],
            factor: (kind == IncidentKind::Surge).then_some(3.0),
            share: (kind != IncidentKind::Surge).then_some(0.5),
            spread: None,
        }
    }

    /// The centre over `day()` (from two days before, as the demo source runs it).
    fn run_day(scenario: &Scenario, until: DateTime<Utc>) -> Sim {
        let start = midnight(day()) - chrono::Duration::days(2);
        let mut sim = Sim::new(scenario, 5, start, Some(chrono_tz::UTC));
        sim.advance_to(until);
        sim
    }

    fn arrivals(sim: &Sim, q: usize, from: DateTime<Utc>) -> Vec<Ms> {
        let mut a: Vec<Ms> = sim
            .calls_since(from)
            .into_iter()
            .filter(|c| c.queue == q)
            .map(|c| c.arrived)
            .collect();
        a.sort_unstable();
        a
    }

    #[test]
    fn a_surge_adds_arrivals_in_its_window_and_nowhere_else() {
        let base = with_incidents(Vec::new());
        let q = 0;
        let id = base.queues[q].id.clone();
        // In the middle of the queue's day (its own zone), whenever that is in UTC.
        let surged = with_incidents(vec![on_day(IncidentKind::Surge, &id, Some("10:00-11:00"))]);
        let tz = Some(chrono_tz::UTC);
        let inc = incidents_on(&surged, 5, day(), tz);
        assert_eq!(inc.len(), 1);
        let (from, to) = (to_ms(inc[0].from), to_ms(inc[0].to));
        assert_eq!(to - from, HOUR);
        let since = midnight(day()) - chrono::Duration::hours(1);
        let end = since + chrono::Duration::hours(26);
        let (a, b) = (run_day(&base, end), run_day(&surged, end));
        // Before the surge the two centres are the same in every respect.
        let (a0, b0) = (
            run_day(&base, to_dt(from - 1)),
            run_day(&surged, to_dt(from - 1)),
        );
        assert_eq!(a0.queues(), b0.queues());
        assert_eq!(a0.agents(), b0.agents());
        for other in 0..base.queues.len() {
            let (x, y) = (arrivals(&a, other, since), arrivals(&b, other, since));
            if other != q {
                assert_eq!(x, y, "queue {other}: arrivals untouched");
                continue;
            }
            let outside = |v: &[Ms]| -> Vec<Ms> {
                v.iter()
                    .copied()
                    .filter(|t| *t < from || *t >= to)
                    .collect()
            };
            assert_eq!(
                outside(&x),
                outside(&y),
                "the same calls outside the window"
            );
            let inside = |v: &[Ms]| -> Vec<Ms> {
                v.iter()
                    .copied()
                    .filter(|t| *t >= from && *t < to)
                    .collect()
            };
            let (xi, yi) = (inside(&x), inside(&y));
            assert!(
                xi.iter().all(|t| yi.binary_search(t).is_ok()),
                "every usual call still comes"
            );
            let ratio = yi.len() as f64 / xi.len().max(1) as f64;
            assert!(xi.len() > 20, "a busy hour: {}", xi.len());
            assert!(
                (2.3..3.7).contains(&ratio),
                "×3 in the window: {} → {}",
                xi.len(),
                yi.len()
            );
        }
    }

    #[test]
    fn sick_calls_and_outages_keep_the_drawn_agents_away_in_their_window_only() {
        let base = with_incidents(Vec::new());
        let (q0, q1) = (base.queues[0].id.clone(), base.queues[1].id.clone());
        let s = with_incidents(vec![
            on_day(IncidentKind::Outage, &q0, Some("10:00-11:30")),
            on_day(IncidentKind::Sick, &q1, None),
        ]);
        let tz = Some(chrono_tz::UTC);
        let inc = incidents_on(&s, 5, day(), tz);
        assert_eq!(inc.len(), 2);
        let (outage, sick) = (&inc[0], &inc[1]);
        assert!(!outage.agents.is_empty() && !sick.agents.is_empty());
        let first = outage.from.min(sick.from) - chrono::Duration::milliseconds(1);
        let (a0, b0) = (run_day(&base, first), run_day(&s, first));
        assert_eq!(a0.agents(), b0.agents(), "nothing changes before");
        let end = sick.to.max(outage.to) + chrono::Duration::hours(1);
        let sim = run_day(&s, end);
        let struck = |d: &DayIncident, i: usize| d.agents.iter().any(|s| s.agent == i);
        let mut off_sick = 0;
        let mut pulled = 0;
        for (i, a) in s.agents.iter().enumerate() {
            let (_, spans) = sim
                .history(&a.id, end - chrono::Duration::hours(26), end)
                .unwrap_or_default();
            for sp in &spans {
                let reason = sp.reason.as_deref().unwrap_or("");
                let within = |d: &DayIncident| sp.start >= d.from && sp.end <= d.to;
                if reason == OFF_SICK {
                    assert!(struck(sick, i) && within(sick), "{}: {sp:?}", a.id);
                    off_sick += 1;
                }
                if reason == "Outage" {
                    assert!(struck(outage, i) && within(outage), "{}: {sp:?}", a.id);
                    pulled += 1;
                }
                // No one struck takes a new contact or waits for one while struck.
                for d in [outage, sick] {
                    for st in d.agents.iter().filter(|st| st.agent == i) {
                        if sp.start >= st.from
                            && sp.start < st.to
                            && matches!(sp.state, AgentState::Available | AgentState::Busy)
                        {
                            panic!("{} works during the {:?}: {sp:?}", a.id, d.kind);
                        }
                    }
                }
            }
        }
        assert!(off_sick > 0, "someone was off sick");
        assert!(pulled > 0, "someone was pulled off the phones");
        // After the outage, the pulled agents are back at work.
        let back = sim
            .agents()
            .iter()
            .enumerate()
            .filter(|(i, a)| struck(outage, *i) && a.reason.as_deref() != Some("Outage"))
            .count();
        assert_eq!(back, outage.agents.len());
    }

    #[test]
    fn the_days_incidents_do_not_depend_on_where_the_simulation_started() {
        let s = with_incidents(vec![
            IncidentSpec {
                chance: 0.5,
                days: Vec::new(),
                spread: Some("1h".into()),
                ..on_day(
                    IncidentKind::Surge,
                    &Scenario::builtin().queues[0].id,
                    Some("10:00-11:00"),
                )
            },
            IncidentSpec {
                chance: 0.5,
                days: Vec::new(),
                ..on_day(IncidentKind::Sick, &Scenario::builtin().queues[1].id, None)
            },
        ]);
        let tz = Some(chrono_tz::UTC);
        let t = midnight(day()) + chrono::Duration::hours(12);
        let early = {
            let mut sim = Sim::new(&s, 8, t - chrono::Duration::days(3), tz);
            sim.advance_to(t);
            sim
        };
        let late = {
            let mut sim = Sim::new(&s, 8, t - chrono::Duration::hours(30), tz);
            sim.advance_to(t);
            sim
        };
        let mine = |sim: &Sim, d| -> Vec<DayIncident> {
            let want = incidents_on(&s, 8, d, tz);
            sim.incidents()
                .iter()
                .filter(|i| want.contains(i))
                .cloned()
                .collect()
        };
        for d in [day(), day().succ_opt().unwrap_or_default()] {
            let want = incidents_on(&s, 8, d, tz);
            assert_eq!(mine(&early, d), want, "{d}");
            assert_eq!(mine(&late, d), want, "{d}");
        }
        // Over a month the draws differ from day to day.
        let days: Vec<_> = (0..30)
            .map(|k| incidents_on(&s, 8, day() + chrono::Duration::days(k), tz))
            .collect();
        let with = days.iter().filter(|d| !d.is_empty()).count();
        assert!((5..30).contains(&with), "{with} days of 30 had an incident");
    }

    #[test]
    fn queue_counts_match_a_filter_over_all_agents() {
        let sim = warm(&Scenario::scaled(20, 150), 3, 11);
        for (q, queue) in sim.queues().iter().enumerate() {
            let expected = AgentCounts::from_states(
                sim.agents
                    .iter()
                    .filter(|a| a.skills.contains(&q))
                    .map(|a| a.state),
            );
            assert_eq!(queue.live.agents, expected, "queue {q}");
        }
    }
}
