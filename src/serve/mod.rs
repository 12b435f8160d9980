//! `queuetop serve`: the collector. It runs the configured sources once (the same engine
//! and configuration as the board) and publishes, per source, the latest value of each part
//! to the centre's NATS key-value bucket, every change to the part subjects (kept in the
//! look-back stream for the configured retention), a heartbeat, and answers history
//! requests with one vendor fetch shared by everyone who asks (cached with its age).
//! `--metrics` serves the figures in the OpenMetrics text format.
//!
//! Only what the board shows is published: vendor secrets never leave this process.

pub mod http;
pub mod metrics;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use async_nats::jetstream;
use async_nats::{Client, Subject};
use chrono::{DateTime, Utc};
use futures_util::StreamExt;

use crate::config::{Config, ServeConfig, SourceConfig};
use crate::domain::{AgentHistory, SourceSnapshot};
use crate::model::Model;
use crate::source::nats::link::{self, LinkState};
use crate::source::nats::wire::{self, Part, Stamp};
use crate::source::nats::{KEYFRAME_EVERY, names};
use crate::source::{SourceCommand, SourceEvent, Sources};

/// The interval history is republished at most this often when it changed (it is the
/// largest part; the look-back stream does not keep it).
const INTERVALS_EVERY: Duration = Duration::from_secs(5);
/// A history fetch not answered by then is reported to its askers as failed.
const HISTORY_DEADLINE: Duration = Duration::from_secs(40);
/// The most agent histories kept for later askers.
const HISTORY_CACHE_MAX: usize = 512;
/// The largest history request read.
const MAX_REQUEST_BYTES: usize = 4096;
/// How long a JetStream call may take.
const JS_TIMEOUT: Duration = Duration::from_secs(5);

/// What `serve` would publish, in words (for `check-config`).
pub fn describe(cfg: &Config) -> Vec<String> {
    let s = &cfg.serve;
    let c = &s.centre;
    let mut out = vec![format!(
        "serve: centre {c} on {} ({}); KV bucket {}, subjects queuetop.{c}.<source>.<part>, look-back stream {} kept {} (at most {} MiB); heartbeat {}; history answers cached {}; metrics {}",
        s.nats_url,
        s.auth.describe(),
        names::bucket(c),
        names::stream(c),
        humantime::format_duration(s.retention),
        s.retention_bytes / (1024 * 1024),
        humantime::format_duration(s.heartbeat),
        humantime::format_duration(s.history_cache),
        s.metrics
            .map(|a| format!("on http://{a}/metrics"))
            .unwrap_or_else(|| "off".into())
    )];
    for src in &cfg.sources {
        if matches!(src, SourceConfig::Nats(_)) {
            out.push(format!(
                "  source {:?} is a viewer: serve would refuse to relay it",
                src.name()
            ));
        } else {
            out.push(format!(
                "  would publish source {:?} as {}, {}, {}",
                src.name(),
                names::subject(c, src.name(), Part::Health),
                names::subject(c, src.name(), Part::Queues),
                names::subject(c, src.name(), Part::Agents)
            ));
        }
    }
    out
}

/// Why `serve` cannot start with this configuration, if it cannot.
pub fn check(cfg: &Config) -> Result<(), String> {
    if let Some(v) = cfg
        .sources
        .iter()
        .find(|s| matches!(s, SourceConfig::Nats(_)))
    {
        return Err(format!(
            "source {:?} is a viewer (kind = \"nats\"): serve publishes vendor and demo sources only (remove it from the collector's configuration)",
            v.name()
        ));
    }
    Ok(())
}

/// Run the collector until SIGINT / SIGTERM.
pub async fn run(cfg: Arc<Config>) -> Result<(), String> {
    check(&cfg)?;
    let sc = cfg.serve.clone();
    let (sources, mut events) = crate::source::spawn_all(&cfg)?;
    let model = Arc::new(Mutex::new(Model::new(cfg.clone(), cfg.clock.now())));
    if let Some(addr) = sc.metrics {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot listen for metrics on {addr}: {e}"))?;
        let m = model.clone();
        let centre = sc.centre.clone();
        let clock = cfg.clock;
        let page: Arc<dyn Fn() -> String + Send + Sync> = Arc::new(move || {
            let mut m = m.lock().unwrap_or_else(|e| e.into_inner());
            let now = clock.now();
            m.tick(now);
            metrics::render(&m, &centre, now)
        });
        tracing::info!("metrics on http://{addr}/metrics");
        tokio::spawn(http::serve(listener, page));
    }
    let state = Arc::new(LinkState::default());
    let client = link::connect(&sc.nats_url, &sc.auth, "queuetop serve", state).await?;
    let names_list: Vec<String> = cfg.sources.iter().map(|s| s.name().to_string()).collect();
    let mut publisher = Publisher::new(client.clone(), sc.clone(), names_list);
    let mut historian = Historian::new(sc.history_cache);
    let mut requests = client
        .subscribe(names::history_subjects(&sc.centre))
        .await
        .map_err(|e| format!("cannot listen for history requests: {e}"))?;
    let mut beat = tokio::time::interval(sc.heartbeat);
    beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut stop = Box::pin(shutdown());
    tracing::info!(centre = %sc.centre, url = %sc.nats_url, "collector started");
    loop {
        tokio::select! {
            ev = events.recv() => {
                let Some(ev) = ev else { break };
                let ivs = events.take_intervals();
                match ev {
                    SourceEvent::Snapshot(s) => {
                        {
                            let mut m = model.lock().unwrap_or_else(|e| e.into_inner());
                            m.apply(SourceEvent::Snapshot(s.clone()));
                            for iv in &ivs {
                                m.apply_intervals(iv.clone());
                            }
                        }
                        for iv in ivs {
                            publisher.intervals(&iv).await;
                        }
                        publisher.snapshot(*s).await;
                    }
                    SourceEvent::History { source, agent_id, result } => {
                        historian.answered(&client, &sources, &source, &agent_id, result).await;
                    }
                    // The collector asks for histories only (viewers get no split).
                    SourceEvent::Split { .. } => {}
                }
            }
            msg = requests.next() => {
                let Some(msg) = msg else { break };
                historian.request(&client, &sources, &publisher.sources, &sc.centre, msg).await;
            }
            _ = beat.tick() => {
                publisher.heartbeat().await;
                historian.expire(&client).await;
            }
            _ = &mut stop => {
                tracing::info!("collector stopping");
                break;
            }
        }
    }
    let _ = client.flush().await;
    Ok(())
}

async fn shutdown() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// One source's publication state.
#[derive(Default)]
struct Published {
    /// The latest snapshot (its health is republished at every heartbeat).
    latest: Option<SourceSnapshot>,
    /// Per part: a hash of the last body published and when.
    last: HashMap<&'static str, (u64, Instant)>,
    health_at: Option<Instant>,
    intervals_at: Option<Instant>,
}

struct Publisher {
    client: Client,
    js: jetstream::Context,
    cfg: ServeConfig,
    kv: Option<jetstream::kv::Store>,
    stream_ready: bool,
    run: i64,
    seq: u64,
    started_at: DateTime<Utc>,
    sources: Vec<String>,
    manifest_done: bool,
    state: HashMap<String, Published>,
    /// Bytes of the first publication of each part, logged once (for sizing).
    logged_sizes: bool,
}

fn hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

impl Publisher {
    fn new(client: Client, cfg: ServeConfig, sources: Vec<String>) -> Publisher {
        let now = Utc::now();
        Publisher {
            js: jetstream::new(client.clone()),
            client,
            cfg,
            kv: None,
            stream_ready: false,
            run: now.timestamp_millis(),
            seq: 0,
            started_at: now,
            sources,
            manifest_done: false,
            state: HashMap::new(),
            logged_sizes: false,
        }
    }

    fn stamp(&mut self) -> Stamp {
        self.seq += 1;
        Stamp {
            run: self.run,
            seq: self.seq,
        }
    }

    /// The bucket and the look-back stream, created or brought to the configured retention.
    async fn setup(&mut self) {
        if !link::is_connected(&self.client) {
            return;
        }
        let centre = self.cfg.centre.clone();
        if self.kv.is_none() {
            let bucket = names::bucket(&centre);
            // The bucket is its stream, by the key-value convention (ADR-8): async-nats's
            // create_key_value first asks for the account's info, whose answer from a 2.9
            // server it cannot read, so the stream is made here as create_key_value would.
            let config = jetstream::stream::Config {
                name: format!("KV_{bucket}"),
                description: Some(format!("queuetop: the latest figures of centre {centre}")),
                subjects: vec![format!("$KV.{bucket}.>")],
                max_messages_per_subject: 1,
                allow_rollup: true,
                deny_delete: true,
                allow_direct: true,
                discard: jetstream::stream::DiscardPolicy::New,
                storage: jetstream::stream::StorageType::File,
                num_replicas: 1,
                ..Default::default()
            };
            let kv = match tokio::time::timeout(JS_TIMEOUT, self.js.create_or_update_stream(config))
                .await
            {
                Ok(Ok(_)) => {
                    match tokio::time::timeout(JS_TIMEOUT, self.js.get_key_value(&bucket)).await {
                        Ok(Ok(kv)) => Some(kv),
                        Ok(Err(e)) => {
                            tracing::warn!("cannot open the KV bucket {bucket}: {e}");
                            None
                        }
                        Err(_) => None,
                    }
                }
                Ok(Err(e)) => {
                    tracing::warn!(
                        "cannot create the KV bucket {bucket}: {e} (is JetStream enabled? nats-server -js)"
                    );
                    None
                }
                Err(_) => None,
            };
            self.kv = kv;
        }
        if !self.stream_ready {
            let config = jetstream::stream::Config {
                name: names::stream(&centre),
                description: Some(format!(
                    "queuetop: what the board of centre {centre} showed, for --at"
                )),
                subjects: names::stream_subjects(&centre),
                max_age: self.cfg.retention,
                max_bytes: i64::try_from(self.cfg.retention_bytes).unwrap_or(i64::MAX),
                discard: jetstream::stream::DiscardPolicy::Old,
                storage: jetstream::stream::StorageType::File,
                ..Default::default()
            };
            match tokio::time::timeout(JS_TIMEOUT, self.js.create_or_update_stream(config)).await {
                Ok(Ok(_)) => self.stream_ready = true,
                Ok(Err(e)) => tracing::warn!("cannot set up the look-back stream: {e}"),
                Err(_) => tracing::warn!("NATS did not answer the stream set-up within 5 s"),
            }
        }
        if self.kv.is_some() && !self.manifest_done {
            let stamp = self.stamp();
            let body = wire::Manifest {
                sources: self.sources.clone(),
                version: env!("CARGO_PKG_VERSION").into(),
                started_at: self.started_at,
            };
            if let Ok(bytes) = wire::encode(stamp, "", Utc::now(), &body)
                && self.put(names::MANIFEST_KEY, bytes).await
            {
                self.manifest_done = true;
            }
        }
    }

    async fn put(&mut self, key: &str, bytes: Vec<u8>) -> bool {
        let Some(kv) = &self.kv else { return false };
        match tokio::time::timeout(JS_TIMEOUT, kv.put(key, bytes.into())).await {
            Ok(Ok(_)) => true,
            Ok(Err(e)) => {
                tracing::warn!("cannot write {key} to the KV bucket: {e}");
                // A restarted server may have lost the bucket: set it up again.
                self.kv = None;
                self.manifest_done = false;
                false
            }
            Err(_) => false,
        }
    }

    /// One part: to the bucket and to its subject (stored by the look-back stream, but for
    /// the interval history).
    async fn part(&mut self, source: &str, part: Part, bytes: Vec<u8>) {
        let key = names::key(source, part);
        let _ = self.put(&key, bytes.clone()).await;
        let subject = names::subject(&self.cfg.centre, source, part);
        if self.stream_ready && part != Part::Intervals {
            let ack = match self.js.publish(subject.clone(), bytes.clone().into()).await {
                Ok(f) => tokio::time::timeout(JS_TIMEOUT, f)
                    .await
                    .ok()
                    .map(|r| r.is_ok()),
                Err(_) => Some(false),
            };
            if ack != Some(true) {
                tracing::warn!("the look-back stream did not take {subject}; setting it up again");
                self.stream_ready = false;
            }
        } else {
            let _ = self.client.publish(subject, bytes.into()).await;
        }
    }

    /// Encode `body` as `part` of `source` and publish it when it changed, or when its
    /// last publication is older than the keyframe interval (the look-back finds every part
    /// within that span). Health is always published: it is the round's mark.
    async fn publish<T: serde::Serialize>(&mut self, source: &str, part: Part, body: &T) -> usize {
        let Ok(plain) = serde_json::to_vec(body) else {
            return 0;
        };
        let h = hash(&plain);
        let st = self.state.entry(source.to_string()).or_default();
        if part != Part::Health
            && let Some((last, at)) = st.last.get(part.as_str())
            && *last == h
            && at.elapsed() < KEYFRAME_EVERY
        {
            return 0;
        }
        st.last.insert(part.as_str(), (h, Instant::now()));
        if part == Part::Health {
            st.health_at = Some(Instant::now());
        }
        let stamp = self.stamp();
        let Ok(bytes) = wire::encode(stamp, source, Utc::now(), body) else {
            return 0;
        };
        let n = bytes.len();
        self.part(source, part, bytes).await;
        n
    }

    async fn snapshot(&mut self, s: SourceSnapshot) {
        self.setup().await;
        let name = s.source.clone();
        let q = self
            .publish(&name, Part::Queues, &wire::queues_wire(&s.queues))
            .await;
        let a = self.publish(&name, Part::Agents, &s.agents).await;
        let hb = self.cfg.heartbeat.as_secs_f64();
        let h = self
            .publish(
                &name,
                Part::Health,
                &wire::health_wire(s.kind.as_str(), &s.health, s.fetched_at, hb),
            )
            .await;
        if !self.logged_sizes && q > 0 && h > 0 {
            self.logged_sizes = true;
            tracing::info!(
                source = %crate::domain::text::printable(&name),
                queues = s.queues.len(),
                agents = s.agents.as_ref().map(Vec::len).unwrap_or(0),
                "published parts (JSON bytes): queues {q}, agents {a}, health {h}"
            );
        }
        self.state.entry(name).or_default().latest = Some(s);
    }

    async fn intervals(&mut self, iv: &crate::domain::SourceIntervals) {
        let st = self.state.entry(iv.source.clone()).or_default();
        if st
            .intervals_at
            .is_some_and(|t| t.elapsed() < INTERVALS_EVERY)
        {
            return;
        }
        st.intervals_at = Some(Instant::now());
        self.setup().await;
        let source = iv.source.clone();
        self.publish(&source, Part::Intervals, &wire::intervals_wire(iv))
            .await;
    }

    /// Say that the collector is alive: each source's health again, where its last round
    /// is older than the heartbeat.
    async fn heartbeat(&mut self) {
        self.setup().await;
        let hb = self.cfg.heartbeat;
        let due: Vec<(String, crate::source::nats::wire::HealthWire)> = self
            .state
            .iter()
            .filter(|(_, st)| st.health_at.is_none_or(|t| t.elapsed() >= hb.mul_f64(0.9)))
            .filter_map(|(name, st)| {
                st.latest.as_ref().map(|s| {
                    (
                        name.clone(),
                        wire::health_wire(
                            s.kind.as_str(),
                            &s.health,
                            s.fetched_at,
                            hb.as_secs_f64(),
                        ),
                    )
                })
            })
            .collect();
        for (name, body) in due {
            self.publish(&name, Part::Health, &body).await;
        }
    }
}

/// One agent's history as fetched, for later askers.
struct Cached {
    history: AgentHistory,
    hours: u32,
    at: Instant,
}

/// A fetch under way and who waits for it.
struct InFlight {
    hours: u32,
    to: Option<DateTime<Utc>>,
    started: Instant,
    waiters: Vec<Subject>,
    /// Requests that need another window, asked once this one is answered.
    later: Vec<(Subject, wire::HistoryRequest)>,
}

/// History on request: one vendor fetch per agent however many viewers ask at once, and
/// the answer kept for `ttl` for the viewers that ask next.
struct Historian {
    ttl: Duration,
    cache: HashMap<(String, String), Cached>,
    inflight: HashMap<(String, String), InFlight>,
}

fn answer_bytes(r: &Result<AgentHistory, String>) -> Vec<u8> {
    let a = match r {
        Ok(h) => wire::HistoryAnswer {
            history: Some(wire::history_wire(h)),
            error: None,
        },
        Err(e) => wire::HistoryAnswer {
            history: None,
            error: Some(e.clone()),
        },
    };
    serde_json::to_vec(&a).unwrap_or_default()
}

impl Historian {
    fn new(ttl: Duration) -> Historian {
        Historian {
            ttl,
            cache: HashMap::new(),
            inflight: HashMap::new(),
        }
    }

    async fn reply(client: &Client, to: Subject, r: &Result<AgentHistory, String>) {
        let _ = client.publish(to, answer_bytes(r).into()).await;
    }

    async fn request(
        &mut self,
        client: &Client,
        sources: &Sources,
        known: &[String],
        centre: &str,
        msg: async_nats::Message,
    ) {
        let Some(reply) = msg.reply.clone() else {
            return;
        };
        let fail = |m: &str| Err::<AgentHistory, String>(m.to_string());
        if msg.payload.len() > MAX_REQUEST_BYTES {
            return Self::reply(client, reply, &fail("the request is too large")).await;
        }
        let Some(source) = msg
            .subject
            .as_str()
            .strip_prefix(&format!("queuetop.{centre}."))
            .and_then(|r| r.strip_suffix(".history"))
            .and_then(names::untoken)
        else {
            return;
        };
        if !known.contains(&source) {
            return Self::reply(client, reply, &fail("no such source at this collector")).await;
        }
        let req: wire::HistoryRequest = match serde_json::from_slice(&msg.payload) {
            Ok(r) => r,
            Err(_) => return Self::reply(client, reply, &fail("an unreadable request")).await,
        };
        if req.agent_id.is_empty() || req.agent_id.len() > 256 || !(1..=48).contains(&req.hours) {
            return Self::reply(client, reply, &fail("a request out of bounds")).await;
        }
        self.ask(client, sources, source, reply, req).await;
    }

    async fn ask(
        &mut self,
        client: &Client,
        sources: &Sources,
        source: String,
        reply: Subject,
        req: wire::HistoryRequest,
    ) {
        let key = (source.clone(), req.agent_id.clone());
        if req.to.is_none()
            && let Some(c) = self.cache.get(&key)
            && c.hours >= req.hours
            && c.at.elapsed() < self.ttl
        {
            return Self::reply(client, reply, &Ok(c.history.clone())).await;
        }
        if let Some(f) = self.inflight.get_mut(&key) {
            if f.to == req.to && f.hours >= req.hours {
                f.waiters.push(reply);
            } else {
                f.later.push((reply, req));
            }
            return;
        }
        let to = req.to.unwrap_or_else(Utc::now);
        let from = to - chrono::Duration::hours(i64::from(req.hours));
        tracing::info!(source = %crate::domain::text::printable(&source), agent = %crate::domain::text::printable(&req.agent_id), "history fetch for the viewers");
        sources.send(
            &source,
            SourceCommand::History {
                agent_id: req.agent_id.clone(),
                from,
                to,
            },
        );
        self.inflight.insert(
            key,
            InFlight {
                hours: req.hours,
                to: req.to,
                started: Instant::now(),
                waiters: vec![reply],
                later: Vec::new(),
            },
        );
    }

    async fn answered(
        &mut self,
        client: &Client,
        sources: &Sources,
        source: &str,
        agent_id: &str,
        result: Result<AgentHistory, String>,
    ) {
        let key = (source.to_string(), agent_id.to_string());
        let Some(f) = self.inflight.remove(&key) else {
            return;
        };
        for w in f.waiters {
            Self::reply(client, w, &result).await;
        }
        if let (Ok(h), None) = (&result, f.to) {
            if self.cache.len() >= HISTORY_CACHE_MAX
                && let Some(oldest) = self
                    .cache
                    .iter()
                    .min_by_key(|(_, c)| c.at)
                    .map(|(k, _)| k.clone())
            {
                self.cache.remove(&oldest);
            }
            self.cache.insert(
                key,
                Cached {
                    history: h.clone(),
                    hours: f.hours,
                    at: Instant::now(),
                },
            );
        }
        for (reply, req) in f.later {
            self.ask(client, sources, source.to_string(), reply, req)
                .await;
        }
    }

    async fn expire(&mut self, client: &Client) {
        let late: Vec<(String, String)> = self
            .inflight
            .iter()
            .filter(|(_, f)| f.started.elapsed() > HISTORY_DEADLINE)
            .map(|(k, _)| k.clone())
            .collect();
        for k in late {
            if let Some(f) = self.inflight.remove(&k) {
                let r = Err(format!(
                    "source {} did not answer within {} s",
                    k.0,
                    HISTORY_DEADLINE.as_secs()
                ));
                for w in f
                    .waiters
                    .into_iter()
                    .chain(f.later.into_iter().map(|(w, _)| w))
                {
                    Self::reply(client, w, &r).await;
                }
            }
        }
        let ttl = self.ttl;
        self.cache.retain(|_, c| c.at.elapsed() < ttl);
    }
}
