//! The exact solver: Jonker–Volgenant shortest augmenting paths, adding one row at a time, with
//! every row's private "stays empty" column kept implicit. Rows are mentor places and columns
//! residents, or the other way round. The module documentation of [`super`] explains the model and
//! why the result is optimal.
//!
//! Conventions: cost = −score (we minimise); `v[c]` is the potential of column `c`; a row's
//! potential is implicit, `u_r = cost(r, its column) − v[its column]`; every empty column keeps
//! `v = 0` forever, so it needs no storage.

use super::instance::{Instance, Scorer};

/// "No row" / "no column": a column nobody took, or a row on its own empty column.
const NONE: u32 = u32::MAX;

/// Buffers of one Dijkstra run, kept across runs to avoid reallocating.
struct Search {
    /// Tentative distance of each column from the new row.
    dist: Vec<i64>,
    /// The row through which each column was reached at distance `dist`.
    pred: Vec<u32>,
    /// Whether a column is scanned (its distance final); all false between runs.
    done: Vec<bool>,
    /// The scanned columns, whose potentials change after the run.
    scanned: Vec<u32>,
    /// Taken columns at the smallest distance, not scanned yet.
    level: Vec<u32>,
    /// Number of the current run.
    stamp: u32,
    /// Per row class, the run in which a row of that class was last relaxed.
    relaxed: Vec<u32>,
}

impl Search {
    fn new(cols: usize, classes: usize) -> Search {
        Search {
            dist: vec![0; cols],
            pred: vec![NONE; cols],
            done: vec![false; cols],
            scanned: Vec::new(),
            level: Vec::new(),
            stamp: 0,
            relaxed: vec![0; classes],
        }
    }
}

/// Finds the smallest distance among unscanned columns and fills `s.level` with the taken
/// columns at that distance; returns the distance and the first free column at it, if any.
fn next_level(a: &Assignment, s: &mut Search) -> (i64, u32) {
    let (mut closest, mut free) = (i64::MAX, NONE);
    for (c, (&d, &done)) in s.dist.iter().zip(&s.done).enumerate() {
        if done || d > closest {
            continue;
        }
        if d < closest {
            closest = d;
            free = NONE;
            s.level.clear();
        }
        if a.col_row[c] == NONE {
            if free == NONE {
                free = c as u32;
            }
        } else {
            s.level.push(c as u32);
        }
    }
    (closest, free)
}

/// The rows of the problem: their costs (scores negated) against every column, one row at a time.
trait Rows {
    /// Rows of the same class have the same costs against every column.
    fn class(&self, row: u32) -> u32;
    /// Makes `row` the one [`Rows::cost`] answers for.
    fn load(&mut self, row: u32);
    /// The cost of the loaded row with `col`; [`UNUSABLE`](super::instance::UNUSABLE) for a pair
    /// that may not be used.
    fn cost(&self, col: usize) -> i64;
}

/// Rows are mentor places, columns residents; a mentor's places form a class.
struct PlaceRows<'a> {
    inst: &'a Instance,
    place_mentor: &'a [u32],
    loaded: Scorer<'a>,
}

impl Rows for PlaceRows<'_> {
    fn class(&self, place: u32) -> u32 {
        self.place_mentor[place as usize]
    }

    fn load(&mut self, place: u32) {
        self.loaded = self.inst.scorer(self.place_mentor[place as usize] as usize);
    }

    #[inline]
    fn cost(&self, resident: usize) -> i64 {
        self.loaded.cost(resident)
    }
}

/// Rows are residents, columns mentor places; residents with identical attributes form a class.
struct ResidentRows<'a> {
    inst: &'a Instance,
    place_mentor: &'a [u32],
    class: Vec<u32>,
    /// The loaded resident's cost with each mentor.
    by_mentor: Vec<i64>,
}

impl Rows for ResidentRows<'_> {
    fn class(&self, resident: u32) -> u32 {
        self.class[resident as usize]
    }

    fn load(&mut self, resident: u32) {
        for (m, cost) in self.by_mentor.iter_mut().enumerate() {
            *cost = self.inst.scorer(m).cost(resident as usize);
        }
    }

    #[inline]
    fn cost(&self, place: usize) -> i64 {
        self.by_mentor[self.place_mentor[place] as usize]
    }
}

/// A rectangular assignment being built row by row: every row takes one column or its own empty
/// column; a column serves at most one row.
struct Assignment {
    /// Column of each row, or `NONE` when the row sits on its own empty column (or is not added).
    row_col: Vec<u32>,
    /// Row of each column, or `NONE`.
    col_row: Vec<u32>,
    /// Column potentials.
    v: Vec<i64>,
}

impl Assignment {
    fn new(rows: usize, cols: usize) -> Assignment {
        Assignment {
            row_col: vec![NONE; rows],
            col_row: vec![NONE; cols],
            v: vec![0; cols],
        }
    }
}

/// Pairs (resident, mentor) of a maximum-total assignment, in no particular order.
///
/// Either side can be the rows; the scarcer one is, so that most rows find a free column at once
/// and augmenting paths stay short (many residents for few places: rows are places; the reverse:
/// rows are residents). Both orientations solve the same assignment problem exactly.
pub(super) fn solve(inst: &Instance) -> Vec<(usize, usize)> {
    let n = inst.residents();
    // A mentor cannot use more places than there are residents.
    let place_mentor: Vec<u32> = (0..inst.mentors())
        .flat_map(|m| std::iter::repeat_n(m as u32, (inst.capacity(m) as usize).min(n)))
        .collect();
    if n == 0 || place_mentor.is_empty() {
        return Vec::new();
    }
    if place_mentor.len() <= n {
        let mut rows = PlaceRows {
            inst,
            place_mentor: &place_mentor,
            loaded: inst.scorer(0),
        };
        let a = run(&mut rows, place_mentor.len(), n, inst.mentors());
        a.row_col
            .iter()
            .zip(&place_mentor)
            .filter(|(col, _)| **col != NONE)
            .map(|(&resident, &mentor)| (resident as usize, mentor as usize))
            .collect()
    } else {
        let class = inst.resident_classes();
        let classes = class.iter().max().map_or(0, |&c| c as usize + 1);
        let mut rows = ResidentRows {
            inst,
            place_mentor: &place_mentor,
            class,
            by_mentor: vec![0; inst.mentors()],
        };
        let a = run(&mut rows, n, place_mentor.len(), classes);
        a.row_col
            .iter()
            .enumerate()
            .filter(|(_, col)| **col != NONE)
            .map(|(resident, &place)| (resident, place_mentor[place as usize] as usize))
            .collect()
    }
}

/// Solves the assignment of `row_count` rows to `cols` columns, where each row may instead take
/// its own empty column, adding the rows one at a time.
fn run(rows: &mut impl Rows, row_count: usize, cols: usize, classes: usize) -> Assignment {
    let mut a = Assignment::new(row_count, cols);
    let mut search = Search::new(cols, classes);
    // Classes with a row on its empty column. Another row of such a class is identical to a row
    // with potential 0 on its empty column; putting it on its own empty column with potential 0
    // keeps every optimality condition (module doc), so it needs no search. This is what makes
    // surplus capacity cheap.
    let mut empty_class = vec![false; classes];
    for row in 0..row_count as u32 {
        if empty_class[rows.class(row) as usize] {
            continue;
        }
        if let Some(emptied) = augment(&mut a, &mut search, rows, row) {
            empty_class[rows.class(emptied) as usize] = true;
        }
    }
    a
}

/// Fits the new row `r0` in along a shortest augmenting path. Returns the row that ends up on its
/// empty column (possibly `r0` itself), if the path ends there rather than on a free column.
fn augment(a: &mut Assignment, s: &mut Search, rows: &mut impl Rows, r0: u32) -> Option<u32> {
    let n = a.v.len();
    s.scanned.clear();
    s.level.clear();
    s.stamp += 1;
    s.relaxed[rows.class(r0) as usize] = s.stamp;

    // Distances straight from r0. All distances of this run share r0's unknown potential as an
    // offset, which is harmless: only differences matter.
    rows.load(r0);
    for c in 0..n {
        s.dist[c] = rows.cost(c) - a.v[c];
        s.pred[c] = r0;
    }
    // r0's own empty column: cost 0, potential 0.
    let mut empty_dist = 0i64;
    let mut empty_row = r0;
    // Dijkstra by levels: `level` holds the unscanned columns at distance `closest`, the smallest;
    // scores tie a lot, so a level often has many columns, scanned without looking for the
    // minimum again. `free` is a column at that distance that nobody took, if any.
    let mut closest = i64::MAX;
    let mut free = NONE;

    let (end_col, end_dist) = loop {
        if s.level.is_empty() && free == NONE {
            (closest, free) = next_level(a, s);
        }
        // Ties go to the empty column, then to a free one: the search stops there.
        if empty_dist <= closest {
            break (NONE, empty_dist);
        }
        if free != NONE {
            break (free, closest);
        }
        // Scan a closest column: it is taken, so continue through the row that holds it.
        let k = s.level.pop().expect("a level is never empty here") as usize;
        s.done[k] = true;
        s.scanned.push(k as u32);
        let r = a.col_row[k];
        let class = rows.class(r) as usize;
        if s.relaxed[class] == s.stamp {
            // A row of the same class was relaxed before, from no farther (module doc): going
            // through this one improves nothing.
            continue;
        }
        s.relaxed[class] = s.stamp;
        rows.load(r);
        debug_assert!(rows.cost(k) < 0, "a held pair is compatible");
        // dist[k] minus the (zero) reduced cost of r's own pair: r's potential plus the offset.
        let via = s.dist[k] - rows.cost(k) + a.v[k];
        // r's empty column (cost 0, potential 0): r would give up her column to the path.
        if via < empty_dist {
            empty_dist = via;
            empty_row = r;
        }
        for c in 0..n {
            if s.done[c] {
                continue;
            }
            let through = via + rows.cost(c) - a.v[c];
            if through < s.dist[c] {
                s.dist[c] = through;
                s.pred[c] = r;
                // Reduced costs are not negative, so nothing gets closer than `closest`.
                if through == closest {
                    if a.col_row[c] == NONE {
                        free = c as u32;
                        break;
                    }
                    s.level.push(c as u32);
                }
            }
        }
    };

    // New potentials: reduced costs stay non-negative and the path becomes tight.
    for &k in &s.scanned {
        let k = k as usize;
        a.v[k] += s.dist[k] - end_dist;
        s.done[k] = false;
    }

    // Flip the path, walking back from its end to r0.
    let (mut k, emptied) = if end_col == NONE {
        if empty_row == r0 {
            return Some(r0);
        }
        let k = a.row_col[empty_row as usize];
        a.row_col[empty_row as usize] = NONE;
        (k, Some(empty_row))
    } else {
        (end_col, None)
    };
    loop {
        let r = s.pred[k as usize];
        let prev = a.row_col[r as usize];
        a.row_col[r as usize] = k;
        a.col_row[k as usize] = r;
        if r == r0 {
            break;
        }
        k = prev;
    }
    emptied
}
