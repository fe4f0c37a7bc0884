//! Plots of a run's CSV outputs: the RPO/RTO distributions per tier and disaster (`cdf`),
//! the monthly cost forecast (`cost`), the copy backlog per link (`copies`) and the
//! region-outage restore timeline (`timeline`), as SVG and, on request, PNG; and of
//! `compare.csv` (`compare`: paired differences) and `sweep.csv` (`sweep`: cost against
//! P(meet RTO) with the Pareto set).
//!
//! Each plot is a pure function from the text of the CSV files `report::csv_files` writes
//! to a file's contents, so a plot shows exactly what its CSV holds: plotting code only
//! picks columns and rows (and stacks already-aggregated category means); it computes no
//! statistic of its own. `cli` writes the files next to the CSVs.
//!
//! Every plot is drawn by one function generic over the plotters backend; `common::Format`
//! picks SVG text or PNG bytes, so the two formats cannot drift apart. Text is measured and
//! rasterised with DejaVu Sans, compiled into the binary and registered with plotters once
//! (`assets/fonts/`, licence alongside): no system font is read at run time. The SVGs name
//! the `sans-serif` family, which the viewer supplies.

mod cdf;
mod common;
mod compare;
mod copies;
mod cost;
mod sweep;
mod tiers;
mod timeline;

#[cfg(test)]
mod fixtures;

use std::collections::BTreeMap;

use anyhow::{Context, Result, anyhow};

pub use cdf::rpo_rto_cdfs;
pub use compare::compare_chart;
pub use copies::copy_backlog;
pub use cost::cost_fan;
pub use sweep::sweep_chart;
pub use timeline::restore_timeline;

use common::{Format, Png, Svg};

/// Renders every plot from the CSV texts of a run, keyed by file name (`rpo_rto.csv`,
/// `rpo_rto_cdf.csv`, `cost_monthly.csv`, `copies_daily.csv`, `restore_timeline.csv`).
/// Returns `(file name, SVG text)` in a fixed order: `rpo_rto_cdf.svg`,
/// `cost_monthly.svg`, `copies_backlog.svg`, `restore_timeline.svg`. A missing file or
/// column is an error naming it.
pub fn render_all(files: &BTreeMap<&str, String>) -> Result<Vec<(&'static str, String)>> {
    render::<Svg>(
        files,
        [
            "rpo_rto_cdf.svg",
            "cost_monthly.svg",
            "copies_backlog.svg",
            "restore_timeline.svg",
        ],
    )
}

/// As `render_all`, as PNG bytes (a bitmap of the same drawing, for places that show no
/// SVG): `rpo_rto_cdf.png`, `cost_monthly.png`, `copies_backlog.png`,
/// `restore_timeline.png`. The same CSV texts give the same bytes.
pub fn render_png_all(files: &BTreeMap<&str, String>) -> Result<Vec<(&'static str, Vec<u8>)>> {
    render::<Png>(
        files,
        [
            "rpo_rto_cdf.png",
            "cost_monthly.png",
            "copies_backlog.png",
            "restore_timeline.png",
        ],
    )
}

/// `compare.png`: the comparison chart as a bitmap.
pub fn compare_png(compare_csv: &str) -> Result<Vec<u8>> {
    compare::render::<Png>(compare_csv).context("plotting compare.png")
}

/// `sweep.png`: the sweep chart as a bitmap.
pub fn sweep_png(sweep_csv: &str) -> Result<Vec<u8>> {
    sweep::render::<Png>(sweep_csv).context("plotting sweep.png")
}

/// Renders the four plots in format `F`, named (in order) the distributions, the cost
/// forecast, the copy backlog and the restore timeline.
fn render<F: Format>(
    files: &BTreeMap<&str, String>,
    [cdfs, costs, backlog, timeline]: [&'static str; 4],
) -> Result<Vec<(&'static str, F::Output)>> {
    let file = |name: &str| {
        files
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| anyhow!("no {name} to plot"))
    };
    let rpo_rto = file("rpo_rto.csv")?;
    Ok(vec![
        (
            cdfs,
            cdf::render::<F>(file("rpo_rto_cdf.csv")?, rpo_rto)
                .with_context(|| format!("plotting {cdfs}"))?,
        ),
        (
            costs,
            cost::render::<F>(file("cost_monthly.csv")?)
                .with_context(|| format!("plotting {costs}"))?,
        ),
        (
            backlog,
            copies::render::<F>(file("copies_daily.csv")?)
                .with_context(|| format!("plotting {backlog}"))?,
        ),
        (
            timeline,
            timeline::render::<F>(file("restore_timeline.csv")?, rpo_rto)
                .with_context(|| format!("plotting {timeline}"))?,
        ),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;
    use fixtures::{COPIES, COST, RPO_RTO, TIMELINE, cdf_csv};

    fn files() -> BTreeMap<&'static str, String> {
        BTreeMap::from([
            ("rpo_rto.csv", RPO_RTO.to_string()),
            ("rpo_rto_cdf.csv", cdf_csv()),
            ("cost_monthly.csv", COST.to_string()),
            ("copies_daily.csv", COPIES.to_string()),
            ("restore_timeline.csv", TIMELINE.to_string()),
        ])
    }

    #[test]
    fn render_all_names_each_svg_and_a_missing_file() {
        let mut files = files();
        files.remove("restore_timeline.csv");
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
    fn render_png_all_names_each_png_and_repeats_its_bytes() {
        let first = render_png_all(&files()).expect("renders");
        assert_eq!(
            first.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            [
                "rpo_rto_cdf.png",
                "cost_monthly.png",
                "copies_backlog.png",
                "restore_timeline.png"
            ]
        );
        for (name, png) in &first {
            assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "{name} is a PNG");
        }
        assert!(first == render_png_all(&files()).expect("renders"));
    }
}
