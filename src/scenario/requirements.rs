//! The requirement tables and frameworks a design is checked against: `[compliance]`,
//! `[data_classes.*]`, `[frameworks.*]`, `[[service_control_policies]]`, and the
//! frequency, retention and cross-region columns of `[tiers.*]` and `[environments.*]`.

use std::path::Path;

use super::check::{Problems, is_region_name};
use super::raw::RawScenario;
use crate::model::{
    DataClassRequirement, Encryption, EnvironmentRequirement, FrameworkRequirement, Frequency,
    Model, Requirements, ServiceControlPolicy, Severity,
};

/// The frequency words the tables use, with their period in hours.
const PERIODS: [(&str, Option<f64>); 6] = [
    ("continuous", None),
    ("hourly", Some(1.0)),
    ("daily", Some(24.0)),
    ("weekly", Some(168.0)),
    ("monthly", Some(744.0)),
    ("none", None),
];

/// Parses a frequency as the seed's tables write it: words joined by `+`
/// (`Daily + Weekly`, `Continuous + Daily`, `None`), case-insensitive.
pub fn frequency(text: &str) -> Result<Frequency, String> {
    let mut out = Frequency {
        text: text.to_string(),
        continuous: false,
        max_interval_hours: None,
        none: false,
    };
    let words: Vec<String> = text
        .split('+')
        .map(|w| w.trim().to_ascii_lowercase())
        .collect();
    for word in &words {
        let Some((name, hours)) = PERIODS.iter().find(|(n, _)| n == word) else {
            return Err(format!(
                "`{word}` is not a backup frequency; valid: {} (joined with +, e.g. \"Daily + Weekly\")",
                PERIODS
                    .iter()
                    .map(|(n, _)| {
                        let mut c = n.chars();
                        c.next().map_or_else(String::new, |f| {
                            f.to_ascii_uppercase().to_string() + c.as_str()
                        })
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        match (*name, hours) {
            ("continuous", _) => out.continuous = true,
            ("none", _) => out.none = true,
            (_, Some(h)) => {
                out.max_interval_hours =
                    Some(out.max_interval_hours.map_or(*h, |m: f64| m.min(*h)));
            }
            _ => {}
        }
    }
    if out.none && words.len() > 1 {
        return Err(format!(
            "`{text}`: None cannot be combined with other frequencies"
        ));
    }
    Ok(out)
}

/// Resolves the requirement tables (after the estate, so OUs exist).
pub(super) fn requirements(
    raw: &RawScenario,
    file: &Path,
    model: &Model,
    problems: &mut Problems,
) -> Option<Requirements> {
    let mut out = Requirements {
        file: file.display().to_string(),
        ..Requirements::default()
    };
    let parse_frequency = |text: &Option<String>, path: String, problems: &mut Problems| {
        text.as_deref().and_then(|t| match frequency(t) {
            Ok(f) => Some(f),
            Err(e) => {
                problems.report(path, e);
                None
            }
        })
    };
    if let Some(c) = &raw.compliance {
        if let Some(p) = c.confidence {
            if !(p > 0.0 && p <= 1.0) {
                problems.report(
                    "compliance.confidence",
                    format!("{p} is not a probability in (0, 1]; e.g. 0.99"),
                );
            } else {
                out.confidence = p;
            }
        }
        if let Some(t) = &c.classification_tag {
            out.classification_tag = t.clone();
        }
        if let Some(t) = &c.scope_tag {
            out.scope_tag = t.clone();
        }
        if let Some(h) = c.required_frequency_hours {
            // Audit Manager: 1 to 24 hours, or 1 to 7 days.
            if !(1.0..=168.0).contains(&h) {
                problems.report(
                    "compliance.required_frequency_hours",
                    format!("{h} is out of range; valid: 1 to 168 hours"),
                );
            } else {
                out.required_frequency_hours = h;
            }
        }
        if let Some(d) = c.required_retention_days
            && let Some(d) = problems.range_i64(d, "compliance.required_retention_days", 1, 36_500)
        {
            out.required_retention_days = d;
        }
        if let Some(h) = c.recovery_point_age_hours {
            // Audit Manager: 1 to 744 hours.
            if !(1.0..=744.0).contains(&h) {
                problems.report(
                    "compliance.recovery_point_age_hours",
                    format!("{h} is out of range; valid: 1 to 744 hours"),
                );
            } else {
                out.recovery_point_age_hours = h;
            }
        }
        if let Some(m) = c.max_restore_minutes {
            if !(m.is_finite() && m > 0.0) {
                problems.report(
                    "compliance.max_restore_minutes",
                    format!("{m} must be a positive number of minutes"),
                );
            } else {
                out.max_restore_minutes = Some(m);
            }
        }
        if let Some(s) = &c.fail_on {
            match Severity::parse(s) {
                Some(s) => out.fail_on = s,
                None => problems.report(
                    "compliance.fail_on",
                    format!("`{s}` is not a severity; valid: critical, high, medium, low"),
                ),
            }
        }
    }
    out.tier_frequency = raw
        .tiers
        .iter()
        .map(|(name, t)| {
            parse_frequency(
                &t.backup_frequency,
                format!("tiers.{name}.backup_frequency"),
                problems,
            )
        })
        .collect();
    out.environments = raw
        .environments
        .iter()
        .map(|(name, e)| EnvironmentRequirement {
            frequency: parse_frequency(
                &e.backup_frequency,
                format!("environments.{name}.backup_frequency"),
                problems,
            ),
            // The seed's "Retention (Cold) 7 years" is how long points are kept in all
            // (AWS's delete_after_days counts from creation), not 7 years after 30 hot.
            retention_days: match (e.hot_retention_days, e.cold_retention_days) {
                (None, None) => None,
                (hot, cold) => Some(hot.unwrap_or(0).max(cold.unwrap_or(0))),
            },
            cross_region: e.cross_region,
        })
        .collect();
    for (name, c) in &raw.data_classes {
        let path = format!("data_classes.{name}");
        let encryption = match c.encryption.as_str() {
            "optional" => Encryption::Optional,
            "aws_managed" => Encryption::AwsManaged,
            "customer_managed" => Encryption::CustomerManaged,
            other => {
                problems.report(
                    format!("{path}.encryption"),
                    format!(
                        "`{other}` is not an encryption requirement; valid: optional, aws_managed, customer_managed"
                    ),
                );
                Encryption::Optional
            }
        };
        out.data_classes.push(DataClassRequirement {
            name: name.clone(),
            encryption,
            retention_days: c
                .retention_days
                .and_then(|d| problems.range_i64(d, &format!("{path}.retention_days"), 1, 36_500)),
            frequency: parse_frequency(
                &c.backup_frequency,
                format!("{path}.backup_frequency"),
                problems,
            ),
            mfa: c.mfa.unwrap_or(false),
            rotation_days: c
                .rotation_days
                .and_then(|d| problems.range_i64(d, &format!("{path}.rotation_days"), 1, 36_500)),
        });
    }
    for (name, f) in &raw.frameworks {
        let path = format!("frameworks.{name}");
        if let Some(regions) = &f.allowed_regions {
            problems.regions(
                regions,
                &format!("{path}.allowed_regions"),
                "a residency rule needs at least one allowed region",
            );
        }
        out.frameworks.push(FrameworkRequirement {
            name: name.clone(),
            clause: f.clause.clone(),
            retention_days: f
                .retention_days
                .and_then(|d| problems.range_i64(d, &format!("{path}.retention_days"), 1, 36_500)),
            frequency: parse_frequency(
                &f.backup_frequency,
                format!("{path}.backup_frequency"),
                problems,
            ),
            allowed_regions: f.allowed_regions.clone(),
            worm: f.worm.unwrap_or(false),
            recoverable: f.recoverable.unwrap_or(false),
        });
    }
    for (i, scp) in raw.service_control_policies.iter().enumerate() {
        let path = format!("service_control_policies[{i}]");
        let mut ous = Vec::new();
        for (j, ou) in scp.attach_to.iter().enumerate() {
            ous.extend(problems.ou(&model.ous, ou, format!("{path}.attach_to[{j}]")));
        }
        for (j, region) in scp.allowed_regions.iter().enumerate() {
            if !is_region_name(region) {
                problems.report(
                    format!("{path}.allowed_regions[{j}]"),
                    format!("`{region}` is not a region name; valid: e.g. eu-west-1"),
                );
            }
        }
        for (j, action) in scp.actions.iter().enumerate() {
            // The actions a backup or copy job needs (`model::scp`), any other AWS Backup
            // action, or a wildcard covering some of them.
            let known = action == "*"
                || action.to_ascii_lowercase().starts_with("backup:")
                || crate::model::ScpStep::ALL_ACTIONS
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(action))
                || ["ec2:*", "rds:*"]
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(action));
            if !known {
                problems.report(
                    format!("{path}.actions[{j}]"),
                    format!(
                        "`{action}` is not an action a backup or copy job needs; valid: an AWS Backup action (backup:CreateBackupVault, backup:StartBackupJob, backup:StartCopyJob, backup:CopyIntoBackupVault, backup:*), ec2:CopySnapshot, ec2:CopyImage, rds:CopyDBSnapshot, rds:CopyDBClusterSnapshot, ec2:*, rds:* or *"
                    ),
                );
            }
        }
        out.scps.push(ServiceControlPolicy {
            name: scp.name.clone(),
            ous,
            enabled: scp.enabled.unwrap_or(true),
            actions: scp.actions.clone(),
            allowed_regions: scp.allowed_regions.clone(),
            path,
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frequencies_parse_as_the_seed_writes_them() {
        let f = frequency("Daily + Weekly").expect("valid");
        assert_eq!(f.max_interval_hours, Some(24.0));
        assert!(!f.continuous && !f.none);
        let f = frequency("Continuous + Daily").expect("valid");
        assert!(f.continuous);
        assert_eq!(f.max_interval_hours, Some(24.0));
        assert!(frequency("None").expect("valid").none);
        assert_eq!(
            frequency("monthly").expect("valid").max_interval_hours,
            Some(744.0)
        );
        let e = frequency("Fortnightly").expect_err("invalid");
        assert!(
            e.contains("valid: Continuous, Hourly, Daily, Weekly, Monthly, None"),
            "{e}"
        );
        assert!(frequency("None + Daily").is_err());
    }
}
