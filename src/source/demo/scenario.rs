//! The demo centre's scenario: queues, arrival profiles and agents (TOML).

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
        let h = self.hours.as_deref()?;
        let (a, b) = h.split_once('-')?;
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
        Ok(())
    }
}

impl Scenario {
    /// A large synthetic centre for benches and load tests: `queues` queues and `agents`
    /// agents, built from the built-in scenario's queue kinds, profiles and shifts.
    ///
    /// Queue `k` copies built-in queue `k mod 8` with its peak rate scaled so the load per
    /// agent stays close to the built-in centre's. Agent `i` serves 1–4 queues (its home
    /// queue `i mod queues` plus queues spread evenly around it) and works the built-in
    /// agent `i mod 60`'s shift. Deterministic: the same sizes give the same scenario.
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
        Scenario {
            name: format!("Scaled centre ({queues} queues, {agents} agents)"),
            not_responding_chance: base.not_responding_chance,
            profiles: base.profiles,
            queues: queue_specs,
            agents: agent_specs,
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
        assert!((6..=10).contains(&s.queues.len()));
        assert!((40..=80).contains(&s.agents.len()));
        let media: std::collections::HashSet<_> = s.queues.iter().map(|q| q.media).collect();
        assert!(
            media.contains(&Media::Voice)
                && media.contains(&Media::Chat)
                && media.contains(&Media::Email)
        );
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
        let bad = BUILTIN.replacen("skills = [\"sales\"", "skills = [\"bogus\"", 1);
        let e = Scenario::parse(&bad, "x").unwrap_err();
        assert!(e.contains("unknown skill"), "{e}");
        let e = Scenario::parse("name = 3", "x").unwrap_err();
        assert!(e.contains("demo scenario x"), "{e}");
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
