//! The copy backlog (`copies_backlog.svg`): per link, the backlog at the end of each day,
//! and below it the lag of the day's completed copies (`copies_daily.csv`).

use anyhow::Result;
use plotters::prelude::*;

use super::common::{
    FONT, Format, PALETTE, SECONDS_PER_HOUR, Svg, Table, draw_legend, draw_title, format_number,
    message, quiet_corner,
};

/// Plots `copies_daily.csv`: per link, the backlog at the end of each day (mean solid,
/// P90 over trials dashed); below, the lag p50/p95 of the copies completed that day
/// (gaps on days with none). A file without links gives an SVG saying so.
pub fn copy_backlog(copies_csv: &str) -> Result<String> {
    render::<Svg>(copies_csv)
}

/// `copy_backlog` in any format.
pub(super) fn render<F: Format>(copies_csv: &str) -> Result<F::Output> {
    const SUFFIX: &str = ":backlog_bytes_mean";
    let t = Table::parse("copies_daily.csv", copies_csv)?;
    let [day, lag_p50, lag_p95] = t.columns(["day", "lag_p50_seconds", "lag_p95_seconds"])?;
    let links = t
        .header
        .iter()
        .filter_map(|h| h.strip_suffix(SUFFIX))
        .map(|link| {
            let [mean, p90] = t.columns([
                format!("{link}{SUFFIX}").as_str(),
                format!("{link}:backlog_bytes_p90").as_str(),
            ])?;
            Ok((link, mean, p90))
        })
        .collect::<Result<Vec<_>>>()?;
    if links.is_empty() {
        return message::<F>(
            "Copy backlog",
            "no copy links (the scenario copies nothing to another region or account)",
        );
    }
    if t.rows.is_empty() {
        return message::<F>("Copy backlog", "no simulated days");
    }

    let mut days = Vec::with_capacity(t.rows.len());
    let mut backlog = vec![(Vec::new(), Vec::new()); links.len()];
    let mut lags = [Vec::new(), Vec::new()];
    for row in t.rows() {
        let d = row.required(day)?;
        days.push(d);
        for ((_, mean, p90), (means, p90s)) in links.iter().zip(&mut backlog) {
            means.push((d, row.required(*mean)?));
            p90s.push((d, row.required(*p90)?));
        }
        for (lag, column) in lags.iter_mut().zip([lag_p50, lag_p95]) {
            lag.push((d, row.number(column)?.map(|s| s / SECONDS_PER_HOUR)));
        }
    }
    let largest = backlog
        .iter()
        .flat_map(|(m, p)| m.iter().chain(p))
        .fold(0.0_f64, |a, p| a.max(p.1));
    let (divisor, unit) = if largest >= 1e12 {
        (1e12, "TB")
    } else {
        (1e9, "GB")
    };
    let longest_lag = lags
        .iter()
        .flatten()
        .filter_map(|p| p.1)
        .fold(0.0_f64, f64::max);
    let first = days.iter().copied().fold(f64::INFINITY, f64::min);
    let last = days.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let x_range = first..last.max(first + 1.0);
    let x_frac = |x: f64| (x - x_range.start) / (x_range.end - x_range.start);
    let backlog_points = backlog
        .iter()
        .flat_map(|(m, p)| m.iter().chain(p))
        .map(|&(x, y)| (x_frac(x), y / (largest * 1.08).max(1.0)))
        .collect::<Vec<_>>();
    let lag_points = lags
        .iter()
        .flatten()
        .filter_map(|&(x, y)| Some((x_frac(x), y? / (longest_lag * 1.08).max(1.0))))
        .collect::<Vec<_>>();

    F::render((1100, 860), |root| {
        let (title, body) = root.split_vertically(70);
        draw_title(
            &title,
            "Copy backlog and lag",
            "backlog: copies waiting or transferring at the end of the day, per link · \
             lag: copies completed that day, all links",
        )?;
        let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 / 2);

        let mut chart = ChartBuilder::on(&top)
            .caption("backlog per link (mean and P90 over trials)", (FONT, 16))
            .margin(10)
            .margin_right(30)
            .x_label_area_size(40)
            .y_label_area_size(75)
            .build_cartesian_2d(x_range.clone(), 0.0..(largest / divisor * 1.08).max(1e-9))?;
        chart
            .configure_mesh()
            .x_desc("simulation day")
            .y_desc(format!("backlog ({unit})"))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format_number(*y))
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .max_light_lines(0)
            .draw()?;
        for (i, ((link, _, _), (means, p90s))) in links.iter().zip(&backlog).enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            let style = colour.stroke_width(2);
            let scale = |p: &(f64, f64)| (p.0, p.1 / divisor);
            chart
                .draw_series(LineSeries::new(means.iter().map(scale), style))?
                .label(*link)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
            chart
                .draw_series(DashedLineSeries::new(
                    p90s.iter().map(scale).collect::<Vec<_>>(),
                    6,
                    4,
                    colour.mix(0.6).stroke_width(1),
                ))?
                .label(format!("{link} P90"))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], colour.mix(0.6).stroke_width(1))
                });
        }
        draw_legend(&mut chart, quiet_corner(&backlog_points, 2 * links.len()))?;

        let mut chart = ChartBuilder::on(&bottom)
            .caption("copy lag of the day's completed copies", (FONT, 16))
            .margin(10)
            .margin_right(30)
            .x_label_area_size(40)
            .y_label_area_size(75)
            .build_cartesian_2d(x_range, 0.0..(longest_lag * 1.08).max(1.0))?;
        chart
            .configure_mesh()
            .x_desc("simulation day")
            .y_desc("copy lag (hours)")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format_number(*y))
            .axis_desc_style((FONT, 14))
            .label_style((FONT, 12))
            .max_light_lines(0)
            .draw()?;
        for (lag, (name, colour)) in lags
            .iter()
            .zip([("lag p50", PALETTE[0]), ("lag p95", PALETTE[1])])
        {
            let style = colour.stroke_width(2);
            let runs = runs(lag);
            // A day between two days without copies has no line to be part of: a dot.
            chart.draw_series(
                runs.iter()
                    .filter(|r| r.len() == 1)
                    .map(|r| Circle::new(r[0], 2, colour.filled())),
            )?;
            chart
                .draw_series(
                    runs.into_iter()
                        .filter(|r| r.len() > 1)
                        .map(|r| PathElement::new(r, style)),
                )?
                .label(name)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 16, y)], style));
        }
        draw_legend(&mut chart, quiet_corner(&lag_points, 2))
    })
}

/// The runs of consecutive points that have a value (a missing value breaks the line).
fn runs(points: &[(f64, Option<f64>)]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for &(x, y) in points {
        match y {
            Some(y) => out.last_mut().expect("never empty").push((x, y)),
            None if out.last().is_some_and(|r| !r.is_empty()) => out.push(Vec::new()),
            None => {}
        }
    }
    out.retain(|r| !r.is_empty());
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::fixtures::{COPIES, assert_has};

    #[test]
    fn copy_backlog_draws_links_and_lags() {
        let svg = copy_backlog(COPIES).expect("renders");
        assert_has(
            &svg,
            &[
                "us-east-1>us-west-2",
                "us-east-1>us-west-2 P90",
                "lag p50",
                "lag p95",
                "backlog (TB)",
                "copy lag (hours)",
                "simulation day",
            ],
        );
    }

    #[test]
    fn copy_backlog_without_links_says_so() {
        let header = COPIES.lines().next().expect("header");
        let without_links =
            header.split(',').take(7).collect::<Vec<_>>().join(",") + "\n0,1,1,0,0,60,60\n";
        let svg = copy_backlog(&without_links).expect("renders");
        assert_has(&svg, &["no copy links"]);
    }

    #[test]
    fn copy_backlog_names_a_missing_column() {
        let e = copy_backlog(&COPIES.replacen("lag_p95_seconds", "lag", 1)).expect_err("no lag");
        assert!(e.to_string().contains("`lag_p95_seconds`"), "{e}");
        let e = copy_backlog(&COPIES.replacen("us-west-2:backlog_bytes_p90", "x", 1))
            .expect_err("no p90");
        assert!(
            e.to_string()
                .contains("`us-east-1>us-west-2:backlog_bytes_p90`"),
            "{e}"
        );
    }
}
