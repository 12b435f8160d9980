//! Rendering cost: the board and the agent timeline from a fixed demo state.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use queuetop::app::{App, Msg, update};
use queuetop::config::{Config, DemoConfig};
use queuetop::source::demo::DemoSource;
use queuetop::source::{Source, SourceEvent, SourceOptions};
use queuetop::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app() -> (App, DemoSource) {
    let now = Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap();
    let cfg = DemoConfig {
        name: "demo".into(),
        seed: 7,
        scenario: None,
    };
    let opts = SourceOptions {
        refresh: std::time::Duration::from_secs(5),
        timezone: Some(chrono_tz::UTC),
    };
    let mut src = DemoSource::with_clock(&cfg, &opts, Box::new(move || now)).expect("demo");
    let mut c = Config::demo_default();
    c.timezone = Some(chrono_tz::UTC);
    let mut app = App::new(Arc::new(c), now);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("rt");
    let snap = rt.block_on(src.poll()).snapshot;
    update(&mut app, Msg::Source(SourceEvent::Snapshot(Box::new(snap))));
    (app, src)
}

fn bench(c: &mut Criterion) {
    let (mut app, mut src) = app();
    let mut term = Terminal::new(TestBackend::new(120, 40)).expect("terminal");
    c.bench_function("draw board 120x40", |b| {
        b.iter(|| {
            term.draw(|f| queuetop::ui::draw(f, &app, &Theme::COLOR))
                .map(|_| ())
        })
    });
    let mut big = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    c.bench_function("draw board 200x60", |b| {
        b.iter(|| {
            big.draw(|f| queuetop::ui::draw(f, &app, &Theme::COLOR))
                .map(|_| ())
        })
    });

    // Agent page with a loaded 24 h history.
    update(
        &mut app,
        Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )),
    );
    let effects = update(
        &mut app,
        Msg::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )),
    );
    if let Some(queuetop::app::Effect::FetchHistory {
        source,
        agent_id,
        from,
        to,
    }) = effects.into_iter().next()
    {
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("rt");
        let h = rt
            .block_on(src.history(&agent_id, from, to))
            .map_err(|e| e.to_string());
        update(
            &mut app,
            Msg::Source(SourceEvent::History {
                source,
                agent_id,
                result: h,
            }),
        );
    }
    c.bench_function("draw agent timeline 200x60", |b| {
        b.iter(|| {
            big.draw(|f| queuetop::ui::draw(f, &app, &Theme::COLOR))
                .map(|_| ())
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
