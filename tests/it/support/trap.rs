//! Servers that misbehave below HTTP: a trap that records whatever reaches it (a redirect
//! target that must receive nothing) and a server that accepts and never answers.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Records every connection and every byte sent to it; answers `200 {}`.
pub struct Trap {
    pub addr: SocketAddr,
    pub connections: Arc<AtomicUsize>,
    pub received: Arc<Mutex<Vec<u8>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Trap {
    pub async fn start() -> Trap {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let connections = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (c, r) = (connections.clone(), received.clone());
        let task = tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                c.fetch_add(1, Ordering::SeqCst);
                let r = r.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 16 * 1024];
                    if let Ok(n) = sock.read(&mut buf).await {
                        r.lock().unwrap().extend_from_slice(&buf[..n]);
                    }
                    let _ = sock
                        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")
                        .await;
                });
            }
        });
        Trap {
            addr,
            connections,
            received,
            task,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Connections made and bytes received so far.
    pub fn seen(&self) -> (usize, Vec<u8>) {
        (
            self.connections.load(Ordering::SeqCst),
            self.received.lock().unwrap().clone(),
        )
    }
}

impl Drop for Trap {
    fn drop(&mut self) {
        self.task.abort();
    }
}
