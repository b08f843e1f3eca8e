//! Pure computations of wcl. No I/O, deterministic: the same input always gives the same answer.
//!
//! - [`matching`]: optimal mentor matching (exact maximum-weight b-matching).
//! - [`deviance`]: positive deviance, the residents whose outcome is far above what is usual for
//!   women who started in similar conditions (robust z within coarsened comparison groups), plus
//!   the medians and the income growth ratio used by impact indicators.
//! - [`grants`]: the ranking of a seed-funding round (weighted criteria, mean over reviewers with
//!   their spread, exact ties) and the award proposal within the budget; money in integer tyiyn.

pub mod deviance;
pub mod grants;
pub mod matching;
