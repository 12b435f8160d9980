//! The SLA cell: which policy applies to a queue, and its status.

use chrono::{DateTime, Duration, Timelike, Utc};

use crate::config::{SlVariant, SlWindow, SlaPolicy};
use crate::domain::Queue;
use crate::sla::{self, RiskInputs, RiskOutput, RiskPolicy, SlCounters};
use crate::ui::fmt;

use super::App;

/// What the board's SLA column shows for one queue.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlaCell {
    pub status: Option<SlaStatus>,
    pub projected_sl: Option<f64>,
    pub breach_probability: Option<f64>,
    /// One-line reason ("longest wait past 20 s").
    pub why: Option<String>,
    /// Further plain-words lines for the queue page (staffing gap, recovery…).
    pub detail: Vec<String>,
    /// Our service level with the configured variant (may differ from the vendor's).
    pub current_sl: Option<f64>,
    pub required_agents: Option<u32>,
    pub staffing_gap: Option<i64>,
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
            SlaStatus::NoCalls => 0,
        })
    }
}

/// The `[[sla.queues]]` patterns, compiled once (they are matched for every queue on
/// every frame).
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

/// Start and end of the SL window containing `now`.
pub fn window_bounds(
    app: &App,
    policy: &SlaPolicy,
    now: DateTime<Utc>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let tz = app.config.timezone;
    let day = crate::domain::time::start_of_day(now, tz);
    match policy.window {
        SlWindow::Day => (day, crate::domain::time::next_midnight(now, tz)),
        SlWindow::Minutes(m) => {
            // Intervals are aligned to the local clock (xx:00, xx:15, …).
            let m = i64::from(m.max(1));
            let (_, minute) = crate::domain::time::local_minute_of_day(now, tz);
            let into = i64::from(minute) % m;
            let whole_minute = now
                .with_second(0)
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(now);
            let start = (whole_minute - Duration::minutes(into)).max(day);
            (start, start + Duration::minutes(m))
        }
    }
}

/// The arrival rate for the rest of the window: the recent EWMA once it has seen enough,
/// else today's average so far (documented in `crate::sla::estimate`).
fn arrival_rate(app: &App, q: &Queue, est: Option<&QueueEstimates>) -> Option<f64> {
    let recent = est.and_then(|e| {
        e.arrivals
            .rate_per_hour()
            .filter(|_| e.arrivals.coverage() >= 0.3)
    });
    if recent.is_some() {
        return recent;
    }
    let since = (app.now - crate::domain::time::start_of_day(app.now, app.config.timezone))
        .num_seconds() as f64;
    match q.today.offered {
        Some(n) if since >= 600.0 => Some(n as f64 * 3600.0 / since),
        _ => est.and_then(|e| e.arrivals.rate_per_hour()),
    }
}

fn aht(q: &Queue, est: Option<&QueueEstimates>) -> Option<f64> {
    est.and_then(|e| e.aht.aht_s())
        .or(q.today.aht_s)
        .filter(|a| a.is_finite() && *a > 0.0)
}

/// The queue's SLA status from the real-time risk engine (REFERENCE §6): what the board's
/// SLA cell, the queue page and the snapshot show.
pub fn evaluate(app: &App, source: &str, q: &Queue, policy: &SlaPolicy) -> SlaCell {
    let est = app.estimates.get(&(source.to_string(), q.id.clone()));
    // The platform counts "within threshold" against its own threshold: a different one in
    // the configuration would mix two thresholds in one figure.
    if let Some(v) = q.vendor_objective
        && (v.threshold_s - policy.threshold_s).abs() > 1e-9
    {
        return unknown(&format!(
            "the platform counts calls within {}, the configuration asks for {}: set the same threshold",
            fmt::duration_short(v.threshold_s),
            fmt::duration_short(policy.threshold_s)
        ));
    }
    let Some(day_counters) = counters_of(q, policy.variant) else {
        return unknown("today's counters are not available (yet) for this variant");
    };
    let (start, end) = window_bounds(app, policy, app.now);
    let (counters, since) = match policy.window {
        SlWindow::Day => (day_counters, None),
        SlWindow::Minutes(_) => match est.and_then(|e| e.baseline) {
            Some(b) if b.window_start == start => (
                minus(day_counters, b.counters),
                (b.counted_since > start).then_some(b.counted_since),
            ),
            _ => return unknown("waiting for the first update of this interval"),
        },
    };
    let Some(rate) = arrival_rate(app, q, est) else {
        return unknown("estimating the arrival rate");
    };
    let a = &q.live.agents;
    let (Some(staffed), Some(idle), Some(waiting)) = (a.staffed(), a.available, q.live.waiting)
    else {
        return unknown("agent or waiting counts are not available");
    };
    // AHT only matters when someone can take calls and there are calls to take; otherwise
    // the projection does not depend on it, and staffing figures are left unknown.
    let (aht_s, aht_known) = match aht(q, est) {
        Some(a) => (a, true),
        None if staffed == 0 || (waiting == 0 && rate == 0.0) => (1.0, false),
        None => return unknown("no handle-time data yet"),
    };
    let now = app.now;
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
    let out = sla::sla_risk(&inputs, &RiskPolicy::default());
    let mut cell = describe(&inputs, &out, policy);
    if !aht_known {
        cell.required_agents = None;
        cell.staffing_gap = None;
        cell.detail
            .retain(|d| !d.starts_with("staffing") && !d.starts_with("inputs"));
        cell.detail
            .push("no handle-time data yet today: staffing needs unknown".into());
        if cell.why.as_deref().is_some_and(|w| w.starts_with("needs")) {
            cell.why = None;
        }
    }
    if let Some(since) = since {
        cell.detail.push(format!(
            "(this interval counted since {}: queuetop was not watching at its start)",
            crate::ui::local_hms(app, since)
        ));
    }
    if policy.short_abandon_s > 0.0 {
        cell.detail.push(format!(
            "short abandons (< {}) are not excluded: the platform's counters do not carry abandon times",
            fmt::duration_short(policy.short_abandon_s)
        ));
    }
    cell
}

fn unknown(why: &str) -> SlaCell {
    SlaCell {
        why: Some(why.to_string()),
        ..SlaCell::default()
    }
}

/// Put the engine's figures into plain words for a supervisor.
fn describe(inp: &RiskInputs, out: &RiskOutput, policy: &SlaPolicy) -> SlaCell {
    let status = out.status;
    let target = format!("{:.0}%", policy.target * 100.0);
    let t = fmt::duration_short(policy.threshold_s);
    let why = match status {
        SlaStatus::Red if out.unrecoverable => Some(format!(
            "cannot reach {target} in this window even if every call is answered in time (best case {})",
            fmt::pct(out.best_case_sl, 1)
        )),
        SlaStatus::Red => Some(format!(
            "projected {} is below the {target} target",
            fmt::pct(out.projected_sl, 1)
        )),
        SlaStatus::Amber => {
            if out.staffing_gap.is_some_and(|g| g > 0) {
                Some(format!(
                    "needs {} more agent{}",
                    out.staffing_gap.unwrap_or(0),
                    if out.staffing_gap == Some(1) { "" } else { "s" }
                ))
            } else if out.longest_wait_over_threshold.is_some_and(|x| x >= 1.0) {
                Some(format!("a caller has waited past {t}"))
            } else {
                Some(format!(
                    "{:.0}% risk of missing {target}",
                    out.breach_probability * 100.0
                ))
            }
        }
        SlaStatus::Green => Some(format!("on track for {target} in {t}")),
        SlaStatus::Met => Some("window closed: target met".into()),
        SlaStatus::Breached => Some("window closed: target missed".into()),
        SlaStatus::NoCalls => Some("window closed with no calls".into()),
    };
    let mut detail = vec![format!(
        "now {} ({} counting callers already past {t}) · projected {} · best case {}",
        fmt::pct(out.current_sl, 1),
        fmt::pct(out.current_sl_incl_waiting_over_t, 1),
        fmt::pct(out.projected_sl, 1),
        fmt::pct(out.best_case_sl, 1)
    )];
    if out.locked_misses > 0 {
        detail.push(format!(
            "{} caller{} already past {t}: counted as misses",
            out.locked_misses,
            if out.locked_misses == 1 {
                " is"
            } else {
                "s are"
            }
        ));
    }
    match (out.required_agents, out.staffing_gap) {
        (Some(req), Some(gap)) if gap > 0 => detail.push(format!(
            "staffing: {} staffed, {req} needed for {target} in {t} — needs {gap} more agent{}",
            inp.agents_staffed,
            if gap == 1 { "" } else { "s" }
        )),
        (Some(req), Some(gap)) => detail.push(format!(
            "staffing: {} staffed, {req} needed ({} spare)",
            inp.agents_staffed, -gap
        )),
        _ => detail.push(format!(
            "staffing: {} staffed; no staffing level meets {target} at this volume",
            inp.agents_staffed
        )),
    }
    if let Some(n) = out.calls_needed_to_recover.filter(|n| *n > 0) {
        detail.push(format!(
            "to get back to {target}: {n} calls in a row answered within {t}"
        ));
    }
    if out.misses_budget_remaining >= 0 {
        detail.push(format!(
            "misses left before the target breaks (at forecast volume): {}",
            out.misses_budget_remaining
        ));
    } else {
        detail.push("no misses left: the target breaks at forecast volume".to_string());
    }
    detail.push(format!(
        "inputs: {:.0} calls/h · AHT {} · {} idle of {} · {:.1} erlangs · {} of the window left",
        inp.arrival_rate_per_hour,
        fmt::clock(Some(inp.aht_s)),
        inp.agents_idle,
        inp.agents_staffed,
        out.traffic_erlangs,
        fmt::span_len(inp.window_remaining_s)
    ));
    SlaCell {
        status: Some(status),
        projected_sl: out.projected_sl,
        breach_probability: Some(out.breach_probability),
        why,
        detail,
        current_sl: out.current_sl,
        required_agents: out.required_agents,
        staffing_gap: out.staffing_gap,
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
