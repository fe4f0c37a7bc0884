//! `vaultsim compare`: paired differences of two designs under common random numbers.

use vaultsim::compare::{self, Comparison, Metric};
use vaultsim::montecarlo;

use super::common::{model_from, root, stdout, vaultsim};

/// The minimal example with prices and a frequent logical corruption, its daily rule kept
/// `retention_days` (warm only).
fn design(retention_days: u32) -> String {
    let text = std::fs::read_to_string(root().join("scenarios/examples/minimal.toml"))
        .expect("the minimal example");
    let text = text.replace(
        "lifecycle = { move_to_cold_storage_after_days = 30, delete_after_days = 365 }",
        &format!("lifecycle = {{ delete_after_days = {retention_days} }}"),
    );
    assert!(text.contains(&format!("delete_after_days = {retention_days} }}")));
    text + "\n[disasters.logical_corruption]\n\
            detection_delay_days = { dist = \"lognormal\", median = 3, p95 = 21 }\n\
            rate_per_year = 20\n\n\
            [costs]\ncatalog = \"scenarios/prices/aws-backup.toml\"\n"
}

fn compared(a: &str, seed_a: u64, b: &str, seed_b: u64, trials: u64) -> Comparison {
    let (ma, mb) = (model_from(a), model_from(b));
    let (ra, rb) = (montecarlo::rows(&ma), montecarlo::rows(&mb));
    let ea = montecarlo::run(&ma, &ra, 0..trials, seed_a, &|| {}).finish(&ra);
    let eb = montecarlo::run(&mb, &rb, 0..trials, seed_b, &|| {}).finish(&rb);
    compare::compare(&ra, &ea, &rb, &eb, &vaultsim::cost::COST_CATEGORIES)
}

fn metric(c: &Comparison, tier: &str, disaster: &str, m: Metric) -> compare::Difference {
    c.rows
        .iter()
        .find(|r| r.tier == tier && r.environment == "all" && r.disaster == disaster)
        .and_then(|r| r.metrics.iter().find(|(x, _)| *x == m))
        .unwrap_or_else(|| panic!("no {} for {tier}/{disaster}", m.name()))
        .1
}

fn first_year(c: &Comparison) -> compare::Difference {
    c.cost
        .iter()
        .find(|l| l.name == "first_year")
        .expect("priced")
        .difference
}

#[test]
fn a_design_compared_with_itself_differs_by_exactly_zero() {
    let text = design(14);
    let c = compared(&text, 7, &text, 7, 12);
    assert!(c.unmatched.is_empty());
    let mut seen = 0;
    for r in &c.rows {
        for (m, d) in &r.metrics {
            assert_eq!(d.difference, 0.0, "{} {}", r.tier, m.name());
            assert_eq!(d.paired_half_width, 0.0, "{} {}", r.tier, m.name());
            seen += 1;
        }
    }
    for l in &c.cost {
        assert_eq!(l.difference.difference, 0.0, "{}", l.name);
        assert_eq!(l.difference.paired_half_width, 0.0, "{}", l.name);
    }
    assert!(seen > 30, "{seen} metrics compared");
    // An independent run of the same design would not be exact.
    assert!(first_year(&c).independent_half_width > 0.0);
}

#[test]
fn longer_retention_costs_more_loses_less_and_changes_nothing_else() {
    // B keeps daily points 35 days instead of 7. Expected, from how AWS Backup works:
    // more points held → higher storage cost; corruption found after 7 days finds no
    // clean point in A but may in B → lower P(unrecoverable); the newest point is the
    // same in both → resource-loss RPO and RTO identical, to the bit.
    let c = compared(&design(7), 11, &design(35), 11, 24);
    let cost = first_year(&c);
    assert!(cost.significant() && cost.difference > 0.0, "{cost:?}");
    let warm = c
        .cost
        .iter()
        .find(|l| l.name == "first_year_warm")
        .unwrap()
        .difference;
    assert!(warm.difference > 0.0 && warm.significant(), "{warm:?}");
    for tier in ["Tier1", "Tier2"] {
        let lost = metric(&c, tier, "logical_corruption", Metric::PUnrecoverable);
        assert!(
            lost.difference < 0.0 && lost.significant(),
            "{tier}: {lost:?}"
        );
        for m in [
            Metric::PMeetRpo,
            Metric::PMeetRto,
            Metric::RpoQuantile(2),
            Metric::RtoQuantile(2),
        ] {
            let d = metric(&c, tier, "resource_loss", m);
            assert_eq!(d.difference, 0.0, "{tier} {}", m.name());
            assert_eq!(d.paired_half_width, 0.0, "{tier} {}", m.name());
        }
    }
}

#[test]
fn paired_intervals_are_much_narrower_than_independent_runs() {
    let (a, b) = (design(7), design(35));
    let trials = 24;
    let paired = compared(&a, 11, &b, 11, trials);
    // The same two designs run independently: B with an unrelated seed.
    let independent = compared(&a, 11, &b, 99, trials);
    let (p, i) = (first_year(&paired), first_year(&independent));
    assert!(
        p.paired_half_width < i.paired_half_width / 2.0,
        "paired ±{} vs independent runs ±{}",
        p.paired_half_width,
        i.paired_half_width
    );
    // The independent-runs interval compare reports beside the paired one is what two
    // independent runs give (both are estimates of the same width: within a factor 2).
    let ratio = p.independent_half_width / i.paired_half_width;
    assert!((0.5..2.0).contains(&ratio), "ratio {ratio}");
    // Also for a probability: corruption losses of Tier2.
    let pp = metric(
        &paired,
        "Tier2",
        "logical_corruption",
        Metric::PUnrecoverable,
    );
    let ip = metric(
        &independent,
        "Tier2",
        "logical_corruption",
        Metric::PUnrecoverable,
    );
    assert!(
        pp.paired_half_width < ip.paired_half_width,
        "paired ±{} vs independent ±{}",
        pp.paired_half_width,
        ip.paired_half_width
    );
}

#[test]
fn compare_writes_its_files_and_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.toml"), dir.path().join("b.toml"));
    std::fs::write(&a, design(7)).unwrap();
    std::fs::write(&b, design(35)).unwrap();
    let out = dir.path().join("out");
    // The catalog path is relative to the scenario file: point it at the repository.
    for f in [&a, &b] {
        let text = std::fs::read_to_string(f).unwrap().replace(
            "catalog = \"scenarios/prices/aws-backup.toml\"",
            &format!(
                "catalog = \"{}\"",
                root().join("scenarios/prices/aws-backup.toml").display()
            ),
        );
        std::fs::write(f, text).unwrap();
    }
    let o = vaultsim(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--trials",
        "6",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = stdout(&o);
    assert!(text.contains("ΔP(RTO met) pp"), "{text}");
    assert!(text.contains("first year"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("compare.json")).unwrap()).unwrap();
    assert_eq!(json["trials"], 6);
    assert_eq!(json["same_resources"], 11);
    let catalog = root().join("scenarios/prices/aws-backup.toml");
    for design in ["a", "b"] {
        let inputs = &json[design]["inputs"];
        assert_eq!(inputs.as_array().map(Vec::len), Some(1), "{inputs}");
        assert_eq!(inputs[0]["file"], catalog.display().to_string().as_str());
        assert_eq!(inputs[0]["sha256"].as_str().map(str::len), Some(64));
    }
    let cost = &json["cost"]["first_year_usd"];
    assert!(cost["difference"].as_f64().unwrap() > 0.0, "{cost}");
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    assert!(csv.starts_with("tier,environment,disaster,metric,a,b,difference,"));
    assert!(csv.contains("Tier1,all,logical_corruption,p_unrecoverable,"));
    let svg = std::fs::read_to_string(out.join("compare.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("compare.svg is XML");
    let texts: Vec<&str> = doc.descendants().filter_map(|n| n.text()).collect();
    for wanted in [
        "Δ P(RTO met), percentage points",
        "Tier1 · logical_corruption",
        "first year",
    ] {
        assert!(
            texts.iter().any(|t| t.contains(wanted)),
            "no `{wanted}` in {texts:?}"
        );
    }
    // A scenario that does not load: exit 2, naming the file.
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[simulation]\nhorizon_days = \"x\"\n").unwrap();
    let o = vaultsim(&["compare", a.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("bad.toml"));
}
