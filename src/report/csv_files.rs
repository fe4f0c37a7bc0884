//! `rpo_rto.csv` and `storage_daily.csv`, with fixed printed precision (seconds to 0.1 s,
//! probabilities to 6 decimals, bytes as whole numbers) so files diff cleanly.

use crate::montecarlo::{Estimates, RowSpec, Value};

fn num(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.decimals$}"),
        _ => String::new(),
    }
}

fn opt_i64(v: Option<i64>) -> String {
    v.map_or_else(String::new, |x| x.to_string())
}

fn pair(v: Value, decimals: usize) -> [String; 2] {
    [num(v.value, decimals), num(v.standard_error, decimals)]
}

/// Renders `rpo_rto_cdf.csv`: per row with resources, the distribution function of its
/// RPO and RTO (`montecarlo::cdf_levels`), long format: tier, environment, disaster,
/// metric (`rpo`, `rto`), probability, seconds. Over what was recoverable: the share with
/// nothing to restore is `p_unrecoverable` in rpo_rto.csv.
pub fn rpo_rto_cdf(rows: &[RowSpec], estimates: &Estimates) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "tier",
        "environment",
        "disaster",
        "metric",
        "probability",
        "seconds",
    ])
    .expect("in-memory write");
    for e in &estimates.rows {
        let spec = &rows[e.spec_index];
        if spec.resources == 0 {
            continue;
        }
        for (metric, d) in [("rpo", &e.rpo), ("rto", &e.rto)] {
            for &(p, seconds) in &d.cdf {
                w.write_record([
                    spec.tier.as_str(),
                    spec.environment.as_str(),
                    spec.disaster(),
                    metric,
                    &format!("{p:.3}"),
                    &format!("{seconds:.0}"),
                ])
                .expect("in-memory write");
            }
        }
    }
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("CSV is UTF-8")
}

/// Renders `rpo_rto.csv`: one line per tier × environment × disaster.
pub fn rpo_rto(rows: &[RowSpec], estimates: &Estimates) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "tier".to_string(),
        "environment".to_string(),
        "disaster".to_string(),
        "resources".to_string(),
        "rpo_target_seconds".to_string(),
        "rto_target_seconds".to_string(),
    ];
    for metric in ["rpo", "rto"] {
        for stat in ["p50", "p90", "p95", "p99", "max", "mean"] {
            header.push(format!("{metric}_seconds_{stat}"));
            header.push(format!("{metric}_seconds_{stat}_se"));
        }
    }
    for p in [
        "p_meet_rpo",
        "p_meet_rto",
        "p_unrecoverable",
        "p_unrecoverable_time",
    ] {
        header.push(p.to_string());
        header.push(format!("{p}_se"));
    }
    header.push("losses_sampled".to_string());
    w.write_record(&header).expect("in-memory write");
    for e in &estimates.rows {
        let spec = &rows[e.spec_index];
        let mut record = vec![
            spec.tier.clone(),
            spec.environment.clone(),
            spec.disaster().to_string(),
            spec.resources.to_string(),
            opt_i64(spec.rpo_target_seconds),
            opt_i64(spec.rto_target_seconds),
        ];
        for d in [&e.rpo, &e.rto] {
            for v in d.quantiles.iter().chain([&d.max, &d.mean]) {
                record.extend(pair(*v, 1));
            }
        }
        for v in [
            e.p_meet_rpo,
            e.p_meet_rto,
            e.p_unrecoverable,
            e.p_unrecoverable_time,
        ] {
            record.extend(pair(v, 6));
        }
        record.push(e.losses.to_string());
        w.write_record(&record).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("CSV is UTF-8")
}

/// Renders `storage_daily.csv`: warm and cold bytes held per day, mean and P10/P50/P90 over trials.
pub fn storage_daily(estimates: &Estimates) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "day",
        "warm_bytes_mean",
        "warm_bytes_p10",
        "warm_bytes_p50",
        "warm_bytes_p90",
        "cold_bytes_mean",
        "cold_bytes_p10",
        "cold_bytes_p50",
        "cold_bytes_p90",
    ])
    .expect("in-memory write");
    for d in &estimates.storage {
        let b = |x: f64| format!("{x:.0}");
        w.write_record([
            d.day.to_string(),
            b(d.warm.mean),
            b(d.warm.p10),
            b(d.warm.p50),
            b(d.warm.p90),
            b(d.cold.mean),
            b(d.cold.p10),
            b(d.cold.p50),
            b(d.cold.p90),
        ])
        .expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("CSV is UTF-8")
}

/// Renders `restore_timeline.csv`: after a region outage, per tier and hour, the resources
/// and bytes back (restored, validated, hydrated) and their share of the tier's affected
/// resources, mean and P10/P50/P90 over trials. Header only without region outages.
pub fn restore_timeline(tier_names: &[String], estimates: &Estimates) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec![
        "tier".to_string(),
        "hours_after_outage".to_string(),
        "affected_resources_mean".to_string(),
    ];
    for quantity in ["resources_back", "bytes_back", "share_back"] {
        for stat in ["mean", "p10", "p50", "p90"] {
            header.push(format!("{quantity}_{stat}"));
        }
    }
    w.write_record(&header).expect("in-memory write");
    for p in &estimates.restore_timeline {
        if p.hour >= crate::sim::outcome::TIMELINE_HOURS {
            continue;
        }
        let tier = tier_names
            .get(p.tier)
            .map_or("untiered", String::as_str)
            .to_string();
        let mut record = vec![tier, (p.hour + 1).to_string(), format!("{:.3}", p.affected)];
        for (band, decimals) in [(p.resources, 3), (p.bytes, 0), (p.share, 6)] {
            for x in [band.mean, band.p10, band.p50, band.p90] {
                record.push(num(Some(x), decimals));
            }
        }
        w.write_record(&record).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("CSV is UTF-8")
}

/// Renders `copies_daily.csv`: per day, copy jobs created / completed / failed (refusals
/// included) / refused because the source was cold, each link's backlog at the end of the
/// day (jobs and bytes), and the lag p50/p95 of copies completed that day. Counts are
/// means over trials; backlogs add P90.
pub fn copies_daily(link_names: &[String], estimates: &Estimates) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "day",
        "created_mean",
        "completed_mean",
        "failed_mean",
        "refused_cold_mean",
        "lag_p50_seconds",
        "lag_p95_seconds",
    ]
    .map(String::from)
    .to_vec();
    for link in link_names {
        for q in [
            "backlog_jobs_mean",
            "backlog_jobs_p90",
            "backlog_bytes_mean",
            "backlog_bytes_p90",
        ] {
            header.push(format!("{link}:{q}"));
        }
    }
    w.write_record(&header).expect("in-memory write");
    for d in &estimates.copy_days {
        let mut record = vec![
            d.day.to_string(),
            num(Some(d.created), 3),
            num(Some(d.completed), 3),
            num(Some(d.failed), 3),
            num(Some(d.refused_cold), 3),
            num(d.lag_p50_seconds, 0),
            num(d.lag_p95_seconds, 0),
        ];
        for (jobs, bytes) in d.backlog_jobs.iter().zip(&d.backlog_bytes) {
            record.extend([
                num(Some(jobs.mean), 3),
                num(Some(jobs.p90), 3),
                num(Some(bytes.mean), 0),
                num(Some(bytes.p90), 0),
            ]);
        }
        w.write_record(&record).expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("CSV is UTF-8")
}

/// Renders `alarms_monthly.csv`: per alarm and calendar month, firings per monitored
/// account (mean, P90 over accounts and trials) and for the whole organization (mean,
/// P10/P50/P90 over trials).
pub fn alarms_monthly(month_labels: &[String], estimates: &Estimates) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "alarm",
        "month",
        "monitored_accounts",
        "per_account_mean",
        "per_account_p90",
        "organization_mean",
        "organization_p10",
        "organization_p50",
        "organization_p90",
    ])
    .expect("in-memory write");
    for a in &estimates.alarms {
        w.write_record([
            crate::sim::ops::ALARMS[a.alarm].to_string(),
            month_labels[a.month].clone(),
            a.monitored_accounts.to_string(),
            num(Some(a.per_account_mean), 4),
            num(Some(a.per_account_p90), 0),
            num(Some(a.organization.mean), 2),
            num(Some(a.organization.p10), 2),
            num(Some(a.organization.p50), 2),
            num(Some(a.organization.p90), 2),
        ])
        .expect("in-memory write");
    }
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("CSV is UTF-8")
}

/// The value names of each cost dimension (`cost::COST_DIMENSIONS` order).
pub fn cost_dimension_values(model: &crate::model::Model) -> Vec<Vec<String>> {
    let Some(costs) = &model.costs else {
        return Vec::new();
    };
    let mut values = costs.dimension_values.clone();
    values.push(model.regions.clone());
    values.push(
        crate::cost::SourceKind::ALL
            .iter()
            .map(|k| k.name().to_string())
            .collect(),
    );
    values
}

/// Renders `cost_monthly.csv` in long format: per calendar month, dimension (`total`,
/// `category`, then `cost::COST_DIMENSIONS`), value and statistic (`mean`, `p10`, `p50`,
/// `p90` over trials), the cost in USD. Zero rows of a breakdown are left out. A last set
/// of rows, month `steady_state`, holds the projected steady-state month's total
/// (`docs/cost.md`). Header only when the scenario prices nothing.
pub fn cost_monthly(model: &crate::model::Model, estimates: &Estimates) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["month", "dimension", "value", "statistic", "usd"])
        .expect("in-memory write");
    if let Some(cost) = &estimates.cost {
        let names = cost_dimension_values(model);
        let mut series: Vec<(&str, &str, &Vec<crate::montecarlo::Band>)> =
            vec![("total", "all", &cost.total)];
        series.extend(
            crate::cost::COST_CATEGORIES
                .iter()
                .zip(&cost.by_category)
                .map(|(n, b)| ("category", *n, b)),
        );
        for ((dimension, values), bands) in crate::cost::COST_DIMENSIONS
            .iter()
            .zip(&names)
            .zip(&cost.by_dimension)
        {
            series.extend(
                values
                    .iter()
                    .zip(bands)
                    .map(|(v, b)| (*dimension, v.as_str(), b)),
            );
        }
        for (m, month) in model.simulation.months.iter().enumerate() {
            for (dimension, value, bands) in &series {
                let b = bands[m];
                if *dimension != "total" && b.mean == 0.0 && b.p90 == 0.0 {
                    continue;
                }
                for (statistic, usd) in [
                    ("mean", b.mean),
                    ("p10", b.p10),
                    ("p50", b.p50),
                    ("p90", b.p90),
                ] {
                    w.write_record([
                        month.label.as_str(),
                        dimension,
                        value,
                        statistic,
                        &format!("{usd:.2}"),
                    ])
                    .expect("in-memory write");
                }
            }
        }
        if let Some(b) = cost.projected_steady_band {
            for (statistic, usd) in [
                ("mean", b.mean),
                ("p10", b.p10),
                ("p50", b.p50),
                ("p90", b.p90),
            ] {
                w.write_record([
                    "steady_state",
                    "total",
                    "all",
                    statistic,
                    &format!("{usd:.2}"),
                ])
                .expect("in-memory write");
            }
        }
    }
    String::from_utf8(w.into_inner().expect("in-memory flush")).expect("CSV is UTF-8")
}
