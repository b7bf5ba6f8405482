//! A device-code answer: read as the sign-in reads it, and used only when its waits fit.
#![no_main]

use libfuzzer_sys::fuzz_target;
use quick3_core::identity::flow::{MAX_DEVICE_INTERVAL, MAX_DEVICE_LIFETIME, read_device_answer};

fuzz_target!(|data: &[u8]| {
    if let Ok(details) = read_device_answer(data) {
        assert!(details.interval() <= MAX_DEVICE_INTERVAL);
        assert!(details.expires_in() <= MAX_DEVICE_LIFETIME);
    }
});
