//! `vaultsim run`: load → resolve → simulate (rayon) → accumulate → report.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};

use super::simulate::{simulate, simulate_trials};
use super::{EXIT_BAD_INPUT, RunArgs};
use crate::partial;
use crate::report::{self, summary::RunInfo};
use crate::scenario;

pub fn run(args: &RunArgs) -> Result<i32> {
    let started = Instant::now();
    let (scenario, model) = match scenario::load_model(&args.scenario) {
        Ok(x) => x,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let (trials, seed, threads) = match args.trials.resolve(&model) {
        Ok(x) => x,
        Err(message) => {
            eprintln!("{message}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let shard = match shard_of(args, trials) {
        Ok(s) => s,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let out_dir = args.out.clone().unwrap_or_else(|| {
        let dir = PathBuf::from("outputs").join(&model.name);
        if shard.is_some() {
            dir.join("partials")
        } else {
            dir
        }
    });
    eprintln!(
        "vaultsim {}: {} — {} accounts, {} resources ({} protected), {} trials, seed {seed}",
        env!("CARGO_PKG_VERSION"),
        args.scenario.display(),
        model.accounts.len(),
        model.resources.len(),
        model
            .resources
            .iter()
            .filter(|r| r.program.is_some())
            .count(),
        trials,
    );

    let run_info = RunInfo {
        scenario_file: args.scenario.display().to_string(),
        scenario_sha256: scenario.sha256(),
        inputs: model.inputs.clone(),
        seed,
        trials,
    };
    if let Some((shard, shards)) = shard {
        let header = partial::Header::new(&run_info, shard, shards);
        let indices = header.trial_indices();
        let count = indices.len();
        let (_, mut accumulator) = simulate_trials(&model, indices, seed, threads, "")?;
        accumulator.put_in_trial_order();
        let file = out_dir.join(header.file_name());
        // Streamed into place (`partial::write`): the shard holds no copy of its bytes.
        let mut staging = report::Staging::new(&out_dir)?;
        let mut staged = staging.create(&header.file_name())?;
        partial::write(&header, &accumulator, &mut staged)
            .with_context(|| format!("cannot write {}", file.display()))?;
        staged.finish()?;
        staging.commit()?;
        println!(
            "shard {shard}/{shards}: {count} of {trials} trials in {:.1}s; partial in {}",
            started.elapsed().as_secs_f64(),
            file.display()
        );
        println!("merge every shard with: vaultsim merge DIR... (docs/scale.md)");
        return Ok(0);
    }
    let (rows, estimates) = simulate(&model, trials, seed, threads, "")?;
    publish(&Publish {
        scenario: &scenario,
        model: &model,
        run_info: &run_info,
        rows: &rows,
        estimates: &estimates,
        out_dir: &out_dir,
        png: args.png,
        fail_on: args.fail_on,
        started,
    })
}

/// What `publish` writes a run's outputs from: a single run's, or a merge's.
pub(super) struct Publish<'a> {
    pub scenario: &'a scenario::Scenario,
    pub model: &'a crate::model::Model,
    pub run_info: &'a RunInfo,
    pub rows: &'a [crate::montecarlo::RowSpec],
    pub estimates: &'a crate::montecarlo::Estimates,
    pub out_dir: &'a Path,
    pub png: bool,
    pub fail_on: Option<crate::model::Severity>,
    pub started: Instant,
}

/// Checks the design, renders every output file, writes them all, prints the tables and
/// returns the exit code.
pub(super) fn publish(p: &Publish<'_>) -> Result<i32> {
    let Publish {
        scenario,
        model,
        run_info,
        rows,
        estimates,
        out_dir,
        ..
    } = *p;
    // Compliance: the static checks, then what only the simulation shows.
    let mut compliance = crate::compliance::check(model);
    crate::compliance::simulated(model, rows, estimates, &mut compliance);
    let files = [
        (
            "summary.json",
            report::summary::render(model, run_info, rows, estimates, &compliance.findings),
        ),
        ("rpo_rto.csv", report::csv_files::rpo_rto(rows, estimates)),
        (
            "rpo_rto_cdf.csv",
            report::csv_files::rpo_rto_cdf(rows, estimates),
        ),
        (
            "storage_daily.csv",
            report::csv_files::storage_daily(estimates),
        ),
        (
            "restore_timeline.csv",
            report::csv_files::restore_timeline(
                &model
                    .tiers
                    .iter()
                    .map(|t| t.name.clone())
                    .collect::<Vec<_>>(),
                estimates,
            ),
        ),
        (
            "copies_daily.csv",
            report::csv_files::copies_daily(
                &model
                    .region_pairs
                    .iter()
                    .map(|p| format!("{}>{}", p.source, p.destination))
                    .collect::<Vec<_>>(),
                estimates,
            ),
        ),
        (
            "cost_monthly.csv",
            report::csv_files::cost_monthly(model, estimates),
        ),
        (
            "alarms_monthly.csv",
            report::csv_files::alarms_monthly(
                &model
                    .simulation
                    .months
                    .iter()
                    .map(|m| m.label.clone())
                    .collect::<Vec<_>>(),
                estimates,
            ),
        ),
    ];
    // Plots read only the CSVs just rendered; the reports inline them.
    let csv_texts: std::collections::BTreeMap<&str, String> = files
        .iter()
        .filter(|(name, _)| name.ends_with(".csv"))
        .map(|(name, text)| (*name, text.clone()))
        .collect();
    let plots = report::plot::render_all(&csv_texts)?;
    let pngs = if p.png {
        report::plot::render_png_all(&csv_texts)?
    } else {
        Vec::new()
    };
    let document = report::document::Document {
        model,
        run: run_info,
        rows,
        estimates,
        compliance: &compliance,
        plots: &plots,
    };
    let documents = [
        ("report.html", report::document::html(&document)),
        ("report.md", report::document::markdown(&document)),
    ];
    // Each output is written to its temporary file as soon as it is rendered; all move
    // into place together once every one is written, so a failure leaves nothing
    // half-written.
    let mut staging = report::Staging::new(out_dir)?;
    for (name, text) in files.iter().chain(&documents) {
        staging.stage(name, text.as_bytes())?;
    }
    for (name, text) in &plots {
        staging.stage(name, text.as_bytes())?;
    }
    for (name, bytes) in &pngs {
        staging.stage(name, bytes)?;
    }
    super::check::stage_outputs(scenario, model, &compliance, false, &mut staging)?;
    staging.commit()?;
    print!("{}", report::table::tier_table(rows, estimates));
    print!("{}", report::table::disaster_table(rows, estimates));
    print!("{}", report::table::alarm_line(estimates));
    print!("{}", report::table::copy_wait_line(estimates));
    print!("{}", report::table::cost_line(model, estimates));
    print!("{}", report::compliance::table(&compliance, 25));
    println!(
        "\n{} trials in {:.1}s; results in {}",
        run_info.trials,
        p.started.elapsed().as_secs_f64(),
        display_dir(out_dir)
    );
    let seed = run_info.seed;
    println!("seed {seed} (repeat this run with --seed {seed})");
    Ok(report::compliance::exit_code(&compliance, p.fail_on))
}

/// Environment variables of array-job engines that hold a task's index (0-based when the
/// array is declared from 0): Kubernetes Indexed Jobs, AWS Batch array jobs, Slurm.
pub const SHARD_INDEX_VARIABLES: [&str; 3] = [
    "JOB_COMPLETION_INDEX",
    "AWS_BATCH_JOB_ARRAY_INDEX",
    "SLURM_ARRAY_TASK_ID",
];

/// The shard `(index, count)` a run simulates: `--shard I/N`, or `--shards N` with the
/// index from the first array-job variable set; `None` for a whole run.
fn shard_of(args: &RunArgs, trials: u64) -> Result<Option<(u64, u64)>, String> {
    let (index, count) = match (&args.shard, args.shards) {
        (None, None) => return Ok(None),
        (Some(_), Some(_)) => return Err("give --shard I/N or --shards N, not both".to_string()),
        (Some(text), None) => {
            let parsed = text
                .split_once('/')
                .and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
            parsed.ok_or_else(|| format!("--shard {text} is not I/N, e.g. --shard 0/4"))?
        }
        (None, Some(count)) => {
            let (name, value) = SHARD_INDEX_VARIABLES
                .iter()
                .find_map(|v| std::env::var(v).ok().map(|x| (*v, x)))
                .ok_or_else(|| {
                    format!(
                        "--shards {count} takes the shard index from {}, and none is set; or give --shard I/{count}",
                        SHARD_INDEX_VARIABLES.join(", ")
                    )
                })?;
            let index = value
                .trim()
                .parse()
                .map_err(|_| format!("{name}={value} is not a shard index (0, 1, …)"))?;
            (index, count)
        }
    };
    if count == 0 || count > trials {
        return Err(format!(
            "{count} shards for {trials} trials; valid: 1 to {trials} (a shard needs a trial)"
        ));
    }
    if index >= count {
        return Err(format!(
            "shard index {index} is out of range for {count} shards; valid: 0 to {} (array jobs must number their tasks from 0)",
            count - 1
        ));
    }
    Ok(Some((index, count)))
}

fn display_dir(dir: &Path) -> String {
    format!("{}/", dir.display())
}
