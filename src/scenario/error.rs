//! Errors in scenario files: every one names the file, line, column and field path.

use std::fmt;
use std::path::PathBuf;

/// One problem in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// Dotted field path, e.g. `plans.Prod.rules.Daily.lifecycle.delete_after_days`.
    pub path: String,
    /// What is wrong and what would be valid.
    pub message: String,
    /// Why AWS (or vaultsim) refuses it, or how to fix it.
    pub help: Option<String>,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::diagnostic::write_problem(
            f,
            &self.file,
            self.line,
            self.column,
            &self.path,
            &self.message,
            self.help.as_deref(),
        )
    }
}

/// Every problem found in a scenario, in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioErrors(pub Vec<ScenarioError>);

impl fmt::Display for ScenarioErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::diagnostic::write_errors(f, &self.0, "the scenario")
    }
}

impl std::error::Error for ScenarioErrors {}

/// A problem found while resolving, before its location in the file is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
    pub help: Option<String>,
    /// Stable id when the problem is one of AWS Backup's own rules; a backup policy that
    /// breaks such a rule is accepted by Organizations and refused by AWS Backup, so it
    /// becomes a finding instead of an error.
    pub aws_rule: Option<&'static str>,
    /// Where the problem is when it is not in the scenario file itself (a policy file).
    pub location: Option<Location>,
}

/// A position in a file other than the scenario.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
            help: None,
            aws_rule: None,
            location: None,
        }
    }

    /// Places the problem in another file (its path is then a path inside that file).
    pub fn at(mut self, location: Location) -> Problem {
        self.location = Some(location);
        self
    }

    /// Marks the problem as a breach of AWS Backup rule `id`.
    pub fn aws_rule(mut self, id: &'static str) -> Problem {
        self.aws_rule = Some(id);
        self
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Problem {
        self.help = Some(help.into());
        self
    }
}
