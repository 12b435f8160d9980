//! Configuration errors that name the file, the line and the fix, and the validator that
//! turns a spanned TOML value into a checked one (or such an error).

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use toml::Spanned;

use super::SlWindow;

/// A configuration error: file, line, what is wrong and how to fix it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}", self.render())]
pub struct ConfigError {
    pub file: Option<PathBuf>,
    pub line: Option<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl ConfigError {
    fn render(&self) -> String {
        let mut s = String::from("configuration error");
        if let Some(f) = &self.file {
            s.push_str(&format!(" in {}", f.display()));
            if let Some(l) = self.line {
                s.push_str(&format!(", line {l}"));
            }
        }
        s.push_str(&format!(": {}", self.message));
        if let Some(h) = &self.hint {
            s.push_str(&format!(" (hint: {h})"));
        }
        s
    }
}

/// Parse `5s`, `30s`, `2m`, `1h`, `1h30m`, `500ms`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    humantime::parse_duration(s.trim()).ok()
}

/// The text being validated and where it came from: every error it makes carries the file
/// and the line of the offending value.
pub(super) struct Validator<'a> {
    pub text: &'a str,
    pub path: Option<&'a Path>,
}

impl Validator<'_> {
    pub fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        self.text.as_bytes()[..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1
    }

    pub fn err(&self, span: Option<Range<usize>>, msg: &str, hint: &str) -> ConfigError {
        ConfigError {
            file: self.path.map(Path::to_path_buf),
            line: span.map(|s| self.line_of(s.start)),
            message: msg.to_string(),
            hint: Some(hint.to_string()),
        }
    }

    pub fn duration_allow_zero(
        &self,
        s: &Spanned<String>,
        key: &str,
    ) -> Result<Duration, ConfigError> {
        parse_duration(s.get_ref()).ok_or_else(|| {
            self.err(
                Some(s.span()),
                &format!("{key} = {:?} is not a duration", s.get_ref()),
                "write durations like \"5s\", \"30s\", \"2m\" or \"1h\"",
            )
        })
    }

    pub fn duration(&self, s: &Spanned<String>, key: &str) -> Result<Duration, ConfigError> {
        let d = self.duration_allow_zero(s, key)?;
        if d.is_zero() {
            return Err(self.err(
                Some(s.span()),
                &format!("{key} must be more than zero"),
                "write e.g. \"20s\"",
            ));
        }
        Ok(d)
    }

    pub fn fraction(&self, s: &Spanned<f64>, key: &str) -> Result<f64, ConfigError> {
        let x = *s.get_ref();
        if !(x > 0.0 && x <= 1.0) {
            return Err(self.err(
                Some(s.span()),
                &format!("{key} = {x} is outside (0, 1]"),
                "write the target as a fraction, e.g. 0.80 for 80 %",
            ));
        }
        Ok(x)
    }

    pub fn window(&self, s: &Spanned<String>) -> Result<SlWindow, ConfigError> {
        match s.get_ref().as_str() {
            "day" => Ok(SlWindow::Day),
            "15m" => Ok(SlWindow::Minutes(15)),
            "30m" => Ok(SlWindow::Minutes(30)),
            "60m" | "1h" => Ok(SlWindow::Minutes(60)),
            other => Err(self.err(
                Some(s.span()),
                &format!("unknown window {other:?}"),
                "use \"day\", \"15m\", \"30m\" or \"60m\"",
            )),
        }
    }

    /// A required, non-empty string key of source `name` (whose table is at `span`).
    pub fn required(
        &self,
        s: &Option<Spanned<String>>,
        key: &str,
        span: &Range<usize>,
        name: &str,
    ) -> Result<String, ConfigError> {
        match s {
            Some(x) if !x.get_ref().trim().is_empty() => Ok(x.get_ref().trim().to_string()),
            Some(x) => Err(self.err(
                Some(x.span()),
                &format!("{key} is empty"),
                &format!("set {key} for source {name:?}"),
            )),
            None => Err(self.err(
                Some(span.clone()),
                &format!("source {name:?} needs {key}"),
                &format!("add {key} = \"…\""),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_count_from_one_and_clamp_past_the_end() {
        let v = Validator {
            text: "a\nb\nc",
            path: None,
        };
        assert_eq!(v.line_of(0), 1);
        assert_eq!(v.line_of(2), 2);
        assert_eq!(v.line_of(4), 3);
        assert_eq!(v.line_of(999), 3);
    }

    #[test]
    fn rendered_errors_name_file_line_and_hint() {
        let v = Validator {
            text: "x\ny\n",
            path: Some(Path::new("/etc/q.toml")),
        };
        let e = v.err(Some(2..3), "y is wrong", "write z").to_string();
        assert_eq!(
            e,
            "configuration error in /etc/q.toml, line 2: y is wrong (hint: write z)"
        );
        let no_file = Validator {
            text: "",
            path: None,
        };
        assert_eq!(
            no_file.err(None, "bad", "fix").to_string(),
            "configuration error: bad (hint: fix)"
        );
    }
}
