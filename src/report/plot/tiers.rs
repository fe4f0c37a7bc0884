//! What the plots know of tiers: each tier's targets and P(meet) per disaster, read from
//! `rpo_rto.csv`, and each tier's colour, the same in every plot that shows tiers (the
//! distributions of `cdf` and the restore timeline of `timeline`).

use std::collections::BTreeMap;

use anyhow::Result;
use plotters::style::RGBColor;

use super::common::{PALETTE, SECONDS_PER_HOUR, Table};

/// Each tier's targets (hours) and P(meet) per disaster, from `rpo_rto.csv`'s
/// all-environment rows.
pub(super) struct TierTargets(BTreeMap<(String, String), Target>);

/// A tier's targets and the shares meeting them, for one disaster.
#[derive(Clone, Copy, Default)]
pub(super) struct Target {
    pub(super) rpo_hours: Option<f64>,
    pub(super) rto_hours: Option<f64>,
    pub(super) p_meet_rpo: Option<f64>,
    pub(super) p_meet_rto: Option<f64>,
}

impl TierTargets {
    pub(super) fn read(t: &Table) -> Result<TierTargets> {
        let [tier, environment, disaster, rpo, rto, p_rpo, p_rto] = t.columns([
            "tier",
            "environment",
            "disaster",
            "rpo_target_seconds",
            "rto_target_seconds",
            "p_meet_rpo",
            "p_meet_rto",
        ])?;
        let mut map = BTreeMap::new();
        for row in t.rows() {
            if row.text(environment) != "all" || row.text(tier) == "all" {
                continue;
            }
            let hours = |c| Ok::<_, anyhow::Error>(row.number(c)?.map(|s| s / SECONDS_PER_HOUR));
            map.insert(
                (row.text(tier).to_string(), row.text(disaster).to_string()),
                Target {
                    rpo_hours: hours(rpo)?,
                    rto_hours: hours(rto)?,
                    p_meet_rpo: row.number(p_rpo)?,
                    p_meet_rto: row.number(p_rto)?,
                },
            );
        }
        Ok(TierTargets(map))
    }

    pub(super) fn get(&self, tier: &str, disaster: &str) -> Target {
        self.0
            .get(&(tier.to_string(), disaster.to_string()))
            .copied()
            .unwrap_or_default()
    }
}

/// The colour of each tier, the same in every plot: tiers take the palette in the order
/// `rpo_rto.csv` lists them, then any other tier in the order met.
pub(super) struct TierColours(Vec<String>);

impl TierColours {
    pub(super) fn new<'a>(
        rpo_rto: &'a Table,
        others: impl Iterator<Item = &'a str>,
    ) -> Result<TierColours> {
        let [tier] = rpo_rto.columns(["tier"])?;
        let mut names: Vec<String> = Vec::new();
        for name in rpo_rto.rows().map(|r| r.text(tier)).chain(others) {
            if name != "all" && !names.iter().any(|n| n == name) {
                names.push(name.to_string());
            }
        }
        Ok(TierColours(names))
    }

    pub(super) fn get(&self, tier: &str) -> RGBColor {
        let i = self
            .0
            .iter()
            .position(|n| n == tier)
            .unwrap_or(self.0.len());
        PALETTE[i % PALETTE.len()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::plot::fixtures::RPO_RTO;

    #[test]
    fn tier_colours_agree_across_plots() {
        let summary = Table::parse("rpo_rto.csv", RPO_RTO).expect("csv");
        let a = TierColours::new(&summary, std::iter::empty()).expect("tiers");
        let b =
            TierColours::new(&summary, ["Gold", "Tier1", "untiered"].into_iter()).expect("tiers");
        for tier in ["Tier1", "Gold"] {
            assert_eq!(a.get(tier), b.get(tier));
        }
        assert_ne!(b.get("Tier1"), b.get("Gold"));
        assert_ne!(b.get("untiered"), b.get("Gold"));
    }
}
