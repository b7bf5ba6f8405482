//! What an appointment says, normalised the same way on both sides, and its content hash: the one
//! thing sync compares (so unchanged content is never written again).

use std::borrow::Cow;

use chrono::SecondsFormat;
use sha2::{Digest, Sha256};

use super::{Appointment, Sensitivity, ShowAs, When};

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

/// The hash sync keeps for a local appointment: its content's, and for the master of a series
/// made in Quick3 also its pattern's (`<content>~<pattern>`), so a changed pattern with the same
/// first occurrence is still a change to upload; and whether that pattern changed is read off
/// the stored hash ([`pattern_of_hash`]).
pub fn local_hash(appointment: &Appointment) -> String {
    let content = Content::of(appointment).hash();
    match (&appointment.origin, &appointment.recurrence) {
        (super::Origin::Quick3, Some(recurrence)) => {
            format!("{content}~{}", pattern_digest(recurrence))
        }
        _ => content,
    }
}

/// The digest of a series' pattern, range and zone.
pub fn pattern_digest(recurrence: &super::Recurrence) -> String {
    let text = serde_json::to_string(recurrence).unwrap_or_default();
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// The pattern digest a local hash carries (none for anything but a Quick3 series master).
pub fn pattern_of_hash(hash: &str) -> Option<&str> {
    hash.split_once('~').map(|(_, pattern)| pattern)
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
        // Text already in its normal form (as pulled text mostly is) is kept, not copied.
        if let Cow::Owned(title) = normal_text(&self.title) {
            self.title = title;
        }
        if let Cow::Owned(location) = normal_text(&self.location) {
            self.location = location;
        }
        if let Cow::Owned(notes) = normal_notes(&self.notes) {
            self.notes = notes;
        }
        if let Cow::Owned(categories) = normal_categories(&self.categories) {
            self.categories = categories;
        }
        self.when = normal_when(self.when);
        self
    }

    /// A stable hash of the normalised content (hex SHA-256).
    pub fn hash(&self) -> String {
        self.digest(|zone| Cow::Borrowed(zone.name()))
    }

    /// A hash equal for contents [`Content::same_as`] each other (zones by their Windows name):
    /// what Quick3 sent and what Outlook then holds have the same fingerprint.
    pub fn fingerprint(&self) -> String {
        self.digest(|zone| Cow::Owned(super::zones::to_graph(zone)))
    }

    fn digest(&self, zone_name: impl Fn(chrono_tz::Tz) -> Cow<'static, str>) -> String {
        let when = match normal_when(self.when) {
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
        let mut field = |text: &str| {
            hasher.update(text.as_bytes());
            hasher.update([0u8]);
        };
        field(&normal_text(&self.title));
        field(&when);
        field(&normal_text(&self.location));
        field(&normal_notes(&self.notes));
        let categories = normal_categories(&self.categories);
        let mut separated = categories.iter().map(String::as_str);
        if let Some(first) = separated.next() {
            hasher.update(first.as_bytes());
            for category in separated {
                hasher.update("\u{1f}".as_bytes());
                hasher.update(category.as_bytes());
            }
        }
        hasher.update([0u8]);
        hasher.update(self.show_as.as_str().as_bytes());
        hasher.update([0u8]);
        hasher.update(self.sensitivity.as_str().as_bytes());
        hasher.update([0u8]);
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut hex = String::with_capacity(64);
        for byte in hasher.finalize() {
            hex.push(char::from(HEX[usize::from(byte >> 4)]));
            hex.push(char::from(HEX[usize::from(byte & 0xf)]));
        }
        hex
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
            (Some(x), Some(y)) => super::zones::to_graph(x) == super::zones::to_graph(y),
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

/// Trimmed.
fn normal_text(text: &str) -> Cow<'_, str> {
    let trimmed = text.trim();
    if trimmed.len() == text.len() {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(trimmed.to_owned())
    }
}

/// `\n` line ends, no spaces at line ends, trimmed.
fn normal_notes(notes: &str) -> Cow<'_, str> {
    let normal = !notes.contains('\r')
        && notes.trim().len() == notes.len()
        && notes
            .split('\n')
            .all(|line| line.trim_end().len() == line.len());
    if normal {
        return Cow::Borrowed(notes);
    }
    Cow::Owned(
        notes
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned(),
    )
}

/// Trimmed, without empty ones, sorted, unique.
fn normal_categories(categories: &[String]) -> Cow<'_, [String]> {
    let normal = categories
        .iter()
        .all(|c| !c.is_empty() && c.trim().len() == c.len())
        && categories.windows(2).all(|pair| pair[0] < pair[1]);
    if normal {
        return Cow::Borrowed(categories);
    }
    let mut normalised: Vec<String> = categories
        .iter()
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty())
        .collect();
    normalised.sort();
    normalised.dedup();
    Cow::Owned(normalised)
}

/// Whole seconds.
fn normal_when(when: When) -> When {
    match when {
        When::Timed {
            start,
            end,
            time_zone,
        } => {
            use chrono::SubsecRound;
            When::Timed {
                start: start.trunc_subsecs(0),
                end: end.trunc_subsecs(0),
                time_zone,
            }
        }
        all_day => all_day,
    }
}

/// A timed "Review" on 28 March 2026, 08:00–09:00 UTC kept in Berlin, with `categories`: the
/// content the model's unit tests vary a field at a time.
#[cfg(test)]
pub(super) fn sample_content(categories: &[&str]) -> Content {
    use chrono::{TimeZone, Utc};
    Content {
        title: "Review".into(),
        when: When::Timed {
            start: Utc.with_ymd_and_hms(2026, 3, 28, 8, 0, 0).unwrap(),
            end: Utc.with_ymd_and_hms(2026, 3, 28, 9, 0, 0).unwrap(),
            time_zone: chrono_tz::Tz::Europe__Berlin,
        },
        location: "Room 1".into(),
        notes: "Agenda".into(),
        categories: categories.iter().map(|c| (*c).to_owned()).collect(),
        show_as: ShowAs::Busy,
        sensitivity: Sensitivity::Normal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn content() -> Content {
        sample_content(&["b", "a"])
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

    /// The hash as it was computed before normal text was kept rather than copied: stored
    /// hashes must stay valid, or every pulled event would count as changed once.
    fn reference_hash(content: &Content) -> String {
        let content = content.clone();
        let notes = content
            .notes
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
            .trim()
            .to_owned();
        let mut categories: Vec<String> = content
            .categories
            .iter()
            .map(|c| c.trim().to_owned())
            .filter(|c| !c.is_empty())
            .collect();
        categories.sort();
        categories.dedup();
        let when = match content.when {
            When::Timed {
                start,
                end,
                time_zone,
            } => {
                use chrono::SubsecRound;
                format!(
                    "timed|{}|{}|{}",
                    start
                        .trunc_subsecs(0)
                        .to_rfc3339_opts(SecondsFormat::Secs, true),
                    end.trunc_subsecs(0)
                        .to_rfc3339_opts(SecondsFormat::Secs, true),
                    time_zone.name()
                )
            }
            When::AllDay { start, end } => format!("allday|{start}|{end}"),
        };
        let mut hasher = Sha256::new();
        for field in [
            content.title.trim(),
            when.as_str(),
            content.location.trim(),
            notes.as_str(),
            &categories.join("\u{1f}"),
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

    #[test]
    fn the_hash_of_a_known_content_is_unchanged() {
        assert_eq!(content().hash(), reference_hash(&content()));
    }

    proptest::proptest! {
        #[test]
        fn hashes_and_normal_forms_are_as_before(
            title in "[ a\t\r\n]{0,6}",
            notes in "[ a\t\r\n]{0,12}",
            categories in proptest::collection::vec("[ ab]{0,3}", 0..4),
            subsec in 0u32..2_000_000_000,
        ) {
            let mut c = content();
            c.title = title;
            c.location = c.title.clone();
            c.notes = notes;
            c.categories = categories;
            if let When::Timed { start, end, time_zone } = c.when {
                c.when = When::Timed {
                    start: start + chrono::Duration::nanoseconds(i64::from(subsec)),
                    end,
                    time_zone,
                };
            }
            proptest::prop_assert_eq!(c.hash(), reference_hash(&c));
            let normal = c.clone().normalised();
            proptest::prop_assert_eq!(normal.hash(), reference_hash(&c));
            proptest::prop_assert_eq!(normal.clone().normalised(), normal.clone(), "normalising twice changes nothing");
            proptest::prop_assert_eq!(&normal.notes, normal.notes.trim());
        }
    }
}
