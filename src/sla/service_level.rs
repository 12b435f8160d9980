//! Which calls count in a service-level percentage (REFERENCE.md §5).
//!
//! Vendors disagree, so the variant is a per-queue setting and the board names the one it
//! shows. Notation: Ans≤T answered within the threshold, Ans all answered, Ab≤T abandoned
//! within the threshold, Ab all abandoned — always after removing *short abandons* (callers
//! who hung up before the short-abandon threshold), which count in no variant.
//!
//! | variant | SL = | used by |
//! |---|---|---|
//! | [`SlVariant::Offered`] (default) | Ans≤T / (Ans + Ab) | Cisco "negative impact", most calculators |
//! | [`SlVariant::IgnoreAbandonsWithinT`] | Ans≤T / (Ans + Ab − Ab≤T) | Cisco "ignore abandoned calls" |
//! | [`SlVariant::AbandonsPositive`] | (Ans≤T + Ab≤T) / (Ans + Ab) | Cisco "positive impact" |
//! | [`SlVariant::Answered`] | Ans≤T / Ans | Avaya CMS, AltiGen ASL |
//!
//! "Within" is inclusive: wait ≤ T. A call still waiting whose age has reached T is
//! already a miss whatever happens next (Cisco's SL-event rule), so a live SL may add these
//! *locked misses* to the denominator ([`SlFraction::with_locked_misses`]).

pub use crate::domain::SlVariant;

/// Service-level counters for one window (interval or day), short abandons already removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlCounters {
    pub answered_total: u64,
    pub answered_within_t: u64,
    pub abandoned_total: u64,
    pub abandoned_within_t: u64,
}

impl std::ops::AddAssign for SlCounters {
    /// Two windows' counters together (saturating: counters from outside are bounded at
    /// the border, but a sum never wraps).
    fn add_assign(&mut self, o: SlCounters) {
        self.answered_total = self.answered_total.saturating_add(o.answered_total);
        self.answered_within_t = self.answered_within_t.saturating_add(o.answered_within_t);
        self.abandoned_total = self.abandoned_total.saturating_add(o.abandoned_total);
        self.abandoned_within_t = self.abandoned_within_t.saturating_add(o.abandoned_within_t);
    }
}

/// How individual calls are classified when counters are built from events.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlRules {
    /// The service-level threshold T in seconds; a wait ≤ T is "within".
    pub threshold_s: f64,
    /// Abandons with a wait strictly below this are short abandons and are not counted.
    /// 0 disables the exclusion.
    pub short_abandon_s: f64,
}

impl SlRules {
    fn is_within(&self, wait_s: f64) -> bool {
        wait_s <= self.threshold_s
    }

    fn is_short_abandon(&self, wait_s: f64) -> bool {
        wait_s < self.short_abandon_s
    }
}

impl SlCounters {
    /// Counts one answered call that waited `wait_s` seconds. Use the unrounded wait: a call
    /// answered at 20.4 s is a miss against a 20 s threshold even if the ACD shows "20".
    pub fn record_answered(&mut self, wait_s: f64, rules: &SlRules) {
        self.answered_total = self.answered_total.saturating_add(1);
        if rules.is_within(wait_s) {
            self.answered_within_t = self.answered_within_t.saturating_add(1);
        }
    }

    /// Counts one abandoned call that waited `wait_s` seconds, unless it is a short abandon.
    pub fn record_abandoned(&mut self, wait_s: f64, rules: &SlRules) {
        if rules.is_short_abandon(wait_s) {
            return;
        }
        self.abandoned_total = self.abandoned_total.saturating_add(1);
        if rules.is_within(wait_s) {
            self.abandoned_within_t = self.abandoned_within_t.saturating_add(1);
        }
    }

    /// Removes short abandons from counters that still include them (some ACDs report the
    /// two separately). `short_within_t` short abandons waited ≤ T (the usual case, since the
    /// short-abandon threshold is below T) and `short_past_t` waited longer.
    pub fn without_short_abandons(self, short_within_t: u64, short_past_t: u64) -> SlCounters {
        let short_total = short_within_t.saturating_add(short_past_t);
        SlCounters {
            abandoned_total: self.abandoned_total.saturating_sub(short_total),
            abandoned_within_t: self.abandoned_within_t.saturating_sub(short_within_t),
            ..self
        }
    }

    /// Makes inconsistent feeds safe: a "within" count can never exceed its total.
    fn consistent(self) -> SlCounters {
        SlCounters {
            answered_within_t: self.answered_within_t.min(self.answered_total),
            abandoned_within_t: self.abandoned_within_t.min(self.abandoned_total),
            ..self
        }
    }
}

/// A service level as hits over counted calls, kept as integers so that comparisons with a
/// target can be exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SlFraction {
    pub numerator: u64,
    pub denominator: u64,
}

impl SlFraction {
    /// The service level, or `None` when no call has counted yet.
    pub fn value(self) -> Option<f64> {
        (self.denominator > 0).then(|| self.numerator as f64 / self.denominator as f64)
    }

    /// Adds calls still waiting past the threshold as misses: they cannot become hits.
    pub fn with_locked_misses(self, locked_misses: u64) -> SlFraction {
        SlFraction {
            denominator: self.denominator.saturating_add(locked_misses),
            ..self
        }
    }

    /// Misses so far: counted calls that were not hits.
    pub fn misses(self) -> u64 {
        self.denominator.saturating_sub(self.numerator)
    }
}

/// (numerator, denominator) of the service level for `variant`. Counters whose "within"
/// exceeds the total (an inconsistent feed) are clamped first, so the result is always a
/// fraction in [0, 1].
pub fn sl_fraction(variant: SlVariant, counters: &SlCounters) -> SlFraction {
    let c = counters.consistent();
    let offered = c.answered_total.saturating_add(c.abandoned_total);
    let (numerator, denominator) = match variant {
        SlVariant::Offered => (c.answered_within_t, offered),
        SlVariant::IgnoreAbandonsWithinT => {
            let late_abandons = c.abandoned_total - c.abandoned_within_t;
            (
                c.answered_within_t,
                c.answered_total.saturating_add(late_abandons),
            )
        }
        SlVariant::AbandonsPositive => (
            c.answered_within_t.saturating_add(c.abandoned_within_t),
            offered,
        ),
        SlVariant::Answered => (c.answered_within_t, c.answered_total),
    };
    SlFraction {
        numerator,
        denominator,
    }
}

/// Calls still waiting whose age has reached the threshold (age ≥ T): already misses.
pub fn locked_misses(waiting_ages_s: &[f64], threshold_s: f64) -> u64 {
    waiting_ages_s
        .iter()
        .filter(|&&age| age >= threshold_s)
        .count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Cisco's worked example: 70 answered within T, 10 abandoned within T, 20 over the
    /// threshold (15 answered late, 5 abandoned late), 100 events.
    fn cisco_example() -> SlCounters {
        SlCounters {
            answered_total: 85,
            answered_within_t: 70,
            abandoned_total: 15,
            abandoned_within_t: 10,
        }
    }

    #[test]
    fn cisco_example_in_every_variant() {
        let c = cisco_example();
        let frac = |v| sl_fraction(v, &c);
        assert_eq!(
            frac(SlVariant::Offered),
            SlFraction {
                numerator: 70,
                denominator: 100
            }
        );
        assert_eq!(
            frac(SlVariant::IgnoreAbandonsWithinT),
            SlFraction {
                numerator: 70,
                denominator: 90
            }
        );
        assert_eq!(
            frac(SlVariant::AbandonsPositive),
            SlFraction {
                numerator: 80,
                denominator: 100
            }
        );
        assert_eq!(
            frac(SlVariant::Answered),
            SlFraction {
                numerator: 70,
                denominator: 85
            }
        );
        assert!(
            (frac(SlVariant::IgnoreAbandonsWithinT).value().unwrap() - 0.7777777778).abs() < 1e-10
        );
        assert!((frac(SlVariant::Answered).value().unwrap() - 0.8235294118).abs() < 1e-10);
    }

    #[test]
    fn names_round_trip() {
        for v in SlVariant::ALL {
            assert_eq!(SlVariant::from_name(v.as_str()), Some(v));
        }
        assert_eq!(SlVariant::from_name("Offered"), None);
        assert_eq!(SlVariant::default(), SlVariant::Offered);
    }

    #[test]
    fn events_classify_inclusively_and_drop_short_abandons() {
        let rules = SlRules {
            threshold_s: 20.0,
            short_abandon_s: 5.0,
        };
        let mut c = SlCounters::default();
        c.record_answered(20.0, &rules); // exactly T: a hit
        c.record_answered(20.4, &rules); // shown as "20" by some ACDs, still a miss
        c.record_abandoned(4.9, &rules); // short: not counted
        c.record_abandoned(5.0, &rules); // counted, within T
        c.record_abandoned(30.0, &rules); // counted, past T
        assert_eq!(
            c,
            SlCounters {
                answered_total: 2,
                answered_within_t: 1,
                abandoned_total: 2,
                abandoned_within_t: 1
            }
        );
    }

    #[test]
    fn short_abandons_can_be_removed_afterwards() {
        let c = cisco_example().without_short_abandons(4, 1);
        assert_eq!((c.abandoned_total, c.abandoned_within_t), (10, 6));
        assert_eq!(sl_fraction(SlVariant::Offered, &c).denominator, 95);
    }

    #[test]
    fn locked_misses_add_to_the_denominator() {
        let ages = [45.0, 20.0, 19.9, 3.0];
        assert_eq!(locked_misses(&ages, 20.0), 2);
        let f = sl_fraction(SlVariant::Offered, &cisco_example()).with_locked_misses(2);
        assert_eq!(
            f,
            SlFraction {
                numerator: 70,
                denominator: 102
            }
        );
        assert_eq!(f.misses(), 32);
        assert_eq!(SlFraction::default().value(), None);
    }

    proptest! {
        #[test]
        fn every_variant_is_a_fraction(a in any::<u64>(), aw in any::<u64>(), b in any::<u64>(), bw in any::<u64>()) {
            let c = SlCounters { answered_total: a, answered_within_t: aw, abandoned_total: b, abandoned_within_t: bw };
            for v in SlVariant::ALL {
                let f = sl_fraction(v, &c);
                prop_assert!(f.numerator <= f.denominator);
                if let Some(x) = f.value() {
                    prop_assert!((0.0..=1.0).contains(&x));
                }
            }
        }
    }
}
