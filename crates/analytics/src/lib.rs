//! Pure computations of wcl. No I/O, deterministic: the same input always gives the same answer.
//!
//! - [`matching`]: optimal mentor matching (exact maximum-weight b-matching).
//! - [`deviance`]: positive deviance, the residents whose outcome is far above what is usual for
//!   women who started in similar conditions (robust z within coarsened comparison groups), plus
//!   the medians and the income growth ratio used by impact indicators.
//! - [`grants`]: the ranking of a seed-funding round (weighted criteria, mean over reviewers with
//!   their spread, exact ties) and the award proposal within the budget; money in integer tyiyn.
//! - [`indicators`]: the indicators of impact work computed from the records for a cut (labs,
//!   cohort, period), monthly series and the funnel from application to income.

pub mod deviance;
pub mod grants;
pub mod indicators;
pub mod matching;
pub mod space;
