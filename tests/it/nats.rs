//! Many screens: a collector (`queuetop serve`, the real binary) against the fake Genesys
//! Cloud, publishing to a real nats-server; viewers (`kind = "nats"`) in this process and
//! through the binary. Bounds are generous: these tests wait on what a viewer shows, never
//! on a tight timing.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::fake_genesys::*;
use crate::support::nats::{NatsServer, Proc};
use queuetop::cli::Format;
use queuetop::commands;
use queuetop::domain::{SourceSnapshot, SourceStatus};
use queuetop::source::{SourceEvent, Sources, channel::EventReceiver};
use serde_json::Value;

const WAIT: Duration = Duration::from_secs(30);

struct Collector {
    proc: Proc,
    config: PathBuf,
    nats: String,
    metrics: Option<u16>,
    home: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("port")
}

fn spawn_collector(config: &Path, nats: &str, metrics: Option<u16>, home: &Path) -> Proc {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_queuetop"));
    cmd.args(["serve", "--config"])
        .arg(config)
        .args(["--nats", nats, "--centre", "acme", "--refresh", "1s"])
        .arg("--log-file")
        .arg(home.join("serve.log"))
        .env("HOME", home)
        .env_remove("QUEUETOP_CONFIG")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(p) = metrics {
        cmd.args(["--metrics", &format!("127.0.0.1:{p}")]);
    }
    Proc(cmd.spawn().expect("spawn serve"))
}

impl Collector {
    fn start(fake: &FakeGenesys, nats: &NatsServer, dir: &Path, metrics: bool) -> Collector {
        let secret = dir.join("gc_secret");
        std::fs::write(&secret, CLIENT_SECRET).expect("write");
        let config = dir.join("collector.toml");
        let url = fake.url();
        std::fs::write(
            &config,
            format!(
                "timezone = \"UTC\"\n[serve]\nheartbeat = \"1s\"\n\n[[sources]]\nname = \"gc\"\nkind = \"genesys\"\npush = \"off\"\napi_url = \"{url}\"\nlogin_url = \"{url}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret_file = \"{}\"\n",
                secret.display()
            ),
        )
        .expect("write");
        let metrics = metrics.then(free_port);
        let home = dir.join("home");
        std::fs::create_dir_all(&home).expect("home");
        let proc = spawn_collector(&config, &nats.url(), metrics, &home);
        Collector {
            proc,
            config,
            nats: nats.url(),
            metrics,
            home,
        }
    }

    fn restart(&mut self) {
        self.proc.kill();
        self.proc = spawn_collector(&self.config, &self.nats, self.metrics, &self.home);
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.home.join("serve.log")).unwrap_or_default()
    }
}

fn viewer_toml(nats: &str) -> String {
    format!(
        "refresh = \"1s\"\ntimezone = \"UTC\"\n[[sources]]\nname = \"acme\"\nkind = \"nats\"\nurl = \"{nats}\"\ncentre = \"acme\"\n"
    )
}

fn viewer_config(nats: &str) -> queuetop::config::Config {
    queuetop::config::parse(&viewer_toml(nats), None, &|_| None).expect("viewer config")
}

/// A board's sources without the board: the latest snapshot of the viewer source.
struct Viewer {
    _sources: Sources,
    events: EventReceiver,
    last: Option<SourceSnapshot>,
}

impl Viewer {
    fn start(nats: &str) -> Viewer {
        let (sources, events) = queuetop::source::spawn_all(&viewer_config(nats)).expect("spawn");
        Viewer {
            _sources: sources,
            events,
            last: None,
        }
    }

    async fn next(&mut self, within: Duration) -> Option<SourceSnapshot> {
        loop {
            match tokio::time::timeout(within, self.events.recv()).await {
                Ok(Some(SourceEvent::Snapshot(s))) => {
                    self.last = Some((*s).clone());
                    return Some(*s);
                }
                Ok(Some(_)) => continue,
                _ => return None,
            }
        }
    }

    /// Wait until a snapshot satisfies `ok`; the last one seen is in the panic message.
    async fn until(&mut self, what: &str, ok: impl Fn(&SourceSnapshot) -> bool) -> SourceSnapshot {
        let deadline = tokio::time::Instant::now() + WAIT;
        while tokio::time::Instant::now() < deadline {
            if let Some(s) = self.next(Duration::from_secs(5)).await
                && ok(&s)
            {
                return s;
            }
        }
        panic!(
            "viewer never showed {what}; last: {:?}",
            self.last
                .as_ref()
                .map(|s| (&s.health.status, &s.health.error, s.queues.len()))
        );
    }
}

fn waiting_of(s: &SourceSnapshot, queue: &str) -> Option<u32> {
    s.queues
        .iter()
        .find(|q| q.name == queue)
        .and_then(|q| q.live.waiting)
}

fn live_with(s: &SourceSnapshot, waiting: u32) -> bool {
    s.health.status == SourceStatus::Live && waiting_of(s, "Support - Voice") == Some(waiting)
}

fn error_of(s: &SourceSnapshot) -> String {
    s.health.error.clone().unwrap_or_default()
}

/// `name{labels} value` lines of an OpenMetrics text, labels unescaped.
fn parse_metrics(text: &str) -> Vec<(String, HashMap<String, String>, f64)> {
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let (name, rest) = match line.find('{') {
            Some(i) => (&line[..i], &line[i + 1..]),
            None => {
                let (n, v) = line.split_once(' ').expect("sample");
                out.push((n.to_string(), HashMap::new(), v.parse().expect("value")));
                continue;
            }
        };
        let mut labels = HashMap::new();
        let mut chars = rest.chars().peekable();
        loop {
            let key: String = chars.by_ref().take_while(|c| *c != '=').collect();
            assert_eq!(chars.next(), Some('"'), "{line}");
            let mut val = String::new();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => match chars.next() {
                        Some('n') => val.push('\n'),
                        Some(o) => val.push(o),
                        None => break,
                    },
                    '"' => break,
                    o => val.push(o),
                }
            }
            labels.insert(key.trim_start_matches(',').to_string(), val);
            match chars.next() {
                Some(',') => {
                    if chars.peek() == Some(&'}') {
                        chars.next();
                        break;
                    }
                }
                Some('}') => break,
                other => panic!("bad label list at {other:?}: {line}"),
            }
        }
        let value: String = chars.collect();
        out.push((
            name.to_string(),
            labels,
            value.trim().parse().expect("value"),
        ));
    }
    out
}

async fn scrape(port: u16) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .expect("connect metrics");
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .expect("write");
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.expect("read");
    let text = String::from_utf8(buf).expect("utf-8");
    let (head, body) = text.split_once("\r\n\r\n").expect("http");
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(head.contains("application/openmetrics-text"), "{head}");
    body.to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_collector_many_viewers_metrics_history_and_look_back() {
    let nats = NatsServer::start();
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let collector = Collector::start(&fake, &nats, dir.path(), true);

    // Three viewers show the collector's figures.
    let mut viewers: Vec<Viewer> = (0..3).map(|_| Viewer::start(&nats.url())).collect();
    for v in &mut viewers {
        let s = v.until("LIVE with 3 waiting", |s| live_with(s, 3)).await;
        assert_eq!(s.source, "acme");
        assert!(s.agents.as_ref().is_some_and(|a| a.len() >= 3), "{s:?}");
    }
    let before_change = chrono::Utc::now();
    tokio::time::sleep(Duration::from_secs(2)).await;

    // A viewer started late paints from the bucket at once: its first snapshot is whole.
    let mut late = Viewer::start(&nats.url());
    let first = late
        .next(Duration::from_secs(10))
        .await
        .expect("a first snapshot");
    assert!(live_with(&first, 3), "{:?}", first.health);

    // The metrics agree with a viewer's `snapshot --format json`.
    let port = collector.metrics.expect("metrics port");
    let text = scrape(port).await;
    assert!(text.ends_with("# EOF\n"), "{text}");
    assert!(!text.contains(CLIENT_SECRET));
    let samples = parse_metrics(&text);
    let doc: Value = serde_json::from_str(
        &commands::snapshot(viewer_config(&nats.url()), Format::Json)
            .await
            .expect("viewer snapshot"),
    )
    .expect("json");
    let find = |name: &str, id: &str, extra: Option<(&str, &str)>| {
        samples
            .iter()
            .find(|(n, l, _)| {
                n == name
                    && l.get("queue_id").map(String::as_str) == Some(id)
                    && l.get("centre").map(String::as_str) == Some("acme")
                    && l.get("source").map(String::as_str) == Some("gc")
                    && extra.is_none_or(|(k, v)| l.get(k).map(String::as_str) == Some(v))
            })
            .map(|(_, l, v)| (l.clone(), *v))
    };
    let queues = doc["queues"].as_array().expect("queues");
    assert_eq!(queues.len(), 3);
    for q in queues {
        let id = q["id"].as_str().expect("id");
        let (labels, waiting) = find("queuetop_queue_waiting", id, None).expect("waiting");
        assert_eq!(labels["queue"], q["name"].as_str().expect("name"));
        assert_eq!(Some(waiting), q["waiting"].as_f64(), "{id}");
        let lw = find("queuetop_queue_longest_wait_seconds", id, None).map(|x| x.1);
        match q["longest_wait_s"].as_f64() {
            Some(x) => assert!(lw.is_some_and(|m| (m - x).abs() < 5.0), "{lw:?} vs {x}"),
            None => assert!(lw.is_none()),
        }
        for st in [
            "available",
            "busy",
            "after_call_work",
            "not_responding",
            "unavailable",
            "offline",
        ] {
            let m = find("queuetop_queue_agents", id, Some(("state", st))).map(|x| x.1);
            assert_eq!(m, q["agents"][st].as_f64(), "{id} {st}");
        }
        let sl = find(
            "queuetop_queue_service_level",
            id,
            Some(("window", "interval")),
        )
        .map(|x| x.1);
        match q["sla"]["current_sl"].as_f64() {
            Some(x) => assert!(sl.is_some_and(|m| (m - x).abs() < 1e-9), "{sl:?} vs {x}"),
            None => assert!(sl.is_none(), "SL absent when unknown, not {sl:?}"),
        }
        if let Some(status) = q["sla"]["status"].as_str() {
            let cur = find("queuetop_queue_sla_status", id, Some(("status", status)));
            assert_eq!(cur.map(|x| x.1), Some(1.0), "{id} {status}");
        }
    }
    let up = samples
        .iter()
        .find(|(n, l, _)| n == "queuetop_source_up" && l["source"] == "gc")
        .map(|x| x.2);
    assert_eq!(up, Some(1.0));
    assert!(
        samples
            .iter()
            .any(|(n, l, v)| n == "queuetop_source_age_seconds"
                && l["source"] == "gc"
                && *v < 60.0)
    );

    // History asked by three viewers at once: one vendor fetch, and the next asker is served
    // from it too.
    // What one fetch costs (the vendor's pages), asked of the platform directly.
    let direct = queuetop::config::parse(
        &std::fs::read_to_string(&collector.config).expect("read"),
        None,
        &|_| None,
    )
    .expect("collector config");
    let h0 = fake.hits(Ep::Details);
    commands::history(direct, ALICE, None, 24, Format::Json)
        .await
        .expect("direct history");
    let per_fetch = fake.hits(Ep::Details) - h0;
    assert!(per_fetch >= 1);
    fake.fault(Ep::Details, Fault::Delay(Duration::from_secs(2)));
    let details_before = fake.hits(Ep::Details);
    let ask = || commands::history(viewer_config(&nats.url()), ALICE, None, 24, Format::Json);
    let (a, b, c) = tokio::join!(ask(), ask(), ask());
    for r in [a, b, c] {
        let doc: Value = serde_json::from_str(&r.expect("history")).expect("json");
        assert_eq!(doc["agent"]["id"], ALICE);
        assert!(
            doc["spans"]
                .as_array()
                .is_some_and(|s| s.iter().any(|x| x["state"] != "unknown")),
            "{doc}"
        );
    }
    let d = ask().await.expect("a fourth history");
    assert!(d.contains(ALICE));
    assert_eq!(
        fake.hits(Ep::Details) - details_before,
        per_fetch,
        "one vendor fetch for four askers"
    );
    assert_eq!(
        collector
            .log()
            .matches("history fetch for the viewers")
            .count(),
        1,
        "{}",
        collector.log()
    );

    // The board changes; the look-back still shows it as it was.
    fake.with(|s| {
        s.scenario.queues[0].live.media[0]
            .waiting_since
            .push(chrono::Utc::now())
    });
    for v in &mut viewers {
        v.until("4 waiting after the change", |s| live_with(s, 4))
            .await;
    }
    let viewer_file = dir.path().join("viewer.toml");
    std::fs::write(&viewer_file, viewer_toml(&nats.url())).expect("write");
    let at = |t: chrono::DateTime<chrono::Utc>| {
        let out = Command::new(env!("CARGO_BIN_EXE_queuetop"))
            .arg("--config")
            .arg(&viewer_file)
            .args([
                "--at",
                &t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                "snapshot",
                "--format",
                "json",
                "--log-file",
            ])
            .arg(dir.path().join("at.log"))
            .env("HOME", dir.path())
            .output()
            .expect("run");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
        doc["queues"]
            .as_array()
            .and_then(|qs| qs.iter().find(|q| q["name"] == "Support - Voice"))
            .and_then(|q| q["waiting"].as_u64())
    };
    assert_eq!(at(before_change + chrono::Duration::seconds(1)), Some(3));
    tokio::time::sleep(Duration::from_secs(2)).await; // --at is given to the second
    assert_eq!(at(chrono::Utc::now()), Some(4));
    assert!(
        collector.log().contains("published parts (JSON bytes)"),
        "{}",
        collector.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn viewers_tell_a_dead_collector_and_a_lost_link_apart_and_recover() {
    let mut nats = NatsServer::start();
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let mut collector = Collector::start(&fake, &nats, dir.path(), false);
    let mut v = Viewer::start(&nats.url());
    v.until("LIVE", |s| live_with(s, 3)).await;

    // The collector dies: the source goes OFFLINE, saying the collector is silent.
    collector.proc.kill();
    let s = v
        .until("OFFLINE for the collector", |s| {
            s.health.status == SourceStatus::Offline
                && error_of(s).contains("no word from the collector")
        })
        .await;
    assert!(!error_of(&s).contains("NATS at"), "{}", error_of(&s));
    assert!(!s.queues.is_empty(), "the last figures stay on screen");
    collector.restart();
    v.until("LIVE after the collector's restart", |s| live_with(s, 3))
        .await;

    // NATS goes away and comes back on the same port: the viewer's own link.
    nats.stop();
    v.until("OFFLINE for the link", |s| {
        s.health.status == SourceStatus::Offline && error_of(s).contains("no connection to NATS")
    })
    .await;
    nats.restart();
    v.until("LIVE after NATS came back", |s| live_with(s, 3))
        .await;

    // The vendor goes away: the collector says so, and the viewer relays it (the collector
    // itself is fine).
    fake.stop().await;
    let s = v
        .until("the vendor's trouble relayed", |s| {
            s.health.status != SourceStatus::Live && error_of(s).contains("at the collector")
        })
        .await;
    assert!(
        !error_of(&s).contains("no word from the collector"),
        "{}",
        error_of(&s)
    );
}

/// `/proc` figures of a process: CPU seconds (user + system) and peak / current RSS in KiB.
fn proc_figures(pid: u32) -> (f64, u64, u64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after = stat.rsplit_once(')').map(|x| x.1).unwrap_or_default();
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    let cpu = (ticks(11) + ticks(12)) / 100.0;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kib = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|x| x.parse().ok())
            .unwrap_or(0)
    };
    (cpu, kib("VmHWM:"), kib("VmRSS:"))
}

fn vendor_hits(fake: &FakeGenesys) -> u32 {
    fake.with(|s| s.hits.values().sum())
}

/// The closing note's measurement, not part of the suite: one collector and 50 viewers for
/// `QUEUETOP_MEASURE_SECS` (default 180), against a single queuetop polling the vendor
/// itself for a minute. Run:
/// `QUEUETOP_MEASURE_SECS=300 cargo test --release --test it measure_fifty -- --ignored --nocapture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn measure_fifty_viewers() {
    let secs: u64 = std::env::var("QUEUETOP_MEASURE_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(180);
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let dir = tempfile::tempdir().expect("tmp");

    // A single queuetop on its own, for a minute.
    let secret = dir.path().join("gc_secret");
    std::fs::write(&secret, CLIENT_SECRET).expect("write");
    let url = fake.url();
    let single = queuetop::config::parse(
        &format!(
            "timezone = \"UTC\"\n[[sources]]\nname = \"gc\"\nkind = \"genesys\"\napi_url = \"{url}\"\nlogin_url = \"{url}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret_file = \"{}\"\n",
            secret.display()
        ),
        None,
        &|_| None,
    )
    .expect("config");
    {
        let (_s, mut ev) = queuetop::source::spawn_all(&single).expect("spawn");
        let _ = tokio::time::timeout(Duration::from_secs(10), ev.recv()).await;
        let h0 = vendor_hits(&fake);
        let t0 = std::time::Instant::now();
        while t0.elapsed() < Duration::from_secs(60) {
            let _ = tokio::time::timeout(Duration::from_secs(1), ev.recv()).await;
        }
        println!(
            "single queuetop: {:.1} vendor requests/min",
            f64::from(vendor_hits(&fake) - h0) * 60.0 / t0.elapsed().as_secs_f64()
        );
    }

    // The collector (default refresh and heartbeat) and 50 viewers.
    let nats = NatsServer::start();
    let config = dir.path().join("collector.toml");
    std::fs::write(
        &config,
        format!(
            "timezone = \"UTC\"\n[[sources]]\nname = \"gc\"\nkind = \"genesys\"\napi_url = \"{url}\"\nlogin_url = \"{url}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret_file = \"{}\"\n",
            secret.display()
        ),
    )
    .expect("write");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_queuetop"));
    cmd.args(["serve", "--config"])
        .arg(&config)
        .args(["--nats", &nats.url(), "--centre", "acme", "--log-file"])
        .arg(home.join("serve.log"))
        .env("HOME", &home)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let collector = Proc(cmd.spawn().expect("serve"));
    let pid = collector.0.id();
    let toml = format!(
        "timezone = \"UTC\"\n[[sources]]\nname = \"acme\"\nkind = \"nats\"\nurl = \"{}\"\ncentre = \"acme\"\n",
        nats.url()
    );
    let cfg = queuetop::config::parse(&toml, None, &|_| None).expect("viewer");
    let delays = std::sync::Arc::new(std::sync::Mutex::new(Vec::<f64>::new()));
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (sources, mut ev) = queuetop::source::spawn_all(&cfg).expect("spawn");
        let delays = delays.clone();
        tasks.push(tokio::spawn(async move {
            let _keep = sources;
            let mut last = None;
            while let Some(e) = ev.recv().await {
                if let SourceEvent::Snapshot(s) = e
                    && s.health.status == SourceStatus::Live
                    && s.health.last_ok != last
                {
                    if last.is_some()
                        && let Some(t) = s.health.last_ok
                    {
                        let d = (chrono::Utc::now() - t).num_microseconds().unwrap_or(0);
                        delays.lock().expect("lock").push(d as f64 / 1000.0);
                    }
                    last = s.health.last_ok;
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_secs(10)).await;
    delays.lock().expect("lock").clear();
    let h0 = vendor_hits(&fake);
    let (cpu0, _, _) = proc_figures(pid);
    let t0 = std::time::Instant::now();
    tokio::time::sleep(Duration::from_secs(secs)).await;
    let el = t0.elapsed().as_secs_f64();
    let (cpu1, hwm, rss) = proc_figures(pid);
    let hits = vendor_hits(&fake) - h0;
    let mut d = delays.lock().expect("lock").clone();
    d.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| {
        d.get(((d.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    println!(
        "collector + 50 viewers for {el:.0} s: {:.1} vendor requests/min; {} updates seen; delay median {:.1} ms, p99 {:.1} ms, max {:.1} ms; collector CPU {:.1} % of one core, RSS {} KiB (peak {} KiB)",
        f64::from(hits) * 60.0 / el,
        d.len(),
        pct(0.5),
        pct(0.99),
        d.last().copied().unwrap_or(f64::NAN),
        (cpu1 - cpu0) * 100.0 / el,
        rss,
        hwm
    );
    let log = std::fs::read_to_string(home.join("serve.log")).unwrap_or_default();
    if let Some(l) = log.lines().find(|l| l.contains("published parts")) {
        println!("{l}");
    }
    for t in tasks {
        t.abort();
    }
    drop(collector);
}

#[test]
fn viewer_and_serve_configuration_is_checked_with_lines() {
    let parse =
        |t: &str| queuetop::config::parse(t, None, &|k| (k == "NATS_PW").then(|| "pw".into()));
    let e = parse("[[sources]]\nname = \"a\"\nkind = \"nats\"\nurl = \"nats://nats.example.com:4222\"\ncentre = \"acme\"\n")
        .expect_err("plain nats off loopback");
    assert_eq!(e.line, Some(4), "{e}");
    assert!(e.to_string().contains("tls://"), "{e}");
    let e = parse(
        "[[sources]]\nname = \"a\"\nkind = \"nats\"\nurl = \"tls://n:4222\"\ncentre = \"a.b\"\n",
    )
    .expect_err("centre");
    assert_eq!(e.line, Some(5), "{e}");
    let e = parse("[[sources]]\nname = \"a\"\nkind = \"nats\"\nurl = \"tls://n:4222\"\ncentre = \"a\"\npassword = \"x\"\nuser = \"u\"\n")
        .expect_err("inline password");
    assert!(e.to_string().contains("inline password refused"), "{e}");
    let c = parse("[serve]\nnats_url = \"tls://nats.example.com:4222\"\ncentre = \"acme\"\nmetrics = \"127.0.0.1:9464\"\nuser = \"wall\"\npassword_env = \"NATS_PW\"\n")
        .expect("serve");
    assert_eq!(c.serve.centre, "acme");
    assert!(format!("{:?}", c.serve).contains("Secret(***)"));
    assert!(!format!("{:?}", c.serve).contains("pw\""));
    let e = parse("[serve]\nmetrics = \"nowhere\"\n").expect_err("metrics");
    assert_eq!(e.line, Some(2), "{e}");
    let e = parse("[serve]\nfrobnicate = 1\n").expect_err("unknown key");
    assert!(e.to_string().contains("frobnicate"), "{e}");
}

#[test]
fn serve_refuses_a_viewer_and_check_config_says_what_it_would_publish() {
    let dir = tempfile::tempdir().expect("tmp");
    let viewer = dir.path().join("viewer.toml");
    std::fs::write(&viewer, viewer_toml("nats://127.0.0.1:4222")).expect("write");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_queuetop"))
            .args(args)
            .arg("--log-file")
            .arg(dir.path().join("q.log"))
            .env("HOME", dir.path())
            .env_remove("QUEUETOP_CONFIG")
            .output()
            .expect("run")
    };
    let out = run(&["serve", "--config", viewer.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is a viewer"));
    let out = run(&["--demo", "serve", "--nats", "nats://example.com:4222"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("tls://"));
    let out = run(&["--demo", "check-config"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("serve: centre default") && text.contains("queuetop.default.demo.queues"),
        "{text}"
    );
}
