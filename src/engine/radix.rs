//! A radix heap: a monotone priority queue of non-negative minutes, for the
//! worm's event-driven sampler.
//!
//! Every key pushed must be at least the last key taken (true of an
//! event-driven simulation: a new event is never earlier than the event
//! being processed). Keys are compared as the bits of non-negative `f64`s,
//! which order the same way as the numbers. Bucket `b > 0` holds the items
//! whose key first differs from the last key taken at bit `b − 1` (counting
//! from the least significant), bucket 0 those equal to it. Taking the
//! smallest item empties the lowest non-empty bucket into lower ones around
//! its minimum; each item only ever moves down, so a push and a pop cost
//! O(1) amortised plus at most 64 moves per item, all sequential, with none
//! of a binary heap's unpredictable comparisons per level.
//!
//! Items with equal keys come out in a fixed order (the reverse of their
//! arrival in bucket 0), so a run replays exactly.

/// A queue of `(minute, value)` items, smallest minute first.
#[derive(Clone, Debug)]
pub struct RadixHeap {
    /// The last key taken (or found smallest by [`RadixHeap::peek`]).
    last: u64,
    len: usize,
    /// Bit `b` set ⇔ bucket `b` is non-empty.
    nonempty: u128,
    buckets: [Vec<(u64, u32)>; 65],
}

impl Default for RadixHeap {
    fn default() -> RadixHeap {
        RadixHeap {
            last: 0,
            len: 0,
            nonempty: 0,
            buckets: std::array::from_fn(|_| Vec::new()),
        }
    }
}

#[inline]
fn bucket(key: u64, last: u64) -> usize {
    64 - (key ^ last).leading_zeros() as usize
}

impl RadixHeap {
    /// Number of items held.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Adds `value` at `minute` (non-negative, not NaN, and not earlier
    /// than the last minute taken or peeked).
    #[inline]
    pub fn push(&mut self, minute: f64, value: u32) {
        let key = minute.to_bits();
        debug_assert!(minute >= 0.0 && key >= self.last, "non-monotone push");
        let b = bucket(key, self.last);
        self.buckets[b].push((key, value));
        self.nonempty |= 1 << b;
        self.len += 1;
    }

    /// The smallest minute held, if any (an item at that minute is what
    /// [`RadixHeap::pop`] takes next; later pushes may not go below it).
    #[inline]
    pub fn peek(&mut self) -> Option<f64> {
        if self.len == 0 {
            return None;
        }
        if self.nonempty & 1 == 0 {
            self.settle();
        }
        Some(f64::from_bits(self.last))
    }

    /// Takes an item at the smallest minute.
    #[inline]
    pub fn pop(&mut self) -> Option<(f64, u32)> {
        if self.len == 0 {
            return None;
        }
        if self.nonempty & 1 == 0 {
            self.settle();
        }
        let (key, value) = self.buckets[0].pop()?;
        if self.buckets[0].is_empty() {
            self.nonempty &= !1;
        }
        self.len -= 1;
        Some((f64::from_bits(key), value))
    }

    /// Bucket 0 is empty and the heap is not: the lowest non-empty bucket's
    /// minimum becomes `last` and its items move to lower buckets (at least
    /// one to bucket 0).
    fn settle(&mut self) {
        let i = self.nonempty.trailing_zeros() as usize;
        let mut items = std::mem::take(&mut self.buckets[i]);
        self.nonempty &= !(1 << i);
        let last = items.iter().map(|&(k, _)| k).min().unwrap_or(self.last);
        self.last = last;
        for &(k, v) in &items {
            let b = bucket(k, last);
            self.buckets[b].push((k, v));
            self.nonempty |= 1 << b;
        }
        items.clear();
        // Keep the allocation for the next items of that bucket.
        self.buckets[i] = items;
    }
}

#[cfg(test)]
mod tests {
    use super::RadixHeap;
    use rand::{RngExt, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Against a sorted list: the same minutes come out in the same order
    /// under a random mix of pushes (never earlier than the last taken) and
    /// pops, ties and infinity included.
    #[test]
    fn pops_in_order_of_minutes() {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for round in 0..200 {
            let mut h = RadixHeap::default();
            let mut model: Vec<f64> = Vec::new();
            let mut now = 0.0f64;
            for step in 0..400 {
                if model.is_empty() || rng.random_bool(0.55) {
                    let m = match rng.random_range(0..10) {
                        0 => now,
                        1 => f64::INFINITY,
                        2 => now + 1.0,
                        _ => now + rng.random::<f64>() * 100.0 * (round % 5) as f64,
                    };
                    h.push(m, step);
                    model.push(m);
                } else {
                    model.sort_by(|a, b| b.total_cmp(a));
                    let want = model.pop().expect("non-empty");
                    assert_eq!(h.peek(), Some(want));
                    let (got, _) = h.pop().expect("non-empty");
                    assert_eq!(got, want, "round {round} step {step}");
                    now = got;
                }
                assert_eq!(h.len(), model.len());
            }
            model.sort_by(|a, b| a.total_cmp(b));
            for want in model {
                assert_eq!(h.pop().map(|x| x.0), Some(want));
            }
            assert!(h.is_empty() && h.pop().is_none() && h.peek().is_none());
        }
    }
}
