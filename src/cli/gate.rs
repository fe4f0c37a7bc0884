//! `vaultsim gate`: compares a run's summary.json with a committed baseline and fails (exit
//! code 1) when an estimate got worse beyond its threshold and its Monte Carlo noise. The
//! comparison itself is `crate::gate`; this module reads the files and prints the table.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow};
use serde_json::Value;

use crate::gate::{self, GateError, GateReport, GateRow, Side, Status, Thresholds};

/// Where `vaultsim run` writes the default scenario's summary.
const DEFAULT_CURRENT: &str = "outputs/landing-zone/summary.json";

/// Arguments of `vaultsim gate`.
#[derive(Debug, clap::Args)]
pub struct GateArgs {
    /// The reference summary.json (e.g. the committed outputs/baseline/summary.json).
    #[arg(long, value_name = "FILE")]
    pub baseline: PathBuf,
    /// The summary.json of the run being gated.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_CURRENT)]
    pub current: PathBuf,
    /// Largest tolerated drop of P(meet RPO) or P(meet RTO), absolute probability
    /// (0.01 = one percentage point).
    #[arg(long, value_name = "P", default_value_t = Thresholds::DEFAULT_MAX_P_MEET_DROP)]
    pub max_p_meet_drop: f64,
    /// Largest tolerated rise of P(unrecoverable), absolute probability.
    #[arg(long, value_name = "P", default_value_t = Thresholds::DEFAULT_MAX_UNRECOVERABLE_RISE)]
    pub max_unrecoverable_rise: f64,
    /// Largest tolerated rise of the first-year or projected steady-state monthly cost,
    /// percent of the baseline.
    #[arg(long, value_name = "PCT", default_value_t = Thresholds::DEFAULT_MAX_COST_RISE_PCT)]
    pub max_cost_rise_pct: f64,
    /// A probability change must also exceed this many combined Monte Carlo standard
    /// errors to count as a regression.
    #[arg(long, value_name = "N", default_value_t = Thresholds::DEFAULT_SIGMAS)]
    pub sigmas: f64,
}

/// Runs the gate: 0 when nothing regressed, 1 when something did; `Err` (exit code 2) for
/// unreadable or incomparable summaries and invalid thresholds.
pub fn run(args: &GateArgs) -> Result<i32> {
    let thresholds = Thresholds {
        max_p_meet_drop: args.max_p_meet_drop,
        max_unrecoverable_rise: args.max_unrecoverable_rise,
        max_cost_rise_pct: args.max_cost_rise_pct,
        sigmas: args.sigmas,
    };
    thresholds.validate().map_err(|e| anyhow!("error: {e}"))?;
    let baseline = read_summary(&args.baseline, Side::Baseline)?;
    let current = read_summary(&args.current, Side::Current)?;
    let report = gate::compare(&baseline, &current, &thresholds).map_err(|e| match &e {
        GateError::NotASummary { side, .. } => {
            let path = match side {
                Side::Baseline => &args.baseline,
                Side::Current => &args.current,
            };
            anyhow!("error: {}: {e}", path.display())
        }
        _ => anyhow!(
            "error: cannot compare {} with {}: {e}",
            args.baseline.display(),
            args.current.display()
        ),
    })?;

    let mut err = std::io::stderr().lock();
    for warning in &report.warnings {
        writeln!(err, "warning: {warning}").context("cannot write to stderr")?;
    }
    let text = render(args, &baseline, &current, &report);
    write!(std::io::stdout().lock(), "{text}").context("cannot write to stdout")?;
    Ok(if report.passed() { 0 } else { 1 })
}

/// Reads and parses one summary file, naming it in any error.
fn read_summary(path: &Path, side: Side) -> Result<Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("error: cannot read the {side} summary {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| {
        format!(
            "error: the {side} summary {} is not valid JSON",
            path.display()
        )
    })
}

/// The whole terminal output: what was compared, the changed rows, the regressions, the
/// verdict.
fn render(args: &GateArgs, baseline: &Value, current: &Value, report: &GateReport) -> String {
    let t = &report.thresholds;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "baseline  {} ({})",
        args.baseline.display(),
        describe(baseline)
    );
    let _ = writeln!(
        out,
        "current   {} ({})",
        args.current.display(),
        describe(current)
    );
    let _ = writeln!(
        out,
        "limits    P(meet) drop {}, P(unrecoverable) rise {}, each also beyond {}σ of \
         Monte Carlo noise; cost rise {} %",
        pp(t.max_p_meet_drop),
        pp(t.max_unrecoverable_rise),
        t.sigmas,
        t.max_cost_rise_pct
    );

    let changed: Vec<&GateRow> = report
        .rows
        .iter()
        .filter(|r| !r.regressed() && r.status != Status::Unchanged)
        .collect();
    let regressions: Vec<&GateRow> = report.regressions().collect();
    if !changed.is_empty() {
        let _ = writeln!(out, "\nChanges that pass ({}):", changed.len());
        out.push_str(&table(&changed, t.sigmas));
    }
    if !regressions.is_empty() {
        let _ = writeln!(out, "\nRegressions ({}):", regressions.len());
        out.push_str(&table(&regressions, t.sigmas));
    }

    let unchanged = report
        .rows
        .iter()
        .filter(|r| r.status == Status::Unchanged)
        .count();
    let mut within = format!("{} passing changes", changed.len());
    let better = changed
        .iter()
        .filter(|r| r.status == Status::Improved)
        .count();
    let new = changed.iter().filter(|r| r.status == Status::New).count();
    let notes: Vec<String> = [(better, "better beyond the limits"), (new, "new")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}"))
        .collect();
    if !notes.is_empty() {
        let _ = write!(within, " ({})", notes.join(", "));
    }
    let tally = format!(
        "{} comparisons: {unchanged} unchanged, {within}",
        report.rows.len()
    );
    if regressions.is_empty() {
        let _ = writeln!(out, "\nPASS: no regression; {tally}.");
    } else {
        let missing = regressions
            .iter()
            .filter(|r| r.status == Status::Missing)
            .count();
        let _ = writeln!(
            out,
            "\nFAIL: {} regression{}{}; {tally}.",
            regressions.len(),
            if regressions.len() == 1 { "" } else { "s" },
            if missing > 0 {
                format!(" ({missing} missing)")
            } else {
                String::new()
            },
        );
    }
    out
}

/// "landing-zone, 40 trials, seed 7" from a summary's manifest.
fn describe(summary: &Value) -> String {
    let name = summary["scenario"]["name"].as_str().unwrap_or("?");
    let trials = summary["trials"]
        .as_u64()
        .map_or("?".to_string(), |t| t.to_string());
    let seed = summary["seed"]
        .as_u64()
        .map_or("?".to_string(), |s| s.to_string());
    format!("{name}, {trials} trials, seed {seed}")
}

/// Columns of the table: status, row, metric, baseline, current, change, limit.
const HEADER: [&str; 7] = [
    "status", "row", "metric", "baseline", "current", "change", "limit",
];
/// Whether each column is right-aligned (numbers).
const RIGHT: [bool; 7] = [false, false, false, true, true, true, true];

/// One table of gate rows, aligned.
fn table(rows: &[&GateRow], sigmas: f64) -> String {
    let cells: Vec<[String; 7]> = rows.iter().map(|r| cells(r, sigmas)).collect();
    let mut widths = HEADER.map(|h| h.chars().count());
    for row in &cells {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let header = HEADER.map(str::to_string);
    for row in std::iter::once(&header).chain(&cells) {
        let mut line = String::from(" ");
        for (i, cell) in row.iter().enumerate() {
            let pad = widths[i] - cell.chars().count();
            line.push(' ');
            if RIGHT[i] {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
            line.push(' ');
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The cells of one gate row.
fn cells(r: &GateRow, sigmas: f64) -> [String; 7] {
    let status = match r.status {
        Status::Unchanged => "same",
        Status::Changed => "changed",
        Status::Improved => "better",
        Status::Regressed => "WORSE",
        Status::Missing => "MISSING",
        Status::New => "new",
    };
    let Some(metric) = r.metric else {
        // A whole row (or the cost forecast) present in one summary only.
        let (baseline, current) = if r.status == Status::Missing {
            ("present", "absent")
        } else {
            ("absent", "present")
        };
        return [
            status.to_string(),
            r.subject.to_string(),
            "(whole row)".to_string(),
            baseline.to_string(),
            current.to_string(),
            String::new(),
            String::new(),
        ];
    };
    let value = |v: Option<f64>| match v {
        None => "null".to_string(),
        Some(v) if metric.is_probability() => format!("{:.3} %", v * 100.0),
        Some(v) => usd(v),
    };
    let change = match (r.difference, r.baseline) {
        (None, _) => String::new(),
        (Some(d), _) if metric.is_probability() => format!("{:+.3} pp", d * 100.0),
        (Some(d), Some(b)) if b != 0.0 => {
            format!(
                "{}{} ({:+.2} %)",
                sign(d),
                usd(d.abs()),
                d / b.abs() * 100.0
            )
        }
        (Some(d), _) => format!("{}{}", sign(d), usd(d.abs())),
    };
    let limit = match r.threshold {
        None => String::new(),
        Some(t) if metric.is_probability() && r.threshold_is_noise => {
            format!("{} ({sigmas}σ)", pp(t))
        }
        Some(t) if metric.is_probability() => pp(t),
        Some(t) => usd(t),
    };
    [
        status.to_string(),
        r.subject.to_string(),
        metric.label().to_string(),
        value(r.baseline),
        value(r.current),
        change,
        limit,
    ]
}

/// A probability difference in percentage points.
fn pp(p: f64) -> String {
    format!("{:.3} pp", p * 100.0)
}

/// "+" or "-" for a signed amount.
fn sign(x: f64) -> &'static str {
    if x < 0.0 { "-" } else { "+" }
}

/// US dollars: whole dollars with thousands separators from $1,000, else cents.
fn usd(x: f64) -> String {
    let minus = if x < 0.0 { "-" } else { "" };
    let x = x.abs();
    if x < 1000.0 {
        return format!("{minus}${x:.2}");
    }
    let digits = format!("{x:.0}");
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{minus}${grouped}")
}

#[cfg(test)]
mod tests {
    use super::usd;

    #[test]
    fn dollars_are_grouped() {
        assert_eq!(usd(59_206_546.873), "$59,206,547");
        assert_eq!(usd(1000.0), "$1,000");
        assert_eq!(usd(999.5), "$999.50");
        assert_eq!(usd(-12_345.0), "-$12,345");
    }
}
