//! What the organization's service control policies stop a backup design from doing: one
//! decision, made once at resolution, that `check` reports and the simulation follows.
//!
//! A job needs, in AWS's documentation (docs/compliance.md "Service control policies"):
//! - its **vault** to exist: `backup:CreateBackupVault`, called by the vault's owner
//!   account in the vault's region. vaultsim takes the SCP to be in force when the design's
//!   vaults are created (a vault created before the SCP was attached survives it: to model
//!   that, leave `backup:CreateBackupVault` out of the SCP's actions);
//! - for a scheduled backup or copy to start, `backup:StartBackupJob` or
//!   `backup:StartCopyJob` in the **source** region (the API names the source vault and
//!   recovery point, both regional). AWS does not document whether a *scheduled* job is
//!   authorised as these actions: the scenario setting
//!   `simulation.scheduled_jobs_checked_against_scps` (default `true`, the reading that
//!   does not overstate recoverability) decides;
//! - for a copy, the copy itself, made under the backup selection's IAM role in the source
//!   account, in the **destination** region: `backup:CopyIntoBackupVault` and the
//!   service's own copy call (`ec2:CopySnapshot`, `ec2:CopyImage`, `rds:CopyDBSnapshot`,
//!   `rds:CopyDBClusterSnapshot`), granted to that role by AWS's managed policy
//!   `AWSBackupServiceRolePolicyForBackup`. SCPs apply to that role (a member account's IAM
//!   role), not to AWS Backup's service-linked role, which only pulls cross-account copies
//!   into an existing vault.
//!
//! An SCP denies an action in a region when it lists the action (exactly, as `service:*`
//! or as `*`, case-insensitively as IAM compares action names) and the region is not one
//! of its `allowed_regions`, and it is attached to an OU on the account's chain to the
//! root. Every account vaultsim models is a member account (SCPs never restrict the
//! management account).

use super::{Model, Vault};

/// A step of a backup or copy job that an SCP can deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScpStep {
    /// Creating the job's vault (`backup:CreateBackupVault`), in the vault's region, by
    /// its owner.
    CreateVault,
    /// A scheduled backup's start (`backup:StartBackupJob`), in the resource's region.
    StartBackup,
    /// A scheduled copy's start (`backup:StartCopyJob`), in the source region.
    StartCopy,
    /// The copy under the selection's role, in the destination region.
    Copy,
}

impl ScpStep {
    /// Every action of every step.
    pub const ALL_ACTIONS: [&'static str; 8] = [
        "backup:CreateBackupVault",
        "backup:StartBackupJob",
        "backup:StartCopyJob",
        "backup:CopyIntoBackupVault",
        "ec2:CopySnapshot",
        "ec2:CopyImage",
        "rds:CopyDBSnapshot",
        "rds:CopyDBClusterSnapshot",
    ];

    const ALL: [ScpStep; 4] = [
        ScpStep::CreateVault,
        ScpStep::StartBackup,
        ScpStep::StartCopy,
        ScpStep::Copy,
    ];

    /// The IAM actions of the step: any one of them denied denies the step.
    pub fn actions(self) -> &'static [&'static str] {
        match self {
            ScpStep::CreateVault => &["backup:CreateBackupVault"],
            ScpStep::StartBackup => &["backup:StartBackupJob"],
            ScpStep::StartCopy => &["backup:StartCopyJob"],
            ScpStep::Copy => &[
                "backup:CopyIntoBackupVault",
                "ec2:CopySnapshot",
                "ec2:CopyImage",
                "rds:CopyDBSnapshot",
                "rds:CopyDBClusterSnapshot",
            ],
        }
    }
}

/// Why a step is denied: the SCP (index into `Requirements::scps`) and the action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Denial {
    pub scp: usize,
    pub action: &'static str,
}

/// Per account, region and step, the first enabled SCP that denies it and the first SCP
/// declared but not enabled that would.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ScpDenials {
    regions: usize,
    /// `[(account × regions + region) × steps + step]`; empty while no SCP denies anything
    /// (the usual case: every job asks, and learns it without a lookup).
    enabled: Vec<Option<Denial>>,
    not_enabled: Vec<Option<Denial>>,
}

/// Whether `pattern` (an SCP's action) covers `action`: equal, `service:*` or `*`,
/// ignoring case.
fn covers(pattern: &str, action: &str) -> bool {
    if pattern == "*" || pattern.eq_ignore_ascii_case(action) {
        return true;
    }
    match (pattern.strip_suffix(":*"), action.split_once(':')) {
        (Some(service), Some((of, _))) => service.eq_ignore_ascii_case(of),
        _ => false,
    }
}

impl ScpDenials {
    /// The denials of `model`'s SCPs (`model.requirements.scps`) over its accounts and
    /// regions. `starts_checked`: `simulation.scheduled_jobs_checked_against_scps`.
    pub fn new(model: &Model, starts_checked: bool) -> ScpDenials {
        let regions = model.regions.len();
        let steps = ScpStep::ALL.len();
        let cells = model.accounts.len() * regions * steps;
        let mut out = ScpDenials {
            regions,
            enabled: Vec::new(),
            not_enabled: Vec::new(),
        };
        let scps = &model.requirements.scps;
        for (a, account) in model.accounts.iter().enumerate() {
            let mut chain = vec![account.ou];
            while let Some(parent) = model.ous[*chain.last().expect("non-empty")].parent {
                chain.push(parent);
            }
            for (s, scp) in scps.iter().enumerate() {
                if !scp.ous.iter().any(|o| chain.contains(o)) {
                    continue;
                }
                for (g, region) in model.regions.iter().enumerate() {
                    if scp.allowed_regions.iter().any(|r| r == region) {
                        continue;
                    }
                    for (k, step) in ScpStep::ALL.into_iter().enumerate() {
                        // Unchecked starts are never denied.
                        if !starts_checked
                            && matches!(step, ScpStep::StartBackup | ScpStep::StartCopy)
                        {
                            continue;
                        }
                        let action = step
                            .actions()
                            .iter()
                            .find(|action| scp.actions.iter().any(|p| covers(p, action)));
                        let Some(&action) = action else {
                            continue;
                        };
                        let table = if scp.enabled {
                            &mut out.enabled
                        } else {
                            &mut out.not_enabled
                        };
                        if table.is_empty() {
                            table.resize(cells, None);
                        }
                        table[(a * regions + g) * steps + k]
                            .get_or_insert(Denial { scp: s, action });
                    }
                }
            }
        }
        out
    }

    fn cell(&self, account: usize, region: u16, step: ScpStep) -> usize {
        // The steps are declared in `ScpStep::ALL`'s order.
        (account * self.regions + usize::from(region)) * ScpStep::ALL.len() + step as usize
    }

    /// The denial of `step` for `account` in `region`: by an enabled SCP, or (`enabled`
    /// false) by one declared but not enabled.
    pub fn denial(
        &self,
        account: usize,
        region: u16,
        step: ScpStep,
        enabled: bool,
    ) -> Option<Denial> {
        let table = if enabled {
            &self.enabled
        } else {
            &self.not_enabled
        };
        if table.is_empty() {
            return None;
        }
        table[self.cell(account, region, step)]
    }

    /// Whether an enabled SCP denies a backup of a resource of `account` in `region` into
    /// its own vault there.
    pub fn backup_denied(&self, account: usize, region: u16) -> bool {
        !self.enabled.is_empty() && self.backup_denial(account, region, true).is_some()
    }

    /// Whether an enabled SCP denies anything at all (else no job needs to ask).
    pub fn denies_any(&self) -> bool {
        !self.enabled.is_empty()
    }

    /// The denial of a backup of `account` in `region` (see [`ScpDenials::denial`]).
    pub fn backup_denial(&self, account: usize, region: u16, enabled: bool) -> Option<Denial> {
        [ScpStep::CreateVault, ScpStep::StartBackup]
            .into_iter()
            .find_map(|step| self.denial(account, region, step, enabled))
    }

    /// The denial of a copy from `account` in `source` into `vault` (owned by
    /// `vault_owner`) in `destination`: the vault's creation by its owner, the copy's
    /// start in the source region, the copy under the source account's role in the
    /// destination.
    pub fn copy_denial(
        &self,
        account: usize,
        source: u16,
        vault_owner: usize,
        destination: u16,
        enabled: bool,
    ) -> Option<Denial> {
        self.denial(vault_owner, destination, ScpStep::CreateVault, enabled)
            .or_else(|| self.denial(account, source, ScpStep::StartCopy, enabled))
            .or_else(|| self.denial(account, destination, ScpStep::Copy, enabled))
    }
}

/// The account that owns `vault` for a resource of `account`: the vault's fixed owner, or
/// the resource's own account for a workload vault.
pub fn vault_owner(vault: &Vault, account: usize) -> usize {
    vault.owner_account.unwrap_or(account)
}
