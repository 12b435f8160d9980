//! `update()`: keys and data → state, without a terminal.

use crate::support::harness::*;
use crossterm::event::KeyCode;
use queuetop::app::view::board_rows;
use queuetop::app::{Effect, Msg, Page, SortDir, update};
use queuetop::model::rows::QueueSort;
use queuetop::source::{Source, SourceEvent};

#[test]
fn sort_cycles_and_reverses() {
    let (mut app, _) = app_with_demo();
    assert_eq!(app.nav.board.sort, QueueSort::Risk);
    update(&mut app, ch('s'));
    assert_eq!(app.nav.board.sort, QueueSort::Waiting);
    for _ in 0..QueueSort::ALL.len() - 1 {
        update(&mut app, ch('s'));
    }
    assert_eq!(app.nav.board.sort, QueueSort::Risk, "cycles back");
    // Sort by name, then reverse.
    while app.nav.board.sort != QueueSort::Name {
        update(&mut app, ch('s'));
    }
    let names: Vec<String> = board_rows(&app).into_iter().map(|r| r.name).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted);
    update(&mut app, ch('S'));
    assert_eq!(app.nav.board.dir, SortDir::Reversed);
    let rev: Vec<String> = board_rows(&app).into_iter().map(|r| r.name).collect();
    sorted.reverse();
    assert_eq!(rev, sorted);
}

#[test]
fn filter_edits_keeps_and_clears() {
    let (mut app, _) = app_with_demo();
    let all = board_rows(&app).len();
    update(&mut app, ch('/'));
    assert!(app.nav.board.editing_filter);
    for c in "sup".chars() {
        update(&mut app, ch(c));
    }
    // While editing, letters are text, not commands: 's' did not change the sort, 'q' would not quit.
    assert_eq!(app.nav.board.sort, QueueSort::Risk);
    let rows = board_rows(&app);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].name, "Technical Support");
    update(&mut app, key(KeyCode::Enter));
    assert!(!app.nav.board.editing_filter);
    assert_eq!(app.nav.board.filter, "sup");
    update(&mut app, ch('/'));
    update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.nav.board.filter, "");
    assert_eq!(board_rows(&app).len(), all);
    update(&mut app, ch('/'));
    update(&mut app, ch('q'));
    assert!(!app.nav.quit);
}

#[test]
fn selection_stays_in_bounds_and_follows_the_row() {
    let (mut app, mut src) = app_with_demo();
    let last = board_rows(&app).len() - 1;
    for _ in 0..50 {
        update(&mut app, ch('j'));
    }
    assert_eq!(app.nav.board.selected, last);
    update(&mut app, key(KeyCode::Up));
    assert_eq!(app.nav.board.selected, last - 1);
    for _ in 0..50 {
        update(&mut app, ch('k'));
    }
    assert_eq!(app.nav.board.selected, 0);
    update(&mut app, ch('G'));
    assert_eq!(app.nav.board.selected, last);
    update(&mut app, ch('g'));
    // Pick a row, then new data re-sorts: the selection follows the queue.
    update(&mut app, ch('j'));
    update(&mut app, ch('j'));
    let chosen = app.nav.board.selected_key.clone().expect("key remembered");
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
    assert!(app.nav.paused);
    let before = app.model().sources[0].snapshot.clone();
    let mut snap = futures_lite_block(src.poll()).snapshot;
    snap.fetched_at += chrono::Duration::seconds(5);
    update(
        &mut app,
        Msg::Source(SourceEvent::Snapshot(Box::new(snap.clone()))),
    );
    assert_eq!(
        app.model().sources[0].snapshot,
        before,
        "paused: nothing applied"
    );
    update(&mut app, ch('p'));
    assert_eq!(
        app.model().sources[0]
            .snapshot
            .as_ref()
            .map(|s| s.fetched_at),
        Some(snap.fetched_at)
    );
}

#[test]
fn refresh_help_quit_and_resize() {
    let (mut app, _) = app_with_demo();
    assert_eq!(update(&mut app, ch('r')), vec![Effect::RefreshAll]);
    update(&mut app, ch('?'));
    assert!(app.nav.help);
    update(&mut app, ch('x'));
    assert!(!app.nav.help, "any key closes help");
    update(&mut app, Msg::Resize(33, 9));
    assert_eq!(app.size, (33, 9));
    assert!(render(&app, 33, 9).contains("terminal too small (33×9)"));
    assert_eq!(update(&mut app, ch('q')), vec![Effect::Quit]);
    assert!(app.nav.quit);
    let (mut app, _) = app_with_demo();
    update(
        &mut app,
        Msg::Key(crossterm::event::KeyEvent::new(
            KeyCode::Char('c'),
            crossterm::event::KeyModifiers::CONTROL,
        )),
    );
    assert!(app.nav.quit);
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
    assert_eq!(app.nav.pages, vec![Page::Board]);
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
fn a_failed_history_keeps_the_split_and_leaving_cancels_both() {
    let (mut app, mut src) = app_with_demo();
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, key(KeyCode::Enter));
    let Some(Effect::FetchHistory {
        source,
        agent_id,
        to,
        ..
    }) = effects.into_iter().next()
    else {
        panic!()
    };
    let screen = render(&app, 100, 30);
    assert!(screen.contains("Today  loading…"), "{screen}");
    // The split answers first, then the history fails.
    let split = futures_lite_block(src.split(&agent_id, to)).map_err(|e| e.to_string());
    let handled = split.as_ref().ok().and_then(|s| s.handled);
    update(
        &mut app,
        Msg::Source(SourceEvent::Split {
            source: source.clone(),
            agent_id: agent_id.clone(),
            result: split,
        }),
    );
    update(
        &mut app,
        Msg::Source(SourceEvent::History {
            source: source.clone(),
            agent_id: agent_id.clone(),
            result: Err("HTTP 503".into()),
        }),
    );
    let screen = render(&app, 100, 30);
    assert!(screen.contains("history unavailable: HTTP 503"), "{screen}");
    let want = format!("Today  handled {} · talk ", handled.unwrap_or_default());
    assert!(screen.contains(&want), "{screen}");
    // The retry asks again; leaving the page while it loads cancels the agent's jobs (the
    // history's and the split's) and forgets the split.
    assert!(matches!(
        &later(&mut app, 11)[..],
        [Effect::FetchHistory { .. }]
    ));
    let e = update(&mut app, key(KeyCode::Esc));
    assert!(
        e.iter().any(|e| matches!(e, Effect::CancelHistory { .. })),
        "{e:?}"
    );
    assert!(app.model().splits.is_empty());
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
    let mut now = app.now();
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
        Some(app.now()),
        "the open span grows to now"
    );
    let total: f64 = queuetop::domain::spans::totals(&tl).values().sum();
    assert!((total - 86_400.0).abs() < 1e-6);
}

#[test]
fn every_demo_queue_has_an_sla_status_in_the_afternoon() {
    use queuetop::model::sla::SlaStatus;
    // London's afternoon, New York's morning: Singapore's queues are closed for the night,
    // every other queue is judged in full.
    let (app, _) = app_with_demo();
    let rows = board_rows(&app);
    let closed = rows
        .iter()
        .filter(|r| r.sla.status == Some(SlaStatus::Closed))
        .count();
    assert!(closed >= 1 && closed < rows.len() / 2, "{closed} closed");
    for r in rows {
        assert!(r.sla.status.is_some(), "{}: {:?}", r.name, r.sla.why);
        if r.sla.status == Some(SlaStatus::Closed) {
            assert!(r.name.starts_with("APAC"), "{} closed", r.name);
            continue;
        }
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
        pattern: "EMEA Sales".into(),
        target: Some(0.9),
        threshold_s: Some(45.0),
        variant: None,
        window: None,
        short_abandon_s: None,
    });
    let (demo_app, mut src) = app_with_demo();
    let mut app = queuetop::app::App::new(std::sync::Arc::new(cfg), demo_app.now());
    let snap = futures_lite_block(src.poll()).snapshot;
    update(&mut app, Msg::Source(SourceEvent::Snapshot(Box::new(snap))));
    let sales = board_rows(&app)
        .into_iter()
        .find(|r| r.name == "EMEA Sales")
        .expect("sales");
    assert_eq!(
        sales.sla.status, None,
        "never a figure mixing two thresholds"
    );
    assert!(
        sales
            .sla
            .why
            .as_ref()
            .map(queuetop::ui::words::sla_reason)
            .is_some_and(|w| w.contains("same threshold")),
        "{:?}",
        sales.sla.why
    );
    // A target-only override is fine.
    let billing = board_rows(&app)
        .into_iter()
        .find(|r| r.name == "EMEA Billing")
        .expect("billing");
    assert!(billing.sla.status.is_some());
}

#[test]
fn leaving_an_agent_page_cancels_its_loading_history() {
    let (mut app, mut src) = app_with_demo();
    update(&mut app, key(KeyCode::Enter));
    let open = |app: &mut queuetop::app::App| {
        let effects = update(app, key(KeyCode::Enter));
        let Page::Agent(p) = app.page().clone() else {
            panic!("agent page")
        };
        assert!(
            matches!(&effects[..], [Effect::FetchHistory { agent_id, .. }] if *agent_id == p.agent_id),
            "{effects:?}"
        );
        p
    };
    // Esc while loading: the fetch is cancelled, for that source and agent.
    let p = open(&mut app);
    assert_eq!(
        update(&mut app, key(KeyCode::Esc)),
        vec![Effect::CancelHistory {
            source: p.source.clone(),
            agent_id: p.agent_id.clone()
        }]
    );
    // Coming back asks again at once (the cancelled fetch is not awaited).
    let p = open(&mut app);
    assert_eq!(
        update(&mut app, key(KeyCode::Backspace)),
        vec![Effect::CancelHistory {
            source: p.source.clone(),
            agent_id: p.agent_id.clone()
        }]
    );
    // Covered by the agents page: nobody sees the timeline either.
    let p = open(&mut app);
    let effects = update(&mut app, ch('a'));
    assert!(
        effects.contains(&Effect::CancelHistory {
            source: p.source.clone(),
            agent_id: p.agent_id.clone()
        }),
        "{effects:?}"
    );
    // Back on the agent page (the agents page popped): it asks again. Loaded, nothing is
    // left to cancel when the page closes.
    let effects = update(&mut app, key(KeyCode::Esc));
    assert_eq!(app.page(), &Page::Agent(p));
    let Some(Effect::FetchHistory {
        source,
        agent_id,
        from,
        to,
    }) = effects.into_iter().next()
    else {
        panic!("fetch")
    };
    let h = futures_lite_block(src.history(&agent_id, from, to)).map_err(|e| e.to_string());
    update(
        &mut app,
        Msg::Source(SourceEvent::History {
            source,
            agent_id,
            result: h,
        }),
    );
    let effects = update(&mut app, key(KeyCode::Esc));
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::CancelHistory { .. })),
        "{effects:?}"
    );
    // Moving about inside the agent page cancels nothing.
    update(&mut app, key(KeyCode::Enter));
    let effects = update(&mut app, ch('+'));
    assert!(effects.is_empty(), "{effects:?}");
}

#[test]
fn wall_mode_toggles_rotates_and_rings_only_when_asked() {
    // No bell by default, even when alarms begin.
    let (mut app, _) = app_with_demo_at(alarm_now());
    assert!(!app.wall_shown());
    update(&mut app, key(KeyCode::Char('w')));
    assert!(app.wall_shown());
    assert!(!app.wall.alarms.is_empty(), "a RED queue in the demo");
    assert_eq!(app.wall.page, 0);
    later(&mut app, 14);
    assert_eq!(app.wall.page, 0);
    later(&mut app, 1);
    assert_eq!(app.wall.page, 1, "rotation after 15 s");
    // Paused: the page holds.
    update(&mut app, key(KeyCode::Char('p')));
    later(&mut app, 30);
    assert_eq!(app.wall.page, 1);
    update(&mut app, key(KeyCode::Char('p')));
    update(&mut app, key(KeyCode::Left));
    assert_eq!(app.wall.page, 0);
    // Esc leaves the wall for the board; w comes back.
    update(&mut app, key(KeyCode::Esc));
    assert!(!app.wall_shown() && !app.wall.on);
    update(&mut app, key(KeyCode::Char('a')));
    update(&mut app, key(KeyCode::Char('w')));
    assert!(app.wall_shown(), "w from any page goes to the wall");
    assert_eq!(app.nav.pages.len(), 1);

    let mut c = config();
    c.wall.bell = true;
    c.wall.start = true;
    let now = alarm_now();
    let mut src = demo_source(now);
    let mut app = queuetop::app::App::new(std::sync::Arc::new(c), now);
    assert!(app.wall_shown(), "--wall starts on the wall");
    let snap = futures_lite_block(src.poll()).snapshot;
    if let Some(iv) = queuetop::source::IntervalHistory::intervals(src.vendor()) {
        app.apply_intervals(iv);
    }
    let effects = update(&mut app, Msg::Source(SourceEvent::Snapshot(Box::new(snap))));
    assert_eq!(
        effects.iter().filter(|e| **e == Effect::Bell).count(),
        1,
        "one bell for the alarms that began together"
    );
    let effects = later(&mut app, 1);
    assert!(
        !effects.contains(&Effect::Bell),
        "no bell for a standing alarm"
    );
}

/// The board's rows after typing `/filter` and Enter.
fn filtered(filter: &str) -> Vec<String> {
    let (mut app, _) = app_with_demo();
    update(&mut app, ch('/'));
    for c in filter.chars() {
        update(&mut app, ch(c));
    }
    update(&mut app, key(KeyCode::Enter));
    assert_eq!(app.nav.board.filter, filter);
    let mut names: Vec<String> = board_rows(&app).into_iter().map(|r| r.name).collect();
    names.sort();
    names
}

#[test]
fn filter_grammar_status_media_source_and_words() {
    use queuetop::domain::Media;
    use queuetop::model::rows::QueueRow;
    use queuetop::model::sla::SlaStatus;
    // The demo at its fixed instant, judged on the current interval: what each filter must
    // keep, read from the rows themselves.
    let (app, _) = app_with_demo();
    let rows = board_rows(&app);
    let names = |keep: &dyn Fn(&QueueRow) -> bool| -> Vec<String> {
        let mut n: Vec<String> = rows
            .iter()
            .filter(|r| keep(r))
            .map(|r| r.name.clone())
            .collect();
        n.sort();
        n
    };
    let status = |s: SlaStatus| move |r: &QueueRow| r.sla.status == Some(s);
    let red = names(&status(SlaStatus::Red));
    let green = names(&status(SlaStatus::Green));
    let voice = names(&|r| r.media == Media::Voice);
    assert!(!green.is_empty(), "a GREEN queue to filter");
    assert!(voice.len() >= 3 && voice.len() < rows.len());
    assert_eq!(filtered("red"), red, "SLA status");
    assert_eq!(filtered("RED"), red, "any case");
    assert_eq!(filtered("amber"), names(&status(SlaStatus::Amber)));
    assert_eq!(filtered("green"), green);
    assert_eq!(filtered("voice"), voice, "media");
    assert_eq!(filtered("chat"), names(&|r| r.media == Media::Chat));
    assert_eq!(filtered("source:demo").len(), rows.len(), "source name");
    assert!(filtered("source:acme").is_empty());
    // Combined: every word holds.
    let red_voice = names(&|r| status(SlaStatus::Red)(r) && r.media == Media::Voice);
    assert_eq!(filtered("red voice"), red_voice);
    assert_eq!(
        filtered("green voice source:demo"),
        names(&|r| status(SlaStatus::Green)(r) && r.media == Media::Voice)
    );
    assert_eq!(
        filtered("red chat"),
        names(&|r| status(SlaStatus::Red)(r) && r.media == Media::Chat)
    );
    // Other words are names (or ids); name: forces a name even for a keyword.
    let bill = filtered("bill");
    assert!(
        !bill.is_empty() && bill.iter().all(|n| n.contains("Billing")),
        "{bill:?}"
    );
    let vip = filtered("name:vip");
    assert!(
        !vip.is_empty() && vip.iter().all(|n| n.contains("VIP")),
        "{vip:?}"
    );
    assert!(filtered("name:red").is_empty(), "no queue is named …red…");
}
