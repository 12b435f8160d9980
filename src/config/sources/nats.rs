//! A `kind = "nats"` source: a viewer of a collector's figures (`queuetop serve`) over NATS,
//! and the NATS credentials it shares with `[serve]`.

use std::ops::Range;

use toml::Spanned;

use super::{Ctx, RawSource};
use crate::config::errors::Validator;
use crate::config::secret::{self, SecretKeys, SecretRules};
use crate::config::{ConfigError, NatsAuth, NatsConfig, SourceConfig, url};

/// The keys a NATS viewer source takes.
pub(super) const KEYS: &[&str] = &[
    "url",
    "centre",
    "source",
    "user",
    "password",
    "password_env",
    "password_file",
    "token",
    "token_env",
    "token_file",
    "creds",
    "creds_env",
    "creds_file",
];

/// The credential keys as written (a `[[sources]]` table or `[serve]`).
pub(in crate::config) struct AuthKeys<'a> {
    pub user: &'a Option<Spanned<String>>,
    pub password: SecretKeys<'a>,
    pub token: SecretKeys<'a>,
    pub creds: SecretKeys<'a>,
}

impl AuthKeys<'_> {
    fn given(k: &SecretKeys<'_>) -> bool {
        k.inline.is_some() || k.env.is_some() || k.file.is_some()
    }
}

/// The credentials: none, a token, a user and password, or a `.creds` file's content — at
/// most one way. Secrets come from `*_env` / `*_file` like every other secret.
pub(in crate::config) fn auth(
    v: &Validator<'_>,
    keys: &AuthKeys<'_>,
    rules: &SecretRules<'_>,
    table: Range<usize>,
    inline_used: &mut bool,
) -> Result<NatsAuth, ConfigError> {
    let password = AuthKeys::given(&keys.password);
    let token = AuthKeys::given(&keys.token);
    let creds = AuthKeys::given(&keys.creds);
    let ways = [keys.user.is_some() || password, token, creds]
        .iter()
        .filter(|b| **b)
        .count();
    if ways > 1 {
        return Err(v.err(
            Some(table),
            "NATS credentials are given more than one way",
            "keep one of: user + password_env, token_env, creds_file",
        ));
    }
    let mut read = |k: &SecretKeys<'_>| {
        if k.inline.is_some() {
            *inline_used = true;
        }
        secret::read(v, k, rules, table.clone())
    };
    if token {
        return Ok(NatsAuth::Token(read(&keys.token)?));
    }
    if creds {
        return Ok(NatsAuth::Creds(read(&keys.creds)?));
    }
    match keys.user {
        Some(u) => {
            let user = u.get_ref().trim().to_string();
            if user.is_empty() {
                return Err(v.err(Some(u.span()), "user is empty", "set user = \"…\""));
            }
            Ok(NatsAuth::UserPassword {
                user,
                password: read(&keys.password)?,
            })
        }
        None if password => Err(v.err(
            Some(table),
            "a NATS password without a user",
            "add user = \"…\"",
        )),
        None => Ok(NatsAuth::None),
    }
}

/// A centre name: it becomes part of NATS subjects, a bucket and a stream name.
pub(in crate::config) fn centre(
    v: &Validator<'_>,
    c: &Spanned<String>,
) -> Result<String, ConfigError> {
    let name = c.get_ref().trim();
    check_centre(name).map_err(|m| {
        v.err(
            Some(c.span()),
            &m,
            "use letters, digits, - and _ (up to 64), e.g. centre = \"acme\"",
        )
    })?;
    Ok(name.to_string())
}

/// Letters, digits, `-` and `_`, 1 to 64 of them.
pub fn check_centre(name: &str) -> Result<(), String> {
    if name.is_empty() || name.len() > 64 {
        return Err(format!("centre {name:?} must be 1 to 64 characters"));
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "centre {name:?} may hold only letters, digits, - and _"
        ));
    }
    Ok(())
}

/// A viewer: the NATS URL, the centre, optionally which of the collector's sources, and
/// the credentials.
pub(super) fn validate(s: &RawSource, ctx: &mut Ctx<'_>) -> Result<SourceConfig, ConfigError> {
    let v = ctx.v;
    let Some(u) = &s.url else {
        return Err(v.err(
            Some(ctx.table.clone()),
            &format!("source {:?} needs url", ctx.name),
            "add url = \"nats://127.0.0.1:4222\" (tls:// for another host)",
        ));
    };
    let url = url::validated_nats(v, u, "url")?;
    let Some(c) = &s.centre else {
        return Err(v.err(
            Some(ctx.table.clone()),
            &format!("source {:?} needs centre", ctx.name),
            "add centre = \"…\", the collector's --centre",
        ));
    };
    let centre = centre(v, c)?;
    let source = match &s.source {
        Some(x) if x.get_ref().trim().is_empty() => {
            return Err(v.err(
                Some(x.span()),
                "source is empty",
                "name one of the collector's sources, or leave the key out",
            ));
        }
        Some(x) => Some(x.get_ref().trim().to_string()),
        None => None,
    };
    let keys = s.nats_auth();
    let mut inline = false;
    let auth = auth(v, &keys, ctx.rules, ctx.table.clone(), &mut inline)?;
    ctx.inline_used |= inline;
    Ok(SourceConfig::Nats(NatsConfig {
        name: ctx.name.clone(),
        url,
        centre,
        source,
        auth,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn centre_names() {
        for ok in ["acme", "a-b_c", "X1"] {
            assert!(check_centre(ok).is_ok(), "{ok}");
        }
        for bad in ["", "a.b", "a b", "a*", ">", &"x".repeat(65)] {
            assert!(check_centre(bad).is_err(), "{bad}");
        }
    }
}
