//! SVG plots of a run's CSV outputs: the RPO/RTO distributions per tier and disaster,
//! the monthly cost forecast, the copy backlog per link and the region-outage restore
//! timeline.
//!
//! Each plot is a pure function from the text of the CSV files `report::csv_files`
//! writes to SVG text, so a plot shows exactly what its CSV holds: plotting code only
//! picks columns and rows (and stacks already-aggregated category means); it computes no
//! statistic of its own. `cli` writes the SVGs next to the CSVs.
//!
//! Text is measured with DejaVu Sans, compiled into the binary and registered with
//! plotters once (`assets/fonts/`, licence alongside): no system font is read at run
//! time. The SVGs name the `sans-serif` family, which the viewer supplies.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use anyhow::{Context, Result, anyhow, bail};
use plotters::coord::Shift;
use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// DejaVu Sans (Bitstream Vera licence, `assets/fonts/LICENSE-DejaVu.txt`).
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The font family every text of the plots uses.
const FONT: &str = "sans-serif";

/// Colour-blind-safe colours (Okabe & Ito), in the order tiers and links take them.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
    RGBColor(0x99, 0x99, 0x99), // grey
];

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

const SECONDS_PER_HOUR: f64 = 3600.0;

/// Renders every plot from the CSV texts of a run, keyed by file name (`rpo_rto.csv`,
/// `rpo_rto_cdf.csv`, `cost_monthly.csv`, `copies_daily.csv`, `restore_timeline.csv`).
/// Returns `(file name, SVG text)` in a fixed order: `rpo_rto_cdf.svg`,
/// `cost_monthly.svg`, `copies_backlog.svg`, `restore_timeline.svg`. A missing file or
/// column is an error naming it.
pub fn render_all(files: &BTreeMap<&str, String>) -> Result<Vec<(&'static str, String)>> {
    let file = |name: &str| {
        files
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| anyhow!("no {name} to plot"))
    };
    let rpo_rto = file("rpo_rto.csv")?;
    Ok(vec![
        (
            "rpo_rto_cdf.svg",
            rpo_rto_cdfs(file("rpo_rto_cdf.csv")?, rpo_rto).context("plotting rpo_rto_cdf.svg")?,
        ),
        (
            "cost_monthly.svg",
            cost_fan(file("cost_monthly.csv")?).context("plotting cost_monthly.svg")?,
        ),
        (
            "copies_backlog.svg",
            copy_backlog(file("copies_daily.csv")?).context("plotting copies_backlog.svg")?,
        ),
        (
            "restore_timeline.svg",
            restore_timeline(file("restore_timeline.csv")?, rpo_rto)
                .context("plotting restore_timeline.svg")?,
        ),
    ])
}

// ---------------------------------------------------------------------------------------
// 1. RPO and RTO distributions
// ---------------------------------------------------------------------------------------

/// One line of a distribution panel: a tier and its CDF as (hours, percent) points.
type Curve = (String, Vec<(f64, f64)>);

/// Plots `rpo_rto_cdf.csv`: a grid with one row per disaster and two columns (RPO, RTO),
/// one CDF line per tier over all environments, x in hours (log scale). Each tier's target
/// (`rpo_rto.csv`) is a dashed vertical line in the tier's colour; the legend gives the
/// share meeting it (`p_meet_rpo` / `p_meet_rto`).
pub fn rpo_rto_cdfs(cdf_csv: &str, rpo_rto_csv: &str) -> Result<String> {
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
        return message_svg(
            "RPO and RTO per tier",
            "no RPO or RTO distribution (the scenario simulates no disaster)",
        );
    }

    const PANEL: (u32, u32) = (640, 330);
    const TITLE: u32 = 70;
    let size = (2 * PANEL.0, TITLE + PANEL.1 * panels.len() as u32);
    svg(size, |root| {
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
fn cdf_panel(
    area: &Area<'_>,
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

/// Each tier's targets (hours) and P(meet) per disaster, from `rpo_rto.csv`'s
/// all-environment rows.
struct TierTargets(BTreeMap<(String, String), Target>);

/// A tier's targets and the shares meeting them, for one disaster.
#[derive(Clone, Copy, Default)]
struct Target {
    rpo_hours: Option<f64>,
    rto_hours: Option<f64>,
    p_meet_rpo: Option<f64>,
    p_meet_rto: Option<f64>,
}

impl TierTargets {
    fn read(t: &Table) -> Result<TierTargets> {
        let [tier, environment, disaster, rpo, rto, p_rpo, p_rto] = t.columns([
            "tier",
            "environment",
            "disaster",
            "rpo_target_seconds",
            "rto_target_seconds",
            "p_meet_rpo",
            "p_meet_rto",
        ])?;
        let mut map = BTreeMap::new();
        for row in t.rows() {
            if row.text(environment) != "all" || row.text(tier) == "all" {
                continue;
            }
            let hours = |c| Ok::<_, anyhow::Error>(row.number(c)?.map(|s| s / SECONDS_PER_HOUR));
            map.insert(
                (row.text(tier).to_string(), row.text(disaster).to_string()),
                Target {
                    rpo_hours: hours(rpo)?,
                    rto_hours: hours(rto)?,
                    p_meet_rpo: row.number(p_rpo)?,
                    p_meet_rto: row.number(p_rto)?,
                },
            );
        }
        Ok(TierTargets(map))
    }

    fn get(&self, tier: &str, disaster: &str) -> Target {
        self.0
            .get(&(tier.to_string(), disaster.to_string()))
            .copied()
            .unwrap_or_default()
    }
}

/// The colour of each tier, the same in every plot: tiers take the palette in the order
/// `rpo_rto.csv` lists them, then any other tier in the order met.
struct TierColours(Vec<String>);

impl TierColours {
    fn new<'a>(rpo_rto: &'a Table, others: impl Iterator<Item = &'a str>) -> Result<TierColours> {
        let [tier] = rpo_rto.columns(["tier"])?;
        let mut names: Vec<String> = Vec::new();
        for name in rpo_rto.rows().map(|r| r.text(tier)).chain(others) {
            if name != "all" && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        Ok(TierColours(names))
    }

    fn get(&self, tier: &str) -> RGBColor {
        let i = self
            .0
            .iter()
            .position(|n| n == tier)
            .unwrap_or(self.0.len());
        PALETTE[i % PALETTE.len()]
    }
}

// ---------------------------------------------------------------------------------------
// 2. Monthly cost forecast
// ---------------------------------------------------------------------------------------

/// Plots `cost_monthly.csv`: the category means stacked per month, the total's P10–P90
/// band (translucent) and P50 line, and the projected steady-state month as a dashed
/// horizontal line. A header-only file (no `[costs]`) gives an SVG saying so.
pub fn cost_fan(cost_csv: &str) -> Result<String> {
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
        return message_svg(
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

    svg((1100, 640), |root| {
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

/// A readable unit for an amount of USD up to `largest`: (divisor, name).
fn money_unit(largest: f64) -> (f64, &'static str) {
    if largest >= 1e9 {
        (1e9, "$ billions")
    } else if largest >= 1e6 {
        (1e6, "$ millions")
    } else if largest >= 1e4 {
        (1e3, "$ thousands")
    } else {
        (1.0, "")
    }
}

// ---------------------------------------------------------------------------------------
// 3. Copy backlog
// ---------------------------------------------------------------------------------------

/// Plots `copies_daily.csv`: per link, the backlog at the end of each day (mean solid,
/// P90 over trials dashed); below, the lag p50/p95 of the copies completed that day
/// (gaps on days with none). A file without links gives an SVG saying so.
pub fn copy_backlog(copies_csv: &str) -> Result<String> {
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
        return message_svg(
            "Copy backlog",
            "no copy links (the scenario copies nothing to another region or account)",
        );
    }
    if t.rows.is_empty() {
        return message_svg("Copy backlog", "no simulated days");
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

    svg((1100, 860), |root| {
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

// ---------------------------------------------------------------------------------------
// 4. Region-outage restore timeline
// ---------------------------------------------------------------------------------------

/// Plots `restore_timeline.csv`: per tier, the share of its resources back over the hours
/// after a region outage (mean line, P10–P90 band), with the tier's RTO target as a
/// dashed vertical line in its colour (`rpo_rto.csv`: the `region_outage` all-environment
/// row, else `resource_loss`). A header-only file gives an SVG saying so.
pub fn restore_timeline(timeline_csv: &str, rpo_rto_csv: &str) -> Result<String> {
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
        return message_svg("Restore timeline", "no region outage simulated");
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

    svg((1100, 640), |root| {
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

// ---------------------------------------------------------------------------------------
// Reading CSV text
// ---------------------------------------------------------------------------------------

/// A CSV file held in memory: its header and records, columns looked up by name.
struct Table {
    file: &'static str,
    header: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

/// One record of a `Table`, for reading cells by column index.
struct Row<'a> {
    file: &'static str,
    header: &'a [String],
    record: &'a csv::StringRecord,
}

impl Table {
    fn parse(file: &'static str, text: &str) -> Result<Table> {
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header = reader
            .headers()
            .with_context(|| format!("{file}: the header is not CSV"))?
            .iter()
            .map(String::from)
            .collect();
        let rows = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("{file} is not CSV"))?;
        Ok(Table { file, header, rows })
    }

    /// The indices of the named columns; an error naming the first one missing.
    fn columns<const N: usize>(&self, names: [&str; N]) -> Result<[usize; N]> {
        let mut out = [0; N];
        for (slot, name) in out.iter_mut().zip(names) {
            *slot = self
                .header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| anyhow!("{} has no column `{name}`", self.file))?;
        }
        Ok(out)
    }

    fn rows(&self) -> impl Iterator<Item = Row<'_>> {
        self.rows.iter().map(|record| Row {
            file: self.file,
            header: &self.header,
            record,
        })
    }
}

impl<'a> Row<'a> {
    /// The cell's text; empty if the record is short.
    fn text(&self, column: usize) -> &'a str {
        self.record.get(column).unwrap_or("")
    }

    /// The cell as a number; `None` if empty, an error naming the place if not a number.
    fn number(&self, column: usize) -> Result<Option<f64>> {
        let text = self.text(column).trim();
        if text.is_empty() {
            return Ok(None);
        }
        text.parse::<f64>().map(Some).map_err(|_| {
            let line = self.record.position().map_or(0, |p| p.line());
            anyhow!(
                "{}:{line}: column `{}` holds `{text}`, not a number",
                self.file,
                self.header[column]
            )
        })
    }

    /// The cell as a number that must be there.
    fn required(&self, column: usize) -> Result<f64> {
        self.number(column)?.ok_or_else(|| {
            let line = self.record.position().map_or(0, |p| p.line());
            anyhow!(
                "{}:{line}: column `{}` is empty",
                self.file,
                self.header[column]
            )
        })
    }
}

/// The value stored under `key` in an insertion-ordered list, added if missing.
fn entry<'a, T: Default>(list: &'a mut Vec<(String, T)>, key: &str) -> &'a mut T {
    let i = match list.iter().position(|(k, _)| k == key) {
        Some(i) => i,
        None => {
            list.push((key.to_string(), T::default()));
            list.len() - 1
        }
    };
    &mut list[i].1
}

// ---------------------------------------------------------------------------------------
// Drawing helpers
// ---------------------------------------------------------------------------------------

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Registers the embedded font with plotters, once per process.
fn register_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, DEJAVU_SANS).is_ok()
    });
    if !ok {
        bail!("the embedded DejaVu Sans font does not load");
    }
    Ok(())
}

/// Draws on a white SVG canvas of `size` pixels and returns the SVG text.
fn svg(size: (u32, u32), draw: impl FnOnce(&Area<'_>) -> Result<()>) -> Result<String> {
    register_font()?;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE)?;
        draw(&root)?;
        root.present()?;
    }
    Ok(out)
}

/// An SVG holding only a title and a sentence: what a plot shows when there is no data.
fn message_svg(title: &str, text: &str) -> Result<String> {
    svg((800, 200), |root| draw_note(root, title, text))
}

/// A caption and a centred sentence in place of a chart.
fn draw_note(area: &Area<'_>, caption: &str, text: &str) -> Result<()> {
    let inner = area.titled(caption, (FONT, 18))?;
    let (w, h) = inner.dim_in_pixel();
    let grey = BLACK.mix(0.7);
    let style = TextStyle::from((FONT, 15).into_font())
        .color(&grey)
        .pos(Pos::new(HPos::Center, VPos::Center));
    inner.draw(&Text::new(text, (w as i32 / 2, h as i32 / 2), style))?;
    Ok(())
}

/// A figure's title and a one-line key under it.
fn draw_title(area: &Area<'_>, title: &str, key: &str) -> Result<()> {
    let (w, _) = area.dim_in_pixel();
    let centre =
        |size| TextStyle::from((FONT, size).into_font()).pos(Pos::new(HPos::Center, VPos::Top));
    area.draw(&Text::new(title, (w as i32 / 2, 12), centre(22)))?;
    area.draw(&Text::new(
        key,
        (w as i32 / 2, 44),
        centre(13).color(&BLACK.mix(0.7)),
    ))?;
    Ok(())
}

/// An axis (linear or logarithmic) with ticks and grid lines at chosen values only.
struct Ticked<R> {
    axis: R,
    ticks: Vec<f64>,
}

impl<R: Ranged<ValueType = f64>> Ticked<R> {
    fn new(axis: impl Into<R>, ticks: Vec<f64>) -> Ticked<R> {
        Ticked {
            axis: axis.into(),
            ticks,
        }
    }
}

impl<R: Ranged<ValueType = f64>> Ranged for Ticked<R> {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.axis.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // The chosen ticks are the bold lines; no light lines between them.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.axis.range()
    }
}

/// A dashed vertical line at `x` from `y0` to `y1`.
fn dashed_vertical(
    x: f64,
    y0: f64,
    y1: f64,
    colour: RGBColor,
) -> DashedLineSeries<std::vec::IntoIter<(f64, f64)>, i32> {
    DashedLineSeries::new(vec![(x, y0), (x, y1)], 6, 4, colour.stroke_width(2))
}

/// Where a legend of `rows` lines covers the fewest `points` (fractions of the plot's
/// width and height from its lower left corner): lower right, upper left, middle right,
/// upper right or lower left, the first of those on a tie. The box is taken as 40% of the
/// width and 7% of the height per line, about what the legends here take.
fn quiet_corner(points: &[(f64, f64)], rows: usize) -> SeriesLabelPosition {
    let (w, h) = (0.4, (0.07 * rows as f64 + 0.05).min(1.0));
    let (left, right) = (0.0..w, 1.0 - w..1.0);
    let (bottom, middle, top) = (0.0..h, 0.5 - h / 2.0..0.5 + h / 2.0, 1.0 - h..1.0);
    let candidates = [
        (
            SeriesLabelPosition::LowerRight,
            right.clone(),
            bottom.clone(),
        ),
        (SeriesLabelPosition::UpperLeft, left.clone(), top.clone()),
        (SeriesLabelPosition::MiddleRight, right.clone(), middle),
        (SeriesLabelPosition::UpperRight, right, top),
        (SeriesLabelPosition::LowerLeft, left, bottom),
    ];
    candidates
        .into_iter()
        .min_by_key(|(_, xs, ys)| {
            points
                .iter()
                .filter(|(x, y)| xs.contains(x) && ys.contains(y))
                .count()
        })
        .map_or(SeriesLabelPosition::LowerRight, |c| c.0)
}

/// Draws the series labels of `chart` at `position`, on a translucent white box.
fn draw_legend<'a, 'b: 'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> Result<()>
where
    X: Ranged,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .position(position)
        .margin(10)
        .label_font((FONT, 13))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .draw()?;
    Ok(())
}

/// A number for an axis tick or label: at most three significant decimals, thousands
/// separated (`0.01`, `2.5`, `1,000`).
fn format_number(v: f64) -> String {
    let a = v.abs();
    if a >= 100.0 || a == 0.0 {
        let whole = format!("{:.0}", a);
        let mut out = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(c);
        }
        if v < 0.0 && whole != "0" {
            out.insert(0, '-');
        }
        return out;
    }
    let decimals = (2 - a.log10().floor() as i32).clamp(0, 6) as usize;
    let text = format!("{v:.decimals$}");
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

/// A probability as a percentage with one decimal (`53.6%`).
fn format_percent(p: f64) -> String {
    format!("{:.1}%", p * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The texts of an SVG's `<text>` elements; panics if the SVG is not well-formed XML.
    fn texts(svg: &str) -> Vec<String> {
        let doc = roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("the SVG is not well-formed: {e}\n{svg}"));
        doc.descendants()
            .filter(|n| n.has_tag_name("text"))
            .map(|n| n.text().unwrap_or("").trim().to_string())
            .collect()
    }

    fn assert_has(svg: &str, wanted: &[&str]) {
        let texts = texts(svg);
        for w in wanted {
            assert!(
                texts.iter().any(|t| t.contains(w)),
                "no <text> holds `{w}`; texts: {texts:?}"
            );
        }
    }

    const RPO_RTO: &str = "\
tier,environment,disaster,resources,rpo_target_seconds,rto_target_seconds,p_meet_rpo,p_meet_rpo_se,p_meet_rto,p_meet_rto_se
Tier1,Production,resource_loss,3,3600,14400,0.5,0.01,0.8,0.01
Tier1,all,resource_loss,3,3600,14400,0.5,0.01,0.8,0.01
Gold,all,resource_loss,2,86400,28800,0.9,0.01,,
all,all,resource_loss,5,,,,,,
Tier1,all,region_outage,3,3600,7200,0.1,0.01,0.2,0.01
Gold,all,region_outage,2,86400,,0.3,0.01,,
";

    fn cdf_csv() -> String {
        let mut s = String::from("tier,environment,disaster,metric,probability,seconds\n");
        for (tier, scale) in [("Tier1", 1.0), ("Gold", 10.0), ("all", 5.0)] {
            for disaster in ["resource_loss", "region_outage"] {
                for metric in ["rpo", "rto"] {
                    for (p, seconds) in [(0.0, 0.0), (0.5, 1800.0), (0.99, 36000.0), (1.0, 90000.0)]
                    {
                        s += &format!("{tier},all,{disaster},{metric},{p},{}\n", seconds * scale);
                    }
                }
            }
        }
        s += "Tier1,Production,resource_loss,rpo,0.5,1\n";
        s
    }

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

    const COST: &str = "\
month,dimension,value,statistic,usd
2026-01,total,all,mean,1500000.00
2026-01,total,all,p10,1400000.00
2026-01,total,all,p50,1500000.00
2026-01,total,all,p90,1600000.00
2026-01,category,warm,mean,1000000.00
2026-01,category,cold,mean,200000.00
2026-01,category,transfer,mean,300000.00
2026-01,tier,Tier1,mean,1500000.00
2026-02,total,all,mean,2500000.00
2026-02,total,all,p10,2400000.00
2026-02,total,all,p50,2500000.00
2026-02,total,all,p90,2600000.00
2026-02,category,warm,mean,1800000.00
2026-02,category,cold,mean,300000.00
2026-02,category,transfer,mean,400000.00
steady_state,total,all,mean,4000000.00
steady_state,total,all,p10,3900000.00
steady_state,total,all,p50,4000000.00
steady_state,total,all,p90,4100000.00
";

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

    const COPIES: &str = "\
day,created_mean,completed_mean,failed_mean,refused_cold_mean,lag_p50_seconds,lag_p95_seconds,us-east-1>us-west-2:backlog_jobs_mean,us-east-1>us-west-2:backlog_jobs_p90,us-east-1>us-west-2:backlog_bytes_mean,us-east-1>us-west-2:backlog_bytes_p90
0,10,0,0,0,,,10,12,2000000000000,2500000000000
1,10,5,0,0,7200,36000,5,8,1000000000000,1500000000000
2,10,10,0,0,,,0,0,0,0
3,10,10,0,0,3600,7200,0,0,0,0
4,10,10,0,0,3600,7200,0,0,0,0
";

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

    const TIMELINE: &str = "\
tier,hours_after_outage,affected_resources_mean,share_back_mean,share_back_p10,share_back_p50,share_back_p90
Tier1,1,3,0.1,0.0,0.1,0.3
Tier1,2,3,0.6,0.4,0.6,0.9
Tier1,3,3,1.0,1.0,1.0,1.0
Gold,1,2,0.0,0.0,0.0,0.0
Gold,2,2,0.5,0.0,0.5,1.0
Gold,3,2,0.5,0.5,0.5,0.5
";

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

    #[test]
    fn tier_colours_agree_across_plots() {
        let summary = Table::parse("rpo_rto.csv", RPO_RTO).expect("csv");
        let a = TierColours::new(&summary, std::iter::empty()).expect("tiers");
        let b =
            TierColours::new(&summary, ["Gold", "Tier1", "untiered"].into_iter()).expect("tiers");
        for tier in ["Tier1", "Gold"] {
            assert_eq!(a.get(tier), b.get(tier));
        }
        assert_ne!(b.get("Tier1"), b.get("Gold"));
        assert_ne!(b.get("untiered"), b.get("Gold"));
    }

    #[test]
    fn render_all_names_each_svg_and_a_missing_file() {
        let mut files = BTreeMap::new();
        files.insert("rpo_rto.csv", RPO_RTO.to_string());
        files.insert("rpo_rto_cdf.csv", cdf_csv());
        files.insert("cost_monthly.csv", COST.to_string());
        files.insert("copies_daily.csv", COPIES.to_string());
        let e = render_all(&files).expect_err("no timeline");
        assert!(e.to_string().contains("restore_timeline.csv"), "{e}");
        files.insert("restore_timeline.csv", TIMELINE.to_string());
        let names = render_all(&files)
            .expect("renders")
            .into_iter()
            .map(|(n, _)| n)
            .collect::<Vec<_>>();
        assert_eq!(
            names,
            [
                "rpo_rto_cdf.svg",
                "cost_monthly.svg",
                "copies_backlog.svg",
                "restore_timeline.svg"
            ]
        );
    }

    #[test]
    fn numbers_read_at_a_glance() {
        assert_eq!(format_number(0.01), "0.01");
        assert_eq!(format_number(0.25), "0.25");
        assert_eq!(format_number(2.5), "2.5");
        assert_eq!(format_number(24.0), "24");
        assert_eq!(format_number(1000.0), "1,000");
        assert_eq!(format_number(14.86), "14.9");
        assert_eq!(
            log_range([0.0001, 0.25, 2700.0].into_iter()),
            (0.01, 10000.0)
        );
        assert_eq!(decades(0.01, 100.0).len(), 5);
    }
}
