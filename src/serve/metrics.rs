//! The collector's figures in the OpenMetrics text format (`prometheus-client` encodes and
//! escapes), built from the same snapshot document `queuetop snapshot --format json`
//! prints, so the two always agree. A figure that is unknown is absent, never a made-up 0.

use chrono::{DateTime, Utc};
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

use crate::model::Model;
use crate::output::snapshot_json;

type Labels = Vec<(String, String)>;
type F64Gauge = Gauge<f64, AtomicU64>;

/// Every SLA status a queue may be in (one series each: 1 for the current one).
pub const STATUSES: [&str; 7] = [
    "GREEN", "AMBER", "RED", "CLOSED", "MET", "BREACHED", "NO_CALLS",
];

struct Families {
    waiting: Family<Labels, F64Gauge>,
    longest: Family<Labels, F64Gauge>,
    agents: Family<Labels, F64Gauge>,
    sl: Family<Labels, F64Gauge>,
    status: Family<Labels, F64Gauge>,
    up: Family<Labels, F64Gauge>,
    age: Family<Labels, F64Gauge>,
}

fn set(f: &Family<Labels, F64Gauge>, labels: Labels, v: Option<f64>) {
    if let Some(v) = v.filter(|v| v.is_finite()) {
        f.get_or_create(&labels).set(v);
    }
}

/// The metrics text for `model` as of `now`.
pub fn render(model: &Model, centre: &str, now: DateTime<Utc>) -> String {
    let doc = snapshot_json(model);
    let fam = Families {
        waiting: Family::default(),
        longest: Family::default(),
        agents: Family::default(),
        sl: Family::default(),
        status: Family::default(),
        up: Family::default(),
        age: Family::default(),
    };
    let mut reg = Registry::default();
    reg.register(
        "queuetop_queue_waiting",
        "Interactions waiting in the queue",
        fam.waiting.clone(),
    );
    reg.register(
        "queuetop_queue_longest_wait_seconds",
        "Age of the oldest waiting interaction, seconds",
        fam.longest.clone(),
    );
    reg.register(
        "queuetop_queue_agents",
        "Agents of the queue by normalised state",
        fam.agents.clone(),
    );
    reg.register(
        "queuetop_queue_service_level",
        "Service level as a fraction (window: the SL interval, or the day); absent when unknown",
        fam.sl.clone(),
    );
    reg.register(
        "queuetop_queue_sla_status",
        "SLA status of the queue: 1 for the current one",
        fam.status.clone(),
    );
    reg.register(
        "queuetop_source_up",
        "1 when the source is LIVE at the collector, else 0",
        fam.up.clone(),
    );
    reg.register(
        "queuetop_source_age_seconds",
        "Seconds since the source last fetched successfully",
        fam.age.clone(),
    );
    let base = |source: &str| -> Labels {
        vec![
            ("centre".into(), centre.to_string()),
            ("source".into(), source.to_string()),
        ]
    };
    for s in &doc.sources {
        set(
            &fam.up,
            base(&s.name),
            Some(if s.status == "live" { 1.0 } else { 0.0 }),
        );
        set(
            &fam.age,
            base(&s.name),
            s.fetched_at
                .map(|t| ((now - t).num_milliseconds().max(0) as f64) / 1000.0),
        );
    }
    for q in &doc.queues {
        let mut l = base(&q.source);
        l.push(("queue_id".into(), q.id.clone()));
        l.push(("queue".into(), q.name.clone()));
        let with = |k: &str, v: &str| {
            let mut l = l.clone();
            l.push((k.to_string(), v.to_string()));
            l
        };
        set(&fam.waiting, l.clone(), q.waiting.map(f64::from));
        set(&fam.longest, l.clone(), q.longest_wait_s);
        let a = &q.agents;
        for (state, n) in [
            ("available", a.available),
            ("busy", a.busy),
            ("after_call_work", a.after_call_work),
            ("not_responding", a.not_responding),
            ("unavailable", a.unavailable),
            ("offline", a.offline),
        ] {
            set(&fam.agents, with("state", state), n.map(f64::from));
        }
        let is_day = q.sla.window.as_ref().is_some_and(|w| w.kind == "day");
        let day = q.sla.day.as_ref().and_then(|d| d.current_sl);
        if is_day {
            set(&fam.sl, with("window", "day"), q.sla.current_sl.or(day));
        } else {
            set(&fam.sl, with("window", "interval"), q.sla.current_sl);
            set(&fam.sl, with("window", "day"), day);
        }
        if let Some(current) = q.sla.status {
            for st in STATUSES {
                set(
                    &fam.status,
                    with("status", st),
                    Some(if st == current { 1.0 } else { 0.0 }),
                );
            }
        }
    }
    let mut out = String::new();
    if encode(&mut out, &reg).is_err() {
        out = "# EOF\n".into();
    }
    out
}
