//! The real `GenesysSource` against the fake Genesys Cloud in `support/fake_genesys.rs`.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::fake_genesys::*;
use chrono::{DateTime, Utc};
use queuetop::config::{GenesysConfig, Secret};
use queuetop::domain::{Agent, AgentState, Media, Queue, SlObjective, SourceStatus};
use queuetop::source::genesys::{GenesysSource, Tuning};
use queuetop::source::{Source, SourceError, SourceOptions};

fn config(fake: &FakeGenesys, queues: &[&str]) -> GenesysConfig {
    GenesysConfig {
        name: "gc".into(),
        api_url: fake.url(),
        login_url: fake.url(),
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new(CLIENT_SECRET),
        queues: queues.iter().map(|s| s.to_string()).collect(),
        push: queuetop::config::PushMode::Off,
    }
}

fn tuning() -> Tuning {
    Tuning {
        http: crate::support::fast_http(),
        budget_per_minute: 10_000,
        today_every: Duration::ZERO,
        queues_every: Duration::from_secs(600),
        page_size: 100,
        max_backoff: Duration::from_secs(2),
        fallback_retry: Duration::from_secs(600),
        push: Default::default(),
    }
}

fn opts() -> SourceOptions {
    SourceOptions {
        refresh: Duration::from_secs(1),
        timezone: Some(chrono_tz::UTC),
        clock: Default::default(),
    }
}

async fn source(fake: &FakeGenesys) -> GenesysSource {
    GenesysSource::with_tuning(config(fake, &[]), opts(), tuning()).expect("source")
}

fn queue<'a>(qs: &'a [Queue], id: &str) -> &'a Queue {
    qs.iter().find(|q| q.id == id).expect("queue present")
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 2.5)
}

fn ms(d: DateTime<Utc>) -> i64 {
    d.timestamp_millis()
}

fn agent<'a>(agents: &'a [Agent], id: &str) -> &'a Agent {
    agents.iter().find(|a| a.id == id).expect("agent present")
}

#[tokio::test]
async fn figures_match_the_scenario() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let sc = fake.with(|s| s.scenario.clone());
    let mut src = source(&fake).await;
    let out = src.poll().await;
    let snap = out.snapshot;
    assert_eq!(snap.health.status, SourceStatus::Live, "{:?}", snap.health);
    assert_eq!(out.next_poll_in, Duration::from_secs(1));
    assert_eq!(snap.queues.len(), 3);
    // Sorted by name.
    let names: Vec<&str> = snap.queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(names, ["Billing", "Sales", "Support - Voice"]);

    // Support: voice only.
    let q = queue(&snap.queues, Q_SUPPORT);
    assert_eq!(q.media, Media::Voice);
    assert_eq!(
        q.vendor_objective,
        Some(SlObjective {
            target: 0.8,
            threshold_s: 20.0
        })
    );
    assert_eq!(q.live.waiting, Some(3));
    assert!(
        close(q.live.longest_wait_s, 120.0),
        "{:?}",
        q.live.longest_wait_s
    );
    let ages = q.live.waiting_ages_s.clone().expect("ages");
    assert_eq!(ages.len(), 3);
    assert!(
        close(Some(ages[0]), 120.0) && close(Some(ages[1]), 60.0) && close(Some(ages[2]), 10.0)
    );
    let a = &q.live.agents;
    assert_eq!(
        (
            a.available,
            a.busy,
            a.after_call_work,
            a.not_responding,
            a.unavailable,
            a.offline
        ),
        // From the joined members by state (Alice idle, Bob interacting, Dan offline), not
        // from the observation's member − active difference.
        (Some(1), Some(1), None, Some(0), Some(0), Some(1))
    );
    let t = &q.today;
    assert_eq!(
        (t.offered, t.answered, t.abandoned, t.handled),
        (Some(142), Some(127), Some(15), Some(124))
    );
    assert_eq!(t.answered_within_threshold, Some(106));
    assert_eq!(t.abandoned_within_threshold, None);
    assert_eq!(t.asa_s, Some(2_871_402.0 / 1000.0 / 127.0));
    assert_eq!(t.aht_s, Some(39_832_930.0 / 1000.0 / 124.0));
    assert_eq!(t.handle_time_total_s, Some(39_832.93));
    assert_eq!(t.service_level, Some(106.0 / 127.0));
    assert_eq!(t.abandon_rate, Some(15.0 / 142.0));
    assert!(t.fetched_at.is_some());

    // Sales: voice + chat → one mixed row; figures summed over media.
    let q = queue(&snap.queues, Q_SALES);
    assert_eq!(q.media, Media::Mixed);
    assert_eq!(
        q.vendor_objective,
        Some(SlObjective {
            target: 0.9,
            threshold_s: 15.0
        })
    );
    assert_eq!(q.live.waiting, Some(3));
    assert!(close(q.live.longest_wait_s, 200.0));
    let ages = q.live.waiting_ages_s.clone().expect("ages");
    assert!(
        close(Some(ages[0]), 200.0) && close(Some(ages[1]), 30.0) && close(Some(ages[2]), 5.0),
        "{ages:?}"
    );
    let a = &q.live.agents;
    assert_eq!(
        (
            a.available,
            a.busy,
            a.not_responding,
            a.unavailable,
            a.offline
        ),
        // Bob interacting, Carol on a break.
        (Some(0), Some(1), Some(0), Some(1), Some(0))
    );
    let t = &q.today;
    assert_eq!(
        (t.offered, t.answered, t.abandoned, t.handled),
        (Some(37), Some(33), Some(4), Some(31))
    );
    assert_eq!(t.answered_within_threshold, Some(25));
    assert_eq!(t.asa_s, Some(590_000.0 / 1000.0 / 33.0));
    assert_eq!(t.aht_s, Some(12_600_000.0 / 1000.0 / 31.0));
    assert_eq!(t.service_level, Some(25.0 / 33.0));
    assert_eq!(t.abandon_rate, Some(4.0 / 37.0));

    // Billing: no conversations today, nobody waiting — genuine zeros, no averages.
    let q = queue(&snap.queues, Q_BILLING);
    assert_eq!(q.media, Media::Other);
    assert_eq!(
        q.vendor_objective,
        Some(SlObjective {
            target: 0.75,
            threshold_s: 30.0
        })
    );
    assert_eq!(
        (q.live.waiting, q.live.longest_wait_s),
        (Some(0), Some(0.0))
    );
    assert_eq!(q.live.waiting_ages_s, Some(vec![]));
    // Nobody is joined to Billing: zero offline, not "members − active".
    assert_eq!(q.live.agents.offline, Some(0));
    let t = &q.today;
    assert_eq!(
        (t.offered, t.answered, t.abandoned, t.handled),
        (Some(0), Some(0), Some(0), Some(0))
    );
    assert_eq!(
        (t.asa_s, t.aht_s, t.service_level, t.abandon_rate),
        (None, None, None, None)
    );
    assert_eq!(t.handle_time_total_s, Some(0.0));

    // Agents with names, normalised states, vendor reasons and since-times.
    let agents = snap.agents.expect("agents");
    let names: Vec<&str> = agents.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(
        names,
        ["Alice Moreno", "Bob Okafor", "Carol Lindqvist", "Dan Ibsen"]
    );
    let by = |id: &str| {
        sc.agents
            .iter()
            .find(|a| a.id == id)
            .expect("scenario agent")
            .clone()
    };
    let alice = agent(&agents, ALICE);
    assert_eq!(alice.state, AgentState::Available);
    assert_eq!(alice.reason.as_deref(), Some("On Queue/IDLE"));
    assert_eq!(alice.since.map(ms), Some(ms(by(ALICE).routing_date)));
    assert_eq!(alice.queues, [Q_SUPPORT]);
    let bob = agent(&agents, BOB);
    assert_eq!(bob.state, AgentState::Busy);
    assert_eq!(bob.reason.as_deref(), Some("On Queue/INTERACTING"));
    assert_eq!(bob.queues, [Q_SUPPORT, Q_SALES]);
    let carol = agent(&agents, CAROL);
    assert_eq!(carol.state, AgentState::Unavailable);
    assert_eq!(carol.reason.as_deref(), Some("Coaching"));
    assert_eq!(carol.since.map(ms), Some(ms(by(CAROL).presence_date)));
    let dan = agent(&agents, DAN);
    assert_eq!(
        (dan.state, dan.reason.as_deref()),
        (AgentState::Offline, Some("Offline"))
    );

    // Second poll: names and queue list come from the caches.
    let users_before = fake.hits(Ep::Users);
    let queues_before = fake.hits(Ep::Queues);
    let out = src.poll().await;
    assert_eq!(out.snapshot.health.status, SourceStatus::Live);
    assert_eq!(fake.hits(Ep::Users), users_before);
    assert_eq!(fake.hits(Ep::Queues), queues_before);
    assert_eq!(fake.tokens_issued(), 1);
}

#[tokio::test]
async fn requests_and_fake_answers_follow_the_schema_subset() {
    let Some(schema) = crate::support::schema::Schema::load() else {
        eprintln!("openapi-subset.json not found; skipped");
        return;
    };
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    src.poll().await;
    let from = "2026-03-09T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
    let to = "2026-03-10T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
    src.history(ALICE, from, to).await.expect("history");
    src.split(ALICE, Utc::now()).await.expect("split");
    let log = fake.with(|s| std::mem::take(&mut s.log));
    assert!(log.requests.len() >= 5);
    assert!(
        log.requests
            .iter()
            .any(|(ep, ..)| *ep == Ep::UserAggregates)
    );
    for (ep, def, body) in log.requests.iter().chain(log.responses.iter()) {
        let errs = schema.validate(def, body);
        assert!(errs.is_empty(), "{ep:?} {def}: {errs:?}\n{body}");
    }
}

#[tokio::test]
async fn every_page_is_read() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut t = tuning();
    t.page_size = 2;
    let mut src = GenesysSource::with_tuning(config(&fake, &[]), opts(), t).unwrap();
    let snap = src.poll().await.snapshot;
    assert_eq!(snap.health.status, SourceStatus::Live, "{:?}", snap.health);
    assert_eq!(snap.queues.len(), 3);
    assert_eq!(fake.hits(Ep::Queues), 2, "3 queues in pages of 2");
    // 5 (agent, queue) entities in pages of 2: 2 + 2 + 1.
    assert_eq!(fake.hits(Ep::Activity), 3);
    assert_eq!(snap.agents.as_ref().map(Vec::len), Some(4));
    assert_eq!(
        agent(snap.agents.as_ref().unwrap(), BOB).queues,
        [Q_SUPPORT, Q_SALES]
    );

    let from = "2026-03-09T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
    let to = "2026-03-10T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
    let h = src.history(ALICE, from, to).await.expect("history");
    // 14 records in pages of 2, then one empty page.
    assert_eq!(fake.hits(Ep::Details), 8);
    assert_eq!(h.spans.len(), 10);
}

#[tokio::test]
async fn history_merges_presence_and_routing() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    let from = "2026-03-09T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
    let to = "2026-03-10T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
    let h = src.history(ALICE, from, to).await.expect("history");
    assert_eq!(h.agent_name, "Alice Moreno");
    let d = |s: &str| format!("2026-03-{s}Z").parse::<DateTime<Utc>>().unwrap();
    let want: Vec<(DateTime<Utc>, DateTime<Utc>, AgentState, &str)> = vec![
        (
            d("09T17:05:44.120"),
            d("10T07:58:02.903"),
            AgentState::Offline,
            "Offline",
        ),
        (
            d("10T07:58:02.903"),
            d("10T08:01:12.377"),
            AgentState::Unavailable,
            "Available",
        ),
        (
            d("10T08:01:12.377"),
            d("10T08:03:40.551"),
            AgentState::Available,
            "On Queue/IDLE",
        ),
        (
            d("10T08:03:40.551"),
            d("10T08:03:49.120"),
            AgentState::Busy,
            "On Queue/COMMUNICATING",
        ),
        (
            d("10T08:03:49.120"),
            d("10T08:11:02.744"),
            AgentState::Busy,
            "On Queue/INTERACTING",
        ),
        (
            d("10T08:11:02.744"),
            d("10T10:30:00.518"),
            AgentState::Available,
            "On Queue/IDLE",
        ),
        (
            d("10T10:30:00.518"),
            d("10T10:45:09.004"),
            AgentState::Unavailable,
            "Break",
        ),
        (
            d("10T10:45:09.004"),
            d("10T10:45:41.300"),
            AgentState::Available,
            "On Queue/IDLE",
        ),
        (
            d("10T10:45:41.300"),
            d("10T10:46:11.302"),
            AgentState::NotResponding,
            "On Queue/NOT_RESPONDING",
        ),
        (
            d("10T10:46:11.302"),
            to,
            AgentState::Available,
            "On Queue/IDLE",
        ),
    ];
    let got: Vec<(DateTime<Utc>, DateTime<Utc>, AgentState, &str)> = h
        .spans
        .iter()
        .map(|s| (s.start, s.end, s.state, s.reason.as_deref().unwrap_or("")))
        .collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn rate_limit_waits_as_told() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    src.poll().await;
    fake.fault(Ep::Observations, Fault::Status(429, Some("1".into())));
    fake.fault(Ep::Aggregates, Fault::Status(503, Some("1".into())));
    let t0 = Instant::now();
    let out = src.poll().await;
    let took = t0.elapsed();
    assert_eq!(
        out.snapshot.health.status,
        SourceStatus::Live,
        "{:?}",
        out.snapshot.health
    );
    assert!(took >= Duration::from_millis(1900), "waited {took:?}");
    assert!(took < Duration::from_secs(15), "waited {took:?}");
    assert_eq!(queue(&out.snapshot.queues, Q_SUPPORT).live.waiting, Some(3));
}

#[tokio::test]
async fn long_retry_after_schedules_the_next_poll() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    src.poll().await;
    for _ in 0..3 {
        fake.fault(Ep::Observations, Fault::Status(429, Some("30".into())));
    }
    let t0 = Instant::now();
    let out = src.poll().await;
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "did not wait inside the poll"
    );
    assert_eq!(out.snapshot.health.status, SourceStatus::Offline);
    assert!(
        out.next_poll_in >= Duration::from_secs(30),
        "{:?}",
        out.next_poll_in
    );
    assert!(
        out.snapshot
            .health
            .error
            .unwrap_or_default()
            .contains("rate limited")
    );
    // Last good figures are kept.
    assert_eq!(queue(&out.snapshot.queues, Q_SUPPORT).live.waiting, Some(3));
}

#[tokio::test]
async fn a_401_fetches_exactly_one_new_token() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    src.poll().await;
    assert_eq!(fake.tokens_issued(), 1);
    fake.fault(Ep::Observations, Fault::Unauthorized);
    let out = src.poll().await;
    assert_eq!(
        out.snapshot.health.status,
        SourceStatus::Live,
        "{:?}",
        out.snapshot.health
    );
    assert_eq!(fake.tokens_issued(), 2);
    src.poll().await;
    assert_eq!(fake.tokens_issued(), 2);
}

#[tokio::test]
async fn token_is_refreshed_ahead_of_expiry() {
    let mut sc = Scenario::standard();
    sc.token_expires_in = 2;
    let fake = FakeGenesys::start(sc).await;
    let mut src = source(&fake).await;
    src.poll().await;
    assert_eq!(fake.tokens_issued(), 1);
    tokio::time::sleep(Duration::from_millis(1900)).await;
    let out = src.poll().await;
    assert_eq!(out.snapshot.health.status, SourceStatus::Live);
    assert_eq!(
        fake.tokens_issued(),
        2,
        "renewed before the server refused it"
    );
}

#[tokio::test]
async fn server_errors_and_slow_answers_are_retried() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    fake.fault(Ep::Queues, Fault::Status(502, None));
    fake.fault(Ep::Observations, Fault::Delay(Duration::from_millis(1500)));
    fake.fault(Ep::Aggregates, Fault::Status(500, None));
    fake.fault(Ep::Aggregates, Fault::Status(500, None));
    let out = src.poll().await;
    assert_eq!(
        out.snapshot.health.status,
        SourceStatus::Live,
        "{:?}",
        out.snapshot.health
    );
    assert_eq!(fake.hits(Ep::Queues), 2);
    assert_eq!(fake.hits(Ep::Observations), 2);
    // Today's aggregates on both polls (one retried after the 500) and the 7-day interval
    // history once.
    assert_eq!(fake.hits(Ep::Aggregates), 4);
    assert_eq!(
        queue(&out.snapshot.queues, Q_SUPPORT).today.offered,
        Some(142)
    );
}

#[tokio::test]
async fn malformed_live_answer_keeps_the_last_figures() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    let first = src.poll().await.snapshot;
    let observed = queue(&first.queues, Q_SUPPORT).live.observed_at;
    fake.fault(Ep::Observations, Fault::Malformed);
    let snap = src.poll().await.snapshot;
    assert_eq!(snap.health.status, SourceStatus::Stale, "{:?}", snap.health);
    let err = snap.health.error.clone().unwrap_or_default();
    assert!(
        err.contains("live figures") && err.contains("JSON"),
        "{err}"
    );
    let q = queue(&snap.queues, Q_SUPPORT);
    assert_eq!(q.live.waiting, Some(3));
    assert_eq!(
        q.live.observed_at, observed,
        "the old observation, not a new one"
    );
    // Agents and today's figures were still refreshed.
    assert!(snap.agents.is_some());
    assert!(q.today.fetched_at > queue(&first.queues, Q_SUPPORT).today.fetched_at);
    // And it recovers.
    assert_eq!(src.poll().await.snapshot.health.status, SourceStatus::Live);
}

#[tokio::test]
async fn failing_today_query_keeps_live_figures_and_marks_stale() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    let first = src.poll().await.snapshot;
    let today_before = queue(&first.queues, Q_SUPPORT).today.clone();
    for _ in 0..3 {
        fake.fault(Ep::Aggregates, Fault::Status(500, None));
    }
    let snap = src.poll().await.snapshot;
    assert_eq!(snap.health.status, SourceStatus::Stale, "{:?}", snap.health);
    let err = snap.health.error.clone().unwrap_or_default();
    assert!(
        err.contains("today's figures") && err.contains("500"),
        "{err}"
    );
    assert!(snap.health.next_retry.is_some());
    let q = queue(&snap.queues, Q_SUPPORT);
    assert_eq!(q.today, today_before, "last good today kept");
    assert!(
        q.live.observed_at > queue(&first.queues, Q_SUPPORT).live.observed_at,
        "live is fresh"
    );
    assert_eq!(q.live.waiting, Some(3));
}

#[tokio::test]
async fn dead_server_goes_offline_and_recovers() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    assert_eq!(src.poll().await.snapshot.health.status, SourceStatus::Live);
    fake.stop().await;
    let out = src.poll().await;
    let h = &out.snapshot.health;
    assert_eq!(h.status, SourceStatus::Offline, "{h:?}");
    assert!(
        h.error.as_deref().unwrap_or("").contains("cannot connect"),
        "{h:?}"
    );
    assert!(h.next_retry.is_some());
    assert!(h.last_ok.is_some());
    // Nothing blanked.
    assert_eq!(out.snapshot.queues.len(), 3);
    assert_eq!(queue(&out.snapshot.queues, Q_SUPPORT).live.waiting, Some(3));
    assert!(out.snapshot.agents.is_some());
    // Backs off while down.
    let second = src.poll().await;
    assert!(second.next_poll_in >= out.next_poll_in);
    fake.restart().await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let out = src.poll().await;
        if out.snapshot.health.status == SourceStatus::Live {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no recovery: {:?}",
            out.snapshot.health
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn never_reached_server_is_offline_with_nothing_invented() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    fake.stop().await;
    let mut src = source(&fake).await;
    let out = src.poll().await;
    assert_eq!(out.snapshot.health.status, SourceStatus::Offline);
    assert!(out.snapshot.queues.is_empty());
    assert!(out.snapshot.agents.is_none());
    assert!(out.snapshot.health.last_ok.is_none());
}

#[tokio::test]
async fn refused_activity_query_falls_back_to_queue_members() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    fake.with(|s| s.activity_refused = true);
    let mut src = source(&fake).await;
    let snap = src.poll().await.snapshot;
    assert_eq!(snap.health.status, SourceStatus::Live, "{:?}", snap.health);
    assert!(
        snap.health
            .note
            .unwrap_or_default()
            .contains("queue members")
    );
    let agents = snap.agents.expect("agents");
    assert_eq!(agents.len(), 4);
    assert_eq!(agent(&agents, ALICE).state, AgentState::Available);
    assert_eq!(
        agent(&agents, ALICE).reason.as_deref(),
        Some("On Queue/IDLE")
    );
    assert_eq!(agent(&agents, CAROL).reason.as_deref(), Some("Coaching"));
    assert_eq!(agent(&agents, BOB).queues, [Q_SUPPORT, Q_SALES]);
    assert_eq!(fake.hits(Ep::Members), 3, "one call per queue");
    assert_eq!(fake.hits(Ep::Users), 0, "names come with the members");
    // The activity query is not tried again.
    let activity = fake.hits(Ep::Activity);
    src.poll().await;
    assert_eq!(fake.hits(Ep::Activity), activity);
}

#[tokio::test]
async fn refused_details_fall_back_to_counts() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    fake.with(|s| s.details_refused = true);
    let mut src = source(&fake).await;
    let snap = src.poll().await.snapshot;
    assert_eq!(snap.health.status, SourceStatus::Live, "{:?}", snap.health);
    assert!(
        snap.health
            .note
            .unwrap_or_default()
            .contains("waiting ages not available")
    );
    let q = queue(&snap.queues, Q_SUPPORT);
    assert_eq!(q.live.waiting, Some(3));
    assert_eq!(q.live.waiting_ages_s, None);
    // The oldest wait still comes from oLongestWaiting.
    assert!(
        close(q.live.longest_wait_s, 120.0),
        "{:?}",
        q.live.longest_wait_s
    );
    assert_eq!(fake.hits(Ep::Observations), 2);
}

#[tokio::test]
async fn missing_permission_is_named() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    src.poll().await;
    fake.fault(
        Ep::Aggregates,
        Fault::Forbidden("analytics:conversationAggregate:view".into()),
    );
    let h = src.poll().await.snapshot.health;
    assert_eq!(h.status, SourceStatus::Stale);
    assert!(
        h.error
            .unwrap_or_default()
            .contains("analytics:conversationAggregate:view"),
        "names the permission"
    );
}

#[tokio::test]
async fn bad_credentials_say_what_to_fix() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut cfg = config(&fake, &[]);
    cfg.client_secret = Secret::new("wrong-secret-value-123");
    let mut src = GenesysSource::with_tuning(cfg, opts(), tuning()).unwrap();
    let h = src.poll().await.snapshot.health;
    assert_eq!(h.status, SourceStatus::Error);
    let e = h.error.unwrap_or_default();
    assert!(e.contains("check client_id and the secret"), "{e}");
    assert!(!e.contains("wrong-secret-value-123"));
    assert!(h.next_retry.is_some());
}

#[tokio::test]
async fn queue_selection_by_glob_and_id() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let cfg = config(&fake, &["support*", Q_BILLING]);
    let mut src = GenesysSource::with_tuning(cfg, opts(), tuning()).unwrap();
    let snap = src.poll().await.snapshot;
    let ids: Vec<&str> = snap.queues.iter().map(|q| q.id.as_str()).collect();
    assert_eq!(ids, [Q_BILLING, Q_SUPPORT]);
    // Carol serves only Sales, which is not watched.
    assert!(snap.agents.unwrap().iter().all(|a| a.id != CAROL));

    let cfg = config(&fake, &["nothing-like-this"]);
    let mut src = GenesysSource::with_tuning(cfg, opts(), tuning()).unwrap();
    let snap = src.poll().await.snapshot;
    assert!(snap.queues.is_empty());
    assert!(
        snap.health
            .note
            .unwrap_or_default()
            .contains("no queue matches")
    );

    let bad = config(&fake, &["[unclosed"]);
    assert!(matches!(
        GenesysSource::with_tuning(bad, opts(), tuning()),
        Err(SourceError::Fatal(_))
    ));
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused() {
    let cfg = GenesysConfig {
        name: "gc".into(),
        api_url: "http://api.mypurecloud.ie".into(),
        login_url: "https://login.mypurecloud.ie".into(),
        client_id: "x".into(),
        client_secret: Secret::new("y"),
        queues: vec![],
        push: queuetop::config::PushMode::Off,
    };
    assert!(matches!(
        GenesysSource::new(cfg, opts()),
        Err(SourceError::Fatal(_))
    ));
}

#[tokio::test]
async fn budget_stretches_the_refresh_for_many_queues() {
    let mut sc = Scenario::standard();
    let template = sc.queues[2].clone();
    for i in 0..250 {
        let mut q = template.clone();
        q.id = format!("00000000-0000-4000-8000-{i:012}");
        q.name = format!("Extra {i:03}");
        sc.queues.push(q);
    }
    let fake = FakeGenesys::start(sc).await;
    let mut t = tuning();
    t.budget_per_minute = 60;
    let mut src = GenesysSource::with_tuning(config(&fake, &[]), opts(), t).unwrap();
    let out = src.poll().await;
    assert_eq!(out.snapshot.queues.len(), 253);
    // 3 observation batches of ≤ 100 queues, 3 activity batches, 3 aggregate batches for
    // today and 3 for the 7-day interval history.
    assert_eq!(fake.hits(Ep::Observations), 3);
    assert_eq!(fake.hits(Ep::Aggregates), 6);
    assert!(
        out.next_poll_in > Duration::from_secs(5),
        "{:?}",
        out.next_poll_in
    );
    let note = out.snapshot.health.note.unwrap_or_default();
    assert!(note.contains("refresh stretched"), "{note}");
}

#[tokio::test]
async fn rate_limit_headers_are_reported() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    fake.with(|s| {
        s.extra_headers = vec![
            ("inin-ratelimit-count".into(), "250".into()),
            ("inin-ratelimit-allowed".into(), "300".into()),
            ("inin-ratelimit-reset".into(), "20".into()),
        ]
    });
    let mut src = source(&fake).await;
    let snap = src.poll().await.snapshot;
    assert!(snap.health.note.unwrap_or_default().contains("250 of 300"));
}

// ---------------------------------------------------------------------------------------
// Secrets

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secret_and_tokens_never_appear_in_errors_debug_or_logs() {
    let logs = Captured::default();
    let sink = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new("debug,queuetop=trace"))
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    let mut texts: Vec<String> = vec![];
    let ok = src.poll().await;
    texts.push(format!("{ok:?}"));
    let token = "tok-1-EXAMPLEonlyNOTaREALtoken";

    // The API refuses the token and echoes it and the secret; so does the login server.
    let echo = format!(
        r#"{{"message":"token {token} revoked; secret {CLIENT_SECRET}","code":"bad.credentials"}}"#
    );
    fake.fault(Ep::Observations, Fault::Body(401, echo.clone()));
    let login_echo = format!(
        r#"{{"error":"invalid_client","description":"bad secret {CLIENT_SECRET} for {token}"}}"#
    );
    for _ in 0..6 {
        fake.fault(Ep::Token, Fault::Body(401, login_echo.clone()));
    }
    let out = src.poll().await;
    assert_eq!(
        out.snapshot.health.status,
        SourceStatus::Error,
        "{:?}",
        out.snapshot.health
    );
    texts.push(format!("{out:?}"));
    texts.push(format!("{:?}", out.snapshot.health));
    texts.push(out.snapshot.health.error.clone().unwrap_or_default());
    let from = Utc::now() - chrono::Duration::hours(24);
    let e = src.history(ALICE, from, Utc::now()).await.unwrap_err();
    texts.push(format!("{e} {e:?}"));
    texts.push(format!("{src:?}"));
    texts.push(format!("{:?}", src.http()));
    texts.push(format!("{:?}", config(&fake, &[])));

    // A source whose secret is wrong from the start; the login server echoes it.
    fake.with(|s| s.faults.clear());
    fake.fault(
        Ep::Token,
        Fault::Body(
            401,
            r#"{"error":"invalid_client","description":"no such secret another-Wrong-Secret-42"}"#
                .into(),
        ),
    );
    let mut cfg = config(&fake, &[]);
    cfg.client_secret = Secret::new("another-Wrong-Secret-42");
    let mut bad = GenesysSource::with_tuning(cfg, opts(), tuning()).unwrap();
    let out = bad.poll().await;
    texts.push(format!("{out:?}"));
    texts.push(format!("{bad:?}"));

    let logged = String::from_utf8_lossy(&logs.0.lock().unwrap()).to_string();
    assert!(!logged.is_empty(), "logs were captured");
    texts.push(logged);
    for t in &texts {
        for s in [
            CLIENT_SECRET,
            token,
            "tok-2-EXAMPLEonlyNOTaREALtoken",
            "another-Wrong-Secret-42",
        ] {
            assert!(!t.contains(s), "{s:?} leaked in: {t}");
        }
    }
    // The error still says what to do.
    assert!(
        texts
            .iter()
            .any(|t| t.contains("check client_id and the secret"))
    );
}

#[tokio::test]
async fn runs_under_the_source_driver() {
    use queuetop::source::{SourceCommand, SourceEvent, run};
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let src = source(&fake).await;
    let (events_tx, mut events) = queuetop::source::channel::channel();
    let (commands, commands_rx) = tokio::sync::mpsc::channel(8);
    let task = tokio::spawn(run(src, events_tx, commands_rx));
    let first = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .unwrap();
    assert!(
        matches!(first, Some(SourceEvent::Snapshot(s)) if s.health.status == SourceStatus::Live)
    );
    let from = "2026-03-09T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
    let to = "2026-03-10T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
    commands
        .send(SourceCommand::History {
            agent_id: ALICE.into(),
            from,
            to,
        })
        .await
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(10), events.recv())
        .await
        .unwrap();
    match answer {
        Some(SourceEvent::History {
            source,
            agent_id,
            result,
        }) => {
            assert_eq!((source.as_str(), agent_id.as_str()), ("gc", ALICE));
            assert_eq!(result.expect("history").spans.len(), 10);
        }
        other => panic!("unexpected {other:?}"),
    }
    drop(commands);
    drop(events);
    let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
}

/// The standard roster plus Erin (Break chosen during a call: still interacting) and Frank
/// (a member of Support who is not joined to it).
fn membership_scenario() -> Scenario {
    let mut sc = Scenario::standard();
    let mut erin = sc.agents[0].clone();
    erin.id = "1e2d3c4b-0000-4000-8000-00000000e41e".into();
    erin.name = "Erin Walsh".into();
    erin.system_presence = "BREAK".into();
    erin.org_presence_id = COACHING_ID.into();
    erin.routing_status = "INTERACTING".into();
    let mut frank = sc.agents[0].clone();
    frank.id = "1e2d3c4b-0000-4000-8000-0000000f4a2c".into();
    frank.name = "Frank Osei".into();
    frank.queues = vec![Q_SALES.into()];
    frank.not_joined = vec![Q_SUPPORT.into()];
    sc.agents.push(erin);
    sc.agents.push(frank);
    sc
}

#[tokio::test]
async fn agent_counts_are_joined_members_by_state_and_busy_means_on_a_call() {
    let fake = FakeGenesys::start(membership_scenario()).await;
    let mut src = source(&fake).await;
    let snap = src.poll().await.snapshot;
    assert_eq!(snap.health.status, SourceStatus::Live, "{:?}", snap.health);
    let a = &queue(&snap.queues, Q_SUPPORT).live.agents;
    // Alice idle; Bob and Erin on calls (Erin picked Break mid-call); Dan joined but
    // offline. Frank is a member who is not joined: not counted. The observation's own
    // member/active/off-queue figures (18 / 11 / 3) are not what the board shows.
    assert_eq!(
        (a.available, a.busy, a.unavailable, a.offline),
        (Some(1), Some(2), Some(0), Some(1))
    );
    let agents = snap.agents.expect("agents");
    let erin = agent(&agents, "1e2d3c4b-0000-4000-8000-00000000e41e");
    assert_eq!(erin.state, AgentState::Busy);
    let frank = agent(&agents, "1e2d3c4b-0000-4000-8000-0000000f4a2c");
    assert_eq!(
        frank.queues,
        vec![Q_SALES.to_string()],
        "not joined to Support"
    );
}

#[tokio::test]
async fn a_truncated_agent_list_is_paged_and_then_said_incomplete() {
    let mut sc = membership_scenario();
    sc.activity_truncate = Some(2);
    let fake = FakeGenesys::start(sc).await;
    let mut src = source(&fake).await;
    let snap = src.poll().await.snapshot;
    let note = snap.health.note.clone().unwrap_or_default();
    assert!(
        note.contains("agent list incomplete for Sales, Support - Voice"),
        "{note}"
    );
    assert!(!note.contains("Billing"), "{note}");
    assert!(fake.hits(Ep::Activity) >= 2, "paged on after truncated");
}

#[tokio::test]
async fn longest_wait_is_the_oldest_measured_age_not_the_calculated_metric() {
    let mut sc = Scenario::standard();
    sc.longest_metric_skew_s = 500;
    let fake = FakeGenesys::start(sc).await;
    let mut src = source(&fake).await;
    let snap = src.poll().await.snapshot;
    let q = queue(&snap.queues, Q_SUPPORT);
    assert!(
        close(q.live.longest_wait_s, 120.0),
        "{:?}",
        q.live.longest_wait_s
    );
}

#[tokio::test]
async fn a_refused_query_form_is_tried_again_later() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    fake.with(|s| {
        s.details_refused = true;
        s.activity_refused = true;
    });
    let mut t = tuning();
    t.fallback_retry = Duration::from_millis(300);
    let mut src = GenesysSource::with_tuning(config(&fake, &[]), opts(), t).unwrap();
    let snap = src.poll().await.snapshot;
    let note = snap.health.note.unwrap_or_default();
    assert!(note.contains("waiting ages not available"), "{note}");
    assert!(note.contains("agents read from queue members"), "{note}");
    // The platform fixed: after the retry time the preferred forms come back.
    fake.with(|s| {
        s.details_refused = false;
        s.activity_refused = false;
    });
    tokio::time::sleep(Duration::from_millis(400)).await;
    let snap = src.poll().await.snapshot;
    let note = snap.health.note.unwrap_or_default();
    assert!(!note.contains("waiting ages not available"), "{note}");
    assert!(!note.contains("queue members"), "{note}");
    assert!(queue(&snap.queues, Q_SUPPORT).live.waiting_ages_s.is_some());
}

#[tokio::test]
async fn history_tail_is_filled_from_the_live_state() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    src.poll().await;
    // Dan has been offline for ~14 h and has no records in the window: the open status
    // began before it and is filled from the live state, not shown as a gap.
    let to = Utc::now();
    let from = to - chrono::Duration::hours(24);
    let h = src.history(DAN, from, to).await.expect("history");
    let last = h.spans.last().expect("a span");
    assert_eq!(last.state, AgentState::Offline);
    assert_eq!(last.end, to);
    assert!((to - last.start).num_seconds() >= 49_990, "{last:?}");
}

#[tokio::test]
async fn today_comes_in_thirty_minute_intervals_that_seed_the_window() {
    use queuetop::source::IntervalHistory;
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    let snap = src.poll().await.snapshot;
    // The day's totals are the sums of the intervals.
    assert_eq!(queue(&snap.queues, Q_SUPPORT).today.offered, Some(142));
    let iv = src.vendor().intervals().expect("intervals");
    let support = iv
        .queues
        .iter()
        .find(|q| q.queue_id == Q_SUPPORT)
        .expect("support");
    let last = support.intervals.last().expect("an interval");
    assert_eq!(last.minutes, 30);
    assert_eq!(
        (
            last.offered,
            last.answered,
            last.abandoned,
            last.answered_within_threshold
        ),
        (142, 127, 15, 106)
    );
    assert!(last.start <= Utc::now() && Utc::now() <= last.end());
}

#[tokio::test]
async fn the_split_is_the_agents_aggregates_since_local_midnight() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let mut src = source(&fake).await;
    // A fixed instant (the fake answers any interval): 2h20m of talk fits the day so far.
    let to = "2026-03-10T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
    let s = src.split(ALICE, to).await.expect("split");
    assert_eq!(s.handled, Some(27));
    assert_eq!(s.talk, Some(Duration::from_secs(8_403)));
    assert_eq!(s.hold, Some(Duration::from_secs(240)));
    assert_eq!(s.acw, Some(Duration::from_secs(1_266)));
    assert!(s.doubts.is_empty(), "{:?}", s.doubts);
    let midnight = "2026-03-10T00:00:00Z".parse::<DateTime<Utc>>().unwrap();
    assert_eq!(
        (s.from, s.fetched_at),
        (midnight, to),
        "the source's zone is UTC"
    );
    let req = fake.with(|st| {
        st.log
            .requests
            .iter()
            .rev()
            .find(|(ep, ..)| *ep == Ep::UserAggregates)
            .map(|(_, _, body)| body.clone())
    });
    let req = req.expect("the user aggregates were asked");
    assert_eq!(req["groupBy"], serde_json::json!(["userId"]));
    assert_eq!(req["filter"]["predicates"][0]["dimension"], "userId");
    assert_eq!(req["filter"]["predicates"][0]["value"], ALICE);
    assert_eq!(
        req["interval"],
        "2026-03-10T00:00:00.000Z/2026-03-10T14:30:00.000Z"
    );
    for m in ["tTalk", "tHeld", "tAcw", "tHandle"] {
        assert!(
            req["metrics"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == m)),
            "{m}"
        );
    }
    // An agent without events today: every figure a genuine 0.
    let s = src.split(BOB, to).await.expect("split");
    assert_eq!(s.handled, Some(0));
    assert_eq!(s.hold, Some(Duration::ZERO));
}

#[tokio::test]
async fn hostile_split_figures_are_unknown_and_said() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    fake.with(|s| {
        s.rewrite.insert(
            Ep::UserAggregates,
            Arc::new(|v: &mut serde_json::Value| {
                if let Some(ms) = v.pointer_mut("/results/0/data/0/metrics")
                    && let Some(ms) = ms.as_array_mut()
                {
                    for m in ms {
                        match m["metric"].as_str() {
                            Some("tTalk") => m["stats"]["sum"] = serde_json::json!(-5000),
                            Some("tAcw") => m["stats"]["sum"] = serde_json::json!(1e300),
                            _ => {}
                        }
                    }
                }
            }),
        );
    });
    let mut src = source(&fake).await;
    let to = "2026-03-10T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
    let s = src.split(ALICE, to).await.expect("split");
    assert_eq!((s.talk, s.acw), (None, None));
    assert_eq!(s.hold, Some(Duration::from_secs(240)), "the rest stays");
    assert_eq!(s.handled, Some(27));
    assert_eq!(s.doubts.len(), 2, "{:?}", s.doubts);
}

/// Under the source driver: the history and the split are asked together and answer
/// apart, so a failed split leaves the history whole, and a failed history the split.
#[tokio::test]
async fn a_failed_split_keeps_the_history_and_a_failed_history_the_split() {
    use queuetop::source::{SourceCommand, SourceEvent, run};
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let src = source(&fake).await;
    let (events_tx, mut events) = queuetop::source::channel::channel();
    let (commands, commands_rx) = tokio::sync::mpsc::channel(8);
    let task = tokio::spawn(run(src, events_tx, commands_rx));
    let from = "2026-03-09T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
    let to = "2026-03-10T14:30:00Z".parse::<DateTime<Utc>>().unwrap();
    // Both answers for ALICE, whatever snapshots come between.
    async fn answers(
        events: &mut queuetop::source::channel::EventReceiver,
    ) -> (
        Result<queuetop::domain::AgentHistory, String>,
        Result<queuetop::domain::HandleSplit, String>,
    ) {
        let (mut h, mut s) = (None, None);
        while h.is_none() || s.is_none() {
            match tokio::time::timeout(Duration::from_secs(10), events.recv()).await {
                Ok(Some(SourceEvent::History { result, .. })) => h = Some(result),
                Ok(Some(SourceEvent::Split { result, .. })) => s = Some(result),
                Ok(Some(SourceEvent::Snapshot(_))) => {}
                other => panic!("no answer: {other:?}"),
            }
        }
        (h.unwrap(), s.unwrap())
    }
    let ask = |commands: tokio::sync::mpsc::Sender<SourceCommand>| async move {
        commands
            .send(SourceCommand::History {
                agent_id: ALICE.into(),
                from,
                to,
            })
            .await
            .unwrap();
        commands
            .send(SourceCommand::Split {
                agent_id: ALICE.into(),
                to,
            })
            .await
            .unwrap();
    };
    // A 500 that outlasts the retries.
    for _ in 0..3 {
        fake.fault(Ep::UserAggregates, Fault::Status(500, None));
    }
    ask(commands.clone()).await;
    let (h, s) = answers(&mut events).await;
    assert_eq!(h.expect("the history arrives").spans.len(), 10);
    let e = s.expect_err("the split failed");
    assert!(e.contains("500"), "{e}");
    // Garbage instead of JSON.
    fake.fault(Ep::UserAggregates, Fault::Malformed);
    ask(commands.clone()).await;
    let (h, s) = answers(&mut events).await;
    assert_eq!(h.expect("the history arrives").spans.len(), 10);
    let e = s.expect_err("the split was unreadable");
    assert!(e.contains("unexpected data"), "{e}");
    // And the other way round.
    for _ in 0..3 {
        fake.fault(Ep::Details, Fault::Status(500, None));
    }
    ask(commands.clone()).await;
    let (h, s) = answers(&mut events).await;
    assert!(h.is_err(), "{h:?}");
    assert_eq!(s.expect("the split arrives").handled, Some(27));
    drop(commands);
    drop(events);
    let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
}
