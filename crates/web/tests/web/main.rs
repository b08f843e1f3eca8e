//! The web crate's one test binary (`cargo test -p web --test web`): a module per capability, all
//! through the real app on port 0, on SQLite and PostgreSQL. One binary links the app once instead
//! of nine times; run one capability with a filter, e.g. `cargo test -p web --test web grants::`.
#[macro_use]
mod common;

mod accounts;
mod browser;
mod crowdfunding;
mod events;
mod faults;
mod grants;
mod http;
mod impact;
mod intake;
mod mentoring;
mod messages;
mod package;
mod resilience;
mod rights;
mod showcase;
mod space;
mod support;
mod surveys;
mod surveys_constraints;
mod training;
mod trust;
