//! The wall mode's state: on or off, which page rotation is at, and which queues are in
//! alarm since when (for the flash and the bell). Pages themselves are cut by the screen
//! (`ui::wall`), which shows `page` modulo their number.

use std::collections::HashMap;

use chrono::{DateTime, Duration as ChronoDuration, Utc};

use crate::model::Model;
use crate::model::levels::{self, AlarmCause};
use crate::model::rows::RowKey;

/// An alarm flashes this many times (one second reversed, one second plain), then stays
/// marked without moving.
pub const FLASHES: i64 = 3;

#[derive(Debug, Clone, Default)]
pub struct WallState {
    pub on: bool,
    /// Page counter: the screen shows `page.rem_euclid(pages)`.
    pub page: i64,
    /// When the page last changed (rotation or a key).
    pub turned_at: Option<DateTime<Utc>>,
    /// Queues in alarm, with the moment the alarm began and why.
    pub alarms: HashMap<RowKey, (DateTime<Utc>, AlarmCause)>,
    /// The model revision the alarms were last checked at.
    checked: Option<u64>,
}

impl WallState {
    /// Whether the alarm that began at `since` is in the reversed half of a flash at `now`.
    pub fn flash_on(since: DateTime<Utc>, now: DateTime<Utc>) -> bool {
        let s = (now - since).num_seconds();
        (0..FLASHES * 2).contains(&s) && s % 2 == 0
    }

    /// The alarm on a queue, if any: since when and why.
    pub fn alarm(&self, key: &RowKey) -> Option<(DateTime<Utc>, AlarmCause)> {
        self.alarms.get(key).copied()
    }

    /// Bring the alarm set in line with the model; true when a new alarm began.
    pub fn track(&mut self, model: &Model) -> bool {
        if self.checked == Some(model.revision()) {
            return false;
        }
        self.checked = Some(model.revision());
        let now = model.now();
        let mut began = false;
        let mut seen: Vec<RowKey> = Vec::new();
        for r in &model.derived().queues {
            let Some(cause) = levels::alarm(r, &model.levels(r)) else {
                continue;
            };
            let key = (r.source.clone(), r.id.clone());
            if !self.alarms.contains_key(&key) {
                began = true;
                self.alarms.insert(key.clone(), (now, cause));
            }
            seen.push(key);
        }
        self.alarms.retain(|k, _| seen.contains(k));
        began
    }

    /// Move rotation on when the page has been up for `every`.
    pub fn rotate(&mut self, now: DateTime<Utc>, every: std::time::Duration) -> bool {
        let every = ChronoDuration::from_std(every).unwrap_or(ChronoDuration::seconds(15));
        match self.turned_at {
            Some(t) if now - t < every => false,
            Some(_) => {
                self.turn(1, now);
                true
            }
            None => {
                self.turned_at = Some(now);
                false
            }
        }
    }

    pub fn turn(&mut self, by: i64, now: DateTime<Utc>) {
        self.page = self.page.wrapping_add(by);
        self.turned_at = Some(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn a_flash_ends() {
        let t = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let on: Vec<bool> = (0..10)
            .map(|s| WallState::flash_on(t, t + ChronoDuration::seconds(s)))
            .collect();
        assert_eq!(
            on,
            [
                true, false, true, false, true, false, false, false, false, false
            ]
        );
    }
}
