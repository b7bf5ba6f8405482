//! Recurrence expansion: an event a client creates (start, end, recurrence, zones) expanded by the
//! emulator over a window, and each instance as served read back by Quick3's event reader.
#![no_main]

use chrono::{DateTime, SubsecRound, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use m365_emulator::fuzzing::create_and_expand;
use quick3_core::graph::{RemoteEntry, read_entry};
use quick3_core::model::When;

fuzz_target!(|data: &[u8]| {
    // The first eight bytes move the window (in days, either way), the rest is the POST body.
    if data.len() < 8 {
        return;
    }
    let shift = |bytes: [u8; 4]| i64::from(i32::from_le_bytes(bytes)) % 40_000;
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 0, 0, 0).unwrap();
    let from_days = shift([data[0], data[1], data[2], data[3]]);
    let span_days = shift([data[4], data[5], data[6], data[7]]).abs() % 800;
    let from: DateTime<Utc> = now + chrono::Duration::days(from_days);
    let to = from + chrono::Duration::days(span_days);
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(&data[8..]) else {
        return;
    };
    let Ok(instances) = create_and_expand(&body, now, from, to) else {
        return;
    };
    for served in instances {
        let json = serde_json::Value::Object(served.json);
        match read_entry(&json) {
            Ok(RemoteEntry::Present(event)) => {
                assert_eq!(Some(event.id.as_str()), json["id"].as_str());
                if let When::Timed { start, .. } = event.content.when {
                    assert_eq!(
                        start,
                        served.start_utc.trunc_subsecs(0),
                        "Quick3 reads the instant the emulator served: {json}"
                    );
                }
            }
            Ok(RemoteEntry::Removed { .. }) => panic!("an instance read as a removal: {json}"),
            Err(_) => {}
        }
    }
});
