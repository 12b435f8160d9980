//! `[[sources]]`: the keys every kind shares, the names, and the dispatch to each kind's own
//! validation ([`demo`], [`genesys`], [`cxone`]), each of which lists the keys it takes.

pub(super) mod cxone;
pub(super) mod demo;
pub(super) mod genesys;
pub(super) mod nats;

use std::ops::Range;

use serde::Deserialize;
use toml::Spanned;

use super::errors::Validator;
use super::secret::{self, SecretKeys, SecretRules};
use super::{ConfigError, Secret, SourceConfig};

/// One `[[sources]]` table as written: every key any kind takes, each spanned so errors can
/// name its line. Which keys a kind accepts is checked after parsing ([`keys_of`]).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSource {
    name: Spanned<String>,
    kind: Spanned<String>,
    // demo
    seed: Option<Spanned<u64>>,
    scenario: Option<Spanned<String>>,
    // genesys
    region: Option<Spanned<String>>,
    login_url: Option<Spanned<String>>,
    push: Option<Spanned<String>>,
    // cxone
    issuer: Option<Spanned<String>>,
    api_version: Option<Spanned<String>>,
    access_key_id: Option<Spanned<String>>,
    access_key_secret: Option<Spanned<String>>,
    access_key_secret_env: Option<Spanned<String>>,
    access_key_secret_file: Option<Spanned<String>>,
    // shared
    api_url: Option<Spanned<String>>,
    client_id: Option<Spanned<String>>,
    client_secret: Option<Spanned<String>>,
    client_secret_env: Option<Spanned<String>>,
    client_secret_file: Option<Spanned<String>>,
    queues: Option<Vec<String>>,
    // nats
    url: Option<Spanned<String>>,
    centre: Option<Spanned<String>>,
    source: Option<Spanned<String>>,
    user: Option<Spanned<String>>,
    password: Option<Spanned<String>>,
    password_env: Option<Spanned<String>>,
    password_file: Option<Spanned<String>>,
    token: Option<Spanned<String>>,
    token_env: Option<Spanned<String>>,
    token_file: Option<Spanned<String>>,
    creds: Option<Spanned<String>>,
    creds_env: Option<Spanned<String>>,
    creds_file: Option<Spanned<String>>,
    /// Any kind: the IANA zone of this source's "today" and interval boundaries.
    timezone: Option<Spanned<String>>,
}

impl RawSource {
    /// The optional keys present in this table, with where they are.
    fn present_keys(&self) -> Vec<(&'static str, Range<usize>)> {
        let strings = [
            ("timezone", &self.timezone),
            ("scenario", &self.scenario),
            ("region", &self.region),
            ("login_url", &self.login_url),
            ("push", &self.push),
            ("issuer", &self.issuer),
            ("api_version", &self.api_version),
            ("access_key_id", &self.access_key_id),
            ("access_key_secret", &self.access_key_secret),
            ("access_key_secret_env", &self.access_key_secret_env),
            ("access_key_secret_file", &self.access_key_secret_file),
            ("api_url", &self.api_url),
            ("client_id", &self.client_id),
            ("client_secret", &self.client_secret),
            ("client_secret_env", &self.client_secret_env),
            ("client_secret_file", &self.client_secret_file),
            ("url", &self.url),
            ("centre", &self.centre),
            ("source", &self.source),
            ("user", &self.user),
            ("password", &self.password),
            ("password_env", &self.password_env),
            ("password_file", &self.password_file),
            ("token", &self.token),
            ("token_env", &self.token_env),
            ("token_file", &self.token_file),
            ("creds", &self.creds),
            ("creds_env", &self.creds_env),
            ("creds_file", &self.creds_file),
        ];
        let mut out: Vec<(&'static str, Range<usize>)> = Vec::new();
        if let Some(seed) = &self.seed {
            out.push(("seed", seed.span()));
        }
        out.extend(
            strings
                .into_iter()
                .filter_map(|(k, v)| v.as_ref().map(|v| (k, v.span()))),
        );
        if self.queues.is_some() {
            // A list has no span of its own here: point at the source's name.
            out.push(("queues", self.name.span()));
        }
        out
    }

    /// The NATS credential keys of a viewer.
    fn nats_auth(&self) -> nats::AuthKeys<'_> {
        nats::AuthKeys {
            user: &self.user,
            password: SecretKeys {
                what: "password",
                inline: &self.password,
                env: &self.password_env,
                file: &self.password_file,
            },
            token: SecretKeys {
                what: "token",
                inline: &self.token,
                env: &self.token_env,
                file: &self.token_file,
            },
            creds: SecretKeys {
                what: "creds",
                inline: &self.creds,
                env: &self.creds_env,
                file: &self.creds_file,
            },
        }
    }

    /// The client secret keys every vendor source shares.
    fn client_secret(&self) -> SecretKeys<'_> {
        SecretKeys {
            what: "client_secret",
            inline: &self.client_secret,
            env: &self.client_secret_env,
            file: &self.client_secret_file,
        }
    }
}

/// The keys a `kind` takes (besides `name` and `kind`), or `None` for an unknown kind.
fn keys_of(kind: &str) -> Option<&'static [&'static str]> {
    match kind {
        "demo" => Some(demo::KEYS),
        "genesys" => Some(genesys::KEYS),
        "cxone" => Some(cxone::KEYS),
        "nats" => Some(nats::KEYS),
        _ => None,
    }
}

/// What one source's validation needs: the validator, where the table is, its name, and
/// the secret rules (recording whether an inline secret was used).
pub(super) struct Ctx<'a> {
    v: &'a Validator<'a>,
    table: Range<usize>,
    name: String,
    rules: &'a SecretRules<'a>,
    inline_used: bool,
}

impl Ctx<'_> {
    fn required(&self, s: &Option<Spanned<String>>, key: &str) -> Result<String, ConfigError> {
        self.v.required(s, key, &self.table, &self.name)
    }

    fn secret(&mut self, keys: &SecretKeys<'_>) -> Result<Secret, ConfigError> {
        let s = secret::read(self.v, keys, self.rules, self.table.clone())?;
        if keys.inline.is_some() {
            self.inline_used = true;
        }
        Ok(s)
    }
}

/// Validate every `[[sources]]` table.
pub(super) fn validate(
    v: &Validator<'_>,
    raw: &[Spanned<RawSource>],
    rules: &SecretRules<'_>,
) -> Result<Validated, ConfigError> {
    let mut sources = Vec::new();
    let mut timezones = std::collections::BTreeMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut inline_used = false;
    for s in raw {
        let table = s.span();
        let s = s.get_ref();
        let name = s.name.get_ref().trim().to_string();
        if name.is_empty() {
            return Err(v.err(
                Some(s.name.span()),
                "a source name is empty",
                "give every source a short name, e.g. name = \"acme-gc\"",
            ));
        }
        if names.contains(&name) {
            return Err(v.err(
                Some(s.name.span()),
                &format!("two sources are named {name:?}"),
                "give every source a different name",
            ));
        }
        names.push(name.clone());
        let kind = s.kind.get_ref().as_str();
        let Some(allowed) = keys_of(kind) else {
            return Err(v.err(
                Some(s.kind.span()),
                &format!("unknown source kind {kind:?}"),
                "use kind = \"genesys\", \"cxone\", \"demo\" or \"nats\"",
            ));
        };
        for (key, present) in s.present_keys() {
            if key != "timezone" && !allowed.contains(&key) {
                return Err(v.err(
                    Some(present),
                    &format!("key `{key}` does not apply to a {kind} source"),
                    &format!("a {kind} source takes: {}", allowed.join(", ")),
                ));
            }
        }
        if let Some(tz) = &s.timezone {
            let zone = super::load::parse_timezone(v, tz)?;
            timezones.insert(name.clone(), zone);
        }
        let mut ctx = Ctx {
            v,
            table,
            name,
            rules,
            inline_used: false,
        };
        let cfg = match kind {
            "demo" => demo::validate(s, &ctx),
            "genesys" => genesys::validate(s, &mut ctx)?,
            "nats" => nats::validate(s, &mut ctx)?,
            _ => cxone::validate(s, &mut ctx)?,
        };
        inline_used |= ctx.inline_used;
        sources.push(cfg);
    }
    Ok(Validated {
        sources,
        inline_used,
        timezones,
    })
}

/// The `[[sources]]` tables, validated.
pub(super) struct Validated {
    pub sources: Vec<SourceConfig>,
    /// Whether any inline secret was used.
    pub inline_used: bool,
    /// Per-source `timezone`, by source name.
    pub timezones: std::collections::BTreeMap<String, chrono_tz::Tz>,
}
