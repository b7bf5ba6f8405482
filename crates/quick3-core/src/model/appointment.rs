//! Appointments: exact times with their zone (or whole days), origin, recurrence and tombstones.

use chrono::{
    DateTime, Datelike, Days, NaiveDate, NaiveDateTime, SecondsFormat, SubsecRound, TimeZone,
    Timelike, Utc,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::ids::{AccountId, AppointmentId, ResourceId};

/// Outlook's own limit for a subject.
pub const MAX_TITLE_CHARS: usize = 255;
pub const MAX_LOCATION_CHARS: usize = 255;
pub const MAX_NOTES_CHARS: usize = 32_000;

/// When an appointment takes place. Timed appointments are instants plus the zone they were
/// planned in (so they stay right across DST); all-day ones are dates, never midnights.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Timed {
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        time_zone: Tz,
    },
    /// `end` is exclusive, as in Microsoft Graph and iCalendar: a one-day event on the 25th ends on the 26th.
    AllDay { start: NaiveDate, end: NaiveDate },
}

impl When {
    /// Whether the store and Microsoft 365 can keep it: years 0001–9999 (a timed one's in UTC and
    /// in its zone) and no leap second — what outside input (a Graph event) is checked against,
    /// as typed input is when it is parsed.
    pub fn is_storable(&self) -> bool {
        match *self {
            When::Timed {
                start,
                end,
                time_zone,
            } => [start, end].iter().all(|t| {
                t.nanosecond() < 1_000_000_000
                    && YEARS.contains(&t.year())
                    && YEARS.contains(&t.with_timezone(&time_zone).year())
            }),
            When::AllDay { start, end } => {
                YEARS.contains(&start.year()) && YEARS.contains(&end.year())
            }
        }
    }

    /// The UTC span that surely contains the appointment wherever it is viewed (all-day events are
    /// widened by the largest zone offsets), used to find appointments in a visible range.
    pub fn covering_span(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        match *self {
            When::Timed { start, end, .. } => (start, end),
            When::AllDay { start, end } => {
                let from = start.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
                let to = end.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
                (
                    from - chrono::Duration::hours(14),
                    to + chrono::Duration::hours(12),
                )
            }
        }
    }

    /// Parses what a person or the UI typed. Timed: RFC 3339 (`2026-11-25T09:00:00+01:00`) or a
    /// local date-time (`2026-11-25T09:00`, `2026-11-25 09:00`) read in `time_zone`. All-day: dates
    /// (`2026-11-25`), the end exclusive and optional (one day).
    pub fn parse(all_day: bool, start: &str, end: Option<&str>, time_zone: &str) -> Result<When> {
        if all_day {
            let start = parse_date(start, "start")?;
            let end = match end.map(str::trim).filter(|e| !e.is_empty()) {
                None => start + Days::new(1),
                Some(end) => parse_date(end, "end")?,
            };
            if end <= start {
                return Err(CoreError::EndBeforeStart);
            }
            return Ok(When::AllDay { start, end });
        }
        let tz = parse_time_zone(time_zone)?;
        let end = end
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .ok_or(CoreError::InvalidInput {
                field: "end",
                reason: "a timed appointment needs an end".into(),
            })?;
        let start = parse_instant(start, tz, "start")?;
        let end = parse_instant(end, tz, "end")?;
        if end <= start {
            return Err(CoreError::EndBeforeStart);
        }
        Ok(When::Timed {
            start,
            end,
            time_zone: tz,
        })
    }

    pub fn is_all_day(&self) -> bool {
        matches!(self, When::AllDay { .. })
    }

    /// The start as shown to people: RFC 3339 in the appointment's own zone, or the date.
    pub fn start_text(&self) -> String {
        match *self {
            When::Timed {
                start, time_zone, ..
            } => local_rfc3339(start, time_zone),
            When::AllDay { start, .. } => start.to_string(),
        }
    }

    pub fn end_text(&self) -> String {
        match *self {
            When::Timed { end, time_zone, .. } => local_rfc3339(end, time_zone),
            When::AllDay { end, .. } => end.to_string(),
        }
    }

    pub fn time_zone(&self) -> Option<Tz> {
        match *self {
            When::Timed { time_zone, .. } => Some(time_zone),
            When::AllDay { .. } => None,
        }
    }
}

fn local_rfc3339(instant: DateTime<Utc>, tz: Tz) -> String {
    instant
        .with_timezone(&tz)
        .to_rfc3339_opts(SecondsFormat::Secs, false)
}

/// Reads an IANA zone name (`Europe/Berlin`, `UTC`).
pub fn parse_time_zone(name: &str) -> Result<Tz> {
    let name = name.trim();
    name.parse::<Tz>().map_err(|_| CoreError::UnknownTimeZone {
        name: name.to_owned(),
    })
}

fn parse_date(text: &str, field: &'static str) -> Result<NaiveDate> {
    let text = text.trim();
    if text.contains(['T', ':']) || text.contains(' ') {
        return Err(CoreError::AllDayWithTimes);
    }
    let date =
        NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| CoreError::InvalidInput {
            field,
            reason: format!("\"{text}\" is not a date like 2026-11-25"),
        })?;
    if !YEARS.contains(&date.year()) {
        return Err(out_of_range(field, text));
    }
    Ok(date)
}

/// The years an appointment may fall in: what RFC 3339, SQLite's text dates and Microsoft Graph
/// all read (four digits, no year 0).
const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

fn out_of_range(field: &'static str, text: &str) -> CoreError {
    CoreError::InvalidInput {
        field,
        reason: format!("\"{text}\" is outside the years 0001 to 9999"),
    }
}

/// Refuses what the store and Microsoft 365 cannot keep: a year outside 0001–9999 (in UTC or in
/// the appointment's zone) and a leap second (second 60), which chrono accepts when parsing.
fn checked(
    instant: DateTime<Utc>,
    tz: Tz,
    field: &'static str,
    text: &str,
) -> Result<DateTime<Utc>> {
    if instant.nanosecond() >= 1_000_000_000 {
        return Err(CoreError::InvalidInput {
            field,
            reason: format!("\"{text}\" has no such second: seconds go from 00 to 59"),
        });
    }
    if !YEARS.contains(&instant.year()) || !YEARS.contains(&instant.with_timezone(&tz).year()) {
        return Err(out_of_range(field, text));
    }
    Ok(instant)
}

fn parse_instant(text: &str, tz: Tz, field: &'static str) -> Result<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return checked(
            instant.with_timezone(&Utc).trunc_subsecs(0),
            tz,
            field,
            text,
        );
    }
    let naive = [
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .ok_or_else(|| CoreError::InvalidInput {
        field,
        reason: format!(
            "\"{text}\" is not a date and time like 2026-11-25T09:00 or 2026-11-25T09:00:00+01:00"
        ),
    })?;
    let instant = match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(local) => local.with_timezone(&Utc),
        // A repeated hour at the end of summer time: the first of the two, as Outlook does.
        chrono::LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
        chrono::LocalResult::None => {
            return Err(CoreError::InvalidInput {
                field,
                reason: format!("{text} does not exist in {tz}: the clocks skip that hour"),
            });
        }
    };
    checked(instant, tz, field, text)
}

/// How the time shows in free/busy, as in Outlook.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ShowAs {
    Free,
    Tentative,
    #[default]
    Busy,
    Oof,
    WorkingElsewhere,
    Unknown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Sensitivity {
    #[default]
    Normal,
    Personal,
    Private,
    Confidential,
}

macro_rules! text_enum {
    ($ty:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $($ty::$variant => $text),* }
            }
            pub fn parse(text: &str) -> Result<Self> {
                let wanted = text.trim().to_ascii_lowercase().replace(['-', ' '], "_");
                match wanted.as_str() {
                    $($text => Ok($ty::$variant),)*
                    _ => Err(CoreError::InvalidInput {
                        field: stringify!($ty),
                        reason: format!("\"{}\" is not one of {}", text.trim(), [$($text),*].join(", ")),
                    }),
                }
            }
        }
    };
}

text_enum!(ShowAs { Free => "free", Tentative => "tentative", Busy => "busy", Oof => "oof", WorkingElsewhere => "working_elsewhere", Unknown => "unknown" });
text_enum!(Sensitivity { Normal => "normal", Personal => "personal", Private => "private", Confidential => "confidential" });

/// Where an appointment comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Origin {
    /// Created in Quick3 (the app or the CLI).
    Quick3,
    /// Pulled from a Microsoft 365 calendar. `account_id` is `None` once the account was removed
    /// and the planner chose to keep its appointments.
    Microsoft365 {
        account_id: Option<AccountId>,
        calendar_id: String,
        remote_id: String,
    },
}

/// A recurrence in Microsoft Graph's shape (so Graph's JSON maps onto it field for field).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct Recurrence {
    pub pattern: RecurrencePattern,
    pub range: RecurrenceRange,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecurrencePattern {
    /// daily, weekly, absoluteMonthly, relativeMonthly, absoluteYearly, relativeYearly
    #[serde(rename = "type")]
    pub kind: String,
    pub interval: u32,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub days_of_week: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_day_of_week: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub day_of_month: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub month: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct RecurrenceRange {
    /// endDate, noEnd, numbered
    #[serde(rename = "type")]
    pub kind: String,
    pub start_date: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_of_occurrences: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recurrence_time_zone: Option<String>,
}

/// An appointment as the core holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appointment {
    pub id: AppointmentId,
    pub resource_id: ResourceId,
    pub title: String,
    pub when: When,
    pub location: String,
    pub notes: String,
    pub categories: Vec<String>,
    pub show_as: ShowAs,
    pub sensitivity: Sensitivity,
    pub origin: Origin,
    /// Set on a series master.
    pub recurrence: Option<Recurrence>,
    /// Set on an occurrence or exception: its series master.
    pub series_id: Option<AppointmentId>,
    /// Set on an occurrence or exception: the start it had in the series.
    pub original_start: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The appointment as it crosses to the UI and to `--json`. Stable, documented fields:
/// timed appointments have `all_day: false`, `start`/`end` in RFC 3339 with the offset of
/// `time_zone` (an IANA name); all-day ones have `all_day: true`, `start`/`end` as dates (end
/// exclusive) and `time_zone: null`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppointmentRecord {
    pub id: AppointmentId,
    pub resource_id: ResourceId,
    pub title: String,
    pub all_day: bool,
    pub start: String,
    pub end: String,
    pub time_zone: Option<String>,
    pub location: String,
    pub notes: String,
    pub categories: Vec<String>,
    pub show_as: ShowAs,
    pub sensitivity: Sensitivity,
    pub origin: Origin,
    pub recurrence: Option<Recurrence>,
    pub series_id: Option<AppointmentId>,
    pub original_start: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// An occurrence of a series made in Quick3 that was changed on its own (the window marks it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub exception: bool,
    /// A series made in Quick3 (a master): its pattern in one sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub repeat_text: Option<String>,
    /// A series made in Quick3 with an end: how many occurrences it has (the window names them
    /// after deleting the series): its pattern's, less those deleted on their own in a record
    /// read on its own (`api::changed_record`); none for a series without end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub occurrence_count: Option<u32>,
    /// Set when the appointment cannot be changed in Quick3, with the reason to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub read_only: Option<String>,
    /// Set while a change waits in the outbox for Microsoft 365, or when its upload failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub upload: Option<UploadState>,
}

/// What the Scheduler's cards show of an appointment, and what a move by drag and its undo need:
/// an [`AppointmentRecord`] without the details only the dialog shows (location, notes,
/// categories) and the bookkeeping no card shows (recurrence, series, timestamps). A week of a
/// busy organisation crosses to the window in these; the dialog asks for the whole record of the
/// one it opens.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppointmentCard {
    pub id: AppointmentId,
    pub resource_id: ResourceId,
    pub title: String,
    pub all_day: bool,
    pub start: String,
    pub end: String,
    pub time_zone: Option<String>,
    pub show_as: ShowAs,
    pub sensitivity: Sensitivity,
    pub origin: Origin,
    /// Set on an occurrence of a series: its series (the id that `--series`, a whole-series
    /// edit and an occurrence's edit or deletion take).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub series_id: Option<AppointmentId>,
    /// Set on an occurrence of a series: the start it has by the pattern, which names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional = nullable)]
    pub original_start: Option<DateTime<Utc>>,
    /// An occurrence of a series made in Quick3 that was changed on its own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[ts(as = "Option<bool>", optional)]
    pub exception: bool,
    /// Set when the appointment cannot be changed in Quick3, with the reason to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub read_only: Option<String>,
    /// Set while a change waits in the outbox for Microsoft 365, or when its upload failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub upload: Option<UploadState>,
}

impl From<AppointmentRecord> for AppointmentCard {
    fn from(r: AppointmentRecord) -> Self {
        AppointmentCard {
            id: r.id,
            resource_id: r.resource_id,
            title: r.title,
            all_day: r.all_day,
            start: r.start,
            end: r.end,
            time_zone: r.time_zone,
            show_as: r.show_as,
            sensitivity: r.sensitivity,
            origin: r.origin,
            series_id: r.series_id,
            original_start: r.original_start,
            exception: r.exception,
            read_only: r.read_only,
            upload: r.upload,
        }
    }
}

/// Where the upload of a Quick3 appointment's change to Microsoft 365 stands (from the outbox).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "state", rename_all = "snake_case")]
#[ts(export)]
pub enum UploadState {
    /// Waiting for its upload to the account with this e-mail.
    Pending { account: String },
    /// The last upload to the account failed, for `reason`; the next sync tries again.
    Failed {
        account: String,
        reason: String,
        attempts: u32,
    },
    /// Changed both in Quick3 and in Outlook (the account with this e-mail) since the last sync:
    /// neither version is sent or taken until the planner settles conflict `conflict`.
    Conflict {
        account: String,
        #[ts(type = "number")]
        conflict: i64,
    },
}

/// The subject another resource's private or confidential appointment shows, as in Outlook.
pub const PRIVATE_TITLE: &str = "Private";

impl AppointmentRecord {
    /// Whether a planner whose own resource is `my_resource` may see only the time of this
    /// appointment: private and confidential appointments of other resources, as in Outlook.
    pub fn is_hidden_from(&self, my_resource: Option<ResourceId>) -> bool {
        matches!(
            self.sensitivity,
            Sensitivity::Private | Sensitivity::Confidential
        ) && Some(self.resource_id) != my_resource
    }

    /// The appointment as that planner may see it: a hidden one keeps its time, show-as,
    /// resource and origin, with the subject "Private" and no location, notes or categories.
    pub fn as_seen_by(self, my_resource: Option<ResourceId>) -> Self {
        if !self.is_hidden_from(my_resource) {
            return self;
        }
        AppointmentRecord {
            title: PRIVATE_TITLE.to_owned(),
            location: String::new(),
            notes: String::new(),
            categories: Vec::new(),
            ..self
        }
    }
}

/// Why a pulled appointment cannot be changed in Quick3.
pub const PULLED_READ_ONLY: &str = "This appointment comes from a Microsoft 365 (Outlook) calendar: change it in \
     Outlook, and the next sync brings the change here.";

impl Appointment {
    /// How a message that leaves the Scheduler (sync summaries and conflicts, failure mails, OS
    /// notifications, the run history) names this appointment at the start of its sentence: its
    /// subject and start, or for a private or confidential one "A private appointment" and its
    /// start — such messages reach people who may not see another resource's private subjects.
    pub fn message_name(&self) -> String {
        let start = self.when.start_text();
        if matches!(
            self.sensitivity,
            Sensitivity::Private | Sensitivity::Confidential
        ) {
            format!("A private appointment ({start})")
        } else {
            format!("“{}” ({start})", self.title)
        }
    }

    /// Why this appointment cannot be edited or deleted in Quick3, if it cannot: copies pulled
    /// from Microsoft 365 belong to Outlook (Quick3 never uploads changes to them, so a local edit
    /// would be lost). A copy kept when its account was removed has no sync left to overwrite it:
    /// it is the planner's to edit or delete.
    pub fn read_only_reason(&self) -> Option<&'static str> {
        matches!(
            self.origin,
            Origin::Microsoft365 {
                account_id: Some(_),
                ..
            }
        )
        .then_some(PULLED_READ_ONLY)
    }
}

impl From<&Appointment> for AppointmentRecord {
    fn from(a: &Appointment) -> Self {
        // A series made in Quick3: its pattern, to describe and count.
        let rule = (a.origin == Origin::Quick3)
            .then_some(a.recurrence.as_ref())
            .flatten()
            .and_then(|r| super::recurrence::Rule::from_graph(r).ok());
        AppointmentRecord {
            id: a.id,
            resource_id: a.resource_id,
            title: a.title.clone(),
            all_day: a.when.is_all_day(),
            start: a.when.start_text(),
            end: a.when.end_text(),
            time_zone: a.when.time_zone().map(|tz| tz.name().to_owned()),
            location: a.location.clone(),
            notes: a.notes.clone(),
            categories: a.categories.clone(),
            show_as: a.show_as,
            sensitivity: a.sensitivity,
            origin: a.origin.clone(),
            recurrence: a.recurrence.clone(),
            series_id: a.series_id,
            original_start: a.original_start,
            created_at: a.created_at,
            updated_at: a.updated_at,
            exception: false,
            repeat_text: rule.as_ref().map(super::recurrence::Rule::describe),
            occurrence_count: rule.as_ref().and_then(|rule| {
                let last = rule.last_date()?;
                u32::try_from(rule.dates_between(rule.start, last).len()).ok()
            }),
            read_only: a.read_only_reason().map(String::from),
            upload: None,
        }
    }
}

/// A new appointment as typed in the app or on the command line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppointmentInput {
    pub resource_id: ResourceId,
    pub title: String,
    pub all_day: bool,
    pub start: String,
    /// Required for timed appointments; for all-day ones the exclusive end date (default: one day).
    pub end: Option<String>,
    /// IANA name; required for timed appointments given as local times.
    pub time_zone: Option<String>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub show_as: Option<ShowAs>,
    #[serde(default)]
    pub sensitivity: Option<Sensitivity>,
}

/// A change to an existing appointment: `None` keeps a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppointmentPatch {
    pub resource_id: Option<ResourceId>,
    pub title: Option<String>,
    pub all_day: Option<bool>,
    pub start: Option<String>,
    pub end: Option<String>,
    pub time_zone: Option<String>,
    pub location: Option<String>,
    pub notes: Option<String>,
    pub categories: Option<Vec<String>>,
    pub show_as: Option<ShowAs>,
    pub sensitivity: Option<Sensitivity>,
}

/// The validated fields of an appointment, ready to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AppointmentFields {
    pub resource_id: ResourceId,
    pub title: String,
    pub when: When,
    pub location: String,
    pub notes: String,
    pub categories: Vec<String>,
    pub show_as: ShowAs,
    pub sensitivity: Sensitivity,
}

fn bounded(text: Option<String>, field: &'static str, max: usize) -> Result<String> {
    let text = text.unwrap_or_default().trim().to_owned();
    if text.chars().count() > max {
        return Err(CoreError::InvalidInput {
            field,
            reason: format!("it is longer than {max} characters"),
        });
    }
    Ok(text)
}

impl AppointmentInput {
    /// Checks every field; `default_zone` is used for local times when no zone was given.
    pub(crate) fn validate(self, default_zone: &str) -> Result<AppointmentFields> {
        let title = self.title.trim().to_owned();
        if title.is_empty() {
            return Err(CoreError::EmptyTitle);
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return Err(CoreError::TitleTooLong {
                max: MAX_TITLE_CHARS,
            });
        }
        let zone = self
            .time_zone
            .as_deref()
            .map(str::trim)
            .filter(|z| !z.is_empty());
        let when = When::parse(
            self.all_day,
            &self.start,
            self.end.as_deref(),
            zone.unwrap_or(default_zone),
        )?;
        let mut categories = Vec::new();
        for category in self.categories {
            let category = bounded(Some(category), "category", MAX_LOCATION_CHARS)?;
            if !category.is_empty() && !categories.contains(&category) {
                categories.push(category);
            }
        }
        Ok(AppointmentFields {
            resource_id: self.resource_id,
            title,
            when,
            location: bounded(self.location, "location", MAX_LOCATION_CHARS)?,
            notes: bounded(self.notes, "notes", MAX_NOTES_CHARS)?,
            categories,
            show_as: self.show_as.unwrap_or_default(),
            sensitivity: self.sensitivity.unwrap_or_default(),
        })
    }
}

impl Appointment {
    /// The input that would recreate this appointment, with `patch` laid over it.
    pub(crate) fn patched(&self, patch: AppointmentPatch) -> AppointmentInput {
        let all_day = patch.all_day.unwrap_or(self.when.is_all_day());
        // Switching between all-day and timed without new times: keep the dates.
        let switching = all_day != self.when.is_all_day();
        let (start, end) = match (&self.when, switching) {
            (
                When::Timed {
                    start,
                    end,
                    time_zone,
                },
                true,
            ) => (
                start.with_timezone(time_zone).date_naive().to_string(),
                (end.with_timezone(time_zone).date_naive() + Days::new(1)).to_string(),
            ),
            (When::AllDay { start, end }, true) => (
                format!("{start}T09:00"),
                format!("{}T10:00", end.pred_opt().unwrap_or(*start)),
            ),
            (_, false) => (self.when.start_text(), self.when.end_text()),
        };
        AppointmentInput {
            resource_id: patch.resource_id.unwrap_or(self.resource_id),
            title: patch.title.unwrap_or_else(|| self.title.clone()),
            all_day,
            start: patch.start.unwrap_or(start),
            end: Some(patch.end.unwrap_or(end)),
            time_zone: patch
                .time_zone
                .or_else(|| self.when.time_zone().map(|tz| tz.name().to_owned())),
            location: Some(patch.location.unwrap_or_else(|| self.location.clone())),
            notes: Some(patch.notes.unwrap_or_else(|| self.notes.clone())),
            categories: patch.categories.unwrap_or_else(|| self.categories.clone()),
            show_as: Some(patch.show_as.unwrap_or(self.show_as)),
            sensitivity: Some(patch.sensitivity.unwrap_or(self.sensitivity)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    #[test]
    fn local_time_is_read_in_its_zone_across_dst() {
        let summer = When::parse(
            false,
            "2026-07-01T09:00",
            Some("2026-07-01T10:00"),
            "Europe/Berlin",
        )
        .unwrap();
        let winter = When::parse(
            false,
            "2026-12-01T09:00",
            Some("2026-12-01T10:00"),
            "Europe/Berlin",
        )
        .unwrap();
        assert_eq!(
            summer.start_text(),
            "2026-07-01T09:00:00+02:00",
            "CEST is UTC+2"
        );
        assert_eq!(
            winter.start_text(),
            "2026-12-01T09:00:00+01:00",
            "CET is UTC+1"
        );
    }

    #[test]
    fn rfc3339_keeps_the_instant_and_shows_it_in_the_zone() {
        let when = When::parse(
            false,
            "2026-11-25T08:00:00Z",
            Some("2026-11-25T09:30:00Z"),
            "America/New_York",
        )
        .unwrap();
        assert_eq!(when.start_text(), "2026-11-25T03:00:00-05:00");
    }

    #[test]
    fn skipped_hour_is_refused() {
        let err = When::parse(
            false,
            "2026-03-29T02:30",
            Some("2026-03-29T04:00"),
            "Europe/Berlin",
        )
        .unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::InvalidInput,
            "02:30 does not exist on the day summer time starts"
        );
    }

    #[test]
    fn all_day_defaults_to_one_day_and_refuses_times() {
        let when = When::parse(true, "2026-11-25", None, "UTC").unwrap();
        assert_eq!(
            (when.start_text().as_str(), when.end_text().as_str()),
            ("2026-11-25", "2026-11-26")
        );
        let err = When::parse(true, "2026-11-25T09:00", None, "UTC").unwrap_err();
        assert_eq!(err.code(), ErrorCode::AllDayWithTimes);
    }

    #[test]
    fn end_before_start_is_refused() {
        let err =
            When::parse(false, "2026-11-25T10:00", Some("2026-11-25T09:00"), "UTC").unwrap_err();
        assert_eq!(err.code(), ErrorCode::EndBeforeStart);
        let err = When::parse(true, "2026-11-25", Some("2026-11-25"), "UTC").unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::EndBeforeStart,
            "an all-day end is exclusive"
        );
    }

    #[test]
    fn years_outside_0001_to_9999_and_leap_seconds_are_refused() {
        let cases: &[(bool, &str, &str)] = &[
            (false, "+12026-11-25T09:00", "+12026-11-26T01:00"),
            (false, "2026-11-25T09:00", "+12026-11-26T01:00"),
            (false, "0000-12-31T09:00", "0001-01-01T10:00"),
            (false, "0001-01-01T00:30", "0001-01-01T02:00"),
            (
                false,
                "9999-12-31T23:30:00-05:00",
                "9999-12-31T23:45:00-05:00",
            ),
            (false, "2026-11-25T09:00:60", "2026-11-25T10:00"),
            (false, "2026-11-25T09:00:60Z", "2026-11-25T10:00:00Z"),
            (false, "2026-11-25T09:00", "2026-11-25T10:59:60+01:00"),
            (true, "+12026-11-25", "+12026-11-26"),
            (true, "0000-01-01", "0000-01-02"),
        ];
        for &(all_day, start, end) in cases {
            let err = When::parse(all_day, start, Some(end), "Europe/Berlin")
                .expect_err(&format!("{start} – {end} cannot be stored"));
            assert_eq!(
                err.code(),
                ErrorCode::InvalidInput,
                "{start} – {end}: {err}"
            );
        }
        let last = When::parse(false, "9999-12-31T20:00", Some("9999-12-31T21:00"), "UTC");
        assert!(last.is_ok(), "the year 9999 is still fine");
    }

    #[test]
    fn unknown_zone_is_named() {
        let err = When::parse(
            false,
            "2026-11-25T10:00",
            Some("2026-11-25T11:00"),
            "Mars/Olympus",
        )
        .unwrap_err();
        assert!(err.to_string().contains("Mars/Olympus"));
    }
}
