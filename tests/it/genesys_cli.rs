//! `snapshot` and `history` against the fake Genesys Cloud, and one board fed by Genesys
//! and CXone at once.

use crate::support::fake_genesys::*;
use queuetop::cli::Format;
use queuetop::commands;
use serde_json::Value;

fn genesys_toml(url: &str, dir: &std::path::Path) -> String {
    let secret = dir.join("gc_secret");
    std::fs::write(&secret, CLIENT_SECRET).expect("write");
    format!(
        "[[sources]]\nname = \"gc\"\nkind = \"genesys\"\napi_url = \"{url}\"\nlogin_url = \"{url}\"\nclient_id = \"{CLIENT_ID}\"\nclient_secret_file = \"{}\"\n",
        secret.display()
    )
}

fn parse(text: &str) -> queuetop::config::Config {
    queuetop::config::parse(&format!("timezone = \"UTC\"\n{text}"), None, &|_| None)
        .expect("config")
}

fn queue<'a>(doc: &'a Value, name: &str) -> &'a Value {
    doc["queues"]
        .as_array()
        .expect("queues")
        .iter()
        .find(|q| q["name"] == name)
        .expect(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_json_has_the_platforms_numbers() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let text = commands::snapshot(parse(&genesys_toml(&fake.url(), dir.path())), Format::Json)
        .await
        .expect("snapshot");
    let doc: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(doc["sources"][0]["kind"], "genesys");
    assert_eq!(doc["sources"][0]["status"], "live");
    let q = queue(&doc, "Support - Voice");
    assert_eq!(q["media"], "voice");
    assert_eq!(q["waiting"], 3);
    let ages: Vec<f64> = q["waiting_ages_s"]
        .as_array()
        .expect("ages")
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    assert_eq!(ages.len(), 3);
    assert!(
        (ages[0] - 120.0).abs() < 2.0 && (ages[2] - 10.0).abs() < 2.0,
        "{ages:?}"
    );
    let a = &q["agents"];
    assert_eq!(
        (
            a["available"].clone(),
            a["busy"].clone(),
            a["not_responding"].clone()
        ),
        (1.into(), 1.into(), 0.into())
    );
    assert!(
        a["after_call_work"].is_null(),
        "Genesys has no ACW state: null, not 0"
    );
    assert_eq!(a["staffed"], 2);
    assert_eq!(q["today"]["offered"], 142);
    assert_eq!(q["today"]["answered"], 127);
    assert_eq!(q["today"]["abandoned"], 15);
    assert_eq!(q["sla"]["target"], 0.8);
    assert_eq!(q["sla"]["threshold_s"], 20.0);
    assert!(!text.contains(CLIENT_SECRET));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_json_covers_the_window() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let text = commands::history(
        parse(&genesys_toml(&fake.url(), dir.path())),
        ALICE,
        None,
        24,
        Format::Json,
    )
    .await
    .expect("history");
    let doc: Value = serde_json::from_str(&text).expect("json");
    assert_eq!(doc["agent"]["id"], ALICE);
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
        spans.iter().any(|s| s["state"] != "unknown"),
        "history came from the platform: {spans:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_carries_the_split_and_survives_its_failure() {
    let fake = FakeGenesys::start(Scenario::standard()).await;
    let dir = tempfile::tempdir().expect("tmp");
    let cfg = parse(&genesys_toml(&fake.url(), dir.path()));
    let text = commands::history(cfg.clone(), ALICE, None, 24, Format::Json)
        .await
        .expect("history");
    let doc: Value = serde_json::from_str(&text).expect("json");
    let split = &doc["handle_split"];
    assert_eq!(split["handled"], 27, "{split}");
    assert_eq!(split["hold_s"], 240.0, "{split}");
    assert!(split["error"].is_null(), "{split}");
    // The split's query fails past the retries (four attempts): the history is printed
    // all the same.
    for _ in 0..4 {
        fake.fault(Ep::UserAggregates, Fault::Status(500, None));
    }
    let text = commands::history(cfg.clone(), ALICE, None, 24, Format::Json)
        .await
        .expect("the history, without the split");
    let doc: Value = serde_json::from_str(&text).expect("json");
    assert!(!doc["spans"].as_array().expect("spans").is_empty());
    let split = &doc["handle_split"];
    for k in ["handled", "talk_s", "hold_s", "acw_s", "from"] {
        assert!(split[k].is_null(), "{k}: {split}");
    }
    assert!(
        split["error"].as_str().is_some_and(|e| e.contains("500")),
        "{split}"
    );
    fake.fault(Ep::UserAggregates, Fault::Malformed);
    let table = commands::history(cfg, ALICE, None, 24, Format::Table)
        .await
        .expect("table");
    let second = table.lines().nth(1).unwrap_or_default();
    assert!(
        second.starts_with("Today  handled — · talk — · hold — · ACW —  (unavailable: "),
        "{table}"
    );
    assert!(table.contains("START"), "{table}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn genesys_and_cxone_on_one_board() {
    let gc = FakeGenesys::start(Scenario::standard()).await;
    let cx = crate::support::fake_cxone::FakeCxone::start().await;
    crate::support::fake_cxone::seed_from_fixtures(&mut cx.s());
    let dir = tempfile::tempdir().expect("tmp");
    let cs = dir.path().join("cx_client");
    let ak = dir.path().join("cx_key");
    std::fs::write(&cs, crate::support::fake_cxone::CLIENT_SECRET).expect("write");
    std::fs::write(&ak, crate::support::fake_cxone::ACCESS_KEY_SECRET).expect("write");
    let toml = format!(
        "{}\n[[sources]]\nname = \"nice\"\nkind = \"cxone\"\nissuer = \"{}\"\nclient_id = \"{}\"\nclient_secret_file = \"{}\"\naccess_key_id = \"{}\"\naccess_key_secret_file = \"{}\"\n",
        genesys_toml(&gc.url(), dir.path()),
        cx.base,
        crate::support::fake_cxone::CLIENT_ID,
        cs.display(),
        crate::support::fake_cxone::ACCESS_KEY_ID,
        ak.display()
    );
    let cfg = std::sync::Arc::new(parse(&toml));
    let text = commands::snapshot((*cfg).clone(), Format::Json)
        .await
        .expect("snapshot");
    let doc: Value = serde_json::from_str(&text).expect("json");
    let kinds: Vec<&str> = doc["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter_map(|s| s["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["genesys", "cxone"]);
    assert!(
        doc["sources"]
            .as_array()
            .expect("sources")
            .iter()
            .all(|s| s["status"] == "live")
    );
    assert_eq!(queue(&doc, "Support - Voice")["source"], "gc");
    assert_eq!(queue(&doc, "CS_Billing_Voice")["source"], "nice");

    // The live board: both sources' queues on one screen.
    let (sources, mut events) = queuetop::source::spawn_all(&cfg).expect("spawn");
    let mut app = queuetop::app::App::new(cfg.clone(), chrono::Utc::now());
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(20);
    while app.model().sources.iter().any(|s| s.snapshot.is_none()) {
        let ev = tokio::time::timeout_at(deadline, events.recv())
            .await
            .expect("both sources report")
            .expect("open");
        queuetop::app::update(&mut app, queuetop::app::Msg::Source(ev));
    }
    drop(sources);
    let mut term =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(140, 30)).expect("term");
    term.draw(|f| queuetop::ui::draw(f, &app, &queuetop::ui::theme::Theme::COLOR))
        .expect("draw");
    let screen: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    for needle in [
        "Support - Voice · gc",
        "CS_Billing_Voice · nice",
        "gc",
        "nice",
        "LIVE",
    ] {
        assert!(screen.contains(needle), "{needle} on screen");
    }
}
