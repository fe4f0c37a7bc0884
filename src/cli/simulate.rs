//! Running a model's trials on a worker pool with a progress bar: shared by `run`,
//! `compare` and `sweep`.

use std::time::Instant;

use anyhow::{Context, Result};

use crate::model::Model;
use crate::montecarlo::{self, Accumulator, Estimates, RowSpec};

/// Most worker threads accepted.
pub const MAX_THREADS: usize = 1024;

/// The trial options every simulating command takes.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TrialArgs {
    /// Number of trials (default: the scenario's `simulation.trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Master seed (default: the scenario's `simulation.seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Changes speed only, never results.
    #[arg(long)]
    pub threads: Option<usize>,
}

impl TrialArgs {
    /// (trials, seed, threads) with the scenario's defaults, or a message naming the flag
    /// out of range.
    pub fn resolve(&self, model: &Model) -> Result<(u64, u64, usize), String> {
        let trials = self.trials.unwrap_or(model.simulation.trials);
        let threads = self.threads.unwrap_or(0);
        check_counts(trials, threads)?;
        Ok((trials, self.seed.unwrap_or(model.simulation.seed), threads))
    }
}

/// Checks `--trials` and `--threads` against their ranges; the message names the flag.
fn check_counts(trials: u64, threads: usize) -> Result<(), String> {
    if trials == 0 || trials > crate::scenario::resolve::MAX_TRIALS as u64 {
        return Err(format!(
            "error: --trials {trials} is out of range; valid: 1 to {}",
            crate::scenario::resolve::MAX_TRIALS
        ));
    }
    if threads > MAX_THREADS {
        return Err(format!(
            "error: --threads {threads} is out of range; valid: 1 to {MAX_THREADS}"
        ));
    }
    Ok(())
}

/// Runs trials `0..trials` of `model` with `seed` on `threads` workers (0: all cores),
/// showing `label` and a progress bar on the terminal.
pub fn simulate(
    model: &Model,
    trials: u64,
    seed: u64,
    threads: usize,
    label: &str,
) -> Result<(Vec<RowSpec>, Estimates)> {
    let (rows, accumulator) = simulate_trials(model, (0..trials).collect(), seed, threads, label)?;
    let estimates = accumulator.finish(&rows);
    Ok((rows, estimates))
}

/// Runs the trials with indices `trials` (a shard's share), as `simulate`, and returns
/// their exact accumulator.
pub fn simulate_trials(
    model: &Model,
    trials: Vec<u64>,
    seed: u64,
    threads: usize,
    label: &str,
) -> Result<(Vec<RowSpec>, Accumulator)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    let bar = indicatif::ProgressBar::new(trials.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(&format!(
            "{{spinner}} {label}trials {{pos}}/{{len}} [{{bar:40}}] {{elapsed_precise}} (eta {{eta}})"
        ))
        .expect("valid template")
        .progress_chars("=> "),
    );
    let rows = montecarlo::rows(model);
    let count = trials.len();
    let started = Instant::now();
    let accumulator = pool.install(|| montecarlo::run(model, &rows, trials, seed, &|| bar.inc(1)));
    let seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    if label.is_empty() {
        // benches/reference.sh reads this line.
        let (backup, copy) = accumulator.jobs_simulated();
        let jobs = backup + copy;
        let threads = pool.current_num_threads();
        eprintln!(
            "simulated {count} trials: {jobs} jobs ({backup} backup, {copy} copy) in {seconds:.3}s \
             on {threads} threads, {:.1} ns per job per thread",
            seconds * threads as f64 * 1e9 / jobs.max(1) as f64
        );
    }
    Ok((rows, accumulator))
}
