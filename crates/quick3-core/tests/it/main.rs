//! The core's integration tests in one binary, a module per area: `cargo test -p quick3-core
//! --test it sync_down::` runs one area; `support`, `sync_support` and `org_support` are shared.

// Shared set-up, declared once for every test module.
mod org_support;
mod support;
mod sync_support;

mod fault_matrix;
mod mail;
mod organisation;
mod organisation_certificate;
mod outside_input;
mod parsers_never_panic;
mod recurrence_agrees;
mod series_bench;
mod sign_in;
mod sync_accounts;
mod sync_backfill;
mod sync_calendars;
mod sync_conflicts;
mod sync_down;
mod sync_journal;
mod sync_lost_answer;
mod sync_safety;
mod sync_series_down;
mod sync_series_preview;
mod sync_series_undo;
mod sync_series_up;
mod sync_times;
mod sync_undo;
mod sync_up;
mod sync_window;
mod tray_growth;
