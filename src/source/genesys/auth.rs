//! Genesys Cloud authentication (REFERENCE §1): OAuth client credentials against
//! `POST {login_url}/oauth/token` with HTTP Basic `client_id:client_secret` and the form
//! `grant_type=client_credentials`. Caching, refresh-ahead and the one retry after a 401
//! live in the shared HTTP layer.

use crate::config::GenesysConfig;
use crate::source::http::{ClientCredentials, RateLimitHeaders};

/// The token fetcher for a configured organisation.
pub fn client_credentials(cfg: &GenesysConfig) -> ClientCredentials {
    ClientCredentials {
        token_url: format!("{}/oauth/token", cfg.login_url.trim_end_matches('/')),
        client_id: cfg.client_id.clone(),
        client_secret: cfg.client_secret.clone(),
        extra_form: vec![],
    }
}

/// Genesys rate-limit headers (REFERENCE §6: `inin-ratelimit-count` requests used in the
/// window, `-allowed` the window's limit, `-reset` seconds to the reset — meaning inferred).
/// With under 5 % left the client pauses until the reset.
pub fn rate_limit_headers() -> RateLimitHeaders {
    RateLimitHeaders {
        used: "inin-ratelimit-count".into(),
        allowed: "inin-ratelimit-allowed".into(),
        reset_s: "inin-ratelimit-reset".into(),
        reserve_fraction: 0.05,
    }
}
