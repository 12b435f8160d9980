//! Test helpers: a small CSV reader for the reference vectors and tolerant comparisons.
//!
//! The vector files quote fields that contain commas (scenario names, notes), so this
//! reader handles RFC 4180 quoting: `"a, b"` and doubled quotes `""` inside quotes.

use std::collections::HashMap;

/// One CSV row, by column name.
pub type Row = HashMap<String, String>;

/// Reads `tests/data/sla/<name>` into rows keyed by the header. Panics (failing the test) if
/// the file is missing, malformed or has no data rows, so a vector file can never pass by
/// being empty.
pub fn load_csv(name: &str) -> Vec<Row> {
    let path = format!("{}/tests/data/sla/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = split_csv_line(lines.next().unwrap_or_else(|| panic!("{path} is empty")));
    let rows: Vec<Row> = lines
        .map(|line| {
            let fields = split_csv_line(line);
            assert_eq!(
                fields.len(),
                header.len(),
                "{path}: wrong field count in {line}"
            );
            header.iter().cloned().zip(fields).collect()
        })
        .collect();
    assert!(!rows.is_empty(), "{path} has no data rows");
    rows
}

/// Splits one CSV line, honouring double quotes.
pub fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, in_quotes) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => in_quotes = !in_quotes,
            (',', false) => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// A numeric field; "inf" and "-inf" are accepted.
pub fn f64_field(row: &Row, key: &str) -> f64 {
    let raw = row.get(key).unwrap_or_else(|| panic!("no column {key}"));
    raw.parse()
        .unwrap_or_else(|e| panic!("column {key}: {raw:?}: {e}"))
}

/// An optional numeric field: empty means "null".
pub fn opt_f64_field(row: &Row, key: &str) -> Option<f64> {
    let raw = row.get(key).unwrap_or_else(|| panic!("no column {key}"));
    (!raw.is_empty()).then(|| f64_field(row, key))
}

/// Relative tolerance of the vectors: 1e-9, relaxed to 1e-6 where N − A ≤ 0.01 because
/// forming N − A from a float A loses about log10(A/(N − A)) digits (REFERENCE.md §3).
pub fn tolerance_for(agents: f64, traffic: f64) -> f64 {
    if agents - traffic <= 0.01 { 1e-6 } else { 1e-9 }
}

/// `got` within relative tolerance `rel` of `want`; infinities and zero must match exactly.
pub fn assert_close(got: f64, want: f64, rel: f64, context: &str) {
    let ok = if want.is_infinite() || want == 0.0 {
        got == want
    } else {
        ((got - want) / want).abs() <= rel
    };
    assert!(ok, "got {got}, want {want} (rel {rel}) in {context}");
}

#[test]
fn csv_quotes_are_honoured() {
    let fields = split_csv_line(r#"a,"b, c",,"say ""hi""",9"#);
    assert_eq!(fields, ["a", "b, c", "", r#"say "hi""#, "9"]);
}
