//! CXone global authentication (REFERENCE §1): the token fetcher (password grant with an
//! access key, refresh grant ahead of expiry) plus the pure helpers (JWT payload, form
//! encoding). Discovery calls are made by the source (mod.rs) through the shared client.

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::wire::{JwtClaims, TokenResponse};
use crate::config::Secret;
use crate::source::SourceError;
use crate::source::http::{AccessToken, BoxFuture, LoginHttp, TokenFetcher};

/// Credentials and what the login taught us (token endpoint, refresh token, tenant).
pub struct CxoneAuth {
    client_id: String,
    client_secret: Secret,
    access_key_id: String,
    access_key_secret: Secret,
    /// How the client credentials are sent (what worked last). Which one a registration
    /// wants is its own choice (REFERENCE §1.1, errata 5).
    client_auth: AtomicU8,
    state: Mutex<AuthState>,
}

#[derive(Default)]
struct AuthState {
    token_endpoint: Option<String>,
    refresh_token: Option<Secret>,
    tenant_id: Option<String>,
    /// Grant types used, oldest first (for tests and diagnostics; bounded).
    grants: Vec<&'static str>,
}

impl fmt::Debug for CxoneAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.lock();
        f.debug_struct("CxoneAuth")
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("access_key_id", &self.access_key_id)
            .field("access_key_secret", &self.access_key_secret)
            .field("token_endpoint", &st.token_endpoint)
            .field("refresh_token", &st.refresh_token)
            .field("tenant_id", &st.tenant_id)
            .finish()
    }
}

/// The ways a client authenticates at the token endpoint.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(u8)]
enum ClientAuth {
    /// `client_secret_basic`, id and secret form-encoded first (RFC 6749 §2.3.1).
    BasicEncoded = 0,
    /// `client_secret_basic` with id and secret as they are.
    BasicRaw = 1,
    /// `client_secret_post`: id and secret in the form body.
    Post = 2,
}

impl ClientAuth {
    fn from_u8(v: u8) -> ClientAuth {
        match v {
            1 => ClientAuth::BasicRaw,
            2 => ClientAuth::Post,
            _ => ClientAuth::BasicEncoded,
        }
    }
    fn name(self) -> &'static str {
        match self {
            ClientAuth::BasicEncoded => "client_secret_basic",
            ClientAuth::BasicRaw => "client_secret_basic (raw)",
            ClientAuth::Post => "client_secret_post",
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Grant {
    Password,
    Refresh,
}

impl CxoneAuth {
    pub fn new(
        client_id: String,
        client_secret: Secret,
        access_key_id: String,
        access_key_secret: Secret,
    ) -> CxoneAuth {
        CxoneAuth {
            client_id,
            client_secret,
            access_key_id,
            access_key_secret,
            client_auth: AtomicU8::new(ClientAuth::BasicEncoded as u8),
            state: Mutex::new(AuthState::default()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, AuthState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn set_token_endpoint(&self, url: String) {
        self.lock().token_endpoint = Some(url);
    }

    pub fn token_endpoint(&self) -> Option<String> {
        self.lock().token_endpoint.clone()
    }

    /// `tenantId` from the last token's claims.
    pub fn tenant_id(&self) -> Option<String> {
        self.lock().tenant_id.clone()
    }

    /// Grant types used so far ("password", "refresh_token").
    pub fn grants(&self) -> Vec<&'static str> {
        self.lock().grants.clone()
    }

    /// A new access token: the refresh grant when we hold a refresh token, else (or when
    /// that fails) the password grant with the access key.
    async fn fetch_token(&self, login: &LoginHttp) -> Result<AccessToken, SourceError> {
        let url = self.token_endpoint().ok_or_else(|| {
            SourceError::Fatal("CXone token endpoint not discovered yet".to_string())
        })?;
        let refresh = self.lock().refresh_token.take();
        if let Some(rt) = refresh {
            match self.grant(login, &url, Grant::Refresh, Some(&rt)).await {
                Ok(t) => return Ok(t),
                Err(e) => {
                    tracing::info!(error = %e, "CXone refresh grant failed; using the access key")
                }
            }
        }
        self.grant(login, &url, Grant::Password, None).await
    }

    async fn grant(
        &self,
        login: &LoginHttp,
        url: &str,
        grant: Grant,
        refresh: Option<&Secret>,
    ) -> Result<AccessToken, SourceError> {
        let mut form: Vec<(&str, &str)> = Vec::with_capacity(4);
        match (grant, refresh) {
            (Grant::Refresh, Some(rt)) => {
                form.push(("grant_type", "refresh_token"));
                form.push(("refresh_token", rt.expose()));
                // The spec's refresh grant requires client_id in the body (REFERENCE §1.1).
                form.push(("client_id", &self.client_id));
            }
            _ => {
                form.push(("grant_type", "password"));
                form.push(("username", &self.access_key_id));
                form.push(("password", self.access_key_secret.expose()));
            }
        }
        // The form goes out URL-encoded: a server echoing it shows the encoded secrets.
        login
            .redactor()
            .add(&form_encode(self.access_key_secret.expose()));
        if let Some(rt) = refresh {
            login.redactor().add(&form_encode(rt.expose()));
        }
        let resp = self.post_with_basic(login, url, &form).await;
        let resp = resp.map_err(|e| explain(e, grant))?;
        self.accept(login, resp, grant)
    }

    /// POST with the client credentials in the way the registration wants
    /// (`client_secret_basic` or `client_secret_post`, errata 5): HTTP Basic first — RFC 6749
    /// §2.3.1 form-encodes id and secret before base64, some registrations may expect them
    /// raw — then, on `invalid_client`, the other ways once each. What worked is remembered.
    async fn post_with_basic(
        &self,
        login: &LoginHttp,
        url: &str,
        form: &[(&str, &str)],
    ) -> Result<TokenResponse, SourceError> {
        let enc_id = form_encode(&self.client_id);
        let enc_secret = Secret::new(form_encode(self.client_secret.expose()));
        login.redactor().add(enc_secret.expose());
        let differs = enc_id != self.client_id || enc_secret != self.client_secret;
        let preferred = ClientAuth::from_u8(self.client_auth.load(Ordering::Relaxed));
        let mut order = vec![preferred];
        for m in [
            ClientAuth::BasicEncoded,
            ClientAuth::BasicRaw,
            ClientAuth::Post,
        ] {
            if !order.contains(&m) && (m != ClientAuth::BasicRaw || differs) {
                order.push(m);
            }
        }
        let mut last = None;
        for (i, method) in order.into_iter().enumerate() {
            let r = match method {
                ClientAuth::BasicEncoded => {
                    login
                        .post_form_json::<TokenResponse>(url, Some((&enc_id, &enc_secret)), form)
                        .await
                }
                ClientAuth::BasicRaw => {
                    login
                        .post_form_json::<TokenResponse>(
                            url,
                            Some((&self.client_id, &self.client_secret)),
                            form,
                        )
                        .await
                }
                ClientAuth::Post => {
                    let mut body = form.to_vec();
                    body.push(("client_id", &self.client_id));
                    body.push(("client_secret", self.client_secret.expose()));
                    login
                        .post_form_json::<TokenResponse>(url, None, &body)
                        .await
                }
            };
            match r {
                Err(SourceError::Auth(m)) if m.contains("invalid_client") => {
                    last = Some(SourceError::Auth(m));
                }
                other => {
                    if other.is_ok() && i > 0 {
                        tracing::info!(
                            method = method.name(),
                            "CXone accepted the client credentials this way; remembered"
                        );
                        self.client_auth.store(method as u8, Ordering::Relaxed);
                    }
                    return other;
                }
            }
        }
        Err(last.unwrap_or_else(|| SourceError::Auth("invalid_client".into())))
    }

    /// Keep what the token response teaches (refresh token, tenant) and hand back the
    /// access token. Every token is registered with the redactor first.
    fn accept(
        &self,
        login: &LoginHttp,
        resp: TokenResponse,
        grant: Grant,
    ) -> Result<AccessToken, SourceError> {
        for t in [&resp.access_token, &resp.refresh_token, &resp.id_token]
            .into_iter()
            .flatten()
        {
            login.redactor().add(t);
        }
        let access = resp
            .access_token
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                SourceError::Malformed("the CXone token response has no access_token".into())
            })?;
        let tenant = jwt_claims(access).and_then(|c| c.tenant_id).or_else(|| {
            resp.id_token
                .as_deref()
                .and_then(jwt_claims)
                .and_then(|c| c.tenant_id)
        });
        let mut st = self.lock();
        st.refresh_token = resp
            .refresh_token
            .clone()
            .filter(|t| !t.is_empty())
            .map(Secret::new);
        if tenant.is_some() {
            st.tenant_id = tenant;
        }
        if st.grants.len() < 1000 {
            st.grants.push(match grant {
                Grant::Password => "password",
                Grant::Refresh => "refresh_token",
            });
        }
        let expires_in = resp
            .expires_in
            .filter(|e| e.is_finite() && *e > 0.0)
            .map(|e| Duration::from_secs_f64(e.min(365.0 * 86_400.0)));
        Ok(AccessToken {
            token: Secret::new(access),
            expires_in,
        })
    }
}

/// Turn the login layer's generic credential message into one that names the CXone fix.
fn explain(e: SourceError, grant: Grant) -> SourceError {
    let SourceError::Auth(m) = &e else {
        return e;
    };
    let detail = m
        .find("HTTP ")
        .map(|i| &m[i..])
        .map(|d| d.split(": check").next().unwrap_or(d).trim().to_string())
        .unwrap_or_default();
    let fix = if m.contains("invalid_client") {
        "CXone refused the application — check client_id and client_secret (the app registration)"
    } else if m.contains("unauthorized_client") || m.contains("unsupported_grant_type") {
        "CXone does not allow this application the access-key (password) grant — register it as a back-end application"
    } else if grant == Grant::Refresh {
        "CXone refused the refresh token"
    } else {
        "access key rejected — check access_key_id and its secret"
    };
    if detail.is_empty() {
        SourceError::Auth(fix.to_string())
    } else {
        SourceError::Auth(format!("{fix} ({detail})"))
    }
}

/// The [`TokenFetcher`] handed to the shared client; shares the state with the source.
#[derive(Clone, Debug)]
pub struct Fetcher(pub Arc<CxoneAuth>);

impl TokenFetcher for Fetcher {
    fn fetch<'a>(
        &'a self,
        login: &'a LoginHttp,
    ) -> BoxFuture<'a, Result<AccessToken, SourceError>> {
        Box::pin(self.0.fetch_token(login))
    }
}

/// Decode a JWT's payload (base64url JSON). NO signature check: the token came straight
/// from the issuer over TLS and we only read `tenantId` from it to find the API host —
/// nothing is trusted or authorised on the strength of these claims.
pub fn jwt_claims(token: &str) -> Option<JwtClaims> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64url_decode(payload)?;
    serde_json::from_slice(&bytes).ok()
}

/// base64url (RFC 4648 §5), padding optional. `None` on any invalid character.
pub fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4 + 1);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            // Accept the standard alphabet too: some encoders get it wrong.
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// `application/x-www-form-urlencoded` encoding of one value. Access keys end in `=`
/// padding that must become `%3D` (REFERENCE §1.1).
pub fn form_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A form body from pairs (values encoded, keys are our own constants).
pub fn form_body(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn b64() {
        assert_eq!(base64url_decode("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64url_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64url_decode("_-8"), Some(vec![0xff, 0xef]));
        assert_eq!(base64url_decode("a b"), None);
    }

    #[test]
    fn form() {
        assert_eq!(form_encode("ab=="), "ab%3D%3D");
        assert_eq!(
            form_body(&[("grant_type", "password"), ("username", "a b&c")]),
            "grant_type=password&username=a+b%26c"
        );
    }

    #[test]
    fn garbage_tokens() {
        assert!(jwt_claims("").is_none());
        assert!(jwt_claims("a.b.c").is_none());
        assert!(jwt_claims("a.!!!.c").is_none());
    }
}
