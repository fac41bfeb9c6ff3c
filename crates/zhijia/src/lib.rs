//! The zhijia binary as a library, so the integration tests start the same server an operator
//! starts, on port 0.

pub mod cli;
pub mod config;
pub mod serve;
pub mod sms_gateway;
