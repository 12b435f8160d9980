//! The SLA forecasts scored against what happened (a small version of
//! `cargo run --release --example calibrate`): the engine must beat the naive baselines.

use queuetop::calibrate::{Settings, run};

#[test]
fn forecasts_beat_persistence_and_the_base_rate() {
    let report = run(&Settings::builtin(vec![11], 2));
    let text = report.to_text();
    assert!(report.interval.samples > 500, "{text}");
    assert!(report.day.samples > 500, "{text}");
    // Generous bounds: a two-day sample is noisy; the 20-day figures are in the README.
    assert!(
        report.interval.engine < report.interval.persistence * 1.15,
        "interval projection much worse than persistence:\n{text}"
    );
    assert!(
        report.day.engine < report.day.persistence,
        "day projection worse than persistence:\n{text}"
    );
    assert!(
        report.brier.engine < report.brier.base_rate,
        "breach probability worse than the base rate:\n{text}"
    );
    assert!(
        report.brier.engine < report.brier.persistence * 1.15,
        "breach probability much worse than persistence:\n{text}"
    );
    // The probabilities mean what they say, roughly: forecasts above 95 % breach mostly.
    let top = report.reliability.last().expect("bins");
    assert!(top.samples == 0 || top.observed > 0.8, "{text}");
}

#[test]
fn the_same_replay_gives_the_same_figures() {
    let settings = Settings {
        feed_every: chrono::Duration::minutes(5),
        ..Settings::builtin(vec![3], 1)
    };
    let (a, b) = (run(&settings), run(&settings));
    assert!(a.forecasts > 100, "{}", a.to_text());
    assert_eq!(a.to_text(), b.to_text());
}
