//! The scenario file schema, exactly as written in TOML (serde types).
//!
//! These types only describe the file: every struct rejects unknown fields, and nothing
//! here is validated beyond types. `scenario::resolve` checks values and builds the
//! `model::Model`. Field names of backup plans follow the AWS Organizations backup-policy
//! keys (`schedule_expression`, `start_backup_window_minutes`, …) so that a plan written
//! here and a policy document resolve to the same thing. `docs/scenario.md` documents
//! every field.

use std::collections::BTreeMap;

use serde::Deserialize;

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    pub simulation: RawSimulation,
    pub organization: RawOrganization,
    #[serde(default)]
    pub resource_types: BTreeMap<String, RawTypeBehaviour>,
    #[serde(default)]
    pub vaults: BTreeMap<String, RawVault>,
    #[serde(default)]
    pub plans: BTreeMap<String, RawPlan>,
    /// AWS Organizations backup policy files, attached in this order.
    #[serde(default)]
    pub policies: Vec<RawPolicyAttachment>,
    #[serde(default)]
    pub region_pairs: Vec<RawRegionPair>,
    #[serde(default)]
    pub tiers: BTreeMap<String, RawTarget>,
    #[serde(default)]
    pub environments: BTreeMap<String, RawEnvironment>,
    #[serde(default)]
    pub disasters: RawDisasters,
    /// The KMS key pattern of the backup vaults.
    #[serde(default)]
    pub keys: Option<RawKeys>,
    /// Where prices come from (cost forecast).
    #[serde(default)]
    pub costs: Option<RawCosts>,
    /// How compliance is judged (`vaultsim check`, and the simulated checks of `run`).
    #[serde(default)]
    pub compliance: Option<RawCompliance>,
    /// The data-classification table.
    #[serde(default)]
    pub data_classes: BTreeMap<String, RawDataClass>,
    /// Compliance frameworks resources opt into with their scope tag.
    #[serde(default)]
    pub frameworks: BTreeMap<String, RawFramework>,
    /// Service control policies that restrict backup actions by region.
    #[serde(default)]
    pub service_control_policies: Vec<RawScp>,
}

/// Compliance settings: tags, the confidence simulated targets need, and the parameters
/// of AWS Backup Audit Manager's controls.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawCompliance {
    #[serde(default)]
    pub confidence: Option<f64>,
    #[serde(default)]
    pub classification_tag: Option<String>,
    #[serde(default)]
    pub scope_tag: Option<String>,
    #[serde(default)]
    pub required_frequency_hours: Option<f64>,
    #[serde(default)]
    pub required_retention_days: Option<i64>,
    #[serde(default)]
    pub recovery_point_age_hours: Option<f64>,
    #[serde(default)]
    pub max_restore_minutes: Option<f64>,
    #[serde(default)]
    pub fail_on: Option<String>,
}

/// One row of the data-classification table.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDataClass {
    #[serde(default)]
    pub description: Option<String>,
    /// `optional`, `aws_managed` or `customer_managed`.
    pub encryption: String,
    #[serde(default)]
    pub retention_days: Option<i64>,
    #[serde(default)]
    pub backup_frequency: Option<String>,
    #[serde(default)]
    pub mfa: Option<bool>,
    #[serde(default)]
    pub rotation_days: Option<i64>,
}

/// A compliance framework's backup requirements.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFramework {
    /// The clause or requirement quoted in findings.
    pub clause: String,
    #[serde(default)]
    pub retention_days: Option<i64>,
    #[serde(default)]
    pub backup_frequency: Option<String>,
    #[serde(default)]
    pub allowed_regions: Option<Vec<String>>,
    #[serde(default)]
    pub worm: Option<bool>,
    #[serde(default)]
    pub recoverable: Option<bool>,
}

/// A service control policy denying backup actions outside some regions.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScp {
    pub name: String,
    pub attach_to: Vec<String>,
    #[serde(default)]
    pub enabled: Option<bool>,
    pub actions: Vec<String>,
    pub allowed_regions: Vec<String>,
}

/// The price catalog used to price storage and copies.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCosts {
    /// Catalog file, relative to the scenario file.
    pub catalog: String,
    /// Single prices that replace (or add to) the catalog's.
    #[serde(default, rename = "override")]
    pub overrides: Vec<RawPriceOverride>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPriceOverride {
    pub region: String,
    pub resource_type: String,
    pub item: String,
    pub usd: f64,
}

/// Which KMS keys encrypt the recovery points of each vault ([seed §Key Architecture
/// Patterns]).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKeys {
    /// `central`, `per_account` or `hybrid`.
    pub pattern: String,
    /// One multi-Region key (replicated) instead of one key per region.
    #[serde(default)]
    pub multi_region: Option<bool>,
    /// Account template (count = 1) that owns the central keys.
    #[serde(default)]
    pub central_account: Option<String>,
    /// `hybrid`: accounts under these OUs use the central key.
    #[serde(default)]
    pub core_ous: Option<Vec<String>>,
    /// Whether account-owned keys are shared with the destination account of cross-account
    /// copies (without it such copies fail).
    #[serde(default)]
    pub cross_account_sharing: Option<bool>,
    /// `customer_managed` (default) or `aws_managed`.
    #[serde(default)]
    pub kind: Option<String>,
    /// Automatic rotation period of the keys, days (none: not rotated).
    #[serde(default)]
    pub rotation_days: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSimulation {
    /// RFC 3339 UTC instant, e.g. `2026-01-01T00:00:00Z`.
    pub epoch: String,
    pub horizon_days: i64,
    #[serde(default)]
    pub warmup_days: Option<i64>,
    pub trials: i64,
    pub seed: i64,
    #[serde(default)]
    pub completion_window_from: Option<String>,
    #[serde(default)]
    pub start_delay_minutes: Option<RawDist>,
    #[serde(default)]
    pub default_start_backup_window_minutes: Option<i64>,
    #[serde(default)]
    pub default_complete_backup_window_minutes: Option<i64>,
    /// Tag whose value names the resource's tier.
    #[serde(default)]
    pub tier_tag: Option<String>,
    /// Throughput of same-region (cross-account) copies, MiB/s.
    #[serde(default)]
    pub intra_region_copy_mib_per_s: Option<RawDist>,
    /// Whether a scheduled job's start is authorised against SCPs as
    /// `backup:StartBackupJob` / `backup:StartCopyJob` (AWS does not say).
    #[serde(default)]
    pub scheduled_jobs_checked_against_scps: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOrganization {
    /// OU name → OU. The root is implicit and called `Root`.
    #[serde(default)]
    pub ous: BTreeMap<String, RawOu>,
    /// Account template name → template.
    pub account_templates: BTreeMap<String, RawAccountTemplate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOu {
    /// Parent OU name; `Root` for a top-level OU.
    pub parent: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccountTemplate {
    pub ou: String,
    pub count: i64,
    pub home_regions: Vec<String>,
    /// First account id of the template (12 digits); later accounts count up from it.
    #[serde(default)]
    pub first_account_id: Option<String>,
    /// Resource template name → resource template.
    #[serde(default)]
    pub resources: BTreeMap<String, RawResourceTemplate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResourceTemplate {
    #[serde(rename = "type")]
    pub resource_type: String,
    /// Resources of this template per account (drawn per account, rounded to the nearest integer).
    pub count: RawDist,
    pub size_gib: RawDist,
    /// Fraction of the size changed per day, drawn once per resource.
    #[serde(default)]
    pub daily_change_rate: Option<RawDist>,
    /// Growth per month as a fraction (0.02 = 2 %), drawn once per resource.
    #[serde(default)]
    pub monthly_growth: Option<RawDist>,
    /// Tag key → value, or value → weight table for a weighted choice per resource.
    #[serde(default)]
    pub tags: BTreeMap<String, RawTagValue>,
}

/// A tag value: fixed, or a weighted choice drawn per resource.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawTagValue {
    Fixed(String),
    Weighted(BTreeMap<String, f64>),
}

/// A probability distribution as written: `{ dist = "lognormal", median = 100, p95 = 800 }`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawDist {
    pub dist: String,
    pub value: Option<f64>,
    pub low: Option<f64>,
    pub high: Option<f64>,
    pub mean: Option<f64>,
    pub sd: Option<f64>,
    pub mu: Option<f64>,
    pub sigma: Option<f64>,
    pub median: Option<f64>,
    pub p95: Option<f64>,
    pub values: Option<Vec<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTypeBehaviour {
    pub backup_throughput_mib_per_s: RawDist,
    pub failure_probability: f64,
    /// Probability that a copy job fails for good; default: `failure_probability`.
    #[serde(default)]
    pub copy_failure_probability: Option<f64>,
    /// Default: what AWS documents for the type (`ResourceType::capabilities`);
    /// required where AWS documents nothing definite.
    #[serde(default)]
    pub incremental: Option<bool>,
    /// Default: whether AWS documents cold storage for the type.
    #[serde(default)]
    pub cold_storage: Option<bool>,
    #[serde(default)]
    pub continuous_lag_minutes: Option<f64>,
    pub retrieval_minutes: RawDist,
    pub cold_retrieval_extra_hours: RawDist,
    pub restore_throughput_mib_per_s: RawDist,
    pub restore_process_minutes: RawDist,
    pub validation_minutes: RawDist,
    /// The slow period after a restore while data is loaded on first access (EBS lazy
    /// loading, RDS warm-up), minutes; default 0.
    #[serde(default)]
    pub hydration_minutes: Option<RawDist>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVault {
    /// `workload` (each workload account has its own) or an account template name
    /// whose template has exactly one account (a central backup account).
    pub account: String,
    /// `home` (the account's home region) or a region name.
    pub region: String,
    #[serde(default)]
    pub lock: Option<RawVaultLock>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVaultLock {
    /// `governance` or `compliance`.
    pub mode: String,
    #[serde(default)]
    pub min_retention_days: Option<i64>,
    #[serde(default)]
    pub max_retention_days: Option<i64>,
}

/// A backup plan, in the shape of an AWS Organizations backup policy plan (values only,
/// no `@@assign`), plus where it is attached.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPlan {
    /// OU names (or `Root`) the plan is attached to; applies to every account below.
    pub attach_to: Vec<String>,
    pub regions: Vec<String>,
    pub rules: BTreeMap<String, RawRule>,
    #[serde(default)]
    pub selections: RawSelections,
}

/// A backup policy file (AWS Organizations JSON) attached to OUs and accounts.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicyAttachment {
    /// Path of the JSON file, relative to the scenario file.
    pub file: String,
    /// `Root`, OU names, or 12-digit account ids.
    pub attach_to: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub schedule_expression: String,
    #[serde(default)]
    pub schedule_expression_timezone: Option<String>,
    #[serde(default)]
    pub start_backup_window_minutes: Option<i64>,
    #[serde(default)]
    pub complete_backup_window_minutes: Option<i64>,
    pub target_backup_vault_name: String,
    #[serde(default)]
    pub enable_continuous_backup: bool,
    #[serde(default)]
    pub lifecycle: Option<RawLifecycle>,
    /// Destination vault ARN → copy action.
    #[serde(default)]
    pub copy_actions: BTreeMap<String, RawCopyAction>,
}

#[derive(Debug, Deserialize, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct RawLifecycle {
    #[serde(default)]
    pub move_to_cold_storage_after_days: Option<i64>,
    #[serde(default)]
    pub delete_after_days: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCopyAction {
    /// The destination vault ARN; when present it must equal the table key (AWS repeats it).
    #[serde(default)]
    pub target_backup_vault_arn: Option<String>,
    #[serde(default)]
    pub lifecycle: Option<RawLifecycle>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawSelections {
    #[serde(default)]
    pub tags: BTreeMap<String, RawTagSelection>,
    #[serde(default)]
    pub resources: BTreeMap<String, RawResourceSelection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTagSelection {
    #[serde(default)]
    pub iam_role_arn: Option<String>,
    pub tag_key: String,
    pub tag_value: Vec<String>,
    #[serde(default)]
    pub conditions: Option<RawConditions>,
}

/// Selection conditions, AND-ed with the selection (AWS backup-policy `conditions`).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawConditions {
    #[serde(default)]
    pub string_equals: BTreeMap<String, RawCondition>,
    #[serde(default)]
    pub string_not_equals: BTreeMap<String, RawCondition>,
    #[serde(default)]
    pub string_like: BTreeMap<String, RawCondition>,
    #[serde(default)]
    pub string_not_like: BTreeMap<String, RawCondition>,
}

/// One condition: `condition_key` is `aws:ResourceTag/<tag key>`.
#[derive(Debug, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct RawCondition {
    pub condition_key: String,
    pub condition_value: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResourceSelection {
    #[serde(default)]
    pub iam_role_arn: Option<String>,
    /// ARN patterns with `*` wildcards, as in AWS (`arn:aws:rds:*:*:db:*`, or `*`).
    pub resource_types: Vec<String>,
    /// ARN patterns excluded from the selection.
    #[serde(default)]
    pub not_resource_types: Vec<String>,
    #[serde(default)]
    pub conditions: Option<RawConditions>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegionPair {
    pub source: String,
    pub destination: String,
    pub bandwidth_mib_per_s: f64,
    #[serde(default)]
    pub per_job_cap_mib_per_s: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    #[serde(default)]
    pub rto_hours: Option<f64>,
    #[serde(default)]
    pub rpo_hours: Option<f64>,
    #[serde(default)]
    pub description: Option<String>,
    /// The tier matrix's required backup frequency (e.g. `Continuous + Daily`).
    #[serde(default)]
    pub backup_frequency: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEnvironment {
    /// OUs whose accounts (and descendants') belong to this environment.
    pub ous: Vec<String>,
    #[serde(default)]
    pub rto_hours: Option<f64>,
    #[serde(default)]
    pub rpo_hours: Option<f64>,
    #[serde(default)]
    pub backup_frequency: Option<String>,
    #[serde(default)]
    pub hot_retention_days: Option<i64>,
    #[serde(default)]
    pub cold_retention_days: Option<i64>,
    #[serde(default)]
    pub cross_region: Option<bool>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RawDisasters {
    #[serde(default)]
    pub resource_loss: Option<RawResourceLoss>,
    #[serde(default)]
    pub logical_corruption: Option<RawLogicalCorruption>,
    #[serde(default)]
    pub region_outage: Option<RawRegionOutage>,
    #[serde(default)]
    pub account_compromise: Option<RawAccountCompromise>,
    #[serde(default)]
    pub key_loss: Option<RawKeyLoss>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLogicalCorruption {
    /// Days from the corruption to its detection.
    pub detection_delay_days: RawDist,
    /// Expected corruptions per resource per year.
    #[serde(default)]
    pub rate_per_year: Option<f64>,
    /// Forced instant (RFC 3339) instead of a uniformly random one.
    #[serde(default)]
    pub at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawResourceLoss {
    pub declaration_delay_minutes: RawDist,
    /// Expected losses per resource per year.
    #[serde(default)]
    pub rate_per_year: Option<f64>,
    #[serde(default)]
    pub at: Option<String>,
}

/// A whole region fails: every resource in it is restored in another region from copies.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRegionOutage {
    /// Regions that fail (each in its own outage); default: every region holding resources.
    #[serde(default)]
    pub regions: Option<Vec<String>>,
    pub declaration_delay_minutes: RawDist,
    /// `all_at_once` or `tier_priority`.
    #[serde(default)]
    pub order: Option<String>,
    /// Restore throughput shared by every restore of the outage, MiB/s.
    pub restore_throughput_mib_per_s: f64,
    /// Concurrent restore jobs per account (the rest wait).
    #[serde(default)]
    pub max_concurrent_restores_per_account: Option<i64>,
    /// Expected outages per region per year.
    #[serde(default)]
    pub rate_per_year: Option<f64>,
    #[serde(default)]
    pub at: Option<String>,
}

/// An account is compromised (ransomware): its unprotected recovery points are deleted.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccountCompromise {
    pub declaration_delay_minutes: RawDist,
    /// Expected compromises per account per year.
    #[serde(default)]
    pub rate_per_year: Option<f64>,
    #[serde(default)]
    pub at: Option<String>,
}

/// A KMS key is disabled or deleted: every point encrypted with it is unusable.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawKeyLoss {
    pub declaration_delay_minutes: RawDist,
    /// Expected losses per key per year.
    #[serde(default)]
    pub rate_per_year: Option<f64>,
    #[serde(default)]
    pub at: Option<String>,
}
