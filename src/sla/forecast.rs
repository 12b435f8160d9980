//! Arrival forecasts with a time-of-day shape, learned from a queue's own interval history.
//!
//! * **Recent rate**: calls offered over the last half hour of intervals (the current one
//!   counted so far), so the rate is right from the first frame, not today's average.
//! * **Profile**: the mean calls offered in each interval of the day over the earlier days
//!   of the history (and the share answered in time there), keyed by time of day.
//! * **Rest of the interval**: the profile's rate for the rest of the window, scaled by how
//!   busy the recent half hour was against the profile (so a surge carries on, and a ramp
//!   is followed rather than flattened).
//! * **Rest of the day**: the profile's calls for each later interval, scaled by today's
//!   level so far against the profile.
//!
//! Times are Unix seconds; everything is total (no history gives `None`, never NaN).

/// One interval's counts, for the variant in use.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Slot {
    pub start_s: i64,
    pub len_s: i64,
    pub offered: u64,
    /// Calls counted for the SL (the variant's denominator) and hits among them.
    pub counted: u64,
    pub hits: u64,
}

impl Slot {
    fn end_s(&self) -> i64 {
        self.start_s + self.len_s
    }
}

const DAY_S: i64 = 86_400;

/// How far the recent level may move the profile (a tenfold surge is still followed).
const LEVEL_RANGE: (f64, f64) = (0.25, 4.0);

/// A learned time-of-day profile.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Profile {
    len_s: i64,
    /// Mean offered per slot of the day, indexed by the slot start's seconds after
    /// 00:00 UTC ÷ the slot length.
    offered: Vec<f64>,
    /// (hits, counted) per slot of the day, summed over the days learned (same index).
    sl: Vec<(u64, u64)>,
    /// Earlier days seen.
    pub days: usize,
}

impl Profile {
    /// Learn from the slots that ended before `before_s` (the start of today): every day
    /// seen counts for every slot of the day (a quiet slot is a real zero).
    pub fn learn(history: &[Slot], before_s: i64) -> Option<Profile> {
        let past: Vec<&Slot> = history
            .iter()
            .filter(|s| s.end_s() <= before_s && s.len_s > 0)
            .collect();
        let len_s = past.first()?.len_s;
        let first = past.iter().map(|s| s.start_s).min()?;
        // Whole days covered before `before_s`.
        let span = before_s - first;
        let days = (span as f64 / DAY_S as f64).max(1.0);
        let n = slots_per_day(len_s);
        let mut offered = vec![0.0; n];
        let mut sl = vec![(0u64, 0u64); n];
        let mut seen = vec![0.0f64; n];
        for s in past.iter().filter(|s| s.len_s == len_s) {
            let i = index(s.start_s, len_s);
            offered[i] += s.offered as f64;
            seen[i] += 1.0;
            sl[i].0 += s.hits;
            sl[i].1 += s.counted;
        }
        for (v, n) in offered.iter_mut().zip(&seen) {
            // A slot of the day seen on fewer days than the span (history started that day)
            // is averaged over the days it was seen.
            *v /= n.max(1.0);
        }
        Some(Profile {
            len_s,
            offered,
            sl,
            days: days.floor() as usize,
        })
    }

    /// Calls the profile expects over `[from_s, to_s)` (partial slots pro rata).
    pub fn expected(&self, from_s: i64, to_s: i64) -> f64 {
        if to_s <= from_s || self.len_s <= 0 {
            return 0.0;
        }
        let mut total = 0.0;
        let mut t = from_s.div_euclid(self.len_s) * self.len_s;
        while t < to_s {
            let lo = t.max(from_s);
            let hi = (t + self.len_s).min(to_s);
            let share = (hi - lo) as f64 / self.len_s as f64;
            total += share
                * self
                    .offered
                    .get(index(t, self.len_s))
                    .copied()
                    .unwrap_or(0.0);
            t += self.len_s;
        }
        total
    }

    /// The share answered in time in the slot of the day containing `at_s`, over the days
    /// learned; `None` when nothing was counted there.
    pub fn sl_at(&self, at_s: i64) -> Option<f64> {
        if self.len_s <= 0 {
            return None;
        }
        let slot = at_s.div_euclid(self.len_s) * self.len_s;
        let (hits, counted) = self.sl.get(index(slot, self.len_s)).copied()?;
        (counted > 0).then(|| hits as f64 / counted as f64)
    }

    /// The slot length learned (seconds).
    pub fn slot_s(&self) -> i64 {
        self.len_s
    }
}

/// Slots of `len_s` in a day (rounded up).
fn slots_per_day(len_s: i64) -> usize {
    usize::try_from((DAY_S + len_s - 1) / len_s.max(1)).unwrap_or(1)
}

/// The slot of the day a slot starting at `start_s` is.
fn index(start_s: i64, len_s: i64) -> usize {
    usize::try_from(start_s.rem_euclid(DAY_S) / len_s.max(1)).unwrap_or(0)
}

/// Calls per hour over the last `lookback_s` of slots up to `now_s` (the current slot
/// counted so far); `None` without slots there.
pub fn recent_rate(slots: &[Slot], now_s: i64, lookback_s: i64) -> Option<(f64, i64)> {
    let from = now_s - lookback_s;
    let recent: Vec<&Slot> = slots
        .iter()
        .filter(|s| s.end_s() > from && s.start_s <= now_s)
        .collect();
    let start = recent.iter().map(|s| s.start_s).min()?;
    let span = (now_s - start).max(60);
    let offered: u64 = recent.iter().map(|s| s.offered).sum();
    Some((offered as f64 * 3600.0 / span as f64, start))
}

/// The level of recent arrivals against the profile: observed / expected, kept within
/// [`LEVEL_RANGE`]; `None` when the profile expects too few calls to compare (< 2).
pub fn level(observed: f64, expected: f64) -> Option<f64> {
    (expected >= 2.0).then(|| (observed / expected).clamp(LEVEL_RANGE.0, LEVEL_RANGE.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day_of(d: i64, per_slot: impl Fn(i64) -> u64) -> Vec<Slot> {
        (0..96)
            .map(|k| Slot {
                start_s: d * DAY_S + k * 900,
                len_s: 900,
                offered: per_slot(k),
                counted: per_slot(k),
                hits: per_slot(k) * 8 / 10,
            })
            .collect()
    }

    #[test]
    fn profile_learns_the_shape_of_earlier_days() {
        // Busy from 09:00 (slot 36) to 17:00 (slot 68), 20 calls a slot.
        let busy = |k: i64| if (36..68).contains(&k) { 20 } else { 0 };
        let mut h = day_of(0, busy);
        h.extend(day_of(1, busy));
        let p = Profile::learn(&h, 2 * DAY_S).expect("profile");
        assert_eq!(p.days, 2);
        let d2 = 2 * DAY_S;
        assert_eq!(p.expected(d2, d2 + 9 * 3600), 0.0);
        assert!((p.expected(d2 + 9 * 3600, d2 + 10 * 3600) - 80.0).abs() < 1e-9);
        // Half a slot pro rata.
        assert!((p.expected(d2 + 9 * 3600, d2 + 9 * 3600 + 450) - 10.0).abs() < 1e-9);
        assert_eq!(p.sl_at(d2 + 10 * 3600), Some(0.8));
        assert_eq!(p.sl_at(d2 + 3600), None);
    }

    #[test]
    fn recent_rate_counts_the_current_slot_so_far() {
        let slots = day_of(0, |_| 15);
        // At 10:07:30: slots 09:30, 09:45 complete and 10:00 so far (15 calls each).
        let now = 10 * 3600 + 450;
        let (rate, from) = recent_rate(&slots[..41], now, 1800).expect("rate");
        assert_eq!(from, 9 * 3600 + 1800);
        assert!((rate - 45.0 * 3600.0 / 2250.0).abs() < 1e-9);
        assert_eq!(recent_rate(&[], now, 1800), None);
        assert_eq!(level(30.0, 1.0), None);
        assert_eq!(level(100.0, 10.0), Some(4.0));
    }
}
