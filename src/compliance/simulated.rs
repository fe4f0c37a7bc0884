//! Simulated compliance checks: what only the Monte Carlo run can show — a daily plan that
//! meets "RPO 24 h" on paper and misses it 9 % of the time, a disaster that leaves
//! resources unrecoverable, copies that never catch up, windows too short for the jobs.

use super::check::{DESIGN, format_number};
use super::{ControlEvaluation, Report};
use crate::model::{Evidence, Finding, Model, Scope, Severity};
use crate::montecarlo::{Estimates, RowSpec, Value};
use crate::sim::View;

/// Finding ids of the simulated checks.
pub mod ids {
    pub const RPO: &str = "VS-SIM-RPO";
    pub const RTO: &str = "VS-SIM-RTO";
    pub const UNRECOVERABLE: &str = "VS-SIM-UNRECOVERABLE";
    pub const DR_RPO: &str = "VS-SIM-DR-RPO";
    pub const EXPIRED: &str = "VS-SIM-EXPIRED";
    pub const COPY_BACKLOG: &str = "VS-SIM-COPY-BACKLOG";
}

/// Adds the simulated findings (and their control evaluations) to `report`, which holds
/// the static ones. Only per-tier × environment rows are judged (the pooled rows repeat
/// them).
pub fn simulated(model: &Model, rows: &[RowSpec], estimates: &Estimates, report: &mut Report) {
    let req = &model.requirements;
    let confidence = req.confidence;
    let file = req.file.clone();
    let add = |report: &mut Report, control: &str, scope: String, finding: Option<Finding>| {
        let findings = match finding {
            Some(f) => {
                report.findings.push(f);
                vec![report.findings.len() - 1]
            }
            None => Vec::new(),
        };
        report.controls.push(ControlEvaluation {
            framework: DESIGN.into(),
            control: control.to_string(),
            scope,
            parameters: vec![("confidence".into(), format_number(confidence))],
            compliant: usize::from(findings.is_empty()),
            non_compliant: usize::from(!findings.is_empty()),
            findings,
        });
    };
    for e in &estimates.rows {
        let spec = &rows[e.spec_index];
        if spec.tier == "all" || spec.environment == "all" || spec.resources == 0 {
            continue;
        }
        let scope_label = format!("{} · {} · {}", spec.tier, spec.environment, spec.disaster());
        let path = if model.tiers.iter().any(|t| t.name == spec.tier) {
            format!("tiers.{}", spec.tier)
        } else {
            format!("environments.{}", spec.environment)
        };
        let scope = Scope {
            label: scope_label.clone(),
            ous: Vec::new(),
            accounts: 0,
            resources: spec.resources as usize,
        };
        let finding = |id: &'static str,
                       severity: Severity,
                       title: &str,
                       control: &str,
                       evidence: Vec<Evidence>,
                       message: String,
                       fix: &str| Finding {
            id,
            severity,
            title: title.to_string(),
            control: control.to_string(),
            file: file.clone(),
            path: path.clone(),
            scope: scope.clone(),
            evidence,
            message,
            fix: fix.to_string(),
        };
        // RPO: the DR-region view has its own check.
        if let (Some(target), Some(p)) = (spec.rpo_target_seconds, e.p_meet_rpo.value) {
            let below = p < confidence && beyond_noise(p, e.p_meet_rpo, confidence);
            let (id, control, title) = if spec.view == View::DrRegion {
                (
                    ids::DR_RPO,
                    "simulated: DR-region RPO (copy lag)",
                    "the DR-region copies lag behind the RPO target",
                )
            } else {
                (
                    ids::RPO,
                    "simulated: P(RPO met) ≥ confidence",
                    "the RPO target is met less often than required",
                )
            };
            let f = below.then(|| {
                let mut evidence = vec![
                    Evidence::new("P(RPO met)", probability(e.p_meet_rpo)),
                    Evidence::new("required", format!("≥ {}", format_number(confidence))),
                    Evidence::new("RPO target (hours)", format_number(target as f64 / 3600.0)),
                ];
                if let Some(p95) = e.rpo.quantiles[2].value {
                    evidence.push(Evidence::new("RPO p95 (hours)", format_number(p95 / 3600.0)));
                }
                finding(
                    id,
                    severity_of(spec.view, p, confidence),
                    title,
                    control,
                    evidence,
                    format!(
                        "{scope_label}: RPO ≤ {} h is met with probability {} (required ≥ {})",
                        format_number(target as f64 / 3600.0),
                        probability(e.p_meet_rpo),
                        format_number(confidence)
                    ),
                    "back up more often, shorten the job's start delay, or add continuous backup; for the DR view, add copy bandwidth or copy less",
                )
            });
            add(report, control, scope_label.clone(), f);
        }
        if let (Some(target), Some(p)) = (spec.rto_target_seconds, e.p_meet_rto.value)
            && spec.view != View::DrRegion
        {
            let below = p < confidence && beyond_noise(p, e.p_meet_rto, confidence);
            let f = below.then(|| {
                let mut evidence = vec![
                    Evidence::new("P(RTO met)", probability(e.p_meet_rto)),
                    Evidence::new("required", format!("≥ {}", format_number(confidence))),
                    Evidence::new("RTO target (hours)", format_number(target as f64 / 3600.0)),
                ];
                if let Some(p95) = e.rto.quantiles[2].value {
                    evidence.push(Evidence::new("RTO p95 (hours)", format_number(p95 / 3600.0)));
                }
                finding(
                    ids::RTO,
                    severity_of(spec.view, p, confidence),
                    "the RTO target is met less often than required",
                    "simulated: P(RTO met) ≥ confidence",
                    evidence,
                    format!(
                        "{scope_label}: restores finish within {} h with probability {} (required ≥ {})",
                        format_number(target as f64 / 3600.0),
                        probability(e.p_meet_rto),
                        format_number(confidence)
                    ),
                    "restore from warm points, raise restore throughput or concurrency, restore by tier priority, or relax the target",
                )
            });
            add(
                report,
                "simulated: P(RTO met) ≥ confidence",
                scope_label.clone(),
                f,
            );
        }
        if let Some(p) = e.p_unrecoverable.value
            && spec.view != View::DrRegion
        {
            // What the environment table asks for: nothing lost at all where it requires
            // backups; across regions only where it requires a cross-region copy.
            let env = model
                .environments
                .iter()
                .position(|t| t.name == spec.environment)
                .map(|i| &req.environments[i]);
            let no_backup_by_design = env
                .and_then(|e| e.frequency.as_ref())
                .is_some_and(|f| f.none);
            let no_copy_by_design = spec.view == View::RegionOutage
                && env.is_some_and(|e| e.cross_region == Some(false));
            // Frameworks that require recoverability, with resources in this row.
            let requiring: Vec<&str> = req
                .frameworks
                .iter()
                .filter(|f| f.recoverable)
                .filter(|f| {
                    model.resources.iter().any(|r| {
                        spec.members.contains(&r.group)
                            && r.tag(&req.scope_tag)
                                .is_some_and(|v| v.split(',').any(|s| s.trim() == f.name))
                    })
                })
                .map(|f| f.name.as_str())
                .collect();
            let severity = if !requiring.is_empty() {
                Severity::Critical
            } else if no_backup_by_design || no_copy_by_design {
                Severity::Low
            } else if matches!(spec.view, View::AccountCompromise | View::KeyLoss) {
                Severity::High
            } else if p >= 0.01 {
                Severity::Critical
            } else {
                Severity::High
            };
            let title = if no_backup_by_design {
                "resources left with nothing to restore (no backup by design)"
            } else if no_copy_by_design {
                "resources left with nothing to restore in a region outage (no cross-region copy by design)"
            } else {
                "resources left with nothing to restore"
            };
            let framework_title;
            let title = if requiring.is_empty() {
                title
            } else {
                framework_title = format!(
                    "resources in scope of {} (which requires recoverability) left with nothing to restore",
                    requiring.join(", ")
                );
                framework_title.as_str()
            };
            let f = (p > 0.0).then(|| {
                finding(
                    ids::UNRECOVERABLE,
                    severity,
                    title,
                    "simulated: every loss is recoverable",
                    vec![
                        Evidence::new("P(unrecoverable)", probability(e.p_unrecoverable)),
                        Evidence::new("losses sampled", e.losses.to_string()),
                    ],
                    format!(
                        "{scope_label}: {} of sampled losses find no usable recovery point",
                        probability(e.p_unrecoverable)
                    ),
                    "keep points longer than the time to detect a problem, copy them out of the account and region, and lock the vault",
                )
            });
            add(
                report,
                "simulated: every loss is recoverable",
                scope_label.clone(),
                f,
            );
        }
    }

    // Jobs that never ran.
    let jobs = &estimates.jobs;
    if jobs.created > 0 {
        let share = jobs.expired as f64 / jobs.created as f64;
        let f = (share > 0.001).then(|| Finding {
            id: ids::EXPIRED,
            severity: if share > 0.01 { Severity::High } else { Severity::Medium },
            title: "backup jobs expire before they start".into(),
            control: "simulated: start windows long enough".into(),
            file: file.clone(),
            path: String::new(),
            scope: Scope {
                label: "all backup plans".into(),
                ..Scope::default()
            },
            evidence: vec![
                Evidence::new("jobs created per run", (jobs.created / estimates.trials.max(1)).to_string()),
                Evidence::new("expired", format!("{:.2} %", 100.0 * share)),
                Evidence::new(
                    "of which waiting for a copy of the resource",
                    format!(
                        "{:.2} %",
                        100.0 * jobs.expired_waiting_for_copy as f64 / jobs.created as f64
                    ),
                ),
            ],
            message: format!(
                "{:.2} % of scheduled backup jobs expire (EXPIRED) before they start; each is a missing recovery point",
                100.0 * share
            ),
            fix: "lengthen start windows, move rules so they do not collide with running copies (one job per resource at a time), or copy less often".into(),
        });
        add(
            report,
            "simulated: start windows long enough",
            "all backup plans".into(),
            f,
        );
    }

    // A copy backlog that never drains: on every day of the second half of the horizon the
    // link still holds copies at day end (in at least 90 % of trials), or the backlog keeps
    // growing. AWS's one-job-per-resource rule caps each resource at one copy in flight, so
    // an overloaded link shows as a backlog that never empties (and as expired backups).
    for (l, pair) in model.region_pairs.iter().enumerate() {
        let days = &estimates.copy_days;
        if days.len() < 4 {
            continue;
        }
        let band = |d: usize| days[d].backlog_bytes.get(l).copied();
        let mean = |d: usize| band(d).map_or(0.0, |b| b.mean);
        let half = days.len() / 2;
        let never_empty = (half..days.len()).all(|d| band(d).is_some_and(|b| b.p10 > 0.0));
        let (mid, end) = (mean(half), mean(days.len() - 1));
        let growing = end > 0.0 && end > 1.5 * mid;
        let label = format!("link {}>{}", pair.source, pair.destination);
        let lowest = (half..days.len()).map(mean).fold(f64::INFINITY, f64::min);
        let f = (never_empty || growing).then(|| Finding {
            id: ids::COPY_BACKLOG,
            severity: Severity::High,
            title: "the copy backlog never drains".into(),
            control: "simulated: copy backlog drains".into(),
            file: file.clone(),
            path: "region_pairs".into(),
            scope: Scope {
                label: label.clone(),
                ..Scope::default()
            },
            evidence: vec![
                Evidence::new("smallest day-end backlog, second half (GB)", format_number(lowest / 1e9)),
                Evidence::new("backlog at mid-horizon (GB)", format_number(mid / 1e9)),
                Evidence::new("backlog at the end (GB)", format_number(end / 1e9)),
            ],
            message: format!(
                "{label}: the link never empties in the second half of the horizon (at least {} GB waiting at every day end); copies lag and backups wait for them",
                format_number(lowest / 1e9)
            ),
            fix: "raise the link's throughput, copy fewer recovery points (weekly instead of daily), or stagger the copy schedules".into(),
        });
        add(report, "simulated: copy backlog drains", label, f);
    }
    super::check::sort_findings(report);
}

/// Whether `p` falls short of `required` by more than its Monte Carlo error (two
/// standard errors), so noise alone does not raise a finding.
fn beyond_noise(p: f64, value: Value, required: f64) -> bool {
    value
        .standard_error
        .is_none_or(|se| required - p > 2.0 * se)
}

fn severity_of(view: View, p: f64, required: f64) -> Severity {
    match view {
        View::Local | View::DrRegion if p < required - 0.1 => Severity::High,
        View::Local => Severity::Medium,
        _ if p < 0.5 => Severity::High,
        _ => Severity::Medium,
    }
}

fn probability(v: Value) -> String {
    match (v.value, v.standard_error) {
        (Some(p), Some(se)) => format!("{:.1} % ± {:.1} %", 100.0 * p, 100.0 * se),
        (Some(p), None) => format!("{:.1} %", 100.0 * p),
        _ => "n/a".into(),
    }
}
