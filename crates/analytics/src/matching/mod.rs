//! Optimal mentor matching: which waiting resident should a coordinator pair with which mentor.
//!
//! # The problem
//!
//! Every compatible (resident, mentor) pair has an integer fit [`score`], always positive. A proposal
//! gives each resident at most one mentor and each mentor at most `capacity` residents, never pairs an
//! incompatible couple, may leave residents (and mentor places) empty, and maximises the sum of the
//! scores. That is a maximum-weight bipartite *b*-matching: a linear programme whose constraint
//! matrix is totally unimodular, so it has an integral optimum, and LP duality certifies it.
//!
//! # The algorithm: shortest augmenting paths (Jonker–Volgenant), in exact integers
//!
//! [`propose`] restates it as a rectangular assignment problem. Every mentor place (a mentor with
//! capacity 3 gives three identical places, never more than there are residents) and every resident
//! is a node; the scarcer side are the *rows*, the other side the *columns*. Every row also gets a
//! private "stays empty" column worth 0, and must take exactly one column. Solutions of the two
//! problems correspond one to one with equal totals: a row on a real column is a pair; a row on its
//! empty column, or a column nobody takes, is an unused place or an unmatched resident. Incompatible
//! pairs have no edge at all, so they cannot be proposed.
//!
//! The solver minimises cost = −score by adding rows one at a time. Each addition runs Dijkstra over
//! the columns with reduced costs `cost − u − v` to find the cheapest way to fit the new row in
//! (moving earlier rows along a chain, which may end with one of them on its empty column), then
//! updates the column potentials `v`.
//!
//! ## Why the answer is exact
//!
//! After every step the solver keeps (1) dual feasibility: `u_r + v_c ≤ cost(r, c)` for every row
//! added so far and every column, empty ones included; (2) tightness: equality between each row and
//! the column it holds; (3) `v = 0` on every column nobody holds (only columns scanned by Dijkstra
//! change, those are all held, and a held column is never released). Reduced costs are never
//! negative, so Dijkstra is valid, and the new potentials preserve (1)–(3). Once all rows are in,
//! (1)–(3) are the complementary slackness conditions of the assignment LP, so the proposal is
//! optimal — exactly, since all arithmetic is in `i64` integers: no scaling, no epsilon.
//!
//! Three shortcuts keep it fast and change nothing in the result's optimality:
//!
//! * Rows of one *class* (the places of one mentor; residents with identical attributes) have the
//!   same costs, hence by (1)–(2) the same potential. Within one Dijkstra run a later row of a class
//!   is reached no closer than the first one, so relaxing it again improves no distance: skipped.
//! * Once a row of a class sits on its empty column (potential 0), another row of that class can
//!   sit on its own empty column with potential 0 and meet (1)–(3) at once: it is not searched.
//!   This makes surplus capacity, and residents nobody can take, cheap.
//! * Scores tie a lot, so Dijkstra works by levels of equal distance and scans a whole level
//!   without searching for the minimum again.
//!
//! ## No overflow
//!
//! Weights are clamped to ±[`MAX_WEIGHT`], so a score is below 2^27. By (1)–(3) every potential
//! lies between −(largest score) and 0, and every distance within three scores of 0.
//!
//! # Cost and memory
//!
//! No edge is stored: a score is a handful of bit operations on two attribute vectors, computed
//! when needed. Memory is `O(residents + places + mentors)`. Adding a row costs one pass over the
//! columns plus one per class it displaces. With many more residents than places (10,000 residents,
//! ~3,000 places) most places find a free resident at once: a few tenths of a second in release
//! mode (`benches/matching.rs`). The hardest inputs have a little more residents than places, all
//! competing (4,000 residents for 2,900 places: about a second; 8,000 for 5,800: several seconds);
//! the worst case is `O(rows² × columns)`.
//!
//! [`greedy`] is the naive baseline (best pair first) kept for comparison: it can be strictly worse.

mod instance;
mod solver;

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use instance::Instance;

/// Language bits of [`Resident::languages`] and [`Mentor::languages`].
pub mod lang {
    /// Kyrgyz.
    pub const KY: u8 = 1;
    /// Russian.
    pub const RU: u8 = 2;
    /// English.
    pub const EN: u8 = 4;
}

/// Largest magnitude a weight may have; larger ones are clamped. Real weights are single digits;
/// the bound exists so that exact `i64` arithmetic in the solver can never overflow.
pub const MAX_WEIGHT: i64 = 1_000_000;

/// A woman waiting for a mentor.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resident {
    /// Skills she wants to learn: bit `k` is code `k` of the skill vocabulary (fewer than 64 codes).
    pub skills_wanted: u64,
    /// Languages she speaks, as [`lang`] bits.
    pub languages: u8,
    /// The lab she attends.
    pub lab: u32,
    /// Whether she accepts being mentored remotely.
    pub remote_ok: bool,
    /// Index into the mentors slice of the mentor she asked for, if any. An index out of range is
    /// ignored (the mentor may have left since she asked).
    pub preferred_mentor: Option<usize>,
}

/// A professional who mentors residents.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mentor {
    /// Skills she can teach, same vocabulary as [`Resident::skills_wanted`].
    pub expertise: u64,
    /// Languages she speaks, as [`lang`] bits.
    pub languages: u8,
    /// Labs where she mentors in person (only counts when `in_person`).
    pub labs: Vec<u32>,
    /// Whether she offers remote mentoring.
    pub remote: bool,
    /// Whether she mentors in person at all.
    pub in_person: bool,
    /// How many residents she can take.
    pub capacity: u32,
}

/// How much each matching feature is worth. Each weight is clamped to ±[`MAX_WEIGHT`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Weights {
    /// Per skill she wants that the mentor teaches.
    pub per_skill: i64,
    /// For a shared language (always present in a proposed pair: without one they cannot work).
    pub language: i64,
    /// For meeting in person at her lab.
    pub same_lab: i64,
    /// For meeting remotely.
    pub remote: i64,
    /// When the mentor is the one she asked for.
    pub preference: i64,
}

impl Default for Weights {
    /// Skills dominate; meeting in person beats remote; her own choice is worth almost a skill.
    fn default() -> Self {
        Weights {
            per_skill: 10,
            language: 5,
            same_lab: 4,
            remote: 1,
            preference: 8,
        }
    }
}

impl Weights {
    fn clamped(&self) -> Weights {
        let c = |x: i64| x.clamp(-MAX_WEIGHT, MAX_WEIGHT);
        Weights {
            per_skill: c(self.per_skill),
            language: c(self.language),
            same_lab: c(self.same_lab),
            remote: c(self.remote),
            preference: c(self.preference),
        }
    }
}

/// Where the pair would meet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Place {
    /// In person, at the resident's lab.
    SameLab,
    /// Remotely.
    Remote,
}

/// Why a pair fits: the features behind its total, so a coordinator can see the reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Score {
    /// The sum that the proposal maximises; always positive.
    pub total: i64,
    /// Skills she wants that the mentor teaches.
    pub shared_skills: u32,
    /// Whether they share a language (true for every compatible pair).
    pub shared_language: bool,
    /// Where they would meet. When both are possible, the one worth more (in person on a tie).
    pub place: Place,
    /// Whether the mentor is the one she asked for.
    pub preferred: bool,
}

/// Points per feature of a [`Score`]; they add up to [`Score::total`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Breakdown {
    /// `per_skill × shared_skills`.
    pub skills: i64,
    /// The language bonus.
    pub language: i64,
    /// The bonus of the place (same lab or remote).
    pub place: i64,
    /// The preference bonus, or 0.
    pub preference: i64,
}

impl Score {
    /// Points per feature under the weights that produced this score, for an explanation line.
    pub fn breakdown(&self, w: &Weights) -> Breakdown {
        let w = w.clamped();
        Breakdown {
            skills: w.per_skill * i64::from(self.shared_skills),
            language: if self.shared_language { w.language } else { 0 },
            place: match self.place {
                Place::SameLab => w.same_lab,
                Place::Remote => w.remote,
            },
            preference: if self.preferred { w.preference } else { 0 },
        }
    }
}

/// One proposed pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pair {
    /// Index into the residents slice.
    pub resident: usize,
    /// Index into the mentors slice.
    pub mentor: usize,
    /// Why they fit.
    pub score: Score,
}

/// The fit of resident `r` with mentor `m`, who is `mentors[mentor_index]` (needed to recognise the
/// resident's preference).
///
/// `None` means the pair is never proposed: they share no language; or they cannot meet, because the
/// mentor neither serves the resident's lab in person nor offers remote mentoring to a resident who
/// accepts it; or the mentor teaches none of the skills she wants and is not her preferred mentor
/// (nothing to gain); or the weights make the total zero or negative.
pub fn score(r: &Resident, m: &Mentor, mentor_index: usize, w: &Weights) -> Option<Score> {
    if r.languages & m.languages == 0 {
        return None;
    }
    let same_lab = m.in_person && m.labs.contains(&r.lab);
    let remote = m.remote && r.remote_ok;
    let shared = (r.skills_wanted & m.expertise).count_ones();
    let preferred = r.preferred_mentor == Some(mentor_index);
    let (total, place) = combine(shared, same_lab, remote, preferred, &w.clamped())?;
    Some(Score {
        total,
        shared_skills: shared,
        shared_language: true,
        place,
        preferred,
    })
}

/// The scoring rule once the features are known; the caller has checked the language and
/// clamped `w`. The solver uses the same rule rearranged for speed (`instance::Rule`); a test
/// checks that the two agree.
#[inline]
fn combine(
    shared: u32,
    same_lab: bool,
    remote: bool,
    preferred: bool,
    w: &Weights,
) -> Option<(i64, Place)> {
    let (place_bonus, place) = match (same_lab, remote) {
        (false, false) => return None,
        (true, false) => (w.same_lab, Place::SameLab),
        (false, true) => (w.remote, Place::Remote),
        (true, true) if w.remote > w.same_lab => (w.remote, Place::Remote),
        (true, true) => (w.same_lab, Place::SameLab),
    };
    if shared == 0 && !preferred {
        return None;
    }
    let pref_bonus = if preferred { w.preference } else { 0 };
    let total = w.per_skill * i64::from(shared) + w.language + place_bonus + pref_bonus;
    (total > 0).then_some((total, place))
}

/// The assignment of residents to mentors with the largest total score, respecting capacities;
/// sorted by resident index. Exact (see the module documentation for why); deterministic for a
/// given input.
pub fn propose(residents: &[Resident], mentors: &[Mentor], w: &Weights) -> Vec<Pair> {
    let inst = Instance::new(residents, mentors, w);
    let assignment = solver::solve(&inst);
    let mut pairs: Vec<Pair> = assignment
        .into_iter()
        .map(|(resident, mentor)| {
            let score = score(&residents[resident], &mentors[mentor], mentor, w)
                .expect("the solver only uses compatible pairs");
            Pair {
                resident,
                mentor,
                score,
            }
        })
        .collect();
    pairs.sort_unstable_by_key(|p| p.resident);
    pairs
}

/// The naive baseline: take compatible pairs from the best score down (ties by resident, then
/// mentor index) while the resident is free and the mentor has room. Sorted by resident index.
/// Never better than [`propose`], sometimes strictly worse.
pub fn greedy(residents: &[Resident], mentors: &[Mentor], w: &Weights) -> Vec<Pair> {
    let inst = Instance::new(residents, mentors, w);
    let mut room: Vec<u32> = mentors.iter().map(|m| m.capacity).collect();
    // The best pair of each resident among mentors with room, found lazily: an entry whose mentor
    // has filled up since is recomputed when it surfaces, which pops pairs in exactly the global
    // (score desc, resident asc, mentor asc) order without listing all pairs.
    let best_for = |r: usize, room: &[u32]| -> Option<(i64, usize)> {
        let mut best: Option<(i64, usize)> = None;
        for (m, _) in room.iter().enumerate().filter(|(_, left)| **left > 0) {
            if let Some(s) = inst.total(m, r)
                && best.is_none_or(|(bs, _)| s > bs)
            {
                best = Some((s, m));
            }
        }
        best
    };
    let mut heap: BinaryHeap<(i64, Reverse<usize>, Reverse<usize>)> = (0..residents.len())
        .filter_map(|r| best_for(r, &room).map(|(s, m)| (s, Reverse(r), Reverse(m))))
        .collect();
    let mut pairs = Vec::new();
    while let Some((s, Reverse(r), Reverse(m))) = heap.pop() {
        if room[m] > 0 {
            room[m] -= 1;
            let score = score(&residents[r], &mentors[m], m, w).expect("compatible pair");
            debug_assert_eq!(score.total, s);
            pairs.push(Pair {
                resident: r,
                mentor: m,
                score,
            });
        } else if let Some((s, m)) = best_for(r, &room) {
            heap.push((s, Reverse(r), Reverse(m)));
        }
    }
    pairs.sort_unstable_by_key(|p| p.resident);
    pairs
}

/// The sum of the scores of `pairs`, the quantity [`propose`] maximises.
pub fn total(pairs: &[Pair]) -> i64 {
    pairs.iter().map(|p| p.score.total).sum()
}

#[cfg(test)]
mod tests;
