//! Every parser of what comes from outside, fed anything: Graph events and delta pages, Graph
//! error answers and their `Retry-After`, `$batch` answers, token answers and id tokens,
//! device-code answers, certificate PEM files, sign-in answers (deep link and loopback, and the
//! loopback's reading of a request), zone names and the window's inputs (appointments, job specs,
//! organisation settings: accepted ones also read back) never panic. Inputs are Microsoft's documented examples (the fuzz seeds in
//! `fuzz/seeds/`) with any part replaced by anything, and plain random text. The fuzz targets in
//! `fuzz/` (script/fuzz) do the same at length; each input they found that crashed is a case at
//! the end of this file.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use quick3_core::graph::client::read_batch;
use quick3_core::graph::error::{MAX_RETRY_AFTER, parse_retry_after};
use quick3_core::graph::event::{event_fields, read_delta_page, read_entry, read_entry_json};
use quick3_core::graph::{GraphError, RemoteEntry, RetryPolicy, read_page};
use quick3_core::identity::IdentityError;
use quick3_core::identity::SigningCertificate;
use quick3_core::identity::certificate::certificate_info;
use quick3_core::identity::error::{aadsts_code, classify};
use quick3_core::identity::flow::{MAX_DEVICE_INTERVAL, MAX_DEVICE_LIFETIME, read_device_answer};
use quick3_core::identity::flow::{
    PendingSignIns, parse_callback, read_token_error, read_token_response,
};
use quick3_core::identity::loopback::{Reply, answer_target, reply_to};
use quick3_core::identity::tokens::read_id_token;
use quick3_core::model::zones::{to_graph, to_iana};
use serde_json::{Value, json};

/// The seeds of one fuzz target, as bytes.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../../fuzz/seeds/{target}"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|f| std::fs::read(f).unwrap()).collect()
}

fn json_seeds(target: &str) -> Vec<Value> {
    seeds(target)
        .iter()
        .filter_map(|bytes| serde_json::from_slice(bytes).ok())
        .collect()
}

/// Text that parsers of dates, zones and AADSTS codes find interesting, and anything else.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            " ",
            "0",
            "-1",
            "9999-12-31T23:59:59.9999999",
            "0000-01-01T00:00:00",
            "+262143-12-31T00:00:00",
            "-262144-01-01T00:00:00Z",
            "2026-03-29T02:30:00",
            "2026-10-25T02:30:00",
            "2026-02-30T00:00:00",
            "2026-03-29T02:30:00+14:00",
            "1970-01-01T00:00:00-23:59",
            "2026-03-29",
            "UTC",
            "W. Europe Standard Time",
            "tzone://Microsoft/Custom",
            "Europe/Berlin",
            "AADSTS",
            "AADSTS99999999999999999999",
            "AADSTS70008: expired",
            "seriesMaster",
            "occurrence",
            "q3-",
            "\u{0}",
            "\u{feff}",
            "q3-00000000-0000-0000-0000-000000000000-0",
            "String {66f5a359-4659-4638-81f7-4e7c4f1f9d3a} Name Quick3Id",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
        "[0-9T:+.Z -]{0,32}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON numbers are finite", |f| f.is_finite())
            .prop_map(Value::from),
        text().prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::vec((text(), inner), 0..5)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}

/// Every JSON pointer inside `value`.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let key = key.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// A seed with one part (anywhere, the whole included) replaced by `replacement`.
fn mutated(seeds: &[Value], seed: Index, part: Index, replacement: Value) -> Value {
    let mut value = seed.get(seeds).clone();
    let mut all = Vec::new();
    pointers(&value, String::new(), &mut all);
    let pointer = part.get(&all).clone();
    if pointer.is_empty() {
        return replacement;
    }
    *value.pointer_mut(&pointer).unwrap() = replacement;
    value
}

fn read_event_fully(value: &Value) {
    if let Ok(RemoteEntry::Present(event)) = read_entry(value) {
        let _ = event_fields(&event.content);
        let _ = event.content.hash();
        assert!(event.content.same_as(&event.content));
    }
}

/// Entries read from their text answer what reading them into a `Value` first answers: the same
/// entry, or a `Malformed` naming the same event.
fn same_entry(typed: &Result<RemoteEntry, GraphError>, item: &Value) -> Result<(), TestCaseError> {
    match (typed, read_entry(item)) {
        (Ok(typed), Ok(by_value)) => prop_assert_eq!(typed, &by_value),
        (Err(GraphError::Malformed { what: typed }), Err(GraphError::Malformed { what })) => {
            // The serde messages differ in detail (a position), not in the event they name.
            let named = |what: &str| what.split(": ").next().map(str::to_owned);
            prop_assert_eq!(named(typed), named(&what), "{} / {}", typed, what);
        }
        (typed, by_value) => prop_assert!(false, "{typed:?} but {by_value:?} for {item}"),
    }
    Ok(())
}

/// A page read from its bytes answers what `read_page` then `read_entry` answer.
fn same_page(value: &Value) -> Result<(), TestCaseError> {
    let typed = read_delta_page(value.to_string().as_bytes());
    match read_page(value.clone()) {
        Ok(page) => {
            let typed = match typed {
                Ok(Ok(typed)) => typed,
                other => return Err(TestCaseError::fail(format!("{other:?} for {value}"))),
            };
            prop_assert_eq!(&typed.next_link, &page.next_link);
            prop_assert_eq!(&typed.delta_link, &page.delta_link);
            prop_assert_eq!(typed.entries.len(), page.items.len());
            for (entry, item) in typed.entries.iter().zip(&page.items) {
                same_entry(entry, item)?;
            }
        }
        Err(err) => match typed {
            Ok(Err(typed)) => prop_assert_eq!(typed, err),
            other => prop_assert!(false, "{other:?} but {err:?} for {value}"),
        },
    }
    Ok(())
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// What the store reads back from the database — settings, a job's JSON, a run's summary —
    /// holding anything a damaged or older database may hold: never a panic.
    #[test]
    fn stored_values_never_panic(
        value in prop_oneof![
            json_value().prop_map(|v| v.to_string()),
            text(),
            Just("{\"host\": 5}".to_owned()),
            Just("9999999999".to_owned()),
            Just("up_and_down down sideways".to_owned()),
        ],
    ) {
        quick3_core::fuzzing::stored_values(value.as_bytes());
    }

    /// The window's inputs, from documented shapes with any part replaced: nothing panics, and
    /// what is accepted reads back (an appointment at year 12026 or second 60 once was stored
    /// and broke every listing and sync after it).
    #[test]
    fn window_inputs_never_panic_and_what_is_accepted_reads_back(
        seed: Index,
        part: Index,
        replacement in prop_oneof![
            json_value(),
            Just(json!("+12026-11-25T09:00")),
            Just(json!("2026-11-25T09:00:60")),
            Just(json!("0000-01-01T00:00")),
            Just(json!("9999-12-31T23:59")),
            Just(json!("-0001-12-31")),
            Just(json!("Pacific/Kiritimati")),
        ],
    ) {
        let value = mutated(&json_seeds("window_inputs"), seed, part, replacement);
        quick3_core::fuzzing::window_inputs(value.to_string().as_bytes());
    }

    #[test]
    fn graph_events_never_panic(seed: Index, part: Index, replacement in json_value()) {
        let seeds = json_seeds("graph_event");
        read_event_fully(&mutated(&seeds, seed, part, replacement));
    }

    #[test]
    fn delta_pages_never_panic(seed: Index, part: Index, replacement in json_value()) {
        let seeds = json_seeds("delta_page");
        if let Ok(page) = read_page(mutated(&seeds, seed, part, replacement)) {
            for item in &page.items {
                read_event_fully(item);
            }
        }
    }

    #[test]
    fn events_read_from_text_as_from_a_value(seed: Index, part: Index, replacement in json_value()) {
        let seeds = json_seeds("graph_event");
        let value = mutated(&seeds, seed, part, replacement);
        same_entry(&read_entry_json(&value.to_string()), &value)?;
    }

    #[test]
    fn delta_pages_read_from_bytes_as_from_a_value(seed: Index, part: Index, replacement in json_value()) {
        let seeds = json_seeds("delta_page");
        same_page(&mutated(&seeds, seed, part, replacement))?;
    }

    #[test]
    fn delta_pages_from_any_bytes_never_panic(seed: Index, cut: Index, raw: Vec<u8>) {
        // Any bytes, and documented pages cut off anywhere: what reads as a page is a page read
        // the other way too, with the same entries (the fuzz target's check).
        let seeds = seeds("delta_page");
        let page = seed.get(&seeds);
        let end = cut.index(page.len().max(1));
        for data in [&raw[..], &page[..end]] {
            if let Ok(Ok(page)) = read_delta_page(data) {
                let value = serde_json::from_slice::<Value>(data).expect("a page is JSON");
                let by_value = read_page(value).expect("a page either way");
                prop_assert_eq!(page.entries.len(), by_value.items.len());
                for (entry, item) in page.entries.iter().zip(&by_value.items) {
                    if let (Ok(typed), Ok(other)) = (entry, read_entry(item)) {
                        prop_assert_eq!(typed.id(), other.id(), "an entry keeps its id");
                    }
                }
            }
        }
    }

    #[test]
    fn graph_error_answers_never_panic(status: u16, body in prop_oneof![
        any::<Vec<u8>>(),
        json_value().prop_map(|v| json!({"error": v}).to_string().into_bytes()),
    ]) {
        let err = GraphError::from_status(status, None, &body);
        let _ = (err.is_transient(), err.needs_sign_in(), err.code(), err.to_string());
    }

    #[test]
    fn token_answers_never_panic(seed: Index, part: Index, replacement in json_value(), raw: Vec<u8>) {
        let seeds = json_seeds("token_response");
        let answer = mutated(&seeds, seed, part, replacement).to_string();
        for body in [answer.as_bytes(), &raw] {
            if let Ok(tokens) = read_token_response(body, "app", Some("nonce"), now()) {
                prop_assert!(tokens.expires_at >= now());
            }
            let _ = read_token_error(body).to_string();
        }
    }

    #[test]
    fn id_tokens_and_aadsts_codes_never_panic(claims in json_value(), description in text()) {
        use base64::Engine;
        let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string());
        let _ = read_id_token(&format!("e30.{encoded}."), "app", Some("nonce"));
        let _ = read_id_token(&description, "app", None);
        let _ = aadsts_code(&description);
        let _ = classify("invalid_grant", &description, String::new).to_string();
    }

    #[test]
    fn sign_in_answers_never_panic_and_are_never_used_unasked(
        query in "[a-z_=&%0-9A-F?#/:.+ -]{0,60}",
        raw in any::<String>(),
    ) {
        for text in [format!("quickplanner://auth/callback?{query}"), format!("http://127.0.0.1:1/?{query}"), raw.clone()] {
            if let Ok(callback) = parse_callback(&text) {
                let mut nothing_pending = PendingSignIns::default();
                prop_assert_eq!(nothing_pending.take(&callback, now()).unwrap_err(), IdentityError::UnknownState);
            }
        }
        let _ = answer_target(&raw);
        let _ = answer_target(&format!("GET /?{query} HTTP/1.1\r\n\r\n"));
    }

    #[test]
    fn retry_after_values_never_panic_nor_wait_past_the_cap(
        digits in "[0-9]{0,30}",
        raw in text(),
        seed: Index,
    ) {
        let seeds = seeds("retry_after");
        let seeded = String::from_utf8_lossy(seed.get(&seeds).as_slice()).into_owned();
        for text in [digits, raw, seeded] {
            let asked = parse_retry_after(&text);
            for status in [429, 503] {
                let err = GraphError::from_status(status, asked, b"");
                let _ = (err.to_string(), err.code());
                if let Some(wait) = err.retry_after() {
                    prop_assert!(wait <= MAX_RETRY_AFTER, "{text:?}: {wait:?}");
                    let wait = chrono::Duration::from_std(wait).unwrap();
                    prop_assert!(now().checked_add_signed(wait).is_some());
                }
                let policy = RetryPolicy::default();
                prop_assert!(policy.delay(&err, 3) <= policy.max_delay);
            }
        }
    }

    #[test]
    fn batch_answers_never_panic_nor_wait_past_the_cap(seed: Index, part: Index, replacement in json_value()) {
        let seeds = json_seeds("batch_answer");
        let answer = mutated(&seeds, seed, part, replacement);
        if let Ok(parts) = read_batch(&answer) {
            for (_, status, retry_after, body) in parts {
                let bytes = serde_json::to_vec(&body).unwrap();
                let err = GraphError::from_status(status, retry_after, &bytes);
                let _ = (err.to_string(), err.is_transient(), err.code());
                prop_assert!(err.retry_after().is_none_or(|wait| wait <= MAX_RETRY_AFTER));
            }
        }
    }

    #[test]
    fn certificate_files_never_panic(seed: Index, cut: Index, junk in text()) {
        let seeds = seeds("certificate_pem");
        let pem = String::from_utf8_lossy(seed.get(&seeds).as_slice()).into_owned();
        let mut at = cut.index(pem.len() + 1);
        while !pem.is_char_boundary(at) {
            at -= 1;
        }
        for text in [format!("{}{junk}", &pem[..at]), format!("{}{junk}{}", &pem[..at], &pem[at..]), junk.clone()] {
            if let Ok(certificate) = SigningCertificate::from_pem(&text) {
                let _ = certificate.certificate_pem();
            }
            let _ = certificate_info(&text);
        }
    }

    #[test]
    fn device_answers_are_used_only_when_their_waits_fit(seed: Index, part: Index, replacement in json_value(), raw: Vec<u8>) {
        let seeds = json_seeds("device_answer");
        let answer = mutated(&seeds, seed, part, replacement).to_string();
        for body in [answer.as_bytes(), &raw] {
            if let Ok(details) = read_device_answer(body) {
                prop_assert!(details.interval() <= MAX_DEVICE_INTERVAL);
                prop_assert!(details.expires_in() <= MAX_DEVICE_LIFETIME);
            }
        }
    }

    #[test]
    fn loopback_requests_are_taken_only_with_the_expected_state(seed: Index, cut: Index, raw in text()) {
        let seeds = seeds("loopback_request");
        let head = String::from_utf8_lossy(seed.get(&seeds).as_slice()).into_owned();
        let at = cut.index(head.len() + 1);
        let cut_head = String::from_utf8_lossy(&head.as_bytes()[..at]).into_owned();
        for text in [head.clone(), cut_head, raw.clone(), format!("GET /?{raw} HTTP/1.1\r\n\r\n")] {
            prop_assert!(!matches!(reply_to(&text, None), Reply::Ours(_)), "{text:?}");
            if let Reply::Ours(target) = reply_to(&text, Some("s7Kq2v")) {
                let query = target.split_once('?').map_or("", |(_, query)| query);
                prop_assert!(
                    url::form_urlencoded::parse(query.as_bytes())
                        .any(|(name, value)| name == "state" && value == "s7Kq2v"),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn zone_names_never_panic(name in text()) {
        if let Some(zone) = to_iana(&name) {
            let sent = to_graph(zone);
            prop_assert_eq!(to_graph(to_iana(&sent).unwrap()), sent);
        }
    }
}

#[test]
fn every_iana_zone_goes_out_as_a_name_that_comes_back() {
    for zone in chrono_tz::TZ_VARIANTS {
        let sent = to_graph(zone);
        let back = to_iana(&sent).unwrap_or_else(|| panic!("{zone} went out as {sent}"));
        assert_eq!(to_graph(back), sent, "{zone}");
    }
}

#[test]
fn the_new_parsers_seeds_read_as_documented() {
    for value in json_seeds("batch_answer") {
        assert!(read_batch(&value).is_ok(), "{value}");
    }
    let [endless, microsoft] = &json_seeds("device_answer")[..] else {
        panic!("two device answers")
    };
    assert!(read_device_answer(microsoft.to_string().as_bytes()).is_ok());
    assert!(read_device_answer(endless.to_string().as_bytes()).is_err());
    let certificate = String::from_utf8(seeds("certificate_pem")[0].clone()).unwrap();
    assert!(SigningCertificate::from_pem(&certificate).is_ok());
    let heads: Vec<String> = seeds("loopback_request")
        .into_iter()
        .map(|head| String::from_utf8(head).unwrap())
        .collect();
    let replies: Vec<Reply<'_>> = heads.iter().map(|h| reply_to(h, Some("s7Kq2v"))).collect();
    assert!(matches!(replies[0], Reply::Ours(_)), "answer.txt");
    assert!(matches!(replies[1], Reply::Ours(_)), "declined.txt");
    assert_eq!(replies[2], Reply::NotAnAnswer, "favicon.txt");
    assert_eq!(replies[3], Reply::NotOurs, "other_state.txt");
}

#[test]
fn every_seed_is_read() {
    for value in json_seeds("graph_event") {
        assert!(
            read_entry(&value).is_ok(),
            "a documented example reads: {value}"
        );
    }
    for value in json_seeds("delta_page") {
        let typed = read_delta_page(value.to_string().as_bytes())
            .unwrap()
            .unwrap();
        assert!(typed.entries.iter().all(Result::is_ok));
        let page = read_page(value).unwrap();
        assert!(page.items.iter().all(|item| read_entry(item).is_ok()));
    }
}
