//! Delivery of allocations (返还方式): independent treasury or transfer with a lag.
//!
//! DOMAIN.md §4.5. An allocation accrued in year `s` is received in `s + lag(s)`, with
//! the lag of the policy in force in `s`. Until then the parent holds it as a payable
//! and the zone as a receivable; what falls after the horizon stays a receivable.

use crate::scenario::model::Year;

/// Where each accrual goes, worked out once: the lags come from the policies in force,
/// not from the path, so a zone's schedule is fixed for a run and a path only adds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Schedule {
    /// One step per accrual, in accrual order.
    steps: Vec<Step>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Step {
    /// Outstanding at the end of the base year.
    opening: bool,
    /// Projected years (indices) at whose end it is outstanding.
    outstanding_from: usize,
    outstanding_to: usize,
    /// The projected year (index) it is paid in, if it is paid within the projection.
    paid: Option<usize>,
}

impl Schedule {
    /// The schedule of accruals from year `first` paid `lags[i]` years after they accrue,
    /// over `years` projected years after `base_year`.
    pub fn new(first: Year, base_year: Year, lags: &[u32], years: usize) -> Schedule {
        let horizon = base_year + years as Year;
        let index = |year: Year| (year - base_year - 1) as usize;
        let steps = lags
            .iter()
            .enumerate()
            .map(|(i, &lag)| {
                let accrues = first + i as Year;
                let paid = accrues + lag as Year;
                let (from, to) = (accrues.max(base_year + 1), paid.min(horizon + 1));
                Step {
                    opening: accrues <= base_year && paid > base_year,
                    outstanding_from: index(from),
                    outstanding_to: index(to.max(from)),
                    paid: (paid > base_year && paid <= horizon).then(|| index(paid)),
                }
            })
            .collect();
        Schedule { steps }
    }

    /// Deliver `accrued[i]` (accrued in year `first + i`, paid `lags[i]` years later).
    /// Fills `received[ti]` (paid in year `base_year+1+ti`) and `outstanding[ti]`
    /// (accrued, not yet paid, at the end of that year) and returns what is outstanding
    /// at the end of the base year. Each amount is added in accrual order.
    pub fn deliver(&self, accrued: &[f64], received: &mut [f64], outstanding: &mut [f64]) -> f64 {
        received.fill(0.0);
        outstanding.fill(0.0);
        let mut opening = 0.0;
        for (step, &amount) in self.steps.iter().zip(accrued) {
            if step.opening {
                opening += amount;
            }
            for o in &mut outstanding[step.outstanding_from..step.outstanding_to] {
                *o += amount;
            }
            if let Some(paid) = step.paid {
                received[paid] += amount;
            }
        }
        opening
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One schedule, used once.
    fn deliver(
        first: Year,
        base_year: Year,
        accrued: &[f64],
        lags: &[u32],
        received: &mut [f64],
        outstanding: &mut [f64],
    ) -> f64 {
        Schedule::new(first, base_year, lags, received.len()).deliver(
            accrued,
            received,
            outstanding,
        )
    }

    #[test]
    fn treasury_pays_in_the_year_it_accrues() {
        let (mut rec, mut out) = ([0.0; 3], [0.0; 3]);
        let opening = deliver(
            2025,
            2024,
            &[10.0, 20.0, 30.0],
            &[0, 0, 0],
            &mut rec,
            &mut out,
        );
        assert_eq!(rec, [10.0, 20.0, 30.0]);
        assert_eq!(out, [0.0; 3]);
        assert_eq!(opening, 0.0);
    }

    #[test]
    fn a_one_year_lag_pays_the_base_year_first_and_leaves_the_last_year_receivable() {
        // Accruals 2024..2027: 5 (base year), 10, 20, 30.
        let (mut rec, mut out) = ([0.0; 3], [0.0; 3]);
        let opening = deliver(
            2024,
            2024,
            &[5.0, 10.0, 20.0, 30.0],
            &[1; 4],
            &mut rec,
            &mut out,
        );
        assert_eq!(rec, [5.0, 10.0, 20.0]);
        assert_eq!(out, [10.0, 20.0, 30.0]);
        assert_eq!(opening, 5.0);
    }

    #[test]
    fn a_two_year_lag_reaches_back_before_the_base_year() {
        // Accruals 2023..2027: 4, 5, 10, 20, 30, all paid two years later.
        let (mut rec, mut out) = ([0.0; 3], [0.0; 3]);
        let opening = deliver(
            2023,
            2024,
            &[4.0, 5.0, 10.0, 20.0, 30.0],
            &[2; 5],
            &mut rec,
            &mut out,
        );
        assert_eq!(rec, [4.0, 5.0, 10.0]);
        assert_eq!(out, [5.0 + 10.0, 10.0 + 20.0, 20.0 + 30.0]);
        assert_eq!(opening, 9.0);
    }

    #[test]
    fn a_switch_from_transfer_to_treasury_doubles_up_a_year() {
        // 2025 accrues with lag 1, 2026 with lag 0: both paid in 2026.
        let (mut rec, mut out) = ([0.0; 3], [0.0; 3]);
        deliver(
            2025,
            2024,
            &[10.0, 20.0, 30.0],
            &[1, 0, 0],
            &mut rec,
            &mut out,
        );
        assert_eq!(rec, [0.0, 30.0, 30.0]);
        assert_eq!(out, [10.0, 0.0, 0.0]);
    }
}
