//! The price catalog: unit prices per (region, resource type, item) with their sources,
//! and the billing rules, read from a TOML file (`scenarios/prices/aws-backup.toml`,
//! described in `docs/prices.md`). Every problem names the file, the line and the field.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::model::{Capabilities, ResourceType};
use crate::scenario::ScenarioError;
use crate::scenario::check::{Problems, is_region_name};
use crate::scenario::error::Problem;
use crate::scenario::load::{parse_toml, read_text};

/// What a price is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PriceItem {
    /// Warm storage, $/GB-month.
    WarmStorage,
    /// Cold storage, $/GB-month.
    ColdStorage,
    /// Restore from warm storage, $/GB.
    RestoreWarm,
    /// Restore from cold storage, $/GB.
    RestoreCold,
    /// Item-level restore, $/request.
    ItemRestoreRequest,
    /// Continuous-backup (point-in-time recovery) storage, $/GB-month.
    ContinuousStorage,
    /// Cross-region copy transfer, $/GB, billed to the source region.
    CrossRegionTransfer,
}

impl PriceItem {
    pub const ALL: [PriceItem; 7] = [
        PriceItem::WarmStorage,
        PriceItem::ColdStorage,
        PriceItem::RestoreWarm,
        PriceItem::RestoreCold,
        PriceItem::ItemRestoreRequest,
        PriceItem::ContinuousStorage,
        PriceItem::CrossRegionTransfer,
    ];

    /// The catalog's name of the item.
    pub fn name(self) -> &'static str {
        match self {
            PriceItem::WarmStorage => "warm_storage",
            PriceItem::ColdStorage => "cold_storage",
            PriceItem::RestoreWarm => "restore_warm",
            PriceItem::RestoreCold => "restore_cold",
            PriceItem::ItemRestoreRequest => "item_restore_request",
            PriceItem::ContinuousStorage => "continuous_storage",
            PriceItem::CrossRegionTransfer => "cross_region_transfer",
        }
    }

    /// The unit its price is quoted in.
    pub fn unit(self) -> &'static str {
        match self {
            PriceItem::WarmStorage | PriceItem::ColdStorage | PriceItem::ContinuousStorage => {
                "GB-month"
            }
            PriceItem::RestoreWarm | PriceItem::RestoreCold | PriceItem::CrossRegionTransfer => {
                "GB"
            }
            PriceItem::ItemRestoreRequest => "request",
        }
    }
}

/// Where a price comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// Printed by AWS.
    Aws,
    /// Printed by someone else, unverified against AWS.
    ThirdParty,
    /// Computed from other prices by a stated rule.
    Derived,
    /// Set by the scenario's `[[costs.override]]`.
    Scenario,
}

impl SourceKind {
    pub const ALL: [SourceKind; 4] = [
        SourceKind::Aws,
        SourceKind::ThirdParty,
        SourceKind::Derived,
        SourceKind::Scenario,
    ];

    /// The kind's name in the catalog and in reports.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Aws => "aws",
            SourceKind::ThirdParty => "third_party",
            SourceKind::Derived => "derived",
            SourceKind::Scenario => "scenario_override",
        }
    }
}

/// One unit price.
#[derive(Debug, Clone, PartialEq)]
pub struct Price {
    pub usd: f64,
    pub source: String,
    pub source_kind: SourceKind,
}

/// A loaded price catalog.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub name: String,
    /// Bytes per billed GB.
    pub gb_bytes: f64,
    /// Types metered per GB-day (whole days).
    pub gb_day_types: Vec<ResourceType>,
    /// Minimum days billed for a point in cold storage.
    pub cold_minimum_days: i64,
    /// (region, resource type or `None` for every type, item) → price.
    prices: BTreeMap<(String, Option<ResourceType>, PriceItem), Price>,
}

impl Catalog {
    /// The price of `item` for `resource_type` in `region`: the type's own, else the
    /// catalog's price for every type (`resource_type = "any"`); `None` when the catalog
    /// has neither (never read as free).
    pub fn price(
        &self,
        region: &str,
        resource_type: ResourceType,
        item: PriceItem,
    ) -> Option<&Price> {
        self.prices
            .get(&(region.to_string(), Some(resource_type), item))
            .or_else(|| self.prices.get(&(region.to_string(), None, item)))
    }

    /// Replaces (or adds) one price: a scenario's override.
    pub fn override_price(
        &mut self,
        region: &str,
        resource_type: Option<ResourceType>,
        item: PriceItem,
        usd: f64,
    ) {
        self.prices.insert(
            (region.to_string(), resource_type, item),
            Price {
                usd,
                source: "scenario override".to_string(),
                source_kind: SourceKind::Scenario,
            },
        );
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    catalog: RawCatalogInfo,
    billing: RawBilling,
    #[serde(default)]
    price: Vec<RawPrice>,
    /// What could not be found: documentation only.
    #[serde(default)]
    #[allow(dead_code)]
    gaps: Option<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawCatalogInfo {
    name: String,
    currency: String,
    format_version: i64,
    read_on: String,
    #[serde(default)]
    regions: Vec<String>,
    #[serde(default)]
    resource_types: Vec<String>,
}

/// The billing rules. The engine reads the quantities it needs; the other keys document
/// AWS's rules (with their sources) and are checked for presence only by serde, except
/// the two lists of types, which must agree with `ResourceType::capabilities`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawBilling {
    storage_unit: String,
    gb_bytes: f64,
    gb_month_hours: String,
    gb_day_types: Vec<String>,
    gb_day_rounding: String,
    cold_minimum_days: i64,
    cold_early_delete: String,
    #[serde(default)]
    ebs_archive_early_delete_rounding: Option<String>,
    /// Checked against the types AWS documents with cold storage, never read otherwise:
    /// a type's cold storage comes from the scenario, bounded by the same table.
    cold_types: Vec<String>,
    #[serde(default)]
    ebs_archive_bills_full_snapshot: Option<bool>,
    #[serde(default)]
    s3_minimum_object_bytes: Option<i64>,
    #[serde(default)]
    transfer_billed_to: Option<String>,
    #[serde(default)]
    transfer_billed_once_per_copied_byte: Option<bool>,
    #[serde(default)]
    transfer_priced_by: Option<String>,
    #[serde(default)]
    failed_copy_charged: Option<bool>,
    #[serde(default)]
    restore_billing_basis: Option<String>,
    #[serde(default)]
    restore_cold_points_use_cold_rate: Option<bool>,
    #[serde(default)]
    rds_aurora_free_backup_equals_db_storage: Option<bool>,
    #[serde(default)]
    source: Option<toml::Table>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawPrice {
    region: String,
    resource_type: String,
    item: String,
    unit: String,
    usd: f64,
    source: String,
    source_kind: String,
    read_on: String,
    #[serde(default)]
    usage_type: Option<String>,
    #[serde(default)]
    derived: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

/// The problems of a price catalog, each located in its file.
#[derive(Debug)]
pub struct CatalogErrors(pub Vec<ScenarioError>);

impl std::fmt::Display for CatalogErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        crate::diagnostic::write_errors(f, &self.0, "the price catalog")
    }
}

impl std::error::Error for CatalogErrors {}

/// Reads and validates a price catalog.
pub fn load_catalog(file: &Path) -> Result<Catalog, CatalogErrors> {
    let text = read_text(file, "price catalog").map_err(|e| CatalogErrors(e.0))?;
    parse_catalog(file, &text)
}

/// Validates catalog `text` read from `file`: every problem at once, each located.
pub fn parse_catalog(file: &Path, text: &str) -> Result<Catalog, CatalogErrors> {
    let (raw, spans) = parse_toml::<RawCatalog>(file, text).map_err(|e| CatalogErrors(e.0))?;
    let mut problems = Problems::default();
    let types = |problems: &mut Problems, names: &[String], path: &str| -> Vec<ResourceType> {
        names
            .iter()
            .enumerate()
            .filter_map(|(i, n)| {
                let t = ResourceType::parse(n);
                if t.is_none() && !UNMODELLED_TYPES.contains(&n.as_str()) {
                    problems.report(
                        format!("{path}[{i}]"),
                        format!("`{n}` is not a resource type; valid: {}", type_names()),
                    );
                }
                t
            })
            .collect()
    };
    let b = &raw.billing;
    if !(b.gb_bytes == 1e9 || b.gb_bytes == 1_073_741_824.0) {
        problems.report(
            "billing.gb_bytes",
            format!(
                "{} is not a GB; valid: 1073741824 (2^30) or 1000000000",
                b.gb_bytes
            ),
        );
    }
    problems.range_i64(b.cold_minimum_days, "billing.cold_minimum_days", 0, 3650);
    let gb_day_types = types(&mut problems, &b.gb_day_types, "billing.gb_day_types");
    types(&mut problems, &b.cold_types, "billing.cold_types");
    agrees_with_aws(
        &mut problems,
        &b.cold_types,
        "billing.cold_types",
        "cold storage",
        |c| c.cold_storage,
    );
    agrees_with_aws(
        &mut problems,
        &b.gb_day_types,
        "billing.gb_day_types",
        "GB-day metering",
        |c| c.billed_per_gb_day,
    );
    let mut prices = BTreeMap::new();
    for (i, p) in raw.price.iter().enumerate() {
        let path = format!("price[{i}]");
        if !is_region_name(&p.region) {
            problems.report(
                format!("{path}.region"),
                format!("`{}` is not a region name; valid: e.g. us-east-1", p.region),
            );
        }
        let resource_type = match p.resource_type.as_str() {
            "any" => Some(None),
            name => match ResourceType::parse(name) {
                Some(t) => Some(Some(t)),
                None => {
                    problems.report(
                        format!("{path}.resource_type"),
                        format!(
                            "`{name}` is not a resource type; valid: any, {}",
                            type_names()
                        ),
                    );
                    None
                }
            },
        };
        let item = PriceItem::ALL.into_iter().find(|it| it.name() == p.item);
        match item {
            None => problems.report(
                format!("{path}.item"),
                format!(
                    "`{}` is not a price item; valid: {}",
                    p.item,
                    PriceItem::ALL.map(PriceItem::name).join(", ")
                ),
            ),
            Some(it) if it.unit() != p.unit => problems.report(
                format!("{path}.unit"),
                format!(
                    "`{}` is not the unit of {}; valid: {}",
                    p.unit,
                    it.name(),
                    it.unit()
                ),
            ),
            Some(_) => {}
        }
        if !(p.usd.is_finite() && p.usd >= 0.0) {
            problems.report(
                format!("{path}.usd"),
                format!("{} must be a price in USD ≥ 0", p.usd),
            );
        }
        let source_kind = match p.source_kind.as_str() {
            "aws" => Some(SourceKind::Aws),
            "third_party" => Some(SourceKind::ThirdParty),
            "derived" => Some(SourceKind::Derived),
            other => {
                problems.report(
                    format!("{path}.source_kind"),
                    format!("`{other}` is not a source kind; valid: aws, third_party, derived"),
                );
                None
            }
        };
        if source_kind == Some(SourceKind::Derived) && p.derived.is_none() {
            problems.report(
                format!("{path}.derived"),
                "a derived price must state the rule it was derived by",
            );
        }
        if let (Some(t), Some(it), Some(kind)) = (resource_type, item, source_kind) {
            let key = (p.region.clone(), t, it);
            if prices.contains_key(&key) {
                problems.report(
                    format!("{path}.item"),
                    format!(
                        "a second price for ({}, {}, {}); valid: one price per region, type and item",
                        p.region, p.resource_type, p.item
                    ),
                );
            }
            prices.insert(
                key,
                Price {
                    usd: p.usd,
                    source: p.source.clone(),
                    source_kind: kind,
                },
            );
        }
    }
    if !problems.0.is_empty() {
        let mut errors: Vec<ScenarioError> = problems
            .0
            .into_iter()
            .map(|problem| spans.error(file, problem))
            .collect();
        errors.sort_by_key(|e| (e.line.unwrap_or(usize::MAX), e.column, e.path.clone()));
        return Err(CatalogErrors(errors));
    }
    Ok(Catalog {
        name: raw.catalog.name,
        gb_bytes: b.gb_bytes,
        gb_day_types,
        cold_minimum_days: b.cold_minimum_days,
        prices,
    })
}

/// The types AWS Backup supports that vaultsim does not model, accepted in the billing
/// lists so that they can be written as AWS writes them.
const UNMODELLED_TYPES: [&str; 3] = ["VMware", "SAPHANA", "Timestream"];

/// Checks a `[billing]` list of types against the table of what AWS documents
/// (`ResourceType::capabilities`, selected by `has`): which types have cold storage or
/// GB-day metering is AWS's fact, which the scenario check and the engine read from that
/// table, so a catalog that says otherwise is refused rather than half used. Types
/// vaultsim does not model are left to the catalog.
fn agrees_with_aws(
    problems: &mut Problems,
    names: &[String],
    path: &str,
    what: &str,
    has: fn(Capabilities) -> bool,
) {
    let valid = format!(
        "valid: {} (and {}, which vaultsim does not model)",
        ResourceType::names_where(has),
        UNMODELLED_TYPES.join(", ")
    );
    let listed: Vec<ResourceType> = names
        .iter()
        .filter_map(|n| ResourceType::parse(n))
        .collect();
    for (i, name) in names.iter().enumerate() {
        if let Some(t) = ResourceType::parse(name).filter(|t| !has(t.capabilities())) {
            problems.push(
                Problem::new(
                    format!("{path}[{i}]"),
                    format!("AWS documents no {what} for {t}"),
                )
                .with_help(valid.clone()),
            );
        }
    }
    let missing: Vec<&str> = ResourceType::ALL
        .into_iter()
        .filter(|t| has(t.capabilities()) && !listed.contains(t))
        .map(ResourceType::name)
        .collect();
    if !missing.is_empty() {
        problems.push(
            Problem::new(
                path,
                format!(
                    "leaves out {}, which AWS documents with {what}",
                    missing.join(", ")
                ),
            )
            .with_help(valid),
        );
    }
}

fn type_names() -> String {
    ResourceType::ALL.map(ResourceType::name).join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_catalog() -> Catalog {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/prices/aws-backup.toml");
        load_catalog(&file).unwrap_or_else(|e| panic!("{e}"))
    }

    /// The shipped catalog loads, covers the four regions and eight types the forecast
    /// needs for warm storage, and applies AWS's documented rules (GB = 2^30 bytes, a
    /// 90-day cold minimum, GB-day metering for EFS and S3).
    #[test]
    fn the_shipped_catalog_loads_and_covers_warm_storage() {
        let c = default_catalog();
        assert_eq!(c.gb_bytes, 1_073_741_824.0);
        assert_eq!(c.cold_minimum_days, 90);
        assert!(c.gb_day_types.contains(&ResourceType::Efs));
        assert!(c.gb_day_types.contains(&ResourceType::S3));
        for region in ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1"] {
            for t in [
                ResourceType::Ebs,
                ResourceType::Ec2,
                ResourceType::Rds,
                ResourceType::Aurora,
                ResourceType::DynamoDb,
                ResourceType::Efs,
                ResourceType::S3,
                ResourceType::Fsx,
            ] {
                let p = c.price(region, t, PriceItem::WarmStorage);
                assert!(p.is_some_and(|p| p.usd > 0.0), "{region} {t:?}");
            }
            // Cross-region transfer is priced for every type by the source region.
            assert!(
                c.price(region, ResourceType::Ebs, PriceItem::CrossRegionTransfer)
                    .is_some()
            );
        }
        // EBS archive (cold) is a quarter of standard snapshot storage (EBS documentation).
        let warm = c
            .price("us-east-1", ResourceType::Ebs, PriceItem::WarmStorage)
            .unwrap();
        let cold = c
            .price("us-east-1", ResourceType::Ebs, PriceItem::ColdStorage)
            .unwrap();
        assert_eq!((warm.usd, cold.usd), (0.05, 0.0125));
        assert_eq!(cold.source_kind, SourceKind::Aws);
    }

    #[test]
    fn bad_prices_are_located_and_all_reported() {
        let text = r#"
[catalog]
name = "x"
currency = "USD"
format_version = 1
read_on = "2026-11-26"

[billing]
storage_unit = "GB-month"
gb_bytes = 1073741824
gb_month_hours = "hours_in_calendar_month"
gb_day_types = ["EFS", "S3"]
gb_day_rounding = "whole_day"
cold_minimum_days = 90
cold_early_delete = "pro_rata_remaining_days"
cold_types = ["EBS", "EFS", "DynamoDB"]

[[price]]
region = "us-east-1"
resource_type = "EBS"
item = "warm_storge"
unit = "GB-month"
usd = 0.05
source = "x"
source_kind = "aws"
read_on = "2026-11-26"

[[price]]
region = "us-east-1"
resource_type = "EBS"
item = "cold_storage"
unit = "GB"
usd = -1
source = "x"
source_kind = "derived"
read_on = "2026-11-26"
"#;
        let e = parse_catalog(Path::new("c.toml"), text).expect_err("invalid");
        let text = e.to_string();
        for fragment in [
            "c.toml:21:8: price[0].item",
            "`warm_storge` is not a price item; valid: warm_storage",
            "price[1].unit",
            "valid: GB-month",
            "price[1].usd",
            "price[1].derived",
            "4 errors in the price catalog",
        ] {
            assert!(text.contains(fragment), "missing `{fragment}` in:\n{text}");
        }
    }

    /// Which types have cold storage and which are metered per GB-day is AWS's fact,
    /// held once in `ResourceType::capabilities`: a catalog that lists RDS as cold, leaves
    /// EFS out or meters EBS per GB-day is refused where it says so, with the valid list.
    /// Types vaultsim does not model may stay.
    #[test]
    fn billing_type_lists_must_agree_with_aws() {
        let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/prices/aws-backup.toml");
        let shipped = std::fs::read_to_string(&file).expect("the shipped catalog");
        let text = [
            (
                r#"cold_types = ["EBS", "EFS", "DynamoDB"]"#,
                r#"cold_types = ["EBS", "RDS", "DynamoDB", "VMware"]"#,
            ),
            (
                r#"gb_day_types = ["EFS", "S3", "#,
                r#"gb_day_types = ["EFS", "S3", "EBS", "#,
            ),
        ]
        .into_iter()
        .fold(shipped, |text, (from, to)| {
            assert!(text.contains(from), "{from}");
            text.replace(from, to)
        });
        let line = |key: &str| {
            1 + text
                .lines()
                .position(|l| l.starts_with(key))
                .expect("the key is in the catalog")
        };
        let (cold, gb_day) = (line("cold_types = "), line("gb_day_types = "));
        let e = parse_catalog(Path::new("c.toml"), &text).expect_err("disagrees with AWS");
        let text = e.to_string();
        for fragment in [
            format!(
                "c.toml:{gb_day}:30: billing.gb_day_types[2]\n  AWS documents no GB-day metering for EBS\n  help: valid: EFS, S3 (and VMware, SAPHANA, Timestream, which vaultsim does not model)"
            ),
            format!(
                "c.toml:{cold}:14: billing.cold_types\n  leaves out EFS, which AWS documents with cold storage\n  help: valid: EBS, DynamoDB, EFS (and VMware"
            ),
            format!(
                "c.toml:{cold}:22: billing.cold_types[1]\n  AWS documents no cold storage for RDS"
            ),
            "3 errors in the price catalog".to_string(),
        ] {
            assert!(text.contains(&fragment), "missing `{fragment}` in:\n{text}");
        }
    }
}
