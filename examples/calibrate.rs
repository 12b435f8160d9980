//! Calibration of the SLA forecasts on the demo centre (see `queuetop::calibrate`).
//!
//! `cargo run --release --example calibrate -- [SEEDS] [DAYS_PER_SEED]`
//! (default: 4 seeds × 5 days = 20 demo days).

fn main() {
    let mut args = std::env::args().skip(1);
    let seeds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(4);
    let days: u32 = args.next().and_then(|a| a.parse().ok()).unwrap_or(5);
    let settings = queuetop::calibrate::Settings::builtin((1..=seeds).collect(), days);
    let started = std::time::Instant::now();
    let report = queuetop::calibrate::run(&settings);
    print!("{}", report.to_text());
    println!("\n(replayed in {:.1} s)", started.elapsed().as_secs_f64());
}
