//! Navigation: where the user is and what they asked to see (page stack, selection,
//! filter, sort, help, pause, quit). Knows nothing of the data beyond row keys.

use std::collections::HashMap;

use chrono::{DateTime, Duration as ChronoDuration, Utc};

use super::keymap::Scope;
use crate::domain::SourceSnapshot;
use crate::model::rows::{AgentSort, QueueSort, RowKey, SortDir};

/// The column a table is sorted by: queue columns on the board, agent columns elsewhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Queue(QueueSort),
    Agent(AgentSort),
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::Queue(s) => Sort::Queue(s.next()),
            Sort::Agent(s) => Sort::Agent(s.next()),
        }
    }
}

impl From<QueueSort> for Sort {
    fn from(s: QueueSort) -> Sort {
        Sort::Queue(s)
    }
}

impl From<AgentSort> for Sort {
    fn from(s: AgentSort) -> Sort {
        Sort::Agent(s)
    }
}

impl PartialEq<QueueSort> for Sort {
    fn eq(&self, other: &QueueSort) -> bool {
        *self == Sort::Queue(*other)
    }
}

impl PartialEq<AgentSort> for Sort {
    fn eq(&self, other: &AgentSort) -> bool {
        *self == Sort::Agent(*other)
    }
}

/// Selection, sort and filter of one table; the same for every table page.
#[derive(Debug, Clone, PartialEq)]
pub struct TableState {
    pub selected: usize,
    /// The selected row's key, so the selection follows the row when data re-sorts.
    pub selected_key: Option<RowKey>,
    pub sort: Sort,
    pub dir: SortDir,
    pub filter: String,
    pub editing_filter: bool,
}

impl TableState {
    pub fn new(sort: impl Into<Sort>) -> TableState {
        TableState {
            selected: 0,
            selected_key: None,
            sort: sort.into(),
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
    pub fn key(&self) -> RowKey {
        (self.source.clone(), self.agent_id.clone())
    }
}

/// A page of the stack (Board → Queue → Agent; Agents from anywhere).
#[derive(Debug, Clone, PartialEq)]
pub enum Page {
    Board,
    Queue {
        source: String,
        queue_id: String,
        table: TableState,
    },
    Agents {
        table: TableState,
    },
    Agent(AgentPage),
}

impl Page {
    pub fn scope(&self) -> Scope {
        match self {
            Page::Agent(_) => Scope::Timeline,
            _ => Scope::Tables,
        }
    }
}

/// Which rows a table page lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind<'a> {
    /// Every queue.
    Board,
    /// Agents of one source serving one queue.
    QueueAgents { source: &'a str, queue_id: &'a str },
    /// Every agent.
    AllAgents,
}

/// The navigation state of the TUI.
#[derive(Debug, Clone)]
pub struct Nav {
    /// The page stack; never empty (the board is at the bottom).
    pub pages: Vec<Page>,
    /// The board's table (the board is always at the bottom of the stack).
    pub board: TableState,
    pub paused: bool,
    /// Snapshots that arrived while paused, applied on resume (latest per source wins).
    pub held: HashMap<String, SourceSnapshot>,
    pub help: bool,
    pub quit: bool,
    /// The state changed since the last frame (the terminal module redraws, throttled).
    pub dirty: bool,
}

impl Default for Nav {
    fn default() -> Nav {
        Nav {
            pages: vec![Page::Board],
            board: TableState::new(QueueSort::Risk),
            paused: false,
            held: HashMap::new(),
            help: false,
            quit: false,
            dirty: true,
        }
    }
}

impl Nav {
    pub fn page(&self) -> &Page {
        self.pages.last().unwrap_or(&Page::Board)
    }

    /// The table on the current page (none on the timeline).
    pub fn table(&self) -> Option<&TableState> {
        match self.pages.last() {
            Some(Page::Board) | None => Some(&self.board),
            Some(Page::Queue { table, .. }) | Some(Page::Agents { table }) => Some(table),
            Some(Page::Agent(_)) => None,
        }
    }

    pub fn table_mut(&mut self) -> Option<&mut TableState> {
        match self.pages.last_mut() {
            Some(Page::Board) | None => Some(&mut self.board),
            Some(Page::Queue { table, .. }) | Some(Page::Agents { table }) => Some(table),
            Some(Page::Agent(_)) => None,
        }
    }

    /// The current page's agent table and what it lists (none on the board and timeline).
    pub fn agent_table(&self) -> Option<(TableKind<'_>, &TableState)> {
        match self.pages.last() {
            Some(Page::Queue {
                source,
                queue_id,
                table,
            }) => Some((TableKind::QueueAgents { source, queue_id }, table)),
            Some(Page::Agents { table }) => Some((TableKind::AllAgents, table)),
            _ => None,
        }
    }

    pub fn agent_table_mut(&mut self) -> Option<&mut TableState> {
        match self.pages.last_mut() {
            Some(Page::Queue { table, .. }) | Some(Page::Agents { table }) => Some(table),
            _ => None,
        }
    }

    /// The history on screen, if the timeline is.
    pub fn agent_page(&self) -> Option<&AgentPage> {
        match self.page() {
            Page::Agent(p) => Some(p),
            _ => None,
        }
    }
}
