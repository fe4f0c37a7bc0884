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
pub use crate::sim::View;
use crate::sim::outcome::{MonthlyCost, TIMELINE_HOURS};
use crate::sim::{
    CopyCounts, GroupOutcome, JobCounts, TrialOutcome, outcome::simulated, simulate_into,
    trial::Scratch,
};
use crate::stats::records::{
    self, Columns, NONE_WORD, TrialRecords, optional_float, optional_word,
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

/// Record words of one row in one trial: two shapes, six counts.
const ROW_WORDS: usize = 2 * SHAPE_WORDS + 6;
const SHAPE_WORDS: usize = 6;

impl RowTrial {
    /// Appends its record words (`ROW_WORDS`; the trial is the record's key).
    fn encode(&self, out: &mut Vec<u64>) {
        for shape in [self.rpo, self.rto] {
            match shape {
                Some(s) => {
                    out.extend(s.quantiles.map(f64::to_bits));
                    out.extend([s.max.to_bits(), s.mean.to_bits()]);
                }
                None => out.extend([NONE_WORD; SHAPE_WORDS]),
            }
        }
        out.extend([
            self.rpo_met,
            self.rpo_unrecoverable,
            self.rpo_observed,
            self.rto_met,
            self.unrecoverable_losses,
            self.losses,
        ]);
    }

    /// Trial `trial`'s row before its record words are set (`set_word`).
    fn empty(trial: u64) -> RowTrial {
        RowTrial {
            trial,
            rpo: None,
            rto: None,
            rpo_met: 0,
            rpo_unrecoverable: 0,
            rpo_observed: 0,
            rto_met: 0,
            unrecoverable_losses: 0,
            losses: 0,
        }
    }

    /// Sets its record word `k` (`ROW_WORDS`, as `encode` writes them) to `w`. Set a word
    /// at a time, so that a row is read back a column at a time without holding every
    /// trial's record; the words of a shape in order: its first makes it present, its
    /// maximum (word 4) is `NONE_WORD` when the trial observed none and takes it away.
    fn set_word(&mut self, k: usize, w: u64) {
        if k >= 2 * SHAPE_WORDS {
            let count = match k - 2 * SHAPE_WORDS {
                0 => &mut self.rpo_met,
                1 => &mut self.rpo_unrecoverable,
                2 => &mut self.rpo_observed,
                3 => &mut self.rto_met,
                4 => &mut self.unrecoverable_losses,
                _ => &mut self.losses,
            };
            *count = w;
            return;
        }
        let shape = if k < SHAPE_WORDS {
            &mut self.rpo
        } else {
            &mut self.rto
        };
        let x = f64::from_bits(w);
        match (k % SHAPE_WORDS, shape) {
            (0, shape) => {
                *shape = Some(Shape {
                    quantiles: [x, 0.0, 0.0, 0.0],
                    max: 0.0,
                    mean: 0.0,
                });
            }
            (4, shape) if w == NONE_WORD => *shape = None,
            (4, Some(s)) => s.max = x,
            (5, Some(s)) => s.mean = x,
            (q, Some(s)) => s.quantiles[q] = x,
            (_, None) => {}
        }
    }
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

/// The shape of a priced trial's bill as record words: months, categories, the values
/// of each cost dimension, lifecycle rules and charges (`MonthlyCost`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
struct CostLayout {
    months: usize,
    categories: usize,
    dimension_values: Vec<usize>,
    rules: usize,
    charges: usize,
}

/// Record words of one rule's lifecycle cost.
const LIFECYCLE_WORDS: usize = 5;

impl CostLayout {
    fn of(c: &MonthlyCost) -> CostLayout {
        CostLayout {
            months: c.total.len(),
            categories: c.by_category.len(),
            dimension_values: c.by_dimension.iter().map(Vec::len).collect(),
            rules: c.lifecycle.len(),
            charges: c.unpriced.len(),
        }
    }

    /// First word of category `k`'s months (the total's months come first).
    fn category(&self, k: usize) -> usize {
        self.months * (1 + k)
    }

    /// First word of value `v` of dimension `d`'s months.
    fn dimension(&self, d: usize, v: usize) -> usize {
        let before: usize = self.dimension_values[..d].iter().sum();
        self.category(self.categories) + self.months * (before + v)
    }

    /// Words of the steady month, then the projected one.
    fn steady(&self) -> usize {
        self.dimension(self.dimension_values.len(), 0)
    }

    fn lifecycle(&self, rule: usize) -> usize {
        self.steady() + 2 + LIFECYCLE_WORDS * rule
    }

    fn unpriced(&self, charge: usize) -> usize {
        self.lifecycle(self.rules) + charge
    }

    /// Appends the record words of `c`.
    fn encode(c: &MonthlyCost, out: &mut Vec<u64>) {
        let floats = |out: &mut Vec<u64>, v: &[f64]| out.extend(v.iter().map(|x| x.to_bits()));
        floats(out, &c.total);
        c.by_category.iter().for_each(|m| floats(out, m));
        c.by_dimension.iter().flatten().for_each(|m| floats(out, m));
        out.push(optional_word(c.steady_monthly));
        out.push(optional_word(c.projected_steady_monthly));
        for l in &c.lifecycle {
            out.extend([
                l.points,
                l.unsupported,
                l.unpriced,
                l.designed_usd.to_bits(),
                l.stay_warm_usd.to_bits(),
            ]);
        }
        floats(out, &c.unpriced);
    }
}

/// Exact, mergeable totals of a set of trials.
///
/// Per-trial values (kept for bands and standard errors across trials) are
/// `TrialRecords`, one record per trial and family: in memory up to a budget, then in a
/// temporary file, so the accumulator's memory does not grow with the trial count.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Accumulator {
    /// Per report row, its outcome pooled over the trials.
    rows: Vec<GroupOutcome>,
    /// Per trial, every row's `RowTrial` (`ROW_WORDS` each, rows in order).
    row_trials: TrialRecords,
    /// Per trial, per day: warm bytes, cold bytes.
    storage: TrialRecords,
    jobs: JobCounts,
    copies: CopyCounts,
    /// Per trial with a region outage, per tier: resources affected, then per hour the
    /// resources and bytes back by its end (prefix sums; bytes as floats).
    outage: TrialRecords,
    /// Per trial, per day: each link's backlog in jobs, then in bytes (as floats), then
    /// the copy lag p50 and p95 (optional floats), kept for their bands across trials.
    copy_days: TrialRecords,
    /// Per day, copy jobs `[created, completed, failed, refused_cold]` summed over the
    /// trials: only their means are reported, and an integer sum is exact in any order,
    /// so these are not kept per trial.
    copy_day_totals: Vec<[u64; 4]>,
    /// Per trial, `[alarm][month]` firings summed over accounts.
    alarm_totals: TrialRecords,
    /// `[alarm][month][n]`: account-trials with `n` firings (n capped at the last index).
    alarm_counts: Vec<Vec<Vec<u64>>>,
    monitored_accounts: usize,
    /// Per priced trial, its bill per month (`cost_layout`).
    cost: TrialRecords,
    cost_layout: Option<CostLayout>,
    trials: u64,
    /// Scratch for a row pooled from several groups, reused across trials (not part of
    /// the totals: never serialized or merged).
    #[serde(skip)]
    combined: Option<GroupOutcome>,
    /// Scratch for a record being encoded.
    #[serde(skip)]
    record: Vec<u64>,
}

/// Firings per account per month above which the per-account distribution is capped.
const MAX_FIRINGS_COUNTED: usize = 1_000;

impl Accumulator {
    pub fn new(rows: &[RowSpec]) -> Accumulator {
        Accumulator::with_memory_budget(rows, records::MEMORY_BUDGET_WORDS)
    }

    /// An accumulator whose per-trial records keep `budget_words` words of each family
    /// in memory before they go to a temporary file (0: all of them go).
    pub fn with_memory_budget(rows: &[RowSpec], budget_words: usize) -> Accumulator {
        Accumulator::with_budgets(rows, budget_words, records::READ_BUDGET_WORDS)
    }

    /// An accumulator whose per-trial records keep `budget_words` words of each family
    /// in memory and are read back in blocks of `read_budget_words` words
    /// (`TrialRecords::with_budgets`): a small read budget makes a few trials read back
    /// as many more would.
    pub fn with_budgets(
        rows: &[RowSpec],
        budget_words: usize,
        read_budget_words: usize,
    ) -> Accumulator {
        let records = || TrialRecords::with_budgets(budget_words, read_budget_words);
        Accumulator {
            rows: rows.iter().map(|_| GroupOutcome::new()).collect(),
            row_trials: records(),
            storage: records(),
            jobs: JobCounts::default(),
            copies: CopyCounts::new(),
            outage: records(),
            copy_days: records(),
            copy_day_totals: Vec::new(),
            alarm_totals: records(),
            alarm_counts: Vec::new(),
            monitored_accounts: 0,
            cost: records(),
            cost_layout: None,
            trials: 0,
            combined: None,
            record: Vec::new(),
        }
    }

    /// Folds one trial in.
    pub fn add(&mut self, rows: &[RowSpec], outcome: &TrialOutcome) {
        let trial = outcome.trial;
        let combined = self.combined.get_or_insert_with(GroupOutcome::new);
        let record = &mut self.record;
        record.clear();
        for (spec, pooled) in rows.iter().zip(&mut self.rows) {
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
            pooled.merge(group);
            RowTrial {
                trial,
                rpo: Shape::of(&group.rpo),
                rto: Shape::of(&group.rto),
                rpo_met: group.rpo_met_seconds,
                rpo_unrecoverable: group.rpo_unrecoverable_seconds,
                rpo_observed: group.rpo_observed_seconds,
                rto_met: group.rto_met,
                unrecoverable_losses: group.unrecoverable_losses,
                losses: group.losses,
            }
            .encode(record);
        }
        self.row_trials.push(trial, record);

        let (warm, cold) = outcome.storage.daily_average_bytes();
        record.clear();
        record.extend(warm.iter().zip(&cold).flat_map(|(&w, &c)| [w, c]));
        self.storage.push(trial, record);
        self.jobs.merge(&outcome.jobs);
        self.copies.merge(&outcome.copies);

        let outage = &outcome.outage;
        if outage.affected.iter().any(|&a| a > 0) {
            // Back by the end of hour h: prefix sums of what came back in each hour.
            record.clear();
            for (tier, &affected) in outage.affected.iter().enumerate() {
                record.push(affected);
                let (mut resources, mut bytes) = (0u64, 0u128);
                for (r, b) in outage.resources[tier].iter().zip(&outage.bytes[tier]) {
                    resources += r;
                    bytes += b;
                    record.extend([resources, (bytes as f64).to_bits()]);
                }
            }
            self.outage.push(trial, record);
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
        record.clear();
        for d in 0..days.created.len() {
            record.extend(days.backlog_jobs.iter().map(|l| (l[d] as f64).to_bits()));
            record.extend(days.backlog_bytes.iter().map(|l| (l[d] as f64).to_bits()));
            record.push(optional_word(days.lag_p50_seconds[d]));
            record.push(optional_word(days.lag_p95_seconds[d]));
        }
        self.copy_days.push(trial, record);

        let alarms = &outcome.alarms;
        self.monitored_accounts = alarms.monitored_accounts;
        if self.alarm_counts.is_empty() {
            self.alarm_counts = alarms
                .firings
                .iter()
                .map(|months| vec![vec![0; MAX_FIRINGS_COUNTED + 1]; months.len()])
                .collect();
        }
        record.clear();
        for (a, months) in alarms.firings.iter().enumerate() {
            for (m, accounts) in months.iter().enumerate() {
                for &n in accounts {
                    self.alarm_counts[a][m][(n as usize).min(MAX_FIRINGS_COUNTED)] += 1;
                }
                record.push(accounts.iter().map(|&n| u64::from(n)).sum());
            }
        }
        self.alarm_totals.push(trial, record);

        if let Some(bill) = &outcome.cost_usd {
            record.clear();
            CostLayout::encode(bill, record);
            self.cost_layout.get_or_insert_with(|| CostLayout::of(bill));
            self.cost.push(trial, record);
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

    /// The per-trial record families, named.
    fn families(&self) -> [(&'static str, &TrialRecords); 6] {
        [
            ("row", &self.row_trials),
            ("storage", &self.storage),
            ("outage", &self.outage),
            ("copy-day", &self.copy_days),
            ("alarm", &self.alarm_totals),
            ("cost", &self.cost),
        ]
    }

    /// The per-trial record families, in the order of [`Accumulator::families`].
    fn families_mut(&mut self) -> [&mut TrialRecords; 6] {
        [
            &mut self.row_trials,
            &mut self.storage,
            &mut self.outage,
            &mut self.copy_days,
            &mut self.alarm_totals,
            &mut self.cost,
        ]
    }

    /// Whether `other` has this accumulator's shape, so that [`Accumulator::merge`] can
    /// fold it: the same report rows, and per-trial records, daily copy totals, alarm
    /// tallies and bill layout of the same widths wherever both hold some. Accumulators
    /// of one scenario always fit; a partial that passed the header check but does not
    /// fit was altered, and is refused here rather than merged wrongly.
    pub fn check_fits(&self, other: &Accumulator) -> Result<(), String> {
        let mut problems = Vec::new();
        if self.rows.len() != other.rows.len() {
            problems.push(format!(
                "{} report rows against {}",
                other.rows.len(),
                self.rows.len()
            ));
        }
        for ((name, a), (_, b)) in self.families().into_iter().zip(other.families()) {
            if !a.is_empty() && !b.is_empty() && a.width() != b.width() {
                problems.push(format!(
                    "{name} records of {} words against {}",
                    b.width(),
                    a.width()
                ));
            }
        }
        let (a, b) = (&self.copy_day_totals, &other.copy_day_totals);
        if !a.is_empty() && !b.is_empty() && a.len() != b.len() {
            problems.push(format!(
                "copy totals of {} days against {}",
                b.len(),
                a.len()
            ));
        }
        let shape = |c: &[Vec<Vec<u64>>]| -> Vec<Vec<usize>> {
            c.iter().map(|a| a.iter().map(Vec::len).collect()).collect()
        };
        let (a, b) = (&self.alarm_counts, &other.alarm_counts);
        if !a.is_empty() && !b.is_empty() && shape(a) != shape(b) {
            problems.push("alarm tallies of another shape".to_string());
        }
        if let (Some(a), Some(b)) = (&self.cost_layout, &other.cost_layout)
            && a != b
        {
            problems.push("a bill of another layout".to_string());
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems.join(", "))
        }
    }

    /// Merges another accumulator (exact; order does not matter). The two must fit
    /// ([`Accumulator::check_fits`]).
    pub fn merge(mut self, other: Accumulator) -> Accumulator {
        for (a, b) in self.rows.iter_mut().zip(&other.rows) {
            a.merge(b);
        }
        for (mine, (_, theirs)) in self.families_mut().into_iter().zip(other.families()) {
            mine.append(theirs);
        }
        self.jobs.merge(&other.jobs);
        self.copies.merge(&other.copies);
        add_day_totals(&mut self.copy_day_totals, other.copy_day_totals.into_iter());
        if self.cost_layout.is_none() {
            self.cost_layout = other.cost_layout;
        }
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

    /// Puts the per-trial records in trial order. Threads add trials in the order they
    /// finish them; after this the accumulator (and a partial written from it) is the
    /// same whatever the thread count.
    pub fn put_in_trial_order(&mut self) {
        for records in self.families_mut() {
            records.put_in_trial_order();
        }
    }

    /// Computes the estimates. Per-trial records are put in trial order first, then read
    /// back a block of columns at a time (`stats::records`), so finishing holds little
    /// beyond one block and the estimates.
    pub fn finish(mut self, rows: &[RowSpec]) -> Estimates {
        self.put_in_trial_order();
        let n = self.trials;
        let series = Series {
            trials: self.cost.trials().collect(),
            rows: self.row_trials,
            row_count: rows.len(),
            cost: self
                .cost_layout
                .as_ref()
                .map_or_else(Vec::new, |layout| trial_costs(&self.cost, layout)),
        };
        let row_estimates = rows
            .iter()
            .zip(&self.rows)
            .enumerate()
            .map(|(i, (spec, pooled))| RowEstimate {
                spec_index: i,
                ..row_estimate(spec, pooled, &series.row(i))
            })
            .collect();
        Estimates {
            trials: n,
            rows: row_estimates,
            storage: storage_days(&self.storage),
            jobs: self.jobs,
            copies: self.copies,
            restore_timeline: restore_timeline(&self.outage),
            copy_days: copy_days(&self.copy_days, &self.copy_day_totals),
            alarms: alarm_months(
                &self.alarm_totals,
                &self.alarm_counts,
                self.monitored_accounts,
            ),
            cost: self
                .cost_layout
                .as_ref()
                .and_then(|layout| cost_forecast(&self.cost, layout)),
            series,
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

/// Warm and cold bytes stored per day, across trials (each record: per day, warm then
/// cold).
fn storage_days(records: &TrialRecords) -> Vec<DayStorage> {
    let mut columns = records.columns();
    (0..records.width() / 2)
        .map(|d| DayStorage {
            day: d,
            warm: Band::of(&columns.counts(2 * d)),
            cold: Band::of(&columns.counts(2 * d + 1)),
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
    /// Per trial, every row's values (read one row at a time: `row`).
    rows: TrialRecords,
    row_count: usize,
    /// Per priced trial, its bill.
    pub cost: Vec<TrialCost>,
}

impl Series {
    /// Row `i`'s values (rows as `rows()`), one per trial in trial order.
    pub fn row(&self, i: usize) -> Vec<RowTrial> {
        let first = i * ROW_WORDS;
        // The row's columns (`columns_in`) a column at a time, each read once, into the
        // rows: a block holds fewer of them than a row has past `READ_BUDGET_WORDS /
        // ROW_WORDS` trials, and taking them a trial at a time would re-read a block per
        // trial and word.
        let mut columns = self.rows.columns_in(first..first + ROW_WORDS);
        let mut row: Vec<RowTrial> = self.rows.trials().map(RowTrial::empty).collect();
        for k in 0..ROW_WORDS {
            for (r, &w) in row.iter_mut().zip(columns.get(first + k)) {
                r.set_word(k, w);
            }
        }
        row
    }

    /// Trials with row values (0 without rows).
    pub fn row_trials(&self) -> usize {
        if self.row_count == 0 {
            0
        } else {
            self.rows.len()
        }
    }
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

/// Each priced trial's bill summed, from its records (`CostLayout`).
fn trial_costs(records: &TrialRecords, layout: &CostLayout) -> Vec<TrialCost> {
    let mut columns = records.columns();
    let first_year: Vec<f64> = months_summed(&mut columns, 0, 0..layout.months.min(12));
    let by_category: Vec<Vec<f64>> = (0..layout.categories)
        .map(|k| months_summed(&mut columns, layout.category(k), 0..layout.months.min(12)))
        .collect();
    let projected: Vec<Option<f64>> = columns
        .get(layout.steady() + 1)
        .iter()
        .map(|&w| optional_float(w))
        .collect();
    (0..records.len())
        .map(|t| TrialCost {
            first_year: first_year[t],
            first_year_by_category: by_category.iter().map(|k| k[t]).collect(),
            projected_steady_monthly: projected[t],
        })
        .collect()
}

/// Per record, its floats in columns `first + m` for the months `m`, summed in month
/// order.
fn months_summed(
    columns: &mut Columns<'_>,
    first: usize,
    months: std::ops::Range<usize>,
) -> Vec<f64> {
    let values: Vec<Vec<f64>> = months.map(|m| columns.floats(first + m)).collect();
    let records = values.first().map_or(columns.len(), Vec::len);
    (0..records)
        .map(|t| values.iter().map(|v| v[t]).sum())
        .collect()
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

fn cost_forecast(records: &TrialRecords, layout: &CostLayout) -> Option<CostForecast> {
    if records.is_empty() {
        return None;
    }
    let mut columns = records.columns();
    let months = layout.months;
    let bands = |columns: &mut Columns<'_>, first: usize| -> Vec<Band> {
        (0..months)
            .map(|m| Band::of(&columns.floats(first + m)))
            .collect()
    };
    let total = bands(&mut columns, 0);
    let by_category = (0..layout.categories)
        .map(|k| bands(&mut columns, layout.category(k)))
        .collect();
    let by_dimension = (0..layout.dimension_values.len())
        .map(|d| {
            (0..layout.dimension_values[d])
                .map(|v| bands(&mut columns, layout.dimension(d, v)))
                .collect()
        })
        .collect();
    let years: Vec<Value> = (0..months.div_ceil(12))
        .map(|y| {
            value_of(&months_summed(
                &mut columns,
                0,
                12 * y..months.min(12 * y + 12),
            ))
        })
        .collect();
    let steady = columns.optional_floats(layout.steady());
    let projected = columns.optional_floats(layout.steady() + 1);
    let n = records.len() as f64;
    let mut lifecycle = Vec::new();
    for r in 0..layout.rules {
        let first = layout.lifecycle(r);
        if columns.get(first).iter().all(|&points| points == 0) {
            continue;
        }
        let mean = |values: Vec<f64>| values.iter().sum::<f64>() / n;
        let (designed, stay_warm) = (columns.floats(first + 3), columns.floats(first + 4));
        let saving: Vec<f64> = stay_warm
            .iter()
            .zip(&designed)
            .map(|(s, d)| s - d)
            .collect();
        lifecycle.push(LifecycleEstimate {
            rule: r,
            points: mean(columns.counts(first)),
            unsupported: mean(columns.counts(first + 1)),
            unpriced: mean(columns.counts(first + 2)),
            designed_usd: mean(designed),
            stay_warm_usd: mean(stay_warm),
            saving_usd: value_of(&saving),
        });
    }
    Some(CostForecast {
        total,
        by_category,
        by_dimension,
        first_year: years[0],
        years,
        steady_monthly: value_of(&steady),
        projected_steady_monthly: value_of(&projected),
        projected_steady_band: (!projected.is_empty()).then(|| Band::of(&projected)),
        lifecycle,
        unpriced: (0..layout.charges)
            .map(|k| columns.floats(layout.unpriced(k)).iter().sum::<f64>() / n)
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

/// Copy activity per day across trials: the means from the day sums, the backlog bands
/// and lag means from each trial's record (per day: each link's backlog in jobs, then in
/// bytes, then the lag p50 and p95).
fn copy_days(records: &TrialRecords, totals: &[[u64; 4]]) -> Vec<CopyDayEstimate> {
    if records.is_empty() || totals.is_empty() {
        return Vec::new();
    }
    let n = records.len() as f64;
    let per_day = records.width() / totals.len();
    let links = (per_day - 2) / 2;
    let mut columns = records.columns();
    totals
        .iter()
        .enumerate()
        .map(|(d, &[created, completed, failed, refused_cold])| {
            let first = d * per_day;
            let mut lag = |c: usize| {
                let v = columns.optional_floats(c);
                (!v.is_empty()).then(|| estimate::mean(&v))
            };
            let (lag_p50_seconds, lag_p95_seconds) =
                (lag(first + 2 * links), lag(first + 2 * links + 1));
            CopyDayEstimate {
                day: d,
                created: created as f64 / n,
                completed: completed as f64 / n,
                failed: failed as f64 / n,
                refused_cold: refused_cold as f64 / n,
                backlog_jobs: (0..links)
                    .map(|l| Band::of(&columns.floats(first + l)))
                    .collect(),
                backlog_bytes: (0..links)
                    .map(|l| Band::of(&columns.floats(first + links + l)))
                    .collect(),
                lag_p50_seconds,
                lag_p95_seconds,
            }
        })
        .collect()
}

fn alarm_months(
    totals: &TrialRecords,
    counts: &[Vec<Vec<u64>>],
    monitored_accounts: usize,
) -> Vec<AlarmMonthEstimate> {
    let mut out = Vec::new();
    let mut columns = totals.columns();
    let mut column = 0;
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
            let organization = columns.counts(column);
            column += 1;
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

/// Per tier and hour, what is back across the trials with region outages (each record:
/// per tier, the resources affected, then per hour the resources and bytes back by its
/// end).
fn restore_timeline(records: &TrialRecords) -> Vec<TimelinePoint> {
    let hours = TIMELINE_HOURS + 1;
    let per_tier = 1 + 2 * hours;
    let tiers = records.width() / per_tier;
    let mut columns = records.columns();
    let mut points = Vec::new();
    for tier in 0..tiers {
        let first = tier * per_tier;
        let affected = columns.counts(first);
        if affected.iter().all(|&a| a == 0.0) {
            continue;
        }
        for hour in 0..hours {
            let back = columns.counts(first + 1 + 2 * hour);
            let back_bytes = columns.floats(first + 2 + 2 * hour);
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

fn row_estimate(spec: &RowSpec, pooled: &GroupOutcome, t: &[RowTrial]) -> RowEstimate {
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
        rpo: distribution(&pooled.rpo, |x| x.rpo),
        rto: distribution(&pooled.rto, |x| x.rto),
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
        losses: pooled.losses,
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

    /// Past `READ_BUDGET_WORDS / ROW_WORDS` trials (7,281) a block holds fewer columns
    /// than a report row has; `Series::row` then re-read a block for every trial and word
    /// (10⁹ reads at 8,000 trials of a small scenario). Here blocks of 4,096 words put
    /// that threshold at 227 trials; 1,000 trials' rows read back the words written, each
    /// spilled word read twice (the column-major copy, then its block) in 27 reads.
    #[test]
    fn rows_of_spilled_records_read_back_in_few_reads_past_a_block_narrower_than_a_row() {
        let (rows, n, read) = (3usize, 1_000u64, 4_096usize);
        let row_trial = |trial: u64, i: usize| {
            let x = trial as f64 + i as f64 / 10.0;
            let shape = Shape {
                quantiles: [x, 2.0 * x, 3.0 * x, 4.0 * x],
                max: 5.0 * x,
                mean: 1.5 * x,
            };
            RowTrial {
                trial,
                rpo: Some(shape),
                rto: (trial % 3 == i as u64).then_some(shape),
                rpo_met: trial * 6 + i as u64,
                rpo_unrecoverable: trial,
                rpo_observed: trial * 7,
                rto_met: i as u64,
                unrecoverable_losses: trial % 5,
                losses: trial % 11,
            }
        };
        let width = rows * ROW_WORDS;
        let mut records = TrialRecords::with_budgets(100 * width, read);
        let mut record = Vec::new();
        for k in 0..n {
            let trial = k * 7_919 % n;
            record.clear();
            for i in 0..rows {
                row_trial(trial, i).encode(&mut record);
            }
            records.push(trial, &record);
        }
        records.put_in_trial_order();
        let series = Series {
            trials: Vec::new(),
            rows: records,
            row_count: rows,
            cost: Vec::new(),
        };
        for i in 0..rows {
            let expected: Vec<RowTrial> = (0..n).map(|t| row_trial(t, i)).collect();
            assert_eq!(series.row(i), expected, "row {i}");
        }
        let spilled = n - 100;
        assert_eq!(series.rows.spilled(), spilled);
        let chunks = spilled.div_ceil((read / width) as u64);
        let blocks = rows * ROW_WORDS.div_ceil(read / n as usize);
        assert_eq!((chunks, blocks), (12, 15));
        assert_eq!(
            series.rows.file_reads(),
            (chunks + blocks as u64, 2 * spilled * width as u64 * 8)
        );
    }
}
