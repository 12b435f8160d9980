//! The application state and the only function that changes it: [`update`].
//!
//! Keys, clock ticks, source events and signals arrive as [`Msg`]s; `update` folds them into
//! [`App`] and returns [`Effect`]s for the outside world (ask a source for history, quit…).
//! No terminal, no network: everything here is testable with plain values.

pub mod keymap;
pub mod sla;
pub mod view;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::config::{Config, SlaPolicy};
use crate::domain::spans;
use crate::domain::{AgentHistory, Queue, SourceHealth, SourceKind, SourceSnapshot, SourceStatus};
use crate::source::SourceEvent;
use keymap::{Action, Scope};
use view::{AgentSort, QueueSort};

/// Waiting-count samples of one queue, oldest first.
pub type Trend = VecDeque<(DateTime<Utc>, u32)>;

/// How long the board's waiting trend reaches back.
pub const TREND_WINDOW: ChronoDuration = ChronoDuration::minutes(30);
/// Cached agent history is refetched after this age.
pub const HISTORY_MAX_AGE: ChronoDuration = ChronoDuration::minutes(5);
/// A failed history fetch is retried after this long.
pub const HISTORY_RETRY: ChronoDuration = ChronoDuration::seconds(10);

/// Everything that can happen to the app.
#[derive(Debug)]
pub enum Msg {
    Key(KeyEvent),
    Resize(u16, u16),
    /// The 1 Hz clock (and any other moment the app should learn the time).
    Tick(DateTime<Utc>),
    Source(SourceEvent),
    /// SIGHUP / SIGTERM / SIGINT: leave cleanly.
    Signal,
}

/// What `update` asks the outside world to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    Quit,
    /// Poll every source now.
    RefreshAll,
    /// Fetch an agent's history from a source.
    FetchHistory {
        source: String,
        agent_id: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortDir {
    #[default]
    Normal,
    Reversed,
}

impl SortDir {
    fn flip(self) -> SortDir {
        match self {
            SortDir::Normal => SortDir::Reversed,
            SortDir::Reversed => SortDir::Normal,
        }
    }
}

/// One configured source as the app sees it.
#[derive(Debug, Clone)]
pub struct SourceView {
    pub name: String,
    pub kind: SourceKind,
    pub snapshot: Option<SourceSnapshot>,
    pub health: SourceHealth,
}

/// Selection, sort and filter of one table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableState<S> {
    pub selected: usize,
    /// The selected row's key, so the selection follows the row when data re-sorts.
    pub selected_key: Option<(String, String)>,
    pub sort: S,
    pub dir: SortDir,
    pub filter: String,
    pub editing_filter: bool,
}

impl<S> TableState<S> {
    pub fn new(sort: S) -> TableState<S> {
        TableState {
            selected: 0,
            selected_key: None,
            sort,
            dir: SortDir::Normal,
            filter: String::new(),
            editing_filter: false,
        }
    }
}

/// Zoom levels of the agent timeline, widest first.
pub const ZOOMS_H: [i64; 4] = [24, 12, 4, 1];

/// The timeline page of one agent.
#[derive(Debug, Clone, PartialEq)]
pub struct AgentPage {
    pub source: String,
    pub agent_id: String,
    /// Index into [`ZOOMS_H`].
    pub zoom: usize,
    /// How far the view's right edge is before "now".
    pub pan_back: ChronoDuration,
    /// First visible segment in the list.
    pub scroll: usize,
}

impl AgentPage {
    pub fn window_len(&self) -> ChronoDuration {
        ChronoDuration::hours(ZOOMS_H[self.zoom.min(ZOOMS_H.len() - 1)])
    }
    /// The visible `[from, to)` given the 24 h history window ending at `now`.
    pub fn view_window(&self, now: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
        let to = now - self.pan_back;
        (to - self.window_len(), to)
    }
}

/// A page of the stack (Board → Queue → Agent; Agents from anywhere).
#[derive(Debug, Clone, PartialEq)]
pub enum Page {
    Board,
    Queue {
        source: String,
        queue_id: String,
        table: TableState<AgentSort>,
    },
    Agents {
        table: TableState<AgentSort>,
    },
    Agent(AgentPage),
}

impl Page {
    fn scope(&self) -> Scope {
        match self {
            Page::Agent(_) => Scope::Timeline,
            _ => Scope::Tables,
        }
    }
}

/// A cached agent history.
#[derive(Debug, Clone, PartialEq)]
pub enum HistoryEntry {
    Loading {
        since: DateTime<Utc>,
    },
    Loaded(AgentHistory),
    Failed {
        error: String,
        retry_at: DateTime<Utc>,
        previous: Option<AgentHistory>,
    },
}

/// The whole state of the application.
pub struct App {
    pub config: Arc<Config>,
    /// The configuration's SLA overrides, compiled once.
    pub sla_matchers: sla::OverrideMatchers,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    pub sources: Vec<SourceView>,
    /// Waiting counts per (source, queue id), oldest first, for the trend sparkline.
    pub trends: HashMap<(String, String), Trend>,
    /// The page stack; never empty (the board is at the bottom).
    pub pages: Vec<Page>,
    pub board: TableState<QueueSort>,
    pub paused: bool,
    /// Snapshots that arrived while paused, applied on resume (latest per source wins).
    pub held: HashMap<String, SourceSnapshot>,
    pub help: bool,
    pub quit: bool,
    pub history: HashMap<(String, String), HistoryEntry>,
    /// State changes seen in the live feed for agents whose history is cached, oldest
    /// first, so the timeline grows without a refetch.
    pub observed: HashMap<(String, String), Vec<crate::domain::StateSpan>>,
    /// Arrival-rate and AHT estimates per (source, queue id), for the SLA engine.
    pub estimates: HashMap<(String, String), sla::QueueEstimates>,
    /// The state changed since the last frame (the terminal module redraws, throttled).
    pub dirty: bool,
}

impl App {
    pub fn new(config: Arc<Config>, now: DateTime<Utc>) -> App {
        let sources = config
            .sources
            .iter()
            .map(|s| SourceView {
                name: s.name().to_string(),
                kind: s.kind(),
                snapshot: None,
                health: SourceHealth::connecting(),
            })
            .collect();
        App {
            sla_matchers: sla::OverrideMatchers::new(&config),
            config,
            now,
            size: (80, 24),
            sources,
            trends: HashMap::new(),
            pages: vec![Page::Board],
            board: TableState::new(QueueSort::Risk),
            paused: false,
            held: HashMap::new(),
            help: false,
            quit: false,
            history: HashMap::new(),
            observed: HashMap::new(),
            estimates: HashMap::new(),
            dirty: true,
        }
    }

    pub fn page(&self) -> &Page {
        self.pages.last().unwrap_or(&Page::Board)
    }

    pub fn sla_policy(&self, q: &Queue) -> SlaPolicy {
        sla::policy_for(&self.config, &self.sla_matchers, q)
    }

    /// LIVE / STALE / OFFLINE as shown: the source's own report, judged against the
    /// deadline the source promised for its data.
    pub fn display_status(&self, s: &SourceView) -> SourceStatus {
        s.health.status_at(self.now)
    }

    pub fn source(&self, name: &str) -> Option<&SourceView> {
        self.sources.iter().find(|s| s.name == name)
    }

    pub fn find_queue(&self, source: &str, id: &str) -> Option<&Queue> {
        self.source(source)?
            .snapshot
            .as_ref()?
            .queues
            .iter()
            .find(|q| q.id == id)
    }

    pub fn find_agent(&self, source: &str, id: &str) -> Option<&crate::domain::Agent> {
        self.source(source)?
            .snapshot
            .as_ref()?
            .agents
            .as_ref()?
            .iter()
            .find(|a| a.id == id)
    }

    fn apply_snapshot(&mut self, snap: SourceSnapshot) {
        for q in &snap.queues {
            let key = (snap.source.clone(), q.id.clone());
            let trend = self.trends.entry(key).or_default();
            // The source's own samples (if any) first, then this poll's figure.
            let last = trend.back().map(|(t, _)| *t);
            for (t, n) in &q.recent_waiting {
                if last.is_none_or(|l| *t > l) {
                    trend.push_back((*t, *n));
                }
            }
            if let (Some(n), Some(t)) = (q.live.waiting, q.live.observed_at)
                && trend.back().is_none_or(|(lt, _)| t > *lt)
            {
                trend.push_back((t, n));
            }
            let cutoff = snap.fetched_at - TREND_WINDOW;
            while trend.front().is_some_and(|(t, _)| *t < cutoff) {
                trend.pop_front();
            }
        }
        self.observe_agents(&snap);
        self.update_estimates(&snap);
        if let Some(s) = self.sources.iter_mut().find(|s| s.name == snap.source) {
            s.health = snap.health.clone();
            s.snapshot = Some(snap);
        }
    }

    /// Feed each queue's counters to its estimators, and note interval baselines.
    fn update_estimates(&mut self, snap: &SourceSnapshot) {
        for q in &snap.queues {
            let at = q.today.fetched_at.unwrap_or(snap.fetched_at);
            let policy = self.sla_policy(q);
            let (start, _) = sla::window_bounds(self, &policy, at);
            let day_start = crate::domain::time::start_of_day(at, self.config.timezone);
            let gap = ChronoDuration::from_std(self.config.refresh * 2)
                .unwrap_or(ChronoDuration::seconds(10));
            let counters = sla::counters_of(q, policy.variant);
            let e = self
                .estimates
                .entry((snap.source.clone(), q.id.clone()))
                .or_default();
            e.observe(q, at);
            if policy.window != crate::config::SlWindow::Day
                && let Some(c) = counters
            {
                e.track_interval(c, at, start, day_start, gap);
            }
        }
    }

    /// Forget cached histories (and their live tails) nobody has looked at for a while.
    fn prune_history(&mut self) {
        let keep_from = self.now - ChronoDuration::minutes(30);
        let current = match self.page() {
            Page::Agent(p) => Some((p.source.clone(), p.agent_id.clone())),
            _ => None,
        };
        self.history.retain(|k, e| {
            Some(k) == current.as_ref()
                || match e {
                    HistoryEntry::Loaded(h) => h.fetched_at >= keep_from,
                    HistoryEntry::Loading { since } => *since >= keep_from,
                    HistoryEntry::Failed { retry_at, .. } => *retry_at >= keep_from,
                }
        });
        let history = &self.history;
        self.observed.retain(|k, _| history.contains_key(k));
    }

    /// Note state changes of agents whose history is cached (only those: cheap).
    fn observe_agents(&mut self, snap: &SourceSnapshot) {
        let Some(agents) = &snap.agents else { return };
        for ((src, id), entry) in &self.history {
            if src != &snap.source {
                continue;
            }
            let fetched_to = match entry {
                HistoryEntry::Loaded(h) => h.to,
                HistoryEntry::Failed {
                    previous: Some(h), ..
                } => h.to,
                _ => continue,
            };
            let Some(a) = agents.iter().find(|a| &a.id == id) else {
                continue;
            };
            let Some(since) = a.since else { continue };
            let list = self.observed.entry((src.clone(), id.clone())).or_default();
            let changed = list
                .last()
                .is_none_or(|l| l.start != since || l.state != a.state || l.reason != a.reason);
            let floor = list
                .last()
                .map_or(fetched_to - ChronoDuration::hours(24), |l| l.start);
            if changed && since >= floor {
                list.push(crate::domain::StateSpan {
                    start: since,
                    end: since,
                    state: a.state,
                    reason: a.reason.clone(),
                });
            }
        }
    }

    fn on_history(
        &mut self,
        source: String,
        agent_id: String,
        result: Result<AgentHistory, String>,
    ) {
        let key = (source, agent_id);
        let entry = match result {
            Ok(h) => {
                // A fresh fetch covers what the feed saw before it.
                if let Some(list) = self.observed.get_mut(&key) {
                    list.retain(|s| s.start >= h.to);
                }
                HistoryEntry::Loaded(h)
            }
            Err(error) => {
                let previous = match self.history.get(&key) {
                    Some(HistoryEntry::Loaded(h)) => Some(h.clone()),
                    Some(HistoryEntry::Failed { previous, .. }) => previous.clone(),
                    _ => None,
                };
                HistoryEntry::Failed {
                    error,
                    retry_at: self.now + HISTORY_RETRY,
                    previous,
                }
            }
        };
        self.history.insert(key, entry);
    }

    /// The history the agent page shows: fetched spans, extended live with the agent's
    /// current state, normalised over the last 24 h.
    pub fn agent_timeline(
        &self,
        source: &str,
        agent_id: &str,
    ) -> Option<Vec<crate::domain::StateSpan>> {
        let h = match self
            .history
            .get(&(source.to_string(), agent_id.to_string()))?
        {
            HistoryEntry::Loaded(h) => h,
            HistoryEntry::Failed {
                previous: Some(h), ..
            } => h,
            _ => return None,
        };
        let from = self.now - ChronoDuration::hours(24);
        let key = (source.to_string(), agent_id.to_string());
        let mut observed = self.observed.get(&key).cloned().unwrap_or_default();
        if let Some(a) = self.find_agent(source, agent_id)
            && let Some(since) = a.since
            && observed
                .last()
                .is_none_or(|l| l.start < since || (l.start == since && l.state != a.state))
        {
            observed.push(crate::domain::StateSpan {
                start: since,
                end: since,
                state: a.state,
                reason: a.reason.clone(),
            });
        }
        Some(spans::with_observed(
            &h.spans, h.to, &observed, from, self.now,
        ))
    }

    /// History requests the current page needs now (first visit, aged cache, retry due).
    fn history_wanted(&mut self) -> Vec<Effect> {
        let Page::Agent(p) = self.page().clone() else {
            return Vec::new();
        };
        let key = (p.source.clone(), p.agent_id.clone());
        let due = match self.history.get(&key) {
            None => true,
            Some(HistoryEntry::Loading { since }) => {
                self.now - *since > ChronoDuration::seconds(30)
            }
            Some(HistoryEntry::Loaded(h)) => self.now - h.fetched_at > HISTORY_MAX_AGE,
            Some(HistoryEntry::Failed { retry_at, .. }) => self.now >= *retry_at,
        };
        if !due {
            return Vec::new();
        }
        let previous = match self.history.remove(&key) {
            Some(HistoryEntry::Loaded(h)) => Some(h),
            Some(HistoryEntry::Failed { previous, .. }) => previous,
            _ => None,
        };
        // Keep showing the old timeline while the refetch runs.
        let entry = match previous {
            Some(h) => HistoryEntry::Failed {
                error: String::new(),
                retry_at: self.now + ChronoDuration::seconds(30),
                previous: Some(h),
            },
            None => HistoryEntry::Loading { since: self.now },
        };
        self.history.insert(key, entry);
        vec![Effect::FetchHistory {
            source: p.source,
            agent_id: p.agent_id,
            from: self.now - ChronoDuration::hours(24),
            to: self.now,
        }]
    }
}

/// Fold one message into the state. Returns what the outside world must do.
pub fn update(app: &mut App, msg: Msg) -> Vec<Effect> {
    let mut effects = match msg {
        Msg::Key(k) => {
            app.dirty = true;
            on_key(app, k)
        }
        Msg::Resize(w, h) => {
            app.size = (w, h);
            app.dirty = true;
            Vec::new()
        }
        Msg::Tick(now) => {
            app.now = now;
            app.prune_history();
            // Time in state and longest wait tick locally.
            app.dirty = true;
            Vec::new()
        }
        Msg::Signal => {
            app.quit = true;
            vec![Effect::Quit]
        }
        Msg::Source(SourceEvent::Snapshot(snap)) => {
            if app.paused {
                app.held.insert(snap.source.clone(), *snap);
            } else {
                app.apply_snapshot(*snap);
                app.dirty = true;
            }
            Vec::new()
        }
        Msg::Source(SourceEvent::History {
            source,
            agent_id,
            result,
        }) => {
            app.on_history(source, agent_id, result);
            app.dirty = true;
            Vec::new()
        }
    };
    if !app.quit {
        effects.extend(app.history_wanted());
    }
    effects
}

fn on_key(app: &mut App, key: KeyEvent) -> Vec<Effect> {
    if key.kind == crossterm::event::KeyEventKind::Release {
        return Vec::new();
    }
    if key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL) {
        app.quit = true;
        return vec![Effect::Quit];
    }
    if editing_filter(app) {
        edit_filter(app, key);
        return Vec::new();
    }
    if app.help {
        // Any key closes help; q still quits.
        app.help = false;
        if key.code == KeyCode::Char('q') {
            app.quit = true;
            return vec![Effect::Quit];
        }
        return Vec::new();
    }
    let Some(action) = keymap::action_for(&key, app.page().scope()) else {
        return Vec::new();
    };
    act(app, action)
}

fn editing_filter(app: &App) -> bool {
    match app.page() {
        Page::Board => app.board.editing_filter,
        Page::Queue { table, .. } | Page::Agents { table } => table.editing_filter,
        Page::Agent(_) => false,
    }
}

fn with_filter<R>(
    app: &mut App,
    f: impl FnOnce(&mut String, &mut bool, &mut usize) -> R,
) -> Option<R> {
    match app.pages.last_mut() {
        Some(Page::Board) | None => Some(f(
            &mut app.board.filter,
            &mut app.board.editing_filter,
            &mut app.board.selected,
        )),
        Some(Page::Queue { table, .. }) | Some(Page::Agents { table }) => Some(f(
            &mut table.filter,
            &mut table.editing_filter,
            &mut table.selected,
        )),
        Some(Page::Agent(_)) => None,
    }
}

fn edit_filter(app: &mut App, key: KeyEvent) {
    with_filter(app, |filter, editing, selected| match key.code {
        KeyCode::Enter => *editing = false,
        KeyCode::Esc => {
            filter.clear();
            *editing = false;
            *selected = 0;
        }
        KeyCode::Backspace => {
            filter.pop();
            *selected = 0;
        }
        KeyCode::Char(c)
            if !key.modifiers.contains(KeyModifiers::CONTROL) && filter.chars().count() < 64 =>
        {
            filter.push(c);
            *selected = 0;
        }
        _ => {}
    });
}

/// Number of rows in the current page's table.
pub fn row_count(app: &App) -> usize {
    match app.page() {
        Page::Board => view::board_rows(app).len(),
        Page::Queue {
            source,
            queue_id,
            table,
        } => view::agent_rows(
            app,
            Some((source, queue_id)),
            &table.filter,
            table.sort,
            table.dir,
        )
        .len(),
        Page::Agents { table } => {
            view::agent_rows(app, None, &table.filter, table.sort, table.dir).len()
        }
        Page::Agent(p) => app
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
    let n = row_count(app);
    let page = page_rows(app);
    match action {
        Action::Quit => {
            app.quit = true;
            return vec![Effect::Quit];
        }
        Action::Help => app.help = true,
        Action::Pause => {
            app.paused = !app.paused;
            if !app.paused {
                let held: Vec<SourceSnapshot> = app.held.drain().map(|(_, s)| s).collect();
                for s in held {
                    app.apply_snapshot(s);
                }
            }
        }
        Action::Refresh => return vec![Effect::RefreshAll],
        Action::Up => move_selection(app, n, -1),
        Action::Down => move_selection(app, n, 1),
        Action::PageUp => move_selection(app, n, -(page as i64)),
        Action::PageDown => move_selection(app, n, page as i64),
        Action::Top => move_selection(app, n, i64::MIN / 2),
        Action::Bottom => move_selection(app, n, i64::MAX / 2),
        Action::SortNext => match app.pages.last_mut() {
            Some(Page::Board) | None => app.board.sort = app.board.sort.next(),
            Some(Page::Queue { table, .. }) | Some(Page::Agents { table }) => {
                table.sort = table.sort.next()
            }
            Some(Page::Agent(_)) => {}
        },
        Action::SortReverse => match app.pages.last_mut() {
            Some(Page::Board) | None => app.board.dir = app.board.dir.flip(),
            Some(Page::Queue { table, .. }) | Some(Page::Agents { table }) => {
                table.dir = table.dir.flip()
            }
            Some(Page::Agent(_)) => {}
        },
        Action::Filter => {
            with_filter(app, |_, editing, _| *editing = true);
        }
        Action::Enter => drill_in(app),
        Action::Back => {
            if app.pages.len() > 1 {
                app.pages.pop();
            } else {
                // Esc on the board clears a kept filter.
                app.board.filter.clear();
            }
        }
        Action::Agents => {
            if !matches!(app.page(), Page::Agents { .. }) {
                app.pages.push(Page::Agents {
                    table: TableState::new(AgentSort::State),
                });
            }
        }
        Action::ZoomIn | Action::ZoomOut | Action::ZoomReset | Action::Left | Action::Right => {
            if let Some(Page::Agent(p)) = app.pages.last_mut() {
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

fn move_selection(app: &mut App, n: usize, delta: i64) {
    if let Some(Page::Agent(p)) = app.pages.last_mut() {
        let max = n.saturating_sub(1) as i64;
        p.scroll = (p.scroll as i64 + delta).clamp(0, max.max(0)) as usize;
        return;
    }
    sync_selection(app);
    let sel = match app.pages.last_mut() {
        Some(Page::Board) | None => &mut app.board.selected,
        Some(Page::Queue { table, .. }) | Some(Page::Agents { table }) => &mut table.selected,
        Some(Page::Agent(_)) => return,
    };
    if n == 0 {
        *sel = 0;
        return;
    }
    *sel = (*sel as i64).saturating_add(delta).clamp(0, n as i64 - 1) as usize;
    remember_selection(app);
}

/// Bring the selected index in line with the remembered row (which may have moved when new
/// data re-sorted the table).
fn sync_selection(app: &mut App) {
    match app.page().clone() {
        Page::Board => {
            let keys: Vec<_> = view::board_rows(app)
                .into_iter()
                .map(|r| (r.source, r.id))
                .collect();
            app.board.selected =
                resolve_selection(app.board.selected, &app.board.selected_key, &keys);
        }
        Page::Queue {
            source,
            queue_id,
            table,
        } => {
            let keys: Vec<_> = view::agent_rows(
                app,
                Some((&source, &queue_id)),
                &table.filter,
                table.sort,
                table.dir,
            )
            .into_iter()
            .map(|r| (r.source, r.agent.id))
            .collect();
            if let Some(Page::Queue { table, .. }) = app.pages.last_mut() {
                table.selected = resolve_selection(table.selected, &table.selected_key, &keys);
            }
        }
        Page::Agents { table } => {
            let keys: Vec<_> = view::agent_rows(app, None, &table.filter, table.sort, table.dir)
                .into_iter()
                .map(|r| (r.source, r.agent.id))
                .collect();
            if let Some(Page::Agents { table }) = app.pages.last_mut() {
                table.selected = resolve_selection(table.selected, &table.selected_key, &keys);
            }
        }
        Page::Agent(_) => {}
    }
}

/// Record the selected row's identity so it survives re-sorting on new data.
pub fn remember_selection(app: &mut App) {
    match app.page().clone() {
        Page::Board => {
            let rows = view::board_rows(app);
            app.board.selected_key = rows
                .get(app.board.selected)
                .map(|r| (r.source.clone(), r.id.clone()));
        }
        Page::Queue {
            source,
            queue_id,
            table,
        } => {
            let rows = view::agent_rows(
                app,
                Some((&source, &queue_id)),
                &table.filter,
                table.sort,
                table.dir,
            );
            let key = rows
                .get(table.selected)
                .map(|r| (r.source.clone(), r.agent.id.clone()));
            if let Some(Page::Queue { table, .. }) = app.pages.last_mut() {
                table.selected_key = key;
            }
        }
        Page::Agents { table } => {
            let rows = view::agent_rows(app, None, &table.filter, table.sort, table.dir);
            let key = rows
                .get(table.selected)
                .map(|r| (r.source.clone(), r.agent.id.clone()));
            if let Some(Page::Agents { table }) = app.pages.last_mut() {
                table.selected_key = key;
            }
        }
        Page::Agent(_) => {}
    }
}

/// Index of the selected row in `keys`: the remembered row if it is still there, else the
/// index clamped to the list.
pub fn resolve_selection(
    selected: usize,
    key: &Option<(String, String)>,
    keys: &[(String, String)],
) -> usize {
    if let Some(k) = key
        && let Some(i) = keys.iter().position(|x| x == k)
    {
        return i;
    }
    selected.min(keys.len().saturating_sub(1))
}

fn drill_in(app: &mut App) {
    match app.page().clone() {
        Page::Board => {
            let rows = view::board_rows(app);
            let keys: Vec<_> = rows
                .iter()
                .map(|r| (r.source.clone(), r.id.clone()))
                .collect();
            let i = resolve_selection(app.board.selected, &app.board.selected_key, &keys);
            if let Some(r) = rows.get(i) {
                app.pages.push(Page::Queue {
                    source: r.source.clone(),
                    queue_id: r.id.clone(),
                    table: TableState::new(AgentSort::State),
                });
            }
        }
        Page::Queue {
            source,
            queue_id,
            table,
        } => {
            let rows = view::agent_rows(
                app,
                Some((&source, &queue_id)),
                &table.filter,
                table.sort,
                table.dir,
            );
            push_agent(app, &rows, &table);
        }
        Page::Agents { table } => {
            let rows = view::agent_rows(app, None, &table.filter, table.sort, table.dir);
            push_agent(app, &rows, &table);
        }
        Page::Agent(_) => {}
    }
}

fn push_agent(app: &mut App, rows: &[view::AgentRow], table: &TableState<AgentSort>) {
    let keys: Vec<_> = rows
        .iter()
        .map(|r| (r.source.clone(), r.agent.id.clone()))
        .collect();
    let i = resolve_selection(table.selected, &table.selected_key, &keys);
    if let Some(r) = rows.get(i) {
        app.pages.push(Page::Agent(AgentPage {
            source: r.source.clone(),
            agent_id: r.agent.id.clone(),
            zoom: 0,
            pan_back: ChronoDuration::zero(),
            scroll: 0,
        }));
    }
}
