//! Sources of live data: the demo centre and the vendor platforms.
//!
//! Each configured source runs as its own task. It publishes whole [`SourceSnapshot`]s
//! (latest value wins) and answers [`SourceCommand`]s; the app never waits on it.

pub mod channel;
pub mod cxone;
pub mod demo;
pub mod feed;
pub mod genesys;
pub mod http;
pub mod nats;
pub mod select;
pub mod ws;

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::domain::{AgentHistory, HandleSplit, SourceIntervals, SourceKind, SourceSnapshot};
use channel::{EventReceiver, EventSender};
use feed::{Feed, Vendor};

/// What a source tells the app.
#[derive(Debug)]
pub enum SourceEvent {
    /// Everything the source owns, as of now (replaces the previous snapshot).
    Snapshot(Box<SourceSnapshot>),
    /// The answer to [`SourceCommand::History`].
    History {
        source: String,
        agent_id: String,
        result: Result<AgentHistory, String>,
    },
    /// The answer to [`SourceCommand::Split`].
    Split {
        source: String,
        agent_id: String,
        result: Result<HandleSplit, String>,
    },
}

/// What the app asks of a source.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceCommand {
    /// Poll now instead of waiting for the next refresh.
    Refresh,
    /// Fetch one agent's state history over `[from, to]` (as its own job).
    History {
        agent_id: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
    /// Fetch one agent's handle-time split today, up to `to` (as its own job, beside the
    /// history: the agent page asks for both).
    Split { agent_id: String, to: DateTime<Utc> },
    /// Nobody looks at that agent's history any more: end its jobs (history and split) if
    /// they are still running.
    CancelHistory { agent_id: String },
}

/// Why a call to a platform failed; callers branch on the kind.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SourceError {
    /// Credentials refused: the message says which and how to fix it.
    #[error("{0}")]
    Auth(String),
    /// Authenticated but not allowed: names the missing permission when known.
    #[error("{0}")]
    Permission(String),
    /// The platform asked us to slow down.
    #[error("rate limited by the platform; retrying in {}s", retry_after.as_secs())]
    RateLimited { retry_after: Duration },
    /// Network error, timeout or 5xx: retried with backoff.
    #[error("{0}")]
    Transient(String),
    /// The platform answered with data we could not read.
    #[error("unexpected data from the platform: {0}")]
    Malformed(String),
    /// Not found, bad request, misconfiguration: retrying will not help without a change.
    #[error("{0}")]
    Fatal(String),
}

/// The result of one poll.
#[derive(Debug)]
pub struct PollOutcome {
    pub snapshot: SourceSnapshot,
    /// How long the engine waits before the next round (the refresh stretched by the
    /// request budget, a backoff after failures, or a server's `Retry-After`, capped).
    pub next_poll_in: Duration,
}

/// A source of contact-centre data, driven by the polling engine ([`feed::Feed`]).
pub trait Source: Send + 'static {
    fn name(&self) -> &str;
    fn kind(&self) -> SourceKind;

    /// Bring the data up to date and return everything the source owns. Never fails: errors
    /// are reported in the snapshot's health.
    fn poll(&mut self) -> impl Future<Output = PollOutcome> + Send;

    /// One agent's raw state history over `[from, to]`, every page read.
    fn history(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<AgentHistory, SourceError>> + Send;

    /// One agent's handle-time split today, up to `to`.
    fn split(
        &mut self,
        agent_id: &str,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<HandleSplit, SourceError>> + Send;
}

impl<V: Vendor> Source for Feed<V> {
    fn name(&self) -> &str {
        self.vendor().name()
    }

    fn kind(&self) -> SourceKind {
        self.vendor().kind()
    }

    fn poll(&mut self) -> impl Future<Output = PollOutcome> + Send {
        self.poll_round()
    }

    fn history(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<AgentHistory, SourceError>> + Send {
        self.fetch_history(agent_id, from, to)
    }

    fn split(
        &mut self,
        agent_id: &str,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<HandleSplit, SourceError>> + Send {
        self.fetch_split(agent_id, to)
    }
}

/// A source's interval history (`crate::domain::intervals`): what seeds the SL window at
/// once and what the time-of-day profile is learned from.
///
/// What each platform must supply (one [`SourceIntervals`] per round, or less often):
/// * every interval of today with its counters (offered, answered, answered within the
///   threshold, abandoned, abandoned within the threshold), by arrival interval, the
///   current one counted so far; intervals of 15 or 30 minutes (a 15-minute window needs
///   15-minute intervals);
/// * for the profile, the same counters for earlier days (the last 7 days, or the same
///   weekday last week), fetched once a day and cached by the source;
/// * `open_now` / `closes_at` when the platform knows the queue's hours.
///
/// Genesys: `POST /api/v2/analytics/conversations/aggregates/query` with
/// `granularity = "PT30M"` over today (and once a day over the last 7 days), grouped by
/// queueId, metrics nOffered, tAnswered, tAbandon, oServiceLevel. CXone: the skill summary
/// and sla-summary asked from each 30-minute interval start of today (no earlier days: the
/// forecast then works from today's intervals and says so). Until a source supplies them
/// the model counts an interval from its first sample at the boundary (or says "counted
/// since").
pub trait IntervalHistory {
    fn intervals(&self) -> Option<SourceIntervals> {
        None
    }
}

/// Today's 30-minute intervals from the summaries asked from each interval's start.
impl IntervalHistory for cxone::Cxone {
    fn intervals(&self) -> Option<SourceIntervals> {
        self.interval_history()
    }
}

/// Drive a source until the app goes away: rounds on the engine's schedule; a history or
/// split request becomes its own job beside the polling (a newer request of the same kind
/// for the same agent, or a cancel, ends the older job). Ends when either channel closes.
pub async fn run<V: Vendor>(
    feed: Feed<V>,
    events: EventSender,
    commands: mpsc::Receiver<SourceCommand>,
) {
    run_with(feed, events, commands, |_| None).await
}

/// [`run`], sending the source's interval history after each snapshot.
pub async fn run_with<V: Vendor>(
    mut feed: Feed<V>,
    events: EventSender,
    mut commands: mpsc::Receiver<SourceCommand>,
    intervals: fn(&V) -> Option<SourceIntervals>,
) {
    let mut jobs: Jobs = HashMap::new();
    let wake = feed.vendor().wake();
    let woken = || {
        let w = wake.clone();
        async move {
            match w {
                Some(n) => n.notified().await,
                None => std::future::pending().await,
            }
        }
    };
    let mut queued: Vec<SourceCommand> = Vec::new();
    let mut last_publish;
    feed.allow_push();
    'rounds: loop {
        // Commands that arrive during a round are answered right after it.
        let outcome = {
            let poll = feed.poll_round();
            tokio::pin!(poll);
            loop {
                tokio::select! {
                    out = &mut poll => break out,
                    cmd = commands.recv() => match cmd {
                        None => break 'rounds,
                        Some(c) => queued.push(c),
                    },
                }
            }
        };
        last_publish = tokio::time::Instant::now();
        if events
            .send(SourceEvent::Snapshot(Box::new(outcome.snapshot)))
            .is_err()
        {
            break;
        }
        if let Some(iv) = intervals(feed.vendor())
            && events.send_intervals(iv).is_err()
        {
            break;
        }
        let mut refresh_now = false;
        for cmd in queued.drain(..) {
            refresh_now |= answer(&mut feed, cmd, &events, &mut jobs).await;
        }
        if refresh_now {
            continue;
        }
        let sleep = tokio::time::sleep(outcome.next_poll_in);
        tokio::pin!(sleep);
        // Pushed news between rounds: applied as it comes, published at most every
        // PUSH_PUBLISH_EVERY (the latest snapshot wins anyway; this bounds the work).
        let mut publish_at: Option<tokio::time::Instant> = None;
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                _ = woken() => break,
                cmd = commands.recv() => match cmd {
                    None => break 'rounds,
                    Some(c) => {
                        if answer(&mut feed, c, &events, &mut jobs).await {
                            break;
                        }
                    }
                },
                _ = feed.pushed(), if publish_at.is_none() => {
                    let earliest = last_publish + PUSH_PUBLISH_EVERY;
                    publish_at = Some(earliest.max(tokio::time::Instant::now()));
                }
                _ = sleep_until_opt(publish_at) => {
                    publish_at = None;
                    // What came meanwhile goes into this snapshot (one poll: `pushed`
                    // applies whatever is queued and only waits when nothing is).
                    let _ = tokio::time::timeout(Duration::ZERO, feed.pushed()).await;
                    if feed.round_wanted() {
                        break;
                    }
                    last_publish = tokio::time::Instant::now();
                    if events
                        .send(SourceEvent::Snapshot(Box::new(feed.publish())))
                        .is_err()
                    {
                        break 'rounds;
                    }
                }
            }
        }
        jobs.retain(|_, j| !j.is_finished());
    }
    for (_, j) in jobs {
        j.abort();
    }
}

/// Pushed news is published at most this often (a board cannot show more, and each
/// snapshot costs the app a re-derivation of every row).
pub const PUSH_PUBLISH_EVERY: Duration = Duration::from_millis(200);

async fn sleep_until_opt(at: Option<tokio::time::Instant>) {
    match at {
        Some(t) => tokio::time::sleep_until(t).await,
        None => std::future::pending().await,
    }
}

/// The kinds of job a source runs for one agent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Job {
    History,
    Split,
}

/// The jobs running, by kind and agent id.
type Jobs = HashMap<(Job, String), tokio::task::JoinHandle<()>>;

/// Act on one command; `true` = poll now.
async fn answer<V: Vendor>(
    feed: &mut Feed<V>,
    cmd: SourceCommand,
    events: &EventSender,
    jobs: &mut Jobs,
) -> bool {
    match cmd {
        SourceCommand::Refresh => true,
        SourceCommand::CancelHistory { agent_id } => {
            for kind in [Job::History, Job::Split] {
                if let Some(j) = jobs.remove(&(kind, agent_id.clone())) {
                    j.abort();
                }
            }
            false
        }
        SourceCommand::Split { agent_id, to } => {
            let job = feed.split_job(&agent_id, to).await;
            let tx = events.clone();
            let source = feed.vendor().name().to_string();
            let id = agent_id.clone();
            let handle = tokio::spawn(async move {
                let result = job.await;
                let _ = tx.send(SourceEvent::Split {
                    source,
                    agent_id: id,
                    result,
                });
            });
            if let Some(old) = jobs.insert((Job::Split, agent_id), handle) {
                old.abort();
            }
            false
        }
        SourceCommand::History { agent_id, from, to } => {
            let job = feed.history_job(&agent_id, from, to).await;
            let tx = events.clone();
            let source = feed.vendor().name().to_string();
            let id = agent_id.clone();
            let handle = tokio::spawn(async move {
                let result = job.await;
                let _ = tx.send(SourceEvent::History {
                    source,
                    agent_id: id,
                    result,
                });
            });
            if let Some(old) = jobs.insert((Job::History, agent_id), handle) {
                old.abort();
            }
            false
        }
    }
}

/// Settings every source gets besides its own configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceOptions {
    /// How often live figures are polled (sources may stretch it to respect rate limits).
    pub refresh: Duration,
    /// Time zone for "today" (local midnight → now); `None` = the machine's.
    pub timezone: Option<chrono_tz::Tz>,
    /// Where the demo centre reads "now" (platforms always follow the wall clock).
    pub clock: crate::domain::time::Clock,
}

/// Handles to the running source tasks, by name.
pub struct Sources {
    handles: Vec<(String, mpsc::Sender<SourceCommand>)>,
}

impl Sources {
    pub fn len(&self) -> usize {
        self.handles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.handles.is_empty()
    }

    /// Send a command to every source (dropped if a source is busy: commands are hints).
    pub fn broadcast(&self, cmd: SourceCommand) {
        for (_, tx) in &self.handles {
            let _ = tx.try_send(cmd.clone());
        }
    }

    pub fn send(&self, name: &str, cmd: SourceCommand) {
        if let Some((_, tx)) = self.handles.iter().find(|(n, _)| n == name) {
            let _ = tx.try_send(cmd);
        }
    }
}

/// Build the source for one configuration entry.
pub fn build(cfg: &crate::config::SourceConfig, opts: &SourceOptions) -> Result<AnySource, String> {
    use crate::config::SourceConfig;
    match cfg {
        SourceConfig::Demo(c) => demo::DemoSource::new(c, opts).map(AnySource::Demo),
        SourceConfig::Genesys(c) => genesys::GenesysSource::new(c.clone(), opts.clone())
            .map(AnySource::Genesys)
            .map_err(|e| format!("source {:?}: {e}", c.name)),
        SourceConfig::Cxone(c) => cxone::CxoneSource::new(c.clone(), opts.clone())
            .map(AnySource::Cxone)
            .map_err(|e| format!("source {:?}: {e}", c.name)),
        SourceConfig::Nats(c) => nats::NatsSource::new(c.clone(), opts)
            .map(AnySource::Nats)
            .map_err(|e| format!("source {:?}: {e}", c.name)),
    }
}

/// One of the source kinds (static dispatch keeps the trait's async fns simple).
#[allow(clippy::large_enum_variant)] // one value per configured source: size is irrelevant
pub enum AnySource {
    Demo(demo::DemoSource),
    Cxone(cxone::CxoneSource),
    Genesys(genesys::GenesysSource),
    Nats(nats::NatsSource),
}

impl AnySource {
    pub fn name(&self) -> &str {
        match self {
            AnySource::Demo(s) => s.name(),
            AnySource::Cxone(s) => s.name(),
            AnySource::Genesys(s) => s.name(),
            AnySource::Nats(s) => s.name(),
        }
    }

    pub async fn poll(&mut self) -> PollOutcome {
        match self {
            AnySource::Demo(s) => s.poll().await,
            AnySource::Cxone(s) => s.poll().await,
            AnySource::Genesys(s) => s.poll().await,
            AnySource::Nats(s) => s.poll().await,
        }
    }

    /// The source's interval history, when it has one.
    pub fn intervals(&self) -> Option<SourceIntervals> {
        match self {
            AnySource::Demo(s) => s.vendor().intervals(),
            AnySource::Cxone(s) => s.vendor().intervals(),
            AnySource::Genesys(s) => s.vendor().intervals(),
            AnySource::Nats(s) => s.vendor().intervals(),
        }
    }

    pub async fn history(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<AgentHistory, SourceError> {
        match self {
            AnySource::Demo(s) => s.history(agent_id, from, to).await,
            AnySource::Cxone(s) => s.history(agent_id, from, to).await,
            AnySource::Genesys(s) => s.history(agent_id, from, to).await,
            AnySource::Nats(s) => s.history(agent_id, from, to).await,
        }
    }

    /// One agent's handle-time split today, up to `to`.
    pub async fn split(
        &mut self,
        agent_id: &str,
        to: DateTime<Utc>,
    ) -> Result<HandleSplit, SourceError> {
        match self {
            AnySource::Demo(s) => s.split(agent_id, to).await,
            AnySource::Cxone(s) => s.split(agent_id, to).await,
            AnySource::Genesys(s) => s.split(agent_id, to).await,
            AnySource::Nats(s) => s.split(agent_id, to).await,
        }
    }

    fn spawn(self, events: EventSender) -> mpsc::Sender<SourceCommand> {
        let (tx, rx) = mpsc::channel(16);
        match self {
            AnySource::Demo(s) => tokio::spawn(run_with(s, events, rx, |v| v.intervals())),
            AnySource::Cxone(s) => tokio::spawn(run_with(s, events, rx, |v| v.intervals())),
            AnySource::Genesys(s) => tokio::spawn(run_with(s, events, rx, |v| v.intervals())),
            AnySource::Nats(s) => tokio::spawn(run_with(s, events, rx, |v| v.intervals())),
        };
        tx
    }
}

/// Start one task per configured source. Events from all of them arrive on the returned
/// receiver, the latest snapshot of each source replacing an unread older one.
pub fn spawn_all(config: &crate::config::Config) -> Result<(Sources, EventReceiver), String> {
    let (tx, rx) = channel::channel();
    let mut handles = Vec::new();
    for cfg in &config.sources {
        let opts = SourceOptions {
            refresh: config.refresh,
            timezone: config.timezone_of(cfg.name()).0,
            clock: config.clock,
        };
        let s = build(cfg, &opts)?;
        handles.push((s.name().to_string(), s.spawn(tx.clone())));
    }
    Ok((Sources { handles }, rx))
}
