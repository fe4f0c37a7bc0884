//! `vaultsim gate` end to end through the binary: a run gated against itself passes, a
//! design made worse fails against the unmodified design's baseline, and unreadable
//! summaries exit with code 2.

use std::path::Path;
use std::process::Output;

use super::common::{root, run_default_outputs, stderr, stdout, vaultsim};

/// Trials of each run: enough for standard errors, few enough for a debug build.
const TRIALS: u32 = 2;

/// `vaultsim gate --baseline B --current C`.
fn gate(baseline: &Path, current: &Path) -> Output {
    vaultsim(&[
        "gate",
        "--baseline",
        baseline.to_str().expect("utf-8"),
        "--current",
        current.to_str().expect("utf-8"),
    ])
}

/// The organization policy with the production plan's `DailyBackup` rule keeping its
/// points `days` days instead of 365 (its copy action's retention is left alone).
fn daily_retention_cut_to(days: &str) -> String {
    let text =
        std::fs::read_to_string(root().join("scenarios/policies/organization-backup-policy.json"))
            .expect("the organization policy");
    let rule = text.find("\"DailyBackup\"").expect("a DailyBackup rule");
    let delete = rule
        + text[rule..]
            .find("\"delete_after_days\"")
            .expect("a delete_after_days in DailyBackup");
    let value = delete + text[delete..].find("\"365\"").expect("365 days");
    let edited = format!(
        "{}\"{days}\"{}",
        &text[..value],
        &text[value + "\"365\"".len()..]
    );
    // Check the edit hit the rule's lifecycle and nothing else.
    let json: serde_json::Value = serde_json::from_str(&edited).expect("still JSON");
    let daily = &json["plans"]["ProductionBackupPlan"]["rules"]["DailyBackup"];
    assert_eq!(daily["lifecycle"]["delete_after_days"]["@@assign"], days);
    assert_eq!(
        daily["copy_actions"]["arn:aws:backup:us-west-2:111122223333:backup-vault:DRVault"]["lifecycle"]
            ["delete_after_days"]["@@assign"],
        "365"
    );
    edited
}

/// The default scenario's baseline passes against itself; with production daily retention
/// cut from 365 to 30 days (same trials, same seed) the gate fails with exit code 1.
#[test]
fn cutting_production_daily_retention_fails_the_gate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let baseline = dir.path().join("baseline.json");
    let base = run_default_outputs(&[], TRIALS);
    std::fs::write(&baseline, &base.files["summary.json"]).expect("write the baseline");

    let o = gate(&baseline, &baseline);
    assert_eq!(o.status.code(), Some(0), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("PASS: no regression"), "{}", stdout(&o));
    assert!(!stdout(&o).contains("Regressions"), "{}", stdout(&o));
    assert!(stderr(&o).is_empty(), "{}", stderr(&o));

    let policy = dir.path().join("organization-backup-policy.json");
    std::fs::write(&policy, daily_retention_cut_to("30")).expect("write the policy");
    let cut = run_default_outputs(
        &[(
            "\"policies/organization-backup-policy.json\"",
            &format!("\"{}\"", policy.display()),
        )],
        TRIALS,
    );
    assert_eq!(cut.summary["seed"], base.summary["seed"]);
    assert_eq!(cut.summary["trials"], base.summary["trials"]);
    let current = dir.path().join("current.json");
    std::fs::write(&current, &cut.files["summary.json"]).expect("write the current summary");

    let o = gate(&baseline, &current);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}{}", stderr(&o));
    assert!(out.contains("Regressions ("), "{out}");
    assert!(out.contains("FAIL: "), "{out}");
    assert!(out.lines().any(|l| l.contains("WORSE")), "{out}");
    // The scenario files differ (they name different policy files): a warning, not a failure.
    assert!(
        stderr(&o).contains("warning: the scenario files differ"),
        "{}",
        stderr(&o)
    );
}

/// A baseline that is not JSON, not a summary or not there exits 2, naming the file.
#[test]
fn a_malformed_baseline_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let current = dir.path().join("current.json");
    std::fs::write(
        &current,
        r#"{"format": 1, "vaultsim_version": "0.1.0", "rpo_rto": [], "cost": null}"#,
    )
    .expect("write");
    for (name, text, message) in [
        (
            "truncated.json",
            Some("{\"format\": 1, \"rpo_rto\": ["),
            "is not valid JSON",
        ),
        (
            "other.json",
            Some("{\"name\": \"not a summary\"}"),
            "not a vaultsim summary",
        ),
        ("absent.json", None, "cannot read the baseline summary"),
    ] {
        let baseline = dir.path().join(name);
        if let Some(text) = text {
            std::fs::write(&baseline, text).expect("write");
        }
        let o = gate(&baseline, &current);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{name}: {}", stdout(&o));
        assert!(stderr(&o).contains(name), "{name}: {}", stderr(&o));
        assert!(stderr(&o).contains(message), "{name}: {}", stderr(&o));
    }
}
