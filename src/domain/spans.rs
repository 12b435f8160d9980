//! Span algebra: turn a platform's raw state records into a clean timeline.
//!
//! A clean timeline over `[from, to)` is sorted, contiguous, non-overlapping, clipped to the
//! window, covers all of it (`unknown` where nothing is known) and merges neighbours with the
//! same state and reason. Its totals sum exactly to the window.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use super::{AgentState, StateSpan};

/// Make a clean timeline over `[from, to)` from raw spans. Where raw spans overlap, the one
/// that starts later wins (it is the newer record of what the agent was doing; on equal
/// starts, the one listed later); when it ends, an earlier one still running shows again.
pub fn normalise(raw: &[StateSpan], from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<StateSpan> {
    use std::collections::BinaryHeap;
    if to <= from {
        return Vec::new();
    }
    let mut spans: Vec<(usize, &StateSpan)> = raw
        .iter()
        .enumerate()
        .filter(|(_, s)| s.end > s.start && s.end > from && s.start < to)
        .collect();
    spans.sort_by_key(|(i, s)| (s.start, *i));
    // Elementary intervals between every boundary inside the window.
    let mut bounds: Vec<DateTime<Utc>> = vec![from, to];
    for (_, s) in &spans {
        for b in [s.start, s.end] {
            if b > from && b < to {
                bounds.push(b);
            }
        }
    }
    bounds.sort();
    bounds.dedup();
    // Max-heap of active spans by (start, input order): the top is the newest record.
    let mut active: BinaryHeap<(DateTime<Utc>, usize)> = BinaryHeap::new();
    let mut next = 0;
    let mut out: Vec<StateSpan> = Vec::new();
    for w in bounds.windows(2) {
        let (a, b) = (w[0], w[1]);
        while next < spans.len() && spans[next].1.start <= a {
            active.push((spans[next].1.start, spans[next].0));
            next += 1;
        }
        while let Some(&(_, i)) = active.peek() {
            if raw[i].end <= a {
                active.pop();
            } else {
                break;
            }
        }
        match active.peek() {
            Some(&(_, i)) => push_merged(&mut out, a, b, raw[i].state, raw[i].reason.clone()),
            None => push_merged(&mut out, a, b, AgentState::Unknown, None),
        }
    }
    out
}

/// Append a span, merging it into the last one when it continues the same state and reason.
pub fn push_merged(
    out: &mut Vec<StateSpan>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    state: AgentState,
    reason: Option<String>,
) {
    if let Some(last) = out.last_mut()
        && last.end == start
        && last.state == state
        && last.reason == reason
    {
        last.end = end;
        return;
    }
    out.push(StateSpan {
        start,
        end,
        state,
        reason,
    });
}

/// The fetched history extended to `now` with what the live feed says: the fetched spans up
/// to `fetched_to`, then the agent's current state from its `since` (or from `fetched_to`
/// when it started earlier). Normalised over `[from, now)`.
pub fn with_live(
    fetched: &[StateSpan],
    fetched_to: DateTime<Utc>,
    live: Option<StateSpan>,
    from: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<StateSpan> {
    with_observed(fetched, fetched_to, live.as_slice(), from, now)
}

/// Like [`with_live`], with every state the live feed reported since the fetch: `observed`
/// holds state changes oldest first (each span's `start` is when the feed said it began; its
/// `end` is ignored: a state lasts until the next one, the last until `now`).
pub fn with_observed(
    fetched: &[StateSpan],
    fetched_to: DateTime<Utc>,
    observed: &[StateSpan],
    from: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Vec<StateSpan> {
    let mut raw: Vec<StateSpan> = fetched.to_vec();
    let mut live: Vec<StateSpan> = observed.to_vec();
    live.sort_by_key(|s| s.start);
    for i in 0..live.len() {
        live[i].end = live
            .get(i + 1)
            .map(|n| n.start)
            .unwrap_or(now)
            .max(live[i].start);
    }
    if let Some(l) = live.first().cloned() {
        // The live state is authoritative from its start; if it started before the fetch
        // ended, the fetched records after that point are superseded by it.
        if l.start < fetched_to {
            raw.retain(|s| s.start < l.start);
            for s in raw.iter_mut() {
                if s.end > l.start {
                    s.end = l.start;
                }
            }
        } else if let Some(last) = raw.iter_mut().max_by_key(|s| s.start) {
            // Gap between fetch and live start: the last fetched state carried on.
            if last.end >= fetched_to {
                last.end = l.start;
            }
        }
        raw.extend(live);
    } else if let Some(last) = raw.iter_mut().max_by_key(|s| s.start)
        && last.end >= fetched_to
    {
        // Without a live feed the open span grows to now.
        last.end = now;
    }
    normalise(&raw, from, now)
}

/// Seconds per state. For a clean timeline the values sum to the window length.
pub fn totals(spans: &[StateSpan]) -> BTreeMap<AgentState, f64> {
    let mut ms: BTreeMap<AgentState, i64> = BTreeMap::new();
    for s in spans {
        *ms.entry(s.state).or_default() += (s.end - s.start).num_milliseconds();
    }
    ms.into_iter()
        .map(|(k, v)| (k, v as f64 / 1000.0))
        .collect()
}

/// The state occupying most of `[from, to)` (ties: the first in `AgentState` order), for one
/// timeline cell.
pub fn dominant(spans: &[StateSpan], from: DateTime<Utc>, to: DateTime<Utc>) -> Option<AgentState> {
    let mut best: Option<(Duration, AgentState)> = None;
    let mut acc: BTreeMap<AgentState, Duration> = BTreeMap::new();
    // Spans are sorted: skip to the first that may overlap.
    let first = spans.partition_point(|s| s.end <= from);
    for s in &spans[first..] {
        if s.start >= to {
            break;
        }
        let overlap = s.end.min(to) - s.start.max(from);
        if overlap > Duration::zero() {
            *acc.entry(s.state).or_insert(Duration::zero()) += overlap;
        }
    }
    for (state, d) in acc {
        if best.is_none_or(|(bd, _)| d > bd) {
            best = Some((d, state));
        }
    }
    best.map(|(_, s)| s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    fn t(s: i64) -> DateTime<Utc> {
        Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap()
    }
    fn sp(a: i64, b: i64, st: AgentState) -> StateSpan {
        StateSpan {
            start: t(a),
            end: t(b),
            state: st,
            reason: None,
        }
    }

    fn assert_clean(out: &[StateSpan], from: DateTime<Utc>, to: DateTime<Utc>) {
        assert_eq!(out.first().map(|s| s.start), Some(from));
        assert_eq!(out.last().map(|s| s.end), Some(to));
        for w in out.windows(2) {
            assert_eq!(w[0].end, w[1].start, "contiguous");
            assert!(
                !(w[0].state == w[1].state && w[0].reason == w[1].reason),
                "merged"
            );
        }
        for s in out {
            assert!(s.end > s.start);
        }
        let total: f64 = totals(out).values().sum();
        assert!((total - (to - from).num_milliseconds() as f64 / 1000.0).abs() < 1e-6);
    }

    #[test]
    fn clips_fills_and_merges() {
        let raw = vec![
            sp(-100, 10, AgentState::Offline),
            sp(20, 30, AgentState::Available),
            sp(30, 40, AgentState::Available),
            sp(35, 200, AgentState::Busy),
        ];
        let out = normalise(&raw, t(0), t(100));
        assert_eq!(
            out,
            vec![
                sp(0, 10, AgentState::Offline),
                sp(10, 20, AgentState::Unknown),
                sp(20, 35, AgentState::Available),
                sp(35, 100, AgentState::Busy),
            ]
        );
        assert_clean(&out, t(0), t(100));
    }

    #[test]
    fn empty_history_is_all_unknown() {
        let out = normalise(&[], t(0), t(60));
        assert_eq!(out, vec![sp(0, 60, AgentState::Unknown)]);
    }

    #[test]
    fn live_state_extends_and_supersedes() {
        let fetched = vec![
            sp(0, 50, AgentState::Available),
            sp(50, 100, AgentState::Busy),
        ];
        // Live feed: ACW since 80 (the fetch thought busy until its end at 100).
        let live = sp(80, 80, AgentState::AfterCallWork);
        let out = with_live(&fetched, t(100), Some(live), t(0), t(130));
        assert_eq!(
            out,
            vec![
                sp(0, 50, AgentState::Available),
                sp(50, 80, AgentState::Busy),
                sp(80, 130, AgentState::AfterCallWork)
            ]
        );
        // Live state began after the fetch: the fetched open state carries on until it.
        let live = sp(110, 110, AgentState::Unavailable);
        let out = with_live(&fetched, t(100), Some(live), t(0), t(130));
        assert_eq!(out.last().map(|s| s.state), Some(AgentState::Unavailable));
        assert_eq!(out[1], sp(50, 110, AgentState::Busy));
        assert_clean(&out, t(0), t(130));
    }

    #[test]
    fn dominant_state_of_a_cell() {
        let spans = vec![
            sp(0, 10, AgentState::Busy),
            sp(10, 40, AgentState::Available),
            sp(40, 60, AgentState::Busy),
        ];
        assert_eq!(dominant(&spans, t(0), t(60)), Some(AgentState::Available));
        assert_eq!(dominant(&spans, t(0), t(15)), Some(AgentState::Busy));
        assert_eq!(dominant(&spans, t(100), t(200)), None);
    }

    fn arb_state() -> impl Strategy<Value = AgentState> {
        prop::sample::select(AgentState::ALL.to_vec())
    }

    fn arb_spans() -> impl Strategy<Value = Vec<StateSpan>> {
        prop::collection::vec(
            (
                -500i64..1500,
                0i64..400,
                arb_state(),
                prop::option::of("[A-C]"),
            ),
            0..40,
        )
        .prop_map(|v| {
            v.into_iter()
                .map(|(a, len, st, r)| StateSpan {
                    start: t(a),
                    end: t(a + len),
                    state: st,
                    reason: r,
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn normalised_is_clean(raw in arb_spans(), from in -100i64..500, len in 1i64..2000) {
            let out = normalise(&raw, t(from), t(from + len));
            assert_clean(&out, t(from), t(from + len));
        }

        #[test]
        fn normalise_is_idempotent(raw in arb_spans()) {
            let once = normalise(&raw, t(0), t(1000));
            let twice = normalise(&once, t(0), t(1000));
            prop_assert_eq!(once, twice);
        }

        #[test]
        fn refetch_then_live_append_is_stable(raw in arb_spans(), live_at in 0i64..1000, st in arb_state()) {
            // Fetch at 1000, live state since live_at: the result is clean, and fetching
            // again (the same records) gives the same timeline.
            let live = StateSpan { start: t(live_at), end: t(live_at), state: st, reason: None };
            let a = with_live(&raw, t(1000), Some(live.clone()), t(0), t(1200));
            let b = with_live(&a, t(1200), Some(live), t(0), t(1200));
            assert_clean(&a, t(0), t(1200));
            prop_assert_eq!(a.last().map(|s| s.state), Some(st));
            prop_assert_eq!(a, b);
        }
    }
}
