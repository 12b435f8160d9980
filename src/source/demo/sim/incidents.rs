//! The day's incidents: which of the scenario's `[[incidents]]` strike on a date, exactly
//! when and whom. A pure function of (scenario, seed, date): each (incident, date) has its
//! own generator, so a day's incidents do not depend on where a simulation started, on the
//! rest of the centre, or on the other incidents.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::domain::time::local_instant;
use crate::source::demo::scenario::{IncidentKind, Scenario, Shift};

/// One incident as it happens on one day.
#[derive(Debug, Clone, PartialEq)]
pub struct DayIncident {
    /// Its place in the scenario's `incidents` (0-based).
    pub index: usize,
    pub kind: IncidentKind,
    /// The queue (index in the scenario's `queues`).
    pub queue: usize,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Surge: the arrival rate multiplier (1 for the other kinds).
    pub factor: f64,
    /// Sick and outage: the agents affected, in the order they were drawn.
    pub agents: Vec<Struck>,
    /// Seeds the extra arrivals of a surge.
    pub seed: u64,
}

/// An agent an incident keeps away, and exactly when: within the incident's window, each
/// a little after its start and back a little before its end (people do not all move in
/// the same second).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Struck {
    /// Index in the scenario's `agents`.
    pub agent: usize,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// How far apart the agents struck by one incident move: up to two minutes, and never
/// more than a quarter of the window.
const STAGGER_MS: i64 = 120_000;

/// One incident of the scenario, resolved against its queues and agents.
#[derive(Debug, Clone)]
struct Resolved {
    kind: IncidentKind,
    queue: usize,
    tz: Option<Tz>,
    window: Option<Shift>,
    chance: f64,
    dates: Vec<NaiveDate>,
    factor: f64,
    share: f64,
    spread_min: i64,
    /// The queue's team (the agents whose first skill it is), in scenario order.
    serving: Vec<usize>,
}

/// The scenario's incidents, ready to be drawn day by day.
#[derive(Debug, Clone, Default)]
pub struct IncidentPlan {
    seed: u64,
    incidents: Vec<Resolved>,
}

/// SplitMix64: spreads (seed, incident, day) over the generator's seed space.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A seed derived from `seed` and some numbers, one stream per combination.
pub fn derive_seed(seed: u64, parts: &[u64]) -> u64 {
    parts.iter().fold(mix(seed), |acc, p| mix(acc ^ mix(*p)))
}

/// Tags keeping the derived seeds of different uses apart.
pub const TAG_ARRIVALS: u64 = 0x4152_5249_5645; // "ARRIVE"
const TAG_INCIDENT: u64 = 0x494E_4349_4445; // "INCIDE"

impl IncidentPlan {
    /// The incidents of `scenario` (already validated; entries that do not resolve are
    /// left out). Queues without a zone of their own read windows in `tz`.
    pub fn new(scenario: &Scenario, seed: u64, tz: Option<Tz>) -> IncidentPlan {
        let incidents = scenario
            .incidents
            .iter()
            .filter_map(|inc| {
                let queue = scenario.queues.iter().position(|q| q.id == inc.queue)?;
                let spec = &scenario.queues[queue];
                let serving = scenario
                    .agents
                    .iter()
                    .enumerate()
                    .filter(|(_, a)| a.skills.first() == Some(&inc.queue))
                    .map(|(i, _)| i)
                    .collect();
                Some(Resolved {
                    kind: inc.kind,
                    queue,
                    tz: spec.zone().or(tz),
                    window: inc.window(),
                    chance: inc.chance,
                    dates: inc.dates().unwrap_or_default(),
                    factor: inc.factor.unwrap_or(1.0),
                    share: inc.share(),
                    spread_min: i64::from(inc.spread_min().unwrap_or(0)),
                    serving,
                })
            })
            .collect();
        IncidentPlan { seed, incidents }
    }

    pub fn is_empty(&self) -> bool {
        self.incidents.is_empty()
    }

    /// The incidents that strike on `date` (each read in its queue's calendar), in
    /// scenario order.
    pub fn on(&self, date: NaiveDate) -> Vec<DayIncident> {
        self.incidents
            .iter()
            .enumerate()
            .filter_map(|(index, r)| self.draw(index, r, date))
            .collect()
    }

    fn draw(&self, index: usize, r: &Resolved, date: NaiveDate) -> Option<DayIncident> {
        let day = i64::from(date.num_days_from_ce()) as u64;
        let mut rng =
            ChaCha8Rng::seed_from_u64(derive_seed(self.seed, &[TAG_INCIDENT, index as u64, day]));
        // Always the same draws in the same order, whether or not it happens.
        let roll: f64 = rng.random();
        let offset = if r.spread_min > 0 {
            rng.random_range(-r.spread_min..=r.spread_min)
        } else {
            0
        };
        let mut agents = r.serving.clone();
        for i in 0..agents.len() {
            let j = rng.random_range(i..agents.len());
            agents.swap(i, j);
        }
        let seed = rng.random::<u64>();
        if !(r.dates.contains(&date) || roll < r.chance) {
            return None;
        }
        let (from, to) = match r.window {
            Some(w) => {
                let from = local_instant(date, w.start_min, r.tz)? + Duration::minutes(offset);
                (from, from + Duration::minutes(i64::from(w.len_min)))
            }
            // The whole day in the queue's calendar.
            None => {
                let from = local_instant(date, 0, r.tz)?;
                let to = local_instant(date.succ_opt()?, 0, r.tz)?;
                (from, to)
            }
        };
        let agents = match r.kind {
            IncidentKind::Surge => Vec::new(),
            IncidentKind::Sick | IncidentKind::Outage => {
                let n = agents.len();
                let k = ((r.share * n as f64).round() as usize).clamp(n.min(1), n);
                agents.truncate(k);
                let spread = STAGGER_MS.min((to - from).num_milliseconds() / 4).max(0);
                agents
                    .into_iter()
                    .map(|agent| Struck {
                        agent,
                        from: from + Duration::milliseconds(rng.random_range(0..=spread)),
                        to: to - Duration::milliseconds(rng.random_range(0..=spread)),
                    })
                    .collect()
            }
        };
        Some(DayIncident {
            index,
            kind: r.kind,
            queue: r.queue,
            from,
            to,
            factor: r.factor,
            agents,
            seed,
        })
    }
}

/// The incidents of `scenario` that strike on `date` with `seed` (queues without a zone of
/// their own read in `tz`): the same ones the simulation plays.
pub fn incidents_on(
    scenario: &Scenario,
    seed: u64,
    date: NaiveDate,
    tz: Option<Tz>,
) -> Vec<DayIncident> {
    IncidentPlan::new(scenario, seed, tz).on(date)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::demo::scenario::{IncidentSpec, Scenario};

    fn scenario_with(incidents: Vec<IncidentSpec>) -> Scenario {
        let mut s = Scenario::builtin();
        s.incidents = incidents;
        s
    }

    fn spec(kind: IncidentKind, queue: &str) -> IncidentSpec {
        IncidentSpec {
            kind,
            queue: queue.into(),
            window: Some("10:00-11:30".into()),
            chance: 0.5,
            days: Vec::new(),
            factor: (kind == IncidentKind::Surge).then_some(2.5),
            share: (kind != IncidentKind::Surge).then_some(0.5),
            spread: Some("30m".into()),
        }
    }

    fn date(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, d).unwrap_or_default()
    }

    #[test]
    fn a_day_is_a_pure_function_of_seed_incident_and_date() {
        let q = Scenario::builtin().queues[0].id.clone();
        let s = scenario_with(vec![
            spec(IncidentKind::Surge, &q),
            spec(IncidentKind::Outage, &q),
        ]);
        let tz = Some(chrono_tz::UTC);
        let days: Vec<_> = (1..=28).map(|d| incidents_on(&s, 9, date(d), tz)).collect();
        let again: Vec<_> = (1..=28).map(|d| incidents_on(&s, 9, date(d), tz)).collect();
        assert_eq!(days, again);
        // Drawn backwards, the days are the same (no state carried from day to day).
        let backwards: Vec<_> = (1..=28)
            .rev()
            .map(|d| incidents_on(&s, 9, date(d), tz))
            .collect();
        assert!(days.iter().eq(backwards.iter().rev()));
        // A chance of one half: some days and not others, at different times.
        let happened = days.iter().filter(|d| !d.is_empty()).count();
        assert!((5..=50).contains(&happened), "{happened}");
        let starts: std::collections::HashSet<_> =
            days.iter().flatten().map(|i| i.from.time()).collect();
        assert!(starts.len() > 3, "the window moves within its spread");
        // Another seed, another month.
        let other: Vec<_> = (1..=28)
            .map(|d| incidents_on(&s, 10, date(d), tz))
            .collect();
        assert_ne!(days, other);
        // An incident's draws do not depend on the other incidents.
        let alone = scenario_with(vec![spec(IncidentKind::Surge, &q)]);
        for d in 1..=28 {
            let a: Vec<_> = incidents_on(&alone, 9, date(d), tz);
            let b: Vec<_> = incidents_on(&s, 9, date(d), tz)
                .into_iter()
                .filter(|i| i.index == 0)
                .collect();
            assert_eq!(a, b);
        }
    }

    #[test]
    fn windows_are_read_in_the_queues_zone_and_stay_within_the_spread() {
        let mut s = scenario_with(Vec::new());
        s.queues[0].timezone = Some("Asia/Singapore".into());
        let mut surge = spec(IncidentKind::Surge, &s.queues[0].id.clone());
        surge.days = vec!["2026-12-02".into()];
        surge.chance = 0.0;
        s.incidents = vec![surge];
        let day = incidents_on(&s, 1, date(2), Some(chrono_tz::UTC));
        assert_eq!(day.len(), 1);
        let i = &day[0];
        // 10:00 in Singapore is 02:00 UTC; the spread is ±30 min; the length stays 90 min.
        let nominal = Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).single();
        let nominal = nominal.unwrap_or_default();
        assert!((i.from - nominal).num_minutes().abs() <= 30, "{}", i.from);
        assert_eq!((i.to - i.from).num_minutes(), 90);
        assert_eq!(i.factor, 2.5);
        assert!(i.agents.is_empty());
        assert!(incidents_on(&s, 1, date(3), Some(chrono_tz::UTC)).is_empty());
    }

    #[test]
    fn a_share_of_the_queues_team_is_drawn_and_a_sick_day_lasts_the_day() {
        let s0 = Scenario::builtin();
        let q = s0.queues[0].id.clone();
        let serving: Vec<usize> = s0
            .agents
            .iter()
            .enumerate()
            .filter(|(_, a)| a.skills.first() == Some(&q))
            .map(|(i, _)| i)
            .collect();
        assert!(serving.len() >= 4, "a team to draw from");
        let mut sick = spec(IncidentKind::Sick, &q);
        sick.window = None;
        sick.chance = 1.0;
        sick.share = Some(0.25);
        let s = scenario_with(vec![sick]);
        let mut drawn = std::collections::HashSet::new();
        for d in 1..=10 {
            let day = incidents_on(&s, 4, date(d), Some(chrono_tz::UTC));
            assert_eq!(day.len(), 1);
            let i = &day[0];
            let expect = ((serving.len() as f64 * 0.25).round() as usize).max(1);
            assert_eq!(i.agents.len(), expect);
            assert!(i.agents.iter().all(|a| serving.contains(&a.agent)));
            let unique: std::collections::HashSet<_> = i.agents.iter().map(|a| a.agent).collect();
            assert_eq!(unique.len(), i.agents.len());
            drawn.extend(unique);
            // Each a little after the start and before the end, not all at once.
            for a in &i.agents {
                assert!(a.from >= i.from && a.to <= i.to && a.from < a.to, "{a:?}");
                assert!((a.from - i.from).num_seconds() <= 120);
            }
            let starts: std::collections::HashSet<_> = i.agents.iter().map(|a| a.from).collect();
            assert!(starts.len() > 1, "staggered");
            // The whole day in the queue's zone.
            let tz = s.queues[0].zone().or(Some(chrono_tz::UTC));
            assert_eq!(Some(i.from), local_instant(date(d), 0, tz));
            assert_eq!(Some(i.to), local_instant(date(d + 1), 0, tz));
        }
        assert!(drawn.len() > serving.len() / 2, "different people each day");
    }

    use chrono::TimeZone;
}
