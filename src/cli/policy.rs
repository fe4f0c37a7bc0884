//! `vaultsim policy effective`: the effective backup policy of an account from the policies
//! attached at each level of the organization (root first, the account's own last), as AWS
//! Organizations computes it (`policy::effective_policy`). Prints the policy as pretty JSON
//! on stdout and the changes inheritance did not apply on stderr.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand};

use super::EXIT_BAD_INPUT;
use crate::policy::{self, PolicyDocument, PolicyErrors};

/// Organizations nests OUs at most five deep under the root, so an account has at most
/// seven levels: root, five OUs, itself (aws-backup-facts §1.5).
const MAX_LEVELS: usize = 7;

/// Organizations attaches at most ten backup policies to one root, OU or account (facts §1.6).
const MAX_POLICIES_PER_LEVEL: usize = 10;

/// Arguments of `vaultsim policy`.
#[derive(Debug, Args)]
pub struct PolicyArgs {
    #[command(subcommand)]
    pub command: PolicyCommand,
}

/// Subcommands of `vaultsim policy`.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Print the effective backup policy of an account from the policies at each level.
    #[command(after_help = "Examples:\n  \
                  vaultsim policy effective --level root.json --level prod-ou.json --level account.json\n  \
                  vaultsim policy effective --level root.json --level ou-a.json,ou-b.json --account 111122223333\n  \
                  vaultsim policy effective scenarios/landing-zone.toml --account 111122223333\n\n\
                  Give --level once per level, root first and the account's own policies last; \
                  within a level, list the files comma-separated in attach order (the first \
                  attached wins conflicts). Prints the effective policy as JSON on stdout and \
                  every change inheritance did not apply on stderr. Malformed policies exit with code 2.")]
    Effective(EffectiveArgs),
}

/// Arguments of `vaultsim policy effective`.
#[derive(Debug, Args)]
pub struct EffectiveArgs {
    /// A scenario whose `[[policies]]` attachments give the levels (needs --account).
    #[arg(conflicts_with = "levels", requires = "account")]
    pub scenario: Option<PathBuf>,
    /// Policy files attached at one level, comma-separated in attach order; repeat the
    /// option for each level, root first.
    #[arg(long = "level", value_name = "FILE[,FILE...]")]
    pub levels: Vec<String>,
    /// Substitute this 12-digit account id for `$account` in ARN-valued elements.
    #[arg(long)]
    pub account: Option<String>,
    /// Substitute this Region for `$region` in the logically air-gapped vault ARN
    /// (needs --account).
    #[arg(long, requires = "account")]
    pub region: Option<String>,
}

pub fn run(args: &PolicyArgs) -> Result<i32> {
    match &args.command {
        PolicyCommand::Effective(a) => effective(a),
    }
}

fn effective(args: &EffectiveArgs) -> Result<i32> {
    if let Some(scenario) = &args.scenario {
        return effective_in_scenario(scenario, args.account.as_deref().unwrap_or_default());
    }
    let levels = match level_files(&args.levels) {
        Ok(l) => l,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    if let Some(account) = &args.account
        && !(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()))
    {
        eprintln!(
            "error: --account `{account}` is not an AWS account id; valid: 12 digits, e.g. 111122223333"
        );
        return Ok(EXIT_BAD_INPUT);
    }
    if let Some(region) = &args.region
        && !is_region(region)
    {
        eprintln!("error: --region `{region}` is not a Region code; valid: e.g. us-east-1");
        return Ok(EXIT_BAD_INPUT);
    }
    // Every file is read and checked before anything is printed, so that all problems show.
    let mut errors = Vec::new();
    let mut documents: Vec<Vec<PolicyDocument>> = Vec::new();
    for files in &levels {
        let mut level = Vec::new();
        for file in files {
            match policy::load_policy(file) {
                Ok(d) => level.push(d),
                Err(e) => errors.extend(e.0),
            }
        }
        documents.push(level);
    }
    if !errors.is_empty() {
        eprintln!("{}", PolicyErrors(errors));
        return Ok(EXIT_BAD_INPUT);
    }
    let refs: Vec<Vec<&PolicyDocument>> = documents.iter().map(|l| l.iter().collect()).collect();
    let effective = policy::effective_policy(&refs);
    let policy = match &args.account {
        Some(account) => policy::substitute(&effective.policy, account, args.region.as_deref()),
        None => effective.policy,
    };
    print_effective(&policy, &effective.notes)
}

/// `--level` values → files per level, checked against the shape Organizations allows.
fn level_files(levels: &[String]) -> Result<Vec<Vec<PathBuf>>, String> {
    if levels.is_empty() {
        return Err("no policies given; valid: --level ROOT.json [--level OU.json[,OU2.json]] ... (root first)".into());
    }
    if levels.len() > MAX_LEVELS {
        return Err(format!(
            "{} levels given; AWS Organizations nests OUs at most 5 deep, so an account has at most {MAX_LEVELS} levels (root, OUs, the account)",
            levels.len()
        ));
    }
    let mut out = Vec::new();
    for (i, level) in levels.iter().enumerate() {
        let files: Vec<&str> = level.split(',').map(str::trim).collect();
        if files.iter().any(|f| f.is_empty()) {
            return Err(format!(
                "--level `{level}` (level {}) has an empty file name; valid: FILE or FILE,FILE,... in attach order",
                i + 1
            ));
        }
        if files.len() > MAX_POLICIES_PER_LEVEL {
            return Err(format!(
                "--level `{level}` (level {}) lists {} policies; AWS Organizations attaches at most {MAX_POLICIES_PER_LEVEL} backup policies to one node",
                i + 1,
                files.len()
            ));
        }
        out.push(files.into_iter().map(PathBuf::from).collect());
    }
    Ok(out)
}

/// `us-east-1`, `ap-southeast-2`, `us-gov-west-1`: lower-case words and a final number.
fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts[parts.len() - 1].parse::<u8>().is_ok()
}

/// The effective policy of account `account_id` of a scenario, `$account` and `$region`
/// substituted (the account's id and home Region).
fn effective_in_scenario(file: &std::path::Path, account_id: &str) -> Result<i32> {
    let (scenario, model) = match crate::scenario::load_model(file) {
        Ok(x) => x,
        Err(errors) => {
            eprintln!("{errors}");
            return Ok(EXIT_BAD_INPUT);
        }
    };
    let Some(account) = model.accounts.iter().position(|a| a.id == account_id) else {
        let mut examples: Vec<String> = Vec::new();
        for a in &model.accounts {
            if !examples
                .iter()
                .any(|e| e.ends_with(&format!("({})", a.template)))
            {
                examples.push(format!("{} ({})", a.id, a.template));
            }
        }
        eprintln!(
            "error: {}: no account {account_id}; accounts include {}",
            file.display(),
            examples.join(", ")
        );
        return Ok(EXIT_BAD_INPUT);
    };
    let attachments = crate::scenario::policies::attachments_of(&scenario, &model)
        .expect("a resolved scenario's attachments load");
    let effective = crate::scenario::policies::effective_for(&attachments, account);
    let home = &model.accounts[account].home_region;
    let policy = policy::substitute(&effective.policy, account_id, Some(home));
    print_effective(&policy, &effective.notes)
}

/// Prints an effective policy as pretty JSON on stdout and the inheritance notes on stderr.
fn print_effective(policy: &serde_json::Value, notes: &[policy::InheritanceNote]) -> Result<i32> {
    let text =
        serde_json::to_string_pretty(policy).context("cannot format the effective policy")?;
    writeln!(std::io::stdout().lock(), "{text}").context("cannot write to stdout")?;
    let mut err = std::io::stderr().lock();
    for note in notes {
        writeln!(err, "note: {note}").context("cannot write to stderr")?;
    }
    Ok(0)
}
