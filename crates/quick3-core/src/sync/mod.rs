//! Sync between a resource's appointments and its Microsoft 365 accounts: the pure plan over
//! `model::Content`, the driver that runs it against Graph and the store for one account, and
//! `accounts`, which syncs a scope's accounts side by side.

pub mod accounts;
pub mod crash;
pub mod download;
pub mod driver;
pub mod plan;

pub use driver::{
    DEFAULT_EVENTS_PER_COMMIT, DEFAULT_MAILBOXES_IN_PARALLEL, MassDeleteBlocked, SyncOptions,
    SyncProgress, SyncSummary, sync_account,
};
pub use plan::{BaseItem, LocalItem, Owner, RemoteItem, Rules, Side, SyncOp, plan};
