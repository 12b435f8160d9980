//! Agents: presence + routing status → normalised state, reason and since-time.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::wire::{
    ActivityMetric, ActivityQuery, Filter, PresenceDefinition, QueueMember,
    RoutingActivityResponse, RoutingStatus, SystemPresence, UserPresence,
};
use crate::domain::{Agent, AgentState};

/// The normalised state (INTERFACES "Normalised agent states"). Routing status INTERACTING
/// or COMMUNICATING is busy whatever the presence says: an agent who picks Break during an
/// ACD call stays on the call until it ends (errata 3). Otherwise: offline presence →
/// offline; On Queue → by routing status; any other presence (Available off queue, Away,
/// Busy, Break, Meal, Meeting, Training, Idle, custom) → unavailable.
pub fn normalise(presence: Option<&SystemPresence>, routing: Option<&RoutingStatus>) -> AgentState {
    if matches!(
        routing,
        Some(RoutingStatus::Interacting | RoutingStatus::Communicating)
    ) {
        return AgentState::Busy;
    }
    match presence {
        None => AgentState::Unknown,
        Some(SystemPresence::Offline) => AgentState::Offline,
        Some(SystemPresence::OnQueue) => match routing {
            Some(RoutingStatus::Idle) => AgentState::Available,
            Some(RoutingStatus::NotResponding) => AgentState::NotResponding,
            // On Queue without a routing status (or OFF_QUEUE in a transition): not known.
            _ => AgentState::Unknown,
        },
        Some(_) => AgentState::Unavailable,
    }
}

/// Each watched queue's agents counted by state from the agent list (joined members only:
/// an agent's `queues` holds the queues it is joined to). This is what the board shows, not
/// the observation's member/active differences (errata 1).
pub fn counts_by_queue(agents: &[Agent]) -> HashMap<&str, crate::domain::AgentCounts> {
    let mut states: HashMap<&str, Vec<AgentState>> = HashMap::new();
    for a in agents {
        for q in &a.queues {
            states.entry(q.as_str()).or_default().push(a.state);
        }
    }
    states
        .into_iter()
        .map(|(q, s)| (q, crate::domain::AgentCounts::from_states(s)))
        .collect()
}

/// Organisation presence names by id (`GET /api/v2/presence/definitions`, either shape).
#[derive(Clone, Debug, Default)]
pub struct PresenceNames {
    by_id: HashMap<String, (Option<String>, Option<SystemPresence>)>,
}

impl PresenceNames {
    pub fn from_definitions(defs: &[PresenceDefinition]) -> PresenceNames {
        PresenceNames {
            by_id: defs
                .iter()
                .filter(|d| !d.id.is_empty())
                .map(|d| (d.id.clone(), (d.display_name(), d.system_presence.clone())))
                .collect(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The system presence behind an organisation presence id.
    pub fn system_of(&self, org_id: Option<&str>) -> Option<SystemPresence> {
        self.by_id.get(org_id?)?.1.clone()
    }

    /// The organisation's name for a presence ("Break", "Coaching"), else the system label.
    pub fn name(&self, org_id: Option<&str>, system: Option<&SystemPresence>) -> Option<String> {
        org_id
            .and_then(|id| self.by_id.get(id))
            .and_then(|(n, _)| n.clone())
            .or_else(|| system.map(|s| s.label().to_string()))
    }

    /// The vendor's words for the state: "On Queue/IDLE" on queue, else the presence name.
    pub fn reason(
        &self,
        org_id: Option<&str>,
        system: Option<&SystemPresence>,
        routing: Option<&RoutingStatus>,
    ) -> Option<String> {
        let name = self.name(org_id, system)?;
        match (system, routing) {
            (Some(SystemPresence::OnQueue), Some(r)) => Some(format!("{name}/{r}")),
            _ => Some(name),
        }
    }
}

/// One agent's current state as read from one record, before merging queues.
#[derive(Clone, Debug)]
struct Observed {
    presence: Option<SystemPresence>,
    org_presence_id: Option<String>,
    routing: Option<RoutingStatus>,
    presence_since: Option<DateTime<Utc>>,
    routing_since: Option<DateTime<Utc>>,
    /// When the record was observed (newest wins when queues disagree).
    observed: Option<DateTime<Utc>>,
}

#[derive(Debug, Default)]
pub struct AgentBook {
    agents: HashMap<String, (Observed, BTreeSet<String>, Option<String>)>,
    pairs: HashSet<(String, String)>,
}

impl AgentBook {
    /// Add one (agent, queue) record; true when the pair was not seen before.
    fn add(
        &mut self,
        user: &str,
        queue: &str,
        active_member: bool,
        o: Observed,
        name: Option<String>,
    ) -> bool {
        let new = self.pairs.insert((user.to_string(), queue.to_string()));
        let e = self
            .agents
            .entry(user.to_string())
            .or_insert_with(|| (o.clone(), BTreeSet::new(), None));
        if o.observed > e.0.observed {
            e.0 = o;
        }
        // An inactive (not joined) membership does not make the agent serve the queue.
        if active_member {
            e.1.insert(queue.to_string());
        }
        if e.2.is_none() {
            e.2 = name;
        }
        new
    }

    /// Ids of agents whose names are not in `names` and were not given by the platform.
    pub fn unnamed<'a>(
        &'a self,
        names: &'a HashMap<String, String>,
    ) -> impl Iterator<Item = &'a str> {
        self.agents
            .iter()
            .filter(move |(id, (_, q, n))| !q.is_empty() && n.is_none() && !names.contains_key(*id))
            .map(|(id, _)| id.as_str())
    }

    /// Agents serving at least one watched queue, sorted by name.
    pub fn finish(self, names: &HashMap<String, String>, presences: &PresenceNames) -> Vec<Agent> {
        let mut out: Vec<Agent> = self
            .agents
            .into_iter()
            .filter(|(_, (_, queues, _))| !queues.is_empty())
            .map(|(id, (o, queues, name))| {
                let presence = o
                    .presence
                    .clone()
                    .or_else(|| presences.system_of(o.org_presence_id.as_deref()));
                let state = normalise(presence.as_ref(), o.routing.as_ref());
                let since = match presence {
                    // On queue the state changes with the routing status.
                    Some(SystemPresence::OnQueue) => o.routing_since.max(o.presence_since),
                    _ => o.presence_since,
                };
                Agent {
                    name: name
                        .or_else(|| names.get(&id).cloned())
                        .unwrap_or_else(|| id.clone()),
                    reason: presences.reason(
                        o.org_presence_id.as_deref(),
                        presence.as_ref(),
                        o.routing.as_ref(),
                    ),
                    id,
                    state,
                    since,
                    queues: queues.into_iter().collect(),
                    // The presence and routing APIs do not say which conversation or
                    // team; nothing is guessed.
                    contact: None,
                    team: None,
                }
            })
            .collect();
        out.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        out
    }
}

// ---------------------------------------------------------------------------------------
// Routing activity (preferred: requests do not grow with the number of agents)

/// The activity query with member details. `name_form` writes each metric as
/// `{"name": …}` (the docs page's form) instead of the SDK's `{"metric": …}` — UNCONFIRMED
/// which the server wants, so the source tries one, then the other.
pub fn activity_query(queue_ids: &[&str], name_form: bool) -> ActivityQuery {
    let metric = |m: &str, details: bool| ActivityMetric {
        metric: (!name_form).then(|| m.to_string()),
        name: name_form.then(|| m.to_string()),
        details: details.then_some(true),
    };
    ActivityQuery {
        metrics: vec![metric("oMemberUsers", true)],
        group_by: vec!["queueId".into()],
        filter: Some(Filter::any_of("queueId", queue_ids.iter().copied())),
        order: Some("asc".into()),
    }
}

/// Whether a page of the activity query came back full (whether the page size counts per
/// group or per page is UNCONFIRMED; the page total covers both).
pub fn activity_page_full(resp: &RoutingActivityResponse, page_size: usize) -> bool {
    resp.results.iter().map(|r| r.entities.len()).sum::<usize>() >= page_size
}

/// The queues whose entity list in this page says it was truncated (errata 2).
pub fn truncated_queues(resp: &RoutingActivityResponse) -> Vec<String> {
    resp.results
        .iter()
        .filter(|r| r.truncated == Some(true))
        .filter_map(|r| r.group.get("queueId").cloned())
        .collect()
}

/// Add one page; returns how many (agent, queue) pairs were new.
pub fn add_activity(book: &mut AgentBook, resp: &RoutingActivityResponse) -> usize {
    let mut new = 0;
    for r in &resp.results {
        for e in &r.entities {
            let Some(user) = e.user_id.as_deref().filter(|u| !u.is_empty()) else {
                continue;
            };
            let Some(queue) = e
                .queue_id
                .as_deref()
                .or(r.group.get("queueId").map(String::as_str))
                .filter(|q| !q.is_empty())
            else {
                continue;
            };
            let active = !e
                .queue_membership_status
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case("inactive"));
            let o = Observed {
                presence: e.system_presence.clone(),
                org_presence_id: e.organization_presence_id.clone(),
                routing: e.routing_status.clone(),
                presence_since: e.presence_date,
                routing_since: e.routing_status_date,
                observed: e.activity_date,
            };
            new += usize::from(book.add(user, queue, active, o, None));
        }
    }
    new
}

// ---------------------------------------------------------------------------------------
// Queue members (fallback when the activity query is refused)

pub fn members_query(page_number: u32, page_size: u32) -> Vec<(&'static str, String)> {
    vec![
        ("pageSize", page_size.to_string()),
        ("pageNumber", page_number.to_string()),
        ("expand", "presence".into()),
        ("expand", "routingStatus".into()),
    ]
}

fn member_presence(m: &QueueMember) -> Option<&UserPresence> {
    m.user
        .as_ref()
        .and_then(|u| u.presence.as_ref())
        .or(m.presence.as_ref())
}

pub fn add_members(book: &mut AgentBook, queue_id: &str, members: &[QueueMember]) {
    for m in members {
        let id = m
            .user
            .as_ref()
            .map(|u| u.id.as_str())
            .filter(|i| !i.is_empty())
            .unwrap_or(m.id.as_str());
        if id.is_empty() {
            continue;
        }
        let presence = member_presence(m);
        let routing = m
            .routing_status
            .as_ref()
            .or(m.user.as_ref().and_then(|u| u.routing_status.as_ref()));
        let def = presence.and_then(|p| p.presence_definition.as_ref());
        let o = Observed {
            presence: def.and_then(|d| d.system_presence.clone()),
            org_presence_id: def.and_then(|d| d.id.clone()),
            routing: routing.and_then(|r| r.status.clone()),
            presence_since: presence.and_then(|p| p.modified_date),
            routing_since: routing.and_then(|r| r.start_time),
            observed: None,
        };
        let name = m
            .name
            .clone()
            .or_else(|| m.user.as_ref().and_then(|u| u.name.clone()))
            .filter(|n| !n.trim().is_empty());
        book.add(id, queue_id, m.joined != Some(false), o, name);
    }
}

/// `GET /api/v2/users?id=…` query for up to 100 ids.
pub fn users_query(ids: &[&str]) -> Vec<(&'static str, String)> {
    let mut q = vec![
        ("pageSize", ids.len().max(1).to_string()),
        ("pageNumber", "1".into()),
    ];
    q.extend(ids.iter().map(|i| ("id", i.to_string())));
    q
}

/// An agent with a pushed change applied: state, reason and since from the pushed presence
/// and routing status (the same rules as the agent list), and the watched queues it is
/// joined to when the change says.
pub fn apply_change(
    a: &mut Agent,
    c: &super::push::AgentChange,
    presences: &PresenceNames,
    watched: &HashSet<&str>,
) {
    let presence = c
        .presence
        .clone()
        .or_else(|| presences.system_of(c.org_presence_id.as_deref()));
    a.state = normalise(presence.as_ref(), c.routing.as_ref());
    a.since = match presence {
        Some(SystemPresence::OnQueue) => c.routing_since.max(c.presence_since),
        _ => c.presence_since,
    };
    a.reason = presences.reason(
        c.org_presence_id.as_deref(),
        presence.as_ref(),
        c.routing.as_ref(),
    );
    if let Some(qs) = &c.active_queues {
        let mut queues: Vec<String> = qs
            .iter()
            .filter(|q| watched.contains(q.as_str()))
            .cloned()
            .collect();
        queues.sort();
        queues.dedup();
        a.queues = queues;
    }
}
