//! What a backup design costs: the price catalog and AWS Backup's billing rules
//! (aws-backup-facts §4, §10; `docs/prices.md`).
//!
//! - [`catalog`] loads a price catalog (`scenarios/prices/aws-backup.toml`): unit prices
//!   per region, resource type and item, each with its source, and the billing rules.
//! - [`billing`] turns stored bytes over time into billed GB-months the way AWS bills them:
//!   averaged over the calendar month (GB-hours ÷ hours in that month), per whole day for
//!   the types AWS meters by GB-day, and cold storage billed for at least 90 days.
//!
//! This is the groundwork of the cost forecast (issue 5): the trial does not price its
//! storage yet.

pub mod billing;
pub mod catalog;

pub use billing::{StoredInterval, billed_gb_months, cold_billed_until};
pub use catalog::{Catalog, CatalogErrors, PriceItem, load_catalog};
