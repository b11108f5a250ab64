//! The zone's budget and debt (DOMAIN.md §4.7): reserve first, then borrowing up to the
//! limit, then a funding gap (资金缺口).

use crate::scenario::model::Debt;

use super::records::ZoneYear;

/// The debt ratio reported when it is undefined or larger.
pub const DEBT_RATIO_CAP: f64 = 999.0;

/// Stocks carried from one year to the next.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DebtState {
    pub debt: f64,
    pub reserve: f64,
}

/// The interest ratio's warning line (DOMAIN.md §4.7): interest above 10% of the
/// operating outflow net of principal.
pub const INTEREST_RATIO_WARNING: f64 = 0.10;

/// Close one year: `inflow` against `spending` (personnel + operating + capex +
/// incentives) and debt service at `rate` on last year's stock. Writes the year's
/// budget rows of `y` (interest … interest_ratio), straight into the zone's record.
pub fn close_year(
    state: &mut DebtState,
    inflow: f64,
    spending: f64,
    rate: f64,
    terms: &Debt,
    y: &mut ZoneYear,
) {
    let interest = rate * state.debt;
    let principal = terms.amortization * state.debt;
    let outflow = spending + interest + principal;
    let balance = inflow - outflow;

    let (mut reserve_draw, mut borrowing, mut funding_gap) = (0.0, 0.0, 0.0);
    if balance >= 0.0 {
        // No prepayment: a surplus waits in the reserve (without interest).
        state.reserve += balance;
    } else {
        let need = -balance;
        reserve_draw = need.min(state.reserve);
        state.reserve -= reserve_draw;
        let need = need - reserve_draw;
        let headroom = (terms.limit - (state.debt - principal)).max(0.0);
        borrowing = need.min(headroom);
        // Not carried forward: the gap is this year's unmet spending.
        funding_gap = need - borrowing;
    }
    state.debt = state.debt - principal + borrowing;

    let debt_ratio = if inflow <= 0.0 {
        DEBT_RATIO_CAP
    } else {
        (state.debt / inflow).min(DEBT_RATIO_CAP)
    };
    let operating_outflow = outflow - principal;
    let interest_ratio = if operating_outflow <= 0.0 {
        0.0
    } else {
        interest / operating_outflow
    };

    y.interest = interest;
    y.principal = principal;
    y.outflow = outflow;
    y.balance = balance;
    y.reserve_draw = reserve_draw;
    y.borrowing = borrowing;
    y.funding_gap = funding_gap;
    y.debt = state.debt;
    y.reserve = state.reserve;
    y.debt_ratio = debt_ratio;
    y.interest_ratio = interest_ratio;
}

/// Risk tiers of the debt ratio, fixed: green < 1.2 ≤ yellow < 2.0 ≤ orange < 3.0 ≤ red.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    Green,
    Yellow,
    Orange,
    Red,
}

impl Tier {
    pub fn of(debt_ratio: f64) -> Tier {
        if debt_ratio < 1.2 {
            Tier::Green
        } else if debt_ratio < 2.0 {
            Tier::Yellow
        } else if debt_ratio < 3.0 {
            Tier::Orange
        } else {
            Tier::Red
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn terms(limit: f64) -> Debt {
        Debt {
            balance: 1000.0,
            amortization: 0.1,
            limit,
            warning_ratio: 1.2,
        }
    }

    /// One year closed on a fresh record.
    fn close(s: &mut DebtState, inflow: f64, spending: f64, rate: f64, terms: &Debt) -> ZoneYear {
        let mut y = ZoneYear::default();
        close_year(s, inflow, spending, rate, terms, &mut y);
        y
    }

    #[test]
    fn a_surplus_goes_to_the_reserve() {
        // Debt 1000 at 4%: interest 40, principal 100; outflow 500 + 140 = 640.
        let mut s = DebtState {
            debt: 1000.0,
            reserve: 0.0,
        };
        let y = close(&mut s, 800.0, 500.0, 0.04, &terms(2000.0));
        assert_relative_eq!(y.interest, 40.0);
        assert_relative_eq!(y.principal, 100.0);
        assert_relative_eq!(y.outflow, 640.0);
        assert_relative_eq!(y.balance, 160.0);
        assert_relative_eq!(y.reserve, 160.0);
        assert_relative_eq!(y.debt, 900.0);
        assert_relative_eq!(y.debt_ratio, 900.0 / 800.0);
        // 40 / (640 - 100)
        assert_relative_eq!(y.interest_ratio, 40.0 / 540.0);
        assert_eq!(y.funding_gap, 0.0);
    }

    #[test]
    fn a_deficit_draws_the_reserve_then_borrows_up_to_the_limit_then_leaves_a_gap() {
        // Need 640 - 200 = 440; reserve 100 → 340 to borrow; headroom 1150 - 900 = 250
        // → borrow 250, gap 90; debt 900 + 250 = 1150 (the limit).
        let mut s = DebtState {
            debt: 1000.0,
            reserve: 100.0,
        };
        let y = close(&mut s, 200.0, 500.0, 0.04, &terms(1150.0));
        assert_relative_eq!(y.reserve_draw, 100.0);
        assert_relative_eq!(y.borrowing, 250.0);
        assert_relative_eq!(y.funding_gap, 90.0);
        assert_relative_eq!(y.debt, 1150.0);
        assert_eq!(y.reserve, 0.0);
        assert_relative_eq!(y.debt_ratio, 1150.0 / 200.0);
    }

    #[test]
    fn debt_above_the_limit_borrows_nothing() {
        let mut s = DebtState {
            debt: 1000.0,
            reserve: 0.0,
        };
        let y = close(&mut s, 100.0, 500.0, 0.0, &terms(500.0));
        assert_eq!(y.borrowing, 0.0);
        assert_relative_eq!(y.funding_gap, 500.0);
        assert_relative_eq!(y.debt, 900.0);
    }

    #[test]
    fn debt_ratio_is_capped_and_defined_for_no_inflow() {
        let mut s = DebtState {
            debt: 1000.0,
            reserve: 0.0,
        };
        let y = close(&mut s, 0.0, 0.0, 0.0, &terms(5000.0));
        assert_eq!(y.debt_ratio, DEBT_RATIO_CAP);
        let mut s = DebtState {
            debt: 1e9,
            reserve: 0.0,
        };
        let y = close(&mut s, 1.0, 0.0, 0.0, &terms(5e9));
        assert_eq!(y.debt_ratio, DEBT_RATIO_CAP);
    }

    #[test]
    fn tiers_follow_the_fixed_lines() {
        assert_eq!(Tier::of(1.1999), Tier::Green);
        assert_eq!(Tier::of(1.2), Tier::Yellow);
        assert_eq!(Tier::of(2.0), Tier::Orange);
        assert_eq!(Tier::of(3.0), Tier::Red);
    }
}
