//! The board: one row per queue.

use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState};

use chrono_tz::Tz;

use super::theme::{Role, Theme, sla_glyph};
use super::{fmt, words};
use crate::app::App;
use crate::model::rows::{QueueRow, QueueSort, SortDir};

/// A board column: what it shows, how wide, and how important (lower = kept longer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Col {
    Queue,
    Waiting,
    Longest,
    Available,
    Busy,
    Acw,
    Away,
    Asa,
    Sl,
    Abandon,
    Sla,
    /// The day's own outlook (on track / at risk / lost), apart from the interval status.
    Day,
    Trend,
}

impl Col {
    /// Left to right on screen.
    pub const ORDER: [Col; 13] = [
        Col::Queue,
        Col::Waiting,
        Col::Longest,
        Col::Available,
        Col::Busy,
        Col::Acw,
        Col::Away,
        Col::Asa,
        Col::Sl,
        Col::Abandon,
        Col::Sla,
        Col::Day,
        Col::Trend,
    ];

    fn title(self) -> &'static str {
        match self {
            Col::Queue => "Queue",
            Col::Waiting => "Wait",
            Col::Longest => "Longest",
            Col::Available => "Avail",
            Col::Busy => "Busy",
            Col::Acw => "ACW",
            Col::Away => "Away",
            Col::Asa => "ASA",
            Col::Sl => "SL / target",
            Col::Abandon => "Aband",
            Col::Sla => "SLA    proj risk",
            Col::Day => "Today",
            Col::Trend => "Waiting 30m",
        }
    }

    fn width(self) -> u16 {
        match self {
            Col::Queue => 12,
            Col::Waiting => 4,
            Col::Longest => 7,
            Col::Available | Col::Busy | Col::Away => 5,
            Col::Acw => 4,
            Col::Asa => 6,
            Col::Sl => 11,
            Col::Abandon => 5,
            Col::Sla => 17,
            Col::Day => 8,
            Col::Trend => 12,
        }
    }

    /// Which columns go first when the terminal is narrow (higher = dropped sooner).
    fn priority(self) -> u8 {
        match self {
            Col::Queue => 0,
            Col::Waiting => 1,
            Col::Longest => 2,
            Col::Sla => 3,
            Col::Sl => 4,
            Col::Available => 6,
            Col::Busy => 7,
            Col::Abandon => 8,
            Col::Acw => 9,
            Col::Away => 10,
            Col::Asa => 11,
            Col::Day => 5,
            Col::Trend => 12,
        }
    }

    fn sort(self) -> Option<QueueSort> {
        match self {
            Col::Queue => Some(QueueSort::Name),
            Col::Waiting => Some(QueueSort::Waiting),
            Col::Longest => Some(QueueSort::LongestWait),
            Col::Available => Some(QueueSort::Available),
            Col::Sl => Some(QueueSort::ServiceLevel),
            Col::Abandon => Some(QueueSort::AbandonRate),
            Col::Sla => Some(QueueSort::Risk),
            _ => None,
        }
    }
}

/// The columns that fit in `width`, in screen order.
pub fn columns_for(width: u16) -> Vec<Col> {
    let mut by_priority: Vec<Col> = Col::ORDER.to_vec();
    by_priority.sort_by_key(|c| c.priority());
    let mut chosen = Vec::new();
    let mut used: u16 = 0;
    for c in by_priority {
        let need = c.width() + if chosen.is_empty() { 0 } else { 1 };
        if used + need <= width {
            used += need;
            chosen.push(c);
        }
    }
    Col::ORDER
        .iter()
        .copied()
        .filter(|c| chosen.contains(c))
        .collect()
}

fn cell_text(c: Col, r: &QueueRow, trend_width: usize) -> String {
    match c {
        Col::Queue => r.name.clone(),
        Col::Waiting => fmt::opt_u32(r.waiting),
        Col::Longest => fmt::clock(r.longest_wait_s),
        Col::Available => fmt::opt_u32(r.available),
        Col::Busy => fmt::opt_u32(r.busy),
        Col::Acw => fmt::opt_u32(r.acw),
        Col::Away => fmt::opt_u32(r.away),
        Col::Asa => fmt::clock(r.asa_s),
        Col::Sl => format!(
            "{:>4} / {:.0}%",
            fmt::pct(r.service_level, 0),
            r.target * 100.0
        ),
        Col::Abandon => fmt::pct(r.abandon_rate, 0),
        Col::Sla => match r.sla.status {
            Some(s) => format!(
                "{} {:<5} {:>4} {:>4}",
                sla_glyph(s),
                s.as_str(),
                fmt::pct(r.sla.projected_sl, 0),
                fmt::pct(r.sla.breach_probability, 0)
            ),
            None => fmt::UNKNOWN.into(),
        },
        Col::Day => super::words::outlook_short(r.sla.day.and_then(|d| d.outlook)).into(),
        Col::Trend => fmt::sparkline(&r.trend, trend_width),
    }
}

fn cell_style(c: Col, r: &QueueRow, theme: &Theme) -> Style {
    if r.stale {
        return theme.style(Role::Stale);
    }
    match c {
        Col::Sla => r.sla.status.map(|s| theme.sla_style(s)).unwrap_or_default(),
        Col::Longest => match r.longest_wait_s {
            Some(w) if w >= r.threshold_s => theme.style(Role::Breach),
            Some(w) if w >= r.threshold_s * 0.75 => theme.style(Role::Warn),
            _ => Style::default(),
        },
        Col::Sl => match r.service_level {
            Some(sl) if sl < r.target => theme.style(Role::Warn),
            Some(_) => theme.style(Role::Ok),
            None => Style::default(),
        },
        Col::Day => match r.sla.day.and_then(|d| d.outlook) {
            Some(crate::model::sla::Outlook::OnTrack) => theme.style(Role::Ok),
            Some(crate::model::sla::Outlook::AtRisk) => theme.style(Role::Warn),
            Some(crate::model::sla::Outlook::Lost) => theme.style(Role::Breach),
            None => theme.style(Role::Muted),
        },
        Col::Trend => theme.style(Role::Accent),
        _ => Style::default(),
    }
}

/// The first row to show so that `selected` is visible in a table of `rows` rows: the
/// window ratatui itself would scroll to from the top.
pub fn window_start(selected: usize, rows: usize) -> usize {
    selected.saturating_sub(rows.max(1) - 1)
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let rows = app.board_rows();
    let board = &app.nav.board;
    let cols = columns_for(area.width);
    if rows.is_empty() {
        let msg = if !board.filter.is_empty() {
            format!("no queue matches /{} — Esc clears the filter", board.filter)
        } else if app.model().sources.iter().all(|s| s.snapshot.is_none()) {
            "waiting for the first data…".to_string()
        } else {
            "no queues to show".to_string()
        };
        frame.render_widget(
            Paragraph::new(Line::styled(msg, theme.style(Role::Muted))),
            area,
        );
        return;
    }
    // The queue column takes what the others leave.
    let fixed: u16 = cols
        .iter()
        .filter(|c| **c != Col::Queue)
        .map(|c| c.width() + 1)
        .sum();
    let queue_w = area
        .width
        .saturating_sub(fixed)
        .clamp(Col::Queue.width(), 28);
    let trend_w = Col::Trend.width() as usize;
    let widths: Vec<Constraint> = cols
        .iter()
        .map(|c| {
            if *c == Col::Queue {
                Constraint::Length(queue_w)
            } else {
                Constraint::Length(c.width())
            }
        })
        .collect();
    let arrow = if board.dir == SortDir::Normal {
        "▼"
    } else {
        "▲"
    };
    let header = Row::new(cols.iter().map(|c| {
        let t = c.title();
        if c.sort().is_some_and(|s| board.sort == s) {
            Cell::from(format!("{t}{arrow}")).style(theme.style(Role::Accent))
        } else {
            Cell::from(t)
        }
    }))
    .style(theme.style(Role::Title));
    let multi_source = app.model().sources.len() > 1;
    // Only the rows that fit become cells (below the header line).
    let visible = area.height.saturating_sub(1) as usize;
    let selected = app.board_selected().min(rows.len() - 1);
    let start = window_start(selected, visible);
    let body = rows.window(start, visible).map(|r| {
        Row::new(cols.iter().map(|c| {
            let mut text = cell_text(*c, r, trend_w);
            if *c == Col::Queue {
                if multi_source {
                    text = format!("{} · {}", text, r.source);
                }
                text = fmt::fit(&text, queue_w as usize);
            }
            Cell::from(text).style(cell_style(*c, r, theme))
        }))
    });
    let table = Table::new(body, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.style(Role::Selected));
    let mut state = TableState::default().with_selected(Some(selected - start));
    frame.render_stateful_widget(table, area, &mut state);
}

/// The SLA status in plain words, for the queue page (times of day in `tz`).
pub fn sla_explanation(r: &QueueRow, tz: Option<Tz>, theme: &Theme) -> Vec<Line<'static>> {
    let dim = theme.style(Role::Muted);
    let Some(status) = r.sla.status else {
        return vec![Line::from(vec![
            Span::styled("SLA ", dim),
            Span::raw("— not enough data yet"),
        ])];
    };
    let mut spans = vec![
        Span::styled("SLA ", dim),
        Span::styled(
            format!("{} {}", sla_glyph(status), status.as_str()),
            theme.sla_style(status),
        ),
    ];
    if let Some(p) = r.sla.projected_sl {
        spans.push(Span::raw(format!("  projected {}", fmt::pct(Some(p), 1))));
    }
    if let Some(b) = r.sla.breach_probability {
        spans.push(Span::raw(format!("  breach risk {}", fmt::pct(Some(b), 0))));
    }
    if let Some(w) = &r.sla.why {
        spans.push(Span::styled(format!("  — {}", words::sla_reason(w)), dim));
    }
    let mut out = vec![Line::from(spans)];
    out.extend(
        r.sla
            .detail
            .iter()
            .map(|d| Line::from(Span::raw(format!("    {}", words::sla_detail(d, tz))))),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::window_start;

    #[test]
    fn the_window_keeps_the_selection_visible() {
        assert_eq!(window_start(0, 10), 0);
        assert_eq!(window_start(9, 10), 0);
        assert_eq!(window_start(10, 10), 1);
        assert_eq!(window_start(500, 10), 491);
        assert_eq!(
            window_start(3, 0),
            3,
            "no room: nothing above the selection"
        );
    }
}
