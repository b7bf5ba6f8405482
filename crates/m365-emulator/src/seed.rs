//! The demo tenant (Contoso), the admin-consent tenant (Fabrikam), and the scale seed.

use std::collections::BTreeMap;

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc, Weekday,
};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use crate::ids;
use crate::store::Store;
use crate::store::model::{
    App, ConsentPolicy, Event, ExtendedProperty, PatternType, RangeType, Recurrence,
    RecurrencePattern, RecurrenceRange, Tenant, User, WeekIndex, ZonedTime, no_date,
};
use crate::timezone;

/// "Contoso (demo)": users may consent.
pub const DEMO_TENANT_ID: &str = "8c3f0e5a-2d41-4b7e-9a6c-1f2e3d4c5b6a";
/// The "Quick3 Planner" public client registered in Contoso.
pub const DEMO_CLIENT_ID: &str = "3b9e2f7c-5a1d-4e8b-b6c4-0d2a7f9e1c35";
/// "Fabrikam (admin consent)": users may not consent.
pub const FABRIKAM_TENANT_ID: &str = "e4a7c2d9-6b3f-4f1a-8d5e-9c0b2a4f6e81";
/// "Quick3 Planner (organisation)": a confidential client with application permissions in Contoso.
pub const ORG_CLIENT_ID: &str = "7d1c4e9a-3f6b-4a2d-8e5c-b0f9a1c3d5e7";
/// The organisation app's client secret.
pub const ORG_CLIENT_SECRET: &str = "q3Org~Demo-Secret-Do-Not-Use-In-Production";
/// Password of every demo user except the admin.
pub const DEMO_PASSWORD: &str = "Demo-pass-1";
/// Password of admin@contoso.example.
pub const ADMIN_PASSWORD: &str = "Admin-pass-1";

/// Fixed object ids so demo data and tests can name users.
pub const MEGAN_ID: &str = "48d31887-5fad-4d73-a9f5-3c356e68a038";
pub const ADELE_ID: &str = "87d349ed-44d7-43e1-9a83-5f2406dee5bd";
pub const ALEX_ID: &str = "074e56ea-0b50-4461-89e5-c67ae14a2c0b";
pub const ADMIN_ID: &str = "5bde3e51-d13b-4db1-9948-fe4b109d11a7";
pub const LEE_ID: &str = "c8c6b8d9-3a2b-4b6e-9f1d-2e7a5c0b4d93";

fn tenant(id: &str, name: &str, domain: &str, consent_policy: ConsentPolicy) -> Tenant {
    Tenant {
        id: id.to_owned(),
        name: name.to_owned(),
        domain: domain.to_owned(),
        consent_policy,
    }
}

fn user(
    id: &str,
    tenant_id: &str,
    (given, surname): (&str, &str),
    mail: &str,
    password: &str,
    job: &str,
    now: DateTime<Utc>,
) -> User {
    User {
        id: id.to_owned(),
        tenant_id: tenant_id.to_owned(),
        display_name: format!("{given} {surname}").trim().to_owned(),
        given_name: given.to_owned(),
        surname: surname.to_owned(),
        mail: mail.to_owned(),
        password: password.to_owned(),
        job_title: Some(job.to_owned()).filter(|job| !job.is_empty()),
        is_admin: false,
        refresh_tokens_valid_from: now - TimeDelta::days(365),
        mailbox_licensed: true,
    }
}

/// Tenants, apps, users and their empty default calendars: the `empty` seed.
pub fn directory(now: DateTime<Utc>) -> Store {
    let mut store = Store::default();
    for tenant in [
        tenant(
            DEMO_TENANT_ID,
            "Contoso (demo)",
            "contoso.example",
            ConsentPolicy::UsersMayConsent,
        ),
        tenant(
            FABRIKAM_TENANT_ID,
            "Fabrikam (admin consent)",
            "fabrikam.example",
            ConsentPolicy::AdminConsentRequired,
        ),
    ] {
        store.tenants.insert(tenant.id.clone(), tenant);
    }
    let apps = demo_apps();
    for app in apps {
        store.apps.insert(app.client_id.clone(), app);
    }
    let users = demo_users(now);
    for user in users {
        let id = user.id.clone();
        store.users.insert(id.clone(), user);
        store.add_calendar(&id, "Calendar", "auto", "");
    }
    store.grant_app_roles(
        DEMO_TENANT_ID,
        ORG_CLIENT_ID,
        &["Calendars.ReadWrite".to_owned(), "User.Read.All".to_owned()],
    );
    store
}

/// The demo's app registrations: Quick3 Planner's public client and the organisation's confidential
/// client (with a secret and a certificate).
fn demo_apps() -> [App; 2] {
    [
        App {
            client_id: DEMO_CLIENT_ID.to_owned(),
            name: "Quick3 Planner".to_owned(),
            home_tenant_id: DEMO_TENANT_ID.to_owned(),
            redirect_uris: vec![
                "quickplanner://auth/callback".to_owned(),
                "http://localhost".to_owned(),
                "http://127.0.0.1".to_owned(),
            ],
            allow_public_client_flows: true,
            client_secret: None,
            client_secret_expires: None,
            required_scopes: ["User.Read", "Calendars.ReadWrite", "offline_access"]
                .map(str::to_owned)
                .to_vec(),
            certificates: Vec::new(),
        },
        App {
            client_id: ORG_CLIENT_ID.to_owned(),
            name: "Quick3 Planner (organisation)".to_owned(),
            home_tenant_id: DEMO_TENANT_ID.to_owned(),
            redirect_uris: vec!["http://localhost".to_owned(), "http://127.0.0.1".to_owned()],
            allow_public_client_flows: false,
            client_secret: Some(ORG_CLIENT_SECRET.to_owned()),
            client_secret_expires: None,
            required_scopes: ["User.Read"].map(str::to_owned).to_vec(),
            certificates: vec![
                crate::certificates::AppCertificate::parse(
                    crate::certificates::ORG_CERTIFICATE_PEM,
                )
                .expect("the demo certificate is a certificate"),
            ],
        },
    ]
}

/// The demo's users: three at Contoso, its administrator, one at Fabrikam.
fn demo_users(now: DateTime<Utc>) -> [User; 5] {
    let mut admin = user(
        ADMIN_ID,
        DEMO_TENANT_ID,
        ("Contoso", "Administrator"),
        "admin@contoso.example",
        ADMIN_PASSWORD,
        "IT Administrator",
        now,
    );
    admin.is_admin = true;
    [
        user(
            MEGAN_ID,
            DEMO_TENANT_ID,
            ("Megan", "Bowen"),
            "megan.bowen@contoso.example",
            DEMO_PASSWORD,
            "Marketing Manager",
            now,
        ),
        user(
            ADELE_ID,
            DEMO_TENANT_ID,
            ("Adele", "Vance"),
            "adele.vance@contoso.example",
            DEMO_PASSWORD,
            "Retail Manager",
            now,
        ),
        user(
            ALEX_ID,
            DEMO_TENANT_ID,
            ("Alex", "Wilber"),
            "alex.wilber@contoso.example",
            DEMO_PASSWORD,
            "Marketing Assistant",
            now,
        ),
        admin,
        user(
            LEE_ID,
            FABRIKAM_TENANT_ID,
            ("Lee", "Gu"),
            "lee.gu@fabrikam.example",
            DEMO_PASSWORD,
            "Director",
            now,
        ),
    ]
}

/// A stored event built directly (seeding bypasses JSON for speed).
struct Draft {
    subject: String,
    start: NaiveDateTime,
    end: NaiveDateTime,
    zone: &'static str,
    all_day: bool,
    show_as: &'static str,
    sensitivity: &'static str,
    location: &'static str,
    categories: Vec<String>,
    recurrence: Option<Recurrence>,
}

impl Draft {
    fn timed(subject: &str, start: NaiveDateTime, minutes: i64, zone: &'static str) -> Self {
        Self {
            subject: subject.to_owned(),
            start,
            end: start + TimeDelta::minutes(minutes),
            zone,
            all_day: false,
            show_as: "busy",
            sensitivity: "normal",
            location: "",
            categories: Vec::new(),
            recurrence: None,
        }
    }

    fn all_day(subject: &str, first: NaiveDate, days: u64) -> Self {
        let start = first.and_time(NaiveTime::MIN);
        Self {
            subject: subject.to_owned(),
            start,
            end: (first + Days::new(days)).and_time(NaiveTime::MIN),
            zone: "W. Europe Standard Time",
            all_day: true,
            show_as: "free",
            sensitivity: "normal",
            location: "",
            categories: Vec::new(),
            recurrence: None,
        }
    }
}

fn insert(
    store: &mut Store,
    user_id: &str,
    calendar_id: &str,
    draft: Draft,
    created: DateTime<Utc>,
) -> String {
    let event = Event {
        id: ids::new_event_id(),
        calendar_id: calendar_id.to_owned(),
        user_id: user_id.to_owned(),
        created,
        last_modified: created,
        change_key: ids::new_change_key(),
        ical_uid: format!(
            "040000008200E00074C5B7101A82E008{}",
            uuid::Uuid::new_v4().simple()
        )
        .to_uppercase(),
        transaction_id: None,
        subject: draft.subject,
        body_content_type: "text".to_owned(),
        body: String::new(),
        start: ZonedTime {
            date_time: draft.start,
            time_zone: draft.zone.to_owned(),
        },
        end: ZonedTime {
            date_time: draft.end,
            time_zone: draft.zone.to_owned(),
        },
        is_all_day: draft.all_day,
        show_as: draft.show_as.to_owned(),
        sensitivity: draft.sensitivity.to_owned(),
        importance: "normal".to_owned(),
        categories: draft.categories,
        location: draft.location.to_owned(),
        is_cancelled: false,
        recurrence: draft.recurrence,
        extended_properties: Vec::<ExtendedProperty>::new(),
        extra: serde_json::Map::new(),
        exceptions: BTreeMap::new(),
        cancelled_occurrences: Default::default(),
    };
    let id = event.id.clone();
    store.events.insert(id.clone(), event);
    id
}

fn series(
    kind: PatternType,
    days: &[Weekday],
    start: NaiveDate,
    range: RangeType,
    end: NaiveDate,
    count: u32,
    zone: &str,
) -> Recurrence {
    Recurrence {
        pattern: RecurrencePattern {
            kind,
            interval: 1,
            month: if matches!(
                kind,
                PatternType::AbsoluteYearly | PatternType::RelativeYearly
            ) {
                start.month()
            } else {
                0
            },
            day_of_month: if matches!(
                kind,
                PatternType::AbsoluteMonthly | PatternType::AbsoluteYearly
            ) {
                start.day()
            } else {
                0
            },
            days_of_week: days.to_vec(),
            first_day_of_week: Weekday::Mon,
            index: WeekIndex::First,
        },
        range: RecurrenceRange {
            kind: range,
            start_date: start,
            end_date: if range == RangeType::EndDate {
                end
            } else {
                no_date()
            },
            recurrence_time_zone: zone.to_owned(),
            number_of_occurrences: count,
        },
    }
}

/// The first day (on or after `from`) on which `zone`'s UTC offset differs from the day before.
fn next_offset_change(from: NaiveDate, zone: &str) -> NaiveDate {
    let tz = timezone::resolve_or_utc(zone);
    let offset = |date: NaiveDate| {
        let noon = date.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN));
        timezone::local_to_utc(noon, tz) - noon.and_utc()
    };
    let mut date = from;
    for _ in 0..400 {
        if offset(date) != offset(date - Days::new(1)) {
            return date;
        }
        date = date + Days::new(1);
    }
    from
}

fn monday_on_or_before(date: NaiveDate) -> NaiveDate {
    date - Days::new(u64::from(date.weekday().num_days_from_monday()))
}

fn at(date: NaiveDate, hour: u32, minute: u32) -> NaiveDateTime {
    date.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN))
}

const MEETINGS: &[&str] = &[
    "Customer call",
    "Design review",
    "1:1",
    "Budget check-in",
    "Workshop prep",
    "Vendor demo",
    "Sprint planning",
    "Retrospective",
    "Interview",
    "Lunch with team",
    "Site visit",
    "Training",
    "Quarterly review",
    "Roadmap sync",
    "Marketing sync",
    "Press briefing",
];
const ROOMS: &[&str] = &[
    "Room 1.01",
    "Room 2.14",
    "Teams",
    "Cafeteria",
    "Board room",
    "",
];

/// One user's demo calendars and about three hundred events around `now`.
fn demo_mailbox(
    store: &mut Store,
    user_id: &str,
    extra_calendars: &[&str],
    rng: &mut SmallRng,
    now: DateTime<Utc>,
) {
    let default = store
        .default_calendar(user_id)
        .map(|calendar| calendar.id.clone())
        .unwrap_or_default();
    let mut calendars = vec![default.clone()];
    for (name, color) in extra_calendars
        .iter()
        .zip(["lightGreen", "lightOrange", "lightBlue"])
    {
        calendars.push(store.add_calendar(user_id, name, color, "").id);
    }
    let today = now.date_naive();
    let mailbox = DemoMailbox {
        user_id,
        default,
        calendars,
        today,
        first: today - Days::new(91),
        last: today + Days::new(91),
        created: now - TimeDelta::days(120),
    };
    // In this order: the events' random choices follow one another from the seed.
    demo_standup(store, &mailbox);
    demo_team_meeting(store, &mailbox);
    demo_series(store, &mailbox, rng);
    demo_meetings(store, &mailbox, rng);
    demo_days(store, &mailbox, rng);
}

/// A demo mailbox's calendars and the days its events fall in.
struct DemoMailbox<'a> {
    user_id: &'a str,
    default: String,
    calendars: Vec<String>,
    today: NaiveDate,
    /// The first and last day of the demo's events.
    first: NaiveDate,
    last: NaiveDate,
    /// When the events were created.
    created: DateTime<Utc>,
}

impl DemoMailbox<'_> {
    fn last_calendar(&self) -> &str {
        &self.calendars[self.calendars.len() - 1]
    }
}

/// A daily stand-up on weekdays, with one moved and one cancelled occurrence.
fn demo_standup(store: &mut Store, m: &DemoMailbox<'_>) {
    let standup_start = monday_on_or_before(m.first);
    let mut standup = Draft::timed(
        "Daily stand-up",
        at(standup_start, 9, 15),
        15,
        "W. Europe Standard Time",
    );
    standup.location = "Teams";
    standup.recurrence = Some(series(
        PatternType::Weekly,
        &[
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Fri,
        ],
        standup_start,
        RangeType::EndDate,
        m.last,
        0,
        "W. Europe Standard Time",
    ));
    let standup_id = insert(store, m.user_id, &m.default, standup, m.created);
    let this_monday = monday_on_or_before(m.today);
    if let Some(master) = store.events.get_mut(&standup_id) {
        let moved = at(this_monday + Days::new(8), 9, 15);
        master.exceptions.insert(
            moved,
            crate::store::model::Exception {
                start: ZonedTime {
                    date_time: at(this_monday + Days::new(8), 10, 30),
                    time_zone: "W. Europe Standard Time".to_owned(),
                },
                end: ZonedTime {
                    date_time: at(this_monday + Days::new(8), 10, 45),
                    time_zone: "W. Europe Standard Time".to_owned(),
                },
                overrides: serde_json::Map::from_iter([(
                    "subject".to_owned(),
                    serde_json::json!("Daily stand-up (moved)"),
                )]),
                change_key: ids::new_change_key(),
                last_modified: m.created,
            },
        );
        master
            .cancelled_occurrences
            .insert(at(this_monday + Days::new(10), 9, 15));
    }
}

/// A weekly team meeting in Pacific time that crosses a daylight-saving change.
fn demo_team_meeting(store: &mut Store, m: &DemoMailbox<'_>) {
    let change = next_offset_change(m.today - Days::new(60), "Pacific Standard Time");
    let weekly_start = monday_on_or_before(change - Days::new(35)) + Days::new(1);
    let mut weekly = Draft::timed(
        "Team meeting (Seattle)",
        at(weekly_start, 10, 0),
        60,
        "Pacific Standard Time",
    );
    weekly.location = "Teams";
    weekly.recurrence = Some(series(
        PatternType::Weekly,
        &[Weekday::Tue],
        weekly_start,
        RangeType::Numbered,
        no_date(),
        10,
        "Pacific Standard Time",
    ));
    insert(store, m.user_id, m.last_calendar(), weekly, m.created);
}

/// Monthly and yearly series.
fn demo_series(store: &mut Store, m: &DemoMailbox<'_>, rng: &mut SmallRng) {
    let mut review = Draft::timed(
        "Monthly business review",
        at(m.first, 14, 0),
        90,
        "Eastern Standard Time",
    );
    let mut pattern = series(
        PatternType::RelativeMonthly,
        &[Weekday::Mon],
        m.first,
        RangeType::NoEnd,
        no_date(),
        0,
        "Eastern Standard Time",
    );
    pattern.pattern.index = WeekIndex::First;
    review.recurrence = Some(pattern);
    review.categories = vec!["Blue category".to_owned()];
    insert(store, m.user_id, &m.default, review, m.created);
    let mut payroll = Draft::timed(
        "Timesheets due",
        at(m.first, 16, 0),
        30,
        "GMT Standard Time",
    );
    payroll.show_as = "free";
    payroll.recurrence = Some(series(
        PatternType::AbsoluteMonthly,
        &[],
        m.first,
        RangeType::EndDate,
        m.last,
        0,
        "GMT Standard Time",
    ));
    insert(store, m.user_id, &m.default, payroll, m.created);
    let birthday_date = m.today + Days::new(rng.random_range(5..80));
    let mut birthday = Draft::all_day("Birthday", birthday_date, 1);
    birthday.sensitivity = "private";
    birthday.recurrence = Some(series(
        PatternType::AbsoluteYearly,
        &[],
        birthday_date,
        RangeType::NoEnd,
        no_date(),
        0,
        "W. Europe Standard Time",
    ));
    insert(store, m.user_id, &m.default, birthday, m.created);
}

/// Single meetings on working days, some in other zones, some private.
fn demo_meetings(store: &mut Store, m: &DemoMailbox<'_>, rng: &mut SmallRng) {
    let zones = [
        "W. Europe Standard Time",
        "W. Europe Standard Time",
        "Eastern Standard Time",
        "Pacific Standard Time",
        "GMT Standard Time",
        "UTC",
    ];
    let mut date = m.first;
    while date <= m.last {
        if date.weekday().num_days_from_monday() < 5 {
            for _ in 0..rng.random_range(0..3) {
                let zone = zones[rng.random_range(0..zones.len())];
                let hour = rng.random_range(8..17);
                let minute = [0, 30][rng.random_range(0..2)];
                let length = [30, 45, 60, 90, 120][rng.random_range(0..5)];
                let mut meeting = Draft::timed(
                    MEETINGS[rng.random_range(0..MEETINGS.len())],
                    at(date, hour, minute),
                    length,
                    zone,
                );
                meeting.location = ROOMS[rng.random_range(0..ROOMS.len())];
                if rng.random_range(0..12) == 0 {
                    meeting.subject = "Doctor's appointment".to_owned();
                    meeting.sensitivity = "private";
                    meeting.show_as = "oof";
                }
                if rng.random_range(0..6) == 0 {
                    meeting.show_as = "tentative";
                }
                let calendar = &m.calendars[rng.random_range(0..m.calendars.len())];
                insert(store, m.user_id, calendar, meeting, m.created);
            }
        }
        date = date + Days::new(1);
    }
}

/// All-day and multi-day events, and a flight that ends in another zone.
fn demo_days(store: &mut Store, m: &DemoMailbox<'_>, rng: &mut SmallRng) {
    for offset in (0..182).step_by(30) {
        let day = m.first + Days::new(offset + rng.random_range(0..20));
        insert(
            store,
            m.user_id,
            &m.default,
            Draft::all_day("Working from home", day, 1),
            m.created,
        );
    }
    let mut conference = Draft::all_day("Contoso Partner Conference", m.today + Days::new(17), 3);
    conference.show_as = "oof";
    conference.location = "Amsterdam";
    insert(store, m.user_id, m.last_calendar(), conference, m.created);
    let mut holiday = Draft::all_day("Vacation", m.today - Days::new(40), 5);
    holiday.show_as = "oof";
    holiday.sensitivity = "private";
    insert(store, m.user_id, &m.default, holiday, m.created);
    let mut flight = Draft::timed(
        "Flight AMS → SEA",
        at(m.today + Days::new(16), 13, 0),
        10 * 60 + 30,
        "W. Europe Standard Time",
    );
    flight.end = at(m.today + Days::new(16), 15, 30);
    flight.recurrence = None;
    let flight_id = insert(store, m.user_id, m.last_calendar(), flight, m.created);
    if let Some(flight) = store.events.get_mut(&flight_id) {
        // Ends in another zone than it starts, as flights do.
        flight.end.time_zone = "Pacific Standard Time".to_owned();
    }
}

/// The demo seed: Contoso and Fabrikam with three users' calendars full of events around `now`.
pub fn demo(now: DateTime<Utc>) -> Store {
    let mut store = directory(now);
    let mut rng = SmallRng::seed_from_u64(365);
    demo_mailbox(&mut store, MEGAN_ID, &["Projects", "Travel"], &mut rng, now);
    demo_mailbox(&mut store, ADELE_ID, &["Projects"], &mut rng, now);
    demo_mailbox(&mut store, ALEX_ID, &["Projects", "Travel"], &mut rng, now);
    demo_mailbox(&mut store, LEE_ID, &[], &mut rng, now);
    store.mark_changed();
    store
}

/// The scale seed: the directory, and Megan's mailbox with `calendars` calendars holding
/// `events` single events spread over ±3 months around `now`.
pub fn scale(now: DateTime<Utc>, events: usize, calendars: usize) -> Store {
    let mut store = directory(now);
    let mut ids = vec![
        store
            .default_calendar(MEGAN_ID)
            .map(|calendar| calendar.id.clone())
            .unwrap_or_default(),
    ];
    for index in 1..calendars.max(1) {
        ids.push(
            store
                .add_calendar(MEGAN_ID, &format!("Scale {index}"), "auto", "")
                .id,
        );
    }
    let first = now.date_naive() - Days::new(91);
    let created = now - TimeDelta::days(1);
    store.events.reserve(events);
    for index in 0..events {
        let day = first + Days::new((index % 182) as u64);
        let start = at(day, 8 + (index % 9) as u32, [0, 15, 30, 45][index % 4]);
        let draft = Draft::timed(&format!("Scale event {index}"), start, 30, "UTC");
        insert(
            &mut store,
            MEGAN_ID,
            &ids[index % ids.len()],
            draft,
            created,
        );
    }
    store.mark_changed();
    store
}

/// The organisation seed: the directory plus `users` more Contoso users (`room.0001@contoso.example`,
/// "Room 0001" …, ids `00000000-0000-4000-8000-000000000001` …), each with `calendars` calendars
/// (the default one included) of `events` single events each, from four weeks before `now` to
/// five months after (inside a client's usual sync window).
pub fn organisation(now: DateTime<Utc>, users: usize, calendars: usize, events: usize) -> Store {
    let mut store = directory(now);
    let first = now.date_naive() - Days::new(28);
    let created = now - TimeDelta::days(1);
    store.events.reserve(users * calendars.max(1) * events);
    for number in 1..=users {
        let id = format!("00000000-0000-4000-8000-{number:012}");
        let name = format!("{number:04}");
        store.users.insert(
            id.clone(),
            user(
                &id,
                DEMO_TENANT_ID,
                ("Room", &name),
                &format!("room.{name}@contoso.example"),
                DEMO_PASSWORD,
                "",
                now,
            ),
        );
        let mut ids = vec![store.add_calendar(&id, "Calendar", "auto", "").id];
        for index in 1..calendars.max(1) {
            ids.push(
                store
                    .add_calendar(&id, &format!("Bookings {index}"), "auto", "")
                    .id,
            );
        }
        for calendar in &ids {
            for index in 0..events {
                let day = first + Days::new(((index * 7 + number) % 178) as u64);
                let start = at(day, 8 + (index % 9) as u32, [0, 15, 30, 45][index % 4]);
                let draft = Draft::timed(&format!("Booking {index}"), start, 30, "UTC");
                insert(&mut store, &id, calendar, draft, created);
            }
        }
    }
    store.mark_changed();
    store
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::instances;

    #[test]
    fn the_organisation_seed_has_the_asked_for_shape() {
        let now = Utc::now();
        let store = organisation(now, 3, 2, 5);
        let rooms: Vec<_> = store
            .users
            .values()
            .filter(|user| user.mail.starts_with("room."))
            .collect();
        assert_eq!(rooms.len(), 3);
        for room in rooms {
            let calendars = store.calendars_of(&room.id);
            assert_eq!(calendars.len(), 2);
            assert_eq!(store.items(&room.id, None).count(), 10);
        }
    }

    #[test]
    fn demo_has_the_promised_shape() {
        let now = Utc::now();
        let store = demo(now);
        for user in [MEGAN_ID, ADELE_ID, ALEX_ID] {
            let calendars = store.calendars_of(user);
            assert!(
                (2..=3).contains(&calendars.len()),
                "each demo user has 2–3 calendars"
            );
            assert_eq!(
                calendars[0].name, "Calendar",
                "the default calendar comes first"
            );
            let from = now - TimeDelta::days(92);
            let to = now + TimeDelta::days(92);
            let shown: usize = store
                .items(user, None)
                .map(|event| instances::in_window(event, from, to).len())
                .sum();
            assert!(
                (250..=600).contains(&shown),
                "about 300 instances over ±3 months, got {shown}"
            );
            assert!(
                store
                    .items(user, None)
                    .any(|event| event.sensitivity == "private"),
                "some events are private"
            );
            assert!(
                store.items(user, None).any(|event| event.is_all_day
                    && event.end.date_time - event.start.date_time > TimeDelta::days(1)),
                "a multi-day event"
            );
            assert!(
                store
                    .items(user, None)
                    .any(|event| !event.exceptions.is_empty()
                        && !event.cancelled_occurrences.is_empty()),
                "a series with a moved and a cancelled occurrence"
            );
        }
    }
}
