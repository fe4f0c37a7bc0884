//! Copy jobs: every copy action of a rule spawns a copy job when its backup completes.
//!
//! Phase 1 (inside each resource's pass, `CopyStage::emit`) decides everything that does
//! not depend on other resources: whether the copy is refused (vault lock, source already
//! in cold storage) or fails (per-type probability, drawn from the resource's own `Copy`
//! stream), and how many bytes it moves (full for the first copy of a resource to a
//! destination vault, then what changed since the last good copy, for incremental types).
//! Phase 2 (`CopyStage::finish`) runs every cross-region link as a processor-sharing
//! server (`sim::link`): concurrent copies split its bandwidth fairly, each capped. Phase 3
//! accounts the DR-region RPO of every resource from its copies: a copy keeps the source's
//! capture time, is usable at the destination when it completes, and expires by its own
//! lifecycle counted from the source's creation — so copy lag is the DR RPO.
//!
//! Not modelled yet (docs/assumptions.md): the 100-concurrent-copies-per-account quota,
//! a copy occupying the resource (one job per resource), copy storage at the destination.

use super::link::{Link, Transfer};
use super::outcome::{CopyCounts, GroupOutcome};
use super::trial::{Exposure, Point, ceil_non_negative};
use crate::dist::bernoulli;
use crate::model::{CopySpec, MIB_BYTES, Model, Resource};
use crate::rng::SimRng;

/// A cross-region copy waiting for its link.
#[derive(Debug, Clone, Copy)]
struct Request {
    resource: u32,
    link: u16,
    arrival: i64,
    bytes: u64,
    capture: i64,
    delete_at: i64,
}

/// Buffers of the copy stage, reused across trials.
#[derive(Debug, Default)]
pub struct CopyStage {
    requests: Vec<Request>,
    /// (destination vault, capture of the last good copy) of the current resource.
    last_copy: Vec<(usize, i64)>,
    transfers: Vec<Transfer>,
    members: Vec<usize>,
    completions: Vec<i64>,
    /// Completion time of each request, by request index.
    completed_at: Vec<i64>,
    order: Vec<usize>,
    links: Vec<Link>,
}

impl CopyStage {
    /// Starts a trial.
    pub fn begin(&mut self, model: &Model) {
        self.requests.clear();
        if self.links.len() != model.region_pairs.len() {
            self.links = model
                .region_pairs
                .iter()
                .map(|p| {
                    Link::new(
                        p.bandwidth_mib_per_s * MIB_BYTES,
                        p.per_job_cap_mib_per_s.map(|c| c * MIB_BYTES),
                        None,
                    )
                })
                .collect();
        }
    }

    /// Starts a resource.
    pub fn begin_resource(&mut self) {
        self.last_copy.clear();
    }

    /// Phase 1: the copies of a point captured at `capture`, usable at `usable`, whose
    /// source goes cold at `cold_at`. `rng` is the resource's `Copy` stream.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn emit(
        &mut self,
        model: &Model,
        resource_index: usize,
        resource: &Resource,
        specs: &[CopySpec],
        capture: i64,
        usable: i64,
        cold_at: i64,
        full_bytes: u64,
        rng: &mut SimRng,
        counts: &mut CopyCounts,
    ) {
        let behaviour = &model.behaviour[resource.resource_type as usize];
        for spec in specs {
            // Same draws whatever happens to the copy.
            let fails = bernoulli(rng, behaviour.copy_failure_probability);
            let intra_throughput = model
                .simulation
                .intra_region_copy_mib_per_s
                .sample_non_negative(rng)
                .max(1e-3);
            counts.created += 1;
            if spec.rejected_by_lock {
                counts.rejected_by_lock += 1;
                continue;
            }
            // The copy starts as soon as the backup completes.
            if cold_at <= usable {
                counts.refused_cold += 1;
                continue;
            }
            if fails {
                counts.failed += 1;
                continue;
            }
            let previous = self.last_copy.iter().position(|(v, _)| *v == spec.vault);
            let bytes = match previous {
                Some(i) if behaviour.incremental => {
                    let days = (capture - self.last_copy[i].1) as f64 / 86_400.0;
                    ((resource.daily_change_fraction * days * full_bytes as f64) as u64)
                        .min(full_bytes)
                }
                _ => full_bytes,
            };
            match previous {
                Some(i) => self.last_copy[i].1 = capture,
                None => self.last_copy.push((spec.vault, capture)),
            }
            counts.bytes += u128::from(bytes);
            let delete_at = spec
                .delete_after_seconds
                .map_or(i64::MAX, |d| capture.saturating_add(d));
            let destination = spec.region_id.unwrap_or(resource.region_id);
            if destination == resource.region_id {
                // Same region, another account: no shared link.
                let seconds =
                    ceil_non_negative(bytes as f64 / (intra_throughput * MIB_BYTES)) as i64;
                counts.completed += 1;
                counts.lag.add_point(seconds as u64, 1);
                continue;
            }
            let n = model.regions.len();
            let link = model.link_of
                [usize::from(resource.region_id) * n + usize::from(destination)]
            .expect("resolve checked that every cross-region copy has a link");
            self.requests.push(Request {
                resource: u32::try_from(resource_index).expect("fewer than 2^32 resources"),
                link,
                arrival: usable,
                bytes,
                capture,
                delete_at,
            });
        }
    }

    /// Phases 2 and 3: runs the links, then accounts each resource's DR-region RPO into
    /// `dr_groups` (every resource, so one with no cross-region copy is unrecoverable there).
    pub(super) fn finish(
        &mut self,
        model: &Model,
        stack: &mut Vec<Point>,
        dr_groups: &mut [GroupOutcome],
        counts: &mut CopyCounts,
    ) {
        let requests = &self.requests;
        self.completed_at.clear();
        self.completed_at.resize(requests.len(), i64::MAX);
        for (l, link) in self.links.iter_mut().enumerate() {
            self.members.clear();
            self.members
                .extend((0..requests.len()).filter(|&i| usize::from(requests[i].link) == l));
            if self.members.is_empty() {
                continue;
            }
            self.transfers.clear();
            self.transfers
                .extend(self.members.iter().map(|&i| Transfer {
                    arrival_seconds: requests[i].arrival,
                    size_bytes: requests[i].bytes,
                }));
            link.run(&self.transfers, &mut self.completions);
            for (k, &i) in self.members.iter().enumerate() {
                self.completed_at[i] = self.completions[k];
                counts.completed += 1;
                counts
                    .lag
                    .add_point((self.completions[k] - requests[i].arrival) as u64, 1);
            }
        }
        // Per resource, copies in order of completion. Requests were emitted resource by
        // resource, so only each resource's own run needs sorting.
        self.order.clear();
        self.order.extend(0..requests.len());
        let completed_at = &self.completed_at;
        let mut start = 0;
        while start < self.order.len() {
            let resource = requests[start].resource;
            let mut end = start + 1;
            while end < requests.len() && requests[end].resource == resource {
                end += 1;
            }
            self.order[start..end].sort_unstable_by_key(|&i| (completed_at[i], i));
            start = end;
        }
        let sim = &model.simulation;
        let mut next = 0;
        for (r, resource) in model.resources.iter().enumerate() {
            let mut exposure = Exposure::snapshots_only(
                sim.warmup_seconds,
                sim.horizon_seconds,
                model.groups[resource.group].rpo_target_seconds,
                &mut dr_groups[resource.group],
                resource,
            );
            stack.clear();
            while next < self.order.len() && requests[self.order[next]].resource as usize == r {
                let i = self.order[next];
                next += 1;
                let usable = completed_at[i];
                exposure.advance(stack, usable);
                insert_point(
                    stack,
                    Point {
                        capture: requests[i].capture,
                        delete_at: requests[i].delete_at,
                        cold_at: i64::MAX,
                        full_bytes: requests[i].bytes,
                    },
                );
            }
            exposure.advance(stack, sim.horizon_seconds);
        }
    }
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
