//! The plots of a real run: the default scenario's CSVs, as the binary wrote them,
//! rendered by `plot::render_all`; each SVG is well-formed and names the default
//! scenario's tiers, link and cost categories, and its axes. With `--png`, `run` also
//! writes each plot as PNG.

use std::collections::BTreeMap;

use super::common::{Small, run_default_outputs, stderr, vaultsim};

/// The texts of an SVG's `<text>` elements; panics if `svg` is not well-formed XML.
fn texts(name: &str, svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"));
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

#[test]
fn the_default_scenario_plots_its_tiers_link_costs_and_axes() {
    let run = run_default_outputs(&[], 2);
    let csvs = [
        "rpo_rto.csv",
        "rpo_rto_cdf.csv",
        "cost_monthly.csv",
        "copies_daily.csv",
        "restore_timeline.csv",
    ]
    .into_iter()
    .map(|name| {
        let text = run
            .files
            .get(name)
            .unwrap_or_else(|| panic!("the run wrote no {name}"));
        (name, text.clone())
    })
    .collect::<BTreeMap<_, _>>();
    let svgs = vaultsim::report::plot::render_all(&csvs).expect("the plots render");

    let tiers = ["Tier1", "Tier2", "Tier3", "Tier4"];
    let expected: [(&str, Vec<&str>); 4] = [
        (
            "rpo_rto_cdf.svg",
            [
                &tiers[..],
                &["RPO (hours)", "RTO (hours)", "share of time (%)"],
            ]
            .concat(),
        ),
        (
            "cost_monthly.svg",
            vec![
                "warm",
                "cold",
                "transfer",
                "total P50",
                "USD per month",
                "month",
            ],
        ),
        (
            "copies_backlog.svg",
            vec![
                "us-east-1>us-west-2",
                "lag p50",
                "lag p95",
                "copy lag (hours)",
                "simulation day",
            ],
        ),
        (
            "restore_timeline.svg",
            [
                &tiers[..],
                &["hours after the outage", "resources back (%)"],
            ]
            .concat(),
        ),
    ];
    assert_eq!(
        svgs.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
        expected.iter().map(|(n, _)| *n).collect::<Vec<_>>()
    );
    for ((name, svg), (_, wanted)) in svgs.iter().zip(&expected) {
        let texts = texts(name, svg);
        for w in wanted {
            assert!(
                texts.iter().any(|t| t.contains(w)),
                "{name} has no text `{w}`; its texts: {texts:?}"
            );
        }
    }
    let backlog = texts("copies_backlog.svg", &svgs[2].1);
    assert!(
        backlog
            .iter()
            .any(|t| t == "backlog (TB)" || t == "backlog (GB)"),
        "the backlog axis says its unit: {backlog:?}"
    );
    // `run` wrote the same plots, and report.html inlines all four; report.md links them.
    for (name, svg) in &svgs {
        assert_eq!(run.files.get(*name), Some(svg), "{name} as run wrote it");
    }
    let html = &run.files["report.html"];
    assert_eq!(html.matches("<svg").count(), 4, "four inline plots");
    // Self-contained: no scripts, nothing loaded from elsewhere.
    assert!(
        !html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http")
    );
    roxmltree::Document::parse(&html.replace("<!DOCTYPE html>", ""))
        .expect("report.html is well-formed");
    let md = &run.files["report.md"];
    for (name, _) in &svgs {
        assert!(md.contains(&format!("]({name})")), "report.md links {name}");
    }
    assert!(
        !run.files.keys().any(|n| n.ends_with(".png")),
        "no PNG without --png"
    );
}

#[test]
fn run_with_png_writes_each_plot_as_png_too() {
    let dir = tempfile::tempdir().expect("tempdir");
    let scenario = dir.path().join("small.toml");
    std::fs::write(&scenario, Small::default().toml()).expect("write");
    let out = dir.path().join("out");
    let o = vaultsim(&[
        "run",
        scenario.to_str().expect("utf-8"),
        "--trials",
        "1",
        "--png",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for name in [
        "rpo_rto_cdf",
        "cost_monthly",
        "copies_backlog",
        "restore_timeline",
    ] {
        let png = std::fs::read(out.join(format!("{name}.png")))
            .unwrap_or_else(|e| panic!("run --png wrote no {name}.png: {e}"));
        assert!(
            png.starts_with(b"\x89PNG\r\n\x1a\n"),
            "{name}.png starts with the PNG signature"
        );
        assert!(out.join(format!("{name}.svg")).exists(), "{name}.svg too");
    }
}
