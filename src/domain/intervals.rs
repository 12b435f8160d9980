//! Interval history: a queue's counters in fixed clock-aligned intervals, as a platform
//! reports them (Genesys: conversation aggregates with a 30-minute granularity; CXone:
//! summaries from an interval start; the demo: its own counters in 15-minute granules).
//!
//! It seeds the current SL window at once (never "counted since queuetop started"), gives
//! the recent arrival rate from the first frame, and is the data a time-of-day profile is
//! learned from.

use chrono::{DateTime, Utc};

/// One interval's counters, by the interval the interaction arrived in (as platforms
/// aggregate by conversation start).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IntervalCounts {
    pub start: DateTime<Utc>,
    /// The interval's length in minutes (15, 30, 60…).
    pub minutes: u32,
    pub offered: u64,
    pub answered: u64,
    pub answered_within_threshold: u64,
    pub abandoned: u64,
    pub abandoned_within_threshold: u64,
}

impl IntervalCounts {
    pub fn end(&self) -> DateTime<Utc> {
        self.start + chrono::Duration::minutes(i64::from(self.minutes))
    }
}

/// One queue's interval history and hours.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueueIntervals {
    pub queue_id: String,
    /// Whether the queue is within its business hours now; `None` when the platform does
    /// not say.
    pub open_now: Option<bool>,
    /// When today's hours end (in the queue's own zone), if known: the day outlook counts
    /// no calls after it.
    pub closes_at: Option<DateTime<Utc>>,
    /// Intervals oldest first, without gaps or overlaps; the last one may be the current
    /// interval, counted so far. Days before today feed the time-of-day profile.
    pub intervals: Vec<IntervalCounts>,
}

/// Everything a source knows of its queues' interval history, as of `fetched_at`.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceIntervals {
    pub source: String,
    pub fetched_at: DateTime<Utc>,
    pub queues: Vec<QueueIntervals>,
}
