//! Cross-region copies over a shared link: the DR-region RPO is the local RPO plus copy
//! lag, worked out by hand in degenerate cases.

use vaultsim::montecarlo::{self, Estimates, RowEstimate, RowSpec};

use super::common::{Small, model_from, stderr, vaultsim};

/// The small scenario with a DR vault in us-west-2, a copy action on its daily rule, and a
/// link of `bandwidth` MiB/s (no per-job cap).
fn with_copy(small: &Small, bandwidth: f64) -> vaultsim::model::Model {
    model_from(&copy_text(&small.toml(), bandwidth))
}

/// `text` with the DR vault, the link and the copy action added.
pub fn copy_text(text: &str, bandwidth: f64) -> String {
    text.replace(
        "[plans.P]",
        &format!(
            "[vaults.DR]\naccount = \"workload\"\nregion = \"us-west-2\"\n\n\
                 [[region_pairs]]\nsource = \"us-east-1\"\ndestination = \"us-west-2\"\n\
                 bandwidth_mib_per_s = {bandwidth}\n\n[plans.P]"
        ),
    )
    .replace(
        "[plans.P.selections.tags.All]",
        "[plans.P.rules.R.copy_actions.\"arn:aws:backup:us-west-2:$account:backup-vault:DR\"]\n\
             lifecycle = { delete_after_days = 35 }\n\n[plans.P.selections.tags.All]",
    )
}

fn run(model: &vaultsim::model::Model) -> (Vec<RowSpec>, Estimates) {
    let rows = montecarlo::rows(model);
    let e = montecarlo::run(model, &rows, 0..2, 3, &|| {}).finish(&rows);
    (rows, e)
}

fn row<'a>(rows: &[RowSpec], e: &'a Estimates, dr: bool) -> &'a RowEstimate {
    e.rows
        .iter()
        .find(|r| {
            rows[r.spec_index].tier == "all"
                && (rows[r.spec_index].view == montecarlo::View::DrRegion) == dr
                && rows[r.spec_index].view != montecarlo::View::Corruption
        })
        .expect("row")
}

/// Daily backups captured at 05:00 and usable at 06:00 (3,600 MiB at 1 MiB/s); each is
/// copied at once over a 1 MiB/s link, alone on it: usable in the DR region at 07:00. The
/// DR exposure ramps from 2 h to 26 h, so it is uniform on [7,200 s, 93,600 s) and
/// p_q = 7,200 + q·86,400. With a 2 MiB/s link the copy takes 30 min: uniform on
/// [5,400 s, 91,800 s). Locally nothing changes.
#[test]
fn dr_rpo_is_local_rpo_plus_copy_time() {
    for (bandwidth, lag) in [(1.0, 3600.0), (2.0, 1800.0)] {
        let model = with_copy(&Small::default(), bandwidth);
        let (rows, e) = run(&model);
        let local = row(&rows, &e, false);
        let dr = row(&rows, &e, true);
        for (i, q) in montecarlo::QUANTILES.iter().enumerate() {
            let expected_local = 3600.0 + q * 86_400.0;
            let got = local.rpo.quantiles[i].value.expect("local");
            assert!((got - expected_local).abs() < 0.5, "local p{q}: {got}");
            let got = dr.rpo.quantiles[i].value.expect("dr");
            assert!(
                (got - (expected_local + lag)).abs() < 0.5,
                "bandwidth {bandwidth}: DR p{q} = {got}, expected {}",
                expected_local + lag
            );
        }
        assert_eq!(e.copies.created, 2 * 11);
        assert_eq!(e.copies.completed, 2 * 11);
        assert_eq!(e.copies.lag.max(), Some(lag as u64));
        // copies_daily: one copy created and completed each day, none left at day end,
        // the day's lag exactly (its only value).
        assert_eq!(e.copy_days.len(), 11);
        for d in &e.copy_days {
            assert_eq!((d.created, d.completed, d.failed), (1.0, 1.0, 0.0));
            assert_eq!(d.backlog_jobs[0].mean, 0.0);
            assert_eq!(
                (d.lag_p50_seconds, d.lag_p95_seconds),
                (Some(lag), Some(lag)),
                "day {}",
                d.day
            );
        }
        assert!(
            dr.rto.quantiles[0].value.is_none(),
            "the DR view has no restores (region_outage rows do)"
        );
    }
}

/// The closed form, through `copies_daily.csv`: ten resources of 100 GB
/// (100 × 10^9 bytes, 93.13225746154785156250 GiB, exact in binary) back up at 05:00 in
/// the same second and copy at once over one 1 Gbps link (125,000,000 B/s,
/// 119.20928955078125 MiB/s, exact too). Under processor sharing each gets
/// 12,500,000 B/s, so all ten finish together after 10^11 / 1.25·10^7 = 8,000 s: every
/// day's lag p50 and p95 is exactly 8000 (the bucket middle printed before was 7680,
/// 4 % low).
#[test]
fn ten_copies_sharing_a_link_report_their_exact_lag() {
    const GIB: f64 = 1_073_741_824.0;
    const MIB: f64 = 1_048_576.0;
    let text = copy_text(
        &Small {
            resources: 10,
            size_gib: 100e9 / GIB,
            // 100 GB in 95.4 s: the ten backups end in the same second.
            throughput_mib_per_s: 1000.0,
            ..Small::default()
        }
        .toml(),
        125e6 / MIB,
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("ten.toml");
    std::fs::write(&file, text).expect("write");
    let out = dir.path().join("out");
    let o = vaultsim(&[
        "run",
        file.to_str().expect("utf-8"),
        "--out",
        out.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = std::fs::read_to_string(out.join("copies_daily.csv")).expect("copies_daily.csv");
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|&h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    };
    let (completed, p50, p95) = (
        column("completed_mean"),
        column("lag_p50_seconds"),
        column("lag_p95_seconds"),
    );
    let mut days = 0;
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[completed], "10.000", "{line}");
        assert_eq!((fields[p50], fields[p95]), ("8000", "8000"), "{line}");
        days += 1;
    }
    assert_eq!(days, 11);
}

/// Two resources back up at the same moment and copy together over a 1 MiB/s link: under
/// processor sharing each gets 0.5 MiB/s, so both copies take 2 h instead of 1 h (the
/// closed form for equal simultaneous transfers, N·S/B).
#[test]
fn copies_share_the_link_fairly() {
    let model = with_copy(
        &Small {
            resources: 2,
            ..Small::default()
        },
        1.0,
    );
    let (_, e) = run(&model);
    assert_eq!(e.copies.lag.min(), Some(7200));
    assert_eq!(e.copies.lag.max(), Some(7200));
}

/// A resource type with copy_failure_probability 1 never has a DR copy: the DR view is
/// unrecoverable all the time, and the failures are counted.
#[test]
fn failed_copies_leave_the_dr_region_without_a_point() {
    let small = Small::default();
    let text = small.toml().replace(
        "failure_probability = 0\n",
        "failure_probability = 0\ncopy_failure_probability = 1\n",
    );
    assert!(text.contains("copy_failure_probability = 1"));
    let model = model_from(&copy_text(&text, 1.0));
    let (rows, e) = run(&model);
    assert_eq!(e.copies.failed, e.copies.created);
    let dr = row(&rows, &e, true);
    assert_eq!(dr.p_unrecoverable_time.value, Some(1.0));
}

/// In the default scenario the production DR RPO is worse than the local one (copy lag),
/// and a wider link between the regions shrinks it.
#[test]
fn default_scenario_dr_rpo_shrinks_with_bandwidth() {
    use super::common::{run_default_with, summary_row};
    let p95 = |bandwidth: &str| -> (f64, f64) {
        let s = run_default_with(
            &[(
                "bandwidth_mib_per_s = 2000",
                &format!("bandwidth_mib_per_s = {bandwidth}"),
            )],
            1,
        );
        let get = |disaster: &str| {
            summary_row(&s, "Tier2", "Production", disaster)["rpo_seconds"]["p95"]["value"]
                .as_f64()
                .expect("p95")
        };
        (get("resource_loss"), get("dr_region"))
    };
    let (local, dr_narrow) = p95("2000");
    let (_, dr_wide) = p95("20000");
    assert!(dr_narrow > local, "DR {dr_narrow} vs local {local}");
    assert!(dr_wide < dr_narrow, "wider link {dr_wide} vs {dr_narrow}");
    assert!(dr_wide > local);
}

/// AWS runs one backup or copy job per resource at a time: a backup waits while a copy of
/// its resource runs, and expires if its start window closes first. Weekly backups on
/// Sundays (05:00–06:00) copy 3,600 MiB to us-west-2; a second rule backs up daily at
/// 12:00 without copies. Over 1–11 January 2026 (Sundays the 4th and 11th):
/// - at 1/48 MiB/s each copy takes 48 h (to Tuesday 06:00): the 12:00 jobs of Sunday 4,
///   Monday 5 and Sunday 11 wait past their 60-minute window and expire — 3 per trial;
/// - at 1/9 MiB/s a copy takes 9 h (to Sunday 15:00) and the daily rule has a 4-hour
///   window: each Sunday's 12:00 job starts at 15:00 instead — 2 delayed per trial. Its
///   RPO shows it: the point captured at 15:00 is 3 h younger.
#[test]
fn a_backup_waits_for_its_resource_s_copy() {
    let scenario = |bandwidth: f64, window: u32| {
        let text = copy_text(
            &Small {
                schedule: "cron(0 5 ? * SUN *)",
                ..Small::default()
            }
            .toml(),
            bandwidth,
        )
        .replace(
            "[plans.P.selections.tags.All]",
            &format!(
                "[plans.P.rules.D]\nschedule_expression = \"cron(0 12 ? * * *)\"\n\
                 start_backup_window_minutes = {window}\ntarget_backup_vault_name = \"Default\"\n\
                 lifecycle = {{ delete_after_days = 35 }}\n\n[plans.P.selections.tags.All]"
            ),
        );
        run(&model_from(&text)).1
    };
    let slow = scenario(1.0 / 48.0, 60);
    assert_eq!(slow.copies.created, 2 * 2);
    assert_eq!(slow.jobs.expired_waiting_for_copy, 2 * 3);
    assert_eq!(slow.jobs.expired, 2 * 3);
    assert_eq!(slow.jobs.delayed_by_copy, 0);
    let late = scenario(1.0 / 9.0, 240);
    assert_eq!(late.jobs.expired, 0);
    assert_eq!(late.jobs.delayed_by_copy, 2 * 2);
}

/// Memory does not grow with the horizon: a job's copies settle when the resource's next
/// job runs, and a link reuses the slots of completed jobs, so over 120 days of daily
/// copies (one per resource per day) the copy stage and the link hold at most one job's
/// copies per resource at once.
#[test]
fn the_copy_stage_holds_at_most_one_job_s_copies_per_resource() {
    let small = Small {
        resources: 20,
        horizon_days: 120,
        ..Small::default()
    };
    let model = with_copy(&small, 10.0);
    let mut scratch = vaultsim::sim::trial::Scratch::default();
    let outcome = vaultsim::sim::simulate_with(&model, 0, 7, &mut scratch);
    assert!(
        outcome.copies.completed >= 20 * 110,
        "{} copies completed",
        outcome.copies.completed
    );
    let (requests, link_jobs) = scratch.copies_held_at_most();
    assert!(
        (1..=20).contains(&requests),
        "{requests} copies held at once"
    );
    assert!(
        (1..=20).contains(&link_jobs),
        "{link_jobs} link jobs held at once"
    );
}

/// AWS's EBS and RDS copy guides: a cross-region copy is incremental only while the most
/// recent copy of the resource is still in the destination; once it is deleted, the next
/// copy is full. An incremental EBS volume of 3,774,873,600 bytes changing 1 % a day is
/// backed up daily at 05:00 (11 jobs in the 11-day horizon) and each point copied to
/// us-west-2. Kept 35 days there, the first copy is full and the next ten send a day's
/// change each, 37,748,736 bytes: 3,774,873,600 + 10 × 37,748,736 = 4,152,360,960 bytes
/// a trial. Kept one day, each copy is deleted at the next one's capture, an hour before
/// the next copy starts: all eleven are full, 11 × 3,774,873,600 = 41,523,609,600 bytes.
#[test]
fn a_copy_is_incremental_only_while_the_previous_copy_exists() {
    let small = Small {
        incremental: true,
        daily_change_rate: 0.01,
        ..Small::default()
    };
    let full: u128 = 3_774_873_600;
    for (keep_days, per_trial) in [(35, full + 10 * 37_748_736), (1, 11 * full)] {
        let text = copy_text(&small.toml(), 1000.0).replace(
            "lifecycle = { delete_after_days = 35 }\n\n[plans.P.selections",
            &format!("lifecycle = {{ delete_after_days = {keep_days} }}\n\n[plans.P.selections"),
        );
        assert!(text.contains(&format!(
            "delete_after_days = {keep_days} }}\n\n[plans.P.sel"
        )));
        let (_, e) = run(&model_from(&text));
        assert_eq!(e.copies.created, 2 * 11);
        assert_eq!(
            e.copies.bytes,
            2 * per_trial,
            "copies kept {keep_days} days"
        );
    }
}

/// Service control policies in the simulation, decided as AWS documents the calls a
/// scheduled copy makes (docs/compliance.md "Service control policies"): the destination
/// vault's creation (`backup:CreateBackupVault`) by its owner in the destination region,
/// the copy's start (`backup:StartCopyJob`) in the source region, and the copy itself
/// under the selection's role in the destination region (`backup:CopyIntoBackupVault`,
/// `ec2:CopySnapshot`, ...). The volume lives in us-east-1 and copies to a vault in
/// us-west-2; each SCP below allows only us-east-1. A denied copy fails (counted as
/// `denied_by_scp`), so the DR region holds nothing all along; `check` names the same
/// denial. Denying `StartCopyJob` outside us-east-1 denies nothing: the copy starts in
/// us-east-1. Denying `StartBackupJob` in us-east-1 fails every backup, unless the
/// scenario says scheduled starts are not checked against SCPs.
#[test]
fn service_control_policies_deny_the_copies_check_says_they_deny() {
    let scp = |actions: &str, enabled: bool| {
        format!(
            "\n[[service_control_policies]]\nname = \"east-only\"\nattach_to = [\"Root\"]\n\
             enabled = {enabled}\nactions = [{actions}]\nallowed_regions = [\"us-east-1\"]\n"
        )
    };
    let base = copy_text(&Small::default().toml(), 1.0);
    let cases = [
        (
            "\"backup:CreateBackupVault\"",
            true,
            Some("backup:CreateBackupVault"),
        ),
        ("\"ec2:CopySnapshot\"", true, Some("ec2:CopySnapshot")),
        ("\"backup:*\"", true, Some("backup:CreateBackupVault")),
        ("\"backup:StartCopyJob\"", true, None),
        ("\"backup:CreateBackupVault\"", false, None),
    ];
    for (actions, enabled, denied_by) in cases {
        let model = model_from(&(base.clone() + &scp(actions, enabled)));
        let (rows, e) = run(&model);
        let dr = row(&rows, &e, true);
        let report = vaultsim::compliance::check(&model);
        let finding = report.findings.iter().find(|f| f.id == "VS-SCP-DENIED");
        match denied_by {
            Some(action) => {
                assert_eq!(e.copies.denied_by_scp, e.copies.created, "{actions}");
                assert_eq!(e.copies.completed, 0, "{actions}");
                assert_eq!(dr.p_unrecoverable_time.value, Some(1.0), "{actions}");
                let f = finding.unwrap_or_else(|| panic!("{actions}: check agrees"));
                assert!(
                    f.scope
                        .label
                        .contains(&format!("copies to DR in us-west-2 ({action})")),
                    "{actions}: {}",
                    f.scope.label
                );
                assert_eq!(e.jobs.denied_by_scp, 0, "backups stay in us-east-1");
            }
            None => {
                assert_eq!(e.copies.denied_by_scp, 0, "{actions}");
                assert_eq!(e.copies.completed, e.copies.created, "{actions}");
                assert!(
                    finding.is_none_or(|f| !enabled || f.scope.label.contains("not enabled")),
                    "{actions}"
                );
            }
        }
    }
    // Backups: the start of a scheduled backup in us-west-2-only organization.
    let west_only = scp("\"backup:StartBackupJob\"", true).replace("us-east-1", "us-west-2");
    for (checked, denied) in [(true, true), (false, false)] {
        let text = base.replace(
            "seed = 1\n",
            &format!("seed = 1\nscheduled_jobs_checked_against_scps = {checked}\n"),
        ) + &west_only;
        let model = model_from(&text);
        let (rows, e) = run(&model);
        let local = row(&rows, &e, false);
        assert_eq!(e.jobs.denied_by_scp == e.jobs.created, denied, "{checked}");
        assert_eq!(e.jobs.completed == 0, denied, "{checked}");
        assert_eq!(
            local.p_unrecoverable_time.value == Some(1.0),
            denied,
            "{checked}"
        );
    }
}
