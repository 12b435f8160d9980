//! One demo centre for every process: the demo's state is a pure function of (scenario,
//! seed, instant), however and whenever it was started and polled.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use queuetop::config::DemoConfig;
use queuetop::source::demo::scenario::Scenario;
use queuetop::source::demo::sim::Sim;
use queuetop::source::demo::{DemoSource, anchor};
use queuetop::source::feed::Vendor;
use queuetop::source::{IntervalHistory, SourceOptions};

fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, d, h, m, 0).unwrap()
}

/// A demo source on a clock the test moves.
fn demo(start: DateTime<Utc>) -> (DemoSource, Arc<Mutex<DateTime<Utc>>>) {
    let now = Arc::new(Mutex::new(start));
    let read = now.clone();
    let cfg = DemoConfig {
        name: "demo".into(),
        seed: 11,
        scenario: None,
    };
    let opts = SourceOptions {
        refresh: std::time::Duration::from_secs(5),
        timezone: Some(chrono_tz::UTC),
        clock: Default::default(),
    };
    let src = DemoSource::with_clock(
        &cfg,
        &opts,
        Box::new(move || *read.lock().unwrap_or_else(|e| e.into_inner())),
    )
    .unwrap();
    (src, now)
}

/// Poll the source at `t` (as the board's polls do) and return its snapshot.
async fn poll_at(
    src: &mut DemoSource,
    clock: &Arc<Mutex<DateTime<Utc>>>,
    t: DateTime<Utc>,
) -> queuetop::domain::SourceSnapshot {
    *clock.lock().unwrap() = t;
    src.vendor_mut().fetch(0).await.unwrap();
    src.snapshot()
}

async fn history(src: &mut DemoSource, agent: &str, t: DateTime<Utc>) -> Vec<String> {
    let h = src
        .vendor_mut()
        .history_job(agent, t - Duration::hours(24), t)
        .await
        .unwrap();
    h.spans
        .iter()
        .map(|s| format!("{} {} {:?} {:?}", s.start, s.end, s.state, s.reason))
        .collect()
}

#[tokio::test]
async fn demo_sources_started_at_different_moments_agree_on_the_same_instant() {
    let target = at(2, 13, 0);
    // One started at 09:45 and polled every few seconds-to-minutes, one started at 12:58,
    // one started exactly at the instant (as `snapshot` would be).
    let (mut early, c1) = demo(at(2, 9, 45));
    let mut t = at(2, 9, 45);
    while t < target {
        t = (t + Duration::seconds(97)).min(target);
        poll_at(&mut early, &c1, t).await;
    }
    let (mut late, c2) = demo(at(2, 12, 58));
    poll_at(&mut late, &c2, at(2, 12, 59)).await;
    let (mut fresh, c3) = demo(target);
    let a = poll_at(&mut early, &c1, target).await;
    let b = poll_at(&mut late, &c2, target).await;
    let c = poll_at(&mut fresh, &c3, target).await;
    assert_eq!(a.queues, c.queues);
    assert_eq!(b.queues, c.queues);
    assert_eq!(a.agents, c.agents);
    assert_eq!(b.agents, c.agents);
    let agent = c
        .agents
        .as_ref()
        .and_then(|a| a.first())
        .unwrap()
        .id
        .clone();
    let h = history(&mut fresh, &agent, target).await;
    assert!(!h.is_empty());
    assert_eq!(history(&mut early, &agent, target).await, h);
    assert_eq!(history(&mut late, &agent, target).await, h);
    assert_eq!(early.vendor().intervals(), fresh.vendor().intervals());
}

#[tokio::test]
async fn a_board_running_past_midnight_utc_agrees_with_a_process_started_after_it() {
    let (mut board, c1) = demo(at(2, 23, 50));
    let mut t = at(2, 23, 50);
    let target = at(3, 0, 20);
    while t < target {
        t += Duration::seconds(30);
        poll_at(&mut board, &c1, t).await;
    }
    let (mut fresh, c2) = demo(target);
    let a = poll_at(&mut board, &c1, target).await;
    let b = poll_at(&mut fresh, &c2, target).await;
    assert_eq!(a.queues, b.queues);
    assert_eq!(a.agents, b.agents);
    assert_eq!(anchor(target), at(1, 0, 0));
}

fn views(sim: &Sim) -> String {
    let mut out = format!(
        "{:?}\n{:?}\n{:?}\n",
        sim.queues(),
        sim.agents(),
        sim.intervals()
    );
    for a in sim.agents() {
        out.push_str(&format!(
            "{:?}\n",
            sim.history(&a.id, sim.now() - Duration::hours(26), sim.now())
        ));
    }
    out.push_str(&format!(
        "{:?}",
        sim.calls_since(sim.now() - Duration::hours(26))
    ));
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(12))]

    /// However `advance_to` is chunked (polls at any moments, some at the same instant),
    /// the centre at the end is the same.
    #[test]
    fn chunking_advance_to_differently_gives_the_same_centre(
        seed in 0u64..1000,
        steps in proptest::collection::vec(0i64..5_400_000, 1..40),
    ) {
        let scenario = Scenario::scaled(3, 14);
        let start = at(2, 0, 0);
        let end = start + Duration::hours(30);
        let mut one = Sim::new(&scenario, seed, start, Some(chrono_tz::UTC));
        one.advance_to(end);
        let mut chunked = Sim::new(&scenario, seed, start, Some(chrono_tz::UTC));
        let mut t = start;
        for s in steps {
            t = (t + Duration::milliseconds(s)).min(end);
            chunked.advance_to(t);
            chunked.advance_to(t);
        }
        chunked.advance_to(end);
        prop_assert_eq!(views(&one), views(&chunked));
    }
}
