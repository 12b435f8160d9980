//! The SLA of one queue as data: which policy applies, the live estimates it is judged
//! with, and the engine's verdict with its reasons (numbers, not words: `ui` words them).

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use crate::config::{SlVariant, SlWindow, SlaPolicy};
use crate::domain::{Queue, QueueIntervals};
use crate::sla::forecast::{self, Profile, Slot};
use crate::sla::{self, RiskInputs, RiskOutput, RiskPolicy, SlCounters};

use super::Model;

/// What the board's SLA column shows for one queue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlaCell {
    pub status: Option<SlaStatus>,
    pub projected_sl: Option<f64>,
    pub breach_probability: Option<f64>,
    /// The one-line reason.
    pub why: Option<SlaReason>,
    /// Further facts for the queue page (staffing gap, recovery…).
    pub detail: Vec<SlaDetail>,
    /// Our service level with the configured variant (may differ from the vendor's).
    pub current_sl: Option<f64>,
    pub required_agents: Option<u32>,
    pub staffing_gap: Option<i64>,
    /// The window judged: kind, start, end.
    pub window: Option<(SlWindow, DateTime<Utc>, DateTime<Utc>)>,
    /// End-of-window SL if every call not already lost is answered in time.
    pub best_case_sl: Option<f64>,
    /// The day as its own outlook (never the row's status).
    pub day: Option<DayOutlook>,
    /// Staffed agents once shared agents count by this queue's share of their offered
    /// load (`None`: nobody shared, or agents not listed by the source).
    pub effective_staffed: Option<f64>,
}

/// The day's own outlook: today so far, projected to the end of the day (or of the
/// queue's hours) with the time-of-day forecast, and the best case.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayOutlook {
    pub current_sl: Option<f64>,
    pub projected_sl: Option<f64>,
    pub best_case_sl: Option<f64>,
    pub outlook: Option<Outlook>,
    /// What the rest-of-day forecast was built from.
    pub basis: ForecastBasis,
}

/// ON_TRACK / AT_RISK / LOST.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outlook {
    /// The projection meets the target.
    OnTrack,
    /// The projection misses, the best case still meets it.
    AtRisk,
    /// Even answering every remaining call in time misses the target.
    Lost,
}

impl Outlook {
    pub fn as_str(self) -> &'static str {
        match self {
            Outlook::OnTrack => "ON_TRACK",
            Outlook::AtRisk => "AT_RISK",
            Outlook::Lost => "LOST",
        }
    }
}

/// Where the arrival forecast came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForecastBasis {
    /// A time-of-day profile learned from this many earlier days of the platform's
    /// interval history, scaled to the recent level.
    Profile { days: usize },
    /// The platform's recent intervals only (no earlier days): the recent rate, to the end
    /// of the day or of the queue's hours.
    RecentIntervals,
    /// No interval history: the live estimate, or today's average until it has enough.
    LiveEstimate,
}

/// The engine's status is the one the screen shows.
pub use crate::sla::Status as SlaStatus;

impl SlaCell {
    /// Sort key: higher is more urgent; `None` when unknown.
    pub fn rank(&self) -> Option<u8> {
        self.status.map(|s| match s {
            SlaStatus::Red | SlaStatus::Breached => 3,
            SlaStatus::Amber => 2,
            SlaStatus::Green | SlaStatus::Met => 1,
            SlaStatus::NoCalls | SlaStatus::Closed => 0,
        })
    }
}

/// Why a queue has the status it has (or none). Targets are fractions, times seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SlaReason {
    /// The platform counts "within threshold" against another threshold than configured.
    ThresholdMismatch {
        platform_s: f64,
        configured_s: f64,
    },
    /// The source does not give the counters this variant needs (yet).
    NoCounters,
    /// Interval window: no baseline for the current interval yet.
    WaitingForInterval,
    EstimatingArrivals,
    NoAgentCounts,
    NoHandleTime,
    /// Even answering every call in time cannot reach the target.
    Unrecoverable {
        target: f64,
        best_case: Option<f64>,
    },
    BelowTarget {
        target: f64,
        projected: Option<f64>,
    },
    NeedsAgents {
        more: u32,
    },
    CallerPastThreshold {
        threshold_s: f64,
    },
    BreachRisk {
        probability: f64,
        target: f64,
    },
    OnTrack {
        target: f64,
        threshold_s: f64,
    },
    WindowMet,
    WindowMissed,
    WindowNoCalls,
    /// Outside the queue's hours, nobody waiting, nobody staffed.
    Closed,
    /// Callers past the threshold and no agent free.
    CallersPastThresholdUnserved {
        n: u64,
        threshold_s: f64,
    },
}

/// One further fact about a queue's SLA, for the queue page.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum SlaDetail {
    /// Now, now counting callers past the threshold, projected, best case.
    Figures {
        current: Option<f64>,
        current_incl_waiting: Option<f64>,
        projected: Option<f64>,
        best_case: Option<f64>,
        threshold_s: f64,
    },
    /// Callers already waiting past the threshold: misses whatever happens.
    LockedMisses {
        n: u64,
        threshold_s: f64,
    },
    /// Short of agents (`effective`: the staffed agents' worth once shared agents count
    /// by this queue's share of their work).
    Staffing {
        staffed: u32,
        effective: Option<f64>,
        needed: u32,
        more: i64,
        target: f64,
        threshold_s: f64,
    },
    /// Enough agents, with some to spare.
    StaffingSpare {
        staffed: u32,
        effective: Option<f64>,
        needed: u32,
        spare: i64,
    },
    /// No staffing level meets the target at this volume.
    StaffingOutOfReach {
        staffed: u32,
        target: f64,
    },
    /// Consecutive calls answered in time that bring the SL back to target.
    CallsToRecover {
        n: u64,
        target: f64,
        threshold_s: f64,
    },
    /// Misses the window can still absorb at forecast volume.
    MissesLeft {
        n: i64,
    },
    NoMissesLeft,
    /// What the engine was fed.
    Inputs {
        calls_per_hour: f64,
        aht_s: f64,
        idle: u32,
        staffed: u32,
        erlangs: f64,
        window_left_s: f64,
    },
    /// No handle-time data today: staffing figures are unknown.
    StaffingUnknown,
    /// The interval was counted from this instant (queuetop joined late).
    CountedSince(DateTime<Utc>),
    /// Short abandons are configured but the counters cannot exclude them.
    ShortAbandonsNotExcluded {
        short_abandon_s: f64,
    },
    /// The day's outlook, beside the window's status.
    Day(DayOutlook),
    /// What the rest-of-window arrival rate was built from.
    Arrivals(ForecastBasis),
    /// `shared` of the `staffed` agents also serve other queues: they are worth
    /// `effective` agents of this queue's work (staffing is judged on that).
    SharedAgents {
        staffed: u32,
        effective: f64,
        shared: u32,
    },
}

impl SlaDetail {
    /// Facts that depend on handle time (dropped when it is unknown).
    fn needs_aht(&self) -> bool {
        matches!(
            self,
            SlaDetail::Staffing { .. }
                | SlaDetail::StaffingSpare { .. }
                | SlaDetail::StaffingOutOfReach { .. }
                | SlaDetail::Inputs { .. }
        )
    }
}

/// The `[[sla.queues]]` patterns, compiled once (they are matched for every queue on
/// every model change).
#[derive(Debug, Clone, Default)]
pub struct OverrideMatchers(Vec<Option<globset::GlobMatcher>>);

impl OverrideMatchers {
    pub fn new(config: &crate::config::Config) -> OverrideMatchers {
        OverrideMatchers(
            config
                .sla
                .queues
                .iter()
                .map(|o| {
                    globset::GlobBuilder::new(&o.pattern)
                        .case_insensitive(true)
                        .build()
                        .ok()
                        .map(|g| g.compile_matcher())
                })
                .collect(),
        )
    }
}

/// The policy for `q`: the first `[[sla.queues]]` whose pattern matches its name or id, then
/// the platform's own target for the queue, then `[sla]`.
pub fn policy_for(
    config: &crate::config::Config,
    matchers: &OverrideMatchers,
    q: &Queue,
) -> SlaPolicy {
    let mut p = config.sla.defaults.clone();
    if let Some(v) = q.vendor_objective {
        p.target = v.target;
        p.threshold_s = v.threshold_s;
    }
    let found = config
        .sla
        .queues
        .iter()
        .zip(&matchers.0)
        .find(|(o, m)| o.pattern == q.id || m.as_ref().is_some_and(|m| m.is_match(&q.name)));
    if let Some((o, _)) = found {
        if let Some(t) = o.target {
            p.target = t;
        }
        if let Some(t) = o.threshold_s {
            p.threshold_s = t;
        }
        if let Some(v) = o.variant {
            p.variant = v;
        }
        if let Some(w) = o.window {
            p.window = w;
        }
        if let Some(s) = o.short_abandon_s {
            p.short_abandon_s = s;
        }
    }
    p
}

/// Live estimates for one queue, fed by every snapshot (see `crate::sla::estimate`).
#[derive(Debug, Clone, Default)]
pub struct QueueEstimates {
    pub arrivals: sla::ArrivalRateEstimator,
    pub aht: sla::AhtEstimator,
    /// The last counters seen and when (to start the next interval from).
    pub last: Option<(DateTime<Utc>, SlCounters)>,
    /// Where counting of the current SL interval starts (interval windows only).
    pub baseline: Option<Baseline>,
}

/// The counters an interval is measured from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Baseline {
    /// The interval's start.
    pub window_start: DateTime<Utc>,
    pub counters: SlCounters,
    /// When counting really began: the interval start, or later if we joined late.
    pub counted_since: DateTime<Utc>,
}

impl QueueEstimates {
    /// Note the counters seen at `at` for a window starting at `window_start`.
    /// `day_start`: the counters restart at local midnight. `gap`: how far before the
    /// boundary a sample may be and still stand for the boundary (about two refreshes).
    pub fn track_interval(
        &mut self,
        c: SlCounters,
        at: DateTime<Utc>,
        window_start: DateTime<Utc>,
        day_start: DateTime<Utc>,
        gap: Duration,
    ) {
        if self.baseline.is_none_or(|b| b.window_start != window_start) {
            let from_boundary = if window_start == day_start {
                // The day's counters restart at midnight: the first interval starts from zero.
                Some(SlCounters::default())
            } else {
                self.last
                    .filter(|(t, _)| *t <= window_start && window_start - *t <= gap)
                    .map(|(_, lc)| lc)
            };
            self.baseline = Some(match from_boundary {
                Some(counters) => Baseline {
                    window_start,
                    counters,
                    counted_since: window_start,
                },
                None => Baseline {
                    window_start,
                    counters: c,
                    counted_since: at,
                },
            });
        }
        self.last = Some((at, c));
    }
}

impl QueueEstimates {
    /// Feed one observation of the queue's cumulative counters.
    pub fn observe(&mut self, q: &Queue, at: DateTime<Utc>) {
        let t = at.timestamp_millis() as f64 / 1000.0;
        if let Some(offered) = q.today.offered {
            self.arrivals.observe(t, offered);
        }
        if let (Some(n), Some(total)) = (q.today.handled, q.today.handle_time_total_s) {
            self.aht.observe(t, n, total);
        }
    }
}

/// The queue's SL counters for today, when the source gives what `variant` needs.
/// Abandons within the threshold only matter to the variants that treat them apart.
pub fn counters_of(q: &Queue, variant: SlVariant) -> Option<SlCounters> {
    let t = &q.today;
    let needs_short = matches!(
        variant,
        SlVariant::IgnoreAbandonsWithinT | SlVariant::AbandonsPositive
    );
    let abandoned_within_t = match t.abandoned_within_threshold {
        Some(n) => n,
        None if needs_short => return None,
        None => 0,
    };
    Some(SlCounters {
        answered_total: t.answered?,
        answered_within_t: t.answered_within_threshold?,
        abandoned_total: t.abandoned?,
        abandoned_within_t,
    })
}

fn minus(a: SlCounters, b: SlCounters) -> SlCounters {
    SlCounters {
        answered_total: a.answered_total.saturating_sub(b.answered_total),
        answered_within_t: a.answered_within_t.saturating_sub(b.answered_within_t),
        abandoned_total: a.abandoned_total.saturating_sub(b.abandoned_total),
        abandoned_within_t: a.abandoned_within_t.saturating_sub(b.abandoned_within_t),
    }
}

/// Start and end of the SL window containing `now`, in the centre's time zone.
pub fn window_bounds(
    tz: Option<Tz>,
    policy: &SlaPolicy,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    match policy.window {
        SlWindow::Day => (
            crate::domain::time::start_of_day(now, tz),
            crate::domain::time::next_midnight(now, tz),
        ),
        SlWindow::Minutes(m) => {
            let start = crate::domain::time::interval_start(now, tz, m);
            (start, start + Duration::minutes(i64::from(m.max(1))))
        }
    }
}

/// The arrival rate for the rest of the window: the recent EWMA once it has seen enough,
/// else today's average so far (documented in `crate::sla::estimate`).
fn arrival_rate(m: &Model, q: &Queue, est: Option<&QueueEstimates>) -> Option<f64> {
    let recent = est.and_then(|e| {
        e.arrivals
            .rate_per_hour()
            .filter(|_| e.arrivals.coverage() >= 0.3)
    });
    if recent.is_some() {
        return recent;
    }
    let now = m.now();
    let since =
        (now - crate::domain::time::start_of_day(now, m.config.timezone)).num_seconds() as f64;
    match q.today.offered {
        Some(n) if since >= 600.0 => Some(n as f64 * 3600.0 / since),
        _ => est.and_then(|e| e.arrivals.rate_per_hour()),
    }
}

/// A queue's offered load in erlangs (arrivals × handle time), for sharing agents between
/// queues; a handle time of 5 minutes stands in where none is known yet.
pub fn offered_load(
    m: &Model,
    source: &str,
    q: &Queue,
    est: Option<&QueueEstimates>,
) -> Option<f64> {
    // The last half hour's arrivals from the platform's intervals, else the live estimate.
    let key = (source.to_string(), q.id.clone());
    let now_s = m.now().timestamp();
    let recent = match m.forecasts.get(&key) {
        Some(f) => forecast::recent_rate(&f.slots, now_s, 1800).map(|(r, _)| r),
        None => m.intervals.get(&key).and_then(|iv| {
            let slots = slots_of(iv, m.sla_policy(q).variant);
            forecast::recent_rate(&slots, now_s, 1800).map(|(r, _)| r)
        }),
    };
    let rate = recent.or_else(|| arrival_rate(m, q, est))?;
    let aht_s = aht(q, est).unwrap_or(300.0);
    Some(rate * aht_s / 3600.0).filter(|l| l.is_finite() && *l >= 0.0)
}

fn aht(q: &Queue, est: Option<&QueueEstimates>) -> Option<f64> {
    est.and_then(|e| e.aht.aht_s())
        .or(q.today.aht_s)
        .filter(|a| a.is_finite() && *a > 0.0)
}

/// The queue's SLA status from the real-time risk engine (REFERENCE §6): what the board's
/// SLA cell, the queue page and the snapshot show.
pub fn evaluate(m: &Model, source: &str, q: &Queue, policy: &SlaPolicy) -> SlaCell {
    let key = (source.to_string(), q.id.clone());
    let est = m.estimates.get(&key);
    // The platform counts "within threshold" against its own threshold: a different one in
    // the configuration would mix two thresholds in one figure.
    if let Some(v) = q.vendor_objective
        && (v.threshold_s - policy.threshold_s).abs() > 1e-9
    {
        return unknown(SlaReason::ThresholdMismatch {
            platform_s: v.threshold_s,
            configured_s: policy.threshold_s,
        });
    }
    let Some(day_counters) = counters_of(q, policy.variant) else {
        return unknown(SlaReason::NoCounters);
    };
    let now = m.now();
    let tz = m.config.timezone_of(source).0;
    let (start, end) = window_bounds(tz, policy, now);
    let iv = m.intervals.get(&key);
    let day_start = crate::domain::time::start_of_day(now, tz);
    // The learned profile is kept with the interval history (learning is costly).
    let fresh;
    let (slots, profile): (&[Slot], Option<&Profile>) = match m
        .forecasts
        .get(&key)
        .filter(|f| f.variant == policy.variant && f.day_start == day_start)
    {
        Some(f) => (&f.slots, f.profile.as_ref()),
        None => {
            fresh = iv.map(|iv| QueueForecast::new(iv, policy.variant, day_start));
            match &fresh {
                Some(f) => (&f.slots, f.profile.as_ref()),
                None => (&[], None),
            }
        }
    };
    let (counters, since) = match policy.window {
        SlWindow::Day => (day_counters, None),
        SlWindow::Minutes(_) => match iv.and_then(|iv| window_counters(iv, start, end)) {
            // Seeded from the platform's own interval counters.
            Some(c) => (c, None),
            None => match est.and_then(|e| e.baseline) {
                Some(b) if b.window_start == start => (
                    minus(day_counters, b.counters),
                    (b.counted_since > start).then_some(b.counted_since),
                ),
                _ => return unknown(SlaReason::WaitingForInterval),
            },
        },
    };
    let a = &q.live.agents;
    let (Some(staffed), Some(idle), Some(waiting)) = (a.staffed(), a.available, q.live.waiting)
    else {
        return unknown(SlaReason::NoAgentCounts);
    };
    // Shared agents once: staffing counts them by this queue's share of their work.
    let share = m.shares.get(&key).filter(|s| s.shared > 0);
    let window = Some((policy.window, start, end));
    // Outside its hours (or, hours unknown, with no call this window) with nobody waiting
    // and nobody staffed: closed, not RED or GREEN.
    let in_window = sla::sl_fraction(policy.variant, &counters).denominator;
    let closed = match iv.and_then(|iv| iv.open_now) {
        Some(open) => !open,
        None => in_window == 0,
    };
    if closed && waiting == 0 && staffed == 0 {
        return SlaCell {
            status: Some(SlaStatus::Closed),
            why: Some(SlaReason::Closed),
            window,
            current_sl: sla::sl_fraction(policy.variant, &counters).value(),
            day: Some(day_outlook(
                policy,
                &day_counters,
                None,
                0.0,
                now,
                now,
                (day_start, crate::domain::time::next_midnight(now, tz)),
                iv,
                profile,
                slots,
            )),
            ..SlaCell::default()
        };
    }
    let (rate, basis) = match interval_rate(slots, profile, now, end) {
        Some(r) => r,
        None => match arrival_rate(m, q, est) {
            Some(r) => (r, ForecastBasis::LiveEstimate),
            None => return unknown(SlaReason::EstimatingArrivals),
        },
    };
    // AHT only matters when someone can take calls and there are calls to take; otherwise
    // the projection does not depend on it, and staffing figures are left unknown.
    let (aht_s, aht_known) = match aht(q, est) {
        Some(a) => (a, true),
        None if staffed == 0 || (waiting == 0 && rate == 0.0) => (1.0, false),
        None => return unknown(SlaReason::NoHandleTime),
    };
    let ages: Vec<f64> = match (&q.live.waiting_ages_s, q.live.waiting) {
        (Some(ages), _) => {
            let dt = q
                .live
                .observed_at
                .map(|t| (now - t).num_milliseconds().max(0) as f64 / 1000.0)
                .unwrap_or(0.0);
            ages.iter().map(|x| x + dt).collect()
        }
        (None, Some(n)) => sla::approximate_waiting_ages(
            n as usize,
            q.live.longest_wait_at(now).unwrap_or(0.0),
            rate,
        ),
        (None, None) => Vec::new(),
    };
    let inputs = RiskInputs {
        target: policy.target,
        threshold_s: policy.threshold_s,
        variant: policy.variant,
        window_remaining_s: (end - now).num_milliseconds().max(0) as f64 / 1000.0,
        counters,
        waiting_ages_s: ages,
        agents_staffed: staffed,
        agents_idle: idle,
        arrival_rate_per_hour: rate,
        aht_s,
    };
    let out = sla::sla_risk(&inputs, &RiskPolicy::wallboard());
    let effective = share.map(|s| s.effective_of(staffed));
    let mut cell = describe(&inputs, &out, policy, effective);
    cell.window = window;
    cell.best_case_sl = out.best_case_sl;
    let day = day_outlook(
        policy,
        &day_counters,
        Some(&out),
        rate,
        now,
        end,
        (day_start, crate::domain::time::next_midnight(now, tz)),
        iv,
        profile,
        slots,
    );
    cell.day = Some(day);
    if let (Some(s), Some(effective)) = (share, effective) {
        cell.effective_staffed = Some(effective);
        cell.detail.push(SlaDetail::SharedAgents {
            staffed,
            effective,
            shared: s.shared,
        });
    }
    cell.detail.push(SlaDetail::Day(day));
    cell.detail.push(SlaDetail::Arrivals(basis));
    if !aht_known {
        cell.required_agents = None;
        cell.staffing_gap = None;
        cell.detail.retain(|d| !d.needs_aht());
        cell.detail.push(SlaDetail::StaffingUnknown);
        if matches!(cell.why, Some(SlaReason::NeedsAgents { .. })) {
            cell.why = None;
        }
    }
    if let Some(since) = since {
        cell.detail.push(SlaDetail::CountedSince(since));
    }
    if policy.short_abandon_s > 0.0 {
        cell.detail.push(SlaDetail::ShortAbandonsNotExcluded {
            short_abandon_s: policy.short_abandon_s,
        });
    }
    cell
}

fn unknown(why: SlaReason) -> SlaCell {
    SlaCell {
        why: Some(why),
        ..SlaCell::default()
    }
}

/// The engine's figures as the facts a supervisor is told.
fn describe(
    inp: &RiskInputs,
    out: &RiskOutput,
    policy: &SlaPolicy,
    effective: Option<f64>,
) -> SlaCell {
    // Staffing with shared agents counted once: the needed agents against this queue's
    // share of its agents (rounded to whole agents).
    let gap = match (effective, out.required_agents) {
        (Some(e), Some(needed)) => Some(i64::from(needed) - e.round() as i64),
        _ => out.staffing_gap,
    };
    let status = out.status;
    let target = policy.target;
    let threshold_s = policy.threshold_s;
    let why = match status {
        SlaStatus::Red if out.unrecoverable => SlaReason::Unrecoverable {
            target,
            best_case: out.best_case_sl,
        },
        SlaStatus::Red
            if out.locked_misses > 0
                && inp.agents_idle == 0
                && out.projected_sl.is_some_and(|p| p >= target) =>
        {
            SlaReason::CallersPastThresholdUnserved {
                n: out.locked_misses,
                threshold_s,
            }
        }
        SlaStatus::Red => SlaReason::BelowTarget {
            target,
            projected: out.projected_sl,
        },
        SlaStatus::Amber if out.locked_misses > 0 => SlaReason::CallerPastThreshold { threshold_s },
        SlaStatus::Amber => match gap.filter(|g| *g > 0) {
            Some(g) => SlaReason::NeedsAgents {
                more: u32::try_from(g).unwrap_or(u32::MAX),
            },
            None if out.longest_wait_over_threshold.is_some_and(|x| x >= 1.0) => {
                SlaReason::CallerPastThreshold { threshold_s }
            }
            None => SlaReason::BreachRisk {
                probability: out.breach_probability,
                target,
            },
        },
        SlaStatus::Green => SlaReason::OnTrack {
            target,
            threshold_s,
        },
        SlaStatus::Met => SlaReason::WindowMet,
        SlaStatus::Breached => SlaReason::WindowMissed,
        SlaStatus::NoCalls => SlaReason::WindowNoCalls,
        SlaStatus::Closed => SlaReason::Closed,
    };
    let mut detail = vec![SlaDetail::Figures {
        current: out.current_sl,
        current_incl_waiting: out.current_sl_incl_waiting_over_t,
        projected: out.projected_sl,
        best_case: out.best_case_sl,
        threshold_s,
    }];
    if out.locked_misses > 0 {
        detail.push(SlaDetail::LockedMisses {
            n: out.locked_misses,
            threshold_s,
        });
    }
    let staffed = inp.agents_staffed;
    detail.push(match (out.required_agents, gap) {
        (Some(needed), Some(gap)) if gap > 0 => SlaDetail::Staffing {
            staffed,
            effective,
            needed,
            more: gap,
            target,
            threshold_s,
        },
        (Some(needed), Some(gap)) => SlaDetail::StaffingSpare {
            staffed,
            effective,
            needed,
            spare: -gap,
        },
        _ => SlaDetail::StaffingOutOfReach { staffed, target },
    });
    if let Some(n) = out.calls_needed_to_recover.filter(|n| *n > 0) {
        detail.push(SlaDetail::CallsToRecover {
            n,
            target,
            threshold_s,
        });
    }
    detail.push(if out.misses_budget_remaining >= 0 {
        SlaDetail::MissesLeft {
            n: out.misses_budget_remaining,
        }
    } else {
        SlaDetail::NoMissesLeft
    });
    detail.push(SlaDetail::Inputs {
        calls_per_hour: inp.arrival_rate_per_hour,
        aht_s: inp.aht_s,
        idle: inp.agents_idle,
        staffed,
        erlangs: out.traffic_erlangs,
        window_left_s: inp.window_remaining_s,
    });
    SlaCell {
        status: Some(status),
        projected_sl: out.projected_sl,
        breach_probability: Some(out.breach_probability),
        why: Some(why),
        detail,
        current_sl: out.current_sl,
        required_agents: out.required_agents,
        staffing_gap: gap,
        window: None,
        best_case_sl: out.best_case_sl,
        day: None,
        effective_staffed: None,
    }
}

/// A queue's interval history as forecast slots and the profile learned from it, kept with
/// the history until it or the day changes: learning is the costly part of an evaluation.
#[derive(Debug, Clone)]
pub struct QueueForecast {
    pub variant: SlVariant,
    pub day_start: DateTime<Utc>,
    pub slots: Vec<Slot>,
    pub profile: Option<Profile>,
}

impl QueueForecast {
    pub fn new(iv: &QueueIntervals, variant: SlVariant, day_start: DateTime<Utc>) -> Self {
        let slots = slots_of(iv, variant);
        let profile = Profile::learn(&slots, day_start.timestamp());
        QueueForecast {
            variant,
            day_start,
            slots,
            profile,
        }
    }

    /// This forecast with a newer delivery of the same queue's intervals: the profile is
    /// learnt again only when what it learns from (the days before today, the variant)
    /// changed; today's slots are always taken.
    pub fn renew(self, iv: &QueueIntervals, variant: SlVariant, day_start: DateTime<Utc>) -> Self {
        let slots = slots_of(iv, variant);
        let cut = day_start.timestamp();
        let before = |s: &[Slot]| s.iter().take_while(|x| x.start_s < cut).count();
        let same_days = self.variant == variant
            && self.day_start == day_start
            && self.slots[..before(&self.slots)] == slots[..before(&slots)];
        let profile = if same_days {
            self.profile
        } else {
            Profile::learn(&slots, cut)
        };
        QueueForecast {
            variant,
            day_start,
            slots,
            profile,
        }
    }
}

/// A queue's intervals as forecast slots for `variant` (hits and counted calls).
pub fn slots_of(iv: &QueueIntervals, variant: SlVariant) -> Vec<Slot> {
    iv.intervals
        .iter()
        .map(|i| {
            let f = sla::sl_fraction(variant, &interval_counters(i));
            Slot {
                start_s: i.start.timestamp(),
                len_s: i64::from(i.minutes) * 60,
                offered: i.offered,
                counted: f.denominator,
                hits: f.numerator,
            }
        })
        .collect()
}

/// One interval's counters as SL counters.
pub fn interval_counters(i: &crate::domain::IntervalCounts) -> SlCounters {
    SlCounters {
        answered_total: i.answered,
        answered_within_t: i.answered_within_threshold,
        abandoned_total: i.abandoned,
        abandoned_within_t: i.abandoned_within_threshold,
    }
}

/// The window's counters from the platform's intervals: `None` unless the intervals tile
/// `[start, end)` from its start (a 15-minute window needs intervals of 15 minutes or less).
pub fn window_counters(
    iv: &QueueIntervals,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Option<SlCounters> {
    let first = iv.intervals.first()?;
    if first.start > start {
        return None;
    }
    let mut c = SlCounters::default();
    let mut covers_start = false;
    // Oldest first: skip the days before the window at once.
    let from = iv.intervals.partition_point(|i| i.end() <= start);
    for i in &iv.intervals[from..] {
        if i.start >= end {
            break;
        }
        if i.start < start || i.end() > end {
            // An interval straddles the window's edge: it cannot be split.
            return None;
        }
        covers_start |= i.start == start;
        c += interval_counters(i);
    }
    covers_start.then_some(c)
}

/// The rest-of-window arrival rate (calls per hour) from the platform's intervals: the
/// profile's shape for the rest of the window at the recent level, else the recent rate.
fn interval_rate(
    slots: &[Slot],
    profile: Option<&Profile>,
    now: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Option<(f64, ForecastBasis)> {
    let now_s = now.timestamp();
    let (recent, from) = forecast::recent_rate(slots, now_s, 1800)?;
    if let Some(p) = profile {
        let expected = p.expected(from, now_s);
        let observed = recent * (now_s - from).max(60) as f64 / 3600.0;
        let end_s = end.timestamp().max(now_s + 60);
        if let Some(level) = forecast::level(observed, expected) {
            let ahead = p.expected(now_s, end_s) * level;
            let rate = ahead * 3600.0 / (end_s - now_s) as f64;
            return Some((rate, ForecastBasis::Profile { days: p.days }));
        }
    }
    Some((recent, ForecastBasis::RecentIntervals))
}

/// The day's outlook: today's counters, the window's live calls and rest (from the risk
/// output), then the profile's calls for the rest of the day at today's level, each slot
/// answered in time at the share it had on the days learned (else today's share so far).
#[allow(clippy::too_many_arguments)]
fn day_outlook(
    policy: &SlaPolicy,
    day_counters: &SlCounters,
    out: Option<&RiskOutput>,
    rate: f64,
    now: DateTime<Utc>,
    window_end: DateTime<Utc>,
    (day_start, midnight): (DateTime<Utc>, DateTime<Utc>),
    iv: Option<&QueueIntervals>,
    profile: Option<&Profile>,
    slots: &[Slot],
) -> DayOutlook {
    let today = sla::sl_fraction(policy.variant, day_counters);
    let (num, den) = (today.numerator as f64, today.denominator as f64);
    let day_end = iv
        .and_then(|iv| match (iv.open_now, iv.closes_at) {
            (Some(false), _) => Some(now),
            (_, c) => c,
        })
        .map_or(midnight, |c| c.min(midnight));
    let window_end = window_end.min(day_end).max(now);
    // The window's part: live calls and its expected callers.
    let (mut hits, mut calls, mut best) = match out {
        Some(o) => {
            let q = o.waiting as f64;
            let f = rate * (window_end - now).num_seconds().max(0) as f64 / 3600.0;
            (
                o.expected_live_hits + f * o.predicted_sl_new_calls,
                q + f,
                q - o.locked_misses as f64 + f,
            )
        }
        None => (0.0, 0.0, 0.0),
    };
    let (from, to) = (window_end.timestamp(), day_end.timestamp());
    let basis = match profile {
        Some(p) if p.days > 0 => {
            // Today's level against the profile so far.
            let so_far = slots
                .iter()
                .filter(|s| s.start_s >= day_start.timestamp())
                .map(|s| s.offered)
                .sum::<u64>() as f64;
            let expected = p.expected(day_start.timestamp(), now.timestamp());
            let level = forecast::level(so_far, expected).unwrap_or(1.0);
            let share_now = today.value().unwrap_or(policy.target);
            let step = p.slot_s().max(60);
            let mut t = from;
            while t < to {
                let hi = (t - t.rem_euclid(step) + step).min(to);
                let f = p.expected(t, hi) * level;
                hits += f * p.sl_at(t).unwrap_or(share_now);
                calls += f;
                best += f;
                t = hi;
            }
            ForecastBasis::Profile { days: p.days }
        }
        _ => {
            // No earlier days: the current rate to the end of the day (or the hours), each
            // call answered in time at today's share so far.
            let f = rate * (to - from).max(0) as f64 / 3600.0;
            hits += f * today.value().unwrap_or(policy.target);
            calls += f;
            best += f;
            if slots.is_empty() {
                ForecastBasis::LiveEstimate
            } else {
                ForecastBasis::RecentIntervals
            }
        }
    };
    let total = den + calls;
    let ratio = |x: f64| (total > 0.0).then(|| (x / total).clamp(0.0, 1.0));
    let projected_sl = ratio(num + hits);
    let best_case_sl = ratio(num + best);
    let g = policy.target;
    let outlook = match (projected_sl, best_case_sl) {
        (_, Some(b)) if b + 1e-12 < g => Some(Outlook::Lost),
        (Some(p), _) if p + 1e-12 < g => Some(Outlook::AtRisk),
        (Some(_), _) => Some(Outlook::OnTrack),
        _ => None,
    };
    DayOutlook {
        current_sl: today.value(),
        projected_sl,
        best_case_sl,
        outlook,
        basis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn c(n: u64) -> SlCounters {
        SlCounters {
            answered_total: n,
            answered_within_t: n,
            abandoned_total: 0,
            abandoned_within_t: 0,
        }
    }

    #[test]
    fn interval_starts_from_the_last_sample_before_the_boundary() {
        let day = Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap();
        let b1 = day + Duration::hours(10);
        let gap = Duration::seconds(10);
        let mut e = QueueEstimates::default();
        e.track_interval(
            c(100),
            b1 - Duration::seconds(3),
            b1 - Duration::minutes(30),
            day,
            gap,
        );
        e.track_interval(c(104), b1 + Duration::seconds(2), b1, day, gap);
        let b = e.baseline.expect("baseline");
        assert_eq!(
            (b.window_start, b.counters, b.counted_since),
            (b1, c(100), b1),
            "complete from the boundary"
        );
        // Joining late (no sample near the boundary): counting starts when we first saw it.
        let mut late = QueueEstimates::default();
        let at = b1 + Duration::minutes(7);
        late.track_interval(c(120), at, b1, day, gap);
        let b = late.baseline.expect("baseline");
        assert_eq!((b.counters, b.counted_since), (c(120), at));
        // Midnight: the day's counters restart, so the first interval starts from zero.
        let mut m = QueueEstimates::default();
        m.track_interval(c(5), day + Duration::minutes(1), day, day, gap);
        assert_eq!(
            m.baseline.map(|b| (b.counters, b.counted_since)),
            Some((c(0), day))
        );
    }
}
