//! One integration-test binary (ripgrep style): modules share the helpers in `util`.

mod cli;
mod engine_validation;
mod outages;
mod response;
mod util;
