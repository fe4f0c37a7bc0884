//! `vaultsim sweep SCENARIO --set PATH=V1,V2,… …`: every combination of the values, each
//! run with the same seed and trials (common random numbers), then `sweep.csv` and the
//! cost-versus-P(meet RTO) chart with the Pareto-efficient designs marked.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};

use super::EXIT_BAD_INPUT;
use super::simulate::simulate;
use crate::model::Severity;
use crate::report;
use crate::scenario::{self, overrides::Setting};
use crate::sweep::{self, Objective, Parameter};

/// Most grid points a sweep accepts.
const MAX_POINTS: usize = 10_000;

/// Arguments of `vaultsim sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The scenario file the sweep varies.
    pub scenario: PathBuf,
    /// A parameter and its values, PATH=V1,V2,… (repeat for a grid; see docs/sweep.md).
    #[arg(long = "set", value_name = "PATH=V1,V2,…", required = true, value_parser = Parameter::parse)]
    pub set: Vec<Parameter>,
    #[command(flatten)]
    pub trials: super::simulate::TrialArgs,
    /// Tier whose P(meet RTO) the chart and the Pareto set use (default: the first tier
    /// with an RTO target).
    #[arg(long)]
    pub tier: Option<String>,
    /// Disaster under which that P(meet RTO) is measured (default: resource_loss).
    #[arg(long, default_value = "resource_loss")]
    pub disaster: String,
    /// Cost the Pareto set and the chart use: the projected steady-state month (what the
    /// design costs once retention has filled) or the first year.
    #[arg(long, value_enum, default_value = "steady")]
    pub cost: sweep::CostMeasure,
    /// Output directory (default: outputs/sweep/<scenario>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Also write the chart as PNG (sweep.png).
    #[arg(long)]
    pub png: bool,
}

pub fn run(args: &SweepArgs) -> Result<i32> {
    let started = Instant::now();
    let points = sweep::grid(&args.set);
    if points.len() > MAX_POINTS {
        eprintln!(
            "error: the grid has {} points; a sweep accepts at most {MAX_POINTS}",
            points.len()
        );
        return Ok(EXIT_BAD_INPUT);
    }
    // Load every point before simulating any: a bad value fails the sweep at once.
    let mut models = Vec::with_capacity(points.len());
    for point in &points {
        let settings: Vec<Setting> = args
            .set
            .iter()
            .zip(point)
            .map(|(p, &v)| Setting {
                path: p.path.clone(),
                value: p.values[v].clone(),
            })
            .collect();
        let loaded = scenario::load_with(&args.scenario, &settings)
            .and_then(|s| scenario::resolve(&s).map(|m| (s, m)));
        match loaded {
            Ok((_, model)) => models.push(model),
            Err(errors) => {
                let values: Vec<String> = settings
                    .iter()
                    .map(|s| format!("{}={}", s.path, s.value))
                    .collect();
                eprintln!("{errors}");
                eprintln!("(with --set {})", values.join(" --set "));
                return Ok(EXIT_BAD_INPUT);
            }
        }
    }
    let first = &models[0];
    let tier = match &args.tier {
        Some(t) => t.clone(),
        None => match first.tiers.iter().find(|t| t.rto_target_seconds.is_some()) {
            Some(t) => t.name.clone(),
            None => {
                eprintln!("error: the scenario has no tier with an RTO target to sweep against");
                return Ok(EXIT_BAD_INPUT);
            }
        },
    };
    if !first.tiers.iter().any(|t| t.name == tier) {
        let names: Vec<&str> = first.tiers.iter().map(|t| t.name.as_str()).collect();
        eprintln!(
            "error: --tier {tier} is not a tier of the scenario; valid: {}",
            names.join(", ")
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let disasters: Vec<&str> = crate::montecarlo::View::ALL
        .iter()
        .filter(|v| {
            crate::sim::outcome::simulated(first, **v) && **v != crate::montecarlo::View::DrRegion
        })
        .map(|v| v.name())
        .collect();
    if !disasters.contains(&args.disaster.as_str()) {
        eprintln!(
            "error: --disaster {} is not simulated by the scenario; valid: {}",
            args.disaster,
            disasters.join(", ")
        );
        return Ok(EXIT_BAD_INPUT);
    }
    let objective = Objective {
        tier,
        disaster: args.disaster.clone(),
        cost: args.cost,
    };
    let (trials, seed, threads) = match args.trials.resolve(first) {
        Ok(x) => x,
        Err(message) => {
            eprintln!("{message}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let out_dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join("sweep").join(&first.name));
    eprintln!(
        "vaultsim {}: sweeping {} — {} points × {trials} trials, seed {seed}, objective P(meet RTO) of {} under {}",
        env!("CARGO_PKG_VERSION"),
        args.scenario.display(),
        points.len(),
        objective.tier,
        objective.disaster,
    );
    let mut results = Vec::with_capacity(points.len());
    for (i, (point, model)) in points.into_iter().zip(&models).enumerate() {
        let label = format!("point {}/{}: ", i + 1, models.len());
        let (rows, estimates) = simulate(model, trials, seed, threads, &label)?;
        let report = crate::compliance::check(model);
        let mut findings = [0usize; 4];
        for f in &report.findings {
            findings[match f.severity {
                Severity::Critical => 0,
                Severity::High => 1,
                Severity::Medium => 2,
                Severity::Low => 3,
            }] += 1;
        }
        results.push(sweep::summarise(
            point, &rows, &estimates, &objective, findings,
        ));
    }
    let efficient = sweep::pareto(
        &results
            .iter()
            .map(|r| (objective.cost.of(r), r.objective.map_or(f64::NAN, |o| o.0)))
            .collect::<Vec<_>>(),
    );
    let csv = report::sweep::csv(&args.set, &objective, &results, &efficient);
    let mut files: Vec<(&str, Vec<u8>)> = vec![(
        "sweep.svg",
        report::plot::sweep_chart(&csv)
            .context("plotting sweep.svg")?
            .into_bytes(),
    )];
    if args.png {
        files.push(("sweep.png", report::plot::sweep_png(&csv)?));
    }
    files.push(("sweep.csv", csv.into_bytes()));
    report::write_all(&out_dir, &files)?;
    print!(
        "{}",
        report::sweep::table(&args.set, &objective, &results, &efficient)
    );
    println!(
        "\n{} points × {trials} trials in {:.1}s; results in {}/",
        results.len(),
        started.elapsed().as_secs_f64(),
        out_dir.display()
    );
    Ok(0)
}
