//! The estate generator: account templates with counts → accounts and resources.
//!
//! Seeded by the master seed and deterministic; the estate is drawn once and is the same
//! in every trial. Each account and resource draws from its own stream keyed by a hash of
//! its template path (`template/account-index/resource-template/index`), so adding a
//! template or raising a count leaves every existing resource exactly as it was.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::check::Problems;
use super::raw::{RawScenario, RawTagValue};
use crate::dist::Dist;
use crate::model::{Account, GIB_BYTES, Ou, Resource, ResourceType, Tags};
use crate::rng::{Stream, stream};

/// The "trial" number under which estate draws are made (no real trial uses it).
const ESTATE_TRIAL: u64 = u64::MAX;
/// First account id given to templates without `first_account_id`.
const AUTO_ACCOUNT_ID_BASE: u64 = 100_000_000_000;
/// Account ids reserved per auto-numbered template (more than `MAX_ACCOUNTS`).
const AUTO_ACCOUNT_ID_STRIDE: u64 = 1_000_000;
/// Auto-numbered templates start at one of this many slots, chosen by a hash of the
/// template's name, so adding a template never renumbers another's accounts.
const AUTO_ACCOUNT_ID_SLOTS: u64 = 800_000;
/// The largest 12-digit account id.
const MAX_ACCOUNT_ID: u64 = 999_999_999_999;
/// Most resources one resource template may give one account.
const MAX_RESOURCES_PER_TEMPLATE_ACCOUNT: f64 = 100_000.0;

/// Stable 64-bit id of a path (FNV-1a, then a SplitMix64 finaliser).
pub fn entity_id(path: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in path.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    crate::rng::mix64(h)
}

struct ResourceSpec<'a> {
    name: &'a str,
    resource_type: ResourceType,
    count: Dist,
    size_gib: Dist,
    change: Dist,
    growth: Dist,
    tags: Vec<(&'a str, TagChoice<'a>)>,
}

enum TagChoice<'a> {
    Fixed(&'a str),
    Weighted(Vec<(&'a str, f64)>, f64),
}

/// Generates accounts and resources. Returns `None` after recording problems.
pub fn generate(
    raw: &RawScenario,
    ous: &[Ou],
    ou_environment: &[Option<usize>],
    seed: u64,
    problems: &mut Problems,
) -> Option<(Vec<Account>, Vec<Resource>)> {
    let before = problems.0.len();
    let mut templates = Vec::new();
    let mut total_accounts: i64 = 0;
    for (t_name, t) in &raw.organization.account_templates {
        let path = format!("organization.account_templates.{t_name}");
        let ou = problems.ou(ous, &t.ou, format!("{path}.ou"));
        problems.range_i64(
            t.count,
            &format!("{path}.count"),
            0,
            super::resolve::MAX_ACCOUNTS,
        );
        total_accounts += t.count.max(0);
        problems.regions(
            &t.home_regions,
            &format!("{path}.home_regions"),
            "at least one home region is needed",
        );
        let first_id = match &t.first_account_id {
            Some(id) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) => {
                id.parse::<u64>().ok()
            }
            Some(id) => {
                problems.report(
                    format!("{path}.first_account_id"),
                    format!("`{id}` is not a 12-digit AWS account id"),
                );
                None
            }
            None => Some(
                AUTO_ACCOUNT_ID_BASE
                    + (entity_id(t_name) % AUTO_ACCOUNT_ID_SLOTS) * AUTO_ACCOUNT_ID_STRIDE,
            ),
        };
        if let Some(first) = first_id
            && first + (t.count.max(1) as u64 - 1) > MAX_ACCOUNT_ID
        {
            problems.report(
                format!("{path}.count"),
                format!(
                    "{} accounts from {first:012} run past 999999999999; lower first_account_id or count",
                    t.count
                ),
            );
        }
        let mut specs = Vec::new();
        for (r_name, r) in &t.resources {
            let rp = format!("{path}.resources.{r_name}");
            let resource_type = match ResourceType::parse(&r.resource_type) {
                Some(rt) if raw.resource_types.contains_key(rt.name()) => Some(rt),
                Some(rt) => {
                    problems.report(
                        format!("{rp}.type"),
                        format!(
                            "resource type `{rt}` has no behaviour; add a [resource_types.{rt}] table"
                        ),
                    );
                    None
                }
                None => {
                    problems.push(
                        super::error::Problem::new(
                            format!("{rp}.type"),
                            format!("unknown resource type `{}`", r.resource_type),
                        )
                        .with_help(format!("valid: {}", ResourceType::valid_names())),
                    );
                    None
                }
            };
            let count = problems.dist(&r.count, &format!("{rp}.count"), true);
            let size = problems.dist(&r.size_gib, &format!("{rp}.size_gib"), true);
            let change = match &r.daily_change_rate {
                Some(d) => problems.dist(d, &format!("{rp}.daily_change_rate"), true),
                None => Dist::fixed(0.0).ok(),
            };
            let growth = match &r.monthly_growth {
                Some(d) => problems.dist(d, &format!("{rp}.monthly_growth"), false),
                None => Dist::fixed(0.0).ok(),
            };
            if let Some(g) = &growth
                && g.mean() <= -1.0
            {
                problems.report(
                    format!("{rp}.monthly_growth"),
                    "monthly growth must stay above -1 (a size cannot shrink by 100 % or more)",
                );
            }
            let mut tags = Vec::new();
            for (key, value) in &r.tags {
                match value {
                    RawTagValue::Fixed(v) => tags.push((key.as_str(), TagChoice::Fixed(v))),
                    RawTagValue::Weighted(w) => {
                        let total: f64 = w.values().sum();
                        let bad = w.iter().find(|(_, x)| !(x.is_finite() && **x >= 0.0));
                        if let Some((v, x)) = bad {
                            problems.report(
                                format!("{rp}.tags.{key}.{v}"),
                                format!("weight {x} must be a number ≥ 0"),
                            );
                        } else if total.is_nan() || total <= 0.0 {
                            problems.report(
                                format!("{rp}.tags.{key}"),
                                "a weighted tag needs at least one positive weight",
                            );
                        } else {
                            let choices = w.iter().map(|(v, x)| (v.as_str(), *x)).collect();
                            tags.push((key.as_str(), TagChoice::Weighted(choices, total)));
                        }
                    }
                }
            }
            if let (Some(resource_type), Some(count), Some(size_gib), Some(change), Some(growth)) =
                (resource_type, count, size, change, growth)
            {
                specs.push(ResourceSpec {
                    name: r_name,
                    resource_type,
                    count,
                    size_gib,
                    change,
                    growth,
                    tags,
                });
            }
        }
        templates.push((t_name, t, ou, first_id, specs));
    }
    if total_accounts > super::resolve::MAX_ACCOUNTS {
        problems.report(
            "organization.account_templates",
            format!(
                "{total_accounts} accounts in all; vaultsim accepts at most {}",
                super::resolve::MAX_ACCOUNTS
            ),
        );
    }
    if problems.0.len() > before {
        return None;
    }

    let mut accounts = Vec::new();
    let mut resources = Vec::new();
    // Every tag key and value, and every tag list, once: resources share them
    // (`Resource::tags`).
    let mut strings: BTreeSet<Arc<str>> = BTreeSet::new();
    let mut tag_lists: BTreeSet<Tags> = BTreeSet::new();
    let mut intern = |s: &str| share(&mut strings, s);
    let mut seen_ids: BTreeMap<u64, &str> = BTreeMap::new();
    let mut duplicate_reported = BTreeSet::new();
    for (t_name, t, ou, first_id, specs) in templates {
        let ou = ou.expect("checked");
        let first_id = first_id.expect("checked");
        for a in 0..t.count as u64 {
            let id_number = first_id + a;
            if let Some(other) = seen_ids.insert(id_number, t_name)
                && duplicate_reported.insert(t_name.clone())
            {
                problems.report(
                    format!("organization.account_templates.{t_name}.first_account_id"),
                    format!(
                        "account id {id_number:012} is also generated by template `{other}`; give the templates disjoint first_account_id ranges (auto-numbered templates start at a slot chosen by a hash of their name)"
                    ),
                );
            }
            let account_path = format!("{t_name}/{a}");
            let mut rng = stream(seed, ESTATE_TRIAL, entity_id(&account_path), Stream::Estate);
            let region_index = if t.home_regions.len() == 1 {
                0
            } else {
                let u = Dist::uniform(0.0, t.home_regions.len() as f64)
                    .expect("valid")
                    .sample(&mut rng);
                (u as usize).min(t.home_regions.len() - 1)
            };
            let account_index = accounts.len();
            let account = Account {
                id: format!("{id_number:012}"),
                template: t_name.clone(),
                ou,
                home_region: t.home_regions[region_index].clone(),
                environment: ou_environment[ou],
            };
            for spec in &specs {
                let n = spec
                    .count
                    .sample_non_negative(&mut rng)
                    .round()
                    .min(MAX_RESOURCES_PER_TEMPLATE_ACCOUNT) as u64;
                for j in 0..n {
                    let path = format!("{account_path}/{}/{j}", spec.name);
                    let entity = entity_id(&path);
                    let mut r_rng = stream(seed, ESTATE_TRIAL, entity, Stream::Estate);
                    let size_gib = spec.size_gib.sample_non_negative(&mut r_rng);
                    let change = spec.change.sample_non_negative(&mut r_rng).min(1.0);
                    let growth = spec.growth.sample(&mut r_rng).max(-0.99);
                    let tags = spec
                        .tags
                        .iter()
                        .map(|(k, choice)| {
                            let value = match choice {
                                TagChoice::Fixed(v) => intern(v),
                                TagChoice::Weighted(choices, total) => {
                                    let u = Dist::uniform(0.0, *total)
                                        .expect("valid")
                                        .sample(&mut r_rng);
                                    intern(pick(choices, u))
                                }
                            };
                            (intern(k), value)
                        })
                        .collect::<Vec<_>>();
                    let tags = share(&mut tag_lists, tags.as_slice());
                    resources.push(Resource {
                        entity_id: entity,
                        name: format!("{}-{}-{j}", account.id, spec.name),
                        account: account_index,
                        region: intern(&account.home_region),
                        // Interned by `resolve` once every region name is known.
                        region_id: 0,
                        resource_type: spec.resource_type,
                        size_bytes: (size_gib * GIB_BYTES).round() as u64,
                        daily_change_fraction: change,
                        log_growth_per_month: libm::log1p(growth),
                        tags,
                        program: None,
                        group: 0,
                    });
                    if resources.len() > super::resolve::MAX_RESOURCES {
                        problems.report(
                            "organization.account_templates",
                            format!(
                                "the estate has more than {} resources; lower the counts",
                                super::resolve::MAX_RESOURCES
                            ),
                        );
                        return None;
                    }
                }
            }
            accounts.push(account);
        }
    }
    if problems.0.len() > before {
        return None;
    }
    // Held for the whole run: no room left over from growing.
    resources.shrink_to_fit();
    Some((accounts, resources))
}

/// Picks the choice whose cumulative weight first exceeds `u` (u in [0, total)).
fn pick<'a>(choices: &[(&'a str, f64)], u: f64) -> &'a str {
    let mut acc = 0.0;
    for (v, w) in choices {
        acc += w;
        if u < acc {
            return v;
        }
    }
    choices
        .iter()
        .rev()
        .find(|(_, w)| *w > 0.0)
        .map_or(choices[0].0, |(v, _)| v)
}

/// The one shared copy of `value` in `set`, added on first sight.
fn share<T: Ord + ?Sized>(set: &mut BTreeSet<Arc<T>>, value: &T) -> Arc<T>
where
    for<'a> Arc<T>: From<&'a T>,
{
    if let Some(shared) = set.get(value) {
        return Arc::clone(shared);
    }
    let shared = Arc::from(value);
    set.insert(Arc::clone(&shared));
    shared
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_ids_are_stable_and_distinct() {
        assert_eq!(entity_id("prod/0/db/0"), entity_id("prod/0/db/0"));
        assert_ne!(entity_id("prod/0/db/0"), entity_id("prod/0/db/1"));
        assert_ne!(entity_id("prod/0/db/0"), entity_id("prod/1/db/0"));
    }

    #[test]
    fn weighted_pick_follows_cumulative_weights() {
        let c = [("a", 1.0), ("b", 0.0), ("c", 3.0)];
        assert_eq!(pick(&c, 0.0), "a");
        assert_eq!(pick(&c, 0.999), "a");
        assert_eq!(pick(&c, 1.0), "c");
        assert_eq!(pick(&c, 3.999), "c");
    }

    #[test]
    fn resources_share_one_copy_of_each_tag_string_and_list() {
        let file =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/landing-zone.toml");
        let (_, model) = crate::scenario::load_model(&file).expect("the default scenario loads");
        // Each distinct key or value is one allocation, whichever resources carry it.
        let mut first: BTreeMap<&str, &Arc<str>> = BTreeMap::new();
        let mut tags = 0;
        for r in &model.resources {
            for (k, v) in r.tags.iter() {
                for s in [k, v] {
                    let shared = *first.entry(&**s).or_insert(s);
                    assert!(Arc::ptr_eq(shared, s), "{s:?} is held twice");
                }
                assert_eq!(r.tag(k), Some(&**v));
                tags += 1;
            }
        }
        assert!(
            tags > 10 * first.len(),
            "{tags} tags, {} strings",
            first.len()
        );
        assert_eq!(model.resources[0].tag("no such tag"), None);
        // Region names are shared the same way: one allocation per region.
        let mut regions: BTreeMap<&str, &Arc<str>> = BTreeMap::new();
        for r in &model.resources {
            let shared = *regions.entry(&*r.region).or_insert(&r.region);
            assert!(Arc::ptr_eq(shared, &r.region), "{} is held twice", r.region);
            assert_eq!(*model.regions[usize::from(r.region_id)], *r.region);
        }
        assert!(model.resources.len() > 1_000 * regions.len());
    }
}
