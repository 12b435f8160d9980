//! Parse + convert a queue observations response for 1,000 queues.

use std::hint::black_box;

use chrono::Utc;
use criterion::{Criterion, criterion_group, criterion_main};
use queuetop::source::genesys::queues::live_from_observations;
use queuetop::source::genesys::wire::QueueObservationResponse;
use serde_json::{Value, json};

/// A response shaped like the reference fixture: per queue one user group and five media
/// groups, with a few waiting interactions' details on voice.
fn response(queues: usize) -> String {
    let mut results: Vec<Value> = vec![];
    for i in 0..queues {
        let id = format!("00000000-0000-4000-8000-{i:012}");
        results.push(json!({"group": {"queueId": id}, "data": [
            {"metric": "oOnQueueUsers", "qualifier": "IDLE", "stats": {"count": 2}},
            {"metric": "oOnQueueUsers", "qualifier": "INTERACTING", "stats": {"count": 5}},
            {"metric": "oOnQueueUsers", "qualifier": "NOT_RESPONDING", "stats": {"count": 1}},
            {"metric": "oOffQueueUsers", "stats": {"count": 3}},
            {"metric": "oActiveUsers", "stats": {"count": 11}},
            {"metric": "oMemberUsers", "stats": {"count": 18}}
        ]}));
        let obs: Vec<Value> = (0..4)
            .map(|k| json!({"observationDate": format!("2026-03-10T14:2{k}:03.412Z"),
                "conversationId": format!("c-{i}-{k}"), "direction": "inbound", "routingPriority": 0,
                "requestedRoutings": ["Standard"]}))
            .collect();
        results.push(json!({"group": {"queueId": id, "mediaType": "voice"}, "data": [
            {"metric": "oWaiting", "stats": {"count": 4}, "truncated": false, "observations": obs},
            {"metric": "oInteracting", "stats": {"count": 5}},
            {"metric": "oAlerting", "stats": {"count": 1}},
            {"metric": "oLongestWaiting", "stats": {"count": 4, "calculatedMetricValue": 1773152463000u64}}
        ]}));
        for m in ["callback", "chat", "email", "message"] {
            results.push(json!({"group": {"queueId": id, "mediaType": m}, "data": [
                {"metric": "oWaiting", "stats": {"count": 0}, "truncated": false, "observations": []},
                {"metric": "oInteracting", "stats": {"count": 0}},
                {"metric": "oAlerting", "stats": {"count": 0}}
            ]}));
        }
    }
    json!({"systemToOrganizationMappings": {"ON_QUEUE": ["e08eaf1b-ee47-4fa9-a231-1200e284798f"]}, "results": results})
        .to_string()
}

fn bench(c: &mut Criterion) {
    let body = response(1000);
    let now = Utc::now();
    c.bench_function("observations_1000_queues_parse_and_convert", |b| {
        b.iter(|| {
            let r: QueueObservationResponse =
                serde_json::from_str(black_box(&body)).expect("parses");
            black_box(live_from_observations(&r, now))
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
