//! Tests of the restore wave against closed forms, hand-worked allocations and an
//! independent slow reference.

use super::*;
use crate::dist::{standard_exponential, standard_normal, uniform_index, unit_f64};
use crate::rng::{Stream, stream};

const MIB: f64 = 1_048_576.0;
const GIB: u64 = 1 << 30;

fn run(wave: &mut Wave, classes: &[Class], jobs: &[RestoreJob]) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    wave.run(classes, jobs, &mut out);
    out
}

fn job(
    account: u32,
    class: u16,
    ready_seconds: i64,
    setup_seconds: i64,
    size_bytes: u64,
    finish_seconds: i64,
) -> RestoreJob {
    RestoreJob {
        account,
        class,
        ready_seconds,
        setup_seconds,
        size_bytes,
        cap_bytes_per_second: UNCAPPED,
        finish_seconds,
    }
}

/// `job` with its own cap.
fn with_cap(job: RestoreJob, cap_bytes_per_second: f64) -> RestoreJob {
    RestoreJob {
        cap_bytes_per_second,
        ..job
    }
}

/// A job of account 0 and class 0, ready at 0, that only transfers.
fn transfer(size_bytes: u64) -> RestoreJob {
    job(0, 0, 0, 0, size_bytes, 0)
}

fn class(cap_bytes_per_second: f64, priority: u8) -> Class {
    Class {
        cap_bytes_per_second,
        priority,
    }
}

const UNCAPPED: f64 = f64::INFINITY;

/// The wave's rounding of an exact instant to a whole second.
fn round_up(seconds: f64) -> i64 {
    (seconds - ROUNDING_SLACK_SECONDS).ceil() as i64
}

#[test]
fn one_job_takes_setup_plus_size_over_min_of_cap_and_bandwidth_plus_finish() {
    let cases = [
        // (bandwidth, cap, ready, setup, size, finish, expected done)
        (100.0, UNCAPPED, 0, 0, 1_000, 0, 10),
        (100.0, 40.0, 0, 0, 1_000, 0, 25),
        (100.0, 400.0, 7, 3, 1_000, 5, 25),
        (100.0, UNCAPPED, -5, 0, 1_001, 0, 6), // 10.01 s, rounded up
        (100.0, UNCAPPED, 3, 2, 0, 4, 9),
        (100.0, UNCAPPED, 10, 60, 1_001, 60, 141), // 140.01 s
        (100.0, UNCAPPED, 10, 0, 0, 0, 10),
        // 50 GiB at 500 MiB/s = 102.4 s, after 30 min of retrieval, then 1 h of restore.
        (
            10.0 * 1_024.0 * MIB,
            500.0 * MIB,
            86_400,
            1_800,
            50 * GIB,
            3_600,
            91_903,
        ),
    ];
    for (bandwidth, cap, ready, setup, size, finish, expected) in cases {
        for limit in [None, Some(1)] {
            let mut wave = Wave::new(bandwidth, limit);
            assert_eq!(
                run(
                    &mut wave,
                    &[class(cap, 0)],
                    &[job(42, 0, ready, setup, size, finish)]
                ),
                [(ready, expected)],
                "B {bandwidth}, cap {cap}, setup {setup}, size {size}, finish {finish}"
            );
        }
    }
}

#[test]
fn empty_input_gives_empty_output() {
    let mut wave = Wave::new(100.0, Some(3));
    let mut out = vec![(1, 2); 3];
    wave.run(&[class(10.0, 0)], &[], &mut out);
    assert!(out.is_empty());
}

#[test]
fn equal_jobs_share_the_bandwidth() {
    // Processor sharing: N jobs of size S together all finish at N·S/B.
    // 40 × 10 GiB at 2,000 MiB/s: 409,600 MiB / 2,000 MiB/s = 204.8 s → second 205.
    let mut wave = Wave::new(2_000.0 * MIB, None);
    let jobs = vec![transfer(10 * GIB); 40];
    assert_eq!(
        run(&mut wave, &[class(UNCAPPED, 0)], &jobs),
        vec![(0, 205); 40]
    );
    // 7 × 1,000 B at 300 B/s: 23.33 s → second 24.
    let mut wave = Wave::new(300.0, None);
    assert_eq!(
        run(&mut wave, &[class(UNCAPPED, 0)], &[transfer(1_000); 7]),
        vec![(0, 24); 7]
    );
    // A cap below B/N binds: every job runs at the cap, S/c = 1,000 / 50 = 20 s.
    let mut wave = Wave::new(1_000.0, None);
    assert_eq!(
        run(&mut wave, &[class(50.0, 0)], &[transfer(1_000); 10]),
        vec![(0, 20); 10]
    );
    // The jobs may belong to many accounts and two classes of one priority and cap.
    let jobs: Vec<RestoreJob> = (0..40)
        .map(|i| job(i * 1_000_003, (i % 2) as u16, 0, 0, 10 * GIB, 0))
        .collect();
    let mut wave = Wave::new(2_000.0 * MIB, Some(1));
    assert_eq!(
        run(&mut wave, &[class(UNCAPPED, 3), class(UNCAPPED, 3)], &jobs),
        vec![(0, 205); 40]
    );
}

#[test]
fn one_slot_runs_an_account_s_jobs_back_to_back() {
    // Setup 7 s, 100 B at 300 B/s (1/3 s), finish 11 s: job k (from 1) is done at
    // k·55/3 s exactly. Every third job ends on a whole second: no drift may push it to
    // the next one, after 300 jobs either.
    let jobs = vec![job(9, 0, 0, 7, 100, 11); 300];
    let mut wave = Wave::new(300.0, Some(1));
    let out = run(&mut wave, &[class(UNCAPPED, 0)], &jobs);
    for (k, &(start, done)) in (1_i64..).zip(&out) {
        // ⌈55k/3⌉ in integers.
        assert_eq!(start, (55 * (k - 1) + 2) / 3, "job {k}");
        assert_eq!(done, (55 * k + 2) / 3, "job {k}");
    }
    assert_eq!(out[299].1, 5_500);

    // Two slots: pairs run together, sharing B while both transfer.
    // Each pair: 7 s setup, 2 × 100 B at 300 B/s = 2/3 s, 11 s finish.
    let jobs = vec![job(9, 0, 0, 7, 100, 11); 6];
    let mut wave = Wave::new(300.0, Some(2));
    let out = run(&mut wave, &[class(UNCAPPED, 0)], &jobs);
    // Pairs done at 18⅔, 37⅓, 56: seconds 19, 38, 56.
    assert_eq!(
        out,
        [(0, 19), (0, 19), (19, 38), (19, 38), (38, 56), (38, 56)]
    );
}

#[test]
fn strict_priority_serves_the_first_level_first() {
    // 3 jobs of priority 0 and 2 of priority 1, 1,000 B each, 100 B/s, no caps: priority
    // 0 alone at 100/3 B/s each until 30 s, then priority 1 at 50 B/s each until 50 s.
    let classes = [class(UNCAPPED, 1), class(UNCAPPED, 0)];
    let jobs = [
        job(0, 0, 0, 0, 1_000, 0),
        job(1, 1, 0, 0, 1_000, 0),
        job(2, 1, 0, 0, 1_000, 0),
        job(3, 0, 0, 0, 1_000, 0),
        job(4, 1, 0, 0, 1_000, 0),
    ];
    let mut wave = Wave::new(100.0, None);
    assert_eq!(
        run(&mut wave, &classes, &jobs),
        [(0, 50), (0, 30), (0, 30), (0, 50), (0, 30)]
    );
    // One priority: all five share, (3 + 2)·1,000 / 100 = 50 s.
    let same = [class(UNCAPPED, 0), class(UNCAPPED, 0)];
    assert_eq!(run(&mut wave, &same, &jobs), vec![(0, 50); 5]);

    // Priority 0 capped at 20 B/s with 3·20 = 60 < 100: priority 1 receives the other
    // 40, 20 each. Priority 0 (1,000 B) is done at 50 s, when priority 1 (2,000 B) has
    // 1,000 each; then 50 B/s each for the remaining 1,000: done at 70 s.
    let capped = [class(UNCAPPED, 1), class(20.0, 0)];
    let jobs = [
        job(0, 0, 0, 0, 2_000, 0),
        job(1, 1, 0, 0, 1_000, 0),
        job(2, 1, 0, 0, 1_000, 0),
        job(3, 0, 0, 0, 2_000, 0),
        job(4, 1, 0, 0, 1_000, 0),
    ];
    assert_eq!(
        run(&mut wave, &capped, &jobs),
        [(0, 70), (0, 50), (0, 50), (0, 70), (0, 50)]
    );

    // A starved transfer resumes: priority 1 (1,000 B) alone 0–4 s at 100 B/s (400 B),
    // priority 0 (500 B) ready at 4 takes everything until 9, then priority 1 sends its
    // last 600 B by 15.
    let jobs = [job(0, 0, 0, 0, 1_000, 0), job(1, 1, 4, 0, 500, 0)];
    assert_eq!(run(&mut wave, &classes, &jobs), [(0, 15), (4, 9)]);
}

#[test]
fn a_more_urgent_job_overtakes_waiting_ones_for_a_slot() {
    // One slot, 100 B/s, 1,000 B each. a (priority 1, ready 0) runs 0–10; b (priority
    // 1, ready 1) and c (priority 0, ready 5) wait; at 10 c goes first (done 20), then b
    // (done 30).
    let classes = [class(UNCAPPED, 0), class(UNCAPPED, 1)];
    let jobs = [
        job(7, 1, 0, 0, 1_000, 0),
        job(7, 1, 1, 0, 1_000, 0),
        job(7, 0, 5, 0, 1_000, 0),
    ];
    let mut wave = Wave::new(100.0, Some(1));
    assert_eq!(
        run(&mut wave, &classes, &jobs),
        [(0, 10), (20, 30), (10, 20)]
    );
    // Within a priority: by ready second, then input index. A job ready at the instant
    // the slot frees competes for it (here it is more urgent, so it wins).
    let jobs = [
        job(7, 1, 0, 2, 1_000, 3), // holds the slot 0–15
        job(7, 1, 3, 0, 100, 0),   // waits since 3
        job(7, 1, 2, 0, 100, 0),   // waits since 2: first of priority 1
        job(7, 0, 15, 0, 100, 0),  // ready as the slot frees
        job(8, 1, 0, 0, 100, 0),   // another account: not delayed
    ];
    // Job 4 transfers alone while job 0 is in setup: done at 1. Job 0 transfers 2–12
    // and finishes 12–15; then jobs 3, 2, 1 take one second each.
    assert_eq!(
        run(&mut wave, &classes, &jobs),
        [(0, 15), (17, 18), (16, 17), (15, 16), (0, 1)]
    );
}

#[test]
fn water_filling_within_a_level_with_two_caps() {
    // B = 100. Class A capped at 10 (2 jobs), class B uncapped (2 jobs): A gets 10
    // each, B the other 80, 40 each.
    let classes = [class(10.0, 0), class(UNCAPPED, 0)];
    // A: 200 B each (20 s at 10). B: 400 B each (10 s at 40): B done at 10; then A
    // alone is still capped at 10: done at 20.
    let jobs = [
        job(0, 0, 0, 0, 200, 0),
        job(1, 1, 0, 0, 400, 0),
        job(2, 0, 0, 0, 200, 0),
        job(3, 1, 0, 0, 400, 0),
    ];
    let mut wave = Wave::new(100.0, None);
    assert_eq!(
        run(&mut wave, &classes, &jobs),
        [(0, 20), (0, 10), (0, 20), (0, 10)]
    );
    // B: 2,000 B each. A done at 20, when B has 800 each; B alone then gets 50 each
    // for the remaining 1,200: 24 s more, done at 44.
    let jobs = [
        job(0, 0, 0, 0, 200, 0),
        job(1, 1, 0, 0, 2_000, 0),
        job(2, 0, 0, 0, 200, 0),
        job(3, 1, 0, 0, 2_000, 0),
    ];
    assert_eq!(
        run(&mut wave, &classes, &jobs),
        [(0, 20), (0, 44), (0, 20), (0, 44)]
    );

    // Three caps, one job each: 10 ≤ 100/3 takes 10; 30 ≤ 90/2 takes 30; the uncapped
    // job takes the remaining 60. Sizes 100, 300, 600: all done at 10 s. Then 1 s more
    // for the uncapped job's extra 100 B at full rate.
    let classes = [class(UNCAPPED, 0), class(30.0, 0), class(10.0, 0)];
    let jobs = [
        job(0, 0, 0, 0, 700, 0),
        job(0, 1, 0, 0, 300, 0),
        job(0, 2, 0, 0, 100, 0),
    ];
    assert_eq!(run(&mut wave, &classes, &jobs), [(0, 11), (0, 10), (0, 10)]);
    // Caps above the equal share do not bind: 40 and 50 with B = 100 and 3 jobs.
    // 10 ≤ 33⅓ takes 10; 40 ≤ 45 takes 40; 50 ≤ 50 takes 50. Sizes 100, 400, 500.
    let classes = [class(50.0, 0), class(40.0, 0), class(10.0, 0)];
    let jobs = [
        job(0, 0, 0, 0, 500, 0),
        job(0, 1, 0, 0, 400, 0),
        job(0, 2, 0, 0, 100, 0),
    ];
    assert_eq!(run(&mut wave, &classes, &jobs), [(0, 10), (0, 10), (0, 10)]);
}

#[test]
fn a_job_capped_at_10_and_an_uncapped_one_split_by_water_filling() {
    // B = 100, one level, 1,000 B each, caps 10 and ∞. Water-filling: θ with
    // min(10, θ) + min(∞, θ) = 100 is θ = 90 ≥ 10, so the capped job runs at 10 and the
    // other at 90. The uncapped job is done at 1,000 / 90 = 11.11 s (second 12), when the
    // capped one has 111.1 B; alone, it is still held to 10 (not 100): its last 888.9 B
    // take 88.89 s more, done at 100 s, as if it had run at 10 throughout.
    let jobs = [
        with_cap(transfer(1_000), 10.0),
        with_cap(transfer(1_000), UNCAPPED),
    ];
    let mut wave = Wave::new(100.0, None);
    assert_eq!(
        run(&mut wave, &[class(UNCAPPED, 0)], &jobs),
        [(0, 100), (0, 12)]
    );
    // The class cap is a second ceiling: under a class cap of 50 the uncapped job gets
    // min(90, 50) = 50 (done at 20); the other keeps 10.
    assert_eq!(
        run(&mut wave, &[class(50.0, 0)], &jobs),
        [(0, 100), (0, 20)]
    );
}

#[test]
fn three_per_job_caps_share_by_water_filling() {
    // B = 100, caps 20, 30, ∞, 1,000 B each. θ with 20 + 30 + θ = 100 is 50 ≥ 30: rates
    // 20, 30, 50. The uncapped job is done at 1,000 / 50 = 20 s; the others then have
    // 400 and 600 B. Now 20 + 30 ≤ 100: both keep their caps. Cap 30: 400 B in 13.33 s,
    // done at 33.33 s (second 34); cap 20: 600 B in 30 s, done at 50 s (1,000 / 20).
    let jobs = [
        with_cap(transfer(1_000), 20.0),
        with_cap(transfer(1_000), 30.0),
        with_cap(transfer(1_000), UNCAPPED),
    ];
    let mut wave = Wave::new(100.0, None);
    assert_eq!(
        run(&mut wave, &[class(UNCAPPED, 0)], &jobs),
        [(0, 50), (0, 34), (0, 20)]
    );
    // Sizes in proportion to the rates: all three are done together at 10 s.
    let jobs = [
        with_cap(transfer(200), 20.0),
        with_cap(transfer(300), 30.0),
        with_cap(transfer(500), UNCAPPED),
    ];
    assert_eq!(
        run(&mut wave, &[class(UNCAPPED, 0)], &jobs),
        [(0, 10), (0, 10), (0, 10)]
    );
}

#[test]
fn a_job_reaches_its_cap_when_others_leave() {
    // B = 100, one level. x: cap 40, 1,000 B; y: 300 B and z: 1,000 B, uncapped.
    // 0–9 s: θ = 100 / 3 = 33.3 < 40, so all three are fair at 33.3; y is done at
    // 300 / 33.3 = 9 s, when x and z have 300 B each.
    // From 9 s: θ for two would be 50 > 40, so x turns capped at 40 and z gets 60. z's
    // last 700 B take 11.67 s: done at 20.67 s (second 21), when x has 300 + 40·11.67 =
    // 766.7 B. x alone stays at its cap, 40: its last 233.3 B take 5.83 s, done at 26.5 s
    // (second 27).
    let jobs = [
        with_cap(transfer(1_000), 40.0),
        transfer(300),
        transfer(1_000),
    ];
    let mut wave = Wave::new(100.0, None);
    assert_eq!(
        run(&mut wave, &[class(UNCAPPED, 0)], &jobs),
        [(0, 27), (0, 9), (0, 21)]
    );

    // The same across priorities: p (priority 0, cap 30, 300 B) takes 30 for 10 s and
    // leaves 70 to priority 1, where a (cap 40) and b (uncapped), 1,000 B each, have
    // θ = 35 < 40: 35 each. At 10 s p is done and a and b have 350 B each; priority 1
    // now has 100: a turns capped at 40 and b gets 60. b's last 650 B take 10.83 s, done
    // at 20.83 s (second 21), when a has 350 + 40·10.83 = 783.3 B; its last 216.7 B at
    // 40 take 5.42 s: done at 26.25 s (second 27).
    let classes = [class(UNCAPPED, 0), class(UNCAPPED, 1)];
    let jobs = [
        with_cap(job(0, 0, 0, 0, 300, 0), 30.0),
        with_cap(job(0, 1, 0, 0, 1_000, 0), 40.0),
        job(0, 1, 0, 0, 1_000, 0),
    ];
    assert_eq!(run(&mut wave, &classes, &jobs), [(0, 10), (0, 27), (0, 21)]);
}

#[test]
fn per_job_caps_equal_to_the_class_caps_give_the_same_bits() {
    // The cap a job transfers at is min(job cap, class cap): moving the class caps onto
    // the jobs (classes uncapped) or duplicating them (both) changes nothing, bit for bit.
    for seed in 0..4 {
        let (classes, jobs) = random_wave(seed, 3_000, 200, 6);
        let class_caps: Vec<RestoreJob> = jobs.iter().map(|&job| with_cap(job, UNCAPPED)).collect();
        let job_caps: Vec<RestoreJob> = jobs
            .iter()
            .map(|&job| with_cap(job, classes[usize::from(job.class)].cap_bytes_per_second))
            .collect();
        let uncapped_classes: Vec<Class> = classes
            .iter()
            .map(|c| class(UNCAPPED, c.priority))
            .collect();
        let mut wave = Wave::new(4_000.0 * MIB, Some(3));
        let expected = run(&mut wave, &classes, &class_caps);
        assert_eq!(run(&mut wave, &uncapped_classes, &job_caps), expected);
        assert_eq!(run(&mut wave, &classes, &job_caps), expected);
    }
}

#[test]
fn a_transfer_completing_as_a_more_urgent_one_begins_is_not_starved() {
    // B = 300. x (463 B) and a (763 B), priority 1, two classes, share 150 each until x
    // is done at 463/150 = 3.0867 s. x's slot goes to h (priority 0, same account), whose
    // 1 s setup ends at 4.0867 s, exactly when a, alone at 300 since 3.0867 s, completes
    // its last 300 B. In floating point a's completion lands one ulp after h's setup
    // end; without `SIMULTANEOUS_SECONDS` h would take all of B first and leave a with a
    // crumb of bytes for 10 s.
    let classes = [class(UNCAPPED, 1), class(UNCAPPED, 0), class(UNCAPPED, 1)];
    let jobs = [
        job(1, 0, 0, 0, 463, 0),
        job(1, 1, 1, 1, 3_000, 0),
        job(2, 2, 0, 0, 763, 0),
    ];
    let mut wave = Wave::new(300.0, Some(1));
    // h: starts at 3.0867, transfers 4.0867–14.0867.
    assert_eq!(run(&mut wave, &classes, &jobs), [(0, 4), (4, 15), (0, 5)]);
}

#[test]
fn a_capped_transfer_completing_as_a_more_urgent_one_begins_is_not_starved() {
    // B = 300, priority 1: x (uncapped, 495 B) and a (cap 30, 85 B). Water-filling gives
    // a its 30 and x 270: x is done at 495 / 270 = 1.8333 s, and its slot goes to h
    // (priority 0, same account, 1 s setup), whose setup ends at 2.8333 s, exactly when
    // a, capped at 30 throughout, completes (85 / 30 = 2.8333 s). In floating point a's
    // fixed finish instant lands a few ulps after h's setup end: h takes all of B, a
    // turns fair with nothing left of priority 1's bandwidth, and without
    // `SIMULTANEOUS_SECONDS` a crumb of bytes would keep it until h is done at 12.83 s.
    let classes = [class(UNCAPPED, 1), class(UNCAPPED, 0)];
    let jobs = [
        job(1, 0, 0, 0, 495, 0),
        job(1, 1, 1, 1, 3_000, 0),
        with_cap(job(2, 0, 0, 0, 85, 0), 30.0),
    ];
    let mut wave = Wave::new(300.0, Some(1));
    // h: starts at 1.8333, transfers 2.8333–12.8333.
    assert_eq!(run(&mut wave, &classes, &jobs), [(0, 2), (2, 13), (0, 3)]);
}

/// A job's state in the reference simulation.
#[derive(Debug, Clone, Copy)]
enum State {
    Waiting,
    Setup { end: f64 },
    Transfer { remaining: f64 },
    Finish { end: f64 },
    Done,
}

/// The reference: a plain event loop over absolute `f64` seconds that tracks every job's
/// state, assigns slots by scanning every job, recomputes every transferring job's rate
/// from scratch (strict priority, then water-filling with per-job caps, Bertsekas &
/// Gallager §6.5.2) after every event, and steps to the next readiness, phase end or
/// completion. O(n²) per event; no classes' virtual clocks, no heaps, no cursors.
/// Returns exact (start, done) instants.
fn reference(
    bandwidth: f64,
    limit: usize,
    classes: &[Class],
    jobs: &[RestoreJob],
) -> Vec<(f64, f64)> {
    let n = jobs.len();
    let mut state = vec![State::Waiting; n];
    let mut result = vec![(f64::NAN, f64::NAN); n];
    let mut rate = vec![0.0; n];
    let priority = |i: usize| classes[usize::from(jobs[i].class)].priority;
    let cap = |i: usize| {
        jobs[i]
            .cap_bytes_per_second
            .min(classes[usize::from(jobs[i].class)].cap_bytes_per_second)
    };
    let mut t = jobs.iter().map(|j| j.ready_seconds).min().expect("n ≥ 1") as f64;
    loop {
        // Settle the instant: phase ends, then free slots, until nothing changes.
        loop {
            let mut changed = false;
            for i in 0..n {
                let job = &jobs[i];
                state[i] = match state[i] {
                    State::Setup { end } if end <= t && job.size_bytes == 0 => State::Finish {
                        end: t + job.finish_seconds as f64,
                    },
                    State::Setup { end } if end <= t => State::Transfer {
                        remaining: job.size_bytes as f64,
                    },
                    State::Transfer { remaining } if remaining <= 0.0 => State::Finish {
                        end: t + job.finish_seconds as f64,
                    },
                    State::Finish { end } if end <= t => {
                        result[i].1 = t;
                        State::Done
                    }
                    unchanged => {
                        state[i] = unchanged;
                        continue;
                    }
                };
                changed = true;
            }
            for i in 0..n {
                let account = jobs[i].account;
                let held = (0..n)
                    .filter(|&k| jobs[k].account == account)
                    .filter(|&k| {
                        matches!(
                            state[k],
                            State::Setup { .. } | State::Transfer { .. } | State::Finish { .. }
                        )
                    })
                    .count();
                if held >= limit {
                    continue;
                }
                let next = (0..n)
                    .filter(|&k| jobs[k].account == account)
                    .filter(|&k| matches!(state[k], State::Waiting))
                    .filter(|&k| jobs[k].ready_seconds as f64 <= t + SIMULTANEOUS_SECONDS)
                    .min_by_key(|&k| (priority(k), jobs[k].ready_seconds, k));
                if let Some(k) = next {
                    state[k] = State::Setup {
                        end: t + jobs[k].setup_seconds as f64,
                    };
                    result[k].0 = t;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }

        // Rates: each priority level in turn takes its water-filling share of what the
        // more urgent levels left.
        let transferring: Vec<usize> = (0..n)
            .filter(|&i| matches!(state[i], State::Transfer { .. }))
            .collect();
        let mut levels: Vec<u8> = transferring.iter().map(|&i| priority(i)).collect();
        levels.sort_unstable();
        levels.dedup();
        let mut left = bandwidth;
        for level in levels {
            let mut members: Vec<usize> = transferring
                .iter()
                .copied()
                .filter(|&i| priority(i) == level)
                .collect();
            members.sort_by(|&a, &b| cap(a).total_cmp(&cap(b)));
            let mut unsatisfied = members.len();
            for (position, &i) in members.iter().enumerate() {
                let share = left / unsatisfied as f64;
                if cap(i) <= share {
                    rate[i] = cap(i);
                    left = (left - cap(i)).max(0.0);
                    unsatisfied -= 1;
                } else {
                    for &k in &members[position..] {
                        rate[k] = share;
                    }
                    left = 0.0;
                    break;
                }
            }
        }

        // A crumb of bytes left by rounding that would complete within the same `f64`
        // instant completes now.
        let mut crumbs = false;
        for i in 0..n {
            if let State::Transfer { remaining } = state[i]
                && rate[i] > 0.0
                && t + remaining / rate[i] <= t
            {
                state[i] = State::Transfer { remaining: 0.0 };
                crumbs = true;
            }
        }
        if crumbs {
            continue;
        }

        // The next event, as an absolute instant.
        let mut next = f64::INFINITY;
        for i in 0..n {
            let at = match state[i] {
                State::Waiting => jobs[i].ready_seconds as f64,
                State::Setup { end } | State::Finish { end } => end,
                State::Transfer { remaining } if rate[i] > 0.0 => t + remaining / rate[i],
                State::Transfer { .. } | State::Done => f64::INFINITY,
            };
            if at > t {
                next = next.min(at);
            }
        }
        if next == f64::INFINITY {
            assert!(state.iter().all(|s| matches!(s, State::Done)));
            return result;
        }
        // A transfer that completes at the next event, or within `SIMULTANEOUS_SECONDS`
        // of it (the wave's convention), is complete then: comparing instants, not bytes,
        // so that rounding leaves no crumb that a more urgent transfer starting at that
        // event could starve.
        let step = next - t;
        for i in 0..n {
            if let State::Transfer { remaining } = state[i] {
                state[i] = State::Transfer {
                    remaining: if rate[i] > 0.0
                        && t + remaining / rate[i] <= next + SIMULTANEOUS_SECONDS
                    {
                        0.0
                    } else {
                        remaining - rate[i] * step
                    },
                };
            }
        }
        t = next;
    }
}

/// A small random wave of at most `max_jobs` jobs: (bandwidth, limit, classes, jobs).
/// `round`: bandwidth, caps and sizes are round numbers, so that instants computed along
/// different paths often coincide in exact arithmetic and differ in floating point (the
/// near-ties that `SIMULTANEOUS_SECONDS` resolves); otherwise they are continuous.
/// `job_caps`: each job also draws its own cap (uncapped a quarter of the time), from a
/// stream of its own, so the rest of the instance is the same either way.
fn small_random_wave(
    instance: u64,
    round: bool,
    job_caps: bool,
    max_jobs: usize,
) -> (f64, Option<usize>, Vec<Class>, Vec<RestoreJob>) {
    let mut rng = stream(5, instance, u64::from(round), Stream::Restore);
    let bandwidth = if round {
        (100 * (1 + uniform_index(&mut rng, 3))) as f64
    } else {
        (20 + uniform_index(&mut rng, 400)) as f64
    };
    let classes: Vec<Class> = (0..1 + uniform_index(&mut rng, 3))
        .map(|_| {
            let cap = match uniform_index(&mut rng, 3) {
                0 => UNCAPPED,
                _ if round => [25.0, 50.0, 100.0][uniform_index(&mut rng, 3)],
                _ => bandwidth * (0.05 + unit_f64(&mut rng)),
            };
            class(cap, uniform_index(&mut rng, 3) as u8)
        })
        .collect();
    let limit = match uniform_index(&mut rng, 4) {
        0 => None,
        _ => Some(1 + uniform_index(&mut rng, 3)),
    };
    let accounts = 1 + uniform_index(&mut rng, 4);
    let n = 1 + uniform_index(&mut rng, max_jobs);
    // Sparse account ids; ready seconds on a narrow range so that ties are common.
    let jobs = (0..n)
        .map(|_| {
            let account = 1_000 + 7 * uniform_index(&mut rng, accounts) as u32;
            let class = uniform_index(&mut rng, classes.len()) as u16;
            let ready = uniform_index(&mut rng, 60) as i64 - 10;
            let mut phase = || match uniform_index(&mut rng, 2) {
                0 => 0,
                _ => uniform_index(&mut rng, 20) as i64,
            };
            let (setup, finish) = (phase(), phase());
            let size = match uniform_index(&mut rng, 10) {
                0 => 0,
                _ if round => 50 * uniform_index(&mut rng, 40) as u64,
                _ => (standard_exponential(&mut rng) * 2_000.0) as u64,
            };
            job(account, class, ready, setup, size, finish)
        })
        .collect::<Vec<_>>();
    if !job_caps {
        return (bandwidth, limit, classes, jobs);
    }
    let mut rng = stream(6, instance, u64::from(round), Stream::Restore);
    let jobs = jobs
        .into_iter()
        .map(|job| {
            let cap = match uniform_index(&mut rng, 4) {
                0 => UNCAPPED,
                _ if round => [10.0, 20.0, 25.0, 50.0, 100.0][uniform_index(&mut rng, 5)],
                _ => bandwidth * (0.02 + 0.6 * unit_f64(&mut rng)),
            };
            with_cap(job, cap)
        })
        .collect();
    (bandwidth, limit, classes, jobs)
}

/// Runs `instances` small random waves (both `round` kinds) through the wave and the
/// reference, and checks they agree to the second.
fn check_against_reference(instances: u64, job_caps: bool, max_jobs: usize) {
    let mut out = Vec::new();
    for round in [false, true] {
        for instance in 0..instances {
            let (bandwidth, limit, classes, jobs) =
                small_random_wave(instance, round, job_caps, max_jobs);
            let mut wave = Wave::new(bandwidth, limit);
            wave.run(&classes, &jobs, &mut out);
            let exact = reference(bandwidth, limit.unwrap_or(usize::MAX), &classes, &jobs);
            // Both are exact in real arithmetic up to the same 0.1 µs convention and
            // differ only by rounding (relative ~1e-13 on instants of ~1e2 s), so their
            // rounded seconds agree except where an instant lies within that noise of a
            // rounding boundary: then by 1 s.
            for (i, (&(start, done), &(want_start, want_done))) in
                out.iter().zip(&exact).enumerate()
            {
                assert!(
                    (start - round_up(want_start)).abs() <= 1
                        && (done - round_up(want_done)).abs() <= 1,
                    "instance {instance} (round {round}), job {i}: wave ({start}, {done}), \
                     reference ({want_start}, {want_done}) (B {bandwidth}, limit {limit:?}, \
                     classes {classes:?}, jobs {jobs:?})"
                );
                let job = &jobs[i];
                assert!(job.ready_seconds <= start);
                assert!(start + job.setup_seconds + job.finish_seconds <= done);
            }
        }
    }
}

#[test]
fn random_instances_match_the_reference() {
    // Class caps only (every job uncapped itself).
    check_against_reference(150, false, 20);
}

#[test]
fn random_instances_with_per_job_caps_match_the_reference() {
    // Per-job caps, finite or not, under class caps, finite or not.
    check_against_reference(200, true, 20);
    // Larger levels, where jobs move between the capped and fair sets more often.
    check_against_reference(40, true, 60);
}

#[test]
fn uncapped_wave_is_work_conserving() {
    // Without caps, setup, finish or slot limit, the wave sends at B from the first
    // readiness until everything is done, whatever the priorities: the last job is done
    // at ready + Σ size / B.
    let mut rng = stream(5, 0, 1, Stream::Restore);
    let mut out = Vec::new();
    for instance in 0..100 {
        let bandwidth = 1e6 * (1 + uniform_index(&mut rng, 1_000)) as f64;
        let classes: Vec<Class> = (0..1 + uniform_index(&mut rng, 4))
            .map(|_| class(UNCAPPED, uniform_index(&mut rng, 3) as u8))
            .collect();
        let n = 1 + uniform_index(&mut rng, 300);
        let jobs: Vec<RestoreJob> = (0..n)
            .map(|_| {
                job(
                    uniform_index(&mut rng, 50) as u32,
                    uniform_index(&mut rng, classes.len()) as u16,
                    1_000_000,
                    0,
                    (unit_f64(&mut rng) * 1e10) as u64 + 1,
                    0,
                )
            })
            .collect();
        let offered: u64 = jobs.iter().map(|job| job.size_bytes).sum();
        let mut wave = Wave::new(bandwidth, None);
        wave.run(&classes, &jobs, &mut out);
        let last = out.iter().map(|&(_, done)| done).max().expect("n ≥ 1");
        assert_eq!(
            last,
            1_000_000 + round_up(offered as f64 / bandwidth),
            "instance {instance}"
        );
    }
}

/// A larger random wave: `n` jobs over `accounts` accounts and `classes` classes, each
/// job with its own cap (log-normal around 150 MiB/s, a tenth of them uncapped).
fn random_wave(
    seed: u64,
    n: usize,
    accounts: usize,
    classes: usize,
) -> (Vec<Class>, Vec<RestoreJob>) {
    let mut rng = stream(5, seed, 2, Stream::Restore);
    let classes: Vec<Class> = (0..classes)
        .map(|c| {
            class(
                [UNCAPPED, 200.0 * MIB, 1_000.0 * MIB][c % 3],
                uniform_index(&mut rng, 4) as u8,
            )
        })
        .collect();
    let jobs = (0..n)
        .map(|_| {
            let job = job(
                uniform_index(&mut rng, accounts) as u32,
                uniform_index(&mut rng, classes.len()) as u16,
                uniform_index(&mut rng, 900) as i64,
                uniform_index(&mut rng, 1_800) as i64,
                (standard_exponential(&mut rng) * 5e10) as u64,
                uniform_index(&mut rng, 3_600) as i64,
            );
            let cap = match uniform_index(&mut rng, 10) {
                0 => UNCAPPED,
                _ => 150.0 * MIB * (0.8 * standard_normal(&mut rng)).exp(),
            };
            with_cap(job, cap)
        })
        .collect();
    (classes, jobs)
}

#[test]
fn runs_are_repeatable_and_reuse_buffers() {
    let (classes, jobs) = random_wave(0, 5_000, 300, 6);
    let mut wave = Wave::new(4_000.0 * MIB, Some(3));
    let mut out = Vec::new();
    wave.run(&classes, &jobs, &mut out);
    let first = out.clone();
    let capacities = |wave: &Wave, out: &Vec<(i64, i64)>| {
        (
            wave.queue.capacity(),
            wave.runs.capacity(),
            wave.accounts.capacity(),
            wave.account_of.capacity(),
            wave.ready_order.capacity(),
            wave.timers.capacity(),
            wave.transfers.capacity(),
            wave.levels
                .iter()
                .map(|level| {
                    level.capped_ends.capacity()
                        + level.capped_caps.capacity()
                        + level.fair_tags.capacity()
                        + level.fair_caps.capacity()
                })
                .sum::<usize>(),
            out.capacity(),
        )
    };
    let before = capacities(&wave, &out);
    let pointers = (wave.queue.as_ptr(), wave.ready_order.as_ptr(), out.as_ptr());
    wave.run(&classes, &jobs, &mut out);
    assert_eq!(out, first);
    assert_eq!(capacities(&wave, &out), before);
    assert_eq!(
        (wave.queue.as_ptr(), wave.ready_order.as_ptr(), out.as_ptr()),
        pointers
    );
    // A fresh wave gives the same bits.
    assert_eq!(
        run(&mut Wave::new(4_000.0 * MIB, Some(3)), &classes, &jobs),
        first
    );

    // A small wave after the big one gives what a fresh wave gives: nothing of the big
    // run (more classes, accounts and jobs) leaks into it.
    let (small_classes, small_jobs) = random_wave(1, 40, 5, 2);
    wave.run(&small_classes, &small_jobs, &mut out);
    assert_eq!(
        out,
        run(
            &mut Wave::new(4_000.0 * MIB, Some(3)),
            &small_classes,
            &small_jobs
        )
    );
    assert_eq!(out.len(), 40);
}

#[test]
#[should_panic(expected = "class 2 out of range")]
fn a_class_index_out_of_range_panics() {
    let mut wave = Wave::new(100.0, None);
    run(
        &mut wave,
        &[class(UNCAPPED, 0), class(UNCAPPED, 0)],
        &[job(0, 2, 0, 0, 1, 0)],
    );
}

#[test]
#[should_panic(expected = "job 1: cap must be positive, got 0")]
fn a_zero_job_cap_panics() {
    let mut wave = Wave::new(100.0, None);
    run(
        &mut wave,
        &[class(UNCAPPED, 0)],
        &[transfer(1), with_cap(transfer(1), 0.0)],
    );
}

#[test]
#[should_panic(expected = "job 0: cap must be positive, got NaN")]
fn a_nan_job_cap_panics() {
    let mut wave = Wave::new(100.0, None);
    run(
        &mut wave,
        &[class(UNCAPPED, 0)],
        &[with_cap(transfer(1), f64::NAN)],
    );
}

#[test]
#[should_panic(expected = "per_account_limit must be at least 1")]
fn a_zero_account_limit_panics() {
    Wave::new(100.0, Some(0));
}
