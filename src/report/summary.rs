//! `summary.json`: the run manifest and every headline estimate. Its schema is
//! `docs/summary.schema.json`; a test validates the output against it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::model::{DAY_SECONDS, KeyPattern, Model, Timing};
use crate::montecarlo::{Distribution, Estimates, RowSpec, Value};
use crate::sim::JobCounts;

/// Version of the summary layout; bump when a field changes meaning or disappears.
pub const SUMMARY_FORMAT: u32 = 1;

/// What identifies a run, so that it can be repeated.
#[derive(Debug, Clone)]
pub struct RunInfo {
    pub scenario_file: String,
    pub scenario_sha256: String,
    /// The other files the model was read from (`Model::inputs`).
    pub inputs: Vec<crate::model::InputFile>,
    pub seed: u64,
    pub trials: u64,
}

#[derive(Serialize)]
struct Summary<'a> {
    format: u32,
    vaultsim_version: &'static str,
    maths_fingerprint: String,
    scenario: ScenarioInfo<'a>,
    seed: u64,
    trials: u64,
    estate: EstateInfo,
    jobs: JobsInfo,
    copies: CopiesInfo,
    job_reports: JobReports,
    rpo_rto: Vec<RowOut<'a>>,
    storage: StorageInfo,
    disasters: Vec<DisasterOut>,
    keys: KeysOut,
    cost: Option<CostOut>,
    findings: Vec<FindingOut<'a>>,
}

/// Jobs per trial (mean) in the states of AWS Backup Audit Manager's job reports
/// (aws-backup-facts §3.2, §8.2).
#[derive(Serialize)]
#[allow(non_snake_case)]
struct JobReports {
    BACKUP_JOB_REPORT: BackupStates,
    COPY_JOB_REPORT: CopyStates,
    /// Per disaster: restore jobs that ran, and losses with no recovery point to restore.
    RESTORE_JOB_REPORT: Vec<RestoreStates>,
}

#[derive(Serialize)]
#[allow(non_snake_case)]
struct BackupStates {
    COMPLETED: f64,
    FAILED: f64,
    /// Not started inside the start window.
    EXPIRED: f64,
    /// Canceled by AWS Backup at the end of the completion window.
    ABORTED: f64,
}

#[derive(Serialize)]
#[allow(non_snake_case)]
struct CopyStates {
    COMPLETED: f64,
    /// Failures and refusals (cold source, vault lock, unshared key).
    FAILED: f64,
    /// Still waiting or transferring when the horizon ends.
    RUNNING: f64,
}

#[derive(Serialize)]
#[allow(non_snake_case)]
struct RestoreStates {
    disaster: &'static str,
    COMPLETED: f64,
    no_recovery_point: f64,
}

/// The cost forecast's headline figures (USD); the months are in cost_monthly.csv.
#[derive(Serialize)]
struct CostOut {
    catalog: String,
    /// The first twelve months (or the horizon, if shorter): mean with its Monte Carlo error.
    first_year_usd: ValueOut,
    months_in_first_year: usize,
    /// Each run of twelve months of the horizon.
    years: Vec<CostYearOut>,
    /// The first year's mean cost per category, dimension and value.
    first_year_by: BTreeMap<&'static str, BTreeMap<String, f64>>,
    steady_state: SteadyStateOut,
    /// The last month simulated: mean and P10/P90 over trials.
    last_month_usd_mean: f64,
    last_month_usd_p10: f64,
    last_month_usd_p90: f64,
    /// Per charge with quantities that have no price in the catalog (not counted).
    unpriced: Vec<UnpricedOut>,
    /// What each rule's cold transition buys.
    lifecycle: Vec<LifecycleOut>,
}

#[derive(Serialize)]
struct CostYearOut {
    /// First and last month (`YYYY-MM`).
    from: String,
    to: String,
    months: usize,
    usd: ValueOut,
}

/// The steady state: once every retention has filled.
#[derive(Serialize)]
struct SteadyStateOut {
    /// Days until the longest-lived recovery point or copy is deleted (null: some are
    /// kept forever, so storage never stops filling).
    retention_fill_days: Option<f64>,
    /// The first month of the steady state (null when the horizon ends first).
    from_month: Option<String>,
    /// Months before it: the ramp-up (the whole horizon when it is not reached).
    ramp_up_months: usize,
    /// Mean monthly cost over the complete steady-state months.
    monthly_usd: ValueOut,
    /// The steady-state month projected from the horizon (Little's law on the simulated
    /// recovery points; null when points are kept forever).
    projected_monthly_usd: ValueOut,
}

#[derive(Serialize)]
struct UnpricedOut {
    charge: &'static str,
    unit: &'static str,
    /// Mean per trial over the horizon.
    quantity: f64,
}

#[derive(Serialize)]
struct LifecycleOut {
    rule: String,
    /// `saves`, `costs_more` or `does_nothing` (the types cannot go cold).
    verdict: &'static str,
    /// Recovery points per trial that asked for cold storage, those that cannot go
    /// cold, and those the catalog cannot price (left out of the costs below).
    points: f64,
    unsupported_points: f64,
    unpriced_points: f64,
    /// The priced points' lifetime cost as designed and had they stayed warm.
    designed_usd: f64,
    stay_warm_usd: f64,
    /// Stay-warm minus designed, with its Monte Carlo error.
    saving_usd: ValueOut,
}

fn cost_out(
    model: &Model,
    costs: &crate::model::Costs,
    c: &crate::montecarlo::CostForecast,
) -> CostOut {
    let months = &model.simulation.months;
    let last = c.total.last().copied();
    let first_months = c.total.len().min(12);
    let year_sum =
        |bands: &[crate::montecarlo::Band]| bands.iter().take(12).map(|b| b.mean).sum::<f64>();
    let mut first_year_by = BTreeMap::new();
    first_year_by.insert(
        "category",
        crate::cost::COST_CATEGORIES
            .iter()
            .zip(&c.by_category)
            .map(|(n, b)| (n.to_string(), year_sum(b)))
            .collect(),
    );
    let names = super::csv_files::cost_dimension_values(model);
    for ((dimension, values), bands) in crate::cost::COST_DIMENSIONS
        .iter()
        .zip(&names)
        .zip(&c.by_dimension)
    {
        first_year_by.insert(
            *dimension,
            values
                .iter()
                .zip(bands)
                .map(|(v, b)| (v.clone(), year_sum(b)))
                .filter(|(_, usd)| *usd != 0.0)
                .collect(),
        );
    }
    let lifecycle = c
        .lifecycle
        .iter()
        .map(|l| LifecycleOut {
            rule: model.rules[l.rule].clone(),
            verdict: if l.unsupported >= l.points {
                "does_nothing"
            } else if l.saving_usd.value.is_some_and(|v| v < 0.0) {
                "costs_more"
            } else {
                "saves"
            },
            points: l.points,
            unsupported_points: l.unsupported,
            unpriced_points: l.unpriced,
            designed_usd: l.designed_usd,
            stay_warm_usd: l.stay_warm_usd,
            saving_usd: l.saving_usd.into(),
        })
        .collect();
    CostOut {
        catalog: costs.catalog.clone(),
        first_year_usd: c.first_year.into(),
        months_in_first_year: first_months,
        years: c
            .years
            .iter()
            .enumerate()
            .map(|(y, v)| {
                let first = 12 * y;
                let last = (first + 12).min(months.len()) - 1;
                CostYearOut {
                    from: months[first].label.clone(),
                    to: months[last].label.clone(),
                    months: last + 1 - first,
                    usd: (*v).into(),
                }
            })
            .collect(),
        first_year_by,
        steady_state: SteadyStateOut {
            retention_fill_days: costs
                .retention_fill_seconds
                .map(|s| s as f64 / crate::model::DAY_SECONDS as f64),
            from_month: costs
                .steady_from_month
                .filter(|_| c.steady_monthly.value.is_some())
                .map(|m| months[m].label.clone()),
            ramp_up_months: costs
                .steady_from_month
                .filter(|_| c.steady_monthly.value.is_some())
                .unwrap_or(months.len()),
            monthly_usd: c.steady_monthly.into(),
            projected_monthly_usd: c.projected_steady_monthly.into(),
        },
        last_month_usd_mean: last.map_or(0.0, |b| b.mean),
        last_month_usd_p10: last.map_or(0.0, |b| b.p10),
        last_month_usd_p90: last.map_or(0.0, |b| b.p90),
        unpriced: crate::cost::Charge::ALL
            .iter()
            .zip(&c.unpriced)
            .filter(|(_, q)| **q > 0.0)
            .map(|(charge, q)| UnpricedOut {
                charge: charge.name(),
                unit: charge.unit(),
                quantity: *q,
            })
            .collect(),
        lifecycle,
    }
}

/// A disaster type: how often it strikes and what that means per year.
#[derive(Serialize)]
struct DisasterOut {
    name: &'static str,
    /// What the rate counts per: resource, account, region or key.
    unit: &'static str,
    /// Units exposed (resources, accounts, failed regions, keys in use).
    units: usize,
    rate_per_year: Option<f64>,
    /// rate × units.
    events_per_year: Option<f64>,
    /// 1 − e^(−events per year).
    probability_per_year: Option<f64>,
    /// The forced instant, if the scenario forces one.
    forced_at: Option<String>,
    /// P(unrecoverable | hit) over all resources it hits, with its Monte Carlo error.
    p_unrecoverable: ValueOut,
    /// rate × resources hit per event set × P(unrecoverable): resources lost for good per year.
    expected_unrecoverable_resources_per_year: Option<f64>,
}

/// The KMS key pattern and the blast radius of losing one key.
#[derive(Serialize)]
struct KeysOut {
    pattern: &'static str,
    multi_region: bool,
    keys_in_use: usize,
    /// Most accounts / resources with points under one key.
    max_accounts_per_key: usize,
    max_resources_per_key: usize,
    mean_accounts_per_key: Option<f64>,
}

#[derive(Serialize)]
struct FindingOut<'a> {
    id: &'a str,
    severity: &'a str,
    title: &'a str,
    control: &'a str,
    file: &'a str,
    path: &'a str,
    scope: &'a str,
    message: &'a str,
    evidence: BTreeMap<&'a str, &'a str>,
    fix: &'a str,
    accounts: usize,
    resources: usize,
}

#[derive(Serialize)]
struct ScenarioInfo<'a> {
    name: &'a str,
    file: &'a str,
    sha256: &'a str,
    /// The policy and price files the scenario reads, with their SHA-256.
    inputs: &'a [crate::model::InputFile],
    /// The scenario's seed, from which the estate is generated (`--seed` leaves it alone).
    estate_seed: u64,
    epoch: String,
    horizon_days: i64,
    warmup_days: i64,
}

#[derive(Serialize)]
struct EstateInfo {
    accounts: usize,
    resources: usize,
    protected_resources: usize,
    programs: usize,
    initial_bytes: u128,
}

#[derive(Serialize)]
struct JobsInfo {
    per_trial_mean: JobsMean,
}

#[derive(Serialize)]
struct CopiesInfo {
    /// Mean per trial.
    created: f64,
    completed: f64,
    running_at_end: f64,
    failed: f64,
    refused_cold: f64,
    rejected_by_lock: f64,
    rejected_by_key: f64,
    denied_by_scp: f64,
    bytes: f64,
    /// Copy lag (completion − source usable), seconds, over all copies of all trials.
    lag_seconds_p50: Option<f64>,
    lag_seconds_p95: Option<f64>,
    lag_seconds_max: Option<f64>,
    lag_seconds_mean: Option<f64>,
}

#[derive(Serialize)]
struct JobsMean {
    created: f64,
    completed: f64,
    failed: f64,
    expired: f64,
    /// Of the expired jobs, those that waited for a copy of their resource.
    expired_waiting_for_copy: f64,
    /// Jobs that started late because a copy of their resource was still running.
    delayed_by_copy: f64,
    cut_off: f64,
    rejected_by_lock: f64,
    denied_by_scp: f64,
    bytes_transferred: f64,
}

#[derive(Serialize)]
struct ValueOut {
    value: Option<f64>,
    standard_error: Option<f64>,
}

impl From<Value> for ValueOut {
    fn from(v: Value) -> Self {
        ValueOut {
            value: v.value,
            standard_error: v.standard_error,
        }
    }
}

#[derive(Serialize)]
struct DistributionOut {
    p50: ValueOut,
    p90: ValueOut,
    p95: ValueOut,
    p99: ValueOut,
    max: ValueOut,
    mean: ValueOut,
}

impl From<&Distribution> for DistributionOut {
    fn from(d: &Distribution) -> Self {
        DistributionOut {
            p50: d.quantiles[0].into(),
            p90: d.quantiles[1].into(),
            p95: d.quantiles[2].into(),
            p99: d.quantiles[3].into(),
            max: d.max.into(),
            mean: d.mean.into(),
        }
    }
}

#[derive(Serialize)]
struct RowOut<'a> {
    tier: &'a str,
    environment: &'a str,
    disaster: &'a str,
    resources: u64,
    rpo_target_seconds: Option<i64>,
    rto_target_seconds: Option<i64>,
    rpo_seconds: DistributionOut,
    rto_seconds: DistributionOut,
    p_meet_rpo: ValueOut,
    p_meet_rto: ValueOut,
    p_unrecoverable: ValueOut,
    p_unrecoverable_time: ValueOut,
    losses_sampled: u64,
}

#[derive(Serialize)]
struct StorageInfo {
    /// Mean over trials of the average bytes held on the last day.
    final_day_warm_bytes_mean: f64,
    final_day_cold_bytes_mean: f64,
    peak_warm_bytes_mean: f64,
    peak_cold_bytes_mean: f64,
}

fn per_trial(total: u128, trials: u64) -> f64 {
    total as f64 / trials as f64
}

fn jobs_mean(j: &JobCounts, trials: u64) -> JobsMean {
    let m = |x: u64| per_trial(u128::from(x), trials);
    JobsMean {
        created: m(j.created),
        completed: m(j.completed),
        failed: m(j.failed),
        expired: m(j.expired),
        expired_waiting_for_copy: m(j.expired_waiting_for_copy),
        delayed_by_copy: m(j.delayed_by_copy),
        cut_off: m(j.cut_off),
        rejected_by_lock: m(j.rejected_by_lock),
        denied_by_scp: m(j.denied_by_scp),
        bytes_transferred: per_trial(j.bytes_transferred, trials),
    }
}

/// The instant `seconds` after the epoch, RFC 3339 UTC with whole seconds.
pub(super) fn instant_text(model: &Model, seconds: i64) -> String {
    chrono::DateTime::from_timestamp(model.simulation.epoch_unix_seconds + seconds, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn disasters(model: &Model, rows: &[RowSpec], estimates: &Estimates) -> Vec<DisasterOut> {
    use crate::sim::View;
    let d = &model.disasters;
    let keys_in_use = model.key_reach().len();
    let mut out = Vec::new();
    let mut push = |view: View, unit: &'static str, units: usize, timing: &Timing| {
        let all = estimates.rows.iter().find(|e| {
            let s = &rows[e.spec_index];
            s.view == view && s.tier == "all" && s.environment == "all"
        });
        let p = all.map_or(
            Value {
                value: None,
                standard_error: None,
            },
            |e| e.p_unrecoverable,
        );
        let hit_per_trial = all.map(|e| e.losses as f64 / estimates.trials.max(1) as f64);
        let events = timing.rate_per_year.map(|r| r * units as f64);
        out.push(DisasterOut {
            name: view.name(),
            unit,
            units,
            rate_per_year: timing.rate_per_year,
            events_per_year: events,
            probability_per_year: events.map(|e| -(-e).exp_m1()),
            forced_at: timing.at_seconds.map(|s| instant_text(model, s)),
            p_unrecoverable: p.into(),
            expected_unrecoverable_resources_per_year: match (
                timing.rate_per_year,
                hit_per_trial,
                p.value,
            ) {
                (Some(r), Some(h), Some(p)) => Some(r * h * p),
                _ => None,
            },
        });
    };
    let resources = model.resources.len();
    if let Some(r) = &d.resource_loss {
        push(View::Local, "resource", resources, &r.timing);
    }
    if let Some(c) = &d.logical_corruption {
        push(View::Corruption, "resource", resources, &c.timing);
    }
    if let Some(o) = &d.region_outage {
        push(View::RegionOutage, "region", o.regions.len(), &o.timing);
    }
    if let Some(c) = &d.account_compromise {
        push(
            View::AccountCompromise,
            "account",
            model.accounts.len(),
            &c.timing,
        );
    }
    if let Some(k) = &d.key_loss {
        push(View::KeyLoss, "key", keys_in_use, &k.timing);
    }
    out
}

fn keys(model: &Model) -> KeysOut {
    let reach = model.key_reach();
    KeysOut {
        pattern: match model.keys.as_ref().map(|k| k.pattern) {
            Some(KeyPattern::Central) => "central",
            Some(KeyPattern::Hybrid) => "hybrid",
            Some(KeyPattern::PerAccount) | None => "per_account",
        },
        multi_region: model.keys.as_ref().is_some_and(|k| k.multi_region),
        keys_in_use: reach.len(),
        max_accounts_per_key: reach.iter().map(|k| k.accounts).max().unwrap_or(0),
        max_resources_per_key: reach.iter().map(|k| k.resources).max().unwrap_or(0),
        mean_accounts_per_key: (!reach.is_empty())
            .then(|| reach.iter().map(|k| k.accounts as f64).sum::<f64>() / reach.len() as f64),
    }
}

/// Renders `summary.json` (pretty, with a trailing newline).
pub fn render(
    model: &Model,
    run: &RunInfo,
    rows: &[RowSpec],
    estimates: &Estimates,
    findings: &[crate::model::Finding],
) -> String {
    let epoch = instant_text(model, 0);
    let summary = Summary {
        format: SUMMARY_FORMAT,
        vaultsim_version: env!("CARGO_PKG_VERSION"),
        maths_fingerprint: crate::dist::maths_fingerprint(),
        scenario: ScenarioInfo {
            name: &model.name,
            file: &run.scenario_file,
            sha256: &run.scenario_sha256,
            inputs: &run.inputs,
            estate_seed: model.simulation.seed,
            epoch,
            horizon_days: model.simulation.horizon_seconds / DAY_SECONDS,
            warmup_days: model.simulation.warmup_seconds / DAY_SECONDS,
        },
        seed: run.seed,
        trials: run.trials,
        estate: EstateInfo {
            accounts: model.accounts.len(),
            resources: model.resources.len(),
            protected_resources: model
                .resources
                .iter()
                .filter(|r| r.program.is_some())
                .count(),
            programs: model.programs.len(),
            initial_bytes: model
                .resources
                .iter()
                .map(|r| u128::from(r.size_bytes))
                .sum(),
        },
        jobs: JobsInfo {
            per_trial_mean: jobs_mean(&estimates.jobs, estimates.trials),
        },
        copies: {
            let c = &estimates.copies;
            let m = |x: u64| per_trial(u128::from(x), estimates.trials);
            CopiesInfo {
                created: m(c.created),
                completed: m(c.completed),
                running_at_end: m(c.running_at_end),
                failed: m(c.failed),
                refused_cold: m(c.refused_cold),
                rejected_by_lock: m(c.rejected_by_lock),
                rejected_by_key: m(c.rejected_by_key),
                denied_by_scp: m(c.denied_by_scp),
                bytes: per_trial(c.bytes, estimates.trials),
                lag_seconds_p50: c.lag.quantile(0.50),
                lag_seconds_p95: c.lag.quantile(0.95),
                lag_seconds_max: c.lag.max().map(|x| x as f64),
                lag_seconds_mean: c.lag.mean(),
            }
        },
        job_reports: {
            let t = estimates.trials.max(1) as f64;
            let (j, c) = (&estimates.jobs, &estimates.copies);
            JobReports {
                BACKUP_JOB_REPORT: BackupStates {
                    COMPLETED: j.completed as f64 / t,
                    FAILED: j.failed as f64 / t,
                    EXPIRED: j.expired as f64 / t,
                    ABORTED: j.cut_off as f64 / t,
                },
                COPY_JOB_REPORT: CopyStates {
                    COMPLETED: c.completed as f64 / t,
                    FAILED: (c.failed
                        + c.refused_cold
                        + c.rejected_by_lock
                        + c.rejected_by_key
                        + c.denied_by_scp) as f64
                        / t,
                    RUNNING: c.running_at_end as f64 / t,
                },
                RESTORE_JOB_REPORT: estimates
                    .rows
                    .iter()
                    .filter(|e| {
                        let s = &rows[e.spec_index];
                        s.tier == "all" && s.environment == "all" && e.losses > 0
                    })
                    .map(|e| {
                        let unrecoverable =
                            e.p_unrecoverable.value.unwrap_or(0.0) * e.losses as f64;
                        RestoreStates {
                            disaster: rows[e.spec_index].disaster(),
                            COMPLETED: (e.losses as f64 - unrecoverable) / t,
                            no_recovery_point: unrecoverable / t,
                        }
                    })
                    .collect(),
            }
        },
        rpo_rto: estimates
            .rows
            .iter()
            .map(|e| {
                let spec = &rows[e.spec_index];
                RowOut {
                    tier: &spec.tier,
                    environment: &spec.environment,
                    disaster: spec.disaster(),
                    resources: spec.resources,
                    rpo_target_seconds: spec.rpo_target_seconds,
                    rto_target_seconds: spec.rto_target_seconds,
                    rpo_seconds: (&e.rpo).into(),
                    rto_seconds: (&e.rto).into(),
                    p_meet_rpo: e.p_meet_rpo.into(),
                    p_meet_rto: e.p_meet_rto.into(),
                    p_unrecoverable: e.p_unrecoverable.into(),
                    p_unrecoverable_time: e.p_unrecoverable_time.into(),
                    losses_sampled: e.losses,
                }
            })
            .collect(),
        storage: StorageInfo {
            final_day_warm_bytes_mean: estimates.storage.last().map_or(0.0, |d| d.warm.mean),
            final_day_cold_bytes_mean: estimates.storage.last().map_or(0.0, |d| d.cold.mean),
            peak_warm_bytes_mean: estimates
                .storage
                .iter()
                .map(|d| d.warm.mean)
                .fold(0.0, f64::max),
            peak_cold_bytes_mean: estimates
                .storage
                .iter()
                .map(|d| d.cold.mean)
                .fold(0.0, f64::max),
        },
        disasters: disasters(model, rows, estimates),
        keys: keys(model),
        cost: estimates
            .cost
            .as_ref()
            .zip(model.costs.as_ref())
            .map(|(c, costs)| cost_out(model, costs, c)),
        findings: findings
            .iter()
            .map(|f| FindingOut {
                id: f.id,
                severity: f.severity.name(),
                title: &f.title,
                control: &f.control,
                file: &f.file,
                path: &f.path,
                scope: &f.scope.label,
                message: &f.message,
                evidence: f
                    .evidence
                    .iter()
                    .map(|e| (e.name.as_str(), e.value.as_str()))
                    .collect(),
                fix: &f.fix,
                accounts: f.scope.accounts,
                resources: f.scope.resources,
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&summary).expect("summary serialises");
    text.push('\n');
    text
}
