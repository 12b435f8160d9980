//! Agents: the live cache merged from `/agents/states` deltas and the state rules shared with
//! the history (REFERENCE §3.2, §5.1, §5.2).

use std::collections::{BTreeMap, BTreeSet, HashSet};

use super::wire::{AgentStateKind, AgentStateRow};
use crate::domain::{Agent, AgentState};

/// The reserved outstate "Refused" (REFERENCE §5.2): a contact was offered and not taken.
pub const OUTSTATE_REFUSED: i64 = -1;

/// What the state rules need from a row (live or history).
#[derive(Debug, Clone, Copy)]
pub struct StateInput<'a> {
    pub kind: Option<&'a AgentStateKind>,
    /// `isACW` where the row has it (`/agents/states`); history rows do not.
    pub is_acw: Option<bool>,
    pub out_state_id: Option<i64>,
    pub out_state_description: Option<&'a str>,
}

/// The normalised state (brief §5 / REFERENCE §5.1):
/// Available/Dialer → available; contacts and consults → busy; Unavailable → after-call work
/// when ACW, not responding when Refused, else unavailable; LoggedIn → unavailable;
/// LoggedOut → offline; anything unknown → unknown.
pub fn normalise(input: StateInput<'_>, acw_codes: &HashSet<i64>) -> AgentState {
    let Some(kind) = input.kind else {
        return AgentState::Unknown;
    };
    match kind {
        AgentStateKind::Available | AgentStateKind::Dialer => AgentState::Available,
        AgentStateKind::InboundContact
        | AgentStateKind::OutboundContact
        | AgentStateKind::InboundConsult
        | AgentStateKind::OutboundConsult => AgentState::Busy,
        AgentStateKind::Unavailable => unavailable_kind(input, acw_codes),
        // Logged in but not yet available: not taking work.
        AgentStateKind::LoggedIn => AgentState::Unavailable,
        AgentStateKind::LoggedOut => AgentState::Offline,
        AgentStateKind::Other(_) => AgentState::Unknown,
    }
}

fn unavailable_kind(input: StateInput<'_>, acw_codes: &HashSet<i64>) -> AgentState {
    if input.is_acw == Some(true) {
        return AgentState::AfterCallWork;
    }
    if input.out_state_id == Some(OUTSTATE_REFUSED) {
        return AgentState::NotResponding;
    }
    // Without isACW (history rows) ACW is recognised by an outstate id seen with isACW=true
    // on the live feed, or by its name ("After Call Work" is the default ACW outstate).
    if input.is_acw.is_none() {
        let known = input.out_state_id.is_some_and(|id| acw_codes.contains(&id));
        if known || input.out_state_description.is_some_and(looks_like_acw) {
            return AgentState::AfterCallWork;
        }
    }
    AgentState::Unavailable
}

fn looks_like_acw(desc: &str) -> bool {
    let d = desc.trim().to_ascii_lowercase();
    d == "acw" || d.contains("after call work") || d.contains("after-call work")
}

/// The vendor's words: `Unavailable/Lunch` for an outstate, else the state name.
pub fn reason(
    kind: Option<&AgentStateKind>,
    out_state_description: Option<&str>,
) -> Option<String> {
    let kind = kind?;
    let desc = out_state_description
        .map(str::trim)
        .filter(|d| !d.is_empty());
    match (kind, desc) {
        (AgentStateKind::Unavailable, Some(d)) => Some(format!("{}/{d}", kind.name())),
        _ => Some(kind.name().to_string()),
    }
}

/// Upper bound on the skills remembered per agent (protects memory from odd data).
const MAX_SKILLS_PER_AGENT: usize = 256;

/// The live agent cache.
#[derive(Debug, Default, Clone)]
pub struct AgentStore {
    rows: BTreeMap<String, AgentStateRow>,
    /// Skills each agent has been seen working (row `skillId`) since start: the only
    /// agent→skill link in the real-time feed (skill assignments are an admin API not in
    /// the reference). Kept across state changes so an idle agent stays on its queues.
    skills: BTreeMap<String, BTreeSet<String>>,
    /// Outstate ids seen with `isACW = true`: used to recognise ACW in history rows.
    pub acw_codes: HashSet<i64>,
    /// `lastPollTime` to send as `updatedSince`, verbatim.
    pub poll_time: Option<String>,
    pub loaded: bool,
}

impl AgentStore {
    /// Merge a (delta) response: rows replace earlier rows of the same agent; agents whose
    /// account is inactive are dropped.
    pub fn merge(&mut self, rows: Vec<AgentStateRow>, poll_time: Option<String>) {
        for row in rows {
            let Some(id) = row.agent_id.clone() else {
                continue;
            };
            if row.is_active == Some(false) {
                self.rows.remove(&id);
                self.skills.remove(&id);
                continue;
            }
            if let Some(skill) = &row.skill_id {
                let set = self.skills.entry(id.clone()).or_default();
                if set.len() < MAX_SKILLS_PER_AGENT {
                    set.insert(skill.clone());
                }
            }
            if row.is_acw == Some(true)
                && let Some(code) = row.out_state_id
            {
                self.acw_codes.insert(code);
            }
            self.rows.insert(id, row);
        }
        if poll_time.is_some() {
            self.poll_time = poll_time;
        }
        self.loaded = true;
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn name_of(&self, id: &str) -> Option<String> {
        self.rows.get(id).map(|r| display_name(id, r))
    }

    fn state_of(&self, row: &AgentStateRow) -> AgentState {
        let kind = AgentStateKind::from_parts(row.agent_state_id, row.agent_state_name.as_deref());
        normalise(
            StateInput {
                kind: kind.as_ref(),
                is_acw: row.is_acw,
                out_state_id: row.out_state_id,
                out_state_description: row.out_state_description.as_deref(),
            },
            &self.acw_codes,
        )
    }

    /// Agents known to work `skill` that are in `state` now.
    pub fn count_on_skill(&self, skill: &str, state: AgentState) -> u32 {
        let n = self
            .rows
            .iter()
            .filter(|(id, _)| self.skills.get(*id).is_some_and(|s| s.contains(skill)))
            .filter(|(_, row)| self.state_of(row) == state)
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    pub fn agents(&self) -> Vec<Agent> {
        self.rows
            .iter()
            .map(|(id, row)| self.agent(id, row))
            .collect()
    }

    fn agent(&self, id: &str, row: &AgentStateRow) -> Agent {
        let kind = AgentStateKind::from_parts(row.agent_state_id, row.agent_state_name.as_deref());
        Agent {
            id: id.to_string(),
            name: display_name(id, row),
            state: self.state_of(row),
            reason: reason(kind.as_ref(), row.out_state_description.as_deref()),
            since: row.start_date,
            queues: self
                .skills
                .get(id)
                .map(|s| s.iter().cloned().collect())
                .unwrap_or_default(),
        }
    }
}

/// "First Last", else the user name, else the id.
fn display_name(id: &str, row: &AgentStateRow) -> String {
    let parts: Vec<&str> = [row.first_name.as_deref(), row.last_name.as_deref()]
        .into_iter()
        .flatten()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if !parts.is_empty() {
        return parts.join(" ");
    }
    row.user_name
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(id)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn st(id: i64, acw: Option<bool>, out: Option<i64>, desc: Option<&str>) -> AgentState {
        let kind = AgentStateKind::from_parts(Some(id), None);
        normalise(
            StateInput {
                kind: kind.as_ref(),
                is_acw: acw,
                out_state_id: out,
                out_state_description: desc,
            },
            &HashSet::new(),
        )
    }

    #[test]
    fn state_rules() {
        assert_eq!(st(1, Some(false), None, None), AgentState::Available);
        for id in [3, 4, 5, 6] {
            assert_eq!(st(id, Some(false), None, None), AgentState::Busy);
        }
        assert_eq!(st(7, None, None, None), AgentState::Available);
        assert_eq!(
            st(2, Some(true), Some(14), Some("After Call Work")),
            AgentState::AfterCallWork
        );
        assert_eq!(
            st(2, Some(false), Some(-1), Some("Refused")),
            AgentState::NotResponding
        );
        assert_eq!(
            st(2, Some(false), Some(12), Some("Lunch")),
            AgentState::Unavailable
        );
        // isACW=false is authoritative even if the name looks like ACW.
        assert_eq!(
            st(2, Some(false), Some(14), Some("After Call Work")),
            AgentState::Unavailable
        );
        assert_eq!(
            st(2, None, Some(14), Some("After Call Work")),
            AgentState::AfterCallWork
        );
        assert_eq!(st(8, None, None, None), AgentState::Unavailable);
        assert_eq!(st(0, None, None, None), AgentState::Offline);
        assert_eq!(st(99, None, None, None), AgentState::Unknown);
    }

    #[test]
    fn reasons() {
        let u = AgentStateKind::Unavailable;
        assert_eq!(
            reason(Some(&u), Some("Lunch")).as_deref(),
            Some("Unavailable/Lunch")
        );
        assert_eq!(reason(Some(&u), None).as_deref(), Some("Unavailable"));
        let c = AgentStateKind::InboundContact;
        assert_eq!(reason(Some(&c), None).as_deref(), Some("InboundContact"));
        assert_eq!(reason(None, Some("x")), None);
    }
}
