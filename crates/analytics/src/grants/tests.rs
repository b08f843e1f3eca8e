use super::*;

/// Viability 30 out of 10, creativity 20 out of 5, social value 50 out of 4: weights add up to 100.
fn criteria() -> Vec<Criterion> {
    vec![
        Criterion {
            weight: 30,
            max_points: 10,
        },
        Criterion {
            weight: 20,
            max_points: 5,
        },
        Criterion {
            weight: 50,
            max_points: 4,
        },
    ]
}

fn review(points: &[u32]) -> Review {
    Review {
        points: points.to_vec(),
    }
}

#[test]
fn two_reviewers_who_disagree_give_the_mean_and_the_spread() {
    // Reviewer 1: full marks = 100. Reviewer 2: 30·5/10 + 20·0/5 + 50·2/4 = 15 + 0 + 25 = 40.
    let apps = vec![("a", vec![review(&[10, 5, 4]), review(&[5, 0, 2])])];
    let ranked = rank(&criteria(), &apps).unwrap();
    assert_eq!(
        ranked,
        vec![Ranked {
            key: "a",
            score: 70.0,
            spread: 60.0,
            reviews: 2,
            rank: 1
        }]
    );
}

#[test]
fn one_review_has_no_spread_and_scores_in_fractions() {
    // 30·7/10 + 20·3/5 + 50·3/4 = 21 + 12 + 37.5 = 70.5
    let apps = vec![("a", vec![review(&[7, 3, 3])])];
    let ranked = rank(&criteria(), &apps).unwrap();
    assert_eq!(ranked[0].score, 70.5);
    assert_eq!(ranked[0].spread, 0.0);
    assert_eq!(ranked[0].reviews, 1);
}

#[test]
fn equal_scores_share_a_rank_listed_by_key_and_the_next_rank_skips() {
    let apps = vec![
        // 70, from 100 and 40.
        ("x", vec![review(&[10, 5, 4]), review(&[5, 0, 2])]),
        // 60
        (
            "w",
            vec![
                review(&[10, 5, 2]),
                review(&[10, 5, 2]),
                review(&[10, 5, 2]),
            ],
        ),
        // 70.5
        ("z", vec![review(&[7, 3, 3])]),
        // 70: 12 + 8 + 50, one reviewer.
        ("y", vec![review(&[4, 2, 4])]),
        // Not reviewed yet: last, even after a reviewed application scoring 0.
        ("a", vec![]),
        ("v", vec![review(&[0, 0, 0])]),
        ("b", vec![]),
    ];
    let ranked = rank(&criteria(), &apps).unwrap();
    let got: Vec<_> = ranked.iter().map(|r| (r.key, r.score, r.rank)).collect();
    assert_eq!(
        got,
        vec![
            ("w", 75.0, 1),
            ("z", 70.5, 2),
            ("x", 70.0, 3),
            ("y", 70.0, 3),
            ("v", 0.0, 5),
            ("a", 0.0, 6),
            ("b", 0.0, 6),
        ]
    );
    assert_eq!(ranked[5].reviews, 0);
    assert_eq!(ranked[2].spread, 60.0);
    assert_eq!(ranked[3].spread, 0.0);
}

#[test]
fn thirds_tie_exactly_where_floats_might_not() {
    // One criterion out of 3: totals are 0, 33⅓, 66⅔ or 100.
    let criteria = [Criterion {
        weight: 7,
        max_points: 3,
    }];
    let apps = vec![
        ("p", vec![review(&[1]), review(&[1])]),
        ("q", vec![review(&[0]), review(&[1]), review(&[2])]),
        (
            "r",
            vec![
                review(&[2]),
                review(&[0]),
                review(&[1]),
                review(&[1]),
                review(&[1]),
            ],
        ),
    ];
    let ranked = rank(&criteria, &apps).unwrap();
    assert!(ranked.iter().all(|r| r.rank == 1), "{ranked:?}");
    assert!(
        ranked
            .iter()
            .all(|r| r.score.to_bits() == ranked[0].score.to_bits())
    );
    assert!((ranked[0].score - 100.0 / 3.0).abs() < 1e-12);
    assert!((ranked[1].spread - 200.0 / 3.0).abs() < 1e-12);
}

#[test]
fn malformed_input_is_an_error_with_its_position() {
    let c = criteria();
    assert_eq!(
        rank(
            &c,
            &[
                ("a", vec![review(&[1, 1, 1])]),
                ("b", vec![review(&[1, 1, 1]), review(&[1, 1])])
            ]
        ),
        Err(GrantsError::PointsLength {
            application: 1,
            review: 1,
            expected: 3,
            found: 2
        })
    );
    assert_eq!(
        rank(&c, &[("a", vec![review(&[1, 6, 1])])]),
        Err(GrantsError::PointsAboveMax {
            application: 0,
            review: 0,
            criterion: 1,
            points: 6,
            max: 5
        })
    );
    let zero = [Criterion {
        weight: 0,
        max_points: 5,
    }];
    assert_eq!(rank::<&str>(&zero, &[]), Err(GrantsError::ZeroTotalWeight));
    assert_eq!(rank::<&str>(&[], &[]), Err(GrantsError::ZeroTotalWeight));
    let no_max = [Criterion {
        weight: 1,
        max_points: 0,
    }];
    assert_eq!(
        rank::<&str>(&no_max, &[]),
        Err(GrantsError::ZeroMaxPoints { criterion: 0 })
    );
    assert!(GrantsError::ZeroTotalWeight.to_string().contains("weights"));
}

#[test]
fn a_zero_weight_criterion_is_scored_but_counts_for_nothing() {
    let c = [
        Criterion {
            weight: 0,
            max_points: 5,
        },
        Criterion {
            weight: 1,
            max_points: 2,
        },
    ];
    let ranked = rank(&c, &[("a", vec![review(&[5, 1])])]).unwrap();
    assert_eq!(ranked[0].score, 50.0);
}

fn ask(key: &'static str, requested: i64) -> Ask<&'static str> {
    Ask { key, requested }
}

#[test]
fn awards_follow_the_rule_step_by_step() {
    // Budget 1,000, awards between 100 and 400.
    let asks = [
        ask("a", 500),
        ask("b", 50),
        ask("c", 300),
        ask("d", 400),
        ask("e", 100),
    ];
    let p = propose_awards(&asks, 1000, 100, 400);
    assert_eq!(
        p.awards,
        vec![
            // 500 asked, capped at the maximum.
            Proposed {
                key: "a",
                amount: 400,
                partial: false
            },
            Proposed {
                key: "c",
                amount: 300,
                partial: false
            },
            // 400 does not fit in the 300 left, but 300 is above the minimum.
            Proposed {
                key: "d",
                amount: 300,
                partial: true
            },
        ]
    );
    assert_eq!(
        p.skipped,
        vec![
            ("b", SkipReason::BelowMinimum),
            ("e", SkipReason::BudgetExhausted)
        ]
    );
    assert_eq!((p.total, p.left), (1000, 0));
}

#[test]
fn less_than_the_minimum_left_is_not_offered() {
    let p = propose_awards(&[ask("a", 350), ask("b", 200)], 400, 100, 400);
    assert_eq!(
        p.awards,
        vec![Proposed {
            key: "a",
            amount: 350,
            partial: false
        }]
    );
    assert_eq!(p.skipped, vec![("b", SkipReason::BudgetExhausted)]);
    assert_eq!((p.total, p.left), (350, 50));
}

#[test]
fn nonsense_limits_award_nothing_unsafe() {
    let p = propose_awards(&[ask("a", 100)], -5, 100, 400);
    assert_eq!((p.total, p.left), (0, 0));
    assert_eq!(p.skipped, vec![("a", SkipReason::BudgetExhausted)]);
    let p = propose_awards(&[ask("a", 100)], 1000, 500, 400);
    assert_eq!(p.skipped, vec![("a", SkipReason::InvalidLimits)]);
    assert_eq!(p.left, 1000);
    // A minimum of 0 does not award 0 or negative requests.
    let p = propose_awards(&[ask("a", 0), ask("b", -3), ask("c", 1)], 1000, 0, 400);
    assert_eq!(
        p.awards,
        vec![Proposed {
            key: "c",
            amount: 1,
            partial: false
        }]
    );
    assert_eq!(p.skipped.len(), 2);
    let p = propose_awards::<&str>(&[], 1000, 1, 2);
    assert_eq!((p.total, p.left), (0, 1000));
}

#[test]
fn check_awards_names_the_broken_rule_with_the_numbers() {
    assert_eq!(check_awards(&[100, 0, 400], 500, 100, 400), Ok(()));
    assert_eq!(check_awards(&[], 0, 100, 400), Ok(()));
    assert_eq!(
        check_awards(&[100, -1], 500, 100, 400),
        Err(AwardError::Negative {
            index: 1,
            amount: -1
        })
    );
    assert_eq!(
        check_awards(&[100, 99], 500, 100, 400),
        Err(AwardError::BelowMinimum {
            index: 1,
            amount: 99,
            min: 100
        })
    );
    assert_eq!(
        check_awards(&[401], 500, 100, 400),
        Err(AwardError::AboveMaximum {
            index: 0,
            amount: 401,
            max: 400
        })
    );
    assert_eq!(
        check_awards(&[400, 101], 500, 100, 400),
        Err(AwardError::OverBudget {
            total: 501,
            budget: 500
        })
    );
    assert_eq!(
        check_awards(&[i64::MAX, i64::MAX], 500, 1, i64::MAX),
        Err(AwardError::OverBudget {
            total: i64::MAX,
            budget: 500
        })
    );
    let message = AwardError::OverBudget {
        total: 501,
        budget: 500,
    }
    .to_string();
    assert!(message.contains("501") && message.contains("500"));
}
