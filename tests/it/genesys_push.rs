//! Genesys push (the Notifications API) against the fake: the source as the board runs it
//! (`source::run`), its snapshots read from the source channel.

use std::time::{Duration, Instant};

use crate::support::fake_genesys::*;
use chrono::Utc;
use queuetop::config::{GenesysConfig, PushMode, Secret};
use queuetop::domain::{AgentState, FeedMode, SourceSnapshot, SourceStatus};
use queuetop::source::channel::EventReceiver;
use queuetop::source::genesys::push::PushTuning;
use queuetop::source::genesys::{GenesysSource, Tuning};
use queuetop::source::{SourceCommand, SourceEvent, SourceOptions};

fn config(fake: &FakeGenesys, push: PushMode) -> GenesysConfig {
    GenesysConfig {
        name: "gc".into(),
        api_url: fake.url(),
        login_url: fake.url(),
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new(CLIENT_SECRET),
        queues: vec![],
        push,
    }
}

fn push_tuning() -> PushTuning {
    PushTuning {
        heartbeat_timeout: Duration::from_secs(2),
        backoff_min: Duration::from_millis(50),
        backoff_max: Duration::from_millis(500),
        refused_retry: Duration::from_secs(1),
        renew_ahead: Duration::from_secs(600),
        live_reconcile: Duration::from_secs(300),
        agents_reconcile: Duration::from_secs(300),
        early_ages_every: Duration::from_millis(200),
        ..PushTuning::default()
    }
}

fn tuning(push: PushTuning) -> Tuning {
    Tuning {
        http: crate::support::fast_http(),
        budget_per_minute: 10_000,
        today_every: Duration::from_secs(300),
        max_backoff: Duration::from_secs(2),
        push,
        ..Tuning::default()
    }
}

/// A long refresh: whatever changes within a second came by push.
fn opts(refresh: Duration) -> SourceOptions {
    SourceOptions {
        refresh,
        timezone: Some(chrono_tz::UTC),
        clock: Default::default(),
    }
}

struct Running {
    rx: EventReceiver,
    cmd: tokio::sync::mpsc::Sender<SourceCommand>,
    task: tokio::task::JoinHandle<()>,
    last: Option<SourceSnapshot>,
}

impl Running {
    fn start(fake: &FakeGenesys, push: PushMode, t: Tuning, refresh: Duration) -> Running {
        let src = GenesysSource::with_tuning(config(fake, push), opts(refresh), t).expect("source");
        let (tx, rx) = queuetop::source::channel::channel();
        let (cmd, cmd_rx) = tokio::sync::mpsc::channel(8);
        let task = tokio::spawn(queuetop::source::run(src, tx, cmd_rx));
        Running {
            rx,
            cmd,
            task,
            last: None,
        }
    }

    /// The first snapshot (within `within`) for which `f` holds.
    async fn until(
        &mut self,
        within: Duration,
        mut f: impl FnMut(&SourceSnapshot) -> bool,
    ) -> Option<SourceSnapshot> {
        let deadline = tokio::time::Instant::now() + within;
        if let Some(s) = &self.last
            && f(s)
        {
            return self.last.clone();
        }
        loop {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(SourceEvent::Snapshot(s))) => {
                    let ok = f(&s);
                    self.last = Some(*s);
                    if ok {
                        return self.last.clone();
                    }
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return None,
            }
        }
    }

    async fn pushed(&mut self, within: Duration) -> Option<SourceSnapshot> {
        self.until(within, |s| {
            matches!(s.health.mode, Some(FeedMode::Push { .. }))
                && s.health.status == SourceStatus::Live
        })
        .await
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn state_of(s: &SourceSnapshot, id: &str) -> Option<AgentState> {
    s.agents
        .as_ref()?
        .iter()
        .find(|a| a.id == id)
        .map(|a| a.state)
}

fn waiting_of(s: &SourceSnapshot, id: &str) -> Option<u32> {
    s.queues.iter().find(|q| q.id == id)?.live.waiting
}

async fn fake_with_fast_heartbeats() -> FakeGenesys {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    fake.with(|s| s.notif.heartbeat_every = Duration::from_millis(300));
    fake
}

#[tokio::test]
async fn a_pushed_agent_change_is_in_the_snapshot_within_a_second() {
    let fake = fake_with_fast_heartbeats().await;
    let mut run = Running::start(
        &fake,
        PushMode::Auto,
        tuning(push_tuning()),
        Duration::from_secs(60),
    );
    let s = run
        .pushed(Duration::from_secs(10))
        .await
        .expect("push live");
    assert_eq!(state_of(&s, ALICE), Some(AgentState::Available));
    let note = s.health.note.clone().unwrap_or_default();
    assert!(!note.contains("rejected"), "{note}");
    // The subscriptions: observations and members of every queue, each agent's activity.
    let topics = fake.with(|s| {
        s.notif
            .channels
            .values()
            .flat_map(|c| c.topics.clone())
            .collect::<Vec<_>>()
    });
    assert!(topics.contains(&format!("v2.analytics.queues.{Q_SUPPORT}.observations")));
    assert!(topics.contains(&format!("v2.routing.queues.{Q_SALES}.users")));
    assert!(topics.contains(&format!("v2.users.{ALICE}.activity")));
    // Let the re-snapshot that follows the connect settle.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let activity_before = fake.hits(Ep::Activity);

    let sent = Instant::now();
    assert_eq!(fake.set_agent(ALICE, "BREAK", "OFF_QUEUE"), 1);
    let s = run
        .until(Duration::from_secs(5), |s| {
            state_of(s, ALICE) == Some(AgentState::Unavailable)
        })
        .await
        .expect("the change arrives");
    let took = sent.elapsed();
    assert!(took < Duration::from_secs(1), "took {took:?}");
    assert_eq!(
        fake.hits(Ep::Activity),
        activity_before,
        "came by push, not a poll"
    );
    let a = s
        .agents
        .as_ref()
        .and_then(|a| a.iter().find(|a| a.id == ALICE))
        .cloned();
    assert_eq!(a.and_then(|a| a.reason), Some("Coaching".into()));
    let support = s
        .queues
        .iter()
        .find(|q| q.id == Q_SUPPORT)
        .map(|q| q.live.agents.clone());
    assert_eq!(
        support.and_then(|c| c.available),
        Some(0),
        "counts follow the pushed state"
    );
    match s.health.mode {
        Some(FeedMode::Push {
            newest_event: Some(t),
        }) => {
            assert!((Utc::now() - t).num_seconds() < 5, "{t}")
        }
        other => panic!("{other:?}"),
    }

    // A waiting count too; its ages are polled early for that queue alone.
    let obs_before = fake.hits(Ep::Observations);
    fake.set_waiting(Q_SUPPORT, "voice", 5);
    let s = run
        .until(Duration::from_secs(5), |s| {
            waiting_of(s, Q_SUPPORT) == Some(5)
        })
        .await
        .expect("the waiting count arrives");
    let q = s
        .queues
        .iter()
        .find(|q| q.id == Q_SUPPORT)
        .cloned()
        .expect("queue");
    let s = run
        .until(Duration::from_secs(5), |s| {
            s.queues.iter().any(|q| {
                q.id == Q_SUPPORT && q.live.waiting_ages_s.as_ref().is_some_and(|a| a.len() == 5)
            })
        })
        .await
        .expect("ages polled early");
    assert!(fake.hits(Ep::Observations) > obs_before);
    assert_eq!(waiting_of(&s, Q_SUPPORT), Some(5), "{q:?}");
}

#[tokio::test]
async fn a_silent_channel_with_heartbeats_stays_live_and_a_dead_one_reconnects() {
    let fake = fake_with_fast_heartbeats().await;
    let mut run = Running::start(
        &fake,
        PushMode::Auto,
        tuning(push_tuning()),
        Duration::from_secs(60),
    );
    run.pushed(Duration::from_secs(10))
        .await
        .expect("push live");
    let connects = fake.ws_connects();
    // No events for longer than the heartbeat timeout: heartbeats keep it live.
    tokio::time::sleep(Duration::from_secs(3)).await;
    run.last = None;
    let s = run
        .until(Duration::from_secs(2), |s| s.health.mode.is_some())
        .await
        .expect("snapshot");
    assert_eq!(
        s.health.status_at(Utc::now()),
        SourceStatus::Live,
        "{:?}",
        s.health
    );
    assert!(
        matches!(s.health.mode, Some(FeedMode::Push { .. })),
        "{:?}",
        s.health.mode
    );
    assert_eq!(
        fake.ws_connects(),
        connects,
        "no reconnect while heartbeats come"
    );

    // Heartbeats stop: past the timeout the channel is given up and made again.
    fake.with(|s| s.notif.heartbeats = false);
    let deadline = Instant::now() + Duration::from_secs(10);
    while fake.ws_connects() == connects && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(fake.ws_connects() > connects, "reconnected after silence");
}

#[tokio::test]
async fn a_dropped_socket_reconnects_and_snapshots_again() {
    let fake = fake_with_fast_heartbeats().await;
    let mut run = Running::start(
        &fake,
        PushMode::Auto,
        tuning(push_tuning()),
        Duration::from_secs(60),
    );
    run.pushed(Duration::from_secs(10))
        .await
        .expect("push live");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let (connects, activity, observations) = (
        fake.ws_connects(),
        fake.hits(Ep::Activity),
        fake.hits(Ep::Observations),
    );
    // Changed while nobody listens: only a new REST snapshot can know.
    fake.ws_all(WsCmd::Drop);
    fake.with(|s| {
        if let Some(a) = s.scenario.agents.iter_mut().find(|a| a.id == BOB) {
            a.routing_status = "IDLE".into();
            a.routing_date = Utc::now();
        }
    });
    let s = run
        .until(Duration::from_secs(10), |s| {
            state_of(s, BOB) == Some(AgentState::Available)
                && matches!(s.health.mode, Some(FeedMode::Push { .. }))
        })
        .await
        .expect("re-snapshot after reconnect");
    assert!(fake.ws_connects() > connects);
    assert!(fake.hits(Ep::Activity) > activity, "agents read again");
    assert!(
        fake.hits(Ep::Observations) > observations,
        "live figures read again"
    );
    assert_eq!(s.health.status, SourceStatus::Live, "{:?}", s.health);
}

#[tokio::test]
async fn socket_closing_and_an_expired_channel_both_lead_to_a_new_connection() {
    let fake = fake_with_fast_heartbeats().await;
    let mut run = Running::start(
        &fake,
        PushMode::Auto,
        tuning(push_tuning()),
        Duration::from_secs(60),
    );
    run.pushed(Duration::from_secs(10))
        .await
        .expect("push live");
    let connects = fake.ws_connects();
    fake.socket_closing();
    let deadline = Instant::now() + Duration::from_secs(10);
    while fake.ws_connects() == connects && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        fake.ws_connects() > connects,
        "reconnected on socket_closing"
    );

    let channels = fake.hits(Ep::Channels);
    let connects = fake.ws_connects();
    fake.expire_channels();
    let deadline = Instant::now() + Duration::from_secs(10);
    while fake.ws_connects() == connects && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(fake.hits(Ep::Channels) > channels, "a new channel");
    assert!(fake.ws_connects() > connects);
    // And it pushes again.
    let s = run
        .pushed(Duration::from_secs(10))
        .await
        .expect("push live again");
    assert_eq!(state_of(&s, CAROL), Some(AgentState::Unavailable));
    fake.set_agent(CAROL, "ON_QUEUE", "IDLE");
    run.until(Duration::from_secs(5), |s| {
        state_of(s, CAROL) == Some(AgentState::Available)
    })
    .await
    .expect("pushed after the new channel");
}

#[tokio::test]
async fn a_channel_near_its_expiry_is_renewed_before_it_dies() {
    let fake = fake_with_fast_heartbeats().await;
    // Channels that live 3 s; renewed 2 s ahead.
    fake.with(|s| s.notif.channel_expires_in = chrono::Duration::seconds(3));
    let mut t = push_tuning();
    t.renew_ahead = Duration::from_secs(2);
    let mut run = Running::start(&fake, PushMode::Auto, tuning(t), Duration::from_secs(60));
    run.pushed(Duration::from_secs(10))
        .await
        .expect("push live");
    let channels = fake.hits(Ep::Channels);
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(fake.hits(Ep::Channels) > channels, "renewed");
    run.pushed(Duration::from_secs(5))
        .await
        .expect("still pushing");
}

#[tokio::test]
async fn a_refused_upgrade_falls_back_to_polling() {
    let fake = fake_with_fast_heartbeats().await;
    fake.with(|s| s.notif.refuse_upgrade = true);
    let mut run = Running::start(
        &fake,
        PushMode::Auto,
        tuning(push_tuning()),
        Duration::from_millis(500),
    );
    let s = run
        .until(Duration::from_secs(10), |s| {
            s.health.mode == Some(FeedMode::Poll)
                && s.health
                    .note
                    .as_deref()
                    .is_some_and(|n| n.contains("refused"))
        })
        .await
        .expect("polling, with the reason");
    assert_eq!(
        s.health.status,
        SourceStatus::Live,
        "auto: a note, not an error"
    );
    let note = s.health.note.clone().unwrap_or_default();
    assert!(
        note.contains("HTTP 403") && note.contains("polling"),
        "{note}"
    );
    // The board still follows changes, by polling.
    fake.with(|s| {
        if let Some(a) = s.scenario.agents.iter_mut().find(|a| a.id == ALICE) {
            a.system_presence = "BREAK".into();
            a.org_presence_id = COACHING_ID.into();
        }
    });
    run.until(Duration::from_secs(5), |s| {
        state_of(s, ALICE) == Some(AgentState::Unavailable)
    })
    .await
    .expect("polled");
    assert!(fake.with(|s| s.notif.refused) >= 1);

    // With push = "on" the same refusal is an error of the source (it still polls).
    let mut on = Running::start(
        &fake,
        PushMode::On,
        tuning(push_tuning()),
        Duration::from_millis(500),
    );
    let s = on
        .until(Duration::from_secs(10), |s| {
            s.health.status == SourceStatus::Stale
        })
        .await
        .expect("stale with push on");
    let e = s.health.error.clone().unwrap_or_default();
    assert!(e.contains("push channel") && e.contains("HTTP 403"), "{e}");

    // Once WebSockets get through, push takes over (retried after `refused_retry`).
    fake.with(|s| s.notif.refuse_upgrade = false);
    run.pushed(Duration::from_secs(10))
        .await
        .expect("push after the proxy let it through");
}

#[tokio::test]
async fn rejected_topics_are_shown_and_their_figures_polled() {
    let fake = fake_with_fast_heartbeats().await;
    fake.with(|s| s.notif.reject = vec!["v2.users.".into()]);
    let mut run = Running::start(
        &fake,
        PushMode::Auto,
        tuning(push_tuning()),
        Duration::from_millis(500),
    );
    let s = run
        .pushed(Duration::from_secs(10))
        .await
        .expect("push live for queues");
    let note = s.health.note.clone().unwrap_or_default();
    assert!(
        note.contains("4 push topics rejected") && note.contains("Missing permissions"),
        "{note}"
    );
    // Agents are not pushed, so they are polled as usual.
    let before = fake.hits(Ep::Activity);
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        fake.hits(Ep::Activity) >= before + 2,
        "agents polled every round"
    );
}

#[tokio::test]
async fn pushed_numbers_equal_polled_ones_after_reconciliation() {
    let fake = fake_with_fast_heartbeats().await;
    let mut t = push_tuning();
    t.live_reconcile = Duration::from_secs(2);
    t.agents_reconcile = Duration::from_secs(2);
    let mut run = Running::start(&fake, PushMode::Auto, tuning(t), Duration::from_millis(500));
    run.pushed(Duration::from_secs(10))
        .await
        .expect("push live");
    fake.set_agent(ALICE, "BREAK", "OFF_QUEUE");
    fake.set_agent(BOB, "ON_QUEUE", "IDLE");
    fake.set_agent(DAN, "ON_QUEUE", "NOT_RESPONDING");
    fake.set_waiting(Q_SALES, "chat", 0);
    fake.set_waiting(Q_BILLING, "voice", 2);
    run.until(Duration::from_secs(5), |s| {
        state_of(s, DAN) == Some(AgentState::NotResponding) && waiting_of(s, Q_BILLING) == Some(2)
    })
    .await
    .expect("pushed");
    // Past a reconciliation of both parts.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let _ = run.cmd.send(SourceCommand::Refresh).await;
    let pushed = run
        .until(Duration::from_secs(5), |s| {
            s.health.status == SourceStatus::Live
        })
        .await
        .expect("snapshot");

    // The same centre, polled only.
    let mut polled = Running::start(
        &fake,
        PushMode::Off,
        tuning(push_tuning()),
        Duration::from_secs(60),
    );
    let p = polled
        .until(Duration::from_secs(10), |s| {
            s.health.status == SourceStatus::Live
        })
        .await
        .expect("polled snapshot");
    assert_eq!(p.health.mode, None, "push off: no push part");
    let view = |s: &SourceSnapshot| {
        let qs: Vec<_> = s
            .queues
            .iter()
            .map(|q| (q.id.clone(), q.live.waiting, q.live.agents.clone()))
            .collect();
        let mut ags: Vec<_> = s
            .agents
            .iter()
            .flatten()
            .map(|a| (a.id.clone(), a.state, a.reason.clone(), a.queues.clone()))
            .collect();
        ags.sort_by(|a, b| a.0.cmp(&b.0));
        (qs, ags)
    };
    assert_eq!(view(&pushed), view(&p));
}

#[tokio::test]
async fn a_bad_pushed_event_is_an_error_of_the_push_part_not_a_crash() {
    let fake = fake_with_fast_heartbeats().await;
    let mut run = Running::start(
        &fake,
        PushMode::Auto,
        tuning(push_tuning()),
        Duration::from_secs(60),
    );
    let s = run
        .pushed(Duration::from_secs(10))
        .await
        .expect("push live");
    let waiting = waiting_of(&s, Q_SUPPORT);
    for bad in [-1.0, 2.5, 1e308] {
        let ev = observation_event(Q_SUPPORT, "voice", bad, 0, Utc::now());
        fake.ws_send(None, &ev.to_string());
    }
    let mut hostile = activity_event(&fake.with(|s| s.scenario.agents[0].clone()));
    hostile["eventBody"]["routingStatus"]["startTime"] = "\u{1b}[2Jsoon".into();
    fake.ws_send(None, &hostile.to_string());
    fake.ws_send(None, "{\"topicName\": ");
    let s = run
        .until(Duration::from_secs(5), |s| {
            s.health
                .parts
                .iter()
                .any(|p| p.name == "push channel" && p.status == SourceStatus::Error)
        })
        .await
        .expect("the push part in error");
    let part = s
        .health
        .parts
        .iter()
        .find(|p| p.name == "push channel")
        .cloned()
        .expect("part");
    let e = part.error.unwrap_or_default();
    assert!(e.contains("refused"), "{e}");
    assert!(!e.contains('\u{1b}'), "{e:?}");
    assert_eq!(
        waiting_of(&s, Q_SUPPORT),
        waiting,
        "bad counts are not applied"
    );
    assert!(
        matches!(s.health.mode, Some(FeedMode::Push { .. })),
        "the channel goes on"
    );
    // A good one after them still applies.
    fake.set_agent(ALICE, "BREAK", "OFF_QUEUE");
    run.until(Duration::from_secs(5), |s| {
        state_of(s, ALICE) == Some(AgentState::Unavailable)
    })
    .await
    .expect("later events still apply");
}

/// Load figures for the closing note (not a test of behaviour): the fake at 1,000 queues and
/// 5,000 agents, changes sent at a steady rate, for `QUEUETOP_MEASURE_SECS` (default 60) in
/// each of push and `push = "off"` (or `QUEUETOP_MEASURE_MODE=push|off` for one).
///
/// ```text
/// QUEUETOP_MEASURE_SECS=300 cargo test --release --test it measure_push -- --ignored --nocapture
/// ```
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn measure_push_at_scale() {
    let secs: u64 = std::env::var("QUEUETOP_MEASURE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60);
    let modes: Vec<PushMode> = match std::env::var("QUEUETOP_MEASURE_MODE").as_deref() {
        Ok("push") => vec![PushMode::Auto],
        Ok("off") => vec![PushMode::Off],
        _ => vec![PushMode::Auto, PushMode::Off],
    };
    for mode in modes {
        measure(mode, Duration::from_secs(secs)).await;
    }
}

fn rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

async fn measure(mode: PushMode, dur: Duration) {
    const QUEUES: usize = 1000;
    const AGENTS: usize = 5000;
    let fake = FakeGenesys::start(Scenario::scaled(QUEUES, AGENTS)).await;
    let t = Tuning {
        http: crate::support::fast_http(),
        ..Tuning::default()
    };
    let mut t = t;
    t.http.timeout = Duration::from_secs(20);
    t.http.deadline = Duration::from_secs(30);
    let mut run = Running::start(&fake, mode, t, Duration::from_secs(5));
    let started = Instant::now();
    let first = run
        .until(Duration::from_secs(120), |s| {
            s.health.status == SourceStatus::Live && s.agents.is_some()
        })
        .await;
    eprintln!(
        "[{mode:?}] first full snapshot after {:.1} s",
        started.elapsed().as_secs_f64()
    );
    assert!(first.is_some(), "no live snapshot");
    if mode != PushMode::Off {
        run.pushed(Duration::from_secs(60))
            .await
            .expect("push live");
        eprintln!(
            "[{mode:?}] push live after {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
    // Let the connect's re-snapshot settle, then count from here.
    tokio::time::sleep(Duration::from_secs(10)).await;
    let requests = |f: &FakeGenesys| {
        f.with(|s| {
            s.hits
                .iter()
                .filter(|(e, _)| **e != Ep::Token)
                .map(|(_, n)| *n)
                .sum::<u32>()
        })
    };
    let req0 = requests(&fake);
    let t0 = Instant::now();
    // One agent change every 100 ms (10/s), cycling through the agents; the delay is from
    // the send to the first snapshot that shows it.
    let mut pending: std::collections::HashMap<String, (AgentState, Instant)> = Default::default();
    let mut delays: Vec<f64> = Vec::new();
    let mut n = 0usize;
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    let mut peak_rss = rss_mib();
    while t0.elapsed() < dur {
        tokio::select! {
            _ = tick.tick() => {
                let id = format!("u-{:06}", (n * 7919) % AGENTS);
                n += 1;
                // Alternate each agent between on-queue idle and break.
                let on_break = fake.with(|s| s.scenario.agents.iter().find(|a| a.id == id).map(|a| a.system_presence == "BREAK")).unwrap_or(false);
                let (sp, rs, want) = if on_break { ("ON_QUEUE", "IDLE", AgentState::Available) } else { ("BREAK", "OFF_QUEUE", AgentState::Unavailable) };
                fake.set_agent(&id, sp, rs);
                pending.insert(id, (want, Instant::now()));
                if n.is_multiple_of(50) {
                    peak_rss = peak_rss.max(rss_mib());
                }
            }
            ev = run.rx.recv() => match ev {
                Some(SourceEvent::Snapshot(s)) => {
                    let now = Instant::now();
                    if let Some(agents) = &s.agents {
                        let by_id: std::collections::HashMap<&str, AgentState> = agents.iter().map(|a| (a.id.as_str(), a.state)).collect();
                        pending.retain(|id, (want, at)| {
                            if by_id.get(id.as_str()) == Some(want) {
                                delays.push((now - *at).as_secs_f64());
                                false
                            } else {
                                true
                            }
                        });
                    }
                }
                Some(_) => {}
                None => break,
            },
        }
    }
    let minutes = t0.elapsed().as_secs_f64() / 60.0;
    let req = f64::from(requests(&fake) - req0) / minutes;
    delays.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        if delays.is_empty() {
            f64::NAN
        } else {
            delays[((delays.len() - 1) as f64 * p).round() as usize]
        }
    };
    eprintln!(
        "[{mode:?}] {QUEUES} queues, {AGENTS} agents, {:.1} min: REST {req:.0} requests/min; \
         event→snapshot delay median {:.3} s, p99 {:.3} s ({} changes seen, {} not yet); \
         RSS {:.0} MiB now, {:.0} MiB peak (process, fake included)",
        minutes,
        pct(0.5),
        pct(0.99),
        delays.len(),
        pending.len(),
        rss_mib(),
        peak_rss
    );
}
