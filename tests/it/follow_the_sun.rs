//! The built-in demo centre follows the sun: alive at any hour, mostly on target, and its
//! incidents make the SLA engine work for a while, then let it recover.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, TimeZone, Utc};
use queuetop::app::view::board_rows;
use queuetop::app::{App, Msg, update};
use queuetop::config::DemoConfig;
use queuetop::domain::{Queue, QueueIntervals};
use queuetop::model::sla::SlaStatus;
use queuetop::source::demo::scenario::{IncidentKind, IncidentSpec, Scenario};
use queuetop::source::demo::sim::Sim;
use queuetop::source::demo::{DemoSource, anchor};
use queuetop::source::{IntervalHistory, Source, SourceEvent, SourceOptions};

use crate::support::harness::*;

fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 2, h, m, 0).unwrap()
}

/// Calls offered to a queue in `[from, to)`, by arrival, from its 15-minute counters.
fn offered(iv: &QueueIntervals, from: DateTime<Utc>, to: DateTime<Utc>) -> u64 {
    iv.intervals
        .iter()
        .filter(|c| c.start >= from && c.start < to)
        .map(|c| c.offered)
        .sum()
}

/// The queues open now, with agents logged in and calls offered in the last 30 minutes (at
/// an interval's first second the current interval has none yet, so the half hour up to
/// now stands for it).
fn at_work(queues: &[Queue], intervals: &[QueueIntervals], now: DateTime<Utc>) -> Vec<String> {
    queues
        .iter()
        .filter(|q| {
            let Some(iv) = intervals.iter().find(|iv| iv.queue_id == q.id) else {
                return false;
            };
            iv.open_now == Some(true)
                && q.live.agents.staffed().unwrap_or(0) > 0
                && offered(iv, now - Duration::minutes(30), now + Duration::seconds(1)) > 0
        })
        .map(|q| q.name.clone())
        .collect()
}

fn closed(intervals: &[QueueIntervals]) -> usize {
    intervals
        .iter()
        .filter(|iv| iv.open_now == Some(false))
        .count()
}

#[test]
fn at_the_four_instants_regions_are_at_work_and_not_every_queue_is_red() {
    // As `queuetop --demo --at 2026-12-02T…Z` shows them (seed 7, the built-in centre).
    for t in [at(4, 0), at(9, 45), at(13, 0), at(20, 0)] {
        let (app, src) = app_with_demo_at(t);
        let intervals = src.vendor().intervals().expect("intervals").queues;
        let queues = src.sim().queues();
        let busy = at_work(&queues, &intervals, t);
        assert!(busy.len() >= 2, "{t}: at work {busy:?}");
        assert!(closed(&intervals) >= 1, "{t}: some region is closed");
        let rows = board_rows(&app);
        let status = |s: SlaStatus| rows.iter().filter(|r| r.sla.status == Some(s)).count();
        let open = rows.len() - status(SlaStatus::Closed);
        assert!(open >= 2, "{t}: {open} open");
        assert!(
            status(SlaStatus::Red) < open,
            "{t}: not every open queue is RED"
        );
        assert!(status(SlaStatus::Green) >= 2, "{t}: queues on track");
        for r in &rows {
            assert!(r.sla.status.is_some(), "{t} {}: {:?}", r.name, r.sla.why);
        }
    }
}

#[test]
fn every_hour_of_the_day_some_queues_are_at_work_and_some_closed() {
    let day = at(0, 0);
    let mut sim = Sim::new(&Scenario::builtin(), 7, anchor(day), Some(chrono_tz::UTC));
    for hour in 0..24 {
        let t = day + Duration::minutes(hour * 60 + 20);
        sim.advance_to(t);
        let intervals = sim.intervals();
        let busy = at_work(&sim.queues(), &intervals, t);
        assert!(busy.len() >= 2, "{t}: at work {busy:?}");
        assert!(closed(&intervals) >= 1, "{t}: some region is closed");
    }
}

/// Per queue, its 30-minute intervals of the UTC day with calls: (at or above target − 5
/// points, all).
fn intervals_on_target(sim: &Sim, scenario: &Scenario, day: DateTime<Utc>) -> Vec<(usize, usize)> {
    sim.intervals()
        .iter()
        .zip(&scenario.queues)
        .map(|(iv, spec)| {
            let (mut good, mut all) = (0, 0);
            for k in 0..48 {
                let from = day + Duration::minutes(30 * k);
                let cells = iv
                    .intervals
                    .iter()
                    .filter(|c| c.start >= from && c.start < from + Duration::minutes(30));
                let (hits, counted) = cells.fold((0, 0), |(h, n), c| {
                    (
                        h + c.answered_within_threshold,
                        n + c.answered + c.abandoned,
                    )
                });
                if counted > 0 {
                    all += 1;
                    good += usize::from(hits as f64 / counted as f64 >= spec.target - 0.05);
                }
            }
            (good, all)
        })
        .collect()
}

#[test]
fn over_a_day_most_open_intervals_are_at_or_near_target() {
    let scenario = Scenario::builtin();
    let day = at(0, 0);
    for seed in [7, 11] {
        let mut sim = Sim::new(&scenario, seed, anchor(day), Some(chrono_tz::UTC));
        // An hour past the day, so its last calls are answered or given up.
        sim.advance_to(day + Duration::hours(25));
        let per_queue = intervals_on_target(&sim, &scenario, day);
        let (good, all) = per_queue
            .iter()
            .fold((0, 0), |(g, a), (qg, qa)| (g + qg, a + qa));
        let share = good as f64 / all as f64;
        assert!(all > 250, "seed {seed}: {all} intervals with calls");
        assert!(share >= 0.8, "seed {seed}: {good} of {all} on target");
        for ((g, a), q) in per_queue.iter().zip(&scenario.queues) {
            assert!(*a >= 12, "seed {seed} {}: {a} intervals", q.name);
            assert!(
                *g as f64 >= 0.5 * *a as f64,
                "seed {seed} {}: {g} of {a} on target",
                q.name
            );
        }
        // A decent centre: few callers give up over the day (the whole UTC day by
        // arrival: the queue's own "today" an hour past it may be the first hour of its
        // next local day, too few calls to judge).
        for (iv, spec) in sim.intervals().iter().zip(&scenario.queues) {
            let day_cells = || {
                iv.intervals
                    .iter()
                    .filter(|c| c.start >= day && c.start < day + Duration::hours(24))
            };
            let offered: u64 = day_cells().map(|c| c.offered).sum();
            let abandoned: u64 = day_cells().map(|c| c.abandoned).sum();
            let rate = abandoned as f64 / offered.max(1) as f64;
            assert!(
                rate < 0.12,
                "seed {seed} {}: {rate:.2} abandoned of {offered}",
                spec.name
            );
        }
    }
}

/// A demo source on `scenario` (the built-in centre without one), on a clock the test moves.
fn source(scenario: Option<&Path>, start: DateTime<Utc>) -> (DemoSource, Arc<AtomicI64>) {
    let clock = Arc::new(AtomicI64::new(start.timestamp_millis()));
    let read = clock.clone();
    let cfg = DemoConfig {
        name: "demo".into(),
        seed: 7,
        scenario: scenario.map(Path::to_path_buf),
    };
    let opts = SourceOptions {
        refresh: std::time::Duration::from_secs(5),
        timezone: Some(chrono_tz::UTC),
        clock: Default::default(),
    };
    let now = move || {
        DateTime::<Utc>::from_timestamp_millis(read.load(Ordering::SeqCst)).unwrap_or_default()
    };
    let src = DemoSource::with_clock(&cfg, &opts, Box::new(now)).expect("demo");
    (src, clock)
}

/// Poll the source at `t` and fold its snapshot and interval counters into the app, as
/// the event loop does.
fn poll(app: &mut App, src: &mut DemoSource, clock: &AtomicI64, t: DateTime<Utc>) {
    clock.store(t.timestamp_millis(), Ordering::SeqCst);
    let snap = futures_lite_block(src.poll()).snapshot;
    update(app, Msg::Source(SourceEvent::Snapshot(Box::new(snap))));
    if let Some(iv) = src.vendor().intervals() {
        app.apply_intervals(iv);
    }
    update(app, Msg::Tick(t));
}

/// The status of `queue` every two minutes over `[from, to)`.
fn statuses(
    scenario: &Path,
    queue: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Vec<(DateTime<Utc>, Option<SlaStatus>)> {
    let (mut src, clock) = source(Some(scenario), from);
    let mut app = App::new(Arc::new(config()), from);
    let mut out = Vec::new();
    let mut t = from;
    while t < to {
        poll(&mut app, &mut src, &clock, t);
        let s = board_rows(&app)
            .into_iter()
            .find(|r| r.name == queue)
            .and_then(|r| r.sla.status);
        out.push((t, s));
        t += Duration::minutes(2);
    }
    out
}

fn troubled(s: Option<SlaStatus>) -> bool {
    matches!(s, Some(SlaStatus::Amber | SlaStatus::Red))
}

/// Polls in trouble within `[from, to)`.
fn trouble_in(
    run: &[(DateTime<Utc>, Option<SlaStatus>)],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> usize {
    run.iter()
        .filter(|(t, s)| *t >= from && *t < to && troubled(*s))
        .count()
}

#[test]
fn incidents_turn_a_queue_amber_or_red_for_a_while_and_it_recovers() {
    // The built-in centre on an ordinary day (no incidents), and with one on the day.
    let dir = tempfile::tempdir().expect("tmp");
    let write = |name: &str, incidents: Vec<IncidentSpec>| {
        let mut s = Scenario::builtin();
        s.incidents = incidents;
        let p = dir.path().join(name);
        std::fs::write(&p, s.to_toml().expect("toml")).expect("write");
        p
    };
    let on_the_day = |kind, queue: &str, window: &str| IncidentSpec {
        kind,
        queue: queue.into(),
        window: Some(window.into()),
        chance: 0.0,
        days: vec!["2026-12-02".into()],
        factor: (kind == IncidentKind::Surge).then_some(2.5),
        share: (kind == IncidentKind::Outage).then_some(0.5),
        spread: None,
    };
    let calm_day = write("calm.toml", Vec::new());
    // London's mid-morning peak at 2.5 times (London is on UTC in December); half the
    // global support desk pulled off the phones in the afternoon.
    for (incident, queue, from, to) in [
        (
            on_the_day(IncidentKind::Surge, "sales-emea", "10:00-11:30"),
            "EMEA Sales",
            at(10, 0),
            at(11, 30),
        ),
        (
            on_the_day(IncidentKind::Outage, "support", "14:00-16:00"),
            "Technical Support",
            at(14, 0),
            at(16, 0),
        ),
    ] {
        let bad_day = write("bad.toml", vec![incident]);
        let (start, end) = (from - Duration::minutes(30), to + Duration::minutes(120));
        let hit = statuses(&bad_day, queue, start, end);
        let calm = statuses(&calm_day, queue, start, end);
        // Before it, the same centre as on an ordinary day.
        let before = |run: &[(DateTime<Utc>, Option<SlaStatus>)]| -> Vec<_> {
            run.iter().filter(|(t, _)| *t < from).cloned().collect()
        };
        assert_eq!(before(&hit), before(&calm), "{queue}");
        // For a while: at least 10 minutes of polls in trouble, well above the same hours
        // of the ordinary day.
        let during = |run: &[_]| trouble_in(run, from, to + Duration::minutes(15));
        assert!(during(&hit) >= 5, "{queue}: {hit:?}");
        assert!(
            during(&hit) >= during(&calm) + 4,
            "{queue}: {hit:?} vs {calm:?}"
        );
        // It recovers: the backlog is worked off within the hour after (a half-staffed
        // desk for two hours leaves one), and the queue is mostly on track after that.
        let after: Vec<_> = hit
            .iter()
            .filter(|(t, _)| *t >= to + Duration::minutes(60))
            .collect();
        assert!(
            after.iter().any(|(_, s)| *s == Some(SlaStatus::Green)),
            "{queue}: {after:?}"
        );
        let calm_after = after.iter().filter(|(_, s)| !troubled(*s)).count();
        assert!(2 * calm_after >= after.len(), "{queue}: {after:?}");
    }
}

#[test]
fn a_board_running_through_an_incident_agrees_with_a_process_started_in_it() {
    // Seed 7 on 2026-12-02: a surge on EMEA Sales late in London's morning (one of the
    // built-in incidents, drawn for the day).
    let scenario = Scenario::builtin();
    let target = at(11, 40);
    let day = queuetop::source::demo::sim::incidents::incidents_on(
        &scenario,
        7,
        target.date_naive(),
        Some(chrono_tz::UTC),
    );
    assert!(
        day.iter()
            .any(|i| i.kind == IncidentKind::Surge && i.from <= target && target < i.to),
        "{day:?}"
    );
    let (mut board, c1) = source(None, at(9, 45));
    let mut app = App::new(Arc::new(config()), at(9, 45));
    let mut t = at(9, 45);
    while t < target {
        t = (t + Duration::seconds(97)).min(target);
        poll(&mut app, &mut board, &c1, t);
    }
    let (mut fresh, c2) = source(None, target);
    let mut app2 = App::new(Arc::new(config()), target);
    poll(&mut app2, &mut fresh, &c2, target);
    assert_eq!(board.snapshot().queues, fresh.snapshot().queues);
    assert_eq!(board.snapshot().agents, fresh.snapshot().agents);
    assert_eq!(board.vendor().intervals(), fresh.vendor().intervals());
    assert_eq!(board.sim().incidents(), fresh.sim().incidents());
}
