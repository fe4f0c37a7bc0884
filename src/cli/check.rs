//! `vaultsim check`: the static compliance checks, without simulating — and the
//! compliance outputs `run` shares with it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Result;

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
    let texts = outputs(&scenario, &model, &report, args.all_resources);
    let printed = match args.format {
        Format::Text => compliance::table(&report, 60),
        Format::Json => texts["findings.json"].clone(),
        Format::Sarif => texts["findings.sarif"].clone(),
        Format::Junit => texts["findings.junit.xml"].clone(),
    };
    for (name, text) in &texts {
        report::write_atomically(&dir.join(name), text.as_bytes())?;
    }
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

/// Every compliance output file, by name.
pub(super) fn outputs(
    scenario: &Scenario,
    model: &Model,
    report: &Report,
    all_resources: bool,
) -> BTreeMap<&'static str, String> {
    let locate = locator(scenario);
    let (resource_csv, resource_json) = compliance::resource_report(model, report, all_resources);
    let (control_csv, control_json) = compliance::control_report(model, report);
    BTreeMap::from([
        ("findings.json", compliance::findings_json(report)),
        ("findings.csv", compliance::findings_csv(report)),
        (
            "findings.sarif",
            report::sarif::sarif(report, &locate, env!("CARGO_PKG_VERSION")),
        ),
        (
            "findings.junit.xml",
            report::junit::junit(report, &format!("vaultsim check {}", model.name)),
        ),
        ("resource_compliance_report.csv", resource_csv),
        ("resource_compliance_report.json", resource_json),
        ("control_compliance_report.csv", control_csv),
        ("control_compliance_report.json", control_json),
    ])
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
