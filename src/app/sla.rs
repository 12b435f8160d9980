//! The SLA cell: which policy applies to a queue, and its status.

use crate::config::{SlWindow, SlaPolicy};
use crate::domain::Queue;

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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SlaStatus {
    Green,
    Amber,
    Red,
    Met,
    Breached,
    NoCalls,
}

impl SlaStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SlaStatus::Green => "GREEN",
            SlaStatus::Amber => "AMBER",
            SlaStatus::Red => "RED",
            SlaStatus::Met => "MET",
            SlaStatus::Breached => "BREACHED",
            SlaStatus::NoCalls => "NO_CALLS",
        }
    }
}

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

/// The policy for `q`: the first `[[sla.queues]]` whose pattern matches its name or id, then
/// the platform's own target for the queue, then `[sla]`.
pub fn policy_for(config: &crate::config::Config, q: &Queue) -> SlaPolicy {
    let mut p = config.sla.defaults.clone();
    if let Some(v) = q.vendor_objective {
        p.target = v.target;
        p.threshold_s = v.threshold_s;
    }
    if let Some(o) = config
        .sla
        .queues
        .iter()
        .find(|o| pattern_matches(&o.pattern, q))
    {
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

fn pattern_matches(pattern: &str, q: &Queue) -> bool {
    if pattern == q.id {
        return true;
    }
    globset::GlobBuilder::new(pattern)
        .case_insensitive(true)
        .build()
        .map(|g| g.compile_matcher().is_match(&q.name))
        .unwrap_or(false)
}

/// The queue's SLA status by a simple, transparent rule over the day's service level and
/// the longest wait. (The predictive engine replaces this where its inputs are known.)
pub fn evaluate(app: &App, _source: &str, q: &Queue, policy: &SlaPolicy) -> SlaCell {
    let longest = q.live.longest_wait_at(app.now);
    let sl = q.today.service_level;
    if policy.window != SlWindow::Day && sl.is_none() && longest.is_none() {
        return SlaCell::default();
    }
    let over = longest.is_some_and(|w| w >= policy.threshold_s);
    let status = match (sl, over) {
        (None, false) if q.today.offered == Some(0) => Some(SlaStatus::Green),
        (None, false) => None,
        (None, true) => Some(SlaStatus::Amber),
        (Some(sl), over) if sl < policy.target => {
            if over {
                Some(SlaStatus::Red)
            } else {
                Some(SlaStatus::Amber)
            }
        }
        (Some(_), true) => Some(SlaStatus::Amber),
        (Some(_), false) => Some(SlaStatus::Green),
    };
    let why = match (status, sl, over) {
        (Some(SlaStatus::Red), _, _) => Some(format!(
            "SL below {:.0} % and a caller waiting past {}",
            policy.target * 100.0,
            crate::ui::fmt::duration_short(policy.threshold_s)
        )),
        (Some(SlaStatus::Amber), _, true) => Some(format!(
            "a caller waiting past {}",
            crate::ui::fmt::duration_short(policy.threshold_s)
        )),
        (Some(SlaStatus::Amber), Some(_), false) => {
            Some(format!("SL below target {:.0} %", policy.target * 100.0))
        }
        _ => None,
    };
    SlaCell {
        status,
        projected_sl: None,
        breach_probability: None,
        why,
        detail: Vec::new(),
    }
}

/// Figures for the snapshot's `sla` object that the status rule does not carry.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SlaFigures {
    pub current_sl: Option<f64>,
    pub required_agents: Option<u32>,
    pub staffing_gap: Option<i64>,
}

pub fn sla_figures(_app: &App, _q: &Queue, _policy: &SlaPolicy) -> SlaFigures {
    SlaFigures::default()
}
