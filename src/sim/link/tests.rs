//! Tests of the processor-sharing link against closed forms and an exact reference.

use std::collections::BTreeMap;

use super::*;
use crate::dist::{standard_exponential, uniform_index, unit_f64};
use crate::rng::{SimRng, Stream, stream};

const MIB: f64 = 1_048_576.0;

fn run(link: &mut Link, jobs: &[Transfer]) -> Vec<i64> {
    let mut out = Vec::new();
    link.run(jobs, &mut out);
    out
}

fn at(arrival_seconds: i64, size_bytes: u64) -> Transfer {
    Transfer {
        arrival_seconds,
        size_bytes,
        group: 0,
    }
}

/// The link's rounding of an exact instant to a whole second.
fn round_up(seconds: f64) -> i64 {
    (seconds - ROUNDING_SLACK_SECONDS).ceil() as i64
}

/// The shortcut against `f64::ceil`: edge values and a million random ones.
#[test]
fn ceil_to_i64_is_ceil() {
    let edges = [
        0.0,
        -0.0,
        0.5,
        -0.5,
        1.0,
        -1.0,
        1.0 - 1e-16,
        -1e-300,
        1e-300,
        2.5e15 + 0.5,
        4.5e15,
        9.007_199_254_740_993e15,
        -9.3e18,
        9.3e18,
        1e300,
        -1e300,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        f64::MAX,
        f64::MIN,
        i64::MAX as f64,
        i64::MIN as f64,
    ];
    for x in edges {
        assert_eq!(ceil_to_i64(x), x.ceil() as i64, "{x}");
    }
    let mut rng = stream(3, 1, 4, Stream::Copy);
    for _ in 0..1_000_000 {
        let x = (unit_f64(&mut rng) - 0.5) * 10f64.powi(uniform_index(&mut rng, 19) as i32);
        assert_eq!(ceil_to_i64(x), x.ceil() as i64, "{x}");
    }
}

#[test]
fn one_job_takes_size_over_min_of_bandwidth_and_cap() {
    let cases = [
        // (bandwidth, cap, arrival, size, expected completion)
        (100.0, None, 0, 1_000, 10),
        (100.0, Some(40.0), 0, 1_000, 25),
        (100.0, Some(400.0), 7, 1_000, 17),
        (100.0, None, -5, 1_001, 6), // 10.01 s, rounded up
        (100.0, None, 3, 0, 3),
        (
            2_000.0 * MIB,
            Some(500.0 * MIB),
            86_400,
            5_000 * 1_048_576,
            86_410,
        ),
    ];
    for (bandwidth, cap, arrival, size, expected) in cases {
        let mut link = Link::new(bandwidth, cap, None);
        assert_eq!(
            run(&mut link, &[at(arrival, size)]),
            [expected],
            "B {bandwidth}, cap {cap:?}, size {size}"
        );
    }
}

#[test]
fn empty_input_gives_empty_output() {
    let mut link = Link::new(100.0, None, Some(3));
    let mut out = vec![1, 2, 3];
    link.run(&[], &mut out);
    assert!(out.is_empty());
}

/// `performance.md` §1.6: n jobs starting together on an uncapped link, sizes sorted
/// s₁ ≤ … ≤ sₙ, finish at T_k = T_{k−1} + (s_k − s_{k−1})·(n − k + 1)/B.
fn simultaneous_closed_form(start: i64, sizes: &[u64], bandwidth: f64) -> Vec<i64> {
    let mut sorted: Vec<(u64, usize)> = sizes.iter().copied().zip(0..).collect();
    sorted.sort_unstable();
    let n = sizes.len();
    let mut finish = vec![0; n];
    let (mut t, mut previous) = (0.0, 0_u64);
    for (k, &(size, index)) in sorted.iter().enumerate() {
        t += (size - previous) as f64 * (n - k) as f64 / bandwidth;
        previous = size;
        finish[index] = start + round_up(t);
    }
    finish
}

#[test]
fn simultaneous_arrivals_match_the_closed_form() {
    // Sorted 100, 100, 300, 600, 1000 at 100 B/s: T = 5, 5, 11, 17, 21.
    let sizes = [300, 100, 1_000, 100, 600];
    let jobs: Vec<Transfer> = sizes.iter().map(|&s| at(50, s)).collect();
    let mut link = Link::new(100.0, None, None);
    assert_eq!(run(&mut link, &jobs), [61, 55, 71, 55, 67]);
    assert_eq!(
        simultaneous_closed_form(50, &sizes, 100.0),
        [61, 55, 71, 55, 67]
    );

    // Issue 4's check: N copies of size S together finish at N·S/B.
    // 40 × 10 GiB at 2,000 MiB/s: 409,600 MiB / 2,000 MiB/s = 204.8 s → second 205.
    let jobs = vec![at(0, 10 << 30); 40];
    let mut link = Link::new(2_000.0 * MIB, None, None);
    assert_eq!(run(&mut link, &jobs), vec![205; 40]);

    // Random sizes: the closed form and the simulation differ only by rounding error
    // (relative ~1e-15 on instants of ~1e3 s), so the rounded seconds agree exactly
    // unless an instant lies within ~1e-12 s of a rounding boundary.
    let mut rng = stream(4, 0, 0, Stream::Copy);
    for instance in 0..50 {
        let n = 1 + uniform_index(&mut rng, 200);
        let sizes: Vec<u64> = (0..n).map(|_| (unit_f64(&mut rng) * 2e9) as u64).collect();
        let jobs: Vec<Transfer> = sizes.iter().map(|&s| at(1_000, s)).collect();
        let bandwidth = 1e8 + unit_f64(&mut rng) * 1e9;
        let mut link = Link::new(bandwidth, None, None);
        assert_eq!(
            run(&mut link, &jobs),
            simultaneous_closed_form(1_000, &sizes, bandwidth),
            "instance {instance}"
        );
    }
}

#[test]
fn binding_cap_runs_every_job_at_the_cap() {
    // B = 1000, c = 200, 4 jobs: k·c ≤ 800 < B at all times, so each job runs alone
    // at 200 B/s: completion = arrival + size/200.
    let jobs = [at(0, 2_000), at(3, 1_000), at(4, 600), at(100, 50)];
    let mut link = Link::new(1_000.0, Some(200.0), None);
    assert_eq!(run(&mut link, &jobs), [10, 8, 7, 101]);

    // With max_active = 4 and 4·500 = 2,000 = B, the link is a 4-server FIFO queue
    // with service time size/c: start = max(arrival, earliest free server).
    let mut rng = stream(4, 0, 1, Stream::Copy);
    let mut jobs = Vec::new();
    let mut t = 0;
    for _ in 0..300 {
        t += uniform_index(&mut rng, 40) as i64;
        jobs.push(at(t, 500 * (1 + uniform_index(&mut rng, 200)) as u64));
    }
    let mut servers = [0_i64; 4];
    let expected: Vec<i64> = jobs
        .iter()
        .map(|job| {
            let free = servers.iter_mut().min().expect("four servers");
            *free = (*free).max(job.arrival_seconds) + (job.size_bytes / 500) as i64;
            *free
        })
        .collect();
    let mut link = Link::new(2_000.0, Some(500.0), Some(4));
    assert_eq!(run(&mut link, &jobs), expected);
}

#[test]
fn staggered_arrivals_hand_example() {
    // A: 1000 B at 0; B: 1000 B at 5; 100 B/s. A alone 0–5 sends 500; both at 50 B/s
    // until A is done at 15 (B has 500 by then); B alone at 100 B/s → done at 20.
    let mut link = Link::new(100.0, None, None);
    assert_eq!(run(&mut link, &[at(0, 1_000), at(5, 1_000)]), [15, 20]);
    // Same in the other input order, and shifted in time.
    assert_eq!(
        run(&mut link, &[at(1_005, 1_000), at(1_000, 1_000)]),
        [1_020, 1_015]
    );
    // An idle gap: the second busy period starts afresh.
    assert_eq!(
        run(&mut link, &[at(0, 1_000), at(5, 1_000), at(40, 300)]),
        [15, 20, 43]
    );
}

#[test]
fn one_slot_is_fifo() {
    // All at 0: completions are cumulative sums of size/B (ties by input index).
    let sizes = [500_u64, 100, 1_000, 100, 0, 300];
    let jobs: Vec<Transfer> = sizes.iter().map(|&s| at(0, s)).collect();
    let mut link = Link::new(100.0, None, Some(1));
    assert_eq!(run(&mut link, &jobs), [5, 6, 16, 17, 17, 20]);

    // Staggered: Lindley's recursion C_i = max(a_i, C_{i−1}) + s_i / min(B, c),
    // in order of arrival.
    let jobs = [
        at(10, 400),
        at(0, 300),
        at(2, 800),
        at(40, 200),
        at(12, 200),
    ];
    let mut link = Link::new(200.0, Some(100.0), Some(1));
    // Arrival order 0, 2, 10, 12, 40 → 3, 11, 15, 17, 42.
    assert_eq!(run(&mut link, &jobs), [15, 3, 11, 42, 17]);
}

#[test]
fn same_second_arrivals_start_by_input_index() {
    let mut link = Link::new(100.0, None, Some(1));
    assert_eq!(
        run(&mut link, &[at(0, 100), at(0, 100), at(0, 100)]),
        [1, 2, 3]
    );
    // A job that waited starts before one arriving at the instant a slot frees.
    assert_eq!(
        run(&mut link, &[at(0, 500), at(5, 100), at(3, 100)]),
        [5, 7, 6]
    );
}

/// The quota is per group (account): two jobs of one group with one slot run one after
/// the other (10 s each at the full 100 B/s); two jobs of different groups share the link
/// (both at 50 B/s, done at 20 s).
#[test]
fn the_concurrency_limit_holds_per_group() {
    let mut link = Link::new(100.0, None, Some(1));
    let same = [at(0, 1_000), at(0, 1_000)];
    assert_eq!(run(&mut link, &same), [10, 20]);
    let other = [
        at(0, 1_000),
        Transfer {
            group: 1,
            ..at(0, 1_000)
        },
    ];
    assert_eq!(run(&mut link, &other), [20, 20]);
    // A third job of group 0 waits for group 0's slot, not for group 1's job.
    let three = [
        at(0, 1_000),
        Transfer {
            group: 1,
            ..at(0, 3_000)
        },
        at(0, 500),
    ];
    // 0–20 s: jobs 0 and 1 at 50 B/s; job 0 done at 20 s (1,000 B). 20–30 s: jobs 2 and 1
    // at 50 B/s; job 2 done at 30 s. Job 1 has 3,000 − 1,500 = 1,500 B left at 100 B/s:
    // done at 45 s.
    assert_eq!(run(&mut link, &three), [20, 45, 30]);
}

#[test]
fn uncapped_busy_link_is_work_conserving() {
    // Without a cap the link sends at B whenever a job is active (any max_active).
    // Arrivals are drawn so that each comes before the work already offered is done:
    // the link never idles, so the last completion is first arrival + Σ size / B.
    let mut rng = stream(4, 0, 2, Stream::Copy);
    for instance in 0..100 {
        let bandwidth = 1e6 * (1 + uniform_index(&mut rng, 1_000)) as f64;
        let n = 1 + uniform_index(&mut rng, 300);
        let mut jobs = Vec::with_capacity(n);
        let (mut arrival, mut offered) = (1_000_000_i64, 0_u64);
        for _ in 0..n {
            let size = (unit_f64(&mut rng) * 1e10) as u64 + 1;
            jobs.push(at(arrival, size));
            offered += size;
            // Strictly before the offered work drains (one second of margin).
            let drained = 1_000_000 + (offered as f64 / bandwidth) as i64;
            arrival += uniform_index(&mut rng, (drained - arrival).max(1) as usize) as i64;
        }
        let max_active = [None, Some(1), Some(7)][instance % 3];
        let mut link = Link::new(bandwidth, None, max_active);
        let out = run(&mut link, &jobs);
        let last = *out.iter().max().expect("n ≥ 1");
        assert_eq!(
            last,
            1_000_000 + round_up(offered as f64 / bandwidth),
            "instance {instance}"
        );
    }
}

/// The reference: a plain event-driven simulation that tracks every job's remaining
/// bytes, recomputes the water-filling allocation (general per-job caps, Bertsekas &
/// Gallager §6.5.2) after every event, and steps to the next arrival or completion.
/// O(n²), no virtual clock, no heap. Returns exact completion instants.
fn reference(jobs: &[Transfer], bandwidth: f64, cap: f64, max_active: usize) -> Vec<f64> {
    let n = jobs.len();
    // Jobs not started yet, in FIFO order (arrival second, index).
    let mut waiting: Vec<usize> = (0..n).collect();
    waiting.sort_by_key(|&i| (jobs[i].arrival_seconds, i));
    let mut remaining: Vec<f64> = jobs.iter().map(|j| j.size_bytes as f64).collect();
    let mut active: Vec<usize> = Vec::new();
    let mut done = vec![f64::NAN; n];
    let mut t = f64::NEG_INFINITY;
    loop {
        // Fill free slots of each group with its arrived jobs, in FIFO order; a job with
        // nothing left finishes now.
        loop {
            let mut k = 0;
            while k < waiting.len() && jobs[waiting[k]].arrival_seconds as f64 <= t {
                let group = jobs[waiting[k]].group;
                if active.iter().filter(|&&a| jobs[a].group == group).count() < max_active {
                    active.push(waiting.remove(k));
                } else {
                    k += 1;
                }
            }
            let before = active.len();
            active.retain(|&i| {
                if remaining[i] > 0.0 {
                    return true;
                }
                done[i] = t;
                false
            });
            if active.len() == before {
                break;
            }
        }
        if active.is_empty() {
            // Nothing waits for a slot, so the first waiting job has not arrived yet.
            match waiting.first() {
                None => return done,
                Some(&i) => {
                    t = jobs[i].arrival_seconds as f64;
                    continue;
                }
            }
        }
        // Water-filling: in ascending order, a job whose cap is below an equal share
        // of what is left takes its cap; the others split the remainder equally.
        let mut caps: Vec<f64> = active.iter().map(|_| cap).collect();
        caps.sort_by(f64::total_cmp);
        let (mut left, mut unsatisfied) = (bandwidth, caps.len());
        let mut level = f64::INFINITY;
        for &c in &caps {
            if c <= left / unsatisfied as f64 {
                left -= c;
                unsatisfied -= 1;
            } else {
                level = left / unsatisfied as f64;
                break;
            }
        }
        let rates: Vec<f64> = active.iter().map(|_| cap.min(level)).collect();
        // Step to the next completion, or to the next arrival if it can start.
        let mut step = f64::INFINITY;
        for (&i, &r) in active.iter().zip(&rates) {
            step = step.min(remaining[i] / r);
        }
        if let Some(&i) = waiting
            .iter()
            .find(|&&i| jobs[i].arrival_seconds as f64 > t)
        {
            step = step.min(jobs[i].arrival_seconds as f64 - t);
        }
        for (&i, &r) in active.iter().zip(&rates) {
            remaining[i] = if remaining[i] / r <= step {
                0.0
            } else {
                remaining[i] - r * step
            };
        }
        t += step;
    }
}

/// Reorders `jobs` by a random permutation, then puts jobs of the same arrival second
/// back in their original relative order (the documented tie rule). Returns, for each
/// position of the new order, the original index of the job placed there.
fn shuffle_keeping_ties(jobs: &[Transfer], rng: &mut SimRng) -> Vec<usize> {
    let mut permutation: Vec<usize> = (0..jobs.len()).collect();
    for i in (1..permutation.len()).rev() {
        permutation.swap(i, uniform_index(rng, i + 1));
    }
    let mut by_second: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for &i in &permutation {
        by_second
            .entry(jobs[i].arrival_seconds)
            .or_default()
            .push(i);
    }
    for members in by_second.values_mut() {
        members.sort_unstable();
        members.reverse();
    }
    permutation
        .iter()
        .map(|&i| {
            by_second
                .get_mut(&jobs[i].arrival_seconds)
                .and_then(Vec::pop)
                .expect("one member per occurrence")
        })
        .collect()
}

#[test]
fn random_instances_match_the_reference_and_ignore_input_order() {
    let mut out = Vec::new();
    let mut reordered_out = Vec::new();
    for instance in 0..400 {
        let mut rng = stream(4, instance, 3, Stream::Copy);
        let n = 1 + uniform_index(&mut rng, 14);
        let bandwidth = (20 + uniform_index(&mut rng, 400)) as f64;
        let cap = match uniform_index(&mut rng, 3) {
            0 => None,
            _ => Some(bandwidth * (0.1 + unit_f64(&mut rng))),
        };
        let max_active = match uniform_index(&mut rng, 3) {
            0 => None,
            _ => Some(1 + uniform_index(&mut rng, 4)),
        };
        // One to three concurrency groups (accounts).
        let groups = 1 + uniform_index(&mut rng, 3);
        // Arrivals on a narrow range so that same-second ties are common.
        let jobs: Vec<Transfer> = (0..n)
            .map(|_| {
                let size = match uniform_index(&mut rng, 10) {
                    0 => 0,
                    _ => uniform_index(&mut rng, 5_000) as u64,
                };
                Transfer {
                    group: uniform_index(&mut rng, groups) as u32,
                    ..at(uniform_index(&mut rng, 60) as i64 - 10, size)
                }
            })
            .collect();

        let mut link = Link::new(bandwidth, cap, max_active);
        link.run(&jobs, &mut out);
        let exact = reference(
            &jobs,
            bandwidth,
            cap.unwrap_or(f64::INFINITY),
            max_active.unwrap_or(usize::MAX),
        );
        // Both are exact in real arithmetic and differ only by rounding (relative
        // ~1e-13 on instants of ~1e3 s), so their rounded seconds agree except where
        // an instant lies within that noise of a rounding boundary: then by 1 s.
        for (i, (&got, &want)) in out.iter().zip(&exact).enumerate() {
            assert!(
                (got - round_up(want)).abs() <= 1,
                "instance {instance}, job {i}: link {got}, reference {want} \
                 (B {bandwidth}, cap {cap:?}, max_active {max_active:?}, jobs {jobs:?})"
            );
            assert!(got >= jobs[i].arrival_seconds);
        }

        // Any input order that keeps same-second jobs in their relative order gives
        // the same results, bit for bit.
        let original = shuffle_keeping_ties(&jobs, &mut rng);
        let reordered: Vec<Transfer> = original.iter().map(|&i| jobs[i]).collect();
        link.run(&reordered, &mut reordered_out);
        for (position, &i) in original.iter().enumerate() {
            assert_eq!(reordered_out[position], out[i], "instance {instance}");
        }
    }
}

#[test]
fn without_a_limit_input_order_does_not_matter_at_all() {
    let mut rng = stream(4, 0, 4, Stream::Copy);
    let jobs: Vec<Transfer> = (0..500)
        .map(|_| {
            at(
                uniform_index(&mut rng, 100) as i64,
                uniform_index(&mut rng, 1 << 20) as u64,
            )
        })
        .collect();
    let mut link = Link::new(12_345.0, Some(3_000.0), None);
    let out = run(&mut link, &jobs);
    let reversed: Vec<Transfer> = jobs.iter().rev().copied().collect();
    let mut reversed_out = run(&mut link, &reversed);
    reversed_out.reverse();
    assert_eq!(out, reversed_out);
}

#[test]
fn runs_are_repeatable_and_reuse_buffers() {
    let mut rng = stream(4, 0, 5, Stream::Copy);
    let jobs: Vec<Transfer> = (0..2_000)
        .map(|_| {
            at(
                uniform_index(&mut rng, 86_400) as i64,
                (unit_f64(&mut rng) * 1e11) as u64,
            )
        })
        .collect();
    let mut link = Link::new(2_000.0 * MIB, Some(500.0 * MIB), Some(100));
    let mut out = Vec::new();
    link.run(&jobs, &mut out);
    let first = out.clone();
    let capacities = (
        link.order.capacity(),
        link.active.capacity(),
        out.capacity(),
    );
    let pointers = (link.order.as_ptr(), out.as_ptr());
    link.run(&jobs, &mut out);
    assert_eq!(out, first);
    assert_eq!(
        (
            link.order.capacity(),
            link.active.capacity(),
            out.capacity()
        ),
        capacities
    );
    assert_eq!((link.order.as_ptr(), out.as_ptr()), pointers);
    // A fresh link gives the same bits.
    assert_eq!(
        run(
            &mut Link::new(2_000.0 * MIB, Some(500.0 * MIB), Some(100)),
            &jobs
        ),
        first
    );
}

/// Issue 4's check: Poisson arrivals, exponential sizes, load ρ: the M/G/1-PS mean
/// sojourn is E[S]/(B(1−ρ)) whatever the size distribution (Kleinrock 1967; Kleinrock,
/// *Queueing Systems* vol. II, 1976).
#[test]
fn poisson_arrivals_give_the_m_g_1_ps_mean_sojourn() {
    const BANDWIDTH: f64 = 1e6; // B/s
    const MEAN_SIZE: f64 = 1e9; // bytes: 1,000 s of service alone
    const RHO: f64 = 0.5;
    const REPLICATIONS: u64 = 40;
    const JOBS: usize = 5_000;
    const WARM_UP: usize = 500;
    let theory = MEAN_SIZE / BANDWIDTH / (1.0 - RHO); // 2,000 s
    let mut link = Link::new(BANDWIDTH, None, None);
    let mut out = Vec::new();
    let mut jobs = Vec::with_capacity(JOBS);
    let mut means = Vec::new();
    for replication in 0..REPLICATIONS {
        let mut rng = stream(4, replication, 6, Stream::Copy);
        jobs.clear();
        let mut t = 0.0;
        for _ in 0..JOBS {
            t += standard_exponential(&mut rng) * MEAN_SIZE / BANDWIDTH / RHO;
            let size = (standard_exponential(&mut rng) * MEAN_SIZE).round() as u64;
            jobs.push(at(t.floor() as i64, size));
        }
        link.run(&jobs, &mut out);
        // Rounding the completion up adds 0.5 s on average; flooring the arrivals
        // shifts each by < 1 s, which moves sojourns by O(1 s) against a 2,000 s mean
        // (well inside the tolerance below).
        let sum: f64 = jobs[WARM_UP..]
            .iter()
            .zip(&out[WARM_UP..])
            .map(|(job, &done)| (done - job.arrival_seconds) as f64 - 0.5)
            .sum();
        means.push(sum / (JOBS - WARM_UP) as f64);
    }
    // Independent replications (each started empty, its first 500 jobs discarded as
    // warm-up) give an honest standard error despite correlated sojourns within one.
    let r = REPLICATIONS as f64;
    let mean = means.iter().sum::<f64>() / r;
    let variance = means.iter().map(|m| (m - mean).powi(2)).sum::<f64>() / (r - 1.0);
    let standard_error = (variance / r).sqrt();
    assert!(
        (mean - theory).abs() <= 4.0 * standard_error,
        "mean sojourn {mean:.1} s, theory {theory} s, standard error {standard_error:.1} s"
    );
    // The test has power: the standard error is under 1 % of the mean (0.6 % here).
    assert!(
        standard_error < 0.01 * theory,
        "standard error {standard_error}"
    );
}

/// The trial drives the link incrementally: time advances to each arrival, then the job
/// is pushed. That gives the batch `run`'s completions (to the second, except where an
/// exact completion lies within the rounding slack of an arrival's second).
#[test]
fn incremental_use_matches_the_batch_run() {
    for instance in 0..200 {
        let mut rng = stream(5, instance, 3, Stream::Copy);
        let n = 1 + uniform_index(&mut rng, 40);
        let bandwidth = (20 + uniform_index(&mut rng, 400)) as f64;
        let cap = Some(bandwidth * (0.1 + unit_f64(&mut rng)));
        let max_active = Some(1 + uniform_index(&mut rng, 4));
        let mut jobs: Vec<Transfer> = (0..n)
            .map(|_| Transfer {
                group: uniform_index(&mut rng, 3) as u32,
                ..at(
                    uniform_index(&mut rng, 200) as i64,
                    uniform_index(&mut rng, 5_000) as u64,
                )
            })
            .collect();
        jobs.sort_by_key(|j| j.arrival_seconds);
        let mut link = Link::new(bandwidth, cap, max_active);
        let batch = run(&mut link, &jobs);
        link.reset();
        let incremental = drive_incrementally(&mut link, &jobs, |link, j, _, _| {
            // The next completion, if nothing else arrived, is never in the past.
            if let Some(next) = link.next_completion_second() {
                assert!(next >= j.arrival_seconds);
            }
        });
        assert_within_a_second(&batch, &incremental, instance);
    }
}

/// The memory bound: a completed job's id is given to a later job, so the ids in use
/// (the link's table) never outnumber the jobs in the link at once, on bursts of
/// arrivals with idle gaps and on a link that never empties; the completions are those of
/// the batch `run` (which reuses nothing: every job is pushed before any completes).
#[test]
fn ids_are_reused_so_the_link_holds_only_its_jobs() {
    let mut reused = 0;
    for instance in 0..200 {
        let mut rng = stream(9, instance, 4, Stream::Copy);
        let n = 1 + uniform_index(&mut rng, 60);
        let bandwidth = (20 + uniform_index(&mut rng, 400)) as f64;
        let cap = (instance % 2 == 0).then(|| bandwidth * (0.1 + unit_f64(&mut rng)));
        let max_active = Some(1 + uniform_index(&mut rng, 4));
        let gap = [0, 50, 5_000][instance as usize % 3] as i64;
        let mut t = 0;
        let jobs: Vec<Transfer> = (0..n)
            .map(|_| {
                t += uniform_index(&mut rng, 20) as i64
                    + if uniform_index(&mut rng, 4) == 0 {
                        gap
                    } else {
                        0
                    };
                Transfer {
                    group: uniform_index(&mut rng, 3) as u32,
                    ..at(t, uniform_index(&mut rng, 5_000) as u64)
                }
            })
            .collect();
        let mut link = Link::new(bandwidth, cap, max_active);
        let batch = run(&mut link, &jobs);
        link.reset();
        let mut most_in_link = 0;
        let incremental = drive_incrementally(&mut link, &jobs, |_, _, (id, in_link), again| {
            most_in_link = most_in_link.max(in_link);
            assert!(
                id < most_in_link,
                "instance {instance}: id {id}, {most_in_link} at most"
            );
            reused += usize::from(again);
        });
        assert_within_a_second(&batch, &incremental, instance);
    }
    assert!(reused > 1_000, "ids were reused {reused} times");
}

/// Drives `link` as the trial does (time advances to each arrival, then the job is
/// pushed) and returns each job's completion second. After each push, `pushed(link, job,
/// (its id, jobs in the link), whether the id was used before)`.
fn drive_incrementally(
    link: &mut Link,
    jobs: &[Transfer],
    mut pushed: impl FnMut(&Link, &Transfer, (usize, usize), bool),
) -> Vec<i64> {
    let mut completions = vec![i64::MIN; jobs.len()];
    // Job ids are reused once a job completes: the input index holding each id.
    let mut owner = vec![usize::MAX; jobs.len()];
    let mut in_link = 0;
    for (i, j) in jobs.iter().enumerate() {
        link.advance(j.arrival_seconds, &mut |id, second| {
            completions[owner[id as usize]] = second;
            in_link -= 1;
        });
        let id = link.push(j.arrival_seconds, j.size_bytes, j.group) as usize;
        in_link += 1;
        let again = owner[id] != usize::MAX;
        owner[id] = i;
        pushed(link, j, (id, in_link), again);
    }
    link.advance(i64::MAX, &mut |id, second| {
        completions[owner[id as usize]] = second
    });
    completions
}

/// The incremental completions are the batch run's to the second (they differ only where
/// an exact completion lies within the rounding slack of an arrival's second).
fn assert_within_a_second(batch: &[i64], incremental: &[i64], instance: u64) {
    for (i, (&b, &c)) in batch.iter().zip(incremental).enumerate() {
        assert!(
            (b - c).abs() <= 1,
            "instance {instance}, job {i}: {b} vs {c}"
        );
    }
}
