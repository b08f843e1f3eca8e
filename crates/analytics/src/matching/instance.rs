//! A matching problem laid out for fast scoring: the solver evaluates a score millions of times,
//! so lab ids become dense indices and each mentor's labs a bitset, instead of a `Vec::contains`
//! per pair.

use super::{Mentor, Resident, Weights};

/// The cost of a pair that may not be used: far above any real cost or distance. Scores are
/// below 2^27 and the solver's potentials and distances stay within three scores of zero (module
/// doc of `matching`), so nothing real comes near, and adding a few such quantities to it cannot
/// overflow.
pub(super) const UNUSABLE: i64 = 1 << 60;

/// Sentinel for "no preferred mentor" (or one out of range).
const NO_MENTOR: u32 = u32::MAX;

/// A resident with her lab as a dense index.
#[derive(Clone, Copy)]
struct Res {
    skills: u64,
    preferred: u32,
    lab: u32,
    languages: u8,
    remote_ok: bool,
}

/// A mentor; `serves` locates her bitset over dense lab indices in [`Instance::serves`].
#[derive(Clone, Copy)]
struct Men {
    expertise: u64,
    serves: u32,
    capacity: u32,
    languages: u8,
    remote: bool,
}

pub(super) struct Instance {
    rule: Rule,
    res: Vec<Res>,
    men: Vec<Men>,
    /// One bitset of `words` words per mentor: bit `l` set when she meets residents of dense lab
    /// `l` in person.
    serves: Vec<u64>,
}

impl Instance {
    pub(super) fn new(residents: &[Resident], mentors: &[Mentor], w: &Weights) -> Instance {
        let mut labs: Vec<u32> = residents.iter().map(|r| r.lab).collect();
        labs.sort_unstable();
        labs.dedup();
        let dense = |lab: u32| labs.binary_search(&lab).ok();
        let words = labs.len().div_ceil(64).max(1);
        let res = residents
            .iter()
            .map(|r| Res {
                skills: r.skills_wanted,
                preferred: r
                    .preferred_mentor
                    .filter(|&m| m < mentors.len())
                    .map_or(NO_MENTOR, |m| m as u32),
                lab: dense(r.lab).expect("every resident lab is listed") as u32,
                languages: r.languages,
                remote_ok: r.remote_ok,
            })
            .collect();
        let mut serves = vec![0u64; words * mentors.len()];
        let men = mentors
            .iter()
            .enumerate()
            .map(|(j, m)| {
                if m.in_person {
                    for l in m.labs.iter().filter_map(|&lab| dense(lab)) {
                        serves[j * words + l / 64] |= 1 << (l % 64);
                    }
                }
                Men {
                    expertise: m.expertise,
                    serves: (j * words) as u32,
                    capacity: m.capacity,
                    languages: m.languages,
                    remote: m.remote,
                }
            })
            .collect();
        Instance {
            rule: Rule::new(w),
            res,
            men,
            serves,
        }
    }

    pub(super) fn residents(&self) -> usize {
        self.res.len()
    }

    pub(super) fn mentors(&self) -> usize {
        self.men.len()
    }

    pub(super) fn capacity(&self, mentor: usize) -> u32 {
        self.men[mentor].capacity
    }

    /// A class number per resident, equal for residents whose scores with every mentor are
    /// equal because all their attributes are.
    pub(super) fn resident_classes(&self) -> Vec<u32> {
        let attributes = |r: &Res| (r.skills, r.preferred, r.lab, r.languages, r.remote_ok);
        let mut order: Vec<u32> = (0..self.res.len() as u32).collect();
        order.sort_unstable_by_key(|&i| attributes(&self.res[i as usize]));
        let mut class = vec![0; self.res.len()];
        let mut next = 0;
        for (pos, &i) in order.iter().enumerate() {
            if pos > 0
                && attributes(&self.res[i as usize])
                    != attributes(&self.res[order[pos - 1] as usize])
            {
                next += 1;
            }
            class[i as usize] = next;
        }
        class
    }

    /// The score total of (`mentor`, `resident`), or `None` when [`super::score`] says `None`.
    #[inline]
    pub(super) fn total(&self, mentor: usize, resident: usize) -> Option<i64> {
        self.scorer(mentor).total(resident)
    }

    /// Scores of one mentor against residents, with her data looked up once for a whole row.
    #[inline]
    pub(super) fn scorer(&self, mentor: usize) -> Scorer<'_> {
        let m = self.men[mentor];
        Scorer {
            mentor: mentor as u32,
            m,
            serves: &self.serves[m.serves as usize..],
            res: &self.res,
            rule: &self.rule,
        }
    }
}

/// See [`Instance::scorer`].
pub(super) struct Scorer<'a> {
    mentor: u32,
    m: Men,
    serves: &'a [u64],
    res: &'a [Res],
    rule: &'a Rule,
}

impl Scorer<'_> {
    /// The same rule as [`super::score`], on pre-digested features.
    #[inline]
    pub(super) fn total(&self, resident: usize) -> Option<i64> {
        let (total, ok) = self.eval(resident);
        ok.then_some(total)
    }

    /// `−total`, or [`UNUSABLE`] for a pair that may not be used. Without branches: whether a pair
    /// is compatible is random from one resident to the next, so branches would mispredict in
    /// the solver's hot loops.
    #[inline]
    pub(super) fn cost(&self, resident: usize) -> i64 {
        let (total, ok) = self.eval(resident);
        if ok { -total } else { UNUSABLE }
    }

    #[inline]
    fn eval(&self, resident: usize) -> (i64, bool) {
        let r = &self.res[resident];
        let same_lab = (self.serves[r.lab as usize / 64] >> (r.lab % 64)) & 1;
        let remote = u64::from(self.m.remote & r.remote_ok);
        let place = (same_lab | remote << 1) as usize;
        let shared = (self.m.expertise & r.skills).count_ones();
        let preferred = r.preferred == self.mentor;
        let total = self.rule.per_skill * i64::from(shared)
            + self.rule.base[place]
            + i64::from(preferred) * self.rule.preference;
        let ok = (self.m.languages & r.languages != 0)
            & (place != 0)
            & ((shared != 0) | preferred)
            & (total > 0);
        (total, ok)
    }
}

/// The weights rearranged for [`Scorer::total`].
struct Rule {
    per_skill: i64,
    preference: i64,
    /// Language bonus plus the place bonus, by `same_lab | remote << 1` (0: cannot meet).
    base: [i64; 4],
}

impl Rule {
    fn new(w: &Weights) -> Rule {
        // `combine` picks the better place when both are possible.
        let w = w.clamped();
        Rule {
            per_skill: w.per_skill,
            preference: w.preference,
            base: [
                0,
                w.language + w.same_lab,
                w.language + w.remote,
                w.language + w.same_lab.max(w.remote),
            ],
        }
    }
}
