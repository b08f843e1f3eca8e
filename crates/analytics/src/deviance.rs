//! Positive deviance: among residents who started in similar conditions, the ones whose outcome is far
//! better than is usual for women like them, so that the lab can learn what they did differently.
//!
//! # The method, in plain words
//!
//! Each resident has a few *baseline covariates* recorded when she joined (for example settlement
//! rural or urban, family support yes or no, district), listed in order of importance, and one
//! *outcome* (for example her income growth ratio, see [`growth_ratio`], or the change in a scale
//! score).
//!
//! 1. **Like with like.** She is compared with the women who share all her covariates (herself
//!    included). If that group has fewer than `min_group` women, the least important covariate is
//!    dropped and the group is formed again (*coarsening*), down to the whole population. A woman
//!    for whom even the whole population is smaller than `min_group` is not judged.
//! 2. **What is usual there.** The group's *median* outcome is the usual result, and its spread is
//!    measured by the *MAD* (median absolute deviation from the median), scaled by 1.4826 so that it
//!    is comparable with a standard deviation. Medians are used because a few exceptional women
//!    (the very ones we look for) barely move them, which is also why she can be counted in her own
//!    group.
//! 3. **How far above.** Her *robust z* is `(her outcome − group median) / (1.4826 × MAD)`. When
//!    more than half of the group has exactly the same outcome the MAD is 0; the spread is then
//!    `1.2533 × the mean absolute deviation from the median` (the same scale for normal data). The
//!    spread is never taken smaller than a billionth of the median's size, so float noise cannot
//!    produce a huge z; and when every outcome in the group is the same, nobody stands out (z = 0).
//! 4. **Positive deviant.** She is one when her z is at least `threshold` (default 2) and her
//!    outcome is above her group's median.
//!
//! The list is sorted by z, highest first, then by key. Women with an outcome that is not a finite
//! number are left out of every group; if fewer than `min_subjects` women remain, there is too little
//! to compare and the list is empty. Each [`Deviant`] carries the covariates that defined her group,
//! so a report can say "far above other rural women without family support".
//!
//! # Cost
//!
//! Each level of coarsening groups the women once (a hash of their leading covariates) and computes
//! each group's median and MAD once: `O(levels × n log n)` in the worst case; 10,000 women with 4
//! covariates take a few milliseconds (`benches/deviance.rs`).

use std::collections::HashMap;

/// A resident, her baseline and her outcome.
#[derive(Debug, Clone, PartialEq)]
pub struct Subject<K> {
    /// Who she is (a resident id).
    pub key: K,
    /// Baseline covariates, most important first: `("settlement", "rural")`, `("family_support", "no")`.
    pub baseline: Vec<(&'static str, String)>,
    /// The outcome, higher is better: e.g. an income growth ratio or the change in a scale score.
    pub outcome: f64,
}

/// Settings of [`positive_deviants`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// The smallest comparison group; smaller groups are coarsened. Default 5.
    pub min_group: usize,
    /// The robust z from which a woman counts as a positive deviant. Default 2.0.
    pub threshold: f64,
    /// With fewer women (with a finite outcome) than this, nobody is reported. Default 10.
    pub min_subjects: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            min_group: 5,
            threshold: 2.0,
            min_subjects: 10,
        }
    }
}

/// A woman whose outcome is far above what is usual for women who started like her.
#[derive(Debug, Clone, PartialEq)]
pub struct Deviant<K> {
    /// Who she is.
    pub key: K,
    /// Her outcome.
    pub outcome: f64,
    /// The median outcome of her comparison group.
    pub group_median: f64,
    /// The size of her comparison group, herself included.
    pub group_size: usize,
    /// Her robust z within the group.
    pub z: f64,
    /// The covariates that defined her comparison group (empty: the whole population).
    pub group: Vec<(&'static str, String)>,
}

/// The MAD's factor that makes it estimate a standard deviation for normal data.
const MAD_SCALE: f64 = 1.4826;
/// The mean absolute deviation's factor, √(π/2), for the same purpose.
const MEAN_AD_SCALE: f64 = 1.253_314;
/// The smallest spread, relative to the size of the median.
const RELATIVE_FLOOR: f64 = 1e-9;

/// A comparison group's summary.
struct Group {
    level: usize,
    size: usize,
    median: f64,
    /// 0 when every outcome equals the median.
    scale: f64,
}

/// Finds the positive deviants among `subjects` (see the module docs for the method).
pub fn positive_deviants<K: Clone + Ord>(
    subjects: &[Subject<K>],
    opts: &Options,
) -> Vec<Deviant<K>> {
    let judged: Vec<usize> = (0..subjects.len())
        .filter(|&i| subjects[i].outcome.is_finite())
        .collect();
    if judged.is_empty() || judged.len() < opts.min_subjects {
        return Vec::new();
    }
    let depth = judged
        .iter()
        .map(|&i| subjects[i].baseline.len())
        .max()
        .unwrap_or(0);
    let mut groups: Vec<Group> = Vec::new();
    // Index into `groups` of each subject's comparison group.
    let mut group_of: Vec<Option<usize>> = vec![None; subjects.len()];
    let mut waiting = judged.len();
    let mut values = Vec::new();
    for level in (0..=depth).rev() {
        if waiting == 0 {
            break;
        }
        let mut cells: HashMap<&[(&'static str, String)], Vec<usize>> = HashMap::new();
        for &i in &judged {
            if let Some(prefix) = subjects[i].baseline.get(..level) {
                cells.entry(prefix).or_default().push(i);
            }
        }
        for members in cells.values() {
            if members.len() < opts.min_group.max(1)
                || members.iter().all(|&i| group_of[i].is_some())
            {
                continue;
            }
            values.clear();
            values.extend(members.iter().map(|&i| subjects[i].outcome));
            let (median, scale) = center_and_scale(&mut values);
            let g = groups.len();
            groups.push(Group {
                level,
                size: members.len(),
                median,
                scale,
            });
            for &i in members {
                if group_of[i].is_none() {
                    group_of[i] = Some(g);
                    waiting -= 1;
                }
            }
        }
    }

    let mut out = Vec::new();
    for &i in &judged {
        let Some(g) = group_of[i] else { continue };
        let (s, g) = (&subjects[i], &groups[g]);
        if g.scale == 0.0 || s.outcome <= g.median {
            continue;
        }
        let z = (s.outcome - g.median) / g.scale;
        if z.is_finite() && z >= opts.threshold {
            out.push(Deviant {
                key: s.key.clone(),
                outcome: s.outcome,
                group_median: g.median,
                group_size: g.size,
                z,
                group: s.baseline[..g.level].to_vec(),
            });
        }
    }
    out.sort_by(|a, b| b.z.total_cmp(&a.z).then_with(|| a.key.cmp(&b.key)));
    out
}

/// The median of finite `values` and the robust spread around it (0 if all equal the median).
fn center_and_scale(values: &mut [f64]) -> (f64, f64) {
    // Sorted first, so that the float sum below, hence z, does not depend on the input order.
    values.sort_unstable_by(f64::total_cmp);
    let median = median(values).unwrap_or(0.0);
    for v in values.iter_mut() {
        *v = (*v - median).abs();
    }
    let mean_ad = values.iter().sum::<f64>() / values.len() as f64;
    let mad = self::median(values).unwrap_or(0.0);
    let raw = if mad > 0.0 {
        MAD_SCALE * mad
    } else {
        MEAN_AD_SCALE * mean_ad
    };
    let scale = if raw > 0.0 {
        raw.max(RELATIVE_FLOOR * median.abs())
    } else {
        0.0
    };
    (median, scale)
}

/// The median of `values`, reordering them: the middle value, or the mean of the two middle values
/// for an even count. `None` when empty or when a value is NaN.
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() || values.iter().any(|v| v.is_nan()) {
        return None;
    }
    let (mid, odd) = (values.len() / 2, values.len() % 2 == 1);
    let (lower, &mut upper, _) = values.select_nth_unstable_by(mid, f64::total_cmp);
    if odd {
        return Some(upper);
    }
    let below = lower
        .iter()
        .copied()
        .max_by(f64::total_cmp)
        .unwrap_or(upper);
    // Halves first: no overflow to infinity for huge values.
    Some(below / 2.0 + upper / 2.0)
}

/// The median of integer `values` (e.g. income changes in tyiyn), reordering them: the middle value,
/// or for an even count the mean of the two middle values rounded toward zero (−1.5 → −1, 2.5 → 2).
/// `None` when empty.
pub fn median_i64(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let (mid, odd) = (values.len() / 2, values.len() % 2 == 1);
    let (lower, &mut upper, _) = values.select_nth_unstable(mid);
    if odd {
        return Some(upper);
    }
    let below = lower.iter().copied().max().unwrap_or(upper);
    // The mean of two i64 lies between them, so it fits; i128 keeps the sum from overflowing.
    Some(((i128::from(below) + i128::from(upper)) / 2) as i64)
}

/// Income growth as a ratio, `after / before`: 1.0 unchanged, 2.0 doubled, 0.5 halved, 0.0 no
/// income any more, below 0 a loss. `None` when `before` is 0 or negative: growth from nothing has
/// no ratio (report such women separately, e.g. "started earning", or compare absolute changes).
pub fn growth_ratio(before: i64, after: i64) -> Option<f64> {
    (before > 0).then(|| after as f64 / before as f64)
}

#[cfg(test)]
mod tests;
