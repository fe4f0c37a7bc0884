//! Reading a scenario file: TOML text → `RawScenario` plus a map from field paths to
//! source positions, so that problems found later (in `resolve`) can still name the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};

use super::error::{Problem, ScenarioError, ScenarioErrors};
use super::raw::RawScenario;

/// Upper bound on a scenario file's size; larger files are rejected unread.
const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A scenario as the user wrote it, with where each field stands in the file.
#[derive(Debug)]
pub struct Scenario {
    pub file: PathBuf,
    /// The file's bytes (hashed into the run manifest).
    pub text: String,
    pub raw: RawScenario,
    pub spans: SpanIndex,
    /// `--set` changes to rules of plans written in backup policies (applied at
    /// resolution; changes to the scenario file itself are already in `text`).
    pub rule_overrides: Vec<super::overrides::RuleOverride>,
}

impl Scenario {
    /// SHA-256 of the file's bytes, lower-case hex: the scenario's identity in run
    /// manifests, partials and comparisons.
    pub fn sha256(&self) -> String {
        sha256_hex(self.text.as_bytes())
    }
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Field path → (line, column) of its value, 1-based.
#[derive(Debug, Default, Clone)]
pub struct SpanIndex {
    positions: BTreeMap<String, (usize, usize)>,
}

impl SpanIndex {
    /// Where the value at `path` starts; for a path that is absent (a missing field),
    /// the position of its nearest present ancestor.
    pub fn locate(&self, path: &str) -> Option<(usize, usize)> {
        let mut p = path;
        loop {
            if let Some(pos) = self.positions.get(p) {
                return Some(*pos);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }

    /// Turns a resolve-time problem into a located error.
    pub fn error(&self, file: &Path, problem: Problem) -> ScenarioError {
        if let Some(location) = problem.location {
            return ScenarioError {
                file: location.file,
                line: location.line,
                column: location.column,
                path: problem.path,
                message: problem.message,
                help: problem.help,
            };
        }
        let position = self.locate(&problem.path);
        ScenarioError {
            file: file.to_path_buf(),
            line: position.map(|p| p.0),
            column: position.map(|p| p.1),
            path: problem.path,
            message: problem.message,
            help: problem.help,
        }
    }
}

/// Reads and parses a scenario file. Errors name the file, line, column and field.
pub fn load(file: &Path) -> Result<Scenario, ScenarioErrors> {
    parse(file, read_text(file, "scenario file")?)
}

/// Parses scenario text that came from `file` (used directly by tests).
pub fn parse(file: &Path, text: String) -> Result<Scenario, ScenarioErrors> {
    let (raw, spans) = parse_toml::<RawScenario>(file, &text)?;
    Ok(Scenario {
        file: file.to_path_buf(),
        text,
        raw,
        spans,
        rule_overrides: Vec::new(),
    })
}

/// Reads a scenario file with `--set` changes applied (`overrides`). Errors name the file
/// and, for a path that names nothing, the `--set` and the nearest valid path.
pub fn load_with(
    file: &Path,
    settings: &[super::overrides::Setting],
) -> Result<Scenario, ScenarioErrors> {
    let text = read_text(file, "scenario file")?;
    let (edited, rule_overrides) = super::overrides::apply(file, &text, settings)?;
    let mut scenario = parse(file, edited)?;
    scenario.rule_overrides = rule_overrides;
    Ok(scenario)
}

/// Reads a TOML data file of at most 16 MiB (a scenario, a price catalog). Errors name
/// the file.
pub fn read_text(file: &Path, what: &str) -> Result<String, ScenarioErrors> {
    let single = |message: String| {
        ScenarioErrors(vec![ScenarioError {
            file: file.to_path_buf(),
            line: None,
            column: None,
            path: String::new(),
            message,
            help: None,
        }])
    };
    let metadata =
        std::fs::metadata(file).map_err(|e| single(format!("cannot read the {what}: {e}")))?;
    if metadata.len() > MAX_FILE_BYTES {
        return Err(single(format!(
            "the file is {} bytes; {what}s are limited to {MAX_FILE_BYTES} bytes",
            metadata.len()
        )));
    }
    std::fs::read_to_string(file).map_err(|e| single(format!("cannot read the {what}: {e}")))
}

/// Parses TOML `text` from `file` into `T` (whose serde types reject unknown fields),
/// with the position of every field for later, located, errors.
pub fn parse_toml<T: serde::de::DeserializeOwned>(
    file: &Path,
    text: &str,
) -> Result<(T, SpanIndex), ScenarioErrors> {
    let located = |span: Option<std::ops::Range<usize>>, path: String, message: String| {
        let (line, column) = match span {
            Some(s) => {
                let (l, c) = line_column(text, s.start);
                (Some(l), Some(c))
            }
            None => (None, None),
        };
        ScenarioErrors(vec![ScenarioError {
            file: file.to_path_buf(),
            line,
            column,
            path,
            message,
            help: None,
        }])
    };
    let table = DeTable::parse(text)
        .map_err(|e| located(e.span(), String::new(), clean_message(e.message())))?;
    let mut spans = SpanIndex::default();
    index_table(text, table.get_ref(), "", &mut spans.positions);
    let deserializer = toml::de::Deserializer::from(table);
    let value: T = serde_path_to_error::deserialize(deserializer).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let path = if path == "." { String::new() } else { path };
        // toml reports the span of the offending token; fall back to the path's position.
        let mut err = located(inner.span(), path.clone(), clean_message(inner.message()));
        if err.0[0].line.is_none()
            && let Some((l, c)) = spans.locate(&path)
        {
            err.0[0].line = Some(l);
            err.0[0].column = Some(c);
        }
        err
    })?;
    Ok((value, spans))
}

/// serde's messages for untagged enums say nothing useful; name what is accepted.
fn clean_message(message: &str) -> String {
    let message = message.trim();
    if message.contains("did not match any variant of untagged enum RawTagValue") {
        return "a tag value must be a string, or a table of value = weight (e.g. { Tier1 = 0.2, Tier2 = 0.8 })".to_string();
    }
    // Name types the way the documentation does, not as Rust types.
    let mut out = message.to_string();
    for (rust, plain) in [
        ("expected i64", "expected an integer"),
        ("expected u64", "expected a non-negative integer"),
        ("expected f64", "expected a number"),
        ("expected a boolean", "expected true or false"),
    ] {
        out = out.replace(rust, plain);
    }
    out
}

fn index_table(
    text: &str,
    table: &DeTable<'_>,
    prefix: &str,
    out: &mut BTreeMap<String, (usize, usize)>,
) {
    for (key, value) in table.iter() {
        let path = join(prefix, key.get_ref());
        out.insert(path.clone(), line_column(text, value.span().start));
        index_value(text, value.get_ref(), &path, out);
    }
}

fn index_value(
    text: &str,
    value: &DeValue<'_>,
    path: &str,
    out: &mut BTreeMap<String, (usize, usize)>,
) {
    match value {
        DeValue::Table(t) => index_table(text, t, path, out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let p = format!("{path}[{i}]");
                out.insert(p.clone(), line_column(text, item.span().start));
                index_value(text, item.get_ref(), &p, out);
            }
        }
        _ => {}
    }
}

/// Joins a key onto a dotted path the way serde_path_to_error prints paths.
pub fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_are_one_based() {
        let text = "a = 1\nbc = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        assert_eq!(line_column(text, 11), (2, 6));
    }

    #[test]
    fn locate_falls_back_to_ancestor() {
        let mut spans = SpanIndex::default();
        spans.positions.insert("plans.P".into(), (3, 1));
        spans.positions.insert("plans.P.rules.R".into(), (5, 1));
        assert_eq!(spans.locate("plans.P.rules.R.lifecycle"), Some((5, 1)));
        assert_eq!(spans.locate("plans.P.regions[0]"), Some((3, 1)));
        assert_eq!(spans.locate("other"), None);
    }
}
