//! Arbitrary bytes and arbitrary JSON never panic the CXone parsers and mappers.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use queuetop::source::cxone::agents::AgentStore;
use queuetop::source::cxone::auth::{base64url_decode, jwt_claims};
use queuetop::source::cxone::fmt_time;
use queuetop::source::cxone::history::spans;
use queuetop::source::cxone::skills::{
    QueueFilter, SkillStore, TodayStore, build_queues, queue_today,
};
use queuetop::source::cxone::wire::*;
use serde_json::{Map, Value, json};

/// Field names the wire types read (both casings), so generated rows hit real fields.
const KEYS: &[&str] = &[
    "skillId",
    "SkillId",
    "skillName",
    "mediaTypeId",
    "mediaTypeName",
    "isActive",
    "queueCount",
    "earliestQueueTime",
    "serverTime",
    "agentsAvailable",
    "agentsWorking",
    "agentsACW",
    "agentsUnavailable",
    "serviceLevelGoal",
    "serviceLevelThreshold",
    "agentId",
    "AgentId",
    "agentStateId",
    "agentStateName",
    "isACW",
    "firstName",
    "lastName",
    "userName",
    "outStateId",
    "outStateDescription",
    "startDate",
    "lastPollTime",
    "duration",
    "stateIndex",
    "contactsOffered",
    "contactsHandled",
    "abandonCount",
    "contactsWithinSLA",
    "ContactsOutOfSLA",
    "totalContacts",
    "averageSpeedToAnswer",
    "averageHandleTime",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,24}".prop_map(Value::from),
        // Plausible-looking but edgy strings.
        prop_oneof![
            Just("PT1M23.456S"),
            Just("P99999999DT1S"),
            Just("PT-1S"),
            Just("PT1e308S"),
            Just("0001-01-01T00:00:00"),
            Just("9999-12-31T23:59:59.999Z"),
            Just("+262143-12-31T23:59:59Z"),
            Just("1970-01-01T00:00:00.000Z"),
            Just("-1"),
            Just("1e400"),
            Just("NaN"),
        ]
        .prop_map(Value::from),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn row() -> impl Strategy<Value = Value> {
    prop::collection::vec((prop::sample::select(KEYS), json_value()), 0..12).prop_map(|kv| {
        let mut m = Map::new();
        for (k, v) in kv {
            m.insert(k.to_string(), v);
        }
        Value::Object(m)
    })
}

fn rows() -> impl Strategy<Value = Vec<Value>> {
    prop::collection::vec(row(), 0..8)
}

fn any_time() -> impl Strategy<Value = DateTime<Utc>> {
    (-8_000_000_000_000i64..8_000_000_000_000i64)
        .prop_map(|ms| DateTime::from_timestamp_millis(ms).unwrap_or_default())
}

fn parse_all(bytes: &[u8]) {
    let _ = serde_json::from_slice::<SkillActivityResponse>(bytes);
    let _ = serde_json::from_slice::<AgentStatesResponse>(bytes);
    let _ = serde_json::from_slice::<StateHistoryResponse>(bytes);
    let _ = serde_json::from_slice::<SkillSummaryResponse>(bytes);
    let _ = serde_json::from_slice::<SlaSummaryResponse>(bytes);
    let _ = serde_json::from_slice::<TokenResponse>(bytes);
    let _ = serde_json::from_slice::<ErrorBody>(bytes);
    let _ = serde_json::from_slice::<CxoneConfiguration>(bytes);
    let _ = serde_json::from_slice::<OpenIdConfiguration>(bytes);
    if let Ok(e) = serde_json::from_slice::<ErrorBody>(bytes) {
        let _ = e.text();
    }
    let _ = serde_json::from_slice::<JwtClaims>(bytes);
    if let Ok(l) = serde_json::from_slice::<Links>(bytes) {
        let _ = l.next_url();
    }
    if let Ok(r) = serde_json::from_slice::<SkillActivityResponse>(bytes) {
        let _ = r.links.as_ref().map(Links::next_url);
        for row in r.into_parts().0 {
            let _ = MediaType::from_parts(row.media_type_id, row.media_type_name.as_deref());
        }
    }
    if let Ok(r) = serde_json::from_slice::<AgentStatesResponse>(bytes) {
        for row in r.into_parts().0 {
            let _ = AgentStateKind::from_parts(row.agent_state_id, row.agent_state_name.as_deref());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: crate::support::fuzz_cases(200),
        ..ProptestConfig::default()
    })]

    #[test]
    fn bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        parse_all(&bytes);
        let s = String::from_utf8_lossy(&bytes);
        let _ = parse_duration(&s);
        let _ = parse_time(&s);
        let _ = base64url_decode(&s);
        let _ = jwt_claims(&s);
    }

    #[test]
    fn json_never_panics(v in json_value()) {
        parse_all(v.to_string().as_bytes());
    }

    #[test]
    fn arbitrary_rows_map_without_panic(
        skill_rows in rows(), agent_rows in rows(), hist in rows(), summary in rows(),
        sla in rows(), to in any_time(), wrapped in any::<bool>(),
    ) {
        let body = |key: &str, r: &Vec<Value>| {
            let inner = json!({ key: r, "lastPollTime": "2025-03-14T15:02:11.447Z", "totalRecords": r.len() });
            if wrapped { json!({ "resultSet": inner }) } else { inner }.to_string()
        };
        let mut skills = SkillStore::default();
        if let Ok(r) = serde_json::from_str::<SkillActivityResponse>(&body("skillActivity", &skill_rows)) {
            let (rows, poll) = r.into_parts();
            skills.merge(rows, poll);
        }
        let mut agents = AgentStore::default();
        if let Ok(r) = serde_json::from_str::<AgentStatesResponse>(&body("agentStates", &agent_rows)) {
            let (rows, poll) = r.into_parts();
            agents.merge(rows, poll);
        }
        let _ = agents.agents();
        let mut today = TodayStore::default();
        if let Ok(r) = serde_json::from_str::<SkillSummaryResponse>(&json!({"skillSummaries": summary}).to_string()) {
            today.set_summaries(r.rows(), to);
        }
        if let Ok(r) = serde_json::from_str::<SlaSummaryResponse>(&json!({"serviceLevelSummaries": sla}).to_string()) {
            let rows = r.service_level_summaries.unwrap_or_default();
            for s in &rows {
                let t = queue_today(None, Some(s), None);
                prop_assert!(t.service_level.is_none_or(|x| (0.0..=1.0).contains(&x)));
            }
            today.set_sla(rows, to);
        }
        let filter = QueueFilter::new(&["*".to_string()]).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for q in build_queues(&skills, &today, Some(&agents), &filter) {
            prop_assert!(q.live.longest_wait_s.is_none_or(|x| x >= 0.0 && x.is_finite()));
            prop_assert!(q.today.abandon_rate.is_none_or(f64::is_finite));
        }
        if let Ok(r) = serde_json::from_str::<StateHistoryResponse>(&body("agentStateHistory", &hist)) {
            for s in spans(r.rows(), to, &HashSet::from([14])) {
                prop_assert!(s.end > s.start);
            }
        }
    }

    #[test]
    fn time_format_never_panics(now in any_time()) {
        let _ = fmt_time(now);
    }
}
