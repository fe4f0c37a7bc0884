//! One trial of the default scenario (scenarios/landing-zone.toml): the unit of work the
//! Monte Carlo driver repeats. `cargo bench --bench trial`.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use vaultsim::sim::trial::{Scratch, simulate_with};

fn default_trial(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/landing-zone.toml");
    let (_, model) = vaultsim::scenario::load_model(&file).expect("the default scenario loads");
    let jobs: usize = model
        .resources
        .iter()
        .filter_map(|r| r.program)
        .map(|p| model.programs[p].slots.len())
        .sum();
    eprintln!(
        "default scenario: {} resources, {jobs} scheduled jobs per trial",
        model.resources.len()
    );
    let mut group = c.benchmark_group("trial");
    group.sample_size(10);
    let mut scratch = Scratch::default();
    let mut trial = 0;
    group.bench_function("landing-zone", |b| {
        b.iter(|| {
            trial += 1;
            black_box(simulate_with(&model, trial, 20_261_126, &mut scratch))
        })
    });
    // The same trial without the cost stage: what cost accounting adds (issue 5: at most
    // 20 %).
    let unpriced = vaultsim::model::Model {
        costs: None,
        ..model.clone()
    };
    group.bench_function("landing-zone-unpriced", |b| {
        b.iter(|| {
            trial += 1;
            black_box(simulate_with(&unpriced, trial, 20_261_126, &mut scratch))
        })
    });
    group.finish();
}

fn resolve_default(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/landing-zone.toml");
    let mut group = c.benchmark_group("resolve");
    group.sample_size(10);
    group.bench_function("landing-zone", |b| {
        b.iter(|| black_box(vaultsim::scenario::load_model(&file).expect("loads")))
    });
    group.finish();
}

criterion_group!(benches, default_trial, resolve_default);
criterion_main!(benches);
