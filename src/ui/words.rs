//! The model's facts in plain words for a supervisor: SLA reasons and details, alerts.

use chrono_tz::Tz;

use super::fmt;
use crate::model::rows::Alert;
use crate::model::sla::{DayOutlook, ForecastBasis, Outlook, SlaDetail, SlaReason};

fn target(t: f64) -> String {
    format!("{:.0}%", t * 100.0)
}

fn plural(n: impl Into<i64>) -> &'static str {
    if n.into() == 1 { "" } else { "s" }
}

/// The one-line reason of a queue's SLA status.
pub fn sla_reason(r: &SlaReason) -> String {
    match *r {
        SlaReason::ThresholdMismatch {
            platform_s,
            configured_s,
        } => format!(
            "the platform counts calls within {}, the configuration asks for {}: set the same threshold",
            fmt::duration_short(platform_s),
            fmt::duration_short(configured_s)
        ),
        SlaReason::NoCounters => {
            "today's counters are not available (yet) for this variant".to_string()
        }
        SlaReason::WaitingForInterval => "waiting for the first update of this interval".into(),
        SlaReason::EstimatingArrivals => "estimating the arrival rate".into(),
        SlaReason::NoAgentCounts => "agent or waiting counts are not available".into(),
        SlaReason::NoHandleTime => "no handle-time data yet".into(),
        SlaReason::Unrecoverable {
            target: t,
            best_case,
        } => format!(
            "cannot reach {} in this window even if every call is answered in time (best case {})",
            target(t),
            fmt::pct(best_case, 1)
        ),
        SlaReason::BelowTarget {
            target: t,
            projected,
        } => format!(
            "projected {} is below the {} target",
            fmt::pct(projected, 1),
            target(t)
        ),
        SlaReason::NeedsAgents { more } => format!("needs {more} more agent{}", plural(more)),
        SlaReason::CallerPastThreshold { threshold_s } => format!(
            "a caller has waited past {}",
            fmt::duration_short(threshold_s)
        ),
        SlaReason::BreachRisk {
            probability,
            target: t,
        } => format!("{:.0}% risk of missing {}", probability * 100.0, target(t)),
        SlaReason::OnTrack {
            target: t,
            threshold_s,
        } => format!(
            "on track for {} in {}",
            target(t),
            fmt::duration_short(threshold_s)
        ),
        SlaReason::WindowMet => "window closed: target met".into(),
        SlaReason::WindowMissed => "window closed: target missed".into(),
        SlaReason::WindowNoCalls => "window closed with no calls".into(),
        SlaReason::Closed => "closed: outside its hours, nobody waiting, nobody staffed".into(),
        SlaReason::CallersPastThresholdUnserved { n, threshold_s } => format!(
            "{n} caller{} past {} and no agent free",
            plural(i64::try_from(n).unwrap_or(i64::MAX)),
            fmt::duration_short(threshold_s)
        ),
    }
}

/// "9 staffed" or, with shared agents, "9 staffed (5.4 effective)".
fn staffed_words(staffed: u32, effective: Option<f64>) -> String {
    match effective {
        Some(e) => format!("{staffed} staffed ({e:.1} effective)"),
        None => format!("{staffed} staffed"),
    }
}

/// One further line about a queue's SLA; times of day in `tz` (`None`: the machine's).
pub fn sla_detail(d: &SlaDetail, tz: Option<Tz>) -> String {
    match *d {
        SlaDetail::Figures {
            current,
            current_incl_waiting,
            projected,
            best_case,
            threshold_s,
        } => format!(
            "now {} ({} counting callers already past {}) · projected {} · best case {}",
            fmt::pct(current, 1),
            fmt::pct(current_incl_waiting, 1),
            fmt::duration_short(threshold_s),
            fmt::pct(projected, 1),
            fmt::pct(best_case, 1)
        ),
        SlaDetail::LockedMisses { n, threshold_s } => format!(
            "{n} caller{} already past {}: counted as misses",
            if n == 1 { " is" } else { "s are" },
            fmt::duration_short(threshold_s)
        ),
        SlaDetail::Staffing {
            staffed,
            effective,
            needed,
            more,
            target: t,
            threshold_s,
        } => format!(
            "staffing: {}, {needed} needed for {} in {} — needs {more} more agent{}",
            staffed_words(staffed, effective),
            target(t),
            fmt::duration_short(threshold_s),
            plural(more)
        ),
        SlaDetail::StaffingSpare {
            staffed,
            effective,
            needed,
            spare,
        } => format!(
            "staffing: {}, {needed} needed ({spare} spare)",
            staffed_words(staffed, effective)
        ),
        SlaDetail::StaffingOutOfReach { staffed, target: t } => format!(
            "staffing: {staffed} staffed; no staffing level meets {} at this volume",
            target(t)
        ),
        SlaDetail::CallsToRecover {
            n,
            target: t,
            threshold_s,
        } => format!(
            "to get back to {}: {n} calls in a row answered within {}",
            target(t),
            fmt::duration_short(threshold_s)
        ),
        SlaDetail::MissesLeft { n } => {
            format!("misses left before the target breaks (at forecast volume): {n}")
        }
        SlaDetail::NoMissesLeft => "no misses left: the target breaks at forecast volume".into(),
        SlaDetail::Inputs {
            calls_per_hour,
            aht_s,
            idle,
            staffed,
            erlangs,
            window_left_s,
        } => format!(
            "inputs: {calls_per_hour:.0} calls/h · AHT {} · {idle} idle of {staffed} · {erlangs:.1} erlangs · {} of the window left",
            fmt::clock(Some(aht_s)),
            fmt::span_len(window_left_s)
        ),
        SlaDetail::StaffingUnknown => {
            "no handle-time data yet today: staffing needs unknown".into()
        }
        SlaDetail::CountedSince(t) => format!(
            "(this interval counted since {}: queuetop was not watching at its start)",
            super::local_hms(tz, t)
        ),
        SlaDetail::Day(d) => day_line(&d),
        SlaDetail::Arrivals(b) => format!("arrivals: {}", basis(b)),
        SlaDetail::SharedAgents {
            staffed,
            effective,
            shared,
        } => format!(
            "shared agents: {shared} of {staffed} also serve other queues — worth {effective:.1} here once their other queues' work is taken out"
        ),
        SlaDetail::ShortAbandonsNotExcluded { short_abandon_s } => format!(
            "short abandons (< {}) are not excluded: the platform's counters do not carry abandon times",
            fmt::duration_short(short_abandon_s)
        ),
    }
}

/// The day outlook's word for the board's compact column.
pub fn outlook_short(o: Option<Outlook>) -> &'static str {
    match o {
        Some(Outlook::OnTrack) => "on track",
        Some(Outlook::AtRisk) => "at risk",
        Some(Outlook::Lost) => "lost",
        None => "—",
    }
}

/// The day's outlook on the queue page.
pub fn day_line(d: &DayOutlook) -> String {
    format!(
        "today: {} · now {} · projected {} · best case {} ({})",
        match d.outlook {
            Some(Outlook::OnTrack) => "on track",
            Some(Outlook::AtRisk) => "at risk",
            Some(Outlook::Lost) => "lost: even every call in time cannot reach the target",
            None => "no calls yet",
        },
        fmt::pct(d.current_sl, 1),
        fmt::pct(d.projected_sl, 1),
        fmt::pct(d.best_case_sl, 1),
        basis(d.basis)
    )
}

fn basis(b: ForecastBasis) -> String {
    match b {
        ForecastBasis::Profile { days } => format!(
            "time-of-day profile from {days} earlier day{} of the platform's intervals",
            plural(i64::try_from(days).unwrap_or(i64::MAX))
        ),
        ForecastBasis::RecentIntervals => {
            "the platform's last half hour (no earlier days to learn a profile from)".into()
        }
        ForecastBasis::LiveEstimate => {
            "live estimate (no interval history from the platform: today's average at first)".into()
        }
    }
}

/// An agent alert: what tripped it and after how long.
pub fn alert(a: &Alert) -> String {
    let what = a
        .reason
        .clone()
        .or(a.state.map(|s| s.label().to_string()))
        .unwrap_or_default();
    if a.after.is_zero() {
        what
    } else {
        format!("{what} > {}", fmt::duration_short(a.after.as_secs_f64()))
    }
}

/// A vendor reason worth showing beside a state: not when it only repeats the state
/// ("Available · Available").
pub fn reason_beside(state: crate::domain::AgentState, reason: Option<&str>) -> Option<&str> {
    reason.map(str::trim).filter(|r| {
        !r.is_empty()
            && !r.eq_ignore_ascii_case(state.label())
            && !r.eq_ignore_ascii_case(state.as_str())
    })
}
