//! Screens from a fixed demo state, at several sizes (insta snapshots).

use crate::support::harness::*;
use queuetop::app::{Msg, update};

#[test]
fn board_at_several_sizes() {
    let (app, _) = app_with_demo();
    for (w, h) in [(80, 24), (120, 40), (200, 60), (30, 8)] {
        insta::assert_snapshot!(format!("board_{w}x{h}"), render(&app, w, h));
    }
}

#[test]
fn board_filtered_paused_and_help() {
    let (mut app, _) = app_with_demo();
    for m in [ch('/'), ch('c'), ch('h'), ch('a'), ch('t')] {
        update(&mut app, m);
    }
    insta::assert_snapshot!("board_filter_editing", render(&app, 100, 20));
    update(&mut app, key(crossterm::event::KeyCode::Enter));
    update(&mut app, ch('p'));
    insta::assert_snapshot!("board_filtered_paused", render(&app, 100, 20));
    update(&mut app, ch('?'));
    insta::assert_snapshot!("board_help", render(&app, 100, 34));
}

#[test]
fn queue_and_agent_pages() {
    let (mut app, mut src) = app_with_demo();
    update(&mut app, ch('s')); // sort by waiting: deterministic and interesting
    update(&mut app, key(crossterm::event::KeyCode::Enter));
    insta::assert_snapshot!("queue_page_120x40", render(&app, 120, 40));
    let effects = update(&mut app, key(crossterm::event::KeyCode::Enter));
    // The agent page asks its source for history; answer it like the event loop would.
    let Some(queuetop::app::Effect::FetchHistory {
        source,
        agent_id,
        from,
        to,
    }) = effects.into_iter().next()
    else {
        panic!("agent page must request history");
    };
    insta::assert_snapshot!("agent_page_loading", render(&app, 100, 30));
    let h = futures_lite_block(queuetop::source::Source::history(
        &mut src, &agent_id, from, to,
    ));
    let split = futures_lite_block(queuetop::source::Source::split(&mut src, &agent_id, to));
    update(
        &mut app,
        Msg::Source(queuetop::source::SourceEvent::History {
            source: source.clone(),
            agent_id: agent_id.clone(),
            result: h.map_err(|e| e.to_string()),
        }),
    );
    update(
        &mut app,
        Msg::Source(queuetop::source::SourceEvent::Split {
            source,
            agent_id,
            result: split.map_err(|e| e.to_string()),
        }),
    );
    for w in [40u16, 80, 120, 200] {
        insta::assert_snapshot!(format!("agent_page_{w}"), render(&app, w, 36));
    }
    for (i, _) in [12, 4, 1].iter().enumerate() {
        update(&mut app, ch('+'));
        insta::assert_snapshot!(format!("agent_page_zoom_{}", i + 1), render(&app, 120, 36));
    }
    update(&mut app, key(crossterm::event::KeyCode::Left));
    insta::assert_snapshot!("agent_page_zoom_1h_panned", render(&app, 120, 36));
}

#[test]
fn no_color_board_keeps_glyphs_and_words() {
    let (app, _) = app_with_demo();
    let s = render_theme(&app, 120, 20, &queuetop::ui::theme::Theme::MONO);
    assert!(s.contains("GREEN") || s.contains("AMBER") || s.contains("RED"));
}

#[test]
fn wall_at_several_sizes() {
    let (mut app, _) = app_with_demo();
    update(&mut app, ch('w'));
    assert!(app.wall_shown());
    for (w, h) in [(80, 24), (120, 40), (200, 60), (300, 80)] {
        insta::assert_snapshot!(format!("wall_{w}x{h}"), render(&app, w, h));
    }
}

#[test]
fn wall_red_panel_flashes_then_stays_marked() {
    use ratatui::style::Modifier;
    let (mut app, _) = app_with_demo_at(alarm_now());
    update(&mut app, ch('w'));
    // Some queues are RED in the demo at this moment (their current interval): their
    // alarms began now.
    let red: Vec<String> = queuetop::app::view::board_rows(&app)
        .into_iter()
        .filter(|r| r.sla.status == Some(queuetop::model::sla::SlaStatus::Red))
        .map(|r| r.name)
        .collect();
    assert!(!red.is_empty(), "a RED queue in the demo at this moment");
    assert_eq!(app.wall.alarms.len(), red.len());
    let mono = queuetop::ui::theme::Theme::MONO;
    // Reversed cells in the panels (the header's DEMO DATA badge is reversed too).
    let reversed = |app: &queuetop::app::App| -> Vec<(u16, u16)> {
        cells_with(app, 120, 40, &mono, Modifier::REVERSED)
            .into_iter()
            .filter(|&(_, y)| (5..39).contains(&y))
            .collect()
    };
    let flashing = reversed(&app);
    assert!(
        (15..60 * red.len()).contains(&flashing.len()),
        "the RED panels' titles reversed: {}",
        flashing.len()
    );
    insta::assert_snapshot!("wall_mono_120x40", render_theme(&app, 120, 40, &mono));
    later(&mut app, 1);
    assert!(reversed(&app).is_empty(), "the off half of a flash");
    later(&mut app, 1);
    assert!(!reversed(&app).is_empty());
    // After three flashes the panel stops moving but stays marked.
    later(&mut app, 10);
    assert!(reversed(&app).is_empty());
    let s = render_theme(&app, 120, 40, &mono);
    assert!(s.contains("⚠ ALARM") && s.contains("■ RED"), "{s}");
}

#[test]
fn wall_named_pages_rotate() {
    let (mut app, _) = app_with_demo_config(wall_pages_config());
    update(&mut app, ch('w'));
    insta::assert_snapshot!("wall_page_voice_120x40", render(&app, 120, 40));
    // 15 s later rotation shows the next page.
    later(&mut app, 15);
    let s = render(&app, 120, 40);
    assert!(s.contains("Digital · page 2/2"), "{s}");
    insta::assert_snapshot!("wall_page_digital_120x40", s);
    later(&mut app, 15);
    assert!(render(&app, 120, 40).contains("Voice · page 1/2"));
    // → turns at once.
    update(&mut app, key(crossterm::event::KeyCode::Right));
    assert!(render(&app, 120, 40).contains("page 2/2"));
}

#[test]
fn wall_pages_cut_to_fit_a_small_screen() {
    let (mut app, _) = app_with_demo();
    update(&mut app, ch('w'));
    let s = render(&app, 60, 16);
    assert!(s.contains("page 1/"), "{s}");
    insta::assert_snapshot!("wall_60x16", s);
}

/// The header's totals line at `w` columns.
fn totals_line(app: &queuetop::app::App, w: u16, h: u16) -> String {
    render(app, w, h)
        .lines()
        .nth(1)
        .unwrap_or_default()
        .to_string()
}

#[test]
fn narrow_screens_drop_whole_fields_never_part_of_a_number() {
    let (mut app, _) = app_with_demo();
    let full = totals_line(&app, 250, 30);
    for (w, h) in [(40u16, 12u16), (60, 16), (80, 24)] {
        let s = render(&app, w, h);
        insta::assert_snapshot!(format!("truncation_board_{w}"), s);
        let line = totals_line(&app, w, h);
        assert!(
            full.starts_with(&line) && (line == full || full[line.len()..].starts_with("  ")),
            "at {w}: {line:?} is not whole fields of {full:?}"
        );
        // Avail goes after ACW, never before.
        if line.contains("ACW") {
            assert!(line.contains("avail"), "{line}");
        }
    }
    // Rows that do not fit are counted, not silently cut.
    let s = render(&app, 60, 10);
    assert!(s.contains("▼ 7 more"), "{s}");
    // The agents page and a timeline at 40 columns: names end in … when cut.
    update(&mut app, ch('a'));
    let s = render(&app, 40, 16);
    insta::assert_snapshot!("truncation_agents_40", s);
    for (w, h) in [(40u16, 12u16), (60, 16)] {
        insta::assert_snapshot!(format!("truncation_agents_{w}x{h}"), render(&app, w, h));
    }
}

/// Opens the agent page the queue page's first agent, and answers its history from the
/// demo: the app, the source and the agent's key and `to`.
fn agent_page_with_history() -> (
    queuetop::app::App,
    queuetop::source::demo::DemoSource,
    String,
    String,
    chrono::DateTime<chrono::Utc>,
) {
    let (mut app, mut src) = app_with_demo();
    update(&mut app, ch('s'));
    update(&mut app, key(crossterm::event::KeyCode::Enter));
    let effects = update(&mut app, key(crossterm::event::KeyCode::Enter));
    let Some(queuetop::app::Effect::FetchHistory {
        source,
        agent_id,
        from,
        to,
    }) = effects.into_iter().next()
    else {
        panic!("agent page must request history");
    };
    let h = futures_lite_block(queuetop::source::Source::history(
        &mut src, &agent_id, from, to,
    ));
    update(
        &mut app,
        Msg::Source(queuetop::source::SourceEvent::History {
            source: source.clone(),
            agent_id: agent_id.clone(),
            result: h.map_err(|e| e.to_string()),
        }),
    );
    (app, src, source, agent_id, to)
}

/// The agent page with today's handle-time split, wide and narrow, and when the split
/// could not be fetched (the timeline is there all the same).
#[test]
fn agent_page_with_the_handle_split() {
    use queuetop::source::SourceEvent;
    let (mut app, mut src, source, agent_id, to) = agent_page_with_history();
    let split = futures_lite_block(queuetop::source::Source::split(&mut src, &agent_id, to));
    let split = split.map_err(|e| e.to_string());
    assert!(
        split.as_ref().is_ok_and(|s| s.doubts.is_empty()),
        "{split:?}"
    );
    update(
        &mut app,
        Msg::Source(SourceEvent::Split {
            source,
            agent_id,
            result: split,
        }),
    );
    for w in [100u16, 60] {
        let screen = render(&app, w, 24);
        let today = screen.lines().nth(3).unwrap_or_default();
        assert!(today.starts_with("Today  handled "), "{screen}");
        insta::assert_snapshot!(format!("agent_page_split_{w}"), screen);
    }
    let wide = render(&app, 100, 24);
    assert!(
        wide.contains("hold 0s (0%)"),
        "the demo has no holds: {wide}"
    );
    // Readable without colour: the same words.
    let mono = render_theme(&app, 100, 24, &queuetop::ui::theme::Theme::MONO);
    assert_eq!(mono.lines().nth(3), wide.lines().nth(3));

    // The split's request failed: dashes and the reason; the timeline stays.
    let (mut app, _, source, agent_id, _) = agent_page_with_history();
    update(
        &mut app,
        Msg::Source(SourceEvent::Split {
            source,
            agent_id,
            result: Err("HTTP 500 from the platform".into()),
        }),
    );
    let screen = render(&app, 100, 24);
    assert!(screen.contains("Totals in view"), "{screen}");
    assert!(
        screen.contains("Today  handled — · talk — · hold — · ACW — · unavailable: HTTP 500"),
        "{screen}"
    );
    insta::assert_snapshot!("agent_page_split_failed_100", screen);
}
