//! Warn / breach levels of a queue's figures (`[[thresholds]]`), and whether a queue is
//! in alarm: what the wall colours its digits by and flashes for.

use crate::config::Config;
use crate::config::wall::{Metric, Threshold};

use super::rows::QueueRow;
use super::sla::SlaStatus;

/// How far a figure is past its thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub enum Level {
    #[default]
    Normal,
    Warn,
    Breach,
}

/// The level of each watched figure of one queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Levels {
    pub waiting: Level,
    pub longest_wait: Level,
    pub abandon_rate: Level,
    pub available: Level,
}

impl Levels {
    pub fn get(&self, m: Metric) -> Level {
        match m {
            Metric::Waiting => self.waiting,
            Metric::LongestWait => self.longest_wait,
            Metric::AbandonRate => self.abandon_rate,
            Metric::Available => self.available,
        }
    }
}

/// Why a queue is in alarm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlarmCause {
    /// The SLA engine says RED.
    Red,
    /// The longest wait is past its breach level.
    LongestWait,
}

/// The `[[thresholds]]` patterns, compiled once.
#[derive(Debug, Clone, Default)]
pub struct ThresholdMatchers(Vec<Option<globset::GlobMatcher>>);

impl ThresholdMatchers {
    pub fn new(config: &Config) -> ThresholdMatchers {
        ThresholdMatchers(
            config
                .wall
                .thresholds
                .iter()
                .map(|t| {
                    globset::GlobBuilder::new(&t.pattern)
                        .case_insensitive(true)
                        .build()
                        .ok()
                        .map(|g| g.compile_matcher())
                })
                .collect(),
        )
    }
}

/// The first threshold for `metric` whose pattern matches the queue's name or id.
pub fn threshold_for<'a>(
    config: &'a Config,
    matchers: &ThresholdMatchers,
    r: &QueueRow,
    metric: Metric,
) -> Option<&'a Threshold> {
    config
        .wall
        .thresholds
        .iter()
        .zip(&matchers.0)
        .find(|(t, m)| {
            t.metric == metric
                && m.as_ref()
                    .is_some_and(|m| m.is_match(&r.name) || m.is_match(&r.id))
        })
        .map(|(t, _)| t)
}

/// (warn, breach) for one metric of one queue. Without a configured threshold the longest
/// wait warns at ¾ of the queue's SL threshold and breaches at it; other figures have none.
pub fn bounds(
    config: &Config,
    matchers: &ThresholdMatchers,
    r: &QueueRow,
    metric: Metric,
) -> (Option<f64>, Option<f64>) {
    match threshold_for(config, matchers, r, metric) {
        Some(t) => (t.warn, t.breach),
        None if metric == Metric::LongestWait => (Some(r.threshold_s * 0.75), Some(r.threshold_s)),
        None => (None, None),
    }
}

fn level(metric: Metric, value: Option<f64>, (warn, breach): (Option<f64>, Option<f64>)) -> Level {
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return Level::Normal;
    };
    let past = |l: Option<f64>| {
        l.is_some_and(|l| {
            if metric.lower_is_worse() {
                v <= l
            } else {
                v >= l
            }
        })
    };
    if past(breach) {
        Level::Breach
    } else if past(warn) {
        Level::Warn
    } else {
        Level::Normal
    }
}

/// Every watched figure's level for one queue.
pub fn levels(config: &Config, matchers: &ThresholdMatchers, r: &QueueRow) -> Levels {
    let of = |m: Metric, v: Option<f64>| level(m, v, bounds(config, matchers, r, m));
    Levels {
        waiting: of(Metric::Waiting, r.waiting.map(f64::from)),
        longest_wait: of(Metric::LongestWait, r.longest_wait_s),
        abandon_rate: of(Metric::AbandonRate, r.abandon_rate),
        available: of(Metric::Available, r.available.map(f64::from)),
    }
}

/// Whether the queue is in alarm, and why (never on stale figures).
pub fn alarm(r: &QueueRow, levels: &Levels) -> Option<AlarmCause> {
    if r.stale {
        None
    } else if r.sla.status == Some(SlaStatus::Red) {
        Some(AlarmCause::Red)
    } else if levels.longest_wait == Level::Breach {
        Some(AlarmCause::LongestWait)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_is_worse_for_available_agents() {
        let b = (Some(2.0), Some(0.0));
        assert_eq!(level(Metric::Available, Some(3.0), b), Level::Normal);
        assert_eq!(level(Metric::Available, Some(2.0), b), Level::Warn);
        assert_eq!(level(Metric::Available, Some(0.0), b), Level::Breach);
        let w = (Some(5.0), Some(10.0));
        assert_eq!(level(Metric::Waiting, Some(4.0), w), Level::Normal);
        assert_eq!(level(Metric::Waiting, Some(12.0), w), Level::Breach);
        assert_eq!(
            level(Metric::Waiting, None, w),
            Level::Normal,
            "unknown is not a breach"
        );
    }
}
