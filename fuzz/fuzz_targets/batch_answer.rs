//! A `$batch` answer: its parts read, each part's status, `Retry-After` and body classified; a wait
//! taken from a part is never past the cap.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quick3_core::graph::GraphError;
use quick3_core::graph::client::read_batch;
use quick3_core::graph::error::MAX_RETRY_AFTER;

fuzz_target!(|data: &[u8]| {
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(parts) = read_batch(&body) {
        for (_, status, retry_after, part) in parts {
            let bytes = serde_json::to_vec(&part).unwrap_or_default();
            let err = GraphError::from_status(status, retry_after, &bytes);
            let _ = (err.to_string(), err.is_transient(), err.code());
            assert!(err.retry_after().is_none_or(|wait| wait <= MAX_RETRY_AFTER));
        }
    }
});
