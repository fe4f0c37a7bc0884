//! Account compromise, key loss and region outage against outcomes worked out by hand
//! from AWS's rules: what a compromised account can delete (everything in its own vaults
//! not under a compliance-mode lock, aws-backup-facts §7), what a lost key takes with it
//! (every point encrypted with it), and what a region outage leaves (copies in another
//! region).

use vaultsim::model::Model;
use vaultsim::montecarlo::{self, Estimates, RowSpec, View};

use super::common::model_from;

/// Three workload accounts, each with two resources tagged `Copy = yes` and three tagged
/// `Copy = no`, daily backups kept 35 days in the account's own vault. `copy_selection`
/// chooses which resources a second plan also copies into the central vault of the
/// backup account (`copy_region`), whose lock is `central_lock`; `local_lock` locks the
/// workload vaults; `keys` is the `[keys]` table (or nothing).
struct Estate {
    copy_selection: Option<&'static str>,
    copy_region: &'static str,
    central_lock: &'static str,
    local_lock: &'static str,
    keys: &'static str,
}

impl Default for Estate {
    fn default() -> Self {
        Estate {
            copy_selection: Some("yes"),
            copy_region: "us-east-1",
            central_lock: "",
            local_lock: "",
            keys: "",
        }
    }
}

impl Estate {
    fn model(&self) -> Model {
        let copy_plan = match self.copy_selection {
            None => String::new(),
            Some(values) => format!(
                r#"
[plans.C]
attach_to = ["Production"]
regions = ["us-east-1"]

[plans.C.rules.R]
schedule_expression = "cron(0 7 ? * * *)"
target_backup_vault_name = "Default"
lifecycle = {{ delete_after_days = 35 }}

[plans.C.rules.R.copy_actions."arn:aws:backup:{region}:111122223333:backup-vault:Central"]
lifecycle = {{ delete_after_days = 35 }}

[plans.C.selections.tags.Copied]
tag_key = "Copy"
tag_value = [{values}]
"#,
                region = self.copy_region,
                values = values
                    .split(',')
                    .map(|v| format!("\"{v}\""))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        };
        let link = if self.copy_region == "us-east-1" {
            String::new()
        } else {
            format!(
                "[[region_pairs]]\nsource = \"us-east-1\"\ndestination = \"{}\"\nbandwidth_mib_per_s = 10000\n",
                self.copy_region
            )
        };
        model_from(&format!(
            r#"
[simulation]
epoch = "2026-01-01T00:00:00Z"
horizon_days = 30
warmup_days = 10
trials = 2
seed = 1
start_delay_minutes = {{ dist = "fixed", value = 0 }}

[organization.ous]
Production = {{ parent = "Root" }}
Infrastructure = {{ parent = "Root" }}

[organization.account_templates.backup]
ou = "Infrastructure"
count = 1
home_regions = ["us-east-1"]
first_account_id = "111122223333"

[organization.account_templates.app]
ou = "Production"
count = 3
home_regions = ["us-east-1"]

[organization.account_templates.app.resources.copied]
type = "EBS"
count = {{ dist = "fixed", value = 2 }}
size_gib = {{ dist = "fixed", value = 1 }}
tags = {{ BackupTier = "Tier1", Copy = "yes" }}

[organization.account_templates.app.resources.local]
type = "EBS"
count = {{ dist = "fixed", value = 3 }}
size_gib = {{ dist = "fixed", value = 1 }}
tags = {{ BackupTier = "Tier1", Copy = "no" }}

[resource_types.EBS]
backup_throughput_mib_per_s = {{ dist = "fixed", value = 100 }}
failure_probability = 0
copy_failure_probability = 0
incremental = false
cold_storage = false
retrieval_minutes = {{ dist = "fixed", value = 10 }}
cold_retrieval_extra_hours = {{ dist = "fixed", value = 0 }}
restore_throughput_mib_per_s = {{ dist = "fixed", value = 100 }}
restore_process_minutes = {{ dist = "fixed", value = 20 }}
validation_minutes = {{ dist = "fixed", value = 30 }}

[vaults.Default]
account = "workload"
region = "home"
{local_lock}

[vaults.Central]
account = "backup"
region = "{region}"
{central_lock}

{link}

[plans.P]
attach_to = ["Production"]
regions = ["us-east-1"]

[plans.P.rules.R]
schedule_expression = "cron(0 5 ? * * *)"
target_backup_vault_name = "Default"
lifecycle = {{ delete_after_days = 35 }}

[plans.P.selections.tags.All]
tag_key = "BackupTier"
tag_value = ["Tier1"]
{copy_plan}

[tiers.Tier1]
rto_hours = 4
rpo_hours = 24

[disasters.account_compromise]
declaration_delay_minutes = {{ dist = "fixed", value = 0 }}

[disasters.key_loss]
declaration_delay_minutes = {{ dist = "fixed", value = 0 }}

{keys}
"#,
            region = self.copy_region,
            local_lock = self.local_lock,
            central_lock = self.central_lock,
            keys = self.keys,
        ))
    }
}

const COMPLIANCE: &str = "lock = { mode = \"compliance\" }";
const GOVERNANCE: &str = "lock = { mode = \"governance\" }";

fn run(model: &Model) -> (Vec<RowSpec>, Estimates) {
    let rows = montecarlo::rows(model);
    let e = montecarlo::run(model, &rows, 0..2, 7, &|| {}).finish(&rows);
    (rows, e)
}

/// P(unrecoverable) over all resources after `view`'s disaster.
fn unrecoverable(model: &Model, view: View) -> f64 {
    let (rows, e) = run(model);
    let r = e
        .rows
        .iter()
        .find(|r| {
            let s = &rows[r.spec_index];
            s.view == view && s.tier == "all" && s.environment == "all"
        })
        .expect("row");
    assert_eq!(r.losses, 2 * 15, "one event per resource per trial");
    r.p_unrecoverable.value.expect("value")
}

/// Six of the fifteen resources are also copied into the central backup account. A
/// compromise deletes everything in the workload account's own (unlocked) vault, so
/// exactly the nine without a copy outside the account are lost: 9/15.
#[test]
fn compromise_loses_exactly_the_resources_without_a_copy_outside_the_account() {
    let p = unrecoverable(&Estate::default().model(), View::AccountCompromise);
    assert_eq!(p, 9.0 / 15.0);
    // A governance-mode lock on the workload vault does not stop the attacker.
    let governance = Estate {
        local_lock: GOVERNANCE,
        ..Estate::default()
    };
    assert_eq!(
        unrecoverable(&governance.model(), View::AccountCompromise),
        9.0 / 15.0
    );
}

/// Every resource copied into a compliance-locked vault of another account: nothing is
/// unrecoverable. The same with no copies but compliance-locked workload vaults.
#[test]
fn compliance_locks_or_cross_account_copies_leave_nothing_unrecoverable() {
    let all_copied = Estate {
        copy_selection: Some("yes,no"),
        central_lock: COMPLIANCE,
        ..Estate::default()
    };
    assert_eq!(
        unrecoverable(&all_copied.model(), View::AccountCompromise),
        0.0
    );
    let locked_locally = Estate {
        copy_selection: None,
        local_lock: COMPLIANCE,
        ..Estate::default()
    };
    assert_eq!(
        unrecoverable(&locked_locally.model(), View::AccountCompromise),
        0.0
    );
}

/// The blast radius of one key ([seed §Key Architecture Patterns]): under the central
/// pattern the one central key encrypts every account's points; under per-account keys a
/// key reaches one account.
#[test]
fn central_key_reaches_every_account_per_account_keys_one() {
    let central = Estate {
        copy_selection: None,
        keys: "[keys]\npattern = \"central\"\ncentral_account = \"backup\"",
        ..Estate::default()
    }
    .model();
    let reach = central.key_reach();
    assert_eq!(reach.len(), 1);
    assert_eq!((reach[0].accounts, reach[0].resources), (3, 15));
    assert_eq!(reach[0].key.owner, None, "the central key");

    let per_account = Estate {
        copy_selection: None,
        keys: "[keys]\npattern = \"per_account\"",
        ..Estate::default()
    }
    .model();
    let reach = per_account.key_reach();
    assert_eq!(reach.len(), 3);
    assert!(reach.iter().all(|k| k.accounts == 1 && k.resources == 5));
    // Losing a key then loses exactly the points it encrypts: with no copies, every
    // resource's own key takes all its points in both patterns.
    assert_eq!(unrecoverable(&central, View::KeyLoss), 1.0);
    assert_eq!(unrecoverable(&per_account, View::KeyLoss), 1.0);
}

/// Copies survive a key loss only under another key: per-account keys leave the six copied
/// resources their copies (under the backup account's key); one central key in the same
/// region encrypts the copies too; a single-region central key in another region does not.
#[test]
fn key_loss_spares_copies_under_another_key() {
    let per_account = Estate {
        keys: "[keys]\npattern = \"per_account\"",
        ..Estate::default()
    };
    assert_eq!(
        unrecoverable(&per_account.model(), View::KeyLoss),
        9.0 / 15.0
    );
    let central = Estate {
        keys: "[keys]\npattern = \"central\"\ncentral_account = \"backup\"",
        ..Estate::default()
    };
    assert_eq!(unrecoverable(&central.model(), View::KeyLoss), 1.0);
    let central_other_region = Estate {
        copy_region: "us-west-2",
        keys: "[keys]\npattern = \"central\"\ncentral_account = \"backup\"",
        ..Estate::default()
    };
    assert_eq!(
        unrecoverable(&central_other_region.model(), View::KeyLoss),
        9.0 / 15.0
    );
    let multi_region = Estate {
        copy_region: "us-west-2",
        keys: "[keys]\npattern = \"central\"\ncentral_account = \"backup\"\nmulti_region = true",
        ..Estate::default()
    };
    assert_eq!(unrecoverable(&multi_region.model(), View::KeyLoss), 1.0);
}

/// A cross-account copy needs the source key shared with the destination account: without
/// sharing every such copy is refused, and the compromise then loses everything.
#[test]
fn unshared_keys_refuse_cross_account_copies() {
    let unshared = Estate {
        keys: "[keys]\npattern = \"per_account\"\ncross_account_sharing = false",
        ..Estate::default()
    }
    .model();
    let (_, e) = run(&unshared);
    assert!(e.copies.created > 0);
    assert_eq!(e.copies.rejected_by_key, e.copies.created);
    assert_eq!(unrecoverable(&unshared, View::AccountCompromise), 1.0);
}

/// The default landing zone's region outage: us-east-1 fails and everything restores in
/// us-west-2 at once. Tier 1 competing with the whole region takes longer than a single
/// Tier 1 restore; restoring by tier priority brings Tier 1 back sooner than all at once.
#[test]
fn region_outage_tier1_rto_suffers_from_contention_and_priority_helps() {
    use super::common::{run_default_with, summary_row};
    let rto_p95 = |s: &serde_json::Value, disaster: &str| {
        summary_row(s, "Tier1", "all", disaster)["rto_seconds"]["p95"]["value"]
            .as_f64()
            .expect("p95")
    };
    let priority = run_default_with(&[], 2);
    let all_at_once = run_default_with(
        &[("order = \"tier_priority\"", "order = \"all_at_once\"")],
        2,
    );
    let single = rto_p95(&priority, "resource_loss");
    let (with_priority, without) = (
        rto_p95(&priority, "region_outage"),
        rto_p95(&all_at_once, "region_outage"),
    );
    assert!(
        with_priority > single,
        "outage {with_priority} s vs single loss {single} s"
    );
    assert!(
        with_priority < without,
        "tier priority {with_priority} s vs all at once {without} s"
    );
    // The same seed gives the same outage: only the order differs, so what is lost is equal.
    assert_eq!(
        summary_row(&priority, "Tier1", "all", "region_outage")["p_unrecoverable"],
        summary_row(&all_at_once, "Tier1", "all", "region_outage")["p_unrecoverable"]
    );
}

/// A forced region outage in the small scenario, worked out by hand. Each resource backs
/// up daily at 05:00 (3,600 MiB at 1 MiB/s: usable at 06:00) and copies to us-west-2 over
/// a 1 MiB/s link (two copies share it: both usable there at 08:00). us-east-1 fails on
/// day 5 at 12:00: the newest copy was captured at 05:00, so 7 h of data are lost. Each
/// restore: 60 min declaration, 10 min retrieval, 3,600 MiB at its 1 MiB/s cap (60 min),
/// 20 min restore process (holding the slot), 30 min validation.
/// - One restore slot per account: the first is back at 180 min; the second takes the slot
///   when the first releases it (150 min) and is back at 270 min.
/// - Two slots, 1 MiB/s of regional restore throughput shared: both transfer at 0.5 MiB/s
///   (120 min) and are back at 240 min.
///
/// With incremental backups (1 % a day) the copies send only the change, but a restore
/// still moves the full 3,600 MiB: the same RTOs.
#[test]
fn forced_region_outage_restores_queue_for_slots_and_share_throughput() {
    use super::common::Small;
    use super::copies::copy_text;
    let outage = |limit: u32, throughput: f64, incremental: bool| {
        let text = copy_text(
            &Small {
                resources: 2,
                incremental,
                daily_change_rate: if incremental { 0.01 } else { 0.0 },
                ..Small::default()
            }
            .toml(),
            1.0,
        ) + &format!(
            "\n[disasters.region_outage]\nregions = [\"us-east-1\"]\n\
             declaration_delay_minutes = {{ dist = \"fixed\", value = 60 }}\n\
             restore_throughput_mib_per_s = {throughput}\n\
             max_concurrent_restores_per_account = {limit}\n\
             at = \"2026-01-06T12:00:00Z\"\n"
        );
        let model = model_from(&text);
        let (rows, e) = run(&model);
        let row = |tier: &str| {
            e.rows
                .iter()
                .find(|r| {
                    let s = &rows[r.spec_index];
                    s.view == View::RegionOutage && s.tier == tier && s.environment == "all"
                })
                .expect("row")
                .clone()
        };
        // Tier1's share of resources back by the end of hours 1..=6.
        let timeline: Vec<f64> = (0..6)
            .map(|h| {
                e.restore_timeline
                    .iter()
                    .find(|p| p.tier == 0 && p.hour == h)
                    .expect("Tier1 timeline")
                    .share
                    .mean
            })
            .collect();
        (row("all"), row("Tier1"), timeline)
    };
    for incremental in [false, true] {
        let (one_slot, tier1, timeline) = outage(1, 10.0, incremental);
        // Back at 3 h (counted by the end of hour 3) and at 4 h 30 min.
        assert_eq!(timeline, [0.0, 0.0, 0.5, 0.5, 1.0, 1.0]);
        assert_eq!(one_slot.losses, 2 * 2);
        assert_eq!(one_slot.p_unrecoverable.value, Some(0.0));
        assert_eq!(one_slot.rpo.max.value, Some(7.0 * 3600.0));
        assert_eq!(one_slot.rto.max.value, Some(270.0 * 60.0), "{incremental}");
        // Tier1's target is 4 h: the first restore (180 min) meets it, the second does not.
        assert_eq!(tier1.p_meet_rto.value, Some(0.5));
        let (shared, tier1, timeline) = outage(2, 1.0, incremental);
        assert_eq!(timeline, [0.0, 0.0, 0.0, 1.0, 1.0, 1.0]);
        assert_eq!(shared.rto.max.value, Some(240.0 * 60.0));
        assert_eq!(
            shared.rto.quantiles[0].value.map(|v| v.round()),
            Some(240.0 * 60.0)
        );
        assert_eq!(tier1.p_meet_rto.value, Some(1.0));
    }
}

/// The seed's alarms on the one-account small scenario over January 2026 (31 days; the
/// 1st is a Thursday), worked out by hand. An alarm notifies when it enters ALARM, so a
/// run of breaching periods is one firing.
/// - Daily jobs that all fail: one failed job a day, in 5-minute periods a day apart, so
///   backup-job-failed fires 31 times; a job is still created every day, so
///   missing-scheduled-backup never fires.
/// - Weekly jobs on Sundays (4, 11, 18, 25 January): the days without a job form five runs
///   (1–3, 5–10, 12–17, 19–24, 26–31), so missing-scheduled-backup fires 5 times.
#[test]
fn alarm_firings_match_hand_counts() {
    use super::common::Small;
    let firings = |small: Small| {
        let model = small.model();
        let (_, e) = run(&model);
        let month_of = |alarm: usize| {
            let m = e
                .alarms
                .iter()
                .find(|a| a.alarm == alarm && a.month == 0)
                .expect("January");
            assert_eq!(m.monitored_accounts, 1);
            assert_eq!(
                m.organization.p10, m.organization.p90,
                "fixed in every trial"
            );
            m.organization.mean
        };
        (month_of(0), month_of(1), month_of(2))
    };
    let failing_daily = Small {
        horizon_days: 31,
        failure_probability: 1.0,
        ..Small::default()
    };
    assert_eq!(firings(failing_daily), (31.0, 0.0, 0.0));
    let weekly = Small {
        horizon_days: 31,
        schedule: "cron(0 5 ? * SUN *)",
        ..Small::default()
    };
    assert_eq!(firings(weekly), (0.0, 0.0, 5.0));
}
