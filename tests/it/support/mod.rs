//! Test support shared by every integration module: the demo harness, the fake vendor
//! servers and the schema-subset validator.
#![allow(dead_code)]

pub mod fake_cxone;
pub mod fake_genesys;
pub mod harness;
pub mod nats;
pub mod schema;
pub mod trap;

/// Cases for a property test: `default`, or `QUEUETOP_FUZZ_CASES` for a long run, e.g.
/// `QUEUETOP_FUZZ_CASES=1000000 cargo test --release --test it cxone_proptest`.
pub fn fuzz_cases(default: u32) -> u32 {
    std::env::var("QUEUETOP_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

use std::time::Duration;

use queuetop::source::http::{HttpSettings, RetryPolicy};

/// Short timeouts and backoff so faults against the fakes resolve quickly; a Retry-After up
/// to 5 s is waited inside the call.
pub fn fast_http() -> HttpSettings {
    HttpSettings {
        timeout: Duration::from_millis(800),
        connect_timeout: Duration::from_millis(500),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(5),
        },
        user_agent: "queuetop-test".into(),
        ..HttpSettings::default()
    }
}
