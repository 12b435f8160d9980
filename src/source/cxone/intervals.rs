//! Today's 30-minute intervals from `/skills/summary` + `/skills/sla-summary` asked from
//! each interval's start (REFERENCE §4.3, §4.4): the current interval on the today
//! cadence, each completed one once (a few per round, newest first), so the SL window is
//! seeded at once and the recent arrival rate is right from the first frame. CXone has no
//! cheaper interval report in the public API; earlier days are not fetched (the forecast
//! says it works from today's intervals only).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;

use super::wire::{SkillSummary, SlaSummary};
use crate::domain::time::start_of_day;
use crate::domain::{IntervalCounts, QueueIntervals};

/// The interval length asked for.
pub const MINUTES: u32 = 30;
/// Completed intervals fetched per round at most (two calls each).
pub const BACKFILL_PER_ROUND: usize = 3;

/// One interval's counters per skill id.
pub type PerSkill = HashMap<String, IntervalCounts>;

/// The start of the clock-aligned interval containing `now` in `tz`.
pub fn interval_start(now: DateTime<Utc>, tz: Option<Tz>) -> DateTime<Utc> {
    crate::domain::time::interval_start(now, tz, MINUTES)
}

/// One skill's interval from its summary and SLA rows. CXone counts a handled contact as
/// answered and `contactsWithinSLA` as answered within the skill's threshold (as today's
/// figures do); a skill missing from both answers had no contacts (a 204 is zeros). A row
/// present without a count it needs gives no interval: nothing is invented.
pub fn counts(
    start: DateTime<Utc>,
    summary: Option<&SkillSummary>,
    sla: Option<&SlaSummary>,
) -> Option<IntervalCounts> {
    let nonneg = |x: Option<i64>| x.and_then(|v| u64::try_from(v).ok());
    let (offered, answered, abandoned) = match summary {
        Some(s) => (
            nonneg(s.contacts_offered)?,
            nonneg(s.contacts_handled)?,
            nonneg(s.abandon_count)?,
        ),
        None => (0, 0, 0),
    };
    let within = match sla {
        Some(s) => nonneg(s.contacts_within_sla)?,
        None => 0,
    };
    Some(IntervalCounts {
        start,
        minutes: MINUTES,
        offered,
        answered,
        // Never more answered in time than answered (two endpoints, two populations).
        answered_within_threshold: within.min(answered),
        abandoned,
        abandoned_within_threshold: 0,
    })
}

/// Every skill's interval from one pair of answers.
pub fn per_skill(
    start: DateTime<Utc>,
    summaries: &[SkillSummary],
    slas: &[SlaSummary],
    skills: impl IntoIterator<Item = String>,
) -> PerSkill {
    let by_id = |id: &str| summaries.iter().find(|s| s.skill_id.as_deref() == Some(id));
    let sla_by_id = |id: &str| slas.iter().find(|s| s.skill_id.as_deref() == Some(id));
    skills
        .into_iter()
        .filter_map(|id| {
            let c = counts(start, by_id(&id), sla_by_id(&id))?;
            Some((id, c))
        })
        .collect()
}

/// Today's intervals as fetched.
#[derive(Debug, Default, Clone)]
pub struct IntervalBook {
    /// The local day the book holds.
    day: Option<DateTime<Utc>>,
    /// Completed intervals, by start.
    done: BTreeMap<DateTime<Utc>, PerSkill>,
    /// The current interval so far.
    current: Option<(DateTime<Utc>, PerSkill)>,
    pub fetched_at: Option<DateTime<Utc>>,
}

impl IntervalBook {
    /// Start a new day when `now` is in another one; a current interval that has ended
    /// is refetched as a completed one.
    pub fn roll(&mut self, now: DateTime<Utc>, tz: Option<Tz>) {
        let day = start_of_day(now, tz);
        if self.day != Some(day) {
            *self = IntervalBook {
                day: Some(day),
                ..IntervalBook::default()
            };
        }
        let start = interval_start(now, tz);
        if self.current.as_ref().is_some_and(|(s, _)| *s != start) {
            self.current = None;
        }
    }

    /// Completed intervals of today not fetched yet, newest first, at most `n`.
    pub fn missing(&self, now: DateTime<Utc>, tz: Option<Tz>, n: usize) -> Vec<DateTime<Utc>> {
        let day = start_of_day(now, tz);
        let mut out = vec![];
        let mut s = interval_start(now, tz);
        while s > day && out.len() < n {
            let prev = (s - Duration::minutes(i64::from(MINUTES))).max(day);
            if !self.done.contains_key(&prev) {
                out.push(prev);
            }
            s = prev;
        }
        out
    }

    pub fn set_current(&mut self, start: DateTime<Utc>, counts: PerSkill, at: DateTime<Utc>) {
        self.current = Some((start, counts));
        self.fetched_at = Some(at);
    }

    pub fn set_done(&mut self, start: DateTime<Utc>, counts: PerSkill) {
        self.done.insert(start, counts);
    }

    /// Each skill's intervals: the unbroken run of fetched intervals ending with the
    /// current one (a gap not yet backfilled cuts the run, never a silent zero).
    pub fn queues(&self, skills: &[String]) -> Vec<QueueIntervals> {
        let Some((cur_start, cur)) = &self.current else {
            return vec![];
        };
        skills
            .iter()
            .filter_map(|id| {
                let mut list = vec![cur.get(id)?.clone()];
                let mut expect = *cur_start;
                for (start, per) in self.done.range(..*cur_start).rev() {
                    let Some(c) = per.get(id) else { break };
                    if c.end() != expect {
                        break;
                    }
                    expect = *start;
                    list.push(c.clone());
                }
                list.reverse();
                Some(QueueIntervals {
                    queue_id: id.clone(),
                    open_now: None,
                    closes_at: None,
                    intervals: list,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .unwrap()
    }

    fn summary(id: &str, offered: i64, handled: i64, abandoned: i64) -> SkillSummary {
        SkillSummary {
            skill_id: Some(id.into()),
            contacts_offered: Some(offered),
            contacts_handled: Some(handled),
            abandon_count: Some(abandoned),
            ..SkillSummary::default()
        }
    }

    fn sla(id: &str, within: i64) -> SlaSummary {
        SlaSummary {
            skill_id: Some(id.into()),
            contacts_within_sla: Some(within),
            ..SlaSummary::default()
        }
    }

    #[test]
    fn intervals_align_to_the_local_clock() {
        let ny: Tz = "America/New_York".parse().unwrap();
        assert_eq!(
            interval_start(t("2026-12-02T14:47:31Z"), Some(ny)),
            t("2026-12-02T14:30:00Z")
        );
        // India is UTC+5:30: its half hours are UTC's hours.
        let india: Tz = "Asia/Kolkata".parse().unwrap();
        assert_eq!(
            interval_start(t("2026-12-02T14:47:31Z"), Some(india)),
            t("2026-12-02T14:30:00Z")
        );
        let nepal: Tz = "Asia/Kathmandu".parse().unwrap();
        // UTC+5:45: 14:47 UTC is 20:32 local → 20:30 local = 14:45 UTC.
        assert_eq!(
            interval_start(t("2026-12-02T14:47:31Z"), Some(nepal)),
            t("2026-12-02T14:45:00Z")
        );
    }

    #[test]
    fn counts_from_both_answers_and_zeros_for_a_silent_skill() {
        let s = [summary("1", 10, 8, 2)];
        let l = [sla("1", 6)];
        let start = t("2026-12-02T14:30:00Z");
        let per = per_skill(start, &s, &l, ["1".to_string(), "2".to_string()]);
        let one = &per["1"];
        assert_eq!(
            (
                one.offered,
                one.answered,
                one.answered_within_threshold,
                one.abandoned
            ),
            (10, 8, 6, 2)
        );
        let two = &per["2"];
        assert_eq!((two.offered, two.answered, two.abandoned), (0, 0, 0));
        // A row without its counts gives nothing, not zeros.
        let partial = SkillSummary {
            skill_id: Some("3".into()),
            ..SkillSummary::default()
        };
        assert!(counts(start, Some(&partial), None).is_none());
        // Within never exceeds answered.
        let c = counts(start, Some(&summary("4", 3, 2, 1)), Some(&sla("4", 9))).unwrap();
        assert_eq!(c.answered_within_threshold, 2);
    }

    #[test]
    fn the_book_backfills_newest_first_and_cuts_runs_at_gaps() {
        let tz = None;
        let now = t("2026-12-02T02:10:00Z");
        let mut book = IntervalBook::default();
        book.roll(now, tz);
        assert_eq!(
            book.missing(now, tz, 3),
            [
                t("2026-12-02T01:30:00Z"),
                t("2026-12-02T01:00:00Z"),
                t("2026-12-02T00:30:00Z")
            ]
        );
        let per = |start: DateTime<Utc>, n: u64| -> PerSkill {
            [(
                "1".to_string(),
                IntervalCounts {
                    start,
                    minutes: MINUTES,
                    offered: n,
                    answered: n,
                    ..IntervalCounts::default()
                },
            )]
            .into()
        };
        let cur = t("2026-12-02T02:00:00Z");
        book.set_current(cur, per(cur, 1), now);
        book.set_done(t("2026-12-02T01:30:00Z"), per(t("2026-12-02T01:30:00Z"), 2));
        // 01:00 missing: 00:30 is not joined to the run.
        book.set_done(t("2026-12-02T00:30:00Z"), per(t("2026-12-02T00:30:00Z"), 4));
        let q = book.queues(&["1".to_string()]);
        let starts: Vec<_> = q[0].intervals.iter().map(|i| i.start).collect();
        assert_eq!(starts, [t("2026-12-02T01:30:00Z"), cur]);
        assert_eq!(
            book.missing(now, tz, 5),
            [t("2026-12-02T01:00:00Z"), t("2026-12-02T00:00:00Z")]
        );
        // The next interval: the current one is asked again as a completed one.
        let later = t("2026-12-02T02:31:00Z");
        book.roll(later, tz);
        assert!(book.queues(&["1".to_string()]).is_empty());
        assert_eq!(book.missing(later, tz, 1), [cur]);
        // A new day starts empty.
        book.roll(t("2026-12-03T00:01:00Z"), tz);
        assert!(book.missing(t("2026-12-03T00:01:00Z"), tz, 5).is_empty());
    }
}
