//! A `Retry-After` value as Microsoft might send it: read without overflow, and a wait taken from
//! it is never longer than the cap nor anything that overflows when added to a date.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use quick3_core::graph::error::{MAX_RETRY_AFTER, parse_retry_after};
use quick3_core::graph::{GraphError, RetryPolicy};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let asked = parse_retry_after(text);
    let now = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap();
    for status in [429, 503] {
        let err = GraphError::from_status(status, asked, b"");
        let _ = (err.to_string(), err.code());
        if let Some(wait) = err.retry_after() {
            assert!(wait <= MAX_RETRY_AFTER, "a wait past the cap is never taken");
            let wait = chrono::Duration::from_std(wait).unwrap();
            assert!(now.checked_add_signed(wait).is_some());
        }
        let policy = RetryPolicy::default();
        assert!(policy.delay(&err, 3) <= policy.max_delay);
    }
});
