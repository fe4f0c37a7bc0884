//! `--set PATH=VALUE`: changing one value of a scenario without editing its files (what
//! `vaultsim sweep` varies). Three kinds of path (docs/sweep.md):
//!
//! - `plans.<plan>.rules.<rule>.<field>…` — a field of a backup rule, wherever the plan is
//!   written: in the scenario file (`[plans.*]`) or in the attached backup policies, where
//!   it changes the rule in every account's effective plan of that name;
//! - `links.<source>><destination>.<field>` — a region pair (`[[region_pairs]]`):
//!   `bandwidth_mib_per_s`, `per_job_cap_mib_per_s`, or `bandwidth_gbps` (converted,
//!   1 Gbit/s = 10⁹ / 8 / 2²⁰ MiB/s);
//! - any other dotted path — a value in the scenario file, e.g. `tiers.Tier1.rto_hours`,
//!   `disasters.region_outage.restore_throughput_mib_per_s` (array elements as `name[i]`).
//!
//! Scenario-file values are edited in the document text (`toml_edit`, which keeps every
//! other byte), so the loader validates the result as if the user had written it and its
//! errors still point at the right line. Policy rules are changed at resolution (the
//! policies are JSON, merged per account), in `policies::plans_from_policies`. A path
//! that names nothing is an error that names the nearest valid path.

use std::path::Path;

use toml_edit::{DocumentMut, Item, TableLike, Value};

use super::error::{ScenarioError, ScenarioErrors};

/// One `--set PATH=VALUE` as typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub path: String,
    pub value: String,
}

impl Setting {
    /// Splits `PATH=VALUE` at the first `=` (paths contain `>`, never `=`).
    pub fn parse(text: &str) -> Result<Setting, String> {
        match text.split_once('=') {
            Some((path, value)) if !path.trim().is_empty() => Ok(Setting {
                path: path.trim().to_string(),
                value: value.trim().to_string(),
            }),
            _ => Err(format!(
                "`{text}` is not PATH=VALUE, e.g. tiers.Tier1.rto_hours=2 (see docs/sweep.md)"
            )),
        }
    }
}

/// A change to a rule of a plan written in a backup policy, applied at resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleOverride {
    /// The path as typed (for messages).
    pub path: String,
    pub plan: String,
    pub rule: String,
    /// The field under the rule, e.g. `["lifecycle", "delete_after_days"]`.
    pub field: Vec<String>,
    /// The value as typed; policies hold strings and AWS converts numbers and booleans.
    pub value: String,
}

/// Bytes per second in one MiB/s and in one Gbit/s.
const GBPS_IN_MIB_PER_S: f64 = 1e9 / 8.0 / 1_048_576.0;

/// Applies `settings` to the scenario text from `file`: returns the edited text and the
/// changes left for the backup policies.
pub fn apply(
    file: &Path,
    text: &str,
    settings: &[Setting],
) -> Result<(String, Vec<RuleOverride>), ScenarioErrors> {
    let error = |path: &str, message: String, help: Option<String>| ScenarioError {
        file: file.to_path_buf(),
        line: None,
        column: None,
        path: format!("--set {path}"),
        message,
        help,
    };
    let mut doc: DocumentMut = match text.parse() {
        Ok(d) => d,
        // Let the loader report the file's own syntax error, located.
        Err(_) => return Ok((text.to_string(), Vec::new())),
    };
    let mut errors = Vec::new();
    let mut rules = Vec::new();
    for s in settings {
        let parts = split_path(&s.path);
        let result = match parts.first().map(String::as_str) {
            Some("links") => set_link(&mut doc, &parts, &s.value),
            Some("plans") if parts.len() >= 5 && parts[2] == "rules" => {
                if doc.get("plans").and_then(|p| p.get(&parts[1])).is_some() {
                    set_in_document(&mut doc, &parts, &s.value)
                } else {
                    rules.push(RuleOverride {
                        path: s.path.clone(),
                        plan: parts[1].clone(),
                        rule: parts[3].clone(),
                        field: parts[4..].to_vec(),
                        value: s.value.clone(),
                    });
                    Ok(())
                }
            }
            _ => set_in_document(&mut doc, &parts, &s.value),
        };
        if let Err(message) = result {
            let paths = valid_paths(&doc);
            let nearest = nearest(&s.path, &paths);
            errors.push(error(
                &s.path,
                message,
                nearest.map(|n| format!("nearest valid path: {n}")),
            ));
        }
    }
    if errors.is_empty() {
        Ok((doc.to_string(), rules))
    } else {
        Err(ScenarioErrors(errors))
    }
}

/// Splits a dotted path; `"…"` quotes a key holding dots (`links."a.b>c".x`).
fn split_path(path: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    for c in path.chars() {
        match c {
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    parts.push(current);
    parts
}

/// A typed value: an integer, a float, a boolean or else a string.
fn value_of(text: &str) -> Value {
    if let Ok(i) = text.parse::<i64>() {
        return Value::from(i);
    }
    if let Ok(f) = text.parse::<f64>()
        && f.is_finite()
    {
        return Value::from(f);
    }
    match text {
        "true" => Value::from(true),
        "false" => Value::from(false),
        _ => Value::from(text.trim_matches('"')),
    }
}

/// Sets the value at `parts` in the document: every parent must exist; the last key may
/// be new (the loader then judges whether the field exists).
fn set_in_document(doc: &mut DocumentMut, parts: &[String], value: &str) -> Result<(), String> {
    let (last, parents) = parts.split_last().ok_or("an empty path")?;
    let mut table: &mut dyn TableLike = doc.as_table_mut();
    for (depth, key) in parents.iter().enumerate() {
        let here = || parts[..=depth].join(".");
        let (name, index) = indexed(key);
        let item = table
            .get_mut(name)
            .ok_or_else(|| format!("`{}` is not in the scenario", here()))?;
        table = match index {
            None => item
                .as_table_like_mut()
                .ok_or_else(|| format!("`{}` is a value, not a table", here()))?,
            Some(i) => item
                .as_array_of_tables_mut()
                .ok_or_else(|| format!("`{name}` is not an array of tables"))?
                .get_mut(i)
                .ok_or_else(|| format!("`{name}` has no element {i}"))?,
        };
    }
    let (name, index) = indexed(last);
    if index.is_some() {
        return Err("a path must end at a value, not an array element".to_string());
    }
    let mut new = value_of(value);
    match table.get_mut(name) {
        Some(existing) if existing.is_table_like() || existing.is_array_of_tables() => Err(
            format!("`{}` is a table; name one of its values", parts.join(".")),
        ),
        Some(existing) => {
            if let Some(old) = existing.as_value() {
                *new.decor_mut() = old.decor().clone();
            }
            *existing = Item::Value(new);
            Ok(())
        }
        None => {
            table.insert(name, Item::Value(new));
            Ok(())
        }
    }
}

/// `name[3]` → (`name`, Some(3)); `name` → (`name`, None).
fn indexed(key: &str) -> (&str, Option<usize>) {
    if let Some(open) = key.rfind('[')
        && key.ends_with(']')
        && let Ok(i) = key[open + 1..key.len() - 1].parse()
    {
        return (&key[..open], Some(i));
    }
    (key, None)
}

/// Fields of a region pair a `links.` path may set.
const LINK_FIELDS: [&str; 3] = [
    "bandwidth_mib_per_s",
    "per_job_cap_mib_per_s",
    "bandwidth_gbps",
];

/// `links.<source>><destination>.<field>`: the region pair with that source and
/// destination.
fn set_link(doc: &mut DocumentMut, parts: &[String], value: &str) -> Result<(), String> {
    let [_, link, field] = parts else {
        return Err("a link path is links.<source>><destination>.<field>".to_string());
    };
    let (source, destination) = link.split_once('>').ok_or_else(|| {
        format!("`{link}` is not <source>><destination>, e.g. us-east-1>us-west-2")
    })?;
    if !LINK_FIELDS.contains(&field.as_str()) {
        return Err(format!(
            "a link has no field `{field}`; valid: {}",
            LINK_FIELDS.join(", ")
        ));
    }
    let pairs = doc
        .get_mut("region_pairs")
        .and_then(Item::as_array_of_tables_mut)
        .ok_or("the scenario has no [[region_pairs]]")?;
    let pair = pairs
        .iter_mut()
        .find(|t| {
            t.get("source").and_then(Item::as_str) == Some(source)
                && t.get("destination").and_then(Item::as_str) == Some(destination)
        })
        .ok_or_else(|| format!("no region pair from {source} to {destination}"))?;
    let (key, text) = if field == "bandwidth_gbps" {
        let gbps: f64 = value
            .parse()
            .map_err(|_| format!("`{value}` is not a number of Gbit/s"))?;
        (
            "bandwidth_mib_per_s",
            format!("{}", gbps * GBPS_IN_MIB_PER_S),
        )
    } else {
        (field.as_str(), value.to_string())
    };
    let mut new = value_of(&text);
    if let Some(old) = pair.get(key).and_then(Item::as_value) {
        *new.decor_mut() = old.decor().clone();
    }
    pair.insert(key, Item::Value(new));
    Ok(())
}

/// Every path `--set` could name in the document: its values, and the link fields.
fn valid_paths(doc: &DocumentMut) -> Vec<String> {
    fn walk(table: &dyn TableLike, prefix: &str, out: &mut Vec<String>) {
        for (key, item) in table.iter() {
            let path = if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            };
            if let Some(t) = item.as_table_like() {
                walk(t, &path, out);
            } else if let Some(a) = item.as_array_of_tables() {
                for (i, t) in a.iter().enumerate() {
                    walk(t, &format!("{path}[{i}]"), out);
                }
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(doc.as_table(), "", &mut out);
    if let Some(pairs) = doc.get("region_pairs").and_then(Item::as_array_of_tables) {
        for t in pairs.iter() {
            if let (Some(s), Some(d)) = (
                t.get("source").and_then(Item::as_str),
                t.get("destination").and_then(Item::as_str),
            ) {
                out.extend(LINK_FIELDS.map(|f| format!("links.{s}>{d}.{f}")));
            }
        }
    }
    out
}

/// The candidate closest to `path` (Levenshtein distance, ignoring case).
pub fn nearest<'a>(
    path: &str,
    candidates: impl IntoIterator<Item = &'a String>,
) -> Option<&'a str> {
    let wanted = path.to_lowercase();
    candidates
        .into_iter()
        .min_by_key(|c| (strsim::levenshtein(&wanted, &c.to_lowercase()), c.len()))
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "# a comment\n[tiers.Tier1]\nrto_hours = 4 # four hours\nrpo_hours = 1\n\n\
                        [[region_pairs]]\nsource = \"us-east-1\"\ndestination = \"us-west-2\"\n\
                        bandwidth_mib_per_s = 2000\n\n\
                        [plans.Daily.rules.R]\nlifecycle = { delete_after_days = 35 }\n";

    fn set(path: &str, value: &str) -> Setting {
        Setting {
            path: path.to_string(),
            value: value.to_string(),
        }
    }

    #[test]
    fn a_scenario_value_is_replaced_in_place_keeping_every_other_byte() {
        let (text, rules) = apply(
            Path::new("s.toml"),
            TEXT,
            &[set("tiers.Tier1.rto_hours", "2")],
        )
        .unwrap();
        assert!(rules.is_empty());
        assert_eq!(text, TEXT.replace("rto_hours = 4 #", "rto_hours = 2 #"));
    }

    #[test]
    fn inline_tables_and_new_keys_are_reached() {
        let (text, _) = apply(
            Path::new("s.toml"),
            TEXT,
            &[set(
                "plans.Daily.rules.R.lifecycle.move_to_cold_storage_after_days",
                "7",
            )],
        )
        .unwrap();
        let line = text.lines().last().unwrap();
        assert!(
            line.starts_with("lifecycle = { delete_after_days = 35"),
            "{text}"
        );
        assert!(
            line.ends_with("move_to_cold_storage_after_days = 7 }"),
            "{text}"
        );
    }

    #[test]
    fn gigabits_become_mebibytes_per_second() {
        // 10⁹ / 8 / 2²⁰ = 119.20928955078125 MiB/s per Gbit/s (exact in binary).
        let (text, _) = apply(
            Path::new("s.toml"),
            TEXT,
            &[set("links.us-east-1>us-west-2.bandwidth_gbps", "2")],
        )
        .unwrap();
        assert!(
            text.contains("bandwidth_mib_per_s = 238.4185791015625"),
            "{text}"
        );
        assert_eq!(text.lines().count(), TEXT.lines().count());
    }

    #[test]
    fn plans_not_in_the_file_are_left_for_the_policies() {
        let (_, rules) = apply(
            Path::new("s.toml"),
            TEXT,
            &[set(
                "plans.Prod.rules.Daily.lifecycle.delete_after_days",
                "90",
            )],
        )
        .unwrap();
        assert_eq!(
            rules,
            [RuleOverride {
                path: "plans.Prod.rules.Daily.lifecycle.delete_after_days".to_string(),
                plan: "Prod".to_string(),
                rule: "Daily".to_string(),
                field: vec!["lifecycle".to_string(), "delete_after_days".to_string()],
                value: "90".to_string(),
            }]
        );
    }

    #[test]
    fn unknown_paths_name_the_nearest_and_tables_are_not_values() {
        let e = apply(
            Path::new("s.toml"),
            TEXT,
            &[set("tiers.Tier2.rto_hours", "1")],
        )
        .unwrap_err();
        assert_eq!(e.0[0].path, "--set tiers.Tier2.rto_hours");
        assert_eq!(
            e.0[0].help.as_deref(),
            Some("nearest valid path: tiers.Tier1.rto_hours")
        );
        let e = apply(Path::new("s.toml"), TEXT, &[set("tiers.Tier1", "1")]).unwrap_err();
        assert!(e.0[0].message.contains("is a table"), "{}", e.0[0].message);
        let e = apply(
            Path::new("s.toml"),
            TEXT,
            &[set("links.us-east-1>us-west-2.speed", "1")],
        )
        .unwrap_err();
        assert!(
            e.0[0].message.contains("valid: bandwidth_mib_per_s"),
            "{}",
            e.0[0].message
        );
    }
}
