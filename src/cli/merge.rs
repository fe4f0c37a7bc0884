//! `vaultsim merge INPUT... [--out DIR]`: the partials of every shard of a run → the
//! run's outputs, byte-identical to a single run with the same seed (`partial`).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Result;

use super::EXIT_BAD_INPUT;
use super::run::{Publish, publish};
use crate::partial;
use crate::scenario;

/// Arguments of `vaultsim merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Partial files, or directories whose `partial-*.bin` files are read (in any order;
    /// every shard of the run exactly once).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output directory (default: outputs/<scenario name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write every plot as PNG.
    #[arg(long)]
    pub png: bool,
    /// Exit 1 when a finding is at least this severe (as `run --fail-on`).
    #[arg(long, value_parser = super::parse_severity)]
    pub fail_on: Option<crate::model::Severity>,
}

pub fn run(args: &MergeArgs) -> Result<i32> {
    let started = Instant::now();
    let files = match partial_files(&args.inputs) {
        Ok(f) => f,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    // Each partial is checked against the first and folded in as soon as it is read,
    // so a merge holds one accumulator and one partial at a time, whatever the number
    // of shards (folding is exact and in any order: `Accumulator::merge`).
    let mut headers: Vec<partial::Header> = Vec::new();
    let mut merged: Option<crate::montecarlo::Accumulator> = None;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    for (file, name) in files.iter().zip(&names) {
        // Decoded as it is read (`partial::read`): the merge holds no copy of its bytes.
        let decoded = std::fs::File::open(file)
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(partial::read);
        let (h, a) = match decoded {
            Ok(x) => x,
            Err(message) => {
                eprintln!("error: {name}: {message}");
                return Ok(EXIT_BAD_INPUT);
            }
        };
        if let Some(first) = headers.first()
            && let Err(message) = partial::check_same_run(first, &names[0], &h, name)
        {
            eprintln!("error: {message}");
            return Ok(EXIT_BAD_INPUT);
        }
        if let Some(m) = &merged
            && let Err(problems) = m.check_fits(&a)
        {
            eprintln!(
                "error: {name} does not fit {}: {problems}. Its header names the same run, so the file was altered or damaged; copy it again from where its shard wrote it, or re-run that shard",
                names[0]
            );
            return Ok(EXIT_BAD_INPUT);
        }
        headers.push(h);
        merged = Some(match merged {
            None => a,
            Some(m) => m.merge(a),
        });
    }
    if let Err(message) = partial::check_complete(&headers, &names) {
        eprintln!("error: {message}");
        return Ok(EXIT_BAD_INPUT);
    }
    let header = &headers[0];
    if header.vaultsim_version != env!("CARGO_PKG_VERSION")
        || header.maths_fingerprint != crate::dist::maths_fingerprint()
    {
        eprintln!(
            "error: the partials were made by vaultsim {} (maths {}); this is vaultsim {} (maths {}): merge with the same build as the shards",
            header.vaultsim_version,
            header.maths_fingerprint,
            env!("CARGO_PKG_VERSION"),
            crate::dist::maths_fingerprint()
        );
        return Ok(EXIT_BAD_INPUT);
    }
    // The outputs need the model: reload the scenario and check it is the one simulated,
    // down to the policy and price files it reads.
    let scenario_file = PathBuf::from(&header.scenario_file);
    let (scenario, model) = match scenario::load_model(&scenario_file) {
        Ok(x) => x,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let sha = scenario.sha256();
    if sha != header.scenario_sha256 {
        eprintln!(
            "error: {} has changed since the shards ran (SHA-256 {sha}, the shards simulated {}); merge with the scenario they ran",
            header.scenario_file, header.scenario_sha256
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let inputs = crate::model::InputFile::difference(
        &header.inputs,
        "the shards' run",
        &model.inputs,
        "this merge",
    );
    if let Some(difference) = inputs {
        eprintln!(
            "error: a file that {} reads has changed since the shards ran ({difference}); merge with the policy and price files they read",
            header.scenario_file
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let rows = crate::montecarlo::rows(&model);
    let merged = merged.expect("at least one partial");
    if merged.trials() != header.trials {
        eprintln!(
            "error: the partials hold {} trials; the run has {}",
            merged.trials(),
            header.trials
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let estimates = merged.finish(&rows);
    eprintln!(
        "vaultsim {}: merged {} shards of {} ({} trials, seed {})",
        env!("CARGO_PKG_VERSION"),
        headers.len(),
        header.scenario_file,
        header.trials,
        header.seed
    );
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(&model.name));
    publish(&Publish {
        scenario: &scenario,
        model: &model,
        run_info: &header.run_info(),
        rows: &rows,
        estimates: &estimates,
        out_dir: &out_dir,
        png: args.png,
        fail_on: args.fail_on,
        started,
    })
}

/// The partial files named by `inputs`: files as given, directories' `partial-*.bin`.
fn partial_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .map_err(|e| format!("{}: cannot read the directory: {e}", input.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| is_partial(p))
                .collect();
            if found.is_empty() {
                return Err(format!("{}: no partial-*.bin file", input.display()));
            }
            found.sort();
            out.extend(found);
        } else if input.is_file() {
            out.push(input.clone());
        } else {
            return Err(format!("{}: no such file or directory", input.display()));
        }
    }
    Ok(out)
}

fn is_partial(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("partial-") && n.ends_with(".bin"))
}
