//! Errors in backup policy files. Each names the file, the line and column where known,
//! and the JSON path, in the shape of scenario errors (`scenario::error`):
//!
//! ```text
//! error: policies/prod.json:14:36: plans.Prod.rules.Daily.lifecycle.delete_after_days
//!   `@@append` works only on lists, but `delete_after_days` holds a single value
//!   help: use `@@assign` to set it
//! ```
//!
//! Talks to: `document` (which raises them) and the CLI / scenario loader (which print
//! them). Pure data.

use std::fmt;
use std::path::{Path, PathBuf};

use super::json::Position;

/// One problem in a policy file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    file: PathBuf,
    position: Option<Position>,
    path: String,
    message: String,
    help: Option<String>,
}

impl PolicyError {
    pub(crate) fn new(
        file: &Path,
        position: Option<Position>,
        path: impl Into<String>,
        message: impl Into<String>,
    ) -> PolicyError {
        PolicyError {
            file: file.to_path_buf(),
            position,
            path: path.into(),
            message: message.into(),
            help: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> PolicyError {
        self.help = Some(help.into());
        self
    }

    /// The policy file.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// 1-based line, when known.
    pub fn line(&self) -> Option<usize> {
        self.position.map(|p| p.line)
    }

    /// 1-based column (in characters), when known.
    pub fn column(&self) -> Option<usize> {
        self.position.map(|p| p.column)
    }

    /// The JSON path, e.g. `plans.Prod.rules.Daily.lifecycle.delete_after_days`; empty for
    /// problems with the whole file.
    pub fn json_path(&self) -> &str {
        &self.path
    }

    /// What is wrong and what would be valid.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Why AWS refuses it, or how to fix it.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }
}

/// `FILE:LINE:COL: JSON.PATH\n  message\n  help: ...`
impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::diagnostic::write_problem(
            f,
            &self.file,
            self.position.map(|p| p.line),
            self.position.map(|p| p.column),
            &self.path,
            &self.message,
            self.help.as_deref(),
        )
    }
}

impl std::error::Error for PolicyError {}

/// Every problem found in one or more policy files, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyErrors(pub Vec<PolicyError>);

impl PolicyErrors {
    /// The problems, in file order.
    pub fn iter(&self) -> std::slice::Iter<'_, PolicyError> {
        self.0.iter()
    }
}

impl<'a> IntoIterator for &'a PolicyErrors {
    type Item = &'a PolicyError;
    type IntoIter = std::slice::Iter<'a, PolicyError>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// One `error: ...` block per problem, then a count when there are several.
impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::diagnostic::write_errors(f, &self.0, "backup policies")
    }
}

impl std::error::Error for PolicyErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_like_scenario_errors() {
        let e = PolicyError::new(
            Path::new("p.json"),
            Some(Position { line: 3, column: 7 }),
            "plans.P.regions",
            "expected a list of strings",
        )
        .with_help("write [\"us-east-1\"]");
        assert_eq!(
            e.to_string(),
            "p.json:3:7: plans.P.regions\n  expected a list of strings\n  help: write [\"us-east-1\"]"
        );
        let whole = PolicyError::new(Path::new("p.json"), None, "", "cannot read");
        assert_eq!(whole.to_string(), "p.json: cannot read");
        let all = PolicyErrors(vec![e, whole]);
        assert!(all.to_string().starts_with("error: p.json:3:7: "));
        assert!(
            all.to_string()
                .ends_with("\nerror: p.json: cannot read\n2 errors in backup policies")
        );
    }
}
