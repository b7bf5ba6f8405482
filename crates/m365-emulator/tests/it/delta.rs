//! `calendarView/delta`: paging, delta links, changes, removals, series exceptions and 410s.
// Test helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::HashMap;

use chrono::TimeDelta;
use common::*;
use m365_emulator::Seed;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Follows a delta round to its deltaLink; returns the items and the deltaLink.
async fn round(
    h: &Harness,
    token: &str,
    first_url: &str,
    page_size: usize,
) -> (Vec<Value>, String, usize) {
    let mut url = first_url.to_owned();
    let mut items = Vec::new();
    let mut pages = 0;
    loop {
        let response = h
            .http
            .get(&url)
            .bearer_auth(token)
            .header("Prefer", format!("odata.maxpagesize={page_size}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "delta page {url}");
        let body: Value = response.json().await.unwrap();
        pages += 1;
        assert!(
            body["value"].as_array().unwrap().len() <= page_size,
            "pages respect odata.maxpagesize"
        );
        items.extend(body["value"].as_array().unwrap().iter().cloned());
        match (
            body["@odata.nextLink"].as_str(),
            body["@odata.deltaLink"].as_str(),
        ) {
            (Some(next), None) => {
                assert!(next.contains("$skiptoken="), "nextLink carries a skiptoken");
                url = next.to_owned();
            }
            (None, Some(delta)) => {
                assert!(
                    delta.starts_with(&h.emulator.authority()) && delta.contains("$deltatoken="),
                    "deltaLink is absolute with a deltatoken"
                );
                return (items, delta.to_owned(), pages);
            }
            other => panic!("a page has exactly one of nextLink and deltaLink, got {other:?}"),
        }
    }
}

fn first_url(h: &Harness, path: &str) -> String {
    format!(
        "{}{path}?startDateTime=2030-03-01T00:00:00Z&endDateTime=2030-04-01T00:00:00Z",
        h.emulator.graph()
    )
}

fn by_id(items: &[Value]) -> HashMap<String, Value> {
    items
        .iter()
        .map(|item| (item["id"].as_str().unwrap().to_owned(), item.clone()))
        .collect()
}

#[tokio::test]
async fn delta_pages_then_reports_creates_updates_and_deletes() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    let mut ids = Vec::new();
    for day in 1..=7 {
        ids.push(
            h.create(
                &token,
                &format!("E{day}"),
                &format!("2030-03-{day:02}T10:00:00"),
                &format!("2030-03-{day:02}T11:00:00"),
            )
            .await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    h.create(
        &token,
        "Outside the window",
        "2030-05-01T10:00:00",
        "2030-05-01T11:00:00",
    )
    .await;
    for suffix in ["/delta", "/delta()", "/microsoft.graph.delta"] {
        let (items, _, pages) = round(
            &h,
            &token,
            &first_url(&h, &format!("/me/calendarView{suffix}")),
            3,
        )
        .await;
        assert_eq!(
            items.len(),
            7,
            "{suffix}: the first round lists every event in the window once"
        );
        assert_eq!(pages, 3, "7 events at 3 per page");
    }
    let (_, delta, _) = round(&h, &token, &first_url(&h, "/me/calendarView/delta"), 3).await;
    let (nothing, delta, _) = round(&h, &token, &delta, 3).await;
    assert!(nothing.is_empty(), "without changes a delta round is empty");

    let created = h
        .create(&token, "New", "2030-03-20T10:00:00", "2030-03-20T11:00:00")
        .await;
    assert_eq!(
        h.patch_json(
            &token,
            &format!("/me/events/{}", ids[0]),
            json!({"subject": "E1 renamed"})
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        h.delete(&token, &format!("/me/events/{}", ids[1]))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(h.patch_json(&token, &format!("/me/events/{}", ids[2]), json!({"start": {"dateTime": "2030-06-01T10:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2030-06-01T11:00:00", "timeZone": "UTC"}})).await.status(), StatusCode::OK);
    let (changes, delta, _) = round(&h, &token, &delta, 2).await;
    let changes = by_id(&changes);
    assert_eq!(
        changes.len(),
        4,
        "one created, one updated, one deleted, one moved out: {changes:?}"
    );
    assert_eq!(changes[created["id"].as_str().unwrap()]["subject"], "New");
    assert_eq!(changes[&ids[0]]["subject"], "E1 renamed");
    assert_eq!(changes[&ids[1]]["@removed"]["reason"], "deleted");
    assert_eq!(
        changes[&ids[2]]["@removed"]["reason"], "deleted",
        "an event moved out of the window is reported removed"
    );

    // A change made as Outlook (through the admin API) shows up too.
    let outlook = h.admin_post(&format!("/users/{MEGAN}/events"), json!({"subject": "From Outlook", "start": {"dateTime": "2030-03-25T12:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2030-03-25T13:00:00", "timeZone": "UTC"}})).await;
    assert_eq!(outlook.status(), StatusCode::CREATED);
    let (changes, _, _) = round(&h, &token, &delta, 10).await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["subject"], "From Outlook");
}

#[tokio::test]
async fn a_meeting_cancelled_by_its_organiser_stays_and_delta_reports_it_cancelled() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    let kept = h
        .create(&token, "Kept", "2030-03-02T10:00:00", "2030-03-02T11:00:00")
        .await;
    let cancelled = h
        .create(
            &token,
            "Cancelled",
            "2030-03-03T10:00:00",
            "2030-03-03T11:00:00",
        )
        .await;
    let cancelled_id = cancelled["id"].as_str().unwrap();
    let (items, delta, _) = round(&h, &token, &first_url(&h, "/me/calendarView/delta"), 10).await;
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|item| item["isCancelled"] == json!(false)));

    let answer = h
        .admin_post(
            &format!("/users/{MEGAN}/events/{cancelled_id}/cancel"),
            json!({}),
        )
        .await;
    assert_eq!(answer.status(), StatusCode::OK);
    let answer: Value = answer.json().await.unwrap();
    assert_eq!(answer["isCancelled"], json!(true));
    assert_ne!(answer["changeKey"], cancelled["changeKey"]);

    let (changes, _, _) = round(&h, &token, &delta, 10).await;
    assert_eq!(
        changes.len(),
        1,
        "only the cancelled meeting changed: {changes:?}"
    );
    assert_eq!(changes[0]["id"], cancelled["id"]);
    assert_eq!(changes[0]["isCancelled"], json!(true));
    assert!(
        changes[0].get("@removed").is_none(),
        "a cancelled meeting is changed, not removed"
    );
    let listed = h.admin_get_json(&format!("/users/{MEGAN}/events")).await;
    assert_eq!(
        listed["value"].as_array().unwrap().len(),
        2,
        "it stays in the calendar"
    );
    assert_eq!(
        h.admin_post(
            &format!(
                "/users/{MEGAN}/events/{}-nope/cancel",
                kept["id"].as_str().unwrap()
            ),
            json!({})
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn delta_reports_series_exceptions_and_cancelled_occurrences() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    let series = h.post_json(&token, "/me/events", json!({
        "subject": "Daily", "start": {"dateTime": "2030-03-02T09:00:00", "timeZone": "UTC"}, "end": {"dateTime": "2030-03-02T09:15:00", "timeZone": "UTC"},
        "recurrence": {"pattern": {"type": "daily", "interval": 1}, "range": {"type": "numbered", "startDate": "2030-03-02", "numberOfOccurrences": 5}}
    })).await;
    assert_eq!(series.status(), StatusCode::CREATED);
    let calendar = h.get_json(&token, "/me/calendar").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (items, delta, _) = round(
        &h,
        &token,
        &first_url(&h, &format!("/me/calendars/{calendar}/calendarView/delta")),
        10,
    )
    .await;
    assert_eq!(items.len(), 5, "a series appears as its occurrences");
    assert!(items.iter().all(|item| item["type"] == "occurrence"));
    let second = items[1]["id"].as_str().unwrap().to_owned();
    let fourth = items[3]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        h.patch_json(
            &token,
            &format!("/me/events/{second}"),
            json!({"subject": "Daily (special)"})
        )
        .await
        .status(),
        StatusCode::OK
    );
    assert_eq!(
        h.delete(&token, &format!("/me/events/{fourth}"))
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    let (changes, _, _) = round(&h, &token, &delta, 10).await;
    let changes = by_id(&changes);
    assert_eq!(
        changes.len(),
        2,
        "only the exception and the cancelled occurrence changed: {changes:?}"
    );
    assert_eq!(changes[&second]["type"], "exception");
    assert_eq!(changes[&second]["subject"], "Daily (special)");
    assert_eq!(changes[&fourth]["@removed"]["reason"], "deleted");
}

#[tokio::test]
async fn unknown_and_expired_tokens_answer_410() {
    let h = start(Seed::Empty).await;
    let token = h.megan().await;
    h.create(&token, "E", "2030-03-05T10:00:00", "2030-03-05T11:00:00")
        .await;
    let unknown = h
        .get(&token, "/me/calendarView/delta?$deltatoken=nonsense")
        .await;
    assert_eq!(unknown.status(), StatusCode::GONE);
    assert_eq!(
        unknown.json::<Value>().await.unwrap()["error"]["code"],
        "syncStateNotFound"
    );
    let skip = h
        .get(&token, "/me/calendarView/delta?$skiptoken=nonsense")
        .await;
    assert_eq!(skip.status(), StatusCode::GONE);

    let (_, delta, _) = round(&h, &token, &first_url(&h, "/me/calendarView/delta"), 10).await;
    h.clock.advance(TimeDelta::days(8));
    let token = h.megan().await;
    let expired = h.http.get(&delta).bearer_auth(&token).send().await.unwrap();
    assert_eq!(
        expired.status(),
        StatusCode::GONE,
        "delta tokens expire after 7 days"
    );
    let restart = expired.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        restart.contains("startDateTime="),
        "410 points at a fresh first request"
    );
    let (items, delta, _) = round(&h, &token, &restart, 10).await;
    assert_eq!(items.len(), 1, "a full resync lists everything again");
    assert_eq!(
        h.admin_post("/delta/expire", Value::Null).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        h.http
            .get(&delta)
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::GONE,
        "the admin API can expire every token"
    );
}

#[tokio::test]
async fn ten_thousand_events_enumerate_in_exactly_a_hundred_pages() {
    let h = start(Seed::Scale {
        events: 10_000,
        calendars: 2,
    })
    .await;
    let token = h.megan().await;
    let now = chrono::Utc::now();
    let url = format!(
        "{}?startDateTime={}&endDateTime={}",
        h.graph("/me/calendarView/delta"),
        (now - TimeDelta::days(100)).format("%Y-%m-%dT%H:%M:%SZ"),
        (now + TimeDelta::days(100)).format("%Y-%m-%dT%H:%M:%SZ")
    );
    let (items, _, pages) = round(&h, &token, &url, 100).await;
    assert_eq!(items.len(), 10_000, "every event once");
    assert_eq!(
        pages, 100,
        "exactly the pages maxpagesize asks for (times are benchmarked, not tested)"
    );
}
