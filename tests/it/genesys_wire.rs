//! Every reference fixture parses into its wire type; the mappers give the expected domain
//! figures for the fixtures; unknown fields, unknown enum values and every presence
//! spelling are tolerated.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use queuetop::domain::{AgentState, Media, SlObjective};
use queuetop::source::genesys::agents::{self, AgentBook, PresenceNames};
use queuetop::source::genesys::history::{Collected, details_query};
use queuetop::source::genesys::queues::{self, MediaSet};
use queuetop::source::genesys::wire::*;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/genesys")
}

fn text(name: &str) -> String {
    std::fs::read_to_string(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse<T: DeserializeOwned>(name: &str) -> T {
    serde_json::from_str(&text(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Request types: parse the fixture, serialise it back, and get the same JSON.
fn round_trip<T: DeserializeOwned + serde::Serialize>(name: &str) {
    let original: Value = serde_json::from_str(&text(name)).unwrap();
    let typed: T = parse(name);
    let again = serde_json::to_value(&typed).unwrap();
    assert_eq!(again, original, "{name} does not round-trip");
}

const ALL: &[&str] = &[
    "01-oauth-token-error.json",
    "01-oauth-token-request.http",
    "01-oauth-token-response.json",
    "02-queue-observations-detail-request.json",
    "02-queue-observations-detail-response.json",
    "02-queue-observations-request.json",
    "02-queue-observations-response.json",
    "02b-conversation-activity-request.json",
    "02b-conversation-activity-response.json",
    "02b-routing-activity-request.json",
    "02b-routing-activity-response.json",
    "03-conversation-aggregates-request.json",
    "03-conversation-aggregates-response.json",
    "04-presence-definitions-response.json",
    "04-presencedefinitions-legacy-response.json",
    "04-users-aggregates-request.json",
    "04-users-aggregates-response.json",
    "04-users-details-request.json",
    "04-users-details-response.json",
    "05-routing-queue-members-response.json",
    "05-routing-queues-response.json",
    "05-user-presence-purecloud-response.json",
    "05-user-routingstatus-response.json",
    "05-users-presences-purecloud-bulk-response.json",
    "05-users-response.json",
    "06-error-400-bad-request.json",
    "06-error-429-headers.http",
    "06-error-429-too-many-requests.json",
    "07-notifications-channel-create-response.json",
    "07-notifications-subscriptions-request.json",
    "07-notifications-subscriptions-response.json",
    "07-ws-client-ping.json",
    "07-ws-client-subscribe.json",
    "07-ws-heartbeat.json",
    "07-ws-pong.json",
    "07-ws-queue-activity-event.json",
    "07-ws-queue-observations-event.json",
    "07-ws-queue-users-event.json",
    "07-ws-socket-closing.json",
    "07-ws-subscription-failure.json",
    "07-ws-user-activity-event.json",
    "07-ws-user-conversationsummary-event.json",
    "07-ws-user-presence-event.json",
    "07-ws-user-routingstatus-event.json",
    "README.md",
];

#[test]
fn every_fixture_is_covered() {
    let mut on_disk: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    on_disk.sort();
    assert_eq!(
        on_disk, ALL,
        "a fixture was added or removed: cover it here"
    );
}

#[test]
fn every_fixture_parses() {
    let e: OAuthError = parse("01-oauth-token-error.json");
    assert_eq!(e.error.as_deref(), Some("invalid_client"));
    let t: TokenResponse = parse("01-oauth-token-response.json");
    assert_eq!(t.expires_in, Some(86399.0));
    assert!(
        !format!("{t:?}").contains("EXAMPLE"),
        "token hidden in Debug"
    );
    let http = text("01-oauth-token-request.http");
    assert!(
        http.contains("grant_type=client_credentials") && http.contains("Authorization: Basic")
    );

    round_trip::<QueueObservationQuery>("02-queue-observations-request.json");
    round_trip::<QueueObservationQuery>("02-queue-observations-detail-request.json");
    let r: QueueObservationResponse = parse("02-queue-observations-response.json");
    assert_eq!(r.results.len(), 12);
    assert_eq!(r.system_to_organization_mappings["BREAK"].len(), 2);
    let r: QueueObservationResponse = parse("02-queue-observations-detail-response.json");
    assert_eq!(r.results[0].data[0].observations.len(), 4);

    round_trip::<ActivityQuery>("02b-conversation-activity-request.json");
    round_trip::<ActivityQuery>("02b-routing-activity-request.json");
    let r: ConversationActivityResponse = parse("02b-conversation-activity-response.json");
    assert_eq!(
        r.results[0].data[2].calculated_metric_value,
        Some(1_773_152_463_000.0)
    );
    let r: RoutingActivityResponse = parse("02b-routing-activity-response.json");
    assert_eq!(
        r.results[0].entities[0].system_presence,
        Some(SystemPresence::OnQueue)
    );
    assert_eq!(
        r.results[0].entities[0].routing_status,
        Some(RoutingStatus::Idle)
    );

    round_trip::<ConversationAggregationQuery>("03-conversation-aggregates-request.json");
    let r: AggregateQueryResponse = parse("03-conversation-aggregates-response.json");
    assert_eq!(r.results.len(), 2);

    let l: Listing<PresenceDefinition> = parse("04-presence-definitions-response.json");
    assert_eq!(l.entities.len(), 11);
    let l: Listing<PresenceDefinition> = parse("04-presencedefinitions-legacy-response.json");
    assert_eq!(l.entities[1].system_presence, Some(SystemPresence::OnQueue));
    round_trip::<UserAggregationQuery>("04-users-aggregates-request.json");
    let r: AggregateQueryResponse = parse("04-users-aggregates-response.json");
    assert_eq!(r.system_to_organization_mappings.len(), 4);
    round_trip::<UserDetailsQuery>("04-users-details-request.json");
    let r: UserDetailsResponse = parse("04-users-details-response.json");
    assert_eq!(r.user_details[0].routing_status.len(), 9);
    assert_eq!(r.user_details[0].primary_presence[4].end_time, None);

    let l: Listing<QueueMember> = parse("05-routing-queue-members-response.json");
    assert_eq!(l.entities.len(), 3);
    assert_eq!(l.total, None);
    let l: Listing<QueueEntity> = parse("05-routing-queues-response.json");
    assert_eq!(l.page_count, Some(2.0));
    let p: UserPresence = parse("05-user-presence-purecloud-response.json");
    assert_eq!(
        p.presence_definition.and_then(|d| d.system_presence),
        Some(SystemPresence::OnQueue)
    );
    let r: RoutingStatusEntity = parse("05-user-routingstatus-response.json");
    assert_eq!(r.status, Some(RoutingStatus::Interacting));
    let b: BulkPresences = parse("05-users-presences-purecloud-bulk-response.json");
    assert_eq!(b.len(), 2);
    let l: Listing<UserEntity> = parse("05-users-response.json");
    assert_eq!(
        l.entities[2]
            .routing_status
            .as_ref()
            .and_then(|r| r.status.clone()),
        Some(RoutingStatus::OffQueue)
    );

    let e: ErrorBody = parse("06-error-400-bad-request.json");
    assert_eq!(e.code.as_deref(), Some("invalid.value"));
    let e: ErrorBody = parse("06-error-429-too-many-requests.json");
    assert_eq!(
        e.message_params.get("limit").map(String::as_str),
        Some("300")
    );
    let headers = text("06-error-429-headers.http");
    let ra = headers
        .lines()
        .find_map(|l| l.strip_prefix("Retry-After:"))
        .expect("Retry-After");
    assert_eq!(
        queuetop::source::http::parse_retry_after_value(ra.trim(), Utc::now()),
        Some(std::time::Duration::from_secs(12))
    );
    for h in [
        "inin-ratelimit-count",
        "inin-ratelimit-allowed",
        "inin-ratelimit-reset",
    ] {
        assert!(headers.contains(h));
    }

    let c: Channel = parse("07-notifications-channel-create-response.json");
    assert!(c.expires.is_some());
    let topics: Vec<ChannelTopic> = parse("07-notifications-subscriptions-request.json");
    assert_eq!(topics.len(), 6);
    let l: Listing<ChannelTopic> = parse("07-notifications-subscriptions-response.json");
    assert_eq!(
        l.entities[5].missing_permissions,
        ["conversation:communication:view"]
    );
    for f in ALL.iter().filter(|f| f.starts_with("07-ws-")) {
        let m: WsMessage = parse(f);
        assert!(
            m.topic_name.is_some() || m.message.is_some() || m.result.is_some(),
            "{f} parsed to nothing"
        );
    }
}

#[test]
fn presence_spellings_and_unknown_values() {
    for s in ["ON_QUEUE", "OnQueue", "On Queue", "on queue", "ONQUEUE"] {
        assert_eq!(SystemPresence::parse(s), SystemPresence::OnQueue, "{s}");
    }
    assert_eq!(SystemPresence::parse("Break"), SystemPresence::Break);
    assert_eq!(
        SystemPresence::parse("Focus Time"),
        SystemPresence::Other("Focus Time".into())
    );
    assert_eq!(
        RoutingStatus::parse("NOT_RESPONDING"),
        RoutingStatus::NotResponding
    );
    assert_eq!(
        RoutingStatus::parse("ON_BREAK_X"),
        RoutingStatus::Other("ON_BREAK_X".into())
    );

    // Unknown fields and enum values anywhere, nulls for lists, unreadable dates.
    let body = r#"{
      "userDetails": [{"userId": "u", "newField": {"x": 1},
        "primaryPresence": [{"startTime": "2026-03-10T08:00:00Z", "systemPresence": "HOLOGRAM", "weird": true}],
        "routingStatus": null}],
      "totalHits": 1, "aggregations": null, "surprise": [1, 2]
    }"#;
    let r: UserDetailsResponse = serde_json::from_str(body).unwrap();
    assert_eq!(
        r.user_details[0].primary_presence[0].system_presence,
        Some(SystemPresence::Other("HOLOGRAM".into()))
    );
    let body = r#"{"results": [{"group": {"queueId": "q", "mediaType": "hologram"},
        "data": [{"metric": "oSomethingNew", "qualifier": "X", "stats": {"count": 3, "novel": 1}},
                 {"metric": "oWaiting", "stats": {"count": 1}, "observations": [{"observationDate": "yesterday"}]}]}]}"#;
    let r: QueueObservationResponse = serde_json::from_str(body).unwrap();
    assert_eq!(r.results[0].data[1].observations[0].observation_date, None);
    let live = queues::live_from_observations(&r, Utc::now());
    assert_eq!(live["q"].0.waiting, Some(1));
    assert_eq!(live["q"].0.waiting_ages_s, None, "an age is missing");
}

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

#[test]
fn observation_fixture_maps_to_live_figures() {
    let r: QueueObservationResponse = parse("02-queue-observations-response.json");
    let now = at("2026-03-10T14:32:05Z");
    let live = queues::live_from_observations(&r, now);
    let (q, media) = &live["2dfcc467-950d-4514-a907-64bcd946cf57"];
    assert_eq!(q.waiting, Some(4));
    // oLongestWaiting 1773152463000 = 14:21:03Z, read as an epoch-ms timestamp.
    assert_eq!(q.longest_wait_s, Some(662.0));
    assert_eq!(q.waiting_ages_s, None, "no details requested: only a count");
    let a = &q.agents;
    assert_eq!(
        (
            a.available,
            a.busy,
            a.after_call_work,
            a.not_responding,
            a.unavailable,
            a.offline
        ),
        (Some(2), Some(5), None, Some(1), Some(3), Some(7))
    );
    assert_eq!(queues::row_media(*media), Media::Voice);
    let (q, _) = &live["e2507c5d-2039-4f1a-a618-1e59e7628d1e"];
    assert_eq!(q.waiting, Some(2));
    assert_eq!(
        q.agents.available,
        Some(0),
        "no oOnQueueUsers = nobody on queue"
    );
    assert_eq!((q.agents.unavailable, q.agents.offline), (Some(2), Some(4)));

    let r: QueueObservationResponse = parse("02-queue-observations-detail-response.json");
    let live = queues::live_from_observations(&r, now);
    let q = &live["2dfcc467-950d-4514-a907-64bcd946cf57"].0;
    let ages = q.waiting_ages_s.clone().expect("all four ages");
    assert_eq!(ages, vec![661.588, 260.91, 112.229, 6.997]);
    assert_eq!(q.longest_wait_s, Some(661.588));
}

#[test]
fn truncated_details_keep_the_oldest_age_only() {
    let body = r#"{"results": [{"group": {"queueId": "q", "mediaType": "voice"}, "data": [
        {"metric": "oWaiting", "stats": {"count": 300}, "truncated": true, "observations": [
          {"observationDate": "2026-03-10T14:00:00Z"}, {"observationDate": "2026-03-10T14:30:00Z"}]}]}]}"#;
    let r: QueueObservationResponse = serde_json::from_str(body).unwrap();
    let live = queues::live_from_observations(&r, at("2026-03-10T14:32:00Z"));
    let q = &live["q"].0;
    assert_eq!(q.waiting, Some(300));
    assert_eq!(q.longest_wait_s, Some(1920.0));
    assert_eq!(q.waiting_ages_s, None);
}

#[test]
fn aggregates_fixture_maps_to_today() {
    let r: AggregateQueryResponse = parse("03-conversation-aggregates-response.json");
    let ids = [
        "2dfcc467-950d-4514-a907-64bcd946cf57",
        "e2507c5d-2039-4f1a-a618-1e59e7628d1e",
        "no-conversations",
    ];
    let today = queues::today_from_aggregates(&r, &ids, Utc::now());
    let (t, media) = &today[ids[0]];
    assert_eq!(
        (t.offered, t.answered, t.abandoned),
        (Some(142), Some(127), Some(15))
    );
    assert_eq!(t.answered_within_threshold, Some(106));
    assert_eq!(t.service_level, Some(106.0 / 127.0));
    assert_eq!(t.asa_s, Some(2871.402 / 127.0));
    assert_eq!(t.aht_s, Some(39832.93 / 124.0));
    assert_eq!(
        (t.handled, t.handle_time_total_s),
        (Some(124), Some(39832.93))
    );
    assert_eq!(t.abandon_rate, Some(15.0 / 142.0));
    assert_eq!(queues::row_media(*media), Media::Voice);
    let t = &today[ids[2]].0;
    assert_eq!(
        (t.offered, t.answered, t.asa_s, t.service_level),
        (Some(0), Some(0), None, None)
    );
}

#[test]
fn queue_list_fixture_gives_objectives() {
    let l: Listing<QueueEntity> = parse("05-routing-queues-response.json");
    let sales = queues::queue_info(&l.entities[0]).unwrap();
    assert_eq!(sales.name, "Sales");
    let mut seen = MediaSet::default();
    seen.insert(Media::Voice);
    // percentage is a fraction (0.9), durationMs milliseconds (15000).
    assert_eq!(
        queues::row_objective(&sales, seen),
        Some(SlObjective {
            target: 0.9,
            threshold_s: 15.0
        })
    );
    let mut seen = MediaSet::default();
    seen.insert(Media::Email);
    assert_eq!(
        queues::row_objective(&sales, seen),
        Some(SlObjective {
            target: 0.8,
            threshold_s: 86400.0
        })
    );
}

#[test]
fn agents_from_activity_and_members_fixtures() {
    let defs: Listing<PresenceDefinition> = parse("04-presence-definitions-response.json");
    let names = PresenceNames::from_definitions(&defs.entities);
    let r: RoutingActivityResponse = parse("02b-routing-activity-response.json");
    let mut book = AgentBook::default();
    assert_eq!(agents::add_activity(&mut book, &r), 2);
    let users: Listing<UserEntity> = parse("05-users-response.json");
    let user_names = users
        .entities
        .iter()
        .map(|u| (u.id.clone(), u.name.clone().unwrap()))
        .collect();
    let list = book.finish(&user_names, &names);
    assert_eq!(list.len(), 2);
    assert_eq!(list[0].name, "Alice Moreno");
    assert_eq!(list[0].state, AgentState::Available);
    assert_eq!(list[0].reason.as_deref(), Some("On Queue/IDLE"));
    assert_eq!(list[0].since, Some(at("2026-03-10T14:29:51.208Z")));

    let legacy: Listing<PresenceDefinition> = parse("04-presencedefinitions-legacy-response.json");
    let names = PresenceNames::from_definitions(&legacy.entities);
    let m: Listing<QueueMember> = parse("05-routing-queue-members-response.json");
    let mut book = AgentBook::default();
    agents::add_members(
        &mut book,
        "2dfcc467-950d-4514-a907-64bcd946cf57",
        &m.entities,
    );
    let list = book.finish(&Default::default(), &names);
    // Carol is a member but not joined: she does not serve the queue.
    let ids: Vec<&str> = list.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(ids, ["Alice Moreno", "Bob Okafor"]);
    assert_eq!(list[1].state, AgentState::Busy);
    assert_eq!(list[1].reason.as_deref(), Some("On Queue/INTERACTING"));
}

#[test]
fn state_mapping_table() {
    use AgentState::*;
    let on = Some(&SystemPresence::OnQueue);
    let cases = [
        (Some(SystemPresence::Offline), None, Offline),
        (
            Some(SystemPresence::OnQueue),
            Some(RoutingStatus::Idle),
            Available,
        ),
        (
            Some(SystemPresence::OnQueue),
            Some(RoutingStatus::Interacting),
            Busy,
        ),
        (
            Some(SystemPresence::OnQueue),
            Some(RoutingStatus::Communicating),
            Busy,
        ),
        (
            Some(SystemPresence::OnQueue),
            Some(RoutingStatus::NotResponding),
            NotResponding,
        ),
        (
            Some(SystemPresence::Available),
            Some(RoutingStatus::OffQueue),
            Unavailable,
        ),
        (Some(SystemPresence::Away), None, Unavailable),
        (Some(SystemPresence::Busy), None, Unavailable),
        (Some(SystemPresence::Break), None, Unavailable),
        (Some(SystemPresence::Meal), None, Unavailable),
        (Some(SystemPresence::Meeting), None, Unavailable),
        (Some(SystemPresence::Training), None, Unavailable),
        (Some(SystemPresence::Idle), None, Unavailable),
        (
            Some(SystemPresence::Other("Custom".into())),
            None,
            Unavailable,
        ),
        (None, None, Unknown),
    ];
    for (p, r, want) in cases {
        assert_eq!(
            agents::normalise(p.as_ref(), r.as_ref()),
            want,
            "{p:?} {r:?}"
        );
    }
    assert_eq!(agents::normalise(on, None), Unknown);
}

#[test]
fn history_fixture_gives_sorted_spans() {
    let defs: Listing<PresenceDefinition> = parse("04-presence-definitions-response.json");
    let names = PresenceNames::from_definitions(&defs.entities);
    let r: UserDetailsResponse = parse("04-users-details-response.json");
    let (from, to) = (at("2026-03-10T08:00:00Z"), at("2026-03-10T14:30:00Z"));
    let user = "58b7f633-ee2e-4bc3-9cec-a22e8b73cf4a";
    let mut c = Collected::default();
    assert_eq!(c.add_page(user, &r.user_details, from, to), 14);
    // The same page again (pages may repeat records) adds nothing.
    assert_eq!(c.add_page(user, &r.user_details, from, to), 0);
    let spans = c.spans(&names);
    assert_eq!(
        spans.first().map(|s| (s.start, s.state)),
        Some((from, AgentState::Unavailable))
    );
    assert_eq!(
        spans.last().map(|s| (s.end, s.state)),
        Some((to, AgentState::Available))
    );
    assert!(
        spans.windows(2).all(|w| w[0].end <= w[1].start),
        "sorted, no overlap"
    );
    let q = serde_json::to_value(details_query(user, from, to, 1, 100)).unwrap();
    assert_eq!(
        q["interval"],
        "2026-03-10T08:00:00.000Z/2026-03-10T14:30:00.000Z"
    );
    assert_eq!(q["paging"]["pageSize"], 100);
}

#[test]
fn generated_requests_follow_the_schema_subset() {
    let Some(schema) = crate::support::schema::Schema::load() else {
        eprintln!("openapi-subset.json not found; skipped");
        return;
    };
    let ids = ["a", "b"];
    let now = Utc::now();
    let checks: Vec<(&str, Value)> = vec![
        (
            "QueueObservationQuery",
            serde_json::to_value(queues::observation_query(
                &ids,
                queues::ObservationLevel::Full,
            ))
            .unwrap(),
        ),
        (
            "ConversationAggregationQuery",
            serde_json::to_value(queues::aggregation_query(&ids, now, now)).unwrap(),
        ),
        (
            "RoutingActivityQuery",
            serde_json::to_value(agents::activity_query(&ids, false)).unwrap(),
        ),
        (
            "UserDetailsQuery",
            serde_json::to_value(details_query("u", now, now, 1, 100)).unwrap(),
        ),
    ];
    for (def, v) in checks {
        let errs = schema.validate(def, &v);
        assert!(errs.is_empty(), "{def}: {errs:?}");
    }
    // And the fixtures themselves, as a check of the validator.
    for (def, f) in [
        (
            "QueueObservationQueryResponse",
            "02-queue-observations-response.json",
        ),
        (
            "RoutingActivityResponse",
            "02b-routing-activity-response.json",
        ),
        ("QueueEntityListing", "05-routing-queues-response.json"),
    ] {
        let v: Value = parse(f);
        assert!(schema.validate(def, &v).is_empty(), "{f}");
    }
}
