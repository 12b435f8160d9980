//! Printers for `snapshot` and `history`: the JSON contracts of INTERFACES.md and readable
//! tables. Unknown values are `null` in JSON and `—` in tables. Nothing printed can act on a
//! terminal: tables pass outside text through [`printable`], JSON escapes what JSON allows
//! raw but terminals obey ([`to_json_pretty`]).

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use crate::domain::text::printable;
use crate::domain::{AgentState, HandleSplit, SourceStatus, StateSpan};
use crate::model::Model;
use crate::ui::fmt;

fn rfc3339(t: DateTime<Utc>) -> String {
    // Whole seconds print as such; sub-second instants keep their fraction, so short spans
    // never print with start = end.
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

mod rfc {
    use chrono::{DateTime, Utc};
    use serde::Serializer;
    pub fn ser<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(*t))
    }
    pub fn opt<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::rfc3339(*t)),
            None => s.serialize_none(),
        }
    }
}

#[derive(Serialize)]
pub struct SnapshotJson {
    #[serde(serialize_with = "rfc::ser")]
    pub generated_at: DateTime<Utc>,
    pub sources: Vec<SourceJson>,
    pub queues: Vec<QueueJson>,
    pub agents: Vec<AgentJson>,
}

#[derive(Serialize)]
pub struct SourceJson {
    pub name: String,
    pub kind: &'static str,
    pub status: &'static str,
    #[serde(serialize_with = "rfc::opt")]
    pub fetched_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

#[derive(Serialize)]
pub struct QueueJson {
    pub source: String,
    pub id: String,
    pub name: String,
    pub media: &'static str,
    pub waiting: Option<u32>,
    pub longest_wait_s: Option<f64>,
    pub waiting_ages_s: Option<Vec<f64>>,
    pub agents: AgentsJson,
    pub today: TodayJson,
    pub sla: SlaJson,
}

#[derive(Serialize)]
pub struct AgentsJson {
    pub available: Option<u32>,
    pub busy: Option<u32>,
    pub after_call_work: Option<u32>,
    pub not_responding: Option<u32>,
    pub unavailable: Option<u32>,
    pub offline: Option<u32>,
    pub staffed: Option<u32>,
}

#[derive(Serialize)]
pub struct TodayJson {
    pub offered: Option<u64>,
    pub answered: Option<u64>,
    pub abandoned: Option<u64>,
    pub answered_within_threshold: Option<u64>,
    pub asa_s: Option<f64>,
    pub aht_s: Option<f64>,
    pub service_level: Option<f64>,
    pub abandon_rate: Option<f64>,
}

#[derive(Serialize)]
pub struct SlaJson {
    pub target: f64,
    pub threshold_s: f64,
    pub variant: &'static str,
    pub status: Option<&'static str>,
    pub current_sl: Option<f64>,
    pub projected_sl: Option<f64>,
    pub breach_probability: Option<f64>,
    pub required_agents: Option<u32>,
    pub staffing_gap: Option<i64>,
    pub window: Option<WindowJson>,
    pub best_case_sl: Option<f64>,
    pub day: Option<DayJson>,
    /// Staffed agents with shared agents counted once (by offered load); absent when
    /// nobody is shared or the source lists no agents.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub effective_agents: Option<f64>,
}

#[derive(Serialize)]
pub struct WindowJson {
    pub kind: String,
    pub start: String,
    pub end: String,
}

#[derive(Serialize)]
pub struct DayJson {
    pub current_sl: Option<f64>,
    pub projected_sl: Option<f64>,
    pub best_case_sl: Option<f64>,
    pub outlook: Option<&'static str>,
}

/// `15m` | `30m` | `60m` | `day`.
pub fn window_kind(w: crate::config::SlWindow) -> String {
    match w {
        crate::config::SlWindow::Day => "day".into(),
        crate::config::SlWindow::Minutes(m) => format!("{m}m"),
    }
}

#[derive(Serialize)]
pub struct AgentJson {
    pub source: String,
    pub id: String,
    pub name: String,
    pub state: &'static str,
    pub reason: Option<String>,
    #[serde(serialize_with = "rfc::opt")]
    pub since: Option<DateTime<Utc>>,
    pub queues: Vec<String>,
    /// The contact a busy agent is on, where the platform says: `{"queue_id", "media"}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact: Option<ContactJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
}

#[derive(Serialize)]
pub struct ContactJson {
    pub queue_id: Option<String>,
    pub media: Option<&'static str>,
}

/// Round to a sensible number of decimals so JSON stays readable (ages to the ms).
fn r4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// Build the snapshot document from the model (sources already folded in).
pub fn snapshot_json(model: &Model) -> SnapshotJson {
    let mut sources = Vec::new();
    let mut queues = Vec::new();
    let mut agents = Vec::new();
    for s in &model.sources {
        let status = model.display_status(s);
        sources.push(SourceJson {
            name: s.name.clone(),
            kind: s.kind.as_str(),
            status: status.as_str(),
            fetched_at: s.health.last_ok,
            error: source_error(&s.health, status),
        });
        let Some(snap) = &s.snapshot else { continue };
        // The derived rows hold one row per queue, in the snapshot's order.
        for (q, row) in snap.queues.iter().zip(model.derived().queues_of(&s.name)) {
            let policy = model.sla_policy(q);
            let a = &q.live.agents;
            queues.push(QueueJson {
                source: s.name.clone(),
                id: q.id.clone(),
                name: q.name.clone(),
                media: q.media.as_str(),
                waiting: q.live.waiting,
                longest_wait_s: q.live.longest_wait_s.map(r3),
                waiting_ages_s: q
                    .live
                    .waiting_ages_s
                    .as_ref()
                    .map(|v| v.iter().copied().map(r3).collect()),
                agents: AgentsJson {
                    available: a.available,
                    busy: a.busy,
                    after_call_work: a.after_call_work,
                    not_responding: a.not_responding,
                    unavailable: a.unavailable,
                    offline: a.offline,
                    staffed: a.staffed(),
                },
                today: TodayJson {
                    offered: q.today.offered,
                    answered: q.today.answered,
                    abandoned: q.today.abandoned,
                    answered_within_threshold: q.today.answered_within_threshold,
                    asa_s: q.today.asa_s.map(r3),
                    aht_s: q.today.aht_s.map(r3),
                    service_level: q.today.service_level,
                    abandon_rate: q.today.abandon_rate,
                },
                sla: SlaJson {
                    target: policy.target,
                    threshold_s: policy.threshold_s,
                    variant: policy.variant.as_str(),
                    status: row.sla.status.map(|s| s.as_str()),
                    current_sl: row.sla.current_sl,
                    projected_sl: row.sla.projected_sl,
                    breach_probability: row.sla.breach_probability,
                    required_agents: row.sla.required_agents,
                    staffing_gap: row.sla.staffing_gap,
                    window: row.sla.window.map(|(w, start, end)| WindowJson {
                        kind: window_kind(w),
                        start: rfc3339(start),
                        end: rfc3339(end),
                    }),
                    best_case_sl: row.sla.best_case_sl.map(r4),
                    day: row.sla.day.map(|d| DayJson {
                        current_sl: d.current_sl,
                        projected_sl: d.projected_sl.map(r4),
                        best_case_sl: d.best_case_sl.map(r4),
                        outlook: d.outlook.map(|o| o.as_str()),
                    }),
                    effective_agents: row
                        .sla
                        .effective_staffed
                        .map(|e| (e * 100.0).round() / 100.0),
                },
            });
        }
        if let Some(list) = &snap.agents {
            for ag in list {
                agents.push(AgentJson {
                    source: s.name.clone(),
                    id: ag.id.clone(),
                    name: ag.name.clone(),
                    state: ag.state.as_str(),
                    reason: ag.reason.clone(),
                    since: ag.since,
                    queues: ag.queues.clone(),
                    contact: ag.contact.as_ref().map(|c| ContactJson {
                        queue_id: c.queue_id.clone(),
                        media: c.media.map(|m| m.as_str()),
                    }),
                    team: ag.team.clone(),
                });
            }
        }
    }
    SnapshotJson {
        generated_at: model.now(),
        sources,
        queues,
        agents,
    }
}

/// The snapshot as a plain table.
pub fn snapshot_table(model: &Model) -> String {
    let doc = snapshot_json(model);
    let mut out = String::new();
    for s in &doc.sources {
        out.push_str(&format!(
            "source {} ({}): {}{}\n",
            printable(&s.name),
            s.kind,
            s.status,
            s.error
                .as_ref()
                .map(|e| format!(" — {}", printable(e)))
                .unwrap_or_default()
        ));
    }
    out.push('\n');
    out.push_str(&format!(
        "{:<24} {:>5} {:>8} {:>5} {:>5} {:>4} {:>5} {:>7} {:>7} {:>6} {:>6} {:<9}\n",
        "QUEUE",
        "WAIT",
        "LONGEST",
        "AVAIL",
        "BUSY",
        "ACW",
        "AWAY",
        "OFFERED",
        "ASA",
        "SL",
        "ABAND",
        "SLA"
    ));
    for q in &doc.queues {
        let name = if doc.sources.len() > 1 {
            format!("{} · {}", printable(&q.name), printable(&q.source))
        } else {
            printable(&q.name).into_owned()
        };
        out.push_str(&format!(
            "{:<24} {:>5} {:>8} {:>5} {:>5} {:>4} {:>5} {:>7} {:>7} {:>6} {:>6} {:<9}\n",
            fmt::fit(&name, 24),
            fmt::opt_u32(q.waiting),
            fmt::clock(q.longest_wait_s),
            fmt::opt_u32(q.agents.available),
            fmt::opt_u32(q.agents.busy),
            fmt::opt_u32(q.agents.after_call_work),
            fmt::opt_u32(q.agents.unavailable),
            fmt::opt_u64(q.today.offered),
            fmt::clock(q.today.asa_s),
            fmt::pct(q.today.service_level, 0),
            fmt::pct(q.today.abandon_rate, 0),
            q.sla.status.unwrap_or(fmt::UNKNOWN),
        ));
    }
    out
}

#[derive(Serialize)]
pub struct HistoryJson {
    pub source: String,
    pub agent: AgentRefJson,
    #[serde(serialize_with = "rfc::ser")]
    pub from: DateTime<Utc>,
    #[serde(serialize_with = "rfc::ser")]
    pub to: DateTime<Utc>,
    pub spans: Vec<SpanJson>,
    pub totals_s: BTreeMap<&'static str, f64>,
    /// The agent's handle-time split today (local midnight → `fetched_at`).
    pub handle_split: SplitJson,
}

/// `handle_split`: each figure `null` when the platform does not give it (or sent
/// something not believed: `doubts` says what); all `null` with `error` when the split
/// could not be fetched (the history is there all the same).
#[derive(Serialize)]
pub struct SplitJson {
    #[serde(serialize_with = "rfc::opt")]
    pub from: Option<DateTime<Utc>>,
    #[serde(serialize_with = "rfc::opt")]
    pub fetched_at: Option<DateTime<Utc>>,
    pub handled: Option<u64>,
    pub talk_s: Option<f64>,
    pub hold_s: Option<f64>,
    pub acw_s: Option<f64>,
    pub doubts: Vec<String>,
    pub error: Option<String>,
}

impl SplitJson {
    pub fn of(split: &Result<HandleSplit, String>) -> SplitJson {
        let secs = |d: Option<std::time::Duration>| d.map(|d| d.as_secs_f64());
        match split {
            Ok(s) => SplitJson {
                from: Some(s.from),
                fetched_at: Some(s.fetched_at),
                handled: s.handled,
                talk_s: secs(s.talk),
                hold_s: secs(s.hold),
                acw_s: secs(s.acw),
                doubts: s.doubts.clone(),
                error: None,
            },
            Err(e) => SplitJson {
                from: None,
                fetched_at: None,
                handled: None,
                talk_s: None,
                hold_s: None,
                acw_s: None,
                doubts: Vec::new(),
                error: Some(e.clone()),
            },
        }
    }
}

#[derive(Serialize)]
pub struct AgentRefJson {
    pub id: String,
    pub name: String,
}

#[derive(Serialize)]
pub struct SpanJson {
    #[serde(serialize_with = "rfc::ser")]
    pub start: DateTime<Utc>,
    #[serde(serialize_with = "rfc::ser")]
    pub end: DateTime<Utc>,
    pub state: &'static str,
    pub reason: Option<String>,
}

/// The history document; `spans` must already be a clean timeline over `[from, to)`.
pub fn history_json(
    source: &str,
    id: &str,
    name: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    spans: &[StateSpan],
    split: &Result<HandleSplit, String>,
) -> HistoryJson {
    let totals = crate::domain::spans::totals(spans)
        .into_iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    HistoryJson {
        source: source.to_string(),
        agent: AgentRefJson {
            id: id.to_string(),
            name: name.to_string(),
        },
        from,
        to,
        spans: spans
            .iter()
            .map(|s| SpanJson {
                start: s.start,
                end: s.end,
                state: s.state.as_str(),
                reason: s.reason.clone(),
            })
            .collect(),
        totals_s: totals,
        handle_split: SplitJson::of(split),
    }
}

/// `history --format table`: local times (in `tz`, else the machine's zone) to the second,
/// in aligned columns.
pub fn history_table(doc: &HistoryJson, tz: Option<chrono_tz::Tz>) -> String {
    let local = |t: DateTime<Utc>| match tz {
        Some(tz) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string(),
        None => t
            .with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M:%S")
            .to_string(),
    };
    let zone = match tz {
        Some(tz) => tz.name().to_string(),
        None => format!("local time, UTC{}", chrono::Local::now().format("%:z")),
    };
    let state_w = doc
        .spans
        .iter()
        .map(|s| s.state.chars().count())
        .chain(std::iter::once(5))
        .max()
        .unwrap_or(5);
    let mut out = format!(
        "{} ({}) on {}: {} → {} ({zone})\n{}\n\n{:<19}  {:<19}  {:>9}  {:<state_w$}  {}\n",
        printable(&doc.agent.name),
        printable(&doc.agent.id),
        printable(&doc.source),
        local(doc.from),
        local(doc.to),
        split_line(&doc.handle_split),
        "START",
        "END",
        "DURATION",
        "STATE",
        "REASON"
    );
    for s in &doc.spans {
        let line = format!(
            "{:<19}  {:<19}  {:>9}  {:<state_w$}  {}",
            local(s.start),
            local(s.end),
            fmt::span_len((s.end - s.start).num_milliseconds() as f64 / 1000.0),
            s.state,
            printable(s.reason.as_deref().unwrap_or_default())
        );
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let window = (doc.to - doc.from).num_milliseconds() as f64 / 1000.0;
    out.push_str("\nTOTALS\n");
    for st in AgentState::ALL {
        if let Some(v) = doc.totals_s.get(st.as_str()) {
            out.push_str(&format!(
                "{:<16} {:>9} {:>7}\n",
                st.as_str(),
                fmt::span_len(*v),
                fmt::pct(Some(v / window), 1)
            ));
        }
    }
    out
}

/// The table's `Today` line: the split in words, or why there is none.
fn split_line(s: &SplitJson) -> String {
    let dur = |v: Option<f64>| v.and_then(|s| std::time::Duration::try_from_secs_f64(s).ok());
    match &s.error {
        Some(e) => format!(
            "{}  handled — · talk — · hold — · ACW —  (unavailable: {})",
            crate::ui::split::LABEL,
            printable(e)
        ),
        None => {
            let split = HandleSplit {
                from: s.from.unwrap_or_default(),
                fetched_at: s.fetched_at.unwrap_or_default(),
                handled: s.handled,
                talk: dur(s.talk_s),
                hold: dur(s.hold_s),
                acw: dur(s.acw_s),
                doubts: s.doubts.iter().map(|d| printable(d).into_owned()).collect(),
            };
            crate::ui::split::text(&split)
        }
    }
}

/// A source's `error` as shown: its own error, or, when it is not live without one, why.
pub fn source_error(health: &crate::domain::SourceHealth, status: SourceStatus) -> Option<String> {
    if health.error.is_some() {
        return health.error.clone();
    }
    match status {
        SourceStatus::Live => None,
        SourceStatus::Stale => Some(match health.fresh_until {
            Some(t) => format!(
                "no fresh data since {} (the data was due by {})",
                health.last_ok.map(rfc3339).unwrap_or_else(|| "ever".into()),
                rfc3339(t)
            ),
            None => "no fresh data".into(),
        }),
        SourceStatus::Connecting => Some("no answer yet".into()),
        SourceStatus::Offline => Some("offline".into()),
        SourceStatus::Error => Some("the source reported an error".into()),
    }
}

/// Whether `c` is written as `\uXXXX` in our JSON although JSON allows it raw: C1 controls
/// (U+0080–U+009F, which some terminals obey), the line and paragraph separators
/// (U+2028/U+2029) and the bidi embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069). A script that prints our JSON to a terminal then prints them inert.
pub fn json_escapes(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{9f}' | '\u{2028}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// serde_json's pretty formatter, with [`json_escapes`] characters escaped in every string
/// (keys included). serde_json escapes C0 controls, `"` and `\\` itself.
struct SafeFormatter(serde_json::ser::PrettyFormatter<'static>);

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if json_escapes(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }

    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_array(w)
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array(w)
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_array_value(w)
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object(w)
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object(w)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.begin_object_value(w)
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.0.end_object_value(w)
    }
}

/// Pretty JSON for every printer here, safe to print on a terminal (see [`json_escapes`]).
pub fn to_json_pretty<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        SafeFormatter(serde_json::ser::PrettyFormatter::new()),
    );
    value.serialize(&mut ser)?;
    // Only valid UTF-8 is ever written (str fragments and ASCII).
    String::from_utf8(out).map_err(|e| serde::ser::Error::custom(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::tests::{config, snapshot, t0};
    use crate::source::SourceEvent;
    use proptest::prelude::*;

    fn model_with_queue_name(name: &str) -> Model {
        let mut m = Model::new(config(), t0());
        let mut snap = snapshot(2, t0());
        snap.queues[0].name = name.to_string();
        m.apply(SourceEvent::Snapshot(Box::new(snap)));
        m
    }

    /// UTF-8 of a C1 control, a line/paragraph separator or a bidi control, anywhere.
    fn holds_raw_escapable(bytes: &[u8]) -> bool {
        String::from_utf8_lossy(bytes).chars().any(json_escapes)
            || bytes
                .windows(2)
                .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]))
    }

    #[test]
    fn c1_separators_and_bidi_are_escaped() {
        let m = model_with_queue_name("A\u{85}B\u{9b}31m\u{2028}\u{202e}C\u{2066}\u{1b}");
        let text = to_json_pretty(&snapshot_json(&m)).expect("json");
        assert!(
            text.contains(r#""A\u0085B\u009b31m\u2028\u202eC\u2066\u001b""#),
            "{text}"
        );
        assert!(!holds_raw_escapable(text.as_bytes()));
        // Still pretty, and the same document as serde_json's own.
        let ours: serde_json::Value = serde_json::from_str(&text).expect("parses");
        let theirs: serde_json::Value =
            serde_json::from_str(&serde_json::to_string_pretty(&snapshot_json(&m)).expect("json"))
                .expect("parses");
        assert_eq!(ours, theirs);
        assert!(text.starts_with("{\n  \"generated_at\""), "{text}");
    }

    #[test]
    fn tables_print_outside_text_inert() {
        let mut m = model_with_queue_name("Sales\u{1b}[2J\u{9b}31m\u{202e}x");
        m.sources[0].health.error = Some("boom\u{1b}]0;pwned\u{7}".into());
        let table = snapshot_table(&m);
        assert!(
            table
                .chars()
                .all(|c| c == '\n' || crate::domain::text::is_printable(c)),
            "{table:?}"
        );
        assert!(table.contains("Sales\u{FFFD}[2J") && table.contains("boom\u{FFFD}]0;pwned"));
        let spans = [StateSpan {
            start: t0() - chrono::Duration::hours(1),
            end: t0(),
            state: AgentState::Busy,
            reason: Some("On\u{85}Queue\u{1b}[1m".into()),
        }];
        let doc = history_json(
            "demo\u{9b}",
            "a\u{1b}",
            "Ada\u{202e}",
            t0() - chrono::Duration::hours(1),
            t0(),
            &spans,
            &Err("split\u{1b}[2J refused".into()),
        );
        let table = history_table(&doc, Some(chrono_tz::UTC));
        assert!(
            table.contains("unavailable: split\u{FFFD}[2J refused"),
            "{table}"
        );
        assert!(
            table
                .chars()
                .all(|c| c == '\n' || crate::domain::text::is_printable(c)),
            "{table:?}"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]
        #[test]
        fn any_queue_name_is_inert_and_round_trips(name in prop_oneof![
            any::<String>(),
            // Dense in what must be escaped (arbitrary strings seldom hold it).
            "[\\x{80}-\\x{9f}\\x{2028}-\\x{202e}\\x{2066}-\\x{2069}\\x{1b}\\x{7f}\"\\\\a-zé東]{0,24}",
        ]) {
            let m = model_with_queue_name(&name);
            let text = to_json_pretty(&snapshot_json(&m)).expect("json");
            prop_assert!(!holds_raw_escapable(text.as_bytes()), "{:?}", text);
            let doc: serde_json::Value = serde_json::from_str(&text).expect("parses");
            prop_assert_eq!(doc["queues"][0]["name"].as_str(), Some(name.as_str()));
        }
    }
}
