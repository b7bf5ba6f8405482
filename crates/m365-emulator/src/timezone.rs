//! Time-zone names as Graph accepts them (Windows and IANA) and local-time arithmetic.

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

/// Windows time-zone names and the IANA zone Microsoft maps each one to (CLDR's "001" territory).
const WINDOWS_ZONES: &[(&str, &str)] = &[
    ("UTC", "UTC"),
    ("Coordinated Universal Time", "UTC"),
    ("GMT Standard Time", "Europe/London"),
    ("Greenwich Standard Time", "Atlantic/Reykjavik"),
    ("W. Europe Standard Time", "Europe/Berlin"),
    ("Central Europe Standard Time", "Europe/Budapest"),
    ("Central European Standard Time", "Europe/Warsaw"),
    ("Romance Standard Time", "Europe/Paris"),
    ("E. Europe Standard Time", "Europe/Chisinau"),
    ("FLE Standard Time", "Europe/Kiev"),
    ("GTB Standard Time", "Europe/Bucharest"),
    ("Russian Standard Time", "Europe/Moscow"),
    ("Turkey Standard Time", "Europe/Istanbul"),
    ("Israel Standard Time", "Asia/Jerusalem"),
    ("South Africa Standard Time", "Africa/Johannesburg"),
    ("Arabian Standard Time", "Asia/Dubai"),
    ("India Standard Time", "Asia/Calcutta"),
    ("China Standard Time", "Asia/Shanghai"),
    ("Singapore Standard Time", "Asia/Singapore"),
    ("Tokyo Standard Time", "Asia/Tokyo"),
    ("Korea Standard Time", "Asia/Seoul"),
    ("AUS Eastern Standard Time", "Australia/Sydney"),
    ("E. Australia Standard Time", "Australia/Brisbane"),
    ("New Zealand Standard Time", "Pacific/Auckland"),
    ("Eastern Standard Time", "America/New_York"),
    ("Central Standard Time", "America/Chicago"),
    ("Mountain Standard Time", "America/Denver"),
    ("US Mountain Standard Time", "America/Phoenix"),
    ("Pacific Standard Time", "America/Los_Angeles"),
    ("Alaskan Standard Time", "America/Anchorage"),
    ("Hawaiian Standard Time", "Pacific/Honolulu"),
    ("Atlantic Standard Time", "America/Halifax"),
    ("Canada Central Standard Time", "America/Regina"),
    ("SA Pacific Standard Time", "America/Bogota"),
    ("E. South America Standard Time", "America/Sao_Paulo"),
    ("Argentina Standard Time", "America/Buenos_Aires"),
    ("Central Standard Time (Mexico)", "America/Mexico_City"),
];

/// Resolves a Graph `timeZone` value (Windows name, IANA name or "UTC") to a zone.
pub fn resolve(name: &str) -> Option<Tz> {
    let trimmed = name.trim().trim_matches('"');
    if trimmed.is_empty() {
        return Some(Tz::UTC);
    }
    if let Some((_, iana)) = WINDOWS_ZONES
        .iter()
        .find(|(windows, _)| windows.eq_ignore_ascii_case(trimmed))
    {
        return iana.parse().ok();
    }
    if trimmed.eq_ignore_ascii_case("tzone://Microsoft/Utc") || trimmed.eq_ignore_ascii_case("Z") {
        return Some(Tz::UTC);
    }
    trimmed.parse().ok()
}

/// Resolves a zone, falling back to UTC for names Graph would not know either.
pub fn resolve_or_utc(name: &str) -> Tz {
    resolve(name).unwrap_or(Tz::UTC)
}

/// The instant a wall-clock time in `zone` denotes, by RFC 5545's rule (3.3.5) as Exchange reads
/// an event's times: a time the clocks repeat (autumn) takes the earlier instant; a time they skip
/// (spring) is read with the offset in force before the change, so it moves forward by the gap's
/// length (02:30 becomes 03:30 where 02:00 jumps to 03:00). The core's `local_instant` is the same.
pub fn local_to_utc(local: NaiveDateTime, zone: Tz) -> DateTime<Utc> {
    match zone.from_local_datetime(&local) {
        LocalResult::Single(at) | LocalResult::Ambiguous(at, _) => at.with_timezone(&Utc),
        LocalResult::None => {
            // A day before, read as UTC, is at least ten hours before the gap on any zone's wall
            // clock (offsets are within ±14 h), and no zone changes its clocks twice in a day.
            let before = local
                .checked_sub_signed(TimeDelta::days(1))
                .map_or(0, |earlier| {
                    zone.offset_from_utc_datetime(&earlier)
                        .fix()
                        .local_minus_utc()
                });
            let at = local
                .checked_sub_signed(TimeDelta::seconds(i64::from(before)))
                .unwrap_or(local);
            Utc.from_utc_datetime(&at)
        }
    }
}

/// The wall-clock times an appointment from `start` to `end` (each in its own zone) takes place
/// at: the start as [`local_to_utc`] reads it, and the end moved on as far as the start was, so an
/// appointment whose start the clocks skip moves whole and keeps its length on the wall clock
/// (02:30–03:15 on the night 02:00 jumps to 03:00 is 03:30–04:15, never ending before it starts).
/// Times that exist come back as they are. The core's `local_span` is the same rule.
pub fn resolve_span(
    start: NaiveDateTime,
    start_zone: Tz,
    end: NaiveDateTime,
    end_zone: Tz,
) -> (NaiveDateTime, NaiveDateTime) {
    let start_at = utc_to_local(local_to_utc(start, start_zone), start_zone);
    let moved_end = end + (start_at - start);
    (
        start_at,
        utc_to_local(local_to_utc(moved_end, end_zone), end_zone),
    )
}

/// The wall-clock time of `instant` in `zone`.
pub fn utc_to_local(instant: DateTime<Utc>, zone: Tz) -> NaiveDateTime {
    instant.with_timezone(&zone).naive_local()
}

/// Graph's `dateTime` text: seven fractional digits, no offset.
pub fn format_graph(local: NaiveDateTime) -> String {
    use chrono::Timelike;
    format!(
        "{}.{:07}",
        local.format("%Y-%m-%dT%H:%M:%S"),
        local.nanosecond() % 1_000_000_000 / 100
    )
}

/// Parses a Graph `dateTime` (with or without fraction; a trailing `Z` or offset is converted to
/// UTC wall-clock time).
pub fn parse_graph(text: &str) -> Option<NaiveDateTime> {
    use chrono::Timelike;
    // chrono reads "…:60" as a leap second, which Graph does not accept and which would be served
    // back a second early (found by fuzzing).
    parse_graph_text(text).filter(|time| time.nanosecond() < 1_000_000_000)
}

fn parse_graph_text(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Ok(with_offset) = DateTime::parse_from_rfc3339(text) {
        return Some(with_offset.with_timezone(&Utc).naive_utc());
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M"))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()
                .and_then(|date| date.and_hms_opt(0, 0, 0))
        })
}

/// Parses a query-string instant (`startDateTime`): values without an offset are UTC.
pub fn parse_query_instant(text: &str) -> Option<DateTime<Utc>> {
    parse_graph(text).map(|naive| Utc.from_utc_datetime(&naive))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_names_map_to_iana_zones() {
        for (windows, iana) in [
            ("W. Europe Standard Time", "Europe/Berlin"),
            ("Pacific Standard Time", "America/Los_Angeles"),
            ("Eastern Standard Time", "America/New_York"),
            ("GMT Standard Time", "Europe/London"),
            ("UTC", "UTC"),
            ("Europe/Paris", "Europe/Paris"),
        ] {
            assert_eq!(
                resolve(windows).map(|tz| tz.name().to_owned()),
                Some(iana.to_owned()),
                "{windows}"
            );
        }
        assert_eq!(
            resolve("Mars Standard Time"),
            None,
            "unknown names are not guessed"
        );
    }

    #[test]
    fn spring_forward_gap_moves_one_hour_on() {
        let berlin = resolve_or_utc("W. Europe Standard Time");
        let gap = parse_graph("2025-03-30T02:30:00").unwrap();
        assert_eq!(
            local_to_utc(gap, berlin).to_rfc3339(),
            "2025-03-30T01:30:00+00:00"
        );
    }

    #[test]
    fn a_skipped_time_moves_by_the_gap_and_a_repeated_one_takes_the_first_instant() {
        for (zone, wall, instant, why) in [
            (
                "Australia/Lord_Howe",
                "2025-10-05T02:15:00",
                "2025-10-04T15:45:00+00:00",
                "a 30-minute gap moves 02:15 to 02:45, not an hour on",
            ),
            (
                "Eastern Standard Time",
                "2025-03-09T02:30:00",
                "2025-03-09T07:30:00+00:00",
                "New York's 02:30 on the spring night is 03:30 EDT",
            ),
            (
                "Europe/Oslo",
                "2025-10-26T02:30:00",
                "2025-10-26T00:30:00+00:00",
                "Oslo's repeated 02:30: the first, in CEST",
            ),
            (
                "Eastern Standard Time",
                "2025-11-02T01:30:00",
                "2025-11-02T05:30:00+00:00",
                "New York's repeated 01:30: the first, in EDT",
            ),
        ] {
            let at = parse_graph(wall).unwrap();
            assert_eq!(
                local_to_utc(at, resolve_or_utc(zone)).to_rfc3339(),
                instant,
                "{why}"
            );
        }
    }

    #[test]
    fn an_appointment_whose_start_the_clocks_skip_moves_whole() {
        let at = |text: &str| parse_graph(text).unwrap();
        for zone in ["Europe/Oslo", "America/New_York"] {
            let tz = resolve_or_utc(zone);
            let day = if zone == "Europe/Oslo" {
                "2025-03-30"
            } else {
                "2025-03-09"
            };
            assert_eq!(
                resolve_span(
                    at(&format!("{day}T02:30:00")),
                    tz,
                    at(&format!("{day}T03:15:00")),
                    tz
                ),
                (
                    at(&format!("{day}T03:30:00")),
                    at(&format!("{day}T04:15:00"))
                ),
                "{zone}: 02:30-03:15 takes place 03:30-04:15, not ending before it starts"
            );
            assert_eq!(
                resolve_span(
                    at(&format!("{day}T01:30:00")),
                    tz,
                    at(&format!("{day}T02:15:00")),
                    tz
                ),
                (
                    at(&format!("{day}T01:30:00")),
                    at(&format!("{day}T03:15:00"))
                ),
                "{zone}: only the end is skipped: it alone moves on by the gap"
            );
        }
    }

    #[test]
    fn graph_format_has_seven_fraction_digits() {
        let at = parse_graph("2019-03-15T12:00:00.0000000").unwrap();
        assert_eq!(format_graph(at), "2019-03-15T12:00:00.0000000");
    }
}
