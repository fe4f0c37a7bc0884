//! The sweep's trade-off (`sweep.svg`): each design point's cost against its P(meet RTO),
//! with its ±1.96 standard-error bar and its values, the Pareto-efficient points joined —
//! from `sweep.csv`.

use anyhow::Result;
use plotters::prelude::*;

use super::common::{
    FONT, Format, PALETTE, Svg, Table, draw_legend, draw_title, format_number, message, money_unit,
    quiet_corner,
};

/// Plots `sweep.csv` (SVG).
pub fn sweep_chart(sweep_csv: &str) -> Result<String> {
    render::<Svg>(sweep_csv)
}

/// Most points the key lists; a larger grid lists its efficient points only.
const MAX_KEY_LINES: usize = 32;

/// One design point.
struct Point {
    /// Its number in `sweep.csv`.
    index: String,
    /// Its values (`field=value, …`).
    label: String,
    cost: f64,
    p: f64,
    se: f64,
    efficient: bool,
}

/// `sweep_chart` in any format.
pub(super) fn render<F: Format>(sweep_csv: &str) -> Result<F::Output> {
    let t = Table::parse("sweep.csv", sweep_csv)?;
    let [
        first_value,
        objective,
        cost_column,
        p_column,
        se_column,
        pareto,
    ] = t.columns([
        "point",
        "objective",
        "objective_cost",
        "objective_p_meet_rto",
        "objective_p_meet_rto_se",
        "pareto",
    ])?;
    let [values_end] = t.columns(["first_year_usd"])?;
    // The swept paths are the columns between `point` and the results.
    let paths: Vec<&str> = t.header[first_value + 1..values_end]
        .iter()
        .map(|p| p.rsplit('.').next().unwrap_or(p))
        .collect();
    let Some(first) = t.rows().next() else {
        return message::<F>("Sweep", "no design point");
    };
    let cost_name = first.text(cost_column).to_string();
    let [cost_at] = t.columns([cost_name.as_str()])?;
    let target = first.text(objective).to_string();
    let mut points = Vec::new();
    for row in t.rows() {
        let (Some(cost), Some(p)) = (row.number(cost_at)?, row.number(p_column)?) else {
            continue;
        };
        let label = paths
            .iter()
            .enumerate()
            .map(|(i, path)| format!("{path}={}", row.text(first_value + 1 + i)))
            .collect::<Vec<_>>()
            .join(", ");
        points.push(Point {
            index: row.text(first_value).to_string(),
            label,
            cost,
            p: 100.0 * p,
            se: 100.0 * row.number(se_column)?.unwrap_or(0.0),
            efficient: row.text(pareto) == "true",
        });
    }
    if points.is_empty() {
        return message::<F>(
            "Sweep",
            "no point has both a cost and a P(RTO met) (is the scenario priced?)",
        );
    }
    let largest = points.iter().map(|p| p.cost).fold(0.0_f64, f64::max);
    let (divisor, unit) = money_unit(largest);
    let span = |values: &mut dyn Iterator<Item = f64>| {
        values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        })
    };
    let (x0, x1) = span(&mut points.iter().map(|p| p.cost / divisor));
    let (y0, y1) = span(
        &mut points
            .iter()
            .flat_map(|p| [p.p - 1.96 * p.se, p.p + 1.96 * p.se]),
    );
    let pad = |lo: f64, hi: f64, floor: f64| {
        let w = (hi - lo).max(floor);
        (lo - 0.12 * w, hi + 0.12 * w)
    };
    let (x0, x1) = pad(x0, x1, x0.abs().max(1.0) * 0.1);
    let (y0, y1) = pad(y0, y1, 1.0);
    let (y0, y1) = (y0.max(0.0), y1.min(100.0).max(y0.max(0.0) + 1.0));
    let mut frontier: Vec<(f64, f64)> = points
        .iter()
        .filter(|p| p.efficient)
        .map(|p| (p.cost / divisor, p.p))
        .collect();
    frontier.sort_by(|a, b| a.0.total_cmp(&b.0));
    let cost_axis = match cost_name.as_str() {
        "projected_steady_monthly_usd" => "projected steady-state cost per month",
        "first_year_usd" => "first-year cost",
        _ => "cost",
    };
    let x_desc = if unit.is_empty() {
        format!("{cost_axis} (USD)")
    } else {
        format!("{cost_axis} ({unit})")
    };
    // Points drawn on top of each other share one label: "0, 3, 6".
    let near = |a: &Point, b: &Point| {
        ((a.cost - b.cost) / divisor / (x1 - x0)).abs() < 0.03
            && ((a.p - b.p) / (y1 - y0)).abs() < 0.03
    };
    let mut labels: Vec<(f64, f64, String)> = Vec::new();
    let mut placed = vec![false; points.len()];
    for i in 0..points.len() {
        if placed[i] {
            continue;
        }
        let group: Vec<usize> = (i..points.len())
            .filter(|&j| !placed[j] && near(&points[i], &points[j]))
            .collect();
        for &j in &group {
            placed[j] = true;
        }
        let names: Vec<String> = group.iter().map(|&j| points[j].index.clone()).collect();
        labels.push((points[i].cost / divisor, points[i].p, names.join(", ")));
    }
    // The key: every point's values (only the efficient ones in a large grid).
    let listed: Vec<&Point> = if points.len() <= MAX_KEY_LINES {
        points.iter().collect()
    } else {
        points
            .iter()
            .filter(|p| p.efficient)
            .take(MAX_KEY_LINES)
            .collect()
    };
    let height = 700.max(110 + 18 * listed.len() as u32);
    F::render((1400, height), |root| {
        let (title, body) = root.split_vertically(70);
        draw_title(
            &title,
            &format!("Cost against P(RTO met) of {target}"),
            "filled: Pareto-efficient (no other point cheaper and at least as likely to meet \
             the RTO), joined · hollow: dominated · bars: ±1.96 standard errors · numbers: \
             the points, listed right",
        )?;
        let (plot_area, key_area) = body.split_horizontally(930);
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(10)
            .margin_right(30)
            .x_label_area_size(45)
            .y_label_area_size(60)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        chart
            .configure_mesh()
            .x_desc(x_desc.as_str())
            .y_desc("P(RTO met) (%)")
            .x_label_formatter(&|x| format_number(*x))
            .y_label_formatter(&|y| format_number(*y))
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .max_light_lines(0)
            .draw()?;
        let colour = PALETTE[0];
        for p in &points {
            let x = p.cost / divisor;
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, p.p - 1.96 * p.se), (x, p.p + 1.96 * p.se)],
                BLACK.mix(0.4).stroke_width(1),
            )))?;
        }
        let grey = BLACK.mix(0.55);
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|p| !p.efficient)
                    .map(|p| Circle::new((p.cost / divisor, p.p), 6, grey.stroke_width(2))),
            )?
            .label("dominated")
            .legend(move |(x, y)| Circle::new((x + 8, y), 5, grey.stroke_width(2)));
        chart
            .draw_series(std::iter::once(PathElement::new(
                frontier.clone(),
                colour.stroke_width(2),
            )))?
            .label("Pareto-efficient")
            .legend(move |(x, y)| Circle::new((x + 8, y), 5, colour.filled()));
        chart.draw_series(
            points
                .iter()
                .filter(|p| p.efficient)
                .map(|p| Circle::new((p.cost / divisor, p.p), 6, colour.filled())),
        )?;
        for (x, y, text) in &labels {
            chart.draw_series(std::iter::once(
                EmptyElement::at((*x, *y))
                    + Text::new(
                        text.clone(),
                        (9, -16),
                        (FONT, 12).into_font().color(&BLACK.mix(0.8)),
                    ),
            ))?;
        }
        let occupied: Vec<(f64, f64)> = points
            .iter()
            .map(|p| ((p.cost / divisor - x0) / (x1 - x0), (p.p - y0) / (y1 - y0)))
            .collect();
        draw_legend(&mut chart, quiet_corner(&occupied, 2))?;
        let style = (FONT, 12).into_font();
        key_area.draw(&Text::new(
            if listed.len() == points.len() {
                "points".to_string()
            } else {
                format!("Pareto-efficient points (of {})", points.len())
            },
            (10, 20),
            (FONT, 14).into_font(),
        ))?;
        for (i, p) in listed.iter().enumerate() {
            let text = format!(
                "{}{}  {}",
                p.index,
                if p.efficient { "*" } else { "" },
                p.label
            );
            key_area.draw(&Text::new(text, (10, 44 + 18 * i as i32), style.clone()))?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::fixtures::assert_has;

    const CSV: &str = "point,plans.P.rules.R.lifecycle.delete_after_days,tiers.Tier1.rto_hours,first_year_usd,first_year_se_usd,projected_steady_monthly_usd,objective,objective_cost,objective_p_meet_rto,objective_p_meet_rto_se,pareto,findings_critical,findings_high,findings_medium,findings_low\n\
0,365,1,1000,1,14000,Tier1/resource_loss,projected_steady_monthly_usd,0.5,0.01,false,0,0,0,0\n\
1,365,8,1000,1,14000,Tier1/resource_loss,projected_steady_monthly_usd,0.9,0.01,false,0,0,0,0\n\
2,120,8,1000,1,4000,Tier1/resource_loss,projected_steady_monthly_usd,0.9,0.01,true,0,0,0,0\n";

    #[test]
    fn draws_every_point_with_its_values_and_the_frontier() {
        let svg = sweep_chart(CSV).expect("renders");
        assert_has(
            &svg,
            &[
                "Cost against P(RTO met) of Tier1/resource_loss",
                "projected steady-state cost per month ($ thousands)",
                "P(RTO met) (%)",
                "2*  delete_after_days=120, rto_hours=8",
                "0  delete_after_days=365, rto_hours=1",
                "Pareto-efficient",
                "dominated",
            ],
        );
    }

    #[test]
    fn an_unpriced_sweep_says_so() {
        let csv = CSV.replace(",14000,", ",,").replace(",4000,", ",,");
        let svg = sweep_chart(&csv).expect("renders");
        assert_has(&svg, &["is the scenario priced?"]);
    }
}
