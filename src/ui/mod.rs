//! Pure rendering: `draw(&App, &mut Frame)` paints the state; it never changes it.

pub mod agents;
pub mod bigtext;
pub mod board;
pub mod fmt;
pub mod split;
pub mod theme;
pub mod timeline;
pub mod wall;
pub mod words;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::keymap::{BINDINGS, Scope};
use crate::app::{App, Page};
use crate::domain::SourceStatus;
use crate::model::SourceView;
use theme::{Role, Theme};

/// The smallest screen we draw on.
pub const MIN_W: u16 = 40;
pub const MIN_H: u16 = 10;

pub fn draw(frame: &mut Frame, app: &App, theme: &Theme) {
    let area = frame.area();
    if area.width < MIN_W || area.height < MIN_H {
        let msg = format!("terminal too small ({}×{})", area.width, area.height);
        let p = Paragraph::new(vec![
            Line::from(msg),
            Line::from(format!("need {MIN_W}×{MIN_H}")),
        ])
        .wrap(Wrap { trim: true });
        frame.render_widget(p, area);
        return;
    }
    if app.wall_shown() {
        wall::draw(frame, area, app, theme);
        if app.nav.help {
            draw_help(frame, area, app, theme);
        }
        return;
    }
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, header, app, theme);
    let banner = offline_banner(app, theme, body.width);
    let body = if banner.is_empty() {
        body
    } else {
        let [b, rest] =
            Layout::vertical([Constraint::Length(banner.len() as u16), Constraint::Min(1)])
                .areas(body);
        frame.render_widget(Paragraph::new(banner), b);
        rest
    };
    match app.page() {
        Page::Board => board::draw(frame, body, app, theme),
        Page::Queue {
            source,
            queue_id,
            table,
        } => agents::draw_queue(frame, body, app, theme, source, queue_id, table),
        Page::Agents { table } => agents::draw_agents(frame, body, app, theme, table),
        Page::Agent(p) => timeline::draw(frame, body, app, theme, p),
    }
    draw_footer(frame, footer, app, theme);
    if app.nav.help {
        draw_help(frame, body, app, theme);
    }
}

/// `t` as local wall-clock time: in `tz`, or the machine's zone when `None`.
fn local(tz: Option<Tz>, t: DateTime<Utc>, pattern: &str) -> String {
    match tz {
        Some(tz) => t.with_timezone(&tz).format(pattern).to_string(),
        None => t.with_timezone(&chrono::Local).format(pattern).to_string(),
    }
}

/// Local wall-clock time for display.
pub fn local_hms(tz: Option<Tz>, t: DateTime<Utc>) -> String {
    local(tz, t, "%H:%M:%S")
}

pub fn local_day_hm(tz: Option<Tz>, t: DateTime<Utc>) -> String {
    local(tz, t, "%a %H:%M")
}

pub fn local_hm(tz: Option<Tz>, t: DateTime<Utc>) -> String {
    local(tz, t, "%H:%M")
}

fn breadcrumb(app: &App) -> String {
    let mut parts = vec!["Board".to_string()];
    for p in app.nav.pages.iter().skip(1) {
        parts.push(match p {
            Page::Board => "Board".into(),
            Page::Queue {
                source, queue_id, ..
            } => app
                .model()
                .find_queue(source, queue_id)
                .map(|q| q.name.clone())
                .unwrap_or_else(|| queue_id.clone()),
            Page::Agents { .. } => "Agents".into(),
            Page::Agent(a) => app
                .model()
                .find_agent(&a.source, &a.agent_id)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| a.agent_id.clone()),
        });
    }
    parts.join(" › ")
}

fn source_badge(app: &App, s: &SourceView, theme: &Theme) -> Vec<Span<'static>> {
    let now = app.now();
    let status = app.model().display_status(s);
    let age = s.health.last_ok.map(|t| (now - t).num_seconds().max(0));
    let (word, role) = match (s.kind, status) {
        (crate::domain::SourceKind::Demo, SourceStatus::Live) => {
            ("DEMO DATA".to_string(), Role::Badge)
        }
        (_, SourceStatus::Live) => (
            match s.health.mode {
                // Pushed: the age of the newest pushed change (none yet: a quiet centre).
                Some(m @ crate::domain::FeedMode::Push { newest_event }) => match newest_event {
                    Some(t) => format!("LIVE · {} {}s", m.word(), (now - t).num_seconds().max(0)),
                    None => format!("LIVE · {}", m.word()),
                },
                Some(m) => format!("LIVE · {}", m.word()),
                None => "LIVE".to_string(),
            },
            Role::Ok,
        ),
        (_, SourceStatus::Stale) => (
            format!("STALE {}", fmt::clock(age.map(|a| a as f64))),
            Role::Warn,
        ),
        (_, SourceStatus::Connecting) => ("CONNECTING".to_string(), Role::Muted),
        (_, SourceStatus::Offline) => {
            let retry = s.health.next_retry.map(|t| (t - now).num_seconds().max(0));
            match retry {
                Some(r) => (format!("OFFLINE · retry {r}s"), Role::Breach),
                None => ("OFFLINE".to_string(), Role::Breach),
            }
        }
        (_, SourceStatus::Error) => ("ERROR".to_string(), Role::Breach),
    };
    let mut v = vec![
        Span::raw(format!("{} ", s.name)),
        Span::styled(format!(" {word} "), theme.style(role)),
    ];
    if s.kind == crate::domain::SourceKind::Demo && status != SourceStatus::Live {
        v[1] = Span::styled(format!(" DEMO DATA · {word} "), theme.style(Role::Badge));
    }
    v
}

/// Sources that cannot deliver, and why, in the source's own words (never only in the log).
pub fn offline_banner(app: &App, theme: &Theme, width: u16) -> Vec<Line<'static>> {
    let m = app.model();
    m.sources
        .iter()
        .filter(|s| {
            matches!(
                m.display_status(s),
                SourceStatus::Offline | SourceStatus::Error | SourceStatus::Stale
            )
        })
        .filter_map(|s| {
            let why = s.health.error.as_deref()?;
            let why = crate::domain::text::printable(why).into_owned();
            Some(fit_fields_text(
                vec![
                    vec![Span::styled(
                        format!(
                            " ⚠ {} {} ",
                            s.name,
                            m.display_status(s).as_str().to_uppercase()
                        ),
                        theme.style(Role::Breach),
                    )],
                    vec![Span::raw(why)],
                ],
                " ",
                width,
            ))
        })
        .take(2)
        .collect()
}

/// `spans` cut to `width` columns, the last one ending in `…`.
fn elide_spans(spans: Vec<Span<'static>>, width: usize) -> Vec<Span<'static>> {
    let total: usize = spans.iter().map(Span::width).sum();
    if total <= width {
        return spans;
    }
    let mut out = Vec::new();
    let mut left = width;
    for s in spans {
        let w = s.width();
        if w < left {
            left -= w;
            out.push(s);
        } else {
            out.push(Span::styled(fmt::fit(&s.content, left), s.style));
            break;
        }
    }
    out
}

/// Whole fields, in order, while they fit in `width` (joined by `sep`); the first field
/// that does not fit and every one after it are dropped, so a number is never cut. Only a
/// first field too wide on its own (a name) is cut, with `…`.
pub fn fit_fields(fields: Vec<Vec<Span<'static>>>, sep: &str, width: u16) -> Line<'static> {
    fit_fields_inner(fields, sep, width, false)
}

/// As [`fit_fields`], but the last field (words, not a number) may end in `…` when at
/// least a few columns are left for it.
pub fn fit_fields_text(fields: Vec<Vec<Span<'static>>>, sep: &str, width: u16) -> Line<'static> {
    fit_fields_inner(fields, sep, width, true)
}

fn fit_fields_inner(
    fields: Vec<Vec<Span<'static>>>,
    sep: &str,
    width: u16,
    elide_last: bool,
) -> Line<'static> {
    let width = usize::from(width);
    let sep_w = unicode_width::UnicodeWidthStr::width(sep);
    let n = fields.len();
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut used = 0usize;
    for (i, f) in fields.into_iter().enumerate() {
        let w: usize = f.iter().map(Span::width).sum();
        let gap = if i == 0 { 0 } else { sep_w };
        if used + gap + w <= width {
            if i > 0 {
                out.push(Span::raw(sep.to_string()));
            }
            out.extend(f);
            used += gap + w;
            continue;
        }
        let room = width.saturating_sub(used + gap);
        if i == 0 {
            out.extend(elide_spans(f, width));
        } else if elide_last && i == n - 1 && room >= 6 {
            out.push(Span::raw(sep.to_string()));
            out.extend(elide_spans(f, room));
        }
        break;
    }
    Line::from(out)
}

/// The first header line, as whole fields: name and clock, each source's badge, pause and
/// warnings.
pub fn header_fields(app: &App, theme: &Theme) -> Vec<Vec<Span<'static>>> {
    let m = app.model();
    let mut top: Vec<Vec<Span>> = vec![vec![
        Span::styled("queuetop ", theme.style(Role::Title)),
        Span::styled(
            local_hms(m.config.timezone, m.now()),
            theme.style(Role::Accent),
        ),
    ]];
    if app.nav.paused {
        top.push(vec![Span::styled(
            " ⏸ PAUSED — p resumes ",
            theme.style(Role::Badge),
        )]);
    }
    for s in &m.sources {
        top.push(source_badge(app, s, theme));
    }
    if m.config.inline_secret_warning {
        top.push(vec![Span::styled(
            " ⚠ inline secrets in the config file ",
            theme.style(Role::Warn),
        )]);
    }
    top
}

/// The first header line cut to `width` (whole fields).
pub fn header_top(app: &App, theme: &Theme, width: u16) -> Line<'static> {
    fit_fields(header_fields(app, theme), "  ", width)
}

fn draw_header(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let m = app.model();
    let top = header_top(app, theme, area.width);
    let t = &m.derived().totals;
    let dim = theme.style(Role::Muted);
    let field = |label: &str, value: String, after: &str| {
        let mut v = Vec::new();
        if !label.is_empty() {
            v.push(Span::styled(format!("{label} "), dim));
        }
        v.push(Span::styled(value, theme.style(Role::Title)));
        if !after.is_empty() {
            v.push(Span::styled(format!(" {after}"), dim));
        }
        v
    };
    // Whole fields in the order they are given up when narrow (Avail before ACW).
    let bottom = fit_fields(
        vec![
            field("waiting", fmt::opt_u32(t.waiting), ""),
            field("longest", fmt::clock(t.longest_wait_s), ""),
            field("", fmt::opt_u32(t.available), "avail"),
            field("", fmt::opt_u32(t.busy), "busy"),
            field("SL", fmt::pct(t.service_level, 0), "today"),
            field("", fmt::opt_u32(t.acw), "ACW"),
            field("", fmt::opt_u32(t.away), "away"),
            field("", fmt::opt_u64(t.offered), "offered"),
            field("", fmt::opt_u64(t.abandoned), "abandoned"),
        ],
        "  ",
        area.width,
    );
    let p = Paragraph::new(vec![top, bottom]);
    frame.render_widget(p, area);
}

fn draw_footer(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let (filter, editing) = app
        .nav
        .table()
        .map_or(("", false), |t| (t.filter.as_str(), t.editing_filter));
    let line = if editing {
        Line::from(vec![
            Span::styled(" filter: ", theme.style(Role::Accent)),
            Span::raw(format!("{filter}▏")),
            Span::styled("  Enter keep · Esc clear", theme.style(Role::Muted)),
        ])
    } else {
        let mut fields = vec![vec![Span::styled(
            format!(" {}", breadcrumb(app)),
            theme.style(Role::Title),
        )]];
        if !filter.is_empty() {
            fields.push(vec![Span::styled(
                format!("/{filter}"),
                theme.style(Role::Accent),
            )]);
        }
        // Most needed first: what does not fit is left out whole, from the end.
        let hints: &[&str] = match app.page() {
            Page::Board => &[
                "↑↓ select",
                "Enter drill",
                "? help",
                "/ filter",
                "s sort",
                "w wall",
                "a agents",
                "p pause",
                "q quit",
            ],
            Page::Queue { .. } | Page::Agents { .. } => &[
                "↑↓ select",
                "Enter timeline",
                "Esc back",
                "? help",
                "/ filter",
                "s sort",
            ],
            Page::Agent(_) => &[
                "+/- zoom",
                "Esc back",
                "? help",
                "←→ pan",
                "0 day",
                "↑↓ scroll",
            ],
        };
        fields.extend(
            hints
                .iter()
                .map(|h| vec![Span::styled(h.to_string(), theme.style(Role::Muted))]),
        );
        fit_fields(fields, " · ", area.width)
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_help(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let scope = app.scope();
    let mut lines = vec![
        Line::styled("Keys on this page", theme.style(Role::Title)),
        Line::raw(""),
    ];
    let mut seen: Vec<(&str, &str)> = Vec::new();
    for b in BINDINGS
        .iter()
        .filter(|b| b.scope == scope || b.scope == Scope::Everywhere)
    {
        if seen.contains(&(b.label, b.help)) {
            continue;
        }
        seen.push((b.label, b.help));
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<8}", b.label), theme.style(Role::Accent)),
            Span::raw(b.help),
        ]));
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        "  any key closes this help",
        theme.style(Role::Muted),
    ));
    let h = (lines.len() as u16 + 2).min(area.height);
    let w = 56.min(area.width);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" help ")
        .border_style(Style::default());
    frame.render_widget(Paragraph::new(lines).block(block), rect);
}
