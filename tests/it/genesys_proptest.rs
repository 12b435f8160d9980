//! Arbitrary JSON bodies and arbitrary bytes never panic the Genesys parsers and mappers.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use proptest::prelude::*;
use queuetop::source::genesys::agents::{self, AgentBook, PresenceNames};
use queuetop::source::genesys::history::Collected;
use queuetop::source::genesys::queues;
use queuetop::source::genesys::wire::*;
use serde_json::Value;

const KEYS: &[&str] = &[
    "results",
    "group",
    "data",
    "metric",
    "qualifier",
    "stats",
    "count",
    "sum",
    "numerator",
    "denominator",
    "ratio",
    "calculatedMetricValue",
    "observations",
    "observationDate",
    "truncated",
    "queueId",
    "mediaType",
    "entities",
    "userId",
    "queueId",
    "routingStatus",
    "systemPresence",
    "organizationPresenceId",
    "presenceDate",
    "routingStatusDate",
    "activityDate",
    "queueMembershipStatus",
    "userDetails",
    "primaryPresence",
    "startTime",
    "endTime",
    "mediaSettings",
    "serviceLevel",
    "percentage",
    "durationMs",
    "id",
    "name",
    "pageCount",
    "languageLabels",
    "metrics",
    "interval",
    "user",
    "presence",
    "presenceDefinition",
    "status",
    "joined",
    "modifiedDate",
    "en_US",
    "call",
    "chat",
];

const WORDS: &[&str] = &[
    "oWaiting",
    "oInteracting",
    "oAlerting",
    "oLongestWaiting",
    "oOnQueueUsers",
    "oOffQueueUsers",
    "oActiveUsers",
    "oMemberUsers",
    "nOffered",
    "tAnswered",
    "tAbandon",
    "tHandle",
    "oServiceLevel",
    "IDLE",
    "INTERACTING",
    "COMMUNICATING",
    "NOT_RESPONDING",
    "OFF_QUEUE",
    "ON_QUEUE",
    "On Queue",
    "OnQueue",
    "OFFLINE",
    "BREAK",
    "voice",
    "chat",
    "q1",
    "q2",
    "u1",
    "u2",
    "inactive",
    "2026-03-10T14:21:03.412Z",
    "2026-03-10T08:00:00Z",
    "1970-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "",
];

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e300f64..1e300).prop_map(Value::from),
        prop::sample::select(vec![0.0, 1.0, 1e12, 1.8e12, -1.0, 1e20]).prop_map(Value::from),
        prop::sample::select(WORDS).prop_map(Value::from),
        "[ -~]{0,16}".prop_map(Value::from),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        prop::sample::select(KEYS).prop_map(str::to_string),
        "[a-z]{1,6}"
    ];
    leaf().prop_recursive(5, 96, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn now() -> DateTime<Utc> {
    Utc::now()
}

/// Parse `v` as every response type and run the mappers on what parses.
fn exercise(v: &Value) {
    if let Ok(r) = serde_json::from_value::<QueueObservationResponse>(v.clone()) {
        let live = queues::live_from_observations(&r, now());
        for (l, m) in live.values() {
            let _ = (
                l.longest_wait_at(now()),
                queues::row_media(*m),
                l.agents.staffed(),
            );
        }
    }
    if let Ok(r) = serde_json::from_value::<AggregateQueryResponse>(v.clone()) {
        let ids: Vec<&str> = r
            .results
            .iter()
            .filter_map(|x| x.group.get("queueId"))
            .map(String::as_str)
            .collect();
        let _ = queues::today_from_aggregates(&r, &ids, now());
    }
    let defs = serde_json::from_value::<Listing<PresenceDefinition>>(v.clone())
        .map(|l| PresenceNames::from_definitions(&l.entities))
        .unwrap_or_default();
    if let Ok(r) = serde_json::from_value::<RoutingActivityResponse>(v.clone()) {
        let mut book = AgentBook::default();
        agents::add_activity(&mut book, &r);
        let _ = agents::activity_page_full(&r, 2);
        let _ = book.finish(&HashMap::new(), &defs);
    }
    if let Ok(l) = serde_json::from_value::<Listing<QueueMember>>(v.clone()) {
        let mut book = AgentBook::default();
        agents::add_members(&mut book, "q1", &l.entities);
        let _ = book.finish(&HashMap::new(), &defs);
    }
    if let Ok(l) = serde_json::from_value::<Listing<QueueEntity>>(v.clone()) {
        for e in &l.entities {
            if let Some(q) = queues::queue_info(e) {
                let _ = queues::row_objective(&q, Default::default());
            }
        }
    }
    if let Ok(r) = serde_json::from_value::<UserDetailsResponse>(v.clone()) {
        let from = "2026-03-09T14:30:00Z".parse().unwrap();
        let to = "2026-03-10T14:30:00Z".parse().unwrap();
        let mut c = Collected::default();
        c.add_page("u1", &r.user_details, from, to);
        let spans = c.spans(&defs);
        assert!(spans.windows(2).all(|w| w[0].end <= w[1].start));
        assert!(
            spans
                .iter()
                .all(|s| s.start < s.end && s.start >= from && s.end <= to)
        );
    }
    let _ = serde_json::from_value::<ErrorBody>(v.clone());
    let _ = serde_json::from_value::<WsMessage>(v.clone());
    let _ = serde_json::from_value::<OAuthError>(v.clone());
    let _ = serde_json::from_value::<TokenResponse>(v.clone());
    let _ = serde_json::from_value::<ConversationActivityResponse>(v.clone());
    if let Ok(l) = serde_json::from_value::<Listing<UserEntity>>(v.clone()) {
        // Names go to the board as they are (made printable at the border).
        for u in &l.entities {
            let _ = queuetop::domain::text::printable(u.name.as_deref().unwrap_or_default());
        }
    }
    if let Ok(l) = serde_json::from_value::<Listing<PresenceDefinition>>(v.clone()) {
        for d in &l.entities {
            let _ = d.display_name();
        }
    }
    if let Ok(l) = serde_json::from_value::<Listing<QueueEntity>>(v.clone()) {
        for e in &l.entities {
            for m in ["call", "chat", "email", "message", "callback", ""] {
                let _ = e.service_level(m);
            }
        }
    }
    // Free-text enumerations and dates wherever a string occurs.
    if let Some(s) = v.as_str() {
        let _ = (
            SystemPresence::parse(s).label().len(),
            RoutingStatus::parse(s),
        );
        let _ = parse_date(s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: crate::support::fuzz_cases(400),
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_json_never_panics(v in json()) {
        exercise(&v);
        // Wrapped in the envelopes the mappers look into, so deep paths are reached.
        exercise(&serde_json::json!({"results": [v.clone()], "entities": [v.clone()], "userDetails": [v]}));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = serde_json::from_slice::<QueueObservationResponse>(&bytes);
        let _ = serde_json::from_slice::<AggregateQueryResponse>(&bytes);
        let _ = serde_json::from_slice::<RoutingActivityResponse>(&bytes);
        let _ = serde_json::from_slice::<UserDetailsResponse>(&bytes);
        let _ = serde_json::from_slice::<Listing<QueueEntity>>(&bytes);
        let _ = serde_json::from_slice::<Listing<PresenceDefinition>>(&bytes);
        let _ = serde_json::from_slice::<TokenResponse>(&bytes);
        let _ = queuetop::source::http::permissions_in(&bytes);
        if let Ok(v) = serde_json::from_slice::<Value>(&bytes) {
            exercise(&v);
        }
    }

    #[test]
    fn retry_after_never_panics(s in "[ -~]{0,40}") {
        let _ = queuetop::source::http::parse_retry_after_value(&s, now());
    }
}
