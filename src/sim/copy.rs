//! Copy jobs: every copy action of a rule spawns a copy job when its backup completes.
//!
//! Phase 1 (inside each resource's pass, `CopyStage::emit`) decides everything that does
//! not depend on other resources: whether the copy is refused (vault lock, source already
//! in cold storage) or fails (per-type probability, drawn from the resource's own `Copy`
//! stream), and how many bytes it moves (full for the first copy of a resource to a
//! destination vault, or when the previous copy there has been deleted; otherwise what
//! changed since the last good copy, for incremental types).
//! Cross-region copies travel over their region pair's processor-sharing link
//! (`sim::link`), driven incrementally by the trial's event loop (`CopyStage::arrive`,
//! `CopyStage::advance`) together with the jobs of the resources that emit them, since a
//! resource's next backup waits for its copies.
//!
//! A job's copies settle (`CopyStage::settle`) when the resource's next job runs, or its
//! trial ends — every one has completed by then: their transfer and storage are billed,
//! the per-day activity counted, and in order of completion each is offered to the
//! resource's pending disaster views (`sim::disaster`: what survives a compromise, a key
//! loss or a region outage is often a copy) and the cross-region ones feed the
//! resource's DR-region RPO (`CopyTail`): a copy keeps the source's capture time, is
//! usable at the destination when it completes, and expires by its own lifecycle counted
//! from the source's creation — so copy lag is the DR RPO. So the stage holds only the
//! copies of each resource's latest job, and each link only the jobs in it (both reuse
//! the ids of released ones, `sim::slots`): memory does not grow with the horizon.
//!
//! Each link admits at most [`COPY_JOBS_PER_ACCOUNT_PER_DESTINATION`] copies of one source
//! account at once; the rest queue in the account's order of arrival.
//!
//! Copies are stored and billed at their destination as the source's points are (per
//! destination vault, the newest copy holds the full size), and a copy is incremental only
//! while the resource's previous copy in that vault is still in warm storage (AWS's EBS and
//! RDS copy rule). Not modelled (docs/assumptions.md): the quota shared by two links that
//! end in the same region.

use super::cost::{Billed, Meter, Steady};
use super::disaster::Pending;
use super::link::Link;
use super::ops::{CopyDays, OpsCollector};
use super::outcome::{CopyCounts, CostTally, GroupOutcome};
use super::slots::Slots;
use super::trial::{Exposure, Frame, Point, Points, ceil_non_negative};
use crate::cost::{Charge, StoredInterval};
use crate::dist::bernoulli;
use crate::model::scp::vault_owner;
use crate::model::{CopySpec, MIB_BYTES, Model, Resource};
use crate::rng::SimRng;
use smallvec::SmallVec;

/// A resource's last good copy in one destination vault: the next copy there is
/// incremental only while this one is still in warm storage.
#[derive(Debug, Clone, Copy)]
pub(super) struct LastCopy {
    vault: usize,
    capture: i64,
    /// When it leaves warm storage (moves to cold or is deleted).
    warm_end: i64,
}

/// A resource's last good copy per destination vault its copies go to, kept inline.
pub(super) type LastCopies = SmallVec<[LastCopy; 2]>;

/// AWS Backup's quota of concurrent copy jobs per account per destination region
/// (aws-backup-facts §9: 100, not adjustable; the "+5 per vault beyond" allowance is not
/// modelled). The excess waits in the account's queue.
pub const COPY_JOBS_PER_ACCOUNT_PER_DESTINATION: usize = 100;

/// A copy between its emission and its settlement.
#[derive(Debug, Clone, Copy)]
struct Request {
    /// The region pair's link; `None` for a same-region copy (already timed).
    link: Option<u16>,
    /// The resource whose point is copied.
    resource: u32,
    vault: u32,
    region: u16,
    arrival: i64,
    /// Bytes sent (what changed since the last good copy, or the full size).
    bytes: u64,
    /// Whether it sends only what changed (the previous copy was still there).
    incremental: bool,
    /// Full size of the resource at capture (what a restore from the copy moves).
    full_bytes: u64,
    capture: i64,
    delete_at: i64,
    cold_at: i64,
    /// Completion second (`i64::MAX` while in flight).
    done: i64,
}

/// A copy request: its slot in the copy stage's table (reused once the copy settles).
pub(super) type RequestId = u32;

/// Buffers of the copy stage, reused across trials.
#[derive(Debug, Default)]
pub struct CopyStage {
    /// The copies emitted and not yet settled. A resource's job waits for the
    /// resource's copies, and they settle when its next job runs (or its trial ends), so
    /// the table holds at most the copies of each resource's latest job: its size is
    /// bounded by the resources, whatever the horizon.
    requests: Slots<Request>,
    links: Vec<Link>,
    /// The links' earliest completion second, as last computed: `None` once a link has
    /// changed (a copy arrived or time passed), so the event loop, which asks at every
    /// step, computes it again only after a change.
    soonest: Option<Option<i64>>,
    /// Per link: the request of each link job id (ids are reused once a job completes).
    link_jobs: Vec<Vec<RequestId>>,
    /// This trial's per-day copy activity (taken by `finish`).
    days: Option<CopyDays>,
}

/// What a resource's settled copies leave behind: the DR-region RPO sawtooth and its
/// points, and per destination vault the newest copy, which holds its full size
/// (DESIGN.md "Lifecycle").
#[derive(Debug)]
pub(super) struct CopyTail {
    dr: Exposure,
    stack: Points,
    heads: SmallVec<[CopyHead; 2]>,
}

/// The copies of one job: a few, kept inline.
pub(super) type Batch = SmallVec<[RequestId; 4]>;

/// The newest copy of a resource in one destination vault.
#[derive(Debug, Clone, Copy)]
struct CopyHead {
    vault: u32,
    region: u16,
    capture: i64,
    /// Usable from (its completion, or the end of warm storage if that came first).
    usable: i64,
    /// Leaves warm storage (cold or deleted).
    warm_end: i64,
    full_bytes: u64,
    /// The full size the previous copy held up to `usable` and handed over to this one, an
    /// incremental copy (0 when it starts a chain): whole-day metering bills the day of
    /// the hand-over once.
    taken_over: u64,
}

impl CopyHead {
    /// The chain's full size, held by this copy from its completion to `to`.
    fn interval(&self, to: i64) -> StoredInterval {
        StoredInterval::carrying(self.full_bytes, self.usable, to, self.taken_over)
    }
}

impl CopyTail {
    /// A word of each part, for `ResourceRun::touch`.
    pub(super) fn touch(&self) -> u64 {
        (self.dr.cursor() as u64)
            .wrapping_add(self.stack.len() as u64)
            .wrapping_add(self.heads.first().map_or(0, |h| h.usable as u64))
    }

    /// Ends resource `resource_index`'s copies (every batch settled): the newest copy in
    /// each vault holds its full size to the end of its warm storage, and the DR-region
    /// RPO runs to the horizon (a resource with no cross-region copy is unrecoverable
    /// there all along).
    pub(super) fn close(
        &mut self,
        model: &Model,
        resource_index: usize,
        dr_group: &mut GroupOutcome,
        cost: Option<&mut CostTally>,
    ) {
        let resource = &model.resources[resource_index];
        if let (Some(tally), Some(costs)) = (cost, &model.costs) {
            for h in &self.heads {
                let at = Billed {
                    resource: resource_index,
                    region: h.region,
                };
                super::cost::storage(
                    tally,
                    model,
                    costs,
                    Meter::new(model, costs, at),
                    Charge::Warm,
                    h.interval(h.warm_end),
                    Steady::ToHorizon { capture: h.capture },
                );
            }
        }
        self.dr.advance(
            &Frame::snapshots_only(model, resource),
            &mut self.stack,
            model.simulation.horizon_seconds,
            dr_group,
            resource,
        );
    }

    /// Resource `resource`'s tail before any copy.
    pub(super) fn new() -> CopyTail {
        CopyTail {
            dr: Exposure::snapshots_only(),
            stack: Points::new(),
            heads: SmallVec::new(),
        }
    }
}

/// Where settled copies are accounted.
pub(super) struct CopySinks<'a> {
    /// The resource's group in the DR-region view.
    pub(super) dr_group: &'a mut GroupOutcome,
    pub(super) counts: &'a mut CopyCounts,
    pub(super) ops: &'a mut OpsCollector,
    pub(super) cost: Option<&'a mut CostTally>,
}

impl CopyStage {
    /// Starts a trial.
    pub fn begin(&mut self, model: &Model) {
        self.requests.clear();
        self.days = Some(CopyDays::new(
            model.simulation.horizon_days(),
            model.region_pairs.len(),
        ));
        if self.links.len() != model.region_pairs.len() {
            self.links = model
                .region_pairs
                .iter()
                .map(|p| {
                    Link::new(
                        p.bandwidth_mib_per_s * MIB_BYTES,
                        p.per_job_cap_mib_per_s.map(|c| c * MIB_BYTES),
                        Some(COPY_JOBS_PER_ACCOUNT_PER_DESTINATION),
                    )
                })
                .collect();
        }
        for link in &mut self.links {
            link.reset();
        }
        self.soonest = None;
        self.link_jobs.resize_with(self.links.len(), Vec::new);
        for jobs in &mut self.link_jobs {
            jobs.clear();
        }
    }

    /// The most copies held at once, and the most link jobs (summed over the links).
    pub(super) fn held_at_most(&self) -> (usize, usize) {
        let jobs = self.links.iter().map(Link::jobs_held_at_most).sum();
        (self.requests.held_at_most(), jobs)
    }

    /// The latest end of the same-region copies among `requests` (their end is known when
    /// they are emitted).
    pub(super) fn same_region_end(&self, requests: &[RequestId]) -> Option<i64> {
        requests
            .iter()
            .map(|&id| &self.requests[id])
            .filter(|r| r.link.is_none())
            .map(|r| r.done)
            .max()
    }

    /// The arrival second of request `id` at its link, if it travels over one.
    pub(super) fn link_arrival(&self, id: RequestId) -> Option<i64> {
        let r = &self.requests[id];
        r.link.map(|_| r.arrival)
    }

    /// Request `id` arrives at its link now (its arrival second).
    pub(super) fn arrive(&mut self, model: &Model, id: RequestId) {
        let r = &self.requests[id];
        let l = usize::from(r.link.expect("a cross-region request"));
        let account = model.resources[r.resource as usize].account as u32;
        let job = self.links[l].push(r.arrival, r.bytes, account) as usize;
        self.soonest = None;
        let jobs = &mut self.link_jobs[l];
        if jobs.len() <= job {
            jobs.resize(job + 1, RequestId::MAX);
        }
        jobs[job] = id;
    }

    /// The earliest second at which a copy on some link completes if nothing else arrives.
    /// Cached until a link changes; debug builds (every test run) check the cached value
    /// against the links at each call.
    pub(super) fn next_completion_second(&mut self) -> Option<i64> {
        let soonest = |links: &[Link]| links.iter().filter_map(Link::next_completion_second).min();
        let cached = *self.soonest.get_or_insert_with(|| soonest(&self.links));
        debug_assert_eq!(cached, soonest(&self.links), "a link changed unseen");
        cached
    }

    /// Lets every link run up to `until`; `done(resource, second)` for each copy that
    /// completes.
    pub(super) fn advance(&mut self, until: i64, done: &mut impl FnMut(usize, i64)) {
        self.soonest = None;
        for (l, link) in self.links.iter_mut().enumerate() {
            let (jobs, requests) = (&self.link_jobs[l], &mut self.requests);
            link.advance(until, &mut |job, second| {
                let request = &mut requests[jobs[job as usize]];
                request.done = second;
                done(request.resource as usize, second);
            });
        }
    }

    /// Phase 1: the copies of a point (capture, usable, the time its source goes cold,
    /// its full size) of resource `resource_index`, kept in `source_vault`; the id of
    /// each copy that will complete goes to `emitted`. `rng` is the resource's `Copy`
    /// stream; `last_copy` its (destination vault, capture of the last good copy) pairs.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn emit(
        &mut self,
        model: &Model,
        resource_index: usize,
        source_vault: usize,
        specs: &[CopySpec],
        (capture, usable, cold_at, full_bytes): (i64, i64, i64, u64),
        rng: &mut SimRng,
        last_copy: &mut LastCopies,
        emitted: &mut Batch,
        counts: &mut CopyCounts,
        ops: &mut OpsCollector,
    ) {
        let resource = &model.resources[resource_index];
        let behaviour = &model.behaviour[resource.resource_type as usize];
        let days = self.days.as_mut().expect("begin() starts the trial");
        let day = usize::try_from(usable.div_euclid(crate::model::DAY_SECONDS))
            .ok()
            .filter(|&d| d < days.created.len());
        for spec in specs {
            // Same draws whatever happens to the copy.
            let fails = bernoulli(rng, behaviour.copy_failure_probability);
            let intra_throughput = model
                .simulation
                .intra_region_copy_mib_per_s
                .sample_non_negative(rng)
                .max(1e-3);
            counts.created += 1;
            if let Some(d) = day {
                days.created[d] += 1;
            }
            // The copy starts as soon as the backup completes.
            let destination = spec.region_id.unwrap_or(resource.region_id);
            let scp = &model.scp;
            let denied_by_scp = scp.denies_any() && {
                let owner = vault_owner(&model.vaults[spec.vault], resource.account);
                let (account, source) = (resource.account, resource.region_id);
                scp.copy_denial(account, source, owner, destination, true)
                    .is_some()
            };
            let refusal = if spec.rejected_by_lock {
                Some(&mut counts.rejected_by_lock)
            } else if denied_by_scp {
                Some(&mut counts.denied_by_scp)
            } else if spec.cross_account(model, resource.account)
                && !key_shared(model, source_vault, resource)
            {
                Some(&mut counts.rejected_by_key)
            } else if cold_at <= usable {
                if let Some(d) = day {
                    days.refused_cold[d] += 1;
                }
                Some(&mut counts.refused_cold)
            } else if fails {
                Some(&mut counts.failed)
            } else {
                None
            };
            if let Some(counter) = refusal {
                *counter += 1;
                if let Some(d) = day {
                    days.failed[d] += 1;
                }
                ops.copy_failed(resource.account, usable);
                continue;
            }
            let delete_at = spec
                .delete_after_seconds
                .map_or(i64::MAX, |d| capture.saturating_add(d));
            let cold_at = match spec.cold_after_seconds {
                Some(c) if behaviour.cold_storage => capture.saturating_add(c),
                _ => i64::MAX,
            };
            // Incremental only while the previous copy is still in the destination
            // (EBS and RDS copy guides: if the most recent copy was deleted, the next
            // copy is full; docs/assumptions.md "Copies").
            let previous = last_copy.iter().position(|c| c.vault == spec.vault);
            let incremental =
                behaviour.incremental && previous.is_some_and(|i| last_copy[i].warm_end > usable);
            let bytes = match previous {
                Some(i) if incremental => {
                    let days = (capture - last_copy[i].capture) as f64 / 86_400.0;
                    ((resource.daily_change_fraction * days * full_bytes as f64) as u64)
                        .min(full_bytes)
                }
                _ => full_bytes,
            };
            let last = LastCopy {
                vault: spec.vault,
                capture,
                warm_end: cold_at.min(delete_at),
            };
            match previous {
                Some(i) => last_copy[i] = last,
                None => last_copy.push(last),
            }
            counts.bytes += u128::from(bytes);
            let (link, done) = if destination == resource.region_id {
                // Same region, another account: no shared link.
                let seconds =
                    ceil_non_negative(bytes as f64 / (intra_throughput * MIB_BYTES)) as i64;
                (None, usable + seconds)
            } else {
                let n = model.regions.len();
                let link = model.link_of
                    [usize::from(resource.region_id) * n + usize::from(destination)]
                .expect("resolve checked that every cross-region copy has a link");
                (Some(link), i64::MAX)
            };
            let id = self.requests.insert(Request {
                link,
                resource: resource_index as u32,
                vault: spec.vault as u32,
                region: destination,
                arrival: usable,
                bytes,
                incremental,
                full_bytes,
                capture,
                delete_at,
                cold_at,
                done,
            });
            emitted.push(id);
        }
    }

    /// Phases 2 and 3 of one job's copies, once every one of them has completed (the
    /// resource's next job runs only then): bills their transfer and storage, counts
    /// them, adds them to the per-day activity, then in order of completion offers each
    /// to the resource's pending disaster views and feeds the cross-region ones to its
    /// DR-region RPO. `batch` is emptied and its slots freed.
    pub(super) fn settle(
        &mut self,
        model: &Model,
        resource_index: usize,
        batch: &mut Batch,
        tail: &mut CopyTail,
        pending: &mut Pending,
        sinks: CopySinks,
    ) {
        let CopySinks {
            dr_group,
            counts,
            ops,
            mut cost,
        } = sinks;
        let resource = &model.resources[resource_index];
        let days = self.days.as_mut().expect("begin() starts the trial");
        let n = days.created.len();
        let day = |t: i64| (t.div_euclid(crate::model::DAY_SECONDS).max(0) as usize).min(n);
        for &id in batch.iter() {
            let r = &self.requests[id];
            assert!(r.done != i64::MAX, "a copy settles once it has completed");
            // Transfer is billed to the source region once the copy exists (AWS bills no
            // failed copy).
            if let (Some(tally), Some(costs), Some(_)) = (cost.as_deref_mut(), &model.costs, r.link)
            {
                let at = Billed::home(model, resource_index);
                super::cost::transfer(tally, model, costs, at, r.bytes, r.done);
            }
            let lag = (r.done - r.arrival) as u64;
            if r.done < model.simulation.horizon_seconds {
                counts.completed += 1;
            } else {
                counts.running_at_end += 1;
            }
            counts.lag.add_point(lag, 1);
            ops.copy_lag(r.done, lag);
            if day(r.done) < n {
                days.completed[day(r.done)] += 1;
            }
            if let Some(l) = r.link {
                // Waiting or transferring from the day it arrived to the day it completed.
                for (d, sign) in [(day(r.arrival), 1), (day(r.done), -1)] {
                    if d < n {
                        let l = usize::from(l);
                        days.backlog_jobs[l][d] += sign;
                        days.backlog_bytes[l][d] += i128::from(sign) * i128::from(r.bytes);
                    }
                }
            }
            if let (Some(tally), Some(costs)) = (cost.as_deref_mut(), &model.costs) {
                copy_storage(tally, model, costs, resource_index, r, &mut tail.heads);
            }
        }
        // In order of completion (a stable sort: of emission among copies completing
        // together).
        let requests = &self.requests;
        batch.sort_by_key(|&id| requests[id].done);
        let dr = &mut tail.dr;
        let frame = &Frame::snapshots_only(model, resource);
        for &id in batch.iter() {
            let request = &requests[id];
            let point = Point {
                capture: request.capture,
                delete_at: request.delete_at,
                cold_at: request.cold_at,
                full_bytes: request.full_bytes,
            };
            pending.offer_copy(
                model,
                resource,
                request.vault as usize,
                request.region,
                point,
                request.done,
            );
            if request.link.is_some() {
                dr.advance(frame, &mut tail.stack, request.done, dr_group, resource);
                insert_point(&mut tail.stack, point);
            }
        }
        for id in batch.drain(..) {
            self.requests.release(id);
        }
    }

    /// Ends the trial's copies (every resource closed): the per-day activity.
    pub(super) fn finish(&mut self, ops: &mut OpsCollector) -> CopyDays {
        assert_eq!(self.requests.held(), 0, "every copy settles");
        let mut days = self.days.take().expect("begin() starts the trial");
        for series in days.backlog_jobs.iter_mut() {
            for d in 1..series.len() {
                series[d] += series[d - 1];
            }
        }
        for series in days.backlog_bytes.iter_mut() {
            for d in 1..series.len() {
                series[d] += series[d - 1];
            }
        }
        ops.finish_lag(&mut days);
        days
    }
}

/// Whether the key of `source_vault` can be used by another account for a copy: the
/// central key is shared by design; account-owned keys only when the scenario shares them
/// (aws-backup-facts §6: a cross-account copy needs the source key shared with the
/// destination account).
fn key_shared(model: &Model, source_vault: usize, resource: &Resource) -> bool {
    let key = model.key_of(source_vault, resource.account, resource.region_id);
    key.owner.is_none() || model.keys.as_ref().is_none_or(|k| k.cross_account_sharing)
}

/// Inserts `p` into the stack of points that can still be the newest usable one (capture
/// increasing, deletion decreasing from bottom to top), whatever its capture time: a copy
/// can complete after a newer one. Drops `p` if a newer point outlives it, and every older
/// point `p` outlives.
pub(super) fn insert_point(stack: &mut Points, p: Point) {
    // Newer than every point (the usual case: copies mostly complete in order): the
    // points it outlives are a run at the top, as when a local point is pushed.
    if stack.last().is_none_or(|q| q.capture < p.capture) {
        while stack.last().is_some_and(|q| q.delete_at <= p.delete_at) {
            stack.pop();
        }
        stack.push(p);
        return;
    }
    insert_point_anywhere(stack, p);
}

/// [`insert_point`] for a point of any capture time (the general rule).
fn insert_point_anywhere(stack: &mut Points, p: Point) {
    if stack
        .iter()
        .any(|q| q.capture >= p.capture && q.delete_at >= p.delete_at)
    {
        return;
    }
    stack.retain(|q| !(q.capture <= p.capture && q.delete_at <= p.delete_at));
    let at = stack.partition_point(|q| q.capture < p.capture);
    stack.insert(at, p);
}

/// Bills the storage a settled copy `r` of `resource` adds in its destination region,
/// the way the source's points are held (DESIGN.md "Lifecycle"): per destination vault,
/// the newest copy holds its full size (`heads`, billed by `CopyStage::close` for the
/// last one) and each older one what its successor sent, until it leaves warm storage; a
/// copy in cold storage holds its full size (billed at least 90 days). A copy exists from
/// its completion to its deletion (counted from the source's creation, as AWS does).
/// Copies completing after the horizon still count towards the projected steady state
/// (their billed months are clipped to the horizon).
fn copy_storage(
    tally: &mut CostTally,
    model: &Model,
    costs: &crate::model::Costs,
    resource: usize,
    r: &Request,
    heads: &mut SmallVec<[CopyHead; 2]>,
) {
    let meter = Meter::new(
        model,
        costs,
        Billed {
            resource,
            region: r.region,
        },
    );
    let mut hold = |charge, interval, capture| {
        super::cost::storage(
            tally,
            model,
            costs,
            meter,
            charge,
            interval,
            Steady::Whole { capture },
        );
    };
    let warm_end = r.cold_at.min(r.delete_at);
    let usable = r.done.min(warm_end);
    let mut head = CopyHead {
        vault: r.vault,
        region: r.region,
        capture: r.capture,
        usable,
        warm_end,
        full_bytes: r.full_bytes,
        taken_over: 0,
    };
    match heads.iter_mut().find(|h| h.vault == r.vault) {
        Some(h) => {
            let head_to = usable.min(h.warm_end);
            hold(Charge::Warm, h.interval(head_to), h.capture);
            // From the new copy's completion the old one holds what the new one sent:
            // new bytes if it sent only the changes, and the new copy takes over the
            // chain's full size; its own full size still if the new copy is full.
            let rest = StoredInterval::new(r.bytes, usable, h.warm_end);
            let handed_over = head_to == usable;
            if r.incremental {
                hold(Charge::Warm, rest, h.capture);
                if handed_over {
                    head.taken_over = h.full_bytes;
                }
            } else {
                let taken_over = if handed_over { h.full_bytes } else { 0 };
                hold(
                    Charge::Warm,
                    StoredInterval { taken_over, ..rest },
                    h.capture,
                );
            }
            *h = head;
        }
        None => heads.push(head),
    }
    if r.cold_at < r.delete_at {
        let from = r.cold_at.max(r.done);
        let cold = StoredInterval::new(r.full_bytes, from, r.delete_at);
        hold(Charge::Cold, cold, r.capture);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(capture: i64, delete_at: i64) -> Point {
        Point {
            capture,
            delete_at,
            cold_at: i64::MAX,
            full_bytes: 0,
        }
    }

    /// The shortcut for a point newer than every other against the general rule, on
    /// random sequences of insertions (captures mostly increasing, retentions mixed).
    #[test]
    fn insertion_shortcut_matches_the_general_rule() {
        let mut rng = crate::rng::stream(3, 0, 0, crate::rng::Stream::Copy);
        let mut draw = |n: usize| crate::dist::uniform_index(&mut rng, n) as i64;
        for _ in 0..2_000 {
            let (mut fast, mut general) = (Points::new(), Points::new());
            let mut capture = 0;
            for _ in 0..40 {
                capture += draw(5) - 1;
                let point = p(
                    capture,
                    capture + [10, 30, 90, 365][draw(4) as usize] + draw(3),
                );
                insert_point(&mut fast, point);
                insert_point_anywhere(&mut general, point);
                let key = |s: &Points| {
                    s.iter()
                        .map(|x| (x.capture, x.delete_at))
                        .collect::<Vec<_>>()
                };
                assert_eq!(key(&fast), key(&general));
            }
        }
    }

    #[test]
    fn insertion_keeps_only_points_that_can_be_newest() {
        let mut s: Points = smallvec::smallvec![p(10, 100), p(20, 90)];
        // Older and shorter-lived than (20, 90): never the newest.
        insert_point(&mut s, p(15, 80));
        assert_eq!(
            s.iter().map(|x| x.capture).collect::<Vec<_>>(),
            vec![10, 20]
        );
        // Newer and longer-lived than both: replaces them.
        insert_point(&mut s, p(30, 200));
        assert_eq!(s.iter().map(|x| x.capture).collect::<Vec<_>>(), vec![30]);
        // Older but longer-lived: kept below.
        insert_point(&mut s, p(25, 300));
        assert_eq!(
            s.iter().map(|x| x.capture).collect::<Vec<_>>(),
            vec![25, 30]
        );
    }
}
