//! The sign-in answer: a `quickplanner://auth/callback?…` deep link or the loopback's request
//! head. An answer is used only when its state matches a pending sign-in.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use quick3_core::identity::IdentityError;
use quick3_core::identity::flow::{PendingSignIns, parse_callback};
use quick3_core::identity::loopback::answer_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = answer_target(text);
    if let Ok(callback) = parse_callback(text) {
        // Nothing is pending: whatever the answer says, it is refused.
        let mut pending = PendingSignIns::default();
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(
            pending.take(&callback, now).unwrap_err(),
            IdentityError::UnknownState
        );
    }
});
