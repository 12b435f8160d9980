//! Untrusted text made printable: the one function every string from outside (a vendor's
//! names, labels and error messages, a scenario file) passes before it can reach a terminal,
//! a log line or JSON that a script may print.

use std::borrow::Cow;

/// What stands in for a character that must not reach a terminal.
pub const REPLACEMENT: char = '\u{FFFD}';

/// Whether `c` may be written to a terminal as it is. Refused: C0 controls (tab, newline
/// and ESC included), DEL, C1 controls (U+0080–U+009F: some terminals obey them as
/// escape sequences), and the Unicode bidi embeddings, overrides and isolates
/// (U+202A–U+202E, U+2066–U+2069) that reorder what is shown.
pub fn is_printable(c: char) -> bool {
    !(c.is_control()
        || ('\u{202A}'..='\u{202E}').contains(&c)
        || ('\u{2066}'..='\u{2069}').contains(&c))
}

/// `s` with every character that is not [`is_printable`] replaced by U+FFFD. Borrows when
/// there is nothing to replace (the common case costs one scan).
pub fn printable(s: &str) -> Cow<'_, str> {
    if s.chars().all(is_printable) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        s.chars()
            .map(|c| if is_printable(c) { c } else { REPLACEMENT })
            .collect(),
    )
}

/// [`printable`] in place, allocating only when something is replaced.
pub fn make_printable(s: &mut String) {
    if let Cow::Owned(clean) = printable(s) {
        *s = clean;
    }
}

/// Whether `hay` contains `needle`, ignoring case (Unicode lower case). Allocates
/// nothing when both are ASCII, the common case of names and labels.
pub fn contains_ignore_case(hay: &str, needle: &str) -> bool {
    if needle.is_empty() {
        return true;
    }
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        return h.len() >= n.len() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    hay.to_lowercase().contains(&needle.to_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_and_bidi_are_replaced() {
        let hostile =
            "Sales\u{1b}]0;pwned\u{7}\u{1b}[2J\u{9b}31m\u{202E}gnp.exe\u{7f}\u{90}q\u{9c}";
        let clean = printable(hostile);
        assert!(clean.chars().all(is_printable), "{clean:?}");
        assert!(clean.starts_with("Sales\u{FFFD}]0;pwned"));
        assert_eq!(
            printable("Müller · 東京 ✓"),
            Cow::Borrowed("Müller · 東京 ✓")
        );
    }

    #[test]
    fn contains_ignores_case_in_ascii_and_beyond() {
        assert!(contains_ignore_case("Coffee Break", "break"));
        assert!(contains_ignore_case("coffee break", "BREAK"));
        assert!(contains_ignore_case("anything", ""));
        assert!(!contains_ignore_case("Lunch", "lunches"));
        assert!(!contains_ignore_case("Meeting", "break"));
        assert!(contains_ignore_case("MÜLLER", "müll"));
        assert!(contains_ignore_case("Pause café", "CAFÉ"));
    }

    proptest! {
        #[test]
        fn contains_ignore_case_agrees_with_lowercasing(hay in ".{0,12}", needle in ".{0,4}") {
            prop_assert_eq!(
                contains_ignore_case(&hay, &needle),
                hay.to_lowercase().contains(&needle.to_lowercase())
            );
        }
    }

    /// 2000 cases, or `QUEUETOP_FUZZ_CASES` for a long run:
    /// `QUEUETOP_FUZZ_CASES=1000000 cargo test --release --lib output_never_holds`.
    fn cases() -> u32 {
        std::env::var("QUEUETOP_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]
        #[test]
        fn output_never_holds_a_control_or_bidi_character(s in any::<String>()) {
            let out = printable(&s);
            let ok = out.chars().all(|c| {
                let u = c as u32;
                u >= 0x20 && u != 0x7f && !(0x80..=0x9f).contains(&u)
                    && !(0x202a..=0x202e).contains(&u) && !(0x2066..=0x2069).contains(&u)
            });
            prop_assert!(ok, "{:?}", out);
            prop_assert_eq!(out.chars().count(), s.chars().count());
        }
    }
}
