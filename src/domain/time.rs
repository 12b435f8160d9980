//! Calendar arithmetic in the configured time zone (pure).

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

/// The clock a process reads "now" from: the wall clock, or (`--at`) a moment of the
/// demo centre's, fixed (a one-shot command) or running forward from it at wall speed (the
/// board).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    #[default]
    Wall,
    /// Always this instant.
    Fixed(DateTime<Utc>),
    /// `at` when the wall clock read `since`, and running `speed` times as fast as the
    /// wall clock from there (1 = wall speed; `--speed 10` replays).
    Running {
        at: DateTime<Utc>,
        since: DateTime<Utc>,
        speed: u32,
    },
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        match *self {
            Clock::Wall => Utc::now(),
            Clock::Fixed(at) => at,
            Clock::Running { at, since, speed } => {
                at + (Utc::now() - since) * i32::try_from(speed.clamp(1, 1000)).unwrap_or(1)
            }
        }
    }

    /// A fixed clock that starts running now (the board moves on from `--at`).
    pub fn running(self) -> Clock {
        self.running_at(1)
    }

    /// A fixed clock that starts running now, `speed` times as fast as the wall clock.
    pub fn running_at(self, speed: u32) -> Clock {
        match self {
            Clock::Fixed(at) => Clock::Running {
                at,
                since: Utc::now(),
                speed: speed.max(1),
            },
            other => other,
        }
    }

    /// Whether this is the wall clock.
    pub fn is_wall(&self) -> bool {
        matches!(self, Clock::Wall)
    }
}

/// The start of the clock-aligned interval of `minutes` containing `now` in `tz` (xx:00,
/// xx:15, … local; never before local midnight).
pub fn interval_start(now: DateTime<Utc>, tz: Option<Tz>, minutes: u32) -> DateTime<Utc> {
    let day = start_of_day(now, tz);
    let (_, minute) = local_minute_of_day(now, tz);
    let into = i64::from(minute % minutes.max(1));
    let whole_minute = now
        .with_second(0)
        .and_then(|t| t.with_nanosecond(0))
        .unwrap_or(now);
    (whole_minute - Duration::minutes(into)).max(day)
}

/// The instant of local midnight starting the day that contains `now` in `tz`
/// (`None` = the machine's zone).
pub fn start_of_day(now: DateTime<Utc>, tz: Option<Tz>) -> DateTime<Utc> {
    match tz {
        Some(tz) => {
            let d = now.with_timezone(&tz).date_naive();
            midnight_in(&tz, d).unwrap_or(now)
        }
        None => {
            let d = now.with_timezone(&chrono::Local).date_naive();
            midnight_in(&chrono::Local, d).unwrap_or(now)
        }
    }
}

/// The next local midnight strictly after `now`.
pub fn next_midnight(now: DateTime<Utc>, tz: Option<Tz>) -> DateTime<Utc> {
    let sod = start_of_day(now, tz);
    // 26 h later is always in the next local day, even across DST changes.
    let later = start_of_day(sod + Duration::hours(26), tz);
    if later > now {
        later
    } else {
        now + Duration::hours(24)
    }
}

/// Minutes since local midnight and the local calendar date, for `t`.
pub fn local_minute_of_day(t: DateTime<Utc>, tz: Option<Tz>) -> (NaiveDate, u32) {
    match tz {
        Some(tz) => {
            let l = t.with_timezone(&tz);
            (l.date_naive(), l.hour() * 60 + l.minute())
        }
        None => {
            let l = t.with_timezone(&chrono::Local);
            (l.date_naive(), l.hour() * 60 + l.minute())
        }
    }
}

/// Local wall-clock `date` + `minute` as an instant (the earliest one at a DST overlap, the
/// first valid minute after a DST gap).
pub fn local_instant(date: NaiveDate, minute: u32, tz: Option<Tz>) -> Option<DateTime<Utc>> {
    let naive = date.and_time(NaiveTime::MIN) + Duration::minutes(minute as i64);
    for shift in [0, 60, 120] {
        let n = naive + Duration::minutes(shift);
        let r = match tz {
            Some(tz) => map_local(tz.from_local_datetime(&n)),
            None => map_local(chrono::Local.from_local_datetime(&n)),
        };
        if r.is_some() {
            return r;
        }
    }
    None
}

fn map_local<T: TimeZone>(r: LocalResult<DateTime<T>>) -> Option<DateTime<Utc>> {
    match r {
        LocalResult::Single(t) => Some(t.with_timezone(&Utc)),
        LocalResult::Ambiguous(a, _) => Some(a.with_timezone(&Utc)),
        LocalResult::None => None,
    }
}

fn midnight_in<T: TimeZone>(tz: &T, d: NaiveDate) -> Option<DateTime<Utc>> {
    // Some zones skip midnight on DST days; take the first valid time after it.
    for h in 0..3 {
        let n = d.and_hms_opt(h, 0, 0)?;
        if let Some(t) = map_local(tz.from_local_datetime(&n)) {
            return Some(t);
        }
    }
    None
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_running_clock_moves_at_its_speed_from_the_instant_given() {
        let at = Utc.with_ymd_and_hms(2026, 12, 2, 14, 5, 0).unwrap();
        let since = Utc::now() - Duration::seconds(30);
        let replay = Clock::Running {
            at,
            since,
            speed: 10,
        };
        let moved = replay.now() - at;
        // 30 s of wall time at 10× is about 5 minutes of the board's time.
        assert!(
            moved >= Duration::seconds(300) && moved < Duration::seconds(400),
            "{moved}"
        );
        let wall_speed = Clock::Running {
            at,
            since,
            speed: 1,
        };
        let moved = wall_speed.now() - at;
        assert!(
            moved >= Duration::seconds(30) && moved < Duration::seconds(40),
            "{moved}"
        );
        // Fixed stays put; running_at starts from the fixed instant, never below 1×.
        assert_eq!(Clock::Fixed(at).now(), at);
        assert!(matches!(
            Clock::Fixed(at).running_at(0),
            Clock::Running { speed: 1, .. }
        ));
        assert_eq!(Clock::Wall.running_at(10), Clock::Wall);
    }

    use super::*;

    #[test]
    fn midnight_in_a_named_zone() {
        let tz: Tz = "America/New_York".parse().expect("tz");
        let now = Utc.with_ymd_and_hms(2026, 11, 21, 3, 0, 0).unwrap(); // 22:00 on the 20th in NY
        let sod = start_of_day(now, Some(tz));
        assert_eq!(sod, Utc.with_ymd_and_hms(2026, 11, 20, 5, 0, 0).unwrap());
        assert_eq!(
            next_midnight(now, Some(tz)),
            Utc.with_ymd_and_hms(2026, 11, 21, 5, 0, 0).unwrap()
        );
    }

    #[test]
    fn dst_day_is_23_hours() {
        let tz: Tz = "Europe/Dublin".parse().expect("tz");
        let now = Utc.with_ymd_and_hms(2026, 3, 29, 12, 0, 0).unwrap();
        let sod = start_of_day(now, Some(tz));
        let next = next_midnight(now, Some(tz));
        assert_eq!((next - sod).num_hours(), 23);
    }
}
