//! One agent's state history from `POST /api/v2/analytics/users/details/query`.
//!
//! Presence and routing-status records are two overlapping timelines; the agent's state at a
//! moment needs both (On Queue + IDLE = available). They are cut at every boundary of
//! either timeline and each piece is mapped like the live state.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::agents::{PresenceNames, normalise};
use super::wire::{
    Filter, Paging, Predicate, PresenceRecord, RoutingStatus, RoutingStatusRecord, SystemPresence,
    UserDetail, UserDetailsQuery, interval,
};
use crate::domain::StateSpan;

/// The query for one page. Page size: max UNCONFIRMED, 100 is the commonly used value.
pub fn details_query(
    user_id: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    page: u32,
    page_size: u32,
) -> UserDetailsQuery {
    UserDetailsQuery {
        interval: interval(from, to),
        order: Some("asc".into()),
        user_filters: vec![Filter {
            kind: "or".into(),
            clauses: vec![],
            predicates: vec![Predicate {
                kind: Some("dimension".into()),
                dimension: "userId".into(),
                operator: Some("matches".into()),
                value: Some(user_id.into()),
            }],
        }],
        paging: Some(Paging {
            page_size,
            page_number: page,
        }),
    }
}

#[derive(Clone, Debug, PartialEq)]
struct Rec<T> {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    what: T,
}

type PresenceWhat = (Option<SystemPresence>, Option<String>);

/// Every page's records of one user, de-duplicated (a status spanning days is stored twice;
/// pages may overlap).
#[derive(Debug, Default)]
pub struct Collected {
    presence: Vec<Rec<PresenceWhat>>,
    routing: Vec<Rec<Option<RoutingStatus>>>,
    seen_p: HashSet<(i64, i64, String)>,
    seen_r: HashSet<(i64, i64, String)>,
}

impl Collected {
    /// Add one page; returns how many records were not seen before (0 = nothing new).
    pub fn add_page(
        &mut self,
        user_id: &str,
        details: &[UserDetail],
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> usize {
        let mut added = 0;
        for d in details
            .iter()
            .filter(|d| d.user_id.as_deref().is_none_or(|u| u == user_id))
        {
            for p in &d.primary_presence {
                added += usize::from(self.add_presence(p, from, to));
            }
            for r in &d.routing_status {
                added += usize::from(self.add_routing(r, from, to));
            }
        }
        added
    }

    pub fn is_empty(&self) -> bool {
        self.presence.is_empty() && self.routing.is_empty()
    }

    fn add_presence(&mut self, p: &PresenceRecord, from: DateTime<Utc>, to: DateTime<Utc>) -> bool {
        let key = (
            p.start_time.map_or(i64::MIN, |t| t.timestamp_millis()),
            p.end_time.map_or(i64::MAX, |t| t.timestamp_millis()),
            format!("{:?}/{:?}", p.system_presence, p.organization_presence_id),
        );
        // New-ness is decided before clipping, so a page of records outside the window
        // still counts as progress.
        if !self.seen_p.insert(key) {
            return false;
        }
        if let Some((start, end)) = clip(p.start_time, p.end_time, from, to) {
            self.presence.push(Rec {
                start,
                end,
                what: (
                    p.system_presence.clone(),
                    p.organization_presence_id.clone(),
                ),
            });
        }
        true
    }

    fn add_routing(
        &mut self,
        r: &RoutingStatusRecord,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> bool {
        let key = (
            r.start_time.map_or(i64::MIN, |t| t.timestamp_millis()),
            r.end_time.map_or(i64::MAX, |t| t.timestamp_millis()),
            format!("{:?}", r.routing_status),
        );
        if !self.seen_r.insert(key) {
            return false;
        }
        if let Some((start, end)) = clip(r.start_time, r.end_time, from, to) {
            self.routing.push(Rec {
                start,
                end,
                what: r.routing_status.clone(),
            });
        }
        true
    }

    /// Merge both timelines into sorted, non-overlapping spans within `[from, to]`.
    pub fn spans(mut self, presences: &PresenceNames) -> Vec<StateSpan> {
        self.presence.sort_by_key(|r| r.start);
        self.routing.sort_by_key(|r| r.start);
        let mut cuts: Vec<DateTime<Utc>> = self
            .presence
            .iter()
            .flat_map(|r| [r.start, r.end])
            .chain(self.routing.iter().flat_map(|r| [r.start, r.end]))
            .collect();
        cuts.sort();
        cuts.dedup();
        let mut out: Vec<StateSpan> = vec![];
        for w in cuts.windows(2) {
            let (a, b) = (w[0], w[1]);
            // No presence record here: leave a gap (the app shows it as unknown).
            let Some(p) = covering(&self.presence, a) else {
                continue;
            };
            let routing = covering(&self.routing, a).and_then(|r| r.what.as_ref());
            let (sys, org) = &p.what;
            let system = sys.clone().or_else(|| presences.system_of(org.as_deref()));
            let state = normalise(system.as_ref(), routing);
            let reason = presences.reason(org.as_deref(), system.as_ref(), routing);
            crate::domain::spans::push_merged(&mut out, a, b, state, reason);
        }
        out
    }
}

/// The record in force at `t` (the latest-starting one if records overlap).
fn covering<T>(recs: &[Rec<T>], t: DateTime<Utc>) -> Option<&Rec<T>> {
    let upto = recs.partition_point(|r| r.start <= t);
    recs[..upto].iter().rev().find(|r| r.end > t)
}

/// A record's `[start, end)` clipped to `[from, to]`; an open record ends at `to`.
fn clip(
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let s = start?.max(from);
    let e = end.unwrap_or(to).min(to);
    (s < e).then_some((s, e))
}
