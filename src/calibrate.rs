//! Calibration of the SLA forecasts against the demo centre: replay demo days, take every
//! queue's projections at a fixed cadence exactly as the board computes them (the same
//! `Model`, fed the same snapshots and interval history a board gets), and score them
//! against what happened at the window's end — beside two naive baselines.
//!
//! * interval SL: the engine's projected end-of-interval SL against **persistence** (the
//!   interval's SL so far is the forecast);
//! * day SL: the day outlook's projection against persistence (today's SL so far);
//! * breach probability (the interval ends below target): Brier score against persistence
//!   (1 when the SL so far is below target, else 0) and the **base rate** (the share of
//!   intervals that ended below target, over the same sample — a baseline that is told the
//!   answer's frequency).
//!
//! Scores are over the samples where every forecast compared is defined (the SL so far
//! needs a call in the window) and the outcome is defined (the window had calls).

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use crate::config::{Config, SlVariant, SourceConfig};
use crate::domain::{IntervalCounts, SourceHealth, SourceIntervals, SourceKind, SourceSnapshot};
use crate::model::Model;
use crate::model::sla::SlaStatus;
use crate::sla::{SlCounters, sl_fraction};
use crate::source::SourceEvent;
use crate::source::demo::scenario::Scenario;
use crate::source::demo::sim::Sim;

/// What to replay.
#[derive(Debug, Clone)]
pub struct Settings {
    pub scenario: Scenario,
    pub seeds: Vec<u64>,
    /// Days scored per seed (after the warm-up).
    pub days: u32,
    /// The first scored day (its 00:00 UTC is used).
    pub start: DateTime<Utc>,
    /// How often the board would poll: the model is fed at this cadence.
    pub feed_every: Duration,
    /// How often forecasts are taken.
    pub sample_every: Duration,
}

impl Settings {
    /// The built-in centre, every 5 simulated minutes, fed every minute.
    pub fn builtin(seeds: Vec<u64>, days: u32) -> Settings {
        Settings {
            scenario: Scenario::builtin(),
            seeds,
            days,
            start: DateTime::parse_from_rfc3339("2026-11-02T00:00:00Z")
                .map(|t| t.with_timezone(&Utc))
                .unwrap_or_else(|_| Utc::now()),
            feed_every: Duration::minutes(1),
            sample_every: Duration::minutes(5),
        }
    }
}

/// Mean absolute errors of a projection and of its persistence baseline.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Mae {
    pub engine: f64,
    pub persistence: f64,
    pub samples: usize,
}

/// Brier scores of the breach probability and its two baselines.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Brier {
    pub engine: f64,
    pub persistence: f64,
    pub base_rate: f64,
    /// The share of samples whose interval ended below target.
    pub breach_rate: f64,
    pub samples: usize,
}

/// One bin of the reliability table: forecasts in `[from, to)`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Bin {
    pub from: f64,
    pub to: f64,
    pub samples: usize,
    pub mean_forecast: f64,
    pub observed: f64,
}

/// The calibration figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    pub days: u32,
    pub queues: usize,
    pub interval: Mae,
    pub day: Mae,
    pub brier: Brier,
    pub reliability: Vec<Bin>,
    /// Interval MAE by minutes into the interval (from, to, scores).
    pub by_elapsed: Vec<(i64, i64, Mae)>,
    /// Interval MAE per queue (id, scores).
    pub by_queue: Vec<(String, Mae)>,
    /// Mean signed error of the engine's interval projection (projected − actual).
    pub interval_bias: f64,
    /// Forecasts taken (open queues with a status), before the common-sample filter.
    pub forecasts: usize,
}

/// One forecast taken.
#[derive(Debug, Clone, Copy)]
struct Forecast {
    queue: usize,
    at: DateTime<Utc>,
    window: (DateTime<Utc>, DateTime<Utc>),
    day: (DateTime<Utc>, DateTime<Utc>),
    target: f64,
    variant: SlVariant,
    projected: Option<f64>,
    current: Option<f64>,
    breach_probability: Option<f64>,
    day_projected: Option<f64>,
    day_current: Option<f64>,
}

/// Replay and score. Deterministic for the same settings.
pub fn run(s: &Settings) -> Report {
    let mut forecasts: Vec<(u64, Forecast)> = Vec::new();
    let mut outcomes: HashMap<(u64, usize), BTreeMap<DateTime<Utc>, IntervalCounts>> =
        HashMap::new();
    let day0 = s
        .start
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc();
    let ids: Vec<String> = s.scenario.queues.iter().map(|q| q.id.clone()).collect();
    for &seed in &s.seeds {
        let mut config = Config::demo_default();
        config.timezone = Some(chrono_tz::UTC);
        if let Some(SourceConfig::Demo(d)) = config.sources.first_mut() {
            d.seed = seed;
        }
        let name = config
            .sources
            .first()
            .map(|c| c.name().to_string())
            .unwrap_or_default();
        let mut sim = Sim::new(
            &s.scenario,
            seed,
            crate::source::demo::anchor(day0),
            Some(chrono_tz::UTC),
        );
        sim.advance_to(day0);
        let mut model = Model::new(Arc::new(config), day0);
        let end = day0 + Duration::days(i64::from(s.days));
        let mut t = day0;
        let mut next_sample = day0;
        let mut next_keep = day0;
        // Run an hour past the last day so its last intervals are complete.
        while t <= end + Duration::hours(1) {
            sim.advance_to(t);
            let intervals = sim.intervals();
            if t >= next_keep {
                for (i, qi) in intervals.iter().enumerate() {
                    let keep = outcomes.entry((seed, i)).or_default();
                    for c in &qi.intervals {
                        keep.insert(c.start, c.clone());
                    }
                }
                next_keep = t + Duration::hours(2);
            }
            model.advance(t);
            model.apply_intervals(SourceIntervals {
                source: name.clone(),
                fetched_at: t,
                queues: intervals,
            });
            model.apply(SourceEvent::Snapshot(Box::new(SourceSnapshot {
                source: name.clone(),
                kind: SourceKind::Demo,
                fetched_at: t,
                queues: sim.queues(),
                agents: Some(sim.agents()),
                health: SourceHealth::live(t),
            })));
            if t >= next_sample && t < end {
                let day = (
                    crate::domain::time::start_of_day(t, Some(chrono_tz::UTC)),
                    crate::domain::time::next_midnight(t, Some(chrono_tz::UTC)),
                );
                for row in &model.derived().queues {
                    let Some(status) = row.sla.status else {
                        continue;
                    };
                    let (Some((_, ws, we)), Some(queue)) =
                        (row.sla.window, ids.iter().position(|id| *id == row.id))
                    else {
                        continue;
                    };
                    if status == SlaStatus::Closed || t >= we {
                        continue;
                    }
                    let policy = model
                        .find_queue(&row.source, &row.id)
                        .map(|q| model.sla_policy(q));
                    let Some(policy) = policy else { continue };
                    forecasts.push((
                        seed,
                        Forecast {
                            queue,
                            at: t,
                            window: (ws, we),
                            day,
                            target: policy.target,
                            variant: policy.variant,
                            projected: row.sla.projected_sl,
                            current: row.sla.current_sl,
                            breach_probability: row.sla.breach_probability,
                            day_projected: row.sla.day.and_then(|d| d.projected_sl),
                            day_current: row.sla.day.and_then(|d| d.current_sl),
                        },
                    ));
                }
                next_sample = t + s.sample_every;
            }
            t += s.feed_every;
        }
        // Whatever the last keep missed.
        for (i, qi) in sim.intervals().iter().enumerate() {
            let keep = outcomes.entry((seed, i)).or_default();
            for c in &qi.intervals {
                keep.insert(c.start, c.clone());
            }
        }
    }
    score(s, &forecasts, &outcomes, ids.len())
}

/// The SL of `[from, to)` from the kept intervals; `None` without calls.
fn actual(
    kept: Option<&BTreeMap<DateTime<Utc>, IntervalCounts>>,
    variant: SlVariant,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<f64> {
    let kept = kept?;
    let mut c = SlCounters::default();
    for (_, i) in kept.range(from..to) {
        c += crate::model::sla::interval_counters(i);
    }
    sl_fraction(variant, &c).value()
}

fn score(
    s: &Settings,
    forecasts: &[(u64, Forecast)],
    outcomes: &HashMap<(u64, usize), BTreeMap<DateTime<Utc>, IntervalCounts>>,
    queues: usize,
) -> Report {
    let mut interval = (0.0, 0.0, 0usize);
    let mut bias = 0.0;
    let mut elapsed = [(0.0, 0.0, 0usize); 3];
    let mut per_queue = vec![(0.0, 0.0, 0usize); queues];
    let mut day = (0.0, 0.0, 0usize);
    let mut briers: Vec<(f64, f64, bool)> = Vec::new();
    for (seed, f) in forecasts {
        let kept = outcomes.get(&(*seed, f.queue));
        if let (Some(p), Some(c), Some(a)) = (
            f.projected,
            f.current,
            actual(kept, f.variant, f.window.0, f.window.1),
        ) {
            interval.0 += (p - a).abs();
            interval.1 += (c - a).abs();
            interval.2 += 1;
            bias += p - a;
            if let Some(q) = per_queue.get_mut(f.queue) {
                q.0 += (p - a).abs();
                q.1 += (c - a).abs();
                q.2 += 1;
            }
            let len = (f.window.1 - f.window.0).num_seconds().max(1);
            let into = (f.at - f.window.0).num_seconds().clamp(0, len - 1);
            let e = &mut elapsed[(into * 3 / len) as usize];
            e.0 += (p - a).abs();
            e.1 += (c - a).abs();
            e.2 += 1;
            if let Some(prob) = f.breach_probability {
                let persistence = if c < f.target { 1.0 } else { 0.0 };
                briers.push((prob, persistence, a < f.target));
            }
        }
        if let (Some(p), Some(c), Some(a)) = (
            f.day_projected,
            f.day_current,
            actual(kept, f.variant, f.day.0, f.day.1),
        ) {
            day.0 += (p - a).abs();
            day.1 += (c - a).abs();
            day.2 += 1;
        }
    }
    let mae = |(e, p, n): (f64, f64, usize)| Mae {
        engine: if n > 0 { e / n as f64 } else { f64::NAN },
        persistence: if n > 0 { p / n as f64 } else { f64::NAN },
        samples: n,
    };
    let n = briers.len();
    let outcome = |b: bool| if b { 1.0 } else { 0.0 };
    let rate = if n > 0 {
        briers.iter().filter(|b| b.2).count() as f64 / n as f64
    } else {
        f64::NAN
    };
    let mean = |f: &dyn Fn(&(f64, f64, bool)) -> f64| {
        if n > 0 {
            briers.iter().map(f).sum::<f64>() / n as f64
        } else {
            f64::NAN
        }
    };
    let brier = Brier {
        engine: mean(&|b| (b.0 - outcome(b.2)).powi(2)),
        persistence: mean(&|b| (b.1 - outcome(b.2)).powi(2)),
        base_rate: mean(&|b| (rate - outcome(b.2)).powi(2)),
        breach_rate: rate,
        samples: n,
    };
    let edges = [0.0, 0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.95, 1.0 + 1e-9];
    let reliability = edges
        .windows(2)
        .map(|w| {
            let inside: Vec<_> = briers
                .iter()
                .filter(|b| b.0 >= w[0] && b.0 < w[1])
                .collect();
            let k = inside.len();
            Bin {
                from: w[0],
                to: w[1].min(1.0),
                samples: k,
                mean_forecast: if k > 0 {
                    inside.iter().map(|b| b.0).sum::<f64>() / k as f64
                } else {
                    f64::NAN
                },
                observed: if k > 0 {
                    inside.iter().filter(|b| b.2).count() as f64 / k as f64
                } else {
                    f64::NAN
                },
            }
        })
        .collect();
    let thirds = |k: usize| {
        let len = forecasts
            .first()
            .map(|(_, f)| (f.window.1 - f.window.0).num_minutes())
            .unwrap_or(30);
        (len * k as i64 / 3, len * (k as i64 + 1) / 3)
    };
    let by_elapsed = (0..3)
        .map(|k| {
            let (from, to) = thirds(k);
            (from, to, mae(elapsed[k]))
        })
        .collect();
    let by_queue = s
        .scenario
        .queues
        .iter()
        .zip(per_queue)
        .map(|(q, m)| (q.id.clone(), mae(m)))
        .collect();
    Report {
        by_queue,
        by_elapsed,
        interval_bias: if interval.2 > 0 {
            bias / interval.2 as f64
        } else {
            f64::NAN
        },
        days: s.days * s.seeds.len() as u32,
        queues,
        interval: mae(interval),
        day: mae(day),
        brier,
        reliability,
        forecasts: forecasts.len(),
    }
}

impl Report {
    /// The figures as a short text table.
    pub fn to_text(&self) -> String {
        let mut out = format!(
            "{} demo days × {} queues, {} forecasts taken\n\n",
            self.days, self.queues, self.forecasts
        );
        out.push_str("                         engine   persistence   base rate   samples\n");
        out.push_str(&format!(
            "interval SL, MAE        {:>7.4}   {:>11.4}           —   {:>7}\n",
            self.interval.engine, self.interval.persistence, self.interval.samples
        ));
        out.push_str(&format!(
            "day SL, MAE             {:>7.4}   {:>11.4}           —   {:>7}\n",
            self.day.engine, self.day.persistence, self.day.samples
        ));
        out.push_str(&format!(
            "breach (interval), Brier {:>6.4}   {:>11.4}   {:>9.4}   {:>7}\n",
            self.brier.engine, self.brier.persistence, self.brier.base_rate, self.brier.samples
        ));
        for (from, to, m) in &self.by_elapsed {
            out.push_str(&format!(
                "  {from:>2}–{to:<2} min into it   {:>7.4}   {:>11.4}           —   {:>7}\n",
                m.engine, m.persistence, m.samples
            ));
        }
        for (id, m) in &self.by_queue {
            out.push_str(&format!(
                "  {id:<22}   {:>7.4}   {:>11.4}           —   {:>7}\n",
                m.engine, m.persistence, m.samples
            ));
        }
        out.push_str(&format!(
            "interval projection bias (projected − actual): {:+.4}\n",
            self.interval_bias
        ));
        out.push_str(&format!(
            "\nintervals ending below target: {:.1} %\n\nreliability of the breach probability\n  forecast      samples   mean forecast   observed\n",
            self.brier.breach_rate * 100.0
        ));
        for b in &self.reliability {
            out.push_str(&format!(
                "  {:>4.0}–{:<4.0} %  {:>8}   {:>12.1} %   {:>6.1} %\n",
                b.from * 100.0,
                b.to * 100.0,
                b.samples,
                b.mean_forecast * 100.0,
                b.observed * 100.0
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actual_sl_sums_the_window_and_is_none_without_calls() {
        let t0 = DateTime::parse_from_rfc3339("2026-11-02T10:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap();
        let grain = |start: DateTime<Utc>, answered: u64, within: u64| IntervalCounts {
            start,
            minutes: 15,
            offered: answered,
            answered,
            answered_within_threshold: within,
            abandoned: 0,
            abandoned_within_threshold: 0,
        };
        let mut kept = BTreeMap::new();
        kept.insert(t0, grain(t0, 10, 8));
        kept.insert(
            t0 + Duration::minutes(15),
            grain(t0 + Duration::minutes(15), 10, 4),
        );
        kept.insert(
            t0 + Duration::minutes(30),
            grain(t0 + Duration::minutes(30), 10, 0),
        );
        let sl = actual(
            Some(&kept),
            SlVariant::Offered,
            t0,
            t0 + Duration::minutes(30),
        );
        assert_eq!(sl, Some(0.6));
        let none = actual(
            Some(&kept),
            SlVariant::Offered,
            t0 - Duration::hours(2),
            t0 - Duration::hours(1),
        );
        assert_eq!(none, None);
    }
}
