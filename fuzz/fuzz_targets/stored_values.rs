//! What the store reads back from the database (settings, a job's JSON, a run's summary), as a
//! damaged or older database may hold it: never a panic (`quick3_core::fuzzing`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    quick3_core::fuzzing::stored_values(data);
});
