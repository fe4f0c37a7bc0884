//! The command line: argument parsing and the subcommands. This layer (with `main`) is the
//! only one that touches files, the clock, the terminal and the exit code.

mod check;
mod compare;
mod gate;
mod merge;
mod policy;
mod run;
mod schedule;
mod simulate;
mod sweep;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// The scenario run when none is named.
pub const DEFAULT_SCENARIO: &str = "scenarios/landing-zone.toml";

/// Exit code for bad input or I/O errors.
pub const EXIT_BAD_INPUT: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "vaultsim",
    version,
    about = "Monte Carlo simulation of AWS Backup designs across an AWS organization",
    long_about = "Simulates backup schedules, job failures, lifecycles and restores across \
                  thousands of accounts and reports the RPO and RTO actually achievable, \
                  storage held per day, and the probability of meeting each target.\n\n\
                  With no subcommand, runs the default scenario (scenarios/landing-zone.toml).",
    after_help = "Examples:\n  vaultsim                                   run the default scenario\n  \
                  vaultsim run scenarios/landing-zone.toml --trials 1000 --seed 7\n  \
                  vaultsim schedule 'cron(0 5 ? * * *)' --after 2025-03-10T12:00:00Z --count 3\n  \
                  vaultsim policy effective --level root.json --level ou.json --level account.json"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run a scenario's Monte Carlo simulation and write its results.
    #[command(after_help = "Examples:\n  vaultsim run\n  \
                  vaultsim run scenarios/landing-zone.toml --trials 2000 --threads 2\n  \
                  vaultsim run my.toml --seed 7 --out /tmp/results\n\n\
                  Results go to outputs/<scenario>/ (summary.json, rpo_rto.csv, storage_daily.csv).\n\
                  The same seed gives byte-identical results on any thread count.")]
    Run(RunArgs),
    /// Print the next fire times of an AWS Backup cron expression.
    #[command(after_help = "Examples:\n  \
                  vaultsim schedule 'cron(0 5 ? * * *)' --after 2025-03-10T12:00:00Z --count 3\n  \
                  vaultsim schedule 'cron(0 2 ? * SUN *)' --after 2025-03-01T00:00:00Z --count 5 --timezone Europe/Berlin\n\n\
                  Prints one RFC 3339 UTC instant per line; an invalid expression exits with code 2.")]
    Schedule(ScheduleArgs),
    /// Work with AWS Organizations backup policies (JSON).
    #[command(after_help = "Examples:\n  \
                  vaultsim policy effective --level root.json --level prod-ou.json --level account.json\n  \
                  vaultsim policy effective --level root.json --level ou-a.json,ou-b.json --account 111122223333\n\n\
                  Malformed policies exit with code 2, naming the file, line, column and JSON path.")]
    Policy(policy::PolicyArgs),
    /// Check a design for compliance gaps without simulating (seconds; for every pull request).
    #[command(after_help = "Examples:\n  vaultsim check\n  \
                  vaultsim check scenarios/landing-zone.toml --fail-on high\n  \
                  vaultsim check my.toml --format sarif > findings.sarif\n\n\
                  Exit codes: 0 no finding at or above --fail-on, 1 findings, 2 invalid input.")]
    Check(check::CheckArgs),
    /// Compare a run's summary.json with a committed baseline and fail on regressions.
    #[command(after_help = "Examples:\n  \
                  vaultsim gate --baseline outputs/baseline/summary.json\n  \
                  vaultsim gate --baseline outputs/baseline/summary.json --current outputs/landing-zone/summary.json\n\n\
                  Exit codes: 0 no regression, 1 regressions, 2 invalid input.")]
    Gate(gate::GateArgs),
    /// Compare two designs over the same random world (common random numbers): paired
    /// differences B − A in P(meet RPO/RTO), RPO/RTO quantiles and cost, with 95 % intervals.
    #[command(after_help = "Examples:\n  \
                  vaultsim compare scenarios/landing-zone.toml my-design.toml\n  \
                  vaultsim compare a.toml b.toml --trials 200 --seed 7 --out /tmp/cmp\n\n\
                  Writes compare.json and compare.csv (default: outputs/compare/<A>-vs-<B>/).\n\
                  Both designs run with the same seed, so each trial of A and of B sees the same\n\
                  failures, change rates and disasters; the paired intervals are much narrower\n\
                  than those of two independent runs (both are reported).")]
    Compare(compare::CompareArgs),
    /// Run a grid of design variants (common random numbers) and chart cost against
    /// P(meet RTO), marking the Pareto-efficient designs.
    #[command(after_help = "Examples:\n  \
                  vaultsim sweep scenarios/landing-zone.toml --trials 20 \\\n    \
                  --set 'plans.ProductionBackupPlan.rules.DailyBackup.lifecycle.move_to_cold_storage_after_days=0,30,60,90' \\\n    \
                  --set 'links.us-east-1>us-west-2.bandwidth_gbps=1,5,10'\n  \
                  vaultsim sweep my.toml --set tiers.Tier1.rto_hours=1,2,4 --tier Tier1 --disaster region_outage\n\n\
                  Paths: plans.<plan>.rules.<rule>.<field>, links.<source>><destination>.<field>, or any\n\
                  value of the scenario file (docs/sweep.md). An unknown path exits 2 naming the nearest\n\
                  valid path. Writes sweep.csv and sweep.svg (default: outputs/sweep/<scenario>/).")]
    Sweep(sweep::SweepArgs),
    /// Merge the partials of a sharded run (`run --shard I/N`) into the run's outputs,
    /// byte-identical to a single run with the same seed.
    #[command(after_help = "Examples:\n  \
                  vaultsim run scenarios/landing-zone.toml --shard 0/4 --out parts   (and 1/4, 2/4, 3/4)\n  \
                  vaultsim merge parts --out outputs/landing-zone\n\n\
                  Refuses partials from different scenarios, seeds, trial counts, shard splits or\n\
                  vaultsim builds, overlapping shards and missing shards (exit 2). docs/scale.md.")]
    Merge(merge::MergeArgs),
}

/// Arguments of `vaultsim run`.
#[derive(Debug, clap::Args, Default)]
pub struct RunArgs {
    /// Scenario file (TOML).
    #[arg(default_value = DEFAULT_SCENARIO)]
    pub scenario: PathBuf,
    #[command(flatten)]
    pub trials: simulate::TrialArgs,
    /// Output directory (default: outputs/<scenario name>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Exit 1 when a finding (static or simulated) is at least this severe: critical,
    /// high, medium or low (default: never; the run exits 0).
    #[arg(long, value_parser = parse_severity)]
    pub fail_on: Option<crate::model::Severity>,
    /// Simulate only shard I of N (trials t with t mod N = I) and write its partial for
    /// `vaultsim merge` (docs/scale.md).
    #[arg(long, value_name = "I/N")]
    pub shard: Option<String>,
    /// Simulate one of N shards, its index from JOB_COMPLETION_INDEX (Kubernetes),
    /// AWS_BATCH_JOB_ARRAY_INDEX (AWS Batch) or SLURM_ARRAY_TASK_ID (Slurm).
    #[arg(long, value_name = "N")]
    pub shards: Option<u64>,
    /// Also write every plot as PNG (a bitmap, e.g. for chat or PR comments), next to its SVG.
    #[arg(long)]
    pub png: bool,
}

fn parse_severity(s: &str) -> Result<crate::model::Severity, String> {
    crate::model::Severity::parse(s)
        .ok_or_else(|| format!("`{s}` is not a severity; valid: critical, high, medium, low"))
}

/// Arguments of `vaultsim schedule`.
#[derive(Debug, clap::Args)]
pub struct ScheduleArgs {
    /// The expression, e.g. 'cron(0 5 ? * * *)'.
    pub expression: String,
    /// List fire times strictly after this RFC 3339 instant.
    #[arg(long)]
    pub after: String,
    /// How many fire times to print.
    #[arg(long, default_value_t = 10)]
    pub count: usize,
    /// IANA timezone the expression is evaluated in (default UTC).
    #[arg(long)]
    pub timezone: Option<String>,
}

/// Parses the command line and runs it; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let result = match cli.command {
        None => run::run(&RunArgs {
            scenario: PathBuf::from(DEFAULT_SCENARIO),
            ..RunArgs::default()
        }),
        Some(Command::Run(args)) => run::run(&args),
        Some(Command::Schedule(args)) => schedule::run(&args),
        Some(Command::Policy(args)) => policy::run(&args),
        Some(Command::Check(args)) => check::run(&args),
        Some(Command::Gate(args)) => gate::run(&args),
        Some(Command::Compare(args)) => compare::run(&args),
        Some(Command::Sweep(args)) => sweep::run(&args),
        Some(Command::Merge(args)) => merge::run(&args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("{e:#}");
            EXIT_BAD_INPUT
        }
    }
}
