//! The queue page (its figures, then its agents) and the all-agents page.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState as RtState};

use super::board::window_start;
use super::theme::{Role, Theme, state_glyph};
use super::{fmt, words};
use crate::app::{App, TableState};
use crate::model::rows::{AgentSort, SortDir};

pub fn draw_queue(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    source: &str,
    queue_id: &str,
    table: &TableState,
) {
    let m = app.model();
    let (Some(q), Some(r)) = (
        m.find_queue(source, queue_id),
        m.derived().queue(source, queue_id),
    ) else {
        frame.render_widget(
            Paragraph::new(format!(
                "queue {queue_id} is no longer reported by {source} — Esc goes back"
            )),
            area,
        );
        return;
    };
    let dim = theme.style(Role::Muted);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{} ", q.name), theme.style(Role::Title)),
            Span::styled(format!("({} · {})", q.media.as_str(), source), dim),
        ]),
        Line::from(vec![
            Span::styled("waiting ", dim),
            Span::raw(fmt::opt_u32(r.waiting)),
            Span::styled("  longest ", dim),
            Span::raw(fmt::clock(r.longest_wait_s)),
            Span::styled("  agents ", dim),
            Span::raw(format!(
                "{} avail · {} busy · {} ACW · {} away · {} not resp.",
                fmt::opt_u32(r.available),
                fmt::opt_u32(r.busy),
                fmt::opt_u32(r.acw),
                fmt::opt_u32(r.away),
                fmt::opt_u32(r.not_responding)
            )),
        ]),
        Line::from(vec![
            Span::styled("today ", dim),
            Span::raw(format!(
                "{} offered · {} answered · {} abandoned ({})",
                fmt::opt_u64(q.today.offered),
                fmt::opt_u64(q.today.answered),
                fmt::opt_u64(q.today.abandoned),
                fmt::pct(q.today.abandon_rate, 1)
            )),
            Span::styled("  ASA ", dim),
            Span::raw(fmt::clock(q.today.asa_s)),
            Span::styled("  AHT ", dim),
            Span::raw(fmt::clock(q.today.aht_s)),
            Span::styled("  SL ", dim),
            Span::raw(format!(
                "{} (target {:.0}% in {})",
                fmt::pct(q.today.service_level, 1),
                r.target * 100.0,
                fmt::duration_short(r.threshold_s)
            )),
        ]),
    ];
    lines.extend(super::board::sla_explanation(r, m.config.timezone, theme));
    let h = lines.len() as u16 + 1;
    let [top, rest] = Layout::vertical([
        Constraint::Length(h.min(area.height / 2)),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(lines), top);
    draw_agent_table(frame, rest, app, theme, table, false);
}

pub fn draw_agents(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, table: &TableState) {
    let rows = app.agent_rows();
    let [top, rest] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let title = format!("All agents ({})", rows.len());
    frame.render_widget(
        Paragraph::new(Line::styled(title, theme.style(Role::Title))),
        top,
    );
    draw_agent_table(frame, rest, app, theme, table, true);
}

fn draw_agent_table(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    table: &TableState,
    all: bool,
) {
    let rows = app.agent_rows();
    let sources = &app.model().sources;
    if rows.is_empty() {
        let msg = if !table.filter.is_empty() {
            format!("no agent matches /{} — Esc clears the filter", table.filter)
        } else if sources
            .iter()
            .any(|s| s.snapshot.as_ref().is_some_and(|x| x.agents.is_none()))
        {
            "agent list not available from this source yet".to_string()
        } else {
            "no agents".to_string()
        };
        frame.render_widget(
            Paragraph::new(Line::styled(msg, theme.style(Role::Muted))),
            area,
        );
        return;
    }
    let title = |name: &str, s: AgentSort| {
        // Names go A→Z (▲) by default, the rest most urgent first (▼); S flips either.
        let ascending = (s == AgentSort::Name) == (table.dir == SortDir::Normal);
        let arrow = if ascending { "▲" } else { "▼" };
        if table.sort == s {
            Cell::from(format!("{name}{arrow}")).style(theme.style(Role::Accent))
        } else {
            Cell::from(name.to_string())
        }
    };
    // Columns in the order they are kept; whole columns go from the end when narrow, and
    // every cell is cut to its column with an ellipsis (never mid-letter by the table).
    #[derive(Clone, Copy, PartialEq)]
    enum C {
        State,
        InState,
        Alert,
        Reason,
        Queues,
        Source,
    }
    let want = [
        (C::State, 16u16),
        (C::InState, 8),
        (C::Alert, 14),
        (C::Reason, 16),
        (C::Queues, 12),
        (C::Source, 12),
    ];
    let name_min = 14u16;
    let mut used = name_min;
    let mut cols: Vec<(C, u16)> = Vec::new();
    for (c, w) in want {
        if c == C::Source && sources.len() < 2 {
            continue;
        }
        if used + 1 + w > area.width {
            break;
        }
        used += 1 + w;
        cols.push((c, w));
    }
    // The name takes what is left, up to 24; the queues list takes the rest after that.
    let name_w = (name_min + area.width.saturating_sub(used)).min(24);
    let spare = area.width.saturating_sub(used + name_w - name_min);
    if let Some(q) = cols.iter_mut().find(|(c, _)| *c == C::Queues) {
        q.1 += spare;
    }
    let mut header = vec![title("Agent", AgentSort::Name)];
    let mut widths = vec![Constraint::Length(name_w)];
    for (c, w) in &cols {
        header.push(match c {
            C::State => title("State", AgentSort::State),
            C::InState => title("In state", AgentSort::TimeInState),
            C::Alert => Cell::from("Alert"),
            C::Reason => Cell::from("Reason"),
            C::Queues => Cell::from(if all { "Queues" } else { "Also serves" }),
            C::Source => Cell::from("Source"),
        });
        widths.push(Constraint::Length(*w));
    }
    let page_queue = match app.page() {
        crate::app::Page::Queue { queue_id, .. } => Some(queue_id.clone()),
        _ => None,
    };
    // Only the rows that fit become cells (below the header line).
    let visible = area.height.saturating_sub(1) as usize;
    let selected = app.agents_selected().min(rows.len() - 1);
    let start = window_start(selected, visible);
    let body = rows.window(start, visible).map(|r| {
        let base = if r.stale {
            theme.style(Role::Stale)
        } else {
            Default::default()
        };
        let st = r.agent.state;
        let mut cells = vec![Cell::from(fmt::fit(&r.agent.name, name_w as usize)).style(base)];
        for (c, w) in &cols {
            let w = *w as usize;
            cells.push(match c {
                C::State => Cell::from(fmt::fit(&format!("{} {}", state_glyph(st), st.label()), w))
                    .style(if r.stale { base } else { theme.state_style(st) }),
                C::InState => {
                    Cell::from(fmt::clock(r.time_in_state_s)).style(if r.alert.is_some() {
                        theme.style(Role::Breach)
                    } else {
                        base
                    })
                }
                C::Alert => match &r.alert {
                    Some(a) => Cell::from(fmt::fit(&format!("⚠ {}", words::alert(a)), w))
                        .style(theme.style(Role::Breach)),
                    None => Cell::from(""),
                },
                C::Reason => Cell::from(fmt::fit(
                    words::reason_beside(st, r.agent.reason.as_deref()).unwrap_or(""),
                    w,
                ))
                .style(base),
                C::Queues => {
                    let others: Vec<&str> = r
                        .agent
                        .queues
                        .iter()
                        .zip(&r.queue_names)
                        .filter(|(id, _)| page_queue.as_deref() != Some(id.as_str()))
                        .map(|(_, n)| n.as_str())
                        .collect();
                    Cell::from(fmt::fit(&others.join(", "), w)).style(base)
                }
                C::Source => Cell::from(fmt::fit(&r.source, w)).style(base),
            });
        }
        Row::new(cells)
    });
    let t = Table::new(body, widths)
        .header(Row::new(header).style(theme.style(Role::Title)))
        .column_spacing(1)
        .row_highlight_style(theme.style(Role::Selected));
    let mut st = RtState::default().with_selected(Some(selected - start));
    frame.render_stateful_widget(t, area, &mut st);
}
