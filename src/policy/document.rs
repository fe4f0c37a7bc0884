//! A BACKUP_POLICY document as written: the tree of plans, rules, selections and settings,
//! with its inheritance operators and the position of every key, checked against the
//! syntax in `schema` (aws-backup-facts §1.1–§1.4).
//!
//! What is refused here (all at once, each with file, line/column and JSON path): malformed
//! JSON, repeated keys (AWS rejects them), unknown keys at a known level, unknown operators,
//! `@@append`/`@@remove` on a single-valued setting (AWS: "You can use this operator with
//! only multi-valued settings"), value-setting operators on an object that holds settings,
//! bare values where an operator object belongs, and values of the wrong type. Values may be
//! JSON strings or native numbers/booleans (`"60"` or `60`, `"false"` or `false`), as AWS
//! accepts both (§1.1); they are kept as written. AWS Backup's semantic rules (start window
//! ≥ 60, the 90-day cold minimum, the 10,000-character size limit, …) are not checked here:
//! Organizations accepts such policies, so they are findings for later stages.
//!
//! Talks to: `json` (positioned tree), `schema`, `operator`; read by `inherit`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::{PolicyError, PolicyErrors};
use super::json::{self, Json, Member, Node, Position, child_path};
use super::operator::{Allowed, CHILD_CONTROL, Operator};
use super::schema::{self, SettingKind, Shape};

/// A parsed backup policy: where it came from, its size, and its tree.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    file: PathBuf,
    characters: usize,
    root: Container,
}

impl PolicyDocument {
    /// The file the policy was read from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Size of the document in characters, whitespace included (AWS Organizations limits
    /// backup policies to 10,000; the SDK and CLI do not strip whitespace — facts §1.6).
    pub fn characters(&self) -> usize {
        self.characters
    }

    /// The top-level object (`{"plans": ...}`).
    pub fn root(&self) -> &Container {
        &self.root
    }
}

/// An object that holds settings or named entries (`plans`, a plan, `rules`, `lifecycle`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Container {
    /// Position of the opening `{`.
    pub position: Position,
    /// `@@operators_allowed_for_child_policies` set on this object, if any.
    pub child_control: Option<ChildControl>,
    /// The keys in file order (child-control operator excluded).
    pub entries: Vec<Entry>,
}

/// One key of a container and what it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key as written.
    pub key: String,
    /// The key inheritance matches on: lower case where AWS compares names
    /// case-insensitively (rule and selection names, tag identifiers), else as written.
    pub merge_key: String,
    /// Position of the key.
    pub position: Position,
    pub node: PolicyNode,
}

/// What a key holds: more keys, or a setting.
#[derive(Debug, Clone, PartialEq)]
pub enum PolicyNode {
    Container(Container),
    Setting(Setting),
}

/// A leaf: an operator object such as `{"@@assign": "60"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Setting {
    /// Position of the operator object.
    pub position: Position,
    /// What the setting holds.
    pub kind: SettingKind,
    /// The value-setting operator and its value; `None` when the object only restricts
    /// children.
    pub operation: Option<Operation>,
    /// `@@operators_allowed_for_child_policies` set on this setting, if any.
    pub child_control: Option<ChildControl>,
}

/// A value-setting operator with its value (as written: `"60"` stays a string).
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    pub operator: Operator,
    pub value: Value,
    /// Position of the operator key.
    pub position: Position,
}

/// A child-control list and where it was written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChildControl {
    pub allowed: Allowed,
    /// Position of the `@@operators_allowed_for_child_policies` key.
    pub position: Position,
}

/// Parses policy text read from `file` (used only for messages). Pure.
pub fn parse_policy(file: &Path, text: &str) -> Result<PolicyDocument, PolicyErrors> {
    let characters = text.chars().count();
    let (tree, read_problems) = json::read(text);
    let mut parser = Parser {
        file,
        errors: read_problems
            .into_iter()
            .map(|p| {
                let e = PolicyError::new(file, p.position, p.path, p.message);
                match p.help {
                    Some(h) => e.with_help(h),
                    None => e,
                }
            })
            .collect(),
    };
    let root = match &tree {
        Some(node) => {
            let root = parser.container(node, &schema::DOCUMENT, "");
            if matches!(node.value, Json::Object(_))
                && !root.entries.iter().any(|e| e.key == "plans")
            {
                parser.error(
                    Some(node.position),
                    "",
                    "a backup policy has no `plans` key",
                    Some("a backup policy always starts with the fixed key `plans`: {\"plans\": {\"MyPlan\": {...}}}"),
                );
            }
            root
        }
        None => empty_container(Position::default()),
    };
    if parser.errors.is_empty() {
        Ok(PolicyDocument {
            file: file.to_path_buf(),
            characters,
            root,
        })
    } else {
        let mut errors = parser.errors;
        errors.sort_by_key(|e| (e.line().unwrap_or(0), e.column().unwrap_or(0)));
        Err(PolicyErrors(errors))
    }
}

fn empty_container(position: Position) -> Container {
    Container {
        position,
        child_control: None,
        entries: Vec::new(),
    }
}

struct Parser<'a> {
    file: &'a Path,
    errors: Vec<PolicyError>,
}

impl Parser<'_> {
    fn error(
        &mut self,
        position: Option<Position>,
        path: &str,
        message: impl Into<String>,
        help: Option<&str>,
    ) {
        let e = PolicyError::new(self.file, position, path, message);
        self.errors.push(match help {
            Some(h) => e.with_help(h),
            None => e,
        });
    }

    fn container(&mut self, node: &Node, shape: &'static Shape, path: &str) -> Container {
        let mut out = empty_container(node.position);
        let Json::Object(members) = &node.value else {
            self.error(
                Some(node.position),
                path,
                format!("expected an object, found {}", describe(node)),
                Some(&format!("valid keys here: {}", shape.valid_keys())),
            );
            return out;
        };
        // Case-insensitive names: merge key → (key as written, position).
        let mut seen: BTreeMap<String, (String, Position)> = BTreeMap::new();
        for m in members {
            let member_path = child_path(path, &m.key);
            if m.key.starts_with("@@") {
                self.operator_on_container(m, shape, path, &member_path, &mut out);
                continue;
            }
            let (entry_shape, merge_key) = match shape {
                Shape::Fixed(fields) => match fields.iter().find(|(k, _)| *k == m.key) {
                    Some((_, s)) => (*s, m.key.clone()),
                    None => {
                        let names: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
                        self.unknown_key(m, &member_path, shape, &names);
                        continue;
                    }
                },
                Shape::Named {
                    what,
                    case_insensitive,
                    entry,
                    ..
                } => {
                    if m.key.is_empty() {
                        self.error(
                            Some(m.key_position),
                            &member_path,
                            format!("empty {what} name"),
                            None,
                        );
                        continue;
                    }
                    let merge_key = if *case_insensitive {
                        m.key.to_lowercase()
                    } else {
                        m.key.clone()
                    };
                    if let Some((first, at)) = seen.get(&merge_key) {
                        self.error(
                            Some(m.key_position),
                            &member_path,
                            format!(
                                "{what} `{}` repeats `{first}` (line {} column {}): AWS compares {what} names without regard to case",
                                m.key, at.line, at.column
                            ),
                            Some("keep one of them and merge the other into it"),
                        );
                        continue;
                    }
                    seen.insert(merge_key.clone(), (m.key.clone(), m.key_position));
                    (*entry, merge_key)
                }
                Shape::Setting(_) => unreachable!("settings are parsed by `setting`"),
            };
            let node = match entry_shape {
                Shape::Setting(kind) => {
                    PolicyNode::Setting(self.setting(&m.node, *kind, &member_path))
                }
                _ => PolicyNode::Container(self.container(&m.node, entry_shape, &member_path)),
            };
            out.entries.push(Entry {
                key: m.key.clone(),
                merge_key,
                position: m.key_position,
                node,
            });
        }
        out
    }

    /// An `@@...` key on an object that holds settings: only the child-control operator.
    fn operator_on_container(
        &mut self,
        m: &Member,
        shape: &Shape,
        path: &str,
        member_path: &str,
        out: &mut Container,
    ) {
        if m.key == CHILD_CONTROL {
            out.child_control = self.child_control(m, member_path);
        } else if Operator::from_name(&m.key).is_some() {
            let name = path
                .rsplit('.')
                .next()
                .filter(|s| !s.is_empty())
                .unwrap_or("the document");
            self.error(
                Some(m.key_position),
                path,
                format!(
                    "`{}` cannot be used on `{name}`: it holds settings, not a value",
                    m.key
                ),
                Some(&format!(
                    "put the operator on each setting inside it; valid keys here: {}",
                    shape.valid_keys()
                )),
            );
        } else {
            self.unknown_operator(m, member_path);
        }
    }

    fn unknown_operator(&mut self, m: &Member, member_path: &str) {
        self.error(
            Some(m.key_position),
            member_path,
            format!("unknown operator `{}`", m.key),
            Some("valid operators: `@@assign`, `@@append`, `@@remove` and `@@operators_allowed_for_child_policies`"),
        );
    }

    fn unknown_key(&mut self, m: &Member, member_path: &str, shape: &Shape, names: &[&str]) {
        // A small typo, or a key sharing a long start with a valid one (`schedule` for
        // `schedule_expression`, the seed's `resources` for `resource_types`).
        let near = names
            .iter()
            .filter(|n| edit_distance(n, &m.key) <= 2)
            .min_by_key(|n| edit_distance(n, &m.key))
            .or_else(|| {
                names
                    .iter()
                    .map(|n| (common_prefix(n, &m.key), n))
                    .filter(|(len, _)| *len >= 6)
                    .min_by_key(|(len, _)| std::cmp::Reverse(*len))
                    .map(|(_, n)| n)
            });
        let message = match near {
            Some(n) => format!("unknown key `{}` (did you mean `{n}`?)", m.key),
            None => format!("unknown key `{}`", m.key),
        };
        self.error(
            Some(m.key_position),
            member_path,
            message,
            Some(&format!("valid keys here: {}", shape.valid_keys())),
        );
    }

    fn setting(&mut self, node: &Node, kind: SettingKind, path: &str) -> Setting {
        let mut out = Setting {
            position: node.position,
            kind,
            operation: None,
            child_control: None,
        };
        let Json::Object(members) = &node.value else {
            self.error(
                Some(node.position),
                path,
                format!(
                    "found {} where an operator object is expected",
                    describe(node)
                ),
                Some(&format!(
                    "every setting is written with an operator: {{\"@@assign\": {}}}",
                    shorten(node)
                )),
            );
            return out;
        };
        if members.is_empty() {
            self.error(
                Some(node.position),
                path,
                "empty object where an operator object is expected",
                Some(&format!("write {{\"@@assign\": {}}}", kind.example())),
            );
        }
        let name = path.rsplit('.').next().unwrap_or(path).to_string();
        for m in members {
            let member_path = child_path(path, &m.key);
            if m.key == CHILD_CONTROL {
                out.child_control = self.child_control(m, &member_path);
                continue;
            }
            let Some(operator) = Operator::from_name(&m.key) else {
                if m.key.starts_with("@@") {
                    self.unknown_operator(m, &member_path);
                } else {
                    self.error(
                        Some(m.key_position),
                        &member_path,
                        format!(
                            "`{name}` is a setting, so `{}` is not valid inside it",
                            m.key
                        ),
                        Some(&format!(
                            "a setting holds an operator object, e.g. {{\"@@assign\": {}}}",
                            kind.example()
                        )),
                    );
                }
                continue;
            };
            if operator != Operator::Assign && !kind.is_list() {
                self.error(
                    Some(m.key_position),
                    path,
                    format!("`{operator}` works only on lists, but `{name}` holds a single value"),
                    Some(
                        "use `@@assign` to set it; AWS allows `@@append` and `@@remove` only on \
                         multi-valued settings (regions, tag_value, resource_types, not_resource_types)",
                    ),
                );
                continue;
            }
            if let Some(first) = &out.operation {
                self.error(
                    Some(m.key_position),
                    path,
                    format!("`{operator}` after `{}`: one value-setting operator per setting", first.operator),
                    Some("keep one operator; to replace a list and add to it, @@assign the whole list"),
                );
                continue;
            }
            if let Some(value) = self.value(&m.node, kind, operator, path) {
                out.operation = Some(Operation {
                    operator,
                    value,
                    position: m.key_position,
                });
            }
        }
        out
    }

    /// The value of an operator, checked against the setting's kind; kept as written.
    fn value(
        &mut self,
        node: &Node,
        kind: SettingKind,
        operator: Operator,
        path: &str,
    ) -> Option<Value> {
        let ok = match (&node.value, kind) {
            (
                Json::String(_),
                SettingKind::Text | SettingKind::Arn { .. } | SettingKind::TextOrList,
            ) => true,
            (Json::Number(n), SettingKind::Integer) => n.is_i64(),
            (Json::String(s), SettingKind::Integer) => s.parse::<i64>().is_ok(),
            (Json::Bool(_), SettingKind::Boolean) => true,
            (Json::String(s), SettingKind::Boolean) => {
                s.eq_ignore_ascii_case("true") || s.eq_ignore_ascii_case("false")
            }
            (Json::Array(items), SettingKind::TextList | SettingKind::TextOrList) => {
                let mut all = true;
                for (i, item) in items.iter().enumerate() {
                    if !matches!(item.value, Json::String(_)) {
                        self.error(
                            Some(item.position),
                            &format!("{path}[{i}]"),
                            format!("expected a string in the list, found {}", describe(item)),
                            None,
                        );
                        all = false;
                    }
                }
                return all.then(|| to_value(node));
            }
            _ => false,
        };
        if ok {
            return Some(to_value(node));
        }
        let name = path.rsplit('.').next().unwrap_or(path);
        // A single string where a list belongs: suggest the list holding it.
        let example = match (&node.value, kind.is_list()) {
            (Json::String(_), true) => format!("[{}]", shorten(node)),
            _ => kind.example().to_string(),
        };
        self.error(
            Some(node.position),
            path,
            format!(
                "`{name}` holds {}, found {}",
                kind.describe(),
                describe(node)
            ),
            Some(&format!("write {{\"{operator}\": {example}}}")),
        );
        None
    }

    /// `["@@all"]`, `["@@none"]` or a non-empty subset of the value-setting operators.
    fn child_control(&mut self, member: &Member, path: &str) -> Option<ChildControl> {
        let node = &member.node;
        const VALID: &str =
            "[\"@@all\"], [\"@@none\"] or a list of `@@assign`, `@@append`, `@@remove`";
        let Json::Array(items) = &node.value else {
            self.error(
                Some(node.position),
                path,
                format!("expected a list of operators, found {}", describe(node)),
                Some(&format!("valid: {VALID}")),
            );
            return None;
        };
        if items.is_empty() {
            self.error(
                Some(node.position),
                path,
                "empty list of operators",
                Some("write [\"@@none\"] to allow child policies no operator"),
            );
            return None;
        }
        let mut operators = Vec::new();
        let (mut all, mut none, mut bad) = (false, false, false);
        for (i, item) in items.iter().enumerate() {
            match &item.value {
                Json::String(s) if s == "@@all" => all = true,
                Json::String(s) if s == "@@none" => none = true,
                Json::String(s) if Operator::from_name(s).is_some() => {
                    operators.extend(Operator::from_name(s))
                }
                _ => {
                    self.error(
                        Some(item.position),
                        &format!("{path}[{i}]"),
                        format!(
                            "`{}` is not an operator child policies can be allowed",
                            shorten(item)
                        ),
                        Some(&format!("valid: {VALID}")),
                    );
                    bad = true;
                }
            }
        }
        if bad {
            return None;
        }
        if (all || none) && items.len() > 1 {
            self.error(
                Some(node.position),
                path,
                "`@@all` and `@@none` stand alone in the list",
                Some(&format!("valid: {VALID}")),
            );
            return None;
        }
        let allowed = if all {
            Allowed::ALL
        } else if none {
            Allowed::NONE
        } else {
            Allowed::of(&operators)
        };
        Some(ChildControl {
            allowed,
            position: member.key_position,
        })
    }
}

/// The JSON value of a positioned node.
fn to_value(node: &Node) -> Value {
    match &node.value {
        Json::Object(members) => Value::Object(
            members
                .iter()
                .map(|m| (m.key.clone(), to_value(&m.node)))
                .collect(),
        ),
        Json::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        Json::String(s) => Value::String(s.clone()),
        Json::Number(n) => Value::Number(n.clone()),
        Json::Bool(b) => Value::Bool(*b),
        Json::Null => Value::Null,
    }
}

/// "an object", "the string \"x\"", … for messages.
fn describe(node: &Node) -> String {
    match &node.value {
        Json::Object(_) => "an object".to_string(),
        Json::Array(_) => "a list".to_string(),
        Json::String(_) => format!("the string {}", shorten(node)),
        Json::Number(n) => format!("the number {n}"),
        Json::Bool(b) => format!("`{b}`"),
        Json::Null => "`null`".to_string(),
    }
}

/// The node as compact JSON, cut to a readable length.
fn shorten(node: &Node) -> String {
    const MAX: usize = 60;
    let s = to_value(node).to_string();
    if s.chars().count() > MAX {
        format!("{}…", s.chars().take(MAX).collect::<String>())
    } else {
        s
    }
}

/// How many leading characters `a` and `b` share.
fn common_prefix(a: &str, b: &str) -> usize {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count()
}

/// Levenshtein distance, for "did you mean" hints on short key names.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = if ca == *cb {
                prev
            } else {
                1 + prev.min(cur).min(row[j])
            };
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
