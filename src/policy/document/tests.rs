//! Parsing: every accepted form and every refusal, with its position and JSON path.

use std::path::Path;

use serde_json::json;

use super::*;

fn parse(text: &str) -> Result<PolicyDocument, PolicyErrors> {
    parse_policy(Path::new("p.json"), text)
}

/// The rendered errors of a document that must fail.
fn errors(text: &str) -> Vec<String> {
    match parse(text) {
        Ok(_) => panic!("parsed but should not:\n{text}"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

/// The single rendered error of a document that must fail with exactly one.
fn error(text: &str) -> String {
    let all = errors(text);
    assert_eq!(all.len(), 1, "{all:#?}");
    all.into_iter().next().unwrap_or_default()
}

fn entry<'a>(c: &'a Container, key: &str) -> &'a Entry {
    c.entries
        .iter()
        .find(|e| e.key == key)
        .unwrap_or_else(|| panic!("no `{key}`"))
}

fn container<'a>(c: &'a Container, key: &str) -> &'a Container {
    match &entry(c, key).node {
        PolicyNode::Container(c) => c,
        PolicyNode::Setting(_) => panic!("`{key}` is a setting"),
    }
}

fn setting<'a>(c: &'a Container, key: &str) -> &'a Setting {
    match &entry(c, key).node {
        PolicyNode::Setting(s) => s,
        PolicyNode::Container(_) => panic!("`{key}` is a container"),
    }
}

const MINIMAL_RULE: &str = r#"{"plans": {"P": {"rules": {"DailyBackup": {
    "schedule_expression": {"@@assign": "cron(0 5 ? * * *)"},
    "start_backup_window_minutes": {"@@assign": 60},
    "complete_backup_window_minutes": {"@@assign": "120"},
    "enable_continuous_backup": {"@@assign": false},
    "lifecycle": {"opt_in_to_archive_for_supported_resources": {"@@assign": "True"}}
}}}}}"#;

#[test]
fn keeps_operators_values_as_written_and_positions() {
    let doc = parse(MINIMAL_RULE).expect("valid");
    assert_eq!(doc.file(), Path::new("p.json"));
    assert_eq!(doc.characters(), MINIMAL_RULE.chars().count());
    let rules = container(container(container(doc.root(), "plans"), "P"), "rules");
    let rule_entry = entry(rules, "DailyBackup");
    assert_eq!(rule_entry.merge_key, "dailybackup");
    assert_eq!(
        rule_entry.position,
        Position {
            line: 1,
            column: 28
        }
    );
    let PolicyNode::Container(rule) = &rule_entry.node else {
        panic!("container")
    };
    let start = setting(rule, "start_backup_window_minutes");
    assert_eq!(start.kind, SettingKind::Integer);
    let op = start.operation.as_ref().expect("operation");
    assert_eq!(op.operator, Operator::Assign);
    assert_eq!(op.value, json!(60));
    assert_eq!(
        op.position,
        Position {
            line: 3,
            column: 37
        }
    );
    let complete = setting(rule, "complete_backup_window_minutes");
    assert_eq!(complete.operation.as_ref().expect("op").value, json!("120"));
    let continuous = setting(rule, "enable_continuous_backup");
    assert_eq!(
        continuous.operation.as_ref().expect("op").value,
        json!(false)
    );
    let archive = setting(
        container(rule, "lifecycle"),
        "opt_in_to_archive_for_supported_resources",
    );
    assert_eq!(archive.operation.as_ref().expect("op").value, json!("True"));
}

#[test]
fn case_of_names_follows_aws() {
    let doc = parse(
        r#"{"plans": {"Prod": {
        "rules": {"Daily": {"copy_actions": {"arn:aws:backup:us-west-2:$account:backup-vault:DR": {}},
                             "recovery_point_tags": {"Owner": {}}}},
        "selections": {"tags": {"ProdRes": {}}, "resources": {"AllRDS": {}}},
        "backup_plan_tags": {"Stage": {}},
        "scan_settings": {"GUARDDUTY": {}}
    }}}"#,
    )
    .expect("valid");
    let plans = container(doc.root(), "plans");
    assert_eq!(entry(plans, "Prod").merge_key, "Prod");
    let plan = container(plans, "Prod");
    let rule = container(container(plan, "rules"), "Daily");
    assert_eq!(
        entry(
            container(rule, "copy_actions"),
            "arn:aws:backup:us-west-2:$account:backup-vault:DR"
        )
        .merge_key,
        "arn:aws:backup:us-west-2:$account:backup-vault:DR"
    );
    assert_eq!(
        entry(container(rule, "recovery_point_tags"), "Owner").merge_key,
        "owner"
    );
    let selections = container(plan, "selections");
    assert_eq!(
        entry(container(selections, "tags"), "ProdRes").merge_key,
        "prodres"
    );
    assert_eq!(
        entry(container(selections, "resources"), "AllRDS").merge_key,
        "allrds"
    );
    assert_eq!(
        entry(container(plan, "backup_plan_tags"), "Stage").merge_key,
        "stage"
    );
    assert_eq!(
        entry(container(plan, "scan_settings"), "GUARDDUTY").merge_key,
        "GUARDDUTY"
    );
}

#[test]
fn child_control_is_accepted_at_every_level() {
    let doc = parse(
        r#"{"@@operators_allowed_for_child_policies": ["@@all"],
        "plans": {"@@operators_allowed_for_child_policies": ["@@append"],
          "P": {"@@operators_allowed_for_child_policies": ["@@none"],
            "regions": {"@@operators_allowed_for_child_policies": ["@@append", "@@remove"],
                        "@@assign": ["us-east-1"]},
            "rules": {"@@operators_allowed_for_child_policies": ["@@assign"]}}}}"#,
    )
    .expect("valid");
    let root = doc.root();
    assert_eq!(root.child_control.expect("top").allowed, Allowed::ALL);
    let plans = container(root, "plans");
    assert_eq!(
        plans.child_control.expect("plans").allowed,
        Allowed::of(&[Operator::Append])
    );
    let plan = container(plans, "P");
    assert_eq!(plan.child_control.expect("plan").allowed, Allowed::NONE);
    let regions = setting(plan, "regions");
    assert_eq!(
        regions.child_control.expect("regions").allowed,
        Allowed::of(&[Operator::Append, Operator::Remove])
    );
    assert_eq!(
        regions.operation.as_ref().expect("op").value,
        json!(["us-east-1"])
    );
    // A setting that only restricts children has no operation.
    let doc = parse(
        r#"{"plans": {"P": {"regions": {"@@operators_allowed_for_child_policies": ["@@none"]}}}}"#,
    )
    .expect("valid");
    let plan = container(container(doc.root(), "plans"), "P");
    assert!(setting(plan, "regions").operation.is_none());
}

#[test]
fn tag_value_takes_a_string_or_a_list_and_every_operator() {
    parse(
        r#"{"plans": {"P": {
        "rules": {"R": {"recovery_point_tags": {"owner": {
            "tag_key": {"@@assign": "Owner"}, "tag_value": {"@@assign": "Backup"}}}}},
        "selections": {"tags": {"s": {"tag_value": {"@@remove": ["a"]}}}}
    }}}"#,
    )
    .expect("valid");
    // backup_plan_tags' tag_value is a single string, @@assign only.
    assert!(
        error(
            r#"{"plans": {"P": {"backup_plan_tags": {"t": {"tag_value": {"@@append": ["x"]}}}}}}"#
        )
        .contains("`@@append` works only on lists, but `tag_value` holds a single value")
    );
}

#[test]
fn malformed_json_names_line_and_column() {
    assert_eq!(
        error("{\n  \"plans\": {\n    \"P\": {\n  }\n"),
        "p.json:5:1: malformed JSON: EOF while parsing an object\n  help: a backup policy is a JSON document; fix the syntax at this position"
    );
    assert_eq!(
        error("{\"plans\": {\"P\": {\"regions\": {\"@@assign\": [\"us-east-1\",]}}}}"),
        "p.json:1:55: malformed JSON: expected value\n  help: a backup policy is a JSON document; fix the syntax at this position"
    );
}

#[test]
fn duplicate_keys_are_refused_with_both_positions() {
    let text = "{\"plans\": {\"P\": {\n  \"regions\": {\"@@assign\": [\"us-east-1\"]},\n  \"regions\": {\"@@assign\": [\"eu-west-1\"]}}}}";
    assert_eq!(
        error(text),
        "p.json:3:3: plans.P.regions\n  duplicate key `regions` (first at line 2 column 3)\n  help: AWS Organizations rejects a policy whose JSON repeats a key; keep one and merge the other into it"
    );
    // Rule names are compared without case: `Daily` and `daily` are the same rule.
    assert_eq!(
        error(r#"{"plans": {"P": {"rules": {"Daily": {}, "daily": {}}}}}"#),
        "p.json:1:41: plans.P.rules.daily\n  rule `daily` repeats `Daily` (line 1 column 28): AWS compares rule names without regard to case\n  help: keep one of them and merge the other into it"
    );
    // Plan names keep their case: `P` and `p` are two plans.
    parse(r#"{"plans": {"P": {}, "p": {}}}"#).expect("two plans");
}

#[test]
fn unknown_keys_name_the_path_and_the_valid_keys() {
    assert_eq!(
        error(r#"{"plans": {"P": {"rules": {"R": {"lifecyle": {}}}}}}"#),
        "p.json:1:34: plans.P.rules.R.lifecyle\n  unknown key `lifecyle` (did you mean `lifecycle`?)\n  help: valid keys here: `schedule_expression`, `schedule_expression_timezone`, `target_backup_vault_name`, `target_logically_air_gapped_backup_vault_arn`, `start_backup_window_minutes`, `complete_backup_window_minutes`, `enable_continuous_backup`, `lifecycle`, `copy_actions`, `recovery_point_tags`, `index_actions`, `scan_actions`"
    );
    let all = errors(r#"{"policies": {}}"#);
    assert!(all[0].starts_with("p.json:1:1: a backup policy has no `plans` key"));
    assert!(all[1].starts_with(
        "p.json:1:2: policies\n  unknown key `policies`\n  help: valid keys here: `plans`"
    ));
    // The two selection forms have different keys (facts §1.3).
    assert!(
        error(r#"{"plans": {"P": {"selections": {"tags": {"s": {"resource_types": {"@@assign": ["*"]}}}}}}}"#)
            .contains("plans.P.selections.tags.s.resource_types\n  unknown key `resource_types`")
    );
    assert!(
        error(r#"{"plans": {"P": {"selections": {"resources": {"s": {"tag_key": {"@@assign": "k"}}}}}}}"#)
            .contains("unknown key `tag_key`")
    );
    assert!(error(r#"{"plans": {"P": {"advanced_backup_settings": {"ec2": {"windows_vs": {"@@assign": "enabled"}}}}}}"#)
        .contains("(did you mean `windows_vss`?)"));
}

#[test]
fn operators_are_checked() {
    assert_eq!(
        error(r#"{"plans": {"P": {"regions": {"@@merge": ["us-east-1"]}}}}"#),
        "p.json:1:30: plans.P.regions.@@merge\n  unknown operator `@@merge`\n  help: valid operators: `@@assign`, `@@append`, `@@remove` and `@@operators_allowed_for_child_policies`"
    );
    assert!(
        error(r#"{"plans": {"@@merge": {}}}"#)
            .contains("plans.@@merge\n  unknown operator `@@merge`")
    );
    assert_eq!(
        error(
            r#"{"plans": {"P": {"rules": {"R": {"lifecycle": {"delete_after_days": {"@@append": ["1"]}}}}}}}"#
        ),
        "p.json:1:70: plans.P.rules.R.lifecycle.delete_after_days\n  `@@append` works only on lists, but `delete_after_days` holds a single value\n  help: use `@@assign` to set it; AWS allows `@@append` and `@@remove` only on multi-valued settings (regions, tag_value, resource_types, not_resource_types)"
    );
    assert!(
        error(r#"{"plans": {"P": {"rules": {"R": {"schedule_expression": {"@@remove": "x"}}}}}}"#)
            .contains("`@@remove` works only on lists")
    );
    assert_eq!(
        error(
            r#"{"plans": {"P": {"rules": {"R": {"lifecycle": {"@@assign": {"delete_after_days": "35"}}}}}}}"#
        ),
        "p.json:1:48: plans.P.rules.R.lifecycle\n  `@@assign` cannot be used on `lifecycle`: it holds settings, not a value\n  help: put the operator on each setting inside it; valid keys here: `move_to_cold_storage_after_days`, `delete_after_days`, `opt_in_to_archive_for_supported_resources`"
    );
    assert!(
        error(r#"{"plans": {"P": {"regions": {"@@assign": ["a"], "@@append": ["b"]}}}}"#)
            .contains("`@@append` after `@@assign`: one value-setting operator per setting")
    );
    assert!(
        error(r#"{"plans": {"P": {"regions": {"value": ["a"]}}}}"#).contains(
            "plans.P.regions.value\n  `regions` is a setting, so `value` is not valid inside it"
        )
    );
    assert!(
        error(r#"{"plans": {"P": {"regions": {}}}}"#)
            .contains("empty object where an operator object is expected")
    );
}

#[test]
fn child_control_lists_are_checked() {
    assert!(
        error(r#"{"plans": {"@@operators_allowed_for_child_policies": "@@none"}}"#)
            .contains("plans.@@operators_allowed_for_child_policies\n  expected a list of operators, found the string \"@@none\"")
    );
    assert!(
        error(r#"{"plans": {"@@operators_allowed_for_child_policies": ["@@merge"]}}"#).contains(
            "plans.@@operators_allowed_for_child_policies[0]\n  `\"@@merge\"` is not an operator"
        )
    );
    assert!(
        error(r#"{"plans": {"@@operators_allowed_for_child_policies": ["@@none", "@@append"]}}"#)
            .contains("`@@all` and `@@none` stand alone in the list")
    );
    assert!(
        error(r#"{"plans": {"@@operators_allowed_for_child_policies": []}}"#)
            .contains("empty list of operators")
    );
}

#[test]
fn values_must_have_the_setting_type() {
    assert_eq!(
        error(
            r#"{"plans": {"P": {"rules": {"R": {"start_backup_window_minutes": {"@@assign": {"minutes": 60}}}}}}}"#
        ),
        "p.json:1:78: plans.P.rules.R.start_backup_window_minutes\n  `start_backup_window_minutes` holds a whole number (60 or \"60\"), found an object\n  help: write {\"@@assign\": \"60\"}"
    );
    assert!(
        error(r#"{"plans": {"P": {"rules": {"R": {"start_backup_window_minutes": {"@@assign": "sixty"}}}}}}"#)
            .contains("holds a whole number (60 or \"60\"), found the string \"sixty\"")
    );
    assert!(
        error(r#"{"plans": {"P": {"rules": {"R": {"start_backup_window_minutes": {"@@assign": 60.5}}}}}}"#)
            .contains("found the number 60.5")
    );
    assert!(
        error(r#"{"plans": {"P": {"rules": {"R": {"enable_continuous_backup": {"@@assign": "yes"}}}}}}"#)
            .contains("holds a boolean")
    );
    assert!(
        error(r#"{"plans": {"P": {"rules": {"R": {"target_backup_vault_name": {"@@assign": ["Default"]}}}}}}"#)
            .contains("`target_backup_vault_name` holds a string, found a list")
    );
    assert!(
        error(r#"{"plans": {"P": {"regions": {"@@assign": "us-east-1"}}}}"#)
            .contains("`regions` holds a list of strings, found the string \"us-east-1\"")
    );
    assert_eq!(
        error(r#"{"plans": {"P": {"regions": {"@@assign": ["us-east-1", 2]}}}}"#),
        "p.json:1:56: plans.P.regions[1]\n  expected a string in the list, found the number 2"
    );
    assert!(
        error(r#"{"plans": {"P": "everything"}}"#)
            .contains("plans.P\n  expected an object, found the string \"everything\"")
    );
}

#[test]
fn a_bare_value_needs_an_operator_object() {
    assert_eq!(
        error(
            r#"{"plans": {"P": {"rules": {"R": {"schedule_expression": "cron(0 5 ? * * *)"}}}}}"#
        ),
        "p.json:1:57: plans.P.rules.R.schedule_expression\n  found the string \"cron(0 5 ? * * *)\" where an operator object is expected\n  help: every setting is written with an operator: {\"@@assign\": \"cron(0 5 ? * * *)\"}"
    );
}

#[test]
fn every_problem_is_reported_in_file_order() {
    let all = errors(
        "{\"plans\": {\"P\": {\n\"regions\": {\"@@merge\": []},\n\"rules\": {\"R\": {\"lifecycle\": {\"delete_after_days\": {\"@@append\": [\"1\"]}}}},\n\"regions\": {}}}}",
    );
    assert_eq!(all.len(), 3, "{all:#?}");
    assert!(all[0].starts_with("p.json:2:13: plans.P.regions.@@merge"));
    assert!(all[1].starts_with("p.json:3:53: plans.P.rules.R.lifecycle.delete_after_days"));
    assert!(all[2].starts_with("p.json:4:1: plans.P.regions\n  duplicate key"));
}

#[test]
fn a_policy_needs_plans_at_the_top() {
    assert!(error("{}").starts_with("p.json:1:1: a backup policy has no `plans` key"));
    assert!(error("[]").starts_with("p.json:1:1: expected an object, found a list"));
}

#[test]
fn value_helpers_read_what_the_parser_accepts() {
    use crate::policy::{boolean_setting, integer_setting};
    assert_eq!(integer_setting(&json!(60)), Some(60));
    assert_eq!(integer_setting(&json!("60")), Some(60));
    assert_eq!(integer_setting(&json!("x")), None);
    assert_eq!(boolean_setting(&json!(false)), Some(false));
    assert_eq!(boolean_setting(&json!("True")), Some(true));
    assert_eq!(boolean_setting(&json!("no")), None);
}

#[test]
fn near_misses_get_a_suggestion() {
    // The seed's resource-selection example writes `resources` for `resource_types`.
    assert!(
        error(r#"{"plans": {"P": {"selections": {"resources": {"AllRDS": {"resources": {"@@assign": ["arn:aws:rds:*:*:db:*"]}}}}}}}"#)
            .contains("unknown key `resources` (did you mean `resource_types`?)")
    );
    assert!(
        error(
            r#"{"plans": {"P": {"rules": {"R": {"schedule": {"@@assign": "cron(0 5 ? * * *)"}}}}}}"#
        )
        .contains("unknown key `schedule` (did you mean `schedule_expression`?)")
    );
    assert!(
        error(r#"{"plans": {"P": {"regoins": {"@@assign": ["us-east-1"]}}}}"#)
            .contains("(did you mean `regions`?)")
    );
    assert!(!error(r#"{"plans": {"P": {"xyz": {}}}}"#).contains("did you mean"));
}
