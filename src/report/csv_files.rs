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
            spec.disaster.to_string(),
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
