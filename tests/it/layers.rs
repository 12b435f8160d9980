//! The house's import rule, checked from the source text: which top-level module may use
//! which (ARCHITECTURE.md). A `crate::x` path in a module's non-test code is an edge; every
//! edge must point down a layer, so there is no cycle either.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// What each top-level module may import (lower layers only).
const ALLOWED: &[(&str, &[&str])] = &[
    ("domain", &[]),
    ("sla", &["domain"]),
    ("config", &["domain"]),
    ("source", &["domain", "sla", "config"]),
    ("model", &["domain", "sla", "config", "source"]),
    ("app", &["domain", "sla", "config", "source", "model"]),
    ("ui", &["domain", "sla", "config", "model", "app"]),
    ("output", &["domain", "sla", "config", "model", "ui"]),
    ("cli", &["domain", "config"]),
    ("calibrate", &["domain", "sla", "config", "source", "model"]),
    (
        "serve",
        &["domain", "sla", "config", "source", "model", "output"],
    ),
    (
        "terminal",
        &["domain", "sla", "config", "source", "model", "app", "ui"],
    ),
    (
        "commands",
        &[
            "domain",
            "sla",
            "config",
            "source",
            "model",
            "app",
            "ui",
            "output",
            "cli",
            "terminal",
            "calibrate",
            "serve",
        ],
    ),
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without comments and without its `#[cfg(test)]` tail.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = vec![];
    rust_files(&src, &mut files);
    let tops: BTreeSet<String> = ALLOWED.iter().map(|(m, _)| m.to_string()).collect();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(&src).unwrap_or(&f);
        let first = rel
            .components()
            .next()
            .map(|c| {
                c.as_os_str()
                    .to_string_lossy()
                    .trim_end_matches(".rs")
                    .to_string()
            })
            .unwrap_or_default();
        if !tops.contains(&first) {
            continue; // lib.rs, main.rs
        }
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        let code = code_of(&text);
        for (i, _) in code.match_indices("crate::") {
            let rest = &code[i + "crate::".len()..];
            let target: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if target != first && tops.contains(&target) {
                out.entry(first.clone()).or_default().insert(target);
            }
        }
    }
    out
}

#[test]
fn every_import_points_down_a_layer() {
    let allowed: BTreeMap<&str, BTreeSet<&str>> = ALLOWED
        .iter()
        .map(|(m, a)| (*m, a.iter().copied().collect()))
        .collect();
    let mut wrong = vec![];
    for (from, tos) in edges() {
        for to in tos {
            let ok = allowed
                .get(from.as_str())
                .is_some_and(|a| a.contains(to.as_str()));
            if !ok {
                wrong.push(format!("{from} → {to}"));
            }
        }
    }
    assert!(wrong.is_empty(), "imports up a layer: {wrong:?}");
}

#[test]
fn the_rule_itself_has_no_cycle() {
    // Each module's allowed set only names modules listed before it.
    let order: Vec<&str> = ALLOWED.iter().map(|(m, _)| *m).collect();
    for (i, (m, allowed)) in ALLOWED.iter().enumerate() {
        for a in *allowed {
            let j = order.iter().position(|x| x == a);
            assert!(j.is_some_and(|j| j < i), "{m} may import {a}, listed later");
        }
    }
}
