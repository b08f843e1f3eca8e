//! Property tests of `analytics::grants`: the award proposal always respects the budget, the limits
//! and the rank order; the ranking agrees with an independent exact reference (cross-multiplied
//! integer means).

use analytics::grants::{Ask, Criterion, Review, SkipReason, check_awards, propose_awards, rank};
use proptest::prelude::*;

fn asks() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(prop_oneof![1 => -50i64..0, 8 => 0i64..2_000], 0..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn proposals_respect_budget_limits_and_order(
        requested in asks(),
        budget in 0i64..5_000,
        min in -10i64..300,
        max in 0i64..1_500,
    ) {
        let asks: Vec<_> = requested
            .iter()
            .enumerate()
            .map(|(key, &requested)| Ask { key, requested })
            .collect();
        let p = propose_awards(&asks, budget, min, max);
        let min_eff = min.max(1);

        prop_assert!(p.total <= budget);
        prop_assert!(p.left >= 0);
        prop_assert_eq!(p.total + p.left, budget);
        prop_assert_eq!(p.awards.iter().map(|a| a.amount).sum::<i64>(), p.total);
        prop_assert_eq!(p.awards.len() + p.skipped.len(), asks.len());
        prop_assert_eq!(check_awards(&p.awards.iter().map(|a| a.amount).collect::<Vec<_>>(), budget, min, max), Ok(()));

        // Walk again, in rank order, with what was left before each ask.
        let mut left = budget;
        let mut exhausted_before = false;
        let (mut a, mut s) = (0, 0);
        for ask in &asks {
            let capped = ask.requested.min(max);
            if a < p.awards.len() && p.awards[a].key == ask.key {
                let award = &p.awards[a];
                prop_assert!(min_eff <= award.amount && award.amount <= max);
                prop_assert!(award.amount <= ask.requested);
                prop_assert!(award.amount <= left);
                prop_assert_eq!(award.partial, award.amount < capped);
                // A partial award takes everything that was left.
                if award.partial {
                    prop_assert_eq!(award.amount, left);
                }
                // No award below an ask skipped for lack of budget.
                prop_assert!(!exhausted_before);
                left -= award.amount;
                a += 1;
            } else {
                let (key, reason) = p.skipped[s];
                prop_assert_eq!(key, ask.key);
                match reason {
                    SkipReason::InvalidLimits => prop_assert!(max < min_eff),
                    SkipReason::BelowMinimum => prop_assert!(capped < min_eff),
                    SkipReason::BudgetExhausted => {
                        // It would not have fitted in full, nor partly at the minimum.
                        prop_assert!(capped >= min_eff && capped > left && left < min_eff);
                        exhausted_before = true;
                    }
                }
                s += 1;
            }
        }
        prop_assert_eq!(left, p.left);
    }

    #[test]
    fn ranking_matches_exact_integer_means(
        criteria in prop::collection::vec((0u32..5, 1u32..5), 1..4),
        apps in prop::collection::vec(prop::collection::vec(prop::collection::vec(0u32..5, 3), 0..4), 0..8),
    ) {
        let criteria: Vec<_> = criteria
            .into_iter()
            .map(|(weight, max_points)| Criterion { weight, max_points })
            .collect();
        prop_assume!(criteria.iter().any(|c| c.weight > 0));
        let apps: Vec<(usize, Vec<Review>)> = apps
            .into_iter()
            .enumerate()
            .map(|(key, reviews)| {
                let reviews = reviews
                    .into_iter()
                    .map(|p| Review {
                        points: p.iter().zip(&criteria).map(|(&x, c)| x % (c.max_points + 1)).collect(),
                    })
                    .collect();
                (key, reviews)
            })
            .collect();
        let ranked = rank(&criteria, &apps).unwrap();
        prop_assert_eq!(ranked.len(), apps.len());

        // Reference: a total as an integer over 60·Σweight (60 is a multiple of every max 1..=4),
        // an application's mean compared by cross-multiplying sums and counts.
        let total = |r: &Review| -> u64 {
            r.points.iter().zip(&criteria).map(|(&p, c)| u64::from(c.weight * p * (60 / c.max_points))).sum()
        };
        let sum_count = |key: usize| -> (u64, u64) {
            let reviews = &apps[key].1;
            (reviews.iter().map(total).sum(), reviews.len() as u64)
        };
        let weight: u64 = criteria.iter().map(|c| u64::from(c.weight)).sum();
        for r in &ranked {
            let (sum, n) = sum_count(r.key);
            prop_assert_eq!(r.reviews as u64, n);
            let expect = if n == 0 { 0.0 } else { 100.0 * sum as f64 / (60 * weight * n) as f64 };
            prop_assert!((r.score - expect).abs() < 1e-9);
            prop_assert!((0.0..=100.0).contains(&r.score) && r.spread >= 0.0);
        }
        for w in ranked.windows(2) {
            let ((s0, n0), (s1, n1)) = (sum_count(w[0].key), sum_count(w[1].key));
            let tied = (n0 == 0 && n1 == 0) || (n0 > 0 && n1 > 0 && s0 * n1 == s1 * n0);
            let before = (n0 > 0 && n1 == 0) || (n0 > 0 && n1 > 0 && s0 * n1 > s1 * n0);
            prop_assert!(tied || before, "{:?} before {:?}", w[0], w[1]);
            if tied {
                prop_assert_eq!(w[0].rank, w[1].rank);
                prop_assert_eq!(w[0].score.to_bits(), w[1].score.to_bits());
                prop_assert!(w[0].key < w[1].key);
            } else {
                prop_assert!(w[1].rank > w[0].rank);
            }
        }
        for (i, r) in ranked.iter().enumerate() {
            prop_assert!(r.rank <= i + 1);
            prop_assert!(i == 0 || r.rank == i + 1 || r.rank == ranked[i - 1].rank);
        }
    }
}
