//! Opaque Graph-style identifiers for calendars, events and occurrences, and change keys.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE;
use chrono::{DateTime, NaiveDateTime};
use uuid::Uuid;

/// Exchange item ids start with this prefix; ours keep the look.
const PREFIX: &str = "AAMkA";

/// What an event id denotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventRef {
    /// A single instance or a series master (stored items).
    Item(String),
    /// One occurrence of a series, by the master's id and its original local start.
    Occurrence {
        master_id: String,
        original_start: NaiveDateTime,
    },
}

fn encode(tag: u8, uuid: Uuid, suffix: &[u8]) -> String {
    let mut bytes = Vec::with_capacity(17 + suffix.len());
    bytes.push(tag);
    bytes.extend_from_slice(uuid.as_bytes());
    bytes.extend_from_slice(suffix);
    format!("{PREFIX}{}", URL_SAFE.encode(bytes))
}

/// A new calendar id.
pub fn new_calendar_id() -> String {
    encode(b'C', Uuid::new_v4(), &[])
}

/// A new event (single instance or series master) id.
pub fn new_event_id() -> String {
    encode(b'E', Uuid::new_v4(), &[])
}

/// The id of the occurrence of `master_id` originally starting at `original_start`.
pub fn occurrence_id(master_id: &str, original_start: NaiveDateTime) -> String {
    let uuid = decode(master_id)
        .filter(|bytes| bytes.len() >= 17)
        .and_then(|bytes| Uuid::from_slice(&bytes[1..17]).ok())
        .unwrap_or_else(Uuid::nil);
    let seconds = original_start.and_utc().timestamp();
    encode(b'O', uuid, &seconds.to_be_bytes())
}

fn decode(id: &str) -> Option<Vec<u8>> {
    let body = id.strip_prefix(PREFIX)?;
    URL_SAFE.decode(body).ok()
}

/// Parses an event id; `None` for ids the emulator never issued.
pub fn parse_event_id(id: &str) -> Option<EventRef> {
    let bytes = decode(id)?;
    match (bytes.first(), bytes.len()) {
        (Some(b'E'), 17) => Some(EventRef::Item(id.to_owned())),
        (Some(b'O'), 25) => {
            let uuid = Uuid::from_slice(&bytes[1..17]).ok()?;
            let seconds = i64::from_be_bytes(bytes[17..25].try_into().ok()?);
            let original_start = DateTime::from_timestamp(seconds, 0)?.naive_utc();
            Some(EventRef::Occurrence {
                master_id: encode(b'E', uuid, &[]),
                original_start,
            })
        }
        _ => None,
    }
}

/// A fresh change key (Exchange's look: base64 of 22 bytes).
pub fn new_change_key() -> String {
    let bytes: [u8; 16] = rand::random();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A random opaque token of `bytes` bytes of entropy, URL-safe.
pub fn random_token(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn occurrence_ids_round_trip_to_their_master() {
        let master = new_event_id();
        let start = crate::timezone::parse_graph("2025-03-30T09:00:00").unwrap();
        let occurrence = occurrence_id(&master, start);
        assert_ne!(occurrence, master);
        assert_eq!(
            parse_event_id(&occurrence),
            Some(EventRef::Occurrence {
                master_id: master.clone(),
                original_start: start
            })
        );
        assert_eq!(parse_event_id(&master), Some(EventRef::Item(master)));
        assert_eq!(parse_event_id("nonsense"), None);
    }
}
