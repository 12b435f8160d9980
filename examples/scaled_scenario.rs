//! Print a large synthetic demo scenario as TOML, for load tests of the whole program:
//!
//! ```text
//! cargo run --release --example scaled_scenario -- 1000 10000 > centre-1000.toml
//! ```
//!
//! then point a demo source at it (`[[sources]] kind = "demo"`, `scenario = "centre-1000.toml"`).

use std::process::ExitCode;

use queuetop::source::demo::scenario::Scenario;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let size = |i: usize, default: usize| -> Result<usize, String> {
        match args.get(i) {
            Some(a) => a
                .parse()
                .map_err(|_| format!("{a:?} is not a number: give QUEUES AGENTS, e.g. 1000 10000")),
            None => Ok(default),
        }
    };
    let text = size(0, 1_000)
        .and_then(|q| size(1, 10_000).map(|a| (q, a)))
        .and_then(|(q, a)| Scenario::scaled(q, a).to_toml());
    match text {
        Ok(t) => {
            print!("{t}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("scaled_scenario: {e}");
            ExitCode::from(2)
        }
    }
}
