//! Compliance: where a design falls short of what it promised — the tier matrix, the
//! environment table, the data-classification rules, the frameworks it names, and AWS
//! Backup Audit Manager's controls (aws-backup-facts §7–§8).
//!
//! Two kinds of findings: static ones from the model alone (`check`), and simulated ones
//! from the Monte Carlo estimates (`simulated`). Both are pure: model (and estimates) in,
//! a [`Report`] out; the writers live in `report::`.

use crate::model::Finding;

/// Everything a compliance evaluation produced.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The findings, most severe first.
    pub findings: Vec<Finding>,
    /// Each control evaluated over each scope (JUnit test cases, the control report).
    pub controls: Vec<ControlEvaluation>,
    /// Each control evaluated on each resource in its scope (the resource report).
    pub resources: Vec<ResourceEvaluation>,
}

/// One control (an Audit Manager control or a vaultsim check) of one framework,
/// evaluated over one scope (for example the resources of one OU).
#[derive(Debug, Clone, PartialEq)]
pub struct ControlEvaluation {
    /// The framework the control belongs to (`vaultsim-design`, `HIPAA`, …).
    pub framework: String,
    /// Audit Manager's control name (`BACKUP_PLAN_MIN_FREQUENCY_AND_MIN_RETENTION_CHECK`)
    /// or a vaultsim check id (`VS-…`).
    pub control: String,
    /// What was evaluated: e.g. `OU Production`.
    pub scope: String,
    /// The control's parameters, as Audit Manager names them.
    pub parameters: Vec<(String, String)>,
    pub compliant: usize,
    pub non_compliant: usize,
    /// Indices into `Report::findings` of the findings this evaluation raised.
    pub findings: Vec<usize>,
}

impl ControlEvaluation {
    pub fn is_compliant(&self) -> bool {
        self.non_compliant == 0
    }
}

/// One control evaluated on one resource (AWS's resource compliance report). There is
/// one per resource in each control's scope, so the indices are 32-bit: 12 bytes each
/// instead of 24.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceEvaluation {
    control: u32,
    resource: u32,
    pub compliant: bool,
    /// The non-compliance raised a finding (the requirement asks for the control); the
    /// rest are recorded for the reports only.
    pub raised: bool,
}

impl ResourceEvaluation {
    /// Panics when an index does not fit in 32 bits (the estate holds at most
    /// `scenario::resolve::MAX_RESOURCES` resources).
    pub fn new(control: usize, resource: usize, compliant: bool, raised: bool) -> Self {
        ResourceEvaluation {
            control: u32::try_from(control).expect("fewer than 2^32 controls"),
            resource: u32::try_from(resource).expect("fewer than 2^32 resources"),
            compliant,
            raised,
        }
    }

    /// Index into `Report::controls`.
    pub fn control(&self) -> usize {
        self.control as usize
    }

    /// Index into `Model::resources`.
    pub fn resource(&self) -> usize {
        self.resource as usize
    }
}

pub mod check;

pub use check::check;
pub mod simulated;

pub use simulated::simulated;
