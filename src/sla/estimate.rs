//! Live estimators for the risk model's inputs: the arrival rate λ and the average handle
//! time, from the cumulative counters an ACD reports ("offered today", "handled today",
//! "handle seconds today"), sampled whenever a snapshot arrives.
//!
//! Both use a *continuous-time* exponentially weighted moving average: an observation
//! interval of length Δt gets weight 1 − e^{−Δt/τ} and everything older is scaled by
//! e^{−Δt/τ}. The result depends only on the time span covered, not on how often or how
//! regularly the source was polled: two 5-second polls and one 10-second poll with the same
//! arrivals give the same estimate.
//!
//! Counters reset (a new day at midnight, a restarted source): a cumulative value that goes
//! *down* is read as "the counter restarted from 0 during this interval", so the new value
//! itself is the count since the reset. That undercounts only the arrivals between the last
//! sample and the reset, which for a few seconds of polling is nothing.
//!
//! Samples with a timestamp that is not after the previous one (duplicates, out of order) or
//! with non-finite values are ignored: the next good sample covers their interval.

/// Time constant of the arrival-rate EWMA: 15 minutes, the usual "recent arrivals" window.
pub const ARRIVAL_TIME_CONSTANT_S: f64 = 900.0;
/// Time constant of the AHT EWMA: 45 minutes (handle times are noisier and change slower).
pub const AHT_TIME_CONSTANT_S: f64 = 2700.0;

/// Weight of the day's average AHT, in completions, when blended with recent completions.
/// With no recent completions the estimate is the day average; with dozens it is the EWMA.
const DAY_AVERAGE_PSEUDO_COMPLETIONS: f64 = 1.0;

/// Cumulative handle seconds above this (31 million years) are a broken feed, not data;
/// rejecting them keeps every sum finite.
const MAX_CUMULATIVE_HANDLE_S: f64 = 1e15;

/// A time constant as given, or `default` if it is not a positive finite number.
fn valid_time_constant(tau_s: f64, default: f64) -> f64 {
    if tau_s.is_finite() && tau_s > 0.0 {
        tau_s
    } else {
        default
    }
}

/// Seconds since the previous sample, or `None` when this sample must be ignored.
fn interval_s(previous_t_s: f64, t_s: f64) -> Option<f64> {
    let dt = t_s - previous_t_s;
    (dt > 0.0 && dt.is_finite()).then_some(dt)
}

/// Increase of a cumulative counter, treating a decrease as a reset to 0 in between.
fn counter_delta(previous: u64, current: u64) -> u64 {
    if current >= previous {
        current - previous
    } else {
        current
    }
}

/// Arrival rate λ as a continuous-time EWMA (τ = 15 min by default) of the offered counter.
///
/// Internally it keeps the kernel-weighted rate and the kernel mass covered by observations
/// (1 − e^{−span/τ}); their ratio is the estimate. That is an exponential moving average
/// *without* start-up bias: after one interval the estimate is that interval's rate, not a
/// rate pulled towards an arbitrary initial 0.
#[derive(Debug, Clone, PartialEq)]
pub struct ArrivalRateEstimator {
    tau_s: f64,
    last: Option<(f64, u64)>,
    weighted_rate: f64,
    weight: f64,
}

impl Default for ArrivalRateEstimator {
    fn default() -> Self {
        ArrivalRateEstimator::new(ARRIVAL_TIME_CONSTANT_S)
    }
}

impl ArrivalRateEstimator {
    /// An estimator with time constant `time_constant_s` (the default if not positive).
    pub fn new(time_constant_s: f64) -> Self {
        ArrivalRateEstimator {
            tau_s: valid_time_constant(time_constant_s, ARRIVAL_TIME_CONSTANT_S),
            last: None,
            weighted_rate: 0.0,
            weight: 0.0,
        }
    }

    /// Feeds one sample: `t_s` a timestamp in seconds (any epoch, but monotonic), and the
    /// cumulative offered count at that moment.
    pub fn observe(&mut self, t_s: f64, cumulative_offered: u64) {
        if !t_s.is_finite() {
            return;
        }
        let Some((last_t, last_count)) = self.last else {
            self.last = Some((t_s, cumulative_offered));
            return;
        };
        let Some(dt) = interval_s(last_t, t_s) else {
            return;
        };
        let arrivals = counter_delta(last_count, cumulative_offered) as f64;
        let keep = (-dt / self.tau_s).exp();
        let fresh = -(-dt / self.tau_s).exp_m1(); // 1 − e^{−Δt/τ}, accurate for small Δt
        // (1 − e^{−Δt/τ})/Δt ≤ 1/τ, so this stays finite even for absurd counts over a
        // vanishing Δt, where arrivals/Δt alone would overflow.
        self.weighted_rate = self.weighted_rate * keep + (fresh / dt) * arrivals;
        self.weight = self.weight * keep + fresh;
        self.last = Some((t_s, cumulative_offered));
    }

    /// λ in calls per second; `None` until two samples span some time.
    pub fn rate_per_second(&self) -> Option<f64> {
        (self.weight > 0.0).then(|| self.weighted_rate / self.weight)
    }

    /// λ in calls per hour, the unit of [`super::risk::RiskInputs::arrival_rate_per_hour`].
    pub fn rate_per_hour(&self) -> Option<f64> {
        self.rate_per_second().map(|r| r * 3600.0)
    }

    /// How much of the averaging kernel is backed by observations: 1 − e^{−span/τ}, from 0
    /// (nothing yet) towards 1. Below ~0.5 the estimate rests on a few minutes of data and a
    /// WFM forecast, if there is one, is the better λ.
    pub fn coverage(&self) -> f64 {
        self.weight
    }
}

/// Average handle time as a continuous-time EWMA (τ = 45 min by default) over completions,
/// falling back to the day's average when there are no recent completions.
///
/// Handle seconds and completions are each summed with weight e^{−age/τ}; the estimate is
/// (Σ seconds + d·AHT_day)/(Σ completions + d) with d = 1 pseudo-completion at the day
/// average (cumulative seconds / cumulative handled since the last reset). So a busy queue
/// follows its recent calls, and a queue with no completion for an hour or more returns
/// smoothly to its day average instead of to a stale value or to nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct AhtEstimator {
    tau_s: f64,
    last: Option<HandledSample>,
    recent_seconds: f64,
    recent_completions: f64,
}

/// One sample of the cumulative handled counters.
#[derive(Debug, Clone, Copy, PartialEq)]
struct HandledSample {
    t_s: f64,
    handled: u64,
    handle_s: f64,
}

impl HandledSample {
    /// Day average AHT from the cumulative counters, if anything was handled.
    fn day_average_s(&self) -> Option<f64> {
        (self.handled > 0).then(|| self.handle_s / self.handled as f64)
    }
}

impl Default for AhtEstimator {
    fn default() -> Self {
        AhtEstimator::new(AHT_TIME_CONSTANT_S)
    }
}

impl AhtEstimator {
    /// An estimator with time constant `time_constant_s` (the default if not positive).
    pub fn new(time_constant_s: f64) -> Self {
        AhtEstimator {
            tau_s: valid_time_constant(time_constant_s, AHT_TIME_CONSTANT_S),
            last: None,
            recent_seconds: 0.0,
            recent_completions: 0.0,
        }
    }

    /// Feeds one sample: timestamp in seconds, cumulative handled (completed) contacts and
    /// their cumulative handle seconds (talk + hold + wrap). Samples with negative, NaN or
    /// absurd (> 1e15 s) handle seconds are ignored.
    pub fn observe(&mut self, t_s: f64, cumulative_handled: u64, cumulative_handle_s: f64) {
        if !t_s.is_finite() || !(0.0..=MAX_CUMULATIVE_HANDLE_S).contains(&cumulative_handle_s) {
            return;
        }
        let sample = HandledSample {
            t_s,
            handled: cumulative_handled,
            handle_s: cumulative_handle_s,
        };
        let Some(last) = self.last else {
            self.last = Some(sample);
            return;
        };
        let Some(dt) = interval_s(last.t_s, t_s) else {
            return;
        };
        let (completions, seconds) = handled_delta(&last, &sample);
        let keep = (-dt / self.tau_s).exp();
        self.recent_completions = self.recent_completions * keep + completions;
        self.recent_seconds = self.recent_seconds * keep + seconds;
        self.last = Some(sample);
    }

    /// The AHT estimate in seconds; `None` before any completion is known.
    pub fn aht_s(&self) -> Option<f64> {
        let day = self.last.and_then(|s| s.day_average_s());
        match day {
            Some(day_avg) => Some(
                (self.recent_seconds + DAY_AVERAGE_PSEUDO_COMPLETIONS * day_avg)
                    / (self.recent_completions + DAY_AVERAGE_PSEUDO_COMPLETIONS),
            ),
            None => (self.recent_completions > 0.0)
                .then(|| self.recent_seconds / self.recent_completions),
        }
    }

    /// Effective number of recent completions behind the estimate (e^{−age/τ}-weighted).
    pub fn recent_completions(&self) -> f64 {
        self.recent_completions
    }
}

/// Completions and handle seconds since the previous sample; if either counter went down,
/// both restarted (a new day), and the new values are the amounts since the restart.
fn handled_delta(previous: &HandledSample, current: &HandledSample) -> (f64, f64) {
    let reset = current.handled < previous.handled || current.handle_s < previous.handle_s;
    if reset {
        (current.handled as f64, current.handle_s)
    } else {
        (
            counter_delta(previous.handled, current.handled) as f64,
            current.handle_s - previous.handle_s,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn close(got: Option<f64>, want: f64, rel: f64) -> bool {
        got.is_some_and(|g| ((g - want) / want).abs() <= rel)
    }

    #[test]
    fn arrival_rate_needs_two_samples() {
        let mut est = ArrivalRateEstimator::default();
        assert_eq!(est.rate_per_hour(), None);
        est.observe(0.0, 100);
        assert_eq!(est.rate_per_hour(), None);
        est.observe(60.0, 102);
        assert!(close(est.rate_per_hour(), 120.0, 1e-12));
    }

    #[test]
    fn constant_rate_is_recovered_whatever_the_sampling() {
        // 1 call every 10 s (360/h), polled irregularly at 10, 20, 50 and 5-second steps.
        let mut est = ArrivalRateEstimator::default();
        let (mut t, mut n) = (1_000.0, 0u64);
        est.observe(t, n);
        for step in [10u64, 20, 50, 10, 10, 5 * 2, 50, 20]
            .iter()
            .cycle()
            .take(400)
        {
            t += *step as f64;
            n += step / 10;
            est.observe(t, n);
        }
        assert!(close(est.rate_per_hour(), 360.0, 1e-9));
        assert!(est.coverage() > 0.99);
    }

    #[test]
    fn step_change_moves_one_minus_one_over_e_in_one_time_constant() {
        let mut est = ArrivalRateEstimator::default();
        let mut n = 0u64;
        est.observe(0.0, n);
        // 10 τ at 360/h, then exactly one τ at 1080/h.
        for i in 1..=900 {
            n += 1;
            est.observe(f64::from(i) * 10.0, n);
        }
        for i in 901..=990 {
            n += 3;
            est.observe(f64::from(i) * 10.0, n);
        }
        let e = (-1.0f64).exp();
        let want = 360.0 * e + 1080.0 * (1.0 - e);
        assert!(
            close(est.rate_per_hour(), want, 1e-3),
            "{:?} vs {want}",
            est.rate_per_hour()
        );
    }

    #[test]
    fn counter_reset_counts_from_zero() {
        let mut est = ArrivalRateEstimator::default();
        est.observe(0.0, 5000);
        est.observe(60.0, 5002); // 120/h
        est.observe(120.0, 2); // midnight: counter restarted, 2 calls since
        assert!(close(est.rate_per_hour(), 120.0, 1e-12));
    }

    #[test]
    fn duplicate_and_out_of_order_samples_are_ignored() {
        let mut est = ArrivalRateEstimator::default();
        est.observe(0.0, 0);
        est.observe(0.0, 3);
        est.observe(-5.0, 1);
        est.observe(f64::NAN, 9);
        assert_eq!(est.rate_per_hour(), None);
        est.observe(60.0, 2);
        assert!(close(est.rate_per_hour(), 120.0, 1e-12));
    }

    #[test]
    fn bad_time_constants_fall_back_to_the_default() {
        assert_eq!(
            ArrivalRateEstimator::new(-1.0),
            ArrivalRateEstimator::default()
        );
        assert_eq!(AhtEstimator::new(f64::NAN), AhtEstimator::default());
    }

    #[test]
    fn aht_follows_recent_completions() {
        let mut est = AhtEstimator::default();
        assert_eq!(est.aht_s(), None);
        // The day so far: 100 calls at 200 s; from now on calls take 400 s.
        est.observe(0.0, 100, 20_000.0);
        assert!(close(est.aht_s(), 200.0, 1e-12));
        let (mut handled, mut secs) = (100u64, 20_000.0);
        for i in 1..=360 {
            handled += 1;
            secs += 400.0;
            est.observe(f64::from(i) * 30.0, handled, secs);
        }
        // 3 hours at 2 completions/minute: ~90 effective recent completions, all at 400 s,
        // against one pseudo-completion at the (now higher) day average.
        let day = secs / handled as f64;
        let r = est.recent_completions();
        let want = (400.0 * r + day) / (r + 1.0);
        assert!(close(est.aht_s(), want, 1e-9));
        assert!(close(est.aht_s(), 400.0, 0.01));
    }

    #[test]
    fn aht_returns_to_the_day_average_without_recent_completions() {
        let mut est = AhtEstimator::default();
        est.observe(0.0, 50, 10_000.0);
        est.observe(600.0, 60, 16_000.0); // 10 calls at 600 s
        assert!(est.aht_s().is_some_and(|a| a > 500.0));
        // Ten hours with no completions: the recent weight has decayed away.
        est.observe(36_600.0, 60, 16_000.0);
        assert!(close(est.aht_s(), 16_000.0 / 60.0, 1e-4));
    }

    #[test]
    fn aht_counter_reset_starts_a_new_day() {
        let mut est = AhtEstimator::default();
        est.observe(0.0, 500, 150_000.0);
        est.observe(30.0, 501, 150_300.0);
        est.observe(60.0, 1, 250.0); // new day: one call of 250 s
        let r = est.recent_completions();
        let want = (300.0 * (-30.0 / AHT_TIME_CONSTANT_S).exp() + 250.0 + 250.0) / (r + 1.0);
        assert!(close(est.aht_s(), want, 1e-12));
    }

    #[test]
    fn aht_without_a_day_average_uses_recent_only() {
        let mut est = AhtEstimator::default();
        est.observe(0.0, 0, 0.0);
        assert_eq!(est.aht_s(), None);
        est.observe(30.0, 0, 0.0);
        assert_eq!(est.aht_s(), None);
        est.observe(60.0, 2, 500.0);
        assert!(close(est.aht_s(), 250.0, 1e-12));
    }

    proptest! {
        #[test]
        fn estimators_never_go_nan(samples in prop::collection::vec((any::<f64>(), any::<u64>(), any::<f64>()), 0..50)) {
            let mut rate = ArrivalRateEstimator::default();
            let mut aht = AhtEstimator::default();
            for (t, n, s) in samples {
                rate.observe(t, n);
                aht.observe(t, n, s);
                prop_assert!(!rate.rate_per_hour().is_some_and(|r| r.is_nan() || r < 0.0));
                prop_assert!(!aht.aht_s().is_some_and(|a| a.is_nan() || a < 0.0));
            }
        }
    }
}
