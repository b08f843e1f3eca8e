//! The wcl program: command line, configuration, demo data.
pub mod backups;
pub mod cli;
pub mod config;
pub mod demo;
pub mod demo_crowdfunding;
pub mod demo_grants;
pub mod demo_impact;
pub mod demo_mentoring;
pub mod demo_messages;
pub mod demo_package;
pub mod demo_space;
pub mod demo_support;
pub mod demo_surveys;
pub mod generate;
