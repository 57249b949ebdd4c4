//! Input formats and their validation.
//!
//! Every file a user gives goes through two stages: serde parses the raw file
//! (`#[serde(deny_unknown_fields)]` everywhere), then a validation pass turns
//! it into a checked model with references resolved to ids, collecting every
//! problem as a [`Diagnostic`] with file, line and column.

pub mod diag;
pub mod limits;
pub mod plan;
pub mod plan_file;
pub mod scenario;
pub mod scenario_file;
pub mod teams;
pub mod teams_file;
pub mod topology;
pub mod topology_csv;
pub mod topology_spec;
pub mod topology_summary;

pub use diag::{Diagnostic, Diagnostics};
