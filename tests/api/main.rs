//! Black-box tests of the API through HTTP, in-process. Each test gets its own fresh database:
//! a temporary SQLite file, or, when `TEST_DATABASE_URL` names a PostgreSQL server, a new
//! database on it that is dropped afterwards. CI runs the whole suite on both.

mod access;
mod action_plans;
mod agencies;
mod agreements;
mod compliance;
mod contacts;
mod conventions;
mod csv;
mod documents;
mod ecosystem;
mod export;
mod fidelity;
mod hardening;
mod helpers;
mod iati;
mod import;
mod indicators;
mod lists;
mod logging;
mod migrations;
mod milestones;
mod obstacles;
mod organizations;
mod reads;
mod refusals;
mod regions;
mod relationships;
mod reports;
mod sectors;
mod transactions;
mod writes;
