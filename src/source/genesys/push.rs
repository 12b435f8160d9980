//! Genesys push: the Notifications API (REFERENCE §7 and "Notifications, precisely").
//!
//! One task owns the WebSocket(s). It creates channels (`POST /api/v2/notifications/channels`),
//! subscribes each to at most 1,000 topics (`PUT …/subscriptions`; at most 20 channels),
//! connects, and turns every message into a [`PushMsg`] for the source, which applies it to
//! the same state the REST parts fill. It watches the heartbeats (none for the timeout →
//! reconnect), reconnects on `v2.system.socket_closing`, makes new channels before the
//! channel expires or the token it was made with is renewed, and backs off while it cannot
//! connect. Scheduling of everything else, health and the border checks stay the engine's.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::wire::{
    Channel, ChannelMetadata, ChannelTopic, Listing, QueueMemberEvent, QueueObservationEvent,
    RoutingStatus, SystemPresence, UserActivityEvent, WsMessage, parse_date,
};
use crate::source::SourceError;
use crate::source::http::HttpClient;
use crate::source::ws::{self, Reconnect, WsEvent, WsSettings};

pub(super) const CHANNELS_PATH: &str = "/api/v2/notifications/channels";
/// Topics one channel may carry (more → 400).
pub const MAX_TOPICS_PER_CHANNEL: usize = 1000;
/// Channels one client may hold (a 21st removes the least recently used one).
pub const MAX_CHANNELS: usize = 20;
/// A channel lives this long unless the answer says otherwise.
const CHANNEL_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// The largest count a pushed figure may carry before it is called implausible.
const MAX_COUNT: f64 = 1_000_000.0;

/// Knobs of the push with production defaults; tests shorten the times.
#[derive(Clone, Debug, PartialEq)]
pub struct PushTuning {
    /// No message (heartbeats come about every 30 s) for this long → reconnect.
    pub heartbeat_timeout: Duration,
    /// Reconnect backoff after a failed attempt: from `backoff_min` doubling to
    /// `backoff_max`, jittered (the policy is `ws::Reconnect`).
    pub backoff_min: Duration,
    pub backoff_max: Duration,
    /// After the platform or a proxy refused (permission, upgrade refused): try again after
    /// this long (polling meanwhile).
    pub refused_retry: Duration,
    /// New channels this long before the old ones expire.
    pub renew_ahead: Duration,
    /// While pushed, the live figures (waiting ages) are polled this often…
    pub live_reconcile: Duration,
    /// …and the agent list this often (to correct drift).
    pub agents_reconcile: Duration,
    /// A pushed change of a waiting count asks for that queue's ages at most this often.
    pub early_ages_every: Duration,
    pub ws: WsSettings,
}

impl Default for PushTuning {
    fn default() -> Self {
        PushTuning {
            heartbeat_timeout: Duration::from_secs(60),
            backoff_min: Duration::from_secs(1),
            backoff_max: Duration::from_secs(60),
            refused_retry: Duration::from_secs(600),
            renew_ahead: Duration::from_secs(600),
            live_reconcile: Duration::from_secs(30),
            agents_reconcile: Duration::from_secs(300),
            early_ages_every: Duration::from_secs(2),
            ws: WsSettings::default(),
        }
    }
}

/// The topics for the watched queues and their members: each queue's observations and
/// membership changes, each agent's activity (presence and routing status in one).
pub fn topics(queue_ids: &[String], agent_ids: &[String]) -> Vec<String> {
    let mut out = Vec::with_capacity(queue_ids.len() * 2 + agent_ids.len());
    out.extend(
        queue_ids
            .iter()
            .map(|q| format!("v2.analytics.queues.{q}.observations")),
    );
    out.extend(agent_ids.iter().map(|a| format!("v2.users.{a}.activity")));
    out.extend(
        queue_ids
            .iter()
            .map(|q| format!("v2.routing.queues.{q}.users")),
    );
    out
}

/// The topics split over channels (at most 1,000 each, at most 20 channels).
pub fn shard(topics: &[String]) -> Result<Vec<Vec<String>>, SourceError> {
    let n = topics.len().div_ceil(MAX_TOPICS_PER_CHANNEL);
    if n > MAX_CHANNELS {
        return Err(SourceError::Fatal(format!(
            "{} push topics need {n} channels, more than the {MAX_CHANNELS} a client may hold; polling instead (watch fewer queues to push)",
            topics.len()
        )));
    }
    Ok(topics
        .chunks(MAX_TOPICS_PER_CHANNEL)
        .map(<[String]>::to_vec)
        .collect())
}

/// What the push task tells the source.
#[derive(Clone, Debug, PartialEq)]
pub enum PushMsg {
    /// Subscribed and connected: `channels` sockets carry `permitted` topics; the rest were
    /// rejected (topic, why).
    Up {
        channels: usize,
        permitted: usize,
        rejected: Vec<(String, String)>,
    },
    /// Not connected now (and why); the task reconnects by itself.
    Down(SourceError),
    /// A heartbeat (or any sign of life).
    Heard,
    /// A queue's waiting count for one media type (`""` = not grouped by media).
    Queue {
        queue_id: String,
        media: String,
        waiting: Option<u32>,
        at: Option<DateTime<Utc>>,
    },
    /// An agent's presence and routing status.
    Agent(AgentChange),
    /// An agent joined or left a queue.
    Member {
        user_id: String,
        queue_id: String,
        joined: bool,
    },
    /// A message that could not be read (dropped): what was wrong.
    Bad(String),
}

/// One agent's pushed state.
#[derive(Clone, Debug, PartialEq)]
pub struct AgentChange {
    pub id: String,
    pub presence: Option<SystemPresence>,
    pub org_presence_id: Option<String>,
    pub routing: Option<RoutingStatus>,
    pub presence_since: Option<DateTime<Utc>>,
    pub routing_since: Option<DateTime<Utc>>,
    /// The queues the agent is joined to now, when the event says.
    pub active_queues: Option<Vec<String>>,
}

impl AgentChange {
    /// When the change happened (the newer of its two times).
    pub fn at(&self) -> Option<DateTime<Utc>> {
        self.presence_since.max(self.routing_since)
    }
}

/// One message read.
#[derive(Clone, Debug, PartialEq)]
pub enum Read {
    Msg(PushMsg),
    /// `v2.system.socket_closing`: reconnect now.
    Closing,
    /// The channel is gone for us (`token_revoked`, `no_longer_subscribed`): why.
    Lost(String),
    /// Nothing the board uses (pong, other topics, socket replies).
    Ignored,
}

/// A pushed instant: readable, and not absurd (before 2000 or more than a day ahead).
fn instant(
    what: &str,
    raw: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, String> {
    let Some(raw) = raw.filter(|s| !s.trim().is_empty()) else {
        return Ok(None);
    };
    let shown = || crate::source::http::truncate(&crate::domain::text::printable(raw), 40);
    let t = parse_date(raw).ok_or_else(|| format!("{what} {:?} is not a time", shown()))?;
    let floor = DateTime::from_timestamp(946_684_800, 0).unwrap_or(DateTime::<Utc>::MIN_UTC);
    if t < floor || t > now + chrono::Duration::days(1) {
        return Err(format!("{what} {:?} is not a plausible time", shown()));
    }
    Ok(Some(t))
}

/// A pushed count: a whole number from 0 to a million.
fn count(what: &str, v: Option<f64>) -> Result<Option<u32>, String> {
    match v {
        None => Ok(None),
        Some(c) if c.is_finite() && (0.0..=MAX_COUNT).contains(&c) && c.fract() == 0.0 => {
            Ok(Some(c as u32))
        }
        Some(c) => Err(format!("{what} {c} is not a count")),
    }
}

/// The id in a topic `prefix{id}suffix`, compared case-insensitively (as the official
/// samples do).
fn topic_id<'a>(topic: &'a str, prefix: &str, suffix: &str) -> Option<&'a str> {
    let lower = topic.to_ascii_lowercase();
    if lower.len() <= prefix.len() + suffix.len()
        || !lower.starts_with(prefix)
        || !lower.ends_with(suffix)
    {
        return None;
    }
    topic.get(prefix.len()..topic.len() - suffix.len())
}

fn printable_id(id: &str) -> String {
    crate::source::http::truncate(&crate::domain::text::printable(id), 60)
}

/// Read one WebSocket text message. Every figure and instant is checked here, at the
/// border: a bad one drops the event with a [`PushMsg::Bad`] that says what was wrong.
pub fn read_message(text: &str, now: DateTime<Utc>) -> Read {
    let m: WsMessage = match serde_json::from_str(text) {
        Ok(m) => m,
        Err(e) => return Read::Msg(PushMsg::Bad(format!("a push message is not JSON ({e})"))),
    };
    let Some(topic) = m.topic_name.as_deref() else {
        // Socket-side replies (`{"result": …}`) and anything else without a topic.
        return Read::Ignored;
    };
    let body = m.event_body.unwrap_or(serde_json::Value::Null);
    let lower = topic.to_ascii_lowercase();
    if lower == "channel.metadata" {
        let meta: ChannelMetadata = serde_json::from_value(body).unwrap_or_default();
        return match meta.message.as_deref() {
            Some(s) if s.eq_ignore_ascii_case("websocket heartbeat") => Read::Msg(PushMsg::Heard),
            _ => Read::Ignored,
        };
    }
    if lower == "v2.system.socket_closing" {
        return Read::Closing;
    }
    if lower.starts_with("v2.system.token_revoked") {
        return Read::Lost("the platform revoked the token of the push channel".into());
    }
    if lower.starts_with("v2.system.no_longer_subscribed") {
        return Read::Lost("the push channel is no longer subscribed".into());
    }
    if let Some(q) = topic_id(topic, "v2.analytics.queues.", ".observations") {
        return Read::Msg(queue_event(q, body, now).unwrap_or_else(PushMsg::Bad));
    }
    if let Some(u) = topic_id(topic, "v2.users.", ".activity") {
        return Read::Msg(agent_event(u, body, now).unwrap_or_else(PushMsg::Bad));
    }
    if let Some(q) = topic_id(topic, "v2.routing.queues.", ".users") {
        return Read::Msg(member_event(q, body).unwrap_or_else(PushMsg::Bad));
    }
    Read::Ignored
}

fn queue_event(
    topic_queue: &str,
    body: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<PushMsg, String> {
    let shown = printable_id(topic_queue);
    let ev: QueueObservationEvent = serde_json::from_value(body)
        .map_err(|e| format!("the observation of queue {shown} is unreadable ({e})"))?;
    let queue_id = ev
        .group
        .get("queueId")
        .filter(|q| !q.is_empty())
        .cloned()
        .unwrap_or_else(|| topic_queue.to_string());
    if !queue_id.eq_ignore_ascii_case(topic_queue) {
        return Err(format!(
            "an observation on the topic of queue {shown} is for queue {}",
            printable_id(&queue_id)
        ));
    }
    let media = ev.group.get("mediaType").cloned().unwrap_or_default();
    let mut waiting = None;
    let mut at = None;
    for d in &ev.data {
        for metric in d.metrics.iter().filter(|m| m.metric == "oWaiting") {
            let c = count(
                &format!("queue {shown}: oWaiting"),
                metric.stats.as_ref().and_then(|s| s.count),
            )?;
            waiting = Some(waiting.unwrap_or(0) + c.unwrap_or(0));
            let start = d.interval.as_deref().and_then(|i| i.split('/').next());
            at = at.or(instant(&format!("queue {shown}: interval"), start, now)?);
        }
    }
    Ok(PushMsg::Queue {
        queue_id: topic_queue.to_string(),
        media,
        waiting,
        at,
    })
}

fn agent_event(
    topic_user: &str,
    body: serde_json::Value,
    now: DateTime<Utc>,
) -> Result<PushMsg, String> {
    let shown = printable_id(topic_user);
    let ev: UserActivityEvent = serde_json::from_value(body)
        .map_err(|e| format!("the activity of agent {shown} is unreadable ({e})"))?;
    if !ev.id.is_empty() && !ev.id.eq_ignore_ascii_case(topic_user) {
        return Err(format!(
            "an activity on the topic of agent {shown} is for agent {}",
            printable_id(&ev.id)
        ));
    }
    let routing = ev.routing_status.as_ref();
    let presence = ev.presence.as_ref();
    let definition = presence.and_then(|p| p.presence_definition.as_ref());
    Ok(PushMsg::Agent(AgentChange {
        id: topic_user.to_string(),
        presence: definition.and_then(|d| d.system_presence.clone()),
        org_presence_id: definition.and_then(|d| d.id.clone()),
        routing: routing.and_then(|r| r.status.clone()),
        presence_since: instant(
            &format!("agent {shown}: presence modifiedDate"),
            presence.and_then(|p| p.modified_date.as_deref()),
            now,
        )?,
        routing_since: instant(
            &format!("agent {shown}: routing startTime"),
            routing.and_then(|r| r.start_time.as_deref()),
            now,
        )?,
        active_queues: ev.active_queue_ids,
    }))
}

fn member_event(topic_queue: &str, body: serde_json::Value) -> Result<PushMsg, String> {
    let shown = printable_id(topic_queue);
    let ev: QueueMemberEvent = serde_json::from_value(body)
        .map_err(|e| format!("a membership change of queue {shown} is unreadable ({e})"))?;
    let user_id = ev
        .user
        .and_then(|u| u.id)
        .filter(|u| !u.is_empty())
        .ok_or_else(|| format!("a membership change of queue {shown} names no user"))?;
    let joined = ev
        .joined
        .ok_or_else(|| format!("a membership change of queue {shown} does not say joined"))?;
    Ok(PushMsg::Member {
        user_id,
        queue_id: topic_queue.to_string(),
        joined,
    })
}

/// A channel id goes into a path: only these characters.
fn safe_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 200
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// One subscribed channel, not yet connected.
struct Subscribed {
    uri: String,
    expires: Option<DateTime<Utc>>,
}

/// Create a channel and subscribe it to `topics`: the channel and the rejected topics.
async fn subscribe(
    api: &HttpClient,
    topics: &[String],
    rejected: &mut Vec<(String, String)>,
) -> Result<(Subscribed, usize), SourceError> {
    let ch: Channel = api
        .post_empty(CHANNELS_PATH)
        .await
        .map_err(notifications_permission)?;
    let id = ch.id.unwrap_or_default();
    if !safe_id(&id) {
        return Err(SourceError::Malformed(format!(
            "POST {CHANNELS_PATH} answered a channel without a usable id"
        )));
    }
    let uri = ch.connect_uri.unwrap_or_default();
    ws::check_ws_url(&uri).map_err(|m| {
        SourceError::Malformed(format!(
            "POST {CHANNELS_PATH} answered a connectUri refused: {m}"
        ))
    })?;
    let body: Vec<ChannelTopic> = topics.iter().cloned().map(ChannelTopic::named).collect();
    let path = format!("{CHANNELS_PATH}/{id}/subscriptions");
    let answer: Listing<ChannelTopic> = api
        .put_json(&path, &[], &body)
        .await
        .map_err(notifications_permission)?;
    let mut permitted = 0;
    for t in &answer.entities {
        if t.rejected() {
            let why = match (&t.rejection_reason, t.missing_permissions.is_empty()) {
                (Some(r), true) => r.clone(),
                (r, false) => format!(
                    "{} ({})",
                    r.as_deref().unwrap_or("rejected"),
                    t.missing_permissions.join(", ")
                ),
                (None, true) => "rejected".into(),
            };
            rejected.push((
                t.id.clone(),
                crate::domain::text::printable(&why).into_owned(),
            ));
        } else {
            permitted += 1;
        }
    }
    Ok((
        Subscribed {
            uri,
            expires: ch.expires,
        },
        permitted,
    ))
}

/// A 403 on the notifications calls names the permission when the body does not.
fn notifications_permission(e: SourceError) -> SourceError {
    match e {
        SourceError::Permission(m)
            if crate::source::http::permissions_in(m.as_bytes()).is_empty() =>
        {
            SourceError::Permission(format!(
                "{m} (push needs the OAuth scope `notifications` and the permissions of each topic)"
            ))
        }
        other => other,
    }
}

/// How a session that was up ended.
#[derive(Debug)]
enum Ended {
    /// Renew the channels (expiry or token renewal ahead): reconnect at once.
    Renew,
    /// The connection was lost or closed (why); reconnect at once.
    Lost(SourceError),
    /// The source is gone.
    Stop,
}

/// Run the push until the source drops its receiver: sessions one after another, with
/// backoff while they cannot be made.
pub async fn run(
    api: HttpClient,
    topics: Vec<String>,
    tuning: PushTuning,
    tx: mpsc::Sender<PushMsg>,
) {
    let shards = match shard(&topics) {
        Ok(s) => s,
        Err(e) => {
            let _ = tx.send(PushMsg::Down(e)).await;
            return;
        }
    };
    let mut reconnect =
        Reconnect::new(tuning.backoff_min, tuning.backoff_max, tuning.refused_retry);
    loop {
        match session(&api, &shards, &tuning, &tx).await {
            Ok(Ended::Stop) => return,
            Ok(Ended::Renew) => {
                tracing::info!("push: renewing the notification channels");
                reconnect.up();
                continue;
            }
            Ok(Ended::Lost(e)) => {
                tracing::info!(error = %e, "push: connection lost; reconnecting");
                reconnect.up();
                if tx.send(PushMsg::Down(e)).await.is_err() {
                    return;
                }
                tokio::time::sleep(reconnect.after_loss()).await;
            }
            Err(e) => {
                let wait = reconnect.failed(&e);
                tracing::warn!(error = %e, retry_in_s = wait.as_secs_f64(), "push: could not connect");
                if tx.send(PushMsg::Down(e)).await.is_err() {
                    return;
                }
                tokio::time::sleep(wait).await;
            }
        }
        if tx.is_closed() {
            return;
        }
    }
}

/// One session: channels, subscriptions, sockets, then messages until it ends. `Err` =
/// it never came up.
async fn session(
    api: &HttpClient,
    shards: &[Vec<String>],
    tuning: &PushTuning,
    tx: &mpsc::Sender<PushMsg>,
) -> Result<Ended, SourceError> {
    let mut rejected = Vec::new();
    let mut subscribed = Vec::new();
    let mut permitted = 0;
    for topics in shards {
        let (s, p) = subscribe(api, topics, &mut rejected).await?;
        permitted += p;
        subscribed.push(s);
    }
    if permitted == 0 {
        let first = rejected
            .first()
            .map(|(t, why)| format!(" (e.g. {t}: {why})"))
            .unwrap_or_default();
        return Err(SourceError::Permission(format!(
            "every push topic was rejected{first}"
        )));
    }
    let mut conns = Vec::new();
    for s in &subscribed {
        conns.push(ws::connect(&s.uri, &tuning.ws, api.redactor()).await?);
    }
    // Renew ahead of the earliest channel expiry and of the token's renewal.
    let now = Utc::now();
    let mut renew_in = subscribed
        .iter()
        .map(|s| match s.expires {
            Some(e) => (e - now).to_std().unwrap_or_default(),
            None => CHANNEL_LIFETIME,
        })
        .min()
        .unwrap_or(CHANNEL_LIFETIME)
        .saturating_sub(tuning.renew_ahead);
    if let Some(t) = api.token_renews_in().await {
        renew_in = renew_in.min(t + Duration::from_secs(1));
    }
    let renew_at = tokio::time::Instant::now() + renew_in.max(Duration::from_secs(1));
    if tx
        .send(PushMsg::Up {
            channels: conns.len(),
            permitted,
            rejected,
        })
        .await
        .is_err()
    {
        return Ok(Ended::Stop);
    }
    tracing::info!(
        channels = conns.len(),
        topics = permitted,
        "push: connected"
    );

    // One reader per socket; all of them end with this session (JoinSet aborts on drop).
    let (in_tx, mut in_rx) = mpsc::channel::<(usize, Result<WsEvent, SourceError>)>(256);
    let mut readers = tokio::task::JoinSet::new();
    for (i, mut c) in conns.into_iter().enumerate() {
        let in_tx = in_tx.clone();
        readers.spawn(async move {
            loop {
                let ev = c.next().await;
                let end = !matches!(ev, Ok(WsEvent::Text(_)));
                if in_tx.send((i, ev)).await.is_err() || end {
                    break;
                }
            }
            c.close().await;
        });
    }
    drop(in_tx);
    let mut heard: HashMap<usize, Instant> =
        (0..subscribed.len()).map(|i| (i, Instant::now())).collect();
    let mut watch = tokio::time::interval(tuning.heartbeat_timeout / 4);
    watch.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = tokio::time::sleep_until(renew_at) => return Ok(Ended::Renew),
            _ = watch.tick() => {
                if let Some(silent) = heard.values().map(Instant::elapsed).max()
                    && silent > tuning.heartbeat_timeout
                {
                    return Ok(Ended::Lost(SourceError::Transient(format!(
                        "no heartbeat on the push channel for {} s",
                        silent.as_secs()
                    ))));
                }
            }
            got = in_rx.recv() => {
                let Some((i, ev)) = got else {
                    return Ok(Ended::Lost(SourceError::Transient("the push connection ended".into())));
                };
                let text = match ev {
                    Ok(WsEvent::Text(t)) => t,
                    Ok(WsEvent::Closed(why)) => {
                        return Ok(Ended::Lost(SourceError::Transient(format!(
                            "the push connection was {why}"
                        ))));
                    }
                    Err(e) => return Ok(Ended::Lost(e)),
                };
                heard.insert(i, Instant::now());
                let msg = match read_message(&text, Utc::now()) {
                    Read::Msg(m) => m,
                    Read::Closing => {
                        return Ok(Ended::Lost(SourceError::Transient(
                            "the platform is closing the push connection (socket_closing)".into(),
                        )));
                    }
                    Read::Lost(why) => return Ok(Ended::Lost(SourceError::Transient(why))),
                    Read::Ignored => PushMsg::Heard,
                };
                if tx.send(msg).await.is_err() {
                    return Ok(Ended::Stop);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        std::fs::read_to_string(format!(
            "{}/tests/fixtures/genesys/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap_or_default()
    }

    fn at(s: &str) -> DateTime<Utc> {
        parse_date(s).unwrap_or_default()
    }

    #[test]
    fn topics_cover_queues_and_members_and_shard_by_a_thousand() {
        let qs: Vec<String> = (0..1000).map(|i| format!("q{i}")).collect();
        let ags: Vec<String> = (0..5000).map(|i| format!("u{i}")).collect();
        let t = topics(&qs, &ags);
        assert_eq!(t.len(), 7000);
        assert_eq!(t[0], "v2.analytics.queues.q0.observations");
        assert!(t.contains(&"v2.users.u4999.activity".to_string()));
        assert!(t.contains(&"v2.routing.queues.q999.users".to_string()));
        let s = shard(&t).unwrap_or_default();
        assert_eq!(s.len(), 7);
        assert!(s.iter().all(|c| c.len() <= MAX_TOPICS_PER_CHANNEL));
        let many: Vec<String> = (0..20_001).map(|i| format!("t{i}")).collect();
        assert!(matches!(shard(&many), Err(SourceError::Fatal(_))));
        assert_eq!(shard(&many[..20_000]).map(|s| s.len()), Ok(20));
    }

    #[test]
    fn the_reference_messages_read_as_the_board_needs_them() {
        let now = at("2026-03-10T15:00:00Z");
        assert_eq!(
            read_message(&fixture("07-ws-heartbeat.json"), now),
            Read::Msg(PushMsg::Heard)
        );
        assert_eq!(
            read_message(&fixture("07-ws-pong.json"), now),
            Read::Ignored
        );
        assert_eq!(
            read_message(&fixture("07-ws-socket-closing.json"), now),
            Read::Closing
        );
        assert_eq!(
            read_message(&fixture("07-ws-subscription-failure.json"), now),
            Read::Ignored
        );
        match read_message(&fixture("07-ws-queue-observations-event.json"), now) {
            Read::Msg(PushMsg::Queue {
                queue_id,
                media,
                waiting,
                at: t,
            }) => {
                assert_eq!(queue_id, "2dfcc467-950d-4514-a907-64bcd946cf57");
                assert_eq!(media, "voice");
                assert_eq!(waiting, Some(3));
                assert_eq!(t, Some(at("2026-03-10T14:32:06.104Z")));
            }
            other => panic!("{other:?}"),
        }
        match read_message(&fixture("07-ws-user-activity-event.json"), now) {
            Read::Msg(PushMsg::Agent(a)) => {
                assert_eq!(a.id, "da72e94f-183e-415b-9268-f3d15ba97182");
                assert_eq!(a.presence, Some(SystemPresence::OnQueue));
                assert_eq!(a.routing, Some(RoutingStatus::Interacting));
                assert_eq!(a.routing_since, Some(at("2026-03-10T14:31:40.019Z")));
                assert_eq!(a.active_queues.map(|q| q.len()), Some(2));
            }
            other => panic!("{other:?}"),
        }
        match read_message(&fixture("07-ws-queue-users-event.json"), now) {
            Read::Msg(PushMsg::Member {
                user_id, joined, ..
            }) => {
                assert_eq!(user_id, "6c38f9d3-0bd7-4deb-8a8e-a77021e0b497");
                assert!(joined);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_numbers_and_times_are_refused_at_the_border() {
        let now = at("2026-03-10T15:00:00Z");
        let obs = |count: &str, interval: &str| {
            format!(
                r#"{{"topicName":"v2.analytics.queues.q1.observations","eventBody":{{"group":{{"queueId":"q1"}},"data":[{{"interval":"{interval}","metrics":[{{"metric":"oWaiting","stats":{{"count":{count}}}}}]}}]}}}}"#
            )
        };
        for (c, i) in [
            ("-1", "2026-03-10T14:32:06Z/2026-03-10T14:32:06Z"),
            ("2.5", "2026-03-10T14:32:06Z/2026-03-10T14:32:06Z"),
            ("1e308", "2026-03-10T14:32:06Z/2026-03-10T14:32:06Z"),
            ("3", "yesterday/today"),
            ("3", "2999-01-01T00:00:00Z/2999-01-01T00:00:00Z"),
        ] {
            match read_message(&obs(c, i), now) {
                Read::Msg(PushMsg::Bad(m)) => assert!(m.contains("q1"), "{m}"),
                other => panic!("{c} {i}: {other:?}"),
            }
        }
        let wrong_queue = r#"{"topicName":"v2.analytics.queues.q1.observations","eventBody":{"group":{"queueId":"q2"},"data":[]}}"#;
        assert!(matches!(
            read_message(wrong_queue, now),
            Read::Msg(PushMsg::Bad(_))
        ));
        let bad_time = r#"{"topicName":"v2.users.u1.activity","eventBody":{"id":"u1","routingStatus":{"status":"IDLE","startTime":"soon"}}}"#;
        assert!(matches!(
            read_message(bad_time, now),
            Read::Msg(PushMsg::Bad(_))
        ));
        let not_json = "{\"topicName\": ";
        assert!(matches!(
            read_message(not_json, now),
            Read::Msg(PushMsg::Bad(_))
        ));
        let control =
            "{\"topicName\":\"v2.users.u\\u001b[2J.activity\",\"eventBody\":{\"id\":\"x\"}}";
        match read_message(control, now) {
            Read::Msg(PushMsg::Bad(m)) => assert!(!m.contains('\u{1b}'), "{m:?}"),
            other => panic!("{other:?}"),
        }
        let revoked = r#"{"topicName":"v2.system.token_revoked.abc","eventBody":{}}"#;
        assert!(matches!(read_message(revoked, now), Read::Lost(_)));
    }

    #[test]
    fn channel_ids_that_could_leave_the_path_are_refused() {
        assert!(safe_id("streaming-7-3kq0fb8pl1fh7c0pfo1bqm7i6e"));
        assert!(!safe_id("../../oauth/token"));
        assert!(!safe_id("a?b"));
        assert!(!safe_id(""));
    }
}
