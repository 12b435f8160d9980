//! Rendering cost: the board and the agent timeline from a fixed demo state, and a synthetic
//! 1,000-queue / 10,000-agent centre for the key-press-to-frame path.

use std::sync::Arc;

use chrono::{DateTime, Duration, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent};
use queuetop::app::{App, Msg, update};
use queuetop::config::{Config, DemoConfig};
use queuetop::domain::{
    Agent, AgentCounts, AgentState, Media, Queue, QueueLive, QueueToday, SourceHealth, SourceKind,
    SourceSnapshot,
};
use queuetop::source::demo::DemoSource;
use queuetop::source::{Source, SourceEvent, SourceOptions};
use queuetop::ui::theme::Theme;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn fixed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 14, 30, 0).unwrap()
}

fn config() -> Config {
    let mut c = Config::demo_default();
    c.timezone = Some(chrono_tz::UTC);
    c
}

fn app() -> (App, DemoSource) {
    let now = fixed_now();
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
    let mut src = DemoSource::with_clock(&cfg, &opts, Box::new(move || now)).expect("demo");
    let mut app = App::new(Arc::new(config()), now);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("rt");
    let snap = rt.block_on(src.poll()).snapshot;
    update(&mut app, Msg::Source(SourceEvent::Snapshot(Box::new(snap))));
    (app, src)
}

const QUEUES: usize = 1_000;
const AGENTS: usize = 10_000;

/// A large centre, built directly: 1,000 queues, 10,000 agents serving one to three queues.
fn big_snapshot(now: DateTime<Utc>) -> SourceSnapshot {
    let states = [
        AgentState::Available,
        AgentState::Busy,
        AgentState::Busy,
        AgentState::AfterCallWork,
        AgentState::Unavailable,
        AgentState::NotResponding,
        AgentState::Offline,
    ];
    let agents: Vec<Agent> = (0..AGENTS)
        .map(|i| {
            let state = states[i % states.len()];
            let q = i % QUEUES;
            let mut queues = vec![format!("q{q:04}")];
            for k in 1..=(i % 3) {
                queues.push(format!("q{:04}", (q + k * 37) % QUEUES));
            }
            Agent {
                id: format!("a{i:05}"),
                name: format!("Agent {i:05}"),
                state,
                reason: (state == AgentState::Unavailable).then(|| "Break".to_string()),
                since: Some(now - Duration::seconds((i as i64 * 17) % 3_600)),
                queues,
                contact: None,
                team: None,
            }
        })
        .collect();
    let queues: Vec<Queue> = (0..QUEUES)
        .map(|i| {
            let members = agents
                .iter()
                .filter(|a| a.queues[0] == format!("q{i:04}"))
                .map(|a| a.state);
            let offered = 200 + (i as u64 * 7) % 300;
            let abandoned = offered / 20;
            let answered = offered - abandoned - (i as u64 % 5);
            let within = answered * (70 + (i as u64 % 25)) / 100;
            let waiting = (i % 9) as u32;
            Queue {
                id: format!("q{i:04}"),
                name: format!("Queue {i:04}"),
                media: if i % 4 == 0 {
                    Media::Chat
                } else {
                    Media::Voice
                },
                vendor_objective: None,
                live: QueueLive {
                    observed_at: Some(now),
                    waiting: Some(waiting),
                    longest_wait_s: Some(if waiting == 0 { 0.0 } else { (i % 90) as f64 }),
                    waiting_ages_s: None,
                    agents: AgentCounts::from_states(members),
                },
                today: QueueToday {
                    fetched_at: Some(now),
                    offered: Some(offered),
                    answered: Some(answered),
                    abandoned: Some(abandoned),
                    answered_within_threshold: Some(within),
                    abandoned_within_threshold: Some(abandoned / 2),
                    asa_s: Some(15.0 + (i % 30) as f64),
                    aht_s: Some(240.0 + (i % 120) as f64),
                    service_level: Some(within as f64 / (answered + abandoned) as f64),
                    sl_counted: Some(answered + abandoned),
                    abandon_rate: Some(abandoned as f64 / offered as f64),
                    handle_time_total_s: Some(answered as f64 * 250.0),
                    handled: Some(answered),
                },
                recent_waiting: Vec::new(),
            }
        })
        .collect();
    let mut health = SourceHealth::live(now);
    health.fresh_until = Some(now + Duration::hours(1));
    SourceSnapshot {
        source: "demo".into(),
        kind: SourceKind::Demo,
        fetched_at: now,
        queues,
        agents: Some(agents),
        health,
    }
}

fn big_app() -> (App, SourceSnapshot) {
    let now = fixed_now();
    let snap = big_snapshot(now);
    let mut app = App::new(Arc::new(config()), now);
    update(
        &mut app,
        Msg::Source(SourceEvent::Snapshot(Box::new(snap.clone()))),
    );
    update(&mut app, Msg::Resize(200, 50));
    (app, snap)
}

fn key(c: KeyCode) -> Msg {
    Msg::Key(KeyEvent::from(c))
}

fn bench_big(c: &mut Criterion) {
    let (mut app, snap) = big_app();
    let mut term = Terminal::new(TestBackend::new(200, 50)).expect("terminal");
    c.bench_function("big: key-press-to-frame 200x50", |b| {
        b.iter(|| {
            update(&mut app, key(KeyCode::Down));
            term.draw(|f| queuetop::ui::draw(f, &app, &Theme::COLOR))
                .map(|_| ())
        })
    });
    update(&mut app, key(KeyCode::Home));
    c.bench_function("big: draw board 200x50", |b| {
        b.iter(|| {
            term.draw(|f| queuetop::ui::draw(f, &app, &Theme::COLOR))
                .map(|_| ())
        })
    });
    c.bench_function("big: apply one snapshot", |b| {
        b.iter_batched(
            || Msg::Source(SourceEvent::Snapshot(Box::new(snap.clone()))),
            |msg| update(&mut app, msg),
            BatchSize::LargeInput,
        )
    });
    update(&mut app, key(KeyCode::Char('a')));
    c.bench_function("big: draw agents page 200x50", |b| {
        b.iter(|| {
            term.draw(|f| queuetop::ui::draw(f, &app, &Theme::COLOR))
                .map(|_| ())
        })
    });
    c.bench_function("big: agents key-press-to-frame 200x50", |b| {
        b.iter(|| {
            update(&mut app, key(KeyCode::Down));
            term.draw(|f| queuetop::ui::draw(f, &app, &Theme::COLOR))
                .map(|_| ())
        })
    });
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
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, key(KeyCode::Enter));
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

criterion_group!(benches, bench, bench_big);
criterion_main!(benches);
