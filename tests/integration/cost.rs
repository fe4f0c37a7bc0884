//! The cost forecast against bills worked out by hand from AWS's billing rules
//! (GB-months averaged over the calendar month; incremental backups hold only what
//! changed).

use vaultsim::montecarlo;

use super::common::{Small, model_from};

/// One EBS volume of 100 GB (2^30-byte GB, as AWS bills), backed up daily at 05:00 in
/// seconds, kept 35 days, priced at $0.05 per GB-month. March (31 days) is in steady state.
fn march_warm_cost(daily_change_rate: f64) -> f64 {
    let text = Small {
        horizon_days: 90,
        size_gib: 100.0,
        throughput_mib_per_s: 100_000.0,
        incremental: true,
        daily_change_rate,
        ..Small::default()
    }
    .toml()
        + "\n[costs]\ncatalog = \"scenarios/prices/aws-backup.toml\"\n\n\
           [[costs.override]]\nregion = \"us-east-1\"\nresource_type = \"EBS\"\n\
           item = \"warm_storage\"\nusd = 0.05\n";
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
    assert_eq!(cost.by_category[3][2].mean, 0.0, "no copies, no transfer");
    march.mean
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
/// ($6.70). (Between 05:00, when the oldest point expires, and the end of the new backup a
/// few seconds later, 34 points exist: a negligible dip, inside the tolerance.)
#[test]
fn a_changing_volume_holds_its_size_plus_the_retained_changes() {
    let usd = march_warm_cost(0.01);
    assert!((usd - 134.0 * 0.05).abs() < 0.01, "{usd}");
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
