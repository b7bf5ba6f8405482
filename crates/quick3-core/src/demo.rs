//! Demo data: the Contoso planners' resources and a fortnight of appointments, so the app shows
//! something real on a fresh machine. Matches the users of the M365 emulator's demo tenant.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::Serialize;

use crate::error::{CoreError, Result};
use crate::ids::ResourceId;
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
    let resources = seed_resources(store, now)?;
    store.set_planner_name(DEMO_PEOPLE[0].0)?;
    store.set_my_resource(resources[0])?;
    store.set_may_edit_resource_settings(true)?;
    store.set_administrator(true)?;
    store.set_module_active(Module::Office365, true, now)?;
    let appointments = seed_appointments(store, &resources, now)?;
    Ok(SeedReport {
        resources: resources.len(),
        appointments,
        already_seeded: false,
    })
}

/// The demo's resources: its people, then the Boardroom and the Projector.
fn seed_resources(store: &mut Store, now: DateTime<Utc>) -> Result<Vec<ResourceId>> {
    let mut ids = Vec::new();
    let people = DEMO_PEOPLE
        .iter()
        .map(|(name, email)| (*name, Some(*email), ResourceKind::Person));
    let things = [
        ("Boardroom", None, ResourceKind::Room),
        ("Projector", None, ResourceKind::Equipment),
    ];
    for (name, email, kind) in people.chain(things) {
        let new = NewResource {
            name: name.into(),
            email: email.map(Into::into),
            kind,
            colour: None,
            hours: None,
        };
        ids.push(store.add_resource(new, now)?.id);
    }
    Ok(ids)
}

/// A fortnight of the demo's appointments from the Monday of `now`'s week, in the planner's
/// zone: meetings, then whole days. How many were added.
fn seed_appointments(
    store: &mut Store,
    resources: &[ResourceId],
    now: DateTime<Utc>,
) -> Result<usize> {
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
    for &(who, offset, hour, minute, minutes, title, show_as) in plan {
        let day = monday + Days::new(offset);
        let start = at(day, hour, minute);
        let end_minutes = hour * 60 + minute + minutes as u32;
        let end = at(day, end_minutes / 60, end_minutes % 60);
        store.create_appointment(
            AppointmentInput {
                resource_id: resources[who],
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
                resource_id: resources[who],
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
    Ok(count)
}

/// Titles of the appointments `scale` adds (each followed by its number).
const SCALE_TITLES: &[&str] = &[
    "Installation",
    "Maintenance",
    "Site survey",
    "Customer visit",
    "Repair",
    "Inspection",
    "Training",
    "Delivery",
];

/// The most resources `scale` fills up to: a large organisation's Scheduler.
pub const MAX_SCALE_RESOURCES: usize = 1_000;
/// The most appointments `scale` adds in one go (about a minute).
pub const MAX_SCALE_APPOINTMENTS: usize = 100_000;
/// The most weeks `scale` spreads them over: ten years.
pub const MAX_SCALE_WEEKS: u32 = 520;

/// What `scale` added.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScaleReport {
    pub resources_added: usize,
    pub appointments_added: usize,
    /// The Monday of the first week the appointments were spread over (planner's zone).
    pub first_monday: NaiveDate,
    pub weeks: u32,
}

/// Sample data at scale, for benchmarks of the Scheduler: adds resources until there are
/// `resources` in all, then `appointments` timed appointments spread evenly over those resources
/// and over the working days of `weeks` weeks from this week's Monday (07:00–19:00, 30 minutes to
/// 3 hours, mostly busy; the same data every time for the same numbers). Seeds the demo first.
pub fn scale(
    store: &mut Store,
    resources: usize,
    appointments: usize,
    weeks: u32,
    now: DateTime<Utc>,
) -> Result<ScaleReport> {
    let too_many = |field: &'static str, max: String| CoreError::InvalidInput {
        field,
        reason: format!("it can be at most {max}"),
    };
    if resources > MAX_SCALE_RESOURCES {
        return Err(too_many(
            "number of resources",
            MAX_SCALE_RESOURCES.to_string(),
        ));
    }
    if appointments > MAX_SCALE_APPOINTMENTS {
        return Err(too_many(
            "number of appointments",
            MAX_SCALE_APPOINTMENTS.to_string(),
        ));
    }
    if weeks > MAX_SCALE_WEEKS {
        return Err(too_many("number of weeks", MAX_SCALE_WEEKS.to_string()));
    }
    seed(store, now)?;
    store.set_durable_edits(false);
    let added = add_at_scale(store, resources, appointments, weeks, now);
    store.set_durable_edits(true);
    added
}

fn add_at_scale(
    store: &mut Store,
    resources: usize,
    appointments: usize,
    weeks: u32,
    now: DateTime<Utc>,
) -> Result<ScaleReport> {
    let mut all = store.list_resources()?;
    let mut resources_added = 0;
    while all.len() < resources {
        let n = all.len() + 1;
        let (name, kind) = match n % 3 {
            0 => (format!("Room {n:03}"), ResourceKind::Room),
            1 => (format!("Engineer {n:03}"), ResourceKind::Person),
            _ => (format!("Van {n:03}"), ResourceKind::Equipment),
        };
        let new = NewResource {
            name,
            email: None,
            kind,
            colour: None,
            hours: None,
        };
        all.push(store.add_resource(new, now)?);
        resources_added += 1;
    }
    let zone = store.default_zone().to_owned();
    let today = now
        .with_timezone(&zone.parse::<chrono_tz::Tz>().unwrap_or(chrono_tz::UTC))
        .date_naive();
    let first_monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
    let weeks = weeks.max(1);
    let working_days = u64::from(weeks) * 5;
    // A small linear congruential generator: varied, and the same for the same numbers.
    let mut state: u64 = 0x5eed_c0ff_ee12_3457;
    let mut next = |bound: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % bound
    };
    for k in 0..appointments {
        let resource = &all[k % all.len()];
        let working_day = next(working_days);
        let day = first_monday + Days::new(working_day / 5 * 7 + working_day % 5);
        let start = 7 * 60 + next(22) * 30; // 07:00 … 17:30
        let length = 30 * (1 + next(6)); // 30 minutes … 3 hours
        let end = (start + length).min(19 * 60);
        let at = |minutes: u64| format!("{day}T{:02}:{:02}", minutes / 60, minutes % 60);
        let show_as = match next(10) {
            0 => ShowAs::Tentative,
            1 => ShowAs::Free,
            2 => ShowAs::Oof,
            _ => ShowAs::Busy,
        };
        store.create_appointment(
            AppointmentInput {
                resource_id: resource.id,
                title: format!("{} {}", SCALE_TITLES[k % SCALE_TITLES.len()], k + 1),
                all_day: false,
                start: at(start),
                end: Some(at(end)),
                time_zone: Some(zone.clone()),
                location: None,
                notes: None,
                categories: Vec::new(),
                show_as: Some(show_as),
                sensitivity: None,
            },
            now,
        )?;
    }
    Ok(ScaleReport {
        resources_added,
        appointments_added: appointments,
        first_monday,
        weeks,
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

    #[test]
    fn scale_fills_up_the_resources_and_spreads_the_appointments_over_working_days() {
        let mut store = Store::open_in_memory().unwrap();
        store.set_default_zone("Europe/Amsterdam").unwrap();
        let now = "2026-11-25T10:00:00Z".parse().unwrap();
        let report = scale(&mut store, 12, 300, 2, now).unwrap();
        assert_eq!(report.resources_added, 12 - DEMO_PEOPLE.len() - 2);
        assert_eq!(report.first_monday.to_string(), "2026-11-23");
        assert_eq!(store.list_resources().unwrap().len(), 12);
        let monday: DateTime<Utc> = "2026-11-22T23:00:00Z".parse().unwrap();
        let query = |from: DateTime<Utc>, days: i64| AppointmentQuery {
            from: Some(from),
            to: Some(from + chrono::TimeDelta::days(days)),
            ..AppointmentQuery::default()
        };
        let weeks = store.list_appointments(query(monday, 14)).unwrap();
        let scaled: Vec<_> = weeks
            .iter()
            .filter(|a| {
                a.title.rsplit_once(' ').is_some_and(|(title, n)| {
                    SCALE_TITLES.contains(&title) && n.parse::<usize>().is_ok()
                })
            })
            .collect();
        assert_eq!(scaled.len(), 300, "every appointment lies in the two weeks");
        let first_week = store.list_appointments(query(monday, 7)).unwrap().len();
        assert!(
            (100..=220).contains(&first_week),
            "about half in each week: {first_week}"
        );
        let per_resource = scaled
            .iter()
            .filter(|a| a.resource_id == scaled[0].resource_id)
            .count();
        assert_eq!(per_resource, 25, "spread evenly over the 12 resources");
        assert_eq!(
            scale(&mut store, 12, 0, 2, now).unwrap().resources_added,
            0,
            "no resource twice"
        );
    }
}
