//! SARIF 2.1.0 output of compliance findings, for code-scanning tools (GitHub code
//! scanning, IDE SARIF viewers, …).
//!
//! One run whose tool driver lists one rule per distinct finding id, and one result per
//! finding. Pure: a [`Report`] in, the document's text out; the caller supplies how a field
//! path maps to a line and column, since only it has the scenario and policy texts.

use std::collections::HashMap;

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::compliance::Report;
use crate::model::{Finding, Severity};

/// The `$schema` written at the top of the document: the OASIS SARIF 2.1.0 schema.
pub const SCHEMA_URI: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Where a SARIF consumer can read about the tool.
pub const INFORMATION_URI: &str = "https://github.com/vaultsim/vaultsim";

/// Key of the fingerprint in each result's `partialFingerprints`.
pub const FINGERPRINT_KEY: &str = "vaultsimFinding/v1";

/// Finds a field inside a file: `locate(file, path)` is the 1-based (line, column) of field
/// `path` in `file`, or `None`.
pub type Locate<'a> = dyn Fn(&str, &str) -> Option<(usize, usize)> + 'a;

/// Writes `report`'s findings as a SARIF 2.1.0 log (pretty-printed, ending in a newline).
///
/// `locate(file, path)` gives the 1-based (line, column) of field `path` inside `file`
/// (a TOML path for the scenario, a JSON path for a policy file), or `None`; it is only
/// asked about findings that name both a file and a path. `tool_version` is the driver's
/// version. The same input always gives the same bytes.
pub fn sarif(report: &Report, locate: &Locate<'_>, tool_version: &str) -> String {
    let (rules, rule_index) = rules(&report.findings);
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|finding| result(finding, rule_index[finding.id], locate))
        .collect();
    let log = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "vaultsim",
                    "version": tool_version,
                    "informationUri": INFORMATION_URI,
                    "rules": rules,
                }
            },
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&log)
        .expect("a serde_json::Value always serializes to a string");
    text.push('\n');
    text
}

/// SARIF's level for a severity: critical and high are errors, medium a warning, low a note.
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// One reportingDescriptor per distinct finding id, in order of first appearance (described
/// by that first finding), and each id's index in that list.
fn rules(findings: &[Finding]) -> (Vec<Value>, HashMap<&'static str, usize>) {
    let mut rules = Vec::new();
    let mut index = HashMap::new();
    for finding in findings {
        if index.contains_key(finding.id) {
            continue;
        }
        index.insert(finding.id, rules.len());
        let mut rule = Map::new();
        rule.insert("id".into(), json!(finding.id));
        rule.insert("name".into(), json!(rule_name(finding.id)));
        rule.insert("shortDescription".into(), json!({ "text": finding.title }));
        if !finding.control.is_empty() {
            rule.insert("fullDescription".into(), json!({ "text": finding.control }));
        }
        if !finding.fix.is_empty() {
            rule.insert("help".into(), json!({ "text": finding.fix }));
        }
        rule.insert(
            "defaultConfiguration".into(),
            json!({ "level": level(finding.severity) }),
        );
        rule.insert(
            "properties".into(),
            json!({ "severity": finding.severity.name() }),
        );
        rules.push(Value::Object(rule));
    }
    (rules, index)
}

/// A rule's readable name: its id in PascalCase (`VS-POLICY-COLD-90` → `VsPolicyCold90`), as
/// SARIF suggests for `reportingDescriptor.name`.
fn rule_name(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| {
            let lower = word.to_ascii_lowercase();
            let mut chars = lower.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The SARIF result for one finding.
fn result(finding: &Finding, rule_index: usize, locate: &Locate<'_>) -> Value {
    let mut result = Map::new();
    result.insert("ruleId".into(), json!(finding.id));
    result.insert("ruleIndex".into(), json!(rule_index));
    result.insert("level".into(), json!(level(finding.severity)));
    result.insert("message".into(), json!({ "text": message_text(finding) }));
    if let Some(location) = location(finding, locate) {
        result.insert("locations".into(), json!([location]));
    }
    result.insert(
        "partialFingerprints".into(),
        json!({ FINGERPRINT_KEY: fingerprint(finding) }),
    );
    let evidence: Vec<Value> = finding
        .evidence
        .iter()
        .map(|e| json!({ "name": e.name, "value": e.value }))
        .collect();
    result.insert(
        "properties".into(),
        json!({
            "severity": finding.severity.name(),
            "title": finding.title,
            "control": finding.control,
            "scope": {
                "label": finding.scope.label,
                "accounts": finding.scope.accounts,
                "resources": finding.scope.resources,
                "ous": finding.scope.ous,
            },
            "evidence": evidence,
            "fix": finding.fix,
        }),
    );
    Value::Object(result)
}

/// The message, then the evidence (`name: value; …`) and the scope, one per line.
fn message_text(finding: &Finding) -> String {
    let mut lines = vec![finding.message.clone()];
    if !finding.evidence.is_empty() {
        let evidence: Vec<String> = finding
            .evidence
            .iter()
            .map(|e| format!("{}: {}", e.name, e.value))
            .collect();
        lines.push(format!("Evidence: {}", evidence.join("; ")));
    }
    if !finding.scope.label.is_empty() {
        lines.push(format!("Scope: {}", finding.scope.label));
    }
    lines.join("\n")
}

/// The first file a finding names (`file` may list several, separated by `", "`).
fn first_file(finding: &Finding) -> &str {
    finding.file.split(", ").next().unwrap_or("").trim()
}

/// Where the finding is: the first file it names (with a region when `locate` finds the
/// path), and the field path as a logical location; with no file, the scope as a logical
/// location instead. `None` when there is nothing to point at.
fn location(finding: &Finding, locate: &Locate<'_>) -> Option<Value> {
    let file = first_file(finding);
    let mut location = Map::new();
    if !file.is_empty() {
        let mut physical = Map::new();
        physical.insert(
            "artifactLocation".into(),
            json!({ "uri": uri_reference(file) }),
        );
        if !finding.path.is_empty()
            && let Some((line, column)) = locate(file, &finding.path)
            && line >= 1
        {
            let mut region = Map::new();
            region.insert("startLine".into(), json!(line));
            if column >= 1 {
                region.insert("startColumn".into(), json!(column));
            }
            physical.insert("region".into(), Value::Object(region));
        }
        location.insert("physicalLocation".into(), Value::Object(physical));
    }
    let mut logical = Vec::new();
    if !finding.path.is_empty() {
        logical.push(json!({ "fullyQualifiedName": finding.path }));
    }
    if file.is_empty() && !finding.scope.label.is_empty() {
        logical.push(json!({
            "name": finding.scope.label,
            "fullyQualifiedName": finding.scope.label,
            "kind": "resource",
        }));
    }
    if !logical.is_empty() {
        location.insert("logicalLocations".into(), Value::Array(logical));
    }
    (!location.is_empty()).then_some(Value::Object(location))
}

/// A file path as a relative (or absolute-path) URI reference: `\` becomes `/`, and every
/// byte other than an unreserved character or `/` is percent-encoded.
fn uri_reference(path: &str) -> String {
    let mut uri = String::with_capacity(path.len());
    for byte in path.replace('\\', "/").bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// A stable identity for a finding across runs: SHA-256 (hex) of its id, file, field path
/// and scope label, NUL-separated.
fn fingerprint(finding: &Finding) -> String {
    let mut hasher = Sha256::new();
    for part in [
        finding.id,
        finding.file.as_str(),
        finding.path.as_str(),
        finding.scope.label.as_str(),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0u8]);
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compliance::Report;
    use crate::model::{Evidence, Scope};

    const SCHEMA: &str = include_str!("../../tests/fixtures/sarif-schema-2.1.0.json");

    fn finding(id: &'static str, severity: Severity, file: &str, path: &str) -> Finding {
        Finding {
            id,
            severity,
            title: format!("{id} falls short"),
            control: format!("control of {id}"),
            file: file.to_string(),
            path: path.to_string(),
            scope: Scope {
                label: "OU Production · data class Confidential".to_string(),
                ous: vec!["Production".to_string()],
                accounts: 3,
                resources: 42,
            },
            evidence: vec![
                Evidence::new("retention", "30 days"),
                Evidence::new("required", "90 days"),
            ],
            message: format!("{id}: the design keeps too little."),
            fix: format!("Change what {id} points at."),
        }
    }

    fn sample() -> Report {
        let mut duplicate = finding(
            "VS-RETENTION",
            Severity::Critical,
            "policies/prod.json",
            "plans.p.rules.r.lifecycle",
        );
        duplicate.title = "a second retention finding".to_string();
        Report {
            findings: vec![
                finding(
                    "VS-RETENTION",
                    Severity::Critical,
                    "policies/prod.json",
                    "plans.ProductionBackupPlan.rules.Daily.lifecycle.delete_after_days",
                ),
                finding(
                    "VS-COVERAGE",
                    Severity::High,
                    "scenario.toml",
                    "ous.Production",
                ),
                finding("VS-COLD", Severity::Medium, "", ""),
                finding(
                    "VS-SHARED-KEY",
                    Severity::Low,
                    "policies/a.json, policies/b.json",
                    "plans.x.rules.y",
                ),
                duplicate,
                finding("VS-NO-PATH", Severity::Medium, "scenario.toml", ""),
            ],
            controls: Vec::new(),
            resources: Vec::new(),
        }
    }

    /// Locates only paths inside `policies/prod.json`.
    fn locate(file: &str, path: &str) -> Option<(usize, usize)> {
        (file == "policies/prod.json").then_some((7, path.len() % 9 + 1))
    }

    fn validator() -> jsonschema::Validator {
        let schema: Value = serde_json::from_str(SCHEMA).expect("the stored schema is JSON");
        jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .expect("the SARIF schema compiles")
    }

    fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
        validator
            .iter_errors(doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect()
    }

    fn parse(text: &str) -> Value {
        serde_json::from_str(text).expect("the output is JSON")
    }

    #[test]
    fn output_validates_against_the_sarif_schema() {
        let validator = validator();
        let doc = parse(&sarif(&sample(), &locate, "1.2.3"));
        assert_eq!(errors(&validator, &doc), Vec::<String>::new());
        let empty = parse(&sarif(&Report::default(), &locate, "1.2.3"));
        assert_eq!(errors(&validator, &empty), Vec::<String>::new());
        let unlocated = parse(&sarif(&sample(), &|_: &str, _: &str| None, "0.0.0"));
        assert_eq!(errors(&validator, &unlocated), Vec::<String>::new());
    }

    #[test]
    fn schema_rejects_invalid_documents() {
        let validator = validator();
        let doc = parse(&sarif(&sample(), &locate, "1.2.3"));
        assert!(validator.is_valid(&doc));

        let mut bad_level = doc.clone();
        bad_level["runs"][0]["results"][0]["level"] = json!("fatal");
        assert!(!validator.is_valid(&bad_level), "level `fatal` accepted");

        let mut no_message = doc.clone();
        let result = no_message["runs"][0]["results"][0]
            .as_object_mut()
            .expect("a result is an object");
        result.remove("message");
        assert!(
            !validator.is_valid(&no_message),
            "result without message accepted"
        );

        let mut bad_line = doc.clone();
        bad_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
            json!(0);
        assert!(!validator.is_valid(&bad_line), "startLine 0 accepted");

        let mut bad_uri = doc.clone();
        bad_uri["runs"][0]["tool"]["driver"]["informationUri"] = json!("not a uri");
        assert!(
            !validator.is_valid(&bad_uri),
            "informationUri `not a uri` accepted"
        );

        let mut bad_version = doc;
        bad_version["version"] = json!("2.0.0");
        assert!(!validator.is_valid(&bad_version), "version 2.0.0 accepted");
    }

    #[test]
    fn levels_rules_and_rule_indices_agree() {
        let report = sample();
        let doc = parse(&sarif(&report, &locate, "1.2.3"));
        let run = &doc["runs"][0];
        let driver = &run["tool"]["driver"];
        assert_eq!(driver["name"], "vaultsim");
        assert_eq!(driver["version"], "1.2.3");

        let rules = driver["rules"].as_array().expect("rules");
        let ids: Vec<&str> = rules
            .iter()
            .map(|r| r["id"].as_str().expect("id"))
            .collect();
        assert_eq!(
            ids,
            [
                "VS-RETENTION",
                "VS-COVERAGE",
                "VS-COLD",
                "VS-SHARED-KEY",
                "VS-NO-PATH"
            ]
        );
        assert_eq!(rules[0]["name"], "VsRetention");
        // The first finding with an id describes its rule.
        assert_eq!(
            rules[0]["shortDescription"]["text"],
            "VS-RETENTION falls short"
        );
        assert_eq!(
            rules[0]["fullDescription"]["text"],
            "control of VS-RETENTION"
        );
        assert_eq!(
            rules[0]["help"]["text"],
            "Change what VS-RETENTION points at."
        );
        assert_eq!(rules[0]["defaultConfiguration"]["level"], "error");
        assert_eq!(rules[0]["properties"]["severity"], "critical");
        assert_eq!(rules[2]["defaultConfiguration"]["level"], "warning");
        assert_eq!(rules[3]["defaultConfiguration"]["level"], "note");

        let results = run["results"].as_array().expect("results");
        assert_eq!(results.len(), report.findings.len());
        for (result, finding) in results.iter().zip(&report.findings) {
            assert_eq!(result["ruleId"], finding.id);
            let index = result["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[index]["id"], finding.id);
            assert_eq!(result["level"], level(finding.severity));
            assert_eq!(result["properties"]["severity"], finding.severity.name());
        }
        let levels: Vec<&str> = results
            .iter()
            .map(|r| r["level"].as_str().expect("level"))
            .collect();
        assert_eq!(
            levels,
            ["error", "error", "warning", "note", "error", "warning"]
        );
    }

    #[test]
    fn results_carry_message_evidence_scope_and_properties() {
        let doc = parse(&sarif(&sample(), &locate, "1.2.3"));
        let result = &doc["runs"][0]["results"][0];
        assert_eq!(
            result["message"]["text"],
            "VS-RETENTION: the design keeps too little.\n\
             Evidence: retention: 30 days; required: 90 days\n\
             Scope: OU Production · data class Confidential"
        );
        let properties = &result["properties"];
        assert_eq!(properties["control"], "control of VS-RETENTION");
        assert_eq!(properties["fix"], "Change what VS-RETENTION points at.");
        assert_eq!(properties["scope"]["accounts"], 3);
        assert_eq!(properties["scope"]["resources"], 42);
        assert_eq!(properties["scope"]["ous"], json!(["Production"]));
        assert_eq!(
            properties["evidence"],
            json!([
                { "name": "retention", "value": "30 days" },
                { "name": "required", "value": "90 days" },
            ])
        );
        let fingerprint = result["partialFingerprints"][FINGERPRINT_KEY]
            .as_str()
            .expect("fingerprint");
        assert_eq!(fingerprint.len(), 64);
        assert!(fingerprint.chars().all(|c| c.is_ascii_hexdigit()));
        // Same id and file but another path: another fingerprint.
        let other = &doc["runs"][0]["results"][4]["partialFingerprints"][FINGERPRINT_KEY];
        assert_ne!(other.as_str(), Some(fingerprint));
    }

    #[test]
    fn locations_follow_file_path_and_locate() {
        let report = sample();
        let doc = parse(&sarif(&report, &locate, "1.2.3"));
        let results = doc["runs"][0]["results"].as_array().expect("results");
        let location = |i: usize| &results[i]["locations"][0];

        // Located: region with line and column.
        let physical = &location(0)["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], "policies/prod.json");
        assert_eq!(physical["region"]["startLine"], 7);
        let path = &report.findings[0].path;
        assert_eq!(physical["region"]["startColumn"], path.len() % 9 + 1);
        assert_eq!(
            location(0)["logicalLocations"][0]["fullyQualifiedName"],
            path.as_str()
        );

        // `locate` says None: a file but no region.
        let physical = &location(1)["physicalLocation"];
        assert_eq!(physical["artifactLocation"]["uri"], "scenario.toml");
        assert!(physical.get("region").is_none());

        // No file: no physical location, the scope as a logical location.
        assert!(location(2).get("physicalLocation").is_none());
        assert_eq!(
            location(2)["logicalLocations"],
            json!([{
                "name": "OU Production · data class Confidential",
                "fullyQualifiedName": "OU Production · data class Confidential",
                "kind": "resource",
            }])
        );

        // Several files: the first one.
        assert_eq!(
            location(3)["physicalLocation"]["artifactLocation"]["uri"],
            "policies/a.json"
        );

        // A file but no path: no region and no logical location.
        assert!(location(5)["physicalLocation"].get("region").is_none());
        assert!(location(5).get("logicalLocations").is_none());

        // Regions appear exactly where `locate` answers.
        for (result, finding) in results.iter().zip(&report.findings) {
            let region = result["locations"][0]["physicalLocation"].get("region");
            let file = first_file(finding);
            let expected = !file.is_empty() && !finding.path.is_empty();
            let expected = expected && locate(file, &finding.path).is_some();
            assert_eq!(region.is_some(), expected, "{}", finding.id);
        }
        let unlocated = parse(&sarif(&report, &|_: &str, _: &str| None, "1.2.3"));
        assert!(
            !serde_json::to_string(&unlocated)
                .expect("json")
                .contains("\"region\"")
        );
    }

    #[test]
    fn locate_is_asked_about_the_first_file_only() {
        let asked = std::cell::RefCell::new(Vec::new());
        let spy = |file: &str, path: &str| {
            asked
                .borrow_mut()
                .push((file.to_string(), path.to_string()));
            None
        };
        sarif(&sample(), &spy, "1.2.3");
        let asked = asked.into_inner();
        assert!(asked.contains(&("policies/a.json".to_string(), "plans.x.rules.y".to_string())));
        assert!(
            asked
                .iter()
                .all(|(file, path)| !file.is_empty() && !path.is_empty() && !file.contains(", "))
        );
    }

    #[test]
    fn output_is_deterministic_and_ends_with_a_newline() {
        let first = sarif(&sample(), &locate, "1.2.3");
        let second = sarif(&sample(), &locate, "1.2.3");
        assert_eq!(first, second);
        assert!(first.ends_with("}\n"));
        assert!(first.starts_with("{\n  \"$schema\""));
    }

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(uri_reference("policies/prod.json"), "policies/prod.json");
        assert_eq!(
            uri_reference("my policies\\a b.json"),
            "my%20policies/a%20b.json"
        );
        assert_eq!(uri_reference("/abs/ü.toml"), "/abs/%C3%BC.toml");
        assert_eq!(
            rule_name("VS-POLICY-LIFECYCLE-COLD-90"),
            "VsPolicyLifecycleCold90"
        );
    }
}
