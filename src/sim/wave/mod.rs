//! The restore wave of a region outage: restore jobs compete for per-account slots and
//! share one regional restore throughput by prioritised processor sharing.
//!
//! When a region is lost, every resource restores in the DR region at about the same
//! moment (`DESIGN.md`, disasters and restore pipeline). Given every restore job's
//! account, class, ready second, phase lengths, size and cap, [`Wave::run`] returns the
//! second each job took a slot and the second it released it. The caller builds the jobs
//! (which point is restored, how long retrieval and the restore process take, how fast
//! the resource restores) and turns the seconds into RTOs; this module knows nothing of
//! AWS, resources or random numbers, does no I/O and draws nothing.
//!
//! # Model
//!
//! - **Jobs and phases.** A job holds one slot of its account for three consecutive
//!   phases: *setup* (`setup_seconds`, e.g. retrieval from cold storage), *transfer*
//!   (`size_bytes` at the job's current rate) and *finish* (`finish_seconds`, e.g. the
//!   restore process and validation). Only the transfer phase uses bandwidth.
//! - **Concurrency.** At most `per_account_limit` jobs of one account hold a slot at once.
//!   A job waits until it is ready and a slot of its account is free; an account's waiting
//!   jobs start in order of (class priority, ready second, input index), so a job of a
//!   more urgent class that becomes ready later overtakes less urgent ones still waiting.
//!   A slot freed at an instant goes to the first such job ready at that instant. AWS
//!   publishes per-account restore-job limits for a few types only (Timestream 1, EKS 5;
//!   `reference/aws-backup-facts.md` §9): the limit is a scenario parameter.
//! - **Caps.** A job never transfers faster than its cap, the smaller of its own
//!   `cap_bytes_per_second` (restore throughput differs from resource to resource; the
//!   caller draws it) and its class's (a ceiling common to the class; `f64::INFINITY`
//!   for either means none).
//! - **Sharing.** At every instant the transferring jobs share the regional throughput
//!   `B` by strict priority across priority levels and max-min fairness within a level
//!   (Bertsekas & Gallager, *Data Networks*, 2nd ed. 1992, §6.5.2: water-filling with
//!   per-job caps): the jobs of priority 0 receive their max-min fair allocation of `B`,
//!   job `i` the rate `min(capᵢ, θ)` for the fair level `θ` with `Σ min(capᵢ, θ) = B`, or
//!   every job its cap when the caps sum to at most `B`; what their caps leave unused
//!   goes to priority 1, and so on. Within one priority this is egalitarian processor
//!   sharing (Kleinrock, "Time-shared systems: a theoretical analysis", JACM 14(2), 1967)
//!   with rate ceilings; across priorities it is the preemptive-resume priority
//!   discipline (Kleinrock, *Queueing Systems* vol. II, 1976, ch. 3) applied to
//!   bandwidth. A lower priority transfer may receive nothing for a while; it keeps its
//!   slot and its progress.
//! - **Units.** Seconds are whole (`i64`, any origin); sizes are bytes (`u64`); bandwidth
//!   and caps are bytes per second as `f64` (shares are fractional anyway). AWS publishes
//!   no restore throughput (facts §11): `B` and the caps are scenario parameters.
//! - **Rounding.** Reported seconds are the first whole second at or after the exact
//!   instant, `⌈t − 1 µs⌉` ([`ROUNDING_SLACK_SECONDS`], as in `sim::link`). Internally
//!   every instant is exact (up to floating point): a job that starts at a fractional
//!   instant ends its whole-second setup a whole number of seconds later, so successive
//!   jobs on one slot do not accumulate rounding.
//! - **Simultaneity.** Instants less than [`SIMULTANEOUS_SECONDS`] (0.1 µs) apart are one
//!   instant: when the rates change, a transfer that would complete within 0.1 µs at its
//!   old rate completes then, and a job ready within 0.1 µs after a slot frees may take
//!   it. Instants that coincide in exact arithmetic (a transfer's end and a more urgent
//!   job's setup end, say) can land an ulp apart in floating point, in either order;
//!   without this, the more urgent transfer would take all the bandwidth and leave the
//!   other with a crumb of bytes for as long as it runs.
//!
//! Not modelled: a region-wide limit on concurrent restore jobs (only per-account
//! limits), bandwidth used by the setup and finish phases, a job's own throughput varying
//! during its transfer (its cap is one number; its rate changes only through sharing),
//! and failed or retried restores.
//!
//! # Method
//!
//! Event-driven over readiness, phase ends and transfer completions. Setup and finish
//! ends are timers in one min-heap of instants. Each account's queue is a cursor per
//! (account, priority) run of the jobs sorted by (account, priority, ready second,
//! index): the head of the first run whose head is ready is the next job to start.
//! Readiness is a cursor into the jobs sorted by (ready second, index).
//!
//! Bandwidth is shared level by level, in priority order: level `p` receives `Rₚ`, what
//! the more urgent levels leave of `B`, and splits its transferring jobs by its fair
//! level `θ` into two sets.
//!
//! - *Capped* jobs (`capᵢ ≤ θ`) run at their own cap, a fixed rate while they stay
//!   capped, so each keeps a fixed finish instant `now + remaining / capᵢ`. The set keeps
//!   the sum of its caps, a min-heap by finish instant (its next completion) and a
//!   max-heap by cap (the first job to leave it when `θ` falls).
//! - *Fair* jobs (`capᵢ ≥ θ`) all run at `θ = (Rₚ − Σ capped caps) / |fair|`. As in
//!   `sim::link` and fair-queueing schedulers (Demers, Keshav & Shenker, SIGCOMM 1989;
//!   Parekh & Gallager, "A generalized processor sharing approach…", IEEE/ACM ToN 1993),
//!   they share one virtual clock `V` (bytes received by each fair job since the set was
//!   last empty) and a min-heap of finish tags `V + remaining`: the set's next completion
//!   is `now + (min tag − V) / θ`. A min-heap by cap gives the first job to leave it when
//!   `θ` rises.
//!
//! A level uses `Σ capped caps + |fair|·θ`: all of `Rₚ` when a job is fair, its caps'
//! sum otherwise. When a level's transfers or its `Rₚ` change, it is rebalanced at that
//! instant in two passes. First, while the largest capped cap exceeds `θ` (or, with no
//! fair job, the capped caps exceed `Rₚ`), that job turns fair with tag `V + capᵢ·(finish
//! − now)`; each such move raises `θ` to below the moved cap. Then, while the smallest
//! fair cap is below `θ`, that job turns capped with finish `now + (tag − V) / capᵢ`;
//! each such move raises `θ` further. Afterwards every capped cap is at most `θ` and
//! every fair cap at least `θ`: the water-filling allocation, exactly. The caps' sum and
//! the set sizes are running counts. Every heap entry carries its job's stamp, bumped
//! whenever the job enters or leaves a set: an entry with an outdated stamp is dropped
//! when it reaches the top (lazy deletion), and a heap is compacted when its outdated
//! entries outnumber its live ones. Levels are visited in priority order whenever
//! transfers change; one whose transfers and `Rₚ` are unchanged costs O(1).
//!
//! Cost: O(n log n) for the two sorts, O(log n) per event plus O(P) per instant at which
//! transfers change (`P` priority levels) and per slot assignment (`P` of the account),
//! with at most 4n events (readiness, setup end, transfer completion, finish end), plus
//! O(log n) amortised per move between the capped and fair sets. A job moves only when
//! its level's fair level crosses its cap. That is rare when caps lie far from the fair
//! level (many jobs sharing `B`, or few jobs far below it), but not bounded per event: a
//! wave whose fair level swings back and forth across many jobs' caps (a more urgent,
//! uncapped transfer starting and ending between them, say) moves each of them every
//! time, O(k log n) for `k` such jobs. No allocation once the wave's buffers have grown
//! to the largest input seen.
//!
//! Time is an `f64` offset in seconds from the earliest ready second of the run: whole
//! seconds are exact up to 2⁵³ s, and other instants carry a relative error of about
//! 2⁻⁵³ per event, far below the rounding slack for any realistic wave. At one instant
//! events are handled one at a time in a fixed order: transfer completions (lowest job
//! index first), then timers (by job index), then readiness (by ready second, index).
//! Arithmetic is plain IEEE `+ − × ÷` in a fixed order, every heap is keyed uniquely, and
//! no hash map is used: the same input gives the same output bit for bit.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use super::link::ROUNDING_SLACK_SECONDS;
use super::trial::ceil_non_negative;

/// Instants closer than this, in seconds, are one instant: a transfer within this time of
/// completing when the rates change completes then, and a job ready this close after a
/// slot frees may take it. A tenth of [`ROUNDING_SLACK_SECONDS`]. See the module docs.
pub const SIMULTANEOUS_SECONDS: f64 = 1e-7;

/// A class of restore jobs: jobs of one class have the same priority and a common
/// ceiling on each job's rate (a resource type of one tier, say).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Class {
    /// Most bytes per second one job of the class receives, whatever its own cap (> 0;
    /// `f64::INFINITY` when uncapped).
    pub cap_bytes_per_second: f64,
    /// Priority level: 0 is served first, both for slots and for bandwidth.
    pub priority: u8,
}

/// One restore job of a wave.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RestoreJob {
    /// Concurrency group (an account): any `u32`, need not be dense.
    pub account: u32,
    /// Index into the classes passed to [`Wave::run`].
    pub class: u16,
    /// Earliest second at which the job may take a slot (any origin; the output uses the
    /// same).
    pub ready_seconds: i64,
    /// Seconds holding the slot before the transfer (retrieval), ≥ 0.
    pub setup_seconds: i64,
    /// Bytes to transfer; zero is allowed (the transfer phase takes no time). Converted
    /// to `f64`, exact up to 2^53 bytes (8 PiB).
    pub size_bytes: u64,
    /// Most bytes per second this job receives (> 0; `f64::INFINITY` when uncapped). Its
    /// cap is the smaller of this and its class's.
    pub cap_bytes_per_second: f64,
    /// Seconds holding the slot after the transfer (restore process), ≥ 0.
    pub finish_seconds: i64,
}

/// A restore wave: regional bandwidth, per-account limit, and the buffers one
/// [`Wave::run`] reuses for the next.
///
/// Reuse one `Wave` for many runs (one per trial, say): once its buffers have grown to
/// the largest input seen, runs allocate nothing.
#[derive(Debug, Clone)]
pub struct Wave {
    /// Regional restore throughput `B`, bytes per second (finite, > 0).
    bandwidth_bytes_per_second: f64,
    /// Most jobs of one account holding a slot at once; `usize::MAX` when unlimited.
    per_account_limit: usize,
    /// (account, priority, ready second, input index) of every job, sorted: each
    /// account's queue, as consecutive runs of one priority.
    queue: Vec<(u32, u8, i64, u32)>,
    /// One per (account, priority) run of `queue`.
    runs: Vec<Run>,
    /// One per distinct account, in account order.
    accounts: Vec<Account>,
    /// Per input index: the job's position in `accounts`.
    account_of: Vec<u32>,
    /// (ready second, input index) of every job, sorted: readiness events.
    ready_order: Vec<(i64, u32)>,
    /// The distinct priorities of this run's classes, ascending: level `l` serves
    /// `priorities[l]`.
    priorities: Vec<u8>,
    /// Per input index: the job's cap, level and transfer state.
    transfers: Vec<Transfer>,
    /// Per level (the first `priorities.len()` entries are this run's; never shrunk, so
    /// their heaps keep their capacity).
    levels: Vec<Level>,
    /// Phase ends (setup and finish), earliest on top.
    timers: BinaryHeap<Reverse<Timer>>,
}

/// The jobs of one (account, priority) run not yet started: `queue[next..end]`.
#[derive(Debug, Clone, Copy)]
struct Run {
    next: u32,
    end: u32,
}

/// One account: slots held now and its runs, `runs[first_run..end_run]`, most urgent
/// first.
#[derive(Debug, Clone, Copy)]
struct Account {
    held: usize,
    first_run: u32,
    end_run: u32,
}

/// One job's bandwidth state.
#[derive(Debug, Clone, Copy)]
struct Transfer {
    /// The smaller of the job's cap and its class's, bytes per second.
    cap: f64,
    /// While fair: its finish tag (bytes of the level's virtual clock). While capped: its
    /// finish instant (seconds since the run's origin).
    key: f64,
    /// Bumped whenever the job enters or leaves a set: heap entries with another stamp
    /// are outdated.
    stamp: u32,
    /// Index into `levels`.
    level: u8,
}

/// A heap entry: a key (tag, instant or cap) of one job as of its stamp.
#[derive(Debug, Clone, Copy)]
struct Entry {
    key: f64,
    job: u32,
    stamp: u32,
}

impl Ord for Entry {
    /// By key (`total_cmp`), then input index, then stamp: a fixed order for equal keys.
    fn cmp(&self, other: &Self) -> Ordering {
        self.key
            .total_cmp(&other.key)
            .then(self.job.cmp(&other.job))
            .then(self.stamp.cmp(&other.stamp))
    }
}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

/// Heap entries wrapped as [`Entry`] (max-heap) or `Reverse<Entry>` (min-heap).
trait Keyed: Ord + Copy {
    fn entry(self) -> Entry;
}

impl Keyed for Entry {
    #[inline]
    fn entry(self) -> Entry {
        self
    }
}

impl Keyed for Reverse<Entry> {
    #[inline]
    fn entry(self) -> Entry {
        self.0
    }
}

#[inline]
fn is_live(entry: Entry, transfers: &[Transfer]) -> bool {
    transfers[entry.job as usize].stamp == entry.stamp
}

/// The top live entry of `heap`, dropping outdated ones above it.
#[inline]
fn live_top<T: Keyed>(heap: &mut BinaryHeap<T>, transfers: &[Transfer]) -> Option<Entry> {
    while let Some(&top) = heap.peek() {
        if is_live(top.entry(), transfers) {
            return Some(top.entry());
        }
        heap.pop();
    }
    None
}

/// Pushes `item` onto a heap of `live` live entries (counting `item`), first dropping
/// every outdated entry once they outnumber the live ones: O(1) amortised per push.
#[inline]
fn push_entry<T: Keyed>(heap: &mut BinaryHeap<T>, item: T, live: u32, transfers: &[Transfer]) {
    if heap.len() >= 2 * live as usize + 16 {
        heap.retain(|&e| is_live(e.entry(), transfers));
    }
    heap.push(item);
}

/// The transferring jobs of one priority level: the capped and the fair set.
#[derive(Debug, Clone, Default)]
struct Level {
    /// `Rₚ`: bytes per second the more urgent levels leave (as of the last allocation).
    available: f64,
    /// Its transfers changed since the last allocation.
    dirty: bool,
    /// Jobs in the capped set.
    capped_count: u32,
    /// Sum of the capped jobs' caps (0 when there are none).
    capped_sum: f64,
    /// Capped jobs by finish instant, earliest on top.
    capped_ends: BinaryHeap<Reverse<Entry>>,
    /// Capped jobs by cap, largest on top.
    capped_caps: BinaryHeap<Entry>,
    /// Jobs in the fair set.
    fair_count: u32,
    /// `θ`, the rate of each fair job (valid while there is one).
    fair_rate: f64,
    /// Bytes each fair job has received since the set was last empty, as of
    /// `clock_seconds` in [`Wave::run`].
    virtual_bytes: f64,
    /// Fair jobs by finish tag, smallest on top.
    fair_tags: BinaryHeap<Reverse<Entry>>,
    /// Fair jobs by cap, smallest on top.
    fair_caps: BinaryHeap<Reverse<Entry>>,
}

impl Level {
    fn reset(&mut self) {
        self.available = 0.0;
        self.dirty = false;
        self.capped_count = 0;
        self.capped_sum = 0.0;
        self.capped_ends.clear();
        self.capped_caps.clear();
        self.fair_count = 0;
        self.fair_rate = 0.0;
        self.virtual_bytes = 0.0;
        self.fair_tags.clear();
        self.fair_caps.clear();
    }

    fn is_idle(&self) -> bool {
        self.capped_count == 0 && self.fair_count == 0
    }

    /// `θ` for the current sets (some job is fair): what the capped jobs leave of `Rₚ`,
    /// shared equally. Negative when the capped caps exceed `Rₚ`.
    #[inline]
    fn fair_level(&self) -> f64 {
        (self.available - self.capped_sum) / f64::from(self.fair_count)
    }

    /// Adds `job` to the capped set, finishing at `end_seconds`.
    fn enter_capped(&mut self, job: u32, end_seconds: f64, transfers: &mut [Transfer]) {
        let transfer = &mut transfers[job as usize];
        transfer.stamp = transfer.stamp.wrapping_add(1);
        transfer.key = end_seconds;
        let (cap, stamp) = (transfer.cap, transfer.stamp);
        self.capped_count += 1;
        self.capped_sum += cap;
        let live = self.capped_count;
        let end = Entry {
            key: end_seconds,
            job,
            stamp,
        };
        push_entry(&mut self.capped_ends, Reverse(end), live, transfers);
        let by_cap = Entry { key: cap, ..end };
        push_entry(&mut self.capped_caps, by_cap, live, transfers);
    }

    /// Adds `job` to the fair set with `remaining_bytes` to go.
    fn enter_fair(&mut self, job: u32, remaining_bytes: f64, transfers: &mut [Transfer]) {
        let transfer = &mut transfers[job as usize];
        transfer.stamp = transfer.stamp.wrapping_add(1);
        transfer.key = self.virtual_bytes + remaining_bytes;
        let (cap, tag, stamp) = (transfer.cap, transfer.key, transfer.stamp);
        self.fair_count += 1;
        let live = self.fair_count;
        let by_tag = Entry {
            key: tag,
            job,
            stamp,
        };
        push_entry(&mut self.fair_tags, Reverse(by_tag), live, transfers);
        let by_cap = Entry { key: cap, ..by_tag };
        push_entry(&mut self.fair_caps, Reverse(by_cap), live, transfers);
    }

    /// Removes `job` from the capped set (its heap entries become outdated); returns its
    /// finish instant.
    fn leave_capped(&mut self, job: u32, transfers: &mut [Transfer]) -> f64 {
        let transfer = &mut transfers[job as usize];
        transfer.stamp = transfer.stamp.wrapping_add(1);
        self.capped_count -= 1;
        if self.capped_count == 0 {
            // No drift of the running sum survives an empty set.
            self.capped_sum = 0.0;
            self.capped_ends.clear();
            self.capped_caps.clear();
        } else {
            self.capped_sum -= transfer.cap;
        }
        transfer.key
    }

    /// Removes `job` from the fair set (its heap entries become outdated); returns its
    /// finish tag. The caller sets the virtual clock if the set is still not empty.
    fn leave_fair(&mut self, job: u32, transfers: &mut [Transfer]) -> f64 {
        let transfer = &mut transfers[job as usize];
        transfer.stamp = transfer.stamp.wrapping_add(1);
        self.fair_count -= 1;
        let tag = transfer.key;
        if self.fair_count == 0 {
            self.virtual_bytes = 0.0;
            self.fair_tags.clear();
            self.fair_caps.clear();
        }
        tag
    }

    /// Adds `job`, starting its transfer of `size_bytes` at `now`, to the set the current
    /// allocation puts it in (the level is rebalanced before time moves on anyway).
    fn start(&mut self, job: u32, size_bytes: f64, now: f64, transfers: &mut [Transfer]) {
        let cap = transfers[job as usize].cap;
        let capped = if self.fair_count > 0 {
            cap < self.fair_rate
        } else {
            self.capped_sum + cap <= self.available
        };
        if capped {
            self.enter_capped(job, now + size_bytes / cap, transfers);
        } else {
            self.enter_fair(job, size_bytes, transfers);
        }
        self.dirty = true;
    }

    /// Moves jobs between the sets until every capped cap is at most `θ` and every fair
    /// cap at least `θ`, at `now` (the virtual clock must be current), and sets `θ`.
    fn rebalance(&mut self, now: f64, transfers: &mut [Transfer]) {
        // Capped jobs whose cap exceeds θ turn fair, largest first. Moving cap `c > θ`
        // makes θ the mean of the old θ (|fair| times) and `c`: higher, still below `c`.
        while self.capped_count > 0 {
            let top = live_top(&mut self.capped_caps, transfers).expect("a capped job");
            let over = if self.fair_count == 0 {
                self.capped_sum > self.available
            } else {
                top.key > self.fair_level()
            };
            if !over {
                break;
            }
            self.capped_caps.pop();
            let end_seconds = self.leave_capped(top.job, transfers);
            // Within 0.1 µs of its end it is done (module docs, simultaneity).
            let remaining_bytes = if end_seconds - now <= SIMULTANEOUS_SECONDS {
                0.0
            } else {
                top.key * (end_seconds - now)
            };
            self.enter_fair(top.job, remaining_bytes, transfers);
        }
        // Fair jobs whose cap is below θ turn capped, smallest first; each move raises θ,
        // so the capped caps stay at most θ.
        while self.fair_count > 0 {
            let top = live_top(&mut self.fair_caps, transfers).expect("a fair job");
            if top.key >= self.fair_level() {
                break;
            }
            self.fair_caps.pop();
            let virtual_bytes = self.virtual_bytes;
            let tag = self.leave_fair(top.job, transfers);
            let remaining_bytes = (tag - virtual_bytes).max(0.0);
            self.enter_capped(top.job, now + remaining_bytes / top.key, transfers);
        }
        self.fair_rate = if self.fair_count > 0 {
            self.fair_level().max(0.0)
        } else {
            0.0
        };
    }

    /// Bandwidth left for the next level, of the `Rₚ` this one received.
    #[inline]
    fn leftover(&self) -> f64 {
        if self.fair_count > 0 {
            0.0
        } else {
            (self.available - self.capped_sum).max(0.0)
        }
    }
}

/// Which set a completing transfer is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Set {
    Capped,
    Fair,
}

/// The next transfer completion: instant, job, its level and set.
#[derive(Debug, Clone, Copy)]
struct Completion {
    at_seconds: f64,
    job: u32,
    level: usize,
    set: Set,
}

impl Completion {
    const NONE: Completion = Completion {
        at_seconds: f64::INFINITY,
        job: u32::MAX,
        level: 0,
        set: Set::Fair,
    };

    /// Earlier instant, then lower job index.
    #[inline]
    fn precedes(&self, other: &Completion) -> bool {
        (self.at_seconds, self.job) < (other.at_seconds, other.job)
    }
}

/// Which phase a timer ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Setup,
    Finish,
}

/// The end of a job's setup or finish phase.
#[derive(Debug, Clone, Copy)]
struct Timer {
    /// Seconds since the run's origin.
    at_seconds: f64,
    job: u32,
    phase: Phase,
}

impl Ord for Timer {
    /// By instant (`total_cmp`), then input index (a job has one timer at a time).
    fn cmp(&self, other: &Self) -> Ordering {
        self.at_seconds
            .total_cmp(&other.at_seconds)
            .then(self.job.cmp(&other.job))
            .then(self.phase.cmp(&other.phase))
    }
}

impl PartialOrd for Timer {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Timer {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Timer {}

/// The reported second of an instant `seconds` (≥ 0) after `origin_seconds`: rounded up,
/// less the slack.
#[inline]
fn reported(origin_seconds: i64, seconds: f64) -> i64 {
    origin_seconds + ceil_non_negative((seconds - ROUNDING_SLACK_SECONDS).max(0.0)) as i64
}

impl Wave {
    /// A wave sharing `bandwidth_bytes_per_second` among its transfers, each account
    /// holding at most `per_account_limit` slots (`None`: unlimited).
    ///
    /// # Panics
    ///
    /// If the bandwidth is not finite and positive, or the limit is `Some(0)`: a resolved
    /// model never asks for such a wave.
    pub fn new(bandwidth_bytes_per_second: f64, per_account_limit: Option<usize>) -> Wave {
        assert!(
            bandwidth_bytes_per_second.is_finite() && bandwidth_bytes_per_second > 0.0,
            "wave bandwidth must be finite and positive, got {bandwidth_bytes_per_second}"
        );
        let per_account_limit = per_account_limit.unwrap_or(usize::MAX);
        assert!(
            per_account_limit > 0,
            "per_account_limit must be at least 1"
        );
        Wave {
            bandwidth_bytes_per_second,
            per_account_limit,
            queue: Vec::new(),
            runs: Vec::new(),
            accounts: Vec::new(),
            account_of: Vec::new(),
            ready_order: Vec::new(),
            priorities: Vec::new(),
            transfers: Vec::new(),
            levels: Vec::new(),
            timers: BinaryHeap::new(),
        }
    }

    /// Writes, in input order, each job's `(start_seconds, done_seconds)` to `out` (cleared
    /// first; its length becomes `jobs.len()`): `start` is when the job took a slot,
    /// `done` the end of its finish phase, when it released the slot.
    ///
    /// `ready_seconds ≤ start ≤ done`, and `done ≥ start + setup + finish`.
    ///
    /// # Panics
    ///
    /// If a job's class index is out of range, a class's or job's cap is not positive (or
    /// NaN), a setup or finish is negative, or there are more than `u32::MAX` jobs.
    pub fn run(&mut self, classes: &[Class], jobs: &[RestoreJob], out: &mut Vec<(i64, i64)>) {
        assert!(
            u32::try_from(jobs.len()).is_ok(),
            "a wave takes at most u32::MAX jobs, got {}",
            jobs.len()
        );
        out.clear();
        out.resize(jobs.len(), (0, 0));
        let Some(origin_seconds) = jobs.iter().map(|job| job.ready_seconds).min() else {
            return;
        };
        self.prepare(classes, jobs);
        let level_count = self.priorities.len();

        // `now` counts seconds from `origin_seconds`. The virtual clocks and rates are
        // valid as of `clock_seconds`; `stale` says the set of transfers changed at `now`
        // (then `clock_seconds == now`) and the rates must be recomputed before time
        // moves on.
        let mut now = 0.0_f64;
        let mut clock_seconds = 0.0_f64;
        let mut stale = false;
        let mut completion = Completion::NONE;
        // The next readiness event: position in `ready_order`.
        let mut next_ready = 0;
        loop {
            if stale {
                debug_assert!(clock_seconds == now);
                self.allocate(level_count, now);
                completion = self.next_completion(level_count, clock_seconds);
                stale = false;
            }
            let ready_at = self
                .ready_order
                .get(next_ready)
                .map_or(f64::INFINITY, |&(seconds, _)| {
                    (seconds - origin_seconds) as f64
                });
            let timer_at = self
                .timers
                .peek()
                .map_or(f64::INFINITY, |Reverse(timer)| timer.at_seconds);

            if completion.at_seconds <= timer_at && completion.at_seconds <= ready_at {
                if completion.at_seconds == f64::INFINITY {
                    break;
                }
                // A transfer completes: its finish phase starts.
                now = completion.at_seconds;
                self.advance(level_count, &mut clock_seconds, now);
                self.complete(completion);
                stale = true;
                let job = completion.job;
                let finish = jobs[job as usize].finish_seconds as f64;
                self.timers.push(Reverse(Timer {
                    at_seconds: now + finish,
                    job,
                    phase: Phase::Finish,
                }));
            } else if timer_at <= ready_at {
                let Reverse(timer) = self.timers.pop().expect("a timer is due");
                now = timer.at_seconds;
                let job = &jobs[timer.job as usize];
                match timer.phase {
                    Phase::Setup if job.size_bytes == 0 => {
                        self.timers.push(Reverse(Timer {
                            at_seconds: now + job.finish_seconds as f64,
                            job: timer.job,
                            phase: Phase::Finish,
                        }));
                    }
                    Phase::Setup => {
                        self.advance(level_count, &mut clock_seconds, now);
                        let level = usize::from(self.transfers[timer.job as usize].level);
                        self.levels[level].start(
                            timer.job,
                            job.size_bytes as f64,
                            now,
                            &mut self.transfers,
                        );
                        stale = true;
                    }
                    Phase::Finish => {
                        out[timer.job as usize].1 = reported(origin_seconds, now);
                        let account = self.account_of[timer.job as usize] as usize;
                        self.accounts[account].held -= 1;
                        self.fill(account, origin_seconds, now, jobs, out);
                    }
                }
            } else {
                // A job becomes ready; it starts now if its account has a free slot (or
                // has started already, if an earlier event at this instant filled one).
                now = ready_at;
                let job = self.ready_order[next_ready].1;
                next_ready += 1;
                let account = self.account_of[job as usize] as usize;
                self.fill(account, origin_seconds, now, jobs, out);
            }
        }
        debug_assert!(self.timers.is_empty());
        debug_assert!(self.accounts.iter().all(|account| account.held == 0));
        debug_assert!(self.levels[..level_count].iter().all(Level::is_idle));
    }

    /// Sorts the jobs into account queues and readiness order, and resets the levels.
    fn prepare(&mut self, classes: &[Class], jobs: &[RestoreJob]) {
        for (index, class) in classes.iter().enumerate() {
            assert!(
                class.cap_bytes_per_second > 0.0,
                "class {index}: cap must be positive, got {}",
                class.cap_bytes_per_second
            );
        }
        self.priorities.clear();
        self.priorities
            .extend(classes.iter().map(|class| class.priority));
        self.priorities.sort_unstable();
        self.priorities.dedup();

        // Sized to the wave once, not grown by doubling: they are kept for the next wave.
        self.queue.clear();
        self.queue.reserve_exact(jobs.len());
        self.transfers.clear();
        self.transfers.reserve_exact(jobs.len());
        for (index, job) in jobs.iter().enumerate() {
            let Some(class) = classes.get(usize::from(job.class)) else {
                panic!(
                    "job {index}: class {} out of range ({} classes)",
                    job.class,
                    classes.len()
                );
            };
            assert!(
                job.setup_seconds >= 0 && job.finish_seconds >= 0,
                "job {index}: negative setup ({}) or finish ({})",
                job.setup_seconds,
                job.finish_seconds
            );
            assert!(
                job.cap_bytes_per_second > 0.0,
                "job {index}: cap must be positive, got {}",
                job.cap_bytes_per_second
            );
            self.queue
                .push((job.account, class.priority, job.ready_seconds, index as u32));
            let level = self
                .priorities
                .binary_search(&class.priority)
                .expect("every class priority is a level");
            self.transfers.push(Transfer {
                cap: job.cap_bytes_per_second.min(class.cap_bytes_per_second),
                key: 0.0,
                stamp: 0,
                level: level as u8,
            });
        }
        // Keys are unique (the index), so the unstable sorts' results are fully determined.
        self.queue.sort_unstable();

        self.runs.clear();
        self.accounts.clear();
        self.account_of.clear();
        self.account_of.resize(jobs.len(), 0);
        let mut previous: Option<(u32, u8)> = None;
        for (position, &(account, priority, _, job)) in self.queue.iter().enumerate() {
            let position = position as u32;
            if previous.is_none_or(|(a, _)| a != account) {
                let first_run = self.runs.len() as u32;
                self.accounts.push(Account {
                    held: 0,
                    first_run,
                    end_run: first_run,
                });
            }
            let last_account = self.accounts.last_mut().expect("pushed above");
            if previous != Some((account, priority)) {
                self.runs.push(Run {
                    next: position,
                    end: position,
                });
                last_account.end_run += 1;
            }
            self.runs.last_mut().expect("pushed above").end += 1;
            self.account_of[job as usize] = (self.accounts.len() - 1) as u32;
            previous = Some((account, priority));
        }

        self.ready_order.clear();
        self.ready_order.extend(
            jobs.iter()
                .enumerate()
                .map(|(index, job)| (job.ready_seconds, index as u32)),
        );
        self.ready_order.sort_unstable();

        if self.levels.len() < self.priorities.len() {
            self.levels
                .resize_with(self.priorities.len(), Level::default);
        }
        for level in &mut self.levels[..self.priorities.len()] {
            level.reset();
        }
        self.timers.clear();
    }

    /// Starts waiting jobs of `account` that are ready at `now`, most urgent first, while
    /// it has a free slot: each takes the slot now and begins its setup.
    fn fill(
        &mut self,
        account: usize,
        origin_seconds: i64,
        now: f64,
        jobs: &[RestoreJob],
        out: &mut [(i64, i64)],
    ) {
        let Account {
            held,
            first_run,
            end_run,
        } = self.accounts[account];
        let mut held = held;
        'slots: while held < self.per_account_limit {
            for run in &mut self.runs[first_run as usize..end_run as usize] {
                if run.next == run.end {
                    continue;
                }
                // A run is sorted by ready second: if its head is not ready, none is.
                let (_, _, ready_seconds, job) = self.queue[run.next as usize];
                if (ready_seconds - origin_seconds) as f64 > now + SIMULTANEOUS_SECONDS {
                    continue;
                }
                run.next += 1;
                held += 1;
                out[job as usize].0 = reported(origin_seconds, now);
                // A zero setup is a timer too: every phase end is handled the same way.
                self.timers.push(Reverse(Timer {
                    at_seconds: now + jobs[job as usize].setup_seconds as f64,
                    job,
                    phase: Phase::Setup,
                }));
                continue 'slots;
            }
            break;
        }
        self.accounts[account].held = held;
    }

    /// Brings every level's virtual clock from `*clock_seconds` to `now` at the current
    /// rates (capped jobs keep their finish instants).
    fn advance(&mut self, level_count: usize, clock_seconds: &mut f64, now: f64) {
        let elapsed = now - *clock_seconds;
        if elapsed > 0.0 {
            for level in &mut self.levels[..level_count] {
                if level.fair_count == 0 {
                    continue;
                }
                let first = live_top(&mut level.fair_tags, &self.transfers).expect("a fair job");
                // Rounding must not carry the clock past the first tag, nor leave a crumb
                // that a new, more urgent transfer could starve for seconds.
                let rate = level.fair_rate;
                let virtual_bytes = level.virtual_bytes + rate * elapsed;
                level.virtual_bytes = if first.key - virtual_bytes <= rate * SIMULTANEOUS_SECONDS {
                    first.key
                } else {
                    virtual_bytes
                };
            }
        }
        *clock_seconds = now;
    }

    /// Recomputes the allocation at `now` (the virtual clocks must be current): each level
    /// in priority order receives what the more urgent ones leave of `B` and, if that or
    /// its transfers changed, is rebalanced.
    fn allocate(&mut self, level_count: usize, now: f64) {
        let mut left = self.bandwidth_bytes_per_second;
        for level in &mut self.levels[..level_count] {
            if level.is_idle() {
                level.available = left;
                level.dirty = false;
                continue;
            }
            if level.dirty || level.available.to_bits() != left.to_bits() {
                level.available = left;
                level.rebalance(now, &mut self.transfers);
                level.dirty = false;
            }
            left = level.leftover();
        }
    }

    /// The next transfer completion after the clocks' instant `clock_seconds` (lowest job
    /// index at a tie); [`Completion::NONE`] when nothing transfers.
    fn next_completion(&mut self, level_count: usize, clock_seconds: f64) -> Completion {
        let mut best = Completion::NONE;
        for (index, level) in self.levels[..level_count].iter_mut().enumerate() {
            if let Some(first) = live_top(&mut level.capped_ends, &self.transfers) {
                // One finishing within 0.1 µs finishes now (module docs, simultaneity).
                let at_seconds = if first.key - clock_seconds <= SIMULTANEOUS_SECONDS {
                    clock_seconds
                } else {
                    first.key
                };
                let candidate = Completion {
                    at_seconds,
                    job: first.job,
                    level: index,
                    set: Set::Capped,
                };
                if candidate.precedes(&best) {
                    best = candidate;
                }
            }
            if let Some(first) = live_top(&mut level.fair_tags, &self.transfers) {
                let remaining_bytes = first.key - level.virtual_bytes;
                // A starved level (rate 0) completes at ∞; one already at its tag, now.
                let at_seconds = if remaining_bytes <= 0.0 {
                    clock_seconds
                } else {
                    clock_seconds + remaining_bytes / level.fair_rate
                };
                let candidate = Completion {
                    at_seconds,
                    job: first.job,
                    level: index,
                    set: Set::Fair,
                };
                if candidate.precedes(&best) {
                    best = candidate;
                }
            }
        }
        best
    }

    /// Removes the completing transfer from its level (the clocks must be current).
    fn complete(&mut self, completion: Completion) {
        let level = &mut self.levels[completion.level];
        let transfers = &mut self.transfers;
        match completion.set {
            Set::Capped => {
                let first = live_top(&mut level.capped_ends, transfers);
                debug_assert_eq!(first.map(|e| e.job), Some(completion.job));
                level.capped_ends.pop();
                level.leave_capped(completion.job, transfers);
            }
            Set::Fair => {
                let first = live_top(&mut level.fair_tags, transfers);
                debug_assert_eq!(first.map(|e| e.job), Some(completion.job));
                level.fair_tags.pop();
                let tag = level.leave_fair(completion.job, transfers);
                if level.fair_count > 0 {
                    level.virtual_bytes = tag;
                }
            }
        }
        level.dirty = true;
    }
}

#[cfg(test)]
mod tests;
