//! Design sweeps: the grid of `--set` values and the cost-versus-recovery trade-off.
//!
//! Every point of the grid is the scenario with one value per parameter, run with the same
//! seed and trials (common random numbers, as `compare`): differences between points are
//! differences between designs, not between random worlds. The Pareto-efficient points are
//! those no other point beats on both cost (lower) and probability of meeting the RTO
//! (higher).
//!
//! Pure: `cli::sweep` runs the points.

use crate::montecarlo::{Estimates, RowSpec};

/// What a sweep trades off: a cost against P(meet RTO) of one tier (all environments)
/// under one disaster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Objective {
    pub tier: String,
    pub disaster: String,
    pub cost: CostMeasure,
}

/// Which cost the Pareto set and the chart use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CostMeasure {
    /// The projected steady-state month: what the design costs once retention has filled,
    /// whatever the horizon (undefined when points are kept forever).
    Steady,
    /// The first twelve months (or the horizon), still ramping up.
    FirstYear,
}

impl CostMeasure {
    /// The cost of a point under this measure (NaN when undefined).
    pub fn of(self, p: &PointResult) -> f64 {
        match self {
            CostMeasure::Steady => p.projected_steady_monthly_usd,
            CostMeasure::FirstYear => p.first_year_usd.map(|c| c.0),
        }
        .unwrap_or(f64::NAN)
    }

    /// Axis and column label.
    pub fn label(self) -> &'static str {
        match self {
            CostMeasure::Steady => "projected steady-state monthly cost",
            CostMeasure::FirstYear => "first-year cost",
        }
    }
}

/// What one grid point measured.
#[derive(Debug, Clone, PartialEq)]
pub struct PointResult {
    /// Value index per parameter.
    pub point: Vec<usize>,
    /// First-year cost: mean and Monte Carlo standard error (USD), when priced.
    pub first_year_usd: Option<(f64, f64)>,
    /// Projected steady-state month (USD), when priced and retention is finite.
    pub projected_steady_monthly_usd: Option<f64>,
    /// The objective's P(meet RTO): estimate and standard error.
    pub objective: Option<(f64, f64)>,
    /// Static compliance findings per severity (critical, high, medium, low).
    pub findings: [usize; 4],
    /// Per tier (all environments) × disaster: `("tier/disaster", [P(meet RPO),
    /// P(meet RTO), P(unrecoverable)])`.
    pub rows: Vec<(String, [Option<f64>; 3])>,
}

/// Reads a point's results from its run.
pub fn summarise(
    point: Vec<usize>,
    rows: &[RowSpec],
    estimates: &Estimates,
    objective: &Objective,
    findings: [usize; 4],
) -> PointResult {
    let mut out = PointResult {
        point,
        first_year_usd: estimates.cost.as_ref().and_then(|c| {
            Some((
                c.first_year.value?,
                c.first_year.standard_error.unwrap_or(0.0),
            ))
        }),
        projected_steady_monthly_usd: estimates
            .cost
            .as_ref()
            .and_then(|c| c.projected_steady_monthly.value),
        objective: None,
        findings,
        rows: Vec::new(),
    };
    for e in &estimates.rows {
        let spec = &rows[e.spec_index];
        if spec.environment != "all" || spec.tier == "all" {
            continue;
        }
        if spec.tier == objective.tier && spec.disaster() == objective.disaster {
            out.objective = e
                .p_meet_rto
                .value
                .map(|p| (p, e.p_meet_rto.standard_error.unwrap_or(0.0)));
        }
        out.rows.push((
            format!("{}/{}", spec.tier, spec.disaster()),
            [
                e.p_meet_rpo.value,
                e.p_meet_rto.value,
                e.p_unrecoverable.value,
            ],
        ));
    }
    out
}

/// One swept parameter: a `--set` path and the values it takes, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    pub path: String,
    pub values: Vec<String>,
}

impl Parameter {
    /// Parses `PATH=V1,V2,…` (values trimmed; an empty value is an error).
    pub fn parse(text: &str) -> Result<Parameter, String> {
        let (path, values) = text.split_once('=').ok_or_else(|| {
            format!(
                "`{text}` is not PATH=V1,V2,…, e.g. 'links.us-east-1>us-west-2.bandwidth_gbps=1,5,10'"
            )
        })?;
        let values: Vec<String> = values.split(',').map(|v| v.trim().to_string()).collect();
        if path.trim().is_empty() || values.iter().any(String::is_empty) {
            return Err(format!(
                "`{text}` needs a path and non-empty values, e.g. tiers.Tier1.rto_hours=1,2,4"
            ));
        }
        Ok(Parameter {
            path: path.trim().to_string(),
            values,
        })
    }
}

/// Every combination of the parameters' values, as value indices, the last parameter
/// varying fastest (the order of nested loops over the `--set` flags as written).
pub fn grid(parameters: &[Parameter]) -> Vec<Vec<usize>> {
    let mut points = vec![Vec::new()];
    for p in parameters {
        points = points
            .into_iter()
            .flat_map(|prefix| {
                (0..p.values.len()).map(move |i| {
                    let mut point = prefix.clone();
                    point.push(i);
                    point
                })
            })
            .collect();
    }
    points
}

/// Which points are Pareto-efficient for (cost, probability): no other point costs no
/// more and meets the target at least as often, and strictly better in one. Points with a
/// missing (non-finite) value are never efficient; equal points are efficient together.
pub fn pareto(points: &[(f64, f64)]) -> Vec<bool> {
    let valid = |&(c, p): &(f64, f64)| c.is_finite() && p.is_finite();
    points
        .iter()
        .map(|a| {
            valid(a)
                && !points
                    .iter()
                    .any(|b| valid(b) && b.0 <= a.0 && b.1 >= a.1 && (b.0 < a.0 || b.1 > a.1))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_is_the_full_product_last_fastest() {
        let p = |path: &str, n: usize| Parameter {
            path: path.to_string(),
            values: (0..n).map(|i| i.to_string()).collect(),
        };
        let g = grid(&[p("a", 2), p("b", 3)]);
        assert_eq!(
            g,
            vec![
                vec![0, 0],
                vec![0, 1],
                vec![0, 2],
                vec![1, 0],
                vec![1, 1],
                vec![1, 2]
            ]
        );
        assert_eq!(grid(&[]), vec![Vec::<usize>::new()]);
    }

    #[test]
    fn parameters_parse_and_refuse_what_is_not_a_list() {
        let p = Parameter::parse("links.us-east-1>us-west-2.bandwidth_gbps=1, 5,10").unwrap();
        assert_eq!(p.path, "links.us-east-1>us-west-2.bandwidth_gbps");
        assert_eq!(p.values, ["1", "5", "10"]);
        assert!(Parameter::parse("tiers.Tier1.rto_hours").is_err());
        assert!(Parameter::parse("tiers.Tier1.rto_hours=1,,2").is_err());
        assert!(Parameter::parse("=1,2").is_err());
    }

    #[test]
    fn pareto_set_of_a_hand_checked_case() {
        // (cost, P(meet RTO)), worked out by hand:
        // A (10, 0.90) efficient: nothing is as cheap.
        // B (20, 0.95) efficient: only A is cheaper, and A meets less often.
        // C (25, 0.93) dominated by B (cheaper and better).
        // D (30, 0.99) efficient: the best probability.
        // E (30, 0.99) equal to D: efficient with it.
        // F (40, 0.99) dominated by D (same probability, dearer).
        // G (15, NaN)  no estimate: never efficient.
        // H (12, 0.90) dominated by A (same probability, dearer).
        let points = [
            (10.0, 0.90),
            (20.0, 0.95),
            (25.0, 0.93),
            (30.0, 0.99),
            (30.0, 0.99),
            (40.0, 0.99),
            (15.0, f64::NAN),
            (12.0, 0.90),
        ];
        assert_eq!(
            pareto(&points),
            [true, true, false, true, true, false, false, false]
        );
    }
}
