//! The demo centre's scenario: queues, arrival profiles, agents and incidents (TOML).

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::domain::Media;

/// The built-in scenario, compiled into the binary.
pub const BUILTIN: &str = include_str!("../../../assets/demo/centre.toml");

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    #[serde(default = "default_nr")]
    pub not_responding_chance: f64,
    pub profiles: HashMap<String, Vec<f64>>,
    pub queues: Vec<QueueSpec>,
    pub agents: Vec<AgentSpec>,
    /// Things that go wrong on some days (surges, sick calls, outages).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub incidents: Vec<IncidentSpec>,
}

fn default_nr() -> f64 {
    0.01
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct QueueSpec {
    pub id: String,
    pub name: String,
    pub media: Media,
    pub target: f64,
    /// Duration string ("20s", "4h").
    pub threshold: String,
    /// Arrivals per hour when the profile factor is 1.
    pub peak_per_hour: f64,
    /// Mean talk time, seconds.
    pub talk: f64,
    /// Mean after-call work, seconds.
    pub acw: f64,
    /// Mean caller patience, seconds (0 = never abandons).
    pub patience: f64,
    pub profile: String,
    /// The queue's own time zone ("America/New_York"): its profile and hours are read in
    /// it. Default: the source's zone.
    #[serde(default)]
    pub timezone: Option<String>,
    /// Business hours, local "HH:MM-HH:MM" (an end before the start runs past midnight;
    /// "00:00-24:00" is always open). No calls arrive outside them. Default: always open,
    /// hours unknown to the board.
    #[serde(default)]
    pub hours: Option<String>,
}

impl QueueSpec {
    pub fn zone(&self) -> Option<chrono_tz::Tz> {
        self.timezone.as_deref().and_then(|z| z.parse().ok())
    }

    /// The hours as (start minute, length in minutes).
    pub fn opening(&self) -> Option<Shift> {
        parse_window(self.hours.as_deref()?)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSpec {
    pub id: String,
    pub name: String,
    pub skills: Vec<String>,
    /// Local "HH:MM-HH:MM"; an end before the start runs past midnight.
    pub shift: String,
    /// The zone the shift is read in. Default: the zone of the agent's first skill.
    #[serde(default)]
    pub timezone: Option<String>,
}

/// What an incident does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IncidentKind {
    /// The queue's arrival rate is multiplied by `factor` during the window.
    Surge,
    /// A share of the queue's team (the agents whose first skill it is) call in sick: they
    /// do not log in during the window (the whole day when no window is given); one at
    /// work goes home when their current contact is done.
    Sick,
    /// A share of the queue's team are pulled off the phones (a system outage, an
    /// emergency briefing) during the window: each goes unavailable when next free.
    Outage,
}

impl IncidentKind {
    pub fn word(self) -> &'static str {
        match self {
            IncidentKind::Surge => "surge",
            IncidentKind::Sick => "sick",
            IncidentKind::Outage => "outage",
        }
    }
}

/// One kind of trouble that strikes a queue on some days. Whether it happens on a day, and
/// exactly when and to whom, is drawn from (seed, incident, date), so every process agrees.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentSpec {
    pub kind: IncidentKind,
    /// The queue id: its arrivals surge, or its team (the agents whose first skill it is)
    /// is affected.
    pub queue: String,
    /// Local "HH:MM-HH:MM" in the queue's zone (an end before the start runs past
    /// midnight). Required for a surge and an outage; a sick wave without one lasts the day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// Probability that it happens on any one day, in [0, 1].
    #[serde(default)]
    pub chance: f64,
    /// Dates ("2026-12-02", the queue's own calendar) on which it happens for certain.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days: Vec<String>,
    /// Surge only: the arrival rate multiplier, in (1, 10].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub factor: Option<f64>,
    /// Sick and outage: the share of the queue's team affected, in (0, 1] (default 1); at
    /// least one agent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share: Option<f64>,
    /// The window moves by up to this much either way, drawn each day ("30m"; up to 6 h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spread: Option<String>,
}

impl IncidentSpec {
    /// The window as (start minute, length in minutes); `None` when absent or malformed.
    pub fn window(&self) -> Option<Shift> {
        parse_window(self.window.as_deref()?)
    }

    /// The spread in minutes (0 when absent).
    pub fn spread_min(&self) -> Option<u32> {
        match &self.spread {
            None => Some(0),
            Some(s) => {
                let d = crate::config::parse_duration(s)?;
                u32::try_from(d.as_secs() / 60).ok()
            }
        }
    }

    /// The listed dates, parsed (`None` if one is malformed).
    pub fn dates(&self) -> Option<Vec<chrono::NaiveDate>> {
        self.days
            .iter()
            .map(|d| chrono::NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
            .collect()
    }

    /// The share of agents affected (sick and outage).
    pub fn share(&self) -> f64 {
        self.share.unwrap_or(1.0)
    }

    fn validate(
        &self,
        n: usize,
        queues: &std::collections::HashSet<&str>,
        agents: &[AgentSpec],
    ) -> Result<(), String> {
        let at = format!("incident {n} ({} on {:?})", self.kind.word(), self.queue);
        if !queues.contains(self.queue.as_str()) {
            return Err(format!("{at}: unknown queue {:?}", self.queue));
        }
        if self.kind != IncidentKind::Surge
            && !agents.iter().any(|a| a.skills.first() == Some(&self.queue))
        {
            return Err(format!(
                "{at}: the queue has no team (no agent has {:?} as their first skill)",
                self.queue
            ));
        }
        match (&self.window, self.window()) {
            (Some(w), None) => {
                return Err(format!(
                    "{at}: bad window {w:?} (write \"10:00-11:30\", in the queue's zone)"
                ));
            }
            (None, _) if self.kind != IncidentKind::Sick => {
                return Err(format!(
                    "{at}: a {} needs a window (window = \"10:00-11:30\")",
                    self.kind.word()
                ));
            }
            _ => {}
        }
        if !(self.chance.is_finite() && (0.0..=1.0).contains(&self.chance)) {
            return Err(format!("{at}: chance must be in [0, 1]"));
        }
        let Some(dates) = self.dates() else {
            return Err(format!(
                "{at}: bad date in days {:?} (write \"2026-12-02\")",
                self.days
            ));
        };
        if self.chance == 0.0 && dates.is_empty() {
            return Err(format!(
                "{at}: it never happens (give a chance per day, or days)"
            ));
        }
        match (self.kind, self.factor) {
            (IncidentKind::Surge, Some(f)) if f.is_finite() && f > 1.0 && f <= 10.0 => {}
            (IncidentKind::Surge, _) => {
                return Err(format!("{at}: a surge needs a factor in (1, 10]"));
            }
            (_, Some(_)) => return Err(format!("{at}: factor is for a surge only")),
            (_, None) => {}
        }
        match (self.kind, self.share) {
            (IncidentKind::Surge, Some(_)) => {
                return Err(format!("{at}: share is for sick and outage only"));
            }
            (_, Some(s)) if !(s.is_finite() && s > 0.0 && s <= 1.0) => {
                return Err(format!("{at}: share must be in (0, 1]"));
            }
            _ => {}
        }
        match self.spread_min() {
            Some(m) if m <= 6 * 60 => {}
            _ => {
                return Err(format!(
                    "{at}: bad spread {:?} (a duration up to 6h, e.g. \"30m\")",
                    self.spread
                ));
            }
        }
        Ok(())
    }
}

/// A parsed shift: minutes after local midnight, and its length in minutes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shift {
    pub start_min: u32,
    pub len_min: u32,
}

impl Scenario {
    pub fn builtin() -> Scenario {
        // The built-in scenario is validated by a unit test, so this cannot fail at run time.
        match Scenario::parse(BUILTIN, "built-in scenario") {
            Ok(s) => s,
            Err(e) => panic!("the built-in demo scenario is invalid: {e}"),
        }
    }

    pub fn load(path: &Path) -> Result<Scenario, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read demo scenario {}: {e}", path.display()))?;
        Scenario::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> Result<Scenario, String> {
        let s: Scenario =
            toml::from_str(text).map_err(|e| format!("demo scenario {origin}: {e}"))?;
        s.validate()
            .map_err(|e| format!("demo scenario {origin}: {e}"))?;
        Ok(s)
    }

    fn validate(&self) -> Result<(), String> {
        if self.queues.is_empty() {
            return Err("it has no queues".into());
        }
        if !(0.0..=1.0).contains(&self.not_responding_chance) {
            return Err("not_responding_chance must be in [0, 1]".into());
        }
        for (name, p) in &self.profiles {
            if p.len() != 24 || p.iter().any(|f| !f.is_finite() || *f < 0.0) {
                return Err(format!("profile {name:?} needs 24 factors ≥ 0"));
            }
        }
        let mut ids = std::collections::HashSet::new();
        for q in &self.queues {
            if !ids.insert(q.id.as_str()) {
                return Err(format!("queue id {:?} is used twice", q.id));
            }
            if !self.profiles.contains_key(&q.profile) {
                return Err(format!(
                    "queue {:?} names unknown profile {:?}",
                    q.id, q.profile
                ));
            }
            if q.timezone.is_some() && q.zone().is_none() {
                return Err(format!(
                    "queue {:?}: unknown time zone {:?}",
                    q.id, q.timezone
                ));
            }
            if q.hours.is_some() && q.opening().is_none() {
                return Err(format!(
                    "queue {:?}: bad hours {:?} (write \"08:00-18:00\")",
                    q.id, q.hours
                ));
            }
            if q.threshold_s().is_none() {
                return Err(format!("queue {:?}: bad threshold {:?}", q.id, q.threshold));
            }
            // Bounded so the 25 h warm start stays fast and times cannot overflow.
            let ok = |x: f64| x.is_finite() && (0.0..=86_400.0).contains(&x);
            let valid = q.target > 0.0
                && q.target <= 1.0
                && q.peak_per_hour.is_finite()
                && (0.0..=10_000.0).contains(&q.peak_per_hour)
                && q.talk.is_finite()
                && q.talk > 0.0
                && ok(q.acw)
                && ok(q.patience);
            if !valid {
                return Err(format!(
                    "queue {:?}: target must be in (0, 1], peak_per_hour in [0, 10000], talk in (0, 86400], acw and patience in [0, 86400]",
                    q.id
                ));
            }
        }
        let mut agent_ids = std::collections::HashSet::new();
        for a in &self.agents {
            if !agent_ids.insert(a.id.as_str()) {
                return Err(format!("agent id {:?} is used twice", a.id));
            }
            for s in &a.skills {
                if !ids.contains(s.as_str()) {
                    return Err(format!("agent {:?} has unknown skill {s:?}", a.id));
                }
            }
            if let Some(z) = &a.timezone
                && z.parse::<chrono_tz::Tz>().is_err()
            {
                return Err(format!("agent {:?}: unknown time zone {z:?}", a.id));
            }
            if parse_shift(&a.shift).is_none() {
                return Err(format!(
                    "agent {:?}: bad shift {:?} (write \"08:00-16:30\")",
                    a.id, a.shift
                ));
            }
        }
        for (i, inc) in self.incidents.iter().enumerate() {
            inc.validate(i + 1, &ids, &self.agents)?;
        }
        Ok(())
    }
}

impl Scenario {
    /// A large synthetic centre for benches and load tests: `queues` queues and `agents`
    /// agents, built from the built-in scenario's queue kinds, profiles and shifts.
    ///
    /// Queue `k` copies built-in queue `k mod Q` (Q built-in queues) with its peak rate
    /// scaled so the load per agent stays close to the built-in centre's. Agent `i` serves
    /// 1–4 queues (its home queue `i mod queues` plus queues spread evenly around it) and
    /// works built-in agent `i mod A`'s shift in that agent's zone. The built-in incidents
    /// strike the first copy of their queue. Deterministic: the same sizes give the same
    /// scenario.
    pub fn scaled(queues: usize, agents: usize) -> Scenario {
        let base = Scenario::builtin();
        let queues = queues.max(1);
        let base_ratio = base.agents.len().max(1) as f64 / base.queues.len().max(1) as f64;
        let scale = (agents as f64 / queues as f64) / base_ratio;
        let queue_specs: Vec<QueueSpec> = (0..queues)
            .map(|k| {
                let t = &base.queues[k % base.queues.len()];
                QueueSpec {
                    id: format!("{}-{k:04}", t.id),
                    name: format!("{} {k:04}", t.name),
                    peak_per_hour: (t.peak_per_hour * scale).clamp(0.0, 10_000.0),
                    ..t.clone()
                }
            })
            .collect();
        let agent_specs: Vec<AgentSpec> = (0..agents)
            .map(|i| {
                let t = &base.agents[i % base.agents.len()];
                let home = i % queues;
                let n = (1 + i % 4).min(queues);
                let mut skills: Vec<String> = Vec::with_capacity(n);
                for j in 0..n {
                    // Spread the extra skills around the ring of queues, never repeating one.
                    let q = (home + j * queues.div_ceil(n) + j) % queues;
                    let id = &queue_specs[q].id;
                    if !skills.contains(id) {
                        skills.push(id.clone());
                    }
                }
                AgentSpec {
                    id: format!("a-{i:05}"),
                    name: format!("{} {i:05}", t.name),
                    skills,
                    shift: t.shift.clone(),
                    timezone: t.timezone.clone(),
                }
            })
            .collect();
        // Each incident strikes the first copy of its queue.
        let incidents = base
            .incidents
            .iter()
            .filter_map(|inc| {
                let b = base.queues.iter().position(|q| q.id == inc.queue)?;
                let q = queue_specs.get(b)?;
                Some(IncidentSpec {
                    queue: q.id.clone(),
                    ..inc.clone()
                })
            })
            .collect();
        Scenario {
            name: format!("Scaled centre ({queues} queues, {agents} agents)"),
            not_responding_chance: base.not_responding_chance,
            profiles: base.profiles,
            queues: queue_specs,
            agents: agent_specs,
            incidents,
        }
    }

    /// The scenario as TOML, in the form [`Scenario::parse`] reads.
    pub fn to_toml(&self) -> Result<String, String> {
        toml::to_string(self).map_err(|e| format!("cannot write the demo scenario: {e}"))
    }
}

impl QueueSpec {
    pub fn threshold_s(&self) -> Option<f64> {
        crate::config::parse_duration(&self.threshold).map(|d| d.as_secs_f64())
    }
}

impl AgentSpec {
    pub fn shift(&self) -> Shift {
        parse_shift(&self.shift).unwrap_or(Shift {
            start_min: 9 * 60,
            len_min: 8 * 60,
        })
    }
}

fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// "HH:MM-HH:MM" as (start minute, length): an end before the start runs past midnight,
/// "24:00" ends at midnight, equal ends are a whole day.
fn parse_window(s: &str) -> Option<Shift> {
    let (a, b) = s.split_once('-')?;
    let start = parse_hhmm(a)?;
    let end = if b.trim() == "24:00" {
        24 * 60
    } else {
        parse_hhmm(b)?
    };
    let len = if end > start {
        end - start
    } else {
        end + 24 * 60 - start
    };
    Some(Shift {
        start_min: start,
        len_min: len,
    })
}

pub fn parse_shift(s: &str) -> Option<Shift> {
    let (a, b) = s.split_once('-')?;
    let start = parse_hhmm(a)?;
    let end = parse_hhmm(b)?;
    let len = if end > start {
        end - start
    } else {
        end + 24 * 60 - start
    };
    (len > 0 && len <= 16 * 60).then_some(Shift {
        start_min: start,
        len_min: len,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_scenario_is_valid_and_sized() {
        let s = Scenario::parse(BUILTIN, "built-in").expect("valid");
        assert!((8..=14).contains(&s.queues.len()));
        assert!((60..=120).contains(&s.agents.len()));
        let media: std::collections::HashSet<_> = s.queues.iter().map(|q| q.media).collect();
        for m in [Media::Voice, Media::Chat, Media::Message, Media::Email] {
            assert!(media.contains(&m), "{m:?}");
        }
        assert!(
            s.agents.iter().filter(|a| a.skills.len() > 1).count() > s.agents.len() / 2,
            "most agents are shared between queues"
        );
        let kinds: std::collections::HashSet<_> = s.incidents.iter().map(|i| i.kind).collect();
        assert_eq!(kinds.len(), 3, "a surge, a sick call and an outage");
    }

    /// Follow the sun: at every hour of a winter and a summer day (UTC), several queues are
    /// open and some regional ones closed; each agent works in a zone of their own.
    #[test]
    fn builtin_centre_follows_the_sun() {
        use chrono::TimeZone;
        let s = Scenario::builtin();
        let zones: std::collections::HashSet<_> =
            s.queues.iter().filter_map(|q| q.timezone.clone()).collect();
        assert!(
            zones.len() >= 4,
            "three regions and the global queues: {zones:?}"
        );
        assert!(
            s.queues
                .iter()
                .all(|q| q.zone().is_some() && q.opening().is_some())
        );
        assert!(s.agents.iter().all(|a| a.timezone.is_some()));
        let open_at = |q: &QueueSpec, t: chrono::DateTime<chrono::Utc>| {
            let (_, minute) = crate::domain::time::local_minute_of_day(t, q.zone());
            let h = q.opening().unwrap_or(Shift {
                start_min: 0,
                len_min: 24 * 60,
            });
            (minute + 24 * 60 - h.start_min) % (24 * 60) < h.len_min
        };
        for (m, d) in [(1, 14), (7, 14)] {
            for hour in 0..24 {
                let t = chrono::Utc
                    .with_ymd_and_hms(2026, m, d, hour, 30, 0)
                    .single()
                    .unwrap_or_default();
                let open: Vec<&str> = s
                    .queues
                    .iter()
                    .filter(|q| open_at(q, t))
                    .map(|q| q.name.as_str())
                    .collect();
                let regional_open = s
                    .queues
                    .iter()
                    .filter(|q| q.opening().is_some_and(|h| h.len_min < 24 * 60))
                    .filter(|q| open_at(q, t))
                    .count();
                assert!(open.len() >= 4, "{t}: {open:?}");
                assert!(regional_open >= 1, "{t}: a region at work: {open:?}");
                assert!(open.len() < s.queues.len(), "{t}: some are closed");
            }
        }
    }

    #[test]
    fn shifts_parse_including_overnight() {
        assert_eq!(
            parse_shift("08:00-16:30"),
            Some(Shift {
                start_min: 480,
                len_min: 510
            })
        );
        assert_eq!(
            parse_shift("22:00-06:30"),
            Some(Shift {
                start_min: 1320,
                len_min: 510
            })
        );
        assert_eq!(parse_shift("25:00-06:30"), None);
        assert_eq!(parse_shift("nonsense"), None);
    }

    #[test]
    fn bad_scenarios_say_what_is_wrong() {
        let bad = BUILTIN.replace("profile = \"voice\"", "profile = \"nope\"");
        let e = Scenario::parse(&bad, "x").unwrap_err();
        assert!(e.contains("unknown profile"), "{e}");
        let bad = BUILTIN.replacen("skills = [\"", "skills = [\"bogus\", \"", 1);
        let e = Scenario::parse(&bad, "x").unwrap_err();
        assert!(e.contains("unknown skill"), "{e}");
        let e = Scenario::parse("name = 3", "x").unwrap_err();
        assert!(e.contains("demo scenario x"), "{e}");
    }

    /// The built-in centre with one incident added (fields as TOML lines).
    fn with_incident(fields: &str) -> Result<Scenario, String> {
        Scenario::parse(&format!("{BUILTIN}\n[[incidents]]\n{fields}\n"), "x")
    }

    #[test]
    fn incidents_parse_and_say_what_is_wrong() {
        let q = Scenario::builtin().queues[0].id.clone();
        let ok = with_incident(&format!(
            "kind = \"surge\"\nqueue = \"{q}\"\nwindow = \"10:00-11:30\"\nfactor = 2.5\nchance = 0.3\nspread = \"45m\""
        ))
        .expect("a valid surge");
        let inc = ok.incidents.last().expect("added");
        assert_eq!(inc.kind, IncidentKind::Surge);
        assert_eq!(
            inc.window(),
            Some(Shift {
                start_min: 600,
                len_min: 90
            })
        );
        assert_eq!(inc.spread_min(), Some(45));
        with_incident(&format!(
            "kind = \"sick\"\nqueue = \"{q}\"\nshare = 0.3\ndays = [\"2026-12-02\"]"
        ))
        .expect("a sick day needs no window");
        with_incident(&format!(
            "kind = \"outage\"\nqueue = \"{q}\"\nwindow = \"23:30-01:00\"\nchance = 1"
        ))
        .expect("an outage past midnight, the whole team");
        let cases = [
            (format!("kind = \"flood\"\nqueue = \"{q}\""), "unknown variant"),
            (
                "kind = \"surge\"\nqueue = \"nope\"\nwindow = \"10:00-11:00\"\nfactor = 2\nchance = 1".to_string(),
                "unknown queue \"nope\"",
            ),
            (
                format!("kind = \"surge\"\nqueue = \"{q}\"\nfactor = 2\nchance = 1"),
                "needs a window",
            ),
            (
                format!("kind = \"surge\"\nqueue = \"{q}\"\nwindow = \"10-11\"\nfactor = 2\nchance = 1"),
                "bad window \"10-11\"",
            ),
            (
                format!("kind = \"surge\"\nqueue = \"{q}\"\nwindow = \"10:00-11:00\"\nchance = 1"),
                "factor in (1, 10]",
            ),
            (
                format!("kind = \"surge\"\nqueue = \"{q}\"\nwindow = \"10:00-11:00\"\nfactor = 0.5\nchance = 1"),
                "factor in (1, 10]",
            ),
            (
                format!("kind = \"surge\"\nqueue = \"{q}\"\nwindow = \"10:00-11:00\"\nfactor = 2\nshare = 0.5\nchance = 1"),
                "share is for sick and outage only",
            ),
            (
                format!("kind = \"outage\"\nqueue = \"{q}\"\nwindow = \"10:00-11:00\"\nfactor = 2\nchance = 1"),
                "factor is for a surge only",
            ),
            (
                format!("kind = \"sick\"\nqueue = \"{q}\"\nshare = 0\nchance = 1"),
                "share must be in (0, 1]",
            ),
            (
                format!("kind = \"sick\"\nqueue = \"{q}\"\nchance = 1.5"),
                "chance must be in [0, 1]",
            ),
            (
                format!("kind = \"sick\"\nqueue = \"{q}\""),
                "it never happens",
            ),
            (
                format!("kind = \"sick\"\nqueue = \"{q}\"\ndays = [\"2026-13-01\"]"),
                "bad date in days",
            ),
            (
                format!("kind = \"outage\"\nqueue = \"{q}\"\nwindow = \"10:00-11:00\"\nchance = 1\nspread = \"7h\""),
                "bad spread",
            ),
            (
                format!("kind = \"sick\"\nqueue = \"{q}\"\nchance = 1\nwho = \"me\""),
                "unknown field",
            ),
        ];
        for (fields, want) in cases {
            let e = with_incident(&fields).expect_err(&fields);
            assert!(e.contains(want), "{fields}: {e}");
            assert!(e.contains("demo scenario x"), "{e}");
        }
        // Incidents are numbered from 1 in scenario order, after the built-in ones.
        let n = Scenario::builtin().incidents.len() + 1;
        let e = with_incident(&format!("kind = \"sick\"\nqueue = \"{q}\"")).expect_err("never");
        assert!(
            e.contains(&format!("incident {n} (sick on \"{q}\")")),
            "{e}"
        );
    }

    #[test]
    fn a_sick_or_outage_incident_needs_a_team() {
        // A queue that no agent has as their first skill has no team to strike.
        let s = Scenario::builtin();
        let lonely = s
            .queues
            .iter()
            .find(|q| !s.agents.iter().any(|a| a.skills.first() == Some(&q.id)));
        let text = match lonely {
            Some(q) => format!(
                "{BUILTIN}\n[[incidents]]\nkind = \"outage\"\nqueue = \"{}\"\nwindow = \"10:00-11:00\"\nchance = 1\n",
                q.id
            ),
            None => format!(
                "{}\n[[queues]]\nid = \"lonely\"\nname = \"Lonely\"\nmedia = \"voice\"\ntarget = 0.8\nthreshold = \"20s\"\npeak_per_hour = 1\ntalk = 60\nacw = 0\npatience = 60\nprofile = \"{}\"\n\n[[incidents]]\nkind = \"outage\"\nqueue = \"lonely\"\nwindow = \"10:00-11:00\"\nchance = 1\n",
                BUILTIN, s.queues[0].profile
            ),
        };
        let e = Scenario::parse(&text, "x").expect_err("no team");
        assert!(e.contains("has no team"), "{e}");
    }

    #[test]
    fn scaled_scenario_is_valid_and_sized() {
        let s = Scenario::scaled(1_000, 10_000);
        assert_eq!(s.queues.len(), 1_000);
        assert_eq!(s.agents.len(), 10_000);
        s.validate().expect("valid");
        for a in &s.agents {
            assert!(
                (1..=4).contains(&a.skills.len()),
                "{}: {:?}",
                a.id,
                a.skills
            );
        }
        // Every queue is served by someone.
        let served: std::collections::HashSet<&str> = s
            .agents
            .iter()
            .flat_map(|a| a.skills.iter().map(String::as_str))
            .collect();
        assert_eq!(served.len(), 1_000);
    }

    #[test]
    fn scaled_scenario_round_trips_through_toml() {
        let s = Scenario::scaled(12, 40);
        let text = s.to_toml().expect("serialises");
        let back = Scenario::parse(&text, "scaled").expect("parses");
        assert_eq!(back.queues.len(), 12);
        assert_eq!(back.agents.len(), 40);
        assert_eq!(back.agents[7].skills, s.agents[7].skills);
    }

    #[test]
    fn tiny_scaled_scenarios_do_not_repeat_skills() {
        for (q, a) in [(1, 5), (2, 9), (3, 4)] {
            let s = Scenario::scaled(q, a);
            s.validate().expect("valid");
            for a in &s.agents {
                let set: std::collections::HashSet<_> = a.skills.iter().collect();
                assert_eq!(set.len(), a.skills.len());
            }
        }
    }
}
