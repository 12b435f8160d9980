//! Available agents per queue, ordered for routing: the first entry of a queue is the
//! longest-idle agent skilled for it (ties to the lower agent index), so picking one costs
//! O(log n) instead of a scan of every agent.

use std::collections::BTreeSet;

use super::Ms;

/// For each queue, the available agents serving it as `(idle since, agent index)`.
#[derive(Debug, Clone, Default)]
pub(super) struct IdleIndex {
    by_queue: Vec<BTreeSet<(Ms, usize)>>,
}

impl IdleIndex {
    pub fn new(queues: usize) -> IdleIndex {
        IdleIndex {
            by_queue: vec![BTreeSet::new(); queues],
        }
    }

    /// `agent`, idle since `since`, now takes work from each of `skills`.
    pub fn insert(&mut self, agent: usize, since: Ms, skills: &[usize]) {
        for &q in skills {
            if let Some(set) = self.by_queue.get_mut(q) {
                set.insert((since, agent));
            }
        }
    }

    /// `agent` (entered with `since`) is no longer available.
    pub fn remove(&mut self, agent: usize, since: Ms, skills: &[usize]) {
        for &q in skills {
            if let Some(set) = self.by_queue.get_mut(q) {
                set.remove(&(since, agent));
            }
        }
    }

    /// The longest-idle available agent for queue `q`.
    pub fn longest_idle(&self, q: usize) -> Option<usize> {
        self.by_queue.get(q)?.first().map(|&(_, a)| a)
    }

    /// How many agents are available for queue `q`.
    #[cfg(test)]
    pub fn len(&self, q: usize) -> usize {
        self.by_queue.get(q).map_or(0, BTreeSet::len)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The rule the index replaces: scan every agent.
    fn linear(agents: &[(bool, Ms, Vec<usize>)], q: usize) -> Option<usize> {
        (0..agents.len())
            .filter(|&a| agents[a].0 && agents[a].2.contains(&q))
            .min_by_key(|&a| (agents[a].1, a))
    }

    #[test]
    fn ties_go_to_the_lower_index() {
        let mut idx = IdleIndex::new(2);
        idx.insert(5, 100, &[0]);
        idx.insert(2, 100, &[0, 1]);
        idx.insert(7, 50, &[1]);
        assert_eq!(idx.longest_idle(0), Some(2));
        assert_eq!(idx.longest_idle(1), Some(7));
        idx.remove(2, 100, &[0, 1]);
        assert_eq!(idx.longest_idle(0), Some(5));
        assert_eq!(idx.longest_idle(3), None);
        assert_eq!(idx.len(1), 1);
    }

    proptest! {
        /// After any sequence of agents becoming available or not, the index picks the agent
        /// a scan of every agent would.
        #[test]
        fn same_choice_as_a_linear_scan(
            skills in prop::collection::vec(prop::collection::vec(0usize..6, 0..4), 1..30),
            steps in prop::collection::vec((0usize..30, any::<bool>(), 0i64..50), 0..200),
        ) {
            let queues = 6;
            let mut agents: Vec<(bool, Ms, Vec<usize>)> =
                skills.into_iter().map(|s| (false, 0, s)).collect();
            let mut idx = IdleIndex::new(queues);
            for (a, available, t) in steps {
                let a = a % agents.len();
                let (was, since, ref sk) = agents[a];
                if was {
                    idx.remove(a, since, sk);
                }
                if available {
                    idx.insert(a, t, sk);
                }
                agents[a].0 = available;
                agents[a].1 = if available { t } else { since };
                for q in 0..queues {
                    prop_assert_eq!(idx.longest_idle(q), linear(&agents, q));
                }
            }
        }
    }
}
