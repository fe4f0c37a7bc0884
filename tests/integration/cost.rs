//! The cost forecast against bills worked out by hand from AWS's billing rules
//! (GB-months averaged over the calendar month; incremental backups hold only what
//! changed).

use vaultsim::cost::Charge;
use vaultsim::montecarlo;

use super::common::{Small, model_from};

/// One volume of `resource_type` of 100 GB (2^30-byte GB, as AWS bills), backed up daily
/// at 05:00 in seconds, kept 35 days, priced at $0.05 per GB-month: March's warm storage
/// bill and the projected steady-state month. March (31 days) is in steady state.
fn march_warm_cost_of(resource_type: &'static str, daily_change_rate: f64) -> (f64, f64) {
    march_warm_cost_with(resource_type, daily_change_rate, false)
}

/// [`march_warm_cost_of`], each point also `copied` to a vault in us-west-2 over a wide
/// link (kept 35 days there too, priced the same).
fn march_warm_cost_with(
    resource_type: &'static str,
    daily_change_rate: f64,
    copied: bool,
) -> (f64, f64) {
    let text = Small {
        resource_type,
        horizon_days: 90,
        size_gib: 100.0,
        throughput_mib_per_s: 100_000.0,
        incremental: true,
        daily_change_rate,
        ..Small::default()
    }
    .toml()
        + "\n[costs]\ncatalog = \"scenarios/prices/aws-backup.toml\"\n\n\
           [[costs.override]]\nregion = \"us-east-1\"\nresource_type = \"RESOURCE_TYPE\"\n\
           item = \"warm_storage\"\nusd = 0.05\n";
    let mut text = text.replace("RESOURCE_TYPE", resource_type);
    if copied {
        text = super::copies::copy_text(&text, 100_000.0)
            + &format!(
                "\n[[costs.override]]\nregion = \"us-west-2\"\nresource_type = \"{resource_type}\"\n\
                 item = \"warm_storage\"\nusd = 0.05\n"
            );
    }
    let model = model_from(&text);
    assert_eq!(model.simulation.months[2].label, "2026-03");
    let rows = montecarlo::rows(&model);
    let e = montecarlo::run(&model, &rows, 0..2, 1, &|| {}).finish(&rows);
    let cost = e.cost.expect("priced");
    assert!(
        cost.unpriced.iter().all(|&q| q == 0.0),
        "{:?}",
        cost.unpriced
    );
    let march = cost.total[2];
    assert_eq!(march.p10, march.p90, "nothing random in this bill");
    let transfer = Charge::Transfer.category();
    assert_eq!(
        cost.by_category[transfer][2].mean == 0.0,
        !copied,
        "transfer only with copies"
    );
    let march = if copied {
        // The warm storage alone: the copies' transfer is billed too.
        cost.by_category[Charge::Warm.category()][2]
    } else {
        march
    };
    let projected = cost
        .projected_steady_monthly
        .value
        .expect("nothing kept forever");
    (march.mean, projected)
}

/// [`march_warm_cost_of`] for EBS, metered per GB-hour: March's bill.
fn march_warm_cost(daily_change_rate: f64) -> f64 {
    march_warm_cost_of("EBS", daily_change_rate).0
}

/// With no change the newest point holds the whole volume and the older ones nothing:
/// 100 GB all month, 100 GB-months, $5.00.
#[test]
fn an_unchanging_volume_holds_its_size_warm() {
    let usd = march_warm_cost(0.0);
    assert!((usd - 5.00).abs() < 1e-6, "{usd}");
}

/// With 1 % a day (1 GB) changed, 35 daily points are kept: the newest holds 100 GB and
/// each of the 34 older ones the 1 GB its successor changed — 134 GB all month
/// ($6.70). Issue 5 states "100 + 35 × 1 GB" (135 GB): that counts one change too many,
/// since 35 points have 34 gaps between them — the oldest point's own change is relative
/// to a predecessor that is already deleted, and the data it shares with its successor
/// is stored once (as an EBS volume's oldest snapshot holds a full image plus nothing
/// more). The engine is right, and this test holds it to 134. (Between 05:00, when the oldest point expires, and the end of the new backup a
/// few seconds later, 34 points exist: a negligible dip, inside the tolerance.)
#[test]
fn a_changing_volume_holds_its_size_plus_the_retained_changes() {
    let usd = march_warm_cost(0.01);
    assert!((usd - 134.0 * 0.05).abs() < 0.01, "{usd}");
}

/// The same chain of a type metered per GB-day (AWS's pricing page: EFS and S3 backups
/// are billed per GB-day; the catalog's `billing.gb_day_types`), by hand: a day on which
/// a byte is stored bills that byte for the whole day, once. Each day of March the chain's
/// full size (100 GB) is held all day, by the newest point until the next backup ends at
/// about 05:00 and then by that one: 100 GB-days, not 200 (the double count this test
/// was written for: ~235 GB-months, issue 28). Each point's 1 GB change is held from its
/// successor's end (day k + 1, 05:00) to its own deletion (day k + 35, 05:00), so it
/// touches 35 calendar days: on each day 35 changes are billed — the 33 held all day,
/// the one deleted at 05:00 and the one made at 05:00. 135 GB all month, $6.75, where
/// a GB-hour type bills 134 GB (`a_changing_volume_holds_its_size_plus_the_retained_changes`).
/// The projected steady state (Little's law over each point's whole life, metered the
/// same way) gives the same month, 135 GB, but for the change the newest point would
/// hold, which its successor (cut off by the horizon) has not made yet: 35 GB-days of
/// the window's 89 days' worth, 35 / 89 = 0.39 GB (0.29 %). Before the fix the two
/// differed by 38 % (the simulated months double-counted the full size, the projection
/// did not); the steady-state test compared them on EBS only, metered per hour.
#[test]
fn gb_day_types_bill_a_chain_s_bytes_once_a_day() {
    for resource_type in ["EFS", "S3"] {
        let (unchanged, projected) = march_warm_cost_of(resource_type, 0.0);
        assert!(
            (unchanged - 5.00).abs() < 1e-6,
            "{resource_type}: {unchanged}"
        );
        assert!(
            (projected - 5.00).abs() < 0.01,
            "{resource_type}: {projected}"
        );
        let (changing, projected) = march_warm_cost_of(resource_type, 0.01);
        assert!(
            (changing - 135.0 * 0.05).abs() < 1e-6,
            "{resource_type}: {changing}"
        );
        let cut_off = 35.0 / 89.0 * 0.05;
        assert!(
            (projected - (changing - cut_off)).abs() < 1e-6,
            "{resource_type}: simulated {changing} vs projected {projected}"
        );
        // The copies in us-west-2 form the same chain there: twice the bill.
        let (both, _) = march_warm_cost_with(resource_type, 0.01, true);
        assert!(
            (both - 2.0 * 135.0 * 0.05).abs() < 1e-6,
            "{resource_type} with copies: {both}"
        );
    }
}

/// Statistical: 400 volumes of 100 GB whose daily change rate is lognormal (median 1 %,
/// p95 5 %), drawn per volume. In steady state each holds 100 GB plus the 34 retained
/// daily changes, 100 × (1 + 34 c) GB, so the mean March warm storage per volume has the
/// expectation 100 × (1 + 34 E[c]), E[c] = exp(μ + σ²/2), and the standard error of a mean
/// over 400 volumes is 100 × 34 × sd(c) / √400. The simulated mean lies within 4 of them.
#[test]
fn mean_warm_storage_matches_the_lognormal_expectation() {
    let volumes = 400.0;
    let text = Small {
        horizon_days: 90,
        resources: volumes as i64,
        size_gib: 100.0,
        throughput_mib_per_s: 100_000.0,
        incremental: true,
        ..Small::default()
    }
    .toml()
    .replace(
        "daily_change_rate = { dist = \"fixed\", value = 0 }",
        "daily_change_rate = { dist = \"lognormal\", median = 0.01, p95 = 0.05 }",
    ) + "\n[costs]\ncatalog = \"scenarios/prices/aws-backup.toml\"\n\n\
         [[costs.override]]\nregion = \"us-east-1\"\nresource_type = \"EBS\"\n\
         item = \"warm_storage\"\nusd = 1.0\n";
    assert!(text.contains("lognormal"), "the change rate is random");
    let model = model_from(&text);
    let rows = montecarlo::rows(&model);
    let e = montecarlo::run(&model, &rows, 0..1, 1, &|| {}).finish(&rows);
    // At $1 per GB-month the March bill is the GB-months held.
    let mean_gb = e.cost.expect("priced").total[2].mean / volumes;
    let (mu, sigma) = (
        0.01f64.ln(),
        (0.05f64 / 0.01).ln() / 1.644_853_626_951_472_2,
    );
    let mean_c = (mu + sigma * sigma / 2.0).exp();
    let sd_c = ((sigma * sigma).exp_m1() * (2.0 * mu + sigma * sigma).exp()).sqrt();
    let expected = 100.0 * (1.0 + 34.0 * mean_c);
    let standard_error = 100.0 * 34.0 * sd_c / volumes.sqrt();
    assert!(
        (mean_gb - expected).abs() < 4.0 * standard_error,
        "mean {mean_gb:.2} GB vs expected {expected:.2} ± {standard_error:.2}"
    );
}

/// Scenario text: 100 GB volumes changing 1 % a day, backed up daily at 05:00, moved to
/// cold after 10 days and deleted after 120, over `horizon_days`, with warm storage at $1
/// and cold at $0.10 per GB-month (so the bill reads as GB held).
fn cold_lifecycle_text(horizon_days: i64, resources: i64) -> String {
    Small {
        horizon_days,
        warmup_days: 1,
        resources,
        size_gib: 100.0,
        throughput_mib_per_s: 100_000.0,
        incremental: true,
        cold_storage: true,
        daily_change_rate: 0.01,
        lifecycle: "{ move_to_cold_storage_after_days = 10, delete_after_days = 120 }",
        ..Small::default()
    }
    .toml()
        + "\n[costs]\ncatalog = \"scenarios/prices/aws-backup.toml\"\n\n\
           [[costs.override]]\nregion = \"us-east-1\"\nresource_type = \"EBS\"\n\
           item = \"warm_storage\"\nusd = 1.0\n\n\
           [[costs.override]]\nregion = \"us-east-1\"\nresource_type = \"EBS\"\n\
           item = \"cold_storage\"\nusd = 0.1\n"
}

/// Once retention has filled, a volume holds, by hand: warm, the newest point's 100 GB
/// plus the 1 GB changes of the 9 other points younger than 10 days (109 GB); cold, the
/// 110 full points aged 10 to 120 days (11,000 GB). At $1 and $0.10 per GB-month that is
/// $109 + $1,100 = $1,209 a month. Both the simulated steady-state months (from May,
/// the first month starting after day 120) and the projection match it.
#[test]
fn steady_state_matches_the_hand_count_simulated_and_projected() {
    let model = model_from(&cold_lifecycle_text(400, 1));
    let costs = model.costs.as_ref().expect("priced");
    assert_eq!(costs.retention_fill_seconds, Some(120 * 86_400));
    assert_eq!(
        model.simulation.months[costs.steady_from_month.expect("reached")].label,
        "2026-05"
    );
    let rows = montecarlo::rows(&model);
    let e = montecarlo::run(&model, &rows, 0..2, 1, &|| {}).finish(&rows);
    let cost = e.cost.expect("priced");
    let simulated = cost.steady_monthly.value.expect("the horizon reaches it");
    let projected = cost
        .projected_steady_monthly
        .value
        .expect("nothing kept forever");
    assert!(
        (simulated - 1209.0).abs() < 1209.0 * 0.002,
        "simulated {simulated}"
    );
    assert!(
        (projected - 1209.0).abs() < 1209.0 * 0.002,
        "projected {projected}"
    );
    // The ramp-up: January holds less than the steady state.
    assert!(cost.total[0].mean < 0.5 * simulated);
}

/// The projection reaches past the horizon: a 60-day run (retention fills after 120
/// days) projects the same steady state as the 400-day one.
#[test]
fn a_short_run_projects_the_long_steady_state() {
    let model = model_from(&cold_lifecycle_text(60, 1));
    let rows = montecarlo::rows(&model);
    let e = montecarlo::run(&model, &rows, 0..1, 1, &|| {}).finish(&rows);
    let cost = e.cost.expect("priced");
    assert_eq!(cost.steady_monthly.value, None, "not reached in 60 days");
    let projected = cost.projected_steady_monthly.value.expect("projected");
    assert!(
        (projected - 1209.0).abs() < 1209.0 * 0.005,
        "projected {projected}"
    );
}

/// What the cold transition buys, per point over its life, by hand (incremental EBS,
/// 1 GB changed a day, full size 100 GB): as designed, 1 GB warm for 10 days and 100 GB
/// cold for 110 days = 10 × $1 + 11,000 × $0.10 = $1,110 in GB-days ÷ 30.4375 days a
/// month; staying warm, 1 GB for 120 days = $120 ÷ 30.4375. Cold costs more: full
/// snapshots in cold at a tenth of the price outweigh one-gigabyte increments in warm.
#[test]
fn the_lifecycle_analysis_prices_each_point_over_its_life() {
    let model = model_from(&cold_lifecycle_text(60, 1));
    let rows = montecarlo::rows(&model);
    let e = montecarlo::run(&model, &rows, 0..1, 1, &|| {}).finish(&rows);
    let cost = e.cost.expect("priced");
    let [rule] = cost.lifecycle.as_slice() else {
        panic!("one rule with a cold transition: {:?}", cost.lifecycle)
    };
    assert_eq!(model.rules[rule.rule], "P/R");
    // The first point is full (no change to compare with) and is left out: 59 points
    // from days 1 to 59.
    assert_eq!(rule.points, 59.0);
    assert_eq!(rule.unsupported, 0.0);
    let month = 30.4375;
    let designed = 59.0 * (10.0 * 1.0 + 11_000.0 * 0.1) / month;
    let warm = 59.0 * 120.0 / month;
    assert!(
        (rule.designed_usd - designed).abs() < 1e-6 * designed,
        "{rule:?}"
    );
    assert!((rule.stay_warm_usd - warm).abs() < 1e-6 * warm, "{rule:?}");
    assert!(rule.saving_usd.value.expect("one trial has a value") < 0.0);
}

/// A type that cannot go cold ignores the transition (aws-backup-facts §4): the analysis
/// says so and the points are billed warm to deletion.
#[test]
fn cold_does_nothing_for_a_type_without_cold_storage() {
    let text = cold_lifecycle_text(60, 1).replace("cold_storage = true", "cold_storage = false");
    let model = model_from(&text);
    let rows = montecarlo::rows(&model);
    let e = montecarlo::run(&model, &rows, 0..1, 1, &|| {}).finish(&rows);
    let cost = e.cost.expect("priced");
    let rule = &cost.lifecycle[0];
    assert_eq!(rule.unsupported, rule.points);
    assert_eq!(rule.designed_usd, rule.stay_warm_usd);
    assert_eq!(
        cost.by_category[Charge::Cold.category()]
            .iter()
            .map(|b| b.mean)
            .sum::<f64>(),
        0.0
    );
}

/// The default scenario's cost headline in every output, and its response to the catalog:
/// every price × 1.5 scales the first year, the projected steady state and every
/// cost_monthly.csv row by 1.5; doubling the one cross-region transfer price (type
/// `any`) doubles the transfer category and leaves the rest alone.
#[test]
fn default_cost_shows_everywhere_and_follows_the_catalog() {
    use super::common::{DefaultRun, root, run_default_outputs};
    let catalog =
        std::fs::read_to_string(root().join("scenarios/prices/aws-backup.toml")).expect("catalog");
    let dir = tempfile::tempdir().expect("tempdir");
    let run_with = |name: &str, edit: &dyn Fn(&str) -> String| -> DefaultRun {
        let file = dir.path().join(format!("{name}.toml"));
        std::fs::write(&file, edit(&catalog)).expect("write");
        let path = format!("\"{}\"", file.display());
        run_default_outputs(&[("\"prices/aws-backup.toml\"", &path)], 1)
    };
    let base = run_with("base", &|c| c.to_string());
    let scaled = run_with("scaled", &|c| scale_prices(c, 1.5, |_| true));
    let transfer = run_with("transfer", &|c| {
        scale_prices(c, 2.0, |block| {
            block.contains("item = \"cross_region_transfer\"")
        })
    });

    // The headline is in the terminal, summary.json and cost_monthly.csv.
    let cost = &base.summary["cost"];
    let first_year = cost["first_year_usd"]["value"]
        .as_f64()
        .expect("first year");
    let steady = cost["steady_state"]["projected_monthly_usd"]["value"]
        .as_f64()
        .expect("projected steady state");
    assert!(first_year > 0.0 && steady > 0.0);
    assert!(base.stdout.contains("first 12 months $"), "{}", base.stdout);
    assert!(
        base.stdout.contains("projected steady state $"),
        "{}",
        base.stdout
    );
    let csv_year: f64 = csv_rows(&base.files["cost_monthly.csv"], "total", "all", "mean")
        .iter()
        .take(12)
        .sum();
    // The first twelve rows are the months (the default horizon is twelve months).
    assert!(
        (csv_year - first_year).abs() < 1e-6 * first_year + 1.0,
        "{csv_year} vs {first_year}"
    );

    let csv_steady = csv_rows(&base.files["cost_monthly.csv"], "total", "all", "mean");
    let csv_steady = *csv_steady.last().expect("rows");
    assert!(
        base.files["cost_monthly.csv"].contains("\nsteady_state,total,all,mean,"),
        "the projected steady state is in cost_monthly.csv"
    );
    assert!(
        (csv_steady - steady).abs() <= 0.01,
        "{csv_steady} vs {steady}"
    );

    let ratio = |run: &DefaultRun, pointer: &str| {
        run.summary["cost"]
            .pointer(pointer)
            .and_then(|v| v.as_f64())
            .expect(pointer)
            / cost
                .pointer(pointer)
                .and_then(|v| v.as_f64())
                .expect(pointer)
    };
    for pointer in [
        "/first_year_usd/value",
        "/steady_state/projected_monthly_usd/value",
    ] {
        let r = ratio(&scaled, pointer);
        assert!((r - 1.5).abs() < 1e-9, "{pointer}: ×{r}");
    }
    let base_rows = csv_rows(&base.files["cost_monthly.csv"], "category", "warm", "mean");
    let scaled_rows = csv_rows(
        &scaled.files["cost_monthly.csv"],
        "category",
        "warm",
        "mean",
    );
    for (a, b) in base_rows.iter().zip(&scaled_rows) {
        // Both are printed to the cent.
        assert!((b - 1.5 * a).abs() <= 0.011 * 1.5, "{a} → {b}");
    }

    let by = |run: &DefaultRun, category: &str| {
        run.summary["cost"]["first_year_by"]["category"][category]
            .as_f64()
            .unwrap_or(0.0)
    };
    assert!(by(&base, "transfer") > 0.0);
    assert!((by(&transfer, "transfer") / by(&base, "transfer") - 2.0).abs() < 1e-9);
    for category in ["warm", "cold", "early_deletion", "continuous", "restore"] {
        assert_eq!(by(&transfer, category), by(&base, category), "{category}");
    }
}

/// Multiplies `usd` of every `[[price]]` block that `select` accepts by `factor`.
fn scale_prices(catalog: &str, factor: f64, select: impl Fn(&str) -> bool) -> String {
    catalog
        .split("[[price]]")
        .enumerate()
        .map(|(i, block)| {
            if i == 0 || !select(block) {
                return block.to_string();
            }
            block
                .lines()
                .map(|line| match line.strip_prefix("usd = ") {
                    Some(v) => format!("usd = {:?}", v.parse::<f64>().expect("price") * factor),
                    None => line.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect::<Vec<_>>()
        .join("[[price]]")
}

/// The `usd` column of cost_monthly.csv rows with this dimension, value and statistic, in
/// month order.
fn csv_rows(csv: &str, dimension: &str, value: &str, statistic: &str) -> Vec<f64> {
    csv.lines()
        .skip(1)
        .map(|l| l.split(',').collect::<Vec<_>>())
        .filter(|f| f[1] == dimension && f[2] == value && f[3] == statistic)
        .map(|f| f[4].parse().expect("usd"))
        .collect()
}
