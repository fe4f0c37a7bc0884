//! Static compliance checks: the design (the model) against AWS Backup Audit Manager's
//! controls and the scenario's requirement tables, without simulating.
//!
//! Every check evaluates each resource in its scope to compliant or non-compliant; the
//! non-compliant ones are grouped by OU (and the requirement that applies) into findings
//! with their counts and numbers.

use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

use super::{ControlEvaluation, Report, ResourceEvaluation};
use crate::model::{
    DAY_SECONDS, Encryption, Evidence, Finding, Frequency, Model, Resource, Scope, Severity,
};
use crate::sim::trial::{RtoParts, rto_seconds};

/// The framework name Audit Manager's controls are reported under.
pub const AUDIT_MANAGER: &str = "AWS Backup Audit Manager";
/// The framework name of the scenario's own requirement tables.
pub const DESIGN: &str = "Design requirements";

/// Finding ids (stable; never reused for another check).
pub mod ids {
    pub const PROTECTED: &str = "VS-AM-PROTECTED";
    pub const FREQUENCY_RETENTION: &str = "VS-AM-PLAN-FREQUENCY-RETENTION";
    pub const MIN_RETENTION: &str = "VS-AM-MIN-RETENTION";
    pub const MANUAL_DELETION: &str = "VS-AM-MANUAL-DELETION";
    pub const CROSS_REGION: &str = "VS-AM-CROSS-REGION";
    pub const CROSS_ACCOUNT: &str = "VS-AM-CROSS-ACCOUNT";
    pub const VAULT_LOCK: &str = "VS-AM-VAULT-LOCK";
    pub const LAST_RECOVERY_POINT: &str = "VS-AM-LAST-RECOVERY-POINT";
    pub const RESTORE_TIME: &str = "VS-AM-RESTORE-TIME";
    pub const TIER_RPO: &str = "VS-TIER-RPO-FREQUENCY";
    pub const TIER_FREQUENCY: &str = "VS-TIER-FREQUENCY";
    pub const ENVIRONMENT: &str = "VS-ENV-REQUIREMENT";
    pub const CLASS_BACKUP: &str = "VS-CLASS-BACKUP";
    pub const CLASS_UNSELECTED: &str = "VS-CLASS-UNSELECTED";
    pub const CLASS_KEY: &str = "VS-CLASS-KEY";
    pub const CLASS_CONTINUOUS: &str = "VS-CLASS-CONTINUOUS";
    pub const FRAMEWORK_RETENTION: &str = "VS-FW-RETENTION";
    pub const FRAMEWORK_RESIDENCY: &str = "VS-FW-RESIDENCY";
    pub const FRAMEWORK_WORM: &str = "VS-FW-WORM";
    pub const SCP_DENIED: &str = "VS-SCP-DENIED";
    pub const LOCK_RANGE: &str = "VS-LOCK-RANGE";
    pub const COLD_NOOP: &str = "VS-COLD-NOOP";
}

/// What the design gives one resource (computed once per resource).
#[derive(Debug, Clone, Default)]
struct Design {
    protected: bool,
    /// Longest gap between two scheduled backups, hours (`None`: fewer than two).
    max_gap_hours: Option<f64>,
    /// Point-in-time recovery is on and the type supports it: its lag, hours.
    continuous_lag_hours: Option<f64>,
    /// Longest retention of any rule, days (`INFINITY`: kept forever).
    max_retention_days: f64,
    /// Shortest retention of any rule, days.
    min_retention_days: f64,
    /// Per rule of the program: (rule id, retention days).
    rules: Vec<(u32, f64)>,
    /// Every scheduled backup: (time, retention days), in time order; shared by the
    /// resources of one program (a year of hourly backups is 8,760 entries).
    backups: Rc<[(i64, f64)]>,
    cross_region: bool,
    cross_account: bool,
    /// Regions holding its points and copies.
    regions: BTreeSet<u16>,
    /// Every vault holding its points is locked (any mode) / in compliance mode.
    all_locked: bool,
    all_compliance_locked: bool,
    /// Rules whose cold transition does nothing for this type.
    cold_noop_rules: Vec<u32>,
    /// Rules (and copy actions) whose retention the target vault's lock rejects.
    lock_rejected_rules: Vec<u32>,
    /// Copy destination regions.
    copy_regions: BTreeSet<u16>,
    /// Copy destinations: (vault, region).
    copy_destinations: BTreeSet<(usize, u16)>,
}

/// Why a resource is not compliant with one check.
#[derive(Debug, Clone)]
struct Gap {
    /// Added to the OU in the finding's scope label (e.g. `data class Confidential`).
    detail: String,
    /// `None`: recorded in the reports without a finding (the requirement does not ask for it).
    severity: Option<Severity>,
    /// (name, observed value) pairs, aggregated over the group as min–max.
    observed: Vec<(&'static str, f64)>,
    /// What was required, as text.
    required: String,
    /// Where the requirement (or the offending element) is written: (file, path).
    location: (String, String),
}

/// A check's verdict on one resource: `None` when the resource is outside its scope.
type Evaluate<'a> = Box<dyn Fn(usize) -> Option<Result<(), Gap>> + 'a>;

/// One check: its identity and how it reads.
struct Check {
    id: &'static str,
    framework: String,
    control: String,
    parameters: Vec<(String, String)>,
    title: &'static str,
    fix: String,
}

/// Evaluates every static check on `model` and returns the findings (policy findings of
/// the model included), the control evaluations and the resource evaluations.
pub fn check(model: &Model) -> Report {
    let backups: Vec<Rc<[(i64, f64)]>> = model.programs.iter().map(scheduled_backups).collect();
    let designs: Vec<Design> = model
        .resources
        .iter()
        .map(|r| design_of(model, r, &backups))
        .collect();
    let designs: &[Design] = &designs;
    let mut report = Report {
        findings: model.findings.clone(),
        ..Report::default()
    };
    let req = &model.requirements;
    let scenario: &str = &req.file;
    let at = move |path: String| (scenario.to_string(), path);
    let mut checks: Vec<(Check, Evaluate<'_>)> = Vec::new();

    // AWS Backup Audit Manager's controls, on the design.
    checks.push((
        Check {
            id: ids::PROTECTED,
            framework: AUDIT_MANAGER.into(),
            control: "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_PLAN".into(),
            parameters: Vec::new(),
            title: "resources not protected by any backup plan",
            fix: "select the resources in a backup plan (a tag selection that matches them), or record that they need no backup".into(),
        },
        Box::new(move |r| {
            let d = &designs[r];
            if d.protected {
                return Some(Ok(()));
            }
            let resource = &model.resources[r];
            let none_by_design = environment_of(model, resource)
                .and_then(|e| req.environments[e].frequency.as_ref())
                .is_some_and(|f| f.none);
            // Classified resources are reported by VS-CLASS-UNSELECTED; here the rest.
            let severity = if class_of(model, resource).is_some() {
                None
            } else if none_by_design {
                Some(Severity::Low)
            } else {
                Some(Severity::Medium)
            };
            Some(Err(Gap {
                detail: if none_by_design {
                    "no backup by design (environment table: None)".into()
                } else {
                    String::new()
                },
                severity,
                observed: Vec::new(),
                required: "a backup plan".into(),
                location: at(String::new()),
            }))
        }),
    ));
    let (hours, days) = (req.required_frequency_hours, req.required_retention_days);
    checks.push((
        Check {
            id: ids::FREQUENCY_RETENTION,
            framework: AUDIT_MANAGER.into(),
            control: "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK".into(),
            parameters: vec![
                ("requiredFrequencyUnit".into(), "hours".into()),
                ("requiredFrequencyValue".into(), format_number(hours)),
                ("requiredRetentionDays".into(), days.to_string()),
            ],
            title: "no rule backs up often enough and keeps long enough",
            fix: format!("add a rule that runs at least every {} hours and keeps points at least {days} days", format_number(hours)),
        },
        Box::new(move |r| {
            let d = &designs[r];
            if !d.protected {
                return None;
            }
            // Rules of one plan merge when they fire together (the longest retention
            // wins), so judge the backups that are kept long enough, whatever rule made
            // them: their longest gap.
            let gap = d.gap_among_kept(days as f64);
            if gap.is_some_and(|g| g <= hours + 1e-9) {
                return Some(Ok(()));
            }
            let rule = d
                .rules
                .iter()
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(0, |x| x.0);
            Some(Err(Gap {
                detail: String::new(),
                severity: Some(Severity::Medium),
                observed: vec![
                    (
                        "longest gap between backups kept long enough (hours)",
                        gap.unwrap_or(f64::INFINITY),
                    ),
                    ("longest retention (days)", d.max_retention_days),
                ],
                required: format!("≤ {} hours and ≥ {days} days", format_number(hours)),
                location: rule_location(model, rule),
            }))
        }),
    ));
    checks.push((
        Check {
            id: ids::MIN_RETENTION,
            framework: AUDIT_MANAGER.into(),
            control: "BACKUP_RECOVERY_POINT_MINIMUM_RETENTION_CHECK".into(),
            parameters: vec![("requiredRetentionDays".into(), days.to_string())],
            title: "recovery points kept shorter than the minimum retention",
            fix: format!("keep every recovery point at least {days} days (delete_after_days)"),
        },
        Box::new(move |r| {
            let d = &designs[r];
            if !d.protected {
                return None;
            }
            if d.min_retention_days >= days as f64 {
                return Some(Ok(()));
            }
            let rule = d
                .rules
                .iter()
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(0, |x| x.0);
            Some(Err(Gap {
                detail: String::new(),
                severity: Some(Severity::Low),
                observed: vec![("shortest retention (days)", d.min_retention_days)],
                required: format!("≥ {days} days"),
                location: rule_location(model, rule),
            }))
        }),
    ));
    checks.push((
        Check {
            id: ids::MANUAL_DELETION,
            framework: AUDIT_MANAGER.into(),
            control: "BACKUP_RECOVERY_POINT_MANUAL_DELETION_DISABLED".into(),
            parameters: Vec::new(),
            title: "recovery points can be deleted by hand",
            fix: "lock the vaults (Vault Lock) that hold these points, or deny backup:DeleteRecoveryPoint in their access policy".into(),
        },
        Box::new(move |r| {
            let d = &designs[r];
            if !d.protected {
                return None;
            }
            if d.all_locked {
                return Some(Ok(()));
            }
            let class = class_of(model, &model.resources[r]);
            let mfa = class.is_some_and(|c| req.data_classes[c].mfa);
            Some(Err(Gap {
                detail: class.map_or_else(String::new, |c| {
                    format!("data class {}", req.data_classes[c].name)
                }),
                severity: mfa.then_some(Severity::High),
                observed: Vec::new(),
                required: if mfa {
                    "deletion protected (the data class requires MFA to delete)".into()
                } else {
                    "deletion protected".into()
                },
                location: class.map_or_else(
                    || at(String::new()),
                    |c| at(format!("data_classes.{}.mfa", req.data_classes[c].name)),
                ),
            }))
        }),
    ));
    checks.push((
        Check {
            id: ids::CROSS_REGION,
            framework: AUDIT_MANAGER.into(),
            control: "BACKUP_RESOURCES_PROTECTED_BY_CROSS_REGION".into(),
            parameters: Vec::new(),
            title: "no cross-region copy although the environment requires one",
            fix: "add a copy action to a vault in another region".into(),
        },
        Box::new(move |r| {
            let d = &designs[r];
            if !d.protected {
                return None;
            }
            if d.cross_region {
                return Some(Ok(()));
            }
            let env = environment_of(model, &model.resources[r]);
            let required = env.is_some_and(|e| req.environments[e].cross_region == Some(true));
            Some(Err(Gap {
                detail: String::new(),
                severity: required.then_some(Severity::High),
                observed: Vec::new(),
                required: "a copy to another region".into(),
                location: at(env.map_or_else(String::new, |e| {
                    format!("environments.{}.cross_region", model.environments[e].name)
                })),
            }))
        }),
    ));
    checks.push((
        Check {
            id: ids::CROSS_ACCOUNT,
            framework: AUDIT_MANAGER.into(),
            control: "BACKUP_RESOURCES_PROTECTED_BY_CROSS_ACCOUNT".into(),
            parameters: Vec::new(),
            title: "sensitive data has no copy outside its own account",
            fix: "copy the points to a vault in a separate backup account (a compromised account can delete everything it owns)".into(),
        },
        Box::new(move |r| {
            let d = &designs[r];
            if !d.protected {
                return None;
            }
            if d.cross_account || d.all_compliance_locked {
                return Some(Ok(()));
            }
            let class = class_of(model, &model.resources[r]);
            let sensitive = class.is_some_and(|c| {
                req.data_classes[c].encryption == Encryption::CustomerManaged
            });
            Some(Err(Gap {
                detail: class.map_or_else(String::new, |c| {
                    format!("data class {}", req.data_classes[c].name)
                }),
                severity: sensitive.then_some(Severity::Medium),
                observed: Vec::new(),
                required: "a copy in another account, or a compliance-mode vault lock".into(),
                location: at(class.map_or_else(String::new, |c| {
                    format!("data_classes.{}", req.data_classes[c].name)
                })),
            }))
        }),
    ));
    checks.push((
        Check {
            id: ids::LAST_RECOVERY_POINT,
            framework: AUDIT_MANAGER.into(),
            control: "BACKUP_LAST_RECOVERY_POINT_CREATED".into(),
            parameters: vec![
                ("recoveryPointAgeUnit".into(), "hours".into()),
                (
                    "recoveryPointAgeValue".into(),
                    format_number(req.recovery_point_age_hours),
                ),
            ],
            title: "the newest recovery point can be older than the control allows",
            fix: format!(
                "back up at least every {} hours",
                format_number(req.recovery_point_age_hours)
            ),
        },
        Box::new(move |r| {
            let d = &designs[r];
            if !d.protected {
                return None;
            }
            let interval = effective_interval_hours(d);
            if interval <= req.recovery_point_age_hours + 1e-9 {
                return Some(Ok(()));
            }
            Some(Err(Gap {
                detail: String::new(),
                severity: Some(Severity::Medium),
                observed: vec![("longest gap between backups (hours)", interval)],
                required: format!("≤ {} hours", format_number(req.recovery_point_age_hours)),
                location: at("compliance.recovery_point_age_hours".into()),
            }))
        }),
    ));
    checks.push((
        Check {
            id: ids::RESTORE_TIME,
            framework: AUDIT_MANAGER.into(),
            control: "RESTORE_TIME_FOR_RESOURCES_MEET_TARGET".into(),
            parameters: vec![(
                "maxRestoreTime".into(),
                req.max_restore_minutes
                    .map_or_else(|| "the tier's RTO".into(), format_number),
            )],
            title: "the typical restore takes longer than the restore-time target",
            fix: "restore from a faster tier (warm, not cold), split large resources, or relax the target".into(),
        },
        Box::new(move |r| {
            let d = &designs[r];
            let resource = &model.resources[r];
            if !d.protected {
                return None;
            }
            let target_minutes = req.max_restore_minutes.or_else(|| {
                model.groups[resource.group]
                    .rto_target_seconds
                    .map(|s| s as f64 / 60.0)
            })?;
            let minutes = typical_restore_minutes(model, resource);
            if minutes <= target_minutes {
                return Some(Ok(()));
            }
            let group = &model.groups[resource.group];
            Some(Err(Gap {
                detail: format!("tier {}", group.tier),
                severity: Some(Severity::High),
                observed: vec![("typical restore (minutes)", minutes)],
                required: format!("≤ {} minutes", format_number(target_minutes)),
                location: at(format!("tiers.{}.rto_hours", group.tier)),
            }))
        }),
    ));

    // The tier matrix.
    checks.push((
        Check {
            id: ids::TIER_RPO,
            framework: DESIGN.into(),
            control: "tier matrix: RPO".into(),
            parameters: Vec::new(),
            title: "the backup schedule cannot meet the tier's RPO",
            fix: "back up more often than the RPO (or enable continuous backup where the type supports it)".into(),
        },
        Box::new(move |r| {
            let d = &designs[r];
            let resource = &model.resources[r];
            let group = &model.groups[resource.group];
            let target = group.rpo_target_seconds? as f64 / 3600.0;
            if !d.protected {
                return None;
            }
            // Data lost just before a backup completes: the gap plus the job's duration.
            let worst = effective_interval_hours(d)
                + if d.continuous_lag_hours.is_some() {
                    0.0
                } else {
                    typical_backup_hours(model, resource)
                };
            if worst <= target {
                return Some(Ok(()));
            }
            Some(Err(Gap {
                detail: format!("tier {}", group.tier),
                severity: Some(Severity::High),
                observed: vec![("worst-case data loss on paper (hours)", worst)],
                required: format!("RPO ≤ {} hours", format_number(target)),
                location: at(format!("tiers.{}.rpo_hours", group.tier)),
            }))
        }),
    ));
    checks.push((
        Check {
            id: ids::TIER_FREQUENCY,
            framework: DESIGN.into(),
            control: "tier matrix: backup frequency".into(),
            parameters: Vec::new(),
            title: "backups less frequent than the tier matrix requires",
            fix: "add the rules the tier's frequency names (continuous backup where required)"
                .into(),
        },
        Box::new(move |r| {
            let resource = &model.resources[r];
            let tier = tier_of(model, resource)?;
            let f = req.tier_frequency.get(tier)?.as_ref()?;
            frequency_gap(
                resource,
                &designs[r],
                f,
                Severity::High,
                at(format!("tiers.{}.backup_frequency", model.tiers[tier].name)),
                format!("tier {}", model.tiers[tier].name),
            )
        }),
    ));
    checks.push((
        Check {
            id: ids::ENVIRONMENT,
            framework: DESIGN.into(),
            control: "environment table".into(),
            parameters: Vec::new(),
            title: "the design falls short of the environment table",
            fix: "align the environment's backup plan with its row of the environment table".into(),
        },
        Box::new(move |r| {
            let resource = &model.resources[r];
            let e = environment_of(model, resource)?;
            let env = &req.environments[e];
            let name = &model.environments[e].name;
            let d = &designs[r];
            if let Some(f) = &env.frequency
                && let Some(Err(gap)) = frequency_gap(
                    resource,
                    d,
                    f,
                    Severity::Medium,
                    at(format!("environments.{name}.backup_frequency")),
                    String::new(),
                )
            {
                return Some(Err(gap));
            }
            if let Some(days) = env.retention_days
                && d.protected
                && d.max_retention_days < days as f64
            {
                return Some(Err(Gap {
                    detail: "retention".into(),
                    severity: Some(Severity::Medium),
                    observed: vec![("longest retention (days)", d.max_retention_days)],
                    required: format!("≥ {days} days"),
                    location: at(format!("environments.{name}")),
                }));
            }
            Some(Ok(()))
        }),
    ));

    // The data-classification table.
    checks.push((
        Check {
            id: ids::CLASS_UNSELECTED,
            framework: DESIGN.into(),
            control: "data classification: every classified resource is backed up".into(),
            parameters: Vec::new(),
            title: "classified resources that no backup selection covers",
            fix: "select them in a backup plan (their classification tag shows they hold data worth protecting)".into(),
        },
        Box::new(move |r| {
            let resource = &model.resources[r];
            let class = class_of(model, resource)?;
            if designs[r].protected {
                return Some(Ok(()));
            }
            let c = &req.data_classes[class];
            let needs = c.frequency.as_ref().is_some_and(|f| !f.none);
            Some(Err(Gap {
                detail: format!("data class {}", c.name),
                severity: Some(if !needs {
                    Severity::Low
                } else {
                    class_severity(c)
                }),
                observed: Vec::new(),
                required: c.frequency.as_ref().map_or_else(
                    || "a backup plan".to_string(),
                    |f| format!("backups {}", f.text),
                ),
                location: at(format!("data_classes.{}", c.name)),
            }))
        }),
    ));
    checks.push((
        Check {
            id: ids::CLASS_BACKUP,
            framework: DESIGN.into(),
            control: "data classification: backup frequency and retention".into(),
            parameters: Vec::new(),
            title: "backups less frequent or shorter-lived than the data class requires",
            fix: "give these resources the data class's frequency and retention (a plan selected by the DataClassification tag)".into(),
        },
        Box::new(move |r| {
            let resource = &model.resources[r];
            let class = class_of(model, resource)?;
            let c = &req.data_classes[class];
            let d = &designs[r];
            if !d.protected {
                return None;
            }
            let detail = format!("data class {}", c.name);
            if let Some(f) = &c.frequency
                && let Some(Err(gap)) = frequency_gap(resource, d, f, class_severity(c), at(format!("data_classes.{}.backup_frequency", c.name)), detail.clone())
            {
                return Some(Err(gap));
            }
            if let Some(days) = c.retention_days
                && d.max_retention_days < days as f64
            {
                return Some(Err(Gap {
                    detail: format!("{detail} · retention"),
                    severity: Some(class_severity(c)),
                    observed: vec![("longest retention (days)", d.max_retention_days)],
                    required: format!("≥ {days} days"),
                    location: at(format!("data_classes.{}.retention_days", c.name)),
                }));
            }
            Some(Ok(()))
        }),
    ));
    checks.push((
        Check {
            id: ids::CLASS_CONTINUOUS,
            framework: DESIGN.into(),
            control: "data classification: continuous backup under a one-hour RPO".into(),
            parameters: Vec::new(),
            title: "data that needs continuous backup (RPO under an hour) has none",
            fix: "enable continuous backup (point-in-time recovery) for these resources, or use a type that supports it".into(),
        },
        Box::new(move |r| {
            let resource = &model.resources[r];
            let class = class_of(model, resource)?;
            let c = &req.data_classes[class];
            let needs = c.frequency.as_ref().is_some_and(|f| f.continuous);
            let rpo_hours = model.groups[resource.group].rpo_target_seconds? as f64 / 3600.0;
            if !needs || rpo_hours >= 1.0 {
                return None;
            }
            if designs[r].continuous_lag_hours.is_some() {
                return Some(Ok(()));
            }
            let supported = model.behaviour[resource.resource_type as usize]
                .continuous_lag_seconds
                .is_some();
            Some(Err(Gap {
                detail: format!(
                    "data class {} · {}{}",
                    c.name,
                    resource.resource_type.name(),
                    if supported { "" } else { " (no continuous backup for this type)" }
                ),
                severity: Some(Severity::High),
                observed: vec![("RPO target (hours)", rpo_hours)],
                required: "continuous backup".into(),
                location: at(format!("data_classes.{}.backup_frequency", c.name)),
            }))
        }),
    ));
    let keys = model.keys.as_ref();
    checks.push((
        Check {
            id: ids::CLASS_KEY,
            framework: DESIGN.into(),
            control: "data classification: encryption keys".into(),
            parameters: Vec::new(),
            title: "data not encrypted with the key its class requires",
            fix: "use customer managed KMS keys ([keys] kind = \"customer_managed\") rotated as the class requires (rotation_days)".into(),
        },
        Box::new(move |r| {
            let resource = &model.resources[r];
            let class = class_of(model, resource)?;
            let c = &req.data_classes[class];
            if !designs[r].protected {
                return None;
            }
            let cmk = keys.is_some_and(|k| k.customer_managed);
            if c.encryption == Encryption::CustomerManaged && !cmk {
                return Some(Err(Gap {
                    detail: format!("data class {}", c.name),
                    severity: Some(Severity::High),
                    observed: Vec::new(),
                    required: "customer managed KMS keys".into(),
                    location: at(if keys.is_some() { "keys.kind".into() } else { format!("data_classes.{}.encryption", c.name) }),
                }));
            }
            if let Some(required) = c.rotation_days {
                let rotation = keys.and_then(|k| k.rotation_days);
                if rotation.is_none_or(|d| d > required) {
                    return Some(Err(Gap {
                        detail: format!("data class {} · rotation", c.name),
                        severity: Some(Severity::Medium),
                        observed: vec![("key rotation (days; NaN: none)", rotation.map_or(f64::NAN, |d| d as f64))],
                        required: format!("rotation at least every {required} days"),
                        location: at("keys.rotation_days".into()),
                    }));
                }
            }
            Some(Ok(()))
        }),
    ));

    // Frameworks, by the resource's scope tag.
    for f in &req.frameworks {
        let in_scope = move |resource: &Resource| {
            resource
                .tag(&req.scope_tag)
                .is_some_and(|v| v.split(',').any(|s| s.trim() == f.name))
        };
        let path = format!("frameworks.{}", f.name);
        if f.retention_days.is_some() || f.frequency.is_some() {
            checks.push((
                Check {
                    id: ids::FRAMEWORK_RETENTION,
                    framework: f.name.clone(),
                    control: format!("{}: {}", f.name, f.clause),
                    parameters: Vec::new(),
                    title: "backups kept shorter or taken less often than the framework requires",
                    fix: format!(
                        "give resources in {} scope the framework's retention and frequency",
                        f.name
                    ),
                },
                Box::new({
                    let path = path.clone();
                    move |r| {
                        let resource = &model.resources[r];
                        if !in_scope(resource) {
                            return None;
                        }
                        let d = &designs[r];
                        if !d.protected {
                            return Some(Err(Gap {
                                detail: "not backed up".into(),
                                severity: Some(Severity::High),
                                observed: Vec::new(),
                                required: "a backup plan".into(),
                                location: at(path.clone()),
                            }));
                        }
                        if let Some(days) = f.retention_days
                            && d.max_retention_days < days as f64
                        {
                            return Some(Err(Gap {
                                detail: "retention".into(),
                                severity: Some(Severity::High),
                                observed: vec![("longest retention (days)", d.max_retention_days)],
                                required: format!("≥ {days} days"),
                                location: at(format!("{path}.retention_days")),
                            }));
                        }
                        if let Some(freq) = &f.frequency {
                            return frequency_gap(
                                resource,
                                d,
                                freq,
                                Severity::High,
                                at(format!("{path}.backup_frequency")),
                                "frequency".into(),
                            );
                        }
                        Some(Ok(()))
                    }
                }),
            ));
        }
        if let Some(allowed) = &f.allowed_regions {
            checks.push((
                Check {
                    id: ids::FRAMEWORK_RESIDENCY,
                    framework: f.name.clone(),
                    control: format!("{}: {}", f.name, f.clause),
                    parameters: vec![("allowedRegions".into(), allowed.join(","))],
                    title: "recovery points or copies outside the regions the framework allows",
                    fix: format!(
                        "keep vaults and copy destinations of {} data in {}",
                        f.name,
                        allowed.join(", ")
                    ),
                },
                Box::new({
                    let path = path.clone();
                    move |r| {
                        let resource = &model.resources[r];
                        if !in_scope(resource) || !designs[r].protected {
                            return None;
                        }
                        let outside: Vec<&str> = designs[r]
                            .regions
                            .iter()
                            .map(|&g| model.regions[usize::from(g)].as_str())
                            .filter(|g| !allowed.iter().any(|a| a == g))
                            .collect();
                        if outside.is_empty() {
                            return Some(Ok(()));
                        }
                        Some(Err(Gap {
                            detail: format!("points in {}", outside.join(", ")),
                            severity: Some(Severity::Critical),
                            observed: vec![(
                                "regions outside the allowed set",
                                outside.len() as f64,
                            )],
                            required: format!("only {}", allowed.join(", ")),
                            location: at(format!("{path}.allowed_regions")),
                        }))
                    }
                }),
            ));
        }
        if f.worm {
            checks.push((
                Check {
                    id: ids::FRAMEWORK_WORM,
                    framework: f.name.clone(),
                    control: "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK".into(),
                    parameters: vec![("mode".into(), "compliance".into())],
                    title: "records that must be WORM are not in a compliance-mode locked vault",
                    fix: "back these resources up into vaults with a compliance-mode Vault Lock (ChangeableForDays set) whose minimum retention covers the framework's".into(),
                },
                Box::new({
                    let path = path.clone();
                    move |r| {
                        let resource = &model.resources[r];
                        if !in_scope(resource) || !designs[r].protected {
                            return None;
                        }
                        if designs[r].all_compliance_locked {
                            return Some(Ok(()));
                        }
                        Some(Err(Gap {
                            detail: String::new(),
                            severity: Some(Severity::Critical),
                            observed: Vec::new(),
                            required: "compliance-mode vault lock (WORM)".into(),
                            location: at(format!("{path}.worm")),
                        }))
                    }
                }),
            ));
        }
    }

    // The vault lock for everything else (report only), service control policies, lock
    // ranges and cold settings that do nothing.
    checks.push((
        Check {
            id: ids::VAULT_LOCK,
            framework: AUDIT_MANAGER.into(),
            control: "BACKUP_RESOURCES_PROTECTED_BY_BACKUP_VAULT_LOCK".into(),
            parameters: Vec::new(),
            title: "resources backed up into unlocked vaults",
            fix: "lock the vaults (Vault Lock)".into(),
        },
        Box::new(move |r| {
            let d = &designs[r];
            if !d.protected {
                return None;
            }
            if d.all_locked {
                return Some(Ok(()));
            }
            Some(Err(Gap {
                detail: String::new(),
                severity: None,
                observed: Vec::new(),
                required: "a vault lock".into(),
                location: at(String::new()),
            }))
        }),
    ));
    checks.push((
        Check {
            id: ids::SCP_DENIED,
            framework: DESIGN.into(),
            control: "service control policies".into(),
            parameters: Vec::new(),
            title: "a service control policy denies backup jobs or copies this design needs",
            fix: "allow the region in the SCP, or move the vault or copy destination into an allowed region".into(),
        },
        Box::new(move |r| {
            let resource = &model.resources[r];
            let d = &designs[r];
            if !d.protected || req.scps.is_empty() {
                return None;
            }
            // The simulation's own decision (`model::scp`): the enabled SCPs first (their
            // jobs fail in the run), then those declared but not enabled.
            let (a, home) = (resource.account, resource.region_id);
            for enabled in [true, false] {
                let mut denied = Vec::new();
                let mut by = None;
                if let Some(denial) = model.scp.backup_denial(a, home, enabled) {
                    denied.push(format!("backups in {} ({})", resource.region, denial.action));
                    by.get_or_insert(denial);
                }
                for &(vault, g) in &d.copy_destinations {
                    let owner = crate::model::scp::vault_owner(&model.vaults[vault], a);
                    if let Some(denial) = model.scp.copy_denial(a, home, owner, g, enabled) {
                        denied.push(format!(
                            "copies to {} in {} ({})",
                            model.vaults[vault].name,
                            model.regions[usize::from(g)],
                            denial.action
                        ));
                        by.get_or_insert(denial);
                    }
                }
                let Some(by) = by else {
                    continue;
                };
                let scp = &req.scps[by.scp];
                return Some(Err(Gap {
                    detail: format!(
                        "SCP {} {} {}",
                        scp.name,
                        if enabled {
                            "denies"
                        } else {
                            "(not enabled) would deny"
                        },
                        denied.join(", ")
                    ),
                    severity: Some(if enabled { Severity::High } else { Severity::Low }),
                    observed: Vec::new(),
                    required: format!("only {} allowed", scp.allowed_regions.join(", ")),
                    location: at(scp.path.clone()),
                }));
            }
            Some(Ok(()))
        }),
    ));
    checks.push((
        Check {
            id: ids::LOCK_RANGE,
            framework: DESIGN.into(),
            control: "AWS Backup: Vault Lock retention range".into(),
            parameters: Vec::new(),
            title: "the vault lock rejects the rule's retention: every job fails",
            fix: "set the rule's delete_after_days inside the vault lock's minimum and maximum retention".into(),
        },
        Box::new(move |r| {
            let d = &designs[r];
            if !d.protected {
                return None;
            }
            let Some(&rule) = d.lock_rejected_rules.first() else {
                return Some(Ok(()));
            };
            Some(Err(Gap {
                detail: format!("rule {}", model.rules[rule as usize]),
                severity: Some(Severity::High),
                observed: Vec::new(),
                required: "retention inside the lock's range".into(),
                location: rule_location(model, rule),
            }))
        }),
    ));
    checks.push((
        Check {
            id: ids::COLD_NOOP,
            framework: DESIGN.into(),
            control: "AWS Backup: lifecycle to cold storage".into(),
            parameters: Vec::new(),
            title: "a cold-storage transition that does nothing for these resource types",
            fix: "drop move_to_cold_storage_after_days for these types (AWS ignores it; they stay warm and are billed warm), or budget them as warm".into(),
        },
        Box::new(move |r| {
            let d = &designs[r];
            if !d.protected {
                return None;
            }
            let Some(&rule) = d.cold_noop_rules.first() else {
                return Some(Ok(()));
            };
            Some(Err(Gap {
                detail: format!(
                    "rule {} · {}",
                    model.rules[rule as usize],
                    model.resources[r].resource_type.name()
                ),
                severity: Some(Severity::Medium),
                observed: Vec::new(),
                required: "cold storage support".into(),
                location: rule_location(model, rule),
            }))
        }),
    ));

    for (check, evaluate) in &checks {
        evaluate_check(model, check, evaluate.as_ref(), &mut report);
    }
    sort_findings(&mut report);
    report
}

/// Evaluates one check over every resource, then groups its gaps into findings and its
/// verdicts into control evaluations per OU.
fn evaluate_check(
    model: &Model,
    check: &Check,
    evaluate: &dyn Fn(usize) -> Option<Result<(), Gap>>,
    report: &mut Report,
) {
    #[derive(Default)]
    struct Tally {
        compliant: usize,
        non_compliant: usize,
        /// (resource, compliant, raised); `u32` as in [`ResourceEvaluation`].
        resources: Vec<(u32, bool, bool)>,
    }
    #[derive(Default)]
    struct Group {
        resources: usize,
        accounts: BTreeSet<usize>,
        observed: BTreeMap<&'static str, (f64, f64)>,
        gap: Option<Gap>,
        ou: String,
    }
    let mut by_ou: BTreeMap<String, Tally> = BTreeMap::new();
    let mut groups: BTreeMap<(Severity, String), Group> = BTreeMap::new();
    for (r, resource) in model.resources.iter().enumerate() {
        let Some(verdict) = evaluate(r) else { continue };
        let index = u32::try_from(r).expect("fewer than 2^32 resources");
        let ou = model.ous[model.accounts[resource.account].ou].name.clone();
        let tally = by_ou.entry(ou.clone()).or_default();
        match verdict {
            Ok(()) => {
                tally.compliant += 1;
                tally.resources.push((index, true, false));
            }
            Err(gap) => {
                tally.non_compliant += 1;
                tally.resources.push((index, false, gap.severity.is_some()));
                let Some(severity) = gap.severity else {
                    continue;
                };
                let label = if gap.detail.is_empty() {
                    format!("OU {ou}")
                } else {
                    format!("OU {ou} · {}", gap.detail)
                };
                let g = groups.entry((severity, label)).or_default();
                g.resources += 1;
                g.accounts.insert(resource.account);
                g.ou = ou.clone();
                for &(name, value) in &gap.observed {
                    let e = g.observed.entry(name).or_insert((value, value));
                    e.0 = e.0.min(value);
                    e.1 = e.1.max(value);
                }
                g.gap.get_or_insert(gap);
            }
        }
    }
    let mut finding_of_ou: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for ((severity, label), g) in groups {
        let gap = g.gap.expect("a group has a gap");
        let mut evidence = vec![
            Evidence::new("resources", g.resources.to_string()),
            Evidence::new("accounts", g.accounts.len().to_string()),
        ];
        for (name, (lo, hi)) in &g.observed {
            let value = if (hi - lo).abs() < 1e-9 {
                format_number(*lo)
            } else {
                format!("{}–{}", format_number(*lo), format_number(*hi))
            };
            evidence.push(Evidence::new(*name, value));
        }
        evidence.push(Evidence::new("required", gap.required.clone()));
        finding_of_ou
            .entry(g.ou.clone())
            .or_default()
            .push(report.findings.len());
        report.findings.push(Finding {
            id: check.id,
            severity,
            title: check.title.to_string(),
            control: check.control.clone(),
            file: gap.location.0.clone(),
            path: gap.location.1.clone(),
            message: format!(
                "{}: {} resources in {} accounts ({label}); required: {}",
                check.title,
                g.resources,
                g.accounts.len(),
                gap.required
            ),
            scope: Scope {
                label,
                ous: vec![g.ou],
                accounts: g.accounts.len(),
                resources: g.resources,
            },
            evidence,
            fix: check.fix.clone(),
        });
    }
    for (ou, tally) in by_ou {
        let control = report.controls.len();
        report.controls.push(ControlEvaluation {
            framework: check.framework.clone(),
            control: if check.control.starts_with("BACKUP_")
                || check.control.starts_with("RESTORE_")
            {
                check.control.clone()
            } else {
                format!("{} ({})", check.control, check.id)
            },
            scope: format!("OU {ou}"),
            parameters: check.parameters.clone(),
            compliant: tally.compliant,
            non_compliant: tally.non_compliant,
            findings: finding_of_ou.remove(&ou).unwrap_or_default(),
        });
        report.resources.extend(tally.resources.into_iter().map(
            |(resource, compliant, raised)| {
                ResourceEvaluation::new(control, resource as usize, compliant, raised)
            },
        ));
    }
}

/// Sorts the findings most severe first (then by id and scope) and re-points the control
/// evaluations at their new positions.
pub(super) fn sort_findings(report: &mut Report) {
    let mut order: Vec<usize> = (0..report.findings.len()).collect();
    order.sort_by(|&a, &b| {
        let (fa, fb) = (&report.findings[a], &report.findings[b]);
        (fa.severity, fa.id, &fa.scope.label, a).cmp(&(fb.severity, fb.id, &fb.scope.label, b))
    });
    let mut new_index = vec![0; order.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new;
    }
    let mut findings: Vec<Option<Finding>> = report.findings.drain(..).map(Some).collect();
    report.findings = order
        .iter()
        .map(|&old| findings[old].take().expect("each finding moves once"))
        .collect();
    for c in &mut report.controls {
        for f in &mut c.findings {
            *f = new_index[*f];
        }
    }
}

/// What the design gives `resource`.
/// Every scheduled backup of `program`: (time, retention days), in time order.
fn scheduled_backups(program: &crate::model::Program) -> Rc<[(i64, f64)]> {
    program
        .slots
        .iter()
        .map(|s| {
            let l = &program.lifecycles[usize::from(s.lifecycle)];
            (
                s.scheduled_seconds,
                l.delete_after_seconds
                    .map_or(f64::INFINITY, |x| x as f64 / DAY_SECONDS as f64),
            )
        })
        .collect()
}

/// What `resource`'s design promises; `backups` are each program's scheduled backups.
fn design_of(model: &Model, resource: &Resource, backups: &[Rc<[(i64, f64)]>]) -> Design {
    let Some(p) = resource.program else {
        return Design::default();
    };
    let program = &model.programs[p];
    let behaviour = &model.behaviour[resource.resource_type as usize];
    let mut d = Design {
        protected: true,
        max_retention_days: 0.0,
        min_retention_days: f64::INFINITY,
        all_locked: true,
        all_compliance_locked: true,
        ..Design::default()
    };
    d.regions.insert(resource.region_id);
    d.backups = Rc::clone(&backups[p]);
    d.max_gap_hours = d.gap_among_kept(f64::NEG_INFINITY);
    let lock = |vault: usize, d: &mut Design| match model.vaults[vault].lock {
        Some(l) => d.all_compliance_locked &= l.compliance_mode,
        None => {
            d.all_locked = false;
            d.all_compliance_locked = false;
        }
    };
    for l in &program.lifecycles {
        let retention = l
            .delete_after_seconds
            .map_or(f64::INFINITY, |s| s as f64 / DAY_SECONDS as f64);
        d.max_retention_days = d.max_retention_days.max(retention);
        d.min_retention_days = d.min_retention_days.min(retention);
        d.rules.push((l.rule, retention));
        lock(l.vault, &mut d);
        d.regions
            .insert(model.vault_region(l.vault, resource.region_id));
        if l.cold_after_seconds.is_some()
            && !behaviour.cold_storage
            && !d.cold_noop_rules.contains(&l.rule)
        {
            d.cold_noop_rules.push(l.rule);
        }
        if l.rejected_by_lock && !d.lock_rejected_rules.contains(&l.rule) {
            d.lock_rejected_rules.push(l.rule);
        }
    }
    if program.slots.iter().any(|s| s.continuous) {
        d.continuous_lag_hours = behaviour.continuous_lag_seconds.map(|s| s as f64 / 3600.0);
    }
    for (si, set) in program.copy_sets.iter().enumerate() {
        let rule = program
            .slots
            .iter()
            .find(|s| usize::from(s.copies) == si)
            .map(|s| program.lifecycles[usize::from(s.lifecycle)].rule);
        for c in set {
            let region = c.region_id.unwrap_or(resource.region_id);
            d.regions.insert(region);
            if region != resource.region_id {
                d.cross_region = true;
                d.copy_regions.insert(region);
            }
            d.copy_destinations.insert((c.vault, region));
            if c.cross_account(model, resource.account) {
                d.cross_account = true;
            }
            lock(c.vault, &mut d);
            if c.rejected_by_lock
                && let Some(rule) = rule
                && !d.lock_rejected_rules.contains(&rule)
            {
                d.lock_rejected_rules.push(rule);
            }
        }
    }
    d
}

impl Design {
    /// The longest gap between scheduled backups kept at least `days`, hours (`None`:
    /// fewer than two such backups).
    fn gap_among_kept(&self, days: f64) -> Option<f64> {
        let kept: Vec<i64> = self
            .backups
            .iter()
            .filter(|b| b.1 >= days)
            .map(|b| b.0)
            .collect();
        kept.windows(2)
            .map(|w| (w[1] - w[0]) as f64 / 3600.0)
            .reduce(f64::max)
    }
}

/// The longest time between two restorable points on paper: the continuous lag, else the
/// longest gap between scheduled backups (a single backup: the horizon).
fn effective_interval_hours(d: &Design) -> f64 {
    d.continuous_lag_hours
        .or(d.max_gap_hours)
        .unwrap_or(f64::INFINITY)
}

/// Whether the design meets a required frequency; `None` when no backup is required.
fn frequency_gap(
    resource: &Resource,
    d: &Design,
    f: &Frequency,
    severity: Severity,
    location: (String, String),
    detail: String,
) -> Option<Result<(), Gap>> {
    if f.none {
        return None;
    }
    let mut missing = Vec::new();
    let mut observed = Vec::new();
    if !d.protected {
        missing.push("no backup at all".to_string());
    } else {
        if f.continuous && d.continuous_lag_hours.is_none() {
            missing.push(format!(
                "no continuous backup ({})",
                resource.resource_type.name()
            ));
        }
        if let Some(h) = f.max_interval_hours {
            let gap = d.max_gap_hours.unwrap_or(f64::INFINITY);
            if gap > h + 1e-9 {
                missing.push(format!("backups every {} hours", format_number(gap)));
                observed.push(("longest gap between backups (hours)", gap));
            }
        }
    }
    if missing.is_empty() {
        return Some(Ok(()));
    }
    let detail = if detail.is_empty() {
        missing.join(", ")
    } else {
        format!("{detail} · {}", missing.join(", "))
    };
    Some(Err(Gap {
        detail,
        severity: Some(severity),
        observed,
        required: format!("backups {}", f.text),
        location,
    }))
}

/// How serious a data class's gaps are: high for data on customer managed keys
/// (Confidential, Restricted in the seed), medium otherwise.
fn class_severity(c: &crate::model::DataClassRequirement) -> Severity {
    if c.encryption == Encryption::CustomerManaged || c.mfa {
        Severity::High
    } else {
        Severity::Medium
    }
}

fn class_of(model: &Model, resource: &Resource) -> Option<usize> {
    let req = &model.requirements;
    let value = resource.tag(&req.classification_tag)?;
    req.data_classes.iter().position(|c| c.name == value)
}

fn tier_of(model: &Model, resource: &Resource) -> Option<usize> {
    let group = &model.groups[resource.group];
    model.tiers.iter().position(|t| t.name == group.tier)
}

fn environment_of(model: &Model, resource: &Resource) -> Option<usize> {
    model.accounts[resource.account].environment
}

/// The OU of an account and all its ancestors.
fn rule_location(model: &Model, rule: u32) -> (String, String) {
    model
        .rule_sources
        .get(rule as usize)
        .cloned()
        .unwrap_or_else(|| (model.requirements.file.clone(), String::new()))
}

/// A restore with every duration at its median (the deterministic estimate Audit
/// Manager's restore-time control would see from a typical restore test), minutes.
fn typical_restore_minutes(model: &Model, resource: &Resource) -> f64 {
    let b = &model.behaviour[resource.resource_type as usize];
    let seconds = rto_seconds(RtoParts {
        declaration_minutes: 0.0,
        retrieval_minutes: b.retrieval_minutes.quantile(0.5),
        cold_extra_hours: 0.0,
        bytes: resource.size_bytes,
        throughput_mib_per_s: b.restore_throughput_mib_per_s.quantile(0.5).max(1e-9),
        process_minutes: b.restore_process_minutes.quantile(0.5),
        validation_minutes: b.validation_minutes.quantile(0.5),
        hydration_minutes: b.hydration_minutes.quantile(0.5),
    });
    seconds as f64 / 60.0
}

/// A backup of the whole resource at the median throughput, hours (an upper bound for
/// incremental jobs; used only to judge whether a schedule can meet an RPO at all).
fn typical_backup_hours(model: &Model, resource: &Resource) -> f64 {
    let b = &model.behaviour[resource.resource_type as usize];
    let throughput = b.backup_throughput_mib_per_s.quantile(0.5).max(1e-9);
    let changed = if b.incremental {
        resource.daily_change_fraction.min(1.0)
    } else {
        1.0
    };
    resource.size_bytes as f64 * changed / (throughput * crate::model::MIB_BYTES) / 3600.0
}

/// A number without trailing zeros (`24`, `0.5`, `1.25`).
pub(super) fn format_number(x: f64) -> String {
    if !x.is_finite() {
        return if x.is_nan() {
            "none".into()
        } else {
            "forever".into()
        };
    }
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
