//! The BACKUP_POLICY syntax as data: which keys exist at each level, which names are
//! user-chosen (and whether AWS compares them case-insensitively), and what each setting
//! holds. Sources: the Organizations backup policy syntax page (current and 2021 versions)
//! as summarised in aws-backup-facts §1.1–§1.4:
//!
//! - `plans.<plan>` holds `regions`, `rules`, `selections`, `advanced_backup_settings`,
//!   `backup_plan_tags`, `scan_settings` (§1.1).
//! - `rules.<rule>` keys and their API fields (§1.2); `lifecycle` also under each
//!   `copy_actions.<vault ARN>`.
//! - `selections.tags.<name>` (`iam_role_arn`, `tag_key`, `tag_value`, `conditions`) and
//!   `selections.resources.<name>` (`iam_role_arn`, `resource_types`,
//!   `not_resource_types`, `conditions`) — two forms with different keys (§1.3).
//! - Identifiers under `recovery_point_tags`, `selections.tags` and `backup_plan_tags` are
//!   "not case sensitive" (2021 syntax page); rule and selection names are rendered lower
//!   case in every documented effective policy, so vaultsim compares them
//!   case-insensitively too. Plan names and copy-action ARN keys keep their case.
//! - `@@append`/`@@remove` apply to lists only: `regions`, `tag_value`, `resource_types`,
//!   `not_resource_types`, `index_actions.resource_types`, `scan_settings.*.resource_types`.
//! - `$account` may appear only in ARN-valued elements; `$region` in the logically
//!   air-gapped vault ARN (§1.2).
//!
//! Talks to: `document` (parsing) and `substitute`. Pure data.

/// What a setting (a leaf holding an operator object) holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SettingKind {
    /// A string.
    Text,
    /// A string holding an ARN, where `$account` (and, if `region`, `$region`) is replaced
    /// by the account (and Region) the plan runs in.
    Arn {
        /// Whether AWS also substitutes `$region` here.
        region: bool,
    },
    /// A whole number, written as a JSON number (`60`) or a string (`"60"`).
    Integer,
    /// A boolean, written as a JSON boolean (`false`) or a string (`"false"`).
    Boolean,
    /// A list of strings; takes `@@assign`, `@@append` and `@@remove`.
    TextList,
    /// A string or a list of strings (`tag_value`); takes all three operators.
    TextOrList,
}

impl SettingKind {
    /// Whether `@@append` and `@@remove` apply (lists only).
    pub fn is_list(self) -> bool {
        matches!(self, SettingKind::TextList | SettingKind::TextOrList)
    }

    /// How the expected value is described in messages.
    pub fn describe(self) -> &'static str {
        match self {
            SettingKind::Text => "a string",
            SettingKind::Arn { .. } => "an ARN string",
            SettingKind::Integer => "a whole number (60 or \"60\")",
            SettingKind::Boolean => "a boolean (true, false, \"true\" or \"false\")",
            SettingKind::TextList => "a list of strings",
            SettingKind::TextOrList => "a string or a list of strings",
        }
    }

    /// An example value for help text.
    pub fn example(self) -> &'static str {
        match self {
            SettingKind::Text => "\"value\"",
            SettingKind::Arn { .. } => "\"arn:aws:iam::$account:role/AWSBackupDefaultServiceRole\"",
            SettingKind::Integer => "\"60\"",
            SettingKind::Boolean => "\"false\"",
            SettingKind::TextList | SettingKind::TextOrList => "[\"a\", \"b\"]",
        }
    }
}

/// The shape of one level of the document.
#[derive(Debug)]
pub(crate) enum Shape {
    /// An object with fixed keys.
    Fixed(&'static [(&'static str, &'static Shape)]),
    /// An object whose keys are user-chosen names, each holding `entry`.
    Named {
        /// What one name stands for, for messages ("rule", "plan").
        what: &'static str,
        /// Whether AWS compares the names case-insensitively.
        case_insensitive: bool,
        /// Whether the names are ARNs (copy actions), where `$account` is substituted.
        arn_keys: bool,
        entry: &'static Shape,
    },
    /// A setting: an operator object.
    Setting(SettingKind),
}

impl Shape {
    /// For messages: what keys are valid here.
    pub fn valid_keys(&self) -> String {
        match self {
            Shape::Fixed(fields) => fields
                .iter()
                .map(|(k, _)| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", "),
            Shape::Named { what, .. } => format!("any {what} name"),
            Shape::Setting(_) => "`@@assign`, `@@append`, `@@remove`".to_string(),
        }
    }
}

const TEXT: Shape = Shape::Setting(SettingKind::Text);
const ARN: Shape = Shape::Setting(SettingKind::Arn { region: false });
const ARN_WITH_REGION: Shape = Shape::Setting(SettingKind::Arn { region: true });
const INTEGER: Shape = Shape::Setting(SettingKind::Integer);
const BOOLEAN: Shape = Shape::Setting(SettingKind::Boolean);
const TEXT_LIST: Shape = Shape::Setting(SettingKind::TextList);
const TEXT_OR_LIST: Shape = Shape::Setting(SettingKind::TextOrList);

/// The whole document: `{"plans": {...}}`.
pub(crate) static DOCUMENT: Shape = Shape::Fixed(&[("plans", &PLANS)]);

static PLANS: Shape = Shape::Named {
    what: "plan",
    case_insensitive: false,
    arn_keys: false,
    entry: &PLAN,
};

static PLAN: Shape = Shape::Fixed(&[
    ("regions", &TEXT_LIST),
    ("rules", &RULES),
    ("selections", &SELECTIONS),
    ("advanced_backup_settings", &ADVANCED_BACKUP_SETTINGS),
    ("backup_plan_tags", &BACKUP_PLAN_TAGS),
    ("scan_settings", &SCAN_SETTINGS),
]);

static RULES: Shape = Shape::Named {
    what: "rule",
    case_insensitive: true,
    arn_keys: false,
    entry: &RULE,
};

static RULE: Shape = Shape::Fixed(&[
    ("schedule_expression", &TEXT),
    ("schedule_expression_timezone", &TEXT),
    ("target_backup_vault_name", &TEXT),
    (
        "target_logically_air_gapped_backup_vault_arn",
        &ARN_WITH_REGION,
    ),
    ("start_backup_window_minutes", &INTEGER),
    ("complete_backup_window_minutes", &INTEGER),
    ("enable_continuous_backup", &BOOLEAN),
    ("lifecycle", &LIFECYCLE),
    ("copy_actions", &COPY_ACTIONS),
    ("recovery_point_tags", &RECOVERY_POINT_TAGS),
    ("index_actions", &INDEX_ACTIONS),
    ("scan_actions", &SCAN_ACTIONS),
]);

static LIFECYCLE: Shape = Shape::Fixed(&[
    ("move_to_cold_storage_after_days", &INTEGER),
    ("delete_after_days", &INTEGER),
    ("opt_in_to_archive_for_supported_resources", &BOOLEAN),
]);

static COPY_ACTIONS: Shape = Shape::Named {
    what: "copy action (destination vault ARN)",
    case_insensitive: false,
    arn_keys: true,
    entry: &COPY_ACTION,
};

static COPY_ACTION: Shape =
    Shape::Fixed(&[("target_backup_vault_arn", &ARN), ("lifecycle", &LIFECYCLE)]);

static RECOVERY_POINT_TAGS: Shape = Shape::Named {
    what: "recovery point tag",
    case_insensitive: true,
    arn_keys: false,
    entry: &TAG,
};

/// `{tag_key, tag_value}` under `recovery_point_tags`: `tag_value` takes all operators.
static TAG: Shape = Shape::Fixed(&[("tag_key", &TEXT), ("tag_value", &TEXT_OR_LIST)]);

static INDEX_ACTIONS: Shape = Shape::Fixed(&[("resource_types", &TEXT_LIST)]);

static SCAN_ACTIONS: Shape = Shape::Named {
    what: "scanner",
    case_insensitive: false,
    arn_keys: false,
    entry: &SCAN_ACTION,
};

static SCAN_ACTION: Shape = Shape::Fixed(&[("scan_mode", &TEXT), ("scanner_role_arn", &ARN)]);

static SELECTIONS: Shape = Shape::Fixed(&[
    ("tags", &TAG_SELECTIONS),
    ("resources", &RESOURCE_SELECTIONS),
]);

static TAG_SELECTIONS: Shape = Shape::Named {
    what: "tag selection",
    case_insensitive: true,
    arn_keys: false,
    entry: &TAG_SELECTION,
};

static TAG_SELECTION: Shape = Shape::Fixed(&[
    ("iam_role_arn", &ARN),
    ("tag_key", &TEXT),
    ("tag_value", &TEXT_OR_LIST),
    ("conditions", &CONDITIONS),
]);

static RESOURCE_SELECTIONS: Shape = Shape::Named {
    what: "resource selection",
    case_insensitive: true,
    arn_keys: false,
    entry: &RESOURCE_SELECTION,
};

static RESOURCE_SELECTION: Shape = Shape::Fixed(&[
    ("iam_role_arn", &ARN),
    ("resource_types", &TEXT_LIST),
    ("not_resource_types", &TEXT_LIST),
    ("conditions", &CONDITIONS),
]);

static CONDITIONS: Shape = Shape::Fixed(&[
    ("string_equals", &CONDITION_LIST),
    ("string_not_equals", &CONDITION_LIST),
    ("string_like", &CONDITION_LIST),
    ("string_not_like", &CONDITION_LIST),
]);

static CONDITION_LIST: Shape = Shape::Named {
    what: "condition",
    case_insensitive: false,
    arn_keys: false,
    entry: &CONDITION,
};

static CONDITION: Shape = Shape::Fixed(&[("condition_key", &TEXT), ("condition_value", &TEXT)]);

static ADVANCED_BACKUP_SETTINGS: Shape =
    Shape::Fixed(&[("ec2", &ADVANCED_EC2), ("s3", &ADVANCED_S3)]);

static ADVANCED_EC2: Shape = Shape::Fixed(&[("windows_vss", &TEXT)]);

static ADVANCED_S3: Shape = Shape::Fixed(&[("backup_acls", &TEXT), ("backup_object_tags", &TEXT)]);

static BACKUP_PLAN_TAGS: Shape = Shape::Named {
    what: "plan tag",
    case_insensitive: true,
    arn_keys: false,
    entry: &PLAN_TAG,
};

/// `{tag_key, tag_value}` under `backup_plan_tags`: a single string value, `@@assign` only
/// (2021 syntax page).
static PLAN_TAG: Shape = Shape::Fixed(&[("tag_key", &TEXT), ("tag_value", &TEXT)]);

static SCAN_SETTINGS: Shape = Shape::Named {
    what: "scanner",
    case_insensitive: false,
    arn_keys: false,
    entry: &SCAN_SETTING,
};

static SCAN_SETTING: Shape =
    Shape::Fixed(&[("resource_types", &TEXT_LIST), ("scanner_role_arn", &ARN)]);

/// The value of an integer setting as the parser accepted it: a JSON integer or a string
/// holding one (`60` or `"60"`). `None` for anything else.
pub fn integer_setting(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_i64(),
        serde_json::Value::String(s) => s.parse().ok(),
        _ => None,
    }
}

/// The value of a boolean setting as the parser accepted it: a JSON boolean or the string
/// `"true"`/`"false"` in any case. `None` for anything else.
pub fn boolean_setting(value: &serde_json::Value) -> Option<bool> {
    match value {
        serde_json::Value::Bool(b) => Some(*b),
        serde_json::Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
        serde_json::Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}
