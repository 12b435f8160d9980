//! Real-time SLA risk (REFERENCE.md §6): from a live snapshot of one queue, will the SL
//! window (interval or day) end at or above target, how likely is a breach, and why?
//!
//! The pieces, each a standard result:
//!
//! 1. **Current SL** from the window's counters for the configured variant, also with calls
//!    already waiting past T counted as misses (Cisco's SL-event rule).
//! 2. **Live calls** (FCFS, oldest first): a call whose age has reached T is a miss; the first
//!    `idle` calls are taken at once; call j after that needs k = j − idle + 1 completions at
//!    total rate N/AHT within its remaining slack T − aⱼ, so its hit probability is the
//!    Poisson tail P(k, (T − aⱼ)·N/AHT) — Whitt's (1999) queue-length delay predictor.
//! 3. **Future callers**: F = λ·R expected arrivals before the window ends, each a hit with the
//!    steady-state Erlang C probability p_f = SL(N, A = λ·AHT, T).
//! 4. **Projection** (num + Σpⱼ + F·p_f)/(den + q + F) and the **best case** with every
//!    unlocked call a hit; a best case below target means the window is unrecoverable.
//! 5. **Breach probability**: D = (1 − g)·hits − g·misses is ≥ 0 iff the target is met; with
//!    independent live outcomes and Poisson-thinned future calls, D is approximately normal
//!    with the mean and variance below, and P(breach) = Φ(−μ_D/σ_D).
//! 6. **Staffing**: the Erlang C required agents against staffed agents.
//! 7. **Recovery arithmetic** on exact decimal targets (0.8 is 4/5, not 0.8000000000000000444).
//! 8. **Status** GREEN / AMBER / RED while the window is open, MET / BREACHED / NO_CALLS
//!    once it is closed (no time left and nobody waiting).
//!
//! Limits (documented in the reference): no abandonment in the live predictions, steady
//! state for future callers, independence in σ (so read P(breach) as an indicator — the RED
//! rule also fires on the projection alone, which does not rely on independence).

use super::erlang::{
    erlang_c, normal_cdf, poisson_at_least, required_agents, service_level, traffic_erlangs,
};
use super::service_level::{SlCounters, SlFraction, SlVariant, locked_misses, sl_fraction};

/// One queue's live snapshot and SL policy. Times in seconds. `Default` is an empty, closed
/// window with the configuration defaults (80 % within 20 s, variant `offered`).
#[derive(Debug, Clone, PartialEq)]
pub struct RiskInputs {
    /// SL target g as a fraction, e.g. 0.8. Clamped to [0, 1]; NaN is read as 1 (strictest).
    pub target: f64,
    /// SL threshold T: a wait ≤ T is a hit.
    pub threshold_s: f64,
    /// Which calls count (see [`SlVariant`]).
    pub variant: SlVariant,
    /// R: time left in the SL window (window end − now). 0 once the window has ended.
    pub window_remaining_s: f64,
    /// The window's counters so far, short abandons already removed.
    pub counters: SlCounters,
    /// Exact current waits of the queued calls, oldest first (sorted defensively anyway).
    /// If only a count and the oldest age are known, use [`approximate_waiting_ages`].
    pub waiting_ages_s: Vec<f64>,
    /// N: agents who can take this queue's calls (idle + busy + wrap, no aux/break).
    pub agents_staffed: u32,
    /// I: agents ready and not on a contact (capped at `agents_staffed`).
    pub agents_idle: u32,
    /// λ for the rest of the window in calls per hour: an EWMA of arrivals
    /// ([`super::estimate::ArrivalRateEstimator`]) or, better, the WFM forecast.
    pub arrival_rate_per_hour: f64,
    /// Recent AHT (talk + hold + wrap), e.g. from [`super::estimate::AhtEstimator`].
    pub aht_s: f64,
}

impl Default for RiskInputs {
    fn default() -> Self {
        RiskInputs {
            target: 0.8,
            threshold_s: 20.0,
            variant: SlVariant::Offered,
            window_remaining_s: 0.0,
            counters: SlCounters::default(),
            waiting_ages_s: Vec::new(),
            agents_staffed: 0,
            agents_idle: 0,
            arrival_rate_per_hour: 0.0,
            aht_s: 0.0,
        }
    }
}

/// Status thresholds; the defaults are §6's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiskPolicy {
    /// AMBER at or above this breach probability (default 0.2).
    pub amber_probability: f64,
    /// RED at or above this breach probability (default 0.5, i.e. projected SL < target).
    pub red_probability: f64,
    /// The wallboard's consistency rules on top of §6 (see [`RiskPolicy::wallboard`]).
    pub consistent: bool,
    /// How many calls' worth of evidence the queueing model's hit probability for future
    /// calls is given against the window's own hit rate so far: p_f = (num + K·p_model) /
    /// (den + K). 0 = the model alone (§6 exactly); a window with few calls leans on the
    /// model, a busy one on what it has seen.
    pub model_weight_calls: f64,
}

impl Default for RiskPolicy {
    /// REFERENCE.md §6 exactly (what the test vectors encode).
    fn default() -> Self {
        RiskPolicy {
            amber_probability: 0.2,
            red_probability: 0.5,
            consistent: false,
            model_weight_calls: 0.0,
        }
    }
}

/// The wallboard's [`RiskPolicy::model_weight_calls`], chosen with the calibration harness
/// (`cargo run --release --example calibrate`): over demo days, 1–5 calls all beat the
/// model alone and persistence; 3 gave the best breach scores.
pub const WALLBOARD_MODEL_WEIGHT_CALLS: f64 = 3.0;

impl RiskPolicy {
    /// §6 with the rules a wallboard needs so that status and risk never contradict:
    /// * the breach probability is 1 when even the best case misses the target;
    /// * callers waiting past the threshold with no agent free make the queue RED (one
    ///   past the threshold makes it at least AMBER, as in §6);
    /// * a queue with nobody waiting, the window at or above target and an agent free is
    ///   never RED (at most AMBER);
    /// * the hit probability of future calls leans on the window's own hit rate so far
    ///   ([`RiskPolicy::model_weight_calls`]);
    /// * the breach probability reported lies in the status's band (GREEN below the amber
    ///   threshold, AMBER below the red one, RED at or above it), so the risk shown always
    ///   agrees with the colour.
    pub fn wallboard() -> RiskPolicy {
        RiskPolicy {
            consistent: true,
            model_weight_calls: WALLBOARD_MODEL_WEIGHT_CALLS,
            ..RiskPolicy::default()
        }
    }
}

/// The queue's SLA status. Colour is never the only signal: `as_str` gives the word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// Window open, on course.
    Green,
    /// Window open: breach probability ≥ amber threshold, or understaffed, or a call is
    /// already waiting past the threshold.
    Amber,
    /// Window open: unrecoverable at forecast volume, or breach probability ≥ red threshold.
    Red,
    /// Window closed at or above target.
    Met,
    /// Window closed below target.
    Breached,
    /// Window closed with no counted calls.
    NoCalls,
    /// The queue is outside its hours with nobody waiting and nobody staffed (decided by
    /// the model, which knows the hours; the risk engine never returns it).
    Closed,
}

impl Status {
    /// "GREEN", "AMBER", "RED", "MET", "BREACHED", "NO_CALLS" or "CLOSED".
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Green => "GREEN",
            Status::Amber => "AMBER",
            Status::Red => "RED",
            Status::Met => "MET",
            Status::Breached => "BREACHED",
            Status::NoCalls => "NO_CALLS",
            Status::Closed => "CLOSED",
        }
    }

    /// True for the verdicts of a closed window (MET, BREACHED, NO_CALLS).
    pub fn is_final(self) -> bool {
        matches!(self, Status::Met | Status::Breached | Status::NoCalls)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every §6 output, plus a few intermediate values worth showing. `None` where a value is
/// undefined (no counted calls, a zero threshold); never NaN.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskOutput {
    /// num/den for the variant; `None` before the first counted call.
    pub current_sl: Option<f64>,
    /// num/(den + locked misses).
    pub current_sl_incl_waiting_over_t: Option<f64>,
    /// q: calls waiting.
    pub waiting: usize,
    /// L: calls waiting whose age has reached T.
    pub locked_misses: u64,
    /// Age of the oldest waiting call (0 with an empty queue).
    pub longest_wait_s: f64,
    /// Oldest age / T; `None` when T = 0.
    pub longest_wait_over_threshold: Option<f64>,
    /// pⱼ for each waiting call, oldest first.
    pub live_hit_probabilities: Vec<f64>,
    /// Σ pⱼ.
    pub expected_live_hits: f64,
    /// A = λ·AHT in Erlangs.
    pub traffic_erlangs: f64,
    /// p_f: Erlang C SL for a call arriving now (0 if N ≤ A, 1 with no arrivals).
    pub predicted_sl_new_calls: f64,
    /// Erlang C probability that a call arriving now waits.
    pub prob_wait_new_calls: f64,
    /// F = λ·R.
    pub expected_future_calls: f64,
    /// Expected end-of-window SL; `None` if no call is counted or expected at all.
    pub projected_sl: Option<f64>,
    /// End-of-window SL if every call not already lost is a hit.
    pub best_case_sl: Option<f64>,
    /// Best case below target: the window cannot be saved at forecast volume.
    pub unrecoverable: bool,
    /// μ_D/σ_D; ±∞ when nothing is uncertain any more (σ = 0).
    pub margin_z: f64,
    /// Φ(−margin_z), rounded to 4 decimals.
    pub breach_probability: f64,
    /// round(100 · P(breach)), 0–100.
    pub risk_score: u8,
    /// Smallest N meeting the target under Erlang C; `None` if out of range.
    pub required_agents: Option<u32>,
    /// required − staffed; positive means short.
    pub staffing_gap: Option<i64>,
    /// Consecutive hits needed to bring the current SL back to target (0 if at or above);
    /// `None` when that is impossible (a target of 100 % after a miss).
    pub calls_needed_to_recover: Option<u64>,
    /// Misses the window can still absorb at forecast volume (negative: already too many).
    pub misses_budget_remaining: i64,
    /// GREEN / AMBER / RED / MET / BREACHED / NO_CALLS.
    pub status: Status,
}

/// Computes the real-time SLA risk of one queue (see the module doc for the method).
pub fn sla_risk(inputs: &RiskInputs, policy: &RiskPolicy) -> RiskOutput {
    let s = Snapshot::from_inputs(inputs);
    let q = s.ages.len();
    let locked = locked_misses(&s.ages, s.threshold_s);
    let live = live_hit_probabilities(&s);
    let expected_live_hits: f64 = live.iter().sum();
    let mut future = FutureCalls::forecast(&s);
    let counted = s.fraction;
    let k = policy.model_weight_calls;
    if k > 0.0 && k.is_finite() && counted.denominator > 0 {
        let (num, den) = (counted.numerator as f64, counted.denominator as f64);
        future.hit_probability = (num + k * future.hit_probability) / (den + k);
    }

    let projection = Projection::new(&s, locked, expected_live_hits, &future);
    let (margin_z, mut p_breach) = breach_margin(&s.target, counted, &live, &future);
    if policy.consistent && projection.unrecoverable {
        p_breach = 1.0;
    }
    let mut breach_probability = round_to_basis_points(p_breach);
    let required = required_agents(future.traffic, s.aht_s, s.threshold_s, s.target.value);
    let staffing_gap = required.map(|n| i64::from(n) - i64::from(s.staffed));
    let longest_wait_s = s.ages.first().copied().unwrap_or(0.0);

    let status = if s.remaining_s <= 0.0 && q == 0 {
        closed_window_status(counted, &s.target)
    } else {
        let unrecoverable = projection.unrecoverable;
        let status = open_window_status(
            policy,
            unrecoverable,
            breach_probability,
            staffing_gap,
            locked,
        );
        if !policy.consistent {
            status
        } else {
            let unserved_past_threshold = locked > 0 && s.idle == 0;
            let quiet = q == 0 && s.idle > 0 && target_met_so_far(counted, &s.target);
            let status = match status {
                Status::Amber if unserved_past_threshold => Status::Red,
                Status::Red if quiet => Status::Amber,
                other => other,
            };
            breach_probability = in_band(policy, status, breach_probability);
            status
        }
    };
    if policy.consistent {
        p_breach = breach_probability;
    }

    RiskOutput {
        current_sl: counted.value(),
        current_sl_incl_waiting_over_t: counted.with_locked_misses(locked).value(),
        waiting: q,
        locked_misses: locked,
        longest_wait_s,
        longest_wait_over_threshold: (s.threshold_s > 0.0).then(|| longest_wait_s / s.threshold_s),
        expected_live_hits,
        live_hit_probabilities: live,
        traffic_erlangs: future.traffic,
        predicted_sl_new_calls: future.hit_probability,
        prob_wait_new_calls: future.prob_wait,
        expected_future_calls: future.expected_calls,
        projected_sl: projection.projected_sl,
        best_case_sl: projection.best_case_sl,
        unrecoverable: projection.unrecoverable,
        margin_z,
        breach_probability,
        // Floored under the wallboard rules, so a GREEN risk never reads as the amber threshold.
        risk_score: if policy.consistent {
            (100.0 * p_breach + 1e-9).floor() as u8
        } else {
            (100.0 * p_breach).round_ties_even() as u8
        },
        required_agents: required,
        staffing_gap,
        calls_needed_to_recover: calls_needed_to_recover(counted, &s.target),
        misses_budget_remaining: misses_budget_remaining(&s, locked, future.expected_calls),
        status,
    }
}

/// Approximate waiting ages when a source gives only the queue length and the oldest age:
/// aⱼ ≈ max(0, a₀ − j/λ), i.e. the calls behind the oldest arrived at the mean rate
/// (REFERENCE.md §6). With no known arrival rate the others are taken as just arrived.
pub fn approximate_waiting_ages(
    count: usize,
    oldest_age_s: f64,
    arrival_rate_per_hour: f64,
) -> Vec<f64> {
    let oldest = clamp_input(oldest_age_s);
    let rate = clamp_input(arrival_rate_per_hour);
    let spacing_s = if rate > 0.0 {
        3600.0 / rate
    } else {
        f64::INFINITY
    };
    (0..count)
        .map(|j| match j {
            0 => oldest,
            _ => (oldest - j as f64 * spacing_s).max(0.0),
        })
        .collect()
}

/// Largest magnitude accepted for any time or rate input (about 31 700 years in seconds).
/// Clamping keeps every product below f64 overflow, so no output can become NaN.
const MAX_INPUT: f64 = 1e12;

/// NaN → 0, then clamp to [0, MAX_INPUT].
fn clamp_input(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(0.0, MAX_INPUT)
    }
}

/// The inputs after sanitising: clamped, ages sorted oldest first, counters reduced to the
/// variant's fraction.
struct Snapshot {
    target: DecimalTarget,
    threshold_s: f64,
    remaining_s: f64,
    ages: Vec<f64>,
    staffed: u32,
    idle: u32,
    rate_per_hour: f64,
    aht_s: f64,
    fraction: SlFraction,
}

impl Snapshot {
    fn from_inputs(inputs: &RiskInputs) -> Snapshot {
        let mut ages: Vec<f64> = inputs
            .waiting_ages_s
            .iter()
            .map(|&a| clamp_input(a))
            .collect();
        // Sources promise oldest first; sorting only when they break the promise is cheap.
        if !ages.is_sorted_by(|a, b| a >= b) {
            ages.sort_by(|a, b| b.total_cmp(a));
        }
        Snapshot {
            target: DecimalTarget::new(inputs.target),
            threshold_s: clamp_input(inputs.threshold_s),
            remaining_s: clamp_input(inputs.window_remaining_s),
            ages,
            staffed: inputs.agents_staffed,
            idle: inputs.agents_idle.min(inputs.agents_staffed),
            rate_per_hour: clamp_input(inputs.arrival_rate_per_hour),
            aht_s: clamp_input(inputs.aht_s),
            fraction: sl_fraction(inputs.variant, &inputs.counters),
        }
    }
}

/// pⱼ for each waiting call, oldest first (step 2 of the module doc).
fn live_hit_probabilities(s: &Snapshot) -> Vec<f64> {
    let completion_rate = f64::from(s.staffed) / s.aht_s;
    let can_serve = s.staffed > 0 && s.aht_s > 0.0;
    s.ages
        .iter()
        .enumerate()
        .map(|(j, &age)| {
            if age >= s.threshold_s {
                0.0
            } else if j < s.idle as usize {
                1.0
            } else if !can_serve {
                0.0
            } else {
                let completions_needed = u32::try_from(j - s.idle as usize + 1).unwrap_or(u32::MAX);
                poisson_at_least(completions_needed, (s.threshold_s - age) * completion_rate)
            }
        })
        .collect()
}

/// Callers expected before the window ends (step 3 of the module doc).
struct FutureCalls {
    traffic: f64,
    expected_calls: f64,
    hit_probability: f64,
    prob_wait: f64,
}

impl FutureCalls {
    fn forecast(s: &Snapshot) -> FutureCalls {
        let traffic = traffic_erlangs(s.rate_per_hour, s.aht_s);
        FutureCalls {
            traffic,
            // Multiply before dividing so whole-number inputs give an exact F.
            expected_calls: s.rate_per_hour * s.remaining_s / 3600.0,
            // No traffic gives SL 1, which also covers λ = 0 (REFERENCE.md §6 step 3).
            hit_probability: service_level(s.staffed, traffic, s.aht_s, s.threshold_s),
            prob_wait: erlang_c(s.staffed, traffic),
        }
    }

    fn expected_hits(&self) -> f64 {
        self.expected_calls * self.hit_probability
    }
}

/// End-of-window expectations (step 4 of the module doc).
struct Projection {
    projected_sl: Option<f64>,
    best_case_sl: Option<f64>,
    unrecoverable: bool,
}

impl Projection {
    /// Expected SL = (num + Σpⱼ + F·p_f)/(den + q + F); best case with every call that is not
    /// already lost a hit: (num + q − L + F)/(den + q + F). `None` with nothing to count.
    fn new(s: &Snapshot, locked: u64, expected_live_hits: f64, future: &FutureCalls) -> Self {
        let counted = s.fraction;
        let q = s.ages.len() as u64;
        let total = counted.denominator as f64 + q as f64 + future.expected_calls;
        let expected_hits = counted.numerator as f64 + expected_live_hits + future.expected_hits();
        let best_hits = counted.numerator as f64 + (q - locked) as f64 + future.expected_calls;
        let ratio = |hits: f64| (total > 0.0).then(|| hits / total);
        Projection {
            projected_sl: ratio(expected_hits),
            best_case_sl: ratio(best_hits),
            unrecoverable: total > 0.0 && s.target.exceeds_ratio(best_hits, total),
        }
    }
}

/// (margin_z, P(breach)) from the normal approximation of D (step 5 of the module doc):
/// μ_D = (num − g·den) + Σ(pⱼ − g) + F(p_f − g),
/// σ²_D = Σ pⱼ(1 − pⱼ) + F[(1 − g)²p_f + g²(1 − p_f)].
/// With σ = 0 the outcome is certain: P = 1 if μ_D < 0, else 0, and margin_z = ±∞.
fn breach_margin(
    target: &DecimalTarget,
    counted: SlFraction,
    live: &[f64],
    future: &FutureCalls,
) -> (f64, f64) {
    let g = target.value;
    let (f, pf) = (future.expected_calls, future.hit_probability);
    // num − g·den exactly: on a window sitting exactly on target this must be 0, not ±1e-12.
    let banked = target.surplus_units(counted) as f64 / target.scale as f64;
    let mean = banked + live.iter().map(|p| p - g).sum::<f64>() + f * (pf - g);
    let variance = live.iter().map(|p| p * (1.0 - p)).sum::<f64>()
        + f * ((1.0 - g).powi(2) * pf + g.powi(2) * (1.0 - pf));
    if variance > 0.0 {
        let z = mean / variance.sqrt();
        (z, normal_cdf(-z))
    } else if mean < 0.0 {
        (f64::NEG_INFINITY, 1.0)
    } else {
        (f64::INFINITY, 0.0)
    }
}

/// Probabilities are reported and compared to 4 decimals, so that a policy threshold of 0.2
/// means "shown as 0.2000 or more".
fn round_to_basis_points(p: f64) -> f64 {
    (p * 10_000.0).round_ties_even() / 10_000.0
}

/// ⌈(g·den − num)/(1 − g)⌉ consecutive hits if the current SL is below target, else 0.
/// `None` when no number of hits can do it (target 100 % after a miss).
fn calls_needed_to_recover(counted: SlFraction, target: &DecimalTarget) -> Option<u64> {
    let shortfall = -target.surplus_units(counted);
    if counted.denominator == 0 || shortfall <= 0 {
        return Some(0);
    }
    let miss_share = target.scale - target.units;
    if miss_share == 0 {
        return None;
    }
    let hits = (shortfall + miss_share - 1) / miss_share;
    Some(u64::try_from(hits).unwrap_or(u64::MAX))
}

/// ⌊(1 − g)(den + q + F) − (den − num) − L⌋: misses the window can still take at forecast
/// volume. The integer part is exact; F is not, so a value within rounding noise of an
/// integer is snapped to it before flooring, or 320 − 1e-13 would become 319.
fn misses_budget_remaining(s: &Snapshot, locked: u64, expected_calls: f64) -> i64 {
    let counted = s.fraction;
    let expected_den = counted.denominator as f64 + s.ages.len() as f64 + expected_calls;
    if expected_den <= 0.0 {
        return 0;
    }
    let t = &s.target;
    let miss_share = t.scale - t.units;
    let settled = i128::from(counted.denominator) + s.ages.len() as i128;
    let spent = i128::from(counted.misses()) + i128::from(locked);
    let exact_units = miss_share * settled - t.scale * spent;
    if expected_calls == 0.0 {
        return clamp_to_i64(exact_units.div_euclid(t.scale));
    }
    let budget = (exact_units as f64 + miss_share as f64 * expected_calls) / t.scale as f64;
    snapped_floor(budget) as i64
}

fn clamp_to_i64(x: i128) -> i64 {
    i64::try_from(x).unwrap_or(if x < 0 { i64::MIN } else { i64::MAX })
}

/// floor(x), except that a value within 1e-9 (relative) of an integer counts as that integer.
fn snapped_floor(x: f64) -> f64 {
    let nearest = x.round();
    if (x - nearest).abs() <= 1e-9 * nearest.abs().max(1.0) {
        nearest
    } else {
        x.floor()
    }
}

/// The window's counted calls so far meet the target (or none is counted yet).
fn target_met_so_far(counted: SlFraction, target: &DecimalTarget) -> bool {
    counted.denominator == 0 || target.surplus_units(counted) >= 0
}

/// The breach probability brought into the band of `status` (GREEN below the amber
/// threshold, AMBER in [amber, red), RED at or above red), to 4 decimals.
fn in_band(policy: &RiskPolicy, status: Status, p: f64) -> f64 {
    // Half a percentage point below, so the band holds when shown as a whole percentage.
    let below = |x: f64| round_to_basis_points(x - 0.0051).max(0.0);
    match status {
        Status::Green => p.min(below(policy.amber_probability)),
        Status::Amber => p
            .max(policy.amber_probability)
            .min(below(policy.red_probability)),
        Status::Red => p.max(policy.red_probability),
        _ => p,
    }
}

fn closed_window_status(counted: SlFraction, target: &DecimalTarget) -> Status {
    if counted.denominator == 0 {
        Status::NoCalls
    } else if target.surplus_units(counted) < 0 {
        Status::Breached
    } else {
        Status::Met
    }
}

fn open_window_status(
    policy: &RiskPolicy,
    unrecoverable: bool,
    breach_probability: f64,
    staffing_gap: Option<i64>,
    locked: u64,
) -> Status {
    if unrecoverable || breach_probability >= policy.red_probability {
        Status::Red
    } else if breach_probability >= policy.amber_probability
        || staffing_gap.is_some_and(|g| g > 0)
        || locked > 0
    {
        Status::Amber
    } else {
        Status::Green
    }
}

/// Most decimals a target is recognised with (0.999999999 is the finest).
const MAX_TARGET_DECIMALS: u32 = 9;

/// The SL target as the decimal the user wrote: units/scale with scale = 10^d, d the fewest
/// decimals that reproduce the f64. Recovery counts and "exactly on target" need this:
/// in f64, (0.8·100 − 70)/(1 − 0.8) is 50.000000000000007, whose ceiling is 51, not 50.
#[derive(Debug, Clone, Copy)]
struct DecimalTarget {
    units: i128,
    scale: i128,
    value: f64,
}

impl DecimalTarget {
    fn new(target: f64) -> DecimalTarget {
        let value = if target.is_nan() {
            1.0
        } else {
            target.clamp(0.0, 1.0)
        };
        let mut scale: i128 = 1;
        for _ in 0..MAX_TARGET_DECIMALS {
            let units = (value * scale as f64).round();
            if units / scale as f64 == value {
                return DecimalTarget {
                    units: units as i128,
                    scale,
                    value,
                };
            }
            scale *= 10;
        }
        DecimalTarget {
            units: (value * scale as f64).round() as i128,
            scale,
            value,
        }
    }

    /// (num − g·den)·scale, exactly: positive above target, 0 on it, negative below.
    fn surplus_units(&self, f: SlFraction) -> i128 {
        i128::from(f.numerator) * self.scale - self.units * i128::from(f.denominator)
    }

    /// g > hits/total, cross-multiplied so that "exactly on target" is not below it.
    fn exceeds_ratio(&self, hits: f64, total: f64) -> bool {
        hits * (self.scale as f64) < (self.units as f64) * total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sla::test_support::{Row, assert_close, f64_field, load_csv, opt_f64_field};
    use proptest::prelude::*;

    const REL: f64 = 1e-9;

    fn inputs_from_row(row: &Row) -> RiskInputs {
        let count = |key: &str| -> u64 { row[key].parse().expect(key) };
        let ages = row["waiting_ages_s"]
            .split(';')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().expect("age"))
            .collect();
        RiskInputs {
            target: f64_field(row, "sl_target"),
            threshold_s: f64_field(row, "threshold_s"),
            variant: SlVariant::from_name(&row["sl_variant"]).expect("variant"),
            window_remaining_s: f64_field(row, "window_remaining_s"),
            counters: SlCounters {
                answered_total: count("answered_total"),
                answered_within_t: count("answered_within_t"),
                abandoned_total: count("abandoned_total"),
                abandoned_within_t: count("abandoned_within_t"),
            },
            waiting_ages_s: ages,
            agents_staffed: row["agents_staffed"].parse().expect("staffed"),
            agents_idle: row["agents_idle"].parse().expect("idle"),
            arrival_rate_per_hour: f64_field(row, "arrival_rate_per_hour"),
            aht_s: f64_field(row, "aht_s"),
        }
    }

    fn assert_opt_close(got: Option<f64>, want: Option<f64>, ctx: &str) {
        match (got, want) {
            (Some(g), Some(w)) => assert_close(g, w, REL, ctx),
            (g, w) => assert_eq!(g, w, "{ctx}"),
        }
    }

    #[test]
    fn sla_risk_vectors() {
        for row in &load_csv("sla_risk_vectors.csv") {
            let ctx = row["scenario"].as_str();
            let out = sla_risk(&inputs_from_row(row), &RiskPolicy::default());
            assert_opt_close(out.current_sl, opt_f64_field(row, "current_sl"), ctx);
            assert_opt_close(
                out.current_sl_incl_waiting_over_t,
                opt_f64_field(row, "current_sl_incl_waiting_over_t"),
                ctx,
            );
            assert_eq!(out.locked_misses.to_string(), row["locked_misses"], "{ctx}");
            assert_opt_close(
                out.longest_wait_over_threshold,
                opt_f64_field(row, "longest_wait_over_threshold"),
                ctx,
            );
            assert_close(
                out.expected_live_hits,
                f64_field(row, "expected_live_hits"),
                REL,
                ctx,
            );
            let want_live: Vec<f64> = row["live_hit_probabilities"]
                .split(';')
                .filter(|s| !s.is_empty())
                .map(|s| s.parse().expect("p"))
                .collect();
            assert_eq!(out.live_hit_probabilities.len(), want_live.len(), "{ctx}");
            for (got, want) in out.live_hit_probabilities.iter().zip(&want_live) {
                assert_close(*got, *want, REL, ctx);
            }
            assert_close(
                out.traffic_erlangs,
                f64_field(row, "traffic_erlangs"),
                REL,
                ctx,
            );
            assert_close(
                out.predicted_sl_new_calls,
                f64_field(row, "predicted_sl_new_calls"),
                REL,
                ctx,
            );
            assert_close(
                out.expected_future_calls,
                f64_field(row, "expected_future_calls"),
                REL,
                ctx,
            );
            assert_opt_close(out.projected_sl, opt_f64_field(row, "projected_sl"), ctx);
            assert_opt_close(out.best_case_sl, opt_f64_field(row, "best_case_sl"), ctx);
            assert_close(out.margin_z, f64_field(row, "margin_z"), REL, ctx);
            assert_eq!(
                out.breach_probability,
                f64_field(row, "breach_probability"),
                "{ctx}"
            );
            assert_eq!(out.risk_score.to_string(), row["risk_score"], "{ctx}");
            assert_eq!(
                out.required_agents
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                row["required_agents"],
                "{ctx}"
            );
            assert_eq!(
                out.staffing_gap.map(|n| n.to_string()).unwrap_or_default(),
                row["staffing_gap"],
                "{ctx}"
            );
            assert_eq!(
                out.calls_needed_to_recover
                    .map(|n| n.to_string())
                    .unwrap_or_default(),
                row["calls_needed_to_recover"],
                "{ctx}"
            );
            assert_eq!(
                out.misses_budget_remaining.to_string(),
                row["misses_budget_remaining"],
                "{ctx}"
            );
            assert_eq!(out.status.as_str(), row["status"], "{ctx}");
        }
    }

    fn interval_snapshot(staffed: u32) -> RiskInputs {
        // The worked example of REFERENCE.md §6 (S11–S13): a 30-minute window with 20 min
        // left, 40 answered (32 within 20 s), 2 abandoned (1 within), waits 12 s and 3 s.
        RiskInputs {
            target: 0.8,
            threshold_s: 20.0,
            variant: SlVariant::Offered,
            window_remaining_s: 1200.0,
            counters: SlCounters {
                answered_total: 40,
                answered_within_t: 32,
                abandoned_total: 2,
                abandoned_within_t: 1,
            },
            waiting_ages_s: vec![12.0, 3.0],
            agents_staffed: staffed,
            agents_idle: 0,
            arrival_rate_per_hour: 120.0,
            aht_s: 180.0,
        }
    }

    /// S11 and S13 are described in the reference but missing from the CSV; expected values
    /// from `oracle/sla_risk.py` (40-digit mpmath) for the same snapshots.
    #[test]
    fn worked_example_s11_is_red_and_s13_green() {
        let s11 = sla_risk(&interval_snapshot(9), &RiskPolicy::default());
        assert_close(
            s11.live_hit_probabilities[0],
            0.329679953964,
            1e-11,
            "S11 p0",
        );
        assert_close(
            s11.live_hit_probabilities[1],
            0.209282375895,
            1e-11,
            "S11 p1",
        );
        assert_close(s11.predicted_sl_new_calls, 0.859573539779, 1e-11, "S11 pf");
        assert_close(
            s11.projected_sl.unwrap_or_default(),
            0.796689332393,
            1e-11,
            "S11 proj",
        );
        assert_close(s11.margin_z, -0.120156099723, 1e-10, "S11 z");
        assert_eq!((s11.breach_probability, s11.risk_score), (0.5478, 55));
        assert_eq!(
            (s11.calls_needed_to_recover, s11.misses_budget_remaining),
            (Some(8), 6)
        );
        assert_eq!((s11.required_agents, s11.staffing_gap), (Some(9), Some(0)));
        assert_eq!(s11.status, Status::Red);

        let s13 = sla_risk(&interval_snapshot(10), &RiskPolicy::default());
        assert_close(
            s13.projected_sl.unwrap_or_default(),
            0.833387979545,
            1e-11,
            "S13 proj",
        );
        assert_close(s13.margin_z, 1.48366868973, 1e-10, "S13 z");
        assert_eq!((s13.breach_probability, s13.risk_score), (0.0689, 7));
        assert_eq!(s13.status, Status::Green);
    }

    /// S3 and S5 (also missing from the CSV), against `oracle/sla_risk.py`. S5's miss budget
    /// is exactly ⌊0.2·500 − 130⌋ = −30; the oracle prints −31 when run at its own 40-digit
    /// precision (binary 0.2 just below 1/5 before a floor at an exact integer) and −30 at the
    /// 60 digits its CSV generator runs at. −30 is the exact-rational answer §6 asks for.
    #[test]
    fn end_of_day_unrecoverable_and_closed_window() {
        let base = RiskInputs {
            target: 0.8,
            threshold_s: 20.0,
            aht_s: 240.0,
            ..RiskInputs::default()
        };
        let s3 = sla_risk(
            &RiskInputs {
                window_remaining_s: 600.0,
                counters: SlCounters {
                    answered_total: 990,
                    answered_within_t: 790,
                    abandoned_total: 10,
                    abandoned_within_t: 5,
                },
                agents_staffed: 12,
                agents_idle: 4,
                arrival_rate_per_hour: 100.0,
                ..base.clone()
            },
            &RiskPolicy::default(),
        );
        assert!(s3.unrecoverable);
        assert_close(
            s3.best_case_sl.unwrap_or_default(),
            0.793442622951,
            1e-11,
            "S3 best",
        );
        assert_close(s3.margin_z, -7.30266615603, 1e-10, "S3 z");
        assert_eq!(
            (s3.calls_needed_to_recover, s3.misses_budget_remaining),
            (Some(50), -7)
        );
        assert_eq!((s3.required_agents, s3.status), (Some(10), Status::Red));

        let s5 = sla_risk(
            &RiskInputs {
                counters: SlCounters {
                    answered_total: 480,
                    answered_within_t: 370,
                    abandoned_total: 20,
                    abandoned_within_t: 5,
                },
                agents_staffed: 8,
                agents_idle: 8,
                aht_s: 200.0,
                ..base
            },
            &RiskPolicy::default(),
        );
        assert_eq!(s5.margin_z, f64::NEG_INFINITY);
        assert_eq!(
            (s5.calls_needed_to_recover, s5.misses_budget_remaining),
            (Some(150), -30)
        );
        assert_eq!(s5.status, Status::Breached);
    }

    #[test]
    fn closed_window_without_calls_is_no_calls() {
        let out = sla_risk(
            &RiskInputs {
                target: 0.8,
                threshold_s: 20.0,
                ..RiskInputs::default()
            },
            &RiskPolicy::default(),
        );
        assert_eq!(out.status, Status::NoCalls);
        assert_eq!(
            (out.current_sl, out.projected_sl, out.best_case_sl),
            (None, None, None)
        );
        assert_eq!(out.misses_budget_remaining, 0);
        assert_eq!(out.status.as_str(), "NO_CALLS");
        let words = [
            Status::Green,
            Status::Amber,
            Status::Red,
            Status::Met,
            Status::Breached,
        ];
        assert_eq!(
            words.map(|s| s.to_string()),
            ["GREEN", "AMBER", "RED", "MET", "BREACHED"]
        );
        assert!(out.status.is_final());
    }

    #[test]
    fn wallboard_rules_keep_status_and_risk_consistent() {
        let board = RiskPolicy::wallboard();
        // Callers past the threshold with no agent free: RED, whatever the banked SL.
        let mut s = interval_snapshot(12);
        s.counters.answered_total = 400;
        s.counters.answered_within_t = 400;
        s.waiting_ages_s = vec![60.0, 45.0, 30.0, 10.0, 2.0];
        s.agents_idle = 0;
        assert_eq!(sla_risk(&s, &RiskPolicy::default()).status, Status::Amber);
        let out = sla_risk(&s, &board);
        assert_eq!(out.status, Status::Red);
        assert!(out.breach_probability >= 0.5, "{}", out.breach_probability);
        // One past the threshold with an agent free: at least AMBER, risk in the band.
        s.agents_idle = 2;
        let out = sla_risk(&s, &board);
        assert_eq!(out.status, Status::Amber);
        assert!((0.2..0.5).contains(&out.breach_probability));
        // Best case below target: the breach is certain.
        let mut lost = interval_snapshot(12);
        lost.counters.answered_within_t = 10;
        lost.window_remaining_s = 60.0;
        let out = sla_risk(&lost, &board);
        assert!(out.unrecoverable);
        assert_eq!(
            (out.status, out.breach_probability, out.risk_score),
            (Status::Red, 1.0, 100)
        );
        // Nobody waiting, the window at target, an agent free: never RED even when the
        // steady state looks bad (A ≥ N).
        let quiet = RiskInputs {
            window_remaining_s: 1500.0,
            counters: SlCounters {
                answered_total: 10,
                answered_within_t: 10,
                ..SlCounters::default()
            },
            agents_staffed: 2,
            agents_idle: 1,
            arrival_rate_per_hour: 60.0,
            aht_s: 300.0,
            ..RiskInputs::default()
        };
        assert_eq!(sla_risk(&quiet, &RiskPolicy::default()).status, Status::Red);
        let out = sla_risk(&quiet, &board);
        assert_eq!(out.status, Status::Amber);
        assert!(out.breach_probability < 0.5 && out.risk_score < 50);
        // GREEN never shows the amber threshold as its risk.
        for n in 8..16 {
            let out = sla_risk(&interval_snapshot(n), &board);
            if out.status == Status::Green {
                assert!(out.risk_score < 20 && out.breach_probability < 0.2);
            }
        }
    }

    #[test]
    fn locked_waits_are_amber_and_policy_moves_the_bands() {
        let mut snapshot = interval_snapshot(12);
        snapshot.waiting_ages_s = vec![25.0, 3.0];
        let out = sla_risk(&snapshot, &RiskPolicy::default());
        assert_eq!(out.locked_misses, 1);
        assert_eq!(out.live_hit_probabilities[0], 0.0);
        assert_eq!(out.status, Status::Amber);
        // A stricter policy turns the small breach risk of S13 amber.
        let s13 = sla_risk(&interval_snapshot(10), &RiskPolicy::default());
        let strict = RiskPolicy {
            amber_probability: 0.05,
            red_probability: 0.5,
            consistent: false,
            model_weight_calls: 0.0,
        };
        assert_eq!(s13.status, Status::Green);
        assert_eq!(
            sla_risk(&interval_snapshot(10), &strict).status,
            Status::Amber
        );
    }

    #[test]
    fn unsorted_and_bad_ages_are_cleaned() {
        let mut snapshot = interval_snapshot(9);
        snapshot.waiting_ages_s = vec![3.0, f64::NAN, 12.0, -4.0];
        let out = sla_risk(&snapshot, &RiskPolicy::default());
        assert_eq!(out.longest_wait_s, 12.0);
        assert_eq!(out.waiting, 4);
        assert!(
            out.live_hit_probabilities
                .iter()
                .all(|p| (0.0..=1.0).contains(p))
        );
    }

    #[test]
    fn target_of_one_after_a_miss_cannot_recover() {
        let mut snapshot = interval_snapshot(9);
        snapshot.target = 1.0;
        assert_eq!(
            sla_risk(&snapshot, &RiskPolicy::default()).calls_needed_to_recover,
            None
        );
    }

    #[test]
    fn decimal_targets_are_exact() {
        for (g, units, scale) in [
            (0.8, 8, 10),
            (0.85, 85, 100),
            (1.0, 1, 1),
            (0.0, 0, 1),
            (0.955, 955, 1000),
        ] {
            let t = DecimalTarget::new(g);
            assert_eq!((t.units, t.scale), (units, scale), "{g}");
        }
        assert_eq!(DecimalTarget::new(f64::NAN).value, 1.0);
        assert_eq!(DecimalTarget::new(7.0).value, 1.0);
    }

    #[test]
    fn approximate_ages_step_back_at_the_arrival_rate() {
        assert_eq!(
            approximate_waiting_ages(4, 50.0, 180.0),
            vec![50.0, 30.0, 10.0, 0.0]
        );
        assert_eq!(approximate_waiting_ages(3, 50.0, 0.0), vec![50.0, 0.0, 0.0]);
        assert!(approximate_waiting_ages(0, 50.0, 180.0).is_empty());
        assert_eq!(
            approximate_waiting_ages(2, f64::NAN, f64::NAN),
            vec![0.0, 0.0]
        );
    }

    #[test]
    fn projection_reduces_to_current_sl_when_nothing_is_left() {
        let mut snapshot = interval_snapshot(9);
        snapshot.window_remaining_s = 0.0;
        snapshot.waiting_ages_s.clear();
        let out = sla_risk(&snapshot, &RiskPolicy::default());
        assert_eq!(out.projected_sl, out.current_sl);
        assert_eq!(out.status, Status::Breached);
    }

    fn arb_inputs() -> impl Strategy<Value = RiskInputs> {
        let counters =
            (any::<u32>(), any::<u32>(), any::<u32>(), any::<u32>()).prop_map(|(a, aw, b, bw)| {
                SlCounters {
                    answered_total: u64::from(a),
                    answered_within_t: u64::from(aw),
                    abandoned_total: u64::from(b),
                    abandoned_within_t: u64::from(bw),
                }
            });
        (
            (any::<f64>(), any::<f64>(), 0usize..4, any::<f64>()),
            counters,
            prop::collection::vec(any::<f64>(), 0..60),
            (0u32..5000, 0u32..5000, any::<f64>(), any::<f64>()),
        )
            .prop_map(
                |((g, t, v, r), counters, ages, (n, i, rate, aht))| RiskInputs {
                    target: g,
                    threshold_s: t,
                    variant: SlVariant::ALL[v],
                    window_remaining_s: r,
                    counters,
                    waiting_ages_s: ages,
                    agents_staffed: n,
                    agents_idle: i,
                    arrival_rate_per_hour: rate,
                    aht_s: aht,
                },
            )
    }

    fn realistic_inputs() -> impl Strategy<Value = RiskInputs> {
        (
            (0.5f64..0.99, 5.0f64..60.0, 0.0f64..28_800.0),
            (0u64..5000, 0u64..500),
            prop::collection::vec(0.0f64..120.0, 0..60),
            (1u32..80, 0u32..5, 0.0f64..2000.0, 30.0f64..900.0),
        )
            .prop_map(
                |((g, t, r), (ans, ab), ages, (n, i, rate, aht))| RiskInputs {
                    target: g,
                    threshold_s: t,
                    variant: SlVariant::Offered,
                    window_remaining_s: r,
                    counters: SlCounters {
                        answered_total: ans,
                        answered_within_t: ans * 4 / 5,
                        abandoned_total: ab,
                        abandoned_within_t: ab / 2,
                    },
                    waiting_ages_s: ages,
                    agents_staffed: n,
                    agents_idle: i,
                    arrival_rate_per_hour: rate,
                    aht_s: aht,
                },
            )
    }

    fn no_nan(out: &RiskOutput) -> bool {
        let opts = [
            out.current_sl,
            out.current_sl_incl_waiting_over_t,
            out.longest_wait_over_threshold,
            out.projected_sl,
            out.best_case_sl,
        ];
        let plain = [
            out.longest_wait_s,
            out.expected_live_hits,
            out.traffic_erlangs,
            out.predicted_sl_new_calls,
            out.prob_wait_new_calls,
            out.expected_future_calls,
            out.margin_z,
            out.breach_probability,
        ];
        opts.iter()
            .flatten()
            .chain(&plain)
            .chain(&out.live_hit_probabilities)
            .all(|x| !x.is_nan())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn any_input_gives_sane_output(inputs in arb_inputs()) {
            let out = sla_risk(&inputs, &RiskPolicy::default());
            prop_assert!(no_nan(&out), "{out:?}");
            prop_assert!((0.0..=1.0).contains(&out.breach_probability));
            prop_assert!(out.risk_score <= 100);
            prop_assert!(out.live_hit_probabilities.iter().all(|p| (0.0..=1.0).contains(p)));
            for sl in [out.current_sl, out.current_sl_incl_waiting_over_t, out.projected_sl, out.best_case_sl].into_iter().flatten() {
                prop_assert!((0.0..=1.0).contains(&sl), "{sl}");
            }
        }

        #[test]
        fn breach_above_half_iff_projection_below_target(inputs in realistic_inputs()) {
            let out = sla_risk(&inputs, &RiskPolicy::default());
            if let Some(projected) = out.projected_sl
                && out.margin_z.is_finite()
                && (projected - inputs.target).abs() > 1e-9
            {
                prop_assert_eq!(out.margin_z < 0.0, projected < inputs.target);
            }
            prop_assert!(out.projected_sl <= out.best_case_sl);
        }

        #[test]
        fn approximate_ages_never_nan(count in 0usize..200, oldest in any::<f64>(), rate in any::<f64>()) {
            let ages = approximate_waiting_ages(count, oldest, rate);
            prop_assert_eq!(ages.len(), count);
            prop_assert!(ages.iter().all(|a| *a >= 0.0));
            prop_assert!(ages.windows(2).all(|w| w[0] >= w[1]));
        }
    }
}
