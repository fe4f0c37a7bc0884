//! Shared helpers: small scenarios written inline, and running the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use vaultsim::model::Model;
use vaultsim::scenario;

/// Knobs of the one-resource test scenario.
pub struct Small {
    /// The volume's resource type (`EBS` unless a test asks for another).
    pub resource_type: &'static str,
    pub horizon_days: i64,
    pub warmup_days: i64,
    pub resources: i64,
    pub schedule: &'static str,
    pub start_delay: &'static str,
    pub failure_probability: f64,
    pub incremental: bool,
    pub cold_storage: bool,
    pub size_gib: f64,
    pub daily_change_rate: f64,
    pub throughput_mib_per_s: f64,
    pub lifecycle: &'static str,
    pub start_window_minutes: i64,
    pub completion_window_minutes: i64,
}

impl Default for Small {
    fn default() -> Self {
        Small {
            resource_type: "EBS",
            horizon_days: 11,
            warmup_days: 1,
            resources: 1,
            schedule: "cron(0 5 ? * * *)",
            start_delay: r#"{ dist = "fixed", value = 0 }"#,
            failure_probability: 0.0,
            incremental: false,
            cold_storage: false,
            // 3,600 MiB at 1 MiB/s: a one-hour job.
            size_gib: 3.515625,
            daily_change_rate: 0.0,
            throughput_mib_per_s: 1.0,
            lifecycle: "{ delete_after_days = 35 }",
            start_window_minutes: 60,
            completion_window_minutes: 1440,
        }
    }
}

impl Small {
    pub fn toml(&self) -> String {
        format!(
            r#"
[simulation]
epoch = "2026-01-01T00:00:00Z"
horizon_days = {horizon}
warmup_days = {warmup}
trials = 4
seed = 1
start_delay_minutes = {delay}

[organization.ous]
Production = {{ parent = "Root" }}

[organization.account_templates.app]
ou = "Production"
count = 1
home_regions = ["us-east-1"]

[organization.account_templates.app.resources.vol]
type = "{resource_type}"
count = {{ dist = "fixed", value = {resources} }}
size_gib = {{ dist = "fixed", value = {size} }}
daily_change_rate = {{ dist = "fixed", value = {change} }}
tags = {{ BackupTier = "Tier1" }}

[resource_types.{resource_type}]
backup_throughput_mib_per_s = {{ dist = "fixed", value = {thr} }}
failure_probability = {p}
incremental = {incremental}
cold_storage = {cold}
retrieval_minutes = {{ dist = "fixed", value = 10 }}
cold_retrieval_extra_hours = {{ dist = "fixed", value = 48 }}
restore_throughput_mib_per_s = {{ dist = "fixed", value = 1 }}
restore_process_minutes = {{ dist = "fixed", value = 20 }}
validation_minutes = {{ dist = "fixed", value = 30 }}

[vaults.Default]
account = "workload"
region = "home"

[plans.P]
attach_to = ["Production"]
regions = ["us-east-1"]

[plans.P.rules.R]
schedule_expression = "{schedule}"
start_backup_window_minutes = {sw}
complete_backup_window_minutes = {cw}
target_backup_vault_name = "Default"
lifecycle = {lifecycle}

[plans.P.selections.tags.All]
tag_key = "BackupTier"
tag_value = ["Tier1"]

[tiers.Tier1]
rto_hours = 4
rpo_hours = 24

[disasters.resource_loss]
declaration_delay_minutes = {{ dist = "fixed", value = 30 }}
"#,
            resource_type = self.resource_type,
            horizon = self.horizon_days,
            warmup = self.warmup_days,
            delay = self.start_delay,
            resources = self.resources,
            size = self.size_gib,
            change = self.daily_change_rate,
            thr = self.throughput_mib_per_s,
            p = self.failure_probability,
            incremental = self.incremental,
            cold = self.cold_storage,
            schedule = self.schedule,
            sw = self.start_window_minutes,
            cw = self.completion_window_minutes,
            lifecycle = self.lifecycle,
        )
    }

    pub fn model(&self) -> Model {
        model_from(&self.toml())
    }
}

/// Resolves scenario text, panicking with the located errors if it is invalid.
pub fn model_from(text: &str) -> Model {
    let s = scenario::parse(Path::new("test.toml"), text.to_string())
        .unwrap_or_else(|e| panic!("scenario does not load:\n{e}"));
    scenario::resolve(&s).unwrap_or_else(|e| panic!("scenario does not resolve:\n{e}"))
}

/// The crate root (where `scenarios/` lives).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the real binary from the crate root.
pub fn vaultsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_vaultsim"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("the vaultsim binary runs")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs the default scenario with each `(from, to)` text replacement applied (each must
/// match), for `trials` trials, and returns its summary.json.
pub fn run_default_with(replacements: &[(&str, &str)], trials: u32) -> serde_json::Value {
    run_default_outputs(replacements, trials).summary
}

/// What a run of the default scenario wrote.
pub struct DefaultRun {
    pub summary: serde_json::Value,
    pub stdout: String,
    /// The output directory's files, by name.
    pub files: std::collections::BTreeMap<String, String>,
}

/// As `run_default_with`, keeping the terminal output and every output file.
pub fn run_default_outputs(replacements: &[(&str, &str)], trials: u32) -> DefaultRun {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text =
        std::fs::read_to_string(root().join("scenarios/landing-zone.toml")).expect("scenario");
    for (from, to) in replacements {
        assert!(text.contains(from), "the default scenario has no `{from}`");
        text = text.replace(from, to);
    }
    let text = text
        .replace(
            "\"policies/",
            &format!("\"{}/scenarios/policies/", root().display()),
        )
        .replace(
            "\"prices/",
            &format!("\"{}/scenarios/prices/", root().display()),
        );
    let file = dir.path().join("s.toml");
    std::fs::write(&file, text).expect("write");
    let out = dir.path().join("out");
    let trials = trials.to_string();
    let o = vaultsim(&[
        "run",
        file.to_str().expect("utf-8"),
        "--trials",
        &trials,
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let files = std::fs::read_dir(&out)
        .expect("outputs")
        .map(|e| {
            let path = e.expect("entry").path();
            (
                path.file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read_to_string(&path).unwrap_or_default(),
            )
        })
        .collect::<std::collections::BTreeMap<_, _>>();
    DefaultRun {
        summary: serde_json::from_str(&files["summary.json"]).expect("json"),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        files,
    }
}

/// The `rpo_rto` row of `summary` for (tier, environment, disaster).
pub fn summary_row<'a>(
    summary: &'a serde_json::Value,
    tier: &str,
    environment: &str,
    disaster: &str,
) -> &'a serde_json::Value {
    summary["rpo_rto"]
        .as_array()
        .expect("rows")
        .iter()
        .find(|r| r["tier"] == tier && r["environment"] == environment && r["disaster"] == disaster)
        .unwrap_or_else(|| panic!("no row {tier}/{environment}/{disaster}"))
}
