//! `queuetop erlang`: the Erlang C staffing calculator as pure code — validation, the report
//! (whose JSON is the INTERFACES.md contract) and the plain-text table. The CLI only parses
//! flags into [`ErlangArgs`] and prints what comes back.

use serde::Serialize;

use super::erlang::{ErlangCMetrics, erlang_c_metrics, required_agents, traffic_erlangs};

/// The calculator's inputs, one per command-line flag.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangArgs {
    /// `--calls-per-hour`: offered calls per hour, ≥ 0.
    pub calls_per_hour: f64,
    /// `--aht`: average handle time in seconds, > 0.
    pub aht_s: f64,
    /// `--agents`: agents taking calls, ≥ 1.
    pub agents: u32,
    /// `--threshold`: service-level threshold in seconds, ≥ 0.
    pub threshold_s: f64,
    /// `--target`: service-level target as a fraction in (0, 1], if staffing is wanted.
    pub target: Option<f64>,
}

/// The calculator's answer. Serialises to exactly the `queuetop erlang --format json`
/// contract: fields in this order, `asa_s` null when unstable, `target` and
/// `required_agents` present only when a target was given.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErlangReport {
    pub calls_per_hour: f64,
    pub aht_s: f64,
    pub agents: u32,
    pub threshold_s: f64,
    pub traffic_erlangs: f64,
    pub prob_wait: f64,
    pub service_level: f64,
    pub asa_s: Option<f64>,
    pub occupancy: f64,
    pub stable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required_agents: Option<u32>,
}

/// Largest offered traffic the calculator accepts. Far beyond any contact centre, it keeps
/// the staffing search within `u32` agents and catches unit mistakes (calls per *day* ×
/// handle time in *milliseconds*).
pub const MAX_TRAFFIC_ERLANGS: f64 = 1e6;

/// Checks the inputs; the error is one sentence naming the flag, the problem and an example.
pub fn validate(args: &ErlangArgs) -> Result<(), String> {
    let ErlangArgs {
        calls_per_hour,
        aht_s,
        agents,
        threshold_s,
        target,
    } = *args;
    if !(calls_per_hour.is_finite() && calls_per_hour >= 0.0) {
        return Err(format!(
            "--calls-per-hour must be a number of calls per hour, 0 or more, e.g. 600 (got {calls_per_hour})."
        ));
    }
    if !(aht_s.is_finite() && aht_s > 0.0) {
        return Err(format!(
            "--aht must be a positive number of seconds, e.g. 240 (got {aht_s})."
        ));
    }
    if agents == 0 {
        return Err("--agents must be at least 1 (got 0).".to_string());
    }
    if !(threshold_s.is_finite() && threshold_s >= 0.0) {
        return Err(format!(
            "--threshold must be a number of seconds, 0 or more, e.g. 20 (got {threshold_s})."
        ));
    }
    if let Some(g) = target
        && !(g > 0.0 && g <= 1.0)
    {
        return Err(format!(
            "--target must be a fraction above 0 and at most 1, e.g. 0.8 for 80 % (got {g})."
        ));
    }
    let traffic = traffic_erlangs(calls_per_hour, aht_s);
    if traffic > MAX_TRAFFIC_ERLANGS {
        return Err(format!(
            "--calls-per-hour × --aht gives {traffic:.0} Erlangs, more than the {MAX_TRAFFIC_ERLANGS:.0} this calculator handles; check the units (calls per hour, seconds)."
        ));
    }
    Ok(())
}

/// Validates the inputs and computes the report.
pub fn erlang_report(args: &ErlangArgs) -> Result<ErlangReport, String> {
    validate(args)?;
    let traffic = traffic_erlangs(args.calls_per_hour, args.aht_s);
    let m = erlang_c_metrics(args.agents, traffic, args.aht_s, args.threshold_s);
    let required = match args.target {
        Some(g) => Some(
            required_agents(traffic, args.aht_s, args.threshold_s, g).ok_or_else(|| {
                format!(
                    "No staffing level up to {} agents reaches the target {g}.",
                    u32::MAX
                )
            })?,
        ),
        None => None,
    };
    Ok(ErlangReport {
        calls_per_hour: args.calls_per_hour,
        aht_s: args.aht_s,
        agents: args.agents,
        threshold_s: args.threshold_s,
        traffic_erlangs: traffic,
        prob_wait: m.prob_wait,
        service_level: m.service_level,
        asa_s: m.asa_s,
        occupancy: m.occupancy,
        stable: m.stable,
        target: args.target,
        required_agents: required,
    })
}

/// The report as the contract's JSON (one line).
pub fn render_json(report: &ErlangReport) -> Result<String, serde_json::Error> {
    serde_json::to_string(report)
}

/// Shown instead of a service level when agents ≤ traffic.
const UNSTABLE: &str = "unstable (agents ≤ traffic)";
/// Shown for a value that does not exist (the ASA of an unstable queue).
const UNKNOWN: &str = "—";
/// Staffing levels shown around the required N: N − 2 … N + 3.
const AROUND_REQUIRED: std::ops::RangeInclusive<i64> = -2..=3;

/// A readable plain-text table: the inputs, traffic, P(wait), SL, ASA and occupancy, and with
/// a target the required agents plus SL / ASA / occupancy for N − 2 … N + 3 agents around the
/// required N (levels below 1 skipped), the required row marked.
pub fn render_table(report: &ErlangReport) -> String {
    let threshold = seconds(report.threshold_s);
    let mut lines = vec![
        "Erlang C staffing calculator".to_string(),
        String::new(),
        label("Calls per hour", &format!("{}", report.calls_per_hour)),
        label("AHT", &seconds(report.aht_s)),
        label("Agents", &report.agents.to_string()),
        label("Threshold", &threshold),
        String::new(),
        label("Traffic", &format!("{:.2} Erlangs", report.traffic_erlangs)),
        label("P(wait)", &percent(report.prob_wait)),
        label(
            "Service level",
            &service_level_cell(report.stable, report.service_level, &threshold),
        ),
        label("ASA", &asa_cell(report.asa_s)),
        label("Occupancy", &percent(report.occupancy)),
    ];
    if let (Some(target), Some(required)) = (report.target, report.required_agents) {
        lines.push(String::new());
        lines.push(label(
            "Target",
            &format!("{} within {threshold}", percent(target)),
        ));
        lines.push(label("Required agents", &required.to_string()));
        lines.push(String::new());
        lines.extend(staffing_table(report, required));
    }
    let mut text = lines.join("\n");
    text.push('\n');
    text
}

/// "  Name               value".
fn label(name: &str, value: &str) -> String {
    format!("  {name:<18} {value}")
}

fn percent(fraction: f64) -> String {
    format!("{:.1} %", 100.0 * fraction)
}

fn seconds(s: f64) -> String {
    format!("{s:.1} s")
}

fn service_level_cell(stable: bool, sl: f64, threshold: &str) -> String {
    if stable {
        format!("{} within {threshold}", percent(sl))
    } else {
        UNSTABLE.to_string()
    }
}

fn asa_cell(asa_s: Option<f64>) -> String {
    asa_s.map_or_else(|| UNKNOWN.to_string(), seconds)
}

/// SL, ASA and occupancy for the staffing levels around `required`, as aligned columns.
fn staffing_table(report: &ErlangReport, required: u32) -> Vec<String> {
    let header = ["", "Agents", "Service level", "ASA", "Occupancy", ""].map(String::from);
    let rows = AROUND_REQUIRED
        .map(|offset| i64::from(required) + offset)
        .filter_map(|n| u32::try_from(n).ok().filter(|&n| n >= 1))
        .map(|n| {
            let m = erlang_c_metrics(n, report.traffic_erlangs, report.aht_s, report.threshold_s);
            staffing_row(n, &m, n == required)
        });
    let table: Vec<[String; 6]> = std::iter::once(header).chain(rows).collect();
    align_columns(&table)
}

fn staffing_row(agents: u32, m: &ErlangCMetrics, is_required: bool) -> [String; 6] {
    let sl = if m.stable {
        percent(m.service_level)
    } else {
        UNSTABLE.to_string()
    };
    let (marker, note) = if is_required {
        ("→", "required")
    } else {
        ("", "")
    };
    [
        marker.to_string(),
        agents.to_string(),
        sl,
        asa_cell(m.asa_s),
        percent(m.occupancy),
        note.to_string(),
    ]
}

/// Pads each column to its widest cell (by characters, so "—" and "≤" count as one); the
/// agent count is right-aligned, the rest left-aligned; trailing spaces are trimmed.
fn align_columns(table: &[[String; 6]]) -> Vec<String> {
    let width = |col: usize| {
        table
            .iter()
            .map(|row| row[col].chars().count())
            .max()
            .unwrap_or(0)
    };
    let widths: Vec<usize> = (0..6).map(width).collect();
    table
        .iter()
        .map(|row| {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(col, (cell, &w))| {
                    if col == 1 {
                        format!("{cell:>w$}")
                    } else {
                        format!("{cell:<w$}")
                    }
                })
                .collect();
            format!("  {}", cells.join("  ")).trim_end().to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn interfaces_example() -> ErlangArgs {
        ErlangArgs {
            calls_per_hour: 600.0,
            aht_s: 240.0,
            agents: 50,
            threshold_s: 20.0,
            target: Some(0.8),
        }
    }

    fn report(args: ErlangArgs) -> ErlangReport {
        erlang_report(&args).expect("valid input")
    }

    /// Oracle (`oracle/erlang_oracle.py`, exact rationals): A = 40, C = 0.0869525495268,
    /// SL = 0.962210577751, ASA = 2.08686118864 s, occupancy 0.8, 46 agents for 80/20.
    /// (The INTERFACES.md example rounds these for illustration.)
    #[test]
    fn interfaces_example_matches_the_oracle() {
        let r = report(interfaces_example());
        assert_eq!(r.traffic_erlangs, 40.0);
        assert!((r.prob_wait - 0.0869525495268).abs() < 1e-12);
        assert!((r.service_level - 0.962210577751).abs() < 1e-12);
        assert!((r.asa_s.expect("stable") - 2.08686118864).abs() < 1e-10);
        assert_eq!((r.occupancy, r.stable), (0.8, true));
        assert_eq!((r.target, r.required_agents), (Some(0.8), Some(46)));
    }

    #[test]
    fn json_fields_in_contract_order() {
        let json = render_json(&report(interfaces_example())).expect("json");
        let order = [
            "calls_per_hour",
            "aht_s",
            "agents",
            "threshold_s",
            "traffic_erlangs",
            "prob_wait",
            "service_level",
            "asa_s",
            "occupancy",
            "stable",
            "target",
            "required_agents",
        ];
        let positions: Vec<usize> = order
            .iter()
            .map(|k| {
                json.find(&format!("\"{k}\":"))
                    .unwrap_or_else(|| panic!("{k} missing in {json}"))
            })
            .collect();
        assert!(positions.windows(2).all(|w| w[0] < w[1]), "{json}");
        assert!(json.starts_with(r#"{"calls_per_hour":600.0,"aht_s":240.0,"agents":50,"threshold_s":20.0,"traffic_erlangs":40.0,"#));
        assert!(
            json.ends_with(r#""occupancy":0.8,"stable":true,"target":0.8,"required_agents":46}"#),
            "{json}"
        );
        let value: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
        assert_eq!(value.as_object().map(|o| o.len()), Some(12));
    }

    #[test]
    fn json_without_target_omits_target_fields() {
        let json = render_json(&report(ErlangArgs {
            target: None,
            ..interfaces_example()
        }))
        .expect("json");
        assert!(
            !json.contains("target") && !json.contains("required_agents"),
            "{json}"
        );
        assert!(
            json.ends_with(r#""occupancy":0.8,"stable":true}"#),
            "{json}"
        );
    }

    #[test]
    fn unstable_queue_convention() {
        let args = ErlangArgs {
            agents: 40,
            target: None,
            ..interfaces_example()
        };
        let json = render_json(&report(args)).expect("json");
        assert_eq!(
            json,
            r#"{"calls_per_hour":600.0,"aht_s":240.0,"agents":40,"threshold_s":20.0,"traffic_erlangs":40.0,"prob_wait":1.0,"service_level":0.0,"asa_s":null,"occupancy":1.0,"stable":false}"#
        );
        let table = render_table(&report(args));
        assert!(table.contains("unstable (agents ≤ traffic)"), "{table}");
        assert!(table.contains("ASA                —"), "{table}");
    }

    #[test]
    fn zero_traffic_is_valid() {
        let r = report(ErlangArgs {
            calls_per_hour: 0.0,
            ..interfaces_example()
        });
        assert_eq!(
            (r.prob_wait, r.service_level, r.asa_s, r.occupancy),
            (0.0, 1.0, Some(0.0), 0.0)
        );
        assert_eq!(r.required_agents, Some(0));
        assert!(render_table(&r).contains("Required agents    0"));
    }

    #[test]
    fn bad_inputs_name_the_flag() {
        let cases: [(ErlangArgs, &str); 10] = [
            (
                ErlangArgs {
                    calls_per_hour: -5.0,
                    ..interfaces_example()
                },
                "--calls-per-hour must be a number of calls per hour, 0 or more, e.g. 600 (got -5).",
            ),
            (
                ErlangArgs {
                    calls_per_hour: f64::NAN,
                    ..interfaces_example()
                },
                "--calls-per-hour must be a number of calls per hour, 0 or more, e.g. 600 (got NaN).",
            ),
            (
                ErlangArgs {
                    calls_per_hour: f64::INFINITY,
                    ..interfaces_example()
                },
                "--calls-per-hour must be a number of calls per hour, 0 or more, e.g. 600 (got inf).",
            ),
            (
                ErlangArgs {
                    aht_s: 0.0,
                    ..interfaces_example()
                },
                "--aht must be a positive number of seconds, e.g. 240 (got 0).",
            ),
            (
                ErlangArgs {
                    aht_s: -3.0,
                    ..interfaces_example()
                },
                "--aht must be a positive number of seconds, e.g. 240 (got -3).",
            ),
            (
                ErlangArgs {
                    agents: 0,
                    ..interfaces_example()
                },
                "--agents must be at least 1 (got 0).",
            ),
            (
                ErlangArgs {
                    threshold_s: -1.0,
                    ..interfaces_example()
                },
                "--threshold must be a number of seconds, 0 or more, e.g. 20 (got -1).",
            ),
            (
                ErlangArgs {
                    target: Some(0.0),
                    ..interfaces_example()
                },
                "--target must be a fraction above 0 and at most 1, e.g. 0.8 for 80 % (got 0).",
            ),
            (
                ErlangArgs {
                    target: Some(80.0),
                    ..interfaces_example()
                },
                "--target must be a fraction above 0 and at most 1, e.g. 0.8 for 80 % (got 80).",
            ),
            (
                ErlangArgs {
                    calls_per_hour: 1e9,
                    ..interfaces_example()
                },
                "--calls-per-hour × --aht gives 66666667 Erlangs, more than the 1000000 this calculator handles; check the units (calls per hour, seconds).",
            ),
        ];
        for (args, message) in cases {
            assert_eq!(erlang_report(&args), Err(message.to_string()));
        }
        assert!(
            validate(&ErlangArgs {
                target: Some(1.0),
                threshold_s: 0.0,
                ..interfaces_example()
            })
            .is_ok()
        );
    }

    #[test]
    fn table_shows_the_staffing_levels_around_the_requirement() {
        let table = render_table(&report(interfaces_example()));
        for needle in [
            "Traffic            40.00 Erlangs",
            "P(wait)            8.7 %",
            "Service level      96.2 % within 20.0 s",
            "ASA                2.1 s",
            "Occupancy          80.0 %",
            "Target             80.0 % within 20.0 s",
            "Required agents    46",
        ] {
            assert!(table.contains(needle), "missing {needle:?} in\n{table}");
        }
        let rows: Vec<&str> = table
            .lines()
            .skip_while(|l| !l.contains("Agents  Service level"))
            .collect();
        assert_eq!(rows.len(), 7, "{table}");
        let agents: Vec<&str> = rows[1..]
            .iter()
            .map(|r| {
                r.split_whitespace()
                    .find(|w| w.parse::<u32>().is_ok())
                    .unwrap_or("")
            })
            .collect();
        assert_eq!(agents, ["44", "45", "46", "47", "48", "49"]);
        let marked: Vec<&&str> = rows.iter().filter(|r| r.contains('→')).collect();
        assert_eq!(marked.len(), 1);
        assert!(
            marked[0].contains("46") && marked[0].ends_with("required"),
            "{table}"
        );
    }

    #[test]
    fn table_skips_levels_below_one_and_marks_unstable_rows() {
        // A = 0.5, 50 % target: N = 1 suffices, so rows are 1…4 (N − 2, N − 1 skipped).
        let r = report(ErlangArgs {
            calls_per_hour: 10.0,
            aht_s: 180.0,
            agents: 1,
            threshold_s: 20.0,
            target: Some(0.5),
        });
        assert_eq!(r.required_agents, Some(1));
        let table = render_table(&r);
        let rows: Vec<&str> = table
            .lines()
            .skip_while(|l| !l.contains("Agents  Service level"))
            .collect();
        assert_eq!(rows.len(), 5, "{table}");
        // A = 10.6 with a 15 % target needs 11: rows 9 and 10 are unstable.
        let r = report(ErlangArgs {
            calls_per_hour: 212.0,
            aht_s: 180.0,
            agents: 12,
            threshold_s: 20.0,
            target: Some(0.15),
        });
        let table = render_table(&r);
        assert_eq!(
            table.matches("unstable (agents ≤ traffic)").count(),
            2,
            "{table}"
        );
    }
}
