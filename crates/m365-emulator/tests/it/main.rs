//! The emulator's integration tests in one binary, a module per area: `cargo test -p
//! m365-emulator --test it delta::` runs one area.

// Shared set-up, declared once for every test module.
mod common;

mod client_assertions;
mod delta;
mod fuzz_regressions;
mod graph;
mod identity;
mod lifecycle;
mod organisation_admin;
mod persistence;
mod throttling_and_faults;
