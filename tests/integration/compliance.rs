//! Compliance findings: a small fixture per finding kind, each asserting the finding's id,
//! scope and evidence; a fixture with no gaps; the default scenario's known gaps; the
//! `check` command's exit codes and outputs.

use vaultsim::compliance::{self, Report};
use vaultsim::model::{Finding, Severity};
use vaultsim::montecarlo;

use super::common::{Small, model_from, root, stderr, vaultsim};

/// A design without gaps: one EBS volume (3,600 MiB, a one-hour job at 1 MiB/s) backed
/// up daily at 05:00 and kept 35 days, Tier1 with RPO 26 h (a day's gap plus the job) and
/// RTO 4 h (a two-hour restore).
fn clean() -> String {
    Small::default()
        .toml()
        .replace("rpo_hours = 24", "rpo_hours = 26")
}

/// `extra` appended to the clean design, after `replace`ments.
fn fixture(replacements: &[(&str, &str)], extra: &str) -> String {
    let mut text = clean();
    for (from, to) in replacements {
        assert!(text.contains(from), "the fixture has no `{from}`");
        text = text.replace(from, to);
    }
    text + "\n" + extra
}

fn static_report(text: &str) -> Report {
    compliance::check(&model_from(text))
}

/// Static and simulated findings of a 2-trial run.
fn simulated_report(text: &str) -> Report {
    let model = model_from(text);
    let rows = montecarlo::rows(&model);
    let e = montecarlo::run(&model, &rows, 0..2, 1, &|| {}).finish(&rows);
    let mut report = compliance::check(&model);
    compliance::simulated(&model, &rows, &e, &mut report);
    report
}

/// The one finding with `id` (panics listing all findings otherwise).
fn finding<'a>(report: &'a Report, id: &str) -> &'a Finding {
    let matching: Vec<&Finding> = report.findings.iter().filter(|f| f.id == id).collect();
    match matching.as_slice() {
        [f] => f,
        _ => panic!(
            "expected one {id}, got {}: {:#?}",
            matching.len(),
            report
                .findings
                .iter()
                .map(|f| (f.id, &f.scope.label))
                .collect::<Vec<_>>()
        ),
    }
}

fn evidence<'a>(f: &'a Finding, name: &str) -> &'a str {
    f.evidence
        .iter()
        .find(|e| e.name == name)
        .map(|e| e.value.as_str())
        .unwrap_or_else(|| panic!("{} has no evidence `{name}`: {:?}", f.id, f.evidence))
}

#[test]
fn a_design_without_gaps_has_no_findings() {
    let report = static_report(&clean());
    assert!(report.findings.is_empty(), "{:#?}", report.findings);
    // The controls were evaluated, not skipped.
    let evaluated: usize = report
        .controls
        .iter()
        .map(|c| c.compliant + c.non_compliant)
        .sum();
    assert!(evaluated >= 8, "{evaluated}");
}

#[test]
fn an_unselected_resource_is_not_protected() {
    let report = static_report(&fixture(
        &[],
        "[organization.account_templates.app.resources.orphan]\ntype = \"EBS\"\n\
         count = { dist = \"fixed\", value = 3 }\nsize_gib = { dist = \"fixed\", value = 1 }\n",
    ));
    let f = finding(&report, "VS-AM-PROTECTED");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.scope.label, "OU Production");
    assert_eq!((f.scope.resources, f.scope.accounts), (3, 1));
    assert_eq!(f.control, "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN");
}

#[test]
fn short_retention_fails_audit_manager_retention_controls() {
    let report = static_report(&fixture(
        &[("{ delete_after_days = 35 }", "{ delete_after_days = 20 }")],
        "",
    ));
    let f = finding(&report, "VS-AM-PLAN-FREQUENCY-RETENTION");
    assert_eq!(evidence(f, "longest retention (days)"), "20");
    assert_eq!(evidence(f, "required"), "≤ 24 hours and ≥ 35 days");
    let f = finding(&report, "VS-AM-MIN-RETENTION");
    assert_eq!(evidence(f, "shortest retention (days)"), "20");
    assert_eq!(f.path, "plans.P.rules.R", "located at the rule");
}

#[test]
fn a_weekly_schedule_fails_the_last_recovery_point_control() {
    let report = static_report(&fixture(
        &[
            ("cron(0 5 ? * * *)", "cron(0 5 ? * SUN *)"),
            ("rpo_hours = 26", "rpo_hours = 200"),
        ],
        "",
    ));
    let f = finding(&report, "VS-AM-LAST-RECOVERY-POINT");
    assert_eq!(evidence(f, "longest gap between backups (hours)"), "168");
    assert_eq!(evidence(f, "required"), "≤ 24 hours");
}

#[test]
fn a_slow_restore_fails_the_restore_time_control() {
    // 100 GiB at 1 MiB/s: about 28 hours against a 4-hour RTO.
    let report = static_report(&fixture(
        &[
            (
                "size_gib = { dist = \"fixed\", value = 3.515625 }",
                "size_gib = { dist = \"fixed\", value = 100 }",
            ),
            (
                "throughput_mib_per_s = { dist = \"fixed\", value = 1 }\nfailure",
                "throughput_mib_per_s = { dist = \"fixed\", value = 100000 }\nfailure",
            ),
        ],
        "",
    ));
    let f = finding(&report, "VS-AM-RESTORE-TIME");
    assert_eq!(f.scope.label, "OU Production · tier Tier1");
    // 102,400 MiB at 1 MiB/s = 1,706.67 min, plus 10 + 20 + 30 min.
    assert_eq!(evidence(f, "typical restore (minutes)"), "1766.67");
    assert_eq!(evidence(f, "required"), "≤ 240 minutes");
}

#[test]
fn a_daily_schedule_cannot_meet_a_24_hour_rpo() {
    let report = static_report(&fixture(&[("rpo_hours = 26", "rpo_hours = 24")], ""));
    let f = finding(&report, "VS-TIER-RPO-FREQUENCY");
    assert_eq!(f.severity, Severity::High);
    // A day's gap plus the one-hour job.
    assert_eq!(evidence(f, "worst-case data loss on paper (hours)"), "25");
    assert_eq!(f.path, "tiers.Tier1.rpo_hours");
}

#[test]
fn the_tier_matrix_asks_for_continuous_backup() {
    let report = static_report(&fixture(
        &[(
            "rpo_hours = 26",
            "rpo_hours = 26\nbackup_frequency = \"Continuous + Daily\"",
        )],
        "",
    ));
    let f = finding(&report, "VS-TIER-FREQUENCY");
    assert_eq!(
        f.scope.label,
        "OU Production · tier Tier1 · no continuous backup (EBS)"
    );
    assert_eq!(evidence(f, "required"), "backups Continuous + Daily");
}

#[test]
fn the_environment_table_asks_for_longer_retention_and_a_cross_region_copy() {
    let report = static_report(&fixture(
        &[],
        "[environments.Prod]\nous = [\"Production\"]\nhot_retention_days = 90\ncross_region = true\n",
    ));
    let f = finding(&report, "VS-ENV-REQUIREMENT");
    assert_eq!(f.scope.label, "OU Production · retention");
    assert_eq!(evidence(f, "longest retention (days)"), "35");
    assert_eq!(evidence(f, "required"), "≥ 90 days");
    let f = finding(&report, "VS-AM-CROSS-REGION");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.path, "environments.Prod.cross_region");
}

const CONFIDENTIAL: &str = "[data_classes.Confidential]\nencryption = \"customer_managed\"\n\
                            retention_days = 2555\nbackup_frequency = \"Daily + Weekly\"\n";

#[test]
fn classified_data_outside_every_selection() {
    let report = static_report(&fixture(
        &[],
        &format!(
            "{CONFIDENTIAL}\n[organization.account_templates.app.resources.copy_of_prod]\n\
             type = \"EBS\"\ncount = {{ dist = \"fixed\", value = 2 }}\n\
             size_gib = {{ dist = \"fixed\", value = 1 }}\ntags = {{ DataClassification = \"Confidential\" }}\n"
        ),
    ));
    let f = finding(&report, "VS-CLASS-UNSELECTED");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(f.scope.label, "OU Production · data class Confidential");
    assert_eq!(f.scope.resources, 2);
    assert_eq!(evidence(f, "required"), "backups Daily + Weekly");
    // Reported once: the Audit Manager control does not repeat it.
    assert!(report.findings.iter().all(|f| f.id != "VS-AM-PROTECTED"));
}

#[test]
fn classified_data_kept_too_short_on_the_wrong_keys() {
    let report = static_report(&fixture(
        &[(
            "tags = { BackupTier = \"Tier1\" }",
            "tags = { BackupTier = \"Tier1\", DataClassification = \"Confidential\" }",
        )],
        CONFIDENTIAL,
    ));
    let f = finding(&report, "VS-CLASS-BACKUP");
    assert_eq!(
        f.scope.label,
        "OU Production · data class Confidential · retention"
    );
    assert_eq!(evidence(f, "longest retention (days)"), "35");
    assert_eq!(evidence(f, "required"), "≥ 2555 days");
    // No [keys]: AWS managed keys, but the class needs customer managed ones.
    let f = finding(&report, "VS-CLASS-KEY");
    assert_eq!(evidence(f, "required"), "customer managed KMS keys");
    // A compromised account deletes everything it owns.
    let f = finding(&report, "VS-AM-CROSS-ACCOUNT");
    assert_eq!(f.severity, Severity::Medium);
}

#[test]
fn restricted_data_under_a_one_hour_rpo_needs_continuous_backup() {
    let report = static_report(&fixture(
        &[
            (
                "tags = { BackupTier = \"Tier1\" }",
                "tags = { BackupTier = \"Tier1\", DataClassification = \"Restricted\" }",
            ),
            ("rpo_hours = 26", "rpo_hours = 0.5"),
        ],
        "[data_classes.Restricted]\nencryption = \"optional\"\nbackup_frequency = \"Continuous\"\nmfa = true\n",
    ));
    let f = finding(&report, "VS-CLASS-CONTINUOUS");
    assert_eq!(
        f.scope.label,
        "OU Production · data class Restricted · EBS (no continuous backup for this type)"
    );
    assert_eq!(evidence(f, "RPO target (hours)"), "0.5");
    // MFA-protected deletion: the vault is not locked.
    let f = finding(&report, "VS-AM-MANUAL-DELETION");
    assert_eq!(f.severity, Severity::High);
}

const SCOPED: (&str, &str) = (
    "tags = { BackupTier = \"Tier1\" }",
    "tags = { BackupTier = \"Tier1\", ComplianceScope = \"SOC2,HIPAA\" }",
);

#[test]
fn a_framework_needs_longer_retention() {
    let report = static_report(&fixture(
        &[SCOPED],
        "[frameworks.HIPAA]\nclause = \"HIPAA: 6 years\"\nretention_days = 2190\n",
    ));
    let f = finding(&report, "VS-FW-RETENTION");
    assert_eq!(f.control, "HIPAA: HIPAA: 6 years");
    assert_eq!(evidence(f, "required"), "≥ 2190 days");
    assert_eq!(f.path, "frameworks.HIPAA.retention_days");
}

#[test]
fn residency_outside_the_allowed_regions_is_critical() {
    let report = static_report(&fixture(
        &[(
            SCOPED.0,
            "tags = { BackupTier = \"Tier1\", ComplianceScope = \"GDPR\" }",
        )],
        "[frameworks.GDPR]\nclause = \"EU only\"\nallowed_regions = [\"eu-west-1\", \"eu-central-1\"]\n",
    ));
    let f = finding(&report, "VS-FW-RESIDENCY");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(f.scope.label, "OU Production · points in us-east-1");
}

#[test]
fn worm_records_need_a_compliance_mode_lock() {
    let text = fixture(
        &[(
            SCOPED.0,
            "tags = { BackupTier = \"Tier1\", ComplianceScope = \"SEC17a4\" }",
        )],
        "[frameworks.SEC17a4]\nclause = \"WORM\"\nworm = true\n",
    );
    let f = finding(&static_report(&text), "VS-FW-WORM").clone();
    assert_eq!(f.severity, Severity::Critical);
    // A governance lock is not enough; a compliance lock is.
    let governance = text.replace(
        "region = \"home\"\n",
        "region = \"home\"\nlock = { mode = \"governance\", min_retention_days = 1 }\n",
    );
    assert!(
        static_report(&governance)
            .findings
            .iter()
            .any(|f| f.id == "VS-FW-WORM")
    );
    let compliance = text.replace(
        "region = \"home\"\n",
        "region = \"home\"\nlock = { mode = \"compliance\", min_retention_days = 1 }\n",
    );
    assert!(
        static_report(&compliance)
            .findings
            .iter()
            .all(|f| f.id != "VS-FW-WORM")
    );
}

#[test]
fn a_service_control_policy_denies_the_backups() {
    let scp = "[[service_control_policies]]\nname = \"eu-only\"\nattach_to = [\"Root\"]\n\
               actions = [\"backup:StartBackupJob\", \"backup:StartCopyJob\"]\n\
               allowed_regions = [\"eu-west-1\"]\n";
    let f = finding(&static_report(&fixture(&[], scp)), "VS-SCP-DENIED").clone();
    assert_eq!(f.severity, Severity::High);
    assert_eq!(
        f.scope.label,
        "OU Production · SCP eu-only denies backups in us-east-1 (backup:StartBackupJob)"
    );
    assert_eq!(f.path, "service_control_policies[0]");
    let disabled = scp.replace("attach_to", "enabled = false\nattach_to");
    let f = finding(&static_report(&fixture(&[], &disabled)), "VS-SCP-DENIED").clone();
    assert_eq!(
        f.severity,
        Severity::Low,
        "reported as latent when not enabled"
    );
}

#[test]
fn a_vault_lock_range_that_rejects_the_rule() {
    let report = static_report(&fixture(
        &[(
            "region = \"home\"\n",
            "region = \"home\"\nlock = { mode = \"governance\", min_retention_days = 90 }\n",
        )],
        "",
    ));
    let f = finding(&report, "VS-LOCK-RANGE");
    assert_eq!(f.scope.label, "OU Production · rule P/R");
    assert_eq!(f.path, "plans.P.rules.R");
}

#[test]
fn a_cold_transition_that_does_nothing() {
    let report = static_report(&fixture(
        &[(
            "{ delete_after_days = 35 }",
            "{ move_to_cold_storage_after_days = 30, delete_after_days = 365 }",
        )],
        "",
    ));
    let f = finding(&report, "VS-COLD-NOOP");
    assert_eq!(f.severity, Severity::Medium);
    assert_eq!(f.scope.label, "OU Production · rule P/R · EBS");
}

#[test]
fn simulated_targets_missed_more_often_than_the_confidence_allows() {
    // RPO 24 h with daily backups that complete an hour after 05:00: the exposure exceeds
    // 24 h for an hour a day (P(met) ≈ 0.958 < 0.99); RTO 1 h against a two-hour restore.
    let report = simulated_report(&fixture(
        &[
            ("rpo_hours = 26", "rpo_hours = 24"),
            ("rto_hours = 4", "rto_hours = 1"),
        ],
        "",
    ));
    let rpo: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.id == "VS-SIM-RPO")
        .collect();
    let f = rpo
        .iter()
        .find(|f| f.scope.label == "Tier1 · unassigned · resource_loss")
        .unwrap_or_else(|| panic!("{rpo:#?}"));
    assert!(
        evidence(f, "P(RPO met)").starts_with("95.8 %"),
        "{:?}",
        f.evidence
    );
    assert_eq!(evidence(f, "required"), "≥ 0.99");
    let rto: Vec<&Finding> = report
        .findings
        .iter()
        .filter(|f| f.id == "VS-SIM-RTO")
        .collect();
    let f = rto
        .iter()
        .find(|f| f.scope.label == "Tier1 · unassigned · resource_loss")
        .unwrap_or_else(|| panic!("{rto:#?}"));
    assert!(
        evidence(f, "P(RTO met)").starts_with("0.0 %"),
        "{:?}",
        f.evidence
    );
}

#[test]
fn simulated_losses_with_nothing_to_restore() {
    // Weekly backups kept one day: most of the week there is no point.
    let report = simulated_report(&fixture(
        &[
            ("cron(0 5 ? * * *)", "cron(0 5 ? * SUN *)"),
            ("{ delete_after_days = 35 }", "{ delete_after_days = 1 }"),
            ("horizon_days = 11", "horizon_days = 60"),
        ],
        "",
    ));
    let f = report
        .findings
        .iter()
        .find(|f| f.id == "VS-SIM-UNRECOVERABLE" && f.scope.label.ends_with("resource_loss"))
        .expect("unrecoverable");
    assert_eq!(f.severity, Severity::Critical);
    assert_eq!(evidence(f, "losses sampled"), "2");
}

#[test]
fn simulated_jobs_that_expire() {
    // Every job starts two hours late with a one-hour start window.
    let report = simulated_report(&fixture(
        &[(
            "start_delay_minutes = { dist = \"fixed\", value = 0 }",
            "start_delay_minutes = { dist = \"fixed\", value = 120 }",
        )],
        "",
    ));
    let f = finding(&report, "VS-SIM-EXPIRED");
    assert_eq!(f.severity, Severity::High);
    assert_eq!(evidence(f, "expired"), "100.00 %");
}

#[test]
fn simulated_copies_lagging_and_a_backlog_that_never_drains() {
    // 100 GiB daily full copies over a 0.5 MiB/s link: each takes 2.4 days.
    let text = super::copies::copy_text(
        &fixture(
            &[
                (
                    "size_gib = { dist = \"fixed\", value = 3.515625 }",
                    "size_gib = { dist = \"fixed\", value = 100 }",
                ),
                (
                    "backup_throughput_mib_per_s = { dist = \"fixed\", value = 1 }",
                    "backup_throughput_mib_per_s = { dist = \"fixed\", value = 100000 }",
                ),
                ("horizon_days = 11", "horizon_days = 40"),
                ("rpo_hours = 26", "rpo_hours = 48"),
            ],
            "",
        ),
        0.5,
    );
    let report = simulated_report(&text);
    let f = report
        .findings
        .iter()
        .find(|f| f.id == "VS-SIM-DR-RPO")
        .unwrap_or_else(|| panic!("{:#?}", report.findings));
    assert_eq!(f.scope.label, "Tier1 · unassigned · dr_region");
    let f = finding(&report, "VS-SIM-COPY-BACKLOG");
    assert_eq!(f.scope.label, "link us-east-1>us-west-2");
}

/// The default scenario's own gaps (the list): Sandbox and Development data the
/// class table says needs more backup, the production rule's cold transition doing
/// nothing for RDS, Aurora and S3, weekly Development backups against a 7-day RPO, and
/// the seed's EU-only SCP against the us-west-2 copy.
#[test]
fn the_default_scenario_reports_the_seeds_gaps() {
    let file = root().join("scenarios/landing-zone.toml");
    let (_, model) = vaultsim::scenario::load_model(&file).expect("loads");
    let report = compliance::check(&model);
    let has = |id: &str, label: &str| {
        report
            .findings
            .iter()
            .find(|f| f.id == id && f.scope.label.contains(label))
            .unwrap_or_else(|| {
                panic!(
                    "no {id} with `{label}`: {:#?}",
                    report
                        .findings
                        .iter()
                        .map(|f| (f.id, &f.scope.label))
                        .collect::<Vec<_>>()
                )
            })
    };
    let f = has(
        "VS-CLASS-UNSELECTED",
        "OU Sandbox · data class Confidential",
    );
    assert_eq!(f.severity, Severity::High);
    assert!(f.scope.resources > 0);
    let f = has(
        "VS-CLASS-BACKUP",
        "OU Development · data class Confidential",
    );
    assert_eq!(evidence(f, "longest gap between backups (hours)"), "168");
    for t in ["RDS", "Aurora", "S3"] {
        has(
            "VS-COLD-NOOP",
            &format!("rule ProductionBackupPlan/dailybackup · {t}"),
        );
    }
    let f = has("VS-TIER-RPO-FREQUENCY", "OU Development · tier Tier3");
    assert_eq!(evidence(f, "required"), "RPO ≤ 168 hours");
    let f = has(
        "VS-SCP-DENIED",
        "copies to DRVault in us-west-2 (backup:CreateBackupVault)",
    );
    assert!(f.scope.label.contains("backup-region-restriction"));
}

#[test]
fn check_exit_codes_formats_and_outputs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let clean_file = dir.path().join("clean.toml");
    std::fs::write(&clean_file, clean().replace("scenarios/prices", "x")).expect("write");
    let reports = dir.path().join("reports");
    let run = |file: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "check",
            file.to_str().expect("utf-8"),
            "--reports",
            reports.to_str().expect("utf-8"),
        ];
        args.extend_from_slice(extra);
        vaultsim(&args)
    };
    let o = run(&clean_file, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    for name in [
        "findings.json",
        "findings.csv",
        "findings.sarif",
        "findings.junit.xml",
        "resource_compliance_report.csv",
        "resource_compliance_report.json",
        "control_compliance_report.csv",
        "control_compliance_report.json",
    ] {
        assert!(reports.join(name).exists(), "{name}");
    }
    let control = std::fs::read_to_string(reports.join("control_compliance_report.csv"))
        .expect("control report");
    assert!(control.starts_with(
        "accountId,region,frameworkName,frameworkDescription,controlName,controlComplianceStatus,lastEvaluationTime,numResourcesCompliant,numResourcesNonCompliant,controlFrequency,controlScope,controlParameters"
    ), "{control}");

    let gaps = dir.path().join("gaps.toml");
    std::fs::write(&gaps, clean().replace("rpo_hours = 26", "rpo_hours = 24")).expect("write");
    let o = run(&gaps, &[]);
    assert_eq!(o.status.code(), Some(1), "a high finding fails by default");
    let o = run(&gaps, &["--fail-on", "critical"]);
    assert_eq!(o.status.code(), Some(0), "nothing critical");
    let o = run(&gaps, &["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json on stdout");
    assert_eq!(json["counts"]["high"], 1);
    assert_eq!(json["findings"][0]["id"], "VS-TIER-RPO-FREQUENCY");
    let o = run(&gaps, &["--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).expect("sarif");
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "VS-TIER-RPO-FREQUENCY");
    // Located in the scenario file, at the tier's rpo_hours line.
    let line = result["locations"][0]["physicalLocation"]["region"]["startLine"]
        .as_u64()
        .expect("a line");
    let text = std::fs::read_to_string(&gaps).expect("read");
    assert!(
        text.lines()
            .nth(line as usize - 1)
            .is_some_and(|l| l.starts_with("rpo_hours")),
        "line {line}"
    );
    let o = run(&gaps, &["--fail-on", "severe"]);
    assert_eq!(o.status.code(), Some(2));
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        clean().replace(
            "[tiers.Tier1]",
            "[data_classes.X]\nencryption = \"rot13\"\n\n[tiers.Tier1]",
        ),
    )
    .expect("write");
    let o = run(&bad, &[]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(
        err.contains("data_classes.X.encryption") && err.contains("customer_managed"),
        "{err}"
    );
}

/// The default scenario's SARIF validates against the OASIS SARIF 2.1.0 schema kept in the
/// repository, and its JUnit XML is well-formed with one test case per control × scope.
#[test]
fn the_default_scenarios_sarif_and_junit_are_valid() {
    let file = root().join("scenarios/landing-zone.toml");
    let dir = tempfile::tempdir().expect("tempdir");
    let o = vaultsim(&[
        "check",
        file.to_str().expect("utf-8"),
        "--reports",
        dir.path().to_str().expect("utf-8"),
        "--format",
        "sarif",
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "the default design has high findings"
    );
    let sarif: serde_json::Value = serde_json::from_slice(&o.stdout).expect("sarif");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/fixtures/sarif-schema-2.1.0.json"))
            .expect("schema"),
    )
    .expect("schema json");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let results = sarif["runs"][0]["results"].as_array().expect("results");
    assert!(results.len() > 20, "{}", results.len());
    // Findings about policy rules point into the policy file, with a line.
    assert!(results.iter().any(|r| {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .is_some_and(|u| u.ends_with("organization-backup-policy.json"))
            && r["locations"][0]["physicalLocation"]["region"]["startLine"].as_u64() > Some(1)
    }));

    let (_, model) = vaultsim::scenario::load_model(&file).expect("loads");
    let report = compliance::check(&model);
    let xml = std::fs::read_to_string(dir.path().join("findings.junit.xml")).expect("junit");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), report.controls.len());
    let failures = cases
        .iter()
        .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
        .count();
    assert_eq!(
        failures,
        report.controls.iter().filter(|c| !c.is_compliant()).count()
    );
}

/// Unrecoverable losses are critical where a framework that requires recoverability
/// applies, even when the environment table says there is no backup by design.
#[test]
fn unrecoverable_losses_under_a_framework_that_requires_recoverability() {
    let report = simulated_report(&fixture(
        &[
            SCOPED,
            ("cron(0 5 ? * * *)", "cron(0 5 ? * SUN *)"),
            ("{ delete_after_days = 35 }", "{ delete_after_days = 1 }"),
            ("horizon_days = 11", "horizon_days = 60"),
        ],
        "[environments.Prod]\nous = [\"Production\"]\nbackup_frequency = \"None\"\n\n\
         [frameworks.HIPAA]\nclause = \"retrievable exact copies\"\nrecoverable = true\n",
    ));
    let f = report
        .findings
        .iter()
        .find(|f| f.id == "VS-SIM-UNRECOVERABLE" && f.scope.label.ends_with("resource_loss"))
        .expect("unrecoverable");
    assert_eq!(f.severity, Severity::Critical);
    assert!(f.title.contains("HIPAA"), "{}", f.title);
    // Without the framework the same loss is low: no backup by design.
    let report = simulated_report(&fixture(
        &[
            ("cron(0 5 ? * * *)", "cron(0 5 ? * SUN *)"),
            ("{ delete_after_days = 35 }", "{ delete_after_days = 1 }"),
            ("horizon_days = 11", "horizon_days = 60"),
        ],
        "[environments.Prod]\nous = [\"Production\"]\nbackup_frequency = \"None\"\n",
    ));
    let f = report
        .findings
        .iter()
        .find(|f| f.id == "VS-SIM-UNRECOVERABLE" && f.scope.label.ends_with("resource_loss"))
        .expect("unrecoverable");
    assert_eq!(f.severity, Severity::Low);
}
