//! The integration tests, one binary (`cargo test --test suite`), one module per area.

mod batch;
mod charts;
mod cli;
mod common;
mod engine;
mod invariants;
mod ledger_hand;
mod ledger_props;
mod validation;
