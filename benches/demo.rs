//! The demo centre: warm start (25 simulated hours) and a real-time poll.

use chrono::{Duration, TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use queuetop::source::demo::scenario::Scenario;
use queuetop::source::demo::sim::Sim;

fn bench(c: &mut Criterion) {
    let scenario = Scenario::builtin();
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap();
    c.bench_function("demo warm start (25 h)", |b| {
        b.iter(|| {
            let mut sim = Sim::new(
                &scenario,
                7,
                now - Duration::hours(25),
                Some(chrono_tz::UTC),
            );
            sim.advance_to(now);
            sim
        })
    });
    let mut sim = Sim::new(
        &scenario,
        7,
        now - Duration::hours(25),
        Some(chrono_tz::UTC),
    );
    sim.advance_to(now);
    c.bench_function("demo snapshot (queues + agents)", |b| {
        b.iter(|| (sim.queues(), sim.agents()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
