//! The built-in simulated contact centre, run as a source like any vendor's.
//!
//! At start it simulates the preceding 25 hours quickly ("starts warm"), so today's counters
//! and every agent's 24 h history exist on the first frame; then it follows the wall clock.

pub mod scenario;
pub mod sim;

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::config::DemoConfig;
use crate::domain::{AgentHistory, SourceHealth, SourceKind, SourceSnapshot};
use crate::source::{PollOutcome, Source, SourceError, SourceOptions};
use scenario::Scenario;
use sim::Sim;

/// How far back the simulation starts before "now".
pub const WARM_UP: chrono::Duration = chrono::Duration::hours(25);

pub struct DemoSource {
    name: String,
    sim: Sim,
    refresh: Duration,
    clock: Box<dyn Fn() -> DateTime<Utc> + Send>,
}

impl DemoSource {
    /// A demo centre following the wall clock.
    pub fn new(cfg: &DemoConfig, opts: &SourceOptions) -> Result<DemoSource, String> {
        DemoSource::with_clock(cfg, opts, Box::new(Utc::now))
    }

    /// A demo centre following `clock` (tests drive time themselves).
    pub fn with_clock(
        cfg: &DemoConfig,
        opts: &SourceOptions,
        clock: Box<dyn Fn() -> DateTime<Utc> + Send>,
    ) -> Result<DemoSource, String> {
        let scenario = match &cfg.scenario {
            Some(p) => Scenario::load(p)?,
            None => Scenario::builtin(),
        };
        let now = clock();
        let mut sim = Sim::new(&scenario, cfg.seed, now - WARM_UP, opts.timezone);
        sim.advance_to(now);
        Ok(DemoSource {
            name: cfg.name.clone(),
            sim,
            refresh: opts.refresh,
            clock,
        })
    }

    pub fn sim(&self) -> &Sim {
        &self.sim
    }

    pub fn sim_mut(&mut self) -> &mut Sim {
        &mut self.sim
    }

    /// Everything the centre shows, as of the simulation's clock.
    pub fn snapshot(&self) -> SourceSnapshot {
        let now = self.sim.now();
        SourceSnapshot {
            source: self.name.clone(),
            kind: SourceKind::Demo,
            fetched_at: now,
            queues: self.sim.queues(),
            agents: Some(self.sim.agents()),
            health: SourceHealth::live(now),
        }
    }
}

impl Source for DemoSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Demo
    }

    async fn poll(&mut self) -> PollOutcome {
        let now = (self.clock)();
        self.sim.advance_to(now);
        PollOutcome {
            snapshot: self.snapshot(),
            next_poll_in: self.refresh,
        }
    }

    async fn history(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<AgentHistory, SourceError> {
        let now = (self.clock)();
        self.sim.advance_to(now);
        let (name, spans) = self
            .sim
            .history(agent_id, from, to)
            .ok_or_else(|| SourceError::Fatal(format!("no agent with id {agent_id:?}")))?;
        Ok(AgentHistory {
            agent_id: agent_id.to_string(),
            agent_name: name,
            from,
            to,
            spans,
            fetched_at: now,
        })
    }
}
