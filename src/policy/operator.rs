//! The inheritance operators of management policies (AWS Organizations "Inheritance
//! operators" page, aws-backup-facts §1.5): the value-setting operators `@@assign`,
//! `@@append`, `@@remove`, and the child-control operator
//! `@@operators_allowed_for_child_policies` with `@@all` (the default), `@@none` or a
//! subset of the value-setting operators.
//!
//! Talks to: `document` (parsing) and `inherit` (evaluation). Pure data.

use std::fmt;

/// The key of the child-control operator.
pub const CHILD_CONTROL: &str = "@@operators_allowed_for_child_policies";

/// A value-setting operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Operator {
    /// `@@assign`: replaces the inherited value (a whole array for lists); creates it if absent.
    Assign,
    /// `@@append`: adds values to an inherited list; creates it if absent. Lists only.
    Append,
    /// `@@remove`: removes values from an inherited list. Lists only.
    Remove,
}

impl Operator {
    /// The three operators in the order AWS documents them.
    pub const ALL: [Operator; 3] = [Operator::Assign, Operator::Append, Operator::Remove];

    /// The operator as written in a policy (`"@@assign"`).
    pub fn name(self) -> &'static str {
        match self {
            Operator::Assign => "@@assign",
            Operator::Append => "@@append",
            Operator::Remove => "@@remove",
        }
    }

    /// The operator written as `name`, if it is a value-setting operator.
    pub fn from_name(name: &str) -> Option<Operator> {
        Operator::ALL.into_iter().find(|o| o.name() == name)
    }

    fn bit(self) -> u8 {
        match self {
            Operator::Assign => 1,
            Operator::Append => 2,
            Operator::Remove => 4,
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which value-setting operators child policies may use: the value of
/// `@@operators_allowed_for_child_policies`. Lists from several policies combine by
/// intersection (a child can never widen what a parent allows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Allowed(u8);

impl Allowed {
    /// `["@@all"]`, the default.
    pub const ALL: Allowed = Allowed(7);
    /// `["@@none"]`.
    pub const NONE: Allowed = Allowed(0);

    /// Exactly the given operators.
    pub fn of(operators: &[Operator]) -> Allowed {
        Allowed(operators.iter().fold(0, |bits, o| bits | o.bit()))
    }

    /// Whether `operator` is allowed.
    pub fn allows(self, operator: Operator) -> bool {
        self.0 & operator.bit() != 0
    }

    /// What both allow.
    pub fn intersect(self, other: Allowed) -> Allowed {
        Allowed(self.0 & other.0)
    }

    /// Whether everything `self` allows is also allowed by `other`.
    pub fn is_subset_of(self, other: Allowed) -> bool {
        self.0 & !other.0 == 0
    }
}

impl Default for Allowed {
    fn default() -> Self {
        Allowed::ALL
    }
}

/// Written as a policy would write it: `["@@append", "@@remove"]`, `["@@all"]`, `["@@none"]`.
impl fmt::Display for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Allowed::ALL {
            return f.write_str("[\"@@all\"]");
        }
        if *self == Allowed::NONE {
            return f.write_str("[\"@@none\"]");
        }
        let names: Vec<String> = Operator::ALL
            .into_iter()
            .filter(|o| self.allows(*o))
            .map(|o| format!("\"{}\"", o.name()))
            .collect();
        write!(f, "[{}]", names.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intersection_never_widens() {
        let append = Allowed::of(&[Operator::Append]);
        let append_remove = Allowed::of(&[Operator::Append, Operator::Remove]);
        assert_eq!(append.intersect(append_remove), append);
        assert_eq!(append.intersect(Allowed::ALL), append);
        assert_eq!(Allowed::ALL.intersect(Allowed::NONE), Allowed::NONE);
        assert!(append.is_subset_of(append_remove));
        assert!(!append_remove.is_subset_of(append));
        assert!(Allowed::NONE.is_subset_of(append));
    }

    #[test]
    fn displays_as_written_in_a_policy() {
        assert_eq!(Allowed::ALL.to_string(), "[\"@@all\"]");
        assert_eq!(Allowed::NONE.to_string(), "[\"@@none\"]");
        assert_eq!(
            Allowed::of(&[Operator::Remove, Operator::Assign]).to_string(),
            "[\"@@assign\", \"@@remove\"]"
        );
        assert_eq!(Operator::from_name("@@append"), Some(Operator::Append));
        assert_eq!(Operator::from_name("@@merge"), None);
    }
}
