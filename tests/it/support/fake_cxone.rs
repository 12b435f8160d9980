//! A fake NICE CXone on 127.0.0.1 (ephemeral port), driven by a mutable [`Scenario`]:
//! OIDC + tenant discovery, `/auth/token` (password and refresh grants), the real-time and
//! reporting endpoints the source reads, with `updatedSince` delta semantics, paging, and
//! fault injection (status codes with Retry-After, 401, slowness, malformed bodies).
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, Method, Response, Uri};
use chrono::{DateTime, TimeZone, Utc};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "wallboard-app@example";
pub const CLIENT_SECRET: &str = "cl/ient+secret==";
pub const ACCESS_KEY_ID: &str = "AKID-TEST-1234";
pub const ACCESS_KEY_SECRET: &str = "ak&secret+value==";
pub const TENANT: &str = "11ee215a-6f6c-f950-bab6-0242ac110003";

/// How a poll with nothing new is answered (REFERENCE §3.3: UNCONFIRMED, so test all three).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Unchanged {
    EmptyList,
    NoContent,
    NotModified,
}

#[derive(Clone, Debug)]
pub enum FaultKind {
    Status {
        code: u16,
        retry_after: Option<String>,
        body: String,
    },
    Slow(Duration),
    Malformed,
    /// 200 with an empty body.
    EmptyOk,
    /// A redirect status pointing at `location` (never followed by the client).
    Redirect {
        code: u16,
        location: String,
    },
    /// 200 with a chunked body that never ends.
    Endless,
    /// 200 with a body of this many bytes (with its `Content-Length`).
    Oversized(usize),
    /// This status with an error body echoing the request's `Authorization` header and
    /// body after `pad` characters of filler; `json` = `{"error_description": …}`.
    Echo {
        code: u16,
        pad: usize,
        json: bool,
    },
}

#[derive(Clone, Debug)]
pub struct Fault {
    pub path_contains: String,
    pub remaining: u32,
    pub kind: FaultKind,
}

#[derive(Clone, Debug)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub query: HashMap<String, String>,
    pub auth: Option<String>,
    pub body: String,
    pub at: Instant,
}

pub struct Scenario {
    pub base: String,
    pub api_version: String,
    pub token_ttl_s: i64,
    pub issued: u32,
    pub valid_access: HashSet<String>,
    pub valid_refresh: HashSet<String>,
    pub refresh_works: bool,
    /// The registration is `client_secret_post`: Basic is refused with invalid_client.
    pub client_secret_post: bool,
    /// `GET /business-unit` → `defaultTimeZone`.
    pub bu_timezone: String,
    /// `GET /agents/skills` rows (`None`: 204, as a tenant without the admin API may).
    pub assignments: Option<Vec<Value>>,
    /// `GET /unavailable-codes` rows.
    pub unavailable_codes: Vec<Value>,
    /// Logical clock: every change bumps it; lastPollTime = epoch_base + clock seconds.
    pub clock: i64,
    pub epoch_base: DateTime<Utc>,
    pub skills: BTreeMap<String, (i64, Value)>,
    pub agents: BTreeMap<String, (i64, Value)>,
    pub unchanged: Unchanged,
    pub summary: Vec<Value>,
    pub sla: Vec<Value>,
    pub sla_page: usize,
    pub history: HashMap<String, Vec<Value>>,
    pub history_page: usize,
    /// `GET /agents/{id}/performance` rows per agent id (`None`, or no entry: 204, nothing
    /// today).
    pub performance: HashMap<String, Option<Vec<Value>>>,
    /// Give `_links.next` on history pages (else only totalRecords: the client must skip).
    pub history_links: bool,
    pub faults: Vec<Fault>,
    /// Every API (non-auth) call answered 503 while set.
    pub down: bool,
    pub log: Vec<Req>,
    /// Every access and refresh token ever issued (for leak checks).
    pub issued_tokens: Vec<String>,
}

impl Scenario {
    pub fn poll_time(&self) -> String {
        fmt_time(self.epoch_base + chrono::Duration::seconds(self.clock))
    }

    /// Add or replace a skill row; it becomes visible to the next delta poll.
    pub fn put_skill(&mut self, row: Value) {
        self.clock += 1;
        let id = id_of(&row, "skillId");
        self.skills.insert(id, (self.clock, row));
    }

    pub fn put_agent(&mut self, row: Value) {
        self.clock += 1;
        let id = id_of(&row, "agentId");
        self.agents.insert(id, (self.clock, row));
    }

    /// Change some fields of an existing skill row.
    pub fn patch_skill(&mut self, id: &str, patch: Value) {
        let mut row = self
            .skills
            .get(id)
            .map(|(_, r)| r.clone())
            .unwrap_or(json!({}));
        merge(&mut row, patch);
        self.put_skill(row);
    }

    pub fn patch_agent(&mut self, id: &str, patch: Value) {
        let mut row = self
            .agents
            .get(id)
            .map(|(_, r)| r.clone())
            .unwrap_or(json!({}));
        merge(&mut row, patch);
        self.put_agent(row);
    }

    pub fn fault(&mut self, path_contains: &str, times: u32, kind: FaultKind) {
        self.faults.push(Fault {
            path_contains: path_contains.to_string(),
            remaining: times,
            kind,
        });
    }

    pub fn status_fault(&mut self, path: &str, times: u32, code: u16, retry_after: Option<&str>) {
        self.fault(
            path,
            times,
            FaultKind::Status {
                code,
                retry_after: retry_after.map(str::to_string),
                body: json!({"error": "Fault", "error_description": format!("injected {code}")})
                    .to_string(),
            },
        );
    }

    pub fn calls(&self, path_contains: &str) -> Vec<Req> {
        self.log
            .iter()
            .filter(|r| r.path.contains(path_contains))
            .cloned()
            .collect()
    }

    pub fn grants(&self) -> Vec<String> {
        self.log
            .iter()
            .filter(|r| r.path == "/auth/token")
            .map(|r| form_get(&r.body, "grant_type").unwrap_or_default())
            .collect()
    }
}

fn id_of(row: &Value, key: &str) -> String {
    match &row[key] {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    }
}

fn merge(into: &mut Value, patch: Value) {
    if let (Some(a), Value::Object(b)) = (into.as_object_mut(), patch) {
        for (k, v) in b {
            a.insert(k, v);
        }
    }
}

pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub struct FakeCxone {
    pub base: String,
    pub state: Arc<Mutex<Scenario>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeCxone {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeCxone {
    pub async fn start() -> FakeCxone {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let base = format!("http://127.0.0.1:{}", addr.port());
        let state = Arc::new(Mutex::new(Scenario {
            base: base.clone(),
            api_version: "v34.0".into(),
            token_ttl_s: 3600,
            issued: 0,
            valid_access: HashSet::new(),
            valid_refresh: HashSet::new(),
            refresh_works: true,
            client_secret_post: false,
            bu_timezone: "UTC".into(),
            unavailable_codes: vec![],
            assignments: None,
            clock: 0,
            epoch_base: Utc
                .with_ymd_and_hms(2025, 3, 14, 15, 0, 0)
                .single()
                .expect("time"),
            skills: BTreeMap::new(),
            agents: BTreeMap::new(),
            unchanged: Unchanged::EmptyList,
            summary: Vec::new(),
            sla: Vec::new(),
            sla_page: 100,
            history: HashMap::new(),
            history_page: 1000,
            performance: HashMap::new(),
            history_links: true,
            faults: Vec::new(),
            down: false,
            log: Vec::new(),
            issued_tokens: Vec::new(),
        }));
        let app = Router::new().fallback(handle).with_state(state.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FakeCxone { base, state, task }
    }

    pub fn s(&self) -> MutexGuard<'_, Scenario> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Requests whose path contains `path` (locks briefly).
    pub fn calls(&self, path: &str) -> Vec<Req> {
        self.s().calls(path)
    }

    /// The lastPollTime the server would answer now.
    pub fn poll_time(&self) -> String {
        self.s().poll_time()
    }
}

type Shared = Arc<Mutex<Scenario>>;

fn lock(s: &Shared) -> MutexGuard<'_, Scenario> {
    s.lock().unwrap_or_else(|p| p.into_inner())
}

async fn handle(
    State(st): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let path = uri.path().to_string();
    let query: HashMap<String, String> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (url_decode(k), url_decode(v))
        })
        .collect();
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = String::from_utf8_lossy(&body).to_string();
    let fault = {
        let mut s = lock(&st);
        s.log.push(Req {
            method: method.to_string(),
            path: path.clone(),
            query: query.clone(),
            auth: auth.clone(),
            body: body.clone(),
            at: Instant::now(),
        });
        take_fault(&mut s, &path)
    };
    match fault {
        Some(FaultKind::Status {
            code,
            retry_after,
            body,
        }) => {
            let mut r = Response::builder()
                .status(code)
                .header("content-type", "application/json");
            if let Some(ra) = retry_after {
                r = r.header("retry-after", ra);
            }
            return r.body(Body::from(body)).unwrap_or_default();
        }
        Some(FaultKind::Malformed) => {
            return json_resp(200, "{\"skillActivity\": [ {\"skillId\": 1,".into());
        }
        Some(FaultKind::EmptyOk) => return empty(200),
        Some(FaultKind::Redirect { code, location }) => {
            return Response::builder()
                .status(code)
                .header("location", location)
                .body(Body::empty())
                .unwrap_or_default();
        }
        Some(FaultKind::Endless) => {
            let mut r = Response::new(super::fake_genesys::endless_body());
            *r.status_mut() = axum::http::StatusCode::OK;
            return r;
        }
        Some(FaultKind::Oversized(n)) => {
            return Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(Body::from(vec![b' '; n]))
                .unwrap_or_default();
        }
        Some(FaultKind::Echo { code, pad, json }) => {
            let text = format!(
                "{}you sent Authorization: {}; body: {body}",
                "x".repeat(pad),
                auth.as_deref().unwrap_or("")
            );
            if json {
                return err(code, "echo", &text);
            }
            return Response::builder()
                .status(code)
                .header("content-type", "text/plain")
                .body(Body::from(text))
                .unwrap_or_default();
        }
        Some(FaultKind::Slow(d)) => tokio::time::sleep(d).await,
        None => {}
    }
    let mut s = lock(&st);
    route(&mut s, &method, &path, &query, auth.as_deref(), &body)
}

fn take_fault(s: &mut Scenario, path: &str) -> Option<FaultKind> {
    let f = s
        .faults
        .iter_mut()
        .find(|f| f.remaining > 0 && path.contains(&f.path_contains))?;
    f.remaining -= 1;
    Some(f.kind.clone())
}

fn json_resp(code: u16, body: String) -> Response<Body> {
    Response::builder()
        .status(code)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

fn empty(code: u16) -> Response<Body> {
    Response::builder()
        .status(code)
        .body(Body::empty())
        .unwrap_or_default()
}

fn err(code: u16, error: &str, desc: &str) -> Response<Body> {
    json_resp(
        code,
        json!({"error": error, "error_description": desc}).to_string(),
    )
}

fn route(
    s: &mut Scenario,
    method: &Method,
    path: &str,
    q: &HashMap<String, String>,
    auth: Option<&str>,
    body: &str,
) -> Response<Body> {
    match (method.as_str(), path) {
        ("GET", "/.well-known/openid-configuration") => json_resp(
            200,
            json!({
                "issuer": s.base,
                "token_endpoint": format!("{}/auth/token", s.base),
                "scopes_supported": ["openid"],
            })
            .to_string(),
        ),
        ("GET", "/.well-known/cxone-configuration") => {
            if q.get("tenantId").map(String::as_str) == Some(TENANT) {
                json_resp(
                    200,
                    json!({"area": "na1", "api_endpoint": s.base, "tenantId": TENANT, "private": false}).to_string(),
                )
            } else {
                err(404, "not_found", "Tenant not found")
            }
        }
        ("POST", "/auth/token") => token(s, auth, body),
        _ => api(s, method, path, q, auth),
    }
}

fn token(s: &mut Scenario, auth: Option<&str>, body: &str) -> Response<Body> {
    let ok = if s.client_secret_post {
        auth.is_none()
            && form_get(body, "client_id").as_deref() == Some(CLIENT_ID)
            && form_get(body, "client_secret").as_deref() == Some(CLIENT_SECRET)
    } else {
        client_ok(auth)
    };
    if !ok {
        return err(401, "invalid_client", "Client authentication failed.");
    }
    match form_get(body, "grant_type").as_deref() {
        Some("password") => {
            if form_get(body, "username").as_deref() == Some(ACCESS_KEY_ID)
                && form_get(body, "password").as_deref() == Some(ACCESS_KEY_SECRET)
            {
                issue(s)
            } else {
                err(400, "invalid_grant", "Invalid username or password.")
            }
        }
        Some("refresh_token") => {
            let rt = form_get(body, "refresh_token").unwrap_or_default();
            if s.refresh_works && s.valid_refresh.remove(&rt) {
                issue(s)
            } else {
                err(400, "invalid_grant", "Invalid refresh token.")
            }
        }
        _ => err(400, "unsupported_grant_type", "Unsupported grant type."),
    }
}

/// Basic base64(urlencode(id):urlencode(secret)) (REFERENCE §1.1); raw id:secret accepted too.
fn client_ok(auth: Option<&str>) -> bool {
    let Some(b64) = auth.and_then(|a| a.strip_prefix("Basic ")) else {
        return false;
    };
    let Some(raw) = b64_decode(b64.trim()).and_then(|b| String::from_utf8(b).ok()) else {
        return false;
    };
    let Some((id, secret)) = raw.split_once(':') else {
        return false;
    };
    let ok = |a: &str, want: &str| a == want || url_decode(a) == want;
    ok(id, CLIENT_ID) && ok(secret, CLIENT_SECRET)
}

fn issue(s: &mut Scenario) -> Response<Body> {
    s.issued += 1;
    let n = s.issued;
    let now = Utc::now().timestamp();
    let claims =
        json!({"tenantId": TENANT, "iss": s.base, "iat": now, "exp": now + s.token_ttl_s, "n": n});
    let access = format!(
        "{}.{}.{}",
        b64url_encode(br#"{"alg":"RS256","typ":"JWT"}"#),
        b64url_encode(claims.to_string().as_bytes()),
        b64url_encode(format!("sig-{n}").as_bytes())
    );
    let refresh = format!("rt-{n}-{}", b64url_encode(b"refresh"));
    s.valid_access.insert(access.clone());
    s.valid_refresh.insert(refresh.clone());
    s.issued_tokens.push(access.clone());
    s.issued_tokens.push(refresh.clone());
    json_resp(
        200,
        json!({
            "access_token": access,
            "token_type": "Bearer",
            "expires_in": s.token_ttl_s,
            "refresh_token": refresh,
            "id_token": access,
            "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
        })
        .to_string(),
    )
}

fn api(
    s: &mut Scenario,
    method: &Method,
    path: &str,
    q: &HashMap<String, String>,
    auth: Option<&str>,
) -> Response<Body> {
    let prefix = format!("/inContactAPI/services/{}/", s.api_version);
    let Some(rest) = path.strip_prefix(&prefix) else {
        return Response::builder()
            .status(404)
            .header("content-type", "text/html")
            .body(Body::from("<html>Not Found</html>"))
            .unwrap_or_default();
    };
    let bearer = auth.and_then(|a| a.strip_prefix("Bearer ")).unwrap_or("");
    if !s.valid_access.contains(bearer) {
        return err(401, "Unauthorized", "Invalid or expired token");
    }
    if s.down {
        return err(503, "Service Unavailable", "down for test");
    }
    if method != Method::GET {
        return err(405, "Method Not Allowed", "GET only");
    }
    let parts: Vec<&str> = rest.split('/').collect();
    match parts.as_slice() {
        ["skills", "activity"] => delta(s, q, true),
        ["agents", "states"] => delta(s, q, false),
        ["skills", "summary"] => {
            if !(q.contains_key("startDate") && q.contains_key("endDate")) {
                return err(400, "Bad Request", "Invalid startDate");
            }
            json_resp(200, json!({"skillSummaries": s.summary}).to_string())
        }
        ["skills", "sla-summary"] => sla(s, q),
        ["agents", id, "state-history"] => history(s, id, q, path),
        ["agents", id, "performance"] => {
            if !(q.contains_key("startDate") && q.contains_key("endDate")) {
                return err(400, "Bad Request", "Invalid startDate");
            }
            match s.performance.get(*id) {
                Some(Some(rows)) => json_resp(
                    200,
                    json!({"businessUnitId": 4607084, "lastPollTime": s.poll_time(), "agentPerformance": rows})
                        .to_string(),
                ),
                _ => empty(204),
            }
        }
        ["business-unit"] => json_resp(
            200,
            json!({"businessUnits": [{"businessUnitId": 4600001, "defaultTimeZone": s.bu_timezone}]})
                .to_string(),
        ),
        ["agents", "skills"] => match &s.assignments {
            None => json_resp(204, String::new()),
            Some(rows) => json_resp(
                200,
                json!({"totalRecords": rows.len(), "agentSkillAssignments": rows}).to_string(),
            ),
        },
        ["unavailable-codes"] => json_resp(
            200,
            json!({"totalRecords": s.unavailable_codes.len(), "unavailableCodes": s.unavailable_codes})
                .to_string(),
        ),
        _ => err(404, "Not Found", "no such resource"),
    }
}

fn since_version(s: &Scenario, q: &HashMap<String, String>) -> Result<i64, ()> {
    let Some(v) = q.get("updatedSince") else {
        return Ok(i64::MIN);
    };
    let t = DateTime::parse_from_rfc3339(v).map_err(|_| ())?;
    Ok((t.with_timezone(&Utc) - s.epoch_base).num_seconds())
}

fn delta(s: &Scenario, q: &HashMap<String, String>, skills: bool) -> Response<Body> {
    let Ok(since) = since_version(s, q) else {
        return err(400, "Bad Request", "Invalid updatedSince");
    };
    let table = if skills { &s.skills } else { &s.agents };
    let rows: Vec<Value> = table
        .values()
        .filter(|(v, _)| *v > since)
        .map(|(_, r)| r.clone())
        .collect();
    if rows.is_empty() {
        match s.unchanged {
            Unchanged::NoContent => return empty(204),
            Unchanged::NotModified => return empty(304),
            Unchanged::EmptyList => {}
        }
    }
    let key = if skills {
        "skillActivity"
    } else {
        "agentStates"
    };
    json_resp(
        200,
        json!({
            "totalRecords": rows.len(),
            "_links": {"self": null, "next": null, "previous": null},
            "lastPollTime": s.poll_time(),
            key: rows,
        })
        .to_string(),
    )
}

fn page_params(q: &HashMap<String, String>, cap: usize) -> (usize, usize) {
    let top = q
        .get("top")
        .and_then(|t| t.parse().ok())
        .unwrap_or(cap)
        .min(cap)
        .max(1);
    let skip = q.get("skip").and_then(|t| t.parse().ok()).unwrap_or(0);
    (top, skip)
}

fn sla(s: &Scenario, q: &HashMap<String, String>) -> Response<Body> {
    if !(q.contains_key("startDate") && q.contains_key("endDate")) {
        return err(400, "Bad Request", "Invalid startDate");
    }
    let (top, skip) = page_params(q, s.sla_page);
    let page: Vec<Value> = s.sla.iter().skip(skip).take(top).cloned().collect();
    json_resp(
        200,
        json!({"totalRecords": s.sla.len(), "_links": {"next": null}, "serviceLevelSummaries": page}).to_string(),
    )
}

fn history(s: &Scenario, id: &str, q: &HashMap<String, String>, path: &str) -> Response<Body> {
    let (Some(start), Some(end)) = (q.get("startDate"), q.get("endDate")) else {
        return err(400, "Bad Request", "Invalid startDate");
    };
    let Some(rows) = s.history.get(id) else {
        return err(404, "Not Found", "Agent not found for BU");
    };
    let (top, skip) = page_params(q, s.history_page);
    let page: Vec<Value> = rows.iter().skip(skip).take(top).cloned().collect();
    let next = (s.history_links && skip + page.len() < rows.len()).then(|| {
        format!(
            "{}{path}?startDate={}&endDate={}&top={top}&skip={}",
            s.base,
            url_encode(start),
            url_encode(end),
            skip + page.len()
        )
    });
    json_resp(
        200,
        json!({
            "totalRecords": rows.len(),
            "_links": {"self": null, "next": next, "previous": null},
            "businessUnitId": 4607084,
            "agentStateHistory": page,
        })
        .to_string(),
    )
}

// ---- small codecs (the crate has no base64/url dependency) ----

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn b64url_encode(data: &[u8]) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            let c = B64[((n >> (18 - 6 * i)) & 63) as usize];
            out.push(match c {
                b'+' => '-',
                b'/' => '_',
                c => c as char,
            });
        }
    }
    out
}

pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.trim_end_matches('=').bytes() {
        let v = B64.iter().position(|&x| x == c).or(match c {
            b'-' => Some(62),
            b'_' => Some(63),
            _ => None,
        })? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

pub fn url_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).to_string()
}

pub fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub fn form_get(body: &str, key: &str) -> Option<String> {
    body.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (url_decode(k) == key).then(|| url_decode(v))
    })
}

/// Load the reference fixtures into a scenario: 5 skills, 8 agents, today's summaries and a
/// 27-row history for agent 39260751.
pub fn seed_from_fixtures(s: &mut Scenario) {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/cxone");
    let read = |rel: &str| -> Value {
        let text = std::fs::read_to_string(dir.join(rel)).expect("fixture");
        serde_json::from_str(&text).expect("fixture json")
    };
    for row in read("realtime/skills_activity_full.json")["skillActivity"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        s.put_skill(row);
    }
    for row in read("realtime/agents_states_full.json")["agentStates"]
        .as_array()
        .cloned()
        .unwrap_or_default()
    {
        s.put_agent(row);
    }
    s.summary = read("reporting/skills_summary.json")["skillSummaries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    s.sla = read("reporting/skills_sla_summary.json")["serviceLevelSummaries"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let hist = read("reporting/agent_state_history.json")["agentStateHistory"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    s.history.insert("39260751".into(), hist);
    let perf = read("reporting/agent_performance.json")["agentPerformance"]
        .as_array()
        .cloned();
    s.performance.insert("39260751".into(), perf);
}
