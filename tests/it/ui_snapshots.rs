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
    update(
        &mut app,
        Msg::Source(queuetop::source::SourceEvent::History {
            source,
            agent_id,
            result: h.map_err(|e| e.to_string()),
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
