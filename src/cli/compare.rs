//! `vaultsim compare A.toml B.toml`: both designs over the same trials with the same seed
//! (common random numbers), then the paired differences B − A.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};

use super::EXIT_BAD_INPUT;
use super::simulate::simulate;
use crate::model::{Model, Resource};
use crate::report::{
    self,
    compare::{CompareInfo, Design},
};
use crate::scenario;

/// Arguments of `vaultsim compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// Design A (the reference), a scenario file.
    pub a: PathBuf,
    /// Design B, compared with A (differences are B − A).
    pub b: PathBuf,
    #[command(flatten)]
    pub trials: super::simulate::TrialArgs,
    /// Output directory (default: outputs/compare/<A>-vs-<B>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the chart as PNG (compare.png).
    #[arg(long)]
    pub png: bool,
}

pub fn run(args: &CompareArgs) -> Result<i32> {
    let started = Instant::now();
    let mut designs = Vec::new();
    for file in [&args.a, &args.b] {
        match scenario::load_model(file) {
            Ok(x) => designs.push(x),
            Err(errors) => {
                eprintln!("{errors}");
                return Ok(EXIT_BAD_INPUT);
            }
        }
    }
    let (b_scenario, b_model) = designs.pop().expect("two designs");
    let (a_scenario, a_model) = designs.pop().expect("two designs");
    let (trials, seed, threads) = match args.trials.resolve(&a_model) {
        Ok(x) => x,
        Err(message) => {
            eprintln!("{message}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let out_dir = args.out.clone().unwrap_or_else(|| {
        PathBuf::from("outputs")
            .join("compare")
            .join(format!("{}-vs-{}", a_model.name, b_model.name))
    });
    let same_resources = same_resources(&a_model, &b_model);
    eprintln!(
        "vaultsim {}: comparing {} (A) with {} (B) — {} trials each, seed {seed}, {same_resources} resources the same in both",
        env!("CARGO_PKG_VERSION"),
        args.a.display(),
        args.b.display(),
        trials,
    );
    if same_resources == 0 {
        eprintln!(
            "warning: the designs share no resource; the paired intervals will be no narrower than independent runs'"
        );
    }
    let (rows_a, estimates_a) = simulate(&a_model, trials, seed, threads, "A: ")?;
    let (rows_b, estimates_b) = simulate(&b_model, trials, seed, threads, "B: ")?;
    let comparison = crate::compare::compare(
        &rows_a,
        &estimates_a,
        &rows_b,
        &estimates_b,
        &crate::cost::COST_CATEGORIES,
    );
    let info = CompareInfo {
        a: Design {
            file: args.a.display().to_string(),
            sha256: a_scenario.sha256(),
            inputs: a_model.inputs.clone(),
        },
        b: Design {
            file: args.b.display().to_string(),
            sha256: b_scenario.sha256(),
            inputs: b_model.inputs.clone(),
        },
        seed,
        trials,
        resources: (a_model.resources.len(), b_model.resources.len()),
        same_resources,
    };
    let csv = report::compare::csv(&comparison);
    let mut files: Vec<(&str, Vec<u8>)> = vec![
        (
            "compare.json",
            report::compare::json(&info, &comparison).into_bytes(),
        ),
        (
            "compare.svg",
            report::plot::compare_chart(&csv)
                .context("plotting compare.svg")?
                .into_bytes(),
        ),
    ];
    if args.png {
        files.push(("compare.png", report::plot::compare_png(&csv)?));
    }
    files.push(("compare.csv", csv.into_bytes()));
    report::write_all(&out_dir, &files)?;
    print!("{}", report::compare::table(&info, &comparison));
    println!(
        "\n2 × {trials} trials in {:.1}s; results in {}/",
        started.elapsed().as_secs_f64(),
        out_dir.display()
    );
    Ok(0)
}

/// Resources that are the same in both designs: same position, stable id, account,
/// region, type, size and change rate, so they draw the same random numbers.
fn same_resources(a: &Model, b: &Model) -> usize {
    fn key(r: &Resource) -> (u64, &str, &str, crate::model::ResourceType, u64, u64) {
        (
            r.entity_id,
            r.name.as_str(),
            &*r.region,
            r.resource_type,
            r.size_bytes,
            r.daily_change_fraction.to_bits(),
        )
    }
    a.resources
        .iter()
        .zip(&b.resources)
        .filter(|(x, y)| key(x) == key(y))
        .count()
}
