//! Property tests of the engine's two promises (DOMAIN.md §5), on the demo scenario
//! with random policy drafts, seeds, path counts and thread counts:
//! - the world does not depend on policy: a draft sees the same draws, path by path, and
//!   collects exactly what the baseline collects;
//! - results are bit-identical for 1 and N threads, a batch with its comparisons too;
//! - what a batch takes from its baseline is what the draft computes run alone.

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::Config;

use fencheng::engine::simulate_variants;
use fencheng::export::tables::{compare_csv, headline_csv, risk_csv, summary_csv};
use fencheng::scenario::{Delivery, IncrementBasis, Scenario, Shortfall, load_dir};
use fencheng::summary::Outcome;
use fencheng::world::{WorldSampler, path_rng};

use crate::common::variant_matches_alone;

fn demo() -> Scenario {
    load_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/demo")).expect("demo is valid")
}

/// A random draft of one of the demo's policies: every rule a sweep or batch may change.
#[derive(Debug, Clone)]
struct Draft {
    policy: usize,
    zone_share: f64,
    city_of_rest: f64,
    lag: Option<u32>,
    reset_years: u32,
    land_return: f64,
    fee_return: f64,
    province_return: f64,
    zone_bears: bool,
    new_projects_only: bool,
}

fn draft() -> impl Strategy<Value = Draft> {
    (
        (
            0usize..5,
            0.0..0.95f64,
            0.0..1.0f64,
            proptest::option::of(0u32..=3),
        ),
        (0u32..=4, 0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64),
        (any::<bool>(), any::<bool>()),
    )
        .prop_map(|((policy, zone_share, city_of_rest, lag), rest, flags)| {
            let (reset_years, land_return, fee_return, province_return) = rest;
            Draft {
                policy,
                zone_share,
                city_of_rest,
                lag,
                reset_years,
                land_return,
                fee_return,
                province_return,
                zone_bears: flags.0,
                new_projects_only: flags.1,
            }
        })
}

/// `base` with `d` applied. Shares still sum to 1, and a policy without a county share
/// (the city-managed zone's) keeps none, so the draft is as valid as the base.
fn drafted(base: &Scenario, d: &Draft) -> Scenario {
    let mut s = base.clone();
    let p = &mut s.policies[d.policy % base.policies.len()];
    let rest = 1.0 - d.zone_share;
    let city = if p.increment_shares.county == 0.0 {
        1.0
    } else {
        d.city_of_rest
    };
    p.increment_shares.zone = d.zone_share;
    p.increment_shares.city = rest * city;
    p.increment_shares.county = rest - rest * city;
    p.delivery = d
        .lag
        .map_or(Delivery::Treasury, |lag| Delivery::Transfer { lag });
    p.base_reset_years = d.reset_years;
    p.land_return = d.land_return;
    p.fee_return = d.fee_return;
    p.province_return = d.province_return;
    p.shortfall = if d.zone_bears {
        Shortfall::ZoneBears
    } else {
        Shortfall::Shared
    };
    p.increment_basis = if d.new_projects_only {
        IncrementBasis::NewProjectsOnly
    } else {
        IncrementBasis::TotalOverBase
    };
    s
}

/// Every file a batch writes from its outcome, as bytes.
fn files(outcome: &Outcome) -> [Vec<u8>; 4] {
    let summaries: Vec<_> = outcome.summaries.iter().collect();
    [
        summary_csv(&summaries).unwrap(),
        risk_csv(&summaries).unwrap(),
        compare_csv(outcome).unwrap(),
        headline_csv(outcome).unwrap(),
    ]
}

proptest! {
    #![proptest_config(Config { cases: 24, failure_persistence: None, ..Config::default() })]

    #[test]
    fn a_draft_sees_the_same_world_on_every_path(
        d in draft(),
        seed in any::<u64>(),
        path in any::<u64>(),
    ) {
        let base = demo();
        let variant = drafted(&base, &d);
        let (a, b) = (WorldSampler::new(&base), WorldSampler::new(&variant));
        let (mut wa, mut wb) = (a.blank(), b.blank());
        a.sample_into(&mut path_rng(seed, path), &mut wa);
        b.sample_into(&mut path_rng(seed, path), &mut wb);
        prop_assert_eq!(wa, wb);
    }

    #[test]
    fn a_draft_collects_exactly_what_the_baseline_collects(
        d in draft(),
        seed in any::<u64>(),
    ) {
        let base = demo();
        let variant = drafted(&base, &d);
        let outcome = simulate_variants(&[&base, &variant], true, 400, seed, &|_| {});
        let (baseline, draft) = (&outcome.summaries[0], &outcome.summaries[1]);
        let world_rows = ["collected", "new_project_tax", "local_pool", "land_net", "fees"];
        for (a, b) in baseline.rows.iter().zip(&draft.rows) {
            let zone = base.zones.iter().any(|z| z.id == a.entity);
            if zone && world_rows.contains(&a.metric.as_str()) {
                prop_assert_eq!(a, b);
            }
        }
    }

    #[test]
    fn a_draft_in_a_batch_reports_what_it_reports_run_alone(
        d in draft(),
        seed in any::<u64>(),
    ) {
        // What a batch takes from its baseline instead of evaluating it (zones, the
        // province, the centre) must be exactly what the draft would compute itself.
        let base = demo();
        let variant = drafted(&base, &d);
        let batch = simulate_variants(&[&base, &variant], true, 300, seed, &|_| {});
        variant_matches_alone(&batch, 1, &variant, 300, seed, &format!("{d:?}"));
    }

    #[test]
    fn a_batch_is_bit_identical_for_one_and_n_threads(
        d in draft(),
        seed in any::<u64>(),
        paths in 1usize..2500,
        threads in 2usize..=4,
    ) {
        let base = demo();
        let variant = drafted(&base, &d);
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| simulate_variants(&[&base, &variant], true, paths, seed, &|_| {}))
        };
        let (one, many) = (run(1), run(threads));
        let names = ["summary.csv", "risk.csv", "compare.csv", "headline.csv"];
        for ((name, a), b) in names.iter().zip(files(&one)).zip(files(&many)) {
            prop_assert!(a == b, "{} differs between 1 and {} threads", name, threads);
        }
        prop_assert_eq!(one.p_any_funding_gap, many.p_any_funding_gap);
    }
}
