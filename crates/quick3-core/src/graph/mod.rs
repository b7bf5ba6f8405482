//! Microsoft Graph calendars: the HTTP client (retries, throttling, paging, `$batch`), a
//! mailbox's calendar list, the event wire format (zone names through `model::zones`).

pub mod calendars;
pub mod client;
pub mod error;
pub mod event;

pub use crate::error::GraphError;
pub use client::{
    AccountTokens, Answer, AppTokens, BatchPart, GraphClient, Page, RetryPolicy, TokenSource,
    Traffic, read_page,
};
pub use event::{
    DeltaPage, QUICK3_ID_PROPERTY, RemoteEntry, RemoteEvent, SeriesSlot, read_delta_page,
    read_entry, read_entry_json,
};
