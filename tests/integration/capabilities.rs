//! What a resource type can do is AWS's fact (`ResourceType::capabilities`): a
//! `[resource_types.X]` that claims more than AWS documents is refused where it says so;
//! one that claims less, or leaves the field to AWS's value, runs.

use std::path::Path;

use vaultsim::model::{Model, ResourceType};
use vaultsim::scenario::{self, ScenarioError};

use super::common::{Small, model_from};

/// The one-resource test scenario with its resource and behaviour table of type
/// `resource_type`, declaring `fields` instead of `incremental` and `cold_storage`.
fn of_type(resource_type: &str, fields: &str) -> String {
    let text = Small::default().toml();
    let declared = "incremental = false\ncold_storage = false\n";
    assert!(text.contains(declared) && text.matches("\"EBS\"").count() == 1);
    text.replace(declared, fields)
        .replace("\"EBS\"", &format!("\"{resource_type}\""))
        .replace(
            "[resource_types.EBS]",
            &format!("[resource_types.{resource_type}]"),
        )
}

/// The problems of a scenario that must be refused.
fn errors(text: &str) -> Vec<ScenarioError> {
    let s = scenario::parse(Path::new("test.toml"), text.to_string()).expect("parses");
    scenario::resolve(&s).expect_err("refused").0
}

/// The 1-based line of the first line of `text` that starts with `start`.
fn line_of(text: &str, start: &str) -> usize {
    1 + text
        .lines()
        .position(|l| l.starts_with(start))
        .unwrap_or_else(|| panic!("no line starts with {start}"))
}

/// The one error, at `path`, on the line that starts with `start` (at its value when
/// `column` is given), with fragments of its message and help.
fn assert_refused(
    text: &str,
    path: &str,
    start: &str,
    column: usize,
    message: &[&str],
    help: &str,
) {
    let errors = errors(text);
    let [e] = errors.as_slice() else {
        panic!("one error expected: {errors:#?}")
    };
    assert_eq!(e.path, path);
    assert_eq!(
        (e.line, e.column),
        (Some(line_of(text, start)), Some(column)),
        "{e}"
    );
    for fragment in message {
        assert!(e.message.contains(fragment), "`{fragment}` not in: {e}");
    }
    assert!(
        e.help.as_deref().is_some_and(|h| h.contains(help)),
        "`{help}` not in: {e}"
    );
}

fn behaviour(model: &Model, t: ResourceType) -> (bool, bool, Option<i64>) {
    let b = &model.behaviour[t as usize];
    (b.incremental, b.cold_storage, b.continuous_lag_seconds)
}

/// AWS Backup has no cold storage for RDS: `cold_storage = true` would give RDS cold
/// points, billed at a cold rate, where AWS keeps them warm.
#[test]
fn rds_cold_storage_is_refused_at_its_field() {
    let text = of_type("RDS", "incremental = true\ncold_storage = true\n");
    assert_refused(
        &text,
        "resource_types.RDS.cold_storage",
        "cold_storage = true",
        16,
        &[
            "AWS documents no cold storage for RDS",
            "the types with cold storage are EBS, DynamoDB, EFS",
        ],
        "valid: cold_storage = false, or leave it out",
    );
}

/// DynamoDB has cold storage only with AWS Backup's advanced DynamoDB features: a
/// scenario may declare it, or declare it off (less than AWS allows is a choice).
#[test]
fn dynamodb_may_declare_cold_storage_or_not() {
    for cold in [true, false] {
        let model = model_from(&of_type(
            "DynamoDB",
            &format!("incremental = false\ncold_storage = {cold}\n"),
        ));
        assert_eq!(
            behaviour(&model, ResourceType::DynamoDb),
            (false, cold, None)
        );
    }
}

/// Aurora snapshots are full; its incremental protection is continuous backup.
#[test]
fn aurora_incremental_is_refused() {
    let text = of_type("Aurora", "incremental = true\ncold_storage = false\n");
    assert_refused(
        &text,
        "resource_types.Aurora.incremental",
        "incremental = true",
        15,
        &[
            "AWS documents Aurora backups as full snapshots",
            "EBS, EC2, RDS, EFS, S3, FSx",
        ],
        "Aurora's incremental protection is continuous backup",
    );
}

/// EBS has no point-in-time recovery in AWS Backup: a lag for it is refused.
#[test]
fn ebs_continuous_backup_is_refused() {
    let text = of_type(
        "EBS",
        "incremental = true\ncold_storage = true\ncontinuous_lag_minutes = 5\n",
    );
    assert_refused(
        &text,
        "resource_types.EBS.continuous_lag_minutes",
        "continuous_lag_minutes",
        26,
        &[
            "AWS documents no continuous backup (point-in-time recovery) for EBS",
            "the types with it are RDS, Aurora, S3",
        ],
        "leave continuous_lag_minutes out",
    );
}

/// RDS is restorable to about the last 5 minutes: a shorter lag claims more than AWS
/// gives and is refused; AWS's own lag or a longer one runs.
#[test]
fn an_rds_lag_shorter_than_aws_documents_is_refused() {
    let fields = |lag: f64| format!("incremental = true\ncontinuous_lag_minutes = {lag}\n");
    assert_refused(
        &of_type("RDS", &fields(2.0)),
        "resource_types.RDS.continuous_lag_minutes",
        "continuous_lag_minutes",
        26,
        &["2 minutes is less than the 5 minutes AWS documents"],
        "valid: continuous_lag_minutes ≥ 5",
    );
    for lag in [5.0, 30.0] {
        let model = model_from(&of_type("RDS", &fields(lag)));
        assert_eq!(
            behaviour(&model, ResourceType::Rds),
            (true, false, Some((lag * 60.0) as i64))
        );
    }
}

/// A left-out `incremental` or `cold_storage` takes what AWS documents; where AWS
/// documents neither incremental nor full backups (DocumentDB), the scenario must say.
#[test]
fn left_out_capabilities_take_what_aws_documents() {
    for (name, t, expected) in [
        ("EBS", ResourceType::Ebs, (true, true, None)),
        ("Aurora", ResourceType::Aurora, (false, false, None)),
        ("S3", ResourceType::S3, (true, false, None)),
    ] {
        let model = model_from(&of_type(name, ""));
        assert_eq!(behaviour(&model, t), expected, "{name}");
    }
    let text = of_type("DocumentDB", "");
    let errors = errors(&text);
    let [e] = errors.as_slice() else {
        panic!("one error expected: {errors:#?}")
    };
    assert_eq!(e.path, "resource_types.DocumentDB.incremental");
    assert_eq!(e.line, Some(line_of(&text, "[resource_types.DocumentDB]")));
    assert!(
        e.message
            .contains("AWS documents neither incremental nor full backups for DocumentDB"),
        "{e}"
    );
    assert_eq!(
        e.help.as_deref(),
        Some("valid: incremental = true, or incremental = false")
    );
    let model = model_from(&of_type("DocumentDB", "incremental = false\n"));
    assert_eq!(
        behaviour(&model, ResourceType::DocumentDb),
        (false, false, None)
    );
}
