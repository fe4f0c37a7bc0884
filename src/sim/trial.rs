//! One trial: every resource's backup jobs, recovery points, lifecycle and storage (each
//! resource a `resource::ResourceRun`), its copies, the RPO-exposure sawtooth, and the
//! sampled disasters and their restores.
//!
//! Work is per job and per recovery-point event, never per resource per day. Each
//! resource draws from its own random streams, keyed by (seed, trial, resource entity id,
//! stream). A resource whose copies stay in its region is simulated start to finish on
//! its own; resources whose copies cross regions share links and wait for their own
//! copies (one backup or copy job per resource), so they run together in time order
//! (`run_together`).
//!
//! RPO exposure at time t is t minus the capture time of the newest recovery point usable
//! at t. Between two events it grows at slope 1, so each segment is added to the group's
//! histogram as a ramp: the time-weighted distribution of exposure over the measurement
//! window `[warmup, horizon)` is exact, which is the RPO of a loss at a uniformly random
//! instant (DESIGN.md, "What one trial simulates").

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use smallvec::SmallVec;

use super::copy::CopyStage;
use super::disaster::Pick;
use super::disaster::{self, DisasterState, Pending};
use super::ops::OpsCollector;
use super::outcome::{GroupOutcome, TrialOutcome};
use super::resource::{Next, ResourceRun, Sinks};
use crate::dist::Dist;
use crate::model::{DAY_SECONDS, LogicalCorruption, MIB_BYTES, Model, Resource};
use crate::rng::{SimRng, Stream};

/// Smallest throughput drawn, MiB/s, so a distribution reaching 0 cannot stall a job forever.
pub(super) const MIN_THROUGHPUT_MIB_PER_S: f64 = 1e-3;

/// A usable recovery point, as the RPO and restore logic sees it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Point {
    /// Capture time (the job's start), simulation seconds.
    pub(super) capture: i64,
    /// Deletion time (`i64::MAX` = kept forever).
    pub(super) delete_at: i64,
    /// Time it moves to cold storage (`i64::MAX` = never).
    pub(super) cold_at: i64,
    /// Full size of the resource as of the capture (what a restore moves).
    pub(super) full_bytes: u64,
}

/// The recovery points that can still become the newest usable one (capture increasing,
/// deletion decreasing from bottom to top): a few per retention rule, kept inline so a
/// resource's state is one block of memory.
pub(super) type Points = SmallVec<[Point; 3]>;

/// Buffers reused across the trials of one thread (no allocation per resource).
#[derive(Debug, Default)]
pub struct Scratch {
    /// The runs of the resources whose copies cross regions (a block of 960 bytes each,
    /// kept at its size across trials rather than grown by doubling in each).
    coupled: Vec<ResourceRun>,
    copies: CopyStage,
    /// The region outages and their waves.
    disasters: DisasterState,
    ops: OpsCollector,
    events: Events,
}

impl Scratch {
    /// The most copies the copy stage has held at once, and the most jobs its links have
    /// held at once, over the trials run with this scratch (the slots they grew to).
    pub fn copies_held_at_most(&self) -> (usize, usize) {
        self.copies.held_at_most()
    }
}

/// An event of the trial's loop over resources whose copies cross regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Event {
    seconds: i64,
    /// `ARRIVAL` (a copy reaches its link) before `JOB` (a resource's next job) at the
    /// same second.
    kind: u8,
    /// An arrival's place in the order of emission (below 2^32: arrivals at one second
    /// join their links in that order), or a job's index into the loop's runs (below
    /// 2^31).
    id: u64,
    /// An arrival's copy request (below 2^31); a job event is stale unless this is the
    /// run's current generation.
    generation: u32,
}

/// An [`Event`] packed into one integer whose order is the event's (derived) order, so
/// the heap compares one `u128` instead of four fields and holds 16 bytes per event
/// instead of 32: the second (sign flipped) in the high half; then the kind in the top
/// bit of the low half, above the emission order and request (arrivals) or the run index
/// and generation (jobs). Exact: `packed_order_is_the_event_order` checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct EventKey(u128);

impl EventKey {
    fn pack(e: Event) -> EventKey {
        debug_assert!(e.kind <= 1);
        let low = if e.kind == ARRIVAL {
            debug_assert!(e.id < 1 << 32 && e.generation < 1 << 31);
            e.id << 31 | u64::from(e.generation)
        } else {
            debug_assert!(e.id < 1 << 31);
            1 << 63 | e.id << 32 | u64::from(e.generation)
        };
        let high = (e.seconds as u64) ^ (1 << 63);
        EventKey(u128::from(high) << 64 | u128::from(low))
    }

    fn unpack(self) -> Event {
        let (high, low) = ((self.0 >> 64) as u64, self.0 as u64);
        let seconds = (high ^ (1 << 63)) as i64;
        if low >> 63 == 0 {
            Event {
                seconds,
                kind: ARRIVAL,
                id: low >> 31,
                generation: (low & 0x7FFF_FFFF) as u32,
            }
        } else {
            Event {
                seconds,
                kind: JOB,
                id: (low >> 32) & 0x7FFF_FFFF,
                generation: low as u32,
            }
        }
    }

    fn seconds(self) -> i64 {
        (((self.0 >> 64) as u64) ^ (1 << 63)) as i64
    }
}

/// The loop's event queue: earliest first.
type Events = BinaryHeap<Reverse<EventKey>>;

fn push(events: &mut Events, e: Event) {
    events.push(Reverse(EventKey::pack(e)));
}

const ARRIVAL: u8 = 0;
const JOB: u8 = 1;

/// Simulates trial `trial` of `model` with master seed `seed`. Pure: same inputs, same output.
pub fn simulate(model: &Model, trial: u64, seed: u64) -> TrialOutcome {
    let mut scratch = Scratch::default();
    simulate_with(model, trial, seed, &mut scratch)
}

/// As [`simulate`], reusing `scratch` buffers.
pub fn simulate_with(model: &Model, trial: u64, seed: u64, scratch: &mut Scratch) -> TrialOutcome {
    let mut outcome = TrialOutcome::new(model, trial);
    simulate_into(model, trial, seed, scratch, &mut outcome);
    outcome
}

/// As [`simulate_with`], writing into `outcome` (which it resets first), so a worker
/// that runs trial after trial reuses one outcome's memory.
#[inline(never)]
pub fn simulate_into(
    model: &Model,
    trial: u64,
    seed: u64,
    scratch: &mut Scratch,
    outcome: &mut TrialOutcome,
) {
    outcome.reset(model, trial);
    let Scratch {
        coupled,
        copies,
        disasters,
        ops,
        events,
    } = scratch;
    ops.begin(model);
    disaster::draw_outages(model, trial, seed, &mut disasters.outages);
    copies.begin(model);
    // A resource whose copies stay in its region runs start to finish on its own; those
    // whose copies cross regions share links and wait for their own copies (one backup
    // or copy job per resource), so they run together in time order. Each job's copies
    // settle (phases 2 and 3: billing, DR-region RPO, disaster views) when the next job
    // runs or the resource's trial ends, so only the latest job's copies are held.
    let mut sinks = Sinks {
        jobs: &mut outcome.jobs,
        storage: &mut outcome.storage,
        views: &mut outcome.views,
        copies,
        copy_counts: &mut outcome.copies,
        ops,
        outages: &mut disasters.outages,
        cost: outcome.cost.as_mut(),
    };
    coupled.clear();
    if coupled.capacity() == 0 {
        let count = model.resources.iter();
        coupled.reserve_exact(count.filter(|r| model.copies_cross_regions(r)).count());
    }
    for (index, resource) in model.resources.iter().enumerate() {
        let pending = Pending::new(model, resource, trial, seed, sinks.outages);
        let mut run = ResourceRun::new(model, index, trial, seed, pending);
        if model.copies_cross_regions(resource) {
            coupled.push(run);
            continue;
        }
        while let Next::Job { start, .. } = run.next(model, &mut sinks) {
            run.run_job(model, start, &mut sinks);
        }
        run.finish(model, trial, seed, &mut sinks);
    }
    run_together(model, coupled, &mut sinks, events);
    for run in coupled.drain(..) {
        run.finish(model, trial, seed, &mut sinks);
    }
    outcome.copy_days = copies.finish(ops);
    outcome.alarms = ops.alarms(model);
    disaster::run_outages(
        model,
        trial,
        seed,
        disasters,
        &mut outcome.views,
        &mut outcome.outage,
        outcome.cost.as_mut(),
    );
    if let Some(tally) = &outcome.cost {
        outcome.cost_usd = Some(tally.price(model));
    }
}

/// Runs the resources whose copies cross regions together, in time order: their copies
/// share the links, and each job waits while a copy of its resource still runs (AWS runs
/// one backup or copy job per resource at a time), expiring if its start window closes
/// first. Events are the resources' next jobs, copies arriving at their links and copies
/// completing there; at one second, completions come first, then arrivals, then jobs
/// (by run index). Leaves every run's jobs done and every copy completed.
fn run_together(model: &Model, runs: &mut [ResourceRun], sinks: &mut Sinks, events: &mut Events) {
    events.clear();
    let mut run_of = vec![u32::MAX; model.resources.len()];
    let mut states = vec![RunState::default(); runs.len()];
    let mut done: Vec<(usize, i64)> = Vec::new();
    // Copies arrived at links so far: an arrival's place in the order of emission.
    let mut arrivals: u64 = 0;
    for (k, run) in runs.iter_mut().enumerate() {
        run_of[run.index] = k as u32;
        states[k].schedule_next(model, k, run, sinks, events);
    }
    loop {
        let next_event = events.peek().map(|Reverse(e)| e.seconds());
        let next_completion = sinks.copies.next_completion_second();
        let e = match (next_event, next_completion) {
            (None, None) => break,
            // Copies completing at or before the next event go first.
            (event, Some(c)) if event.is_none_or(|e| c <= e) => {
                sinks
                    .copies
                    .advance(c, &mut |resource, second| done.push((resource, second)));
                None
            }
            _ => events.pop().map(|Reverse(e)| e.unpack()),
        };
        if let Some(e) = e {
            // Touch the state of the next event's resource now: it is rarely in cache (the
            // loop jumps between thousands of resources), and the load overlaps this
            // event's work instead of stalling the next one. Reads only; results do not
            // depend on it.
            if let Some(Reverse(next)) = events.peek() {
                let next = next.unpack();
                if next.kind == JOB {
                    std::hint::black_box(runs[next.id as usize].touch(model));
                }
            }
            if e.kind == ARRIVAL {
                // The copy joins its link now (an empty one completes at once).
                sinks.copies.arrive(model, e.generation);
                sinks.copies.advance(e.seconds, &mut |resource, second| {
                    done.push((resource, second))
                });
            } else if e.generation == states[e.id as usize].generation {
                let k = e.id as usize;
                let (run, state) = (&mut runs[k], &mut states[k]);
                if state.in_flight > 0 {
                    if e.seconds >= state.deadline {
                        state.waiting = false;
                        run.expire_waiting_for_copy(sinks);
                        state.schedule_next(model, k, run, sinks, events);
                    } else {
                        // Wait for the copies, or until the start window closes.
                        state.waiting = true;
                        state.push_job(events, k, state.deadline);
                    }
                } else {
                    if e.seconds > state.earliest {
                        sinks.jobs.delayed_by_copy += 1;
                    }
                    run.run_job(model, e.seconds, sinks);
                    for &id in run.emitted() {
                        if let Some(arrival) = sinks.copies.link_arrival(id) {
                            state.in_flight += 1;
                            push(
                                events,
                                Event {
                                    seconds: arrival,
                                    kind: ARRIVAL,
                                    id: arrivals,
                                    generation: id,
                                },
                            );
                            arrivals += 1;
                            assert!(arrivals <= 1 << 32, "fewer than 2^32 copies per trial");
                        }
                    }
                    state.schedule_next(model, k, run, sinks, events);
                }
            }
        }
        // A job that waited for its resource's last copy starts when the copy completes.
        for (resource, second) in done.drain(..) {
            let k = run_of[resource] as usize;
            let state = &mut states[k];
            state.in_flight -= 1;
            if state.in_flight == 0 && state.waiting {
                state.waiting = false;
                state.push_job(events, k, second);
            }
        }
    }
}

/// The event loop's view of one run: its copies in flight and its next job.
#[derive(Debug, Clone, Copy, Default)]
struct RunState {
    /// Cross-region copies of the resource not completed yet.
    in_flight: u32,
    /// The next job's earliest start and start-window end.
    earliest: i64,
    deadline: i64,
    /// The next job waits for the resource's copies.
    waiting: bool,
    /// Job events of older generations are stale.
    generation: u32,
}

impl RunState {
    /// Asks run `k` for its next job and schedules it at its earliest start.
    fn schedule_next(
        &mut self,
        model: &Model,
        k: usize,
        run: &mut ResourceRun,
        sinks: &mut Sinks,
        events: &mut Events,
    ) {
        if let Next::Job { start, deadline } = run.next(model, sinks) {
            self.earliest = start;
            self.deadline = deadline;
            push(
                events,
                Event {
                    seconds: start,
                    kind: JOB,
                    id: k as u64,
                    generation: self.generation,
                },
            );
        }
    }

    /// Reschedules run `k`'s waiting job at `seconds`, making earlier events stale.
    fn push_job(&mut self, events: &mut Events, k: usize, seconds: i64) {
        self.generation += 1;
        push(
            events,
            Event {
                seconds,
                kind: JOB,
                id: k as u64,
                generation: self.generation,
            },
        );
    }
}

/// What a resource's RPO exposure is measured against, the same for its whole trial:
/// built from the model at each call rather than stored in every resource's run.
#[derive(Debug, Clone, Copy)]
pub(super) struct Frame {
    /// The measurement window `[window_start, window_end)`.
    window_start: i64,
    window_end: i64,
    target: Option<i64>,
    /// Point-in-time recovery's lag behind the present, once it is active.
    pub(super) continuous_lag: i64,
}

impl Frame {
    /// The frame of `resource`'s own backups (its group's target, its type's lag).
    #[inline]
    pub(super) fn local(model: &Model, resource: &Resource) -> Frame {
        Frame {
            continuous_lag: model.behaviour[resource.resource_type as usize]
                .continuous_lag_seconds
                .unwrap_or(0),
            ..Frame::snapshots_only(model, resource)
        }
    }

    /// The frame of snapshot points only (no point-in-time recovery): the DR-region view.
    #[inline]
    pub(super) fn snapshots_only(model: &Model, resource: &Resource) -> Frame {
        let sim = &model.simulation;
        Frame {
            window_start: sim.warmup_seconds,
            window_end: sim.horizon_seconds,
            target: model.groups[resource.group].rpo_target_seconds,
            continuous_lag: 0,
        }
    }
}

/// The RPO side of one resource's trial: where the sawtooth has been accounted up to.
/// The frame, the group it records into and the resource are passed to each call.
#[derive(Debug, Clone)]
pub(super) struct Exposure {
    cursor: i64,
    /// Point-in-time recovery active from this time (newest point lags by the frame's
    /// `continuous_lag`).
    pub(super) continuous_from: i64,
    /// The sampled loss instant.
    pub(super) loss_at: i64,
    /// The point a loss at `loss_at` restores from: `Some(None)` = nothing usable.
    pub(super) loss_source: Option<Option<Point>>,
}

impl Exposure {
    /// An exposure from time 0, with a sampled loss at `loss_at`.
    pub(super) fn new(loss_at: i64) -> Exposure {
        Exposure {
            cursor: 0,
            continuous_from: i64::MAX,
            loss_at,
            loss_source: None,
        }
    }

    /// An exposure fed only with snapshot points and no sampled loss: the DR-region view.
    pub(super) fn snapshots_only() -> Exposure {
        Exposure::new(i64::MIN)
    }

    /// Where the exposure has been accounted up to.
    pub(super) fn cursor(&self) -> i64 {
        self.cursor
    }

    /// Accounts the exposure from the cursor up to `to` into `group`, dropping points as
    /// they expire.
    pub(super) fn advance(
        &mut self,
        frame: &Frame,
        stack: &mut Points,
        to: i64,
        group: &mut GroupOutcome,
        resource: &Resource,
    ) {
        while self.cursor < to {
            while stack.last().is_some_and(|p| p.delete_at <= self.cursor) {
                stack.pop();
            }
            let top = stack.last().copied();
            let mut end = top.map_or(to, |p| p.delete_at.min(to));
            if self.continuous_from > self.cursor && self.continuous_from < end {
                end = self.continuous_from;
            }
            if self.loss_source.is_none() && self.loss_at >= self.cursor && self.loss_at < end {
                self.loss_source = Some(self.source_at(frame, top, self.loss_at, resource));
            }
            self.record(frame, top, self.cursor, end, group);
            self.cursor = end;
        }
    }

    /// The point restored from at time `t`, given the newest snapshot point `top`. Once
    /// per resource: kept out of line, so the compiler does not hoist its arithmetic into
    /// every call of [`Exposure::advance`].
    #[cold]
    #[inline(never)]
    fn source_at(
        &self,
        frame: &Frame,
        top: Option<Point>,
        t: i64,
        resource: &Resource,
    ) -> Option<Point> {
        if t >= self.continuous_from {
            return Some(Point {
                capture: t - frame.continuous_lag,
                delete_at: i64::MAX,
                cold_at: i64::MAX,
                full_bytes: round_non_negative(resource.size_on_day(t.div_euclid(DAY_SECONDS))),
            });
        }
        top
    }

    /// Adds `len` seconds of point-in-time recovery (exposure: the lag). Out of line, so
    /// the compiler does not hoist its bucket lookup into every call of
    /// [`Exposure::advance`].
    #[inline(never)]
    fn record_continuous(frame: &Frame, len: u64, group: &mut GroupOutcome) {
        group.rpo.add_point(frame.continuous_lag as u64, len);
        if frame.target.is_some_and(|t| frame.continuous_lag <= t) {
            group.rpo_met_seconds += len;
        }
    }

    /// Adds the segment `[from, to)` of the sawtooth, clipped to the measurement window.
    fn record(
        &mut self,
        frame: &Frame,
        top: Option<Point>,
        from: i64,
        to: i64,
        group: &mut GroupOutcome,
    ) {
        let (a, b) = (from.max(frame.window_start), to.min(frame.window_end));
        if a >= b {
            return;
        }
        let len = (b - a) as u64;
        group.rpo_observed_seconds += len;
        if a >= self.continuous_from {
            Exposure::record_continuous(frame, len, group);
            return;
        }
        match top {
            None => group.rpo_unrecoverable_seconds += len,
            Some(p) => {
                let (lo, hi) = (a - p.capture, b - p.capture);
                group.rpo.add_ramp(lo as u64, hi as u64);
                // The measure of [lo, hi) at or below the target (continuous time, as the
                // histogram treats the ramp).
                if let Some(t) = frame.target {
                    group.rpo_met_seconds += (t - lo).clamp(0, hi - lo) as u64;
                }
            }
        }
    }
}

/// A logical corruption at a random instant of one resource, found `detection` later.
/// Only points captured before the corruption that still exist (and are usable) at
/// detection are good; point-in-time recovery restores to the corruption instant when the
/// corruption is still inside its window.
#[derive(Debug)]
pub(super) struct Corruption {
    pub(super) corrupt_at: i64,
    pub(super) detect_at: i64,
    /// The newest good snapshot point: offer points with
    /// `pick.offer_captured_before(corrupt_at, …)`.
    pub(super) pick: Pick,
    /// PITR: (active from, retention).
    pub(super) continuous: Option<(i64, i64)>,
}

impl Corruption {
    pub(super) fn new(
        model: &Model,
        resource: &Resource,
        trial: u64,
        seed: u64,
        settings: &LogicalCorruption,
    ) -> Corruption {
        let (corrupt_at, detect_at, _) = Corruption::stream(model, resource, trial, seed, settings);
        Corruption {
            corrupt_at,
            detect_at,
            pick: Pick::at(detect_at),
            continuous: None,
        }
    }

    /// The resource's corruption stream after its instants (corruption, detection),
    /// where the restore continues. The run keeps the instants and draws the stream
    /// again at the restore rather than hold its state through the trial.
    pub(super) fn stream(
        model: &Model,
        resource: &Resource,
        trial: u64,
        seed: u64,
        settings: &LogicalCorruption,
    ) -> (i64, i64, SimRng) {
        let (corrupt_at, mut rng) = disaster::disaster_stream(
            model,
            resource,
            trial,
            seed,
            Stream::Corruption,
            &settings.timing,
        );
        let delay = round_non_negative(
            settings.detection_delay_days.sample_non_negative(&mut rng) * 86_400.0,
        );
        (corrupt_at, corrupt_at.saturating_add(delay as i64), rng)
    }

    /// The point restored from at detection. A point-in-time restore moves the
    /// resource's size at the corruption.
    pub(super) fn source(&self, resource: &Resource) -> Option<Point> {
        match self.continuous {
            Some((from, retention))
                if from <= self.corrupt_at && self.corrupt_at >= self.detect_at - retention =>
            {
                Some(Point {
                    capture: self.corrupt_at,
                    delete_at: i64::MAX,
                    cold_at: i64::MAX,
                    full_bytes: round_non_negative(
                        resource.size_on_day(self.corrupt_at.div_euclid(DAY_SECONDS)),
                    ),
                })
            }
            _ => self.pick.best,
        }
    }
}

/// RTO of restoring `resource` from `source` after a loss at `loss_at`
/// (DESIGN.md item 6 and the seed's formula: retrieval + transfer + restore + validation,
/// plus the declaration delay and, for a cold point, the extra retrieval time). Returns
/// what the restore moved (for billing); `None` when nothing was restorable.
#[allow(clippy::too_many_arguments)]
pub(super) fn restore(
    model: &Model,
    resource: &Resource,
    rng: &mut SimRng,
    source: Option<Point>,
    loss_at: i64,
    declaration: &Dist,
    target: Option<i64>,
    group: &mut GroupOutcome,
) -> Option<super::cost::Restored> {
    group.losses += 1;
    let Some(point) = source else {
        group.unrecoverable_losses += 1;
        return None;
    };
    let behaviour = &model.behaviour[resource.resource_type as usize];
    let mut draw = |d: &Dist| d.sample_non_negative(rng);
    let declaration_minutes = draw(declaration);
    let retrieval_minutes = draw(&behaviour.retrieval_minutes);
    let cold_extra_hours = draw(&behaviour.cold_retrieval_extra_hours);
    let throughput = draw(&behaviour.restore_throughput_mib_per_s).max(MIN_THROUGHPUT_MIB_PER_S);
    let process_minutes = draw(&behaviour.restore_process_minutes);
    let validation_minutes = draw(&behaviour.validation_minutes);
    let hydration_minutes = draw(&behaviour.hydration_minutes);
    let in_cold = point.cold_at <= loss_at;
    let seconds = rto_seconds(RtoParts {
        declaration_minutes,
        retrieval_minutes,
        cold_extra_hours: if in_cold { cold_extra_hours } else { 0.0 },
        bytes: point.full_bytes,
        throughput_mib_per_s: throughput,
        process_minutes,
        validation_minutes,
        hydration_minutes,
    });
    group.rto.add_point(seconds, 1);
    if target.is_some_and(|t| seconds as i64 <= t) {
        group.rto_met += 1;
    }
    Some(super::cost::Restored {
        bytes: point.full_bytes,
        from_cold: in_cold,
        at: loss_at,
    })
}

/// The parts of a restore's duration.
#[derive(Debug, Clone, Copy)]
pub struct RtoParts {
    pub declaration_minutes: f64,
    pub retrieval_minutes: f64,
    pub cold_extra_hours: f64,
    pub bytes: u64,
    pub throughput_mib_per_s: f64,
    pub process_minutes: f64,
    pub validation_minutes: f64,
    pub hydration_minutes: f64,
}

/// RTO in whole seconds (rounded up): declaration + retrieval (+ cold extra) + transfer
/// (bytes ÷ throughput) + restore process + validation + hydration.
pub fn rto_seconds(p: RtoParts) -> u64 {
    let transfer = p.bytes as f64 / (p.throughput_mib_per_s * MIB_BYTES);
    let total = 60.0
        * (p.declaration_minutes
            + p.retrieval_minutes
            + p.process_minutes
            + p.validation_minutes
            + p.hydration_minutes)
        + 3600.0 * p.cold_extra_hours
        + transfer;
    ceil_non_negative(total)
}

/// 2^63: below it, a non-negative `f64` converts through `i64`, one instruction each way
/// on x86-64 (`u64` conversions take several).
const TWO_POW_63: f64 = 9_223_372_036_854_775_808.0;

/// `x.round()` for x ≥ 0, without the libm call that baseline x86-64 needs for `round`
/// (half-way cases round up, as `f64::round` does for positive numbers). Equal to
/// `f64::round` then `as u64` for every x ≥ 0 (`rounding_helpers_match_the_standard_library`).
pub(super) fn round_non_negative(x: f64) -> u64 {
    debug_assert!(x >= 0.0);
    if x < TWO_POW_63 {
        let floor = x as i64;
        (if x - floor as f64 >= 0.5 {
            floor + 1
        } else {
            floor
        }) as u64
    } else {
        x as u64
    }
}

/// `x.ceil()` for x ≥ 0, without a libm call; as [`round_non_negative`].
pub(super) fn ceil_non_negative(x: f64) -> u64 {
    debug_assert!(x >= 0.0);
    if x < TWO_POW_63 {
        let floor = x as i64;
        (if (floor as f64) < x { floor + 1 } else { floor }) as u64
    } else {
        x as u64
    }
}

/// A uniform integer in `[0, n)` (n > 0) by Lemire's multiply-shift (one u64 draw; the
/// bias, at most n / 2^64, is far below anything a trial can resolve).
pub(super) fn uniform_below(rng: &mut impl rand::Rng, n: u64) -> u64 {
    assert!(n > 0, "empty measurement window");
    ((u128::from(rng.next_u64()) * u128::from(n)) >> 64) as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::stream;

    /// The shortcut (one `u128` per event) against the straightforward order (the four
    /// fields compared in turn): same order on random events, extremes included, and
    /// `unpack` gives the event back.
    #[test]
    fn packed_order_is_the_event_order() {
        let mut rng = stream(5, 0, 0, Stream::BackupJob);
        let mut next = |n: u64| crate::dist::unit_f64(&mut rng) * n as f64;
        let mut events: Vec<Event> = (0..4_000)
            .map(|i| {
                let seconds =
                    [i64::MIN, -1, 0, 1, i64::MAX][i % 5].saturating_add(next(4) as i64 - 2);
                let seconds = if i % 3 == 0 { next(10) as i64 } else { seconds };
                if next(2) < 1.0 {
                    let id = if i == 7 {
                        u64::from(u32::MAX)
                    } else {
                        next(1 << 20) as u64
                    };
                    let request = if i == 9 {
                        (1 << 31) - 1
                    } else {
                        next(1 << 10) as u32
                    };
                    Event {
                        seconds,
                        kind: ARRIVAL,
                        id,
                        generation: request,
                    }
                } else {
                    let id = if i == 11 {
                        (1 << 31) - 1
                    } else {
                        next(50) as u64
                    };
                    let generation = if i == 13 { u32::MAX } else { next(5) as u32 };
                    Event {
                        seconds,
                        kind: JOB,
                        id,
                        generation,
                    }
                }
            })
            .collect();
        for e in &events {
            assert_eq!(EventKey::pack(*e).unpack(), *e);
            assert_eq!(EventKey::pack(*e).seconds(), e.seconds);
        }
        let mut by_key = events.clone();
        by_key.sort_by_key(|e| EventKey::pack(*e));
        events.sort();
        assert_eq!(by_key, events);
    }

    /// The seed document's worked example ("Calculating RTO", 1 TB database): 30 min
    /// retrieval + 1 TB at 150 MB/s + 60 min restore + 30 min validation. The document
    /// says the transfer takes 90 minutes and the total is 3.5 hours; 10^12 B ÷ 1.5·10^8 B/s
    /// is 6,666.7 s = 111.1 min, so the total is 231.1 min = 3 h 51 min. The engine is right.
    #[test]
    fn seed_rto_worked_example_is_3_h_51_min_not_3_5_h() {
        let mb_per_s_in_mib = 150.0 * 1e6 / MIB_BYTES;
        let seconds = rto_seconds(RtoParts {
            declaration_minutes: 0.0,
            retrieval_minutes: 30.0,
            cold_extra_hours: 0.0,
            bytes: 1_000_000_000_000,
            throughput_mib_per_s: mb_per_s_in_mib,
            process_minutes: 60.0,
            validation_minutes: 30.0,
            hydration_minutes: 0.0,
        });
        // 120 min + 6,666.67 s, rounded up to whole seconds: 13,867 s = 3 h 51 min 7 s.
        assert_eq!(seconds, 7_200 + 6_667);
        assert_eq!((seconds / 3600, seconds % 3600 / 60), (3, 51));
        assert!(
            seconds > 3 * 3600 + 1800,
            "the seed's 3.5 h understates the RTO"
        );
    }

    /// The shortcuts (conversions through `i64` below 2^63) against the standard library's
    /// `round` and `ceil`: on random values over every magnitude, half-way cases, the
    /// largest values below 2^63, 2^63 itself and beyond, where both saturate.
    #[test]
    fn rounding_helpers_match_the_standard_library() {
        let mut rng = stream(11, 0, 0, Stream::BackupJob);
        let mut values: Vec<f64> = vec![
            0.0,
            0.5,
            1.5,
            2.5,
            0.49999999999999994,
            4_503_599_627_370_495.5,
            4_503_599_627_370_497.0,
            TWO_POW_63,
            f64::from_bits(TWO_POW_63.to_bits() - 1),
            f64::from_bits(TWO_POW_63.to_bits() + 1),
            1.8e19,
            1e30,
            f64::INFINITY,
        ];
        for _ in 0..200_000 {
            let magnitude = crate::dist::unit_f64(&mut rng) * 66.0 - 2.0;
            let x = 2f64.powf(magnitude) * crate::dist::unit_f64(&mut rng);
            values.extend([x, x.floor() + 0.5, x.floor()]);
        }
        for x in values {
            assert_eq!(round_non_negative(x), x.round() as u64, "round {x:e}");
            assert_eq!(ceil_non_negative(x), x.ceil() as u64, "ceil {x:e}");
        }
    }

    #[test]
    fn uniform_below_stays_in_range() {
        let mut rng = stream(1, 2, 3, Stream::Disaster);
        for _ in 0..1000 {
            assert!(uniform_below(&mut rng, 7) < 7);
        }
    }
}
