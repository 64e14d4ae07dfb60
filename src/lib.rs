//! Jalin: a registry of paradiplomacy served as a REST/JSON API.
//!
//! The binary (`src/main.rs`) only reads the command line; everything else, including what the
//! tests build, is here.

pub mod action_plans;
pub mod agencies;
pub mod agreements;
pub mod app;
pub mod audit;
pub mod auth;
pub mod body;
pub mod config;
pub mod csv;
pub mod db;
pub mod domain;
pub mod error;
pub mod export;
pub mod health;
pub mod http;
pub mod import;
pub mod input;
pub mod links;
pub mod listing;
pub mod middleware;
pub mod obstacles;
pub mod openapi;
pub mod regions;
pub mod reports;
pub mod resource;
pub mod sectors;
pub mod server;
pub mod streaming;
pub mod tokens;
