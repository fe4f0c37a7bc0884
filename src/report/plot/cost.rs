//! The monthly cost forecast (`cost_monthly.svg`): category means stacked per month, the
//! total's P10–P90 band and P50 line, and the projected steady state (`cost_monthly.csv`).

use std::collections::BTreeMap;

use anyhow::Result;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::common::{
    FONT, Format, PALETTE, Svg, Table, Ticked, draw_legend, draw_title, entry, format_number,
    message, money_unit, quiet_corner,
};

/// Cost categories in stacking order (bottom first) with their colours; a category the
/// CSV holds that is not listed here is stacked on top in grey.
const COST_CATEGORIES: [(&str, RGBColor); 6] = [
    ("warm", RGBColor(0xE6, 0x9F, 0x00)),
    ("cold", RGBColor(0x56, 0xB4, 0xE9)),
    ("early_deletion", RGBColor(0xCC, 0x79, 0xA7)),
    ("continuous", RGBColor(0x00, 0x9E, 0x73)),
    ("transfer", RGBColor(0x00, 0x72, 0xB2)),
    ("restore", RGBColor(0xD5, 0x5E, 0x00)),
];

/// Plots `cost_monthly.csv`: the category means stacked per month, the total's P10–P90
/// band (translucent) and P50 line, and the projected steady-state month as a dashed
/// horizontal line. A header-only file (no `[costs]`) gives an SVG saying so.
pub fn cost_fan(cost_csv: &str) -> Result<String> {
    render::<Svg>(cost_csv)
}

/// `cost_fan` in any format.
pub(super) fn render<F: Format>(cost_csv: &str) -> Result<F::Output> {
    let t = Table::parse("cost_monthly.csv", cost_csv)?;
    let [month, dimension, value, statistic, usd] =
        t.columns(["month", "dimension", "value", "statistic", "usd"])?;

    let mut months: Vec<String> = Vec::new();
    // The total's statistic (`mean`, `p10`, …) → month index → USD.
    let mut total: BTreeMap<String, BTreeMap<usize, f64>> = BTreeMap::new();
    let mut categories: Vec<(String, BTreeMap<usize, f64>)> = Vec::new();
    let mut steady_state = None;
    for row in t.rows() {
        let Some(amount) = row.number(usd)? else {
            continue;
        };
        let (m, dim, stat) = (row.text(month), row.text(dimension), row.text(statistic));
        if m == "steady_state" {
            if dim == "total" && stat == "mean" {
                steady_state = Some(amount);
            }
            continue;
        }
        let index = match months.iter().position(|x| x == m) {
            Some(i) => i,
            None => {
                months.push(m.to_string());
                months.len() - 1
            }
        };
        match dim {
            "total" => {
                total
                    .entry(stat.to_string())
                    .or_default()
                    .insert(index, amount);
            }
            "category" if stat == "mean" && amount != 0.0 => {
                entry(&mut categories, row.text(value)).insert(index, amount);
            }
            _ => {}
        }
    }
    if months.is_empty() {
        return message::<F>(
            "Monthly cost forecast",
            "no cost forecast (the scenario has no [costs])",
        );
    }
    let rank = |name: &str| {
        COST_CATEGORIES
            .iter()
            .position(|(n, _)| *n == name)
            .unwrap_or(COST_CATEGORIES.len())
    };
    categories.sort_by_key(|(name, _)| rank(name));

    // Stack: layer k's top is the sum of the means of categories 0..=k.
    let mut layers: Vec<(&str, RGBColor, Vec<f64>)> = Vec::new();
    let mut running = vec![0.0; months.len()];
    for (name, by_month) in &categories {
        for (m, sum) in running.iter_mut().enumerate() {
            *sum += by_month.get(&m).copied().unwrap_or(0.0);
        }
        let colour = COST_CATEGORIES
            .get(rank(name))
            .map_or(PALETTE[7], |(_, c)| *c);
        layers.push((name, colour, running.clone()));
    }
    let series = |stat: &str| -> Vec<(f64, f64)> {
        total.get(stat).map_or_else(Vec::new, |by_month| {
            by_month.iter().map(|(&m, &v)| (m as f64, v)).collect()
        })
    };
    let (p10, p50, p90) = (series("p10"), series("p50"), series("p90"));

    let largest = running
        .iter()
        .chain(p90.iter().map(|p| &p.1))
        .chain(&steady_state)
        .fold(0.0_f64, |a, &b| a.max(b));
    let (divisor, unit) = money_unit(largest);
    let y_title = if unit.is_empty() {
        "USD per month".to_string()
    } else {
        format!("USD per month ({unit})")
    };
    let last = (months.len() - 1).max(1) as f64;
    let step = months.len().div_ceil(12).max(1);
    let ticks: Vec<f64> = (0..months.len()).step_by(step).map(|m| m as f64).collect();
    let scale = |points: &[(f64, f64)]| -> Vec<(f64, f64)> {
        points.iter().map(|&(x, y)| (x, y / divisor)).collect()
    };

    F::render((1100, 640), |root| {
        let (title, body) = root.split_vertically(70);
        draw_title(
            &title,
            "Monthly cost forecast",
            "areas: category means, stacked · band: total P10–P90 over trials · line: total P50",
        )?;
        let mut chart = ChartBuilder::on(&body)
            .margin(10)
            .margin_right(30)
            .x_label_area_size(45)
            .y_label_area_size(75)
            .build_cartesian_2d(
                Ticked::<RangedCoordf64>::new(0.0..last, ticks),
                0.0..(largest * 1.08 / divisor).max(1e-9),
            )?;
        chart
            .configure_mesh()
            .x_desc("month")
            .y_desc(y_title.as_str())
            .x_label_formatter(&|x| months.get(x.round() as usize).cloned().unwrap_or_default())
            .y_label_formatter(&|y| format_number(*y))
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .max_light_lines(0)
            .draw()?;
        // Top layer first, each painted over by the ones below it: the legend then lists
        // the categories top to bottom, as stacked.
        for (name, colour, tops) in layers.iter().rev() {
            let points = tops
                .iter()
                .enumerate()
                .map(|(m, v)| (m as f64, v / divisor));
            let fill = colour.filled();
            chart
                .draw_series(AreaSeries::new(points, 0.0, fill))?
                .label(*name)
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], fill));
        }
        if !p10.is_empty() && p10.len() == p90.len() {
            let band_style = BLACK.mix(0.25).filled();
            let outline = scale(&p90)
                .into_iter()
                .chain(scale(&p10).into_iter().rev())
                .collect::<Vec<_>>();
            chart
                .draw_series(std::iter::once(Polygon::new(outline, band_style)))?
                .label("total P10–P90")
                .legend(move |(x, y)| Rectangle::new([(x, y - 5), (x + 16, y + 5)], band_style));
        }
        let median = BLACK.stroke_width(2);
        chart
            .draw_series(LineSeries::new(scale(&p50), median))?
            .label("total P50")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], median));
        if let Some(s) = steady_state {
            let y = s / divisor;
            chart
                .draw_series(DashedLineSeries::new(
                    [(0.0, y), (last, y)],
                    8,
                    5,
                    BLACK.stroke_width(1),
                ))?
                .label(format!(
                    "projected steady state: ${} per month",
                    format_number(s)
                ))
                .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], BLACK));
        }
        // The stack is filled: every point under its top (or under the P90) is taken.
        let y_max = largest * 1.08;
        let mut occupied = Vec::new();
        for (m, top) in running.iter().enumerate() {
            let high = p90
                .iter()
                .find(|p| p.0 == m as f64)
                .map_or(*top, |p| p.1.max(*top));
            let x = m as f64 / last;
            occupied.extend(
                (0..=20)
                    .map(|k| (x, f64::from(k) / 20.0))
                    .take_while(|p| p.1 * y_max <= high),
            );
            occupied.extend(steady_state.map(|s| (x, s / y_max)));
        }
        let rows = layers.len() + 2 + usize::from(steady_state.is_some());
        draw_legend(&mut chart, quiet_corner(&occupied, rows))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::fixtures::{COST, assert_has, texts};

    #[test]
    fn cost_fan_draws_categories_band_and_steady_state() {
        let svg = cost_fan(COST).expect("renders");
        assert_has(
            &svg,
            &[
                "warm",
                "cold",
                "transfer",
                "total P10–P90",
                "total P50",
                "projected steady state",
                "USD per month ($ millions)",
                "2026-01",
                "2026-02",
                "month",
            ],
        );
        assert!(
            !texts(&svg).iter().any(|t| t == "restore"),
            "no zero category"
        );
    }

    #[test]
    fn cost_fan_without_costs_says_so() {
        let svg = cost_fan("month,dimension,value,statistic,usd\n").expect("renders");
        assert_has(&svg, &["no cost forecast (the scenario has no [costs])"]);
    }

    #[test]
    fn cost_fan_names_a_missing_column() {
        let e = cost_fan("month,dimension,value,usd\n").expect_err("no statistic column");
        assert!(
            e.to_string()
                .contains("cost_monthly.csv has no column `statistic`"),
            "{e}"
        );
    }
}
