//! Secrets: [`Secret`], whose `Debug` never shows the value, and reading one from the
//! environment (`*_env`), a file (`*_file`) or, when allowed, the configuration itself.

use std::fmt;
use std::io::Read;
use std::ops::Range;
use std::path::Path;

use toml::Spanned;

use super::ConfigError;
use super::errors::Validator;

/// A secret value (client secret, access key secret, token). Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    /// The value, for the one place that must send it (an auth request).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The largest secret file read (64 KiB): credentials are short; anything bigger is the
/// wrong file.
pub const SECRET_FILE_MAX_BYTES: u64 = 64 * 1024;

/// The three ways one secret (`what`) may be given; at most one may be present.
pub(super) struct SecretKeys<'a> {
    pub what: &'a str,
    pub inline: &'a Option<Spanned<String>>,
    pub env: &'a Option<Spanned<String>>,
    pub file: &'a Option<Spanned<String>>,
}

/// How secrets may be read for this configuration.
pub(super) struct SecretRules<'a> {
    pub allow_inline: bool,
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// Read the secret `keys` describe. `table` is the source's span, for errors about the
/// secret as a whole (missing, or given twice).
pub(super) fn read(
    v: &Validator<'_>,
    keys: &SecretKeys<'_>,
    rules: &SecretRules<'_>,
    table: Range<usize>,
) -> Result<Secret, ConfigError> {
    let what = keys.what;
    let count = [
        keys.inline.is_some(),
        keys.env.is_some(),
        keys.file.is_some(),
    ]
    .iter()
    .filter(|b| **b)
    .count();
    if count > 1 {
        return Err(v.err(
            Some(table),
            &format!("{what} is given more than one way"),
            &format!("keep one of {what}_env or {what}_file"),
        ));
    }
    if let Some(i) = keys.inline {
        if !rules.allow_inline {
            return Err(v.err(
                Some(i.span()),
                &format!("inline {what} refused: secrets do not belong in config files"),
                &format!(
                    "use {what}_env = \"VAR\" or {what}_file = \"/path\", or set allow_inline_secrets = true"
                ),
            ));
        }
        return Ok(Secret::new(i.get_ref().clone()));
    }
    if let Some(e) = keys.env {
        return match (rules.env)(e.get_ref()) {
            Some(val) if !val.trim().is_empty() => Ok(Secret::new(val.trim().to_string())),
            _ => Err(v.err(
                Some(e.span()),
                &format!(
                    "environment variable {} (for {what}) is not set",
                    e.get_ref()
                ),
                &format!("export {}=… before starting queuetop", e.get_ref()),
            )),
        };
    }
    if let Some(f) = keys.file {
        let shown = f.get_ref();
        return match read_secret_file(Path::new(shown)) {
            Ok(val) if !val.trim().is_empty() => Ok(Secret::new(val.trim().to_string())),
            Ok(_) => Err(v.err(
                Some(f.span()),
                &format!("{what} file {shown} is empty"),
                "put the secret in the file",
            )),
            Err(SecretFileError::Io(e)) => Err(v.err(
                Some(f.span()),
                &format!("cannot read {what} file {shown}: {e}"),
                "check the path and its permissions",
            )),
            Err(SecretFileError::NotRegular(kind)) => Err(v.err(
                Some(f.span()),
                &format!("{what} file {shown} is {kind}, not a regular file"),
                &format!("point {what}_file at a plain file that holds only the secret"),
            )),
            Err(SecretFileError::TooLarge) => Err(v.err(
                Some(f.span()),
                &format!(
                    "{what} file {shown} is larger than {} KiB",
                    SECRET_FILE_MAX_BYTES / 1024
                ),
                &format!("point {what}_file at a file that holds only the secret"),
            )),
            Err(SecretFileError::NotText) => Err(v.err(
                Some(f.span()),
                &format!("{what} file {shown} is not UTF-8 text"),
                "write the secret into the file as plain text",
            )),
        };
    }
    Err(v.err(
        Some(table),
        &format!("{what} is missing"),
        &format!("add {what}_env = \"VAR\" (or {what}_file = \"/path\")"),
    ))
}

/// Why a secret file could not be used.
#[derive(Debug)]
enum SecretFileError {
    Io(std::io::Error),
    /// A FIFO, device, socket or directory (the text says which): reading one could block
    /// forever or never end.
    NotRegular(&'static str),
    TooLarge,
    NotText,
}

/// The contents of a secret file: a regular file of at most [`SECRET_FILE_MAX_BYTES`].
/// The type is checked before the file is opened (opening a FIFO waits for a writer), and
/// the read is bounded whatever the file claims its size is.
fn read_secret_file(path: &Path) -> Result<String, SecretFileError> {
    let meta = std::fs::metadata(path).map_err(SecretFileError::Io)?;
    if !meta.is_file() {
        return Err(SecretFileError::NotRegular(kind_of(&meta.file_type())));
    }
    if meta.len() > SECRET_FILE_MAX_BYTES {
        return Err(SecretFileError::TooLarge);
    }
    let file = std::fs::File::open(path).map_err(SecretFileError::Io)?;
    // The path may have been swapped between the check and the open.
    let opened = file.metadata().map_err(SecretFileError::Io)?;
    if !opened.is_file() {
        return Err(SecretFileError::NotRegular(kind_of(&opened.file_type())));
    }
    let mut bytes = Vec::new();
    file.take(SECRET_FILE_MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(SecretFileError::Io)?;
    if bytes.len() as u64 > SECRET_FILE_MAX_BYTES {
        return Err(SecretFileError::TooLarge);
    }
    String::from_utf8(bytes).map_err(|_| SecretFileError::NotText)
}

fn kind_of(t: &std::fs::FileType) -> &'static str {
    if t.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use super::*;

    fn keys<'a>(file: &'a Option<Spanned<String>>) -> SecretKeys<'a> {
        const NONE: &Option<Spanned<String>> = &None;
        SecretKeys {
            what: "client_secret",
            inline: NONE,
            env: NONE,
            file,
        }
    }

    /// Read `path` as `client_secret_file` from a one-line configuration.
    fn read_file(path: &str) -> Result<Secret, String> {
        let text = format!("client_secret_file = {path:?}\n");
        let v = Validator {
            text: &text,
            path: Some(Path::new("/etc/q.toml")),
        };
        let file = Some(Spanned::new(21..21 + path.len(), path.to_string()));
        let rules = SecretRules {
            allow_inline: false,
            env: &|_| None,
        };
        read(&v, &keys(&file), &rules, 0..text.len()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_plain_file_is_read_and_trimmed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("secret");
        std::fs::write(&p, "  s3cr3t\n").expect("write");
        let s = read_file(&p.display().to_string()).expect("read");
        assert_eq!(s.expose(), "s3cr3t");
        assert_eq!(format!("{s:?}"), "Secret(***)");
    }

    #[test]
    fn a_device_is_refused_without_reading_it() {
        let t = Instant::now();
        let e = read_file("/dev/zero").unwrap_err();
        assert!(t.elapsed() < Duration::from_secs(5));
        assert!(e.contains("/etc/q.toml, line 1"), "{e}");
        assert!(
            e.contains("client_secret file /dev/zero is a device"),
            "{e}"
        );
        assert!(e.contains("not a regular file"), "{e}");
        assert!(e.contains("client_secret_file"), "names the fix: {e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_waiting_for_a_writer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&p).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("mkfifo unavailable: skipped");
            return;
        }
        let t = Instant::now();
        let e = read_file(&p.display().to_string()).unwrap_err();
        assert!(t.elapsed() < Duration::from_secs(5));
        assert!(e.contains(&p.display().to_string()), "names the file: {e}");
        assert!(e.contains("FIFO"), "says why: {e}");
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let e = read_file(&dir.path().display().to_string()).unwrap_err();
        assert!(e.contains("is a directory, not a regular file"), "{e}");
    }

    #[test]
    fn a_large_file_is_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("big");
        std::fs::write(&p, vec![b'x'; SECRET_FILE_MAX_BYTES as usize + 1]).expect("write");
        let e = read_file(&p.display().to_string()).unwrap_err();
        assert!(e.contains("larger than 64 KiB"), "{e}");
        // Exactly at the cap is fine.
        std::fs::write(&p, vec![b'x'; SECRET_FILE_MAX_BYTES as usize]).expect("write");
        assert!(read_file(&p.display().to_string()).is_ok());
    }

    #[test]
    fn empty_missing_and_binary_files_say_so() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("empty");
        std::fs::write(&p, "\n").expect("write");
        let e = read_file(&p.display().to_string()).unwrap_err();
        assert!(
            e.contains("is empty") && e.contains("put the secret in the file"),
            "{e}"
        );
        let e = read_file(&dir.path().join("absent").display().to_string()).unwrap_err();
        assert!(e.contains("cannot read client_secret file"), "{e}");
        std::fs::write(&p, [0xff, 0xfe, 0x00]).expect("write");
        let e = read_file(&p.display().to_string()).unwrap_err();
        assert!(e.contains("not UTF-8"), "{e}");
    }
}
