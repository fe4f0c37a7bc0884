//! The paired comparison (`compare.svg`): per tier and disaster, the difference B − A in
//! P(meet RPO) and P(meet RTO), and the cost lines, each as its paired 95 % interval
//! (thick) over the interval two independent runs would give (thin) — from `compare.csv`.

use anyhow::Result;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::common::{
    FONT, Format, PALETTE, Svg, Table, Ticked, dashed_vertical, draw_title, format_number, message,
    money_unit,
};

/// One interval line of a panel.
struct Line {
    label: String,
    difference: f64,
    paired: (f64, f64),
    independent: (f64, f64),
}

/// A panel: its axis title and lines (already in the axis unit).
struct Panel {
    axis: String,
    lines: Vec<Line>,
}

/// Plots `compare.csv` as a forest plot (SVG).
pub fn compare_chart(compare_csv: &str) -> Result<String> {
    render::<Svg>(compare_csv)
}

/// `compare_chart` in any format.
pub(super) fn render<F: Format>(compare_csv: &str) -> Result<F::Output> {
    let t = Table::parse("compare.csv", compare_csv)?;
    let [
        tier,
        environment,
        disaster,
        metric,
        difference,
        plo,
        phi,
        ilo,
        ihi,
    ] = t.columns([
        "tier",
        "environment",
        "disaster",
        "metric",
        "difference",
        "paired_ci95_low",
        "paired_ci95_high",
        "independent_ci95_low",
        "independent_ci95_high",
    ])?;
    let line = |row: &super::common::Row<'_>, label: String, scale: f64| -> Result<Line> {
        Ok(Line {
            label,
            difference: row.required(difference)? / scale,
            paired: (row.required(plo)? / scale, row.required(phi)? / scale),
            independent: (row.required(ilo)? / scale, row.required(ihi)? / scale),
        })
    };
    let mut panels = Vec::new();
    for (name, axis) in [
        ("p_meet_rpo", "Δ P(RPO met), percentage points"),
        ("p_meet_rto", "Δ P(RTO met), percentage points"),
    ] {
        let mut lines = Vec::new();
        for row in t.rows() {
            if row.text(metric) == name && row.text(environment) == "all" && row.text(tier) != "all"
            {
                let label = format!("{} · {}", row.text(tier), row.text(disaster));
                lines.push(line(&row, label, 0.01)?);
            }
        }
        panels.push(Panel {
            axis: axis.to_string(),
            lines,
        });
    }
    let cost_rows: Vec<_> = t
        .rows()
        .filter(|r| r.text(metric).starts_with("cost_"))
        .collect();
    let largest = cost_rows
        .iter()
        .filter_map(|r| r.number(ihi).ok().flatten())
        .fold(0.0_f64, |m, x| m.max(x.abs()));
    let (divisor, unit) = money_unit(largest);
    let mut cost = Vec::new();
    for row in &cost_rows {
        let name = row.text(metric);
        let label = name
            .trim_start_matches("cost_")
            .trim_end_matches("_usd")
            .replace('_', " ");
        cost.push(line(row, label, divisor)?);
    }
    panels.push(Panel {
        axis: if unit.is_empty() {
            "Δ cost, USD".to_string()
        } else {
            format!("Δ cost, {unit}")
        },
        lines: cost,
    });
    panels.retain(|p| !p.lines.is_empty());
    if panels.is_empty() {
        return message::<F>("B − A", "nothing to compare");
    }
    let most = panels.iter().map(|p| p.lines.len()).max().unwrap_or(1);
    let height = (110 + 26 * most as u32).max(360);
    let width = 520 * panels.len() as u32;
    F::render((width, height), |root| {
        let (title, body) = root.split_vertically(70);
        draw_title(
            &title,
            "B − A, paired over the same trials",
            "dot: difference · thick: paired 95 % interval (common random numbers) · thin grey: \
             the interval two independent runs would give · dashed: no difference",
        )?;
        let areas = body.split_evenly((1, panels.len()));
        for (panel, area) in panels.iter().zip(&areas) {
            draw_panel(area, panel)?;
        }
        Ok(())
    })
}

fn draw_panel<DB: super::common::Canvas>(
    area: &super::common::Area<DB>,
    panel: &Panel,
) -> Result<()> {
    let n = panel.lines.len();
    let (mut lo, mut hi) = panel
        .lines
        .iter()
        .flat_map(|l| [l.paired.0, l.paired.1, l.independent.0, l.independent.1])
        .filter(|x| x.is_finite())
        .fold((0.0_f64, 0.0_f64), |(a, b), x| (a.min(x), b.max(x)));
    if hi - lo <= f64::EPSILON {
        (lo, hi) = (-1.0, 1.0);
    }
    let pad = 0.06 * (hi - lo);
    let (lo, hi) = (lo - pad, hi + pad);
    // Line i at y = n − 1 − i: the first line on top.
    let y_ticks: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let labels: Vec<String> = panel.lines.iter().map(|l| l.label.clone()).collect();
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .margin_right(20)
        .x_label_area_size(45)
        .y_label_area_size(190)
        .build_cartesian_2d(
            lo..hi,
            Ticked::<RangedCoordf64>::new(-0.6..(n as f64 - 0.4), y_ticks),
        )?;
    chart
        .configure_mesh()
        .x_desc(panel.axis.as_str())
        .x_label_formatter(&|x| format_number(*x))
        .y_label_formatter(&|y| {
            let i = n as i64 - 1 - y.round() as i64;
            usize::try_from(i)
                .ok()
                .and_then(|i| labels.get(i))
                .cloned()
                .unwrap_or_default()
        })
        .axis_desc_style((FONT, 14))
        .label_style((FONT, 12))
        .max_light_lines(0)
        .draw()?;
    chart.draw_series(dashed_vertical(0.0, -0.6, n as f64 - 0.4, BLACK))?;
    let colour = PALETTE[0];
    for (i, l) in panel.lines.iter().enumerate() {
        let y = (n - 1 - i) as f64;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(l.independent.0, y), (l.independent.1, y)],
            BLACK.mix(0.35).stroke_width(1),
        )))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(l.paired.0, y), (l.paired.1, y)],
            colour.stroke_width(5),
        )))?;
        chart.draw_series(std::iter::once(Circle::new(
            (l.difference, y),
            4,
            BLACK.filled(),
        )))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::fixtures::assert_has;

    const CSV: &str = "tier,environment,disaster,metric,a,b,difference,paired_ci95_low,paired_ci95_high,paired_se,independent_ci95_low,independent_ci95_high,independent_se,significant,trials\n\
Tier1,all,resource_loss,p_meet_rpo,0.9,0.95,0.05,0.04,0.06,0.005,0.0,0.1,0.025,true,20\n\
Tier1,all,resource_loss,p_meet_rto,0.8,0.8,0,0,0,0,-0.05,0.05,0.02,false,20\n\
Tier1,Production,resource_loss,p_meet_rto,0.8,0.8,0,0,0,0,-0.05,0.05,0.02,false,20\n\
all,all,,cost_first_year_usd,1000000,1200000,200000,190000,210000,5000,100000,300000,50000,true,20\n";

    #[test]
    fn draws_one_panel_per_measure_with_the_rows_of_all_environments() {
        let svg = compare_chart(CSV).expect("renders");
        assert_has(
            &svg,
            &[
                "Δ P(RPO met), percentage points",
                "Δ P(RTO met), percentage points",
                "Δ cost, $ thousands",
                "Tier1 · resource_loss",
                "first year",
            ],
        );
    }

    #[test]
    fn an_empty_comparison_says_so() {
        let header = CSV.lines().next().expect("header");
        let svg = compare_chart(&format!("{header}\n")).expect("renders");
        assert_has(&svg, &["nothing to compare"]);
    }
}
