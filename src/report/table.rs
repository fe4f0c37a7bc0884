//! The compact per-tier table printed at the end of a run.

use std::fmt::Write;

use super::human_duration;
use crate::montecarlo::{Estimates, RowSpec, View};

fn percent(p: Option<f64>) -> String {
    p.map_or_else(|| "-".to_string(), |p| format!("{:.1}%", 100.0 * p))
}

fn target(t: Option<i64>) -> String {
    t.map_or_else(|| "-".to_string(), |t| human_duration(t as f64))
}

/// One line per tier (over all environments): RPO p95 vs target, RTO p95 vs target, P(meet)
/// for a resource loss; and from the DR region, the RPO p95 (copy lag included) and the share
/// of time with no usable copy there.
pub fn tier_table(rows: &[RowSpec], estimates: &Estimates) -> String {
    render(&tier_cells(rows, estimates))
}

/// The cells of the per-tier table, header first (also used by report.html and report.md).
pub fn tier_cells(rows: &[RowSpec], estimates: &Estimates) -> Vec<[String; 11]> {
    let header = [
        "tier",
        "resources",
        "RPO p95",
        "target",
        "P(RPO met)",
        "RTO p95",
        "target",
        "P(RTO met)",
        "P(unrecoverable)",
        "DR RPO p95",
        "DR no copy",
    ];
    let mut lines: Vec<[String; 11]> = vec![header.map(str::to_string)];
    for e in &estimates.rows {
        let spec = &rows[e.spec_index];
        if spec.environment != "all" || spec.view != View::Local {
            continue;
        }
        let dr = estimates.rows.iter().find(|d| {
            let s = &rows[d.spec_index];
            s.view == View::DrRegion && s.tier == spec.tier && s.environment == spec.environment
        });
        lines.push([
            spec.tier.clone(),
            spec.resources.to_string(),
            e.rpo.quantiles[2].value.map_or("-".into(), human_duration),
            target(spec.rpo_target_seconds),
            percent(e.p_meet_rpo.value),
            e.rto.quantiles[2].value.map_or("-".into(), human_duration),
            target(spec.rto_target_seconds),
            percent(e.p_meet_rto.value),
            percent(e.p_unrecoverable.value),
            dr.and_then(|d| d.rpo.quantiles[2].value)
                .map_or("-".into(), human_duration),
            percent(dr.and_then(|d| d.p_unrecoverable_time.value)),
        ]);
    }
    lines
}

/// Renders rows of cells: the first column left-aligned, the others right-aligned, a rule
/// under the header.
pub(crate) fn render<L: AsRef<[String]>>(lines: &[L]) -> String {
    let columns = lines.first().map_or(0, |l| l.as_ref().len());
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            lines
                .iter()
                .map(|l| l.as_ref()[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        for (c, cell) in line.as_ref().iter().enumerate() {
            if c == 0 {
                let _ = write!(out, "{cell:<w$}", w = widths[c]);
            } else {
                let _ = write!(out, "  {cell:>w$}", w = widths[c]);
            }
        }
        out.push('\n');
        if i == 0 {
            let total: usize = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            out.push_str(&"-".repeat(total));
            out.push('\n');
        }
    }
    out
}

/// One block per simulated disaster (other than a single resource loss), one line per
/// tier: what is lost for good, RPO and RTO p95, and P(RTO met), each conditional on the
/// disaster happening.
pub fn disaster_table(rows: &[RowSpec], estimates: &Estimates) -> String {
    let lines = disaster_cells(rows, estimates);
    if lines.len() == 1 {
        return String::new();
    }
    format!("\n{}", render(&lines))
}

/// The cells of the per-disaster table, header first.
pub fn disaster_cells(rows: &[RowSpec], estimates: &Estimates) -> Vec<[String; 7]> {
    let header = [
        "disaster",
        "tier",
        "P(unrecoverable)",
        "RPO p95",
        "RTO p95",
        "target",
        "P(RTO met)",
    ];
    let mut lines: Vec<[String; 7]> = vec![header.map(str::to_string)];
    let mut previous = None;
    for e in &estimates.rows {
        let spec = &rows[e.spec_index];
        if spec.environment != "all" || matches!(spec.view, View::Local | View::DrRegion) {
            continue;
        }
        let first = previous != Some(spec.view);
        previous = Some(spec.view);
        lines.push([
            if first {
                spec.disaster().to_string()
            } else {
                String::new()
            },
            spec.tier.clone(),
            percent(e.p_unrecoverable.value),
            e.rpo.quantiles[2].value.map_or("-".into(), human_duration),
            e.rto.quantiles[2].value.map_or("-".into(), human_duration),
            target(spec.rto_target_seconds),
            percent(e.p_meet_rto.value),
        ]);
    }
    lines
}

/// One line: the mean monthly firings of each alarm over the organization.
pub fn alarm_line(estimates: &Estimates) -> String {
    let mut parts = Vec::new();
    for (a, name) in crate::sim::ops::ALARMS.iter().enumerate() {
        let months: Vec<f64> = estimates
            .alarms
            .iter()
            .filter(|m| m.alarm == a)
            .map(|m| m.organization.mean)
            .collect();
        if months.is_empty() {
            continue;
        }
        let mean = months.iter().sum::<f64>() / months.len() as f64;
        parts.push(format!("{name} {mean:.0}"));
    }
    if parts.is_empty() {
        return String::new();
    }
    format!(
        "\nAlarm firings per month, whole organization (alarms_monthly.csv): {}\n",
        parts.join(", ")
    )
}

/// A line on backup jobs that waited for a copy of their resource (AWS runs one backup
/// or copy job per resource at a time), when there were any.
pub fn copy_wait_line(estimates: &Estimates) -> String {
    let j = &estimates.jobs;
    if j.delayed_by_copy == 0 && j.expired_waiting_for_copy == 0 {
        return String::new();
    }
    let t = estimates.trials.max(1) as f64;
    let created = j.created.max(1) as f64;
    format!(
        "\nOne job per resource: {:.0} backup jobs a run ({:.1}%) waited for a copy of their \
         resource and started late; {:.0} ({:.1}%) waited until their start window closed \
         and expired.\n",
        j.delayed_by_copy as f64 / t,
        100.0 * j.delayed_by_copy as f64 / created,
        j.expired_waiting_for_copy as f64 / t,
        100.0 * j.expired_waiting_for_copy as f64 / created,
    )
}

/// The cost forecast: the first twelve months, the steady state (or how far the horizon
/// got towards it) and what each cold transition buys.
pub fn cost_line(model: &crate::model::Model, estimates: &Estimates) -> String {
    let (Some(cost), Some(costs)) = (&estimates.cost, &model.costs) else {
        return String::new();
    };
    let months = cost.total.len().min(12);
    let year = cost.first_year.value.unwrap_or(0.0);
    let se = cost
        .first_year
        .standard_error
        .map_or_else(String::new, |s| format!(" ± {}", usd(s)));
    let last = cost.total.last().map_or(0.0, |b| b.mean);
    let mut text = format!(
        "\nCost (prices: {}; cost_monthly.csv): first {months} months {}{se}",
        costs.catalog,
        usd(year)
    );
    let fill = costs
        .retention_fill_seconds
        .map(|s| s / crate::model::DAY_SECONDS);
    let se_of = |v: &crate::montecarlo::Value| {
        v.standard_error
            .map_or_else(String::new, |s| format!(" ± {}", usd(s)))
    };
    match (cost.steady_monthly.value, costs.steady_from_month) {
        (Some(steady), Some(from)) => text.push_str(&format!(
            "; steady state {}{} a month from {} (after {from} months of ramp-up)",
            usd(steady),
            se_of(&cost.steady_monthly),
            model.simulation.months[from].label
        )),
        _ => text.push_str(&format!(
            "; last month {}, still ramping up (retention fills after {})",
            usd(last),
            fill.map_or_else(
                || "never: points kept forever".to_string(),
                |d| format!("{d} days")
            ),
        )),
    }
    if let Some(projected) = cost.projected_steady_monthly.value {
        text.push_str(&format!(
            "; projected steady state {}{} a month",
            usd(projected),
            se_of(&cost.projected_steady_monthly)
        ));
    }
    for (charge, q) in crate::cost::Charge::ALL.iter().zip(&cost.unpriced) {
        if *q > 0.0 {
            text.push_str(&format!(
                "\n  not priced (no catalog price, not counted): {q:.0} {} of {}",
                charge.unit(),
                charge.name()
            ));
        }
    }
    for l in &cost.lifecycle {
        let rule = &model.rules[l.rule];
        let line = if l.unsupported >= l.points {
            format!(
                "{rule}: cold storage does nothing for its resource types ({:.0} points stay warm)",
                l.points
            )
        } else {
            let saving = l.saving_usd.value.unwrap_or(0.0);
            let mut line = if saving >= 0.0 {
                format!(
                    "{rule}: cold storage saves {} over the lives of the points it creates in the horizon ({:.0} % of staying warm)",
                    usd(saving),
                    100.0 * saving / l.stay_warm_usd.max(f64::MIN_POSITIVE)
                )
            } else {
                format!(
                    "{rule}: cold storage costs {} more than staying warm over the lives of the points it creates in the horizon (cold points hold their full size, for at least 90 days)",
                    usd(-saving)
                )
            };
            if l.unsupported > 0.0 {
                line.push_str(&format!(
                    "; {:.0} % of its points cannot go cold",
                    100.0 * l.unsupported / l.points
                ));
            }
            if l.unpriced > 0.0 {
                line.push_str(&format!(
                    "; {:.0} % not priced",
                    100.0 * l.unpriced / l.points
                ));
            }
            line
        };
        text.push_str(&format!("\n  lifecycle {line}"));
    }
    text.push('\n');
    text
}

/// Dollars with thousands separators and no cents.
pub(crate) fn usd(x: f64) -> String {
    let rounded = x.abs().round() as u64;
    let digits = rounded.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    format!("{}${out}", if x < 0.0 { "-" } else { "" })
}
