//! Shared test helpers: a fixed demo state, rendering to text.
#![allow(dead_code)]

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use queuetop::app::{App, Msg, update};
use queuetop::config::{Config, DemoConfig};
use queuetop::source::demo::DemoSource;
use queuetop::source::{Source, SourceEvent, SourceOptions};
use queuetop::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// An afternoon in London, a morning in New York, the night in Singapore.
pub fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 14, 42, 0).unwrap()
}

/// A moment at which a demo queue is RED (an alarm on the wall): the fixed instant
/// (AMER Retentions is RED from 14:36 to 14:54 of that day).
pub fn alarm_now() -> DateTime<Utc> {
    fixed_now()
}

pub fn config() -> Config {
    let mut c = Config::demo_default();
    c.timezone = Some(chrono_tz::UTC);
    c
}

pub fn demo_source(now: DateTime<Utc>) -> DemoSource {
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
    DemoSource::with_clock(&cfg, &opts, Box::new(move || now)).expect("demo")
}

/// An app that has received one demo snapshot at `fixed_now()`.
pub fn app_with_demo() -> (App, DemoSource) {
    app_with_demo_config(config())
}

/// The same, with a configuration of the test's own (a demo source named "demo").
pub fn app_with_demo_config(config: Config) -> (App, DemoSource) {
    app_with_demo_config_at(config, fixed_now())
}

/// An app that has received one demo snapshot at `now`.
pub fn app_with_demo_at(now: DateTime<Utc>) -> (App, DemoSource) {
    app_with_demo_config_at(config(), now)
}

fn app_with_demo_config_at(config: Config, now: DateTime<Utc>) -> (App, DemoSource) {
    let mut src = demo_source(now);
    let mut app = App::new(Arc::new(config), now);
    let snap = futures_lite_block(src.poll()).snapshot;
    update(&mut app, Msg::Source(SourceEvent::Snapshot(Box::new(snap))));
    if let Some(iv) = queuetop::source::IntervalHistory::intervals(src.vendor()) {
        app.apply_intervals(iv);
    }
    // The event loop's next tick (within a second) brings the board's order in line with
    // the evaluations the interval counters just changed.
    update(&mut app, Msg::Tick(now));
    (app, src)
}

/// Run a future that never actually waits (the demo source).
pub fn futures_lite_block<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("rt")
        .block_on(f)
}

pub fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(c, KeyModifiers::NONE))
}

pub fn ch(c: char) -> Msg {
    key(KeyCode::Char(c))
}

pub fn render(app: &App, w: u16, h: u16) -> String {
    render_theme(app, w, h, &Theme::COLOR)
}

pub fn render_theme(app: &App, w: u16, h: u16, theme: &Theme) -> String {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| queuetop::ui::draw(f, app, theme)).expect("draw");
    let buf = t.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..h {
        let mut line = String::new();
        for x in 0..w {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

pub fn later(app: &mut App, secs: i64) -> Vec<queuetop::app::Effect> {
    let t = app.now() + Duration::seconds(secs);
    update(app, Msg::Tick(t))
}

/// Every cell drawn with `modifier`, as (x, y).
pub fn cells_with(
    app: &App,
    w: u16,
    h: u16,
    theme: &Theme,
    modifier: ratatui::style::Modifier,
) -> Vec<(u16, u16)> {
    let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
    t.draw(|f| queuetop::ui::draw(f, app, theme)).expect("draw");
    let buf = t.backend().buffer().clone();
    let mut out = Vec::new();
    for y in 0..h {
        for x in 0..w {
            if buf[(x, y)].modifier.contains(modifier) {
                out.push((x, y));
            }
        }
    }
    out
}

/// The demo's queues in two named wall pages.
pub fn wall_pages_config() -> Config {
    use queuetop::config::wall::WallPage;
    let mut c = config();
    c.wall.pages = vec![
        WallPage {
            name: "Voice".into(),
            queues: ["*Sales", "*Billing", "*Retent*", "*VIP*", "Technical*"]
                .map(String::from)
                .to_vec(),
        },
        WallPage {
            name: "Digital".into(),
            queues: ["Web Chat", "*WhatsApp", "Email"]
                .map(String::from)
                .to_vec(),
        },
    ];
    c
}
