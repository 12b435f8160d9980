//! Agents: the live cache merged from `/agents/states` deltas and the state rules shared with
//! the history (REFERENCE §3.2, §5.1, §5.2).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

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
/// Available → available; Dialer, contacts and consults → busy; Unavailable → after-call work
/// when ACW, not responding when Refused, else unavailable; LoggedIn → unavailable;
/// LoggedOut → offline; anything unknown → unknown.
pub fn normalise(input: StateInput<'_>, acw_codes: &HashSet<i64>) -> AgentState {
    let Some(kind) = input.kind else {
        return AgentState::Unknown;
    };
    match kind {
        AgentStateKind::Available => AgentState::Available,
        // Waiting for a dialer-delivered outbound call (errata 3): not available to the
        // inbound queues the board shows; NICE's SDK counts it as working.
        AgentStateKind::Dialer => AgentState::Busy,
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
    /// Agents per normalised state on each skill, kept in step by `merge` (so counting costs
    /// nothing per poll, and an empty delta changes nothing).
    tally: HashMap<String, [u32; AgentState::ALL.len()]>,
    /// The state each agent is counted under in `tally`.
    counted: HashMap<String, AgentState>,
    /// Bumped by every merge that changed an agent.
    version: u64,
    /// `skills` comes from `GET /agents/skills` (not learnt from the rows).
    assigned: bool,
}

/// A skill id a queue can have (idle rows carry skill 0).
fn real_skill(s: &str) -> bool {
    !s.trim().is_empty() && s.trim() != "0"
}

impl AgentStore {
    /// Merge a (delta) response: rows replace earlier rows of the same agent; agents whose
    /// account is inactive are dropped.
    pub fn merge(&mut self, rows: Vec<AgentStateRow>, poll_time: Option<String>) {
        let acw_codes_before = self.acw_codes.len();
        let mut changed = false;
        for row in rows {
            let Some(id) = row.agent_id.clone() else {
                continue;
            };
            changed = true;
            self.uncount(&id);
            if row.is_active == Some(false) {
                self.rows.remove(&id);
                self.skills.remove(&id);
                continue;
            }
            // Learnt from the rows only until the assignments are known; idle rows carry a
            // phantom skill 0 that no queue is.
            if let Some(skill) = row.skill_id.as_deref().filter(|s| real_skill(s))
                && !self.assigned
            {
                let set = self.skills.entry(id.clone()).or_default();
                if set.len() < MAX_SKILLS_PER_AGENT {
                    set.insert(skill.to_string());
                }
            }
            if row.is_acw == Some(true)
                && let Some(code) = row.out_state_id
            {
                self.acw_codes.insert(code);
            }
            self.rows.insert(id.clone(), row);
            self.count(&id);
        }
        if self.acw_codes.len() != acw_codes_before {
            // A new ACW code can change the state of rows without isACW: count afresh.
            self.recount();
        }
        if changed {
            self.version += 1;
        }
        if poll_time.is_some() {
            self.poll_time = poll_time;
        }
        self.loaded = true;
    }

    /// Which agents serve which skill, from `GET /agents/skills` (active assignments only):
    /// replaces what was learnt from contacts seen, for counts and each agent's queues.
    pub fn set_assignments(&mut self, pairs: impl IntoIterator<Item = (String, String)>) {
        let mut skills: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (agent, skill) in pairs {
            if !real_skill(&skill) {
                continue;
            }
            let set = skills.entry(agent).or_default();
            if set.len() < MAX_SKILLS_PER_AGENT {
                set.insert(skill);
            }
        }
        if self.assigned && skills == self.skills {
            return;
        }
        self.skills = skills;
        self.assigned = true;
        self.recount();
        self.version += 1;
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

    /// Agents known to work `skill` that are in `state` now (a lookup: the counts are kept
    /// up to date by [`AgentStore::merge`]).
    pub fn count_on_skill(&self, skill: &str, state: AgentState) -> u32 {
        self.tally.get(skill).map_or(0, |t| t[state as usize])
    }

    /// Agents per state on `skill`, indexed by `AgentState as usize`.
    pub fn tally_on_skill(&self, skill: &str) -> [u32; AgentState::ALL.len()] {
        self.tally.get(skill).copied().unwrap_or_default()
    }

    /// Changes whenever a merge changed an agent: equal versions mean the agents, and every
    /// count derived from them, are as they were (a caller may skip rebuilding its view).
    pub fn version(&self) -> u64 {
        self.version
    }

    /// Add agent `id` (its current row and skills) to the tally.
    fn count(&mut self, id: &str) {
        let (Some(row), Some(skills)) = (self.rows.get(id), self.skills.get(id)) else {
            return;
        };
        let state = self.state_of(row);
        for skill in skills {
            let t = self.tally.entry(skill.clone()).or_default();
            t[state as usize] = t[state as usize].saturating_add(1);
        }
        self.counted.insert(id.to_string(), state);
    }

    /// Take agent `id` out of the tally, as it was counted.
    fn uncount(&mut self, id: &str) {
        let Some(state) = self.counted.remove(id) else {
            return;
        };
        for skill in self.skills.get(id).into_iter().flatten() {
            if let Some(t) = self.tally.get_mut(skill) {
                t[state as usize] = t[state as usize].saturating_sub(1);
                if t.iter().all(|n| *n == 0) {
                    self.tally.remove(skill);
                }
            }
        }
    }

    /// The tally from scratch: one pass over the agents.
    fn recount(&mut self) {
        self.tally.clear();
        self.counted.clear();
        let ids: Vec<String> = self.rows.keys().cloned().collect();
        for id in ids {
            self.count(&id);
        }
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
            // The skill and channel of the contact a working agent is on.
            contact: (self.state_of(row) == AgentState::Busy
                && (row.skill_id.is_some() || row.media_type_id.is_some()))
            .then(|| crate::domain::AgentContact {
                queue_id: row.skill_id.clone().filter(|s| s != "0"),
                media: (row.media_type_id.is_some() || row.media_type_name.is_some()).then(|| {
                    super::skills::media(row.media_type_id, row.media_type_name.as_deref())
                }),
            }),
            team: row.team_name.clone().filter(|t| !t.trim().is_empty()),
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
        // Dialer: waiting for an outbound call, not available to inbound queues.
        assert_eq!(st(7, None, None, None), AgentState::Busy);
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

    fn row(
        id: u8,
        state: i64,
        skill: Option<u8>,
        active: bool,
        acw: Option<bool>,
    ) -> AgentStateRow {
        AgentStateRow {
            agent_id: Some(format!("a{id}")),
            agent_state_id: Some(state),
            is_active: Some(active),
            is_acw: acw,
            out_state_id: (state == 2).then_some(i64::from(id % 3) + 10),
            out_state_description: (state == 2).then(|| "Lunch".to_string()),
            skill_id: skill.map(|s| format!("s{s}")),
            ..AgentStateRow::default()
        }
    }

    /// The counting rule the tally replaces: look at every agent.
    fn scan(store: &AgentStore, skill: &str, state: AgentState) -> u32 {
        store
            .rows
            .iter()
            .filter(|(id, _)| store.skills.get(*id).is_some_and(|s| s.contains(skill)))
            .filter(|(_, row)| store.state_of(row) == state)
            .count() as u32
    }

    #[test]
    fn counts_follow_state_changes_and_empty_deltas_change_nothing() {
        let mut store = AgentStore::default();
        store.merge(
            vec![
                row(1, 1, Some(1), true, Some(false)),
                row(2, 3, Some(1), true, Some(false)),
                row(3, 0, Some(2), true, None),
            ],
            Some("t1".into()),
        );
        assert_eq!(store.count_on_skill("s1", AgentState::Available), 1);
        assert_eq!(store.count_on_skill("s1", AgentState::Busy), 1);
        assert_eq!(store.count_on_skill("s2", AgentState::Offline), 1);
        let v = store.version();
        store.merge(Vec::new(), Some("t2".into()));
        assert_eq!(store.version(), v, "an empty delta changes nothing");
        assert_eq!(store.poll_time.as_deref(), Some("t2"));
        // Agent 1 goes busy on s2: it stays on s1 too (skills are remembered).
        store.merge(vec![row(1, 3, Some(2), true, Some(false))], None);
        assert_ne!(store.version(), v);
        assert_eq!(store.count_on_skill("s1", AgentState::Available), 0);
        assert_eq!(store.count_on_skill("s1", AgentState::Busy), 2);
        assert_eq!(store.count_on_skill("s2", AgentState::Busy), 1);
        // Deactivated agents leave every count.
        store.merge(vec![row(2, 3, None, false, None)], None);
        assert_eq!(store.count_on_skill("s1", AgentState::Busy), 1);
        assert_eq!(store.tally_on_skill("s9"), [0; 7]);
    }

    proptest::proptest! {
        /// After any sequence of deltas the kept counts equal a scan of every agent.
        #[test]
        fn kept_counts_equal_a_scan(
            deltas in proptest::collection::vec(
                proptest::collection::vec(
                    (0u8..12, 0i64..9, proptest::option::of(0u8..5), proptest::bool::weighted(0.9),
                     proptest::option::of(proptest::bool::ANY)),
                    0..15,
                ),
                1..8,
            ),
        ) {
            let mut store = AgentStore::default();
            for delta in deltas {
                let rows = delta
                    .into_iter()
                    .map(|(id, st, sk, active, acw)| row(id, st, sk, active, acw))
                    .collect();
                store.merge(rows, None);
                for skill in ["s0", "s1", "s2", "s3", "s4"] {
                    for state in AgentState::ALL {
                        proptest::prop_assert_eq!(
                            store.count_on_skill(skill, state),
                            scan(&store, skill, state),
                            "{} {:?}", skill, state
                        );
                    }
                }
            }
        }
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

#[cfg(test)]
mod state_tests {
    use super::*;

    #[test]
    fn dialer_is_busy_not_available() {
        let kind = AgentStateKind::from_parts(Some(7), None);
        let s = normalise(
            StateInput {
                kind: kind.as_ref(),
                is_acw: None,
                out_state_id: None,
                out_state_description: None,
            },
            &HashSet::new(),
        );
        assert_eq!(s, AgentState::Busy);
        assert_eq!(reason(kind.as_ref(), None).as_deref(), Some("Dialer"));
    }
}
