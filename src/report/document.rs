//! `report.html` (self-contained: styles and plots inlined, no scripts, no network) and
//! `report.md` (for pull-request comments): the run's identity, the tier and disaster
//! tables, the cost forecast, the plots and the findings with their evidence. Formats only:
//! every number comes from the estimates, the compliance report or the plots' SVG.

use std::fmt::Write as _;

use super::summary::RunInfo;
use super::table;
use crate::compliance::Report;
use crate::model::Model;
use crate::montecarlo::{Estimates, RowSpec};

/// What a report shows, borrowed from the run.
pub struct Document<'a> {
    pub model: &'a Model,
    pub run: &'a RunInfo,
    pub rows: &'a [RowSpec],
    pub estimates: &'a Estimates,
    pub compliance: &'a Report,
    /// (file name, SVG text) of each plot, in display order.
    pub plots: &'a [(&'static str, String)],
}

/// Captions of the plots, by file name.
fn caption(file: &str) -> &'static str {
    match file {
        "rpo_rto_cdf.svg" => {
            "RPO and RTO distribution per tier and disaster, with each tier's target"
        }
        "cost_monthly.svg" => {
            "Monthly cost forecast: categories stacked (means), total P10–P90 band and P50"
        }
        "copies_backlog.svg" => "Copy backlog per link and the day's copy lag",
        "restore_timeline.svg" => {
            "Region outage: share of resources back per tier, with RTO targets"
        }
        _ => "",
    }
}

/// Escapes text for HTML (XML rules, which HTML accepts).
fn escape(text: &str) -> String {
    super::junit::text(text)
}

fn html_table<const N: usize>(cells: &[[String; N]]) -> String {
    let mut out = String::from("<table>\n");
    for (i, row) in cells.iter().enumerate() {
        out.push_str("<tr>");
        for cell in row {
            let tag = if i == 0 { "th" } else { "td" };
            let _ = write!(out, "<{tag}>{}</{tag}>", escape(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n");
    out
}

fn markdown_table<const N: usize>(cells: &[[String; N]]) -> String {
    let mut out = String::new();
    for (i, row) in cells.iter().enumerate() {
        let line: Vec<String> = row
            .iter()
            .map(|c| {
                if c.is_empty() {
                    " ".into()
                } else {
                    c.replace('|', "\\|")
                }
            })
            .collect();
        let _ = writeln!(out, "| {} |", line.join(" | "));
        if i == 0 {
            let _ = writeln!(out, "|{}", "---|".repeat(N));
        }
    }
    out
}

/// The findings as table cells, header first (at most `limit` rows).
fn finding_cells(report: &Report, limit: usize) -> Vec<[String; 7]> {
    let mut cells = vec![
        [
            "severity",
            "id",
            "scope",
            "resources",
            "what",
            "evidence",
            "fix",
        ]
        .map(str::to_string),
    ];
    for f in report.findings.iter().take(limit) {
        cells.push([
            f.severity.name().to_string(),
            f.id.to_string(),
            f.scope.label.clone(),
            f.scope.resources.to_string(),
            f.title.clone(),
            f.evidence
                .iter()
                .map(|e| format!("{}: {}", e.name, e.value))
                .collect::<Vec<_>>()
                .join("; "),
            f.fix.clone(),
        ]);
    }
    cells
}

fn identity(d: &Document) -> String {
    format!(
        "vaultsim {} · scenario {} (SHA-256 {}) · {} trials · seed {} · maths fingerprint {}",
        env!("CARGO_PKG_VERSION"),
        d.run.scenario_file,
        &d.run.scenario_sha256[..d.run.scenario_sha256.len().min(12)],
        d.run.trials,
        d.run.seed,
        crate::dist::maths_fingerprint()
    )
}

fn counts(report: &Report) -> String {
    crate::model::Severity::ALL
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                report.findings.iter().filter(|f| f.severity == *s).count(),
                s.name()
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Inline SVG: the XML declaration dropped.
fn inline_svg(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => &svg[i..],
        None => svg,
    }
}

/// `report.html`.
pub fn html(d: &Document) -> String {
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n\
         <title>vaultsim report: {name}</title>\n<style>\n\
         body {{ font-family: sans-serif; margin: 2em auto; max-width: 1200px; color: #222; }}\n\
         table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; font-size: 0.9em; }}\n\
         th, td {{ border: 1px solid #ccc; padding: 0.25em 0.5em; text-align: right; vertical-align: top; }}\n\
         th {{ background: #f0f0f0; }}\n\
         td:first-child, th:first-child {{ text-align: left; }}\n\
         table.findings td {{ text-align: left; }}\n\
         .meta {{ color: #666; font-size: 0.85em; }}\n\
         figure {{ margin: 1em 0; }} figcaption {{ color: #444; font-size: 0.9em; }}\n\
         pre {{ background: #f7f7f7; padding: 0.75em; overflow-x: auto; }}\n\
         </style>\n</head>\n<body>\n<h1>vaultsim report: {name}</h1>\n<p class=\"meta\">{identity}</p>\n",
        name = escape(&d.model.name),
        identity = escape(&identity(d)),
    );
    let _ = write!(
        out,
        "<h2>Targets per tier (a resource lost in its own region)</h2>\n{}",
        html_table(&table::tier_cells(d.rows, d.estimates))
    );
    let disasters = table::disaster_cells(d.rows, d.estimates);
    if disasters.len() > 1 {
        let _ = write!(out, "<h2>Disasters</h2>\n{}", html_table(&disasters));
    }
    let cost = table::cost_line(d.model, d.estimates);
    if !cost.trim().is_empty() {
        let _ = write!(out, "<h2>Cost</h2>\n<pre>{}</pre>\n", escape(cost.trim()));
    }
    if !d.plots.is_empty() {
        out.push_str("<h2>Plots</h2>\n");
        for (file, svg) in d.plots {
            let _ = write!(
                out,
                "<figure id=\"{id}\">\n{svg}\n<figcaption>{caption} ({file})</figcaption>\n</figure>\n",
                id = file.trim_end_matches(".svg"),
                svg = inline_svg(svg),
                caption = escape(caption(file)),
            );
        }
    }
    let _ = write!(
        out,
        "<h2>Compliance findings</h2>\n<p>{} finding(s): {}. All of them, with the AWS-shaped reports, are in findings.csv.</p>\n",
        d.compliance.findings.len(),
        counts(d.compliance)
    );
    let findings = html_table(&finding_cells(d.compliance, usize::MAX));
    out.push_str(&findings.replacen("<table>", "<table class=\"findings\">", 1));
    out.push_str("</body>\n</html>\n");
    out
}

/// `report.md`: the same in Markdown, for a pull-request comment (plots linked, the 30
/// most severe findings).
pub fn markdown(d: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# vaultsim report: {}\n\n{}\n",
        d.model.name,
        identity(d)
    );
    let _ = writeln!(
        out,
        "## Targets per tier (a resource lost in its own region)\n\n{}",
        markdown_table(&table::tier_cells(d.rows, d.estimates))
    );
    let disasters = table::disaster_cells(d.rows, d.estimates);
    if disasters.len() > 1 {
        let _ = writeln!(out, "## Disasters\n\n{}", markdown_table(&disasters));
    }
    let cost = table::cost_line(d.model, d.estimates);
    if !cost.trim().is_empty() {
        let _ = writeln!(out, "## Cost\n\n```\n{}\n```\n", cost.trim());
    }
    if !d.plots.is_empty() {
        out.push_str("## Plots\n\n");
        for (file, _) in d.plots {
            let _ = writeln!(out, "- [{}]({file})", caption(file));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "## Compliance findings\n\n{} finding(s): {}.\n\n{}",
        d.compliance.findings.len(),
        counts(d.compliance),
        markdown_table(&finding_cells(d.compliance, 30))
    );
    if d.compliance.findings.len() > 30 {
        let _ = writeln!(
            out,
            "… and {} more in findings.csv.",
            d.compliance.findings.len() - 30
        );
    }
    out
}
