//! `sweep.csv`: one line per grid point, its parameter values, cost, objective and every
//! tier × disaster probability, with the Pareto-efficient points marked.

use crate::sweep::{Objective, Parameter, PointResult};

/// Renders `sweep.csv`. `efficient[i]` marks point i Pareto-efficient.
pub fn csv(
    parameters: &[Parameter],
    objective: &Objective,
    points: &[PointResult],
    efficient: &[bool],
) -> String {
    let mut keys: Vec<&str> = Vec::new();
    for p in points {
        for (k, _) in &p.rows {
            if !keys.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    let mut header: Vec<String> = vec!["point".to_string()];
    header.extend(parameters.iter().map(|p| p.path.clone()));
    header.extend(
        [
            "first_year_usd",
            "first_year_se_usd",
            "projected_steady_monthly_usd",
            "objective",
            "objective_cost",
            "objective_p_meet_rto",
            "objective_p_meet_rto_se",
            "pareto",
            "findings_critical",
            "findings_high",
            "findings_medium",
            "findings_low",
        ]
        .map(String::from),
    );
    for k in &keys {
        for m in ["p_meet_rpo", "p_meet_rto", "p_unrecoverable"] {
            header.push(format!("{m}:{k}"));
        }
    }
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).expect("in-memory write");
    let f = |x: Option<f64>, decimals: usize| match x {
        Some(v) if v.is_finite() => format!("{v:.decimals$}"),
        _ => String::new(),
    };
    for (i, p) in points.iter().enumerate() {
        let mut line = vec![i.to_string()];
        line.extend(values(parameters, p));
        line.push(f(p.first_year_usd.map(|c| c.0), 2));
        line.push(f(p.first_year_usd.map(|c| c.1), 2));
        line.push(f(p.projected_steady_monthly_usd, 2));
        line.push(format!("{}/{}", objective.tier, objective.disaster));
        line.push(
            match objective.cost {
                crate::sweep::CostMeasure::Steady => "projected_steady_monthly_usd",
                crate::sweep::CostMeasure::FirstYear => "first_year_usd",
            }
            .to_string(),
        );
        line.push(f(p.objective.map(|o| o.0), 6));
        line.push(f(p.objective.map(|o| o.1), 6));
        line.push(efficient[i].to_string());
        line.extend(p.findings.iter().map(usize::to_string));
        for k in &keys {
            let values = p.rows.iter().find(|(key, _)| key == k).map(|r| r.1);
            for m in 0..3 {
                line.push(f(values.and_then(|v| v[m]), 6));
            }
        }
        w.write_record(&line).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("CSV is UTF-8")
}

/// The terminal table: one line per point, its values, first-year cost, the objective
/// and `*` on the Pareto-efficient points.
pub fn table(
    parameters: &[Parameter],
    objective: &Objective,
    points: &[PointResult],
    efficient: &[bool],
) -> String {
    let mut lines: Vec<Vec<String>> = Vec::new();
    let mut header = vec!["point".to_string()];
    header.extend(parameters.iter().map(|p| p.path.clone()));
    header.push(match objective.cost {
        crate::sweep::CostMeasure::Steady => "steady month".to_string(),
        crate::sweep::CostMeasure::FirstYear => "first year".to_string(),
    });
    header.push(format!(
        "P(RTO met) {}/{}",
        objective.tier, objective.disaster
    ));
    header.push("Pareto".to_string());
    header.push("high+ findings".to_string());
    lines.push(header);
    for (i, p) in points.iter().enumerate() {
        let mut line = vec![i.to_string()];
        line.extend(values(parameters, p));
        let cost = objective.cost.of(p);
        line.push(if cost.is_finite() {
            super::table::usd(cost)
        } else {
            "—".to_string()
        });
        line.push(p.objective.map_or_else(
            || "—".to_string(),
            |o| format!("{:.2} % ± {:.2}", 100.0 * o.0, 100.0 * o.1),
        ));
        line.push(if efficient[i] { "*" } else { "" }.to_string());
        line.push((p.findings[0] + p.findings[1]).to_string());
        lines.push(line);
    }
    let mut out = String::from("\n");
    out.push_str(&super::table::render(&lines));
    out.push_str(&format!(
        "* Pareto-efficient: no other point has a lower {} and at least as high a P(RTO met)\n",
        objective.cost.label()
    ));
    out.push_str("high+ findings: critical and high static compliance findings of the point's design (a plan AWS Backup refuses protects nothing: check before trusting its cost)\n");
    out
}

/// A point's value of each parameter, in `--set` order.
fn values<'a>(
    parameters: &'a [Parameter],
    p: &'a PointResult,
) -> impl Iterator<Item = String> + 'a {
    parameters
        .iter()
        .zip(&p.point)
        .map(|(param, &v)| param.values[v].clone())
}
