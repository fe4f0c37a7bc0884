//! Scenario files: the TOML schema (`raw`), loading with source positions (`load`),
//! validation and resolution into the `model` (`resolve`, `check`), and the seeded estate
//! generator (`estate`). Only this module knows the scenario file format.

pub mod check;
pub mod error;
pub mod estate;
pub mod load;
pub mod overrides;
pub mod plans;
pub mod policies;
pub mod raw;
pub mod requirements;
pub mod resolve;

pub use error::{ScenarioError, ScenarioErrors};
pub use load::{Scenario, load, load_with, parse, sha256_hex};
pub use resolve::resolve;

use std::path::Path;

/// Loads and resolves a scenario file in one step.
pub fn load_model(file: &Path) -> Result<(Scenario, crate::model::Model), ScenarioErrors> {
    let scenario = load(file)?;
    let model = resolve(&scenario)?;
    Ok((scenario, model))
}
