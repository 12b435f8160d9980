//! Parse + convert a 5,000-agent `/agents/states` response (the largest live payload).

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use queuetop::source::cxone::agents::AgentStore;
use queuetop::source::cxone::wire::AgentStatesResponse;
use serde_json::json;

/// A v34-shaped response with `n` agents in a mix of states (all fields present, as CXone
/// sends them, many null).
fn agents_states(n: usize) -> String {
    let rows: Vec<_> = (0..n)
        .map(|i| {
            let (state_id, name, acw, out_id, out_desc) = match i % 8 {
                0 => (1, "Available", false, None, None),
                1 | 2 => (3, "InboundContact", false, None, None),
                3 => (2, "Unavailable", true, Some(14), Some("After Call Work")),
                4 => (2, "Unavailable", false, Some(12), Some("Lunch")),
                5 => (4, "OutboundContact", false, None, None),
                6 => (0, "LoggedOut", false, None, None),
                _ => (2, "Unavailable", false, Some(-1), Some("Refused")),
            };
            json!({
                "agentId": 39_000_000 + i, "agentStateId": state_id, "agentStateName": name,
                "businessUnitId": 4607084, "contactId": null, "contactStartHandleTime": null,
                "isActive": true, "isACW": acw, "isOutbound": false,
                "firstName": format!("First{i}"), "fromAddress": null, "lastName": format!("Last{i}"),
                "lastUpdateTime": "2025-03-14T15:01:30.437Z", "mediaTypeName": "Phone Call",
                "mediaTypeId": 4, "openContacts": 0, "outStateDescription": out_desc,
                "outStateId": out_id, "sessionStartTime": "2025-03-14T08:04:11.447Z",
                "skillId": 11_223_344 + (i % 40), "skillName": format!("Skill{}", i % 40),
                "startDate": "2025-03-14T15:01:30.437Z", "stationId": 778_899,
                "stationPhoneNumber": "+13175550101", "teamId": 11_320_079,
                "teamName": "Tier 1 Voice", "toAddress": null,
                "userName": format!("agent{i}@4607084.com"),
            })
        })
        .collect();
    json!({
        "totalRecords": n, "_links": {"self": null, "next": null, "previous": null},
        "lastPollTime": "2025-03-14T15:02:11.447Z", "agentStates": rows,
    })
    .to_string()
}

fn bench(c: &mut Criterion) {
    let body = agents_states(5_000);
    c.bench_function("cxone agents/states 5000: parse", |b| {
        b.iter(|| {
            serde_json::from_str::<AgentStatesResponse>(black_box(&body))
                .map(|r| r.into_parts().0.len())
        })
    });
    c.bench_function("cxone agents/states 5000: parse + merge + to domain", |b| {
        b.iter(|| {
            let Ok(resp) = serde_json::from_str::<AgentStatesResponse>(black_box(&body)) else {
                return 0;
            };
            let (rows, poll) = resp.into_parts();
            let mut store = AgentStore::default();
            store.merge(rows, poll);
            store.agents().len()
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
