//! Cost of one region-outage restore wave (`sim::wave`).
//!
//! 20,000 restore jobs over the default scenario's 1,354 accounts, 8 classes (4
//! priorities × class caps of 250 and 1,000 MiB/s), log-normal sizes (median 50 GiB, p95
//! 400 GiB), each job's own cap log-normal (median 150 MiB/s, p95 600 MiB/s), ready
//! within 15 minutes of the declaration, 5–30 min of retrieval and 10–60 min of restore
//! process each, sharing 10 GiB/s with at most 10 jobs per account.
//! Criterion reports time per run and jobs per second (ns per job = time ÷ 20,000). A
//! second case checks the module's cost target: 50,000 jobs, 2,000 accounts, 32 classes.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vaultsim::dist::{Dist, uniform_index, unit_f64};
use vaultsim::rng::{Stream, stream};
use vaultsim::sim::wave::{Class, RestoreJob, Wave};

const MIB: f64 = 1_048_576.0;
const GIB: f64 = 1_073_741_824.0;
const BANDWIDTH: f64 = 10.0 * GIB;
const PER_ACCOUNT_LIMIT: usize = 10;

/// `priorities` levels × caps of 250 and 1,000 MiB/s (× 1, 2, … for more than two caps).
fn classes(priorities: u8, caps: usize) -> Vec<Class> {
    (0..priorities)
        .flat_map(|priority| {
            (0..caps).map(move |c| Class {
                cap_bytes_per_second: [250.0, 1_000.0][c % 2] * MIB * (1 + c / 2) as f64,
                priority,
            })
        })
        .collect()
}

fn jobs(count: usize, accounts: usize, classes: usize) -> Vec<RestoreJob> {
    let size_gib = Dist::lognormal_from_median_p95(50.0, 400.0).expect("valid log-normal");
    let cap_mib = Dist::lognormal_from_median_p95(150.0, 600.0).expect("valid log-normal");
    let mut rng = stream(1, 0, 0, Stream::Restore);
    // Caps from a stream of their own: the rest of the wave is as without them.
    let mut cap_rng = stream(1, 0, 1, Stream::Restore);
    (0..count)
        .map(|_| RestoreJob {
            account: uniform_index(&mut rng, accounts) as u32,
            class: uniform_index(&mut rng, classes) as u16,
            ready_seconds: uniform_index(&mut rng, 900) as i64,
            setup_seconds: (300.0 + unit_f64(&mut rng) * 1_500.0) as i64,
            size_bytes: (size_gib.sample(&mut rng) * GIB) as u64,
            cap_bytes_per_second: cap_mib.sample(&mut cap_rng) * MIB,
            finish_seconds: (600.0 + unit_f64(&mut rng) * 3_000.0) as i64,
        })
        .collect()
}

fn bench_wave(c: &mut Criterion) {
    let landing_zone = (classes(4, 2), jobs(20_000, 1_354, 8));
    let large = (classes(4, 8), jobs(50_000, 2_000, 32));

    let mut wave = Wave::new(BANDWIDTH, Some(PER_ACCOUNT_LIMIT));
    let mut out = Vec::new();
    let (classes, jobs) = &landing_zone;
    wave.run(classes, jobs, &mut out);
    let (waits, last) = jobs
        .iter()
        .zip(&out)
        .fold((0_i64, 0_i64), |(sum, last), (job, &(start, done))| {
            (sum + (start - job.ready_seconds), last.max(done))
        });
    let offered: u64 = jobs.iter().map(|job| job.size_bytes).sum();
    eprintln!(
        "wave: {} jobs, 1,354 accounts, {} classes, {:.0} TiB offered ({:.1} h at 10 GiB/s), \
         mean slot wait {:.0} s, last done {:.1} h",
        jobs.len(),
        classes.len(),
        offered as f64 / (1024.0 * GIB),
        offered as f64 / BANDWIDTH / 3_600.0,
        waits as f64 / jobs.len() as f64,
        last as f64 / 3_600.0
    );

    let mut group = c.benchmark_group("wave");
    for (name, (classes, jobs)) in [
        ("outage_20k_jobs_8_classes", &landing_zone),
        ("outage_50k_jobs_32_classes", &large),
    ] {
        group.throughput(Throughput::Elements(jobs.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                wave.run(black_box(classes), black_box(jobs), &mut out);
                black_box(&out);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_wave);
criterion_main!(benches);
