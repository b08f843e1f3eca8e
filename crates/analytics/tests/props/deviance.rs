//! Property tests of `analytics::deviance`: on random small populations, `positive_deviants` agrees
//! with a naive reference that forms every woman's comparison group by scanning everybody, does not
//! depend on the input order, and only reports finite z above the threshold.

use analytics::deviance::{Options, Subject, median, positive_deviants};
use proptest::prelude::*;

const NAMES: [&str; 3] = ["settlement", "family_support", "district"];

fn subject() -> impl Strategy<Value = (Vec<u8>, f64)> {
    (
        prop::collection::vec(0u8..3, 0..=3),
        prop_oneof![
            6 => (0i32..20).prop_map(|x| f64::from(x) / 4.0),
            1 => (0i32..100).prop_map(f64::from),
            1 => Just(f64::NAN),
        ],
    )
}

fn build(raw: &[(Vec<u8>, f64)]) -> Vec<Subject<usize>> {
    raw.iter()
        .enumerate()
        .map(|(key, (values, outcome))| Subject {
            key,
            baseline: values
                .iter()
                .zip(NAMES)
                .map(|(v, n)| (n, v.to_string()))
                .collect(),
            outcome: *outcome,
        })
        .collect()
}

/// The method of the module docs, written as plainly as possible.
fn reference(subjects: &[Subject<usize>], opts: &Options) -> Vec<(usize, usize, usize)> {
    let finite: Vec<&Subject<usize>> = subjects.iter().filter(|s| s.outcome.is_finite()).collect();
    if finite.is_empty() || finite.len() < opts.min_subjects {
        return Vec::new();
    }
    let mut out = Vec::new();
    for s in &finite {
        for level in (0..=s.baseline.len()).rev() {
            let prefix = &s.baseline[..level];
            let group: Vec<f64> = finite
                .iter()
                .filter(|o| o.baseline.len() >= level && &o.baseline[..level] == prefix)
                .map(|o| o.outcome)
                .collect();
            if group.len() < opts.min_group.max(1) {
                continue;
            }
            let med = median(&mut group.clone()).unwrap();
            let mut dev: Vec<f64> = group.iter().map(|x| (x - med).abs()).collect();
            let mad = median(&mut dev).unwrap();
            let mean_ad = dev.iter().sum::<f64>() / dev.len() as f64;
            let raw = if mad > 0.0 {
                1.4826 * mad
            } else {
                1.253_314 * mean_ad
            };
            if raw > 0.0 && s.outcome > med {
                let z = (s.outcome - med) / raw.max(1e-9 * med.abs());
                if z >= opts.threshold {
                    out.push((s.key, level, group.len()));
                }
            }
            break;
        }
    }
    out.sort();
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn agrees_with_the_naive_reference(
        raw in prop::collection::vec(subject(), 0..40),
        min_group in 0usize..8,
        threshold in prop_oneof![Just(2.0), 0.5f64..4.0],
        min_subjects in 0usize..12,
        rotate in 0usize..40,
    ) {
        let opts = Options { min_group, threshold, min_subjects };
        let subjects = build(&raw);
        let found = positive_deviants(&subjects, &opts);

        let mut got: Vec<_> = found.iter().map(|d| (d.key, d.group.len(), d.group_size)).collect();
        got.sort();
        prop_assert_eq!(got, reference(&subjects, &opts));

        for d in &found {
            let s = &subjects[d.key];
            prop_assert!(d.z.is_finite() && d.z >= threshold);
            prop_assert!(d.outcome > d.group_median);
            prop_assert!(d.group_size >= min_group);
            prop_assert_eq!(&d.group[..], &s.baseline[..d.group.len()]);
        }
        prop_assert!(found.windows(2).all(|w| w[0].z > w[1].z || (w[0].z == w[1].z && w[0].key < w[1].key)));

        let mut moved = subjects.clone();
        if !moved.is_empty() {
            let k = rotate % moved.len();
            moved.rotate_left(k);
        }
        prop_assert_eq!(positive_deviants(&moved, &opts), found);
    }
}
