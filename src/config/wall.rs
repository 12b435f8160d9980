//! The wall mode's configuration: `[wall]`, `[[wall.pages]]` and `[[thresholds]]`.
//!
//! Kept apart from `config.rs` on purpose: the main parser only lets these keys through
//! (`RawConfig::wall` / `thresholds`) and calls [`parse`] here, which reads the same text
//! again with its own shapes. Command-line flags (`--wall`, `--rotate`, `--bell`) go on top
//! with [`WallSettings::apply_flags`].

use std::ops::Range;
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

/// A problem in `[wall]` or `[[thresholds]]`: the line, what is wrong, how to fix it.
/// (`config.rs` adds the file name.)
#[derive(Clone, Debug, PartialEq)]
pub struct WallConfigError {
    pub line: Option<usize>,
    pub message: String,
    pub hint: String,
}

type ConfigError = WallConfigError;

fn parse_duration(s: &str) -> Option<Duration> {
    humantime::parse_duration(s.trim()).ok()
}

/// Rotation period when neither the file nor `--rotate` says.
pub const DEFAULT_ROTATE: Duration = Duration::from_secs(15);

/// Everything the wall mode reads from the configuration and the flags.
#[derive(Clone, Debug, PartialEq)]
pub struct WallSettings {
    /// Start in wall mode (`--wall`, or `start = true`).
    pub start: bool,
    /// How long each page stays before the next one.
    pub rotate: Duration,
    /// Ring the terminal bell when a queue alarm starts.
    pub bell: bool,
    /// Named pages in order; empty = pages cut automatically to fit the screen.
    pub pages: Vec<WallPage>,
    /// Warn / breach levels per metric and queue (first match per metric wins).
    pub thresholds: Vec<Threshold>,
}

impl Default for WallSettings {
    fn default() -> WallSettings {
        WallSettings {
            start: false,
            rotate: DEFAULT_ROTATE,
            bell: false,
            pages: Vec::new(),
            thresholds: Vec::new(),
        }
    }
}

/// One named wall page: the queues whose name or id matches one of the globs, in glob order.
#[derive(Clone, Debug, PartialEq)]
pub struct WallPage {
    pub name: String,
    pub queues: Vec<String>,
}

/// What a threshold watches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// Contacts waiting (count; higher is worse).
    Waiting,
    /// Longest current wait (seconds; higher is worse).
    LongestWait,
    /// Today's abandon rate (fraction; higher is worse).
    AbandonRate,
    /// Agents available (count; LOWER is worse).
    Available,
}

impl Metric {
    pub const ALL: [Metric; 4] = [
        Metric::Waiting,
        Metric::LongestWait,
        Metric::AbandonRate,
        Metric::Available,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Metric::Waiting => "waiting",
            Metric::LongestWait => "longest_wait",
            Metric::AbandonRate => "abandon_rate",
            Metric::Available => "available",
        }
    }

    fn parse(s: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// Lower values are worse (available agents).
    pub fn lower_is_worse(self) -> bool {
        self == Metric::Available
    }

    /// A level as the user writes it: `45s`, `12`, `8%`.
    pub fn show(self, v: f64) -> String {
        match self {
            Metric::LongestWait => {
                let s = v.round() as u64;
                match (s / 60, s % 60) {
                    (0, s) => format!("{s}s"),
                    (m, 0) => format!("{m}m"),
                    (m, s) => format!("{m}m{s}s"),
                }
            }
            Metric::AbandonRate => format!("{:.0}%", v * 100.0),
            Metric::Waiting | Metric::Available => format!("{v:.0}"),
        }
    }
}

/// A warn and/or breach level for one metric on the queues matching `pattern`.
#[derive(Clone, Debug, PartialEq)]
pub struct Threshold {
    pub pattern: String,
    pub metric: Metric,
    /// In the metric's unit: a count, seconds, or a fraction.
    pub warn: Option<f64>,
    pub breach: Option<f64>,
}

impl WallSettings {
    /// The board's flags on top of the file: `--wall`, `--rotate 15s`, `--bell`.
    pub fn apply_flags(
        &mut self,
        wall: bool,
        rotate: Option<&str>,
        bell: bool,
    ) -> Result<(), String> {
        self.start |= wall;
        self.bell |= bell;
        if let Some(r) = rotate {
            self.rotate = check_rotate(r).ok_or_else(|| {
                format!("--rotate {r:?} is not a duration between 2s and 1h (write e.g. 15s, 1m)")
            })?;
        }
        Ok(())
    }
}

fn check_rotate(s: &str) -> Option<Duration> {
    parse_duration(s).filter(|d| *d >= Duration::from_secs(2) && *d <= Duration::from_secs(3600))
}

#[derive(Deserialize)]
struct RawTop {
    wall: Option<RawWall>,
    #[serde(default)]
    thresholds: Vec<RawThreshold>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWall {
    start: Option<bool>,
    rotate: Option<Spanned<String>>,
    bell: Option<bool>,
    #[serde(default)]
    pages: Vec<RawPage>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPage {
    name: Spanned<String>,
    queues: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    #[serde(rename = "match")]
    pattern: Option<Spanned<String>>,
    metric: Spanned<String>,
    warn: Option<Spanned<toml::Value>>,
    breach: Option<Spanned<toml::Value>>,
}

struct Where<'a> {
    text: &'a str,
}

impl Where<'_> {
    fn err(&self, span: Range<usize>, msg: &str, hint: &str) -> ConfigError {
        let end = span.start.min(self.text.len());
        let line = self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        ConfigError {
            line: Some(line),
            message: msg.to_string(),
            hint: hint.to_string(),
        }
    }

    fn glob(&self, g: &Spanned<String>) -> Result<String, ConfigError> {
        globset::Glob::new(g.get_ref()).map_err(|e| {
            self.err(
                g.span(),
                &format!("bad queue pattern {:?}: {e}", g.get_ref()),
                "use a name glob such as \"Billing*\" or a queue id",
            )
        })?;
        Ok(g.get_ref().clone())
    }

    fn level(&self, metric: Metric, v: &Spanned<toml::Value>) -> Result<f64, ConfigError> {
        let bad = |hint: &str| {
            self.err(
                v.span(),
                &format!("{} level {} is not valid", metric.as_str(), v.get_ref()),
                hint,
            )
        };
        match metric {
            Metric::LongestWait => v
                .get_ref()
                .as_str()
                .and_then(parse_duration)
                .map(|d| d.as_secs_f64())
                .ok_or_else(|| bad("write a duration such as \"45s\" or \"2m\"")),
            Metric::AbandonRate => v
                .get_ref()
                .as_float()
                .or(v.get_ref().as_integer().map(|i| i as f64))
                .filter(|x| (0.0..=1.0).contains(x))
                .ok_or_else(|| bad("write a fraction such as 0.08 for 8 %")),
            Metric::Waiting | Metric::Available => v
                .get_ref()
                .as_integer()
                .filter(|i| (0..=100_000).contains(i))
                .map(|i| i as f64)
                .ok_or_else(|| bad("write a whole number such as 5")),
        }
    }
}

/// Read `[wall]` and `[[thresholds]]` from configuration text (already known to be TOML).
pub fn parse(text: &str) -> Result<WallSettings, ConfigError> {
    let w = Where { text };
    let raw: RawTop = toml::from_str(text).map_err(|e| ConfigError {
        line: e.span().map(|s| {
            text.as_bytes()[..s.start.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1
        }),
        message: e.message().trim().to_string(),
        hint: "see config.example.toml for [wall] and [[thresholds]]".into(),
    })?;
    let mut out = WallSettings::default();
    if let Some(rw) = &raw.wall {
        out.start = rw.start.unwrap_or(false);
        out.bell = rw.bell.unwrap_or(false);
        if let Some(r) = &rw.rotate {
            out.rotate = check_rotate(r.get_ref()).ok_or_else(|| {
                w.err(
                    r.span(),
                    &format!(
                        "wall.rotate = {:?} is not a duration between 2s and 1h",
                        r.get_ref()
                    ),
                    "write e.g. rotate = \"15s\"",
                )
            })?;
        }
        for p in &rw.pages {
            let name = p.name.get_ref().trim().to_string();
            if name.is_empty() || p.queues.is_empty() {
                return Err(w.err(
                    p.name.span(),
                    "a wall page needs a name and at least one queue pattern",
                    "write e.g. name = \"Voice\" and queues = [\"Sales*\", \"Billing\"]",
                ));
            }
            let queues = p
                .queues
                .iter()
                .map(|g| w.glob(g))
                .collect::<Result<Vec<_>, _>>()?;
            out.pages.push(WallPage { name, queues });
        }
    }
    for t in &raw.thresholds {
        let metric = Metric::parse(t.metric.get_ref()).ok_or_else(|| {
            w.err(
                t.metric.span(),
                &format!("unknown threshold metric {:?}", t.metric.get_ref()),
                "use waiting, longest_wait, abandon_rate or available",
            )
        })?;
        let pattern = match &t.pattern {
            Some(p) => w.glob(p)?,
            None => "*".to_string(),
        };
        let warn = t.warn.as_ref().map(|v| w.level(metric, v)).transpose()?;
        let breach = t.breach.as_ref().map(|v| w.level(metric, v)).transpose()?;
        if warn.is_none() && breach.is_none() {
            return Err(w.err(
                t.metric.span(),
                "a threshold needs warn, breach or both",
                "add e.g. warn = 5 and breach = 10",
            ));
        }
        if let (Some(a), Some(b)) = (warn, breach) {
            let backwards = if metric.lower_is_worse() {
                b > a
            } else {
                b < a
            };
            if backwards {
                let span = t.breach.as_ref().map_or(t.metric.span(), |b| b.span());
                return Err(w.err(
                    span,
                    &format!(
                        "{} breach level is {} its warn level",
                        metric.as_str(),
                        if metric.lower_is_worse() {
                            "above"
                        } else {
                            "below"
                        }
                    ),
                    if metric.lower_is_worse() {
                        "for available agents fewer is worse: breach ≤ warn"
                    } else {
                        "breach must be at least warn"
                    },
                ));
            }
        }
        out.thresholds.push(Threshold {
            pattern,
            metric,
            warn,
            breach,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_thresholds_parse() {
        let text = r#"
[wall]
rotate = "20s"
bell = true
[[wall.pages]]
name = "Voice"
queues = ["Sales*", "Billing"]
[[thresholds]]
metric = "longest_wait"
warn = "45s"
breach = "2m"
[[thresholds]]
match = "VIP*"
metric = "available"
warn = 2
breach = 0
"#;
        let w = parse(text).expect("valid");
        assert_eq!(w.rotate, Duration::from_secs(20));
        assert!(w.bell && !w.start);
        assert_eq!(w.pages[0].queues, ["Sales*", "Billing"]);
        assert_eq!(w.thresholds[0].breach, Some(120.0));
        assert_eq!(w.thresholds[0].pattern, "*");
        assert_eq!(w.thresholds[1].metric, Metric::Available);
    }

    #[test]
    fn bad_levels_name_the_line() {
        let text = "[[thresholds]]\nmetric = \"waiting\"\nwarn = 10\nbreach = 5\n";
        let e = parse(text).expect_err("backwards");
        assert_eq!(e.line, Some(4));
        let e = parse("[[thresholds]]\nmetric = \"queue\"\nwarn = 1\n").expect_err("metric");
        assert_eq!(e.line, Some(2));
        let e = parse("[wall]\nrotate = \"1s\"\n").expect_err("rotate");
        assert!(e.message.contains("rotate"));
    }

    #[test]
    fn flags_go_on_top() {
        let mut w = WallSettings::default();
        w.apply_flags(true, Some("30s"), true).expect("ok");
        assert!(w.start && w.bell);
        assert_eq!(w.rotate, Duration::from_secs(30));
        assert!(w.apply_flags(false, Some("soon"), false).is_err());
    }
}
