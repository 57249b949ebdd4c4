//! Descriptive statistics and t-based confidence intervals for batches.
//!
//! Small and dependency-free: Student's t quantile by bisection on the CDF,
//! which is the regularized incomplete beta function (continued fraction,
//! as in Numerical Recipes §6.4).

/// Summary of one sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Describe {
    pub n: usize,
    pub mean: f64,
    /// Sample standard deviation (n − 1); `None` below two values.
    pub sd: Option<f64>,
    pub median: f64,
    pub p5: f64,
    pub p95: f64,
    /// 95% confidence interval of the mean (t-based); `None` below two values.
    pub ci: Option<(f64, f64)>,
}

/// Describes `xs` (any order); `None` when empty.
pub fn describe(xs: &[f64]) -> Option<Describe> {
    let n = xs.len();
    if n == 0 {
        return None;
    }
    let mean = xs.iter().sum::<f64>() / n as f64;
    let mut sorted = xs.to_vec();
    sorted.sort_by(f64::total_cmp);
    let (sd, ci) = if n >= 2 {
        let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let sd = var.sqrt();
        let half = t_quantile(0.975, (n - 1) as f64) * sd / (n as f64).sqrt();
        (Some(sd), Some((mean - half, mean + half)))
    } else {
        (None, None)
    };
    Some(Describe {
        n,
        mean,
        sd,
        median: quantile(&sorted, 0.5),
        p5: quantile(&sorted, 0.05),
        p95: quantile(&sorted, 0.95),
        ci,
    })
}

/// Quantile of sorted data, linear interpolation between order statistics
/// (Hyndman & Fan type 7, the default of R and NumPy).
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Paired comparison of `b` against `a` over the same seeds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Pairs where both runs have the metric.
    pub n: usize,
    pub mean_a: f64,
    pub mean_b: f64,
    /// Mean of the per-seed differences b − a.
    pub diff: f64,
    /// 95% CI of the mean difference; `None` below two pairs.
    pub ci: Option<(f64, f64)>,
}

impl Paired {
    /// Relative change (b − a) / mean a, and its CI scaled the same way
    /// (mean a taken as known); `None` when mean a is zero.
    pub fn relative(&self) -> Option<(f64, Option<(f64, f64)>)> {
        if self.mean_a == 0.0 {
            return None;
        }
        let r = |x: f64| x / self.mean_a.abs();
        Some((r(self.diff), self.ci.map(|(l, h)| (r(l), r(h)))))
    }

    /// The CI excludes zero.
    pub fn significant(&self) -> bool {
        matches!(self.ci, Some((l, h)) if l > 0.0 || h < 0.0)
    }
}

/// Paired differences over seeds where both have a value (`pairs` gives
/// (a, b) per seed, in seed order).
pub fn paired(pairs: &[(Option<f64>, Option<f64>)]) -> Option<Paired> {
    let both: Vec<(f64, f64)> = pairs.iter().filter_map(|&(a, b)| Some((a?, b?))).collect();
    let n = both.len();
    if n == 0 {
        return None;
    }
    let diffs: Vec<f64> = both.iter().map(|(a, b)| b - a).collect();
    let d = describe(&diffs)?;
    Some(Paired {
        n,
        mean_a: both.iter().map(|p| p.0).sum::<f64>() / n as f64,
        mean_b: both.iter().map(|p| p.1).sum::<f64>() / n as f64,
        diff: d.mean,
        ci: d.ci,
    })
}

/// Quantile `p` (0 < p < 1) of Student's t distribution with `df` degrees
/// of freedom.
pub fn t_quantile(p: f64, df: f64) -> f64 {
    if p == 0.5 {
        return 0.0;
    }
    if p < 0.5 {
        return -t_quantile(1.0 - p, df);
    }
    // Bracket, then bisect: the CDF is monotone.
    let mut hi = 1.0;
    while t_cdf(hi, df) < p && hi < 1e12 {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo < 1e-12 * hi.max(1.0) {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// CDF of Student's t with `df` degrees of freedom.
pub fn t_cdf(t: f64, df: f64) -> f64 {
    let x = df / (df + t * t);
    let tail = 0.5 * inc_beta(0.5 * df, 0.5, x);
    if t >= 0.0 { 1.0 - tail } else { tail }
}

/// Regularized incomplete beta I_x(a, b).
fn inc_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (1.0 - x).ln();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        front * beta_cf(a, b, x) / a
    } else {
        1.0 - front * beta_cf(b, a, 1.0 - x) / b
    }
}

/// Continued fraction of the incomplete beta (modified Lentz).
fn beta_cf(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=1000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; ~15 significant digits).
fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection.
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut s = C[0];
    for (i, c) in C.iter().enumerate().skip(1) {
        s += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + s.ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_small_sample() {
        let d = describe(&[1.0, 2.0, 3.0, 4.0, 10.0]).unwrap();
        assert_eq!(d.n, 5);
        assert_eq!(d.mean, 4.0);
        assert_eq!(d.median, 3.0);
        // sd = sqrt(((9+4+1+0+36)/4)) = sqrt(12.5)
        assert!((d.sd.unwrap() - 12.5f64.sqrt()).abs() < 1e-12);
        // type 7: p95 at h = 3.8 → 4 + 0.8·6
        assert!((d.p95 - 8.8).abs() < 1e-12);
        assert!((d.p5 - 1.2).abs() < 1e-12);
        let half = 2.776_445 * 12.5f64.sqrt() / 5f64.sqrt();
        let (l, h) = d.ci.unwrap();
        assert!((l - (4.0 - half)).abs() < 1e-4 && (h - (4.0 + half)).abs() < 1e-4);
        assert!(describe(&[]).is_none());
        let one = describe(&[7.0]).unwrap();
        assert_eq!((one.median, one.sd, one.ci), (7.0, None, None));
    }
}
