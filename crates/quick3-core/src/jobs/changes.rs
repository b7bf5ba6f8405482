//! What a failed job run had already changed, in its failure mail's words: each line the sync
//! journal holds of the run's syncs as its kind, side, subject and times, written in the
//! planner's date format and display zone; another resource's private appointment as "A private
//! appointment", with its time only.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use chrono_tz::Tz;

use crate::error::Result;
use crate::ids::{ResourceId, SyncRunId};
use crate::model::{
    AppointmentRecord, ChangeKind, ChangeSide, DateFormat, HourCycle, JournalChange,
    PRIVATE_IN_JOURNAL, Sensitivity,
};
use crate::store::Store;

/// Changes a mail lists at most; the rest are counted in one line.
pub const MAIL_LINES: usize = 50;

/// The order of a date's parts and what separates them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Order {
    DayMonthYear,
    MonthDayYear,
    YearMonthDay,
}

/// How a language and region write a date and a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Written {
    order: Order,
    separator: &'static str,
    /// After the year ("2026. 12. 14.").
    end: &'static str,
    /// Day and month with two digits.
    padded: bool,
    h12: bool,
}

impl Written {
    /// The way `format` writes dates and times; its language `None` is the system's (`system`,
    /// a POSIX locale such as `nb_NO.UTF-8` or a BCP 47 tag), and without either, ISO 8601 on a
    /// 24-hour clock.
    pub fn of(format: &DateFormat, system: Option<&str>) -> Written {
        let tag = format
            .locale
            .as_deref()
            .or(system)
            .map(|t| t.split(['.', '@']).next().unwrap_or_default())
            .unwrap_or_default()
            .replace('_', "-")
            .to_ascii_lowercase();
        let mut parts = tag.split('-');
        let language = parts.next().unwrap_or_default();
        let region = parts.find(|p| p.len() == 2).unwrap_or_default();
        let iso = |separator| Written {
            order: Order::YearMonthDay,
            separator,
            end: "",
            padded: true,
            h12: false,
        };
        let day_first = |separator| Written {
            order: Order::DayMonthYear,
            separator,
            end: "",
            padded: true,
            h12: false,
        };
        let mut written = match (language, region) {
            ("" | "c" | "posix", _) => iso("-"),
            ("en", "" | "us" | "ph") | ("es", "us") | ("fil", _) => Written {
                order: Order::MonthDayYear,
                separator: "/",
                end: "",
                padded: false,
                h12: true,
            },
            ("en" | "fr", "ca") | ("sv" | "lt", _) => iso("-"),
            ("ja" | "zh", _) => iso("/"),
            ("ko" | "hu", _) => Written {
                end: ".",
                ..iso(". ")
            },
            ("nl", _) => day_first("-"),
            (
                "de" | "nb" | "nn" | "no" | "da" | "fi" | "ru" | "pl" | "cs" | "sk" | "tr" | "uk"
                | "ro" | "et" | "lv" | "is" | "hr" | "sl" | "sr" | "bg" | "be" | "kk",
                _,
            ) => day_first("."),
            _ => day_first("/"),
        };
        written.h12 = match format.hour_cycle {
            Some(HourCycle::H12) => true,
            Some(HourCycle::H24) => false,
            None => {
                written.h12
                    || matches!(
                        (language, region),
                        ("en", "au" | "ca" | "nz" | "in") | ("ko" | "hi" | "ar", _)
                    )
            }
        };
        written
    }

    pub fn date(&self, date: NaiveDate) -> String {
        let (d, m, y) = (date.day(), date.month(), date.year());
        let (d, m) = if self.padded {
            (format!("{d:02}"), format!("{m:02}"))
        } else {
            (d.to_string(), m.to_string())
        };
        let sep = self.separator;
        let text = match self.order {
            Order::DayMonthYear => format!("{d}{sep}{m}{sep}{y}"),
            Order::MonthDayYear => format!("{m}{sep}{d}{sep}{y}"),
            Order::YearMonthDay => format!("{y}{sep}{m}{sep}{d}"),
        };
        format!("{text}{}", self.end)
    }

    pub fn time(&self, hour: u32, minute: u32) -> String {
        if self.h12 {
            let half = if hour < 12 { "AM" } else { "PM" };
            let hour = match hour % 12 {
                0 => 12,
                h => h,
            };
            format!("{hour}:{minute:02} {half}")
        } else {
            format!("{hour:02}:{minute:02}")
        }
    }

    /// A record's time: "14/12/2026 09:00–10:00" in `zone`, across days both ends in full, an
    /// all-day one by its dates (its end exclusive), "(all day)".
    pub fn when(&self, record: &AppointmentRecord, zone: Tz) -> String {
        if record.all_day {
            let day = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").ok();
            return match (day(&record.start), day(&record.end)) {
                (Some(first), Some(end)) => {
                    let last = end.pred_opt().filter(|l| *l > first).unwrap_or(first);
                    if last == first {
                        format!("{} (all day)", self.date(first))
                    } else {
                        format!("{} – {} (all day)", self.date(first), self.date(last))
                    }
                }
                _ => format!("{} (all day)", record.start),
            };
        }
        let instant = |text: &str| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.with_timezone(&Utc).with_timezone(&zone))
        };
        match (instant(&record.start), instant(&record.end)) {
            (Some(start), Some(end)) => {
                let at = |t: &DateTime<Tz>| self.time(t.hour(), t.minute());
                if start.date_naive() == end.date_naive() {
                    format!(
                        "{} {}–{}",
                        self.date(start.date_naive()),
                        at(&start),
                        at(&end)
                    )
                } else {
                    format!(
                        "{} {} – {} {}",
                        self.date(start.date_naive()),
                        at(&start),
                        self.date(end.date_naive()),
                        at(&end)
                    )
                }
            }
            _ => format!("{} – {}", record.start, record.end),
        }
    }
}

/// Whether the planner whose own resource is `mine` sees only the time of `record`.
fn private_to(record: &AppointmentRecord, mine: Option<ResourceId>) -> bool {
    matches!(
        record.sensitivity,
        Sensitivity::Private | Sensitivity::Confidential
    ) && Some(record.resource_id) != mine
}

/// One change in the mail's words: "Created in Quick3 Planner: “Visit”, 14/12/2026 09:00–10:00
/// (megan@contoso.example)".
pub fn line(
    change: &JournalChange,
    email: &str,
    written: &Written,
    zone: Tz,
    mine: Option<ResourceId>,
) -> String {
    let kind = match change.kind {
        ChangeKind::Created => "Created",
        ChangeKind::Updated => "Changed",
        ChangeKind::Deleted => "Deleted",
    };
    let side = match change.side {
        ChangeSide::Quick3 => "Quick3 Planner",
        ChangeSide::Outlook => "Outlook",
    };
    let shown = change.after.as_ref().or(change.before.as_ref());
    let private = [change.before.as_ref(), change.after.as_ref()]
        .into_iter()
        .flatten()
        .any(|r| private_to(r, mine));
    let name = match shown {
        _ if private => PRIVATE_IN_JOURNAL.to_owned(),
        Some(record) => format!("“{}”", record.title),
        None => "An appointment".to_owned(),
    };
    let when = shown
        .map(|r| format!(", {}", written.when(r, zone)))
        .unwrap_or_default();
    format!("{kind} in {side}: {name}{when} ({email})")
}

/// The system's language and region for dates when the planner chose none (`LC_ALL`,
/// `LC_TIME`, `LANG`, as the C library reads them).
pub fn system_locale() -> Option<String> {
    ["LC_ALL", "LC_TIME", "LANG"]
        .into_iter()
        .filter_map(|key| std::env::var(key).ok())
        .find(|value| !value.trim().is_empty())
}

/// What a run had changed, as its mail lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MailChanges {
    /// The zone the times are in (the planner's display zone).
    pub zone: String,
    pub lines: Vec<String>,
}

impl MailChanges {
    /// The mail's section: a heading naming the zone, a line per change, a blank line; nothing
    /// when the run changed nothing.
    pub fn section(&self) -> String {
        if self.lines.is_empty() {
            return String::new();
        }
        let mut text = format!(
            "What the run had changed before it failed (times in {}):\n",
            self.zone
        );
        for line in &self.lines {
            text.push_str(&format!("  - {line}\n"));
        }
        text.push('\n');
        text
    }
}

/// What the journal's `runs` changed, oldest first, in the planner's date format and display
/// zone; beyond [`MAIL_LINES`], one line counts the rest.
pub fn mail_changes(
    store: &Store,
    runs: &[SyncRunId],
    system: Option<&str>,
) -> Result<MailChanges> {
    let mine = store.planner()?.my_resource_id;
    let written = Written::of(&store.date_format()?, system);
    let zone: Tz = store.display_time_zone()?.parse().unwrap_or(Tz::UTC);
    let mut lines = Vec::new();
    let mut more = 0usize;
    for run in runs {
        let email = store.sync_run(*run)?.email;
        for stored in store.sync_run_changes(*run)? {
            if lines.len() < MAIL_LINES {
                lines.push(line(&stored.change, &email, &written, zone, mine));
            } else {
                more += 1;
            }
        }
    }
    if more > 0 {
        lines.push(format!(
            "… and {more} more (Office 365 → Activity lists them all)."
        ));
    }
    Ok(MailChanges {
        zone: zone.name().to_owned(),
        lines,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(locale: Option<&str>, hour_cycle: Option<HourCycle>) -> DateFormat {
        DateFormat {
            locale: locale.map(str::to_owned),
            hour_cycle,
        }
    }

    #[test]
    fn dates_and_times_are_written_as_the_planners_language_and_clock_write_them() {
        let date = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();
        #[rustfmt::skip]
        let cases: Vec<(&str, DateFormat, Option<&str>, &str, &str)> = vec![
            ("British English", format(Some("en-GB"), None), None, "04/12/2026", "14:05"),
            ("American English: month first, 12-hour", format(Some("en-US"), None), None,
                "12/4/2026", "2:05 PM"),
            ("Norwegian", format(Some("nb-NO"), None), None, "04.12.2026", "14:05"),
            ("German with a 12-hour clock chosen", format(Some("de-DE"), Some(HourCycle::H12)),
                None, "04.12.2026", "2:05 PM"),
            ("American with a 24-hour clock chosen", format(Some("en-US"), Some(HourCycle::H24)),
                None, "12/4/2026", "14:05"),
            ("Swedish writes ISO dates", format(Some("sv-SE"), None), None, "2026-12-04", "14:05"),
            ("Japanese", format(Some("ja-JP"), None), None, "2026/12/04", "14:05"),
            ("Dutch", format(Some("nl-NL"), None), None, "04-12-2026", "14:05"),
            ("the system's when none is chosen", format(None, None), Some("nb_NO.UTF-8"),
                "04.12.2026", "14:05"),
            ("the planner's choice over the system's", format(Some("en-GB"), None),
                Some("en_US.UTF-8"), "04/12/2026", "14:05"),
            ("neither: ISO on a 24-hour clock", format(None, None), None, "2026-12-04", "14:05"),
            ("the C locale: ISO too", format(None, None), Some("C.UTF-8"), "2026-12-04", "14:05"),
        ];
        for (why, format, system, day, time) in cases {
            let written = Written::of(&format, system);
            assert_eq!(
                (written.date(date), written.time(14, 5)),
                (day.to_owned(), time.to_owned()),
                "{why}"
            );
        }
        let us = Written::of(&format(Some("en-US"), None), None);
        assert_eq!(
            (us.time(0, 30), us.time(12, 0)),
            ("12:30 AM".to_owned(), "12:00 PM".to_owned()),
            "midnight and noon on a 12-hour clock"
        );
    }

    fn record(start: &str, end: &str, all_day: bool) -> AppointmentRecord {
        use crate::model::{Appointment, Origin, ShowAs, When};
        let at: DateTime<Utc> = "2026-12-14T08:00:00Z".parse().unwrap();
        let appointment = Appointment {
            id: crate::ids::AppointmentId(uuid::Uuid::from_u128(1)),
            resource_id: ResourceId(1),
            title: "Visit".into(),
            when: When::Timed {
                start: at,
                end: at,
                time_zone: chrono_tz::Europe::Oslo,
            },
            location: String::new(),
            notes: String::new(),
            categories: vec![],
            show_as: ShowAs::Busy,
            sensitivity: Sensitivity::Normal,
            origin: Origin::Quick3,
            recurrence: None,
            series_id: None,
            original_start: None,
            created_at: at,
            updated_at: at,
        };
        let mut record = AppointmentRecord::from(&appointment);
        record.start = start.into();
        record.end = end.into();
        record.all_day = all_day;
        record
    }

    #[test]
    fn a_time_is_said_in_the_display_zone_and_an_all_day_one_by_its_dates() {
        let written = Written::of(&format(Some("en-GB"), None), None);
        let oslo = chrono_tz::Europe::Oslo;
        #[rustfmt::skip]
        let cases = [
            (record("2026-12-14T08:00:00Z", "2026-12-14T09:00:00Z", false),
                "14/12/2026 09:00–10:00", "in the display zone (UTC+1)"),
            (record("2026-12-14T22:00:00Z", "2026-12-15T01:00:00Z", false),
                "14/12/2026 23:00 – 15/12/2026 02:00", "across midnight both ends in full"),
            (record("2026-12-14", "2026-12-15", true), "14/12/2026 (all day)",
                "one day (the end is exclusive)"),
            (record("2026-12-14", "2026-12-17", true), "14/12/2026 – 16/12/2026 (all day)",
                "three days"),
        ];
        for (record, expected, why) in cases {
            assert_eq!(written.when(&record, oslo), expected, "{why}");
        }
    }

    #[test]
    fn a_change_says_its_kind_side_and_subject_and_hides_only_anothers_private_one() {
        use crate::model::{ChangeCause, JournalChange};
        let written = Written::of(&format(Some("en-GB"), None), None);
        let zone = chrono_tz::Europe::Oslo;
        let visit = record("2026-12-14T08:00:00Z", "2026-12-14T09:00:00Z", false);
        let private = AppointmentRecord {
            title: "Salary talk".into(),
            sensitivity: Sensitivity::Private,
            ..visit.clone()
        };
        let said = |before: Option<&AppointmentRecord>,
                    after: Option<&AppointmentRecord>,
                    side,
                    kind,
                    mine| {
            let change = JournalChange::between(
                before.cloned(),
                after.cloned(),
                (side, kind, ChangeCause::OutlookChanged),
                crate::ids::AccountId(1),
            )
            .unwrap();
            line(&change, "megan@contoso.example", &written, zone, mine)
        };
        #[rustfmt::skip]
        let cases = [
            (said(None, Some(&visit), ChangeSide::Quick3, ChangeKind::Created, None),
                "Created in Quick3 Planner: “Visit”, 14/12/2026 09:00–10:00 (megan@contoso.example)",
                "a creation, by what it is after"),
            (said(Some(&visit), None, ChangeSide::Outlook, ChangeKind::Deleted, None),
                "Deleted in Outlook: “Visit”, 14/12/2026 09:00–10:00 (megan@contoso.example)",
                "a deletion, by what it was"),
            (said(Some(&visit), Some(&private), ChangeSide::Quick3, ChangeKind::Updated, None),
                "Changed in Quick3 Planner: A private appointment, 14/12/2026 09:00–10:00 (megan@contoso.example)",
                "another resource's appointment made private: its time only"),
            (said(None, Some(&private), ChangeSide::Quick3, ChangeKind::Created, Some(ResourceId(1))),
                "Created in Quick3 Planner: “Salary talk”, 14/12/2026 09:00–10:00 (megan@contoso.example)",
                "the planner's own private appointment is theirs to read"),
        ];
        for (text, expected, why) in cases {
            assert_eq!(text, expected, "{why}");
        }
    }
}
