//! A viewer source (`kind = "nats"`): the board, `snapshot` and `history` read a collector's
//! figures (`queuetop serve`) from NATS instead of asking the vendor.
//!
//! It runs on the polling engine like any vendor, with one part, the collector link. The
//! latest value of each of the collector's parts is read from the centre's key-value bucket
//! (so a new viewer paints at once, and after every reconnection); changes arrive on the
//! part subjects and wake the engine at once. The health shown is the viewer's own link
//! first (no connection to NATS; no word from the collector), then the source's health as
//! the collector published it, so "the collector is down" never reads as "the vendor is
//! down". With `--at` (a clock that is not the wall's) the parts are read from the
//! collector's look-back stream instead, as they were at that instant.

pub mod link;
pub mod names;
pub mod wire;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::Client;
use async_nats::jetstream;
use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tokio::sync::Notify;

use crate::config::NatsConfig;
use crate::domain::time::Clock;
use crate::domain::{Agent, AgentHistory, Queue, SourceHealth, SourceIntervals, SourceKind};
use crate::source::feed::{EngineSettings, Feed, PartSpec, Vendor};
use crate::source::http::BoxFuture;
use crate::source::{SourceError, SourceOptions};
use link::LinkState;
use wire::{Part, Stamp};

/// The key-value bucket is read again at least this often (core NATS may drop a change).
const RESYNC_EVERY: Duration = Duration::from_secs(30);
/// How long a key-value or stream call may take before the round gives up on it.
const CALL_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a history request waits for the collector.
const HISTORY_TIMEOUT: Duration = Duration::from_secs(25);
/// The look-back reads from this long before the instant asked about: the collector
/// republishes every part at least once a minute, so every part's value at the instant is
/// in that span.
pub const KEYFRAME_EVERY: Duration = Duration::from_secs(60);
const LOOKBACK_LEAD: chrono::Duration = chrono::Duration::seconds(150);
/// At most this many of a centre's sources are buffered from the subscription.
const MAX_SOURCES: usize = 64;

/// What the collector last said about its source.
struct HeldHealth {
    stamp: Stamp,
    published_at: DateTime<Utc>,
    heartbeat_s: f64,
    kind: String,
    health: SourceHealth,
    /// When the viewer last had news of the collector (a new health stamp), on the
    /// viewer's clock, less the message's age when it was read from the bucket.
    seen: DateTime<Utc>,
}

#[derive(Default)]
struct Held {
    health: Option<HeldHealth>,
    queues: Option<(Stamp, Vec<Queue>)>,
    agents: Option<(Stamp, Option<Vec<Agent>>)>,
    intervals: Option<(Stamp, SourceIntervals)>,
    /// The last message that could not be read.
    problem: Option<String>,
}

/// Raw messages from the subscription, the latest per (source, part), read by the next round.
#[derive(Default)]
struct Pending {
    latest: HashMap<(String, Part), bytes::Bytes>,
}

struct Conn {
    client: Client,
    js: jetstream::Context,
    kv: Option<jetstream::kv::Store>,
    state: Arc<LinkState>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Conn {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The look-back reader: an ordered consumer on the source's subjects, and the first
/// message past the instant reached so far.
struct Lookback {
    messages: jetstream::consumer::pull::Ordered,
    peek: Option<jetstream::Message>,
}

/// A collector's source seen over NATS.
pub struct Nats {
    name: String,
    cfg: NatsConfig,
    clock: Clock,
    conn: Option<Conn>,
    pending: Arc<Mutex<Pending>>,
    wake: Arc<Notify>,
    held: Held,
    /// The collector's name for the source, once known.
    upstream: Option<String>,
    last_sync: Option<Instant>,
    synced_connects: u64,
    lookback: Option<Lookback>,
}

/// The viewer source: the collector's figures on the polling engine.
pub type NatsSource = Feed<Nats>;

impl Feed<Nats> {
    pub fn new(cfg: NatsConfig, opts: &SourceOptions) -> Result<NatsSource, String> {
        crate::config::check_nats_url(&cfg.url)?;
        crate::config::check_centre(&cfg.centre)?;
        let v = Nats {
            name: cfg.name.clone(),
            upstream: cfg.source.clone(),
            cfg,
            clock: opts.clock,
            conn: None,
            pending: Arc::default(),
            wake: Arc::new(Notify::new()),
            held: Held::default(),
            last_sync: None,
            synced_connects: 0,
            lookback: None,
        };
        Ok(Feed::with_vendor(v, EngineSettings::new(opts.refresh)))
    }
}

fn transient(m: impl Into<String>) -> SourceError {
    SourceError::Transient(m.into())
}

/// The oldest a collector's heartbeat may be before the collector counts as down.
fn dead_after(heartbeat_s: f64) -> chrono::Duration {
    let hb = if heartbeat_s.is_finite() {
        heartbeat_s.clamp(0.2, 60.0)
    } else {
        5.0
    };
    chrono::Duration::milliseconds(((hb * 3.0).max(3.0) * 1000.0) as i64)
}

impl Nats {
    fn lookback_mode(&self) -> bool {
        !self.clock.is_wall()
    }

    /// The connection, made on first use (in the background: the client keeps retrying).
    async fn conn(&mut self) -> Result<&Conn, SourceError> {
        if self.conn.is_none() {
            let state = Arc::new(LinkState::default());
            let client = link::connect(
                &self.cfg.url,
                &self.cfg.auth,
                &format!("queuetop viewer {}", self.name),
                state.clone(),
            )
            .await
            .map_err(SourceError::Fatal)?;
            let js = jetstream::new(client.clone());
            let task = if self.lookback_mode() {
                tokio::spawn(async {})
            } else {
                tokio::spawn(subscribe(
                    client.clone(),
                    self.cfg.centre.clone(),
                    self.pending.clone(),
                    self.wake.clone(),
                ))
            };
            self.conn = Some(Conn {
                client,
                js,
                kv: None,
                state,
                task,
            });
        }
        self.conn
            .as_ref()
            .ok_or_else(|| transient("no NATS connection"))
    }

    /// Why the link is down, if it is. The first time, the connection is given a few
    /// seconds to come up (a one-shot `snapshot` polls once).
    async fn link_down(&mut self) -> Option<SourceError> {
        let (client, state) = self
            .conn
            .as_ref()
            .map(|c| (c.client.clone(), c.state.clone()))?;
        if link::is_connected(&client) {
            return None;
        }
        if state.connects.load(std::sync::atomic::Ordering::SeqCst) == 0 {
            let _ = tokio::time::timeout(CALL_TIMEOUT, async {
                while !link::is_connected(&client) {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
            .await;
            if link::is_connected(&client) {
                return None;
            }
        }
        let why = state
            .problem()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        Some(transient(format!(
            "no connection to NATS at {}{why}; reconnecting",
            self.cfg.url
        )))
    }

    /// The centre's bucket (opened once per connection).
    async fn kv(&mut self) -> Result<jetstream::kv::Store, SourceError> {
        let centre = self.cfg.centre.clone();
        let conn = self
            .conn
            .as_mut()
            .ok_or_else(|| transient("no NATS connection"))?;
        if let Some(kv) = &conn.kv {
            return Ok(kv.clone());
        }
        let kv = tokio::time::timeout(CALL_TIMEOUT, conn.js.get_key_value(names::bucket(&centre)))
            .await
            .map_err(|_| transient("NATS did not answer within 5 s"))?
            .map_err(|e| {
                transient(format!(
                    "nothing published for centre {centre:?} on NATS ({}): is `queuetop serve --centre {centre}` running?",
                    crate::domain::text::printable(&e.to_string())
                ))
            })?;
        conn.kv = Some(kv.clone());
        Ok(kv)
    }

    async fn kv_get(
        kv: &jetstream::kv::Store,
        key: &str,
    ) -> Result<Option<bytes::Bytes>, SourceError> {
        tokio::time::timeout(CALL_TIMEOUT, kv.get(key))
            .await
            .map_err(|_| transient("NATS did not answer within 5 s"))?
            .map_err(|e| {
                transient(format!(
                    "cannot read the centre's bucket: {}",
                    crate::domain::text::printable(&e.to_string())
                ))
            })
    }

    /// The collector's source this viewer shows: the configured one, else the only one in
    /// the manifest.
    async fn resolve(&mut self) -> Result<String, SourceError> {
        if let Some(s) = &self.upstream {
            return Ok(s.clone());
        }
        let kv = self.kv().await?;
        let centre = self.cfg.centre.clone();
        let Some(bytes) = Self::kv_get(&kv, names::MANIFEST_KEY).await? else {
            return Err(transient(format!(
                "the collector of centre {centre:?} has not said what it publishes yet"
            )));
        };
        let m: wire::Envelope<wire::Manifest> =
            wire::decode(&bytes).map_err(SourceError::Malformed)?;
        let sources: Vec<String> = m
            .body
            .sources
            .into_iter()
            .take(MAX_SOURCES)
            .map(wire::bounded)
            .collect();
        match sources.as_slice() {
            [one] => {
                self.upstream = Some(one.clone());
                Ok(one.clone())
            }
            [] => Err(transient(format!(
                "the collector of centre {centre:?} publishes no source"
            ))),
            many => Err(SourceError::Fatal(format!(
                "the collector of centre {centre:?} publishes {} sources ({}): add source = \"…\" to source {:?}",
                many.len(),
                many.join(", "),
                self.name
            ))),
        }
    }

    /// Read every part of `src` from the bucket.
    async fn sync(&mut self, src: &str) -> Result<(), SourceError> {
        let kv = self.kv().await?;
        for part in Part::ALL {
            if let Some(bytes) = Self::kv_get(&kv, &names::key(src, part)).await? {
                self.apply(part, &bytes, None);
            }
        }
        if self.held.health.is_none() {
            return Err(transient(format!(
                "the collector of centre {:?} has published nothing for source {src:?} yet",
                self.cfg.centre
            )));
        }
        Ok(())
    }

    /// Take one part's message if it is newer than what is held. `arrived` is when it was
    /// published on the viewer's clock (pushed now, or a look-back instant); `None` for a
    /// value read from the bucket (aged by its own publication time).
    fn apply(&mut self, part: Part, bytes: &[u8], arrived: Option<DateTime<Utc>>) {
        let now = self.now();
        let src = self.upstream.clone().unwrap_or_default();
        let fail = |held: &mut Held, e: String| {
            tracing::warn!(source = %crate::domain::text::printable(&src), part = part.as_str(), "unreadable message from the collector: {e}");
            held.problem = Some(format!("{} from the collector: {e}", part.as_str()));
        };
        let newer = |have: Option<Stamp>, got: Stamp| have.is_none_or(|h| got > h);
        match part {
            Part::Health => match wire::decode::<wire::HealthWire>(bytes) {
                Ok(env) if newer(self.held.health.as_ref().map(|h| h.stamp), env.stamp) => {
                    let age = (now - env.published_at).max(chrono::Duration::zero());
                    self.held.health = Some(HeldHealth {
                        stamp: env.stamp,
                        published_at: env.published_at,
                        heartbeat_s: env.body.heartbeat_s,
                        kind: wire::bounded(env.body.kind.clone()),
                        health: wire::health_from(env.body),
                        seen: arrived.unwrap_or(now - age),
                    });
                }
                Ok(_) => {}
                Err(e) => fail(&mut self.held, e),
            },
            Part::Queues => match wire::decode::<Vec<wire::QueueWire>>(bytes) {
                Ok(env) if newer(self.held.queues.as_ref().map(|q| q.0), env.stamp) => {
                    self.held.queues = Some((env.stamp, wire::queues_from(env.body)));
                }
                Ok(_) => {}
                Err(e) => fail(&mut self.held, e),
            },
            Part::Agents => match wire::decode::<wire::AgentsWire>(bytes) {
                Ok(env) if newer(self.held.agents.as_ref().map(|a| a.0), env.stamp) => {
                    self.held.agents = Some((env.stamp, wire::agents_from(env.body)));
                }
                Ok(_) => {}
                Err(e) => fail(&mut self.held, e),
            },
            Part::Intervals => match wire::decode::<wire::IntervalsWire>(bytes) {
                Ok(env) if newer(self.held.intervals.as_ref().map(|i| i.0), env.stamp) => {
                    self.held.intervals =
                        Some((env.stamp, wire::intervals_from(&self.name, env.body)));
                }
                Ok(_) => {}
                Err(e) => fail(&mut self.held, e),
            },
        }
    }

    /// What the subscription brought since the last round.
    fn apply_pushed(&mut self, src: &str) {
        let now = self.now();
        let taken: Vec<(Part, bytes::Bytes)> = {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            Part::ALL
                .into_iter()
                .filter_map(|part| p.latest.remove(&(src.to_string(), part)).map(|b| (part, b)))
                .collect()
        };
        // Health last: it is the mark of a round.
        for (part, bytes) in taken.iter().filter(|(p, _)| *p != Part::Health) {
            self.apply(*part, bytes, Some(now));
        }
        for (part, bytes) in taken.iter().filter(|(p, _)| *p == Part::Health) {
            self.apply(*part, bytes, Some(now));
        }
    }

    /// The collector is down when its heartbeat is overdue (at `at`).
    fn check_alive(&self, at: DateTime<Utc>) -> Result<(), SourceError> {
        let Some(h) = &self.held.health else {
            return Ok(());
        };
        let silent = at - h.seen;
        if silent > dead_after(h.heartbeat_s) {
            return Err(transient(format!(
                "no word from the collector of centre {:?} since {} ({} s): is `queuetop serve` running?",
                self.cfg.centre,
                h.published_at.format("%H:%M:%S"),
                silent.num_seconds()
            )));
        }
        Ok(())
    }

    async fn fetch_live(&mut self) -> Result<(), SourceError> {
        let src = self.resolve().await?;
        let connects = self
            .conn
            .as_ref()
            .map(|c| c.state.connects.load(std::sync::atomic::Ordering::SeqCst))
            .unwrap_or(0);
        let due = self.held.health.is_none()
            || connects != self.synced_connects
            || self.last_sync.is_none_or(|t| t.elapsed() >= RESYNC_EVERY);
        if due {
            if connects != self.synced_connects
                && let Some(c) = self.conn.as_mut()
            {
                // A new connection may be to a restarted server: open the bucket anew.
                c.kv = None;
            }
            self.sync(&src).await?;
            self.synced_connects = connects;
            self.last_sync = Some(Instant::now());
        }
        self.apply_pushed(&src);
        self.check_alive(self.now())
    }

    /// Read the look-back stream up to the clock's instant.
    async fn fetch_lookback(&mut self) -> Result<(), SourceError> {
        let src = self.resolve().await?;
        let target = self.clock.now();
        if self.lookback.is_none() {
            let conn = self
                .conn
                .as_ref()
                .ok_or_else(|| transient("no NATS connection"))?;
            let centre = &self.cfg.centre;
            let mut stream =
                tokio::time::timeout(CALL_TIMEOUT, conn.js.get_stream(names::stream(centre)))
                    .await
                    .map_err(|_| transient("NATS did not answer within 5 s"))?
                    .map_err(|e| {
                        transient(format!(
                            "centre {centre:?} has no look-back stream on NATS ({})",
                            crate::domain::text::printable(&e.to_string())
                        ))
                    })?;
            let first = stream
                .info()
                .await
                .map(|i| i.state.first_timestamp)
                .map_err(|e| transient(format!("cannot read the look-back stream: {e}")))?;
            if first > target {
                return Err(SourceError::Fatal(format!(
                    "the collector's look-back starts at {}, after {}: nothing to show",
                    first.format("%Y-%m-%d %H:%M:%S UTC"),
                    target.format("%Y-%m-%d %H:%M:%S UTC")
                )));
            }
            let consumer = stream
                // Every source of the centre, sorted out here (a 2.9 server takes no filter
                // that spans the stream's several subject patterns).
                .create_consumer(jetstream::consumer::pull::OrderedConfig {
                    deliver_policy: jetstream::consumer::DeliverPolicy::ByStartTime {
                        start_time: target - LOOKBACK_LEAD,
                    },
                    ..Default::default()
                })
                .await
                .map_err(|e| transient(format!("cannot read the look-back stream: {e}")))?;
            let messages = consumer
                .messages()
                .await
                .map_err(|e| transient(format!("cannot read the look-back stream: {e}")))?;
            self.lookback = Some(Lookback {
                messages,
                peek: None,
            });
        }
        let centre = self.cfg.centre.clone();
        while let Some(lb) = self.lookback.as_mut() {
            let msg = match lb.peek.take() {
                Some(m) => m,
                None => match tokio::time::timeout(Duration::from_millis(300), lb.messages.next())
                    .await
                {
                    Ok(Some(Ok(m))) => m,
                    Ok(Some(Err(e))) => {
                        self.lookback = None;
                        return Err(transient(format!("the look-back stream failed: {e}")));
                    }
                    Ok(None) | Err(_) => break,
                },
            };
            let (published, pending) = match msg.info() {
                Ok(i) => (i.published, i.pending),
                Err(_) => continue,
            };
            if published > target {
                lb.peek = Some(msg);
                break;
            }
            if let Some((s, part)) = names::parse_subject(&centre, msg.subject.as_str())
                && s == src
            {
                let payload = msg.payload.clone();
                self.apply(part, &payload, Some(published));
            }
            if pending == 0 {
                break;
            }
        }
        if self.held.health.is_none() {
            return Err(SourceError::Fatal(format!(
                "the collector's look-back holds nothing for source {src:?} at {}",
                target.format("%Y-%m-%d %H:%M:%S UTC")
            )));
        }
        self.check_alive(target)
    }
}

/// Keep the latest message of every part of the centre's sources, and wake the engine
/// when a round's health mark arrives.
async fn subscribe(
    client: Client,
    centre: String,
    pending: Arc<Mutex<Pending>>,
    wake: Arc<Notify>,
) {
    let subject = format!("queuetop.{centre}.*.*");
    loop {
        let mut sub = match client.subscribe(subject.clone()).await {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!("cannot subscribe to {subject}: {e}; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        while let Some(msg) = sub.next().await {
            if msg.payload.len() > wire::MAX_MESSAGE_BYTES {
                continue;
            }
            let Some((src, part)) = names::parse_subject(&centre, msg.subject.as_str()) else {
                continue;
            };
            {
                let mut p = pending.lock().unwrap_or_else(|e| e.into_inner());
                let known = p.latest.keys().any(|(s, _)| *s == src);
                if !known && p.latest.len() >= MAX_SOURCES * Part::ALL.len() {
                    continue;
                }
                p.latest.insert((src, part), msg.payload);
            }
            if part == Part::Health {
                wake.notify_one();
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

impl crate::source::IntervalHistory for Nats {
    /// The collector's interval history of the source, as relayed.
    fn intervals(&self) -> Option<SourceIntervals> {
        self.held.intervals.as_ref().map(|(_, iv)| {
            let mut iv = iv.clone();
            iv.source = self.name.clone();
            iv
        })
    }
}

impl Vendor for Nats {
    fn name(&self) -> &str {
        &self.name
    }

    fn kind(&self) -> SourceKind {
        SourceKind::Nats
    }

    fn parts(&self) -> Vec<PartSpec> {
        vec![PartSpec::every_round("collector link")]
    }

    async fn fetch(&mut self, _part: usize) -> Result<(), SourceError> {
        self.conn().await?;
        if let Some(e) = self.link_down().await {
            return Err(e);
        }
        if self.lookback_mode() {
            self.fetch_lookback().await
        } else {
            self.fetch_live().await
        }
    }

    fn contents(&self) -> (Vec<Queue>, Option<Vec<Agent>>) {
        (
            self.held
                .queues
                .as_ref()
                .map(|(_, q)| q.clone())
                .unwrap_or_default(),
            self.held.agents.as_ref().and_then(|(_, a)| a.clone()),
        )
    }

    fn notes(&self) -> Vec<String> {
        let mut n = Vec::new();
        if let (Some(src), Some(h)) = (&self.upstream, &self.held.health) {
            n.push(format!(
                "via the collector of centre {} (its source {src}, {})",
                self.cfg.centre, h.kind
            ));
        }
        if let Some(p) = &self.held.problem {
            n.push(p.clone());
        }
        n
    }

    fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    fn wake(&self) -> Option<Arc<Notify>> {
        Some(self.wake.clone())
    }

    fn upstream(&self) -> Option<SourceHealth> {
        self.held.health.as_ref().map(|h| h.health.clone())
    }

    async fn prepare_history(&mut self) -> Result<(), SourceError> {
        self.conn().await?;
        if let Some(e) = self.link_down().await {
            return Err(e);
        }
        self.resolve().await.map(|_| ())
    }

    fn history_job(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BoxFuture<'static, Result<AgentHistory, SourceError>> {
        let (Some(conn), Some(src)) = (&self.conn, &self.upstream) else {
            return Box::pin(std::future::ready(Err(transient(
                "not connected to the collector yet",
            ))));
        };
        let client = conn.client.clone();
        let subject = names::history_subject(&self.cfg.centre, src);
        let hours = ((to - from).num_minutes() as f64 / 60.0)
            .ceil()
            .clamp(1.0, 48.0) as u32;
        let at = (!self.clock.is_wall()).then_some(to);
        let req = wire::HistoryRequest {
            agent_id: agent_id.to_string(),
            hours,
            to: at,
        };
        Box::pin(async move {
            let body = serde_json::to_vec(&req).map_err(|e| SourceError::Fatal(e.to_string()))?;
            let answer =
                tokio::time::timeout(HISTORY_TIMEOUT, client.request(subject, body.into()))
                    .await
                    .map_err(|_| {
                        transient("the collector did not answer the history request within 25 s")
                    })?
                    .map_err(|e| match e.kind() {
                        async_nats::RequestErrorKind::NoResponders => transient(
                            "no collector answers history requests (is `queuetop serve` running?)",
                        ),
                        _ => transient(format!("history request failed: {e}")),
                    })?;
            if answer.payload.len() > wire::MAX_MESSAGE_BYTES {
                return Err(SourceError::Malformed("history answer too large".into()));
            }
            let a: wire::HistoryAnswer = serde_json::from_slice(&answer.payload)
                .map_err(|e| SourceError::Malformed(format!("history answer: {e}")))?;
            match (a.history, a.error) {
                (Some(h), _) => Ok(wire::history_from(h)),
                (None, Some(e)) => Err(transient(format!(
                    "the collector could not fetch the history: {}",
                    wire::bounded(e)
                ))),
                (None, None) => Err(SourceError::Malformed("an empty history answer".into())),
            }
        })
    }

    fn split_job(
        &mut self,
        _agent_id: &str,
        _to: DateTime<Utc>,
    ) -> Option<BoxFuture<'static, Result<crate::domain::SplitReport, SourceError>>> {
        Some(Box::pin(std::future::ready(Err(SourceError::Fatal(
            "the collector does not relay the handle-time split".into(),
        )))))
    }
}
