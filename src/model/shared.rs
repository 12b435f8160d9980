//! Shared agents counted once. An agent who serves several queues is one person: their
//! busy time goes to each of their queues by that queue's share of the offered load among
//! them, and a queue counts an agent for all but the time their other queues take
//! (effective agents). Staffing — agents needed, short, spare — is judged on that, so no
//! "spare" agents appear who are busy elsewhere, and idle agents are not lost at night. The board's per-queue columns keep the
//! platform's counts. (The projected SL and breach risk keep the platform's count: with
//! longest-waiting-first routing shared agents are one pool, and the calibration harness
//! found forecasts on the split count clearly worse — see `crate::calibrate`.)

use std::collections::HashMap;

use crate::domain::{Agent, AgentState};

/// How the staffed agents the source lists for one queue relate to their effective
/// number.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Share {
    /// Staffed agents listed for the queue (available, busy, after-call work, not
    /// responding).
    pub listed: u32,
    /// Of those, agents who also serve another queue of the source.
    pub shared: u32,
    /// The listed agents' time not taken by their other queues (≤ `listed`): each counts
    /// 1 − (share of their work elsewhere × how busy they are).
    pub effective: f64,
}

impl Share {
    /// The staffed agents' worth of this queue's work: the platform's staffed count scaled
    /// by the listed agents' share (`effective ÷ listed`); the count itself when nobody
    /// is shared.
    pub fn effective_of(&self, staffed: u32) -> f64 {
        if self.listed == 0 || self.shared == 0 {
            return f64::from(staffed);
        }
        f64::from(staffed) * (self.effective / f64::from(self.listed)).clamp(0.0, 1.0)
    }
}

fn staffed(s: AgentState) -> bool {
    matches!(
        s,
        AgentState::Available
            | AgentState::Busy
            | AgentState::AfterCallWork
            | AgentState::NotResponding
    )
}

/// Rounds of proportional fitting (converges to well under 0.1 agent long before).
const FIT_ROUNDS: usize = 40;

/// Each queue's [`Share`] from the source's agents and each queue's offered load (in
/// erlangs, or any unit common to all queues).
///
/// A shared agent's time goes to their queues in proportion to each queue's offered load
/// per agent already serving it — what routing the longest-waiting contact to the next free
/// agent does: a queue with its own large team needs less of a shared agent than a small
/// queue with the same load. Found by proportional fitting: start from the loads, then
/// multiply each queue's weight by its load ÷ the effective agents it has, until that
/// settles. Every
/// staffed agent counts exactly once over all their queues. An agent's queues without a
/// known, positive load get nothing while one of them has a load; when none has, the
/// agent is split evenly. Queues not in `load` are not the source's and are ignored.
pub fn shares(agents: &[Agent], load: &HashMap<String, Option<f64>>) -> HashMap<String, Share> {
    let ids: Vec<&String> = load.keys().collect();
    let index: HashMap<&str, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, q)| (q.as_str(), i))
        .collect();
    let loads: Vec<f64> = ids
        .iter()
        .map(|q| {
            load.get(*q)
                .copied()
                .flatten()
                .filter(|x| x.is_finite() && *x > 0.0)
                .unwrap_or(0.0)
        })
        .collect();
    // Each staffed agent's queues (deduplicated, the source's only).
    let mut members: Vec<Vec<usize>> = Vec::new();
    for a in agents.iter().filter(|a| staffed(a.state)) {
        let mut mine: Vec<usize> = Vec::new();
        for q in &a.queues {
            if let Some(&i) = index.get(q.as_str())
                && !mine.contains(&i)
            {
                mine.push(i);
            }
        }
        if !mine.is_empty() {
            members.push(mine);
        }
    }
    let n = ids.len();
    let mut weight = loads.clone();
    let mut effective = vec![0.0; n];
    for round in 0..=FIT_ROUNDS {
        effective.iter_mut().for_each(|e| *e = 0.0);
        for mine in &members {
            let total: f64 = mine.iter().map(|&i| weight[i]).sum();
            let k = mine.len() as f64;
            for &i in mine {
                effective[i] += if total > 0.0 {
                    weight[i] / total
                } else {
                    1.0 / k
                };
            }
        }
        if round == FIT_ROUNDS {
            break;
        }
        // Multiplicative update: a queue with more load than agents pulls harder. Scaled
        // back to a mean weight of one so it can neither vanish nor overflow.
        let mut sum = 0.0;
        for i in 0..n {
            if loads[i] > 0.0 && effective[i] > 0.0 {
                weight[i] *= loads[i] / effective[i];
            }
            sum += weight[i];
        }
        if sum > 0.0 && sum.is_finite() {
            let mean = sum / n as f64;
            weight.iter_mut().for_each(|w| *w /= mean);
        }
    }
    // Each queue's occupancy: its load over the agents' time it has.
    let occupancy: Vec<f64> = (0..n)
        .map(|i| {
            if effective[i] > 0.0 {
                (loads[i] / effective[i]).clamp(0.0, 1.0)
            } else {
                0.0
            }
        })
        .collect();
    let mut out: HashMap<String, Share> = HashMap::new();
    for mine in &members {
        let total: f64 = mine.iter().map(|&i| weight[i]).sum();
        let k = mine.len() as f64;
        let w = |i: usize| {
            if total > 0.0 {
                weight[i] / total
            } else {
                1.0 / k
            }
        };
        // How busy the agent is, over all their queues.
        let busy = mine
            .iter()
            .map(|&i| w(i) * occupancy[i])
            .sum::<f64>()
            .clamp(0.0, 1.0);
        for &i in mine {
            let s = out.entry(ids[i].clone()).or_default();
            s.listed += 1;
            if mine.len() > 1 {
                s.shared += 1;
            }
            // Everything but the time their other queues take: a free shared agent is
            // there for this queue too.
            s.effective += 1.0 - (1.0 - w(i)) * busy;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agent(id: &str, state: AgentState, queues: &[&str]) -> Agent {
        Agent {
            id: id.into(),
            name: id.into(),
            state,
            reason: None,
            since: None,
            queues: queues.iter().map(|q| q.to_string()).collect(),
            contact: None,
            team: None,
        }
    }

    fn load(pairs: &[(&str, Option<f64>)]) -> HashMap<String, Option<f64>> {
        pairs.iter().map(|(q, l)| (q.to_string(), *l)).collect()
    }

    #[test]
    fn an_agent_counts_once_across_queues_by_load() {
        let agents = [
            agent("a", AgentState::Available, &["sales", "billing"]),
            agent("b", AgentState::Busy, &["sales"]),
            agent("c", AgentState::Unavailable, &["sales", "billing"]),
        ];
        let s = shares(
            &agents,
            &load(&[("sales", Some(3.0)), ("billing", Some(1.0))]),
        );
        let sales = s["sales"];
        let billing = s["billing"];
        assert_eq!((sales.listed, sales.shared), (2, 1));
        assert_eq!((billing.listed, billing.shared), (1, 1));
        // Sales has its own agent for 3 erlangs; billing only the shared one for 1: the
        // shared agent goes where the load per agent is highest, but sales keeps its own.
        assert!(sales.effective >= 1.0 && billing.effective > 0.0);
        // Saturated (4 erlangs on 2 agents): every minute of theirs goes to one queue or
        // the other, so each person counts once over both.
        assert!((sales.effective + billing.effective - 2.0).abs() < 1e-9);
        // Equal load per agent: 3 / 1.5 = 1 / 0.5.
        assert!((sales.effective - 1.5).abs() < 1e-3, "{sales:?}");
        assert!((billing.effective - 0.5).abs() < 1e-3, "{billing:?}");
    }

    #[test]
    fn unknown_loads_split_evenly_and_foreign_queues_are_ignored() {
        let agents = [agent("a", AgentState::Available, &["x", "y", "elsewhere"])];
        // No load anywhere: the agent is free, for either queue.
        let s = shares(&agents, &load(&[("x", None), ("y", Some(0.0))]));
        assert!((s["x"].effective - 1.0).abs() < 1e-12);
        assert!((s["y"].effective - 1.0).abs() < 1e-12);
        assert!(!s.contains_key("elsewhere"));
        // A queue with load takes all of an agent whose other queues have none.
        let s = shares(&agents, &load(&[("x", Some(2.0)), ("y", None)]));
        assert!((s["x"].effective - 1.0).abs() < 1e-12);
        assert_eq!(s["y"].effective, 0.0);
    }

    #[test]
    fn effective_count_scales_the_platform_count() {
        let s = Share {
            listed: 4,
            shared: 4,
            effective: 1.0,
        };
        assert!((s.effective_of(8) - 2.0).abs() < 1e-12);
        assert_eq!(s.effective_of(0), 0.0);
        let none = Share {
            listed: 3,
            shared: 0,
            effective: 3.0,
        };
        assert_eq!(
            none.effective_of(5),
            5.0,
            "nobody shared: the platform's count"
        );
    }

    #[test]
    fn a_large_team_does_not_swallow_the_shared_agents() {
        // Ten sales agents of their own and four shared with billing; equal loads per
        // head would give billing 4 × 2/(2+10)… by load alone. Fitted, billing (2 erlangs)
        // keeps enough of the shared four to match sales' 10 erlangs over its agents.
        let mut agents: Vec<Agent> = (0..10)
            .map(|i| agent(&format!("s{i}"), AgentState::Busy, &["sales"]))
            .collect();
        agents.extend((0..4).map(|i| {
            agent(
                &format!("b{i}"),
                AgentState::Available,
                &["sales", "billing"],
            )
        }));
        let s = shares(
            &agents,
            &load(&[("sales", Some(10.0)), ("billing", Some(2.0))]),
        );
        let (sales, billing) = (s["sales"].effective, s["billing"].effective);
        // Fitted to equal occupancy (12 erlangs on 14 agents: 6/7 busy), billing's share
        // of the shared four is 14 × 2/12 ÷ 4 = 7/12 of their work; each is there for
        // billing except the 5/12 of their busy time sales takes: 4 × (1 − 5/12 × 6/7).
        let want_billing = 4.0 * (1.0 - 5.0 / 12.0 * 6.0 / 7.0);
        assert!((billing - want_billing).abs() < 0.01, "billing {billing}");
        // Sales: its own ten, and the shared four but for billing's part of their time.
        let want_sales = 10.0 + 4.0 * (1.0 - 7.0 / 12.0 * 6.0 / 7.0);
        assert!((sales - want_sales).abs() < 0.01, "sales {sales}");
        // By load alone billing would have had 4 × 2/12 ≈ 0.67.
        assert!(billing > 2.0);
    }

    #[test]
    fn idle_shared_agents_count_for_every_queue_busy_ones_once() {
        let agents = [
            agent("a", AgentState::Available, &["x", "y"]),
            agent("b", AgentState::Available, &["x", "y"]),
        ];
        // A quiet night: both agents are there for both queues.
        let s = shares(&agents, &load(&[("x", Some(0.01)), ("y", Some(0.01))]));
        assert!(s["x"].effective > 1.98 && s["y"].effective > 1.98, "{s:?}");
        // Saturated: every agent busy, their time split by load.
        let s = shares(&agents, &load(&[("x", Some(3.0)), ("y", Some(1.0))]));
        assert!((s["x"].effective - 1.5).abs() < 1e-3, "{s:?}");
        assert!((s["y"].effective - 0.5).abs() < 1e-3, "{s:?}");
    }

    #[test]
    fn duplicate_memberships_count_once() {
        let agents = [agent("a", AgentState::Available, &["x", "x"])];
        let s = shares(&agents, &load(&[("x", Some(1.0))]));
        assert_eq!((s["x"].listed, s["x"].shared), (1, 0));
        assert!((s["x"].effective - 1.0).abs() < 1e-12);
    }
}
