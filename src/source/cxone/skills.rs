//! Skills → queues: the live cache merged from `/skills/activity` deltas, and today's figures
//! from `/skills/summary` + `/skills/sla-summary` (REFERENCE §3.1, §4.3, §4.4).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::agents::AgentStore;
use super::wire::{MediaType, SkillActivity, SkillSummary, SlaSummary};
use crate::domain::{AgentCounts, Media, Queue, QueueLive, QueueToday, SlObjective};

/// Skills are selected like any platform's queues (name globs or ids).
pub use crate::source::select::QueueSelector as QueueFilter;

/// The CXone objective (percent goal within threshold seconds), when the skill has one.
/// A 0 goal or 0 threshold means "not configured" (outbound skills carry 0/0).
pub fn objective(goal_pct: Option<f64>, threshold_s: Option<f64>) -> Option<SlObjective> {
    match (goal_pct, threshold_s) {
        (Some(g), Some(t)) if g > 0.0 && g <= 100.0 && t > 0.0 => Some(SlObjective {
            target: g / 100.0,
            threshold_s: t,
        }),
        _ => None,
    }
}

pub fn media(id: Option<i64>, name: Option<&str>) -> Media {
    match MediaType::from_parts(id, name) {
        Some(MediaType::PhoneCall) => Media::Voice,
        Some(MediaType::Chat) => Media::Chat,
        Some(MediaType::Email) => Media::Email,
        // Digital = CXone's messaging channels (SMS, social, web messaging).
        Some(MediaType::Sms | MediaType::Social | MediaType::Digital) => Media::Message,
        Some(MediaType::VoiceMail | MediaType::WorkItem | MediaType::Other(_)) | None => {
            Media::Other
        }
    }
}

/// Timestamps before 1971 are sentinels for "none" (an empty queue's earliestQueueTime may
/// come as 0 or year 1; UNCONFIRMED, REFERENCE §9.2).
fn real_time(t: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    t.filter(|t| t.timestamp() > 365 * 86_400)
}

fn count(x: Option<i64>) -> Option<u32> {
    x.and_then(|v| u32::try_from(v).ok())
}

/// `agentsUnavailable` includes the agents in `agentsACW` ("after call work states are also
/// considered unavailable outstates", errata 1; UNCONFIRMED on a tenant). When the logged-in
/// total says so (`agentsLoggedIn = available + working + unavailable`), ACW agents are taken
/// out of "unavailable" so no agent is counted in two columns; otherwise the figure is as given.
fn unavailable_without_acw(row: &SkillActivity) -> Option<u32> {
    let unavailable = count(row.agents_unavailable)?;
    let acw = count(row.agents_acw).unwrap_or(0);
    let includes_acw = match (
        count(row.agents_logged_in),
        count(row.agents_available),
        count(row.agents_working),
    ) {
        (Some(l), Some(a), Some(w)) => {
            u64::from(l) == u64::from(a) + u64::from(w) + u64::from(unavailable)
        }
        _ => false,
    };
    Some(if includes_acw {
        unavailable.saturating_sub(acw)
    } else {
        unavailable
    })
}

/// Live figures of one activity row. `observed` falls back to the response's poll time when
/// the row has no serverTime.
pub fn queue_live(row: &SkillActivity, poll_time: Option<DateTime<Utc>>) -> QueueLive {
    let observed = real_time(row.server_time).or(poll_time);
    let waiting = count(row.queue_count);
    let longest_wait_s = match (waiting, real_time(row.earliest_queue_time), observed) {
        // Empty queue: nothing waits, whatever earliestQueueTime says (null, 0, stale value).
        (Some(0), _, _) => Some(0.0),
        (_, Some(earliest), Some(now)) => {
            Some(((now - earliest).num_milliseconds().max(0)) as f64 / 1000.0)
        }
        // Contacts waiting but no usable time: unknown, not zero.
        _ => None,
    };
    QueueLive {
        observed_at: observed,
        waiting,
        longest_wait_s,
        // CXone gives a count and the oldest time only.
        waiting_ages_s: None,
        agents: AgentCounts {
            available: count(row.agents_available),
            busy: count(row.agents_working),
            after_call_work: count(row.agents_acw),
            unavailable: unavailable_without_acw(row),
            not_responding: None,
            offline: None,
        },
    }
}

/// The live skill cache. Rows are merged by skillId (deltas carry whole rows); skills that
/// report `isActive = false` are dropped, as the official SDK does (REFERENCE §3.3).
#[derive(Debug, Default, Clone)]
pub struct SkillStore {
    rows: BTreeMap<String, SkillActivity>,
    /// Skills seen inactive: kept out even if the day's summary still lists them.
    inactive: HashSet<String>,
    /// Last known objective per skill: kept when a later row omits goal/threshold.
    objectives: HashMap<String, Option<SlObjective>>,
    /// `lastPollTime` to send as `updatedSince`; verbatim (never re-formatted).
    pub poll_time: Option<String>,
    pub loaded: bool,
    /// Bumped by every merge that changed a skill.
    version: u64,
}

impl SkillStore {
    pub fn merge(&mut self, rows: Vec<SkillActivity>, poll_time: Option<String>) {
        let mut changed = false;
        for row in rows {
            let Some(id) = row.skill_id.clone() else {
                continue;
            };
            changed = true;
            if row.is_active == Some(false) {
                self.rows.remove(&id);
                self.inactive.insert(id);
                continue;
            }
            self.inactive.remove(&id);
            if row.service_level_goal.is_some() || row.service_level_threshold.is_some() {
                self.objectives.insert(
                    id.clone(),
                    objective(row.service_level_goal, row.service_level_threshold),
                );
            }
            self.rows.insert(id, row);
        }
        if changed {
            self.version += 1;
        }
        // No body / no poll time (204, 304): keep the previous updatedSince.
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

    pub fn get(&self, id: &str) -> Option<&SkillActivity> {
        self.rows.get(id)
    }

    pub fn is_inactive(&self, id: &str) -> bool {
        self.inactive.contains(id)
    }

    pub fn objective(&self, id: &str) -> Option<SlObjective> {
        self.objectives.get(id).copied().flatten()
    }

    /// Changes whenever a merge changed a skill: with the agent store's
    /// [`AgentStore::version`] (and today's figures unchanged), equal versions mean
    /// [`build_queues`] would build the same queues again.
    pub fn version(&self) -> u64 {
        self.version
    }
}

/// Today's figures per skill, the two calls kept apart so either can go stale alone.
#[derive(Debug, Default, Clone)]
pub struct TodayStore {
    pub summaries: HashMap<String, SkillSummary>,
    pub summaries_at: Option<DateTime<Utc>>,
    pub sla: HashMap<String, SlaSummary>,
    pub sla_at: Option<DateTime<Utc>>,
    /// The last summary / sla-summary answer was "nothing" (204, or 404 on sla-summary):
    /// no contacts today, so every skill's counts are zeros, not unknown (errata 8).
    pub summary_none: bool,
    pub sla_none: bool,
}

impl TodayStore {
    pub fn set_summaries(&mut self, rows: Vec<SkillSummary>, at: DateTime<Utc>) {
        self.summaries = rows
            .into_iter()
            .filter_map(|r| r.skill_id.clone().map(|id| (id, r)))
            .collect();
        self.summaries_at = Some(at);
    }

    pub fn set_sla(&mut self, rows: Vec<SlaSummary>, at: DateTime<Utc>) {
        self.sla = rows
            .into_iter()
            .filter_map(|r| r.skill_id.clone().map(|id| (id, r)))
            .collect();
        self.sla_at = Some(at);
    }

    pub fn queue_today(&self, id: &str) -> QueueToday {
        let zero_summary = SkillSummary {
            contacts_offered: Some(0),
            contacts_handled: Some(0),
            abandon_count: Some(0),
            ..SkillSummary::default()
        };
        let zero_sla = SlaSummary {
            contacts_within_sla: Some(0),
            contacts_out_of_sla: Some(0),
            ..SlaSummary::default()
        };
        let summary = self
            .summaries
            .get(id)
            .or((self.summary_none && self.summaries_at.is_some()).then_some(&zero_summary));
        let sla = self
            .sla
            .get(id)
            .or((self.sla_none && self.sla_at.is_some()).then_some(&zero_sla));
        queue_today(summary, sla, self.summaries_at.or(self.sla_at))
    }
}

fn nonneg(x: Option<i64>) -> Option<u64> {
    x.and_then(|v| u64::try_from(v).ok())
}

fn ratio(num: Option<u64>, den: Option<u64>) -> Option<f64> {
    match (num, den) {
        (Some(n), Some(d)) if d > 0 => Some(n as f64 / d as f64),
        _ => None,
    }
}

/// Today's figures for one skill. Nothing is invented: a missing input leaves its figures `None`.
pub fn queue_today(
    summary: Option<&SkillSummary>,
    sla: Option<&SlaSummary>,
    fetched_at: Option<DateTime<Utc>>,
) -> QueueToday {
    let offered = summary.and_then(|s| nonneg(s.contacts_offered));
    let handled = summary.and_then(|s| nonneg(s.contacts_handled));
    let abandoned = summary.and_then(|s| nonneg(s.abandon_count));
    let aht_s = summary.and_then(|s| s.average_handle_time);
    let (within, total) = sla_counts(sla);
    QueueToday {
        fetched_at,
        offered,
        // CXone has no separate "answered" count for a skill: a handled contact was answered.
        answered: handled,
        abandoned,
        // contactsWithinSLA counts contacts answered within the skill's threshold.
        answered_within_threshold: within,
        abandoned_within_threshold: None,
        asa_s: summary.and_then(|s| s.average_speed_to_answer),
        aht_s,
        // One definition (errata 4): contactsWithinSLA / (contactsWithinSLA +
        // contactsOutOfSLA) from /skills/sla-summary, for the queue and the totals alike.
        service_level: ratio(within, total),
        sl_counted: total,
        abandon_rate: ratio(abandoned, offered),
        handle_time_total_s: match (aht_s, handled) {
            (Some(a), Some(h)) => Some(a * h as f64),
            _ => None,
        },
        handled,
    }
}

/// Within-SLA and total contacts, from sla-summary only.
fn sla_counts(sla: Option<&SlaSummary>) -> (Option<u64>, Option<u64>) {
    let from_sla = sla.and_then(|s| {
        let within = nonneg(s.contacts_within_sla)?;
        let total = match nonneg(s.contacts_out_of_sla) {
            Some(out) => within + out,
            None => nonneg(s.total_contacts)?,
        };
        Some((within, total))
    });
    // The summary's own within/out pair counts another population ("created during" the
    // window): not mixed in (errata 4).
    match from_sla {
        Some((w, t)) => (Some(w), Some(t)),
        None => (None, None),
    }
}

/// Every queue the source owns: the live skills plus any skill only today's summary knows
/// (so a failing live call does not blank the board), filtered by the user's patterns.
pub fn build_queues(
    skills: &SkillStore,
    today: &TodayStore,
    agents: Option<&AgentStore>,
    filter: &QueueFilter,
) -> Vec<Queue> {
    let poll_time = skills
        .poll_time
        .as_deref()
        .and_then(super::wire::parse_time);
    let mut out: Vec<Queue> = Vec::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for (id, row) in &skills.rows {
        let name = row.skill_name.clone().unwrap_or_else(|| id.clone());
        if !filter.matches(id, &name) {
            continue;
        }
        seen.insert(id);
        let mut live = queue_live(row, poll_time);
        if let Some(a) = agents {
            let tally = a.tally_on_skill(id);
            live.agents.not_responding =
                Some(tally[crate::domain::AgentState::NotResponding as usize]);
            live.agents.offline = Some(tally[crate::domain::AgentState::Offline as usize]);
        }
        out.push(Queue {
            id: id.clone(),
            name,
            media: media(row.media_type_id, row.media_type_name.as_deref()),
            vendor_objective: skills.objective(id),
            live,
            today: today.queue_today(id),
            // CXone gives no history of the queue length; the app samples its own.
            recent_waiting: Vec::new(),
        });
    }
    for (id, s) in &today.summaries {
        if seen.contains(id.as_str()) || skills.is_inactive(id) {
            continue;
        }
        let name = s.skill_name.clone().unwrap_or_else(|| id.clone());
        if !filter.matches(id, &name) {
            continue;
        }
        out.push(Queue {
            id: id.clone(),
            name,
            media: media(s.media_type_id, s.media_type_name.as_deref()),
            vendor_objective: skills
                .objective(id)
                .or_else(|| objective(s.service_level_goal, s.service_level_threshold)),
            live: QueueLive::default(),
            today: today.queue_today(id),
            // CXone gives no history of the queue length; the app samples its own.
            recent_waiting: Vec::new(),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.id.cmp(&b.id)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_moves_only_when_a_skill_changed() {
        let mut store = SkillStore::default();
        let row = SkillActivity {
            skill_id: Some("11".into()),
            ..SkillActivity::default()
        };
        store.merge(vec![row.clone()], Some("t1".into()));
        let v = store.version();
        store.merge(Vec::new(), Some("t2".into()));
        assert_eq!(store.version(), v);
        assert_eq!(store.poll_time.as_deref(), Some("t2"));
        store.merge(vec![row], None);
        assert_ne!(store.version(), v);
    }
}
