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
    assert_eq!(cost.unpriced, 0.0);
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
