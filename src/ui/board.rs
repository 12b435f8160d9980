//! The board: one row per queue.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Paragraph, Row, Sparkline, Table, TableState};

use chrono_tz::Tz;

use super::theme::{Role, Theme, sla_glyph};
use super::{fit_fields_text, fmt, words};
use crate::app::App;
use crate::model::levels::{Level, Levels};
use crate::model::rows::{QueueRow, QueueSort, SortDir, board_order};

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
    /// The SLA status alone (glyph and word), where the full SLA column does not fit.
    Status,
    /// The day's own outlook (on track / at risk / lost), apart from the interval status.
    Day,
    Trend,
}

impl Col {
    /// Left to right on screen.
    pub const ORDER: [Col; 14] = [
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
        Col::Status,
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
            Col::Status => "SLA",
            Col::Day => "Today",
            Col::Trend => "Waiting 30m",
        }
    }

    fn width(self) -> u16 {
        match self {
            // Room for the title and its sort arrow, so neither is ever cut.
            Col::Queue => 12,
            Col::Waiting => 5,
            Col::Longest => 9,
            Col::Available => 6,
            Col::Busy | Col::Away => 5,
            Col::Acw => 4,
            Col::Asa => 6,
            Col::Sl => 12,
            Col::Abandon => 6,
            Col::Sla => 17,
            Col::Status => 8,
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
            Col::Status => 3,
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
            Col::Sla | Col::Status => Some(QueueSort::Risk),
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
        // The short status only stands in for the full SLA column.
        if c == Col::Status && chosen.contains(&Col::Sla) {
            continue;
        }
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

fn cell_text(c: Col, r: &QueueRow, lv: &Levels, trend_width: usize) -> String {
    match c {
        Col::Queue => r.name.clone(),
        Col::Waiting => format!("{}{}", fmt::opt_u32(r.waiting), level_glyph(lv.waiting)),
        Col::Longest => format!(
            "{}{}",
            fmt::clock(r.longest_wait_s),
            level_glyph(lv.longest_wait)
        ),
        Col::Available => fmt::opt_u32(r.available),
        Col::Busy => fmt::opt_u32(r.busy),
        Col::Acw => fmt::opt_u32(r.acw),
        Col::Away => fmt::opt_u32(r.away),
        Col::Asa => fmt::clock(r.asa_s),
        Col::Sl => format!(
            "{}{:>4} / {:.0}%",
            if r.service_level.is_some_and(|sl| sl < r.target) {
                "▼"
            } else {
                " "
            },
            fmt::pct(r.service_level, 0),
            r.target * 100.0
        ),
        Col::Abandon => format!(
            "{}{}",
            fmt::pct(r.abandon_rate, 0),
            level_glyph(lv.abandon_rate)
        ),
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
        Col::Status => match r.sla.status {
            Some(s) => format!("{} {}", sla_glyph(s), s.as_str()),
            None => fmt::UNKNOWN.into(),
        },
        Col::Day => super::words::outlook_short(r.sla.day.and_then(|d| d.outlook)).into(),
        Col::Trend => fmt::sparkline(&r.trend, trend_width),
    }
}

/// The mark a figure past a threshold carries, so it reads without colour: ▲ warn, ■ breach.
fn level_glyph(l: Level) -> &'static str {
    match l {
        Level::Normal => "",
        Level::Warn => " ▲",
        Level::Breach => " ■",
    }
}

fn level_style(l: Level, theme: &Theme) -> Style {
    match l {
        Level::Normal => Style::default(),
        Level::Warn => theme.style(Role::Warn),
        Level::Breach => theme.style(Role::Breach),
    }
}

fn cell_style(c: Col, r: &QueueRow, lv: &Levels, theme: &Theme) -> Style {
    if r.stale {
        return theme.style(Role::Stale);
    }
    match c {
        Col::Sla | Col::Status => r.sla.status.map(|s| theme.sla_style(s)).unwrap_or_default(),
        Col::Longest => level_style(lv.longest_wait, theme),
        Col::Waiting => level_style(lv.waiting, theme),
        Col::Abandon => level_style(lv.abandon_rate, theme),
        Col::Available => level_style(lv.available, theme),
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
    // The queue column takes what the others leave (up to 28), the trend the rest: wider
    // sparklines on wide terminals.
    let fixed: u16 = cols
        .iter()
        .filter(|c| **c != Col::Queue)
        .map(|c| c.width() + 1)
        .sum();
    let queue_w = area
        .width
        .saturating_sub(fixed)
        .clamp(Col::Queue.width(), 28);
    let spare = area.width.saturating_sub(fixed + queue_w);
    let trend_w = if cols.contains(&Col::Trend) {
        (Col::Trend.width() + spare).min(90)
    } else {
        0
    };
    let widths: Vec<Constraint> = cols
        .iter()
        .map(|c| match c {
            Col::Queue => Constraint::Length(queue_w),
            Col::Trend => Constraint::Length(trend_w),
            c => Constraint::Length(c.width()),
        })
        .collect();
    let header = Row::new(cols.iter().map(|c| {
        let t = c.title();
        match c.sort() {
            Some(s) if board.sort == s => Cell::from(format!("{t}{}", sort_arrow(s, board.dir)))
                .style(theme.style(Role::Accent)),
            _ => Cell::from(t),
        }
    }))
    .style(theme.style(Role::Title));
    let multi_source = app.model().sources.len() > 1;
    // The rows that fit below the header line; a last line says how many more there are.
    let room = area.height.saturating_sub(1) as usize;
    let visible = if rows.len() > room {
        room.saturating_sub(1)
    } else {
        rows.len()
    };
    let selected = app.board_selected().min(rows.len() - 1);
    let start = window_start(selected, visible);
    let m = app.model();
    let body = rows.window(start, visible).map(|r| {
        let lv = m.levels(r);
        Row::new(cols.iter().map(|c| {
            let mut text = cell_text(*c, r, &lv, trend_w as usize);
            if *c == Col::Queue {
                if multi_source {
                    text = format!("{} · {}", text, r.source);
                }
                text = fmt::fit(&text, queue_w as usize);
            }
            Cell::from(text).style(cell_style(*c, r, &lv, theme))
        }))
    });
    let table = Table::new(body, widths)
        .header(header)
        .column_spacing(1)
        .row_highlight_style(theme.style(Role::Selected));
    let table_h = (1 + visible as u16 + u16::from(rows.len() > visible)).min(area.height);
    let [table_area, rest] =
        Layout::vertical([Constraint::Length(table_h), Constraint::Min(0)]).areas(area);
    let mut state = TableState::default().with_selected(Some(selected - start));
    frame.render_stateful_widget(table, table_area, &mut state);
    if rows.len() > visible {
        let below = rows.len() - start - visible;
        let mut more = Vec::new();
        if start > 0 {
            more.push(format!("▲ {start} above"));
        }
        if below > 0 {
            more.push(format!("▼ {below} more"));
        }
        let y = table_area.y + table_area.height.saturating_sub(1);
        frame.render_widget(
            Paragraph::new(Line::styled(more.join("  "), theme.style(Role::Muted))),
            Rect {
                y,
                height: 1,
                ..table_area
            },
        );
    }
    // Tall terminals: the centre below the table, instead of empty rows.
    if rest.height >= 6 {
        draw_centre(frame, rest, app, theme);
    }
}

/// ▼ for the usual order of numbers (most urgent first), ▲ for names (A→Z); flipped by S.
pub fn sort_arrow(sort: QueueSort, dir: SortDir) -> &'static str {
    let ascending = (sort == QueueSort::Name) == (dir == SortDir::Normal);
    if ascending { "▲" } else { "▼" }
}

/// The centre as a whole: by media, the worst queues, and total waiting over 30 minutes.
fn draw_centre(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let m = app.model();
    let rows = &m.derived().queues;
    let dim = theme.style(Role::Muted);
    let h = area.height.min(16);
    let area = Rect { height: h, ..area };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(dim)
        .title(Span::styled(" Centre ", theme.style(Role::Title)));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let mut media: Vec<(&str, u32, f64, usize, usize)> = Vec::new();
    for r in rows {
        let k = r.media.as_str();
        let i = match media.iter().position(|x| x.0 == k) {
            Some(i) => i,
            None => {
                media.push((k, 0, 0.0, 0, 0));
                media.len() - 1
            }
        };
        let e = &mut media[i];
        e.1 += r.waiting.unwrap_or(0);
        e.2 = e.2.max(r.longest_wait_s.unwrap_or(0.0));
        e.3 += 1;
        e.4 += usize::from(r.sla.rank().unwrap_or(0) >= 3);
    }
    let by_media: Vec<Vec<Span<'static>>> = std::iter::once(vec![Span::styled("by media", dim)])
        .chain(media.iter().map(|(k, w, l, n, red)| {
            let mut v = vec![
                Span::styled(format!("{k} "), theme.style(Role::Title)),
                Span::raw(format!(
                    "{w} waiting, longest {}, {n} queue{}",
                    fmt::clock(Some(*l)),
                    if *n == 1 { "" } else { "s" }
                )),
            ];
            if *red > 0 {
                v.push(Span::styled(
                    format!(", {red} ■ RED"),
                    theme.style(Role::Breach),
                ));
            }
            v
        }))
        .collect();
    let order = board_order(rows, "", QueueSort::Risk, SortDir::Normal);
    let mut worst: Vec<Vec<Span<'static>>> = vec![vec![Span::styled("worst", dim)]];
    let mut why = None;
    for r in order.iter().filter_map(|&i| rows.get(i)).take(3) {
        if let Some(st) = r.sla.status.filter(|_| r.sla.rank().unwrap_or(0) >= 2) {
            worst.push(vec![
                Span::styled(
                    format!("{} {} ", sla_glyph(st), st.as_str()),
                    theme.sla_style(st),
                ),
                Span::raw(r.name.clone()),
            ]);
            if why.is_none() {
                why = r
                    .sla
                    .why
                    .as_ref()
                    .map(|w| format!("{}: {}", r.name, words::sla_reason(w)));
            }
        }
    }
    if worst.len() == 1 {
        worst.push(vec![Span::styled(
            "none: every queue on track",
            theme.style(Role::Ok),
        )]);
    }
    if let Some(w) = why {
        worst.push(vec![Span::styled(w, dim)]);
    }
    // Total waiting, all queues, oldest first (trends end together: each poll adds one).
    let len = rows.iter().map(|r| r.trend.len()).max().unwrap_or(0);
    let mut total = vec![0u64; len];
    for r in rows {
        let off = len - r.trend.len();
        for (i, v) in r.trend.iter().enumerate() {
            total[off + i] += u64::from(*v);
        }
    }
    let w = usize::from(inner.width);
    let total: Vec<u64> = total[total.len().saturating_sub(w)..].to_vec();
    let peak = total.iter().copied().max().unwrap_or(0);
    let lines = vec![
        fit_fields_text(by_media, "  ", inner.width),
        fit_fields_text(worst, "  ", inner.width),
        Line::styled(
            format!("waiting, all queues, last 30 min (peak {peak})"),
            dim,
        ),
    ];
    let [text, chart] = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(lines), text);
    if chart.height > 0 {
        frame.render_widget(
            Sparkline::default()
                .data(&total)
                .max(peak.max(1))
                .style(theme.style(Role::Accent)),
            chart,
        );
    }
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
