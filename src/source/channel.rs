//! The channel from the source tasks to the app: the latest snapshot of each source wins.
//!
//! A snapshot that has not been read yet is replaced by a newer one of the same source, so a
//! busy consumer never works through a backlog of old figures. Other events (history answers)
//! are kept in order: each answers a request.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::Notify;
pub use tokio::sync::mpsc::error::TryRecvError;

use crate::source::SourceEvent;

#[derive(Default)]
struct Pending {
    /// Sources with an unread snapshot, in the order their first unread one arrived.
    order: VecDeque<String>,
    snapshots: HashMap<String, SourceEvent>,
    others: VecDeque<SourceEvent>,
    /// The latest interval history of each source, until taken.
    intervals: HashMap<String, crate::domain::SourceIntervals>,
    /// Snapshots replaced before they were read (for tests and diagnostics).
    replaced: u64,
    receiver_gone: bool,
}

struct Shared {
    pending: Mutex<Pending>,
    notify: Notify,
    senders: AtomicUsize,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Pending> {
        self.pending.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The sending side (one clone per source task).
pub struct EventSender {
    shared: Arc<Shared>,
}

/// The receiving side (the app).
pub struct EventReceiver {
    shared: Arc<Shared>,
}

/// The receiver is gone: the source task should end.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the receiver is gone")]
pub struct Closed;

/// A new channel.
pub fn channel() -> (EventSender, EventReceiver) {
    let shared = Arc::new(Shared {
        pending: Mutex::new(Pending::default()),
        notify: Notify::new(),
        senders: AtomicUsize::new(1),
    });
    (
        EventSender {
            shared: shared.clone(),
        },
        EventReceiver { shared },
    )
}

impl EventSender {
    /// Hand an event over; never waits. A snapshot replaces an unread one of its source.
    pub fn send(&self, ev: SourceEvent) -> Result<(), Closed> {
        {
            let mut p = self.shared.lock();
            if p.receiver_gone {
                return Err(Closed);
            }
            match ev {
                SourceEvent::Snapshot(s) => {
                    let name = s.source.clone();
                    if p.snapshots
                        .insert(name.clone(), SourceEvent::Snapshot(s))
                        .is_some()
                    {
                        p.replaced += 1;
                    } else {
                        p.order.push_back(name);
                    }
                }
                other => p.others.push_back(other),
            }
        }
        self.shared.notify.notify_one();
        Ok(())
    }

    /// Hand over a source's interval history (the latest per source wins); it is read
    /// with [`EventReceiver::take_intervals`] beside the events.
    pub fn send_intervals(&self, iv: crate::domain::SourceIntervals) -> Result<(), Closed> {
        {
            let mut p = self.shared.lock();
            if p.receiver_gone {
                return Err(Closed);
            }
            p.intervals.insert(iv.source.clone(), iv);
        }
        self.shared.notify.notify_one();
        Ok(())
    }

    /// Whether the receiver has gone away.
    pub fn is_closed(&self) -> bool {
        self.shared.lock().receiver_gone
    }
}

impl Clone for EventSender {
    fn clone(&self) -> Self {
        self.shared.senders.fetch_add(1, Ordering::SeqCst);
        EventSender {
            shared: self.shared.clone(),
        }
    }
}

impl Drop for EventSender {
    fn drop(&mut self) {
        if self.shared.senders.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.shared.notify.notify_one();
        }
    }
}

impl EventReceiver {
    /// The next event; `None` once every sender is gone and nothing is left.
    pub async fn recv(&mut self) -> Option<SourceEvent> {
        loop {
            match self.try_recv() {
                Ok(ev) => return Some(ev),
                Err(TryRecvError::Disconnected) => return None,
                Err(TryRecvError::Empty) => self.shared.notify.notified().await,
            }
        }
    }

    /// The next event if one is waiting.
    pub fn try_recv(&mut self) -> Result<SourceEvent, TryRecvError> {
        let mut p = self.shared.lock();
        if let Some(ev) = p.others.pop_front() {
            return Ok(ev);
        }
        while let Some(name) = p.order.pop_front() {
            if let Some(ev) = p.snapshots.remove(&name) {
                return Ok(ev);
            }
        }
        if self.shared.senders.load(Ordering::SeqCst) == 0 {
            Err(TryRecvError::Disconnected)
        } else {
            Err(TryRecvError::Empty)
        }
    }

    /// The interval histories sent since the last call, one per source.
    pub fn take_intervals(&mut self) -> Vec<crate::domain::SourceIntervals> {
        let mut p = self.shared.lock();
        p.intervals.drain().map(|(_, v)| v).collect()
    }

    /// How many snapshots were replaced by newer ones before they were read.
    pub fn replaced(&self) -> u64 {
        self.shared.lock().replaced
    }
}

impl Drop for EventReceiver {
    fn drop(&mut self) {
        self.shared.lock().receiver_gone = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{SourceHealth, SourceKind, SourceSnapshot};

    fn snap(source: &str, n: usize) -> SourceEvent {
        SourceEvent::Snapshot(Box::new(SourceSnapshot {
            source: source.into(),
            kind: SourceKind::Demo,
            fetched_at: chrono::DateTime::from_timestamp(n as i64, 0).unwrap_or_default(),
            queues: vec![],
            agents: None,
            health: SourceHealth::connecting(),
        }))
    }

    fn at(ev: SourceEvent) -> (String, i64) {
        match ev {
            SourceEvent::Snapshot(s) => (s.source, s.fetched_at.timestamp()),
            SourceEvent::History { agent_id, .. } | SourceEvent::Split { agent_id, .. } => {
                (agent_id, -1)
            }
        }
    }

    #[test]
    fn a_burst_leaves_only_the_newest_of_each_source() {
        let (tx, mut rx) = channel();
        for n in 0..100 {
            tx.send(snap("a", n)).unwrap_or_default();
            if n % 10 == 0 {
                tx.send(snap("b", n)).unwrap_or_default();
            }
        }
        tx.send(SourceEvent::History {
            source: "a".into(),
            agent_id: "x".into(),
            result: Err("e".into()),
        })
        .unwrap_or_default();
        assert_eq!(rx.try_recv().map(at), Ok(("x".into(), -1)));
        assert_eq!(rx.try_recv().map(at), Ok(("a".into(), 99)));
        assert_eq!(rx.try_recv().map(at), Ok(("b".into(), 90)));
        assert_eq!(rx.try_recv().map(at), Err(TryRecvError::Empty));
        assert_eq!(rx.replaced(), 99 + 9);
        drop(tx);
        assert_eq!(rx.try_recv().map(at), Err(TryRecvError::Disconnected));
    }

    #[tokio::test]
    async fn recv_wakes_on_send_and_ends_when_senders_go() {
        let (tx, mut rx) = channel();
        let tx2 = tx.clone();
        let t = tokio::spawn(async move {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            tx2.send(snap("a", 1)).unwrap_or_default();
        });
        assert_eq!(rx.recv().await.map(at), Some(("a".into(), 1)));
        t.await.unwrap_or_default();
        drop(tx);
        assert!(rx.recv().await.is_none());
    }

    #[test]
    fn senders_learn_the_receiver_is_gone() {
        let (tx, rx) = channel();
        drop(rx);
        assert!(tx.is_closed());
        assert_eq!(tx.send(snap("a", 1)), Err(Closed));
    }
}
