//! Where a centre's data lives on NATS: the key-value bucket (latest value of each part),
//! the subjects (changes), the look-back stream and the history service.
//!
//! * bucket `queuetop_<centre>`, keys `<source>.<part>` and `centre` (the manifest);
//! * subjects `queuetop.<centre>.<source>.<part>` (part: `health`, `queues`, `agents`);
//! * stream `QUEUETOP_<centre>` on those subjects, kept for the configured retention;
//! * requests `queuetop.<centre>.<source>.history`.
//!
//! A centre name is letters, digits, `-` and `_` (checked in the configuration). A source
//! name may be any text, so it is written as a token: letters, digits and `-` as they are,
//! `_` as `__`, any other byte as `_` and two hex digits.

use super::wire::Part;

/// A source name as one subject token and key segment.
pub fn token(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for b in name.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' => out.push(b as char),
            b'_' => out.push_str("__"),
            other => out.push_str(&format!("_{other:02x}")),
        }
    }
    if out.is_empty() {
        out.push_str("_00");
    }
    out
}

/// The source name a token stands for, if it is one.
pub fn untoken(t: &str) -> Option<String> {
    let b = t.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'_' if b.get(i + 1) == Some(&b'_') => {
                out.push(b'_');
                i += 2;
            }
            b'_' => {
                let hex = t.get(i + 1..i + 3)?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            c if c.is_ascii_alphanumeric() || c == b'-' => {
                out.push(c);
                i += 1;
            }
            _ => return None,
        }
    }
    let s = String::from_utf8(out).ok()?;
    if s == "\0" {
        Some(String::new())
    } else {
        Some(s)
    }
}

pub fn bucket(centre: &str) -> String {
    format!("queuetop_{centre}")
}

pub fn stream(centre: &str) -> String {
    format!("QUEUETOP_{centre}")
}

/// The manifest's key: which sources the collector publishes.
pub const MANIFEST_KEY: &str = "centre";

pub fn key(source: &str, part: Part) -> String {
    format!("{}.{}", token(source), part.as_str())
}

pub fn subject(centre: &str, source: &str, part: Part) -> String {
    format!("queuetop.{centre}.{}.{}", token(source), part.as_str())
}

/// Every part subject of one source (what a viewer subscribes to).
pub fn source_subjects(centre: &str, source: &str) -> String {
    format!("queuetop.{centre}.{}.*", token(source))
}

/// The look-back stream's subjects (history requests are not stored).
pub fn stream_subjects(centre: &str) -> Vec<String> {
    [Part::Health, Part::Queues, Part::Agents]
        .iter()
        .map(|p| format!("queuetop.{centre}.*.{}", p.as_str()))
        .collect()
}

pub fn history_subject(centre: &str, source: &str) -> String {
    format!("queuetop.{centre}.{}.history", token(source))
}

/// Requests for every source of a centre (what the collector listens on).
pub fn history_subjects(centre: &str) -> String {
    format!("queuetop.{centre}.*.history")
}

/// (source, part) of a part subject of `centre`.
pub fn parse_subject(centre: &str, subject: &str) -> Option<(String, Part)> {
    let mut it = subject.split('.');
    if it.next()? != "queuetop" || it.next()? != centre {
        return None;
    }
    let source = untoken(it.next()?)?;
    let part = Part::parse(it.next()?)?;
    it.next().is_none().then_some((source, part))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_are_subject_safe() {
        for name in ["acme-gc", "a b.c*>", "x_y", "Müller", "", "_", "__"] {
            let t = token(name);
            assert!(
                t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
                "{t}"
            );
            assert_eq!(untoken(&t).as_deref(), Some(name), "{name:?} → {t}");
        }
        assert_eq!(untoken("a.b"), None);
        assert_eq!(untoken("_zz"), None);
        assert_eq!(untoken("_4"), None);
    }

    #[test]
    fn subjects_parse_back() {
        let s = subject("acme", "gc one", Part::Queues);
        assert_eq!(s, "queuetop.acme.gc_20one.queues");
        assert_eq!(
            parse_subject("acme", &s),
            Some(("gc one".to_string(), Part::Queues))
        );
        assert_eq!(parse_subject("other", &s), None);
        assert_eq!(parse_subject("acme", "queuetop.acme.x.history"), None);
        assert_eq!(parse_subject("acme", "queuetop.acme.x.queues.y"), None);
    }
}
