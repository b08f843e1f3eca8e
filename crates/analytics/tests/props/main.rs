//! The analytics crate's one test binary (`cargo test -p analytics --test props`): property tests
//! of each computation against independent references.
mod deviance;
mod grants;
mod matching;
