//! Choosing which calendars of a mailbox are synced: all by default; one switched off leaves the
//! Scheduler with its appointments and costs no more requests; switched on again, it comes back
//! whole and without duplicates. Against the emulator's demo mailbox (Calendar, Projects, Travel).

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use quick3_core::ErrorCode;
use quick3_core::api::calendars::{account_calendars, choose_calendars};
use quick3_core::model::{Appointment, Direction, Origin};
use serde_json::json;
use sync_support::*;

fn from_calendar(appointments: &[Appointment], calendar: &str) -> usize {
    appointments
        .iter()
        .filter(|a| matches!(&a.origin, Origin::Microsoft365 { calendar_id, .. } if calendar_id == calendar))
        .count()
}

#[tokio::test]
async fn calendars_switched_off_leave_the_scheduler_and_come_back_whole() {
    let mut world = world_with_seed(json!("demo")).await;
    let account = world.connect(MEGAN, Direction::Down).await;
    assert!(
        account_calendars(&world.store, account.id)
            .unwrap()
            .is_empty(),
        "calendars are known once a sync listed them"
    );
    let first = world.sync(&account).await;
    assert!(first.errors.is_empty(), "{:?}", first.errors);

    let calendars = account_calendars(&world.store, account.id).unwrap();
    let names: Vec<&str> = calendars.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(
        calendars[0].is_default,
        "the default calendar first: {names:?}"
    );
    assert!(
        calendars.iter().all(|c| c.selected),
        "all are synced by default"
    );
    assert!(calendars.iter().all(|c| c.last_full_sync.is_some()));
    let projects = calendars
        .iter()
        .find(|c| c.name == "Projects")
        .unwrap()
        .calendar_id
        .clone();
    let travel = calendars
        .iter()
        .find(|c| c.name == "Travel")
        .unwrap()
        .calendar_id
        .clone();

    let before = world.appointments();
    let in_projects = from_calendar(&before, &projects);
    let in_travel = from_calendar(&before, &travel);
    assert!(
        in_projects > 0 && in_travel > 0,
        "the demo has events in both"
    );

    // Only the default calendar ("Calendar", chosen by name as the CLI allows).
    let chosen =
        choose_calendars(&mut world.store, account.id, &["calendar".into()], now()).unwrap();
    assert_eq!(chosen.removed as usize, in_projects + in_travel);
    assert_eq!(
        chosen.calendars.iter().filter(|c| c.selected).count(),
        1,
        "{:?}",
        chosen.calendars
    );
    let after = world.appointments();
    assert_eq!(after.len(), before.len() - in_projects - in_travel);
    assert_eq!(
        from_calendar(&after, &projects) + from_calendar(&after, &travel),
        0
    );

    // A quiet sync asks only for the calendar still chosen; nothing comes back.
    world.clear_requests().await;
    let quiet = world.sync(&account).await;
    assert_eq!((quiet.added, quiet.deleted), (0, 0), "{quiet:?}");
    let requests = world.graph_requests().await;
    assert_eq!(
        requests.len(),
        1,
        "one calendar, one request: {requests:#?}"
    );
    assert_eq!(world.appointments().len(), after.len());

    // Outlook adds to Projects while it is switched off: not pulled.
    let tomorrow = day(1);
    let mut event = timed(
        "Project kick-off",
        &format!("{tomorrow}T08:00:00"),
        &format!("{tomorrow}T09:00:00"),
    );
    event["calendarId"] = json!(projects);
    world.outlook_create(MEGAN, event).await;
    world.sync(&account).await;
    assert!(world.titled("Project kick-off").is_empty());

    // Projects on again: it arrives whole, with the new event, and nothing twice.
    let again = choose_calendars(
        &mut world.store,
        account.id,
        &[calendars[0].calendar_id.clone(), projects.clone()],
        now(),
    )
    .unwrap();
    assert_eq!(again.removed, 0);
    let back = world.sync(&account).await;
    assert_eq!(back.added as usize, in_projects + 1, "{back:?}");
    let now_shown = world.appointments();
    assert_eq!(from_calendar(&now_shown, &projects), in_projects + 1);
    assert_eq!(
        now_shown.len(),
        after.len() + in_projects + 1,
        "no duplicates"
    );
    assert_eq!(world.titled("Project kick-off").len(), 1);

    let unknown = choose_calendars(&mut world.store, account.id, &["Holidays".into()], now());
    let err = unknown.unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("Holidays"), "{err}");
    assert_eq!(
        account_calendars(&world.store, account.id)
            .unwrap()
            .iter()
            .filter(|c| c.selected)
            .count(),
        2,
        "a refused choice changes nothing"
    );
}
