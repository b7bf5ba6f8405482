//! What the window may send (an appointment, a job's spec, the organisation's settings): nothing
//! panics, and whatever the core accepts reads back whole (`quick3_core::fuzzing`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quick3_core::fuzzing::window_inputs(data);
});
