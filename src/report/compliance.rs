//! Compliance outputs: `findings.json`, `findings.csv`, AWS Backup Audit Manager-shaped
//! `resource_compliance_report.{csv,json}` and `control_compliance_report.{csv,json}`
//! (field names from aws-backup-facts §8.2), and the terminal table.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::compliance::Report;
use crate::model::{Finding, Model, Severity};

/// The time reports give as `lastEvaluationTime`: the scenario's epoch (a design is
/// evaluated before it goes live; no clock is read, so output is reproducible).
fn evaluation_time(model: &Model) -> String {
    super::summary::instant_text(model, 0)
}

#[derive(Serialize)]
struct FindingOut<'a> {
    id: &'a str,
    severity: &'a str,
    title: &'a str,
    control: &'a str,
    file: &'a str,
    path: &'a str,
    scope: ScopeOut<'a>,
    evidence: BTreeMap<&'a str, &'a str>,
    message: &'a str,
    fix: &'a str,
}

#[derive(Serialize)]
struct ScopeOut<'a> {
    label: &'a str,
    ous: &'a [String],
    accounts: usize,
    resources: usize,
}

fn finding_out(f: &Finding) -> FindingOut<'_> {
    FindingOut {
        id: f.id,
        severity: f.severity.name(),
        title: &f.title,
        control: &f.control,
        file: &f.file,
        path: &f.path,
        scope: ScopeOut {
            label: &f.scope.label,
            ous: &f.scope.ous,
            accounts: f.scope.accounts,
            resources: f.scope.resources,
        },
        evidence: f
            .evidence
            .iter()
            .map(|e| (e.name.as_str(), e.value.as_str()))
            .collect(),
        message: &f.message,
        fix: &f.fix,
    }
}

/// `findings.json`: counts per severity and every finding, most severe first.
pub fn findings_json(report: &Report) -> String {
    #[derive(Serialize)]
    struct Out<'a> {
        counts: BTreeMap<&'static str, usize>,
        findings: Vec<FindingOut<'a>>,
    }
    let counts = Severity::ALL
        .iter()
        .map(|s| {
            (
                s.name(),
                report.findings.iter().filter(|f| f.severity == *s).count(),
            )
        })
        .collect();
    let out = Out {
        counts,
        findings: report.findings.iter().map(finding_out).collect(),
    };
    let mut text = serde_json::to_string_pretty(&out).expect("findings serialise");
    text.push('\n');
    text
}

/// `findings.csv`: one row per finding; evidence as `name=value` pairs joined by `; `.
pub fn findings_csv(report: &Report) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "severity",
        "title",
        "control",
        "file",
        "path",
        "scope",
        "ous",
        "accounts",
        "resources",
        "evidence",
        "fix",
    ])
    .expect("in-memory write");
    for f in &report.findings {
        let evidence = f
            .evidence
            .iter()
            .map(|e| format!("{}={}", e.name, e.value))
            .collect::<Vec<_>>()
            .join("; ");
        w.write_record([
            f.id,
            f.severity.name(),
            &f.title,
            &f.control,
            &f.file,
            &f.path,
            &f.scope.label,
            &f.scope.ous.join(","),
            &f.scope.accounts.to_string(),
            &f.scope.resources.to_string(),
            &evidence,
            &f.fix,
        ])
        .expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("CSV is UTF-8")
}

/// One row of AWS's resource compliance report.
#[derive(Serialize)]
#[allow(non_snake_case)]
struct ResourceRow<'a> {
    accountId: &'a str,
    region: &'a str,
    frameworkName: &'a str,
    frameworkDescription: &'a str,
    controlName: &'a str,
    resourceId: &'a str,
    resourceType: &'a str,
    resourceComplianceStatus: &'static str,
    lastEvaluationTime: &'a str,
}

/// One row of AWS's control compliance report.
#[derive(Serialize)]
#[allow(non_snake_case)]
struct ControlRow<'a> {
    accountId: &'a str,
    region: &'a str,
    frameworkName: &'a str,
    frameworkDescription: &'a str,
    controlName: &'a str,
    controlComplianceStatus: &'static str,
    lastEvaluationTime: &'a str,
    numResourcesCompliant: usize,
    numResourcesNonCompliant: usize,
    controlFrequency: &'static str,
    controlScope: String,
    controlParameters: String,
}

fn status(compliant: bool) -> &'static str {
    if compliant {
        "COMPLIANT"
    } else {
        "NON_COMPLIANT"
    }
}

fn framework_description(framework: &str) -> String {
    match framework {
        crate::compliance::check::AUDIT_MANAGER => {
            "AWS Backup Audit Manager controls, evaluated on the design before deployment".into()
        }
        crate::compliance::check::DESIGN => {
            "The scenario's tier matrix, environment and data-classification tables".into()
        }
        other => format!("Compliance framework {other} (resources in its scope tag)"),
    }
}

/// `resource_compliance_report.csv` and `.json`, written to `csv` and `json` row by row
/// (a row per resource and control: tens of megabytes for a large estate): every
/// evaluation of a resource that raised a finding (`all`: every evaluation, compliant or
/// not; the control report counts them all either way).
pub fn resource_report(
    model: &Model,
    report: &Report,
    all: bool,
    csv: &mut dyn std::io::Write,
    json: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let time = evaluation_time(model);
    let descriptions: Vec<String> = report
        .controls
        .iter()
        .map(|c| framework_description(&c.framework))
        .collect();
    let rows = report
        .resources
        .iter()
        .filter(|e| all || e.raised)
        .map(|e| {
            let c = &report.controls[e.control()];
            let r = &model.resources[e.resource()];
            ResourceRow {
                accountId: &model.accounts[r.account].id,
                region: &r.region,
                frameworkName: &c.framework,
                frameworkDescription: &descriptions[e.control()],
                controlName: &c.control,
                resourceId: &r.name,
                resourceType: r.resource_type.name(),
                resourceComplianceStatus: status(e.compliant),
                lastEvaluationTime: &time,
            }
        });
    write_rows(rows, csv, json)
}

/// `control_compliance_report.csv` and `.json`, written to `csv` and `json`: per account,
/// region, framework and control, as AWS writes it.
pub fn control_report(
    model: &Model,
    report: &Report,
    csv: &mut dyn std::io::Write,
    json: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let time = evaluation_time(model);
    // (account, region, control) → (compliant, non-compliant).
    let mut cells: BTreeMap<(usize, &str, usize), (usize, usize)> = BTreeMap::new();
    for e in &report.resources {
        let r = &model.resources[e.resource()];
        let cell = cells
            .entry((r.account, &*r.region, e.control()))
            .or_default();
        if e.compliant {
            cell.0 += 1;
        } else {
            cell.1 += 1;
        }
    }
    // Controls evaluated per OU share a name: merge them per account.
    // (account, region, framework, control name) → (compliant, non-compliant, a control).
    type Cell<'a> = (usize, &'a str, &'a str, &'a str);
    let mut merged: BTreeMap<Cell, (usize, usize, usize)> = BTreeMap::new();
    for ((account, region, control), (ok, bad)) in cells {
        let c = &report.controls[control];
        let m = merged
            .entry((account, region, c.framework.as_str(), c.control.as_str()))
            .or_insert((0, 0, control));
        m.0 += ok;
        m.1 += bad;
    }
    let rows: Vec<ControlRow> = merged
        .into_iter()
        .map(
            |((account, region, framework, control), (ok, bad, index))| {
                let c = &report.controls[index];
                ControlRow {
                    accountId: &model.accounts[account].id,
                    region,
                    frameworkName: framework,
                    frameworkDescription: "",
                    controlName: control,
                    controlComplianceStatus: status(bad == 0),
                    lastEvaluationTime: &time,
                    numResourcesCompliant: ok,
                    numResourcesNonCompliant: bad,
                    controlFrequency: "design",
                    controlScope: "resources of the account in the region".into(),
                    controlParameters: c
                        .parameters
                        .iter()
                        .map(|(k, v)| format!("{k}={v}"))
                        .collect::<Vec<_>>()
                        .join(","),
                }
            },
        )
        .collect();
    let descriptions: Vec<String> = rows
        .iter()
        .map(|r| framework_description(r.frameworkName))
        .collect();
    let rows: Vec<ControlRow> = rows
        .into_iter()
        .zip(&descriptions)
        .map(|(mut r, d)| {
            r.frameworkDescription = d;
            r
        })
        .collect();
    write_rows(rows, csv, json)
}

/// Writes `rows` as CSV (a header, then a line each) to `csv` and as AWS's JSON reports
/// (`{"reportItems": [...]}`, compact with one item per line) to `json`, one row at a time.
fn write_rows<T: Serialize>(
    rows: impl IntoIterator<Item = T>,
    csv: &mut dyn std::io::Write,
    json: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    let mut csv = csv::Writer::from_writer(csv);
    json.write_all(b"{\"reportItems\":[\n")?;
    for (i, row) in rows.into_iter().enumerate() {
        csv.serialize(&row)?;
        if i > 0 {
            json.write_all(b",\n")?;
        }
        serde_json::to_writer(&mut *json, &row)?;
    }
    json.write_all(b"\n]}\n")?;
    csv.flush()
}

/// The terminal table: one line per finding (most severe first) with its evidence, and a
/// count per severity. `limit` caps the lines (the files hold them all).
pub fn table(report: &Report, limit: usize) -> String {
    let mut out = String::new();
    let counts: Vec<String> = Severity::ALL
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                report.findings.iter().filter(|f| f.severity == *s).count(),
                s.name()
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "\nCompliance: {} finding(s) ({}); {} controls × scopes evaluated, {} non-compliant",
        report.findings.len(),
        counts.join(", "),
        report.controls.len(),
        report.controls.iter().filter(|c| !c.is_compliant()).count()
    );
    if report.findings.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "{:<9} {:<31} {:>9} {:>8}  scope — evidence",
        "severity", "id", "resources", "accounts"
    );
    let _ = writeln!(out, "{}", "-".repeat(110));
    for f in report.findings.iter().take(limit) {
        let evidence = f
            .evidence
            .iter()
            .filter(|e| e.name != "resources" && e.name != "accounts")
            .map(|e| format!("{}: {}", e.name, e.value))
            .collect::<Vec<_>>()
            .join("; ");
        let _ = writeln!(
            out,
            "{:<9} {:<31} {:>9} {:>8}  {} — {}",
            f.severity.name(),
            f.id,
            f.scope.resources,
            f.scope.accounts,
            f.scope.label,
            f.title
        );
        if !evidence.is_empty() {
            let _ = writeln!(out, "{:<61}{evidence}", "");
        }
    }
    if report.findings.len() > limit {
        let _ = writeln!(
            out,
            "… and {} more in findings.csv",
            report.findings.len() - limit
        );
    }
    out
}

/// The exit code for `--fail-on`: 1 when a finding is at least that severe, else 0.
pub fn exit_code(report: &Report, fail_on: Option<Severity>) -> i32 {
    match fail_on {
        Some(threshold)
            if report
                .findings
                .iter()
                .any(|f| f.severity.at_least(threshold)) =>
        {
            1
        }
        _ => 0,
    }
}
