//! Hand-worked ledger tests (DOMAIN.md §4): tiny scenarios built in code, hand-set
//! worlds, and expected numbers worked out by hand from the spec text (the arithmetic
//! is in the comment next to each assertion), never from the crate's own helpers.
//!
//! Base year B = 2024 throughout; projected year index `ti = t - 2025`.

use fencheng::ledger::PathLedger;
use fencheng::scenario::model::{
    Band, Debt, Delivery, Fees, IncentiveStage, IncrementBasis, Land, Policy, Scenario, Shortfall,
    Spending,
};
use fencheng::world::World;

use crate::common::{
    assert_accounts, capex, finish, identity_sides, policy, project, run, scenario, sector,
    set_growth, set_land_area, set_noise, shares, tax, zone,
};

/// Equal within 1e-9 absolute or 1e-10 relative.
macro_rules! close {
    ($actual:expr, $expected:expr $(,)?) => {
        approx::assert_relative_eq!($actual, $expected, epsilon = 1e-9, max_relative = 1e-10)
    };
}

/// A field of zone `z` over the projected years.
fn zcol(l: &PathLedger, z: usize, f: impl Fn(&fencheng::ledger::ZoneYear) -> f64) -> Vec<f64> {
    l.zones[z].iter().map(f).collect()
}

fn close_all(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        approx::assert_relative_eq!(*a, *e, epsilon = 1e-9, max_relative = 1e-10);
    }
}

// ---------------------------------------------------------------------------------
// §4.1 Collected revenue
// ---------------------------------------------------------------------------------

#[test]
fn existing_firms_grow_with_elasticity_and_noise_and_are_not_floored() {
    // vat: central 0.5, province 0.1, elasticity 1; cit: 0.6, 0.15, elasticity 2.
    let mut cit = tax("cit", 0.6, 0.15);
    cit.elasticity = 2.0;
    let mut s = scenario(2027, vec![tax("vat", 0.5, 0.1), cit], &["c1"]);
    s.policies.push(policy("p"));
    s.zones.push(zone("z", Some(0), 0, &[1000.0, 500.0]));
    let s = finish(s);
    let mut w = World::central(&s);
    set_growth(&mut w, 0, &[0.10, 0.05, -0.60]);
    set_noise(&mut w, 0, 0, &[0.01, 0.0, 0.0]);
    set_noise(&mut w, 0, 1, &[0.0, -0.02, 0.03]);
    let l = run(&s, &w);

    // E_vat: 2025 1000*(1+1*0.10+0.01) = 1110; 2026 1110*(1+0.05) = 1165.5;
    //        2027 1165.5*(1-0.60) = 466.2
    // E_cit: 2025 500*(1+2*0.10+0) = 600; 2026 600*(1+2*0.05-0.02) = 648;
    //        2027 648*(1+2*(-0.60)+0.03) = 648*(-0.17) = -110.16 (not floored)
    // collected: 1110+600 = 1710; 1165.5+648 = 1813.5; 466.2-110.16 = 356.04
    close_all(&zcol(&l, 0, |y| y.collected), &[1710.0, 1813.5, 356.04]);
    close_all(&zcol(&l, 0, |y| y.new_project_tax), &[0.0, 0.0, 0.0]);
    // §4.2 central = 0.5*vat + 0.6*cit: 555+360 = 915; 582.75+388.8 = 971.55;
    //      233.1-66.096 = 167.004
    close_all(&zcol(&l, 0, |y| y.to_central), &[915.0, 971.55, 167.004]);
    close_all(
        &l.central.iter().map(|c| c.take).collect::<Vec<_>>(),
        &[915.0, 971.55, 167.004],
    );
    close_all(
        &l.central.iter().map(|c| c.retained).collect::<Vec<_>>(),
        &[915.0, 971.55, 167.004],
    );
    // province = 0.1*vat + 0.15*cit: 111+90 = 201; 116.55+97.2 = 213.75; 46.62-16.524 = 30.096
    close_all(&zcol(&l, 0, |y| y.to_province), &[201.0, 213.75, 30.096]);
    close_all(
        &l.province.iter().map(|p| p.retained).collect::<Vec<_>>(),
        &[201.0, 213.75, 30.096],
    );
    // pool = 0.4*vat + 0.25*cit: 444+150 = 594; 466.2+162 = 628.2; 186.48-27.54 = 158.94
    close_all(&zcol(&l, 0, |y| y.local_pool), &[594.0, 628.2, 158.94]);
    // Base = P[2024] = 0.4*1000 + 0.25*500 = 525
    close_all(&zcol(&l, 0, |y| y.base), &[525.0, 525.0, 525.0]);
    assert_accounts(&l);
}

#[test]
fn projects_ramp_build_delay_land_multiply_override_and_split_by_mix() {
    // vat 0.5/0.1 (local 0.4), cit 0.6/0.15 (local 0.25).
    let mut s = scenario(
        2029,
        vec![tax("vat", 0.5, 0.1), tax("cit", 0.6, 0.15)],
        &["c1"],
    );
    s.policies.push(policy("p"));
    s.zones.push(zone("z", Some(0), 0, &[100.0, 0.0]));
    s.sectors.push(sector("chem", 0.05, 3, &[0.6, 0.4]));
    s.sectors.push(sector("svc", 0.02, 1, &[1.0, 0.0]));
    // p0: build 0, signed 2025 → production 2025, full 10000*0.05 = 500.
    s.projects.push(project("p0", 0, 0, 10_000.0, 2025, 0));
    // p1: signed 2024, build 2, delay 1 (world), multiplier 1.5, own intensity 0.1
    //     → L = 2025, production 2027, full 6000*0.1*1.5 = 900.
    let mut p1 = project("p1", 0, 0, 6_000.0, 2024, 2);
    p1.tax_intensity = Some(0.1);
    p1.delay_probs = vec![0.5, 0.5];
    s.projects.push(p1);
    // p2: not landed → nothing.
    s.projects.push(project("p2", 0, 1, 20_000.0, 2025, 1));
    // p3: svc, ramp 1, signed 2026, build 1 → production 2027, 5000*0.02 = 100 flat, all vat.
    s.projects.push(project("p3", 0, 1, 5_000.0, 2026, 1));
    // p4: production 2028+2 = 2030 > horizon → nothing.
    s.projects.push(project("p4", 0, 0, 8_000.0, 2028, 2));
    let s = finish(s);
    let mut w = World::central(&s);
    // Existing firms grow 50% a year with noise; project tax must stay flat regardless.
    set_growth(&mut w, 0, &[0.5; 5]);
    set_noise(&mut w, 0, 1, &[0.3; 5]);
    w.projects[1].delay = 1;
    w.projects[1].multiplier = 1.5;
    w.projects[2].landed = false;
    let l = run(&s, &w);

    // p0 by production year j: 500*min(1,(j+1)/3) = 166.667, 333.333, 500, 500, 500
    // p1 from 2027: 900/3 = 300, 600, 900; p3 from 2027: 100, 100, 100
    // N: 2025 500/3; 2026 1000/3; 2027 500+300+100 = 900; 2028 500+600+100 = 1200;
    //    2029 500+900+100 = 1500
    close_all(
        &zcol(&l, 0, |y| y.new_project_tax),
        &[500.0 / 3.0, 1000.0 / 3.0, 900.0, 1200.0, 1500.0],
    );
    // N_vat = 0.6*p0 + 0.6*p1 + 1.0*p3: 100, 200, 300+180+100 = 580, 300+360+100 = 760,
    //         300+540+100 = 940
    // N_cit = 0.4*p0 + 0.4*p1: 200/3, 400/3, 200+120 = 320, 200+240 = 440, 200+360 = 560
    // E_vat = 100*1.5^t (t = 1..5): 150, 225, 337.5, 506.25, 759.375; E_cit = 0.
    // collected 2029 = 759.375 + 1500 = 2259.375
    close!(l.zones[0][4].collected, 2259.375);
    // central 2027 = 0.5*(337.5+580) + 0.6*320 = 458.75 + 192 = 650.75
    close!(l.zones[0][2].to_central, 650.75);
    // pool = 0.4*(E_vat+N_vat) + 0.25*N_cit:
    //   2025: 0.4*(150+100) + 0.25*200/3 = 100 + 50/3
    //   2026: 0.4*(225+200) + 0.25*400/3 = 170 + 100/3
    //   2027: 0.4*(337.5+580) + 0.25*320 = 367 + 80 = 447
    //   2028: 0.4*(506.25+760) + 0.25*440 = 506.5 + 110 = 616.5
    //   2029: 0.4*(759.375+940) + 0.25*560 = 679.75 + 140 = 819.75
    close_all(
        &zcol(&l, 0, |y| y.local_pool),
        &[
            100.0 + 50.0 / 3.0,
            170.0 + 100.0 / 3.0,
            447.0,
            616.5,
            819.75,
        ],
    );
    assert_accounts(&l);
}

// ---------------------------------------------------------------------------------
// §4.3 Base and increment
// ---------------------------------------------------------------------------------

/// One tax (vat, local share 0.4), base revenue 1000 → P[2024] = 400; growth +25% then
/// -40% (→ E 1250, 750; P 500, 300), then 0 (P 300).
fn shortfall_case(shortfall: Shortfall, delivery: Delivery) -> (Scenario, World) {
    let mut s = scenario(2027, vec![tax("vat", 0.5, 0.1)], &["c1"]);
    let mut p = policy("p");
    p.base_shares = shares(0.3, 0.6, 0.1);
    p.shortfall = shortfall;
    p.delivery = delivery;
    s.policies.push(p);
    s.zones.push(zone("z", Some(0), 0, &[1000.0]));
    let s = finish(s);
    let mut w = World::central(&s);
    set_growth(&mut w, 0, &[0.25, -0.4, 0.0]);
    (s, w)
}

#[test]
fn total_over_base_with_a_shared_shortfall() {
    let (s, w) = shortfall_case(Shortfall::Shared, Delivery::Treasury);
    let l = run(&s, &w);
    // P: 1000*1.25*0.4 = 500; 1250*0.6*0.4 = 300; 300.
    close_all(&zcol(&l, 0, |y| y.local_pool), &[500.0, 300.0, 300.0]);
    close_all(&zcol(&l, 0, |y| y.base), &[400.0, 400.0, 400.0]);
    // inc = max(P-400, 0) = 100, 0, 0; shortfall = max(400-P, 0) = 0, 100, 100
    close_all(&zcol(&l, 0, |y| y.increment), &[100.0, 0.0, 0.0]);
    close_all(&zcol(&l, 0, |y| y.shortfall), &[0.0, 100.0, 100.0]);
    // 2025: base part 400 by 0.3/0.6/0.1 = 120/240/40; inc 100 by 0.2/0.2/0.6 = 20/20/60
    //   city 140, county 260, zone 100
    // 2026: base part min(300,400) = 300 by base shares: city 90, county 180, zone 30
    close_all(&zcol(&l, 0, |y| y.to_city), &[140.0, 90.0, 90.0]);
    close_all(&zcol(&l, 0, |y| y.to_county), &[260.0, 180.0, 180.0]);
    close_all(&zcol(&l, 0, |y| y.allocation), &[100.0, 30.0, 30.0]);
    // Treasury: received in the year it accrues.
    close_all(&zcol(&l, 0, |y| y.received), &[100.0, 30.0, 30.0]);
    close_all(&zcol(&l, 0, |y| y.receivable), &[0.0, 0.0, 0.0]);
    // county retained = its shares (no land, fees or grants): 260, 180, 180
    close_all(
        &l.counties[0].iter().map(|c| c.retained).collect::<Vec<_>>(),
        &[260.0, 180.0, 180.0],
    );
    close_all(
        &l.city.iter().map(|c| c.retained).collect::<Vec<_>>(),
        &[140.0, 90.0, 90.0],
    );
    assert_accounts(&l);
}

#[test]
fn zone_bears_the_shortfall_and_remits() {
    let (s, w) = shortfall_case(Shortfall::ZoneBears, Delivery::Treasury);
    let l = run(&s, &w);
    // 2025 as under "shared": 140/260/100.
    // 2026: city 0.3*400 = 120, county 0.6*400 = 240, zone 0.1*400 - 100 = -60 (sum 300 = P)
    close_all(&zcol(&l, 0, |y| y.to_city), &[140.0, 120.0, 120.0]);
    close_all(&zcol(&l, 0, |y| y.to_county), &[260.0, 240.0, 240.0]);
    close_all(&zcol(&l, 0, |y| y.allocation), &[100.0, -60.0, -60.0]);
    close_all(&zcol(&l, 0, |y| y.shortfall), &[0.0, 100.0, 100.0]);
    // Treasury: the zone remits in the same year; inflow -60 ≤ 0 → debt ratio 999;
    // outflow 0 → interest ratio 0.
    close_all(&zcol(&l, 0, |y| y.received), &[100.0, -60.0, -60.0]);
    close_all(&zcol(&l, 0, |y| y.inflow), &[100.0, -60.0, -60.0]);
    close_all(&zcol(&l, 0, |y| y.retained), &[100.0, -60.0, -60.0]);
    assert_eq!(l.zones[0][1].debt_ratio, 999.0);
    assert_eq!(l.zones[0][1].interest_ratio, 0.0);
    // 2025: inflow 100 > 0, debt 0 → 0/100 = 0
    assert_eq!(l.zones[0][0].debt_ratio, 0.0);
    // (reserve and funding gap: zone_bears_fix_the_funding_gap_arithmetic)
    assert_accounts(&l);
}

#[test]
fn zone_bears_with_a_transfer_lag_remits_late() {
    // Negative allocations are lagged too: shortfall_case with zone_bears and lag 1.
    let (s, w) = shortfall_case(Shortfall::ZoneBears, Delivery::Transfer { lag: 1 });
    let l = run(&s, &w);
    // Accrued 2024: 0.1*400 = 40; 2025: 100; 2026: -60; 2027: -60.
    // Received: 2025 40, 2026 100, 2027 -60. Receivable: 100, -60, -60.
    close_all(&zcol(&l, 0, |y| y.received), &[40.0, 100.0, -60.0]);
    close_all(&zcol(&l, 0, |y| y.receivable), &[100.0, -60.0, -60.0]);
    // the county holds them as payable (negative: the zone owes the county)
    close_all(
        &l.counties[0].iter().map(|c| c.payable).collect::<Vec<_>>(),
        &[100.0, -60.0, -60.0],
    );
    close!(l.opening_payables, 40.0);
    assert_accounts(&l);
}

#[test]
fn zone_bears_fix_the_funding_gap_arithmetic() {
    // Same world as zone_bears_the_shortfall_and_remits: reserve and gap by hand.
    let (s, w) = shortfall_case(Shortfall::ZoneBears, Delivery::Treasury);
    let l = run(&s, &w);
    // 2025: I = 100, O = 0 → surplus 100 → reserve 100.
    // 2026: I = -60 → need 60 → reserve draw 60 → reserve 40, gap 0.
    // 2027: need 60 → draw 40 → reserve 0, limit 0 → borrowing 0, gap 20.
    close_all(&zcol(&l, 0, |y| y.reserve), &[100.0, 40.0, 0.0]);
    close_all(&zcol(&l, 0, |y| y.reserve_draw), &[0.0, 60.0, 40.0]);
    close_all(&zcol(&l, 0, |y| y.borrowing), &[0.0, 0.0, 0.0]);
    close_all(&zcol(&l, 0, |y| y.funding_gap), &[0.0, 0.0, 20.0]);
}

#[test]
fn new_projects_only_shares_the_project_pool_and_has_no_shortfall() {
    let mut s = scenario(2026, vec![tax("vat", 0.5, 0.1)], &["c1"]);
    let mut p = policy("p");
    p.increment_basis = IncrementBasis::NewProjectsOnly;
    p.base_shares = shares(0.3, 0.6, 0.1);
    p.shortfall = Shortfall::ZoneBears; // no effect on this basis
    s.policies.push(p);
    s.zones.push(zone("z", Some(0), 0, &[1000.0]));
    s.sectors.push(sector("s", 0.1, 1, &[1.0]));
    // 5000*0.1 = 500 collected a year from 2025.
    s.projects.push(project("p0", 0, 0, 5_000.0, 2025, 0));
    let s = finish(s);
    let mut w = World::central(&s);
    set_growth(&mut w, 0, &[0.1, -0.5]);
    let l = run(&s, &w);
    // E: 1100, 550 → Pe = 440, 220; N = 500 → Pn = 200; P = 640, 420.
    close_all(&zcol(&l, 0, |y| y.local_pool), &[640.0, 420.0]);
    // Base still reported: P[2024] = 400.
    close_all(&zcol(&l, 0, |y| y.base), &[400.0, 400.0]);
    // inc = Pn = 200; no shortfall although Pe = 220 < 400 in 2026.
    close_all(&zcol(&l, 0, |y| y.increment), &[200.0, 200.0]);
    close_all(&zcol(&l, 0, |y| y.shortfall), &[0.0, 0.0]);
    // 2025: Pe 440 by 0.3/0.6/0.1 = 132/264/44; Pn 200 by 0.2/0.2/0.6 = 40/40/120
    //   → city 172, county 304, zone 164
    // 2026: Pe 220 → 66/132/22; Pn → 40/40/120 → city 106, county 172, zone 142
    close_all(&zcol(&l, 0, |y| y.to_city), &[172.0, 106.0]);
    close_all(&zcol(&l, 0, |y| y.to_county), &[304.0, 172.0]);
    close_all(&zcol(&l, 0, |y| y.allocation), &[164.0, 142.0]);
    assert_accounts(&l);
}

/// Growth 10% a year to 2030 (vat local 0.4, base revenue 1000):
/// P = 400, 440, 484, 532.4, 585.64, 644.204, 708.6244 for 2024..2030.
const P_GROWING: [f64; 7] = [400.0, 440.0, 484.0, 532.4, 585.64, 644.204, 708.6244];

fn base_reset_bases(chain: &[(u32, Option<i32>)]) -> Vec<f64> {
    let mut s = scenario(2030, vec![tax("vat", 0.5, 0.1)], &["c1"]);
    for (i, &(n, end)) in chain.iter().enumerate() {
        let mut p = policy(&format!("p{i}"));
        p.base_reset_years = n;
        p.end_year = end;
        p.after = end.map(|_| i + 1);
        s.policies.push(p);
    }
    s.zones.push(zone("z", Some(0), 0, &[1000.0]));
    let s = finish(s);
    let mut w = World::central(&s);
    set_growth(&mut w, 0, &[0.1; 6]);
    let l = run(&s, &w);
    close_all(&zcol(&l, 0, |y| y.local_pool), &P_GROWING[1..]);
    assert_accounts(&l);
    zcol(&l, 0, |y| y.base)
}

#[test]
fn base_is_reset_every_n_years_anchored_at_the_base_year() {
    // n = 0: always P[2024] = 400.
    close_all(&base_reset_bases(&[(0, None)]), &[400.0; 6]);
    // n = 3: Base[t] = P[2024 + 3*floor((t-2025)/3)]: 2025-2027 P[2024] = 400,
    //        2028-2030 P[2027] = 532.4
    close_all(
        &base_reset_bases(&[(3, None)]),
        &[400.0, 400.0, 400.0, 532.4, 532.4, 532.4],
    );
    // n = 2: 2025-26 P[2024] = 400, 2027-28 P[2026] = 484, 2029-30 P[2028] = 585.64
    close_all(
        &base_reset_bases(&[(2, None)]),
        &[400.0, 400.0, 484.0, 484.0, 585.64, 585.64],
    );
    // Chain n=0 to 2026, then n=3 (anchored at B, not at the switch):
    //   2025-26 400; 2027: P[2024+3*floor(2/3)] = P[2024] = 400; 2028-30: P[2027] = 532.4
    close_all(
        &base_reset_bases(&[(0, Some(2026)), (3, None)]),
        &[400.0, 400.0, 400.0, 532.4, 532.4, 532.4],
    );
    // Chain n=3 to 2027, then n=2: 2025-27 400; 2028: P[2024+2*floor(3/2)] = P[2026] = 484;
    //   2029-30: P[2024+2*2] = P[2028] = 585.64
    close_all(
        &base_reset_bases(&[(3, Some(2027)), (2, None)]),
        &[400.0, 400.0, 400.0, 484.0, 585.64, 585.64],
    );
}

#[test]
fn base_reset_changes_the_increment_and_the_zone_allocation() {
    let mut s = scenario(2030, vec![tax("vat", 0.5, 0.1)], &["c1"]);
    let mut p = policy("p");
    p.base_reset_years = 3;
    s.policies.push(p);
    s.zones.push(zone("z", Some(0), 0, &[1000.0]));
    let s = finish(s);
    let mut w = World::central(&s);
    set_growth(&mut w, 0, &[0.1; 6]);
    let l = run(&s, &w);
    // inc = P - Base: 440-400 = 40; 484-400 = 84; 532.4-400 = 132.4; 585.64-532.4 = 53.24;
    //   644.204-532.4 = 111.804; 708.6244-532.4 = 176.2244
    close_all(
        &zcol(&l, 0, |y| y.increment),
        &[40.0, 84.0, 132.4, 53.24, 111.804, 176.2244],
    );
    // zone = 0*Base + 0.6*inc: 24, 50.4, 79.44, 31.944, 67.0824, 105.73464
    close_all(
        &zcol(&l, 0, |y| y.allocation),
        &[24.0, 50.4, 79.44, 31.944, 67.0824, 105.73464],
    );
    // city 2028 = 0.3*532.4 + 0.2*53.24 = 159.72 + 10.648 = 170.368
    close!(l.zones[0][3].to_city, 170.368);
    // county 2028 = 0.7*532.4 + 0.2*53.24 = 372.68 + 10.648 = 383.328
    close!(l.zones[0][3].to_county, 383.328);
    assert_accounts(&l);
}

// ---------------------------------------------------------------------------------
// §4.4 Progressive bands
// ---------------------------------------------------------------------------------

#[test]
fn progressive_bands_work_like_tax_brackets() {
    let bands = vec![
        Band {
            up_to: Some(0.10),
            zone: 0.5,
        },
        Band {
            up_to: Some(0.20),
            zone: 0.7,
        },
        Band {
            up_to: None,
            zone: 0.9,
        },
    ];
    let mut s = scenario(2026, vec![tax("vat", 0.5, 0.1)], &["c1"]);
    let mut p = policy("bands");
    p.increment_shares = shares(0.1, 0.3, 0.6); // non-zone part city:county = 1:3
    p.bands = bands.clone();
    s.policies.push(p.clone());
    let mut q = p.clone();
    q.id = "bands_new".into();
    q.increment_basis = IncrementBasis::NewProjectsOnly;
    s.policies.push(q);
    // z0: base revenue 2500 → Base 1000. z1: base revenue 0 → Base 0.
    // z2: Base 1000, growth to an exact band edge. z3: new_projects_only, Base 1000.
    s.zones.push(zone("z0", Some(0), 0, &[2500.0]));
    s.zones.push(zone("z1", Some(0), 0, &[0.0]));
    s.zones.push(zone("z2", Some(0), 0, &[2500.0]));
    s.zones.push(zone("z3", Some(0), 1, &[2500.0]));
    s.sectors.push(sector("s", 0.1, 1, &[1.0]));
    s.projects.push(project("p1", 1, 0, 5_000.0, 2025, 0)); // 500 collected → Pn 200
    s.projects.push(project("p3", 3, 0, 5_000.0, 2025, 0));
    let s = finish(s);
    let mut w = World::central(&s);
    set_growth(&mut w, 0, &[0.25, -0.152]);
    set_growth(&mut w, 2, &[0.1, 0.2]);
    let l = run(&s, &w);

    // z0 2025: P = 3125*0.4 = 1250, inc 250, q = 25%:
    //   zone = 0.5*100 + 0.7*100 + 0.9*50 = 50+70+45 = 165; rest 85 → city 21.25, county 63.75
    //   base part 1000 by 0.3/0.7/0 → 300/700: city 321.25, county 763.75
    // z0 2026: E = 3125*0.848 = 2650, P = 1060, inc 60 (q = 6%): zone 0.5*60 = 30;
    //   rest 30 → 7.5/22.5: city 307.5, county 722.5
    close_all(&zcol(&l, 0, |y| y.local_pool), &[1250.0, 1060.0]);
    close_all(&zcol(&l, 0, |y| y.allocation), &[165.0, 30.0]);
    close_all(&zcol(&l, 0, |y| y.to_city), &[321.25, 307.5]);
    close_all(&zcol(&l, 0, |y| y.to_county), &[763.75, 722.5]);

    // z1: Base 0, P = 200 → whole increment in the top band: zone 0.9*200 = 180,
    //   rest 20 → city 5, county 15
    close_all(&zcol(&l, 1, |y| y.base), &[0.0, 0.0]);
    close_all(&zcol(&l, 1, |y| y.allocation), &[180.0, 180.0]);
    close_all(&zcol(&l, 1, |y| y.to_city), &[5.0, 5.0]);
    close_all(&zcol(&l, 1, |y| y.to_county), &[15.0, 15.0]);

    // z2 2025: E 2750, P 1100, inc 100 = exactly the first band: zone 50, rest 50 → 12.5/37.5
    //   city 312.5, county 737.5
    // z2 2026: E 3300, P 1320, inc 320 (q = 32%): zone 50 + 70 + 0.9*120 = 228;
    //   rest 92 → 23/69: city 323, county 769
    close_all(&zcol(&l, 2, |y| y.allocation), &[50.0, 228.0]);
    close_all(&zcol(&l, 2, |y| y.to_city), &[312.5, 323.0]);
    close_all(&zcol(&l, 2, |y| y.to_county), &[737.5, 769.0]);

    // z3 (new_projects_only): Pe 1000, Pn 200, q = Pn / Base = 200/1000 = 20%:
    //   zone 0.5*100 + 0.7*100 = 120; rest 80 → 20/60; base part Pe 1000 → 300/700
    //   city 320, county 760 (sum 1200 = P)
    close_all(&zcol(&l, 3, |y| y.allocation), &[120.0, 120.0]);
    close_all(&zcol(&l, 3, |y| y.to_city), &[320.0, 320.0]);
    close_all(&zcol(&l, 3, |y| y.to_county), &[760.0, 760.0]);
    assert_accounts(&l);
}

// ---------------------------------------------------------------------------------
// §4.5 Delivery
// ---------------------------------------------------------------------------------

/// vat local 0.4, base revenue 1000 (P[2024] = 400), growth 10% a year to 2027
/// (P 440, 484, 532.4). Base shares 0.3/0.6/0.1, increment 0.2/0.2/0.6.
/// Allocations: 2024 (base year) 0.1*400 = 40; 2025 40 + 0.6*40 = 64;
/// 2026 40 + 0.6*84 = 90.4; 2027 40 + 0.6*132.4 = 119.44.
fn delivery_case(policies: Vec<Policy>) -> PathLedger {
    let mut s = scenario(2027, vec![tax("vat", 0.5, 0.1)], &["c1"]);
    s.policies = policies;
    s.zones.push(zone("z", Some(0), 0, &[1000.0]));
    let s = finish(s);
    let mut w = World::central(&s);
    set_growth(&mut w, 0, &[0.1; 3]);
    let l = run(&s, &w);
    assert_accounts(&l);
    l
}

/// Treasury, base shares 0.3/0.6/0.1, increment 0.2/0.2/0.6.
fn treasury(id: &str) -> Policy {
    let mut p = policy(id);
    p.base_shares = shares(0.3, 0.6, 0.1);
    p
}

/// As [`treasury`] but delivered by transfer with `lag`.
fn transfer(lag: u32) -> Policy {
    let mut p = treasury(&format!("lag{lag}"));
    p.delivery = Delivery::Transfer { lag };
    p
}

#[test]
fn treasury_delivers_in_the_accrual_year() {
    let l = delivery_case(vec![treasury("treasury")]);
    close_all(&zcol(&l, 0, |y| y.allocation), &[64.0, 90.4, 119.44]);
    close_all(&zcol(&l, 0, |y| y.received), &[64.0, 90.4, 119.44]);
    close_all(&zcol(&l, 0, |y| y.receivable), &[0.0, 0.0, 0.0]);
    close!(l.opening_payables, 0.0);
}

#[test]
fn transfer_lag_one_pays_the_base_year_share_first_and_leaves_a_receivable() {
    let l = delivery_case(vec![transfer(1)]);
    close_all(&zcol(&l, 0, |y| y.allocation), &[64.0, 90.4, 119.44]);
    // received 2025 = 0.1*P[2024] = 40; 2026 = 64; 2027 = 90.4
    close_all(&zcol(&l, 0, |y| y.received), &[40.0, 64.0, 90.4]);
    // receivable at year end: 64; 90.4; 119.44 (the horizon year's allocation)
    close_all(&zcol(&l, 0, |y| y.receivable), &[64.0, 90.4, 119.44]);
    close_all(
        &l.counties[0].iter().map(|c| c.payable).collect::<Vec<_>>(),
        &[64.0, 90.4, 119.44],
    );
    close_all(
        &l.city.iter().map(|c| c.payable).collect::<Vec<_>>(),
        &[0.0, 0.0, 0.0],
    );
    close!(l.opening_payables, 40.0);
    // to_county 2025 = 0.6*400 + 0.2*40 = 248; the payable is not retained: retained 248
    close!(l.counties[0][0].retained, 248.0);
    // to_city 2025 = 0.3*400 + 0.2*40 = 128
    close!(l.city[0].retained, 128.0);
    // zone inflow = received: 40, 64, 90.4
    close_all(&zcol(&l, 0, |y| y.inflow), &[40.0, 64.0, 90.4]);
    // Identity 2025 by hand: central 0.5*1100 = 550, province 110, city 128, county 248,
    // zone 40 → 1076; Δpayables = 64 - 40 = 24; 1076 + 24 = 1100 = collected.
    let (lhs, rhs, _) = identity_sides(&l, 0);
    close!(lhs, 1100.0);
    close!(rhs, 1100.0);
}

#[test]
fn transfer_lag_two_reaches_back_before_the_base_year() {
    let l = delivery_case(vec![transfer(2)]);
    // accruals 2023: 0.1*P[2024] = 40, 2024: 40, 2025: 64, 2026: 90.4, 2027: 119.44
    // received 2025 = 40 (2023's), 2026 = 40 (2024's), 2027 = 64
    close_all(&zcol(&l, 0, |y| y.received), &[40.0, 40.0, 64.0]);
    // receivable: 2025 40+64 = 104; 2026 64+90.4 = 154.4; 2027 90.4+119.44 = 209.84
    close_all(&zcol(&l, 0, |y| y.receivable), &[104.0, 154.4, 209.84]);
    close_all(
        &l.counties[0].iter().map(|c| c.payable).collect::<Vec<_>>(),
        &[104.0, 154.4, 209.84],
    );
    // outstanding at the end of 2024: 2023's and 2024's: 80
    close!(l.opening_payables, 80.0);
}

#[test]
fn a_switch_from_transfer_to_treasury_doubles_up_a_year() {
    let mut a = transfer(1);
    a.end_year = Some(2025);
    a.after = Some(1);
    let l = delivery_case(vec![a, treasury("treasury")]);
    // 2024's 40 (lag 1) → 2025; 2025's 64 (lag 1) → 2026; 2026's 90.4 (lag 0) → 2026;
    // 2027's 119.44 → 2027.  received: 40, 64+90.4 = 154.4, 119.44
    close_all(&zcol(&l, 0, |y| y.received), &[40.0, 154.4, 119.44]);
    close_all(&zcol(&l, 0, |y| y.receivable), &[64.0, 0.0, 0.0]);
    close!(l.opening_payables, 40.0);
}

#[test]
fn a_switch_from_treasury_to_transfer_skips_a_year() {
    let mut a = treasury("treasury");
    a.end_year = Some(2025);
    a.after = Some(1);
    let l = delivery_case(vec![a, transfer(1)]);
    // 2024 is under treasury (lag 0): paid in 2024, nothing opening.
    // 2025's 64 (lag 0) → 2025; 2026's 90.4 (lag 1) → 2027; 2027's 119.44 → receivable.
    close_all(&zcol(&l, 0, |y| y.received), &[64.0, 0.0, 90.4]);
    close_all(&zcol(&l, 0, |y| y.receivable), &[0.0, 90.4, 119.44]);
    close!(l.opening_payables, 0.0);
}

#[test]
fn pre_base_accruals_use_the_policy_in_force_in_their_year() {
    // A: lag 2, base shares 0.3/0.6/0.1, in force to 2024; then B: lag 1, 0.3/0.5/0.2.
    let mut a = transfer(2);
    a.end_year = Some(2024);
    a.after = Some(1);
    let mut b = transfer(1);
    b.base_shares = shares(0.3, 0.5, 0.2);
    let l = delivery_case(vec![a, b]);
    // accrued 2023 (A): 0.1*400 = 40, lag 2 → 2025; 2024 (A): 40, lag 2 → 2026;
    // 2025 (B): 0.2*400 + 0.6*40 = 104, lag 1 → 2026; 2026: 80 + 0.6*84 = 130.4 → 2027;
    // 2027: 80 + 0.6*132.4 = 159.44 → receivable
    close_all(&zcol(&l, 0, |y| y.allocation), &[104.0, 130.4, 159.44]);
    // received: 2025 40; 2026 40 + 104 = 144; 2027 130.4
    close_all(&zcol(&l, 0, |y| y.received), &[40.0, 144.0, 130.4]);
    // receivable: 2025 40 + 104 = 144; 2026 130.4; 2027 159.44
    close_all(&zcol(&l, 0, |y| y.receivable), &[144.0, 130.4, 159.44]);
    close!(l.opening_payables, 80.0);
}

#[test]
fn provincial_increment_return_is_tax_by_tax_never_rebased_and_lagged() {
    let mut s = scenario(
        2027,
        vec![tax("vat", 0.5, 0.1), tax("cit", 0.6, 0.15)],
        &["c1"],
    );
    let mut p = transfer(1);
    p.base_shares = shares(0.3, 0.6, 0.1);
    p.base_reset_years = 1; // the pool's base moves every year; the return's must not
    p.province_return = 0.5;
    s.policies.push(p);
    s.zones.push(zone("z", Some(0), 0, &[1000.0, 500.0]));
    let s = finish(s);
    let mut w = World::central(&s);
    set_growth(&mut w, 0, &[0.1, 0.1, 0.0]);
    set_noise(&mut w, 0, 1, &[-0.3, 0.5, 0.0]);
    let l = run(&s, &w);

    // vat: 1100, 1210, 1210; cit: 500*(1+0.1-0.3) = 400, 400*1.6 = 640, 640
    close_all(&zcol(&l, 0, |y| y.collected), &[1500.0, 1850.0, 1850.0]);
    // return accrued = 0.5 * Σ_k province_share_k * max(C_k - C_k[2024], 0):
    //   2025: 0.5*(0.1*100 + 0.15*max(-100, 0)) = 5   (a pooled total would give 0)
    //   2026: 0.5*(0.1*210 + 0.15*140) = 21;  2027: 21 (against C[2024], not re-based)
    close_all(
        &zcol(&l, 0, |y| y.province_return_accrued),
        &[5.0, 21.0, 21.0],
    );
    close_all(
        &l.province
            .iter()
            .map(|p| p.province_return)
            .collect::<Vec<_>>(),
        &[5.0, 21.0, 21.0],
    );
    // received a year later (lag 1), nothing accrued before 2025: 0, 5, 21
    close_all(&zcol(&l, 0, |y| y.province_return), &[0.0, 5.0, 21.0]);
    close_all(
        &zcol(&l, 0, |y| y.province_return_receivable),
        &[5.0, 21.0, 21.0],
    );
    close_all(
        &l.province.iter().map(|p| p.payable).collect::<Vec<_>>(),
        &[5.0, 21.0, 21.0],
    );
    // province take: 0.1*1100 + 0.15*400 = 170; 121 + 96 = 217; 217
    // retained = take - returns accrued: 165, 196, 196
    close_all(
        &l.province.iter().map(|p| p.take).collect::<Vec<_>>(),
        &[170.0, 217.0, 217.0],
    );
    close_all(
        &l.province.iter().map(|p| p.retained).collect::<Vec<_>>(),
        &[165.0, 196.0, 196.0],
    );

    // Pool: P[2024] = 400 + 125 = 525; 440 + 100 = 540; 484 + 160 = 644; 644.
    // Base (n = 1): 525, 540, 644 → inc 15, 104, 0.
    close_all(&zcol(&l, 0, |y| y.base), &[525.0, 540.0, 644.0]);
    close_all(&zcol(&l, 0, |y| y.increment), &[15.0, 104.0, 0.0]);
    // allocation: 52.5 + 9 = 61.5; 54 + 62.4 = 116.4; 64.4
    close_all(&zcol(&l, 0, |y| y.allocation), &[61.5, 116.4, 64.4]);
    // received: 0.1*525 = 52.5, 61.5, 116.4; inflow adds the return: 52.5, 66.5, 137.4
    close_all(&zcol(&l, 0, |y| y.received), &[52.5, 61.5, 116.4]);
    close_all(&zcol(&l, 0, |y| y.inflow), &[52.5, 66.5, 137.4]);
    // to_city: 157.5 + 3 = 160.5; 162 + 20.8 = 182.8; 193.2
    // to_county: 315 + 3 = 318; 324 + 20.8 = 344.8; 386.4
    close_all(
        &l.city.iter().map(|c| c.retained).collect::<Vec<_>>(),
        &[160.5, 182.8, 193.2],
    );
    close_all(
        &l.counties[0].iter().map(|c| c.retained).collect::<Vec<_>>(),
        &[318.0, 344.8, 386.4],
    );
    // Identity 2026 by hand: central 605 + 384 = 989, province 196, city 182.8,
    // county 344.8, zone 66.5 → 1779.1; Δpayables = (116.4 + 21) - (61.5 + 5) = 70.9;
    // 1779.1 + 70.9 = 1850 = collected.
    let (lhs, rhs, _) = identity_sides(&l, 1);
    close!(lhs, 1850.0);
    close!(rhs, 1850.0);
    // 2025: 790 + 165 + 160.5 + 318 + 52.5 = 1486; Δ = (61.5 + 5) - 52.5 (opening) = 14
    let (lhs, _, _) = identity_sides(&l, 0);
    close!(lhs, 1500.0);
    assert_accounts(&l);
}

// ---------------------------------------------------------------------------------
// §4.6 Land and fees; §4.8 base grants
// ---------------------------------------------------------------------------------

#[test]
fn land_and_fees_split_between_zone_and_parent_and_the_parent_pays_the_grant() {
    let mut s = scenario(2026, vec![tax("vat", 0.5, 0.1)], &["c1"]);
    let mut pa = policy("county_zone");
    pa.land_return = 0.8;
    pa.fee_return = 0.5;
    s.policies.push(pa);
    let mut pb = policy("city_zone");
    pb.base_shares = shares(1.0, 0.0, 0.0);
    pb.increment_shares = shares(0.4, 0.0, 0.6);
    pb.land_return = 0.4;
    pb.fee_return = 0.25;
    s.policies.push(pb);
    let mut a = zone("a", Some(0), 0, &[0.0]);
    a.land = Land {
        area: 100.0,
        area_sd: 0.3,
        price: 20.0,
        deduction: 0.3,
    };
    a.fees = Fees {
        base: 1000.0,
        growth: 0.05,
    };
    a.base_grant = 300.0;
    s.zones.push(a);
    let mut b = zone("b", None, 1, &[0.0]);
    b.land = Land {
        area: 50.0,
        area_sd: 0.3,
        price: 10.0,
        deduction: 0.5,
    };
    b.fees = Fees {
        base: 200.0,
        growth: 0.1,
    };
    b.base_grant = 100.0;
    s.zones.push(b);
    let s = finish(s);
    let mut w = World::central(&s);
    w.land_price_growth = vec![0.1, -0.2]; // price index 1.1, 1.1*0.8 = 0.88
    set_land_area(&mut w, 0, &[1.2, 0.5]);
    set_land_area(&mut w, 1, &[1.0, 2.0]);
    let l = run(&s, &w);

    // a 2025: gross 100*1.2*20*1.1 = 2640, net 2640*0.7 = 1848 → zone 0.8*1848 = 1478.4,
    //   county 369.6. 2026: gross 100*0.5*20*0.88 = 880, net 616 → 492.8 / 123.2
    close_all(&zcol(&l, 0, |y| y.land_net), &[1848.0, 616.0]);
    close_all(&zcol(&l, 0, |y| y.land_to_zone), &[1478.4, 492.8]);
    close_all(&zcol(&l, 0, |y| y.land_to_parent), &[369.6, 123.2]);
    // a fees: 1000*1.05 = 1050, 1000*1.05^2 = 1102.5; half each
    close_all(&zcol(&l, 0, |y| y.fees), &[1050.0, 1102.5]);
    close_all(&zcol(&l, 0, |y| y.fees_to_zone), &[525.0, 551.25]);
    // a inflow = land + fees + grant: 1478.4+525+300 = 2303.4; 492.8+551.25+300 = 1344.05
    close_all(&zcol(&l, 0, |y| y.inflow), &[2303.4, 1344.05]);
    close_all(&zcol(&l, 0, |y| y.retained), &[2303.4, 1344.05]);
    // county: 369.6 + 525 - 300 = 594.6; 123.2 + 551.25 - 300 = 374.45
    let c = &l.counties[0];
    close_all(
        &c.iter().map(|g| g.land_net).collect::<Vec<_>>(),
        &[369.6, 123.2],
    );
    close_all(
        &c.iter().map(|g| g.fees).collect::<Vec<_>>(),
        &[525.0, 551.25],
    );
    close_all(
        &c.iter().map(|g| g.base_grants).collect::<Vec<_>>(),
        &[300.0, 300.0],
    );
    close_all(
        &c.iter().map(|g| g.retained).collect::<Vec<_>>(),
        &[594.6, 374.45],
    );

    // b (city-managed) 2025: gross 50*1*10*1.1 = 550, net 275 → zone 0.4*275 = 110, city 165;
    //   2026: gross 50*2*10*0.88 = 880, net 440 → 176 / 264
    close_all(&zcol(&l, 1, |y| y.land_net), &[275.0, 440.0]);
    close_all(&zcol(&l, 1, |y| y.land_to_zone), &[110.0, 176.0]);
    // b fees: 200*1.1 = 220, 200*1.21 = 242 → zone 55, 60.5; city 165, 181.5
    close_all(&zcol(&l, 1, |y| y.fees_to_zone), &[55.0, 60.5]);
    // b inflow: 110+55+100 = 265; 176+60.5+100 = 336.5
    close_all(&zcol(&l, 1, |y| y.inflow), &[265.0, 336.5]);
    // city: 165 + 165 - 100 = 230; 264 + 181.5 - 100 = 345.5
    close_all(
        &l.city.iter().map(|g| g.land_net).collect::<Vec<_>>(),
        &[165.0, 264.0],
    );
    close_all(
        &l.city.iter().map(|g| g.fees).collect::<Vec<_>>(),
        &[165.0, 181.5],
    );
    close_all(
        &l.city.iter().map(|g| g.retained).collect::<Vec<_>>(),
        &[230.0, 345.5],
    );

    // Identity 2025: 230 + 594.6 + 2303.4 + 265 = 3393 = land 1848+275 + fees 1050+220
    let (lhs, rhs, _) = identity_sides(&l, 0);
    close!(lhs, 3393.0);
    close!(rhs, 3393.0);
    assert_accounts(&l);
}

// ---------------------------------------------------------------------------------
// §4.7 The zone's budget and debt
// ---------------------------------------------------------------------------------

#[test]
fn budget_spending_incentives_debt_reserve_and_gap() {
    let mut s = scenario(2028, vec![tax("vat", 0.5, 0.1)], &["c1"]);
    s.policies.push(policy("p"));
    let mut z = zone("z", Some(0), 0, &[0.0]);
    // Land gross = 100 * a_t * 10 * 1 = 1000*a_t, no deduction, all to the zone.
    z.land = Land {
        area: 100.0,
        area_sd: 0.0,
        price: 10.0,
        deduction: 0.0,
    };
    z.spending = Spending {
        staff: 10.0,
        salary: 12.0,
        perf_pay: 4.0,
        perf_multiplier: 3.0,
        wage_growth: 0.05,
        operating: 100.0,
        // 2024 and 2031 fall outside the projection and are ignored.
        capex: capex(&[(2024, 999.0), (2025, 500.0), (2027, 50.0), (2031, 7.0)]),
    };
    z.incentive.rate = 0.01;
    z.incentive.stages = vec![
        IncentiveStage {
            offset: 0,
            weight: 0.5,
        },
        IncentiveStage {
            offset: 1,
            weight: 0.3,
        },
        IncentiveStage {
            offset: 3,
            weight: 0.2,
        },
    ];
    z.debt = Debt {
        balance: 2000.0,
        amortization: 0.1,
        limit: 2300.0,
        warning_ratio: 1.2,
    };
    z.reserve = 50.0;
    s.zones.push(z);
    s.sectors.push(sector("s", 0.0, 1, &[1.0]));
    // p0: landed 2024 (stage 0 in 2024 is not paid); p1: signed 2025, delay 1 → L = 2026;
    // p2: not landed → no incentives.
    s.projects.push(project("p0", 0, 0, 10_000.0, 2024, 3));
    let mut p1 = project("p1", 0, 0, 20_000.0, 2025, 1);
    p1.delay_probs = vec![0.0, 1.0];
    s.projects.push(p1);
    s.projects.push(project("p2", 0, 0, 50_000.0, 2025, 0));
    let s = finish(s);
    let mut w = World::central(&s);
    set_land_area(&mut w, 0, &[1.3, 0.2, 0.001, 2.0]);
    w.interest_rate = vec![0.05, 0.04, 0.06, 0.05];
    w.projects[1].delay = 1;
    w.projects[2].landed = false;
    let l = run(&s, &w);
    let y = &l.zones[0];

    // inflow = 1000*a: 1300, 200, 1, 2000
    close_all(&zcol(&l, 0, |y| y.inflow), &[1300.0, 200.0, 1.0, 2000.0]);
    // personnel = 10*(12 + 3*4)*1.05^(t-2024) = 240*1.05^n: 252, 264.6, 277.83, 291.7215
    close_all(
        &zcol(&l, 0, |y| y.personnel),
        &[252.0, 264.6, 277.83, 291.7215],
    );
    // operating = 100*1.05^n: 105, 110.25, 115.7625, 121.550625
    close_all(
        &zcol(&l, 0, |y| y.operating),
        &[105.0, 110.25, 115.7625, 121.550625],
    );
    close_all(&zcol(&l, 0, |y| y.capex), &[500.0, 0.0, 50.0, 0.0]);
    // incentives: 2025 p0 offset 1: 0.01*10000*0.3 = 30; 2026 p1 offset 0: 0.01*20000*0.5 = 100;
    // 2027 p0 offset 3: 0.01*10000*0.2 = 20 + p1 offset 1: 0.01*20000*0.3 = 60 → 80;
    // 2028: p1 offset 3 falls in 2029 → 0
    close_all(&zcol(&l, 0, |y| y.incentives), &[30.0, 100.0, 80.0, 0.0]);

    // 2025: interest 0.05*2000 = 100, principal 0.1*2000 = 200;
    //   O = 252+105+500+30+100+200 = 1187; balance 1300-1187 = 113 → reserve 50+113 = 163;
    //   D = 2000-200 = 1800; debt ratio 1800/1300; interest ratio 100/(1187-200) = 100/987
    close!(y[0].interest, 100.0);
    close!(y[0].principal, 200.0);
    close!(y[0].outflow, 1187.0);
    close!(y[0].balance, 113.0);
    close!(y[0].reserve, 163.0);
    close!(y[0].reserve_draw, 0.0);
    close!(y[0].borrowing, 0.0);
    close!(y[0].funding_gap, 0.0);
    close!(y[0].debt, 1800.0);
    close!(y[0].debt_ratio, 1800.0 / 1300.0);
    close!(y[0].interest_ratio, 100.0 / 987.0);
    // 2026: interest 0.04*1800 = 72, principal 180; O = 264.6+110.25+0+100+72+180 = 726.85;
    //   balance 200-726.85 = -526.85; draw 163 → need 363.85; headroom 2300-(1800-180) = 680
    //   → borrow 363.85, gap 0; D = 1620+363.85 = 1983.85; ratio 1983.85/200 = 9.91925;
    //   interest ratio 72/(726.85-180) = 72/546.85
    close!(y[1].interest, 72.0);
    close!(y[1].principal, 180.0);
    close!(y[1].outflow, 726.85);
    close!(y[1].balance, -526.85);
    close!(y[1].reserve_draw, 163.0);
    close!(y[1].reserve, 0.0);
    close!(y[1].borrowing, 363.85);
    close!(y[1].funding_gap, 0.0);
    close!(y[1].debt, 1983.85);
    close!(y[1].debt_ratio, 9.91925);
    close!(y[1].interest_ratio, 72.0 / 546.85);
    // 2027: interest 0.06*1983.85 = 119.031, principal 198.385;
    //   O = 277.83+115.7625+50+80+119.031+198.385 = 841.0085; balance 1-841.0085 = -840.0085;
    //   no reserve; headroom 2300-(1983.85-198.385) = 514.535 → borrow 514.535;
    //   gap 840.0085-514.535 = 325.4735; D = 1785.465+514.535 = 2300;
    //   ratio 2300/1 = 2300 → capped 999; interest ratio 119.031/(841.0085-198.385)
    close!(y[2].interest, 119.031);
    close!(y[2].principal, 198.385);
    close!(y[2].outflow, 841.0085);
    close!(y[2].balance, -840.0085);
    close!(y[2].reserve_draw, 0.0);
    close!(y[2].borrowing, 514.535);
    close!(y[2].funding_gap, 325.4735);
    close!(y[2].debt, 2300.0);
    assert_eq!(y[2].debt_ratio, 999.0);
    close!(y[2].interest_ratio, 119.031 / 642.6235);
    // 2028: interest 0.05*2300 = 115, principal 230; O = 291.7215+121.550625+115+230
    //   = 758.272125; balance 2000-758.272125 = 1241.727875 → reserve (the 2027 gap is not
    //   carried); D = 2070; ratio 2070/2000 = 1.035; interest ratio 115/528.272125
    close!(y[3].outflow, 758.272125);
    close!(y[3].balance, 1241.727875);
    close!(y[3].reserve, 1241.727875);
    close!(y[3].funding_gap, 0.0);
    close!(y[3].borrowing, 0.0);
    close!(y[3].debt, 2070.0);
    close!(y[3].debt_ratio, 1.035);
    close!(y[3].interest_ratio, 115.0 / 528.272125);
    assert_accounts(&l);
}

#[test]
fn debt_above_its_limit_borrows_nothing_and_no_debt_table_means_every_deficit_is_a_gap() {
    let mut s = scenario(2026, vec![tax("vat", 0.5, 0.1)], &["c1"]);
    let mut p = policy("p");
    p.fee_return = 1.0;
    s.policies.push(p);
    // z0: debt 1000 above limit 500, amortization 0.1, rate 0; spending 100, fees 30.
    let mut z0 = zone("z0", Some(0), 0, &[0.0]);
    z0.fees = Fees {
        base: 30.0,
        growth: 0.0,
    };
    z0.spending.operating = 100.0;
    z0.debt = Debt {
        balance: 1000.0,
        amortization: 0.1,
        limit: 500.0,
        warning_ratio: 1.2,
    };
    s.zones.push(z0);
    // z1: no debt table (balance 0, limit 0).
    let mut z1 = zone("z1", Some(0), 0, &[0.0]);
    z1.fees = Fees {
        base: 30.0,
        growth: 0.0,
    };
    z1.spending.operating = 100.0;
    s.zones.push(z1);
    let s = finish(s);
    let l = run(&s, &World::central(&s));
    // z0 2025: principal 100, O = 100+0+100 = 200, balance 30-200 = -170;
    //   headroom max(500-(1000-100), 0) = 0 → gap 170; D = 900; ratio 900/30 = 30
    // z0 2026: principal 90, O = 190, balance -160, headroom max(500-810,0) = 0 → gap 160;
    //   D = 810; ratio 27
    close_all(&zcol(&l, 0, |y| y.borrowing), &[0.0, 0.0]);
    close_all(&zcol(&l, 0, |y| y.funding_gap), &[170.0, 160.0]);
    close_all(&zcol(&l, 0, |y| y.debt), &[900.0, 810.0]);
    close_all(&zcol(&l, 0, |y| y.debt_ratio), &[30.0, 27.0]);
    // interest 0 → interest ratio 0/(200-100) = 0
    close_all(&zcol(&l, 0, |y| y.interest_ratio), &[0.0, 0.0]);
    // z1: balance 30-100 = -70 each year, gap 70 each year (not carried), debt 0, ratio 0/30
    close_all(&zcol(&l, 1, |y| y.funding_gap), &[70.0, 70.0]);
    close_all(&zcol(&l, 1, |y| y.debt), &[0.0, 0.0]);
    close_all(&zcol(&l, 1, |y| y.debt_ratio), &[0.0, 0.0]);
    assert_accounts(&l);
}

// ---------------------------------------------------------------------------------
// §4.8 Retained funds of every level and the identity, everything at once
// ---------------------------------------------------------------------------------

#[test]
fn retained_funds_and_the_identity_in_a_combined_scenario() {
    // Two counties and a city-managed zone; lag 2 with province returns and zone_bears;
    // bands; a chain; land, fees and grants.
    let mut s = scenario(
        2027,
        vec![tax("vat", 0.5, 0.1), tax("cit", 0.6, 0.15)],
        &["c1", "c2"],
    );
    let mut p0 = transfer(2);
    p0.shortfall = Shortfall::ZoneBears;
    p0.base_shares = shares(0.2, 0.5, 0.3);
    p0.province_return = 0.4;
    p0.land_return = 0.7;
    p0.fee_return = 0.5;
    p0.end_year = Some(2025);
    p0.after = Some(1);
    s.policies.push(p0);
    let mut p1 = policy("after");
    p1.bands = vec![
        Band {
            up_to: Some(0.05),
            zone: 0.3,
        },
        Band {
            up_to: None,
            zone: 0.8,
        },
    ];
    p1.delivery = Delivery::Transfer { lag: 1 };
    p1.base_reset_years = 2;
    s.policies.push(p1);
    let mut p2 = transfer(1);
    p2.base_shares = shares(0.9, 0.0, 0.1);
    p2.increment_shares = shares(0.5, 0.0, 0.5);
    p2.increment_basis = IncrementBasis::NewProjectsOnly;
    p2.province_return = 1.0;
    s.policies.push(p2);
    let mut a = zone("a", Some(0), 0, &[1000.0, 400.0]);
    a.land = Land {
        area: 10.0,
        area_sd: 0.2,
        price: 30.0,
        deduction: 0.25,
    };
    a.fees = Fees {
        base: 50.0,
        growth: 0.03,
    };
    a.base_grant = 20.0;
    s.zones.push(a);
    let mut b = zone("b", Some(1), 1, &[300.0, 100.0]);
    b.base_grant = 5.0;
    s.zones.push(b);
    let mut c = zone("c", None, 2, &[800.0, 0.0]);
    c.fees = Fees {
        base: 10.0,
        growth: 0.0,
    };
    s.zones.push(c);
    s.sectors.push(sector("s", 0.08, 2, &[0.5, 0.5]));
    s.projects.push(project("pc", 2, 0, 4_000.0, 2025, 0));
    s.projects.push(project("pa", 0, 0, 2_000.0, 2024, 1));
    let s = finish(s);
    let mut w = World::central(&s);
    set_growth(&mut w, 0, &[0.05, -0.3, 0.1]);
    set_growth(&mut w, 1, &[0.2, 0.0, -0.1]);
    set_growth(&mut w, 2, &[0.0, 0.1, 0.1]);
    w.land_price_growth = vec![0.05, 0.05, -0.1];
    let l = run(&s, &w);
    assert_accounts(&l);

    // Zone c: vat 800*(1, 1.1, 1.21) = 800, 880, 968; project 4000*0.08 = 320 at full,
    // ramp 2: 160, 320, 320 split 0.5/0.5 → vat +80, +160, +160; cit 80, 160, 160.
    // collected c: 800+160 = 960; 880+320 = 1200; 968+320 = 1288
    close_all(&zcol(&l, 2, |y| y.collected), &[960.0, 1200.0, 1288.0]);
    // c's provincial return (share 1.0): 0.1*(vat - 800) + 0.15*(cit - 0):
    //   2025: 0.1*80 + 0.15*80 = 20; 2026: 0.1*240 + 0.15*160 = 48; 2027: 0.1*328 + 24 = 56.8
    close_all(
        &zcol(&l, 2, |y| y.province_return_accrued),
        &[20.0, 48.0, 56.8],
    );
    // c is city-managed: Pe = 0.4*800*(1, 1.1, 1.21) = 320, 352, 387.2 by 0.9/0/0.1;
    //   Pn = 0.4*80 + 0.25*80 = 52; 104; 104 by 0.5/0/0.5.
    //   city: 288 + 26 = 314; 316.8 + 52 = 368.8; 348.48 + 52 = 400.48; county 0.
    close_all(&zcol(&l, 2, |y| y.to_city), &[314.0, 368.8, 400.48]);
    close_all(&zcol(&l, 2, |y| y.to_county), &[0.0, 0.0, 0.0]);
    // c's allocation: 32 + 26 = 58; 35.2 + 52 = 87.2; 38.72 + 52 = 90.72
    close_all(&zcol(&l, 2, |y| y.allocation), &[58.0, 87.2, 90.72]);
    // c: lag 1, accrual 2024 = 0.1*P[2024] = 0.1*320 = 32 → received 32, 58, 87.2
    close_all(&zcol(&l, 2, |y| y.received), &[32.0, 58.0, 87.2]);
    // c's returns, lag 1: received 0, 20, 48; outstanding 20, 48, 56.8
    close_all(&zcol(&l, 2, |y| y.province_return), &[0.0, 20.0, 48.0]);
    // c inflow = received + return + fees 10*0 (fee_return 0) = 32, 78, 135.2
    close_all(&zcol(&l, 2, |y| y.inflow), &[32.0, 78.0, 135.2]);

    // Zone a (county c1; p0 in 2025: lag 2, zone_bears, base 0.2/0.5/0.3, province_return
    // 0.4, land_return 0.7, fee_return 0.5; p1 from 2026: bands, shared, lag 1, n = 2,
    // land_return 1, fee_return 0, province_return 0).
    // E_vat 1000*(1.05, 0.735, 0.8085) = 1050, 735, 808.5; E_cit 420, 294, 323.4.
    // Project pa: 2000*0.08 = 160 full, production 2025, ramp 2: 80, 160, 160 → half each.
    // C_vat 1090, 815, 888.5; C_cit 460, 374, 403.4.
    // P[2024] = 400 + 100 = 500; P = 436 + 115 = 551; 326 + 93.5 = 419.5; 355.4 + 100.85 = 456.25
    close_all(&zcol(&l, 0, |y| y.local_pool), &[551.0, 419.5, 456.25]);
    // Base: 2025 500; 2026 (n=2) P[2024] = 500; 2027 P[2026] = 419.5
    close_all(&zcol(&l, 0, |y| y.base), &[500.0, 500.0, 419.5]);
    // 2025: zone 0.3*500 + 0.6*51 = 180.6. 2026: shortfall 80.5, shared → zone 0.
    // 2027: inc 36.75, band 1 up to 0.05*419.5 = 20.975 at 0.3 = 6.2925, the other 15.775
    //   at 0.8 = 12.62 → zone 18.9125
    close_all(&zcol(&l, 0, |y| y.allocation), &[180.6, 0.0, 18.9125]);
    // Accruals 2023, 2024 (p0, lag 2): 0.3*500 = 150 each → 2025, 2026; 2025's 180.6 (lag 2)
    // → 2027; 2026's 0 (lag 1) → 2027; 2027's 18.9125 → receivable.
    close_all(&zcol(&l, 0, |y| y.received), &[150.0, 150.0, 180.6]);
    close_all(&zcol(&l, 0, |y| y.receivable), &[330.6, 180.6, 18.9125]);
    // Province return accrues only under p0 (2025): 0.4*(0.1*90 + 0.15*60) = 7.2, lag 2 → 2027
    close_all(
        &zcol(&l, 0, |y| y.province_return_accrued),
        &[7.2, 0.0, 0.0],
    );
    close_all(&zcol(&l, 0, |y| y.province_return), &[0.0, 0.0, 7.2]);
    close_all(
        &zcol(&l, 0, |y| y.province_return_receivable),
        &[7.2, 7.2, 0.0],
    );
    // Land: 10*1*30*(1.05; 1.1025; 0.99225) = 315, 330.75, 297.675; net ×0.75 = 236.25,
    //   248.0625, 223.25625; to zone 0.7, 1, 1: 165.375, 248.0625, 223.25625
    close_all(
        &zcol(&l, 0, |y| y.land_to_zone),
        &[165.375, 248.0625, 223.25625],
    );
    // Fees 50*1.03^n = 51.5, 53.045, 54.63635; to zone 0.5, 0, 0: 25.75, 0, 0
    close_all(&zcol(&l, 0, |y| y.fees_to_zone), &[25.75, 0.0, 0.0]);
    // Inflow: 150 + 165.375 + 25.75 + 20 = 361.125; 150 + 248.0625 + 20 = 418.0625;
    //   180.6 + 7.2 + 223.25625 + 20 = 431.05625
    close_all(&zcol(&l, 0, |y| y.inflow), &[361.125, 418.0625, 431.05625]);
    // County c1 2025: to_county 0.5*500 + 0.2*51 = 260.2, land 70.875, fees 25.75, grant -20
    //   → 336.825. Payable: 330.6, 180.6, 18.9125
    close!(l.counties[0][0].retained, 336.825);
    close_all(
        &l.counties[0].iter().map(|c| c.payable).collect::<Vec<_>>(),
        &[330.6, 180.6, 18.9125],
    );

    // Zone b (county c2, p1 throughout): P[2024] = 120 + 25 = 145; E_vat 360, 360, 324,
    //   E_cit 120, 120, 108 → P = 174, 174, 156.6. Base 145, 145, P[2026] = 174.
    //   2025-26: inc 29 (q = 20%): 0.3*7.25 + 0.8*21.75 = 2.175 + 17.4 = 19.575 to the zone;
    //   9.425 → 4.7125 each to city and county; base part 145 → 43.5 / 101.5 / 0.
    //   2027: shortfall 17.4, shared: 156.6 → 46.98 / 109.62 / 0.
    close_all(&zcol(&l, 1, |y| y.allocation), &[19.575, 19.575, 0.0]);
    close_all(&zcol(&l, 1, |y| y.to_county), &[106.2125, 106.2125, 109.62]);
    // lag 1, accrual 2024 = 0*145 = 0: received 0, 19.575, 19.575; inflow + grant 5
    close_all(&zcol(&l, 1, |y| y.inflow), &[5.0, 24.575, 24.575]);
    // County c2: to_county - grant 5 = 101.2125, 101.2125, 104.62; payable 19.575, 19.575, 0
    close_all(
        &l.counties[1].iter().map(|c| c.retained).collect::<Vec<_>>(),
        &[101.2125, 101.2125, 104.62],
    );
    close_all(
        &l.counties[1].iter().map(|c| c.payable).collect::<Vec<_>>(),
        &[19.575, 19.575, 0.0],
    );
}
