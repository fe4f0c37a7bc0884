//! Cost of one day of cross-region copies on one processor-sharing link.
//!
//! 10,000 transfers with log-normal sizes (median 1 GiB, p95 20 GiB) arriving uniformly
//! over 24 h from 50 source accounts on a 2,000 MiB/s link with a 500 MiB/s per-job cap and
//! at most 100 jobs of one account at once (AWS's copy quota; `sim::link`). Criterion reports time per run and transfers per second (ns per
//! transfer = time ÷ 10,000). Two input orders: shuffled (the link sorts by arrival) and
//! already sorted by arrival.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vaultsim::dist::{Dist, unit_f64};
use vaultsim::rng::{Stream, stream};
use vaultsim::sim::link::{Link, Transfer};

const TRANSFERS: usize = 10_000;
const ACCOUNTS: u32 = 50;
const DAY_SECONDS: f64 = 86_400.0;
const MIB: f64 = 1_048_576.0;
const GIB: f64 = 1_073_741_824.0;

fn transfers() -> Vec<Transfer> {
    let size_gib = Dist::lognormal_from_median_p95(1.0, 20.0).expect("valid log-normal");
    let mut rng = stream(1, 0, 0, Stream::Copy);
    (0..TRANSFERS)
        .map(|_| Transfer {
            arrival_seconds: (unit_f64(&mut rng) * DAY_SECONDS) as i64,
            size_bytes: (size_gib.sample(&mut rng) * GIB) as u64,
            group: (unit_f64(&mut rng) * f64::from(ACCOUNTS)) as u32,
        })
        .collect()
}

fn bench_link(c: &mut Criterion) {
    let shuffled = transfers();
    let mut sorted = shuffled.clone();
    sorted.sort_by_key(|t| t.arrival_seconds);

    let mut link = Link::new(2_000.0 * MIB, Some(500.0 * MIB), Some(100));
    let mut out = Vec::new();
    link.run(&shuffled, &mut out);
    let (waits, last) = shuffled
        .iter()
        .zip(&out)
        .fold((0_i64, 0_i64), |(sum, last), (t, &done)| {
            (sum + (done - t.arrival_seconds), last.max(done))
        });
    let offered: u64 = shuffled.iter().map(|t| t.size_bytes).sum();
    eprintln!(
        "link: {TRANSFERS} transfers, {:.0} GiB offered (load {:.2}), mean sojourn {:.0} s, \
         last completion {:.1} h",
        offered as f64 / GIB,
        offered as f64 / (2_000.0 * MIB * DAY_SECONDS),
        waits as f64 / TRANSFERS as f64,
        last as f64 / 3_600.0
    );

    let mut group = c.benchmark_group("link");
    group.throughput(Throughput::Elements(TRANSFERS as u64));
    for (name, jobs) in [("day_10k_shuffled", &shuffled), ("day_10k_sorted", &sorted)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                link.run(black_box(jobs), &mut out);
                black_box(&out);
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_link);
criterion_main!(benches);
