//! The one WebSocket layer: what every pushed connection goes through, as `http.rs` is for
//! requests. `wss://` only (plain `ws://` only to a loopback host, the same rule as the API
//! URLs), TLS by rustls with the webpki roots, a connect deadline, bounded message and frame
//! sizes, and every error made printable and scrubbed of secrets. No credential is ever put
//! in a WebSocket URL, and a URL is never logged with its query. [`Reconnect`] is the one
//! reconnect policy of a pushed connection (jittered doubling, capped, reset once up).

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use rand::Rng;
use tokio_tungstenite::tungstenite;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::source::SourceError;
use crate::source::http::Redactor;

/// Limits of one connection.
#[derive(Clone, Debug, PartialEq)]
pub struct WsSettings {
    /// Connect + TLS + upgrade, in all.
    pub connect_timeout: Duration,
    /// The largest message accepted; a larger one ends the connection (and is never read
    /// whole).
    pub max_message_bytes: usize,
    pub user_agent: String,
}

impl Default for WsSettings {
    fn default() -> Self {
        WsSettings {
            connect_timeout: Duration::from_secs(15),
            // Notifications are small (an observation of one queue is a few KiB).
            max_message_bytes: 1024 * 1024,
            user_agent: concat!("queuetop/", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }
}

/// How long a pushed connection waits before it tries again: after a failed attempt from
/// `min` doubling to `max`, jittered (±20 %) so many clients do not reconnect in step; after
/// a refusal (permission, a refused upgrade, credentials) `refused` (the caller polls
/// meanwhile); after a connection that was up was lost, almost at once. A session that came
/// up starts the doubling over.
#[derive(Clone, Debug, PartialEq)]
pub struct Reconnect {
    min: Duration,
    max: Duration,
    refused: Duration,
    failures: u32,
}

impl Reconnect {
    pub fn new(min: Duration, max: Duration, refused: Duration) -> Self {
        Reconnect {
            min,
            max,
            refused,
            failures: 0,
        }
    }

    /// A session came up (it may have ended since): the next failure waits `min` again.
    pub fn up(&mut self) {
        self.failures = 0;
    }

    /// The wait after a connection that was up was lost: at once, but never in a tight loop.
    pub fn after_loss(&self) -> Duration {
        self.min.min(Duration::from_secs(1))
    }

    /// An attempt failed with `e`: the wait before the next one.
    pub fn failed(&mut self, e: &SourceError) -> Duration {
        self.failures = self.failures.saturating_add(1);
        if matches!(
            e,
            SourceError::Permission(_) | SourceError::Fatal(_) | SourceError::Auth(_)
        ) {
            return self.refused;
        }
        self.ceiling().mul_f64(rand::rng().random_range(0.8..=1.2))
    }

    /// The un-jittered wait after the failures so far.
    fn ceiling(&self) -> Duration {
        self.min
            .saturating_mul(1u32 << self.failures.saturating_sub(1).min(16))
            .min(self.max)
    }
}

/// A WebSocket URL must be `wss://`, or `ws://` to a loopback host; no `user:password@`.
pub fn check_ws_url(u: &str) -> Result<(), String> {
    let http_form = if let Some(rest) = u.strip_prefix("wss://") {
        format!("https://{rest}")
    } else if let Some(rest) = u.strip_prefix("ws://") {
        format!("http://{rest}")
    } else {
        return Err(format!(
            "{:?} is not a WebSocket URL (wss:// expected)",
            without_query(u)
        ));
    };
    crate::config::check_url(&http_form)
        .map_err(|m| m.replace("https://", "wss://").replace("http", "ws"))
}

/// The URL without its query and fragment (what may be shown).
pub fn without_query(u: &str) -> &str {
    u.split(['?', '#']).next().unwrap_or(u)
}

/// What came in on a connection.
#[derive(Debug, PartialEq)]
pub enum WsEvent {
    /// A text message (binary ones are read as UTF-8 when they are).
    Text(String),
    /// The server closed the connection (or the stream ended).
    Closed(String),
}

/// One open connection.
pub struct WsConn {
    inner: tokio_tungstenite::WebSocketStream<
        tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>,
    >,
    redactor: Redactor,
}

impl std::fmt::Debug for WsConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WsConn").finish_non_exhaustive()
    }
}

/// Open a connection to `url`. A refused upgrade (any HTTP answer but 101: a proxy that
/// blocks WebSockets, an expired channel) is a `Permission` (403/407), `Fatal` (other 4xx)
/// or `Transient` error naming the status.
pub async fn connect(
    url: &str,
    settings: &WsSettings,
    redactor: &Redactor,
) -> Result<WsConn, SourceError> {
    check_ws_url(url).map_err(|m| SourceError::Fatal(format!("push URL refused: {m}")))?;
    let shown = redactor.scrub(without_query(url));
    let mut request = tungstenite::client::IntoClientRequest::into_client_request(url)
        .map_err(|e| SourceError::Fatal(format!("push URL {shown:?} is not valid: {e}")))?;
    if let Ok(v) = tungstenite::http::HeaderValue::from_str(&settings.user_agent) {
        request.headers_mut().insert("user-agent", v);
    }
    let config = WebSocketConfig::default()
        .max_message_size(Some(settings.max_message_bytes))
        .max_frame_size(Some(settings.max_message_bytes));
    let attempt = tokio_tungstenite::connect_async_with_config(request, Some(config), true);
    let (inner, _response) = match tokio::time::timeout(settings.connect_timeout, attempt).await {
        Err(_) => {
            return Err(SourceError::Transient(format!(
                "no WebSocket connection to {shown} within {} s",
                settings.connect_timeout.as_secs_f64()
            )));
        }
        Ok(Err(e)) => return Err(redactor.scrub_error(upgrade_error(&shown, e))),
        Ok(Ok(c)) => c,
    };
    Ok(WsConn {
        inner,
        redactor: redactor.clone(),
    })
}

fn upgrade_error(shown: &str, e: tungstenite::Error) -> SourceError {
    use tungstenite::Error;
    match e {
        Error::Http(resp) => {
            let code = resp.status().as_u16();
            let text = format!(
                "the WebSocket upgrade to {shown} was refused (HTTP {code}); a proxy or firewall may block WebSockets"
            );
            match code {
                403 | 407 => SourceError::Permission(text),
                400..=499 => SourceError::Fatal(text),
                _ => SourceError::Transient(text),
            }
        }
        Error::Url(u) => SourceError::Fatal(format!("push URL {shown:?} is not usable: {u}")),
        Error::Tls(t) => SourceError::Transient(format!("TLS with {shown} failed: {t}")),
        other => SourceError::Transient(format!(
            "WebSocket connection to {shown} failed: {}",
            crate::domain::text::printable(&other.to_string())
        )),
    }
}

impl WsConn {
    /// The next message; pings are answered by the library, pongs skipped. A message over
    /// the size limit or a protocol error is an `Err` (the connection is then unusable).
    pub async fn next(&mut self) -> Result<WsEvent, SourceError> {
        loop {
            let Some(msg) = self.inner.next().await else {
                return Ok(WsEvent::Closed("the connection ended".into()));
            };
            match msg {
                Ok(tungstenite::Message::Text(t)) => return Ok(WsEvent::Text(t.to_string())),
                Ok(tungstenite::Message::Binary(b)) => match String::from_utf8(b.to_vec()) {
                    Ok(t) => return Ok(WsEvent::Text(t)),
                    Err(_) => {
                        return Err(SourceError::Malformed(
                            "a binary WebSocket message that is not UTF-8".into(),
                        ));
                    }
                },
                Ok(tungstenite::Message::Close(frame)) => {
                    let why = frame
                        .map(|f| {
                            format!(
                                "closed by the server ({}{})",
                                u16::from(f.code),
                                if f.reason.is_empty() {
                                    String::new()
                                } else {
                                    format!(": {}", crate::domain::text::printable(&f.reason))
                                }
                            )
                        })
                        .unwrap_or_else(|| "closed by the server".into());
                    return Ok(WsEvent::Closed(self.redactor.scrub(&why)));
                }
                Ok(_) => continue,
                Err(tungstenite::Error::Capacity(c)) => {
                    return Err(SourceError::Malformed(format!(
                        "a WebSocket message over the size limit ({c})"
                    )));
                }
                Err(tungstenite::Error::ConnectionClosed | tungstenite::Error::AlreadyClosed) => {
                    return Ok(WsEvent::Closed("the connection ended".into()));
                }
                Err(e) => {
                    return Err(SourceError::Transient(self.redactor.scrub(&format!(
                        "the WebSocket connection failed: {}",
                        crate::domain::text::printable(&e.to_string())
                    ))));
                }
            }
        }
    }

    /// Send one text message.
    pub async fn send_text(&mut self, text: &str) -> Result<(), SourceError> {
        self.inner
            .send(tungstenite::Message::text(text))
            .await
            .map_err(|e| {
                SourceError::Transient(self.redactor.scrub(&format!(
                    "could not send on the WebSocket: {}",
                    crate::domain::text::printable(&e.to_string())
                )))
            })
    }

    /// Close politely (best effort, bounded).
    pub async fn close(mut self) {
        let _ = tokio::time::timeout(Duration::from_secs(2), self.inner.close(None)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reconnect_doubles_jittered_to_the_cap_and_starts_over_once_up() {
        let s = Duration::from_secs;
        let mut r = Reconnect::new(s(1), s(8), s(600));
        let transient = SourceError::Transient("down".into());
        for base in [1, 2, 4, 8, 8, 8] {
            let w = r.failed(&transient);
            assert!(
                w >= s(base).mul_f64(0.8) && w <= s(base).mul_f64(1.2),
                "{w:?} for {base} s"
            );
        }
        // Many failures never overflow and stay at the cap.
        for _ in 0..100 {
            r.failed(&transient);
        }
        assert_eq!(r.ceiling(), s(8));
        r.up();
        let w = r.failed(&transient);
        assert!(w >= s(1).mul_f64(0.8) && w <= s(1).mul_f64(1.2), "{w:?}");
        // The jitter spreads the waits.
        let waits: std::collections::HashSet<Duration> = (0..20)
            .map(|_| {
                let mut r = Reconnect::new(s(1), s(8), s(600));
                r.failed(&transient)
            })
            .collect();
        assert!(waits.len() > 1, "no jitter");
    }

    #[test]
    fn a_refusal_waits_the_refused_retry_and_a_loss_almost_nothing() {
        let s = Duration::from_secs;
        let mut r = Reconnect::new(s(2), s(60), s(600));
        for e in [
            SourceError::Permission("403".into()),
            SourceError::Fatal("400".into()),
            SourceError::Auth("401".into()),
        ] {
            assert_eq!(r.failed(&e), s(600));
        }
        // A refusal counts as a failure: after three, the doubling is at 2 s × 2².
        assert_eq!(r.ceiling(), s(8));
        assert_eq!(r.after_loss(), s(1));
        let quick = Reconnect::new(Duration::from_millis(50), s(1), s(1));
        assert_eq!(quick.after_loss(), Duration::from_millis(50));
    }

    #[test]
    fn only_wss_or_loopback_ws() {
        assert!(check_ws_url("wss://streaming.mypurecloud.com/channels/x").is_ok());
        assert!(check_ws_url("ws://127.0.0.1:9000/channels/x").is_ok());
        assert!(check_ws_url("ws://[::1]:9000/channels/x").is_ok());
        assert!(check_ws_url("ws://localhost/x").is_ok());
        let e = check_ws_url("ws://streaming.example.com/channels/x").unwrap_err();
        assert!(e.contains("non-loopback"), "{e}");
        assert!(check_ws_url("https://streaming.mypurecloud.com/x").is_err());
        assert!(check_ws_url("wss://user:pw@streaming.mypurecloud.com/x").is_err());
        assert!(check_ws_url("wss:///x").is_err());
    }

    #[test]
    fn a_query_is_never_shown() {
        assert_eq!(
            without_query("wss://h/channels/x?access_token=abc#f"),
            "wss://h/channels/x"
        );
        let e = check_ws_url("ftp://h/x?token=abc").unwrap_err();
        assert!(!e.contains("abc"), "{e}");
    }

    #[tokio::test]
    async fn a_refused_upgrade_names_the_status_and_a_dead_port_is_transient() {
        // A plain HTTP server that answers 403 to the upgrade.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            if let Ok((mut s, _)) = listener.accept().await {
                let mut buf = [0u8; 2048];
                let _ = s.read(&mut buf).await;
                let _ = s
                    .write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n")
                    .await;
            }
        });
        let r = connect(
            &format!("ws://{addr}/channels/x?secret=1"),
            &WsSettings::default(),
            &Redactor::new(),
        )
        .await;
        match r {
            Err(SourceError::Permission(m)) => {
                assert!(m.contains("HTTP 403") && !m.contains("secret"), "{m}")
            }
            other => panic!("{other:?}"),
        }
        let dead = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = dead.local_addr().unwrap();
        drop(dead);
        let r = connect(
            &format!("ws://{addr}/x"),
            &WsSettings::default(),
            &Redactor::new(),
        )
        .await;
        assert!(matches!(r, Err(SourceError::Transient(_))), "{r:?}");
    }
}
