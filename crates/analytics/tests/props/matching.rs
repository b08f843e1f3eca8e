//! Property tests of `analytics::matching` on random small instances: every proposal is feasible,
//! explains its pairs with `score()`, is never worse than greedy, and reaches the optimum found by
//! independent references (exhaustive search for tiny instances, a textbook successive shortest
//! path min-cost flow for larger ones).

use analytics::matching::{Mentor, Pair, Resident, Weights, greedy, propose, score, total};
use proptest::prelude::*;

/// Attributes from small domains, so that ties, identical residents, incompatible pairs and
/// preferences (some out of range) are all common.
fn resident(mentors: usize) -> impl Strategy<Value = Resident> {
    (
        0u64..16,
        0u8..8,
        0u32..3,
        any::<bool>(),
        prop::option::weighted(0.3, 0..=mentors),
    )
        .prop_map(
            |(skills_wanted, languages, lab, remote_ok, preferred_mentor)| Resident {
                skills_wanted,
                languages,
                lab,
                remote_ok,
                preferred_mentor,
            },
        )
}

fn mentor(max_capacity: u32) -> impl Strategy<Value = Mentor> {
    (
        0u64..16,
        0u8..8,
        prop::collection::vec(0u32..4, 0..3),
        any::<bool>(),
        any::<bool>(),
        0..=max_capacity,
    )
        .prop_map(
            |(expertise, languages, labs, remote, in_person, capacity)| Mentor {
                expertise,
                languages,
                labs,
                remote,
                in_person,
                capacity,
            },
        )
}

/// The default weights, or odd ones (zero or negative bonuses included).
fn weights() -> impl Strategy<Value = Weights> {
    prop_oneof![
        Just(Weights::default()),
        (1i64..15, -3i64..8, -3i64..8, -3i64..8, -3i64..12).prop_map(
            |(per_skill, language, same_lab, remote, preference)| Weights {
                per_skill,
                language,
                same_lab,
                remote,
                preference,
            }
        ),
    ]
}

fn instance(
    max_residents: usize,
    max_mentors: usize,
    max_capacity: u32,
) -> impl Strategy<Value = (Vec<Resident>, Vec<Mentor>, Weights)> {
    (0..=max_mentors).prop_flat_map(move |m| {
        (
            prop::collection::vec(resident(m), 0..=max_residents),
            prop::collection::vec(mentor(max_capacity), m),
            weights(),
        )
    })
}

/// Each resident at most once (and sorted), capacities respected, every pair compatible with
/// exactly the score `score()` gives.
fn check_feasible(
    residents: &[Resident],
    mentors: &[Mentor],
    w: &Weights,
    pairs: &[Pair],
) -> Result<(), TestCaseError> {
    for two in pairs.windows(2) {
        prop_assert!(
            two[0].resident < two[1].resident,
            "sorted, each resident once"
        );
    }
    let mut used = vec![0u32; mentors.len()];
    for p in pairs {
        prop_assert!(p.resident < residents.len() && p.mentor < mentors.len());
        used[p.mentor] += 1;
        let expected = score(&residents[p.resident], &mentors[p.mentor], p.mentor, w);
        prop_assert_eq!(Some(p.score), expected, "pair {:?}", (p.resident, p.mentor));
        prop_assert!(p.score.total > 0);
    }
    for (m, &n) in used.iter().enumerate() {
        prop_assert!(n <= mentors[m].capacity, "mentor {} over capacity", m);
    }
    Ok(())
}

/// The optimum by trying every way to give each resident a mentor or none.
fn exhaustive(residents: &[Resident], mentors: &[Mentor], w: &Weights) -> i64 {
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

/// The optimum by the textbook method: source → resident (1) → mentor (cost −score) → sink
/// (capacity), one unit at a time along a Bellman–Ford shortest path while it still pays. The
/// cost of the k-th unit never decreases, so stopping at the first non-negative path is optimal.
fn min_cost_flow(residents: &[Resident], mentors: &[Mentor], w: &Weights) -> i64 {
    struct Edge {
        to: usize,
        cap: i64,
        cost: i64,
    }
    let (n, m) = (residents.len(), mentors.len());
    let (source, sink) = (n + m, n + m + 1);
    let nodes = n + m + 2;
    let mut edges: Vec<Edge> = Vec::new();
    let mut from: Vec<usize> = Vec::new();
    let mut add = |a: usize, b: usize, cap: i64, cost: i64| {
        edges.push(Edge { to: b, cap, cost });
        from.push(a);
        edges.push(Edge {
            to: a,
            cap: 0,
            cost: -cost,
        });
        from.push(b);
    };
    for (i, r) in residents.iter().enumerate() {
        add(source, i, 1, 0);
        for (j, mentor) in mentors.iter().enumerate() {
            if let Some(s) = score(r, mentor, j, w) {
                add(i, n + j, 1, -s.total);
            }
        }
    }
    for (j, mentor) in mentors.iter().enumerate() {
        add(n + j, sink, i64::from(mentor.capacity), 0);
    }
    let mut best = 0;
    loop {
        let mut dist = vec![i64::MAX; nodes];
        let mut via = vec![usize::MAX; nodes];
        dist[source] = 0;
        for _ in 0..nodes {
            let mut changed = false;
            for (e, edge) in edges.iter().enumerate() {
                let a = from[e];
                if edge.cap > 0 && dist[a] != i64::MAX && dist[a] + edge.cost < dist[edge.to] {
                    dist[edge.to] = dist[a] + edge.cost;
                    via[edge.to] = e;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        if dist[sink] >= 0 {
            return best;
        }
        best -= dist[sink];
        let mut node = sink;
        while node != source {
            let e = via[node];
            edges[e].cap -= 1;
            edges[e ^ 1].cap += 1;
            node = from[e];
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn tiny_proposals_are_feasible_and_optimal((rs, ms, w) in instance(6, 3, 3)) {
        let pairs = propose(&rs, &ms, &w);
        check_feasible(&rs, &ms, &w, &pairs)?;
        prop_assert_eq!(total(&pairs), exhaustive(&rs, &ms, &w));
        prop_assert!(total(&pairs) >= total(&greedy(&rs, &ms, &w)));
    }

    #[test]
    fn proposals_match_min_cost_flow((rs, ms, w) in instance(40, 8, 6)) {
        let pairs = propose(&rs, &ms, &w);
        check_feasible(&rs, &ms, &w, &pairs)?;
        prop_assert_eq!(total(&pairs), min_cost_flow(&rs, &ms, &w));
        prop_assert!(total(&pairs) >= total(&greedy(&rs, &ms, &w)));
        // Deterministic: the web layer may recompute and must show the same proposal.
        prop_assert_eq!(&pairs, &propose(&rs, &ms, &w));
    }

    #[test]
    fn greedy_is_feasible((rs, ms, w) in instance(40, 8, 6)) {
        check_feasible(&rs, &ms, &w, &greedy(&rs, &ms, &w))?;
    }

    #[test]
    fn optimum_with_more_residents_than_places((rs, ms, w) in instance(60, 5, 2)) {
        let pairs = propose(&rs, &ms, &w);
        check_feasible(&rs, &ms, &w, &pairs)?;
        prop_assert_eq!(total(&pairs), min_cost_flow(&rs, &ms, &w));
    }
}

/// Tiny deterministic generator for the medium instances below.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Realistic shapes (12 skills, 3 labs, capacities 1..=5) at a size where augmenting paths get
/// long, on both sides of the balance between residents and places.
#[test]
fn medium_instances_match_min_cost_flow() {
    let mut g = XorShift(0x2026_0517);
    for (residents, mentors) in [(150, 20), (60, 30), (120, 40), (200, 25)] {
        for _ in 0..3 {
            let ms: Vec<Mentor> = (0..mentors)
                .map(|_| Mentor {
                    expertise: (0..2 + g.below(3)).fold(0, |acc, _| acc | 1 << g.below(12)),
                    languages: 1 + g.below(7) as u8,
                    labs: vec![g.below(3) as u32],
                    remote: g.below(2) == 0,
                    in_person: g.below(5) != 0,
                    capacity: 1 + g.below(5) as u32,
                })
                .collect();
            let rs: Vec<Resident> = (0..residents)
                .map(|_| Resident {
                    skills_wanted: (0..1 + g.below(3)).fold(0, |acc, _| acc | 1 << g.below(12)),
                    languages: 1 + g.below(7) as u8,
                    lab: g.below(3) as u32,
                    remote_ok: g.below(5) < 3,
                    preferred_mentor: (g.below(10) == 0).then(|| g.below(mentors) as usize),
                })
                .collect();
            let w = Weights::default();
            let pairs = propose(&rs, &ms, &w);
            check_feasible(&rs, &ms, &w, &pairs).unwrap();
            assert_eq!(
                total(&pairs),
                min_cost_flow(&rs, &ms, &w),
                "{residents}×{mentors}"
            );
            assert!(total(&pairs) >= total(&greedy(&rs, &ms, &w)));
        }
    }
}
