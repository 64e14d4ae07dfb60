//! Jalin: a registry of paradiplomacy served as a REST/JSON API.
//!
//! The binary (`src/main.rs`) only reads the command line; everything else, including what the
//! tests build, is here. `ARCHITECTURE.md` describes the layers and the path of a request.

pub mod app;
pub mod audit;
pub mod auth;
pub mod config;
pub mod csv;
pub mod db;
pub mod domain;
pub mod error;
pub mod exchange;
pub mod health;
pub mod http;
pub mod input;
pub mod links;
pub mod listing;
pub mod logging;
pub mod openapi;
pub mod pages;
pub mod progress;
pub mod reports;
pub mod resource;
pub mod resources;
pub mod rules;
pub mod server;
pub mod tokens;
