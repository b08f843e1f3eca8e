//! Hand-made cases with a known optimum; random comparisons live in `tests/matching_props.rs`.

use super::instance::Instance;
use super::*;

const W: Weights = Weights {
    per_skill: 10,
    language: 5,
    same_lab: 4,
    remote: 1,
    preference: 8,
};

fn bits(skills: &[u32]) -> u64 {
    skills.iter().fold(0, |acc, &k| acc | 1 << k)
}

fn resident(skills: &[u32], languages: u8, lab: u32) -> Resident {
    Resident {
        skills_wanted: bits(skills),
        languages,
        lab,
        remote_ok: false,
        preferred_mentor: None,
    }
}

fn mentor(skills: &[u32], languages: u8, labs: &[u32], capacity: u32) -> Mentor {
    Mentor {
        expertise: bits(skills),
        languages,
        labs: labs.to_vec(),
        remote: false,
        in_person: true,
        capacity,
    }
}

fn remote(mut m: Mentor) -> Mentor {
    m.remote = true;
    m.in_person = false;
    m
}

fn pairs_of(pairs: &[Pair]) -> Vec<(usize, usize)> {
    pairs.iter().map(|p| (p.resident, p.mentor)).collect()
}

/// Tries every way to give each resident a mentor or none.
fn brute_force(residents: &[Resident], mentors: &[Mentor], w: &Weights) -> i64 {
    fn go(i: usize, rs: &[Resident], ms: &[Mentor], w: &Weights, room: &mut [u32]) -> i64 {
        let Some(r) = rs.get(i) else { return 0 };
        let mut best = go(i + 1, rs, ms, w, room);
        for (j, m) in ms.iter().enumerate() {
            if room[j] > 0
                && let Some(s) = score(r, m, j, w)
            {
                room[j] -= 1;
                best = best.max(s.total + go(i + 1, rs, ms, w, room));
                room[j] += 1;
            }
        }
        best
    }
    let mut room: Vec<u32> = mentors.iter().map(|m| m.capacity).collect();
    go(0, residents, mentors, w, &mut room)
}

#[test]
fn score_adds_up_the_features() {
    let r = resident(&[0, 1, 2], lang::KY | lang::RU, 7);
    let m = mentor(&[1, 2, 5], lang::RU, &[7], 1);
    let s = score(&r, &m, 0, &W).unwrap();
    assert_eq!(
        s,
        Score {
            total: 2 * 10 + 5 + 4,
            shared_skills: 2,
            shared_language: true,
            place: Place::SameLab,
            preferred: false,
        }
    );
    let b = s.breakdown(&W);
    assert_eq!(b.skills + b.language + b.place + b.preference, s.total);
    assert_eq!((b.skills, b.place, b.preference), (20, 4, 0));
}

#[test]
fn incompatible_pairs_have_no_score() {
    let r = resident(&[0], lang::KY, 1);
    // No shared language.
    assert_eq!(score(&r, &mentor(&[0], lang::RU, &[1], 1), 0, &W), None);
    // Another lab, and no remote mentoring.
    assert_eq!(score(&r, &mentor(&[0], lang::KY, &[2], 1), 0, &W), None);
    // Her lab is listed but the mentor does not meet in person.
    let mut not_in_person = mentor(&[0], lang::KY, &[1], 1);
    not_in_person.in_person = false;
    assert_eq!(score(&r, &not_in_person, 0, &W), None);
    // Remote offered, but she does not accept remote.
    assert_eq!(
        score(&r, &remote(mentor(&[0], lang::KY, &[], 1)), 0, &W),
        None
    );
    // Nothing in common to learn, and not her choice.
    assert_eq!(score(&r, &mentor(&[3], lang::KY, &[1], 1), 0, &W), None);
}

#[test]
fn remote_pairs_and_preferences_score() {
    let mut r = resident(&[], lang::EN, 1);
    r.remote_ok = true;
    r.preferred_mentor = Some(3);
    let m = remote(mentor(&[4], lang::EN | lang::RU, &[], 1));
    // No shared skill, but she asked for this mentor: worth proposing.
    let s = score(&r, &m, 3, &W).unwrap();
    assert_eq!(
        (s.total, s.place, s.preferred),
        (5 + 1 + 8, Place::Remote, true)
    );
    // The same mentor at another index is not the one she asked for.
    assert_eq!(score(&r, &m, 2, &W), None);
}

#[test]
fn place_is_the_better_of_the_two_ways_to_meet() {
    let mut r = resident(&[0], lang::RU, 1);
    r.remote_ok = true;
    let mut m = mentor(&[0], lang::RU, &[1], 1);
    m.remote = true;
    assert_eq!(score(&r, &m, 0, &W).unwrap().place, Place::SameLab);
    let remote_first = Weights { remote: 9, ..W };
    let s = score(&r, &m, 0, &remote_first).unwrap();
    assert_eq!((s.place, s.total), (Place::Remote, 10 + 5 + 9));
}

#[test]
fn pairs_worth_nothing_are_not_proposed() {
    let r = resident(&[0], lang::RU, 1);
    let m = mentor(&[0], lang::RU, &[1], 1);
    let worthless = Weights {
        per_skill: 1,
        language: 0,
        same_lab: -1,
        remote: 0,
        preference: 0,
    };
    assert_eq!(score(&r, &m, 0, &worthless), None);
    assert!(propose(&[r], &[m], &worthless).is_empty());
}

#[test]
fn absurd_weights_are_clamped_not_overflowing() {
    let r = resident(&(0..63).collect::<Vec<_>>(), lang::RU, 1);
    let m = mentor(&(0..63).collect::<Vec<_>>(), lang::RU, &[1], 3);
    let huge = Weights {
        per_skill: i64::MAX,
        language: i64::MAX,
        same_lab: i64::MAX,
        remote: i64::MIN,
        preference: i64::MAX,
    };
    let s = score(&r, &m, 0, &huge).unwrap();
    assert_eq!(s.total, 63 * MAX_WEIGHT + 2 * MAX_WEIGHT);
    let rs = vec![r; 5];
    let pairs = propose(&rs, std::slice::from_ref(&m), &huge);
    assert_eq!(total(&pairs), 3 * s.total);
}

#[test]
fn nothing_to_match() {
    let rs = [resident(&[0], lang::RU, 1)];
    let ms = [mentor(&[0], lang::RU, &[1], 1)];
    assert!(propose(&[], &ms, &W).is_empty());
    assert!(propose(&rs, &[], &W).is_empty());
    assert!(propose(&[], &[], &W).is_empty());
    assert!(greedy(&[], &ms, &W).is_empty());
}

#[test]
fn greedy_can_be_strictly_worse_than_optimal() {
    // A fits X best (39) but also fits Y (29); B can only work with X (29), since only X speaks
    // Kyrgyz. Greedy gives X to A and leaves B alone: 39. The optimum moves A to Y: 29 + 29 = 58.
    let a = resident(&[0, 1, 2], lang::RU, 1);
    let b = resident(&[0, 1], lang::KY, 1);
    let x = mentor(&[0, 1, 2], lang::KY | lang::RU, &[1], 1);
    let y = mentor(&[0, 1], lang::RU, &[1], 1);
    let (rs, ms) = ([a, b], [x, y]);
    let g = greedy(&rs, &ms, &W);
    assert_eq!(pairs_of(&g), [(0, 0)]);
    assert_eq!(total(&g), 39);
    let p = propose(&rs, &ms, &W);
    assert_eq!(pairs_of(&p), [(0, 1), (1, 0)]);
    assert_eq!(total(&p), 58);
    assert_eq!(brute_force(&rs, &ms, &W), 58);
}

#[test]
fn optimum_needs_a_long_chain_of_moves() {
    // Resident i (at lab i) fits mentor i in person (39) and mentor i+1 remotely (36). Resident X
    // fits only mentor 0 (29). Keeping everyone in person leaves X out: 6 × 39 = 234 (greedy).
    // Shifting all six residents to the next mentor loses 3 each but makes room for X:
    // 29 + 6 × 36 = 245. The last mentor place added must move the whole chain.
    let n: u32 = 6;
    let skills_of = |i: u32| [3 * i, 3 * i + 1, 3 * i + 2];
    let mut rs: Vec<Resident> = (0..n)
        .map(|i| Resident {
            remote_ok: true,
            ..resident(&skills_of(i), lang::RU, i)
        })
        .collect();
    rs.push(resident(&[0, 1], lang::RU, 0));
    let ms: Vec<Mentor> = (0..=n)
        .map(|j| {
            let mut teaches = Vec::new();
            if j < n {
                teaches.extend(skills_of(j));
            }
            if j > 0 {
                teaches.extend(skills_of(j - 1));
            }
            Mentor {
                remote: true,
                ..mentor(&teaches, lang::RU, &[j], 1)
            }
        })
        .collect();
    let g = greedy(&rs, &ms, &W);
    assert_eq!(total(&g), 234);
    let p = propose(&rs, &ms, &W);
    assert_eq!(total(&p), 245);
    assert_eq!(brute_force(&rs, &ms, &W), 245);
    let expected: Vec<(usize, usize)> = (0..n as usize)
        .map(|i| (i, i + 1))
        .chain([(6, 0)])
        .collect();
    assert_eq!(pairs_of(&p), expected);
}

#[test]
fn capacity_is_respected_and_the_best_are_taken() {
    let rs = [
        resident(&[0, 1], lang::RU, 1),    // 29
        resident(&[0, 1, 2], lang::RU, 1), // 39
        resident(&[2], lang::RU, 1),       // 19
        resident(&[1, 2], lang::RU, 1),    // 29
    ];
    let ms = [mentor(&[0, 1, 2], lang::RU, &[1], 2)];
    let p = propose(&rs, &ms, &W);
    assert_eq!(p.len(), 2);
    assert_eq!(total(&p), 39 + 29);
    assert!(p.iter().any(|pair| pair.resident == 1));
    assert!(propose(&rs, &[mentor(&[0, 1, 2], lang::RU, &[1], 0)], &W).is_empty());
}

#[test]
fn surplus_capacity_is_cheap_and_harmless() {
    let rs = [resident(&[0], lang::RU, 1), resident(&[1], lang::RU, 1)];
    let ms = [
        mentor(&[0, 1], lang::RU, &[1], u32::MAX),
        mentor(&[0, 1], lang::RU, &[1], 7),
    ];
    let p = propose(&rs, &ms, &W);
    assert_eq!(p.len(), 2);
    assert_eq!(total(&p), 2 * 19);
}

#[test]
fn incompatible_pairs_are_never_proposed_even_with_room() {
    let rs = [
        resident(&[0], lang::KY, 1), // speaks only Kyrgyz
        resident(&[0], lang::RU, 2), // another lab, no remote
        resident(&[0], lang::RU, 1),
    ];
    let ms = [mentor(&[0], lang::RU, &[1], 10)];
    assert_eq!(pairs_of(&propose(&rs, &ms, &W)), [(2, 0)]);
}

#[test]
fn preference_is_honoured_when_it_is_worth_it() {
    // She asked for the remote mentor 1: 20 + 5 + 1 + 8 = 34 beats the in-person mentor 0 (29).
    let mut r = resident(&[0, 1], lang::RU, 1);
    r.remote_ok = true;
    r.preferred_mentor = Some(1);
    let ms = [
        mentor(&[0, 1], lang::RU, &[1], 1),
        remote(mentor(&[0, 1], lang::RU, &[], 1)),
    ];
    let p = propose(std::slice::from_ref(&r), &ms, &W);
    assert_eq!(pairs_of(&p), [(0, 1)]);
    assert!(p[0].score.preferred);

    // Without the request she gets the in-person mentor.
    r.preferred_mentor = None;
    assert_eq!(pairs_of(&propose(&[r], &ms, &W)), [(0, 0)]);
}

#[test]
fn preference_yields_when_others_gain_more() {
    // Resident 0 asked for mentor 0 (1 skill + preference: 27); resident 1 fits her with 3 skills
    // (39) and nobody else fits either of them: the seat goes to resident 1.
    let mut asked = resident(&[0], lang::RU, 1);
    asked.preferred_mentor = Some(0);
    let rs = [asked, resident(&[0, 1, 2], lang::RU, 1)];
    let ms = [mentor(&[0, 1, 2], lang::RU, &[1], 1)];
    assert_eq!(pairs_of(&propose(&rs, &ms, &W)), [(1, 0)]);
    // With room for both, both are served and the preference shows in the score.
    let ms = [mentor(&[0, 1, 2], lang::RU, &[1], 2)];
    let p = propose(&rs, &ms, &W);
    assert_eq!(total(&p), 27 + 39);
    assert!(p[0].score.preferred);
}

#[test]
fn a_preferred_mentor_out_of_range_is_ignored() {
    let mut r = resident(&[0], lang::RU, 1);
    r.preferred_mentor = Some(99);
    let ms = [mentor(&[0], lang::RU, &[1], 1)];
    let p = propose(&[r], &ms, &W);
    assert_eq!(total(&p), 19);
    assert!(!p[0].score.preferred);
}

/// Tiny deterministic generator, so this test needs no dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

#[test]
fn fast_scoring_agrees_with_score() {
    // Many labs, so a mentor's lab bitset spans several words; odd weights; stray preferences.
    let mut g = XorShift(0x9E37_79B9_7F4A_7C15);
    let mentors: Vec<Mentor> = (0..40)
        .map(|_| Mentor {
            expertise: g.next() & g.next(),
            languages: g.below(8) as u8,
            labs: (0..g.below(4)).map(|_| g.below(150) as u32).collect(),
            remote: g.below(2) == 0,
            in_person: g.below(3) != 0,
            capacity: g.below(4) as u32,
        })
        .collect();
    let residents: Vec<Resident> = (0..300)
        .map(|_| Resident {
            skills_wanted: g.next() & g.next() & g.next(),
            languages: g.below(8) as u8,
            lab: g.below(150) as u32,
            remote_ok: g.below(2) == 0,
            preferred_mentor: (g.below(3) == 0).then(|| g.below(50) as usize),
        })
        .collect();
    for w in [
        W,
        Weights {
            per_skill: 3,
            language: -2,
            same_lab: -1,
            remote: 7,
            preference: 40,
        },
    ] {
        let inst = Instance::new(&residents, &mentors, &w);
        for (j, m) in mentors.iter().enumerate() {
            for (i, r) in residents.iter().enumerate() {
                assert_eq!(
                    inst.total(j, i),
                    score(r, m, j, &w).map(|s| s.total),
                    "resident {i}, mentor {j}"
                );
            }
        }
    }
}

#[test]
fn random_small_instances_match_brute_force() {
    let mut g = XorShift(42);
    for round in 0..300 {
        let mentors: Vec<Mentor> = (0..g.below(4))
            .map(|_| Mentor {
                expertise: g.below(16),
                languages: 1 + g.below(3) as u8,
                labs: vec![g.below(2) as u32],
                remote: g.below(2) == 0,
                in_person: true,
                capacity: g.below(3) as u32,
            })
            .collect();
        let residents: Vec<Resident> = (0..g.below(7))
            .map(|_| Resident {
                skills_wanted: g.below(16),
                languages: 1 + g.below(3) as u8,
                lab: g.below(2) as u32,
                remote_ok: g.below(2) == 0,
                preferred_mentor: (g.below(3) == 0).then(|| g.below(4) as usize),
            })
            .collect();
        let p = propose(&residents, &mentors, &W);
        assert_eq!(
            total(&p),
            brute_force(&residents, &mentors, &W),
            "round {round}"
        );
    }
}
