//! The demo centre: warm start (25 simulated hours) and a real-time poll, at the built-in
//! size and at 1,000 queues / 10,000 agents.

use std::hint::black_box;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use queuetop::source::demo::scenario::Scenario;
use queuetop::source::demo::sim::Sim;

fn warm(scenario: &Scenario, now: DateTime<Utc>) -> Sim {
    let mut sim = Sim::new(scenario, 7, now - Duration::hours(25), Some(chrono_tz::UTC));
    sim.advance_to(now);
    sim
}

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0)
        .single()
        .unwrap_or_default()
}

fn builtin(c: &mut Criterion) {
    let scenario = Scenario::builtin();
    let now = now();
    c.bench_function("demo warm start (25 h)", |b| {
        b.iter(|| warm(&scenario, now))
    });
    let mut sim = warm(&scenario, now);
    c.bench_function("demo snapshot (queues + agents)", |b| {
        b.iter(|| (sim.queues(), sim.agents()))
    });
    let mut t = now;
    c.bench_function("demo poll (advance 5 s + queues + agents)", |b| {
        b.iter(|| {
            t += Duration::seconds(5);
            sim.advance_to(t);
            black_box((sim.queues(), sim.agents()))
        })
    });
}

fn scaled(c: &mut Criterion) {
    let scenario = Scenario::scaled(1_000, 10_000);
    let now = now();
    let mut g = c.benchmark_group("demo 1000 queues / 10000 agents");
    g.sample_size(10);
    g.bench_function("warm start (25 h)", |b| b.iter(|| warm(&scenario, now)));
    let mut sim = warm(&scenario, now);
    g.bench_function("snapshot (queues + agents)", |b| {
        b.iter(|| black_box((sim.queues(), sim.agents())))
    });
    let mut t = now;
    g.bench_function("poll (advance 5 s + queues + agents)", |b| {
        b.iter(|| {
            t += Duration::seconds(5);
            sim.advance_to(t);
            black_box((sim.queues(), sim.agents()))
        })
    });
    g.finish();
}

criterion_group!(benches, builtin, scaled);
criterion_main!(benches);
