//! `snapshot` and `history` against the fake CXone server produce the INTERFACES.md JSON
//! with the platform's numbers.

use crate::support::fake_cxone::*;
use queuetop::cli::Format;
use queuetop::commands;
use serde_json::Value;

fn config_for(base: &str, dir: &std::path::Path) -> queuetop::config::Config {
    let cs = dir.join("client_secret");
    let ak = dir.join("access_key_secret");
    std::fs::write(&cs, CLIENT_SECRET).expect("write");
    std::fs::write(&ak, ACCESS_KEY_SECRET).expect("write");
    let text = format!(
        "timezone = \"UTC\"\n[[sources]]\nname = \"nice\"\nkind = \"cxone\"\nissuer = \"{base}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret_file = \"{}\"\naccess_key_id = \"{ACCESS_KEY_ID}\"\naccess_key_secret_file = \"{}\"\n",
        cs.display(),
        ak.display()
    );
    queuetop::config::parse(&text, None, &|_| None).expect("config")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_json_has_the_platforms_numbers() {
    let fake = FakeCxone::start().await;
    seed_from_fixtures(&mut fake.s());
    let dir = tempfile::tempdir().expect("tmp");
    let text = commands::snapshot(config_for(&fake.base, dir.path()), Format::Json)
        .await
        .expect("snapshot");
    let doc: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(doc["sources"][0]["name"], "nice");
    assert_eq!(doc["sources"][0]["kind"], "cxone");
    assert_eq!(doc["sources"][0]["status"], "live");
    let q = doc["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["name"] == "CS_Billing_Voice")
        .expect("billing");
    assert_eq!(q["id"], "11223344", "numeric ids are strings");
    assert_eq!(q["waiting"], 3);
    assert!(q["waiting_ages_s"].is_null(), "CXone gives only a count");
    assert_eq!(q["agents"]["available"], 3);
    assert_eq!(q["agents"]["busy"], 6);
    assert_eq!(q["agents"]["after_call_work"], 1);
    assert_eq!(q["agents"]["staffed"], 10);
    assert_eq!(q["today"]["offered"], 160);
    assert_eq!(q["today"]["abandoned"], 10);
    assert_eq!(q["today"]["answered_within_threshold"], 143);
    assert!((q["today"]["service_level"].as_f64().expect("sl") - 143.0 / 160.0).abs() < 1e-9);
    assert_eq!(q["sla"]["target"], 0.8, "the skill's own goal");
    assert_eq!(q["sla"]["threshold_s"], 30.0);
    // A skill with no row in today's report: null, never zero.
    let chat = doc["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["name"] == "CS_Chat")
        .expect("chat");
    assert!(chat["today"]["offered"].is_null());
    assert!(chat["today"]["service_level"].is_null());
    assert!(
        doc["agents"]
            .as_array()
            .expect("agents")
            .iter()
            .any(|a| a["state"] == "after_call_work")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_json_covers_the_window() {
    let fake = FakeCxone::start().await;
    seed_from_fixtures(&mut fake.s());
    let dir = tempfile::tempdir().expect("tmp");
    let text = commands::history(
        config_for(&fake.base, dir.path()),
        "39260751",
        None,
        24,
        Format::Json,
    )
    .await
    .expect("history");
    let doc: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(doc["source"], "nice");
    assert_eq!(doc["agent"]["id"], "39260751");
    let spans = doc["spans"].as_array().expect("spans");
    assert_eq!(spans[0]["start"], doc["from"]);
    assert_eq!(spans.last().expect("last")["end"], doc["to"]);
    for w in spans.windows(2) {
        assert_eq!(w[0]["end"], w[1]["start"]);
    }
    let total: f64 = doc["totals_s"]
        .as_object()
        .expect("totals")
        .values()
        .filter_map(Value::as_f64)
        .sum();
    assert!((total - 86_400.0).abs() < 1.0, "{total}");
    assert!(
        !fake.calls("/state-history").is_empty(),
        "history came from the platform"
    );
    let split = &doc["handle_split"];
    assert_eq!(split["handled"], 30, "{split}");
    assert_eq!(split["acw_s"], 1266.0, "{split}");
    assert!(split["hold_s"].is_null(), "CXone gives no hold: {split}");
    assert!(split["error"].is_null(), "{split}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_of_a_dead_platform_exits_1() {
    let fake = FakeCxone::start().await;
    fake.s().down = true;
    let dir = tempfile::tempdir().expect("tmp");
    let r = commands::snapshot(config_for(&fake.base, dir.path()), Format::Json).await;
    let e = r.expect_err("must fail");
    assert_eq!(e.code, 1);
    // The snapshot is still printed, with the source's status and why.
    let doc: Value = serde_json::from_str(e.stdout.as_deref().expect("printed")).expect("json");
    assert_eq!(doc["sources"][0]["status"], "offline");
    assert!(doc["sources"][0]["error"].is_string());
    assert!(!e.message.contains(ACCESS_KEY_SECRET) && !e.message.contains(CLIENT_SECRET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_against_a_dead_platform_exits_1_with_its_error() {
    let fake = FakeCxone::start().await;
    fake.s().down = true;
    let dir = tempfile::tempdir().expect("tmp");
    let r = commands::history(
        config_for(&fake.base, dir.path()),
        "anyone",
        None,
        24,
        Format::Json,
    )
    .await;
    let e = r.expect_err("must fail");
    assert_eq!(
        e.code, 1,
        "a runtime failure, not a usage error: {}",
        e.message
    );
    assert!(
        !e.message.contains("no agent matches") && e.message.contains("nice"),
        "{}",
        e.message
    );
    assert!(
        e.message.contains("503"),
        "the source's error: {}",
        e.message
    );
    assert!(!e.message.contains(ACCESS_KEY_SECRET) && !e.message.contains(CLIENT_SECRET));
}
