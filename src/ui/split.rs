//! An agent's handle-time split today, in words: the agent page's `Today` line and the
//! `history --format table` line. Unknown figures are `—`; shares are of the known parts.

use ratatui::text::{Line, Span};

use super::fmt;
use super::theme::{Role, Theme};
use crate::domain::HandleSplit;
use crate::model::SplitEntry;

/// What the line starts with.
pub const LABEL: &str = "Today";

/// `handled 27`, `talk 2h20m (82%)`, `hold 4m (2%)`, `ACW 21m (12%)`; `—` where unknown.
pub fn fields(s: &HandleSplit) -> Vec<String> {
    let part = |name: &str, d: Option<std::time::Duration>| match d {
        None => format!("{name} {}", fmt::UNKNOWN),
        Some(d) => match s.share(Some(d)) {
            Some(f) => format!(
                "{name} {} ({})",
                fmt::hours_minutes(d.as_secs_f64()),
                fmt::pct(Some(f), 0)
            ),
            None => format!("{name} {}", fmt::hours_minutes(d.as_secs_f64())),
        },
    };
    vec![
        format!("handled {}", fmt::opt_u64(s.handled)),
        part("talk", s.talk),
        part("hold", s.hold),
        part("ACW", s.acw),
    ]
}

/// What was not believed, in words, or `None`.
pub fn doubts(s: &HandleSplit) -> Option<String> {
    (!s.doubts.is_empty()).then(|| format!("⚠ not believed: {}", s.doubts.join("; ")))
}

/// The whole split as one line of text (`history --format table`).
pub fn text(s: &HandleSplit) -> String {
    let mut out = format!("{LABEL}  {}", fields(s).join(" · "));
    if let Some(d) = doubts(s) {
        out.push_str(&format!("  {d}"));
    }
    out
}

/// The agent page's line: the split (the newest fetched while a refresh runs), or why
/// there is none; fields that do not fit in `width` are left out and marked `…`.
pub fn line(entry: Option<&SplitEntry>, theme: &Theme, width: u16) -> Line<'static> {
    let dim = theme.style(Role::Muted);
    let mut out: Vec<Vec<Span<'static>>> = vec![vec![Span::styled(
        format!("{LABEL} "),
        theme.style(Role::Title),
    )]];
    let unknown = |out: &mut Vec<Vec<Span<'static>>>| {
        for f in ["handled", "talk", "hold", "ACW"] {
            out.push(vec![Span::styled(format!("{f} {}", fmt::UNKNOWN), dim)]);
        }
    };
    let mut words_last = true;
    match entry.and_then(SplitEntry::shown) {
        Some(s) => {
            words_last = false;
            out.extend(fields(s).into_iter().map(|f| vec![Span::raw(f)]));
            if let Some(d) = doubts(s) {
                out.push(vec![Span::styled(d, theme.style(Role::Breach))]);
                words_last = true;
            }
            if let Some(SplitEntry::Failed { error, .. }) = entry {
                words_last = true;
                out.push(vec![Span::styled(
                    format!("refresh failed: {error}"),
                    theme.style(Role::Breach),
                )]);
            }
        }
        None => match entry {
            Some(SplitEntry::Failed { error, .. }) => {
                unknown(&mut out);
                out.push(vec![Span::styled(
                    format!("unavailable: {error}"),
                    theme.style(Role::Breach),
                )]);
            }
            _ => out.push(vec![Span::styled("loading…", theme.style(Role::Accent))]),
        },
    }
    fit_marked(out, width, words_last)
}

/// The label and the fields joined (` ` after the label, ` · ` between fields) while they
/// fit in `width`; when some do not, the line ends in `…` (with `words_last`, the last
/// field — words, not a number — is cut with `…` instead when a few columns are left).
fn fit_marked(fields: Vec<Vec<Span<'static>>>, width: u16, words_last: bool) -> Line<'static> {
    const SEP: &str = " · ";
    const MORE: &str = " …";
    let width = usize::from(width);
    let w = |f: &Vec<Span<'static>>| f.iter().map(Span::width).sum::<usize>();
    let gap = |i: usize| match i {
        0 => 0,
        1 => 1,
        _ => SEP.chars().count(),
    };
    let total: usize = fields.iter().enumerate().map(|(i, f)| gap(i) + w(f)).sum();
    let n = fields.len();
    let mut out: Vec<Span<'static>> = Vec::new();
    let mut used = 0;
    for (i, f) in fields.into_iter().enumerate() {
        let sep = match i {
            0 => "",
            1 => " ",
            _ => SEP,
        };
        let fw = w(&f);
        let reserve = if total <= width || i + 1 == n { 0 } else { 2 };
        if used + gap(i) + fw + reserve <= width {
            out.push(Span::raw(sep));
            out.extend(f);
            used += gap(i) + fw;
            continue;
        }
        let room = width.saturating_sub(used + gap(i));
        if words_last && i + 1 == n && room >= 6 {
            out.push(Span::raw(sep));
            let mut left = room;
            for s in f {
                let sw = s.width();
                if sw < left {
                    left -= sw;
                    out.push(s);
                } else {
                    out.push(Span::styled(fmt::fit(&s.content, left), s.style));
                    break;
                }
            }
        } else if used + MORE.chars().count() <= width {
            out.push(Span::raw(MORE));
        }
        break;
    }
    Line::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn split() -> HandleSplit {
        let t = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        HandleSplit {
            from: t,
            fetched_at: t,
            handled: Some(27),
            talk: Some(Duration::from_secs(8_403)),
            hold: Some(Duration::from_secs(240)),
            acw: Some(Duration::from_secs(1_266)),
            doubts: vec![],
        }
    }

    fn shown(l: &Line) -> String {
        l.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn the_line_reads_like_the_issue() {
        let s = split();
        assert_eq!(
            text(&s),
            "Today  handled 27 · talk 2h20m (85%) · hold 4m (2%) · ACW 21m (13%)"
        );
        let e = SplitEntry::Loaded(s);
        let l = line(Some(&e), &Theme::MONO, 120);
        assert_eq!(
            shown(&l),
            "Today  handled 27 · talk 2h20m (85%) · hold 4m (2%) · ACW 21m (13%)"
        );
    }

    #[test]
    fn unknown_parts_are_dashes_and_shares_are_of_the_known() {
        let mut s = split();
        s.hold = None;
        s.handled = None;
        assert_eq!(
            text(&s),
            "Today  handled — · talk 2h20m (87%) · hold — · ACW 21m (13%)"
        );
        s.doubts = vec!["handled -3".into()];
        assert!(
            text(&s).ends_with("⚠ not believed: handled -3"),
            "{}",
            text(&s)
        );
    }

    #[test]
    fn narrow_lines_drop_whole_fields_and_say_so() {
        let e = SplitEntry::Loaded(split());
        for w in [20u16, 40, 60] {
            let s = shown(&line(Some(&e), &Theme::MONO, w));
            assert!(s.chars().count() <= usize::from(w), "{w}: {s}");
            assert!(s.ends_with(" …"), "{w}: {s}");
            assert!(!s.contains("(8…"), "no number is cut: {s}");
        }
        assert_eq!(
            shown(&line(Some(&e), &Theme::MONO, 40)),
            "Today  handled 27 · talk 2h20m (85%) …"
        );
    }

    #[test]
    fn a_failure_shows_dashes_and_the_reason_and_keeps_an_older_split() {
        let e = SplitEntry::Failed {
            error: "HTTP 500 from the platform".into(),
            previous: None,
        };
        let s = shown(&line(Some(&e), &Theme::MONO, 200));
        assert_eq!(
            s,
            "Today  handled — · talk — · hold — · ACW — · unavailable: HTTP 500 from the platform"
        );
        let s = shown(&line(Some(&e), &Theme::MONO, 60));
        assert!(s.ends_with('…') && s.chars().count() <= 60, "{s}");
        let e = SplitEntry::Failed {
            error: "timeout".into(),
            previous: Some(split()),
        };
        let s = shown(&line(Some(&e), &Theme::MONO, 200));
        assert!(
            s.contains("talk 2h20m") && s.ends_with("refresh failed: timeout"),
            "{s}"
        );
        let s = shown(&line(
            Some(&SplitEntry::Loading { previous: None }),
            &Theme::MONO,
            80,
        ));
        assert_eq!(s, "Today  loading…");
    }
}
