//! The simulation core: one trial of the model, as a pure function.
//!
//! `simulate(&Model, trial, seed)` does no I/O, reads no clock, touches no global state
//! and starts no threads; randomness comes only from `rng::stream`, keyed by (seed, trial,
//! resource, stream). It cannot fail on a model that `scenario::resolve` accepted:
//! impossible states are `assert!`s. The Monte Carlo driver (`montecarlo`) runs it.

pub mod copy;
pub mod cost;
pub mod disaster;
pub mod link;
pub mod ops;
pub mod outcome;
mod resource;
mod slots;
pub mod trial;
pub mod wave;

pub use outcome::{
    CopyCounts, GroupOutcome, JobCounts, OutageTimeline, StorageClass, StorageDays, TrialOutcome,
    View,
};
pub use trial::{simulate, simulate_into, simulate_with};
