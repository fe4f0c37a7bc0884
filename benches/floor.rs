//! The floor under the speed target (issue 8: ≤ 30 ns per backup or copy job per core):
//! only the random draws each job of the reference workload makes, and nothing else — no
//! schedule, storage, exposure, link, cost or histogram. A backup job draws its start
//! delay, its failure and its throughput (log-normal, through the portable `libm::exp`
//! that keeps draws bit-identical across machines and builds); a copy job draws its
//! failure and its in-region throughput. Each resource's two streams are derived once,
//! as a trial does.
//!
//! The mix is the reference scenario's (`scenarios/bench-reference.toml`): every scheduled
//! slot's backup draws, and its copy draws for every copy its rule asks for (a trial skips
//! the copy draws of a failed or cut-off backup, ~1–2 % of slots, so this slightly
//! overstates the copies). `cargo bench --bench floor`; criterion reports elements per
//! second, one element per job (ns per job = time ÷ elements).
//!
//! A third bench draws only for the resources whose copies cross regions, still counting
//! every job of the sample: the part of the floor that a faster kernel could not skip
//! (docs/speed.md), because those jobs' times decide when their copies reach the shared
//! link and whether the next job waits for them.

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use vaultsim::dist::bernoulli;
use vaultsim::model::{Model, Resource};
use vaultsim::rng::{Stream, stream};

/// Resources of the reference estate drawn per iteration: every `len / RESOURCES`-th in
/// estate order, so every account template and environment appears in its share.
const RESOURCES: usize = 2_000;

/// The resources drawn for: a stride through the estate.
fn sample(model: &Model) -> impl Iterator<Item = (usize, &Resource)> {
    let stride = (model.resources.len() / RESOURCES).max(1);
    model
        .resources
        .iter()
        .enumerate()
        .step_by(stride)
        .take(RESOURCES)
}

/// Which of the sampled jobs' draws a bench makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Draws {
    /// Every draw.
    All,
    /// All but the backup throughputs: the log-normal's share of the floor.
    WithoutBackupThroughput,
    /// Every draw of the resources whose copies cross regions, none of the others.
    CrossRegionResources,
}

/// Draws what the jobs of the sampled resources draw in one trial (`which` of them);
/// returns a value depending on every draw made.
fn draw_jobs(model: &Model, trial: u64, which: Draws) -> f64 {
    let sim = &model.simulation;
    let throughputs = which != Draws::WithoutBackupThroughput;
    let mut sum = 0.0;
    for (index, resource) in sample(model) {
        let Some(program) = resource.program.map(|p| &model.programs[p]) else {
            continue;
        };
        if which == Draws::CrossRegionResources && !model.copies_cross_regions(resource) {
            continue;
        }
        let behaviour = &model.behaviour[resource.resource_type as usize];
        let mut rng = stream(20_261_128, trial, index as u64, Stream::BackupJob);
        let mut copy_rng = stream(20_261_128, trial, index as u64, Stream::Copy);
        for slot in &program.slots {
            let delay = sim.start_delay_minutes.sample_non_negative(&mut rng);
            let fails = bernoulli(&mut rng, behaviour.failure_probability);
            let throughput = if throughputs {
                behaviour.backup_throughput_mib_per_s.sample(&mut rng)
            } else {
                0.0
            };
            sum += delay + throughput + f64::from(u8::from(fails));
            for _ in &program.copy_sets[usize::from(slot.copies)] {
                let fails = bernoulli(&mut copy_rng, behaviour.copy_failure_probability);
                let intra = sim
                    .intra_region_copy_mib_per_s
                    .sample_non_negative(&mut copy_rng);
                sum += intra + f64::from(u8::from(fails));
            }
        }
    }
    sum
}

/// Backup and copy jobs `draw_jobs` draws for, all of them and those of resources whose
/// copies cross regions.
fn jobs(model: &Model) -> ((u64, u64), (u64, u64)) {
    let (mut all, mut crossing) = ((0, 0), (0, 0));
    for (_, resource) in sample(model) {
        if let Some(program) = resource.program.map(|p| &model.programs[p]) {
            let backups = program.slots.len() as u64;
            let copies = program
                .slots
                .iter()
                .map(|s| program.copy_sets[usize::from(s.copies)].len() as u64)
                .sum::<u64>();
            all = (all.0 + backups, all.1 + copies);
            if model.copies_cross_regions(resource) {
                crossing = (crossing.0 + backups, crossing.1 + copies);
            }
        }
    }
    (all, crossing)
}

fn floor(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench-reference.toml");
    let (_, model) = vaultsim::scenario::load_model(&file).expect("the reference scenario loads");
    let ((backups, copies), (crossing_backups, crossing_copies)) = jobs(&model);
    eprintln!(
        "floor: {backups} backup jobs and {copies} copy jobs per iteration; \
         {crossing_backups} and {crossing_copies} of them of resources whose copies cross regions"
    );
    let mut group = c.benchmark_group("floor");
    group.throughput(Throughput::Elements(backups + copies));
    let mut trial = 0;
    for (name, which) in [
        ("reference_job_draws", Draws::All),
        (
            "reference_job_draws_without_backup_throughput",
            Draws::WithoutBackupThroughput,
        ),
        (
            "reference_job_draws_of_cross_region_resources",
            Draws::CrossRegionResources,
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                trial += 1;
                black_box(draw_jobs(&model, trial, which))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, floor);
criterion_main!(benches);
