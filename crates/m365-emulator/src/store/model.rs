//! What the emulated directory and mailboxes hold: tenants, apps, users, calendars, events.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// Whether a tenant's users may consent to apps themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ConsentPolicy {
    UsersMayConsent,
    AdminConsentRequired,
}

/// An Entra tenant (directory).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub domain: String,
    pub consent_policy: ConsentPolicy,
}

/// An app registration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct App {
    pub client_id: String,
    pub name: String,
    pub home_tenant_id: String,
    /// Registered redirect URIs; `http://localhost` and `http://127.0.0.1` match any port.
    pub redirect_uris: Vec<String>,
    pub allow_public_client_flows: bool,
    /// Client secret of a confidential client; `None` for public clients.
    pub client_secret: Option<String>,
    /// When the client secret stops working (AADSTS7000222 afterwards); `None`: never.
    #[serde(default)]
    pub client_secret_expires: Option<chrono::DateTime<chrono::Utc>>,
    /// Delegated permissions the registration lists (what `.default` means for it).
    pub required_scopes: Vec<String>,
    /// Certificates uploaded as credentials (client assertions signed with their keys).
    #[serde(default)]
    pub certificates: Vec<crate::certificates::AppCertificate>,
}

impl App {
    /// A confidential client has a secret or a certificate; a public client has neither.
    pub fn is_confidential(&self) -> bool {
        self.client_secret.is_some() || !self.certificates.is_empty()
    }
}

/// A user and their mailbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: String,
    pub tenant_id: String,
    pub display_name: String,
    pub given_name: String,
    pub surname: String,
    pub mail: String,
    pub password: String,
    pub job_title: Option<String>,
    pub is_admin: bool,
    /// Refresh tokens issued before this instant are revoked ("revoke sessions").
    pub refresh_tokens_valid_from: DateTime<Utc>,
    /// The user holds an Exchange Online licence. Without one the directory entry stays and
    /// sign-in works, but the mailbox answers 404 `MailboxNotEnabledForRESTAPI` (its content is
    /// kept, as Exchange keeps a disabled mailbox, and comes back with the licence).
    #[serde(default = "licensed_by_default", skip_serializing_if = "is_true")]
    pub mailbox_licensed: bool,
}

fn licensed_by_default() -> bool {
    true
}

fn is_true(value: &bool) -> bool {
    *value
}

/// A calendar in a user's mailbox.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Calendar {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub color: String,
    pub hex_color: String,
    pub is_default: bool,
    pub change_key: String,
}

/// A local wall-clock time in a named zone, as Graph's `dateTimeTimeZone`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ZonedTime {
    pub date_time: NaiveDateTime,
    pub time_zone: String,
}

/// Graph's `patternedRecurrence`, stored as clients send it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recurrence {
    pub pattern: RecurrencePattern,
    pub range: RecurrenceRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PatternType {
    Daily,
    Weekly,
    AbsoluteMonthly,
    RelativeMonthly,
    AbsoluteYearly,
    RelativeYearly,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum WeekIndex {
    First,
    Second,
    Third,
    Fourth,
    Last,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RangeType {
    EndDate,
    NoEnd,
    Numbered,
}

fn one() -> u32 {
    1
}
fn sunday() -> chrono::Weekday {
    chrono::Weekday::Sun
}
fn first() -> WeekIndex {
    WeekIndex::First
}
/// 0001-01-01: Graph's "no date" (e.g. the end date of a `noEnd` range).
pub fn no_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1, 1, 1).unwrap_or(NaiveDate::MIN)
}

mod weekday_names {
    //! Graph's lower-case day names for `chrono::Weekday`.
    use chrono::Weekday;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn name(day: Weekday) -> &'static str {
        match day {
            Weekday::Mon => "monday",
            Weekday::Tue => "tuesday",
            Weekday::Wed => "wednesday",
            Weekday::Thu => "thursday",
            Weekday::Fri => "friday",
            Weekday::Sat => "saturday",
            Weekday::Sun => "sunday",
        }
    }

    pub fn parse(text: &str) -> Option<Weekday> {
        text.parse().ok()
    }

    pub fn serialize<S: Serializer>(day: &Weekday, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(name(*day))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Weekday, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse(&text).ok_or_else(|| serde::de::Error::custom(format!("unknown day {text:?}")))
    }

    pub mod list {
        //! A list of Graph day names.
        use chrono::Weekday;
        use serde::{Deserialize, Deserializer, Serializer, ser::SerializeSeq};

        pub fn serialize<S: Serializer>(
            days: &[Weekday],
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            let mut seq = serializer.serialize_seq(Some(days.len()))?;
            for day in days {
                seq.serialize_element(super::name(*day))?;
            }
            seq.end()
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Vec<Weekday>, D::Error> {
            let texts = Option::<Vec<String>>::deserialize(deserializer)?.unwrap_or_default();
            texts
                .iter()
                .map(|text| {
                    super::parse(text)
                        .ok_or_else(|| serde::de::Error::custom(format!("unknown day {text:?}")))
                })
                .collect()
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecurrencePattern {
    #[serde(rename = "type")]
    pub kind: PatternType,
    #[serde(default = "one")]
    pub interval: u32,
    #[serde(default)]
    pub month: u32,
    #[serde(default)]
    pub day_of_month: u32,
    #[serde(default, with = "weekday_names::list")]
    pub days_of_week: Vec<chrono::Weekday>,
    #[serde(default = "sunday", with = "weekday_names")]
    pub first_day_of_week: chrono::Weekday,
    #[serde(default = "first")]
    pub index: WeekIndex,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecurrenceRange {
    #[serde(rename = "type")]
    pub kind: RangeType,
    pub start_date: NaiveDate,
    #[serde(default = "no_date", deserialize_with = "date_or_none")]
    pub end_date: NaiveDate,
    #[serde(default, deserialize_with = "string_or_none")]
    pub recurrence_time_zone: String,
    #[serde(default)]
    pub number_of_occurrences: u32,
}

fn date_or_none<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    Ok(Option::<NaiveDate>::deserialize(deserializer)?.unwrap_or_else(no_date))
}

fn string_or_none<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(deserializer)?.unwrap_or_default())
}

/// A modified occurrence of a series: its own times, fields and change key.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Exception {
    pub start: ZonedTime,
    pub end: ZonedTime,
    /// Graph fields set on this occurrence, overriding the master's.
    pub overrides: serde_json::Map<String, serde_json::Value>,
    pub change_key: String,
    pub last_modified: DateTime<Utc>,
}

/// A single-value extended property (`id` like `String {GUID} Name X`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExtendedProperty {
    pub id: String,
    pub value: String,
}

/// An event: a single instance or a series master with its exceptions and cancellations.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Event {
    pub id: String,
    pub calendar_id: String,
    pub user_id: String,
    pub created: DateTime<Utc>,
    pub last_modified: DateTime<Utc>,
    pub change_key: String,
    pub ical_uid: String,
    pub transaction_id: Option<String>,
    pub subject: String,
    pub body_content_type: String,
    pub body: String,
    pub start: ZonedTime,
    pub end: ZonedTime,
    pub is_all_day: bool,
    pub show_as: String,
    pub sensitivity: String,
    pub importance: String,
    pub categories: Vec<String>,
    pub location: String,
    pub is_cancelled: bool,
    pub recurrence: Option<Recurrence>,
    pub extended_properties: Vec<ExtendedProperty>,
    /// Other Graph fields a client set (attendees, reminders, …), returned as given.
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// Modified occurrences, by original start (local time in the series' zone).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub exceptions: BTreeMap<NaiveDateTime, Exception>,
    /// Deleted occurrences, by original start.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub cancelled_occurrences: BTreeSet<NaiveDateTime>,
}
