//! One simulated day of a demo scenario, interval by interval: for tuning a scenario's
//! staffing against its arrivals, and for seeing what its incidents do.
//!
//! ```text
//! cargo run --release --example demo_day -- [--scenario FILE] [--seed N] [--date 2026-12-02]
//! ```
//!
//! For each queue and each 30-minute interval of the UTC day (by arrival): the service
//! level in percent (answered within the threshold ÷ answered and abandoned, as the board
//! counts it), `·` for an interval without calls, blank when the queue is closed; `!` marks
//! an interval more than 5 points below target. Then the agents logged in on the queue at
//! each interval's start, the day's figures, and the day's incidents.

use std::process::ExitCode;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use queuetop::source::demo::anchor;
use queuetop::source::demo::scenario::Scenario;
use queuetop::source::demo::sim::Sim;
use queuetop::source::demo::sim::incidents::incidents_on;

struct Args {
    scenario: Scenario,
    seed: u64,
    date: NaiveDate,
}

fn args() -> Result<Args, String> {
    let mut scenario = None;
    let mut seed = 7;
    let mut date = NaiveDate::from_ymd_opt(2026, 12, 2).ok_or("bad default date")?;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--scenario" => scenario = Some(Scenario::load(std::path::Path::new(&value()?))?),
            "--seed" => seed = value()?.parse().map_err(|_| "--seed needs a number")?,
            "--date" => {
                date = NaiveDate::parse_from_str(&value()?, "%Y-%m-%d")
                    .map_err(|_| "--date needs YYYY-MM-DD")?
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Args {
        scenario: scenario.unwrap_or_else(Scenario::builtin),
        seed,
        date,
    })
}

fn main() -> ExitCode {
    match args() {
        Ok(a) => {
            run(&a);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("demo_day: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(a: &Args) {
    let day: DateTime<Utc> = a.date.and_time(chrono::NaiveTime::MIN).and_utc();
    let end = day + Duration::days(1);
    let tz = Some(chrono_tz::UTC);
    // As the demo source does for an instant at the end of the day.
    let mut sim = Sim::new(&a.scenario, a.seed, anchor(end - Duration::seconds(1)), tz);
    let n = sim.queue_count();
    let mut staffed = vec![Vec::new(); n];
    let mut t = day;
    while t < end {
        sim.advance_to(t);
        for (q, queue) in sim.queues().iter().enumerate() {
            staffed[q].push(queue.live.agents.staffed().unwrap_or(0));
        }
        t += Duration::minutes(30);
    }
    // A little after the day, so its last calls are answered or given up.
    sim.advance_to(end + Duration::hours(1));
    let intervals = sim.intervals();
    let queues = sim.queues();
    println!(
        "{} · seed {} · {} (UTC), 30-minute intervals by arrival",
        a.scenario.name, a.seed, a.date
    );
    let hours: String = (0..24).map(|h| format!("{h:02}      ")).collect();
    println!("{:<20}{hours}", "");
    let (mut good, mut open) = (0, 0);
    for (q, iv) in intervals.iter().enumerate() {
        let spec = &a.scenario.queues[q];
        let mut line = String::new();
        let mut agents = String::new();
        let (mut num, mut den, mut offered, mut abandoned) = (0, 0, 0, 0);
        for k in 0..48 {
            let from = day + Duration::minutes(30 * k);
            let to = from + Duration::minutes(30);
            let cells: Vec<_> = iv
                .intervals
                .iter()
                .filter(|c| c.start >= from && c.start < to)
                .collect();
            let n: u64 = cells.iter().map(|c| c.answered_within_threshold).sum();
            let d: u64 = cells.iter().map(|c| c.answered + c.abandoned).sum();
            let o: u64 = cells.iter().map(|c| c.offered).sum();
            num += n;
            den += d;
            offered += o;
            abandoned += cells.iter().map(|c| c.abandoned).sum::<u64>();
            let s = staffed[q].get(k as usize).copied().unwrap_or(0);
            agents.push_str(&format!("{s:>4}"));
            if d == 0 {
                line.push_str(if o == 0 && s == 0 { "    " } else { "   ·" });
                continue;
            }
            let sl = n as f64 / d as f64;
            open += 1;
            let ok = sl >= spec.target - 0.05;
            good += usize::from(ok);
            let mark = if ok { ' ' } else { '!' };
            line.push_str(&format!("{mark}{:>3}", (sl * 100.0).round() as u32));
        }
        let day_sl = if den > 0 {
            format!("{:.0}%", 100.0 * num as f64 / den as f64)
        } else {
            "—".into()
        };
        println!("{:<20}{line}", trim(&queues[q].name, 19));
        println!("{:<20}{agents}", "  agents");
        println!(
            "{:<20}day SL {day_sl} / {:.0}% · offered {offered} · abandoned {:.1}%",
            "",
            spec.target * 100.0,
            if offered > 0 {
                100.0 * abandoned as f64 / offered as f64
            } else {
                0.0
            }
        );
    }
    println!(
        "\nintervals with calls at or above target − 5 points: {good} of {open} ({:.0}%)",
        if open > 0 {
            100.0 * good as f64 / open as f64
        } else {
            0.0
        }
    );
    println!("\nincidents of {} (UTC times):", a.date);
    let mut any = false;
    for d in [a.date.pred_opt(), Some(a.date), a.date.succ_opt()]
        .into_iter()
        .flatten()
    {
        for i in incidents_on(&a.scenario, a.seed, d, tz) {
            if i.to <= day || i.from >= end {
                continue;
            }
            any = true;
            let q = &a.scenario.queues[i.queue].name;
            let what = match i.kind.word() {
                "surge" => format!("arrivals ×{}", i.factor),
                _ => format!("{} agents", i.agents.len()),
            };
            println!(
                "  {} {q}: {} – {} ({what})",
                i.kind.word(),
                i.from.format("%m-%d %H:%M"),
                i.to.format("%m-%d %H:%M")
            );
        }
    }
    if !any {
        println!("  none");
    }
}

fn trim(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}
