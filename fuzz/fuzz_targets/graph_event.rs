//! A Graph event (or `@removed` entry) as JSON: read it, and write back what Quick3 would send.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quick3_core::graph::RemoteEntry;
use quick3_core::graph::event::{event_fields, read_entry};

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(RemoteEntry::Present(event)) = read_entry(&value) {
        // What Quick3 would send back for it, and its hash, never panic either.
        let _ = event_fields(&event.content);
        let _ = event.content.hash();
        assert!(
            event.content.same_as(&event.content),
            "content equals itself"
        );
        let again = read_entry(&value).expect("reading is deterministic");
        assert_eq!(again, RemoteEntry::Present(event));
    }
});
