//! The region-outage restore timeline (`restore_timeline.svg`): per tier, the share of
//! resources back over the hours after the outage, with the tier's RTO target
//! (`restore_timeline.csv`, `rpo_rto.csv`).

use anyhow::Result;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::common::{
    FONT, Format, Svg, Table, Ticked, dashed_vertical, draw_legend, draw_title, entry,
    format_number, message, quiet_corner,
};
use super::tiers::{TierColours, TierTargets};

/// Plots `restore_timeline.csv`: per tier, the share of its resources back over the hours
/// after a region outage (mean line, P10–P90 band), with the tier's RTO target as a
/// dashed vertical line in its colour (`rpo_rto.csv`: the `region_outage` all-environment
/// row, else `resource_loss`). A header-only file gives an SVG saying so.
pub fn restore_timeline(timeline_csv: &str, rpo_rto_csv: &str) -> Result<String> {
    render::<Svg>(timeline_csv, rpo_rto_csv)
}

/// `restore_timeline` in any format.
pub(super) fn render<F: Format>(timeline_csv: &str, rpo_rto_csv: &str) -> Result<F::Output> {
    let t = Table::parse("restore_timeline.csv", timeline_csv)?;
    let summary = Table::parse("rpo_rto.csv", rpo_rto_csv)?;
    let targets = TierTargets::read(&summary)?;
    let [tier, hours, mean, p10, p90] = t.columns([
        "tier",
        "hours_after_outage",
        "share_back_mean",
        "share_back_p10",
        "share_back_p90",
    ])?;
    if t.rows.is_empty() {
        return message::<F>("Restore timeline", "no region outage simulated");
    }
    let colours = TierColours::new(&summary, t.rows().map(|r| r.text(tier)))?;

    // tier → (hour, mean %, P10 %, P90 %), tiers in file order.
    let mut tiers: Vec<(String, Vec<[f64; 4]>)> = Vec::new();
    for row in t.rows() {
        let point = [
            row.required(hours)?,
            row.required(mean)? * 100.0,
            row.required(p10)? * 100.0,
            row.required(p90)? * 100.0,
        ];
        entry(&mut tiers, row.text(tier)).push(point);
    }
    let rto_hours = |name: &str| {
        let target = |disaster| targets.get(name, disaster).rto_hours;
        target("region_outage").or_else(|| target("resource_loss"))
    };
    let last_hour = tiers
        .iter()
        .flat_map(|(name, points)| points.iter().map(|p| p[0]).chain(rto_hours(name)))
        .fold(1.0_f64, f64::max);
    let tick_step = if last_hour > 72.0 { 24 } else { 6 };
    let ticks = (0..=(last_hour as usize).div_ceil(tick_step))
        .map(|i| (i * tick_step) as f64)
        .collect::<Vec<_>>();
    let x_end = ticks.last().copied().unwrap_or(last_hour).max(last_hour);

    F::render((1100, 640), |root| {
        let (title, body) = root.split_vertically(70);
        draw_title(
            &title,
            "Restore after a region outage",
            "lines: mean share of the tier's affected resources back · bands: P10–P90 over \
             trials · dashed: the tier's RTO target",
        )?;
        let mut chart = ChartBuilder::on(&body)
            .margin(10)
            .margin_right(30)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(Ticked::<RangedCoordf64>::new(0.0..x_end, ticks), 0.0..100.0)?;
        chart
            .configure_mesh()
            .x_desc("hours after the outage")
            .y_desc("resources back (%)")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .max_light_lines(0)
            .draw()?;
        for (name, points) in &tiers {
            let colour = colours.get(name);
            let band = points
                .iter()
                .map(|p| (p[0], p[3]))
                .chain(points.iter().rev().map(|p| (p[0], p[2])))
                .collect::<Vec<_>>();
            chart.draw_series(std::iter::once(Polygon::new(
                band,
                colour.mix(0.15).filled(),
            )))?;
        }
        for (name, points) in &tiers {
            let colour = colours.get(name);
            let style = colour.stroke_width(2);
            let rto = rto_hours(name);
            let label = match rto {
                Some(h) => format!("{name} (RTO target {} h)", format_number(h)),
                None => format!("{name} (no RTO target)"),
            };
            chart
                .draw_series(LineSeries::new(points.iter().map(|p| (p[0], p[1])), style))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
            if let Some(h) = rto {
                chart.draw_series(dashed_vertical(h, 0.0, 100.0, colour))?;
            }
        }
        let occupied = tiers
            .iter()
            .flat_map(|(_, points)| points)
            .flat_map(|p| [p[1], p[2], p[3]].map(|y| (p[0] / x_end, y / 100.0)))
            .collect::<Vec<_>>();
        draw_legend(&mut chart, quiet_corner(&occupied, tiers.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::fixtures::{RPO_RTO, TIMELINE, assert_has};

    #[test]
    fn restore_timeline_draws_tiers_and_targets() {
        let svg = restore_timeline(TIMELINE, RPO_RTO).expect("renders");
        assert_has(
            &svg,
            &[
                "Tier1 (RTO target 2 h)",
                "Gold (RTO target 8 h)",
                "hours after the outage",
                "resources back (%)",
            ],
        );
    }

    #[test]
    fn restore_timeline_without_outage_says_so() {
        let header = TIMELINE.lines().next().expect("header");
        let svg = restore_timeline(&format!("{header}\n"), RPO_RTO).expect("renders");
        assert_has(&svg, &["no region outage simulated"]);
    }

    #[test]
    fn restore_timeline_names_a_missing_column() {
        let e = restore_timeline(&TIMELINE.replacen("share_back_p90", "p90", 1), RPO_RTO)
            .expect_err("no share_back_p90");
        assert!(
            e.to_string()
                .contains("restore_timeline.csv has no column `share_back_p90`")
        );
    }
}
