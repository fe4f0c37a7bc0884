//! The regression gate: compares a run's `summary.json` with a baseline one and says which
//! headline estimates got worse by more than a threshold *and* by more than their Monte
//! Carlo noise.
//!
//! Compared, for every `rpo_rto` row present in both summaries (matched by tier,
//! environment and disaster): P(meet RPO), P(meet RTO) and P(unrecoverable); and the cost
//! forecast's first-year cost and projected steady-state monthly cost. Pure: the summaries
//! come in as JSON values, the verdict goes out as a [`GateReport`]; `cli::gate` does the
//! reading and the printing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde_json::Value;

use crate::report::summary::SUMMARY_FORMAT;

/// How much worse an estimate may get before the gate fails.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Thresholds {
    /// Largest tolerated drop of P(meet RPO) or P(meet RTO), absolute probability
    /// (0.01 = one percentage point).
    pub max_p_meet_drop: f64,
    /// Largest tolerated rise of P(unrecoverable), absolute probability.
    pub max_unrecoverable_rise: f64,
    /// Largest tolerated rise of a cost figure, percent of the baseline's value.
    pub max_cost_rise_pct: f64,
    /// A probability change must also exceed this many combined Monte Carlo standard
    /// errors, √(se_baseline² + se_current²), to count (when both estimates have one).
    pub sigmas: f64,
}

impl Thresholds {
    /// Default largest tolerated P(meet) drop.
    pub const DEFAULT_MAX_P_MEET_DROP: f64 = 0.01;
    /// Default largest tolerated P(unrecoverable) rise.
    pub const DEFAULT_MAX_UNRECOVERABLE_RISE: f64 = 0.001;
    /// Default largest tolerated cost rise, percent.
    pub const DEFAULT_MAX_COST_RISE_PCT: f64 = 5.0;
    /// Default noise bound, in combined standard errors.
    pub const DEFAULT_SIGMAS: f64 = 3.0;

    /// Checks every threshold is finite and not negative; names the first that is not.
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("max-p-meet-drop", self.max_p_meet_drop),
            ("max-unrecoverable-rise", self.max_unrecoverable_rise),
            ("max-cost-rise-pct", self.max_cost_rise_pct),
            ("sigmas", self.sigmas),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(format!(
                    "--{name} {v} is out of range; valid: a finite number ≥ 0"
                ));
            }
        }
        if self.max_p_meet_drop > 1.0 || self.max_unrecoverable_rise > 1.0 {
            return Err("probability thresholds are absolute probabilities; valid: 0 to 1".into());
        }
        Ok(())
    }
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            max_p_meet_drop: Self::DEFAULT_MAX_P_MEET_DROP,
            max_unrecoverable_rise: Self::DEFAULT_MAX_UNRECOVERABLE_RISE,
            max_cost_rise_pct: Self::DEFAULT_MAX_COST_RISE_PCT,
            sigmas: Self::DEFAULT_SIGMAS,
        }
    }
}

/// Which of the two summaries something is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The committed reference run.
    Baseline,
    /// The run being gated.
    Current,
}

impl fmt::Display for Side {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Side::Baseline => "baseline",
            Side::Current => "current",
        })
    }
}

/// Why two summaries cannot be compared.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GateError {
    /// The value is not a vaultsim `summary.json` (or is a damaged one).
    #[error("the {side} summary is not a vaultsim summary.json: {reason}")]
    NotASummary {
        /// Which summary.
        side: Side,
        /// What is missing or wrong.
        reason: String,
    },
    /// The summaries have different layouts (`format`), so fields may mean different things.
    #[error(
        "the summaries have different formats (baseline {baseline}, current {current}); \
         regenerate the baseline with this vaultsim version"
    )]
    FormatMismatch {
        /// The baseline's `format`.
        baseline: u64,
        /// The current summary's `format`.
        current: u64,
    },
    /// Both summaries have a layout this vaultsim does not read.
    #[error(
        "the summaries have format {format}, this vaultsim reads format {SUMMARY_FORMAT}; \
         gate them with the vaultsim version that wrote them"
    )]
    UnsupportedFormat {
        /// The summaries' `format`.
        format: u64,
    },
}

/// Identifies an `rpo_rto` row.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RowKey {
    /// Tier name, "untiered" or "all".
    pub tier: String,
    /// Environment name, "unassigned" or "all".
    pub environment: String,
    /// Disaster name (e.g. `resource_loss`).
    pub disaster: String,
}

impl fmt::Display for RowKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.tier, self.environment, self.disaster)
    }
}

/// What a gate row is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// An `rpo_rto` row.
    Row(RowKey),
    /// The cost forecast (`cost`).
    Cost,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Subject::Row(key) => key.fmt(f),
            Subject::Cost => f.write_str("cost"),
        }
    }
}

/// A compared estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// `p_meet_rpo`: worse when lower.
    PMeetRpo,
    /// `p_meet_rto`: worse when lower.
    PMeetRto,
    /// `p_unrecoverable`: worse when higher.
    PUnrecoverable,
    /// `cost.first_year_usd`: worse when higher.
    FirstYearCost,
    /// `cost.steady_state.projected_monthly_usd`: worse when higher.
    SteadyStateMonthlyCost,
}

impl Metric {
    /// The per-row probability metrics, in report order.
    pub const ROW_METRICS: [Metric; 3] =
        [Metric::PMeetRpo, Metric::PMeetRto, Metric::PUnrecoverable];

    /// A short human name.
    pub fn label(self) -> &'static str {
        match self {
            Metric::PMeetRpo => "P(meet RPO)",
            Metric::PMeetRto => "P(meet RTO)",
            Metric::PUnrecoverable => "P(unrecoverable)",
            Metric::FirstYearCost => "first-year cost",
            Metric::SteadyStateMonthlyCost => "steady-state monthly",
        }
    }

    /// The summary field (within a row, or within `cost`).
    pub fn field(self) -> &'static str {
        match self {
            Metric::PMeetRpo => "p_meet_rpo",
            Metric::PMeetRto => "p_meet_rto",
            Metric::PUnrecoverable => "p_unrecoverable",
            Metric::FirstYearCost => "first_year_usd",
            Metric::SteadyStateMonthlyCost => "steady_state.projected_monthly_usd",
        }
    }

    /// Whether a higher value is worse.
    pub fn higher_is_worse(self) -> bool {
        !matches!(self, Metric::PMeetRpo | Metric::PMeetRto)
    }

    /// Whether the metric is a probability (else a cost in USD).
    pub fn is_probability(self) -> bool {
        matches!(
            self,
            Metric::PMeetRpo | Metric::PMeetRto | Metric::PUnrecoverable
        )
    }
}

/// An estimate as written in a summary: a value and its Monte Carlo standard error, either
/// of which may be null.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Estimate {
    /// The estimate; `None` when the summary writes null (undefined).
    pub value: Option<f64>,
    /// Its Monte Carlo standard error; `None` when the summary writes null.
    pub standard_error: Option<f64>,
}

/// The outcome of one comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The same value in both summaries.
    Unchanged,
    /// Changed, but not beyond the threshold in either direction.
    Changed,
    /// Better by more than the threshold.
    Improved,
    /// Worse by more than the threshold (and the noise bound): a regression.
    Regressed,
    /// The baseline has a value the current summary does not (null, or the whole row or
    /// cost forecast is gone): a regression.
    Missing,
    /// Only the current summary has it: reported, not a failure.
    New,
}

impl Status {
    /// Whether this outcome fails the gate.
    pub fn is_regression(self) -> bool {
        matches!(self, Status::Regressed | Status::Missing)
    }
}

/// One comparison: a metric of a row (or of the cost forecast), or a whole row present in
/// one summary only.
#[derive(Debug, Clone, PartialEq)]
pub struct GateRow {
    /// The row (or the cost forecast) compared.
    pub subject: Subject,
    /// The metric; `None` when the whole row is in one summary only.
    pub metric: Option<Metric>,
    /// The baseline's value (`None`: null or absent).
    pub baseline: Option<f64>,
    /// The current value (`None`: null or absent).
    pub current: Option<f64>,
    /// Current minus baseline, when both have a value.
    pub difference: Option<f64>,
    /// √(se_b² + se_c²) when both estimates have a standard error.
    pub combined_standard_error: Option<f64>,
    /// How far the value may move in the bad direction before it regresses, in the
    /// metric's unit (probability or USD): the larger of the absolute threshold and
    /// `sigmas` × the combined standard error for probabilities, the percentage of the
    /// baseline for costs. `None` when there is nothing to compare.
    pub threshold: Option<f64>,
    /// Whether the noise bound (not the absolute threshold) set `threshold`.
    pub threshold_is_noise: bool,
    /// The outcome.
    pub status: Status,
}

impl GateRow {
    /// Whether this comparison fails the gate.
    pub fn regressed(&self) -> bool {
        self.status.is_regression()
    }
}

/// The gate's answer: every comparison, and the warnings about how comparable the runs are.
#[derive(Debug, Clone, PartialEq)]
pub struct GateReport {
    /// The thresholds applied.
    pub thresholds: Thresholds,
    /// Every comparison: the baseline's rows in its order, then the rows only the current
    /// summary has, then the cost figures.
    pub rows: Vec<GateRow>,
    /// Differences between the runs that make the comparison less direct (scenario file,
    /// trial count); the comparison is made anyway.
    pub warnings: Vec<String>,
}

impl GateReport {
    /// The comparisons that fail the gate.
    pub fn regressions(&self) -> impl Iterator<Item = &GateRow> {
        self.rows.iter().filter(|r| r.regressed())
    }

    /// Whether no comparison fails the gate.
    pub fn passed(&self) -> bool {
        self.regressions().next().is_none()
    }
}

/// A summary's parts the gate reads.
struct Parsed {
    rows: Vec<(RowKey, [Estimate; 3])>,
    /// `None` when the scenario has no `[costs]` (cost: null).
    cost: Option<[Estimate; 2]>,
    sha256: Option<String>,
    /// `scenario.inputs` (`None` in summaries written before it existed).
    inputs: Option<Vec<crate::model::InputFile>>,
    trials: Option<u64>,
}

/// Compares `current` with `baseline` under `thresholds`.
///
/// Errors when either value is not a vaultsim summary, or their `format`s differ (or are
/// not the one this vaultsim writes). A difference of scenario file or trial count is a
/// warning in the report.
pub fn compare(
    baseline: &Value,
    current: &Value,
    thresholds: &Thresholds,
) -> Result<GateReport, GateError> {
    let format_b = format_of(baseline, Side::Baseline)?;
    let format_c = format_of(current, Side::Current)?;
    if format_b != format_c {
        return Err(GateError::FormatMismatch {
            baseline: format_b,
            current: format_c,
        });
    }
    if format_b != u64::from(SUMMARY_FORMAT) {
        return Err(GateError::UnsupportedFormat { format: format_b });
    }
    let b = parse(baseline, Side::Baseline)?;
    let c = parse(current, Side::Current)?;

    let mut warnings = Vec::new();
    if b.sha256 != c.sha256 {
        warnings.push(format!(
            "the scenario files differ (sha256 {} vs {}): expected when gating a change to \
             the scenario; otherwise check that the baseline is the intended one",
            short(b.sha256.as_deref()),
            short(c.sha256.as_deref()),
        ));
    }
    if let (Some(bi), Some(ci)) = (&b.inputs, &c.inputs)
        && let Some(difference) =
            crate::model::InputFile::difference(bi, "the baseline", ci, "the current run")
    {
        warnings.push(format!(
            "the policy or price files differ ({difference}): expected when gating a change \
             to them; otherwise check that the baseline is the intended one"
        ));
    }
    if b.trials != c.trials {
        warnings.push(format!(
            "the trial counts differ (baseline {}, current {}): the noise bound allows for \
             it, but equal counts compare more sharply",
            b.trials.map_or("?".to_string(), |t| t.to_string()),
            c.trials.map_or("?".to_string(), |t| t.to_string()),
        ));
    }

    let mut rows = Vec::new();
    let current_rows: BTreeMap<&RowKey, &[Estimate; 3]> =
        c.rows.iter().map(|(k, e)| (k, e)).collect();
    let baseline_keys: BTreeSet<&RowKey> = b.rows.iter().map(|(k, _)| k).collect();
    for (key, base) in &b.rows {
        match current_rows.get(key) {
            Some(cur) => {
                for (i, metric) in Metric::ROW_METRICS.into_iter().enumerate() {
                    if let Some(row) = compare_one(
                        Subject::Row(key.clone()),
                        metric,
                        base[i],
                        cur[i],
                        thresholds,
                    ) {
                        rows.push(row);
                    }
                }
            }
            None => rows.push(whole(Subject::Row(key.clone()), Status::Missing)),
        }
    }
    for (key, _) in &c.rows {
        if !baseline_keys.contains(key) {
            rows.push(whole(Subject::Row(key.clone()), Status::New));
        }
    }
    match (b.cost, c.cost) {
        (Some(base), Some(cur)) => {
            for (i, metric) in [Metric::FirstYearCost, Metric::SteadyStateMonthlyCost]
                .into_iter()
                .enumerate()
            {
                if let Some(row) = compare_one(Subject::Cost, metric, base[i], cur[i], thresholds) {
                    rows.push(row);
                }
            }
        }
        (Some(_), None) => rows.push(whole(Subject::Cost, Status::Missing)),
        (None, Some(_)) => rows.push(whole(Subject::Cost, Status::New)),
        (None, None) => {}
    }
    Ok(GateReport {
        thresholds: *thresholds,
        rows,
        warnings,
    })
}

/// A row (or cost forecast) present in one summary only.
fn whole(subject: Subject, status: Status) -> GateRow {
    GateRow {
        subject,
        metric: None,
        baseline: None,
        current: None,
        difference: None,
        combined_standard_error: None,
        threshold: None,
        threshold_is_noise: false,
        status,
    }
}

/// Compares one metric; `None` when neither summary has a value (nothing to say).
fn compare_one(
    subject: Subject,
    metric: Metric,
    base: Estimate,
    cur: Estimate,
    t: &Thresholds,
) -> Option<GateRow> {
    let mut row = GateRow {
        subject,
        metric: Some(metric),
        baseline: base.value,
        current: cur.value,
        difference: None,
        combined_standard_error: None,
        threshold: None,
        threshold_is_noise: false,
        status: Status::Unchanged,
    };
    let (b, c) = match (base.value, cur.value) {
        (None, None) => return None,
        (Some(_), None) => {
            row.status = Status::Missing;
            return Some(row);
        }
        (None, Some(_)) => {
            row.status = Status::New;
            return Some(row);
        }
        (Some(b), Some(c)) => (b, c),
    };
    let difference = c - b;
    row.difference = Some(difference);
    let (threshold, is_noise) = if metric.is_probability() {
        let absolute = if metric.higher_is_worse() {
            t.max_unrecoverable_rise
        } else {
            t.max_p_meet_drop
        };
        let se = match (base.standard_error, cur.standard_error) {
            (Some(x), Some(y)) => Some(x.hypot(y)),
            _ => None,
        };
        row.combined_standard_error = se;
        let noise = se.map_or(0.0, |s| t.sigmas * s);
        if noise > absolute {
            (noise, true)
        } else {
            (absolute, false)
        }
    } else {
        (b.abs() * t.max_cost_rise_pct / 100.0, false)
    };
    row.threshold = Some(threshold);
    row.threshold_is_noise = is_noise;
    // Positive: the bad direction.
    let worsening = if metric.higher_is_worse() {
        difference
    } else {
        -difference
    };
    row.status = if difference == 0.0 {
        Status::Unchanged
    } else if worsening > threshold {
        Status::Regressed
    } else if -worsening > threshold {
        Status::Improved
    } else {
        Status::Changed
    };
    Some(row)
}

/// The first 12 hex digits of a digest, for messages.
fn short(sha: Option<&str>) -> String {
    match sha {
        Some(s) => s.chars().take(12).collect(),
        None => "?".to_string(),
    }
}

/// The summary's `format`, checking it is an object that looks like a vaultsim summary.
fn format_of(v: &Value, side: Side) -> Result<u64, GateError> {
    let bad = |reason: &str| GateError::NotASummary {
        side,
        reason: reason.to_string(),
    };
    let obj = v.as_object().ok_or_else(|| bad("not a JSON object"))?;
    if !obj.get("vaultsim_version").is_some_and(Value::is_string) {
        return Err(bad("no `vaultsim_version`"));
    }
    obj.get("format")
        .and_then(Value::as_u64)
        .ok_or_else(|| bad("no `format` (a whole number)"))
}

/// Reads the parts of a summary the gate compares.
fn parse(v: &Value, side: Side) -> Result<Parsed, GateError> {
    let bad = |reason: String| GateError::NotASummary { side, reason };
    let rows_json = v
        .get("rpo_rto")
        .and_then(Value::as_array)
        .ok_or_else(|| bad("no `rpo_rto` array".to_string()))?;
    let mut rows = Vec::with_capacity(rows_json.len());
    let mut seen = BTreeSet::new();
    for (i, row) in rows_json.iter().enumerate() {
        let text = |field: &str| {
            row.get(field)
                .and_then(Value::as_str)
                .map(str::to_string)
                .ok_or_else(|| bad(format!("rpo_rto[{i}] has no `{field}` string")))
        };
        let key = RowKey {
            tier: text("tier")?,
            environment: text("environment")?,
            disaster: text("disaster")?,
        };
        if !seen.insert(key.clone()) {
            return Err(bad(format!("rpo_rto[{i}]: row {key} appears twice")));
        }
        let mut estimates = [Estimate::default(); 3];
        for (slot, metric) in estimates.iter_mut().zip(Metric::ROW_METRICS) {
            *slot = estimate(row.get(metric.field()))
                .map_err(|e| bad(format!("rpo_rto[{i}].{}: {e}", metric.field())))?;
        }
        rows.push((key, estimates));
    }
    let cost = match v.get("cost") {
        None | Some(Value::Null) => None,
        Some(cost @ Value::Object(_)) => {
            let first_year = estimate(cost.get("first_year_usd"))
                .map_err(|e| bad(format!("cost.first_year_usd: {e}")))?;
            let monthly = estimate(
                cost.get("steady_state")
                    .and_then(|s| s.get("projected_monthly_usd")),
            )
            .map_err(|e| bad(format!("cost.steady_state.projected_monthly_usd: {e}")))?;
            Some([first_year, monthly])
        }
        Some(_) => return Err(bad("`cost` is neither an object nor null".to_string())),
    };
    Ok(Parsed {
        rows,
        cost,
        sha256: v
            .get("scenario")
            .and_then(|s| s.get("sha256"))
            .and_then(Value::as_str)
            .map(str::to_string),
        inputs: v
            .get("scenario")
            .and_then(|s| s.get("inputs"))
            .and_then(|i| serde_json::from_value(i.clone()).ok()),
        trials: v.get("trials").and_then(Value::as_u64),
    })
}

/// Reads `{ "value": number|null, "standard_error": number|null }`.
fn estimate(v: Option<&Value>) -> Result<Estimate, String> {
    let obj = v
        .and_then(Value::as_object)
        .ok_or("missing, or not a {value, standard_error} object")?;
    let number = |field: &str| match obj.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_f64()
            .filter(|x| x.is_finite())
            .map(Some)
            .ok_or(format!("`{field}` is not a finite number")),
        Some(_) => Err(format!("`{field}` is neither a number nor null")),
    };
    Ok(Estimate {
        value: number("value")?,
        standard_error: number("standard_error")?,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn p(value: f64, se: f64) -> Value {
        json!({ "value": value, "standard_error": se })
    }

    fn row(tier: &str, rpo: Value, rto: Value, unrec: Value) -> Value {
        json!({
            "tier": tier,
            "environment": "Production",
            "disaster": "resource_loss",
            "p_meet_rpo": rpo,
            "p_meet_rto": rto,
            "p_unrecoverable": unrec,
        })
    }

    fn summary(rows: Vec<Value>, first_year: f64, monthly: f64) -> Value {
        json!({
            "format": SUMMARY_FORMAT,
            "vaultsim_version": "0.1.0",
            "scenario": { "sha256": "ab".repeat(32) },
            "trials": 40,
            "rpo_rto": rows,
            "cost": {
                "first_year_usd": { "value": first_year, "standard_error": 10.0 },
                "steady_state": {
                    "projected_monthly_usd": { "value": monthly, "standard_error": 1.0 }
                }
            }
        })
    }

    /// A summary with one Tier1 row whose P(meet RPO) is `rpo` ± `se`.
    fn one_row(rpo: f64, se: f64) -> Value {
        summary(
            vec![row("Tier1", p(rpo, se), p(0.9, 0.001), p(0.0, 0.0))],
            1000.0,
            100.0,
        )
    }

    fn find(report: &GateReport, metric: Metric) -> &GateRow {
        report
            .rows
            .iter()
            .find(|r| r.metric == Some(metric))
            .expect("the metric is compared")
    }

    #[test]
    fn identical_summaries_pass() {
        let s = summary(
            vec![
                row("Tier1", p(0.95, 0.001), p(0.9, 0.002), p(0.001, 0.0001)),
                row(
                    "Tier2",
                    p(0.99, 0.0),
                    json!({"value": null, "standard_error": null}),
                    p(0.0, 0.0),
                ),
            ],
            1000.0,
            100.0,
        );
        let report = compare(&s, &s, &Thresholds::default()).expect("comparable");
        assert!(report.passed());
        assert!(report.warnings.is_empty());
        // 3 + 2 row metrics (a null on both sides says nothing) + 2 cost figures.
        assert_eq!(report.rows.len(), 7);
        assert!(report.rows.iter().all(|r| r.status == Status::Unchanged));
    }

    #[test]
    fn drop_beyond_threshold_and_noise_fails() {
        // 0.95 → 0.90: a 5-point drop; noise 3 × √2 × 0.001 ≈ 0.0042.
        let report = compare(
            &one_row(0.95, 0.001),
            &one_row(0.90, 0.001),
            &Thresholds::default(),
        )
        .expect("comparable");
        assert!(!report.passed());
        let r = find(&report, Metric::PMeetRpo);
        assert_eq!(r.status, Status::Regressed);
        assert!((r.difference.expect("difference") + 0.05).abs() < 1e-12);
        assert_eq!(r.threshold, Some(0.01));
        assert!(!r.threshold_is_noise);
        assert_eq!(report.regressions().count(), 1);
    }

    #[test]
    fn drop_within_noise_passes() {
        // A 5-point drop, but each estimate is ± 0.02: noise bound 3 × √2 × 0.02 ≈ 0.085.
        let report = compare(
            &one_row(0.95, 0.02),
            &one_row(0.90, 0.02),
            &Thresholds::default(),
        )
        .expect("comparable");
        assert!(report.passed(), "{report:#?}");
        let r = find(&report, Metric::PMeetRpo);
        assert_eq!(r.status, Status::Changed);
        assert!(r.threshold_is_noise);
        let bound = 3.0 * (0.02f64 * 0.02 * 2.0).sqrt();
        assert!((r.threshold.expect("threshold") - bound).abs() < 1e-12);
    }

    #[test]
    fn drop_within_absolute_threshold_passes_and_rise_is_improvement() {
        let t = Thresholds::default();
        let small = compare(&one_row(0.95, 0.0), &one_row(0.945, 0.0), &t).expect("comparable");
        assert!(small.passed());
        assert_eq!(find(&small, Metric::PMeetRpo).status, Status::Changed);
        let better = compare(&one_row(0.90, 0.0), &one_row(0.95, 0.0), &t).expect("comparable");
        assert!(better.passed());
        assert_eq!(find(&better, Metric::PMeetRpo).status, Status::Improved);
    }

    #[test]
    fn unrecoverable_rise_fails() {
        let base = summary(
            vec![row("Tier1", p(0.9, 0.0), p(0.9, 0.0), p(0.001, 0.0001))],
            1.0,
            1.0,
        );
        let cur = summary(
            vec![row("Tier1", p(0.9, 0.0), p(0.9, 0.0), p(0.004, 0.0001))],
            1.0,
            1.0,
        );
        let report = compare(&base, &cur, &Thresholds::default()).expect("comparable");
        assert_eq!(
            find(&report, Metric::PUnrecoverable).status,
            Status::Regressed
        );
        // Loosened, it passes.
        let loose = Thresholds {
            max_unrecoverable_rise: 0.005,
            ..Thresholds::default()
        };
        assert!(compare(&base, &cur, &loose).expect("comparable").passed());
    }

    #[test]
    fn cost_rise_fails() {
        let rows = || vec![row("Tier1", p(0.9, 0.0), p(0.9, 0.0), p(0.0, 0.0))];
        let base = summary(rows(), 1000.0, 100.0);
        // First year +4 % (within 5 %), steady state +10 %.
        let cur = summary(rows(), 1040.0, 110.0);
        let report = compare(&base, &cur, &Thresholds::default()).expect("comparable");
        let first = find(&report, Metric::FirstYearCost);
        assert_eq!(first.status, Status::Changed);
        assert!((first.threshold.expect("threshold") - 50.0).abs() < 1e-9);
        let monthly = find(&report, Metric::SteadyStateMonthlyCost);
        assert_eq!(monthly.status, Status::Regressed);
        assert_eq!(monthly.subject, Subject::Cost);
        assert_eq!(report.regressions().count(), 1);
        // A cost fall is an improvement, not a failure.
        let cheaper = compare(&cur, &base, &Thresholds::default()).expect("comparable");
        assert!(cheaper.passed());
    }

    #[test]
    fn missing_row_fails_and_new_row_is_reported() {
        let base = summary(
            vec![
                row("Tier1", p(0.9, 0.0), p(0.9, 0.0), p(0.0, 0.0)),
                row("Tier2", p(0.9, 0.0), p(0.9, 0.0), p(0.0, 0.0)),
            ],
            1.0,
            1.0,
        );
        let cur = summary(
            vec![
                row("Tier1", p(0.9, 0.0), p(0.9, 0.0), p(0.0, 0.0)),
                row("Tier3", p(0.9, 0.0), p(0.9, 0.0), p(0.0, 0.0)),
            ],
            1.0,
            1.0,
        );
        let report = compare(&base, &cur, &Thresholds::default()).expect("comparable");
        let missing: Vec<_> = report.regressions().collect();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].status, Status::Missing);
        assert_eq!(missing[0].metric, None);
        assert_eq!(
            missing[0].subject.to_string(),
            "Tier2/Production/resource_loss"
        );
        let new: Vec<_> = report
            .rows
            .iter()
            .filter(|r| r.status == Status::New)
            .collect();
        assert_eq!(new.len(), 1);
        assert_eq!(new[0].subject.to_string(), "Tier3/Production/resource_loss");
        // The other way round: the new row is the missing one.
        let back = compare(&cur, &base, &Thresholds::default()).expect("comparable");
        assert_eq!(back.regressions().count(), 1);
    }

    #[test]
    fn a_value_turning_null_fails() {
        let base = one_row(0.9, 0.0);
        let cur = summary(
            vec![row(
                "Tier1",
                json!({"value": null, "standard_error": null}),
                p(0.9, 0.001),
                p(0.0, 0.0),
            )],
            1000.0,
            100.0,
        );
        let report = compare(&base, &cur, &Thresholds::default()).expect("comparable");
        assert_eq!(find(&report, Metric::PMeetRpo).status, Status::Missing);
        assert!(
            compare(&cur, &base, &Thresholds::default())
                .expect("comparable")
                .passed()
        );
    }

    #[test]
    fn format_mismatch_and_non_summaries_are_refused() {
        let base = one_row(0.9, 0.0);
        let mut other = base.clone();
        other["format"] = json!(SUMMARY_FORMAT + 1);
        assert_eq!(
            compare(&base, &other, &Thresholds::default()),
            Err(GateError::FormatMismatch {
                baseline: u64::from(SUMMARY_FORMAT),
                current: u64::from(SUMMARY_FORMAT) + 1,
            })
        );
        assert!(matches!(
            compare(&other, &other, &Thresholds::default()),
            Err(GateError::UnsupportedFormat { .. })
        ));
        for not_summary in [json!([1, 2]), json!({"format": 1}), json!({"name": "x"})] {
            assert!(matches!(
                compare(&not_summary, &base, &Thresholds::default()),
                Err(GateError::NotASummary {
                    side: Side::Baseline,
                    ..
                })
            ));
        }
        let mut broken = base.clone();
        broken["rpo_rto"][0]["p_meet_rto"] = json!("high");
        assert!(matches!(
            compare(&base, &broken, &Thresholds::default()),
            Err(GateError::NotASummary {
                side: Side::Current,
                ..
            })
        ));
    }

    #[test]
    fn scenario_or_trial_differences_warn_but_compare() {
        let base = one_row(0.9, 0.0);
        let mut cur = base.clone();
        cur["trials"] = json!(4);
        cur["scenario"]["sha256"] = json!("cd".repeat(32));
        let report = compare(&base, &cur, &Thresholds::default()).expect("comparable");
        assert!(report.passed());
        assert_eq!(report.warnings.len(), 2, "{:?}", report.warnings);
        // A policy file changed, the scenario file not: a warning naming the file. A
        // baseline written before summaries listed their inputs compares without one.
        let file = |sha: &str| json!([{ "file": "policies/p.json", "sha256": sha }]);
        let (mut base, mut cur) = (one_row(0.9, 0.0), one_row(0.9, 0.0));
        base["scenario"]["inputs"] = file("ab");
        cur["scenario"]["inputs"] = file("cd");
        let report = compare(&base, &cur, &Thresholds::default()).expect("comparable");
        assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
        assert!(
            report.warnings[0].contains(
                "the policy or price files differ (policies/p.json has SHA-256 cd in the \
                 current run and ab in the baseline)"
            ),
            "{:?}",
            report.warnings
        );
        base["scenario"]
            .as_object_mut()
            .expect("scenario")
            .remove("inputs");
        let report = compare(&base, &cur, &Thresholds::default()).expect("comparable");
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    }

    #[test]
    fn thresholds_are_validated() {
        assert!(Thresholds::default().validate().is_ok());
        let bad = Thresholds {
            sigmas: -1.0,
            ..Thresholds::default()
        };
        assert!(bad.validate().is_err());
        let nan = Thresholds {
            max_cost_rise_pct: f64::NAN,
            ..Thresholds::default()
        };
        assert!(nan.validate().is_err());
    }
}
