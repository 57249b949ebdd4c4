//! One integration-test binary (ripgrep style): modules share the helpers in `util`.

mod aar;
mod batch;
mod batch_report;
mod charts;
mod cli;
mod compare;
mod damage;
mod defacement;
mod duty;
mod engine_validation;
mod engine_validation_sampler;
mod golden;
mod intrusion;
mod leads;
mod outages;
mod pipeline;
mod plan_diff;
mod realism;
mod report;
mod response;
mod sources;
mod spread;
mod util;
mod zh;
