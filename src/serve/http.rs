//! The smallest HTTP/1.1 server that serves one page: `GET /metrics` (OpenMetrics text).
//! Bounded in every way: 16 connections at once, a request head of 8 KiB read within 5 s,
//! one request per connection, anything else answered 404 / 405 / 400.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

const MAX_CONNECTIONS: usize = 16;
const MAX_HEAD: usize = 8 * 1024;
const READ_TIMEOUT: Duration = Duration::from_secs(5);

pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Serve `page()` at `/metrics` until the task is dropped.
pub async fn serve(listener: TcpListener, page: Arc<dyn Fn() -> String + Send + Sync>) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            tokio::time::sleep(Duration::from_millis(100)).await;
            continue;
        };
        let Ok(permit) = slots.clone().try_acquire_owned() else {
            drop(stream); // too many at once: the scraper retries
            continue;
        };
        let page = page.clone();
        tokio::spawn(async move {
            let _ = tokio::time::timeout(Duration::from_secs(15), answer(stream, page)).await;
            drop(permit);
        });
    }
}

async fn answer(mut stream: TcpStream, page: Arc<dyn Fn() -> String + Send + Sync>) {
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 1024];
    let read = tokio::time::timeout(READ_TIMEOUT, async {
        loop {
            let n = stream.read(&mut buf).await.ok()?;
            if n == 0 {
                return None;
            }
            head.extend_from_slice(&buf[..n]);
            if head.windows(4).any(|w| w == b"\r\n\r\n") || head.windows(2).any(|w| w == b"\n\n") {
                return Some(());
            }
            if head.len() > MAX_HEAD {
                return None;
            }
        }
    })
    .await;
    let (status, ctype, body) = match read {
        Ok(Some(())) => {
            let line = head.split(|b| *b == b'\n').next().unwrap_or_default();
            let line = String::from_utf8_lossy(line);
            let mut it = line.split_whitespace();
            match (it.next(), it.next()) {
                (Some("GET"), Some(p)) if p == "/metrics" || p.starts_with("/metrics?") => {
                    ("200 OK", CONTENT_TYPE, page())
                }
                (Some("GET"), Some(_)) => (
                    "404 Not Found",
                    "text/plain",
                    "only /metrics is here\n".into(),
                ),
                (Some(_), Some(_)) => (
                    "405 Method Not Allowed",
                    "text/plain",
                    "GET /metrics\n".into(),
                ),
                _ => ("400 Bad Request", "text/plain", "bad request\n".into()),
            }
        }
        _ => ("400 Bad Request", "text/plain", "bad request\n".into()),
    };
    let reply = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(reply.as_bytes()).await;
    let _ = stream.write_all(body.as_bytes()).await;
    let _ = stream.shutdown().await;
}
