//! The push glue of a Genesys source: the push task the push part starts (`push.rs` owns
//! the channel), what it sent applied to the same state the REST parts fill, the push
//! part's state for the engine, and what is shown now: each part's last REST answer with
//! the pushed changes since over it. When the push is live and which parts are urgent is
//! said here; when they run is the engine's (`source::feed`).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::push::{self, AgentChange, PushMsg};
use super::queues::{self, MAX_QUEUES_PER_QUERY};
use super::{AGENTS, Genesys, LIVE, agents};
use crate::config::PushMode;
use crate::domain::{Agent, AgentCounts, Queue, QueueLive};
use crate::source::SourceError;
use crate::source::feed::{PushState, Vendor};

/// The push task and what it told so far, and the pushed changes since the last REST
/// answer of each part (applied over it in `contents`).
#[derive(Default)]
pub(super) struct Pushing {
    task: Option<PushTask>,
    up: bool,
    heard_at: Option<DateTime<Utc>>,
    newest_event: Option<DateTime<Utc>>,
    down: Option<SourceError>,
    bad: Option<(String, DateTime<Utc>)>,
    bad_events: u64,
    channels: usize,
    rejected: Vec<(String, String)>,
    /// Each queue's REST waiting count per media (`fetch_live` keeps it), and the pushed
    /// ones since.
    pub(super) rest_waiting: HashMap<String, HashMap<String, u32>>,
    waiting: HashMap<String, HashMap<String, u32>>,
    waiting_at: HashMap<String, DateTime<Utc>>,
    agents: HashMap<String, AgentChange>,
    /// (user, queue) → joined, pushed since the last agent list.
    members: HashMap<(String, String), bool>,
    /// A fresh REST snapshot is wanted (after a (re)connect or an unknown member).
    resnapshot_live: bool,
    resnapshot_agents: bool,
    /// Queues whose waiting count changed by push: their ages are polled early.
    ages_wanted: Vec<String>,
    last_early_ages: Option<Instant>,
    last_full_live: Option<Instant>,
}

struct PushTask {
    handle: tokio::task::JoinHandle<()>,
    rx: mpsc::Receiver<PushMsg>,
    /// What the topics were made from (a change restarts the push).
    key: u64,
    ended: bool,
}

impl Drop for PushTask {
    fn drop(&mut self) {
        self.handle.abort();
    }
}

/// Pushed messages applied at once at most (the rest at the next wake).
const PUSH_BATCH: usize = 20_000;
/// A bad pushed event keeps the push part in ERROR this long.
const BAD_EVENT_SHOWN: chrono::Duration = chrono::Duration::seconds(60);

impl Genesys {
    fn agent_ids(&self) -> Vec<String> {
        self.agents.iter().flatten().map(|a| a.id.clone()).collect()
    }

    /// What the push topics are made from, hashed.
    fn push_key(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for q in self.queues.iter().flatten() {
            q.id.hash(&mut h);
        }
        for a in self.agents.iter().flatten() {
            a.id.hash(&mut h);
        }
        h.finish()
    }

    fn push_live(&self) -> bool {
        self.push_state().is_some_and(|p| p.live)
    }

    /// Start (or restart, when the queues or agents changed) the push task.
    pub(super) fn start_push(&mut self) -> Result<(), SourceError> {
        let topics = push::topics(&self.watched_ids(), &self.agent_ids());
        let key = self.push_key();
        self.pushing.task = None;
        self.pushing.up = false;
        self.pushing.down = None;
        push::shard(&topics)?;
        let (tx, rx) = mpsc::channel(4096);
        let handle = tokio::spawn(push::run(
            self.api.clone(),
            topics,
            self.tuning.push.clone(),
            tx,
        ));
        self.pushing.task = Some(PushTask {
            handle,
            rx,
            key,
            ended: false,
        });
        Ok(())
    }

    /// A queue's waiting count now: the REST count per media with the pushed ones over it.
    fn waiting_now(&self, id: &str) -> Option<u32> {
        let pushed = self.pushing.waiting.get(id)?;
        let mut by_media = self
            .pushing
            .rest_waiting
            .get(id)
            .cloned()
            .unwrap_or_default();
        for (m, n) in pushed {
            by_media.insert(m.clone(), *n);
        }
        Some(by_media.values().fold(0u32, |a, b| a.saturating_add(*b)))
    }

    fn apply_push(&mut self, m: PushMsg) {
        let now = Utc::now();
        let p = &mut self.pushing;
        match m {
            PushMsg::Up {
                channels,
                permitted,
                rejected,
            } => {
                tracing::info!(source = %self.name, channels, topics = permitted, rejected = rejected.len(), "push channel up");
                p.up = true;
                p.heard_at = Some(now);
                p.down = None;
                p.channels = channels;
                p.rejected = rejected;
                // Whatever changed before the subscriptions took hold is read again.
                p.resnapshot_live = true;
                p.resnapshot_agents = true;
            }
            PushMsg::Down(e) => {
                p.up = false;
                p.down = Some(e);
            }
            PushMsg::Heard => p.heard_at = Some(now),
            PushMsg::Queue {
                queue_id,
                media,
                waiting,
                at,
            } => {
                p.heard_at = Some(now);
                p.newest_event = p.newest_event.max(Some(at.unwrap_or(now).min(now)));
                let Some(w) = waiting else { return };
                let before = self
                    .waiting_now(&queue_id)
                    .or_else(|| self.live.get(&queue_id).and_then(|l| l.waiting));
                let p = &mut self.pushing;
                p.waiting
                    .entry(queue_id.clone())
                    .or_default()
                    .insert(media, w);
                p.waiting_at
                    .insert(queue_id.clone(), at.unwrap_or(now).min(now));
                let after = self.waiting_now(&queue_id);
                let p = &mut self.pushing;
                if after != before && after.unwrap_or(0) > 0 && !p.ages_wanted.contains(&queue_id) {
                    p.ages_wanted.push(queue_id);
                }
            }
            PushMsg::Agent(c) => {
                p.heard_at = Some(now);
                p.newest_event = p.newest_event.max(Some(c.at().unwrap_or(now).min(now)));
                if !self.agents.iter().flatten().any(|a| a.id == c.id) {
                    return;
                }
                let p = &mut self.pushing;
                p.members.retain(|(u, _), _| *u != c.id);
                p.agents.insert(c.id.clone(), c);
            }
            PushMsg::Member {
                user_id,
                queue_id,
                joined,
            } => {
                p.heard_at = Some(now);
                p.newest_event = p.newest_event.max(Some(now));
                if self.agents.iter().flatten().any(|a| a.id == user_id) {
                    self.pushing.members.insert((user_id, queue_id), joined);
                } else if joined {
                    // A new member: its name and state come with the agent list.
                    self.pushing.resnapshot_agents = true;
                }
            }
            PushMsg::Bad(why) => {
                tracing::warn!(source = %self.name, "push event refused: {why}");
                p.heard_at = Some(now);
                p.bad = Some((why, now));
                p.bad_events += 1;
            }
        }
    }

    /// The agents with what was pushed since the agent list applied.
    pub(super) fn agents_now(&self) -> Option<Vec<Agent>> {
        let agents = self.agents.as_ref()?;
        if self.pushing.agents.is_empty() && self.pushing.members.is_empty() {
            return Some(agents.clone());
        }
        let watched: HashSet<&str> = self
            .queues
            .iter()
            .flatten()
            .map(|q| q.id.as_str())
            .collect();
        let presences = self.presences.clone().unwrap_or_default();
        let mut out = agents.clone();
        for a in &mut out {
            if let Some(c) = self.pushing.agents.get(&a.id) {
                agents::apply_change(a, c, &presences, &watched);
            }
        }
        for ((user, queue), joined) in &self.pushing.members {
            if !watched.contains(queue.as_str()) {
                continue;
            }
            if let Some(a) = out.iter_mut().find(|a| a.id == *user) {
                a.queues.retain(|q| q != queue);
                if *joined {
                    a.queues.push(queue.clone());
                    a.queues.sort();
                }
            }
        }
        // An agent who left every watched queue is no longer on the board.
        out.retain(|a| !a.queues.is_empty());
        Some(out)
    }

    /// A queue's live figures with the pushed waiting count over the REST ones. A changed
    /// count makes the REST ages unknown until they are polled again (soon).
    fn live_now(&self, id: &str) -> QueueLive {
        let mut live = self.live.get(id).cloned().unwrap_or_default();
        if let Some(w) = self.waiting_now(id)
            && live.waiting != Some(w)
        {
            live.waiting = Some(w);
            live.observed_at = self
                .pushing
                .waiting_at
                .get(id)
                .copied()
                .or(live.observed_at);
            if w == 0 {
                live.longest_wait_s = Some(0.0);
                live.waiting_ages_s = Some(vec![]);
            } else {
                live.longest_wait_s = None;
                live.waiting_ages_s = None;
            }
        }
        live
    }

    pub(super) fn push_state_now(&self) -> Option<PushState> {
        if self.push_mode == PushMode::Off {
            return None;
        }
        let p = &self.pushing;
        let now = Utc::now();
        let timeout = chrono::Duration::from_std(self.tuning.push.heartbeat_timeout)
            .unwrap_or(chrono::Duration::seconds(60));
        let alive_until = p.heard_at.map(|t| t + timeout);
        let live = p.task.is_some() && p.up && alive_until.is_some_and(|t| t > now);
        let error = if live {
            p.bad
                .as_ref()
                .filter(|(_, at)| now - *at < BAD_EVENT_SHOWN)
                .map(|(why, _)| {
                    SourceError::Malformed(format!(
                        "a pushed event was refused ({} so far): {why}",
                        p.bad_events
                    ))
                })
        } else if p.up {
            Some(SourceError::Transient(
                "no heartbeat on the push channel; reconnecting".into(),
            ))
        } else {
            p.down.clone()
        };
        let mut uncovered = Vec::new();
        if p.rejected.iter().any(|(t, _)| t.ends_with(".observations")) {
            uncovered.push(LIVE);
        }
        if p.rejected
            .iter()
            .any(|(t, _)| t.ends_with(".activity") || t.ends_with(".users"))
        {
            uncovered.push(AGENTS);
        }
        let note = (!p.rejected.is_empty()).then(|| {
            let (t, why) = &p.rejected[0];
            format!(
                "{} push topics rejected, their figures are polled (e.g. {t}: {why})",
                p.rejected.len()
            )
        });
        Some(PushState {
            live,
            newest_event: p.newest_event,
            heard_at: p.heard_at,
            alive_until,
            error,
            note,
            uncovered,
        })
    }

    /// The push part may start: push wanted, the queues and agents known, and no task yet
    /// for these topics.
    pub(super) fn push_wanted(&self) -> bool {
        self.push_mode != PushMode::Off
            && self.queues.is_some()
            && self.agents.is_some()
            && self
                .pushing
                .task
                .as_ref()
                .is_none_or(|t| t.key != self.push_key())
    }

    /// Wait for the push task's next messages (a batch) and apply them.
    pub(super) async fn receive_pushed(&mut self) {
        let mut msgs = Vec::new();
        match self.pushing.task.as_mut() {
            Some(t) if !t.ended => match t.rx.recv().await {
                Some(m) => {
                    msgs.push(m);
                    while msgs.len() < PUSH_BATCH {
                        match t.rx.try_recv() {
                            Ok(m) => msgs.push(m),
                            Err(_) => break,
                        }
                    }
                }
                None => t.ended = true,
            },
            _ => std::future::pending::<()>().await,
        }
        for m in msgs {
            self.apply_push(m);
        }
    }

    /// A re-snapshot after a (re)connect or an unknown member, or early ages for queues
    /// whose waiting count was pushed.
    pub(super) fn push_urgent(&self, part: usize) -> bool {
        if self.push_mode == PushMode::Off {
            return false;
        }
        let p = &self.pushing;
        match part {
            LIVE => {
                p.resnapshot_live
                    || (!p.ages_wanted.is_empty()
                        && self.push_live()
                        && p.last_early_ages
                            .is_none_or(|t| t.elapsed() >= self.tuning.push.early_ages_every))
            }
            AGENTS => p.resnapshot_agents,
            _ => false,
        }
    }

    /// The live part: every watched queue, or, while pushed and soon after a full read,
    /// only the queues whose waiting count was pushed (their ages).
    pub(super) async fn fetch_live_part(&mut self) -> Result<(), SourceError> {
        let ids = self.watched_ids();
        let p = &self.pushing;
        let early = !p.resnapshot_live
            && !p.ages_wanted.is_empty()
            && self.push_live()
            && p.last_full_live
                .is_some_and(|t| t.elapsed() < self.tuning.push.live_reconcile);
        if early {
            // Only the queues whose waiting count was pushed, one request's worth.
            let n = p.ages_wanted.len().min(MAX_QUEUES_PER_QUERY);
            let some: Vec<String> = self.pushing.ages_wanted.drain(..n).collect();
            self.pushing.last_early_ages = Some(Instant::now());
            let got = self.fetch_live(&some).await?;
            for id in &some {
                self.pushing.waiting.remove(id);
            }
            self.live.extend(got);
        } else {
            self.live = self.fetch_live(&ids).await?;
            let p = &mut self.pushing;
            p.waiting.clear();
            p.ages_wanted.clear();
            p.resnapshot_live = false;
            p.last_full_live = Some(Instant::now());
        }
        Ok(())
    }

    /// The agents part: a new agent list, which replaces what was pushed before it.
    pub(super) async fn fetch_agents_part(&mut self) -> Result<(), SourceError> {
        let ids = self.watched_ids();
        self.agents = Some(self.fetch_agents(&ids).await?);
        let p = &mut self.pushing;
        p.agents.clear();
        p.members.clear();
        p.resnapshot_agents = false;
        Ok(())
    }

    /// The queue rows now, with the agents now (`agents_now`) counted on each.
    pub(super) fn queues_now(&self, agents_now: Option<&[Agent]>) -> Vec<Queue> {
        let counts = agents_now.map(agents::counts_by_queue);
        self.queues
            .iter()
            .flatten()
            .map(|q| {
                let seen = self.media_seen.get(&q.id).copied().unwrap_or_default();
                Queue {
                    id: q.id.clone(),
                    name: q.name.clone(),
                    media: queues::row_media(seen),
                    vendor_objective: queues::row_objective(q, seen),
                    live: {
                        let mut live = self.live_now(&q.id);
                        live.agents = match &counts {
                            // Joined members by their normalised state (errata 1).
                            Some(c) => AgentCounts {
                                // Genesys has no after-call-work routing state: unknown.
                                after_call_work: None,
                                ..c.get(q.id.as_str())
                                    .cloned()
                                    .unwrap_or_else(|| AgentCounts::from_states(std::iter::empty()))
                            },
                            // Without the agent list only the on-queue counts are known;
                            // off-queue and offline cannot be told from the observation.
                            None => AgentCounts {
                                unavailable: None,
                                offline: None,
                                ..live.agents
                            },
                        };
                        live
                    },
                    today: self.today.get(&q.id).cloned().unwrap_or_default(),
                    // Genesys gives no waiting history; the app keeps its own samples.
                    recent_waiting: Vec::new(),
                }
            })
            .collect()
    }

    /// Requests per round for the live figures and the agents, given the requests of one
    /// full read of each (`batches`, `agents`) and a cadence's share of rounds: while
    /// pushed, each at its reconciliation cadence (and at most one early ages request per
    /// `early_ages_every`), unless its topics were rejected.
    pub(super) fn live_and_agent_requests(
        &self,
        batches: f64,
        agents: f64,
        share: impl Fn(Duration) -> f64,
    ) -> (f64, f64) {
        match self.push_state_now() {
            Some(p) if p.live => {
                let t = &self.tuning.push;
                let live = if p.uncovered.contains(&LIVE) {
                    batches
                } else {
                    batches * share(t.live_reconcile) + share(t.early_ages_every)
                };
                let agents = if p.uncovered.contains(&AGENTS) {
                    agents
                } else {
                    agents * share(t.agents_reconcile)
                };
                (live, agents)
            }
            _ => (batches, agents),
        }
    }
}
