//! Test fixtures: miniature CSV files as `report::csv_files` writes them, and readers of
//! the text an SVG shows.

/// The texts of an SVG's `<text>` elements; panics if the SVG is not well-formed XML.
pub(super) fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg)
        .unwrap_or_else(|e| panic!("the SVG is not well-formed: {e}\n{svg}"));
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// Panics unless some `<text>` of `svg` holds each of `wanted`.
pub(super) fn assert_has(svg: &str, wanted: &[&str]) {
    let texts = texts(svg);
    for w in wanted {
        assert!(
            texts.iter().any(|t| t.contains(w)),
            "no <text> holds `{w}`; texts: {texts:?}"
        );
    }
}

/// `rpo_rto.csv`: two tiers, two disasters, targets and P(meet), some missing.
pub(super) const RPO_RTO: &str = "\
tier,environment,disaster,resources,rpo_target_seconds,rto_target_seconds,p_meet_rpo,p_meet_rpo_se,p_meet_rto,p_meet_rto_se
Tier1,Production,resource_loss,3,3600,14400,0.5,0.01,0.8,0.01
Tier1,all,resource_loss,3,3600,14400,0.5,0.01,0.8,0.01
Gold,all,resource_loss,2,86400,28800,0.9,0.01,,
all,all,resource_loss,5,,,,,,
Tier1,all,region_outage,3,3600,7200,0.1,0.01,0.2,0.01
Gold,all,region_outage,2,86400,,0.3,0.01,,
";

/// `rpo_rto_cdf.csv` for the tiers and disasters of `RPO_RTO`, and an `all` tier.
pub(super) fn cdf_csv() -> String {
    let mut s = String::from("tier,environment,disaster,metric,probability,seconds\n");
    for (tier, scale) in [("Tier1", 1.0), ("Gold", 10.0), ("all", 5.0)] {
        for disaster in ["resource_loss", "region_outage"] {
            for metric in ["rpo", "rto"] {
                for (p, seconds) in [(0.0, 0.0), (0.5, 1800.0), (0.99, 36000.0), (1.0, 90000.0)] {
                    s += &format!("{tier},all,{disaster},{metric},{p},{}\n", seconds * scale);
                }
            }
        }
    }
    s += "Tier1,Production,resource_loss,rpo,0.5,1\n";
    s
}

/// `cost_monthly.csv`: two months, three categories, a steady state.
pub(super) const COST: &str = "\
month,dimension,value,statistic,usd
2026-01,total,all,mean,1500000.00
2026-01,total,all,p10,1400000.00
2026-01,total,all,p50,1500000.00
2026-01,total,all,p90,1600000.00
2026-01,category,warm,mean,1000000.00
2026-01,category,cold,mean,200000.00
2026-01,category,transfer,mean,300000.00
2026-01,tier,Tier1,mean,1500000.00
2026-02,total,all,mean,2500000.00
2026-02,total,all,p10,2400000.00
2026-02,total,all,p50,2500000.00
2026-02,total,all,p90,2600000.00
2026-02,category,warm,mean,1800000.00
2026-02,category,cold,mean,300000.00
2026-02,category,transfer,mean,400000.00
steady_state,total,all,mean,4000000.00
steady_state,total,all,p10,3900000.00
steady_state,total,all,p50,4000000.00
steady_state,total,all,p90,4100000.00
";

/// `copies_daily.csv`: one link over five days, with days without completed copies.
pub(super) const COPIES: &str = "\
day,created_mean,completed_mean,failed_mean,refused_cold_mean,lag_p50_seconds,lag_p95_seconds,us-east-1>us-west-2:backlog_jobs_mean,us-east-1>us-west-2:backlog_jobs_p90,us-east-1>us-west-2:backlog_bytes_mean,us-east-1>us-west-2:backlog_bytes_p90
0,10,0,0,0,,,10,12,2000000000000,2500000000000
1,10,5,0,0,7200,36000,5,8,1000000000000,1500000000000
2,10,10,0,0,,,0,0,0,0
3,10,10,0,0,3600,7200,0,0,0,0
4,10,10,0,0,3600,7200,0,0,0,0
";

/// `restore_timeline.csv`: two tiers over three hours.
pub(super) const TIMELINE: &str = "\
tier,hours_after_outage,affected_resources_mean,share_back_mean,share_back_p10,share_back_p50,share_back_p90
Tier1,1,3,0.1,0.0,0.1,0.3
Tier1,2,3,0.6,0.4,0.6,0.9
Tier1,3,3,1.0,1.0,1.0,1.0
Gold,1,2,0.0,0.0,0.0,0.0
Gold,2,2,0.5,0.0,0.5,1.0
Gold,3,2,0.5,0.5,0.5,0.5
";
