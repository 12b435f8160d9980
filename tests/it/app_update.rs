//! `update()`: keys and data → state, without a terminal.

use crate::support::harness::*;
use crossterm::event::KeyCode;
use queuetop::app::view::{QueueSort, board_rows};
use queuetop::app::{Effect, Msg, Page, SortDir, update};
use queuetop::source::{Source, SourceEvent};

#[test]
fn sort_cycles_and_reverses() {
    let (mut app, _) = app_with_demo();
    assert_eq!(app.board.sort, QueueSort::Risk);
    update(&mut app, ch('s'));
    assert_eq!(app.board.sort, QueueSort::Waiting);
    for _ in 0..QueueSort::ALL.len() - 1 {
        update(&mut app, ch('s'));
    }
    assert_eq!(app.board.sort, QueueSort::Risk, "cycles back");
    // Sort by name, then reverse.
    while app.board.sort != QueueSort::Name {
        update(&mut app, ch('s'));
    }
    let names: Vec<String> = board_rows(&app).into_iter().map(|r| r.name).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);
    update(&mut app, ch('S'));
    assert_eq!(app.board.dir, SortDir::Reversed);
    let rev: Vec<String> = board_rows(&app).into_iter().map(|r| r.name).collect();
    sorted.reverse();
    assert_eq!(rev, sorted);
}

#[test]
fn filter_edits_keeps_and_clears() {
    let (mut app, _) = app_with_demo();
    update(&mut app, ch('/'));
    assert!(app.board.editing_filter);
    for c in "sup".chars() {
        update(&mut app, ch(c));
    }
    // While editing, letters are text, not commands: 's' did not change the sort, 'q' would not quit.
    assert_eq!(app.board.sort, QueueSort::Risk);
    let rows = board_rows(&app);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name, "Technical Support");
    update(&mut app, key(KeyCode::Enter));
    assert!(!app.board.editing_filter);
    assert_eq!(app.board.filter, "sup");
    update(&mut app, ch('/'));
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.board.filter, "");
    assert_eq!(board_rows(&app).len(), 8);
    update(&mut app, ch('/'));
    update(&mut app, ch('q'));
    assert!(!app.quit);
}

#[test]
fn selection_stays_in_bounds_and_follows_the_row() {
    let (mut app, mut src) = app_with_demo();
    for _ in 0..50 {
        update(&mut app, ch('j'));
    }
    assert_eq!(app.board.selected, 7);
    update(&mut app, key(KeyCode::Up));
    assert_eq!(app.board.selected, 6);
    for _ in 0..50 {
        update(&mut app, ch('k'));
    }
    assert_eq!(app.board.selected, 0);
    update(&mut app, ch('G'));
    assert_eq!(app.board.selected, 7);
    update(&mut app, ch('g'));
    // Pick a row, then new data re-sorts: the selection follows the queue.
    update(&mut app, ch('j'));
    update(&mut app, ch('j'));
    let chosen = app.board.selected_key.clone().expect("key remembered");
    let snap = futures_lite_block(src.poll()).snapshot;
    update(&mut app, Msg::Source(SourceEvent::Snapshot(Box::new(snap))));
    update(&mut app, key(KeyCode::Enter));
    match app.page() {
        Page::Queue { queue_id, .. } => assert_eq!(queue_id, &chosen.1),
        p => panic!("expected queue page, got {p:?}"),
    }
}

#[test]
fn pause_holds_data_until_resumed() {
    let (mut app, mut src) = app_with_demo();
    update(&mut app, ch('p'));
    assert!(app.paused);
    let before = app.sources[0].snapshot.clone();
    let mut snap = futures_lite_block(src.poll()).snapshot;
    snap.fetched_at += chrono::Duration::seconds(5);
    update(
        &mut app,
        Msg::Source(SourceEvent::Snapshot(Box::new(snap.clone()))),
    );
    assert_eq!(app.sources[0].snapshot, before, "paused: nothing applied");
    update(&mut app, ch('p'));
    assert_eq!(
        app.sources[0].snapshot.as_ref().map(|s| s.fetched_at),
        Some(snap.fetched_at)
    );
}

#[test]
fn refresh_help_quit_and_resize() {
    let (mut app, _) = app_with_demo();
    assert_eq!(update(&mut app, ch('r')), vec![Effect::RefreshAll]);
    update(&mut app, ch('?'));
    assert!(app.help);
    update(&mut app, ch('x'));
    assert!(!app.help, "any key closes help");
    update(&mut app, Msg::Resize(33, 9));
    assert_eq!(app.size, (33, 9));
    assert!(render(&app, 33, 9).contains("terminal too small (33×9)"));
    assert_eq!(update(&mut app, ch('q')), vec![Effect::Quit]);
    assert!(app.quit);
    let (mut app, _) = app_with_demo();
    update(
        &mut app,
        Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('c'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    assert!(app.quit);
    let (mut app, _) = app_with_demo();
    assert_eq!(update(&mut app, Msg::Signal), vec![Effect::Quit]);
}

#[test]
fn drill_in_and_out_and_history_feed() {
    let (mut app, _) = app_with_demo();
    update(&mut app, key(KeyCode::Enter));
    assert!(matches!(app.page(), Page::Queue { .. }));
    let effects = update(&mut app, key(KeyCode::Enter));
    let Page::Agent(p) = app.page().clone() else {
        panic!("agent page")
    };
    assert!(
        matches!(&effects[..], [Effect::FetchHistory { agent_id, .. }] if *agent_id == p.agent_id)
    );
    // While the fetch is under way, ticks do not ask again.
    assert!(later(&mut app, 1).is_empty());
    update(&mut app, key(KeyCode::Esc));
    update(&mut app, key(KeyCode::Backspace));
    assert_eq!(app.pages, vec![Page::Board]);
    // Popped: no page wants history, so ticks ask for nothing.
    assert!(later(&mut app, 600).is_empty());
    update(&mut app, ch('a'));
    assert!(matches!(app.page(), Page::Agents { .. }));
}

#[test]
fn failed_history_is_shown_and_retried() {
    let (mut app, _) = app_with_demo();
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Enter));
    let Page::Agent(p) = app.page().clone() else {
        panic!()
    };
    update(
        &mut app,
        Msg::Source(SourceEvent::History {
            source: p.source.clone(),
            agent_id: p.agent_id.clone(),
            result: Err("HTTP 503".into()),
        }),
    );
    let screen = render(&app, 100, 30);
    assert!(screen.contains("history unavailable: HTTP 503"), "{screen}");
    let e = later(&mut app, 11);
    assert!(
        matches!(&e[..], [Effect::FetchHistory { .. }]),
        "retried: {e:?}"
    );
}

#[test]
fn timeline_zoom_and_pan_stay_inside_the_day() {
    let (mut app, _) = app_with_demo();
    update(&mut app, key(KeyCode::Enter));
    update(&mut app, key(KeyCode::Enter));
    for _ in 0..10 {
        update(&mut app, ch('+'));
    }
    let Page::Agent(p) = app.page().clone() else {
        panic!()
    };
    assert_eq!(p.window_len(), chrono::Duration::hours(1));
    for _ in 0..500 {
        update(&mut app, key(KeyCode::Left));
    }
    let Page::Agent(p) = app.page().clone() else {
        panic!()
    };
    assert_eq!(p.pan_back, chrono::Duration::hours(23));
    update(&mut app, ch('-'));
    let Page::Agent(p) = app.page().clone() else {
        panic!()
    };
    assert!(
        p.pan_back <= chrono::Duration::hours(20),
        "clamped on zoom out: {:?}",
        p.pan_back
    );
    update(&mut app, ch('0'));
    let Page::Agent(p) = app.page().clone() else {
        panic!()
    };
    assert_eq!((p.zoom, p.pan_back), (0, chrono::Duration::zero()));
}

#[test]
fn timeline_appends_live_changes_without_refetch() {
    use queuetop::domain::AgentState;
    let (mut app, mut src) = app_with_demo();
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, key(KeyCode::Enter));
    let Some(Effect::FetchHistory {
        source,
        agent_id,
        from,
        to,
    }) = effects.into_iter().next()
    else {
        panic!()
    };
    let h = futures_lite_block(src.history(&agent_id, from, to)).map_err(|e| e.to_string());
    update(
        &mut app,
        Msg::Source(SourceEvent::History {
            source: source.clone(),
            agent_id: agent_id.clone(),
            result: h,
        }),
    );
    // Two live changes arrive in two polls, without any refetch.
    let mut now = app.now;
    let mut states = Vec::new();
    for (i, st) in [AgentState::Unavailable, AgentState::Available]
        .into_iter()
        .enumerate()
    {
        now += chrono::Duration::seconds(30);
        let mut snap = futures_lite_block(src.poll()).snapshot;
        snap.fetched_at = now;
        let a = snap
            .agents
            .as_mut()
            .and_then(|v| v.iter_mut().find(|a| a.id == agent_id))
            .expect("agent");
        a.state = st;
        a.reason = Some(format!("change {i}"));
        a.since = Some(now);
        states.push(st);
        let effects = update(&mut app, Msg::Source(SourceEvent::Snapshot(Box::new(snap))));
        assert!(effects.is_empty(), "no refetch: {effects:?}");
    }
    update(&mut app, Msg::Tick(now + chrono::Duration::seconds(10)));
    let tl = app.agent_timeline(&source, &agent_id).expect("timeline");
    let tail: Vec<_> = tl
        .iter()
        .rev()
        .take(2)
        .map(|s| (s.state, s.reason.clone()))
        .collect();
    assert_eq!(
        tail,
        vec![
            (AgentState::Available, Some("change 1".into())),
            (AgentState::Unavailable, Some("change 0".into()))
        ]
    );
    assert_eq!(
        tl.last().map(|s| s.end),
        Some(app.now),
        "the open span grows to now"
    );
    let total: f64 = queuetop::domain::spans::totals(&tl).values().sum();
    assert!((total - 86_400.0).abs() < 1e-6);
}

#[test]
fn every_demo_queue_has_an_sla_status_in_the_afternoon() {
    let (app, _) = app_with_demo();
    for r in board_rows(&app) {
        assert!(r.sla.status.is_some(), "{}: {:?}", r.name, r.sla.why);
        assert!(
            r.sla.projected_sl.is_some_and(|p| (0.0..=1.0).contains(&p)),
            "{}",
            r.name
        );
        assert!(
            r.sla
                .breach_probability
                .is_some_and(|p| (0.0..=1.0).contains(&p))
        );
        assert!(r.sla.required_agents.is_some(), "{}", r.name);
    }
}

#[test]
fn a_threshold_override_that_differs_from_the_platforms_counts_is_unknown() {
    let mut cfg = config();
    cfg.sla.queues.push(queuetop::config::SlaOverride {
        pattern: "Sales".into(),
        target: Some(0.9),
        threshold_s: Some(45.0),
        variant: None,
        window: None,
        short_abandon_s: None,
    });
    let (demo_app, mut src) = app_with_demo();
    let mut app = queuetop::app::App::new(std::sync::Arc::new(cfg), demo_app.now);
    let snap = futures_lite_block(src.poll()).snapshot;
    update(&mut app, Msg::Source(SourceEvent::Snapshot(Box::new(snap))));
    let sales = board_rows(&app)
        .into_iter()
        .find(|r| r.name == "Sales")
        .expect("sales");
    assert_eq!(
        sales.sla.status, None,
        "never a figure mixing two thresholds"
    );
    assert!(
        sales
            .sla
            .why
            .as_deref()
            .is_some_and(|w| w.contains("same threshold")),
        "{:?}",
        sales.sla.why
    );
    // A target-only override is fine.
    let billing = board_rows(&app)
        .into_iter()
        .find(|r| r.name == "Billing")
        .expect("billing");
    assert!(billing.sla.status.is_some());
}
