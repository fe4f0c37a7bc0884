//! The integration tests: one binary (STYLE.md) with topic modules.

mod capabilities;
mod cli;
mod common;
mod compare;
mod compliance;
mod copies;
mod cost;
mod disasters;
mod exact;
mod gate;
mod plots;
mod policy;
mod policy_scenario;
mod shards;
mod statistical;
mod sweep;
