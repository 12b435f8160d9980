//! queuetop: a live terminal wallboard for contact centres.

pub mod app;
pub mod calibrate;
pub mod cli;
pub mod commands;
pub mod config;
pub mod domain;
pub mod model;
pub mod output;
pub mod serve;
pub mod sla;
pub mod source;
pub mod terminal;
pub mod ui;
