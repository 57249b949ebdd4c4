//! drillsim — a drill and tabletop-exercise simulator for network-security
//! incident-response plans.
//!
//! The data flow runs one way: [`model`] loads and validates inputs,
//! [`engine`] runs a bevy_ecs world tick by tick and fills a
//! [`engine::RunRecord`], and [`output`] writes it.

pub mod app;
pub mod batch;
pub mod check;
pub mod drill;
pub mod engine;
pub mod library;
pub mod model;
pub mod output;
pub mod package;
pub mod plan_diff;
pub mod report;
pub mod score;
pub mod tabletop;
