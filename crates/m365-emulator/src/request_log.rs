//! The request log the admin API exposes, so tests can count what a client really sent.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use serde::Serialize;

/// Kept entries; older ones are dropped.
const CAPACITY: usize = 100_000;

/// One served request.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoggedRequest {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub duration_ms: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_request_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

/// Requests served, oldest first.
#[derive(Debug, Default)]
pub struct RequestLog {
    entries: VecDeque<LoggedRequest>,
    next_seq: u64,
}

impl RequestLog {
    pub fn record(&mut self, mut entry: LoggedRequest) {
        self.next_seq += 1;
        entry.seq = self.next_seq;
        if self.entries.len() == CAPACITY {
            self.entries.pop_front();
        }
        self.entries.push_back(entry);
    }

    pub fn entries(&self) -> impl Iterator<Item = &LoggedRequest> {
        self.entries.iter()
    }

    pub fn clear(&mut self) {
        self.entries.clear();
    }
}
