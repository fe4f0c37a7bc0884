//! AWS Organizations backup policies (policy type `BACKUP_POLICY`): parsing the JSON
//! documents as written (operators, positions), inheritance from the root through the OUs
//! to an account, and the effective policy with operators removed. The rules followed and
//! their sources are in aws-backup-facts §1; what vaultsim decides where AWS documents
//! nothing is in docs/policies.md.
//!
//! - `json`: JSON text → positioned tree; duplicate keys refused.
//! - `schema`: the policy syntax as data (keys, case rules, what each setting holds).
//! - `document`: positioned tree + schema → [`PolicyDocument`], or every problem at once.
//! - `operator`: `@@assign`/`@@append`/`@@remove` and child-control lists.
//! - `inherit`: levels of documents → [`Effective`] policy and [`InheritanceNote`]s.
//! - `substitute`: `$account` / `$region` in ARN-valued elements.
//!
//! Everything here is pure except [`read_policy_file`] (and [`load_policy`], which calls
//! it), which reads one file. Callers: the CLI (`vaultsim policy effective`) and the
//! scenario loader.

mod document;
mod error;
mod inherit;
mod json;
mod operator;
mod schema;
mod substitute;

#[cfg(test)]
mod tests;

use std::path::Path;

pub use document::{
    ChildControl, Container, Entry, Operation, PolicyDocument, PolicyNode, Setting, parse_policy,
};
pub use error::{PolicyError, PolicyErrors};
pub use inherit::{
    Change, ControlSource, Effective, InheritanceNote, NoteReason, Origin, effective_policy,
};
pub use json::Position;
pub use operator::{Allowed, CHILD_CONTROL, Operator};
pub use schema::{SettingKind, boolean_setting, integer_setting};
pub use substitute::substitute;

/// AWS Organizations' limit on a backup policy document, in characters (facts §1.6).
/// Parsing does not enforce it; exceeding it is a finding.
pub const MAX_POLICY_CHARACTERS: usize = 10_000;

/// Largest policy file vaultsim reads (a hundred times AWS's limit); larger files are
/// refused unread.
pub const MAX_POLICY_FILE_BYTES: u64 = 1024 * 1024;

/// Reads and parses one policy file.
pub fn load_policy(file: &Path) -> Result<PolicyDocument, PolicyErrors> {
    parse_policy(file, &read_policy_file(file)?)
}

/// Reads one policy file's text, refusing files over `MAX_POLICY_FILE_BYTES` unread. The
/// only function here that does I/O.
pub fn read_policy_file(file: &Path) -> Result<String, PolicyErrors> {
    let fail = |message: String| PolicyErrors(vec![PolicyError::new(file, None, "", message)]);
    let size = std::fs::metadata(file)
        .map_err(|e| fail(format!("cannot read the policy file: {e}")))?
        .len();
    if size > MAX_POLICY_FILE_BYTES {
        return Err(fail(format!(
            "the policy file has {size} bytes; vaultsim reads policy files up to \
             {MAX_POLICY_FILE_BYTES} bytes (AWS accepts {MAX_POLICY_CHARACTERS} characters)"
        )));
    }
    std::fs::read_to_string(file).map_err(|e| fail(format!("cannot read the policy file: {e}")))
}
