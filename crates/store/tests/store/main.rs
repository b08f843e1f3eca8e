//! The store crate's one test binary (`cargo test -p store --test store`): each module runs
//! against SQLite and PostgreSQL, which must behave the same.
#[macro_use]
mod common;

mod conformance;
mod grants;
mod jobs;
mod surveys;
