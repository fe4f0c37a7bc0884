//! Small validators shared by `resolve`: each returns a value or records a `Problem`
//! naming the field path, what was found and what would be valid.

use super::error::Problem;
use super::raw::RawDist;
use crate::dist::Dist;

/// Collects problems while resolving, so every one is reported at once.
#[derive(Debug, Default)]
pub struct Problems(pub Vec<Problem>);

impl Problems {
    pub fn push(&mut self, problem: Problem) {
        self.0.push(problem);
    }

    pub fn report(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.0.push(Problem::new(path, message));
    }

    /// Converts a raw distribution; `non_negative` rejects distributions that can
    /// produce values below zero (sizes, rates, durations).
    pub fn dist(&mut self, raw: &RawDist, path: &str, non_negative: bool) -> Option<Dist> {
        let need = |problems: &mut Problems, field: &str, v: Option<f64>| -> Option<f64> {
            if v.is_none() {
                problems.report(
                    format!("{path}.{field}"),
                    format!("`{}` distribution needs `{field}`", raw.dist),
                );
            }
            v
        };
        let allowed: &[&str] = match raw.dist.as_str() {
            "fixed" => &["value"],
            "uniform" => &["low", "high"],
            "normal" => &["mean", "sd"],
            "lognormal" => {
                if raw.median.is_some() || raw.p95.is_some() {
                    &["median", "p95"]
                } else {
                    &["mu", "sigma"]
                }
            }
            "exponential" => &["mean"],
            "empirical" => &["values"],
            other => {
                self.push(
                    Problem::new(
                        format!("{path}.dist"),
                        format!("unknown distribution `{other}`"),
                    )
                    .with_help(
                        "valid: fixed (value), uniform (low, high), normal (mean, sd), \
                         lognormal (median, p95 or mu, sigma), exponential (mean), empirical (values)",
                    ),
                );
                return None;
            }
        };
        let present = [
            ("value", raw.value.is_some()),
            ("low", raw.low.is_some()),
            ("high", raw.high.is_some()),
            ("mean", raw.mean.is_some()),
            ("sd", raw.sd.is_some()),
            ("mu", raw.mu.is_some()),
            ("sigma", raw.sigma.is_some()),
            ("median", raw.median.is_some()),
            ("p95", raw.p95.is_some()),
            ("values", raw.values.is_some()),
        ];
        let mut stray = false;
        for (field, is_set) in present {
            if is_set && !allowed.contains(&field) {
                self.report(
                    format!("{path}.{field}"),
                    format!(
                        "`{field}` does not apply to a `{}` distribution (it takes: {})",
                        raw.dist,
                        allowed.join(", ")
                    ),
                );
                stray = true;
            }
        }
        let result = match raw.dist.as_str() {
            "fixed" => need(self, "value", raw.value).map(Dist::fixed),
            "uniform" => match (need(self, "low", raw.low), need(self, "high", raw.high)) {
                (Some(l), Some(h)) => Some(Dist::uniform(l, h)),
                _ => None,
            },
            "normal" => match (need(self, "mean", raw.mean), need(self, "sd", raw.sd)) {
                (Some(m), Some(s)) => Some(Dist::normal(m, s)),
                _ => None,
            },
            "lognormal" if allowed[0] == "median" => {
                match (need(self, "median", raw.median), need(self, "p95", raw.p95)) {
                    (Some(m), Some(p)) => Some(Dist::lognormal_from_median_p95(m, p)),
                    _ => None,
                }
            }
            "lognormal" => match (need(self, "mu", raw.mu), need(self, "sigma", raw.sigma)) {
                (Some(m), Some(s)) => Some(Dist::lognormal(m, s)),
                _ => None,
            },
            "exponential" => need(self, "mean", raw.mean).map(Dist::exponential),
            "empirical" => match &raw.values {
                Some(v) => Some(Dist::empirical(v.clone())),
                None => {
                    self.report(
                        format!("{path}.values"),
                        "`empirical` distribution needs `values`",
                    );
                    None
                }
            },
            _ => unreachable!("checked above"),
        };
        let dist = match result? {
            Ok(d) => d,
            Err(e) => {
                self.report(path.to_string(), e.to_string());
                return None;
            }
        };
        if stray {
            return None;
        }
        if non_negative && dist.min_value() < 0.0 {
            let what = match &dist {
                Dist::Normal { .. } => {
                    "a normal distribution can draw negative values; use lognormal \
                     (median, p95) for a positive quantity"
                        .to_string()
                }
                _ => format!(
                    "values can be negative (smallest possible: {}); this quantity must be ≥ 0",
                    dist.min_value()
                ),
            };
            self.report(path.to_string(), what);
            return None;
        }
        Some(dist)
    }

    /// A whole number in `[min, max]`.
    pub fn range_i64(&mut self, value: i64, path: &str, min: i64, max: i64) -> Option<i64> {
        if value < min || value > max {
            self.report(
                path.to_string(),
                format!("{value} is out of range; valid: {min} to {max}"),
            );
            None
        } else {
            Some(value)
        }
    }

    /// A probability in `[0, 1]`.
    pub fn probability(&mut self, value: f64, path: &str) -> Option<f64> {
        if !(0.0..=1.0).contains(&value) {
            self.report(
                path.to_string(),
                format!("{value} is not a probability; valid: 0 to 1"),
            );
            None
        } else {
            Some(value)
        }
    }

    /// A finite number > 0.
    pub fn positive(&mut self, value: f64, path: &str) -> Option<f64> {
        if !(value.is_finite() && value > 0.0) {
            self.report(
                path.to_string(),
                format!("{value} must be a positive number"),
            );
            None
        } else {
            Some(value)
        }
    }
}

impl Problems {
    /// A list of region names that must not be empty.
    pub fn regions(&mut self, regions: &[String], path: &str, empty: &str) {
        if regions.is_empty() {
            self.report(path.to_string(), empty.to_string());
        }
        for (i, region) in regions.iter().enumerate() {
            if !is_region_name(region) {
                self.report(
                    format!("{path}[{i}]"),
                    format!("`{region}` is not a region name; valid: e.g. us-east-1"),
                );
            }
        }
    }

    /// The index of the OU called `name`, or a problem listing the valid names.
    pub fn ou(&mut self, ous: &[crate::model::Ou], name: &str, path: String) -> Option<usize> {
        let found = ous.iter().position(|o| o.name == name);
        if found.is_none() {
            self.report(
                path,
                format!(
                    "unknown OU `{name}`; valid: {}",
                    ous.iter()
                        .map(|o| o.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        found
    }

    /// RPO and RTO targets in hours → seconds, each checked to be positive.
    pub fn target(
        &mut self,
        name: &str,
        path: &str,
        rpo_hours: Option<f64>,
        rto_hours: Option<f64>,
    ) -> crate::model::Target {
        let mut seconds = |field: &str, hours: Option<f64>| {
            let h = hours?;
            self.positive(h, &format!("{path}.{field}"))?;
            Some((h * 3600.0).round().max(1.0) as i64)
        };
        crate::model::Target {
            name: name.to_string(),
            rpo_target_seconds: seconds("rpo_hours", rpo_hours),
            rto_target_seconds: seconds("rto_hours", rto_hours),
        }
    }
}

/// Whether `region` looks like an AWS region name (`us-east-1`, `eu-central-2`, `us-gov-west-1`).
pub fn is_region_name(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts[0].chars().all(|c| c.is_ascii_lowercase())
        && parts[1..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase()))
        && parts[parts.len() - 1].chars().all(|c| c.is_ascii_digit())
        && !parts[parts.len() - 1].is_empty()
}

/// Matches `text` against an AWS ARN pattern where `*` matches any run of characters.
pub fn wildcard_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && p[pi] != '*' && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn region_names() {
        assert!(is_region_name("us-east-1"));
        assert!(is_region_name("us-gov-west-1"));
        assert!(is_region_name("eu-central-2"));
        assert!(!is_region_name("home"));
        assert!(!is_region_name("us-east"));
        assert!(!is_region_name("US-EAST-1"));
    }

    #[test]
    fn wildcards_match_like_aws_arn_patterns() {
        assert!(wildcard_match(
            "arn:aws:rds:*:*:db:*",
            "arn:aws:rds:us-east-1:123456789012:db:orders"
        ));
        assert!(!wildcard_match(
            "arn:aws:rds:*:*:db:*",
            "arn:aws:rds:us-east-1:123456789012:cluster:orders"
        ));
        assert!(wildcard_match("*", ""));
        assert!(wildcard_match("a*b*c", "aXXbYYc"));
        assert!(!wildcard_match("a*b*c", "aXXbYY"));
    }
}
