//! Degenerate scenarios (fixed durations, no failures) whose RPO, RTO, storage and job
//! counts can be worked out by hand. Every expected value below is derived in a comment.

use vaultsim::model::Model;
use vaultsim::montecarlo::{self, Estimates, RowEstimate, RowSpec};

use super::common::Small;

fn run(model: &Model, trials: u64) -> (Vec<RowSpec>, Estimates) {
    let rows = montecarlo::rows(model);
    let acc = montecarlo::run(model, &rows, 0..trials, 7, &|| {});
    let estimates = acc.finish(&rows);
    (rows, estimates)
}

/// The row pooling every resource.
fn all_row<'a>(rows: &[RowSpec], e: &'a Estimates) -> &'a RowEstimate {
    e.rows
        .iter()
        .find(|r| rows[r.spec_index].tier == "all")
        .expect("an all row")
}

fn assert_close(actual: Option<f64>, expected: f64, tolerance: f64, what: &str) {
    let a = actual.unwrap_or_else(|| panic!("{what}: no value"));
    assert!(
        (a - expected).abs() <= tolerance,
        "{what}: got {a}, expected {expected} ± {tolerance}"
    );
}

/// Daily at 05:00, start exactly on time, one-hour jobs, no failures.
/// Each point is captured at 05:00 and usable at 06:00, so the exposure ramps from
/// 1 h (06:00, just after a point arrives) to 25 h (06:00 the next day, just before).
/// Over the window [day 1, day 11) the partial first ramp (19 h → 25 h) and partial last
/// ramp (1 h → 19 h) together make one more full ramp: RPO is exactly uniform on
/// [3,600 s, 90,000 s). So p_q = 3,600 + q · 86,400 and the mean is 46,800 s.
/// RTO = 30 min declaration + 10 min retrieval + 3,600 MiB at 1 MiB/s + 20 min restore
/// + 30 min validation = 1,800 + 600 + 3,600 + 1,200 + 1,800 = 9,000 s.
#[test]
fn daily_fixed_schedule_gives_uniform_rpo_and_fixed_rto() {
    let model = Small::default().model();
    let (rows, e) = run(&model, 3);
    let all = all_row(&rows, &e);
    for (i, q) in montecarlo::QUANTILES.iter().enumerate() {
        assert_close(
            all.rpo.quantiles[i].value,
            3600.0 + q * 86_400.0,
            0.5,
            &format!("RPO p{}", q * 100.0),
        );
    }
    assert_close(all.rpo.max.value, 90_000.0, 0.0, "RPO max");
    assert_close(all.rpo.mean.value, 46_800.0, 1e-6, "RPO mean");
    for (i, _) in montecarlo::QUANTILES.iter().enumerate() {
        assert_close(all.rto.quantiles[i].value, 9_000.0, 0.0, "RTO quantile");
    }
    assert_close(all.rto.mean.value, 9_000.0, 1e-9, "RTO mean");
    assert_close(all.p_unrecoverable.value, 0.0, 0.0, "P(unrecoverable)");
    // Identical trials: no Monte Carlo error.
    assert_close(all.rpo.quantiles[2].standard_error, 0.0, 1e-9, "RPO p95 SE");

    // Tier1 target RPO 24 h: exposure ≤ 86,400 s for 82,800 of every 86,400 s = 23/24.
    let tier = e
        .rows
        .iter()
        .find(|r| rows[r.spec_index].tier == "Tier1" && rows[r.spec_index].environment == "all")
        .expect("tier row");
    assert_close(tier.p_meet_rpo.value, 23.0 / 24.0, 1e-12, "P(RPO met)");
    // RTO 9,000 s against a 4 h target: always met.
    assert_close(tier.p_meet_rto.value, 1.0, 0.0, "P(RTO met)");
    // 11 daily fires, all completed.
    assert_eq!(e.jobs.created, 3 * 11);
    assert_eq!(e.jobs.completed, 3 * 11);
}

/// The seed's Development design: weekly backups kept 7 days. Each point is deleted at
/// 05:00 on the Sunday it turns 7 days old, and its successor only becomes usable at
/// 06:00: one hour a week with nothing to restore. With the window aligned to whole weeks
/// (Monday 2026-01-05 to Monday 2026-03-16), that is exactly 1/168 of the time.
/// Otherwise the exposure ramps from 1 h to 168 h, so P(RPO ≤ 24 h) = 23 h / 168 h.
#[test]
fn weekly_backups_kept_seven_days_leave_an_hour_a_week_unprotected() {
    let model = Small {
        schedule: "cron(0 5 ? * SUN *)",
        lifecycle: "{ delete_after_days = 7 }",
        warmup_days: 4,
        horizon_days: 74,
        ..Small::default()
    }
    .model();
    let (rows, e) = run(&model, 2);
    let all = all_row(&rows, &e);
    assert_close(
        all.p_unrecoverable_time.value,
        1.0 / 168.0,
        1e-12,
        "unrecoverable time",
    );
    let tier = e
        .rows
        .iter()
        .find(|r| rows[r.spec_index].tier == "Tier1" && rows[r.spec_index].environment == "all")
        .expect("tier row");
    assert_close(tier.p_meet_rpo.value, 23.0 / 168.0, 1e-12, "P(RPO met)");
    assert_close(all.rpo.max.value, 604_800.0, 0.0, "RPO max = 7 days");
}

/// DESIGN.md: "a 100 GB volume changing 1 GB a day with N retained daily points holds
/// 100 + (N − 1) GB". With N = 7 and one-second incremental jobs at 05:00:00, the oldest
/// point is deleted at 05:00:00 and the new one is usable at 05:00:01: for that second the
/// chain holds 100 + 5 GiB, the rest of the day 100 + 6 GiB. Day average in bytes:
/// ((106 · 86,400 − 1) · 2^30) / 86,400, floored.
#[test]
fn incremental_chain_holds_full_size_plus_retained_changes() {
    let model = Small {
        incremental: true,
        size_gib: 100.0,
        daily_change_rate: 0.01,
        throughput_mib_per_s: 1024.0,
        lifecycle: "{ delete_after_days = 7 }",
        horizon_days: 20,
        ..Small::default()
    }
    .model();
    let (_, e) = run(&model, 1);
    let gib: u128 = 1 << 30;
    let steady = ((106 * 86_400 - 1) * gib / 86_400) as f64;
    for day in 8..20 {
        assert_eq!(e.storage[day].warm.mean, steady, "day {day}");
        assert_eq!(e.storage[day].cold.mean, 0.0);
    }
    // Day 0: the first (full) backup takes 100 s from 05:00, so 100 GiB is held from
    // 05:01:40 to midnight: 68,300 s of 86,400.
    let day0 = (100 * gib * 68_300 / 86_400) as f64;
    assert_eq!(e.storage[0].warm.mean, day0);
}

/// A one-hour job with a 59-minute completion window never finishes: every job is cut
/// off and the resource is never recoverable.
#[test]
fn jobs_longer_than_the_completion_window_never_protect() {
    let model = Small {
        completion_window_minutes: 59,
        ..Small::default()
    }
    .model();
    let (rows, e) = run(&model, 1);
    assert_eq!(e.jobs.cut_off, 11);
    assert_eq!(e.jobs.completed, 0);
    let all = all_row(&rows, &e);
    assert_close(all.p_unrecoverable.value, 1.0, 0.0, "P(unrecoverable)");
    assert_close(
        all.p_unrecoverable_time.value,
        1.0,
        0.0,
        "unrecoverable time",
    );
    assert!(
        all.rpo.mean.value.is_none(),
        "no RPO without a recovery point"
    );
}

/// One job per resource at a time: a job of 25 h + 1 s started at 05:00 on day k ends at
/// 06:00:01 on day k + 1, after that day's start window (05:00–06:00) has closed, so that
/// day's job expires and the next one runs: over 10 days, fires 0, 2, 4, 6, 8 run and
/// fires 1, 3, 5, 7, 9 expire.
#[test]
fn a_running_job_makes_the_next_one_expire() {
    let model = Small {
        size_gib: (25.0 * 3600.0 + 1.0) / 1024.0,
        horizon_days: 10,
        completion_window_minutes: 2000,
        ..Small::default()
    }
    .model();
    let (_, e) = run(&model, 1);
    assert_eq!(e.jobs.created, 10);
    assert_eq!(e.jobs.expired, 5);
    // The last one started on day 8 ends on day 9 at 06:00:01, inside the horizon.
    assert_eq!(e.jobs.completed, 5);
}

/// AWS Backup takes one backup when rules of one plan overlap, kept under the rule with
/// the longest retention: a daily and a weekly rule at 05:00 make 7 jobs a week, not 8.
#[test]
fn overlapping_rules_of_one_plan_make_one_job() {
    let text = Small {
        horizon_days: 14,
        ..Small::default()
    }
    .toml()
    .replace(
        "[plans.P.selections.tags.All]",
        "[plans.P.rules.Weekly]\nschedule_expression = \"cron(0 5 ? * SUN *)\"\n\
         target_backup_vault_name = \"Default\"\nlifecycle = { delete_after_days = 2555 }\n\n\
         [plans.P.selections.tags.All]",
    );
    let model = super::common::model_from(&text);
    let program = &model.programs[0];
    assert_eq!(program.slots.len(), 14);
    let weekly: Vec<_> = program
        .slots
        .iter()
        .filter(|s| {
            program.lifecycles[usize::from(s.lifecycle)].delete_after_seconds == Some(2555 * 86_400)
        })
        .map(|s| s.scheduled_seconds)
        .collect();
    // 2026-01-04 and 2026-01-11 are Sundays: days 3 and 10 at 05:00.
    assert_eq!(weekly, vec![3 * 86_400 + 5 * 3600, 10 * 86_400 + 5 * 3600]);
}

/// The logical-corruption row of the whole estate.
fn corruption_row<'a>(rows: &[RowSpec], e: &'a Estimates) -> &'a RowEstimate {
    e.rows
        .iter()
        .find(|r| {
            rows[r.spec_index].tier == "all"
                && rows[r.spec_index].view == montecarlo::View::Corruption
        })
        .expect("corruption row")
}

/// Logical corruption detected after exactly `D` days, daily points kept `R` days: a good
/// point was captured in (c + D − R, c) (docs/scenario.md, logical corruption). With
/// R = 7 < D = 10 every point taken before the corruption is gone by detection; with
/// R = D = 10 too (the interval is empty); with R = 10, D = 9.5 the half-day interval holds
/// a 05:00 capture for half of the corruption instants; with R = 35 the point of the
/// morning before the corruption is still there.
#[test]
fn corruption_detected_after_retention_leaves_nothing_good() {
    for (retention, delay, unrecoverable, tolerance) in [
        (7, 10.0, 1.0, 0.0),
        (10, 10.0, 1.0, 0.0),
        (10, 9.5, 0.5, 0.2),
        (35, 10.0, 0.0, 0.0),
    ] {
        let lifecycle = format!("{{ delete_after_days = {retention} }}");
        let text = Small {
            lifecycle: Box::leak(lifecycle.into_boxed_str()),
            resources: 20,
            horizon_days: 40,
            ..Small::default()
        }
        .toml()
            + &format!(
                "\n[disasters.logical_corruption]\ndetection_delay_days = {{ dist = \"fixed\", value = {delay} }}\n"
            );
        let model = super::common::model_from(&text);
        let (rows, e) = run(&model, 3);
        let row = corruption_row(&rows, &e);
        assert_close(
            row.p_unrecoverable.value,
            unrecoverable,
            tolerance,
            &format!("retention {retention}, delay {delay}"),
        );
        if retention == 35 {
            // Data lost runs from the newest capture before the corruption (a 05:00 point,
            // usable long before detection) to the corruption: under 24 h.
            assert!(row.rpo.max.value.expect("max") <= 86_400.0);
        }
    }
}

/// A worker reuses one trial outcome for all its trials (`montecarlo::run`), resetting it
/// in place. A trial simulated into an outcome that held another trial, or that was shaped
/// for another model, must equal the same trial simulated into a fresh outcome, in every
/// field: RPO/RTO histograms of every view, storage days, jobs, copies, the outage
/// timeline, copy days, alarms and the cost tally.
#[test]
fn an_outcome_reused_across_trials_equals_a_fresh_one() {
    use vaultsim::sim::trial::Scratch;
    use vaultsim::sim::{TrialOutcome, simulate_into, simulate_with};
    let path = super::common::root().join("scenarios/bench-gate.toml");
    let (_, model) = vaultsim::scenario::load_model(&path).expect("the gate scenario loads");
    let seed = 20_261_128;
    let fresh = simulate_with(&model, 1, seed, &mut Scratch::default());
    assert!(fresh.cost.is_some() && fresh.outage.affected.iter().any(|&a| a > 0));

    let mut scratch = Scratch::default();
    let mut reused = TrialOutcome::new(&model, 0);
    simulate_into(&model, 0, seed, &mut scratch, &mut reused);
    let first = format!("{reused:?}");
    simulate_into(&model, 1, seed, &mut scratch, &mut reused);
    assert_ne!(first, format!("{reused:?}"), "trials 0 and 1 differ");
    assert_eq!(format!("{reused:?}"), format!("{fresh:?}"));

    let small = Small::default().model();
    let mut other = simulate_with(&small, 0, seed, &mut Scratch::default());
    simulate_into(&model, 1, seed, &mut scratch, &mut other);
    assert_eq!(format!("{other:?}"), format!("{fresh:?}"));
}

/// Copy jobs created, completed, failed and refused per day are reported as means over
/// trials only, so the accumulator keeps their integer sums instead of every trial's
/// days. The means must be what the straightforward path gives: each trial simulated on
/// its own and its day's counts averaged in trial order (`estimate::mean`), to the bit.
#[test]
fn daily_copy_means_from_sums_equal_the_mean_of_each_trials_counts() {
    use vaultsim::sim::simulate;
    use vaultsim::stats::estimate;
    let path = super::common::root().join("scenarios/bench-gate.toml");
    let (_, model) = vaultsim::scenario::load_model(&path).expect("the gate scenario loads");
    let seed = 20_261_128;
    let trials = 0..3;
    let rows = vaultsim::montecarlo::rows(&model);
    let e = vaultsim::montecarlo::run(&model, &rows, trials.clone(), seed, &|| {}).finish(&rows);
    let each: Vec<_> = trials
        .map(|t| simulate(&model, t, seed).copy_days)
        .collect();
    assert_eq!(e.copy_days.len(), each[0].created.len());
    let mut failed = 0.0;
    for d in &e.copy_days {
        let mean = |f: &dyn Fn(&vaultsim::sim::ops::CopyDays) -> u64| {
            estimate::mean(&each.iter().map(|c| f(c) as f64).collect::<Vec<_>>())
        };
        let i = d.day;
        let expected = [
            mean(&|c| c.created[i]),
            mean(&|c| c.completed[i]),
            mean(&|c| c.failed[i]),
            mean(&|c| c.refused_cold[i]),
        ];
        let got = [d.created, d.completed, d.failed, d.refused_cold];
        assert_eq!(got.map(f64::to_bits), expected.map(f64::to_bits), "day {i}");
        failed += d.failed;
    }
    // Not a vacuous comparison: the gate scenario creates copies daily and some fail.
    let busy = e.copy_days.iter().filter(|d| d.created > 0.0).count();
    assert!(busy > e.copy_days.len() / 2, "copies on {busy} days");
    assert!(failed > 0.0, "some copies fail in the gate scenario");
}

/// The gate scenario's path, report rows and first `trials` trials with `seed`, and
/// those trials added to an accumulator that keeps its records in memory.
fn gate_trials(
    seed: u64,
    trials: u64,
) -> (
    std::path::PathBuf,
    Vec<vaultsim::montecarlo::RowSpec>,
    Vec<vaultsim::sim::TrialOutcome>,
    vaultsim::montecarlo::Accumulator,
) {
    let path = super::common::root().join("scenarios/bench-gate.toml");
    let (_, model) = vaultsim::scenario::load_model(&path).expect("the gate scenario loads");
    let rows = vaultsim::montecarlo::rows(&model);
    let outcomes: Vec<_> = (0..trials)
        .map(|t| vaultsim::sim::simulate(&model, t, seed))
        .collect();
    let mut memory = vaultsim::montecarlo::Accumulator::new(&rows);
    for o in &outcomes {
        memory.add(&rows, o);
    }
    (path, rows, outcomes, memory)
}

/// Per-trial values are records kept in memory up to a budget and in a temporary file
/// past it (`stats::records`). Estimates made from records that all went to the file,
/// added in another trial order and merged from two accumulators, must equal those of
/// records kept in memory, in every field (Estimates compares every band, every row and
/// the per-trial series); and the storage bands must be what the straightforward path
/// gives: each trial's day series, the band of each day taken over trials in order.
#[test]
fn estimates_from_spilled_records_equal_those_from_memory_and_the_direct_bands() {
    use vaultsim::montecarlo::{Accumulator, sample_quantile};
    use vaultsim::stats::estimate;
    let (_, rows, outcomes, memory) = gate_trials(20_261_129, 4);
    assert!(
        outcomes
            .iter()
            .any(|o| o.outage.affected.iter().any(|&a| a > 0))
    );
    assert!(outcomes.iter().all(|o| o.cost_usd.is_some()));

    let mut spilled_a = Accumulator::with_memory_budget(&rows, 0);
    let mut spilled_b = Accumulator::with_memory_budget(&rows, 0);
    for t in [3, 0] {
        spilled_a.add(&rows, &outcomes[t]);
    }
    for t in [2, 1] {
        spilled_b.add(&rows, &outcomes[t]);
    }
    let from_memory = memory.finish(&rows);
    let from_file = spilled_b.merge(spilled_a).finish(&rows);
    assert_eq!(from_file, from_memory);
    for i in 0..rows.len() {
        assert_eq!(
            from_file.series.row(i),
            from_memory.series.row(i),
            "row {i}"
        );
    }
    assert_eq!(from_file.series.row_trials(), 4);

    // Read back in blocks of 16 words, 4 trials' blocks hold 4 of a report row's 18
    // columns, as ~33,000 trials' do with the default budget (past ~7,300 trials
    // `Series::row` re-read a block per trial and word).
    let mut narrow = Accumulator::with_budgets(&rows, 0, 16);
    for t in [1, 3, 0, 2] {
        narrow.add(&rows, &outcomes[t]);
    }
    let narrow = narrow.finish(&rows);
    assert_eq!(narrow, from_memory);
    for i in 0..rows.len() {
        assert_eq!(narrow.series.row(i), from_memory.series.row(i), "row {i}");
    }

    let days: Vec<_> = outcomes
        .iter()
        .map(|o| o.storage.daily_average_bytes())
        .collect();
    assert_eq!(from_file.storage.len(), days[0].0.len());
    for s in &from_file.storage {
        let warm: Vec<f64> = days.iter().map(|(w, _)| w[s.day] as f64).collect();
        let cold: Vec<f64> = days.iter().map(|(_, c)| c[s.day] as f64).collect();
        assert_eq!(s.warm.mean.to_bits(), estimate::mean(&warm).to_bits());
        assert_eq!(s.warm.p90.to_bits(), sample_quantile(&warm, 0.9).to_bits());
        assert_eq!(s.cold.p10.to_bits(), sample_quantile(&cold, 0.1).to_bits());
        assert_eq!(s.cold.p50.to_bits(), sample_quantile(&cold, 0.5).to_bits());
    }
}

/// A reader that hands out one byte per call, so that every value a decoder reads spans
/// its buffer's refills.
struct Trickle<'a>(&'a [u8]);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((&byte, rest)), Some(slot)) => {
                *slot = byte;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn partials_streamed_from_spilled_records_and_read_a_byte_at_a_time_merge_to_the_same_estimates() {
    use vaultsim::montecarlo::Accumulator;
    use vaultsim::partial::{self, Header};
    let seed = 20_261_130;
    let (path, rows, outcomes, memory) = gate_trials(seed, 3);
    let header = |shard| Header {
        vaultsim_version: "test".to_string(),
        maths_fingerprint: "test".to_string(),
        scenario_file: path.display().to_string(),
        scenario_sha256: "test".to_string(),
        inputs: Vec::new(),
        seed,
        trials: 3,
        shard,
        shards: 2,
    };
    // Shard 0 holds trials 0 and 2, shard 1 trial 1; every record on disk.
    let mut shards = [0, 1].map(|_| Accumulator::with_memory_budget(&rows, 0));
    for (t, o) in outcomes.iter().enumerate() {
        shards[t % 2].add(&rows, o);
    }
    let mut merged: Option<Accumulator> = None;
    for (shard, accumulator) in shards.iter_mut().enumerate().rev() {
        accumulator.put_in_trial_order();
        let mut bytes = Vec::new();
        partial::write(&header(shard as u64), accumulator, &mut bytes).unwrap();
        assert_eq!(bytes, partial::encode(&header(shard as u64), accumulator));
        let (h, back) = partial::read(Trickle(&bytes)).unwrap();
        assert_eq!(h, header(shard as u64));
        assert_eq!(partial::encode(&h, &back), bytes);
        merged = Some(match merged {
            None => back,
            Some(m) => {
                m.check_fits(&back).unwrap();
                m.merge(back)
            }
        });
    }
    assert_eq!(merged.unwrap().finish(&rows), memory.finish(&rows));
}

/// An RDS database (point-in-time recovery lags 5 minutes) under two continuous-backup
/// rules of one plan into one vault: `Short`, daily at 05:00, kept 7 days, and `Long`,
/// daily at 17:00, kept 35 days. AWS ("Overlapping continuous backups on the same
/// resource"): only the rule with the longest retention creates the continuous backup,
/// and the other is disregarded. So the point-in-time window is 35 days, and corruption
/// found 20 days after it struck is restored to the instant before it: nothing lost, in
/// every sampled loss. (Letting the first continuous job, `Short`'s at 05:00, set a 7-day
/// window lost up to a day: the newest 35-day point before the corruption.) Sent to two
/// different vaults, the same rules make AWS reject the plan.
#[test]
fn overlapping_continuous_rules_keep_the_longest_window() {
    let rds = |text: String| {
        text.replace(
            "validation_minutes = ",
            "continuous_lag_minutes = 5\nvalidation_minutes = ",
        )
    };
    let two_rules = |long_vault: &str| {
        let text = Small {
            resource_type: "RDS",
            horizon_days: 60,
            resources: 20,
            lifecycle: "{ delete_after_days = 7 }\nenable_continuous_backup = true",
            ..Small::default()
        }
        .toml()
        .replace("[plans.P.rules.R]", "[plans.P.rules.Short]")
        .replace(
            "[plans.P.selections",
            &format!(
                "[plans.P.rules.Long]\nschedule_expression = \"cron(0 17 ? * * *)\"\n\
                 target_backup_vault_name = \"{long_vault}\"\n\
                 enable_continuous_backup = true\nlifecycle = {{ delete_after_days = 35 }}\n\n\
                 [vaults.Other]\naccount = \"workload\"\nregion = \"home\"\n\n[plans.P.selections"
            ),
        );
        rds(text)
            + "\n[disasters.logical_corruption]\ndetection_delay_days = { dist = \"fixed\", value = 20 }\n"
    };
    let model = super::common::model_from(&two_rules("Default"));
    let program = &model.programs[0];
    assert!(
        program.slots.iter().all(|s| {
            s.continuous
                && program.lifecycles[usize::from(s.lifecycle)].delete_after_seconds
                    == Some(35 * 86_400)
        }),
        "only Long's jobs run"
    );
    let (rows, e) = run(&model, 3);
    let row = corruption_row(&rows, &e);
    assert_close(row.p_unrecoverable.value, 0.0, 0.0, "a 35-day window");
    assert_eq!(
        row.rpo.max.value,
        Some(0.0),
        "restored to the corruption instant"
    );

    let text = two_rules("Other");
    let s = vaultsim::scenario::parse(std::path::Path::new("test.toml"), text)
        .expect("the file parses");
    let error = vaultsim::scenario::resolve(&s)
        .expect_err("continuous rules into two vaults are refused")
        .to_string();
    assert!(
        error.contains("test.toml:")
            && error.contains("plans.P.rules.Short.target_backup_vault_name")
            && error.contains("rejects such a plan as not valid"),
        "{error}"
    );
}
