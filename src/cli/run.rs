//! `vaultsim run`: load → resolve → simulate (rayon) → accumulate → report.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use sha2::{Digest, Sha256};

use super::{EXIT_BAD_INPUT, RunArgs};
use crate::montecarlo;
use crate::report::{self, summary::RunInfo};
use crate::scenario;

/// Most worker threads accepted.
const MAX_THREADS: usize = 1024;

pub fn run(args: &RunArgs) -> Result<i32> {
    let started = Instant::now();
    let (scenario, model) = match scenario::load_model(&args.scenario) {
        Ok(x) => x,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let trials = args.trials.unwrap_or(model.simulation.trials);
    if trials == 0 || trials > scenario::resolve::MAX_TRIALS as u64 {
        eprintln!(
            "error: --trials {trials} is out of range; valid: 1 to {}",
            scenario::resolve::MAX_TRIALS
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let seed = args.seed.unwrap_or(model.simulation.seed);
    let threads = args.threads.unwrap_or(0);
    if threads > MAX_THREADS {
        eprintln!("error: --threads {threads} is out of range; valid: 1 to {MAX_THREADS}");
        return Ok(EXIT_BAD_INPUT);
    }
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(&model.name));
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

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .context("cannot start worker threads")?;
    let bar = indicatif::ProgressBar::new(trials);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} trials {pos}/{len} [{bar:40}] {elapsed_precise} (eta {eta})",
        )
        .expect("valid template")
        .progress_chars("=> "),
    );
    let rows = montecarlo::rows(&model);
    let accumulator =
        pool.install(|| montecarlo::run(&model, &rows, 0..trials, seed, &|| bar.inc(1)));
    bar.finish_and_clear();
    let estimates = accumulator.finish(&rows);

    let run_info = RunInfo {
        scenario_file: args.scenario.display().to_string(),
        scenario_sha256: hex(&Sha256::digest(scenario.text.as_bytes())),
        seed,
        trials,
    };
    // Compliance: the static checks, then what only the simulation shows.
    let mut compliance = crate::compliance::check(&model);
    crate::compliance::simulated(&model, &rows, &estimates, &mut compliance);
    let compliance_files = super::check::outputs(&scenario, &model, &compliance, false);
    let files = [
        (
            "summary.json",
            report::summary::render(&model, &run_info, &rows, &estimates, &compliance.findings),
        ),
        ("rpo_rto.csv", report::csv_files::rpo_rto(&rows, &estimates)),
        (
            "rpo_rto_cdf.csv",
            report::csv_files::rpo_rto_cdf(&rows, &estimates),
        ),
        (
            "storage_daily.csv",
            report::csv_files::storage_daily(&estimates),
        ),
        (
            "restore_timeline.csv",
            report::csv_files::restore_timeline(
                &model
                    .tiers
                    .iter()
                    .map(|t| t.name.clone())
                    .collect::<Vec<_>>(),
                &estimates,
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
                &estimates,
            ),
        ),
        (
            "cost_monthly.csv",
            report::csv_files::cost_monthly(&model, &estimates),
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
                &estimates,
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
    let document = report::document::Document {
        model: &model,
        run: &run_info,
        rows: &rows,
        estimates: &estimates,
        compliance: &compliance,
        plots: &plots,
    };
    let documents = [
        ("report.html", report::document::html(&document)),
        ("report.md", report::document::markdown(&document)),
    ];
    let all = files
        .iter()
        .map(|(name, text)| (*name, text))
        .chain(compliance_files.iter().map(|(name, text)| (*name, text)))
        .chain(plots.iter().map(|(name, text)| (*name, text)))
        .chain(documents.iter().map(|(name, text)| (*name, text)));
    for (name, text) in all {
        report::write_atomically(&out_dir.join(name), text.as_bytes())?;
    }
    print!("{}", report::table::tier_table(&rows, &estimates));
    print!("{}", report::table::disaster_table(&rows, &estimates));
    print!("{}", report::table::alarm_line(&estimates));
    print!("{}", report::table::copy_wait_line(&estimates));
    print!("{}", report::table::cost_line(&model, &estimates));
    print!("{}", report::compliance::table(&compliance, 25));
    println!(
        "\n{} trials in {:.1}s; results in {}",
        trials,
        started.elapsed().as_secs_f64(),
        display_dir(&out_dir)
    );
    println!("seed {seed} (repeat this run with --seed {seed})");
    Ok(report::compliance::exit_code(&compliance, args.fail_on))
}

fn display_dir(dir: &Path) -> String {
    format!("{}/", dir.display())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
