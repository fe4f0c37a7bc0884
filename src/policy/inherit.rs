//! Policy inheritance: the policies attached at each level (root → OU → … → account), in
//! attach order, merged into one account's effective policy with the operators removed.
//!
//! The rules, from the Organizations "Inheritance operators" page and the 2021 inheritance
//! page for management policy types (aws-backup-facts §1.5):
//!
//! - `@@assign` overwrites: a scalar is replaced, a list is replaced whole; an absent
//!   setting is created. `@@append` adds values to a list (creating it if absent);
//!   `@@remove` removes the listed values from an inherited list.
//! - `@@operators_allowed_for_child_policies` limits which value-setting operators policies
//!   at *lower* levels may use on the node where it is written and everything below it. A
//!   child cannot reverse it: lists set along the path, by any policies above, intersect.
//!   A disallowed change is not applied (the docs say children "can't"); every such change
//!   is recorded as an [`InheritanceNote`] naming the list that forbade it.
//! - Several policies attached to the same node: their child-control lists intersect (tag
//!   example 5), and for conflicting values the policy attached first wins (tag example 6).
//!
//! Where AWS documents nothing, vaultsim decides (docs/policies.md explains each):
//!
//! - *Adding* a setting that is not inherited counts as `@@append` to its parent: it is
//!   allowed where `@@append` is allowed (or where the operator used is allowed). This is
//!   what lets `@@append` at the `plans` level admit new plans while a plan-level `@@none`
//!   locks an inherited plan (backup policy example 4).
//! - `@@append` adds only values not already in the list (regions, tag values and
//!   resource types are sets); `@@assign` keeps its list as written.
//! - At one level, a later-attached policy may still `@@append` to a setting an earlier one
//!   set, but its `@@assign` or `@@remove` on that setting is a conflict and is not applied.
//! - Rule, selection and tag-identifier names merge case-insensitively and are shown in
//!   lower case, as in every effective policy AWS documents; plan names and copy-action
//!   ARN keys keep their case.
//!
//! Talks to: `document` (its input). Pure: no I/O.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::document::{ChildControl, Container, Operation, PolicyDocument, PolicyNode, Setting};
use super::json::{Position, child_path};
use super::operator::{Allowed, CHILD_CONTROL, Operator};

/// An account's effective policy and how it came about.
#[derive(Debug, Clone, PartialEq)]
pub struct Effective {
    /// The merged policy with operators removed: plain JSON, keys in sorted order, always
    /// with a top-level `plans` object. Values are as the deciding policy wrote them
    /// (`"60"` stays a string); `$account` is not substituted (see `substitute`).
    pub policy: Value,
    /// Changes that were not applied, in evaluation order.
    pub notes: Vec<InheritanceNote>,
    /// For each setting in `policy`, keyed by its JSON path in `policy` (names in their
    /// effective spelling), the policy that last set it.
    pub origins: BTreeMap<String, Origin>,
}

/// Where a value of the effective policy was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: PathBuf,
    /// Index of the level in the input (0 = root).
    pub level: usize,
    /// Position of the operator that set it.
    pub position: Position,
    /// JSON path as written in that file.
    pub path: String,
}

/// A child-control list and the policy that set it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlSource {
    pub file: PathBuf,
    /// Index of the level in the input (0 = root).
    pub level: usize,
    /// Position of the `@@operators_allowed_for_child_policies` list.
    pub position: Position,
    /// JSON path of the node it was written on, as written in that file.
    pub path: String,
    pub allowed: Allowed,
}

/// The change a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A value-setting operator.
    Operator(Operator),
    /// An `@@operators_allowed_for_child_policies` list.
    ChildControl(Allowed),
}

/// Why a change was not applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NoteReason {
    /// A list set at a higher level does not allow this operator here.
    Restricted { by: ControlSource },
    /// A policy attached earlier to the same node already set this value.
    FirstAttachedWins { first: PathBuf },
    /// A child-control list that allows more than a higher level does: the narrower list
    /// stays in force.
    CannotWiden { by: ControlSource },
}

/// A change in a policy that inheritance did not apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InheritanceNote {
    /// The policy whose change was not applied.
    pub file: PathBuf,
    /// Index of its level in the input (0 = root).
    pub level: usize,
    /// Position of the operator (or child-control list) in that file.
    pub position: Position,
    /// JSON path as written in that file.
    pub path: String,
    pub change: Change,
    pub reason: NoteReason,
}

/// `FILE:LINE:COL: JSON.PATH\n  what was not applied and why` (levels counted from 1 =
/// root, as the `--level` options are given).
impl fmt::Display for InheritanceNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}\n  ",
            self.file.display(),
            self.position.line,
            self.position.column,
            self.path
        )?;
        match (&self.change, &self.reason) {
            (Change::Operator(op), NoteReason::Restricted { by }) => {
                let allowed = if by.allowed == Allowed::NONE {
                    "no operator ([\"@@none\"])".to_string()
                } else {
                    format!("only {}", by.allowed)
                };
                write!(
                    f,
                    "`{op}` not applied: {} allows child policies {allowed} from `{}` down",
                    source(by),
                    by.path
                )
            }
            (Change::Operator(op), NoteReason::FirstAttachedWins { first }) => write!(
                f,
                "`{op}` not applied: {}, attached earlier to the same node, already set it \
                 (the policy attached first wins)",
                first.display()
            ),
            (Change::ChildControl(allowed), NoteReason::CannotWiden { by }) => write!(
                f,
                "`{CHILD_CONTROL}: {allowed}` cannot widen what {} allows from `{}` down ({}); \
                 the narrower list stays",
                source(by),
                by.path,
                by.allowed
            ),
            (change, reason) => write!(f, "{change:?} not applied: {reason:?}"),
        }
    }
}

fn source(by: &ControlSource) -> String {
    format!(
        "{}:{}:{} (level {})",
        by.file.display(),
        by.position.line,
        by.position.column,
        by.level + 1
    )
}

/// Evaluates the policies of `levels` (root first, the account's own last; within a level,
/// in attach order) into the effective policy. Pure and deterministic.
pub fn effective_policy(levels: &[Vec<&PolicyDocument>]) -> Effective {
    let mut root = Tree::map();
    let mut notes = Vec::new();
    for (level, documents) in levels.iter().enumerate() {
        for document in documents {
            let mut eval = Evaluation {
                file: document.file(),
                level,
                notes: &mut notes,
                inherited: Vec::new(),
            };
            eval.container(&mut root, document.root(), "");
        }
    }
    let mut origins = BTreeMap::new();
    let mut policy = output(&root, "", &mut origins).unwrap_or_else(|| Value::Object(Map::new()));
    if let Value::Object(map) = &mut policy {
        map.entry("plans")
            .or_insert_with(|| Value::Object(Map::new()));
    }
    Effective {
        policy,
        notes,
        origins,
    }
}

/// The merged tree while policies are applied.
#[derive(Debug)]
struct Tree {
    /// Child-control lists written on this node, by any level.
    controls: Vec<ControlSource>,
    body: Body,
}

#[derive(Debug)]
enum Body {
    /// Keyed by merge key (lower case for case-insensitive names), which is also the
    /// spelling shown in the effective policy.
    Map(BTreeMap<String, Tree>),
    Setting(Slot),
}

#[derive(Debug, Default)]
struct Slot {
    value: Option<Value>,
    origin: Option<Origin>,
    /// The first change applied at the level being evaluated.
    touched: Option<Touch>,
}

#[derive(Debug)]
struct Touch {
    level: usize,
    file: PathBuf,
    /// Whether the value existed before this level.
    present_before: bool,
}

impl Tree {
    fn map() -> Tree {
        Tree {
            controls: Vec::new(),
            body: Body::Map(BTreeMap::new()),
        }
    }

    fn for_node(node: &PolicyNode) -> Tree {
        match node {
            PolicyNode::Container(_) => Tree::map(),
            PolicyNode::Setting(_) => Tree {
                controls: Vec::new(),
                body: Body::Setting(Slot::default()),
            },
        }
    }
}

/// Applying one policy document.
struct Evaluation<'a> {
    file: &'a Path,
    level: usize,
    notes: &'a mut Vec<InheritanceNote>,
    /// Child-control lists from higher levels on the path from the root to here.
    inherited: Vec<ControlSource>,
}

impl Evaluation<'_> {
    /// Makes the lists on `node` set by higher levels apply below; returns the mark to
    /// restore on the way out.
    fn enter(&mut self, node: &Tree) -> usize {
        let mark = self.inherited.len();
        let level = self.level;
        self.inherited
            .extend(node.controls.iter().filter(|c| c.level < level).cloned());
        mark
    }

    /// The first higher-level list, walking down from the root, at which the allowance
    /// (the intersection so far) no longer satisfies `permitted`.
    fn blocker(&self, permitted: impl Fn(Allowed) -> bool) -> Option<ControlSource> {
        let mut allowed = Allowed::ALL;
        for source in &self.inherited {
            allowed = allowed.intersect(source.allowed);
            if !permitted(allowed) {
                return Some(source.clone());
            }
        }
        None
    }

    fn note(&mut self, position: Position, path: &str, change: Change, reason: NoteReason) {
        self.notes.push(InheritanceNote {
            file: self.file.to_path_buf(),
            level: self.level,
            position,
            path: path.to_string(),
            change,
            reason,
        });
    }

    /// Records a child-control list; it binds lower levels only. A list that allows more
    /// than the higher levels do is kept (intersection makes it harmless) and noted.
    fn restrict(&mut self, node: &mut Tree, control: Option<&ChildControl>, path: &str) {
        let Some(control) = control else { return };
        if let Some(by) = self.blocker(|allowed| control.allowed.is_subset_of(allowed)) {
            self.note(
                control.position,
                path,
                Change::ChildControl(control.allowed),
                NoteReason::CannotWiden { by },
            );
        }
        node.controls.push(ControlSource {
            file: self.file.to_path_buf(),
            level: self.level,
            position: control.position,
            path: path.to_string(),
            allowed: control.allowed,
        });
    }

    fn container(&mut self, node: &mut Tree, container: &Container, path: &str) {
        let mark = self.enter(node);
        self.restrict(node, container.child_control.as_ref(), path);
        let Body::Map(children) = &mut node.body else {
            unreachable!("the schema gives every key one shape")
        };
        for entry in &container.entries {
            let child = children
                .entry(entry.merge_key.clone())
                .or_insert_with(|| Tree::for_node(&entry.node));
            let entry_path = child_path(path, &entry.key);
            match &entry.node {
                PolicyNode::Container(c) => self.container(child, c, &entry_path),
                PolicyNode::Setting(s) => self.setting(child, s, &entry_path),
            }
        }
        self.inherited.truncate(mark);
    }

    fn setting(&mut self, node: &mut Tree, setting: &Setting, path: &str) {
        let mark = self.enter(node);
        self.restrict(node, setting.child_control.as_ref(), path);
        if let Some(operation) = &setting.operation {
            self.apply(node, operation, path);
        }
        self.inherited.truncate(mark);
    }

    fn apply(&mut self, node: &mut Tree, operation: &Operation, path: &str) {
        let Body::Setting(slot) = &mut node.body else {
            unreachable!("the schema gives every key one shape")
        };
        let level = self.level;
        let operator = operation.operator;
        let this_level = slot.touched.as_ref().filter(|t| t.level == level);
        let present_before = this_level.map_or(slot.value.is_some(), |t| t.present_before);
        // Adding a setting nobody above set counts as appending to its parent.
        let adds = !present_before && operator != Operator::Remove;
        let permitted =
            |allowed: Allowed| allowed.allows(operator) || adds && allowed.allows(Operator::Append);
        if let Some(by) = self.blocker(permitted) {
            self.note(
                operation.position,
                path,
                Change::Operator(operator),
                NoteReason::Restricted { by },
            );
            return;
        }
        if let Some(first) = this_level.filter(|_| operator != Operator::Append) {
            let first = first.file.clone();
            self.note(
                operation.position,
                path,
                Change::Operator(operator),
                NoteReason::FirstAttachedWins { first },
            );
            return;
        }
        let value = match operator {
            Operator::Assign => operation.value.clone(),
            Operator::Append => {
                let mut list = as_list(slot.value.as_ref());
                for v in as_list(Some(&operation.value)) {
                    if !list.contains(&v) {
                        list.push(v);
                    }
                }
                Value::Array(list)
            }
            Operator::Remove => {
                let Some(current) = &slot.value else {
                    return; // nothing inherited: nothing to remove
                };
                let remove = as_list(Some(&operation.value));
                Value::Array(
                    as_list(Some(current))
                        .into_iter()
                        .filter(|v| !remove.contains(v))
                        .collect(),
                )
            }
        };
        slot.value = Some(value);
        slot.origin = Some(Origin {
            file: self.file.to_path_buf(),
            level,
            position: operation.position,
            path: path.to_string(),
        });
        if slot.touched.as_ref().is_none_or(|t| t.level != level) {
            slot.touched = Some(Touch {
                level,
                file: self.file.to_path_buf(),
                present_before,
            });
        }
    }
}

/// A list setting's values; a single string (`tag_value` may be one) is a one-item list.
fn as_list(value: Option<&Value>) -> Vec<Value> {
    match value {
        None => Vec::new(),
        Some(Value::Array(items)) => items.clone(),
        Some(other) => vec![other.clone()],
    }
}

/// The tree as plain JSON, leaving out objects with no value below them.
fn output(node: &Tree, path: &str, origins: &mut BTreeMap<String, Origin>) -> Option<Value> {
    match &node.body {
        Body::Setting(slot) => {
            let value = slot.value.clone()?;
            if let Some(origin) = &slot.origin {
                origins.insert(path.to_string(), origin.clone());
            }
            Some(value)
        }
        Body::Map(children) => {
            let mut map = Map::new();
            for (key, child) in children {
                if let Some(v) = output(child, &child_path(path, key), origins) {
                    map.insert(key.clone(), v);
                }
            }
            (!map.is_empty()).then_some(Value::Object(map))
        }
    }
}
