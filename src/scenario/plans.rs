//! Backup plans: validation of rules (schedules, windows, lifecycles, vaults, copy
//! actions) and selections, matching plans to resources, and the merge of every rule that
//! applies to a resource into a shared `Program` of scheduled jobs.
//!
//! Used by `resolve` for plans written in the scenario; every check reports a `Problem`
//! with the field path, what was found and what is valid.

use std::collections::BTreeMap;

use super::check::Problems;
use super::error::Problem;
use super::raw::{RawConditions, RawLifecycle, RawPlan, RawRule};
use super::resolve::{
    MAX_CONTINUOUS_RETENTION_DAYS, MAX_RETENTION_DAYS, MAX_WINDOW_MINUTES, MIN_COLD_DAYS,
    MIN_START_WINDOW_MINUTES,
};
use crate::model::*;
use crate::schedule::{Schedule, ScheduleError};

/// AWS Backup quotas on plans (aws-backup-facts §1.6).
const MAX_RULES_PER_PLAN: usize = 10;
const MAX_COPY_ACTIONS_PER_RULE: usize = 5;
const MAX_CONDITIONS_PER_SELECTION: usize = 30;

/// Stable ids of AWS Backup's own rules. A backup policy that breaks one is accepted by
/// AWS Organizations and refused by AWS Backup in every member account: vaultsim reports
/// it as a finding with this id (never renumber or reuse an id).
pub mod rule_ids {
    pub const MISSING_ELEMENT: &str = "VS-BP-001-MISSING-ELEMENT";
    pub const START_WINDOW: &str = "VS-BP-002-START-WINDOW-UNDER-60";
    pub const LIFECYCLE_COLD_90: &str = "VS-BP-003-DELETE-BEFORE-COLD-PLUS-90";
    pub const TOO_MANY_RULES: &str = "VS-BP-004-MORE-THAN-10-RULES";
    pub const TOO_MANY_COPY_ACTIONS: &str = "VS-BP-005-MORE-THAN-5-COPY-ACTIONS";
    pub const POLICY_SIZE: &str = "VS-BP-006-POLICY-OVER-10000-CHARACTERS";
    pub const COPY_ARN_MISMATCH: &str = "VS-BP-007-COPY-ACTION-ARN-MISMATCH";
    pub const CONTINUOUS_RETENTION: &str = "VS-BP-008-CONTINUOUS-RETENTION";
    pub const SCHEDULE_INTERVAL: &str = "VS-BP-009-SCHEDULE-INTERVAL-UNDER-60";
    pub const SCHEDULE_INVALID: &str = "VS-BP-010-SCHEDULE-INVALID";
    pub const UNKNOWN_VAULT: &str = "VS-BP-011-UNKNOWN-VAULT";
    pub const INVALID_VALUE: &str = "VS-BP-012-INVALID-VALUE";
    pub const CONTINUOUS_VAULTS: &str = "VS-BP-013-CONTINUOUS-RULES-DIFFERENT-VAULTS";
}

/// A rule after validation, with its fire times over the horizon (simulation seconds).
#[derive(Debug, Clone)]
struct ResolvedRule {
    fire_seconds: Vec<i64>,
    start_window_seconds: i64,
    completion_window_seconds: i64,
    continuous: bool,
    lifecycle: RuleLifecycle,
    vault: usize,
    /// Copy actions: destination vault and the copy's lifecycle (the rule's when unset).
    copies: Vec<(usize, RuleLifecycle)>,
}

#[derive(Debug, Clone, Copy)]
struct RuleLifecycle {
    cold_after_days: Option<i64>,
    delete_after_days: Option<i64>,
}

impl RuleLifecycle {
    /// No lifecycle written (keep forever, unless inherited).
    const UNSET: RuleLifecycle = RuleLifecycle {
        cold_after_days: None,
        delete_after_days: None,
    };

    fn is_unset(&self) -> bool {
        self.cold_after_days.is_none() && self.delete_after_days.is_none()
    }

    /// Retention for comparing overlapping rules: longer wins; forever is longest.
    fn retention_key(&self) -> (i64, i64) {
        (
            self.delete_after_days.unwrap_or(i64::MAX),
            self.cold_after_days.unwrap_or(i64::MAX),
        )
    }
}

/// A plan after validation.
#[derive(Debug, Clone)]
pub(super) struct ResolvedPlan {
    name: String,
    attached: Attachment,
    regions: Vec<String>,
    rules: Vec<ResolvedRule>,
    rule_names: Vec<String>,
    selections: Vec<Selection>,
    /// The file(s) the plan is written in.
    source: String,
}

/// Which accounts a plan applies to.
#[derive(Debug, Clone)]
pub(super) enum Attachment {
    /// A scenario plan: every account in these OUs (indices) or below them.
    Ous(Vec<usize>),
    /// A plan from an effective backup policy: exactly these accounts (by index).
    Accounts(Vec<bool>),
}

#[derive(Debug, Clone)]
enum Selection {
    Tag {
        key: String,
        values: Vec<String>,
        conditions: Vec<Condition>,
    },
    Resources {
        arn_patterns: Vec<String>,
        not_arn_patterns: Vec<String>,
        conditions: Vec<Condition>,
    },
}

/// A tag condition of a selection (IAM-style string operators on `aws:ResourceTag/<key>`).
#[derive(Debug, Clone)]
struct Condition {
    tag_key: String,
    value: String,
    operator: ConditionOperator,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ConditionOperator {
    Equals,
    NotEquals,
    Like,
    NotLike,
}

impl Condition {
    /// IAM semantics: a missing tag fails `string_equals`/`string_like` and satisfies the
    /// negated operators.
    fn holds(&self, resource: &Resource) -> bool {
        let value = resource.tag(&self.tag_key);
        match self.operator {
            ConditionOperator::Equals => value == Some(self.value.as_str()),
            ConditionOperator::NotEquals => value != Some(self.value.as_str()),
            ConditionOperator::Like => {
                value.is_some_and(|v| super::check::wildcard_match(&self.value, v))
            }
            ConditionOperator::NotLike => {
                !value.is_some_and(|v| super::check::wildcard_match(&self.value, v))
            }
        }
    }
}

/// The prefix of a condition key naming a resource tag.
const RESOURCE_TAG_PREFIX: &str = "aws:ResourceTag/";

fn conditions(raw: Option<&RawConditions>, path: &str, problems: &mut Problems) -> Vec<Condition> {
    let Some(raw) = raw else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (field, operator, map) in [
        (
            "string_equals",
            ConditionOperator::Equals,
            &raw.string_equals,
        ),
        (
            "string_not_equals",
            ConditionOperator::NotEquals,
            &raw.string_not_equals,
        ),
        ("string_like", ConditionOperator::Like, &raw.string_like),
        (
            "string_not_like",
            ConditionOperator::NotLike,
            &raw.string_not_like,
        ),
    ] {
        for (name, c) in map {
            match c.condition_key.strip_prefix(RESOURCE_TAG_PREFIX) {
                Some(tag_key) if !tag_key.is_empty() => out.push(Condition {
                    tag_key: tag_key.to_string(),
                    value: c.condition_value.clone(),
                    operator,
                }),
                _ => problems.push(
                    Problem::new(
                        format!("{path}.{field}.{name}.condition_key"),
                        format!(
                            "`{}` is not a resource-tag condition key; valid: {RESOURCE_TAG_PREFIX}<tag key>",
                            c.condition_key
                        ),
                    )
                    .aws_rule(rule_ids::INVALID_VALUE),
                ),
            }
        }
    }
    if out.len() > MAX_CONDITIONS_PER_SELECTION {
        problems.push(
            Problem::new(
                path.to_string(),
                format!(
                    "{} conditions; AWS Backup accepts at most {MAX_CONDITIONS_PER_SELECTION} per selection",
                    out.len()
                ),
            )
            .aws_rule(rule_ids::INVALID_VALUE),
        );
    }
    out
}

pub(super) fn plans(
    raw: &super::raw::RawScenario,
    ous: &[Ou],
    vaults: &[Vault],
    simulation: &Simulation,
    problems: &mut Problems,
) -> Option<Vec<ResolvedPlan>> {
    let mut out = Vec::new();
    for (name, plan) in &raw.plans {
        out.push(plan_of(raw, name, plan, ous, vaults, simulation, problems));
    }
    out.into_iter().collect()
}

fn plan_of(
    raw: &super::raw::RawScenario,
    name: &str,
    plan: &RawPlan,
    ous: &[Ou],
    vaults: &[Vault],
    simulation: &Simulation,
    problems: &mut Problems,
) -> Option<ResolvedPlan> {
    let path = format!("plans.{name}");
    let mut attached = Vec::new();
    for (i, ou) in plan.attach_to.iter().enumerate() {
        attached.extend(problems.ou(ous, ou, format!("{path}.attach_to[{i}]")));
    }
    if plan.attach_to.is_empty() {
        problems.report(
            format!("{path}.attach_to"),
            "a plan must be attached to at least one OU (or Root)",
        );
    }
    let mut resolved = plan_body(
        raw,
        &path,
        name,
        &plan.regions,
        &plan.rules,
        &plan.selections,
        vaults,
        simulation,
        problems,
    );
    resolved.attach(Attachment::Ous(attached));
    Some(resolved)
}

/// Validates and resolves a plan's regions, rules and selections (scenario plans and
/// plans of effective backup policies alike). `path` is the plan's path in its file.
/// The returned plan is attached nowhere; the caller attaches it.
#[allow(clippy::too_many_arguments)]
pub(super) fn plan_body(
    raw: &super::raw::RawScenario,
    path: &str,
    name: &str,
    regions: &[String],
    rule_map: &BTreeMap<String, RawRule>,
    raw_selections: &super::raw::RawSelections,
    vaults: &[Vault],
    simulation: &Simulation,
    problems: &mut Problems,
) -> ResolvedPlan {
    let plan = PlanParts {
        regions,
        rules: rule_map,
        selections: raw_selections,
    };
    problems.regions(
        plan.regions,
        &format!("{path}.regions"),
        "a plan needs at least one region",
    );
    if plan.rules.is_empty() {
        problems.push(
            Problem::new(format!("{path}.rules"), "a plan needs at least one rule")
                .aws_rule(rule_ids::MISSING_ELEMENT),
        );
    }
    if plan.rules.len() > MAX_RULES_PER_PLAN {
        problems.push(
            Problem::new(
                format!("{path}.rules"),
                format!(
                    "{} rules; AWS Backup accepts at most {MAX_RULES_PER_PLAN} per plan",
                    plan.rules.len()
                ),
            )
            .with_help("split the rules over several plans")
            .aws_rule(rule_ids::TOO_MANY_RULES),
        );
    }
    let mut rules = Vec::new();
    let mut rule_names = Vec::new();
    for (rule_name, rule) in plan.rules {
        if let Some(r) = rule_of(
            raw,
            &format!("{path}.rules.{rule_name}"),
            rule,
            vaults,
            simulation,
            problems,
        ) {
            rules.push(r);
            rule_names.push(rule_name.clone());
        }
    }
    overlapping_continuous_rules(path, &mut rules, &rule_names, vaults, problems);
    let mut selections = Vec::new();
    for (sel_name, sel) in &plan.selections.tags {
        let sp = format!("{path}.selections.tags.{sel_name}");
        if sel.tag_key.is_empty() {
            problems.report(format!("{sp}.tag_key"), "tag_key must not be empty");
        }
        if sel.tag_value.is_empty() {
            problems.report(
                format!("{sp}.tag_value"),
                "tag_value needs at least one value",
            );
        }
        selections.push(Selection::Tag {
            key: sel.tag_key.clone(),
            values: sel.tag_value.clone(),
            conditions: conditions(
                sel.conditions.as_ref(),
                &format!("{sp}.conditions"),
                problems,
            ),
        });
    }
    for (sel_name, sel) in &plan.selections.resources {
        let sp = format!("{path}.selections.resources.{sel_name}");
        for (field, patterns) in [
            ("resource_types", &sel.resource_types),
            ("not_resource_types", &sel.not_resource_types),
        ] {
            for (i, arn) in patterns.iter().enumerate() {
                if !(arn == "*" || arn.starts_with("arn:")) {
                    problems.report(
                        format!("{sp}.{field}[{i}]"),
                        format!(
                            "`{arn}` is not an ARN pattern; valid: `*` or e.g. arn:aws:rds:*:*:db:*"
                        ),
                    );
                }
            }
        }
        if sel.resource_types.is_empty() {
            problems.report(
                format!("{sp}.resource_types"),
                "a resource selection needs at least one ARN pattern (e.g. arn:aws:rds:*:*:db:* or *)",
            );
        }
        selections.push(Selection::Resources {
            arn_patterns: sel.resource_types.clone(),
            not_arn_patterns: sel.not_resource_types.clone(),
            conditions: conditions(
                sel.conditions.as_ref(),
                &format!("{sp}.conditions"),
                problems,
            ),
        });
    }
    if selections.is_empty() {
        problems.report(
            format!("{path}.selections"),
            "a plan needs at least one selection (selections.tags or selections.resources)",
        );
    }
    ResolvedPlan {
        source: String::new(),
        name: name.to_string(),
        attached: Attachment::Accounts(Vec::new()),
        regions: plan.regions.to_vec(),
        rules,
        rule_names,
        selections,
    }
}

/// The parts of a plan that `plan_body` reads.
struct PlanParts<'a> {
    regions: &'a [String],
    rules: &'a BTreeMap<String, RawRule>,
    selections: &'a super::raw::RawSelections,
}

fn rule_of(
    raw: &super::raw::RawScenario,
    path: &str,
    rule: &RawRule,
    vaults: &[Vault],
    simulation: &Simulation,
    problems: &mut Problems,
) -> Option<ResolvedRule> {
    let schedule = match Schedule::parse(
        &rule.schedule_expression,
        rule.schedule_expression_timezone.as_deref(),
    ) {
        Ok(s) => Some(s),
        Err(e) => {
            let field = if e.is_timezone() {
                "schedule_expression_timezone"
            } else {
                "schedule_expression"
            };
            let id = match e {
                ScheduleError::IntervalTooShort { .. } => rule_ids::SCHEDULE_INTERVAL,
                _ => rule_ids::SCHEDULE_INVALID,
            };
            problems.push(Problem::new(format!("{path}.{field}"), e.to_string()).aws_rule(id));
            None
        }
    };
    let start = rule
        .start_backup_window_minutes
        .or(raw.simulation.default_start_backup_window_minutes)
        .unwrap_or(480);
    let completion = rule
        .complete_backup_window_minutes
        .or(raw.simulation.default_complete_backup_window_minutes)
        .unwrap_or(10_080);
    if let Some(v) = rule.start_backup_window_minutes
        && !(MIN_START_WINDOW_MINUTES..=MAX_WINDOW_MINUTES).contains(&v)
    {
        problems.push(
            Problem::new(
                format!("{path}.start_backup_window_minutes"),
                format!(
                    "{v} is out of range; valid: {MIN_START_WINDOW_MINUTES} to {MAX_WINDOW_MINUTES}"
                ),
            )
            .with_help("AWS Backup requires a start window of at least 60 minutes")
            .aws_rule(rule_ids::START_WINDOW),
        );
    }
    if let Some(v) = rule.complete_backup_window_minutes {
        problems.range_i64(
            v,
            &format!("{path}.complete_backup_window_minutes"),
            1,
            MAX_WINDOW_MINUTES,
        );
    }
    let vault = match vaults
        .iter()
        .position(|v| v.name == rule.target_backup_vault_name)
    {
        Some(v) if vaults[v].account.is_some() || vaults[v].region.is_some() => {
            problems.push(
                Problem::new(
                    format!("{path}.target_backup_vault_name"),
                    format!(
                        "vault `{}` is not a workload-account vault in the home region",
                        rule.target_backup_vault_name
                    ),
                )
                .with_help(
                    "AWS Backup writes a rule's recovery points to a vault in the resource's own \
                     account and region; reach central or other-region vaults with copy_actions",
                ),
            );
            None
        }
        Some(v) => Some(v),
        None => {
            problems.push(
                Problem::new(
                    format!("{path}.target_backup_vault_name"),
                    format!(
                        "unknown vault `{}`; valid: {}",
                        rule.target_backup_vault_name,
                        vault_names(vaults)
                    ),
                )
                .aws_rule(rule_ids::UNKNOWN_VAULT),
            );
            None
        }
    };
    let lifecycle = validate_lifecycle(
        rule.lifecycle,
        &format!("{path}.lifecycle"),
        rule.enable_continuous_backup,
        problems,
    );
    if rule.copy_actions.len() > MAX_COPY_ACTIONS_PER_RULE {
        problems.push(
            Problem::new(
                format!("{path}.copy_actions"),
                format!(
                    "{} copy actions; AWS Backup accepts at most {MAX_COPY_ACTIONS_PER_RULE} per rule",
                    rule.copy_actions.len()
                ),
            )
            .with_help("move some destinations to another rule with the same schedule")
            .aws_rule(rule_ids::TOO_MANY_COPY_ACTIONS),
        );
    }
    let mut copies = Vec::new();
    for (arn, copy) in &rule.copy_actions {
        let cp = format!("{path}.copy_actions.{arn}");
        if let Some(key) = &copy.target_backup_vault_arn
            && key != arn
        {
            let why = if *key == arn.to_lowercase() {
                " (AWS uses the key in lower case when target_backup_vault_arn is not set, and ARNs are case-sensitive)"
            } else {
                ""
            };
            problems.push(
                Problem::new(
                    format!("{cp}.target_backup_vault_arn"),
                    format!(
                        "`{key}` differs from the copy action's key `{arn}`{why}; they must be the same ARN"
                    ),
                )
                .with_help(format!("set target_backup_vault_arn to `{arn}`"))
                .aws_rule(rule_ids::COPY_ARN_MISMATCH),
            );
        }
        match parse_vault_arn(arn) {
            Some((region, account, name)) => match vaults.iter().find(|v| v.name == name) {
                Some(v) => {
                    if let Some(vr) = &v.region
                        && vr != region
                    {
                        problems.report(
                            cp.clone(),
                            format!("the ARN's region `{region}` differs from vault `{name}`'s region `{vr}`"),
                        );
                    }
                    let owner_id = v.account.as_ref().map(|t| {
                        raw.organization.account_templates[t]
                            .first_account_id
                            .clone()
                    });
                    match owner_id {
                        None if account != "$account" => problems.report(
                            cp.clone(),
                            format!(
                                "vault `{name}` belongs to each workload account; write its ARN with `$account`, not `{account}`"
                            ),
                        ),
                        Some(Some(id)) if id != account => problems.report(
                            cp.clone(),
                            format!(
                                "the ARN's account `{account}` is not the owner of vault `{name}` ({id})"
                            ),
                        ),
                        _ => {}
                    }
                }
                None => problems.report(
                    cp.clone(),
                    format!("unknown destination vault `{name}`; valid: {}", vault_names(vaults)),
                ),
            },
            None => problems.report(
                cp.clone(),
                format!(
                    "`{arn}` is not a backup vault ARN; valid: arn:aws:backup:REGION:ACCOUNT:backup-vault:NAME"
                ),
            ),
        }
        let copy_lifecycle =
            validate_lifecycle(copy.lifecycle, &format!("{cp}.lifecycle"), false, problems);
        let destination = parse_vault_arn(arn)
            .and_then(|(_, _, name)| vaults.iter().position(|v| v.name == name));
        if let (Some(v), Some(l)) = (destination, copy_lifecycle) {
            // "Copy actions without a lifecycle inherit the source's" (issue 4).
            copies.push((
                v,
                if copy.lifecycle.is_some() {
                    l
                } else {
                    RuleLifecycle::UNSET
                },
            ));
        }
    }
    let schedule = schedule?;
    let lifecycle = lifecycle?;
    let vault = vault?;
    let epoch = simulation.epoch_unix_seconds;
    let fire_seconds = schedule
        .fire_times_between(epoch - 1, epoch + simulation.horizon_seconds - 1)
        .into_iter()
        .map(|t| t - epoch)
        .collect();
    Some(ResolvedRule {
        fire_seconds,
        start_window_seconds: start * 60,
        completion_window_seconds: completion * 60,
        continuous: rule.enable_continuous_backup,
        copies: copies
            .into_iter()
            .map(|(v, l)| (v, if l.is_unset() { lifecycle } else { l }))
            .collect(),
        lifecycle,
        vault,
    })
}

fn vault_names(vaults: &[Vault]) -> String {
    vaults
        .iter()
        .map(|v| v.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// `arn:aws:backup:REGION:ACCOUNT:backup-vault:NAME` → (region, account, name).
fn parse_vault_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let parts: Vec<&str> = arn.splitn(7, ':').collect();
    if parts.len() == 7
        && parts[0] == "arn"
        && parts[2] == "backup"
        && parts[5] == "backup-vault"
        && !parts[6].is_empty()
    {
        Some((parts[3], parts[4], parts[6]))
    } else {
        None
    }
}

/// AWS Backup makes one continuous backup per resource ("Overlapping continuous backups on
/// the same resource",
/// https://docs.aws.amazon.com/aws-backup/latest/devguide/point-in-time-recovery-overlapping.html):
/// when several continuous rules of one plan point to the same vault, only the one with
/// the longest retention creates it and the others are disregarded (they run no job:
/// their fires are dropped); when they point to different vaults, AWS rejects the plan as
/// not valid. Ties keep the rule written first.
fn overlapping_continuous_rules(
    path: &str,
    rules: &mut [ResolvedRule],
    rule_names: &[String],
    vaults: &[Vault],
    problems: &mut Problems,
) {
    let continuous: Vec<usize> = (0..rules.len()).filter(|&i| rules[i].continuous).collect();
    let Some(&first) = continuous.first() else {
        return;
    };
    if let Some(&other) = continuous
        .iter()
        .find(|&&i| rules[i].vault != rules[first].vault)
    {
        problems.push(
            Problem::new(
                format!("{path}.rules.{}.target_backup_vault_name", rule_names[other]),
                format!(
                    "continuous-backup rules `{}` and `{}` point to different vaults (`{}`, `{}`); AWS Backup rejects such a plan as not valid",
                    rule_names[first],
                    rule_names[other],
                    vaults[rules[first].vault].name,
                    vaults[rules[other].vault].name
                ),
            )
            .with_help(
                "send every continuous rule of a plan to one vault (only the longest-kept one makes the continuous backup), or keep one continuous rule",
            )
            .aws_rule(rule_ids::CONTINUOUS_VAULTS),
        );
        return;
    }
    let kept = continuous.iter().copied().fold(first, |best, i| {
        if rules[i].lifecycle.retention_key() > rules[best].lifecycle.retention_key() {
            i
        } else {
            best
        }
    });
    for i in continuous {
        if i != kept {
            rules[i].fire_seconds.clear();
        }
    }
}

/// Validates a lifecycle against AWS Backup's rules (API model `Lifecycle`).
fn validate_lifecycle(
    raw: Option<RawLifecycle>,
    path: &str,
    continuous: bool,
    problems: &mut Problems,
) -> Option<RuleLifecycle> {
    let l = raw.unwrap_or(RawLifecycle {
        move_to_cold_storage_after_days: None,
        delete_after_days: None,
    });
    let norm = |v: Option<i64>| v.filter(|&d| d != -1);
    let cold = norm(l.move_to_cold_storage_after_days);
    let delete = norm(l.delete_after_days);
    let mut ok = true;
    if let Some(c) = cold
        && problems
            .range_i64(
                c,
                &format!("{path}.move_to_cold_storage_after_days"),
                1,
                MAX_RETENTION_DAYS,
            )
            .is_none()
    {
        ok = false;
    }
    if let Some(d) = delete
        && problems
            .range_i64(
                d,
                &format!("{path}.delete_after_days"),
                1,
                MAX_RETENTION_DAYS,
            )
            .is_none()
    {
        ok = false;
    }
    if let (Some(c), Some(d)) = (cold, delete)
        && d < c + MIN_COLD_DAYS
    {
        problems.push(
            Problem::new(
                format!("{path}.delete_after_days"),
                format!("{d} is less than move_to_cold_storage_after_days ({c}) + {MIN_COLD_DAYS}"),
            )
            .with_help("AWS Backup keeps cold recovery points at least 90 days")
            .aws_rule(rule_ids::LIFECYCLE_COLD_90),
        );
        ok = false;
    }
    if continuous {
        if cold.is_some() {
            problems.push(
                Problem::new(
                    format!("{path}.move_to_cold_storage_after_days"),
                    "continuous backups cannot move to cold storage",
                )
                .with_help(
                    "AWS Backup: \"Invalid lifecycle. MoveToColdStorageAfterDays is unavailable\"",
                )
                .aws_rule(rule_ids::CONTINUOUS_RETENTION),
            );
            ok = false;
        }
        if delete.is_none_or(|d| d > MAX_CONTINUOUS_RETENTION_DAYS) {
            problems.push(
                Problem::new(
                    format!("{path}.delete_after_days"),
                    format!(
                        "continuous backups are kept at most {MAX_CONTINUOUS_RETENTION_DAYS} days; valid: 1 to {MAX_CONTINUOUS_RETENTION_DAYS}"
                    ),
                )
                .with_help("point-in-time recovery retention is limited to 35 days by AWS Backup")
                .aws_rule(rule_ids::CONTINUOUS_RETENTION),
            );
            ok = false;
        }
    }
    ok.then_some(RuleLifecycle {
        cold_after_days: cold,
        delete_after_days: delete,
    })
}

/// Whether a plan's selections pick `resource` (union of selections, as AWS does).
impl ResolvedPlan {
    /// Attaches the plan.
    /// Records the file(s) the plan is written in (for findings' locations).
    pub(super) fn set_source(&mut self, source: String) {
        self.source = source;
    }

    pub(super) fn attach(&mut self, attachment: Attachment) {
        self.attached = attachment;
    }

    /// Whether the plan is attached to the account of `resource` (`ou_chain`: the
    /// account's OU and its ancestors).
    fn attached_to(&self, resource: &Resource, ou_chain: &[usize]) -> bool {
        match &self.attached {
            Attachment::Ous(ous) => ous.iter().any(|a| ou_chain.contains(a)),
            Attachment::Accounts(accounts) => accounts[resource.account],
        }
    }

    /// Whether the plan backs up `resource`, wherever it is attached: the resource is in
    /// one of the plan's regions and one of its selections (a union, as in AWS) picks it.
    pub(super) fn selects(&self, resource: &Resource, account_id: &str) -> bool {
        self.regions.iter().any(|r| **r == *resource.region)
            && self.selections_pick(resource, account_id)
    }

    /// Whether one of the plan's selections picks `resource`, whatever its region.
    pub(super) fn selections_pick(&self, resource: &Resource, account_id: &str) -> bool {
        self.selections.iter().any(|s| match s {
            Selection::Tag {
                key,
                values,
                conditions,
            } => {
                resource
                    .tag(key)
                    .is_some_and(|v| values.iter().any(|x| x == v))
                    && conditions.iter().all(|c| c.holds(resource))
            }
            Selection::Resources {
                arn_patterns,
                not_arn_patterns,
                conditions,
            } => {
                let arn = resource
                    .resource_type
                    .arn(&resource.region, account_id, &resource.name);
                let matches = |p: &String| super::check::wildcard_match(p, &arn);
                arn_patterns.iter().any(matches)
                    && !not_arn_patterns.iter().any(matches)
                    && conditions.iter().all(|c| c.holds(resource))
            }
        })
    }
}

/// Matches plans to resources and builds one `Program` per distinct set of plans.
pub(super) fn assign_programs(model: &mut Model, plans: &[ResolvedPlan], problems: &mut Problems) {
    let mut first_rule = Vec::with_capacity(plans.len());
    model.rules.clear();
    model.rule_sources.clear();
    for plan in plans {
        first_rule.push(model.rules.len() as u32);
        model
            .rules
            .extend(plan.rule_names.iter().map(|r| format!("{}/{r}", plan.name)));
        model.rule_sources.extend(plan.rule_names.iter().map(|r| {
            (
                plan.source.clone(),
                format!("plans.{}.rules.{r}", plan.name),
            )
        }));
    }
    let mut by_key: BTreeMap<Vec<usize>, usize> = BTreeMap::new();
    let mut programs: Vec<Program> = Vec::new();
    for r in 0..model.resources.len() {
        let resource = &model.resources[r];
        let account = &model.accounts[resource.account];
        let mut chain = Vec::new();
        let mut ou = Some(account.ou);
        while let Some(o) = ou {
            chain.push(o);
            ou = model.ous[o].parent;
        }
        let key: Vec<usize> = plans
            .iter()
            .enumerate()
            .filter(|(_, p)| p.attached_to(resource, &chain) && p.selects(resource, &account.id))
            .map(|(i, _)| i)
            .collect();
        if key.is_empty() {
            continue;
        }
        let index = *by_key.entry(key.clone()).or_insert_with(|| {
            programs.push(program(
                &key,
                plans,
                &first_rule,
                &model.vaults,
                &model.regions,
            ));
            programs.len() - 1
        });
        model.resources[r].program = Some(index);
    }
    model.programs = programs;
    // Every cross-region copy needs a link to travel over.
    let n = model.regions.len();
    let mut missing = std::collections::BTreeSet::new();
    let mut seen = std::collections::BTreeSet::new();
    for r in &model.resources {
        let Some(p) = r.program else { continue };
        if !seen.insert((p, r.region_id)) {
            continue;
        }
        for set in &model.programs[p].copy_sets {
            for c in set {
                if let Some(d) = c.region_id
                    && d != r.region_id
                    && model.link_of[usize::from(r.region_id) * n + usize::from(d)].is_none()
                {
                    missing.insert((r.region_id, d));
                }
            }
        }
    }
    for (s, d) in missing {
        problems.push(
            Problem::new(
                "region_pairs",
                format!(
                    "copy actions send recovery points from {} to {}, but no [[region_pairs]] entry links them",
                    model.regions[usize::from(s)],
                    model.regions[usize::from(d)]
                ),
            )
            .with_help(format!(
                "add [[region_pairs]] with source = \"{}\", destination = \"{}\" and its bandwidth",
                model.regions[usize::from(s)],
                model.regions[usize::from(d)]
            )),
        );
    }
}

/// Builds the merged job sequence of a set of plans.
///
/// Within one plan, rules whose fire times fall inside the start window of an earlier
/// fire produce one job, kept under the rule with the longest retention (AWS Backup,
/// "plan options and configuration"). Jobs of different plans stay separate; the
/// one-job-per-resource rule serialises them in the simulation.
fn program(
    key: &[usize],
    plans: &[ResolvedPlan],
    rule_offset: &[u32],
    vaults: &[Vault],
    regions: &[String],
) -> Program {
    let mut lifecycles: Vec<Lifecycle> = Vec::new();
    let mut copy_sets: Vec<Vec<CopySpec>> = vec![Vec::new()];
    let mut slots: Vec<Slot> = Vec::new();
    let mut labels = Vec::new();
    // Of several plans with continuous rules for one resource, AWS makes the continuous
    // backup for the first it evaluates and snapshots for the others (the page cited at
    // `overlapping_continuous_rules`); vaultsim evaluates them in the program's order.
    let mut continuous_plan = None;
    for &p in key {
        let plan = &plans[p];
        if plan
            .rules
            .iter()
            .any(|r| r.continuous && !r.fire_seconds.is_empty())
        {
            continuous_plan.get_or_insert(p);
        }
        labels.push(format!("{}[{}]", plan.name, plan.rule_names.join("+")));
        let mut fires: Vec<(i64, usize)> = plan
            .rules
            .iter()
            .enumerate()
            .flat_map(|(ri, r)| r.fire_seconds.iter().map(move |&t| (t, ri)))
            .collect();
        fires.sort_unstable();
        let mut i = 0;
        while i < fires.len() {
            let (first_time, first_rule) = fires[i];
            let window_end = first_time + plan.rules[first_rule].start_window_seconds;
            let mut winner = first_rule;
            let mut j = i + 1;
            while j < fires.len() && fires[j].0 < window_end {
                let candidate = fires[j].1;
                if plan.rules[candidate].lifecycle.retention_key()
                    > plan.rules[winner].lifecycle.retention_key()
                {
                    winner = candidate;
                }
                j += 1;
            }
            let rule = &plan.rules[winner];
            let lifecycle = Lifecycle {
                cold_after_seconds: rule.lifecycle.cold_after_days.map(|d| d * DAY_SECONDS),
                delete_after_seconds: rule.lifecycle.delete_after_days.map(|d| d * DAY_SECONDS),
                vault: rule.vault,
                rejected_by_lock: lock_rejects(&vaults[rule.vault], rule.lifecycle),
                rule: rule_offset[p] + winner as u32,
            };
            let lifecycle_index = match lifecycles.iter().position(|l| *l == lifecycle) {
                Some(x) => x,
                None => {
                    lifecycles.push(lifecycle);
                    lifecycles.len() - 1
                }
            };
            let copy_set: Vec<CopySpec> = rule
                .copies
                .iter()
                .map(|&(v, l)| CopySpec {
                    vault: v,
                    region_id: vaults[v].region.as_ref().map(|r| {
                        regions
                            .iter()
                            .position(|x| x == r)
                            .expect("interned region") as u16
                    }),
                    cold_after_seconds: l.cold_after_days.map(|d| d * DAY_SECONDS),
                    delete_after_seconds: l.delete_after_days.map(|d| d * DAY_SECONDS),
                    rejected_by_lock: lock_rejects(&vaults[v], l),
                })
                .collect();
            let copies = match copy_sets.iter().position(|c| *c == copy_set) {
                Some(x) => x,
                None => {
                    copy_sets.push(copy_set);
                    copy_sets.len() - 1
                }
            };
            slots.push(Slot {
                copies: u16::try_from(copies).expect("fewer than 65536 copy sets"),
                scheduled_seconds: first_time,
                start_window_seconds: plan.rules[first_rule].start_window_seconds,
                completion_window_seconds: rule.completion_window_seconds,
                lifecycle: u16::try_from(lifecycle_index).expect("fewer than 65536 lifecycles"),
                continuous: rule.continuous && continuous_plan == Some(p),
            });
            i = j;
        }
    }
    slots.sort_by_key(|s| s.scheduled_seconds);
    Program {
        label: labels.join(" + "),
        slots,
        lifecycles,
        copy_sets,
    }
}

/// AWS Vault Lock: a job whose retention lies outside [min, max] fails.
fn lock_rejects(vault: &Vault, lifecycle: RuleLifecycle) -> bool {
    let Some(lock) = vault.lock else {
        return false;
    };
    let retention = lifecycle.delete_after_days.unwrap_or(i64::MAX);
    lock.min_retention_days.is_some_and(|min| retention < min)
        || lock.max_retention_days.is_some_and(|max| retention > max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vault_arns_parse() {
        assert_eq!(
            parse_vault_arn("arn:aws:backup:us-west-2:111122223333:backup-vault:DRVault"),
            Some(("us-west-2", "111122223333", "DRVault"))
        );
        assert_eq!(parse_vault_arn("arn:aws:s3:::bucket"), None);
    }

    #[test]
    fn vault_lock_rejects_retention_outside_its_range() {
        let vault = Vault {
            name: "V".into(),
            account: None,
            region: None,
            owner_account: None,
            region_id: None,
            lock: Some(VaultLock {
                compliance_mode: true,
                min_retention_days: Some(2190),
                max_retention_days: Some(2555),
            }),
        };
        let lc = |d| RuleLifecycle {
            cold_after_days: None,
            delete_after_days: d,
        };
        assert!(lock_rejects(&vault, lc(Some(365))));
        assert!(!lock_rejects(&vault, lc(Some(2190))));
        assert!(!lock_rejects(&vault, lc(Some(2555))));
        assert!(lock_rejects(&vault, lc(Some(2556))));
        assert!(
            lock_rejects(&vault, lc(None)),
            "keep-forever exceeds a max retention"
        );
    }
}
