//! `vaultsim run`: load → resolve → simulate (rayon) → accumulate → report.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;
use sha2::{Digest, Sha256};

use super::simulate::simulate;
use super::{EXIT_BAD_INPUT, RunArgs};
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

    let (rows, estimates) = simulate(&model, trials, seed, threads, "")?;

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
    let pngs = if args.png {
        report::plot::render_png_all(&csv_texts)?
    } else {
        Vec::new()
    };
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
    // Everything is rendered before the first file is written.
    let all = files
        .iter()
        .map(|(name, text)| (*name, text))
        .chain(compliance_files.iter().map(|(name, text)| (*name, text)))
        .chain(plots.iter().map(|(name, text)| (*name, text)))
        .chain(documents.iter().map(|(name, text)| (*name, text)));
    for (name, text) in all {
        report::write_atomically(&out_dir.join(name), text.as_bytes())?;
    }
    for (name, bytes) in &pngs {
        report::write_atomically(&out_dir.join(name), bytes)?;
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
