//! Paired comparison of two designs run with the same seed (common random numbers).
//!
//! Every random draw of a trial is keyed by (seed, trial, entity, purpose) (`rng`), so two
//! designs simulated with the same seed over the same estate see the same failures,
//! change rates and disasters: trial i of design A and trial i of design B differ only
//! where the designs differ. The difference B − A is then estimated from the per-trial
//! differences, whose spread excludes the noise both designs share — the interval is
//! much narrower than the one from two independent runs (Law, *Simulation Modeling and
//! Analysis*, 5th ed., 2015, §11.2, "common random numbers"; Asmussen & Glynn,
//! *Stochastic Simulation*, 2007, §V.6).
//!
//! Estimators, for n paired trials:
//!
//! - a per-trial quantity (a trial's cost, its p95 RTO): the mean of dᵢ = bᵢ − aᵢ, with
//!   standard error sd(d) / √n;
//! - a pooled probability, a ratio of sums R = Σ yᵢ / Σ xᵢ (`stats::estimate`): the
//!   difference R_B − R_A, with the delta-method standard error of the paired residuals
//!   eᵢ = (y_Bᵢ − R_B·x_Bᵢ) / x̄_B − (y_Aᵢ − R_A·x_Aᵢ) / x̄_A, √(Σ eᵢ² / (n(n − 1)));
//! - the "independent runs" standard error beside it, √(SE_A² + SE_B²): what the same
//!   difference would carry had the designs been run with unrelated seeds.
//!
//! Quantile differences are those of the pooled quantiles (what each run reports); their
//! standard error is that of the per-trial quantile differences (batch means), as for the
//! run's own quantiles. Intervals are two-sided 95 %, Student t with n − 1 degrees of
//! freedom for the paired difference and Welch–Satterthwaite degrees for the independent
//! one. A design compared with itself gives dᵢ = 0 exactly, hence zero-width intervals.
//!
//! Pure: estimates in, a `Comparison` out. `cli::compare` runs the two designs.

use statrs::distribution::{ContinuousCDF, StudentsT};

use crate::montecarlo::{Estimates, QUANTILES, RowSpec, RowTrial, Shape, TrialCost};
use crate::stats::estimate;

/// One estimated difference B − A.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    /// A's estimate and B's.
    pub a: f64,
    pub b: f64,
    /// B − A.
    pub difference: f64,
    /// Standard error and 95 % half-width of the paired difference.
    pub paired_se: f64,
    pub paired_half_width: f64,
    /// The same for two independent runs of the designs.
    pub independent_se: f64,
    pub independent_half_width: f64,
    /// Trials paired.
    pub trials: usize,
}

impl Difference {
    /// The paired 95 % interval of B − A.
    pub fn interval(&self) -> (f64, f64) {
        (
            self.difference - self.paired_half_width,
            self.difference + self.paired_half_width,
        )
    }

    /// Whether the paired interval excludes zero: the designs differ beyond Monte Carlo
    /// noise at 95 %.
    pub fn significant(&self) -> bool {
        let (lo, hi) = self.interval();
        lo > 0.0 || hi < 0.0
    }
}

/// What a row of the comparison measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    PMeetRpo,
    PMeetRto,
    PUnrecoverable,
    /// A quantile (index into `QUANTILES`) or the mean of the RPO, in seconds.
    RpoQuantile(usize),
    RpoMean,
    RtoQuantile(usize),
    RtoMean,
}

impl Metric {
    /// The metrics compared for every row.
    pub const ALL: [Metric; 11] = [
        Metric::PMeetRpo,
        Metric::PMeetRto,
        Metric::PUnrecoverable,
        Metric::RpoQuantile(0),
        Metric::RpoQuantile(2),
        Metric::RpoQuantile(3),
        Metric::RpoMean,
        Metric::RtoQuantile(0),
        Metric::RtoQuantile(2),
        Metric::RtoQuantile(3),
        Metric::RtoMean,
    ];

    /// The metric's name in outputs (`p_meet_rto`, `rpo_p95_seconds`, …).
    pub fn name(self) -> String {
        let percent = |q: usize| (QUANTILES[q] * 100.0).round() as u32;
        match self {
            Metric::PMeetRpo => "p_meet_rpo".to_string(),
            Metric::PMeetRto => "p_meet_rto".to_string(),
            Metric::PUnrecoverable => "p_unrecoverable".to_string(),
            Metric::RpoQuantile(q) => format!("rpo_p{}_seconds", percent(q)),
            Metric::RpoMean => "rpo_mean_seconds".to_string(),
            Metric::RtoQuantile(q) => format!("rto_p{}_seconds", percent(q)),
            Metric::RtoMean => "rto_mean_seconds".to_string(),
        }
    }

    /// Whether the metric is a probability (shown in percentage points).
    pub fn is_probability(self) -> bool {
        matches!(
            self,
            Metric::PMeetRpo | Metric::PMeetRto | Metric::PUnrecoverable
        )
    }
}

/// One report row (tier × environment × disaster) of both designs.
#[derive(Debug, Clone, PartialEq)]
pub struct RowComparison {
    pub tier: String,
    pub environment: String,
    pub disaster: String,
    /// `(metric, difference)` for every metric both designs estimate in this row.
    pub metrics: Vec<(Metric, Difference)>,
}

/// A cost line of both designs (USD).
#[derive(Debug, Clone, PartialEq)]
pub struct CostComparison {
    /// `first_year`, `first_year_<category>`, `projected_steady_monthly`.
    pub name: String,
    pub difference: Difference,
}

/// Everything `compare` reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub trials: usize,
    pub rows: Vec<RowComparison>,
    pub cost: Vec<CostComparison>,
    /// Rows (`tier/environment/disaster`) present in only one design, left out.
    pub unmatched: Vec<String>,
}

/// Compares design B with design A, both run with the same seed and trial range.
///
/// Rows are matched by tier, environment and disaster; the trials must be the same
/// (checked by the caller, which ran them).
pub fn compare(
    rows_a: &[RowSpec],
    a: &Estimates,
    rows_b: &[RowSpec],
    b: &Estimates,
    cost_categories: &[&str],
) -> Comparison {
    let key = |r: &RowSpec| format!("{}/{}/{}", r.tier, r.environment, r.disaster());
    let mut rows = Vec::new();
    let mut unmatched = Vec::new();
    for (i, spec_a) in rows_a.iter().enumerate() {
        let Some(j) = rows_b.iter().position(|s| key(s) == key(spec_a)) else {
            unmatched.push(format!("{} (only in A)", key(spec_a)));
            continue;
        };
        let spec_b = &rows_b[j];
        let (ta, tb) = (&a.series.row(i), &b.series.row(j));
        let mut metrics = Vec::new();
        for metric in Metric::ALL {
            let wanted = match metric {
                Metric::PMeetRpo => {
                    spec_a.rpo_target_seconds.is_some() && spec_b.rpo_target_seconds.is_some()
                }
                Metric::PMeetRto => {
                    spec_a.rto_target_seconds.is_some() && spec_b.rto_target_seconds.is_some()
                }
                _ => true,
            };
            if !wanted {
                continue;
            }
            let d = match metric {
                Metric::PMeetRpo => ratio(ta, tb, |t| (t.rpo_met, t.rpo_observed)),
                Metric::PMeetRto => ratio(ta, tb, |t| (t.rto_met, t.losses)),
                Metric::PUnrecoverable => ratio(ta, tb, |t| (t.unrecoverable_losses, t.losses)),
                Metric::RpoQuantile(q) => shape(ta, tb, |t| t.rpo, |s| s.quantiles[q]).map(|d| {
                    pooled(
                        d,
                        a.rows[i].rpo.quantiles[q].value,
                        b.rows[j].rpo.quantiles[q].value,
                    )
                }),
                Metric::RpoMean => shape(ta, tb, |t| t.rpo, |s| s.mean)
                    .map(|d| pooled(d, a.rows[i].rpo.mean.value, b.rows[j].rpo.mean.value)),
                Metric::RtoQuantile(q) => shape(ta, tb, |t| t.rto, |s| s.quantiles[q]).map(|d| {
                    pooled(
                        d,
                        a.rows[i].rto.quantiles[q].value,
                        b.rows[j].rto.quantiles[q].value,
                    )
                }),
                Metric::RtoMean => shape(ta, tb, |t| t.rto, |s| s.mean)
                    .map(|d| pooled(d, a.rows[i].rto.mean.value, b.rows[j].rto.mean.value)),
            };
            if let Some(d) = d {
                metrics.push((metric, d));
            }
        }
        rows.push(RowComparison {
            tier: spec_a.tier.clone(),
            environment: spec_a.environment.clone(),
            disaster: spec_a.disaster().to_string(),
            metrics,
        });
    }
    for spec_b in rows_b {
        if !rows_a.iter().any(|s| key(s) == key(spec_b)) {
            unmatched.push(format!("{} (only in B)", key(spec_b)));
        }
    }
    Comparison {
        trials: a.series.row_trials(),
        rows,
        cost: cost(&a.series.cost, &b.series.cost, cost_categories),
        unmatched,
    }
}

/// The cost lines, when both designs are priced over the same trials.
fn cost(a: &[TrialCost], b: &[TrialCost], categories: &[&str]) -> Vec<CostComparison> {
    if a.is_empty() || a.len() != b.len() {
        return Vec::new();
    }
    let mut out = vec![CostComparison {
        name: "first_year".to_string(),
        difference: per_trial(
            &a.iter().map(|c| c.first_year).collect::<Vec<_>>(),
            &b.iter().map(|c| c.first_year).collect::<Vec<_>>(),
        ),
    }];
    for (k, category) in categories.iter().enumerate() {
        let of = |c: &TrialCost| c.first_year_by_category.get(k).copied().unwrap_or(0.0);
        out.push(CostComparison {
            name: format!("first_year_{category}"),
            difference: per_trial(
                &a.iter().map(of).collect::<Vec<_>>(),
                &b.iter().map(of).collect::<Vec<_>>(),
            ),
        });
    }
    let steady: Option<(Vec<f64>, Vec<f64>)> = a
        .iter()
        .zip(b)
        .map(|(x, y)| Some((x.projected_steady_monthly?, y.projected_steady_monthly?)))
        .collect::<Option<Vec<_>>>()
        .map(|pairs| pairs.into_iter().unzip());
    if let Some((sa, sb)) = steady {
        out.push(CostComparison {
            name: "projected_steady_monthly".to_string(),
            difference: per_trial(&sa, &sb),
        });
    }
    out
}

/// The difference of two per-trial quantities' means (`a[i]` and `b[i]` from trial i).
pub fn per_trial(a: &[f64], b: &[f64]) -> Difference {
    let n = a.len().min(b.len());
    let (a, b) = (&a[..n], &b[..n]);
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| y - x).collect();
    let (se_a, se_b) = (estimate::standard_error(a), estimate::standard_error(b));
    let (mean_a, mean_b) = (estimate::mean(a), estimate::mean(b));
    difference(
        mean_a,
        mean_b,
        estimate::mean(&d),
        estimate::standard_error(&d),
        (se_a, se_b),
        n,
    )
}

/// The difference of two pooled ratios Σy/Σx, paired by trial.
fn ratio(a: &[RowTrial], b: &[RowTrial], of: fn(&RowTrial) -> (u64, u64)) -> Option<Difference> {
    let pa: Vec<(u64, u64)> = a.iter().map(of).collect();
    let pb: Vec<(u64, u64)> = b.iter().map(of).collect();
    let ra = estimate::RatioEstimate::from_trials(&pa)?;
    let rb = estimate::RatioEstimate::from_trials(&pb)?;
    let n = pa.len().min(pb.len());
    let (xa, xb) = (
        ra.denominator as f64 / ra.trials as f64,
        rb.denominator as f64 / rb.trials as f64,
    );
    let paired_se = if n < 2 {
        0.0
    } else {
        let squares: f64 = pa
            .iter()
            .zip(&pb)
            .map(|(&(ya, x_a), &(yb, x_b))| {
                let e = (yb as f64 - rb.ratio * x_b as f64) / xb
                    - (ya as f64 - ra.ratio * x_a as f64) / xa;
                e * e
            })
            .sum();
        (squares / (n as f64 * (n - 1) as f64)).sqrt()
    };
    Some(difference(
        ra.ratio,
        rb.ratio,
        rb.ratio - ra.ratio,
        paired_se,
        (ra.std_error, rb.std_error),
        n,
    ))
}

/// The per-trial differences of a distribution statistic, over trials where both designs
/// observed the distribution.
fn shape(
    a: &[RowTrial],
    b: &[RowTrial],
    distribution: fn(&RowTrial) -> Option<Shape>,
    statistic: impl Fn(&Shape) -> f64,
) -> Option<Difference> {
    let (xa, xb): (Vec<f64>, Vec<f64>) = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| {
            let (u, v) = (statistic(&distribution(x)?), statistic(&distribution(y)?));
            (u.is_finite() && v.is_finite()).then_some((u, v))
        })
        .unzip();
    (!xa.is_empty()).then(|| per_trial(&xa, &xb))
}

/// Replaces a per-trial difference's point estimates by the pooled estimates each run
/// reports (the errors stay those of the per-trial values).
fn pooled(d: Difference, a: Option<f64>, b: Option<f64>) -> Difference {
    match (a, b) {
        (Some(a), Some(b)) => Difference {
            a,
            b,
            difference: b - a,
            ..d
        },
        _ => d,
    }
}

fn difference(
    a: f64,
    b: f64,
    difference: f64,
    paired_se: f64,
    (se_a, se_b): (f64, f64),
    n: usize,
) -> Difference {
    let independent_se = (se_a * se_a + se_b * se_b).sqrt();
    // Welch–Satterthwaite degrees of freedom for two runs of n trials each.
    let welch = if n >= 2 && independent_se > 0.0 {
        independent_se.powi(4) / ((se_a.powi(4) + se_b.powi(4)) / (n - 1) as f64)
    } else {
        0.0
    };
    Difference {
        a,
        b,
        difference,
        paired_se,
        paired_half_width: t_975(n.saturating_sub(1) as f64) * paired_se,
        independent_se,
        independent_half_width: t_975(welch) * independent_se,
        trials: n,
    }
}

/// The 97.5 % quantile of Student's t with `df` degrees of freedom (the normal's below
/// one degree, where the error is 0 anyway).
fn t_975(df: f64) -> f64 {
    if df < 1.0 {
        return estimate::Z_975;
    }
    StudentsT::new(0.0, 1.0, df)
        .map(|t| t.inverse_cdf(0.975))
        .unwrap_or(estimate::Z_975)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn paired_mean_difference_matches_a_hand_computation() {
        // d = (1, 2, 3): mean 2, sd 1, SE 1/√3; t(0.975, 2) = 4.302652729911275.
        let a = [10.0, 20.0, 30.0];
        let b = [11.0, 22.0, 33.0];
        let d = per_trial(&a, &b);
        assert!(close(d.difference, 2.0));
        assert!(close(d.paired_se, 1.0 / 3f64.sqrt()));
        assert!(close(
            d.paired_half_width,
            4.302_652_729_911_275 / 3f64.sqrt()
        ));
        // Independent: SE_A = 10/√3, SE_B = 11/√3.
        assert!(close(d.independent_se, ((100.0 + 121.0) / 3.0f64).sqrt()));
        assert!(d.paired_half_width < d.independent_half_width);
    }

    #[test]
    fn identical_series_give_zero_width() {
        let a = [3.0, 1.0, 4.0, 1.0, 5.0];
        let d = per_trial(&a, &a);
        assert_eq!(d.difference, 0.0);
        assert_eq!(d.paired_half_width, 0.0);
        assert!(d.independent_half_width > 0.0);
        assert!(!d.significant());
    }

    #[test]
    fn welch_degrees_reduce_to_two_n_minus_two_for_equal_errors() {
        // Equal standard errors: df = 2(n − 1); n = 11 → t(0.975, 20) = 2.0859634472658644.
        let a: Vec<f64> = (0..11).map(f64::from).collect();
        let b: Vec<f64> = a.iter().rev().copied().collect();
        let d = per_trial(&a, &b);
        assert!(close(
            d.independent_half_width / d.independent_se,
            2.085_963_447_265_864_4
        ));
    }

    #[test]
    fn paired_ratio_error_is_the_delta_method_of_the_differences() {
        // With equal denominators the ratio difference is a mean of per-trial differences
        // of proportions: y/x with x = 10 everywhere.
        let trial = |t: u64, met: u64| RowTrial {
            trial: t,
            rpo: None,
            rto: None,
            rpo_met: met,
            rpo_unrecoverable: 0,
            rpo_observed: 10,
            rto_met: 0,
            unrecoverable_losses: 0,
            losses: 0,
        };
        let a: Vec<RowTrial> = [5, 6, 7, 8]
            .iter()
            .enumerate()
            .map(|(i, &m)| trial(i as u64, m))
            .collect();
        let b: Vec<RowTrial> = [6, 8, 7, 9]
            .iter()
            .enumerate()
            .map(|(i, &m)| trial(i as u64, m))
            .collect();
        let d = ratio(&a, &b, |t| (t.rpo_met, t.rpo_observed)).unwrap();
        let pa = [0.5, 0.6, 0.7, 0.8];
        let pb = [0.6, 0.8, 0.7, 0.9];
        let reference = per_trial(&pa, &pb);
        assert!(close(d.difference, reference.difference));
        assert!(close(d.paired_se, reference.paired_se));
        assert!(close(d.independent_se, reference.independent_se));
    }
}
