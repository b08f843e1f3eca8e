//! Seed funding: the ranking of a round's applications and the award proposal a coordinator starts from.
//!
//! # How an application is scored
//!
//! A call has weighted criteria, each scored from 0 to its own maximum (say viability, weight 30, out of
//! 10 points). A reviewer's *total* for an application is her points on each criterion as a share of that
//! criterion's maximum, weighted, on a scale of 0 to 100:
//!
//! ```text
//! total = 100 × Σ (weight × points / max_points) / Σ weight
//! ```
//!
//! The application's *score* is the mean of its reviewers' totals, and its *spread* is the highest total
//! minus the lowest (0 with a single review): a large spread means the reviewers disagree and the
//! panel should talk before deciding.
//!
//! [`rank`] orders the applications by score, highest first. Scores are compared exactly (as fractions
//! of integers, never as rounded decimals), so two applications share a rank only when their scores are
//! truly equal; the next rank then skips (1, 2, 2, 4). Equal scores are listed by key, so the order
//! never depends on the input order. Applications nobody has reviewed yet come after all reviewed ones,
//! with score 0, and share the last rank. A review with the wrong number of points, points above a
//! criterion's maximum, a criterion whose maximum is 0, or criteria whose weights add up to 0 make the
//! whole ranking an error ([`GrantsError`]) rather than a silently wrong list.
//!
//! # How awards are proposed
//!
//! [`propose_awards`] walks the asks in rank order, best first, with the round's budget in hand:
//!
//! 1. The amount considered is what she asked for, cut down to the maximum award.
//! 2. If that is below the minimum award, the ask is skipped ([`SkipReason::BelowMinimum`]).
//! 3. If it fits in what is left of the budget, it is awarded in full.
//! 4. Otherwise, if what is left is at least the minimum award, she is offered everything that is
//!    left, marked *partial* (the budget is then spent).
//! 5. Otherwise the ask is skipped ([`SkipReason::BudgetExhausted`]). The walk goes on so that every
//!    ask gets its reason, but nothing further can be awarded: less than the minimum is left, and
//!    every award is at least the minimum.
//!
//! So an ask is never passed over in favour of a lower-ranked one unless it could not be paid in
//! full, nor partly at the minimum. Whatever happens, the total awarded never exceeds the budget,
//! `total + left == budget`, and every award lies between the minimum and the maximum and is no more
//! than what was asked. Amounts are integer tyiyn; nothing is rounded.
//!
//! Limits that make no sense are read so that nothing unsafe is proposed: a negative budget is a
//! budget of 0, a minimum award below 1 tyiyn is 1 tyiyn (an award of nothing is not an award), and
//! a maximum below the minimum awards nothing ([`SkipReason::InvalidLimits`]).
//!
//! A coordinator may then adjust the amounts; [`check_awards`] says whether her adjusted list still
//! respects the budget and the limits, and if not, which amount breaks which rule.

use std::cmp::Ordering;
use std::fmt;

/// One criterion of a call: its weight relative to the others and the highest score a reviewer may give.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Criterion {
    /// Relative weight, e.g. 30 (weights need not add up to 100).
    pub weight: u32,
    /// The highest score on this criterion, e.g. 10. Must be at least 1.
    pub max_points: u32,
}

/// One reviewer's scores for one application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Review {
    /// One score per criterion, in the order of the call's criteria, each at most its `max_points`.
    pub points: Vec<u32>,
}

/// An application's place in the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked<K> {
    /// The application.
    pub key: K,
    /// Mean of the reviewers' weighted totals, 0..=100 (0 without reviews).
    pub score: f64,
    /// Highest minus lowest reviewer total on the same 0..=100 scale; 0 with fewer than two reviews.
    pub spread: f64,
    /// Number of reviews.
    pub reviews: usize,
    /// 1-based; equal scores share a rank and the next rank skips (1, 2, 2, 4).
    pub rank: usize,
}

/// Why a ranking cannot be computed. Indices are positions in the slices given to [`rank`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantsError {
    /// The criteria's weights add up to 0 (or there are no criteria).
    ZeroTotalWeight,
    /// A criterion's `max_points` is 0.
    ZeroMaxPoints { criterion: usize },
    /// A review has a different number of points than there are criteria.
    PointsLength {
        application: usize,
        review: usize,
        expected: usize,
        found: usize,
    },
    /// A review gives more points than the criterion allows.
    PointsAboveMax {
        application: usize,
        review: usize,
        criterion: usize,
        points: u32,
        max: u32,
    },
    /// The numbers are too large to compare exactly (absurd weights, maxima or review counts).
    Overflow,
}

impl fmt::Display for GrantsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ZeroTotalWeight => write!(f, "the criteria's weights add up to 0"),
            Self::ZeroMaxPoints { criterion } => {
                write!(f, "criterion {criterion} has a maximum of 0 points")
            }
            Self::PointsLength {
                application,
                review,
                expected,
                found,
            } => write!(
                f,
                "review {review} of application {application} has {found} scores for {expected} criteria"
            ),
            Self::PointsAboveMax {
                application,
                review,
                criterion,
                points,
                max,
            } => write!(
                f,
                "review {review} of application {application} gives {points} points on criterion \
                 {criterion}, whose maximum is {max}"
            ),
            Self::Overflow => write!(f, "the scores are too large to compare exactly"),
        }
    }
}

impl std::error::Error for GrantsError {}

/// An application's exact mean score: `sum / (reviews × common denominator)`.
struct Exact {
    sum: u128,
    reviews: u128,
}

/// Ranks `applications` by the mean of their reviewers' weighted totals (see the module docs).
///
/// The result lists every application once, best first: reviewed ones by score descending, ties by key
/// ascending, then the unreviewed ones by key.
pub fn rank<K: Clone + Ord>(
    criteria: &[Criterion],
    applications: &[(K, Vec<Review>)],
) -> Result<Vec<Ranked<K>>, GrantsError> {
    let mut total_weight: u128 = 0;
    let mut lcm: u128 = 1;
    for (i, c) in criteria.iter().enumerate() {
        if c.max_points == 0 {
            return Err(GrantsError::ZeroMaxPoints { criterion: i });
        }
        total_weight += u128::from(c.weight);
        let m = u128::from(c.max_points);
        lcm = (lcm / gcd(lcm, m))
            .checked_mul(m)
            .ok_or(GrantsError::Overflow)?;
    }
    if total_weight == 0 {
        return Err(GrantsError::ZeroTotalWeight);
    }
    // A reviewer's total is `n / denom` of the full 100, where `n = Σ weight × points × (lcm / max)`.
    let denom = total_weight.checked_mul(lcm).ok_or(GrantsError::Overflow)?;

    let mut rows = Vec::with_capacity(applications.len());
    for (a, (key, reviews)) in applications.iter().enumerate() {
        let mut sum: u128 = 0;
        let mut lo = u128::MAX;
        let mut hi = 0;
        for (r, review) in reviews.iter().enumerate() {
            if review.points.len() != criteria.len() {
                return Err(GrantsError::PointsLength {
                    application: a,
                    review: r,
                    expected: criteria.len(),
                    found: review.points.len(),
                });
            }
            let mut n: u128 = 0;
            for (i, (c, &p)) in criteria.iter().zip(&review.points).enumerate() {
                if p > c.max_points {
                    return Err(GrantsError::PointsAboveMax {
                        application: a,
                        review: r,
                        criterion: i,
                        points: p,
                        max: c.max_points,
                    });
                }
                let share = lcm / u128::from(c.max_points);
                let term = u128::from(c.weight)
                    .checked_mul(u128::from(p))
                    .and_then(|x| x.checked_mul(share))
                    .ok_or(GrantsError::Overflow)?;
                n = n.checked_add(term).ok_or(GrantsError::Overflow)?;
            }
            sum = sum.checked_add(n).ok_or(GrantsError::Overflow)?;
            lo = lo.min(n);
            hi = hi.max(n);
        }
        let count = reviews.len();
        let (score, spread) = if count == 0 {
            (0.0, 0.0)
        } else {
            let den = denom
                .checked_mul(count as u128)
                .ok_or(GrantsError::Overflow)?;
            (percent(sum, den), percent(hi - lo, denom))
        };
        rows.push((
            Exact {
                sum,
                reviews: count as u128,
            },
            Ranked {
                key: key.clone(),
                score,
                spread,
                reviews: count,
                rank: 0,
            },
        ));
    }

    rows.sort_by(|(a, ra), (b, rb)| compare(a, b).then_with(|| ra.key.cmp(&rb.key)));
    for i in 0..rows.len() {
        let tied = i > 0 && compare(&rows[i - 1].0, &rows[i].0) == Ordering::Equal;
        rows[i].1.rank = if tied { rows[i - 1].1.rank } else { i + 1 };
    }
    Ok(rows.into_iter().map(|(_, r)| r).collect())
}

/// Best first: reviewed before unreviewed, then higher mean first.
fn compare(a: &Exact, b: &Exact) -> Ordering {
    match (a.reviews, b.reviews) {
        (0, 0) => Ordering::Equal,
        (0, _) => Ordering::Greater,
        (_, 0) => Ordering::Less,
        (ra, rb) => cmp_fraction(b.sum, rb, a.sum, ra),
    }
}

/// Compares `a / b` with `c / d` exactly (`b`, `d` > 0) by continued fractions: no product, no overflow.
fn cmp_fraction(mut a: u128, mut b: u128, mut c: u128, mut d: u128) -> Ordering {
    loop {
        let (qa, ra) = (a / b, a % b);
        let (qc, rc) = (c / d, c % d);
        if qa != qc {
            return qa.cmp(&qc);
        }
        match (ra, rc) {
            (0, 0) => return Ordering::Equal,
            (0, _) => return Ordering::Less,
            (_, 0) => return Ordering::Greater,
            // ra/b < rc/d  ⇔  b/ra > d/rc  ⇔  d/rc < b/ra
            _ => (a, b, c, d) = (d, rc, b, ra),
        }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `100 × num / den` as a float, from the reduced fraction: equal fractions give identical floats.
fn percent(num: u128, den: u128) -> f64 {
    let g = gcd(num, den).max(1);
    100.0 * (num / g) as f64 / (den / g) as f64
}

/// What an applicant asked for, in tyiyn.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ask<K> {
    /// The application.
    pub key: K,
    /// The amount requested, in tyiyn.
    pub requested: i64,
}

/// A proposed award.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposed<K> {
    /// The application.
    pub key: K,
    /// In tyiyn, within `[min_award, max_award]` and at most what was requested.
    pub amount: i64,
    /// True when she gets less than her (capped) request because the budget ran out.
    pub partial: bool,
}

/// Why an ask gets nothing in the proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    /// The request (capped at the maximum award) is below the minimum award.
    BelowMinimum,
    /// What is left of the budget is less than the request and less than the minimum award.
    BudgetExhausted,
    /// The maximum award is below the minimum award, so no amount is allowed.
    InvalidLimits,
}

/// The award proposal of a round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal<K> {
    /// Awards in rank order.
    pub awards: Vec<Proposed<K>>,
    /// Asks that get nothing, in rank order, with the reason.
    pub skipped: Vec<(K, SkipReason)>,
    /// Sum of the awards, tyiyn.
    pub total: i64,
    /// Budget not awarded, tyiyn: `total + left` is the budget (0 if the budget given was negative).
    pub left: i64,
}

/// Proposes awards in rank order within `budget` (see the module docs for the rule).
pub fn propose_awards<K: Clone>(
    asks_in_rank_order: &[Ask<K>],
    budget: i64,
    min_award: i64,
    max_award: i64,
) -> Proposal<K> {
    let budget = budget.max(0);
    let min_award = min_award.max(1);
    let mut left = budget;
    let mut awards = Vec::new();
    let mut skipped = Vec::new();
    for ask in asks_in_rank_order {
        let amount = ask.requested.min(max_award);
        let skip = if max_award < min_award {
            Some(SkipReason::InvalidLimits)
        } else if amount < min_award {
            Some(SkipReason::BelowMinimum)
        } else if amount <= left {
            awards.push(Proposed {
                key: ask.key.clone(),
                amount,
                partial: false,
            });
            left -= amount;
            None
        } else if left >= min_award {
            awards.push(Proposed {
                key: ask.key.clone(),
                amount: left,
                partial: true,
            });
            left = 0;
            None
        } else {
            Some(SkipReason::BudgetExhausted)
        };
        if let Some(reason) = skip {
            skipped.push((ask.key.clone(), reason));
        }
    }
    Proposal {
        awards,
        skipped,
        total: budget - left,
        left,
    }
}

/// Why a coordinator's adjusted awards are not acceptable. `index` is the position in the list checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AwardError {
    /// An amount below 0.
    Negative { index: usize, amount: i64 },
    /// A non-zero amount below the minimum award.
    BelowMinimum { index: usize, amount: i64, min: i64 },
    /// An amount above the maximum award.
    AboveMaximum { index: usize, amount: i64, max: i64 },
    /// The awards add up to more than the budget (`total` saturates at `i64::MAX`).
    OverBudget { total: i64, budget: i64 },
}

impl fmt::Display for AwardError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Negative { index, amount } => write!(f, "award {index} is negative: {amount}"),
            Self::BelowMinimum { index, amount, min } => {
                write!(
                    f,
                    "award {index} is {amount}, below the minimum award {min}"
                )
            }
            Self::AboveMaximum { index, amount, max } => {
                write!(
                    f,
                    "award {index} is {amount}, above the maximum award {max}"
                )
            }
            Self::OverBudget { total, budget } => {
                write!(f, "the awards add up to {total}, over the budget {budget}")
            }
        }
    }
}

impl std::error::Error for AwardError {}

/// Checks a coordinator's adjusted awards (tyiyn): each is 0 (not funded) or within `[min, max]`, and
/// together they fit in `budget`. Reports the first amount that breaks a rule, by position, before the
/// budget.
pub fn check_awards(amounts: &[i64], budget: i64, min: i64, max: i64) -> Result<(), AwardError> {
    let mut total: i128 = 0;
    for (index, &amount) in amounts.iter().enumerate() {
        if amount < 0 {
            return Err(AwardError::Negative { index, amount });
        }
        if amount > 0 && amount < min {
            return Err(AwardError::BelowMinimum { index, amount, min });
        }
        if amount > max {
            return Err(AwardError::AboveMaximum { index, amount, max });
        }
        total += i128::from(amount);
    }
    if total > i128::from(budget) {
        let total = i64::try_from(total).unwrap_or(i64::MAX);
        return Err(AwardError::OverBudget { total, budget });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
