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

/// Draws what the jobs of `resources` (indices into the model's) draw in one trial (with
/// `throughputs` false, all but the backup throughputs: the log-normal's share of the
/// floor); returns a value depending on every draw.
fn draw_jobs(model: &Model, trial: u64, resources: &[usize], throughputs: bool) -> f64 {
    let sim = &model.simulation;
    let mut sum = 0.0;
    for &index in resources {
        let resource = &model.resources[index];
        let Some(program) = resource.program.map(|p| &model.programs[p]) else {
            continue;
        };
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

/// Backup and copy jobs `draw_jobs` draws for `resources`.
fn jobs(model: &Model, resources: &[usize]) -> (u64, u64) {
    let (mut backups, mut copies) = (0, 0);
    for &index in resources {
        if let Some(program) = model.resources[index].program.map(|p| &model.programs[p]) {
            backups += program.slots.len() as u64;
            copies += program
                .slots
                .iter()
                .map(|s| program.copy_sets[usize::from(s.copies)].len() as u64)
                .sum::<u64>();
        }
    }
    (backups, copies)
}

fn floor(c: &mut Criterion) {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench-reference.toml");
    let (_, model) = vaultsim::scenario::load_model(&file).expect("the reference scenario loads");
    let all: Vec<usize> = sample(&model).map(|(index, _)| index).collect();
    let crossing: Vec<usize> = sample(&model)
        .filter(|(_, resource)| model.copies_cross_regions(resource))
        .map(|(index, _)| index)
        .collect();
    let (backups, copies) = jobs(&model, &all);
    let (crossing_backups, crossing_copies) = jobs(&model, &crossing);
    eprintln!(
        "floor: {backups} backup jobs and {copies} copy jobs per iteration; \
         {crossing_backups} and {crossing_copies} of them of resources whose copies cross regions"
    );
    let mut group = c.benchmark_group("floor");
    // Every bench counts every job of the sample, so its ns per element is its part's
    // share per job of the whole mix.
    group.throughput(Throughput::Elements(backups + copies));
    let mut trial = 0;
    for (name, resources, throughputs) in [
        ("reference_job_draws", &all, true),
        ("reference_job_draws_without_backup_throughput", &all, false),
        (
            "reference_job_draws_of_cross_region_resources",
            &crossing,
            true,
        ),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                trial += 1;
                black_box(draw_jobs(&model, trial, resources, throughputs))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, floor);
criterion_main!(benches);
