//! `vaultsim policy effective` through the real binary: every inheritance case under
//! tests/policy/cases (expected effective policies written by hand from the operator rules)
//! and every malformed policy under tests/policy/bad (exit 2, exact message).
//!
//! A case directory holds the policy files, `levels` (one line per level, root first; files
//! of one level comma-separated in attach order, relative to the case directory), an
//! optional `args` (extra arguments, one per line), `expected.json` (stdout) and an optional
//! `expected.stderr` (the inheritance notes; absent means none).

use std::path::{Path, PathBuf};

use super::common::{root, stderr, stdout, vaultsim};

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    entries
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The command line of a case: `policy effective --level ... [args]`.
fn case_args(case: &Path) -> Vec<String> {
    let rel = case.strip_prefix(root()).expect("inside the crate");
    let mut args = vec!["policy".to_string(), "effective".to_string()];
    for line in read(&case.join("levels"))
        .lines()
        .filter(|l| !l.trim().is_empty())
    {
        let files: Vec<String> = line
            .split(',')
            .map(|f| rel.join(f.trim()).to_str().expect("utf-8").to_string())
            .collect();
        args.push("--level".into());
        args.push(files.join(","));
    }
    if let Ok(extra) = std::fs::read_to_string(case.join("args")) {
        args.extend(extra.lines().filter(|l| !l.is_empty()).map(String::from));
    }
    args
}

#[test]
fn every_inheritance_case_gives_its_hand_written_effective_policy() {
    let cases = sorted_entries(&root().join("tests/policy/cases"));
    assert!(cases.len() >= 13, "{cases:?}");
    for case in cases {
        let args = case_args(&case);
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = vaultsim(&argv);
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        assert_eq!(
            stdout(&o),
            read(&case.join("expected.json")),
            "{name}: stdout"
        );
        let notes = std::fs::read_to_string(case.join("expected.stderr")).unwrap_or_default();
        assert_eq!(stderr(&o), notes, "{name}: stderr");
        // The output is JSON, and an effective policy has no operators left.
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON");
        assert!(v["plans"].is_object(), "{name}");
        assert!(!stdout(&o).contains("@@"), "{name}");
    }
}

#[test]
fn malformed_policies_exit_2_with_their_exact_messages() {
    let bad: Vec<PathBuf> = sorted_entries(&root().join("tests/policy/bad"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert!(bad.len() >= 7, "{bad:?}");
    for f in bad {
        let rel = f.strip_prefix(root()).expect("inside the crate");
        let o = vaultsim(&[
            "policy",
            "effective",
            "--level",
            rel.to_str().expect("utf-8"),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", rel.display());
        assert_eq!(stdout(&o), "", "{}: printed a policy", rel.display());
        assert_eq!(
            stderr(&o),
            read(&f.with_extension("stderr")),
            "{}",
            rel.display()
        );
    }
}

/// Each kind of refusal names the file, the line and column, and the JSON path.
#[test]
fn refusals_name_file_position_and_json_path() {
    let cases = [
        (
            "bad_json",
            "tests/policy/bad/bad_json.json:5:7: malformed JSON",
        ),
        (
            "duplicate_key",
            "tests/policy/bad/duplicate_key.json:7:11: plans.Prod.rules.Daily.schedule_expression\n  duplicate key",
        ),
        (
            "wrong_type",
            "tests/policy/bad/wrong_type.json:7:47: plans.ProductionBackupPlan.rules.DailyBackup.lifecycle.delete_after_days\n  \
             `delete_after_days` holds a whole number",
        ),
        (
            "unknown_operator",
            "tests/policy/bad/unknown_operator.json:4:19: plans.Prod.regions.@@merge\n  unknown operator `@@merge`",
        ),
        (
            "append_on_scalar",
            "tests/policy/bad/append_on_scalar.json:7:35: plans.ProductionBackupPlan.rules.DailyBackup.lifecycle.delete_after_days\n  \
             `@@append` works only on lists",
        ),
        (
            "unknown_key",
            "tests/policy/bad/unknown_key.json:6:11: plans.Prod.rules.Daily.schedule\n  unknown key `schedule`",
        ),
        (
            "bare_value",
            "tests/policy/bad/bare_value.json:6:42: plans.Prod.rules.Daily.start_backup_window_minutes\n  \
             found the number 60 where an operator object is expected",
        ),
    ];
    for (name, expected) in cases {
        let file = format!("tests/policy/bad/{name}.json");
        let o = vaultsim(&["policy", "effective", "--level", &file]);
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(
            stderr(&o).starts_with(&format!("error: {expected}")),
            "{name}:\n{}",
            stderr(&o)
        );
    }
}

#[test]
fn problems_in_several_files_are_reported_together() {
    let o = vaultsim(&[
        "policy",
        "effective",
        "--level",
        "tests/policy/cases/seed_organization/root.json",
        "--level",
        "tests/policy/bad/unknown_key.json,tests/policy/bad/bad_json.json",
        "--level",
        "tests/policy/missing.json",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert!(
        err.contains("error: tests/policy/bad/unknown_key.json:6:11: "),
        "{err}"
    );
    assert!(
        err.contains("error: tests/policy/bad/bad_json.json:5:7: "),
        "{err}"
    );
    assert!(
        err.contains("error: tests/policy/missing.json: cannot read the policy file: "),
        "{err}"
    );
    assert!(err.ends_with("3 errors in backup policies\n"), "{err}");
}

#[test]
fn bad_command_lines_exit_2() {
    let seed = "tests/policy/cases/seed_organization/root.json";
    for (args, message) in [
        (vec!["policy", "effective"], "error: no policies given"),
        (
            vec!["policy", "effective", "--level", seed, "--account", "12345"],
            "error: --account `12345` is not an AWS account id",
        ),
        (
            vec![
                "policy",
                "effective",
                "--level",
                seed,
                "--account",
                "111122223333",
                "--region",
                "Mars",
            ],
            "error: --region `Mars` is not a Region code",
        ),
        (
            vec!["policy", "effective", "--level", &format!("{seed},")],
            "has an empty file name",
        ),
        (
            vec![
                "policy",
                "effective",
                "--level",
                seed,
                "--region",
                "us-east-1",
            ],
            "--account",
        ),
    ] {
        let o = vaultsim(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(stdout(&o), "", "{args:?}");
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
    // Organizations nests OUs at most 5 deep: root + 5 OUs + the account.
    let mut args = vec!["policy", "effective"];
    for _ in 0..8 {
        args.extend(["--level", seed]);
    }
    let o = vaultsim(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("8 levels given"), "{}", stderr(&o));
}

#[test]
fn help_shows_examples() {
    for args in [
        vec!["policy", "--help"],
        vec!["policy", "effective", "--help"],
    ] {
        let o = vaultsim(&args);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains("Examples:"), "{args:?}");
        assert!(
            stdout(&o).contains("vaultsim policy effective --level"),
            "{args:?}"
        );
    }
}
