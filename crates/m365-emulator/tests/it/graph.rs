//! Graph calendar endpoints: users, calendars, events CRUD, idempotency, ETags, extended
//! properties, calendarView expansion, paging, preferences and `$batch`.
// Test helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::HashSet;

use common::*;
use m365_emulator::Seed;
use reqwest::StatusCode;
use serde_json::{Value, json};

const TAG: &str = "String {66f5a359-4659-4830-9070-00047ec6ac6e} Name Quick3Id";

#[tokio::test]
async fn me_calendars_and_default_calendar() {
    let h = start(Seed::Demo).await;
    let token = h.megan().await;
    let me = h.get_json(&token, "/me").await;
    assert_eq!(me["userPrincipalName"], MEGAN);
    let calendars = h.get_json(&token, "/me/calendars").await;
    let names: Vec<&str> = calendars["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["Calendar", "Projects", "Travel"],
        "the demo user has three calendars, default first"
    );
    let default = h.get_json(&token, "/me/calendar").await;
    assert_eq!(default["isDefaultCalendar"], true);
    let id = default["id"].as_str().unwrap();
    assert_eq!(
        h.get_json(&token, &format!("/me/calendars/{id}")).await["name"],
        "Calendar"
    );
    let missing = h
        .get(&token, "/me/calendars/AAMkAQ00000000000000000000000=")
        .await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        missing.json::<Value>().await.unwrap()["error"]["code"],
        "ErrorItemNotFound"
    );
}

#[tokio::test]
async fn event_crud_with_etags() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    let created = h
        .create(
            &token,
            "Planning",
            "2030-05-01T10:00:00",
            "2030-05-01T11:00:00",
        )
        .await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(
        created["@odata.etag"],
        format!("W/\"{}\"", created["changeKey"].as_str().unwrap()),
        "etag wraps the change key"
    );
    assert_eq!(created["type"], "singleInstance");
    assert_eq!(created["start"]["dateTime"], "2030-05-01T10:00:00.0000000");

    let patched = h
        .patch_json(
            &token,
            &format!("/me/events/{id}"),
            json!({"subject": "Planning (moved)", "showAs": "tentative"}),
        )
        .await;
    assert_eq!(patched.status(), StatusCode::OK);
    let patched: Value = patched.json().await.unwrap();
    assert_eq!(patched["subject"], "Planning (moved)");
    assert_ne!(
        patched["changeKey"], created["changeKey"],
        "every update changes the change key"
    );

    let stale = h
        .http
        .patch(h.graph(&format!("/me/events/{id}")))
        .bearer_auth(&token)
        .header("If-Match", created["@odata.etag"].as_str().unwrap())
        .json(&json!({"subject": "lost update"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        stale.status(),
        StatusCode::PRECONDITION_FAILED,
        "If-Match with an old etag is refused"
    );
    let fresh = h
        .http
        .patch(h.graph(&format!("/me/events/{id}")))
        .bearer_auth(&token)
        .header("If-Match", patched["@odata.etag"].as_str().unwrap())
        .json(&json!({"subject": "kept"}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        fresh.status(),
        StatusCode::OK,
        "If-Match with the current etag succeeds"
    );

    let calendar = h.get_json(&token, "/me/calendar").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        h.get_json(&token, &format!("/me/calendars/{calendar}/events/{id}"))
            .await["subject"],
        "kept"
    );
    assert_eq!(
        h.delete(&token, &format!("/me/events/{id}")).await.status(),
        StatusCode::NO_CONTENT
    );
    let gone = h.get(&token, &format!("/me/events/{id}")).await;
    assert_eq!(gone.status(), StatusCode::NOT_FOUND);
    let body: Value = gone.json().await.unwrap();
    assert_eq!(body["error"]["code"], "ErrorItemNotFound");
    assert!(
        body["error"]["innerError"]["request-id"].is_string(),
        "errors carry innerError.request-id"
    );
}

#[tokio::test]
async fn transaction_id_makes_post_idempotent() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    let body = json!({"subject": "Once", "transactionId": "tx-1", "start": {"dateTime": "2030-01-02T08:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2030-01-02T09:00:00", "timeZone": "UTC"}});
    let first: Value = h
        .post_json(&token, "/me/events", body.clone())
        .await
        .json()
        .await
        .unwrap();
    let second = h.post_json(&token, "/me/events", body).await;
    assert_eq!(second.status(), StatusCode::CREATED);
    let second: Value = second.json().await.unwrap();
    assert_eq!(
        first["id"], second["id"],
        "a retried POST with the same transactionId returns the same event"
    );
    assert_eq!(second["transactionId"], "tx-1");
    let list = h.get_json(&token, "/me/events").await;
    assert_eq!(
        list["value"].as_array().unwrap().len(),
        1,
        "no duplicate was created"
    );
}

#[tokio::test]
async fn extended_properties_filter_and_expand() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    for (subject, tag) in [("tagged", "q3-1"), ("other", "q3-2")] {
        let response = h
            .post_json(
                &token,
                "/me/events",
                json!({
                    "subject": subject,
                    "start": {"dateTime": "2030-01-02T08:00:00", "timeZone": "UTC"},
                    "end": {"dateTime": "2030-01-02T09:00:00", "timeZone": "UTC"},
                    "singleValueExtendedProperties": [{"id": TAG, "value": tag}]
                }),
            )
            .await;
        assert_eq!(response.status(), StatusCode::CREATED);
    }
    h.create(
        &token,
        "untagged",
        "2030-01-03T08:00:00",
        "2030-01-03T09:00:00",
    )
    .await;
    let filter =
        format!("singleValueExtendedProperties/Any(ep: ep/id eq '{TAG}' and ep/value eq 'q3-1')");
    let expand = format!("singleValueExtendedProperties($filter=id eq '{TAG}')");
    let found: Value = h
        .http
        .get(h.graph("/me/events"))
        .bearer_auth(&token)
        .query(&[("$filter", filter.as_str()), ("$expand", expand.as_str())])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let values = found["value"].as_array().unwrap();
    assert_eq!(values.len(), 1, "the filter finds the one tagged event");
    assert_eq!(values[0]["subject"], "tagged");
    assert_eq!(
        values[0]["singleValueExtendedProperties"],
        json!([{"id": TAG, "value": "q3-1"}])
    );
    let plain = h
        .get_json(
            &token,
            &format!("/me/events/{}", values[0]["id"].as_str().unwrap()),
        )
        .await;
    assert!(
        plain.get("singleValueExtendedProperties").is_none(),
        "properties appear only when expanded"
    );
}

async fn create_weekly_series(h: &Harness, token: &str) -> Value {
    let response = h.post_json(token, "/me/events", json!({
        "subject": "Weekly sync",
        "start": {"dateTime": "2025-03-17T09:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2025-03-17T09:30:00", "timeZone": "W. Europe Standard Time"},
        "recurrence": {
            "pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"], "firstDayOfWeek": "monday"},
            "range": {"type": "numbered", "startDate": "2025-03-17", "numberOfOccurrences": 4, "recurrenceTimeZone": "W. Europe Standard Time"}
        }
    })).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    response.json().await.unwrap()
}

async fn view(h: &Harness, token: &str, prefer: Option<&str>) -> Vec<Value> {
    let mut request = h
        .http
        .get(h.graph("/me/calendarView"))
        .bearer_auth(token)
        .query(&[
            ("startDateTime", "2025-03-01T00:00:00"),
            ("endDateTime", "2025-05-01T00:00:00"),
            ("$top", "100"),
        ]);
    if let Some(prefer) = prefer {
        request = request.header("Prefer", prefer);
    }
    let body: Value = request.send().await.unwrap().json().await.unwrap();
    body["value"].as_array().unwrap().clone()
}

#[tokio::test]
async fn calendar_view_expands_series_across_dst_with_exceptions_and_cancellations() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    let master = create_weekly_series(&h, &token).await;
    assert_eq!(master["type"], "seriesMaster");
    let utc = view(&h, &token, None).await;
    let starts: Vec<&str> = utc
        .iter()
        .map(|e| e["start"]["dateTime"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2025-03-17T08:00:00.0000000",
            "2025-03-24T08:00:00.0000000",
            "2025-03-31T07:00:00.0000000",
            "2025-04-07T07:00:00.0000000"
        ],
        "09:00 Berlin is 08:00 UTC before the 30 March DST change and 07:00 after"
    );
    assert!(
        utc.iter()
            .all(|e| e["type"] == "occurrence" && e["seriesMasterId"] == master["id"])
    );
    let local = view(
        &h,
        &token,
        Some("outlook.timezone=\"W. Europe Standard Time\""),
    )
    .await;
    assert!(
        local.iter().all(|e| e["start"]["dateTime"]
            .as_str()
            .unwrap()
            .ends_with("T09:00:00.0000000")
            && e["start"]["timeZone"] == "W. Europe Standard Time"),
        "in the series' zone every occurrence is at 09:00"
    );
    let pacific = view(&h, &token, Some("outlook.timezone=\"America/Los_Angeles\"")).await;
    assert_eq!(
        pacific[0]["start"]["dateTime"], "2025-03-17T01:00:00.0000000",
        "IANA names work too (PDT began 9 March)"
    );

    let second = utc[1]["id"].as_str().unwrap().to_owned();
    let third = utc[2]["id"].as_str().unwrap().to_owned();
    let moved = h.patch_json(&token, &format!("/me/events/{second}"), json!({"subject": "Weekly sync (moved)", "start": {"dateTime": "2025-03-25T14:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2025-03-25T14:30:00", "timeZone": "UTC"}})).await;
    assert_eq!(moved.status(), StatusCode::OK);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(
        moved["type"], "exception",
        "a patched occurrence becomes an exception"
    );
    assert_eq!(moved["id"], second, "and keeps its id");
    assert_eq!(
        h.delete(&token, &format!("/me/events/{third}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let after = view(&h, &token, None).await;
    let summary: Vec<(String, String)> = after
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap().to_owned(),
                e["start"]["dateTime"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "occurrence".to_owned(),
                "2025-03-17T08:00:00.0000000".to_owned()
            ),
            (
                "exception".to_owned(),
                "2025-03-25T14:00:00.0000000".to_owned()
            ),
            (
                "occurrence".to_owned(),
                "2025-04-07T07:00:00.0000000".to_owned()
            ),
        ],
        "the moved occurrence shows at its new time, the cancelled one is absent"
    );
    let crossing = h.patch_json(&token, &format!("/me/events/{}", after[0]["id"].as_str().unwrap()), json!({"start": {"dateTime": "2025-04-08T09:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2025-04-08T09:30:00", "timeZone": "UTC"}})).await;
    assert_eq!(crossing.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        crossing.json::<Value>().await.unwrap()["error"]["code"],
        "ErrorOccurrenceCrossingBoundary"
    );
    let instances: Value = h
        .http
        .get(h.graph(&format!(
            "/me/events/{}/instances",
            master["id"].as_str().unwrap()
        )))
        .bearer_auth(&token)
        .query(&[
            ("startDateTime", "2025-03-01T00:00:00Z"),
            ("endDateTime", "2025-05-01T00:00:00Z"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(instances["value"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn monthly_and_yearly_patterns_expand() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    for (pattern, start) in [
        (
            json!({"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["friday"], "index": "last"}),
            "2025-01-31",
        ),
        (
            json!({"type": "absoluteYearly", "interval": 1, "month": 6, "dayOfMonth": 15}),
            "2025-06-15",
        ),
        (json!({"type": "daily", "interval": 3}), "2025-01-01"),
    ] {
        let response = h.post_json(&token, "/me/events", json!({
            "subject": pattern["type"], "isAllDay": true,
            "start": {"dateTime": format!("{start}T00:00:00"), "timeZone": "UTC"},
            "end": {"dateTime": format!("{start}T00:00:00"), "timeZone": "UTC"},
            "recurrence": {"pattern": pattern, "range": {"type": "endDate", "startDate": start, "endDate": "2026-12-31"}}
        })).await;
        assert_eq!(
            response.status(),
            StatusCode::BAD_REQUEST,
            "an all-day event must last at least a day"
        );
    }
    let response = h.post_json(&token, "/me/events", json!({
        "subject": "Last Friday", "start": {"dateTime": "2025-01-31T16:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2025-01-31T17:00:00", "timeZone": "UTC"},
        "recurrence": {"pattern": {"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["friday"], "index": "last"}, "range": {"type": "endDate", "startDate": "2025-01-31", "endDate": "2025-04-30"}}
    })).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let found = view(&h, &token, None).await;
    let days: Vec<&str> = found
        .iter()
        .map(|e| &e["start"]["dateTime"].as_str().unwrap()[..10])
        .collect();
    assert_eq!(
        days,
        ["2025-03-28", "2025-04-25"],
        "last Fridays of March and April"
    );
}

#[tokio::test]
async fn calendar_view_pages_with_skip_links_at_boundaries() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    for day in 1..=12 {
        h.create(
            &token,
            &format!("Event {day}"),
            &format!("2030-03-{day:02}T10:00:00"),
            &format!("2030-03-{day:02}T11:00:00"),
        )
        .await;
    }
    let mut url = format!(
        "{}?startDateTime=2030-03-01T00:00:00Z&endDateTime=2030-04-01T00:00:00Z&$top=5",
        h.graph("/me/calendarView")
    );
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let body: Value = h
            .http
            .get(&url)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        pages += 1;
        for event in body["value"].as_array().unwrap() {
            seen.push(event["subject"].as_str().unwrap().to_owned());
        }
        match body["@odata.nextLink"].as_str() {
            Some(next) => {
                assert!(
                    next.starts_with(&h.emulator.authority()),
                    "nextLink is absolute on the emulator's host"
                );
                url = next.to_owned();
            }
            None => break,
        }
    }
    assert_eq!(pages, 3, "12 events at 5 per page are 3 pages");
    assert_eq!(seen.len(), 12);
    assert_eq!(
        seen.iter().collect::<HashSet<_>>().len(),
        12,
        "no event is repeated across pages"
    );
    let exact: Value = h
        .http
        .get(h.graph("/me/calendarView"))
        .bearer_auth(&token)
        .query(&[
            ("startDateTime", "2030-03-01T00:00:00Z"),
            ("endDateTime", "2030-04-01T00:00:00Z"),
            ("$top", "12"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        exact.get("@odata.nextLink").is_none(),
        "a page that holds everything has no nextLink"
    );
    let default: Value = h
        .http
        .get(h.graph("/me/calendarView"))
        .bearer_auth(&token)
        .query(&[
            ("startDateTime", "2030-03-01T00:00:00Z"),
            ("endDateTime", "2030-04-01T00:00:00Z"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        default["value"].as_array().unwrap().len(),
        10,
        "Graph's default page size is 10"
    );
    let missing = h.get(&token, "/me/calendarView").await;
    assert_eq!(
        missing.status(),
        StatusCode::BAD_REQUEST,
        "calendarView needs a window"
    );
    let selected: Value = h
        .http
        .get(h.graph("/me/calendarView"))
        .bearer_auth(&token)
        .query(&[
            ("startDateTime", "2030-03-01T00:00:00Z"),
            ("endDateTime", "2030-03-02T00:00:00Z"),
            ("$select", "subject"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let keys: HashSet<&str> = selected["value"][0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        HashSet::from(["@odata.etag", "id", "subject"]),
        "$select trims the event"
    );
}

#[tokio::test]
async fn headers_preferences_and_errors() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    let response = h
        .http
        .get(h.graph("/me/calendarView"))
        .bearer_auth(&token)
        .query(&[
            ("startDateTime", "2030-03-01T00:00:00Z"),
            ("endDateTime", "2030-04-01T00:00:00Z"),
        ])
        .header("Prefer", "outlook.timezone=\"Pacific Standard Time\"")
        .header("Prefer", "IdType=\"ImmutableId\"")
        .header("client-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.headers()["client-request-id"],
        "abc-123",
        "client-request-id is echoed"
    );
    assert!(response.headers().contains_key("request-id"));
    let applied = response.headers()["preference-applied"].to_str().unwrap();
    assert!(
        applied.contains("outlook.timezone=\"Pacific Standard Time\"")
            && applied.contains("IdType=\"ImmutableId\""),
        "{applied}"
    );
    let bad_zone = h
        .http
        .get(h.graph("/me/calendarView"))
        .bearer_auth(&token)
        .query(&[
            ("startDateTime", "2030-03-01T00:00:00Z"),
            ("endDateTime", "2030-04-01T00:00:00Z"),
        ])
        .header("Prefer", "outlook.timezone=\"Mars Standard Time\"")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_zone.status(), StatusCode::BAD_REQUEST);
    let no_token = h.http.get(h.graph("/me")).send().await.unwrap();
    assert_eq!(no_token.status(), StatusCode::UNAUTHORIZED);
    let bad_body = h
        .http
        .post(h.graph("/me/events"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad_body.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn batch_runs_parts_with_dependencies() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    let event = json!({"subject": "From batch", "start": {"dateTime": "2030-01-02T08:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2030-01-02T09:00:00", "timeZone": "UTC"}});
    let batch = json!({"requests": [
        {"id": "1", "method": "POST", "url": "/me/events", "headers": {"Content-Type": "application/json"}, "body": event},
        {"id": "2", "method": "GET", "url": "/me/events/AAMkARdoesnotexist000000000=", "dependsOn": ["1"]},
        {"id": "3", "method": "GET", "url": "/me/calendars", "dependsOn": ["2"]},
        {"id": "4", "method": "GET", "url": "me?$select=displayName"}
    ]});
    let response = h.post_json(&token, "/$batch", batch).await;
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the batch itself succeeds even when parts fail"
    );
    let body: Value = response.json().await.unwrap();
    let status = |id: &str| {
        body["responses"]
            .as_array()
            .unwrap()
            .iter()
            .find(|part| part["id"] == id)
            .unwrap()["status"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(status("1"), 201);
    assert_eq!(status("2"), 404);
    assert_eq!(
        status("3"),
        424,
        "a part whose dependency failed is not run"
    );
    assert_eq!(status("4"), 200);
    let too_many = json!({"requests": (0..21).map(|i| json!({"id": i.to_string(), "method": "GET", "url": "/me"})).collect::<Vec<_>>()});
    assert_eq!(
        h.post_json(&token, "/$batch", too_many).await.status(),
        StatusCode::BAD_REQUEST,
        "more than 20 parts is malformed"
    );
    let duplicate = json!({"requests": [{"id": "1", "method": "GET", "url": "/me"}, {"id": "1", "method": "GET", "url": "/me"}]});
    assert_eq!(
        h.post_json(&token, "/$batch", duplicate).await.status(),
        StatusCode::BAD_REQUEST,
        "ids must be unique"
    );
    assert_eq!(
        h.post_json(&token, "/$batch", json!({"nope": []}))
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn state_file_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.sqlite");
    let config = || m365_emulator::EmulatorConfig {
        seed: Seed::Empty,
        state_file: Some(state.clone()),
        cert_dir: Some(dir.path().join("certs")),
        ..Default::default()
    };
    let h = start_with(config()).await;
    let token = h.megan().await;
    let created = h
        .create(
            &token,
            "Persisted",
            "2030-01-02T08:00:00",
            "2030-01-02T09:00:00",
        )
        .await;
    let first_ca = h.emulator.ca_cert_pem().to_owned();
    h.emulator.shutdown().await;
    let h = start_with(config()).await;
    assert_eq!(
        h.emulator.ca_cert_pem(),
        first_ca,
        "the CA in --cert-dir is reused"
    );
    let token = h.megan().await;
    let found = h
        .get_json(
            &token,
            &format!("/me/events/{}", created["id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(
        found["subject"], "Persisted",
        "events written before the restart are still there"
    );
}
