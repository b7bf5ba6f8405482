//! What an appointment says, normalised the same way on both sides, and its content hash: the one
//! thing sync compares (so unchanged content is never written again).

use chrono::SecondsFormat;
use sha2::{Digest, Sha256};

use crate::model::{Appointment, Sensitivity, ShowAs, When};

/// The synced fields of an appointment. Attendees, reminders and bodies' formatting are not
/// synced on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub title: String,
    pub when: When,
    pub location: String,
    pub notes: String,
    pub categories: Vec<String>,
    pub show_as: ShowAs,
    pub sensitivity: Sensitivity,
}

impl Content {
    pub fn of(appointment: &Appointment) -> Content {
        Content {
            title: appointment.title.clone(),
            when: appointment.when,
            location: appointment.location.clone(),
            notes: appointment.notes.clone(),
            categories: appointment.categories.clone(),
            show_as: appointment.show_as,
            sensitivity: appointment.sensitivity,
        }
        .normalised()
    }

    /// Trimmed text, `\n` line ends, sorted unique categories, whole-second times.
    pub fn normalised(mut self) -> Content {
        self.title = self.title.trim().to_owned();
        self.location = self.location.trim().to_owned();
        self.notes = self
            .notes
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned();
        let mut categories: Vec<String> = self
            .categories
            .iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        categories.sort();
        categories.dedup();
        self.categories = categories;
        if let When::Timed {
            start,
            end,
            time_zone,
        } = self.when
        {
            use chrono::SubsecRound;
            self.when = When::Timed {
                start: start.trunc_subsecs(0),
                end: end.trunc_subsecs(0),
                time_zone,
            };
        }
        self
    }

    /// A stable hash of the normalised content (hex SHA-256).
    pub fn hash(&self) -> String {
        self.digest(|zone| zone.name().to_owned())
    }

    /// A hash equal for contents [`Content::same_as`] each other (zones by their Windows name):
    /// what Quick3 sent and what Outlook then holds have the same fingerprint.
    pub fn fingerprint(&self) -> String {
        self.digest(crate::graph::zones::to_graph)
    }

    fn digest(&self, zone_name: impl Fn(chrono_tz::Tz) -> String) -> String {
        let content = self.clone().normalised();
        let when = match content.when {
            When::Timed {
                start,
                end,
                time_zone,
            } => format!(
                "timed|{}|{}|{}",
                start.to_rfc3339_opts(SecondsFormat::Secs, true),
                end.to_rfc3339_opts(SecondsFormat::Secs, true),
                zone_name(time_zone)
            ),
            When::AllDay { start, end } => format!("allday|{start}|{end}"),
        };
        let mut hasher = Sha256::new();
        for field in [
            content.title.as_str(),
            when.as_str(),
            content.location.as_str(),
            content.notes.as_str(),
            &content.categories.join("\u{1f}"),
            content.show_as.as_str(),
            content.sensitivity.as_str(),
        ] {
            hasher.update(field.as_bytes());
            hasher.update([0u8]);
        }
        hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Same content, treating zones with the same Windows name as equal (a zone that went out as
    /// "W. Europe Standard Time" comes back as Europe/Berlin even if it was Europe/Amsterdam).
    pub fn same_as(&self, other: &Content) -> bool {
        let a = self.clone().normalised();
        let b = other.clone().normalised();
        let zone_agnostic = |c: &Content| match c.when {
            When::Timed { start, end, .. } => (Some((start, end)), None),
            When::AllDay { start, end } => (None, Some((start, end))),
        };
        let zones_agree = match (a.when.time_zone(), b.when.time_zone()) {
            (Some(x), Some(y)) => {
                crate::graph::zones::to_graph(x) == crate::graph::zones::to_graph(y)
            }
            _ => true,
        };
        zones_agree
            && zone_agnostic(&a) == zone_agnostic(&b)
            && a.title == b.title
            && a.location == b.location
            && a.notes == b.notes
            && a.categories == b.categories
            && a.show_as == b.show_as
            && a.sensitivity == b.sensitivity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone, Utc};

    fn content() -> Content {
        Content {
            title: "Review".into(),
            when: When::Timed {
                start: Utc.with_ymd_and_hms(2026, 3, 28, 8, 0, 0).unwrap(),
                end: Utc.with_ymd_and_hms(2026, 3, 28, 9, 0, 0).unwrap(),
                time_zone: chrono_tz::Tz::Europe__Berlin,
            },
            location: "Room 1".into(),
            notes: "Agenda".into(),
            categories: vec!["b".into(), "a".into()],
            show_as: ShowAs::Busy,
            sensitivity: Sensitivity::Normal,
        }
    }

    #[test]
    fn formatting_noise_does_not_change_the_hash() {
        let mut noisy = content();
        noisy.title = "  Review ".into();
        noisy.notes = "Agenda\r\n".into();
        noisy.categories = vec!["a".into(), "b".into(), "a".into()];
        assert_eq!(noisy.hash(), content().hash(), "only meaning counts");
    }

    #[test]
    fn every_synced_field_changes_the_hash() {
        let base = content().hash();
        let mut changed = vec![];
        let mut c = content();
        c.title = "Other".into();
        changed.push(c);
        let mut c = content();
        c.location = "Room 2".into();
        changed.push(c);
        let mut c = content();
        c.notes = "x".into();
        changed.push(c);
        let mut c = content();
        c.show_as = ShowAs::Free;
        changed.push(c);
        let mut c = content();
        c.sensitivity = Sensitivity::Private;
        changed.push(c);
        let mut c = content();
        c.when = When::AllDay {
            start: NaiveDate::from_ymd_opt(2026, 3, 28).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 3, 29).unwrap(),
        };
        changed.push(c);
        for c in changed {
            assert_ne!(c.hash(), base, "{c:?} differs from the original");
        }
    }

    #[test]
    fn zones_with_one_windows_name_are_the_same_content() {
        let mut amsterdam = content();
        if let When::Timed { start, end, .. } = amsterdam.when {
            amsterdam.when = When::Timed {
                start,
                end,
                time_zone: chrono_tz::Tz::Europe__Amsterdam,
            };
        }
        assert!(amsterdam.same_as(&content()));
        assert_ne!(amsterdam.hash(), content().hash());
        assert_eq!(
            amsterdam.fingerprint(),
            content().fingerprint(),
            "what went out as W. Europe Standard Time and came back as Europe/Berlin"
        );
        let mut other = content();
        other.title = "Other".into();
        assert_ne!(other.fingerprint(), content().fingerprint());
    }
}
