//! The built-in simulated contact centre, run as a source like any vendor's.
//!
//! At start it simulates the preceding 25 hours quickly ("starts warm"), so today's counters
//! and every agent's 24 h history exist on the first frame; then it follows the wall clock.

pub mod scenario;
pub mod sim;

use chrono::{DateTime, Utc};

use crate::config::DemoConfig;
use crate::domain::{Agent, AgentHistory, Queue, SourceHealth, SourceKind, SourceSnapshot};
use crate::source::feed::{EngineSettings, Feed, PartSpec, Vendor};
use crate::source::http::BoxFuture;
use crate::source::{SourceError, SourceOptions};
use scenario::Scenario;
use sim::Sim;

/// How far back the simulation starts before "now".
pub const WARM_UP: chrono::Duration = chrono::Duration::hours(25);

/// The simulated centre: one part, the simulation advanced to the clock.
pub struct Demo {
    name: String,
    sim: Sim,
    clock: Box<dyn Fn() -> DateTime<Utc> + Send>,
}

/// The demo source: the simulated centre on the polling engine.
pub type DemoSource = Feed<Demo>;

impl Feed<Demo> {
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
        let demo = Demo {
            name: cfg.name.clone(),
            sim,
            clock,
        };
        Ok(Feed::with_vendor(demo, EngineSettings::new(opts.refresh)))
    }

    pub fn sim(&self) -> &Sim {
        &self.vendor().sim
    }

    pub fn sim_mut(&mut self) -> &mut Sim {
        &mut self.vendor_mut().sim
    }

    /// Everything the centre shows, as of the simulation's clock.
    pub fn snapshot(&self) -> SourceSnapshot {
        let demo = self.vendor();
        let now = demo.sim.now();
        let (queues, agents) = demo.contents();
        SourceSnapshot {
            source: demo.name.clone(),
            kind: SourceKind::Demo,
            fetched_at: now,
            queues,
            agents,
            health: SourceHealth::live(now),
        }
    }
}

impl crate::source::IntervalHistory for Demo {
    /// The demo knows its own interval counters and hours, like a platform's interval report.
    fn intervals(&self) -> Option<crate::domain::SourceIntervals> {
        Some(crate::domain::SourceIntervals {
            source: self.name.clone(),
            fetched_at: self.sim.now(),
            queues: self.sim.intervals(),
        })
    }
}

impl Vendor for Demo {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Demo
    }

    fn parts(&self) -> Vec<PartSpec> {
        vec![PartSpec::every_round("simulation")]
    }

    async fn fetch(&mut self, _part: usize) -> Result<(), SourceError> {
        let now = (self.clock)();
        self.sim.advance_to(now);
        Ok(())
    }

    fn contents(&self) -> (Vec<Queue>, Option<Vec<Agent>>) {
        (self.sim.queues(), Some(self.sim.agents()))
    }

    fn now(&self) -> DateTime<Utc> {
        self.sim.now()
    }

    fn history_job(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BoxFuture<'static, Result<AgentHistory, SourceError>> {
        let now = (self.clock)();
        self.sim.advance_to(now);
        let result = self
            .sim
            .history(agent_id, from, to)
            .ok_or_else(|| SourceError::Fatal(format!("no agent with id {agent_id:?}")))
            .map(|(name, spans)| AgentHistory {
                agent_id: agent_id.to_string(),
                agent_name: name,
                from,
                to,
                spans,
                fetched_at: now,
            });
        Box::pin(std::future::ready(result))
    }
}
