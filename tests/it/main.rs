//! The integration tests, in one binary (one link of the crate instead of one per file).

mod support;

mod app_update;
mod calibration;
mod cli;
mod config;
mod cxone_cli;
mod cxone_proptest;
mod cxone_source;
mod cxone_wire;
mod demo_clock;
mod e2e_pty;
mod follow_the_sun;
mod genesys_cli;
mod genesys_proptest;
mod genesys_push;
mod genesys_source;
mod genesys_wire;
mod hostile;
mod layers;
mod nats;
mod sim_invariants;
mod sla_scenario;
mod ui_snapshots;
