//! The Monte Carlo driver: runs trials (in parallel when asked), folds their outcomes
//! into exact accumulators, and turns those into estimates with Monte Carlo errors.
//!
//! Determinism: every trial's outcome depends only on (model, trial index, seed); the
//! accumulators add integers (exactly associative and commutative) and keep per-trial
//! values tagged with their trial index, sorted before any floating-point arithmetic. So
//! the estimates are bit-for-bit the same for any thread count or split of the trial range.

use std::sync::Mutex;

use rayon::prelude::*;

use crate::model::Model;
use crate::sim::OutageTimeline;
pub use crate::sim::View;
use crate::sim::outcome::MonthlyCost;
use crate::sim::{
    CopyCounts, GroupOutcome, JobCounts, TrialOutcome, outcome::simulated, simulate_into,
    trial::Scratch,
};
use crate::stats::{Histogram, estimate};

/// A row of the RPO/RTO report: a set of groups pooled together.
#[derive(Debug, Clone)]
pub struct RowSpec {
    pub tier: String,
    pub environment: String,
    /// Which outcome of the trial the row reads (its disaster).
    pub view: View,
    /// Indices into `Model::groups`.
    pub members: Vec<usize>,
    pub rpo_target_seconds: Option<i64>,
    pub rto_target_seconds: Option<i64>,
    /// Resources in the row.
    pub resources: u64,
}

impl RowSpec {
    /// The disaster's name in reports.
    pub fn disaster(&self) -> &'static str {
        self.view.name()
    }
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
        view: View::Local,
        members: (0..model.groups.len()).collect(),
        rpo_target_seconds: None,
        rto_target_seconds: None,
        resources: model.resources.len() as u64,
    });
    // The same rows seen from the DR region (RPO only), and for every other disaster.
    let local = rows.len();
    for view in View::ALL.into_iter().skip(1) {
        if !simulated(model, view) {
            continue;
        }
        for i in 0..local {
            let r = rows[i].clone();
            rows.push(RowSpec {
                view,
                rto_target_seconds: if view == View::DrRegion {
                    None
                } else {
                    r.rto_target_seconds
                },
                ..r
            });
        }
    }
    rows
}

/// Quantiles reported for RPO and RTO.
pub const QUANTILES: [f64; 4] = [0.50, 0.90, 0.95, 0.99];

/// One row's values in one trial (for Monte Carlo standard errors and paired
/// comparisons). Times in seconds.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RowTrial {
    pub trial: u64,
    /// The trial's RPO distribution (`None` when it observed none).
    pub rpo: Option<Shape>,
    pub rto: Option<Shape>,
    /// Seconds of exposure meeting the RPO target, without a usable point, observed.
    pub rpo_met: u64,
    pub rpo_unrecoverable: u64,
    pub rpo_observed: u64,
    /// Losses restored within the RTO target, without a usable point, in all.
    pub rto_met: u64,
    pub unrecoverable_losses: u64,
    pub losses: u64,
}

/// Quantiles (`QUANTILES`), maximum and mean of one distribution in one trial.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Shape {
    pub quantiles: [f64; 4],
    pub max: f64,
    pub mean: f64,
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

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct RowAccumulator {
    pooled: GroupOutcome,
    per_trial: Vec<RowTrial>,
}

/// One trial's copy activity per day that is reported as bands across trials (the
/// per-link fields of `sim::ops::CopyDays`, and the lag, whose mean is over the trials
/// that completed copies that day).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct CopyDayTrial {
    backlog_jobs: Vec<Vec<i64>>,
    backlog_bytes: Vec<Vec<i128>>,
    lag_p50_seconds: Vec<Option<f64>>,
    lag_p95_seconds: Vec<Option<f64>>,
}

/// Exact, mergeable totals of a set of trials.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Accumulator {
    rows: Vec<RowAccumulator>,
    /// (trial, warm bytes per day, cold bytes per day).
    storage: Vec<(u64, Vec<u64>, Vec<u64>)>,
    jobs: JobCounts,
    copies: CopyCounts,
    /// (trial, what came back when after its region outages).
    outage: Vec<(u64, OutageTimeline)>,
    /// (trial, per day: the links' backlogs and the copy lag), kept per trial for their
    /// bands across trials.
    copy_days: Vec<(u64, CopyDayTrial)>,
    /// Per day, copy jobs `[created, completed, failed, refused_cold]` summed over the
    /// trials: only their means are reported, and an integer sum is exact in any order,
    /// so these are not kept per trial.
    copy_day_totals: Vec<[u64; 4]>,
    /// (trial, `[alarm][month]` firings summed over accounts).
    alarm_totals: Vec<(u64, Vec<Vec<u64>>)>,
    /// `[alarm][month][n]`: account-trials with `n` firings (n capped at the last index).
    alarm_counts: Vec<Vec<Vec<u64>>>,
    monitored_accounts: usize,
    /// (trial, its bill per month).
    cost: Vec<(u64, MonthlyCost)>,
    trials: u64,
    /// Scratch for a row pooled from several groups, reused across trials (not part of
    /// the totals: never serialized or merged).
    #[serde(skip)]
    combined: Option<GroupOutcome>,
}

/// Firings per account per month above which the per-account distribution is capped.
const MAX_FIRINGS_COUNTED: usize = 1_000;

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
            outage: Vec::new(),
            copy_days: Vec::new(),
            copy_day_totals: Vec::new(),
            alarm_totals: Vec::new(),
            alarm_counts: Vec::new(),
            monitored_accounts: 0,
            cost: Vec::new(),
            trials: 0,
            combined: None,
        }
    }

    /// Folds one trial in.
    pub fn add(&mut self, rows: &[RowSpec], outcome: &TrialOutcome) {
        let combined = self.combined.get_or_insert_with(GroupOutcome::new);
        for (spec, acc) in rows.iter().zip(&mut self.rows) {
            let groups = outcome.view(spec.view);
            let group = if let [only] = spec.members.as_slice() {
                &groups[*only]
            } else {
                combined.clear();
                for &m in &spec.members {
                    combined.merge(&groups[m]);
                }
                &*combined
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
        if outcome.outage.affected.iter().any(|&a| a > 0) {
            self.outage.push((outcome.trial, outcome.outage.clone()));
        }
        let days = &outcome.copy_days;
        add_day_totals(
            &mut self.copy_day_totals,
            (0..days.created.len()).map(|d| {
                [
                    days.created[d],
                    days.completed[d],
                    days.failed[d],
                    days.refused_cold[d],
                ]
            }),
        );
        self.copy_days.push((
            outcome.trial,
            CopyDayTrial {
                backlog_jobs: days.backlog_jobs.clone(),
                backlog_bytes: days.backlog_bytes.clone(),
                lag_p50_seconds: days.lag_p50_seconds.clone(),
                lag_p95_seconds: days.lag_p95_seconds.clone(),
            },
        ));
        let alarms = &outcome.alarms;
        self.monitored_accounts = alarms.monitored_accounts;
        if self.alarm_counts.is_empty() {
            self.alarm_counts = alarms
                .firings
                .iter()
                .map(|months| vec![vec![0; MAX_FIRINGS_COUNTED + 1]; months.len()])
                .collect();
        }
        let mut totals = Vec::with_capacity(alarms.firings.len());
        for (a, months) in alarms.firings.iter().enumerate() {
            totals.push(
                months
                    .iter()
                    .enumerate()
                    .map(|(m, accounts)| {
                        for &n in accounts {
                            self.alarm_counts[a][m][(n as usize).min(MAX_FIRINGS_COUNTED)] += 1;
                        }
                        accounts.iter().map(|&n| u64::from(n)).sum()
                    })
                    .collect(),
            );
        }
        self.alarm_totals.push((outcome.trial, totals));
        if let Some(bill) = &outcome.cost_usd {
            self.cost.push((outcome.trial, bill.clone()));
        }
        self.trials += 1;
    }

    /// Trials folded in.
    pub fn trials(&self) -> u64 {
        self.trials
    }

    /// Backup jobs and copy jobs created, summed over the trials folded in: the work the
    /// engine's speed is measured per (benches/reference.sh).
    pub fn jobs_simulated(&self) -> (u64, u64) {
        (self.jobs.created, self.copies.created)
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
        self.outage.extend(other.outage);
        self.copy_days.extend(other.copy_days);
        add_day_totals(&mut self.copy_day_totals, other.copy_day_totals.into_iter());
        self.alarm_totals.extend(other.alarm_totals);
        self.cost.extend(other.cost);
        if self.alarm_counts.is_empty() {
            self.alarm_counts = other.alarm_counts;
        } else {
            for (a, b) in self.alarm_counts.iter_mut().zip(&other.alarm_counts) {
                for (ma, mb) in a.iter_mut().zip(b) {
                    for (x, y) in ma.iter_mut().zip(mb) {
                        *x += y;
                    }
                }
            }
        }
        self.monitored_accounts = self.monitored_accounts.max(other.monitored_accounts);
        self.trials += other.trials;
        self
    }

    /// Puts the per-trial values in trial order. Threads add trials in the order they
    /// finish them; after this the accumulator (and a partial written from it) is the
    /// same whatever the thread count.
    pub fn put_in_trial_order(&mut self) {
        for r in &mut self.rows {
            r.per_trial.sort_by_key(|t| t.trial);
        }
        self.storage.sort_by_key(|s| s.0);
        self.outage.sort_by_key(|o| o.0);
        self.copy_days.sort_by_key(|c| c.0);
        self.alarm_totals.sort_by_key(|a| a.0);
        self.cost.sort_by_key(|c| c.0);
    }

    /// Computes the estimates. Per-trial values are put in trial order first. Each
    /// family of per-trial values is consumed as its estimates are made (the rows' are
    /// moved into `Series`, not copied), so the finish adds little to the run's peak.
    pub fn finish(mut self, rows: &[RowSpec]) -> Estimates {
        self.put_in_trial_order();
        let n = self.trials;
        let (row_estimates, row_series): (Vec<_>, Vec<_>) = rows
            .iter()
            .zip(self.rows)
            .enumerate()
            .map(|(i, (spec, acc))| {
                let estimate = RowEstimate {
                    spec_index: i,
                    ..row_estimate(spec, &acc)
                };
                (estimate, acc.per_trial)
            })
            .unzip();
        let storage = storage_days(self.storage);
        let restore_timeline = restore_timeline(self.outage);
        let copy_days = copy_days(self.copy_days, &self.copy_day_totals);
        let alarms = alarm_months(
            &self.alarm_totals,
            &self.alarm_counts,
            self.monitored_accounts,
        );
        let series = Series {
            trials: self.cost.iter().map(|c| c.0).collect(),
            rows: row_series,
            cost: self.cost.iter().map(|(_, c)| TrialCost::of(c)).collect(),
        };
        Estimates {
            trials: n,
            rows: row_estimates,
            series,
            storage,
            jobs: self.jobs,
            copies: self.copies,
            restore_timeline,
            copy_days,
            alarms,
            cost: cost_forecast(&self.cost),
        }
    }
}

/// Adds per-day copy job counts (`[created, completed, failed, refused_cold]`) into
/// `totals`, sized on first use: one trial's days, or another accumulator's sums.
fn add_day_totals(totals: &mut Vec<[u64; 4]>, days: impl ExactSizeIterator<Item = [u64; 4]>) {
    if totals.is_empty() {
        totals.resize(days.len(), [0; 4]);
    }
    for (total, day) in totals.iter_mut().zip(days) {
        for (t, n) in total.iter_mut().zip(day) {
            *t += n;
        }
    }
}

/// Warm and cold bytes stored per day, across trials (each trial: its day series).
fn storage_days(trials: Vec<(u64, Vec<u64>, Vec<u64>)>) -> Vec<DayStorage> {
    let days = trials.first().map_or(0, |s| s.1.len());
    (0..days)
        .map(|d| {
            let warm: Vec<f64> = trials.iter().map(|s| s.1[d] as f64).collect();
            let cold: Vec<f64> = trials.iter().map(|s| s.2[d] as f64).collect();
            DayStorage {
                day: d,
                warm: Band::of(&warm),
                cold: Band::of(&cold),
            }
        })
        .collect()
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
    /// The distribution function of the pooled histogram at `CDF_LEVELS`: (probability,
    /// seconds), over what was recoverable (empty when nothing was).
    pub cdf: Vec<(f64, f64)>,
}

/// Probability levels of `Distribution::cdf`: the minimum, every percent, 99.5 %, 99.9 %
/// and the maximum.
pub fn cdf_levels() -> Vec<f64> {
    let mut levels: Vec<f64> = (0..=100).map(|i| f64::from(i) / 100.0).collect();
    levels.insert(100, 0.995);
    levels.insert(101, 0.999);
    levels
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
    /// Region outages: per tier (`Model::tiers` order, then untiered) and whole hour after
    /// the outage, what is back; empty without region outages.
    pub restore_timeline: Vec<TimelinePoint>,
    /// Copy activity per day.
    pub copy_days: Vec<CopyDayEstimate>,
    /// Alarm firings per alarm and month (alarm-major, month order).
    pub alarms: Vec<AlarmMonthEstimate>,
    /// The cost forecast, when the scenario prices its design.
    pub cost: Option<CostForecast>,
    /// Per-trial values, in trial order: what paired comparisons of two designs read.
    pub series: Series,
}

/// The per-trial values behind the estimates, in trial order.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Trial indices of `cost` (empty when the design is not priced).
    pub trials: Vec<u64>,
    /// `[row][trial]`, rows as `rows()`.
    pub rows: Vec<Vec<RowTrial>>,
    /// Per priced trial, its bill.
    pub cost: Vec<TrialCost>,
}

/// One trial's bill, summed (USD).
#[derive(Debug, Clone, PartialEq)]
pub struct TrialCost {
    /// The first twelve months (or the horizon, if shorter).
    pub first_year: f64,
    /// The first twelve months per category (`cost::COST_CATEGORIES`).
    pub first_year_by_category: Vec<f64>,
    /// The projected steady-state month (`None` when points are kept forever).
    pub projected_steady_monthly: Option<f64>,
}

impl TrialCost {
    fn of(c: &MonthlyCost) -> TrialCost {
        TrialCost {
            first_year: c.total.iter().take(12).sum(),
            first_year_by_category: c
                .by_category
                .iter()
                .map(|months| months.iter().take(12).sum())
                .collect(),
            projected_steady_monthly: c.projected_steady_monthly,
        }
    }
}

/// What the design costs, per calendar month, across trials (USD).
#[derive(Debug, Clone, PartialEq)]
pub struct CostForecast {
    /// Per month: the total.
    pub total: Vec<Band>,
    /// `[category][month]` (`cost::COST_CATEGORIES`).
    pub by_category: Vec<Vec<Band>>,
    /// `[dimension][value][month]` (`cost::COST_DIMENSIONS`; values as
    /// `sim::outcome::MonthlyCost::by_dimension`).
    pub by_dimension: Vec<Vec<Vec<Band>>>,
    /// The first twelve months (or the whole horizon, if shorter): mean and its Monte
    /// Carlo standard error.
    pub first_year: Value,
    /// Each run of twelve months from the first (the last may be shorter).
    pub years: Vec<Value>,
    /// Mean monthly cost once retention has filled (`value: None` when the horizon ends
    /// first).
    pub steady_monthly: Value,
    /// The steady-state month projected from the horizon (`value: None` when points are
    /// kept forever).
    pub projected_steady_monthly: Value,
    /// Its spread across trials (`None` when points are kept forever).
    pub projected_steady_band: Option<Band>,
    /// Per rule (`Model::rules`) whose points ask for cold storage.
    pub lifecycle: Vec<LifecycleEstimate>,
    /// Per charge (`cost::Charge::ALL`): the quantity without a price, mean per trial.
    pub unpriced: Vec<f64>,
}

/// What one rule's cold transition buys, per trial (the points created in the horizon,
/// each over its whole life).
#[derive(Debug, Clone, PartialEq)]
pub struct LifecycleEstimate {
    /// Index into `Model::rules`.
    pub rule: usize,
    /// Points created per trial that asked for cold storage.
    pub points: f64,
    /// Of those, points of types that cannot go cold.
    pub unsupported: f64,
    /// Of those, points of types the catalog cannot price (left out of the costs).
    pub unpriced: f64,
    /// Lifetime cost as designed (USD, the priced points).
    pub designed_usd: f64,
    /// Lifetime cost had they stayed warm to deletion.
    pub stay_warm_usd: f64,
    /// Stay-warm minus designed, with its Monte Carlo error (negative: cold costs more).
    pub saving_usd: Value,
}

fn value_of(values: &[f64]) -> Value {
    Value {
        value: (!values.is_empty()).then(|| estimate::mean(values)),
        standard_error: (values.len() >= 2).then(|| estimate::standard_error(values)),
    }
}

fn cost_forecast(trials: &[(u64, MonthlyCost)]) -> Option<CostForecast> {
    let first = &trials.first()?.1;
    let months = first.total.len();
    let bands = |f: &dyn Fn(&MonthlyCost, usize) -> f64| -> Vec<Band> {
        (0..months)
            .map(|m| Band::of(&trials.iter().map(|(_, c)| f(c, m)).collect::<Vec<_>>()))
            .collect()
    };
    let years: Vec<Value> = (0..months.div_ceil(12))
        .map(|y| {
            let totals: Vec<f64> = trials
                .iter()
                .map(|(_, c)| c.total.iter().skip(12 * y).take(12).sum())
                .collect();
            value_of(&totals)
        })
        .collect();
    let steady: Vec<f64> = trials
        .iter()
        .filter_map(|(_, c)| c.steady_monthly)
        .collect();
    let projected: Vec<f64> = trials
        .iter()
        .filter_map(|(_, c)| c.projected_steady_monthly)
        .collect();
    let n = trials.len() as f64;
    let lifecycle = (0..first.lifecycle.len())
        .filter(|&r| trials.iter().any(|(_, c)| c.lifecycle[r].points > 0))
        .map(|r| {
            let mean = |f: &dyn Fn(&crate::sim::outcome::RuleLifecycleCost) -> f64| {
                trials.iter().map(|(_, c)| f(&c.lifecycle[r])).sum::<f64>() / n
            };
            let saving: Vec<f64> = trials
                .iter()
                .map(|(_, c)| c.lifecycle[r].stay_warm_usd - c.lifecycle[r].designed_usd)
                .collect();
            LifecycleEstimate {
                rule: r,
                points: mean(&|l| l.points as f64),
                unsupported: mean(&|l| l.unsupported as f64),
                unpriced: mean(&|l| l.unpriced as f64),
                designed_usd: mean(&|l| l.designed_usd),
                stay_warm_usd: mean(&|l| l.stay_warm_usd),
                saving_usd: value_of(&saving),
            }
        })
        .collect();
    Some(CostForecast {
        total: bands(&|c, m| c.total[m]),
        by_category: (0..first.by_category.len())
            .map(|k| bands(&|c, m| c.by_category[k][m]))
            .collect(),
        by_dimension: (0..first.by_dimension.len())
            .map(|d| {
                (0..first.by_dimension[d].len())
                    .map(|v| bands(&|c, m| c.by_dimension[d][v][m]))
                    .collect()
            })
            .collect(),
        first_year: years[0],
        years,
        steady_monthly: value_of(&steady),
        projected_steady_monthly: value_of(&projected),
        projected_steady_band: (!projected.is_empty()).then(|| Band::of(&projected)),
        lifecycle,
        unpriced: (0..first.unpriced.len())
            .map(|k| trials.iter().map(|(_, c)| c.unpriced[k]).sum::<f64>() / n)
            .collect(),
    })
}

/// Copy activity on one day, across trials.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyDayEstimate {
    pub day: usize,
    /// Copy jobs created, completed, failed and refused (source already cold) that day:
    /// means over trials (`sim::ops::CopyDays`).
    pub created: f64,
    pub completed: f64,
    pub failed: f64,
    pub refused_cold: f64,
    /// Per link (`Model::region_pairs` order): copies waiting or transferring at day end.
    pub backlog_jobs: Vec<Band>,
    pub backlog_bytes: Vec<Band>,
    /// Mean over trials (with copies completed that day) of the day's lag p50 / p95.
    pub lag_p50_seconds: Option<f64>,
    pub lag_p95_seconds: Option<f64>,
}

/// How often one alarm fires in one month.
#[derive(Debug, Clone, PartialEq)]
pub struct AlarmMonthEstimate {
    /// Index into `sim::ops::ALARMS`.
    pub alarm: usize,
    /// Index into `Simulation::months`.
    pub month: usize,
    pub monitored_accounts: usize,
    /// Firings per monitored account: mean and P90 over accounts and trials.
    pub per_account_mean: f64,
    pub per_account_p90: f64,
    /// Firings summed over the organization: mean and P10/P50/P90 over trials.
    pub organization: Band,
}

fn copy_days(trials: Vec<(u64, CopyDayTrial)>, totals: &[[u64; 4]]) -> Vec<CopyDayEstimate> {
    let Some(first) = trials.first() else {
        return Vec::new();
    };
    let n = trials.len() as f64;
    let band = |f: &dyn Fn(&CopyDayTrial) -> f64| {
        Band::of(&trials.iter().map(|(_, c)| f(c)).collect::<Vec<_>>())
    };
    totals
        .iter()
        .enumerate()
        .map(|(d, &[created, completed, failed, refused_cold])| {
            let lag = |f: &dyn Fn(&CopyDayTrial) -> Option<f64>| {
                let v: Vec<f64> = trials.iter().filter_map(|(_, c)| f(c)).collect();
                (!v.is_empty()).then(|| estimate::mean(&v))
            };
            CopyDayEstimate {
                day: d,
                created: created as f64 / n,
                completed: completed as f64 / n,
                failed: failed as f64 / n,
                refused_cold: refused_cold as f64 / n,
                backlog_jobs: (0..first.1.backlog_jobs.len())
                    .map(|l| band(&|c| c.backlog_jobs[l][d] as f64))
                    .collect(),
                backlog_bytes: (0..first.1.backlog_bytes.len())
                    .map(|l| band(&|c| c.backlog_bytes[l][d] as f64))
                    .collect(),
                lag_p50_seconds: lag(&|c| c.lag_p50_seconds[d]),
                lag_p95_seconds: lag(&|c| c.lag_p95_seconds[d]),
            }
        })
        .collect()
}

fn alarm_months(
    totals: &[(u64, Vec<Vec<u64>>)],
    counts: &[Vec<Vec<u64>>],
    monitored_accounts: usize,
) -> Vec<AlarmMonthEstimate> {
    let mut out = Vec::new();
    for (alarm, months) in counts.iter().enumerate() {
        for (month, histogram) in months.iter().enumerate() {
            let n: u64 = histogram.iter().sum();
            let sum: u64 = histogram
                .iter()
                .enumerate()
                .map(|(k, &c)| k as u64 * c)
                .sum();
            // P90 over account-trials: the smallest k with at least 90 % at or below it.
            let rank = (0.9 * n as f64).ceil() as u64;
            let mut seen = 0;
            let p90 = histogram
                .iter()
                .position(|&c| {
                    seen += c;
                    seen >= rank.max(1)
                })
                .unwrap_or(0);
            let organization: Vec<f64> = totals.iter().map(|t| t.1[alarm][month] as f64).collect();
            out.push(AlarmMonthEstimate {
                alarm,
                month,
                monitored_accounts,
                per_account_mean: if n == 0 { 0.0 } else { sum as f64 / n as f64 },
                per_account_p90: p90 as f64,
                organization: Band::of(&organization),
            });
        }
    }
    out
}

/// One tier at one hour after a region outage: what is back (restored, validated and
/// hydrated) by then, across trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TimelinePoint {
    /// Index of the tier (`Model::tiers`; `tiers.len()` = untiered).
    pub tier: usize,
    /// Hours after the outage (the end of that hour).
    pub hour: usize,
    /// Resources of the tier in the failed regions (mean per trial).
    pub affected: f64,
    pub resources: Band,
    pub bytes: Band,
    /// Share of the affected resources back.
    pub share: Band,
}

fn restore_timeline(mut outage: Vec<(u64, OutageTimeline)>) -> Vec<TimelinePoint> {
    // Back by the end of hour h: prefix sums of what came back in each hour, in place.
    fn cumulate<T: Copy + std::ops::AddAssign + Default>(per_hour: &mut [T]) {
        let mut sum = T::default();
        for x in per_hour {
            sum += *x;
            *x = sum;
        }
    }
    for (_, o) in &mut outage {
        o.resources.iter_mut().for_each(|h| cumulate(h));
        o.bytes.iter_mut().for_each(|h| cumulate(h));
    }
    let Some(first) = outage.first() else {
        return Vec::new();
    };
    let (tiers, hours) = (
        first.1.resources.len(),
        first.1.resources.first().map_or(0, Vec::len),
    );
    let mut points = Vec::new();
    for tier in 0..tiers {
        let affected: Vec<f64> = outage.iter().map(|o| o.1.affected[tier] as f64).collect();
        if affected.iter().all(|&a| a == 0.0) {
            continue;
        }
        for hour in 0..hours {
            let back: Vec<f64> = outage
                .iter()
                .map(|(_, o)| o.resources[tier][hour] as f64)
                .collect();
            let back_bytes: Vec<f64> = outage
                .iter()
                .map(|(_, o)| o.bytes[tier][hour] as f64)
                .collect();
            let share: Vec<f64> = back
                .iter()
                .zip(&affected)
                .map(|(r, a)| r / a.max(1.0))
                .collect();
            points.push(TimelinePoint {
                tier,
                hour,
                affected: estimate::mean(&affected),
                resources: Band::of(&back),
                bytes: Band::of(&back_bytes),
                share: Band::of(&share),
            });
        }
    }
    points
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
            cdf: cdf_levels()
                .into_iter()
                .filter_map(|p| pooled.quantile(p).map(|v| (p, v)))
                .collect(),
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

/// What one pool thread keeps across the trials it runs.
struct Worker {
    scratch: Scratch,
    outcome: TrialOutcome,
}

/// Runs `trials` (trial indices: a range, or a shard's share) of `model` with master seed
/// `seed` on the current rayon pool, calling `progress` after each trial (from worker
/// threads).
pub fn run(
    model: &Model,
    rows: &[RowSpec],
    trials: impl IntoParallelIterator<Item = u64>,
    seed: u64,
    progress: &(dyn Fn() + Sync),
) -> Accumulator {
    // One worker state per pool thread, for every trial that thread runs: the trial's
    // scratch and one outcome, reset in place between trials. (A `fold` would make a
    // state per split of the trials, several per thread, each holding ~30 MB at the
    // reference size until the end.) Trials are still handed out one at a time by work
    // stealing. Only the owning thread locks its state, and a thread never re-enters the
    // closure while it holds it (the trial and the accumulator never call into rayon).
    // The last state is the calling thread's: when it is not one of the pool's and rayon
    // does not split the trials (one trial, say), it runs them itself.
    //
    // Every trial is added to one accumulator shared by the threads: adding is exact in
    // any order (integer histograms, per-trial values sorted by trial at the end), and
    // an add (the trial's series copied, a few histogram blocks added per report row) is
    // little beside a trial's seconds, so the threads rarely wait for it, while a
    // per-thread accumulator would hold another copy of every report row's histograms.
    // Lock order: a worker's own state, then the accumulator.
    let threads = rayon::current_num_threads();
    let workers: Vec<Mutex<Option<Worker>>> = (0..=threads).map(|_| Mutex::new(None)).collect();
    let acc = Mutex::new(Accumulator::new(rows));
    trials.into_par_iter().for_each(|trial| {
        {
            let thread = rayon::current_thread_index().unwrap_or(threads);
            let mut slot = workers[thread].lock().expect("a worker panicked");
            let worker = slot.get_or_insert_with(|| Worker {
                scratch: Scratch::default(),
                outcome: TrialOutcome::new(model, trial),
            });
            simulate_into(model, trial, seed, &mut worker.scratch, &mut worker.outcome);
            acc.lock()
                .expect("a worker panicked")
                .add(rows, &worker.outcome);
        }
        progress();
    });
    acc.into_inner().expect("a worker panicked")
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
