//! Mentor matching at network scale: 1,000 residents × 100 mentors and 10,000 × 1,000, on random
//! but realistic data (a seeded RNG, so every run solves the same instances), plus the hardest
//! shape for the solver: 4,000 residents competing for about 3,000 places.
//!
//! `cargo bench -p analytics` (release). Before timing, it prints each instance's optimal and greedy
//! totals, so the gain of the exact method is visible next to its cost.

use std::hint::black_box;
use std::time::{Duration, Instant};

use analytics::matching::{Mentor, Resident, Weights, greedy, lang, propose, total};
use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Relative popularity of the 12 skill codes (sewing and felt work are wanted far more than, say,
/// bookkeeping), so that demand is uneven as it is in the labs.
const SKILL_POPULARITY: [u32; 12] = [20, 16, 12, 10, 8, 7, 6, 5, 5, 4, 4, 3];
const LABS: [u32; 3] = [1, 2, 3];

fn skill(rng: &mut StdRng) -> u64 {
    let sum: u32 = SKILL_POPULARITY.iter().sum();
    let mut x = rng.random_range(0..sum);
    for (k, &p) in SKILL_POPULARITY.iter().enumerate() {
        if x < p {
            return 1 << k;
        }
        x -= p;
    }
    unreachable!("x < sum")
}

fn skills(rng: &mut StdRng, count: usize) -> u64 {
    (0..count).fold(0, |acc, _| acc | skill(rng))
}

fn languages(rng: &mut StdRng, ky: f64, ru: f64, en: f64) -> u8 {
    let mut l = 0;
    if rng.random_bool(ky) {
        l |= lang::KY;
    }
    if rng.random_bool(ru) {
        l |= lang::RU;
    }
    if rng.random_bool(en) {
        l |= lang::EN;
    }
    if l == 0 { lang::RU } else { l }
}

fn lab(rng: &mut StdRng) -> u32 {
    // Osh is the largest lab, then Batken, then Jalal-Abad.
    match rng.random_range(0..10) {
        0..5 => LABS[0],
        5..8 => LABS[1],
        _ => LABS[2],
    }
}

fn instance(residents: usize, mentors: usize, seed: u64) -> (Vec<Resident>, Vec<Mentor>) {
    let mut rng = StdRng::seed_from_u64(seed);
    let ms: Vec<Mentor> = (0..mentors)
        .map(|_| {
            let count = rng.random_range(2..=4);
            let expertise = skills(&mut rng, count);
            let languages = languages(&mut rng, 0.6, 0.9, 0.5);
            let mut labs = vec![lab(&mut rng)];
            if rng.random_bool(0.3) {
                labs.push(lab(&mut rng));
            }
            let remote = rng.random_bool(0.5);
            let in_person = !remote || rng.random_bool(0.6);
            Mentor {
                expertise,
                languages,
                labs,
                remote,
                in_person,
                capacity: rng.random_range(1..=5),
            }
        })
        .collect();
    let rs: Vec<Resident> = (0..residents)
        .map(|_| {
            let count = rng.random_range(1..=3);
            Resident {
                skills_wanted: skills(&mut rng, count),
                languages: languages(&mut rng, 0.9, 0.7, 0.15),
                lab: lab(&mut rng),
                remote_ok: rng.random_bool(0.6),
                preferred_mentor: rng.random_bool(0.05).then(|| rng.random_range(0..mentors)),
            }
        })
        .collect();
    (rs, ms)
}

fn bench(c: &mut Criterion) {
    let w = Weights::default();
    let mut group = c.benchmark_group("matching");
    // Runs take up to a second: ten flat samples keep the whole bench within a minute or two.
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(10));
    for (residents, mentors) in [(1_000, 100), (10_000, 1_000), (4_000, 1_000)] {
        let (rs, ms) = instance(residents, mentors, 2026);
        let places: u32 = ms.iter().map(|m| m.capacity).sum();
        let started = Instant::now();
        let optimal = propose(&rs, &ms, &w);
        let took = started.elapsed();
        let baseline = greedy(&rs, &ms, &w);
        println!(
            "{residents}×{mentors} ({places} places): optimal total {} with {} pairs in {took:.2?}; greedy total {} with {} pairs",
            total(&optimal),
            optimal.len(),
            total(&baseline),
            baseline.len(),
        );
        group.bench_function(format!("propose {residents}x{mentors}"), |b| {
            b.iter(|| propose(black_box(&rs), black_box(&ms), black_box(&w)))
        });
        group.bench_function(format!("greedy {residents}x{mentors}"), |b| {
            b.iter(|| greedy(black_box(&rs), black_box(&ms), black_box(&w)))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
