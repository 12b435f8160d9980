//! Erlang B and Erlang C (M/M/N) by the stable recursion, with the contact-centre measures
//! built on them: probability of waiting, service level P(W ≤ t), ASA, occupancy and the
//! minimum number of agents for a service-level target.
//!
//! Conventions (REFERENCE.md §2), which every function here follows:
//!
//! | case | prob. wait | service level | ASA | occupancy |
//! |---|---|---|---|---|
//! | no traffic (A ≤ 0) | 0 | 1 | 0 | 0 |
//! | unstable (N ≤ A, including N = 0) | 1 | 0 | `None` (infinite) | 1 |
//! | threshold t = 0 | C | 1 − C | as usual | as usual |
//!
//! Units: A in Erlangs (λ·AHT), AHT and t in seconds, N an integer number of agents.
//! Every function is total: any input, finite or not, returns a number, never NaN for
//! finite inputs and never a panic.

pub use super::special::{erfc, normal_cdf, poisson_at_least, poisson_pmf};

/// Offered traffic in Erlangs, A = λ·AHT, from a rate per hour and a handle time in seconds.
/// Multiplies before dividing so that whole-number inputs give exact results (600 × 240 /
/// 3600 = 40 exactly); this matters because staffing starts at floor(A) + 1.
pub fn traffic_erlangs(calls_per_hour: f64, aht_s: f64) -> f64 {
    calls_per_hour * aht_s / 3600.0
}

/// True when the queue has a steady state: no traffic at all, or more agents than Erlangs.
pub fn is_stable(agents: u32, traffic: f64) -> bool {
    !has_traffic(traffic) || f64::from(agents) > traffic
}

/// Erlang B, the blocking probability of N servers with no queue:
/// B(N, A) = (Aᴺ/N!) / Σ_{k≤N} Aᵏ/k!.
///
/// Computed by the recursion B₀ = 1, B_k = A·B_{k−1} / (k + A·B_{k−1}) (REFERENCE.md §3),
/// whose every intermediate lies in [0, 1], so there are no factorials and no overflow at any
/// N. Cost is O(N); two shortcuts keep huge inputs cheap: the loop stops once B is subnormal
/// (< 2.2e-308, returned as 0), and for N and A in the hundreds of thousands it starts just
/// below min(N, A), a start the recursion provably forgets. Together they bound the cost
/// by O(√A).
pub fn erlang_b(agents: u32, traffic: f64) -> f64 {
    if !has_traffic(traffic) {
        return if agents == 0 { 1.0 } else { 0.0 };
    }
    if traffic.is_infinite() {
        return 1.0;
    }
    let (start, mut b) = recursion_start(agents, traffic);
    for k in start + 1..=agents {
        b = next_erlang_b(b, k, traffic);
        if b == 0.0 {
            break;
        }
    }
    b
}

/// Erlang C, the probability that a call waits: C = N·B / (N − A·(1 − B)).
/// 0 without traffic, 1 when unstable (N ≤ A).
pub fn erlang_c(agents: u32, traffic: f64) -> f64 {
    if !has_traffic(traffic) {
        return 0.0;
    }
    if !is_stable(agents, traffic) {
        return 1.0;
    }
    erlang_c_from_b(agents, traffic, erlang_b(agents, traffic))
}

/// Service level P(W ≤ t) = 1 − C·exp(−(N − A)·t / AHT): the share of calls answered within
/// `threshold_s` seconds. 1 without traffic, 0 when unstable; t = 0 gives 1 − C.
pub fn service_level(agents: u32, traffic: f64, aht_s: f64, threshold_s: f64) -> f64 {
    if !has_traffic(traffic) {
        return 1.0;
    }
    if !is_stable(agents, traffic) {
        return 0.0;
    }
    let b = erlang_b(agents, traffic);
    service_level_from_b(agents, traffic, aht_s, threshold_s, b)
}

/// Average speed of answer over all calls (zero waits included): ASA = C·AHT / (N − A).
/// `Some(0)` without traffic, `None` (infinite: the queue grows without bound) when unstable.
pub fn asa_s(agents: u32, traffic: f64, aht_s: f64) -> Option<f64> {
    if !has_traffic(traffic) {
        return Some(0.0);
    }
    if !is_stable(agents, traffic) {
        return None;
    }
    let c = erlang_c_from_b(agents, traffic, erlang_b(agents, traffic));
    Some(asa_from_c(agents, traffic, aht_s, c))
}

/// Agent occupancy A/N: 0 without traffic, 1 when unstable (all agents permanently busy).
pub fn occupancy(agents: u32, traffic: f64) -> f64 {
    if !has_traffic(traffic) {
        return 0.0;
    }
    if !is_stable(agents, traffic) {
        return 1.0;
    }
    traffic / f64::from(agents)
}

/// Every Erlang C measure for one staffing level, sharing a single Erlang B evaluation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangCMetrics {
    /// Offered traffic A in Erlangs (the input, echoed).
    pub traffic_erlangs: f64,
    /// Probability that a call waits (Erlang C).
    pub prob_wait: f64,
    /// P(W ≤ threshold).
    pub service_level: f64,
    /// Mean wait over all calls in seconds; `None` when unstable.
    pub asa_s: Option<f64>,
    /// A/N.
    pub occupancy: f64,
    /// N > A (or no traffic).
    pub stable: bool,
}

/// All Erlang C measures for `agents` agents, `traffic` Erlangs, handle time `aht_s` and
/// service-level threshold `threshold_s`, with the conventions of the module doc.
pub fn erlang_c_metrics(agents: u32, traffic: f64, aht_s: f64, threshold_s: f64) -> ErlangCMetrics {
    if !has_traffic(traffic) || !is_stable(agents, traffic) {
        return ErlangCMetrics {
            traffic_erlangs: traffic,
            prob_wait: erlang_c(agents, traffic),
            service_level: service_level(agents, traffic, aht_s, threshold_s),
            asa_s: asa_s(agents, traffic, aht_s),
            occupancy: occupancy(agents, traffic),
            stable: is_stable(agents, traffic),
        };
    }
    let b = erlang_b(agents, traffic);
    let c = erlang_c_from_b(agents, traffic, b);
    ErlangCMetrics {
        traffic_erlangs: traffic,
        prob_wait: c,
        service_level: service_level_from_c(agents, traffic, aht_s, threshold_s, c),
        asa_s: Some(asa_from_c(agents, traffic, aht_s, c)),
        occupancy: traffic / f64::from(agents),
        stable: true,
    }
}

/// The smallest N whose Erlang C service level P(W ≤ `threshold_s`) is at least `target`.
///
/// Searches upwards from floor(A) + 1, the first stable staffing level (REFERENCE.md §3).
/// Starting at round(A + 1), as some libraries do, skips floor(A) + 1 whenever frac(A) > ½.
/// SL rises with N, so the first hit is the minimum. Erlang B is advanced one step per
/// candidate rather than recomputed, which gives bit-for-bit the same B as [`erlang_b`] at
/// O(1) per step. `Some(0)` without traffic; `None` if the target exceeds 1 (or is NaN) or the
/// answer would not fit in a `u32`. A target ≤ 0 gives floor(A) + 1.
pub fn required_agents(traffic: f64, aht_s: f64, threshold_s: f64, target: f64) -> Option<u32> {
    if !has_traffic(traffic) {
        return Some(0);
    }
    if target.is_nan() || target > 1.0 {
        return None;
    }
    let first = traffic.floor() + 1.0;
    if first > f64::from(u32::MAX) {
        return None;
    }
    let mut agents = first as u32;
    let mut b = erlang_b(agents, traffic);
    // Terminates: B underflows within O(√A) steps past A, and then SL is exactly 1.
    while service_level_from_b(agents, traffic, aht_s, threshold_s, b) < target {
        agents = agents.checked_add(1)?;
        b = next_erlang_b(b, agents, traffic);
    }
    Some(agents)
}

/// Traffic counts only when strictly positive; NaN counts as none, so it cannot leak out.
fn has_traffic(traffic: f64) -> bool {
    traffic > 0.0
}

/// One step of the Erlang B recursion, from B(k − 1) to B(k), flushing subnormals to 0.
///
/// Past A, B only shrinks, and once it is 0 it stays 0, so callers can stop. A subnormal B
/// (< 2.2e-308) is 0 for every purpose; left alone, subnormal rounding would pin it at the
/// smallest subnormal (× A/k rounds back up while A/k > ½) for up to A more steps.
fn next_erlang_b(b: f64, k: u32, traffic: f64) -> f64 {
    let ab = traffic * b;
    let next = ab / (f64::from(k) + ab);
    if next < f64::MIN_POSITIVE { 0.0 } else { next }
}

/// Below this starting index the recursion simply starts at k = 0 (exactly as ported).
const SKIP_AHEAD_FROM: f64 = 100_000.0;

/// Where the Erlang B recursion starts: (k₀, B(k₀)).
///
/// Normally (0, 1). For very large N and A it starts at k₀ = c − ⌈12√c⌉ − 1 with
/// c = min(N, A), seeded with B ≈ 1 − k₀/A (the fixed point of the recursion far below A).
/// This is safe because the recursion forgets its seed: in R = 1/B the error is multiplied
/// by k/A at each step, so over the ≥ 12√c steps from k₀ to c it shrinks by at least
/// e^{−72} ≈ 5e-32, and past A the relative error can only shrink further. The result is
/// the same B to well below f64 resolution at O(√A) instead of O(N) cost, which keeps every
/// `u32` staffing level cheap.
fn recursion_start(agents: u32, traffic: f64) -> (u32, f64) {
    let c = f64::from(agents).min(traffic);
    let k0 = (c - (12.0 * c.sqrt()).ceil() - 1.0).floor();
    if k0 < SKIP_AHEAD_FROM {
        return (0, 1.0);
    }
    (k0 as u32, 1.0 - k0 / traffic)
}

/// Erlang C from Erlang B for a stable queue, clamped to [0, 1] against rounding.
fn erlang_c_from_b(agents: u32, traffic: f64, b: f64) -> f64 {
    let n = f64::from(agents);
    (n * b / (n - traffic * (1.0 - b))).clamp(0.0, 1.0)
}

fn service_level_from_b(agents: u32, traffic: f64, aht_s: f64, threshold_s: f64, b: f64) -> f64 {
    let c = erlang_c_from_b(agents, traffic, b);
    service_level_from_c(agents, traffic, aht_s, threshold_s, c)
}

fn service_level_from_c(agents: u32, traffic: f64, aht_s: f64, threshold_s: f64, c: f64) -> f64 {
    (1.0 - c * wait_tail(agents, traffic, aht_s, threshold_s)).clamp(0.0, 1.0)
}

/// P(W > t | W > 0) = exp(−(N − A)·t / AHT): a delayed call's wait is exponential with rate
/// (N − A)/AHT. t ≤ 0 gives 1 (every delayed call misses a zero threshold); a non-positive
/// AHT is read as instant service, so a positive threshold is always met.
fn wait_tail(agents: u32, traffic: f64, aht_s: f64, threshold_s: f64) -> f64 {
    if threshold_s.is_nan() || threshold_s <= 0.0 {
        return 1.0;
    }
    if aht_s.is_nan() || aht_s <= 0.0 {
        return 0.0;
    }
    let exponent = (f64::from(agents) - traffic) * threshold_s / aht_s;
    if exponent.is_nan() {
        // Only ∞/∞ (infinite threshold and handle time) gets here: no information.
        return 1.0;
    }
    (-exponent).exp()
}

fn asa_from_c(agents: u32, traffic: f64, aht_s: f64, c: f64) -> f64 {
    if c == 0.0 || aht_s.is_nan() || aht_s <= 0.0 {
        return 0.0;
    }
    c * aht_s / (f64::from(agents) - traffic)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::test_support::{assert_close, f64_field, load_csv, tolerance_for};
    use proptest::prelude::*;

    /// Erlang B by the plain recursion from k = 0, with no shortcuts, for comparison.
    fn plain_erlang_b(agents: u32, traffic: f64) -> f64 {
        (1..=agents).fold(1.0, |b, k| next_erlang_b(b, k, traffic))
    }

    #[test]
    fn erlang_c_vectors() {
        let rows = load_csv("erlang_c_vectors.csv");
        for row in &rows {
            let rate = f64_field(row, "arrival_rate_per_hour");
            let aht = f64_field(row, "aht_seconds");
            let agents: u32 = row["agents"].parse().expect("agents");
            let t = f64_field(row, "threshold_seconds");
            let a = traffic_erlangs(rate, aht);
            let want_a = f64_field(row, "traffic_erlangs");
            let rel = tolerance_for(f64::from(agents), want_a);
            let ctx = format!("{row:?}");
            let m = erlang_c_metrics(agents, a, aht, t);
            assert_close(a, want_a, rel, &ctx);
            assert_close(m.prob_wait, f64_field(row, "prob_wait"), rel, &ctx);
            assert_close(m.service_level, f64_field(row, "service_level"), rel, &ctx);
            assert_close(m.occupancy, f64_field(row, "occupancy"), rel, &ctx);
            assert_close(
                m.asa_s.unwrap_or(f64::INFINITY),
                f64_field(row, "asa_seconds"),
                rel,
                &ctx,
            );
            assert_eq!(m.stable, row["stable"] == "true", "{ctx}");
            // The single-measure functions agree with the combined one.
            assert_eq!(m.prob_wait, erlang_c(agents, a), "{ctx}");
            assert_eq!(m.service_level, service_level(agents, a, aht, t), "{ctx}");
            assert_eq!(m.asa_s, asa_s(agents, a, aht), "{ctx}");
            assert_eq!(m.occupancy, occupancy(agents, a), "{ctx}");
        }
    }

    #[test]
    fn required_agents_vectors() {
        let rows = load_csv("required_agents_vectors.csv");
        for row in &rows {
            let rate = f64_field(row, "arrival_rate_per_hour");
            let aht = f64_field(row, "aht_seconds");
            let t = f64_field(row, "threshold_seconds");
            let target = f64_field(row, "sl_target_pct") / 100.0;
            let a = traffic_erlangs(rate, aht);
            let ctx = format!("{row:?}");
            let want: u32 = row["min_agents"].parse().expect("min_agents");
            let got = required_agents(a, aht, t, target);
            assert_eq!(got, Some(want), "{ctx}");
            let rel = tolerance_for(f64::from(want), a);
            let m = erlang_c_metrics(want, a, aht, t);
            assert_close(
                m.service_level,
                f64_field(row, "service_level_at_min"),
                rel,
                &ctx,
            );
            assert_close(m.prob_wait, f64_field(row, "prob_wait_at_min"), rel, &ctx);
            assert_close(
                m.asa_s.unwrap_or(f64::INFINITY),
                f64_field(row, "asa_seconds_at_min"),
                rel,
                &ctx,
            );
            assert_close(m.occupancy, f64_field(row, "occupancy_at_min"), rel, &ctx);
            if want > 0 {
                let below = service_level(want - 1, a, aht, t);
                assert_close(
                    below,
                    f64_field(row, "service_level_at_min_minus_1"),
                    rel,
                    &ctx,
                );
            }
        }
    }

    #[test]
    fn starts_at_floor_plus_one_not_round() {
        // A = 10.6, 15 % target: 11 agents suffice; round(A + 1) = 12 would skip it.
        let a = traffic_erlangs(212.0, 180.0);
        assert_eq!(required_agents(a, 180.0, 20.0, 0.15), Some(11));
    }

    #[test]
    fn mm1_identities() {
        // N = 1: C = ρ, ASA = ρ·AHT/(1 − ρ), SL = 1 − ρ·e^{−(1−ρ)t/AHT}.
        let (rho, aht, t) = (0.37, 200.0, 15.0);
        assert!((erlang_c(1, rho) - rho).abs() < 1e-15);
        let asa = asa_s(1, rho, aht).expect("stable");
        assert!((asa - rho * aht / (1.0 - rho)).abs() < 1e-12);
        let sl = 1.0 - rho * (-(1.0 - rho) * t / aht).exp();
        assert!((service_level(1, rho, aht, t) - sl).abs() < 1e-15);
    }

    #[test]
    fn edge_conventions() {
        // No traffic.
        let m = erlang_c_metrics(5, 0.0, 180.0, 20.0);
        assert_eq!(
            (m.prob_wait, m.service_level, m.asa_s, m.occupancy),
            (0.0, 1.0, Some(0.0), 0.0)
        );
        assert!(m.stable);
        // Unstable, including N = A and N = 0.
        for (n, a) in [(10, 10.0), (3, 10.0), (0, 1.0)] {
            let m = erlang_c_metrics(n, a, 180.0, 20.0);
            assert_eq!(
                (m.prob_wait, m.service_level, m.asa_s, m.occupancy),
                (1.0, 0.0, None, 1.0)
            );
            assert!(!m.stable);
        }
        // Threshold 0 gives 1 − C.
        let m = erlang_c_metrics(12, 10.0, 180.0, 0.0);
        assert_eq!(m.service_level, 1.0 - m.prob_wait);
        // Zero traffic staffing and unattainable targets.
        assert_eq!(required_agents(0.0, 180.0, 20.0, 0.8), Some(0));
        assert_eq!(required_agents(10.0, 180.0, 20.0, 1.01), None);
        assert_eq!(required_agents(10.0, 180.0, 20.0, f64::NAN), None);
        assert_eq!(required_agents(10.0, 180.0, 20.0, 0.0), Some(11));
        assert_eq!(required_agents(5e9, 180.0, 20.0, 0.8), None);
        // A target of exactly 1 is reached once C·e^{…} rounds away.
        let n = required_agents(10.0, 180.0, 20.0, 1.0).expect("reachable");
        assert_eq!(service_level(n, 10.0, 180.0, 20.0), 1.0);
        assert!(service_level(n - 1, 10.0, 180.0, 20.0) < 1.0);
    }

    #[test]
    fn n_2000_is_exact_and_finite() {
        // A = 1000, N = 2000: C ≈ 3.06e-170 (vector row), far below where A^N/N! overflows.
        let c = erlang_c(2000, 1000.0);
        assert!((c / 3.061241155e-170 - 1.0).abs() < 1e-9);
        let sl = service_level(2000, 1999.0, 300.0, 20.0);
        assert!((sl / 0.09029818629 - 1.0).abs() < 1e-6);
        assert_eq!(required_agents(2000.0, 300.0, 20.0, 0.8), Some(2017));
    }

    #[test]
    fn skip_ahead_matches_the_plain_recursion() {
        for (n, a) in [
            (150_000, 149_000.0),
            (150_000, 160_000.0),
            (200_000, 199_000.0),
            (400_000, 399_123.4),
            (120_000, 5e9),
        ] {
            let fast = erlang_b(n, a);
            let plain = plain_erlang_b(n, a);
            assert!(fast > 0.0, "B({n}, {a}) should not underflow");
            assert!(
                ((fast - plain) / plain).abs() < 1e-12,
                "B({n}, {a}): {fast} vs {plain}"
            );
        }
        // Far past A both underflow to exactly 0.
        assert_eq!(erlang_b(200_000, 150_000.0), 0.0);
        assert_eq!(plain_erlang_b(200_000, 150_000.0), 0.0);
    }

    #[test]
    fn huge_staffing_levels_are_cheap() {
        assert_eq!(erlang_b(u32::MAX, 10.0), 0.0);
        assert_eq!(erlang_b(u32::MAX, 4.0e9), 0.0);
        let b = erlang_b(u32::MAX, 4.294e9);
        assert!(b > 0.0 && b < 1.0);
        // B underflows long before N = 2A, where subnormal rounding would finally let go.
        assert_eq!(erlang_b(4_000_000_000, 2.0e9), 0.0);
        let sl = service_level(u32::MAX, 4.2e9, 300.0, 20.0);
        assert!((0.0..=1.0).contains(&sl));
    }

    proptest! {
        #[test]
        fn sl_rises_with_agents(a in 0.0f64..300.0, n in 0u32..400, aht in 1.0f64..3600.0, t in 0.0f64..600.0) {
            prop_assert!(service_level(n + 1, a, aht, t) >= service_level(n, a, aht, t));
        }

        #[test]
        fn sl_rises_with_threshold(a in 0.0f64..300.0, n in 0u32..400, aht in 1.0f64..3600.0,
                                   t in 0.0f64..600.0, dt in 0.0f64..600.0) {
            prop_assert!(service_level(n, a, aht, t + dt) >= service_level(n, a, aht, t));
        }

        #[test]
        fn prob_wait_is_a_probability(a in any::<f64>(), n in 0u32..5000) {
            let c = erlang_c(n, a);
            prop_assert!((0.0..=1.0).contains(&c));
            let b = erlang_b(n, a);
            prop_assert!((0.0..=1.0).contains(&b));
        }

        #[test]
        fn required_agents_is_minimal(a in 0.01f64..500.0, aht in 1.0f64..3600.0,
                                      t in 0.0f64..300.0, target in 0.01f64..0.999) {
            let n = required_agents(a, aht, t, target).expect("reachable");
            prop_assert!(service_level(n, a, aht, t) >= target);
            let first = a.floor() as u32 + 1;
            prop_assert!(n >= first);
            if n > first {
                prop_assert!(service_level(n - 1, a, aht, t) < target);
            }
        }

        #[test]
        fn no_nan_for_finite_inputs(n in any::<u32>(), a in -1e12f64..1e12, aht in any::<f64>(),
                                    t in any::<f64>(), target in any::<f64>()) {
            prop_assume!(aht.is_finite() && t.is_finite() && target.is_finite());
            let m = erlang_c_metrics(n, a, aht, t);
            prop_assert!(!m.prob_wait.is_nan() && !m.service_level.is_nan() && !m.occupancy.is_nan());
            prop_assert!(!m.asa_s.is_some_and(f64::is_nan));
            prop_assert!((0.0..=1.0).contains(&m.service_level));
            let _ = required_agents(a.min(1e6), aht, t, target.min(0.999_999));
        }

        #[test]
        fn n_2000_works(a in 1.0f64..2100.0, aht in 1.0f64..3600.0, t in 0.0f64..600.0) {
            let m = erlang_c_metrics(2000, a, aht, t);
            prop_assert!((0.0..=1.0).contains(&m.prob_wait));
            prop_assert!((0.0..=1.0).contains(&m.service_level));
            prop_assert_eq!(m.stable, a < 2000.0);
        }
    }
}
