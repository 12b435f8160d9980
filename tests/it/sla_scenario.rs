//! A scripted demo scenario: one queue goes GREEN → AMBER → RED as its agents go on break,
//! driven by the simulation's own clock (deterministic, no wall-clock luck).

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use crate::support::harness::*;
use chrono::{DateTime, Utc};
use queuetop::app::view::board_rows;
use queuetop::app::{App, Msg, update};
use queuetop::config::DemoConfig;
use queuetop::model::sla::{SlaReason, SlaStatus};
use queuetop::source::demo::DemoSource;
use queuetop::source::demo::sim::AwayKind;
use queuetop::source::{Source, SourceEvent, SourceOptions};

#[test]
fn breaks_turn_an_interval_from_green_to_amber_to_red() {
    let clock = Arc::new(AtomicI64::new(fixed_now().timestamp_millis()));
    let c = clock.clone();
    let now = move || {
        DateTime::<Utc>::from_timestamp_millis(c.load(Ordering::SeqCst)).unwrap_or_default()
    };
    let cfg = DemoConfig {
        name: "demo".into(),
        seed: 7,
        scenario: None,
    };
    let opts = SourceOptions {
        refresh: std::time::Duration::from_secs(5),
        timezone: Some(chrono_tz::UTC),
        clock: Default::default(),
    };
    let mut src = DemoSource::with_clock(&cfg, &opts, Box::new(now.clone())).expect("demo");
    // EMEA Sales is judged per 30-minute interval, as many floors run it.
    let mut cfg_all = config();
    cfg_all.sla.queues.push(queuetop::config::SlaOverride {
        pattern: "EMEA Sales".into(),
        target: None,
        threshold_s: None,
        variant: None,
        window: Some(queuetop::config::SlWindow::Minutes(30)),
        short_abandon_s: None,
    });
    let mut app = App::new(Arc::new(cfg_all), now());
    let status = |app: &App| {
        board_rows(app)
            .into_iter()
            .find(|r| r.name == "EMEA Sales")
            .and_then(|r| r.sla.status)
    };

    let poll = |app: &mut App, src: &mut DemoSource| {
        let snap = futures_lite_block(src.poll()).snapshot;
        update(app, Msg::Source(SourceEvent::Snapshot(Box::new(snap))));
        // The demo's interval counters seed the window, as a platform's would.
        if let Some(iv) = queuetop::source::IntervalHistory::intervals(src.vendor()) {
            app.apply_intervals(iv);
        }
        update(app, Msg::Tick(now()));
    };
    // Let the estimators settle on a normal afternoon.
    for _ in 0..120 {
        clock.fetch_add(5_000, Ordering::SeqCst);
        poll(&mut app, &mut src);
    }
    let mut seen = vec![status(&app).expect("status known")];
    assert_eq!(seen[0], SlaStatus::Green, "a normal afternoon is on track");
    // Send EMEA Sales agents on a long break, one every two minutes.
    let sales: Vec<String> = src
        .sim()
        .agents()
        .into_iter()
        .filter(|a| a.queues.iter().any(|q| q == "sales-emea"))
        .map(|a| a.id)
        .collect();
    for id in &sales {
        src.sim_mut().force_away(
            id,
            AwayKind::Meeting,
            std::time::Duration::from_secs(3 * 3600),
        );
        for _ in 0..24 {
            clock.fetch_add(5_000, Ordering::SeqCst);
            poll(&mut app, &mut src);
            let s = status(&app).expect("status known");
            if seen.last() != Some(&s) {
                seen.push(s);
                let row = board_rows(&app)
                    .into_iter()
                    .find(|r| r.name == "EMEA Sales")
                    .expect("row");
                eprintln!("{s:?}: {:?} {:?}", row.sla.why, row.sla.detail);
            }
        }
        // Until the projection itself is red (not only a caller past the threshold).
        let why = board_rows(&app)
            .into_iter()
            .find(|r| r.name == "EMEA Sales")
            .and_then(|r| r.sla.why);
        if matches!(
            why,
            Some(SlaReason::BelowTarget { .. } | SlaReason::Unrecoverable { .. })
        ) {
            break;
        }
    }
    // GREEN first, RED in the end; on the way, a caller past the threshold with no agent
    // free turns it RED at once (the rule), and an agent freeing up may bring it back.
    assert_eq!(seen.first(), Some(&SlaStatus::Green), "went {seen:?}");
    assert_eq!(seen.last(), Some(&SlaStatus::Red), "went {seen:?}");
    // The queue page explains it in words.
    let row = board_rows(&app)
        .into_iter()
        .find(|r| r.name == "EMEA Sales")
        .expect("row");
    assert!(
        row.sla
            .why
            .as_ref()
            .map(queuetop::ui::words::sla_reason)
            .is_some_and(|w| { w.contains("projected") || w.contains("cannot reach") }),
        "{:?}",
        row.sla.why
    );
    assert!(
        row.sla
            .detail
            .iter()
            .map(|d| queuetop::ui::words::sla_detail(d, None))
            .any(|d| d.contains("staffing:")),
        "{:?}",
        row.sla.detail
    );
}
