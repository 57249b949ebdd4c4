//! A complete binary tree of non-negative rates for O(log n) updates and
//! selection of an index with probability proportional to its rate.
//!
//! Internal sums are recomputed from the children on every update, so the
//! tree never drifts the way an add/subtract Fenwick tree does.

#[derive(Clone, Debug)]
pub struct SumTree {
    size: usize,
    tree: Vec<f64>,
}

impl SumTree {
    pub fn new(n: usize) -> SumTree {
        let size = n.max(1).next_power_of_two();
        SumTree {
            size,
            tree: vec![0.0; 2 * size],
        }
    }

    /// Sets every leaf at once (O(n)).
    pub fn fill(&mut self, values: impl IntoIterator<Item = f64>) {
        self.tree.iter_mut().for_each(|x| *x = 0.0);
        for (i, v) in values.into_iter().enumerate() {
            self.tree[self.size + i] = v;
        }
        for k in (1..self.size).rev() {
            self.tree[k] = self.tree[2 * k] + self.tree[2 * k + 1];
        }
    }

    #[inline]
    pub fn get(&self, i: usize) -> f64 {
        self.tree[self.size + i]
    }

    #[inline]
    pub fn set(&mut self, i: usize, value: f64) {
        let mut k = self.size + i;
        if self.tree[k] == value {
            return;
        }
        self.tree[k] = value;
        k /= 2;
        while k >= 1 {
            self.tree[k] = self.tree[2 * k] + self.tree[2 * k + 1];
            k /= 2;
        }
    }

    #[inline]
    pub fn total(&self) -> f64 {
        self.tree[1]
    }

    /// The leaf whose cumulative range holds `x` (0 ≤ x < total), and the
    /// remainder of `x` inside that leaf. Leaves with rate 0 are never chosen.
    pub fn find(&self, mut x: f64) -> (usize, f64) {
        let mut k = 1;
        while k < self.size {
            let left = self.tree[2 * k];
            let right = self.tree[2 * k + 1];
            if right <= 0.0 || (x < left && left > 0.0) {
                k *= 2;
            } else {
                x -= left;
                k = 2 * k + 1;
            }
        }
        let leaf = self.tree[k];
        (k - self.size, x.clamp(0.0, leaf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_by_cumulative_rate() {
        let mut t = SumTree::new(5);
        t.fill([1.0, 0.0, 2.0, 0.0, 3.0]);
        assert_eq!(t.total(), 6.0);
        assert_eq!(t.find(0.5).0, 0);
        assert_eq!(t.find(1.0).0, 2);
        assert_eq!(t.find(2.9).0, 2);
        assert_eq!(t.find(3.0).0, 4);
        assert_eq!(t.find(5.999).0, 4);
        // Past the end through rounding: still a positive leaf.
        assert_eq!(t.find(7.0).0, 4);
        t.set(4, 0.0);
        assert_eq!(t.total(), 3.0);
        assert_eq!(t.find(2.99).0, 2);
        assert_eq!(t.find(3.5).0, 2);
    }
}
