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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    pub color: bool,
}

impl Theme {
    pub const COLOR: Theme = Theme { color: true };
    pub const MONO: Theme = Theme { color: false };

    /// Colour unless `NO_COLOR` is set (https://no-color.org).
    pub fn from_env() -> Theme {
        match std::env::var_os("NO_COLOR") {
            Some(v) if !v.is_empty() => Theme::MONO,
            _ => Theme::COLOR,
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
            Role::Ok => s.fg(Color::Green),
            Role::Warn => s.fg(Color::Yellow),
            Role::Breach => s.fg(Color::Red).add_modifier(Modifier::BOLD),
            Role::Stale => s.fg(Color::DarkGray),
            Role::Muted => s.fg(Color::DarkGray),
            Role::Accent => s.fg(Color::Cyan),
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

/// The block character a timeline cell uses for each state (distinct shapes so the band
/// reads without colour too).
pub fn state_fill(st: AgentState) -> char {
    match st {
        AgentState::Available => '█',
        AgentState::Busy => '▓',
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
