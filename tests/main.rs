//! One integration-test binary (ripgrep style): modules share the helpers in `util`.

mod engine_validation;
mod util;
