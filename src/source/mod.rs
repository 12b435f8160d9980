//! Sources of live data: the demo centre and the vendor platforms.
//!
//! Each configured source runs as its own task. It publishes whole [`SourceSnapshot`]s
//! (latest value wins) and answers [`SourceCommand`]s; the app never waits on it.

pub mod cxone;
pub mod demo;
pub mod genesys;
pub mod http;
pub mod select;

use std::future::Future;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use crate::domain::{AgentHistory, SourceKind, SourceSnapshot};

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
}

/// What the app asks of a source.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceCommand {
    /// Poll now instead of waiting for the next refresh.
    Refresh,
    /// Fetch one agent's state history over `[from, to]`.
    History {
        agent_id: String,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    },
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
    /// How long to wait before the next poll (the source may stretch its refresh to stay
    /// inside a rate budget, or back off after errors).
    pub next_poll_in: Duration,
}

/// A source of contact-centre data. Implementations keep their own caches and partial
/// results: a failure in one call marks what it feeds as stale, it never blanks the rest.
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
}

/// Drive a source until the app goes away: poll on its schedule, answer commands between
/// polls. Ends when either channel closes.
pub async fn run<S: Source>(
    mut source: S,
    events: mpsc::Sender<SourceEvent>,
    mut commands: mpsc::Receiver<SourceCommand>,
) {
    loop {
        let outcome = source.poll().await;
        if events
            .send(SourceEvent::Snapshot(Box::new(outcome.snapshot)))
            .await
            .is_err()
        {
            return;
        }
        let sleep = tokio::time::sleep(outcome.next_poll_in);
        tokio::pin!(sleep);
        loop {
            tokio::select! {
                _ = &mut sleep => break,
                cmd = commands.recv() => match cmd {
                    None => return,
                    Some(SourceCommand::Refresh) => break,
                    Some(SourceCommand::History { agent_id, from, to }) => {
                        let result = source
                            .history(&agent_id, from, to)
                            .await
                            .map_err(|e| e.to_string());
                        let ev = SourceEvent::History {
                            source: source.name().to_string(),
                            agent_id,
                            result,
                        };
                        if events.send(ev).await.is_err() {
                            return;
                        }
                    }
                },
            }
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
    }
}

/// One of the source kinds (static dispatch keeps the trait's async fns simple).
#[allow(clippy::large_enum_variant)] // one value per configured source: size is irrelevant
pub enum AnySource {
    Demo(demo::DemoSource),
    Cxone(cxone::CxoneSource),
    Genesys(genesys::GenesysSource),
}

impl AnySource {
    pub fn name(&self) -> &str {
        match self {
            AnySource::Demo(s) => s.name(),
            AnySource::Cxone(s) => s.name(),
            AnySource::Genesys(s) => s.name(),
        }
    }

    pub async fn poll(&mut self) -> PollOutcome {
        match self {
            AnySource::Demo(s) => s.poll().await,
            AnySource::Cxone(s) => s.poll().await,
            AnySource::Genesys(s) => s.poll().await,
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
        }
    }

    fn spawn(self, events: mpsc::Sender<SourceEvent>) -> mpsc::Sender<SourceCommand> {
        let (tx, rx) = mpsc::channel(16);
        match self {
            AnySource::Demo(s) => tokio::spawn(run(s, events, rx)),
            AnySource::Cxone(s) => tokio::spawn(run(s, events, rx)),
            AnySource::Genesys(s) => tokio::spawn(run(s, events, rx)),
        };
        tx
    }
}

/// Start one task per configured source. Events from all of them arrive on the returned
/// receiver (bounded: a slow consumer slows the sources instead of growing a backlog).
pub fn spawn_all(
    config: &crate::config::Config,
) -> Result<(Sources, mpsc::Receiver<SourceEvent>), String> {
    let opts = SourceOptions {
        refresh: config.refresh,
        timezone: config.timezone,
    };
    let (tx, rx) = mpsc::channel(64);
    let mut handles = Vec::new();
    for cfg in &config.sources {
        let s = build(cfg, &opts)?;
        handles.push((s.name().to_string(), s.spawn(tx.clone())));
    }
    Ok((Sources { handles }, rx))
}
