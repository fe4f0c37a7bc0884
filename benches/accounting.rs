//! The accounting hot paths a trial and the driver repeat: RPO/RTO histograms (a ramp per
//! exposure segment, a merge per trial and per shard) and storage billing (one
//! `meter_storage` per stored interval, in exact integers, folded once; against the
//! month-by-month floating-point `billed_gb_months` it replaced). `cargo bench --bench accounting`; criterion
//! reports elements per second (ns per element = time ÷ elements).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vaultsim::cost::{MonthStorage, StoredInterval, billed_gb_months, fold_storage, meter_storage};
use vaultsim::dist::unit_f64;
use vaultsim::model::{DAY_SECONDS, month_at, month_of_day, months};
use vaultsim::rng::{Stream, stream};
use vaultsim::stats::histogram::Histogram;

const RAMPS: usize = 10_000;
const INTERVALS: usize = 10_000;
/// 2026-01-01T00:00:00Z.
const EPOCH: i64 = 1_767_225_600;

/// Exposure ramps as a daily schedule makes them: from a few minutes to a few days.
fn ramps() -> Vec<(u64, u64)> {
    let mut rng = stream(7, 0, 0, Stream::BackupJob);
    (0..RAMPS)
        .map(|_| {
            let from = (unit_f64(&mut rng) * 3_600.0) as u64;
            let length = (unit_f64(&mut rng).powi(3) * 4.0 * DAY_SECONDS as f64) as u64 + 60;
            (from, from + length)
        })
        .collect()
}

/// A histogram filled like one group's RPO histogram after a trial.
fn filled(seed: u64) -> Histogram {
    let mut h = Histogram::new();
    let mut rng = stream(seed, 0, 0, Stream::Copy);
    for _ in 0..RAMPS {
        let from = (unit_f64(&mut rng) * 7_200.0) as u64;
        h.add_ramp(
            from,
            from + (unit_f64(&mut rng) * 2.0 * DAY_SECONDS as f64) as u64,
        );
        h.add_point((unit_f64(&mut rng) * 30.0 * DAY_SECONDS as f64) as u64, 1);
    }
    h
}

fn bench_histogram(c: &mut Criterion) {
    let mut group = c.benchmark_group("histogram");
    let segments = ramps();
    group.throughput(Throughput::Elements(RAMPS as u64));
    group.bench_function("add_ramp_10k", |b| {
        b.iter(|| {
            let mut h = Histogram::new();
            for &(from, to) in &segments {
                h.add_ramp(black_box(from), black_box(to));
            }
            h
        })
    });
    let (a, other) = (filled(1), filled(2));
    group.throughput(Throughput::Elements(1));
    group.bench_function("merge_filled", |b| {
        b.iter(|| {
            let mut merged = a.clone();
            merged.merge(black_box(&other));
            merged
        })
    });
    group.bench_function("quantile_p95", |b| b.iter(|| black_box(&a).quantile(0.95)));
    group.finish();
}

fn bench_billing(c: &mut Criterion) {
    let year = months(EPOCH, 365 * DAY_SECONDS);
    let mut rng = stream(3, 0, 0, Stream::BackupJob);
    // Warm intervals of daily points (a day to five weeks) and cold ones (months).
    let intervals: Vec<StoredInterval> = (0..INTERVALS)
        .map(|i| {
            let from = (unit_f64(&mut rng) * 330.0 * DAY_SECONDS as f64) as i64;
            let days = if i % 4 == 0 {
                90.0 + 300.0 * unit_f64(&mut rng)
            } else {
                1.0 + 35.0 * unit_f64(&mut rng)
            };
            StoredInterval::new(
                (unit_f64(&mut rng) * 5e11) as u64,
                from,
                from + (days * DAY_SECONDS as f64) as i64,
            )
        })
        .collect();
    let mut group = c.benchmark_group("billing");
    group.throughput(Throughput::Elements(INTERVALS as u64));
    for (name, per_day) in [("gb_hours_10k", false), ("gb_days_10k", true)] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut per_month = vec![0.0; year.len()];
                for &interval in &intervals {
                    billed_gb_months(black_box(interval), &year, 1e9, per_day, &mut per_month);
                }
                per_month
            })
        });
    }
    let table = month_of_day(&year);
    for (name, per_day) in [
        ("spanning_gb_hours_10k", false),
        ("spanning_gb_days_10k", true),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut row = vec![MonthStorage::default(); year.len()];
                for &interval in &intervals {
                    meter_storage(
                        black_box(interval),
                        &year,
                        |t| month_at(&year, &table, t),
                        per_day,
                        &mut row,
                    );
                }
                let mut per_month = vec![0.0; year.len()];
                fold_storage(&row, &year, 1e9, &mut per_month);
                per_month
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_histogram, bench_billing);
criterion_main!(benches);
