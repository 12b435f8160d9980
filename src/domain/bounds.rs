//! Plausibility at the border: every figure and instant a platform sends is checked before
//! anything is computed from it. An implausible value becomes unknown (`—`), and the source
//! says what it was, so nothing downstream allocates or divides by a number nobody checked.

use chrono::{DateTime, Duration, Utc};

use super::split::{Figure, HandleSplit, SplitReport};
use super::{Agent, AgentCounts, Queue, QueueLive, QueueToday};

/// More callers than this waiting in one queue is not a contact centre.
pub const MAX_WAITING: u32 = 1_000_000;
/// More agents than this in one state of one queue, likewise.
pub const MAX_AGENTS: u32 = 1_000_000;
/// More interactions than this in one queue in one day.
pub const MAX_DAY_COUNT: u64 = 100_000_000;
/// A wait, handle time or answer time longer than a week is an error.
pub const MAX_DURATION_S: f64 = 7.0 * 86_400.0;
/// Instants more than this far in the future are clock trouble, not data.
pub const MAX_FUTURE: Duration = Duration::minutes(10);
/// Instants older than this (agent "in state since", observation times) are not believed:
/// it catches the epoch and year-1 placeholders while leaving a platform's own clock (which
/// the figures are aged against) alone. Durations derived from instants have their own,
/// much tighter bound ([`MAX_DURATION_S`]).
pub const MAX_PAST: Duration = Duration::days(3650);
/// More interactions than this handled by one agent in one day are not believed.
pub const MAX_AGENT_DAY_COUNT: u64 = 100_000;
/// How far an agent's talk, hold or after-call work may run past the time since midnight:
/// platforms count an interaction's time when it ends, so one that began before midnight
/// counts whole today.
pub const SPLIT_GRACE: Duration = Duration::hours(2);

/// Make a queue's figures plausible in place; one line per value that was not.
pub fn check_queue(q: &mut Queue, now: DateTime<Utc>) -> Vec<String> {
    let mut p = Problems::new(format!("queue {:?}", q.name));
    check_live(&mut q.live, now, &mut p);
    check_today(&mut q.today, now, &mut p);
    if let Some(o) = q.vendor_objective
        && !(o.target.is_finite()
            && o.target > 0.0
            && o.target <= 1.0
            && o.threshold_s.is_finite()
            && (0.0..=86_400.0).contains(&o.threshold_s))
    {
        p.say(format!(
            "service-level objective {} within {} s",
            o.target, o.threshold_s
        ));
        q.vendor_objective = None;
    }
    let before = q.recent_waiting.len();
    q.recent_waiting
        .retain(|(t, n)| *n <= MAX_WAITING && instant_ok(*t, now));
    if q.recent_waiting.len() != before {
        p.say(format!(
            "{} implausible waiting samples",
            before - q.recent_waiting.len()
        ));
    }
    p.lines
}

/// Make an agent's instant plausible in place.
pub fn check_agent(a: &mut Agent, now: DateTime<Utc>) -> Vec<String> {
    let mut p = Problems::new(format!("agent {:?}", a.name));
    if let Some(t) = a.since
        && !instant_ok(t, now)
    {
        p.say(format!("in state since {t}"));
        a.since = None;
    }
    p.lines
}

fn check_live(l: &mut QueueLive, now: DateTime<Utc>, p: &mut Problems) {
    if let Some(t) = l.observed_at
        && !instant_ok(t, now)
    {
        p.say(format!("observed at {t}"));
        l.observed_at = None;
    }
    if let Some(n) = l.waiting
        && n > MAX_WAITING
    {
        p.say(format!("{n} waiting (more than {MAX_WAITING})"));
        l.waiting = None;
        l.longest_wait_s = None;
        l.waiting_ages_s = None;
    }
    duration(&mut l.longest_wait_s, "longest wait", p);
    if let Some(ages) = &l.waiting_ages_s {
        let bad = ages.len() > MAX_WAITING as usize
            || ages
                .iter()
                .any(|a| !(a.is_finite() && (0.0..=MAX_DURATION_S).contains(a)));
        if bad {
            p.say("waiting ages out of range".to_string());
            l.waiting_ages_s = None;
        }
    }
    check_counts(&mut l.agents, p);
}

fn check_counts(c: &mut AgentCounts, p: &mut Problems) {
    for (name, v) in [
        ("available", &mut c.available),
        ("busy", &mut c.busy),
        ("after-call work", &mut c.after_call_work),
        ("not responding", &mut c.not_responding),
        ("unavailable", &mut c.unavailable),
        ("offline", &mut c.offline),
    ] {
        if let Some(n) = *v
            && n > MAX_AGENTS
        {
            p.say(format!("{n} agents {name}"));
            *v = None;
        }
    }
}

fn check_today(t: &mut QueueToday, now: DateTime<Utc>, p: &mut Problems) {
    if let Some(at) = t.fetched_at
        && !instant_ok(at, now)
    {
        p.say(format!("today's figures fetched at {at}"));
        t.fetched_at = None;
    }
    for (name, v) in [
        ("offered", &mut t.offered),
        ("answered", &mut t.answered),
        ("abandoned", &mut t.abandoned),
        ("answered in time", &mut t.answered_within_threshold),
        ("short abandons", &mut t.abandoned_within_threshold),
        ("handled", &mut t.handled),
    ] {
        if let Some(n) = *v
            && n > MAX_DAY_COUNT
        {
            p.say(format!("{n} {name} today"));
            *v = None;
        }
    }
    duration(&mut t.asa_s, "ASA", p);
    duration(&mut t.aht_s, "AHT", p);
    fraction(&mut t.service_level, "service level", p);
    fraction(&mut t.abandon_rate, "abandon rate", p);
    if let Some(h) = t.handle_time_total_s
        && !(h.is_finite() && h >= 0.0 && h <= MAX_DURATION_S * MAX_DAY_COUNT as f64)
    {
        p.say(format!("total handle time {h}"));
        t.handle_time_total_s = None;
    }
}

/// The border check of an agent's handle-time split: a count that is negative or not
/// whole, a time that is negative or longer than the day so far (plus [`SPLIT_GRACE`]),
/// anything not a number — each becomes unknown, and `doubts` says what it was. Text the
/// platform sent is made printable and short here.
pub fn check_split(r: SplitReport) -> HandleSplit {
    let mut doubts = Vec::new();
    let elapsed = (r.fetched_at - r.from).max(Duration::zero());
    let limit_s = (elapsed + SPLIT_GRACE).num_milliseconds() as f64 / 1000.0;
    let handled = match r.handled {
        Figure::Absent => None,
        Figure::Value(n)
            if n.is_finite() && n >= 0.0 && n.fract() == 0.0 && n <= MAX_AGENT_DAY_COUNT as f64 =>
        {
            Some(n as u64)
        }
        Figure::Value(n) => {
            doubts.push(format!("handled {}", number(n)));
            None
        }
        Figure::Unreadable(t) => {
            doubts.push(format!("handled {}", quoted(&t)));
            None
        }
    };
    let mut time = |f: Figure, name: &str| match f {
        Figure::Absent => None,
        Figure::Value(s) if s.is_finite() && (0.0..=limit_s).contains(&s) => {
            std::time::Duration::try_from_secs_f64(s).ok()
        }
        Figure::Value(s) if s.is_finite() && s > limit_s => {
            doubts.push(format!(
                "{name} {} s, longer than the {} s since midnight",
                number(s.round()),
                elapsed.num_seconds()
            ));
            None
        }
        Figure::Value(s) => {
            doubts.push(format!("{name} {} s", number(s)));
            None
        }
        Figure::Unreadable(t) => {
            doubts.push(format!("{name} {}", quoted(&t)));
            None
        }
    };
    let talk = time(r.talk_s, "talk");
    let hold = time(r.hold_s, "hold");
    let acw = time(r.acw_s, "ACW");
    HandleSplit {
        from: r.from,
        fetched_at: r.fetched_at,
        handled,
        talk,
        hold,
        acw,
        doubts,
    }
}

/// A number as said in a doubt: plain when short, else in exponent form (`1e308`).
fn number(x: f64) -> String {
    if x.is_finite() && x.abs() >= 1e12 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A platform's text in quotes, printable and at most 24 characters.
fn quoted(t: &str) -> String {
    let p = super::text::printable(t);
    let mut s: String = p.chars().take(24).collect();
    if p.chars().count() > 24 {
        s.push('…');
    }
    format!("{s:?}")
}

fn duration(v: &mut Option<f64>, name: &str, p: &mut Problems) {
    if let Some(s) = *v
        && !(s.is_finite() && (0.0..=MAX_DURATION_S).contains(&s))
    {
        p.say(format!("{name} {s} s"));
        *v = None;
    }
}

fn fraction(v: &mut Option<f64>, name: &str, p: &mut Problems) {
    if let Some(f) = *v
        && !(f.is_finite() && (0.0..=1.0).contains(&f))
    {
        p.say(format!("{name} {f}"));
        *v = None;
    }
}

fn instant_ok(t: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    t <= now + MAX_FUTURE && t >= now - MAX_PAST
}

struct Problems {
    subject: String,
    lines: Vec<String>,
}

impl Problems {
    fn new(subject: String) -> Problems {
        Problems {
            subject,
            lines: Vec::new(),
        }
    }
    fn say(&mut self, what: String) {
        self.lines.push(format!("{}: {what}", self.subject));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Media, SlObjective};

    fn queue() -> Queue {
        Queue {
            id: "q".into(),
            name: "Sales".into(),
            media: Media::Voice,
            vendor_objective: Some(SlObjective {
                target: 0.8,
                threshold_s: 20.0,
            }),
            live: QueueLive::default(),
            today: QueueToday::default(),
            recent_waiting: vec![],
        }
    }

    #[test]
    fn plausible_figures_pass_untouched() {
        let now = Utc::now();
        let mut q = queue();
        q.live.waiting = Some(12);
        q.live.longest_wait_s = Some(95.0);
        q.live.observed_at = Some(now);
        q.today.service_level = Some(0.81);
        let before = q.clone();
        assert!(check_queue(&mut q, now).is_empty());
        assert_eq!(q, before);
    }

    #[test]
    fn huge_negative_and_non_finite_values_become_unknown() {
        let now = Utc::now();
        let mut q = queue();
        q.live.waiting = Some(u32::MAX);
        q.live.longest_wait_s = Some(1e308);
        q.live.agents.busy = Some(4_000_000_000);
        q.today.service_level = Some(-7.94);
        q.today.asa_s = Some(f64::NAN);
        q.today.offered = Some(u64::MAX);
        let problems = check_queue(&mut q, now);
        assert_eq!(problems.len(), 5, "{problems:?}");
        assert!(problems[0].starts_with("queue \"Sales\": 4294967295 waiting"));
        assert_eq!(q.live.waiting, None);
        assert_eq!(q.live.longest_wait_s, None);
        assert_eq!(q.live.agents.busy, None);
        assert_eq!(q.today.service_level, None);
        assert_eq!(q.today.asa_s, None);
        assert_eq!(q.today.offered, None);
    }

    #[test]
    fn absurd_instants_are_not_believed() {
        let now = Utc::now();
        let mut a = Agent {
            id: "a".into(),
            name: "Ann".into(),
            state: crate::domain::AgentState::Busy,
            reason: None,
            since: DateTime::from_timestamp(-62_135_596_800, 0),
            queues: vec![],
            contact: None,
            team: None,
        };
        assert_eq!(check_agent(&mut a, now).len(), 1);
        assert_eq!(a.since, None);
        a.since = Some(now + Duration::days(2));
        assert_eq!(check_agent(&mut a, now).len(), 1);
        a.since = Some(now - Duration::minutes(3));
        assert!(check_agent(&mut a, now).is_empty());
    }

    fn report(talk: Figure) -> SplitReport {
        let from = Utc::now() - Duration::hours(8);
        SplitReport {
            from,
            fetched_at: from + Duration::hours(8),
            handled: Figure::Value(27.0),
            talk_s: talk,
            hold_s: Figure::Value(240.0),
            acw_s: Figure::Absent,
        }
    }

    #[test]
    fn a_plausible_split_passes_and_absent_stays_unknown() {
        let s = check_split(report(Figure::Value(8_403.5)));
        assert!(s.doubts.is_empty(), "{:?}", s.doubts);
        assert_eq!(s.handled, Some(27));
        assert_eq!(s.talk, Some(std::time::Duration::from_millis(8_403_500)));
        assert_eq!(s.hold, Some(std::time::Duration::from_secs(240)));
        assert_eq!(s.acw, None, "absent is unknown, not 0");
    }

    #[test]
    fn hostile_split_figures_become_unknown_and_are_named() {
        for (talk, said) in [
            (Figure::Value(-5.0), "talk -5 s"),
            (Figure::Value(f64::NAN), "talk NaN s"),
            (Figure::Value(f64::INFINITY), "talk inf s"),
            (
                Figure::Value(1e308),
                "longer than the 28800 s since midnight",
            ),
            // Eight hours into the day, ten hours of talk is more than the grace allows.
            (Figure::Value(36_001.0 + 7_200.0), "talk 43201 s"),
            (Figure::Unreadable("-PT1S\u{1b}[2J".into()), "talk \"-PT1S"),
        ] {
            let s = check_split(report(talk.clone()));
            assert_eq!(s.talk, None, "{talk:?}");
            assert_eq!(s.doubts.len(), 1, "{talk:?}: {:?}", s.doubts);
            assert!(s.doubts[0].contains(said), "{talk:?}: {:?}", s.doubts);
            assert!(!s.doubts[0].contains('\u{1b}'), "{:?}", s.doubts);
            assert_eq!(
                s.hold,
                Some(std::time::Duration::from_secs(240)),
                "the rest stays"
            );
        }
        // A call that began before midnight may count whole today.
        let s = check_split(report(Figure::Value(28_800.0 + 3_600.0)));
        assert!(s.talk.is_some() && s.doubts.is_empty(), "{:?}", s.doubts);
        for n in [-1.0, 2.5, 1e9, f64::NAN] {
            let mut r = report(Figure::Value(1.0));
            r.handled = Figure::Value(n);
            let s = check_split(r);
            assert_eq!(s.handled, None, "{n}");
            assert_eq!(s.doubts.len(), 1, "{n}");
        }
        let mut r = report(Figure::Value(1.0));
        r.handled = Figure::Unreadable("lots".repeat(20));
        let s = check_split(r);
        assert_eq!(s.handled, None);
        assert!(s.doubts[0].len() < 40, "shortened: {:?}", s.doubts);
    }
}
