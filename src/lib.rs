//! queuetop: a live terminal wallboard for contact centres.

pub mod config;
pub mod domain;
pub mod source;
