//! `vaultsim sweep`: the grid, the Pareto set and determinism.

use super::common::{root, stderr, stdout, vaultsim};

/// The minimal example, priced (catalog by absolute path), written into `dir`.
fn scenario(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(root().join("scenarios/examples/minimal.toml")).unwrap()
        + &format!(
            "\n[costs]\ncatalog = \"{}\"\n",
            root().join("scenarios/prices/aws-backup.toml").display()
        );
    let file = dir.join("minimal.toml");
    std::fs::write(&file, text).unwrap();
    file
}

fn sweep(file: &std::path::Path, out: &std::path::Path, threads: &str) -> String {
    let o = vaultsim(&[
        "sweep",
        file.to_str().unwrap(),
        "--set",
        "plans.Daily.rules.DailyBackup.lifecycle.delete_after_days=365,120",
        "--set",
        "tiers.Tier1.rto_hours=1,8",
        "--trials",
        "8",
        "--threads",
        threads,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("Pareto"), "{}", stdout(&o));
    let svg = std::fs::read_to_string(out.join("sweep.svg")).unwrap();
    roxmltree::Document::parse(&svg).expect("sweep.svg is XML");
    assert!(svg.contains("Cost against P(RTO met) of Tier1/resource_loss"));
    std::fs::read_to_string(out.join("sweep.csv")).unwrap()
}

#[test]
fn a_two_parameter_sweep_writes_the_grid_and_its_pareto_set() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path());
    let csv = sweep(&file, &dir.path().join("a"), "2");
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
    };
    let (retention, rto) = (
        column("plans.Daily.rules.DailyBackup.lifecycle.delete_after_days"),
        column("tiers.Tier1.rto_hours"),
    );
    let (cost, p, pareto) = (
        column("projected_steady_monthly_usd"),
        column("objective_p_meet_rto"),
        column("pareto"),
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let grid: Vec<(&str, &str)> = rows.iter().map(|r| (&r[retention], &r[rto])).collect();
    assert_eq!(
        grid,
        [("365", "1"), ("365", "8"), ("120", "1"), ("120", "8")],
        "the full grid, last parameter fastest"
    );
    let number = |r: &csv::StringRecord, c: usize| r[c].parse::<f64>().unwrap();
    // Under common random numbers the RTO target changes no cost, and the retention no
    // resource-loss restore: the same random world gives equal numbers, to the digit.
    assert_eq!(rows[0][cost], rows[1][cost]);
    assert_eq!(rows[2][cost], rows[3][cost]);
    assert_eq!(rows[0][p], rows[2][p]);
    assert_eq!(rows[1][p], rows[3][p]);
    assert!(
        number(&rows[2], cost) < number(&rows[0], cost),
        "shorter retention is cheaper"
    );
    assert!(
        number(&rows[1], p) > number(&rows[0], p),
        "8 h is met more often than 1 h"
    );
    // Hence, by hand: (120 days, 8 h) is the cheapest point with the best probability and
    // dominates every other (cheaper than (365, 8) at equal P; better than (120, 1) at
    // equal cost; both better than (365, 1)). It alone is efficient.
    let marked: Vec<&str> = rows.iter().map(|r| &r[pareto]).collect();
    assert_eq!(marked, ["false", "false", "false", "true"]);
}

#[test]
fn a_sweep_is_deterministic_on_any_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let file = scenario(dir.path());
    let one = sweep(&file, &dir.path().join("one"), "1");
    let two = sweep(&file, &dir.path().join("two"), "2");
    assert_eq!(one, two);
}

#[test]
fn an_unknown_path_names_the_nearest_valid_one() {
    for (set, nearest) in [
        ("tier.Tier1.rto_hours=1,2", "tiers.Tier1.rto_hours"),
        (
            "links.us-east-1>us-west-3.bandwidth_gbps=1",
            "links.us-east-1>us-west-2.bandwidth_gbps",
        ),
        (
            "plans.production.rules.daily.lifecycle.move_to_cold_storage_after_days=0,30",
            "plans.ProductionBackupPlan.rules.dailybackup.lifecycle.move_to_cold_storage_after_days",
        ),
    ] {
        let o = vaultsim(&["sweep", "scenarios/landing-zone.toml", "--set", set]);
        assert_eq!(o.status.code(), Some(2), "{set}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("landing-zone.toml"), "{err}");
        assert!(
            err.contains(&format!("nearest valid path: {nearest}")),
            "{set}: {err}"
        );
    }
    // A value the loader refuses names the line and the --set that caused it.
    let o = vaultsim(&[
        "sweep",
        "scenarios/examples/minimal.toml",
        "--set",
        "plans.Daily.rules.DailyBackup.lifecycle.delete_after_days=7",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("minimal.toml:70:"), "{err}");
    assert!(
        err.contains("--set plans.Daily.rules.DailyBackup.lifecycle.delete_after_days=7"),
        "{err}"
    );
    // Not a list.
    let o = vaultsim(&[
        "sweep",
        "scenarios/examples/minimal.toml",
        "--set",
        "tiers.Tier1.rto_hours",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
