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

pub use billing::{StoredInterval, billed_gb_months, cold_billed_until, early_deletion_gb_months};
pub use catalog::{Catalog, CatalogErrors, PriceItem, load_catalog};
