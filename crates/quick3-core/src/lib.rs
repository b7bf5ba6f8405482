//! Quick3 Planner core: the domain, the store and (later) Microsoft identity, Graph and sync,
//! shared by the desktop shell and the `quick3` CLI. It never depends on Tauri.

pub mod api;
pub mod demo;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod graph;
pub mod identity;
pub mod ids;
pub mod jobs;
#[cfg(test)]
mod layers;
pub mod locks;
pub mod mail;
pub mod model;
pub mod paths;
pub mod presence;
pub mod store;
pub mod sync;
pub mod validate;

pub use error::{CoreError, ErrorCode, ErrorPayload, Result};
pub use store::Store;
