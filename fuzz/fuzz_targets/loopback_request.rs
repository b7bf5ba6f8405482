//! The loopback listener's reading of a request head: only an answer with the expected `state`
//! is taken, and never one when no state is expected.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quick3_core::identity::loopback::{Reply, reply_to};

fuzz_target!(|data: &[u8]| {
    let head = String::from_utf8_lossy(data);
    assert!(!matches!(reply_to(&head, None), Reply::Ours(_)));
    if let Reply::Ours(target) = reply_to(&head, Some("s7Kq2v")) {
        assert!(target.starts_with("/?"), "an answer on the root");
    }
});
