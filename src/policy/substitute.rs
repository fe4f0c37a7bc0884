//! `$account` and `$region` in an effective policy, replaced the way AWS Backup replaces
//! them when it runs a plan in a member account.
//!
//! AWS: "You can use the `$account` variable only in policy elements that can include an
//! ARN, such as those that specify the backup vault … or the IAM role"; AWS Backup
//! "automatically replaces this variable with the current AWS account" (2021 syntax page,
//! aws-backup-facts §1.2). `$region` is documented for the logically air-gapped vault ARN
//! (`arn:aws:backup:$region:$account:backup-vault:AirGappedVault`, current syntax page), so
//! vaultsim substitutes it there only. ARN-valued elements: `iam_role_arn`,
//! `target_backup_vault_arn`, `target_logically_air_gapped_backup_vault_arn`,
//! `scanner_role_arn`, and the copy-action keys (which are vault ARNs). Every other string
//! is left alone, however it looks.
//!
//! Talks to: `schema` (which elements hold ARNs). Pure.

use serde_json::{Map, Value};

use super::schema::{self, SettingKind, Shape};

/// `policy` (an effective policy) with `$account` replaced by `account` in every
/// ARN-valued element and copy-action key, and `$region` by `region` (when given) in the
/// logically air-gapped vault ARN. Elements the syntax does not know are copied unchanged.
/// If two copy-action keys of one rule become equal, the first in key order is kept.
pub fn substitute(policy: &Value, account: &str, region: Option<&str>) -> Value {
    walk(policy, &schema::DOCUMENT, account, region)
}

fn walk(value: &Value, shape: &Shape, account: &str, region: Option<&str>) -> Value {
    match (shape, value) {
        (Shape::Fixed(fields), Value::Object(map)) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = match fields.iter().find(|(name, _)| name == k) {
                        Some((_, s)) => walk(v, s, account, region),
                        None => v.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        (
            Shape::Named {
                arn_keys, entry, ..
            },
            Value::Object(map),
        ) => {
            let mut out = Map::new();
            for (k, v) in map {
                let key = if *arn_keys {
                    k.replace("$account", account)
                } else {
                    k.clone()
                };
                if !out.contains_key(&key) {
                    out.insert(key, walk(v, entry, account, region));
                }
            }
            Value::Object(out)
        }
        (
            Shape::Setting(SettingKind::Arn {
                region: with_region,
            }),
            Value::String(s),
        ) => {
            let mut s = s.replace("$account", account);
            if let (true, Some(r)) = (*with_region, region) {
                s = s.replace("$region", r);
            }
            Value::String(s)
        }
        _ => value.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replaces_account_in_arn_elements_only() {
        let policy = json!({"plans": {"P": {
            "rules": {"daily": {
                "target_backup_vault_name": "$account-vault",
                "target_logically_air_gapped_backup_vault_arn":
                    "arn:aws:backup:$region:$account:backup-vault:AirGapped",
                "copy_actions": {"arn:aws:backup:us-west-2:$account:backup-vault:DR": {
                    "target_backup_vault_arn": "arn:aws:backup:us-west-2:$account:backup-vault:DR"
                }},
                "scan_actions": {"GUARDDUTY": {"scanner_role_arn": "arn:aws:iam::$account:role/S"}}
            }},
            "selections": {"tags": {"prod": {
                "iam_role_arn": "arn:aws:iam::$account:role/Backup",
                "tag_key": "$account",
                "tag_value": ["$account"]
            }}},
            "backup_plan_tags": {"owner": {"tag_key": "Owner", "tag_value": "$account"}}
        }}});
        let out = substitute(&policy, "111122223333", None);
        assert_eq!(
            out,
            json!({"plans": {"P": {
                "rules": {"daily": {
                    "target_backup_vault_name": "$account-vault",
                    "target_logically_air_gapped_backup_vault_arn":
                        "arn:aws:backup:$region:111122223333:backup-vault:AirGapped",
                    "copy_actions": {"arn:aws:backup:us-west-2:111122223333:backup-vault:DR": {
                        "target_backup_vault_arn":
                            "arn:aws:backup:us-west-2:111122223333:backup-vault:DR"
                    }},
                    "scan_actions": {"GUARDDUTY": {
                        "scanner_role_arn": "arn:aws:iam::111122223333:role/S"
                    }}
                }},
                "selections": {"tags": {"prod": {
                    "iam_role_arn": "arn:aws:iam::111122223333:role/Backup",
                    "tag_key": "$account",
                    "tag_value": ["$account"]
                }}},
                "backup_plan_tags": {"owner": {"tag_key": "Owner", "tag_value": "$account"}}
            }}})
        );
    }

    #[test]
    fn replaces_region_only_in_the_air_gapped_vault_arn() {
        let policy = json!({"plans": {"P": {"rules": {"r": {
            "target_logically_air_gapped_backup_vault_arn":
                "arn:aws:backup:$region:$account:backup-vault:AG",
            "copy_actions": {"arn:aws:backup:$region:$account:backup-vault:DR": {
                "target_backup_vault_arn": "arn:aws:backup:$region:$account:backup-vault:DR"
            }}
        }}}}});
        let out = substitute(&policy, "444455556666", Some("eu-west-1"));
        let rule = &out["plans"]["P"]["rules"]["r"];
        assert_eq!(
            rule["target_logically_air_gapped_backup_vault_arn"],
            "arn:aws:backup:eu-west-1:444455556666:backup-vault:AG"
        );
        assert_eq!(
            rule["copy_actions"]["arn:aws:backup:$region:444455556666:backup-vault:DR"]["target_backup_vault_arn"],
            "arn:aws:backup:$region:444455556666:backup-vault:DR"
        );
    }

    #[test]
    fn copy_action_keys_that_become_equal_keep_the_first() {
        let policy = json!({"plans": {"P": {"rules": {"r": {"copy_actions": {
            "arn:aws:backup:us-west-2:$account:backup-vault:DR": {"lifecycle": {"delete_after_days": "1"}},
            "arn:aws:backup:us-west-2:111122223333:backup-vault:DR": {"lifecycle": {"delete_after_days": "2"}}
        }}}}}});
        let out = substitute(&policy, "111122223333", None);
        let copies = out["plans"]["P"]["rules"]["r"]["copy_actions"]
            .as_object()
            .expect("object");
        assert_eq!(copies.len(), 1);
        assert_eq!(
            copies["arn:aws:backup:us-west-2:111122223333:backup-vault:DR"]["lifecycle"]["delete_after_days"],
            "1"
        );
    }
}
