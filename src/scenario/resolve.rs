//! `resolve`: a loaded `Scenario` → the validated `model::Model`.
//!
//! Checks every value (reporting all problems at once, each with its field path), generates
//! the estate (`estate`), matches plan selections to resources, expands each rule's
//! schedule once over the horizon and merges the rules that apply to a resource into a
//! shared `Program`. After this step nothing can fail for a reason the user could fix.

use std::collections::BTreeMap;

use super::check::{Problems, is_region_name};
use super::error::{Problem, ScenarioErrors};
use super::estate;
use super::load::Scenario;
use super::plans::{assign_programs, plans};
use super::policies;
use super::raw::RawDist;
use crate::cost::Charge;
use crate::dist::Dist;
use crate::model::*;

/// Bounds that keep a run from going on for hours by mistake.
pub const MAX_TRIALS: i64 = 1_000_000;
pub const MAX_HORIZON_DAYS: i64 = 36_500;
pub const MAX_ACCOUNTS: i64 = 200_000;
pub const MAX_RESOURCES: usize = 5_000_000;

/// AWS Backup's limits on rule values (API model, `BackupRuleInput`, `Lifecycle`).
pub const MIN_START_WINDOW_MINUTES: i64 = 60;
pub const MAX_WINDOW_MINUTES: i64 = 52_560_000;
pub const MAX_RETENTION_DAYS: i64 = 36_500;
pub const MIN_COLD_DAYS: i64 = 90;
pub const MAX_CONTINUOUS_RETENTION_DAYS: i64 = 35;

/// Resolves a loaded scenario into a model, or every problem found, located in the file.
pub fn resolve(scenario: &Scenario) -> Result<Model, ScenarioErrors> {
    let mut problems = Problems::default();
    let model = build(scenario, &mut problems);
    if problems.0.is_empty() {
        Ok(model.expect("a model is built whenever no problem is reported"))
    } else {
        let mut errors: Vec<_> = problems
            .0
            .into_iter()
            .map(|p| scenario.spans.error(&scenario.file, p))
            .collect();
        errors.sort_by_key(|e| (e.line.unwrap_or(usize::MAX), e.column, e.path.clone()));
        errors.dedup();
        Err(ScenarioErrors(errors))
    }
}

/// A `--set` rule override that named no rule of any effective plan: an error naming the
/// nearest rule field that exists (in the policies or the scenario's own plans).
fn unmatched_overrides(
    scenario: &Scenario,
    from_policies: &policies::PolicyPlans,
    problems: &mut Problems,
) {
    let mut candidates = from_policies.rule_paths.clone();
    for (plan, body) in &scenario.raw.plans {
        for rule in body.rules.keys() {
            for field in [
                "schedule_expression",
                "start_backup_window_minutes",
                "complete_backup_window_minutes",
                "lifecycle.move_to_cold_storage_after_days",
                "lifecycle.delete_after_days",
            ] {
                candidates.insert(format!("plans.{plan}.rules.{rule}.{field}"));
            }
        }
    }
    for (o, matched) in scenario
        .rule_overrides
        .iter()
        .zip(&from_policies.overrides_matched)
    {
        if !matched {
            let nearest = super::overrides::nearest(&o.path, &candidates);
            problems.push(Problem {
                help: nearest.map(|n| format!("nearest valid path: {n}")),
                location: Some(super::error::Location {
                    file: scenario.file.clone(),
                    line: None,
                    column: None,
                }),
                ..Problem::new(
                    format!("--set {}", o.path),
                    format!(
                        "no plan `{}` with a rule `{}` in the scenario or its backup policies",
                        o.plan, o.rule
                    ),
                )
            });
        }
    }
}

fn build(scenario: &Scenario, problems: &mut Problems) -> Option<Model> {
    let raw = &scenario.raw;
    let name = scenario.file.file_stem().map_or_else(
        || "scenario".to_string(),
        |s| s.to_string_lossy().into_owned(),
    );

    let simulation = simulation(raw, problems);
    let behaviour = behaviour(raw, problems);
    let ous = ous(raw, problems);
    let tiers = tiers(raw, problems);
    let environments: Vec<Target> = raw
        .environments
        .iter()
        .map(|(name, env)| {
            problems.target(
                name,
                &format!("environments.{name}"),
                env.rpo_hours,
                env.rto_hours,
            )
        })
        .collect();
    let ou_environment = ou_environments(raw, &ous, problems);
    let vaults = vaults(raw, problems);
    let region_pairs = region_pairs(raw, problems);
    let disasters = disasters(raw, simulation.as_ref(), problems);

    let plans = simulation
        .as_ref()
        .and_then(|sim| plans(raw, &ous, &vaults, sim, problems));
    // Stop before generating the estate if the basics are wrong: later checks depend on them.
    if !problems.0.is_empty() {
        return None;
    }
    let simulation = simulation?;
    let (accounts, resources) =
        estate::generate(raw, &ous, &ou_environment, simulation.seed, problems)?;
    let attachments = policies::attachments(raw, &scenario.file, &ous, &accounts, problems);
    if !problems.0.is_empty() {
        return None;
    }
    // Backup policies: each account's effective policy becomes plans; what AWS Backup
    // would refuse becomes a finding instead.
    let mut attachments = attachments?;
    // The files read, policies first, then the price catalog (`costs`).
    let mut inputs = std::mem::take(&mut attachments.inputs);
    let from_policies = policies::plans_from_policies(
        raw,
        &attachments,
        &accounts,
        &resources,
        &vaults,
        &simulation,
        &scenario.rule_overrides,
    );
    unmatched_overrides(scenario, &from_policies, problems);
    if !problems.0.is_empty() {
        return None;
    }
    let mut plans = plans?;
    for plan in &mut plans {
        plan.set_source(scenario.file.display().to_string());
    }
    plans.extend(from_policies.plans);
    let mut model = Model {
        name,
        inputs: Vec::new(),
        simulation,
        accounts,
        ous,
        resources,
        programs: Vec::new(),
        rules: Vec::new(),
        behaviour: behaviour?,
        groups: Vec::new(),
        tiers,
        environments,
        vaults,
        region_pairs,
        disasters: disasters?,
        keys: None,
        costs: None,
        findings: from_policies.findings,
        rule_sources: Vec::new(),
        requirements: Requirements::default(),
        regions: Vec::new(),
        link_of: Vec::new(),
        scp: ScpDenials::default(),
    };
    intern_regions(&mut model);
    resolve_after_estate(raw, &mut model, problems);
    model.costs = raw
        .costs
        .as_ref()
        .and_then(|c| costs(c, &scenario.file, &model, &mut inputs, problems));
    model.inputs = inputs;
    if !problems.0.is_empty() {
        return None;
    }
    assign_programs(&mut model, &plans, problems);
    if !problems.0.is_empty() {
        return None;
    }
    assign_groups(
        &mut model,
        raw.simulation.tier_tag.as_deref().unwrap_or("BackupTier"),
    );
    cost_attributes(&mut model);
    model.requirements = super::requirements::requirements(raw, &scenario.file, &model, problems)?;
    if !problems.0.is_empty() {
        return None;
    }
    model.scp = ScpDenials::new(&model, model.simulation.scheduled_jobs_checked_against_scps);
    Some(model)
}

fn simulation(raw: &super::raw::RawScenario, problems: &mut Problems) -> Option<Simulation> {
    let s = &raw.simulation;
    let epoch = match chrono::DateTime::parse_from_rfc3339(&s.epoch) {
        Ok(t) => Some(t.timestamp()),
        Err(e) => {
            problems.report(
                "simulation.epoch",
                format!(
                    "`{}` is not an RFC 3339 instant ({e}); valid: e.g. 2026-01-01T00:00:00Z",
                    s.epoch
                ),
            );
            None
        }
    };
    let horizon = problems.range_i64(
        s.horizon_days,
        "simulation.horizon_days",
        1,
        MAX_HORIZON_DAYS,
    );
    let warmup_days = s.warmup_days.unwrap_or(14.min(s.horizon_days / 2));
    let warmup = match horizon {
        Some(h) if warmup_days < 0 || warmup_days >= h => {
            problems.report(
                "simulation.warmup_days",
                format!("{warmup_days} must be at least 0 and less than horizon_days ({h})"),
            );
            None
        }
        _ => Some(warmup_days),
    };
    let trials = problems.range_i64(s.trials, "simulation.trials", 1, MAX_TRIALS);
    let seed = problems.range_i64(s.seed, "simulation.seed", 0, i64::MAX);
    let completion_window_from = match s.completion_window_from.as_deref() {
        None | Some("job_start") => Some(CompletionWindowFrom::JobStart),
        Some("scheduled_time") => Some(CompletionWindowFrom::ScheduledTime),
        Some(other) => {
            problems.report(
                "simulation.completion_window_from",
                format!("`{other}` is not valid; valid: job_start, scheduled_time"),
            );
            None
        }
    };
    let start_delay = match &s.start_delay_minutes {
        Some(d) => problems.dist(d, "simulation.start_delay_minutes", true),
        None => Some(Dist::uniform(0.0, 60.0).expect("valid constant")),
    };
    if let Some(v) = s.default_start_backup_window_minutes {
        problems.range_i64(
            v,
            "simulation.default_start_backup_window_minutes",
            MIN_START_WINDOW_MINUTES,
            MAX_WINDOW_MINUTES,
        );
    }
    if let Some(v) = s.default_complete_backup_window_minutes {
        problems.range_i64(
            v,
            "simulation.default_complete_backup_window_minutes",
            1,
            MAX_WINDOW_MINUTES,
        );
    }
    // ASSUMPTION (docs/assumptions.md): same-region copies move at 500 MiB/s by default.
    let intra_copy = match &s.intra_region_copy_mib_per_s {
        Some(d) => problems
            .dist(d, "simulation.intra_region_copy_mib_per_s", true)
            .filter(|d| d.mean() > 0.0),
        None => Dist::fixed(500.0).ok(),
    };
    let months = months(epoch?, horizon? * DAY_SECONDS);
    Some(Simulation {
        epoch_unix_seconds: epoch?,
        horizon_seconds: horizon? * DAY_SECONDS,
        warmup_seconds: warmup? * DAY_SECONDS,
        trials: trials? as u64,
        seed: seed? as u64,
        completion_window_from: completion_window_from?,
        start_delay_minutes: start_delay?,
        intra_region_copy_mib_per_s: intra_copy?,
        scheduled_jobs_checked_against_scps: s.scheduled_jobs_checked_against_scps.unwrap_or(true),
        month_of_day: crate::model::month_of_day(&months),
        months,
    })
}

fn behaviour(raw: &super::raw::RawScenario, problems: &mut Problems) -> Option<Vec<TypeBehaviour>> {
    let mut by_type: BTreeMap<ResourceType, TypeBehaviour> = BTreeMap::new();
    let mut ok = true;
    for (name, b) in &raw.resource_types {
        let path = format!("resource_types.{name}");
        let Some(resource_type) = ResourceType::parse(name) else {
            problems.push(
                Problem::new(path, format!("unknown resource type `{name}`"))
                    .with_help(format!("valid: {}", ResourceType::valid_names())),
            );
            ok = false;
            continue;
        };
        let mut d = |field: &str, raw: &super::raw::RawDist| {
            problems.dist(raw, &format!("{path}.{field}"), true)
        };
        let backup = d(
            "backup_throughput_mib_per_s",
            &b.backup_throughput_mib_per_s,
        );
        let retrieval = d("retrieval_minutes", &b.retrieval_minutes);
        let cold_extra = d("cold_retrieval_extra_hours", &b.cold_retrieval_extra_hours);
        let restore = d(
            "restore_throughput_mib_per_s",
            &b.restore_throughput_mib_per_s,
        );
        let process = d("restore_process_minutes", &b.restore_process_minutes);
        let validation = d("validation_minutes", &b.validation_minutes);
        let hydration = match &b.hydration_minutes {
            Some(h) => d("hydration_minutes", h),
            None => Dist::fixed(0.0).ok(),
        };
        let copy_failure = b
            .copy_failure_probability
            .and_then(|p| problems.probability(p, &format!("{path}.copy_failure_probability")));
        let failure = problems.probability(
            b.failure_probability,
            &format!("{path}.failure_probability"),
        );
        for (field, dist) in [
            ("backup_throughput_mib_per_s", &backup),
            ("restore_throughput_mib_per_s", &restore),
        ] {
            if let Some(dist) = dist
                && dist.mean() <= 0.0
            {
                problems.report(
                    format!("{path}.{field}"),
                    "a throughput must have a positive mean",
                );
                ok = false;
            }
        }
        let lag = match b.continuous_lag_minutes {
            Some(m) if !(m.is_finite() && m >= 0.0) => {
                problems.report(
                    format!("{path}.continuous_lag_minutes"),
                    format!("{m} must be a number of minutes ≥ 0"),
                );
                ok = false;
                None
            }
            Some(m) => Some((m * 60.0).round() as i64),
            None => None,
        };
        let Some((incremental, cold_storage)) =
            documented_capabilities(resource_type, &path, b, problems)
        else {
            ok = false;
            continue;
        };
        match (
            backup, retrieval, cold_extra, restore, process, validation, hydration, failure,
        ) {
            (Some(b1), Some(r), Some(c), Some(rt), Some(p), Some(v), Some(h), Some(f)) => {
                by_type.insert(
                    resource_type,
                    TypeBehaviour {
                        resource_type,
                        backup_throughput_mib_per_s: b1,
                        failure_probability: f,
                        copy_failure_probability: copy_failure.unwrap_or(f),
                        incremental,
                        cold_storage,
                        continuous_lag_seconds: lag,
                        retrieval_minutes: r,
                        cold_retrieval_extra_hours: c,
                        restore_throughput_mib_per_s: rt,
                        restore_process_minutes: p,
                        validation_minutes: v,
                        hydration_minutes: h,
                    },
                );
            }
            _ => ok = false,
        }
    }
    if !ok {
        return None;
    }
    // Types no template uses may be left out; a placeholder keeps the vector indexable
    // and `estate` rejects any resource whose type has no behaviour.
    Some(
        ResourceType::ALL
            .iter()
            .map(|t| {
                by_type.remove(t).unwrap_or_else(|| TypeBehaviour {
                    resource_type: *t,
                    backup_throughput_mib_per_s: Dist::fixed(1.0).expect("valid constant"),
                    failure_probability: 0.0,
                    copy_failure_probability: 0.0,
                    incremental: false,
                    cold_storage: false,
                    continuous_lag_seconds: None,
                    retrieval_minutes: Dist::fixed(0.0).expect("valid constant"),
                    cold_retrieval_extra_hours: Dist::fixed(0.0).expect("valid constant"),
                    restore_throughput_mib_per_s: Dist::fixed(1.0).expect("valid constant"),
                    restore_process_minutes: Dist::fixed(0.0).expect("valid constant"),
                    validation_minutes: Dist::fixed(0.0).expect("valid constant"),
                    hydration_minutes: Dist::fixed(0.0).expect("valid constant"),
                })
            })
            .collect(),
    )
}

/// The incremental and cold-storage behaviour of one `[resource_types.X]` table, checked
/// against what AWS documents for the type (`ResourceType::capabilities`). A capability
/// AWS does not document for the type (RDS cold storage, EBS continuous backup, Aurora
/// incremental snapshots, a lag shorter than AWS's) is an error: the run would simulate
/// and bill something AWS Backup does not do. Declaring less than AWS allows is the
/// scenario's choice (DynamoDB without the advanced features that give it cold storage).
/// A field left out takes AWS's value; `incremental` is required where AWS documents
/// nothing definite. `None` once a problem is reported.
fn documented_capabilities(
    resource_type: ResourceType,
    path: &str,
    b: &super::raw::RawTypeBehaviour,
    problems: &mut Problems,
) -> Option<(bool, bool)> {
    let aws = resource_type.capabilities();
    let before = problems.0.len();
    if b.cold_storage == Some(true) && !aws.cold_storage {
        problems.push(
            Problem::new(
                format!("{path}.cold_storage"),
                format!(
                    "AWS documents no cold storage for {resource_type}; the types with cold \
                     storage are {}",
                    ResourceType::names_where(|c| c.cold_storage)
                ),
            )
            .with_help(format!(
                "AWS Backup ignores a lifecycle's move to cold storage for {resource_type} \
                 (its points stay warm); valid: cold_storage = false, or leave it out"
            )),
        );
    }
    if b.incremental == Some(true) && aws.incremental == Some(false) {
        let protection = if aws.continuous_lag_minutes.is_some() {
            format!(
                "{resource_type}'s incremental protection is continuous backup \
                 (continuous_lag_minutes); "
            )
        } else {
            String::new()
        };
        problems.push(
            Problem::new(
                format!("{path}.incremental"),
                format!(
                    "AWS documents {resource_type} backups as full snapshots, not incremental; \
                     the types AWS documents as incremental are {}",
                    ResourceType::names_where(|c| c.incremental == Some(true))
                ),
            )
            .with_help(format!(
                "{protection}valid: incremental = false, or leave it out"
            )),
        );
    }
    let incremental = b.incremental.or(aws.incremental);
    if incremental.is_none() {
        problems.push(
            Problem::new(
                format!("{path}.incremental"),
                format!(
                    "AWS documents neither incremental nor full backups for {resource_type}; \
                     the scenario must say which it assumes"
                ),
            )
            .with_help("valid: incremental = true, or incremental = false"),
        );
    }
    if let Some(m) = b.continuous_lag_minutes.filter(|m| m.is_finite()) {
        match aws.continuous_lag_minutes {
            None => problems.push(
                Problem::new(
                    format!("{path}.continuous_lag_minutes"),
                    format!(
                        "AWS documents no continuous backup (point-in-time recovery) for \
                         {resource_type}; the types with it are {}",
                        ResourceType::names_where(|c| c.continuous_lag_minutes.is_some())
                    ),
                )
                .with_help(format!(
                    "leave continuous_lag_minutes out: a rule with enable_continuous_backup = \
                     true takes snapshots of {resource_type}, as AWS Backup does"
                )),
            ),
            Some(documented) if m < f64::from(documented) => problems.push(
                Problem::new(
                    format!("{path}.continuous_lag_minutes"),
                    format!(
                        "{m} minutes is less than the {documented} minutes AWS documents for \
                         the newest restorable point of {resource_type}"
                    ),
                )
                .with_help(format!(
                    "valid: continuous_lag_minutes ≥ {documented} (a longer lag is allowed)"
                )),
            ),
            Some(_) => {}
        }
    }
    if problems.0.len() > before {
        return None;
    }
    Some((incremental?, b.cold_storage.unwrap_or(aws.cold_storage)))
}

/// The OU tree, root first; parents always precede children.
fn ous(raw: &super::raw::RawScenario, problems: &mut Problems) -> Vec<Ou> {
    let mut out = vec![Ou {
        name: "Root".to_string(),
        parent: None,
    }];
    let mut placed: BTreeMap<&str, usize> = BTreeMap::from([("Root", 0)]);
    let mut pending: Vec<(&String, &String)> = raw
        .organization
        .ous
        .iter()
        .map(|(n, ou)| (n, &ou.parent))
        .collect();
    if raw.organization.ous.contains_key("Root") {
        problems.report(
            "organization.ous.Root",
            "`Root` is the organization root and is implicit; do not declare it",
        );
    }
    // Place OUs whose parent is placed, until nothing changes (the rest are orphans or cycles).
    loop {
        let before = pending.len();
        pending.retain(|(name, parent)| {
            if let Some(&p) = placed.get(parent.as_str()) {
                placed.insert(name.as_str(), out.len());
                out.push(Ou {
                    name: (*name).clone(),
                    parent: Some(p),
                });
                false
            } else {
                true
            }
        });
        if pending.is_empty() || pending.len() == before {
            break;
        }
    }
    for (name, parent) in pending {
        let known = raw.organization.ous.contains_key(parent.as_str());
        problems.report(
            format!("organization.ous.{name}.parent"),
            if known {
                format!(
                    "OU `{name}` cannot be placed under `{parent}`: that OU is in a cycle or its own parent is unknown"
                )
            } else {
                format!(
                    "unknown parent OU `{parent}`; valid: Root, {}",
                    raw.organization
                        .ous
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
        );
    }
    out
}

fn tiers(raw: &super::raw::RawScenario, problems: &mut Problems) -> Vec<Target> {
    raw.tiers
        .iter()
        .map(|(name, t)| problems.target(name, &format!("tiers.{name}"), t.rpo_hours, t.rto_hours))
        .collect()
}

/// Environment index of every OU: the environment naming it or its nearest ancestor.
fn ou_environments(
    raw: &super::raw::RawScenario,
    ous: &[Ou],
    problems: &mut Problems,
) -> Vec<Option<usize>> {
    let mut direct: Vec<Option<usize>> = vec![None; ous.len()];
    for (env_index, (env_name, env)) in raw.environments.iter().enumerate() {
        for (i, ou_name) in env.ous.iter().enumerate() {
            let path = format!("environments.{env_name}.ous[{i}]");
            if let Some(o) = problems.ou(ous, ou_name, path.clone()) {
                if let Some(other) = direct[o] {
                    let other_name = raw.environments.keys().nth(other).expect("index");
                    problems.report(
                        path,
                        format!("OU `{ou_name}` is already in environment `{other_name}`"),
                    );
                }
                direct[o] = Some(env_index);
            }
        }
    }
    // Parents precede children, so one pass inherits down the tree.
    let mut out = direct.clone();
    for i in 0..ous.len() {
        if out[i].is_none()
            && let Some(p) = ous[i].parent
        {
            out[i] = out[p];
        }
    }
    out
}

fn vaults(raw: &super::raw::RawScenario, problems: &mut Problems) -> Vec<Vault> {
    raw.vaults
        .iter()
        .map(|(name, v)| {
            let path = format!("vaults.{name}");
            let account = if v.account == "workload" {
                None
            } else {
                match raw.organization.account_templates.get(&v.account) {
                    Some(t) if t.count == 1 => Some(v.account.clone()),
                    Some(t) => {
                        problems.report(
                            format!("{path}.account"),
                            format!(
                                "account template `{}` has {} accounts; a central vault's owner must be a template with count = 1",
                                v.account, t.count
                            ),
                        );
                        None
                    }
                    None => {
                        problems.report(
                            format!("{path}.account"),
                            format!(
                                "unknown account `{}`; valid: workload, or an account template with count = 1 ({})",
                                v.account,
                                raw.organization
                                    .account_templates
                                    .iter()
                                    .filter(|(_, t)| t.count == 1)
                                    .map(|(n, _)| n.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                        None
                    }
                }
            };
            let region = if v.region == "home" {
                None
            } else {
                if !is_region_name(&v.region) {
                    problems.report(
                        format!("{path}.region"),
                        format!("`{}` is not a region; valid: home, or a region name such as us-west-2", v.region),
                    );
                }
                Some(v.region.clone())
            };
            let lock = v.lock.as_ref().and_then(|l| {
                let lp = format!("{path}.lock");
                let compliance_mode = match l.mode.as_str() {
                    "governance" => Some(false),
                    "compliance" => Some(true),
                    other => {
                        problems.report(
                            format!("{lp}.mode"),
                            format!("`{other}` is not a vault lock mode; valid: governance, compliance"),
                        );
                        None
                    }
                };
                if let Some(min) = l.min_retention_days {
                    problems.range_i64(min, &format!("{lp}.min_retention_days"), 1, MAX_RETENTION_DAYS);
                }
                if let Some(max) = l.max_retention_days {
                    problems.range_i64(max, &format!("{lp}.max_retention_days"), 1, MAX_RETENTION_DAYS);
                }
                if let (Some(min), Some(max)) = (l.min_retention_days, l.max_retention_days)
                    && min > max
                {
                    problems.report(
                        format!("{lp}.max_retention_days"),
                        format!("{max} is less than min_retention_days ({min})"),
                    );
                }
                Some(VaultLock {
                    compliance_mode: compliance_mode?,
                    min_retention_days: l.min_retention_days,
                    max_retention_days: l.max_retention_days,
                })
            });
            Vault {
                name: name.clone(),
                account,
                region,
                owner_account: None,
                region_id: None,
                lock,
            }
        })
        .collect()
}

fn region_pairs(raw: &super::raw::RawScenario, problems: &mut Problems) -> Vec<RegionPair> {
    raw.region_pairs
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let path = format!("region_pairs[{i}]");
            for (field, region) in [("source", &p.source), ("destination", &p.destination)] {
                if !is_region_name(region) {
                    problems.report(
                        format!("{path}.{field}"),
                        format!("`{region}` is not a region name; valid: e.g. us-east-1"),
                    );
                }
            }
            if p.source == p.destination {
                problems.report(
                    format!("{path}.destination"),
                    "a region pair links two different regions",
                );
            }
            problems.positive(
                p.bandwidth_mib_per_s,
                &format!("{path}.bandwidth_mib_per_s"),
            );
            if let Some(cap) = p.per_job_cap_mib_per_s {
                problems.positive(cap, &format!("{path}.per_job_cap_mib_per_s"));
            }
            RegionPair {
                source: p.source.clone(),
                destination: p.destination.clone(),
                bandwidth_mib_per_s: p.bandwidth_mib_per_s,
                per_job_cap_mib_per_s: p.per_job_cap_mib_per_s,
            }
        })
        .collect()
}

fn disasters(
    raw: &super::raw::RawScenario,
    simulation: Option<&Simulation>,
    problems: &mut Problems,
) -> Option<Disasters> {
    let d = &raw.disasters;
    let mut ok = true;
    let mut dist = |problems: &mut Problems, raw: &RawDist, path: &str| {
        let r = problems.dist(raw, path, true);
        ok &= r.is_some();
        r.unwrap_or_else(|| Dist::fixed(0.0).expect("valid constant"))
    };
    let resource_loss = match &d.resource_loss {
        Some(r) => ResourceLoss {
            declaration_delay_minutes: dist(
                problems,
                &r.declaration_delay_minutes,
                "disasters.resource_loss.declaration_delay_minutes",
            ),
            timing: timing(
                r.rate_per_year,
                r.at.as_deref(),
                "disasters.resource_loss",
                simulation,
                problems,
            ),
        },
        None => ResourceLoss {
            declaration_delay_minutes: Dist::fixed(0.0).expect("valid constant"),
            timing: Timing::default(),
        },
    };
    let logical_corruption = d.logical_corruption.as_ref().map(|c| LogicalCorruption {
        detection_delay_days: dist(
            problems,
            &c.detection_delay_days,
            "disasters.logical_corruption.detection_delay_days",
        ),
        timing: timing(
            c.rate_per_year,
            c.at.as_deref(),
            "disasters.logical_corruption",
            simulation,
            problems,
        ),
    });
    let region_outage = d.region_outage.as_ref().map(|o| {
        let path = "disasters.region_outage";
        if let Some(regions) = &o.regions {
            problems.regions(
                regions,
                &format!("{path}.regions"),
                "list at least one region",
            );
        }
        let tier_priority = match o.order.as_deref() {
            None | Some("all_at_once") => false,
            Some("tier_priority") => true,
            Some(other) => {
                problems.report(
                    format!("{path}.order"),
                    format!("`{other}` is not a restore order; valid: all_at_once, tier_priority"),
                );
                false
            }
        };
        problems.positive(
            o.restore_throughput_mib_per_s,
            &format!("{path}.restore_throughput_mib_per_s"),
        );
        let limit = o.max_concurrent_restores_per_account.and_then(|n| {
            problems.range_i64(
                n,
                &format!("{path}.max_concurrent_restores_per_account"),
                1,
                1_000_000,
            )
        });
        RegionOutage {
            // Region ids are filled in once regions are interned.
            regions: Vec::new(),
            declaration_delay_minutes: dist(
                problems,
                &o.declaration_delay_minutes,
                &format!("{path}.declaration_delay_minutes"),
            ),
            tier_priority,
            restore_throughput_mib_per_s: o.restore_throughput_mib_per_s,
            max_concurrent_restores_per_account: limit.map(|n| n as usize),
            timing: timing(o.rate_per_year, o.at.as_deref(), path, simulation, problems),
        }
    });
    let mut declared = |problems: &mut Problems,
                        name: &str,
                        delay: &RawDist,
                        rate: Option<f64>,
                        at: Option<&str>| {
        let path = format!("disasters.{name}");
        Declared {
            declaration_delay_minutes: dist(
                problems,
                delay,
                &format!("{path}.declaration_delay_minutes"),
            ),
            timing: timing(rate, at, &path, simulation, problems),
        }
    };
    let account_compromise = d.account_compromise.as_ref().map(|c| {
        declared(
            problems,
            "account_compromise",
            &c.declaration_delay_minutes,
            c.rate_per_year,
            c.at.as_deref(),
        )
    });
    let key_loss = d.key_loss.as_ref().map(|k| {
        declared(
            problems,
            "key_loss",
            &k.declaration_delay_minutes,
            k.rate_per_year,
            k.at.as_deref(),
        )
    });
    ok.then_some(Disasters {
        resource_loss: Some(resource_loss),
        logical_corruption,
        region_outage,
        account_compromise,
        key_loss,
    })
}

/// A disaster's rate and forced instant (inside the measurement window).
fn timing(
    rate_per_year: Option<f64>,
    at: Option<&str>,
    path: &str,
    simulation: Option<&Simulation>,
    problems: &mut Problems,
) -> Timing {
    if let Some(rate) = rate_per_year
        && !(rate.is_finite() && rate >= 0.0)
    {
        problems.report(
            format!("{path}.rate_per_year"),
            format!("{rate} must be a number ≥ 0 (events per unit per year)"),
        );
    }
    let at_seconds = at.and_then(|text| {
        let field = format!("{path}.at");
        let parsed = match chrono::DateTime::parse_from_rfc3339(text) {
            Ok(t) => t.timestamp(),
            Err(e) => {
                problems.report(
                    field,
                    format!(
                        "`{text}` is not an RFC 3339 instant ({e}); valid: e.g. 2026-07-19T14:00:00Z"
                    ),
                );
                return None;
            }
        };
        let sim = simulation?;
        let seconds = parsed - sim.epoch_unix_seconds;
        if seconds < sim.warmup_seconds || seconds >= sim.horizon_seconds {
            problems.report(
                field,
                format!(
                    "`{text}` is outside the measurement window; valid: from day {} to before day {} after the epoch",
                    sim.warmup_seconds / DAY_SECONDS,
                    sim.horizon_seconds / DAY_SECONDS
                ),
            );
            return None;
        }
        Some(seconds)
    });
    Timing {
        rate_per_year,
        at_seconds,
    }
}

/// Resolves what needs the estate and interned regions: vault owners and regions, the
/// outage regions, the key pattern.
fn resolve_after_estate(raw: &super::raw::RawScenario, model: &mut Model, problems: &mut Problems) {
    let region_id = |model: &Model, name: &str| {
        model
            .regions
            .iter()
            .position(|r| r == name)
            .map(|i| i as u16)
    };
    for v in 0..model.vaults.len() {
        let vault = &model.vaults[v];
        let owner = vault.account.as_ref().map(|template| {
            model
                .accounts
                .iter()
                .position(|a| &a.template == template)
                .expect("resolve checked the template has one account")
        });
        let region = vault.region.as_deref().and_then(|r| region_id(model, r));
        model.vaults[v].owner_account = owner;
        model.vaults[v].region_id = region;
    }
    if let (Some(o), Some(raw_outage)) = (
        model.disasters.region_outage.as_mut(),
        raw.disasters.region_outage.as_ref(),
    ) {
        let mut resource_regions: Vec<u16> = model.resources.iter().map(|r| r.region_id).collect();
        resource_regions.sort_unstable();
        resource_regions.dedup();
        o.regions = match &raw_outage.regions {
            None => resource_regions,
            Some(names) => names
                .iter()
                .enumerate()
                .filter_map(|(i, name)| {
                    let id = model
                        .regions
                        .iter()
                        .position(|r| r == name)
                        .map(|i| i as u16)
                        .filter(|id| resource_regions.contains(id));
                    if id.is_none() {
                        problems.report(
                            format!("disasters.region_outage.regions[{i}]"),
                            format!(
                                "no resource lives in `{name}`; valid: {}",
                                resource_regions
                                    .iter()
                                    .map(|&r| model.regions[usize::from(r)].as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        );
                    }
                    id
                })
                .collect(),
        };
    }
    model.keys = raw.keys.as_ref().and_then(|k| keys(k, model, problems));
}

/// Loads the price catalog (relative to the scenario file), applies the overrides, and
/// resolves the prices of every (region, resource type) of the model.
fn costs(
    raw: &super::raw::RawCosts,
    scenario_file: &std::path::Path,
    model: &Model,
    inputs: &mut Vec<InputFile>,
    problems: &mut Problems,
) -> Option<Costs> {
    use crate::cost::{CatalogErrors, PriceItem, parse_catalog};
    let file = scenario_file
        .parent()
        .unwrap_or(std::path::Path::new("."))
        .join(&raw.catalog);
    let read = super::load::read_text(&file, "price catalog").map_err(|e| CatalogErrors(e.0));
    let mut catalog = match read.and_then(|text| {
        inputs.push(InputFile {
            file: raw.catalog.clone(),
            sha256: super::sha256_hex(text.as_bytes()),
        });
        parse_catalog(&file, &text)
    }) {
        Ok(c) => c,
        Err(e) => {
            problems.report(
                "costs.catalog",
                format!("the price catalog cannot be used:\n{e}"),
            );
            return None;
        }
    };
    for (i, o) in raw.overrides.iter().enumerate() {
        let path = format!("costs.override[{i}]");
        if !is_region_name(&o.region) {
            problems.report(
                format!("{path}.region"),
                format!("`{}` is not a region name; valid: e.g. us-east-1", o.region),
            );
        }
        let resource_type = match o.resource_type.as_str() {
            "any" => Some(None),
            name => ResourceType::parse(name).map(Some),
        };
        if resource_type.is_none() {
            problems.report(
                format!("{path}.resource_type"),
                format!(
                    "`{}` is not a resource type; valid: any, {}",
                    o.resource_type,
                    ResourceType::ALL.map(ResourceType::name).join(", ")
                ),
            );
        }
        let item = PriceItem::ALL.into_iter().find(|it| it.name() == o.item);
        if item.is_none() {
            problems.report(
                format!("{path}.item"),
                format!(
                    "`{}` is not a price item; valid: {}",
                    o.item,
                    PriceItem::ALL.map(PriceItem::name).join(", ")
                ),
            );
        }
        if !(o.usd.is_finite() && o.usd >= 0.0) {
            problems.report(
                format!("{path}.usd"),
                format!("{} must be a price in USD ≥ 0", o.usd),
            );
        }
        if let (Some(t), Some(it)) = (resource_type, item) {
            catalog.override_price(&o.region, t, it, o.usd);
        }
    }
    let mut prices = Vec::new();
    for region in &model.regions {
        for t in ResourceType::ALL {
            prices.push(Charge::ALL.map(|charge| {
                catalog
                    .price(region, t, charge.item())
                    .map(|p| (p.usd, p.source_kind))
            }));
        }
    }
    Some(Costs {
        catalog: catalog.name.clone(),
        gb_bytes: catalog.gb_bytes,
        cold_minimum_days: catalog.cold_minimum_days,
        per_day: ResourceType::ALL
            .iter()
            .map(|t| catalog.gb_day_types.contains(t))
            .collect(),
        prices,
        regions: model.regions.len(),
        attributes: Vec::new(),
        attribute_of: Vec::new(),
        dimension_values: Vec::new(),
        retention_fill_seconds: None,
        steady_from_month: None,
    })
}

/// The tag that names a resource's data class.
pub const DATA_CLASS_TAG: &str = "DataClassification";

/// Fills the cost keys (after groups are assigned): each resource's OU, environment,
/// tier, data class and type, interned.
fn cost_attributes(model: &mut Model) {
    let Some(costs) = model.costs.as_mut() else {
        return;
    };
    let mut values: Vec<Vec<String>> = vec![Vec::new(); 5];
    let mut intern = |dimension: usize, name: &str| -> u32 {
        let names = &mut values[dimension];
        let i = names.iter().position(|n| n == name).unwrap_or_else(|| {
            names.push(name.to_string());
            names.len() - 1
        });
        i as u32
    };
    let mut attributes: BTreeMap<CostAttributes, u32> = BTreeMap::new();
    let mut order = Vec::new();
    let mut attribute_of = Vec::with_capacity(model.resources.len());
    for r in &model.resources {
        let group = &model.groups[r.group];
        let a = CostAttributes {
            values: [
                intern(0, &model.ous[model.accounts[r.account].ou].name),
                intern(1, &group.environment),
                intern(2, &group.tier),
                intern(3, r.tag(DATA_CLASS_TAG).unwrap_or("unclassified")),
                intern(4, r.resource_type.name()),
            ],
            resource_type: r.resource_type,
        };
        let next = attributes.len() as u32;
        let i = *attributes.entry(a).or_insert_with(|| {
            order.push(a);
            next
        });
        attribute_of.push(i);
    }
    costs.attributes = order;
    costs.attribute_of = attribute_of;
    costs.dimension_values = values;
    let minimum_cold = costs.cold_minimum_days * DAY_SECONDS;
    let life = |cold: Option<i64>, delete: Option<i64>| {
        delete.map(|d| cold.map_or(d, |c| d.max(c.saturating_add(minimum_cold))))
    };
    let mut fill = Some(0i64);
    for program in &model.programs {
        let lives = program
            .lifecycles
            .iter()
            .map(|l| life(l.cold_after_seconds, l.delete_after_seconds))
            .chain(
                program
                    .copy_sets
                    .iter()
                    .flatten()
                    .map(|c| life(c.cold_after_seconds, c.delete_after_seconds)),
            );
        for l in lives {
            fill = fill.zip(l).map(|(a, b)| a.max(b));
        }
    }
    costs.retention_fill_seconds = fill;
    costs.steady_from_month = fill.and_then(|f| {
        model
            .simulation
            .months
            .iter()
            .position(|m| m.start_seconds >= f)
    });
}

fn keys(raw: &super::raw::RawKeys, model: &Model, problems: &mut Problems) -> Option<Keys> {
    let pattern = match raw.pattern.as_str() {
        "central" => KeyPattern::Central,
        "per_account" => KeyPattern::PerAccount,
        "hybrid" => KeyPattern::Hybrid,
        other => {
            problems.report(
                "keys.pattern",
                format!("`{other}` is not a key pattern; valid: central, per_account, hybrid"),
            );
            return None;
        }
    };
    let central_account = match raw.central_account.as_deref() {
        None => {
            if pattern != KeyPattern::PerAccount {
                problems.report(
                    "keys.central_account",
                    "the central and hybrid patterns need the account that owns the central key; valid: an account template with count = 1",
                );
            }
            None
        }
        Some(name) => {
            let matching: Vec<usize> = (0..model.accounts.len())
                .filter(|&a| model.accounts[a].template == name)
                .collect();
            if matching.len() != 1 {
                let singles: std::collections::BTreeMap<&str, usize> =
                    model.accounts.iter().fold(Default::default(), |mut m, a| {
                        *m.entry(a.template.as_str()).or_default() += 1;
                        m
                    });
                problems.report(
                    "keys.central_account",
                    format!(
                        "`{name}` is not an account template with exactly one account; valid: {}",
                        singles
                            .iter()
                            .filter(|(_, n)| **n == 1)
                            .map(|(t, _)| *t)
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                return None;
            }
            Some(matching[0])
        }
    };
    let mut core_ous = Vec::new();
    for (i, name) in raw.core_ous.iter().flatten().enumerate() {
        if let Some(ou) = problems.ou(&model.ous, name, format!("keys.core_ous[{i}]")) {
            core_ous.push(ou);
        }
    }
    let under_core = |mut ou: usize| loop {
        if core_ous.contains(&ou) {
            return true;
        }
        match model.ous[ou].parent {
            Some(p) => ou = p,
            None => return false,
        }
    };
    Some(Keys {
        pattern,
        multi_region: raw.multi_region.unwrap_or(false),
        central_account,
        core_account: model.accounts.iter().map(|a| under_core(a.ou)).collect(),
        cross_account_sharing: raw.cross_account_sharing.unwrap_or(true),
        customer_managed: match raw.kind.as_deref() {
            None | Some("customer_managed") => true,
            Some("aws_managed") => false,
            Some(other) => {
                problems.report(
                    "keys.kind",
                    format!("`{other}` is not a key kind; valid: customer_managed, aws_managed"),
                );
                true
            }
        },
        rotation_days: raw
            .rotation_days
            .and_then(|d| problems.range_i64(d, "keys.rotation_days", 90, 2560)),
    })
}

/// Numbers every region the model names and builds the region-pair lookup table.
fn intern_regions(model: &mut Model) {
    let mut names = std::collections::BTreeSet::new();
    names.extend(model.resources.iter().map(|r| r.region.to_string()));
    names.extend(model.vaults.iter().filter_map(|v| v.region.clone()));
    for p in &model.region_pairs {
        names.insert(p.source.clone());
        names.insert(p.destination.clone());
    }
    model.regions = names.into_iter().collect();
    assert!(
        model.regions.len() < usize::from(u16::MAX),
        "region ids fit in u16"
    );
    let id = |name: &str| {
        model
            .regions
            .iter()
            .position(|r| r == name)
            .expect("interned") as u16
    };
    let ids: Vec<u16> = model.resources.iter().map(|r| id(&r.region)).collect();
    let n = model.regions.len();
    let mut link_of = vec![None; n * n];
    for (i, p) in model.region_pairs.iter().enumerate() {
        let (s, d) = (usize::from(id(&p.source)), usize::from(id(&p.destination)));
        link_of[s * n + d] = Some(u16::try_from(i).expect("fewer than 65536 region pairs"));
    }
    for (r, i) in model.resources.iter_mut().zip(ids) {
        r.region_id = i;
    }
    model.link_of = link_of;
}

/// Assigns each resource its (tier, environment) reporting group.
fn assign_groups(model: &mut Model, tier_tag: &str) {
    let tier_count = model.tiers.len();
    let env_count = model.environments.len();
    let mut keys: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let mut resource_keys = Vec::with_capacity(model.resources.len());
    for r in &model.resources {
        let tier = r
            .tag(tier_tag)
            .and_then(|v| model.tiers.iter().position(|t| t.name == v))
            .unwrap_or(tier_count);
        let env = model.accounts[r.account].environment.unwrap_or(env_count);
        keys.insert((tier, env), 0);
        resource_keys.push((tier, env));
    }
    let mut groups = Vec::new();
    for (i, (key, slot)) in keys.iter_mut().enumerate() {
        *slot = i;
        let (tier, env) = *key;
        let tier_ref = model.tiers.get(tier);
        let env_ref = model.environments.get(env);
        groups.push(Group {
            tier: tier_ref.map_or_else(|| "untiered".to_string(), |t| t.name.clone()),
            environment: env_ref.map_or_else(|| "unassigned".to_string(), |e| e.name.clone()),
            rpo_target_seconds: tier_ref
                .and_then(|t| t.rpo_target_seconds)
                .or(env_ref.and_then(|e| e.rpo_target_seconds)),
            rto_target_seconds: tier_ref
                .and_then(|t| t.rto_target_seconds)
                .or(env_ref.and_then(|e| e.rto_target_seconds)),
        });
    }
    for (r, key) in model.resources.iter_mut().zip(resource_keys) {
        r.group = keys[&key];
    }
    model.groups = groups;
}
