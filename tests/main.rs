//! One integration-test binary (ripgrep style): modules share the helpers in `util`.

mod cli;
mod engine_validation;
mod golden;
mod leads;
mod outages;
mod report;
mod response;
mod util;
