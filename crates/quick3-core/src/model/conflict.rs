//! Sync conflicts: which fields make a change on both sides a conflict, a version of an
//! appointment (or a series master, with its pattern) as the conflict keeps and shows it, and
//! the planner's three ways to settle one.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{Content, Recurrence, Rule, Sensitivity, ShowAs, When, zones};
use crate::error::{CoreError, Result};

/// A field whose difference between Quick3's and Outlook's versions makes a change on both sides
/// a conflict. Categories and sensitivity are synced too, but a difference in them alone is no
/// conflict: the appointment's owner (Quick3 for its own appointments) keeps its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ConflictField {
    /// Start, end, all-day and the zone (compared by the Windows name Outlook keeps).
    Time,
    Subject,
    Location,
    Notes,
    ShowAs,
    /// A series master's pattern (compared as the rule it repeats by, zones aside).
    Pattern,
}

impl ConflictField {
    /// The fields of an appointment's content ([`Content::conflicting_fields`]); a series
    /// master's pattern ([`ConflictField::Pattern`]) is compared beside them.
    pub const ALL: [ConflictField; 5] = [
        ConflictField::Time,
        ConflictField::Subject,
        ConflictField::Location,
        ConflictField::Notes,
        ConflictField::ShowAs,
    ];

    /// The field as the window and the CLI name it.
    pub fn label(self) -> &'static str {
        match self {
            ConflictField::Time => "Time",
            ConflictField::Subject => "Subject",
            ConflictField::Location => "Location",
            ConflictField::Notes => "Notes",
            ConflictField::ShowAs => "Show as",
            ConflictField::Pattern => "Repeat",
        }
    }
}

/// How a planner settles a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Keep {
    /// Outlook is patched to Quick3's version.
    Quick3,
    /// Quick3 takes Outlook's version.
    Outlook,
    /// Quick3's version becomes a second appointment (uploaded as a new event; for a series
    /// master, a second series with Quick3's pattern and occurrences); the appointment takes
    /// Outlook's version and stays linked.
    Both,
}

impl Keep {
    pub fn as_str(self) -> &'static str {
        match self {
            Keep::Quick3 => "quick3",
            Keep::Outlook => "outlook",
            Keep::Both => "both",
        }
    }

    pub fn parse(text: &str) -> Result<Keep> {
        match text.trim() {
            "quick3" => Ok(Keep::Quick3),
            "outlook" => Ok(Keep::Outlook),
            "both" => Ok(Keep::Both),
            other => Err(CoreError::InvalidInput {
                field: "keep",
                reason: format!("“{other}” is not one of quick3, outlook, both"),
            }),
        }
    }
}

/// One side's version of a conflicting appointment, as the window shows it and the store keeps
/// Outlook's: the synced fields, times as in [`super::AppointmentRecord`] (RFC 3339 in the zone,
/// or dates for all-day).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConflictVersion {
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
    /// A series master's pattern (none for a single appointment or an occurrence).
    #[serde(default)]
    pub recurrence: Option<Recurrence>,
    /// The pattern in one sentence ("Every week on Monday, 4 times"), as the window and the CLI
    /// show it.
    #[serde(default)]
    pub repeat: Option<String>,
}

impl ConflictVersion {
    /// A single appointment's or an occurrence's version.
    pub fn of(content: &Content) -> ConflictVersion {
        ConflictVersion::of_series(content, None)
    }

    /// A version with a series master's pattern (`None`: no series).
    pub fn of_series(content: &Content, recurrence: Option<&Recurrence>) -> ConflictVersion {
        ConflictVersion {
            title: content.title.clone(),
            all_day: content.when.is_all_day(),
            start: content.when.start_text(),
            end: content.when.end_text(),
            time_zone: content.when.time_zone().map(|tz| tz.name().to_owned()),
            location: content.location.clone(),
            notes: content.notes.clone(),
            categories: content.categories.clone(),
            show_as: content.show_as,
            sensitivity: content.sensitivity,
            recurrence: recurrence.cloned(),
            repeat: recurrence.map(describe_pattern),
        }
    }

    /// The content this version holds (what [`ConflictVersion::of`] wrote reads back the same).
    pub fn content(&self) -> Result<Content> {
        let corrupt = |what: &str| CoreError::Corrupt(format!("a conflict's version: {what}"));
        let when = if self.all_day {
            let date = |text: &str| {
                NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| corrupt("a date"))
            };
            When::AllDay {
                start: date(&self.start)?,
                end: date(&self.end)?,
            }
        } else {
            let instant = |text: &str| {
                DateTime::parse_from_rfc3339(text)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| corrupt("a time"))
            };
            let zone = self.time_zone.as_deref().unwrap_or("UTC");
            When::Timed {
                start: instant(&self.start)?,
                end: instant(&self.end)?,
                time_zone: zone.parse().map_err(|_| corrupt("a zone"))?,
            }
        };
        Ok(Content {
            title: self.title.clone(),
            when,
            location: self.location.clone(),
            notes: self.notes.clone(),
            categories: self.categories.clone(),
            show_as: self.show_as,
            sensitivity: self.sensitivity,
        }
        .normalised())
    }
}

impl Content {
    /// The conflict fields in which `self` and `other` differ (zones compared by their Windows
    /// name, as [`Content::same_as`] does), in [`ConflictField::ALL`]'s order.
    pub fn conflicting_fields(&self, other: &Content) -> Vec<ConflictField> {
        let a = self.clone().normalised();
        let b = other.clone().normalised();
        ConflictField::ALL
            .into_iter()
            .filter(|field| match field {
                ConflictField::Time => time_key(a.when) != time_key(b.when),
                ConflictField::Subject => a.title != b.title,
                ConflictField::Location => a.location != b.location,
                ConflictField::Notes => a.notes != b.notes,
                ConflictField::ShowAs => a.show_as != b.show_as,
                // A content has no pattern: a master's is compared beside it.
                ConflictField::Pattern => false,
            })
            .collect()
    }

    /// A digest of the conflict fields only: two contents with equal digests differ in nothing
    /// that makes a conflict. What the pure plan compares.
    pub fn conflict_digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let a = self.clone().normalised();
        let text = format!(
            "{:?}\u{0}{}\u{0}{}\u{0}{}\u{0}{}",
            time_key(a.when),
            a.title,
            a.location,
            a.notes,
            a.show_as.as_str()
        );
        Sha256::digest(text.as_bytes())
            .iter()
            .take(16)
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// A pattern in one sentence, or Graph's pattern type when it is none Quick3 reads.
fn describe_pattern(recurrence: &Recurrence) -> String {
    match Rule::from_graph(recurrence) {
        Ok(rule) => rule.describe(),
        Err(_) => recurrence.pattern.kind.clone(),
    }
}

/// Whether two series repeat alike: the same rule (zones aside: a series' times carry its zone,
/// and Outlook names it by its Windows name); either not a series is the same only as another.
pub fn same_pattern(a: Option<&Recurrence>, b: Option<&Recurrence>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => match (Rule::from_graph(a), Rule::from_graph(b)) {
            (Ok(a), Ok(b)) => a == b,
            _ => a == b,
        },
        _ => false,
    }
}

/// A time compared the way Outlook keeps it: instants (or dates) and the zone's Windows name.
fn time_key(when: When) -> (String, String, String) {
    match when {
        When::Timed {
            start,
            end,
            time_zone,
        } => (
            start.to_rfc3339(),
            end.to_rfc3339(),
            zones::to_graph(time_zone),
        ),
        When::AllDay { start, end } => (start.to_string(), end.to_string(), "all-day".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn content() -> Content {
        crate::model::content::sample_content(&["a"])
    }

    #[test]
    fn only_time_subject_location_notes_and_show_as_make_a_conflict() {
        let base = content();
        let moved = Content {
            when: When::Timed {
                start: Utc.with_ymd_and_hms(2026, 3, 28, 9, 0, 0).unwrap(),
                end: Utc.with_ymd_and_hms(2026, 3, 28, 10, 0, 0).unwrap(),
                time_zone: chrono_tz::Tz::Europe__Berlin,
            },
            ..content()
        };
        #[rustfmt::skip]
        let cases: Vec<(&str, Content, Vec<ConflictField>)> = vec![
            ("the same content", content(), vec![]),
            ("another time", moved, vec![ConflictField::Time]),
            ("another subject and location",
                Content { title: "Review (Outlook)".into(), location: "Atlas".into(), ..content() },
                vec![ConflictField::Subject, ConflictField::Location]),
            ("other notes", Content { notes: "New agenda".into(), ..content() },
                vec![ConflictField::Notes]),
            ("another show-as", Content { show_as: ShowAs::Free, ..content() },
                vec![ConflictField::ShowAs]),
            ("other categories and sensitivity alone are no conflict",
                Content { categories: vec!["b".into()], sensitivity: Sensitivity::Private,
                          ..content() },
                vec![]),
            ("formatting noise is no difference",
                Content { title: " Review ".into(), notes: "Agenda\r\n".into(), ..content() },
                vec![]),
            ("a zone with the same Windows name is the same time",
                Content { when: When::Timed {
                    start: Utc.with_ymd_and_hms(2026, 3, 28, 8, 0, 0).unwrap(),
                    end: Utc.with_ymd_and_hms(2026, 3, 28, 9, 0, 0).unwrap(),
                    time_zone: chrono_tz::Tz::Europe__Amsterdam }, ..content() },
                vec![]),
        ];
        for (why, other, expected) in cases {
            assert_eq!(base.conflicting_fields(&other), expected, "{why}");
            assert_eq!(
                base.conflict_digest() == other.conflict_digest(),
                expected.is_empty(),
                "{why}: the digest agrees with the fields"
            );
        }
    }

    #[test]
    fn a_version_reads_back_as_the_content_it_was_made_of() {
        let all_day = Content {
            when: When::AllDay {
                start: NaiveDate::from_ymd_opt(2026, 3, 28).unwrap(),
                end: NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(),
            },
            ..content()
        };
        for content in [content(), all_day] {
            let version = ConflictVersion::of(&content);
            assert_eq!(
                version.content().unwrap(),
                content.clone().normalised(),
                "{version:?}"
            );
        }
        assert_eq!(Keep::parse("both").unwrap(), Keep::Both);
        assert!(Keep::parse("mine").is_err(), "only the three choices");
    }
}
