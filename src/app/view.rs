//! Derived, display-ready rows: what the board and the agent tables show, sorted and
//! filtered. Pure functions of the app state.

use chrono::{DateTime, Utc};

use super::sla::{SlaCell, evaluate};
use super::{App, SortDir};
use crate::domain::{Agent, AgentState, Media, Queue, SourceStatus};

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
    pub fn label(self) -> &'static str {
        match self {
            QueueSort::Name => "queue",
            QueueSort::Waiting => "waiting",
            QueueSort::LongestWait => "longest wait",
            QueueSort::Available => "available",
            QueueSort::ServiceLevel => "SL",
            QueueSort::AbandonRate => "abandon %",
            QueueSort::Risk => "SLA risk",
        }
    }
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
    pub fn label(self) -> &'static str {
        match self {
            AgentSort::State => "state",
            AgentSort::TimeInState => "time in state",
            AgentSort::Name => "name",
        }
    }
    pub fn next(self) -> AgentSort {
        let i = AgentSort::ALL.iter().position(|s| *s == self).unwrap_or(0);
        AgentSort::ALL[(i + 1) % AgentSort::ALL.len()]
    }
}

pub fn queue_row(app: &App, source: &str, q: &Queue, status: SourceStatus) -> QueueRow {
    let policy = app.sla_policy(q);
    let agents = &q.live.agents;
    let trend = app
        .trends
        .get(&(source.to_string(), q.id.clone()))
        .map(|t| t.iter().map(|(_, n)| *n).collect())
        .unwrap_or_default();
    QueueRow {
        source: source.to_string(),
        id: q.id.clone(),
        name: q.name.clone(),
        media: q.media,
        waiting: q.live.waiting,
        longest_wait_s: q.live.longest_wait_at(app.now),
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
        sla: evaluate(app, source, q, &policy),
        trend,
        stale: status != SourceStatus::Live,
    }
}

/// Case-insensitive substring match on every word of the filter.
pub fn matches_filter(filter: &str, haystacks: &[&str]) -> bool {
    let f = filter.trim().to_lowercase();
    if f.is_empty() {
        return true;
    }
    f.split_whitespace()
        .all(|w| haystacks.iter().any(|h| h.to_lowercase().contains(w)))
}

/// The board's rows, filtered and sorted as the user asked.
pub fn board_rows(app: &App) -> Vec<QueueRow> {
    let mut rows: Vec<QueueRow> = Vec::new();
    for s in &app.sources {
        let Some(snap) = &s.snapshot else { continue };
        let status = app.display_status(s);
        for q in &snap.queues {
            if matches_filter(
                &app.board.filter,
                &[&q.name, &q.id, q.media.as_str(), &s.name],
            ) {
                rows.push(queue_row(app, &s.name, q, status));
            }
        }
    }
    sort_queue_rows(&mut rows, app.board.sort, app.board.dir);
    rows
}

fn cmp_opt<T: PartialOrd>(a: Option<T>, b: Option<T>) -> std::cmp::Ordering {
    // Unknown sorts after every known value, whichever the direction.
    match (a, b) {
        (Some(a), Some(b)) => a.partial_cmp(&b).unwrap_or(std::cmp::Ordering::Equal),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

pub fn sort_queue_rows(rows: &mut [QueueRow], sort: QueueSort, dir: SortDir) {
    use std::cmp::Ordering;
    rows.sort_by(|a, b| {
        // "Descending" puts the most urgent first for numbers; names go A→Z by default.
        let primary = match sort {
            QueueSort::Name => a.name.to_lowercase().cmp(&b.name.to_lowercase()),
            QueueSort::Waiting => cmp_opt(b.waiting, a.waiting),
            QueueSort::LongestWait => cmp_opt(b.longest_wait_s, a.longest_wait_s),
            QueueSort::Available => cmp_opt(a.available, b.available),
            QueueSort::ServiceLevel => cmp_opt(a.service_level, b.service_level),
            QueueSort::AbandonRate => cmp_opt(b.abandon_rate, a.abandon_rate),
            QueueSort::Risk => cmp_opt(b.sla.rank(), a.sla.rank())
                .then(cmp_opt(b.sla.breach_probability, a.sla.breach_probability)),
        };
        let primary = if dir == SortDir::Reversed {
            primary.reverse()
        } else {
            primary
        };
        if primary != Ordering::Equal {
            return primary;
        }
        a.name
            .cmp(&b.name)
            .then(a.source.cmp(&b.source))
            .then(a.id.cmp(&b.id))
    });
}

/// One row of an agent table.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRow {
    pub source: String,
    pub agent: Agent,
    pub time_in_state_s: Option<f64>,
    /// Queue names (not ids) the agent serves.
    pub queue_names: Vec<String>,
    /// The alert that fired, if any (its description).
    pub alert: Option<String>,
    pub stale: bool,
}

/// Agents of one source, optionally only those serving `queue_id`.
pub fn agent_rows(
    app: &App,
    only: Option<(&str, &str)>,
    filter: &str,
    sort: AgentSort,
    dir: SortDir,
) -> Vec<AgentRow> {
    let mut rows = Vec::new();
    for s in &app.sources {
        if let Some((src, _)) = only
            && s.name != src
        {
            continue;
        }
        let Some(snap) = &s.snapshot else { continue };
        let Some(agents) = &snap.agents else { continue };
        let status = app.display_status(s);
        let names = |ids: &[String]| -> Vec<String> {
            ids.iter()
                .map(|id| {
                    snap.queues
                        .iter()
                        .find(|q| &q.id == id)
                        .map(|q| q.name.clone())
                        .unwrap_or_else(|| id.clone())
                })
                .collect()
        };
        for a in agents {
            if let Some((_, qid)) = only
                && !a.queues.iter().any(|q| q == qid)
            {
                continue;
            }
            let queue_names = names(&a.queues);
            let reason = a.reason.clone().unwrap_or_default();
            let hay: Vec<&str> = [
                a.name.as_str(),
                a.id.as_str(),
                a.state.as_str(),
                reason.as_str(),
            ]
            .into_iter()
            .chain(queue_names.iter().map(String::as_str))
            .collect();
            if !matches_filter(filter, &hay) {
                continue;
            }
            let tis = time_in_state(a, app.now);
            rows.push(AgentRow {
                source: s.name.clone(),
                alert: alert_for(app, a, tis),
                agent: a.clone(),
                time_in_state_s: tis,
                queue_names,
                stale: status != SourceStatus::Live,
            });
        }
    }
    rows.sort_by(|a, b| {
        let primary = match sort {
            AgentSort::State => state_rank(a.agent.state)
                .cmp(&state_rank(b.agent.state))
                .then(cmp_opt(b.time_in_state_s, a.time_in_state_s)),
            AgentSort::TimeInState => cmp_opt(b.time_in_state_s, a.time_in_state_s),
            AgentSort::Name => a
                .agent
                .name
                .to_lowercase()
                .cmp(&b.agent.name.to_lowercase()),
        };
        let primary = if dir == SortDir::Reversed {
            primary.reverse()
        } else {
            primary
        };
        primary
            .then(a.agent.name.cmp(&b.agent.name))
            .then(a.agent.id.cmp(&b.agent.id))
    });
    rows
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

/// The first configured alert this agent trips, described for the screen.
pub fn alert_for(app: &App, a: &Agent, tis: Option<f64>) -> Option<String> {
    let tis = tis?;
    app.config.alerts.iter().find_map(|rule| {
        let state_ok = rule.state.is_none_or(|s| s == a.state);
        let reason_ok = rule.reason.as_ref().is_none_or(|r| {
            a.reason
                .as_deref()
                .is_some_and(|ar| ar.to_lowercase().contains(&r.to_lowercase()))
        });
        // An alert on a reason only makes sense while the agent is not working.
        let reason_state_ok =
            rule.reason.is_none() || !matches!(a.state, AgentState::Busy | AgentState::Available);
        (state_ok && reason_ok && reason_state_ok && tis >= rule.after.as_secs_f64()).then(|| {
            let what = rule
                .reason
                .clone()
                .or(rule.state.map(|s| s.label().to_string()))
                .unwrap_or_default();
            if rule.after.is_zero() {
                what
            } else {
                format!(
                    "{what} > {}",
                    crate::ui::fmt::duration_short(rule.after.as_secs_f64())
                )
            }
        })
    })
}
