//! Which queues a source watches: the `queues` list of globs and ids in the configuration.

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::source::SourceError;

/// Queue ids / name globs from the configuration (`queues`); empty = every queue.
#[derive(Clone, Debug)]
pub struct QueueSelector {
    patterns: Vec<String>,
    globs: GlobSet,
}

impl QueueSelector {
    pub fn new(patterns: &[String]) -> Result<QueueSelector, SourceError> {
        let mut b = GlobSetBuilder::new();
        for p in patterns {
            // Names are matched without regard to case: "billing*" should find "Billing EU".
            let g = GlobBuilder::new(p)
                .case_insensitive(true)
                .literal_separator(false)
                .build()
                .map_err(|e| {
                    SourceError::Fatal(format!(
                        "bad queue pattern {p:?}: {e} (use a name glob such as \"Billing*\" or a queue id)"
                    ))
                })?;
            b.add(g);
        }
        let globs = b
            .build()
            .map_err(|e| SourceError::Fatal(format!("bad queue patterns: {e}")))?;
        Ok(QueueSelector {
            patterns: patterns.to_vec(),
            globs,
        })
    }

    pub fn is_all(&self) -> bool {
        self.patterns.is_empty()
    }

    pub fn matches(&self, id: &str, name: &str) -> bool {
        self.is_all() || self.patterns.iter().any(|p| p == id) || self.globs.is_match(name)
    }

    pub fn describe(&self) -> String {
        self.patterns.join(", ")
    }
}
