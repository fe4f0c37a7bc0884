//! Disasters that strike at one instant and leave only some recovery points usable:
//! account compromise, key loss and region outage (logical corruption, which looks back
//! from its detection, uses the same [`Pick`]).
//!
//! Each is a conditional view: every resource is evaluated as if the disaster hit it, at
//! a forced instant or at a uniformly random one in the measurement window (one instant
//! per resource for compromise and key loss, one per failed region for an outage, since
//! all its resources fail together). The rates in the scenario turn these conditional
//! results into yearly expectations in the report.
//!
//! Which points survive (aws-backup-facts §6, §7; docs/assumptions.md):
//! - **Account compromise**: points in vaults of the resource's own account are deleted
//!   unless a compliance-mode lock protects them; copies in other accounts survive.
//! - **Key loss**: the key of the resource's primary vault is disabled; every point
//!   encrypted with it (local points, and copies in vaults that use the same key — a
//!   central or multi-Region key) is unusable.
//! - **Region outage**: everything in the failed region is gone, including same-region
//!   copies in other accounts; only copies completed in another region before the outage
//!   remain. Every affected resource restores at once, competing for per-account restore
//!   slots and one shared restore throughput (`sim::wave`), in the scenario's order.
//!
//! Each job offers its local point as it runs; its copies are offered when they settle
//! (`sim::copy`, in order of completion); when the resource's trial ends, compromise and
//! key loss restore from what they picked and the resource joins its region's outage.

use super::cost::{Billed, Restored};
use super::outcome::CostTally;
use super::outcome::{GroupOutcome, OutageTimeline};
use super::trial::{
    MIN_THROUGHPUT_MIB_PER_S, Point, ceil_non_negative, restore, round_non_negative, uniform_below,
};
use super::wave::{Class, RestoreJob, Wave};
use crate::dist::Dist;
use crate::model::{DAY_SECONDS, Declared, KeyId, MIB_BYTES, Model, Resource, Timing};
use crate::rng::{SimRng, Stream, stream};

/// The newest point that satisfies a disaster's conditions: usable by the instant `at`
/// and not yet deleted then (and, for a corruption, captured before it: see
/// [`Pick::offer_captured_before`]).
#[derive(Debug, Clone, Copy)]
pub(super) struct Pick {
    /// The instant: a point must be usable by then and not yet deleted.
    at: i64,
    pub(super) best: Option<Point>,
}

impl Pick {
    /// Points usable and still kept at `at`.
    pub(super) fn at(at: i64) -> Pick {
        Pick { at, best: None }
    }

    /// Considers `point`, usable from `usable`.
    #[inline]
    pub(super) fn offer(&mut self, point: Point, usable: i64) {
        self.offer_captured_before(i64::MAX, point, usable);
    }

    /// Considers `point`, usable from `usable`, if it was captured before `before` (a
    /// corruption's instant: later points hold the corrupted data).
    #[inline]
    pub(super) fn offer_captured_before(&mut self, before: i64, point: Point, usable: i64) {
        if point.capture < before
            && usable <= self.at
            && point.delete_at > self.at
            && self.best.is_none_or(|b| b.capture < point.capture)
        {
            self.best = Some(point);
        }
    }

    /// The instant the pick looks from.
    pub(super) fn instant(&self) -> i64 {
        self.at
    }
}

/// A resource's stream for a disaster view (`which`) and the view's instant, its first
/// draw. The stream continues with the restore: a run keeps the instant and draws the
/// stream again when it restores (a few nanoseconds), rather than hold 32 bytes of
/// generator state per view per resource through the trial.
pub(super) fn disaster_stream(
    model: &Model,
    resource: &Resource,
    trial: u64,
    seed: u64,
    which: Stream,
    timing: &Timing,
) -> (i64, SimRng) {
    let mut rng = stream(seed, trial, resource.entity_id, which);
    let at = instant(model, timing, &mut rng);
    (at, rng)
}

/// The instant of a disaster: forced, or uniform over the measurement window.
pub(super) fn instant(model: &Model, timing: &Timing, rng: &mut SimRng) -> i64 {
    let sim = &model.simulation;
    // Drawn even when forced, so forcing one disaster never shifts later draws.
    let drawn = sim.warmup_seconds
        + uniform_below(rng, (sim.horizon_seconds - sim.warmup_seconds) as u64) as i64;
    timing.at_seconds.unwrap_or(drawn)
}

/// Records the data lost by one event: the event instant minus the capture of the point
/// restored from (or unrecoverable).
pub(super) fn record_event(
    group: &mut GroupOutcome,
    at: i64,
    source: Option<Point>,
    target: Option<i64>,
) {
    group.rpo_observed_seconds += 1;
    match source {
        None => group.rpo_unrecoverable_seconds += 1,
        Some(p) => {
            let lost = (at - p.capture).max(0);
            group.rpo.add_point(lost as u64, 1);
            if target.is_some_and(|t| lost <= t) {
                group.rpo_met_seconds += 1;
            }
        }
    }
}

/// A resource's pending disaster views, from its first job to the end of its trial.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    /// Account compromise: the pick.
    pub(super) compromise: Option<Pick>,
    /// Key loss: the pick and the lost key.
    pub(super) key_loss: Option<(Pick, KeyId)>,
    /// Region outage of the resource's region (index into the trial's outages).
    pub(super) outage: Option<(Pick, usize)>,
}

impl Pending {
    /// Draws the resource's disaster instants (phase 1, before its jobs).
    pub(super) fn new(
        model: &Model,
        resource: &Resource,
        trial: u64,
        seed: u64,
        outages: &[Outage],
    ) -> Pending {
        let d = &model.disasters;
        let compromise = d.account_compromise.as_ref().map(|c| {
            let (at, _) =
                disaster_stream(model, resource, trial, seed, Stream::Compromise, &c.timing);
            Pick::at(at)
        });
        let key_loss = d.key_loss.as_ref().map(|k| {
            let (at, _) = disaster_stream(model, resource, trial, seed, Stream::KeyLoss, &k.timing);
            // The key of the primary vault (the first lifecycle's); an unprotected
            // resource has no points, so any key leaves it unrecoverable.
            let key = resource
                .program
                .and_then(|p| model.programs[p].lifecycles.first())
                .map_or(
                    KeyId {
                        owner: Some(resource.account as u32),
                        region: Some(resource.region_id),
                    },
                    |l| model.key_of(l.vault, resource.account, resource.region_id),
                );
            (Pick::at(at), key)
        });
        let outage = outages
            .iter()
            .position(|o| o.region == resource.region_id)
            .map(|i| (Pick::at(outages[i].at), i));
        Pending {
            compromise,
            key_loss,
            outage,
        }
    }

    /// Applies `f` to the compromise and key-loss picks that a point kept in `vault`, in
    /// region `region_id`, survives.
    fn surviving(
        &mut self,
        model: &Model,
        resource: &Resource,
        vault: usize,
        region_id: u16,
        mut f: impl FnMut(&mut Pick),
    ) {
        if let Some(pick) = &mut self.compromise
            && model.survives_compromise(vault, resource.account)
        {
            f(pick);
        }
        if let Some((pick, key)) = &mut self.key_loss
            && model.key_of(vault, resource.account, region_id) != *key
        {
            f(pick);
        }
    }

    /// Offers a point of the resource's own backups, kept in `vault` (phase 1). A region
    /// outage leaves nothing in the region, so the outage pick never takes it.
    pub(super) fn offer_local(
        &mut self,
        model: &Model,
        resource: &Resource,
        vault: usize,
        point: Point,
        usable: i64,
    ) {
        self.surviving(model, resource, vault, resource.region_id, |pick| {
            pick.offer(point, usable)
        });
    }

    /// Offers point-in-time recovery active from `from` in `vault` (newest point `lag`
    /// behind): it restores to the disaster instant minus the lag.
    pub(super) fn offer_continuous(
        &mut self,
        model: &Model,
        resource: &Resource,
        vault: usize,
        from: i64,
        lag: i64,
    ) {
        self.surviving(model, resource, vault, resource.region_id, |pick| {
            let at = pick.instant();
            if from <= at - lag {
                let full_bytes =
                    round_non_negative(resource.size_on_day(at.div_euclid(DAY_SECONDS)));
                pick.offer(
                    Point {
                        capture: at - lag,
                        delete_at: i64::MAX,
                        cold_at: i64::MAX,
                        full_bytes,
                    },
                    at,
                );
            }
        });
    }

    /// Offers a copy in `vault` in region `region_id`, usable from `usable` (when it
    /// settles).
    pub(super) fn offer_copy(
        &mut self,
        model: &Model,
        resource: &Resource,
        vault: usize,
        region_id: u16,
        point: Point,
        usable: i64,
    ) {
        self.surviving(model, resource, vault, region_id, |pick| {
            pick.offer(point, usable)
        });
        if let Some((pick, _)) = &mut self.outage
            && region_id != resource.region_id
        {
            pick.offer(point, usable);
        }
    }

    /// Restores what compromise and key loss left (the resource's trial has ended: every
    /// point and copy was offered) and queues the resource for
    /// its region's outage wave.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn settle(
        self,
        model: &Model,
        resource_index: usize,
        trial: u64,
        seed: u64,
        views: &mut [Vec<GroupOutcome>],
        outages: &mut [Outage],
        mut cost: Option<&mut CostTally>,
    ) {
        use super::outcome::View;
        let resource = &model.resources[resource_index];
        let spec = &model.groups[resource.group];
        let mut settle = |view: View, which: Stream, pick: Pick, settings: &Declared| {
            let (at, mut rng) =
                disaster_stream(model, resource, trial, seed, which, &settings.timing);
            debug_assert_eq!(at, pick.instant());
            let group = &mut views[view as usize][resource.group];
            record_event(group, pick.instant(), pick.best, spec.rpo_target_seconds);
            let restored = restore(
                model,
                resource,
                &mut rng,
                pick.best,
                pick.instant(),
                &settings.declaration_delay_minutes,
                spec.rto_target_seconds,
                group,
            );
            if let (Some(tally), Some(costs), Some(r)) =
                (cost.as_deref_mut(), &model.costs, restored)
            {
                let at = Billed::home(model, resource_index);
                super::cost::restore(tally, model, costs, at, &settings.timing, r);
            }
        };
        if let (Some(pick), Some(c)) = (self.compromise, &model.disasters.account_compromise) {
            settle(View::AccountCompromise, Stream::Compromise, pick, c);
        }
        if let (Some((pick, _)), Some(k)) = (self.key_loss, &model.disasters.key_loss) {
            settle(View::KeyLoss, Stream::KeyLoss, pick, k);
        }
        if let Some((pick, i)) = self.outage {
            outages[i]
                .candidates
                .push((resource_index as u32, pick.best));
        }
    }
}

/// One region's outage in one trial.
#[derive(Debug, Clone)]
pub(super) struct Outage {
    pub(super) region: u16,
    pub(super) at: i64,
    /// When restores may start (after the declaration).
    ready: i64,
    /// (resource index, the point it restores from), in resource order.
    candidates: Vec<(u32, Option<Point>)>,
}

/// A stable entity id for a region's outage stream (FNV-1a of its name).
fn region_entity(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The disaster views of one trial between the phases: each resource's pending views,
/// the region outages and their waves' buffers (reused across trials).
#[derive(Debug, Default)]
pub struct DisasterState {
    pub(super) outages: Vec<Outage>,
    pub(super) waves: Waves,
}

/// Buffers of the outage waves, reused across trials.
#[derive(Debug, Default)]
pub struct Waves {
    classes: Vec<Class>,
    jobs: Vec<RestoreJob>,
    /// Per job: (resource index, validation + hydration seconds, bytes).
    after: Vec<(u32, i64, u64)>,
    out: Vec<(i64, i64)>,
    wave: Option<Wave>,
}

/// Draws every failed region's outage instant and declaration for this trial into
/// `outages`, one per failed region in the model's order. Each outage keeps its list of
/// candidates from the trial before (emptied by `run_outages`), sized on first use to the
/// resources of its region, so the lists are neither regrown nor reallocated per trial.
pub(super) fn draw_outages(model: &Model, trial: u64, seed: u64, outages: &mut Vec<Outage>) {
    let Some(o) = &model.disasters.region_outage else {
        outages.clear();
        return;
    };
    if !outages
        .iter()
        .map(|x| x.region)
        .eq(o.regions.iter().copied())
    {
        *outages = o
            .regions
            .iter()
            .map(|&region| Outage {
                region,
                at: 0,
                ready: 0,
                candidates: Vec::with_capacity(
                    model
                        .resources
                        .iter()
                        .filter(|r| r.region_id == region)
                        .count(),
                ),
            })
            .collect();
    }
    for outage in outages.iter_mut() {
        debug_assert!(outage.candidates.is_empty(), "run_outages empties them");
        let name = &model.regions[usize::from(outage.region)];
        let mut rng = stream(seed, trial, region_entity(name), Stream::RegionOutage);
        outage.at = instant(model, &o.timing, &mut rng);
        let declaration = o.declaration_delay_minutes.sample_non_negative(&mut rng);
        outage.ready = outage.at + ceil_non_negative(declaration * 60.0) as i64;
    }
}

/// The reporting tier of each group: its index in `Model::tiers`, or `tiers.len()`.
pub(super) fn tier_of_groups(model: &Model) -> Vec<usize> {
    model
        .groups
        .iter()
        .map(|g| {
            model
                .tiers
                .iter()
                .position(|t| t.name == g.tier)
                .unwrap_or(model.tiers.len())
        })
        .collect()
}

/// Runs every outage's restore wave and records RPO, RTO and the timeline.
pub(super) fn run_outages(
    model: &Model,
    trial: u64,
    seed: u64,
    state: &mut DisasterState,
    views: &mut [Vec<GroupOutcome>],
    timeline: &mut OutageTimeline,
    mut cost: Option<&mut CostTally>,
) {
    let (outages, buffers) = (&mut state.outages, &mut state.waves);
    use super::outcome::View;
    let Some(settings) = &model.disasters.region_outage else {
        return;
    };
    let tier_of = tier_of_groups(model);
    let wave = buffers.wave.get_or_insert_with(|| {
        Wave::new(
            settings.restore_throughput_mib_per_s * MIB_BYTES,
            settings.max_concurrent_restores_per_account,
        )
    });
    // One class per priority level; each job carries its own cap (its restore throughput).
    let priorities = if settings.tier_priority {
        model.tiers.len() + 1
    } else {
        1
    };
    buffers.classes.clear();
    buffers.classes.extend((0..priorities).map(|p| Class {
        cap_bytes_per_second: f64::INFINITY,
        priority: u8::try_from(p).unwrap_or(u8::MAX),
    }));
    for outage in outages.iter_mut() {
        // Resources settle in no fixed order (those whose copies cross regions last):
        // the wave takes them in resource order.
        outage.candidates.sort_unstable_by_key(|&(r, _)| r);
        buffers.jobs.clear();
        buffers.jobs.reserve_exact(outage.candidates.len());
        buffers.after.clear();
        buffers.after.reserve_exact(outage.candidates.len());
        for &(r, source) in &outage.candidates {
            let resource = &model.resources[r as usize];
            let spec = &model.groups[resource.group];
            let tier = tier_of[resource.group];
            timeline.affected[tier] += 1;
            let group = &mut views[View::RegionOutage as usize][resource.group];
            record_event(group, outage.at, source, spec.rpo_target_seconds);
            group.losses += 1;
            let Some(point) = source else {
                group.unrecoverable_losses += 1;
                continue;
            };
            let behaviour = &model.behaviour[resource.resource_type as usize];
            let mut rng = stream(seed, trial, resource.entity_id, Stream::RegionOutage);
            let mut draw = |d: &Dist| d.sample_non_negative(&mut rng);
            let throughput =
                draw(&behaviour.restore_throughput_mib_per_s).max(MIN_THROUGHPUT_MIB_PER_S);
            let retrieval = draw(&behaviour.retrieval_minutes);
            let cold_extra = draw(&behaviour.cold_retrieval_extra_hours);
            let process = draw(&behaviour.restore_process_minutes);
            let validation = draw(&behaviour.validation_minutes);
            let hydration = draw(&behaviour.hydration_minutes);
            let in_cold = point.cold_at <= outage.at;
            if let (Some(tally), Some(costs)) = (cost.as_deref_mut(), &model.costs) {
                // Billed at the resource's own region's rate (the copy restored from
                // lives in another region; docs/cost.md).
                let at = Billed::home(model, r as usize);
                let restored = Restored {
                    bytes: point.full_bytes,
                    from_cold: in_cold,
                    at: outage.at,
                };
                super::cost::restore(tally, model, costs, at, &settings.timing, restored);
            }
            let setup = 60.0 * retrieval + if in_cold { 3600.0 * cold_extra } else { 0.0 };
            let priority = if settings.tier_priority { tier } else { 0 };
            buffers.jobs.push(RestoreJob {
                account: resource.account as u32,
                class: priority as u16,
                cap_bytes_per_second: throughput * MIB_BYTES,
                ready_seconds: outage.ready,
                setup_seconds: ceil_non_negative(setup) as i64,
                size_bytes: point.full_bytes,
                finish_seconds: ceil_non_negative(60.0 * process) as i64,
            });
            buffers.after.push((
                r,
                ceil_non_negative(60.0 * (validation + hydration)) as i64,
                point.full_bytes,
            ));
        }
        wave.run(&buffers.classes, &buffers.jobs, &mut buffers.out);
        for (k, &(r, after, bytes)) in buffers.after.iter().enumerate() {
            let resource = &model.resources[r as usize];
            let spec = &model.groups[resource.group];
            let seconds = (buffers.out[k].1 + after - outage.at) as u64;
            let group = &mut views[View::RegionOutage as usize][resource.group];
            group.rto.add_point(seconds, 1);
            if spec.rto_target_seconds.is_some_and(|t| seconds as i64 <= t) {
                group.rto_met += 1;
            }
            timeline.back(tier_of[resource.group], seconds, bytes);
        }
        outage.candidates.clear();
    }
}
