//! Pure computations of wcl. No I/O, deterministic: the same input always gives the same answer.
//!
//! - [`matching`]: optimal mentor matching (exact maximum-weight b-matching).
//! - [`grants`]: the ranking of a seed-funding round (weighted criteria, mean over reviewers with
//!   their spread, exact ties) and the award proposal within the budget; money in integer tyiyn.

pub mod grants;
pub mod matching;
