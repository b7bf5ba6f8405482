//! The CLI's integration tests in one binary, a module per area, each running the `quick3`
//! binary: `cargo test -p quick3-cli --test it daemon::` runs one area.

// Shared set-up, declared once for every test module.
mod common;

mod account;
mod calendars;
mod cli;
mod config;
mod conflicts;
mod crash_points;
mod daemon;
mod fault_matrix;
mod org;
mod org_bench;
mod resource;
mod secret_input;
mod series;
mod side_by_side;
mod sync;
mod sync_bench;
mod sync_log;
mod sync_undo;
