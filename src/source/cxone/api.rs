//! The CXone API as this source calls it: one connection (client, token handling, the
//! versioned base), GET with CXone's "no change" and error conventions, and paging.

use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;

use super::auth::CxoneAuth;
use super::wire::{
    AgentStatesResponse, CxoneConfiguration, ErrorBody, Links, SkillActivityResponse,
    SlaSummaryResponse, StateHistoryResponse,
};
use crate::config::check_url;
use crate::source::SourceError;
use crate::source::http::{HttpClient, MAX_PAGES, Redactor, parse_json, truncate};

/// Page size asked for on paged endpoints (the server may cap it; we follow its paging).
pub const PAGE: usize = 1000;

/// A working connection: the client (token handling inside) and the versioned API base.
#[derive(Debug, Clone)]
pub struct Api {
    pub client: HttpClient,
    /// `{api_endpoint}/inContactAPI/services/{version}`, no trailing slash.
    pub api_base: String,
    pub api_version: String,
    pub redactor: Redactor,
}

impl Api {
    /// GET an API resource. `Ok(None)` = "no change" (204 or 304). CXone-specific errors:
    /// 404 on a collection = API version (or host) wrong; 401 after renewal; 403.
    pub async fn get(
        &self,
        url: &str,
        query: &[(&str, String)],
    ) -> Result<Option<Vec<u8>>, SourceError> {
        let (status, body) = self
            .client
            .call_with_status(Method::GET, url, query, None)
            .await?;
        match status.as_u16() {
            // No change (REFERENCE §3.3: 200-empty, 204 and 304 all seen in the wild; an
            // empty 200 body is read the same way).
            204 | 304 => Ok(None),
            s if (200..300).contains(&s) && body.iter().all(u8::is_ascii_whitespace) => Ok(None),
            s if (200..300).contains(&s) => Ok(Some(body)),
            _ => Err(self.api_error(url, status, &body)),
        }
    }

    fn api_error(&self, url: &str, status: StatusCode, body: &[u8]) -> SourceError {
        let what = url
            .strip_prefix(&self.api_base)
            .unwrap_or(url)
            .split('?')
            .next()
            .unwrap_or("")
            .to_string();
        let said = serde_json::from_slice::<ErrorBody>(body)
            .ok()
            .and_then(|e| e.text().map(str::to_string))
            .map(|t| format!(" ({})", truncate(&self.redactor.scrub(&t), 200)))
            .unwrap_or_default();
        match status.as_u16() {
            401 => SourceError::Auth(format!(
                "CXone refused the access token for {what}{said} — check that the access key (access_key_id) is active"
            )),
            403 => SourceError::Permission(format!(
                "CXone does not allow {what}{said} — give the access key's user a role with the Real-Time Data and Reporting API permissions"
            )),
            // 404 is a listed answer of these (no such agent; no data), not a sign of a
            // wrong API version.
            404 if !what.contains("/state-history")
                && !what.contains("/sla-summary")
                && !what.contains("/performance") =>
            {
                SourceError::Fatal(format!(
                    "API version {} not supported at {} ({what} not found) — set api_version (e.g. \"v34.0\") or check api_url",
                    self.api_version,
                    origin(&self.api_base)
                ))
            }
            _ => self.client.status_error(&Method::GET, url, status, body),
        }
    }

    /// Every page of a paged resource: `_links.next` when it stays on the API host, else
    /// `skip` while `totalRecords` says more remain. `Ok(vec![])` for "no change".
    pub async fn get_pages<T: DeserializeOwned + Paged>(
        &self,
        path: &str,
        base_query: Vec<(&'static str, String)>,
    ) -> Result<Vec<T>, SourceError> {
        let first = format!("{}{path}", self.api_base);
        let mut url = first.clone();
        let mut query = base_query.clone();
        let mut pages: Vec<T> = Vec::new();
        let mut rows = 0usize;
        for _ in 0..MAX_PAGES {
            let Some(body) = self.get(&url, &query).await? else {
                break;
            };
            let page: T = parse(path, &body)?;
            let n = page.row_count();
            rows += n;
            let total = page.total();
            let next = page.next_link().map(str::to_string);
            pages.push(page);
            match next {
                Some(next) if next != url && same_origin(&next, &self.api_base) => {
                    url = next;
                    query = Vec::new();
                }
                _ if n > 0 && total.is_some_and(|t| rows < t) => {
                    url = first.clone();
                    query = base_query
                        .iter()
                        .filter(|(k, _)| *k != "top" && *k != "skip")
                        .cloned()
                        .collect();
                    query.push(("top", PAGE.to_string()));
                    query.push(("skip", rows.to_string()));
                }
                _ => break,
            }
        }
        Ok(pages)
    }
}

/// Token → `tenantId` claim → `/.well-known/cxone-configuration` → `api_endpoint`.
pub async fn discover(
    open: &HttpClient,
    client: &HttpClient,
    auth: &CxoneAuth,
    issuer: &str,
) -> Result<String, SourceError> {
    client.authenticate().await?;
    let tenant = auth.tenant_id().ok_or_else(|| {
        SourceError::Fatal(
            "the CXone token carries no tenantId — set api_url (your API host, e.g. https://api-na1.niceincontact.com)".into(),
        )
    })?;
    let path = "/.well-known/cxone-configuration";
    let (status, body) = open
        .call_with_status(Method::GET, path, &[("tenantId", tenant.clone())], None)
        .await?;
    if status == StatusCode::NOT_FOUND {
        return Err(SourceError::Fatal(format!(
            "tenant not found: {issuer} does not know tenant {tenant} — check issuer (e.g. the FedRAMP issuer https://cxone-gov.niceincontact.com) or set api_url"
        )));
    }
    if !status.is_success() {
        return Err(open.status_error(&Method::GET, path, status, &body));
    }
    let disc: CxoneConfiguration = parse(path, &body)?;
    let ep = disc
        .api_endpoint
        .map(|u| u.trim().trim_end_matches('/').to_string())
        .filter(|u| !u.is_empty())
        .ok_or_else(|| {
            SourceError::Malformed(format!(
                "{path} has no api_endpoint for tenant {tenant} — set api_url"
            ))
        })?;
    check_url(&ep).map_err(|m| SourceError::Fatal(format!("discovered api_endpoint: {m}")))?;
    Ok(ep)
}

/// Paged CXone responses.
pub trait Paged {
    fn row_count(&self) -> usize;
    fn total(&self) -> Option<usize>;
    fn next_link(&self) -> Option<&str>;
}

fn links_next(l: &Option<Links>) -> Option<&str> {
    l.as_ref().and_then(Links::next_url)
}

fn total(t: Option<i64>) -> Option<usize> {
    t.and_then(|t| usize::try_from(t).ok())
}

impl Paged for SkillActivityResponse {
    fn row_count(&self) -> usize {
        self.skill_activity.as_ref().map_or(0, Vec::len)
    }
    fn total(&self) -> Option<usize> {
        total(self.total_records)
    }
    fn next_link(&self) -> Option<&str> {
        links_next(&self.links)
    }
}

impl Paged for AgentStatesResponse {
    fn row_count(&self) -> usize {
        self.agent_states.as_ref().map_or(0, Vec::len)
    }
    fn total(&self) -> Option<usize> {
        total(self.total_records)
    }
    fn next_link(&self) -> Option<&str> {
        links_next(&self.links)
    }
}

impl Paged for StateHistoryResponse {
    fn row_count(&self) -> usize {
        self.agent_state_history.as_ref().map_or(0, Vec::len)
    }
    fn total(&self) -> Option<usize> {
        total(self.total_records)
    }
    fn next_link(&self) -> Option<&str> {
        links_next(&self.links)
    }
}

impl Paged for super::wire::AgentSkillsResponse {
    fn row_count(&self) -> usize {
        self.agent_skill_assignments.as_ref().map_or(0, Vec::len)
    }
    fn total(&self) -> Option<usize> {
        total(self.total_records)
    }
    fn next_link(&self) -> Option<&str> {
        links_next(&self.links)
    }
}

impl Paged for SlaSummaryResponse {
    fn row_count(&self) -> usize {
        self.service_level_summaries.as_ref().map_or(0, Vec::len)
    }
    fn total(&self) -> Option<usize> {
        total(self.total_records)
    }
    fn next_link(&self) -> Option<&str> {
        links_next(&self.links)
    }
}

/// GET + parse through a client (discovery).
pub async fn get_json<T: DeserializeOwned>(
    c: &HttpClient,
    path: &str,
    query: &[(&str, String)],
) -> Result<T, SourceError> {
    let body = c.call(Method::GET, path, query, None).await?;
    parse(path, &body)
}

/// Parse a GET answer (see [`parse_json`]).
pub fn parse<T: DeserializeOwned>(what: &str, body: &[u8]) -> Result<T, SourceError> {
    parse_json(&Method::GET, what, body)
}

/// `scheme://host[:port]` of a URL (lower-cased), for same-origin checks and messages.
pub fn origin(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => u.origin().ascii_serialization().to_ascii_lowercase(),
        Err(_) => String::new(),
    }
}

/// A `_links.next` is followed only on the API host itself: the bearer token must never be
/// sent to another host, whatever a response says.
fn same_origin(url: &str, base: &str) -> bool {
    let o = origin(url);
    !o.is_empty() && o != "null" && o == origin(base) && check_url(url).is_ok()
}

pub fn valid_version(v: &str) -> bool {
    v.strip_prefix('v').is_some_and(|n| {
        !n.is_empty()
            && n.split('.')
                .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
    })
}

/// CXone's timestamp form: UTC with milliseconds.
pub fn fmt_time(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        let base = "https://api-na1.niceincontact.com/inContactAPI/services/v34.0";
        assert!(same_origin(
            "https://api-na1.niceincontact.com/inContactAPI/services/v34.0/x?skip=1",
            base
        ));
        assert!(same_origin("https://API-NA1.niceincontact.com:443/x", base));
        assert!(!same_origin("https://evil.example.com/x", base));
        assert!(!same_origin("http://api-na1.niceincontact.com/x", base));
        assert!(!same_origin("/relative", base));
    }

    #[test]
    fn versions() {
        assert!(valid_version("v34.0"));
        assert!(valid_version("v9"));
        assert!(!valid_version("34.0"));
        assert!(!valid_version("v34.0/../x"));
    }
}
