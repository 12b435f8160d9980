//! The real CxoneSource against the fake CXone server (support/fake_cxone.rs).

use std::time::{Duration, Instant};

use crate::support::fake_cxone::*;
use chrono::{DateTime, Utc};
use queuetop::config::{CxoneConfig, Secret};
use queuetop::domain::{AgentState, Queue, SourceSnapshot, SourceStatus};
use queuetop::source::cxone::CxoneSource;
use queuetop::source::{Source, SourceCommand, SourceError, SourceEvent, SourceOptions};
use serde_json::json;

fn cfg(base: &str) -> CxoneConfig {
    CxoneConfig {
        name: "cx".into(),
        issuer: base.into(),
        api_url: None,
        api_version: "v34.0".into(),
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new(CLIENT_SECRET),
        access_key_id: ACCESS_KEY_ID.into(),
        access_key_secret: Secret::new(ACCESS_KEY_SECRET),
        queues: vec![],
    }
}

fn opts() -> SourceOptions {
    SourceOptions {
        refresh: Duration::from_secs(5),
        timezone: Some(chrono_tz::UTC),
        clock: Default::default(),
    }
}

use crate::support::fast_http as fast;

async fn seeded() -> FakeCxone {
    let fake = FakeCxone::start().await;
    seed_from_fixtures(&mut fake.s());
    fake
}

fn source(fake: &FakeCxone) -> CxoneSource {
    CxoneSource::with_settings(cfg(&fake.base), opts(), fast()).expect("source")
}

fn queue<'a>(s: &'a SourceSnapshot, name: &str) -> &'a Queue {
    s.queues
        .iter()
        .find(|q| q.name == name)
        .unwrap_or_else(|| panic!("queue {name}"))
}

fn agent_state(s: &SourceSnapshot, id: &str) -> AgentState {
    s.agents
        .as_ref()
        .and_then(|a| a.iter().find(|a| a.id == id))
        .map(|a| a.state)
        .unwrap_or_else(|| panic!("agent {id}"))
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

#[tokio::test]
async fn figures_equal_the_scenario() {
    let fake = seeded().await;
    let mut src = source(&fake);
    let out = src.poll().await;
    let s = &out.snapshot;
    assert_eq!(s.health.status, SourceStatus::Live, "{:?}", s.health);
    assert_eq!(
        src.api_base(),
        Some(format!("{}/inContactAPI/services/v34.0", fake.base).as_str())
    );
    assert_eq!(s.queues.len(), 5);

    let b = queue(s, "CS_Billing_Voice");
    assert_eq!(b.id, "11223344");
    assert_eq!(b.live.waiting, Some(3));
    assert!(close(b.live.longest_wait_s, 82.327));
    assert_eq!(b.live.agents.available, Some(3));
    assert_eq!(b.live.agents.busy, Some(6));
    assert_eq!(b.live.agents.after_call_work, Some(1));
    // agentsLoggedIn = available + working + unavailable here, so the 3 unavailable include
    // the 1 in ACW: shown once, in ACW.
    assert_eq!(b.live.agents.unavailable, Some(2));
    // From the agent list: agents seen on this skill (Ben, busy).
    assert_eq!(b.live.agents.not_responding, Some(0));
    assert_eq!(b.live.agents.offline, Some(0));
    let o = b.vendor_objective.expect("objective");
    assert!((o.target - 0.80).abs() < 1e-9 && (o.threshold_s - 30.0).abs() < 1e-9);
    assert_eq!(b.today.offered, Some(160));
    assert_eq!(b.today.handled, Some(150));
    assert_eq!(b.today.abandoned, Some(10));
    assert_eq!(b.today.answered_within_threshold, Some(143));
    assert!(close(b.today.service_level, 143.0 / 160.0));
    assert!(close(b.today.abandon_rate, 10.0 / 160.0));
    assert!(close(b.today.asa_s, 21.4));
    assert!(close(b.today.aht_s, 362.113));

    let chat = queue(s, "CS_Chat");
    assert_eq!(chat.live.waiting, Some(0));
    assert_eq!(chat.live.longest_wait_s, Some(0.0));
    // CS_Chat has no row in today's fixtures: nothing invented.
    assert_eq!(chat.today.offered, None);
    assert_eq!(chat.today.service_level, None);

    assert_eq!(s.agents.as_ref().map(Vec::len), Some(8));
    assert_eq!(agent_state(s, "39260753"), AgentState::AfterCallWork);
    assert_eq!(agent_state(s, "39260756"), AgentState::NotResponding);
    assert_eq!(agent_state(s, "39260755"), AgentState::Offline);

    let st = fake.s();
    let first = &st.calls("/skills/activity")[0];
    assert_eq!(
        first.query.get("updatedSince").map(String::as_str),
        Some("1970-01-01T00:00:00.000Z")
    );
    assert_eq!(st.calls("/.well-known/cxone-configuration").len(), 1);
    assert_eq!(st.grants(), ["password"]);
    let summary = &st.calls("/skills/summary")[0];
    assert!(
        summary
            .query
            .get("startDate")
            .is_some_and(|d| d.ends_with("T00:00:00.000Z"))
    );
}

#[tokio::test]
async fn delta_poll_merges_changes() {
    let fake = seeded().await;
    let mut src = source(&fake);
    src.poll().await;
    let poll1 = fake.s().poll_time();
    {
        let mut st = fake.s();
        // Dev leaves ACW; CS_Chat is deactivated; Billing gets two more callers.
        st.patch_agent(
            "39260753",
            json!({"agentStateId": 1, "agentStateName": "Available", "isACW": false,
                   "outStateId": null, "outStateDescription": null, "skillId": null}),
        );
        st.patch_skill("11223350", json!({"isActive": false}));
        st.patch_skill("11223344", json!({"queueCount": 5}));
    }
    let out = src.poll().await;
    let s = &out.snapshot;
    assert_eq!(s.health.status, SourceStatus::Live, "{:?}", s.health);
    let st = fake.s();
    let calls = st.calls("/agents/states");
    assert_eq!(calls[1].query.get("updatedSince"), Some(&poll1));
    drop(st);
    assert_eq!(agent_state(s, "39260753"), AgentState::Available);
    assert_eq!(s.agents.as_ref().map(Vec::len), Some(8));
    assert!(
        s.queues.iter().all(|q| q.name != "CS_Chat"),
        "inactive skill dropped"
    );
    assert_eq!(s.queues.len(), 4);
    assert_eq!(queue(s, "CS_Billing_Voice").live.waiting, Some(5));
    assert_eq!(
        queue(s, "CS_Email").live.waiting,
        Some(12),
        "unchanged skill kept"
    );
    // Dev keeps the skill he was seen on; it now counts him nowhere as ACW.
    let dev = s
        .agents
        .as_ref()
        .and_then(|a| a.iter().find(|a| a.id == "39260753"))
        .cloned();
    assert_eq!(dev.map(|d| d.queues), Some(vec!["11223345".to_string()]));
}

#[tokio::test]
async fn no_change_is_200_empty_204_or_304() {
    for mode in [
        Unchanged::EmptyList,
        Unchanged::NoContent,
        Unchanged::NotModified,
    ] {
        let fake = seeded().await;
        fake.s().unchanged = mode;
        let mut src = source(&fake);
        let first = src.poll().await.snapshot;
        let second = src.poll().await.snapshot;
        assert_eq!(
            second.health.status,
            SourceStatus::Live,
            "{mode:?}: {:?}",
            second.health
        );
        assert_eq!(first.queues.len(), second.queues.len(), "{mode:?}");
        for (a, b) in first.queues.iter().zip(&second.queues) {
            assert_eq!(a.live, b.live, "{mode:?}");
        }
        assert_eq!(first.agents, second.agents, "{mode:?}");
        let calls = fake.calls("/skills/activity");
        assert_eq!(
            calls[1].query.get("updatedSince"),
            Some(&fake.poll_time()),
            "{mode:?}"
        );
        // A third poll after 204/304 still sends the kept lastPollTime.
        src.poll().await;
        let calls = fake.calls("/skills/activity");
        assert_eq!(
            calls[2].query.get("updatedSince"),
            Some(&fake.poll_time()),
            "{mode:?}"
        );
    }
}

#[tokio::test]
async fn refused_updated_since_restarts_from_the_epoch_and_empty_200_is_no_change() {
    let fake = seeded().await;
    let mut src = source(&fake);
    src.poll().await;
    fake.s().fault("/skills/activity", 1, FaultKind::EmptyOk);
    let out = src.poll().await;
    assert_eq!(
        out.snapshot.health.status,
        SourceStatus::Live,
        "{:?}",
        out.snapshot.health
    );
    assert_eq!(out.snapshot.queues.len(), 5);
    fake.s().fault(
        "/skills/activity",
        1,
        FaultKind::Status {
            code: 400,
            retry_after: None,
            body: json!({"error": "Bad Request", "error_description": "Invalid updatedSince"})
                .to_string(),
        },
    );
    let out = src.poll().await;
    assert_eq!(out.snapshot.health.status, SourceStatus::Stale);
    assert_eq!(out.snapshot.queues.len(), 5, "kept");
    src.poll().await;
    let calls = fake.calls("/skills/activity");
    assert_eq!(
        calls
            .last()
            .and_then(|c| c.query.get("updatedSince"))
            .map(String::as_str),
        Some("1970-01-01T00:00:00.000Z")
    );
}

#[tokio::test]
async fn retry_after_is_honoured_on_429_and_503() {
    for code in [429u16, 503] {
        let fake = seeded().await;
        fake.s()
            .status_fault("/skills/activity", 1, code, Some("1"));
        let mut src = source(&fake);
        let t0 = Instant::now();
        let out = src.poll().await;
        let took = t0.elapsed();
        assert_eq!(
            out.snapshot.health.status,
            SourceStatus::Live,
            "{code}: {:?}",
            out.snapshot.health
        );
        assert!(
            took >= Duration::from_millis(900),
            "{code}: waited only {took:?}"
        );
        assert!(took < Duration::from_secs(10), "{code}: {took:?}");
        let st = fake.s();
        let calls = st.calls("/skills/activity");
        assert_eq!(calls.len(), 2, "{code}");
        assert!(calls[1].at.duration_since(calls[0].at) >= Duration::from_millis(900));
    }
}

#[tokio::test]
async fn a_long_retry_after_is_reported_and_respected() {
    let fake = seeded().await;
    fake.s().status_fault("/agents/states", 5, 429, Some("40"));
    let mut src = source(&fake);
    let t0 = Instant::now();
    let out = src.poll().await;
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "40 s is not waited inside the call"
    );
    let h = &out.snapshot.health;
    assert_eq!(h.status, SourceStatus::Stale, "{h:?}");
    assert!(
        h.error
            .as_deref()
            .is_some_and(|e| e.contains("agent states") && e.contains("rate limited")),
        "{h:?}"
    );
    // Honoured up to the cap, then probed; what the server asked for is shown.
    assert!(
        out.next_poll_in >= Duration::from_secs(30) && out.next_poll_in <= Duration::from_secs(36),
        "{:?}",
        out.next_poll_in
    );
    assert!(
        h.note
            .as_deref()
            .is_some_and(|n| n.contains("asked to wait 40 s")),
        "{h:?}"
    );
    assert_eq!(out.snapshot.queues.len(), 5, "queues unaffected");
}

#[tokio::test]
async fn a_401_renews_the_token_once_and_retries() {
    let fake = seeded().await;
    let mut src = source(&fake);
    src.poll().await;
    fake.s().status_fault("/agents/states", 1, 401, None);
    let out = src.poll().await;
    assert_eq!(
        out.snapshot.health.status,
        SourceStatus::Live,
        "{:?}",
        out.snapshot.health
    );
    let st = fake.s();
    assert_eq!(st.grants(), ["password", "refresh_token"]);
    assert_eq!(st.calls("/agents/states").len(), 3);
}

#[tokio::test]
async fn token_refreshed_ahead_of_expiry_with_password_fallback() {
    let fake = seeded().await;
    fake.s().token_ttl_s = 1;
    let mut src = source(&fake);
    src.poll().await;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    src.poll().await;
    assert_eq!(fake.s().grants(), ["password", "refresh_token"]);
    assert!(
        fake.s()
            .log
            .iter()
            .all(|r| !r.path.contains("v34.0") || r.auth.is_some())
    );
    // The refresh grant fails: the access key is used again; the board stays live.
    fake.s().refresh_works = false;
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let out = src.poll().await;
    assert_eq!(
        out.snapshot.health.status,
        SourceStatus::Live,
        "{:?}",
        out.snapshot.health
    );
    assert_eq!(
        fake.s().grants(),
        ["password", "refresh_token", "refresh_token", "password"]
    );
}

#[tokio::test]
async fn offline_keeps_data_then_recovers() {
    let fake = seeded().await;
    let mut src = source(&fake);
    let good = src.poll().await.snapshot;
    fake.s().down = true;
    let out = src.poll().await;
    let h = &out.snapshot.health;
    assert_eq!(h.status, SourceStatus::Offline, "{h:?}");
    assert!(
        h.error.as_deref().is_some_and(|e| e.contains("503")),
        "{h:?}"
    );
    assert!(h.next_retry.is_some());
    assert!(h.last_ok.is_some());
    // Never blank: the last good figures stay.
    assert_eq!(out.snapshot.queues.len(), good.queues.len());
    assert_eq!(
        queue(&out.snapshot, "CS_Billing_Voice").live,
        queue(&good, "CS_Billing_Voice").live
    );
    assert_eq!(out.snapshot.agents, good.agents);
    assert!(
        out.next_poll_in >= Duration::from_secs(4),
        "backs off: {:?}",
        out.next_poll_in
    );
    fake.s().down = false;
    let out = src.poll().await;
    assert_eq!(
        out.snapshot.health.status,
        SourceStatus::Live,
        "{:?}",
        out.snapshot.health
    );
    assert_eq!(out.next_poll_in, Duration::from_secs(5));
}

#[tokio::test]
async fn one_failing_call_marks_only_its_part_stale() {
    let fake = seeded().await;
    let mut src = source(&fake);
    src.poll().await;
    fake.s().patch_skill("11223344", json!({"queueCount": 9}));
    fake.s().status_fault("/agents/states", 10, 500, None);
    let out = src.poll().await;
    let s = &out.snapshot;
    assert_eq!(s.health.status, SourceStatus::Stale, "{:?}", s.health);
    let e = s.health.error.clone().unwrap_or_default();
    assert!(
        e.contains("agent states") && e.contains("500") && e.contains("s ago"),
        "{e}"
    );
    assert_eq!(
        queue(s, "CS_Billing_Voice").live.waiting,
        Some(9),
        "live still updates"
    );
    assert_eq!(s.agents.as_ref().map(Vec::len), Some(8), "agents kept");
}

#[tokio::test]
async fn malformed_and_slow_answers() {
    let fake = seeded().await;
    let mut src = source(&fake);
    src.poll().await;
    fake.s().fault("/skills/activity", 1, FaultKind::Malformed);
    let out = src.poll().await;
    let h = &out.snapshot.health;
    assert_eq!(h.status, SourceStatus::Stale, "{h:?}");
    assert!(
        h.error
            .as_deref()
            .is_some_and(|e| e.contains("unexpected data")),
        "{h:?}"
    );
    assert_eq!(out.snapshot.queues.len(), 5);

    // Slower than the 800 ms timeout once: the retry succeeds.
    fake.s().fault(
        "/agents/states",
        1,
        FaultKind::Slow(Duration::from_millis(1500)),
    );
    let t0 = Instant::now();
    let out = src.poll().await;
    assert!(t0.elapsed() >= Duration::from_millis(700));
    assert_eq!(
        out.snapshot.health.status,
        SourceStatus::Live,
        "{:?}",
        out.snapshot.health
    );
}

#[tokio::test]
async fn offline_from_the_start_without_panicking() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let mut src =
        CxoneSource::with_settings(cfg(&format!("http://127.0.0.1:{port}")), opts(), fast())
            .expect("source");
    let out = src.poll().await;
    let h = &out.snapshot.health;
    assert_eq!(h.status, SourceStatus::Offline, "{h:?}");
    assert!(
        h.error
            .as_deref()
            .is_some_and(|e| e.contains("cannot connect")),
        "{h:?}"
    );
    assert!(h.next_retry.is_some());
    assert!(out.snapshot.queues.is_empty());
    assert_eq!(out.snapshot.agents, None);
}

#[tokio::test]
async fn errors_name_the_fix() {
    let fake = seeded().await;
    let mut c = cfg(&fake.base);
    c.access_key_secret = Secret::new("wrong-secret");
    let mut src = CxoneSource::with_settings(c, opts(), fast()).expect("source");
    let h = src.poll().await.snapshot.health;
    assert_eq!(h.status, SourceStatus::Error);
    assert!(h.error.as_deref().is_some_and(|e| e.contains("access key rejected — check access_key_id and its secret")), "{h:?}");

    let mut c = cfg(&fake.base);
    c.client_secret = Secret::new("nope-nope");
    let mut src = CxoneSource::with_settings(c, opts(), fast()).expect("source");
    let h = src.poll().await.snapshot.health;
    assert!(
        h.error
            .as_deref()
            .is_some_and(|e| e.contains("check client_id and client_secret")),
        "{h:?}"
    );

    let mut c = cfg(&fake.base);
    c.api_version = "v99.0".into();
    let mut src = CxoneSource::with_settings(c, opts(), fast()).expect("source");
    let h = src.poll().await.snapshot.health;
    assert_eq!(h.status, SourceStatus::Error);
    assert!(
        h.error.as_deref().is_some_and(
            |e| e.contains("API version v99.0 not supported") && e.contains("set api_version")
        ),
        "{h:?}"
    );

    fake.s()
        .status_fault("/.well-known/cxone-configuration", 1, 404, None);
    let mut src = source(&fake);
    let h = src.poll().await.snapshot.health;
    assert!(
        h.error
            .as_deref()
            .is_some_and(|e| e.contains("tenant not found")),
        "{h:?}"
    );
    // Discovery is retried on the next poll and then works.
    assert_eq!(src.poll().await.snapshot.health.status, SourceStatus::Live);

    // Plain http to a remote host is refused before anything is sent.
    let bad = CxoneSource::with_settings(cfg("http://cxone.example.com"), opts(), fast());
    assert!(matches!(bad, Err(SourceError::Fatal(_))));
}

#[tokio::test]
async fn api_url_skips_tenant_discovery_and_filter_applies() {
    let fake = seeded().await;
    let mut c = cfg(&fake.base);
    c.api_url = Some(fake.base.clone());
    c.queues = vec!["CS_*_Voice".into(), "11223360".into()];
    let mut src = CxoneSource::with_settings(c, opts(), fast()).expect("source");
    let s = src.poll().await.snapshot;
    let names: Vec<&str> = s.queues.iter().map(|q| q.name.as_str()).collect();
    assert_eq!(names, ["CS_Billing_Voice", "CS_Email", "CS_Tech_Voice"]);
    assert!(
        fake.s()
            .calls("/.well-known/cxone-configuration")
            .is_empty()
    );
}

fn t(s: &str) -> DateTime<Utc> {
    queuetop::source::cxone::wire::parse_time(s).expect("time")
}

#[tokio::test]
async fn history_reads_every_page_by_link_or_skip() {
    for links in [true, false] {
        let fake = seeded().await;
        {
            let mut st = fake.s();
            st.history_page = 10;
            st.history_links = links;
        }
        let mut src = source(&fake);
        src.poll().await;
        let (from, to) = (t("2025-03-13T15:02:11.447Z"), t("2025-03-14T15:02:11.447Z"));
        let h = src.history("39260751", from, to).await.expect("history");
        assert_eq!(h.spans.len(), 27, "links={links}");
        assert_eq!(h.agent_name, "Ben Ortiz");
        assert_eq!(h.spans.last().map(|s| s.end), Some(to));
        assert!(h.spans.windows(2).all(|w| w[0].start <= w[1].start));
        let calls = fake.calls("/state-history");
        assert_eq!(calls.len(), 3, "links={links}");
        assert_eq!(
            calls[0].query.get("startDate").map(String::as_str),
            Some("2025-03-13T15:02:11.447Z")
        );
        let missing = src.history("4242", from, to).await;
        assert!(
            matches!(&missing, Err(SourceError::Fatal(m)) if m.contains("not found")),
            "{missing:?}"
        );
        assert!(src.history("../skills", from, to).await.is_err());
    }
}

#[tokio::test]
async fn foreign_next_links_are_not_followed() {
    let fake = seeded().await;
    fake.s().history_page = 10;
    let mut src = source(&fake);
    src.poll().await;
    // From now on the next links point at another host: the token must not go there, so
    // the source pages with skip instead.
    fake.s().base = "http://127.0.0.2:9".into();
    let (from, to) = (t("2025-03-13T15:02:11.447Z"), t("2025-03-14T15:02:11.447Z"));
    let h = src.history("39260751", from, to).await.expect("history");
    assert_eq!(h.spans.len(), 27);
}

#[tokio::test]
async fn secrets_and_tokens_never_in_errors_or_debug() {
    let fake = seeded().await;
    let leak = json!({"error": "x", "error_description":
        format!("echo {CLIENT_SECRET} {ACCESS_KEY_SECRET}")})
    .to_string();
    let mut src = source(&fake);
    let mut texts: Vec<String> = Vec::new();
    texts.push(format!("{:?}", src.poll().await.snapshot));
    {
        let mut st = fake.s();
        st.fault(
            "/skills/activity",
            10,
            FaultKind::Status {
                code: 500,
                retry_after: None,
                body: leak.clone(),
            },
        );
        st.fault(
            "/agents/states",
            10,
            FaultKind::Status {
                code: 403,
                retry_after: None,
                body: leak.clone(),
            },
        );
        st.fault(
            "/skills/summary",
            10,
            FaultKind::Status {
                code: 400,
                retry_after: None,
                body: leak.clone(),
            },
        );
    }
    let out = src.poll().await;
    texts.push(format!("{out:?}"));
    texts.push(format!("{:?}", out.snapshot.health));
    texts.push(out.snapshot.health.error.clone().unwrap_or_default());
    texts.push(format!("{src:?}"));
    let e = src
        .history("4242", Utc::now() - chrono::Duration::hours(1), Utc::now())
        .await;
    texts.push(format!("{e:?}"));
    if let Err(e) = &e {
        texts.push(e.to_string());
    }
    // A failing login too.
    let mut c = cfg(&fake.base);
    c.access_key_secret = Secret::new("wrong+secret==");
    let mut bad = CxoneSource::with_settings(c, opts(), fast()).expect("source");
    let o = bad.poll().await;
    texts.push(format!("{o:?}"));
    texts.push(format!("{bad:?}"));

    let st = fake.s();
    let mut secrets: Vec<String> = vec![
        CLIENT_SECRET.into(),
        ACCESS_KEY_SECRET.into(),
        "wrong+secret==".into(),
        url_encode(CLIENT_SECRET),
        url_encode(ACCESS_KEY_SECRET),
    ];
    secrets.extend(st.valid_access.iter().cloned());
    secrets.extend(st.valid_refresh.iter().cloned());
    assert!(!st.valid_access.is_empty());
    let all = texts.join("\n");
    assert!(
        all.contains("Secret(***)"),
        "sanity: Debug output was produced"
    );
    assert!(all.contains("***"), "the echoed secrets were scrubbed");
    for s in &secrets {
        assert!(!all.contains(s.as_str()), "leaked {s:?}");
    }
}

#[tokio::test]
async fn runs_in_the_app_loop_and_answers_history() {
    let fake = seeded().await;
    let src = source(&fake);
    let (ev_tx, mut ev_rx) = queuetop::source::channel::channel();
    let (cmd_tx, cmd_rx) = tokio::sync::mpsc::channel(8);
    let task = tokio::spawn(queuetop::source::run(src, ev_tx, cmd_rx));
    let first = tokio::time::timeout(Duration::from_secs(10), ev_rx.recv())
        .await
        .expect("snapshot in time");
    assert!(matches!(first, Some(SourceEvent::Snapshot(s)) if s.queues.len() == 5));
    let to = Utc::now();
    cmd_tx
        .send(SourceCommand::History {
            agent_id: "39260751".into(),
            from: to - chrono::Duration::hours(24),
            to,
        })
        .await
        .expect("send");
    let ev = tokio::time::timeout(Duration::from_secs(10), ev_rx.recv())
        .await
        .expect("history in time");
    match ev {
        Some(SourceEvent::History {
            agent_id,
            result: Ok(h),
            ..
        }) => {
            assert_eq!(agent_id, "39260751");
            assert_eq!(h.spans.len(), 27);
        }
        other => panic!("unexpected {other:?}"),
    }
    drop(cmd_tx);
    let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
}

#[tokio::test]
async fn a_client_secret_post_registration_is_found_and_remembered() {
    let fake = seeded().await;
    fake.s().client_secret_post = true;
    let mut src = source(&fake);
    let out = src.poll().await;
    assert_eq!(
        out.snapshot.health.status,
        SourceStatus::Live,
        "{:?}",
        out.snapshot.health
    );
    let token_calls = || {
        fake.s()
            .log
            .iter()
            .filter(|r| r.path == "/auth/token")
            .map(|r| r.auth.is_some())
            .collect::<Vec<bool>>()
    };
    let first = token_calls();
    // Basic (form-encoded), Basic (raw) refused, then the form body worked.
    assert_eq!(first.last(), Some(&false), "{first:?}");
    // A new token later goes straight to what worked.
    fake.s().valid_access.clear();
    src.poll().await;
    let second = token_calls();
    assert_eq!(second.len(), first.len() + 1, "{second:?}");
    assert_eq!(second.last(), Some(&false));
}

#[tokio::test]
async fn today_starts_at_midnight_in_the_business_units_zone() {
    let fake = seeded().await;
    // A zone whose midnight is never the machine's (UTC on CI) at the same instant.
    fake.s().bu_timezone = "Pacific/Auckland".into();
    let opts = SourceOptions {
        refresh: Duration::from_secs(5),
        timezone: None,
        clock: Default::default(),
    };
    let mut src = CxoneSource::with_settings(cfg(&fake.base), opts, fast()).expect("source");
    src.poll().await;
    // Today's call and the interval calls: every start is on the zone's clock; the
    // earliest is midnight there.
    let starts: Vec<DateTime<Utc>> = fake
        .calls("/skills/summary")
        .iter()
        .filter_map(|c| c.query.get("startDate")?.parse().ok())
        .collect();
    let start = *starts.iter().min().expect("startDate");
    for s in &starts {
        let m = s.with_timezone(&chrono_tz::Pacific::Auckland);
        assert!(
            m.format("%M:%S").to_string() == "00:00" || m.format("%M:%S").to_string() == "30:00",
            "an interval starts at {m} in Auckland"
        );
    }
    let local = start.with_timezone(&chrono_tz::Pacific::Auckland);
    assert_eq!(
        (local.format("%H:%M:%S").to_string()),
        "00:00:00",
        "{start} is {local} in Auckland"
    );
    // A zone the configuration sets wins, and a non-IANA name is said, not guessed.
    fake.s().bu_timezone = "Mountain Standard Time".into();
    let mut src = CxoneSource::with_settings(
        cfg(&fake.base),
        SourceOptions {
            refresh: Duration::from_secs(5),
            timezone: None,
            clock: Default::default(),
        },
        fast(),
    )
    .expect("source");
    let h = src.poll().await.snapshot.health;
    assert!(
        h.note
            .as_deref()
            .is_some_and(|n| n.contains("not an IANA name")),
        "{h:?}"
    );
}

#[tokio::test]
async fn acw_outstates_come_from_the_unavailable_codes() {
    let fake = seeded().await;
    fake.s().unavailable_codes = vec![
        json!({"id": 77, "name": "Paperwork", "isActive": true, "isACW": true}),
        json!({"id": 78, "name": "Lunch", "isActive": true, "isACW": false}),
    ];
    let mut src = source(&fake);
    src.poll().await;
    // The agent store learnt 77 as an ACW code (and not 78) without any agent row saying so.
    assert!(src.vendor_acw_codes().contains(&77));
    assert!(!src.vendor_acw_codes().contains(&78));
}

#[tokio::test]
async fn no_contacts_today_is_zeros_and_a_404_sla_summary_is_no_data() {
    let fake = seeded().await;
    fake.s().status_fault("/skills/summary", 1, 204, None);
    fake.s().status_fault("/skills/sla-summary", 1, 404, None);
    let mut src = source(&fake);
    let out = src.poll().await;
    let h = &out.snapshot.health;
    assert_eq!(h.status, SourceStatus::Live, "{h:?}");
    let t = &queue(&out.snapshot, "CS_Billing_Voice").today;
    assert_eq!(
        (
            t.offered,
            t.handled,
            t.abandoned,
            t.answered_within_threshold,
            t.sl_counted
        ),
        (Some(0), Some(0), Some(0), Some(0), Some(0))
    );
    // Zero of zero is no service level, not 0 % and not 100 %.
    assert_eq!(t.service_level, None);
}

#[tokio::test]
async fn skill_assignments_place_agents_on_their_queues() {
    let fake = seeded().await;
    // Ana (available, idle: her row names no skill) and Fay (logged out) are assigned to
    // billing; Ben works billing but his assignment moved to tech; an inactive assignment
    // and the phantom skill 0 count for nothing.
    fake.s().assignments = Some(vec![
        json!({"agentId": 39260750, "skillId": 11223344, "isActive": true}),
        json!({"agentId": 39260755, "skillId": "11223344", "isActive": true}),
        json!({"agentId": 39260751, "skillId": 11223345, "isActive": true}),
        json!({"agentId": 39260751, "skillId": 11223344, "isActive": false}),
        json!({"agentId": 39260752, "skillId": 0, "isActive": true}),
    ]);
    let mut src = source(&fake);
    let snap = src.poll().await.snapshot;
    assert_eq!(snap.health.status, SourceStatus::Live, "{:?}", snap.health);
    let agents = snap.agents.clone().expect("agents");
    let queues_of = |id: &str| {
        agents
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.queues.clone())
            .unwrap_or_default()
    };
    assert_eq!(queues_of("39260750"), vec!["11223344".to_string()]);
    assert_eq!(queues_of("39260751"), vec!["11223345".to_string()]);
    assert!(queues_of("39260752").is_empty(), "skill 0 is no queue");
    let b = &queue(&snap, "CS_Billing_Voice").live.agents;
    // The list-derived columns follow the assignments: Fay offline on billing.
    assert_eq!(b.offline, Some(1));
    assert_eq!(b.not_responding, Some(0));
}

#[tokio::test]
async fn interval_history_comes_from_summaries_asked_from_each_interval_start() {
    let fake = seeded().await;
    let row = fake.s().summary.first().cloned().expect("a summary row");
    let skill = row["skillId"].to_string().trim_matches('"').to_string();
    let mut src = source(&fake);
    src.poll().await;
    let iv = src
        .vendor()
        .interval_history()
        .expect("interval history after a round");
    let q = iv
        .queues
        .iter()
        .find(|q| q.queue_id == skill)
        .expect("the skill's intervals");
    let now = Utc::now();
    let current = q.intervals.last().expect("the current interval");
    // The current interval starts on the half hour (the fake's zone is UTC here) …
    assert!(current.start <= now && now - current.start < chrono::Duration::minutes(31));
    assert_eq!(current.start.timestamp() % 1800, 0, "{}", current.start);
    // … and holds what the summaries said for that range (the fake answers every range
    // with the same rows).
    assert_eq!(
        current.offered,
        row["contactsOffered"].as_u64().unwrap_or(0)
    );
    assert_eq!(
        current.answered,
        row["contactsHandled"].as_u64().unwrap_or(0)
    );
    // Every interval call asked a range inside today, on the half hour.
    let ranges: Vec<(String, String)> = fake
        .calls("/skills/sla-summary")
        .iter()
        .filter_map(|c| {
            Some((
                c.query.get("startDate")?.clone(),
                c.query.get("endDate")?.clone(),
            ))
        })
        .collect();
    assert!(ranges.len() >= 2, "{ranges:?}");
    // The first round backfilled the newest completed intervals, joined to the current
    // one (the book's unit tests cover the rest of the backfill).
    let day_start = now.date_naive().and_hms_opt(0, 0, 0).unwrap().and_utc();
    let completed = ((current.start - day_start).num_minutes() / 30) as usize;
    assert_eq!(q.intervals.len(), 1 + completed.min(3), "{:?}", q.intervals);
    for w in q.intervals.windows(2) {
        assert_eq!(w[0].end(), w[1].start, "no gaps");
    }
}

#[tokio::test]
async fn a_working_agent_says_which_skill_and_channel_and_team() {
    let fake = seeded().await;
    let agent_id = fake.s().agents.keys().next().cloned().expect("an agent");
    let skill = fake.s().skills.keys().next().cloned().expect("a skill");
    fake.s().patch_agent(
        &agent_id,
        json!({"agentStateId": 3, "agentStateName": "InboundContact", "skillId": skill.parse::<i64>().unwrap_or(0),
               "mediaTypeId": 4, "mediaTypeName": "Phone Call", "teamName": "Blue Team"}),
    );
    let mut src = source(&fake);
    let snap = src.poll().await.snapshot;
    let a = snap
        .agents
        .as_ref()
        .and_then(|l| l.iter().find(|a| a.id == agent_id))
        .expect("the agent");
    assert_eq!(a.state, AgentState::Busy);
    let c = a.contact.as_ref().expect("the contact");
    assert_eq!(c.queue_id.as_deref(), Some(skill.as_str()));
    assert_eq!(c.media, Some(queuetop::domain::Media::Voice));
    assert_eq!(a.team.as_deref(), Some("Blue Team"));
    // An available agent is on no contact.
    let other = snap
        .agents
        .as_ref()
        .and_then(|l| l.iter().find(|a| a.state == AgentState::Available));
    assert!(other.is_none_or(|a| a.contact.is_none()));
}

#[tokio::test]
async fn the_split_is_the_agents_performance_since_local_midnight() {
    let fake = seeded().await;
    let mut src = source(&fake);
    src.poll().await;
    let to = t("2025-03-14T15:02:11.447Z");
    let s = src.split("39260751", to).await.expect("split");
    assert_eq!(s.handled, Some(30));
    assert_eq!(s.talk, Some(Duration::from_secs(8_895)), "PT2H28M15S");
    assert_eq!(s.acw, Some(Duration::from_secs(1_266)), "PT21M6S");
    assert_eq!(s.hold, None, "CXone gives no hold figure");
    assert_eq!(s.from, t("2025-03-14T00:00:00Z"));
    let call = fake.calls("/performance").pop().expect("asked");
    assert_eq!(
        call.path,
        "/inContactAPI/services/v34.0/agents/39260751/performance"
    );
    assert_eq!(
        call.query.get("startDate").map(String::as_str),
        Some("2025-03-14T00:00:00.000Z")
    );
    assert_eq!(
        call.query.get("endDate").map(String::as_str),
        Some("2025-03-14T15:02:11.447Z")
    );
    // 204: nothing today, zeros (hold still unknown).
    let s = src.split("4242", to).await.expect("split");
    assert_eq!(s.handled, Some(0));
    assert_eq!(s.talk, Some(Duration::ZERO));
    assert_eq!(s.hold, None);
    assert!(src.split("../skills", to).await.is_err());
}

/// Ask for an agent's history and split; both answers, whatever snapshots come between.
async fn ask(
    cmd_tx: &tokio::sync::mpsc::Sender<SourceCommand>,
    ev_rx: &mut queuetop::source::channel::EventReceiver,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> (
    Result<queuetop::domain::AgentHistory, String>,
    Result<queuetop::domain::HandleSplit, String>,
) {
    for cmd in [
        SourceCommand::History {
            agent_id: "39260751".into(),
            from,
            to,
        },
        SourceCommand::Split {
            agent_id: "39260751".into(),
            to,
        },
    ] {
        cmd_tx.send(cmd).await.expect("send");
    }
    let (mut h, mut s) = (None, None);
    while h.is_none() || s.is_none() {
        match tokio::time::timeout(Duration::from_secs(10), ev_rx.recv()).await {
            Ok(Some(SourceEvent::History { result, .. })) => h = Some(result),
            Ok(Some(SourceEvent::Split { result, .. })) => s = Some(result),
            Ok(Some(SourceEvent::Snapshot(_))) => {}
            other => panic!("no answer: {other:?}"),
        }
    }
    (h.expect("history"), s.expect("split"))
}

/// Under the source driver: a failed split (500 past the retries, then garbage) leaves
/// the history whole, and a failed history leaves the split.
#[tokio::test]
async fn a_failed_split_keeps_the_history_and_a_failed_history_the_split() {
    let fake = seeded().await;
    let src = source(&fake);
    let (ev_tx, mut ev_rx) = queuetop::source::channel::channel();
    let (cmd_tx, cmd_rx) = tokio::sync::mpsc::channel(8);
    let task = tokio::spawn(queuetop::source::run(src, ev_tx, cmd_rx));
    let to = t("2025-03-14T15:02:11.447Z");
    let from = to - chrono::Duration::hours(24);
    fake.s().status_fault("/performance", 3, 500, None);
    let (h, s) = ask(&cmd_tx, &mut ev_rx, from, to).await;
    assert_eq!(h.expect("the history arrives").spans.len(), 27);
    let e = s.expect_err("the split failed");
    assert!(e.contains("500"), "{e}");
    fake.s().fault("/performance", 1, FaultKind::Malformed);
    let (h, s) = ask(&cmd_tx, &mut ev_rx, from, to).await;
    assert_eq!(h.expect("the history arrives").spans.len(), 27);
    let e = s.expect_err("the split was unreadable");
    assert!(e.contains("unexpected data"), "{e}");
    fake.s().status_fault("/state-history", 3, 500, None);
    let (h, s) = ask(&cmd_tx, &mut ev_rx, from, to).await;
    assert!(h.is_err(), "{h:?}");
    assert_eq!(s.expect("the split arrives").handled, Some(30));
    drop(cmd_tx);
    let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
}
