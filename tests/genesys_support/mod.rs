//! Genesys test support: the fake Genesys Cloud and the schema-subset validator.
#![allow(dead_code)]

pub mod fake_genesys;
pub mod schema;
