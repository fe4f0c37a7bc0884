//! The trial's billing hooks: what each stored interval, copy, restore and recovery point
//! adds to the trial's [`CostTally`], under the resource's cost key in the billed region
//! (`model::Costs::key`). Prices are applied once, at the end of the trial.

use super::outcome::{CostTally, LifecycleTally};
use crate::cost::{Charge, early_deletion_gb_months, meter_storage};
use crate::cost::{StoredInterval, cold_billed_until, metered_byte_seconds};
use crate::model::{Costs, DAY_SECONDS, Lifecycle, Model, Timing};

/// Where a resource's charges are billed: the resource and the billed region.
#[derive(Debug, Clone, Copy)]
pub(super) struct Billed {
    pub(super) resource: usize,
    pub(super) region: u16,
}

impl Billed {
    /// Resource `resource` billed in its own region.
    pub(super) fn home(model: &Model, resource: usize) -> Billed {
        Billed {
            resource,
            region: model.resources[resource].region_id,
        }
    }
}

/// Where a resource's stored intervals are billed: its cost key in the billed region, and
/// whether its type is metered in whole days. The same for every interval a resource
/// stores in one region, so a job looks it up once for all of its holds.
#[derive(Debug, Clone, Copy)]
pub(super) struct Meter {
    key: usize,
    per_day: bool,
}

impl Meter {
    pub(super) fn new(model: &Model, costs: &Costs, at: Billed) -> Meter {
        let resource_type = model.resources[at.resource].resource_type;
        Meter {
            key: costs.key(at.resource, at.region),
            per_day: costs.per_day[resource_type as usize],
        }
    }
}

/// How a stored interval counts towards the projected steady state: the recovery point
/// (or copy) it belongs to, by its capture time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Steady {
    /// Its whole length, beyond the horizon too.
    Whole { capture: i64 },
    /// Only up to the horizon: the newest point, whose successor the horizon cut off.
    ToHorizon { capture: i64 },
    /// Not at all (the projection takes it from the last month instead).
    Excluded,
}

/// Bills `interval` (bytes stored over `[from, to)`, clipped to the horizon) as `charge`
/// (warm, cold or continuous storage); a cold interval that ends before the 90-day
/// minimum also bills the rest.
///
/// It also feeds the projected steady state (Little's law): once retention has filled,
/// the storage held on average is the rate at which recovery points are created times
/// what each holds over its whole life. Every interval of a point captured between the
/// warm-up and the horizon adds its whole length (the cold minimum included), so a
/// one-year run projects a seven-year retention.
#[allow(clippy::too_many_arguments)]
pub(super) fn storage(
    tally: &mut CostTally,
    model: &Model,
    costs: &Costs,
    meter: Meter,
    charge: Charge,
    interval: StoredInterval,
    steady: Steady,
) {
    let sim = &model.simulation;
    let months = &sim.months;
    let key = meter.key;
    debug_assert!(steady == Steady::Excluded || charge != Charge::Continuous);
    meter_storage(
        StoredInterval {
            to: interval.to.min(sim.horizon_seconds),
            ..interval
        },
        months,
        |t| sim.month_of(t),
        meter.per_day,
        tally.stored_months(charge, key),
    );
    // Whole-day metering bills the day a chain's full size is handed over to the point
    // that hands it over, so each point pays from the day after its predecessor's
    // hand-over to the day of its own: the point before the warm-up pays the window's
    // first day, and the newest point, cut at the horizon, would pay the day its cut-off
    // successor takes over. It counts that day (to one second past the horizon, which
    // whole-day metering widens to the day's end), as the window's first day is counted
    // for a point outside it.
    let cut = if meter.per_day && interval.taken_over > 0 {
        sim.horizon_seconds.saturating_add(1)
    } else {
        sim.horizon_seconds
    };
    let (capture, end) = match steady {
        Steady::Whole { capture } => (capture, interval.to),
        Steady::ToHorizon { capture } => (capture, interval.to.min(cut)),
        Steady::Excluded => (i64::MIN, i64::MIN),
    };
    if interval.bytes > 0
        && end > interval.from
        && (sim.warmup_seconds..sim.horizon_seconds).contains(&capture)
    {
        if end == i64::MAX {
            tally.kept_forever = true;
        } else {
            let end = if charge == Charge::Cold {
                cold_billed_until(interval.from, end, costs.cold_minimum_days)
            } else {
                end
            };
            // Metered as billed: a GB-day type's point counts the whole days it touches.
            let class = usize::from(charge == Charge::Cold);
            tally.steady_byte_seconds[key * 2 + class] += metered_byte_seconds(
                StoredInterval {
                    to: end,
                    ..interval
                },
                meter.per_day,
            );
        }
    }
    if charge == Charge::Cold {
        early_deletion_gb_months(
            interval.bytes,
            interval.from,
            interval.to,
            costs.cold_minimum_days,
            months,
            costs.gb_bytes,
            tally.quantities_of(Charge::EarlyDeletion, key),
        );
    }
}

/// Bills `bytes` sent by a copy completed at `done` to the source region.
pub(super) fn transfer(
    tally: &mut CostTally,
    model: &Model,
    costs: &Costs,
    at: Billed,
    bytes: u64,
    done: i64,
) {
    let sim = &model.simulation;
    if (0..sim.horizon_seconds).contains(&done) {
        let key = costs.key(at.resource, at.region);
        tally.add(
            Charge::Transfer,
            key,
            sim.month_of(done),
            bytes as f64 / costs.gb_bytes,
        );
    }
}

/// A restore that a disaster view performed: the bytes it moved, from which storage
/// class, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Restored {
    pub(super) bytes: u64,
    pub(super) from_cold: bool,
    pub(super) at: i64,
}

/// Bills a disaster view's sampled restore as the restores the disaster's rate expects:
/// the sample stands for `expected_events(timing)` restores of this resource over the
/// horizon (one when the disaster is forced, none when it has no rate), so the monthly
/// mean across trials is the expected restore cost at the declared rates.
pub(super) fn restore(
    tally: &mut CostTally,
    model: &Model,
    costs: &Costs,
    at: Billed,
    timing: &Timing,
    restored: Restored,
) {
    let sim = &model.simulation;
    let weight = expected_events(model, timing);
    if weight == 0.0 || !(0..sim.horizon_seconds).contains(&restored.at) {
        return;
    }
    let charge = if restored.from_cold {
        Charge::RestoreCold
    } else {
        Charge::RestoreWarm
    };
    let key = costs.key(at.resource, at.region);
    tally.add(
        charge,
        key,
        sim.month_of(restored.at),
        weight * restored.bytes as f64 / costs.gb_bytes,
    );
}

/// Events per unit over the measurement window a disaster's sampled view stands for.
fn expected_events(model: &Model, timing: &Timing) -> f64 {
    if timing.at_seconds.is_some() {
        return 1.0;
    }
    let sim = &model.simulation;
    let window_years =
        (sim.horizon_seconds - sim.warmup_seconds) as f64 / (365.25 * DAY_SECONDS as f64);
    timing.rate_per_year.unwrap_or(0.0) * window_years
}

/// Days a point kept forever is compared over in the lifecycle analysis.
pub const FOREVER_DAYS: i64 = 3_652;

/// Adds one recovery point of a rule that asks for cold storage to the lifecycle
/// analysis: over its whole life, what it holds as designed (its incremental data warm
/// until it moves, then the full point cold for at least the 90-day minimum) and if it
/// stayed warm to deletion. `changed_bytes` is what the point holds while warm.
pub(super) fn lifecycle(
    tally: &mut CostTally,
    costs: &Costs,
    cell: usize,
    lifecycle: &Lifecycle,
    supported: bool,
    changed_bytes: u64,
    full_bytes: u64,
) {
    let Some(cold_after) = lifecycle.cold_after_seconds else {
        return;
    };
    let life = lifecycle
        .delete_after_seconds
        .unwrap_or(FOREVER_DAYS * DAY_SECONDS);
    let cells = costs.prices.len();
    let t: &mut LifecycleTally = &mut tally.lifecycle[lifecycle.rule as usize * cells + cell];
    let gb = |bytes: u64| bytes as f64 / costs.gb_bytes;
    let days = |seconds: i64| seconds as f64 / DAY_SECONDS as f64;
    t.points += 1;
    t.stay_warm_gb_days += gb(changed_bytes) * days(life);
    if !supported {
        t.unsupported += 1;
    }
    if !supported || cold_after >= life {
        // The point never moves: it is billed warm to deletion.
        t.warm_gb_days += gb(changed_bytes) * days(life);
        return;
    }
    let cold_from = cold_after;
    let cold_until = cold_billed_until(cold_from, life, costs.cold_minimum_days);
    t.warm_gb_days += gb(changed_bytes) * days(cold_from);
    t.cold_gb_days += gb(full_bytes) * days(cold_until - cold_from);
}
