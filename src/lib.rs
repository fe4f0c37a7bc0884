//! vaultsim: Monte Carlo simulation of AWS Backup designs across an AWS organization.
//!
//! The pipeline runs one way (see ARCHITECTURE.md): `scenario` (load + resolve) →
//! `model` → `sim` (one pure trial) → `montecarlo` (parallel trials, exact accumulation)
//! → `report`. `cli` is the only layer that does I/O.

pub mod cli;
pub mod compare;
pub mod compliance;
pub mod cost;
pub mod diagnostic;
pub mod dist;
pub mod gate;
pub mod model;
pub mod montecarlo;
pub mod partial;
pub mod policy;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod schedule;
pub mod sim;
pub mod stats;
pub mod sweep;
