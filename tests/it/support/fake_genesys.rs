//! A fake Genesys Cloud (login + Platform API) on 127.0.0.1, driven by [`Scenario`] data,
//! with fault injection per endpoint. Response shapes follow the reference fixtures; every
//! request and response body is kept so tests can check them against the schema subset.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "test-client-id";
pub const CLIENT_SECRET: &str = "S3cr3t-Client-Value-do-not-print";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ep {
    Token,
    Queues,
    Observations,
    Aggregates,
    /// The conversation aggregates grouped by `userId` (an agent's handle-time split).
    UserAggregates,
    Activity,
    Users,
    Presence,
    LegacyPresence,
    Members,
    Details,
    Channels,
    Subscriptions,
    Other,
}

/// One injected fault, consumed by the next request to its endpoint.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer this status (with `Retry-After` if given) and an ErrorBody.
    Status(u16, Option<String>),
    /// Answer normally after this delay.
    Delay(Duration),
    /// 200 with a body that is not JSON.
    Malformed,
    /// Revoke every issued token and answer 401 (as on token expiry).
    Unauthorized,
    /// 403 missing permission.
    Forbidden(String),
    /// Answer this status with this raw body.
    Body(u16, String),
    /// Answer this redirect status pointing at `Location` (never followed by the client).
    Redirect(u16, String),
    /// 200 with a chunked body that never ends.
    Endless,
    /// 200 with a body of this many bytes (with its `Content-Length`).
    Oversized(usize),
    /// Answer this status with an error body that echoes what the client sent (the
    /// `Authorization` header and the request body), after `pad` characters of filler;
    /// `json` = as `{"message": …}`, else as plain text.
    Echo { code: u16, pad: usize, json: bool },
}

/// A change applied to every successful JSON answer of one endpoint (hostile values).
pub type Rewrite = Arc<dyn Fn(&mut Value) + Send + Sync>;

/// The answer of a [`Fault::Echo`]: the filler, then what the client sent.
pub fn echo_text(pad: usize, headers: &HeaderMap, body: &[u8]) -> String {
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    format!(
        "{}you sent Authorization: {auth}; body: {}",
        "x".repeat(pad),
        String::from_utf8_lossy(body)
    )
}

/// An endless chunked body (64 KiB chunks of spaces).
pub fn endless_body() -> axum::body::Body {
    static CHUNK: [u8; 65536] = [b' '; 65536];
    axum::body::Body::from_stream(futures_util::stream::repeat_with(|| {
        Ok::<Bytes, std::convert::Infallible>(Bytes::from_static(&CHUNK))
    }))
}

#[derive(Clone, Debug, Default)]
pub struct MediaLive {
    pub media: String,
    /// When each waiting interaction entered the queue.
    pub waiting_since: Vec<DateTime<Utc>>,
    pub interacting: u32,
}

#[derive(Clone, Debug, Default)]
pub struct QueueLiveS {
    pub media: Vec<MediaLive>,
    pub idle: u32,
    pub interacting: u32,
    pub communicating: u32,
    pub not_responding: u32,
    pub off_queue: u32,
    pub active: u32,
    pub members: u32,
}

#[derive(Clone, Debug, Default)]
pub struct MediaToday {
    pub media: String,
    pub offered: u64,
    pub answered: u64,
    pub answered_ms: u64,
    pub abandoned: u64,
    pub abandoned_ms: u64,
    pub handled: u64,
    pub handle_ms: u64,
    pub sl_num: u64,
    pub sl_den: u64,
    pub sl_target: f64,
}

#[derive(Clone, Debug)]
pub struct QueueS {
    pub id: String,
    pub name: String,
    /// `mediaSettings.call.serviceLevel` (fraction, ms); other media get 0.8 / 20 s.
    pub call_sl: (f64, u64),
    pub chat_sl: (f64, u64),
    pub live: QueueLiveS,
    pub today: Vec<MediaToday>,
}

#[derive(Clone, Debug)]
pub struct AgentS {
    pub id: String,
    pub name: String,
    pub queues: Vec<String>,
    /// Analytics spelling (`ON_QUEUE`, `BREAK`, `OFFLINE`).
    pub system_presence: String,
    pub org_presence_id: String,
    pub presence_date: DateTime<Utc>,
    pub routing_status: String,
    pub routing_date: DateTime<Utc>,
    /// Queues the agent is a member of without being joined (`queueMembershipStatus`
    /// "inactive").
    pub not_joined: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct HistoryS {
    /// (start, end, systemPresence, organizationPresenceId)
    pub presence: Vec<(String, Option<String>, String, String)>,
    /// (start, end, routingStatus)
    pub routing: Vec<(String, Option<String>, String)>,
}

/// An agent's handle time today, as the user-grouped conversation aggregates give it.
#[derive(Clone, Debug, Default)]
pub struct SplitS {
    pub handled: u64,
    pub talk_ms: u64,
    pub held_ms: u64,
    pub acw_ms: u64,
}

#[derive(Clone, Debug)]
pub struct Scenario {
    pub queues: Vec<QueueS>,
    pub agents: Vec<AgentS>,
    pub history: HashMap<String, HistoryS>,
    /// Handle time today per user id (users without one had no events).
    pub splits: HashMap<String, SplitS>,
    pub token_expires_in: u64,
    /// Max observations per oWaiting detail list (the platform truncates; cap UNCONFIRMED).
    pub detail_cap: usize,
    /// Routing activity: at most this many entities per queue, marked `truncated`, however
    /// far the client pages.
    pub activity_truncate: Option<usize>,
    /// Added to `oLongestWaiting` (the undocumented calculated value) to tell it apart from
    /// the oldest `oWaiting` detail.
    pub longest_metric_skew_s: i64,
}

pub const Q_SUPPORT: &str = "2dfcc467-950d-4514-a907-64bcd946cf57";
pub const Q_SALES: &str = "e2507c5d-2039-4f1a-a618-1e59e7628d1e";
pub const Q_BILLING: &str = "9b0a3c51-5d1e-4c61-9a43-2f0e8d7c6b5a";
pub const ALICE: &str = "58b7f633-ee2e-4bc3-9cec-a22e8b73cf4a";
pub const BOB: &str = "da72e94f-183e-415b-9268-f3d15ba97182";
pub const CAROL: &str = "6c38f9d3-0bd7-4deb-8a8e-a77021e0b497";
pub const DAN: &str = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
pub const ON_QUEUE_ID: &str = "e08eaf1b-ee47-4fa9-a231-1200e284798f";
pub const COACHING_ID: &str = "d8c87d09-9415-4cde-8dac-7682b3fc6056";
pub const OFFLINE_ID: &str = "ccf3c10a-aa2c-4845-8e8d-f59fa48c58e5";

fn ago(now: DateTime<Utc>, s: i64) -> DateTime<Utc> {
    now - chrono::Duration::seconds(s)
}

impl Scenario {
    /// Three queues (one voice, one voice + chat, one idle) and four agents.
    pub fn standard() -> Scenario {
        let now = Utc::now();
        let support = QueueS {
            id: Q_SUPPORT.into(),
            name: "Support - Voice".into(),
            call_sl: (0.8, 20_000),
            chat_sl: (0.8, 20_000),
            live: QueueLiveS {
                media: vec![
                    MediaLive {
                        media: "voice".into(),
                        waiting_since: vec![ago(now, 120), ago(now, 60), ago(now, 10)],
                        interacting: 2,
                    },
                    MediaLive {
                        media: "chat".into(),
                        ..Default::default()
                    },
                ],
                idle: 2,
                interacting: 4,
                communicating: 1,
                not_responding: 1,
                off_queue: 3,
                active: 11,
                members: 18,
            },
            today: vec![MediaToday {
                media: "voice".into(),
                offered: 142,
                answered: 127,
                answered_ms: 2_871_402,
                abandoned: 15,
                abandoned_ms: 1_090_716,
                handled: 124,
                handle_ms: 39_832_930,
                sl_num: 106,
                sl_den: 127,
                sl_target: 0.8,
            }],
        };
        let sales = QueueS {
            id: Q_SALES.into(),
            name: "Sales".into(),
            call_sl: (0.9, 15_000),
            chat_sl: (0.7, 60_000),
            live: QueueLiveS {
                media: vec![
                    MediaLive {
                        media: "voice".into(),
                        waiting_since: vec![ago(now, 30)],
                        interacting: 0,
                    },
                    MediaLive {
                        media: "chat".into(),
                        waiting_since: vec![ago(now, 200), ago(now, 5)],
                        interacting: 1,
                    },
                ],
                idle: 0,
                interacting: 1,
                communicating: 0,
                not_responding: 0,
                off_queue: 2,
                active: 3,
                members: 6,
            },
            today: vec![
                MediaToday {
                    media: "voice".into(),
                    offered: 30,
                    answered: 26,
                    answered_ms: 520_000,
                    abandoned: 4,
                    abandoned_ms: 212_423,
                    handled: 25,
                    handle_ms: 9_000_000,
                    sl_num: 20,
                    sl_den: 26,
                    sl_target: 0.9,
                },
                MediaToday {
                    media: "chat".into(),
                    offered: 7,
                    answered: 7,
                    answered_ms: 70_000,
                    abandoned: 0,
                    abandoned_ms: 0,
                    handled: 6,
                    handle_ms: 3_600_000,
                    sl_num: 5,
                    sl_den: 7,
                    sl_target: 0.7,
                },
            ],
        };
        let billing = QueueS {
            id: Q_BILLING.into(),
            name: "Billing".into(),
            call_sl: (0.75, 30_000),
            chat_sl: (0.8, 20_000),
            live: QueueLiveS {
                media: vec![MediaLive {
                    media: "voice".into(),
                    ..Default::default()
                }],
                members: 2,
                ..Default::default()
            },
            today: vec![],
        };
        let agent = |id: &str,
                     name: &str,
                     queues: &[&str],
                     sp: &str,
                     op: &str,
                     pd: i64,
                     rs: &str,
                     rd: i64| AgentS {
            id: id.into(),
            name: name.into(),
            queues: queues.iter().map(|q| q.to_string()).collect(),
            system_presence: sp.into(),
            org_presence_id: op.into(),
            presence_date: ago(now, pd),
            routing_status: rs.into(),
            routing_date: ago(now, rd),
            not_joined: vec![],
        };
        let agents = vec![
            agent(
                ALICE,
                "Alice Moreno",
                &[Q_SUPPORT],
                "ON_QUEUE",
                ON_QUEUE_ID,
                3600,
                "IDLE",
                90,
            ),
            agent(
                BOB,
                "Bob Okafor",
                &[Q_SUPPORT, Q_SALES],
                "ON_QUEUE",
                ON_QUEUE_ID,
                7200,
                "INTERACTING",
                40,
            ),
            agent(
                CAROL,
                "Carol Lindqvist",
                &[Q_SALES],
                "BREAK",
                COACHING_ID,
                300,
                "OFF_QUEUE",
                300,
            ),
            agent(
                DAN,
                "Dan Ibsen",
                &[Q_SUPPORT],
                "OFFLINE",
                OFFLINE_ID,
                50_000,
                "OFF_QUEUE",
                50_000,
            ),
        ];
        let mut history = HashMap::new();
        history.insert(ALICE.to_string(), alice_history());
        let mut splits = HashMap::new();
        // 27 calls: 2h20m03s talk, 4m held, 21m06s ACW (Bob and the others: none).
        splits.insert(
            ALICE.to_string(),
            SplitS {
                handled: 27,
                talk_ms: 8_403_000,
                held_ms: 240_000,
                acw_ms: 1_266_000,
            },
        );
        Scenario {
            queues: vec![support, sales, billing],
            agents,
            history,
            splits,
            token_expires_in: 86_399,
            detail_cap: 100,
            activity_truncate: None,
            longest_metric_skew_s: 0,
        }
    }
}

impl Scenario {
    /// A large centre for load measurements: `queues` voice queues, `agents` agents each
    /// joined to two queues (ids `q-N`, `u-N`), a few waiting everywhere.
    pub fn scaled(queues: usize, agents: usize) -> Scenario {
        let now = Utc::now();
        let qs = (0..queues)
            .map(|i| QueueS {
                id: format!("q-{i:05}"),
                name: format!("Queue {i:05}"),
                call_sl: (0.8, 20_000),
                chat_sl: (0.8, 20_000),
                live: QueueLiveS {
                    media: vec![MediaLive {
                        media: "voice".into(),
                        waiting_since: (0..(i % 4) as i64).map(|s| ago(now, 10 + s * 7)).collect(),
                        interacting: 2,
                    }],
                    members: 10,
                    ..Default::default()
                },
                today: vec![],
            })
            .collect();
        let states = [
            ("ON_QUEUE", "IDLE"),
            ("ON_QUEUE", "INTERACTING"),
            ("BREAK", "OFF_QUEUE"),
        ];
        let ags = (0..agents)
            .map(|i| {
                let (sp, rs) = states[i % states.len()];
                AgentS {
                    id: format!("u-{i:06}"),
                    name: format!("Agent {i:06}"),
                    queues: if queues == 0 {
                        vec![]
                    } else {
                        let mut v = vec![
                            format!("q-{:05}", i % queues),
                            format!("q-{:05}", (i * 7 + 1) % queues),
                        ];
                        v.sort();
                        v.dedup();
                        v
                    },
                    system_presence: sp.into(),
                    org_presence_id: if sp == "ON_QUEUE" {
                        ON_QUEUE_ID.into()
                    } else {
                        COACHING_ID.into()
                    },
                    presence_date: ago(now, 3600),
                    routing_status: rs.into(),
                    routing_date: ago(now, 60),
                    not_joined: vec![],
                }
            })
            .collect();
        Scenario {
            queues: qs,
            agents: ags,
            history: HashMap::new(),
            splits: HashMap::new(),
            token_expires_in: 86_399,
            detail_cap: 100,
            activity_truncate: None,
            longest_metric_skew_s: 0,
        }
    }
}

/// The records of fixture 04-users-details-response.json.
fn alice_history() -> HistoryS {
    let p = |s: &str, e: Option<&str>, sp: &str, id: &str| {
        (
            s.to_string(),
            e.map(str::to_string),
            sp.to_string(),
            id.to_string(),
        )
    };
    let r =
        |s: &str, e: Option<&str>, st: &str| (s.to_string(), e.map(str::to_string), st.to_string());
    HistoryS {
        presence: vec![
            p(
                "2026-03-09T17:05:44.120Z",
                Some("2026-03-10T07:58:02.903Z"),
                "OFFLINE",
                OFFLINE_ID,
            ),
            p(
                "2026-03-10T07:58:02.903Z",
                Some("2026-03-10T08:01:12.377Z"),
                "AVAILABLE",
                "6a3af858-942f-489d-9700-5f9bcdcdae9b",
            ),
            p(
                "2026-03-10T08:01:12.377Z",
                Some("2026-03-10T10:30:00.518Z"),
                "ON_QUEUE",
                ON_QUEUE_ID,
            ),
            p(
                "2026-03-10T10:30:00.518Z",
                Some("2026-03-10T10:45:09.004Z"),
                "BREAK",
                "227b37e2-f1d0-4dd0-8f50-badd7cf6d158",
            ),
            p("2026-03-10T10:45:09.004Z", None, "ON_QUEUE", ON_QUEUE_ID),
        ],
        routing: vec![
            r(
                "2026-03-09T17:05:44.120Z",
                Some("2026-03-10T08:01:12.377Z"),
                "OFF_QUEUE",
            ),
            r(
                "2026-03-10T08:01:12.377Z",
                Some("2026-03-10T08:03:40.551Z"),
                "IDLE",
            ),
            r(
                "2026-03-10T08:03:40.551Z",
                Some("2026-03-10T08:03:49.120Z"),
                "COMMUNICATING",
            ),
            r(
                "2026-03-10T08:03:49.120Z",
                Some("2026-03-10T08:11:02.744Z"),
                "INTERACTING",
            ),
            r(
                "2026-03-10T08:11:02.744Z",
                Some("2026-03-10T10:30:00.518Z"),
                "IDLE",
            ),
            r(
                "2026-03-10T10:30:00.518Z",
                Some("2026-03-10T10:45:09.004Z"),
                "OFF_QUEUE",
            ),
            r(
                "2026-03-10T10:45:09.004Z",
                Some("2026-03-10T10:45:41.300Z"),
                "IDLE",
            ),
            r(
                "2026-03-10T10:45:41.300Z",
                Some("2026-03-10T10:46:11.302Z"),
                "NOT_RESPONDING",
            ),
            r("2026-03-10T10:46:11.302Z", None, "IDLE"),
        ],
    }
}

#[derive(Debug, Default)]
pub struct Log {
    /// (endpoint, schema definition, body) of every JSON request received.
    pub requests: Vec<(Ep, &'static str, Value)>,
    /// (endpoint, schema definition, body) of every JSON response sent.
    pub responses: Vec<(Ep, &'static str, Value)>,
}

pub struct FakeState {
    pub scenario: Scenario,
    pub faults: HashMap<Ep, VecDeque<Fault>>,
    pub hits: HashMap<Ep, u32>,
    pub tokens_issued: u32,
    pub valid_tokens: HashSet<String>,
    /// The activity query answers 403 (as without the permission).
    pub activity_refused: bool,
    /// The observation query answers 400 to `detailMetrics`.
    pub details_refused: bool,
    /// Extra headers on every API answer.
    pub extra_headers: Vec<(String, String)>,
    /// Hostile changes to successful answers, per endpoint (kept until removed).
    pub rewrite: HashMap<Ep, Rewrite>,
    pub log: Log,
    /// The notifications API.
    pub notif: Notif,
}

/// A command to one open WebSocket of the fake.
#[derive(Clone, Debug)]
pub enum WsCmd {
    /// Send this text.
    Text(String),
    /// Close politely.
    Close,
    /// Drop the TCP connection without a close frame.
    Drop,
}

#[derive(Clone, Debug, Default)]
pub struct ChannelS {
    pub topics: Vec<String>,
    pub expired: bool,
}

/// The fake's notifications service.
pub struct Notif {
    /// `ws://host:port` the channels' connectUri points at.
    pub base: String,
    pub channels: HashMap<String, ChannelS>,
    pub next_channel: u32,
    /// Open sockets: (channel id, command sender).
    pub sockets: Vec<(String, tokio::sync::mpsc::UnboundedSender<WsCmd>)>,
    /// Topics containing any of these are Rejected (missing permission).
    pub reject: Vec<String>,
    /// The upgrade is answered 403 (a proxy that blocks WebSockets).
    pub refuse_upgrade: bool,
    pub heartbeat_every: Duration,
    pub heartbeats: bool,
    /// Channel lifetime in the create answer.
    pub channel_expires_in: chrono::Duration,
    /// WebSocket connections accepted so far.
    pub connects: u32,
    /// Upgrades refused so far.
    pub refused: u32,
}

impl Default for Notif {
    fn default() -> Self {
        Notif {
            base: String::new(),
            channels: HashMap::new(),
            next_channel: 0,
            sockets: vec![],
            reject: vec![],
            refuse_upgrade: false,
            heartbeat_every: Duration::from_secs(30),
            heartbeats: true,
            channel_expires_in: chrono::Duration::hours(24),
            connects: 0,
            refused: 0,
        }
    }
}

pub struct FakeGenesys {
    pub addr: SocketAddr,
    pub state: Arc<Mutex<FakeState>>,
    shutdown: Mutex<
        Option<(
            tokio::sync::oneshot::Sender<()>,
            tokio::task::JoinHandle<()>,
        )>,
    >,
}

impl FakeGenesys {
    pub async fn start(scenario: Scenario) -> FakeGenesys {
        let state = Arc::new(Mutex::new(FakeState {
            scenario,
            faults: HashMap::new(),
            hits: HashMap::new(),
            tokens_issued: 0,
            valid_tokens: HashSet::new(),
            activity_refused: false,
            details_refused: false,
            extra_headers: vec![],
            rewrite: HashMap::new(),
            log: Log::default(),
            notif: Notif::default(),
        }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        state.lock().unwrap().notif.base = format!("ws://{addr}");
        let fake = FakeGenesys {
            addr,
            state,
            shutdown: Mutex::new(None),
        };
        fake.serve(listener);
        fake
    }

    fn serve(&self, listener: tokio::net::TcpListener) {
        let app = axum::Router::new()
            .route("/channels/{id}", axum::routing::get(ws_upgrade))
            .fallback(handle)
            .with_state(self.state.clone());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await;
        });
        *self.shutdown.lock().unwrap() = Some((tx, task));
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stop answering: connections are refused until [`FakeGenesys::restart`].
    pub async fn stop(&self) {
        let s = self.shutdown.lock().unwrap().take();
        if let Some((tx, task)) = s {
            let _ = tx.send(());
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }

    /// Serve again on the same address.
    pub async fn restart(&self) {
        let listener = tokio::net::TcpListener::bind(self.addr)
            .await
            .expect("rebind");
        self.serve(listener);
    }

    pub fn fault(&self, ep: Ep, f: Fault) {
        self.state
            .lock()
            .unwrap()
            .faults
            .entry(ep)
            .or_default()
            .push_back(f);
    }

    pub fn hits(&self, ep: Ep) -> u32 {
        self.state
            .lock()
            .unwrap()
            .hits
            .get(&ep)
            .copied()
            .unwrap_or(0)
    }

    pub fn tokens_issued(&self) -> u32 {
        self.state.lock().unwrap().tokens_issued
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut FakeState) -> R) -> R {
        f(&mut self.state.lock().unwrap())
    }

    // ----- the notifications API -------------------------------------------------------

    /// Send `text` on every open socket whose channel carries `topic` (all sockets when
    /// `topic` is `None`). Returns how many sockets it went to.
    pub fn ws_send(&self, topic: Option<&str>, text: &str) -> usize {
        let mut s = self.state.lock().unwrap();
        let n = &mut s.notif;
        n.sockets.retain(|(_, tx)| !tx.is_closed());
        let mut sent = 0;
        for (ch, tx) in &n.sockets {
            let carries = match topic {
                None => true,
                Some(t) => n
                    .channels
                    .get(ch)
                    .is_some_and(|c| c.topics.iter().any(|x| x == t)),
            };
            if carries && tx.send(WsCmd::Text(text.to_string())).is_ok() {
                sent += 1;
            }
        }
        sent
    }

    /// Close (politely) or drop every open socket.
    pub fn ws_all(&self, cmd: WsCmd) {
        let mut s = self.state.lock().unwrap();
        for (_, tx) in s.notif.sockets.drain(..) {
            let _ = tx.send(cmd.clone());
        }
    }

    /// Open sockets now.
    pub fn ws_open(&self) -> usize {
        let mut s = self.state.lock().unwrap();
        s.notif.sockets.retain(|(_, tx)| !tx.is_closed());
        s.notif.sockets.len()
    }

    pub fn ws_connects(&self) -> u32 {
        self.state.lock().unwrap().notif.connects
    }

    /// `v2.system.socket_closing` on every socket.
    pub fn socket_closing(&self) {
        let body = fixture("07-ws-socket-closing.json").to_string();
        self.ws_send(None, &body);
    }

    /// Every channel expires: open sockets are closed and reconnecting to them fails.
    pub fn expire_channels(&self) {
        self.with(|s| {
            for c in s.notif.channels.values_mut() {
                c.expired = true;
            }
        });
        self.ws_all(WsCmd::Close);
    }

    /// Change an agent's presence and routing status (REST answers change too) and push
    /// the activity event. Returns the sockets it went to.
    pub fn set_agent(&self, id: &str, system_presence: &str, routing: &str) -> usize {
        let now = Utc::now();
        let body = self.with(|s| {
            let a = s.scenario.agents.iter_mut().find(|a| a.id == id)?;
            if a.system_presence != system_presence {
                a.presence_date = now;
            }
            a.system_presence = system_presence.into();
            a.org_presence_id = match system_presence {
                "ON_QUEUE" => ON_QUEUE_ID.into(),
                "OFFLINE" => OFFLINE_ID.into(),
                _ => COACHING_ID.into(),
            };
            a.routing_status = routing.into();
            a.routing_date = now;
            Some(activity_event(a))
        });
        match body {
            Some(b) => self.ws_send(Some(&format!("v2.users.{id}.activity")), &b.to_string()),
            None => 0,
        }
    }

    /// Set how many interactions wait on one media of a queue (REST answers change too)
    /// and push the observation. Returns the sockets it went to.
    pub fn set_waiting(&self, queue: &str, media: &str, n: usize) -> usize {
        let now = Utc::now();
        let found = self.with(|s| {
            let q = s.scenario.queues.iter_mut().find(|q| q.id == queue)?;
            let m = match q.live.media.iter_mut().position(|m| m.media == media) {
                Some(i) => &mut q.live.media[i],
                None => {
                    q.live.media.push(MediaLive {
                        media: media.into(),
                        ..Default::default()
                    });
                    q.live.media.last_mut()?
                }
            };
            m.waiting_since.sort();
            m.waiting_since.truncate(n);
            while m.waiting_since.len() < n {
                m.waiting_since.push(now);
            }
            Some(m.interacting)
        });
        let Some(interacting) = found else { return 0 };
        let body = observation_event(queue, media, n as f64, interacting, now);
        self.ws_send(
            Some(&format!("v2.analytics.queues.{queue}.observations")),
            &body.to_string(),
        )
    }
}

/// The `v2.users.{id}.activity` event of one scenario agent.
pub fn activity_event(a: &AgentS) -> Value {
    json!({
        "topicName": format!("v2.users.{}.activity", a.id),
        "version": "2",
        "eventBody": {
            "id": a.id,
            "routingStatus": {"status": a.routing_status, "startTime": date(a.routing_date)},
            "presence": {
                "presenceDefinition": {"id": a.org_presence_id, "systemPresence": a.system_presence},
                "modifiedDate": date(a.presence_date)
            },
            "outOfOffice": {"active": false},
            "activeQueueIds": a.queues,
            "dateActiveQueuesChanged": date(a.presence_date)
        },
        "metadata": {"CorrelationId": "fake"}
    })
}

/// A `v2.analytics.queues.{id}.observations` event (`waiting` as a raw number, so tests
/// can send hostile ones).
pub fn observation_event(
    queue: &str,
    media: &str,
    waiting: f64,
    interacting: u32,
    at: DateTime<Utc>,
) -> Value {
    let instant = format!("{}/{}", date(at), date(at));
    json!({
        "topicName": format!("v2.analytics.queues.{queue}.observations"),
        "version": "2",
        "eventBody": {
            "group": {"queueId": queue, "mediaType": media},
            "data": [{
                "interval": instant,
                "metrics": [
                    {"metric": "oWaiting", "stats": {"count": waiting}},
                    {"metric": "oInteracting", "stats": {"count": interacting}},
                    {"metric": "oAlerting", "stats": {"count": 0}}
                ]
            }]
        },
        "metadata": {"CorrelationId": "fake"}
    })
}

/// `GET /channels/{id}`: the WebSocket of one channel (or 403 / 404).
async fn ws_upgrade(
    State(shared): State<Shared>,
    axum::extract::Path(id): axum::extract::Path<String>,
    ws: Result<
        axum::extract::ws::WebSocketUpgrade,
        axum::extract::ws::rejection::WebSocketUpgradeRejection,
    >,
) -> Response {
    let verdict = {
        let mut s = shared.lock().unwrap();
        if s.notif.refuse_upgrade {
            s.notif.refused += 1;
            Err(StatusCode::FORBIDDEN)
        } else {
            match s.notif.channels.get(&id) {
                Some(c) if !c.expired => Ok(()),
                _ => Err(StatusCode::NOT_FOUND),
            }
        }
    };
    if let Err(code) = verdict {
        return (code, "no").into_response();
    }
    let Ok(ws) = ws else {
        return (StatusCode::BAD_REQUEST, "not a WebSocket upgrade").into_response();
    };
    ws.on_upgrade(move |socket| serve_socket(shared, id, socket))
}

async fn serve_socket(shared: Shared, channel: String, mut socket: axum::extract::ws::WebSocket) {
    use axum::extract::ws::Message;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let (every, heartbeat) = {
        let mut s = shared.lock().unwrap();
        s.notif.connects += 1;
        // One WebSocket per channel: a second connection ends the first.
        s.notif.sockets.retain(|(c, old)| {
            if *c == channel {
                let _ = old.send(WsCmd::Close);
                false
            } else {
                true
            }
        });
        s.notif.sockets.push((channel.clone(), tx));
        (
            s.notif.heartbeat_every,
            fixture("07-ws-heartbeat.json").to_string(),
        )
    };
    let mut beat = tokio::time::interval(every);
    beat.tick().await;
    loop {
        tokio::select! {
            cmd = rx.recv() => match cmd {
                Some(WsCmd::Text(t)) => {
                    if socket.send(Message::Text(t.into())).await.is_err() {
                        break;
                    }
                }
                Some(WsCmd::Close) | None => {
                    let _ = socket.send(Message::Close(None)).await;
                    break;
                }
                Some(WsCmd::Drop) => return,
            },
            _ = beat.tick() => {
                let on = shared.lock().unwrap().notif.heartbeats;
                if on && socket.send(Message::Text(heartbeat.clone().into())).await.is_err() {
                    break;
                }
            }
            got = socket.recv() => match got {
                Some(Ok(Message::Text(t))) if t.contains("ping") => {
                    let pong = fixture("07-ws-pong.json").to_string();
                    let _ = socket.send(Message::Text(pong.into())).await;
                }
                Some(Ok(_)) => {}
                _ => break,
            },
        }
    }
}

fn create_channel(n: &mut Notif) -> Value {
    n.next_channel += 1;
    let id = format!("streaming-{}-fake", n.next_channel);
    n.channels.insert(id.clone(), ChannelS::default());
    json!({
        "connectUri": format!("{}/channels/{id}", n.base),
        "id": id,
        "expires": date(Utc::now() + n.channel_expires_in)
    })
}

fn subscribe(n: &mut Notif, path: &str, req: &Value) -> Routed {
    let id = path
        .trim_start_matches("/api/v2/notifications/channels/")
        .trim_end_matches("/subscriptions")
        .to_string();
    let topics: Vec<String> = req
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|t| t.get("id").and_then(Value::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    if topics.len() > 1000 {
        return Err((
            StatusCode::BAD_REQUEST,
            error_body(400, "notification.too.many.topics", "more than 1000 topics"),
        ));
    }
    let Some(ch) = n.channels.get_mut(&id).filter(|c| !c.expired) else {
        return Err((
            StatusCode::NOT_FOUND,
            error_body(404, "not.found", "channel not found"),
        ));
    };
    let mut entities = vec![];
    let mut permitted = vec![];
    for t in topics {
        let self_uri = format!("/api/v2/notifications/channels/{id}/subscriptions");
        if n.reject.iter().any(|r| t.contains(r.as_str())) {
            entities.push(json!({"id": t, "state": "Rejected", "selfUri": self_uri,
                "rejectionReason": "Missing permissions", "missingPermissions": ["routing:queue:view"]}));
        } else {
            entities.push(json!({"id": t, "state": "Permitted", "selfUri": self_uri}));
            permitted.push(t);
        }
    }
    ch.topics = permitted;
    Ok(("ChannelTopicEntityListing", json!({"entities": entities})))
}

impl Drop for FakeGenesys {
    fn drop(&mut self) {
        if let Ok(mut s) = self.shutdown.lock()
            && let Some((tx, _)) = s.take()
        {
            let _ = tx.send(());
        }
    }
}

// ---------------------------------------------------------------------------------------
// Request handling

type Shared = Arc<Mutex<FakeState>>;

fn classify(method: &Method, path: &str) -> Ep {
    match (method.as_str(), path) {
        ("POST", "/oauth/token") => Ep::Token,
        ("GET", "/api/v2/routing/queues") => Ep::Queues,
        ("POST", "/api/v2/analytics/queues/observations/query") => Ep::Observations,
        ("POST", "/api/v2/analytics/conversations/aggregates/query") => Ep::Aggregates,
        ("POST", "/api/v2/analytics/routing/activity/query") => Ep::Activity,
        ("GET", "/api/v2/users") => Ep::Users,
        ("GET", "/api/v2/presence/definitions") => Ep::Presence,
        ("GET", "/api/v2/presencedefinitions") => Ep::LegacyPresence,
        ("POST", "/api/v2/analytics/users/details/query") => Ep::Details,
        ("GET", p) if p.starts_with("/api/v2/routing/queues/") && p.ends_with("/members") => {
            Ep::Members
        }
        ("POST", "/api/v2/notifications/channels") => Ep::Channels,
        ("PUT", p)
            if p.starts_with("/api/v2/notifications/channels/")
                && p.ends_with("/subscriptions") =>
        {
            Ep::Subscriptions
        }
        _ => Ep::Other,
    }
}

fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .unwrap_or("")
        .split('&')
        .filter(|s| !s.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (k.to_string(), v.replace("%3A", ":").replace("%2F", "/"))
        })
        .collect()
}

fn q_num(q: &[(String, String)], key: &str, default: usize) -> usize {
    q.iter()
        .find(|(k, _)| k == key)
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(default)
}

fn error_body(status: u16, code: &str, message: &str) -> Value {
    json!({"message": message, "code": code, "status": status, "contextId": "ctx-1", "details": [], "errors": []})
}

fn json_response(status: StatusCode, body: &Value, extra: &[(String, String)]) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_static("application/json"));
    for (k, v) in extra {
        if let (Ok(k), Ok(v)) = (
            axum::http::HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_str(v),
        ) {
            r.headers_mut().insert(k, v);
        }
    }
    r
}

async fn handle(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ep = match classify(&method, uri.path()) {
        Ep::Aggregates if grouped_by_user(&body) => Ep::UserAggregates,
        ep => ep,
    };
    let fault = {
        let mut s = shared.lock().unwrap();
        *s.hits.entry(ep).or_default() += 1;
        s.faults.get_mut(&ep).and_then(VecDeque::pop_front)
    };
    match fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::Malformed) => {
            return (StatusCode::OK, "{\"results\": [ {\"group\": ").into_response();
        }
        Some(Fault::Status(code, retry_after)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let b = if code == 429 {
                error_body(
                    429,
                    "too.many.requests",
                    "Rate limit exceeded the maximum [300] requests within [60] seconds",
                )
            } else {
                error_body(
                    code,
                    "internal.server.error",
                    "The server encountered an error",
                )
            };
            let mut extra = vec![];
            if let Some(ra) = retry_after {
                extra.push(("Retry-After".to_string(), ra));
            }
            return json_response(status, &b, &extra);
        }
        Some(Fault::Unauthorized) => {
            shared.lock().unwrap().valid_tokens.clear();
            return json_response(
                StatusCode::UNAUTHORIZED,
                &error_body(401, "credentials.expired", "Credentials expired"),
                &[],
            );
        }
        Some(Fault::Body(code, text)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (status, [("content-type", "application/json")], text).into_response();
        }
        Some(Fault::Redirect(code, location)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::FOUND);
            return (status, [("location", location)], "").into_response();
        }
        Some(Fault::Endless) => {
            let mut r = Response::new(endless_body());
            r.headers_mut()
                .insert("content-type", HeaderValue::from_static("application/json"));
            return r;
        }
        Some(Fault::Oversized(n)) => {
            return (
                StatusCode::OK,
                [("content-type", "application/json")],
                vec![b' '; n],
            )
                .into_response();
        }
        Some(Fault::Echo { code, pad, json }) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            let text = echo_text(pad, &headers, &body);
            if json {
                return json_response(status, &error_body(code, "echo", &text), &[]);
            }
            return (status, [("content-type", "text/plain")], text).into_response();
        }
        Some(Fault::Forbidden(perm)) => {
            return json_response(
                StatusCode::FORBIDDEN,
                &error_body(
                    403,
                    "missing.permissions",
                    &format!("You are missing the following permission(s): {perm}"),
                ),
                &[],
            );
        }
        None => {}
    }
    if ep == Ep::Token {
        return token(&shared, &headers, &body);
    }
    if !authorised(&shared, &headers) {
        return json_response(
            StatusCode::UNAUTHORIZED,
            &error_body(
                401,
                "authentication.required",
                "No authentication bearer token specified in authorization header.",
            ),
            &[],
        );
    }
    let q = query_pairs(&uri);
    let req: Value = if body.is_empty() {
        Value::Null
    } else {
        match serde_json::from_slice(&body) {
            Ok(v) => v,
            Err(_) => {
                return json_response(
                    StatusCode::BAD_REQUEST,
                    &error_body(400, "bad.request", "not JSON"),
                    &[],
                );
            }
        }
    };
    let mut s = shared.lock().unwrap();
    let extra = s.extra_headers.clone();
    let result = route(&mut s, ep, uri.path(), &q, &req);
    match result {
        Ok((def, mut v)) => {
            s.log.responses.push((ep, def, v.clone()));
            if let Some(f) = s.rewrite.get(&ep) {
                f(&mut v);
            }
            json_response(StatusCode::OK, &v, &extra)
        }
        Err((status, v)) => json_response(status, &v, &extra),
    }
}

type Routed = Result<(&'static str, Value), (StatusCode, Value)>;

fn route(s: &mut FakeState, ep: Ep, path: &str, q: &[(String, String)], req: &Value) -> Routed {
    match ep {
        Ep::Queues => Ok(("QueueEntityListing", queues(&s.scenario, q))),
        Ep::Observations => {
            s.log
                .requests
                .push((ep, "QueueObservationQuery", req.clone()));
            if s.details_refused && req.get("detailMetrics").is_some() {
                return Err((
                    StatusCode::BAD_REQUEST,
                    error_body(
                        400,
                        "invalid.value",
                        "detailMetrics are not allowed for this query",
                    ),
                ));
            }
            observations(&s.scenario, req)
        }
        Ep::Aggregates => {
            s.log
                .requests
                .push((ep, "ConversationAggregationQuery", req.clone()));
            aggregates(&s.scenario, req)
        }
        Ep::UserAggregates => {
            s.log
                .requests
                .push((ep, "ConversationAggregationQuery", req.clone()));
            Ok((
                "ConversationAggregateQueryResponse",
                user_aggregates(&s.scenario, req),
            ))
        }
        Ep::Activity => {
            s.log
                .requests
                .push((ep, "RoutingActivityQuery", req.clone()));
            if s.activity_refused {
                return Err((
                    StatusCode::FORBIDDEN,
                    error_body(
                        403,
                        "missing.permissions",
                        "You are missing the following permission(s): analytics:queueObservation:view",
                    ),
                ));
            }
            activity(&s.scenario, q, req)
        }
        Ep::Users => Ok(("UserEntityListing", users(&s.scenario, q))),
        Ep::Presence => Ok((
            "OrganizationPresenceDefinitionEntityListing",
            fixture("04-presence-definitions-response.json"),
        )),
        Ep::LegacyPresence => Ok((
            "OrganizationPresenceEntityListing",
            fixture("04-presencedefinitions-legacy-response.json"),
        )),
        Ep::Members => Ok(("QueueMemberEntityListing", members(&s.scenario, path, q))),
        Ep::Details => {
            s.log.requests.push((ep, "UserDetailsQuery", req.clone()));
            Ok((
                "AnalyticsUserDetailsQueryResponse",
                details(&s.scenario, req),
            ))
        }
        Ep::Channels => Ok(("Channel", create_channel(&mut s.notif))),
        Ep::Subscriptions => {
            s.log.requests.push((ep, "ChannelTopic[]", req.clone()));
            subscribe(&mut s.notif, path, req)
        }
        Ep::Token | Ep::Other => Err((
            StatusCode::NOT_FOUND,
            error_body(404, "not.found", "not found"),
        )),
    }
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/genesys/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("fixture json")
}

fn b64(input: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in input.chunks(3) {
        let n = (u32::from(c[0]) << 16)
            | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn token(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Response {
    let want = format!(
        "Basic {}",
        b64(format!("{CLIENT_ID}:{CLIENT_SECRET}").as_bytes())
    );
    let auth_ok = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == want);
    let form_ok = String::from_utf8_lossy(body).contains("grant_type=client_credentials");
    let ct_ok = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !(auth_ok && form_ok && ct_ok) {
        return json_response(
            StatusCode::UNAUTHORIZED,
            &json!({"error": "invalid_client", "description": "authentication failed", "error_description": "authentication failed"}),
            &[],
        );
    }
    let mut s = shared.lock().unwrap();
    s.tokens_issued += 1;
    let t = format!("tok-{}-EXAMPLEonlyNOTaREALtoken", s.tokens_issued);
    s.valid_tokens.insert(t.clone());
    let expires = s.scenario.token_expires_in;
    json_response(
        StatusCode::OK,
        &json!({"access_token": t, "token_type": "bearer", "expires_in": expires}),
        &[],
    )
}

fn authorised(shared: &Shared, headers: &HeaderMap) -> bool {
    let Some(v) = headers.get("authorization").and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some((scheme, tok)) = v.split_once(' ') else {
        return false;
    };
    scheme.eq_ignore_ascii_case("bearer") && shared.lock().unwrap().valid_tokens.contains(tok)
}

/// Queue ids named by `dimension == queueId` predicates anywhere in a filter.
fn filter_queue_ids(filter: &Value) -> Vec<String> {
    let mut out = vec![];
    for p in filter
        .get("predicates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if p.get("dimension").and_then(Value::as_str) == Some("queueId")
            && let Some(v) = p.get("value").and_then(Value::as_str)
        {
            out.push(v.to_string());
        }
    }
    for c in filter
        .get("clauses")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        out.extend(filter_queue_ids(c));
    }
    out
}

fn too_many(ids: &[String]) -> Option<(StatusCode, Value)> {
    (ids.len() > 100).then(|| {
        (
            StatusCode::BAD_REQUEST,
            error_body(
                400,
                "bad.request",
                "Too many predicates: at most 100 queue ids per query",
            ),
        )
    })
}

fn date(d: DateTime<Utc>) -> String {
    d.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn queues(sc: &Scenario, q: &[(String, String)]) -> Value {
    let size = q_num(q, "pageSize", 25).max(1);
    let page = q_num(q, "pageNumber", 1).max(1);
    let total = sc.queues.len();
    let entities: Vec<Value> = sc
        .queues
        .iter()
        .skip((page - 1) * size)
        .take(size)
        .map(|qu| {
            let sl = |(p, ms): (f64, u64)| json!({"percentage": p, "durationMs": ms});
            json!({
                "id": qu.id, "name": qu.name,
                "memberCount": qu.live.members, "userMemberCount": qu.live.members, "joinedMemberCount": qu.live.active,
                "mediaSettings": {
                    "call": {"enableAutoAnswer": false, "alertingTimeoutSeconds": 8, "serviceLevel": sl(qu.call_sl)},
                    "callback": {"enableAutoAnswer": false, "alertingTimeoutSeconds": 30, "serviceLevel": sl((0.8, 20_000))},
                    "chat": {"enableAutoAnswer": false, "alertingTimeoutSeconds": 30, "serviceLevel": sl(qu.chat_sl)},
                    "email": {"enableAutoAnswer": false, "alertingTimeoutSeconds": 300, "serviceLevel": sl((0.8, 86_400_000))},
                    "message": {"enableAutoAnswer": false, "alertingTimeoutSeconds": 30, "serviceLevel": sl((0.8, 20_000))}
                },
                "acwSettings": {"wrapupPrompt": "MANDATORY_TIMEOUT", "timeoutMs": 60000},
                "selfUri": format!("/api/v2/routing/queues/{}", qu.id)
            })
        })
        .collect();
    let pages = total.div_ceil(size).max(1);
    let mut v = json!({
        "entities": entities, "pageSize": size, "pageNumber": page, "total": total, "pageCount": pages,
        "firstUri": format!("/api/v2/routing/queues?pageSize={size}&pageNumber=1"),
        "selfUri": format!("/api/v2/routing/queues?pageSize={size}&pageNumber={page}"),
        "lastUri": format!("/api/v2/routing/queues?pageSize={size}&pageNumber={pages}")
    });
    if page < pages {
        v["nextUri"] = json!(format!(
            "/api/v2/routing/queues?pageSize={size}&pageNumber={}",
            page + 1
        ));
    }
    v
}

fn stat(metric: &str, count: u64) -> Value {
    json!({"metric": metric, "stats": {"count": count}})
}

fn observations(sc: &Scenario, req: &Value) -> Routed {
    let ids = filter_queue_ids(req.get("filter").unwrap_or(&Value::Null));
    if let Some(e) = too_many(&ids) {
        return Err(e);
    }
    let details = req
        .get("detailMetrics")
        .and_then(Value::as_array)
        .is_some_and(|d| d.iter().any(|m| m == "oWaiting"));
    let mut results = vec![];
    for qu in sc.queues.iter().filter(|q| ids.contains(&q.id)) {
        let l = &qu.live;
        let mut users = vec![];
        for (qual, n) in [
            ("IDLE", l.idle),
            ("INTERACTING", l.interacting),
            ("COMMUNICATING", l.communicating),
            ("NOT_RESPONDING", l.not_responding),
        ] {
            // Zero-count qualifiers are omitted (REFERENCE §2).
            if n > 0 {
                users.push(
                    json!({"metric": "oOnQueueUsers", "qualifier": qual, "stats": {"count": n}}),
                );
            }
        }
        users.push(stat("oOffQueueUsers", l.off_queue.into()));
        users.push(stat("oActiveUsers", l.active.into()));
        users.push(stat("oMemberUsers", l.members.into()));
        results.push(json!({"group": {"queueId": qu.id}, "data": users}));
        for m in &l.media {
            let mut waiting = m.waiting_since.clone();
            waiting.sort();
            let mut w = stat("oWaiting", waiting.len() as u64);
            if details {
                let cap = sc.detail_cap.max(2);
                let shown: Vec<DateTime<Utc>> = if waiting.len() > cap {
                    // Truncated: the oldest half and the newest half (REFERENCE §2).
                    let half = cap / 2;
                    waiting[..half]
                        .iter()
                        .chain(&waiting[waiting.len() - half..])
                        .copied()
                        .collect()
                } else {
                    waiting.clone()
                };
                w["truncated"] = json!(waiting.len() > cap);
                w["observations"] = json!(
                    shown
                        .iter()
                        .enumerate()
                        .map(|(i, d)| json!({"observationDate": date(*d), "conversationId": format!("conv-{i}"), "direction": "inbound", "routingPriority": 0}))
                        .collect::<Vec<_>>()
                );
            }
            let mut data = vec![
                w,
                stat("oInteracting", m.interacting.into()),
                stat("oAlerting", 0),
            ];
            if let Some(oldest) = waiting.first() {
                let v = oldest.timestamp_millis() - sc.longest_metric_skew_s * 1000;
                data.push(json!({"metric": "oLongestWaiting", "stats": {"count": waiting.len(), "calculatedMetricValue": v}}));
            }
            results.push(json!({"group": {"queueId": qu.id, "mediaType": m.media}, "data": data}));
        }
    }
    Ok((
        "QueueObservationQueryResponse",
        json!({"systemToOrganizationMappings": {"ON_QUEUE": [ON_QUEUE_ID]}, "results": results}),
    ))
}

fn aggregates(sc: &Scenario, req: &Value) -> Routed {
    let ids = filter_queue_ids(req.get("filter").unwrap_or(&Value::Null));
    if let Some(e) = too_many(&ids) {
        return Err(e);
    }
    let interval = req
        .get("interval")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    // With a granularity, the fake puts the whole day's counts into the granule holding
    // "now" (the totals stay the same sums); an interval that does not hold now is empty.
    let granular = req.get("granularity").and_then(Value::as_str) == Some("PT30M");
    let bounds = interval.split_once('/').and_then(|(a, b)| {
        Some((
            a.parse::<DateTime<Utc>>().ok()?,
            b.parse::<DateTime<Utc>>().ok()?,
        ))
    });
    let now = Utc::now();
    let interval = match (granular, bounds) {
        (false, _) => interval,
        (true, Some((a, b))) if a <= now && now <= b + chrono::Duration::seconds(5) => {
            let start = now - chrono::Duration::seconds(now.timestamp() % 1800);
            format!(
                "{}/{}",
                date(start),
                date(start + chrono::Duration::minutes(30))
            )
        }
        (true, _) => {
            return Ok(("ConversationAggregateQueryResponse", json!({"results": []})));
        }
    };
    let mut results = vec![];
    for qu in sc.queues.iter().filter(|q| ids.contains(&q.id)) {
        for t in qu.today.iter().filter(|t| t.offered > 0) {
            let mut metrics = vec![stat("nOffered", t.offered)];
            // Metrics without events are left out, as the platform does.
            if t.answered > 0 {
                metrics.push(json!({"metric": "tAnswered", "stats": {"count": t.answered, "sum": t.answered_ms}}));
            }
            if t.abandoned > 0 {
                metrics.push(json!({"metric": "tAbandon", "stats": {"count": t.abandoned, "sum": t.abandoned_ms}}));
            }
            if t.handled > 0 {
                metrics.push(
                    json!({"metric": "tHandle", "stats": {"count": t.handled, "sum": t.handle_ms}}),
                );
            }
            if t.sl_den > 0 {
                metrics.push(json!({"metric": "oServiceLevel", "stats": {
                    "ratio": t.sl_num as f64 / t.sl_den as f64, "numerator": t.sl_num, "denominator": t.sl_den, "target": t.sl_target}}));
            }
            results.push(json!({"group": {"queueId": qu.id, "mediaType": t.media}, "data": [{"interval": interval, "metrics": metrics}]}));
        }
    }
    Ok((
        "ConversationAggregateQueryResponse",
        json!({"results": results}),
    ))
}

/// Whether an aggregates query groups by user (the split) rather than by queue.
fn grouped_by_user(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("groupBy").cloned())
        .and_then(|g| g.as_array().cloned())
        .is_some_and(|g| g.iter().any(|d| d == "userId"))
}

/// The user-grouped aggregates: one group per filtered user with events, the interval as
/// asked, metrics without events left out (as the platform does).
fn user_aggregates(sc: &Scenario, req: &Value) -> Value {
    let interval = req
        .get("interval")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let mut users = vec![];
    for p in req
        .pointer("/filter/predicates")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if p.get("dimension").and_then(Value::as_str) == Some("userId")
            && let Some(v) = p.get("value").and_then(Value::as_str)
        {
            users.push(v.to_string());
        }
    }
    let mut results = vec![];
    for u in users {
        let Some(sp) = sc.splits.get(&u) else {
            continue;
        };
        let mut metrics = vec![];
        for (m, sum, count) in [
            ("tTalk", sp.talk_ms, sp.handled),
            ("tHeld", sp.held_ms, sp.handled.min(4)),
            ("tAcw", sp.acw_ms, sp.handled),
        ] {
            if sum > 0 {
                metrics.push(json!({"metric": m, "stats": {"count": count, "sum": sum}}));
            }
        }
        if sp.handled > 0 {
            metrics.push(json!({"metric": "tHandle", "stats": {
                "count": sp.handled, "sum": sp.talk_ms + sp.held_ms + sp.acw_ms}}));
        }
        results.push(
            json!({"group": {"userId": u}, "data": [{"interval": interval, "metrics": metrics}]}),
        );
    }
    json!({"results": results})
}

fn activity(sc: &Scenario, q: &[(String, String)], req: &Value) -> Routed {
    let metrics = req
        .get("metrics")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if metrics.is_empty()
        || metrics
            .iter()
            .any(|m| m.get("metric").and_then(Value::as_str).is_none())
    {
        return Err((
            StatusCode::BAD_REQUEST,
            error_body(400, "bad.request", "metrics[].metric is required"),
        ));
    }
    let ids = filter_queue_ids(req.get("filter").unwrap_or(&Value::Null));
    if let Some(e) = too_many(&ids) {
        return Err(e);
    }
    let size = q_num(q, "pageSize", 25).max(1);
    let page = q_num(q, "pageNumber", 1).max(1);
    // Entities are paged across the whole answer.
    let mut all: Vec<(&QueueS, &AgentS)> = vec![];
    let member = |a: &AgentS, q: &str| {
        a.queues.iter().any(|x| x == q) || a.not_joined.iter().any(|x| x == q)
    };
    for qu in sc.queues.iter().filter(|q| ids.contains(&q.id)) {
        let members = sc.agents.iter().filter(|a| member(a, &qu.id));
        let cut = sc.activity_truncate.unwrap_or(usize::MAX);
        for a in members.take(cut) {
            all.push((qu, a));
        }
    }
    let slice: Vec<&(&QueueS, &AgentS)> = all.iter().skip((page - 1) * size).take(size).collect();
    let mut results: Vec<Value> = vec![];
    for qu in sc.queues.iter().filter(|q| ids.contains(&q.id)) {
        let members: Vec<&AgentS> = sc.agents.iter().filter(|a| member(a, &qu.id)).collect();
        let entities: Vec<Value> = slice
            .iter()
            .filter(|(q2, _)| q2.id == qu.id)
            .map(|(_, a)| {
                json!({
                    "activityDate": date(Utc::now()), "userId": a.id, "queueId": qu.id,
                    "queueMembershipStatus": if a.not_joined.contains(&qu.id) { "inactive" } else { "active" },
                    "routingStatus": a.routing_status,
                    "routingStatusDate": date(a.routing_date), "systemPresence": a.system_presence,
                    "organizationPresenceId": a.org_presence_id, "presenceDate": date(a.presence_date)
                })
            })
            .collect();
        if entities.is_empty() && page > 1 {
            continue;
        }
        results.push(json!({
            "group": {"queueId": qu.id},
            "data": [{"metric": "oMemberUsers", "count": members.len(), "entityIds": members.iter().map(|a| a.id.clone()).collect::<Vec<_>>()}],
            "truncated": sc.activity_truncate.is_some_and(|n| members.len() > n),
            "entities": entities
        }));
    }
    Ok((
        "RoutingActivityResponse",
        json!({"results": results, "entityIdDimension": "userId"}),
    ))
}

fn users(sc: &Scenario, q: &[(String, String)]) -> Value {
    let ids: Vec<&str> = q
        .iter()
        .filter(|(k, _)| k == "id")
        .map(|(_, v)| v.as_str())
        .collect();
    let size = q_num(q, "pageSize", 25).max(1);
    let entities: Vec<Value> = sc
        .agents
        .iter()
        .filter(|a| ids.is_empty() || ids.contains(&a.id.as_str()))
        .take(size)
        .map(|a| json!({"id": a.id, "name": a.name, "state": "active", "version": 3, "selfUri": format!("/api/v2/users/{}", a.id)}))
        .collect();
    let n = entities.len();
    json!({"entities": entities, "pageSize": size, "pageNumber": 1, "total": n, "pageCount": 1})
}

fn legacy_spelling(sp: &str) -> &str {
    match sp {
        "ON_QUEUE" => "On Queue",
        "BREAK" => "Break",
        "OFFLINE" => "Offline",
        "AVAILABLE" => "Available",
        other => other,
    }
}

fn members(sc: &Scenario, path: &str, q: &[(String, String)]) -> Value {
    let qid = path
        .trim_start_matches("/api/v2/routing/queues/")
        .trim_end_matches("/members");
    let size = q_num(q, "pageSize", 25).clamp(1, 100);
    let page = q_num(q, "pageNumber", 1).max(1);
    let entities: Vec<Value> = sc
        .agents
        .iter()
        .filter(|a| a.queues.iter().any(|x| x == qid))
        .skip((page - 1) * size)
        .take(size)
        .map(|a| {
            let rs = json!({"userId": a.id, "status": a.routing_status, "startTime": date(a.routing_date)});
            json!({
                "id": a.id, "name": a.name, "joined": true, "memberBy": "user", "ringNumber": 1,
                "routingStatus": rs,
                "user": {
                    "id": a.id, "name": a.name, "state": "active", "version": 3,
                    "presence": {
                        "id": a.id, "source": "PURECLOUD", "sourceId": "PURECLOUD", "primary": true,
                        "presenceDefinition": {"id": a.org_presence_id, "systemPresence": legacy_spelling(&a.system_presence)},
                        "message": "", "modifiedDate": date(a.presence_date)
                    },
                    "routingStatus": rs
                }
            })
        })
        .collect();
    json!({"entities": entities, "pageNumber": page, "pageSize": size})
}

fn details(sc: &Scenario, req: &Value) -> Value {
    let user = req
        .pointer("/userFilters/0/predicates/0/value")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let size = req
        .pointer("/paging/pageSize")
        .and_then(Value::as_u64)
        .unwrap_or(25)
        .max(1) as usize;
    let page = req
        .pointer("/paging/pageNumber")
        .and_then(Value::as_u64)
        .unwrap_or(1)
        .max(1) as usize;
    let Some(h) = sc.history.get(user) else {
        return json!({"userDetails": [], "totalHits": 0});
    };
    // Records are paged over presence then routing records.
    let mut recs: Vec<(bool, Value)> = vec![];
    for (s, e, sp, id) in &h.presence {
        let mut v = json!({"startTime": s, "systemPresence": sp, "organizationPresenceId": id});
        if let Some(e) = e {
            v["endTime"] = json!(e);
        }
        recs.push((true, v));
    }
    for (s, e, st) in &h.routing {
        let mut v = json!({"startTime": s, "routingStatus": st});
        if let Some(e) = e {
            v["endTime"] = json!(e);
        }
        recs.push((false, v));
    }
    let total = recs.len();
    let slice: Vec<&(bool, Value)> = recs.iter().skip((page - 1) * size).take(size).collect();
    if slice.is_empty() {
        return json!({"userDetails": [], "totalHits": total});
    }
    let pres: Vec<&Value> = slice.iter().filter(|(p, _)| *p).map(|(_, v)| v).collect();
    let rout: Vec<&Value> = slice.iter().filter(|(p, _)| !*p).map(|(_, v)| v).collect();
    let mut d = json!({"userId": user});
    if !pres.is_empty() {
        d["primaryPresence"] = json!(pres);
    }
    if !rout.is_empty() {
        d["routingStatus"] = json!(rout);
    }
    json!({"userDetails": [d], "totalHits": total})
}
