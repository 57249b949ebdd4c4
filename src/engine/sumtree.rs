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

    /// Sets leaf `i` without updating its ancestors; records the leaf in
    /// `touched` if its value changed. [`SumTree::commit`] then recomputes
    /// the ancestors of every touched leaf once, level by level: the tree
    /// ends exactly as after the same [`SumTree::set`] calls (each internal
    /// sum is `left + right` of the final children either way), but shared
    /// paths to the root are walked once instead of once per leaf.
    #[inline]
    pub fn stage(&mut self, i: usize, value: f64, touched: &mut Vec<u32>) {
        let k = self.size + i;
        if self.tree[k] != value {
            self.tree[k] = value;
            touched.push(k as u32);
        }
    }

    /// Recomputes the ancestors of the leaves staged in `touched` (and
    /// empties it).
    pub fn commit(&mut self, touched: &mut Vec<u32>) {
        match touched.len() {
            0 => return,
            1 => {
                // Every ancestor is known up front: fetch their lines at once
                // rather than one after the other.
                let mut k = touched[0] as usize / 2;
                while k >= 1 {
                    prefetch(&self.tree, k);
                    k /= 2;
                }
                // The running sum stays in a register: `a + b == b + a`
                // exactly in IEEE arithmetic, so adding the sibling to it is
                // the same as recomputing `left + right` from memory.
                let mut c = touched[0] as usize;
                let mut sum = self.tree[c];
                while c > 1 {
                    sum += self.tree[c ^ 1];
                    c /= 2;
                    self.tree[c] = sum;
                }
            }
            2 => {
                // The usual pair (a node and its one neighbour): both paths
                // climb level by level, each sum recomputed from its final
                // children, until they meet; one path after that. The same
                // sums as the general case below.
                let (mut a, mut b) = (touched[0] as usize / 2, touched[1] as usize / 2);
                while a != b {
                    self.tree[a] = self.tree[2 * a] + self.tree[2 * a + 1];
                    self.tree[b] = self.tree[2 * b] + self.tree[2 * b + 1];
                    a /= 2;
                    b /= 2;
                }
                while a >= 1 {
                    self.tree[a] = self.tree[2 * a] + self.tree[2 * a + 1];
                    a /= 2;
                }
            }
            _ => {
                // Every leaf is at the same depth, so the touched nodes stay
                // on one level; sorted, their parents stay sorted and equal
                // parents are adjacent.
                touched.sort_unstable();
                while touched[0] > 1 {
                    let mut w = 0;
                    for r in 0..touched.len() {
                        let p = touched[r] / 2;
                        if w == 0 || touched[w - 1] != p {
                            touched[w] = p;
                            w += 1;
                        }
                    }
                    touched.truncate(w);
                    for &p in touched.iter() {
                        let p = p as usize;
                        self.tree[p] = self.tree[2 * p] + self.tree[2 * p + 1];
                    }
                }
            }
        }
        touched.clear();
    }

    /// Hints that leaf `i` will be staged soon (see [`prefetch`]).
    #[inline(always)]
    pub fn prefetch_leaf(&self, i: usize) {
        prefetch(&self.tree, self.size + i);
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
            // Branch-free descent (the direction is a coin flip, badly
            // predicted); `x - 0.0` is `x`, so this is the same walk as
            // "left if the right is empty or x falls left, else right".
            // The lines two and three levels down are known now, whichever
            // way the walk goes: ask for them early (a hint, no effect on
            // the result).
            prefetch(&self.tree, 8 * k);
            prefetch(&self.tree, 8 * k + 7);
            let go_right = !((right <= 0.0) | ((x < left) & (left > 0.0)));
            x -= left_if(go_right, left);
            k = 2 * k + go_right as usize;
        }
        let leaf = self.tree[k];
        (k - self.size, x.clamp(0.0, leaf))
    }
}

/// `left` if `go_right`, else `+0.0`, without a jump. Written as
/// `if go_right { left } else { 0.0 }`, as a bit mask or with
/// `std::hint::select_unpredictable`, the compiler emitted a conditional
/// jump in [`SumTree::find`], mispredicted at about every other level where
/// both sides hold rate; on x86-64 a conditional move does it instead.
/// Same value either way.
#[inline(always)]
fn left_if(go_right: bool, left: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    {
        let bits: u64;
        // SAFETY: register-only arithmetic (xor, test, cmov): no memory,
        // no stack, no effect other than the output register.
        unsafe {
            std::arch::asm!(
                "xor {out:e}, {out:e}",
                "test {g:e}, {g:e}",
                "cmovnz {out}, {l}",
                g = in(reg) go_right as u32,
                l = in(reg) left.to_bits(),
                out = out(reg) bits,
                options(pure, nomem, nostack),
            );
        }
        f64::from_bits(bits)
    }
    #[cfg(not(target_arch = "x86_64"))]
    if go_right { left } else { 0.0 }
}

/// Hints that `xs[i]` will be read soon (nothing if out of range or not
/// on x86-64).
#[inline(always)]
pub(crate) fn prefetch<T>(xs: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(x) = xs.get(i) {
        // SAFETY: a prefetch is only a hint to the cache: it reads nothing
        // into the program, cannot fault, and the pointer is in bounds.
        #[allow(unused_unsafe)]
        unsafe {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>());
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (xs, i);
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

    /// Staged leaves committed at once leave exactly the tree that one
    /// `set` per leaf leaves (bit for bit), in any order, with repeats.
    #[test]
    fn staged_commit_equals_sets() {
        let n = 1000;
        let mut a = SumTree::new(n);
        let start: Vec<f64> = (0..n).map(|i| ((i * 7919) % 13) as f64 * 0.37).collect();
        a.fill(start.clone());
        let mut b = a.clone();
        let mut touched = Vec::new();
        let mut x = 12345u64;
        for round in 0..200 {
            let k = 1 + round % 40;
            for _ in 0..k {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let i = (x >> 33) as usize % n;
                let v = ((x >> 20) % 1000) as f64 / 7.0;
                a.set(i, v);
                b.stage(i, v, &mut touched);
            }
            b.commit(&mut touched);
            assert!(touched.is_empty());
            assert_eq!(
                a.tree.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                b.tree.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                "round {round}"
            );
        }
    }
}
