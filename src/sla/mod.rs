//! Pure service-level maths for the wallboard: no I/O, no clock, no vendor names.
//!
//! * [`erlang`] — Erlang B and C by the stable recursion, service level P(W ≤ t), ASA,
//!   occupancy, required agents (REFERENCE.md §2–§3).
//! * [`special`] — erfc (Cody), the normal CDF and the Poisson tail P(k, x).
//! * [`mod@service_level`] — the four SL% counting variants, short abandons, locked misses (§5).
//! * [`risk`] — the real-time SLA risk of a queue and its GREEN/AMBER/RED status (§6).
//! * [`estimate`] — live arrival-rate and AHT estimators (continuous-time EWMAs).
//! * [`calculator`] — `queuetop erlang`: validation, the JSON report and the text table.
//!
//! Everything is total: finite inputs never produce NaN or a panic, and values that do not
//! exist (an SL with no calls, the ASA of an unstable queue) are `None`. Vector-tested
//! against the exact oracle's CSVs in `tests/data/sla/` and property-tested.

pub mod calculator;
pub mod erlang;
pub mod estimate;
pub mod forecast;
pub mod risk;
pub mod service_level;
pub mod special;

#[cfg(test)]
mod test_support;

pub use calculator::{ErlangArgs, ErlangReport, erlang_report, render_json, render_table};
pub use erlang::{
    ErlangCMetrics, asa_s, erlang_b, erlang_c, erlang_c_metrics, is_stable, occupancy,
    required_agents, service_level, traffic_erlangs,
};
pub use estimate::{AhtEstimator, ArrivalRateEstimator};
pub use risk::{RiskInputs, RiskOutput, RiskPolicy, Status, approximate_waiting_ages, sla_risk};
pub use service_level::{SlCounters, SlFraction, SlRules, SlVariant, locked_misses, sl_fraction};
pub use special::{erfc, normal_cdf, poisson_at_least, poisson_pmf};
