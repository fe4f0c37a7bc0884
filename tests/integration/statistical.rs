//! Statistical tests against closed forms, with fixed seeds and tolerances derived from
//! the sampling distribution (written next to each assertion).

use vaultsim::montecarlo;

use super::common::Small;

/// Renewal theory for the RPO sawtooth.
///
/// Jobs are scheduled every T = 86,400 s and start after a jitter J ~ U(0, w) (w = 3,600 s),
/// fail independently with probability p, and otherwise take exactly d = 3,600 s; the
/// point is captured at the start and usable at the end. Between two consecutive good
/// points i and j = i + G (G ~ Geometric(1 − p) on {1, 2, …}) the cycle lasts
/// L = G·T + (J_j − J_i), and the exposure grows from d to d + L, so a cycle contributes
/// d·L + L²/2 of exposure-time. By the renewal-reward (ergodic) theorem the time-average
/// exposure is d + E[L²] / (2·E[L]) with
///   E[L]  = T / (1 − p),
///   E[L²] = T²·E[G²] + Var(J_j − J_i) = T²·(1 + p)/(1 − p)² + w²/6,
/// so  mean RPO = d + T·(1 + p) / (2(1 − p)) + (1 − p)·w² / (12·T).
/// For p = 0.2: 3,600 + 64,800 + 10 = 68,410 s. The measurement window spans whole days,
/// over which the periodic process averages to exactly this stationary mean (the start-up
/// transient needs 7 straight failures, probability 0.2^7 ≈ 1.3·10⁻⁵).
#[test]
fn mean_rpo_matches_renewal_theory() {
    let p: f64 = 0.2;
    let (t, w, d) = (86_400.0, 3_600.0, 3_600.0);
    let expected = d + t * (1.0 + p) / (2.0 * (1.0 - p)) + (1.0 - p) * w * w / (12.0 * t);
    assert!((expected - 68_410.0).abs() < 1e-9);

    let model = Small {
        horizon_days: 367,
        warmup_days: 7,
        resources: 20,
        failure_probability: p,
        start_delay: r#"{ dist = "uniform", low = 0, high = 60 }"#,
        ..Small::default()
    }
    .model();
    let rows = montecarlo::rows(&model);
    let trials = 40;
    let e = montecarlo::run(&model, &rows, 0..trials, 2026, &|| {}).finish(&rows);
    let all = e
        .rows
        .iter()
        .find(|r| rows[r.spec_index].tier == "all")
        .expect("all row");
    let mean = all.rpo.mean.value.expect("mean");
    let se = all.rpo.mean.standard_error.expect("standard error");
    // The pooled mean equals the mean of the per-trial means (every trial observes the same
    // window), whose standard error is sd/√trials: 4 SE leaves a 6·10⁻⁵ chance of a false
    // alarm under the null hypothesis.
    assert!(
        se > 0.0 && se < 500.0,
        "standard error {se} out of the expected range"
    );
    assert!(
        (mean - expected).abs() < 4.0 * se,
        "mean RPO {mean:.1} s vs renewal theory {expected:.1} s (SE {se:.1} s)"
    );

    // Failures are Binomial(n, p) over the jobs that started: |k − np| < 4·√(np(1 − p)).
    let n = e.jobs.created as f64;
    let k = e.jobs.failed as f64;
    let sd = (n * p * (1.0 - p)).sqrt();
    assert!(
        (k - n * p).abs() < 4.0 * sd,
        "{k} failures in {n} jobs, expected {} ± {}",
        n * p,
        4.0 * sd
    );
}
