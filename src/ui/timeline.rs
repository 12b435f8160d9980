//! The agent page: today's handle-time split, a 24 h timeline band, totals per state, and
//! the list of segments.

use chrono::{DateTime, Duration, Timelike, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

use super::fmt;
use super::theme::{Role, Theme, state_fill, state_glyph};
use crate::app::{AgentPage, App, HistoryEntry, ZOOMS_H};
use crate::domain::spans::{dominant, totals};
use crate::domain::{AgentState, StateSpan};

pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, page: &AgentPage) {
    let m = app.model();
    let now = m.now();
    let tz = m.config.timezone;
    let dim = theme.style(Role::Muted);
    let agent = m.find_agent(&page.source, &page.agent_id);
    let name = agent
        .map(|a| a.name.clone())
        .unwrap_or_else(|| page.agent_id.clone());
    let mut head: Vec<Vec<Span<'static>>> =
        vec![vec![Span::styled(name, theme.style(Role::Title))]];
    if let Some(a) = agent {
        head.push(vec![Span::styled(
            format!("{} {}", state_glyph(a.state), a.state.label()),
            theme.state_style(a.state),
        )]);
        if let Some(r) = super::words::reason_beside(a.state, a.reason.as_deref()) {
            head.push(vec![Span::styled(format!("· {r}"), dim)]);
        }
        let tis = crate::model::rows::time_in_state(a, now);
        head.push(vec![Span::raw(format!("· {}", fmt::clock(tis)))]);
        if let Some(c) = &a.contact {
            // "on Billing (voice)": the queue's name where the source knows the queue.
            let queue = c.queue_id.as_deref().map(|id| {
                m.find_queue(&page.source, id)
                    .map(|q| q.name.clone())
                    .unwrap_or_else(|| id.to_string())
            });
            let what = match (queue, c.media) {
                (Some(q), Some(md)) => format!("· on {q} ({})", md.as_str()),
                (Some(q), None) => format!("· on {q}"),
                (None, Some(md)) => format!("· on a {} contact", md.as_str()),
                (None, None) => String::new(),
            };
            if !what.is_empty() {
                head.push(vec![Span::styled(what, theme.style(Role::Accent))]);
            }
        }
        if let Some(t) = &a.team {
            head.push(vec![Span::styled(format!("· team {t}"), dim)]);
        }
    }
    let entry = m.history.get(&(page.source.clone(), page.agent_id.clone()));
    let spans = m.agent_timeline(&page.source, &page.agent_id);
    let (status_text, status_role) = match entry {
        None | Some(HistoryEntry::Loading { .. }) => ("loading history…".to_string(), Role::Accent),
        Some(HistoryEntry::Failed {
            error,
            retry_at,
            previous,
        }) if !error.is_empty() => {
            let secs = (*retry_at - now).num_seconds().max(0);
            let what = if previous.is_some() {
                "refresh failed"
            } else {
                "history unavailable"
            };
            (
                format!("{what}: {error} — retrying in {secs}s"),
                Role::Breach,
            )
        }
        Some(HistoryEntry::Failed { .. }) => ("refreshing…".to_string(), Role::Muted),
        Some(HistoryEntry::Loaded(h)) => (
            format!("fetched {}s ago", (now - h.fetched_at).num_seconds().max(0)),
            Role::Muted,
        ),
    };
    head.push(vec![Span::styled(
        format!("  {status_text}"),
        theme.style(status_role),
    )]);

    let (from, to) = page.view_window(now);
    let zoom = format!(
        "{}h view {} – {}",
        ZOOMS_H[page.zoom],
        super::local_day_hm(tz, from),
        super::local_day_hm(tz, to)
    );
    let [h1, today, band, ticks, legend, _, rest] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    frame.render_widget(
        Paragraph::new(super::fit_fields_text(head, " ", h1.width)),
        h1,
    );
    let split = m.splits.get(&(page.source.clone(), page.agent_id.clone()));
    frame.render_widget(
        Paragraph::new(super::split::line(split, theme, today.width)),
        today,
    );
    let Some(spans) = spans else {
        frame.render_widget(Paragraph::new(Line::styled("  …", dim)), band);
        return;
    };
    let cells = band_cells(&spans, from, to, band.width as usize);
    let band_line: Line = Line::from(
        cells
            .iter()
            .map(|c| match c {
                Some(st) => Span::styled(state_fill(*st).to_string(), theme.state_style(*st)),
                None => Span::raw(" "),
            })
            .collect::<Vec<_>>(),
    );
    frame.render_widget(Paragraph::new(vec![band_line.clone(), band_line]), band);
    frame.render_widget(
        Paragraph::new(Line::styled(
            tick_line(tz, from, to, ticks.width as usize),
            dim,
        )),
        ticks,
    );
    let mut leg: Vec<Vec<Span<'static>>> = vec![vec![Span::styled(
        if legend.width >= 80 {
            zoom
        } else {
            format!("{}h", ZOOMS_H[page.zoom])
        },
        theme.style(Role::Accent),
    )]];
    for st in AgentState::ALL {
        leg.push(vec![
            Span::styled(state_fill(st).to_string(), theme.state_style(st)),
            Span::raw(st.label()),
        ]);
    }
    frame.render_widget(
        Paragraph::new(super::fit_fields(leg, " ", legend.width)),
        legend,
    );

    // Totals (of the visible window) beside the list of segments.
    let visible = crate::domain::spans::normalise(&spans, from, to);
    let tot = totals(&visible);
    let window_s = (to - from).num_milliseconds() as f64 / 1000.0;
    let wide = rest.width >= 90;
    let (tot_area, list_area) = if wide {
        let [a, b] = Layout::horizontal([Constraint::Length(34), Constraint::Min(40)]).areas(rest);
        (a, b)
    } else {
        let n = tot.len() as u16 + 2;
        let [a, b] = Layout::vertical([
            Constraint::Length(n.min(rest.height / 2)),
            Constraint::Min(1),
        ])
        .areas(rest);
        (a, b)
    };
    let mut tl = vec![Line::styled("Totals in view", theme.style(Role::Title))];
    for (st, secs) in &tot {
        tl.push(Line::from(vec![
            Span::styled(
                format!("{} {:<15}", state_glyph(*st), st.label()),
                theme.state_style(*st),
            ),
            Span::raw(format!(
                "{:>9} {:>6}",
                fmt::span_len(*secs),
                fmt::pct(Some(secs / window_s), 1)
            )),
        ]));
    }
    tl.push(Line::styled(
        format!(
            "{:<17}{:>9} {:>6}",
            "  window",
            fmt::span_len(window_s),
            "100%"
        ),
        dim,
    ));
    frame.render_widget(Paragraph::new(tl), tot_area);

    // Segments, newest first, scrolled by ↑/↓.
    let mut segs: Vec<&StateSpan> = visible.iter().collect();
    segs.reverse();
    let scroll = page.scroll.min(segs.len().saturating_sub(1));
    // Narrow: the end time goes first (the next row's start says it), then the reason.
    let w = list_area.width;
    let (show_end, show_reason) = (w >= 52, w >= 43);
    let mut titles = vec!["Start"];
    let mut widths = vec![Constraint::Length(8)];
    if show_end {
        titles.push("End");
        widths.push(Constraint::Length(8));
    }
    titles.extend(["Duration", "State"]);
    widths.extend([Constraint::Length(8), Constraint::Length(16)]);
    if show_reason {
        titles.push("Reason");
        widths.push(Constraint::Min(8));
    }
    let header = Row::new(titles).style(theme.style(Role::Title));
    let rows = segs.iter().skip(scroll).map(|s| {
        let open = s.end >= now - Duration::seconds(1) && page.pan_back.is_zero();
        let mut cells = vec![Cell::from(super::local_hms(tz, s.start))];
        if show_end {
            cells.push(Cell::from(if open {
                "now".to_string()
            } else {
                super::local_hms(tz, s.end)
            }));
        }
        cells.push(Cell::from(fmt::span_len(
            (s.end - s.start).num_milliseconds() as f64 / 1000.0,
        )));
        cells.push(
            Cell::from(format!("{} {}", state_glyph(s.state), s.state.label()))
                .style(theme.state_style(s.state)),
        );
        if show_reason {
            cells.push(Cell::from(
                super::words::reason_beside(s.state, s.reason.as_deref())
                    .unwrap_or_default()
                    .to_string(),
            ));
        }
        Row::new(cells)
    });
    let t = Table::new(rows, widths).header(header).column_spacing(1);
    frame.render_widget(t, list_area);
}

/// The dominant state of each of `width` equal slices of `[from, to)`.
pub fn band_cells(
    spans: &[StateSpan],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    width: usize,
) -> Vec<Option<AgentState>> {
    if width == 0 || to <= from {
        return Vec::new();
    }
    let total = (to - from).num_milliseconds();
    (0..width)
        .map(|i| {
            let a = from + Duration::milliseconds(total * i as i64 / width as i64);
            let b = from + Duration::milliseconds(total * (i as i64 + 1) / width as i64);
            dominant(spans, a, b)
        })
        .collect()
}

/// Time labels under the band (`|14:00`), placed where each falls: every 10 minutes on
/// the 1 h view, up to every 6 hours on a narrow 24 h view, as many as fit without
/// touching; a label that would not fit whole is left out, never clipped.
fn tick_line(
    tz: Option<chrono_tz::Tz>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    width: usize,
) -> String {
    let mut line = vec![' '; width];
    if width == 0 || to <= from {
        return String::new();
    }
    const LABEL: usize = 6; // "|14:00"
    let span_min = (to - from).num_minutes().max(1) as usize;
    let step = [10usize, 15, 30, 60, 120, 180, 360, 720]
        .into_iter()
        .find(|s| span_min.div_ceil(*s) * (LABEL + 2) <= width)
        .unwrap_or(720);
    let total = (to - from).num_milliseconds() as f64;
    // Walk five-minute marks (every zone's offset is a multiple of them) and label those
    // whose local time is a multiple of the step.
    let mut t = from
        .with_second(0)
        .and_then(|x| x.with_nanosecond(0))
        .unwrap_or(from);
    t += Duration::minutes(i64::from(5 - t.minute() % 5));
    while t < to {
        let label = super::local_hm(tz, t);
        let minutes = label
            .split_once(':')
            .and_then(|(h, m)| Some(h.parse::<usize>().ok()? * 60 + m.parse::<usize>().ok()?));
        if minutes.is_some_and(|m| m % step == 0) {
            let x = (((t - from).num_milliseconds() as f64 / total) * width as f64) as usize;
            let n = label.chars().count() + 1;
            if x + n <= width
                && line[x..x + n].iter().all(|c| *c == ' ')
                && (x == 0 || line[x - 1] == ' ')
            {
                line[x] = '|';
                for (i, ch) in label.chars().enumerate() {
                    line[x + 1 + i] = ch;
                }
            }
        }
        t += Duration::minutes(5);
    }
    line.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn sp(a: i64, b: i64, st: AgentState) -> StateSpan {
        let t = |s: i64| Utc.timestamp_opt(1_700_000_000 + s, 0).unwrap();
        StateSpan {
            start: t(a),
            end: t(b),
            state: st,
            reason: None,
        }
    }

    #[test]
    fn a_span_shorter_than_a_cell_still_counts_exactly() {
        // 24 h over 40 cells = 36 min per cell; a 7-second not-responding blip.
        let day = 86_400;
        let spans = vec![
            sp(0, 40_000, AgentState::Available),
            sp(40_000, 40_007, AgentState::NotResponding),
            sp(40_007, day, AgentState::Busy),
        ];
        let from = spans[0].start;
        let to = spans[2].end;
        let cells = band_cells(&spans, from, to, 40);
        assert_eq!(cells.len(), 40);
        assert!(
            !cells.contains(&Some(AgentState::NotResponding)),
            "too short to win a cell"
        );
        let clean = crate::domain::spans::normalise(&spans, from, to);
        let t = totals(&clean);
        assert_eq!(t.get(&AgentState::NotResponding), Some(&7.0));
        assert_eq!(t.values().sum::<f64>(), day as f64);
    }

    #[test]
    fn band_cells_take_the_dominant_state() {
        let spans = vec![
            sp(0, 50, AgentState::Busy),
            sp(50, 60, AgentState::Available),
        ];
        let cells = band_cells(&spans, spans[0].start, spans[1].end, 3);
        assert_eq!(
            cells,
            vec![
                Some(AgentState::Busy),
                Some(AgentState::Busy),
                Some(AgentState::Available)
            ]
        );
        assert!(band_cells(&spans, spans[1].end, spans[0].start, 3).is_empty());
    }
}
