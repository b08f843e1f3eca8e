//! Positive deviance over a network-sized population: 10,000 residents with 4 baseline covariates
//! (settlement, family support, district, age band: 300 cells, many too small, so coarsening is
//! exercised), outcomes around a cell-dependent usual value plus noise, and a few planted deviants.
//! A seeded RNG, so every run sees the same data.
//!
//! `cargo bench -p analytics --bench deviance` (release). Prints how many deviants were found
//! before timing.

use std::hint::black_box;

use analytics::deviance::{Options, Subject, positive_deviants};
use criterion::{Criterion, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const SETTLEMENTS: [&str; 3] = ["urban", "town", "rural"];
const SUPPORT: [&str; 2] = ["yes", "no"];
const AGES: [&str; 5] = ["18-24", "25-34", "35-44", "45-54", "55+"];

fn population(n: usize, seed: u64) -> Vec<Subject<u32>> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n)
        .map(|k| {
            // Rural and unsupported women are more common, and their incomes grow less.
            let s = [0, 1, 2, 2][rng.random_range(0..4)];
            let f = usize::from(rng.random_bool(0.6));
            let d = rng.random_range(0..10u32);
            let a = rng.random_range(0..AGES.len());
            let usual = 2.0 - 0.3 * s as f64 - 0.2 * f as f64 + 0.02 * f64::from(d);
            let mut outcome = usual + rng.random_range(-0.3..0.3) + rng.random_range(-0.3..0.3);
            if rng.random_bool(0.005) {
                outcome += 1.5;
            }
            Subject {
                key: k as u32,
                baseline: vec![
                    ("settlement", SETTLEMENTS[s].to_string()),
                    ("family_support", SUPPORT[f].to_string()),
                    ("district", format!("d{d}")),
                    ("age_band", AGES[a].to_string()),
                ],
                outcome,
            }
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let subjects = population(10_000, 42);
    let opts = Options {
        min_group: 20,
        ..Options::default()
    };
    let found = positive_deviants(&subjects, &opts);
    println!(
        "10,000 subjects, 4 covariates: {} positive deviants",
        found.len()
    );
    c.bench_function("positive_deviants 10000x4", |b| {
        b.iter(|| positive_deviants(black_box(&subjects), black_box(&opts)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
