//! One resource's trial as a resumable state machine: its backup jobs in order, each
//! creating a recovery point (or not), its lifecycle and storage, the RPO sawtooth, and
//! at the end the sampled losses and their restores.
//!
//! AWS Backup runs one backup or copy job per resource at a time (aws-backup-facts §3.1,
//! §9). A job therefore waits while the resource's previous backup or any of its copies
//! still runs, and expires if its start window closes first. A same-region copy's end is
//! known when it is emitted; a cross-region copy's end depends on every other copy on its
//! link. So resources whose copies cross regions are stepped job by job, in time order,
//! by the trial's event loop (`trial`), which tells each job whether its copies are done;
//! every other resource runs start to finish on its own.

use super::copy::{Batch, CopySinks, CopyStage, CopyTail, LastCopies, RequestId};
use super::cost::{self, Steady};
use super::disaster::{Outage, Pending};
use super::ops::OpsCollector;
use super::outcome::{
    CopyCounts, CostTally, GroupOutcome, JobCounts, StorageClass, StorageDays, View,
};
use super::trial::{
    Corruption, Exposure, Frame, MIN_THROUGHPUT_MIB_PER_S, Point, Points, ceil_non_negative,
    round_non_negative,
};
use crate::cost::{Charge, StoredInterval};
use crate::dist::bernoulli;
use crate::model::{CompletionWindowFrom, Costs, DAY_SECONDS, MIB_BYTES, Model};
use crate::rng::{SimRng, Stream, stream};

/// The newest point still held in warm storage: it carries the chain's full size.
#[derive(Debug, Clone, Copy)]
struct WarmHead {
    capture: i64,
    usable: i64,
    warm_end: i64,
    full_bytes: u64,
    /// The full size its predecessor held up to `usable` and handed over to it (0 when it
    /// starts a chain): whole-day metering bills the day of the hand-over once.
    taken_over: u64,
}

impl WarmHead {
    /// The chain's full size, held by this point from its completion to `to`.
    fn interval(&self, to: i64) -> StoredInterval {
        StoredInterval::carrying(self.full_bytes, self.usable, to, self.taken_over)
    }
}

/// The draws of one job, made once whatever happens to it, so one job's fate never
/// shifts the draws of the next.
#[derive(Debug, Clone, Copy)]
struct Draws {
    delay_seconds: i64,
    fails: bool,
    throughput_mib_per_s: f64,
}

/// The longest continuous-backup retention AWS accepts, days.
const MAX_CONTINUOUS_DAYS: i64 = 35;

/// Where a resource's jobs write their results.
pub(super) struct Sinks<'a> {
    pub(super) jobs: &'a mut JobCounts,
    pub(super) storage: &'a mut StorageDays,
    /// Every disaster view's groups (`[View as usize][group]`).
    pub(super) views: &'a mut [Vec<GroupOutcome>],
    pub(super) copies: &'a mut CopyStage,
    pub(super) copy_counts: &'a mut CopyCounts,
    pub(super) ops: &'a mut OpsCollector,
    /// The trial's region outages, which collect their resources' restore candidates.
    pub(super) outages: &'a mut [Outage],
    /// What the trial bills, when the scenario prices its design.
    pub(super) cost: Option<&'a mut CostTally>,
}

/// Which storage a held interval bills.
/// Each names the capture time of the point the bytes belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Billed {
    Warm(i64),
    Cold(i64),
    /// The newest point's full size at the end of the trial (its successor lies beyond
    /// the horizon).
    LastWarm(i64),
}

impl Sinks<'_> {
    /// Where resource `index`'s own storage is billed, when the scenario prices its design.
    fn meter(&self, model: &Model, index: usize) -> Option<cost::Meter> {
        let costs = model.costs.as_ref().filter(|_| self.cost.is_some())?;
        Some(cost::Meter::new(
            model,
            costs,
            cost::Billed::home(model, index),
        ))
    }

    /// Holds `interval` in storage: the storage days and, when priced (`meter`, from
    /// [`Sinks::meter`]), the GB-months billed. Inlined into the job (a call per interval
    /// cost ~5 % of the gate's instructions).
    #[inline(always)]
    fn hold(
        &mut self,
        model: &Model,
        meter: Option<cost::Meter>,
        class: Billed,
        interval: StoredInterval,
    ) {
        let (storage_class, charge, steady) = match class {
            Billed::Warm(capture) => (StorageClass::Warm, Charge::Warm, Steady::Whole { capture }),
            Billed::Cold(capture) => (StorageClass::Cold, Charge::Cold, Steady::Whole { capture }),
            Billed::LastWarm(capture) => (
                StorageClass::Warm,
                Charge::Warm,
                Steady::ToHorizon { capture },
            ),
        };
        self.storage
            .hold(storage_class, interval.bytes, interval.from, interval.to);
        if let (Some(tally), Some(costs), Some(meter)) =
            (self.cost.as_deref_mut(), &model.costs, meter)
        {
            cost::storage(tally, model, costs, meter, charge, interval, steady);
        }
    }
}

/// The next job of a resource, as far as the resource itself knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Next {
    /// Ready to start at `start` unless a copy still runs; expires after `deadline`.
    Job { start: i64, deadline: i64 },
    /// No more jobs.
    Done,
}

/// One resource's trial in progress.
#[derive(Debug)]
pub(super) struct ResourceRun {
    pub(super) index: usize,
    next_slot: usize,
    draws: Option<Draws>,
    rng: Option<SimRng>,
    copy_rng: Option<SimRng>,
    /// The resource's previous backup (or a same-region copy) runs until then.
    busy_until: i64,
    head: Option<WarmHead>,
    daily_growth: f64,
    size_day: i64,
    size_bytes: f64,
    exposure: Exposure,
    /// Recovery points that can still become the newest usable one (see `trial::Scratch`).
    stack: Points,
    /// The copies of the latest job, settled when the next job runs or the trial ends.
    batch: Batch,
    /// What the settled copies leave: the DR-region RPO, the newest copy per vault.
    tail: CopyTail,
    corruption: Option<Corruption>,
    pending: Pending,
    continuous_vault: Option<usize>,
    /// Continuous backup: the window of point-in-time recovery, seconds.
    continuous_window: i64,
    /// (destination vault, capture of the last good copy) of this resource.
    last_copy: LastCopies,
}

impl ResourceRun {
    /// Starts resource `index`'s trial.
    pub(super) fn new(
        model: &Model,
        index: usize,
        trial: u64,
        seed: u64,
        pending: Pending,
    ) -> ResourceRun {
        let resource = &model.resources[index];
        let mut disaster_rng = stream(seed, trial, resource.entity_id, Stream::Disaster);
        let resource_loss = model
            .disasters
            .resource_loss
            .as_ref()
            .expect("resolve always sets resource loss");
        let loss_at = super::disaster::instant(model, &resource_loss.timing, &mut disaster_rng);
        let corruption = model
            .disasters
            .logical_corruption
            .as_ref()
            .map(|c| Corruption::new(model, resource, trial, seed, c));
        let has_jobs = resource.program.is_some();
        ResourceRun {
            index,
            next_slot: 0,
            draws: None,
            rng: has_jobs.then(|| stream(seed, trial, resource.entity_id, Stream::BackupJob)),
            copy_rng: has_jobs.then(|| stream(seed, trial, resource.entity_id, Stream::Copy)),
            busy_until: i64::MIN,
            head: None,
            daily_growth: resource.daily_growth_factor(),
            size_day: 0,
            size_bytes: resource.size_bytes as f64,
            exposure: Exposure::new(loss_at),
            stack: Points::new(),
            batch: Batch::new(),
            tail: CopyTail::new(),
            corruption,
            pending,
            continuous_vault: None,
            continuous_window: 0,
            last_copy: LastCopies::new(),
        }
    }

    /// Reads a word of each part of the state the next job reads (the run's own state,
    /// its resource, its points, its disaster picks, its copy bookkeeping), for the event
    /// loop to load ahead: see `trial::run_together`. The loads are independent, so their
    /// cache misses overlap. No effect on results.
    pub(super) fn touch(&self, model: &Model) -> u64 {
        let capture = |p: Option<Point>| p.map_or(0, |p| p.capture as u64);
        let mut words = [
            model.resources[self.index].program.unwrap_or(0) as u64,
            self.next_slot as u64,
            self.busy_until as u64,
            self.exposure.cursor() as u64,
            capture(self.stack.last().copied()),
            self.head.map_or(0, |h| h.capture as u64),
            self.size_bytes as u64,
            self.batch.len() as u64,
            self.last_copy.len() as u64,
            self.tail.touch(),
            capture(self.corruption.as_ref().and_then(|c| c.pick.best)),
            capture(self.pending.compromise.as_ref().and_then(|c| c.best)),
            capture(self.pending.key_loss.as_ref().and_then(|k| k.0.best)),
            u64::from(self.draws.is_some()),
        ];
        words.iter_mut().fold(0, |sum, w| sum.wrapping_add(*w))
    }

    /// The next job: draws its numbers (once), and expires it at once if the resource's
    /// previous backup outlasts its start window.
    pub(super) fn next(&mut self, model: &Model, sinks: &mut Sinks) -> Next {
        let resource = &model.resources[self.index];
        let Some(program) = resource.program.map(|p| &model.programs[p]) else {
            return Next::Done;
        };
        let sim = &model.simulation;
        let behaviour = &model.behaviour[resource.resource_type as usize];
        loop {
            let Some(slot) = program.slots.get(self.next_slot) else {
                return Next::Done;
            };
            let draws = match self.draws {
                Some(d) => d,
                None => {
                    let rng = self
                        .rng
                        .as_mut()
                        .expect("a resource with jobs has a stream");
                    let delay_minutes = sim.start_delay_minutes.sample_non_negative(rng);
                    let fails = bernoulli(rng, behaviour.failure_probability);
                    let throughput = behaviour
                        .backup_throughput_mib_per_s
                        .sample(rng)
                        .max(MIN_THROUGHPUT_MIB_PER_S);
                    sinks.jobs.created += 1;
                    sinks
                        .ops
                        .job_created(resource.account, slot.scheduled_seconds);
                    let d = Draws {
                        delay_seconds: round_non_negative(delay_minutes * 60.0) as i64,
                        fails,
                        throughput_mib_per_s: throughput,
                    };
                    self.draws = Some(d);
                    d
                }
            };
            let start = (slot.scheduled_seconds + draws.delay_seconds).max(self.busy_until);
            let deadline = slot.scheduled_seconds + slot.start_window_seconds;
            if start > deadline {
                sinks.jobs.expired += 1;
                self.draws = None;
                self.next_slot += 1;
                continue;
            }
            return Next::Job { start, deadline };
        }
    }

    /// The next job waited for a copy of the resource past its start window: EXPIRED.
    pub(super) fn expire_waiting_for_copy(&mut self, sinks: &mut Sinks) {
        sinks.jobs.expired += 1;
        sinks.jobs.expired_waiting_for_copy += 1;
        self.draws = None;
        self.next_slot += 1;
    }

    /// The copies the latest job emitted (ids in the copy stage), until they settle.
    pub(super) fn emitted(&self) -> &[RequestId] {
        &self.batch
    }

    /// Settles the latest job's copies (every one has completed: a job runs only once
    /// its resource's copies are done, and the trial ends with every link run dry).
    fn settle_copies(&mut self, model: &Model, sinks: &mut Sinks) {
        if self.batch.is_empty() {
            return;
        }
        let group = model.resources[self.index].group;
        sinks.copies.settle(
            model,
            self.index,
            &mut self.batch,
            &mut self.tail,
            &mut self.pending,
            CopySinks {
                dr_group: &mut sinks.views[View::DrRegion as usize][group],
                counts: sinks.copy_counts,
                ops: sinks.ops,
                cost: sinks.cost.as_deref_mut(),
            },
        );
    }

    /// Runs the next job (as returned by [`ResourceRun::next`]), starting at `start`,
    /// once the previous job's copies have settled. The copies it emits are
    /// [`ResourceRun::emitted`].
    pub(super) fn run_job(&mut self, model: &Model, start: i64, sinks: &mut Sinks) {
        self.settle_copies(model, sinks);
        let resource = &model.resources[self.index];
        let program = &model.programs[resource.program.expect("a job has a program")];
        let sim = &model.simulation;
        let behaviour = &model.behaviour[resource.resource_type as usize];
        let slot = &program.slots[self.next_slot];
        let draws = self.draws.take().expect("next() drew the job");
        self.next_slot += 1;
        let lifecycle = program.lifecycles[usize::from(slot.lifecycle)];
        if lifecycle.rejected_by_lock {
            sinks.jobs.rejected_by_lock += 1;
            sinks.jobs.failed += 1;
            sinks.ops.backup_failed(resource.account, start);
            return;
        }
        if model
            .scp
            .backup_denied(resource.account, resource.region_id)
        {
            sinks.jobs.denied_by_scp += 1;
            sinks.jobs.failed += 1;
            sinks.ops.backup_failed(resource.account, start);
            return;
        }
        if draws.fails {
            sinks.jobs.failed += 1;
            sinks.ops.backup_failed(resource.account, start);
            return;
        }
        while self.size_day < start.div_euclid(DAY_SECONDS) {
            self.size_bytes *= self.daily_growth;
            self.size_day += 1;
        }
        let full_bytes = round_non_negative(self.size_bytes);
        // Incremental only with a predecessor still in warm storage.
        let predecessor = self
            .head
            .filter(|h| behaviour.incremental && h.warm_end > start);
        let bytes = match predecessor {
            Some(h) => {
                let days = (start - h.capture) as f64 / 86_400.0;
                round_non_negative(resource.daily_change_fraction * days * full_bytes as f64)
                    .min(full_bytes)
            }
            None => full_bytes,
        };
        let duration =
            ceil_non_negative(bytes as f64 / (draws.throughput_mib_per_s * MIB_BYTES)) as i64;
        let end = start + duration;
        let origin = match sim.completion_window_from {
            CompletionWindowFrom::JobStart => start,
            CompletionWindowFrom::ScheduledTime => slot.scheduled_seconds,
        };
        let deadline = origin + slot.completion_window_seconds;
        if end > deadline {
            sinks.jobs.cut_off += 1;
            self.busy_until = deadline;
            return;
        }
        self.busy_until = end;
        sinks.jobs.completed += 1;
        sinks.jobs.bytes_transferred += u128::from(bytes);

        // The point becomes usable at `end`: account the exposure up to then.
        let group = &mut sinks.views[View::Local as usize][resource.group];
        let frame = Frame::local(model, resource);
        self.exposure
            .advance(&frame, &mut self.stack, end, group, resource);
        let delete_at = lifecycle
            .delete_after_seconds
            .map_or(i64::MAX, |d| start.saturating_add(d));
        let cold_at = match lifecycle.cold_after_seconds {
            Some(c) if behaviour.cold_storage => start.saturating_add(c).min(delete_at),
            _ => delete_at,
        };
        let point = Point {
            capture: start,
            delete_at,
            cold_at: if cold_at < delete_at {
                cold_at
            } else {
                i64::MAX
            },
            full_bytes,
        };
        while self.stack.last().is_some_and(|p| p.delete_at <= delete_at) {
            self.stack.pop();
        }
        self.stack.push(point);
        if slot.continuous
            && behaviour.continuous_lag_seconds.is_some()
            && self.exposure.continuous_from == i64::MAX
        {
            self.exposure.continuous_from = end;
            self.continuous_vault = Some(lifecycle.vault);
            self.continuous_window = lifecycle
                .delete_after_seconds
                .unwrap_or(MAX_CONTINUOUS_DAYS * DAY_SECONDS);
            if let Some(c) = self.corruption.as_mut() {
                c.continuous = Some((end, lifecycle.delete_after_seconds.unwrap_or(i64::MAX)));
            }
        }
        if let Some(c) = self.corruption.as_mut() {
            c.pick.offer_captured_before(c.corrupt_at, point, end);
        }
        self.pending
            .offer_local(model, resource, lifecycle.vault, point, end);

        let copies = &program.copy_sets[usize::from(slot.copies)];
        if !copies.is_empty() {
            sinks.copies.emit(
                model,
                self.index,
                lifecycle.vault,
                copies,
                (start, end, point.cold_at, full_bytes),
                self.copy_rng
                    .as_mut()
                    .expect("a resource with jobs has a stream"),
                &mut self.last_copy,
                &mut self.batch,
                sinks.copy_counts,
                sinks.ops,
            );
        }
        // A same-region copy's end is known now: the resource is busy until then.
        if let Some(done) = sinks.copies.same_region_end(&self.batch) {
            self.busy_until = self.busy_until.max(done);
        }

        // Storage (DESIGN.md "Lifecycle"): the newest warm point holds the full size;
        // each older warm point holds what its successor changed, until it leaves warm.
        let warm_end = cold_at.min(delete_at);
        let meter = sinks.meter(model, self.index);
        if behaviour.incremental {
            let mut taken_over = 0;
            if let Some(h) = self.head {
                let head_to = end.min(h.warm_end);
                sinks.hold(model, meter, Billed::Warm(h.capture), h.interval(head_to));
                if predecessor.is_some() {
                    let held = Billed::Warm(h.capture);
                    sinks.hold(
                        model,
                        meter,
                        held,
                        StoredInterval::new(bytes, end, h.warm_end),
                    );
                    // The new point takes over the chain's full size where the old one
                    // leaves it, unless the old one left warm storage first.
                    if head_to == end {
                        taken_over = h.full_bytes;
                    }
                }
            }
            self.head = Some(WarmHead {
                capture: start,
                usable: end,
                warm_end,
                full_bytes,
                taken_over,
            });
        } else {
            let held = Billed::Warm(start);
            sinks.hold(
                model,
                meter,
                held,
                StoredInterval::new(full_bytes, end, warm_end),
            );
        }
        if let (Some(tally), Some(costs)) = (sinks.cost.as_deref_mut(), &model.costs)
            && (predecessor.is_some() || !behaviour.incremental)
        {
            cost::lifecycle(
                tally,
                costs,
                Costs::cell(resource.region_id, resource.resource_type),
                &lifecycle,
                behaviour.cold_storage,
                bytes,
                full_bytes,
            );
        }
        if cold_at < delete_at {
            // Cold recovery points are full copies (and billed at least 90 days).
            sinks.hold(
                model,
                meter,
                Billed::Cold(start),
                StoredInterval::new(full_bytes, cold_at, delete_at),
            );
        }
    }

    /// Ends the resource's trial (its last copies completed): the last copies settle,
    /// then the last warm point, the local and DR-region exposures to the horizon, the
    /// sampled resource loss and logical corruption and their restores, and the pending
    /// disaster views (compromise and key loss restore now; a region outage queues the
    /// resource for its wave).
    pub(super) fn finish(mut self, model: &Model, trial: u64, seed: u64, sinks: &mut Sinks) {
        use super::disaster::record_event;
        use super::trial::restore;
        self.settle_copies(model, sinks);
        let sim = &model.simulation;
        let resource = &model.resources[self.index];
        let group_spec = &model.groups[resource.group];
        self.tail.close(
            model,
            self.index,
            &mut sinks.views[View::DrRegion as usize][resource.group],
            sinks.cost.as_deref_mut(),
        );
        if let Some(h) = self.head {
            let meter = sinks.meter(model, self.index);
            sinks.hold(
                model,
                meter,
                Billed::LastWarm(h.capture),
                h.interval(h.warm_end),
            );
        }
        let group = &mut sinks.views[View::Local as usize][resource.group];
        let frame = Frame::local(model, resource);
        self.exposure.advance(
            &frame,
            &mut self.stack,
            sim.horizon_seconds,
            group,
            resource,
        );
        if self.continuous_vault.is_some()
            && let (Some(tally), Some(costs)) = (sinks.cost.as_deref_mut(), &model.costs)
        {
            continuous_storage(
                tally,
                model,
                costs,
                self.index,
                self.exposure.continuous_from,
                self.continuous_window,
            );
        }
        if let Some(vault) = self.continuous_vault {
            self.pending.offer_continuous(
                model,
                resource,
                vault,
                self.exposure.continuous_from,
                frame.continuous_lag,
            );
        }
        let source = self
            .exposure
            .loss_source
            .expect("the loss instant lies inside the horizon, so advance() records it");
        let target = group_spec.rto_target_seconds;
        let mut restore_rng = stream(seed, trial, resource.entity_id, Stream::Restore);
        let resource_loss = model
            .disasters
            .resource_loss
            .as_ref()
            .expect("resolve always sets resource loss");
        let restored = restore(
            model,
            resource,
            &mut restore_rng,
            source,
            self.exposure.loss_at,
            &resource_loss.declaration_delay_minutes,
            target,
            group,
        );
        let at = cost::Billed::home(model, self.index);
        if let (Some(tally), Some(costs), Some(r)) =
            (sinks.cost.as_deref_mut(), &model.costs, restored)
        {
            cost::restore(tally, model, costs, at, &resource_loss.timing, r);
        }
        if let (Some(c), Some(settings)) = (self.corruption, &model.disasters.logical_corruption) {
            let group = &mut sinks.views[View::Corruption as usize][resource.group];
            let source = c.source(resource);
            let (corrupt_at, detect_at, mut rng) =
                Corruption::stream(model, resource, trial, seed, settings);
            debug_assert_eq!((corrupt_at, detect_at), (c.corrupt_at, c.detect_at));
            record_event(group, corrupt_at, source, group_spec.rpo_target_seconds);
            let declaration = crate::dist::Dist::fixed(0.0).expect("valid constant");
            let restored = restore(
                model,
                resource,
                &mut rng,
                source,
                detect_at,
                &declaration,
                target,
                group,
            );
            if let (Some(tally), Some(costs), Some(r)) =
                (sinks.cost.as_deref_mut(), &model.costs, restored)
            {
                cost::restore(tally, model, costs, at, &settings.timing, r);
            }
        }
        self.pending.settle(
            model,
            self.index,
            trial,
            seed,
            sinks.views,
            sinks.outages,
            sinks.cost.as_deref_mut(),
        );
    }
}

/// Bills continuous backup from `from` to the horizon: the change log of the last
/// `window` (a day's changed data per day, filling over the first `window` days). For
/// RDS and Aurora the database's own size is free backup storage, which covers the
/// base copy; other types also hold their full size.
fn continuous_storage(
    tally: &mut CostTally,
    model: &Model,
    costs: &Costs,
    index: usize,
    from: i64,
    window: i64,
) {
    use crate::model::ResourceType;
    let horizon = model.simulation.horizon_seconds;
    if from >= horizon {
        return;
    }
    let resource = &model.resources[index];
    let meter = cost::Meter::new(model, costs, cost::Billed::home(model, index));
    // Held from `start` to the horizon (the projection takes continuous backup from the
    // last month, so it is excluded there).
    let mut hold = |bytes, start| {
        let interval = StoredInterval::new(bytes, start, horizon);
        cost::storage(
            tally,
            model,
            costs,
            meter,
            Charge::Continuous,
            interval,
            Steady::Excluded,
        );
    };
    let size = resource.size_on_day(from / DAY_SECONDS);
    if !matches!(
        resource.resource_type,
        ResourceType::Rds | ResourceType::Aurora
    ) {
        hold(round_non_negative(size), from);
    }
    // A day's log held from each day on, capped at the window: `window_days` staircase
    // intervals [from + i days, horizon) hold min(i + 1, window_days) days of log.
    let daily = round_non_negative(size * resource.daily_change_fraction);
    let window_days = (window + DAY_SECONDS - 1) / DAY_SECONDS;
    for i in 0..window_days {
        let start = from + i * DAY_SECONDS;
        if start >= horizon {
            break;
        }
        hold(daily, start);
    }
}
