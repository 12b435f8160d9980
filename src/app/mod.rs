//! The TUI's state and the only function that changes it: [`update`].
//!
//! [`App`] is the [`Model`] (the centre as the sources described it) plus the navigation
//! ([`Nav`]: pages, selection, filter, sort, help, pause) and the cached order of the
//! tables on screen ([`view::Views`]). Keys, clock ticks, source events and signals arrive
//! as [`Msg`]s; `update` folds them in and returns [`Effect`]s for the outside world (ask a
//! source for history, quit…). No terminal, no network: everything here is testable with
//! plain values.

pub mod keymap;
pub mod nav;
pub mod view;
pub mod wall;

use std::sync::Arc;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::Config;
use crate::domain::{SourceSnapshot, StateSpan};
use crate::model::Model;
use crate::model::rows::{AgentRow, AgentSort, QueueRow};
use crate::source::SourceEvent;
use keymap::Action;
pub use nav::{AgentPage, Nav, Page, Sort, TableKind, TableState, ZOOMS_H};
use view::{Rows, Views};

pub use crate::model::rows::SortDir;
pub use crate::model::{HistoryEntry, SourceView, SplitEntry};

/// Everything that can happen to the app.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// The 1 Hz clock (and any other moment the app should learn the time).
    Tick(DateTime<Utc>),
    Source(SourceEvent),
    /// SIGHUP / SIGTERM / SIGINT / SIGQUIT: leave cleanly.
    Signal,
}

/// What `update` asks the outside world to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    /// Poll every source now.
    RefreshAll,
    /// Fetch an agent's history from a source, and beside it the agent's handle-time split
    /// today (up to `to`).
    FetchHistory {
        source: String,
        agent_id: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    /// A queue alarm began and `--bell` is on: ring the terminal bell.
    Bell,
    /// The agent page whose history was still loading is gone: end that fetch.
    CancelHistory {
        source: String,
        agent_id: String,
    },
}

/// The whole state of the TUI.
pub struct App {
    /// Private: the cached table orders index into its rows, so it changes only in
    /// [`update`] (which keeps the two in step).
    model: Model,
    pub nav: Nav,
    pub size: (u16, u16),
    views: Views,
    /// Wall mode: on/off, rotation, alarms.
    pub wall: wall::WallState,
}

impl App {
    pub fn new(config: Arc<Config>, now: DateTime<Utc>) -> App {
        let mut app = App {
            model: Model::new(config, now),
            nav: Nav::default(),
            size: (80, 24),
            views: Views::default(),
            wall: wall::WallState::default(),
        };
        app.wall.on = app.model.config.wall.start;
        app.views.sync(&app.model, &app.nav);
        app
    }

    pub fn page(&self) -> &Page {
        self.nav.page()
    }

    /// Whether the wall is on screen (wall mode, and no page pushed over the board).
    pub fn wall_shown(&self) -> bool {
        self.wall.on && matches!(self.page(), Page::Board)
    }

    /// Which keys apply now.
    pub fn scope(&self) -> keymap::Scope {
        if self.wall_shown() {
            keymap::Scope::Wall
        } else {
            self.page().scope()
        }
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Move the model's clock without recomputing anything yet (the next message does):
    /// for the moment new data arrives.
    pub fn advance(&mut self, now: DateTime<Utc>) {
        self.model.advance(now);
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.model.now()
    }

    /// The board's rows in display order.
    pub fn board_rows(&self) -> Rows<'_, QueueRow> {
        self.views.board(&self.model)
    }

    /// The board's selected row index.
    pub fn board_selected(&self) -> usize {
        self.views.board_selected()
    }

    /// The current page's agent rows in display order (empty on the board).
    pub fn agent_rows(&self) -> Rows<'_, AgentRow> {
        self.views.agents(&self.model)
    }

    /// The current agent table's selected row index.
    pub fn agents_selected(&self) -> usize {
        self.views.agents_selected()
    }

    /// How many times a table order was recomputed (changes exactly when one is).
    pub fn views_computed(&self) -> u64 {
        self.views.computed
    }

    /// The agent timeline shown on the agent page.
    pub fn agent_timeline(&self, source: &str, agent_id: &str) -> Option<Vec<StateSpan>> {
        self.model.agent_timeline(source, agent_id)
    }

    /// History requests the current page needs now (first visit, aged cache, retry due).
    fn history_wanted(&mut self) -> Vec<Effect> {
        let Some(key) = self.nav.agent_page().map(AgentPage::key) else {
            return Vec::new();
        };
        match self.model.request_history(&key) {
            Some((from, to)) => vec![Effect::FetchHistory {
                source: key.0,
                agent_id: key.1,
                from,
                to,
            }],
            None => Vec::new(),
        }
    }

    /// A source's interval history (it seeds the SL windows and the forecast).
    pub fn apply_intervals(&mut self, iv: crate::domain::SourceIntervals) {
        self.defer_intervals(iv);
        self.settle();
    }

    /// A source's interval history, folded in at the next [`App::settle`] (or update).
    pub fn defer_intervals(&mut self, iv: crate::domain::SourceIntervals) {
        self.model.defer_intervals(iv);
        self.nav.dirty = true;
    }

    /// Derive the rows for whatever came in, and keep the views (order, selection) in step.
    pub fn settle(&mut self) {
        self.model.refresh();
        self.views.sync(&self.model, &self.nav);
    }

    fn apply_snapshot(&mut self, snap: SourceSnapshot) {
        self.model.apply(SourceEvent::Snapshot(Box::new(snap)));
    }
}

/// Fold one message into the state. Returns what the outside world must do.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let shown = app.nav.agent_page().map(AgentPage::key);
    let mut effects = match msg {
        Msg::Key(k) => {
            app.nav.dirty = true;
            on_key(app, k)
        }
        Msg::Resize(w, h) => {
            app.size = (w, h);
            app.nav.dirty = true;
            Vec::new()
        }
        Msg::Tick(now) => {
            app.model.tick(now);
            if app.wall_shown() && !app.nav.paused {
                app.wall.rotate(now, app.model.config.wall.rotate);
            }
            let keep = app.nav.agent_page().map(AgentPage::key);
            app.model.prune_history(keep.as_ref());
            // Time in state and longest wait tick locally.
            app.nav.dirty = true;
            Vec::new()
        }
        Msg::Signal => {
            app.nav.quit = true;
            vec![Effect::Quit]
        }
        Msg::Source(SourceEvent::Snapshot(snap)) => {
            if app.nav.paused {
                app.nav.held.insert(snap.source.clone(), *snap);
            } else {
                app.apply_snapshot(*snap);
                app.nav.dirty = true;
            }
            Vec::new()
        }
        Msg::Source(ev @ (SourceEvent::History { .. } | SourceEvent::Split { .. })) => {
            app.model.apply(ev);
            app.nav.dirty = true;
            Vec::new()
        }
    };
    // The agent page was left (popped, or covered by another page) while its history was
    // still loading: nobody waits for that fetch any more.
    if let Some(key) = shown
        && app.nav.agent_page().map(AgentPage::key).as_ref() != Some(&key)
        && app.model.cancel_history(&key)
    {
        effects.push(Effect::CancelHistory {
            source: key.0,
            agent_id: key.1,
        });
    }
    app.model.refresh();
    app.views.sync(&app.model, &app.nav);
    if app.wall.track(&app.model) && app.model.config.wall.bell && !app.nav.quit {
        effects.push(Effect::Bell);
    }
    if !app.nav.quit {
        effects.extend(app.history_wanted());
    }
    effects
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == crossterm::event::KeyEventKind::Release {
        return Vec::new();
    }
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        app.nav.quit = true;
        return vec![Effect::Quit];
    }
    if app.nav.table().is_some_and(|t| t.editing_filter) {
        if let Some(t) = app.nav.table_mut() {
            edit_filter(t, key);
        }
        return Vec::new();
    }
    if app.nav.help {
        // Any key closes help; q still quits.
        app.nav.help = false;
        if key.code == KeyCode::Char('q') {
            app.nav.quit = true;
            return vec![Effect::Quit];
        }
        return Vec::new();
    }
    let Some(action) = keymap::action_for(&key, app.scope()) else {
        return Vec::new();
    };
    act(app, action)
}

fn edit_filter(t: &mut TableState, key: KeyEvent) {
    match key.code {
        KeyCode::Enter => t.editing_filter = false,
        KeyCode::Esc => {
            t.filter.clear();
            t.editing_filter = false;
            t.selected = 0;
        }
        KeyCode::Backspace => {
            t.filter.pop();
            t.selected = 0;
        }
        KeyCode::Char(c)
            if !key.modifiers.contains(KeyModifiers::CONTROL) && t.filter.chars().count() < 64 =>
        {
            t.filter.push(c);
            t.selected = 0;
        }
        _ => {}
    }
}

/// Number of rows in the current page's table (segments on the timeline).
pub fn row_count(app: &App) -> usize {
    match app.page() {
        Page::Board => app.board_rows().len(),
        Page::Queue { .. } | Page::Agents { .. } => app.agent_rows().len(),
        Page::Agent(p) => app
            .model
            .agent_timeline(&p.source, &p.agent_id)
            .map(|s| s.len())
            .unwrap_or(0),
    }
}

/// Rows that fit on one page of the current table (for PgUp/PgDn).
fn page_rows(app: &App) -> usize {
    (app.size.1 as usize).saturating_sub(8).max(1)
}

fn act(app: &mut App, action: Action) -> Vec<Effect> {
    match action {
        Action::Quit => {
            app.nav.quit = true;
            return vec![Effect::Quit];
        }
        Action::Help => app.nav.help = true,
        Action::Pause => {
            app.nav.paused = !app.nav.paused;
            if !app.nav.paused {
                let held: Vec<SourceSnapshot> = app.nav.held.drain().map(|(_, s)| s).collect();
                for s in held {
                    app.apply_snapshot(s);
                }
            }
        }
        Action::Refresh => return vec![Effect::RefreshAll],
        Action::Up => move_selection(app, -1),
        Action::Down => move_selection(app, 1),
        Action::PageUp => move_selection(app, -(page_rows(app) as i64)),
        Action::PageDown => move_selection(app, page_rows(app) as i64),
        Action::Top => move_selection(app, i64::MIN / 2),
        Action::Bottom => move_selection(app, i64::MAX / 2),
        Action::SortNext => {
            if let Some(t) = app.nav.table_mut() {
                t.sort = t.sort.next();
            }
        }
        Action::SortReverse => {
            if let Some(t) = app.nav.table_mut() {
                t.dir = t.dir.flip();
            }
        }
        Action::Filter => {
            if let Some(t) = app.nav.table_mut() {
                t.editing_filter = true;
            }
        }
        Action::Enter => drill_in(app),
        Action::Wall => {
            app.wall.on = !app.wall.on;
            if app.wall.on {
                app.nav.pages.truncate(1);
                app.wall.turned_at = Some(app.now());
            }
        }
        Action::NextPage => {
            let now = app.now();
            app.wall.turn(1, now);
        }
        Action::PrevPage => {
            let now = app.now();
            app.wall.turn(-1, now);
        }
        Action::Back if app.wall_shown() => app.wall.on = false,
        Action::Back => {
            if app.nav.pages.len() > 1 {
                app.nav.pages.pop();
            } else {
                // Esc on the board clears a kept filter.
                app.nav.board.filter.clear();
            }
        }
        Action::Agents => {
            if !matches!(app.page(), Page::Agents { .. }) {
                app.nav.pages.push(Page::Agents {
                    table: TableState::new(AgentSort::State),
                });
            }
        }
        Action::ZoomIn | Action::ZoomOut | Action::ZoomReset | Action::Left | Action::Right => {
            if let Some(Page::Agent(p)) = app.nav.pages.last_mut() {
                timeline_nav(p, action);
            }
        }
    }
    Vec::new()
}

fn timeline_nav(p: &mut AgentPage, action: Action) {
    let day = ChronoDuration::hours(24);
    match action {
        Action::ZoomIn => p.zoom = (p.zoom + 1).min(ZOOMS_H.len() - 1),
        Action::ZoomOut => p.zoom = p.zoom.saturating_sub(1),
        Action::ZoomReset => {
            p.zoom = 0;
            p.pan_back = ChronoDuration::zero();
        }
        Action::Left => p.pan_back += p.window_len() / 4,
        Action::Right => p.pan_back -= p.window_len() / 4,
        _ => {}
    }
    // The view stays inside the 24 h window.
    let max_back = day - p.window_len();
    p.pan_back = p.pan_back.clamp(ChronoDuration::zero(), max_back);
}

/// The current table's rows as keys' source: where the selection is and the key at a row.
fn table_pick(app: &App, i: Option<usize>) -> (usize, Option<(String, String)>) {
    match app.page() {
        Page::Board => {
            let rows = app.board_rows();
            let i = i.unwrap_or_else(|| app.board_selected());
            (i, rows.key_at(i))
        }
        _ => {
            let rows = app.agent_rows();
            let i = i.unwrap_or_else(|| app.agents_selected());
            (i, rows.key_at(i))
        }
    }
}

fn move_selection(app: &mut App, delta: i64) {
    let n = row_count(app);
    if let Some(Page::Agent(p)) = app.nav.pages.last_mut() {
        let max = n.saturating_sub(1) as i64;
        p.scroll = (p.scroll as i64 + delta).clamp(0, max.max(0)) as usize;
        return;
    }
    // Start from where the selection is now (the remembered row may have moved).
    let (current, _) = table_pick(app, None);
    let next = if n == 0 {
        0
    } else {
        (current as i64)
            .saturating_add(delta)
            .clamp(0, n as i64 - 1) as usize
    };
    let (_, key) = table_pick(app, Some(next));
    if let Some(t) = app.nav.table_mut() {
        t.selected = next;
        if n > 0 {
            // Remember the row's identity so it survives re-sorting on new data.
            t.selected_key = key;
        }
    }
}

fn drill_in(app: &mut App) {
    let page = match app.page() {
        Page::Board => {
            let rows = app.board_rows();
            rows.get(app.board_selected()).map(|r| Page::Queue {
                source: r.source.clone(),
                queue_id: r.id.clone(),
                table: TableState::new(AgentSort::State),
            })
        }
        Page::Queue { .. } | Page::Agents { .. } => {
            let rows = app.agent_rows();
            rows.get(app.agents_selected()).map(|r| {
                Page::Agent(AgentPage {
                    source: r.source.clone(),
                    agent_id: r.agent.id.clone(),
                    zoom: 0,
                    pan_back: ChronoDuration::zero(),
                    scroll: 0,
                })
            })
        }
        Page::Agent(_) => None,
    };
    if let Some(p) = page {
        app.nav.pages.push(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::{config, snapshot, t0};

    fn key(c: KeyCode) -> Msg {
        Msg::Key(KeyEvent::from(c))
    }

    fn app(n: usize) -> App {
        let mut app = App::new(config(), t0());
        update(
            &mut app,
            Msg::Source(SourceEvent::Snapshot(Box::new(snapshot(n, t0())))),
        );
        app
    }

    /// (model rows computed, table orders computed)
    fn work(app: &App) -> (u64, u64) {
        (app.model().revision(), app.views_computed())
    }

    #[test]
    fn a_key_press_reads_the_cache() {
        let mut app = app(5);
        let before = work(&app);
        update(&mut app, key(KeyCode::Down));
        update(&mut app, key(KeyCode::Down));
        update(&mut app, key(KeyCode::Up));
        assert_eq!(
            work(&app),
            before,
            "moving the selection recomputes nothing"
        );
        assert_eq!(app.board_selected(), 1);
        assert_eq!(
            app.nav.board.selected_key,
            app.board_rows().key_at(1),
            "the row is remembered"
        );
    }

    #[test]
    fn a_snapshot_or_a_tick_recomputes_the_rows() {
        let mut app = app(5);
        let (rev, views) = work(&app);
        update(
            &mut app,
            Msg::Source(SourceEvent::Snapshot(Box::new(snapshot(6, t0())))),
        );
        assert_eq!(work(&app), (rev + 1, views + 1));
        assert_eq!(app.board_rows().len(), 6);
        update(&mut app, Msg::Tick(t0() + ChronoDuration::seconds(1)));
        assert_eq!(work(&app), (rev + 2, views + 2));
    }

    #[test]
    fn a_filter_or_sort_change_reorders_without_recomputing_rows() {
        let mut app = app(5);
        let (rev, views) = work(&app);
        update(&mut app, key(KeyCode::Char('s')));
        assert_eq!(work(&app), (rev, views + 1));
        update(&mut app, key(KeyCode::Char('/')));
        update(&mut app, key(KeyCode::Char('3')));
        assert_eq!(work(&app), (rev, views + 2));
        assert_eq!(app.board_rows().len(), 1);
        // Opening the agents page orders its table once; moving in it does not.
        update(&mut app, key(KeyCode::Enter));
        update(&mut app, key(KeyCode::Esc));
        update(&mut app, key(KeyCode::Char('a')));
        let (_, views) = work(&app);
        assert_eq!(app.agent_rows().len(), 10);
        update(&mut app, key(KeyCode::Down));
        assert_eq!(work(&app), (rev, views));
        assert_eq!(app.agents_selected(), 1);
    }

    #[test]
    fn the_selection_follows_its_row_when_data_reorders() {
        let mut app = app(5);
        // Sort by waiting: Queue 4 first.
        while app.nav.board.sort != crate::model::rows::QueueSort::Waiting {
            update(&mut app, key(KeyCode::Char('s')));
        }
        update(&mut app, key(KeyCode::Down));
        let chosen = app.nav.board.selected_key.clone();
        assert_eq!(chosen.as_ref().map(|k| k.1.as_str()), Some("q3"));
        // New data: q3 now waits longest.
        let mut snap = snapshot(5, t0());
        snap.queues[3].live.waiting = Some(99);
        update(&mut app, Msg::Source(SourceEvent::Snapshot(Box::new(snap))));
        assert_eq!(app.board_selected(), 0);
        assert_eq!(app.board_rows().key_at(0), chosen);
    }
}
