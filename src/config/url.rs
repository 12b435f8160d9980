//! The URL rules for `api_url`, `login_url` and `issuer`: https only, plain http only to a
//! loopback host (tests and local proxies), and never a `user:password@` part.

use toml::Spanned;

use super::ConfigError;
use super::errors::Validator;

/// A URL must be https, or http to a loopback host.
pub fn check_url(u: &str) -> Result<(), String> {
    let (scheme, host) = scheme_and_host(u, "", "")?;
    match scheme {
        "https" => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err(format!("{u:?} uses plain http to a non-loopback host")),
        other => Err(format!("{u:?} has unsupported scheme {other:?}")),
    }
}

/// The scheme and host of `u`, refusing what is no URL, has no host or carries
/// `user:password@` (`not_url` and `no_userinfo` are hints added to those errors).
fn scheme_and_host<'a>(
    u: &'a str,
    not_url: &str,
    no_userinfo: &str,
) -> Result<(&'a str, &'a str), String> {
    let (scheme, rest) = u
        .split_once("://")
        .ok_or_else(|| format!("{u:?} is not a URL{not_url}"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.contains('@') {
        return Err(format!(
            "{u:?} must not contain user:password@{no_userinfo}"
        ));
    }
    let host = if let Some(h) = authority.strip_prefix('[') {
        h.split(']').next().unwrap_or("")
    } else {
        authority
            .rsplit_once(':')
            .map(|(h, _)| h)
            .unwrap_or(authority)
    };
    if host.is_empty() {
        return Err(format!("{u:?} has no host"));
    }
    Ok((scheme, host))
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The URL at `key`, trimmed and without a trailing slash, or an error naming its line.
pub(super) fn validated(
    v: &Validator<'_>,
    s: &Spanned<String>,
    key: &str,
) -> Result<String, ConfigError> {
    let u = s.get_ref().trim().trim_end_matches('/').to_string();
    check_url(&u).map_err(|m| {
        v.err(
            Some(s.span()),
            &format!("{key}: {m}"),
            "use https://, or http:// only for 127.0.0.1, ::1 or localhost",
        )
    })?;
    Ok(u)
}

/// A NATS server URL: `tls://` anywhere, `nats://` only to a loopback host (the same rule
/// as the vendor URLs: nothing leaves the machine unencrypted), never `user:password@`.
pub fn check_nats_url(u: &str) -> Result<(), String> {
    let (scheme, host) = scheme_and_host(
        u,
        " (write nats://host:port or tls://host:port)",
        " (use user and password_env)",
    )?;
    match scheme {
        "tls" => Ok(()),
        "nats" if is_loopback(host) => Ok(()),
        "nats" => Err(format!(
            "{u:?} is plain nats:// to a non-loopback host (use tls://)"
        )),
        other => Err(format!(
            "{u:?} has unsupported scheme {other:?} (use nats:// or tls://)"
        )),
    }
}

/// The NATS URL at `key`, trimmed, or an error naming its line.
pub(super) fn validated_nats(
    v: &Validator<'_>,
    s: &Spanned<String>,
    key: &str,
) -> Result<String, ConfigError> {
    let u = s.get_ref().trim().trim_end_matches('/').to_string();
    check_nats_url(&u).map_err(|m| {
        v.err(
            Some(s.span()),
            &format!("{key}: {m}"),
            "use tls://host:4222, or nats:// only for 127.0.0.1, ::1 or localhost",
        )
    })?;
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nats_urls_need_tls_off_the_machine() {
        assert!(check_nats_url("nats://127.0.0.1:4222").is_ok());
        assert!(check_nats_url("nats://localhost:4222").is_ok());
        assert!(check_nats_url("tls://nats.example.com:4222").is_ok());
        assert!(check_nats_url("nats://nats.example.com:4222").is_err());
        assert!(check_nats_url("nats://u:p@127.0.0.1:4222").is_err());
        assert!(check_nats_url("http://127.0.0.1:4222").is_err());
        assert!(check_nats_url("127.0.0.1:4222").is_err());
    }

    #[test]
    fn https_anywhere_http_only_to_loopback() {
        assert!(check_url("https://api.mypurecloud.ie").is_ok());
        assert!(check_url("http://127.0.0.2:8080/x").is_ok());
        assert!(check_url("http://LOCALHOST").is_ok());
        assert!(check_url("http://[::1]:9").is_ok());
        assert!(check_url("http://example.com").is_err());
        assert!(check_url("http://[::2]:9").is_err());
        assert!(check_url("ws://127.0.0.1").is_err());
        assert!(check_url("https://").is_err());
    }

    #[test]
    fn userinfo_is_refused_even_on_https() {
        let e = check_url("https://user:pw@api.example.com").unwrap_err();
        assert!(e.contains("user:password@"), "{e}");
        assert!(check_url("http://localhost:1@evil.example").is_err());
        // An @ after the authority (in the path or query) is not userinfo.
        assert!(check_url("https://api.example.com/a@b?c=d@e").is_ok());
    }
}
