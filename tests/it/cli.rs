//! The real binary: JSON contracts, exit codes, messages.

use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

fn queuetop(args: &[&str]) -> Output {
    let home = tempfile::tempdir().expect("tmp");
    Command::new(env!("CARGO_BIN_EXE_queuetop"))
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env_remove("QUEUETOP_CONFIG")
        .output()
        .expect("run queuetop")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

const STATES: [&str; 7] = [
    "available",
    "busy",
    "after_call_work",
    "not_responding",
    "unavailable",
    "offline",
    "unknown",
];

fn is_rfc3339(v: &Value) -> bool {
    v.as_str()
        .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok() && s.ends_with('Z'))
}

fn rate(v: &Value) -> bool {
    v.is_null() || v.as_f64().is_some_and(|x| (0.0..=1.0).contains(&x))
}

#[test]
fn snapshot_json_matches_the_contract() {
    let doc = json(&queuetop(&["snapshot", "--demo", "--format", "json"]));
    assert!(is_rfc3339(&doc["generated_at"]));
    let src = &doc["sources"][0];
    assert_eq!(src["name"], "demo");
    assert_eq!(src["kind"], "demo");
    assert_eq!(src["status"], "live");
    assert!(is_rfc3339(&src["fetched_at"]));
    assert!(src["error"].is_null());
    let queues = doc["queues"].as_array().expect("queues");
    assert!((8..=14).contains(&queues.len()));
    for q in queues {
        for k in ["source", "id", "name", "media"] {
            assert!(q[k].is_string(), "{k} in {q}");
        }
        assert!(
            [
                "voice", "chat", "email", "message", "callback", "mixed", "other"
            ]
            .contains(&q["media"].as_str().unwrap_or(""))
        );
        let waiting = q["waiting"].as_u64().expect("demo knows waiting");
        let ages = q["waiting_ages_s"].as_array().expect("demo knows ages");
        assert_eq!(ages.len() as u64, waiting);
        let ages: Vec<f64> = ages.iter().map(|a| a.as_f64().expect("number")).collect();
        assert!(ages.windows(2).all(|w| w[0] >= w[1]), "oldest first");
        assert!(q["longest_wait_s"].as_f64().is_some());
        let a = &q["agents"];
        let parts: u64 = ["available", "busy", "after_call_work", "not_responding"]
            .iter()
            .map(|k| a[*k].as_u64().expect(k))
            .sum();
        assert_eq!(
            a["staffed"].as_u64(),
            Some(parts),
            "staffed = available + busy + acw + not responding"
        );
        for k in ["unavailable", "offline"] {
            assert!(a[k].is_u64());
        }
        let t = &q["today"];
        for k in [
            "offered",
            "answered",
            "abandoned",
            "answered_within_threshold",
        ] {
            assert!(t[k].is_u64(), "today.{k}");
        }
        for k in ["service_level", "abandon_rate"] {
            assert!(rate(&t[k]), "today.{k} = {}", t[k]);
        }
        for k in ["asa_s", "aht_s"] {
            assert!(t[k].is_null() || t[k].as_f64().is_some_and(|x| x >= 0.0));
        }
        let s = &q["sla"];
        assert!(rate(&s["target"]) && s["threshold_s"].as_f64().is_some());
        assert!(
            [
                "offered",
                "ignore_abandons_within_t",
                "abandons_positive",
                "answered"
            ]
            .contains(&s["variant"].as_str().unwrap_or(""))
        );
        // null only where the engine lacks an input (e.g. no handle time yet after midnight).
        assert!(
            s["status"].is_null()
                || [
                    "GREEN", "AMBER", "RED", "MET", "BREACHED", "NO_CALLS", "CLOSED"
                ]
                .contains(&s["status"].as_str().unwrap_or("")),
            "{s}"
        );
        for k in ["current_sl", "projected_sl", "breach_probability"] {
            assert!(rate(&s[k]), "sla.{k}");
        }
        for k in ["required_agents", "staffing_gap"] {
            assert!(s.get(k).is_some(), "sla.{k} present (maybe null)");
        }
    }
    let agents = doc["agents"].as_array().expect("agents");
    assert!((60..=120).contains(&agents.len()));
    for a in agents {
        assert!(STATES.contains(&a["state"].as_str().unwrap_or("")));
        assert!(a["id"].is_string() && a["name"].is_string() && a["queues"].is_array());
        assert!(is_rfc3339(&a["since"]));
    }
}

#[test]
fn snapshot_table_is_readable() {
    let out = queuetop(&["snapshot", "--demo"]);
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("QUEUE") && s.contains("Sales") && s.contains("source demo (demo): live"),
        "{s}"
    );
}

fn check_history(doc: &Value, hours: i64) {
    let from =
        chrono::DateTime::parse_from_rfc3339(doc["from"].as_str().expect("from")).expect("rfc3339");
    let to =
        chrono::DateTime::parse_from_rfc3339(doc["to"].as_str().expect("to")).expect("rfc3339");
    assert_eq!((to - from).num_hours(), hours);
    let spans = doc["spans"].as_array().expect("spans");
    assert!(!spans.is_empty());
    assert_eq!(spans[0]["start"], doc["from"]);
    assert_eq!(spans.last().expect("last")["end"], doc["to"]);
    for w in spans.windows(2) {
        assert_eq!(w[0]["end"], w[1]["start"], "contiguous");
    }
    for s in spans {
        assert!(STATES.contains(&s["state"].as_str().unwrap_or("")));
        assert!(is_rfc3339(&s["start"]) && is_rfc3339(&s["end"]));
    }
    let total: f64 = doc["totals_s"]
        .as_object()
        .expect("totals")
        .values()
        .map(|v| v.as_f64().expect("number"))
        .sum();
    assert!(
        (total - (to - from).num_seconds() as f64).abs() < 1.0,
        "totals sum to the window: {total}"
    );
}

#[test]
fn history_json_for_several_agents() {
    for (agent, hours) in [
        ("a-001", "24"),
        ("Grace Hopper", "24"),
        ("a-045", "6"),
        ("noor", "48"),
    ] {
        let doc = json(&queuetop(&[
            "history", "--demo", "--agent", agent, "--hours", hours, "--format", "json",
        ]));
        assert_eq!(doc["source"], "demo");
        assert!(doc["agent"]["id"].is_string() && doc["agent"]["name"].is_string());
        check_history(&doc, hours.parse().expect("n"));
        // The demo's split: its own calls, no holds (a true 0), whatever --hours says.
        let split = &doc["handle_split"];
        assert!(split["handled"].is_u64(), "{split}");
        assert!(
            split["talk_s"].is_f64() && split["acw_s"].is_f64(),
            "{split}"
        );
        assert_eq!(split["hold_s"], 0.0, "{split}");
        assert!(split["error"].is_null() && split["doubts"] == serde_json::json!([]));
        // Local midnight (the machine's zone here) before `to`.
        let at = |k: &Value| {
            chrono::DateTime::parse_from_rfc3339(k.as_str().expect("time")).expect("rfc3339")
        };
        let since = at(&doc["to"]) - at(&split["from"]);
        assert!(since >= chrono::Duration::zero(), "{split}");
        assert!(since <= chrono::Duration::hours(25), "{split}");
    }
}

#[test]
fn history_agent_not_found_or_ambiguous_exits_2() {
    let out = queuetop(&["history", "--demo", "--agent", "Grace Hoper"]);
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("no agent matches") && e.contains("Grace Hopper"),
        "close matches listed: {e}"
    );
    let out = queuetop(&["history", "--demo", "--agent", "an"]);
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(e.contains("matches") && e.contains("agents:"), "{e}");
    let out = queuetop(&["history", "--demo", "--agent", "a-001", "--source", "nope"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn config_errors_exit_2_with_file_and_line() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("bad.toml");
    std::fs::write(&p, "refresh = \"5s\"\nbogus = 1\n").expect("write");
    let out = queuetop(&["check-config", "--config", p.to_str().expect("utf8")]);
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("bad.toml") && e.contains("line 2") && e.contains("hint"),
        "{e}"
    );
    let out = queuetop(&["snapshot", "--config", "/nonexistent/q.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let out = queuetop(&["--refresh", "soon", "snapshot"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_config_shows_what_is_used_without_secrets() {
    let dir = tempfile::tempdir().expect("tmp");
    let p = dir.path().join("q.toml");
    let secret = dir.path().join("secret");
    std::fs::write(&secret, "top-secret-value\n").expect("write");
    std::fs::write(
        &p,
        format!("[[sources]]\nname = \"gc\"\nkind = \"genesys\"\nregion = \"mypurecloud.ie\"\nclient_id = \"abc\"\nclient_secret_file = \"{}\"\n", secret.display()),
    )
    .expect("write");
    let out = queuetop(&["check-config", "--config", p.to_str().expect("utf8")]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        s.contains("https://api.mypurecloud.ie") && s.contains("hidden"),
        "{s}"
    );
    assert!(s.contains("push auto"), "{s}");
    assert!(!s.contains("top-secret-value"));
    let out = queuetop(&["check-config"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("demo"));
}

#[test]
fn version_shows_paths_and_flags_work_after_subcommand() {
    let out = queuetop(&["--version"]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(
        s.contains("queuetop ") && s.contains("config:") && s.contains("log:"),
        "{s}"
    );
    let out = queuetop(&["snapshot", "--format", "json", "--demo", "--seed", "3"]);
    assert!(out.status.success());
}

#[test]
fn erlang_json_table_and_bad_input() {
    let doc = json(&queuetop(&[
        "erlang",
        "--calls-per-hour",
        "600",
        "--aht",
        "240",
        "--agents",
        "50",
        "--threshold",
        "20",
        "--target",
        "0.8",
        "--format",
        "json",
    ]));
    assert_eq!(doc["traffic_erlangs"], 40.0);
    assert_eq!(doc["required_agents"], 46);
    assert_eq!(doc["stable"], true);
    let keys: Vec<&str> = doc
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    for k in [
        "calls_per_hour",
        "aht_s",
        "agents",
        "threshold_s",
        "traffic_erlangs",
        "prob_wait",
        "service_level",
        "asa_s",
        "occupancy",
        "stable",
        "target",
        "required_agents",
    ] {
        assert!(keys.contains(&k), "{k}");
    }
    // Unstable convention, and no target fields without --target.
    let doc = json(&queuetop(&[
        "erlang",
        "--calls-per-hour",
        "600",
        "--aht",
        "240",
        "--agents",
        "40",
        "--threshold",
        "20",
        "--format",
        "json",
    ]));
    assert_eq!(
        (
            doc["stable"].clone(),
            doc["prob_wait"].clone(),
            doc["service_level"].clone(),
            doc["occupancy"].clone()
        ),
        (Value::Bool(false), 1.0.into(), 0.0.into(), 1.0.into())
    );
    assert!(doc["asa_s"].is_null());
    assert!(doc.get("target").is_none() && doc.get("required_agents").is_none());
    let out = queuetop(&[
        "erlang",
        "--calls-per-hour",
        "600",
        "--aht",
        "240",
        "--agents",
        "50",
        "--threshold",
        "20",
        "--target",
        "0.8",
    ]);
    let s = String::from_utf8_lossy(&out.stdout);
    assert!(s.contains("Required agents") && s.contains("46"), "{s}");
    for bad in [
        vec![
            "--calls-per-hour",
            "-1",
            "--aht",
            "240",
            "--agents",
            "5",
            "--threshold",
            "20",
        ],
        vec![
            "--calls-per-hour",
            "10",
            "--aht",
            "240",
            "--agents",
            "0",
            "--threshold",
            "20",
        ],
        vec![
            "--calls-per-hour",
            "10",
            "--aht",
            "240",
            "--agents",
            "5",
            "--threshold",
            "20",
            "--target",
            "1.5",
        ],
        vec![
            "--calls-per-hour",
            "10",
            "--aht",
            "0",
            "--agents",
            "5",
            "--threshold",
            "20",
        ],
    ] {
        let mut args = vec!["erlang"];
        args.extend(bad.iter());
        let out = queuetop(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(!out.stderr.is_empty());
    }
}

#[test]
fn history_bad_hours_and_empty_agent_are_clear_usage_errors() {
    for hours in ["-1", "0", "49", "-100000000000"] {
        let out = queuetop(&["history", "--demo", "--agent", "a-001", "--hours", hours]);
        assert_eq!(out.status.code(), Some(2), "--hours {hours}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(
            e.contains("--hours must be between 1 and 48") && e.contains(&format!("(got {hours})")),
            "{e}"
        );
        assert!(!e.contains("unexpected argument"), "{e}");
    }
    for agent in ["", "   "] {
        let out = queuetop(&["history", "--demo", "--agent", agent]);
        assert_eq!(out.status.code(), Some(2), "--agent {agent:?}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(e.contains("--agent needs an agent id or name"), "{e}");
        assert!(out.stdout.is_empty(), "no agent list printed");
    }
}

#[test]
fn an_unwritable_log_file_is_said_not_silently_dropped() {
    let dir = tempfile::tempdir().expect("tmp");
    let file = dir.path().join("plain");
    std::fs::write(&file, "x").expect("write");
    let under_a_file = file.join("q.log");
    for log in [dir.path().to_path_buf(), under_a_file] {
        let log = log.to_str().expect("utf8").to_string();
        let out = queuetop(&["snapshot", "--demo", "--log-file", &log]);
        assert!(out.status.success(), "the command still runs");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(
            e.contains(&format!("cannot write the log file {log}")) && e.contains("logging is off"),
            "{e}"
        );
    }
    let ok = dir.path().join("logs").join("q.log");
    let out = queuetop(&[
        "snapshot",
        "--demo",
        "--log-file",
        ok.to_str().expect("utf8"),
    ]);
    assert!(out.status.success() && out.stderr.is_empty());
    assert!(ok.exists());
}

#[test]
fn check_config_loads_the_demo_scenario() {
    let dir = tempfile::tempdir().expect("tmp");
    let missing = dir.path().join("nowhere.toml");
    let broken = dir.path().join("broken.toml");
    std::fs::write(&broken, "name = 3\n").expect("write");
    for scenario in [&missing, &broken] {
        let p = dir.path().join("q.toml");
        std::fs::write(
            &p,
            format!(
                "[[sources]]\nname = \"demo\"\nkind = \"demo\"\nscenario = \"{}\"\n",
                scenario.display()
            ),
        )
        .expect("write");
        let out = queuetop(&["check-config", "--config", p.to_str().expect("utf8")]);
        assert_eq!(out.status.code(), Some(2), "{}", scenario.display());
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(e.contains(&scenario.display().to_string()), "{e}");
    }
    let good = dir.path().join("good.toml");
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo/centre.toml"),
        &good,
    )
    .expect("copy");
    let p = dir.path().join("q.toml");
    std::fs::write(
        &p,
        format!(
            "[[sources]]\nname = \"demo\"\nkind = \"demo\"\nscenario = \"{}\"\n",
            good.display()
        ),
    )
    .expect("write");
    let out = queuetop(&["check-config", "--config", p.to_str().expect("utf8")]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server on 127.0.0.1 that accepts connections and never answers; its base URL.
fn hanging_server() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming().flatten() {
            held.push(conn);
        }
    });
    format!("http://{addr}")
}

/// A configuration file with a Genesys source at `url` (and the demo too when `with_demo`).
fn hanging_config(dir: &std::path::Path, url: &str, with_demo: bool) -> String {
    let secret = dir.join("secret");
    std::fs::write(&secret, "not-a-real-secret").expect("write");
    let mut text = String::new();
    if with_demo {
        text.push_str("[[sources]]\nname = \"demo\"\nkind = \"demo\"\n");
    }
    text.push_str(&format!(
        "[[sources]]\nname = \"gc\"\nkind = \"genesys\"\napi_url = \"{url}\"\nlogin_url = \"{url}\"\nclient_id = \"abc\"\nclient_secret_file = \"{}\"\n",
        secret.display()
    ));
    let p = dir.join(if with_demo { "both.toml" } else { "gc.toml" });
    std::fs::write(&p, text).expect("write");
    p.to_str().expect("utf8").to_string()
}

fn queuetop_with_deadline(args: &[&str], deadline: &str) -> (Output, Duration) {
    let home = tempfile::tempdir().expect("tmp");
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_queuetop"))
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_STATE_HOME", home.path().join("state"))
        .env_remove("QUEUETOP_CONFIG")
        .env("QUEUETOP_CLI_DEADLINE", deadline)
        .output()
        .expect("run queuetop");
    (out, start.elapsed())
}

#[test]
fn snapshot_and_history_give_up_on_a_hanging_server() {
    let url = hanging_server();
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = hanging_config(dir.path(), &url, false);
    for args in [
        vec!["snapshot", "--config", &cfg, "--format", "json"],
        vec!["history", "--config", &cfg, "--agent", "ada"],
    ] {
        let (out, took) = queuetop_with_deadline(&args, "3s");
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let e = String::from_utf8_lossy(&out.stderr);
        assert!(
            e.contains("no answer from source \"gc\" within 3 s"),
            "{args:?}: {e}"
        );
        // Generous: the point is that it ends, not how fast.
        assert!(took < Duration::from_secs(25), "{args:?} took {took:?}");
    }
    let (out, _) = queuetop_with_deadline(&["snapshot", "--config", &cfg], "soon");
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bad deadline is a usage error"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("QUEUETOP_CLI_DEADLINE"));
}

#[test]
fn snapshot_with_some_sources_not_live_prints_and_exits_3() {
    let url = hanging_server();
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = hanging_config(dir.path(), &url, true);
    let (out, _) =
        queuetop_with_deadline(&["snapshot", "--config", &cfg, "--format", "json"], "3s");
    assert_eq!(out.status.code(), Some(3));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("the snapshot is printed");
    let sources = doc["sources"].as_array().expect("sources");
    assert_eq!(sources[0]["name"], "demo");
    assert_eq!(sources[0]["status"], "live");
    assert!(sources[0]["error"].is_null());
    assert_eq!(sources[1]["name"], "gc");
    assert_eq!(sources[1]["status"], "offline");
    assert!(
        sources[1]["error"]
            .as_str()
            .is_some_and(|e| e.contains("within 3 s")),
        "the reason: {}",
        sources[1]
    );
    assert!(!doc["queues"].as_array().expect("queues").is_empty());
    let e = String::from_utf8_lossy(&out.stderr);
    assert!(
        e.contains("not every source is live") && e.contains("gc"),
        "{e}"
    );
    let (out, _) = queuetop_with_deadline(&["snapshot", "--config", &cfg], "3s");
    assert_eq!(out.status.code(), Some(3), "the table too");
    assert!(String::from_utf8_lossy(&out.stdout).contains("source gc (genesys): offline"));
}

#[test]
fn at_names_one_moment_of_the_demo_for_every_process() {
    let at = "2026-12-02T09:45:00Z";
    let args = ["snapshot", "--demo", "--at", at, "--format", "json"];
    let a = queuetop(&args);
    std::thread::sleep(Duration::from_millis(1100));
    let b = queuetop(&args);
    let doc = json(&a);
    assert_eq!(doc["generated_at"], at);
    assert_eq!(
        String::from_utf8_lossy(&a.stdout),
        String::from_utf8_lossy(&b.stdout)
    );
    let agent = doc["agents"][0]["id"]
        .as_str()
        .expect("an agent")
        .to_string();
    let h = [
        "history", "--demo", "--at", at, "--agent", &agent, "--format", "json",
    ];
    let h1 = queuetop(&h);
    let h2 = queuetop(&h);
    let doc = json(&h1);
    assert_eq!(doc["to"], at);
    assert_eq!(h1.stdout, h2.stdout);
    // Not an instant: a usage error that says how to write one.
    let bad = queuetop(&["snapshot", "--demo", "--at", "9:45"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("RFC 3339"));
}
