//! The NATS connection both ends use: credentials from the configuration, TLS for
//! `tls://` URLs, reconnection with capped exponential backoff (async-nats's own), and the
//! link's state for health ("no connection to NATS" is not "the collector is down").

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_nats::{Client, ConnectOptions, Event};
use tokio::sync::Notify;

use crate::config::NatsAuth;

/// What the connection has been through, as its event callback tells it.
#[derive(Default)]
pub struct LinkState {
    /// Times the client (re)connected.
    pub connects: AtomicU64,
    /// The last problem the client reported (never a secret: async-nats does not print them).
    pub last_problem: Mutex<Option<String>>,
    /// Notified on every connect and disconnect.
    pub changed: Notify,
}

impl LinkState {
    pub fn problem(&self) -> Option<String> {
        self.last_problem
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn set_problem(&self, p: Option<String>) {
        *self.last_problem.lock().unwrap_or_else(|e| e.into_inner()) = p;
    }
}

/// Connect to `url` (in the background: the client retries until the server answers and
/// after every loss). `who` names the client on the server (`queuetop serve`, a viewer).
pub async fn connect(
    url: &str,
    auth: &NatsAuth,
    who: &str,
    state: Arc<LinkState>,
) -> Result<Client, String> {
    let opts = match auth {
        NatsAuth::None => ConnectOptions::new(),
        NatsAuth::Token(t) => ConnectOptions::with_token(t.expose().to_string()),
        NatsAuth::UserPassword { user, password } => {
            ConnectOptions::with_user_and_password(user.clone(), password.expose().to_string())
        }
        NatsAuth::Creds(c) => ConnectOptions::with_credentials(c.expose())
            .map_err(|_| "the NATS .creds content is not a valid credentials file".to_string())?,
    };
    let st = state.clone();
    let opts = opts
        .name(who)
        .retry_on_initial_connect()
        .connection_timeout(Duration::from_secs(5))
        .ping_interval(Duration::from_secs(10))
        .request_timeout(Some(Duration::from_secs(10)))
        .require_tls(url.starts_with("tls://"))
        .event_callback(move |ev| {
            let st = st.clone();
            async move {
                match &ev {
                    Event::Connected => {
                        st.connects.fetch_add(1, Ordering::SeqCst);
                        st.set_problem(None);
                        tracing::info!("NATS connected");
                    }
                    Event::Disconnected => {
                        st.set_problem(Some("disconnected; reconnecting".into()));
                        tracing::warn!("NATS disconnected; reconnecting with backoff");
                    }
                    Event::Closed => st.set_problem(Some("connection closed".into())),
                    Event::ServerError(e) => {
                        let text = crate::domain::text::printable(&e.to_string()).into_owned();
                        tracing::warn!("NATS server error: {text}");
                        st.set_problem(Some(text));
                    }
                    other => tracing::debug!("NATS: {other}"),
                }
                st.changed.notify_waiters();
            }
        });
    opts.connect(url).await.map_err(|e| {
        format!(
            "cannot connect to NATS at {url}: {}",
            crate::domain::text::printable(&e.to_string())
        )
    })
}

/// Whether the client is connected now.
pub fn is_connected(c: &Client) -> bool {
    matches!(
        c.connection_state(),
        async_nats::connection::State::Connected
    )
}
