//! SLA maths benchmarks: the real-time risk for a whole (large) centre per refresh, and
//! Erlang C at N = 2000, the largest staffing level the vectors cover.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use queuetop::sla::{RiskInputs, RiskPolicy, SlCounters, SlVariant, service_level, sla_risk};

const QUEUES: usize = 1_000;
const WAITING_PER_QUEUE: usize = 50;

/// A deterministic, varied, realistic queue: 20–60 agents, load 75–105 % of staff,
/// AHT 180–420 s, 50 waiting calls from 0 to ~90 s old, a few idle agents.
fn queue(i: usize) -> RiskInputs {
    let agents = 20 + (i * 7919 % 41) as u32;
    let aht_s = 180.0 + (i * 104_729 % 241) as f64;
    let load = 0.75 + (i % 31) as f64 * 0.01;
    let arrival_rate_per_hour = f64::from(agents) * load * 3600.0 / aht_s;
    let oldest = 30.0 + (i % 61) as f64;
    let waiting_ages_s = (0..WAITING_PER_QUEUE)
        .map(|j| oldest * (1.0 - j as f64 / WAITING_PER_QUEUE as f64))
        .collect();
    let answered_total = 500 + (i % 400) as u64;
    RiskInputs {
        target: 0.8,
        threshold_s: 20.0,
        variant: SlVariant::Offered,
        window_remaining_s: 3.0 * 3600.0,
        counters: SlCounters {
            answered_total,
            answered_within_t: answered_total * 4 / 5,
            abandoned_total: 20,
            abandoned_within_t: 8,
        },
        waiting_ages_s,
        agents_staffed: agents,
        agents_idle: (i % 3) as u32,
        arrival_rate_per_hour,
        aht_s,
    }
}

fn risk_for_a_centre(c: &mut Criterion) {
    let queues: Vec<RiskInputs> = (0..QUEUES).map(queue).collect();
    let policy = RiskPolicy::default();
    let mut group = c.benchmark_group("risk");
    group.throughput(Throughput::Elements(QUEUES as u64));
    group.bench_function("1000 queues x 50 waiting", |b| {
        b.iter(|| {
            queues
                .iter()
                .map(|q| sla_risk(black_box(q), &policy).breach_probability)
                .sum::<f64>()
        })
    });
    group.finish();
}

fn erlang_c_at_2000(c: &mut Criterion) {
    c.bench_function("erlang C service level N=2000 A=1900", |b| {
        b.iter(|| {
            service_level(
                black_box(2000),
                black_box(1900.0),
                black_box(300.0),
                black_box(20.0),
            )
        })
    });
}

criterion_group!(benches, risk_for_a_centre, erlang_c_at_2000);
criterion_main!(benches);
