//! A token endpoint's answer, read as success and as error; the id token and AADSTS codes in it.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use quick3_core::identity::error::{aadsts_code, classify};
use quick3_core::identity::flow::{read_token_error, read_token_response};
use quick3_core::identity::tokens::read_id_token;

fuzz_target!(|data: &[u8]| {
    let now = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap();
    if let Ok(tokens) = read_token_response(data, "app", Some("nonce"), now) {
        assert!(
            tokens.expires_at >= now,
            "a token never expires before it was issued"
        );
    }
    let err = read_token_error(data);
    let _ = (err.code(), err.to_string(), err.needs_sign_in());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = aadsts_code(text);
        let _ = classify("invalid_grant", text, String::new);
        let _ = read_id_token(text, "app", Some("nonce"));
    }
});
