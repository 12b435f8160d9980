//! Invariants of the demo centre, over many seeds and start times.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use queuetop::domain::spans::totals;
use queuetop::domain::{AgentCounts, AgentState};
use queuetop::source::demo::scenario::Scenario;
use queuetop::source::demo::sim::{Outcome, Sim};

fn run(seed: u64, now: DateTime<Utc>) -> Sim {
    let mut sim = Sim::new(
        &Scenario::builtin(),
        seed,
        now - Duration::hours(25),
        Some(chrono_tz::UTC),
    );
    sim.advance_to(now);
    sim
}

fn start_time(hour: u32, minute: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, hour, minute, 0).unwrap()
}

fn check(sim: &Sim) {
    let now = sim.now();
    let day = sim.day_start();
    let queues = sim.queues();
    let agents = sim.agents();
    let calls = sim.calls_since(day);
    for (qi, q) in queues.iter().enumerate() {
        // Every arrival today is answered, abandoned or still waiting.
        let mine: Vec<_> = calls.iter().filter(|c| c.queue == qi).collect();
        let answered = mine
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Answered { .. }))
            .count() as u64;
        let abandoned = mine
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Abandoned { .. }))
            .count() as u64;
        let waiting_today = mine
            .iter()
            .filter(|c| c.outcome == Outcome::Waiting)
            .count() as u64;
        let c = sim.counters(qi);
        assert_eq!(
            c.offered,
            mine.len() as u64,
            "{}: offered = arrivals today",
            q.name
        );
        assert_eq!(
            c.offered,
            answered + abandoned + waiting_today,
            "{}: offered = answered + abandoned + waiting",
            q.name
        );
        // Today's counters equal the events.
        assert_eq!(c.answered, answered, "{}", q.name);
        assert_eq!(c.abandoned, abandoned, "{}", q.name);
        let t = sim.threshold_ms(qi);
        let within = mine
            .iter()
            .filter(|x| matches!(x.outcome, Outcome::Answered { at, .. } if at - x.arrived <= t))
            .count() as u64;
        assert_eq!(c.answered_within, within, "{}", q.name);
        assert_eq!(q.today.offered, Some(c.offered));
        // Waiting = the queue's list; ages oldest first and non-negative.
        let ages = q.live.waiting_ages_s.clone().unwrap_or_default();
        assert_eq!(q.live.waiting, Some(ages.len() as u32));
        assert_eq!(ages.len(), sim.waiting_ids(qi).len());
        assert!(ages.windows(2).all(|w| w[0] >= w[1]), "oldest first");
        assert!(ages.iter().all(|a| *a >= 0.0));
        // Queue agent counts equal the agents' states.
        let expect = AgentCounts::from_states(
            agents
                .iter()
                .filter(|a| a.queues.contains(&q.id))
                .map(|a| a.state),
        );
        assert_eq!(q.live.agents, expect, "{}", q.name);
        if let Some(sl) = q.today.service_level {
            assert!((0.0..=1.0).contains(&sl));
        }
    }
    // History spans are contiguous and end in the current state; totals = window.
    for a in &agents {
        let from = now - Duration::hours(24);
        let (_, spans) = sim.history(&a.id, from, now).expect("agent exists");
        let clean = queuetop::domain::spans::normalise(&spans, from, now);
        for w in spans.windows(2) {
            assert_eq!(
                w[0].end, w[1].start,
                "{}: raw history is contiguous",
                a.name
            );
        }
        assert_eq!(
            spans.last().map(|s| s.state),
            Some(a.state),
            "{}: open span is the live state",
            a.name
        );
        let total: f64 = totals(&clean).values().sum();
        assert!((total - 86_400.0).abs() < 1e-6);
        // The simulation started 25 h ago, so the whole day is known.
        assert!(
            clean.iter().all(|s| s.state != AgentState::Unknown),
            "{}",
            a.name
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn invariants_hold_for_any_seed(seed in any::<u64>(), hour in 0u32..24, minute in 0u32..60) {
        check(&run(seed, start_time(hour, minute)));
    }
}

#[test]
fn same_seed_same_centre() {
    let a = run(42, start_time(14, 30));
    let b = run(42, start_time(14, 30));
    assert_eq!(a.queues(), b.queues());
    assert_eq!(a.agents(), b.agents());
    let c = run(43, start_time(14, 30));
    assert_ne!(a.queues(), c.queues());
}

#[test]
fn starts_warm_with_a_busy_afternoon() {
    let sim = run(7, start_time(14, 0));
    let queues = sim.queues();
    let offered: u64 = queues.iter().filter_map(|q| q.today.offered).sum();
    assert!(
        offered > 1000,
        "a working day's traffic by 14:00, got {offered}"
    );
    let on = sim
        .agents()
        .iter()
        .filter(|a| a.state != AgentState::Offline)
        .count();
    assert!(on >= 25, "most of the day shift is logged in, got {on}");
    // Every queue that has had calls today has a service level; by 14:00 UTC every region
    // has been at work (Singapore's day is over, London's and New York's have begun).
    assert!(
        queues
            .iter()
            .all(|q| q.today.offered == Some(0) || q.today.service_level.is_some())
    );
    assert!(
        queues
            .iter()
            .filter(|q| q.today.offered.unwrap_or(0) > 0)
            .count()
            >= queues.len() - 1
    );
    assert!(queues.iter().any(|q| q.today.abandoned.unwrap_or(0) > 0));
}

#[test]
fn keeps_running_in_real_time_and_across_midnight() {
    let mut sim = run(3, start_time(23, 50));
    let before = sim.queues()[0].today.offered.unwrap_or(0);
    assert!(before > 0);
    sim.advance_to(start_time(23, 50) + Duration::minutes(20));
    // Counters restarted at midnight.
    check(&sim);
    let after = sim.queues()[0].today.offered.unwrap_or(0);
    assert!(after < before, "reset at midnight: {before} → {after}");
    // Short real-time steps keep the invariants.
    for _ in 0..30 {
        let t = sim.now() + Duration::seconds(5);
        sim.advance_to(t);
    }
    check(&sim);
}

/// Each agent's handle time today is what their own timeline says: talk is the time in the
/// calls (busy) that ended since midnight, ACW the after-call work that ended since, and
/// every one of those calls is handled once its ACW ends.
#[test]
fn each_agents_split_today_matches_their_timeline() {
    for (seed, h, m) in [(3, 15, 18), (7, 9, 45), (11, 0, 20)] {
        let sim = run(seed, start_time(h, m));
        let (day, now) = (sim.day_start(), sim.now());
        let mut handled_total = 0;
        for a in sim.agents() {
            let d = sim.agent_day(&a.id).expect("agent");
            let (_, spans) = sim
                .history(&a.id, now - Duration::hours(25), now)
                .expect("history");
            // Closed spans that ended today (the open one, from `since`, has not ended).
            let closed = |st: AgentState| {
                spans
                    .iter()
                    .filter(move |s| s.state == st && s.end > day)
                    .filter(|s| !(Some(s.start) == a.since && s.state == a.state))
            };
            let ms = |st| -> i64 {
                closed(st)
                    .map(|s| (s.end - s.start).num_milliseconds())
                    .sum()
            };
            assert_eq!(d.talk_ms, ms(AgentState::Busy), "{} talk", a.name);
            assert_eq!(d.acw_ms, ms(AgentState::AfterCallWork), "{} ACW", a.name);
            // A call whose talk ended before midnight may end its ACW today; the call in
            // ACW now has its talk counted and is not handled yet.
            let calls = closed(AgentState::Busy).count() as i64;
            assert!(
                (d.handled as i64 - calls).abs() <= 1,
                "{}: handled {} for {calls} calls",
                a.name,
                d.handled
            );
            handled_total += d.handled;
        }
        assert!(handled_total > 0, "seed {seed}: someone worked today");
    }
}
