//! Backup policies attached in a scenario → each account's effective policy → plans.
//!
//! Accounts whose chain of attachments (root → OU → … → account) is the same share one
//! effective policy, computed once by `policy::effective_policy`. Each plan of an
//! effective policy is converted to the scenario's plan shape and resolved by
//! `plans::plan_body`, exactly like a plan written in the scenario, with one difference
//! that mirrors AWS: Organizations accepts a policy that AWS Backup then refuses, so a
//! broken plan is not an error but a `Finding`, and the resources it would have protected
//! are simulated without it. Malformed JSON, by contrast, is an error (exit 2).

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use super::check::Problems;
use super::error::{Location, Problem};
use super::overrides::RuleOverride;
use super::plans::{Attachment, ResolvedPlan, plan_body, rule_ids};
use super::raw::{RawRule, RawScenario, RawSelections};
use crate::model::{
    Account, Evidence, Finding, InputFile, Ou, Resource, Scope, Severity, Simulation, Vault,
};
use crate::policy::{
    MAX_POLICY_CHARACTERS, PolicyDocument, boolean_setting, effective_policy, integer_setting,
    parse_policy, read_policy_file,
};

/// Plans and findings from the scenario's backup policies.
#[derive(Debug, Default)]
pub(super) struct PolicyPlans {
    pub plans: Vec<ResolvedPlan>,
    pub findings: Vec<Finding>,
    /// Per `--set` rule override: whether it named a rule of some effective plan.
    pub overrides_matched: Vec<bool>,
    /// Every rule field path of the effective plans (`plans.<plan>.rules.<rule>.<field>`),
    /// for naming the nearest one to an override that matched nothing.
    pub rule_paths: std::collections::BTreeSet<String>,
}

/// The loaded policy files and, for every account, its attachment levels.
pub struct Attachments {
    pub documents: Vec<PolicyDocument>,
    /// Each policy file read, once, in the order first attached.
    pub inputs: Vec<InputFile>,
    /// Per account: document indices per level, root first, the account's own last.
    pub levels: Vec<Vec<Vec<usize>>>,
}

/// Loads the attached policy files and works out each account's levels. Malformed files
/// and unknown attachment targets are recorded in `problems` (hard errors).
pub fn attachments(
    raw: &RawScenario,
    scenario_file: &Path,
    ous: &[Ou],
    accounts: &[Account],
    problems: &mut Problems,
) -> Option<Attachments> {
    let dir = scenario_file.parent().unwrap_or_else(|| Path::new("."));
    let mut documents = Vec::new();
    let mut inputs = Vec::new();
    let mut on_ou: Vec<Vec<usize>> = vec![Vec::new(); ous.len()];
    let mut on_account: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let account_ids: BTreeMap<&str, usize> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.id.as_str(), i))
        .collect();
    let before = problems.0.len();
    for (i, attachment) in raw.policies.iter().enumerate() {
        let path = format!("policies[{i}]");
        let file = dir.join(&attachment.file);
        let document = match read_policy_file(&file).and_then(|text| {
            if !inputs
                .iter()
                .any(|known: &InputFile| known.file == attachment.file)
            {
                inputs.push(InputFile {
                    file: attachment.file.clone(),
                    sha256: super::sha256_hex(text.as_bytes()),
                });
            }
            parse_policy(&file, &text)
        }) {
            Ok(d) => d,
            Err(errors) => {
                for e in &errors {
                    problems.push(policy_error(e));
                }
                continue;
            }
        };
        let index = documents.len();
        documents.push(document);
        if attachment.attach_to.is_empty() {
            problems.report(
                format!("{path}.attach_to"),
                "a policy must be attached to Root, an OU or an account id",
            );
        }
        for (j, target) in attachment.attach_to.iter().enumerate() {
            if let Some(o) = ous.iter().position(|o| &o.name == target) {
                on_ou[o].push(index);
            } else if account_ids.contains_key(target.as_str()) {
                on_account.entry(target.as_str()).or_default().push(index);
            } else {
                problems.report(
                    format!("{path}.attach_to[{j}]"),
                    format!(
                        "`{target}` is neither an OU ({}) nor the id of an account of the scenario",
                        ous.iter()
                            .map(|o| o.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
    }
    if problems.0.len() > before {
        return None;
    }
    let levels = accounts
        .iter()
        .map(|a| {
            let mut chain = Vec::new();
            let mut ou = Some(a.ou);
            while let Some(o) = ou {
                chain.push(o);
                ou = ous[o].parent;
            }
            let mut levels: Vec<Vec<usize>> =
                chain.iter().rev().map(|&o| on_ou[o].clone()).collect();
            levels.push(on_account.get(a.id.as_str()).cloned().unwrap_or_default());
            levels
        })
        .collect();
    Some(Attachments {
        documents,
        inputs,
        levels,
    })
}

/// A policy-file error as a problem located in the policy file.
fn policy_error(e: &crate::policy::PolicyError) -> Problem {
    Problem::new(e.json_path().to_string(), e.message().to_string()).at(Location {
        file: e.file().to_path_buf(),
        line: e.line(),
        column: e.column(),
    })
}

/// The effective policy of account `account` (operators removed, `$account` not
/// substituted), with the notes on changes inheritance did not apply.
pub fn effective_for(attachments: &Attachments, account: usize) -> crate::policy::Effective {
    let levels = documents_of(attachments, &attachments.levels[account]);
    effective_policy(&levels)
}

/// The attachments of a resolved scenario (`None` if they no longer load).
pub fn attachments_of(
    scenario: &super::Scenario,
    model: &crate::model::Model,
) -> Option<Attachments> {
    let mut problems = Problems::default();
    attachments(
        &scenario.raw,
        &scenario.file,
        &model.ous,
        &model.accounts,
        &mut problems,
    )
}

fn documents_of<'a>(
    attachments: &'a Attachments,
    levels: &[Vec<usize>],
) -> Vec<Vec<&'a PolicyDocument>> {
    levels
        .iter()
        .map(|level| {
            level
                .iter()
                .map(|&d| &attachments.documents[d])
                .filter(|d| d.characters() <= MAX_POLICY_CHARACTERS)
                .collect()
        })
        .collect()
}

/// Resolves every account's effective policy into plans, with findings for what AWS
/// Backup would refuse.
#[allow(clippy::too_many_arguments)]
pub(super) fn plans_from_policies(
    raw: &RawScenario,
    attachments: &Attachments,
    accounts: &[Account],
    resources: &[Resource],
    vaults: &[Vault],
    simulation: &Simulation,
    overrides: &[RuleOverride],
) -> PolicyPlans {
    let mut out = PolicyPlans {
        overrides_matched: vec![false; overrides.len()],
        ..PolicyPlans::default()
    };
    let mut findings: BTreeMap<(&'static str, String, String), Finding> = BTreeMap::new();
    let mut add = |f: Finding| {
        let key = (f.id, f.path.clone(), f.file.clone());
        match findings.get_mut(&key) {
            Some(existing) => {
                existing.scope.accounts += f.scope.accounts;
                existing.scope.resources += f.scope.resources;
                for (total, more) in existing.evidence.iter_mut().zip(&f.evidence) {
                    if let (Ok(a), Ok(b)) =
                        (total.value.parse::<usize>(), more.value.parse::<usize>())
                    {
                        total.value = (a + b).to_string();
                    }
                }
            }
            None => {
                findings.insert(key, f);
            }
        }
    };
    for d in &attachments.documents {
        if d.characters() > MAX_POLICY_CHARACTERS {
            add(Finding {
                id: rule_ids::POLICY_SIZE,
                severity: Severity::High,
                title: "backup policy too large to attach".to_string(),
                control: "AWS Organizations: backup policy size limit".to_string(),
                file: d.file().display().to_string(),
                path: String::new(),
                scope: Scope {
                    label: format!("policy {}", d.file().display()),
                    ..Scope::default()
                },
                evidence: vec![
                    Evidence::new("characters", d.characters().to_string()),
                    Evidence::new("limit", MAX_POLICY_CHARACTERS.to_string()),
                ],
                message: format!(
                    "the policy has {} characters; AWS Organizations accepts at most {MAX_POLICY_CHARACTERS}, so it cannot be attached and protects nothing",
                    d.characters()
                ),
                fix: "split the policy into several smaller policies (one plan per policy), or remove insignificant whitespace".to_string(),
            });
        }
    }
    // Accounts with the same levels share an effective policy.
    let mut groups: BTreeMap<&Vec<Vec<usize>>, Vec<usize>> = BTreeMap::new();
    for (a, levels) in attachments.levels.iter().enumerate() {
        groups.entry(levels).or_default().push(a);
    }
    let mut resources_by_account: Vec<Vec<usize>> = vec![Vec::new(); accounts.len()];
    for (r, resource) in resources.iter().enumerate() {
        resources_by_account[resource.account].push(r);
    }
    for (levels, members) in groups {
        if levels.iter().all(Vec::is_empty) {
            continue;
        }
        let files: Vec<String> = levels
            .iter()
            .flatten()
            .map(|&d| attachments.documents[d].file().display().to_string())
            .collect();
        let mut effective = effective_policy(&documents_of(attachments, levels)).policy;
        for (o, matched) in overrides.iter().zip(&mut out.overrides_matched) {
            *matched |= override_rule(&mut effective, o);
        }
        collect_rule_paths(&effective, &mut out.rule_paths);
        let mut in_group = vec![false; accounts.len()];
        for &a in &members {
            in_group[a] = true;
        }
        let Some(plans) = effective.get("plans").and_then(Value::as_object) else {
            continue;
        };
        for (name, plan) in plans {
            let path = format!("plans.{name}");
            let mut problems = Problems::default();
            let (regions, rules, selections) = plan_parts(plan, &path, &mut problems.0);
            let rules_reported = problems
                .0
                .iter()
                .any(|p| p.path.starts_with(&format!("{path}.rules.")));
            let mut resolved = plan_body(
                raw,
                &path,
                name,
                &regions,
                &rules,
                &selections,
                vaults,
                simulation,
                &mut problems,
            );
            resolved.set_source(files.join(", "));
            if rules_reported {
                // Rules set aside above are reported once, not again as "no rules".
                let rules_path = format!("{path}.rules");
                problems.0.retain(|p| {
                    !(p.path == rules_path && p.aws_rule == Some(rule_ids::MISSING_ELEMENT))
                });
            }
            if problems.0.is_empty() {
                resolved.attach(Attachment::Accounts(in_group.clone()));
                out.plans.push(resolved);
                continue;
            }
            // AWS Backup refuses the plan: the resources it selects go without it.
            let governed = members
                .iter()
                .flat_map(|&a| &resources_by_account[a])
                .filter(|&&r| {
                    resolved.selections_pick(&resources[r], &accounts[resources[r].account].id)
                })
                .count();
            for problem in problems.0 {
                add(Finding {
                    id: problem.aws_rule.unwrap_or(rule_ids::INVALID_VALUE),
                    severity: Severity::High,
                    title: format!("AWS Backup refuses plan `{name}`"),
                    control: "AWS Backup: plan validation".to_string(),
                    file: files.join(", "),
                    path: problem.path,
                    scope: Scope {
                        label: format!("plan {name}"),
                        ous: Vec::new(),
                        accounts: members.len(),
                        resources: governed,
                    },
                    evidence: vec![
                        Evidence::new("accounts governed", members.len().to_string()),
                        Evidence::new("resources left without the plan", governed.to_string()),
                    ],
                    message: format!(
                        "{}; AWS Backup refuses plan `{name}`, leaving its resources without it",
                        problem.message
                    ),
                    fix: problem
                        .help
                        .unwrap_or_else(|| "correct the value in the backup policy".to_string()),
                });
            }
        }
    }
    out.findings = findings.into_values().collect();
    out
}

/// Splits an effective plan (plain JSON, operators removed) into the scenario's plan shape.
/// Numbers and booleans may be JSON strings, as AWS accepts; keys AWS defines but vaultsim
/// does not simulate (tags on recovery points, indexing, malware scans, advanced settings)
/// are accepted and set aside.
fn plan_parts(
    plan: &Value,
    path: &str,
    problems: &mut Vec<Problem>,
) -> (Vec<String>, BTreeMap<String, RawRule>, RawSelections) {
    let missing = |field: &str| {
        Problem::new(
            format!("{path}.{field}"),
            format!("the effective plan has no `{field}`"),
        )
        .with_help("an effective backup plan needs regions, rules and selections")
        .aws_rule(rule_ids::MISSING_ELEMENT)
    };
    let regions: Vec<String> = match plan.get("regions") {
        Some(v) => from_value(v.clone(), &format!("{path}.regions"), problems).unwrap_or_default(),
        None => {
            problems.push(missing("regions"));
            Vec::new()
        }
    };
    let mut rules = BTreeMap::new();
    match plan.get("rules").and_then(Value::as_object) {
        Some(map) => {
            for (rule_name, rule) in map {
                let rp = format!("{path}.rules.{rule_name}");
                let mut rule = rule.clone();
                normalise_rule(&mut rule);
                for required in ["schedule_expression", "target_backup_vault_name"] {
                    if rule.get(required).is_none() {
                        problems.push(
                            Problem::new(
                                format!("{rp}.{required}"),
                                format!("rule `{rule_name}` has no `{required}`"),
                            )
                            .aws_rule(rule_ids::MISSING_ELEMENT),
                        );
                    }
                }
                if ["schedule_expression", "target_backup_vault_name"]
                    .iter()
                    .all(|k| rule.get(k).is_some())
                    && let Some(r) = from_value::<RawRule>(rule, &rp, problems)
                {
                    rules.insert(rule_name.clone(), r);
                }
            }
        }
        None => problems.push(missing("rules")),
    }
    let selections = match plan.get("selections") {
        Some(v) => {
            let selections: RawSelections =
                from_value(v.clone(), &format!("{path}.selections"), problems).unwrap_or_default();
            // "Policies must specify the IAM role that AWS Backup assumes" (syntax page).
            let roles = selections
                .tags
                .iter()
                .map(|(n, s)| (format!("tags.{n}"), &s.iam_role_arn))
                .chain(
                    selections
                        .resources
                        .iter()
                        .map(|(n, s)| (format!("resources.{n}"), &s.iam_role_arn)),
                );
            for (name, role) in roles {
                if role.is_none() {
                    problems.push(
                        Problem::new(
                            format!("{path}.selections.{name}.iam_role_arn"),
                            "the selection names no IAM role for AWS Backup to assume",
                        )
                        .with_help(
                            "set iam_role_arn, e.g. arn:aws:iam::$account:role/AWSBackupDefaultServiceRole",
                        )
                        .aws_rule(rule_ids::MISSING_ELEMENT),
                    );
                }
            }
            selections
        }
        None => {
            problems.push(missing("selections"));
            RawSelections::default()
        }
    };
    (regions, rules, selections)
}

/// Keys of a rule that AWS defines and vaultsim accepts without simulating.
const RULE_KEYS_SET_ASIDE: [&str; 4] = [
    "target_logically_air_gapped_backup_vault_arn",
    "recovery_point_tags",
    "index_actions",
    "scan_actions",
];

/// Sets an override's field in the effective policy's rule, if the plan and rule exist
/// (creating intermediate objects such as `lifecycle`); reports whether it did.
fn override_rule(effective: &mut Value, o: &RuleOverride) -> bool {
    // Policy keys are case-insensitive (AWS lower-cases rule names in effective policies).
    fn child<'v>(v: &'v mut Value, key: &str) -> Option<&'v mut Value> {
        v.as_object_mut()?
            .iter_mut()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }
    let Some(mut here) = effective
        .get_mut("plans")
        .and_then(|p| child(p, &o.plan))
        .and_then(|p| p.get_mut("rules"))
        .and_then(|r| child(r, &o.rule))
    else {
        return false;
    };
    let Some((last, parents)) = o.field.split_last() else {
        return false;
    };
    for key in parents {
        let Some(map) = here.as_object_mut() else {
            return false;
        };
        here = map
            .entry(key.clone())
            .or_insert_with(|| Value::Object(serde_json::Map::new()));
    }
    match here.as_object_mut() {
        Some(map) => {
            // Policies hold values as strings; AWS (and `normalise_rule`) converts them.
            map.insert(last.clone(), Value::from(o.value.clone()));
            true
        }
        None => false,
    }
}

/// Adds every leaf path under the effective plans' rules.
fn collect_rule_paths(effective: &Value, out: &mut std::collections::BTreeSet<String>) {
    fn walk(v: &Value, path: String, out: &mut std::collections::BTreeSet<String>) {
        match v.as_object() {
            Some(map) => {
                for (k, child) in map {
                    walk(child, format!("{path}.{k}"), out);
                }
            }
            None => {
                out.insert(path);
            }
        }
    }
    let Some(plans) = effective.get("plans").and_then(Value::as_object) else {
        return;
    };
    for (plan, body) in plans {
        if let Some(rules) = body.get("rules").and_then(Value::as_object) {
            for (rule, fields) in rules {
                walk(fields, format!("plans.{plan}.rules.{rule}"), out);
            }
        }
    }
}

/// Converts AWS's string-typed numbers and booleans to JSON numbers and booleans, and
/// drops the keys vaultsim does not simulate.
fn normalise_rule(rule: &mut Value) {
    let Some(map) = rule.as_object_mut() else {
        return;
    };
    for key in RULE_KEYS_SET_ASIDE {
        map.remove(key);
    }
    for key in [
        "start_backup_window_minutes",
        "complete_backup_window_minutes",
    ] {
        number(map.get_mut(key));
    }
    boolean(map.get_mut("enable_continuous_backup"));
    if let Some(l) = map.get_mut("lifecycle") {
        normalise_lifecycle(l);
    }
    if let Some(copies) = map.get_mut("copy_actions").and_then(Value::as_object_mut) {
        for (key, copy) in copies.iter_mut() {
            if let Some(c) = copy.as_object_mut() {
                // Without target_backup_vault_arn AWS uses the key in lower case
                // (aws-backup-facts §1.2); a key with capitals then names another vault.
                c.entry("target_backup_vault_arn")
                    .or_insert_with(|| Value::from(key.to_lowercase()));
            }
            if let Some(l) = copy.get_mut("lifecycle") {
                normalise_lifecycle(l);
            }
        }
    }
}

fn normalise_lifecycle(lifecycle: &mut Value) {
    if let Some(l) = lifecycle.as_object_mut() {
        l.remove("opt_in_to_archive_for_supported_resources");
        number(l.get_mut("move_to_cold_storage_after_days"));
        number(l.get_mut("delete_after_days"));
    }
}

/// `"60"` → `60` (leaves anything else for the type check to report).
fn number(v: Option<&mut Value>) {
    if let Some(v) = v
        && let Some(n) = integer_setting(v)
    {
        *v = Value::from(n);
    }
}

/// `"true"`/`"false"` → booleans (as AWS accepts them).
fn boolean(v: Option<&mut Value>) {
    if let Some(v) = v
        && let Some(b) = boolean_setting(v)
    {
        *v = Value::from(b);
    }
}

/// Deserializes `v` (at JSON path `path`) or records an invalid-value problem.
fn from_value<T: serde::de::DeserializeOwned>(
    v: Value,
    path: &str,
    problems: &mut Vec<Problem>,
) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(v) {
        Ok(t) => Some(t),
        Err(e) => {
            let inner = e.path().to_string();
            let full = if inner == "." {
                path.to_string()
            } else {
                format!("{path}.{inner}")
            };
            problems.push(
                Problem::new(full, e.into_inner().to_string()).aws_rule(rule_ids::INVALID_VALUE),
            );
            None
        }
    }
}
