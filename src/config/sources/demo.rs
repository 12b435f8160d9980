//! A `kind = "demo"` source: the simulated centre.

use std::path::{Path, PathBuf};

use super::{Ctx, RawSource};
use crate::config::{DemoConfig, SourceConfig};

/// The keys a demo source takes.
pub(super) const KEYS: &[&str] = &["seed", "scenario"];

/// A demo source: the seed (7 by default) and the scenario file, relative to the
/// configuration file's directory.
pub(super) fn validate(s: &RawSource, ctx: &Ctx<'_>) -> SourceConfig {
    SourceConfig::Demo(DemoConfig {
        name: ctx.name.clone(),
        seed: s.seed.as_ref().map(|x| *x.get_ref()).unwrap_or(7),
        scenario: s.scenario.as_ref().map(|p| {
            let p = PathBuf::from(p.get_ref());
            match (p.is_relative(), ctx.v.path.and_then(Path::parent)) {
                (true, Some(dir)) => dir.join(p),
                _ => p,
            }
        }),
    })
}
