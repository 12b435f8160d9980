//! A `kind = "cxone"` source: NICE CXone, its issuer, API version and two secrets.

use super::{Ctx, RawSource};
use crate::config::secret::SecretKeys;
use crate::config::url;
use crate::config::{ConfigError, CxoneConfig, SourceConfig};

/// The keys a CXone source takes.
pub(super) const KEYS: &[&str] = &[
    "issuer",
    "api_url",
    "api_version",
    "client_id",
    "client_secret",
    "client_secret_env",
    "client_secret_file",
    "access_key_id",
    "access_key_secret",
    "access_key_secret_env",
    "access_key_secret_file",
    "queues",
];

/// The issuer used when none is given.
const DEFAULT_ISSUER: &str = "https://cxone.niceincontact.com";
/// The API version used when none is given.
const DEFAULT_API_VERSION: &str = "v34.0";

/// A CXone source: issuer (default NICE's), optional API URL, API version, the client and
/// the access key with their secrets.
pub(super) fn validate(s: &RawSource, ctx: &mut Ctx<'_>) -> Result<SourceConfig, ConfigError> {
    let v = ctx.v;
    let issuer = match &s.issuer {
        Some(i) => url::validated(v, i, "issuer")?,
        None => DEFAULT_ISSUER.to_string(),
    };
    let api_url = s
        .api_url
        .as_ref()
        .map(|a| url::validated(v, a, "api_url"))
        .transpose()?;
    let api_version = match &s.api_version {
        Some(a) => {
            let ver = a.get_ref().trim();
            if !is_api_version(ver) {
                return Err(v.err(
                    Some(a.span()),
                    &format!("bad api_version {ver:?}"),
                    "write it like \"v34.0\"",
                ));
            }
            ver.to_string()
        }
        None => DEFAULT_API_VERSION.to_string(),
    };
    let client_id = ctx.required(&s.client_id, "client_id")?;
    let access_key_id = ctx.required(&s.access_key_id, "access_key_id")?;
    let client_secret = ctx.secret(&s.client_secret())?;
    let access_key_secret = ctx.secret(&SecretKeys {
        what: "access_key_secret",
        inline: &s.access_key_secret,
        env: &s.access_key_secret_env,
        file: &s.access_key_secret_file,
    })?;
    Ok(SourceConfig::Cxone(CxoneConfig {
        name: ctx.name.clone(),
        issuer,
        api_url,
        api_version,
        client_id,
        client_secret,
        access_key_id,
        access_key_secret,
        queues: s.queues.clone().unwrap_or_default(),
    }))
}

/// `v` followed by dot-separated numbers: `v34.0`, `v2`.
fn is_api_version(ver: &str) -> bool {
    ver.strip_prefix('v').is_some_and(|n| {
        !n.is_empty()
            && n.split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_versions() {
        for ok in ["v34.0", "v2", "v1.2.3"] {
            assert!(is_api_version(ok), "{ok}");
        }
        for bad in ["34", "v", "v34.", "v.1", "vx", "V34.0"] {
            assert!(!is_api_version(bad), "{bad}");
        }
    }
}
