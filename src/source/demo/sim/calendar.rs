//! The simulator's queue of events due soon: a ring of one-second buckets (a calendar
//! queue), with the events beyond the ring's reach in a heap. Most events of a contact
//! centre are due within minutes (a call's talk, its wrap-up, a caller's patience, the
//! next arrival), so a push is O(1) and a pop sorts only the few events of one second,
//! where a heap of ten thousand agents' events pays a dozen unpredictable comparisons per
//! pop. The order is exactly the heap's: the items' `Ord`, greatest first.

use dary_heap::QuaternaryHeap;

use super::Ms;

/// Width of one bucket.
const BUCKET: Ms = 1000;
/// Buckets in the ring (17 minutes ahead).
const BUCKETS: usize = 1024;

/// An item due at an instant. `Ord` must put an earlier `at` first (greater), so that
/// items in different buckets compare as their buckets do.
pub(super) trait Timed: Ord + Copy {
    fn at(&self) -> Ms;
}

pub(super) struct Calendar<T: Timed> {
    ring: Vec<Vec<T>>,
    /// Start of the current bucket (a multiple of [`BUCKET`]).
    base: Ms,
    /// The current bucket's index in `ring`. It holds every ringed item due before
    /// `base + BUCKET` (overdue ones included), sorted so that the next is last; the
    /// bucket `k` places after it holds those due in `[base + k·BUCKET, base + (k+1)·BUCKET)`.
    cursor: usize,
    /// Items in the ring.
    ringed: usize,
    /// Items due at or after `base + BUCKETS·BUCKET`.
    later: QuaternaryHeap<T>,
}

impl<T: Timed> Calendar<T> {
    /// An empty calendar whose ring starts at `start` (the clock: nothing is due before).
    pub fn new(start: Ms) -> Calendar<T> {
        Calendar {
            ring: (0..BUCKETS).map(|_| Vec::new()).collect(),
            base: start.div_euclid(BUCKET) * BUCKET,
            cursor: 0,
            ringed: 0,
            later: QuaternaryHeap::new(),
        }
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.ringed + self.later.len()
    }

    fn horizon(&self) -> Ms {
        self.base + BUCKETS as Ms * BUCKET
    }

    /// Add an item. One due before the current bucket (the ring moved on to the next item
    /// while the clock had not) joins the current bucket in order, as the next to come.
    pub fn push(&mut self, item: T) {
        let at = item.at();
        if at >= self.horizon() {
            self.later.push(item);
            return;
        }
        self.ringed += 1;
        if at < self.base + BUCKET {
            let current = &mut self.ring[self.cursor];
            let i = current.partition_point(|x| *x < item);
            current.insert(i, item);
        } else {
            let k = ((at - self.base) / BUCKET) as usize;
            self.ring[(self.cursor + k) % BUCKETS].push(item);
        }
    }

    /// The next item (the greatest), bringing the ring up to it.
    pub fn peek(&mut self) -> Option<&T> {
        self.settle();
        self.ring[self.cursor].last()
    }

    pub fn pop(&mut self) -> Option<T> {
        self.settle();
        let item = self.ring[self.cursor].pop()?;
        self.ringed -= 1;
        Some(item)
    }

    /// Move the ring on until its current bucket holds the next item (if any).
    fn settle(&mut self) {
        if !self.ring[self.cursor].is_empty() {
            return;
        }
        if self.ringed == 0 {
            let Some(next) = self.later.peek() else {
                return;
            };
            // Nothing in reach: jump to the next item's bucket.
            self.base = next.at().div_euclid(BUCKET) * BUCKET;
            self.bring_in();
        }
        while self.ring[self.cursor].is_empty() {
            self.base += BUCKET;
            self.cursor = (self.cursor + 1) % BUCKETS;
            self.bring_in();
        }
        self.ring[self.cursor].sort_unstable();
    }

    /// Ring the later items now in reach.
    fn bring_in(&mut self) {
        let horizon = self.horizon();
        while self.later.peek().is_some_and(|x| x.at() < horizon) {
            let Some(item) = self.later.pop() else { break };
            let k = ((item.at() - self.base).max(0) / BUCKET) as usize;
            self.ring[(self.cursor + k) % BUCKETS].push(item);
            self.ringed += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::cmp::Ordering;

    use proptest::prelude::*;

    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    struct Item(Ms, u64);

    impl Ord for Item {
        fn cmp(&self, o: &Self) -> Ordering {
            (o.0, o.1).cmp(&(self.0, self.1))
        }
    }

    impl PartialOrd for Item {
        fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
            Some(self.cmp(o))
        }
    }

    impl Timed for Item {
        fn at(&self) -> Ms {
            self.0
        }
    }

    proptest! {
        /// Interleaved pushes (never before the last item taken, as a clock would) and
        /// pops, some far ahead: the calendar gives exactly the heap's order.
        #[test]
        fn pops_in_the_order_of_a_heap(
            ops in proptest::collection::vec((0u8..4, 0i64..3_000_000), 1..600)
        ) {
            let (mut now, mut seq) = (5_000i64, 0u64);
            let mut cal = Calendar::new(now);
            let mut heap = std::collections::BinaryHeap::new();
            for (op, gap) in ops {
                if op == 0 {
                    let a = cal.pop();
                    let b = heap.pop();
                    prop_assert_eq!(a, b);
                    if let Some(Item(at, _)) = a {
                        now = at;
                    }
                } else if op == 1 {
                    prop_assert_eq!(cal.peek().copied(), heap.peek().copied());
                } else {
                    seq += 1;
                    // Mostly soon, sometimes far beyond the ring, sometimes overdue-now.
                    let at = match op {
                        2 => now + gap % 5_000,
                        _ => now + gap * 3,
                    };
                    cal.push(Item(at, seq));
                    heap.push(Item(at, seq));
                }
                prop_assert_eq!(cal.len(), heap.len());
            }
            while let Some(b) = heap.pop() {
                prop_assert_eq!(cal.pop(), Some(b));
            }
            prop_assert_eq!(cal.pop(), None);
        }
    }

    #[test]
    fn an_item_pushed_before_the_ring_after_a_peek_far_ahead_comes_first() {
        let mut cal = Calendar::new(1_000);
        cal.push(Item(10_000_000, 1));
        // Peeking moves the ring to the far item; a clock still at 1,000 may add one.
        assert_eq!(cal.peek(), Some(&Item(10_000_000, 1)));
        cal.push(Item(1_000, 2));
        cal.push(Item(9_999_999, 3));
        assert_eq!(cal.pop(), Some(Item(1_000, 2)));
        assert_eq!(cal.pop(), Some(Item(9_999_999, 3)));
        assert_eq!(cal.pop(), Some(Item(10_000_000, 1)));
        assert_eq!(cal.pop(), None);
    }
}
