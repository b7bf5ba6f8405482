//! Demo data: the Contoso planners' resources and a fortnight of appointments, so the app shows
//! something real on a fresh machine. Matches the users of the M365 emulator's demo tenant.

use chrono::{DateTime, Datelike, Days, NaiveDate, Utc};
use serde::Serialize;

use crate::api::series::{SeriesInput, create_series};
use crate::error::{CoreError, Result};
use crate::ids::ResourceId;
use crate::model::{
    AppointmentInput, Module, NewResource, Repeat, RepeatUnit, ResourceKind, ShowAs,
};
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

/// One demo appointment in a day of the fortnight: resource index, day offset from the Monday,
/// start (minutes after midnight), length in minutes, subject, show-as.
type Booking = (usize, u64, u32, u32, &'static str, ShowAs);

/// The named appointments of the fortnight (day offsets from this week's Monday). The E2E specs
/// look some of them up by subject; Megan has nothing on this week's Wednesday.
const NAMED: &[Booking] = &[
    (0, 0, 9 * 60, 60, "Weekly planning", ShowAs::Busy),
    (0, 1, 13 * 60, 90, "Customer visit Fabrikam", ShowAs::Oof),
    (0, 3, 10 * 60 + 30, 30, "1:1 with Adele", ShowAs::Busy),
    (1, 0, 9 * 60, 60, "Weekly planning", ShowAs::Busy),
    (1, 2, 14 * 60, 120, "Design review", ShowAs::Tentative),
    (
        1,
        4,
        8 * 60 + 30,
        60,
        "Site inspection",
        ShowAs::WorkingElsewhere,
    ),
    (2, 1, 11 * 60, 45, "Interview: field engineer", ShowAs::Busy),
    (2, 2, 15 * 60, 60, "Maintenance planning", ShowAs::Busy),
    (3, 0, 9 * 60, 60, "Weekly planning", ShowAs::Busy),
    (3, 2, 14 * 60, 120, "Design review", ShowAs::Busy),
    (
        4,
        2,
        14 * 60,
        120,
        "Design review (projector)",
        ShowAs::Busy,
    ),
    (0, 7, 9 * 60, 60, "Weekly planning", ShowAs::Busy),
    (1, 8, 10 * 60, 180, "Training: safety", ShowAs::Busy),
    (
        2,
        9,
        13 * 60 + 30,
        60,
        "Quarterly budget",
        ShowAs::Tentative,
    ),
];

/// Whole days: (resource index, day offset, days, subject, show-as). Alex is at a trade fair this
/// Thursday and Friday, Adele off next Friday, Alex on call at the weekends.
const WHOLE_DAYS: &[(usize, u64, u64, &str, ShowAs)] = &[
    (2, 3, 2, "Trade fair", ShowAs::Oof),
    (1, 11, 1, "Day off", ShowAs::Oof),
    (2, 5, 2, "On call", ShowAs::Free),
    (2, 12, 2, "On call", ShowAs::Free),
    (0, 11, 1, "Payroll deadline", ShowAs::Free),
];

/// A working day's regular work per resource: (resource index, start, minutes, subjects to
/// rotate through by day). Megan's and Adele's stay within 10:00–16:00, so the E2E specs find
/// their early mornings and late afternoons free to drag in.
const WORKDAY: &[(usize, u32, u32, &[&str])] = &[
    (
        0,
        10 * 60 + 30,
        60,
        &[
            "Quote review",
            "Route planning",
            "Call with Contoso Facilities",
            "Supplier call",
            "Capacity review",
        ],
    ),
    (
        0,
        12 * 60,
        30,
        &[
            "Dispatch check",
            "Lunch with Alex",
            "Dispatch check",
            "Invoice approvals",
            "Dispatch check",
        ],
    ),
    (
        0,
        14 * 60 + 30,
        60,
        &[
            "Customer call Northwind",
            "Team check-in",
            "Budget check",
            "Call with Litware",
            "Next week's jobs",
        ],
    ),
    (
        1,
        10 * 60,
        90,
        &[
            "Installation: Fabrikam HQ",
            "Service visit: Litware",
            "Installation: Tailspin Toys",
            "Maintenance: Woodgrove Bank",
            "Service visit: Adatum",
        ],
    ),
    (
        1,
        12 * 60 + 30,
        90,
        &[
            "Repair: Northwind boiler",
            "Inspection: Alpine Ski House",
            "Repair: Wingtip lift",
            "Maintenance: Coho Winery",
            "Inspection: Fourth Coffee",
        ],
    ),
    (
        1,
        14 * 60 + 30,
        60,
        &[
            "Job reports",
            "Parts order",
            "Job reports",
            "Customer call Adatum",
            "Job reports",
        ],
    ),
    (
        2,
        7 * 60 + 30,
        120,
        &[
            "Installation: Contoso Pharma",
            "Maintenance: Adventure Works",
            "Installation: Margie's Travel",
            "Repair: Proseware",
            "Maintenance: City Power",
        ],
    ),
    (
        2,
        10 * 60,
        60,
        &[
            "Service visit: Fabrikam",
            "Repair: Lucerne Publishing",
            "Inspection: Trey Research",
            "Service visit: VanArsdel",
            "Repair: Relecloud",
        ],
    ),
    (
        2,
        12 * 60 + 30,
        120,
        &[
            "Installation: Northwind Traders",
            "Maintenance: Wide World Importers",
            "Installation: Blue Yonder",
            "Maintenance: Graphic Design Institute",
            "Installation: Humongous Insurance",
        ],
    ),
    (
        2,
        16 * 60,
        90,
        &[
            "Van maintenance",
            "Repair: School of Fine Art",
            "Spare parts pick-up",
            "Repair: Datum Corporation",
            "Van maintenance",
        ],
    ),
    (
        3,
        10 * 60,
        60,
        &[
            "Sales meeting",
            "Customer workshop",
            "Project kick-off",
            "Sales meeting",
            "Supplier meeting",
        ],
    ),
    (
        3,
        12 * 60,
        60,
        &[
            "Lunch: partners",
            "Training: new CRM",
            "Lunch & learn",
            "Board meeting",
            "Team lunch",
        ],
    ),
    (
        3,
        13 * 60 + 30,
        90,
        &[
            "Customer workshop",
            "Quarter review",
            "Planning workshop",
            "Safety committee",
            "Customer workshop",
        ],
    ),
    (
        3,
        16 * 60,
        60,
        &[
            "Project review",
            "HR meeting",
            "Project review",
            "Works council",
            "Friday drinks",
        ],
    ),
    (
        4,
        10 * 60,
        60,
        &[
            "Sales meeting (projector)",
            "Customer workshop (projector)",
            "Project kick-off (projector)",
            "Sales meeting (projector)",
            "Supplier meeting (projector)",
        ],
    ),
    (
        4,
        13 * 60 + 30,
        90,
        &[
            "Customer workshop (projector)",
            "Quarter review (projector)",
            "Planning workshop (projector)",
            "Lamp check",
            "Customer workshop (projector)",
        ],
    ),
    (
        4,
        16 * 60,
        60,
        &[
            "Project review (projector)",
            "On loan: Sales",
            "Project review (projector)",
            "On loan: Marketing",
            "Firmware update",
        ],
    ),
];

/// Weekend work: (resource index, day of the week 5–6, start, minutes, subject).
const WEEKEND: &[(usize, u64, u32, u32, &str)] = &[
    (2, 5, 10 * 60, 120, "Emergency repair: Northwind"),
    (3, 5, 10 * 60, 180, "Open day preparation"),
    (4, 6, 11 * 60, 30, "Firmware update"),
];

/// The recurring series: the Boardroom's dispatch briefing every working day of the fortnight.
const BRIEFING: (usize, u32, u32, &str) = (3, 8 * 60 + 30, 15, "Dispatch briefing");

/// The one double booking: the Boardroom booked twice, today (or the next working day).
const DOUBLE_BOOKING: (usize, u32, u32, &str) = (3, 10 * 60 + 30, 60, "Supplier negotiation");

/// A fortnight of the demo's appointments from the Monday of `now`'s week, in the planner's
/// zone: a working fortnight of jobs, maintenance and room bookings (15–30 a working day across
/// the five resources, a few at the weekends), whole days, one recurring series and exactly one
/// double booking. The same for the same date. How many were added (each occurrence of the
/// series counted, as listings show them).
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
    let timed = timed_bookings(today);
    let at =
        |day: NaiveDate, minutes: u32| format!("{day}T{:02}:{:02}", minutes / 60, minutes % 60);
    let input = |who: usize, title: &str, all_day: bool, start: String, end: String, show_as| {
        AppointmentInput {
            resource_id: resources[who],
            title: title.into(),
            all_day,
            start,
            end: Some(end),
            time_zone: (!all_day).then(|| zone.clone()),
            location: None,
            notes: None,
            categories: Vec::new(),
            show_as: Some(show_as),
            sensitivity: None,
        }
    };
    let mut count = 0;
    for (who, offset, start, minutes, title, show_as) in timed {
        let day = monday + Days::new(offset);
        let appointment = input(
            who,
            title,
            false,
            at(day, start),
            at(day, start + minutes),
            show_as,
        );
        store.create_appointment(appointment, now)?;
        count += 1;
    }
    for &(who, offset, days, title, show_as) in WHOLE_DAYS {
        let day = monday + Days::new(offset);
        let (start, end) = (day.to_string(), (day + Days::new(days)).to_string());
        store.create_appointment(input(who, title, true, start, end, show_as), now)?;
        count += 1;
    }
    let (who, start, minutes, title) = BRIEFING;
    let briefing = input(
        who,
        title,
        false,
        at(monday, start),
        at(monday, start + minutes),
        ShowAs::Busy,
    );
    let repeat = Repeat {
        every: RepeatUnit::Weekly,
        days: vec!["MO,TU,WE,TH,FR".into()],
        count: Some(10),
        ..Repeat::default()
    };
    let occurrences = repeat.count.map_or(0, |n| n as usize);
    let series = SeriesInput {
        appointment: briefing,
        repeat,
    };
    create_series(store, series, now)?;
    Ok(count + occurrences)
}

/// The timed bookings of `today`'s fortnight (days counted from its Monday): the named ones, the
/// fillers of working days and weekends that fit around them, the whole days and the series, and
/// the one double booking (today, or the next working day). Whole days and the series are not
/// among them.
fn timed_bookings(today: NaiveDate) -> Vec<Booking> {
    // What each resource's time is already taken by: (resource, day, from, to) in minutes.
    let mut taken: Vec<(usize, u64, u32, u32)> = NAMED
        .iter()
        .map(|&(who, day, start, minutes, _, _)| (who, day, start, start + minutes))
        .collect();
    for &(who, offset, days, _, show_as) in WHOLE_DAYS {
        if show_as != ShowAs::Free {
            taken.extend((offset..offset + days).map(|day| (who, day, 0, 24 * 60)));
        }
    }
    let (who, start, minutes, _) = BRIEFING;
    taken.extend(
        (0..14)
            .filter(|day| day % 7 < 5)
            .map(|day| (who, day, start, start + minutes)),
    );
    let mut fillers = Vec::new();
    for day in 0..14u64 {
        if day % 7 < 5 {
            for &(who, start, minutes, titles) in WORKDAY {
                let title = titles[(day % 7) as usize % titles.len()];
                fillers.push((who, day, start, minutes, title, ShowAs::Busy));
            }
        } else {
            for &(who, weekday, start, minutes, title) in WEEKEND {
                if day % 7 == weekday {
                    fillers.push((who, day, start, minutes, title, ShowAs::Busy));
                }
            }
        }
    }
    let mut timed: Vec<Booking> = NAMED.to_vec();
    for booking in fillers {
        if !overlaps(&taken, booking) {
            taken.push((booking.0, booking.1, booking.2, booking.2 + booking.3));
            timed.push(booking);
        }
    }
    let today_offset = u64::from(today.weekday().num_days_from_monday());
    let double_day = if today_offset < 5 { today_offset } else { 7 };
    let (who, start, minutes, title) = DOUBLE_BOOKING;
    timed.push((who, double_day, start, minutes, title, ShowAs::Busy));
    timed
}

/// Whether `booking` would overlap a time already taken on its resource (`(resource, day,
/// from, to)` in minutes; touching ends do not).
fn overlaps(taken: &[(usize, u64, u32, u32)], booking: Booking) -> bool {
    let (who, day, start, minutes, _, _) = booking;
    taken
        .iter()
        .any(|&(w, d, from, to)| w == who && d == day && start < to && from < start + minutes)
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

    /// The demo seeded on `now` in Oslo's zone, and every appointment of its fortnight.
    fn seeded_fortnight(now: &str) -> (Store, NaiveDate, Vec<crate::model::Appointment>) {
        let mut store = Store::open_in_memory().unwrap();
        store.set_default_zone("Europe/Oslo").unwrap();
        let now: DateTime<Utc> = now.parse().unwrap();
        seed(&mut store, now).unwrap();
        let today = now.with_timezone(&chrono_tz::Europe::Oslo).date_naive();
        let monday = today - Days::new(u64::from(today.weekday().num_days_from_monday()));
        let all = store
            .list_appointments(AppointmentQuery {
                from: Some(midnight(monday)),
                to: Some(midnight(monday + Days::new(14))),
                ..AppointmentQuery::default()
            })
            .unwrap();
        (store, monday, all)
    }

    fn midnight(day: NaiveDate) -> DateTime<Utc> {
        use chrono::TimeZone;
        chrono_tz::Europe::Oslo
            .from_local_datetime(&day.and_hms_opt(0, 0, 0).unwrap())
            .unwrap()
            .with_timezone(&Utc)
    }

    /// The instants an appointment covers (all-day ones as whole days in Oslo).
    fn span(a: &crate::model::Appointment) -> (DateTime<Utc>, DateTime<Utc>) {
        match a.when {
            crate::model::When::Timed { start, end, .. } => (start, end),
            crate::model::When::AllDay { start, end } => (midnight(start), midnight(end)),
        }
    }

    #[test]
    fn the_demo_is_a_working_fortnight_around_today() {
        // Seeded on a Monday, a Thursday and a Sunday.
        for now in [
            "2026-11-23T07:00:00Z",
            "2026-12-10T12:00:00Z",
            "2026-12-13T20:00:00Z",
        ] {
            a_working_fortnight(now);
        }
    }

    fn a_working_fortnight(now: &str) {
        let (_, monday, all) = seeded_fortnight(now);
        for offset in 0..14 {
            let day = monday + Days::new(offset);
            let (from, to) = (midnight(day), midnight(day + Days::new(1)));
            let on_day = all
                .iter()
                .filter(|a| span(a).0 < to && from < span(a).1)
                .count();
            if offset % 7 < 5 {
                assert!(
                    (15..=30).contains(&on_day),
                    "a working day holds 15–30 appointments across the resources: {day} has {on_day}"
                );
            } else {
                assert!(
                    (1..15).contains(&on_day),
                    "a weekend day is lighter but not empty: {day} has {on_day}"
                );
            }
        }
        let whole_days = all.iter().filter(|a| a.when.is_all_day()).count();
        assert!(whole_days >= 3, "a few all-day ones: {whole_days}");
        let series: Vec<_> = all.iter().filter(|a| a.series_id.is_some()).collect();
        assert_eq!(
            series.len(),
            10,
            "the briefing series shows on each working day"
        );
        assert!(series.iter().all(|a| a.title == "Dispatch briefing"));
        for words in ["Installation", "Maintenance", "Repair", "Sales meeting"] {
            assert!(
                all.iter().any(|a| a.title.contains(words)),
                "jobs, maintenance and room bookings: no {words}"
            );
        }
    }

    #[test]
    fn the_demo_has_exactly_one_double_booking_on_today_or_the_next_working_day() {
        // Seeded on a Tuesday: that day; on a Saturday: next Monday.
        for (now, offset) in [("2026-12-08T09:00:00Z", 1), ("2026-12-12T09:00:00Z", 7)] {
            one_double_booking(now, offset);
        }
    }

    fn one_double_booking(now: &str, offset: u64) {
        let (_, monday, all) = seeded_fortnight(now);
        let blocking = |a: &&crate::model::Appointment| {
            matches!(a.show_as, ShowAs::Busy | ShowAs::Tentative | ShowAs::Oof)
        };
        let mut pairs = Vec::new();
        for (i, a) in all.iter().enumerate().filter(|(_, a)| blocking(a)) {
            for b in all[i + 1..].iter().filter(blocking) {
                let ((a0, a1), (b0, b1)) = (span(a), span(b));
                if a.resource_id == b.resource_id && a0 < b1 && b0 < a1 {
                    pairs.push((a.title.clone(), b.title.clone(), a0));
                }
            }
        }
        assert_eq!(pairs.len(), 1, "exactly one double booking: {pairs:?}");
        let day = pairs[0]
            .2
            .with_timezone(&chrono_tz::Europe::Oslo)
            .date_naive();
        assert_eq!(
            day,
            monday + Days::new(offset),
            "where a new planner sees it"
        );
    }

    #[test]
    fn the_demo_is_the_same_for_the_same_date() {
        let shape = |now: &str| {
            let (_, _, all) = seeded_fortnight(now);
            let mut shape: Vec<_> = all
                .iter()
                .map(|a| (a.title.clone(), span(a), format!("{:?}", a.show_as)))
                .collect();
            shape.sort();
            shape
        };
        assert_eq!(
            shape("2026-12-09T08:00:00Z"),
            shape("2026-12-09T15:30:00Z"),
            "the same day seeds the same fortnight"
        );
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
        // Only the scaled ones: the demo's own fortnight fills both weeks too.
        let first_week = scaled
            .iter()
            .filter(|a| a.when.covering_span().0 < monday + chrono::TimeDelta::days(7))
            .count();
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
