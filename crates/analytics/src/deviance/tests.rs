use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::*;

fn subject(key: u32, settlement: &str, support: &str, outcome: f64) -> Subject<u32> {
    Subject {
        key,
        baseline: vec![
            ("settlement", settlement.to_string()),
            ("family_support", support.to_string()),
        ],
        outcome,
    }
}

/// Three strata with different usual outcomes (income growth ratios): rural women without family
/// support around 1.1, rural with support around 1.4, urban around 2.0; each spread evenly over
/// ±0.15 (so the MAD is 0.075 and no ordinary woman reaches z = 2), listed in a shuffled order.
fn population(rng: &mut StdRng) -> Vec<Subject<u32>> {
    let mut out = Vec::new();
    let strata = [
        ("rural", "no", 1.1, 40),
        ("rural", "yes", 1.4, 30),
        ("urban", "yes", 2.0, 30),
    ];
    for (settlement, support, center, n) in strata {
        for j in 0..n {
            let key = out.len() as u32;
            let offset = 0.3 * (f64::from(j) / f64::from(n - 1) - 0.5);
            out.push(subject(key, settlement, support, center + offset));
        }
    }
    out.shuffle(rng);
    out
}

#[test]
fn finds_the_women_far_above_their_own_group_not_the_best_off() {
    let mut rng = StdRng::seed_from_u64(7);
    let mut subjects = population(&mut rng);
    // Ordinary for an urban woman, exceptional for a rural one without family support.
    for key in [1000, 1001, 1002] {
        subjects.push(subject(key, "rural", "no", 2.0));
    }
    // The same outcome in town is nothing special; nor is the best urban result.
    subjects.push(subject(2000, "urban", "yes", 2.0));
    subjects.push(subject(2001, "urban", "yes", 2.14));

    let found = positive_deviants(&subjects, &Options::default());
    let keys: Vec<u32> = found.iter().map(|d| d.key).collect();
    assert_eq!(keys, vec![1000, 1001, 1002], "{found:#?}");
    for d in &found {
        assert_eq!(d.group_size, 43);
        assert_eq!(
            d.group,
            vec![
                ("settlement", "rural".to_string()),
                ("family_support", "no".to_string())
            ]
        );
        assert!((d.group_median - 1.1).abs() < 0.05);
        assert!(d.z > 5.0 && d.z.is_finite());
        assert_eq!(d.outcome, 2.0);
    }
    // Equal z, so the order is the key's.
    assert_eq!(found[0].z, found[2].z);
}

#[test]
fn a_small_stratum_is_compared_with_the_broader_group() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut subjects = population(&mut rng);
    // Three rural women caring for elders: too few for a group of their own.
    subjects.push(subject(500, "rural", "elder_care", 1.2));
    subjects.push(subject(501, "rural", "elder_care", 1.3));
    subjects.push(subject(502, "rural", "elder_care", 3.0));

    let found = positive_deviants(&subjects, &Options::default());
    assert_eq!(found.len(), 1, "{found:#?}");
    let d = &found[0];
    assert_eq!(d.key, 502);
    assert_eq!(d.group, vec![("settlement", "rural".to_string())]);
    // All rural women: 40 + 30 + 3.
    assert_eq!(d.group_size, 73);
}

#[test]
fn coarsens_down_to_the_whole_population() {
    let subjects: Vec<_> = (0..12)
        .map(|k| {
            let settlement = if k % 2 == 0 { "rural" } else { "urban" };
            let outcome = if k == 4 {
                10.0
            } else {
                1.0 + f64::from(k) / 100.0
            };
            subject(k, settlement, &k.to_string(), outcome)
        })
        .collect();
    let opts = Options {
        min_group: 7,
        ..Options::default()
    };
    let found = positive_deviants(&subjects, &opts);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].key, 4);
    assert!(found[0].group.is_empty());
    assert_eq!(found[0].group_size, 12);
    // The whole population is smaller than a group must be: nobody is judged.
    let opts = Options {
        min_group: 13,
        ..Options::default()
    };
    assert!(positive_deviants(&subjects, &opts).is_empty());
}

#[test]
fn equal_outcomes_give_no_deviant_and_no_nan() {
    let same: Vec<_> = (0..10).map(|k| subject(k, "rural", "no", 1.5)).collect();
    assert!(positive_deviants(&same, &Options::default()).is_empty());

    // Nine equal and one above: the MAD is 0, the mean absolute deviation takes over.
    let mut one_up = same.clone();
    one_up[3].outcome = 1.6;
    let found = positive_deviants(&one_up, &Options::default());
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].key, 3);
    // Mean absolute deviation 0.01, spread 0.0125331: z ≈ 7.98.
    assert!(
        (found[0].z - 0.1 / (MEAN_AD_SCALE * 0.01)).abs() < 1e-6,
        "{}",
        found[0].z
    );
    assert!(found[0].z.is_finite());
}

#[test]
fn nothing_to_compare_gives_nothing() {
    assert!(positive_deviants::<u32>(&[], &Options::default()).is_empty());
    let few: Vec<_> = (0..9)
        .map(|k| subject(k, "rural", "no", f64::from(k * k)))
        .collect();
    assert!(positive_deviants(&few, &Options::default()).is_empty());
    let opts = Options {
        min_subjects: 0,
        min_group: 0,
        threshold: 2.0,
    };
    assert!(positive_deviants::<u32>(&[], &opts).is_empty());
}

#[test]
fn outcomes_that_are_not_numbers_are_left_out() {
    let mut subjects: Vec<_> = (0..12)
        .map(|k| subject(k, "rural", "no", 1.0 + f64::from(k % 3) / 10.0))
        .collect();
    subjects.push(subject(100, "rural", "no", f64::NAN));
    subjects.push(subject(101, "rural", "no", f64::INFINITY));
    subjects.push(subject(102, "rural", "no", 9.0));
    let found = positive_deviants(&subjects, &Options::default());
    let keys: Vec<u32> = found.iter().map(|d| d.key).collect();
    assert_eq!(keys, vec![102]);
    assert_eq!(found[0].group_size, 13);
}

#[test]
fn sorted_by_z_then_key_whatever_the_input_order() {
    let mut rng = StdRng::seed_from_u64(3);
    let mut subjects = population(&mut rng);
    subjects.push(subject(900, "urban", "yes", 3.0));
    subjects.push(subject(901, "rural", "no", 1.6));
    subjects.push(subject(902, "rural", "yes", 2.5));
    let found = positive_deviants(&subjects, &Options::default());
    assert!(found.len() >= 3);
    assert!(
        found
            .windows(2)
            .all(|w| w[0].z > w[1].z || (w[0].z == w[1].z && w[0].key < w[1].key))
    );
    subjects.reverse();
    assert_eq!(positive_deviants(&subjects, &Options::default()), found);
}

#[test]
fn medians() {
    assert_eq!(median(&mut []), None);
    assert_eq!(median(&mut [3.0]), Some(3.0));
    assert_eq!(median(&mut [5.0, 1.0, 3.0]), Some(3.0));
    assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
    assert_eq!(median(&mut [1.0, f64::NAN]), None);
    assert_eq!(median(&mut [f64::MAX, f64::MAX]), Some(f64::MAX));

    assert_eq!(median_i64(&mut []), None);
    assert_eq!(median_i64(&mut [7, -2, 4]), Some(4));
    assert_eq!(median_i64(&mut [1, 2]), Some(1));
    assert_eq!(median_i64(&mut [-3, 0]), Some(-1));
    assert_eq!(median_i64(&mut [10, 40, 20, 30]), Some(25));
    assert_eq!(
        median_i64(&mut [i64::MAX, i64::MAX - 1]),
        Some(i64::MAX - 1)
    );
    assert_eq!(
        median_i64(&mut [i64::MIN, i64::MIN + 1]),
        Some(i64::MIN + 1)
    );
}

#[test]
fn growth_ratios() {
    assert_eq!(growth_ratio(1000, 1500), Some(1.5));
    assert_eq!(growth_ratio(1000, 0), Some(0.0));
    assert_eq!(growth_ratio(1000, -500), Some(-0.5));
    assert_eq!(growth_ratio(0, 1500), None);
    assert_eq!(growth_ratio(-10, 1500), None);
}
