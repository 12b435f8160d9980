//! Every CXone fixture parses, and the mappings give the figures the fixtures imply.

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use queuetop::domain::{AgentState, Media};
use queuetop::source::cxone::agents::AgentStore;
use queuetop::source::cxone::history::spans;
use queuetop::source::cxone::skills::{
    QueueFilter, SkillStore, TodayStore, build_queues, queue_today,
};
use queuetop::source::cxone::wire::*;

fn fixture(rel: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/cxone")
        .join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn parse<T: serde::de::DeserializeOwned>(rel: &str) -> T {
    serde_json::from_str(&fixture(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn t(s: &str) -> DateTime<Utc> {
    parse_time(s).expect("test timestamp")
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

#[test]
fn auth_fixtures_parse() {
    let oidc: OpenIdConfiguration = parse("auth/openid-configuration.json");
    assert_eq!(
        oidc.token_endpoint.as_deref(),
        Some("https://cxone.niceincontact.com/auth/token")
    );
    let disc: CxoneConfiguration = parse("auth/cxone-configuration.json");
    assert_eq!(
        disc.api_endpoint.as_deref(),
        Some("https://api-na1.niceincontact.com")
    );
    assert_eq!(
        disc.tenant_id.as_deref(),
        Some("11ee215a-6f6c-f950-bab6-0242ac110003")
    );
    for f in [
        "auth/token_response.json",
        "auth/userhub_access_key_token_response.json",
        "auth/legacy_incontact_token_response.json",
    ] {
        let tok: TokenResponse = parse(f);
        assert!(tok.access_token.is_some(), "{f}");
        assert_eq!(tok.expires_in, Some(3600.0), "{f}");
        // Debug never shows the token.
        let dbg = format!("{tok:?}");
        assert!(
            !dbg.contains(tok.access_token.as_deref().unwrap_or("-")),
            "{f}"
        );
    }
    for f in [
        "auth/token_error_400.json",
        "errors/auth_token_400.json",
        "errors/acd_400_invalid_date_range.json",
        "errors/acd_401_expired_token.json",
        "errors/acd_403_forbidden.json",
        "errors/admin_v34_error_shape.json",
    ] {
        let e: ErrorBody = parse(f);
        assert!(e.text().is_some(), "{f}");
    }
    let e: ErrorBody = parse("errors/admin_v34_error_shape.json");
    assert_eq!(e.text(), Some("Invalid parameter: top"));
}

#[test]
fn tenant_id_from_fixture_jwt() {
    let tok: TokenResponse = parse("auth/token_response.json");
    let claims =
        queuetop::source::cxone::auth::jwt_claims(tok.access_token.as_deref().unwrap_or(""))
            .expect("claims");
    assert_eq!(
        claims.tenant_id.as_deref(),
        Some("11ee215a-6f6c-f950-bab6-0242ac110003")
    );
    let idc = queuetop::source::cxone::auth::jwt_claims(tok.id_token.as_deref().unwrap_or(""))
        .expect("id claims");
    assert_eq!(idc.iss.as_deref(), Some("https://cxone.niceincontact.com"));
}

#[test]
fn skills_activity_full_maps_exactly() {
    let resp: SkillActivityResponse = parse("realtime/skills_activity_full.json");
    let (rows, poll) = resp.into_parts();
    assert_eq!(rows.len(), 5);
    let mut store = SkillStore::default();
    store.merge(rows, poll);
    assert_eq!(store.poll_time.as_deref(), Some("2025-03-14T15:02:11.447Z"));
    let queues = build_queues(
        &store,
        &TodayStore::default(),
        None,
        &QueueFilter::new(&[]).expect("filter"),
    );
    assert_eq!(queues.len(), 5);
    let q = |name: &str| queues.iter().find(|q| q.name == name).expect(name);

    let billing = q("CS_Billing_Voice");
    assert_eq!(billing.id, "11223344");
    assert_eq!(billing.media, Media::Voice);
    assert_eq!(billing.live.waiting, Some(3));
    assert!(close(billing.live.longest_wait_s, 82.327));
    assert_eq!(billing.live.waiting_ages_s, None);
    assert_eq!(
        billing.live.observed_at,
        Some(t("2025-03-14T15:02:11.447Z"))
    );
    assert_eq!(billing.live.agents.available, Some(3));
    assert_eq!(billing.live.agents.busy, Some(6));
    assert_eq!(billing.live.agents.after_call_work, Some(1));
    // 3 unavailable include the 1 in ACW (agentsLoggedIn 12 = 3 available + 6 working + 3).
    assert_eq!(billing.live.agents.unavailable, Some(2));
    assert_eq!(billing.live.agents.offline, None);
    let o = billing.vendor_objective.expect("objective");
    assert!((o.target - 0.8).abs() < 1e-9 && (o.threshold_s - 30.0).abs() < 1e-9);

    let chat = q("CS_Chat");
    assert_eq!(chat.media, Media::Chat);
    assert_eq!(chat.live.waiting, Some(0));
    assert_eq!(chat.live.longest_wait_s, Some(0.0));

    let email = q("CS_Email");
    assert_eq!(email.media, Media::Email);
    assert!(close(email.live.longest_wait_s, 11_525.009));
    assert!(
        q("OB_Collections").vendor_objective.is_none(),
        "0/0 objective = none"
    );
}

#[test]
fn skills_activity_delta_and_legacy_wrapper() {
    let mut store = SkillStore::default();
    let (rows, poll) =
        parse::<SkillActivityResponse>("realtime/skills_activity_full.json").into_parts();
    store.merge(rows, poll);
    let (rows, poll) =
        parse::<SkillActivityResponse>("realtime/skills_activity_delta.json").into_parts();
    assert_eq!(rows.len(), 1);
    store.merge(rows, poll);
    assert_eq!(store.len(), 5);
    assert_eq!(store.poll_time.as_deref(), Some("2025-03-14T15:02:16.460Z"));
    assert_eq!(store.get("11223345").and_then(|r| r.queue_count), Some(8));

    let (rows, poll) =
        parse::<SkillActivityResponse>("realtime/skills_activity_legacy_v8_resultset.json")
            .into_parts();
    assert_eq!(rows.len(), 2);
    assert_eq!(poll.as_deref(), Some("2025-03-14T15:02:11.447Z"));
    // v8 rows have no earliestQueueTime: waiting known, longest wait unknown (not 0).
    let q = queuetop::source::cxone::skills::queue_live(&rows[0], None);
    assert_eq!(q.waiting, Some(3));
    assert_eq!(q.longest_wait_s, None);
}

#[test]
fn agents_states_map_every_state() {
    let (rows, poll) =
        parse::<AgentStatesResponse>("realtime/agents_states_full.json").into_parts();
    assert_eq!(rows.len(), 8);
    let mut store = AgentStore::default();
    store.merge(rows, poll);
    let agents = store.agents();
    let a = |name: &str| agents.iter().find(|a| a.name == name).expect(name);
    let expect = [
        ("Ana Lopez", AgentState::Available, "Available"),
        ("Ben Ortiz", AgentState::Busy, "InboundContact"),
        ("Cara Nguyen", AgentState::Unavailable, "Unavailable/Lunch"),
        (
            "Dev Patel",
            AgentState::AfterCallWork,
            "Unavailable/After Call Work",
        ),
        ("Eli Kim", AgentState::Busy, "OutboundContact"),
        ("Fay Chen", AgentState::Offline, "LoggedOut"),
        ("Gus Roy", AgentState::NotResponding, "Unavailable/Refused"),
        ("Hana Ito", AgentState::Unavailable, "LoggedIn"),
    ];
    for (name, state, reason) in expect {
        assert_eq!(a(name).state, state, "{name}");
        assert_eq!(a(name).reason.as_deref(), Some(reason), "{name}");
    }
    assert_eq!(a("Ben Ortiz").id, "39260751");
    assert_eq!(a("Ben Ortiz").since, Some(t("2025-03-14T15:00:05.947Z")));
    assert_eq!(a("Ben Ortiz").queues, vec!["11223344".to_string()]);
    assert!(store.acw_codes.contains(&14));

    // Delta: Dev goes Available; he keeps the skill he was seen on.
    let (rows, poll) =
        parse::<AgentStatesResponse>("realtime/agents_states_delta.json").into_parts();
    store.merge(rows, poll);
    assert_eq!(store.poll_time.as_deref(), Some("2025-03-14T15:02:16.460Z"));
    let agents = store.agents();
    let dev = agents.iter().find(|a| a.id == "39260753").expect("dev");
    assert_eq!(dev.state, AgentState::Available);
    assert_eq!(dev.queues, vec!["11223345".to_string()]);
    assert_eq!(agents.len(), 8);
}

#[test]
fn pascal_case_agent_row_2015() {
    let body = r#"{"agentStates":[{"AgentId":293558,"AgentStateId":1,"AgentStateName":"Available",
        "ContactId":null,"IsACW":false,"OutStateId":null,"SkillId":0,"FirstName":"Old","LastName":"Shape"}]}"#;
    let (rows, _) = serde_json::from_str::<AgentStatesResponse>(body)
        .expect("parse")
        .into_parts();
    assert_eq!(rows[0].agent_id.as_deref(), Some("293558"));
    assert_eq!(rows[0].agent_state_id, Some(1));
    assert_eq!(rows[0].is_acw, Some(false));
}

#[test]
fn today_from_summary_and_sla_both_shapes() {
    let summary: SkillSummaryResponse = parse("reporting/skills_summary.json");
    let legacy: SkillSummaryResponse =
        parse("reporting/skills_summary_v11_legacy_numeric_seconds.json");
    let sla: SlaSummaryResponse = parse("reporting/skills_sla_summary.json");
    let sla_pascal: SlaSummaryResponse = parse("reporting/skills_sla_summary_spec_pascalcase.json");
    let at = t("2025-03-14T15:02:11.447Z");
    let sla_rows = sla.service_level_summaries.unwrap_or_default();
    let pascal_rows = sla_pascal.service_level_summaries.unwrap_or_default();
    assert_eq!(
        sla_rows, pascal_rows,
        "camelCase and PascalCase give the same rows"
    );

    let rows = summary.rows();
    assert_eq!(rows.len(), 3);
    let billing = rows
        .iter()
        .find(|r| r.skill_id.as_deref() == Some("11223344"))
        .expect("billing");
    let s = sla_rows
        .iter()
        .find(|r| r.skill_id.as_deref() == Some("11223344"));
    let today = queue_today(Some(billing), s, Some(at));
    assert_eq!(today.offered, Some(160));
    assert_eq!(today.handled, Some(150));
    assert_eq!(today.answered, Some(150));
    assert_eq!(today.abandoned, Some(10));
    assert_eq!(today.answered_within_threshold, Some(143));
    assert!(close(today.service_level, 143.0 / 160.0));
    assert!(close(today.abandon_rate, 10.0 / 160.0));
    assert!(close(today.asa_s, 21.4));
    assert!(close(today.aht_s, 362.113));
    assert!(close(today.handle_time_total_s, 362.113 * 150.0));
    assert_eq!(today.abandoned_within_threshold, None);

    let lrows = legacy.rows();
    let l = queue_today(lrows.first(), None, Some(at));
    assert!(close(l.aht_s, 362.0));
    assert!(close(l.asa_s, 21.0));
    // No sla-summary: unknown. The summary's own pair counts another population and is
    // never mixed in (one service-level definition per screen).
    assert_eq!(l.service_level, None);

    // Outbound: 0 offered → no abandon rate, no SL (never an invented 0).
    let ob = rows
        .iter()
        .find(|r| r.skill_id.as_deref() == Some("11223370"))
        .expect("ob");
    let ob_today = queue_today(Some(ob), None, Some(at));
    assert_eq!(ob_today.abandon_rate, None);
    assert_eq!(ob_today.service_level, None);
    assert_eq!(queue_today(None, None, None), Default::default());
}

#[test]
fn state_history_both_duration_shapes() {
    let to = t("2025-03-14T15:02:11.447Z");
    let iso: StateHistoryResponse = parse("reporting/agent_state_history.json");
    assert_eq!(iso.total_records, Some(27));
    let rows = iso.rows();
    assert_eq!(rows.len(), 27);
    let s = spans(rows, to, &HashSet::new());
    assert_eq!(s.len(), 27);
    // Consecutive: each span ends where the next starts (the fixture is built that way).
    for w in s.windows(2) {
        assert_eq!(w[0].end, w[1].start, "{:?}", w[0]);
    }
    assert_eq!(s[0].start, t("2025-03-13T15:05:00Z"));
    assert_eq!(s[0].state, AgentState::Available);
    assert_eq!(s[2].state, AgentState::AfterCallWork);
    assert_eq!(s[2].reason.as_deref(), Some("Unavailable/After Call Work"));
    assert_eq!(s[4].reason.as_deref(), Some("Unavailable/Lunch"));
    assert_eq!(s[4].state, AgentState::Unavailable);
    assert_eq!(s[6].state, AgentState::NotResponding);
    assert_eq!(s[8].state, AgentState::Offline);
    assert_eq!(s[9].state, AgentState::Unavailable, "LoggedIn");
    assert_eq!(s[15].state, AgentState::Busy, "InboundConsult");
    assert_eq!(s.last().map(|x| x.end), Some(to));

    let legacy: StateHistoryResponse =
        parse("reporting/agent_state_history_v10_legacy_seconds.json");
    let ls = spans(legacy.rows(), to, &HashSet::new());
    assert_eq!(ls.len(), 27);
    assert_eq!(ls[0].end, t("2025-03-13T15:06:12Z"), "72 s");
    assert_eq!(ls.last().map(|x| x.end), Some(to));
}

#[test]
fn queue_filter_by_glob_and_id() {
    let (rows, poll) =
        parse::<SkillActivityResponse>("realtime/skills_activity_full.json").into_parts();
    let mut store = SkillStore::default();
    store.merge(rows, poll);
    let f = QueueFilter::new(&["cs_*_voice".into(), "11223360".into()]).expect("filter");
    let names: Vec<String> = build_queues(&store, &TodayStore::default(), None, &f)
        .into_iter()
        .map(|q| q.name)
        .collect();
    assert_eq!(names, ["CS_Billing_Voice", "CS_Email", "CS_Tech_Voice"]);
    assert!(QueueFilter::new(&["[".into()]).is_err());
}

/// The field names the wire types read exist in the vendored v34 OpenAPI subset (read from
/// the shared reference, not copied into the project; skipped where it is not present).
#[test]
fn wire_field_names_exist_in_the_v34_schema() {
    let path = std::env::var("CXONE_OPENAPI").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/reference/cxone/fixtures/openapi/cxone-v34-subset.openapi.json"
        )
        .into()
    });
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {path} not found (set CXONE_OPENAPI)");
        return;
    };
    let spec: serde_json::Value = serde_json::from_str(&text).expect("openapi json");
    let v34 = "/inContactAPI/services/v34.0";
    let cases: &[(&str, &str, Option<&str>, &[&str])] = &[
        (
            "/.well-known/cxone-configuration",
            "get",
            None,
            &["api_endpoint", "area", "tenantId"],
        ),
        (
            "/.well-known/openid-configuration",
            "get",
            None,
            &["issuer", "token_endpoint"],
        ),
        (
            "/auth/token",
            "post",
            None,
            &[
                "access_token",
                "token_type",
                "expires_in",
                "refresh_token",
                "id_token",
            ],
        ),
        (
            "/skills/activity",
            "get",
            Some("skillActivity"),
            &[
                "serverTime",
                "skillId",
                "skillName",
                "mediaTypeId",
                "mediaTypeName",
                "isActive",
                "isOutbound",
                "queueCount",
                "earliestQueueTime",
                "agentsAvailable",
                "agentsWorking",
                "agentsACW",
                "agentsUnavailable",
                "agentsLoggedIn",
                "inSLA",
                "outSLA",
                "serviceLevel",
                "serviceLevelGoal",
                "serviceLevelThreshold",
            ],
        ),
        (
            "/agents/states",
            "get",
            Some("agentStates"),
            &[
                "agentId",
                "agentStateId",
                "agentStateName",
                "isActive",
                "isACW",
                "firstName",
                "lastName",
                "userName",
                "outStateId",
                "outStateDescription",
                "skillId",
                "skillName",
                "startDate",
                "lastUpdateTime",
                "teamName",
            ],
        ),
        (
            "/agents/{agentId}/state-history",
            "get",
            Some("agentStateHistory"),
            &[
                "stateIndex",
                "startDate",
                "agentId",
                "agentStateId",
                "agentStateName",
                "outStateId",
                "outStateDescription",
                "duration",
                "skillId",
            ],
        ),
        (
            "/skills/summary",
            "get",
            Some("skillSummaries"),
            &[
                "skillId",
                "skillName",
                "mediaTypeId",
                "mediaTypeName",
                "serviceLevelGoal",
                "serviceLevelThreshold",
                "contactsOffered",
                "contactsHandled",
                "abandonCount",
                "contactsWithinSLA",
                "contactsOutOfSLA",
                "averageSpeedToAnswer",
                "averageHandleTime",
            ],
        ),
        // The spec writes this one in PascalCase (we also accept camelCase, REFERENCE §4.4).
        (
            "/skills/sla-summary",
            "get",
            Some("serviceLevelSummaries"),
            &[
                "SkillId",
                "SkillName",
                "ContactsWithinSLA",
                "ContactsOutOfSLA",
                "TotalContacts",
                "ServiceLevel",
            ],
        ),
    ];
    for (p, method, array, fields) in cases {
        let full = if p.starts_with("/.well-known") || p.starts_with("/auth") {
            p.to_string()
        } else {
            format!("{v34}{p}")
        };
        let schema = &spec["paths"][&full][*method]["responses"]["200"]["content"]["application/json"]
            ["schema"];
        assert!(schema.is_object(), "{full}: no 200 schema");
        let props = match array {
            Some(a) => &schema["properties"][*a]["items"]["properties"],
            None => &schema["properties"],
        };
        for f in *fields {
            assert!(
                props.get(*f).is_some(),
                "{full}: field {f} not in the v34 schema"
            );
        }
    }
}
