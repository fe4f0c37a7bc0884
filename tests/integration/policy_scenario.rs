//! Backup policies inside a scenario: AWS Backup's own rules become findings (the plan is
//! refused and its resources go unprotected), and the default scenario's results follow
//! its policy files.

use std::path::Path;

use serde_json::{Value, json};
use vaultsim::scenario;

use super::common::{Small, root, stderr, vaultsim};

/// A one-plan policy whose daily rule is `rule` (a JSON object of plain values, wrapped
/// in `@@assign` here), selecting every `BackupTier = Tier1` resource.
fn policy(rule: Value) -> Value {
    let assign = |v: &Value| json!({ "@@assign": v });
    let mut r = serde_json::Map::new();
    for (k, v) in rule.as_object().expect("object") {
        let wrapped = match k.as_str() {
            "lifecycle" => Value::Object(
                v.as_object()
                    .expect("lifecycle object")
                    .iter()
                    .map(|(k, v)| (k.clone(), assign(v)))
                    .collect(),
            ),
            "copy_actions" => v.clone(),
            _ => assign(v),
        };
        r.insert(k.clone(), wrapped);
    }
    json!({ "plans": { "P": {
        "regions": { "@@assign": ["us-east-1"] },
        "rules": { "Daily": Value::Object(r) },
        "selections": { "tags": { "All": {
            "iam_role_arn": { "@@assign": "arn:aws:iam::$account:role/AWSBackupDefaultServiceRole" },
            "tag_key": { "@@assign": "BackupTier" },
            "tag_value": { "@@assign": ["Tier1"] }
        } } }
    } } })
}

fn good_rule() -> Value {
    json!({
        "schedule_expression": "cron(0 5 ? * * *)",
        "start_backup_window_minutes": "60",
        "target_backup_vault_name": "Default",
        "lifecycle": { "delete_after_days": "35" }
    })
}

/// Resolves the small scenario with its plan replaced by `policy_text` attached at Root.
fn resolve_with(dir: &Path, policy_text: &str) -> vaultsim::model::Model {
    resolve_with_sections(dir, policy_text, "")
}

fn finding_ids(model: &vaultsim::model::Model) -> Vec<&'static str> {
    model.findings.iter().map(|f| f.id).collect()
}

#[test]
fn a_valid_policy_protects_and_finds_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let model = resolve_with(dir.path(), &policy(good_rule()).to_string());
    assert!(model.findings.is_empty(), "{:?}", model.findings);
    assert!(model.resources[0].program.is_some());
}

/// Every AWS Backup rule of issue 3 item 4: the plan is refused, a finding with the rule's
/// id names the JSON path and the governed resource, and the resource is unprotected.
#[test]
fn each_aws_rule_breach_is_a_finding_and_leaves_resources_unprotected() {
    let arn = "arn:aws:backup:us-east-1:$account:backup-vault:Default";
    let eleven_rules = {
        let mut p = policy(good_rule());
        let rules = p["plans"]["P"]["rules"].as_object_mut().expect("rules");
        let daily = rules["Daily"].clone();
        for i in 0..10 {
            rules.insert(format!("Extra{i}"), daily.clone());
        }
        p
    };
    let six_copies = {
        let mut copies = serde_json::Map::new();
        for i in 0..6 {
            let arn = format!("arn:aws:backup:us-east-1:$account:backup-vault:Copy{i}");
            copies.insert(
                arn.clone(),
                json!({ "target_backup_vault_arn": { "@@assign": arn } }),
            );
        }
        let mut r = good_rule();
        r["copy_actions"] = Value::Object(copies);
        policy(r)
    };
    let mut without_vault = good_rule();
    without_vault
        .as_object_mut()
        .expect("object")
        .remove("target_backup_vault_name");
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "VS-BP-001-MISSING-ELEMENT",
            policy(without_vault),
            "plans.P.rules.daily.target_backup_vault_name",
        ),
        (
            "VS-BP-002-START-WINDOW-UNDER-60",
            policy(with_fields(json!({ "start_backup_window_minutes": "30" }))),
            "plans.P.rules.daily.start_backup_window_minutes",
        ),
        (
            "VS-BP-003-DELETE-BEFORE-COLD-PLUS-90",
            policy(with_fields(
                json!({ "lifecycle": { "move_to_cold_storage_after_days": "30", "delete_after_days": "100" } }),
            )),
            "plans.P.rules.daily.lifecycle.delete_after_days",
        ),
        (
            "VS-BP-004-MORE-THAN-10-RULES",
            eleven_rules,
            "plans.P.rules",
        ),
        (
            "VS-BP-005-MORE-THAN-5-COPY-ACTIONS",
            six_copies,
            "plans.P.rules.daily.copy_actions",
        ),
        (
            "VS-BP-007-COPY-ACTION-ARN-MISMATCH",
            policy(with_fields(
                json!({ "copy_actions": { arn: { "target_backup_vault_arn": { "@@assign": "arn:aws:backup:us-east-1:$account:backup-vault:Other" } } } }),
            )),
            "target_backup_vault_arn",
        ),
        (
            "VS-BP-008-CONTINUOUS-RETENTION",
            policy(with_fields(
                json!({ "enable_continuous_backup": "true", "lifecycle": { "delete_after_days": "36" } }),
            )),
            "plans.P.rules.daily.lifecycle.delete_after_days",
        ),
        (
            "VS-BP-008-CONTINUOUS-RETENTION",
            policy(with_fields(
                json!({ "enable_continuous_backup": true, "lifecycle": { "move_to_cold_storage_after_days": "1", "delete_after_days": "35" } }),
            )),
            "plans.P.rules.daily.lifecycle.move_to_cold_storage_after_days",
        ),
        (
            "VS-BP-009-SCHEDULE-INTERVAL-UNDER-60",
            policy(with_fields(
                json!({ "schedule_expression": "cron(0/30 * ? * * *)" }),
            )),
            "plans.P.rules.daily.schedule_expression",
        ),
    ];
    for (id, p, path) in cases {
        let dir = tempfile::tempdir().expect("tempdir");
        let model = resolve_with(dir.path(), &p.to_string());
        let f = model
            .findings
            .iter()
            .find(|f| f.id == id)
            .unwrap_or_else(|| panic!("{id}: no finding among {:?}", finding_ids(&model)));
        assert!(f.path.contains(path), "{id}: path {} lacks {path}", f.path);
        assert_eq!(f.scope.accounts, 1, "{id}");
        assert_eq!(
            f.scope.resources, 1,
            "{id}: the one resource is governed by the plan"
        );
        assert!(f.file.ends_with("policy.json"), "{id}: {}", f.file);
        assert!(!f.fix.is_empty());
        assert!(
            model.resources[0].program.is_none(),
            "{id}: the refused plan still protects"
        );
    }
}

/// The good rule with some fields replaced.
fn with_fields(overrides: Value) -> Value {
    let mut rule = good_rule();
    for (k, v) in overrides.as_object().expect("object") {
        rule[k] = v.clone();
    }
    rule
}

#[test]
fn a_policy_over_10000_characters_cannot_be_attached() {
    let dir = tempfile::tempdir().expect("tempdir");
    // AWS counts every character (the CLI does not strip whitespace).
    let text = format!("{}{}", policy(good_rule()), " ".repeat(10_001));
    let model = resolve_with(dir.path(), &text);
    assert_eq!(
        finding_ids(&model),
        vec!["VS-BP-006-POLICY-OVER-10000-CHARACTERS"]
    );
    assert!(model.resources[0].program.is_none());
}

/// The seed's organization-wide policy alone names no target vault: AWS Backup refuses it
/// in every account, for both rules.
#[test]
fn the_seeds_policy_alone_is_refused_for_want_of_a_vault() {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed =
        std::fs::read_to_string(root().join("scenarios/policies/organization-backup-policy.json"))
            .expect("seed policy");
    let text = seed
        .replace("\"Production\", \"Critical\"", "\"Tier1\"")
        .replace("BackupPolicy", "BackupTier");
    let model = resolve_with(dir.path(), &text);
    let paths: Vec<&str> = model.findings.iter().map(|f| f.path.as_str()).collect();
    assert!(
        paths.contains(&"plans.ProductionBackupPlan.rules.dailybackup.target_backup_vault_name"),
        "{paths:?}"
    );
    assert!(
        paths.contains(&"plans.ProductionBackupPlan.rules.weeklybackup.target_backup_vault_name"),
        "{paths:?}"
    );
    assert!(model.resources[0].program.is_none());
}

fn copy_default_scenario(dir: &Path) {
    std::fs::copy(
        root().join("scenarios/landing-zone.toml"),
        dir.join("landing-zone.toml"),
    )
    .expect("copy scenario");
    std::fs::create_dir_all(dir.join("policies")).expect("mkdir");
    for entry in std::fs::read_dir(root().join("scenarios/policies")).expect("policies") {
        let path = entry.expect("entry").path();
        std::fs::copy(
            &path,
            dir.join("policies").join(path.file_name().expect("name")),
        )
        .expect("copy policy");
    }
    std::fs::create_dir_all(dir.join("prices")).expect("mkdir");
    std::fs::copy(
        root().join("scenarios/prices/aws-backup.toml"),
        dir.join("prices/aws-backup.toml"),
    )
    .expect("copy price catalog");
}

fn run_summary(dir: &Path) -> Value {
    let scenario = dir.join("landing-zone.toml");
    let out = dir.join("out");
    let o = vaultsim(&[
        "run",
        scenario.to_str().expect("utf-8"),
        "--trials",
        "2",
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary"))
        .expect("json")
}

/// The default scenario is driven by its policy files: a shorter production retention
/// holds less storage, and without the seed's policy production loses its daily and weekly plan.
#[test]
fn the_default_scenario_follows_its_policy_files() {
    let base = tempfile::tempdir().expect("tempdir");
    copy_default_scenario(base.path());
    let baseline = run_summary(base.path());
    // AWS Backup accepts every plan of the seed's policies (the compliance findings are
    // about the design, not about refused plans).
    let refused = |summary: &serde_json::Value| {
        summary["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["id"].as_str().is_some_and(|id| id.starts_with("VS-BP-")))
            .count()
    };
    assert_eq!(refused(&baseline), 0);

    let longer = tempfile::tempdir().expect("tempdir");
    copy_default_scenario(longer.path());
    let file = longer
        .path()
        .join("policies/organization-backup-policy.json");
    let text = std::fs::read_to_string(&file).expect("read");
    // The daily rule's delete_after_days (its first "365"): kept 200 days instead.
    let text = text.replacen("\"@@assign\": \"365\"", "\"@@assign\": \"200\"", 1);
    std::fs::write(&file, text).expect("write");
    let shorter = run_summary(longer.path());
    let cold = |s: &Value| {
        s["storage"]["final_day_cold_bytes_mean"]
            .as_f64()
            .expect("number")
    };
    assert!(
        cold(&shorter) < cold(&baseline),
        "deleting daily points after 200 days instead of 365 must hold less cold storage"
    );

    let without = tempfile::tempdir().expect("tempdir");
    copy_default_scenario(without.path());
    let scenario = without.path().join("landing-zone.toml");
    let text = std::fs::read_to_string(&scenario).expect("read");
    let text = text.replace(
        "[[policies]]\nfile = \"policies/organization-backup-policy.json\"\nattach_to = [\"Root\"]\n",
        "",
    );
    assert!(!text.contains("organization-backup-policy.json\""));
    std::fs::write(&scenario, text).expect("write");
    let without = run_summary(without.path());
    let protected = |s: &Value| s["estate"]["protected_resources"].as_u64().expect("count");
    assert!(protected(&without) < protected(&baseline));
    // The remaining production policies make an incomplete plan: refused, and said so.
    let findings = without["findings"].as_array().expect("findings");
    assert!(
        findings
            .iter()
            .any(|f| f["id"] == "VS-BP-001-MISSING-ELEMENT" && f["resources"].as_u64() > Some(0)),
        "{findings:?}"
    );
    let tier2_production = without["rpo_rto"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["tier"] == "Tier2" && r["environment"] == "Production")
        .expect("row");
    assert!(tier2_production["p_unrecoverable"]["value"].as_f64() > Some(0.99));
}

/// Without `target_backup_vault_arn`, AWS uses the copy action's key in lower case: a key
/// with capitals then names another vault, and the plan is refused.
#[test]
fn a_copy_key_with_capitals_and_no_target_arn_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut r = good_rule();
    r["copy_actions"] = json!({
        "arn:aws:backup:us-east-1:$account:backup-vault:Default": {
            "lifecycle": { "delete_after_days": { "@@assign": "35" } }
        }
    });
    let model = resolve_with(dir.path(), &policy(r).to_string());
    let f = model
        .findings
        .iter()
        .find(|f| f.id == "VS-BP-007-COPY-ACTION-ARN-MISMATCH")
        .unwrap_or_else(|| panic!("{:?}", finding_ids(&model)));
    assert!(f.message.contains("lower case"), "{}", f.message);
}

/// "Policies must specify the IAM role that AWS Backup assumes."
#[test]
fn a_selection_without_an_iam_role_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut p = policy(good_rule());
    p["plans"]["P"]["selections"]["tags"]["All"]
        .as_object_mut()
        .expect("selection")
        .remove("iam_role_arn");
    let model = resolve_with(dir.path(), &p.to_string());
    assert_eq!(finding_ids(&model), vec!["VS-BP-001-MISSING-ELEMENT"]);
    assert_eq!(
        model.findings[0].path,
        "plans.P.selections.tags.all.iam_role_arn"
    );
    assert!(model.resources[0].program.is_none());
}

/// Malformed JSON in an attached policy is an error (exit 2) naming the policy file, its
/// line and column; nothing is written.
#[test]
fn a_malformed_policy_in_a_scenario_exits_2() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_default_scenario(dir.path());
    std::fs::write(
        dir.path().join("policies/staging.json"),
        "{\n  \"plans\": {\n    \"X\": [1,\n",
    )
    .expect("write");
    let out = dir.path().join("out");
    let o = vaultsim(&[
        "run",
        dir.path()
            .join("landing-zone.toml")
            .to_str()
            .expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("policies/staging.json:"), "{err}");
    assert!(!out.exists());
}

/// A policy attached to an account (by id) applies to that account.
#[test]
fn a_policy_attached_to_an_account_applies_to_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let id = resolve_with(dir.path(), &policy(good_rule()).to_string()).accounts[0]
        .id
        .clone();
    let scenario = dir.path().join("scenario.toml");
    let text = std::fs::read_to_string(&scenario)
        .expect("read")
        .replace("attach_to = [\"Root\"]", &format!("attach_to = [\"{id}\"]"));
    std::fs::write(&scenario, text).expect("write");
    let (_, model) = scenario::load_model(&scenario).unwrap_or_else(|e| panic!("{e}"));
    assert!(model.findings.is_empty());
    assert!(model.resources[0].program.is_some());
}

/// `vaultsim policy effective SCENARIO --account ID` shows the seed's plan, completed by
/// inheritance, for a production account, with `$account` substituted.
#[test]
fn policy_effective_shows_a_production_accounts_plan() {
    let (_, model) = scenario::load_model(&root().join("scenarios/landing-zone.toml"))
        .unwrap_or_else(|e| panic!("{e}"));
    let production = model
        .accounts
        .iter()
        .find(|a| a.template == "production")
        .expect("a production account");
    let o = vaultsim(&[
        "policy",
        "effective",
        "scenarios/landing-zone.toml",
        "--account",
        &production.id,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let effective: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let plan = &effective["plans"]["ProductionBackupPlan"];
    assert_eq!(plan["regions"], json!(["us-east-1", "us-west-2"]));
    assert_eq!(
        plan["rules"]["dailybackup"]["schedule_expression"],
        "cron(0 5 ? * * *)"
    );
    assert_eq!(
        plan["rules"]["dailybackup"]["lifecycle"]["delete_after_days"],
        "365"
    );
    assert_eq!(
        plan["rules"]["weeklybackup"]["lifecycle"]["delete_after_days"],
        "2555"
    );
    assert_eq!(
        plan["rules"]["dailybackup"]["target_backup_vault_name"],
        "ProductionBackupVault"
    );
    assert_eq!(
        plan["selections"]["tags"]["productionresources"]["iam_role_arn"],
        format!(
            "arn:aws:iam::{}:role/AWSBackupDefaultServiceRole",
            production.id
        )
    );
    assert!(effective["plans"]["Tier1ContinuousPlan"].is_object());
    assert!(effective["plans"]["StagingBackupPlan"].is_null());
}

/// Two continuous-backup rules of one policy plan sent to different vaults: AWS Backup
/// rejects the plan as not valid ("Overlapping continuous backups on the same resource"),
/// so every governed account is left without it: a `VS-BP-013` finding naming the second
/// rule's vault, and the resource unprotected. Into one vault, the plan is accepted.
#[test]
fn continuous_rules_into_two_vaults_are_refused() {
    let continuous = |vault: &str, days: &str| {
        json!({
            "schedule_expression": { "@@assign": "cron(0 5 ? * * *)" },
            "target_backup_vault_name": { "@@assign": vault },
            "enable_continuous_backup": { "@@assign": true },
            "lifecycle": { "delete_after_days": { "@@assign": days } }
        })
    };
    for (second_vault, refused) in [("Other", true), ("Default", false)] {
        let mut p = policy(good_rule());
        let rules = p["plans"]["P"]["rules"].as_object_mut().expect("rules");
        rules.insert("Daily".into(), continuous("Default", "7"));
        rules.insert("Long".into(), continuous(second_vault, "35"));
        let dir = tempfile::tempdir().expect("tempdir");
        let other = "[vaults.Other]\naccount = \"workload\"\nregion = \"home\"\n\n";
        let model = resolve_with_sections(dir.path(), &p.to_string(), other);
        let ids = finding_ids(&model);
        assert_eq!(
            ids.contains(&"VS-BP-013-CONTINUOUS-RULES-DIFFERENT-VAULTS"),
            refused,
            "{second_vault}: {ids:?}"
        );
        assert_eq!(model.resources[0].program.is_none(), refused);
        if refused {
            let f = &model.findings[0];
            // Effective policies name rules in lower case.
            assert_eq!(f.path, "plans.P.rules.long.target_backup_vault_name");
        }
    }
}

/// [`resolve_with`], with `sections` (TOML) written before the policy attachment.
fn resolve_with_sections(dir: &Path, policy_text: &str, sections: &str) -> vaultsim::model::Model {
    let toml = Small::default().toml();
    let start = toml.find("[plans.P]").expect("plan section");
    let end = toml.find("[tiers.Tier1]").expect("tiers section");
    let toml = format!(
        "{}{sections}[[policies]]\nfile = \"policy.json\"\nattach_to = [\"Root\"]\n\n{}",
        &toml[..start],
        &toml[end..]
    );
    std::fs::write(dir.join("policy.json"), policy_text).expect("write policy");
    let file = dir.join("scenario.toml");
    std::fs::write(&file, toml).expect("write scenario");
    match scenario::load_model(&file) {
        Ok((_, model)) => model,
        Err(e) => panic!("{e}"),
    }
}
