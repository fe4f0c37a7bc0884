//! A copy link between two regions: transfers share its bandwidth by processor sharing.
//!
//! Cross-region copy jobs of one region pair travel over one [`Link`]. Given every
//! transfer's arrival second and size, [`Link::run`] returns every transfer's completion
//! second. The trial (`sim::trial`) builds the transfers from completed backups and turns
//! the completion seconds into copy recovery points; this module knows nothing of
//! resources, vaults or AWS, does no I/O and draws no random numbers.
//!
//! # Model
//!
//! - **Sharing.** At every instant the `k` transferring jobs share the bandwidth `B` by
//!   max-min fairness (Bertsekas & Gallager, *Data Networks*, 2nd ed. 1992, §6.5:
//!   water-filling), each job limited to a common cap `c`: with one cap for all jobs the
//!   water-filling allocation is simply `min(c, B/k)` per job, i.e. egalitarian processor
//!   sharing (Kleinrock, "Time-shared systems: a theoretical analysis", JACM 14(2), 1967)
//!   with a rate ceiling. The link sends below `B` only while `k·c < B`.
//! - **Concurrency.** Every job belongs to a group (an account). At most `max_active` jobs
//!   of one group transfer at once; the group's other jobs wait, in order of arrival, ties
//!   broken by position in the input (lower index first), and receive no bandwidth while
//!   they wait. Jobs of other groups are not held up. This models AWS Backup's quota of
//!   100 concurrent copy jobs per account per destination region
//!   (`reference/aws-backup-facts.md` §6, §9): the group is the source account.
//! - **Units.** Arrivals and completions are whole seconds (`i64`, any origin); sizes are
//!   bytes (`u64`); the bandwidth and the cap are bytes per second as `f64`, because link
//!   speeds are quoted in MiB/s or Gbit/s and the shares `B/k` are fractional anyway.
//!   AWS does not publish copy throughput (facts §6): the figures used for it (e.g.
//!   500 MiB/s per copy, 2,000 MiB/s per region pair) are scenario parameters.
//! - **Rounding.** A completion second is the first whole second at or after the exact
//!   completion instant, computed as `⌈t − 1 µs⌉` ([`ROUNDING_SLACK_SECONDS`]): the
//!   microsecond absorbs floating-point noise, so 1,000 B at 100 B/s from second 0
//!   completes at second 10, not 11. A job's waiting and transferring are exact
//!   in between; only the reported second is rounded.
//!
//! Not modelled: per-job caps that differ between jobs (with a common cap every active
//! job has the same rate, which is what makes the single virtual clock below exact; a
//! mix of resource types with different caps needs one link per cap or full
//! water-filling), and quotas that span several links (an account copying to one
//! destination region from several source regions).
//!
//! # Method
//!
//! Event-driven over arrivals and completions with a virtual clock, as in fair-queueing
//! schedulers (Demers, Keshav & Shenker, SIGCOMM 1989; Parekh & Gallager, "A generalized
//! processor sharing approach…", IEEE/ACM ToN 1993) and `reference/performance.md` §1.6:
//! because every active job receives the same rate `r(k) = min(c, B/k)`, the bytes any
//! one active job has received since an origin, `V`, advance at `r(k)` for all of them.
//! A job that starts when the clock reads `V₀` finishes when `V` reaches its tag
//! `V₀ + size`, so the active jobs sit in a min-heap by tag and the next completion is
//! `now + (min tag − V) / r(k)`. Waiting jobs are a cursor into the arrivals sorted by
//! (second, index); a job whose group is full joins its group's FIFO queue (a linked
//! list through job indices) and starts, at the instant a job of its group completes,
//! with tag `V + size`. Cost: O(n log n) for the sort and O(log n) per event, 2n events at
//! most; no allocation once the link's buffers have grown to the largest input seen.
//!
//! Time (seconds) is an `f64` offset from the first arrival of the current busy period
//! and restarts whenever the link idles; `V` (bytes) restarts whenever no job is active.
//! Precision therefore depends on the length of a busy period, not on the absolute second
//! or the horizon (relative error about 2⁻⁵³ per event of the period).
//! Arithmetic is plain IEEE `+ − × ÷` and `ceil` in a fixed order: the same input gives
//! the same output bit for bit on every platform, and any reordering of the input that
//! keeps the relative order of jobs arriving in the same second gives the same results
//! (permuted alike).

use super::slots::Slots;
use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

/// Slack subtracted from an exact completion instant before rounding it up to a whole
/// second, in seconds: floating-point noise below it does not push a completion that
/// falls on a whole second to the next one. See the module docs.
pub const ROUNDING_SLACK_SECONDS: f64 = 1e-6;

/// One transfer offered to a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transfer {
    /// Second at which the job is ready to transfer (any origin; the output uses the same).
    pub arrival_seconds: i64,
    /// Bytes to transfer. Zero is allowed: the job completes the second it starts.
    /// Converted to `f64`, exact up to 2^53 bytes (8 PiB).
    pub size_bytes: u64,
    /// Concurrency group (e.g. the source account): `max_active` applies per group.
    /// Dense small numbers are cheapest (buffers are sized by the largest).
    pub group: u32,
}

/// A processor-sharing link: bandwidth, per-job cap, concurrency limit, and the state of
/// the transfers offered so far.
///
/// Two ways to use it: [`Link::run`] takes a whole batch of transfers and returns every
/// completion; or, incrementally (the trial's event loop), [`Link::reset`], then
/// [`Link::push`] transfers in order of arrival, asking [`Link::next_completion_second`]
/// when the next one finishes and [`Link::advance`] to let time pass. `run` is `reset`,
/// `push` of every transfer in order of arrival, and one `advance` to the end.
///
/// Reuse one `Link` for many runs (one per trial, say): after the first run with the
/// largest input, runs allocate nothing.
#[derive(Debug, Clone)]
pub struct Link {
    /// Total bandwidth `B`, bytes per second (finite, > 0).
    bandwidth_bytes_per_second: f64,
    /// Per-job cap `c`, bytes per second; `f64::INFINITY` when uncapped.
    per_job_cap_bytes_per_second: f64,
    /// Most jobs of one group transferring at once; `usize::MAX` when unlimited.
    max_active: usize,
    /// (arrival second, job) sorted by `run`: the arrival order of a batch.
    order: Vec<(i64, u32)>,
    /// Every job pushed and not yet completed, by job id: a completed job's id is given
    /// to a later job, so the link holds only the jobs in it, however many have passed
    /// through.
    jobs: Slots<Job>,
    /// Jobs pushed since `reset`: each job's place in push order (its `Active::seq`).
    pushed: u64,
    /// Jobs pushed but not yet arrived (arrival second, job), in order of arrival.
    arriving: std::collections::VecDeque<(i64, u32)>,
    /// Jobs transferring now, smallest finish tag on top.
    active: BinaryHeap<Reverse<Active>>,
    /// Per group: jobs transferring now.
    group_active: Vec<usize>,
    /// Per group: first and last waiting job (`NONE` when the queue is empty).
    queue_head: Vec<u32>,
    queue_tail: Vec<u32>,
    /// Origin of the busy period (a whole second); `now` counts seconds from it (−∞
    /// before the first arrival, which opens the first period); `virtual_bytes` counts
    /// the bytes each active job has received since the link was last empty.
    origin_seconds: i64,
    now: f64,
    virtual_bytes: f64,
}

/// No job (end of a queue).
const NONE: u32 = u32::MAX;

/// A job in the link (arriving, waiting or transferring).
#[derive(Debug, Clone, Copy)]
struct Job {
    size_bytes: u64,
    /// Its place in push order since `reset`.
    seq: u64,
    group: u32,
    /// The next waiting job of its group (`NONE`: none, or not waiting).
    next_waiting: u32,
}

/// A transferring job: it completes when the virtual clock reaches `finish_tag_bytes`.
#[derive(Debug, Clone, Copy)]
struct Active {
    finish_tag_bytes: f64,
    /// The job's place in push order.
    seq: u64,
    job: u32,
}

impl Ord for Active {
    /// By tag (`total_cmp`), then push order, so simultaneous completions are handled
    /// in a fixed order (they complete at the same instant whatever the order).
    fn cmp(&self, other: &Self) -> Ordering {
        self.finish_tag_bytes
            .total_cmp(&other.finish_tag_bytes)
            .then(self.seq.cmp(&other.seq))
    }
}

impl PartialOrd for Active {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Active {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Active {}

impl Link {
    /// A link of `bandwidth_bytes_per_second` shared by at most `max_active` concurrent
    /// jobs per group (`None`: unlimited), each receiving at most
    /// `per_job_cap_bytes_per_second` (`None`: uncapped).
    ///
    /// # Panics
    ///
    /// If the bandwidth is not finite and positive, the cap is not positive (or NaN), or
    /// `max_active` is `Some(0)`: a resolved model never asks for such a link.
    pub fn new(
        bandwidth_bytes_per_second: f64,
        per_job_cap_bytes_per_second: Option<f64>,
        max_active: Option<usize>,
    ) -> Link {
        assert!(
            bandwidth_bytes_per_second.is_finite() && bandwidth_bytes_per_second > 0.0,
            "link bandwidth must be finite and positive, got {bandwidth_bytes_per_second}"
        );
        let cap = per_job_cap_bytes_per_second.unwrap_or(f64::INFINITY);
        assert!(cap > 0.0, "per-job cap must be positive, got {cap}");
        let max_active = max_active.unwrap_or(usize::MAX);
        assert!(max_active > 0, "max_active must be at least 1");
        Link {
            bandwidth_bytes_per_second,
            per_job_cap_bytes_per_second: cap,
            max_active,
            order: Vec::new(),
            jobs: Slots::new(),
            pushed: 0,
            arriving: std::collections::VecDeque::new(),
            active: BinaryHeap::new(),
            group_active: Vec::new(),
            queue_head: Vec::new(),
            queue_tail: Vec::new(),
            origin_seconds: 0,
            now: f64::NEG_INFINITY,
            virtual_bytes: 0.0,
        }
    }

    /// The rate of each of `k ≥ 1` active jobs, bytes per second: `min(c, B/k)`.
    #[inline]
    fn rate(&self, k: usize) -> f64 {
        (self.bandwidth_bytes_per_second / k as f64).min(self.per_job_cap_bytes_per_second)
    }

    /// Completion second of every job, written to `out` in input order (`out` is cleared
    /// first; its length becomes `jobs.len()`).
    ///
    /// `out[i] ≥ jobs[i].arrival_seconds`. A job that waits for a free slot of its group
    /// starts when one frees, before any job of its group that arrived later (or in the
    /// same second at a higher index).
    ///
    /// # Panics
    ///
    /// If there are more than `u32::MAX` jobs.
    pub fn run(&mut self, jobs: &[Transfer], out: &mut Vec<i64>) {
        assert!(
            u32::try_from(jobs.len()).is_ok(),
            "a link run takes at most u32::MAX jobs, got {}",
            jobs.len()
        );
        out.clear();
        out.resize(jobs.len(), 0);
        let mut order = std::mem::take(&mut self.order);
        order.clear();
        order.extend(
            jobs.iter()
                .enumerate()
                .map(|(index, job)| (job.arrival_seconds, index as u32)),
        );
        // Keys are unique (the index), so the unstable sort's result is fully determined.
        order.sort_unstable();
        self.reset();
        // Job ids are given in push order: `order[id]` maps back to the input index.
        for &(arrival, index) in &order {
            let job = &jobs[index as usize];
            self.push(arrival, job.size_bytes, job.group);
        }
        self.advance(i64::MAX, &mut |id, second| {
            out[order[id as usize].1 as usize] = second;
        });
        self.order = order;
    }

    /// Forgets every job: the link is empty and idle.
    pub fn reset(&mut self) {
        self.jobs.clear();
        self.pushed = 0;
        self.arriving.clear();
        self.active.clear();
        self.group_active.clear();
        self.queue_head.clear();
        self.queue_tail.clear();
        self.origin_seconds = 0;
        self.now = f64::NEG_INFINITY;
        self.virtual_bytes = 0.0;
    }

    /// The most jobs the link has held at once since it was built (its table's length).
    pub fn jobs_held_at_most(&self) -> usize {
        self.jobs.held_at_most()
    }

    /// Offers a transfer arriving at `arrival_seconds` (no earlier than the arrival of
    /// any job pushed before); returns its job id, which `advance` reports at its
    /// completion and may give to a job pushed after that (the ids of jobs pushed with
    /// none completed in between are 0, 1, … in push order, as in `run`). A job may be
    /// pushed after the link has advanced past its arrival: it then starts at once.
    pub fn push(&mut self, arrival_seconds: i64, size_bytes: u64, group: u32) -> u32 {
        assert!(
            self.arriving
                .back()
                .is_none_or(|&(a, _)| a <= arrival_seconds),
            "link arrivals must be pushed in order"
        );
        let id = self.jobs.insert(Job {
            size_bytes,
            seq: self.pushed,
            group,
            next_waiting: NONE,
        });
        self.pushed += 1;
        let g = group as usize;
        if self.group_active.len() <= g {
            self.group_active.resize(g + 1, 0);
            self.queue_head.resize(g + 1, NONE);
            self.queue_tail.resize(g + 1, NONE);
        }
        self.arriving.push_back((arrival_seconds, id));
        id
    }

    /// The second at which the next active job completes if nothing else arrives, or
    /// `None` when no job is transferring.
    pub fn next_completion_second(&self) -> Option<i64> {
        let Reverse(first) = self.active.peek()?;
        let rate = self.rate(self.active.len());
        let completion = self.now + (first.finish_tag_bytes - self.virtual_bytes) / rate;
        Some(self.origin_seconds + ceil_to_i64(completion - ROUNDING_SLACK_SECONDS))
    }

    /// Lets time pass up to `until_seconds`: every arrival at or before it and every
    /// completion whose (rounded) second is at or before it happens, in time order
    /// (a completion before an arrival at the same instant). `done(job, second)` is
    /// called for each completion, in order.
    pub fn advance(&mut self, until_seconds: i64, done: &mut impl FnMut(u32, i64)) {
        loop {
            if self.active.is_empty() {
                // Nothing transfers, so nothing waits (a job waits only while its group
                // has an active one): the next event is the next arrival.
                let Some(&(arrival_seconds, _)) = self.arriving.front() else {
                    return;
                };
                if arrival_seconds > until_seconds {
                    return;
                }
                // No tag is outstanding, so the virtual clock may restart. If the next job
                // has not arrived yet, the link idles until it does and a new busy period
                // starts there.
                self.virtual_bytes = 0.0;
                if (arrival_seconds - self.origin_seconds) as f64 > self.now {
                    self.origin_seconds = arrival_seconds;
                    self.now = 0.0;
                }
            }
            // Every job that has arrived starts, or queues behind its group's active jobs.
            while let Some(&(arrival_seconds, job)) = self.arriving.front() {
                if (arrival_seconds - self.origin_seconds) as f64 > self.now {
                    break;
                }
                self.arriving.pop_front();
                let group = self.jobs[job].group as usize;
                if self.group_active[group] < self.max_active {
                    self.start(job);
                } else {
                    if self.queue_tail[group] == NONE {
                        self.queue_head[group] = job;
                    } else {
                        self.jobs[self.queue_tail[group]].next_waiting = job;
                    }
                    self.queue_tail[group] = job;
                }
            }

            let k = self.active.len();
            let rate = self.rate(k);
            let Reverse(first) = *self.active.peek().expect("a busy link has an active job");
            let completion = self.now + (first.finish_tag_bytes - self.virtual_bytes) / rate;
            let arrival = self
                .arriving
                .front()
                .map(|&(seconds, _)| (seconds - self.origin_seconds) as f64);
            let until = (until_seconds.saturating_sub(self.origin_seconds)) as f64;
            match arrival {
                // Strictly earlier: at a tie the completion goes first, which frees a slot
                // for a job that has waited before the new arrival is considered.
                Some(arrival) if arrival < completion => {
                    if arrival > until {
                        return;
                    }
                    // `min`: rounding must not carry the clock past the first tag.
                    self.virtual_bytes = (self.virtual_bytes + rate * (arrival - self.now))
                        .min(first.finish_tag_bytes);
                    self.now = arrival;
                }
                _ => {
                    let second =
                        self.origin_seconds + ceil_to_i64(completion - ROUNDING_SLACK_SECONDS);
                    if second > until_seconds {
                        return;
                    }
                    self.active.pop();
                    self.now = completion;
                    self.virtual_bytes = first.finish_tag_bytes;
                    done(first.job, second);
                    let group = self.jobs[first.job].group as usize;
                    self.jobs.release(first.job);
                    self.group_active[group] -= 1;
                    let waiting = self.queue_head[group];
                    if waiting != NONE {
                        self.queue_head[group] = self.jobs[waiting].next_waiting;
                        if self.queue_head[group] == NONE {
                            self.queue_tail[group] = NONE;
                        }
                        self.start(waiting);
                    }
                }
            }
        }
    }

    /// Starts `job` now.
    fn start(&mut self, job: u32) {
        let Job {
            size_bytes,
            seq,
            group,
            ..
        } = self.jobs[job];
        self.group_active[group as usize] += 1;
        self.active.push(Reverse(Active {
            finish_tag_bytes: self.virtual_bytes + size_bytes as f64,
            seq,
            job,
        }));
    }
}

/// `x.ceil() as i64` (saturating, NaN to 0), without the library call that `ceil` is on
/// baseline x86-64: the event loop asks each link for its next completion at every step.
fn ceil_to_i64(x: f64) -> i64 {
    let truncated = x as i64;
    if (truncated as f64) < x {
        truncated.saturating_add(1)
    } else {
        truncated
    }
}

#[cfg(test)]
mod tests;
