//! The smallest set of scenarios that exercises every clause any of them
//! exercises: an exact minimum set cover by branch and bound (the library
//! is small: tens of scenarios, about a hundred clauses), started from the
//! greedy cover as the first bound. Should the search exceed [`NODE_LIMIT`]
//! nodes it stops and returns the best cover found so far, never larger
//! than the greedy one (within a factor H(d) ≤ 1 + ln d of the smallest, d
//! the most clauses one scenario exercises), and says it is not proven
//! smallest.

/// Search nodes before the exact search gives up (about a second).
pub const NODE_LIMIT: u64 = 5_000_000;

/// A covering set of the columns (scenarios).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cover {
    /// Column indexes, ascending.
    pub chosen: Vec<usize>,
    /// Whether `chosen` is proven to be a smallest cover.
    pub exact: bool,
    /// The greedy cover's size (for the report: what the heuristic gives).
    pub greedy: usize,
}

#[derive(Clone, PartialEq, Eq)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Self {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn set(&mut self, i: usize) {
        self.0[i / 64] |= 1 << (i % 64);
    }
    fn get(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }
    fn or(&mut self, o: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a |= b;
        }
    }
    /// |o \ self|: what `o` adds.
    fn gain(&self, o: &Bits) -> u32 {
        self.0
            .iter()
            .zip(&o.0)
            .map(|(a, b)| (b & !a).count_ones())
            .sum()
    }
    fn count(&self) -> u32 {
        self.0.iter().map(|x| x.count_ones()).sum()
    }
}

/// Greedy set cover: repeatedly the column adding most uncovered elements
/// (ties: the earlier column), in the order chosen.
pub fn greedy(sets: &[Vec<bool>]) -> Vec<usize> {
    let (bits, universe) = to_bits(sets);
    let mut covered = Bits::new(universe_len(sets));
    let mut chosen = Vec::new();
    while covered.count() < universe.count() {
        let (best, gain) = bits
            .iter()
            .enumerate()
            .map(|(j, b)| (j, covered.gain(b)))
            .fold((usize::MAX, 0), |a, b| if b.1 > a.1 { b } else { a });
        if gain == 0 {
            break;
        }
        chosen.push(best);
        covered.or(&bits[best]);
    }
    chosen
}

fn universe_len(sets: &[Vec<bool>]) -> usize {
    sets.iter().map(Vec::len).max().unwrap_or(0)
}

fn to_bits(sets: &[Vec<bool>]) -> (Vec<Bits>, Bits) {
    let n = universe_len(sets);
    let mut universe = Bits::new(n);
    let bits: Vec<Bits> = sets
        .iter()
        .map(|s| {
            let mut b = Bits::new(n);
            for (i, &x) in s.iter().enumerate() {
                if x {
                    b.set(i);
                }
            }
            universe.or(&b);
            b
        })
        .collect();
    (bits, universe)
}

/// A smallest set of columns whose union is the union of all (`sets[j][i]`:
/// column j covers element i). Deterministic: the same matrix gives the
/// same cover.
pub fn min_cover(sets: &[Vec<bool>]) -> Cover {
    min_cover_limited(sets, NODE_LIMIT)
}

/// [`min_cover`] with a node budget (tests use a tiny one to see the
/// fallback).
pub fn min_cover_limited(sets: &[Vec<bool>], limit: u64) -> Cover {
    let (bits, universe) = to_bits(sets);
    let n = universe_len(sets);
    let g = greedy(sets);
    let mut s = Search {
        bits: &bits,
        universe: &universe,
        n,
        best: g.clone(),
        nodes: 0,
        limit,
        stopped: false,
    };
    let mut chosen = Vec::new();
    s.go(&Bits::new(n), &mut chosen);
    let mut best = s.best;
    best.sort_unstable();
    Cover {
        chosen: best,
        exact: !s.stopped,
        greedy: g.len(),
    }
}

struct Search<'a> {
    bits: &'a [Bits],
    universe: &'a Bits,
    n: usize,
    best: Vec<usize>,
    nodes: u64,
    limit: u64,
    stopped: bool,
}

impl Search<'_> {
    fn go(&mut self, covered: &Bits, chosen: &mut Vec<usize>) {
        if self.stopped {
            return;
        }
        self.nodes += 1;
        if self.nodes > self.limit {
            self.stopped = true;
            return;
        }
        let left = self.universe.count() - covered.count();
        if left == 0 {
            if chosen.len() < self.best.len() {
                self.best = chosen.clone();
            }
            return;
        }
        // Lower bound: each further column adds at most `max_gain`.
        let max_gain = self.bits.iter().map(|b| covered.gain(b)).max().unwrap_or(0);
        if max_gain == 0 {
            return;
        }
        let need = left.div_ceil(max_gain) as usize;
        if chosen.len() + need >= self.best.len() {
            return;
        }
        // Branch on the uncovered element fewest columns cover (ties: the
        // first): one of them must be in every cover.
        let (elem, _) = (0..self.n)
            .filter(|&i| self.universe.get(i) && !covered.get(i))
            .map(|i| (i, self.bits.iter().filter(|b| b.get(i)).count()))
            .min_by_key(|&(i, k)| (k, i))
            .expect("an uncovered element");
        let mut options: Vec<(usize, u32)> = self
            .bits
            .iter()
            .enumerate()
            .filter(|(_, b)| b.get(elem))
            .map(|(j, b)| (j, covered.gain(b)))
            .collect();
        // Most new elements first (ties: the earlier column).
        options.sort_by_key(|&(j, g)| (std::cmp::Reverse(g), j));
        for (j, _) in options {
            let mut next = covered.clone();
            next.or(&self.bits[j]);
            chosen.push(j);
            self.go(&next, chosen);
            chosen.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(rows: &[&str]) -> Vec<Vec<bool>> {
        rows.iter()
            .map(|r| r.bytes().map(|b| b == b'1').collect())
            .collect()
    }

    /// The smallest cover by trying every subset in order of size.
    fn brute(sets: &[Vec<bool>]) -> usize {
        let n = universe_len(sets);
        let all: Vec<bool> = (0..n).map(|i| sets.iter().any(|s| s[i])).collect();
        (0..1u32 << sets.len())
            .filter(|mask| {
                (0..n).all(|i| !all[i] || (0..sets.len()).any(|j| mask >> j & 1 == 1 && sets[j][i]))
            })
            .map(|mask| mask.count_ones() as usize)
            .min()
            .unwrap()
    }

    /// The classic trap: two rows of 7 elements; greedy takes the 8-element
    /// block of columns 1–4 of both rows first, then needs two more sets;
    /// the two rows alone cover everything.
    const TRAP: [&str; 5] = [
        "11111110000000", // row 1
        "00000001111111", // row 2
        "11110001111000", // columns 1–4 of both rows: greedy's first pick
        "00001100000110", // columns 5–6
        "00000010000001", // column 7
    ];

    #[test]
    fn finds_the_exact_cover_where_greedy_takes_more() {
        let sets = m(&TRAP);
        assert_eq!(greedy(&sets), vec![2, 3, 4]);
        let c = min_cover(&sets);
        assert_eq!(c.chosen, vec![0, 1]);
        assert!(c.exact);
        assert_eq!(c.greedy, 3);
    }

    #[test]
    fn is_minimal_on_pseudo_random_matrices() {
        // A fixed linear congruential stream: 200 matrices of 4–12 columns
        // and 1–70 elements (two words of bits), against brute force.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            x >> 33
        };
        for _ in 0..200 {
            let cols = 4 + (next() % 9) as usize;
            let n = 1 + (next() % 70) as usize;
            let density = 5 + next() % 40;
            let sets: Vec<Vec<bool>> = (0..cols)
                .map(|_| (0..n).map(|_| next() % 100 < density).collect())
                .collect();
            let c = min_cover(&sets);
            assert!(c.exact);
            assert_eq!(c.chosen.len(), brute(&sets), "{sets:?}");
            // It covers everything any column covers.
            for i in 0..n {
                if sets.iter().any(|s| s[i]) {
                    assert!(c.chosen.iter().any(|&j| sets[j][i]), "{sets:?}");
                }
            }
            assert!(c.chosen.len() <= c.greedy);
            assert!(c.chosen.windows(2).all(|w| w[0] < w[1]));
        }
    }

    #[test]
    fn out_of_budget_falls_back_to_a_cover_no_larger_than_greedy() {
        let c = min_cover_limited(&m(&TRAP), 1);
        assert!(!c.exact);
        assert_eq!(c.chosen, vec![2, 3, 4]);
        assert_eq!(c.greedy, 3);
    }

    #[test]
    fn nothing_to_cover_needs_no_scenario() {
        let c = min_cover(&m(&["000", "000"]));
        assert_eq!(c.chosen, Vec::<usize>::new());
        assert!(c.exact);
        assert_eq!(min_cover(&[]).chosen, Vec::<usize>::new());
    }
}
