//! The tables' rows in display order, cached: recomputed when the model's rows change or
//! the table's filter, sort or subject does, never on a plain key press or frame.

use super::nav::{Nav, Sort, TableKind, TableState};
use crate::model::Model;
use crate::model::rows::{
    AgentRow, AgentSort, QueueRow, QueueSort, RowKey, SortDir, agent_order, board_order,
};

/// Rows of one table in display order: a window onto the model's derived rows.
#[derive(Debug, Clone, Copy)]
pub struct Rows<'a, T> {
    all: &'a [T],
    order: &'a [usize],
}

impl<'a, T> Rows<'a, T> {
    pub fn len(&self) -> usize {
        self.order.len()
    }
    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }
    pub fn get(&self, i: usize) -> Option<&'a T> {
        self.order.get(i).and_then(|&j| self.all.get(j))
    }
    pub fn iter(&self) -> impl Iterator<Item = &'a T> + 'a {
        let all = self.all;
        self.order.iter().filter_map(move |&j| all.get(j))
    }
    /// Rows `start..start + len` (clipped to the table).
    pub fn window(&self, start: usize, len: usize) -> impl Iterator<Item = &'a T> + 'a {
        let all = self.all;
        let end = start.saturating_add(len).min(self.order.len());
        let start = start.min(end);
        self.order[start..end]
            .iter()
            .filter_map(move |&j| all.get(j))
    }
}

/// Something a table lists, with the key the selection remembers.
pub trait Keyed {
    fn is_key(&self, key: &RowKey) -> bool;
    fn key(&self) -> RowKey;
}

impl Keyed for QueueRow {
    fn is_key(&self, key: &RowKey) -> bool {
        self.source == key.0 && self.id == key.1
    }
    fn key(&self) -> RowKey {
        (self.source.clone(), self.id.clone())
    }
}

impl Keyed for AgentRow {
    fn is_key(&self, key: &RowKey) -> bool {
        self.source == key.0 && self.agent.id == key.1
    }
    fn key(&self) -> RowKey {
        (self.source.clone(), self.agent.id.clone())
    }
}

impl<T: Keyed> Rows<'_, T> {
    /// Index of the selected row: the remembered row if it is still there, else the index
    /// clamped to the table.
    pub fn resolve(&self, selected: usize, key: &Option<RowKey>) -> usize {
        if let Some(k) = key {
            if self.get(selected).is_some_and(|r| r.is_key(k)) {
                return selected;
            }
            if let Some(i) = self.iter().position(|r| r.is_key(k)) {
                return i;
            }
        }
        selected.min(self.len().saturating_sub(1))
    }

    pub fn key_at(&self, i: usize) -> Option<RowKey> {
        self.get(i).map(Keyed::key)
    }
}

/// What a table's order was computed from.
#[derive(Debug, Clone, PartialEq)]
struct Basis {
    revision: u64,
    subject: Option<RowKey>,
    all_agents: bool,
    filter: String,
    sort: Sort,
    dir: SortDir,
}

impl Basis {
    fn new(revision: u64, kind: TableKind<'_>, t: &TableState) -> Basis {
        let (subject, all_agents) = match kind {
            TableKind::Board => (None, false),
            TableKind::QueueAgents { source, queue_id } => {
                (Some((source.to_string(), queue_id.to_string())), false)
            }
            TableKind::AllAgents => (None, true),
        };
        Basis {
            revision,
            subject,
            all_agents,
            filter: t.filter.clone(),
            sort: t.sort,
            dir: t.dir,
        }
    }

    fn matches(&self, revision: u64, kind: TableKind<'_>, t: &TableState) -> bool {
        let subject_ok = match kind {
            TableKind::Board => self.subject.is_none() && !self.all_agents,
            TableKind::QueueAgents { source, queue_id } => self
                .subject
                .as_ref()
                .is_some_and(|(s, q)| s == source && q == queue_id),
            TableKind::AllAgents => self.subject.is_none() && self.all_agents,
        };
        subject_ok
            && self.revision == revision
            && self.filter == t.filter
            && self.sort == t.sort
            && self.dir == t.dir
    }
}

/// One table's cached order, and where its selection resolved to.
#[derive(Debug, Clone, Default)]
struct TableView {
    order: Vec<usize>,
    basis: Option<Basis>,
    /// The table's (selected, selected_key) and the row index they resolved to.
    pick: Option<(usize, Option<RowKey>, usize)>,
}

impl TableView {
    /// Recompute the order if what it depends on changed; true when it did.
    fn sync(&mut self, model: &Model, kind: TableKind<'_>, t: &TableState) -> bool {
        let rev = model.revision();
        if self.basis.as_ref().is_some_and(|b| b.matches(rev, kind, t)) {
            return false;
        }
        let d = model.derived();
        let queue_sort = match t.sort {
            Sort::Queue(s) => s,
            Sort::Agent(_) => QueueSort::Risk,
        };
        let agent_sort = match t.sort {
            Sort::Agent(s) => s,
            Sort::Queue(_) => AgentSort::State,
        };
        self.order = match kind {
            TableKind::Board => board_order(&d.queues, &t.filter, queue_sort, t.dir),
            TableKind::QueueAgents { source, queue_id } => agent_order(
                &d.agents,
                Some((source, queue_id)),
                &t.filter,
                agent_sort,
                t.dir,
            ),
            TableKind::AllAgents => agent_order(&d.agents, None, &t.filter, agent_sort, t.dir),
        };
        self.basis = Some(Basis::new(rev, kind, t));
        self.pick = None;
        true
    }
}

/// The cached orders of the board and of the current agent table.
#[derive(Debug, Clone, Default)]
pub struct Views {
    board: TableView,
    agents: TableView,
    /// How many times an order was recomputed (for tests and benches).
    pub computed: u64,
}

impl Views {
    pub fn board<'a>(&'a self, model: &'a Model) -> Rows<'a, QueueRow> {
        Rows {
            all: &model.derived().queues,
            order: &self.board.order,
        }
    }

    pub fn agents<'a>(&'a self, model: &'a Model) -> Rows<'a, AgentRow> {
        Rows {
            all: &model.derived().agents,
            order: &self.agents.order,
        }
    }

    /// Where the board's selection is (the remembered row if it is still listed).
    pub fn board_selected(&self) -> usize {
        self.board.pick.as_ref().map_or(0, |p| p.2)
    }

    /// Where the current agent table's selection is.
    pub fn agents_selected(&self) -> usize {
        self.agents.pick.as_ref().map_or(0, |p| p.2)
    }

    /// Bring the orders in line with the model and the navigation, and resolve where each
    /// table's selection is (a remembered row keeps its selection when rows move).
    pub fn sync(&mut self, model: &Model, nav: &Nav) {
        if self.board.sync(model, TableKind::Board, &nav.board) {
            self.computed += 1;
        }
        let pick = resolve_pick(self.board.pick.take(), self.board(model), &nav.board);
        self.board.pick = Some(pick);
        let Some((kind, table)) = nav.agent_table() else {
            return;
        };
        if self.agents.sync(model, kind, table) {
            self.computed += 1;
        }
        let pick = resolve_pick(self.agents.pick.take(), self.agents(model), table);
        self.agents.pick = Some(pick);
    }
}

fn resolve_pick<T: Keyed>(
    last: Option<(usize, Option<RowKey>, usize)>,
    rows: Rows<'_, T>,
    t: &TableState,
) -> (usize, Option<RowKey>, usize) {
    match last {
        Some(p) if p.0 == t.selected && p.1 == t.selected_key => p,
        _ => (
            t.selected,
            t.selected_key.clone(),
            rows.resolve(t.selected, &t.selected_key),
        ),
    }
}

/// The board's rows in display order, as owned values.
pub fn board_rows(app: &super::App) -> Vec<QueueRow> {
    app.board_rows().iter().cloned().collect()
}
