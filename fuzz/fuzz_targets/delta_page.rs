//! A page of a collection or delta round (`value`, `@odata.nextLink`, `@odata.deltaLink`) and an
//! HTTP error answer: the first two bytes are the status, the rest the body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quick3_core::graph::{GraphError, read_delta_page, read_entry, read_page};

fuzz_target!(|data: &[u8]| {
    if data.len() >= 2 {
        let status = u16::from_be_bytes([data[0], data[1]]);
        let err = GraphError::from_status(status, None, &data[2..]);
        let _ = (
            err.is_transient(),
            err.needs_sign_in(),
            err.code(),
            err.to_string(),
        );
    }
    // The reading the sync uses, straight from the bytes: what it reads as a page is a page read
    // the other way too, with the same entries.
    if let Ok(Ok(page)) = read_delta_page(data) {
        let value = serde_json::from_slice::<serde_json::Value>(data).expect("a page is JSON");
        let by_value = read_page(value).expect("a page either way");
        assert_eq!(page.entries.len(), by_value.items.len());
        for (entry, item) in page.entries.iter().zip(&by_value.items) {
            if let (Ok(typed), Ok(other)) = (entry, read_entry(item)) {
                assert_eq!(typed.id(), other.id(), "an entry keeps its id");
            }
        }
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(data) else {
        return;
    };
    if let Ok(page) = read_page(value) {
        for item in &page.items {
            if let Ok(entry) = read_entry(item) {
                assert_eq!(
                    Some(entry.id()),
                    item["id"].as_str(),
                    "an entry keeps its id"
                );
            }
        }
    }
});
