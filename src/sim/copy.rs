//! Copy jobs: every copy action of a rule spawns a copy job when its backup completes.
//!
//! Phase 1 (inside each resource's pass, `CopyStage::emit`) decides everything that does
//! not depend on other resources: whether the copy is refused (vault lock, source already
//! in cold storage) or fails (per-type probability, drawn from the resource's own `Copy`
//! stream), and how many bytes it moves (full for the first copy of a resource to a
//! destination vault, then what changed since the last good copy, for incremental types).
//! Cross-region copies travel over their region pair's processor-sharing link
//! (`sim::link`), driven incrementally by the trial's event loop (`CopyStage::arrive`,
//! `CopyStage::advance`) together with the jobs of the resources that emit them, since a
//! resource's next backup waits for its copies. Once every copy has completed,
//! `CopyStage::finish` accounts the per-day activity and the DR-region RPO of every
//! resource from its copies: a copy keeps the source's capture time, is usable at the
//! destination when it completes, and expires by its own lifecycle counted from the
//! source's creation — so copy lag is the DR RPO.
//!
//! Phase 3 also offers every copy (cross-region and same-region cross-account) to the
//! resource's pending disaster views (`sim::disaster`): what survives a compromise, a key
//! loss or a region outage is often a copy.
//!
//! Each link admits at most [`COPY_JOBS_PER_ACCOUNT_PER_DESTINATION`] copies of one source
//! account at once; the rest queue in the account's order of arrival.
//!
//! Not modelled (docs/assumptions.md): copy storage at the destination, the quota shared
//! by two links that end in the same region.

use super::cost::{Billed, Steady};
use super::disaster::DisasterState;
use super::link::Link;
use super::ops::{CopyDays, OpsCollector};
use super::outcome::{CopyCounts, CostTally, GroupOutcome, View};
use super::trial::{Exposure, Point, ceil_non_negative};
use crate::cost::StoredInterval;
use crate::dist::bernoulli;
use crate::model::{CopySpec, MIB_BYTES, Model, Resource};
use crate::rng::SimRng;

/// AWS Backup's quota of concurrent copy jobs per account per destination region
/// (aws-backup-facts §9: 100, not adjustable; the "+5 per vault beyond" allowance is not
/// modelled). The excess waits in the account's queue.
pub const COPY_JOBS_PER_ACCOUNT_PER_DESTINATION: usize = 100;

/// A copy that will complete: cross-region ones wait for their link.
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
    /// Full size of the resource at capture (what a restore from the copy moves).
    full_bytes: u64,
    capture: i64,
    delete_at: i64,
    cold_at: i64,
    /// Completion second (`i64::MAX` while in flight).
    done: i64,
}

/// A copy request: its index in the trial's log of requests.
pub(super) type RequestId = u64;

/// Buffers of the copy stage, reused across trials.
#[derive(Debug, Default)]
pub struct CopyStage {
    /// The trial's copy requests in emission order: one log appended to, so the event
    /// loop's writes and reads stay near its end (the copies in flight), whichever
    /// resource emits. `finish` reads it per resource through `by_resource`.
    requests: Vec<Request>,
    /// Scratch of `finish`: request indices grouped by resource (emission order within
    /// each), and where each resource's group starts.
    by_resource: Vec<u32>,
    starts: Vec<usize>,
    /// Scratch of `finish`: one resource's requests, and their order of completion.
    gathered: Vec<Request>,
    order: Vec<usize>,
    links: Vec<Link>,
    /// Per link: the request of each link job id.
    link_jobs: Vec<Vec<RequestId>>,
    /// This trial's per-day copy activity (taken by `finish`).
    days: Option<CopyDays>,
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
        self.link_jobs.resize_with(self.links.len(), Vec::new);
        for jobs in &mut self.link_jobs {
            jobs.clear();
        }
    }

    /// Copy requests emitted so far in this trial (by every resource).
    pub(super) fn request_count(&self) -> usize {
        self.requests.len()
    }

    /// The latest end of the same-region copies among `requests` (their end is known when
    /// they are emitted).
    pub(super) fn same_region_end(&self, requests: std::ops::Range<usize>) -> Option<i64> {
        self.requests[requests]
            .iter()
            .filter(|r| r.link.is_none())
            .map(|r| r.done)
            .max()
    }

    /// The arrival second of request `index` if it travels over a link, and its id.
    pub(super) fn link_arrival(&self, index: usize) -> Option<(i64, RequestId)> {
        let r = &self.requests[index];
        r.link.map(|_| (r.arrival, index as RequestId))
    }

    /// Request `id` arrives at its link now (its arrival second).
    pub(super) fn arrive(&mut self, model: &Model, id: RequestId) {
        let r = &self.requests[id as usize];
        let l = usize::from(r.link.expect("a cross-region request"));
        let account = model.resources[r.resource as usize].account as u32;
        let job = self.links[l].push(r.arrival, r.bytes, account);
        debug_assert_eq!(job as usize, self.link_jobs[l].len());
        self.link_jobs[l].push(id);
    }

    /// The earliest second at which a copy on some link completes if nothing else arrives.
    pub(super) fn next_completion_second(&self) -> Option<i64> {
        self.links
            .iter()
            .filter_map(Link::next_completion_second)
            .min()
    }

    /// Lets every link run up to `until`; `done(resource, second)` for each copy that
    /// completes.
    pub(super) fn advance(&mut self, until: i64, done: &mut impl FnMut(usize, i64)) {
        for (l, link) in self.links.iter_mut().enumerate() {
            let (jobs, requests) = (&self.link_jobs[l], &mut self.requests);
            link.advance(until, &mut |job, second| {
                let request = &mut requests[jobs[job as usize] as usize];
                request.done = second;
                done(request.resource as usize, second);
            });
        }
    }

    /// Phase 1: the copies of a point (capture, usable, the time its source goes cold,
    /// its full size) of resource `resource_index`, kept in `source_vault`. `rng` is the
    /// resource's `Copy` stream; `last_copy` its (destination vault, capture of the last
    /// good copy) pairs.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn emit(
        &mut self,
        model: &Model,
        resource_index: usize,
        source_vault: usize,
        specs: &[CopySpec],
        (capture, usable, cold_at, full_bytes): (i64, i64, i64, u64),
        rng: &mut SimRng,
        last_copy: &mut Vec<(usize, i64)>,
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
            let refusal = if spec.rejected_by_lock {
                Some(&mut counts.rejected_by_lock)
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
            let previous = last_copy.iter().position(|(v, _)| *v == spec.vault);
            let bytes = match previous {
                Some(i) if behaviour.incremental => {
                    let days = (capture - last_copy[i].1) as f64 / 86_400.0;
                    ((resource.daily_change_fraction * days * full_bytes as f64) as u64)
                        .min(full_bytes)
                }
                _ => full_bytes,
            };
            match previous {
                Some(i) => last_copy[i].1 = capture,
                None => last_copy.push((spec.vault, capture)),
            }
            counts.bytes += u128::from(bytes);
            let delete_at = spec
                .delete_after_seconds
                .map_or(i64::MAX, |d| capture.saturating_add(d));
            let cold_at = match spec.cold_after_seconds {
                Some(c) if behaviour.cold_storage => capture.saturating_add(c),
                _ => i64::MAX,
            };
            let destination = spec.region_id.unwrap_or(resource.region_id);
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
            self.requests.push(Request {
                link,
                resource: resource_index as u32,
                vault: spec.vault as u32,
                region: destination,
                arrival: usable,
                bytes,
                full_bytes,
                capture,
                delete_at,
                cold_at,
                done,
            });
        }
    }

    /// Phases 2 and 3: runs the links, then accounts each resource's DR-region RPO into
    /// the DR view (every resource, so one with no cross-region copy is unrecoverable
    /// there) and offers its copies to its pending disaster views, which then settle.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn finish(
        &mut self,
        model: &Model,
        stack: &mut Vec<Point>,
        disasters: &mut DisasterState,
        views: &mut [Vec<GroupOutcome>],
        counts: &mut CopyCounts,
        ops: &mut OpsCollector,
        mut cost: Option<&mut CostTally>,
    ) -> CopyDays {
        let mut days = self.days.take().expect("begin() starts the trial");
        let n = days.created.len();
        let day = |t: i64| (t.div_euclid(crate::model::DAY_SECONDS).max(0) as usize).min(n);
        let sim = &model.simulation;
        self.group_by_resource(model.resources.len());
        // Every pass below reads the requests resource by resource, each in emission
        // order: the order the trial's floating-point sums are made in.
        let by_resource = |resource: usize| {
            self.by_resource[self.starts[resource]..self.starts[resource + 1]]
                .iter()
                .map(|&i| &self.requests[i as usize])
        };
        for (resource, r) in
            (0..model.resources.len()).flat_map(|i| by_resource(i).map(move |r| (i, r)))
        {
            assert!(r.done != i64::MAX, "every copy completes");
            // Transfer is billed to the source region once the copy exists (AWS bills no
            // failed copy).
            if let (Some(tally), Some(costs), Some(_)) = (cost.as_deref_mut(), &model.costs, r.link)
            {
                let at = Billed {
                    resource,
                    region: model.resources[resource].region_id,
                };
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
            let Some(l) = r.link else { continue };
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
            for resource in 0..model.resources.len() {
                self.gathered.clear();
                self.gathered.extend(by_resource(resource));
                copy_storage(tally, model, costs, resource, &self.gathered);
            }
        }
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
        let dr = View::DrRegion as usize;
        let DisasterState {
            pending, outages, ..
        } = disasters;
        assert_eq!(
            pending.len(),
            model.resources.len(),
            "one pending entry per resource"
        );
        for (r, (resource, pending)) in model.resources.iter().zip(pending.iter_mut()).enumerate() {
            let mut pending = pending
                .take()
                .expect("every resource left its pending views");
            let mut exposure = Exposure::snapshots_only(
                sim.warmup_seconds,
                sim.horizon_seconds,
                model.groups[resource.group].rpo_target_seconds,
            );
            stack.clear();
            // The resource's copies in order of completion.
            self.gathered.clear();
            self.gathered.extend(by_resource(r));
            let requests = &self.gathered;
            self.order.clear();
            self.order.extend(0..requests.len());
            self.order.sort_unstable_by_key(|&i| (requests[i].done, i));
            for &i in &self.order {
                let request = &requests[i];
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
                    exposure.advance(
                        stack,
                        request.done,
                        &mut views[dr][resource.group],
                        resource,
                    );
                    insert_point(stack, point);
                }
            }
            exposure.advance(
                stack,
                sim.horizon_seconds,
                &mut views[dr][resource.group],
                resource,
            );
            pending.settle(model, r, views, outages, cost.as_deref_mut());
        }
        days
    }
}

impl CopyStage {
    /// Groups the log's request indices by resource (a counting sort: emission order is
    /// kept within each resource) into `by_resource`, resource `r`'s group at
    /// `starts[r]..starts[r + 1]`.
    fn group_by_resource(&mut self, resources: usize) {
        assert!(
            u32::try_from(self.requests.len()).is_ok(),
            "request indices fit in 32 bits"
        );
        self.starts.clear();
        self.starts.resize(resources + 1, 0);
        for r in &self.requests {
            self.starts[r.resource as usize + 1] += 1;
        }
        for i in 1..self.starts.len() {
            self.starts[i] += self.starts[i - 1];
        }
        // Fill each group from its start, then restore the starts.
        self.by_resource.clear();
        self.by_resource.resize(self.requests.len(), 0);
        for (i, r) in self.requests.iter().enumerate() {
            let at = &mut self.starts[r.resource as usize];
            self.by_resource[*at] = i as u32;
            *at += 1;
        }
        for i in (1..self.starts.len()).rev() {
            self.starts[i] = self.starts[i - 1];
        }
        self.starts[0] = 0;
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
pub(super) fn insert_point(stack: &mut Vec<Point>, p: Point) {
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

/// Bills the storage of `resource`'s copies in their destination regions, the way the
/// source's points are held (DESIGN.md "Lifecycle"): per destination vault, the newest
/// copy holds its full size and each older one what its successor sent, until it leaves
/// warm storage; a copy in cold storage holds its full size (billed at least 90 days).
/// A copy exists from its completion to its deletion (counted from the source's
/// creation, as AWS does).
fn copy_storage(
    tally: &mut CostTally,
    model: &Model,
    costs: &crate::model::Costs,
    resource: usize,
    requests: &[Request],
) {
    use crate::cost::Charge;
    // The newest copy in each vault: (vault, capture, usable from, leaves warm, full
    // bytes). Copies completing after the horizon still count towards the projected
    // steady state (their billed months are clipped to the horizon).
    let mut heads: Vec<(u32, i64, i64, i64, u64)> = Vec::new();
    for r in requests {
        let at = Billed {
            resource,
            region: r.region,
        };
        let mut hold = |charge, bytes, from, to, capture| {
            super::cost::storage(
                tally,
                model,
                costs,
                at,
                charge,
                StoredInterval { bytes, from, to },
                Steady::Whole { capture },
            );
        };
        let warm_end = r.cold_at.min(r.delete_at);
        let usable = r.done.min(warm_end);
        match heads.iter_mut().find(|h| h.0 == r.vault) {
            Some(h) => {
                hold(Charge::Warm, h.4, h.2, usable.min(h.3), h.1);
                hold(Charge::Warm, r.bytes, usable, h.3, h.1);
                *h = (r.vault, r.capture, usable, warm_end, r.full_bytes);
            }
            None => heads.push((r.vault, r.capture, usable, warm_end, r.full_bytes)),
        }
        if r.cold_at < r.delete_at {
            let from = r.cold_at.max(r.done);
            hold(Charge::Cold, r.full_bytes, from, r.delete_at, r.capture);
        }
    }
    for (vault, capture, usable, warm_end, full) in heads {
        let region = requests
            .iter()
            .find(|r| r.vault == vault)
            .map_or(0, |r| r.region);
        let at = Billed { resource, region };
        super::cost::storage(
            tally,
            model,
            costs,
            at,
            Charge::Warm,
            StoredInterval {
                bytes: full,
                from: usable,
                to: warm_end,
            },
            Steady::ToHorizon { capture },
        );
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

    /// The shortcut (one log, grouped by a counting sort) against the straightforward
    /// grouping (each resource's requests picked out of the log in order).
    #[test]
    fn grouping_the_log_by_resource_keeps_emission_order() {
        let mut stage = CopyStage::default();
        let resources = 7;
        for i in 0..200u32 {
            stage.requests.push(Request {
                link: None,
                resource: (i * 37 + i / 5) % 6, // resource 6 emits nothing
                vault: i,
                region: 0,
                arrival: 0,
                bytes: 0,
                full_bytes: 0,
                capture: 0,
                delete_at: 0,
                cold_at: 0,
                done: 0,
            });
        }
        stage.group_by_resource(resources);
        for r in 0..resources {
            let straightforward: Vec<u32> = (0..stage.requests.len() as u32)
                .filter(|&i| stage.requests[i as usize].resource as usize == r)
                .collect();
            assert_eq!(
                stage.by_resource[stage.starts[r]..stage.starts[r + 1]],
                straightforward[..],
                "resource {r}"
            );
        }
        assert_eq!(stage.starts[resources], stage.requests.len());
    }

    #[test]
    fn insertion_keeps_only_points_that_can_be_newest() {
        let mut s = vec![p(10, 100), p(20, 90)];
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
