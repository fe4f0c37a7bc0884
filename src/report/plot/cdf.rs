//! The RPO and RTO distributions (`rpo_rto_cdf.svg`): per disaster, one CDF line per tier
//! on a log time axis, with each tier's target and the share meeting it (`rpo_rto.csv`).

use anyhow::Result;
use plotters::prelude::*;

use super::common::{
    Area, Canvas, FONT, Format, SECONDS_PER_HOUR, Svg, Table, Ticked, dashed_vertical, draw_legend,
    draw_note, draw_title, entry, format_number, format_percent, message, quiet_corner,
};
use super::tiers::{TierColours, TierTargets};

/// One line of a distribution panel: a tier and its CDF as (hours, percent) points.
type Curve = (String, Vec<(f64, f64)>);

/// Plots `rpo_rto_cdf.csv`: a grid with one row per disaster and two columns (RPO, RTO),
/// one CDF line per tier over all environments, x in hours (log scale). Each tier's target
/// (`rpo_rto.csv`) is a dashed vertical line in the tier's colour; the legend gives the
/// share meeting it (`p_meet_rpo` / `p_meet_rto`).
pub fn rpo_rto_cdfs(cdf_csv: &str, rpo_rto_csv: &str) -> Result<String> {
    render::<Svg>(cdf_csv, rpo_rto_csv)
}

/// `rpo_rto_cdfs` in any format.
pub(super) fn render<F: Format>(cdf_csv: &str, rpo_rto_csv: &str) -> Result<F::Output> {
    let cdf = Table::parse("rpo_rto_cdf.csv", cdf_csv)?;
    let summary = Table::parse("rpo_rto.csv", rpo_rto_csv)?;
    let targets = TierTargets::read(&summary)?;
    let colours = TierColours::new(&summary, std::iter::empty())?;
    let [tier, environment, disaster, metric, probability, seconds] = cdf.columns([
        "tier",
        "environment",
        "disaster",
        "metric",
        "probability",
        "seconds",
    ])?;

    // disaster → [RPO curves, RTO curves], disasters in file order.
    let mut panels: Vec<(String, [Vec<Curve>; 2])> = Vec::new();
    for row in cdf.rows() {
        if row.text(environment) != "all" || row.text(tier) == "all" {
            continue;
        }
        let column = match row.text(metric) {
            "rpo" => 0,
            "rto" => 1,
            _ => continue,
        };
        let (Some(p), Some(s)) = (row.number(probability)?, row.number(seconds)?) else {
            continue;
        };
        let curves = &mut entry(&mut panels, row.text(disaster))[column];
        entry(curves, row.text(tier)).push((s / SECONDS_PER_HOUR, p * 100.0));
    }
    if panels.is_empty() {
        return message::<F>(
            "RPO and RTO per tier",
            "no RPO or RTO distribution (the scenario simulates no disaster)",
        );
    }

    const PANEL: (u32, u32) = (640, 330);
    const TITLE: u32 = 70;
    let size = (2 * PANEL.0, TITLE + PANEL.1 * panels.len() as u32);
    F::render(size, |root| {
        let (title, grid) = root.split_vertically(TITLE);
        draw_title(
            &title,
            "RPO and RTO per tier, all environments",
            "lines: distribution over recoverable losses · dashed: the tier's target · \
             legend: share of all losses meeting it (unrecoverable ones miss it)",
        )?;
        let cells = grid.split_evenly((panels.len(), 2));
        for ((disaster, curves), row) in panels.iter().zip(cells.chunks(2)) {
            for (c, (cell, curves)) in row.iter().zip(curves).enumerate() {
                let metric = ["RPO", "RTO"][c];
                let marks = curves
                    .iter()
                    .map(|(tier, _)| {
                        let t = targets.get(tier, disaster);
                        match c {
                            0 => (t.rpo_hours, t.p_meet_rpo),
                            _ => (t.rto_hours, t.p_meet_rto),
                        }
                    })
                    .collect::<Vec<_>>();
                cdf_panel(
                    cell,
                    &format!("{disaster}: {metric}"),
                    &format!("{metric} (hours)"),
                    ["share of time (%)", "share of restores (%)"][c],
                    curves,
                    &marks,
                    &colours,
                )?;
            }
        }
        Ok(())
    })
}

/// Draws one distribution panel; `marks[i]` is curve `i`'s (target hours, P(meet)).
fn cdf_panel<DB: Canvas>(
    area: &Area<DB>,
    caption: &str,
    x_title: &str,
    y_title: &str,
    curves: &[Curve],
    marks: &[(Option<f64>, Option<f64>)],
    colours: &TierColours,
) -> Result<()> {
    if curves.is_empty() {
        return draw_note(area, caption, "no distribution for this disaster");
    }
    let values = curves
        .iter()
        .flat_map(|(_, points)| points.iter().map(|p| p.0))
        .chain(marks.iter().filter_map(|m| m.0));
    let (lo, hi) = log_range(values);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 16))
        .margin(8)
        .margin_right(20)
        .x_label_area_size(40)
        .y_label_area_size(55)
        .build_cartesian_2d(
            Ticked::<LogCoord<f64>>::new((lo..hi).log_scale(), decades(lo, hi)),
            0.0..100.0,
        )?;
    chart
        .configure_mesh()
        .x_desc(x_title)
        .y_desc(y_title)
        .x_label_formatter(&|x| format_number(*x))
        .y_labels(6)
        .y_label_formatter(&|y| format!("{y:.0}"))
        .axis_desc_style((FONT, 14))
        .label_style((FONT, 12))
        .max_light_lines(0)
        .draw()?;
    for ((tier, points), (target, p_meet)) in curves.iter().zip(marks) {
        let colour = colours.get(tier);
        let style = colour.stroke_width(2);
        let points = points.iter().map(|&(x, y)| (x.max(lo), y));
        chart
            .draw_series(LineSeries::new(points, style))?
            .label(target_label(tier, *target, *p_meet))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
        if let Some(t) = target {
            chart.draw_series(dashed_vertical(*t, 0.0, 100.0, colour))?;
        }
    }
    let span = (hi / lo).ln();
    let occupied = curves
        .iter()
        .flat_map(|(_, points)| points)
        .map(|&(x, y)| ((x.max(lo) / lo).ln() / span, y / 100.0))
        .collect::<Vec<_>>();
    draw_legend(&mut chart, quiet_corner(&occupied, curves.len()))
}

/// The legend text of a tier's line: its name, then the share meeting its target.
fn target_label(tier: &str, target_hours: Option<f64>, p_meet: Option<f64>) -> String {
    match (target_hours, p_meet) {
        (Some(t), Some(p)) => format!(
            "{tier}: {} meet ≤ {} h",
            format_percent(p),
            format_number(t)
        ),
        (Some(t), None) => format!("{tier}: target {} h", format_number(t)),
        (None, _) => format!("{tier}: no target"),
    }
}

/// The log-axis range (hours) covering `values`: whole decades, at least 0.01 h (36 s);
/// smaller values are drawn at the left edge.
fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, 0.0_f64);
    for v in values.filter(|v| v.is_finite() && *v > 0.0) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if hi == 0.0 {
        return (0.1, 10.0);
    }
    // A little room below the smallest value, so a target there is not on the axis.
    let lo = 10f64.powf((lo * 0.9).log10().floor()).max(0.01);
    let hi = 10f64.powf(hi.log10().ceil()).max(lo * 10.0);
    (lo, hi)
}

/// The powers of ten from `lo` to `hi`, both decades: the log axis's ticks.
fn decades(lo: f64, hi: f64) -> Vec<f64> {
    let (a, b) = (lo.log10().round() as i32, hi.log10().round() as i32);
    (a..=b).map(|e| 10f64.powi(e)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::fixtures::{RPO_RTO, assert_has, cdf_csv, texts};

    #[test]
    fn rpo_rto_cdfs_draws_tiers_targets_and_axes() {
        let svg = rpo_rto_cdfs(&cdf_csv(), RPO_RTO).expect("renders");
        assert_has(
            &svg,
            &[
                "Tier1",
                "Gold",
                "RPO (hours)",
                "RTO (hours)",
                "share of time (%)",
                "share of restores (%)",
                "resource_loss: RPO",
                "region_outage: RTO",
                "Tier1: 50.0% meet ≤ 1 h",
                "Gold: target 8 h",
            ],
        );
        assert!(
            !texts(&svg).iter().any(|t| t.starts_with("all")),
            "the all-tier row is not a line"
        );
    }

    #[test]
    fn rpo_rto_cdfs_names_a_missing_column() {
        let cdf = cdf_csv().replacen("probability", "p", 1);
        let e = rpo_rto_cdfs(&cdf, RPO_RTO).expect_err("no probability column");
        assert!(e.to_string().contains("`probability`"), "{e}");
        let e = rpo_rto_cdfs(&cdf_csv(), &RPO_RTO.replacen("p_meet_rto,", "x,", 1))
            .expect_err("no p_meet_rto column");
        assert!(
            e.to_string()
                .contains("rpo_rto.csv has no column `p_meet_rto`"),
            "{e}"
        );
    }

    #[test]
    fn the_log_axis_covers_whole_decades() {
        assert_eq!(
            log_range([0.0001, 0.25, 2700.0].into_iter()),
            (0.01, 10000.0)
        );
        assert_eq!(decades(0.01, 100.0).len(), 5);
    }
}
