//! An agent's handle-time split today from the conversation aggregates (REFERENCE §3):
//! `POST /api/v2/analytics/conversations/aggregates/query` over local midnight → now, by
//! `userId`, filtered on the agent, metrics `tTalk`, `tHeld`, `tAcw` (sums in milliseconds)
//! and `tHandle` (its count is the interactions handled).

use chrono::{DateTime, Utc};

use super::wire::{AggregateQueryResponse, ConversationAggregationQuery, Filter, Predicate, Stats};
use crate::domain::{Figure, SplitReport};

/// The metrics asked for.
pub const SPLIT_METRICS: [&str; 4] = ["tTalk", "tHeld", "tAcw", "tHandle"];

/// The aggregates query for one agent over `[from, to)`: one bucket (no granularity), by
/// user, only that user.
pub fn split_query(
    agent_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> ConversationAggregationQuery {
    ConversationAggregationQuery {
        interval: super::wire::interval(from, to),
        granularity: None,
        time_zone: None,
        group_by: vec!["userId".into()],
        filter: Some(Filter {
            kind: "and".into(),
            clauses: vec![],
            predicates: vec![Predicate {
                kind: None,
                dimension: "userId".into(),
                operator: None,
                value: Some(agent_id.into()),
            }],
        }),
        metrics: SPLIT_METRICS.iter().map(|m| m.to_string()).collect(),
        flatten_multivalued_dimensions: None,
    }
}

/// One figure summed over groups and intervals.
#[derive(Debug, Default)]
struct Sum {
    total: f64,
    /// A part that was not a plausible number (kept as is, so the border check names it).
    bad: Option<Figure>,
}

impl Sum {
    fn add(&mut self, v: Option<f64>, what: &str) {
        match v {
            Some(x) if x.is_finite() && x >= 0.0 => self.total += x,
            Some(x) => {
                self.bad.get_or_insert(Figure::Value(x));
            }
            None => {
                self.bad
                    .get_or_insert(Figure::Unreadable(format!("no {what}")));
            }
        }
    }

    fn figure(self, scale: f64) -> Figure {
        match self.bad {
            Some(Figure::Value(x)) => Figure::Value(x * scale),
            Some(other) => other,
            None => Figure::Value(self.total * scale),
        }
    }
}

/// The split in a successful answer. The aggregates API leaves out metrics (and whole
/// groups) without events, so a metric that is not there is a genuine 0 (Genesys does
/// report holds: `tHeld`); a metric that is there without its figure is not readable.
pub fn split_from_aggregates(
    resp: &AggregateQueryResponse,
    agent_id: &str,
    from: DateTime<Utc>,
    fetched_at: DateTime<Utc>,
) -> SplitReport {
    let (mut talk, mut held, mut acw, mut handled) = (
        Sum::default(),
        Sum::default(),
        Sum::default(),
        Sum::default(),
    );
    let stat = |s: &Option<Stats>, f: fn(&Stats) -> Option<f64>| s.as_ref().and_then(f);
    for r in resp
        .results
        .iter()
        .filter(|r| r.group.get("userId").is_none_or(|u| u == agent_id))
    {
        for m in r.data.iter().flat_map(|d| &d.metrics) {
            let slot: &mut Sum = match m.metric.as_str() {
                "tTalk" => &mut talk,
                "tHeld" => &mut held,
                "tAcw" => &mut acw,
                "tHandle" => {
                    handled.add(stat(&m.stats, |s| s.count), "count");
                    continue;
                }
                _ => continue,
            };
            slot.add(stat(&m.stats, |s| s.sum), "sum");
        }
    }
    SplitReport {
        from,
        fetched_at,
        handled: handled.figure(1.0),
        talk_s: talk.figure(0.001),
        hold_s: held.figure(0.001),
        acw_s: acw.figure(0.001),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        s.parse().unwrap_or_default()
    }

    fn parse(v: serde_json::Value) -> AggregateQueryResponse {
        serde_json::from_value(v).unwrap_or_default()
    }

    const U: &str = "58b7f633-ee2e-4bc3-9cec-a22e8b73cf4a";

    #[test]
    fn the_query_asks_for_one_user_in_one_bucket() {
        let q = split_query(U, t("2026-03-10T00:00:00Z"), t("2026-03-10T14:32:00Z"));
        let v = serde_json::to_value(&q).unwrap_or_default();
        assert_eq!(
            v,
            serde_json::json!({
                "interval": "2026-03-10T00:00:00.000Z/2026-03-10T14:32:00.000Z",
                "groupBy": ["userId"],
                "filter": {"type": "and", "predicates": [{"dimension": "userId", "value": U}]},
                "metrics": ["tTalk", "tHeld", "tAcw", "tHandle"],
            })
        );
    }

    #[test]
    fn sums_are_milliseconds_and_the_handle_count_is_handled() {
        // The shape of the reference's 03 fixture, grouped by user.
        let resp = parse(serde_json::json!({"results": [{
            "group": {"userId": U},
            "data": [{"interval": "2026-03-10T00:00:00.000Z/2026-03-10T14:32:00.000Z",
                "metrics": [
                    {"metric": "tTalk", "stats": {"max": 1488210, "min": 18221, "count": 27, "sum": 8403000}},
                    {"metric": "tHeld", "stats": {"max": 60000, "min": 9870, "count": 4, "sum": 240000}},
                    {"metric": "tAcw", "stats": {"max": 180000, "min": 2010, "count": 27, "sum": 1266000}},
                    {"metric": "tHandle", "stats": {"max": 1671021, "min": 31877, "count": 27, "sum": 9909000}},
                    {"metric": "nSomethingNew", "stats": {"count": 3}}
                ]}]
        }]}));
        let from = t("2026-03-10T00:00:00Z");
        let at = t("2026-03-10T14:32:00Z");
        let r = split_from_aggregates(&resp, U, from, at);
        assert_eq!(r.handled, Figure::Value(27.0));
        assert_eq!(r.talk_s, Figure::Value(8403.0));
        assert_eq!(r.hold_s, Figure::Value(240.0));
        assert_eq!(r.acw_s, Figure::Value(1266.0));
    }

    #[test]
    fn no_events_is_zero_and_other_users_are_ignored() {
        let from = t("2026-03-10T00:00:00Z");
        let r = split_from_aggregates(&parse(serde_json::json!({"results": []})), U, from, from);
        assert_eq!(
            (r.handled, r.talk_s, r.hold_s, r.acw_s),
            (
                Figure::Value(0.0),
                Figure::Value(0.0),
                Figure::Value(0.0),
                Figure::Value(0.0)
            )
        );
        let other = parse(
            serde_json::json!({"results": [{"group": {"userId": "someone-else"},
            "data": [{"metrics": [{"metric": "tTalk", "stats": {"sum": 5000}}]}]}]}),
        );
        assert_eq!(
            split_from_aggregates(&other, U, from, from).talk_s,
            Figure::Value(0.0)
        );
    }

    #[test]
    fn hostile_stats_are_kept_for_the_border_check() {
        let resp = parse(serde_json::json!({"results": [{"group": {"userId": U},
        "data": [{"metrics": [
            {"metric": "tTalk", "stats": {"sum": -5000}},
            {"metric": "tHeld", "stats": {"count": 2}},
            {"metric": "tAcw", "stats": {"sum": 1e300}},
            {"metric": "tHandle"}
        ]}]}]}));
        let from = t("2026-03-10T00:00:00Z");
        let r = split_from_aggregates(&resp, U, from, from);
        assert_eq!(r.talk_s, Figure::Value(-5.0));
        assert_eq!(r.hold_s, Figure::Unreadable("no sum".into()));
        assert_eq!(r.acw_s, Figure::Value(1e297));
        assert_eq!(r.handled, Figure::Unreadable("no count".into()));
        let s = crate::domain::bounds::check_split(r);
        assert_eq!((s.handled, s.talk, s.hold, s.acw), (None, None, None, None));
        assert_eq!(s.doubts.len(), 4, "{:?}", s.doubts);
    }
}
