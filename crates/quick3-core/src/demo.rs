//! Demo data: the Contoso planners' resources and a fortnight of appointments, so the app shows
//! something real on a fresh machine. Matches the users of the M365 emulator's demo tenant.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::Serialize;

use crate::error::Result;
use crate::model::{AppointmentInput, Module, NewResource, ResourceKind, ShowAs};
use crate::store::Store;

/// The demo's people (their mailboxes exist in the emulator's "Contoso (demo)" tenant).
pub const DEMO_PEOPLE: &[(&str, &str)] = &[
    ("Megan Bowen", "megan.bowen@contoso.example"),
    ("Adele Vance", "adele.vance@contoso.example"),
    ("Alex Wilber", "alex.wilber@contoso.example"),
];

/// What `seed` did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeedReport {
    pub resources: usize,
    pub appointments: usize,
    pub already_seeded: bool,
}

/// Seeds the demo once: a second call changes nothing. The planner is Megan Bowen, with the
/// Office 365 module activated and the right to edit Resource settings.
pub fn seed(store: &mut Store, now: DateTime<Utc>) -> Result<SeedReport> {
    if !store.list_resources()?.is_empty() {
        return Ok(SeedReport {
            resources: 0,
            appointments: 0,
            already_seeded: true,
        });
    }
    let mut people = Vec::new();
    for (name, email) in DEMO_PEOPLE {
        let new = NewResource {
            name: (*name).into(),
            email: Some((*email).into()),
            kind: ResourceKind::Person,
            colour: None,
        };
        people.push(store.add_resource(new, now)?);
    }
    let room = store.add_resource(
        NewResource {
            name: "Boardroom".into(),
            email: None,
            kind: ResourceKind::Room,
            colour: None,
        },
        now,
    )?;
    let projector = store.add_resource(
        NewResource {
            name: "Projector".into(),
            email: None,
            kind: ResourceKind::Equipment,
            colour: None,
        },
        now,
    )?;
    store.set_planner_name(DEMO_PEOPLE[0].0)?;
    store.set_my_resource(people[0].id)?;
    store.set_may_edit_resource_settings(true)?;
    store.set_administrator(true)?;
    store.set_module_active(Module::Office365, true, now)?;

    let zone = store.default_zone().to_owned();
    let today = now
        .with_timezone(&zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC))
        .date_naive();
    let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let at = |day: NaiveDate, hh: u32, mm: u32| format!("{day}T{hh:02}:{mm:02}");
    let mut count = 0;
    // (resource index, weekday offset, start h, start m, minutes, title, show-as)
    let plan: &[(usize, u64, u32, u32, i64, &str, ShowAs)] = &[
        (0, 0, 9, 0, 60, "Weekly planning", ShowAs::Busy),
        (0, 1, 13, 0, 90, "Customer visit Fabrikam", ShowAs::Oof),
        (0, 3, 10, 30, 30, "1:1 with Adele", ShowAs::Busy),
        (1, 0, 9, 0, 60, "Weekly planning", ShowAs::Busy),
        (1, 2, 14, 0, 120, "Design review", ShowAs::Tentative),
        (1, 4, 8, 30, 60, "Site inspection", ShowAs::WorkingElsewhere),
        (2, 1, 11, 0, 45, "Interview: field engineer", ShowAs::Busy),
        (2, 3, 15, 0, 60, "Maintenance planning", ShowAs::Busy),
        (3, 0, 9, 0, 60, "Weekly planning", ShowAs::Busy),
        (3, 2, 14, 0, 120, "Design review", ShowAs::Busy),
        (4, 2, 14, 0, 120, "Design review (projector)", ShowAs::Busy),
        (0, 7, 9, 0, 60, "Weekly planning", ShowAs::Busy),
        (1, 8, 10, 0, 180, "Training: safety", ShowAs::Busy),
        (2, 9, 13, 30, 60, "Quarterly budget", ShowAs::Tentative),
    ];
    let resources = [&people[0], &people[1], &people[2], &room, &projector];
    for &(who, offset, hour, minute, minutes, title, show_as) in plan {
        let day = monday + Days::new(offset);
        let start = at(day, hour, minute);
        let end_minutes = hour * 60 + minute + minutes as u32;
        let end = at(day, end_minutes / 60, end_minutes % 60);
        store.create_appointment(
            AppointmentInput {
                resource_id: resources[who].id,
                title: title.into(),
                all_day: false,
                start,
                end: Some(end),
                time_zone: Some(zone.clone()),
                location: None,
                notes: None,
                categories: Vec::new(),
                show_as: Some(show_as),
                sensitivity: None,
            },
            now,
        )?;
        count += 1;
    }
    // Whole days: a trade fair over two days and a public-holiday-style day off.
    for (who, offset, days, title) in [(2usize, 3u64, 2u64, "Trade fair"), (1, 11, 1, "Day off")] {
        let day = monday + Days::new(offset);
        store.create_appointment(
            AppointmentInput {
                resource_id: resources[who].id,
                title: title.into(),
                all_day: true,
                start: day.to_string(),
                end: Some((day + Days::new(days)).to_string()),
                time_zone: None,
                location: None,
                notes: None,
                categories: Vec::new(),
                show_as: Some(ShowAs::Oof),
                sensitivity: None,
            },
            now,
        )?;
        count += 1;
    }
    Ok(SeedReport {
        resources: resources.len(),
        appointments: count,
        already_seeded: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::AppointmentQuery;

    #[test]
    fn seeding_twice_adds_nothing_the_second_time() {
        let mut store = Store::open_in_memory().unwrap();
        let now = Utc::now();
        let first = seed(&mut store, now).unwrap();
        assert!(first.resources == 5 && first.appointments > 10);
        let second = seed(&mut store, now).unwrap();
        assert!(second.already_seeded);
        assert_eq!(store.list_resources().unwrap().len(), 5);
        let all = store
            .list_appointments(AppointmentQuery::default())
            .unwrap();
        assert_eq!(all.len(), first.appointments);
        let overview = store.overview(true).unwrap();
        assert!(overview.office365_module_active && overview.planner.may_edit_resource_settings);
        assert_eq!(overview.my_resource.unwrap().name, "Megan Bowen");
    }
}
