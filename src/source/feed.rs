//! The one polling engine every source runs on.
//!
//! A source is a [`Vendor`]: a set of *parts* (the queue list, live figures, agents, today's
//! figures…), each with its own cadence, plus the code that fetches a part and maps wire →
//! domain. The engine owns everything else, the same way for every vendor: which part is due,
//! the round's schedule (the refresh, stretched by the request budget), jittered and capped
//! backoff after failures, `Retry-After`, and health — LIVE / STALE / OFFLINE / ERROR with the
//! reason and the deadline each part promised for its data (`fresh_until`).

use std::future::Future;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::Rng;

use crate::domain::{
    Agent, AgentHistory, FeedMode, HandleSplit, PartHealth, Queue, SourceHealth, SourceKind,
    SourceSnapshot, SourceStatus, SplitReport,
};
use crate::source::http::{BoxFuture, RequestBudget};
use crate::source::{PollOutcome, SourceError};

/// The longest the engine waits on a server's `Retry-After` before probing again; what the
/// server asked for beyond it is shown and logged.
pub const RETRY_AFTER_CAP: Duration = Duration::from_secs(30);
/// However long the outage, a failing source is probed at least this often (one cheap call:
/// a round stops at its first failure shared by every call).
pub const PROBE_EVERY: Duration = Duration::from_secs(10);
/// An optional part that answered "no" (permission, bad request, unreadable data) is asked
/// again after its own cadence, at most this often: a fix on the platform's side shows
/// without a restart, and a refusal does not cost a request every round.
const REFUSED_RETRY_MIN: Duration = Duration::from_secs(60);
/// A part whose data is due again after a transient failure is retried at least this soon.
const TRANSIENT_RETRY_MAX: Duration = Duration::from_secs(15);

/// One independently refreshed piece of a source.
#[derive(Clone, Debug, PartialEq)]
pub struct PartSpec {
    /// How the part is named in health messages ("live figures", "agent states").
    pub name: &'static str,
    /// Its cadence; `None` = every round (the refresh, stretched by the budget).
    pub every: Option<Duration>,
    /// A part whose failure is only a note (names, labels): the figures stay LIVE.
    pub optional: bool,
    /// The push channel: its fetch (re)starts the push, and its health is what the vendor
    /// reports of the channel ([`Vendor::push_state`]), not the fetch's.
    pub push: bool,
    /// A part the push keeps current: while the push is live it is polled only this often
    /// (reconciliation), and its data is as fresh as the push.
    pub reconcile: Option<Duration>,
}

impl PartSpec {
    /// A part fetched every round.
    pub const fn every_round(name: &'static str) -> PartSpec {
        PartSpec {
            name,
            every: None,
            optional: false,
            push: false,
            reconcile: None,
        }
    }

    /// A part fetched every `every`.
    pub const fn every(name: &'static str, every: Duration) -> PartSpec {
        PartSpec {
            name,
            every: Some(every),
            optional: false,
            push: false,
            reconcile: None,
        }
    }

    /// The push channel, (re)started when the vendor says it is [`Vendor::ready`] (checked
    /// every `every` at most).
    pub const fn push(name: &'static str, every: Duration) -> PartSpec {
        PartSpec {
            name,
            every: Some(every),
            optional: false,
            push: true,
            reconcile: None,
        }
    }

    /// A part whose failure never makes the source STALE.
    pub const fn optional(mut self) -> PartSpec {
        self.optional = true;
        self
    }

    /// While the push is live, poll this part only every `every` (to correct drift).
    pub const fn reconciled_every(mut self, every: Duration) -> PartSpec {
        self.reconcile = Some(every);
        self
    }
}

/// The push channel as the vendor sees it now (the engine turns it into the push part's
/// health, the source's mode and the freshness of the parts the push keeps current).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PushState {
    /// Subscribed, connected, and heard from (an event or a heartbeat) within its timeout.
    pub live: bool,
    /// The time of the newest pushed change.
    pub newest_event: Option<DateTime<Utc>>,
    /// The last sign of life (event or heartbeat).
    pub heard_at: Option<DateTime<Utc>>,
    /// Past this without a sign of life the pushed figures are old.
    pub alive_until: Option<DateTime<Utc>>,
    /// Why it is not live, or what was wrong with what it sent.
    pub error: Option<SourceError>,
    /// Things worth telling (rejected topics, the channels in use).
    pub note: Option<String>,
    /// Parts the push does not keep current (their topics were rejected): polled as usual.
    pub uncovered: Vec<usize>,
}

/// What a vendor module provides: what to fetch and how to map it. No scheduling, backoff
/// or health code belongs here.
pub trait Vendor: Send + 'static {
    fn name(&self) -> &str;
    fn kind(&self) -> SourceKind;
    /// The parts, in the order a round fetches them (prerequisites first).
    fn parts(&self) -> Vec<PartSpec>;
    /// Whether a part can be fetched now (e.g. the queue list is known).
    fn ready(&self, _part: usize) -> bool {
        true
    }
    /// Fetch one part and keep its result; on error the previous value stays.
    fn fetch(&mut self, part: usize) -> impl Future<Output = Result<(), SourceError>> + Send;
    /// Everything the source owns now, from the last good value of each part.
    fn contents(&self) -> (Vec<Queue>, Option<Vec<Agent>>);
    /// Things worth telling besides errors (fallbacks in use, an empty selection…).
    fn notes(&self) -> Vec<String> {
        Vec::new()
    }
    /// The request budget this source's calls draw from, if any.
    fn budget(&self) -> Option<&RequestBudget> {
        None
    }
    /// Requests one round costs on average at `refresh` (for the budget).
    fn requests_per_round(&self, _refresh: Duration) -> f64 {
        1.0
    }
    /// Remove secrets from a text that may carry them and make it printable (errors and
    /// notes pass here before use).
    fn scrub(&self, text: &str) -> String {
        crate::domain::text::printable(text).into_owned()
    }
    /// The source's clock (the demo can run at another instant).
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    /// The push channel's state; `None` for a source that does not push (or has it off).
    fn push_state(&self) -> Option<PushState> {
        None
    }
    /// Wait until something was pushed, and apply all that is queued. Never resolves for a
    /// source that does not push.
    fn pushed(&mut self) -> impl Future<Output = ()> + Send {
        std::future::pending()
    }
    /// A part due now whatever its cadence (a reconnected push wants a fresh snapshot, a
    /// pushed change an early poll).
    fn urgent(&self, _part: usize) -> bool {
        false
    }
    /// Told when new data is waiting (a push subscription): the engine starts the next
    /// round at once instead of waiting for the refresh.
    fn wake(&self) -> Option<std::sync::Arc<tokio::sync::Notify>> {
        None
    }
    /// A relay (the NATS viewer) reports the health its upstream published: the engine
    /// combines it with the health of its own link ([`relayed`]).
    fn upstream(&self) -> Option<SourceHealth> {
        None
    }
    /// Whatever a history job needs before it can be made (e.g. a connection).
    fn prepare_history(&mut self) -> impl Future<Output = Result<(), SourceError>> + Send {
        std::future::ready(Ok(()))
    }
    /// A job that fetches one agent's history over `[from, to]`: it owns what it needs, so
    /// it runs beside the polling and never delays it. Its errors are already scrubbed.
    fn history_job(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BoxFuture<'static, Result<AgentHistory, SourceError>>;
    /// A job that fetches one agent's handle-time split today (local midnight in the
    /// source's zone → `to`) as the platform reports it; the engine checks the figures.
    /// Like [`Vendor::history_job`] it owns what it needs, and its errors are already
    /// scrubbed. `None`: the platform gives no split.
    fn split_job(
        &mut self,
        _agent_id: &str,
        _to: DateTime<Utc>,
    ) -> Option<BoxFuture<'static, Result<SplitReport, SourceError>>> {
        None
    }
}

/// Why a source without a split has none.
pub const NO_SPLIT: &str = "this source does not report a handle-time split";

/// One part's state in the engine.
#[derive(Debug, Clone)]
struct PartState {
    spec: PartSpec,
    ok_at: Option<DateTime<Utc>>,
    tried: Option<Instant>,
    /// The part's interval when it last succeeded (for its deadline).
    interval: Duration,
    error: Option<SourceError>,
    /// Not before this (a `Retry-After`).
    hold_until: Option<Instant>,
}

impl PartState {
    fn new(spec: PartSpec) -> PartState {
        PartState {
            spec,
            ok_at: None,
            tried: None,
            interval: Duration::ZERO,
            error: None,
            hold_until: None,
        }
    }

    fn due(&self, now: Instant, round: Duration, every: Option<Duration>, urgent: bool) -> bool {
        if self.hold_until.is_some_and(|h| now < h) {
            return false;
        }
        let Some(tried) = self.tried else {
            return true;
        };
        if urgent && self.error.is_none() {
            return true;
        }
        let every = every.unwrap_or(Duration::ZERO);
        let wait = match &self.error {
            None if self.ok_at.is_some() => every,
            None => Duration::ZERO,
            // Names and labels that were refused: not a request every round.
            Some(e) if self.spec.optional && refused(e) => every.max(REFUSED_RETRY_MIN),
            // The figures themselves: again at the next round (the round itself backs off
            // while everything fails), but not later than the transient bound.
            Some(_) => every.min(TRANSIENT_RETRY_MAX).min(round.max(every)),
        };
        now.duration_since(tried) >= wait
    }

    /// The deadline this part's data promised: the next fetch is due after `interval`, and
    /// may take as long again (timeouts, retries) before the figures are called old.
    fn fresh_until(&self) -> Option<DateTime<Utc>> {
        let ok = self.ok_at?;
        let grace = self.interval.max(Duration::from_secs(10));
        let d = chrono::Duration::from_std(self.interval + grace).ok()?;
        Some(ok + d)
    }
}

/// A refusal: asking again soon will get the same answer.
fn refused(e: &SourceError) -> bool {
    matches!(
        e,
        SourceError::Permission(_) | SourceError::Fatal(_) | SourceError::Malformed(_)
    )
}

/// A failure every further call of the round would share: the round stops.
fn shared(e: &SourceError) -> bool {
    matches!(
        e,
        SourceError::Transient(_) | SourceError::RateLimited { .. } | SourceError::Auth(_)
    )
}

/// What kind of trouble an error is.
pub fn status_for(e: &SourceError) -> SourceStatus {
    match e {
        SourceError::Auth(_)
        | SourceError::Permission(_)
        | SourceError::Fatal(_)
        | SourceError::Malformed(_) => SourceStatus::Error,
        SourceError::Transient(_) | SourceError::RateLimited { .. } => SourceStatus::Offline,
    }
}

/// Knobs of the engine (tests shorten them).
#[derive(Clone, Debug, PartialEq)]
pub struct EngineSettings {
    /// The wanted refresh of every-round parts.
    pub refresh: Duration,
    /// The longest wait between rounds while everything fails.
    pub max_backoff: Duration,
    /// The longest a `Retry-After` is honoured before probing again.
    pub retry_after_cap: Duration,
}

impl EngineSettings {
    pub fn new(refresh: Duration) -> EngineSettings {
        EngineSettings {
            refresh: refresh.max(Duration::from_millis(200)),
            max_backoff: PROBE_EVERY,
            retry_after_cap: RETRY_AFTER_CAP,
        }
    }
}

/// What happened in one round.
#[derive(Clone, Debug, Default)]
struct Round {
    ok: u32,
    failed: u32,
    first_error: Option<SourceError>,
    /// The longest `Retry-After` asked for this round.
    asked: Option<Duration>,
}

/// The scheduling and health state of one source.
#[derive(Debug)]
pub struct Engine {
    settings: EngineSettings,
    parts: Vec<PartState>,
    /// Rounds in a row in which every call failed.
    failures: u32,
    /// The round interval after the budget stretched it.
    interval: Duration,
    /// A `Retry-After` beyond the cap: (asked, when) for the note.
    long_retry_after: Option<(Duration, DateTime<Utc>)>,
    /// The last round and the wait it left (a snapshot between rounds reports them).
    last: (Round, Duration),
    /// Push parts are started only for a source that runs on (the board, a collector), not
    /// for a one-shot `snapshot`.
    push_allowed: bool,
}

/// One part's data as the health sees it: the push part and the parts it keeps current
/// take their freshness from the push.
struct PartView {
    ok_at: Option<DateTime<Utc>>,
    error: Option<SourceError>,
    fresh_until: Option<DateTime<Utc>>,
}

impl Engine {
    pub fn new(parts: Vec<PartSpec>, settings: EngineSettings) -> Engine {
        Engine {
            interval: settings.refresh,
            settings,
            parts: parts.into_iter().map(PartState::new).collect(),
            failures: 0,
            long_retry_after: None,
            last: (Round::default(), Duration::ZERO),
            push_allowed: false,
        }
    }

    /// Whether the push keeps part `i` current now.
    fn pushed(&self, i: usize, push: Option<&PushState>) -> bool {
        self.parts[i].spec.reconcile.is_some()
            && push.is_some_and(|p| p.live && !p.uncovered.contains(&i))
    }

    /// A part's cadence now: its reconciliation cadence while the push keeps it current.
    fn part_every(&self, i: usize, push: Option<&PushState>) -> Option<Duration> {
        let spec = &self.parts[i].spec;
        match spec.reconcile {
            Some(r) if self.pushed(i, push) => Some(r),
            _ => spec.every,
        }
    }

    fn part_interval(&self, i: usize, push: Option<&PushState>) -> Duration {
        self.part_every(i, push).unwrap_or(self.interval)
    }

    /// Whether some part wants a round now (after pushed news).
    pub fn round_wanted<V: Vendor>(&self, vendor: &V) -> bool {
        let now = Instant::now();
        let push = vendor.push_state();
        (0..self.parts.len()).any(|i| {
            vendor.urgent(i)
                && (!self.parts[i].spec.push || self.push_allowed)
                && vendor.ready(i)
                && self.parts[i].due(now, self.interval, self.part_every(i, push.as_ref()), true)
        })
    }

    fn view(&self, i: usize, push: Option<&PushState>) -> PartView {
        let p = &self.parts[i];
        let own = PartView {
            ok_at: p.ok_at,
            error: p.error.clone(),
            fresh_until: p.fresh_until(),
        };
        match push {
            Some(ps) if p.spec.push => PartView {
                ok_at: ps.heard_at,
                error: p.error.clone().or_else(|| ps.error.clone()),
                fresh_until: ps.alive_until,
            },
            Some(ps) if self.pushed(i, Some(ps)) && own.error.is_none() => PartView {
                fresh_until: match (own.fresh_until, ps.alive_until) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                },
                ..own
            },
            _ => own,
        }
    }

    /// One round: every due part in order, stopping at a failure every further call would
    /// share. Returns the wait until the next round.
    async fn round<V: Vendor>(&mut self, vendor: &mut V) -> (Round, Duration) {
        let mut round = Round::default();
        for i in 0..self.parts.len() {
            let now = Instant::now();
            let push = vendor.push_state();
            let every = self.part_every(i, push.as_ref());
            if (self.parts[i].spec.push && !self.push_allowed)
                || !vendor.ready(i)
                || !self.parts[i].due(now, self.interval, every, vendor.urgent(i))
            {
                continue;
            }
            let r = vendor.fetch(i).await;
            let interval = self.part_interval(i, vendor.push_state().as_ref());
            let p = &mut self.parts[i];
            p.tried = Some(Instant::now());
            match r {
                Ok(()) => {
                    round.ok += 1;
                    p.ok_at = Some(vendor.now());
                    p.interval = interval;
                    p.error = None;
                    p.hold_until = None;
                }
                Err(e) => {
                    let e = scrub_error(vendor, e);
                    tracing::warn!(source = %vendor.name(), part = p.spec.name, error = %e, "call failed; keeping the last good data");
                    if let SourceError::RateLimited { retry_after } = e {
                        let wait = retry_after.min(self.settings.retry_after_cap);
                        p.hold_until = Some(Instant::now() + wait);
                        round.asked = round.asked.max(Some(retry_after));
                    }
                    let stop = shared(&e);
                    // An optional part's refusal is a note, not a failed round.
                    if !p.spec.optional || stop {
                        round.failed += 1;
                        if round.first_error.is_none() {
                            round.first_error = Some(e.clone());
                        }
                    }
                    p.error = Some(e);
                    if stop {
                        break;
                    }
                }
            }
        }
        let wait = self.schedule(vendor, &round);
        self.last = (round.clone(), wait);
        (round, wait)
    }

    /// The wait before the next round.
    fn schedule<V: Vendor>(&mut self, vendor: &V, round: &Round) -> Duration {
        let refresh = self.settings.refresh;
        self.interval = match vendor.budget() {
            Some(b) => b.interval_for(vendor.requests_per_round(refresh), refresh),
            None => refresh,
        };
        let asked = round.asked.unwrap_or_default();
        self.long_retry_after = match round.asked {
            Some(a) if a > self.settings.retry_after_cap => Some((a, vendor.now())),
            Some(_) => None,
            None => self.long_retry_after.take(),
        };
        let capped_ask = asked.min(self.settings.retry_after_cap);
        if round.ok == 0 && round.failed > 0 {
            self.failures = self.failures.saturating_add(1);
            let exp = self
                .interval
                .saturating_mul(1u32 << (self.failures - 1).min(8))
                .min(self.settings.max_backoff.max(self.interval));
            let jittered = exp.mul_f64(rand::rng().random_range(0.8..=1.2));
            return jittered.max(capped_ask);
        }
        self.failures = 0;
        self.interval.max(capped_ask)
    }

    /// LIVE when every part is fine; STALE when some part failed (its last good value is
    /// still shown, with its age); OFFLINE (ERROR for credential, permission, configuration
    /// or data problems) when nothing worked this round or nothing was ever fetched.
    fn health<V: Vendor>(&self, vendor: &V, round: &Round, wait: Duration) -> SourceHealth {
        let now = vendor.now();
        let push = vendor.push_state();
        let views: Vec<PartView> = (0..self.parts.len())
            .map(|i| self.view(i, push.as_ref()))
            .collect();
        let all = || self.parts.iter().zip(views.iter());
        let required = || all().filter(|(p, _)| !p.spec.optional);
        // The polled parts say when data was last fetched; a push is heard, not fetched.
        let last_ok = required()
            .filter(|(p, _)| !p.spec.push)
            .filter_map(|(_, v)| v.ok_at)
            .max();
        let fresh_until = required().filter_map(|(_, v)| v.fresh_until).min();
        let next_retry = Some(now + chrono::Duration::from_std(wait).unwrap_or_default());
        let mut notes = vendor.notes();
        for (p, v) in all().filter(|(p, _)| p.spec.optional) {
            if let Some(e) = &v.error {
                if p.spec.push {
                    notes.push(format!("{} not in use, polling instead ({e})", p.spec.name));
                } else {
                    notes.push(format!("{} unavailable ({e})", p.spec.name));
                }
            }
        }
        if let Some(n) = push.as_ref().and_then(|p| p.note.clone()) {
            notes.push(n);
        }
        let has_push = self.push_allowed && self.parts.iter().any(|p| p.spec.push);
        let mode = has_push.then_some(match &push {
            Some(ps) if ps.live => FeedMode::Push {
                newest_event: ps.newest_event,
            },
            _ => FeedMode::Poll,
        });
        if self.interval > self.settings.refresh
            && let Some(b) = vendor.budget()
        {
            notes.push(format!(
                "refresh stretched to {} s to stay within {} API requests/min",
                self.interval.as_secs_f64().ceil(),
                b.per_minute()
            ));
        }
        if let Some((asked, at)) = self.long_retry_after {
            notes.push(format!(
                "the platform asked to wait {} s (at {}); probing every {} s",
                asked.as_secs(),
                at.format("%H:%M:%S"),
                self.settings.retry_after_cap.as_secs()
            ));
        }
        let note = (!notes.is_empty()).then(|| vendor.scrub(&notes.join("; ")));
        let parts: Vec<PartHealth> = all()
            .map(|(p, v)| PartHealth {
                name: p.spec.name.to_string(),
                status: match (&v.error, v.ok_at) {
                    (Some(e), _) => status_for(e),
                    (None, _) if p.spec.push && !push.as_ref().is_some_and(|ps| ps.live) => {
                        SourceStatus::Connecting
                    }
                    (None, Some(_)) => SourceStatus::Live,
                    (None, None) => SourceStatus::Connecting,
                },
                fetched_at: v.ok_at,
                fresh_until: v.fresh_until,
                error: v.error.as_ref().map(|e| vendor.scrub(&e.to_string())),
            })
            .collect();
        let never = required()
            .filter(|(p, _)| !p.spec.push)
            .all(|(_, v)| v.ok_at.is_none());
        if (round.ok == 0 && round.failed > 0) || never {
            let err = round
                .first_error
                .clone()
                .or_else(|| required().find_map(|(_, v)| v.error.clone()));
            let status = match &err {
                Some(e) => status_for(e),
                None => SourceStatus::Connecting,
            };
            return SourceHealth {
                status,
                last_ok,
                fresh_until,
                error: err.map(|e| vendor.scrub(&e.to_string())),
                next_retry,
                note,
                parts,
                mode,
            };
        }
        let failing: Vec<String> = required()
            .filter_map(|(p, v)| {
                let e = v.error.as_ref()?;
                Some(match v.ok_at {
                    Some(t) => format!(
                        "{}: {e} — showing data from {} s ago",
                        p.spec.name,
                        (now - t).num_seconds().max(0)
                    ),
                    None => format!("{}: {e} — no data yet", p.spec.name),
                })
            })
            .collect();
        if failing.is_empty() {
            return SourceHealth {
                status: SourceStatus::Live,
                last_ok,
                fresh_until,
                error: None,
                next_retry: None,
                note,
                parts,
                mode,
            };
        }
        SourceHealth {
            status: SourceStatus::Stale,
            last_ok,
            fresh_until,
            error: Some(vendor.scrub(&failing.join("; "))),
            next_retry,
            note,
            parts,
            mode,
        }
    }
}

/// The health of a relay: its own link first (a link that is down is the reason, whatever
/// the upstream last said), else the upstream's status as of `now` — the worse of the two —
/// with the upstream's reason, freshness and parts after the link's own.
pub fn relayed(own: SourceHealth, up: SourceHealth, now: DateTime<Utc>) -> SourceHealth {
    use crate::domain::text::printable;
    if !matches!(own.status, SourceStatus::Live | SourceStatus::Stale) {
        return own;
    }
    let rank = |s: SourceStatus| match s {
        SourceStatus::Live => 0,
        SourceStatus::Stale => 1,
        SourceStatus::Connecting | SourceStatus::Offline => 2,
        SourceStatus::Error => 3,
    };
    let up_status = up.status_at(now);
    let status = if rank(up_status) > rank(own.status) {
        up_status
    } else {
        own.status
    };
    let error = match (own.error, up.error) {
        (Some(a), Some(b)) => Some(format!("{a}; at the collector: {}", printable(&b))),
        (Some(a), None) => Some(a),
        (None, Some(b)) => Some(format!("at the collector: {}", printable(&b))),
        (None, None) if up_status == SourceStatus::Stale => {
            Some("at the collector: the figures are past their deadline".into())
        }
        (None, None) => None,
    };
    let note = match (own.note, up.note) {
        (Some(a), Some(b)) => Some(format!("{a}; {}", printable(&b))),
        (a, b) => a.or(b.map(|b| printable(&b).into_owned())),
    };
    let fresh_until = match (own.fresh_until, up.fresh_until) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let mut parts = own.parts;
    parts.extend(up.parts);
    SourceHealth {
        status,
        last_ok: up.last_ok,
        fresh_until,
        error,
        next_retry: if status == SourceStatus::Live {
            None
        } else {
            up.next_retry.or(own.next_retry)
        },
        note,
        parts,
        // How the collector gets its figures (push or poll).
        mode: up.mode,
    }
}

/// Names and labels from outside made printable, and every figure and instant checked for
/// plausibility, at the border (once, for every consumer: board, tables, JSON, logs).
/// Returns what was implausible (those values are now unknown).
fn sanitise(queues: &mut [Queue], agents: Option<&mut [Agent]>, now: DateTime<Utc>) -> Vec<String> {
    use crate::domain::bounds::{check_agent, check_queue};
    use crate::domain::text::make_printable;
    let mut problems = Vec::new();
    for q in queues {
        make_printable(&mut q.name);
        problems.extend(check_queue(q, now));
    }
    for a in agents.into_iter().flatten() {
        make_printable(&mut a.name);
        if let Some(r) = &mut a.reason {
            make_printable(r);
        }
        if let Some(t) = &mut a.team {
            make_printable(t);
        }
        if let Some(q) = a.contact.as_mut().and_then(|c| c.queue_id.as_mut()) {
            make_printable(q);
        }
        problems.extend(check_agent(a, now));
    }
    problems
}

/// A source that sent implausible figures is in ERROR (its other figures stay on screen);
/// the message names the first few values.
fn implausible(health: &mut SourceHealth, problems: &[String], source: &str) {
    const SHOWN: usize = 3;
    let mut text = format!(
        "implausible data from the platform, shown as unknown: {}",
        problems[..problems.len().min(SHOWN)].join("; ")
    );
    if problems.len() > SHOWN {
        text.push_str(&format!(" (and {} more)", problems.len() - SHOWN));
    }
    tracing::warn!(source, problems = problems.len(), "{text}");
    if matches!(health.status, SourceStatus::Live | SourceStatus::Stale) {
        health.status = SourceStatus::Error;
    }
    health.error = Some(match health.error.take() {
        Some(e) => format!("{text}; {e}"),
        None => text,
    });
}

fn sanitise_history(mut h: AgentHistory) -> AgentHistory {
    use crate::domain::text::make_printable;
    make_printable(&mut h.agent_name);
    for s in &mut h.spans {
        if let Some(r) = &mut s.reason {
            make_printable(r);
        }
    }
    h
}

/// A split as the platform reported it, checked at the border (what was not believed is
/// unknown, said in `doubts` and logged).
fn checked_split(r: SplitReport, source: &str) -> HandleSplit {
    let s = crate::domain::bounds::check_split(r);
    if !s.doubts.is_empty() {
        tracing::warn!(
            source,
            "implausible handle-time split from the platform, shown as unknown: {}",
            s.doubts.join("; ")
        );
    }
    s
}

fn scrub_error<V: Vendor>(vendor: &V, e: SourceError) -> SourceError {
    let s = |m: String| vendor.scrub(&m);
    match e {
        SourceError::Auth(m) => SourceError::Auth(s(m)),
        SourceError::Permission(m) => SourceError::Permission(s(m)),
        SourceError::Transient(m) => SourceError::Transient(s(m)),
        SourceError::Malformed(m) => SourceError::Malformed(s(m)),
        SourceError::Fatal(m) => SourceError::Fatal(s(m)),
        r @ SourceError::RateLimited { .. } => r,
    }
}

/// A vendor driven by the engine: what the source tasks run, and what tests poll by hand.
pub struct Feed<V: Vendor> {
    vendor: V,
    engine: Engine,
}

impl<V: Vendor> Feed<V> {
    pub fn with_vendor(vendor: V, settings: EngineSettings) -> Feed<V> {
        let engine = Engine::new(vendor.parts(), settings);
        Feed { vendor, engine }
    }

    pub fn vendor(&self) -> &V {
        &self.vendor
    }

    /// Let the source start its push parts (a source that runs on; `source::run` does).
    pub fn allow_push(&mut self) {
        self.engine.push_allowed = true;
    }

    pub fn vendor_mut(&mut self) -> &mut V {
        &mut self.vendor
    }

    pub fn name(&self) -> &str {
        self.vendor.name()
    }

    pub fn kind(&self) -> SourceKind {
        self.vendor.kind()
    }

    /// One round: fetch what is due, then everything the source owns with its health.
    pub async fn poll_round(&mut self) -> PollOutcome {
        let (round, wait) = self.engine.round(&mut self.vendor).await;
        self.outcome(&round, wait)
    }

    /// Wait for pushed news and apply it (never resolves for a source that does not push).
    pub async fn pushed(&mut self) {
        self.vendor.pushed().await
    }

    /// Everything the source owns now, between rounds (after pushed news): the health of
    /// the last round with the push as it is now.
    pub fn publish(&self) -> SourceSnapshot {
        let (round, wait) = &self.engine.last;
        self.outcome(round, *wait).snapshot
    }

    /// Whether pushed news made some part due now (a re-snapshot, an early poll).
    pub fn round_wanted(&self) -> bool {
        self.engine.round_wanted(&self.vendor)
    }

    fn outcome(&self, round: &Round, wait: Duration) -> PollOutcome {
        let mut health = self.engine.health(&self.vendor, round, wait);
        if let Some(up) = self.vendor.upstream() {
            health = relayed(health, up, self.vendor.now());
        }
        let (mut queues, mut agents) = self.vendor.contents();
        let problems = sanitise(&mut queues, agents.as_deref_mut(), self.vendor.now());
        if !problems.is_empty() {
            implausible(&mut health, &problems, self.vendor.name());
        }
        PollOutcome {
            snapshot: SourceSnapshot {
                source: self.vendor.name().to_string(),
                kind: self.vendor.kind(),
                fetched_at: self.vendor.now(),
                queues,
                agents,
                health,
            },
            next_poll_in: wait,
        }
    }

    /// One agent's history, awaited here (the source task runs it as its own job instead).
    pub async fn fetch_history(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<AgentHistory, SourceError> {
        self.vendor
            .prepare_history()
            .await
            .map_err(|e| scrub_error(&self.vendor, e))?;
        let job = self.vendor.history_job(agent_id, from, to);
        job.await
            .map(sanitise_history)
            .map_err(|e| scrub_error(&self.vendor, e))
    }

    /// The job for one agent's history, to run beside the polling.
    pub async fn history_job(
        &mut self,
        agent_id: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> BoxFuture<'static, Result<AgentHistory, String>> {
        if let Err(e) = self.vendor.prepare_history().await {
            let text = scrub_error(&self.vendor, e).to_string();
            return Box::pin(std::future::ready(Err(text)));
        }
        let job = self.vendor.history_job(agent_id, from, to);
        Box::pin(async move { job.await.map(sanitise_history).map_err(|e| e.to_string()) })
    }

    /// One agent's handle-time split today (up to `to`), awaited here.
    pub async fn fetch_split(
        &mut self,
        agent_id: &str,
        to: DateTime<Utc>,
    ) -> Result<HandleSplit, SourceError> {
        self.vendor
            .prepare_history()
            .await
            .map_err(|e| scrub_error(&self.vendor, e))?;
        let Some(job) = self.vendor.split_job(agent_id, to) else {
            return Err(SourceError::Fatal(NO_SPLIT.into()));
        };
        let source = self.vendor.name().to_string();
        job.await
            .map(|r| checked_split(r, &source))
            .map_err(|e| scrub_error(&self.vendor, e))
    }

    /// The job for one agent's handle-time split today (up to `to`), to run beside the
    /// polling and beside the agent's history: neither waits for the other.
    pub async fn split_job(
        &mut self,
        agent_id: &str,
        to: DateTime<Utc>,
    ) -> BoxFuture<'static, Result<HandleSplit, String>> {
        let printable =
            |e: SourceError| crate::domain::text::printable(&e.to_string()).into_owned();
        if let Err(e) = self.vendor.prepare_history().await {
            let text = printable(scrub_error(&self.vendor, e));
            return Box::pin(std::future::ready(Err(text)));
        }
        let Some(job) = self.vendor.split_job(agent_id, to) else {
            return Box::pin(std::future::ready(Err(NO_SPLIT.to_string())));
        };
        let source = self.vendor.name().to_string();
        Box::pin(async move {
            job.await
                .map(|r| checked_split(r, &source))
                .map_err(printable)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A vendor whose answers are scripted per part; every fetch is counted.
    struct Scripted {
        parts: Vec<PartSpec>,
        answers: Vec<VecDeque<Result<(), SourceError>>>,
        fetches: Arc<AtomicUsize>,
        budget: Option<RequestBudget>,
        per_round: f64,
        history_sleep: Duration,
    }

    impl Scripted {
        fn new(parts: Vec<PartSpec>) -> Scripted {
            Scripted {
                answers: parts.iter().map(|_| VecDeque::new()).collect(),
                parts,
                fetches: Arc::new(AtomicUsize::new(0)),
                budget: None,
                per_round: 1.0,
                history_sleep: Duration::ZERO,
            }
        }
        fn script(&mut self, part: usize, answers: Vec<Result<(), SourceError>>) {
            self.answers[part].extend(answers);
        }
    }

    impl Vendor for Scripted {
        fn name(&self) -> &str {
            "scripted"
        }
        fn kind(&self) -> SourceKind {
            SourceKind::Demo
        }
        fn parts(&self) -> Vec<PartSpec> {
            self.parts.clone()
        }
        async fn fetch(&mut self, part: usize) -> Result<(), SourceError> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            self.answers[part].pop_front().unwrap_or(Ok(()))
        }
        fn contents(&self) -> (Vec<Queue>, Option<Vec<Agent>>) {
            (vec![], None)
        }
        fn budget(&self) -> Option<&RequestBudget> {
            self.budget.as_ref()
        }
        fn requests_per_round(&self, _refresh: Duration) -> f64 {
            self.per_round
        }
        fn history_job(
            &mut self,
            agent_id: &str,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
        ) -> BoxFuture<'static, Result<AgentHistory, SourceError>> {
            let sleep = self.history_sleep;
            let agent_id = agent_id.to_string();
            Box::pin(async move {
                tokio::time::sleep(sleep).await;
                Ok(AgentHistory {
                    agent_name: agent_id.clone(),
                    agent_id,
                    from,
                    to,
                    spans: vec![],
                    fetched_at: to,
                })
            })
        }
    }

    fn down() -> SourceError {
        SourceError::Transient("connection refused".into())
    }

    fn feed(v: Scripted, refresh_s: u64) -> Feed<Scripted> {
        Feed::with_vendor(v, EngineSettings::new(Duration::from_secs(refresh_s)))
    }

    #[tokio::test]
    async fn backoff_grows_jittered_and_capped_then_resets() {
        let mut v = Scripted::new(vec![PartSpec::every_round("live")]);
        v.script(0, (0..8).map(|_| Err(down())).collect());
        let mut f = feed(v, 2);
        for n in 1..=8u32 {
            let out = f.poll_round().await;
            assert_eq!(out.snapshot.health.status, SourceStatus::Offline);
            let nominal = Duration::from_secs(2)
                .saturating_mul(1 << (n - 1))
                .min(PROBE_EVERY);
            let w = out.next_poll_in;
            assert!(
                w >= nominal.mul_f64(0.8) && w <= nominal.mul_f64(1.2),
                "failure {n}: {w:?} outside 0.8–1.2 × {nominal:?}"
            );
        }
        let out = f.poll_round().await;
        assert_eq!(out.snapshot.health.status, SourceStatus::Live);
        assert_eq!(
            out.next_poll_in,
            Duration::from_secs(2),
            "no jitter when well"
        );
    }

    #[tokio::test]
    async fn retry_after_is_honoured_up_to_the_cap_and_the_ask_is_shown() {
        let mut v = Scripted::new(vec![PartSpec::every_round("live")]);
        v.script(
            0,
            vec![
                Ok(()),
                Err(SourceError::RateLimited {
                    retry_after: Duration::from_secs(5),
                }),
                Err(SourceError::RateLimited {
                    retry_after: Duration::from_secs(3600),
                }),
            ],
        );
        let mut f = feed(v, 1);
        f.poll_round().await;
        let out = f.poll_round().await;
        assert!(out.next_poll_in >= Duration::from_secs(5), "{out:?}");
        // The part is held until the server's time has passed: a round now fetches nothing.
        let fetched = f.vendor().fetches.load(Ordering::SeqCst);
        f.poll_round().await;
        assert_eq!(f.vendor().fetches.load(Ordering::SeqCst), fetched);

        f.engine.parts[0].hold_until = None;
        let out = f.poll_round().await;
        assert_eq!(out.next_poll_in, RETRY_AFTER_CAP, "capped: {out:?}");
        let note = out.snapshot.health.note.unwrap_or_default();
        assert!(note.contains("asked to wait 3600 s"), "{note}");
        assert!(note.contains("probing every 30 s"), "{note}");
        let held = f.engine.parts[0].hold_until.map(|h| h - Instant::now());
        assert!(held.is_some_and(|h| h <= RETRY_AFTER_CAP), "{held:?}");
    }

    #[tokio::test]
    async fn a_budget_stretched_source_stays_live_until_its_own_deadline() {
        let mut v = Scripted::new(vec![PartSpec::every_round("live")]);
        // 6 requests a minute, 3 per round: the 5 s refresh is stretched to 30 s.
        v.budget = Some(RequestBudget::new(6));
        v.per_round = 3.0;
        let mut f = feed(v, 5);
        f.poll_round().await;
        let out = f.poll_round().await;
        assert_eq!(out.next_poll_in, Duration::from_secs(30));
        let h = &out.snapshot.health;
        let note = h.note.clone().unwrap_or_default();
        assert!(note.contains("refresh stretched to 30 s"), "{note}");
        let ok = h.last_ok.unwrap_or_default();
        // Three refreshes' worth of silence would be STALE under a fixed rule; the
        // source's own promise is 30 s + grace.
        assert_eq!(
            h.status_at(ok + chrono::Duration::seconds(45)),
            SourceStatus::Live
        );
        assert_eq!(
            h.status_at(ok + chrono::Duration::seconds(61)),
            SourceStatus::Stale
        );
    }

    #[tokio::test]
    async fn one_failing_part_is_stale_with_its_age_the_others_keep_their_cadence() {
        let mut v = Scripted::new(vec![
            PartSpec::every_round("live"),
            PartSpec::every("today", Duration::from_secs(3600)),
        ]);
        v.script(
            1,
            vec![Ok(()), Err(SourceError::Malformed("bad shape".into()))],
        );
        let mut f = feed(v, 5);
        f.poll_round().await;
        assert_eq!(f.vendor().fetches.load(Ordering::SeqCst), 2);
        f.poll_round().await;
        assert_eq!(
            f.vendor().fetches.load(Ordering::SeqCst),
            3,
            "today not due"
        );
        f.engine.parts[1].tried = Some(Instant::now() - Duration::from_secs(3601));
        let out = f.poll_round().await;
        let h = &out.snapshot.health;
        assert_eq!(h.status, SourceStatus::Stale, "{h:?}");
        let e = h.error.clone().unwrap_or_default();
        assert!(
            e.starts_with("today: unexpected data") && e.contains("s ago"),
            "{e}"
        );
        assert_eq!(h.parts[1].status, SourceStatus::Error);
        assert_eq!(h.parts[0].status, SourceStatus::Live);
    }

    #[tokio::test(start_paused = true)]
    async fn a_slow_history_never_delays_the_live_polls() {
        let mut v = Scripted::new(vec![PartSpec::every_round("live")]);
        v.history_sleep = Duration::from_secs(10);
        let fetches = v.fetches.clone();
        let f = feed(v, 1);
        let (tx, mut rx) = crate::source::channel::channel();
        let (cmd, cmd_rx) = tokio::sync::mpsc::channel(4);
        let task = tokio::spawn(crate::source::run(f, tx, cmd_rx));
        let first = rx.recv().await;
        assert!(matches!(
            first,
            Some(crate::source::SourceEvent::Snapshot(_))
        ));
        let to = Utc::now();
        cmd.send(crate::source::SourceCommand::History {
            agent_id: "a1".into(),
            from: to - chrono::Duration::hours(24),
            to,
        })
        .await
        .unwrap_or_default();
        let before = fetches.load(Ordering::SeqCst);
        let mut polls_meanwhile = 0;
        loop {
            match rx.recv().await {
                Some(crate::source::SourceEvent::Snapshot(_)) => polls_meanwhile += 1,
                Some(crate::source::SourceEvent::History { result, .. }) => {
                    assert!(result.is_ok());
                    break;
                }
                Some(crate::source::SourceEvent::Split { .. }) => {}
                None => break,
            }
        }
        let fetched = fetches.load(Ordering::SeqCst) - before;
        // 10 s of history at a 1 s refresh: the live part kept its cadence.
        assert!(
            polls_meanwhile >= 9,
            "{polls_meanwhile} polls during the history"
        );
        assert!(fetched >= 9, "{fetched} fetches during the history");
        drop(cmd);
        let _ = task.await;
    }
}
