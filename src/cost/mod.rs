//! What a backup design costs: the price catalog and AWS Backup's billing rules
//! (aws-backup-facts §4, §10; `docs/prices.md`).
//!
//! - [`catalog`] loads a price catalog (`scenarios/prices/aws-backup.toml`): unit prices
//!   per region, resource type and item, each with its source, and the billing rules.
//! - [`billing`] turns stored bytes over time into billed GB-months the way AWS bills them:
//!   averaged over the calendar month (GB-hours ÷ hours in that month), per whole day for
//!   the types AWS meters by GB-day, and cold storage billed for at least 90 days.
//!
//! The trial tallies the billed quantities (`sim::outcome::CostTally`) and prices them
//! with the scenario's catalog (`model::Costs`).

pub mod billing;
pub mod catalog;

pub use billing::{
    MeteredSpan, MonthStorage, StoredInterval, billed_gb_months, cold_billed_until,
    early_deletion_gb_months, fold_storage, meter_storage, metered, metered_byte_seconds,
};
pub use catalog::{Catalog, CatalogErrors, PriceItem, SourceKind, load_catalog, parse_catalog};

/// A billed quantity of a trial, each priced by one catalog item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Charge {
    /// Warm storage, GB-months.
    Warm = 0,
    /// Cold storage, GB-months.
    Cold = 1,
    /// Cold storage billed for the rest of the 90-day minimum, GB-months.
    EarlyDeletion = 2,
    /// Continuous-backup (point-in-time recovery) storage, GB-months.
    Continuous = 3,
    /// Cross-region copy transfer, GB, billed to the source region.
    Transfer = 4,
    /// Restores from warm points, GB.
    RestoreWarm = 5,
    /// Restores from cold points, GB.
    RestoreCold = 6,
}

impl Charge {
    pub const ALL: [Charge; 7] = [
        Charge::Warm,
        Charge::Cold,
        Charge::EarlyDeletion,
        Charge::Continuous,
        Charge::Transfer,
        Charge::RestoreWarm,
        Charge::RestoreCold,
    ];

    /// The catalog item that prices the charge.
    pub fn item(self) -> PriceItem {
        match self {
            Charge::Warm => PriceItem::WarmStorage,
            Charge::Cold | Charge::EarlyDeletion => PriceItem::ColdStorage,
            Charge::Continuous => PriceItem::ContinuousStorage,
            Charge::Transfer => PriceItem::CrossRegionTransfer,
            Charge::RestoreWarm => PriceItem::RestoreWarm,
            Charge::RestoreCold => PriceItem::RestoreCold,
        }
    }

    /// The report category the charge adds to (`COST_CATEGORIES`).
    pub fn category(self) -> usize {
        match self {
            Charge::Warm => 0,
            Charge::Cold => 1,
            Charge::EarlyDeletion => 2,
            Charge::Continuous => 3,
            Charge::Transfer => 4,
            Charge::RestoreWarm | Charge::RestoreCold => 5,
        }
    }

    /// The charge's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Charge::Warm => "warm",
            Charge::Cold => "cold",
            Charge::EarlyDeletion => "early_deletion",
            Charge::Continuous => "continuous",
            Charge::Transfer => "transfer",
            Charge::RestoreWarm => "restore_warm",
            Charge::RestoreCold => "restore_cold",
        }
    }

    /// The quantity's unit.
    pub fn unit(self) -> &'static str {
        match self {
            Charge::Warm | Charge::Cold | Charge::EarlyDeletion | Charge::Continuous => "GB-month",
            Charge::Transfer | Charge::RestoreWarm | Charge::RestoreCold => "GB",
        }
    }
}

/// The cost categories of the forecast, in report order.
pub const COST_CATEGORIES: [&str; 6] = [
    "warm",
    "cold",
    "early_deletion",
    "continuous",
    "transfer",
    "restore",
];

/// The dimensions the forecast is broken down by, in report order.
pub const COST_DIMENSIONS: [&str; 7] = [
    "ou",
    "environment",
    "tier",
    "data_class",
    "resource_type",
    "region",
    "price_source",
];
