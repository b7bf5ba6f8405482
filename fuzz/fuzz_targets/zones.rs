//! Time-zone names Graph sends (Windows or IANA) → IANA, and back as Quick3 sends them.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quick3_core::model::zones::{to_graph, to_iana};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(zone) = to_iana(text) {
        let sent = to_graph(zone);
        let back = to_iana(&sent).expect("a name Quick3 sends is one it reads");
        assert_eq!(
            to_graph(back),
            sent,
            "the name is stable after one round trip"
        );
    }
});
