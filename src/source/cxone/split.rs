//! An agent's handle-time split today from `GET /agents/{agentId}/performance`
//! (REFERENCE §4.2): talk is `totalTalkTime`, after-call work `acwTime`, handled
//! `totalHandled`. CXone gives no hold figure: hold stays unknown.

use chrono::{DateTime, Utc};

use super::wire::{AgentPerformance, AgentPerformanceResponse, Reported};
use crate::domain::{Figure, SplitReport};
use crate::source::SourceError;

fn figure(r: Option<&Reported>) -> Figure {
    match r {
        None => Figure::Absent,
        Some(Reported::Number(x)) => Figure::Value(*x),
        Some(Reported::Text(t)) => Figure::Unreadable(t.clone()),
    }
}

/// The split in an answer; `None` (a 204) or an empty list is nothing today: zeros, hold
/// unknown. A row for another agent is not this agent's.
pub fn split_from_performance(
    resp: Option<AgentPerformanceResponse>,
    agent_id: &str,
    from: DateTime<Utc>,
    fetched_at: DateTime<Utc>,
) -> Result<SplitReport, SourceError> {
    let rows = match resp {
        None => Vec::new(),
        Some(r) => r.rows().ok_or_else(|| {
            SourceError::Malformed(format!(
                "GET /agents/{agent_id}/performance answered JSON of an unexpected shape (no agentPerformance)"
            ))
        })?,
    };
    let mine: Vec<&AgentPerformance> = rows
        .iter()
        .filter(|r| r.agent_id.as_deref().is_none_or(|a| a == agent_id))
        .collect();
    let row = match mine.as_slice() {
        [] if rows.is_empty() => {
            return Ok(SplitReport {
                handled: Figure::Value(0.0),
                talk_s: Figure::Value(0.0),
                acw_s: Figure::Value(0.0),
                ..SplitReport::empty(from, fetched_at)
            });
        }
        [] => {
            return Err(SourceError::Malformed(format!(
                "GET /agents/{agent_id}/performance answered for other agents only"
            )));
        }
        [one] => *one,
        _ => {
            return Err(SourceError::Malformed(format!(
                "GET /agents/{agent_id}/performance answered {} rows for one agent",
                mine.len()
            )));
        }
    };
    Ok(SplitReport {
        handled: figure(row.total_handled.as_ref()),
        talk_s: figure(row.total_talk_time.as_ref()),
        acw_s: figure(row.acw_time.as_ref()),
        ..SplitReport::empty(from, fetched_at)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    fn parse(text: &str) -> Option<AgentPerformanceResponse> {
        serde_json::from_str(text).ok()
    }

    const FIXTURE: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/cxone/reporting/agent_performance.json"
    ));

    #[test]
    fn the_fixture_reads_talk_acw_and_handled_and_no_hold() {
        let from = t("2025-03-14T00:00:00Z");
        let at = t("2025-03-14T15:02:11Z");
        let r = split_from_performance(parse(FIXTURE), "39260751", from, at);
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.handled, Figure::Value(30.0));
        // PT2H28M15S
        assert_eq!(r.talk_s, Figure::Value(8895.0));
        // PT21M6S
        assert_eq!(r.acw_s, Figure::Value(1266.0));
        assert_eq!(r.hold_s, Figure::Absent, "CXone gives no hold figure");
        let s = crate::domain::bounds::check_split(r);
        assert!(s.doubts.is_empty(), "{:?}", s.doubts);
        assert_eq!(s.hold, None);
    }

    #[test]
    fn no_content_is_nothing_today() {
        let from = t("2025-03-14T00:00:00Z");
        for resp in [None, parse(r#"{"agentPerformance": []}"#)] {
            let r = split_from_performance(resp, "7", from, from);
            let r = r.unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(r.handled, Figure::Value(0.0));
            assert_eq!(r.talk_s, Figure::Value(0.0));
            assert_eq!(r.acw_s, Figure::Value(0.0));
            assert_eq!(r.hold_s, Figure::Absent);
        }
    }

    #[test]
    fn numbers_of_seconds_legacy_casing_and_hostile_values() {
        let from = t("2025-03-14T00:00:00Z");
        let at = t("2025-03-14T10:00:00Z");
        let text = r#"{"resultSet": {"AgentPerformance": [
            {"AgentId": 7, "TotalHandled": "12", "TotalTalkTime": 3600, "ACWTime": "-PT1S"}]}}"#;
        let r = split_from_performance(parse(text), "7", from, at);
        let r = r.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.handled, Figure::Value(12.0));
        assert_eq!(r.talk_s, Figure::Value(3600.0));
        assert_eq!(r.acw_s, Figure::Unreadable("-PT1S".into()));
        let text = r#"{"agentPerformance": [
            {"agentId": 7, "totalHandled": 2.5, "totalTalkTime": "PT99999H", "acwTime": [1]}]}"#;
        let r = split_from_performance(parse(text), "7", from, at);
        let s = crate::domain::bounds::check_split(r.unwrap_or_else(|e| panic!("{e}")));
        assert_eq!((s.handled, s.talk, s.acw), (None, None, None));
        assert_eq!(s.doubts.len(), 3, "{:?}", s.doubts);
    }

    #[test]
    fn other_agents_rows_and_unknown_shapes_are_refused() {
        let from = t("2025-03-14T00:00:00Z");
        let other = parse(r#"{"agentPerformance": [{"agentId": 8, "totalHandled": 1}]}"#);
        assert!(matches!(
            split_from_performance(other, "7", from, from),
            Err(SourceError::Malformed(_))
        ));
        assert!(matches!(
            split_from_performance(parse(r#"{"something": 1}"#), "7", from, from),
            Err(SourceError::Malformed(_))
        ));
    }
}
