//! Every key binding, in one table: `update()` dispatches from it and the help screen is
//! generated from it, so the two cannot disagree.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// What a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    Left,
    Right,
    SortNext,
    SortReverse,
    Filter,
    Pause,
    Refresh,
    Help,
    Quit,
    Enter,
    Back,
    Agents,
    ZoomIn,
    ZoomOut,
    ZoomReset,
    Wall,
    NextPage,
    PrevPage,
}

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Everywhere,
    Tables,
    Timeline,
    Wall,
}

pub struct Binding {
    pub keys: &'static [KeyCode],
    pub ctrl: bool,
    pub label: &'static str,
    pub action: Action,
    pub scope: Scope,
    pub help: &'static str,
}

use KeyCode::*;

pub const BINDINGS: &[Binding] = &[
    Binding {
        keys: &[KeyCode::Up, Char('k')],
        ctrl: false,
        label: "↑ k",
        action: Action::Up,
        scope: Scope::Tables,
        help: "select previous row",
    },
    Binding {
        keys: &[KeyCode::Down, Char('j')],
        ctrl: false,
        label: "↓ j",
        action: Action::Down,
        scope: Scope::Tables,
        help: "select next row",
    },
    Binding {
        keys: &[KeyCode::PageUp],
        ctrl: false,
        label: "PgUp",
        action: Action::PageUp,
        scope: Scope::Tables,
        help: "page up",
    },
    Binding {
        keys: &[KeyCode::PageDown],
        ctrl: false,
        label: "PgDn",
        action: Action::PageDown,
        scope: Scope::Tables,
        help: "page down",
    },
    Binding {
        keys: &[KeyCode::Home, Char('g')],
        ctrl: false,
        label: "Home g",
        action: Action::Top,
        scope: Scope::Tables,
        help: "first row",
    },
    Binding {
        keys: &[KeyCode::End, Char('G')],
        ctrl: false,
        label: "End G",
        action: Action::Bottom,
        scope: Scope::Tables,
        help: "last row",
    },
    Binding {
        keys: &[Char('s')],
        ctrl: false,
        label: "s",
        action: Action::SortNext,
        scope: Scope::Tables,
        help: "sort by the next column",
    },
    Binding {
        keys: &[Char('S')],
        ctrl: false,
        label: "S",
        action: Action::SortReverse,
        scope: Scope::Tables,
        help: "reverse the sort",
    },
    Binding {
        keys: &[Char('/')],
        ctrl: false,
        label: "/",
        action: Action::Filter,
        scope: Scope::Tables,
        help: "filter: words, red/amber/green, voice/chat/email, source:x",
    },
    Binding {
        keys: &[KeyCode::Enter],
        ctrl: false,
        label: "Enter",
        action: Action::Enter,
        scope: Scope::Tables,
        help: "drill into the selected row",
    },
    Binding {
        keys: &[Char('a')],
        ctrl: false,
        label: "a",
        action: Action::Agents,
        scope: Scope::Everywhere,
        help: "all agents",
    },
    Binding {
        keys: &[Char('w')],
        ctrl: false,
        label: "w",
        action: Action::Wall,
        scope: Scope::Everywhere,
        help: "wall mode on / off (big-number queue panels)",
    },
    Binding {
        keys: &[KeyCode::Right, Char('l'), Char(' '), Char('n')],
        ctrl: false,
        label: "→ Space",
        action: Action::NextPage,
        scope: Scope::Wall,
        help: "next wall page",
    },
    Binding {
        keys: &[KeyCode::Left, Char('h')],
        ctrl: false,
        label: "←",
        action: Action::PrevPage,
        scope: Scope::Wall,
        help: "previous wall page",
    },
    Binding {
        keys: &[Char('+'), Char('=')],
        ctrl: false,
        label: "+",
        action: Action::ZoomIn,
        scope: Scope::Timeline,
        help: "zoom in (24h → 12h → 4h → 1h)",
    },
    Binding {
        keys: &[Char('-')],
        ctrl: false,
        label: "-",
        action: Action::ZoomOut,
        scope: Scope::Timeline,
        help: "zoom out",
    },
    Binding {
        keys: &[Char('0')],
        ctrl: false,
        label: "0",
        action: Action::ZoomReset,
        scope: Scope::Timeline,
        help: "whole day",
    },
    Binding {
        keys: &[KeyCode::Left, Char('h')],
        ctrl: false,
        label: "← h",
        action: Action::Left,
        scope: Scope::Timeline,
        help: "pan earlier",
    },
    Binding {
        keys: &[KeyCode::Right, Char('l')],
        ctrl: false,
        label: "→ l",
        action: Action::Right,
        scope: Scope::Timeline,
        help: "pan later",
    },
    Binding {
        keys: &[KeyCode::Up, Char('k')],
        ctrl: false,
        label: "↑ k",
        action: Action::Up,
        scope: Scope::Timeline,
        help: "scroll segments",
    },
    Binding {
        keys: &[KeyCode::Down, Char('j')],
        ctrl: false,
        label: "↓ j",
        action: Action::Down,
        scope: Scope::Timeline,
        help: "scroll segments",
    },
    Binding {
        keys: &[KeyCode::Esc, KeyCode::Backspace],
        ctrl: false,
        label: "Esc",
        action: Action::Back,
        scope: Scope::Everywhere,
        help: "back",
    },
    Binding {
        keys: &[Char('p')],
        ctrl: false,
        label: "p",
        action: Action::Pause,
        scope: Scope::Everywhere,
        help: "pause / resume updates",
    },
    Binding {
        keys: &[Char('r')],
        ctrl: false,
        label: "r",
        action: Action::Refresh,
        scope: Scope::Everywhere,
        help: "refresh now",
    },
    Binding {
        keys: &[Char('?')],
        ctrl: false,
        label: "?",
        action: Action::Help,
        scope: Scope::Everywhere,
        help: "this help",
    },
    Binding {
        keys: &[Char('q')],
        ctrl: false,
        label: "q",
        action: Action::Quit,
        scope: Scope::Everywhere,
        help: "quit",
    },
    Binding {
        keys: &[Char('c')],
        ctrl: true,
        label: "Ctrl-C",
        action: Action::Quit,
        scope: Scope::Everywhere,
        help: "quit",
    },
];

/// The action bound to `key` in a page of the given scope.
pub fn action_for(key: &KeyEvent, scope: Scope) -> Option<Action> {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    BINDINGS
        .iter()
        .filter(|b| b.scope == scope || b.scope == Scope::Everywhere)
        .find(|b| b.ctrl == ctrl && b.keys.contains(&key.code))
        .map(|b| b.action)
}
