//! Parse + convert a 5,000-agent `/agents/states` response (the largest live payload), and a
//! whole poll (skills + agents → queues) at 1,000 skills / 10,000 agents, full and empty delta.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use queuetop::source::cxone::agents::AgentStore;
use queuetop::source::cxone::skills::{QueueFilter, SkillStore, TodayStore, build_queues};
use queuetop::source::cxone::wire::{AgentStatesResponse, SkillActivityResponse};
use serde_json::json;

/// A v34-shaped response with `n` agents in a mix of states (all fields present, as CXone
/// sends them, many null).
fn agents_states(n: usize) -> String {
    agents_states_on(n, 40, 0)
}

/// `n` agents spread over `skills` skills (agent `i` on skill `(i + shift) % skills`).
fn agents_states_on(n: usize, skills: usize, shift: usize) -> String {
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
                "skillId": 11_223_344 + (i + shift) % skills,
                "skillName": format!("Skill{}", (i + shift) % skills),
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

/// A `/skills/activity` response for `n` skills.
fn skills_activity(n: usize) -> String {
    let rows: Vec<_> = (0..n)
        .map(|i| {
            json!({
                "serverTime": "2025-03-14T15:02:11.447Z", "businessUnitId": 4607084,
                "agentsACW": 1, "agentsAvailable": 3, "agentsIdle": 3, "agentsLoggedIn": 12,
                "agentsUnavailable": 3, "agentsWorking": 6, "campaignId": 1234567,
                "campaignName": "Customer Care", "contactsActive": 9,
                "earliestQueueTime": "2025-03-14T15:00:49.120Z", "emailFromAddress": "",
                "isActive": true, "inSLA": 143, "isNaturalCalling": false, "isOutbound": false,
                "mediaTypeId": 4, "mediaTypeName": "Phone Call", "outSLA": 17,
                "queueCount": i % 5, "serviceLevel": 89, "serviceLevelGoal": 80,
                "serviceLevelThreshold": 30, "skillId": 11_223_344 + i,
                "skillName": format!("Skill{i}"), "skillQueueCount": i % 5,
            })
        })
        .collect();
    json!({
        "totalRecords": n, "_links": {"self": null, "next": null, "previous": null},
        "lastPollTime": "2025-03-14T15:02:11.447Z", "skillActivity": rows,
    })
    .to_string()
}

/// The empty delta CXone answers when nothing changed since `updatedSince`.
const EMPTY_AGENTS: &str = r#"{"totalRecords": 0, "_links": {"self": null, "next": null, "previous": null}, "lastPollTime": "2025-03-14T15:02:16.447Z", "agentStates": []}"#;
const EMPTY_SKILLS: &str = r#"{"totalRecords": 0, "_links": {"self": null, "next": null, "previous": null}, "lastPollTime": "2025-03-14T15:02:16.447Z", "skillActivity": []}"#;

/// One poll: parse both bodies, merge them into the stores, build the queues.
fn poll(
    skills: &mut SkillStore,
    agents: &mut AgentStore,
    skills_body: &str,
    agents_bodies: &[&str],
    today: &TodayStore,
    filter: &QueueFilter,
) -> usize {
    if let Ok(r) = serde_json::from_str::<SkillActivityResponse>(skills_body) {
        let (rows, poll) = r.into_parts();
        skills.merge(rows, poll);
    }
    for body in agents_bodies {
        if let Ok(r) = serde_json::from_str::<AgentStatesResponse>(body) {
            let (rows, poll) = r.into_parts();
            agents.merge(rows, poll);
        }
    }
    build_queues(skills, today, Some(agents), filter).len()
}

fn scaled_poll(c: &mut Criterion) {
    let skills_body = skills_activity(1_000);
    // Two full answers, so every agent has been seen on two skills.
    let first = agents_states_on(10_000, 1_000, 0);
    let second = agents_states_on(10_000, 1_000, 500);
    let today = TodayStore::default();
    let Ok(filter) = QueueFilter::new(&[]) else {
        return;
    };
    let mut g = c.benchmark_group("cxone 1000 skills / 10000 agents");
    g.sample_size(10);
    g.bench_function("full poll: parse + merge + count", |b| {
        b.iter(|| {
            let mut skills = SkillStore::default();
            let mut agents = AgentStore::default();
            poll(
                &mut skills,
                &mut agents,
                black_box(&skills_body),
                &[&first, &second],
                &today,
                &filter,
            )
        })
    });
    let mut skills = SkillStore::default();
    let mut agents = AgentStore::default();
    poll(
        &mut skills,
        &mut agents,
        &skills_body,
        &[&first, &second],
        &today,
        &filter,
    );
    g.bench_function("empty delta poll: parse + merge + count", |b| {
        b.iter(|| {
            poll(
                &mut skills,
                &mut agents,
                black_box(EMPTY_SKILLS),
                &[EMPTY_AGENTS],
                &today,
                &filter,
            )
        })
    });
    g.finish();
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

criterion_group!(benches, bench, scaled_poll);
criterion_main!(benches);
