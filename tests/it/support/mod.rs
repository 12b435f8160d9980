//! Test support shared by every integration module: the demo harness, the fake vendor
//! servers and the schema-subset validator.
#![allow(dead_code)]

pub mod fake_cxone;
pub mod fake_genesys;
pub mod harness;
pub mod schema;
pub mod trap;
