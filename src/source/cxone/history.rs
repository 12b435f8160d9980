//! One agent's state history: `GET /agents/{agentId}/state-history` rows → raw spans
//! (REFERENCE §4.1). Paging lives in the source (mod.rs); this is the pure mapping.

use std::collections::HashSet;

use chrono::{DateTime, Duration as ChronoDuration, Utc};

use super::agents::{StateInput, normalise, reason};
use super::wire::{AgentStateKind, StateHistoryRow};
use crate::domain::StateSpan;

/// Rows → spans, sorted by start. Each span runs `startDate + duration` (ISO-8601 or
/// seconds, parsed in wire.rs); without a duration it runs to the next row's start. The
/// last state stays open to `to` (it is the agent's current state; whether CXone reports
/// its duration so far is UNCONFIRMED). Rows without a start are skipped; empty or
/// backwards spans are dropped. The app fills gaps and clips to `[from, to]`.
pub fn spans(
    mut rows: Vec<StateHistoryRow>,
    to: DateTime<Utc>,
    acw_codes: &HashSet<i64>,
) -> Vec<StateSpan> {
    rows.retain(|r| r.start_date.is_some());
    rows.sort_by_key(|r| (r.start_date, r.state_index));
    let starts: Vec<Option<DateTime<Utc>>> = rows.iter().map(|r| r.start_date).collect();
    let last = rows.len().saturating_sub(1);
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let Some(start) = row.start_date else {
            continue;
        };
        let end = if i == last {
            if to > start {
                Some(to)
            } else {
                end_by_duration(start, row.duration)
            }
        } else {
            end_by_duration(start, row.duration).or(starts[i + 1])
        };
        let Some(end) = end.filter(|e| *e > start) else {
            continue;
        };
        out.push(span(row, start, end, acw_codes));
    }
    out
}

fn end_by_duration(start: DateTime<Utc>, seconds: Option<f64>) -> Option<DateTime<Utc>> {
    let s = seconds?;
    // Durations beyond ~100 years are garbage; refuse rather than overflow.
    if !(0.0..3.2e9).contains(&s) {
        return None;
    }
    start.checked_add_signed(ChronoDuration::milliseconds((s * 1000.0).round() as i64))
}

fn span(
    row: &StateHistoryRow,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    acw_codes: &HashSet<i64>,
) -> StateSpan {
    let kind = AgentStateKind::from_parts(row.agent_state_id, row.agent_state_name.as_deref());
    let state = normalise(
        StateInput {
            kind: kind.as_ref(),
            is_acw: row.is_acw,
            out_state_id: row.out_state_id,
            out_state_description: row.out_state_description.as_deref(),
        },
        acw_codes,
    );
    StateSpan {
        start,
        end,
        state,
        reason: reason(kind.as_ref(), row.out_state_description.as_deref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::AgentState;

    fn row(idx: i64, start: &str, state: i64, dur: Option<f64>) -> StateHistoryRow {
        StateHistoryRow {
            state_index: Some(idx),
            start_date: super::super::wire::parse_time(start),
            agent_state_id: Some(state),
            duration: dur,
            ..Default::default()
        }
    }

    #[test]
    fn last_open_to_and_unsorted_input() {
        let to = super::super::wire::parse_time("2025-03-14T12:00:00Z").unwrap_or_default();
        let rows = vec![
            row(2, "2025-03-14T11:00:00Z", 3, Some(60.0)),
            row(1, "2025-03-14T10:00:00Z", 1, None),
        ];
        let s = spans(rows, to, &HashSet::new());
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].state, AgentState::Available);
        assert_eq!(s[0].end, s[1].start);
        assert_eq!(s[1].state, AgentState::Busy);
        assert_eq!(s[1].end, to);
    }
}
