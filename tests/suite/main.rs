//! The integration tests, one binary (`cargo test --test suite`), one module per area.

mod validation;
mod common;
mod ledger_hand;
mod ledger_props;
