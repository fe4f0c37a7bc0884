//! The real binary: help, the schedule subcommand, determinism of `run`, the summary
//! schema, and every broken fixture's exact message.

use std::path::Path;

use super::common::{root, stderr, stdout, vaultsim};

#[test]
fn every_subcommand_has_help_with_an_example() {
    for args in [
        vec!["--help"],
        vec!["run", "--help"],
        vec!["schedule", "--help"],
    ] {
        let o = vaultsim(&args);
        assert!(o.status.success(), "{args:?}");
        assert!(stdout(&o).contains("Examples:"), "{args:?}: {}", stdout(&o));
    }
}

#[test]
fn schedule_prints_the_next_fire_times_in_utc() {
    let o = vaultsim(&[
        "schedule",
        "cron(0 5 ? * * *)",
        "--after",
        "2025-03-10T12:00:00Z",
        "--count",
        "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        stdout(&o),
        "2025-03-11T05:00:00Z\n2025-03-12T05:00:00Z\n2025-03-13T05:00:00Z\n"
    );
    // 05:00 in Berlin is 04:00 UTC in winter and 03:00 UTC from 30 March 2025 (CEST).
    let o = vaultsim(&[
        "schedule",
        "cron(0 5 ? * * *)",
        "--after",
        "2025-03-29T00:00:00Z",
        "--count",
        "2",
        "--timezone",
        "Europe/Berlin",
    ]);
    assert_eq!(stdout(&o), "2025-03-29T04:00:00Z\n2025-03-30T03:00:00Z\n");
}

#[test]
fn invalid_schedules_exit_2_with_the_reason() {
    for (expr, fragment) in [
        ("rate(1 hour)", "rate"),
        ("cron(0 5 * * * *)", "?"),
        ("cron(0/10 * ? * * *)", "60 minutes"),
        ("cron(0 5 ? * *)", "exactly 6"),
    ] {
        let o = vaultsim(&["schedule", expr, "--after", "2025-03-10T12:00:00Z"]);
        assert_eq!(o.status.code(), Some(2), "{expr}");
        assert!(stdout(&o).is_empty(), "{expr}");
        assert!(stderr(&o).contains(fragment), "{expr}: {}", stderr(&o));
    }
}

fn run_to(dir: &Path, extra: &[&str]) {
    let out = dir.to_str().expect("utf-8 path");
    let mut args = vec![
        "run",
        "scenarios/landing-zone.toml",
        "--trials",
        "3",
        "--out",
        out,
    ];
    args.extend_from_slice(extra);
    let o = vaultsim(&args);
    assert!(o.status.success(), "{}", stderr(&o));
}

const FILES: [&str; 7] = [
    "summary.json",
    "rpo_rto.csv",
    "storage_daily.csv",
    "restore_timeline.csv",
    "copies_daily.csv",
    "alarms_monthly.csv",
    "cost_monthly.csv",
];

fn read_all(dir: &Path) -> Vec<Vec<u8>> {
    FILES
        .iter()
        .map(|f| std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
        .collect()
}

/// The same seed gives the same bytes on 1 and 2 threads and on a repeat; another seed
/// gives other numbers. Runs the default scenario (which also keeps it from rotting).
#[test]
fn runs_are_byte_identical_across_thread_counts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (a, b, c, d) = (
        tmp.path().join("t1"),
        tmp.path().join("t2"),
        tmp.path().join("again"),
        tmp.path().join("seed8"),
    );
    run_to(&a, &["--seed", "7", "--threads", "1"]);
    run_to(&b, &["--seed", "7", "--threads", "2"]);
    run_to(&c, &["--seed", "7", "--threads", "2"]);
    run_to(&d, &["--seed", "8", "--threads", "2"]);
    let (fa, fb, fc, fd) = (read_all(&a), read_all(&b), read_all(&c), read_all(&d));
    for (i, name) in FILES.iter().enumerate() {
        assert!(fa[i] == fb[i], "{name} differs between 1 and 2 threads");
        assert!(
            fb[i] == fc[i],
            "{name} differs between two runs with one seed"
        );
    }
    assert!(fa[1] != fd[1], "a different seed must change rpo_rto.csv");
    assert!(
        fa[2] != fd[2],
        "a different seed must change storage_daily.csv"
    );

    // summary.json follows docs/summary.schema.json.
    let schema: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root().join("docs/summary.schema.json")).expect("schema file"),
    )
    .expect("schema is JSON");
    let summary: serde_json::Value = serde_json::from_slice(&fa[0]).expect("summary is JSON");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&summary)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "summary.json violates the schema:\n{}",
        errors.join("\n")
    );
    assert_eq!(summary["seed"], 7);
    assert_eq!(summary["trials"], 3);
}

/// Every broken fixture exits 2 with exactly the message in its `.stderr` file, and
/// writes nothing.
#[test]
fn broken_scenarios_exit_2_with_located_messages() {
    let dir = root().join("tests/fixtures/bad");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    fixtures.sort();
    assert!(fixtures.len() >= 8);
    let tmp = tempfile::tempdir().expect("tempdir");
    for f in fixtures {
        let rel = f.strip_prefix(root()).expect("inside the crate");
        let out = tmp.path().join("out");
        let o = vaultsim(&[
            "run",
            rel.to_str().expect("utf-8"),
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", rel.display());
        let expected = std::fs::read_to_string(f.with_extension("stderr"))
            .unwrap_or_else(|e| panic!("{}: {e}", f.with_extension("stderr").display()));
        assert_eq!(stderr(&o), expected, "{}", rel.display());
        assert!(
            !out.exists(),
            "{}: wrote output despite the error",
            rel.display()
        );
    }
}

#[test]
fn a_missing_scenario_file_exits_2() {
    let o = vaultsim(&["run", "scenarios/no-such-file.toml"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-file.toml"), "{}", stderr(&o));
}

/// Every scenario in scenarios/examples runs (the default one runs above).
#[test]
fn example_scenarios_run() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = root().join("scenarios/examples");
    for entry in std::fs::read_dir(dir).expect("examples") {
        let path = entry.expect("entry").path();
        let rel = path
            .strip_prefix(root())
            .expect("inside")
            .to_str()
            .expect("utf-8")
            .to_string();
        let out = tmp.path().join(path.file_stem().expect("stem"));
        let o = vaultsim(&[
            "run",
            &rel,
            "--trials",
            "4",
            "--out",
            out.to_str().expect("utf-8"),
        ]);
        assert!(o.status.success(), "{rel}: {}", stderr(&o));
        assert!(out.join("summary.json").exists());
    }
}
