//! Writers of a paired comparison (`compare::Comparison`): `compare.json`, `compare.csv`
//! and the terminal table. Differences are B − A; intervals are 95 %.

use serde_json::{Value as Json, json};

use crate::compare::{Comparison, Difference, Metric};

/// One compared design: its scenario file as named, the file's SHA-256 and the policy and
/// price files it reads (`Model::inputs`).
#[derive(Debug, Clone)]
pub struct Design {
    pub file: String,
    pub sha256: String,
    pub inputs: Vec<crate::model::InputFile>,
}

/// Who was compared, with what: the heading of every output.
#[derive(Debug, Clone)]
pub struct CompareInfo {
    pub a: Design,
    pub b: Design,
    pub seed: u64,
    pub trials: u64,
    /// Resources in A and in B, and how many are the same resource in both (same id,
    /// account, region, type, size and change rate): the pairs common random numbers
    /// hold together.
    pub resources: (usize, usize),
    pub same_resources: usize,
}

fn number(x: f64) -> Json {
    if x.is_finite() { json!(x) } else { Json::Null }
}

fn difference_json(d: &Difference) -> Json {
    let (lo, hi) = d.interval();
    json!({
        "a": number(d.a),
        "b": number(d.b),
        "difference": number(d.difference),
        "paired": {
            "standard_error": number(d.paired_se),
            "ci95": [number(lo), number(hi)],
        },
        "independent_runs": {
            "standard_error": number(d.independent_se),
            "ci95": [
                number(d.difference - d.independent_half_width),
                number(d.difference + d.independent_half_width),
            ],
        },
        "significant": d.significant(),
        "trials": d.trials,
    })
}

/// Renders `compare.json` (pretty, trailing newline).
pub fn json(info: &CompareInfo, c: &Comparison) -> String {
    let rows: Vec<Json> = c
        .rows
        .iter()
        .map(|r| {
            let metrics: serde_json::Map<String, Json> = r
                .metrics
                .iter()
                .map(|(m, d)| (m.name(), difference_json(d)))
                .collect();
            json!({
                "tier": r.tier,
                "environment": r.environment,
                "disaster": r.disaster,
                "metrics": metrics,
            })
        })
        .collect();
    let cost: serde_json::Map<String, Json> = c
        .cost
        .iter()
        .map(|l| (format!("{}_usd", l.name), difference_json(&l.difference)))
        .collect();
    let document = json!({
        "format": "vaultsim-compare/1",
        "vaultsim_version": env!("CARGO_PKG_VERSION"),
        "difference": "b - a",
        "confidence": 0.95,
        "a": {"file": info.a.file, "sha256": info.a.sha256, "inputs": info.a.inputs, "resources": info.resources.0},
        "b": {"file": info.b.file, "sha256": info.b.sha256, "inputs": info.b.inputs, "resources": info.resources.1},
        "seed": info.seed,
        "trials": info.trials,
        "same_resources": info.same_resources,
        "rows": rows,
        "cost": cost,
        "unmatched_rows": c.unmatched,
    });
    let mut text = serde_json::to_string_pretty(&document).expect("comparison serialises");
    text.push('\n');
    text
}

/// Renders `compare.csv`: one line per row × metric and per cost line.
pub fn csv(c: &Comparison) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "tier",
        "environment",
        "disaster",
        "metric",
        "a",
        "b",
        "difference",
        "paired_ci95_low",
        "paired_ci95_high",
        "paired_se",
        "independent_ci95_low",
        "independent_ci95_high",
        "independent_se",
        "significant",
        "trials",
    ])
    .expect("in-memory write");
    let mut line = |tier: &str, env: &str, disaster: &str, metric: &str, d: &Difference| {
        let f = |x: f64| {
            if x.is_finite() {
                format!("{x:.6}")
            } else {
                String::new()
            }
        };
        let (lo, hi) = d.interval();
        w.write_record([
            tier,
            env,
            disaster,
            metric,
            &f(d.a),
            &f(d.b),
            &f(d.difference),
            &f(lo),
            &f(hi),
            &f(d.paired_se),
            &f(d.difference - d.independent_half_width),
            &f(d.difference + d.independent_half_width),
            &f(d.independent_se),
            if d.significant() { "true" } else { "false" },
            &d.trials.to_string(),
        ])
        .expect("in-memory write");
    };
    for r in &c.rows {
        for (m, d) in &r.metrics {
            line(&r.tier, &r.environment, &r.disaster, &m.name(), d);
        }
    }
    for l in &c.cost {
        line(
            "all",
            "all",
            "",
            &format!("cost_{}_usd", l.name),
            &l.difference,
        );
    }
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("CSV is UTF-8")
}

/// A probability difference in percentage points with its paired interval.
fn points(d: &Difference) -> String {
    let (lo, hi) = d.interval();
    format!(
        "{:+.2} [{:+.2}, {:+.2}]",
        100.0 * d.difference,
        100.0 * lo,
        100.0 * hi
    )
}

/// A time difference in hours with its paired interval.
fn hours(d: &Difference) -> String {
    let (lo, hi) = d.interval();
    format!(
        "{:+.2} [{:+.2}, {:+.2}]",
        d.difference / 3600.0,
        lo / 3600.0,
        hi / 3600.0
    )
}

/// The terminal table: per tier (all environments) and disaster, the differences in
/// P(meet RPO), P(meet RTO), P(unrecoverable) and RTO p95, then the cost lines.
pub fn table(info: &CompareInfo, c: &Comparison) -> String {
    let mut lines = vec![[
        "tier / disaster".to_string(),
        "ΔP(RPO met) pp".to_string(),
        "ΔP(RTO met) pp".to_string(),
        "ΔP(unrecoverable) pp".to_string(),
        "ΔRTO p95 h".to_string(),
    ]];
    let get = |r: &crate::compare::RowComparison, m: Metric| {
        r.metrics.iter().find(|(x, _)| *x == m).map(|(_, d)| *d)
    };
    for r in c.rows.iter().filter(|r| r.environment == "all") {
        let cell = |m: Metric, f: fn(&Difference) -> String| {
            get(r, m).map_or_else(|| "—".to_string(), |d| f(&d))
        };
        lines.push([
            format!("{} / {}", r.tier, r.disaster),
            cell(Metric::PMeetRpo, points),
            cell(Metric::PMeetRto, points),
            cell(Metric::PUnrecoverable, points),
            cell(Metric::RtoQuantile(2), hours),
        ]);
    }
    let mut out = format!(
        "\nB − A, paired over {} trials (seed {}), 95 % intervals in brackets\n  A: {}\n  B: {}\n  resources: {} in A, {} in B, {} the same in both\n\n",
        info.trials,
        info.seed,
        info.a.file,
        info.b.file,
        info.resources.0,
        info.resources.1,
        info.same_resources
    );
    out.push_str(&super::table::render(&lines));
    if !c.cost.is_empty() {
        let mut cost = vec![[
            "cost (USD)".to_string(),
            "A".to_string(),
            "B".to_string(),
            "B − A [paired 95 %]".to_string(),
            "independent runs ±".to_string(),
        ]];
        for l in &c.cost {
            let d = &l.difference;
            let (lo, hi) = d.interval();
            cost.push([
                l.name.replace('_', " "),
                super::table::usd(d.a),
                super::table::usd(d.b),
                format!(
                    "{} [{}, {}]",
                    signed_usd(d.difference),
                    signed_usd(lo),
                    signed_usd(hi)
                ),
                super::table::usd(d.independent_half_width),
            ]);
        }
        out.push('\n');
        out.push_str(&super::table::render(&cost));
    }
    if !c.unmatched.is_empty() {
        out.push_str(&format!(
            "\nrows in only one design (not compared): {}\n",
            c.unmatched.join(", ")
        ));
    }
    out
}

fn signed_usd(x: f64) -> String {
    let text = super::table::usd(x);
    if x >= 0.0 { format!("+{text}") } else { text }
}
