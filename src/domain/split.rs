//! An agent's handle time today, split into talk, hold and after-call work.
//!
//! A platform reports the figures raw ([`SplitReport`]); the border check
//! (`bounds::check_split`) turns them into a [`HandleSplit`] whose figures are believable
//! or unknown. A figure the platform does not give stays `None` (shown as `—`), never 0.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// One figure of a split as the platform sent it, before the border check.
#[derive(Clone, Debug, PartialEq)]
pub enum Figure {
    /// The platform does not give it.
    Absent,
    /// A number: a count, or seconds.
    Value(f64),
    /// Present but not a number that can be read (its text, to say what it was).
    Unreadable(String),
}

impl Figure {
    /// A number when there is one, else absent.
    pub fn from_opt(v: Option<f64>) -> Figure {
        v.map_or(Figure::Absent, Figure::Value)
    }
}

/// An agent's handle time over `[from, fetched_at]` as a platform reported it (raw).
#[derive(Clone, Debug, PartialEq)]
pub struct SplitReport {
    /// Local midnight (the source's zone) that began the day.
    pub from: DateTime<Utc>,
    /// The end of the range the figures cover (now, when asked for now).
    pub fetched_at: DateTime<Utc>,
    /// Interactions handled (completed) today.
    pub handled: Figure,
    /// Seconds talking (connected to the customer, holds excluded where the platform
    /// tells them apart).
    pub talk_s: Figure,
    /// Seconds the customer was on hold.
    pub hold_s: Figure,
    /// Seconds of after-call work (wrap-up).
    pub acw_s: Figure,
}

impl SplitReport {
    /// A report with every figure absent.
    pub fn empty(from: DateTime<Utc>, fetched_at: DateTime<Utc>) -> SplitReport {
        SplitReport {
            from,
            fetched_at,
            handled: Figure::Absent,
            talk_s: Figure::Absent,
            hold_s: Figure::Absent,
            acw_s: Figure::Absent,
        }
    }
}

/// An agent's handle time today (local midnight → `fetched_at`) split into talk, hold and
/// after-call work, as checked at the border. A figure is `None` when the platform does not
/// give it, or sent something not believable (then `doubts` says what it was).
#[derive(Clone, Debug, PartialEq)]
pub struct HandleSplit {
    pub from: DateTime<Utc>,
    pub fetched_at: DateTime<Utc>,
    pub handled: Option<u64>,
    pub talk: Option<Duration>,
    pub hold: Option<Duration>,
    pub acw: Option<Duration>,
    /// Figures the platform sent that were not believed, in words ("talk -5 s").
    pub doubts: Vec<String>,
}

impl HandleSplit {
    /// The known parts added up (talk + hold + ACW, those known); `None` when none is.
    pub fn known_total(&self) -> Option<Duration> {
        [self.talk, self.hold, self.acw]
            .into_iter()
            .flatten()
            .reduce(|a, b| a.saturating_add(b))
    }

    /// A part's share of the known parts' total; `None` when the part is unknown or the
    /// total is zero.
    pub fn share(&self, part: Option<Duration>) -> Option<f64> {
        let total = self.known_total()?.as_secs_f64();
        let part = part?.as_secs_f64();
        (total > 0.0).then(|| part / total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(talk: Option<u64>, hold: Option<u64>, acw: Option<u64>) -> HandleSplit {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default();
        HandleSplit {
            from: t,
            fetched_at: t,
            handled: Some(3),
            talk: talk.map(Duration::from_secs),
            hold: hold.map(Duration::from_secs),
            acw: acw.map(Duration::from_secs),
            doubts: vec![],
        }
    }

    #[test]
    fn shares_are_of_the_known_parts() {
        let s = split(Some(80), Some(5), Some(15));
        assert_eq!(s.known_total(), Some(Duration::from_secs(100)));
        assert_eq!(s.share(s.talk), Some(0.8));
        assert_eq!(s.share(s.hold), Some(0.05));
        let s = split(Some(60), None, Some(20));
        assert_eq!(s.share(s.talk), Some(0.75));
        assert_eq!(s.share(s.hold), None);
        let s = split(None, None, None);
        assert_eq!(s.known_total(), None);
        assert_eq!(s.share(s.talk), None);
        let s = split(Some(0), Some(0), Some(0));
        assert_eq!(s.share(s.talk), None, "nothing to share");
    }
}
