//! The resolved, validated world that the simulation runs on: plain data.
//!
//! `scenario::resolve` builds a [`Model`] from what the user wrote; `sim` reads it and
//! never changes it. Nothing in here derives `Deserialize`: the file schema lives in
//! `scenario::raw`, and the two are kept apart so the file format can change without the
//! simulation noticing. Every quantity carries its unit in its name (seconds, bytes).
//!
//! Invariants established by `resolve` (the simulation `assert!`s rather than re-checks):
//! - every index (`account`, `program`, `group`, `resource_type`) is in range;
//! - programs' slots are sorted by `scheduled_seconds` and lie inside the horizon;
//! - `delete_after_seconds > cold_after_seconds` whenever both are set;
//! - `warmup_seconds < horizon_seconds`.

use std::sync::Arc;

use crate::cost::{Charge, SourceKind};
use crate::dist::Dist;

pub mod resource_type;
pub mod scp;

pub use resource_type::{Capabilities, ResourceType};
pub use scp::{ScpDenials, ScpStep};

/// Seconds in one day.
pub const DAY_SECONDS: i64 = 86_400;
/// Days in an average month (365.25 / 12), the period of `monthly_growth`.
pub const DAYS_PER_MONTH: f64 = 30.4375;
/// Bytes in one MiB.
pub const MIB_BYTES: f64 = 1_048_576.0;
/// Bytes in one GiB.
pub const GIB_BYTES: f64 = 1_073_741_824.0;

/// The whole resolved scenario.
#[derive(Debug, Clone)]
pub struct Model {
    /// Scenario name (file stem), used for the output directory.
    pub name: String,
    /// The files besides the scenario that the model was built from (policy documents,
    /// the price catalog), in the order read: with the scenario file's own SHA-256 they
    /// identify a run, so a merge can refuse shards that read different files.
    pub inputs: Vec<InputFile>,
    pub simulation: Simulation,
    pub accounts: Vec<Account>,
    /// Organizational units, root first; `parent` indexes into this vector.
    pub ous: Vec<Ou>,
    pub resources: Vec<Resource>,
    /// Distinct backup programs; many resources share one.
    pub programs: Vec<Program>,
    /// Backup rules of every plan, as `plan/rule` (`Lifecycle::rule` indexes this).
    pub rules: Vec<String>,
    /// Behaviour per resource type, indexed by `ResourceType as usize`.
    pub behaviour: Vec<TypeBehaviour>,
    /// Reporting groups (tier × environment), in a fixed order.
    pub groups: Vec<Group>,
    /// The tier matrix.
    pub tiers: Vec<Target>,
    /// The environment table.
    pub environments: Vec<Target>,
    pub vaults: Vec<Vault>,
    pub region_pairs: Vec<RegionPair>,
    /// Region names; `Resource::region_id` and `link_of` index this.
    pub regions: Vec<String>,
    /// `link_of[source * regions.len() + destination]`: index into `region_pairs`.
    pub link_of: Vec<Option<u16>>,
    /// Disaster types simulated, in report order.
    pub disasters: Disasters,
    /// KMS key pattern; `None`: every vault owner has its own key per region.
    pub keys: Option<Keys>,
    /// Prices for the cost forecast; `None`: no forecast.
    pub costs: Option<Costs>,
    /// Problems found without simulating (e.g. a backup policy AWS Backup would refuse).
    pub findings: Vec<Finding>,
    /// Where each rule (`Model::rules`) is written: (file, field path).
    pub rule_sources: Vec<(String, String)>,
    /// What the design must deliver: the requirement tables and frameworks.
    pub requirements: Requirements,
    /// What the SCPs deny, per account, region and job step (`check` and the simulation
    /// both read it).
    pub scp: ScpDenials,
}

/// A required backup frequency, as the seed's tables write it (`Daily + Weekly`,
/// `Continuous + Daily`, `Weekly`, `None`).
#[derive(Debug, Clone, PartialEq)]
pub struct Frequency {
    /// As written.
    pub text: String,
    /// Point-in-time recovery (continuous backup) is required.
    pub continuous: bool,
    /// The longest gap allowed between two backups, hours (the shortest period named);
    /// `None` when only continuous backup is named or no backup is required.
    pub max_interval_hours: Option<f64>,
    /// `None`: no backup is required.
    pub none: bool,
}

/// How a data class must be encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encryption {
    Optional,
    AwsManaged,
    CustomerManaged,
}

impl Encryption {
    pub fn name(self) -> &'static str {
        match self {
            Encryption::Optional => "optional",
            Encryption::AwsManaged => "aws_managed",
            Encryption::CustomerManaged => "customer_managed",
        }
    }
}

/// One row of the data-classification table.
#[derive(Debug, Clone, PartialEq)]
pub struct DataClassRequirement {
    pub name: String,
    pub encryption: Encryption,
    pub retention_days: Option<i64>,
    pub frequency: Option<Frequency>,
    /// Deletion needs more than one person (MFA): vaultsim requires a vault lock.
    pub mfa: bool,
    pub rotation_days: Option<i64>,
}

/// A compliance framework's backup requirements.
#[derive(Debug, Clone, PartialEq)]
pub struct FrameworkRequirement {
    /// As resources name it in their scope tag (`SOC2`, `HIPAA`, …).
    pub name: String,
    pub clause: String,
    pub retention_days: Option<i64>,
    pub frequency: Option<Frequency>,
    /// Residency: every recovery point and copy stays in these regions.
    pub allowed_regions: Option<Vec<String>>,
    /// Write once, read many: a compliance-mode vault lock.
    pub worm: bool,
    /// Every resource must stay recoverable (simulated: P(unrecoverable) must be 0).
    pub recoverable: bool,
}

/// A service control policy that denies backup actions outside some regions.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceControlPolicy {
    pub name: String,
    /// Index into `Model::ous` of each OU it is attached to (and so every account below).
    pub ous: Vec<usize>,
    pub enabled: bool,
    /// IAM actions denied (`backup:StartCopyJob`, …).
    pub actions: Vec<String>,
    pub allowed_regions: Vec<String>,
    /// Its field path in the scenario (`service_control_policies[0]`).
    pub path: String,
}

/// Row of the environment table, as a requirement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct EnvironmentRequirement {
    pub frequency: Option<Frequency>,
    /// How long points are kept in all, days: the longer of the hot and cold retention
    /// columns (`docs/compliance.md`).
    pub retention_days: Option<i64>,
    pub cross_region: Option<bool>,
}

/// What the design must deliver and how it is judged.
#[derive(Debug, Clone, PartialEq)]
pub struct Requirements {
    /// The scenario file the requirement tables are written in.
    pub file: String,
    /// Probability a simulated target must be met with (e.g. 0.99).
    pub confidence: f64,
    pub classification_tag: String,
    pub scope_tag: String,
    /// Audit Manager control parameters.
    pub required_frequency_hours: f64,
    pub required_retention_days: i64,
    pub recovery_point_age_hours: f64,
    /// `RESTORE_TIME_FOR_RESOURCES_MEET_TARGET`'s `maxRestoreTime`; `None`: each tier's RTO.
    pub max_restore_minutes: Option<f64>,
    /// The default `--fail-on`.
    pub fail_on: Severity,
    /// Per tier (`Model::tiers` order): the tier matrix's frequency.
    pub tier_frequency: Vec<Option<Frequency>>,
    /// Per environment (`Model::environments` order).
    pub environments: Vec<EnvironmentRequirement>,
    pub data_classes: Vec<DataClassRequirement>,
    pub frameworks: Vec<FrameworkRequirement>,
    pub scps: Vec<ServiceControlPolicy>,
}

impl Default for Requirements {
    fn default() -> Self {
        Requirements {
            file: String::new(),
            confidence: 0.99,
            classification_tag: "DataClassification".to_string(),
            scope_tag: "ComplianceScope".to_string(),
            required_frequency_hours: 24.0,
            required_retention_days: 35,
            recovery_point_age_hours: 24.0,
            max_restore_minutes: None,
            fail_on: Severity::High,
            tier_frequency: Vec::new(),
            environments: Vec::new(),
            data_classes: Vec::new(),
            frameworks: Vec::new(),
            scps: Vec::new(),
        }
    }
}

/// How serious a finding is (most severe first, so sorting puts the worst first).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Data would be lost or a regulation broken: resources unrecoverable, required
    /// immutability or residency missing.
    Critical,
    /// Resources are left without the protection the design intends.
    High,
    /// The design works, with a weakness worth fixing.
    Medium,
    /// Informational.
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// The severity named `name` (as `name()` writes it).
    pub fn parse(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Whether this is at least as severe as `threshold`.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

/// A gap between the design and what it must deliver, with its evidence and the change
/// that fixes it. Static findings come from the model alone (`compliance::check`);
/// simulated ones from the Monte Carlo estimates (`compliance::simulated`).
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Stable identifier (e.g. `VS-POLICY-LIFECYCLE-COLD-90`); never reused for another check.
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what falls short.
    pub title: String,
    /// What it is measured against: an AWS Backup Audit Manager control
    /// (`BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK`), a framework clause
    /// (`HIPAA: retention 6 years`), a requirement table row, or an AWS rule.
    pub control: String,
    /// The file the finding is about (a policy file or the scenario).
    pub file: String,
    /// Path of the offending element inside that file (JSON or TOML field path).
    pub path: String,
    /// Who is affected.
    pub scope: Scope,
    /// The numbers that show it, as (name, value) pairs.
    pub evidence: Vec<Evidence>,
    /// What is wrong, in a sentence.
    pub message: String,
    /// The change that fixes it.
    pub fix: String,
}

/// The resources a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scope {
    /// E.g. `OU Development · data class Confidential` or `plan ProductionBackupPlan`.
    pub label: String,
    /// OUs (names) the affected accounts belong to.
    pub ous: Vec<String>,
    pub accounts: usize,
    pub resources: usize,
}

/// One number (or fact) behind a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub name: String,
    pub value: String,
}

impl Evidence {
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Evidence {
        Evidence {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// Global simulation settings.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// The scenario's epoch as Unix seconds (UTC). Simulation time 0 is this instant.
    pub epoch_unix_seconds: i64,
    /// Length of the simulated period.
    pub horizon_seconds: i64,
    /// RPO and RTO are measured over `[warmup_seconds, horizon_seconds)`.
    pub warmup_seconds: i64,
    /// Default number of trials.
    pub trials: u64,
    /// Default master seed.
    pub seed: u64,
    /// Which instant the completion window counts from (AWS's wording conflicts).
    pub completion_window_from: CompletionWindowFrom,
    /// Delay from the scheduled time to the job's start, in minutes (start jitter).
    pub start_delay_minutes: Dist,
    /// Throughput of a same-region (cross-account) copy, MiB/s.
    pub intra_region_copy_mib_per_s: Dist,
    /// Whether SCPs are taken to check a scheduled job's start as
    /// `backup:StartBackupJob`/`backup:StartCopyJob` (AWS does not document it; `true`,
    /// the default, does not overstate recoverability).
    pub scheduled_jobs_checked_against_scps: bool,
    /// The calendar months (UTC) the horizon touches, in order; the first starts at 0
    /// (or at the epoch's month start if the epoch is mid-month, clipped to 0).
    pub months: Vec<Month>,
    /// `month_of_day(&months)`: the month of each day's first second, for `month_of`.
    pub month_of_day: Vec<u16>,
}

impl Simulation {
    /// The calendar month (index into `months`) holding simulation second `t` (the first
    /// before the horizon, the last after it). O(1).
    pub fn month_of(&self, t: i64) -> usize {
        month_at(&self.months, &self.month_of_day, t)
    }

    /// Number of whole or partial days in the horizon.
    pub fn horizon_days(&self) -> usize {
        ((self.horizon_seconds + DAY_SECONDS - 1) / DAY_SECONDS) as usize
    }
}

/// The month (index into `months`) holding the first second of each simulation day from
/// day 0 until a day past the last month's start; [`month_at`] looks a second up in it.
pub fn month_of_day(months: &[Month]) -> Vec<u16> {
    let days = months
        .last()
        .map_or(0, |m| m.start_seconds.div_euclid(DAY_SECONDS) + 2);
    (0..days)
        .map(|day| {
            let month = months.partition_point(|m| m.start_seconds <= day * DAY_SECONDS);
            u16::try_from(month.max(1) - 1).expect("fewer than 65,536 months")
        })
        .collect()
}

/// The month (index into `months`) holding second `t`: the first for any second before
/// the first month, the last for any after it starts. O(1): a month boundary falls at
/// most once inside a day (the epoch need not be at midnight), so the day's month or the
/// next one. Equal to the binary search (`month_at_is_the_binary_search`).
pub fn month_at(months: &[Month], month_of_day: &[u16], t: i64) -> usize {
    let last_day = month_of_day.len().saturating_sub(1);
    // Unsigned division by the constant: cheaper than `div_euclid`, the same for t ≥ 0.
    let day = if t < 0 {
        0
    } else {
        ((t as u64 / DAY_SECONDS as u64) as usize).min(last_day)
    };
    let m = month_of_day.get(day).map_or(0, |&m| usize::from(m));
    if months
        .get(m + 1)
        .is_some_and(|next| next.start_seconds <= t)
    {
        m + 1
    } else {
        m
    }
}

/// A calendar month of the horizon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Month {
    /// `YYYY-MM`.
    pub label: String,
    /// Simulation second the month starts (clipped to 0).
    pub start_seconds: i64,
    /// Simulation second the calendar month starts (negative when the epoch is mid-month).
    pub calendar_start_seconds: i64,
    /// Simulation second the next month starts (not clipped to the horizon).
    pub end_seconds: i64,
}

/// The calendar months (UTC) covering `[0, horizon_seconds)` from `epoch_unix_seconds`.
pub fn months(epoch_unix_seconds: i64, horizon_seconds: i64) -> Vec<Month> {
    use chrono::{Datelike, NaiveDate};
    // Simulation second at which month `month` of `year` starts.
    let start = |year: i32, month: u32| {
        NaiveDate::from_ymd_opt(year, month, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("the first of a month exists")
            .and_utc()
            .timestamp()
            - epoch_unix_seconds
    };
    let epoch = chrono::DateTime::from_timestamp(epoch_unix_seconds, 0).expect("valid epoch");
    let (mut year, mut month) = (epoch.year(), epoch.month());
    let mut out = Vec::new();
    while start(year, month) < horizon_seconds {
        let (next_year, next_month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        out.push(Month {
            label: format!("{year:04}-{month:02}"),
            start_seconds: start(year, month).max(0),
            calendar_start_seconds: start(year, month),
            end_seconds: start(next_year, next_month),
        });
        (year, month) = (next_year, next_month);
    }
    out
}

/// The origin of a rule's completion window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionWindowFrom {
    /// The window counts from the moment the job starts (the rule field's wording).
    JobStart,
    /// The window counts from the scheduled time (the `StartBackupJob` wording).
    ScheduledTime,
}

/// One account of the organization.
#[derive(Debug, Clone)]
pub struct Account {
    /// Twelve-digit account id.
    pub id: String,
    /// Name of the account template it came from.
    pub template: String,
    /// Index into `Model::ous`.
    pub ou: usize,
    pub home_region: String,
    /// Index into `Model::environments`, if its OU belongs to one.
    pub environment: Option<usize>,
}

/// An organizational unit.
#[derive(Debug, Clone)]
pub struct Ou {
    pub name: String,
    /// Index of the parent OU; `None` for the root.
    pub parent: Option<usize>,
}

/// A resource's tags, (key, value) in the order written. Shared across the estate
/// (`scenario::estate` interns the strings and the lists: thousands of resources carry
/// the same few lists of the same few dozen strings), so a resource holds one pointer.
pub type Tags = Arc<[(Arc<str>, Arc<str>)]>;

/// One protected (or unprotected) resource of the estate.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Stable id: a hash of the template path, so adding a resource changes nobody's draws.
    pub entity_id: u64,
    /// Human-readable id (`<account id>-<resource template>-<index>`).
    pub name: String,
    pub account: usize,
    pub region: Arc<str>,
    /// Index of `region` in `Model::regions`.
    pub region_id: u16,
    pub resource_type: ResourceType,
    /// Size at the epoch.
    pub size_bytes: u64,
    /// Fraction of the size that changes per day (0.02 = 2 %/day).
    pub daily_change_fraction: f64,
    /// Natural log of the monthly growth factor (`ln(1 + growth)`), per 30.4375 days;
    /// the size compounds once a day.
    pub log_growth_per_month: f64,
    /// Tags as written (after weighted choices are drawn).
    pub tags: Tags,
    /// Index into `Model::programs`; `None` when no plan selects it.
    pub program: Option<usize>,
    /// Index into `Model::groups`.
    pub group: usize,
}

impl Resource {
    /// The factor by which the size grows per day (compounding daily).
    pub fn daily_growth_factor(&self) -> f64 {
        if self.log_growth_per_month == 0.0 {
            1.0
        } else {
            libm::exp(self.log_growth_per_month / DAYS_PER_MONTH)
        }
    }

    /// Size on simulation day `day` (growth compounds once a day, from day 0).
    pub fn size_on_day(&self, day: i64) -> f64 {
        if self.log_growth_per_month == 0.0 {
            return self.size_bytes as f64;
        }
        self.size_bytes as f64 * libm::exp(self.log_growth_per_month * day as f64 / DAYS_PER_MONTH)
    }

    /// The value of tag `key`, if set.
    pub fn tag(&self, key: &str) -> Option<&str> {
        self.tags
            .iter()
            .find(|(k, _)| **k == *key)
            .map(|(_, v)| &**v)
    }
}

/// A sequence of scheduled backup jobs shared by every resource with the same set of rules.
#[derive(Debug, Clone)]
pub struct Program {
    /// Human-readable description: `plan/rule + plan/rule`.
    pub label: String,
    /// Scheduled jobs over the horizon, sorted by time.
    pub slots: Vec<Slot>,
    /// Lifecycles referenced by `Slot::lifecycle`.
    pub lifecycles: Vec<Lifecycle>,
    /// Copy actions referenced by `Slot::copies`; index 0 is the empty set.
    pub copy_sets: Vec<Vec<CopySpec>>,
}

/// One copy action of a rule: where a recovery point is copied when its job completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CopySpec {
    /// Destination vault (index into `Model::vaults`).
    pub vault: usize,
    /// Destination region id; `None` = the resource's own region (a cross-account copy).
    pub region_id: Option<u16>,
    /// The copy's lifecycle (the source rule's when the copy action sets none), counted
    /// from the source point's creation.
    pub cold_after_seconds: Option<i64>,
    pub delete_after_seconds: Option<i64>,
    /// The destination vault's lock rejects this retention: every copy fails.
    pub rejected_by_lock: bool,
}

impl CopySpec {
    /// Whether the copy goes to a vault of another account than `account`'s.
    pub fn cross_account(&self, model: &Model, account: usize) -> bool {
        model.vault_owner(self.vault, account) != account
    }
}

/// One scheduled job of a program (after merging overlapping rules of one plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Scheduled time, simulation seconds.
    pub scheduled_seconds: i64,
    /// Start window: the job expires if it has not started by `scheduled + start_window`.
    pub start_window_seconds: i64,
    /// Completion window: the job is cut off if not done by its origin + this.
    pub completion_window_seconds: i64,
    /// Index into `Program::lifecycles`.
    pub lifecycle: u16,
    /// The rule asks for continuous backup (point-in-time recovery).
    pub continuous: bool,
    /// Index into `Program::copy_sets` (0 = no copies).
    pub copies: u16,
}

/// What happens to a recovery point after it is created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lifecycle {
    /// Moves to cold storage this long after creation (only types that support it).
    pub cold_after_seconds: Option<i64>,
    /// Deleted this long after creation; `None` keeps it forever.
    pub delete_after_seconds: Option<i64>,
    /// Index into `Model::vaults`.
    pub vault: usize,
    /// The vault lock rejects this retention: every job of this rule fails.
    pub rejected_by_lock: bool,
    /// The rule it comes from (index into `Model::rules`).
    pub rule: u32,
}

/// Per-type behaviour of backup jobs and restores.
#[derive(Debug, Clone)]
pub struct TypeBehaviour {
    pub resource_type: ResourceType,
    /// Backup data rate, MiB/s.
    pub backup_throughput_mib_per_s: Dist,
    /// Probability that a backup job fails, in [0, 1].
    pub failure_probability: f64,
    /// Probability that a copy job fails for good (after AWS's retries), in [0, 1].
    pub copy_failure_probability: f64,
    /// Later backups transfer only the data changed since the previous good point.
    pub incremental: bool,
    /// Recovery points of this type can move to cold storage.
    pub cold_storage: bool,
    /// Point-in-time recovery supported; lag of the newest restorable point.
    pub continuous_lag_seconds: Option<i64>,
    /// Time to retrieve a warm recovery point before transfer starts, minutes.
    pub retrieval_minutes: Dist,
    /// Extra retrieval time when the point is in cold storage, hours.
    pub cold_retrieval_extra_hours: Dist,
    /// Restore data rate, MiB/s.
    pub restore_throughput_mib_per_s: Dist,
    /// Restore process time after the data is in place, minutes.
    pub restore_process_minutes: Dist,
    /// Validation time after the restore, minutes.
    pub validation_minutes: Dist,
    /// Hydration after the restore (data loaded on first access), minutes.
    pub hydration_minutes: Dist,
}

/// A reporting group: one tier in one environment.
#[derive(Debug, Clone)]
pub struct Group {
    /// Tier name, or `untiered`.
    pub tier: String,
    /// Environment name, or `unassigned`.
    pub environment: String,
    /// Target RPO for this group (tier's, else environment's).
    pub rpo_target_seconds: Option<i64>,
    /// Target RTO for this group (tier's, else environment's).
    pub rto_target_seconds: Option<i64>,
}

/// A named set of targets: a tier of the tier matrix or an environment of the
/// environment table.
#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub rpo_target_seconds: Option<i64>,
    pub rto_target_seconds: Option<i64>,
}

/// A backup vault (one per account and region when owned by the workload account).
#[derive(Debug, Clone)]
pub struct Vault {
    pub name: String,
    /// Owning account: `None` = each workload account has its own.
    pub account: Option<String>,
    /// Region: `None` = the account's home region.
    pub region: Option<String>,
    /// Index into `Model::accounts` of `account`; `None` = the workload account.
    pub owner_account: Option<usize>,
    /// Index into `Model::regions` of `region`.
    pub region_id: Option<u16>,
    pub lock: Option<VaultLock>,
}

/// Vault Lock settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VaultLock {
    pub compliance_mode: bool,
    pub min_retention_days: Option<i64>,
    pub max_retention_days: Option<i64>,
}

/// A file the model was read from, besides the scenario file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct InputFile {
    /// The path as the scenario names it (relative to the scenario file's directory).
    pub file: String,
    /// SHA-256 of the bytes that were parsed, lower-case hex.
    pub sha256: String,
}

impl InputFile {
    /// How the input files `b` (of `b_name`) differ from `a` (of `a_name`), whatever
    /// their order, in words for an error message: the first file whose bytes differ, or
    /// that only one of them read; `None` when both read the same files with the same
    /// bytes.
    pub fn difference(
        a: &[InputFile],
        a_name: &str,
        b: &[InputFile],
        b_name: &str,
    ) -> Option<String> {
        let find = |list: &[InputFile], file: &str| list.iter().find(|i| i.file == file).cloned();
        for y in b {
            match find(a, &y.file) {
                Some(x) if x.sha256 == y.sha256 => {}
                Some(x) => {
                    return Some(format!(
                        "{} has SHA-256 {} in {b_name} and {} in {a_name}",
                        y.file, y.sha256, x.sha256
                    ));
                }
                None => return Some(format!("{b_name} read {} and {a_name} did not", y.file)),
            }
        }
        a.iter()
            .find(|x| find(b, &x.file).is_none())
            .map(|x| format!("{a_name} read {} and {b_name} did not", x.file))
    }
}

/// A link between two regions.
#[derive(Debug, Clone)]
pub struct RegionPair {
    pub source: String,
    pub destination: String,
    pub bandwidth_mib_per_s: f64,
    pub per_job_cap_mib_per_s: Option<f64>,
}

/// Disaster settings.
#[derive(Debug, Clone)]
pub struct Disasters {
    /// Resource loss: restore one resource from its newest usable point.
    pub resource_loss: Option<ResourceLoss>,
    /// Logical corruption: found after a delay; only older points that still exist help.
    pub logical_corruption: Option<LogicalCorruption>,
    /// A whole region fails; its resources are restored elsewhere from copies, together.
    pub region_outage: Option<RegionOutage>,
    /// An account is compromised; only points outside it or under a compliance lock remain.
    pub account_compromise: Option<Declared>,
    /// A KMS key is lost; only points under other keys remain.
    pub key_loss: Option<Declared>,
}

/// When a disaster happens: each disaster's view is conditional on it happening, at a
/// forced instant or at a uniformly random one in the measurement window; the rate turns
/// conditional results into yearly expectations.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Timing {
    /// Expected events per unit (resource, account, region or key) per year.
    pub rate_per_year: Option<f64>,
    /// Forced instant, simulation seconds (inside the measurement window).
    pub at_seconds: Option<i64>,
}

/// Settings of the logical-corruption disaster.
#[derive(Debug, Clone)]
pub struct LogicalCorruption {
    /// Time from the corruption to its detection, days.
    pub detection_delay_days: Dist,
    pub timing: Timing,
}

/// Settings of the resource-loss disaster.
#[derive(Debug, Clone)]
pub struct ResourceLoss {
    /// Time from the loss to the decision to restore, minutes.
    pub declaration_delay_minutes: Dist,
    pub timing: Timing,
}

/// A disaster whose restores start after a declaration delay (account compromise, key loss).
#[derive(Debug, Clone)]
pub struct Declared {
    /// Time from the event to the decision to restore, minutes.
    pub declaration_delay_minutes: Dist,
    pub timing: Timing,
}

/// Settings of the region-outage disaster.
#[derive(Debug, Clone)]
pub struct RegionOutage {
    /// Region ids (into `Model::regions`) that fail, each in its own outage.
    pub regions: Vec<u16>,
    /// Time from the outage to the decision to fail over, minutes (one draw per outage).
    pub declaration_delay_minutes: Dist,
    /// Restores wait by tier (Tier1 first) instead of all starting at once.
    pub tier_priority: bool,
    /// Restore throughput shared by all restores of one outage, MiB/s.
    pub restore_throughput_mib_per_s: f64,
    /// Concurrent restore jobs per account; `None` = unlimited.
    pub max_concurrent_restores_per_account: Option<usize>,
    pub timing: Timing,
}

/// KMS key pattern of the vaults ([seed §Key Architecture Patterns]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyPattern {
    /// One key (per region) in the central account for every vault.
    Central,
    /// Each vault's owning account has its own key (per region).
    PerAccount,
    /// Core accounts use the central key, workload accounts their own.
    Hybrid,
}

/// The scenario's key settings.
#[derive(Debug, Clone)]
pub struct Keys {
    pub pattern: KeyPattern,
    /// One multi-Region key instead of one key per region.
    pub multi_region: bool,
    /// Account index owning the central keys.
    pub central_account: Option<usize>,
    /// Per account: uses the central key under the hybrid pattern.
    pub core_account: Vec<bool>,
    /// Account-owned keys are shared with cross-account copy destinations.
    pub cross_account_sharing: bool,
    /// Customer managed keys (else AWS managed keys, which cannot be shared or rotated on
    /// a schedule of one's own).
    pub customer_managed: bool,
    /// Automatic rotation period, days (`None`: not rotated).
    pub rotation_days: Option<i64>,
}

/// The prices a run uses, resolved per region id and resource type from the catalog, and
/// the cost keys the forecast is tallied and broken down by.
#[derive(Debug, Clone)]
pub struct Costs {
    /// The catalog's name.
    pub catalog: String,
    /// Bytes per billed GB.
    pub gb_bytes: f64,
    /// Minimum days billed for a point in cold storage.
    pub cold_minimum_days: i64,
    /// Per resource type (`ResourceType as usize`): metered per GB-day.
    pub per_day: Vec<bool>,
    /// `[cell][Charge as usize]` (`Costs::cell`): the unit price in USD and its source kind
    /// (`None`: not in the catalog — never read as free).
    pub prices: Vec<[Option<(f64, SourceKind)>; Charge::ALL.len()]>,
    /// Regions (`Model::regions` length): the cost key's second factor.
    pub regions: usize,
    /// Distinct attribute sets of the estate's resources (what a cost is broken down by,
    /// apart from the billed region).
    pub attributes: Vec<CostAttributes>,
    /// Per resource: index into `attributes`.
    pub attribute_of: Vec<u32>,
    /// Value names of the attribute dimensions (`COST_DIMENSIONS` order: OU, environment,
    /// tier, data class, resource type).
    pub dimension_values: Vec<Vec<String>>,
    /// How long after the epoch every retention has filled: the longest life of any
    /// recovery point or copy (cold points at least the 90-day minimum); `None` when some
    /// are kept forever.
    pub retention_fill_seconds: Option<i64>,
    /// The first calendar month that starts once retention has filled (the steady
    /// state); `None` when the horizon ends first.
    pub steady_from_month: Option<usize>,
}

/// What a resource's cost is reported under: value indices into
/// `Costs::dimension_values` (OU, environment, tier, data class, resource type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CostAttributes {
    pub values: [u32; 5],
    pub resource_type: ResourceType,
}

impl Costs {
    /// Index of (region, type) in `prices`.
    pub fn cell(region_id: u16, resource_type: ResourceType) -> usize {
        usize::from(region_id) * ResourceType::ALL.len() + resource_type as usize
    }

    /// Cost keys: attribute sets × billed regions.
    pub fn keys(&self) -> usize {
        self.attributes.len() * self.regions
    }

    /// The cost key of `resource`'s charges billed in `region_id`.
    pub fn key(&self, resource: usize, region_id: u16) -> usize {
        self.attribute_of[resource] as usize * self.regions + usize::from(region_id)
    }

    /// The price cell of a cost key.
    pub fn cell_of_key(&self, key: usize) -> usize {
        let (attribute, region) = (key / self.regions, key % self.regions);
        Costs::cell(region as u16, self.attributes[attribute].resource_type)
    }

    /// The unit price of `charge` in `cell`.
    pub fn price(&self, cell: usize, charge: Charge) -> Option<f64> {
        self.prices[cell][charge as usize].map(|(usd, _)| usd)
    }
}

/// A KMS key: its owner (`None` = the central key) and region (`None` = multi-Region).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct KeyId {
    pub owner: Option<u32>,
    pub region: Option<u16>,
}

/// What one KMS key protects: the blast radius of losing it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyReach {
    pub key: KeyId,
    /// Accounts with recovery points (local or copies) encrypted with the key.
    pub accounts: usize,
    /// Resources with recovery points encrypted with the key.
    pub resources: usize,
}

impl Model {
    /// Whether some copy action of `resource`'s plans sends its points to another region.
    pub fn copies_cross_regions(&self, resource: &Resource) -> bool {
        resource.program.is_some_and(|p| {
            self.programs[p]
                .copy_sets
                .iter()
                .flatten()
                .any(|c| c.region_id.is_some_and(|r| r != resource.region_id))
        })
    }

    /// Every key that encrypts some recovery point, with what it protects (in key order).
    pub fn key_reach(&self) -> Vec<KeyReach> {
        use std::collections::{BTreeMap, BTreeSet};
        let mut reach: BTreeMap<KeyId, (BTreeSet<usize>, usize)> = BTreeMap::new();
        let mut keys = BTreeSet::new();
        for r in &self.resources {
            let Some(p) = r.program else { continue };
            let program = &self.programs[p];
            keys.clear();
            for l in &program.lifecycles {
                keys.insert(self.key_of(l.vault, r.account, r.region_id));
            }
            for spec in program.copy_sets.iter().flatten() {
                let region = spec.region_id.unwrap_or(r.region_id);
                keys.insert(self.key_of(spec.vault, r.account, region));
            }
            for &k in &keys {
                let e = reach.entry(k).or_default();
                e.0.insert(r.account);
                e.1 += 1;
            }
        }
        reach
            .into_iter()
            .map(|(key, (accounts, resources))| KeyReach {
                key,
                accounts: accounts.len(),
                resources,
            })
            .collect()
    }

    /// The account owning `vault` for a resource of account `account`.
    pub fn vault_owner(&self, vault: usize, account: usize) -> usize {
        self.vaults[vault].owner_account.unwrap_or(account)
    }

    /// The region id of `vault` for a resource in region `region_id`.
    pub fn vault_region(&self, vault: usize, region_id: u16) -> u16 {
        self.vaults[vault].region_id.unwrap_or(region_id)
    }

    /// Whether points in `vault` survive the compromise of account `account` (whose
    /// resource they protect): the vault belongs to another account, or a compliance-mode
    /// lock stops even the root user from deleting them (aws-backup-facts §7).
    pub fn survives_compromise(&self, vault: usize, account: usize) -> bool {
        self.vault_owner(vault, account) != account
            || self.vaults[vault].lock.is_some_and(|l| l.compliance_mode)
    }

    /// The key encrypting points of `vault` that protect a resource of `account` in
    /// `region_id`. Without a key pattern every vault owner has its own key per region.
    pub fn key_of(&self, vault: usize, account: usize, region_id: u16) -> KeyId {
        let owner = self.vault_owner(vault, account);
        let region = self.vault_region(vault, region_id);
        let (pattern, multi_region, central) = match &self.keys {
            Some(k) => (
                k.pattern,
                k.multi_region,
                k.central_account == Some(owner) || k.core_account[owner],
            ),
            None => (KeyPattern::PerAccount, false, false),
        };
        let central = match pattern {
            KeyPattern::Central => true,
            KeyPattern::PerAccount => false,
            KeyPattern::Hybrid => central,
        };
        KeyId {
            owner: (!central).then_some(owner as u32),
            region: (!multi_region).then_some(region),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The O(1) lookup against the binary search it replaces, at every month boundary
    /// (and a second either side), before the first month and long after the last, for
    /// epochs at midnight, mid-day and mid-month.
    #[test]
    fn month_at_is_the_binary_search() {
        let binary_search =
            |m: &[Month], t: i64| m.partition_point(|x| x.start_seconds <= t).max(1) - 1;
        for epoch in [
            1_767_225_600,
            1_767_225_600 + 13 * 3600 + 17,
            1_768_435_200 - 1,
        ] {
            let m = months(epoch, 800 * DAY_SECONDS);
            let table = month_of_day(&m);
            let mut instants: Vec<i64> = vec![i64::MIN, -DAY_SECONDS, -1, 0, 1, i64::MAX];
            for month in &m {
                for t in [month.start_seconds, month.end_seconds] {
                    instants.extend([t - 1, t, t + 1]);
                }
            }
            instants.extend((0..900 * 24).map(|h| h * 3600 + 59));
            for t in instants {
                assert_eq!(
                    month_at(&m, &table, t),
                    binary_search(&m, t),
                    "epoch {epoch}, t {t}"
                );
            }
        }
    }
}
