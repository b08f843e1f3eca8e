//! Pure computations of wcl. No I/O.

pub mod matching;
