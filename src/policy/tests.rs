//! Inheritance: each operator alone and combined, child-control restrictions across levels,
//! same-level attach order, case-insensitive names. Every expected result is derived by hand
//! from the operator rules (aws-backup-facts §1.5), never from AWS's example outputs.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::*;

fn doc(file: &str, text: &str) -> PolicyDocument {
    parse_policy(Path::new(file), text).unwrap_or_else(|e| panic!("{e}"))
}

/// Evaluates levels of documents, root first.
fn eval(levels: &[&[&PolicyDocument]]) -> Effective {
    let levels: Vec<Vec<&PolicyDocument>> = levels.iter().map(|l| l.to_vec()).collect();
    effective_policy(&levels)
}

/// A plan `P` holding `body`.
fn plan(body: Value) -> String {
    json!({"plans": {"P": body}}).to_string()
}

/// A plan `P` with one rule `R` holding `rule`.
fn rule(rule: Value) -> String {
    plan(json!({"rules": {"R": rule}}))
}

fn regions(op: &str, values: &[&str]) -> String {
    plan(json!({"regions": {op: values}}))
}

fn delete_after(days: &str) -> String {
    rule(json!({"lifecycle": {"delete_after_days": {"@@assign": days}}}))
}

fn effective_regions(e: &Effective) -> &Value {
    &e.policy["plans"]["P"]["regions"]
}

fn notes(e: &Effective) -> Vec<String> {
    e.notes.iter().map(ToString::to_string).collect()
}

#[test]
fn nothing_attached_gives_empty_plans() {
    assert_eq!(eval(&[]).policy, json!({"plans": {}}));
    assert_eq!(eval(&[&[], &[]]).policy, json!({"plans": {}}));
}

#[test]
fn assign_over_assign_replaces_the_scalar() {
    let root = doc("root.json", &delete_after("35"));
    let ou = doc("ou.json", &delete_after("60"));
    let e = eval(&[&[&root], &[&ou]]);
    assert_eq!(
        e.policy,
        json!({"plans": {"P": {"rules": {"r": {"lifecycle": {"delete_after_days": "60"}}}}}})
    );
    assert!(e.notes.is_empty());
    let origin = &e.origins["plans.P.rules.r.lifecycle.delete_after_days"];
    assert_eq!(origin.file, PathBuf::from("ou.json"));
    assert_eq!(origin.level, 1);
    assert_eq!(origin.path, "plans.P.rules.R.lifecycle.delete_after_days");
}

#[test]
fn assign_replaces_a_list_whole() {
    let root = doc(
        "root.json",
        &regions("@@assign", &["us-east-1", "us-west-2"]),
    );
    let ou = doc("ou.json", &regions("@@assign", &["eu-west-1"]));
    assert_eq!(
        effective_regions(&eval(&[&[&root], &[&ou]])),
        &json!(["eu-west-1"])
    );
}

#[test]
fn append_then_remove() {
    let root = doc(
        "root.json",
        &regions("@@assign", &["us-east-1", "us-west-2"]),
    );
    // us-east-1 is already there: appended once only.
    let ou = doc("ou.json", &regions("@@append", &["eu-west-1", "us-east-1"]));
    let account = doc("account.json", &regions("@@remove", &["us-west-2"]));
    let e = eval(&[&[&root], &[&ou]]);
    assert_eq!(
        effective_regions(&e),
        &json!(["us-east-1", "us-west-2", "eu-west-1"])
    );
    let e = eval(&[&[&root], &[&ou], &[&account]]);
    assert_eq!(effective_regions(&e), &json!(["us-east-1", "eu-west-1"]));
    assert!(e.notes.is_empty());
}

#[test]
fn remove_of_an_absent_value_changes_nothing() {
    let root = doc("root.json", &regions("@@assign", &["us-east-1"]));
    let ou = doc("ou.json", &regions("@@remove", &["ap-south-1"]));
    assert_eq!(
        effective_regions(&eval(&[&[&root], &[&ou]])),
        &json!(["us-east-1"])
    );
    // Nothing inherited at all: the setting stays absent.
    let e = eval(&[&[&ou]]);
    assert_eq!(e.policy, json!({"plans": {}}));
    // Removing the last value leaves an empty list, not an absent setting.
    let all = doc("all.json", &regions("@@remove", &["us-east-1"]));
    assert_eq!(effective_regions(&eval(&[&[&root], &[&all]])), &json!([]));
}

#[test]
fn assign_replaces_an_appended_list() {
    let root = doc("root.json", &regions("@@append", &["us-east-1"]));
    let ou = doc("ou.json", &regions("@@append", &["us-west-2"]));
    let account = doc("account.json", &regions("@@assign", &["eu-central-1"]));
    assert_eq!(
        effective_regions(&eval(&[&[&root], &[&ou]])),
        &json!(["us-east-1", "us-west-2"])
    );
    assert_eq!(
        effective_regions(&eval(&[&[&root], &[&ou], &[&account]])),
        &json!(["eu-central-1"])
    );
}

#[test]
fn append_creates_a_missing_list() {
    let root = doc("root.json", &plan(json!({"rules": {"R": {}}})));
    let ou = doc("ou.json", &regions("@@append", &["us-east-1", "us-east-1"]));
    assert_eq!(
        effective_regions(&eval(&[&[&root], &[&ou]])),
        &json!(["us-east-1"])
    );
}

#[test]
fn tag_value_string_becomes_a_list_when_appended_or_removed() {
    let root = doc(
        "root.json",
        &rule(json!({"recovery_point_tags": {"owner": {"tag_value": {"@@assign": "Backup"}}}})),
    );
    let ou = doc(
        "ou.json",
        &rule(json!({"recovery_point_tags": {"owner": {"tag_value": {"@@append": "Ops"}}}})),
    );
    let account = doc(
        "account.json",
        &rule(json!({"recovery_point_tags": {"owner": {"tag_value": {"@@remove": ["Backup"]}}}})),
    );
    let tag = |e: &Effective| {
        e.policy["plans"]["P"]["rules"]["r"]["recovery_point_tags"]["owner"]["tag_value"].clone()
    };
    assert_eq!(tag(&eval(&[&[&root]])), json!("Backup"));
    assert_eq!(tag(&eval(&[&[&root], &[&ou]])), json!(["Backup", "Ops"]));
    assert_eq!(tag(&eval(&[&[&root], &[&ou], &[&account]])), json!(["Ops"]));
}

#[test]
fn a_restriction_binds_every_lower_level_and_cannot_be_widened() {
    // Root: children may only append to regions.
    let root = doc(
        "root.json",
        &plan(json!({"regions": {
            "@@operators_allowed_for_child_policies": ["@@append"],
            "@@assign": ["us-east-1"]
        }})),
    );
    // OU: tries to replace the list, and to allow everything below it.
    let ou = doc(
        "ou.json",
        &plan(json!({"regions": {
            "@@operators_allowed_for_child_policies": ["@@all"],
            "@@assign": ["eu-west-1"]
        }})),
    );
    // Account: tries to remove, which neither root nor (effectively) the OU allows.
    let account = doc("account.json", &regions("@@remove", &["us-east-1"]));
    let appender = doc("appender.json", &regions("@@append", &["eu-west-1"]));

    let e = eval(&[&[&root], &[&ou], &[&account]]);
    assert_eq!(effective_regions(&e), &json!(["us-east-1"]));
    assert_eq!(
        notes(&e),
        [
            "ou.json:1:52: plans.P.regions\n  `@@operators_allowed_for_child_policies: [\"@@all\"]` cannot widen what \
             root.json:1:52 (level 1) allows from `plans.P.regions` down ([\"@@append\"]); the narrower list stays",
            "ou.json:1:27: plans.P.regions\n  `@@assign` not applied: root.json:1:52 (level 1) allows child policies \
             only [\"@@append\"] from `plans.P.regions` down",
            "account.json:1:27: plans.P.regions\n  `@@remove` not applied: root.json:1:52 (level 1) allows child policies \
             only [\"@@append\"] from `plans.P.regions` down",
        ]
    );
    assert_eq!(e.notes[2].level, 2);
    assert_eq!(e.notes[2].change, Change::Operator(Operator::Remove));
    // What the restriction allows still works, at any depth.
    let e = eval(&[&[&root], &[&ou], &[&appender]]);
    assert_eq!(effective_regions(&e), &json!(["us-east-1", "eu-west-1"]));
}

#[test]
fn a_restriction_on_an_ancestor_covers_settings_below_it() {
    let root = doc(
        "root.json",
        &json!({"plans": {"P": {
            "@@operators_allowed_for_child_policies": ["@@none"],
            "rules": {"R": {"lifecycle": {"delete_after_days": {"@@assign": "35"}}}}
        }}})
        .to_string(),
    );
    let ou = doc("ou.json", &delete_after("7"));
    let e = eval(&[&[&root], &[&ou]]);
    assert_eq!(
        e.policy["plans"]["P"]["rules"]["r"]["lifecycle"]["delete_after_days"],
        "35"
    );
    assert_eq!(e.notes.len(), 1);
    let NoteReason::Restricted { by } = &e.notes[0].reason else {
        panic!("restricted")
    };
    assert_eq!((by.path.as_str(), by.allowed), ("plans.P", Allowed::NONE));
}

#[test]
fn a_restriction_does_not_bind_its_own_level() {
    // Two policies on the root: the first locks regions for children, the second (same
    // level, not a child) may still add to them.
    let first = doc(
        "first.json",
        &plan(json!({"regions": {
            "@@operators_allowed_for_child_policies": ["@@none"],
            "@@assign": ["us-east-1"]
        }})),
    );
    let second = doc("second.json", &regions("@@append", &["us-west-2"]));
    let child = doc("child.json", &regions("@@append", &["eu-west-1"]));
    let e = eval(&[&[&first, &second], &[&child]]);
    assert_eq!(effective_regions(&e), &json!(["us-east-1", "us-west-2"]));
    assert_eq!(e.notes.len(), 1);
    assert_eq!(e.notes[0].file, PathBuf::from("child.json"));
}

#[test]
fn a_restriction_without_a_value_still_locks_the_setting() {
    let root = doc(
        "root.json",
        &rule(
            json!({"start_backup_window_minutes": {"@@operators_allowed_for_child_policies": ["@@none"]}}),
        ),
    );
    let ou = doc(
        "ou.json",
        &rule(json!({"start_backup_window_minutes": {"@@assign": "120"},
                     "complete_backup_window_minutes": {"@@assign": "240"}})),
    );
    let e = eval(&[&[&root], &[&ou]]);
    assert_eq!(
        e.policy,
        json!({"plans": {"P": {"rules": {"r": {"complete_backup_window_minutes": "240"}}}}})
    );
    assert_eq!(e.notes.len(), 1);
}

#[test]
fn append_at_plans_admits_new_plans_while_none_locks_an_inherited_plan() {
    // Backup policy example 4, with the plan bodies written out.
    let root = doc(
        "root.json",
        r#"{"plans": {
            "@@operators_allowed_for_child_policies": ["@@append"],
            "Locked": {
                "@@operators_allowed_for_child_policies": ["@@none"],
                "regions": {"@@assign": ["us-east-1"]},
                "rules": {"Daily": {"schedule_expression": {"@@assign": "cron(0 5 ? * * *)"}}}
            }
        }}"#,
    );
    let ou = doc(
        "ou.json",
        r#"{"plans": {
            "Locked": {
                "regions": {"@@append": ["eu-west-1"]},
                "rules": {"Extra": {"schedule_expression": {"@@assign": "cron(0 1 ? * * *)"}}}
            },
            "Added": {
                "regions": {"@@assign": ["us-west-2"]},
                "rules": {"Monthly": {
                    "schedule_expression": {"@@assign": "cron(0 5 1 * ? *)"},
                    "lifecycle": {"delete_after_days": {"@@assign": "365"}}
                }}
            }
        }}"#,
    );
    // Below `plans` only appending is allowed, also inside the plan the OU added: the
    // account may add a region and a rule to it, but not change its retention.
    let account = doc(
        "account.json",
        r#"{"plans": {"Added": {
            "regions": {"@@append": ["us-east-2"]},
            "rules": {
                "Monthly": {"lifecycle": {"delete_after_days": {"@@assign": "30"}}},
                "Weekly": {"schedule_expression": {"@@assign": "cron(0 5 ? * SUN *)"}}
            }
        }}}"#,
    );
    let e = eval(&[&[&root], &[&ou], &[&account]]);
    assert_eq!(
        e.policy,
        json!({"plans": {
            "Added": {
                "regions": ["us-west-2", "us-east-2"],
                "rules": {
                    "monthly": {
                        "lifecycle": {"delete_after_days": "365"},
                        "schedule_expression": "cron(0 5 1 * ? *)"
                    },
                    "weekly": {"schedule_expression": "cron(0 5 ? * SUN *)"}
                }
            },
            "Locked": {
                "regions": ["us-east-1"],
                "rules": {"daily": {"schedule_expression": "cron(0 5 ? * * *)"}}
            }
        }})
    );
    let ignored: Vec<(&str, &str)> = e
        .notes
        .iter()
        .map(|n| (n.path.as_str(), n.file.to_str().unwrap_or("")))
        .collect();
    assert_eq!(
        ignored,
        [
            ("plans.Locked.regions", "ou.json"),
            ("plans.Locked.rules.Extra.schedule_expression", "ou.json"),
            (
                "plans.Added.rules.Monthly.lifecycle.delete_after_days",
                "account.json"
            ),
        ]
    );
}

#[test]
fn none_at_plans_admits_no_new_plan() {
    let root = doc(
        "root.json",
        r#"{"plans": {"@@operators_allowed_for_child_policies": ["@@none"],
            "P": {"regions": {"@@assign": ["us-east-1"]}}}}"#,
    );
    let ou = doc(
        "ou.json",
        r#"{"plans": {"Q": {"regions": {"@@assign": ["us-west-2"]}}}}"#,
    );
    let e = eval(&[&[&root], &[&ou]]);
    assert_eq!(
        e.policy,
        json!({"plans": {"P": {"regions": ["us-east-1"]}}})
    );
    assert_eq!(e.notes.len(), 1);
}

#[test]
fn assign_alone_allowed_still_lets_children_set_absent_settings() {
    let root = doc(
        "root.json",
        r#"{"plans": {"P": {"@@operators_allowed_for_child_policies": ["@@assign"],
            "regions": {"@@assign": ["us-east-1"]}}}}"#,
    );
    let ou = doc(
        "ou.json",
        &plan(json!({"regions": {"@@append": ["us-west-2"]},
                     "rules": {"R": {"schedule_expression": {"@@assign": "cron(0 5 ? * * *)"}}}})),
    );
    let e = eval(&[&[&root], &[&ou]]);
    assert_eq!(e.policy["plans"]["P"]["regions"], json!(["us-east-1"]));
    assert_eq!(
        e.policy["plans"]["P"]["rules"]["r"]["schedule_expression"],
        "cron(0 5 ? * * *)"
    );
    assert_eq!(e.notes.len(), 1);
}

#[test]
fn the_first_attached_policy_wins_at_one_level() {
    let a = doc("a.json", &delete_after("35"));
    let b = doc("b.json", &delete_after("90"));
    let days = |e: &Effective| {
        e.policy["plans"]["P"]["rules"]["r"]["lifecycle"]["delete_after_days"].clone()
    };
    let e = eval(&[&[&a, &b]]);
    assert_eq!(days(&e), json!("35"));
    assert_eq!(
        notes(&e),
        [
            "b.json:1:64: plans.P.rules.R.lifecycle.delete_after_days\n  `@@assign` not applied: a.json, \
          attached earlier to the same node, already set it (the policy attached first wins)"
        ]
    );
    assert_eq!(days(&eval(&[&[&b, &a]])), json!("90"));
    // Also below the root, and over an inherited value.
    let root = doc("root.json", &delete_after("7"));
    assert_eq!(days(&eval(&[&[&root], &[&a, &b]])), json!("35"));
    assert_eq!(days(&eval(&[&[&root], &[&b, &a]])), json!("90"));
}

#[test]
fn later_policies_at_one_level_may_still_append() {
    let a = doc("a.json", &regions("@@assign", &["us-east-1"]));
    let b = doc("b.json", &regions("@@append", &["us-west-2"]));
    let c = doc("c.json", &regions("@@remove", &["us-east-1"]));
    let e = eval(&[&[&a, &b, &c]]);
    assert_eq!(effective_regions(&e), &json!(["us-east-1", "us-west-2"]));
    assert_eq!(e.notes.len(), 1);
    assert!(matches!(
        &e.notes[0].reason,
        NoteReason::FirstAttachedWins { first } if first == Path::new("a.json")
    ));
    // Two appends at one level add up.
    let d = doc("d.json", &regions("@@append", &["eu-west-1"]));
    assert_eq!(
        effective_regions(&eval(&[&[&b, &d]])),
        &json!(["us-west-2", "eu-west-1"])
    );
}

#[test]
fn child_control_lists_at_one_level_intersect() {
    // Tag policy example 5, as a backup selection: G allows @@append, H allows @@append
    // and @@remove; children may append but not remove.
    let g = doc(
        "g.json",
        &plan(json!({"selections": {"tags": {"s": {"tag_value": {
            "@@operators_allowed_for_child_policies": ["@@append"],
            "@@assign": ["Maintenance"]
        }}}}})),
    );
    let h = doc(
        "h.json",
        &plan(json!({"selections": {"tags": {"s": {"tag_value": {
            "@@operators_allowed_for_child_policies": ["@@append", "@@remove"]
        }}}}})),
    );
    let remove = doc(
        "remove.json",
        &plan(json!({"selections": {"tags": {"s": {"tag_value": {"@@remove": ["Maintenance"]}}}}})),
    );
    let append = doc(
        "append.json",
        &plan(json!({"selections": {"tags": {"s": {"tag_value": {"@@append": ["Escalations"]}}}}})),
    );
    let e = eval(&[&[&g, &h], &[&remove], &[&append]]);
    assert_eq!(
        e.policy["plans"]["P"]["selections"]["tags"]["s"]["tag_value"],
        json!(["Maintenance", "Escalations"])
    );
    assert_eq!(e.notes.len(), 1);
    let NoteReason::Restricted { by } = &e.notes[0].reason else {
        panic!("restricted")
    };
    assert_eq!(by.file, PathBuf::from("g.json"));
    // Attach order does not matter for the intersection: with H first, G's list binds.
    let e = eval(&[&[&h, &g], &[&remove]]);
    assert_eq!(e.notes.len(), 1);
    let NoteReason::Restricted { by } = &e.notes[0].reason else {
        panic!("restricted")
    };
    assert_eq!(by.file, PathBuf::from("g.json"));
}

#[test]
fn rule_selection_and_tag_names_merge_without_case() {
    let root = doc(
        "root.json",
        r#"{"plans": {"Prod": {
            "rules": {"DailyBackup": {
                "schedule_expression": {"@@assign": "cron(0 5 ? * * *)"},
                "recovery_point_tags": {"Owner": {"tag_key": {"@@assign": "Owner"}}},
                "copy_actions": {"arn:aws:backup:us-west-2:$account:backup-vault:DR": {
                    "lifecycle": {"delete_after_days": {"@@assign": "30"}}}}
            }},
            "selections": {"tags": {"ProdResources": {"tag_key": {"@@assign": "BackupPolicy"}}}},
            "backup_plan_tags": {"Stage": {"tag_key": {"@@assign": "Stage"}}}
        }}}"#,
    );
    let ou = doc(
        "ou.json",
        r#"{"plans": {
            "prod": {"regions": {"@@assign": ["eu-west-1"]}},
            "Prod": {
                "rules": {"DAILYBACKUP": {
                    "start_backup_window_minutes": {"@@assign": "60"},
                    "recovery_point_tags": {"owner": {"tag_value": {"@@assign": "Ops"}}},
                    "copy_actions": {"arn:aws:backup:us-west-2:$account:backup-vault:dr": {
                        "lifecycle": {"delete_after_days": {"@@assign": "60"}}}}
                }},
                "selections": {"tags": {"prodresources": {"tag_value": {"@@assign": ["Production"]}}}},
                "backup_plan_tags": {"STAGE": {"tag_value": {"@@assign": "Prod"}}}
            }
        }}"#,
    );
    let e = eval(&[&[&root], &[&ou]]);
    assert_eq!(
        e.policy,
        json!({"plans": {
            "Prod": {
                "backup_plan_tags": {"stage": {"tag_key": "Stage", "tag_value": "Prod"}},
                "rules": {"dailybackup": {
                    "copy_actions": {
                        "arn:aws:backup:us-west-2:$account:backup-vault:DR": {"lifecycle": {"delete_after_days": "30"}},
                        "arn:aws:backup:us-west-2:$account:backup-vault:dr": {"lifecycle": {"delete_after_days": "60"}}
                    },
                    "recovery_point_tags": {"owner": {"tag_key": "Owner", "tag_value": "Ops"}},
                    "schedule_expression": "cron(0 5 ? * * *)",
                    "start_backup_window_minutes": "60"
                }},
                "selections": {"tags": {"prodresources": {
                    "tag_key": "BackupPolicy",
                    "tag_value": ["Production"]
                }}}
            },
            "prod": {"regions": ["eu-west-1"]}
        }})
    );
    assert!(
        e.origins
            .contains_key("plans.Prod.rules.dailybackup.start_backup_window_minutes")
    );
}

#[test]
fn origins_point_at_the_deciding_operator() {
    let root = doc("root.json", &regions("@@assign", &["us-east-1"]));
    let ou = doc(
        "ou.json",
        "{\"plans\": {\"P\": {\n  \"regions\": {\"@@append\": [\"eu-west-1\"]}}}}",
    );
    let e = eval(&[&[&root], &[&ou]]);
    assert_eq!(
        e.origins["plans.P.regions"],
        Origin {
            file: PathBuf::from("ou.json"),
            level: 1,
            position: Position {
                line: 2,
                column: 15
            },
            path: "plans.P.regions".into(),
        }
    );
    assert_eq!(e.origins.len(), 1);
}

#[test]
fn plans_with_only_restrictions_do_not_appear() {
    let root = doc(
        "root.json",
        r#"{"plans": {"P": {"regions": {"@@operators_allowed_for_child_policies": ["@@none"]}}}}"#,
    );
    assert_eq!(eval(&[&[&root]]).policy, json!({"plans": {}}));
}
