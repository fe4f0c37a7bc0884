//! The Monte Carlo driver: runs trials (in parallel when asked), folds their outcomes
//! into exact accumulators, and turns those into estimates with Monte Carlo errors.
//!
//! Determinism: every trial's outcome depends only on (model, trial index, seed); the
//! accumulators add integers (exactly associative and commutative) and keep per-trial
//! values tagged with their trial index, sorted before any floating-point arithmetic. So
//! the estimates are bit-for-bit the same for any thread count or split of the trial range.

use std::ops::Range;

use rayon::prelude::*;

use crate::model::Model;
use crate::sim::{
    CopyCounts, GroupOutcome, JobCounts, TrialOutcome, simulate_with, trial::Scratch,
};
use crate::stats::{Histogram, estimate};

/// A single resource lost in its own region: restored from its newest local point.
pub const RESOURCE_LOSS: &str = "resource_loss";
/// The view from the DR region: RPO from the newest cross-region copy (copy lag included).
/// A region outage's restores from those copies are not simulated yet, so these rows have
/// RPO figures only.
pub const DR_REGION: &str = "dr_region";
/// Logical corruption found after a delay: restored from the newest point taken before
/// the corruption that still exists at detection.
pub const LOGICAL_CORRUPTION: &str = "logical_corruption";

/// Which outcome of a trial a row reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// `TrialOutcome::groups`: resource loss in its own region.
    Local,
    /// `TrialOutcome::dr_groups`: from the DR region's copies.
    DrRegion,
    /// `TrialOutcome::corruption_groups`.
    Corruption,
}

/// A row of the RPO/RTO report: a set of groups pooled together.
#[derive(Debug, Clone)]
pub struct RowSpec {
    pub tier: String,
    pub environment: String,
    pub disaster: &'static str,
    /// Which outcome of the trial the row reads.
    pub view: View,
    /// Indices into `Model::groups`.
    pub members: Vec<usize>,
    pub rpo_target_seconds: Option<i64>,
    pub rto_target_seconds: Option<i64>,
    /// Resources in the row.
    pub resources: u64,
}

/// The report rows of a model: every tier × environment group, then every tier over all
/// environments, then everything.
pub fn rows(model: &Model) -> Vec<RowSpec> {
    let mut counts = vec![0u64; model.groups.len()];
    for r in &model.resources {
        counts[r.group] += 1;
    }
    let mut rows: Vec<RowSpec> = model
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| RowSpec {
            tier: g.tier.clone(),
            environment: g.environment.clone(),
            disaster: RESOURCE_LOSS,
            view: View::Local,
            members: vec![i],
            rpo_target_seconds: g.rpo_target_seconds,
            rto_target_seconds: g.rto_target_seconds,
            resources: counts[i],
        })
        .collect();
    let mut tiers: Vec<&str> = model.groups.iter().map(|g| g.tier.as_str()).collect();
    tiers.dedup();
    for tier in tiers {
        let members: Vec<usize> = (0..model.groups.len())
            .filter(|&i| model.groups[i].tier == tier)
            .collect();
        let spec = model.tiers.iter().find(|t| t.name == tier);
        rows.push(RowSpec {
            tier: tier.to_string(),
            environment: "all".to_string(),
            disaster: RESOURCE_LOSS,
            view: View::Local,
            resources: members.iter().map(|&i| counts[i]).sum(),
            members,
            rpo_target_seconds: spec.and_then(|t| t.rpo_target_seconds),
            rto_target_seconds: spec.and_then(|t| t.rto_target_seconds),
        });
    }
    rows.push(RowSpec {
        tier: "all".to_string(),
        environment: "all".to_string(),
        disaster: RESOURCE_LOSS,
        view: View::Local,
        members: (0..model.groups.len()).collect(),
        rpo_target_seconds: None,
        rto_target_seconds: None,
        resources: model.resources.len() as u64,
    });
    // The same rows seen from the DR region (RPO only), and for logical corruption.
    let local = rows.len();
    for i in 0..local {
        let r = rows[i].clone();
        rows.push(RowSpec {
            disaster: DR_REGION,
            view: View::DrRegion,
            rto_target_seconds: None,
            ..r
        });
    }
    if model.disasters.logical_corruption.is_some() {
        for i in 0..local {
            let r = rows[i].clone();
            rows.push(RowSpec {
                disaster: LOGICAL_CORRUPTION,
                view: View::Corruption,
                ..r
            });
        }
    }
    rows
}

/// Quantiles reported for RPO and RTO.
pub const QUANTILES: [f64; 4] = [0.50, 0.90, 0.95, 0.99];

/// One row's values in one trial (for Monte Carlo standard errors).
#[derive(Debug, Clone, Copy)]
struct RowTrial {
    trial: u64,
    rpo: Option<Shape>,
    rto: Option<Shape>,
    rpo_met: u64,
    rpo_unrecoverable: u64,
    rpo_observed: u64,
    rto_met: u64,
    unrecoverable_losses: u64,
    losses: u64,
}

/// Quantiles, maximum and mean of one distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Shape {
    quantiles: [f64; 4],
    max: f64,
    mean: f64,
}

impl Shape {
    fn of(h: &Histogram) -> Option<Shape> {
        Some(Shape {
            quantiles: QUANTILES.map(|q| h.quantile(q).unwrap_or(f64::NAN)),
            max: h.max()? as f64,
            mean: h.mean()?,
        })
    }
}

#[derive(Debug, Clone)]
struct RowAccumulator {
    pooled: GroupOutcome,
    per_trial: Vec<RowTrial>,
}

/// Exact, mergeable totals of a set of trials.
#[derive(Debug, Clone)]
pub struct Accumulator {
    rows: Vec<RowAccumulator>,
    /// (trial, warm bytes per day, cold bytes per day).
    storage: Vec<(u64, Vec<u64>, Vec<u64>)>,
    jobs: JobCounts,
    copies: CopyCounts,
    trials: u64,
}

impl Accumulator {
    pub fn new(rows: &[RowSpec]) -> Accumulator {
        Accumulator {
            rows: rows
                .iter()
                .map(|_| RowAccumulator {
                    pooled: GroupOutcome::new(),
                    per_trial: Vec::new(),
                })
                .collect(),
            storage: Vec::new(),
            jobs: JobCounts::default(),
            copies: CopyCounts::new(),
            trials: 0,
        }
    }

    /// Folds one trial in.
    pub fn add(&mut self, rows: &[RowSpec], outcome: &TrialOutcome) {
        for (spec, acc) in rows.iter().zip(&mut self.rows) {
            let combined;
            let groups = match spec.view {
                View::Local => &outcome.groups,
                View::DrRegion => &outcome.dr_groups,
                View::Corruption => &outcome.corruption_groups,
            };
            let group = if let [only] = spec.members.as_slice() {
                &groups[*only]
            } else {
                let mut g = GroupOutcome::new();
                for &m in &spec.members {
                    g.merge(&groups[m]);
                }
                combined = g;
                &combined
            };
            acc.pooled.merge(group);
            acc.per_trial.push(RowTrial {
                trial: outcome.trial,
                rpo: Shape::of(&group.rpo),
                rto: Shape::of(&group.rto),
                rpo_met: group.rpo_met_seconds,
                rpo_unrecoverable: group.rpo_unrecoverable_seconds,
                rpo_observed: group.rpo_observed_seconds,
                rto_met: group.rto_met,
                unrecoverable_losses: group.unrecoverable_losses,
                losses: group.losses,
            });
        }
        let (warm, cold) = outcome.storage.daily_average_bytes();
        self.storage.push((outcome.trial, warm, cold));
        self.jobs.merge(&outcome.jobs);
        self.copies.merge(&outcome.copies);
        self.trials += 1;
    }

    /// Merges another accumulator (exact; order does not matter).
    pub fn merge(mut self, other: Accumulator) -> Accumulator {
        for (a, b) in self.rows.iter_mut().zip(other.rows) {
            a.pooled.merge(&b.pooled);
            a.per_trial.extend(b.per_trial);
        }
        self.storage.extend(other.storage);
        self.jobs.merge(&other.jobs);
        self.copies.merge(&other.copies);
        self.trials += other.trials;
        self
    }

    /// Computes the estimates. Per-trial values are put in trial order first.
    pub fn finish(mut self, rows: &[RowSpec]) -> Estimates {
        for r in &mut self.rows {
            r.per_trial.sort_by_key(|t| t.trial);
        }
        self.storage.sort_by_key(|s| s.0);
        let n = self.trials;
        let row_estimates = rows
            .iter()
            .zip(&self.rows)
            .enumerate()
            .map(|(i, (spec, acc))| RowEstimate {
                spec_index: i,
                ..row_estimate(spec, acc)
            })
            .collect();
        let days = self.storage.first().map_or(0, |s| s.1.len());
        let storage = (0..days)
            .map(|d| {
                let warm: Vec<f64> = self.storage.iter().map(|s| s.1[d] as f64).collect();
                let cold: Vec<f64> = self.storage.iter().map(|s| s.2[d] as f64).collect();
                DayStorage {
                    day: d,
                    warm: Band::of(&warm),
                    cold: Band::of(&cold),
                }
            })
            .collect();
        Estimates {
            trials: n,
            rows: row_estimates,
            storage,
            jobs: self.jobs,
            copies: self.copies,
        }
    }
}

/// An estimate with its Monte Carlo standard error (`None` where none is defined).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Value {
    pub value: Option<f64>,
    pub standard_error: Option<f64>,
}

/// RPO or RTO of one row: quantiles, maximum and mean, in seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Distribution {
    /// p50, p90, p95, p99.
    pub quantiles: [Value; 4],
    pub max: Value,
    pub mean: Value,
}

/// The estimates of one report row.
#[derive(Debug, Clone, PartialEq)]
pub struct RowEstimate {
    /// Index into the `rows` this estimate was made for.
    pub spec_index: usize,
    pub rpo: Distribution,
    pub rto: Distribution,
    /// Probability that the RPO exposure at a random instant meets the target.
    pub p_meet_rpo: Value,
    /// Probability that a resource-loss restore meets the RTO target.
    pub p_meet_rto: Value,
    /// Fraction of time with no usable recovery point.
    pub p_unrecoverable_time: Value,
    /// Probability that a resource loss finds no usable recovery point.
    pub p_unrecoverable: Value,
    /// Losses sampled in all.
    pub losses: u64,
}

/// Mean and P10/P50/P90 over trials of one quantity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub mean: f64,
    pub p10: f64,
    pub p50: f64,
    pub p90: f64,
}

impl Band {
    fn of(values: &[f64]) -> Band {
        Band {
            mean: estimate::mean(values),
            p10: sample_quantile(values, 0.10),
            p50: sample_quantile(values, 0.50),
            p90: sample_quantile(values, 0.90),
        }
    }
}

/// Quantile `q` of a sample by linear interpolation between order statistics
/// (Hyndman & Fan 1996, definition 7: the default of R and NumPy); NaN when empty.
pub fn sample_quantile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let h = (sorted.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Storage held on one day (average bytes over the day).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DayStorage {
    pub day: usize,
    pub warm: Band,
    pub cold: Band,
}

/// Everything a run estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimates {
    pub trials: u64,
    pub rows: Vec<RowEstimate>,
    pub storage: Vec<DayStorage>,
    pub jobs: JobCounts,
    pub copies: CopyCounts,
}

fn row_estimate(spec: &RowSpec, acc: &RowAccumulator) -> RowEstimate {
    let t = &acc.per_trial;
    let distribution = |pooled: &Histogram, shape: fn(&RowTrial) -> Option<Shape>| {
        let per: Vec<Shape> = t.iter().filter_map(shape).collect();
        let se = |f: fn(&Shape) -> f64| {
            let v: Vec<f64> = per.iter().map(f).filter(|x| x.is_finite()).collect();
            (v.len() >= 2).then(|| estimate::standard_error(&v))
        };
        let qse = [
            se(|s| s.quantiles[0]),
            se(|s| s.quantiles[1]),
            se(|s| s.quantiles[2]),
            se(|s| s.quantiles[3]),
        ];
        Distribution {
            quantiles: std::array::from_fn(|i| Value {
                value: pooled.quantile(QUANTILES[i]),
                standard_error: qse[i],
            }),
            max: Value {
                value: pooled.max().map(|m| m as f64),
                standard_error: None,
            },
            mean: Value {
                value: pooled.mean(),
                standard_error: se(|s| s.mean),
            },
        }
    };
    let ratio = |num: fn(&RowTrial) -> u64, den: fn(&RowTrial) -> u64| {
        let pairs: Vec<(u64, u64)> = t.iter().map(|x| (num(x), den(x))).collect();
        match estimate::RatioEstimate::from_trials(&pairs) {
            Some(r) => Value {
                value: Some(r.ratio),
                standard_error: (r.trials >= 2).then_some(r.std_error),
            },
            None => Value {
                value: None,
                standard_error: None,
            },
        }
    };
    let none = Value {
        value: None,
        standard_error: None,
    };
    RowEstimate {
        spec_index: 0,
        rpo: distribution(&acc.pooled.rpo, |x| x.rpo),
        rto: distribution(&acc.pooled.rto, |x| x.rto),
        p_meet_rpo: if spec.rpo_target_seconds.is_some() {
            ratio(|x| x.rpo_met, |x| x.rpo_observed)
        } else {
            none
        },
        p_meet_rto: if spec.rto_target_seconds.is_some() {
            ratio(|x| x.rto_met, |x| x.losses)
        } else {
            none
        },
        p_unrecoverable_time: ratio(|x| x.rpo_unrecoverable, |x| x.rpo_observed),
        p_unrecoverable: ratio(|x| x.unrecoverable_losses, |x| x.losses),
        losses: acc.pooled.losses,
    }
}

/// Runs trials `range` of `model` with master seed `seed` on the current rayon pool,
/// calling `progress` after each trial (from worker threads).
pub fn run(
    model: &Model,
    rows: &[RowSpec],
    range: Range<u64>,
    seed: u64,
    progress: &(dyn Fn() + Sync),
) -> Accumulator {
    range
        .into_par_iter()
        .fold(
            || (Accumulator::new(rows), Scratch::default()),
            |(mut acc, mut scratch), trial| {
                let outcome = simulate_with(model, trial, seed, &mut scratch);
                acc.add(rows, &outcome);
                progress();
                (acc, scratch)
            },
        )
        .map(|(acc, _)| acc)
        .reduce(|| Accumulator::new(rows), Accumulator::merge)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_quantiles_interpolate_like_r_type_7() {
        // R: quantile(c(1, 2, 3, 4, 10), c(0.1, 0.5, 0.9)) = 1.4, 3.0, 7.6
        let v = [10.0, 1.0, 3.0, 2.0, 4.0];
        assert!((sample_quantile(&v, 0.1) - 1.4).abs() < 1e-12);
        assert_eq!(sample_quantile(&v, 0.5), 3.0);
        assert!((sample_quantile(&v, 0.9) - 7.6).abs() < 1e-12);
        assert!(sample_quantile(&[], 0.5).is_nan());
    }
}
