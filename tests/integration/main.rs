//! The integration tests: one binary (STYLE.md) with topic modules.

mod cli;
mod common;
mod exact;
mod statistical;
