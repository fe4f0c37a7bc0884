//! What one trial returns: exact integer tallies and fixed-layout histograms, per
//! reporting group, plus storage held per day and job counts.

use crate::cost::{COST_CATEGORIES, COST_DIMENSIONS, Charge, MonthStorage, SourceKind};
use crate::stats::Histogram;

/// What a set of group outcomes describes: one disaster (or the DR-region view).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum View {
    /// A resource lost in its own region: restored from its newest local point. RPO is
    /// time-weighted over the measurement window.
    Local = 0,
    /// RPO seen from the DR region: the newest cross-region copy (copy lag included).
    DrRegion = 1,
    /// Logical corruption found after a delay; RPO fields count corruptions, not time.
    Corruption = 2,
    /// A whole region fails; its resources restore elsewhere from copies, all at once.
    RegionOutage = 3,
    /// The resource's account is compromised; only points it cannot delete remain.
    AccountCompromise = 4,
    /// The key of the resource's primary vault is lost.
    KeyLoss = 5,
}

impl View {
    pub const ALL: [View; 6] = [
        View::Local,
        View::DrRegion,
        View::Corruption,
        View::RegionOutage,
        View::AccountCompromise,
        View::KeyLoss,
    ];

    /// The disaster's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            View::Local => "resource_loss",
            View::DrRegion => "dr_region",
            View::Corruption => "logical_corruption",
            View::RegionOutage => "region_outage",
            View::AccountCompromise => "account_compromise",
            View::KeyLoss => "key_loss",
        }
    }

    /// Whether the view's RPO is time-weighted (resource-seconds) rather than one
    /// sample per event.
    pub fn time_weighted(self) -> bool {
        matches!(self, View::Local | View::DrRegion)
    }
}

/// The result of one trial. Everything is integer, so merging is exact.
#[derive(Debug, Clone)]
pub struct TrialOutcome {
    pub trial: u64,
    /// Per `View` (as index), group outcomes indexed like `Model::groups`; empty when
    /// the scenario does not simulate that disaster. The DR-region view uses only its
    /// RPO fields. Event views (all but `Local` and `DrRegion`) hold one sampled event per
    /// resource, so their RPO "seconds" count events.
    pub views: Vec<Vec<GroupOutcome>>,
    pub storage: StorageDays,
    pub jobs: JobCounts,
    pub copies: CopyCounts,
    /// Region outages: when each resource was back, per tier.
    pub outage: OutageTimeline,
    /// Copy activity per day.
    pub copy_days: super::ops::CopyDays,
    /// CloudWatch alarm firings per month.
    pub alarms: super::ops::AlarmMonths,
    /// Billed quantities, when the scenario prices its design.
    pub cost: Option<CostTally>,
    /// Their price (set at the end of the trial).
    pub cost_usd: Option<MonthlyCost>,
}

/// Whether `model` simulates `view`.
pub fn simulated(model: &crate::model::Model, view: View) -> bool {
    let d = &model.disasters;
    match view {
        View::Local | View::DrRegion => true,
        View::Corruption => d.logical_corruption.is_some(),
        View::RegionOutage => d.region_outage.is_some(),
        View::AccountCompromise => d.account_compromise.is_some(),
        View::KeyLoss => d.key_loss.is_some(),
    }
}

impl TrialOutcome {
    /// The empty outcome of trial `trial` of `model`, shaped for it (its views, days,
    /// tiers and cost keys).
    pub fn new(model: &crate::model::Model, trial: u64) -> TrialOutcome {
        let shape = OutcomeShape::of(model);
        TrialOutcome {
            trial,
            views: shape
                .views
                .iter()
                .map(|&groups| (0..groups).map(|_| GroupOutcome::new()).collect())
                .collect(),
            storage: StorageDays::new(shape.days),
            jobs: JobCounts::default(),
            copies: CopyCounts::new(),
            outage: OutageTimeline::new(shape.tiers),
            copy_days: super::ops::CopyDays::new(0, 0),
            alarms: super::ops::AlarmMonths {
                monitored_accounts: 0,
                firings: Vec::new(),
            },
            cost: shape
                .cost
                .map(|(keys, months, cells)| CostTally::new(keys, months, cells)),
            cost_usd: None,
        }
    }

    /// Makes this outcome equal to `TrialOutcome::new(model, trial)`, in place: its
    /// ~10–20 MB of histograms and tallies are zeroed rather than freed and allocated
    /// again for every trial. (Rebuilds it if it was shaped for another model.)
    pub fn reset(&mut self, model: &crate::model::Model, trial: u64) {
        if OutcomeShape::of(model) != self.shape() {
            *self = TrialOutcome::new(model, trial);
            return;
        }
        self.trial = trial;
        self.views
            .iter_mut()
            .flatten()
            .for_each(GroupOutcome::clear);
        self.storage.clear();
        self.jobs = JobCounts::default();
        self.copies.clear();
        self.outage.clear();
        self.copy_days = super::ops::CopyDays::new(0, 0);
        self.alarms = super::ops::AlarmMonths {
            monitored_accounts: 0,
            firings: Vec::new(),
        };
        if let Some(cost) = &mut self.cost {
            cost.clear();
        }
        self.cost_usd = None;
    }

    fn shape(&self) -> OutcomeShape {
        OutcomeShape {
            views: self.views.iter().map(Vec::len).collect(),
            days: self.storage.days,
            tiers: self.outage.affected.len(),
            cost: self
                .cost
                .as_ref()
                .map(|c| (c.keys, c.months, c.lifecycle.len())),
        }
    }

    pub fn view(&self, view: View) -> &[GroupOutcome] {
        &self.views[view as usize]
    }
}

/// The sizes a [`TrialOutcome`] is allocated with.
#[derive(Debug, PartialEq, Eq)]
struct OutcomeShape {
    /// Groups per view (none when the view is not simulated).
    views: Vec<usize>,
    days: usize,
    /// Reporting tiers, untiered included.
    tiers: usize,
    /// (cost keys, months, lifecycle cells) when the design is priced.
    cost: Option<(usize, usize, usize)>,
}

impl OutcomeShape {
    /// The sizes of `model`'s outcomes.
    fn of(model: &crate::model::Model) -> OutcomeShape {
        let sim = &model.simulation;
        OutcomeShape {
            views: View::ALL
                .iter()
                .map(|&v| {
                    if simulated(model, v) {
                        model.groups.len()
                    } else {
                        0
                    }
                })
                .collect(),
            days: sim.horizon_days(),
            tiers: model.tiers.len() + 1,
            cost: model.costs.as_ref().map(|costs| {
                (
                    costs.keys(),
                    sim.months.len(),
                    model.rules.len() * costs.prices.len(),
                )
            }),
        }
    }
}

/// What one trial bills, by calendar month, for the cost forecast (prices are applied at
/// the end of the trial): per charge (`cost::Charge`), the quantity billed under each cost
/// key (`model::Costs::key`: the resource's attributes × the billed region) in each month.
#[derive(Debug, Clone, PartialEq)]
pub struct CostTally {
    pub months: usize,
    /// Cost keys (`model::Costs::keys`).
    pub keys: usize,
    /// `[Charge as usize][key × months + month]`: the billed quantity of the charges
    /// tallied in floating point (transfer, restores, early deletion).
    pub quantities: Vec<Vec<f64>>,
    /// `[(Charge as usize × keys + key) × months + month]`: the storage charges, metered
    /// in exact integers (`cost::meter_storage`); [`CostTally::billed`] folds them into
    /// GB-months.
    pub stored: Vec<MonthStorage>,
    /// `[rule × cells + cell]`: what each rule's cold transition buys, per price cell.
    pub lifecycle: Vec<LifecycleTally>,
    /// `[key × 2 + (0 warm, 1 cold)]`: byte-seconds held over their whole lives by the
    /// storage intervals that start between the warm-up and the horizon
    /// (`sim::cost::storage`), exact.
    pub steady_byte_seconds: Vec<i128>,
    /// Some point is kept forever: storage never reaches a steady state.
    pub kept_forever: bool,
}

/// The recovery points of one rule (in one price cell) that asked for cold storage, and
/// what each would hold over its whole life with and without the cold transition.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LifecycleTally {
    /// Points created that asked for cold storage.
    pub points: u64,
    /// Of those, points of a type that cannot go cold (the setting does nothing).
    pub unsupported: u64,
    /// As designed: GB-days warm (the point's incremental data until it moves, or to
    /// deletion when it never does).
    pub warm_gb_days: f64,
    /// As designed: GB-days cold billed (the full point, at least the 90-day minimum).
    pub cold_gb_days: f64,
    /// Kept warm to deletion instead: GB-days warm.
    pub stay_warm_gb_days: f64,
}

impl LifecycleTally {
    pub fn merge(&mut self, other: &LifecycleTally) {
        self.points += other.points;
        self.unsupported += other.unsupported;
        self.warm_gb_days += other.warm_gb_days;
        self.cold_gb_days += other.cold_gb_days;
        self.stay_warm_gb_days += other.stay_warm_gb_days;
    }
}

/// One trial's bill, in USD per calendar month.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MonthlyCost {
    pub total: Vec<f64>,
    /// `[category][month]`, categories as [`COST_CATEGORIES`].
    pub by_category: Vec<Vec<f64>>,
    /// `[dimension][value][month]`, dimensions as [`COST_DIMENSIONS`]: the values of
    /// `Costs::dimension_values`, then regions (`Model::regions`), then price source kinds
    /// (`SourceKind::ALL`).
    pub by_dimension: Vec<Vec<Vec<f64>>>,
    /// Per charge: the quantity (in its unit) the catalog has no price for.
    pub unpriced: Vec<f64>,
    /// Mean monthly total over the complete months once retention has filled.
    pub steady_monthly: Option<f64>,
    /// The steady state projected from the horizon (`None` when points are kept
    /// forever): storage by Little's law (`sim::cost::storage`), continuous backup as in
    /// the last complete month, transfer and restores as their monthly mean after the
    /// warm-up.
    pub projected_steady_monthly: Option<f64>,
    /// Per rule (`Model::rules`): what its cold transition buys.
    pub lifecycle: Vec<RuleLifecycleCost>,
}

/// The lifetime cost of one rule's recovery points that asked for cold storage, as
/// designed and if they stayed warm (USD, over the price cells the catalog covers).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RuleLifecycleCost {
    pub points: u64,
    /// Points of types that cannot go cold (the setting does nothing).
    pub unsupported: u64,
    /// Points of types the catalog cannot price (left out of the costs).
    pub unpriced: u64,
    pub designed_usd: f64,
    pub stay_warm_usd: f64,
}

impl CostTally {
    pub fn new(keys: usize, months: usize, lifecycle_cells: usize) -> CostTally {
        CostTally {
            months,
            keys,
            quantities: vec![vec![0.0; keys * months]; Charge::ALL.len()],
            stored: vec![MonthStorage::default(); Charge::ALL.len() * keys * months],
            lifecycle: vec![LifecycleTally::default(); lifecycle_cells],
            steady_byte_seconds: vec![0; keys * 2],
            kept_forever: false,
        }
    }

    /// Zeroes every tally in place: afterwards it equals `CostTally::new` with the same
    /// sizes.
    pub fn clear(&mut self) {
        self.quantities.iter_mut().for_each(|q| q.fill(0.0));
        self.stored.fill(MonthStorage::default());
        self.lifecycle.fill(LifecycleTally::default());
        self.steady_byte_seconds.fill(0);
        self.kept_forever = false;
    }

    /// Where the months of `charge` under `key` lie in `stored`.
    fn stored_range(&self, charge: Charge, key: usize) -> std::ops::Range<usize> {
        let start = (charge as usize * self.keys + key) * self.months;
        start..start + self.months
    }

    /// Where the months of `key` lie in a charge's `quantities`.
    fn quantity_range(&self, key: usize) -> std::ops::Range<usize> {
        key * self.months..(key + 1) * self.months
    }

    /// The months of storage `charge` under `key`, as metered.
    pub fn stored_months(&mut self, charge: Charge, key: usize) -> &mut [MonthStorage] {
        let range = self.stored_range(charge, key);
        &mut self.stored[range]
    }

    /// The months of `charge` under `key` tallied in floating point.
    pub fn quantities_of(&mut self, charge: Charge, key: usize) -> &mut [f64] {
        let range = self.quantity_range(key);
        &mut self.quantities[charge as usize][range]
    }

    /// The quantity billed per month (`months`) for `charge` under `key`, into `out`,
    /// with `gb_bytes` bytes per GB.
    pub fn billed(
        &self,
        charge: Charge,
        key: usize,
        months: &[crate::model::Month],
        gb_bytes: f64,
        out: &mut Vec<f64>,
    ) {
        out.clear();
        out.extend_from_slice(&self.quantities[charge as usize][self.quantity_range(key)]);
        let stored = &self.stored[self.stored_range(charge, key)];
        crate::cost::fold_storage(stored, months, gb_bytes, out);
    }

    /// Adds `quantity` of `charge` under `key` in `month`.
    pub fn add(&mut self, charge: Charge, key: usize, month: usize, quantity: f64) {
        self.quantities_of(charge, key)[month] += quantity;
    }

    /// Prices the tally with `model`'s costs.
    pub fn price(&self, model: &crate::model::Model) -> MonthlyCost {
        let costs = model
            .costs
            .as_ref()
            .expect("a tally exists only with prices");
        let n = self.months;
        let mut sizes: Vec<usize> = costs.dimension_values.iter().map(Vec::len).collect();
        sizes.push(costs.regions);
        sizes.push(SourceKind::ALL.len());
        let mut bill = MonthlyCost {
            total: vec![0.0; n],
            by_category: vec![vec![0.0; n]; COST_CATEGORIES.len()],
            by_dimension: sizes.iter().map(|&k| vec![vec![0.0; n]; k]).collect(),
            unpriced: vec![0.0; Charge::ALL.len()],
            steady_monthly: None,
            projected_steady_monthly: None,
            lifecycle: Vec::new(),
        };
        let mut months = Vec::with_capacity(n);
        for key in 0..costs.keys() {
            let cell = costs.cell_of_key(key);
            let attributes = &costs.attributes[key / costs.regions];
            for charge in Charge::ALL {
                self.billed(
                    charge,
                    key,
                    &model.simulation.months,
                    costs.gb_bytes,
                    &mut months,
                );
                if months.iter().all(|&q| q == 0.0) {
                    continue;
                }
                let Some((price, kind)) = costs.prices[cell][charge as usize] else {
                    bill.unpriced[charge as usize] += months.iter().sum::<f64>();
                    continue;
                };
                let mut values = [0usize; COST_DIMENSIONS.len()];
                for (d, v) in attributes.values.iter().enumerate() {
                    values[d] = *v as usize;
                }
                values[5] = key % costs.regions;
                values[6] = SourceKind::ALL
                    .iter()
                    .position(|k| *k == kind)
                    .expect("every kind is listed");
                for (m, &quantity) in months.iter().enumerate() {
                    let usd = quantity * price;
                    bill.total[m] += usd;
                    bill.by_category[charge.category()][m] += usd;
                    for (d, &v) in values.iter().enumerate() {
                        bill.by_dimension[d][v][m] += usd;
                    }
                }
            }
        }
        let sim = &model.simulation;
        let complete = sim
            .months
            .iter()
            .take_while(|m| m.end_seconds <= sim.horizon_seconds)
            .count();
        bill.steady_monthly = costs
            .steady_from_month
            .filter(|&first| first < complete)
            .map(|first| {
                bill.total[first..complete].iter().sum::<f64>() / (complete - first) as f64
            });
        bill.projected_steady_monthly = self.project_steady_state(model, costs, &bill, complete);
        bill.lifecycle = self.price_lifecycle(model, costs);
        bill
    }

    /// The projected steady-state month (see `MonthlyCost::projected_steady_monthly`).
    fn project_steady_state(
        &self,
        model: &crate::model::Model,
        costs: &crate::model::Costs,
        bill: &MonthlyCost,
        complete: usize,
    ) -> Option<f64> {
        if self.kept_forever {
            return None;
        }
        let sim = &model.simulation;
        let window_days =
            (sim.horizon_seconds - sim.warmup_seconds) as f64 / crate::model::DAY_SECONDS as f64;
        let mut usd = 0.0;
        for key in 0..costs.keys() {
            let cell = costs.cell_of_key(key);
            for (class, charge) in [Charge::Warm, Charge::Cold].into_iter().enumerate() {
                let gb_days = self.steady_byte_seconds[key * 2 + class] as f64
                    / costs.gb_bytes
                    / crate::model::DAY_SECONDS as f64;
                if let (true, Some(price)) = (gb_days > 0.0, costs.price(cell, charge)) {
                    usd += gb_days / window_days * price;
                }
            }
        }
        let months = &sim.months;
        let last_complete = complete.checked_sub(1)?;
        usd += bill.by_category[Charge::Continuous.category()][last_complete];
        let settled: Vec<usize> = (0..complete)
            .filter(|&m| months[m].start_seconds >= sim.warmup_seconds)
            .collect();
        let settled = if settled.is_empty() {
            (0..complete).collect()
        } else {
            settled
        };
        for charge in [Charge::Transfer, Charge::RestoreWarm] {
            let category = &bill.by_category[charge.category()];
            usd += settled.iter().map(|&m| category[m]).sum::<f64>() / settled.len() as f64;
        }
        Some(usd)
    }

    /// Prices the lifecycle analysis: GB-days at the cell's $/GB-month over the days in an
    /// average month.
    fn price_lifecycle(
        &self,
        model: &crate::model::Model,
        costs: &crate::model::Costs,
    ) -> Vec<RuleLifecycleCost> {
        let cells = costs.prices.len();
        let per_day = |cell: usize, charge: Charge| {
            costs
                .price(cell, charge)
                .map(|usd| usd / crate::model::DAYS_PER_MONTH)
        };
        (0..model.rules.len())
            .map(|rule| {
                let mut out = RuleLifecycleCost::default();
                for cell in 0..cells {
                    let t = &self.lifecycle[rule * cells + cell];
                    if t.points == 0 {
                        continue;
                    }
                    out.points += t.points;
                    out.unsupported += t.unsupported;
                    let warm = per_day(cell, Charge::Warm);
                    let cold = per_day(cell, Charge::Cold);
                    let priced = match (warm, cold) {
                        (Some(w), Some(c)) => Some((w, c)),
                        (Some(w), None) if t.cold_gb_days == 0.0 => Some((w, 0.0)),
                        _ => None,
                    };
                    let Some((w, c)) = priced else {
                        out.unpriced += t.points;
                        continue;
                    };
                    out.designed_usd += t.warm_gb_days * w + t.cold_gb_days * c;
                    out.stay_warm_usd += t.stay_warm_gb_days * w;
                }
                out
            })
            .collect()
    }
}

/// Hours after a region outage at which the restore timeline is reported.
pub const TIMELINE_HOURS: usize = 168;

/// How a region outage's restores progressed: per reporting tier (`Model::tiers` order,
/// then untiered), resources and bytes back (restore validated and hydrated) in each hour
/// after the outage — bucket `h` holds those back after more than `h` and at most `h + 1`
/// hours — as counts per hour (prefix sums give what is back by the end of each hour).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OutageTimeline {
    /// `resources[tier][h]`: resources back in hour `h` (`h = TIMELINE_HOURS`: later).
    pub resources: Vec<Vec<u64>>,
    pub bytes: Vec<Vec<u128>>,
    /// Resources of each tier in the failed regions (recoverable or not).
    pub affected: Vec<u64>,
}

impl OutageTimeline {
    pub fn new(tiers: usize) -> OutageTimeline {
        OutageTimeline {
            resources: vec![vec![0; TIMELINE_HOURS + 1]; tiers],
            bytes: vec![vec![0; TIMELINE_HOURS + 1]; tiers],
            affected: vec![0; tiers],
        }
    }

    /// Zeroes it in place.
    pub fn clear(&mut self) {
        self.resources.iter_mut().for_each(|r| r.fill(0));
        self.bytes.iter_mut().for_each(|b| b.fill(0));
        self.affected.fill(0);
    }

    /// Records a resource of `tier` back `seconds` after the outage.
    pub fn back(&mut self, tier: usize, seconds: u64, bytes: u64) {
        let h = ((seconds.saturating_sub(1) / 3600) as usize).min(TIMELINE_HOURS);
        self.resources[tier][h] += 1;
        self.bytes[tier][h] += u128::from(bytes);
    }
}

/// Copy jobs, in the vocabulary of AWS Backup's copy job report.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CopyCounts {
    /// Copy jobs spawned by completed backups.
    pub created: u64,
    /// Copies that completed (usable at the destination) inside the horizon.
    pub completed: u64,
    /// Copies still waiting or transferring when the horizon ends (state RUNNING).
    pub running_at_end: u64,
    /// Copies that failed for good.
    pub failed: u64,
    /// Copies refused because the source point was already in cold storage.
    pub refused_cold: u64,
    /// Copies refused by the destination vault's lock.
    pub rejected_by_lock: u64,
    /// Cross-account copies refused because the source key is not shared with the
    /// destination account.
    pub rejected_by_key: u64,
    /// Copies an enabled service control policy denies (the destination vault cannot be
    /// created, or the copy's start or the copy itself is denied in its region).
    pub denied_by_scp: u64,
    /// Bytes sent by copies that were not refused or failed.
    pub bytes: u128,
    /// Copy lag: completion minus the source's usable time, seconds (mass = copies).
    pub lag: Histogram,
}

impl CopyCounts {
    pub fn new() -> CopyCounts {
        CopyCounts {
            created: 0,
            completed: 0,
            running_at_end: 0,
            failed: 0,
            refused_cold: 0,
            rejected_by_lock: 0,
            rejected_by_key: 0,
            denied_by_scp: 0,
            bytes: 0,
            lag: Histogram::new(),
        }
    }

    /// Zeroes it in place: afterwards it equals [`CopyCounts::new`].
    pub fn clear(&mut self) {
        self.created = 0;
        self.completed = 0;
        self.running_at_end = 0;
        self.failed = 0;
        self.refused_cold = 0;
        self.rejected_by_lock = 0;
        self.rejected_by_key = 0;
        self.denied_by_scp = 0;
        self.bytes = 0;
        self.lag.clear();
    }

    pub fn merge(&mut self, other: &CopyCounts) {
        self.created += other.created;
        self.completed += other.completed;
        self.running_at_end += other.running_at_end;
        self.failed += other.failed;
        self.refused_cold += other.refused_cold;
        self.rejected_by_lock += other.rejected_by_lock;
        self.rejected_by_key += other.rejected_by_key;
        self.denied_by_scp += other.denied_by_scp;
        self.bytes += other.bytes;
        self.lag.merge(&other.lag);
    }
}

impl Default for CopyCounts {
    fn default() -> Self {
        Self::new()
    }
}

/// RPO and RTO tallies of one reporting group in one trial.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct GroupOutcome {
    /// Time-weighted RPO exposure (seconds of exposure, mass in resource-seconds).
    pub rpo: Histogram,
    /// Resource-seconds of the measurement window observed (recoverable or not).
    pub rpo_observed_seconds: u64,
    /// Resource-seconds during which the exposure was within the group's RPO target.
    pub rpo_met_seconds: u64,
    /// Resource-seconds with no usable recovery point.
    pub rpo_unrecoverable_seconds: u64,
    /// RTO of each sampled resource-loss restore (mass = restores).
    pub rto: Histogram,
    /// Resource losses sampled (one per resource per trial).
    pub losses: u64,
    /// Losses restored within the RTO target.
    pub rto_met: u64,
    /// Losses with no usable recovery point at the time of loss.
    pub unrecoverable_losses: u64,
}

impl GroupOutcome {
    pub fn new() -> GroupOutcome {
        GroupOutcome {
            rpo: Histogram::new(),
            rpo_observed_seconds: 0,
            rpo_met_seconds: 0,
            rpo_unrecoverable_seconds: 0,
            rto: Histogram::new(),
            losses: 0,
            rto_met: 0,
            unrecoverable_losses: 0,
        }
    }

    /// Empties the tallies in place: afterwards they equal [`GroupOutcome::new`].
    pub fn clear(&mut self) {
        self.rpo.clear();
        self.rto.clear();
        self.rpo_observed_seconds = 0;
        self.rpo_met_seconds = 0;
        self.rpo_unrecoverable_seconds = 0;
        self.losses = 0;
        self.rto_met = 0;
        self.unrecoverable_losses = 0;
    }

    /// Adds another group's tallies (exact).
    pub fn merge(&mut self, other: &GroupOutcome) {
        self.rpo.merge(&other.rpo);
        self.rpo_observed_seconds += other.rpo_observed_seconds;
        self.rpo_met_seconds += other.rpo_met_seconds;
        self.rpo_unrecoverable_seconds += other.rpo_unrecoverable_seconds;
        self.rto.merge(&other.rto);
        self.losses += other.losses;
        self.rto_met += other.rto_met;
        self.unrecoverable_losses += other.unrecoverable_losses;
    }
}

impl Default for GroupOutcome {
    fn default() -> Self {
        Self::new()
    }
}

/// Backup job outcomes, in the vocabulary of AWS Backup's job report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct JobCounts {
    /// Jobs the schedules created.
    pub created: u64,
    /// Jobs that never started inside their start window (state EXPIRED).
    pub expired: u64,
    /// Of those, jobs that waited for a copy of their resource until the window closed.
    pub expired_waiting_for_copy: u64,
    /// Jobs that started late because a copy of their resource was still running.
    pub delayed_by_copy: u64,
    /// Jobs that failed (state FAILED), including vault-lock rejections.
    pub failed: u64,
    /// Jobs refused because the target vault's lock rejects the rule's retention.
    pub rejected_by_lock: u64,
    /// Jobs an enabled service control policy denies (their vault cannot be created in
    /// the region, or their start is denied there): FAILED, as AWS reports access denied.
    pub denied_by_scp: u64,
    /// Jobs that did not finish inside the completion window (no recovery point).
    pub cut_off: u64,
    /// Jobs that completed and created a recovery point.
    pub completed: u64,
    /// Bytes transferred by completed jobs.
    pub bytes_transferred: u128,
}

impl JobCounts {
    pub fn merge(&mut self, other: &JobCounts) {
        self.created += other.created;
        self.expired += other.expired;
        self.expired_waiting_for_copy += other.expired_waiting_for_copy;
        self.delayed_by_copy += other.delayed_by_copy;
        self.failed += other.failed;
        self.rejected_by_lock += other.rejected_by_lock;
        self.denied_by_scp += other.denied_by_scp;
        self.cut_off += other.cut_off;
        self.completed += other.completed;
        self.bytes_transferred += other.bytes_transferred;
    }
}

/// Storage held per day, warm and cold, as byte-seconds accumulated in O(1) per interval.
#[derive(Debug, Clone, PartialEq)]
pub struct StorageDays {
    days: usize,
    /// Difference array of the bytes held through whole days (prefix sums give each
    /// day's bytes; times a day's seconds, its byte-seconds).
    warm_full: Vec<i128>,
    warm_partial: Vec<i128>,
    cold_full: Vec<i128>,
    cold_partial: Vec<i128>,
}

/// A storage class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageClass {
    Warm,
    Cold,
}

const DAY: i64 = crate::model::DAY_SECONDS;

impl StorageDays {
    pub fn new(days: usize) -> StorageDays {
        StorageDays {
            days,
            warm_full: vec![0; days + 1],
            warm_partial: vec![0; days + 1],
            cold_full: vec![0; days + 1],
            cold_partial: vec![0; days + 1],
        }
    }

    /// Zeroes it in place.
    pub fn clear(&mut self) {
        for days in [
            &mut self.warm_full,
            &mut self.warm_partial,
            &mut self.cold_full,
            &mut self.cold_partial,
        ] {
            days.fill(0);
        }
    }

    /// Holds `bytes` in `class` over `[from, to)` (simulation seconds; clipped to the horizon).
    pub fn hold(&mut self, class: StorageClass, bytes: u64, from: i64, to: i64) {
        let end = self.days as i64 * DAY;
        let (from, to) = (from.max(0), to.min(end));
        if bytes == 0 || from >= to {
            return;
        }
        let (full, partial) = match class {
            StorageClass::Warm => (&mut self.warm_full, &mut self.warm_partial),
            StorageClass::Cold => (&mut self.cold_full, &mut self.cold_partial),
        };
        let b = i128::from(bytes);
        // Both are non-negative here: unsigned division by the constant is cheaper.
        let (d0, d1) = (from as u64 / DAY as u64, to as u64 / DAY as u64);
        let (d0, d1) = (d0 as usize, d1 as usize);
        if d0 == d1 {
            partial[d0] += b * i128::from(to - from);
            return;
        }
        partial[d0] += b * i128::from((d0 as i64 + 1) * DAY - from);
        full[d0 + 1] += b;
        full[d1] -= b;
        partial[d1] += b * i128::from(to - d1 as i64 * DAY);
    }

    /// Average bytes held on each day, warm and cold (integer division by the day's length).
    pub fn daily_average_bytes(&self) -> (Vec<u64>, Vec<u64>) {
        let average = |full: &[i128], partial: &[i128]| {
            let mut running: i128 = 0;
            (0..self.days)
                .map(|d| {
                    running += full[d];
                    let byte_seconds = running * i128::from(DAY) + partial[d];
                    debug_assert!(byte_seconds >= 0);
                    (byte_seconds / i128::from(DAY)) as u64
                })
                .collect()
        };
        (
            average(&self.warm_full, &self.warm_partial),
            average(&self.cold_full, &self.cold_partial),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_holds_partial_and_whole_days() {
        let mut s = StorageDays::new(4);
        // 100 bytes from noon on day 0 to noon on day 2.
        s.hold(StorageClass::Warm, 100, DAY / 2, 2 * DAY + DAY / 2);
        // 10 bytes cold for the last 6 hours of day 3, and beyond the horizon.
        s.hold(StorageClass::Cold, 10, 3 * DAY + 18 * 3600, 9 * DAY);
        let (warm, cold) = s.daily_average_bytes();
        assert_eq!(warm, vec![50, 100, 50, 0]);
        assert_eq!(cold, vec![0, 0, 0, 2]); // 10 × 6 h / 24 h = 2.5, floored
    }

    #[test]
    fn storage_within_one_day() {
        let mut s = StorageDays::new(2);
        s.hold(StorageClass::Warm, 86_400, 3600, 7200);
        assert_eq!(s.daily_average_bytes().0, vec![3600, 0]);
    }
}
