//! The one HTTP layer shared by the vendor sources (Genesys Cloud, CXone).
//!
//! What it does for every call, so the vendor code does not have to:
//! * refuses plain `http://` except to loopback hosts (same rule as the configuration);
//! * attaches a bearer token from a [`TokenCache`] (cached, refreshed ahead of expiry) and,
//!   on a 401, invalidates the token, fetches a new one and retries the call **once**;
//! * honours `429` and `503` + `Retry-After` (seconds or HTTP-date), retries network errors,
//!   timeouts and 5xx with capped, jittered exponential backoff, a bounded number of times;
//! * keeps a per-token request budget ([`RequestBudget`]) and reads vendor rate-limit headers
//!   ([`RateLimitHeaders`]) so a source can stretch its refresh before the platform says no;
//! * turns every failure into a [`SourceError`] whose message says what to fix, with every
//!   registered secret (client secret, issued tokens) scrubbed out ([`Redactor`]).
//!
//! It knows nothing about any vendor's JSON: callers get typed values back.

use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use rand::Rng;
use reqwest::header::{ACCEPT, HeaderMap, RETRY_AFTER};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::{Secret, check_url};
use crate::source::SourceError;

/// A boxed, sendable future (lets [`TokenFetcher`] be used as a trait object).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How a call is retried.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts per call, the first included (network errors, timeouts, 5xx, 429).
    pub max_attempts: u32,
    /// First backoff delay; doubles per attempt (with jitter) up to `max_delay`.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited for inside the call: the call fails
    /// with [`SourceError::RateLimited`] and the source schedules its next poll instead.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` (attempt counts from 1): exponential, capped,
    /// with "equal jitter" (half fixed, half random) so many clients do not retry in step.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        let jitter = rand::rng().random_range(0.0..=1.0);
        half + half.mul_f64(jitter)
    }
}

/// The default cap on a response body (a 1,000-queue observation answer is ~2 MiB).
pub const DEFAULT_MAX_BODY: usize = 32 * 1024 * 1024;

/// Timeouts and retries for one client.
#[derive(Clone, Debug, PartialEq)]
pub struct HttpSettings {
    /// Whole-request timeout (connect → last body byte).
    pub timeout: Duration,
    pub connect_timeout: Duration,
    pub retry: RetryPolicy,
    pub user_agent: String,
    /// The most a response body may hold; a larger one is refused, never read whole.
    pub max_body_bytes: usize,
    /// One call's whole budget of time, retries included: a hanging server costs this,
    /// not attempts × timeout.
    pub deadline: Duration,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            user_agent: concat!("queuetop/", env!("CARGO_PKG_VERSION")).to_string(),
            max_body_bytes: DEFAULT_MAX_BODY,
            deadline: Duration::from_secs(30),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Redaction

/// Strings that must never appear in an error, a log line or a `Debug` output. Cheap to
/// clone (shared); tokens are added as they are issued.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Arc<RwLock<VecDeque<String>>>,
}

/// Old tokens are kept a while (they may still be echoed in a late error body).
const REDACT_KEEP: usize = 16;

impl Redactor {
    pub fn new() -> Redactor {
        Redactor::default()
    }

    /// Register a secret. Very short strings are ignored (scrubbing "a" would mangle text;
    /// real secrets and tokens are long).
    pub fn add(&self, secret: &str) {
        if secret.len() < 4 {
            return;
        }
        let mut s = self.secrets.write().unwrap_or_else(|e| e.into_inner());
        if s.iter().any(|x| x == secret) {
            return;
        }
        s.push_front(secret.to_string());
        // Keep the configured secrets (added first, so at the back) and the newest tokens.
        while s.len() > REDACT_KEEP {
            let idx = s.len() / 2;
            s.remove(idx);
        }
    }

    /// `text` with every registered secret replaced by `***`, made printable (the text
    /// may come from a server: it goes to screens and logs).
    pub fn scrub(&self, text: &str) -> String {
        let s = self.secrets.read().unwrap_or_else(|e| e.into_inner());
        let mut out = text.to_string();
        for secret in s.iter() {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "***");
            }
        }
        crate::domain::text::make_printable(&mut out);
        out
    }

    /// The same error with its message scrubbed.
    pub fn scrub_error(&self, e: SourceError) -> SourceError {
        match e {
            SourceError::Auth(m) => SourceError::Auth(self.scrub(&m)),
            SourceError::Permission(m) => SourceError::Permission(self.scrub(&m)),
            SourceError::Transient(m) => SourceError::Transient(self.scrub(&m)),
            SourceError::Malformed(m) => SourceError::Malformed(self.scrub(&m)),
            SourceError::Fatal(m) => SourceError::Fatal(self.scrub(&m)),
            r @ SourceError::RateLimited { .. } => r,
        }
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Redactor(***)")
    }
}

// ---------------------------------------------------------------------------------------
// Tokens

/// An access token as issued by a login server.
#[derive(Clone, Debug)]
pub struct AccessToken {
    pub token: Secret,
    /// `None` when the server did not say; the cache then assumes [`DEFAULT_TOKEN_LIFETIME`].
    pub expires_in: Option<Duration>,
}

/// Assumed lifetime of a token whose response had no `expires_in`.
pub const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// Fetches a new access token. Implement it for a vendor's login flow, or use
/// [`ClientCredentials`] for plain OAuth 2 client credentials.
pub trait TokenFetcher: Send + Sync + 'static {
    fn fetch<'a>(&'a self, login: &'a LoginHttp)
    -> BoxFuture<'a, Result<AccessToken, SourceError>>;
}

/// OAuth 2 client-credentials grant: `POST token_url`, HTTP Basic `client_id:secret`,
/// form `grant_type=client_credentials` (plus `extra_form`).
pub struct ClientCredentials {
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub extra_form: Vec<(String, String)>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .finish_non_exhaustive()
    }
}

impl TokenFetcher for ClientCredentials {
    fn fetch<'a>(
        &'a self,
        login: &'a LoginHttp,
    ) -> BoxFuture<'a, Result<AccessToken, SourceError>> {
        Box::pin(async move {
            let mut form: Vec<(&str, &str)> = vec![("grant_type", "client_credentials")];
            form.extend(
                self.extra_form
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str())),
            );
            login
                .oauth_token(
                    &self.token_url,
                    Some((&self.client_id, &self.client_secret)),
                    &form,
                )
                .await
        })
    }
}

#[derive(Clone)]
struct CachedToken {
    token: Secret,
    /// Refresh from here on (ahead of expiry).
    refresh_at: Instant,
    /// Still usable until here if a refresh fails.
    expires_at: Instant,
    generation: u64,
}

/// Caches one token, refreshes it ahead of expiry, and supports "invalidate and retry once".
pub struct TokenCache {
    fetcher: Box<dyn TokenFetcher>,
    slot: tokio::sync::Mutex<Option<CachedToken>>,
    fetches: AtomicU64,
}

impl TokenCache {
    pub fn new(fetcher: impl TokenFetcher) -> TokenCache {
        TokenCache {
            fetcher: Box::new(fetcher),
            slot: tokio::sync::Mutex::new(None),
            fetches: AtomicU64::new(0),
        }
    }

    /// How many tokens were fetched so far.
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// Refresh this long before expiry: a tenth of the lifetime, at most five minutes
    /// (a 24 h token is renewed 5 min early, a 60 s one 6 s early).
    fn refresh_ahead(lifetime: Duration) -> Duration {
        (lifetime / 10).min(Duration::from_secs(300))
    }

    /// A valid token and its generation (for [`TokenCache::invalidate`]).
    async fn get(&self, login: &LoginHttp) -> Result<(Secret, u64), SourceError> {
        // The lock is held across the fetch on purpose: concurrent callers wait for the one
        // fetch instead of each asking the login server.
        let mut slot = self.slot.lock().await;
        let now = Instant::now();
        if let Some(c) = slot.as_ref()
            && now < c.refresh_at
        {
            return Ok((c.token.clone(), c.generation));
        }
        let previous = slot.clone();
        match self.fetcher.fetch(login).await {
            Ok(t) => {
                login.redactor().add(t.token.expose());
                let lifetime = t.expires_in.unwrap_or(DEFAULT_TOKEN_LIFETIME);
                let generation = self.fetches.fetch_add(1, Ordering::Relaxed) + 1;
                let now = Instant::now();
                let c = CachedToken {
                    token: t.token,
                    refresh_at: now + lifetime.saturating_sub(Self::refresh_ahead(lifetime)),
                    expires_at: now + lifetime,
                    generation,
                };
                *slot = Some(c.clone());
                Ok((c.token, c.generation))
            }
            // A failed refresh-ahead is not fatal while the old token is still valid.
            Err(e) => match previous {
                Some(c) if Instant::now() < c.expires_at => {
                    tracing::warn!(error = %e, "token refresh failed; using the current token until it expires");
                    Ok((c.token, c.generation))
                }
                _ => Err(e),
            },
        }
    }

    /// Forget the token of `generation` (the API refused it); a newer one is kept.
    async fn invalidate(&self, generation: u64) {
        let mut slot = self.slot.lock().await;
        if slot.as_ref().is_some_and(|c| c.generation == generation) {
            *slot = None;
        }
    }

    /// How long until the cached token is renewed (`None`: no token yet).
    pub async fn renews_in(&self) -> Option<Duration> {
        let slot = self.slot.lock().await;
        slot.as_ref()
            .map(|c| c.refresh_at.saturating_duration_since(Instant::now()))
    }

    /// Forget whatever token is cached.
    pub async fn clear(&self) {
        *self.slot.lock().await = None;
    }
}

impl fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenCache")
            .field("fetches", &self.fetch_count())
            .finish_non_exhaustive()
    }
}

// ---------------------------------------------------------------------------------------
// Request budget

/// A sliding one-minute budget of requests (per token). [`RequestBudget::acquire`] waits when
/// it is spent or while the platform said to pause; [`RequestBudget::interval_for`] tells a
/// source how far to stretch its refresh so it never gets there.
#[derive(Debug)]
pub struct RequestBudget {
    per_minute: u32,
    state: Mutex<BudgetState>,
}

#[derive(Debug, Default)]
struct BudgetState {
    sent: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

const WINDOW: Duration = Duration::from_secs(60);
/// Never pause longer than this on a header's say-so (a bogus header must not stall us;
/// the engine probes again at its `Retry-After` cap).
const MAX_PAUSE: Duration = crate::source::feed::RETRY_AFTER_CAP;

impl RequestBudget {
    pub fn new(per_minute: u32) -> RequestBudget {
        RequestBudget {
            per_minute: per_minute.max(1),
            state: Mutex::new(BudgetState::default()),
        }
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BudgetState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Requests sent in the last minute.
    pub fn used_last_minute(&self) -> u32 {
        let mut s = self.lock();
        prune(&mut s.sent, Instant::now());
        s.sent.len() as u32
    }

    /// Stop sending until `dur` from now (e.g. the platform's rate-limit window resets).
    pub fn pause_for(&self, dur: Duration) {
        let until = Instant::now() + dur.min(MAX_PAUSE);
        let mut s = self.lock();
        if s.paused_until.is_none_or(|p| p < until) {
            s.paused_until = Some(until);
        }
    }

    /// The refresh interval to use: `wanted`, stretched so that `requests_per_cycle`
    /// requests each cycle stay within the budget.
    pub fn interval_for(&self, requests_per_cycle: f64, wanted: Duration) -> Duration {
        let needed = Duration::from_secs_f64(
            (requests_per_cycle.max(0.0) * 60.0 / f64::from(self.per_minute)).min(3600.0),
        );
        wanted.max(needed)
    }

    /// Wait for a slot, then take it.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut s = self.lock();
                let now = Instant::now();
                prune(&mut s.sent, now);
                match s.paused_until {
                    Some(p) if p > now => p - now,
                    _ if (s.sent.len() as u32) < self.per_minute => {
                        s.paused_until = None;
                        s.sent.push_back(now);
                        return;
                    }
                    _ => s
                        .sent
                        .front()
                        .map(|t| (*t + WINDOW).saturating_duration_since(now))
                        .unwrap_or(Duration::from_millis(10)),
                }
            };
            tracing::debug!(
                wait_ms = wait.as_millis() as u64,
                "request budget spent; waiting"
            );
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }
}

fn prune(sent: &mut VecDeque<Instant>, now: Instant) {
    while sent
        .front()
        .is_some_and(|t| now.duration_since(*t) >= WINDOW)
    {
        sent.pop_front();
    }
}

/// Names of a platform's rate-limit headers (requests used in the window, allowed in the
/// window, seconds until the window resets). Genesys: `inin-ratelimit-count`,
/// `inin-ratelimit-allowed`, `inin-ratelimit-reset`.
#[derive(Clone, Debug, PartialEq)]
pub struct RateLimitHeaders {
    pub used: String,
    pub allowed: String,
    pub reset_s: String,
    /// Pause when fewer than this fraction of `allowed` is left (e.g. 0.05).
    pub reserve_fraction: f64,
}

/// The last rate-limit figures the platform sent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateInfo {
    pub used: u64,
    pub allowed: u64,
    pub reset: Duration,
    pub seen_at: Instant,
}

// ---------------------------------------------------------------------------------------
// The shared core: one reqwest client, retries, error mapping.

#[derive(Clone)]
struct Core {
    http: reqwest::Client,
    settings: HttpSettings,
    redactor: Redactor,
    sent: Arc<AtomicU64>,
}

/// A reply the core did not turn into an error itself (success or a non-retryable status).
struct Reply {
    status: StatusCode,
    body: Vec<u8>,
}

/// What the core needs to know about one call.
struct CallCtx<'a> {
    method: Method,
    url: &'a str,
    /// `METHOD /path` for messages (no query string, no secrets).
    what: String,
    host: String,
}

impl Core {
    fn new(settings: HttpSettings, redactor: Redactor) -> Result<Core, SourceError> {
        Core::build(settings, redactor, false)
    }

    /// The same settings, secrets and counter over an HTTP/1.1-only connection: token
    /// endpoints are not trusted with HTTP/2 (one integrator reports it failing; it costs
    /// nothing to avoid).
    fn for_login(&self) -> Result<Core, SourceError> {
        let mut c = Core::build(self.settings.clone(), self.redactor.clone(), true)?;
        c.sent = self.sent.clone();
        Ok(c)
    }

    fn build(settings: HttpSettings, redactor: Redactor, http1: bool) -> Result<Core, SourceError> {
        let mut b = reqwest::Client::builder();
        if http1 {
            b = b.http1_only();
        }
        let http = b
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            .user_agent(settings.user_agent.clone())
            .https_only(false) // http:// is allowed for loopback only; checked per URL
            // Redirects are never followed: a token request's body or a bearer token must
            // not be re-sent to wherever a response points. A 3xx is an error instead.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| SourceError::Fatal(format!("cannot build the HTTP client: {e}")))?;
        Ok(Core {
            http,
            settings,
            redactor,
            sent: Arc::new(AtomicU64::new(0)),
        })
    }

    /// Send with retries. `make` builds the request for one attempt, given the bearer token
    /// (when `auth` is set). Returns success and non-retryable statuses as a [`Reply`].
    async fn send(
        &self,
        ctx: &CallCtx<'_>,
        make: &(dyn Fn(&reqwest::Client, Option<&Secret>) -> RequestBuilder + Send + Sync),
        auth: Option<(&TokenCache, &LoginHttp)>,
        budget: Option<&RequestBudget>,
        rate_headers: Option<&RateLimitHeaders>,
        rate_info: Option<&Mutex<Option<RateInfo>>>,
    ) -> Result<Reply, SourceError> {
        let policy = &self.settings.retry;
        // Every URL actually requested obeys the https-except-loopback rule, whatever
        // built it (configuration, discovery, a paging link).
        check_url(ctx.url).map_err(|m| {
            SourceError::Fatal(format!("{} on {}: refused: {m}", ctx.what, ctx.host))
        })?;
        let deadline = Instant::now() + self.settings.deadline;
        let gave_up = |last: SourceError| -> SourceError {
            SourceError::Transient(format!(
                "{} on {}: no usable answer within {} s, the deadline of one call ({last})",
                ctx.what,
                ctx.host,
                self.settings.deadline.as_secs()
            ))
        };
        let mut attempt: u32 = 0;
        let mut auth_retried = false;
        loop {
            attempt += 1;
            if let Some(b) = budget {
                let left = deadline.saturating_duration_since(Instant::now());
                if tokio::time::timeout(left, b.acquire()).await.is_err() {
                    return Err(gave_up(SourceError::Transient(
                        "waiting for the request budget".into(),
                    )));
                }
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(gave_up(SourceError::Transient("no time left".into())));
            }
            let token = match auth {
                Some((cache, login)) => Some(cache.get(login).await?),
                None => None,
            };
            let rb = make(&self.http, token.as_ref().map(|(t, _)| t))
                .header(ACCEPT, "application/json")
                .timeout(left.min(self.settings.timeout));
            self.sent.fetch_add(1, Ordering::Relaxed);
            let resp = match rb.send().await {
                Ok(r) => r,
                Err(e) => {
                    let err = self.transport_error(ctx, &e);
                    let wait = policy.backoff(attempt);
                    if attempt < policy.max_attempts {
                        if Instant::now() + wait >= deadline {
                            return Err(gave_up(err));
                        }
                        tracing::debug!(call = %ctx.what, attempt, wait_ms = wait.as_millis() as u64, error = %err, "retrying after a network error");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(err);
                }
            };
            let status = resp.status();
            let headers = resp.headers().clone();
            if let (Some(names), Some(b)) = (rate_headers, budget) {
                observe_rate_headers(&headers, names, b, rate_info);
            }
            let retry_after = parse_retry_after(&headers);
            if matches!(status.as_u16(), 301 | 302 | 303 | 307 | 308) {
                // Not followed (see `Core::new`); the Location is not echoed either.
                return Err(SourceError::Fatal(format!(
                    "{} on {}: the server answered with a redirect (HTTP {}); redirects are not followed, so credentials never go to another address — check the URL in the configuration",
                    ctx.what,
                    ctx.host,
                    status.as_u16()
                )));
            }
            let body = match read_body(resp, self.settings.max_body_bytes).await {
                Ok(b) => b,
                Err(BodyError::TooLarge) => {
                    return Err(SourceError::Malformed(format!(
                        "{} on {}: the answer is larger than {} MiB; refused",
                        ctx.what,
                        ctx.host,
                        self.settings.max_body_bytes / (1024 * 1024)
                    )));
                }
                Err(BodyError::Transport(e)) => {
                    let err = self.transport_error(ctx, &e);
                    let wait = policy.backoff(attempt);
                    if attempt < policy.max_attempts && Instant::now() + wait < deadline {
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    return Err(err);
                }
            };

            if status == StatusCode::UNAUTHORIZED
                && let (Some((cache, _)), Some((_, generation))) = (auth, token.as_ref())
                && !auth_retried
            {
                // The token expired or was revoked early: one new token, one more try.
                tracing::info!(call = %ctx.what, "access token refused; fetching a new one");
                cache.invalidate(*generation).await;
                auth_retried = true;
                attempt -= 1;
                continue;
            }

            let rate_limited = status == StatusCode::TOO_MANY_REQUESTS
                || (status == StatusCode::SERVICE_UNAVAILABLE && retry_after.is_some());
            if rate_limited {
                let wait = retry_after
                    .unwrap_or_else(|| policy.backoff(attempt).max(Duration::from_secs(3)));
                if let Some(b) = budget {
                    b.pause_for(wait);
                }
                if attempt < policy.max_attempts
                    && wait <= policy.max_retry_after
                    && Instant::now() + wait < deadline
                {
                    tracing::info!(call = %ctx.what, status = status.as_u16(), wait_s = wait.as_secs_f64(), "platform asked to wait; retrying");
                    // The budget pause (if any) already makes `acquire` wait; sleep anyway
                    // for clients without a budget.
                    tokio::time::sleep(wait).await;
                    continue;
                }
                return Err(if status == StatusCode::TOO_MANY_REQUESTS {
                    SourceError::RateLimited { retry_after: wait }
                } else {
                    SourceError::Transient(format!(
                        "{} on {}: service unavailable (HTTP 503); retry in {}s",
                        ctx.what,
                        ctx.host,
                        wait.as_secs()
                    ))
                });
            }

            if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT {
                let err = SourceError::Transient(self.redactor.scrub(&format!(
                        "{} on {}: server error HTTP {}{}",
                        ctx.what,
                        ctx.host,
                        status.as_u16(),
                        body_summary(&self.redactor, &body)
                            .map(|m| format!(" ({m})"))
                            .unwrap_or_default()
                    )));
                let wait = policy.backoff(attempt).max(retry_after.unwrap_or_default());
                if attempt < policy.max_attempts && Instant::now() + wait < deadline {
                    tracing::debug!(call = %ctx.what, attempt, status = status.as_u16(), "retrying after a server error");
                    tokio::time::sleep(wait).await;
                    continue;
                }
                return Err(err);
            }
            return Ok(Reply { status, body });
        }
    }

    fn transport_error(&self, ctx: &CallCtx<'_>, e: &reqwest::Error) -> SourceError {
        let detail = error_chain(e);
        let lower = detail.to_ascii_lowercase();
        let msg = if e.is_timeout() {
            format!(
                "{} on {}: no answer within {}s (timeout)",
                ctx.what,
                ctx.host,
                self.settings.timeout.as_secs_f64()
            )
        } else if lower.contains("dns error")
            || lower.contains("failed to lookup")
            || lower.contains("name or service not known")
            || lower.contains("no such host")
        {
            format!(
                "unknown host {}: check the region / URL in the configuration ({})",
                ctx.host, detail
            )
        } else if e.is_connect() {
            format!(
                "cannot connect to {} ({}): check the network, proxy and URL",
                ctx.host, detail
            )
        } else {
            format!("{} on {}: network error ({})", ctx.what, ctx.host, detail)
        };
        SourceError::Transient(self.redactor.scrub(&msg))
    }
}

enum BodyError {
    TooLarge,
    Transport(reqwest::Error),
}

/// The body, read chunk by chunk and never past `cap` bytes (a `Content-Length` over the cap
/// is refused before reading; an endless chunked body is cut at the cap).
async fn read_body(mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, BodyError> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err(BodyError::TooLarge);
    }
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Transport)? {
        if out.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Every cause of an error, joined (reqwest's top-level message alone says little).
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![];
    let mut cur: Option<&(dyn std::error::Error + 'static)> = e.source();
    while let Some(c) = cur {
        let s = c.to_string();
        if !parts.contains(&s) {
            parts.push(s);
        }
        cur = c.source();
    }
    if parts.is_empty() {
        // Strip the URL reqwest puts in its own message; the caller names the host.
        let top = e.to_string();
        return top.split(" for url").next().unwrap_or(&top).to_string();
    }
    parts.join(": ")
}

fn observe_rate_headers(
    headers: &HeaderMap,
    names: &RateLimitHeaders,
    budget: &RequestBudget,
    info: Option<&Mutex<Option<RateInfo>>>,
) {
    let num = |name: &str| -> Option<u64> {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    let (Some(used), Some(allowed)) = (num(&names.used), num(&names.allowed)) else {
        return;
    };
    let reset = Duration::from_secs(num(&names.reset_s).unwrap_or(60));
    if let Some(slot) = info {
        *slot.lock().unwrap_or_else(|e| e.into_inner()) = Some(RateInfo {
            used,
            allowed,
            reset,
            seen_at: Instant::now(),
        });
    }
    let reserve = (allowed as f64 * names.reserve_fraction).ceil() as u64;
    if allowed > 0 && used + reserve >= allowed {
        tracing::info!(
            used,
            allowed,
            reset_s = reset.as_secs(),
            "platform rate limit nearly spent; pausing"
        );
        budget.pause_for(reset);
    }
}

/// `Retry-After` as a duration: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    parse_retry_after_value(v, chrono::Utc::now())
}

/// Parse a `Retry-After` value relative to `now`.
pub fn parse_retry_after_value(v: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs.min(24 * 3600)));
    }
    if let Ok(secs) = v.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        return Some(Duration::from_secs_f64(secs.min(86400.0)));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let delta = at.with_timezone(&chrono::Utc) - now;
    Some(delta.to_std().unwrap_or(Duration::ZERO))
}

/// A short, human summary of an error body: common JSON message fields, else the text.
/// Secrets are scrubbed before anything is cut (a cut must not leave half a token).
fn body_summary(r: &Redactor, body: &[u8]) -> Option<String> {
    if body.is_empty() {
        return None;
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) {
        for key in [
            "message",
            "error_description",
            "description",
            "error",
            "code",
        ] {
            if let Some(s) = v.get(key).and_then(|x| x.as_str())
                && !s.trim().is_empty()
            {
                return Some(truncate(&r.scrub(s.trim()), 300));
            }
        }
        return None;
    }
    let text = String::from_utf8_lossy(body);
    let t = text.trim();
    // An HTML error page says nothing useful in a status line.
    if t.is_empty() || t.starts_with('<') {
        return None;
    }
    Some(truncate(&r.scrub(t), 200))
}

/// At most `max` characters of `s`, with an ellipsis when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max).collect();
    out.push('…');
    out
}

/// Permission names (`domain:entity:action`) mentioned anywhere in an error body.
pub fn permissions_in(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let mut out: Vec<String> = vec![];
    for word in
        text.split(|c: char| !(c.is_ascii_alphanumeric() || c == ':' || c == '_' || c == '*'))
    {
        let parts: Vec<&str> = word.split(':').collect();
        let looks_like = parts.len() == 3
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic() || c == '*')
            });
        if looks_like && !out.iter().any(|w| w == word) {
            out.push(word.to_string());
        }
    }
    out
}

fn host_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.host_str().map(|h| match u.port() {
                Some(p) => format!("{h}:{p}"),
                None => h.to_string(),
            })
        })
        .unwrap_or_else(|| "the server".to_string())
}

fn path_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .map(|u| u.path().to_string())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Login helper (handed to token fetchers)

/// Unauthenticated, unbudgeted calls to a login server, with the same timeouts and retries.
pub struct LoginHttp {
    core: Core,
}

impl fmt::Debug for LoginHttp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LoginHttp")
    }
}

impl LoginHttp {
    /// The redactor shared with the API client (register extra secrets here).
    pub fn redactor(&self) -> &Redactor {
        &self.core.redactor
    }

    /// POST a form to an OAuth 2 token endpoint and read the standard token response
    /// (`access_token`, `expires_in`). `basic` = HTTP Basic credentials.
    pub async fn oauth_token(
        &self,
        token_url: &str,
        basic: Option<(&str, &Secret)>,
        form: &[(&str, &str)],
    ) -> Result<AccessToken, SourceError> {
        let v: serde_json::Value = self.post_form_json(token_url, basic, form).await?;
        let token = v
            .get("access_token")
            .and_then(|t| t.as_str())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                SourceError::Malformed(format!(
                    "the token response from {} has no access_token",
                    host_of(token_url)
                ))
            })?;
        let expires_in = v
            .get("expires_in")
            .and_then(|e| {
                e.as_f64()
                    .or_else(|| e.as_str().and_then(|s| s.parse().ok()))
            })
            .filter(|e| e.is_finite() && *e > 0.0)
            .map(|e| Duration::from_secs_f64(e.min(365.0 * 86400.0)));
        self.core.redactor.add(token);
        Ok(AccessToken {
            token: Secret::new(token),
            expires_in,
        })
    }

    /// POST a form and parse a JSON answer. 400/401 answers become [`SourceError::Auth`]
    /// ("check client_id and the secret"): that is what token endpoints answer to bad
    /// credentials.
    pub async fn post_form_json<T: DeserializeOwned>(
        &self,
        url: &str,
        basic: Option<(&str, &Secret)>,
        form: &[(&str, &str)],
    ) -> Result<T, SourceError> {
        check_url(url).map_err(|m| SourceError::Fatal(format!("login URL refused: {m}")))?;
        let ctx = CallCtx {
            method: Method::POST,
            url,
            what: format!("POST {}", path_of(url)),
            host: host_of(url),
        };
        let form: Vec<(String, String)> = form
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let basic = basic.map(|(id, s)| (id.to_string(), s.clone()));
        if let Some((id, secret)) = &basic {
            // A server may echo the Authorization header: its value is a secret too.
            use base64::Engine as _;
            let pair = format!("{id}:{}", secret.expose());
            self.core
                .redactor
                .add(&base64::engine::general_purpose::STANDARD.encode(pair));
        }
        let make = move |http: &reqwest::Client, _t: Option<&Secret>| {
            let mut rb = http.request(Method::POST, url).form(&form);
            if let Some((id, secret)) = &basic {
                rb = rb.basic_auth(id, Some(secret.expose()));
            }
            rb
        };
        let reply = self.core.send(&ctx, &make, None, None, None, None).await?;
        let r = &self.core.redactor;
        if reply.status.is_success() {
            return serde_json::from_slice(&reply.body).map_err(|e| {
                SourceError::Malformed(format!(
                    "{} on {}: {}",
                    ctx.what,
                    ctx.host,
                    e.classify_msg()
                ))
            });
        }
        let summary = body_summary(r, &reply.body).unwrap_or_default();
        let code = serde_json::from_slice::<serde_json::Value>(&reply.body)
            .ok()
            .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
            .unwrap_or_default();
        let detail = match (code.is_empty(), summary.is_empty()) {
            (false, false) if code != summary => format!(" ({code}: {summary})"),
            (false, _) => format!(" ({code})"),
            (true, false) => format!(" ({summary})"),
            (true, true) => String::new(),
        };
        let msg = r.scrub(&format!(
            "{} refused the client credentials, HTTP {}{detail}: check client_id and the secret",
            ctx.host,
            reply.status.as_u16()
        ));
        Err(match reply.status.as_u16() {
            400 | 401 => SourceError::Auth(msg),
            403 => SourceError::Permission(r.scrub(&format!(
                "{} refused the token request, HTTP 403{detail}: check the OAuth client's grant type and roles",
                ctx.host
            ))),
            404 => SourceError::Fatal(format!(
                "{} has no token endpoint at {}: check the login URL / region",
                ctx.host,
                path_of(url)
            )),
            s => SourceError::Fatal(r.scrub(&format!("{} on {}: HTTP {s}{detail}", ctx.what, ctx.host))),
        })
    }
}

/// Pages read from one paged listing at most: a guard against a server that never ends.
pub const MAX_PAGES: usize = 200;

/// Parse a JSON answer; the error names the call and the JSON problem, never the data
/// (which could hold a token or personal data).
pub fn parse_json<T: DeserializeOwned>(
    method: &Method,
    path: &str,
    body: &[u8],
) -> Result<T, SourceError> {
    serde_json::from_slice(body).map_err(|e| {
        SourceError::Malformed(format!(
            "{method} {} answered {}",
            strip_query(path),
            e.classify_msg()
        ))
    })
}

/// serde_json error text without echoing the data it choked on (could be a token).
trait ClassifyMsg {
    fn classify_msg(&self) -> String;
}

impl ClassifyMsg for serde_json::Error {
    fn classify_msg(&self) -> String {
        use serde_json::error::Category;
        match self.classify() {
            Category::Io => "read error".into(),
            Category::Syntax => {
                format!("not JSON (line {}, column {})", self.line(), self.column())
            }
            Category::Eof => "truncated JSON".into(),
            Category::Data => format!(
                "JSON of an unexpected shape (line {}, column {})",
                self.line(),
                self.column()
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The API client

/// A JSON API client for one base URL. Cheap to clone (shared state).
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

struct Inner {
    base_url: String,
    core: Core,
    login: LoginHttp,
    auth: Option<TokenCache>,
    budget: Option<RequestBudget>,
    rate_headers: Option<RateLimitHeaders>,
    rate_info: Mutex<Option<RateInfo>>,
}

impl fmt::Debug for HttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClient")
            .field("base_url", &self.inner.base_url)
            .field("auth", &self.inner.auth.is_some())
            .field(
                "budget_per_minute",
                &self.inner.budget.as_ref().map(|b| b.per_minute()),
            )
            .finish_non_exhaustive()
    }
}

/// Builds an [`HttpClient`].
pub struct HttpClientBuilder {
    base_url: String,
    settings: HttpSettings,
    fetcher: Option<Box<dyn FnOnce() -> TokenCache + Send>>,
    budget_per_minute: Option<u32>,
    rate_headers: Option<RateLimitHeaders>,
    redactor: Redactor,
}

impl fmt::Debug for HttpClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpClientBuilder")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl HttpClientBuilder {
    pub fn settings(mut self, s: HttpSettings) -> Self {
        self.settings = s;
        self
    }
    /// Authenticate every call with tokens from `fetcher` (cached, refreshed ahead).
    pub fn token_fetcher(mut self, fetcher: impl TokenFetcher) -> Self {
        self.fetcher = Some(Box::new(move || TokenCache::new(fetcher)));
        self
    }
    /// Keep under `n` requests per rolling minute.
    pub fn budget_per_minute(mut self, n: u32) -> Self {
        self.budget_per_minute = Some(n);
        self
    }
    /// Read the platform's rate-limit headers (needs a budget to pause).
    pub fn rate_limit_headers(mut self, h: RateLimitHeaders) -> Self {
        self.rate_headers = Some(h);
        self
    }
    /// Never let `secret` appear in an error or log line.
    pub fn redact(self, secret: &Secret) -> Self {
        self.redactor.add(secret.expose());
        self
    }
    /// Share a redactor (e.g. with another client of the same source).
    pub fn redactor(mut self, r: Redactor) -> Self {
        self.redactor = r;
        self
    }

    pub fn build(self) -> Result<HttpClient, SourceError> {
        let base_url = self.base_url.trim().trim_end_matches('/').to_string();
        check_url(&base_url).map_err(|m| {
            SourceError::Fatal(format!(
                "API URL refused: {m} (use https://, or http:// only for 127.0.0.1, ::1 or localhost)"
            ))
        })?;
        reqwest::Url::parse(&base_url)
            .map_err(|e| SourceError::Fatal(format!("API URL {base_url:?} is not valid: {e}")))?;
        let core = Core::new(self.settings, self.redactor)?;
        Ok(HttpClient {
            inner: Arc::new(Inner {
                base_url,
                login: LoginHttp {
                    core: core.for_login()?,
                },
                core,
                auth: self.fetcher.map(|f| f()),
                budget: self.budget_per_minute.map(RequestBudget::new),
                rate_headers: self.rate_headers,
                rate_info: Mutex::new(None),
            }),
        })
    }
}

impl HttpClient {
    pub fn builder(base_url: impl Into<String>) -> HttpClientBuilder {
        HttpClientBuilder {
            base_url: base_url.into(),
            settings: HttpSettings::default(),
            fetcher: None,
            budget_per_minute: None,
            rate_headers: None,
            redactor: Redactor::new(),
        }
    }

    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// Requests sent so far (every attempt counts; token requests included).
    pub fn requests_sent(&self) -> u64 {
        self.inner.core.sent.load(Ordering::Relaxed)
    }

    /// Tokens fetched so far (0 without a token fetcher).
    pub fn token_fetches(&self) -> u64 {
        self.inner.auth.as_ref().map_or(0, TokenCache::fetch_count)
    }

    pub fn budget(&self) -> Option<&RequestBudget> {
        self.inner.budget.as_ref()
    }

    pub fn redactor(&self) -> &Redactor {
        &self.inner.core.redactor
    }

    pub fn settings(&self) -> &HttpSettings {
        &self.inner.core.settings
    }

    /// The platform's last rate-limit figures, if it sends any.
    pub fn rate_info(&self) -> Option<RateInfo> {
        *self
            .inner
            .rate_info
            .lock()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// How long until the current token is renewed (`None` without tokens): what was made
    /// with it (a notification channel) should be made again by then.
    pub async fn token_renews_in(&self) -> Option<Duration> {
        match &self.inner.auth {
            Some(a) => a.renews_in().await,
            None => None,
        }
    }

    /// Make sure a token can be had now (e.g. to check credentials at start-up).
    pub async fn authenticate(&self) -> Result<(), SourceError> {
        match &self.inner.auth {
            Some(a) => a.get(&self.inner.login).await.map(|_| ()),
            None => Ok(()),
        }
    }

    /// `GET base/path?query` → `T`.
    pub async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<T, SourceError> {
        let body = self.call(Method::GET, path, query, None).await?;
        self.parse(&Method::GET, path, &body)
    }

    /// `POST base/path?query` with a JSON body → `T`.
    pub async fn post_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &B,
    ) -> Result<T, SourceError> {
        let json = serde_json::to_vec(body).map_err(|e| {
            SourceError::Fatal(format!("cannot encode the request for {path}: {e}"))
        })?;
        let body = self.call(Method::POST, path, query, Some(json)).await?;
        self.parse(&Method::POST, path, &body)
    }

    /// `PUT base/path?query` with a JSON body → `T`.
    pub async fn put_json<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        body: &B,
    ) -> Result<T, SourceError> {
        let json = serde_json::to_vec(body).map_err(|e| {
            SourceError::Fatal(format!("cannot encode the request for {path}: {e}"))
        })?;
        let body = self.call(Method::PUT, path, query, Some(json)).await?;
        self.parse(&Method::PUT, path, &body)
    }

    /// `POST base/path` without a body → `T`.
    pub async fn post_empty<T: DeserializeOwned>(&self, path: &str) -> Result<T, SourceError> {
        let body = self.call(Method::POST, path, &[], None).await?;
        self.parse(&Method::POST, path, &body)
    }

    fn parse<T: DeserializeOwned>(
        &self,
        method: &Method,
        path: &str,
        body: &[u8],
    ) -> Result<T, SourceError> {
        parse_json(method, path, body)
    }

    /// Send one call (retries, auth, budget included) and return the success body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        json_body: Option<Vec<u8>>,
    ) -> Result<Vec<u8>, SourceError> {
        let (status, body) = self
            .call_with_status(method.clone(), path, query, json_body)
            .await?;
        if status.is_success() {
            return Ok(body);
        }
        Err(self.status_error(&method, path, status, &body))
    }

    /// Like [`HttpClient::call`], but the final status (after retries and the one 401
    /// renewal) is handed back with the body instead of a non-2xx status being mapped to an
    /// error: for callers that give a status a meaning of their own (CXone: 304 = "no
    /// change"; 404 on the versioned base = API version not supported). Use
    /// [`HttpClient::status_error`] for the statuses they do not handle.
    pub async fn call_with_status(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        json_body: Option<Vec<u8>>,
    ) -> Result<(StatusCode, Vec<u8>), SourceError> {
        let inner = &self.inner;
        let url = join_url(&inner.base_url, path);
        let ctx = CallCtx {
            method: method.clone(),
            url: &url,
            what: format!("{method} {}", strip_query(path)),
            host: host_of(&url),
        };
        let query: Vec<(String, String)> = query
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let make = |http: &reqwest::Client, token: Option<&Secret>| {
            let mut rb = http.request(ctx.method.clone(), ctx.url);
            if !query.is_empty() {
                rb = rb.query(&query);
            }
            if let Some(t) = token {
                rb = rb.bearer_auth(t.expose());
            }
            if let Some(b) = &json_body {
                rb = rb
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(b.clone());
            }
            rb
        };
        let auth = inner.auth.as_ref().map(|a| (a, &inner.login));
        let reply = inner
            .core
            .send(
                &ctx,
                &make,
                auth,
                inner.budget.as_ref(),
                inner.rate_headers.as_ref(),
                Some(&inner.rate_info),
            )
            .await
            .map_err(|e| inner.core.redactor.scrub_error(e))?;
        Ok((reply.status, reply.body))
    }

    /// The (scrubbed) error [`HttpClient::call`] gives for a final non-2xx `status`.
    pub fn status_error(
        &self,
        method: &Method,
        path: &str,
        status: StatusCode,
        body: &[u8],
    ) -> SourceError {
        let url = join_url(&self.inner.base_url, path);
        let ctx = CallCtx {
            method: method.clone(),
            url: &url,
            what: format!("{method} {}", strip_query(path)),
            host: host_of(&url),
        };
        self.inner.core.redactor.scrub_error(api_error(
            &self.inner.core.redactor,
            &ctx,
            status,
            body,
        ))
    }
}

/// Map a non-retryable API status to an error that says what to do.
fn api_error(r: &Redactor, ctx: &CallCtx<'_>, status: StatusCode, body: &[u8]) -> SourceError {
    let summary = body_summary(r, body)
        .map(|m| format!(": {m}"))
        .unwrap_or_default();
    match status.as_u16() {
        401 => SourceError::Auth(format!(
            "{} refused the access token twice{summary}: check client_id and the secret, and that the OAuth client is active",
            ctx.host
        )),
        403 => {
            let perms = permissions_in(body);
            if perms.is_empty() {
                SourceError::Permission(format!(
                    "{} is not allowed{summary}: check the roles of the OAuth client",
                    ctx.what
                ))
            } else {
                SourceError::Permission(format!(
                    "{} needs permission {}: add it to a role of the OAuth client",
                    ctx.what,
                    perms.join(", ")
                ))
            }
        }
        404 => SourceError::Fatal(format!(
            "{} on {}: not found (HTTP 404){summary}: check the URL / region",
            ctx.what, ctx.host
        )),
        s => SourceError::Fatal(format!("{} on {}: HTTP {s}{summary}", ctx.what, ctx.host)),
    }
}

fn strip_query(path: &str) -> &str {
    path.split('?').next().unwrap_or(path)
}

fn join_url(base: &str, path: &str) -> String {
    if path.starts_with("http://") || path.starts_with("https://") {
        return path.to_string();
    }
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    //! A tiny scripted HTTP server on 127.0.0.1 (tokio only, so this file stays portable).
    use super::*;
    use std::sync::atomic::AtomicUsize;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpListener;

    /// One scripted answer: status, extra headers, body, delay before answering.
    #[derive(Clone)]
    struct Canned {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: String,
        delay: Duration,
    }

    fn ok(body: &str) -> Canned {
        Canned {
            status: 200,
            headers: vec![],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }
    fn status(s: u16, body: &str) -> Canned {
        Canned {
            status: s,
            headers: vec![],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    #[derive(Default)]
    struct Log {
        requests: Mutex<Vec<String>>,
    }

    /// Serve `script` in order (the last answer repeats). Returns the base URL and log.
    async fn serve(script: Vec<Canned>) -> (String, Arc<Log>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Log::default());
        let n = Arc::new(AtomicUsize::new(0));
        let log2 = log.clone();
        tokio::spawn(async move {
            loop {
                let Ok((mut sock, _)) = listener.accept().await else {
                    return;
                };
                let i = n.fetch_add(1, Ordering::SeqCst);
                let c = script[i.min(script.len() - 1)].clone();
                let log = log2.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 65536];
                    let mut got = 0;
                    // Read until the end of headers and the declared body.
                    loop {
                        let Ok(k) = sock.read(&mut buf[got..]).await else {
                            return;
                        };
                        if k == 0 {
                            return;
                        }
                        got += k;
                        let text = String::from_utf8_lossy(&buf[..got]).to_string();
                        if let Some(end) = text.find("\r\n\r\n") {
                            let len = text
                                .lines()
                                .find_map(|l| {
                                    l.to_ascii_lowercase()
                                        .strip_prefix("content-length:")
                                        .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                                })
                                .unwrap_or(0);
                            if got >= end + 4 + len {
                                log.requests.lock().unwrap().push(text);
                                break;
                            }
                        }
                    }
                    tokio::time::sleep(c.delay).await;
                    let mut resp = format!(
                        "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n",
                        c.status,
                        c.body.len()
                    );
                    for (k, v) in &c.headers {
                        resp.push_str(&format!("{k}: {v}\r\n"));
                    }
                    resp.push_str("\r\n");
                    resp.push_str(&c.body);
                    let _ = sock.write_all(resp.as_bytes()).await;
                    let _ = sock.shutdown().await;
                });
            }
        });
        (format!("http://{addr}"), log)
    }

    fn fast() -> HttpSettings {
        HttpSettings {
            timeout: Duration::from_millis(500),
            connect_timeout: Duration::from_millis(500),
            retry: RetryPolicy {
                max_attempts: 3,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(40),
                max_retry_after: Duration::from_secs(5),
            },
            user_agent: "test".into(),
            ..HttpSettings::default()
        }
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Pong {
        pong: u32,
    }

    #[test]
    fn refuses_plain_http_to_remote_hosts() {
        let e = HttpClient::builder("http://api.example.com")
            .build()
            .unwrap_err();
        assert!(matches!(e, SourceError::Fatal(m) if m.contains("plain http")));
        assert!(HttpClient::builder("http://127.0.0.1:9").build().is_ok());
        assert!(
            HttpClient::builder("https://api.example.com/")
                .build()
                .is_ok()
        );
    }

    #[test]
    fn retry_after_forms() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(
            parse_retry_after_value("12", now),
            Some(Duration::from_secs(12))
        );
        assert_eq!(
            parse_retry_after_value("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after_value("Wed, 21 Oct 2015 07:27:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after_value("soon", now), None);
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let p = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_retry_after: Duration::from_secs(1),
        };
        for attempt in 1..12 {
            let d = p.backoff(attempt);
            assert!(d <= Duration::from_secs(1), "{d:?}");
            let full = (Duration::from_millis(100) * (1 << (attempt - 1).min(16)))
                .min(Duration::from_secs(1));
            assert!(d >= full / 2, "{attempt}: {d:?}");
        }
    }

    #[test]
    fn redactor_scrubs_and_permissions_found() {
        let r = Redactor::new();
        r.add("s3cr3t-value");
        r.add("ab"); // too short: ignored
        assert_eq!(r.scrub("x s3cr3t-value y ab"), "x *** y ab");
        let body = br#"{"message":"You are missing the following permission(s): analytics:queueObservation:view","code":"missing.permissions"}"#;
        assert_eq!(
            permissions_in(body),
            vec!["analytics:queueObservation:view"]
        );
        assert!(permissions_in(b"time 12:30:00 is not one").is_empty());
    }

    #[test]
    fn budget_stretches_interval() {
        let b = RequestBudget::new(240);
        assert_eq!(
            b.interval_for(10.0, Duration::from_secs(5)),
            Duration::from_secs(5)
        );
        assert_eq!(
            b.interval_for(40.0, Duration::from_secs(5)),
            Duration::from_secs(10)
        );
    }

    #[tokio::test]
    async fn budget_waits_when_spent() {
        let b = RequestBudget::new(3);
        for _ in 0..3 {
            b.acquire().await;
        }
        assert_eq!(b.used_last_minute(), 3);
        let waited = tokio::time::timeout(Duration::from_millis(100), b.acquire()).await;
        assert!(waited.is_err(), "a fourth request must wait for the window");
        b.pause_for(Duration::from_millis(1)); // pauses do not unblock a spent window
        assert_eq!(b.used_last_minute(), 3);
    }

    #[tokio::test]
    async fn get_json_ok_and_malformed() {
        let (url, _) = serve(vec![ok(r#"{"pong":7,"extra":true}"#), ok("{not json")]).await;
        let c = HttpClient::builder(&url).settings(fast()).build().unwrap();
        let p: Pong = c.get_json("/ping", &[]).await.unwrap();
        assert_eq!(p, Pong { pong: 7 });
        let e = c.get_json::<Pong>("/ping", &[]).await.unwrap_err();
        assert!(matches!(e, SourceError::Malformed(_)), "{e:?}");
    }

    #[tokio::test]
    async fn retries_5xx_then_succeeds_and_gives_up_after_max() {
        let (url, log) = serve(vec![
            status(502, ""),
            status(500, "{}"),
            ok(r#"{"pong":1}"#),
        ])
        .await;
        let c = HttpClient::builder(&url).settings(fast()).build().unwrap();
        let p: Pong = c.get_json("/x", &[]).await.unwrap();
        assert_eq!(p.pong, 1);
        assert_eq!(log.requests.lock().unwrap().len(), 3);

        let (url, log) = serve(vec![status(503, "")]).await;
        let c = HttpClient::builder(&url).settings(fast()).build().unwrap();
        let e = c.get_json::<Pong>("/x", &[]).await.unwrap_err();
        assert!(
            matches!(&e, SourceError::Transient(m) if m.contains("503")),
            "{e:?}"
        );
        assert_eq!(log.requests.lock().unwrap().len(), 3, "bounded attempts");
    }

    #[tokio::test]
    async fn honours_retry_after_on_429_and_503() {
        let mut r429 = status(
            429,
            r#"{"message":"Rate limit exceeded","code":"too.many.requests"}"#,
        );
        r429.headers.push(("Retry-After", "1".into()));
        let mut r503 = status(503, "");
        r503.headers.push(("retry-after", "1".into()));
        let (url, _) = serve(vec![r429, r503, ok(r#"{"pong":2}"#)]).await;
        let c = HttpClient::builder(&url)
            .settings(fast())
            .budget_per_minute(100)
            .build()
            .unwrap();
        let t0 = Instant::now();
        let p: Pong = c.get_json("/x", &[]).await.unwrap();
        assert_eq!(p.pong, 2);
        assert!(
            t0.elapsed() >= Duration::from_millis(1900),
            "waited {:?}",
            t0.elapsed()
        );
        assert!(t0.elapsed() < Duration::from_secs(10));
    }

    #[tokio::test]
    async fn long_retry_after_is_reported_not_waited() {
        let mut r = status(429, "{}");
        r.headers.push(("Retry-After", "120".into()));
        let (url, _) = serve(vec![r]).await;
        let c = HttpClient::builder(&url).settings(fast()).build().unwrap();
        let t0 = Instant::now();
        let e = c.get_json::<Pong>("/x", &[]).await.unwrap_err();
        assert_eq!(
            e,
            SourceError::RateLimited {
                retry_after: Duration::from_secs(120)
            }
        );
        assert!(t0.elapsed() < Duration::from_secs(2));
    }

    #[tokio::test]
    async fn timeout_is_retried_then_reported() {
        let mut slow = ok(r#"{"pong":3}"#);
        slow.delay = Duration::from_secs(2);
        let (url, _) = serve(vec![slow.clone(), ok(r#"{"pong":3}"#)]).await;
        let c = HttpClient::builder(&url).settings(fast()).build().unwrap();
        let p: Pong = c.get_json("/x", &[]).await.unwrap();
        assert_eq!(p.pong, 3);

        let (url, _) = serve(vec![slow]).await;
        let c = HttpClient::builder(&url).settings(fast()).build().unwrap();
        let e = c.get_json::<Pong>("/x", &[]).await.unwrap_err();
        assert!(
            matches!(&e, SourceError::Transient(m) if m.contains("timeout")),
            "{e:?}"
        );
    }

    #[tokio::test]
    async fn dead_host_and_unknown_host_messages() {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = l.local_addr().unwrap();
        drop(l);
        let c = HttpClient::builder(format!("http://{addr}"))
            .settings(fast())
            .build()
            .unwrap();
        let e = c.get_json::<Pong>("/x", &[]).await.unwrap_err();
        assert!(
            matches!(&e, SourceError::Transient(m) if m.contains("cannot connect")),
            "{e:?}"
        );

        let c = HttpClient::builder("https://no-such-host.invalid")
            .settings(fast())
            .build()
            .unwrap();
        let e = c.get_json::<Pong>("/x", &[]).await.unwrap_err();
        assert!(
            matches!(&e, SourceError::Transient(m) if m.contains("unknown host no-such-host.invalid")),
            "{e:?}"
        );
    }

    #[tokio::test]
    async fn token_cached_refreshed_once_on_401_and_redacted() {
        // Login answers: token A, then token B. API: 200, 401 (echoing the token), 200.
        let tok = |t: &str| {
            ok(&format!(
                r#"{{"access_token":"{t}","token_type":"bearer","expires_in":3600}}"#
            ))
        };
        let (login, login_log) = serve(vec![tok("tokenAAAA1111"), tok("tokenBBBB2222")]).await;
        let (api, api_log) = serve(vec![
            ok(r#"{"pong":1}"#),
            status(
                401,
                r#"{"message":"bad token tokenAAAA1111","code":"bad.credentials"}"#,
            ),
            ok(r#"{"pong":2}"#),
        ])
        .await;
        let secret = Secret::new("very-secret-value");
        let c = HttpClient::builder(&api)
            .settings(fast())
            .redact(&secret)
            .token_fetcher(ClientCredentials {
                token_url: format!("{login}/oauth/token"),
                client_id: "cid".into(),
                client_secret: secret.clone(),
                extra_form: vec![],
            })
            .build()
            .unwrap();
        let _: Pong = c.get_json("/a", &[]).await.unwrap();
        let p: Pong = c.get_json("/b", &[]).await.unwrap();
        assert_eq!(p.pong, 2);
        assert_eq!(c.token_fetches(), 2, "one new token after the 401");
        let logins = login_log.requests.lock().unwrap().clone();
        assert_eq!(logins.len(), 2);
        assert!(
            logins[0]
                .to_ascii_lowercase()
                .contains("authorization: basic ")
        );
        assert!(logins[0].contains("grant_type=client_credentials"));
        let calls = api_log.requests.lock().unwrap().clone();
        assert!(calls[0].contains("Bearer tokenAAAA1111"));
        assert!(calls[2].contains("Bearer tokenBBBB2222"));
        assert!(!format!("{c:?}").contains("very-secret-value"));
    }

    #[tokio::test]
    async fn bad_credentials_say_what_to_fix_without_the_secret() {
        let (login, _) = serve(vec![status(
            401,
            r#"{"error":"invalid_client","description":"authentication failed for very-secret-value"}"#,
        )])
        .await;
        let secret = Secret::new("very-secret-value");
        let c = HttpClient::builder("http://127.0.0.1:9")
            .settings(fast())
            .redact(&secret)
            .token_fetcher(ClientCredentials {
                token_url: format!("{login}/oauth/token"),
                client_id: "cid".into(),
                client_secret: secret,
                extra_form: vec![],
            })
            .build()
            .unwrap();
        let e = c.get_json::<Pong>("/a", &[]).await.unwrap_err();
        let text = format!("{e} {e:?}");
        assert!(matches!(e, SourceError::Auth(_)));
        assert!(text.contains("check client_id and the secret"), "{text}");
        assert!(text.contains("invalid_client"));
        assert!(!text.contains("very-secret-value"), "{text}");
    }

    #[tokio::test]
    async fn permission_error_names_the_permission() {
        let (api, _) = serve(vec![status(
            403,
            r#"{"message":"You are missing the following permission(s): analytics:queueObservation:view","code":"missing.permissions","status":403}"#,
        )])
        .await;
        let c = HttpClient::builder(&api).settings(fast()).build().unwrap();
        let e = c
            .post_json::<_, Pong>("/q", &[], &serde_json::json!({}))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, SourceError::Permission(m) if m.contains("analytics:queueObservation:view")),
            "{e:?}"
        );
    }

    #[tokio::test]
    async fn rate_headers_pause_the_budget() {
        let mut r = ok(r#"{"pong":1}"#);
        r.headers = vec![
            ("inin-ratelimit-count", "299".into()),
            ("inin-ratelimit-allowed", "300".into()),
            ("inin-ratelimit-reset", "1".into()),
        ];
        let (api, _) = serve(vec![r, ok(r#"{"pong":2}"#)]).await;
        let c = HttpClient::builder(&api)
            .settings(fast())
            .budget_per_minute(100)
            .rate_limit_headers(RateLimitHeaders {
                used: "inin-ratelimit-count".into(),
                allowed: "inin-ratelimit-allowed".into(),
                reset_s: "inin-ratelimit-reset".into(),
                reserve_fraction: 0.05,
            })
            .build()
            .unwrap();
        let _: Pong = c.get_json("/a", &[]).await.unwrap();
        assert_eq!(c.rate_info().map(|r| (r.used, r.allowed)), Some((299, 300)));
        let t0 = Instant::now();
        let _: Pong = c.get_json("/b", &[]).await.unwrap();
        assert!(
            t0.elapsed() >= Duration::from_millis(900),
            "paused {:?}",
            t0.elapsed()
        );
    }
}
