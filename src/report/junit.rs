//! JUnit XML output of compliance control evaluations, for CI systems that show test
//! reports.
//!
//! One `<testsuite>` per framework (in order of first appearance) and one `<testcase>` per
//! control evaluated over one scope; a case fails when any resource in its scope is
//! non-compliant. Pure: a [`Report`] in, the document's text out.

use std::fmt::Write as _;

use crate::compliance::{ControlEvaluation, Report};
use crate::model::Finding;

/// Writes `report`'s control evaluations as a JUnit XML document named `suite_name`.
pub fn junit(report: &Report, suite_name: &str) -> String {
    let mut frameworks: Vec<(&str, Vec<&ControlEvaluation>)> = Vec::new();
    for control in &report.controls {
        match frameworks
            .iter_mut()
            .find(|(name, _)| *name == control.framework)
        {
            Some((_, controls)) => controls.push(control),
            None => frameworks.push((control.framework.as_str(), vec![control])),
        }
    }

    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let failures = report.controls.iter().filter(|c| fails(c)).count();
    let _ = writeln!(
        xml,
        "<testsuites name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">",
        attr(suite_name),
        report.controls.len(),
        failures
    );
    for (framework, controls) in &frameworks {
        let failures = controls.iter().filter(|c| fails(c)).count();
        let _ = writeln!(
            xml,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\">",
            attr(framework),
            controls.len(),
            failures
        );
        for control in controls {
            testcase(&mut xml, control, &report.findings);
        }
        xml.push_str("  </testsuite>\n");
    }
    xml.push_str("</testsuites>\n");
    xml
}

/// Whether an evaluation is a failed test case: some resource in its scope is non-compliant.
fn fails(control: &ControlEvaluation) -> bool {
    control.non_compliant > 0
}

/// Appends the `<testcase>` of one control evaluation.
fn testcase(xml: &mut String, control: &ControlEvaluation, all: &[Finding]) {
    let findings: Vec<&Finding> = control
        .findings
        .iter()
        .filter_map(|&i| all.get(i))
        .collect();
    let _ = write!(
        xml,
        "    <testcase classname=\"{}\" name=\"{}\"",
        attr(&control.framework),
        attr(&format!("{} · {}", control.control, control.scope))
    );
    let has_body = !control.parameters.is_empty() || fails(control) || !findings.is_empty();
    if !has_body {
        xml.push_str("/>\n");
        return;
    }
    xml.push_str(">\n");
    if !control.parameters.is_empty() {
        xml.push_str("      <properties>\n");
        for (name, value) in &control.parameters {
            let _ = writeln!(
                xml,
                "        <property name=\"{}\" value=\"{}\"/>",
                attr(name),
                attr(value)
            );
        }
        xml.push_str("      </properties>\n");
    }
    let details = details(control, &findings);
    if fails(control) {
        let kind = findings
            .iter()
            .map(|f| f.severity)
            .min()
            .map_or("non-compliant", |s| s.name());
        let _ = writeln!(
            xml,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            attr(&failure_message(control, &findings)),
            kind,
            text(&details)
        );
    } else if !findings.is_empty() {
        // Compliant, but with findings worth reading (e.g. informational ones).
        let _ = writeln!(xml, "      <system-out>{}</system-out>", text(&details));
    }
    xml.push_str("    </testcase>\n");
}

/// The failure's one-line summary: the counts and the most severe finding's title.
fn failure_message(control: &ControlEvaluation, findings: &[&Finding]) -> String {
    let mut message = format!(
        "{} non-compliant, {} compliant",
        control.non_compliant, control.compliant
    );
    if let Some(worst) = findings.iter().min_by_key(|f| f.severity) {
        let _ = write!(message, ": {}", worst.title);
        if findings.len() > 1 {
            let _ = write!(message, " (+{} more)", findings.len() - 1);
        }
    }
    message
}

/// The failure's text: the counts, then each finding with its evidence and fix.
fn details(control: &ControlEvaluation, findings: &[&Finding]) -> String {
    let mut out = format!(
        "Non-compliant: {}, compliant: {}\n",
        control.non_compliant, control.compliant
    );
    for finding in findings {
        let _ = write!(
            out,
            "\n[{}] {}: {}\n",
            finding.severity.name(),
            finding.id,
            finding.title
        );
        if !finding.evidence.is_empty() {
            let evidence: Vec<String> = finding
                .evidence
                .iter()
                .map(|e| format!("{}: {}", e.name, e.value))
                .collect();
            let _ = writeln!(out, "  Evidence: {}", evidence.join("; "));
        }
        if !finding.fix.is_empty() {
            let _ = writeln!(out, "  Fix: {}", finding.fix);
        }
    }
    out
}

/// Whether XML 1.0 allows `c` in a document at all (even escaped).
fn legal_in_xml(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        || c >= '\u{10000}'
}

/// Escapes `s` for element content: markup characters become references, `\r` is kept as
/// a reference (a parser would turn a literal one into `\n`), illegal characters are dropped.
pub(super) fn text(s: &str) -> String {
    escape(s, false)
}

/// Escapes `s` for a double-quoted attribute value: as [`text`], and tabs and line breaks
/// become references too, so that attribute normalisation keeps them.
fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars().filter(|&c| legal_in_xml(c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Evidence, Scope, Severity};

    fn finding(id: &'static str, severity: Severity, title: &str) -> Finding {
        Finding {
            id,
            severity,
            title: title.to_string(),
            control: "BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK".to_string(),
            file: "scenario.toml".to_string(),
            path: "ous.Production".to_string(),
            scope: Scope {
                label: "OU Production".to_string(),
                ..Scope::default()
            },
            evidence: vec![Evidence::new("retention", "30 days")],
            message: "too short".to_string(),
            fix: "Keep backups 35 days.".to_string(),
        }
    }

    fn control(
        framework: &str,
        name: &str,
        scope: &str,
        non_compliant: usize,
        findings: Vec<usize>,
    ) -> ControlEvaluation {
        ControlEvaluation {
            framework: framework.to_string(),
            control: name.to_string(),
            scope: scope.to_string(),
            parameters: vec![("requiredRetentionDays".to_string(), "35".to_string())],
            compliant: 10,
            non_compliant,
            findings,
        }
    }

    fn sample() -> Report {
        Report {
            findings: vec![
                finding("VS-A", Severity::Critical, "Retention <&>\"' too short"),
                finding("VS-B", Severity::Medium, "Cold storage too early"),
                finding("VS-C", Severity::Low, "Informational"),
            ],
            controls: vec![
                control("HIPAA", "RETENTION", "OU Production", 3, vec![1, 0]),
                control("vaultsim-design", "VS-COLD", "OU Dev", 0, vec![2]),
                control("HIPAA", "RETENTION", "OU Dev", 0, vec![]),
                control("HIPAA", "FREQUENCY", "OU Production", 2, vec![]),
            ],
            resources: Vec::new(),
        }
    }

    fn count(node: roxmltree::Node, name: &str) -> usize {
        node.attribute(name)
            .expect("count attribute")
            .parse()
            .expect("a number")
    }

    #[test]
    fn one_testcase_per_control_evaluation_grouped_by_framework() {
        let report = sample();
        let xml = junit(&report, "vaultsim compliance");
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(root.attribute("name"), Some("vaultsim compliance"));
        assert_eq!(count(root, "tests"), 4);
        assert_eq!(count(root, "failures"), 2);

        let suites: Vec<_> = root
            .children()
            .filter(|n| n.has_tag_name("testsuite"))
            .collect();
        let names: Vec<_> = suites.iter().map(|s| s.attribute("name")).collect();
        assert_eq!(names, [Some("HIPAA"), Some("vaultsim-design")]);
        assert_eq!(
            (count(suites[0], "tests"), count(suites[0], "failures")),
            (3, 2)
        );
        assert_eq!(
            (count(suites[1], "tests"), count(suites[1], "failures")),
            (1, 0)
        );

        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), report.controls.len());
        let mut labels: Vec<(String, String)> = cases
            .iter()
            .map(|c| {
                let attr = |name| c.attribute(name).expect("attribute").to_string();
                (attr("classname"), attr("name"))
            })
            .collect();
        let mut expected: Vec<(String, String)> = report
            .controls
            .iter()
            .map(|c| (c.framework.clone(), format!("{} · {}", c.control, c.scope)))
            .collect();
        labels.sort();
        expected.sort();
        assert_eq!(labels, expected);

        let failed: Vec<_> = cases
            .iter()
            .filter(|c| c.children().any(|n| n.has_tag_name("failure")))
            .map(|c| c.attribute("name").expect("name"))
            .collect();
        assert_eq!(
            failed,
            ["RETENTION · OU Production", "FREQUENCY · OU Production"]
        );
        let failures = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .count();
        assert_eq!(failures, count(root, "failures"));
    }

    #[test]
    fn failures_list_findings_and_take_the_worst_severity() {
        let xml = junit(&sample(), "suite");
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let failures: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .collect();

        let with_findings = failures[0];
        assert_eq!(with_findings.attribute("type"), Some("critical"));
        assert_eq!(
            with_findings.attribute("message"),
            Some("3 non-compliant, 10 compliant: Retention <&>\"' too short (+1 more)")
        );
        let text = with_findings.text().expect("failure text");
        assert!(text.starts_with("Non-compliant: 3, compliant: 10\n"));
        for part in [
            "[medium] VS-B: Cold storage too early",
            "[critical] VS-A: Retention <&>\"' too short",
            "Evidence: retention: 30 days",
            "Fix: Keep backups 35 days.",
        ] {
            assert!(text.contains(part), "missing {part:?} in {text:?}");
        }

        let without_findings = failures[1];
        assert_eq!(without_findings.attribute("type"), Some("non-compliant"));
        assert_eq!(
            without_findings.attribute("message"),
            Some("2 non-compliant, 10 compliant")
        );

        // Parameters as properties; a compliant case with findings reports them as output.
        let properties: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("property"))
            .map(|p| (p.attribute("name"), p.attribute("value")))
            .collect();
        assert_eq!(properties.len(), 4);
        assert!(
            properties
                .iter()
                .all(|&p| p == (Some("requiredRetentionDays"), Some("35")))
        );
        let out = doc
            .descendants()
            .find(|n| n.has_tag_name("system-out"))
            .and_then(|n| n.text())
            .expect("system-out");
        assert!(out.contains("[low] VS-C: Informational"));
    }

    #[test]
    fn markup_and_illegal_characters_are_escaped_or_dropped() {
        let mut report = sample();
        report.controls[0].framework = "A&B <\"framework\"> 'x'".to_string();
        report.controls[0].scope = "OU\tProd\nline\r2".to_string();
        report.findings[0].fix = "no \u{1}control\u{1b} chars\u{FFFE} ]]> here".to_string();
        let xml = junit(&report, "suite <&>\"'");
        assert!(!xml.contains('\u{1}') && !xml.contains('\u{1b}') && !xml.contains('\u{FFFE}'));
        assert!(xml.contains("Retention &lt;&amp;&gt;&quot;&apos; too short"));

        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        assert_eq!(doc.root_element().attribute("name"), Some("suite <&>\"'"));
        let case = doc
            .descendants()
            .find(|n| n.has_tag_name("testcase"))
            .expect("a testcase");
        assert_eq!(case.attribute("classname"), Some("A&B <\"framework\"> 'x'"));
        assert_eq!(
            case.attribute("name"),
            Some("RETENTION · OU\tProd\nline\r2")
        );
        let failure = case
            .children()
            .find(|n| n.has_tag_name("failure"))
            .expect("a failure");
        let text = failure.text().expect("failure text");
        assert!(text.contains("Retention <&>\"' too short"));
        assert!(text.contains("Fix: no control chars ]]> here"));
    }

    #[test]
    fn report_without_controls_is_a_well_formed_empty_document() {
        let xml = junit(&Report::default(), "empty");
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "testsuites");
        assert_eq!(count(root, "tests"), 0);
        assert_eq!(count(root, "failures"), 0);
        assert_eq!(root.children().filter(|n| n.is_element()).count(), 0);
    }

    #[test]
    fn out_of_range_finding_indices_are_ignored() {
        let mut report = sample();
        report.controls[3].findings = vec![99];
        let xml = junit(&report, "suite");
        let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
        let types: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("failure"))
            .map(|n| n.attribute("type"))
            .collect();
        assert_eq!(types, [Some("critical"), Some("non-compliant")]);
    }
}
