//! Monte Carlo error of estimates across trials.
//!
//! Trials are independent and identically distributed, so a quantity
//! measured once per trial (a trial's total cost, its p99 RPO, …) is
//! estimated by the mean over trials, with standard error `sd / √n`
//! (central limit theorem). A probability pooled over trials — "fraction of
//! restores that met the RTO", where each trial contributes `num` successes
//! out of `den` restores and `den` varies — is a *ratio of means*
//! `Σ num / Σ den`, whose standard error comes from the delta method for a
//! ratio estimator (Cochran, *Sampling Techniques*, 3rd ed., 1977, ch. 6;
//! Asmussen & Glynn, *Stochastic Simulation*, 2007, §III.3):
//!
//! ```text
//! R̂ = Σ yᵢ / Σ xᵢ,   SE(R̂) = (1 / x̄) · √( Σ (yᵢ − R̂·xᵢ)² / (n·(n − 1)) )
//! ```
//!
//! with `yᵢ`, `xᵢ` trial i's numerator and denominator and `x̄ = Σ xᵢ / n`.
//! Treating each trial as one observation (a batch) keeps the correlation
//! between events of the same trial (one region outage fails many restores
//! together) inside the error, which a binomial formula over pooled events
//! would ignore. Both estimators assume enough trials for the normal
//! approximation (say n ≥ 30); with `R̂` at 0 or 1 the standard error is 0,
//! which means "no variation observed", not certainty.
//!
//! Floating-point sums are taken in input order: callers pass per-trial
//! values sorted by trial index, so the result does not depend on threads or
//! shards (`performance.md` §1.5, §6). Integer totals are exact.

/// z₀.₉₇₅ for two-sided 95 % normal intervals.
pub const Z_975: f64 = 1.959_963_984_540_054;

/// Arithmetic mean, summed in input order; NaN for an empty slice.
pub fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample standard deviation (divisor `n − 1`), two-pass in input order;
/// 0 when fewer than two values.
pub fn sample_sd(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 2 {
        return 0.0;
    }
    let m = mean(values);
    let squares: f64 = values.iter().map(|v| (v - m) * (v - m)).sum();
    (squares / (n - 1) as f64).sqrt()
}

/// Standard error of the mean, `sd / √n`; 0 when fewer than two values.
pub fn standard_error(values: &[f64]) -> f64 {
    let n = values.len();
    if n < 2 {
        return 0.0;
    }
    sample_sd(values) / (n as f64).sqrt()
}

/// The `q`-quantile (`q` in `[0, 1]`, panics otherwise) of per-trial values,
/// by linear interpolation between order statistics (Hyndman & Fan 1996,
/// type 7, the default of R and NumPy): with the values sorted ascending
/// (`f64::total_cmp`, NaN last) as `x₀ ≤ … ≤ xₙ₋₁` and `h = (n − 1)·q`,
/// `x⌊h⌋ + (h − ⌊h⌋)·(x⌊h⌋₊₁ − x⌊h⌋)`. Exact for the sample (no sketch): used
/// for bands such as the P10/P50/P90 of per-trial costs. NaN when empty.
/// Sorts a copy: O(n log n).
pub fn sample_quantile(values: &[f64], q: f64) -> f64 {
    assert!(
        (0.0..=1.0).contains(&q),
        "quantile level {q} is outside [0, 1]"
    );
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    match sorted.get(lo + 1) {
        Some(&next) => sorted[lo] + (h - lo as f64) * (next - sorted[lo]),
        None => sorted[lo],
    }
}

/// `(ratio, standard error)` of the pooled ratio estimator over per-trial
/// `(numerator, denominator)` pairs in trial-index order (module docs; see
/// [`RatioEstimate::from_trials`] for the details). Both are NaN when every
/// denominator is 0 or there are no trials; the standard error is 0 with a
/// single trial.
pub fn ratio_estimate(pairs: &[(u64, u64)]) -> (f64, f64) {
    match RatioEstimate::from_trials(pairs) {
        Some(r) => (r.ratio, r.std_error),
        None => (f64::NAN, f64::NAN),
    }
}

/// The mean of per-trial values with its Monte Carlo error. Units are those
/// of the values.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MeanEstimate {
    /// Number of trials.
    pub trials: usize,
    /// Mean over trials.
    pub mean: f64,
    /// Sample standard deviation across trials (0 when `trials < 2`).
    pub sd: f64,
    /// Standard error of the mean, `sd / √trials` (0 when `trials < 2`).
    pub std_error: f64,
}

impl MeanEstimate {
    /// From per-trial values in trial-index order; `None` when empty.
    pub fn from_values(values: &[f64]) -> Option<MeanEstimate> {
        if values.is_empty() {
            return None;
        }
        let sd = sample_sd(values);
        Some(MeanEstimate {
            trials: values.len(),
            mean: mean(values),
            sd,
            std_error: if values.len() < 2 {
                0.0
            } else {
                sd / (values.len() as f64).sqrt()
            },
        })
    }

    /// Normal-approximation 95 % interval, `mean ± 1.96 · std_error`.
    pub fn ci95(&self) -> (f64, f64) {
        let half = Z_975 * self.std_error;
        (self.mean - half, self.mean + half)
    }
}

/// A ratio pooled over trials (typically a probability) with its
/// delta-method standard error (module docs).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RatioEstimate {
    /// Number of trials.
    pub trials: usize,
    /// Σ numerators (exact).
    pub numerator: u128,
    /// Σ denominators (exact, > 0).
    pub denominator: u128,
    /// `numerator / denominator`.
    pub ratio: f64,
    /// Delta-method standard error of `ratio` (0 when `trials < 2`).
    pub std_error: f64,
}

impl RatioEstimate {
    /// From per-trial `(numerator, denominator)` pairs in trial-index order.
    /// `None` when there are no trials or every denominator is 0 (nothing to
    /// estimate). Trials with a zero denominator still count as trials: they
    /// lower `x̄` and contribute their numerator (normally 0) to the residuals.
    pub fn from_trials(pairs: &[(u64, u64)]) -> Option<RatioEstimate> {
        let numerator: u128 = pairs.iter().map(|&(y, _)| u128::from(y)).sum();
        let denominator: u128 = pairs.iter().map(|&(_, x)| u128::from(x)).sum();
        if denominator == 0 {
            return None;
        }
        let n = pairs.len();
        let ratio = numerator as f64 / denominator as f64;
        let std_error = if n < 2 {
            0.0
        } else {
            let residuals: f64 = pairs
                .iter()
                .map(|&(y, x)| {
                    let e = y as f64 - ratio * x as f64;
                    e * e
                })
                .sum();
            let x_bar = denominator as f64 / n as f64;
            (residuals / (n as f64 * (n - 1) as f64)).sqrt() / x_bar
        };
        Some(RatioEstimate {
            trials: n,
            numerator,
            denominator,
            ratio,
            std_error,
        })
    }

    /// Normal-approximation 95 % interval, `ratio ± 1.96 · std_error`, not
    /// clamped (clamp to `[0, 1]` when reporting a probability).
    pub fn ci95(&self) -> (f64, f64) {
        let half = Z_975 * self.std_error;
        (self.ratio - half, self.ratio + half)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-14 * b.abs().max(1.0)
    }

    #[test]
    fn mean_sd_and_standard_error_by_hand() {
        // 2, 4, 4, 4, 5, 5, 7, 9: mean 40/8 = 5; Σ(x − 5)² = 9+1+1+1+0+0+4+16
        // = 32; sample variance 32/7; sd √(32/7) = 2.138089935299395;
        // SE = sd/√8 = √(4/7) = 0.7559289460184544.
        let v = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        assert_eq!(mean(&v), 5.0);
        assert!(close(sample_sd(&v), 2.138_089_935_299_395));
        assert!(close(standard_error(&v), 0.755_928_946_018_454_4));
        let e = MeanEstimate::from_values(&v).unwrap();
        assert_eq!(e.trials, 8);
        assert_eq!(e.mean, 5.0);
        assert!(close(e.std_error, 0.755_928_946_018_454_4));
        let (lo, hi) = e.ci95();
        assert!(close(
            lo,
            5.0 - 1.959_963_984_540_054 * 0.755_928_946_018_454_4
        ));
        assert!(close(
            hi,
            5.0 + 1.959_963_984_540_054 * 0.755_928_946_018_454_4
        ));
    }

    #[test]
    fn sample_quantile_type_7_by_hand() {
        // Sorted 1, 2, 3, 4 (n = 4, h = 3q): q 0.5 → h 1.5 → 2 + 0.5·1 = 2.5;
        // q 0.1 → h 0.3 → 1.3; q 0.9 → h 2.7 → 3.7; ends are min and max.
        let v = [4.0, 1.0, 3.0, 2.0];
        assert_eq!(sample_quantile(&v, 0.5), 2.5);
        assert!(close(sample_quantile(&v, 0.1), 1.3));
        assert!(close(sample_quantile(&v, 0.9), 3.7));
        assert_eq!(sample_quantile(&v, 0.0), 1.0);
        assert_eq!(sample_quantile(&v, 1.0), 4.0);
        assert_eq!(sample_quantile(&[7.0], 0.3), 7.0);
        assert!(sample_quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn small_samples() {
        assert!(mean(&[]).is_nan());
        assert_eq!(sample_sd(&[3.0]), 0.0);
        assert_eq!(standard_error(&[3.0]), 0.0);
        assert_eq!(MeanEstimate::from_values(&[]), None);
        let one = MeanEstimate::from_values(&[3.0]).unwrap();
        assert_eq!((one.mean, one.sd, one.std_error), (3.0, 0.0, 0.0));
    }

    #[test]
    fn ratio_estimate_by_hand() {
        // Trials (y, x): (1, 2), (3, 4), (0, 2), (2, 4).
        // R̂ = 6/12 = 0.5; residuals y − 0.5x: 0, 1, −1, 0; Σe² = 2;
        // x̄ = 3; SE = √(2 / (4·3)) / 3 = √(1/6)/3 = 0.13608276348795434.
        let r = RatioEstimate::from_trials(&[(1, 2), (3, 4), (0, 2), (2, 4)]).unwrap();
        assert_eq!((r.numerator, r.denominator, r.trials), (6, 12, 4));
        assert_eq!(r.ratio, 0.5);
        assert!(close(r.std_error, 0.136_082_763_487_954_34));
    }

    #[test]
    fn ratio_estimate_with_constant_denominator_is_the_mean_of_proportions() {
        // With equal denominators the ratio estimator reduces to the mean of
        // per-trial proportions pᵢ and its SE to sd(pᵢ)/√n.
        // Proportions 0.1, 0.2, 0.3, 0.6 (denominator 10): mean 0.3;
        // Σ(p − 0.3)² = 0.04 + 0.01 + 0 + 0.09 = 0.14; sd² = 0.14/3;
        // SE = √(0.14/12) = 0.10801234497346433.
        let r = RatioEstimate::from_trials(&[(1, 10), (2, 10), (3, 10), (6, 10)]).unwrap();
        assert!(close(r.ratio, 0.3));
        assert!(close(r.std_error, 0.108_012_344_973_464_33));
        let props = [0.1, 0.2, 0.3, 0.6];
        assert!((r.std_error - standard_error(&props)).abs() < 1e-15);
    }

    #[test]
    fn ratio_estimate_edge_cases() {
        assert_eq!(RatioEstimate::from_trials(&[]), None);
        assert_eq!(RatioEstimate::from_trials(&[(0, 0), (0, 0)]), None);
        let (p, se) = ratio_estimate(&[(0, 0)]);
        assert!(p.is_nan() && se.is_nan());
        assert_eq!(
            ratio_estimate(&[(1, 2), (3, 4), (0, 2), (2, 4)]),
            (0.5, (1.0f64 / 6.0).sqrt() / 3.0)
        );
        let one = RatioEstimate::from_trials(&[(3, 4)]).unwrap();
        assert_eq!((one.ratio, one.std_error), (0.75, 0.0));
        let certain = RatioEstimate::from_trials(&[(5, 5), (7, 7), (0, 0)]).unwrap();
        assert_eq!((certain.ratio, certain.std_error), (1.0, 0.0));
        // Exact integer totals beyond 2^64.
        let big = RatioEstimate::from_trials(&[(u64::MAX, u64::MAX), (u64::MAX, u64::MAX)]);
        assert_eq!(big.unwrap().numerator, 2 * u128::from(u64::MAX));
    }
}
