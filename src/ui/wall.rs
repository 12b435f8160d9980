//! Wall mode: a grid of queue panels that fills the screen, big digits where they fit,
//! pages that rotate when the queues do not fit, a centre summary, alarms that flash a few
//! times and then stay marked.

use globset::{GlobBuilder, GlobMatcher};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::theme::{Role, Theme, sla_glyph};
use super::{bigtext, fit_fields, fit_fields_text, fmt, words};
use crate::app::App;
use crate::app::wall::WallState;
use crate::model::levels::{AlarmCause, Level, Levels};
use crate::model::rows::{QueueFilter, QueueRow, QueueSort, SortDir, board_order};

/// The smallest panel with big digits (outer size).
pub const BIG_MIN: (u16, u16) = (32, 9);
/// The smallest panel in plain text (outer size).
pub const COMPACT_MIN: (u16, u16) = (24, 5);
/// The biggest digit scale (a 300×80 wall with a few queues).
const MAX_SCALE: u16 = 6;

/// How the panels of one page are drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelKind {
    /// Bordered, big digits for waiting and longest wait.
    Big,
    /// Bordered, three lines of text.
    Compact,
    /// One line per queue.
    Line,
}

/// A page's grid: `cols × rows` panels of one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    pub kind: PanelKind,
    pub cols: u16,
    pub rows: u16,
}

impl Plan {
    pub fn per_page(&self) -> usize {
        usize::from(self.cols) * usize::from(self.rows)
    }
}

/// The grid that shows all `n` panels of at least `min` with the biggest panels, if any does.
fn grid_for_all(w: u16, h: u16, n: usize, min: (u16, u16)) -> Option<(u16, u16)> {
    let (max_c, max_r) = (w / min.0, h / min.1);
    let mut best: Option<(f64, usize, (u16, u16))> = None;
    for c in 1..=max_c.min(n.max(1) as u16) {
        let r = n.div_ceil(usize::from(c)).max(1) as u16;
        if r > max_r {
            continue;
        }
        // How many times the minimum the smaller side of a panel is: bigger is better;
        // then fewer empty slots.
        let scale = f64::min(
            f64::from(w / c) / f64::from(min.0),
            f64::from(h / r) / f64::from(min.1),
        );
        let empty = usize::from(c) * usize::from(r) - n;
        let better =
            best.is_none_or(|(s, e, _)| scale > s + 1e-9 || (scale > s - 1e-9 && empty < e));
        if better {
            best = Some((scale, empty, (c, r)));
        }
    }
    best.map(|b| b.2)
}

/// Fit `n` queues into `w × h`: big panels if all fit, else plain panels if all fit, else
/// pages of big panels (or of plain ones, or lines, on small screens).
pub fn plan(w: u16, h: u16, n: usize) -> Plan {
    let n = n.max(1);
    if let Some((cols, rows)) = grid_for_all(w, h, n, BIG_MIN) {
        return Plan {
            kind: PanelKind::Big,
            cols,
            rows,
        };
    }
    if let Some((cols, rows)) = grid_for_all(w, h, n, COMPACT_MIN) {
        return Plan {
            kind: PanelKind::Compact,
            cols,
            rows,
        };
    }
    // Pages: big panels, unless plain ones show at least twice as many at a time.
    let big = (w / BIG_MIN.0) * (h / BIG_MIN.1);
    let compact = (w / COMPACT_MIN.0) * (h / COMPACT_MIN.1);
    if big > 0 && compact < big * 2 {
        return Plan {
            kind: PanelKind::Big,
            cols: w / BIG_MIN.0,
            rows: h / BIG_MIN.1,
        };
    }
    if compact > 0 {
        return Plan {
            kind: PanelKind::Compact,
            cols: w / COMPACT_MIN.0,
            rows: h / COMPACT_MIN.1,
        };
    }
    Plan {
        kind: PanelKind::Line,
        cols: 1,
        rows: h.max(1),
    }
}

/// One screen of the wall: its title (a named page) and its queues.
pub struct WallPage<'a> {
    pub title: Option<String>,
    pub plan: Plan,
    pub rows: Vec<&'a QueueRow>,
}

fn matcher(glob: &str) -> Option<GlobMatcher> {
    GlobBuilder::new(glob)
        .case_insensitive(true)
        .build()
        .ok()
        .map(|g| g.compile_matcher())
}

/// Every page of the wall for a grid of `w × h`, in order.
pub fn pages<'a>(app: &'a App, w: u16, h: u16) -> Vec<WallPage<'a>> {
    let filter = QueueFilter::parse(&app.nav.board.filter);
    let all: Vec<&QueueRow> = app
        .model()
        .derived()
        .queues
        .iter()
        .filter(|r| filter.matches(r))
        .collect();
    let mut groups: Vec<(Option<String>, Vec<&QueueRow>)> = Vec::new();
    let named = &app.model().config.wall.pages;
    if named.is_empty() {
        groups.push((None, all));
    } else {
        let mut placed = vec![false; all.len()];
        for p in named {
            let mut rows = Vec::new();
            for m in p.queues.iter().filter_map(|g| matcher(g)) {
                for (i, r) in all.iter().enumerate() {
                    let hit = m.is_match(&r.name) || m.is_match(&r.id);
                    if hit && !rows.iter().any(|x: &&QueueRow| std::ptr::eq(*x, *r)) {
                        rows.push(*r);
                        placed[i] = true;
                    }
                }
            }
            groups.push((Some(p.name.clone()), rows));
        }
        let rest: Vec<&QueueRow> = all
            .iter()
            .zip(&placed)
            .filter(|(_, p)| !**p)
            .map(|(r, _)| *r)
            .collect();
        groups.push((Some("Other".into()), rest));
        groups.retain(|g| !g.1.is_empty());
    }
    let mut out = Vec::new();
    for (title, rows) in groups {
        let plan = plan(w, h, rows.len());
        let chunks: Vec<Vec<&QueueRow>> = rows
            .chunks(plan.per_page().max(1))
            .map(<[_]>::to_vec)
            .collect();
        let parts = chunks.len();
        for (i, chunk) in chunks.into_iter().enumerate() {
            let title = match (&title, parts) {
                (Some(t), 1) => Some(t.clone()),
                (Some(t), _) => Some(format!("{t} {}/{parts}", i + 1)),
                (None, _) => None,
            };
            out.push(WallPage {
                title,
                plan,
                rows: chunk,
            });
        }
    }
    if out.is_empty() {
        out.push(WallPage {
            title: None,
            plan: plan(w, h, 1),
            rows: Vec::new(),
        });
    }
    out
}

/// Draw the wall over the whole of `area`.
pub fn draw(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let tall = area.height >= 24;
    let summary_h = if tall { 4 } else { 1 };
    let banner = super::offline_banner(app, theme, area.width);
    let [top, summary, banner_area, grid, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(summary_h),
        Constraint::Length(banner.len() as u16),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    frame.render_widget(Paragraph::new(banner), banner_area);
    let pages = pages(app, grid.width, grid.height);
    let n = pages.len() as i64;
    let index = app.wall.page.rem_euclid(n.max(1)) as usize;
    let page = &pages[index.min(pages.len() - 1)];

    // Top line: the board's header, then the page indicator on the right.
    let mut indicator = String::new();
    if let Some(t) = &page.title {
        indicator.push_str(t);
        indicator.push_str(" · ");
    }
    indicator.push_str(&format!("page {}/{}", index + 1, pages.len()));
    if pages.len() > 1 {
        let every = app.model().config.wall.rotate.as_secs();
        if app.nav.paused {
            indicator.push_str(" · rotation paused");
        } else {
            indicator.push_str(&format!(" · ⟳ {every}s"));
        }
    }
    let ind_w = (indicator.chars().count() as u16 + 1).min(top.width);
    let [left, right] =
        Layout::horizontal([Constraint::Min(0), Constraint::Length(ind_w)]).areas(top);
    frame.render_widget(
        Paragraph::new(super::header_top(app, theme, left.width)),
        left,
    );
    frame.render_widget(
        Paragraph::new(Line::styled(indicator, theme.style(Role::Accent)))
            .alignment(ratatui::layout::Alignment::Right),
        right,
    );

    draw_summary(frame, summary, app, theme, tall);
    if page.rows.is_empty() {
        let msg = if !app.nav.board.filter.is_empty() {
            format!(
                "no queue matches /{} — Esc on the board clears it",
                app.nav.board.filter
            )
        } else {
            "waiting for the first data…".to_string()
        };
        frame.render_widget(
            Paragraph::new(Line::styled(msg, theme.style(Role::Muted))),
            grid,
        );
    } else {
        draw_grid(frame, grid, app, theme, page);
    }
    draw_footer(frame, footer, app, theme);
}

fn draw_footer(frame: &mut Frame, area: Rect, app: &App, theme: &Theme) {
    let alarms = app.wall.alarms.len();
    let mut fields: Vec<Vec<Span>> = Vec::new();
    fields.push(vec![Span::styled(" WALL ", theme.style(Role::Title))]);
    if alarms > 0 {
        fields.push(vec![Span::styled(
            format!("⚠ {alarms} alarm{}", if alarms == 1 { "" } else { "s" }),
            theme.style(Role::Breach),
        )]);
    }
    if !app.nav.board.filter.is_empty() {
        fields.push(vec![Span::styled(
            format!("/{}", app.nav.board.filter),
            theme.style(Role::Accent),
        )]);
    }
    let long = "w board · ←→ page · p pause · ? help · q quit";
    let used: usize = fields.iter().flatten().map(Span::width).sum::<usize>() + 2 * fields.len();
    let hints = if used + long.chars().count() <= usize::from(area.width) {
        long
    } else {
        "w board · ? help"
    };
    fields.push(vec![Span::styled(hints, theme.style(Role::Muted))]);
    if app.model().config.wall.bell {
        fields.push(vec![Span::styled("bell on", theme.style(Role::Muted))]);
    }
    frame.render_widget(Paragraph::new(fit_fields(fields, "  ", area.width)), area);
}

fn draw_summary(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, boxed: bool) {
    let m = app.model();
    let t = &m.derived().totals;
    let dim = theme.style(Role::Muted);
    let strong = theme.style(Role::Title);
    let field = |label: &str, value: String| {
        vec![
            Span::styled(format!("{label} "), dim),
            Span::styled(value, strong),
        ]
    };
    let totals = vec![
        vec![Span::styled("CENTRE", strong)],
        field("waiting", fmt::opt_u32(t.waiting)),
        field("longest", fmt::clock(t.longest_wait_s)),
        field("SL today", fmt::pct(t.service_level, 0)),
        field("avail", fmt::opt_u32(t.available)),
        field("busy", fmt::opt_u32(t.busy)),
        field("ACW", fmt::opt_u32(t.acw)),
        field("away", fmt::opt_u32(t.away)),
        field("offered", fmt::opt_u64(t.offered)),
        field("abandoned", fmt::opt_u64(t.abandoned)),
    ];
    // The worst queues: the board's risk order, at most three, only the ones not green.
    let rows = &m.derived().queues;
    let order = board_order(
        rows,
        &app.nav.board.filter,
        QueueSort::Risk,
        SortDir::Normal,
    );
    let mut worst: Vec<Vec<Span>> = vec![vec![Span::styled("WORST ", strong)]];
    for r in order.iter().filter_map(|&i| rows.get(i)).take(3) {
        let Some(st) = r.sla.status else { continue };
        if r.sla.rank().unwrap_or(0) < 2 {
            continue;
        }
        worst.push(vec![
            Span::styled(
                format!("{} {} ", sla_glyph(st), st.as_str()),
                theme.sla_style(st),
            ),
            Span::raw({
                let (label, sl) = panel_sl(r);
                format!(
                    "{} {label}{} / {:.0}%",
                    r.name,
                    fmt::pct(sl, 0),
                    r.target * 100.0
                )
            }),
        ]);
    }
    if worst.len() == 1 {
        worst.push(vec![Span::styled(
            "none: every queue on track",
            theme.style(Role::Ok),
        )]);
    }
    if boxed {
        let block = Block::default().borders(Borders::ALL).border_style(dim);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let lines = vec![
            fit_fields(totals, " · ", inner.width),
            fit_fields(worst, " · ", inner.width),
        ];
        frame.render_widget(Paragraph::new(lines), inner);
    } else {
        let mut all = totals;
        all.extend(worst.into_iter().skip(1).take(1));
        frame.render_widget(Paragraph::new(fit_fields(all, " · ", area.width)), area);
    }
}

fn draw_grid(frame: &mut Frame, area: Rect, app: &App, theme: &Theme, page: &WallPage<'_>) {
    let plan = page.plan;
    if plan.kind == PanelKind::Line {
        let lines: Vec<Line> = page
            .rows
            .iter()
            .map(|r| queue_line(app, theme, r, area.width))
            .collect();
        frame.render_widget(Paragraph::new(lines), area);
        return;
    }
    let rows = Layout::vertical(vec![
        Constraint::Ratio(1, u32::from(plan.rows));
        usize::from(plan.rows)
    ])
    .split(area);
    let mut cells = Vec::new();
    for row in rows.iter() {
        let cols = Layout::horizontal(vec![
            Constraint::Ratio(1, u32::from(plan.cols));
            usize::from(plan.cols)
        ])
        .split(*row);
        cells.extend(cols.iter().copied());
    }
    for (r, cell) in page.rows.iter().zip(cells) {
        draw_panel(frame, cell, app, theme, r, plan.kind);
    }
}

fn level_style(theme: &Theme, l: Level) -> Style {
    match l {
        Level::Normal => theme.style(Role::Title),
        Level::Warn => theme.style(Role::Warn).add_modifier(Modifier::BOLD),
        Level::Breach => theme.style(Role::Breach),
    }
}

/// The glyph and word a level adds to a figure (nothing when normal), so that it reads
/// without colour.
/// `label value mark`: a figure coloured by its threshold level, with the level also said in
/// words (readable in monochrome).
fn levelled(theme: &Theme, label: &'static str, value: String, l: Level) -> Vec<Span<'static>> {
    vec![
        Span::styled(label, theme.style(Role::Muted)),
        Span::styled(value, level_style(theme, l)),
        Span::styled(level_mark(l, false), level_style(theme, l)),
    ]
}

fn level_mark(l: Level, lower_is_worse: bool) -> &'static str {
    match (l, lower_is_worse) {
        (Level::Normal, _) => "",
        (Level::Warn, false) => " ▲ HIGH",
        (Level::Warn, true) => " ▼ LOW",
        (Level::Breach, false) => " ■ OVER",
        (Level::Breach, true) => " ■ TOO FEW",
    }
}

/// `m:ss` (or `h:mm:ss`) for big digits: no unit letters in the font.
fn big_clock(s: Option<f64>) -> String {
    match s {
        Some(s) if s.is_finite() && s >= 0.0 => {
            let s = s.floor() as u64;
            if s < 3600 {
                format!("{}:{:02}", s / 60, s % 60)
            } else {
                format!("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60)
            }
        }
        _ => "—".into(),
    }
}

/// The SL a panel shows: the SLA window's (the current interval by default), judged with
/// the configured variant, with the window named ("SL 30m"); the platform's day figure only
/// when the queue has no SLA evaluation.
fn panel_sl(r: &QueueRow) -> (String, Option<f64>) {
    match r.sla.window {
        Some((crate::config::SlWindow::Minutes(m), _, _)) => {
            (format!("SL {m}m "), r.sla.current_sl)
        }
        Some((crate::config::SlWindow::Day, _, _)) => ("SL today ".into(), r.sla.current_sl),
        None => ("SL today ".into(), r.service_level),
    }
}

fn sl_spans(theme: &Theme, r: &QueueRow) -> Vec<Span<'static>> {
    let (label, sl) = panel_sl(r);
    let below = sl.is_some_and(|sl| sl < r.target);
    let style = match sl {
        Some(_) if below => theme.style(Role::Warn),
        Some(_) => theme.style(Role::Ok),
        None => Style::default(),
    };
    let mut v = vec![
        Span::styled(label, theme.style(Role::Muted)),
        Span::styled(fmt::pct(sl, 0), style.add_modifier(Modifier::BOLD)),
        Span::raw(format!(" / {:.0}%", r.target * 100.0)),
    ];
    if below {
        v.push(Span::styled(" ▼ below", style));
    }
    v
}

fn agent_spans(theme: &Theme, r: &QueueRow, lv: &Levels) -> Vec<Vec<Span<'static>>> {
    let dim = theme.style(Role::Muted);
    vec![
        vec![
            Span::styled(fmt::opt_u32(r.available), level_style(theme, lv.available)),
            Span::styled(" avail", dim),
            Span::styled(
                level_mark(lv.available, true),
                level_style(theme, lv.available),
            ),
        ],
        vec![
            Span::styled(fmt::opt_u32(r.busy), theme.style(Role::Title)),
            Span::styled(" busy", dim),
        ],
        vec![
            Span::styled(fmt::opt_u32(r.acw), Style::default()),
            Span::styled(" ACW", dim),
        ],
        vec![
            Span::styled("aband ", dim),
            Span::styled(
                fmt::pct(r.abandon_rate, 0),
                level_style(theme, lv.abandon_rate),
            ),
            Span::styled(
                level_mark(lv.abandon_rate, false),
                level_style(theme, lv.abandon_rate),
            ),
        ],
    ]
}

fn status_spans(theme: &Theme, r: &QueueRow) -> Vec<Vec<Span<'static>>> {
    let Some(st) = r.sla.status else {
        return vec![vec![Span::styled(
            "SLA — not enough data yet",
            theme.style(Role::Muted),
        )]];
    };
    let mut v = vec![vec![Span::styled(
        format!("{} {}", sla_glyph(st), st.as_str()),
        theme.sla_style(st).add_modifier(Modifier::BOLD),
    )]];
    if let Some(p) = r.sla.projected_sl {
        v.push(vec![Span::raw(format!("proj {}", fmt::pct(Some(p), 0)))]);
    }
    if let Some(b) = r.sla.breach_probability {
        v.push(vec![Span::raw(format!("risk {}", fmt::pct(Some(b), 0)))]);
    }
    if let Some(w) = &r.sla.why {
        v.push(vec![Span::styled(
            words::sla_reason(w),
            theme.style(Role::Muted),
        )]);
    }
    v
}

fn draw_panel(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    theme: &Theme,
    r: &QueueRow,
    kind: PanelKind,
) {
    let m = app.model();
    let lv = m.levels(r);
    let alarm = app.wall.alarm(&(r.source.clone(), r.id.clone()));
    let now = app.now();
    let mut title = format!(" {} ", r.name);
    if m.sources.len() > 1 {
        title = format!(" {} · {} ", r.name, r.source);
    }
    let status = match r.sla.status {
        Some(st) => Span::styled(
            format!(" {} {} ", sla_glyph(st), st.as_str()),
            theme.sla_style(st),
        ),
        None => Span::styled(" — ", theme.style(Role::Muted)),
    };
    let mut block = Block::default().borders(Borders::ALL);
    let mut title_spans = Vec::new();
    if let Some((_, cause)) = alarm {
        let why = match cause {
            AlarmCause::Red => "ALARM",
            AlarmCause::LongestWait => "ALARM · WAIT",
        };
        title_spans.push(Span::styled(format!(" ⚠ {why}"), theme.style(Role::Breach)));
        block = block
            .border_type(BorderType::Thick)
            .border_style(theme.style(Role::Breach));
    } else if r.stale {
        block = block.border_style(theme.style(Role::Stale));
    } else {
        block = block.border_type(BorderType::Rounded);
    }
    let room = area.width.saturating_sub(
        4 + status.width() as u16 + title_spans.iter().map(|s| s.width() as u16).sum::<u16>(),
    );
    title_spans.push(Span::styled(
        fmt::fit(&title, room as usize),
        theme.style(Role::Title),
    ));
    // The corner, the alarm word and the name: what flashes.
    let flash_w = 1 + title_spans.iter().map(|s| s.width() as u16).sum::<u16>();
    block = block
        .title(Line::from(title_spans))
        .title(Line::from(status).right_aligned());
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let w = inner.width;
    let stale = r.stale;
    let mut lines: Vec<Line> = Vec::new();
    match kind {
        PanelKind::Big => {
            let wait_text = fmt::opt_u32(r.waiting);
            let long_text = big_clock(r.longest_wait_s);
            let digits_h = inner.height.saturating_sub(4);
            // The biggest scale at which both figures fit side by side; waiting keeps room
            // for three digits where it can, so panels line up.
            let scale = (1..=MAX_SCALE).rev().find(|&s| {
                bigtext::height(s) <= digits_h
                    && match (bigtext::width(&wait_text, s), bigtext::width(&long_text, s)) {
                        (Some(a), Some(b)) => a + b + 2 <= w,
                        _ => false,
                    }
            });
            let left_w = match scale {
                Some(s) => {
                    let need = bigtext::width(&wait_text, s).unwrap_or(0);
                    let long = bigtext::width(&long_text, s).unwrap_or(0);
                    let room = w.saturating_sub(long + 2);
                    need.max(bigtext::width("888", s).unwrap_or(0).min(room))
                        .max(9.min(room))
                }
                None => (w * 2 / 5).max(1),
            };
            let right_w = w.saturating_sub(left_w + 1);
            let label = |text: &str, l: Level, lower: bool, width: u16| {
                let t = fmt::fit(&format!("{text}{}", level_mark(l, lower)), width as usize);
                let pad = (width as usize).saturating_sub(t.chars().count());
                Span::styled(
                    format!("{t}{}", " ".repeat(pad)),
                    level_style(theme, l).remove_modifier(Modifier::BOLD),
                )
            };
            lines.push(Line::from(vec![
                label("WAITING", lv.waiting, false, left_w),
                Span::raw(" "),
                label("LONGEST WAIT", lv.longest_wait, false, right_w),
            ]));
            match scale {
                Some(s) => {
                    let a = bigtext::render(&wait_text, s).unwrap_or_default();
                    let b = bigtext::render(&long_text, s).unwrap_or_default();
                    let ws = level_style(theme, lv.waiting);
                    let ls = level_style(theme, lv.longest_wait);
                    for (x, y) in a.iter().zip(b.iter()) {
                        let pad = (left_w as usize).saturating_sub(x.chars().count());
                        lines.push(Line::from(vec![
                            Span::styled(x.clone(), ws),
                            Span::raw(" ".repeat(pad + 1)),
                            Span::styled(y.clone(), ls),
                        ]));
                    }
                    // Centre the three text lines in what is left.
                    let used = 1 + bigtext::height(s) + 3;
                    for _ in 0..inner.height.saturating_sub(used) / 2 {
                        lines.push(Line::raw(""));
                    }
                }
                None => {
                    let a = format!("{wait_text:<width$}", width = left_w as usize);
                    lines.push(Line::from(vec![
                        Span::styled(a, level_style(theme, lv.waiting)),
                        Span::raw(" "),
                        Span::styled(
                            fmt::clock(r.longest_wait_s),
                            level_style(theme, lv.longest_wait),
                        ),
                    ]));
                }
            }
            let mut sl = vec![sl_spans(theme, r)];
            sl.push(vec![Span::styled(
                format!("ASA {}", fmt::clock(r.asa_s)),
                theme.style(Role::Muted),
            )]);
            lines.push(fit_fields(sl, "  ", w));
            lines.push(fit_fields(agent_spans(theme, r, &lv), " · ", w));
            lines.push(fit_fields_text(status_spans(theme, r), "  ", w));
        }
        PanelKind::Compact | PanelKind::Line => {
            lines.push(fit_fields(
                vec![
                    levelled(theme, "wait ", fmt::opt_u32(r.waiting), lv.waiting),
                    levelled(
                        theme,
                        "longest ",
                        fmt::clock(r.longest_wait_s),
                        lv.longest_wait,
                    ),
                ],
                "  ",
                w,
            ));
            lines.push(fit_fields(vec![sl_spans(theme, r)], "  ", w));
            lines.push(fit_fields(agent_spans(theme, r, &lv), " · ", w));
            if inner.height >= 4 {
                lines.push(fit_fields_text(status_spans(theme, r), "  ", w));
            }
        }
    }
    let mut p = Paragraph::new(lines);
    if stale {
        p = p.style(theme.style(Role::Stale));
    }
    frame.render_widget(p, inner);
    if let Some((since, _)) = alarm
        && WallState::flash_on(since, now)
    {
        // The title flashes (⚠ ALARM and the name, reversed: a bright bar across a room);
        // the whole panel would cost a hundred times the bytes on a big wall.
        let rev = Style::default().add_modifier(Modifier::REVERSED);
        let bar = Rect::new(area.x, area.y, flash_w.min(area.width), 1);
        frame.buffer_mut().set_style(bar.intersection(area), rev);
    }
}

/// One queue on one line (screens too small for panels).
fn queue_line(app: &App, theme: &Theme, r: &QueueRow, width: u16) -> Line<'static> {
    let lv = app.model().levels(r);
    let alarm = app.wall.alarm(&(r.source.clone(), r.id.clone())).is_some();
    let mut first = Vec::new();
    if alarm {
        first.push(Span::styled("⚠ ", theme.style(Role::Breach)));
    }
    first.push(Span::styled(r.name.clone(), theme.style(Role::Title)));
    let mut fields = vec![first];
    fields.extend(status_spans(theme, r).into_iter().take(1));
    fields.push(levelled(
        theme,
        "wait ",
        fmt::opt_u32(r.waiting),
        lv.waiting,
    ));
    fields.push(levelled(
        theme,
        "longest ",
        fmt::clock(r.longest_wait_s),
        lv.longest_wait,
    ));
    fields.push(sl_spans(theme, r));
    fields.extend(agent_spans(theme, r, &lv));
    fit_fields(fields, "  ", width)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_fill_the_screen() {
        // 8 queues: big panels on a big wall, plain panels when big ones do not all fit.
        assert_eq!(
            plan(300, 74, 8),
            Plan {
                kind: PanelKind::Big,
                cols: 3,
                rows: 3
            }
        );
        assert_eq!(plan(80, 18, 8).kind, PanelKind::Compact);
        // Too many for one screen: pages of big panels.
        let p = plan(80, 18, 40);
        assert_eq!((p.kind, p.per_page()), (PanelKind::Compact, 9));
        let p = plan(200, 54, 100);
        assert_eq!((p.kind, p.per_page()), (PanelKind::Compact, 80));
        let p = plan(64, 18, 20);
        assert_eq!((p.kind, p.per_page()), (PanelKind::Big, 4));
        assert_eq!(plan(30, 3, 8).kind, PanelKind::Line);
    }
}
