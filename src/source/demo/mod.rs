//! The built-in simulated contact centre, run as a source like any vendor's.
//!
//! The centre is a pure function of (scenario, seed, instant): the simulation always starts
//! at the [`anchor`] of the instant asked about (00:00 UTC two days before that instant's
//! UTC date) with the same seeded generator, so any two processes asked about the same
//! instant replay the same events. It runs that start quickly ("starts warm": today's
//! counters, every agent's 24 h history and a few days of interval counts exist on the
//! first frame), then follows its clock (the wall clock, or `--at`). A board that runs past
//! 00:00 UTC moves to the new anchor (the centre is replayed from it, once a day), so it
//! keeps agreeing with a `snapshot` started later.

pub mod scenario;
pub mod sim;

use chrono::{DateTime, Utc};

use crate::config::DemoConfig;
use crate::domain::{
    Agent, AgentHistory, Figure, Queue, SourceHealth, SourceKind, SourceSnapshot, SplitReport,
};
use crate::source::feed::{EngineSettings, Feed, PartSpec, Vendor};
use crate::source::http::BoxFuture;
use crate::source::{SourceError, SourceOptions};
use scenario::Scenario;
use sim::Sim;

/// Whole UTC days simulated before the instant's own UTC date.
pub const WARM_UP_DAYS: i64 = 2;

/// Where the simulation of the centre at `t` starts: 00:00 UTC, [`WARM_UP_DAYS`] before
/// `t`'s UTC date (between 48 and 72 hours before `t`).
pub fn anchor(t: DateTime<Utc>) -> DateTime<Utc> {
    let day = t.date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    day - chrono::Duration::days(WARM_UP_DAYS)
}

/// The simulated centre: one part, the simulation advanced to the clock.
pub struct Demo {
    name: String,
    sim: Sim,
    /// Where `sim` started (the anchor of every instant it has been advanced to).
    anchor: DateTime<Utc>,
    scenario: Scenario,
    seed: u64,
    tz: Option<chrono_tz::Tz>,
    clock: Box<dyn Fn() -> DateTime<Utc> + Send>,
}

/// The demo source: the simulated centre on the polling engine.
pub type DemoSource = Feed<Demo>;

impl Feed<Demo> {
    /// A demo centre following the wall clock.
    pub fn new(cfg: &DemoConfig, opts: &SourceOptions) -> Result<DemoSource, String> {
        let clock = opts.clock;
        DemoSource::with_clock(cfg, opts, Box::new(move || clock.now()))
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
        let start = anchor(now);
        let mut sim = Sim::new(&scenario, cfg.seed, start, opts.timezone);
        sim.advance_to(now);
        let demo = Demo {
            name: cfg.name.clone(),
            sim,
            anchor: start,
            scenario,
            seed: cfg.seed,
            tz: opts.timezone,
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

impl Demo {
    /// Bring the centre to `t`: on from where it is while `t` has the same anchor, else
    /// replayed from `t`'s anchor (a new UTC day, or a clock set back), so the state at `t`
    /// never depends on when this process started or polled.
    fn advance_to(&mut self, t: DateTime<Utc>) {
        let start = anchor(t);
        if start != self.anchor || t < self.sim.now() {
            self.sim = Sim::new(&self.scenario, self.seed, start, self.tz);
            self.anchor = start;
        }
        self.sim.advance_to(t);
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
        self.advance_to(now);
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
        self.advance_to(now);
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

    /// The simulator knows each call's talk and after-call work; it has no holds, so hold
    /// is truly 0.
    fn split_job(
        &mut self,
        agent_id: &str,
        _to: DateTime<Utc>,
    ) -> Option<BoxFuture<'static, Result<SplitReport, SourceError>>> {
        let now = (self.clock)();
        self.advance_to(now);
        let result = self
            .sim
            .agent_day(agent_id)
            .ok_or_else(|| SourceError::Fatal(format!("no agent with id {agent_id:?}")))
            .map(|d| SplitReport {
                from: self.sim.day_start(),
                fetched_at: self.sim.now(),
                handled: Figure::Value(d.handled as f64),
                talk_s: Figure::Value(d.talk_ms as f64 / 1000.0),
                hold_s: Figure::Value(0.0),
                acw_s: Figure::Value(d.acw_ms as f64 / 1000.0),
            });
        Some(Box::pin(std::future::ready(result)))
    }
}
