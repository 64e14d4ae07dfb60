//! Jalin: a registry of paradiplomacy served as a REST/JSON API.
//!
//! The binary (`src/main.rs`) only reads the command line; everything else, including what the
//! tests build, is here. Public: [`app`] (the service and its OpenAPI document), [`config`]
//! (settings and the command line), [`server`] (the commands) and [`logging`]; the tests also
//! reach what `testing` re-exports, with the feature `testing`. `ARCHITECTURE.md` describes the
//! layers and the path of a request.

pub mod app;
pub(crate) mod audit;
pub(crate) mod auth;
pub mod config;
pub(crate) mod csv;
pub(crate) mod db;
pub(crate) mod domain;
pub(crate) mod error;
pub(crate) mod exchange;
pub(crate) mod health;
pub(crate) mod http;
pub(crate) mod input;
pub(crate) mod links;
pub(crate) mod listing;
pub mod logging;
pub(crate) mod openapi;
pub(crate) mod pages;
pub(crate) mod progress;
pub(crate) mod reports;
pub(crate) mod resource;
pub(crate) mod resources;
pub(crate) mod rules;
pub mod server;
pub(crate) mod tokens;

#[cfg(feature = "testing")]
pub mod testing;
