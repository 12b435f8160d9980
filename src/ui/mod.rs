//! Pure rendering: `draw(&App, &mut Frame)` paints the state; it never changes it.

pub mod agents;
pub mod board;
pub mod fmt;
pub mod theme;
pub mod timeline;

use chrono::{DateTime, Utc};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use crate::app::keymap::{BINDINGS, Scope};
use crate::app::{App, Page};
use crate::domain::{AgentState, SourceStatus};
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
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_header(frame, header, app, theme);
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
    if app.help {
        draw_help(frame, body, app, theme);
    }
}

/// Local wall-clock time for display.
pub fn local_hms(app: &App, t: DateTime<Utc>) -> String {
    match app.config.timezone {
        Some(tz) => t.with_timezone(&tz).format("%H:%M:%S").to_string(),
        None => t
            .with_timezone(&chrono::Local)
            .format("%H:%M:%S")
            .to_string(),
    }
}

pub fn local_day_hm(app: &App, t: DateTime<Utc>) -> String {
    match app.config.timezone {
        Some(tz) => t.with_timezone(&tz).format("%a %H:%M").to_string(),
        None => t
            .with_timezone(&chrono::Local)
            .format("%a %H:%M")
            .to_string(),
    }
}

pub fn local_hm(app: &App, t: DateTime<Utc>) -> String {
    match app.config.timezone {
        Some(tz) => t.with_timezone(&tz).format("%H:%M").to_string(),
        None => t.with_timezone(&chrono::Local).format("%H:%M").to_string(),
    }
}

fn breadcrumb(app: &App) -> String {
    let mut parts = vec!["Board".to_string()];
    for p in app.pages.iter().skip(1) {
        parts.push(match p {
            Page::Board => "Board".into(),
            Page::Queue {
                source, queue_id, ..
            } => app
                .find_queue(source, queue_id)
                .map(|q| q.name.clone())
                .unwrap_or_else(|| queue_id.clone()),
            Page::Agents { .. } => "Agents".into(),
            Page::Agent(a) => app
                .find_agent(&a.source, &a.agent_id)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| a.agent_id.clone()),
        });
    }
    parts.join(" › ")
}

fn source_badge(app: &App, s: &crate::app::SourceView, theme: &Theme) -> Vec<Span<'static>> {
    let status = app.display_status(s);
    let age = s.health.last_ok.map(|t| (app.now - t).num_seconds().max(0));
    let (word, role) = match (s.kind, status) {
        (crate::domain::SourceKind::Demo, SourceStatus::Live) => {
            ("DEMO DATA".to_string(), Role::Badge)
        }
        (_, SourceStatus::Live) => ("LIVE".to_string(), Role::Ok),
        (_, SourceStatus::Stale) => (
            format!("STALE {}", fmt::clock(age.map(|a| a as f64))),
            Role::Warn,
        ),
        (_, SourceStatus::Connecting) => ("CONNECTING".to_string(), Role::Muted),
        (_, SourceStatus::Offline) => {
            let retry = s
                .health
                .next_retry
                .map(|t| (t - app.now).num_seconds().max(0));
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
    v.push(Span::raw("  "));
    v
}

fn draw_header(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let mut top: Vec<Span> = vec![
        Span::styled("queuetop ", theme.style(Role::Title)),
        Span::styled(local_hms(app, app.now), theme.style(Role::Accent)),
        Span::raw("  "),
    ];
    for s in &app.sources {
        top.extend(source_badge(app, s, theme));
    }
    if app.paused {
        top.push(Span::styled(
            " ⏸ PAUSED — p resumes ",
            theme.style(Role::Badge),
        ));
    }
    if app.config.inline_secret_warning {
        top.push(Span::styled(
            " ⚠ inline secrets in the config file ",
            theme.style(Role::Warn),
        ));
    }
    // Centre totals over every queue: sums of what is known; unknown stays unknown.
    let mut waiting: Option<u32> = None;
    let mut longest: Option<f64> = None;
    let mut offered: Option<u64> = None;
    let mut abandoned: Option<u64> = None;
    let mut within: Option<u64> = None;
    let mut sl_den: Option<u64> = None;
    let mut states = [None::<u32>; 4];
    let add32 = |a: Option<u32>, b: Option<u32>| match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    };
    let add64 = |a: Option<u64>, b: Option<u64>| match (a, b) {
        (Some(a), Some(b)) => Some(a + b),
        (a, b) => a.or(b),
    };
    for s in &app.sources {
        let Some(snap) = &s.snapshot else { continue };
        for q in &snap.queues {
            waiting = add32(waiting, q.live.waiting);
            if let Some(w) = q.live.longest_wait_at(app.now) {
                longest = Some(longest.map_or(w, |l: f64| l.max(w)));
            }
            offered = add64(offered, q.today.offered);
            abandoned = add64(abandoned, q.today.abandoned);
            // Numerator and denominator from the same queues, or the ratio is meaningless.
            if let (Some(w), Some(a), Some(b)) = (
                q.today.answered_within_threshold,
                q.today.answered,
                q.today.abandoned,
            ) {
                within = add64(within, Some(w));
                sl_den = add64(sl_den, Some(a + b));
            }
        }
        // Agents are counted once per agent, not once per queue they serve.
        if let Some(agents) = &snap.agents {
            for a in agents {
                let i = match a.state {
                    AgentState::Available => 0,
                    AgentState::Busy => 1,
                    AgentState::AfterCallWork => 2,
                    AgentState::Unavailable | AgentState::NotResponding => 3,
                    _ => continue,
                };
                states[i] = Some(states[i].unwrap_or(0) + 1);
            }
            for st in states.iter_mut() {
                st.get_or_insert(0);
            }
        }
    }
    let sl = match (within, sl_den) {
        (Some(w), Some(d)) if d > 0 => Some(w as f64 / d as f64),
        _ => None,
    };
    let dim = theme.style(Role::Muted);
    let bottom = Line::from(vec![
        Span::styled("waiting ", dim),
        Span::styled(fmt::opt_u32(waiting), theme.style(Role::Title)),
        Span::styled("  longest ", dim),
        Span::raw(fmt::clock(longest)),
        Span::styled("  agents ", dim),
        Span::raw(format!(
            "{} avail · {} busy · {} ACW · {} away",
            fmt::opt_u32(states[0]),
            fmt::opt_u32(states[1]),
            fmt::opt_u32(states[2]),
            fmt::opt_u32(states[3])
        )),
        Span::styled("  today ", dim),
        Span::raw(format!(
            "{} offered · {} abandoned · SL {}",
            fmt::opt_u64(offered),
            fmt::opt_u64(abandoned),
            fmt::pct(sl, 0)
        )),
    ]);
    let p = Paragraph::new(vec![Line::from(top), bottom]);
    frame.render_widget(p, area);
}

fn draw_footer(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let (filter, editing) = match app.page() {
        Page::Board => (app.board.filter.as_str(), app.board.editing_filter),
        Page::Queue { table, .. } | Page::Agents { table } => {
            (table.filter.as_str(), table.editing_filter)
        }
        Page::Agent(_) => ("", false),
    };
    let line = if editing {
        Line::from(vec![
            Span::styled(" filter: ", theme.style(Role::Accent)),
            Span::raw(format!("{filter}▏")),
            Span::styled("  Enter keep · Esc clear", theme.style(Role::Muted)),
        ])
    } else {
        let mut spans = vec![Span::styled(
            format!(" {} ", breadcrumb(app)),
            theme.style(Role::Title),
        )];
        if !filter.is_empty() {
            spans.push(Span::styled(
                format!(" /{filter} "),
                theme.style(Role::Accent),
            ));
        }
        let hints = match app.page() {
            Page::Board => {
                "↑↓ select · Enter drill · s sort · / filter · a agents · p pause · ? help · q quit"
            }
            Page::Queue { .. } | Page::Agents { .. } => {
                "↑↓ select · Enter timeline · s sort · / filter · Esc back · ? help"
            }
            Page::Agent(_) => "+/- zoom · ←→ pan · 0 day · ↑↓ scroll · Esc back · ? help",
        };
        spans.push(Span::styled(format!(" {hints}"), theme.style(Role::Muted)));
        Line::from(spans)
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn draw_help(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let scope = match app.page() {
        Page::Agent(_) => Scope::Timeline,
        _ => Scope::Tables,
    };
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
