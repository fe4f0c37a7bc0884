//! `vaultsim check`: the static compliance checks, without simulating — and the
//! compliance outputs `run` shares with it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use super::{DEFAULT_SCENARIO, EXIT_BAD_INPUT};
use crate::compliance::Report;
use crate::model::{Model, Severity};
use crate::report::{self, compliance};
use crate::scenario::{self, load::Scenario};

/// What `check` prints (or writes to `--out`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum Format {
    /// A table for people.
    #[default]
    Text,
    /// findings.json.
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
    /// JUnit XML, one test case per control × scope.
    Junit,
}

/// Arguments of `vaultsim check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Scenario file (TOML).
    #[arg(default_value = DEFAULT_SCENARIO)]
    pub scenario: PathBuf,
    /// What to print.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Write the --format output to FILE instead of the terminal.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Exit 1 when a finding is at least this severe: critical, high, medium or low
    /// (default: the scenario's compliance.fail_on, else high).
    #[arg(long)]
    pub fail_on: Option<String>,
    /// Directory for findings.json, findings.csv, findings.sarif, findings.junit.xml and
    /// the AWS-shaped compliance reports (default: outputs/<scenario name>).
    #[arg(long)]
    pub reports: Option<PathBuf>,
    /// Also list compliant resources in resource_compliance_report.*.
    #[arg(long)]
    pub all_resources: bool,
}

pub fn run(args: &CheckArgs) -> Result<i32> {
    let fail_on = match args.fail_on.as_deref().map(Severity::parse) {
        Some(None) => {
            eprintln!(
                "error: --fail-on {}: not a severity; valid: critical, high, medium, low",
                args.fail_on.as_deref().unwrap_or_default()
            );
            return Ok(EXIT_BAD_INPUT);
        }
        Some(Some(s)) => Some(s),
        None => None,
    };
    let (scenario, model) = match scenario::load_model(&args.scenario) {
        Ok(x) => x,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let report = crate::compliance::check(&model);
    let dir = args
        .reports
        .clone()
        .unwrap_or_else(|| PathBuf::from("outputs").join(&model.name));
    let printed = findings_text(&scenario, &model, &report, args.format);
    let mut staging = report::Staging::new(&dir)?;
    stage_outputs(&scenario, &model, &report, args.all_resources, &mut staging)?;
    staging.commit()?;
    match &args.out {
        Some(file) => report::write_atomically(file, printed.as_bytes())?,
        None => print!("{printed}"),
    }
    let threshold = fail_on.unwrap_or(model.requirements.fail_on);
    if args.format == Format::Text || args.out.is_some() {
        eprintln!(
            "compliance reports in {}/; exit {} (--fail-on {})",
            dir.display(),
            compliance::exit_code(&report, Some(threshold)),
            threshold.name()
        );
    }
    Ok(compliance::exit_code(&report, Some(threshold)))
}

/// Writes every compliance output file into `staging`, one at a time: the findings
/// (JSON, CSV, SARIF, JUnit), then the resource and control reports row by row.
pub(super) fn stage_outputs(
    scenario: &Scenario,
    model: &Model,
    report: &Report,
    all_resources: bool,
    staging: &mut report::Staging,
) -> Result<()> {
    staging.stage("findings.csv", compliance::findings_csv(report).as_bytes())?;
    for (name, format) in [
        ("findings.json", Format::Json),
        ("findings.sarif", Format::Sarif),
        ("findings.junit.xml", Format::Junit),
    ] {
        let text = findings_text(scenario, model, report, format);
        staging.stage(name, text.as_bytes())?;
    }
    stage_report(staging, "resource", |csv, json| {
        compliance::resource_report(model, report, all_resources, csv, json)
    })?;
    stage_report(staging, "control", |csv, json| {
        compliance::control_report(model, report, csv, json)
    })
}

/// Writes `{kind}_compliance_report.csv` and `.json` into `staging`, row by row through
/// `write(csv, json)`.
fn stage_report(
    staging: &mut report::Staging,
    kind: &str,
    write: impl FnOnce(&mut dyn std::io::Write, &mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<()> {
    let mut csv = staging.create(&format!("{kind}_compliance_report.csv"))?;
    let mut json = staging.create(&format!("{kind}_compliance_report.json"))?;
    write(&mut csv, &mut json)
        .with_context(|| format!("cannot write the {kind} compliance report"))?;
    csv.finish()?;
    json.finish()
}

/// The findings as `check` prints them in `format`: the table for people, or the text of
/// findings.json, findings.sarif or findings.junit.xml.
fn findings_text(scenario: &Scenario, model: &Model, report: &Report, format: Format) -> String {
    match format {
        Format::Text => compliance::table(report, 60),
        Format::Json => compliance::findings_json(report),
        Format::Sarif => {
            report::sarif::sarif(report, &locator(scenario), env!("CARGO_PKG_VERSION"))
        }
        Format::Junit => report::junit::junit(report, &format!("vaultsim check {}", model.name)),
    }
}

/// Finds a field path's line and column: in the scenario through its span index, in a
/// backup policy file by walking its keys (case-insensitively, as AWS matches names).
fn locator(scenario: &Scenario) -> impl Fn(&str, &str) -> Option<(usize, usize)> + '_ {
    let scenario_file = scenario.file.display().to_string();
    move |file: &str, path: &str| {
        if file == scenario_file {
            return scenario.spans.locate(path);
        }
        if !file.ends_with(".json") {
            return None;
        }
        let document = crate::policy::load_policy(Path::new(file)).ok()?;
        let mut container = document.root();
        let mut position = None;
        for key in path.split('.').filter(|k| !k.is_empty()) {
            let key = key.split('[').next().unwrap_or(key);
            let entry = container
                .entries
                .iter()
                .find(|e| e.key == key || e.merge_key.eq_ignore_ascii_case(key))?;
            position = Some((entry.position.line, entry.position.column));
            match &entry.node {
                crate::policy::PolicyNode::Container(c) => container = c,
                crate::policy::PolicyNode::Setting(_) => break,
            }
        }
        position
    }
}
