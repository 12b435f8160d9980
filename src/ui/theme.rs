//! Semantic colours. Colour is never the only signal: every role is paired with a glyph or
//! a word where it is used. `NO_COLOR` (or a mono terminal) gets the same screens in
//! bold/dim/reverse only.

use ratatui::style::{Color, Modifier, Style};

use crate::domain::AgentState;
use crate::model::sla::SlaStatus;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Ok,
    Warn,
    Breach,
    Stale,
    Muted,
    Accent,
    Title,
    Selected,
    Badge,
}

/// How many colours the terminal shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// None (`NO_COLOR`, `TERM=dumb`): bold, dim, underline and reverse only.
    Mono,
    /// The 16 ANSI colours (the Linux console, plain xterm).
    Ansi16,
    /// The xterm 256-colour palette.
    Indexed256,
    /// 24-bit colour (`COLORTERM=truecolor`).
    TrueColor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
    pub depth: Depth,
}

impl Theme {
    pub const COLOR: Theme = Theme {
        color: true,
        depth: Depth::Ansi16,
    };
    pub const MONO: Theme = Theme {
        color: false,
        depth: Depth::Mono,
    };

    pub fn with_depth(depth: Depth) -> Theme {
        Theme {
            color: depth != Depth::Mono,
            depth,
        }
    }

    /// From the environment: `NO_COLOR` (https://no-color.org), then `TERM` and `COLORTERM`.
    pub fn from_env() -> Theme {
        let var = |k: &str| std::env::var(k).ok();
        Theme::with_depth(Theme::detect(
            var("NO_COLOR").as_deref(),
            var("TERM").as_deref(),
            var("COLORTERM").as_deref(),
        ))
    }

    /// The colour depth for these variables: `NO_COLOR` set and not empty, or `TERM=dumb`
    /// (or none): mono; `COLORTERM=truecolor|24bit`: 24-bit; a `TERM` naming 256 colours:
    /// 256; `linux` and everything else: 16.
    pub fn detect(no_color: Option<&str>, term: Option<&str>, colorterm: Option<&str>) -> Depth {
        if no_color.is_some_and(|v| !v.is_empty()) {
            return Depth::Mono;
        }
        let term = term.unwrap_or("").to_ascii_lowercase();
        if term.is_empty() || term == "dumb" {
            return Depth::Mono;
        }
        let ct = colorterm.unwrap_or("").to_ascii_lowercase();
        if ct == "truecolor" || ct == "24bit" {
            return Depth::TrueColor;
        }
        if term.contains("256color") || term.contains("direct") {
            return Depth::Indexed256;
        }
        Depth::Ansi16
    }

    /// `named` on 16 colours, the palette entry on 256, the RGB value on 24-bit.
    fn pick(&self, named: Color, idx: u8, rgb: (u8, u8, u8)) -> Color {
        match self.depth {
            Depth::Mono | Depth::Ansi16 => named,
            Depth::Indexed256 => Color::Indexed(idx),
            Depth::TrueColor => Color::Rgb(rgb.0, rgb.1, rgb.2),
        }
    }

    pub fn style(&self, role: Role) -> Style {
        let s = Style::default();
        if !self.color {
            return match role {
                Role::Breach | Role::Title => s.add_modifier(Modifier::BOLD),
                Role::Stale | Role::Muted => s.add_modifier(Modifier::DIM),
                Role::Selected | Role::Badge => s.add_modifier(Modifier::REVERSED),
                Role::Warn | Role::Accent => s.add_modifier(Modifier::UNDERLINED),
                Role::Ok => s,
            };
        }
        match role {
            Role::Ok => s.fg(self.pick(Color::Green, 78, (95, 215, 135))),
            Role::Warn => s.fg(self.pick(Color::Yellow, 220, (255, 200, 40))),
            Role::Breach => s
                .fg(self.pick(Color::Red, 196, (255, 70, 70)))
                .add_modifier(Modifier::BOLD),
            Role::Stale => s.fg(self.pick(Color::DarkGray, 242, (110, 110, 110))),
            Role::Muted => s.fg(self.pick(Color::DarkGray, 245, (140, 140, 140))),
            Role::Accent => s.fg(self.pick(Color::Cyan, 80, (80, 200, 220))),
            Role::Title => s.add_modifier(Modifier::BOLD),
            Role::Selected => s.add_modifier(Modifier::REVERSED),
            Role::Badge => s
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD),
        }
    }

    pub fn state_style(&self, st: AgentState) -> Style {
        if !self.color {
            return match st {
                AgentState::NotResponding => self.style(Role::Breach),
                AgentState::Offline | AgentState::Unknown => self.style(Role::Muted),
                _ => Style::default(),
            };
        }
        let c = match st {
            AgentState::Available => Color::Green,
            AgentState::Busy => Color::Cyan,
            AgentState::AfterCallWork => Color::Magenta,
            AgentState::NotResponding => Color::Red,
            AgentState::Unavailable => Color::Yellow,
            AgentState::Offline => Color::DarkGray,
            AgentState::Unknown => Color::Gray,
        };
        Style::default().fg(c)
    }

    pub fn sla_style(&self, st: SlaStatus) -> Style {
        match st {
            SlaStatus::Green | SlaStatus::Met => self.style(Role::Ok),
            SlaStatus::Amber => self.style(Role::Warn),
            SlaStatus::Red | SlaStatus::Breached => self.style(Role::Breach),
            SlaStatus::NoCalls | SlaStatus::Closed => self.style(Role::Muted),
        }
    }
}

/// The glyph paired with each agent state.
pub fn state_glyph(st: AgentState) -> char {
    match st {
        AgentState::Available => '●',
        AgentState::Busy => '◆',
        AgentState::AfterCallWork => '◐',
        AgentState::NotResponding => '✖',
        AgentState::Unavailable => '◌',
        AgentState::Offline => '○',
        AgentState::Unknown => '?',
    }
}

/// The block character a timeline cell uses for each state: distinct shapes, so the band
/// reads without colour too (busy is solid, available a half-height bar).
pub fn state_fill(st: AgentState) -> char {
    match st {
        AgentState::Available => '▄',
        AgentState::Busy => '█',
        AgentState::AfterCallWork => '▒',
        AgentState::NotResponding => '╳',
        AgentState::Unavailable => '░',
        AgentState::Offline => '─',
        AgentState::Unknown => '·',
    }
}

pub fn sla_glyph(st: SlaStatus) -> char {
    match st {
        SlaStatus::Green => '●',
        SlaStatus::Amber => '▲',
        SlaStatus::Red => '■',
        SlaStatus::Met => '✔',
        SlaStatus::Breached => '✖',
        SlaStatus::NoCalls => '○',
        SlaStatus::Closed => '◌',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_depth_from_the_environment() {
        assert_eq!(
            Theme::detect(None, Some("xterm-256color"), Some("truecolor")),
            Depth::TrueColor
        );
        assert_eq!(
            Theme::detect(None, Some("xterm-256color"), None),
            Depth::Indexed256
        );
        assert_eq!(Theme::detect(None, Some("linux"), None), Depth::Ansi16);
        assert_eq!(
            Theme::detect(None, Some("dumb"), Some("truecolor")),
            Depth::Mono
        );
        assert_eq!(Theme::detect(None, None, None), Depth::Mono);
        assert_eq!(
            Theme::detect(Some("1"), Some("xterm-256color"), None),
            Depth::Mono
        );
        assert_eq!(
            Theme::detect(Some(""), Some("xterm"), None),
            Depth::Ansi16,
            "empty NO_COLOR is unset"
        );
        assert_eq!(Theme::with_depth(Depth::Mono), Theme::MONO);
    }
}
